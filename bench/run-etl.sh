#!/bin/sh
# run-etl.sh - pool traces from the ETL file to the archive, against
# `cat FILE > /dev/null` of the same file, in the same run (issue 5).
#
#   bench/run-etl.sh [BUILD_DIR] [WORK_DIR]
#
# Generates two pool traces with tests/gen/etlgen (x64, 4 CPUs, a stack
# walk per pool event): ~220 MB / 3 M pool events and ~2.2 GB / 30 M pool
# events, in WORK_DIR (default /tmp/pooltriage-bench-etl: never in the
# repository), and a bundle of each (pooltriage-collect).  For each trace,
# best of $ETL_BENCH_REPEAT (default 3) runs of:
#   cat         cat TRACE > /dev/null (warm cache)
#   reader      bench_etl: the ETL reader alone into a counting sink
#   to archive  bench_etl_import --etl: the ETL file into a new archive (the
#               reader, the import sink, suspects, commit), one core
#   inflate     bench_etl_import --bundle: the bundle member read start to
#               end (inflate, CRC-32, SHA-256 per chunk; the read-ahead
#               thread inflates on the second core), nothing parsed
#   gzip -dc    of the same trace gzipped at level 1 (the bundle's level
#               for large members), to /dev/null
#   import      `pooltriage import BUNDLE` into a new archive, end to end
# and prints pool events per second (wall and CPU), the ratios to cat, the
# memory per outstanding allocation, and how time grows from the small
# trace to the large one.  ETL_BENCH_COMPRESS=1 generates XPRESS-compressed
# traces instead.
set -eu

BUILD=${1:-build}
WORK=${2:-/tmp/pooltriage-bench-etl}
ETLGEN=$BUILD/tests/unit/etl/etlgen
BENCH=$BUILD/bench/bench_etl
BENCH_IMPORT=$BUILD/bench/bench_etl_import
COLLECT=$BUILD/collector/pooltriage-collect
PT=$BUILD/analyzer/pooltriage
COMPRESS=${ETL_BENCH_COMPRESS:-0}
REPEAT=${ETL_BENCH_REPEAT:-3}

for exe in "$ETLGEN" "$BENCH" "$BENCH_IMPORT" "$COLLECT" "$PT"; do
  if [ ! -x "$exe" ]; then
    echo "run-etl.sh: $exe not built (cmake --build $BUILD)" >&2
    exit 1
  fi
done
mkdir -p "$WORK"

now() { date +%s.%N; }
calc() { echo "$1" | bc -l; }
lt() { [ "$(calc "$1 < $2")" = 1 ]; }

# best wall-clock seconds of REPEAT runs of a command (output discarded)
best_wall() {
  best=""
  i=0
  while [ "$i" -lt "$REPEAT" ]; do
    t0=$(now)
    "$@" > /dev/null
    t1=$(now)
    t=$(calc "$t1 - $t0")
    if [ -z "$best" ] || lt "$t" "$best"; then best=$t; fi
    i=$((i + 1))
  done
  echo "$best"
}

# best run of a bench program by its "seconds" line; keeps that run's output
best_bench() {
  out=$1
  shift
  best=""
  i=0
  while [ "$i" -lt "$REPEAT" ]; do
    "$@" > "$out.run"
    s=$(awk '/^seconds /{print $2}' "$out.run")
    if [ -z "$best" ] || lt "$s" "$best"; then best=$s; cp "$out.run" "$out"; fi
    i=$((i + 1))
  done
  rm -f "$out.run"
}

# best `pooltriage import` into a fresh archive: "wall cpu" seconds
best_import() {
  bundle=$1 db=$2
  best="" best_cpu=""
  i=0
  while [ "$i" -lt "$REPEAT" ]; do
    rm -f "$db"
    /usr/bin/env time -f '%e %U %S' -o "$db.time" "$PT" import "$bundle" --case bench \
      --db "$db" > /dev/null
    read -r w u s < "$db.time"
    if [ -z "$best" ] || lt "$w" "$best"; then best=$w; best_cpu=$(calc "$u + $s"); fi
    i=$((i + 1))
  done
  rm -f "$db" "$db.time"
  echo "$best $best_cpu"
}

cat_file() { cat "$1" > /dev/null; }
gunzip_file() { gzip -dc "$1" > /dev/null; }
key() { awk -v k="$1" '$1 == k {print $2}' "$2"; }

