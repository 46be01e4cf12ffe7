# SPDX-License-Identifier: Apache-2.0
"""Pareto/NBD oracle (issue 9): every quantity of ``ltv.ParetoNBD`` from the papers' formulas
with mpmath at 50 digits, each checked against an independent second evaluation.

Model (Schmittlein, Morrison & Colombo 1987): while alive a customer buys as a Poisson process
with rate lambda ~ Gamma(r, alpha); the lifetime is exponential with rate mu ~ Gamma(s, beta).
Binding: ``ltv.ParetoNBD([r, alpha, s, beta])``; times in the data's unit; DERT's discount
``discount_rate`` is the continuous rate delta per unit of time.

The oracle's values ("the papers' formulas"):
  LL       Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and related
           expressions", eq. (22): the A0 expression with two 2F1 terms, branch alpha >= beta
           (2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t))) and alpha < beta
           (2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+t))).
  P(alive) idem, eq. (18): (alpha+T)^-(r+x) (beta+T)^-s Gamma(r+x) alpha^r beta^s / (Gamma(r) L).
  E[Y(t)]  idem, eq. (27) (the s = 1 limit: (beta+T) ln(1 + t/(beta+T))).
  E[X(t)]  idem, eq. (25) (Schmittlein et al. 1987, eq. 17).
  P(X(t)=n) Fader & Hardie (2006), "Deriving an expression for P(X(t) = x) under the
           Pareto/NBD model", eq. (16)-(18): the "alive at t" NB term plus
           alpha^r beta^s B(r+n, s+1)/B(r, s) [B1 - sum_{i<=n} (r+s)_i/i! t^i B2_i].
  DERT     Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
           analysis", JMR 42(4), eq. (2): alpha^r beta^s delta^(s-1) Gamma(r+x+1)
           Psi(s, s; delta(beta+T)) / (Gamma(r) (alpha+T)^(r+x+1) L), Psi = Tricomi's U.
The independent second evaluations ("check"): mpmath quadrature of the mixing integrals with
lambda integrated analytically (Gamma-Poisson) and mu's Gamma mixture integrated over the time of
death tau:
  L        = Gamma(r+x)/Gamma(r) alpha^r beta^s [ (alpha+T)^-(r+x) (beta+T)^-s
             + s int_{t_x}^T (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau ]
  P(alive) = its first term over the bracket
  E[Y(t)]  = P(alive) (r+x)/(alpha+T) int_0^t S(u) du,  S(u) = (1 + u/(beta+T))^-s, the
             posterior survival E[exp(-mu u) | alive], mu | alive ~ Gamma(s, beta+T)
  E[X(t)]  = r/alpha int_0^t (1 + u/beta)^-s du
  DERT     = P(alive) (r+x)/(alpha+T) int_0^inf exp(-delta u) S(u) du
  P(X=n)   = NB(n; r, alpha/(alpha+t)) (beta/(beta+t))^s
             + int_0^t NB(n; r, alpha/(alpha+tau)) s beta^s (beta+tau)^-(s+1) dtau
and, for a few points, the likelihood as the integral over the Gamma density of mu with lambda's
Gamma mixture done analytically (``mixing_mu``).

Parameters: the CDNOW fit r = 0.5534, alpha = 10.5802, s = 0.6061, beta = 11.6689 (Fader, Hardie
& Lee 2005 "RFM and CLV", table/appendix; lifetimes' ParetoNBDFitter on CDNOW: 0.5533, 10.5776,
0.6061, 11.6679), each at x1e-4 and x1e4 and all at once; the removable singularities
alpha = beta and s = 1, exactly and at +-1e-12, +-1e-9 relative; r = 1 (x = 0: 2F1's
c - a - b = 1 - r - x = 0 on the alpha < beta branch) and r = s + 1 (r + x = s + 1 at x = 0).

Also the formulas of tests/reference/pnbd_dert_large_s.py (issue 8, D4), which imports them.
"""

import functools
import itertools

