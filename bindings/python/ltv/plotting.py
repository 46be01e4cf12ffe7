# SPDX-License-Identifier: Apache-2.0
"""Charts of a model comparison with matplotlib, under lifetimes' names.

matplotlib is imported inside each function, so ``import ltv`` never needs it. No function calls
``plt.show()``: each draws on ``ax`` (default: a new figure's axes) and returns the Axes.

>>> import ltv
>>> c = ltv.compare_models(log, "1997-09-30", "1998-06-30")
>>> ax = ltv.plot_cumulative_transactions(c)
>>> ax.figure.savefig("tracking.png")

Every function here is exported from ``ltv`` as well as ``ltv.plotting``.
"""

import numpy as np

from .errors import InvalidArgumentError
from .transactions import _days, _time_unit


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _unit(comparison):
    return {1.0: "days", 7.0: "weeks", 30.0: "months"}.get(
        float(comparison.time_unit_days), f"× {comparison.time_unit_days:g} days")


def _title(comparison, name):
    return str(comparison.table.loc[name, "title"]) if name in comparison.table.index else name


def _one_model(comparison, model, frame):
    """model (None: the best, else the first model in `frame`) checked against frame's columns."""
    available = [c for c in frame.columns if c not in ("actual", "customers")]
    if model is None:
        if comparison.best in available:
            return comparison.best
        purchase = [c for c in available if c != "baseline"]
        if not purchase and not available:
            raise ValueError("the comparison has no purchase model to plot")
        return (purchase or available)[0]
    if model not in available:
        raise ValueError(f"argument 'model' = {model!r} is not one of {', '.join(available)}")
    return model


def _models(comparison, models, frame):
    available = [c for c in frame.columns if c not in ("actual", "customers")]
    if models is None:
        return available
    if isinstance(models, str):
        models = [m.strip() for m in models.split(",")]
    unknown = [m for m in models if m not in available]
    if unknown:
        raise ValueError(f"argument 'models': {', '.join(map(repr, unknown))} not among "
                         f"{', '.join(available)}")
    return list(models)


def plot_period_transactions(comparison, model=None, ax=None, **kwargs):
    """Customers by number of calibration repeat purchases, actual against the model's
    expectation (grouped bars; lifetimes' ``plot_period_transactions``, computed exactly as
    Σᵢ P(X(Tᵢ) = n) instead of by simulation).

    Parameters
    ----------
    comparison : ltv.Comparison
    model : str or list of str, optional
        Model name(s); None = the best model.
    ax : matplotlib Axes, optional
    **kwargs : passed to ``ax.bar``.

    Returns
    -------
    matplotlib Axes (one bar container for the actual counts, one per model).

    Example
    -------
    >>> ax = ltv.plot_period_transactions(c, model="bgnbd")
    """
    ax = _axes(ax)
    frame = comparison.histogram
    names = (_models(comparison, model, frame) if isinstance(model, (list, tuple))
             else [_one_model(comparison, model, frame)])
    series = ["actual"] + names
    x = np.arange(len(frame))
    width = 0.8 / len(series)
    for k, column in enumerate(series):
        label = "Actual" if column == "actual" else _title(comparison, column)
        ax.bar(x + (k - (len(series) - 1) / 2) * width, frame[column].to_numpy(), width,
               label=label, **kwargs)
    ax.set_xticks(x)
    ax.set_xticklabels(list(frame.index))
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("customers")
    ax.set_title("Frequency of repeat transactions")
    ax.legend()
    return ax


