# SPDX-License-Identifier: Apache-2.0
"""Transaction logs from Python: summaries (CDNOW acceptance), pandas input, the incremental state,
journey statuses, RFM, cohorts, period retention and the errors for malformed input."""

import datetime
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ltv

DATA = Path(__file__).resolve().parents[1] / "data"
CDNOW = dict(delimiter="whitespace", header=False, customer=1, date=2, amount=4)

# Hand-checked small log (the same as tests/c/test_c_api.c, test_transactions): a buys
# 2014-01-05 (10), 01-20 (20), 03-02 (30); b 01-31; c 02-20, 02-28; d 02-25; e 02-10; f 04-01.
IDS = ["a", "a", "a", "b", "c", "c", "d", "e", "f"]
DATES = ["2014-01-05", "2014-01-20", "2014-03-02", "2014-01-31", "2014-02-20", "2014-02-28",
         "2014-02-25", "2014-02-10", "2014-04-01"]
AMOUNTS = [10, 20, 30, 5, 7, 8, 1, 2, 3]


def test_cdnow_sample_acceptance():
    # Reference: tests/data/cdnow_customers_summary_with_transactions.csv (lifetimes' CDNOW
    # summary: weeks rounded to 2 decimals, zbar to cents → tolerances 0.005 and 0.01).
    s = ltv.summarize_file(DATA / "CDNOW_sample.txt", observation_end="1997-09-30",
                           time_unit="week", **CDNOW)
    assert s.report.rows == 6919 and s.report.skipped == 0
    ref = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    got = s.to_pandas()
    got.index = got.index.astype(int)
    got = got.loc[ref["ID"]]
    assert len(s) == len(ref) == 2357
    assert (got["frequency"].to_numpy() == ref["x"].to_numpy()).all()
    assert np.abs(got["recency"].to_numpy() - ref["t_x"].to_numpy()).max() <= 0.005
    assert np.abs(got["T"].to_numpy() - ref["T"].to_numpy()).max() <= 0.005
    assert np.abs(got["monetary_value"].to_numpy() - ref["zbar"].to_numpy()).max() <= 0.01
    # awk '$3 > 19970930' CDNOW_sample.txt | wc -l = 1959 rows after the end
    assert s.transactions_after_end == 1959
    assert s.unverified_transactions == 0


def test_summarize_in_memory_equals_file():
    raw = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None, dtype={1: str, 2: str})
    mem = ltv.summarize(raw[1], raw[2], raw[4], observation_end="1997-09-30")
    disk = ltv.summarize_file(DATA / "CDNOW_sample.txt", observation_end="1997-09-30", **CDNOW)
    assert list(mem.customer_id) == list(disk.customer_id)
    for column in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(getattr(mem, column), getattr(disk, column))
    np.testing.assert_allclose(mem.monetary_value, disk.monetary_value, rtol=1e-12)


def test_small_log_by_hand_and_input_types():
    # a as of 03-05: frequency 2, recency 56 days, T 59 days, monetary (20 + 30) / 2 = 25.
    expected = dict(frequency=2.0, recency=56.0, T=59.0, monetary_value=25.0)
    variants = [
        DATES,
        np.array(DATES, dtype="datetime64[D]"),
        pd.Series(pd.to_datetime(DATES)),
        pd.Series(pd.to_datetime(DATES)).dt.tz_localize("Europe/Berlin"),
        [datetime.date.fromisoformat(d) for d in DATES],
        [d.replace("-", "") for d in DATES],
        [d + " 23:59:59" for d in DATES],
        np.array(DATES, dtype="datetime64[D]").astype(np.int64),
    ]
    for dates in variants:
        s = ltv.summarize(pd.Series(IDS), dates, np.array(AMOUNTS, dtype=float),
                          observation_end=datetime.date(2014, 3, 5), time_unit="day")
        frame = s.to_pandas()
        assert list(frame.index) == ["a", "b", "c", "d", "e"]
        for k, v in expected.items():
            assert frame.loc["a", k] == pytest.approx(v, rel=1e-15), (type(dates), k)
        assert s.transactions_after_end == 1
    # Integer ids come back as integers (they join the caller's integer-indexed frames).
    s = ltv.summarize([7, 7, 8], ["2014-01-01", "2014-01-08", "2014-01-02"], time_unit=7)
    assert list(s.customer_id) == [7, 8] and s.customer_id.dtype == np.int64
    assert s.recency[0] == pytest.approx(1.0, rel=1e-15)


