#!/bin/sh
# gen-fault-in.sh - write the fault-in audit templates
# (scenarios/audits/fault-in/LOOP-ARCH-KERNEL.fl): every kernel loop the
# model has (btrfs search_ioctl, write() through generic_perform_write,
# x86 restore_fpregs) and the fault_in_* helpers they call, x architecture
# (x86_64, arm64+mte, sparc64+adi) x the kernel versions where a rule
# changes, with one bad granule (MTE 16 bytes, ADI 64 bytes) or one bad page
# (x86_64: nothing finer than a page faults) at every position of a 3-page
# buffer.  `kernel` and `arch` are not variables, so each combination is a
# file; this script is the one place they are listed:
#     sh scenarios/audits/gen-fault-in.sh [OUTDIR]
# See scenarios/audits/README.md.
set -eu
out=${1:-$(dirname "$0")/fault-in}
mkdir -p "$out"
rm -f "$out"/*.fl

archs="x86_64 arm64+mte sparc64+adi"
btrfs_kernels="5.8 5.9 5.18 5.19 6.15"
write_kernels="4.7 5.13 5.14 5.16 5.18 6.15"
fpu_kernels="5.13 5.14 5.16 6.6 6.6.18 6.7 6.8"
helper_kernels="5.15 5.16 5.17 5.19 6.15"

slug() { echo "$1" | tr '+' '-'; }
granule() { case $1 in arm64+mte) echo 16 ;; sparc64+adi) echo 64 ;; *) echo 4096 ;; esac; }

# The bad spot and the variables.  Sub-page arches: one granule tagged at
# buf + $pg + $off, the whole 3-page buffer passed.  x86_64: page $pg made
# PROT_NONE, and the buffer starts at buf + $off (0..4080) so that the
# fault-in's alignment rules are exercised.  First variable: x of the heatmap.
bad() { # arch
	g=$(granule "$1")
	if [ "$g" = 4096 ]; then
		cat <<'EOF'
vary off 0..4080 step=16
vary pg 0..8192 step=4096
mmap buf 3p rw private
poke buf 3p fill=0x41
mprotect buf+$pg 1p none
EOF
	else
		cat <<EOF
vary off 0..$((4096 - g)) step=$g
vary pg 0..8192 step=4096
mmap buf 3p rw private
poke buf 3p fill=0x41
tag buf+\$pg+\$off $g 3
EOF
	fi
}
# the user buffer the loop is given
range() { # arch
	if [ "$(granule "$1")" = 4096 ]; then echo 'buf+$off 12288-$off'; else echo 'buf 3p'; fi
}
what() { # arch
	case $1 in
	x86_64) echo "one PROT_NONE page (\$pg) under a buffer starting at buf+\$off" ;;
	*) echo "one tagged $(granule "$1")-byte granule at buf+\$pg+\$off" ;;
	esac
}

for a in $archs; do
	for k in $btrfs_kernels; do
		f=$out/btrfs-$(slug "$a")-$k.fl
		{
		echo "# btrfs search_ioctl, $a, kernel $k: $(what "$a") of a 3-page result buffer: returns or live-locks?"
		cat <<'EOF'
# Catalin Marinas, "btrfs: Avoid live-lock in search_ioctl() on hardware
# with sub-page faults" (LKML, 2021-2022; 18788e34642e, 5.19): from 5.9
# (a48b73eca4ce, 1c78544eaa46) the ioctl faults in with fault_in_writeable
# (one byte per page) and copies with copy_to_user_nofault; a fault the
# probe cannot see (an MTE/ADI granule mid-page) makes it retry forever.
# Linus asked whether btrfs was the only such loop: this audit asks the
# model at every position.  Before 5.9: plain copy_to_user, no loop.
EOF
		echo "kernel $k"
		echo "arch $a"
		bad "$a"
		echo "call btrfs_search_ioctl $(range "$a")"
		echo "expect outcome ok            # forward progress"
		echo "expect ret -EFAULT           # the bad spot is reported (the buffer cannot be filled past it)"
		} > "$f"
	done
	for k in $write_kernels; do
		f=$out/write-$(slug "$a")-$k.fl
		{
		echo "# write() to ext4 through generic_perform_write, $a, kernel $k: $(what "$a") of a 3-page source: progress or live-lock?"
		cat <<'EOF'
# generic_perform_write faults the source in, then copies under the folio
# lock with page faults disabled; ext4's write_end (block_write_end)
# rejects a short copy into a folio that is not uptodate.  Up to 5.13 the
# retry shrinks to the rest of the page, and the probe (one byte per page)
# never sees a sub-page fault: live-lock.  5.14 (bc1bb416bbb9) retries with
# bytes = copied; 5.16 (a6294593e8a1) fault_in_iov_iter_readable; 5.18
# (631f871f0717) fails only when nothing faults in; 6.15 (665575cff098)
# faults in only after a failed copy.  kernel-facts.md §2.
EOF
		echo "kernel $k"
		echo "arch $a"
		echo "file f 0 fs=ext4"
		bad "$a"
		echo "call write f $(range "$a")"
		echo "expect outcome ok            # forward progress"
		} > "$f"
	done
	for k in $helper_kernels; do
		f=$out/helpers-$(slug "$a")-$k.fl
		{
		echo "# fault_in_* helpers, $a, kernel $k: does each see $(what "$a") of a 3-page buffer?"
		cat <<'EOF'
# A fault-in / atomic-copy loop makes progress only if the fault-in reports
# the fault the copy will hit (Catalin's rule, kernel-facts.md §2).  Each
# helper is asked to report the bytes NOT faulted in (5.16+, bb523b406c84)
# or -EFAULT (<= 5.15, all-or-nothing): an expectation failing here is a
# helper blind to that fault.  5.17-rc8 (fe673d3f5bf1) .. 6.15-rc3
# (8c03ebd7cdc0): fault_in_safe_writeable returned 0 for a partial failure.
# 5.19 (da32b5817253): fault_in_subpage_writeable (arm64 MTE probe only;
# sparc64 ADI has no sub-page probe).
EOF
		echo "kernel $k"
		echo "arch $a"
		bad "$a"
		r=$(range "$a")
		case $k in
		5.15)
			# all-or-nothing: the bad spot is inside, so -EFAULT
			echo "call fault_in_readable $r"
			echo "expect ret -EFAULT"
			echo "call fault_in_writeable $r"
			echo "expect ret -EFAULT" ;;
		*)
			if [ "$(granule "$a")" = 4096 ]; then
				# bytes from the bad page on; when the bad page is the first (pg 0) the whole size
				exp='one-of ret=12288-$pg ret=12288-$off'
			else
				exp='ret 12288-$pg-$off'
			fi
			for h in fault_in_readable fault_in_writeable fault_in_safe_writeable; do
				echo "call $h $r"
				echo "expect $exp"
			done
			case $k in 5.15|5.16|5.17) ;; *)
				echo "call fault_in_subpage_writeable $r"
				echo "expect $exp" ;;
			esac ;;
		esac
		} > "$f"
	done
done

for k in $fpu_kernels; do
	f=$out/fpu-x86_64-$k.fl
	{
	echo "# x86 restore_fpregs (sigreturn), kernel $k: a frame claiming 576 bytes at every 16-byte position of 3 pages, one unmapped: returns or live-locks?"
	cat <<'EOF'
# restore_fpregs_from_user (5.14, fcb3635f5018) retries XRSTOR after
# faulting in the frame's claimed size (fx_sw->xstate_size, user
# controlled); XRSTOR reads fpstate->user_size (832 here).  When the 576
# claimed bytes fault in and the 832 read does not: endless loop,
# CVE-2024-26603, fixed by d877550eaf2d (6.8-rc4; 5.15.150, 6.1.79,
# 6.6.18, 6.7.6).  Before 5.14: one try, then the slow path.
EOF
	echo "kernel $k"
	echo "arch x86_64"
	echo 'vary pos 0..11455 step=16'
	echo 'vary pg 0..8192 step=4096'
	echo 'mmap buf 3p rw private'
	echo 'poke buf 3p zero'
	echo 'munmap buf+$pg 1p'
	echo 'call restore_fpregs buf+$pos 576 xrstor=832'
	echo 'expect outcome ok            # forward progress'
	} > "$f"
done
