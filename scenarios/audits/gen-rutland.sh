#!/bin/sh
# gen-rutland.sh - write the Rutland-matrix audit templates
# (scenarios/audits/rutland-ARCH[-KERNEL]-DIR.fl), one per architecture and
# direction, from one text, so the set is reproducible:
#     sh scenarios/audits/gen-rutland.sh [OUTDIR]
# See scenarios/audits/README.md.
set -eu
out=${1:-$(dirname "$0")}

# file name part, arch, kernel
targets="x86_64:x86_64:6.2 arm64:arm64:6.2 arm64-mte:arm64+mte:6.2
sparc64-adi:sparc64+adi:6.2 i386:i386:6.2 riscv64:riscv64:6.2 arm:arm:6.2
arm64-5.13:arm64:5.13"

why() {
	cat <<EOF
# Mark Rutland, "usercopy: generic tests + arm64 fixes" (LKML, March 2023):
# one read-write page at 2 MiB whose neighbours fault; every size 0..128 at
# every user offset in [-size, 0] and [4096-size, 4096]; raw copy result
# checked against the contract (include/linux/uaccess.h: ret = bytes NOT
# copied; exactly size-ret bytes from the start written, nothing else).
# Here the matrix is one exploration over (in, out) = (bytes of the buffer
# inside the page, bytes outside it): size = in+out, offset = 4096-in on the
# right edge and -(out+1) on the left, so that every expectation is exact:
# a byte-exact arch leaves ret = out (right) / ret = size (left).
# Rutland's 16770 cases are the in+out <= 128 triangle of the two calls.
EOF
}

header() { # title arch kernel
	echo "# $1"
	why
	echo "kernel $3"
	echo "arch $2"
	echo "vary in 0..128"
	echo "vary out 0..128"
	echo "mmap page 1p rw private at=0x200000"
}

for t in $targets; do
	name=${t%%:*}; rest=${t#*:}; arch=${rest%%:*}; kver=${rest#*:}

	f=$out/rutland-$name-to.fl
	{
	header "Rutland's matrix, $arch copy_to_user on $kver: is the count byte-exact, is nothing past it written?" "$arch" "$kver"
	cat <<'EOF'
poke page 1p fill=0x5a
# Right edge: $in bytes at the end of the page, $out bytes in the unmapped page after.
call copy_to_user page+4096-$in $in+$out src=seq
expect ret $out                     # byte-exact count (under-reporting: Linus accepts it, Rutland flagged it)
expect mem page+4096-$in $in seq    # every accessible byte holds the source
expect mem page 4096-$in unchanged  # nothing before the destination changed
# Left edge: $out+1 bytes in the unmapped page before, $in bytes at the start of the page.
call copy_to_user page-1-$out $out+1+$in src=seq
expect ret $out+1+$in               # a buffer starting in a faulting page copies nothing
expect mem page $in unchanged       # and writes nothing
EOF
	} > "$f"

	f=$out/rutland-$name-from.fl
	{
	header "Rutland's matrix, $arch copy_from_user on $kver: is the count byte-exact, are the reported bytes really copied?" "$arch" "$kver"
	cat <<'EOF'
poke page 1p seq
# Right edge: $in bytes at the end of the page, $out bytes in the unmapped page after.
call copy_from_user page+4096-$in $in+$out
expect ret $out                     # byte-exact count
expect kbuf 0 $in seq=4096-$in      # the reported bytes hold the user source (sparc64: over-report)
expect kbuf $in $out zero           # copy_from_user zero-fills the rest
# Left edge: $out+1 bytes in the unmapped page before, $in bytes at the start of the page.
call copy_from_user page-1-$out $out+1+$in
expect ret $out+1+$in
expect kbuf 0 $out+1+$in zero
EOF
	} > "$f"

	f=$out/rutland-$name-clear.fl
	{
	header "Rutland's matrix, $arch clear_user on $kver: is the count byte-exact, is nothing past it cleared?" "$arch" "$kver"
	cat <<'EOF'
poke page 1p fill=0x5a
# Right edge: $in bytes at the end of the page, $out bytes in the unmapped page after.
call clear_user page+4096-$in $in+$out
expect ret $out                     # byte-exact count
expect mem page+4096-$in $in zero   # every accessible byte cleared
expect mem page 4096-$in unchanged  # nothing before the destination changed
# Left edge: $out+1 bytes in the unmapped page before, $in bytes at the start of the page.
call clear_user page-1-$out $out+1+$in
expect ret $out+1+$in
expect mem page $in unchanged
EOF
	} > "$f"
done
