#!/bin/sh
# scripts/stress-host.sh FAULTLINE [ROUNDS] [JOBS] - the host corpus
# (tests/host/*.fl) through `faultline diff` ROUNDS times (default 50),
# JOBS at once (default 4): a race between the model's and the kernel's
# answers, or in the host backend itself, shows up as a disagreement in
# one run of many (issue 13: uffd_mremap.fl, 1 run in 40 under ASan).
# Run on demand (`make stress-host`, under the ASan build), not in CI.
#
# Each run is one file.  The counts are runs that agree, disagree, skip
# (a refusal, e.g. no userfaultfd permission) or end in error (no summary
# line: a crash, a sanitizer report).  Exit 1 on any disagreement or
# error, printing each such run's output; else 0.
set -u

# A worker: `stress-host.sh --one FAULTLINE TMP ROUND FILE` runs FILE once
# and appends "VERDICT FILE OUTPUT" to TMP/verdicts (one line of under
# PIPE_BUF bytes: parallel appends do not interleave).
if [ "${1:-}" = --one ]; then
	fl=$2 tmp=$3 round=$4 file=$5
	out="$tmp/out.$round.$(echo "$file" | tr / _)"
	"$fl" diff "$file" >"$out" 2>&1
	case $(grep -E '^[0-9]+ agree, [0-9]+ disagree, [0-9]+ skipped$' "$out") in
	'1 agree, 0 disagree, 0 skipped') v=agree ;;
	'0 agree, 1 disagree, 0 skipped') v=disagree ;;
	'0 agree, 0 disagree, 1 skipped') v=skip ;;
	*) v=error ;;
	esac
	if grep -q 'Sanitizer' "$out"; then v=error; fi
	echo "$v $file $out" >>"$tmp/verdicts"
	case $v in agree|skip) rm -f "$out" ;; esac
	exit 0
fi

fl=${1:?usage: stress-host.sh path/to/faultline [ROUNDS] [JOBS]}
rounds=${2:-50}
jobs=${3:-4}
set -- tests/host/*.fl
[ -e "$1" ] || { echo "stress-host: no tests/host/*.fl (run it from the source tree)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/verdicts"

start=$(date +%s)
round=1
while [ "$round" -le "$rounds" ]; do
	for f in "$@"; do echo "$round $f"; done
	round=$((round + 1))
done | xargs -P "$jobs" -n 2 sh "$0" --one "$fl" "$tmp"
secs=$(($(date +%s) - start))

count() { grep -c "^$1 " "$tmp/verdicts"; }
want=$(($# * rounds))
runs=$(wc -l <"$tmp/verdicts")
agree=$(count agree) disagree=$(count disagree) skip=$(count skip) error=$(count error)
echo "stress-host: $# files x $rounds rounds, $jobs at once, ${secs} s: $runs runs," \
	"$agree agree, $disagree disagree, $skip skipped, $error error"
if [ "$skip" -gt 0 ]; then
	echo "skipped (runs, file):"
	grep '^skip ' "$tmp/verdicts" | cut -d' ' -f2 | sort | uniq -c
fi
grep -E '^(disagree|error) ' "$tmp/verdicts" | while read -r v f out; do
	echo "--- $v: $f"
	cat "$out"
done
if [ "$runs" -ne "$want" ]; then
	echo "stress-host: $runs runs reported of $want"
	exit 1
fi
[ "$disagree" -eq 0 ] && [ "$error" -eq 0 ]
