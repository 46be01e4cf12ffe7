#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Proves that the ABI check tells compatible from breaking changes (ctest abi.selftest): builds a
# tiny library in the style of ltv.h (an option struct with struct_size, two functions), records
# its baseline with abi_dump, then compares variants with abi_compare exactly as check_abi.sh
# compares libltv.so. Usage: selftest.sh WORK_DIR
set -euo pipefail
work=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=abi_compare.sh
. "$here/abi_compare.sh"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

base_h='#include <stddef.h>
typedef struct ltv_t_options { size_t struct_size; double a; } ltv_t_options;
int ltv_t_f(const ltv_t_options* o, double* out);
int ltv_t_g(double x, double* out);'
base_c='int ltv_t_f(const ltv_t_options* o, double* out) { *out = o->a; return 0; }
int ltv_t_g(double x, double* out) { *out = x; return 0; }'

# variant NAME HEADER SOURCE: builds NAME/libt.so
variant() {
  mkdir -p "$1"
  printf '%s\n' "$2" >"$1/t.h"
  printf '#include "t.h"\n%s\n' "$3" >"$1/t.c"
  cc -g -O2 -shared -fPIC -Wl,-soname,libt.so.0.1 -o "$1/libt.so" "$1/t.c"
}
variant base "$base_h" "$base_c"
abi_dump base/libt.so base base.abi

variant same "$base_h" "$base_c"
variant added "$base_h
int ltv_t_h(double x, double* out);" "$base_c
int ltv_t_h(double x, double* out) { *out = 2 * x; return 0; }"
variant grown "${base_h/double a; \}/double a; int b; \}}" "$base_c"
variant removed "${base_h/int ltv_t_g(double x, double\* out);/}" \
  "${base_c/int ltv_t_g(double x, double\* out) \{ \*out = x; return 0; \}/}"
variant retyped "${base_h/ltv_t_g(double x/ltv_t_g(float x}" "${base_c/ltv_t_g(double x/ltv_t_g(float x}"
variant inserted "${base_h/size_t struct_size; double a;/size_t struct_size; int b; double a;}" "$base_c"

failures=0
expect() {  # NAME pass|fail
  local rc=0
  abi_compare base.abi "$1/libt.so" "$1" >"$1.report" || rc=$?
  local got=pass
  ((rc == 0)) || got=fail
  if [ "$got" != "$2" ]; then
    echo "abi selftest: $1: expected $2, got $got (abidiff status $rc)"
    cat "$1.report"
    failures=$((failures + 1))
  fi
}
expect same pass
expect added pass      # a new function
expect grown pass      # an option struct grown at its end
expect removed fail    # a function removed
expect retyped fail    # a parameter type changed
expect inserted fail   # a struct member inserted before the end
if ((failures)); then exit 1; fi
echo "abi selftest: 6 cases as expected (additions pass; removal, retyping, insertion fail)"
