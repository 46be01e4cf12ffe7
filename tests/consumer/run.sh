#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the build into a scratch prefix, then builds and runs two out-of-tree consumers of it:
# one through find_package(ltv) (a C program on ltv::ltv_c and a C++ one on ltv::ltv) and one
# through pkg-config (a C99 program compiled with `pkg-config --cflags --libs ltv`).
# Usage: run.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" >"$work/install.log"

echo "== find_package(ltv)"
cmake -S "$here" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  >"$work/configure.log"
cmake --build "$work/cmake" >"$work/build.log"
"$work/cmake/consumer_c"
"$work/cmake/consumer_cpp"

echo "== version compatibility: while the major is 0, another minor is another ABI"
mkdir -p "$work/compat"
printf '%s\n' 'cmake_minimum_required(VERSION 3.25)' 'project(compat LANGUAGES NONE)' \
  'find_package(ltv ${WANT} QUIET CONFIG)' 'if(ltv_FOUND)' '  message(STATUS "compat: found ${ltv_VERSION}")' \
  'else()' '  message(STATUS "compat: not found")' 'endif()' >"$work/compat/CMakeLists.txt"
version=$(sed -nE 's/^#define LTV_VERSION_STRING "([0-9.]+)"$/\1/p' "$prefix/include/ltv/ltv.h")
major=${version%%.*}; rest=${version#*.}; minor=${rest%%.*}
check_compat() {  # WANT expected
  rm -rf "$work/compat/b"
  local out
  out=$(cmake -S "$work/compat" -B "$work/compat/b" -DCMAKE_PREFIX_PATH="$prefix" -DWANT="$1" | grep 'compat:')
  if [[ $out != *"$2"* ]]; then echo "find_package(ltv $1): expected '$2', got '$out'"; exit 1; fi
}
check_compat "$major.$minor" "found $version"
if ((major == 0)); then
  check_compat "0.$((minor + 1))" "not found"
  ((minor == 0)) || check_compat "0.$((minor - 1))" "not found"
fi

echo "== pkg-config ltv"
pcdir=$(dirname "$(find "$prefix" -name ltv.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
# shellcheck disable=SC2046  # word splitting of pkg-config's flags is intended
cc -std=c99 -Wall -Wextra -Wpedantic -Werror "$here/consumer.c" -o "$work/consumer_pc" \
  $(pkg-config --cflags --libs ltv) -lm
LD_LIBRARY_PATH="$(pkg-config --variable=libdir ltv)" "$work/consumer_pc"
grep -qx 'License: Apache-2.0' "$pcdir/ltv.pc" || { echo "ltv.pc does not name the licence"; exit 1; }
test -f "$prefix/share/doc/ltv/LICENSE" || { echo "LICENSE not installed"; exit 1; }
echo "consumers: 3 passed, 0 failed"
