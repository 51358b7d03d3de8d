#!/bin/sh
# run-pe.sh - driver files: metadata and call-site evidence for all tags of
# 500 driver files (bench_pe) against `grep -l -F TAG` for one tag over the
# same files, in the same run.  Aim: no more than 3x grep's time.
#
#   bench/run-pe.sh BUILD_DIR [TAG]
#
# The 500 files are the test drivers built by the tests (tests/unit/pe) and
# Wine's x64 PE modules between 16 KB and 2 MB (ntoskrnl.exe, hal.dll, the
# .sys files, then DLLs), repeated until there are 500.
set -eu
build=${1:?usage: run-pe.sh BUILD_DIR [TAG]}
tag=${2:-Leak}
bench=$build/bench/bench_pe
drivers=$build/tests/unit/pe/drivers
wine=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
[ -x "$bench" ] || { echo "run-pe.sh: build bench_pe first ($bench)" >&2; exit 1; }
[ -d "$drivers" ] || { echo "run-pe.sh: build the test drivers first (pe_test_drivers)" >&2; exit 1; }
[ -d "$wine" ] || { echo "run-pe.sh: wine64 is not installed ($wine)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/drivers"
{
  ls "$drivers"/*.sys
  ls "$wine"/*.sys "$wine/ntoskrnl.exe" "$wine/hal.dll"
  find "$wine" -maxdepth 1 -name '*.dll' -size +16k -size -2048k | sort
} > "$work/pool"
n=0
while [ $n -lt 500 ]; do
  while read -r f && [ $n -lt 500 ]; do
    n=$((n + 1))
    cp "$f" "$work/drivers/$(printf '%03d' $n)-$(basename "$f")"
  done < "$work/pool"
done
bytes=$(cat "$work/drivers"/* | wc -c)
echo "corpus: 500 files, $bytes bytes (test drivers and Wine PE modules)"

now() { date +%s.%N; }
best() { # best of 5 runs of "$@", in seconds
  b=
  for i in 1 2 3 4 5; do
    s=$(now); "$@" > /dev/null; e=$(now)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
cat "$work/drivers"/* > /dev/null   # warm the page cache for both
grep_t=$(best grep -l -F "$tag" -r "$work/drivers")
grep_files=$(grep -l -F "$tag" -r "$work/drivers" | wc -l)
all_t=$(best "$bench" "$work/drivers")
nohash_t=$(best "$bench" --no-hash "$work/drivers")
meta_t=$(best "$bench" --metadata-only "$work/drivers")
force_t=$(best "$bench" --decode-all "$work/drivers")
"$bench" "$work/drivers"
printf 'grep -l -F %s (one tag):                 %.3f s  (%s files named)\n' "$tag" "$grep_t" "$grep_files"
printf 'bench_pe: metadata+SHA-256+all call sites: %.3f s  = %.2fx grep\n' "$all_t" "$(echo "$all_t / $grep_t" | bc -l)"
printf 'bench_pe: the same without SHA-256:        %.3f s  = %.2fx grep\n' "$nohash_t" "$(echo "$nohash_t / $grep_t" | bc -l)"
printf 'bench_pe: metadata only (with SHA-256):    %.3f s  = %.2fx grep\n' "$meta_t" "$(echo "$meta_t / $grep_t" | bc -l)"
printf 'bench_pe: all, decoding every file'"'"'s code:  %.3f s  = %.2fx grep (worst case: as if all imported pool APIs)\n' "$force_t" "$(echo "$force_t / $grep_t" | bc -l)"
