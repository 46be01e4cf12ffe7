# SPDX-License-Identifier: Apache-2.0
# Sourced by check_abi.sh, selftest.sh and scripts/abi-baseline: the one abidiff invocation that
# defines "compatible" (docs/abi.md).
# abi_compare BASELINE LIBRARY HEADERS_DIR -> abidiff's status (bit mask: 1 error, 2 usage error,
# 4 ABI change, 8 incompatible change); its report on stdout. Added functions and structs grown at
# their end (suppressions.abignore) are not changes.
abi_compare() {
  abidiff --no-added-syms --suppressions "$(dirname "${BASH_SOURCE[0]}")/suppressions.abignore" \
    --headers-dir2 "$3" "$1" "$2" 2>&1
}
# abi_dump LIBRARY HEADERS_DIR OUT: the baseline format (exported interfaces and public types only).
abi_dump() {
  abidw --no-corpus-path --headers-dir "$2" --drop-private-types --exported-interfaces-only \
    --out-file "$3" "$1"
}
