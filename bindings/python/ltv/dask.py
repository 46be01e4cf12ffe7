# SPDX-License-Identifier: Apache-2.0
"""Customer summaries, fits and scores over a Dask DataFrame of transactions (docs/distributed.md).

The four steps, each the single-machine API run where the data is:

1. :func:`summarize` — every partition of a log *partitioned by customer* (all the rows of a
   customer in one partition; :func:`repartition_by_customer` makes a log so) is summarised by
   :func:`ltv.summarize` on a worker, with one global ``observation_end`` (the whole log's last
   day, computed once by :func:`last_date` when not given). The result is a Dask DataFrame of
   ``Summary.to_pandas()`` frames, one row per customer, indexed by ``customer_id``: exactly the
   rows of ``ltv.summarize`` on the whole log in one process.
2. :func:`patterns` — the summaries compressed to their distinct rows with counts (``weight``):
   distinct (frequency, recency, T) for the transaction models, distinct (frequency,
   monetary_value) of the repeat customers for Gamma-Gamma. A pandas DataFrame in the driver.
3. :func:`fit` — the model fitted in the driver on the patterns, weighted by their counts (the
   same likelihood as on every customer's row).
4. :func:`score` — every partition of the summary scored with ``map_partitions`` by the pickled
   fitted models (models pickle through their JSON file): P(alive), expected purchases, expected
   spend, CLV.

``import ltv`` never imports Dask; ``import ltv.dask`` needs ``dask[dataframe]`` (Debian:
``python3-dask``; ``python3-distributed`` for a cluster). Worker processes must load the same
libltv.so as the driver: :func:`worker_environment` gives the environment to start them with.
"""

import functools
import os
import pickle

try:
    import dask
    import dask.dataframe as dd
    import pandas as pd
except ImportError as _error:  # pragma: no cover - depends on the installation
    raise ImportError(
        "ltv.dask needs Dask's DataFrame and pandas: install the Debian packages python3-dask and "
        "python3-distributed (for a cluster), or `pip install 'dask[dataframe]' distributed` "
        f"({_error})") from _error

import numpy as np

from . import _library
from . import transactions as _transactions
from .errors import InvalidArgumentError
from .models import Model, customer_lifetime_value

__all__ = [
    "worker_environment",
    "repartition_by_customer",
    "last_date",
    "summarize",
    "patterns",
    "fit",
    "score",
    "RFM_COLUMNS",
    "SPEND_COLUMNS",
]

RFM_COLUMNS = ("frequency", "recency", "T")
SPEND_COLUMNS = ("frequency", "monetary_value")

_SUMMARY_ATTRS = "ltv"  # key of the summary's metadata in its meta frame's .attrs


# ---- environment and partitioning ---------------------------------------------------------------

def worker_environment():
    """The environment variables a worker process needs to import this ``ltv`` and load the same
    libltv.so as this process: ``LTV_LIBRARY`` (the library loaded here) and ``PYTHONPATH``
    (this package's parent directory first). For ``distributed.LocalCluster(...,
    env=ltv.dask.worker_environment())``, or a worker's ``--env`` / its job's environment."""
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [package_parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                                if p and os.path.abspath(p) != package_parent]
    return {"LTV_LIBRARY": os.path.abspath(_library.path), "PYTHONPATH": os.pathsep.join(paths)}


def _default_columns():
    """The library's default column names of a transaction file (ltv_read_options_init):
    customer, date and amount — the same names for a DataFrame."""
    o = _transactions._read_options()
    return (o.customer_column.decode(), o.date_column.decode(), o.amount_column.decode())


def _require_dask_frame(frame, name):
    if not isinstance(frame, dd.DataFrame):
        raise InvalidArgumentError(
            f"argument '{name}' must be a dask.dataframe.DataFrame, got {type(frame).__name__}")


def _require_column(log, role, column):
    if column != log.index.name and column not in log.columns:
        raise InvalidArgumentError(
            f"argument '{role}' = {column!r} is neither a column nor the index of the log "
            f"(columns: {list(log.columns)}, index: {log.index.name!r})")


