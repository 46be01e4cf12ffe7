# SPDX-License-Identifier: Apache-2.0
"""The model capabilities and curves of issue 12 through the binding: the conditional purchase
PMF, P(alive) ahead, simulation, the alive path and the expected cumulative transactions.

Oracles (mpmath, computed here): Pareto/NBD's conditional PMF from Fader & Hardie (2006)'s
eq. (16) as lifetimes' ``ParetoNBDFitter.conditional_probability_of_n_purchases_up_to_time``
implements it (an independent formula: ltv reuses P(X(t) = n) at updated parameters), and from a
double integral over the posterior of (λ, μ) (the model's definition); BG/BB's P(alive at n + m)
from lifetimes' ``BetaGeoBetaBinomFitter.conditional_probability_alive`` formula with scipy's
betaln; unconditional P(alive at T) of a new customer in closed form (scipy's hyp2f1) for the
simulations. Parameters: the CDNOW Pareto/NBD fit as issue 12 states it (r = 0.5533,
α = 10.578, s = 0.6062, β = 11.667), FHS 2010's printed BG/BB donations fit, the CDNOW BG/NBD
and MBG/NBD fits of tests/oracle/bg_family.py."""

import inspect

import mpmath as mp
import numpy as np
import pytest
from scipy.special import betaln, hyp2f1

import ltv

PNBD = dict(r=0.5533, alpha=10.578, s=0.6062, beta=11.667)
BG = dict(r=0.242594, alpha=4.41359, a=0.792919, b=2.425895)
MBG = dict(r=0.524838, alpha=6.182992, a=0.891356, b=1.613999)
BGBB = dict(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)


# ---- oracles --------------------------------------------------------------------------------

def pnbd_likelihood(x, t_x, T):
    r, a, s, b = (mp.mpf(PNBD[k]) for k in ("r", "alpha", "s", "beta"))
    x, t_x, T = mp.mpf(x), mp.mpf(t_x), mp.mpf(T)
    tail = mp.quad(lambda u: (a + u) ** -(r + x) * (b + u) ** -(s + 1), [t_x, T]) if T > t_x else 0
    return mp.gamma(r + x) / mp.gamma(r) * a ** r * b ** s * (
        (a + T) ** -(r + x) * (b + T) ** -s + s * tail)


def pnbd_eq16(n, t, x, t_x, T):
    """Fader & Hardie (2006) eq. (16), as lifetimes writes it (here at 30 digits)."""
    r, a, s, b = (mp.mpf(PNBD[k]) for k in ("r", "alpha", "s", "beta"))
    x, t_x, T, t = mp.mpf(x), mp.mpf(t_x), mp.mpf(T), mp.mpf(t)
    lo, hi, p = (a, b, r + x + n) if a < b else (b, a, s + 1)
    L = pnbd_likelihood(x, t_x, T)
    p0 = mp.gamma(r + x) * a ** r * b ** s / (mp.gamma(r) * (a + T) ** (r + x) * (b + T) ** s * L)
    b1 = mp.gamma(r + x + n) * a ** r * b ** s / (
        mp.gamma(r) * (a + T + t) ** (r + x + n) * (b + T + t) ** s)

    def b3(i, tt):
        return (a ** r * b ** s * mp.gamma(r + s + x + i) * mp.beta(r + x + n, s + 1)
                * mp.hyp2f1(r + s + x + i, p, r + s + x + n + 1, (hi - lo) / (hi + T + tt))
                / (mp.gamma(r) * mp.gamma(s) * (hi + T + tt) ** (r + s + x + i)))

    zero = (1 - p0) if n == 0 else 0
    return (zero + t ** n / mp.factorial(n) * b1 / L + b3(0, 0) / L
            - sum(t ** i / mp.factorial(i) * b3(i, t) for i in range(n + 1)) / L)


