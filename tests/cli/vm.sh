#!/bin/sh
# tests/cli/vm.sh FAULTLINE - real kernels under QEMU as judges (docs/vm.md),
# the smoke suite of `make test`:
#   - bad names and paths are usage errors (exit 2), with no download;
#   - one arm64 and one x86_64 Debian kernel judge the Rutland matrix for
#     sizes 0..16 at system-call level and agree with the model for their
#     /proc/version on every case (debian-5.10-arm64: both 5.14 eras it
#     lacks; debian-6.1-amd64: clear_user chosen by the judge's CPU);
#   - the same two kernels judge a few tests/vm scenarios through the agent
#     in the guest (`diff --kernel`, one boot each), the model following
#     their version and arch: every file agrees;
#   - a guest whose /init exits is reported as a kernel panic, with the
#     guest's last console lines up to the panic's;
#   - `run --backend vm:` names the guest's kernel, not this machine's;
#   - tag, poison and the btrfs search ioctl run in an arm64 MTE guest and
#     agree with the model (`diff`);
#   - cow.c's long-term pins run in a guest through our pin module and
#     agree with the model (`diff`), none skipped, a tmpfile's on the
#     guest's ext4 disk.
# A kernel that is not in the cache is fetched (`faultline kernels fetch`,
# once: ${FL_KERNEL_CACHE:-~/.cache/faultline/kernels}).  If it cannot be
# fetched or booted here (offline, no QEMU, no cross-compiler) its part is
# a counted skip naming the reason, never a pass and never a failure.
# FL_VM_FULL=1 (make test-vm) runs the whole matrix (sizes 0..128) on all
# six kernels, and the spinning guest that the watchdog must kill, and
# the soft-dirty peer files on the three amd64 kernels, and the socket
# pair cases on nine guests, the pipe, splice and vmsplice files on the
# amd64 kernels, and every peer translation on 5.10-amd64 and 6.12-arm64.
set -u
fl=${1:?usage: vm.sh path/to/faultline}
fail=0
skipped=0
bad() { echo "FAIL: $*" >&2; fail=1; }
skip() { echo "SKIP: $*"; skipped=$((skipped + 1)); }

# 1. Input errors: exit 2, one line naming the problem.
out=$("$fl" kernels fetch debian-9-arm64 2>&1)
[ $? -eq 2 ] || bad "kernels fetch of an unknown name: want exit 2: $out"
echo "$out" | grep -q "'debian-9-arm64' is not a known kernel" || bad "no reason given: $out"
out=$("$fl" exactness --kernel debian-9-arm64 2>&1)
[ $? -eq 2 ] || bad "exactness --kernel debian-9-arm64: want exit 2: $out"
out=$("$fl" exactness --kernel ./no/such/Image 2>&1)
[ $? -eq 2 ] || bad "exactness --kernel of a missing file: want exit 2: $out"
out=$("$fl" exactness --kernel ./README.md 2>&1)
[ $? -eq 2 ] || bad "exactness --kernel of a text file: want exit 2: $out"
echo "$out" | grep -q "not an arm64 or riscv64 Image, an x86 bzImage nor an arm zImage" || bad "no reason given: $out"
out=$("$fl" kernels 2>&1)
[ $? -eq 2 ] || bad "kernels without a subcommand: want exit 2"
out=$("$fl" diff --kernel debian-9-arm64 tests/vm/straddle.fl 2>&1)
[ $? -eq 2 ] || bad "diff --kernel debian-9-arm64: want exit 2: $out"
out=$("$fl" run --backend vm:./no/such/Image tests/vm/straddle.fl 2>&1)
[ $? -eq 2 ] || bad "run --backend vm: of a missing file: want exit 2: $out"
echo "$out" | grep -q "no/such/Image: no such file" || bad "no reason given: $out"

# have_kernel, judge (2. the matrix on a real kernel agrees with the
# model, case by case) and judge_diff (3. scenarios judged in the guest).
. "$(dirname "$0")/../vm/judge.sh"

# The GUP calls through our pin module (docs/vm.md "The pin module"):
# cow.c's long-term R/O pin cases and uffd-unit-tests' wp-fork-pin ones
# ($pins, judge.sh), judged by the real kernel.  The module is built once
# per kernel (`faultline kernels pin`, from Debian's headers); one that
# cannot be built here is a counted skip naming why.

