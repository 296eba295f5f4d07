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

# The table lines (`#: summary`, `#: cases`, docs/scenario-language.md) of
# rutland-NAME-DIR.fl: what the row of `make run` says, and the counts the
# exploration gives, as this audit found them (README.md, "Explore").
stated() { # name dir
	case $1-$2 in
	x86_64-to) s="x86_64 copy_to_user is byte-exact at both page edges" c="pass=16641" ;;
	x86_64-from) s="x86_64 copy_from_user is byte-exact at both page edges" c="pass=16641" ;;
	x86_64-clear) s="x86_64 clear_user is byte-exact at both page edges" c="pass=16641" ;;
	arm64-to) s="arm64 copy_to_user under-reports and writes past the count (4081/16 returns 15)"
		c="pass=1545 expect-failed=15096" ;;
	arm64-from) s="arm64 copy_from_user under-reports in a few straddles" c="pass=16567 expect-failed=74" ;;
	arm64-clear) s="arm64 clear_user under-reports; some straddles clear nothing" c="pass=2309 expect-failed=14332" ;;
	arm64-mte-to) s="arm64+mte copy_to_user under-reports and writes past the count, as arm64"
		c="pass=1545 expect-failed=15096" ;;
	arm64-mte-from) s="arm64+mte copy_from_user under-reports in a few straddles" c="pass=16567 expect-failed=74" ;;
	arm64-mte-clear) s="arm64+mte clear_user under-reports; some straddles clear nothing" c="pass=2309 expect-failed=14332" ;;
	arm64-5.13-to) s="arm64 before 295cf156231c: copy_to_user under-reports, clobbers, can make no progress"
		c="pass=1417 expect-failed=15224" ;;
	arm64-5.13-from) s="arm64 5.13 copy_from_user under-reports in a few straddles" c="pass=16553 expect-failed=88" ;;
	arm64-5.13-clear) s="arm64 5.13 clear_user reports nothing cleared on any fault, though up to 8 bytes were" c="pass=257 expect-failed=16384" ;;
	sparc64-adi-to) s="sparc64+adi copy_to_user is byte-exact at both page edges" c="pass=16641" ;;
	sparc64-adi-from) s="sparc64 copy_from_user over-reports: claims bytes it never stored (4095/2)"
		c="pass=257 over-report=16384" ;;
	sparc64-adi-clear) s="sparc64+adi clear_user is byte-exact at both page edges" c="pass=16641" ;;
	i386-to) s="i386 copy_to_user is byte-exact at both page edges" c="pass=16641" ;;
	i386-from) s="i386 copy_from_user loads words: no byte guaranteed (4093/8 returns 8)" c="pass=4461 expect-failed=12180" ;;
	i386-clear) s="i386 clear_user under-reports; some straddles clear nothing" c="pass=4449 expect-failed=12192" ;;
	riscv64-to) s="riscv64 copy_to_user guarantees no byte at a straddle (4095/2 returns 2)" c="pass=257 expect-failed=16384" ;;
	riscv64-from) s="riscv64 copy_from_user guarantees no byte at a straddle (4095/2 returns 2)" c="pass=257 expect-failed=16384" ;;
	riscv64-clear) s="riscv64 clear_user guarantees no byte at a straddle" c="pass=257 expect-failed=16384" ;;
	arm-to) s="arm copy_to_user under-reports and writes past the count" c="pass=7149 expect-failed=9492" ;;
	arm-from) s="arm copy_from_user under-reports; no byte of progress guaranteed" c="pass=2629 expect-failed=14012" ;;
	arm-clear) s="arm clear_user guarantees no byte at a straddle" c="pass=257 expect-failed=16384" ;;
	*) echo "gen-rutland.sh: nothing stated for $1-$2" >&2; exit 1 ;;
	esac
	echo "#: summary $s"
	echo "#: cases $c"
}

header() { # title arch kernel name dir
	echo "# $1"
	stated "$4" "$5"
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
	header "Rutland's matrix, $arch copy_to_user on $kver: is the count byte-exact, is nothing past it written?" "$arch" "$kver" "$name" "to"
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
	header "Rutland's matrix, $arch copy_from_user on $kver: is the count byte-exact, are the reported bytes really copied?" "$arch" "$kver" "$name" "from"
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
	header "Rutland's matrix, $arch clear_user on $kver: is the count byte-exact, is nothing past it cleared?" "$arch" "$kver" "$name" "clear"
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
