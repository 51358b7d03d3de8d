#!/usr/bin/env bash
# test_etl_report.sh - pool traces end to end: etlgen -> pooltriage-collect
# -> pooltriage import -> pooltriage report, checked against the
# generator's ground truth; and the real traces of shared/data/real/etl,
# which hold no pool events.
#
#   test_etl_report.sh ETLGEN COLLECT POOLTRIAGE XMLLINT SCHEMA_XSD [SQLITE3]
#
# Runs in a fresh scratch directory under $PT_BUILD_DIR (or /tmp); prints
# "N passed, N failed" like the C tests and exits non-zero on a failure.
set -u

ETLGEN=$1 COLLECT=$2 PT=$3 XMLLINT=$4 XSD=$5 SQLITE=${6:-sqlite3}
REAL=${PT_REAL_DATA:?PT_REAL_DATA is not set}
TMP=$(mktemp -d "${PT_BUILD_DIR:-/tmp}/test_etl_report.XXXXXX") || exit 1
passed=0 failed=0

check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $1: expected '$2', got '$3'"
  fi
}

run() { # run a step; its failure is a test failure with its output
  if ! "$@" > "$TMP/step.out" 2>&1; then
    failed=$((failed + 1))
    echo "FAIL: $* exited non-zero:"
    cat "$TMP/step.out"
    return 1
  fi
  passed=$((passed + 1))
}

# xp FILE XPATH: the string value (the report has a default namespace)
xp() { "$XMLLINT" --xpath "string($2)" "$1" 2>/dev/null; }
el() { echo "//*[local-name()='$1']"; }