def pnbd_double_integral(n, t, x, t_x, T):
    """E over the posterior of (λ, μ) of P(n purchases in (T, T + t] | λ, μ, history)."""
    r, a, s, b = (mp.mpf(PNBD[k]) for k in ("r", "alpha", "s", "beta"))

    def prior(lam, mu):
        return lam ** (r - 1) * mp.exp(-lam * a) * mu ** (s - 1) * mp.exp(-mu * b)

    def likelihood(lam, mu):
        k = lam + mu
        return lam ** x * (mp.exp(-k * T) + mu / k * (mp.exp(-k * t_x) - mp.exp(-k * T)))

    def future(lam, mu):
        k = lam + mu
        alive = lam ** x * mp.exp(-k * T)
        # alive through t: Poisson(λt) at n; dead at τ < t: ∫ μ e^−kτ (λτ)ⁿ/n! dτ
        through = mp.exp(-k * t) * (lam * t) ** n / mp.factorial(n)
        died = mu * lam ** n / k ** (n + 1) * mp.gammainc(n + 1, 0, k * t, regularized=True)
        v = alive * (through + died)
        return v + (likelihood(lam, mu) - alive if n == 0 else 0)

    grid = [0, 0.05, 0.5, mp.inf]
    return (mp.quad(lambda u, v: prior(u, v) * future(u, v), grid, grid)
            / mp.quad(lambda u, v: prior(u, v) * likelihood(u, v), grid, grid))


@np.vectorize
def bgbb_alive_at(m, x, t_x, n):
    """lifetimes' BetaGeoBetaBinomFitter.conditional_probability_alive(m, x, t_x, n)."""
    al, be, ga, de = (BGBB[k] for k in ("alpha", "beta", "gamma", "delta"))
    terms = [betaln(al + x, be + n - x) - betaln(al, be) + betaln(ga, de + n) - betaln(ga, de)]
    terms += [betaln(al + x, be + t_x - x + i) - betaln(al, be) + betaln(ga + 1, de + t_x + i)
              - betaln(ga, de) for i in range(int(n - t_x))]
    log_l = np.logaddexp.reduce(terms)
    return np.exp(betaln(al + x, be + n - x) - betaln(al, be) + betaln(ga, de + n + m)
                  - betaln(ga, de) - log_l)


# ---- conditional purchase PMF ----------------------------------------------------------------

@pytest.mark.parametrize("x,t_x,T,n,t", [
    (2, 30.43, 38.86, 0, 39), (2, 30.43, 38.86, 1, 39), (0, 0, 38.86, 1, 52),
    (7, 29.43, 38.86, 3, 10), (26, 30.86, 31.0, 5, 52)])
def test_pnbd_conditional_pmf_against_eq16(x, t_x, T, n, t):
    mp.mp.dps = 30
    m = ltv.ParetoNBD(params=PNBD)
    got = m.conditional_probability_of_purchases(x, t_x, T, n=n, t=t)
    # 1e-10: P(X(t) = n) is a quadrature to 1e-10 relative (docs/accuracy.md)
    assert got == pytest.approx(float(pnbd_eq16(n, t, x, t_x, T)), rel=1e-10)


def test_pnbd_conditional_pmf_against_the_model_definition():
    mp.mp.dps = 15
    m = ltv.ParetoNBD(params=PNBD)
    got = m.conditional_probability_of_purchases(2, 30.43, 38.86, n=1, t=39)
    # the 2-D quadrature is good to ~1e-11 here
    assert got == pytest.approx(float(pnbd_double_integral(1, 39, 2, 30.43, 38.86)), rel=1e-9)


@pytest.mark.parametrize("cls,params,T", [
    (ltv.ParetoNBD, PNBD, 38.86), (ltv.BetaGeo, BG, 38.86), (ltv.ModifiedBetaGeo, MBG, 38.86),
    (ltv.BetaGeoBetaBinom, BGBB, 6)])
def test_conditional_pmf_sums_to_one_and_its_mean_is_the_expectation(cls, params, T):
    m = cls(params=params)
    x = np.array([0, 2, 5, 0])
    t_x = np.array([0, 4, 5, 0])
    ages = np.array([T, T, T, 0])
    t = 10
    p = np.array([m.conditional_probability_of_purchases(x, t_x, ages, n=n, t=t)
                  for n in range(300)])
    assert p.min() >= 0
    assert p.sum(axis=0) == pytest.approx(np.ones(4), rel=1e-10)
    mean = (np.arange(300)[:, None] * p).sum(axis=0)
    assert mean == pytest.approx(m.expected_purchases(t, x, t_x, ages), rel=1e-9)
    # t = 0: nothing happens
    assert m.conditional_probability_of_purchases(2, 4, T, n=0, t=0) == 1.0
    assert m.conditional_probability_of_purchases(2, 4, T, n=1, t=0) == 0.0


