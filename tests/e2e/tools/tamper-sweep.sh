#!/usr/bin/env bash
# tamper-sweep.sh POOLTRIAGE BUNDLE DB STEP: for every STEP-th byte of BUNDLE,
# imports a copy with that byte inverted into DB and checks that the import
# is refused (non-zero status) and that DB keeps the same bytes.  Prints each
# offset that was accepted or changed the archive; exits 1 if there was any.
set -euo pipefail
pooltriage=$1 bundle=$2 db=$3 step=$4
dir=$(dirname "$db")
work=$dir/sweep
mkdir -p "$work"
cp "$db" "$work/before.db"
size=$(stat -c %s "$bundle")
tried=0 bad=0
for ((off = 0; off < size; off += step)); do
  "$(dirname "$0")/flip-byte.sh" "$bundle" "$work/t.bundle" "$off" >/dev/null
  tried=$((tried + 1))
  if "$pooltriage" import "$work/t.bundle" --case sweep --db "$db" >"$work/out" 2>&1; then
    echo "accepted: byte $off inverted: $(head -n 1 "$work/out")"
    bad=$((bad + 1))
  fi
  if ! cmp -s "$db" "$work/before.db"; then
    echo "archive changed: byte $off inverted"
    bad=$((bad + 1))
    cp "$work/before.db" "$db"
  fi
done
echo "$tried tampered variants of $(basename "$bundle") ($size bytes, every ${step}th byte): $bad problems"
[ "$bad" -eq 0 ]
