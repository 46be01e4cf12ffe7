# SPDX-License-Identifier: Apache-2.0
"""Loading the library, the version, and the exception mapping."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ltv
from ltv import errors

ROOT = Path(__file__).resolve().parents[2]


def test_version_matches_the_header():
    header = (ROOT / "include" / "ltv" / "ltv.h").read_text()
    assert f'#define LTV_VERSION_STRING "{ltv.__version__}"' in header
    assert ltv.version() == ltv.__version__


def test_every_status_has_its_exception_class():
    names = {
        -1: "invalid_argument",
        -2: "domain_error",
        -3: "no_convergence",
        -4: "out_of_memory",
        -5: "buffer_too_small",
        -6: "not_fitted",
        -7: "internal",
        -8: "io_error",
        -9: "parse_error",
    }
    from ltv._library import lib

    for status, name in names.items():
        error = errors.error_for_status(status, "msg")
        assert error.status == status and error.status_name == name
        assert lib.ltv_status_name(status).decode() == name
    assert isinstance(errors.error_for_status(-1, "m"), ValueError)
    assert isinstance(errors.error_for_status(-4, "m"), MemoryError)
    assert isinstance(errors.error_for_status(-8, "m"), OSError)
    unknown = errors.error_for_status(-99, "")
    assert type(unknown) is errors.LtvError and unknown.status == -99
    assert "status -99" in str(unknown)


def test_missing_library_lists_every_place_tried(tmp_path):
    # A fresh interpreter with LTV_LIBRARY pointing nowhere and the package copied away from the
    # build tree, so that no candidate can load.
    package = tmp_path / "pkg"
    package.mkdir()
    subprocess.run(["cp", "-r", str(ROOT / "bindings" / "python" / "ltv"), str(package)], check=True)
    env = dict(os.environ, LTV_LIBRARY=str(tmp_path / "nope.so"), PYTHONPATH=str(package))
    env.pop("LD_PRELOAD", None)
    env["LD_LIBRARY_PATH"] = ""
    result = subprocess.run(
        [sys.executable, "-c", "import ltv"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "LibraryNotFoundError" in result.stderr
    assert "LTV_LIBRARY: " + str(tmp_path / "nope.so") in result.stderr
    assert "the build tree" in result.stderr
    assert "the system" in result.stderr


def test_import_works_with_pythonpath_only():
    # The README's promise: PYTHONPATH=bindings/python python3 -c "import ltv" after the build.
    env = dict(os.environ, PYTHONPATH=str(ROOT / "bindings" / "python"))
    code = "import ltv; print(ltv.retention_rate(start=1000, end=1100, new=200))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0.9"


def test_last_error_is_per_thread():
    # Each thread fails with its own argument value and must read back its own message, while
    # the others fail concurrently (ctypes releases the GIL during the calls).
    import threading

    from ltv._library import last_error, lib

    mismatches = []
    barrier = threading.Barrier(4)

    def worker(k):
        import ctypes

        out = ctypes.c_double()
        barrier.wait()
        for _ in range(2000):
            status = lib.ltv_retention_rate(-float(k + 1), 1.0, 0.0, ctypes.byref(out))
            message = last_error()
            if status != -1 or f"'start' = -{k + 1} " not in message:
                mismatches.append((k, status, message))
                return

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert mismatches == []
