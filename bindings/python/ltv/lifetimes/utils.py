# SPDX-License-Identifier: Apache-2.0
"""lifetimes' ``utils``: transaction logs to (frequency, recency, T) summaries, calibration and
holdout splits, P(alive) paths, cumulative-transaction tracking and lifetimes' CLV sum.

lifetimes works in pandas periods of ``freq``: every date is floored to its period ('D' day, 'W'
calendar week Monday–Sunday, 'M' calendar month, 'H' hour, ...), purchases in the same period are
one purchase occasion, and recency and T are distances between period starts divided by
``np.timedelta64(1, freq)`` (so 'M' counts average Gregorian months of 30.436875 days, as
lifetimes does) and by ``freq_multiplier``. Frequencies numpy has no unit for ('H', 'Q',
'W-MON', ...), on which lifetimes raises, count whole periods here.

The summaries are computed with pandas, not with the native ``ltv.summarize``: the native
summariser works in days and fixed-length time units (week = 7 days, month = 30 days) and merges
purchases per day, while lifetimes' numbers are defined by calendar periods of any pandas frequency
and by its own monetary definitions; one pandas implementation reproduces them exactly for every
``freq`` (see docs/migrating-from-lifetimes.md). The model quantities (P(alive), E[X(t)]) come from
the native models.
"""

import numpy as np
import pandas as pd

from .fitters import ConvergenceError, _consistent_recency

__all__ = [
    "calibration_and_holdout_data",
    "summary_data_from_transaction_data",
    "calculate_alive_path",
    "expected_cumulative_transactions",
    "ConvergenceError",
]


# -- dates and periods ------------------------------------------------------------------------------


def _to_datetime(values, datetime_format, name):
    """pandas datetimes; integer YYYYMMDD dates (CDNOW's, as pd.read_csv reads them) are read as
    such when no format is given (lifetimes would take them as nanoseconds since 1970)."""
    if isinstance(values, pd.Series):
        series = values
    else:
        series = pd.Series(values)
    if datetime_format is None and pd.api.types.is_integer_dtype(series.dtype) \
            and not pd.api.types.is_bool_dtype(series.dtype):
        numbers = series.dropna().astype("int64")
        if len(numbers) and numbers.between(10000101, 99991231).all():
            datetime_format = "%Y%m%d"
            series = numbers.astype(str).reindex(series.index)
        else:
            raise ValueError(
                f"column '{name}' holds integers that are not YYYYMMDD dates (first: "
                f"{series.iloc[0]!r}); give datetime_format= or convert it with pd.to_datetime")
    try:
        parsed = pd.to_datetime(series, format=datetime_format)
    except (ValueError, TypeError) as error:
        raise ValueError(f"column '{name}': cannot read the dates ({error})") from None
    missing = np.flatnonzero(parsed.isna().to_numpy())
    if len(missing):
        raise ValueError(f"column '{name}' has a missing date at row {series.index[missing[0]]!r}")
    return parsed


def _timestamp(value, datetime_format, name):
    if isinstance(value, pd.Period):
        return value.to_timestamp()
    if isinstance(value, (int, np.integer)) and datetime_format is None \
            and 10000101 <= int(value) <= 99991231:
        datetime_format = "%Y%m%d"
        value = str(int(value))
    try:
        out = pd.to_datetime(value, format=datetime_format)
    except (ValueError, TypeError) as error:
        raise ValueError(f"argument '{name}' = {value!r} is not a date ({error})") from None
    if pd.isna(out):
        raise ValueError(f"argument '{name}' = {value!r} is not a date")
    return out


def _period_start(values, freq):
    """The start of each value's period of ``freq`` (a Series or a Timestamp)."""
    if isinstance(values, pd.Series):
        return values.dt.to_period(freq).dt.to_timestamp()
    return values.to_period(freq).to_timestamp()


def _numpy_unit(freq):
    try:
        return np.timedelta64(1, freq)
    except (TypeError, ValueError):
        return None


def _distance(later, earlier, freq):
    """(later − earlier) in units of ``freq`` as lifetimes divides it: by np.timedelta64(1, freq)
    when numpy knows the unit, else in whole periods of ``freq`` (lifetimes raises there)."""
    unit = _numpy_unit(freq)
    if unit is not None:
        return (later - earlier) / unit
    def ordinals(values):
        if isinstance(values, pd.Series):
            return values.dt.to_period(freq).map(lambda p: p.ordinal).astype(float)
        return float(values.to_period(freq).ordinal)
    return ordinals(later) - ordinals(earlier)


