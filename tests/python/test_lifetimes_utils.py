# SPDX-License-Identifier: Apache-2.0
"""ltv.lifetimes.utils against lifetimes' own expected frames and an independent implementation of
lifetimes' documented algorithm.

Sources: "TU n" = lifetimes tests/test_utils.py line n (GitHub CamDavidsonPilon/lifetimes, commit
4f2833f); lifetimes' utils.py docstrings for the algorithm (dates floored to periods of ``freq``;
purchases in one period are one; recency and T are distances between period starts divided by
np.timedelta64(1, freq) and freq_multiplier; monetary_value the mean of the repeat periods' sums;
holdout monetary value the mean per holdout transaction).
"""

import numpy as np
import pandas as pd
import pytest

import references as refs
from ltv.lifetimes import BetaGeoFitter, ParetoNBDFitter
from ltv.lifetimes import utils
from ltv.lifetimes.datasets import load_dataset, load_transaction_data


# -- an independent, row-by-row implementation of lifetimes' algorithm ------------------------------


def _unit_distance(later, earlier, freq):
    """later − earlier (Periods of freq) as lifetimes measures it."""
    try:
        unit = np.timedelta64(1, freq)
    except (TypeError, ValueError):  # numpy has no such unit: whole periods
        return float(later.ordinal - earlier.ordinal)
    return (later.start_time - earlier.start_time) / unit


def reference_summary(rows, observation_end, freq="D", freq_multiplier=1,
                      include_first_transaction=False, money=False):
    """rows: (customer, Timestamp, value) tuples. Returns {customer: (frequency, recency, T[, m])}."""
    end = pd.Timestamp(observation_end).to_period(freq)
    customers = {}
    for customer, when, value in rows:
        period = pd.Timestamp(when).to_period(freq)
        if period > end:
            continue
        periods = customers.setdefault(customer, {})
        periods[period] = periods.get(period, 0.0) + value
    out = {}
    for customer, periods in customers.items():
        ordered = sorted(periods)
        first, last = ordered[0], ordered[-1]
        frequency = len(ordered) - (0 if include_first_transaction else 1)
        recency = _unit_distance(last, first, freq) / freq_multiplier
        T = _unit_distance(end, first, freq) / freq_multiplier
        row = [float(frequency), recency, T]
        if money:
            counted = ordered if include_first_transaction else ordered[1:]
            row.append(float(np.mean([periods[p] for p in counted])) if counted else 0.0)
        out[customer] = tuple(row)
    return out


def random_log(seed, customers=60, rows=400, with_time=True):
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2019-12-20")
    ids = rng.integers(1, customers + 1, size=rows)
    offsets = rng.integers(0, 120 * 24 * 60, size=rows) if with_time else \
        rng.integers(0, 120, size=rows) * 24 * 60
    dates = start + pd.to_timedelta(offsets, unit="min")
    values = np.round(rng.uniform(1, 50, size=rows), 2)
    return pd.DataFrame({"cid": ids, "when": dates, "value": values})


@pytest.mark.parametrize("freq", ["D", "W", "M", "H", "h", "Q"])
@pytest.mark.parametrize("include_first", [False, True])
def test_summary_matches_the_reference_algorithm(freq, include_first):
    log = random_log(1 if freq != "H" else 2, with_time=True)
    end = "2020-03-31 17:45"
    for multiplier in (1, 3):
        summary = utils.summary_data_from_transaction_data(
            log, "cid", "when", monetary_value_col="value", observation_period_end=end, freq=freq,
            freq_multiplier=multiplier, include_first_transaction=include_first)
        expected = reference_summary(log.itertuples(index=False), end, freq, multiplier,
                                     include_first, money=True)
        assert sorted(expected) == list(summary.index)
        assert summary.index.dtype == log["cid"].dtype
        assert list(summary.columns) == ["frequency", "recency", "T", "monetary_value"]
        for customer, row in expected.items():
            np.testing.assert_allclose(summary.loc[customer].to_numpy(), row, rtol=1e-12,
                                       err_msg=f"{freq} customer {customer}")