def plot_calibration_purchases_vs_holdout_purchases(comparison, model=None, ax=None, **kwargs):
    """Mean holdout purchases per customer by number of calibration repeat purchases, actual
    against predicted (Fader, Hardie & Lee 2005, Figure 5; lifetimes'
    ``plot_calibration_purchases_vs_holdout_purchases``).

    Parameters
    ----------
    comparison : ltv.Comparison
    model : str or list of str, optional
        Model name(s) (the baseline included); None = the best model.
    ax : matplotlib Axes, optional
    **kwargs : passed to ``ax.plot``.

    Returns
    -------
    matplotlib Axes (one line for the actual means, one per model).

    Example
    -------
    >>> ax = ltv.plot_calibration_purchases_vs_holdout_purchases(c, model=["bgnbd", "pnbd"])
    """
    ax = _axes(ax)
    frame = comparison.by_frequency
    names = (_models(comparison, model, frame) if isinstance(model, (list, tuple))
             else [_one_model(comparison, model, frame)])
    x = np.arange(len(frame))
    ax.plot(x, frame["actual"].to_numpy(), marker="o", color="black", label="Actual", **kwargs)
    for name in names:
        ax.plot(x, frame[name].to_numpy(), marker="s", linestyle="--",
                label=_title(comparison, name), **kwargs)
    ax.set_xticks(x)
    ax.set_xticklabels(list(frame.index))
    ax.set_xlabel("repeat purchases in the calibration period")
    duration = comparison.data.get("duration_holdout")
    ax.set_ylabel(f"mean purchases in the holdout ({duration:g} {_unit(comparison)})"
                  if duration is not None else "mean purchases in the holdout")
    ax.set_title("Actual and predicted purchases in the holdout, by calibration frequency")
    ax.legend()
    return ax


def _heatmap(frame, ax, title, colorbar_label, comparison, **kwargs):
    ax = _axes(ax)
    f = frame.index.to_numpy(dtype=float)
    r = frame.columns.to_numpy(dtype=float)
    kwargs.setdefault("cmap", "viridis")
    kwargs.setdefault("aspect", "auto")
    # One cell per grid point; the ticks name the grid's values (the grid need not be even).
    image = ax.imshow(frame.to_numpy(), origin="lower", interpolation="nearest", **kwargs)
    for axis, values in ((ax.xaxis, r), (ax.yaxis, f)):
        ticks = np.unique(np.linspace(0, len(values) - 1, min(len(values), 7)).round().astype(int))
        axis.set_ticks(ticks)
        axis.set_ticklabels([f"{values[k]:.3g}" for k in ticks])
    ax.figure.colorbar(image, ax=ax, label=colorbar_label)
    unit = _unit(comparison)
    ax.set_xlabel(f"recency: age at the last purchase ({unit})")
    ax.set_ylabel("frequency: repeat purchases")
    ax.set_title(f"{title}\n{_title(comparison, frame.attrs['model'])}, customers of age "
                 f"T = {frame.attrs['T']:.4g} {unit}")
    return ax


def plot_frequency_recency_matrix(comparison, model=None, ax=None, **kwargs):
    """Heatmap of the expected purchases in the next time unit by frequency and recency
    (lifetimes' ``plot_frequency_recency_matrix``), for customers of the largest age T.

    Parameters
    ----------
    comparison : ltv.Comparison
    model : str, optional
        A purchase model of the comparison; None = the best.
    ax : matplotlib Axes, optional
    **kwargs : passed to ``ax.imshow`` (cmap, vmin, …).

    Returns
    -------
    matplotlib Axes (one image, with a colorbar).

    Example
    -------
    >>> ax = ltv.plot_frequency_recency_matrix(c, model="pnbd")
    """
    frame = comparison.expected_matrix(model)
    return _heatmap(frame, ax, "Expected purchases in the next time unit",
                    f"expected purchases in one {_unit(comparison).rstrip('s')}", comparison,
                    **kwargs)


