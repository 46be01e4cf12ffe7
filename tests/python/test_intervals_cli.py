# SPDX-License-Identifier: Apache-2.0
"""`ltv predict --intervals` (docs/intervals.md): <column>_lower/_upper after each predicted
column in CSV and JSON, the bounds equal the Python/C ones for the same model file, the seed
decides the bootstrap, and bad options fail naming the option."""

import io
import json
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

import ltv

CLI = os.environ.get("LTV_CLI", "")
DATA = os.path.join(os.path.dirname(__file__), "..", "data")
SUMMARY = os.path.join(DATA, "cdnow_customers_summary_with_transactions.csv")
pytestmark = pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    bg, gg = d / "bg.json", d / "gg.json"
    assert run("fit", "--model", "bgnbd", SUMMARY, "-o", str(bg)).returncode == 0
    assert run("fit", "--model", "gg", SUMMARY, "-o", str(gg)).returncode == 0
    return bg, gg


def test_csv_columns_and_bounds(models):
    bg, gg = models
    result = run("predict", "--model", str(bg), "--spend-model", str(gg), SUMMARY, "--horizon",
                 "39", "--intervals", "0.9")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    columns = ["expected_purchases", "p_alive", "expected_spend", "clv"]
    assert list(table.columns) == ["customer_id"] + [
        f"{c}{s}" for c in columns for s in ("", "_lower", "_upper")]
    for c in columns:
        assert (table[f"{c}_lower"] <= table[c]).all() and (table[c] <= table[f"{c}_upper"]).all()
    assert (table.p_alive_upper <= 1).all()
    # the same intervals as Python on the same model file (CSV keeps 17 significant digits)
    model = ltv.load_model(str(bg))
    data = pd.read_csv(SUMMARY)
    py = model.predict("expected_purchases", data.x, data.t_x, data["T"], t=39, interval=0.9)
    np.testing.assert_allclose(table.expected_purchases_lower, py.lower, rtol=1e-12)
    np.testing.assert_allclose(table.expected_purchases_upper, py.upper, rtol=1e-12)


def test_json_and_bootstrap_seed(models):
    bg, _ = models
    def records(*extra):
        result = run("predict", "--model", str(bg), SUMMARY, "--horizon", "10", "--json",
                     "--intervals", "0.8", "--interval-method", "bootstrap", "--replicates",
                     "50", *extra)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)
    a, b, c = records("--seed", "5"), records("--seed", "5"), records("--seed", "6")
    assert a == b and a != c
    first = a[1]
    assert list(first) == ["customer_id", "expected_purchases", "expected_purchases_lower",
                           "expected_purchases_upper", "p_alive", "p_alive_lower",
                           "p_alive_upper"]
    assert first["expected_purchases_lower"] <= first["expected_purchases"]
    assert first["expected_purchases"] <= first["expected_purchases_upper"]


def test_without_intervals_nothing_changes(models):
    bg, _ = models
    result = run("predict", "--model", str(bg), SUMMARY, "--horizon", "39")
    assert result.stdout.splitlines()[0] == "customer_id,expected_purchases,p_alive"


def test_bad_options_name_the_option(models, tmp_path):
    bg, _ = models
    result = run("predict", "--model", str(bg), SUMMARY, "--horizon", "39", "--intervals", "1.5")
    assert result.returncode != 0 and "--intervals" in result.stderr and "1.5" in result.stderr
    result = run("predict", "--model", str(bg), SUMMARY, "--horizon", "39", "--intervals", "0.9",
                 "--interval-method", "bootstrap", "--replicates", "1")
    assert result.returncode != 0 and "--replicates" in result.stderr
    result = run("predict", "--model", str(bg), SUMMARY, "--horizon", "39", "--intervals", "0.9",
                 "--interval-method", "jackknife")
    assert result.returncode != 0 and "interval-method" in result.stderr
    # a model file without a fit (parameters only): no covariance, no interval
    by_hand = json.loads(bg.read_text())
    del by_hand["fit"]
    path = tmp_path / "by_hand.json"
    path.write_text(json.dumps(by_hand))
    result = run("predict", "--model", str(path), SUMMARY, "--horizon", "39", "--intervals", "0.9")
    assert result.returncode != 0 and "covariance" in result.stderr
