# SPDX-License-Identifier: Apache-2.0
"""Model comparison ("benchmarking"): every applicable model fitted on a calibration period and
judged on the holdout that follows it, with the naive baseline, tracking curves and diagnostics.

The numbers are the library's (``ltv_compare_transactions`` / ``ltv_compare_summary``,
include/ltv/evaluation.hpp defines every metric and series); this module only turns them into
pandas DataFrames. ``ltv compare`` on the command line computes the same comparison.

>>> import ltv
>>> log = ltv.read_transactions("examples/data/CDNOW_master.txt", amount="dollar_value")
>>> c = ltv.compare_models(log, "1997-09-30", "1998-06-30")
>>> c.best
'pnbd'
>>> c.table.loc["bgnbd", "holdout_predicted"]   # lifetimes: 16 873.7
16873.7...
"""

import ctypes
import json
import os
from collections.abc import Mapping

import numpy as np

from ._arrays import pointer
from ._library import CompareOptions, EvaluationRow, call, lib
from .errors import NotFittedError
from .transactions import Summary, TransactionLog, _as_dates, _day, _summary_options, _time_unit

# LTV_SERIES_* of ltv.h
_PERIOD_END = 0
_TRACKING_ACTUAL = 1
_TRACKING_EXPECTED = 2
_GROUP_CUSTOMERS = 3
_GROUP_ACTUAL = 4
_GROUP_PREDICTED = 5
_HISTOGRAM_ACTUAL = 6
_HISTOGRAM_EXPECTED = 7
_MATRIX_FREQUENCY = 8
_MATRIX_RECENCY = 9
_P_ALIVE_MATRIX = 10
_EXPECTED_MATRIX = 11
_PREDICTIONS = 12
_P_ALIVE = 13

#: LTV_ROLE_* → the role's name (the JSON's "role")
ROLES = ("purchases", "spend", "baseline")
#: LTV_GOAL_* → the goal's name (the JSON's "goal")
GOALS = ("none", "lower", "higher", "zero")

_SIZE_MAX = 2**(8 * ctypes.sizeof(ctypes.c_size_t)) - 1


def metric_info():
    """The metrics of the comparison table, in column order, as a pandas DataFrame indexed by
    identifier (``"mae"``) with columns ``label`` (``"MAE"``), ``goal`` (``"lower"``,
    ``"higher"``, ``"zero"`` — closest to zero is best — or ``"none"``) and ``description``.

    >>> ltv.evaluation.metric_info().loc["mae", "label"]
    'MAE'
    """
    import pandas as pd

    rows = []
    for index in range(_metric_count()):
        name, label, description = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
        goal = ctypes.c_int()
        call("ltv_evaluation_metric_info", index, ctypes.byref(name), ctypes.byref(label),
             ctypes.byref(goal), ctypes.byref(description))
        rows.append((name.value.decode(), label.value.decode(), GOALS[goal.value],
                     description.value.decode()))
    frame = pd.DataFrame(rows, columns=["metric", "label", "goal", "description"])
    return frame.set_index("metric")


def _metric_count():
    count = ctypes.c_size_t()
    call("ltv_evaluation_metric_count", ctypes.byref(count))
    return count.value


def _known_model_names():
    from .models import MODEL_CLASSES

    return [cls.name for cls in MODEL_CLASSES.values()]


def _model_names(models):
    """None → None (every applicable model); a list or a comma-separated string → the names."""
    if models is None:
        return None
    if isinstance(models, str):
        names = [part.strip() for part in models.split(",")]
    elif isinstance(models, (list, tuple)):
        names = list(models)
    else:
        raise TypeError(
            f"argument 'models' = {models!r} must be a list of model names or a comma-separated "
            "string (e.g. 'bgnbd,pnbd,gg')")
    known = _known_model_names()
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"argument 'models': {name!r} is not a model name (a string)")
        if name.strip() == "":
            raise ValueError(f"argument 'models' = {models!r} has an empty name")
        if name.strip() not in known:
            raise ValueError(
                f"argument 'models': unknown model {name!r} (known: {', '.join(known)})")
    if not names:
        raise ValueError("argument 'models' is empty (None compares every applicable model)")
    return [n.strip() for n in names]