def plot_probability_alive_matrix(comparison, model=None, ax=None, **kwargs):
    """Heatmap of P(alive) by frequency and recency (lifetimes'
    ``plot_probability_alive_matrix``), for customers of the largest age T.

    Parameters
    ----------
    comparison : ltv.Comparison
    model : str, optional
        A purchase model of the comparison; None = the best.
    ax : matplotlib Axes, optional
    **kwargs : passed to ``ax.imshow``.

    Returns
    -------
    matplotlib Axes (one image, with a colorbar).

    Example
    -------
    >>> ax = ltv.plot_probability_alive_matrix(c)
    """
    kwargs.setdefault("vmin", 0.0)
    kwargs.setdefault("vmax", 1.0)
    frame = comparison.p_alive_matrix(model)
    return _heatmap(frame, ax, "Probability that the customer is alive", "P(alive)",
                    comparison, **kwargs)


def _tracking(comparison, frame, models, ax, title, ylabel, kwargs):
    ax = _axes(ax)
    if frame.empty:
        raise ValueError("the comparison has no tracking curves (it was computed from a "
                         "Summary, without the transaction log)")
    names = _models(comparison, models, frame)
    x = frame.index.to_numpy()
    ax.plot(x, frame["actual"].to_numpy(), color="black", label="Actual", **kwargs)
    for name in names:
        ax.plot(x, frame[name].to_numpy(), linestyle="--", label=_title(comparison, name),
                **kwargs)
    boundary = np.datetime64(comparison.data["calibration_end"])
    ax.axvline(boundary, color="grey", linestyle=":", label="calibration end")
    days = comparison.tracking_period_days or comparison.time_unit_days
    period = {1.0: "day", 7.0: "week", 30.0: "month"}.get(float(days), f"{days:g} days")
    ax.set_xlabel("date (end of each period)")
    ax.set_ylabel(f"{ylabel} (per {period})" if "per period" in ylabel else ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


def plot_cumulative_transactions(comparison, models=None, ax=None, **kwargs):
    """Cumulative repeat purchases over time, actual against each model's expectation, with
    the calibration end marked (lifetimes' ``plot_cumulative_transactions``).

    Parameters
    ----------
    comparison : ltv.Comparison (computed from a transaction log)
    models : list of str or str, optional
        Model names; None = every purchase model.
    ax : matplotlib Axes, optional
    **kwargs : passed to ``ax.plot``.

    Returns
    -------
    matplotlib Axes: one line for the actual curve, one per model and the vertical line of the
    calibration end.

    Example
    -------
    >>> ax = ltv.plot_cumulative_transactions(c, models=["bgnbd", "pnbd"])
    """
    return _tracking(comparison, comparison.tracking, models, ax,
                     "Tracking cumulative repeat transactions",
                     "cumulative repeat purchases", kwargs)


def plot_incremental_transactions(comparison, models=None, ax=None, **kwargs):
    """Repeat purchases per tracking period, actual against each model's expectation, with the
    calibration end marked (lifetimes' ``plot_incremental_transactions``).

    Parameters, returns: as :func:`plot_cumulative_transactions`.

    Example
    -------
    >>> ax = ltv.plot_incremental_transactions(c)
    """
    return _tracking(comparison, comparison.tracking_incremental, models, ax,
                     "Tracking repeat transactions per period",
                     "repeat purchases per period", kwargs)


def _model_unit_days(model, time_unit):
    if time_unit is not None:
        return _time_unit(time_unit)
    days = getattr(model, "time_unit_days", None)
    if days:
        return float(days)
    unit = getattr(model, "time_unit", None)
    if not unit:  # as journeys: a unit is never guessed (weeks read as days are silently wrong)
        raise InvalidArgumentError(
            f"the time unit of the {type(model).__name__} model is unknown: pass time_unit= "
            "or set model.time_unit (fitting on an ltv.Summary records it)")
    return _time_unit(unit)


def plot_history_alive(model, t, transactions, datetime_col="date", freq="D", start_date=None,
                       ax=None, time_unit=None, **kwargs):
    """P(alive) of one customer over time, from that customer's transactions (lifetimes'
    ``plot_history_alive``): at each step d the model's own P(alive | x, t_x, T) with x the
    repeat purchase days up to d, t_x the age at the last purchase and T the age at d, in the
    model's time unit; the purchases are marked.

    Parameters
    ----------
    model : a fitted ltv model with ``p_alive`` (``BetaGeo``, ``ParetoNBD``, …; e.g.
        ``comparison.models["bgnbd"]``) or an ``ltv.lifetimes`` fitter (its ``.model`` is used)
    t : int
        Number of steps of ``freq`` to draw from ``start_date``.
    transactions : DataFrame (or mapping) of one customer's transactions
    datetime_col : str
        The column of dates.
    freq : "D" (default) or "W"
        The step: a day or a week.
    start_date : date, optional
        The first step; default: the customer's first purchase.
    ax : matplotlib Axes, optional
    time_unit : "day", "week", "month" or days, optional
        The model's time unit; default: the unit it records (``model.time_unit``: fitting on a
        Summary, a model file or a comparison sets it); an unknown unit is an error.
    **kwargs : passed to ``ax.plot``.

    Returns
    -------
    matplotlib Axes (the P(alive) line, one vertical line per purchase day).

    Example
    -------
    >>> one = frame[frame.customer_id == "1516"]
    >>> ax = ltv.plot_history_alive(c.models["bgnbd"], 78, one, "date")
    """
    if not hasattr(model, "p_alive") and hasattr(model, "params_"):
        model = model.model  # an ltv.lifetimes fitter: the native model behind it
    if not hasattr(model, "p_alive"):
        raise TypeError(f"argument 'model' = {model!r} has no p_alive (a fitted purchase model "
                        "such as BetaGeo or ParetoNBD is needed)")
    if datetime_col not in (transactions.columns if hasattr(transactions, "columns")
                            else transactions.keys()):
        raise ValueError(f"argument 'datetime_col' = {datetime_col!r}: the transactions have no "
                       "such column")
    step = {"D": 1, "W": 7}.get(str(freq).upper())
    if step is None:
        raise ValueError(f"argument 'freq' = {freq!r} must be 'D' (days) or 'W' (weeks)")
    if isinstance(t, bool) or int(t) != t or t < 1:
        raise ValueError(f"argument 't' = {t!r} must be a whole number of steps >= 1")
    purchase_days = np.unique(_days(transactions[datetime_col], datetime_col).astype(np.int64))
    if len(purchase_days) == 0:
        raise ValueError("argument 'transactions' has no transaction")
    first = int(purchase_days[0])
    start = first if start_date is None else int(_days([start_date], "start_date")[0])
    unit = _model_unit_days(model, time_unit)
    days = start + step * np.arange(int(t) + 1, dtype=np.int64)
    days = days[days >= first]  # before the first purchase the customer does not exist yet
    if len(days) == 0:
        raise ValueError("argument 'start_date' + t steps ends before the first purchase")
    upto = np.searchsorted(purchase_days, days, side="right")  # purchase days on or before d
    x = (upto - 1).astype(float)
    t_x = (purchase_days[upto - 1] - first) / unit
    T = (days - first) / unit
    p = np.asarray(model.p_alive(x, t_x, T), dtype=float)
    ax = _axes(ax)
    dates = days.astype("datetime64[D]")
    ax.plot(dates, p, label="P(alive)", **kwargs)
    shown = purchase_days[(purchase_days >= days[0]) & (purchase_days <= days[-1])]
    for k, d in enumerate(shown):
        ax.axvline(np.datetime64(int(d), "D"), color="red", linestyle="--", linewidth=0.8,
                   label="purchases" if k == 0 else None)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("date")
    ax.set_ylabel("P(alive)")
    ax.set_title(f"History of P(alive) ({type(model).__name__}, time unit {unit:g} days)")
    ax.legend()
    return ax


__all__ = [
    "plot_period_transactions",
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_cumulative_transactions",
    "plot_incremental_transactions",
    "plot_history_alive",
]
