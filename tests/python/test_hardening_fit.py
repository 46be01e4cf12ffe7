# SPDX-License-Identifier: Apache-2.0
"""Bounded fits through the binding (issue 8, D3/D4): ``time_limit``, ``cancel`` (a Python
callable behind a ctypes callback; an exception in it cancels and comes back as the cause),
divergence detection, and the sBG valuation fixed for large beta. The CLI's ``--time-limit``."""

import json
import os
import subprocess
import time

import numpy as np
import pytest

import ltv

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


def _pareto_rows(n, seed, mu=0.05, t_min=30.0, t_max=40.0):
    """Pareto/NBD process with lambda ~ Gamma(2, rate 2); mu = 0: nobody drops out."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(2.0, 0.5, n)
    T = rng.uniform(t_min, t_max, n)
    end = np.minimum(T, rng.exponential(1 / mu, n)) if mu > 0 else T
    x = rng.poisson(lam * end).astype(float)
    # the last of x uniform points in (0, end]: end * U^(1/x)
    tx = np.where(x > 0, end * rng.uniform(size=n) ** (1 / np.maximum(x, 1)), 0.0)
    return x, tx, T


def test_cancel_at_third_call_raises_cancelled():
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) >= 3

    x, tx, T = _pareto_rows(500, 1)
    for model in (ltv.BetaGeo(), ltv.ModifiedBetaGeo(), ltv.ParetoNBD()):
        calls.clear()
        with pytest.raises(ltv.CancelledError) as info:
            model.fit(x, tx, T, cancel=cancel)
        assert len(calls) == 3
        assert "best point so far" in str(info.value)
        assert isinstance(info.value, ltv.LtvError)
        assert info.value.status == -10
    calls.clear()
    with pytest.raises(ltv.CancelledError):
        ltv.ShiftedBetaGeo().fit(REGULAR, cancel=cancel, allow_no_convergence=True)
    calls.clear()
    with pytest.raises(ltv.CancelledError):
        ltv.GammaGamma().fit([1, 2, 3, 4], [10, 20.5, 15, 31], cancel=cancel)


def test_exception_in_cancel_cancels_and_is_the_cause():
    def broken():
        raise ZeroDivisionError("boom")

    with pytest.raises(ltv.CancelledError) as info:
        ltv.ShiftedBetaGeo().fit(REGULAR, cancel=broken)
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    # the model is usable afterwards, and a callback that never cancels changes nothing
    polls = []
    m = ltv.ShiftedBetaGeo().fit(REGULAR, cancel=lambda: polls.append(1) and False)
    assert m.fit_report["converged"] is True
    assert len(polls) == m.fit_report["function_evaluations"]
    assert m.params == ltv.ShiftedBetaGeo().fit(REGULAR).params
    with pytest.raises(ltv.InvalidArgumentError):
        ltv.ShiftedBetaGeo().fit(REGULAR, cancel=42)


def test_time_limit_stops_a_large_fit():
    x, tx, T = _pareto_rows(200_000, 2)
    t0 = time.perf_counter()
    with pytest.raises(ltv.NoConvergenceError) as info:
        ltv.ParetoNBD().fit(x, tx, T, time_limit=0.001)
    assert time.perf_counter() - t0 < 2.0
    assert "time limit" in str(info.value)
    assert "best point so far: r = " in str(info.value)
    m = ltv.ParetoNBD().fit(x, tx, T, time_limit=0.001, allow_no_convergence=True)
    report = m.fit_report
    assert report["converged"] is False
    assert "time limit" in report["message"]
    assert all(np.isfinite(v) and v > 0 for v in m.params.values())
    with pytest.raises(ltv.InvalidArgumentError, match="time_limit"):
        ltv.BetaGeo().fit(x[:100], tx[:100], T[:100], time_limit=-1)


def test_never_dropping_customers_fail_fast_naming_beta():
    x, tx, T = _pareto_rows(2000, 3, mu=0, t_min=50, t_max=100)
    t0 = time.perf_counter()
    with pytest.raises(ltv.NoConvergenceError, match="'beta'") as info:
        ltv.ParetoNBD().fit(x, tx, T)
    assert time.perf_counter() - t0 < 1.0
    assert "do not identify" in str(info.value)


def test_sbg_del_large_beta():
    # D3: alpha = 1, beta = 1000, d = 0.1 (tests/reference/sbg_valuation.py: 50-digit sum)
    m = ltv.ShiftedBetaGeo(params={"alpha": 1, "beta": 1000})
    assert m.discounted_expected_lifetime(0.1) == pytest.approx(10.8922401908211648028, rel=1e-13)


def test_cli_time_limit(tmp_path):
    cli = os.environ["LTV_CLI"]
    x, tx, T = _pareto_rows(200_000, 4)
    path = tmp_path / "summary.csv"
    np.savetxt(path, np.column_stack([x, tx, T]), delimiter=",", header="frequency,recency,T",
               comments="", fmt="%.10g")
    run = subprocess.run([cli, "fit", "--model", "pnbd", str(path), "--time-limit", "0.001"],
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "time limit" in run.stderr
    run = subprocess.run([cli, "fit", "--model", "pnbd", str(path), "--time-limit", "0.001",
                          "--allow-no-convergence", "--json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["converged"] is False
    assert "time limit" in out["message"]
    run = subprocess.run([cli, "fit", "--model", "sbg", "--survivors",
                          ",".join(map(str, REGULAR)), "--time-limit", "-1"],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "time_limit" in run.stderr