run_one() {
  name=$1 steps=$2
  file=$WORK/pool-$name.etl
  flags="--steps $steps --cpus 4 --walks --leak-every 100 --window 5000"
  if [ "$COMPRESS" = 1 ]; then flags="$flags --compress"; fi
  if [ ! -f "$file" ] || [ "$(cat "$file.flags" 2>/dev/null)" != "$flags" ]; then
    # shellcheck disable=SC2086
    "$ETLGEN" "$file" $flags > "$file.truth"
    echo "$flags" > "$file.flags"
    rm -f "$file.ptb" "$file.gz"
  fi
  [ -f "$file.ptb" ] || "$COLLECT" "$file" -o "$file.ptb" > /dev/null 2>&1
  [ -f "$file.gz" ] || gzip -1 -c "$file" > "$file.gz"
  bytes=$(stat -c %s "$file")
  mb=$(calc "$bytes / 1000000")

  cat_s=$(best_wall cat_file "$file")
  best_bench "$WORK/reader-$name.out" "$BENCH" "$file"
  best_bench "$WORK/archive-$name.out" "$BENCH_IMPORT" --etl "$file" --db "$WORK/archive-$name.db"
  rm -f "$WORK/archive-$name.db"
  best_bench "$WORK/inflate-$name.out" "$BENCH_IMPORT" --bundle "$file.ptb"
  gz_s=$(best_wall gunzip_file "$file.gz")
  set -- $(best_import "$file.ptb" "$WORK/import-$name.db")
  imp_s=$1 imp_cpu=$2

  r=$WORK/reader-$name.out a=$WORK/archive-$name.out z=$WORK/inflate-$name.out
  pool=$(key pool_events "$r")
  rd_s=$(key seconds "$r") rd_cpu=$(key cpu_seconds "$r")
  ar_s=$(key seconds "$a") ar_cpu=$(key cpu_seconds "$a")
  in_s=$(key seconds "$z") in_cpu=$(key cpu_seconds "$z")
  printf '%-6s %.0f MB trace, %.0f MB bundle, %.0f MB gzip -1; %d pool events, %d events\n' \
    "$name" "$mb" "$(calc "$(stat -c %s "$file.ptb") / 1000000")" \
    "$(calc "$(stat -c %s "$file.gz") / 1000000")" "$pool" "$(key events "$r")"
  printf '  cat            %7.3f s wall (%.0f MB/s)\n' "$cat_s" "$(calc "$mb / $cat_s")"
  printf '  reader         %7.3f s wall %7.3f s CPU  %5.1f M pool events/s wall, %5.1f M/s CPU; x%.1f cat\n' \
    "$rd_s" "$rd_cpu" "$(calc "$pool / $rd_s / 1000000")" "$(calc "$pool / $rd_cpu / 1000000")" \
    "$(calc "$rd_s / $cat_s")"
  printf '  ETL->archive   %7.3f s wall %7.3f s CPU  %5.1f M pool events/s wall, %5.1f M/s CPU; x%.1f cat\n' \
    "$ar_s" "$ar_cpu" "$(calc "$pool / $ar_s / 1000000")" "$(calc "$pool / $ar_cpu / 1000000")" \
    "$(calc "$ar_s / $cat_s")"
  printf '  inflate bundle %7.3f s wall %7.3f s CPU  %.0f MB/s wall; x%.2f gzip -dc\n' \
    "$in_s" "$in_cpu" "$(calc "$mb / $in_s")" "$(calc "$in_s / $gz_s")"
  printf '  gzip -dc       %7.3f s wall (%.0f MB/s)\n' "$gz_s" "$(calc "$mb / $gz_s")"
  printf '  import bundle  %7.3f s wall %7.3f s CPU  %5.1f M pool events/s wall; x%.1f cat\n' \
    "$imp_s" "$imp_cpu" "$(calc "$pool / $imp_s / 1000000")" "$(calc "$imp_s / $cat_s")"
  printf '  peak RSS %d KB (reader), %d KB (to archive); peak outstanding allocations %d\n' \
    "$(key max_rss_kb "$r")" "$(key max_rss_kb "$a")" "$(key peak_outstanding "$r")"
  eval "ar_$name=$ar_s imp_$name=$imp_s rss_$name=$(key max_rss_kb "$r")"
  eval "outst_$name=$(key peak_outstanding "$r")"
}

run_one small 1500000
run_one large 15000000
# shellcheck disable=SC2154
printf 'scaling: 10x the events took %.2fx the time to the archive, %.2fx the import\n' \
  "$(calc "$ar_large / $ar_small")" "$(calc "$imp_large / $imp_small")"
# shellcheck disable=SC2154
printf 'memory: %.0f bytes of peak RSS per extra outstanding allocation (%d -> %d)\n' \
  "$(calc "($rss_large - $rss_small) * 1024 / ($outst_large - $outst_small)")" \
  "$outst_small" "$outst_large"
