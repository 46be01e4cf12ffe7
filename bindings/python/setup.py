# SPDX-License-Identifier: Apache-2.0
"""Build script of the ``ltv`` Python package; pyproject.toml holds the static metadata.

What a static file cannot say, done here at build time:

* the version: ``LTV_VERSION_STRING`` of ``include/ltv/ltv.h`` (the library's version is the
  package's);
* the shared library, bundled as ``ltv/_lib/libltv.so`` when one is at hand: the file named by
  ``LTV_LIBRARY``, else the CMake build tree ``build/lib/libltv.so`` of this source checkout (if
  its version is the header's), its debug information stripped (``LTV_STRIP_LIBRARY=0`` keeps
  it). ``LTV_BUNDLE_LIBRARY=0`` builds without it (the package then finds
  the library at run time: ``LTV_LIBRARY``, the system's). A wheel with the library is tagged
  ``py3-none-<platform>``; one without is pure Python;
* the data sets of ``ltv.datasets`` (``ltv/datasets/_files.py`` lists them) and their source and
  licence notes, copied from ``tests/data`` and ``examples/data`` into ``ltv/datasets/data/``.

The source tree is two folders up (``bindings/python`` -> the repository), or ``LTV_SOURCE_DIR``.
Offline: ``pip install --no-build-isolation --no-index bindings/python`` (needs setuptools and
wheel, Debian's python3-setuptools and python3-wheel).
"""

import atexit
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SOURCE = Path(os.environ.get("LTV_SOURCE_DIR") or HERE.parents[1]).resolve()
HEADER = SOURCE / "include" / "ltv" / "ltv.h"


def _version():
    if HEADER.is_file():
        found = re.search(r'#define\s+LTV_VERSION_STRING\s+"([^"]+)"', HEADER.read_text())
        if not found:
            sys.exit(f"ltv setup.py: no LTV_VERSION_STRING in {HEADER}")
        return found.group(1)
    pkg_info = HERE / "PKG-INFO"  # building from an sdist
    if pkg_info.is_file():
        found = re.search(r"^Version:\s*(\S+)", pkg_info.read_text(), re.M)
        if found:
            return found.group(1)
    sys.exit(
        f"ltv setup.py: cannot find {HEADER} for the version; build from the ltv source tree "
        "(pip install bindings/python) or set LTV_SOURCE_DIR to it"
    )


VERSION = _version()


def _off(value):
    return value.strip().lower() in ("0", "off", "no", "false")


def _library_to_bundle():
    """The libltv.so to copy into the package, or None."""
    if _off(os.environ.get("LTV_BUNDLE_LIBRARY", "1")):
        return None
    env = os.environ.get("LTV_LIBRARY")
    if env:
        library = Path(env)
        if not library.is_file():
            sys.exit(f"ltv setup.py: LTV_LIBRARY={env} is not a file (from {os.getcwd()}; pip "
                     "builds in the package folder: give an absolute path)")
        _check_version(library, strict=True)
        return library
    library = SOURCE / "build" / "lib" / "libltv.so"
    if library.is_file() and _check_version(library, strict=False):
        return library
    return None


def _check_version(library, strict):
    """True when the library's file name (libltv.so.X.Y.Z after symlinks) shows the header's
    version or no version at all; a different one stops the build (strict) or skips the file."""
    real = library.resolve().name
    found = re.fullmatch(r"libltv\.so\.(\d+\.\d+\.\d+)", real)
    if not found or found.group(1) == VERSION:
        return True
    message = (f"ltv setup.py: {library} is ltv {found.group(1)} but include/ltv/ltv.h says "
               f"{VERSION}; rebuild it (cmake --build build)")
    if strict:
        sys.exit(message)
    print(message + "; not bundled", file=sys.stderr)
    return False


LIBRARY = _library_to_bundle()
DATASETS = runpy.run_path(str(HERE / "ltv" / "datasets" / "_files.py"))


def _strip_debug_info(library):
    """Drops the DWARF the build keeps for the ABI check (29 MB -> 2 MB); the code and the symbols
    stay. Skipped without binutils' strip, or with LTV_STRIP_LIBRARY=0."""
    strip = shutil.which("strip")
    if strip is None or _off(os.environ.get("LTV_STRIP_LIBRARY", "1")):
        return
    if subprocess.run([strip, "--strip-debug", str(library)]).returncode != 0:
        print(f"ltv setup.py: strip failed on {library}; bundled as it is", file=sys.stderr)


class BuildPy(build_py):
    """build_py, plus the library and the data files copied into the build folder."""

    def run(self):
        super().run()
        package = Path(self.build_lib) / "ltv"
        lib_dir = package / "_lib"
        if lib_dir.exists():
            shutil.rmtree(lib_dir)
        if LIBRARY is not None:
            lib_dir.mkdir(parents=True)
            # the real file, not the symlink chain libltv.so -> .so.0.2 -> .so.0.2.x
            shutil.copyfile(LIBRARY.resolve(), lib_dir / "libltv.so")
            os.chmod(lib_dir / "libltv.so", 0o755)
            _strip_debug_info(lib_dir / "libltv.so")
            print(f"ltv setup.py: bundling {LIBRARY.resolve()}")
        else:
            print("ltv setup.py: no libltv.so bundled; the package will look for it at run time "
                  "(LTV_LIBRARY, the system's library path)")
        data = package / "datasets" / "data"
        data.mkdir(parents=True, exist_ok=True)
        for table in ("FILES", "NOTICES"):
            for name, relative in DATASETS[table].items():
                source = SOURCE / relative
                if not source.is_file():
                    sys.exit(f"ltv setup.py: data file {source} is missing")
                shutil.copyfile(source, data / name)


cmdclass = {"build_py": BuildPy}

try:
    from wheel.bdist_wheel import bdist_wheel

    class BdistWheel(bdist_wheel):
        """With the library inside, the wheel is platform-specific but still for any Python 3
        (ctypes, no extension module): ``py3-none-<platform>``."""

        def finalize_options(self):
            super().finalize_options()
            self.root_is_pure = LIBRARY is None

        def get_tag(self):
            python, abi, platform = super().get_tag()
            if not self.root_is_pure:
                python, abi = "py3", "none"
            return python, abi, platform

    cmdclass["bdist_wheel"] = BdistWheel
except ImportError:  # no wheel package: setuptools' own commands still work
    pass

# Build folders outside the source tree, new for every build: two builds at once (the plain and
# the sanitizer test suites) do not meet, no file of an earlier build slips into the wheel, and the
# checkout gets no build/ or ltv.egg-info/ beside the sources.
_scratch = tempfile.mkdtemp(prefix="ltv-python-build-")
atexit.register(shutil.rmtree, _scratch, ignore_errors=True)

setup(
    version=VERSION,
    cmdclass=cmdclass,
    options={
        "build": {"build_base": os.path.join(_scratch, "build")},
        "egg_info": {"egg_base": _scratch},
    },
    package_data={"ltv.datasets": ["NOTICE.md"]},
)
