#!/bin/sh
# run-etl.sh - ETL reader throughput against `cat FILE > /dev/null`.
#
#   bench/run-etl.sh [BUILD_DIR] [WORK_DIR]
#
# Generates two pool traces with tests/gen/etlgen (x64, 4 CPUs, a stack
# walk per allocation): ~220 MB / 3 M pool events and ~2.2 GB / 30 M pool
# events, in WORK_DIR (default BUILD_DIR/bench-etl; never committed).  For
# each: `cat` of the file (warm cache, best of 3), then bench_etl (the
# reader: container, merge, pairing, stacks, samples; best of 3), and
# prints events per second, the ratio to cat, and how time grows from the
# small trace to the large one.  Set ETL_BENCH_COMPRESS=1 to generate
# XPRESS-compressed traces instead.
set -eu

BUILD=${1:-build}
WORK=${2:-$BUILD/bench-etl}
ETLGEN=$BUILD/tests/unit/etl/etlgen
BENCH=$BUILD/bench/bench_etl
COMPRESS=${ETL_BENCH_COMPRESS:-0}

for exe in "$ETLGEN" "$BENCH"; do
  if [ ! -x "$exe" ]; then
    echo "run-etl.sh: $exe not built (cmake --build $BUILD --target etlgen bench_etl)" >&2
    exit 1
  fi
done
mkdir -p "$WORK"

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

# best of 3 wall-clock seconds of a command
best_of_3() {
  best=""
  for i in 1 2 3; do
    t0=$(now)
    "$@" > /dev/null
    t1=$(now)
    t=$(elapsed "$t0" "$t1")
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}

cat_file() { cat "$1" > /dev/null; }

run_one() {
  name=$1 steps=$2
  file=$WORK/pool-$name.etl
  flags="--steps $steps --cpus 4 --walks --leak-every 100 --window 5000"
  if [ "$COMPRESS" = 1 ]; then flags="$flags --compress"; fi
  if [ ! -f "$file" ] || [ "$(cat "$file.flags" 2>/dev/null)" != "$flags" ]; then
    # shellcheck disable=SC2086
    "$ETLGEN" "$file" $flags > "$file.truth"
    echo "$flags" > "$file.flags"
  fi
  bytes=$(stat -c %s "$file")
  cat_s=$(best_of_3 cat_file "$file")
  best=""
  for i in 1 2 3; do
    "$BENCH" "$file" > "$WORK/bench-$name.out"
    s=$(awk '/^seconds /{print $2}' "$WORK/bench-$name.out")
    if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then
      best=$s
      cp "$WORK/bench-$name.out" "$WORK/bench-$name.best"
    fi
  done
  out=$WORK/bench-$name.best
  pool=$(awk '/^pool_events /{print $2}' "$out")
  events=$(awk '/^events /{print $2}' "$out")
  cpu=$(awk '/^cpu_seconds /{print $2}' "$out")
  rss=$(awk '/^max_rss_kb /{print $2}' "$out")
  outst=$(awk '/^peak_outstanding /{print $2}' "$out")
  printf '%-6s %6.0f MB  %9d pool events  %9d events\n' "$name" "$(echo "$bytes/1000000" | bc -l)" "$pool" "$events"
  printf '       cat: %.3f s (%.0f MB/s)\n' "$cat_s" "$(echo "$bytes/1000000/$cat_s" | bc -l)"
  printf '       reader: %.3f s wall, %.3f s CPU; %.1f M pool events/s wall, %.1f M/s CPU; %.0f MB/s\n' \
    "$best" "$cpu" "$(echo "$pool/$best/1000000" | bc -l)" "$(echo "$pool/$cpu/1000000" | bc -l)" \
    "$(echo "$bytes/1000000/$best" | bc -l)"
  printf '       all events: %.1f M/s wall; reader/cat time ratio %.2f\n' \
    "$(echo "$events/$best/1000000" | bc -l)" "$(echo "$best/$cat_s" | bc -l)"
  printf '       peak RSS %d KB; peak outstanding allocations %d\n' "$rss" "$outst"
  eval "secs_$name=$best"
}

run_one small 1500000
run_one large 15000000
printf 'scaling: 10x the events took %.2fx the time (large %.3f s / small %.3f s)\n' \
  "$(echo "$secs_large/$secs_small" | bc -l)" "$secs_large" "$secs_small"
