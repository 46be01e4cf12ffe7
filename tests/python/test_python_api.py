# SPDX-License-Identifier: Apache-2.0
"""The native Python API made safe (issue 12): each trap that used to give a wrong number
without an error now gives the right number or a clear error.

Reference values come from tests/data/references (references.py); the CDNOW log is the bundled
examples/data/CDNOW_master.txt (23 570 customers, 69 659 rows, 1997-01-01..1998-06-30)."""

import copy
import io
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ltv
import references as refs

ROOT = Path(__file__).resolve().parents[2]
MASTER = ROOT / "examples" / "data" / "CDNOW_master.txt"


@pytest.fixture(scope="module")
def cdnow_frame():
    # What an analyst gets from pandas: YYYYMMDD dates read as int64.
    frame = pd.read_csv(MASTER, sep=r"\s+")
    assert frame["date"].dtype == np.int64
    return frame


@pytest.fixture(scope="module")
def bgnbd():
    return ltv.BetaGeo(params=refs.params("bgnbd", "published"), time_unit="week")


# ---- integer YYYYMMDD dates, nullable columns ----------------------------------------------------

def test_integer_yyyymmdd_dates_are_dates(cdnow_frame):
    # Before: 0 customers, the dates taken as days since 1970 (transactions_after_end = 69659).
    s = ltv.summarize(cdnow_frame.customer_id, cdnow_frame.date, observation_end="1998-06-30")
    assert len(s) == 23570 and s.transactions_after_end == 0
    assert s.observation_end == np.datetime64("1998-06-30")
    # the same summary as from ISO strings
    iso = pd.to_datetime(cdnow_frame.date.astype(str), format="%Y%m%d")
    t = ltv.summarize(cdnow_frame.customer_id, iso, observation_end="1998-06-30")
    np.testing.assert_array_equal(s.T, t.T)
    np.testing.assert_array_equal(s.frequency, t.frequency)
    # without observation_end: the last transaction day, not the year 56675
    assert ltv.summarize(cdnow_frame.customer_id[:5], cdnow_frame.date[:5]).observation_end \
        == np.datetime64("1997-03-30")  # the last of the five rows' dates


def test_integer_dates_that_are_not_dates_are_refused():
    with pytest.raises(ltv.InvalidArgumentError, match=r"'dates\[1\]' = 19971332 is not a date "
                                                       r"written YYYYMMDD"):
        ltv.summarize([1, 2], [19970101, 19971332])
    with pytest.raises(ltv.InvalidArgumentError, match=r"'dates' mixes YYYYMMDD dates"):
        ltv.summarize([1, 2], [19970101, 10])
    # small integers stay day numbers (documented since 0.1)
    s = ltv.summarize(["a", "a"], [0, 7], time_unit="day")
    assert s.first_purchase[0] == np.datetime64("1970-01-01") and s.recency[0] == 7
    # whole floats (pandas' int column with a NaN elsewhere) and a NaN naming its row
    s = ltv.summarize(["a", "a"], np.array([19970101.0, 19970108.0]), time_unit="week")
    assert s.recency[0] == 1
    with pytest.raises(ltv.InvalidArgumentError, match=r"'dates\[1\]' = nan is not a date"):
        ltv.summarize(["a", "a"], np.array([19970101.0, np.nan]))


def test_nullable_pandas_columns():
    ids = pd.Series([1, 1, 2], dtype="Int64")
    dates = pd.Series([19970101, 19970115, 19970102], dtype="Int64")
    s = ltv.summarize(ids, dates, time_unit="day")
    assert list(s.customer_id) == [1, 2] and s.recency[0] == 14
    # string dtype dates and ids
    s2 = ltv.summarize(pd.Series(["a", "a"], dtype="string"),
                       pd.Series(["1997-01-01", "1997-01-15"], dtype="string"), time_unit="day")
    assert s2.recency[0] == 14
    with pytest.raises(ltv.InvalidArgumentError, match=r"'dates\[1\]' is missing \(<NA> at index "
                                                       r"label 11\)"):
        ltv.summarize([1, 2], pd.Series([19970101, None], dtype="Int64", index=[10, 11]))
    with pytest.raises(ltv.InvalidArgumentError, match=r"'customer_ids\[0\]' is missing"):
        ltv.summarize(pd.Series([None, "b"], dtype="string"), ["1997-01-01", "1997-01-02"])


# ---- ids keep their dtype -------------------------------------------------------------------------

