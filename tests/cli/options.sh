#!/bin/sh
# tests/cli/options.sh FAULTLINE - every command's options behave as a Unix
# user expects (cli/opts.c): --help and --version everywhere, options
# before or after the files, --opt=val and --opt val alike, conflicting
# options refused, errors that name the option and what it allows, and
# one exit-code rule (skips counted, everything skipped = 3).  And the
# docs keep up: every option a --help lists is in docs/faultline.1 and in
# README.md.
set -u
fl=${1:?usage: options.sh FAULTLINE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

version=$(sed -n 's/^project(faultline VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)
[ -n "$version" ] || bad "no project version in CMakeLists.txt"
[ "$("$fl" --version)" = "faultline $version" ] || bad "--version: '$("$fl" --version)', want 'faultline $version'"

# Every command of `faultline --help`, and every benchmark of `bench --help`.
cmds=$("$fl" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ "$(echo "$cmds" | wc -l)" -ge 8 ] || bad "faultline --help lists $(echo "$cmds" | wc -l) commands"
for c in $(echo "$cmds" | grep -v '^bench$'); do set -- "$@" "$c"; done
benches=$("$fl" bench --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$benches" ] || bad "bench --help lists no benchmark"
shift $#
for c in $(echo "$cmds" | grep -v '^bench$') bench $(echo "$benches" | sed 's/^/bench:/'); do
	cmd=$(echo "$c" | tr ':' ' ')
	# shellcheck disable=SC2086
	"$fl" $cmd --help >"$tmp/help" 2>"$tmp/err" || bad "$cmd --help: exit $?"
	[ -s "$tmp/err" ] && bad "$cmd --help wrote to stderr: $(cat "$tmp/err")"
	grep -q "^usage: faultline $cmd" "$tmp/help" || bad "$cmd --help: no usage line: $(head -n 1 "$tmp/help")"
	# shellcheck disable=SC2086
	[ "$("$fl" $cmd --version)" = "faultline $version" ] || bad "$cmd --version"
	for o in $(grep -o -- '--[a-z][a-z-]*' "$tmp/help" | sort -u); do
		man=$(echo "$o" | sed 's/-/\\\\-/g')
		grep -q -- "$man" docs/faultline.1 || bad "$cmd $o: not in docs/faultline.1"
		grep -q -- "$o" README.md || bad "$cmd $o: not in README.md"
	done
done

# Options after the file, --opt=val and --opt val: the same run.
"$fl" run --json examples/copy-to-user-partial.fl >"$tmp/a" 2>&1
"$fl" run examples/copy-to-user-partial.fl --json >"$tmp/b" 2>&1
cmp -s "$tmp/a" "$tmp/b" || bad "run: --json after the file differs from before"
"$fl" run --backend=model -q examples/copy-to-user-partial.fl >"$tmp/a" 2>&1
"$fl" run -q examples/copy-to-user-partial.fl --backend model >"$tmp/b" 2>&1
cmp -s "$tmp/a" "$tmp/b" || bad "run: --backend=model and --backend model differ"
"$fl" run -- -q >/dev/null 2>"$tmp/err"
grep -q "^faultline: -q: No such file or directory$" "$tmp/err" || bad "run -- -q: '-q' is not a file: $(cat "$tmp/err")"

# Conflicts and bad values: one line naming the option(s), exit 2.
usage_err() { # expected-text command...
	want=$1; shift
	"$fl" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "$*: exit $rc, want 2"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || bad "$*: stderr is not one line: $(cat "$tmp/err")"
	grep -qF -- "$want" "$tmp/err" || bad "$*: '$(cat "$tmp/err")' does not say '$want'"
}
usage_err "run: --json and --ktap cannot be used together" run --json --ktap examples/copy-to-user-partial.fl
usage_err "run: --table and --quiet" run --table examples/copy-to-user-partial.fl --quiet
usage_err "explore: -j '1000': expected a whole number from 1 to 256" explore -j 1000 examples/mte-granule-sweep.fl
usage_err "explore: -j '0': expected a whole number from 1 to 256" explore -j0 examples/mte-granule-sweep.fl
usage_err "explore: --shard '2/2': expected I/N with 0 <= I < N" explore --shard=2/2 examples/mte-granule-sweep.fl
usage_err "run: --backend 'kvm': expected 'model', 'host' or 'vm:KERNEL'" run --backend kvm examples/copy-to-user-partial.fl
usage_err "diff: --backend 'model': expected 'host' or 'vm:KERNEL'" diff --backend model examples/copy-to-user-partial.fl
usage_err "explore: --kernel goes with --diff" explore --kernel debian-6.1-arm64 examples/copy-to-user-partial.fl
usage_err "run: unknown option '--frob'" run examples/copy-to-user-partial.fl --frob
usage_err "run: option '--case' needs a value" run examples/copy-to-user-partial.fl --case
usage_err "exactness: --kernel '9.9': expected a modelled version, 4.3 to 6.18.x" exactness --kernel 9.9
usage_err "bench vma: --n '0': expected a whole number" bench vma --n=0
usage_err "diff: unknown option '-x'" diff -x tests/host/store-straddle.fl

# Standard input is '-' everywhere, and named <stdin>.
"$fl" check - <examples/copy-to-user-partial.fl | grep -q '^<stdin>: ok' || bad "check -: not <stdin>"
"$fl" run -q - <examples/copy-to-user-partial.fl | grep -q '^PASS  <stdin>: ' || bad "run -: not <stdin>"
"$fl" explore --json - <examples/mte-granule-sweep.fl | grep -q '"file": *"<stdin>"' || bad "explore -: not <stdin>"

# One exit rule: passes plus skips succeed (skips counted); all skipped is 3,
# for run and diff alike.
printf 'kernel host\nmmap buf 1p rw private\ncall copy_to_user buf 16\n' >"$tmp/skip.fl"
"$fl" run --backend host -q "$tmp/skip.fl" tests/host/store-straddle.fl >"$tmp/out"
rc=$?
[ $rc -eq 0 ] || bad "run: one pass, one skip: exit $rc, want 0: $(cat "$tmp/out")"
grep -q '^1 passed, 0 failed, 1 unsupported, 0 errors$' "$tmp/out" || bad "run: the skip is not counted"
"$fl" run --backend host -q "$tmp/skip.fl" >/dev/null; rc=$?
[ $rc -eq 3 ] || bad "run: everything skipped: exit $rc, want 3"
"$fl" diff "$tmp/skip.fl" tests/host/store-straddle.fl >"$tmp/out"; rc=$?
[ $rc -eq 0 ] || bad "diff: one agree, one skip: exit $rc, want 0"
"$fl" diff "$tmp/skip.fl" >/dev/null; rc=$?
[ $rc -eq 3 ] || bad "diff: everything skipped: exit $rc, want 3"
exit $fail
