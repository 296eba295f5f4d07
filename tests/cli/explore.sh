#!/bin/sh
# tests/cli/explore.sh FAULTLINE - `faultline explore`, `run --case`,
# `merge`, `bench explore`: exit codes, the replay of a case equals the
# case explored, -j1 and -j2 give the same JSON, shards merged give the
# one run's JSON (also under GNU parallel), --svg
# writes an SVG that parses, --diff refuses what the host cannot run.
set -u
fl=${1:?usage: explore.sh path/to/faultline}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# A sweep whose middle cases live-lock (kernel 5.18, one bad MTE granule).
cat >"$tmp/sweep.fl" <<'FL'
# btrfs search ioctl, one bad granule
kernel 5.18
arch arm64+mte
vary page 0..4096 step=4096
vary off 0..0xff0 step=0x130
mmap buf 2p rw private
poke buf 2p zero
tag buf+$page+$off 16 3
call btrfs_search_ioctl buf 2p
FL
printf '# all pass\nvary n 1..8\nmmap buf 1p rw private\ncall copy_to_user buf $n\nexpect ret 0\n' >"$tmp/ok.fl"

# 1. Exit codes: 0 all pass, 1 a class failed, 2 usage, 2 a bad file.
"$fl" explore "$tmp/ok.fl" >"$tmp/out"; rc=$?
[ $rc -eq 0 ] || bad "all-pass explore exited $rc: $(cat "$tmp/out")"
grep -Eq '^  pass +8$' "$tmp/out" || bad "no pass count: $(cat "$tmp/out")"
"$fl" explore "$tmp/sweep.fl" >"$tmp/out"; rc=$?
[ $rc -eq 1 ] || bad "a live-locking sweep exited $rc, want 1"
grep -Eq '^  livelock +[0-9]+$' "$tmp/out" || bad "no livelock count: $(cat "$tmp/out")"
grep -q '^livelock: smallest case ' "$tmp/out" || bad "no smallest livelock case"
"$fl" explore --shard 2/2 "$tmp/ok.fl" 2>/dev/null; [ $? -eq 2 ] || bad "--shard 2/2 is a usage error"
"$fl" explore --seed 3 "$tmp/ok.fl" 2>/dev/null; [ $? -eq 2 ] || bad "--seed without --random is a usage error"
printf 'vary n 1..\n' >"$tmp/bad.fl"
"$fl" explore "$tmp/bad.fl" 2>/dev/null; [ $? -eq 2 ] || bad "a file that does not parse exits 2"

# 2. The smallest case, replayed with run --case, has the class's outcome,
#    and the minimal scenario printed runs to the same outcome.
n=$(sed -n 's/^livelock: smallest case \([0-9]*\) .*/\1/p' "$tmp/out")
[ -n "$n" ] || bad "no smallest case number"
"$fl" run --case "$n" "$tmp/sweep.fl" | grep -q 'livelock: btrfs' || bad "run --case $n is not a live-lock"
sed -n '/^livelock: smallest/,/^$/p' "$tmp/out" | sed -n '/minimal scenario:/,$p' | sed 1d >"$tmp/min.fl"
grep -q '^call btrfs_search_ioctl' "$tmp/min.fl" || bad "minimal scenario lost its call: $(cat "$tmp/min.fl")"
grep -q '^poke' "$tmp/min.fl" && bad "minimal scenario kept a poke that does not matter"
"$fl" explore --json "$tmp/min.fl" | grep -q '"counts":{"livelock":1}' || bad "minimal scenario is not a live-lock"
"$fl" run --case 999 "$tmp/sweep.fl" >/dev/null 2>&1; [ $? -eq 2 ] || bad "run --case past the end exits 2"
# every case's class in the JSON is the replay's: live-lock or not
"$fl" explore --json "$tmp/sweep.fl" >"$tmp/all.json"
python3 -c "import json,sys
for c in json.load(open(sys.argv[1]))['cases']: print(c[0], c[2])" "$tmp/all.json" |
while read -r k cls; do
	if "$fl" run --case "$k" "$tmp/sweep.fl" | grep -q 'livelock: btrfs'; then got=livelock; else got=pass; fi
	[ "$got" = "$cls" ] || echo "case $k: explored $cls, replayed $got"
done >"$tmp/mismatch"
[ -s "$tmp/mismatch" ] && bad "replays differ: $(cat "$tmp/mismatch")"

# 3. -j1 and -j2: the same JSON.
"$fl" explore --json -j1 "$tmp/sweep.fl" >"$tmp/j1.json"
"$fl" explore --json -j 2 "$tmp/sweep.fl" >"$tmp/j2.json"
cmp -s "$tmp/j1.json" "$tmp/j2.json" || bad "-j1 and -j2 differ"

# 4. Shards 0/2 and 1/2 merged: the one run's JSON.
"$fl" explore --json --shard 0/2 "$tmp/sweep.fl" >"$tmp/s0.json"
"$fl" explore --json --shard 1/2 "$tmp/sweep.fl" >"$tmp/s1.json"
"$fl" merge --json "$tmp/s0.json" "$tmp/s1.json" --scenario "$tmp/sweep.fl" >"$tmp/merged.json"
cmp -s "$tmp/j1.json" "$tmp/merged.json" || bad "merged shards differ from one run"
"$fl" merge --json -s "$tmp/sweep.fl" - "$tmp/s1.json" <"$tmp/s0.json" >"$tmp/merged2.json"
cmp -s "$tmp/j1.json" "$tmp/merged2.json" || bad "merge of '-' (standard input) and a file differs from one run"
"$fl" merge --json -s "$tmp/sweep.fl" "$tmp/s0.json" >/dev/null 2>"$tmp/err"
grep -q '1 of 2 shards not given (1/2)' "$tmp/err" || bad "a missing shard is not reported: $(cat "$tmp/err")"
"$fl" merge --scenario="$tmp/sweep.fl" "$tmp/s1.json" "$tmp/s0.json" | grep -q '^livelock: smallest case' ||
	bad "merge prints no report"