def test_integer_ids_join_the_callers_frame(cdnow_frame):
    s = ltv.summarize(cdnow_frame.customer_id, cdnow_frame.date, observation_end="1998-06-30")
    assert s.customer_id.dtype == np.int64
    mine = pd.DataFrame({"segment": "x"}, index=pd.Index(np.arange(1, 5001), name="customer_id"))
    joined = mine.join(s.to_pandas(), how="inner")
    assert len(joined) == 5000  # before: 0 of 5 000 (ids came back as strings)
    # string ids stay strings; a log read from a file has text ids
    assert ltv.summarize(["a"], ["2020-01-01"]).customer_id.tolist() == ["a"]
    log = ltv.TransactionLog([5, 5, 6], ["2020-01-01", "2020-01-03", "2020-01-02"])
    assert log.customer_ids.tolist() == [5, 6]
    assert log.summarize().customer_id.dtype == np.int64
    assert log.rfm("2020-01-05").customer_id.tolist() == [5, 6]


# ---- one default time unit -------------------------------------------------------------------------

def test_one_default_time_unit_and_it_is_recorded():
    s = ltv.summarize(["a", "a"], ["2020-01-01", "2020-01-15"])
    assert s.time_unit == "day" and s.time_unit_days == 1 and s.T[0] == 14
    weeks = ltv.summarize(["a", "a"], ["2020-01-01", "2020-01-15"], time_unit="week")
    assert weeks.time_unit == "week" and weeks.T[0] == 2
    # a model fitted on a Summary records its unit, and its file keeps it
    log = ltv.read_transactions(MASTER, delimiter="whitespace", amount=None)
    summary = log.summarize(observation_end="1997-09-30", time_unit="week")
    m = ltv.BetaGeo().fit(summary)
    assert m.time_unit == "week"
    assert ltv.model_from_json(m.to_json()).time_unit == "week"
    assert ltv.BetaGeo().time_unit is None
    with pytest.raises(ltv.InvalidArgumentError, match="argument 'unit'"):
        ltv.BetaGeo().time_unit = "fortnight"
    m2 = ltv.BetaGeo(time_unit=14)
    assert m2.time_unit == "14d"


# ---- argument-order traps -------------------------------------------------------------------------

def test_probability_of_purchases_is_keyword_only(bgnbd):
    ref = refs.prediction("bgnbd", "purchase_pmf_0_at_39")
    assert bgnbd.probability_of_purchases(n=ref["count"], t=ref["t"]) == refs.approx(ref)
    with pytest.raises(TypeError):
        bgnbd.probability_of_purchases(39, 2)  # before: 2.9e-23 for the intended (n=2, t=39)
    # the keywords in either order give the same value
    assert bgnbd.probability_of_purchases(t=39, n=2) == bgnbd.probability_of_purchases(n=2, t=39)


def test_clv_options_are_keyword_only(bgnbd):
    gg = ltv.GammaGamma(params=refs.params("gg", "lifetimes"))
    with pytest.raises(TypeError):
        ltv.customer_lifetime_value(bgnbd, gg, 2, 30.43, 38.86, 20.0, 12, 4.345, 0.01)
    v = ltv.customer_lifetime_value(bgnbd, gg, 2, 30.43, 38.86, 20.0, periods=12,
                                    period_length=4.345, discount_rate=0.01)
    assert isinstance(v, float) and v > 0


# ---- broadcasting and pandas in, pandas out --------------------------------------------------------

def test_predictions_broadcast_any_shape(bgnbd):
    x = np.arange(1, 4).reshape(3, 1)            # frequency down the rows
    tx = np.array([[10.0, 20.0, 30.0, 38.0]])     # recency across the columns
    grid = bgnbd.p_alive(x, tx, 38.86)
    assert grid.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert grid[i, j] == bgnbd.p_alive(float(x[i, 0]), float(tx[0, j]), 38.86)
    e = bgnbd.expected_purchases(39, x, tx, 38.86)
    assert e.shape == (3, 4)
    assert np.shape(bgnbd.expected_purchases_new_customer(np.ones((2, 5)))) == (2, 5)
    assert isinstance(bgnbd.p_alive(2, 30.43, 38.86), float)
    with pytest.raises(ltv.InvalidArgumentError, match="different lengths"):
        bgnbd.p_alive([1, 2, 3], [1, 2], 38.86)