def test_summary_months_are_numpy_average_months():
    # lifetimes divides by np.timedelta64(1, 'M') = 30.436875 days: Jan 1 to Mar 1 is 59/30.44
    log = pd.DataFrame({"id": [1, 1], "date": ["2015-01-15", "2015-03-02"]})
    s = utils.summary_data_from_transaction_data(log, "id", "date", freq="M",
                                                 observation_period_end="2015-04-30")
    assert s.loc[1, "recency"] == pytest.approx(59 / 30.436875, rel=1e-12)
    assert s.loc[1, "T"] == pytest.approx(90 / 30.436875, rel=1e-12)


@pytest.fixture()
def transaction_level_data():
    # TU 39-49
    return pd.DataFrame([[1, "2015-02-01"], [1, "2015-02-06"], [2, "2015-01-01"],
                         [3, "2015-01-01"], [3, "2015-01-02"], [3, "2015-01-05"]],
                        columns=["id", "date"])


@pytest.fixture()
def large_transaction_level_data():
    # TU 52-69
    d = [[1, "2015-01-01"], [1, "2015-02-06"], [2, "2015-01-01"], [3, "2015-01-01"],
         [3, "2015-01-02"], [3, "2015-01-05"], [4, "2015-01-16"], [4, "2015-02-02"],
         [4, "2015-02-05"], [5, "2015-01-16"], [5, "2015-01-17"], [5, "2015-01-18"],
         [6, "2015-02-02"]]
    return pd.DataFrame(d, columns=["id", "date"])


@pytest.fixture()
def large_with_money(large_transaction_level_data):
    # TU 72-89
    frame = large_transaction_level_data.copy()
    frame["monetary_value"] = [1, 2, 2, 3, 1, 5, 6, 3, 3, 3, 1, 8, 5]
    return frame


def test_lifetimes_expected_summary(transaction_level_data):
    # TU 224-231
    actual = utils.summary_data_from_transaction_data(transaction_level_data, "id", "date",
                                                      observation_period_end="2015-02-07")
    expected = pd.DataFrame([[1, 1.0, 5.0, 6.0], [2, 0.0, 0.0, 37.0], [3, 2.0, 4.0, 37.0]],
                            columns=["id", "frequency", "recency", "T"]).set_index("id")
    pd.testing.assert_frame_equal(actual, expected)
    # TU 262-271: a datetime_format
    compact = transaction_level_data.assign(date=transaction_level_data["date"].str.replace("-", ""))
    actual = utils.summary_data_from_transaction_data(compact, "id", "date",
                                                      observation_period_end="20150207",
                                                      datetime_format="%Y%m%d")
    pd.testing.assert_frame_equal(actual, expected)
    # integer YYYYMMDD dates (as pd.read_csv reads CDNOW's) without a format: read as dates
    integers = compact.assign(date=compact["date"].astype(int))
    actual = utils.summary_data_from_transaction_data(integers, "id", "date",
                                                      observation_period_end=20150207)
    pd.testing.assert_frame_equal(actual, expected)


def test_lifetimes_expected_weekly_summary(large_transaction_level_data):
    # TU 274-290
    actual = utils.summary_data_from_transaction_data(large_transaction_level_data, "id", "date",
                                                      observation_period_end="20150207", freq="W")
    expected = pd.DataFrame([[1, 1.0, 5.0, 5.0], [2, 0.0, 0.0, 5.0], [3, 1.0, 1.0, 5.0],
                             [4, 1.0, 3.0, 3.0], [5, 0.0, 0.0, 3.0], [6, 0.0, 0.0, 0.0]],
                            columns=["id", "frequency", "recency", "T"]).set_index("id")
    pd.testing.assert_frame_equal(actual, expected)


