# tests/vm/judge.sh - sourced by tests/cli/vm.sh and tests/cli/vm_arch.sh:
# one kernel fetched, its matrix and its scenarios judged.  The caller
# sets fl (the faultline binary) and defines bad() and skip(); every
# check here fails through bad() and every "cannot here" is a skip().

# kernels_do SUB NAME WHY: `faultline kernels SUB NAME`; 0, or 1 with the
# skip said (exit 3: NAME WHY) or the failure.
kernels_do() {
	out=$("$fl" kernels "$1" "$2" 2>&1)
	case $? in
	0) return 0 ;;
	3) skip "$2 $3: $(echo "$out" | tail -n 1)"; return 1 ;;
	*) bad "kernels $1 $2: $out"; return 1 ;;
	esac
}

# A kernel: fetched if need be; 0, or 1 with the skip said.
have_kernel() {
	kernels_do fetch "$1" "cannot be fetched or booted here"
}

# A kernel and our pin module for it (docs/vm.md "The pin module"), built
# if need be; 0, or 1 with the skip said.
pin_ready() {
	have_kernel "$1" && kernels_do pin "$1" "has no pin module here"
}

# The GUP peer files (cow.c's long-term pins, uffd-unit-tests' wp-fork-pin),
# and pin_judged NAME: the last judge_diff judged every pin statement (none
# refused for want of the module), every `file ... fs=ext4` (on the
# guest's ext4 disk, docs/vm.md) and every hugetlb file (in the guest's
# pool of hugepages=8).
pins=$(ls tests/peer/cow_*pin*.fl tests/peer/uffd_unit_wp_fork_pin*.fl)
pin_judged() {
	echo "$out" | grep "faultline_pin" && bad "$1: a pin statement was not judged: $out"
	echo "$out" | grep "are not on ext4" && bad "$1: an ext4 file was not judged: $out"
	echo "$out" | grep "needs huge pages" && bad "$1: a hugetlb file was not judged: $out"
}

# judge NAME SIZE [MODEL [TICKS]]: the matrix for sizes 0..SIZE on a real
# kernel agrees with the model (arch MODEL, a grep pattern), case by case,
# and states the guest's spin watchdog (TICKS: --watchdog-ticks, else 20)
# beside what the calls that returned took.
judge() {
	name=$1 size=$2 word=${3:-.*} ticks=${4:-}
	have_kernel "$name" || return 0
	out=$("$fl" exactness --kernel "$name" --max-size "$size" --verbose \
		${ticks:+--watchdog-ticks "$ticks"} 2>&1)
	rc=$?
	if [ $rc -eq 3 ]; then
		skip "$name: $(echo "$out" | tail -n 1)"
		return 0
	fi
	[ $rc -eq 0 ] || { bad "exactness --kernel $name (sizes 0..$size) exit $rc: $out"; return 0; }
	echo "$out" | grep -Eq "^total: [0-9]+ cases, agree [0-9]+, disagree 0$" ||
		bad "$name: not every case agrees: $out"
	echo "$out" | grep -q "^  model: $word at [0-9]" ||
		bad "$name: the model ($word) is not stated at the guest's version: $out"
	echo "$out" | grep -Eq "^guest watchdog: a call is killed after ${ticks:-20} ticks \([0-9]+ ms\) of CPU in one case; the calls that returned took at most: pread .* ms \(size [0-9]+ at -?[0-9]+, [0-9]+ ticks?\)," ||
		bad "$name: the guest's watchdog and its margin are not stated: $out"
	echo "$name: $(echo "$out" | grep '^total:')"
}

# judge_diff NAME WANT FILE...: scenarios judged in the guest: the judge is
# named "Linux WANT" (a grep pattern: version and arch), its frames go over
# the virtio port (every Debian kernel has virtio_console), and no file
# disagrees.  Skips are allowed (a file for another arch, a guest-only
# statement on amd64), each counted in the summary line.
judge_diff() {
	name=$1 want=$2
	shift 2
	have_kernel "$name" || return 0
	out=$("$fl" diff --kernel "$name" "$@" 2>&1)
	rc=$?
	if [ $rc -eq 3 ] && echo "$out" | grep -q "the judge did not start"; then
		skip "$name: $(echo "$out" | grep 'the judge did not start')"
		return 0
	fi
	echo "$out" | grep -q "^faultline: judge: Linux $want" ||
		bad "diff --kernel $name: the judge is not $want: $out"
	echo "$out" | grep -q "^faultline: kernels agent $name: frames on the virtio port fl.agent$" ||
		bad "diff --kernel $name: the agent does not serve its virtio port: $out"
	echo "$out" | grep -Eq "^[1-9][0-9]* agree, 0 disagree, [0-9]+ skipped$" ||
		bad "diff --kernel $name: $out"
	[ $rc -eq 0 ] || bad "diff --kernel $name: exit $rc: $out"
	echo "$name: $(echo "$out" | tail -n 1)"
}