def _whole_int(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"argument '{name}' = {value!r} must be an integer")
    if not low <= int(value) <= high:
        raise ValueError(f"argument '{name}' = {value} must be in {low} … {high}")
    return int(value)


def _compare_options(models, tracking_period, penalizer, baseline, threads, frequency_groups,
                     histogram_bins, matrix_size):
    o = CompareOptions()
    call("ltv_compare_options_init", ctypes.byref(o), ctypes.sizeof(o))
    names = _model_names(models)
    if names is not None:
        o._models = ",".join(names).encode("utf-8")  # alive as long as the options
        o.models = o._models
    o.baseline = 1 if baseline else 0
    if tracking_period is not None:
        days = _time_unit(tracking_period)
        if not (1 <= days <= 36500 and days == int(days)):
            raise ValueError(
                f"argument 'tracking_period' = {tracking_period!r} must be a whole number of "
                "days in 1 … 36500 (or 'day', 'week', 'month')")
        o.tracking_period_days = days
    try:
        penalizer = float(penalizer)
    except (TypeError, ValueError):
        raise TypeError(f"argument 'penalizer' = {penalizer!r} is not a number") from None
    if not (np.isfinite(penalizer) and penalizer >= 0):
        raise ValueError(f"argument 'penalizer' = {penalizer} must be a finite number >= 0")
    o.penalizer = penalizer
    o.threads = _whole_int(threads, "threads", 0, 2**31 - 1)
    o.frequency_groups = _whole_int(frequency_groups, "frequency_groups", 1, 1000)
    o.histogram_bins = _whole_int(histogram_bins, "histogram_bins", 1, 1000)
    o.matrix_size = _whole_int(matrix_size, "matrix_size", 2, 1000)
    return o


def _log_from_columns(data, customer_id_col, datetime_col, monetary_value_col):
    """A TransactionLog from a DataFrame or a mapping of columns."""
    if hasattr(data, "columns"):
        columns = list(data.columns)
    else:
        columns = list(data.keys())
    wanted = [("customer_id_col", customer_id_col), ("datetime_col", datetime_col)]
    if monetary_value_col is not None:
        wanted.append(("monetary_value_col", monetary_value_col))
    for argument, column in wanted:
        if column not in columns:
            raise ValueError(
                f"argument '{argument}' = {column!r}: the data has no such column (columns: "
                f"{', '.join(map(str, columns))})")
    amounts = data[monetary_value_col] if monetary_value_col is not None else None
    return TransactionLog(data[customer_id_col], data[datetime_col], amounts)