import mpmath as mp
from mpmath.libmp import NoConvergence

try:  # run from tests/oracle (pytest, generate.py) or imported from tests/reference
    import common
except ImportError:  # pragma: no cover
    from . import common  # type: ignore

mp.mp.dps = 50
MODEL = "ParetoNBD"

# ---------------------------------------------------------------------------------------------
# Grid

#: CDNOW (weeks), Fader, Hardie & Lee (2005); lifetimes' fit agrees to 3-4 digits.
BASE = (0.5534, 10.5802, 0.6061, 11.6689)
NAMES = ("r", "alpha", "s", "beta")
XS = [0, 1, 2, 5, 10, 50, 100, 1000, 10000, 100000]
RATIOS = [0, 0.01, 0.5, 0.99, 1]
TS = [0.1, 1, 39, 520, 10000]
HORIZONS = [0.5, 1, 39, 520, 10000]
DISCOUNTS = [1e-4, 0.01, 0.1]
PMF_NS = [0, 1, 2, 5, 10, 50, 100]
PMF_NS_LARGE = [1000, 10000, 100000]
EPS = [-1e-9, -1e-12, 0.0, 1e-12, 1e-9]


def param_sets():
    """(label, params, realistic?) for every parameter set of the sweep."""
    out = [("cdnow", BASE, True)]
    for i, name in enumerate(NAMES):
        for f, tag in ((1e-4, "x1e-4"), (1e4, "x1e4")):
            p = list(BASE)
            p[i] *= f
            out.append((f"{name} {tag}", tuple(p), False))
    for f, tag in ((1e-4, "x1e-4"), (1e4, "x1e4")):
        out.append((f"all {tag}", tuple(v * f for v in BASE), False))
    r, a, s, b = BASE
    for e in EPS:  # alpha = beta (the 2F1's z = 0): beta = alpha (1 + e)
        out.append((f"alpha=beta{e:+g}" if e else "alpha=beta", (r, a, s, a * (1 + e)), True))
    for e in EPS:  # s = 1: the (s - 1) poles of E[Y], E[X], and Psi(1, 1; k)
        out.append((f"s=1{e:+g}" if e else "s=1", (r, a, 1 + e, b), True))
    out.append(("r=1", (1.0, a, s, b), True))  # c - a - b = 1 - r - x = 0 at x = 0
    out.append(("r=s+1", (s + 1, a, s, b), True))  # r + x = s + 1 at x = 0
    out.append(("alpha<->beta", (r, b, s, a), False))  # the alpha >= beta branch, moderate z
    return out


def customers():
    """(x, t_x, T) of the grid; x = 0 has t_x = 0 only."""
    out = []
    for x in XS:
        for T in TS:
            for q in ([0] if x == 0 else RATIOS):
                out.append((x, q * T, T))
    return out


def region(realistic_params, x=0, T=0, t=0):
    ok = realistic_params and x <= 100 and T <= 520 and t <= 520
    return "realistic" if ok else "extreme"


# ---------------------------------------------------------------------------------------------
# The papers' formulas

def _mpf(*v):
    return [mp.mpf(u) for u in v]


def log1p(u):
    """mpmath.log1p loses digits for |u| ~ 1e-300 (seen: 1e-11 relative); the series is exact."""
    u = mp.mpf(u)
    if abs(u) < mp.mpf(10) ** -30:
        return u - u * u / 2 + u ** 3 / 3
    return mp.log1p(u)


def log_norm(r, alpha, s, beta, x):
    """ln[Gamma(r+x) alpha^r beta^s / Gamma(r)]."""
    return mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha) + s * mp.log(beta)


def _series_1b(b, c, z):
    """2F1(1, b; c; z) = sum (b)_n/(c)_n z^n, 0 <= z < 1: positive terms, summed until they
    fall below 10^-(dps+5) of the sum (slow only for z very close to 1)."""
    total, term, n = mp.mpf(1), mp.mpf(1), 0
    eps = mp.mpf(10) ** -(mp.mp.dps + 5)
    while True:
        term *= (b + n) / (c + n) * z
        total += term
        n += 1
        rho = z * (b + n) / (c + n)
        if rho < 1 and term * rho / (1 - rho) < eps * total:
            return total


