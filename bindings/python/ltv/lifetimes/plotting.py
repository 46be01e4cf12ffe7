# SPDX-License-Identifier: Apache-2.0
"""lifetimes' plot functions, with lifetimes' signatures, for the ``ltv.lifetimes`` fitters.

matplotlib is imported inside each function. Every function returns the matplotlib Axes it drew
on and takes ``ax=`` (default: a new figure's axes). The numbers drawn come from the fitters (and
so from the native models). One deliberate difference: ``plot_period_transactions`` draws the
model's *expected* number of customers with each number of repeat purchases,
Σᵢ P(X(Tᵢ) = n), where lifetimes draws one simulated data set (so its bars change from run to
run).

The comparison charts of ``ltv.plotting`` (same names, over an ``ltv.compare_models`` result) are
the native equivalents.
"""

import numpy as np
import pandas as pd

from .utils import calculate_alive_path, expected_cumulative_transactions

__all__ = [
    "plot_period_transactions",
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_expected_repeat_purchases",
    "plot_history_alive",
    "plot_cumulative_transactions",
    "plot_incremental_transactions",
    "plot_transaction_rate_heterogeneity",
    "plot_dropout_rate_heterogeneity",
]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _fitted(model):
    if getattr(model, "params_", None) is None or getattr(model, "data", None) is None:
        raise ValueError(f"argument 'model' = {model!r} must be a fitted ltv.lifetimes fitter "
                         "(with its data)")
    return model


def _age_column(model):
    return "n_periods" if "n_periods" in model.data.columns else "T"


def plot_period_transactions(model, max_frequency=7, title="Frequency of Repeat Transactions",
                             xlabel="Number of Calibration Period Transactions",
                             ylabel="Customers", ax=None, **kwargs):
    """Customers by number of repeat purchases, actual against the model's expectation
    Σᵢ wᵢ P(X(Tᵢ) = n) (native ``probability_of_purchases``), n = 0..max_frequency − 1.

    Example
    -------
    >>> ax = plot_period_transactions(bgf)
    """
    _fitted(model)
    labels = kwargs.pop("label", ["Actual", "Model"])
    data = model.data
    age = _age_column(model)
    weights = data["weights"].to_numpy(dtype=float)
    n = np.arange(max_frequency, dtype=float)
    actual = data.groupby("frequency")["weights"].sum().reindex(n.astype(int), fill_value=0)
    expected = np.zeros(len(n))
    ages, inverse = np.unique(data[age].to_numpy(dtype=float), return_inverse=True)
    per_age = np.bincount(inverse, weights=weights)
    for a, w in zip(ages, per_age):
        expected += w * np.asarray(model.probability_of_n_purchases_up_to_time(a, n)
                                   if hasattr(model, "probability_of_n_purchases_up_to_time")
                                   else model.model.probability_of_purchases(n=n, t=a))
    counts = pd.DataFrame({labels[0]: actual.to_numpy(dtype=float), labels[1]: expected},
                          index=n.astype(int))
    ax = counts.plot(kind="bar", ax=_axes(ax), **kwargs)
    ax.legend()
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    return ax


def plot_calibration_purchases_vs_holdout_purchases(model, calibration_holdout_matrix,
                                                    kind="frequency_cal", n=7, ax=None,
                                                    **kwargs):
    """Mean holdout purchases, actual and predicted, grouped by ``kind`` ("frequency_cal",
    "recency_cal", "T_cal" or "time_since_last_purchase") of the calibration summary (a frame
    from :func:`ltv.lifetimes.utils.calibration_and_holdout_data`); the first ``n`` groups.

    Example
    -------
    >>> ax = plot_calibration_purchases_vs_holdout_purchases(bgf, summary_cal_holdout)
    """
    x_labels = {
        "frequency_cal": "Purchases in calibration period",
        "recency_cal": "Age of customer at last purchase",
        "T_cal": "Age of customer at the end of calibration period",
        "time_since_last_purchase": "Time since user made last purchase",
    }
    if kind not in x_labels:
        raise ValueError(f"argument 'kind' = {kind!r} must be one of {', '.join(x_labels)}")
    summary = calibration_holdout_matrix.copy()
    duration_holdout = summary.iloc[0]["duration_holdout"]
    summary["model_predictions"] = model.conditional_expected_number_of_purchases_up_to_time(
        duration_holdout, summary["frequency_cal"], summary["recency_cal"], summary["T_cal"])
    if kind == "time_since_last_purchase":
        summary["time_since_last_purchase"] = summary["T_cal"] - summary["recency_cal"]
    means = summary.groupby(kind)[["frequency_holdout", "model_predictions"]].mean().iloc[:n]
    ax = means.plot(ax=_axes(ax), **kwargs)
    ax.set_title("Actual Purchases in Holdout Period vs Predicted Purchases")
    ax.set_xlabel(x_labels[kind])
    ax.set_ylabel("Average of Purchases in Holdout Period")
    ax.legend()
    return ax