def test_calibration_holdout_columns():
    s = ltv.summarize(IDS, DATES, AMOUNTS, observation_end="2014-04-30",
                      calibration_end="2014-02-28", time_unit="day")
    frame = s.to_pandas()
    assert list(frame.columns) == ["frequency", "recency", "T", "monetary_value",
                                   "frequency_holdout", "monetary_value_holdout",
                                   "duration_holdout", "litt"]
    # a: calibration purchases 01-05, 01-20 → frequency 1; holdout 03-02 (30) → 1 occasion of 30.
    assert frame.loc["a", "frequency"] == 1 and frame.loc["a", "frequency_holdout"] == 1
    assert frame.loc["a", "monetary_value_holdout"] == pytest.approx(30, rel=1e-15)
    assert frame.loc["a", "duration_holdout"] == pytest.approx(61, rel=1e-15)  # 02-28 → 04-30
    assert "f" not in frame.index and s.customers_holdout_only == 1


def test_summary_state_batches_save_and_load(tmp_path):
    state = ltv.SummaryState(observation_end="2014-03-05", time_unit="day")
    state.add(IDS[:4], DATES[:4], AMOUNTS[:4]).add(IDS[4:], DATES[4:], AMOUNTS[4:])
    assert (state.customers, state.transactions, state.unverified_transactions) == (6, 9, 0)
    path = tmp_path / "state.bin"
    state.save(path)
    loaded = ltv.SummaryState.load(path)
    a, b = state.result(), loaded.result()
    np.testing.assert_array_equal(a.recency, b.recency)
    assert b.to_pandas().loc["a", "monetary_value"] == pytest.approx(25, rel=1e-15)
    path.write_bytes(b"not a state")
    with pytest.raises(ltv.ParseError, match="bad magic"):
        ltv.SummaryState.load(path)


def test_journey_rfm_cohorts_retention_by_hand():
    log = ltv.TransactionLog(IDS, DATES, AMOUNTS)
    assert len(log) == 9 and log.customers == 6
    # Cycle 10 days, lost after 30: a returned (silence 3, gap 41), b lost (33), c fan (5, gap
    # 8), d newbie (8), e sleeping (23), f a contact without purchase → lead, zz too.
    st = log.status("2014-03-05", cycle_days=10, contacts=["f", "zz"])
    got = dict(zip(st.customer_id, st.status))
    assert got == {"a": "returned", "b": "lost", "c": "fan", "d": "newbie", "e": "sleeping",
                   "f": "lead", "zz": "lead"}
    assert st.counts["lead"] == 2 and st.lost_days == 30
    # RFM: R a5 b1 c4 d3 e2, F a5 c4 others 1 (docs/rfm.md score rule).
    r = log.rfm("2014-03-05").to_pandas()
    assert r["r"].to_dict() == {"a": 5, "b": 1, "c": 4, "d": 3, "e": 2}
    assert r.loc["a", "segment"] == "Champions" and r.loc["e", "segment"] == "Hibernating"
    assert r.loc["a", "score"] == 100 * 5 + 10 * 5 + r.loc["a", "m"]
    # Cohorts to 03-31: Jan (a, b) → 1, 0, 0.5; Feb (c, d, e) → 1, 0; Mar empty.
    c = log.cohorts("2014-03-31")
    assert list(c.size) == [2, 3, 0]
    np.testing.assert_array_equal(c.active[0], [1.0, 0.0, 0.5])
    assert c.active[1][0] == 1.0 and np.isnan(c.active[1][2])
    assert c.to_pandas().index[0] == "2014-01"
    # (01-31, 03-05], window 30 days: (4 active at end − 3 new) / 2 active at start = 0.5.
    p = log.retention("2014-01-31", "2014-03-05", window_days=30)
    assert p.retention_rate == pytest.approx(0.5, rel=1e-15)
    assert (p.customers_start, p.customers_end, p.new_customers) == (2, 4, 3)
    months = log.monthly_status(cycle_days=10)
    assert list(months.index.astype(str)) == ["2014-01-31", "2014-02-28", "2014-03-31",
                                              "2014-04-30"]