def hyp2f1(a, b, c, z):
    """mp.hyp2f1(a, b, c, z). Where mpmath does not converge (x ~ 1e5 and
    z ~ 0.97: its series' terms grow for ~ b z/(1 - z) steps before they decay; or its z -> 1 - z
    connection formula with huge parameters), Euler's transformation
    2F1(a, b; c; z) = (1 - z)^(c-a-b) 2F1(c-a, c-b; c; z) (DLMF 15.8.1), whose series (for the
    likelihood's c - a = 1) has positive terms that decay geometrically from the first."""
    try:
        return mp.hyp2f1(a, b, c, z)
    except (NoConvergence, ValueError):
        pass
    try:
        return (1 - z) ** (c - a - b) * mp.hyp2f1(c - a, c - b, c, z)
    except (NoConvergence, ValueError):
        if c - a != 1:
            raise
        return (1 - z) ** (c - a - b) * _series_1b(c - b, c, z)


def log_bracket_a0(r, alpha, s, beta, x, tx, T):
    """ln of [ (alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A0 ], FHL 2005 note eq. (22). A0 is a
    difference of two 2F1 terms (both positive, the first larger): 30 guard digits."""
    with mp.extradps(30):
        r, alpha, s, beta, x, tx, T = _mpf(r, alpha, s, beta, x, tx, T)
        R = r + s + x
        if alpha >= beta:
            b, m = s + 1, alpha
        else:
            b, m = r + x, beta
        d = abs(alpha - beta)

        def term(t):
            return hyp2f1(R, b, R + 1, d / (m + t)) / (m + t) ** R

        a0 = term(tx) - term(T) if tx != T else mp.mpf(0)
        first = (alpha + T) ** -(r + x) * (beta + T) ** -s
        return +mp.log(first + s / R * a0)


def log_likelihood(r, alpha, s, beta, x, tx, T):
    r, alpha, s, beta = _mpf(r, alpha, s, beta)
    return log_norm(r, alpha, s, beta, x) + log_bracket_a0(r, alpha, s, beta, x, tx, T)


def p_alive(r, alpha, s, beta, x, tx, T):
    """FHL 2005 note eq. (18)."""
    r, alpha, s, beta, x, tx, T = _mpf(r, alpha, s, beta, x, tx, T)
    lfirst = -(r + x) * mp.log(alpha + T) - s * mp.log(beta + T)
    return mp.exp(lfirst - log_bracket_a0(r, alpha, s, beta, x, tx, T))


def h(s, u):
    """(1 - (1+u)^(1-s))/(s-1), ln(1+u) at s = 1 (exact at every s: expm1)."""
    s, u = _mpf(s, u)
    L = log1p(u)
    if s == 1:
        return L
    return -mp.expm1(-(s - 1) * L) / (s - 1)


def expected_purchases(alive, r, alpha, s, beta, x, T, t):
    """E[Y(t) | x, t_x, T] = P(alive) (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]
    (FHL 2005 note eq. 27)."""
    r, alpha, s, beta, x, T, t = _mpf(r, alpha, s, beta, x, T, t)
    return alive * (r + x) / (alpha + T) * (beta + T) * h(s, t / (beta + T))


def expected_purchases_new(r, alpha, s, beta, t):
    """E[X(t)] = r beta/(alpha (s-1)) [1 - (beta/(beta+t))^(s-1)] (FHL 2005 note eq. 25)."""
    r, alpha, s, beta, t = _mpf(r, alpha, s, beta, t)
    return r / alpha * beta * h(s, t / beta)


