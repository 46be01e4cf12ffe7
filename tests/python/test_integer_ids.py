# SPDX-License-Identifier: Apache-2.0
"""Issue 13 from Python: integer customer ids go to the library as int64 (no string conversion)
and come back as int64; SummaryState.merge combines states built over partitions."""

import pickle

import numpy as np
import pandas as pd
import pytest

import ltv
import ltv.transactions as tx

RNG = np.random.default_rng(13)
N = 5000
IDS = RNG.integers(-(2**62), 2**62, size=400)[RNG.integers(0, 400, size=N)]
DAYS = np.datetime64("2020-01-01") + RNG.integers(0, 700, size=N).astype("timedelta64[D]")
AMOUNTS = RNG.integers(0, 200, size=N).astype(float)  # whole: sums exact in any order


@pytest.fixture
def spy(monkeypatch):
    """The C functions called, by name; the packing of ids into text fails for integer ids."""
    calls = []
    real_call, real_pack = tx.call, tx._pack_ids

    def call(name, *args):
        calls.append(name)
        return real_call(name, *args)

    def pack(array, name):
        if array.dtype.kind in "iu":
            raise AssertionError(f"integer ids {array.dtype} were converted to text")
        return real_pack(array, name)

    monkeypatch.setattr(tx, "call", call)
    monkeypatch.setattr(tx, "_pack_ids", pack)
    return calls


def frame(summary):
    """A summary's columns keyed by customer id, rows in id order, without litt (a sum of logs
    whose rounding depends on the order of its terms: compared by same_litt)."""
    return summary.to_pandas(extra=True).sort_index().drop(columns="litt")


def same_litt(a, b):
    """litt of two summaries of the same customers: equal to rounding (merged states add the
    same logs in another order), NaN in the same places (none here: exact merges)."""
    x, y = a.to_pandas().sort_index()["litt"], b.to_pandas().sort_index()["litt"]
    assert not x.isna().any() and not y.isna().any()
    np.testing.assert_allclose(x.to_numpy(), y.to_numpy(), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.uint32, np.uint64, "Int64"])
def test_integer_ids_go_through_int64_without_text(spy, dtype):
    ids = IDS if dtype in (np.int64, "Int64") else np.abs(IDS) % 30000  # fits every dtype
    column = pd.Series(ids, dtype=dtype) if dtype == "Int64" else ids.astype(dtype)
    s = ltv.summarize(column, DAYS, AMOUNTS, calibration_end="2021-03-31")
    assert "ltv_summary_add_int64" in spy and "ltv_summary_add" not in spy
    assert "ltv_summary_table_ids_int64" in spy and "ltv_summary_table_ids" not in spy
    assert s.customer_id.dtype == np.int64
    # First-seen order, as the ids were given.
    assert s.customer_id.tolist() == list(dict.fromkeys(int(i) for i in ids))
    # The same result as the ids written as text (the string path), with integer ids back.
    by_text = ltv.summarize([str(int(i)) for i in ids], DAYS, AMOUNTS, calibration_end="2021-03-31")
    assert by_text.customer_id.dtype == object
    expected = frame(by_text)
    expected.index = expected.index.astype(np.int64)
    pd.testing.assert_frame_equal(frame(s), expected.sort_index(), check_exact=True)


def test_transaction_log_and_state_pass_integers_through(spy):
    log = ltv.TransactionLog(IDS, DAYS, AMOUNTS)
    assert spy.count("ltv_transactions_add_int64") == 1 and "ltv_transactions_add" not in spy
    ids = log.customer_ids
    assert ids.dtype == np.int64 and "ltv_transactions_ids_int64" in spy
    assert ids.tolist() == list(dict.fromkeys(IDS.tolist()))
    rfm = log.rfm("2022-01-01")
    assert rfm.customer_id.dtype == np.int64
    state = ltv.SummaryState().add(IDS[:100], DAYS[:100]).add(IDS[100:], DAYS[100:])
    assert state.transactions == N and state.result().customer_id.dtype == np.int64
    # pickling keeps the integer ids
    assert pickle.loads(pickle.dumps(state)).result().customer_id.dtype == np.int64