def _check_columns(transactions, columns):
    if not isinstance(transactions, pd.DataFrame):
        raise ValueError("argument 'transactions' must be a pandas DataFrame")
    missing = [c for c in columns if c is not None and c not in transactions.columns]
    if missing:
        raise ValueError(f"'transactions' has no column {missing[0]!r} (columns: "
                         f"{', '.join(map(str, transactions.columns))})")


def _purchase_periods(transactions, customer_id_col, datetime_col, monetary_value_col,
                      datetime_format, observation_period_end, freq):
    """One row per (customer, period of ``freq``) with a purchase up to the period of
    ``observation_period_end``: columns customer, ``start`` (period start), ``value`` (the sum
    of the period's monetary values, when asked) and ``first`` (the customer's first period) —
    lifetimes' ``_find_first_transactions``."""
    _check_columns(transactions, [customer_id_col, datetime_col, monetary_value_col])
    ids = transactions[customer_id_col]
    if ids.isna().any():
        row = transactions.index[np.flatnonzero(ids.isna().to_numpy())[0]]
        raise ValueError(f"column '{customer_id_col}' has a missing customer id at row {row!r}")
    dates = _to_datetime(transactions[datetime_col], datetime_format, datetime_col)
    frame = pd.DataFrame({"customer": ids.to_numpy(), "start": _period_start(dates, freq).to_numpy()})
    if monetary_value_col is not None:
        values = pd.to_numeric(transactions[monetary_value_col], errors="coerce")
        bad = np.flatnonzero(values.isna().to_numpy() & transactions[monetary_value_col].notna().to_numpy())
        if len(bad):
            raise ValueError(f"column '{monetary_value_col}' is not numeric at row "
                             f"{transactions.index[bad[0]]!r}")
        frame["value"] = values.to_numpy()
    if observation_period_end is not None:
        frame = frame[frame["start"] <= observation_period_end]
    grouped = frame.groupby(["customer", "start"], sort=True)
    periods = grouped["value"].sum().reset_index() if monetary_value_col is not None \
        else grouped.size().reset_index()[["customer", "start"]]
    periods["first"] = ~periods["customer"].duplicated()
    return periods


# -- summaries ---------------------------------------------------------------------------------------


def summary_data_from_transaction_data(transactions, customer_id_col, datetime_col,
                                       monetary_value_col=None, datetime_format=None,
                                       observation_period_end=None, freq="D", freq_multiplier=1,
                                       include_first_transaction=False):
    """Per-customer frequency, recency, T [, monetary_value] from a transaction log (lifetimes'
    function, same arguments and output).

    Parameters
    ----------
    transactions : DataFrame with the customer id and date columns (and the monetary column)
    customer_id_col, datetime_col : str
    monetary_value_col : str, optional
        Value of each transaction; ``monetary_value`` is then the mean over the repeat purchase
        periods of each period's summed value (all periods with ``include_first_transaction``),
        0 without a repeat purchase.
    datetime_format : str, optional
        strptime format of the dates (integer YYYYMMDD dates are recognised without it).
    observation_period_end : date, optional
        Last date observed (default: the last transaction); transactions of later periods are
        left out.
    freq : pandas frequency, default 'D'
        The period: 'D', 'W', 'M', 'H', ...
    freq_multiplier : int, default 1
        Divides recency and T (e.g. freq='D', freq_multiplier=7 gives weeks of days).
    include_first_transaction : bool, default False
        Count the first purchase period in frequency (and monetary_value).

    Returns
    -------
    DataFrame indexed by the customer id column (its own dtype), float columns ``frequency``,
    ``recency``, ``T`` [, ``monetary_value``].

    Example
    -------
    >>> summary = summary_data_from_transaction_data(log, "id", "date",
    ...                                              observation_period_end="2014-12-31")
    """
    _check_columns(transactions, [customer_id_col, datetime_col, monetary_value_col])
    if observation_period_end is None:
        end = _to_datetime(transactions[datetime_col], datetime_format, datetime_col).max()
    else:
        end = _timestamp(observation_period_end, datetime_format, "observation_period_end")
    end = _period_start(end, freq)
    periods = _purchase_periods(transactions, customer_id_col, datetime_col, monetary_value_col,
                                datetime_format, end, freq)
    by_customer = periods.groupby("customer", sort=True)["start"]
    first, last, count = by_customer.min(), by_customer.max(), by_customer.size()
    out = pd.DataFrame(index=first.index)
    out["frequency"] = count if include_first_transaction else count - 1
    out["recency"] = _distance(last, first, freq) / freq_multiplier
    out["T"] = _distance(pd.Series(end, index=first.index), first, freq) / freq_multiplier
    if monetary_value_col is not None:
        repeat = periods if include_first_transaction else periods[~periods["first"]]
        out["monetary_value"] = repeat.groupby("customer")["value"].mean()
        out["monetary_value"] = out["monetary_value"].fillna(0)
    out.index.name = customer_id_col
    out = out.astype(float)
    if (out["T"] < 0).any():
        raise ValueError("observation_period_end is before the first transaction of a customer "
                         f"({out.index[np.flatnonzero(out['T'].to_numpy() < 0)[0]]!r})")
    return out


