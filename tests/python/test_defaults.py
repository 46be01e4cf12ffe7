# SPDX-License-Identifier: Apache-2.0
"""Defaults are defined once (C++) and every layer uses them: the default time unit, seen from
C (ltv_summary_options_init), the CLI (ltv summarize / ltv compare without --time-unit) and
Python (summarize, SummaryState, TransactionLog.summarize, compare_models). The C++ side is
checked in tests/cpp/test_registry.cpp against the same tests/data/defaults.json; the CLV
defaults in test_registry.py."""

import ctypes
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import ltv
from ltv._library import SummaryOptions, call

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = json.loads((ROOT / "tests" / "data" / "defaults.json").read_text())
CLI = os.environ.get("LTV_CLI", "")
LOG = "customer_id,date\na,2020-01-01\na,2020-01-15\nb,2020-01-08\n"


def test_c_default_time_unit():
    options = SummaryOptions()
    call("ltv_summary_options_init", ctypes.byref(options), ctypes.sizeof(options))
    assert options.time_unit_days == DEFAULTS["time_unit_days"]


def test_python_default_time_unit_everywhere(tmp_path):
    days = DEFAULTS["time_unit_days"]
    assert ltv.transactions.default_time_unit() == days
    ids, dates = ["a", "a", "b"], ["2020-01-01", "2020-01-15", "2020-01-08"]
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    summaries = [ltv.summarize(ids, dates), ltv.SummaryState().add(ids, dates).result(),
                 ltv.TransactionLog(ids, dates).summarize(), ltv.summarize_file(path)]
    for s in summaries:
        assert s.time_unit == DEFAULTS["time_unit"] and s.time_unit_days == days
        assert s.T[0] == 14 / days
    comparison = ltv.compare_models(ltv.TransactionLog(ids * 3, dates * 3), "2020-01-10",
                                    "2020-01-15", models="bgnbd")
    assert comparison.data["time_unit"] == DEFAULTS["time_unit"]


@pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")
def test_cli_default_time_unit(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    out = subprocess.run([CLI, "summarize", str(path), "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    rows = rows["customers"] if isinstance(rows, dict) else rows
    assert rows[0]["T"] == 14 / DEFAULTS["time_unit_days"]


# -- the prediction-interval defaults (ltv::interval_options in ltv/intervals.hpp, 0.2.6) ------

def test_c_interval_defaults():
    from ltv._library import PredictionOptions
    options = PredictionOptions()
    call("ltv_prediction_options_init", ctypes.byref(options), ctypes.sizeof(options))
    assert options.interval_level == 0  # no interval unless a level is given
    assert options.interval_method == {"delta": 1, "bootstrap": 2}[DEFAULTS["interval_method"]]
    assert options.replicates == DEFAULTS["interval_replicates"]
    assert options.seed == DEFAULTS["interval_seed"]


def test_python_interval_defaults():
    assert ltv.interval_defaults() == {"method": DEFAULTS["interval_method"],
                                       "replicates": DEFAULTS["interval_replicates"],
                                       "seed": DEFAULTS["interval_seed"]}
    cdnow = np.loadtxt(ROOT / "tests" / "data" / "cdnow_customers_summary.csv", delimiter=",",
                       skiprows=1)
    m = ltv.BetaGeo().fit(cdnow[:, 1], cdnow[:, 2], cdnow[:, 3])
    args = ([1, 2], [5, 10], [40, 40])
    implicit = m.predict("p_alive", *args, interval=0.9)
    explicit = m.predict("p_alive", *args, interval=0.9, method=DEFAULTS["interval_method"])
    assert implicit.equals(explicit)
    implicit = m.predict("p_alive", *args, interval=0.9, method="bootstrap")
    explicit = m.predict("p_alive", *args, interval=0.9, method="bootstrap",
                         replicates=DEFAULTS["interval_replicates"], seed=DEFAULTS["interval_seed"])
    assert implicit.equals(explicit)


@pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")
def test_cli_interval_defaults(tmp_path):
    summary = ROOT / "tests" / "data" / "cdnow_customers_summary.csv"
    model = tmp_path / "m.json"
    fit = subprocess.run([CLI, "fit", "--model", "bgnbd", str(summary), "-o", str(model)],
                         capture_output=True, text=True)
    assert fit.returncode == 0, fit.stderr

    def run(*extra):
        out = subprocess.run([CLI, "predict", "--model", str(model), str(summary), "--horizon",
                              "10", "--intervals", "0.9", *extra], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert run() == run("--interval-method", DEFAULTS["interval_method"])
    assert run("--interval-method", "bootstrap") == run(
        "--interval-method", "bootstrap", "--replicates", str(DEFAULTS["interval_replicates"]),
        "--seed", str(DEFAULTS["interval_seed"]))
    help_text = subprocess.run([CLI, "predict", "--help"], capture_output=True, text=True).stdout
    assert str(DEFAULTS["interval_replicates"]) in help_text