def test_transaction_log_sees_rows_added_after_a_call():
    # The handle keeps each customer's sorted purchases between calls (the customer base) and
    # drops them when rows are added: the next call sees the new rows.
    log = ltv.TransactionLog(IDS, DATES, AMOUNTS)
    before = log.cohorts("2014-03-31")
    assert list(before.size) == [2, 3, 0] and np.isnan(before.active[2][0])
    assert log.summarize(observation_end="2014-04-30").to_pandas().loc["a", "frequency"] == 2
    log.add(["g", "a"], ["2014-03-10", "2014-04-02"], [4, 6])
    after = log.cohorts("2014-03-31")
    assert list(after.size) == [2, 3, 1] and after.active[2][0] == 1.0
    assert log.summarize(observation_end="2014-04-30").to_pandas().loc["a", "frequency"] == 3
    st = log.status("2014-03-10", cycle_days=10)
    assert dict(zip(st.customer_id, st.status))["g"] == "newbie"
    # The same results as a log built with all rows at once.
    fresh = ltv.TransactionLog(IDS + ["g", "a"], DATES + ["2014-03-10", "2014-04-02"],
                               AMOUNTS + [4, 6])
    np.testing.assert_array_equal(fresh.cohorts().active, log.cohorts().active)
    np.testing.assert_array_equal(fresh.rfm("2014-04-30").to_pandas()["monetary"],
                                  log.rfm("2014-04-30").to_pandas()["monetary"])


def test_malformed_file_names_line_column_and_value(tmp_path):
    bad = tmp_path / "orders.csv"
    bad.write_text("customer_id,date,amount\na,2014-01-05,10\nb,2014-13-01,5\nc,2014-01-07,x\n")
    with pytest.raises(ltv.ParseError, match=r"orders\.csv:3: column 2 \('date'\): cannot parse "
                                             r"'2014-13-01' as a date"):
        ltv.summarize_file(bad)
    s = ltv.summarize_file(bad, lenient=True)
    assert s.report.rows == 1 and s.report.skipped == 2
    assert "orders.csv:4: column 3 ('amount'): cannot parse 'x' as a number" in s.report.errors[1]
    with pytest.raises(ltv.ParseError, match="no customer column named 'client'"):
        ltv.read_transactions(bad, customer="client")
    with pytest.raises(ltv.LtvIOError, match="cannot open"):
        ltv.summarize_file(tmp_path / "missing.csv")


def test_argument_errors():
    with pytest.raises(ltv.ParseError, match=r"dates\[1\].*cannot parse '2014-02-30'"):
        ltv.summarize(["a", "b"], ["2014-01-01", "2014-02-30"])
    with pytest.raises(ltv.InvalidArgumentError, match="different lengths"):
        ltv.summarize(["a", "b"], ["2014-01-01"])
    with pytest.raises(ltv.InvalidArgumentError, match="customer id 1 is empty"):
        ltv.summarize(["a", ""], ["2014-01-01", "2014-01-02"])
    with pytest.raises(ltv.InvalidArgumentError, match=r"amounts\[0\]"):
        ltv.summarize(["a"], ["2014-01-01"], [float("nan")])
    with pytest.raises(ltv.InvalidArgumentError, match="NaT"):
        ltv.summarize(["a"], pd.Series(pd.to_datetime([None])))
    with pytest.raises(ltv.InvalidArgumentError, match="time_unit_days"):
        ltv.summarize(["a"], ["2014-01-01"], time_unit=0)
    with pytest.raises(ltv.InvalidArgumentError, match="unknown merge period"):
        ltv.summarize(["a"], ["2014-01-01"], merge="year")
    with pytest.raises(ltv.InvalidArgumentError, match="calibration_end 2014-02-01 is after"):
        ltv.summarize(["a"], ["2014-01-01"], observation_end="2014-01-31",
                      calibration_end="2014-02-01")
    with pytest.raises(ValueError, match="must be after start"):
        ltv.period_retention(IDS, DATES, "2014-03-05", "2014-01-31")
    assert ltv.parse_date("1970-01-02") == 1


# ---- the CLI (path from LTV_CLI) ------------------------------------------------------------------

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402

CLI = os.environ.get("LTV_CLI", "")
needs_cli = pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")
CDNOW_ARGS = ["--no-header", "--customer", "2", "--date", "3", "--amount", "5"]


def run(*args, stdin=None):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, input=stdin)