def test_lifetimes_expected_monetary_summary(large_with_money):
    # TU 293-313
    actual = utils.summary_data_from_transaction_data(large_with_money, "id", "date",
                                                      monetary_value_col="monetary_value",
                                                      observation_period_end="20150207")
    expected = pd.DataFrame([[1, 1.0, 36.0, 37.0, 2], [2, 0.0, 0.0, 37.0, 0],
                             [3, 2.0, 4.0, 37.0, 3], [4, 2.0, 20.0, 22.0, 3],
                             [5, 2.0, 2.0, 22.0, 4.5], [6, 0.0, 0.0, 5.0, 0]],
                            columns=["id", "frequency", "recency", "T", "monetary_value"]
                            ).set_index("id").astype(float)
    pd.testing.assert_frame_equal(actual, expected)


def test_lifetimes_first_order_and_ids():
    # TU 316-331: the first purchase dropped from the mean is the earliest, whatever the row order
    cust = pd.Series([2, 2, 2])
    ordered = pd.DataFrame({"date": pd.to_datetime(["2014-03-14", "2014-04-09", "2014-05-21"]),
                            "id": cust, "sales": [10, 20, 25]})
    unordered = pd.DataFrame({"date": pd.to_datetime(["2014-04-09", "2014-03-14", "2014-05-21"]),
                              "id": cust, "sales": [20, 10, 25]})
    a = utils.summary_data_from_transaction_data(ordered, "id", "date", "sales")
    b = utils.summary_data_from_transaction_data(unordered, "id", "date", "sales")
    pd.testing.assert_frame_equal(a, b)
    assert a["monetary_value"].loc[2] == 22.5
    # TU 234-259: string ids work; integer ids stay int64
    strings = pd.DataFrame([["X", "2015-02-01"], ["X", "2015-02-06"], ["Y", "2015-01-01"]],
                           columns=["id", "date"])
    assert list(utils.summary_data_from_transaction_data(strings, "id", "date").index) == ["X", "Y"]
    ints = pd.DataFrame([[1, "2015-02-01"], [2, "2015-01-01"]], columns=["id", "date"])
    assert utils.summary_data_from_transaction_data(ints, "id", "date").index.dtype == "int64"
    # TU 458-461: two purchases in one week are one
    same_week = pd.DataFrame([[1, "2015-01-01"], [1, "2015-01-01"]], columns=["id", "t"])
    assert utils.summary_data_from_transaction_data(same_week, "id", "t", freq="W").loc[
        1, "frequency"] == 0.0


def test_hardie_cdnow_spend_statistics():
    # TU 334-352: Fader, Hardie & Lee's RFM/CLV paper, CDNOW to 1997-09-30 (rounded statistics)
    df = load_dataset("CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["_id", "id", "date", "cds_bought", "spent"])
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    summary = utils.summary_data_from_transaction_data(df[df["date"] < "1997-10-01"], "id",
                                                       "date", "spent")
    results = summary[summary["frequency"] > 0]["monetary_value"].describe()
    assert [np.round(results.loc[k]) for k in ("mean", "std", "min", "50%", "max", "count")] == \
        [35, 30, 3, 27, 300, 946]


def test_lifetimes_expected_calibration_and_holdout(large_transaction_level_data, large_with_money):
    # TU 355-366
    actual = utils.calibration_and_holdout_data(large_transaction_level_data, "id", "date",
                                                "2015-02-01", observation_period_end="2015-02-07")
    assert actual.loc[1]["frequency_holdout"] == 1
    assert actual.loc[2]["frequency_holdout"] == 0
    with pytest.raises(KeyError):
        actual.loc[6]
    # TU 369-380
    with pytest.raises(ValueError, match="There is no data available"):
        utils.calibration_and_holdout_data(large_transaction_level_data, "id", "date",
                                           "2014-02-01", observation_period_end="2014-02-07")
    # TU 395-414: weekly
    actual = utils.calibration_and_holdout_data(large_transaction_level_data, "id", "date",
                                                "2015-02-01", observation_period_end="2015-02-07",
                                                freq="W")
    expected = pd.DataFrame([[1, 0.0, 0.0, 4.0, 1, 1], [2, 0.0, 0.0, 4.0, 0, 1],
                             [3, 1.0, 1.0, 4.0, 0, 1], [4, 0.0, 0.0, 2.0, 1, 1],
                             [5, 0.0, 0.0, 2.0, 0, 1]],
                            columns=["id", "frequency_cal", "recency_cal", "T_cal",
                                     "frequency_holdout", "duration_holdout"]).set_index("id")
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)
    # TU 417-440: date boundaries
    bounds = large_transaction_level_data.copy()
    actual = utils.calibration_and_holdout_data(bounds, "id", "date",
                                                calibration_period_end="2015-02-01",
                                                observation_period_end="2015-02-04")
    assert actual["frequency_holdout"].loc[1] == 0
    assert actual["frequency_holdout"].loc[4] == 1
    # TU 443-455: monetary values (holdout: mean per transaction)
    actual = utils.calibration_and_holdout_data(large_with_money, "id", "date", "2015-02-01",
                                                observation_period_end="2015-02-07",
                                                monetary_value_col="monetary_value")
    assert (actual["monetary_value_cal"] == [0, 0, 3, 0, 4.5]).all()
    assert (actual["monetary_value_holdout"] == [2, 0, 0, 3, 0]).all()
    assert list(actual.columns) == ["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal",
                                    "frequency_holdout", "monetary_value_holdout",
                                    "duration_holdout"]