def test_conditional_pmf_arguments():
    m = ltv.ParetoNBD(params=PNBD)
    assert list(inspect.signature(ltv.ParetoNBD.conditional_probability_of_purchases)
                .parameters)[1:] == ["frequency", "recency", "T", "n", "t", "invalid"]
    with pytest.raises(TypeError):
        m.conditional_probability_of_purchases(2, 30.43, 38.86, 1, 39)  # n, t are keyword-only
    with pytest.raises(ltv.InvalidArgumentError, match=r"argument 'n' = 1.5 must be a whole"):
        m.conditional_probability_of_purchases(2, 30.43, 38.86, n=1.5, t=39)
    with pytest.raises(ltv.InvalidArgumentError, match=r"argument 'n' = -1 must not be negative"):
        m.conditional_probability_of_purchases(2, 30.43, 38.86, n=-1, t=39)
    with pytest.raises(ltv.InvalidArgumentError, match=r"argument 't' = nan"):
        m.conditional_probability_of_purchases(2, 30.43, 38.86, n=1, t=float("nan"))
    with pytest.raises(ltv.InvalidArgumentError, match=r"T\[1\]"):
        m.conditional_probability_of_purchases([1, 1], [1, 1], [2, -2], n=1, t=3)
    with pytest.raises(ltv.NotFittedError):
        ltv.ParetoNBD().conditional_probability_of_purchases(2, 30.43, 38.86, n=1, t=39)
    b = ltv.BetaGeoBetaBinom(params=BGBB)
    assert b.conditional_probability_of_purchases(frequency=2, recency=4, n_periods=6, n=1, t=5) \
        == b.conditional_probability_of_purchases(2, 4, 6, n=1, t=5)
    with pytest.raises(ltv.InvalidArgumentError, match="whole number of periods"):
        b.conditional_probability_of_purchases(2, 4, 6, n=1, t=2.5)
    assert not ltv.GammaGamma.supports("conditional_purchase_pmf")
    assert not hasattr(ltv.ShiftedBetaGeo, "conditional_probability_of_purchases")


# ---- P(alive) ahead ----------------------------------------------------------------------------

def test_bgbb_p_alive_ahead_is_lifetimes_m():
    b = ltv.BetaGeoBetaBinom(params=BGBB)
    x, t_x, n = np.array([0, 2, 6, 3]), np.array([0, 4, 6, 5]), np.array([6, 6, 6, 6])
    for m in (0, 1, 2, 10, 100):
        assert b.p_alive(x, t_x, n, ahead=m) == pytest.approx(bgbb_alive_at(m, x, t_x, n),
                                                               rel=1e-12)
    # the default is FHS eq. 11, P(alive at n + 1): lifetimes' m = 1, bit for bit
    assert np.array_equal(b.p_alive(x, t_x, n), b.p_alive(x, t_x, n, ahead=1))
    assert np.all(b.p_alive(x, t_x, n, ahead=0) > b.p_alive(x, t_x, n))
    assert b.p_alive(frequency=2, recency=4, n_periods=6, ahead=3) == b.p_alive(2, 4, 6, ahead=3)
    with pytest.raises(ltv.InvalidArgumentError,
                       match="'periods_ahead' = 0.5 must be a whole number of periods"):
        b.p_alive(2, 4, 6, ahead=0.5)


def test_pnbd_p_alive_ahead():
    m = ltv.ParetoNBD(params=PNBD)
    x, t_x, T = np.array([0, 2, 26]), np.array([0, 30.43, 30.86]), np.array([38.86, 38.86, 31])
    assert np.array_equal(m.p_alive(x, t_x, T, ahead=0), m.p_alive(x, t_x, T))
    # given alive at T, μ ~ Gamma(s, β + T): P(alive at T + u) = P(alive) ((β+T)/(β+T+u))^s
    u = 52
    expected = m.p_alive(x, t_x, T) * ((PNBD["beta"] + T) / (PNBD["beta"] + T + u)) ** PNBD["s"]
    assert m.p_alive(x, t_x, T, ahead=u) == pytest.approx(expected, rel=1e-13)
    with pytest.raises(ltv.InvalidArgumentError, match="'periods_ahead' = -1"):
        m.p_alive(x, t_x, T, ahead=-1)