truth() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# ---- a generated trace with a known leak ----
# x64, 4 CPUs, compressed buffers, a stack walk per event; 'Leak' leaks
# one 4096-byte allocation every 50 steps among balanced tags.
generated_leak() {
  local d=$TMP/gen
  mkdir -p "$d"
  run "$ETLGEN" "$d/leak.etl" --cpus 4 --compress --walks --steps 40000 --leak-every 50 \
    --window 400 || return
  cp "$TMP/step.out" "$d/truth"
  check "generator wrote compressed buffers" 1 \
    "$(awk '$1 == "compressed" { print ($2 > 0) }' "$d/truth")"
  run "$COLLECT" "$d/leak.etl" -o "$d/leak.bundle" --host etlhost || return
  run "$PT" import "$d/leak.bundle" --case leak --db "$d/case.db" || return
  run "$PT" report leak --db "$d/case.db" --xml "$d/r.xml" --html "$d/r.html" || return
  run "$XMLLINT" --noout --schema "$XSD" "$d/r.xml"

  local x=$d/r.xml s l
  s="$(el suspect)[1]"
  l="$(el leakedStack)[1]"
  check "first suspect's tag" Leak "$(xp "$x" "$s/@tag")"
  check "first suspect's verdict" leaking "$(xp "$x" "$s/@verdict")"
  check "first suspect's outstanding" "$(truth "$d/truth" leak_allocs)" \
    "$(xp "$x" "$s/@outstanding")"
  check "first suspect's bytes" "$(truth "$d/truth" leak_bytes)" "$(xp "$x" "$s/@bytes")"
  check "first candidate's driver" myfault.sys "$(xp "$x" "$s$(el candidate)[1]/@driver")"
  check "first candidate's evidence" stack "$(xp "$x" "$s$(el candidate)[1]/@evidence")"
  check "leaked stacks" 1 "$(xp "$x" "count($(el leakedStack))")"
  check "leaked stack's tag" Leak "$(xp "$x" "$l/@tag")"
  check "leaked stack's count" "$(truth "$d/truth" leak_allocs)" "$(xp "$x" "$l/@count")"
  check "leaked stack's bytes" "$(truth "$d/truth" leak_bytes)" "$(xp "$x" "$l/@bytes")"
  check "leaked stack's module" myfault.sys "$(xp "$x" "$l/@module")"
  check "leaked stack's offset" "$(truth "$d/truth" leak_offset)" "$(xp "$x" "$l/@offset")"
  check "leaked stack's frames name the driver" 1 \
    "$(xp "$x" "$l/*" | grep -c 'myfault\.sys+0x')"
  # the series: one sample per resolution step and the closing one, charted
  check "series of the leaking tag charted" 1 \
    "$(grep -c '<section id="chart">' "$d/r.html")"
  check "chart draws lines" 1 "$(grep -c 'polyline class="line"' "$d/r.html" | sed 's/^[1-9][0-9]*$/1/')"
  check "HTML shows the leaked stack" 1 "$(grep -c '<section id="stacks">' "$d/r.html")"
}

# ---- a damaged archive: clear errors, no report ----
# The archive is edited by hand with the sqlite3 shell.
damaged_archive() {
  local d=$TMP/gen
  [ -f "$d/case.db" ] || return
  cp "$d/case.db" "$d/depth.db"
  run "$SQLITE" "$d/depth.db" "UPDATE stacks SET depth = depth + 1" || return
  if "$PT" report leak --db "$d/depth.db" --xml "$d/bad.xml" > "$TMP/step.out" 2>&1; then
    check "stack depth beyond its frames: report fails" nonzero 0
  else
    check "stack depth beyond its frames: message" 1 \
      "$(grep -c 'stack [0-9]* has depth [0-9]* but [0-9]* bytes of frames' "$TMP/step.out")"
  fi
  cp "$d/case.db" "$d/pool.db"
  run "$SQLITE" "$d/pool.db" "UPDATE allocations SET pool = 7 WHERE rowid = (SELECT max(rowid) FROM allocations)" || return
  if "$PT" report leak --db "$d/pool.db" --xml "$d/bad.xml" > "$TMP/step.out" 2>&1; then
    check "allocation with pool type 7: report fails" nonzero 0
  else
    check "allocation with pool type 7: message" 1 \
      "$(grep -c 'has pool type 7, which is none of the four' "$TMP/step.out")"
  fi
}

# ---- a few leaks the series alone does not call leaking ----
# x86, 2 CPUs, uncompressed, stack keys: 10 leaked allocations of 4 KiB
# (less than the 64 KiB a "leaking" verdict needs).
generated_few() {
  local d=$TMP/few x s
  mkdir -p "$d"
  run "$ETLGEN" "$d/few.etl" --x86 --cpus 2 --keys --steps 20000 --leak-every 2000 \
    --window 500 || return
  cp "$TMP/step.out" "$d/truth"
  run "$COLLECT" "$d/few.etl" -o "$d/few.bundle" --host etlhost || return
  run "$PT" import "$d/few.bundle" --case few --db "$d/case.db" || return
  run "$PT" report few --db "$d/case.db" --xml "$d/r.xml" || return
  run "$XMLLINT" --noout --schema "$XSD" "$d/r.xml"
  x=$d/r.xml
  s="$(el suspect)[1]"
  check "few: first suspect's tag" Leak "$(xp "$x" "$s/@tag")"
  check "few: verdict" leaked-allocations "$(xp "$x" "$s/@verdict")"
  check "few: outstanding" "$(truth "$d/truth" leak_allocs)" "$(xp "$x" "$s/@outstanding")"
  check "few: bytes" "$(truth "$d/truth" leak_bytes)" "$(xp "$x" "$s/@bytes")"
  check "few: candidate" "myfault.sys stack" \
    "$(xp "$x" "$s$(el candidate)[1]/@driver") $(xp "$x" "$s$(el candidate)[1]/@evidence")"
  check "few: leaked stack's offset" "$(truth "$d/truth" leak_offset)" \
    "$(xp "$x" "$(el leakedStack)[1]/@offset")"
  check "few: summary names the trace's leak and its driver" 1 \
    "$(xp "$x" "$(el summary)" | grep -c "^Tag 'Leak' (nonpaged) left $(truth "$d/truth" leak_allocs) allocations .* outstanding at the end of the pool trace, most of them allocated from myfault.sys+")"
}

# ---- the real traces: no pool events, said so ----
real_traces() {
  local d=$TMP/real f name
  mkdir -p "$d"
  run unzip -q -o "$REAL/etl/net.4.5.2.x64.etl.zip" net.4.5.2.x64.etl -d "$d" || return
  for f in "$REAL/etl/ShutdownPerfDiagLogger.etl" "$REAL/etl/SelfDescribingSingleEvent.etl" \
           "$d/net.4.5.2.x64.etl"; do
    name=$(basename "$f")
    run "$COLLECT" "$f" -o "$d/$name.bundle" --host realhost || continue
    run "$PT" import "$d/$name.bundle" --case real --db "$d/case.db" || continue
    check "$name: import line" "1 sources, 1 samples, 0 tag rows" \
      "$(grep -o '1 sources, [0-9]* samples, [0-9]* tag rows' "$TMP/step.out")"
  done
  run "$PT" report real --db "$d/case.db" --xml "$d/r.xml" || return
  run "$XMLLINT" --noout --schema "$XSD" "$d/r.xml"
  for name in ShutdownPerfDiagLogger.etl SelfDescribingSingleEvent.etl net.4.5.2.x64.etl; do
    check "$name: no pool events" 1 \
      "$(xp "$d/r.xml" "count($(el fact)[@name='Pool trace'][contains(., 'evidence/$name: no pool events')])")"
  done
  check "real: no suspects" 0 "$(xp "$d/r.xml" "count($(el suspect))")"
  check "real: no leaked stacks" 0 "$(xp "$d/r.xml" "count($(el leakedStack))")"
}

generated_leak
damaged_archive
generated_few
real_traces
echo "$passed passed, $failed failed"
if [ "$failed" -eq 0 ]; then
  rm -rf "$TMP"
else
  echo "scratch kept: $TMP"
fi
[ "$failed" -eq 0 ]