@pytest.mark.parametrize("freq", ["D", "W", "M", "H"])
def test_calibration_and_holdout_matches_the_reference(freq):
    log = random_log(5)
    # two purchases in one holdout period: per transaction, not per period
    log.loc[len(log)] = [3, pd.Timestamp("2020-03-10 10:00"), 10.0]
    log.loc[len(log)] = [3, pd.Timestamp("2020-03-10 10:30"), 30.0]
    cal_end, obs_end = pd.Timestamp("2020-02-15 12:00"), pd.Timestamp("2020-03-31 17:45")
    result = utils.calibration_and_holdout_data(log, "cid", "when", cal_end, obs_end, freq=freq,
                                                monetary_value_col="value")
    calibration = reference_summary(
        [r for r in log.itertuples(index=False) if r.when <= cal_end], cal_end, freq, money=True)
    assert list(result.index) == sorted(calibration)
    holdout = log[(log["when"] > cal_end) & (log["when"] <= obs_end)]
    for customer, row in calibration.items():
        np.testing.assert_allclose(
            result.loc[customer, ["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal"]]
            .to_numpy(dtype=float), row, rtol=1e-12)
        mine = holdout[holdout["cid"] == customer]
        periods = {pd.Timestamp(w).to_period(freq) for w in mine["when"]}
        assert result.loc[customer, "frequency_holdout"] == len(periods)
        assert result.loc[customer, "monetary_value_holdout"] == \
            pytest.approx(mine["value"].mean() if len(mine) else 0.0, rel=1e-12)
    assert (result["duration_holdout"] ==
            obs_end.to_period(freq).ordinal - cal_end.to_period(freq).ordinal).all()


def test_bad_transactions_are_named():
    log = pd.DataFrame({"id": [1, 2], "date": ["2015-01-01", None]})
    with pytest.raises(ValueError, match="missing date"):
        utils.summary_data_from_transaction_data(log, "id", "date")
    with pytest.raises(ValueError, match="no column 'when'"):
        utils.summary_data_from_transaction_data(log, "id", "when")
    with pytest.raises(ValueError, match="not YYYYMMDD"):
        utils.summary_data_from_transaction_data(pd.DataFrame({"id": [1], "date": [5]}), "id",
                                                 "date")
    with pytest.raises(ValueError, match="missing customer id"):
        utils.summary_data_from_transaction_data(
            pd.DataFrame({"id": [1, None], "date": ["2015-01-01", "2015-01-02"]}), "id", "date")


# -- model paths ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_transactions():
    return load_transaction_data(parse_dates=["date"])


