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