def dert(alive_log_bracket, r, alpha, s, beta, x, T, delta):
    """FHL 2005 "RFM and CLV" eq. (2), with L = exp(log_norm + log bracket)."""
    r, alpha, s, beta, x, T, delta = _mpf(r, alpha, s, beta, x, T, delta)
    with mp.extradps(20):
        k = delta * (beta + T)
        # Psi(s, s; k) = e^k Gamma(1 - s, k) (DLMF 13.6.4); mp.hyperu fails to converge for
        # s ~ 6000, k ~ 1e4, mp.gammainc does not
        psi = mp.exp(k) * mp.gammainc(1 - s, k)
        logL = log_norm(r, alpha, s, beta, x) + alive_log_bracket
        v = mp.exp(r * mp.log(alpha) + s * mp.log(beta) + (s - 1) * mp.log(delta)
                   + mp.loggamma(r + x + 1) - mp.loggamma(r) - (r + x + 1) * mp.log(alpha + T)
                   - logL) * psi
    return +v


def pmf(r, alpha, s, beta, t, n, max_extra=4000):
    """P(X(t) = n), Fader & Hardie (2006) eq. (16)-(18). B1 - sum_{i<=n} cancels (the sum's
    terms approach B1): evaluated with guard digits sized from that cancellation, up to
    max_extra of them (None when more would be needed)."""
    n = int(n)
    r, alpha, s, beta, t = _mpf(r, alpha, s, beta, t)
    extra = 30
    while True:
        with mp.extradps(extra):
            alive = mp.exp(mp.loggamma(r + n) - mp.loggamma(r) - mp.loggamma(n + 1)
                           + r * mp.log(alpha / (alpha + t)) + n * mp.log(t / (alpha + t))
                           + s * mp.log(beta / (beta + t)))
            c = r + s + n + 1
            if alpha >= beta:
                b, m = s + 1, alpha
            else:
                b, m = r + n, beta
            d = abs(alpha - beta)
            B1 = hyp2f1(r + s, b, c, d / m) / m ** (r + s)
            total, coef, tpow = mp.mpf(0), mp.mpf(1), mp.mpf(1)
            biggest = B1
            for i in range(n + 1):
                if i:
                    coef *= (r + s + i - 1) / i
                    tpow *= t
                B2 = hyp2f1(r + s + i, b, c, d / (m + t)) / (m + t) ** (r + s + i)
                term = coef * tpow * B2
                biggest = max(biggest, term)
                total += term
            diff = B1 - total
            lost = (mp.log10(biggest) - mp.log10(abs(diff))) if diff else mp.inf
            if lost < extra - 10:
                lead = mp.exp(r * mp.log(alpha) + s * mp.log(beta) + mp.log(mp.beta(r + n, s + 1))
                              - mp.log(mp.beta(r, s)))
                return +(alive + lead * diff)
        if extra >= max_extra:
            return None
        extra = int(min(extra * 2 + (0 if lost == mp.inf else lost), max_extra))


# ---------------------------------------------------------------------------------------------
# Independent second evaluations (quadrature)

def _breaks(lo, hi, scale):
    """lo, lo + scale·10^k (k = 0, 1, ...), hi: breakpoints for an integrand that varies on the
    scale `scale` near lo and slowly further out (mp.quad's tanh-sinh needs them)."""
    pts = [lo]
    step = scale
    while lo + step < hi:
        pts.append(lo + step)
        step *= 10
    pts.append(hi)
    return pts


def _bracket_quad_parts(r, alpha, s, beta, x, tx, T):
    """The death-time form of the bracket, scaled by the common factor
    C = (alpha+t_x)^-(r+x) (beta+t_x)^-(s+1) so that the integrand is of order 1 (mp.quad's
    error test is absolute): returns (ln C, P(T)/C, s/C int_{t_x}^T ...). The ratios are formed
    with log1p, never as differences of s ln(beta + t) (s = 1e300 in issue 8's D4 points)."""
    r, alpha, s, beta, x, tx, T = _mpf(r, alpha, s, beta, x, tx, T)
    rx = r + x
    at, bt = alpha + tx, beta + tx

    def f(u):
        return mp.exp(-rx * log1p(u / at) - (s + 1) * log1p(u / bt))

    first = mp.exp(-rx * log1p((T - tx) / at) - s * log1p((T - tx) / bt)) * bt
    if T > tx:
        scale = min(at / rx, bt / (s + 1))
        integral = mp.quad(f, _breaks(mp.mpf(0), T - tx, scale))
    else:
        integral = mp.mpf(0)
    return -rx * mp.log(at) - (s + 1) * mp.log(bt), first, s * integral