@pytest.fixture(scope="module")
def fitted_bg(example_transactions):
    # TU 20-35
    summary = utils.summary_data_from_transaction_data(
        example_transactions, "id", "date", observation_period_end=max(example_transactions.date))
    return summary, BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])


def test_calculate_alive_path(example_transactions, fitted_bg):
    # TU 464-469
    summary, bg = fitted_bg
    user = example_transactions[example_transactions["id"] == 33]
    frequency, recency, T = summary.loc[33]
    path = utils.calculate_alive_path(bg, user, "date", 205)
    assert path[0] == 1
    assert path[T] == pytest.approx(bg.conditional_probability_alive(frequency, recency, T),
                                    rel=1e-12)
    assert len(path) == 206
    # every step is the model's P(alive) at x = purchase days so far − 1, t_x = the last of them
    days = (user["date"].dt.normalize() - user["date"].min().normalize()).dt.days.unique()
    k = np.arange(206.0)
    x = np.array([np.sum(days <= a) - 1 for a in k], dtype=float)
    t_x = np.array([days[days <= a].max() for a in k], dtype=float)
    np.testing.assert_allclose(path.to_numpy(), bg.conditional_probability_alive(x, t_x, k),
                               rtol=1e-12)
    # between purchases P(alive) falls; at each purchase day it jumps back up
    assert path.iloc[1:].max() <= 1.0


def test_customer_lifetime_value_known_values(fitted_bg):
    # TU 527-570: lifetimes' predictions of its fitted_bg (6 decimals), through the CLV sum
    # (tests/data/references/lifetimes.json outputs.transactions_bgnbd_predict_30_head)
    _, bg = fitted_bg
    t = bg.data.head()
    reference = refs.load("lifetimes")["outputs"]["transactions_bgnbd_predict_30_head"]
    expected = np.array(reference["value"])
    ones = pd.Series([1, 1, 1, 1, 1])
    d0 = utils._customer_lifetime_value(bg, t["frequency"], t["recency"], t["T"], ones, time=1,
                                        discount_rate=0.0)
    np.testing.assert_allclose(d0.to_numpy(), expected, atol=reference["abs_tolerance"])
    d1 = utils._customer_lifetime_value(bg, t["frequency"], t["recency"], t["T"], ones, time=1,
                                        discount_rate=1.0)
    np.testing.assert_allclose(d1.to_numpy(), expected / 2, atol=reference["abs_tolerance"])


@pytest.fixture(scope="module")
def cdnow_transactions():
    # TU 92-96
    log = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+")
    log.columns = ["id_total", "id_sample", "date", "num_cd_purc", "total_value"]
    return log[["id_sample", "date"]]


@pytest.fixture(scope="module")
def df_cum_transactions(cdnow_transactions):
    # TU 99-135: weekly Pareto/NBD on CDNOW to 1997-09-30 (days, freq_multiplier 7), 25 weeks
    summary = utils.summary_data_from_transaction_data(
        cdnow_transactions, "id_sample", "date", datetime_format="%Y%m%d", freq="D",
        freq_multiplier=7, observation_period_end="19970930").reset_index()
    model = ParetoNBDFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    return utils.expected_cumulative_transactions(
        model, cdnow_transactions, "date", "id_sample", 25 * 7, "%Y%m%d", "D",
        set_index_date=False, freq_multiplier=7)


def test_expected_cumulative_transactions_btyd_walkthrough(df_cum_transactions):
    # TU 585-604: BTYD walkthrough cum.tracking[, 20:25] (expected rounded to whole transactions)
    assert df_cum_transactions["actual"].iloc[19:25].tolist() == [1359, 1414, 1484, 1517, 1573,
                                                                  1672]
    assert df_cum_transactions["predicted"].iloc[19:25].round().tolist() == [
        1309, 1385, 1460, 1533, 1604, 1674]
    # TU 607-626: incremental (BTYD: 2 decimals; lifetimes checks atol 1e-2)
    incremental = df_cum_transactions.apply(lambda x: x - x.shift(1))
    assert incremental["actual"].iloc[19:25].tolist() == [73, 55, 70, 33, 56, 99]
    np.testing.assert_allclose(incremental["predicted"].iloc[19:25].to_numpy(),
                               [78.31, 76.42, 74.65, 72.98, 71.41, 69.93], atol=0.01)
    assert list(df_cum_transactions.index) == list(range(25))


