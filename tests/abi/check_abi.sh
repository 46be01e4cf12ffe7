#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The ABI check (ctest abi.diff): compares the built libltv.so with the committed baseline
# tests/abi/libltv.abi (libabigail's abidw XML) and fails on anything but additions.
#   additions of functions, and option/report structs growing at their end  -> pass
#   a function removed, a signature or struct layout changed, a new SONAME   -> fail
# An intended break is recorded by scripts/abi-baseline, which also requires the SONAME bump and a
# CHANGELOG.md entry; see docs/abi.md.
# Usage: check_abi.sh LIBRARY SOURCE_DIR
set -uo pipefail
lib=$1
src=$2
baseline="$src/tests/abi/libltv.abi"
supp="$src/tests/abi/suppressions.abignore"
# shellcheck source=abi_compare.sh
. "$(dirname "$0")/abi_compare.sh"

for tool in abidw abidiff readelf; do
  command -v "$tool" >/dev/null || { echo "abi: '$tool' not found: install abigail-tools and binutils (scripts/setup)"; exit 1; }
done
[ -f "$baseline" ] || { echo "abi: no baseline $baseline (create it with scripts/abi-baseline)"; exit 1; }

soname=$(readelf -d "$lib" | sed -nE 's/.*\(SONAME\).*\[(.*)\]/\1/p')
base_soname=$(sed -nE "s/.*<abi-corpus [^>]*soname='([^']*)'.*/\1/p" "$baseline" | head -n 1)
if [ "$soname" != "$base_soname" ]; then
  echo "abi: the library's SONAME is $soname but the baseline is for $base_soname."
  echo "     A new SONAME means a new ABI: record it with scripts/abi-baseline (docs/abi.md)."
  exit 1
fi

version=$(sed -nE 's/^#define LTV_VERSION_STRING "([^"]+)"$/\1/p' "$src/include/ltv/ltv.h")
if ! grep -qE "^## \[?$version\]?( |$)" "$src/CHANGELOG.md"; then
  echo "abi: CHANGELOG.md has no section '## $version' for the version in include/ltv/ltv.h"
  exit 1
fi

report=$(abi_compare "$baseline" "$lib" "$src/include/ltv")
rc=$?
# abidiff's status is a bit mask: 1 error, 2 usage error, 4 ABI change, 8 incompatible change.
if ((rc != 0)); then
  echo "$report"
  if ((rc & 3)); then
    echo "abi: abidiff failed (status $rc)"
  else
    echo "abi: libltv.so breaks the ABI of $base_soname (abidiff status $rc)."
    echo "     Keep the old functions and struct layouts (add new ones instead), or make the break"
    echo "     deliberate: bump the version (docs/abi.md), run scripts/abi-baseline, add a"
    echo "     CHANGELOG.md entry, all in the same commit."
  fi
  exit 1
fi
added=$(abidiff --suppressions "$supp" --headers-dir2 "$src/include/ltv" "$baseline" "$lib" 2>&1 |
  grep -cE '^ *\[A\] ')
echo "abi: libltv.so ($soname) keeps the ABI of the baseline; functions added since: $added"
