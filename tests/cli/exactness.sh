#!/bin/sh
# tests/cli/exactness.sh - `faultline exactness`: exit 0, the x86_64 rows
# pass every case, arm64 shows its clobbers, bad options exit 2.
fl="$1"
fail() { echo "exactness.sh: $*" >&2; exit 1; }

out=$("$fl" exactness) || fail "exit status $? (want 0)"
for dir in to from clear; do
	echo "$out" | awk -v d="$dir" '$1 == "x86_64" && $2 == d {
		found = 1; if ($3 != $4 || $3 == 0 || $5 + $6 + $7 + $8 != 0) bad = 1 }
		END { exit !(found && !bad) }' || fail "x86_64 $dir row does not pass every case"
done
echo "$out" | awk '$1 == "arm64" && $2 == "to" && $6 > 0 { ok = 1 } END { exit !ok }' ||
	fail "arm64 copy_to_user shows no clobbers"

v=$("$fl" exactness --verbose --kernel 5.13) || fail "--verbose --kernel 5.13 failed"
echo "$v" | grep -q "^arm64 .*first: offset=4095 size=2 ret=2: too few bytes consumed" ||
	fail "arm64 5.13 first failure not reported"

"$fl" exactness --bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "--bogus: want exit 2"
"$fl" exactness --kernel >/dev/null 2>&1; [ $? -eq 2 ] || fail "--kernel without value: want exit 2"
"$fl" exactness --kernel 5.x >/dev/null 2>&1; [ $? -eq 2 ] || fail "--kernel 5.x: want exit 2"
exit 0