def test_expected_cumulative_transactions_date_index(cdnow_transactions):
    # TU 629-681: daily BG/NBD, first 14 days, date index
    summary = utils.summary_data_from_transaction_data(
        cdnow_transactions, "id_sample", "date", datetime_format="%Y%m%d", freq="D",
        observation_period_end="19970930").reset_index()
    model = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    cum = utils.expected_cumulative_transactions(model, cdnow_transactions, "date", "id_sample",
                                                 14, "%Y%m%d", "D", set_index_date=True)
    assert list(cum.iloc[-4:].index.to_timestamp().astype(str)) == [
        "1997-01-11", "1997-01-12", "1997-01-13", "1997-01-14"]
    assert cum["actual"].iloc[-4:].tolist() == [11, 12, 15, 19]
    np.testing.assert_allclose(cum["predicted"].iloc[-4:].to_numpy(),
                               [10.67, 12.67, 14.87, 17.24], atol=5e-3)


def test_expected_cumulative_transactions_weekly_dedups(example_transactions, fitted_bg):
    # TU 579-582
    _, bg = fitted_bg
    by_week = utils.expected_cumulative_transactions(bg, example_transactions, "date", "id", 10,
                                                     freq="W")
    by_day = utils.expected_cumulative_transactions(bg, example_transactions, "date", "id", 10,
                                                    freq="D")
    assert (by_week["actual"] >= by_day["actual"]).all()


# -- the contract with the native alive_path / expected_cumulative_transactions ------------------
# Stand-ins that implement the two native capabilities by their definitions (issue #12 brief:
# alive_path(purchase_times, at) -> P(alive) at each age, times since the first purchase;
# expected_cumulative_transactions(first_purchase, at, weights) -> Σ w_i E[X(τ − b_i)]) give the
# same paths and tracking curves as the layer's own computation from p_alive / E[X(t)].


class _Contract:
    def __init__(self, model):
        self._model = model

    def __getattr__(self, name):
        return getattr(self._model, name)

    def alive_path(self, purchase_times, at):
        times = np.sort(np.asarray(purchase_times, dtype=float))
        at = np.asarray(at, dtype=float)
        x = np.array([np.sum(times <= a) - 1 for a in at], dtype=float)
        t_x = np.array([times[times <= a].max() for a in at], dtype=float)
        return self._model.p_alive(x, np.where(x == 0, 0.0, t_x), at)

    def expected_cumulative_transactions(self, first_purchase, at, weights=None):
        b = np.asarray(first_purchase, dtype=float)
        w = np.ones(len(b)) if weights is None else np.asarray(weights, dtype=float)
        out = []
        for tau in np.asarray(at, dtype=float):
            ages = tau - b
            keep = ages > 0
            out.append(float(np.sum(
                w[keep] * self._model.expected_purchases_new_customer(ages[keep])))
                if keep.any() else 0.0)
        return np.array(out)


def test_native_contract_paths(example_transactions, fitted_bg, cdnow_transactions):
    _, bg = fitted_bg
    contract = _Contract(bg.model)
    user = example_transactions[example_transactions["id"] == 33]
    np.testing.assert_allclose(utils.calculate_alive_path(contract, user, "date", 205),
                               utils.calculate_alive_path(bg, user, "date", 205), rtol=1e-12)
    a = utils.expected_cumulative_transactions(contract, example_transactions, "date", "id", 60,
                                               freq="D", freq_multiplier=7)
    b = utils.expected_cumulative_transactions(bg, example_transactions, "date", "id", 60,
                                               freq="D", freq_multiplier=7)
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)
