#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the build into a scratch prefix, then builds and runs out-of-tree consumers of it:
# through find_package(ltv) (a C program on ltv::ltv_c and a C++ one on ltv::ltv), through
# find_package(ltv COMPONENTS C) with every C++ dependency disabled (c_only/: a C99 program from
# libltv.so and ltv.h alone), through pkg-config (a C99 program with `pkg-config ltv`, a C++ one
# with `pkg-config ltv-cpp`); and checks that the installed ltv.h compiles alone as C99.
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

echo "== find_package(ltv COMPONENTS C) with no C++ dependency to be found"
cmake -S "$here/c_only" -B "$work/c_only" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  --no-warn-unused-cli \
  -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON -DCMAKE_DISABLE_FIND_PACKAGE_FastFloat=ON \
  >"$work/c_only-configure.log" || { cat "$work/c_only-configure.log"; exit 1; }
cmake --build "$work/c_only" >"$work/c_only-build.log"
"$work/c_only/consumer_c_only"
# What the program needs at run time: libltv and the C runtime, nothing of C++'s dependencies.
needed=$(readelf -d "$work/c_only/consumer_c_only" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p' | tr '\n' ' ')
for lib in $needed; do
  case $lib in libltv.so.*|libm.so.*|libc.so.*) ;; *) echo "consumer_c_only needs $lib"; exit 1;; esac
done
[[ $needed == *libltv.so.* ]] || { echo "consumer_c_only does not link libltv ($needed)"; exit 1; }

echo "== the installed ltv.h compiles alone as C99 (no other header of the package)"
mkdir -p "$work/header-only/ltv"
cp "$prefix/include/ltv/ltv.h" "$work/header-only/ltv/"
printf '#include <ltv/ltv.h>\nint main(void) { return ltv_version_number() > 0 ? 0 : 1; }\n' \
  >"$work/header-only/use.c"
cc -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$work/header-only" "$work/header-only/use.c"
cc -std=c99 -Wall -Wextra -Wpedantic -Werror -c -I"$prefix/include" "$work/header-only/use.c" \
  -o "$work/header-only/use.o"

echo "== components: CXX finds every target, an unknown one is not found"
mkdir -p "$work/components"
printf '%s\n' 'cmake_minimum_required(VERSION 3.25)' 'project(components LANGUAGES NONE)' \
  'find_package(ltv QUIET CONFIG COMPONENTS ${COMPS})' \
  'if(ltv_FOUND AND TARGET ltv::ltv AND TARGET ltv::ltv_c)' '  message(STATUS "components: all")' \
  'elseif(ltv_FOUND)' '  message(STATUS "components: some")' \
  'else()' '  message(STATUS "components: not found: ${ltv_NOT_FOUND_MESSAGE}")' 'endif()' \
  >"$work/components/CMakeLists.txt"
check_components() {  # COMPS expected
  rm -rf "$work/components/b"
  local out
  out=$(cmake -S "$work/components" -B "$work/components/b" -DCMAKE_PREFIX_PATH="$prefix" \
        "-DCOMPS=$1" | grep 'components:')
  if [[ $out != *"$2"* ]]; then echo "find_package(ltv COMPONENTS $1): expected '$2', got '$out'"; exit 1; fi
}
check_components "CXX" "components: all"
check_components "C;CXX" "components: all"
check_components "Fortran" "not found: ltv: unknown component(s) Fortran"

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

echo "== pkg-config ltv-cpp"
# shellcheck disable=SC2046
c++ -std=c++17 "$here/consumer.cpp" -o "$work/consumer_cpp_pc" $(pkg-config --cflags --libs ltv-cpp)
"$work/consumer_cpp_pc"
grep -qx 'License: Apache-2.0' "$pcdir/ltv-cpp.pc" || { echo "ltv-cpp.pc does not name the licence"; exit 1; }
pkg-config --print-requires ltv-cpp | grep -q '^eigen3' || { echo "ltv-cpp.pc does not require eigen3"; exit 1; }
test -f "$prefix/share/doc/ltv/LICENSE" || { echo "LICENSE not installed"; exit 1; }
echo "consumers: 5 passed, 0 failed"
