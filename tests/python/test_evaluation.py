# SPDX-License-Identifier: Apache-2.0
"""ltv.compare_models, ltv.Comparison and ltv.plotting on the bundled CDNOW log (calibration to
1997-09-30, holdout to 1998-06-30, weeks: the split of ltv demo and docs/benchmarking.md).

The table's numbers are checked against lifetimes' published holdout total, against values
recomputed here with numpy from each fitted model's own per-customer predictions, and against
``ltv compare --json`` (the same library through the CLI).
"""

import ctypes
import json
import os
import re
import sys
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ltv
from ltv import _library

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT / "examples" / "data" / "CDNOW_master.txt"
CALIBRATION_END, OBSERVATION_END = "1997-09-30", "1998-06-30"
CLI = os.environ.get("LTV_CLI", "")

# The C API's functions of the model comparison (ltv.h, section "model comparison").
COMPARISON_FUNCTIONS = [
    "ltv_compare_options_init", "ltv_compare_transactions", "ltv_compare_summary",
    "ltv_evaluation_free", "ltv_evaluation_metric_count", "ltv_evaluation_metric_info",
    "ltv_evaluation_counts", "ltv_evaluation_row_info", "ltv_evaluation_metrics",
    "ltv_evaluation_model", "ltv_evaluation_summary", "ltv_evaluation_series",
    "ltv_evaluation_to_json", "ltv_evaluation_write_html",
]


@pytest.fixture(scope="module")
def log():
    return ltv.read_transactions(CDNOW, amount="dollar_value")


@pytest.fixture(scope="module")
def comparison(log):
    return ltv.compare_models(log, CALIBRATION_END, OBSERVATION_END, time_unit="week")  # FHL 2005


@pytest.fixture(scope="module")
def frame():
    # The same log as a DataFrame (whitespace-delimited; ids kept as written, "00001").
    data = pd.read_csv(CDNOW, sep=r"\s+", dtype={"customer_id": str, "date": str})
    data["date"] = pd.to_datetime(data["date"], format="%Y%m%d")
    return data


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a plotting function called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


# ---- the binding's declarations ------------------------------------------------------------------

def test_every_exported_function_has_a_signature():
    # Every ltv_* function the header declares is declared once in _library.py (argtypes).
    header = (ROOT / "include" / "ltv" / "ltv.h").read_text()
    declared = set(re.findall(r"LTV_API\s+[^;(]*?\b(ltv_\w+)\s*\(", header))
    known = set(_library._SIGNATURES) | set(_library._PLAIN)
    assert len(declared) > 100 and declared - known == set()
    for name in COMPARISON_FUNCTIONS:
        assert name in _library._SIGNATURES, name


def test_struct_mirrors_match_the_library():
    # ltv_compare_options_init records the library's sizeof in struct_size (docs/abi.md); the
    # mirror is exactly that size on this build, and ltv_evaluation_row is accepted as written.
    size = _library._library_struct_size(_library.lib.ltv_compare_options_init,
                                         _library.CompareOptions)
    assert size == ctypes.sizeof(_library.CompareOptions)
    o = _library.CompareOptions()
    _library.call("ltv_compare_options_init", ctypes.byref(o), ctypes.sizeof(o))
    # Defaults of ltv.h: every model, baseline on, 7 groups and bins, 25 × 25 matrices.
    assert (o.models, o.baseline, o.frequency_groups, o.histogram_bins, o.matrix_size,
            o.penalizer, o.threads, o.tracking_period_days) == (None, 1, 7, 7, 25, 0.0, 0, 0.0)


# ---- reference values ----------------------------------------------------------------------------

def test_bgnbd_holdout_total_matches_lifetimes(comparison):
    # lifetimes 0.11.3, BetaGeoFitter on calibration_and_holdout_data(CDNOW_master, 'W',
    # calibration_period_end='1997-09-30', observation_period_end='1998-06-30'):
    # Σ conditional_expected_number_of_purchases_up_to_time(39, …) = 16 873.7 (issue 11's
    # figure, also tests/cpp/test_evaluation.cpp; ltv demo prints 16 873.73).
    bg = comparison.table.loc["bgnbd"]
    assert bg["holdout_predicted"] == pytest.approx(16873.7, rel=1e-5)
    # 19 684 holdout purchases: ltv demo's figure (docs/benchmarking.md).
    assert bg["holdout_actual"] == 19684
    assert comparison.data["holdout_purchases"] == 19684
    # CDNOW_master: 23 570 customers, all acquired in Q1 1997 (examples/data/SOURCES.md).
    assert comparison.customers == 23570
    assert bg["parameters"] == 4 and bool(bg["converged"])