def calibration_and_holdout_data(transactions, customer_id_col, datetime_col,
                                 calibration_period_end, observation_period_end=None, freq="D",
                                 freq_multiplier=1, datetime_format=None, monetary_value_col=None,
                                 include_first_transaction=False):
    """Calibration summary and holdout counts per customer (lifetimes' function and columns).

    Columns: ``frequency_cal, recency_cal, T_cal`` [, ``monetary_value_cal``] from the
    transactions up to ``calibration_period_end`` (as :func:`summary_data_from_transaction_data`),
    ``frequency_holdout`` (purchase periods in (calibration_period_end, observation_period_end]),
    [``monetary_value_holdout``: the mean value per holdout *transaction*, lifetimes' definition,
    0 without one], ``duration_holdout`` (periods of ``freq`` between the two ends, divided by
    ``freq_multiplier``). Customers first seen in the holdout are left out.

    Example
    -------
    >>> cal = calibration_and_holdout_data(log, "id", "date", calibration_period_end="2014-09-01",
    ...                                    observation_period_end="2014-12-31")
    """
    _check_columns(transactions, [customer_id_col, datetime_col, monetary_value_col])
    dates = _to_datetime(transactions[datetime_col], datetime_format, datetime_col)
    if observation_period_end is None:
        observation_period_end = dates.max()
    observation_period_end = _timestamp(observation_period_end, datetime_format,
                                        "observation_period_end")
    calibration_period_end = _timestamp(calibration_period_end, datetime_format,
                                        "calibration_period_end")
    columns = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    log = transactions[columns].copy()
    log[datetime_col] = dates
    calibration = summary_data_from_transaction_data(
        log[log[datetime_col] <= calibration_period_end], customer_id_col, datetime_col,
        monetary_value_col=monetary_value_col, observation_period_end=calibration_period_end,
        freq=freq, freq_multiplier=freq_multiplier,
        include_first_transaction=include_first_transaction)
    calibration.columns = [c + "_cal" for c in calibration.columns]

    holdout = log[(log[datetime_col] > calibration_period_end)
                  & (log[datetime_col] <= observation_period_end)]
    if holdout.empty:
        raise ValueError(
            "There is no data available. Check the `observation_period_end` and "
            "`calibration_period_end` and confirm that values in `transactions` occur prior to "
            f"those dates (no transaction after {calibration_period_end} and on or before "
            f"{observation_period_end}).")
    starts = _period_start(holdout[datetime_col], freq)
    periods = pd.DataFrame({"customer": holdout[customer_id_col].to_numpy(),
                            "start": starts.to_numpy()}).drop_duplicates()
    result = calibration.copy()
    frequency = periods.groupby("customer").size()
    result["frequency_holdout"] = frequency.reindex(result.index).fillna(0).astype(float)
    if monetary_value_col:
        spend = pd.to_numeric(holdout[monetary_value_col]).groupby(
            holdout[customer_id_col].to_numpy()).mean()
        result["monetary_value_holdout"] = spend.reindex(result.index).fillna(0).astype(float)
    calibration_ordinal = calibration_period_end.to_period(freq).ordinal
    observation_ordinal = observation_period_end.to_period(freq).ordinal
    result["duration_holdout"] = (observation_ordinal - calibration_ordinal) / freq_multiplier
    return result


