#!/usr/bin/env bash
# Cross-builds pooltriage-collect.exe for 64-bit Windows with mingw-w64, linked
# statically against zlib and Zydis so that it runs with nothing installed.
#
#   bash .ci/build-windows.sh [--no-install] [--no-check] [--unit-tests]
#
# 1. installs what it needs from Debian's packages (as root, or via sudo);
# 2. builds Zydis for mingw from Debian's source package (deb-src entry added
#    if none exists) into build-win/deps/prefix, with a CMake package config,
#    so that collector/pe's find_package(zydis) finds the Windows build;
# 3. configures with cmake/mingw-w64-x86_64.cmake and -DPT_COLLECTOR_ONLY=ON
#    and builds pooltriage-collect.exe;
# 4. checks that the .exe imports only Windows' own DLLs and, when wine is
#    installed: runs the platform layer's unit test as a Windows program,
#    runs the collector (--help), collects the real seed outputs and wine's
#    own System32\drivers with it (and compares with Linux, see below);
#    with --unit-tests, also cross-builds the collector modules' unit tests
#    and runs them under wine.
# Environment: PT_WIN_BUILD (build dir, default build-win), PT_JOBS,
# PT_REAL_DATA (shared/data/real), PT_POOLTRIAGE (a Linux pooltriage: the
# bundle collected under wine is then imported with it), PT_DRIVER_FIXTURES
# (a directory of .sys files) with PT_NATIVE_COLLECT (a Linux
# pooltriage-collect): their driver evidence must be the same from both.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${PT_WIN_BUILD:-$root/build-win}
deps=$build/deps
prefix=$deps/prefix
triple=x86_64-w64-mingw32
jobs=${PT_JOBS:-$(nproc 2>/dev/null || echo 2)}
do_install=1
do_check=1
do_unit=0
for arg in "$@"; do
  case $arg in
    --no-install) do_install=0 ;;
    --no-check) do_check=0 ;;
    --unit-tests) do_unit=1 ;;
    *) echo "usage: $0 [--no-install] [--no-check] [--unit-tests]" >&2; exit 2 ;;
  esac
done