@needs_cli
def test_cli_summarize_cdnow_sample_by_position(tmp_path):
    # Same reference and tolerances as test_cdnow_sample_acceptance (positions are 1-based).
    out = tmp_path / "summary.csv"
    result = run("summarize", DATA / "CDNOW_sample.txt", *CDNOW_ARGS,
                 "--observation-end", "1997-09-30", "--time-unit", "week", "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    got = pd.read_csv(out, dtype={"customer_id": str}).set_index("customer_id")
    got.index = got.index.astype(int)
    ref = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv").set_index("ID")
    got = got.loc[ref.index]
    assert len(got) == 2357
    assert (got["frequency"] == ref["x"]).all()
    assert (got["recency"] - ref["t_x"]).abs().max() <= 0.005
    assert (got["T"] - ref["T"]).abs().max() <= 0.005
    assert (got["monetary_value"] - ref["zbar"]).abs().max() <= 0.01
    # The summary feeds `ltv fit` directly.
    fit = run("fit", "--model", "bgnbd", out, "--json")
    assert fit.returncode == 0, fit.stderr


@needs_cli
def test_cli_summarize_default_columns_stdin_and_json(tmp_path):
    orders = "Customer_ID,Date,Amount\na,2014-01-05,10\na,2014-01-20,20\na,2014-03-02,30\nb,2014-01-31,5\n"
    path = tmp_path / "orders.csv"
    path.write_text(orders)
    for source, stdin in ((path, None), ("-", orders)):
        result = run("summarize", source, "--observation-end", "2014-03-05", "--time-unit", "day",
                     "--json", stdin=stdin)
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        # a: frequency 2, recency 56, T 59, monetary 25 (hand-checked, as above).
        assert rows[0] == {"customer_id": "a", "frequency": 2.0, "recency": 56.0, "T": 59.0,
                           "monetary_value": 25.0}
    csv = run("summarize", path, "--observation-end", "2014-03-05", "--extra").stdout.splitlines()
    assert csv[0] == ("customer_id,frequency,recency,T,monetary_value,first_purchase,"
                      "last_purchase,transactions,total_amount,litt")
    # litt (last): log 15 + log 41, a's gaps in days (docs/summaries.md#litt)
    assert abs(float(csv[1].split(",")[-1]) - (math.log(15) + math.log(41))) < 1e-12
    # the default unit is the library's: days (ltv::default_time_unit)
    assert csv[1].startswith("a,2,56,59,25,2014-01-05,2014-03-02,3,60")


@needs_cli
def test_cli_malformed_file_names_line_and_column(tmp_path):
    bad = tmp_path / "orders.csv"
    bad.write_text("customer_id,date,amount\na,2014-01-05,10\nb,2014-13-01,5\n")
    result = run("summarize", bad)
    assert result.returncode == 1 and result.stdout == ""
    assert f"ltv: error: {bad}:3: column 2 ('date'): cannot parse '2014-13-01'" in result.stderr
    lenient = run("summarize", bad, "--lenient")
    assert lenient.returncode == 0 and "skipped 1 malformed row" in lenient.stderr
    assert run("summarize", bad, "--observation-end", "soon").returncode == 1
    assert run("summarize", bad, "--time-unit", "fortnight").returncode == 1
    assert run("summarize").returncode == 2  # usage: the file is required


@needs_cli
def test_cli_status_rfm_cohorts_and_log_retention(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("customer_id,date,amount\n" + "".join(
        f"{i},{d},{a}\n" for i, d, a in zip(IDS, DATES, AMOUNTS)))
    st = json.loads(run("status", path, "--as-of", "2014-03-05", "--cycle-days", "10",
                        "--json").stdout)
    assert {r["customer_id"]: r["status"] for r in st} == {
        "a": "returned", "b": "lost", "c": "fan", "d": "newbie", "e": "sleeping"}
    counts = json.loads(run("status", path, "--as-of", "2014-03-05", "--cycle-days", "10",
                            "--contacts", "f,zz", "--counts", "--json").stdout)
    assert counts["lead"] == 2 and counts["lost_days"] == 30
    rfm = run("rfm", path, "--as-of", "2014-03-05").stdout.splitlines()
    assert rfm[0] == "customer_id,recency_days,frequency,monetary,r,f,m,rfm_score,segment"
    assert rfm[1].startswith("a,3,3,60,5,5,") and rfm[1].endswith(",Champions")
    cohorts = run("cohorts", path, "--until", "2014-03-31").stdout.splitlines()
    assert cohorts[:2] == ["cohort,size,m0,m1,m2", "2014-01,2,1,0,0.5"]
    # (01-31, 03-05], window 30: (4 − 3) / 2 = 0.5 (see test_journey_rfm_cohorts_retention_by_hand)
    ret = json.loads(run("retention", "--transactions", path, "--start", "2014-01-31",
                         "--end", "2014-03-05", "--window", "30", "--json").stdout)
    assert ret["retention_rate"] == pytest.approx(0.5, rel=1e-15)
    assert ret["customers_start"] == 2 and ret["new_customers"] == 3
    bad = run("retention", "--transactions", path, "--start", "2014-03-05", "--end", "2014-01-31")
    assert bad.returncode == 1 and "must be after start" in bad.stderr