# -- model-based paths --------------------------------------------------------------------------------


def _native(model):
    return getattr(model, "model", model)


def calculate_alive_path(model, transactions, datetime_col, t, freq="D"):
    """P(alive) of one customer at each period 0..t of ``freq`` since the first purchase
    (lifetimes' function): at period k, x = purchase periods up to k − 1, t_x = the last of
    them, T = k, all in periods of ``freq`` (the model must be fitted in that unit).

    ``model`` is a fitted BG/NBD, MBG/NBD or Pareto/NBD fitter (or a native ltv model). Returns
    a Series indexed 0..max(t, the customer's last period).
    """
    _check_columns(transactions, [datetime_col])
    dates = _to_datetime(transactions[datetime_col], None, datetime_col)
    if len(dates) == 0:
        raise ValueError("argument 'transactions' has no transaction")
    # lifetimes resamples the customer's transactions to `freq` bins from the first one.
    counts = pd.Series(1, index=pd.DatetimeIndex(dates)).resample(freq).sum()
    purchased = (counts.to_numpy() > 0).astype(int)
    length = max(int(t) + 1, len(purchased))
    purchased = np.concatenate([purchased, np.zeros(length - len(purchased), dtype=int)])
    ages = np.arange(length, dtype=float)
    native = _native(model)
    if hasattr(native, "alive_path"):
        return pd.Series(np.asarray(native.alive_path(ages[purchased > 0], ages), dtype=float))
    frequency = np.cumsum(purchased) - 1.0
    last = np.maximum.accumulate(np.where(purchased > 0, np.arange(length), 0)).astype(float)
    if hasattr(model, "conditional_probability_alive") and hasattr(model, "params_"):
        values = model.conditional_probability_alive(frequency, last, ages)
    else:
        values = native.p_alive(frequency, _consistent_recency(frequency, last), ages)
    return pd.Series(np.asarray(values, dtype=float))


def _expected_new_customer(model, times):
    if hasattr(model, "expected_number_of_purchases_up_to_time"):
        return np.asarray(model.expected_number_of_purchases_up_to_time(times), dtype=float)
    return np.asarray(_native(model).expected_purchases_new_customer(times), dtype=float)


