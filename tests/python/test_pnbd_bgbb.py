# SPDX-License-Identifier: Apache-2.0
"""Pareto/NBD and BG/BB through the binding. Reference values (issue #5; tests/data/references/
pnbd.json and bgbb.json, each with its source and tolerance): Pareto/NBD on CDNOW — Fader,
Hardie & Lee (2005) "RFM and CLV" / lifetimes ParetoNBDFitter (fit, SEs, P(alive), E[Y(52)]);
BG/BB on the donations data — Fader, Hardie & Shang (2010) and their spreadsheet (fit, P(alive)
of three donor patterns, Σ E[next 5 periods])."""

from pathlib import Path

import numpy as np
import pytest

import ltv
import references as refs

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def cdnow():
    return np.genfromtxt(DATA / "cdnow_customers_summary.csv", delimiter=",", names=True)


@pytest.fixture(scope="module")
def donations():
    return np.genfromtxt(DATA / "donations.csv", delimiter=",", names=True)


def test_pareto_nbd_on_cdnow(cdnow):
    m = ltv.ParetoNBD().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    fit = refs.fit("pnbd", "cdnow")
    for name, value in fit["params"].items():
        assert m.params[name] == refs.approx(value), name
    assert m.log_likelihood == refs.approx(fit["log_likelihood"])
    for name in m.params:
        assert m.standard_errors[name] == refs.approx(fit["standard_errors"][name]), name
    p = ltv.ParetoNBD(params=refs.params("pnbd", "fit:cdnow"))
    alive = refs.prediction("pnbd", "p_alive_x26")
    assert p.p_alive(alive["frequency"], alive["recency"], alive["T"]) == refs.approx(alive)
    e = refs.prediction("pnbd", "conditional_purchases_x26")
    assert p.expected_purchases(e["t"], e["frequency"], e["recency"], e["T"]) == refs.approx(e)
    dert = p.discounted_expected_residual_transactions(0.001, [0, 26], [0, 30.86], [38, 31])
    assert np.all(np.isfinite(dert)) and dert[1] > dert[0] > 0


def test_bgbb_on_donations(donations):
    d = donations
    m = ltv.BetaGeoBetaBinom().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
    fit = refs.fit("bgbb", "donations")
    for name, value in fit["params"].items():
        assert m.params[name] == refs.approx(value), name
    assert m.log_likelihood == refs.approx(fit["log_likelihood"])
    assert m.fit_report["total_weight"] == fit["total_weight"]
    for name in ("p_alive_6_6_6", "p_alive_2_4_6", "p_alive_0_0_6"):
        p = refs.prediction("bgbb", name)
        assert m.p_alive(p["frequency"], p["recency"], p["T"]) == refs.approx(p), name
    p = refs.prediction("bgbb", "expected_transactions_2002_2006")
    future = m.expected_purchases(p["t"], d["frequency"], d["recency"], d["periods"])
    assert float(np.sum(future * d["weights"])) == refs.approx(p)
    dert = m.discounted_expected_residual_transactions(0.1, d["frequency"], d["recency"], d["periods"])
    assert np.all(dert > 0)


def test_clv_works_with_pareto_nbd(cdnow):
    m = ltv.ParetoNBD(params=refs.params("pnbd", "fit:cdnow"))
    gg = ltv.GammaGamma(params=refs.params("gg", "lifetimes"))
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
