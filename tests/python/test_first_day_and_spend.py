# SPDX-License-Identifier: Apache-2.0
"""Issue 10 from Python and the CLI: customers with T = 0 (first purchase on the last day
observed) in the transaction models, messages that say 'T', and Gamma-Gamma's policy for a mean
spend <= 0 (docs/gamma-gamma.md)."""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import ltv

ROOT = Path(__file__).resolve().parents[2]
MASTER = ROOT / "examples" / "data" / "CDNOW_master.txt"
MASTER_READ = dict(delimiter="whitespace", customer="customer_id", date="date",
                   amount="dollar_value")
CLI = os.environ.get("LTV_CLI", "")

# The oracles' parameters (tests/oracle/bg_family.py FIT, pareto_nbd.py BASE) and their 50-digit
# E[X(39)] (= E[Y(39) | 0, 0, 0]; tests/cpp/test_first_day_customers.cpp lists the rest).
BG = (0.242594, 4.41359, 0.792919, 2.425895)
BG_EX39 = 1.1950100988878853361
PNBD = (0.5534, 10.5802, 0.6061, 11.6689)
PNBD_EX39 = 1.2135269704477886722


@pytest.fixture(scope="module")
def early_cdnow():
    """ltv's own summary of the full CDNOW log up to 1997-02-15 (weeks): 278 of its 12 406
    customers made their first purchase that day (T = 0), the first of them at row 264."""
    return ltv.summarize_file(MASTER, observation_end="1997-02-15", time_unit="week",
                              **MASTER_READ)


def test_issue_report_betageo_fits_ltv_summary_with_first_day_customers(early_cdnow):
    s = early_cdnow
    x, tx, T = np.asarray(s.frequency), np.asarray(s.recency), np.asarray(s.T)
    first_day = T == 0
    assert len(s) == 12406 and first_day.sum() == 278 and T[264] == 0
    assert (x[first_day] == 0).all() and (tx[first_day] == 0).all()
    # Was: "bgnbd_fit: argument 'age[264]' = 0 must be greater than 0".
    m = ltv.BetaGeo().fit(x, tx, T)
    assert m.fit_report["converged"]
    assert m.fit_report["total_weight"] == 12406
    # Their log-likelihood is 0 for any parameters, so the estimate is that of the others.
    rest = ltv.BetaGeo().fit(x[~first_day], tx[~first_day], T[~first_day])
    for name, value in rest.params.items():
        assert m.params[name] == pytest.approx(value, rel=1e-5)
    assert m.log_likelihood == pytest.approx(rest.log_likelihood, rel=1e-10)
    # Predictions at T = 0: P(alive) = 1, E[Y(t)] = E[X(t)] (a customer just acquired).
    assert (m.p_alive(x, tx, T)[first_day] == 1.0).all()
    assert (m.individual_log_likelihood(x, tx, T)[first_day] == 0.0).all()
    np.testing.assert_allclose(m.expected_purchases(39, x, tx, T)[first_day],
                               m.expected_purchases_new_customer(39), rtol=1e-13)
    mbg = ltv.ModifiedBetaGeo().fit(x, tx, T)
    p = mbg.params
    np.testing.assert_allclose(mbg.p_alive(x, tx, T)[first_day], p["b"] / (p["a"] + p["b"]),
                               rtol=1e-13)


def test_first_day_values_against_the_oracle():
    # tests/oracle at T = 0 (50 digits): BG/NBD and Pareto/NBD, batch and scalar.
    bg = ltv.BetaGeo(params=BG)
    assert bg.expected_purchases(39, 0, 0, 0) == pytest.approx(BG_EX39, rel=1e-13)
    assert bg.p_alive(0, 0, 0) == 1.0 and bg.individual_log_likelihood(0, 0, 0) == 0.0
    pn = ltv.ParetoNBD(params=PNBD)
    f, r, T = np.array([0.0, 2, 0]), np.array([0.0, 10, 0]), np.array([0.0, 30, 0])
    assert pn.p_alive(f, r, T)[[0, 2]].tolist() == [1.0, 1.0]
    assert pn.individual_log_likelihood(f, r, T)[[0, 2]].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(pn.expected_purchases(39, f, r, T)[[0, 2]], PNBD_EX39, rtol=1e-13)
    assert pn.discounted_expected_residual_transactions(0.1, 0, 0, 0) == pytest.approx(
        0.38780906061826753226, rel=1e-13)
    # BG/BB: n = 0 opportunities, P(alive at 1) = delta/(gamma+delta).
    bb = ltv.BetaGeoBetaBinom(params=(1.204, 0.750, 0.657, 2.783))
    assert bb.p_alive(0, 0, 0) == pytest.approx(2.783 / (0.657 + 2.783), rel=1e-13)
    assert bb.expected_purchases(5, 0, 0, 0) == pytest.approx(bb.expected_purchases_new_customer(5),
                                                              rel=1e-13)