def _force_aspect(ax, aspect=1):
    images = ax.get_images()
    extent = images[0].get_extent()
    ax.set_aspect(abs((extent[1] - extent[0]) / (extent[3] - extent[2])) / aspect)


def _heatmap(z, ax, title, xlabel, ylabel, kwargs):
    ax = _axes(ax)
    interpolation = kwargs.pop("interpolation", "none")
    image = ax.imshow(z, interpolation=interpolation, **kwargs)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    _force_aspect(ax)
    ax.figure.colorbar(image, ax=ax)
    return ax


def plot_frequency_recency_matrix(model, T=1, max_frequency=None, max_recency=None, title=None,
                                  xlabel="Customer's Historical Frequency",
                                  ylabel="Customer's Recency", ax=None, **kwargs):
    """Heatmap of the expected purchases in the next ``T`` time units by frequency (columns) and
    recency (rows), for customers of age max_recency (lifetimes' chart).

    Example
    -------
    >>> ax = plot_frequency_recency_matrix(bgf)
    """
    _fitted(model)
    if max_frequency is None:
        max_frequency = int(model.data["frequency"].max())
    if max_recency is None:
        max_recency = int(model.data["T"].max())
    recency, frequency = np.mgrid[0:max_recency + 1, 0:max_frequency + 1].astype(float)
    z = model.conditional_expected_number_of_purchases_up_to_time(T, frequency, recency,
                                                                   float(max_recency))
    if title is None:
        title = ("Expected Number of Future Purchases for {} Unit{} of Time,".format(
            T, "s"[T == 1:]) + "\nby Frequency and Recency of a Customer")
    return _heatmap(z, ax, title, xlabel, ylabel, kwargs)


def plot_probability_alive_matrix(model, max_frequency=None, max_recency=None,
                                  title="Probability Customer is Alive,\nby Frequency and "
                                        "Recency of a Customer",
                                  xlabel="Customer's Historical Frequency",
                                  ylabel="Customer's Recency", ax=None, **kwargs):
    """Heatmap of P(alive) by frequency and recency (``conditional_probability_alive_matrix``).

    Example
    -------
    >>> ax = plot_probability_alive_matrix(bgf)
    """
    _fitted(model)
    z = model.conditional_probability_alive_matrix(max_frequency, max_recency)
    return _heatmap(z, ax, title, xlabel, ylabel, kwargs)


def plot_expected_repeat_purchases(model, title="Expected Number of Repeat Purchases per Customer",
                                   xlabel="Time Since First Purchase", ax=None, label=None,
                                   **kwargs):
    """E[X(t)] of a new customer over 0..max T (solid) and max T..1.5 max T (dashed).

    Example
    -------
    >>> ax = plot_expected_repeat_purchases(bgf)
    """
    _fitted(model)
    ax = _axes(ax)
    color = kwargs.pop("c", None) or kwargs.pop("color", None)
    max_T = model.data["T"].max()
    times = np.linspace(0, max_T, 100)
    line, = ax.plot(times, model.expected_number_of_purchases_up_to_time(times), color=color,
                    label=label, **kwargs)
    times = np.linspace(max_T, 1.5 * max_T, 100)
    ax.plot(times, model.expected_number_of_purchases_up_to_time(times),
            color=line.get_color(), ls="--", **kwargs)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if label is not None:
        ax.legend(loc="lower right")
    return ax


def plot_history_alive(model, t, transactions, datetime_col, freq="D", start_date=None, ax=None,
                       **kwargs):
    """P(alive) of one customer over the t periods of ``freq`` since the first purchase
    (:func:`ltv.lifetimes.utils.calculate_alive_path`), with the purchases marked.

    Example
    -------
    >>> ax = plot_history_alive(bgf, 200, transaction_data[transaction_data["id"] == 35], "date")
    """
    ax = _axes(ax)
    dates = pd.to_datetime(transactions[datetime_col])
    if start_date is None:
        start_date = dates.min()
    history = pd.Series(1, index=pd.DatetimeIndex(dates)).resample(freq).sum()
    path = calculate_alive_path(model, transactions, datetime_col, t, freq)
    path_dates = pd.date_range(start=dates.min(), periods=len(path), freq=freq)
    ax.plot(path_dates, path.to_numpy(), "-", label="P_alive", **kwargs)
    purchases = history[history >= 1].index
    ax.vlines(purchases.values, ymin=0, ymax=1, colors="r", linestyles="dashed",
              label="purchases")
    ax.set_ylim(0, 1.0)
    ax.set_yticks(np.arange(0, 1.1, 0.1))
    ax.set_xlim(pd.Timestamp(start_date), path_dates[-1])
    ax.legend(loc=3)
    ax.set_ylabel("P_alive")
    ax.set_title("History of P_alive")
    return ax