def log_bracket_quad(r, alpha, s, beta, x, tx, T):
    """ln of the bracket of log_bracket_a0, from the death-time integral."""
    log_common, first, died = _bracket_quad_parts(r, alpha, s, beta, x, tx, T)
    return log_common + mp.log(first + died)


def alive_quad(r, alpha, s, beta, x, tx, T):
    """P(alive) = P(T) / bracket, from the death-time integral."""
    _, first, died = _bracket_quad_parts(r, alpha, s, beta, x, tx, T)
    return first / (first + died)


def survival_integral(s, B, t):
    """int_0^t (1 + u/B)^-s du (the Gamma(s, B) mixture of exp(-mu u), integrated)."""
    s, B, t = _mpf(s, B, t)
    f = lambda u: mp.exp(-s * log1p(u / B))  # noqa: E731
    return mp.quad(f, _breaks(mp.mpf(0), t, min(B, B / s)))


def j(s, k):
    """j(s, k) = E[1/(k + g)], g ~ Gamma(s, 1) = int_0^inf exp(-k u) (1 + u)^-s du, by
    quadrature in v = u (k + s): the integrand decays over v ~ 1 whatever s (issue 8, D4)."""
    s, k = _mpf(s, k)
    c = k + s
    f = lambda v: mp.exp(-k * v / c - s * log1p(v / c))  # noqa: E731
    return mp.quad(f, [0, 1, 10, 100, 1000, mp.inf]) / c


def dert_quad(r, alpha, s, beta, x, tx, T, delta):
    """DERT = P(alive) (r+x)/(alpha+T) (beta+T) j(s, delta (beta+T)), P(alive) by quadrature;
    returns (DERT, P(alive))."""
    r, alpha, s, beta, x, tx, T, delta = _mpf(r, alpha, s, beta, x, tx, T, delta)
    alive = alive_quad(r, alpha, s, beta, x, tx, T)
    return alive * (r + x) / (alpha + T) * (beta + T) * j(s, delta * (beta + T)), alive


def pmf_quad(r, alpha, s, beta, t, n):
    """P(X(t) = n): alive at t (NB) plus death at tau < t (NB at tau times the Pareto density)."""
    r, alpha, s, beta, t = _mpf(r, alpha, s, beta, t)
    lc = mp.loggamma(r + n) - mp.loggamma(r) - mp.loggamma(n + 1)

    def lnb(tau):  # ln NB(n; r, alpha/(alpha+tau))
        if tau == 0:
            return mp.mpf(0) if n == 0 else -mp.inf
        return lc - r * log1p(tau / alpha) - (n * log1p(alpha / tau) if n else 0)

    alive = mp.exp(lnb(t) - s * log1p(t / beta))

    def lf(tau):
        v = lnb(tau)
        return v - (s + 1) * log1p(tau / beta) if v != -mp.inf else -mp.inf


    # NB(n; tau) peaks at tau ~ alpha n / r, and grows like tau^n below it (so varies on the
    # scale tau/n near t when the peak lies beyond t); the density varies on the scale beta
    near_t = [t * (1 - mp.mpf(10) ** k / (n + r)) for k in range(-1, 4)] if n else []
    pts = sorted({mp.mpf(0), t} | {p for p in [beta, alpha, alpha * n / r if n else alpha,
                                               10 * beta, 10 * alpha] + near_t if 0 < p < t})
    # the integrand scaled to order 1 at its largest breakpoint value (mp.quad's error test is
    # absolute: an integrand of order 1e-108 would pass it with few correct digits)
    top = max(lf(p) for p in pts)
    died = s / beta * mp.exp(top) * mp.quad(lambda tau: mp.exp(lf(tau) - top), pts)
    return alive + died