def test_ahead_on_a_model_without_the_capability():
    m = ltv.BetaGeo(params=BG)
    assert not m.supports("p_alive_ahead")
    assert m.p_alive(2, 30.43, 38.86, ahead=0) == m.p_alive(2, 30.43, 38.86)
    with pytest.raises(ltv.InvalidArgumentError,
                       match=r"needs the capability 'p_alive_ahead', which the BG/NBD model "
                             r"\(BetaGeo\) does not have"):
        m.p_alive(2, 30.43, 38.86, ahead=1)


# ---- simulation ----------------------------------------------------------------------------------

def _alive_share(cls, params, T):
    """P(alive at T) of a new customer, in closed form."""
    if cls is ltv.ParetoNBD:
        return (params["beta"] / (params["beta"] + T)) ** params["s"]
    if cls is ltv.BetaGeo:  # E[e^−λpT]
        return hyp2f1(params["r"], params["a"], params["a"] + params["b"], -T / params["alpha"])
    if cls is ltv.ModifiedBetaGeo:  # E[(1 − p) e^−λpT]
        a, b = params["a"], params["b"]
        return b / (a + b) * hyp2f1(params["r"], a, a + b + 1, -T / params["alpha"])
    return np.exp(betaln(params["gamma"], params["delta"] + T)
                  - betaln(params["gamma"], params["delta"]))


@pytest.mark.parametrize("cls,params,T", [
    (ltv.ParetoNBD, PNBD, 38.86), (ltv.BetaGeo, BG, 38.86), (ltv.ModifiedBetaGeo, MBG, 38.86),
    (ltv.BetaGeoBetaBinom, BGBB, 6)])
def test_simulated_moments(cls, params, T):
    m = cls(params=params)
    n = 200_000
    sim = m.simulate(T, seed=42, size=n)
    assert set(sim) == {"frequency", "recency", m._age_name, "alive"}
    assert sim["alive"].dtype == bool and len(sim["frequency"]) == n
    assert np.all(sim[m._age_name] == T)
    assert np.all((sim["frequency"] == 0) == (sim["recency"] == 0))
    assert np.all(sim["recency"] <= T)
    se = sim["frequency"].std() / np.sqrt(n)
    assert abs(sim["frequency"].mean() - m.expected_purchases_new_customer(T)) <= 4 * se
    p = _alive_share(cls, params, T)
    assert abs(sim["alive"].mean() - p) <= 4 * np.sqrt(p * (1 - p) / n)
    if m.supports("p_alive_ahead"):  # the same, as the model's P(alive) ahead of (0, 0, 0)
        assert m.p_alive(0, 0, 0, ahead=T) == pytest.approx(p, rel=1e-12)


def test_simulation_is_reproducible():
    ages = np.arange(50_000) % 80.0
    one = ltv.ParetoNBD(params=PNBD, threads=1).simulate(ages, seed=7)
    two = ltv.ParetoNBD(params=PNBD, threads=2).simulate(ages, seed=7)
    for key in ("frequency", "recency", "alive"):
        assert np.array_equal(one[key], two[key]), key
    other = ltv.ParetoNBD(params=PNBD).simulate(ages, seed=8)
    assert not np.array_equal(one["recency"], other["recency"])
    # customer i does not depend on the others
    head = ltv.ParetoNBD(params=PNBD).simulate(ages[:10], seed=7)
    assert np.array_equal(head["recency"], one["recency"][:10])
    assert ltv.ParetoNBD(params=PNBD).simulate(5.0, seed=2**64 - 1)["frequency"].shape == (1,)