def test_pandas_inputs_keep_their_index(bgnbd):
    idx = pd.Index([101, 205, 333], name="customer_id")
    frame = pd.DataFrame({"x": [2, 0, 7], "t_x": [30.43, 0, 29.43], "T": [38.86] * 3}, index=idx)
    p = bgnbd.p_alive(frame.x, frame.t_x, frame["T"])
    assert isinstance(p, pd.Series) and p.index.equals(idx)
    assert p.loc[101] == refs.approx(refs.prediction("bgnbd", "p_alive_customer_1"))
    e = bgnbd.expected_purchases(39, frame.x, frame.t_x, 38.86)   # a Series and scalars
    assert isinstance(e, pd.Series) and e.index.equals(idx)
    assert e.loc[101] == refs.approx(refs.prediction("bgnbd", "conditional_purchases_customer_1"))
    # nullable Int64 frequencies work; <NA> is refused naming its row
    assert bgnbd.p_alive(frame.x.astype("Int64"), frame.t_x, frame["T"]).index.equals(idx)
    with pytest.raises(ltv.InvalidArgumentError, match=r"frequency\[1\]"):
        bgnbd.p_alive(pd.Series([2, None, 7], dtype="Int64", index=idx), frame.t_x, frame["T"])
    # two Series with different indexes are not aligned silently
    with pytest.raises(ltv.InvalidArgumentError, match="different indexes"):
        bgnbd.p_alive(frame.x, frame.t_x.reset_index(drop=True), 38.86)
    # numpy in, numpy out
    assert type(bgnbd.p_alive(frame.x.to_numpy(), frame.t_x.to_numpy(), 38.86)) is np.ndarray


def test_impossible_histories_raise_or_clip(bgnbd):
    # frequency 0 with recency > 0, and recency > T: lifetimes' grids have such cells.
    with pytest.raises(ltv.InvalidArgumentError, match=r"'recency\[1\]' = 3 must be 0 .*"
                                                       r"invalid='clip'"):
        bgnbd.p_alive([1, 0], [5, 3], [10, 10])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clipped = bgnbd.p_alive([1, 0, 2], [5, 3, 12], [10, 10, 10], invalid="clip")
    assert "2 histories clipped" in str(caught[0].message)
    # clipping evaluates the nearest possible history
    assert clipped[1] == bgnbd.p_alive(0, 0, 10) and clipped[2] == bgnbd.p_alive(2, 10, 10)
    with pytest.raises(ltv.InvalidArgumentError, match="'invalid'"):
        bgnbd.p_alive(1, 1, 2, invalid="ignore")


# ---- objects that travel --------------------------------------------------------------------------

def _fitted():
    d = refs.dataset("bgnbd", "cdnow")
    return ltv.BetaGeo(penalizer=0.0, threads=1, time_unit="week").fit(
        d["frequency"], d["recency"], d["T"])


def test_models_pickle_copy_and_deepcopy():
    m = _fitted()
    for clone in (pickle.loads(pickle.dumps(m)), copy.copy(m), copy.deepcopy(m)):
        assert type(clone) is ltv.BetaGeo and clone is not m and clone._handle != m._handle
        assert clone.params == m.params and clone.standard_errors == m.standard_errors
        assert clone.fit_report == m.fit_report and clone.time_unit == "week"
        assert clone.threads == 1 and clone.penalizer_convention == "ltv"
        assert clone.p_alive(2, 30.43, 38.86) == m.p_alive(2, 30.43, 38.86)
    # unfitted and penalized models too; every registered model class
    for cls in ltv.MODEL_CLASSES.values():
        u = pickle.loads(pickle.dumps(cls(penalizer=0.1, penalizer_convention="lifetimes")))
        assert type(u) is cls and not u.has_params and u.penalizer == 0.1
        assert u.penalizer_convention == "lifetimes"
    # a deep copy is independent
    c = copy.deepcopy(m)
    c.set_params(r=1, alpha=1, a=1, b=1)
    assert m.params["r"] != 1


def test_summary_table_and_repr():
    m = _fitted()
    table = m.summary()
    assert list(table.columns) == ["estimate", "std_error", "lower_95", "upper_95"]
    assert list(table.index) == ["r", "alpha", "a", "b"]
    for name, se in m.standard_errors.items():
        assert table.loc[name, "std_error"] == se
        assert table.loc[name, "upper_95"] - table.loc[name, "lower_95"] == \
            pytest.approx(2 * 1.959963984540054 * se, rel=1e-12)
    fit = refs.fit("bgnbd", "cdnow")
    assert table.loc["r", "estimate"] == refs.approx(fit["params"]["r"])
    ll = m.log_likelihood
    assert table.attrs["aic"] == pytest.approx(8 - 2 * ll, rel=1e-15)
    assert table.attrs["bic"] == pytest.approx(4 * np.log(2357) - 2 * ll, rel=1e-15)
    assert table.attrs["customers"] == 2357 and table.attrs["converged"] is True
    text = repr(m)
    assert text.startswith("BetaGeo(r=") and "converged" in text and "2357 customers" in text
    assert "time_unit=week" in text
    assert repr(ltv.BetaGeo()) == "BetaGeo(not fitted)"
    assert "set, not fitted" in repr(ltv.BetaGeo(params=refs.params("bgnbd", "published")))


