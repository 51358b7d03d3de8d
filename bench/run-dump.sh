#!/bin/sh
# run-dump.sh - crash dump import speed: generated sparse dumps of 4 and
# 16 GiB (full and bitmap, pages scattered over all of memory), the reader's
# time against plain pread of just the bytes it needs, in the same run.
#
#   bench/run-dump.sh [BUILD_DIR] [WORK_DIR]
#
# Needs the targets dumpgen and bench_dump built in BUILD_DIR.  The dumps
# are sparse: a 16 GiB dump takes a few MB of disk.
set -eu
build=${1:-build}
work=${2:-${TMPDIR:-/tmp}/pt-bench-dump}
gen=$build/tests/unit/dump/dumpgen
bench=$build/bench/bench_dump
for p in "$gen" "$bench"; do
  if [ ! -x "$p" ]; then
    echo "run-dump.sh: $p not built (cmake --build $build --target dumpgen bench_dump)" >&2
    exit 1
  fi
done
mkdir -p "$work"
for kind in full bitmap; do
  for gib in 4 16; do
    f=$work/$kind-$gib.dmp
    "$gen" -S -k "$kind" -m "$gib" "$f"
    "$bench" "$f" 5
  done
done
rm -f "$work"/full-*.dmp "$work"/bitmap-*.dmp
rmdir "$work" 2>/dev/null || true
