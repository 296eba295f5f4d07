#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - fuzz the scenario parser with libFuzzer.
#
# Builds target fuzz_parse with clang in build-fuzz (-DFL_FUZZ=ON), seeds a
# corpus from every scenarios/**/*.fl and examples/*.fl, and runs for SECONDS (default 60).
# Fails on any crash, leak, sanitizer report or timeout; the reproducer is
# left in build-fuzz/ as crash-*, leak-* or timeout-*.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-60}
build=${FL_FUZZ_BUILD:-build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)

CC=clang cmake -S . -B "$build" -DFL_FUZZ=ON -DFL_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_parse -j "$jobs" >/dev/null

corpus=$build/fuzz-corpus
mkdir -p "$corpus"
find scenarios examples -name '*.fl' -exec cp {} "$corpus/" \;

cd "$build"
ASAN_OPTIONS=detect_leaks=1 ./fuzz_parse -max_total_time="$seconds" \
	-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	fuzz-corpus
