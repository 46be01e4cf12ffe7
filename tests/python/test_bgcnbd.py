# SPDX-License-Identifier: Apache-2.0
"""BG/CNBD-k and MBG/CNBD-k through Python (docs/bgcnbd.md): the k search with a summary's litt,
the k = 1 identity with BG/NBD, errors naming k and litt, and the Wheat regularity estimate."""

import numpy as np
import pytest

import ltv
import references as refs


def _simulated(k, n=3000, seed=3):
    """BG/CNBD-k customers (BTYDplus's test parameters r = 0.85, alpha = 1.45, a = 0.79,
    b = 2.42) with their litt."""
    rng = np.random.default_rng(seed)
    x, tx, T, litt = [], [], [], []
    for _ in range(n):
        lam = rng.gamma(0.85, 1 / 1.45)
        p = rng.beta(0.79, 2.42)
        age = 12.0 * rng.integers(3, 9)
        t = last = s = 0.0
        count = 0
        while True:
            t += rng.gamma(k, 1 / lam)
            if t > age:
                break
            count += 1
            s += np.log(t - last)
            last = t
            if rng.random() < p:
                break
        x.append(count)
        tx.append(last)
        T.append(age)
        litt.append(s)
    return np.array(x, float), np.array(tx), np.array(T), np.array(litt)


def test_k_search_needs_litt_and_recovers_k():
    x, tx, T, litt = _simulated(3)
    with pytest.raises(ltv.InvalidArgumentError, match="'litt'"):
        ltv.BetaGeoCNBD().fit(x, tx, T)
    m = ltv.BetaGeoCNBD().fit(x, tx, T, litt=litt)
    assert m.option("k") == 3  # the search's choice, stored as the option
    fixed = ltv.BetaGeoCNBD().set_option("k", 3).fit(x, tx, T)  # a fixed k needs no litt
    for name in ("r", "alpha", "a", "b"):
        assert fixed.params[name] == pytest.approx(m.params[name], rel=1e-6)


def test_k_one_is_bgnbd():
    d = refs.dataset("bgnbd", "cdnow")
    b = ltv.BetaGeo().fit(d["frequency"], d["recency"], d["T"])
    c = ltv.BetaGeoCNBD().set_option("k", 1).fit(d["frequency"], d["recency"], d["T"])
    for name in ("r", "alpha", "a", "b"):
        # both converge to the gradient tolerance: 1e-5 relative
        assert c.params[name] == pytest.approx(b.params[name], rel=1e-5)
    e_b = b.expected_purchases(39, d["frequency"], d["recency"], d["T"])
    e_c = c.expected_purchases(39, d["frequency"], d["recency"], d["T"])
    assert np.allclose(e_c, e_b, rtol=1e-4)


def test_bad_k_and_litt_are_named():
    with pytest.raises(ltv.InvalidArgumentError, match="'k'"):
        ltv.ModifiedBetaGeoCNBD().set_option("k", 1.5)
    x, tx, T, litt = _simulated(2, n=200)
    litt[np.argmax(x > 0)] = np.nan
    with pytest.raises(ltv.InvalidArgumentError, match=r"'litt\[\d+\]'"):
        ltv.ModifiedBetaGeoCNBD().fit(x, tx, T, litt=litt)


def test_summary_litt_column_and_fit_from_summary():
    ids = ["a", "a", "a", "a", "b"]
    dates = ["2020-01-01", "2020-01-01", "2020-01-02", "2020-01-09", "2020-01-05"]
    s = ltv.summarize(ids, dates, [1, 2, 3, 4, 5], observation_end="2020-03-01", time_unit="day")
    # a: occasions Jan 1 (two purchases, one occasion), 2, 9 → gaps 1 and 7 days
    assert s.litt[0] == pytest.approx(np.log(1) + np.log(7), abs=1e-14)
    assert s.litt[1] == 0
    assert "litt" in s.to_pandas().columns


def test_regularity_wheat():
    rng = np.random.default_rng(1)
    rate = rng.gamma(2, 1, 20000)
    t1 = rng.gamma(4, 1 / rate)
    t2 = rng.gamma(4, 1 / rate)
    assert ltv.regularity_wheat(t1, t2) == pytest.approx(4, rel=0.08)
    with pytest.raises(ltv.InvalidArgumentError, match=r"'prev_itt\[0\]'"):
        ltv.regularity_wheat([0.0], [1.0])
