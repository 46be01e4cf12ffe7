# SPDX-License-Identifier: Apache-2.0
"""Oracle of the shifted-beta-geometric (sBG) contractual model, mpmath at 50 digits.

Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1):
    S(t) = B(alpha, beta + t) / B(alpha, beta),  r(t) = (beta + t - 1)/(alpha + beta + t - 1);
Fader & Hardie (2010), "Customer-base valuation in a contractual setting: the perils of ignoring
heterogeneity", Marketing Science 29(1):
    DEL(d)                  = sum_{t>=0} S(t) / (1 + d)^t     = 2F1(1, beta; alpha + beta; 1/(1+d)),
    DERL(d | n-1 renewals)  = sum_{t>=n} S(t)/S(n-1) / (1+d)^(t-n)
                            = (beta+n-1)/(alpha+beta+n-1) 2F1(1, beta+n; alpha+beta+n; 1/(1+d)).

Each quantity twice, by independent methods:
  S(t)      Gamma functions (the truth) | the product of the retention rates (t <= 10^4), or the
            ratio of two quadratures of the Beta mixture (t > 10^4);
  r(t)      the rational function | 1 - E[theta] under the posterior Beta(alpha, beta + t - 1),
            by quadrature;
  DEL/DERL  the direct discounted sum of the survival curve, the papers' definition (the truth;
            ``discounted_survival_sum``: the first terms one by one, the tail by Euler-Maclaurin;
            also used by tests/reference/sbg_valuation.py) | the closed-form 2F1 of Fader &
            Hardie (2010) by mpmath, or where mpmath's 2F1 does not converge the quadrature of
            (1 + d) E[1/(d + theta)] (DEL), (1 + d) E[(1 - theta)/(d + theta)] under the
            posterior Beta(alpha, beta + renewals) (DERL); ``verify`` compares all three.

``log_concave_quad`` (also used by gamma_gamma.py) integrates exp(L(s)) g(s) over the real line
for a concave L: it places the break points where L has dropped by 1/4, 1, 4, …, 150 from its
maximum on each side, so that every tanh-sinh panel sees a smooth, unimodal piece however narrow
or wide the peak and its tails are.

The grid (``cases``): the two Fader-Hardie (2007) fits, "regular" (alpha 0.704, beta 1.182) and
"high end" (0.668, 3.806), each parameter alone and both at x1e-4 and x1e4, and the removable
singularity alpha = 1 (DEL and DERL at d = 0 are finite only for alpha > 1) exactly and at +-1e-12,
+-1e-9 with each fit's beta; t in {0, 1, 2, 10, 100, 1e3, 1e4, 1e6, 1e9}, d in {0 (only at the
singularity), 1e-6, 1e-4, 0.1, 1}, renewals in {0, 1, 10, 1e3, 1e4}: every combination, no
subsampling; plus DEL at alpha = beta = 1e-12 and 1e-10 (``TINY``): 1 052 points, ~11 minutes
of one core. Region 'realistic': a published fit or its alpha = 1 variant, t <= 520, renewals
<= 1000; everything else 'extreme'. A point whose truth is infinite (DEL/DERL at d = 0,
alpha <= 1) is 'extreme' with value +inf: ltv must return an error status there.
"""

import functools

import mpmath as mp

import common

mp.mp.dps = 50

MODEL = "ShiftedBetaGeo"
FITS = {"regular": (0.704, 1.182), "high end": (0.668, 3.806)}  # Fader & Hardie (2007)
TIMES = [0, 1, 2, 10, 100, 1000, 10**4, 10**6, 10**9]
DISCOUNTS = [1e-6, 1e-4, 0.1, 1.0]
RENEWALS = [0, 1, 10, 1000, 10**4]
SINGULAR_ALPHAS = {"alpha=1": 1.0, "alpha=1+1e-12": 1 + 1e-12, "alpha=1-1e-12": 1 - 1e-12,
                   "alpha=1+1e-9": 1 + 1e-9, "alpha=1-1e-9": 1 - 1e-9}

# alpha + beta -> 0, off the x1e-4 grid: DEL lost 3e-5 relative at alpha = beta = 1e-12, d = 1e-4
# (detail::beta_stieltjes formed b + a as b + 1 - (1 - a)); DEL only (DERL has beta + n >= 1).
TINY = [(1e-12, 1e-12), (1e-10, 1e-10)]

M_DIRECT = 3000  # terms summed one by one before the Euler-Maclaurin tail


# ---- the quadrature shared with gamma_gamma.py ---------------------------------------------------