def test_text_and_beyond_int64_keep_the_text_path():
    # uint64 beyond 2**63 - 1 and Python big integers: text, read back as such (issue 12)
    big = np.array([2**64 - 1, 2**64 - 1, 5], dtype=np.uint64)
    s = ltv.summarize(big, ["2020-01-01", "2020-01-05", "2020-02-01"])
    assert s.customer_id.dtype == np.uint64 and s.customer_id.tolist() == [2**64 - 1, 5]
    s = ltv.summarize([2**70, 5, 2**70], ["2020-01-01", "2020-01-03", "2020-01-05"])
    assert s.customer_id.tolist() == [2**70, 5]
    # integer ids then text ids: one customer for 7 and "7", ids back as text
    state = ltv.SummaryState().add([7, 8], ["2020-01-01", "2020-01-02"])
    state.add(["7", "x"], ["2020-01-10", "2020-01-11"])
    r = state.result()
    assert r.customer_id.tolist() == ["7", "8", "x"] and r.frequency.tolist() == [1, 0, 0]
    # "007" is not the integer 7
    state = ltv.SummaryState().add(["007"], ["2020-01-01"]).add([7], ["2020-01-02"])
    assert state.customers == 2


def test_int64_extremes_and_errors():
    ids = np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0, -1], dtype=np.int64)
    s = ltv.summarize(ids, ["2020-01-01"] * 4)
    assert s.customer_id.tolist() == ids.tolist()
    with pytest.raises(ltv.InvalidArgumentError, match=r"'amounts\[1\]' = nan"):
        ltv.SummaryState().add(ids, ["2020-01-01"] * 4, [1, np.nan, 2, 3])
    with pytest.raises(ltv.InvalidArgumentError, match=r"'customer_ids\[1\]' is missing"):
        ltv.summarize(pd.Series([1, None], dtype="Int64"), ["2020-01-01"] * 2)
    state = ltv.SummaryState()
    with pytest.raises(ltv.InvalidArgumentError):
        state.add(ids, np.array([18000, 18001, 9_999_999, 18002]))
    assert state.customers == 0 and state.transactions == 0


def test_merge_partitions_equal_one_state():
    options = dict(calibration_end="2021-03-31", observation_end="2021-12-31", merge="week")
    whole = ltv.summarize(IDS, DAYS, AMOUNTS, **options)
    # by customer
    parts = [ltv.SummaryState(**options).add(IDS[IDS % 3 == k], DAYS[IDS % 3 == k],
                                             AMOUNTS[IDS % 3 == k]) for k in range(3)]
    merged = parts[0].merge(parts[1]).merge(parts[2])
    assert merged is parts[0] and merged.unverified_transactions == 0
    assert merged.transactions == N
    r = merged.result()
    assert r.customer_id.dtype == np.int64
    pd.testing.assert_frame_equal(frame(r), frame(whole), check_exact=True)
    same_litt(r, whole)
    # by time, merged either way round: exact
    cut = np.datetime64("2020-09-16")
    for first, second in ((DAYS <= cut, DAYS > cut), (DAYS > cut, DAYS <= cut)):
        a = ltv.SummaryState(**options).add(IDS[first], DAYS[first], AMOUNTS[first])
        b = ltv.SummaryState(**options).add(IDS[second], DAYS[second], AMOUNTS[second])
        a.merge(b)
        assert a.unverified_transactions == 0
        pd.testing.assert_frame_equal(frame(a.result()), frame(whole), check_exact=True)
        same_litt(a.result(), whole)


def test_merge_overlaps_and_refusals():
    a = ltv.SummaryState(observation_end="2020-12-31").add([1, 1], ["2020-01-01", "2020-03-01"])
    b = ltv.SummaryState(observation_end="2020-12-31").add([1, 2], ["2020-02-01", "2020-02-02"])
    a.merge(b)
    assert a.unverified_transactions == 1 and a.customers == 2 and a.transactions == 4
    assert a.result().frequency.tolist() == [2, 0]
    with pytest.raises(ltv.InvalidArgumentError, match="cannot be merged into itself"):
        a.merge(a)
    with pytest.raises(ltv.InvalidArgumentError,
                       match="observation_end is 2020-12-31 in this state but not set"):
        a.merge(ltv.SummaryState().add([3], ["2020-01-01"]))
    with pytest.raises(ltv.InvalidArgumentError, match="must be a SummaryState"):
        a.merge(a.result())
    assert a.customers == 2 and a.transactions == 4
    # text ids merged into integer ones: the ids come back as text
    c = ltv.SummaryState(observation_end="2020-12-31").add(["x"], ["2020-01-01"])
    a.merge(c)
    assert a.result().customer_id.tolist() == ["1", "2", "x"]
    # a loaded state (its ids' kind unknown) merged in: ids as text
    d = ltv.SummaryState(observation_end="2020-12-31").add([5], ["2020-01-01"])
    e = ltv.SummaryState.from_bytes(d.to_bytes())
    f = ltv.SummaryState(observation_end="2020-12-31").add([6], ["2020-01-01"]).merge(e)
    assert f.result().customer_id.tolist() == ["6", "5"]