def repartition_by_customer(log, customer=None, npartitions=None):
    """The log with every customer's rows in one partition: a hash shuffle on the customer id
    (``log.shuffle(on=customer)``), for a log that is not partitioned by customer already (one
    read from files in time order, say). ``npartitions`` defaults to the log's.

    Cost: every row travels once — each worker splits its partitions by hash of the id and sends
    the pieces to the others (all-to-all), so the network or disk traffic is the size of the
    log, and a worker holds its partitions' pieces while they are exchanged. It is done once:
    write the result (``to_parquet``) or ``persist()`` it, and summarise that. A log already
    partitioned by customer (an index of customer ids with known divisions, or files written
    per customer range) needs none.
    """
    _require_dask_frame(log, "log")
    customer = _default_columns()[0] if customer is None else customer
    _require_column(log, "customer", customer)
    if customer == log.index.name and customer not in log.columns:
        log = log.reset_index()
    return log.shuffle(on=customer, npartitions=npartitions)


# ---- step 1: summaries --------------------------------------------------------------------------

def _day_max(frame, date, time_zone=None):
    """The last day of one partition: a one-element Series of its day number (NO_DATE for an
    empty partition); time_zone as for ltv.summarize."""
    values = frame.index if date == frame.index.name and date not in frame.columns else frame[date]
    days = _transactions._days(values, date, _transactions._zone(time_zone))
    return pd.Series([int(days.max()) if len(days) else _transactions.NO_DATE], dtype=np.int64)


def last_date(log, date=None, *, time_zone=None):
    """The last day of a Dask log's ``date`` column (a ``numpy.datetime64[D]``), read with ltv's
    own date rules in every partition (``time_zone`` as for :func:`ltv.summarize`): the default
    ``observation_end`` of :func:`summarize`, one pass over the column. Raises
    InvalidArgumentError for an empty log."""
    _require_dask_frame(log, "log")
    date = _default_columns()[1] if date is None else date
    _require_column(log, "date", date)
    _transactions._zone(time_zone)  # checked in the driver, before any task runs
    last = log.map_partitions(_day_max, date, time_zone, meta=(None, "int64")).max().compute()
    if last == _transactions.NO_DATE or pd.isna(last):
        raise InvalidArgumentError("the log has no transactions: no last date")
    return np.datetime64(int(last), "D")


def _index_dtype(ids):
    """The dtype of a summary's customer_id index for ids of this dtype: integer ids come back
    as integers (as ltv.summarize gives them), anything else as text (object)."""
    kind = getattr(ids, "dtype", np.dtype(object)).kind
    if kind == "u":
        return np.dtype(np.uint64)
    if kind == "i":
        return np.dtype(np.int64)
    return np.dtype(object)


def _summarize_partition(frame, customer, date, amount, options, index_dtype, extra, empty):
    """One partition's summary: ltv.summarize on its rows, as a DataFrame (empty: ``empty``)."""
    def column(name):
        if name == frame.index.name and name not in frame.columns:
            return frame.index.to_series()
        return frame[name]

    if len(frame) == 0:
        return empty
    summary = _transactions.summarize(column(customer), column(date),
                                      None if amount is None else column(amount), **options)
    out = summary.to_pandas(extra=extra)
    if len(out) == 0:
        return empty
    if out.index.dtype != index_dtype:
        out.index = out.index.astype(index_dtype)
    out.index.name = "customer_id"
    return out


def _summary_meta(customer_ids, options, extra):
    """The empty frame of a summary's columns and dtypes."""
    none = _transactions.summarize(pd.Series([], dtype=np.int64),
                                   pd.Series([], dtype="datetime64[ns]"),
                                   pd.Series([], dtype=np.float64), **options)
    meta = none.to_pandas(extra=extra).iloc[:0].copy()
    meta.index = pd.Index([], dtype=_index_dtype(customer_ids), name="customer_id")
    return meta


