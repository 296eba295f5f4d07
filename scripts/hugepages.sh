#!/bin/sh
# scripts/hugepages.sh reserve|restore STATE - the hugetlb pool the host
# backend's hugetlb scenarios take their pages from (docs/host.md, "Huge
# pages").  vm.nr_hugepages is 0 by default; a scenario with a hugetlb
# mapping or file is then refused as "skipped (needs huge pages)".
#
#   reserve  raise vm.nr_hugepages so that WANT (default 8) pages are free,
#            writing the old value to STATE; where that is not permitted
#            (not root, a read-only /proc/sys) say so and change nothing:
#            the hugetlb scenarios are then skips that name the reason.
#   restore  put back the value STATE holds, if reserve changed it.
#
# CTest runs it as the fixture hugepages (CMakeLists.txt) around the tests
# that run hugetlb scenarios on the host.
set -u
cmd=${1:?usage: hugepages.sh reserve|restore STATE}
state=${2:?usage: hugepages.sh reserve|restore STATE}
want=${FL_HUGEPAGES:-8}
knob=/proc/sys/vm/nr_hugepages

case $cmd in
reserve)
	rm -f "$state"
	old=$(cat "$knob" 2>/dev/null) || { echo "hugepages: no $knob: hugetlb scenarios skip"; exit 0; }
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	[ "${free:-0}" -ge "$want" ] && { echo "hugepages: $free free already"; exit 0; }
	new=$((old + want - ${free:-0}))
	if ! (echo "$new" >"$knob") 2>/dev/null; then
		echo "hugepages: cannot write $knob (not root?): hugetlb scenarios skip"
		exit 0
	fi
	echo "$old" >"$state"
	echo "hugepages: vm.nr_hugepages $old -> $(cat "$knob")"
	;;
restore)
	[ -f "$state" ] || exit 0
	old=$(cat "$state")
	echo "$old" >"$knob" && rm -f "$state"
	echo "hugepages: vm.nr_hugepages back to $(cat "$knob")"
	;;
*)
	echo "usage: hugepages.sh reserve|restore STATE" >&2
	exit 2
	;;
esac