def _drop_point(L, s0, l0, c, direction):
    """The s on one side of the mode s0 where L(s) = l0 - c (L concave): doubling, bisection."""
    step = mp.mpf(1)
    inner = s0
    while l0 - L(s0 + direction * step) < c:
        inner = s0 + direction * step
        step *= 2
        if step > 1e12:
            return None
    lo, hi = inner, s0 + direction * step
    for _ in range(200):
        mid = (lo + hi) / 2
        if l0 - L(mid) < c:
            lo = mid
        else:
            hi = mid
        if abs(hi - lo) <= 1e-3 * abs(hi - s0):  # (relative to the distance from the mode)
            break
    return (lo + hi) / 2


def log_concave_quad(L, s_mode, g=None, extra=(), dps=70):
    """int_{-inf}^{inf} exp(L(s) - L(s_mode)) g(s) ds for a concave L with its maximum at s_mode
    (up to < 1e-60 relative: the tails beyond a drop of L by 150 are left out)
    and a smooth, positive g (default 1); ``extra``: further break points (where g bends).
    Returns (value, error estimate); multiply by exp(L(s_mode)) for the integral itself."""
    with mp.workdps(dps):
        s_mode = mp.mpf(s_mode)
        l0 = L(s_mode)
        pts = {s_mode}
        for direction in (-1, 1):
            for c in (0.25, 1, 4, 16, 64, 150):
                s = _drop_point(L, s_mode, l0, c, direction)
                if s is None:
                    raise ValueError(f"log_concave_quad: no drop of {c} within 1e12 of the mode")
                pts.add(s)
        # The tails beyond the drop of 150 are cut: for a concave L each is at most
        # e^-150 (s_150 - s_mode)/150 < 1e-60 of the integral's scale, and an infinite panel
        # would evaluate L at s ~ 1e20, where exp(exp(s)) takes mpmath forever.
        lo, hi = min(pts), max(pts)
        pts = sorted(pts | {mp.mpf(e) for e in extra if lo < e < hi})

        def f(s):
            v = mp.exp(L(s) - l0)
            return v if g is None else v * g(s)

        value, err = mp.quad(f, pts, error=True, maxdegree=10)
    return +value, +err


def beta_moment(a, b, g=None, extra=()):
    """int_0^1 theta^(a-1) (1-theta)^(b-1) g(theta) dtheta by quadrature in the logit
    s = ln(theta/(1-theta)) (where the integrand is theta^a (1-theta)^b, log-concave), scaled by
    the integrand's maximum; only ratios of such integrals with equal (a, b) are meaningful.
    g takes (theta, 1 - theta). Returns (value, relative error estimate)."""
    a, b = mp.mpf(a), mp.mpf(b)

    def L(s):
        return -a * mp.log1p(mp.exp(-s)) - b * mp.log1p(mp.exp(s))

    def theta(s):
        return 1 / (1 + mp.exp(-s)), 1 / (1 + mp.exp(s))

    gs = None if g is None else (lambda s: g(*theta(s)))
    v, e = log_concave_quad(L, mp.log(a / b), gs, extra)
    return v, e / v


# ---- the quantities ------------------------------------------------------------------------------

def survival(alpha, beta, t):
    """S(t) = Gamma(beta+t) Gamma(alpha+beta) / (Gamma(beta) Gamma(alpha+beta+t))."""
    a, b = mp.mpf(alpha), mp.mpf(beta)
    return mp.exp(mp.loggamma(b + t) - mp.loggamma(a + b + t) - mp.loggamma(b)
                  + mp.loggamma(a + b))


def survival_check(alpha, beta, t):
    """S(t) independently: prod_{j<=t} r(j) for t <= 10^4, else B(alpha, beta+t)/B(alpha, beta)
    by quadrature (returns (value, relative tolerance))."""
    a, b = mp.mpf(alpha), mp.mpf(beta)
    if t <= 10**4:
        s = mp.mpf(1)
        for j in range(1, t + 1):
            s *= (b + j - 1) / (a + b + j - 1)
        return s, common.CHECK_TOLERANCE
    # both integrals scaled by their maxima exp(L(s_mode)); put the scales back
    num, e1 = beta_moment(a, b + t)
    den, e2 = beta_moment(a, b)

    def lmax(a, b):  # L at the mode theta = a/(a+b)
        return a * mp.log(a / (a + b)) + b * mp.log(b / (a + b))

    v = num / den * mp.exp(lmax(a, b + t) - lmax(a, b))
    return v, max(1e-28, 10 * (e1 + e2))


def retention_rate(alpha, beta, t):
    a, b = mp.mpf(alpha), mp.mpf(beta)
    return (b + t - 1) / (a + b + t - 1)


def retention_rate_check(alpha, beta, t):
    """1 - E[theta | survived t - 1 renewals], theta ~ Beta(alpha, beta + t - 1), by quadrature."""
    b = mp.mpf(beta) + t - 1
    mean, e1 = beta_moment(alpha, b, lambda th, om: th)
    norm, e2 = beta_moment(alpha, b)
    return 1 - mean / norm, max(1e-28, 10 * (e1 + e2))