def _relative(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def test_table_equals_metrics_recomputed_from_the_models_own_predictions(comparison):
    # Definitions: include/ltv/evaluation.hpp's header comment. Recomputed here with numpy from
    # the fitted models' own methods on the summary the models were compared on.
    p = comparison.predictions
    f, r, T = p["frequency"].to_numpy(), p["recency"].to_numpy(), p["T"].to_numpy()
    y = p["frequency_holdout"].to_numpy()
    t = float(p["duration_holdout"].iloc[0])
    assert t == 39.0  # 1997-09-30 → 1998-06-30 = 273 days = 39 weeks
    gg = comparison.models["gg"]
    # E[spend | x, z̄]; a repeat buyer with z̄ <= 0 (one in CDNOW, a $0 order) gets the
    # population mean, the x = 0 value (evaluation.hpp, the spend rows).
    z = p["monetary_value"].to_numpy()
    spend = gg.expected_spend(np.where(z > 0, f, 0.0), np.where(z > 0, z, 0.0))
    assert (f > 0).sum() - ((f > 0) & (z > 0)).sum() == 1
    np.testing.assert_array_equal(p["gg_expected_spend"].to_numpy(), spend)
    realised = y * p["monetary_value_holdout"].to_numpy()
    for name in ("bgnbd", "mbgnbd", "pnbd"):
        model = comparison.models[name]
        yhat = model.expected_purchases(t, f, r, T)
        np.testing.assert_allclose(p[f"{name}_holdout_purchases"].to_numpy(), yhat,
                                   rtol=1e-14, atol=0)
        np.testing.assert_allclose(p[f"{name}_p_alive"].to_numpy(), model.p_alive(f, r, T),
                                   rtol=1e-14, atol=0)
        e = yhat - y
        value = yhat * spend
        expected = {
            "holdout_predicted": yhat.sum(),
            "holdout_actual": y.sum(),
            "holdout_error_percent": 100 * (yhat.sum() - y.sum()) / y.sum(),
            "mae": np.mean(np.abs(e)),
            "rmse": np.sqrt(np.mean(e**2)),
            "msle": np.mean((np.log1p(yhat) - np.log1p(y)) ** 2),
            "bias": np.mean(e),
            "correlation": np.corrcoef(yhat, y)[0, 1],
            "spearman": _spearman(value, realised),
            "log_likelihood": model.individual_log_likelihood(f, r, T).sum(),
        }
        k = len(model.params)
        expected["aic"] = 2 * k - 2 * expected["log_likelihood"]
        expected["bic"] = k * np.log(len(f)) - 2 * expected["log_likelihood"]
        row = comparison.table.loc[name]
        for metric, value_ in expected.items():
            assert _relative(row[metric], value_) <= 1e-12, (name, metric, row[metric], value_)
    # Gamma-Gamma's spend metrics: customers who bought in the holdout, their mean spend.
    bought = y > 0
    e = spend[bought] - p["monetary_value_holdout"].to_numpy()[bought]
    row = comparison.table.loc["gg"]
    for metric, value_ in {"spend_mae": np.mean(np.abs(e)), "spend_rmse": np.sqrt(np.mean(e**2)),
                           "spend_bias": np.mean(e),
                           "spend_correlation": np.corrcoef(
                               spend[bought], p["monetary_value_holdout"].to_numpy()[bought])[0, 1],
                           }.items():
        assert _relative(row[metric], value_) <= 1e-12, (metric, row[metric], value_)
    # The baseline: ŷ = x / T · t* (evaluation.hpp, "baseline").
    base = np.where(T > 0, f / np.where(T > 0, T, 1) * t, f.sum() / T.sum() * t)
    np.testing.assert_allclose(p["baseline_holdout_purchases"].to_numpy(), base, rtol=1e-14)
    assert _relative(comparison.table.loc["baseline", "mae"], np.mean(np.abs(base - y))) <= 1e-12


def _spearman(a, b):
    """Spearman's ρ with average ranks for ties (scipy when installed, else pandas' ranks)."""
    try:
        from scipy.stats import spearmanr
    except ImportError:
        ra = pd.Series(a).rank(method="average").to_numpy()
        rb = pd.Series(b).rank(method="average").to_numpy()
        return np.corrcoef(ra, rb)[0, 1]
    return spearmanr(a, b).correlation


@pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built (LTV_CLI)")
def test_same_numbers_as_the_cli_json(comparison):
    result = subprocess.run(
        [CLI, "compare", str(CDNOW), "--amount", "dollar_value", "--calibration-end",
         CALIBRATION_END, "--observation-end", OBSERVATION_END, "--time-unit", "week", "--json"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    cli = json.loads(result.stdout)
    ours = comparison.to_json()
    # fit_seconds is the only quantity that is not reproducible (the JSON's not_reproducible).
    assert cli["not_reproducible"] == ["models[].metrics.fit_seconds"]
    for data in (cli, ours):
        for m in data["models"]:
            m["metrics"].pop("fit_seconds")
    assert ours == cli
    # The DataFrames hold the JSON's numbers.
    for m in cli["models"]:
        for metric, value in m["metrics"].items():
            got = comparison.table.loc[m["name"], metric]
            assert (np.isnan(got) if value is None else got == value), (m["name"], metric)
    np.testing.assert_array_equal(comparison.tracking["actual"], cli["tracking"]["actual_cumulative"])
    np.testing.assert_array_equal(comparison.tracking_incremental["actual"],
                                  cli["tracking"]["actual_incremental"])
    np.testing.assert_allclose(comparison.tracking_incremental["bgnbd"],
                               cli["tracking"]["expected_incremental"]["bgnbd"], rtol=1e-12)
    assert comparison.best == cli["best"]


# ---- the DataFrames ------------------------------------------------------------------------------

def test_dataframe_shapes_indices_and_dtypes(comparison, log):
    t = comparison.table
    assert list(t.index) == ["baseline", "gg", "bgnbd", "mbgnbd", "pnbd", "bgcnbd", "mbgcnbd", "ggomnbd"]
    metrics = list(ltv.evaluation.metric_info().index)
    assert list(t.columns) == ["title", "role", "converged", "message", *metrics]
    # 22 metrics in this order: LTV_EVALUATION_METRIC_LIST of include/ltv/evaluation.hpp.
    assert len(metrics) == 22 and metrics[:4] == ["log_likelihood", "parameters", "aic", "bic"]
    assert t.loc["baseline", "role"] == "baseline" and t.loc["gg", "role"] == "spend"
    assert np.isnan(t.loc["baseline", "aic"]) and np.isnan(t.loc["gg", "mae"])
    assert all(t[m].dtype == np.float64 for m in metrics)
    # the converged purchase model with the lowest MAE: Pareto/NBD, or GGom/NBD, which sits at its
    # Pareto/NBD boundary here (b held at 1e-7 / max T: the same predictions to ~1e-7)
    assert comparison.best in ("pnbd", "ggomnbd")
    assert comparison.table.loc[comparison.best, "mae"] == comparison.table.loc[
        ["bgnbd", "mbgnbd", "pnbd", "ggomnbd"], "mae"].min()

    tr = comparison.tracking
    assert np.issubdtype(tr.index.dtype, np.datetime64)
    assert list(tr.columns) == ["actual", "bgnbd", "mbgnbd", "pnbd", "bgcnbd", "mbgcnbd", "ggomnbd"]
    # Weekly periods from the first purchase day 1997-01-01 to 1998-06-30 (SOURCES.md): 546
    # days, the last period cut at the observation end → ⌈546 / 7⌉ = 78 periods.
    assert len(tr) == 78 and tr.index[0] == pd.Timestamp("1997-01-07")
    # The actual curve ends at every repeat purchase of the calibration and the holdout.
    assert tr["actual"].iloc[-1] == comparison.data["calibration_repeat_purchases"] + 19684
    np.testing.assert_allclose(comparison.tracking_incremental.cumsum(), tr, rtol=1e-12)

    bf = comparison.by_frequency
    assert list(bf.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert list(bf.columns) == ["customers", "actual", "baseline", "bgnbd", "mbgnbd", "pnbd",
                                "bgcnbd", "mbgcnbd", "ggomnbd"]
    assert bf["customers"].sum() == 23570  # every customer of the log (SOURCES.md)
    h = comparison.histogram
    assert list(h.index) == list(bf.index) and list(h.columns) == ["actual", "bgnbd", "mbgnbd", "pnbd"]
    # The expected histogram sums to the customers (Σₙ P(X(Tᵢ) = n) = 1 for each customer).
    np.testing.assert_allclose(h.sum(), 23570, rtol=1e-9)

    p = comparison.predictions
    assert p.index.name == "customer_id" and len(p) == 23570
    # The customer ids as written in the log (first-seen order), not integers.
    assert list(p.index[:3]) == ["00001", "00002", "00003"]
    assert set(p.index) == set(log.customer_ids)
    for column in ["frequency", "recency", "T", "monetary_value", "frequency_holdout",
                   "monetary_value_holdout", "duration_holdout", "baseline_holdout_purchases",
                   "gg_expected_spend", "bgnbd_holdout_purchases", "bgnbd_p_alive",
                   "pnbd_holdout_purchases", "pnbd_p_alive"]:
        assert column in p.columns and p[column].dtype == np.float64, column

    m = comparison.p_alive_matrix()
    assert m.attrs["model"] == comparison.best and m.shape == (25, 25)
    assert m.index.name == "frequency" and m.columns.name == "recency"
    assert ((m >= 0) & (m <= 1)).all().all()
    e = comparison.expected_matrix("bgnbd")
    assert e.shape == (25, 25) and (e.to_numpy() >= 0).all()
    with pytest.raises(ValueError, match="'nope' is not in the comparison"):
        comparison.p_alive_matrix("nope")
    with pytest.raises(ValueError, match="has no matrices"):
        comparison.p_alive_matrix("gg")

    assert set(comparison.models) == {"gg", "bgnbd", "mbgnbd", "pnbd", "bgcnbd", "mbgcnbd", "ggomnbd"}
    assert isinstance(comparison.models["bgnbd"], ltv.BetaGeo)
    assert any("BG/BB skipped" in n for n in comparison.notes)
    assert f"best: {comparison.best}" in repr(comparison) and "<table" in comparison._repr_html_()


def test_summary_and_dataframe_inputs(comparison, log, frame):
    # A DataFrame gives the same comparison as the log read from the file.
    from_frame = ltv.compare_models(frame, CALIBRATION_END, OBSERVATION_END,
                                    monetary_value_col="dollar_value", models=["bgnbd", "gg"],
                                    time_unit="week")
    cols = ["holdout_predicted", "mae", "rmse", "correlation", "spearman", "log_likelihood"]
    pd.testing.assert_frame_equal(from_frame.table.loc[["bgnbd", "gg"], cols],
                                  comparison.table.loc[["bgnbd", "gg"], cols])
    assert list(from_frame.table.index) == ["baseline", "gg", "bgnbd"]
    # A Summary with a holdout split: the same fits, no tracking curves (the notes say so).
    summary = log.summarize(observation_end=OBSERVATION_END, calibration_end=CALIBRATION_END,
                            time_unit="week")
    # (gg included: with amounts the ranking metrics order customers by ŷ · E[spend].)
    from_summary = ltv.compare_models(summary, models="bgnbd,pnbd,gg", baseline=False)
    assert list(from_summary.table.index) == ["gg", "bgnbd", "pnbd"]
    pd.testing.assert_frame_equal(from_summary.table.loc[:, cols],
                                  comparison.table.loc[["gg", "bgnbd", "pnbd"], cols])
    assert from_summary.tracking.empty and from_summary.notes
    with pytest.raises(ValueError, match="no tracking curves"):
        ltv.plot_cumulative_transactions(from_summary)
    with pytest.raises(ValueError, match="'calibration_end' cannot be given with a Summary"):
        ltv.compare_models(summary, CALIBRATION_END)


# ---- plots ---------------------------------------------------------------------------------------

def test_every_plot_runs_headless(comparison, frame):
    ax = ltv.plot_period_transactions(comparison)
    assert len(ax.containers) == 2 and len(ax.patches) == 2 * 8  # actual + best, 8 bins
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    ax = ltv.plot_period_transactions(comparison, model=["bgnbd", "pnbd"])
    assert len(ax.containers) == 3

    ax = ltv.plot_calibration_purchases_vs_holdout_purchases(comparison, model="bgnbd")
    assert len(ax.lines) == 2 and "39 weeks" in ax.get_ylabel()
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), comparison.by_frequency["bgnbd"])

    for plot in (ltv.plot_frequency_recency_matrix, ltv.plot_probability_alive_matrix):
        ax = plot(comparison, model="bgnbd")
        assert len(ax.images) == 1 and len(ax.figure.axes) == 2  # the heatmap and its colorbar
        assert ax.images[0].get_array().shape == (25, 25)
        assert "weeks" in ax.get_xlabel()

    for plot in (ltv.plot_cumulative_transactions, ltv.plot_incremental_transactions):
        ax = plot(comparison)
        assert len(ax.lines) == 1 + 6 + 1  # actual, six models, the calibration end
        assert ax.lines[-1].get_label() == "calibration end"
        ax = plot(comparison, models="bgnbd")
        assert len(ax.lines) == 3

    # One customer's P(alive) history, with the comparison's BG/NBD (fitted in weeks).
    one = frame[frame["customer_id"] == "00005"]
    model = comparison.models["bgnbd"]
    fig, ax = plt.subplots()
    # 545 days from the first purchase (1997-01-01) reach the observation end 1998-06-30.
    assert ltv.plot_history_alive(model, 545, one, "date", ax=ax) is ax
    days = sorted(set(one["date"]))
    assert days[0] == pd.Timestamp("1997-01-01") and days[-1] <= pd.Timestamp(OBSERVATION_END)
    assert len(ax.lines) == 1 + len(days)  # P(alive) and one line per purchase day
    # At the calibration end the curve equals the summary's P(alive) for this customer.
    curve = ax.lines[0]
    x = np.asarray(curve.get_xdata()).astype("datetime64[D]")
    at = int(np.flatnonzero(x == np.datetime64(CALIBRATION_END))[0])
    assert curve.get_ydata()[at] == pytest.approx(
        comparison.predictions.loc["00005", "bgnbd_p_alive"], rel=1e-12)


# ---- the report ----------------------------------------------------------------------------------

def test_to_html_writes_a_self_contained_page(comparison, tmp_path):
    path = tmp_path / "comparison.html"
    assert comparison.to_html(path, title="CDNOW") == path
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text.lower()
    assert "CDNOW" in text


# ---- bad input -----------------------------------------------------------------------------------

def test_bad_input_names_the_problem(log, frame):
    with pytest.raises(ValueError, match="'calibration_end' = 1998-09-30 is after 'observation_end'"):
        ltv.compare_models(log, "1998-09-30", OBSERVATION_END)
    with pytest.raises(ValueError, match="'calibration_end' is required"):
        ltv.compare_models(log)
    with pytest.raises(ValueError, match="unknown model 'foo'"):
        ltv.compare_models(log, CALIBRATION_END, models="bgnbd,foo")
    with pytest.raises(ValueError, match="'datetime_col' = 'when'"):
        ltv.compare_models(frame, CALIBRATION_END, datetime_col="when")
    with pytest.raises(TypeError, match="'data'"):
        ltv.compare_models([1, 2, 3], CALIBRATION_END)
    with pytest.raises(TypeError, match="'models'"):
        ltv.compare_models(log, CALIBRATION_END, models=3)
    with pytest.raises(ValueError, match="'matrix_size' = 1"):
        ltv.compare_models(log, CALIBRATION_END, matrix_size=1)
    with pytest.raises(ValueError, match="'tracking_period'"):
        ltv.compare_models(log, CALIBRATION_END, tracking_period=2.5)
    # The library's own checks surface as the binding's exceptions: BG/BB is known but does
    # not apply to a summary of dates.
    with pytest.raises(ltv.InvalidArgumentError, match="bgbb"):
        ltv.compare_models(log, CALIBRATION_END, models="bgbb")


def test_a_log_without_amounts(frame):
    c = ltv.compare_models(frame, CALIBRATION_END, OBSERVATION_END, models="bgnbd",
                           tracking_period="month")
    assert c.data["amounts"] is False
    assert list(c.table.index) == ["baseline", "bgnbd"]
    assert any("no amounts" in n for n in c.notes)
    assert not [col for col in c.predictions.columns if "spend" in col or "monetary" in col]
    assert c.table[["spend_mae", "spend_rmse"]].isna().all().all()
    assert c.tracking_period_days == 30


def test_import_ltv_does_not_import_matplotlib_or_pandas():
    # matplotlib and pandas are imported inside the functions that need them.
    code = ("import sys, ltv; ltv.compare_models; ltv.plot_history_alive; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib'; "
            "assert 'pandas' not in sys.modules, 'pandas'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            text=True, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