def test_messages_say_T():
    m = ltv.BetaGeo(params=BG)
    with pytest.raises(ValueError, match=r"bgnbd_fit: argument 'T\[1\]' = -1 must not be negative"):
        ltv.BetaGeo().fit([0, 0, 1], [0, 0, 1], [3, -1, 2])
    with pytest.raises(ValueError, match=r"'frequency\[0\]' = 2 must be 0 when 'T\[0\]' = 0"):
        m.p_alive([2], [0], [0])
    with pytest.raises(ValueError, match=r"'recency\[0\]' = 1 must not exceed 'T\[0\]' = 0"):
        m.p_alive(2, 1, 0)
    with pytest.raises(ValueError) as error:  # never the C++ field name `age`
        ltv.ParetoNBD().fit([0, 0], [0, 0], [0, -2])
    assert "'T[1]' = -2" in str(error.value) and "age" not in str(error.value)
    with pytest.raises(ValueError, match="every row with positive weight has 'T' = 0"):
        ltv.BetaGeo().fit([0, 0], [0, 0], [0, 0])


def test_gamma_gamma_zero_and_negative_spend_are_excluded_and_counted():
    # CDNOW's summary (946 repeat buyers; lifetimes: p = 6.24880, q = 3.74459, gamma = 15.4477)
    # with a free order (row 1) and a refund (the last row) added.
    table = np.genfromtxt(ROOT / "tests" / "data" / "cdnow_customers_summary_with_transactions.csv",
                          delimiter=",", names=True)
    x = np.insert(table["x"], 1, 2.0).tolist() + [5.0]
    z = np.insert(table["zbar"], 1, 0.0).tolist() + [-3.0]
    g = ltv.GammaGamma().fit(x, z)
    report = g.fit_report
    assert report["rows_excluded"] == 2 and report["rows_used"] == 946
    assert report["message"].endswith(
        "; 2 rows with frequency > 0 and monetary <= 0 excluded from the fit "
        "(the first: row 1, monetary = 0)")
    assert g.params["p"] == pytest.approx(6.24880, rel=2e-6)
    clean = ltv.GammaGamma().fit(table["x"], table["zbar"])
    assert g.params == clean.params and clean.fit_report["rows_excluded"] == 0
    # Predictions: a mean of 0 is legitimate (p*gamma/(p*x + q - 1)); a negative one an error.
    p = g.params
    assert g.expected_spend(2, 0.0) == pytest.approx(p["p"] * p["gamma"] / (2 * p["p"] + p["q"] - 1),
                                                     rel=1e-15)
    with pytest.raises(ValueError, match=r"'monetary\[1\]' = -3 must not be negative"):
        g.expected_spend([1, 5], [10, -3])
    # The model file keeps the count.
    assert json.loads(g.to_json())["fit"]["rows_excluded"] == 2
    assert ltv.model_from_json(g.to_json()).fit_report["rows_excluded"] == 2


@pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")
def test_cli_fit_gg_on_ltv_summary_of_cdnow(tmp_path):
    # Was: `ltv fit --model gg` failed on customer 10244 ($15.96, then $0.00: mean repeat spend
    # 0) while `ltv demo` dropped that customer silently. Now both fit and report the count.
    summary = tmp_path / "s.csv"
    run = lambda *a: subprocess.run([CLI, *a], capture_output=True, text=True)  # noqa: E731
    result = run("summarize", str(MASTER), "--amount", "dollar_value", "-o", str(summary))
    assert result.returncode == 0, result.stderr
    result = run("fit", "--model", "gg", str(summary), "--json", "-o", str(tmp_path / "gg.json"))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["converged"] is True and out["rows_excluded"] >= 1
    assert "excluded from the fit" in out["message"]
    saved = json.loads((tmp_path / "gg.json").read_text())
    assert saved["fit"]["rows_excluded"] == out["rows_excluded"]
    text = run("fit", "--model", "gg", str(summary)).stdout
    assert "rows excluded (frequency > 0, monetary <= 0)" in text
    # Predictions for those customers: the formula at a mean of 0, no error.
    bg = tmp_path / "bg.json"
    assert run("fit", "--model", "bgnbd", str(summary), "-o", str(bg)).returncode == 0
    result = run("predict", "--model", str(bg), "--spend-model", str(tmp_path / "gg.json"),
                 str(summary), "--horizon", "52", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    ids = [r["customer_id"] for r in rows]
    row = rows[ids.index("10244")]
    assert row["expected_spend"] > 0 and row["clv"] >= 0
    demo = json.loads(run("demo", "--json", "--no-report").stdout)
    assert demo["gamma_gamma"]["rows_excluded"] >= 1


def test_strict_spend_makes_non_positive_spend_an_error():
    # The same policy switch through C (ltv_fit_options.strict_spend) and Python.
    with pytest.raises(ltv.InvalidArgumentError, match=r"monetary\[1\]' = 0"):
        ltv.GammaGamma().fit([2, 3, 1, 4], [10.0, 0.0, 12.0, 9.0], strict_spend=True)
    g = ltv.GammaGamma().fit([2, 3, 1, 4, 2, 5], [10.0, 0.0, 12.0, 9.0, 11.0, 8.5],
                             allow_no_convergence=True)
    assert g.fit_report["rows_excluded"] == 1
