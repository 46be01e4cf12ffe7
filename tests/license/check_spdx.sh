#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file of ltv names its licence with an SPDX line in its first lines (ctest
# license.spdx); LICENSE holds the Apache-2.0 text. Data files and docs are not sources.
# Usage: check_spdx.sh SOURCE_DIR
set -euo pipefail
cd "$1"
[ -f LICENSE ] && grep -q "Apache License" LICENSE && grep -q "Version 2.0, January 2004" LICENSE ||
  { echo "license: LICENSE is missing or is not the Apache-2.0 text"; exit 1; }
# The project's sources: git's list in a checkout, else (a source tarball) the same patterns by find.
list_sources() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -co --exclude-standard -- '*.hpp' '*.cpp' '*.h' '*.c' '*.py' '*.sh' '*.cmake' \
      '*.in' 'CMakeLists.txt' '*/CMakeLists.txt' 'scripts/*' '.ci/*'
  else
    find include src bindings tests benchmarks examples scripts .ci cmake CMakeLists.txt -type f \
      \( -name '*.[ch]pp' -o -name '*.[ch]' -o -name '*.py' -o -name '*.sh' -o -name '*.cmake' \
      -o -name '*.in' -o -name CMakeLists.txt -o -path 'scripts/*' -o -path '.ci/*' \) \
      -not -path '*/__pycache__/*' 2>/dev/null
  fi
}
missing=()
count=0
while IFS= read -r f; do
  count=$((count + 1))
  head -n 3 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || missing+=("$f")
done < <(list_sources | grep -v -E '^tests/fuzz/(corpus|regressions)/' | sort -u)
if ((${#missing[@]})); then
  echo "license: ${#missing[@]} source file(s) without 'SPDX-License-Identifier: Apache-2.0' in their first 3 lines:"
  printf '  %s\n' "${missing[@]}"
  exit 1
fi
echo "license: Apache-2.0 SPDX line in all $count source files"
