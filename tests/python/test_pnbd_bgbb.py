# SPDX-License-Identifier: Apache-2.0
"""Pareto/NBD and BG/BB through the binding. Reference values (issue #5): Pareto/NBD on CDNOW
— Fader, Hardie & Lee (2005) "RFM and CLV" / lifetimes ParetoNBDFitter (r = 0.55328,
α = 10.5776, s = 0.60621, β = 11.6679, LL = −9594.974); BG/BB on the donations data — Fader,
Hardie & Shang (2010) and their spreadsheet (α = 1.20352, β = 0.749716, γ = 0.656718,
δ = 2.78344, LL = −33 225.581; P(alive) 0.93 / 0.59 / 0.11; Σ E[next 5 periods] = 12 884.1)."""

from pathlib import Path

import numpy as np
import pytest

import ltv

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def cdnow():
    return np.genfromtxt(DATA / "cdnow_customers_summary.csv", delimiter=",", names=True)


@pytest.fixture(scope="module")
def donations():
    return np.genfromtxt(DATA / "donations.csv", delimiter=",", names=True)


def test_pareto_nbd_on_cdnow(cdnow):
    m = ltv.ParetoNBD().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    expected = {"r": 0.55328, "alpha": 10.5776, "s": 0.60621, "beta": 11.6679}
    for name, value in expected.items():
        assert m.params[name] == pytest.approx(value, rel=1e-4), name
    assert m.log_likelihood == pytest.approx(-9594.974, abs=1e-3)
    for name, value in {"r": 0.0476, "alpha": 0.843, "s": 0.187, "beta": 6.21}.items():
        assert m.standard_errors[name] == pytest.approx(value, rel=0.05), name
    p = ltv.ParetoNBD(params=expected)
    assert p.p_alive(26, 30.86, 31) == pytest.approx(0.9979, abs=1e-4)
    assert p.expected_purchases(52, 26, 30.86, 31) == pytest.approx(25.46, abs=5e-3)
    dert = p.discounted_expected_residual_transactions(0.001, [0, 26], [0, 30.86], [38, 31])
    assert np.all(np.isfinite(dert)) and dert[1] > dert[0] > 0


def test_bgbb_on_donations(donations):
    d = donations
    m = ltv.BetaGeoBetaBinom().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
    expected = {"alpha": 1.20352, "beta": 0.749716, "gamma": 0.656718, "delta": 2.78344}
    for name, value in expected.items():
        assert m.params[name] == pytest.approx(value, rel=1e-4), name
    assert m.log_likelihood == pytest.approx(-33225.581, abs=1e-3)
    assert m.fit_report["total_weight"] == 11104
    assert m.p_alive(6, 6, 6) == pytest.approx(0.93, abs=5e-3)
    assert m.p_alive(2, 4, 6) == pytest.approx(0.59, abs=5e-3)
    assert m.p_alive(0, 0, 6) == pytest.approx(0.11, abs=5e-3)
    future = m.expected_purchases(5, d["frequency"], d["recency"], d["periods"])
    assert float(np.sum(future * d["weights"])) == pytest.approx(12884.1, abs=0.1)
    dert = m.discounted_expected_residual_transactions(0.1, d["frequency"], d["recency"], d["periods"])
    assert np.all(dert > 0)


def test_clv_works_with_pareto_nbd(cdnow):
    m = ltv.ParetoNBD(params={"r": 0.55328, "alpha": 10.5776, "s": 0.60621, "beta": 11.6679})
    gg = ltv.GammaGamma(params={"p": 6.2488, "q": 3.7446, "gamma": 15.4477})
    clv = ltv.customer_lifetime_value(m, gg, [2, 0], [30.43, 0], [38.86, 38.86], [20, 0],
                                      periods=12, period_length=4.345)
    assert clv.shape == (2,) and np.all(clv > 0)


def test_errors():
    with pytest.raises(ValueError, match="must not exceed"):
        ltv.BetaGeoBetaBinom().fit([5], [4], [6])
    m = ltv.BetaGeo(params={"r": 1, "alpha": 1, "a": 1, "b": 1})
    with pytest.raises(ValueError, match="DERT is not available for the BG/NBD model"):
        from ltv._library import call

        call("ltv_model_dert", m._handle, 0.1, None, None, None, 0, None)
