#!/bin/sh
# test_tags_cli.sh - `pooltriage tags` on the test drivers: the CSV header
# and columns, call sites before tag-file entries before literals, a tag
# file's entries matched by binary name (with a ? wildcard), files that are
# not PE named on stderr while the scan goes on, and the exit statuses.
#   test_tags_cli.sh POOLTRIAGE DRIVERS_DIR WORK_DIR
set -u
pt=$1
drivers=$2
work=$3/tags-cli
fail=0
check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL $1"; echo "  expected: $2"; echo "  actual:   $3"; fail=1
  fi
}
rm -rf "$work" && mkdir -p "$work/drv" || exit 1
cp "$drivers"/kmdfdrv.sys "$drivers"/kmdfdrv32.sys "$drivers"/testdrv32.sys "$work/drv/"
printf 'not a driver\n' > "$work/drv/broken.sys"
printf 'rem test tags\nKmdM - kmdfdrv.sys - KMDF memory (test)\nLea? - testdrv32.sys - wildcard\nZzzz - nothere.sys - absent\n' > "$work/pooltag.txt"
cd "$work" || exit 1

out=$("$pt" tags --drivers drv --tag KmdM --csv --pooltag pooltag.txt 2> err.txt)
check "status" 0 $?
# Columns 1-4 exactly; the RVAs (5, 6) are hex for call sites and empty otherwise.
check "csv" "driver,tag,evidence,api
drv/kmdfdrv.sys,KmdM,callsite,WdfMemoryCreate
drv/kmdfdrv32.sys,KmdM,callsite,WdfMemoryCreate
drv/kmdfdrv.sys,KmdM,tagfile,
drv/kmdfdrv.sys,KmdM,literal,
drv/kmdfdrv32.sys,KmdM,literal," "$(echo "$out" | cut -d, -f1-4)"
check "rvas" "function_rva,call_rva
hex
hex
,
,
," "$(echo "$out" | cut -d, -f5-6 | sed 's/^0x[0-9A-F]*,0x[0-9A-F]*$/hex/')"
check "broken file named" 1 "$(grep -c 'drv/broken.sys.*not a PE file' err.txt)"

out=$("$pt" tags --drivers drv --tag Leak --pooltag pooltag.txt 2>/dev/null)
check "findstr line" "Tag Leak  (findstr /m /l would name 1 file(s))" "$(echo "$out" | head -1)"
check "wildcard tag-file entry" 1 "$(echo "$out" | grep -c 'testdrv32.sys *tagfile *pooltag.txt: Lea? - wildcard')"

# All tags: every call-site tag of testdrv32.sys and kmdfdrv*.sys, each once.
tags=$("$pt" tags --drivers drv --csv 2>/dev/null | awk -F, '$3=="callsite"{print $2}' | sort -u | tr '\n' ' ')
check "all call-site tags" "Glob KmdE KmdL KmdM Leak Pol2 Qota Rodt TLas TPri Wrp1 Wrp2 " "$tags"

"$pt" tags --drivers nowhere > /dev/null 2>&1
check "missing dir status" 2 $?
"$pt" tags --drivers drv --tag TooLong > /dev/null 2>&1
check "bad tag status" 1 $?
"$pt" tags > /dev/null 2>&1
check "no --drivers status" 1 $?
[ $fail = 0 ] && echo "tags CLI: all checks passed"
exit $fail
