#!/usr/bin/env bash
# A dump cut short (a copy that stopped, a disk that filled): import refuses
# it and leaves the archive as it was; import --partial takes what the reader
# can still read, and the sample carries the reader's warnings.
# usage: test_partial_dump.sh DUMPGEN COLLECT POOLTRIAGE SCRATCH
set -u
dumpgen=$1 collect=$2 pt=$3 tmp=$4
rm -rf "$tmp" && mkdir -p "$tmp"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }

"$dumpgen" -a x64 -k full -m 4 "$tmp/whole.dmp" >/dev/null || { echo "dumpgen failed"; exit 1; }
size=$(stat -c %s "$tmp/whole.dmp")
cp --sparse=always "$tmp/whole.dmp" "$tmp/cut.dmp" && truncate -s $((size * 6 / 10)) "$tmp/cut.dmp"
"$collect" "$tmp/cut.dmp" -o "$tmp/cut.bundle" >/dev/null
check "collect of a cut dump" "[ -s '$tmp/cut.bundle' ]"
# An archive that already holds a case, so "unchanged" means something.
"$collect" "$(dirname "$0")/../../data/text/pooltag-sample.txt" -o "$tmp/first.bundle" >/dev/null
"$pt" import "$tmp/first.bundle" --case cut --db "$tmp/a.db" >/dev/null
cp "$tmp/a.db" "$tmp/before.db"

"$pt" import "$tmp/cut.bundle" --case cut --db "$tmp/a.db" >"$tmp/out1" 2>"$tmp/err1"
rc=$?
check "strict import refused with PT_ERR_PARTIAL (14), got $rc" "[ $rc -eq 14 ]"
check "message says --partial" "grep -q 'import --partial' '$tmp/err1'"
check "archive unchanged" "cmp -s '$tmp/a.db' '$tmp/before.db'"

"$pt" import "$tmp/cut.bundle" --case cut --db "$tmp/a.db" --partial >"$tmp/out2" 2>"$tmp/err2"
rc=$?
check "partial import succeeds, got $rc" "[ $rc -eq 0 ]"
check "partial import names its warnings" "grep -q 'warnings' '$tmp/out2'"
n=$(sqlite3 "$tmp/a.db" "SELECT count(*) FROM warnings WHERE source_name LIKE '%cut.dmp%';")
check "warnings stored for the cut dump ($n)" "[ '${n:-0}' -gt 0 ]"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