def mixing_mu(r, alpha, s, beta, x, tx, T):
    """ln L as the integral over the Gamma(s, beta) density of mu of the likelihood given mu,
    with lambda ~ Gamma(r, alpha) integrated analytically (FHL 2005 note, eq. 4-6): given
    (lambda, mu), L = lambda^x e^-(lambda+mu)T + lambda^x mu/(lambda+mu) [e^-(lambda+mu)t_x -
    e^-(lambda+mu)T]; with int_0^inf l^(a-1) e^(-c l)/(l + mu) dl = Gamma(a) mu^(a-1) e^(mu c)
    Gamma(1-a, mu c),
      L = alpha^r Gamma(r+x)/Gamma(r) E_mu[ (alpha+T)^-(r+x) e^(-mu T)
          + mu^(r+x) e^(mu alpha) Gamma(1-r-x; mu(alpha+t_x), mu(alpha+T)) ]
    (generalised incomplete gamma). Quadrature in v = ln mu, where the density is smooth."""
    r, alpha, s, beta, x, tx, T = _mpf(r, alpha, s, beta, x, tx, T)
    a = r + x
    cm = s * mp.log(beta) - mp.loggamma(s)

    def f(v):
        mu = mp.exp(v)
        dens = mp.exp(cm + s * v - beta * mu)
        g = mp.gammainc(1 - a, mu * (alpha + tx), mu * (alpha + T)) if T > tx else 0
        return dens * ((alpha + T) ** -a * mp.exp(-mu * T) + mu ** a * mp.exp(mu * alpha) * g)

    # the integrand is ~ e^(s v) below the mode ln(s/beta) and ~ exp(-beta e^v) above: cut
    # where it is below e^-150 of its peak (infinite ends make tanh-sinh sample mu = e^(1e30))
    vl = mp.log(s / beta)
    vh = mp.log((s + 150 + 20 * mp.sqrt(s)) / beta)
    V = [vl - k / s for k in (150, 50, 15, 5, 1)] + [vl, (vl + vh) / 2, vh]
    return (r * mp.log(alpha) + mp.loggamma(a) - mp.loggamma(r)) + mp.log(mp.quad(f, V))


# ---------------------------------------------------------------------------------------------
# Records

def _customer_records(label, params, realistic, x, tx, T, with_check, horizons, discounts):
    """LL, P(alive), E[Y(t)] for the given horizons and DERT for the given discounts of one
    customer (one L evaluation shared)."""
    r, alpha, s, beta = params
    lb = log_bracket_a0(r, alpha, s, beta, x, tx, T)
    rm, am, sm, bm = _mpf(*params)
    ll = log_norm(rm, am, sm, bm, x) + lb
    alive = mp.exp(-(rm + x) * mp.log(am + T) - sm * mp.log(bm + T) - lb)
    chk = {}
    if with_check:
        log_common, first, died = _bracket_quad_parts(r, alpha, s, beta, x, tx, T)
        chk["ll"] = log_norm(rm, am, sm, bm, x) + log_common + mp.log(first + died)
        chk["alive"] = first / (first + died)
    kw = {"frequency": x, "recency": tx, "T": T}
    reg = region(realistic, x, T)
    tag = f"{label}; x={x:g} t_x={tx:g} T={T:g}"
    out = [common.record(MODEL, "individual_log_likelihood", params, kw, ll, reg, tag,
                         chk.get("ll")),
           common.record(MODEL, "p_alive", params, kw, alive, reg, tag, chk.get("alive"))]
    for t in horizons:
        v = expected_purchases(alive, r, alpha, s, beta, x, T, t)
        c = None
        if with_check:
            c = chk["alive"] * (rm + x) / (am + T) * survival_integral(sm, bm + T, t)
        out.append(common.record(MODEL, "expected_purchases", params, dict(t=t, **kw), v,
                                 region(realistic, x, T, t), tag + f" t={t:g}", c))
    for d in discounts:
        v = dert(lb, r, alpha, s, beta, x, T, d)
        c = None
        if with_check:
            c = chk["alive"] * (rm + x) / (am + T) * (bm + T) * j(sm, d * (bm + T))
        out.append(common.record(MODEL, "discounted_expected_residual_transactions", params,
                                 dict(discount_rate=d, **kw), v, reg, tag + f" d={d:g}", c))
    return out


