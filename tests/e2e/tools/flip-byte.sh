#!/usr/bin/env bash
# flip-byte.sh IN OUT [OFFSET|middle|last]: copies IN to OUT with the bits of
# one byte inverted (default: the middle byte), to make a tampered file.
set -euo pipefail
in=$1 out=$2 where=${3:-middle}
size=$(stat -c %s "$in")
[ "$size" -gt 0 ] || { echo "flip-byte: $in is empty" >&2; exit 1; }
case $where in
  middle) off=$((size / 2)) ;;
  last) off=$((size - 1)) ;;
  *) off=$where ;;
esac
[ "$off" -lt "$size" ] || { echo "flip-byte: offset $off is past the end of $in" >&2; exit 1; }
cp "$in" "$out"
old=$(od -An -tu1 -j "$off" -N1 "$in" | tr -d ' \n')
new=$((old ^ 0xFF))
# shellcheck disable=SC2059
printf "$(printf '\\%03o' "$new")" | dd of="$out" bs=1 seek="$off" conv=notrunc status=none
echo "flipped byte $off of $in: $old -> $new"