def summarize(log, customer=None, date=None, amount=None, *, observation_end=None,
              time_unit=None, calibration_end=None, merge="day", time_zone=None, extra=False):
    """Per-customer summaries of a Dask DataFrame of transactions partitioned by customer.

    Every partition is summarised by :func:`ltv.summarize` where it is; the result is a Dask
    DataFrame (lazy) of ``Summary.to_pandas(extra)`` frames — frequency, recency, T,
    monetary_value (and the holdout columns with ``calibration_end``) indexed by
    ``customer_id`` — with the rows ``ltv.summarize`` gives on the whole log in one process,
    identical to the last bit when each customer's rows come in the same order (a monetary value
    is a sum in the rows' order); partitions in their order, customers in first-seen order
    within a partition. ``persist()`` it when several steps follow.

    ``customer``, ``date``, ``amount``: column names (or the index's name); None takes the
    library's default names (``customer_id``, ``date``, ``amount`` — the file readers'
    defaults), the amount only when the log has that column. Dates and ids are read as
    :func:`ltv.summarize` reads them (integer ids stay integers).

    ``observation_end`` must be one date for the whole log — each partition's own last day would
    give other T's — so None computes the log's last day once (:func:`last_date`, one pass over
    the date column) before the summaries are built. ``time_unit`` (None: the library's default,
    days), ``calibration_end``, ``merge`` and ``time_zone`` (date-times with an offset, or
    tz-aware columns, converted to that zone before the date is taken) are
    :func:`ltv.summarize`'s.

    The log must be partitioned by customer (every customer's rows in one partition):
    :func:`repartition_by_customer` makes it so; :func:`patterns` and :func:`fit` check it
    (a customer in two partitions raises InvalidArgumentError naming one).
    """
    _require_dask_frame(log, "log")
    default_customer, default_date, default_amount = _default_columns()
    customer = default_customer if customer is None else customer
    date = default_date if date is None else date
    if amount is None and (default_amount in log.columns or default_amount == log.index.name):
        amount = default_amount
    for role, column in (("customer", customer), ("date", date), ("amount", amount)):
        if column is not None:
            _require_column(log, role, column)
    if observation_end is None:
        observation_end = last_date(log, date, time_zone=time_zone)
    options = {"observation_end": observation_end, "time_unit": time_unit,
               "calibration_end": calibration_end, "merge": merge}
    if time_zone is not None:
        _transactions._zone(time_zone)  # checked in the driver, before any task runs
        options["time_zone"] = time_zone
    # the options checked (and normalised) once, in the driver, before any task runs
    checked = _transactions._summary_options(observation_end, time_unit, calibration_end, merge)
    ids_meta = log.index if customer == log.index.name and customer not in log.columns \
        else log[customer]
    meta = _summary_meta(ids_meta, options, extra)
    meta.attrs[_SUMMARY_ATTRS] = {
        "time_unit_days": checked.time_unit_days,
        "observation_end": np.datetime64(int(checked.observation_end), "D"),
        "calibration_end": (None if checked.calibration_end == _transactions.NO_DATE
                            else np.datetime64(int(checked.calibration_end), "D")),
        # an index of customer ids with known divisions: partitions disjoint by construction
        "disjoint": bool(customer == log.index.name and log.known_divisions),
    }
    # the empty frame travels inside a partial: a pandas argument of map_partitions would be
    # taken for a collection to align
    function = functools.partial(_summarize_partition, empty=meta.iloc[:0])
    result = log.map_partitions(
        function, customer, date, amount, options, meta.index.dtype, extra, meta=meta,
        enforce_metadata=False, align_dataframes=False, token="ltv-summarize")
    if not meta.attrs[_SUMMARY_ATTRS]["disjoint"]:
        result = result.clear_divisions()  # the log's divisions are not the customers'
    return result


def _summary_info(summary):
    return dict(getattr(getattr(summary, "_meta", None), "attrs", {}).get(_SUMMARY_ATTRS, {}))


# ---- step 2: patterns ---------------------------------------------------------------------------

