# SPDX-License-Identifier: Apache-2.0
"""`ltv compare` (issue 11): the table, --json, --csv and the numbers behind them.

The per-customer predictions of --csv are the source of truth here: every metric of --json is
recomputed from them with numpy, independently of the library's own loops.
"""

import io
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

CLI = os.environ.get("LTV_CLI", "")
pytestmark = pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")

ROOT = Path(__file__).resolve().parents[2]
MASTER = ROOT / "examples" / "data" / "CDNOW_master.txt"
EXAMPLE = ROOT / "tests" / "data" / "example_transactions.csv"
# in weeks, as Fader, Hardie & Lee (2005) (the library's default unit is the day)
SPLIT = ["--calibration-end", "1997-09-30", "--observation-end", "1998-06-30", "--time-unit", "week"]


def run(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    csv = tmp_path_factory.mktemp("compare") / "predictions.csv"
    result = run("compare", MASTER, "--amount", "dollar_value", *SPLIT, "--json", "--csv", csv)
    assert result.returncode == 0, result.stderr
    # round_trip: pandas' default float parser may be 1 ulp off, which moves ties of the products
    frame = pd.read_csv(csv, dtype={"customer_id": str}, float_precision="round_trip")
    return json.loads(result.stdout), frame


def rows(report):
    return {m["name"]: m for m in report["models"]}


def test_bgnbd_holdout_total_matches_lifetimes(cdnow):
    report, _ = cdnow
    bg = rows(report)["bgnbd"]["metrics"]
    # lifetimes 0.11.3 BetaGeoFitter on calibration_and_holdout_data(CDNOW_master, freq 'W',
    # 1997-09-30, 1998-06-30): Σ conditional_expected_number_of_purchases_up_to_time(39) =
    # 16 873.7 of 19 684 actual (issue 11); 1e-5 relative, the printed digits.
    assert bg["holdout_predicted"] == pytest.approx(16873.7, rel=1e-5)
    assert bg["holdout_actual"] == 19684
    assert report["data"]["customers"] == 23570
    assert report["best"] in {"bgnbd", "mbgnbd", "pnbd", "ggomnbd"}


def test_metrics_equal_those_recomputed_from_the_predictions(cdnow):
    report, frame = cdnow
    y = frame["frequency_holdout"].to_numpy()
    for name in ("baseline", "bgnbd", "mbgnbd", "pnbd"):
        m = rows(report)[name]["metrics"]
        p = frame[f"{name}_holdout_purchases"].to_numpy()
        # The CSV holds shortest round-trip doubles: sums agree to 1e-12 relative.
        assert m["mae"] == pytest.approx(np.mean(np.abs(p - y)), rel=1e-12)
        assert m["rmse"] == pytest.approx(np.sqrt(np.mean((p - y) ** 2)), rel=1e-12)
        assert m["msle"] == pytest.approx(np.mean((np.log1p(p) - np.log1p(y)) ** 2), rel=1e-12)
        assert m["bias"] == pytest.approx(np.mean(p - y), rel=1e-9)
        assert m["correlation"] == pytest.approx(np.corrcoef(p, y)[0, 1], rel=1e-10)
        assert m["holdout_predicted"] == pytest.approx(p.sum(), rel=1e-12)
        # Spearman of predicted value (purchases × Gamma-Gamma's expected spend; the baseline:
        # × calibration mean spend) and realised value: average ranks, as scipy.stats.spearmanr.
        spend = frame["gg_expected_spend"].to_numpy()
        if name == "baseline":
            z = frame["monetary_value"].to_numpy()
            buyers = z[(frame["frequency"] > 0) & (z > 0)]
            pooled = sum(buyers.tolist()) / len(buyers)  # summed in row order, as the library
            spend = np.where((frame["frequency"] > 0) & (z > 0), z, pooled)
        value = pd.Series(p * spend).rank()
        real = pd.Series(y * frame["monetary_value_holdout"].to_numpy()).rank()
        assert m["spearman"] == pytest.approx(np.corrcoef(value, real)[0, 1], rel=1e-10)
    # conditional expectations by frequency: group means of the same columns
    by = report["by_frequency"]
    x = frame["frequency"].clip(upper=7)
    for g in range(8):
        sel = x == g
        assert by["customers"][g] == sel.sum()
        assert by["actual"][g] == pytest.approx(y[sel].mean(), rel=1e-12)
        assert by["predicted"]["pnbd"][g] == pytest.approx(
            frame.loc[sel, "pnbd_holdout_purchases"].mean(), rel=1e-12)


def test_readable_table_marks_the_best(cdnow):
    result = run("compare", MASTER, "--amount", "dollar_value", *SPLIT, "--models", "bgnbd,pnbd")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Holdout purchases per customer" in out and "BG/NBD" in out and "Pareto/NBD" in out
    assert "*" in out and "Mean holdout purchases by calibration frequency" in out
    assert "MBG/NBD" not in out


def test_series_are_consistent(cdnow):
    report, frame = cdnow
    tr = report["tracking"]
    assert len(tr["period_end"]) == 78 and tr["period_end"][0] == "1997-01-07"
    assert tr["calibration_periods"] == 39
    # the actual curve ends at every repeat purchase: calibration x plus the holdout
    assert tr["actual_cumulative"][-1] == frame["frequency"].sum() + frame["frequency_holdout"].sum()
    assert np.allclose(np.cumsum(tr["actual_incremental"]), tr["actual_cumulative"])
    # the histogram's expected customers sum to the customers (P(X(T) = n) over n)
    assert sum(report["histogram"]["expected"]["bgnbd"]) == pytest.approx(23570, rel=1e-10)
    f, r = report["matrices"]["frequency"], report["matrices"]["recency"]
    assert len(report["matrices"]["p_alive"]["bgnbd"]) == len(f) * len(r)


def test_log_without_amounts_omits_spend():
    # lifetimes' simulated example log (date, id; tests/data/SOURCES.md): no amounts.
    result = run("compare", EXAMPLE, "--customer", "id", "--calibration-end", "2014-09-30",
                 "--observation-end", "2014-12-31", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["data"]["amounts"] is False
    assert "gg" not in rows(report)
    assert any("no amounts" in n for n in report["notes"])
    assert rows(report)["bgnbd"]["metrics"]["spend_mae"] is None


@pytest.mark.parametrize("args, message", [
    (["--calibration-end", "1998-07-01", "--observation-end", "1998-06-30"], "1998-07-01"),
    (["--calibration-end", "1996-12-31"], "no customers made their first purchase"),
    (["--calibration-end", "1997-09-30", "--models", "bgbb"], "discrete-time"),
    (["--calibration-end", "1997-09-30", "--models", "nosuch"], "nosuch"),
    (["--calibration-end", "1997-09-30", "--models", "bgnbd,,pnbd"], "empty name"),
])
def test_bad_input_is_a_clear_error(args, message):
    result = run("compare", MASTER, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["--json", "--csv", "-"], "both write to stdout"),
    (["--penalizer", "-1"], "penalizer = -1 must be a finite number >= 0"),
])
def test_conflicting_or_invalid_options(args, message):
    result = run("compare", MASTER, *SPLIT, *args)
    assert result.returncode != 0 and message in result.stderr