def _tracking(frame, t_cal, set_index_date, title, xlabel, ylabel, ax, kwargs):
    ax = frame.plot(ax=_axes(ax), title=title, **kwargs)
    if set_index_date:
        x_vline = frame.index[int(t_cal)]
        xlabel = "date"
    else:
        x_vline = t_cal
    ax.axvline(x=x_vline, color="r", linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def plot_cumulative_transactions(model, transactions, datetime_col, customer_id_col, t, t_cal,
                                 datetime_format=None, freq="D", set_index_date=False,
                                 title="Tracking Cumulative Transactions", xlabel="day",
                                 ylabel="Cumulative Transactions", ax=None, **kwargs):
    """Actual and expected cumulative repeat transactions
    (:func:`ltv.lifetimes.utils.expected_cumulative_transactions`), the calibration end
    ``t_cal`` marked.

    Example
    -------
    >>> ax = plot_cumulative_transactions(pnbd, log, "date", "id", 39 * 7, 273)
    """
    frame = expected_cumulative_transactions(model, transactions, datetime_col, customer_id_col,
                                             t, datetime_format=datetime_format, freq=freq,
                                             set_index_date=set_index_date)
    return _tracking(frame, t_cal, set_index_date, title, xlabel, ylabel, ax, kwargs)


def plot_incremental_transactions(model, transactions, datetime_col, customer_id_col, t, t_cal,
                                  datetime_format=None, freq="D", set_index_date=False,
                                  title="Tracking Daily Transactions", xlabel="day",
                                  ylabel="Transactions", ax=None, **kwargs):
    """Actual and expected repeat transactions per period (differences of the cumulative
    tracking), the calibration end ``t_cal`` marked."""
    frame = expected_cumulative_transactions(model, transactions, datetime_col, customer_id_col,
                                             t, datetime_format=datetime_format, freq=freq,
                                             set_index_date=set_index_date)
    frame = frame.apply(lambda column: column - column.shift(1))
    return _tracking(frame, t_cal, set_index_date, title, xlabel, ylabel, ax, kwargs)


def _density(model, names, distribution, suptitle, xlabel, ylabel, suptitle_fontsize, kwargs):
    import matplotlib.pyplot as plt
    from scipy import stats

    first, second = model._unload_params(*names)
    if distribution == "gamma":
        rv = stats.gamma(first, scale=1 / second)
        mean, var = first / second, first / second ** 2
    else:
        rv = stats.beta(first, second)
        total = first + second
        mean, var = first / total, first * second / total ** 2 / (total + 1)
    x = np.linspace(0, rv.ppf(0.99), 100)
    fig, ax = plt.subplots(1)
    fig.suptitle(suptitle, fontsize=suptitle_fontsize, fontweight="bold")
    ax.set_title("mean: {:.3f}, var: {:.3f}".format(mean, var))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout(rect=[0, 0.03, 1, 0.95])
    ax.plot(x, rv.pdf(x), **kwargs)
    return ax


def plot_transaction_rate_heterogeneity(model, suptitle="Heterogeneity in Transaction Rate",
                                        xlabel="Transaction Rate", ylabel="Density",
                                        suptitle_fontsize=14, **kwargs):
    """Density of the gamma(r, alpha) distribution of the purchase rates λ (BG/NBD, MBG/NBD,
    Pareto/NBD)."""
    return _density(model, ("r", "alpha"), "gamma", suptitle, xlabel, ylabel,
                    suptitle_fontsize, kwargs)


def plot_dropout_rate_heterogeneity(model, suptitle="Heterogeneity in Dropout Probability",
                                    xlabel="Dropout Probability p", ylabel="Density",
                                    suptitle_fontsize=14, **kwargs):
    """Density of the beta(a, b) distribution of the dropout probabilities p (BG/NBD,
    MBG/NBD)."""
    return _density(model, ("a", "b"), "beta", suptitle, xlabel, ylabel, suptitle_fontsize,
                    kwargs)
