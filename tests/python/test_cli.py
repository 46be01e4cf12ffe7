# SPDX-License-Identifier: Apache-2.0
"""The ltv command-line tool (path from LTV_CLI): readable output, --json, errors, exit codes."""

import json
import os
import subprocess

import pytest

import references as refs

CLI = os.environ.get("LTV_CLI", "")
pytestmark = pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


def test_retention_readable():
    result = run("retention", "--start", "1000", "--end", "1100", "--new", "200")
    assert result.returncode == 0, result.stderr
    assert "retention rate" in result.stdout and "90.00 %" in result.stdout


def test_retention_json_worked_examples():
    # Issue #2: 90 % and (485 − 32) / 550 = 82.36 %.
    out = json.loads(run("retention", "--start", "1000", "--end", "1100", "--new", "200", "--json").stdout)
    assert out["retention_rate"] == pytest.approx(0.9, rel=1e-15)
    out = json.loads(run("retention", "--start", "550", "--end", "485", "--new", "32", "--json").stdout)
    assert out["retention_rate"] == pytest.approx(453 / 550, rel=1e-15)
    assert out["customers_start"] == 550 and isinstance(out["customers_start"], int)
    flows = json.loads(run("retention", "--start", "550", "--lost", "65", "--new", "32", "--json").stdout)
    assert flows["customers_end"] == 517
    assert flows["retention_rate"] == pytest.approx(485 / 550, rel=1e-15)


def test_lost_profit_json():
    # Issue #2: 65 × (5 − 1) × 30 000 = 7 800 000.
    result = run("lost-profit", "--lost-customers", "65", "--expected-purchases", "5",
                 "--purchases-made", "1", "--margin", "30000", "--json")
    assert json.loads(result.stdout)["lost_profit"] == pytest.approx(7800000, rel=1e-15)
    text = run("lost-profit", "--lost-customers", "65", "--expected-purchases", "5",
               "--purchases-made", "1", "--margin", "30000").stdout
    assert "7 800 000.00" in text


def test_simple_ltv_and_clv():
    chain = json.loads(run("simple-ltv", "--margins", "1000,400,500,300,300",
                           "--probabilities", "1,0.5,0.8,0.6,0.5", "--json").stdout)
    assert chain["ltv"] == pytest.approx(1508, rel=1e-15)
    simple = json.loads(run("simple-ltv", "--margin", "30000", "--purchases", "5", "--json").stdout)
    assert simple["ltv"] == pytest.approx(150000, rel=1e-15)
    clv = json.loads(run("clv", "--aov", "100", "--margin", "0.5", "--frequency", "1",
                         "--periods", "inf", "--retention", "0.8", "--discount-rate", "0.1",
                         "--json").stdout)
    assert clv["clv"] == pytest.approx(50 * 1.1 / 0.3, rel=1e-14)


def test_errors_go_to_stderr_with_nonzero_exit():
    result = run("retention", "--start", "0", "--end", "1")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "argument 'start' = 0 must be greater than 0" in result.stderr
    result = run("retention", "--start", "abc", "--end", "1")
    assert result.returncode == 2 and "abc" in result.stderr
    result = run("retention", "--start", "10", "--end", "nan")
    assert result.returncode == 1 and "'end' = nan" in result.stderr
    result = run("churn", "--start", "10")
    assert result.returncode == 2 and "--lost" in result.stderr
    result = run("no-such-command")
    assert result.returncode == 2


def test_version_and_demo(tmp_path):
    assert run("--version").stdout.strip() == run("version").stdout.strip().split()[-1]
    html = tmp_path / "demo.html"
    demo = run("demo", "--report", str(html))
    assert demo.returncode == 0, demo.stderr
    assert "82.36 %" in demo.stdout and "7 800 000.00" in demo.stdout
    # The demo ends with the comparison of every model and says where its report is.
    assert "Holdout purchases per customer" in demo.stdout
    assert f"HTML report of the comparison: {html}" in demo.stdout
    assert html.read_text().startswith("<!DOCTYPE html>")
    # A report that cannot be written is a note on stderr, not a failed demo.
    unwritable = run("demo", "--report", str(tmp_path / "missing-dir" / "r.html"))
    assert unwritable.returncode == 0 and "the HTML report was not written" in unwritable.stderr
    data = json.loads(run("demo", "--json", "--no-report").stdout)
    assert data["benchmark"]["best"] in {"bgnbd", "mbgnbd", "pnbd", "ggomnbd"}
    assert data["benchmark"]["report"] == "not written"
    assert data["retention_1"]["retention_rate"] == pytest.approx(0.9, rel=1e-15)
    # The models part: BG/NBD and Pareto/NBD on the full CDNOW log, compared on the holdout;
    # top customers by CLV; sBG on Fader & Hardie's (2007) cohorts.
    assert data["bgnbd"]["converged"] is True and data["pnbd"]["converged"] is True
    comparison = data["model_comparison"]
    assert comparison["customers"] == 23570
    assert comparison["holdout_purchases"] > 0
    assert len(data["top_clv"]["customers"]) == 10
    clv = [row["CLV"] for row in data["top_clv"]["customers"]]
    assert clv == sorted(clv, reverse=True)
    assert data["fit_regular"]["params"]["alpha"] == refs.approx(refs.fit("sbg", "regular")["params"]["alpha"])
    # The transaction-log part: CDNOW_master has 69 659 transactions of 23 570 customers
    # (SOURCES.md); every customer has exactly one status, and the cohorts are Jan–Mar 1997.
    assert data["transactions"]["customers"] == 23570
    status = data["status"]
    assert sum(status[k] for k in ("newbie", "fan", "sleeping", "lost", "returned")) == 23570
    assert [row["cohort"] for row in data["cohorts"]["cohorts"]] == [199701, 199702, 199703]
    assert 0 < data["log_retention"]["retention_rate"] <= 1
    assert data["fit_high_end"]["params"]["beta"] == refs.approx(refs.fit("sbg", "high_end")["params"]["beta"])
    missing = run("demo", "--data", "/nonexistent", "--no-report")
    assert missing.returncode == 1 and "cannot find the example data" in missing.stderr