def compare_models(data, calibration_end=None, observation_end=None, *, models=None,
                   time_unit=None, tracking_period=None, penalizer=0.0, baseline=True,
                   threads=0, frequency_groups=7, histogram_bins=7, matrix_size=25,
                   customer_id_col="customer_id", datetime_col="date", monetary_value_col=None,
                   merge="day"):
    """Fits every applicable model on the calibration period and judges it on the holdout.

    Parameters
    ----------
    data : ltv.TransactionLog, pandas.DataFrame, mapping of columns, or ltv.Summary
        The transactions: a :class:`ltv.TransactionLog` (``ltv.read_transactions``), a
        DataFrame or dict of columns named by ``customer_id_col``, ``datetime_col`` and,
        optionally, ``monetary_value_col`` (as lifetimes), or an :class:`ltv.Summary` that
        already has a calibration/holdout split (``summarize(..., calibration_end=...)``; then
        ``calibration_end``, ``observation_end``, ``time_unit`` and ``merge`` are the summary's
        and must not be given, and there are no tracking curves: the notes say so).
    calibration_end : date (str "YYYY-MM-DD", datetime, datetime64)
        The last day of the calibration period (required unless ``data`` is a Summary).
    observation_end : date, optional
        The last day of the holdout; None = the last transaction.
    models : list of str or str, optional
        Model names (``["bgnbd", "pnbd", "gg"]`` or ``"bgnbd,pnbd,gg"``); None = every model
        that applies (BG/BB and sBG do not; Gamma-Gamma only with amounts).
    time_unit : "day", "week", "month" or a number of days (None: the library default, days)
        The unit of recency, T and of the models' parameters.
    tracking_period : "day", "week", "month" or a whole number of days, optional
        The period of the tracking curves; None = the time unit.
    penalizer : float
        L2 penalizer of every fit (default 0).
    baseline : bool
        Add the naive baseline row (the calibration rate kept through the holdout).
    threads : int
        0 = the library default.
    frequency_groups, histogram_bins : int
        Groups x = 0 … G−1 and G+ of :attr:`Comparison.by_frequency` and
        :attr:`Comparison.histogram` (default 7).
    matrix_size : int
        Frequencies and recencies of the P(alive) and expected-purchases matrices (default 25).
    customer_id_col, datetime_col, monetary_value_col : str
        Column names for a DataFrame or mapping (``monetary_value_col`` None: no amounts).
    merge : "day" (default), "week", "month" or "none"
        Transactions merged into one purchase occasion.

    Returns
    -------
    Comparison

    Raises
    ------
    TypeError, ValueError
        For invalid arguments (the message names the argument); the library's own errors as
        the binding's exceptions (:class:`ltv.InvalidArgumentError` is a ValueError).

    Example
    -------
    >>> log = ltv.read_transactions("examples/data/CDNOW_master.txt", amount="dollar_value")
    >>> c = ltv.compare_models(log, "1997-09-30", "1998-06-30", models="bgnbd,pnbd,gg")
    >>> c.table[["title", "mae", "rmse"]]
    """
    options = _compare_options(models, tracking_period, penalizer, baseline, threads,
                               frequency_groups, histogram_bins, matrix_size)
    handle = ctypes.c_void_p()
    if isinstance(data, Summary):
        given = [name for name, value in (("calibration_end", calibration_end),
                                          ("observation_end", observation_end)) if value is not None]
        if given:
            raise ValueError(
                f"argument '{given[0]}' cannot be given with a Summary: the summary's split is "
                "used (summarize the log again for another split)")
        if not data.has_holdout:
            raise ValueError(
                "argument 'data' is a Summary without a calibration/holdout split: summarize "
                "with calibration_end=...")
        if getattr(data, "_table", None) is None:
            raise ValueError(
                "argument 'data' is a copied or unpickled Summary, which keeps the columns but "
                "not the library's table: pass the original Summary, or the log itself")
        call("ltv_compare_summary", data._table, ctypes.byref(options), ctypes.byref(handle))
        return Comparison(handle, _keep=data)
    if calibration_end is None:
        raise ValueError(
            "argument 'calibration_end' is required: the last day of the calibration period "
            "(the models are fitted up to it and judged on the holdout after it)")
    cal, obs = _day(calibration_end, "calibration_end"), None
    if observation_end is not None:
        obs = _day(observation_end, "observation_end")
        if cal > obs:
            raise ValueError(
                f"argument 'calibration_end' = {np.datetime64(cal, 'D')} is after "
                f"'observation_end' = {np.datetime64(obs, 'D')}: the holdout would be empty")
    if isinstance(data, TransactionLog):
        log = data
    elif hasattr(data, "columns") or isinstance(data, Mapping):
        log = _log_from_columns(data, customer_id_col, datetime_col, monetary_value_col)
    else:
        raise TypeError(
            f"argument 'data' must be an ltv.TransactionLog, a pandas DataFrame, a mapping of "
            f"columns or an ltv.Summary, not {type(data).__name__}")
    summary_options = _summary_options(observation_end, time_unit, calibration_end, merge)
    call("ltv_compare_transactions", log._handle, ctypes.byref(summary_options),
         ctypes.byref(options), ctypes.byref(handle))
    return Comparison(handle)


