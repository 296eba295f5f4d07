#!/bin/sh
# Instructions per model call over the matrix of `faultline bench matrix`,
# counted by callgrind: the repeatable figure behind the wall-clock ratio
# (docs/host.md).  Usage: sh scripts/matrix-instructions.sh [BUILD_DIR]
# (default build/, where `make` builds matrix-instructions).  Needs valgrind.
set -e
build=${1:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
command -v valgrind >/dev/null || { echo "matrix-instructions: valgrind is not installed" >&2; exit 2; }
[ -x "$build/matrix-instructions" ] || { echo "matrix-instructions: no $build/matrix-instructions (run make first)" >&2; exit 2; }
for call in pread pwrite clear; do
	valgrind --tool=callgrind --toggle-collect="matrix_$call" \
		--callgrind-out-file="$out/cg.$call" "$build/matrix-instructions" "$call" \
		>/dev/null 2>"$out/err.$call" || { cat "$out/err.$call" >&2; exit 1; }
	ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$out/cg.$call")
	awk -v c="$call" -v ir="$ir" 'BEGIN { printf "%-7s %8.1f instructions per call (16770 calls)\n", c, ir / 16770 }'
done
