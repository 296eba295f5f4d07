#!/bin/sh
# tests/cli/matrix_instructions.sh FAULTLINE - the callgrind driver of
# scripts/matrix-instructions.sh (build/matrix-instructions, beside
# faultline) answers the matrix as host-cases.md case 2 says: the sum of
# its returns over the 16,770 cases of each call is what the case's rule
# gives (pread/pwrite: the accessible prefix, -EFAULT when none, 0 for
# size 0; clear_user: the bytes not cleared).  And it refuses bad usage.
set -u
FL=${1:?usage: matrix_instructions.sh path/to/faultline}
MI=$(dirname "$FL")/matrix-instructions
fail() { echo "matrix_instructions.sh: $*" >&2; exit 1; }

[ -x "$MI" ] || fail "no $MI"
# The rule, case by case, in awk: SIZE 0..128, OFF in [-size, 0] and [4096-size, 4096].
expect() {
	awk -v call="$1" 'BEGIN {
		for (size = 0; size <= 128; size++)
			for (side = 0; side < 2; side++)
				for (off = side ? 4096 - size : -size; off <= (side ? 4096 : 0); off++) {
					reach = off < 0 ? 0 : (off + size <= 4096 ? size : 4096 - off);
					if (call == "clear")
						sum += size - reach;
					else
						sum += size == 0 ? 0 : (reach ? reach : -14);
				}
		printf "16770 calls, returns summing to %d\n", sum
	}'
}
for call in pread pwrite clear; do
	got=$("$MI" "$call") || fail "$call exited $?"
	want=$(expect "$call")
	[ "$got" = "$want" ] || fail "$call: got '$got', want '$want'"
done
"$MI" bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad usage did not exit 2"
echo "matrix_instructions.sh: ok"
