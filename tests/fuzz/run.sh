#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - fuzz the scenario parser and runner with
# libFuzzer (docs/fuzzing.md).  tests/fuzz/run.sh --build builds the
# harnesses and stops (`make test` builds them beside the ASan tests).
#
# Builds fuzz_parse (the parser alone) and fuzz_run (parse, then run on the
# model) with clang in build-fuzz (-DFL_FUZZ=ON), seeds each corpus with
# every .fl of scenarios/, examples/ and tests/, and fuzzes for SECONDS in total
# (default 60): a third for the parser, the rest for the runner, which has
# far more code below it; on two cores or more the two run at once.  The corpora stay in build-fuzz/corpus-*, so each
# run starts where the last stopped.
#
# Fails on any crash, leak, sanitizer report or per-input timeout; the
# reproducer is left in build-fuzz/artifacts/ as HARNESS-crash-*, -leak-*,
# -timeout-* or -oom-*, and the fuzzer's log in build-fuzz/HARNESS.log.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-60}
build_only=0
[ "$seconds" != --build ] || build_only=1
build=${FL_FUZZ_BUILD:-build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)

CC=clang cmake -S . -B "$build" -DFL_FUZZ=ON -DFL_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_parse fuzz_run -j "$jobs" >/dev/null
[ "$build_only" = 0 ] || exit 0

mkdir -p "$build/artifacts"

# fuzz HARNESS SECONDS MAX_LEN: one harness, its own corpus, one log.
fuzz() {
	h=$1
	corpus=$build/corpus-${h#fuzz_}
	mkdir -p "$corpus"
	# every .fl of the tree, named by its path: scenarios/*/x86_64.fl are many
	for f in $(find scenarios examples tests -name '*.fl'); do
		cp "$f" "$corpus/seed-$(echo "$f" | tr / _)"
	done
	if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
	   UBSAN_OPTIONS=print_stacktrace=1 \
	   "./$build/$h" -max_total_time="$2" -max_len="$3" -timeout=10 \
		-rss_limit_mb=2048 -dict=tests/fuzz/scenario.dict \
		-artifact_prefix="$build/artifacts/$h-" -print_final_stats=1 \
		"$corpus" >"$build/$h.log" 2>&1; then
		echo "fuzz: $h: $(grep -o 'stat::number_of_executed_units: *[0-9]*' \
			"$build/$h.log" | grep -o '[0-9]*$') inputs in ${2}s, no failure"
		return 0
	fi
	tail -n 60 "$build/$h.log" >&2
	echo "fuzz: $h FAILED; reproducer: $(ls -t "$build"/artifacts/"$h"-* 2>/dev/null | head -n 1)" >&2
	echo "fuzz: replay with ./$build/$h FILE; full log in $build/$h.log" >&2
	return 1
}

parse=$((seconds / 3))
[ "$parse" -ge 1 ] || parse=1
run=$((seconds - parse))
[ "$run" -ge 1 ] || run=1
status=0
# Runner inputs stay short: every statement may move up to 1 MiB.
# Each harness is one process on one core: with two cores they fuzz side
# by side, each for its own share, so the minute costs 40 s of wall time.
if [ "$jobs" -ge 2 ]; then
	fuzz fuzz_parse "$parse" 65536 &
	other=$!
	fuzz fuzz_run "$run" 4096 || status=1
	wait "$other" || status=1
else
	fuzz fuzz_parse "$parse" 65536 || status=1
	fuzz fuzz_run "$run" 4096 || status=1
fi
exit $status