class Comparison:
    """The result of :func:`compare_models`: one row per model (the baseline first) and the
    series behind the charts, as pandas DataFrames.

    Attributes
    ----------
    table : DataFrame
        Index model name; columns ``title``, ``role`` ("purchases", "spend", "baseline"),
        ``converged``, ``message``, then every metric by identifier (:func:`metric_info`);
        NaN where a metric is not defined.
    tracking, tracking_incremental : DataFrame
        Index the period end dates (datetime64); columns ``actual`` and one per model: repeat
        purchases per period, cumulative and per period. Empty without a transaction log.
    by_frequency : DataFrame
        Index the calibration frequency group ("0" … "6", "7+"); columns ``customers``,
        ``actual`` (mean holdout purchases) and one per model (mean predicted); NaN for groups
        without customers.
    histogram : DataFrame
        Same index; columns ``actual`` (customers) and one per model (expected customers).
    predictions : DataFrame
        Index customer id; the calibration summary (frequency, recency, T[, monetary_value]),
        the holdout actuals (frequency_holdout[, monetary_value_holdout], duration_holdout),
        ``<model>_holdout_purchases``, ``<model>_p_alive`` and ``<spend model>_expected_spend``.
    best : str or None
        The converged purchase model with the lowest MAE.
    notes : list of str
        What was skipped or omitted, and why.
    models : dict
        Model name → the fitted ``ltv`` model (``BetaGeo``, …), fitted in ``time_unit_days``.
    data : dict
        The data section of the JSON (customers, dates, time unit, amounts, …).

    Example
    -------
    >>> c = ltv.compare_models(log, "1997-09-30", "1998-06-30")
    >>> c.table.loc[c.best, "mae"]
    >>> c.to_html("comparison.html")
    """

    def __init__(self, handle, _keep=None):
        self._handle = handle
        self._keep = _keep
        try:
            self._load()
        except BaseException:
            lib.ltv_evaluation_free(handle)
            self._handle = None
            raise

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and lib is not None:
            lib.ltv_evaluation_free(handle)
            self._handle = None

    def __reduce__(self):
        # The evaluation lives in the library; a shallow copy would free it twice.
        raise TypeError(
            "a Comparison cannot be pickled or copied (it lives in the library): pickle its "
            "tables (comparison.table, .tracking, …), its to_json() text or its fitted models")

    def __copy__(self):
        self.__reduce__()

    def __deepcopy__(self, memo):
        self.__reduce__()

    # -- reading the evaluation -------------------------------------------------------------
    def _series(self, series, row=0):
        length = ctypes.c_size_t()
        call("ltv_evaluation_series", self._handle, series, row, None, 0, ctypes.byref(length))
        out = np.empty(length.value, dtype=np.float64)
        if length.value:
            call("ltv_evaluation_series", self._handle, series, row, pointer(out), length.value,
                 ctypes.byref(length))
        return out

    def _load(self):
        import pandas as pd

        size = ctypes.c_size_t()
        call("ltv_evaluation_to_json", self._handle, None, 0, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        call("ltv_evaluation_to_json", self._handle, buffer, size.value, ctypes.byref(size))
        self._json_text = buffer.value.decode("utf-8")
        self._json = json.loads(self._json_text)
        self.data = dict(self._json["data"])
        self.notes = list(self._json.get("notes", []))
        self.time_unit_days = _time_unit(self.data["time_unit"])

        rows, customers, best = ctypes.c_size_t(), ctypes.c_size_t(), ctypes.c_size_t()
        call("ltv_evaluation_counts", self._handle, ctypes.byref(rows), ctypes.byref(customers),
             ctypes.byref(best))
        self.customers = customers.value
        info = metric_info()
        k = len(info)
        records, self._rows = [], {}
        for r in range(rows.value):
            row = EvaluationRow()
            row.struct_size = ctypes.sizeof(EvaluationRow)
            call("ltv_evaluation_row_info", self._handle, r, ctypes.byref(row))
            values = np.empty(k, dtype=np.float64)
            defined = np.empty(k, dtype=ctypes.c_int)
            call("ltv_evaluation_metrics", self._handle, r, pointer(values),
                 defined.ctypes.data_as(ctypes.POINTER(ctypes.c_int)), k)
            values[defined == 0] = np.nan
            name = row.name.decode()
            self._rows[name] = (r, ROLES[row.role], bool(row.fitted))
            records.append([name, row.title.decode(), ROLES[row.role], bool(row.converged),
                            row.message.decode(), *values.tolist()])
        table = pd.DataFrame(records, columns=["model", "title", "role", "converged", "message",
                                               *info.index])
        self.table = table.set_index("model")
        self.best = None if best.value == _SIZE_MAX else records[best.value][0]

        # fitted models, in the summary's time unit
        self.models = {}
        from .models import _wrap

        for name, (r, role, fitted) in self._rows.items():
            if role == "baseline" or not fitted:
                continue
            model_handle = ctypes.c_void_p()
            try:
                call("ltv_evaluation_model", self._handle, r, ctypes.byref(model_handle))
            except NotFittedError:
                continue
            model = _wrap(model_handle)
            model.time_unit_days = self.time_unit_days
            self.models[name] = model

        purchase_rows = [(n, r) for n, (r, role, _) in self._rows.items() if role != "spend"]

        # tracking
        ends = self._series(_PERIOD_END)
        index = pd.DatetimeIndex(_as_dates(ends), name="period_end")
        cumulative = {"actual": self._series(_TRACKING_ACTUAL)}
        for name, r in purchase_rows:
            values = self._series(_TRACKING_EXPECTED, r)
            if len(values) == len(ends) and len(ends):
                cumulative[name] = values
        self.tracking = pd.DataFrame(cumulative, index=index, dtype=np.float64)
        self.tracking_incremental = self.tracking.diff()
        if len(self.tracking):
            self.tracking_incremental.iloc[0] = self.tracking.iloc[0]
        tracking = self._json.get("tracking") or {}
        self.calibration_periods = tracking.get("calibration_periods")
        self.tracking_period_days = tracking.get("period_days")

        # by frequency and histogram
        def labels(n):
            return [str(i) for i in range(n - 1)] + [f"{n - 1}+"]

        group_customers = self._series(_GROUP_CUSTOMERS)
        empty = group_customers == 0
        groups = {"customers": group_customers, "actual": self._series(_GROUP_ACTUAL)}
        for name, r in purchase_rows:
            values = self._series(_GROUP_PREDICTED, r)
            if len(values) == len(group_customers):
                groups[name] = values
        frame = pd.DataFrame(groups, index=pd.Index(labels(len(group_customers)),
                                                    name="frequency"), dtype=np.float64)
        frame.loc[empty, [c for c in frame.columns if c != "customers"]] = np.nan
        self.by_frequency = frame

        actual = self._series(_HISTOGRAM_ACTUAL)
        bins = {"actual": actual}
        for name, r in purchase_rows:
            values = self._series(_HISTOGRAM_EXPECTED, r)
            if len(values) == len(actual):
                bins[name] = values
        self.histogram = pd.DataFrame(bins, index=pd.Index(labels(len(actual)),
                                                           name="frequency"), dtype=np.float64)

        self._matrix_frequency = self._series(_MATRIX_FREQUENCY)
        self._matrix_recency = self._series(_MATRIX_RECENCY)
        self._predictions = None

    # -- per customer -------------------------------------------------------------------------
    @property
    def predictions(self):
        """Per customer (index customer id, the summary's order): the calibration summary, the
        holdout actuals and every model's predictions (computed once, on first use)."""
        if self._predictions is None:
            handle = ctypes.c_void_p()
            call("ltv_evaluation_summary", self._handle, ctypes.byref(handle))
            summary = Summary(handle)
            frame = summary.to_pandas()
            if not self.data.get("amounts"):
                frame = frame.drop(columns=["monetary_value", "monetary_value_holdout"])
            columns = {}
            for name, (r, role, _) in self._rows.items():
                predicted = self._series(_PREDICTIONS, r)
                if len(predicted) == len(frame):
                    suffix = "expected_spend" if role == "spend" else "holdout_purchases"
                    columns[f"{name}_{suffix}"] = predicted
                alive = self._series(_P_ALIVE, r)
                if len(alive) == len(frame):
                    columns[f"{name}_p_alive"] = alive
            for column, values in columns.items():
                frame[column] = values
            self._predictions = frame
        return self._predictions

    # -- matrices -----------------------------------------------------------------------------
    def _matrix_model(self, model):
        if model is None:
            candidates = ([self.best] if self.best else []) + list(self.models)
            for name in candidates:
                if len(self._series(_P_ALIVE_MATRIX, self._rows[name][0])):
                    return name
            raise ValueError("no model of the comparison has P(alive) and expected-purchase "
                             "matrices")
        if model not in self._rows:
            raise ValueError(f"argument 'model': {model!r} is not in the comparison (rows: "
                             f"{', '.join(self._rows)})")
        return model

    def _matrix(self, series, model):
        import pandas as pd

        name = self._matrix_model(model)
        values = self._series(series, self._rows[name][0])
        f, r = self._matrix_frequency, self._matrix_recency
        if len(values) != len(f) * len(r):
            raise ValueError(f"argument 'model': {name!r} has no matrices (it is not a fitted "
                             "purchase model with P(alive))")
        frame = pd.DataFrame(values.reshape(len(f), len(r)),
                             index=pd.Index(f, name="frequency"),
                             columns=pd.Index(r, name="recency"))
        frame.attrs.update(model=name, T=self._json["matrices"]["T"],
                           time_unit=self.data["time_unit"])
        return frame

    def p_alive_matrix(self, model=None):
        """P(alive | x, t_x, T = max T) on the grid of frequency (index, repeat purchases) ×
        recency (columns, in the time unit) of ``model`` (default: the best model).

        >>> c.p_alive_matrix("bgnbd").loc[0.0].iloc[0]   # a customer without repeat purchases
        """
        return self._matrix(_P_ALIVE_MATRIX, model)

    def expected_matrix(self, model=None):
        """E[purchases in the next time unit | x, t_x, T = max T] on the same grid as
        :meth:`p_alive_matrix` (default model: the best)."""
        return self._matrix(_EXPECTED_MATRIX, model)

    # -- output -------------------------------------------------------------------------------
    def to_json(self):
        """Everything as a dict (the JSON of ``ltv compare --json``; fit_seconds varies between
        runs, as ``not_reproducible`` says)."""
        return json.loads(self._json_text)

    def to_html(self, path, title=None, source=None):
        """Writes the self-contained HTML report (inline CSS and SVG, no scripts) to ``path``
        and returns the path; ``title`` and ``source`` (the data's name) are shown in the
        header.

        >>> c.to_html("comparison.html", title="CDNOW")
        'comparison.html'
        """
        call("ltv_evaluation_write_html", self._handle, os.fsencode(path),
             None if title is None else str(title).encode("utf-8"),
             None if source is None else str(source).encode("utf-8"))
        return path

    def __repr__(self):
        names = ", ".join(self.table.index)
        return (f"Comparison({self.customers} customers, calibration to "
                f"{self.data.get('calibration_end')}, holdout to {self.data.get('observation_end')}"
                f", {self.data.get('time_unit')}s; models: {names}; best: {self.best})")

    def _repr_html_(self):
        import html

        columns = [c for c in ("title", "converged", "holdout_predicted", "holdout_actual",
                               "mae", "rmse", "bias", "correlation", "aic")
                   if c in self.table.columns]
        head = (f"<p><b>Model comparison</b>: {self.customers} customers, calibration to "
                f"{html.escape(str(self.data.get('calibration_end')))}, holdout to "
                f"{html.escape(str(self.data.get('observation_end')))}; best: "
                f"{html.escape(str(self.best))}</p>")
        return head + self.table[columns].to_html(float_format=lambda v: f"{v:.4g}",
                                                  na_rep="–")


__all__ = ["Comparison", "compare_models", "metric_info", "ROLES", "GOALS"]
