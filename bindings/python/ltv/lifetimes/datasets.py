# SPDX-License-Identifier: Apache-2.0
"""lifetimes' dataset loaders (``load_cdnow_summary``, ``load_transaction_data``, ...) over the
data files ltv bundles (copies of lifetimes' own files, tests/data/SOURCES.md).

The loaders come from :mod:`ltv.datasets` when that module is installed; otherwise (a source tree
without it) they read the files from the repository's ``tests/data`` folder. Keyword arguments go
to ``pandas.read_csv``, as in lifetimes.
"""

import os

import pandas as pd

__all__ = [
    "load_cdnow_summary",
    "load_transaction_data",
    "load_cdnow_summary_data_with_monetary_value",
    "load_donations",
    "load_dataset",
]

try:  # the packaged datasets (ltv.datasets), when this build has them
    from .. import datasets as _native_datasets
except ImportError:  # pragma: no cover - depends on the build
    _native_datasets = None


def _data_dirs():
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = []
    if os.environ.get("LTV_DATA_DIR"):
        dirs.append(os.environ["LTV_DATA_DIR"])
    dirs.append(os.path.join(here, "..", "data"))                                 # packaged copy
    dirs.append(os.path.join(here, "..", "..", "..", "..", "tests", "data"))      # source tree
    return [os.path.normpath(d) for d in dirs]


def _path(filename):
    for directory in _data_dirs():
        candidate = os.path.join(directory, filename)
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(
        f"dataset {filename!r} not found in {', '.join(_data_dirs())} (set LTV_DATA_DIR to the "
        "folder holding ltv's tests/data files)")


def _native(name):
    """ltv.datasets' function of lifetimes' name, when that module has it."""
    return getattr(_native_datasets, name, None)


def load_dataset(filename, **kwargs):
    """Reads the bundled data file ``filename`` (e.g. ``"donations.csv"``) with
    ``pandas.read_csv(**kwargs)``."""
    native = _native("load_dataset")
    if native is not None:
        try:
            return native(filename, **kwargs)
        except FileNotFoundError:  # a file ltv.datasets does not bundle: the source tree's
            pass
    return pd.read_csv(_path(filename), **kwargs)


def load_donations(**kwargs):
    """The BG/BB donations data (Fader, Hardie & Shang 2010): frequency, recency, periods,
    weights."""
    native = _native("load_donations")
    if native is not None:
        return native(**kwargs)
    return load_dataset("donations.csv", **kwargs)


def load_cdnow_summary(**kwargs):
    """The CDNOW summary (2357 customers, weeks): ID, frequency, recency, T. lifetimes'
    Quickstart reads it with ``index_col=[0]``."""
    native = _native("load_cdnow_summary")
    if native is not None:
        return native(**kwargs)
    return load_dataset("cdnow_customers_summary.csv", **kwargs)


def load_transaction_data(**kwargs):
    """lifetimes' simulated transaction log (``date``, ``id``; 2014-01-01 .. 2014-12-31)."""
    native = _native("load_transaction_data")
    if native is not None:
        return native(**kwargs)
    return load_dataset("example_transactions.csv", **kwargs)


def load_cdnow_summary_data_with_monetary_value(**kwargs):
    """The CDNOW summary with the mean repeat spend, indexed by ``customer_id``: frequency,
    recency, T, monetary_value (lifetimes' column names)."""
    native = _native("load_cdnow_summary_data_with_monetary_value")
    if native is not None:
        return native(**kwargs)
    frame = load_dataset("cdnow_customers_summary_with_transactions.csv", **kwargs)
    frame.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    return frame.set_index("customer_id")
