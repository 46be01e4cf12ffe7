# SPDX-License-Identifier: Apache-2.0
"""The data sets ltv bundles, as pandas DataFrames (lifetimes-compatible loaders).

>>> from ltv import datasets
>>> summary = datasets.load_cdnow_summary(index_col=[0])   # ID -> frequency, recency, T (weeks)
>>> m = ltv.BetaGeo().fit(summary["frequency"], summary["recency"], summary["T"])

Every loader reads its file with :func:`pandas.read_csv`; keyword arguments go to it
(``index_col``, ``usecols``, ``nrows``, …), as in lifetimes. :func:`path` gives a file's path and
needs no pandas. An installed package carries its own copies of the files (in
``ltv/datasets/data/``, with their sources and licences: ``NOTICE.md``); from the source tree the
files of ``tests/data/`` and ``examples/data/`` are read. The data are not ltv's: they are copies of
the ``lifetimes`` package's dataset files (MIT License) — the CDNOW data of Bruce Hardie, the
donations of Fader, Hardie & Shang (2010) and a simulated log (see ``NOTICE.md``).
"""

from pathlib import Path

from ._files import FILES, SOURCE_FOLDERS

__all__ = [
    "path",
    "load_dataset",
    "load_cdnow_summary",
    "load_cdnow_summary_data_with_monetary_value",
    "load_transaction_data",
    "load_cdnow_transactions",
    "load_donations",
]

_HERE = Path(__file__).resolve().parent
#: the copies an installed package carries (setup.py puts them there)
_PACKAGE_DATA = _HERE / "data"


def _source_root():
    """The repository root when this module runs from the source tree
    (``bindings/python/ltv/datasets``), else None."""
    root = _HERE.parents[3]
    if _HERE.parents[2].name == "bindings" and (root / "include" / "ltv" / "ltv.h").is_file():
        return root
    return None


def path(name):
    """The path (a :class:`pathlib.Path`) of the bundled data file ``name``, e.g.
    ``"cdnow_customers_summary.csv"``.

    Looks in the installed package's ``ltv/datasets/data/``, then, from the source tree, in
    ``tests/data/`` and ``examples/data/``. Raises :class:`FileNotFoundError` naming the places
    tried and the files available. Needs no pandas.

    >>> ltv.datasets.path("donations.csv").name
    'donations.csv'
    """
    name = str(name)
    if not name or Path(name).name != name:
        raise ValueError(f"ltv.datasets.path: {name!r} is not a file name (no folders)")
    tried = [_PACKAGE_DATA / name]
    root = _source_root()
    if root is not None:
        if name in FILES:
            tried.append(root / FILES[name])
        tried.extend(root / folder / name for folder in SOURCE_FOLDERS)
    for candidate in tried:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"ltv.datasets: no data file {name!r}; looked in "
        + ", ".join(str(p.parent) for p in dict.fromkeys(tried))
        + ". Bundled files: "
        + ", ".join(sorted(FILES))
    )


def _pandas(loader):
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            f"ltv.datasets.{loader} needs pandas, which is not installed: pip install "
            "'ltv[pandas]' (or apt-get install python3-pandas). ltv.datasets.path(name) gives "
            "the file's path without pandas."
        ) from exc
    return pandas


def load_dataset(filename, **kwargs):
    """Reads the bundled file ``filename`` with :func:`pandas.read_csv` (``kwargs`` go to it).

    Parameters
    ----------
    filename : str
        A file name, e.g. ``"donations.csv"`` (see :func:`path`).
    **kwargs
        Passed to :func:`pandas.read_csv`.

    Returns
    -------
    pandas.DataFrame
    """
    return _read(filename, "load_dataset", kwargs)


def _read(filename, loader, kwargs):
    return _pandas(loader).read_csv(path(filename), **kwargs)


def load_cdnow_summary(**kwargs):
    """The CDNOW 1/10 sample summarised to 1997-09-30: 2 357 customers, columns ``ID``,
    ``frequency`` (repeat purchases), ``recency`` and ``T`` (weeks). The data of Fader, Hardie &
    Lee (2005)'s BG/NBD fit (r = 0.243, α = 4.414, a = 0.793, b = 2.426).

    As in lifetimes, ``kwargs`` go to :func:`pandas.read_csv`; ``index_col=[0]`` makes ``ID``
    the index.

    >>> df = ltv.datasets.load_cdnow_summary(index_col=[0])
    >>> ltv.BetaGeo().fit(df["frequency"], df["recency"], df["T"]).params["r"]   # ≈ 0.2426
    """
    return _read("cdnow_customers_summary.csv", "load_cdnow_summary", kwargs)