def _new_customer_records(label, params, realistic, t, ns, with_check, large_ns=()):
    """E[X(t)] and P(X(t) = n) for the given n (and, value by quadrature only, large_ns)."""
    r, alpha, s, beta = params
    rm, am, sm, bm = _mpf(*params)
    v = expected_purchases_new(r, alpha, s, beta, t)
    c = rm / am * survival_integral(sm, bm, t) if with_check else None
    reg = region(realistic, 0, 0, t)
    out = [common.record(MODEL, "expected_purchases_new_customer", params, {"t": t}, v, reg,
                         f"{label}; t={t:g}", c)]
    for n in ns:
        v = pmf(r, alpha, s, beta, t, n, max_extra=300)
        q = pmf_quad(r, alpha, s, beta, t, n)
        rg = reg if n <= 100 else "extreme"
        if v is None:  # the sum cancels beyond 300 guard digits: the integral alone
            out.append(common.record(MODEL, "probability_of_purchases", params,
                                     {"n": n, "t": t}, q, rg,
                                     f"{label}; t={t:g} n={n} (death-time integral)"))
        else:
            out.append(common.record(MODEL, "probability_of_purchases", params,
                                     {"n": n, "t": t}, v, rg, f"{label}; t={t:g} n={n}",
                                     q if with_check else None))
    for n in large_ns:
        # The Fader-Hardie sum would need n + 1 hypergeometric functions at up to thousands of
        # digits (its cancellation): the value is the death-time integral (pmf_quad) alone; the
        # two agree to 50 digits at n = 1000 and 3000 for r = 5534 (verify(quick=False)).
        out.append(common.record(MODEL, "probability_of_purchases", params, {"n": n, "t": t},
                                 pmf_quad(r, alpha, s, beta, t, n), "extreme",
                                 f"{label}; t={t:g} n={n} (death-time integral)"))
    return out


def _mixing_record(label, params, x, tx, T):
    """An LL point checked by the integral over mu's Gamma density (``mixing_mu``)."""
    ll = log_likelihood(*params, x, tx, T)
    c = mixing_mu(*params, x, tx, T)
    return common.record(MODEL, "individual_log_likelihood", params,
                         {"frequency": x, "recency": tx, "T": T}, ll, "realistic",
                         f"{label}; mu-mixing check", c)


def cases(quick=False):
    """The sweep grid; quick: a small subset (seconds).

    Subsampling (to keep the cache ~1 MB and generation ~10 min on 2 cores): LL and P(alive) at
    every (parameters, customer); E[Y(t)] at all five horizons for the CDNOW fit and two
    horizons (rotating) elsewhere; DERT at all three discounts for the CDNOW fit and one
    (rotating) elsewhere; E[X(t)] at every (parameters, t); P(X(t) = n) at every (parameters, t,
    n <= 100), and at n = 1e3, 1e4, 1e5 from the death-time integral alone. The independent check
    is stored for every customer of the CDNOW fit, one in three elsewhere, every new-customer
    point with n <= 100 (where the sum needs < 300 guard digits), and five likelihoods checked by the mu-mixing integral."""
    psets = param_sets()
    custs = customers()
    if quick:
        psets = [p for p in psets if p[0] in ("cdnow", "alpha=beta", "s=1", "all x1e4")]
        custs = [(0, 0, 39), (2, 30.43, 38.86), (100, 0.5 * 520, 520), (10000, 9900, 10000)]
    k = 0
    for label, params, realistic in psets:
        for (x, tx, T) in custs:
            base = label == "cdnow"
            if base or quick:
                hz, ds = HORIZONS, DISCOUNTS
            else:
                hz = [HORIZONS[k % 5], HORIZONS[(k + 2) % 5]]
                ds = [DISCOUNTS[k % 3]]
            check = base or quick or k % 3 == 0
            k += 1
            yield functools.partial(_customer_records, label, params, realistic, x, tx, T,
                                    check, hz, ds)
        for t in (HORIZONS[1::2] if quick else HORIZONS):
            ns = [0, 5] if quick else PMF_NS
            yield functools.partial(_new_customer_records, label, params, realistic, t, ns, True,
                                    () if quick else PMF_NS_LARGE)
    if not quick:
        for x, tx, T in [(0, 0, 39), (2, 30.43, 38.86), (10, 20, 30)]:
            yield functools.partial(_mixing_record, "cdnow", BASE, x, tx, T)
        for label, params, _ in param_sets():
            if label in ("s=1", "alpha<->beta", "alpha=beta"):
                yield functools.partial(_mixing_record, label, params, 2, 30.43, 38.86)