def expected_cumulative_transactions(model, transactions, datetime_col, customer_id_col, t,
                                     datetime_format=None, freq="D", freq_multiplier=1,
                                     set_index_date=False):
    """Actual and expected cumulative repeat transactions over the t periods of ``freq`` from
    the first transaction (lifetimes' function; Fader, Hardie & Lee's tracking plot).

    The expectation at period p sums, over the cohorts b of customers whose first purchase period
    is before p, (cohort size) × E[X((p − b) / freq_multiplier)], E[X(t)] from the model (native
    ``expected_cumulative_transactions`` when the library has it). Returns a DataFrame with
    columns ``actual`` and ``predicted``, one row per ``freq_multiplier`` periods, indexed
    0..t // freq_multiplier − 1 or, with ``set_index_date``, by the periods.
    """
    _check_columns(transactions, [customer_id_col, datetime_col])
    t = int(t)
    dates = _to_datetime(transactions[datetime_col], datetime_format, datetime_col)
    start_date = dates.min()
    start_period = start_date.to_period(freq)
    end = (start_period + t).to_timestamp()
    periods = _purchase_periods(transactions, customer_id_col, datetime_col, None,
                                datetime_format, end, freq)
    date_periods = pd.date_range(start_date, periods=t + 1, freq=freq).to_period(freq)
    origin = start_period.ordinal

    def ordinal(starts):
        return starts.dt.to_period(freq).map(lambda p: p.ordinal).to_numpy(dtype=np.int64) - origin

    firsts = periods[periods["first"]]
    cohort_ordinals, cohort_sizes = np.unique(ordinal(firsts["start"]), return_counts=True)
    grid = np.array([p.ordinal - origin for p in date_periods], dtype=np.int64)
    steps = [i for i in range(1, len(grid)) if i % freq_multiplier == 0]
    at = grid[steps].astype(float)

    native = _native(model)
    if hasattr(native, "expected_cumulative_transactions"):
        predicted = np.asarray(native.expected_cumulative_transactions(
            cohort_ordinals / freq_multiplier, at / freq_multiplier,
            cohort_sizes.astype(float)), dtype=float)
    else:
        ages = at[:, None] - cohort_ordinals[None, :]
        positive = ages > 0
        distinct, inverse = np.unique(ages[positive], return_inverse=True)
        expected = np.zeros(ages.shape)
        if len(distinct):
            expected[positive] = _expected_new_customer(model, distinct / freq_multiplier)[inverse]
        predicted = expected @ cohort_sizes.astype(float)

    repeats = periods[~periods["first"]]
    per_period = pd.Series(ordinal(repeats["start"])).value_counts()
    actual_per_period = per_period.reindex(grid, fill_value=0).to_numpy()
    actual = [int(actual_per_period[: j * freq_multiplier].sum())
              for j in range(1, t // freq_multiplier + 1)]
    if set_index_date:
        index = date_periods[freq_multiplier - 1: -1: freq_multiplier]
    else:
        index = range(0, t // freq_multiplier)
    return pd.DataFrame({"actual": actual, "predicted": predicted}, index=index)


# -- lifetimes' CLV sum --------------------------------------------------------------------------------


def _clv_factor(freq):
    factors = {"W": 4.345, "M": 1.0, "D": 30, "H": 30 * 24}
    if freq not in factors:
        raise ValueError(f"argument 'freq' = {freq!r} must be one of 'D', 'W', 'M', 'H' (the unit "
                         "of T: a month is 30 days, 4.345 weeks or 720 hours, as in lifetimes)")
    return factors[freq]


def _customer_lifetime_value(transaction_prediction_model, frequency, recency, T, monetary_value,
                             time=12, discount_rate=0.01, freq="D"):
    """lifetimes' CLV sum with ``monetary_value`` taken as given (no spend model):
    Σₖ m (E[X(kL)] − E[X((k−1)L)]) / (1 + d)ᵏ over k = 1..time months of L periods of ``freq``
    (30 days, 4.345 weeks, 1 month or 720 hours), E[X] the model's conditional expectation.
    Returns a Series named ``clv`` indexed like the input (pandas) or 0..n−1."""
    factor = _clv_factor(freq)
    index = next((v.index for v in (frequency, recency, T, monetary_value)
                  if isinstance(v, pd.Series)), None)
    m = np.asarray(monetary_value, dtype=float)
    clv = 0.0
    previous = 0.0
    for k, step in enumerate(np.arange(1, time + 1) * factor, start=1):
        current = np.asarray(transaction_prediction_model.predict(step, frequency, recency, T),
                             dtype=float)
        # E[X(kL)] − E[X((k−1)L)]; E[X(0)] = 0, as lifetimes' predict(0, ...) gives
        clv = clv + m * (current - previous) / (1 + discount_rate) ** (step / factor)
        previous = current
    clv = np.atleast_1d(np.asarray(clv, dtype=float))
    return pd.Series(clv, index=index if index is not None else pd.RangeIndex(len(clv)),
                     name="clv")


def _check_inputs(frequency, recency=None, T=None, monetary_value=None):
    """lifetimes' input checks, each raising ValueError with lifetimes' message."""
    frequency = np.asarray(frequency)
    if recency is not None:
        recency = np.asarray(recency)
        if T is not None and np.any(recency > np.asarray(T)):
            raise ValueError("Some values in recency vector are larger than T vector.")
        if np.any(recency[frequency == 0] != 0):
            raise ValueError("There exist non-zero recency values when frequency is zero.")
        if np.any(recency < 0):
            raise ValueError("There exist negative recency (ex: last order set before first order)")
        if any(np.asarray(x).shape[0] == 0 for x in [recency, frequency, T] if x is not None):
            raise ValueError("There exists a zero length vector in one of frequency, recency or T.")
    if np.sum((frequency - frequency.astype(int)) ** 2) != 0:
        raise ValueError("There exist non-integer values in the frequency vector.")
    if monetary_value is not None and np.any(np.asarray(monetary_value) <= 0):
        raise ValueError("There exist non-positive (<= 0) values in the monetary_value vector.")