if [ "${FL_VM_FULL:-0}" = 1 ]; then
	for k in debian-5.10-arm64 debian-6.1-arm64 debian-6.12-arm64 \
		 debian-5.10-amd64 debian-6.1-amd64 debian-6.12-amd64; do
		judge "$k" 128
		judge_diff "$k" "" tests/vm/*.fl
		# every cow.c pin file, none skipped
		if pin_ready "$k"; then
			# shellcheck disable=SC2086
			judge_diff "$k" "" $pins
			pin_judged "$k"
		fi
	done
else
	judge debian-5.10-arm64 16
	judge debian-6.1-amd64 16
	smoke="tests/vm/straddle.fl tests/vm/perform-write.fl tests/vm/uffd-features.fl
	       tests/vm/cow-vmsplice-mprotect.fl tests/vm/arm64-mte-straddle.fl"
	# shellcheck disable=SC2086
	judge_diff debian-5.10-arm64 "5.10.223 on arm64+mte" $smoke
	# 6.1 keeps the zero-page and page-cache R/O pins unreliable
	# (84209e87c696 is 6.2): two such pins and an anon one, judged, and
	# a tmpfile's on the guest's ext4 disk, and hugetlb's two pages (a
	# private mapping's own, and the cache's) in the guest's pool
	pinsmoke=""
	pin_ready debian-6.1-amd64 && pinsmoke="tests/peer/cow_zeropage_ro_pin.fl
		tests/peer/cow_memfd_ro_fast_pin.fl tests/peer/cow_anon_ro_pin_on_shared.fl
		tests/peer/cow_tmpfile_ro_pin.fl tests/vm/hugetlb-private-read-order.fl"
	# shellcheck disable=SC2086
	judge_diff debian-6.1-amd64 "6.1.176 on x86_64" $smoke $pinsmoke
	[ -z "$pinsmoke" ] || pin_judged debian-6.1-amd64
fi

# 4. The watchdog: init exits -> panic (exit 1, said so).
if have_kernel debian-6.1-amd64; then
	out=$("$fl" kernels boot debian-6.1-amd64 --job exit 2>&1)
	rc=$?
	if [ $rc -eq 3 ]; then
		skip "debian-6.1-amd64 cannot boot here: $(echo "$out" | tail -n 1)"
	else
		[ $rc -eq 1 ] || bad "a guest whose init exits: want exit 1: $out"
		echo "$out" | grep -q "^outcome: panic after .*Attempted to kill init" ||
			bad "init exiting is not reported as a panic: $out"
		# the cause is named by the guest's own last lines, up to the panic's
		echo "$out" | grep -q "^outcome: panic after [0-9.]* s: the kernel panicked; the guest's console ended: .*FL:HELLO x86_64 | .*| \[ *[0-9.]*\] Kernel panic - not syncing: Attempted to kill init! exitcode=[0-9a-fx]*$" ||
			bad "the panic's message does not carry the guest's last console lines: $out"
	fi
fi
# ... and an agent's guest that panics before its agent starts (no /init:
# the kernel cannot mount a root) is named by its console in the runner's
# message (full run only: one more boot).
if [ "${FL_VM_FULL:-0}" = 1 ] && have_kernel debian-6.1-amd64; then
	out=$(FL_VM_APPEND=rdinit=/nonexistent "$fl" diff --kernel debian-6.1-amd64 tests/vm/hole-read.fl 2>&1)
	[ $? -eq 3 ] || bad "an agent's guest that panics: want exit 3: $out"
	echo "$out" | grep -q "diff: the judge did not start: agent .* stopped answering: it exited: QEMU ended before the agent started; the guest's console ended: .*Kernel panic - not syncing: VFS: Unable to mount root fs" ||
		bad "an agent's guest that panics: its console is not in the message: $out"
	# said once: by the runner, not also by the agent it started
	[ "$(echo "$out" | grep -c "QEMU ended before the agent started")" = 1 ] ||
		bad "an agent's guest that panics: its reason is printed more than once: $out"
fi
# ... and a spinning guest is killed and reported hung (full run only: it
# costs the whole timeout).
if [ "${FL_VM_FULL:-0}" = 1 ] && have_kernel debian-6.1-arm64; then
	out=$("$fl" kernels boot debian-6.1-arm64 --job spin --timeout 60 2>&1)
	[ $? -eq 1 ] || bad "a spinning guest: want exit 1: $out"
	echo "$out" | grep -q "^outcome: hung after 60" || bad "a spinning guest is not reported hung: $out"
fi

# 4b. run --backend vm: judges with the guest: `kernel host` is the guest's
#     version in the header and the verdict, not this machine's.  The
#     kernel named by its image's path has no modules (no --modules), so
#     6.1's virtio_console (a module there) is not loaded: the agent must
#     fall back to the console, and say so.
if have_kernel debian-6.1-amd64; then
	image=${FL_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline/kernels}/debian-6.1-amd64/vmlinuz
	out=$("$fl" run --backend "vm:$image" tests/vm/hole-read.fl 2>&1)
	rc=$?
	if [ $rc -eq 3 ] && echo "$out" | grep -q "the judge did not start"; then
		skip "debian-6.1-amd64: $(echo "$out" | grep 'the judge did not start')"
	else
		[ $rc -eq 0 ] || bad "run --backend vm:debian-6.1-amd64: exit $rc: $out"
		echo "$out" | grep -q "^== tests/vm/hole-read.fl  (kernel 6\.1\.[0-9]*, x86_64, host)" ||
			bad "run --backend vm: does not name the guest's kernel: $out"
		echo "$out" | grep -q "^faultline: kernels agent vmlinuz: frames on the console (the guest has no virtio_console)$" ||
			bad "a guest without virtio_console: the agent does not keep the console: $out"
	fi
fi

# 5. What only a guest runs (docs/vm.md): tag, poison and the btrfs search
#    on an arm64 guest with MTE, each compared with the model by `diff`.
#    On 6.1 the tagged search is -EFAULT on both sides; make test-vm adds
#    5.10, where the real ioctl never returns (timeout) and the model
#    proves the live-lock: the stalled guest costs the statement timeout.
guest_diff() {
	name=$1
	shift
	compared=0
	have_kernel "$name" || return 0
	out=$(FAULTLINE_HOST_TIMEOUT_MS=5000 "$fl" diff --kernel "$name" "$@" 2>&1)
	rc=$?
	if [ $rc -eq 3 ]; then
		skip "$name: $(echo "$out" | tail -n 1)"
		return 0
	fi
	[ $rc -eq 0 ] || { bad "diff on $name: exit $rc: $out"; return 0; }
	compared=1
	echo "$out" | grep -q "^$# agree, 0 disagree, 0 skipped$" ||
		bad "diff on $name: not every file agrees: $out"
	echo "$name: $(echo "$out" | tail -n 1)"
	echo "$out" | grep "livelock = timeout" || true
}
here=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(uname -m)" = x86_64 ]; then
	out=$(printf 'mmap b 1p rw private\ntag b 16 3\n' | "$fl" run --backend=host - 2>&1)
	[ $? -eq 3 ] || bad "tag on this machine: want exit 3 (unsupported): $out"
	echo "$out" | grep -q "memory tagging (MTE) is not on this machine" ||
		bad "the tag refusal names no reason: $out"
fi
guest_diff debian-6.1-arm64 "$here/tests/vm/guest-tag-poison.fl" "$here/tests/vm/btrfs-mte-search.fl" \
	"$here/tests/vm/guest-tag-readonly.fl" "$here/tests/vm/guest-poison-shmem.fl" \
	"$here/tests/vm/guest-tag-granules.fl"
if [ "${FL_VM_FULL:-0}" = 1 ]; then
	# the live-lock first: the stalled guest is restarted for the next file
	guest_diff debian-5.10-arm64 "$here/tests/vm/btrfs-mte-search.fl" \
		"$here/tests/vm/guest-tag-poison.fl"
	[ "$compared" = 0 ] || echo "$out" | grep -q "livelock = timeout: line [0-9]*: model: .*livelock.* | kernel: timeout" ||
		bad "5.10-arm64: the live-lock is not seen on both sides: $out"
	[ "$compared" = 0 ] || echo "$out" | grep -q "restarting it for the next scenario" ||
		bad "5.10-arm64: the stalled guest was not restarted: $out"
fi

# 6. The soft-dirty peer translations (tests/peer/soft_dirty_*.fl, full run
#    only).  They say `kernel 6.18` so that `make test` judges them with
#    the model for a usual 6.18 build: this machine's kernel has no
#    CONFIG_MEM_SOFT_DIRTY and the host skips them.  Debian's amd64 kernels
#    have it: each guest judges the same files as `kernel host`, at its own
#    version, and every file must agree (no skip).
if [ "${FL_VM_FULL:-0}" = 1 ]; then
	sd=$(mktemp -d)
	for f in "$here"/tests/peer/soft_dirty_*.fl; do
		sed 's/^kernel 6\.18$/kernel host/' "$f" >"$sd/${f##*/}"
	done
	nsd=$(ls "$sd" | wc -l)
	for k in debian-5.10-amd64 debian-6.1-amd64 debian-6.12-amd64; do
		have_kernel "$k" || continue
		out=$("$fl" diff --kernel "$k" "$sd"/*.fl 2>&1)
		rc=$?
		if [ $rc -eq 3 ] && echo "$out" | grep -q "the judge did not start"; then
			skip "$k: $(echo "$out" | grep 'the judge did not start')"
			continue
		fi
		[ $rc -eq 0 ] && echo "$out" | grep -q "^$nsd agree, 0 disagree, 0 skipped$" ||
			bad "soft-dirty peer files on $k: not all $nsd agree: $out"
		echo "$k soft-dirty peer files: $(echo "$out" | tail -n 1)"
	done
	rm -rf "$sd"
fi

# 7. Socket pairs, AF_UNIX and TCP (full run only): the host cases and
#    every peer translation that makes a pair, on the amd64 kernels, arm64
#    5.10, 6.1 and 6.12, riscv64 6.12 (where the model's stream chunk and
#    TCP frag are reasoned, not measured here), and the 32-bit i386 and
#    armhf 6.1, whose smaller wmem_default decides a datagram's EMSGSIZE
#    (docs/callers.md, "Sockets").
if [ "${FL_VM_FULL:-0}" = 1 ]; then
	for k in debian-5.10-amd64 debian-6.1-amd64 debian-6.12-amd64 debian-5.10-arm64 \
		 debian-6.1-arm64 debian-6.12-arm64 debian-6.12-riscv64 debian-6.1-i386 \
		 debian-6.1-armhf; do
		# shellcheck disable=SC2046
		judge_diff "$k" "" "$here"/tests/host/socket-*.fl \
			$(grep -l '^socketpair' "$here"/tests/peer/*.fl)
	done
fi

# 8. Pipes, splice, tee and vmsplice (full run only): the host files that
#    were measured on this machine's kernel alone (blocking pipes, close,
#    SIGPIPE, tee, the pipe mutex, vmsplice into a full pipe) and the
#    vmsplice peer translations, on the three amd64 kernels: the rules
#    hold unchanged from 5.10 (docs/callers.md, "Pipes that wait"); with
#    them the unnamed calls that resume and pagemap's PFN comparisons.
if [ "${FL_VM_FULL:-0}" = 1 ]; then
	for k in debian-5.10-amd64 debian-6.1-amd64 debian-6.12-amd64; do
		judge_diff "$k" "" "$here"/tests/host/pipe-*.fl "$here"/tests/host/uffd_resume_pipe.fl \
			"$here"/tests/host/splice-*.fl "$here"/tests/host/vmsplice*.fl \
			"$here"/tests/peer/ltp_vmsplice*.fl "$here"/tests/peer/cow_anon_vmsplice*.fl \
			"$here"/tests/host/uffd_unnamed_*.fl "$here"/tests/host/pagemap-pfn*.fl
	done
fi

# 9. Every peer translation (full run only), on an old amd64 kernel and
#    a new arm64 one: tests/peer says `kernel host`, so each file is
#    judged at the guest's own version.  This caught what the host alone
#    could not: a guest's initramfs had no /dev/userfaultfd node, so LTP
#    userfaultfd03/04 (`dev=on`) were ENOENT on every 6.x guest.
#    And every host case on riscv64, whose agent is linked at 0x10000
#    (two files took that address for one no vma covers), and on arm64
#    5.10, whose agent at 0x400000 a move's target unmapped there.
if [ "${FL_VM_FULL:-0}" = 1 ]; then
	for k in debian-5.10-amd64 debian-6.12-arm64; do
		judge_diff "$k" "" "$here"/tests/peer/*.fl
	done
	judge_diff debian-6.12-riscv64 "" "$here"/tests/host/*.fl
	judge_diff debian-5.10-arm64 "" "$here"/tests/host/*.fl
fi

# 10. getdents64 (full run only): the host cases and the gVisor and LTP
#     translations on 5.10, 6.1 and 6.12 amd64, 6.1 arm64 and i386: the
#     return values do not depend on the tmpfs's entry order, which differs
#     between eras (docs/callers.md, "Directories and getdents64").
if [ "${FL_VM_FULL:-0}" = 1 ]; then
	for k in debian-5.10-amd64 debian-6.1-amd64 debian-6.12-amd64 debian-6.1-arm64 \
		 debian-6.1-i386; do
		judge_diff "$k" "" "$here"/tests/host/getdents-*.fl "$here"/tests/peer/*getdents*.fl
	done
fi

[ $skipped -eq 0 ] || echo "vm.sh: $skipped part(s) skipped"
exit $fail
