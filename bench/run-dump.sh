#!/bin/sh
# run-dump.sh - crash dump speed (issue 4), all in one run:
#  1. the reader over generated sparse dumps of 4 and 16 GiB (full and
#     bitmap, pages scattered over all of memory) against plain pread of just
#     the bytes it needs (bench_dump);
#  2. `pooltriage import` of each dump from a bundle, collected whole and
#     with --dump-reduce by pooltriage-collect: wall time of the whole
#     command into a fresh archive, and its ratio to that pread;
#  3. collecting the whole 16 GiB dumps with pooltriage-collect against
#     `pigz -1 -c DUMP > /dev/null` over the same file (sparse: collect
#     skips the holes, pigz compresses them as zeros);
#  4. the same over a dense dump file of PT_BENCH_DENSE_GIB GiB (default 2,
#     0 to skip) whose pages hold data.
#
#   bench/run-dump.sh [BUILD_DIR] [WORK_DIR]
#
# Needs dumpgen, bench_dump, pooltriage and pooltriage-collect built in
# BUILD_DIR, and pigz for part 3.  The dumps are sparse: a 16 GiB dump takes
# a few MB of disk; the whole-dump bundles take about 20 MB each.
set -eu
build=${1:-build}
work=${2:-${TMPDIR:-/tmp}/pt-bench-dump}
gen=$build/tests/unit/dump/dumpgen
bench=$build/bench/bench_dump
collect=$build/collector/pooltriage-collect
pooltriage=$build/analyzer/pooltriage
repeat=${PT_BENCH_REPEAT:-5}
for p in "$gen" "$bench" "$collect" "$pooltriage"; do
  if [ ! -x "$p" ]; then
    echo "run-dump.sh: $p not built (cmake --build $build --target dumpgen bench_dump" \
         "pooltriage pooltriage-collect)" >&2
    exit 1
  fi
done
mkdir -p "$work"

now() { date +%s.%N; }
# best_of N CMD...: the shortest wall time of N runs, in seconds.
best_of() {
  n=$1; shift
  best=
  i=0
  while [ "$i" -lt "$n" ]; do
    t0=$(now); "$@"; t1=$(now)
    best=$(awk -v a="$t0" -v b="$t1" -v best="$best" \
           'BEGIN { t = b - a; if (best == "" || t < best) best = t; printf "%.6f", best }')
    i=$((i + 1))
  done
  echo "$best"
}
ms() { awk -v s="$1" 'BEGIN { printf "%.1f ms", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
size_mib() { awk -v b="$(wc -c < "$1")" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }

collect_whole() { "$collect" --dump "$1" -o "$2" 2>/dev/null; }
collect_reduced() { "$collect" --dump "$1" --dump-reduce -o "$2" 2>/dev/null; }
import_fresh() { rm -f "$2"; "$pooltriage" import "$1" --case bench --db "$2" >/dev/null; }
pigz_over() { pigz -1 -c "$1" > /dev/null; }

for kind in full bitmap; do
  for gib in 4 16; do
    f=$work/$kind-$gib.dmp
    "$gen" -S -k "$kind" -m "$gib" "$f"
    out=$("$bench" "$f" 5)
    echo "$out"
    # the pread time of the needed ranges, from bench_dump's second line
    pread_s=$(echo "$out" | sed -n 's/.*pread of those: \([0-9.]*\) ms.*/\1/p' |
              awk '{ printf "%.6f", $1 / 1000 }')
    t_cw=$(best_of "$repeat" collect_whole "$f" "$work/whole.ptb")
    t_cr=$(best_of "$repeat" collect_reduced "$f" "$work/reduced.ptb")
    t_iw=$(best_of "$repeat" import_fresh "$work/whole.ptb" "$work/bench.db")
    t_ir=$(best_of "$repeat" import_fresh "$work/reduced.ptb" "$work/bench.db")
    echo "  pooltriage-collect: whole $(ms "$t_cw") -> $(size_mib "$work/whole.ptb")," \
         "--dump-reduce $(ms "$t_cr") -> $(size_mib "$work/reduced.ptb")"
    echo "  pooltriage import (fresh archive): whole bundle $(ms "$t_iw")" \
         "(x$(ratio "$t_iw" "$pread_s") pread), reduced bundle $(ms "$t_ir")" \
         "(x$(ratio "$t_ir" "$pread_s") pread)"
    if [ "$gib" = 16 ]; then
      if command -v pigz >/dev/null 2>&1; then
        t_pz=$(best_of 1 pigz_over "$f")
        echo "  collect whole 16 GiB: pooltriage-collect $(ms "$t_cw"), pigz -1 $(ms "$t_pz")," \
             "pigz/collect $(ratio "$t_pz" "$t_cw")"
      else
        echo "  pigz not installed: no collect comparison"
      fi
    fi
    rm -f "$f" "$work/whole.ptb" "$work/reduced.ptb" "$work/bench.db"
  done
done

# 4. A dump whose pages hold data (not holes): the header of a generated
# dump, then the build's own binaries over and over (code and data, like a
# kernel's memory) with one MiB in four left zero, DENSE_GIB GiB in all.
# Only collect reads it (it is recognized by its header), so the rest need
# not be a consistent dump.
dense_gib=${PT_BENCH_DENSE_GIB:-2}
if [ "$dense_gib" -gt 0 ] && command -v pigz >/dev/null 2>&1; then
  dense=$work/dense.dmp
  blob=$work/blob
  "$gen" -k full "$work/head.dmp"
  head -c 1048576 "$work/head.dmp" > "$dense"
  cat "$pooltriage" "$collect" "$bench" "$gen" > "$blob"
  head -c $(( $(wc -c < "$blob") / 3 )) /dev/zero >> "$blob"
  target=$((dense_gib * 1073741824))
  while [ "$(wc -c < "$dense")" -lt "$target" ]; do cat "$blob" >> "$dense"; done
  truncate -s "$target" "$dense"
  cat "$dense" > /dev/null # in the page cache for both
  # alternated, best of two each: other work on the machine weighs on both alike
  t_cw=$(best_of 1 collect_whole "$dense" "$work/whole.ptb")
  t_pz=$(best_of 1 pigz_over "$dense")
  t_cw=$(awk -v a="$t_cw" -v b="$(best_of 1 collect_whole "$dense" "$work/whole.ptb")" \
         'BEGIN { printf "%.6f", a < b ? a : b }')
  t_pz=$(awk -v a="$t_pz" -v b="$(best_of 1 pigz_over "$dense")" \
         'BEGIN { printf "%.6f", a < b ? a : b }')
  echo "dense $dense_gib GiB dump: pooltriage-collect $(ms "$t_cw") -> $(size_mib "$work/whole.ptb")," \
       "pigz -1 $(ms "$t_pz") -> $(pigz -1 -c "$dense" | wc -c | awk '{ printf "%.2f MiB", $1 / 1048576 }')," \
       "pigz/collect $(ratio "$t_pz" "$t_cw")"
  rm -f "$dense" "$blob" "$work/head.dmp" "$work/whole.ptb"
fi
rmdir "$work" 2>/dev/null || true