def test_retention_survivors_fits_sbg_and_projects():
    # Fader & Hardie (2007) "regular" cohort (tests/data/references/sbg.json: the fit, DEL, DERL);
    # the hold-out years 8–12 are projected within 2 % (issue #5).
    fit = refs.fit("sbg", "regular")
    result = run("retention", "--survivors", "1000,631,468,382,326,289,262,241",
                 "--holdout", "223,207,194,183,173", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["fit"]["params"]["alpha"] == refs.approx(fit["params"]["alpha"])
    assert out["fit"]["params"]["beta"] == refs.approx(fit["params"]["beta"])
    assert out["fit"]["converged"] is True
    assert out["fit"]["log_likelihood"] == refs.approx(fit["log_likelihood"])
    periods = out["projection"]["periods"]
    assert [p["period"] for p in periods[:3]] == [0, 1, 2]
    for p in periods[8:13]:
        assert abs(p["error"]) < 0.02
    assert out["value"]["del"] == refs.approx(refs.prediction("sbg", "del_regular"))
    derl = {row["renewals"]: row["DERL"] for row in out["value"]["derl"]}
    assert derl[4] == refs.approx(refs.prediction("sbg", "derl_regular_4_renewals"))
    text = run("retention", "--survivors", "1000,631,468,382,326,289,262,241").stdout
    assert "alpha = 0.704" in text and "DERL" in text


def test_retention_survivors_errors():
    result = run("retention", "--survivors", "1000,631,700")
    assert result.returncode == 1
    assert "'survivors[2]' = 700 exceeds the previous count 631" in result.stderr
    result = run("retention", "--survivors", "1000,631", "--start", "5")
    assert result.returncode == 2
    result = run("retention", "--new", "3")
    assert result.returncode == 1 and "--survivors" in result.stderr


DATA = os.path.join(os.path.dirname(__file__), "..", "data")


def test_fit_and_predict_on_summary_files(tmp_path):
    # FHL 2005 BG/NBD on CDNOW and Gamma-Gamma on its 946 repeat buyers
    # (tests/data/references/bgnbd.json, gg.json). Both naming conventions of summary files are read.
    bg_ref, gg_ref = refs.fit("bgnbd", "cdnow"), refs.fit("gg", "cdnow_spend")
    bg, gg = tmp_path / "bg.json", tmp_path / "gg.json"
    out = json.loads(run("fit", "--model", "bgnbd", os.path.join(DATA, "cdnow_customers_summary.csv"),
                         "-o", str(bg), "--time-unit", "week", "--json").stdout)
    for name, ref in bg_ref["params"].items():
        assert out["params"][name] == refs.approx(ref)
        assert out["standard_errors"][name] == refs.approx(bg_ref["standard_errors"][name])
    assert out["log_likelihood"] == refs.approx(bg_ref["log_likelihood"])
    assert json.loads(bg.read_text())["time_unit"] == "week"
    summary = os.path.join(DATA, "cdnow_customers_summary_with_transactions.csv")
    out = json.loads(run("fit", "--model", "gg", summary, "-o", str(gg), "--json").stdout)
    for name, ref in gg_ref["params"].items():
        assert out["params"][name] == refs.approx(ref)
    result = run("predict", "--model", str(bg), "--spend-model", str(gg), summary,
                 "--horizon", "39", "--period-length", "4.345", "--discount-rate", "0.01")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "customer_id,expected_purchases,p_alive,expected_spend,clv"
    assert len(lines) == 2358
    first = lines[1].split(",")
    assert first[0] == "1"
    assert float(first[3]) == refs.approx(refs.prediction("gg", "expected_spend_customer_1"))
    records = json.loads(run("predict", "--model", str(bg), summary, "--horizon", "39", "--json").stdout)
    assert len(records) == 2357 and 0 <= records[0]["p_alive"] <= 1


def test_fit_errors_name_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("frequency,recency,T\n1,2,5\n2,abc,5\n")
    result = run("fit", "--model", "bgnbd", str(bad))
    assert result.returncode == 1
    assert f"{bad}:3: column 2 ('recency'): cannot parse 'abc'" in result.stderr
    missing = tmp_path / "missing.csv"
    missing.write_text("frequency,T\n1,5\n")
    result = run("fit", "--model", "bgnbd", str(missing))
    assert result.returncode == 1 and "no column named 'recency' or 't_x'" in result.stderr
    result = run("fit", "--model", "nope", str(missing))
    assert result.returncode == 1 and "unknown model 'nope'" in result.stderr
    result = run("predict", "--model", str(tmp_path / "none.json"), str(missing), "--horizon", "1")
    assert result.returncode == 1 and "cannot open" in result.stderr


def test_fit_predict_bgbb_and_pnbd(tmp_path):
    # BG/BB on the donations (FHS 2010) and Pareto/NBD on CDNOW (issue #5):
    # tests/data/references/bgbb.json, pnbd.json.
    bgbb_ref, pnbd_ref = refs.fit("bgbb", "donations"), refs.fit("pnbd", "cdnow")
    donations = os.path.join(DATA, "donations.csv")
    model = tmp_path / "bgbb.json"
    out = json.loads(run("fit", "--model", "bgbb", donations, "-o", str(model), "--json").stdout)
    for name, ref in bgbb_ref["params"].items():
        assert out["params"][name] == refs.approx(ref)
    assert out["log_likelihood"] == refs.approx(bgbb_ref["log_likelihood"])
    rows = json.loads(run("predict", "--model", str(model), donations, "--horizon", "5",
                          "--dert-discount", "0.1", "--json").stdout)
    assert len(rows) == 22 and all(r["dert"] > 0 for r in rows)
    out = json.loads(run("fit", "--model", "pnbd", os.path.join(DATA, "cdnow_customers_summary.csv"),
                         "--json").stdout)
    for name, ref in pnbd_ref["params"].items():
        assert out["params"][name] == refs.approx(ref)
    assert out["log_likelihood"] == refs.approx(pnbd_ref["log_likelihood"])
    bg = tmp_path / "bg.json"
    run("fit", "--model", "bgnbd", os.path.join(DATA, "cdnow_customers_summary.csv"), "-o", str(bg))
    result = run("predict", "--model", str(bg), donations, "--horizon", "1", "--dert-discount", "0.1")
    assert result.returncode == 1 and "needs a model with DERT (pnbd (Pareto/NBD), bgbb (BG/BB)), not BG/NBD" in result.stderr


def test_status_with_a_model_uses_p_alive(tmp_path):
    # h1 bought weekly for 10 weeks then fell silent for 149 days: a fan by the day thresholds
    # (cycle 365 days), but BG/NBD at Fader, Hardie & Lee's published parameters gives
    # P(alive) = 0.002 (x = 9, t_x = 9, T = 30.29 weeks; tests/cpp/test_journey.cpp) → lost.
    log = tmp_path / "orders.csv"
    days = ["2014-01-01", "2014-01-08", "2014-01-15", "2014-01-22", "2014-01-29", "2014-02-05",
            "2014-02-12", "2014-02-19", "2014-02-26", "2014-03-05"]
    log.write_text("customer_id,date\n" + "".join(f"h1,{d}\n" for d in days) + "o1,2014-07-25\n")
    model = tmp_path / "bgnbd.json"
    model.write_text(json.dumps({"format": "ltv-model", "format_version": 1, "model": "bgnbd",
                                 "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
                                 "time_unit": "week"}))
    base = ["status", str(log), "--as-of", "2014-08-01", "--cycle-days", "365", "--json"]
    plain = {r["customer_id"]: r["status"] for r in json.loads(run(*base).stdout)}
    assert plain == {"h1": "fan", "o1": "newbie"}
    result = run(*base, "--model", str(model), "--alive-threshold", "0.2")
    assert result.returncode == 0, result.stderr
    with_model = {r["customer_id"]: r["status"] for r in json.loads(result.stdout)}
    assert with_model == {"h1": "lost", "o1": "newbie"}
    gg = tmp_path / "gg.json"
    gg.write_text(json.dumps({"format": "ltv-model", "format_version": 1, "model": "gg",
                              "params": {"p": 6, "q": 3, "gamma": 15}}))
    result = run(*base, "--model", str(gg))
    assert result.returncode == 1 and "is a Gamma-Gamma model, which has no P(alive)" in result.stderr
