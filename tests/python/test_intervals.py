# SPDX-License-Identifier: Apache-2.0
"""Prediction intervals from Python (Model.predict, customer_lifetime_value(interval=...);
docs/intervals.md): delta method and bootstrap agree on CDNOW, bounds contain the point, the
seed and not the thread count decides the bootstrap, every registered model with a fit gets
intervals for each of its per-customer predictions, and bad arguments raise naming them."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ltv

import references as refs

ROOT = Path(__file__).resolve().parents[2]
CDNOW = pd.read_csv(ROOT / "tests" / "data" / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def bgnbd():
    return ltv.BetaGeo().fit(CDNOW.x, CDNOW.t_x, CDNOW["T"])


@pytest.fixture(scope="module")
def gg():
    repeat = CDNOW[CDNOW.x > 0]
    return ltv.GammaGamma().fit(repeat.x, repeat.zbar)


def _args():
    return CDNOW.x, CDNOW.t_x, CDNOW["T"]


@pytest.mark.parametrize("quantity,t", [("p_alive", None), ("expected_purchases", 39)])
def test_delta_and_bootstrap_agree_on_cdnow(bgnbd, quantity, t):
    delta = bgnbd.predict(quantity, *_args(), t=t, interval=0.9)
    boot = bgnbd.predict(quantity, *_args(), t=t, interval=0.9, method="bootstrap",
                         replicates=2000, seed=3)
    assert list(delta.columns) == ["value", "lower", "upper"]
    assert (delta.index == CDNOW.index).all()
    np.testing.assert_array_equal(delta.value, boot.value)
    width = delta.upper - delta.lower
    informative = width > 1e-6  # BG/NBD's x = 0 customers: P(alive) = 1 for every parameter
    # R = 2000: each percentile's Monte-Carlo error is ≈ 0.05 SD ≈ 3 % of the 90 % width; the
    # prediction's curvature in the log-parameters over ±1.6 SE adds a skew of a few %. A wrong
    # level, scale or variance moves the bounds by ≥ 25 % of the width.
    for bound in ("lower", "upper"):
        gap = (boot[bound] - delta[bound]).abs()[informative] / width[informative]
        assert gap.max() < 0.15, (bound, gap.max())
    ratio = (boot.upper - boot.lower)[informative] / width[informative]
    assert 0.9 < ratio.median() < 1.1


def test_bounds_contain_the_point_and_are_valid(bgnbd, gg):
    for q in ("p_alive", "expected_purchases"):
        for method in ("delta", "bootstrap"):
            r = bgnbd.predict(q, *_args(), t=10, discount_rate=0.01, interval=0.8, method=method)
            assert np.isfinite(r.to_numpy()).all()
            assert (r.lower <= r.value).all() and (r.value <= r.upper).all()
            assert (r.lower >= 0).all()
            if q == "p_alive":
                assert (r.upper <= 1).all()
    clv = ltv.customer_lifetime_value(bgnbd, gg, *_args(), CDNOW.zbar, periods=12,
                                      period_length=4.345, discount_rate=0.01, interval=0.9,
                                      method="bootstrap", replicates=100)
    point = ltv.customer_lifetime_value(bgnbd, gg, *_args(), CDNOW.zbar, periods=12,
                                        period_length=4.345, discount_rate=0.01)
    np.testing.assert_allclose(clv.value, point, rtol=1e-15)
    assert (clv.lower <= clv.value).all() and (clv.value <= clv.upper).all()
    spend = gg.predict("expected_spend", CDNOW.x, monetary_value=CDNOW.zbar, interval=0.9)
    assert (spend.lower <= spend.value).all() and (spend.value <= spend.upper).all()
    assert ((spend.upper - spend.lower) > 0).all()


def test_seed_not_threads_decides(bgnbd):
    # (2357 rows are one block; tests/cpp/test_intervals.cpp checks 60000 rows over blocks)
    from ltv._library import call
    results = []
    for threads in (1, 2, 4):
        call("ltv_model_set_threads", bgnbd._handle, threads)
        results.append(bgnbd.predict("expected_purchases", *_args(), t=20, interval=0.9,
                                     method="bootstrap", replicates=60, seed=11))
    call("ltv_model_set_threads", bgnbd._handle, 0)
    for r in results[1:]:
        assert r.equals(results[0])
    other = bgnbd.predict("expected_purchases", *_args(), t=20, interval=0.9, method="bootstrap",
                          replicates=60, seed=12)
    assert not other.lower.equals(results[0].lower)


def test_scalar_and_numpy_inputs(bgnbd):
    one = bgnbd.predict("p_alive", 2, 30.43, 38.86, interval=0.9)
    assert set(one) == {"value", "lower", "upper"}
    assert one["lower"] < one["value"] < one["upper"]
    plain = bgnbd.predict("p_alive", np.array([2.0]), np.array([30.43]), np.array([38.86]))
    assert isinstance(plain, np.ndarray) and plain[0] == one["value"]


def test_every_registered_model_gets_intervals():
    """Fits each registered model with an RFM or spend fit on CDNOW (BG/BB on its donations
    data) and asks for both interval methods of each per-customer prediction it has."""
    donations = pd.read_csv(ROOT / "tests" / "data" / "donations.csv")
    checked = 0
    for name, cls in ltv.MODEL_CLASSES.items():
        caps = cls.capabilities
        if "fit_spend" in caps:
            repeat = CDNOW[CDNOW.x > 0]
            m = cls().fit(repeat.x, repeat.zbar)
            cases = [("expected_spend", dict(monetary_value=repeat.zbar), (repeat.x,))]
        elif "fit_rfm" in caps:
            if "n_periods" == cls._age_name:
                x, tx, n, w = (donations[c] for c in ("frequency", "recency", "periods",
                                                      "weights"))
                m = cls().fit(x, tx, n, weights=w)
                data = (x, tx, n)
            else:
                m = refs.configured(cls).fit(*_args())
                data = _args()
            cases = [(q, dict(t=5, discount_rate=0.05), data)
                     for q, cap in (("p_alive", "p_alive"),
                                    ("expected_purchases", "conditional_purchases"),
                                    ("dert", "dert"), ("log_likelihood", "log_likelihood"))
                     if cap in caps]
        else:
            continue  # survivor-curve models (sBG): no per-customer predictions
        for quantity, kw, data in cases:
            for method in ("delta", "bootstrap"):
                r = m.predict(quantity, *data, interval=0.9, method=method, replicates=50, **kw)
                assert np.isfinite(r.to_numpy()).all(), (name, quantity, method)
                assert (r.lower <= r.value).all() and (r.value <= r.upper).all(), (name, quantity)
                checked += 1
    assert checked >= 20


def test_errors_name_the_argument(bgnbd):
    by_hand = ltv.BetaGeo(params=bgnbd.params)
    with pytest.raises(ltv.NotFittedError, match="covariance"):
        by_hand.predict("p_alive", *_args(), interval=0.9)
    assert len(by_hand.predict("p_alive", *_args())) == len(CDNOW)
    with pytest.raises(ltv.InvalidArgumentError, match="interval_level"):
        bgnbd.predict("p_alive", *_args(), interval=1.2)
    with pytest.raises(ltv.InvalidArgumentError, match="method"):
        bgnbd.predict("p_alive", *_args(), interval=0.9, method="jackknife")
    with pytest.raises(ltv.InvalidArgumentError, match="replicates"):
        bgnbd.predict("p_alive", *_args(), interval=0.9, method="bootstrap", replicates=1)
    with pytest.raises(ltv.InvalidArgumentError, match="quantity"):
        bgnbd.predict("survival", *_args(), interval=0.9)
    with pytest.raises(ltv.InvalidArgumentError, match="'t'"):
        bgnbd.predict("expected_purchases", *_args(), interval=0.9)
