#!/usr/bin/env bash
# Issue 2's benchmark: a series of 1,000 poolmon snapshots of 3,000 tags
# each (3,000,000 tag rows, made by bench/gen_poolmon_series.c), then
#
#   collect   pooltriage-collect --time T FILE ... -o series.bundle
#   import    pooltriage import series.bundle --case bench --db bench.db
#   report    pooltriage report bench --xml F --html F --db bench.db
#
# and the baseline, measured in the same run: sqlite3's own `.import` of the
# same rows as CSV into a table.  Prints wall-clock seconds, rows/s and the
# ratio of import time to the sqlite3 import.  Aim (issue 2): import at
# 1,000,000 rows/s or better on one core, the report in under one second.
#
#   bash bench/run-import.sh [--snapshots N] [--tags N]
#
# Environment: PT_BUILD (build dir, default build/bench), PT_BENCH_DIR (data
# and results, default $PT_BUILD/run), PT_JOBS, PT_NO_INSTALL=1.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${PT_BUILD:-$root/build/bench}
work=${PT_BENCH_DIR:-$build/run}
jobs=${PT_JOBS:-$(nproc 2>/dev/null || echo 2)}
snapshots=1000
tags=3000
while [ $# -gt 0 ]; do
  case $1 in
    --snapshots) snapshots=$2; shift 2 ;;
    --tags) tags=$2; shift 2 ;;
    *) echo "usage: $0 [--snapshots N] [--tags N]" >&2; exit 2 ;;
  esac
done

die() { printf 'run-import: %s\n' "$*" >&2; exit 1; }

if [ "${PT_NO_INSTALL:-0}" != 1 ]; then
  bash "$root/scripts/install-deps.sh"
fi
command -v sqlite3 >/dev/null || die "sqlite3 (the shell) is needed for the baseline"

# --- build ------------------------------------------------------------------
if [ ! -f "$build/CMakeCache.txt" ]; then
  # An optimized build; warnings are errors in CI (tests/run-all.sh), not here.
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPT_TESTS=OFF -DPT_WERROR=OFF >/dev/null
fi
if ! cmake --build "$build" --target pooltriage-collect pooltriage -j "$jobs" >"$build/build.log" 2>&1; then
  tail -n 30 "$build/build.log" >&2
  die "build failed (whole log: $build/build.log)"
fi
find_program() {
  find "$build" -type f -name "$1" -perm -u+x -not -path '*/CMakeFiles/*' | head -n 1
}
collect=$(find_program pooltriage-collect)
pooltriage=$(find_program pooltriage)
[ -n "$collect" ] && [ -n "$pooltriage" ] || die "programs not found under $build"
mkdir -p "$work"
gen=$work/gen_poolmon_series
if [ ! -x "$gen" ] || [ "$root/bench/gen_poolmon_series.c" -nt "$gen" ]; then
  "${CC:-cc}" -std=c11 -O2 -o "$gen" "$root/bench/gen_poolmon_series.c"
fi

# --- data -------------------------------------------------------------------
series=$work/series-${snapshots}x${tags}
if [ ! -f "$series/truth.txt" ] || [ "$gen" -nt "$series/truth.txt" ]; then
  echo "== generating $snapshots snapshots x $tags tags in $series"
  rm -rf "$series" && mkdir -p "$series"
  "$gen" --profile bench --snapshots "$snapshots" --tags "$tags" --out "$series"
fi
rows=$(sed -n 's/^rows //p' "$series/truth.txt")
[ -n "$rows" ] || die "$series/truth.txt has no row count"

# The same rows as CSV for the baseline (not timed): one line per tag row.
csv=$series/rows.csv
if [ ! -f "$csv" ] || [ "$series/truth.txt" -nt "$csv" ]; then
  echo "== writing the baseline CSV"
  while read -r when file; do
    awk -v t="$when" -v s="$file" '
      $2 == "Nonp" || $2 == "Paged" {
        printf "%s,%s,%s,%s,%s,%s,%s,%s\n", s, t, $1, ($2 == "Nonp" ? "nonpaged" : "paged"),
               $3, $6, $9, $10 }' "$series/$file"
  done <"$series/series.txt" >"$csv"
fi
csv_rows=$(wc -l <"$csv")
[ "$csv_rows" -eq "$rows" ] || die "CSV has $csv_rows rows, the series $rows"