def test_calibration_end_is_required():
    result = run("compare", MASTER)
    assert result.returncode == 2  # usage error
    assert "--calibration-end" in result.stderr


def test_empty_holdout_still_reports_the_fits(tmp_path):
    html = tmp_path / "r.html"
    result = run("compare", MASTER, "--calibration-end", "1998-06-30", "--observation-end",
                 "1998-06-30", "--models", "bgnbd", "--json", "--html", html)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert rows(report)["bgnbd"]["metrics"]["log_likelihood"] is not None
    assert rows(report)["bgnbd"]["metrics"]["mae"] is None
    assert any("holdout period is empty" in n for n in report["notes"])
    assert html.read_text().startswith("<!DOCTYPE html>")


def test_non_converged_model_is_marked_and_others_run(tmp_path):
    # A hand-made log on which Pareto/NBD's fit is given no time: it stays in the table.
    rows_ = ["customer_id,date"] + [f"c{i},2020-01-{1 + i % 20:02d}" for i in range(40)] + \
            [f"c{i},2020-03-{1 + i % 25:02d}" for i in range(0, 40, 3)]
    log = tmp_path / "log.csv"
    log.write_text("\n".join(rows_) + "\n")
    result = run("compare", log, "--calibration-end", "2020-02-15", "--observation-end",
                 "2020-03-31", "--time-unit", "day", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for m in report["models"]:
        assert m["message"] != "" or m["name"] == "baseline"
        assert isinstance(m["converged"], bool)


def test_cdnow_sample_by_frequency_matches_the_btyd_walkthrough():
    # The 1/10 CDNOW sample of Fader, Hardie & Lee (2005), calibration to 1997-09-30, holdout to
    # 1998-06-30 (Figure 5's data). McCarthy & Wadsworth (2014), "Buy 'Til You Die - A
    # Walkthrough" (BTYD 2.4 vignette), pnbd.PlotFreqVsConditionalExpectedFrequency(censor = 7):
    # transaction.actual 0.2367 0.6970 1.393 1.560 2.532 2.947 3.862 6.359 and bin.size
    # 1411 439 214 100 62 38 29 64 (printed to 4 significant digits: 5e-4 relative).
    result = run("compare", ROOT / "tests" / "data" / "CDNOW_sample.txt", "--no-header",
                 "--customer", "2", "--date", "3", "--amount", "5", *SPLIT, "--json")
    assert result.returncode == 0, result.stderr
    by = json.loads(result.stdout)["by_frequency"]
    assert by["customers"] == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert by["actual"] == pytest.approx(
        [0.2367, 0.6970, 1.393, 1.560, 2.532, 2.947, 3.862, 6.359], rel=5e-4)


def test_grocery_log_second_dataset():
    # BTYDplus's groceryElog (examples/data/SOURCES.md): 1 525 customers, 10 483 purchases,
    # calibration 2006, holdout 2007 (Platzer & Reutterer 2016's split).
    result = run("compare", ROOT / "examples" / "data" / "grocery_elog.csv", "--customer", "cust",
                 "--calibration-end", "2006-12-31", "--observation-end", "2007-12-30",
                 "--time-unit", "week", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["data"]["customers"] == 1525
    assert report["data"]["duration_holdout"] == 52
    assert all(m["converged"] for m in report["models"])
    # every model beats the naive baseline per customer
    base = rows(report)["baseline"]["metrics"]["mae"]
    assert all(rows(report)[m]["metrics"]["mae"] < base for m in ("bgnbd", "mbgnbd", "pnbd"))


def test_docs_tables_are_current():
    # docs/benchmarking.md holds scripts/benchmarking-tables' output between its markers.
    out = subprocess.run(["/usr/bin/env", "python3", str(ROOT / "scripts" / "benchmarking-tables"),
                          CLI], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    docs = (ROOT / "docs" / "benchmarking.md").read_text()
    block = docs.split("<!-- tables:begin -->\n", 1)[1].split("<!-- tables:end -->", 1)[0]
    assert block == out.stdout, "docs/benchmarking.md is stale: rerun scripts/benchmarking-tables"