def test_summary_states_pickle_and_copy():
    state = ltv.SummaryState(time_unit="week", observation_end="2020-03-01")
    state.add([1, 1, 2], ["2020-01-01", "2020-01-15", "2020-01-08"], [10.0, 20.0, 5.0])
    for clone in (pickle.loads(pickle.dumps(state)), copy.copy(state), copy.deepcopy(state)):
        assert clone._handle.value != state._handle.value
        a, b = state.result(), clone.result()
        assert a.customer_id.tolist() == b.customer_id.tolist() == [1, 2]
        for column in ("frequency", "recency", "T", "monetary_value"):
            np.testing.assert_array_equal(getattr(a, column), getattr(b, column))
        assert b.time_unit == "week"
    # the clone goes on independently
    clone = copy.deepcopy(state)
    clone.add([3], ["2020-02-01"])
    assert clone.customers == 3 and state.customers == 2


def test_fit_on_a_summary_or_dataframe():
    d = refs.dataset("bgnbd", "cdnow")
    frame = pd.DataFrame({"frequency": d["frequency"], "recency": d["recency"], "T": d["T"]})
    a = ltv.BetaGeo().fit(frame)
    b = ltv.BetaGeo().fit(d["frequency"], d["recency"], d["T"])
    assert a.params == b.params and a.time_unit is None
    with pytest.raises(ltv.InvalidArgumentError, match="columns"):
        ltv.BetaGeo().fit(frame.rename(columns={"T": "age"}))
    with pytest.raises(ltv.InvalidArgumentError, match="give 'frequency', 'recency' and 'T'"):
        ltv.BetaGeo().fit(d["frequency"], d["recency"])


def test_history_plot_needs_a_known_unit():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    m = ltv.BetaGeo(params=refs.params("bgnbd", "published"))
    history = pd.DataFrame({"date": pd.to_datetime(["1997-01-01", "1997-02-01"])})
    with pytest.raises(ltv.InvalidArgumentError, match="time unit of the BetaGeo model is unknown"):
        ltv.plot_history_alive(m, 60, history, "date")
    m.time_unit = "week"
    assert ltv.plot_history_alive(m, 60, history, "date") is not None


def test_every_native_object_copies_safely_or_refuses():
    # (review of issue 12: copy.copy of a Summary freed its table twice and aborted)
    s = ltv.summarize([1, 1, 2, 1], ["2020-01-01", "2020-01-05", "2020-01-02", "2020-02-01"],
                      calibration_end="2020-01-10", observation_end="2020-03-01")
    for clone in (copy.copy(s), copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        assert clone.customer_id.tolist() == [1, 2] and clone.T.tolist() == s.T.tolist()
        assert clone.to_pandas().equals(s.to_pandas())
        with pytest.raises(ValueError, match="copied or unpickled Summary"):
            ltv.compare_models(clone)
    log = ltv.TransactionLog(["a"], ["2020-01-01"])
    for attempt in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match="TransactionLog cannot be pickled or copied"):
            attempt(log)
    # an unfitted model keeps the options set by name
    m = ltv.BetaGeo().set_option("fix.b", 2.5)
    assert pickle.loads(pickle.dumps(m)).option("fix.b") == 2.5


def test_durations_are_not_numbers(bgnbd):
    # timedelta64 reached C as nanoseconds (P(alive) 0.714 instead of 0.7266)
    recency = pd.Series(pd.to_timedelta([30.43, 0], unit="D"))
    with pytest.raises(ltv.InvalidArgumentError, match="'recency' holds durations"):
        bgnbd.p_alive(pd.Series([2, 0]), recency, 38.86)
    with pytest.raises(ltv.InvalidArgumentError, match="'T' holds durations"):
        bgnbd.p_alive(2, 30.43, np.array([38], dtype="timedelta64[D]"))


def test_ids_beyond_float_and_int64_range():
    with pytest.raises(ltv.InvalidArgumentError, match=r"'customer_ids\[0\]' = 1e\+19 is a float "
                                                       r"id beyond 2\*\*53"):
        ltv.summarize(np.array([1e19, 1e19 + 4096, 3e19]), ["2020-01-01"] * 3)
    big = np.array([2**64 - 1, 2**64 - 1, 5], dtype=np.uint64)
    s = ltv.summarize(big, ["2020-01-01", "2020-01-05", "2020-02-01"])
    assert s.customer_id.dtype == np.uint64 and s.customer_id.tolist() == [2**64 - 1, 5]
    s = ltv.summarize([2**70, 2**70], ["2020-01-01", "2020-01-05"])
    assert s.customer_id.tolist() == [2**70] and s.frequency.tolist() == [1]