# 4b. merge and bad results: it never opens a path a result names, refuses
#     case numbers outside the space, warns once whatever the shard count.
"$fl" merge "$tmp/s0.json" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || bad "merge without --scenario: want exit 2"
grep -q 'opens no path a result names' "$tmp/err" || bad "merge without --scenario: $(cat "$tmp/err")"
space=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["space"])' "$tmp/s0.json")
for n in 9223372036854775807 "$space" 1.5 -1; do
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["cases"][0][0]=json.loads(sys.argv[2]); print(json.dumps(d))' \
		"$tmp/s0.json" "$n" >"$tmp/badcase.json"
	"$fl" merge -s "$tmp/sweep.fl" "$tmp/badcase.json" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || bad "merge of case number $n: exit $rc, want 2"
	grep -q 'its number is not a whole number from 0 to' "$tmp/err" || bad "case number $n: $(cat "$tmp/err")"
done
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["shard"]=[0,1000000]; print(json.dumps(d))' \
	"$tmp/s0.json" >"$tmp/huge.json"
"$fl" merge -s "$tmp/sweep.fl" "$tmp/huge.json" >/dev/null 2>"$tmp/err"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || bad "a huge shard count: $(wc -l <"$tmp/err") warning lines, want 1"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["shard"]=[1,4]; print(json.dumps(d))' \
	"$tmp/s1.json" >"$tmp/s1of4.json"
"$fl" merge -s "$tmp/sweep.fl" "$tmp/s0.json" "$tmp/s1of4.json" >/dev/null 2>"$tmp/err"
grep -q 'shards not given' "$tmp/err" && bad "shard counts differ, all cases given, yet: $(cat "$tmp/err")"
printf '\033[31mnot a scenario\n' >"$tmp/evil.fl"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["file"]=sys.argv[2]; print(json.dumps(d))' \
	"$tmp/s0.json" "$tmp/evil.fl" >"$tmp/evil.json"
"$fl" merge -s "$tmp/sweep.fl" "$tmp/evil.json" >"$tmp/out" 2>&1
grep -q "$(printf '\033')" "$tmp/out" && bad "merge echoed the bytes of a file a result names"
# 4c. Heatmap ticks at round byte counts: 0, 16, ..., 128 on both axes of a
#     0..128 x 0..128 space, not every thirteenth value.
"$fl" explore --no-minimise --svg "$tmp/h.svg" scenarios/audits/rutland-x86_64-to.fl >/dev/null
ticks=$(grep -o 'font-size="10" text-anchor="middle">[-0-9]*<' "$tmp/h.svg" | sed 's/.*">//; s/<//' | tr '\n' ' ')
[ "$ticks" = "0 16 32 48 64 80 96 112 128 " ] || bad "x ticks '$ticks', want 0 16 ... 128"
ticks=$(grep -o 'font-size="10" text-anchor="end">[-0-9]*<' "$tmp/h.svg" | sed 's/.*">//; s/<//' | tr '\n' ' ')
[ "$ticks" = "0 16 32 48 64 80 96 112 128 " ] || bad "y ticks '$ticks', want 0 16 ... 128"
# GNU parallel is installed by scripts/install-deps.sh: no silent skip.
command -v parallel >/dev/null 2>&1 || bad "GNU parallel is not installed (make deps)"
parallel --will-cite "$fl" explore --json --shard {}/3 "$tmp/sweep.fl" '>' "$tmp/p{}.json" ::: 0 1 2
"$fl" merge --json "$tmp"/p?.json --scenario "$tmp/sweep.fl" >"$tmp/pmerged.json"
cmp -s "$tmp/j1.json" "$tmp/pmerged.json" || bad "GNU parallel shards merged differ from one run"
# a sample is the same for the same seed, and its cases are a subset
"$fl" explore --json --random 7 --seed 5 "$tmp/sweep.fl" >"$tmp/r1.json"
"$fl" explore --json --random 7 --seed 5 -j1 "$tmp/sweep.fl" >"$tmp/r2.json"
cmp -s "$tmp/r1.json" "$tmp/r2.json" || bad "the same seed gives different samples"
grep -q '"ran":7,' "$tmp/r1.json" || bad "--random 7 did not run 7 cases"

# 5. --svg writes an SVG that parses, with the title and a legend.
"$fl" explore --svg "$tmp/h.svg" "$tmp/sweep.fl" >/dev/null
python3 -c "import xml.etree.ElementTree as E,sys; E.parse(sys.argv[1])" "$tmp/h.svg" ||
	bad "the SVG does not parse"
grep -q 'btrfs search ioctl, one bad granule' "$tmp/h.svg" || bad "the SVG has no title"
grep -q '>livelock (' "$tmp/h.svg" || bad "the SVG has no legend"

# 6. --diff of a scenario the host cannot run: refused with its reason, 3.
"$fl" explore --diff "$tmp/sweep.fl" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || bad "--diff of a kernel 5.18 scenario exited $rc, want 3"
grep -q "host: 'kernel 5.18' (line 2) is not the running kernel" "$tmp/err" ||
	bad "--diff refusal has no reason: $(cat "$tmp/err")"

# 7. bench explore reports both rates and the speed-up.
"$fl" bench explore --cases 2000 >"$tmp/out" || bad "bench explore failed"
grep -Eq '^  -j2 +[0-9]+ cases/s +speed-up [0-9.]+x$' "$tmp/out" || bad "bench explore: $(cat "$tmp/out")"

exit $fail