def _duplicates(summary):
    """Lazy: the number of customer ids in more than one row of the summary."""
    ids = summary.index.to_series()
    counts = ids.value_counts(split_out=max(1, summary.npartitions // 4))
    return (counts > 1).sum()


def _raise_duplicates(summary, count):
    ids = summary.index.to_series()
    counts = ids.value_counts(split_out=max(1, summary.npartitions // 4))
    example = counts[counts > 1].head(1, npartitions=-1)
    name = example.index[0] if len(example) else "?"
    raise InvalidArgumentError(
        f"the log is not partitioned by customer: {count} customer(s) have rows in more than one "
        f"partition (e.g. customer_id {name!r} in {int(example.iloc[0]) if len(example) else '?'}"
        " partitions), so their summaries would be split; repartition the log first with "
        "ltv.dask.repartition_by_customer(log)")


def _partition_patterns(frame, columns, repeat_only):
    """One partition's distinct rows of ``columns`` with their counts (``weight``)."""
    rows = frame[columns]
    if repeat_only:
        rows = rows[rows["frequency"] > 0]
    return rows.groupby(columns, sort=False, dropna=False).size().rename("weight").reset_index()


def patterns(summary, columns=RFM_COLUMNS, *, check=True):
    """The distinct rows of ``columns`` of a summary with their counts: a pandas DataFrame with
    ``columns`` and ``weight`` (int64, the number of customers with that row), sorted by
    ``columns`` — the same table for any partitioning of the same customers, so a fit on it
    gives the same parameters.

    ``RFM_COLUMNS`` (frequency, recency, T; the default) are a transaction model's inputs;
    ``SPEND_COLUMNS`` (frequency, monetary_value), of the customers with frequency > 0 only, are
    Gamma-Gamma's. Every partition counts its own rows (pandas ``groupby``); the driver adds up
    the partitions' counts, so it receives at most one row per customer. ``check`` verifies
    that no customer is in two partitions (a shuffle of the customer ids, computed together with
    the patterns); it is skipped when the summary comes from a log indexed by customer with
    known divisions.
    """
    _require_dask_frame(summary, "summary")
    columns = list(columns)
    missing = [c for c in columns if c not in summary.columns]
    if missing:
        raise InvalidArgumentError(
            f"argument 'columns': {missing} not in the summary's columns {list(summary.columns)}")
    repeat_only = columns == list(SPEND_COLUMNS)
    meta = summary._meta[columns].iloc[:0].assign(weight=np.int64(0)).reset_index(drop=True)
    parts = summary.map_partitions(_partition_patterns, columns, repeat_only, meta=meta,
                                   enforce_metadata=False, token="ltv-patterns")
    check = check and not _summary_info(summary).get("disjoint", False)
    if check:
        parts, duplicated = dask.compute(parts, _duplicates(summary))
        if duplicated:
            _raise_duplicates(summary, int(duplicated))
    else:
        (parts,) = dask.compute(parts)
    table = parts.groupby(columns, sort=True, dropna=False)["weight"].sum().reset_index()
    table["weight"] = table["weight"].astype(np.int64)
    return table


# ---- step 3: fit --------------------------------------------------------------------------------

def fit(model, summary, *, check=True, **fit_options):
    """Fits ``model`` in the driver on the summary's :func:`patterns`, weighted by their counts;
    returns the model. A spend model (Gamma-Gamma) is fitted on the (frequency,
    monetary_value) patterns of the repeat customers, a transaction model on the (frequency,
    recency, T) patterns, and records the summary's time unit (as a fit on an ltv.Summary does).
    ``fit_options`` are the model's ``fit`` keyword options (``initial``, ``max_iterations``,
    ``time_limit``, ``cancel``, ``allow_no_convergence``, ...).

    The patterns are the same table however the customers are partitioned, so the parameters
    equal those of ``model.fit(p.frequency, p.recency, p.T, weights=p.weight)`` on the patterns
    of the single-machine summary, to the last bit; they equal a fit on every customer's row up
    to the optimiser's tolerance (the log-likelihood is summed in another order).
    """
    if not isinstance(model, Model):
        raise InvalidArgumentError(
            f"argument 'model' must be an ltv model (ltv.BetaGeo(), ltv.GammaGamma(), ...), got "
            f"{type(model).__name__}")
    if model.supports("fit_spend"):
        table = patterns(summary, SPEND_COLUMNS, check=check)
        return model.fit(table["frequency"], table["monetary_value"], weights=table["weight"],
                         **fit_options)
    if not model.supports("fit_rfm"):
        raise InvalidArgumentError(
            f"{type(model).__name__} is not fitted on customer summaries (its fit takes "
            "other data); fit it in the driver")
    table = patterns(summary, RFM_COLUMNS, check=check)
    model.fit(table["frequency"], table["recency"], table["T"], weights=table["weight"],
              **fit_options)
    unit = _summary_info(summary).get("time_unit_days")
    if unit is not None:
        model.time_unit = unit
    return model


# ---- step 4: scores -----------------------------------------------------------------------------

def _score_partition(frame, model_bytes, spend_bytes, t, clv_options, meta):
    """One partition's scores by the pickled models (unpickled once per partition)."""
    if len(frame) == 0:
        return meta
    model = pickle.loads(model_bytes)
    spend = pickle.loads(spend_bytes) if spend_bytes is not None else None
    f, r, age = frame["frequency"], frame["recency"], frame["T"]
    out = pd.DataFrame(index=frame.index)
    if "p_alive" in meta.columns:
        out["p_alive"] = model.p_alive(f, r, age)
    if "expected_purchases" in meta.columns:
        out["expected_purchases"] = model.expected_purchases(t, f, r, age)
    if spend is not None:
        m = frame["monetary_value"]
        out["expected_spend"] = spend.expected_spend(f, m)
        if "clv" in meta.columns:
            out["clv"] = customer_lifetime_value(model, spend, f, r, age, m, **clv_options)
    return out


def score(model, summary, *, t=None, spend_model=None, periods=None, period_length=None,
          discount_rate=None):
    """Scores every customer of a Dask summary where it is (``map_partitions``) with the fitted
    models, pickled into the tasks: a lazy Dask DataFrame indexed like the summary, with

    - ``p_alive``: ``model.p_alive`` (when the model has it),
    - ``expected_purchases``: ``model.expected_purchases(t, ...)``, when ``t`` (a horizon in
      the model's time unit) is given,
    - ``expected_spend`` and ``clv``: with a fitted ``spend_model`` (Gamma-Gamma),
      ``spend_model.expected_spend`` and :func:`ltv.customer_lifetime_value` with ``periods``,
      ``period_length``, ``discount_rate`` (None: the library's defaults, ``ltv.clv_defaults()``).

    Each value is the one the same call gives on the whole summary in one process.
    """
    _require_dask_frame(summary, "summary")
    for name, m in (("model", model), ("spend_model", spend_model)):
        if m is not None and not isinstance(m, Model):
            raise InvalidArgumentError(
                f"argument '{name}' must be a fitted ltv model, got {type(m).__name__}")
    if not model.has_params:
        raise InvalidArgumentError("argument 'model' has no parameters: fit it first "
                                   "(ltv.dask.fit(model, summary))")
    needed = list(RFM_COLUMNS) + (["monetary_value"] if spend_model is not None else [])
    missing = [c for c in needed if c not in summary.columns]
    if missing:
        raise InvalidArgumentError(f"the summary has no column(s) {missing}")
    columns = []
    if model.supports("p_alive"):
        columns.append("p_alive")
    if t is not None:
        if not model.supports("conditional_purchases"):
            raise InvalidArgumentError(f"{type(model).__name__} has no expected_purchases")
        columns.append("expected_purchases")
    clv_options = {"periods": periods, "period_length": period_length,
                   "discount_rate": discount_rate}
    if spend_model is not None:
        if not spend_model.supports("spend") or not spend_model.has_params:
            raise InvalidArgumentError("argument 'spend_model' must be a fitted spend model "
                                       "(ltv.GammaGamma)")
        columns.append("expected_spend")
        if model.supports("clv"):
            columns.append("clv")
    if not columns:
        raise InvalidArgumentError(f"nothing to score with {type(model).__name__}: give t= "
                                   "or a spend_model")
    meta = pd.DataFrame({c: pd.Series([], dtype=np.float64) for c in columns},
                        index=summary._meta.index)
    model_bytes = pickle.dumps(model)
    spend_bytes = pickle.dumps(spend_model) if spend_model is not None else None
    function = functools.partial(_score_partition, meta=meta)
    return summary.map_partitions(function, model_bytes, spend_bytes, t, clv_options, meta=meta,
                                  token="ltv-score", enforce_metadata=False,
                                  align_dataframes=False)
