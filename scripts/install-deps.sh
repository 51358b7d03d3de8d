#!/usr/bin/env bash
# Installs everything pooltriage needs to build, test and benchmark, from
# Debian's packages.  Safe to run again; does nothing when all is there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  zlib1g-dev libsqlite3-dev libxml2-dev libxml2-utils sqlite3
  libzydis-dev libzycore-dev
  clang lld llvm libclang-rt-14-dev
  mingw-w64 libz-mingw-w64-dev
  wine64 python3 python3-pefile osslsigncode openssl
  pigz unzip gzip bc
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
