# SPDX-License-Identifier: Apache-2.0
"""pytest setup for the oracle sweep: the same binding and library lookup as tests/python."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
runpy.run_path(str(HERE.parent / "python" / "conftest.py"))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