say() { printf '== %s\n' "$*"; }
die() { printf 'build-windows: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_get() {
  # Another apt run (CI images, a colleague) may hold the lock: wait for it.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

packages="cmake make dpkg-dev gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
  mingw-w64-x86-64-dev libz-mingw-w64-dev libzycore-dev wine64"

install_packages() {
  local missing=""
  for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    say "installing:$missing"
    apt_get update -qq
    # shellcheck disable=SC2086
    apt_get install -y --no-install-recommends $missing
  fi
}

# apt-get source needs a deb-src entry; Debian images ship only "deb" ones.
# Add one with the same URIs, suites and keyring as the image's own sources.
enable_deb_src() {
  if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  local src=/etc/apt/sources.list.d/debian.sources
  [ -f "$src" ] || die "no deb-src entry and no $src to derive one from; add a deb-src line for Debian's main archive"
  say "adding a deb-src entry derived from $src"
  sed -e 's/^Types: deb$/Types: deb-src/' "$src" |
    as_root tee /etc/apt/sources.list.d/pooltriage-deb-src.sources >/dev/null
  apt_get update -qq
}

# Zydis 4 for mingw: every file of src/ (decoder, formatter, encoder). It needs
# only Zycore's headers (taken from libzycore-dev, which are target-neutral),
# not the Zycore library; Debian's zycore-c source tarball is not needed.
build_zydis() {
  if [ -f "$prefix/lib/libZydis.a" ] && [ -f "$prefix/lib/cmake/zydis/zydis-config.cmake" ]; then
    say "Zydis for mingw already in $prefix"
    return 0
  fi
  mkdir -p "$deps/src" "$deps/obj" "$prefix/lib/cmake/zydis" "$prefix/include"
  if ! ls "$deps"/src/zydis_*.orig.tar.gz >/dev/null 2>&1; then
    [ "$do_install" -eq 1 ] && enable_deb_src
    say "fetching Debian's zydis source package"
    (cd "$deps/src" && apt-get source --download-only zydis) ||
      die "apt-get source zydis failed (is there a deb-src entry?)"
  fi
  local tarball srcdir
  tarball=$(ls "$deps"/src/zydis_*.orig.tar.gz | head -n 1)
  rm -rf "$deps/src/tree" && mkdir -p "$deps/src/tree"
  tar xzf "$tarball" -C "$deps/src/tree"
  srcdir=$(find "$deps/src/tree" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  [ -f "$srcdir/src/Decoder.c" ] || die "unexpected layout in $tarball"
  [ -d /usr/include/Zycore ] || die "Zycore headers missing (libzycore-dev)"

  rm -rf "$prefix/include/Zydis" "$prefix/include/Zycore"
  cp -r "$srcdir/include/Zydis" "$prefix/include/"
  cp -r /usr/include/Zycore "$prefix/include/"

  say "building Zydis with $triple-gcc"
  rm -f "$deps"/obj/*.o
  local f
  for f in "$srcdir"/src/*.c; do
    "$triple-gcc" -O2 -DNDEBUG -DZYDIS_STATIC_BUILD -DZYCORE_STATIC_BUILD \
      -I"$srcdir/include" -I"$srcdir/src" -I"$prefix/include" \
      -c "$f" -o "$deps/obj/$(basename "$f" .c).o"
  done
  rm -f "$prefix/lib/libZydis.a"
  "$triple-ar" rcs "$prefix/lib/libZydis.a" "$deps"/obj/*.o

  # The same target name as Debian's Linux package (Zydis::Zydis), so that
  # find_package(zydis) + Zydis::Zydis works unchanged for both builds.
  local version
  version=$(basename "$tarball" | sed -e 's/^zydis_//' -e 's/\.orig\.tar\.gz$//')
  cat >"$prefix/lib/cmake/zydis/zydis-config.cmake" <<CFG
# Written by .ci/build-windows.sh: Zydis $version built with mingw-w64, static.
get_filename_component(_zydis_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET Zydis::Zydis)
  add_library(Zydis::Zydis STATIC IMPORTED)
  set_target_properties(Zydis::Zydis PROPERTIES
    IMPORTED_LOCATION "\${_zydis_prefix}/lib/libZydis.a"
    INTERFACE_INCLUDE_DIRECTORIES "\${_zydis_prefix}/include"
    INTERFACE_COMPILE_DEFINITIONS "ZYDIS_STATIC_BUILD;ZYCORE_STATIC_BUILD")
endif()
set(zydis_FOUND TRUE)
unset(_zydis_prefix)
CFG
  cat >"$prefix/lib/cmake/zydis/zydis-config-version.cmake" <<CFG
set(PACKAGE_VERSION "$version")
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
CFG
}

configure_and_build() {
  say "configuring $build"
  PT_MINGW_PREFIX=$prefix cmake -S "$root" -B "$build" \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
    -DPT_MINGW_PREFIX="$prefix" -DPT_COLLECTOR_ONLY=ON \
    -DCMAKE_BUILD_TYPE=Release
  say "building pooltriage-collect.exe"
  cmake --build "$build" --target pooltriage-collect -j "$jobs"
}

exe_path() {
  find "$build" -name pooltriage-collect.exe -type f -not -path "*/deps/*" | head -n 1
}

# Windows' own DLLs (present on every Windows Server since 2008 R2). Anything
# else imported (libgcc_s, libwinpthread, zlib1, a Zydis DLL) fails the build.
system_dlls="kernel32.dll msvcrt.dll advapi32.dll user32.dll ws2_32.dll bcrypt.dll
  crypt32.dll version.dll shell32.dll ole32.dll ntdll.dll psapi.dll dbghelp.dll
  shlwapi.dll secur32.dll iphlpapi.dll wintrust.dll"
check_imports() {
  local exe=$1 bad=0 dll
  say "imports of $(basename "$exe")"
  while read -r dll; do
    printf '   %s\n' "$dll"
    case " $(echo $system_dlls) " in
      *" $(echo "$dll" | tr 'A-Z' 'a-z') "*) ;;
      *) echo "build-windows: $dll is not a Windows system DLL" >&2; bad=1 ;;
    esac
  done < <("$triple-objdump" -p "$exe" | sed -n 's/^[[:space:]]*DLL Name: //p')
  [ "$bad" -eq 0 ] || die "$exe must import only Windows system DLLs"
}

find_wine() {
  local w
  for w in wine64 /usr/lib/wine/wine64 wine; do
    if command -v "$w" >/dev/null 2>&1; then echo "$w"; return 0; fi
  done
  return 1
}

run_wine() {
  WINEDEBUG=-all WINEPREFIX=$deps/wineprefix "$wine" "$@"
}

# The platform layer's unit test (UTF-8 paths, positional reads, directory
# listing, host name), built with mingw against this build's pt_core and run
# under wine: the POSIX build runs the same test through ctest.
check_platform_test() {
  local exe=$build/test_platform.exe core
  core=$(find "$build/collector" -name 'libpt_core.a' | head -n 1)
  [ -n "$core" ] || die "libpt_core.a not found under $build/collector"
  say "building and running test_platform.exe under wine"
  "$triple-gcc" -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -D_FILE_OFFSET_BITS=64 -D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0601 \
    -Wall -Wextra -Wshadow -Wno-unused-parameter -Werror \
    -I"$root/collector/core" -I"$root/tests" "$root/tests/unit/platform/test_platform.c" \
    "$core" -L"/usr/$triple/lib" -l:libz.a -static -o "$exe"
  (cd "$build" && PT_BUILD_DIR=. PT_TEST_BIG_FILES=1 run_wine "$exe") ||
    die "test_platform.exe failed under wine"
}

# --help, then the real seed outputs collected into a bundle under wine.
check_runs() {
  local exe=$1 seed=${PT_REAL_DATA:-$root/../shared/data/real}/seed out=$build/wine-seed.bundle
  say "running $(basename "$exe") --help under $wine"
  run_wine "$exe" --help || die "$exe --help failed under wine"
  if [ ! -d "$seed" ]; then
    say "no real seed data at $seed: not collecting"
    return 0
  fi
  say "collecting the real seed outputs under wine -> $out"
  rm -f "$out"
  run_wine "$exe" --time 2015-03-10T23:30:00Z "$seed/ws2012r2-livekd-vm4.txt" \
    "$seed/ws2012r2-livekd-poolused-t5-2.txt" --time 2012-02-17T13:00:00Z \
    "$seed/ws2003-x86-lkd-vm1.txt" "$seed/ws2003-x86-lkd-poolused-t5-2.txt" -o "$out" ||
    die "collecting the seed files failed under wine"
  [ -s "$out" ] || die "no bundle written at $out"
  say "bundle $out: $(stat -c %s "$out") bytes"
  # The analyzer (Linux) must read what the Windows collector wrote.
  if [ -n "${PT_POOLTRIAGE:-}" ]; then
    rm -f "$build/wine-seed.db"
    say "importing it with $PT_POOLTRIAGE"
    "$PT_POOLTRIAGE" import "$out" --case wine-seed --db "$build/wine-seed.db" ||
      die "the bundle written under wine does not import"
    # Binary-exact I/O on Windows (no CRLF translation): the same files
    # collected on Linux (`pooltriage collect`) give the same member sizes
    # and hashes.
    local native=$build/native-seed.bundle a b
    rm -f "$native"
    "$PT_POOLTRIAGE" collect --time 2015-03-10T23:30:00Z "$seed/ws2012r2-livekd-vm4.txt" \
      "$seed/ws2012r2-livekd-poolused-t5-2.txt" --time 2012-02-17T13:00:00Z \
      "$seed/ws2003-x86-lkd-vm1.txt" "$seed/ws2003-x86-lkd-poolused-t5-2.txt" -o "$native" \
      >/dev/null || die "pooltriage collect of the seed files failed"
    a=$("$PT_POOLTRIAGE" inspect "$out" | grep -E '^ *(member [0-9]+:|manifest kind:)')
    b=$("$PT_POOLTRIAGE" inspect "$native" | grep -E '^ *(member [0-9]+:|manifest kind:)')
    [ -n "$a" ] && [ "$a" = "$b" ] ||
      die "members written under wine differ from those written on Linux:
$a
---
$b"
    say "member names, sizes and hashes match a Linux collection of the same files"
  fi
  # Driver evidence the Windows way: wine's own System32\drivers (PE files
  # decoded with the mingw build of Zydis).
  local drivers=$build/wine-drivers.bundle
  rm -f "$drivers"
  say "collecting C:\\windows\\system32\\drivers under wine -> $drivers"
  run_wine "$exe" --drivers 'C:\windows\system32\drivers' -o "$drivers" ||
    die "collecting wine's drivers failed under wine"
  [ -s "$drivers" ] || die "no bundle written at $drivers"
  if [ -n "${PT_POOLTRIAGE:-}" ]; then
    "$PT_POOLTRIAGE" inspect "$drivers" | grep -E '^ *modules: .*drivers: [1-9]' ||
      die "the drivers bundle written under wine names no driver"
  fi
  [ -n "${PT_DRIVER_FIXTURES:-}" ] && check_driver_fixtures "$exe"
  return 0
}

# Drivers with known call-site tags (the PE tests' fixtures, e.g.
# build/tests/unit/pe/drivers): the Windows collector must find exactly what
# the Linux one finds, call-site tags included (Zydis built with mingw).
check_driver_fixtures() {
  local exe=$1 dir=$build/driver-fixtures a b
  [ -n "${PT_POOLTRIAGE:-}" ] && [ -n "${PT_NATIVE_COLLECT:-}" ] ||
    die "PT_DRIVER_FIXTURES needs PT_POOLTRIAGE and PT_NATIVE_COLLECT"
  rm -rf "$dir" && mkdir -p "$dir/drv"
  cp "$PT_DRIVER_FIXTURES"/*.sys "$dir/drv/"
  say "collecting the driver fixtures under wine and on Linux"
  (cd "$dir" && run_wine "$exe" --drivers drv -o win.bundle >/dev/null) ||
    die "collecting the driver fixtures failed under wine"
  (cd "$dir" && "$PT_NATIVE_COLLECT" --drivers drv -o linux.bundle >/dev/null) ||
    die "collecting the driver fixtures failed on Linux"
  normalized() {
    "$PT_POOLTRIAGE" inspect --xml "$1" |
      grep -vE 'created|sha256|host|original_path|mtime|file path|bundle id' |
      sed 's|drv[\\/]||g'
  }
  a=$(normalized "$dir/win.bundle")
  b=$(normalized "$dir/linux.bundle")
  [ "$a" = "$b" ] || die "driver evidence differs between the Windows and Linux collectors
$(diff <(echo "$a") <(echo "$b") | head -n 20)"
  say "driver evidence identical: $(echo "$a" | grep -o 'callsite_tags">[0-9]*' | sed 's/.*>//') call-site tags"
}

# A Windows path for a Linux one (wine maps / to drive Z:).
winpath() { printf 'Z:%s' "$1" | tr '/' '\\'; }

# The collector modules' unit tests, cross-built and run as Windows programs
# under wine with the real inputs.  Tests whose own code is POSIX-only (they
# use mkdtemp, pwrite, open_memstream, fork...) do not build for Windows:
# they are listed, not failed; every test that builds must pass.
run_unit_tests() {
  local out=$build/unit src name dir extra status log
  local -a libs cflags not_built=() not_run=() failed=() passed=()
  mapfile -t libs < <(find "$build/collector" -name 'libpt_*.a' | sort)
  cflags=(-std=c11 -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64
          -D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0601 -DZYDIS_STATIC_BUILD
          -DZYCORE_STATIC_BUILD -Wall -Wno-unused-parameter -I"$root/tests" -I"$root/tests/gen"
          -I"$prefix/include")
  for dir in "$root"/collector/*/; do cflags+=(-I"$dir"); done
  rm -rf "$out" && mkdir -p "$out"
  say "unit tests of the collector modules, under wine"
  for src in "$root"/tests/unit/{core,platform,text,bundle,pe,dump,etl}/test_*.c; do
    [ -f "$src" ] || continue
    name=$(basename "$src" .c)
    extra=()
    grep -qE 'dumpgen\.h|dump_gen_check\.h' "$src" && extra+=("$root/tests/gen/dumpgen.c")
    grep -q '"etlgen.h"' "$src" && extra+=("$root/tests/gen/etlgen.c")
    if ! "$triple-gcc" "${cflags[@]}" "$src" "${extra[@]}" -Wl,--start-group "${libs[@]}" \
         -Wl,--end-group "$prefix/lib/libZydis.a" -L"/usr/$triple/lib" -l:libz.a -lpthread \
         -static -o "$out/$name.exe" >"$out/$name.build.log" 2>&1; then
      not_built+=("$name ($(grep -m1 -oE "(undefined reference to .[a-z_]+.|fatal error: [^ ]+|error: .{0,60})" \
                   "$out/$name.build.log" || echo "see $out/$name.build.log"))")
      continue
    fi
    if grep -q 'PT_PE_DRIVERS' "$src" && [ -z "${PT_DRIVER_FIXTURES:-}" ]; then
      not_run+=("$name (needs PT_DRIVER_FIXTURES)")
      continue
    fi
    log=$out/$name.log
    status=0
    (cd "$out" && PT_REAL_DATA=$(winpath "${PT_REAL_DATA:-$root/../shared/data/real}") \
       PT_TEST_DATA=$(winpath "$root/tests/data") PT_SOURCE_DIR=$(winpath "$root") \
       PT_BUILD_DIR=. PT_PE_DRIVERS=$(winpath "${PT_DRIVER_FIXTURES:-/nonexistent}") \
       PT_TEST_BIG_FILES=1 timeout 600 env WINEDEBUG=-all WINEPREFIX="$deps/wineprefix" \
       "$wine" "./$name.exe") >"$log" 2>&1 || status=$?
    if [ "$status" -eq 0 ]; then
      passed+=("$name: $(tail -n 1 "$log")")
    else
      failed+=("$name (exit $status): $(tail -n 1 "$log")")
    fi
  done
  local line
  for line in "${passed[@]+"${passed[@]}"}"; do printf '   pass      %s\n' "$line"; done
  for line in "${not_run[@]+"${not_run[@]}"}"; do printf '   not run   %s\n' "$line"; done
  for line in "${not_built[@]+"${not_built[@]}"}"; do printf '   no build  %s\n' "$line"; done
  for line in "${failed[@]+"${failed[@]}"}"; do printf '   FAIL      %s\n' "$line"; done
  [ "${#failed[@]}" -eq 0 ] || die "${#failed[@]} unit test(s) failed under wine (logs in $out)"
  [ "${#passed[@]}" -gt 0 ] || die "no unit test built for Windows"
}

[ "$do_install" -eq 1 ] && install_packages
build_zydis
configure_and_build
exe=$(exe_path)
[ -n "$exe" ] || die "pooltriage-collect.exe was not built"
if [ "$do_check" -eq 1 ]; then
  check_imports "$exe"
  if wine=$(find_wine); then
    check_platform_test
    check_runs "$exe"
    [ "$do_unit" -eq 0 ] || run_unit_tests
  else
    say "wine not installed: not running the Windows programs"
  fi
fi
say "built $exe"