def hyp_value(alpha, beta, d, first):
    """sum_{t>=first} S(t)/S(first) z^(t-first) = 2F1(1, beta+first; alpha+beta+first; z),
    z = 1/(1+d) (Fader & Hardie 2010, eq. for DERL)."""
    a, b, d = mp.mpf(alpha), mp.mpf(beta), mp.mpf(d)
    return mp.hyp2f1(1, b + first, a + b + first, 1 / (1 + d))


def discounted_survival_sum(alpha, beta, d, first):
    """sum_{t >= first} S(t)/S(first) z^(t - first), z = 1/(1+d), as a DIRECT SUM: the first
    M_DIRECT terms one by one, the tail from t = first + M_DIRECT on by the Euler-Maclaurin
    formula (mpmath.sumem) applied to the analytic continuation S(t) = Gamma(beta + t)
    Gamma(alpha + beta)/(Gamma(beta) Gamma(alpha + beta + t)) (a smooth, log-convex summand)."""
    a, b, d = mp.mpf(alpha), mp.mpf(beta), mp.mpf(d)
    z = 1 / (1 + d)
    total, term = mp.mpf(1), mp.mpf(1)
    for u in range(1, M_DIRECT):
        t = first + u  # S(t)/S(t-1) = (b + t - 1)/(a + b + t - 1)
        term *= z * (b + t - 1) / (a + b + t - 1)
        total += term
        if term < total * mp.mpf(10) ** -60:
            return total
    c0 = mp.loggamma(a + b + first) - mp.loggamma(b + first)
    ld = mp.log1p(d)

    def f(u):
        return mp.exp(mp.loggamma(b + first + u) - mp.loggamma(a + b + first + u) + c0 - u * ld)

    return total + mp.sumem(f, [M_DIRECT, mp.inf])


def _r(alpha, beta, n):
    a, b = mp.mpf(alpha), mp.mpf(beta)
    return (b + n - 1) / (a + b + n - 1)


def del_value(alpha, beta, d):
    """DEL(d) by the direct sum (tests/reference/sbg_valuation.py)."""
    return discounted_survival_sum(alpha, beta, d, 0)


def derl_value(alpha, beta, d, renewals):
    """DERL(d | renewals) by the direct sum: r_n sum_{t>=n} S(t)/S(n) z^(t-n), n = renewals + 1."""
    n = renewals + 1
    return _r(alpha, beta, n) * discounted_survival_sum(alpha, beta, d, n)


def delta_limit(alpha, beta, renewals):
    """DEL (renewals None) or DERL at d = 0: (alpha+beta-1)/(alpha-1), (beta+n-1)/(alpha-1);
    +inf for alpha <= 1."""
    a, b = mp.mpf(alpha), mp.mpf(beta)
    if a <= 1:
        return mp.inf
    return (a + b - 1) / (a - 1) if renewals is None else (b + renewals) / (a - 1)


def valuation_quad(alpha, beta, d, renewals):
    """DEL = (1+d) E[1/(d+theta)], theta ~ Beta(alpha, beta) (Euler's integral); DERL =
    (1+d) E[(1-theta)/(d+theta)], theta ~ Beta(alpha, beta + n - 1) (the geometric series of the
    posterior after n - 1 = renewals renewals). Returns (value, relative tolerance)."""
    d = mp.mpf(d)
    b = mp.mpf(beta) + (0 if renewals is None else renewals)
    g = ((lambda th, om: 1 / (d + th)) if renewals is None else
         (lambda th, om: om / (d + th)))
    extra = [mp.log(d) + k for k in (-3, -1, 0, 1, 3)] if d < 0.1 else []
    num, e1 = beta_moment(alpha, b, g, extra)
    den, e2 = beta_moment(alpha, b)
    return (1 + d) * num / den, max(1e-28, 10 * (e1 + e2))


def valuation_check(alpha, beta, d, renewals):
    """DEL (renewals None) or DERL by Fader & Hardie's (2010) closed form, mpmath's 2F1 (fast),
    or where mpmath's 2F1 does not converge (beta*1e4 with alpha*1e-4 at d = 1e-6) by the
    quadrature ``valuation_quad``. Returns (value, tolerance or None)."""
    try:
        if renewals is None:
            return hyp_value(alpha, beta, d, 0), None
        return _r(alpha, beta, renewals + 1) * hyp_value(alpha, beta, d, renewals + 1), None
    except ValueError:  # hypsum() failed to converge
        return valuation_quad(alpha, beta, d, renewals)


# ---- the grid ------------------------------------------------------------------------------------

