#!/usr/bin/env bash
# The main job on the sample case shipped in samples/ (see samples/README.md):
#
#   pooltriage-collect  the pooltag file, 24 hourly poolmon snapshots and the
#                       incident's !vm 4 and !poolused outputs -> a bundle
#   pooltriage import   the bundle -> a case archive (SQLite)
#   pooltriage report   the case -> HTML and XML
#
# and prints the path of the HTML report.  Installs what it needs from
# Debian's packages (scripts/install-deps.sh; PT_NO_INSTALL=1 skips that)
# and builds the two programs when needed.
#
# Environment: PT_BUILD (build dir, default build/sample), PT_OUT (default
# out/), PT_JOBS.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
samples=$root/samples
build=${PT_BUILD:-$root/build/sample}
out=${PT_OUT:-$root/out}
jobs=${PT_JOBS:-$(nproc 2>/dev/null || echo 2)}
case_name=sample-2012r2-mpp
# The live kernel debugger session came after the poolmon series: half an
# hour after its last snapshot.
kd_time=2015-03-10T23:30:00Z

die() { printf 'run-sample: %s\n' "$*" >&2; exit 1; }

if [ "${PT_NO_INSTALL:-0}" != 1 ]; then
  bash "$root/scripts/install-deps.sh"
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "== configuring $build"
  # Warnings are errors for developers and CI (tests/run-all.sh), not for
  # someone running the sample with a newer compiler.
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPT_TESTS=OFF -DPT_WERROR=OFF >/dev/null
fi
echo "== building pooltriage-collect and pooltriage"
if ! cmake --build "$build" --target pooltriage-collect pooltriage -j "$jobs" >"$build/build.log" 2>&1; then
  tail -n 30 "$build/build.log" >&2
  die "build failed (whole log: $build/build.log)"
fi

find_program() {
  find "$build" -type f -name "$1" -perm -u+x -not -path '*/CMakeFiles/*' | head -n 1
}
collect=$(find_program pooltriage-collect)
pooltriage=$(find_program pooltriage)
[ -n "$collect" ] || die "pooltriage-collect not found under $build"
[ -n "$pooltriage" ] || die "pooltriage not found under $build"

# The poolmon files carry no time of their own: series.txt lists when each
# was taken, given to the collector with --time before each file.
args=("$samples/pooltag.txt")
while read -r when file; do
  [ -n "$when" ] || continue
  args+=(--time "$when" "$samples/poolmon/$file")
done <"$samples/poolmon/series.txt"
args+=(--time "$kd_time" "$samples/kd/ws2012r2-livekd-vm4.txt"
       "$samples/kd/ws2012r2-livekd-poolused-t5-2.txt")

mkdir -p "$out"
bundle=$out/sample.bundle
db=$out/sample.db
html=$out/sample-report.html
xml=$out/sample-report.xml
# A new bundle has a new hash: start from an empty archive so that the case
# holds this run's bundle only.
rm -f "$bundle" "$db" "$html" "$xml"

echo "== collect (${#args[@]} arguments) -> $bundle"
"$collect" "${args[@]}" -o "$bundle"
echo "== import -> $db (case $case_name)"
"$pooltriage" import "$bundle" --case "$case_name" --db "$db"
echo "== report"
"$pooltriage" report "$case_name" --xml "$xml" --html "$html" --db "$db"

[ -s "$html" ] || die "the report was not written: $html"
[ -s "$xml" ] || die "the XML report was not written: $xml"
echo "XML report: $xml"
echo "report: $html"
