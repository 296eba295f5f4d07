#!/bin/sh
# tests/cli/check.sh FAULTLINE - `faultline check`: every example parses;
# every malformed input gives exactly one line on stderr and exit 2.
set -u
fl=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

bad() { echo "FAIL: $*" >&2; fail=1; }

for f in examples/*.fl; do
	out=$("$fl" check "$f") || bad "$f does not pass check"
	case $out in
	"$f: ok ("*" statements)") ;;
	*) bad "$f: unexpected output '$out'" ;;
	esac
done

# expect_usage NAME PREFIX: check of $tmp/NAME.fl exits 2 with one line
# on stderr starting with PREFIX, and nothing on stdout.
expect_usage() {
	"$fl" check "$tmp/$1.fl" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "$1: exit $rc, want 2"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || bad "$1: stderr is not one line: $(head -c 300 "$tmp/err")"
	[ ! -s "$tmp/out" ] || bad "$1: output on stdout"
	case $(cat "$tmp/err") in
	"$2"*) ;;
	*) bad "$1: stderr '$(head -c 300 "$tmp/err")', want '$2...'" ;;
	esac
}

printf 'kernel 5.18\nfrobnicate buf\n' >"$tmp/verb.fl"
expect_usage verb "$tmp/verb.fl:2:1: error: expected a statement"
printf 'mmap buf 2q rw private\n' >"$tmp/number.fl"
expect_usage number "$tmp/number.fl:1:10: error: expected a number, found '2q'"
printf 'mmap buf 2p rw\n' >"$tmp/missing.fl"
expect_usage missing "$tmp/missing.fl:1:15: error: expected private or shared"
printf 'mmap buf 1p rw private\nload bfu 1\n' >"$tmp/mapping.fl"
expect_usage mapping "$tmp/mapping.fl:2:6: error: expected a mapping declared by an earlier mmap"
printf 'store 0x1000 "abc\n' >"$tmp/string.fl"
expect_usage string "$tmp/string.fl:1:14: error: expected a closing"
{ printf '# '; head -c 10485760 /dev/zero | tr '\0' x; printf '\n'; } >"$tmp/longline.fl"
expect_usage longline "$tmp/longline.fl:1:65537: error: expected a line of at most 65536 bytes"
printf 'kernel 5.18\n\177ELF\002\001\001\000\000\033[31m\n' >"$tmp/binary.fl"
expect_usage binary "$tmp/binary.fl:2:1: error: expected text"
printf 'mmap buf 1p rw private colour=red\n' >"$tmp/key.fl"
expect_usage key "$tmp/key.fl:1:24: error: expected a key of mmap"
printf 'mmap buf 1p rw private\nexpect ret 0\n' >"$tmp/expect.fl"
expect_usage expect "$tmp/expect.fl:2:1: error: expected a call, store or load before expect"
printf 'on pagefault evict 0x1000 1p\n' >"$tmp/hook.fl"
expect_usage hook "$tmp/hook.fl:1:4: error: expected a hook"

# A missing file, and standard input.
"$fl" check "$tmp/none.fl" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || bad "missing file: exit is not 2"
[ "$(cat "$tmp/err")" = "faultline: $tmp/none.fl: No such file or directory" ] ||
	bad "missing file: stderr '$(cat "$tmp/err")'"
out=$(printf 'load 0x1000 1\nexpect outcome ok\n' | "$fl" check -) || bad "stdin does not pass"
[ "$out" = "<stdin>: ok (2 statements)" ] || bad "stdin: '$out'"

# The first bad file stops the command.
"$fl" check "$tmp/verb.fl" examples/btrfs-livelock.fl >"$tmp/out" 2>/dev/null
[ ! -s "$tmp/out" ] || bad "check went on after a bad file"

exit $fail