def verify(quick=True):
    """(label, oracle value, independent evaluation, tolerance) computed now."""
    out = []
    pts = [("cdnow", BASE, 2, 30.43, 38.86), ("alpha=beta", (0.5534, 10.5802, 0.6061, 10.5802),
                                              5, 10, 39),
           ("alpha>beta", (0.5534, 11.6689, 0.6061, 10.5802), 100, 260, 520),
           ("s=1", (0.5534, 10.5802, 1.0, 11.6689), 0, 0, 39)]
    if not quick:
        pts += [(lab, p, x, tx, T) for lab, p, _ in param_sets() for x, tx, T in customers()
                if x in (0, 10, 10000) and T in (1, 10000)]
    for lab, p, x, tx, T in pts:
        rm, am, sm, bm = _mpf(*p)
        a = p_alive(*p, x, tx, T)
        out.append((f"{lab} LL x={x}", log_likelihood(*p, x, tx, T),
                    log_norm(*_mpf(*p), x) + log_bracket_quad(*p, x, tx, T), 1e-25))
        out.append((f"{lab} P(alive) x={x}", a, alive_quad(*p, x, tx, T), 1e-25))
        out.append((f"{lab} E[Y(39)] x={x}", expected_purchases(a, *p, x, T, 39),
                    a * (rm + x) / (am + T) * survival_integral(sm, bm + T, 39), 1e-25))
        lb = log_bracket_a0(*p, x, tx, T)
        out.append((f"{lab} DERT(0.01) x={x}", dert(lb, *p, x, T, 0.01),
                    dert_quad(*p, x, tx, T, 0.01)[0], 1e-25))
    if not quick:  # a narrow death-time peak (r = 5534: issue 9's P(X(t) = n) defect)
        p = (5534.0, 10.5802, 0.6061, 11.6689)
        for n in (1000, 3000):
            out.append((f"r x1e4 P(X(39)={n})", pmf(*p, 39, n), pmf_quad(*p, 39, n), 1e-25))
    for lab, p in [("cdnow", BASE), ("s=1", (0.5534, 10.5802, 1.0, 11.6689))]:
        out.append((f"{lab} E[X(39)]", expected_purchases_new(*p, 39),
                    mp.mpf(p[0]) / mp.mpf(p[1]) * survival_integral(p[2], p[3], 39), 1e-25))
        for n in (0, 3):
            out.append((f"{lab} P(X(39)={n})", pmf(*p, 39, n), pmf_quad(*p, 39, n), 1e-25))
    return out


if __name__ == "__main__":
    import time
    t0 = time.time()
    for item in verify(quick=True):
        e = abs(item[1] - item[2]) / abs(item[1])
        print(f"{item[0]:35s} {mp.nstr(item[1], 20):>28s} rel diff {mp.nstr(e, 3)}")
    print(f"{time.time() - t0:.1f} s")
