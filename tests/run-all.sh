#!/usr/bin/env bash
# Runs every test of pooltriage: installs the dependencies, then builds and
# runs the suite three times - a normal build (gcc), an ASan+UBSan build
# (gcc), and the libFuzzer targets (clang) for a short run each.
# This is the test command README.md gives; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc 2>/dev/null || echo 2)

bash scripts/install-deps.sh

echo "== build and test (gcc, RelWithDebInfo)"
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/test -j"$jobs"
ctest --test-dir build/test --output-on-failure -j"$jobs"

echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DPT_SANITIZE=ON >/dev/null
cmake --build build/asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs"

echo "== fuzz targets (clang + libFuzzer), ${PT_FUZZ_SECONDS:-15} s each"
CC=clang cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DPT_FUZZ=ON -DPT_TESTS=ON >/dev/null
cmake --build build/fuzz -j"$jobs"
fuzz_total=0
for list in build/fuzz/fuzzers/*.corpus; do
  [ -e "$list" ] || continue
  f=${list%.corpus}
  name=$(basename "$f")
  corpus=$(cat "$list")
  work="build/fuzz/corpus-run/$name"
  mkdir -p "$work"
  echo "-- $name"
  "$f" -max_total_time="${PT_FUZZ_SECONDS:-15}" -rss_limit_mb=2048 -timeout=10 \
       -print_final_stats=0 "$work" $corpus 2>&1 | tail -n 2
  fuzz_total=$((fuzz_total + 1))
done
echo "fuzzed $fuzz_total targets"
