# SPDX-License-Identifier: Apache-2.0
"""The binding as an installable package (issue 12): ``pip install bindings/python`` into a fresh
virtual environment, offline, with the library built by CMake bundled, then used from outside the
source tree with neither PYTHONPATH nor LTV_LIBRARY.

Also: the package's Python stays within Python 3.9's syntax (its ``requires-python``)."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import references as refs

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "bindings" / "python"
SYSTEM_PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").is_file() else sys.executable


def _header_version():
    text = (ROOT / "include" / "ltv" / "ltv.h").read_text()
    return re.search(r'#define\s+LTV_VERSION_STRING\s+"([^"]+)"', text).group(1)


def _environment(keep_sanitizer):
    """This process's environment without what would let the installed package be found through
    the source tree. The sanitizer suite preloads libasan/libubsan into Python (tests/CMakeLists.txt):
    pip runs without them (``keep_sanitizer=False``); the installed package's Python keeps them,
    since the library it bundles is then the instrumented one."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "LTV_LIBRARY", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE",
                 "PIP_REQUIRE_VIRTUALENV", "PIP_INDEX_URL", "PIP_FIND_LINKS", "PIP_TARGET",
                 "PIP_PREFIX", "PIP_USER"):
        env.pop(name, None)
    if not keep_sanitizer:
        for name in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
            env.pop(name, None)
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _run(args, env, cwd, timeout=120):
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} failed ({result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result


def _require_tools():
    """Skips (with the reason) when this machine cannot make a venv with pip or build a wheel
    offline; scripts/setup installs all of it (python3-venv python3-pip python3-setuptools
    python3-wheel)."""
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import ensurepip, venv, setuptools, wheel; import pip"],
        env=_environment(False), capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("cannot build a virtual environment with pip offline ("
                    + probe.stderr.strip().splitlines()[-1]
                    + "); run scripts/setup (python3-venv python3-pip python3-setuptools "
                    "python3-wheel)")


PROGRAM = r"""
import json, sys
import ltv, ltv._library
from importlib import metadata
df = ltv.datasets.load_cdnow_summary(index_col=[0])
m = ltv.BetaGeo().fit(df["frequency"], df["recency"], df["T"])
print(json.dumps({
    "version": ltv.__version__,
    "distribution_version": metadata.version("ltv"),
    "file": ltv.__file__,
    "library": ltv._library.path,
    "data": str(ltv.datasets.path("cdnow_customers_summary.csv")),
    "notice": str(ltv.datasets.path("SOURCES-tests-data.md")),
    "rows": len(df),
    "params": m.params,
    "prefix": sys.prefix,
}))
"""


def test_pip_install_into_a_fresh_venv(tmp_path):
    _require_tools()
    library = Path(os.environ.get("LTV_LIBRARY") or ROOT / "build" / "lib" / "libltv.so").resolve()
    if not library.is_file():
        pytest.fail(f"no built library at {library}: build it (cmake --build build) first")
    venv_dir = tmp_path / "venv"
    work = tmp_path / "elsewhere"
    work.mkdir()

    env = _environment(keep_sanitizer=False)
    _run([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", str(venv_dir)], env, work)
    python = venv_dir / "bin" / "python"
    env_pip = dict(env, LTV_LIBRARY=str(library))  # bundled by setup.py
    _run([str(python), "-m", "pip", "install", "--no-build-isolation", "--no-index",
          "--no-cache-dir", "--quiet", str(PACKAGE)], env_pip, work)

    result = _run([str(python), "-c", PROGRAM], _environment(keep_sanitizer=True), work)
    out = json.loads(result.stdout.strip().splitlines()[-1])

    venv_real = venv_dir.resolve()
    for key in ("file", "library", "data", "notice"):
        assert Path(out[key]).resolve().is_relative_to(venv_real), (key, out[key])
    assert Path(out["library"]).name == "libltv.so"
    assert Path(out["library"]).parent.name == "_lib"  # the bundled copy, not the build tree
    assert Path(out["prefix"]).resolve() == venv_real
    version = _header_version()
    assert out["version"] == version  # the loaded library's
    assert out["distribution_version"] == version  # the package's, read from ltv.h by setup.py
    assert out["rows"] == 2357
    # LTV_LIBRARY still comes first (e.g. to try another build with the installed package)
    env_override = dict(_environment(keep_sanitizer=True), LTV_LIBRARY=str(library))
    result = _run([str(python), "-c", "import ltv._library as l; print(l.path)"], env_override,
                  work)
    assert result.stdout.strip() == str(library)

    # Fader, Hardie & Lee (2005), section 5: r = 0.243 (lifetimes: 0.2426), …
    for name, value in refs.fit("bgnbd", "cdnow")["params"].items():
        assert out["params"][name] == refs.approx(value), name


def _package_sources():
    return sorted((PACKAGE / "ltv").rglob("*.py")) + [PACKAGE / "setup.py"]


@pytest.mark.parametrize("source", _package_sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_python_39_syntax(source):
    """requires-python is >= 3.9: no 3.10+ grammar (match, parenthesised context managers) and no
    ``X | Y`` annotations evaluated at definition time."""
    text = source.read_text()
    tree = ast.parse(text, filename=str(source), feature_version=(3, 9))
    postponed = re.search(r"^from __future__ import annotations", text, re.M) is not None
    if postponed:
        return
    annotations = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            annotations += [a.annotation for a in every if a.annotation is not None]
            if node.returns is not None:
                annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
    for annotation in annotations:
        for part in ast.walk(annotation):
            assert not (isinstance(part, ast.BinOp) and isinstance(part.op, ast.BitOr)), (
                f"{source}:{part.lineno}: 'X | Y' annotation needs Python 3.10")


def test_pyproject_metadata():
    """requires-python, dependencies and extras as issue 12 asks; the version is dynamic (ltv.h)."""
    text = (PACKAGE / "pyproject.toml").read_text()
    assert re.search(r'^requires-python\s*=\s*">=3\.9"', text, re.M)
    assert re.search(r'^dependencies\s*=\s*\["numpy"\]', text, re.M)
    assert re.search(r'^pandas\s*=\s*\["pandas"\]', text, re.M)
    assert re.search(r'^plot\s*=\s*\["matplotlib"\]', text, re.M)
    assert re.search(r'^dynamic\s*=\s*\["version"\]', text, re.M)


def test_wheel_without_the_library(tmp_path):
    """LTV_BUNDLE_LIBRARY=0: a pure-Python wheel (py3-none-any) with the data sets and their
    notes but no libltv.so; the package then finds the library at run time."""
    _require_tools()
    import zipfile

    env = dict(_environment(keep_sanitizer=False), LTV_BUNDLE_LIBRARY="0")
    _run([SYSTEM_PYTHON, "-m", "pip", "wheel", "--no-build-isolation", "--no-index", "--no-deps",
          "--no-cache-dir", "--quiet", "-w", str(tmp_path), str(PACKAGE)], env, tmp_path)
    wheels = list(tmp_path.glob("*.whl"))
    assert [w.name for w in wheels] == [f"ltv-{_header_version()}-py3-none-any.whl"]
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert not [n for n in names if n.endswith(".so")]
    for data in ("cdnow_customers_summary.csv", "CDNOW_master.txt", "donations.csv",
                 "SOURCES-tests-data.md", "SOURCES-examples-data.md"):
        assert f"ltv/datasets/data/{data}" in names
    assert "ltv/datasets/NOTICE.md" in names
    assert not [n for n in names if "grocery" in n]  # GPL-3 data stay out of the package