def test_simulate_arguments():
    m = ltv.BetaGeoBetaBinom(params=BGBB)
    assert list(inspect.signature(ltv.BetaGeoBetaBinom.simulate).parameters)[1:] == [
        "n_periods", "seed", "size"]
    sim = m.simulate(n_periods=[1, 2, 6], seed=3)
    assert list(sim["n_periods"]) == [1, 2, 6]
    assert np.all(sim["recency"] == np.floor(sim["recency"]))
    assert np.all(sim["frequency"] <= sim["recency"])
    with pytest.raises(ltv.InvalidArgumentError, match="whole number of periods"):
        m.simulate(2.5, seed=1)
    with pytest.raises(ltv.InvalidArgumentError, match="one age when 'size' is given"):
        m.simulate([1, 2], seed=1, size=3)
    with pytest.raises(ltv.InvalidArgumentError, match="'size' = 1.5"):
        m.simulate(1, seed=1, size=1.5)
    with pytest.raises(ltv.InvalidArgumentError, match="'seed'"):
        m.simulate(1, seed=-1)
    with pytest.raises(ltv.InvalidArgumentError, match="'seed'"):
        m.simulate(1, seed=1.5)
    with pytest.raises(TypeError):
        m.simulate(1, 3)  # seed is keyword-only
    with pytest.raises(ltv.InvalidArgumentError, match=r"'T\[1\]' = -1"):
        ltv.BetaGeo(params=BG).simulate([1, -1], seed=1)
    with pytest.raises(ltv.NotFittedError):
        ltv.BetaGeo().simulate(1, seed=1)
    assert not hasattr(ltv.GammaGamma, "simulate")


# ---- curves over time ----------------------------------------------------------------------------

def test_alive_path_is_p_alive_of_the_history_so_far():
    m = ltv.BetaGeo(params=BG)
    times = [0, 3, 3, 10.5]  # two purchases at 3 count twice
    at = np.array([0, 1, 3, 5, 10.5, 40])
    x = np.array([0, 0, 2, 2, 3, 3])
    t_x = np.array([0, 0, 3, 3, 10.5, 10.5])
    assert np.array_equal(m.alive_path(times, at), m.p_alive(x, t_x, at))
    assert m.alive_path(times, 5) == m.p_alive(2, 3, 5)
    b = ltv.BetaGeoBetaBinom(params=BGBB)
    assert np.array_equal(b.alive_path([0, 2, 5], [1, 2, 6]), b.p_alive([0, 1, 2], [0, 2, 5],
                                                                         [1, 2, 6]))
    with pytest.raises(ltv.InvalidArgumentError, match=r"'purchase_times\[0\]' = 1 must be 0"):
        m.alive_path([1, 2], at)
    with pytest.raises(ltv.InvalidArgumentError, match=r"'purchase_times\[2\]' = 1 is before"):
        m.alive_path([0, 2, 1], at)
    with pytest.raises(ltv.InvalidArgumentError, match=r"'at\[1\]' = -1"):
        m.alive_path([0, 2], [1, -1])


def test_expected_cumulative_transactions_is_the_direct_sum():
    m = ltv.ParetoNBD(params=PNBD)
    first = np.array([0, 2.5, 0, 7, 10])
    weights = np.array([1, 2, 3, 0.5, 4])
    at = np.array([0, 1, 2.5, 3, 7, 20, 52])
    got = m.expected_cumulative_transactions(first, at, weights=weights)
    direct = [sum(w * m.expected_purchases_new_customer(t - b)
                  for b, w in zip(first, weights) if b < t) for t in at]
    assert got == pytest.approx(direct, rel=1e-14, abs=0)
    unweighted = m.expected_cumulative_transactions(first, at)
    assert unweighted[-1] == pytest.approx(
        sum(m.expected_purchases_new_customer(52 - b) for b in first), rel=1e-14)
    assert m.expected_cumulative_transactions(first, 52, weights) == got[-1]
    with pytest.raises(ltv.InvalidArgumentError, match="'weights' has 2 elements"):
        m.expected_cumulative_transactions(first, at, weights=[1, 2])
    with pytest.raises(ltv.InvalidArgumentError, match=r"'first_purchase\[1\]' = nan"):
        m.expected_cumulative_transactions([0, np.nan], at)
    assert not hasattr(ltv.GammaGamma, "expected_cumulative_transactions")
