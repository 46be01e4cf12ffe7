#!/usr/bin/env bash
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

echo "== pkg-config ltv"
pcdir=$(dirname "$(find "$prefix" -name ltv.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
# shellcheck disable=SC2046  # word splitting of pkg-config's flags is intended
cc -std=c99 -Wall -Wextra -Wpedantic -Werror "$here/consumer.c" -o "$work/consumer_pc" \
  $(pkg-config --cflags --libs ltv) -lm
LD_LIBRARY_PATH="$(pkg-config --variable=libdir ltv)" "$work/consumer_pc"
echo "consumers: 3 passed, 0 failed"
