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

# Windows collector: pooltriage-collect.exe cross-built with mingw-w64 (-Werror,
# zlib and Zydis linked statically; Zydis built from Debian's source package, a
# deb-src entry added if the image has none), its imports checked, then run
# under wine: --help, the real seed outputs collected and imported by the Linux
# pooltriage built above (same member hashes as a Linux collection), wine's
# System32\drivers and the PE test drivers (same driver evidence as on Linux),
# and the collector modules' unit tests as Windows programs.  Only Debian's
# mirrors are used: wine is kept from offering to download Mono and Gecko.
echo "== Windows collector (mingw-w64 cross build, run under wine)"
win_start=$(date +%s)
drivers=$root/build/test/tests/unit/pe/drivers
ls "$drivers"/*.sys >/dev/null 2>&1 || drivers=""
PT_WIN_BUILD=$root/build/win PT_JOBS=$jobs PT_POOLTRIAGE=$root/build/test/analyzer/pooltriage \
  PT_NATIVE_COLLECT=$root/build/test/collector/pooltriage-collect PT_DRIVER_FIXTURES=$drivers \
  WINEDLLOVERRIDES="mscoree,mshtml=" bash .ci/build-windows.sh --unit-tests
# Then what only Windows gets wrong: a file name outside the ANSI code page
# (UTF-8 command line and wide-character file API), and -o naming an input,
# which Windows' stat cannot see (no inode numbers) and must be refused.
win_names=$root/build/win/names
rm -rf "$win_names" && mkdir -p "$win_names"
cp "${PT_REAL_DATA:-$root/../shared/data/real}/seed/ws2012r2-livekd-vm4.txt" "$win_names/메모리.txt"
chmod u+w "$win_names/메모리.txt"
win_collect() {
  (cd "$win_names" && WINEDEBUG=-all WINEPREFIX=$root/build/win/deps/wineprefix \
     WINEDLLOVERRIDES="mscoree,mshtml=" "$(command -v wine64 || echo /usr/lib/wine/wine64)" \
     "$root/build/win/collector/pooltriage-collect.exe" "$@")
}
win_collect --time 2015-03-10T23:30:00Z 메모리.txt -o 번들.ptb
build/test/analyzer/pooltriage inspect "$win_names/번들.ptb" >"$win_names/inspect.txt"
grep -q 'member 1: evidence/메모리.txt' "$win_names/inspect.txt"
build/test/analyzer/pooltriage import "$win_names/번들.ptb" --case 메모리 --db "$win_names/names.db"
if win_collect 메모리.txt -o 메모리.txt; then
  echo "pooltriage-collect.exe overwrote its own input" >&2; exit 1
fi
cmp "${PT_REAL_DATA:-$root/../shared/data/real}/seed/ws2012r2-livekd-vm4.txt" "$win_names/메모리.txt"
echo "Windows collector checked in $(($(date +%s) - win_start)) s"
