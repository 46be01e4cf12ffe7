# SPDX-License-Identifier: Apache-2.0
"""pytest setup: the binding is imported from bindings/python (PYTHONPATH, set by ctest) and the
library from LTV_LIBRARY; both fall back to the source checkout's build tree."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "bindings" / "python") not in sys.path:
    sys.path.insert(0, str(ROOT / "bindings" / "python"))
os.environ.setdefault("LTV_LIBRARY", str(ROOT / "build" / "lib" / "libltv.so"))
os.environ.setdefault("LTV_CLI", str(ROOT / "build" / "bin" / "ltv"))
