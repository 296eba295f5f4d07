#!/bin/sh
# libfaultline.so exports the documented interface (include/faultline/) and
# nothing else: every defined dynamic symbol begins with fl_.  A name
# without the prefix (or with a reserved __fl_) could clash with an
# embedder's own.  $1 is the shared library of a build.
set -eu
lib=$1
[ -f "$lib" ] || { echo "FAIL: $lib: no such library"; exit 1; }
# Under AddressSanitizer each exported variable fl_X also exports its
# one-definition-rule marker __odr_asan.fl_X: judged as the name it marks.
syms=$(nm -D --defined-only "$lib" | awk '{ print $NF }' | sed 's/^__odr_asan\.//')
[ -n "$syms" ] || { echo "FAIL: $lib exports nothing"; exit 1; }
# The interface itself must be there: a library exporting nothing of ours
# (all hidden) would pass the prefix check and be useless.
for want in fl_world_new fl_copy_to_user fl_mm_check; do
	echo "$syms" | grep -qx "$want" || { echo "FAIL: $lib does not export $want"; exit 1; }
done
bad=$(echo "$syms" | grep -v '^fl_' || true)
if [ -n "$bad" ]; then
	echo "FAIL: $lib exports names without the fl_ prefix:"
	echo "$bad" | sed 's/^/  /'
	exit 1
fi
echo "exports: ok ($(echo "$syms" | wc -l) fl_ symbols)"
