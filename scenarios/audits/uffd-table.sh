#!/bin/sh
# uffd-table.sh [FAULTLINE] - what a handler sees in each userfaultfd race
# template of scenarios/audits/uffd/: every case is run with its vary lines
# pinned (`vary x V..V`, as `faultline explore` prints a case), and the
# distinct UFFDIO_COPY answers (ret/errno, copy field) are listed with the
# cases that gave them.  The README's table is this script's output.
set -eu
fl=${1:-faultline}
dir=$(dirname "$0")/uffd
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
for f in "$dir"/*.fl; do
	vars=$(sed -n 's/^vary \([a-z]*\) \([0-9p]*\)\.\.\([0-9p]*\) step=\(.*\)/\1:\2:\3:\4/p; s/^vary \([a-z]*\) \([0-9p]*\)\.\.\([0-9p]*\)$/\1:\2:\3:1/p' "$f")
	v1=$(echo "$vars" | sed -n 1p); v2=$(echo "$vars" | sed -n 2p)
	num() { case $1 in *p) echo $(( ${1%p} * 4096 )) ;; *) echo "$1" ;; esac; }
	n1=${v1%%:*}; r=${v1#*:}; a1=$(num ${r%%:*}); r=${r#*:}; b1=$(num ${r%%:*}); s1=$(num ${r#*:})
	# a template with one variable gets a second one of one value
	[ -n "$v2" ] || v2=none:0:0:1
	n2=${v2%%:*}; r=${v2#*:}; a2=$(num ${r%%:*}); r=${r#*:}; b2=$(num ${r%%:*}); s2=$(num ${r#*:})
	: > "$tmp"
	x=$a1
	while [ "$x" -le "$b1" ]; do
		y=$a2
		while [ "$y" -le "$b2" ]; do
			ans=$(sed "s/^vary $n1 .*/vary $n1 $x..$x/; s/^vary $n2 .*/vary $n2 $y..$y/" "$f" |
			      "$fl" run - 2>&1 | sed -n 's/.*call uffd_copy.*(UFFDIO_COPY: \(.*\))$/\1/p' | head -1)
			xs=$x
			echo "$ans|$n1=$xs $n2=$y" >> "$tmp"
			y=$((y + s2))
		done
		x=$((x + s1))
	done
	printf '%s\n' "$(basename "$f" .fl):"
	sort "$tmp" | awk -F'|' '{ if ($1 != prev) { if (NR > 1) printf "\n"; printf "    %s: %s", $1, $2; prev = $1; n = 1 } else if (n++ < 3) printf ", %s", $2; else if (n == 5) printf ", ..." } END { printf "\n" }'
done