def param_sets():
    """(label, alpha, beta, is_fit_or_singularity)."""
    out = []
    for name, (a, b) in FITS.items():
        out.append((name, a, b, True))
        for s, tag in ((1e-4, "x1e-4"), (1e4, "x1e4")):
            out.append((f"{name} alpha {tag}", a * s, b, False))
            out.append((f"{name} beta {tag}", a, b * s, False))
            out.append((f"{name} all {tag}", a * s, b * s, False))
        for tag, a1 in SINGULAR_ALPHAS.items():
            out.append((f"{name} {tag}", a1, b, True))
    return out


def _point_survival(label, a, b, fit, t):
    v = survival(a, b, t)
    c, tol = survival_check(a, b, t)
    region = "realistic" if fit and t <= 520 else "extreme"
    return common.record(MODEL, "survival", [a, b], {"t": float(t)}, v, region, label, c, tol)


def _point_retention(label, a, b, fit, t):
    v = retention_rate(a, b, t)
    c, tol = retention_rate_check(a, b, t)
    region = "realistic" if fit and t <= 520 else "extreme"
    return common.record(MODEL, "retention_rate", [a, b], {"t": float(t)}, v, region, label, c,
                         tol)


def _point_del(label, a, b, fit, d):
    if d == 0:
        v = delta_limit(a, b, None)
        region = "realistic" if fit and v != mp.inf else "extreme"
        return common.record(MODEL, "discounted_expected_lifetime", [a, b],
                             {"discount_rate": 0.0}, v, region, f"{label}, d=0 limit")
    v = del_value(a, b, d)
    c, tol = valuation_check(a, b, d, None)
    return common.record(MODEL, "discounted_expected_lifetime", [a, b], {"discount_rate": d}, v,
                         "realistic" if fit else "extreme", label, c, tol)


def _point_derl(label, a, b, fit, d, k):
    kwargs = {"discount_rate": float(d), "renewals": float(k)}
    region = "realistic" if fit and k <= 1000 else "extreme"
    if d == 0:
        v = delta_limit(a, b, k)
        return common.record(MODEL, "discounted_expected_residual_lifetime", [a, b], kwargs, v,
                             region if v != mp.inf else "extreme", f"{label}, d=0 limit")
    v = derl_value(a, b, d, k)
    c, tol = valuation_check(a, b, d, k)
    return common.record(MODEL, "discounted_expected_residual_lifetime", [a, b], kwargs, v,
                         region, label, c, tol)


def cases(quick=False):
    sets = param_sets()
    if quick:
        sets = [s for s in sets if s[0] in ("regular", "high end all x1e-4")]
    times = [1, 10**9] if quick else TIMES
    discounts = [1e-6] if quick else DISCOUNTS
    renewals = [10**4] if quick else RENEWALS
    for label, a, b, fit in sets:
        singular = label.split()[-1].startswith("alpha=1")
        for t in times:
            yield functools.partial(_point_survival, label, a, b, fit, t)
            if t >= 1:
                yield functools.partial(_point_retention, label, a, b, fit, t)
        for d in ([0.0] if singular and not quick else []) + discounts:
            yield functools.partial(_point_del, label, a, b, fit, d)
            for k in renewals:
                yield functools.partial(_point_derl, label, a, b, fit, d, k)
    if not quick:
        for a, b in TINY:
            for d in DISCOUNTS:
                yield functools.partial(_point_del, "alpha+beta->0", a, b, False, d)


def verify(quick=True):
    """(label, value, check, tolerance): the closed forms against quadrature and the direct sum
    at a few hard points (issue 9, cause 6: DERL at 1e4 renewals; DEL at tiny alpha, beta)."""
    pts = [(0.704, 1.182, 1e-6, 10**4), (7.04e-5, 1.182e-4, 1e-6, None)]
    if not quick:
        pts += [(0.704, 1.182, 0.1, None), (1 + 1e-12, 3.806, 1e-6, 10),
                (7040.0, 1.182, 1e-6, None), (0.704, 11820.0, 1e-4, 1000), (1.0, 1.182, 1e-6, 1)]
    out = []
    for a, b, d, k in pts:
        truth = del_value(a, b, d) if k is None else derl_value(a, b, d, k)
        q, tol = valuation_quad(a, b, d, k)
        name = f"{'DEL' if k is None else 'DERL'}({a}, {b}, d={d}, renewals={k})"
        out.append((f"{name}: direct sum vs quadrature", truth, q, tol))
        if not quick:
            out.append((f"{name}: direct sum vs 2F1", truth, valuation_check(a, b, d, k)[0]))
    for a, b, t in [(0.704, 1.182, 10**9)] + ([] if quick else [
            (6.68e-5, 3.806e-4, 10**6), (7040.0, 1.182, 10**6), (0.668, 38060.0, 10**9)]):
        c, tol = survival_check(a, b, t)
        out.append((f"S({t}) alpha={a} beta={b} quadrature", survival(a, b, t), c, tol))
    return out