def load_cdnow_summary_data_with_monetary_value(**kwargs):
    """The CDNOW summary with spend, as lifetimes returns it: indexed by ``customer_id`` (1..2357),
    columns ``frequency``, ``recency``, ``T`` (weeks) and ``monetary_value`` (mean value of the
    repeat purchases, dollars; 0 without repeat purchases). The 946 rows with frequency > 0 are
    the Gamma-Gamma data of Fader & Hardie's 2013 note.

    ``kwargs`` go to :func:`pandas.read_csv` (the file's columns are ``ID,x,t_x,T,zbar``).
    """
    df = _read("cdnow_customers_summary_with_transactions.csv", "load_cdnow_summary_data_with_monetary_value", kwargs)
    df.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    return df.set_index("customer_id")


def load_transaction_data(**kwargs):
    """A simulated transaction log (lifetimes' ``example_transactions.csv``): 15 273 rows, columns
    ``date`` (text ``2014-03-08 00:00:00``; pass ``parse_dates=["date"]`` for datetimes) and
    ``id`` (customer), dates within 2014, not sorted. ``kwargs`` go to :func:`pandas.read_csv`.
    """
    return _read("example_transactions.csv", "load_transaction_data", kwargs)


_CDNOW_COLUMNS = ["customer_id", "date", "number_of_cds", "dollar_value"]
_CDNOW_DTYPES = {
    "customer_id": "int64",
    "sample_id": "int64",
    "date": "str",
    "number_of_cds": "int64",
    "dollar_value": "float64",
}


def load_cdnow_transactions(sample=False, **kwargs):
    """The CDNOW transaction log, one row per purchase, with dates parsed.

    Parameters
    ----------
    sample : bool
        False (default): the full log ``CDNOW_master.txt``, 69 659 purchases of 23 570 customers,
        1997-01-01..1998-06-30. True: the 1/10 sample ``CDNOW_sample.txt``, 6 919 purchases of
        2 357 customers.
    **kwargs
        Passed to :func:`pandas.read_csv` (and override its settings here, e.g. ``nrows``).

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (int64, the master file's customer number), for ``sample=True`` also
        ``sample_id`` (int64, 1..2357: the ``ID`` of :func:`load_cdnow_summary`), ``date``
        (datetime64, from the files' ``YYYYMMDD``), ``number_of_cds`` (int64) and
        ``dollar_value`` (float64, dollars).

    >>> cd = ltv.datasets.load_cdnow_transactions()
    >>> s = ltv.summarize(cd.customer_id, cd.date, cd.dollar_value, observation_end="1998-06-30")
    """
    pd = _pandas("load_cdnow_transactions")
    if sample:
        name, names = "CDNOW_sample.txt", ["customer_id", "sample_id", *_CDNOW_COLUMNS[1:]]
        skip = 0
    else:
        name, names, skip = "CDNOW_master.txt", list(_CDNOW_COLUMNS), 1  # skip the header line
    options = {
        "sep": r"\s+",
        "header": None,
        "skiprows": skip,
        "names": names,
        "dtype": {column: _CDNOW_DTYPES[column] for column in names},
    }
    options.update(kwargs)
    df = pd.read_csv(path(name), **options)
    if "date" in df.columns and not pd.api.types.is_datetime64_any_dtype(df["date"]):
        df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    return df


def load_donations(**kwargs):
    """Repeat donations of the 1995 cohort of 11 104 first-time donors (Fader, Hardie & Shang
    2010), for BG/BB: 22 rows, one per pattern, columns ``frequency`` (repeat donations x),
    ``recency`` (t_x), ``periods`` (n = 6 opportunities) and ``weights`` (donors with that
    pattern). ``kwargs`` go to :func:`pandas.read_csv`.

    >>> d = ltv.datasets.load_donations()
    >>> ltv.BetaGeoBetaBinom().fit(d.frequency, d.recency, d.periods, weights=d.weights)
    """
    return _read("donations.csv", "load_donations", kwargs)