# --- measurements -----------------------------------------------------------
# measure NAME CMD...: runs CMD (output to $work/NAME.out/.err) and sets
# wall_s and cpu_s (user + system) from bash's time keyword.
measure() {
  local name=$1 t
  shift
  local TIMEFORMAT='%R %U %S'
  if ! { time "$@" >"$work/$name.out" 2>"$work/$name.err"; } 2>"$work/$name.time"; then
    cat "$work/$name.err" >&2
    die "$name failed (see $work/$name.err)"
  fi
  t=$(tail -n 1 "$work/$name.time")
  wall_s=$(echo "$t" | awk '{ printf "%.3f", $1 }')
  cpu_s=$(echo "$t" | awk '{ printf "%.3f", $2 + $3 }')
}
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }

args=()
while read -r when file; do
  args+=(--time "$when" "$series/$file")
done <"$series/series.txt"

bundle=$work/series.bundle
db=$work/bench.db
rm -f "$bundle" "$db" "$db-journal" "$db-wal" "$work/baseline.db"

echo "== collect: ${snapshots} files"
measure collect "$collect" "${args[@]}" -o "$bundle"
collect_s=$wall_s collect_cpu=$cpu_s

echo "== import"
measure import "$pooltriage" import "$bundle" --case bench --db "$db"
import_s=$wall_s import_cpu=$cpu_s

echo "== report (best of 3)"
report_s="" report_cpu=""
for _ in 1 2 3; do
  measure report "$pooltriage" report bench --xml "$work/bench-report.xml" \
    --html "$work/bench-report.html" --db "$db"
  if [ -z "$report_s" ] || awk -v a="$wall_s" -v b="$report_s" 'BEGIN { exit !(a < b) }'; then
    report_s=$wall_s report_cpu=$cpu_s
  fi
done

echo "== baseline: sqlite3 .import of the CSV"
cat >"$work/baseline.sql" <<SQL
CREATE TABLE tag_rows (file TEXT, time TEXT, tag TEXT, pool TEXT, allocs INTEGER,
                       frees INTEGER, outstanding INTEGER, bytes INTEGER);
.mode csv
.import '$csv' tag_rows
SQL
measure sqlite3 sqlite3 -bail "$work/baseline.db" ".read $work/baseline.sql"
sqlite_s=$wall_s sqlite_cpu=$cpu_s
imported=$(sqlite3 "$work/baseline.db" 'SELECT count(*) FROM tag_rows')
[ "$imported" -eq "$rows" ] || die "sqlite3 imported $imported rows, expected $rows"

# The ground truth (truth.txt): the leak is ranked first as leaking, the large
# flat tag is never called leaking.  Figures for a wrong answer mean nothing.
xml=$work/bench-report.xml
top=$(grep -o '<suspect rank="1" tag="[^"]*" [^>]*verdict="[^"]*"' "$xml" | head -n 1)
flat=$(grep -o '<suspect rank="[0-9]*" tag="VoSm" [^>]*verdict="[^"]*"' "$xml" | head -n 1)
truth_ok=1
case $top in
  *'tag="MPP"'*'verdict="leaking"'*) ;;
  *) truth_ok=0; echo "run-import: the first suspect is not the leaking MPP: ${top:-none}" >&2 ;;
esac
case $flat in
  *'verdict="leaking"'*) truth_ok=0; echo "run-import: the flat VoSm is called leaking" >&2 ;;
esac

bytes=$(du -sb "$series" --exclude=rows.csv | awk '{ print $1 }')
echo
echo "benchmark: $snapshots poolmon snapshots x $tags tags = $rows tag rows ($((bytes / 1048576)) MiB of text)"
printf '  %-22s %9s %9s %12s %12s\n' "" "wall s" "cpu s" "rows/s wall" "rows/s cpu"
line() { printf '  %-22s %9s %9s %12s %12s%s\n' "$1" "$2" "$3" "$(per_second "$rows" "$2")" \
  "$(per_second "$rows" "$3")" "${4:-}"; }
line collect "$collect_s" "$collect_cpu"
line import "$import_s" "$import_cpu" "   (aim: 1000000 rows/s)"
printf '  %-22s %9s %9s %27s\n' report "$report_s" "$report_cpu" "(aim: < 1 s)"
line "sqlite3 .import (CSV)" "$sqlite_s" "$sqlite_cpu"
printf '  ratio import / sqlite3 .import: %s (wall), %s (cpu)\n' \
  "$(ratio "$import_s" "$sqlite_s")" "$(ratio "$import_cpu" "$sqlite_cpu")"
printf '  bundle %s bytes, archive %s bytes; %s\n' "$(stat -c %s "$bundle")" "$(stat -c %s "$db")" \
  "$(sed -n 1p "$work/import.out")"
if [ "$truth_ok" -eq 1 ]; then
  echo "  ground truth: MPP ranked first as leaking; VoSm (large, flat) not called leaking"
else
  echo "  ground truth NOT met (see above)"
  exit 1
fi
