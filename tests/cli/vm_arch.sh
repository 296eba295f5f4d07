#!/bin/sh
# tests/cli/vm_arch.sh FAULTLINE - the model's claims for i386, 32-bit arm
# and riscv64 judged on Debian's real kernels for them under QEMU
# (docs/arch.md "Judged on real kernels", docs/vm.md):
#   - the guest programs of each arch were built (its cross compiler was
#     installed at build time) and `kernels list` says where they are;
#   - the Rutland matrix for sizes 0..16 at system-call level agrees with
#     the model at the guest's version, case by case, on debian-6.1-i386
#     (copy_from_user's no-progress: pwrite spins in 30 cases on both
#     sides), and the model named is i386's;
#   - a few tests/vm scenarios judged in the same guest (`diff --kernel`)
#     agree or are counted skips; among them perform-write.fl, whose
#     spinning write the watchdog kills with its process: what that
#     process would run next must be counted as not run on both sides
#     (docs/vm.md), not compared against the model's live process.
# A kernel not in the cache is fetched once (`faultline kernels fetch`);
# one that cannot be fetched or booted here, or an arch whose guest
# programs were not built, is a skip naming the reason: the test then
# exits 77 (CTest counts a skip), never 0 for what it did not check.
# FL_VM_FULL=1 (make test-vm): the whole matrix, the whole tests/vm
# corpus and the GUP peer files through our pin module (none skipped)
# on every i386, armhf and riscv64 kernel Debian has; on armhf
# the matrix stops at size 40, said and counted ("LIMITED"): its ~8,000
# spinning pwrites cost 200 ms of guest CPU each under TCG, about 40
# minutes a kernel (docs/vm.md).
set -u
fl=${1:?usage: vm_arch.sh path/to/faultline}
fail=0
skipped=0
bad() { echo "FAIL: $*" >&2; fail=1; }
skip() { echo "SKIP: $*"; skipped=$((skipped + 1)); }
limited=0
limit() { echo "LIMITED: $*"; limited=$((limited + 1)); }

list=$("$fl" kernels list) || bad "kernels list: exit $?"

# The guest programs of the arch whose model word is $1: 0, or 1 with the skip said.
have_guest() {
	line=$(echo "$list" | grep -A1 "^  $1 ")
	case $line in
	*"init, fl-agent"*) return 0 ;;
	*) skip "no $1 guest programs: $(echo "$line" | tr -s ' ' | tr '\n' ';')"; return 1 ;;
	esac
}

# have_kernel, judge and judge_diff.
. "$(dirname "$0")/../vm/judge.sh"

# The smoke part judges i386; the full run adds armhf and riscv64
# (docs/arch.md "i386, arm and riscv64 judged on real kernels").
smoke="tests/vm/uffd-features.fl tests/vm/hole-read.fl tests/vm/mremap-efault.fl
       tests/vm/cow-vmsplice-mprotect.fl"
for kw in debian-6.1-i386:i386 debian-6.1-armhf:arm debian-6.12-riscv64:riscv64; do
	k=${kw%%:*} word=${kw#*:}
	if [ "${FL_VM_FULL:-0}" = 1 ]; then
		have_guest "$word" || continue
		for n in $(echo "$list" | awk -v a="-${k##*-}\$" '$1 ~ a { print $1 }'); do
			size=128
			if [ "$word" = arm ]; then
				size=40
				limit "$n: matrix sizes 41..128 not judged (spinning pwrites: ~40 min under TCG)"
			fi
			judge "$n" "$size" "$word"
			judge_diff "$n" "[0-9.]* on $word," tests/vm/*.fl
			if pin_ready "$n"; then
				# shellcheck disable=SC2086
				judge_diff "$n" "[0-9.]* on $word," $pins
				pin_judged "$n"
			fi
		done
		continue
	fi
	[ "$word" = i386 ] || continue
	have_guest "$word" || continue
	judge "$k" 16 "$word" 25
	out=
	# shellcheck disable=SC2086
	judge_diff "$k" "[0-9.]* on $word," $smoke tests/vm/perform-write.fl
	case $out in
	*"agree  tests/vm/perform-write.fl"*)
		echo "$out" | grep -A2 "^agree  tests/vm/perform-write.fl" |
			grep -q "not run: [1-9][0-9]* statements after the timeout (process p's call at line 21" ||
			bad "diff --kernel $k: perform-write.fl: no statements counted as not run after the timeout: $out" ;;
	esac
done

[ $fail -eq 0 ] || exit 1
[ $limited -eq 0 ] || echo "vm_arch.sh: $limited part(s) limited (LIMITED above)"
if [ $skipped -gt 0 ]; then
	echo "vm_arch.sh: $skipped part(s) skipped"
	exit 77
fi
exit 0
