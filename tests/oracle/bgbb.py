# SPDX-License-Identifier: Apache-2.0
"""Oracle of the BG/BB model (ltv.BetaGeoBetaBinom), mpmath at 50 digits.

Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual setting",
Marketing Science 29(6). p ~ Beta(alpha, beta) is the transaction probability at each of the n
opportunities, theta ~ Beta(gamma, delta) the dropout probability; a customer is (x, t_x, n).
B is the Beta function, C(i, x) the binomial coefficient.

  L          = B(a+x, b+n-x)/B(a,b) B(g, d+n)/B(g,d)
               + sum_{i=0}^{n-t_x-1} B(a+x, b+t_x-x+i)/B(a,b) B(g+1, d+t_x+i)/B(g,d)     (eq. 5)
  P(alive)   = B(a+x, b+n-x)/B(a,b) B(g, d+n+1)/B(g,d) / L                            (eq. 11)
  E[X(n, n+n*) | x, t_x, n]
             = B(a+x+1, b+n-x)/B(a,b) / L * d/(g-1) * Gamma(g+d)/Gamma(1+d)
               * [Gamma(1+d+n)/Gamma(g+d+n) - Gamma(1+d+n+n*)/Gamma(g+d+n+n*)]         (eq. 13)
  E[X(n)]    = a/(a+b) * d/(g-1) * [1 - Gamma(g+d) Gamma(1+d+n)/(Gamma(g+d+n) Gamma(1+d))] (eq. 8)
  P(X(n)=x)  = C(n,x) B(a+x, b+n-x)/B(a,b) B(g, d+n)/B(g,d)
               + sum_{i=x}^{n-1} C(i,x) B(a+x, b+i-x)/B(a,b) B(g+1, d+i)/B(g,d)       (eq. 7)
  DERT(r)    = B(a+x+1, b+n-x)/B(a,b) B(g, d+n+1)/(B(g,d) (1+r)) / L
               * 2F1(1, d+n+1; g+d+n+1; 1/(1+r))                                         (eq. 14)
with the limits at g = 1 of eqs. 13 and 8 (digamma differences): d (psi(1+d+n+n*) - psi(1+d+n))
and d (psi(1+d+n) - psi(1+d)) in place of the bracketed factors times d/(g-1).

The truth ("value") is each formula as written (eqs. 5 and 7 with the ratios of successive terms
as running products; eqs. 8 and 13 with 100-digit log-gammas, so that the g -> 1 cancellation
costs nothing; eq. 14 with mpmath's 2F1). The independent second evaluation ("check"):
  L, P(X(n)=x)  every term from its own log-gammas (no recurrence), summed with fsum;
  the theta sums of eqs. 8, 13, 14   quadrature of the Beta mixing integral (eq. 14's value is
    the 2F1's defining series where mpmath's hyp2f1 gives up: d >= 0.1 or g, c > 1e6):
      sum_{k=1}^{N} B(g, c+k-1)/B(g, c) = E[(1 - (1-theta)^N)/theta],   theta ~ Beta(g, c),
      2F1(1, c; g+c; 1/(1+r))/(1+r)    = E[1/(r + theta)],
      sum_{t=1}^{n} B(g, d+t)/B(g, d)   = E[(1-theta)(1 - (1-theta)^n)/theta], theta ~ Beta(g, d),
    with break points at the scales of the integrand (1/N, 1/c, r, the Beta's mean +- k sd), and
    for g < 1 the theta^(g-1) singularity integrated analytically (phi(0)/g) so that even
    g = 6.57e-5, whose mass sits below theta = 1e-300, is integrated exactly;
  P(alive), E, DERT  their Beta-function prefactors from log-gammas and the checked L.
``verify`` adds identities of the model (each a different formula): the likelihoods of all
purchase strings of length n sum to 1; P(X(n) = x) = sum_{t_x} C(t_x-1, x-1) L(x, t_x, n);
sum_x P(X(n) = x) = 1 and sum_x x P(X(n) = x) = E[X(n)].

The grid (``cases``). Parameters: the donations fit alpha 1.204, beta 0.750, gamma 0.657,
delta 2.783 (FHS 2010); each parameter alone and all four at x1e-4 and x1e4; the removable
singularity gamma = 1 of eqs. 8 and 13 exactly and at 1 +- 1e-12, 1e-9, 2e-9, 1e-6; a gamma
sweep {0.3, 0.5, 1.5, 2, 2.5, 7} for the large-n* closed form (the formulas have no pole at
alpha + beta = 1 or gamma + delta = 1); beyond the issue's grid, each parameter alone at 1e12
and all four at 1e8 (n <= 100 only). Customers: n in {1, 6, 11, 100, 1e3, 1e4}; all 22 patterns
of n = 6 (the donations data); otherwise x in {0, 1, 2, 5, 10, 50, 100, 1e3, 1e4} <= n with t_x in
{x, 0.01 n, 0.5 n, 0.99 n, n} (rounded, >= x). Horizons n* in {1, 2, 5, 10, 100, 1000, 1e4,
1e6, 1e6+1, 2e6, 5e6, 1e7} (ltv switches from a direct sum to a closed form above 1e6), E[X(n)]
at the same n, P(X(n) = x) for n in {1, 6, 11, 100, 1e3, 1e4} and the x above, discount rates
{1e-4, 0.1, 1} (and 0 where gamma > 1). Subsampling, to keep the cache small: the x1e-4/x1e4
and gamma-sweep parameter sets use every second customer pattern (n = 6: 6 of the 22) and
n* in {1, 10, 1000, 1e6, 1e6+1, 1e7}; the checks are computed for every point except the
likelihood of patterns with more than 3000 terms at the x1e-4/x1e4 sets.
Region 'realistic': the fit or one of its gamma = 1 variants, n <= 100, x <= 100, horizons
n* (and the n of E[X(n)], P(X(n)=x)) <= 1000; everything else is 'extreme'.
"""

import functools

import mpmath as mp

import common

mp.mp.dps = 50

MODEL = "BetaGeoBetaBinom"
FIT = (1.204, 0.750, 0.657, 2.783)  # FHS (2010), the donations data
NAMES = ("alpha", "beta", "gamma", "delta")
NS = [1, 6, 11, 100, 1000, 10**4]
XS = [0, 1, 2, 5, 10, 50, 100, 1000, 10**4]
TX_FRACTIONS = [0.01, 0.5, 0.99, 1.0]
HORIZONS = [1, 2, 5, 10, 100, 1000, 10**4, 10**6, 10**6 + 1, 2 * 10**6, 5 * 10**6, 10**7]
HORIZONS_REDUCED = [1, 10, 1000, 10**6, 10**6 + 1, 10**7]
DISCOUNTS = [1e-4, 0.1, 1.0]
GAMMA_OFFSETS = [0.0, 1e-12, -1e-12, 1e-9, -1e-9, 2e-9, -2e-9, 1e-6, -1e-6]
GAMMA_SWEEP = [0.3, 0.5, 1.5, 2.0, 2.5, 7.0]
CHECK_TERMS = 3000  # likelihood terms evaluated one by one for the check at scaled parameters


def param_sets():
    """(label, params, full grid? (None: reduced, n <= 100 only), realistic-capable?) for every
    parameter set of the sweep."""
    sets = [("fit", FIT, True, True)]
    for off in GAMMA_OFFSETS:
        label = "gamma=1" if off == 0 else f"gamma=1{off:+g}"
        sets.append((label, (FIT[0], FIT[1], 1.0 + off, FIT[3]), True, True))
    for i, name in enumerate(NAMES):
        for f in (1e-4, 1e4):
            p = list(FIT)
            p[i] *= f
            sets.append((f"{name} x{f:g}", tuple(p), False, False))
    for f in (1e-4, 1e4):
        sets.append((f"all x{f:g}", tuple(v * f for v in FIT), False, False))
    for g in GAMMA_SWEEP:
        sets.append((f"gamma={g:g}", (FIT[0], FIT[1], g, FIT[3]), False, False))
    for i, name in enumerate(NAMES):  # beyond the grid: one parameter at 1e12
        p = list(FIT)
        p[i] = 1e12
        sets.append((f"{name}=1e12", tuple(p), None, False))
    sets.append(("all=1e8", (1e8,) * 4, None, False))
    return sets


def patterns(n, full):
    """Customer patterns (x, t_x) of the grid at n opportunities."""
    if n == 6:
        pats = [(0, 0)] + [(x, t) for t in range(1, 7) for x in range(1, t + 1)]
        if not full:
            pats = [(0, 0), (1, 1), (2, 4), (3, 6), (5, 5), (6, 6)]
        return pats
    pats = set()
    for x in XS:
        if x > n:
            continue
        if x == 0:
            pats.add((0, 0))
            continue
        for t in [x] + [int(round(f * n)) for f in TX_FRACTIONS]:
            if x <= t <= n:
                pats.add((x, t))
    pats = sorted(pats)
    return pats if full else pats[::2] + ([pats[-1]] if len(pats) % 2 == 0 else [])


# ---- the formulas ---------------------------------------------------------------------------

def _mp(params):
    return [mp.mpf(v) for v in params]


def likelihood(params, x, t, n):
    """L (eq. 5), the sum's terms by their ratios. Returns (L, first term)."""
    a, b, g, d = _mp(params)
    lab, lgd = common.log_beta(a, b), common.log_beta(g, d)
    first = mp.exp(common.log_beta(a + x, b + n - x) - lab + common.log_beta(g, d + n) - lgd)
    term = mp.exp(common.log_beta(a + x, b + t - x) - lab + common.log_beta(g + 1, d + t) - lgd)
    s = mp.mpf(0)
    for i in range(int(n - t)):
        s += term
        term *= (b + t - x + i) / (a + b + t + i) * (d + t + i) / (g + d + t + i + 1)
    return first + s, first


def likelihood_check(params, x, t, n):
    """L with every term from its own log-gammas."""
    a, b, g, d = _mp(params)
    lab, lgd = common.log_beta(a, b), common.log_beta(g, d)
    terms = [mp.exp(common.log_beta(a + x, b + n - x) - lab + common.log_beta(g, d + n) - lgd)]
    terms += [mp.exp(common.log_beta(a + x, b + t - x + i) - lab + common.log_beta(g + 1, d + t + i) - lgd)
              for i in range(int(n - t))]
    return mp.fsum(terms)


def theta_sum(g, c, N):
    """sum_{k=1}^{N} B(g, c+k-1)/B(g, c): the closed form (eq. 13's bracket), g = 1 its limit."""
    g, c = mp.mpf(g), mp.mpf(c)
    with mp.workdps(100):
        if g == 1:
            v = c * (mp.digamma(c + N) - mp.digamma(c))
        else:
            lq = (mp.loggamma(c + N) + mp.loggamma(c + g - 1) - mp.loggamma(c)
                  - mp.loggamma(c + g + N - 1))
            v = (c + g - 1) / (g - 1) * -mp.expm1(lq)
    return +v


def beta_mean(g, c, phi, phi0, scales):
    """E[phi(theta)] for theta ~ Beta(g, c) by tanh-sinh quadrature; phi0 = phi(0) (finite).
    For g < 1 the integrand theta^(g-1) (1-theta)^(c-1) phi is split as theta^(g-1) phi0 (whose
    integral phi0/g is exact) plus a remainder that vanishes at 0 like theta^g. Break points: the
    mean +- (1, 4, 16, 64) standard deviations, the given scales, and a geometric ladder
    (factor 16) down to 1e-3 of the smallest. Returns (value, error estimate)."""
    g, c = mp.mpf(g), mp.mpf(c)
    with mp.workdps(60):
        lB = common.log_beta(g, c)
        sub = phi0 if g < 1 else 0

        def f(t):
            w = mp.exp((c - 1) * mp.log1p(-t)) * phi(t) - sub
            return mp.exp((g - 1) * mp.log(t) - lB) * w

        m = g / (g + c)
        s = mp.sqrt(g * c / ((g + c) ** 2 * (g + c + 1)))
        pts = {m}
        for k in (1, 4, 16, 64):
            pts.update(v for v in (m - k * s, m + k * s) if 0 < v < 1)
        pts.update(mp.mpf(e) for e in scales if 0 < e < 1)
        pts = sorted(pts)
        ladder = [mp.mpf(0), pts[0] / 1000]
        for v in pts:
            while v / ladder[-1] > 16:
                ladder.append(ladder[-1] * 16)
            ladder.append(v)
        ladder.append(mp.mpf(1))
        val, err = mp.quad(f, ladder, error=True, maxdegree=10)
        val += sub / g / mp.exp(lB)
    return +val, +err


def theta_sum_check(g, c, N):
    """sum_{k=1}^{N} B(g, c+k-1)/B(g, c) = E[(1 - (1-theta)^N)/theta] by quadrature."""
    N = mp.mpf(N)
    return beta_mean(g, c, lambda t: -mp.expm1(N * mp.log1p(-t)) / t, N,
                     [1 / N, 1 / mp.mpf(c), 1 / (N + c)])


def stieltjes(g, c, r):
    """2F1(1, c; g+c; 1/(1+r))/(1+r) = E[1/(r + theta)], theta ~ Beta(g, c) (eq. 14's 2F1)."""
    g, c, r = mp.mpf(g), mp.mpf(c), mp.mpf(r)
    if r == 0:  # Gauss's sum, g > 1
        return (c + g - 1) / (g - 1)
    if r < 0.1 and max(g, c) <= 1e6:
        return mp.hyp2f1(1, c, g + c, 1 / (1 + r)) / (1 + r)
    # r >= 0.1 or huge parameters: the 2F1's own series, ratio <= 1/(1 + r) (mpmath's hyp2f1
    # spends minutes and then gives up at g = 6570, c = 37831, r = 0.1, or c = 1e12, r = 1e-4)
    steps = 140 / float(-mp.log(min(mp.mpf(1) - mp.mpf(10) ** -30, (c + 1) / (c + g + 1))
                               / (1 + r)))
    if steps > 3e6:
        raise ValueError(f"stieltjes({g}, {c}, {r}): the series needs {steps:.3g} terms")
    with mp.workdps(60):
        s, term, k = mp.mpf(0), 1 / (1 + r), 1
        while term > s * mp.mpf(10) ** -58:
            s += term
            term *= (c + k - 1) / ((c + g + k - 1) * (1 + r))
            k += 1
    return +s


def stieltjes_check(g, c, r):
    r = mp.mpf(r)
    if r == 0:
        return beta_mean(g, c, lambda t: 1 / t, mp.inf, [1 / mp.mpf(c)])  # not used: g > 1 only
    return beta_mean(g, c, lambda t: 1 / (r + t), 1 / r, [r, 1 / mp.mpf(c)])


def expected_new(params, n):
    """E[X(n)] (eq. 8) and its g = 1 limit."""
    a, b, g, d = _mp(params)
    with mp.workdps(100):
        if g == 1:
            v = d * (mp.digamma(1 + d + n) - mp.digamma(1 + d))
        else:
            lq = mp.loggamma(g + d) + mp.loggamma(1 + d + n) - mp.loggamma(g + d + n) \
                - mp.loggamma(1 + d)
            v = d / (g - 1) * -mp.expm1(lq)
        v *= a / (a + b)
    return +v


def expected_new_check(params, n):
    """a/(a+b) E[(1-theta)(1-(1-theta)^n)/theta], theta ~ Beta(g, d), by quadrature."""
    a, b, g, d = _mp(params)
    n = mp.mpf(n)
    v, err = beta_mean(g, d, lambda t: (1 - t) * -mp.expm1(n * mp.log1p(-t)) / t, n,
                       [1 / n, 1 / (n + d), 1 / (1 + d)])
    return v * a / (a + b), err * a / (a + b)


def pmf(params, n, x):
    """P(X(n) = x) (eq. 7), the sum's terms by their ratios."""
    a, b, g, d = _mp(params)
    lab, lgd = common.log_beta(a, b), common.log_beta(g, d)
    first = mp.exp(mp.log(mp.binomial(n, x)) + common.log_beta(a + x, b + n - x) - lab
                   + common.log_beta(g, d + n) - lgd)
    term = mp.exp(common.log_beta(a + x, b) - lab + common.log_beta(g + 1, d + x) - lgd)  # i = x: C(x, x) = 1
    s = mp.mpf(0)
    for i in range(x, n):
        s += term
        term *= (mp.mpf(i + 1) / (i + 1 - x) * (b + i - x) / (a + b + i)
                 * (d + i) / (g + d + i + 1))
    return first + s


def pmf_check(params, n, x):
    a, b, g, d = _mp(params)
    lab, lgd = common.log_beta(a, b), common.log_beta(g, d)

    def lchoose(N, k):
        return mp.loggamma(N + 1) - mp.loggamma(k + 1) - mp.loggamma(N - k + 1)

    terms = [mp.exp(lchoose(n, x) + common.log_beta(a + x, b + n - x) - lab + common.log_beta(g, d + n) - lgd)]
    terms += [mp.exp(lchoose(i, x) + common.log_beta(a + x, b + i - x) - lab + common.log_beta(g + 1, d + i) - lgd)
              for i in range(x, n)]
    return mp.fsum(terms)


# ---- the grid -------------------------------------------------------------------------------

def _region(realistic_params, *, n=0, x=0, horizon=0):
    ok = realistic_params and n <= 100 and x <= 100 and horizon <= 1000
    return "realistic" if ok else "extreme"


def _quad_tol(value, err):
    """The stated tolerance of a quadrature check: its error estimate, at least 1e-25."""
    return max(common.CHECK_TOLERANCE, float(20 * err / abs(value)) if value else 1.0)


def _label(set_label, extra=None):
    return set_label if extra is None else f"{set_label}; {extra}"


def customer_task(set_label, params, full, realistic, n):
    """All per-customer records of one parameter set at n opportunities."""
    a, b, g, d = _mp(params)
    out = []
    horizons = HORIZONS if full else HORIZONS_REDUCED
    discounts = DISCOUNTS + ([0.0] if g > 1 else [])
    c = d + n + 1
    lab, lgd = common.log_beta(a, b), common.log_beta(g, d)
    sums = {N: theta_sum(g, c, N) for N in horizons}
    sums_check = {N: theta_sum_check(g, c, N) for N in horizons}
    stj = {r: stieltjes(g, c, r) for r in discounts}
    stj_check = {r: (stieltjes_check(g, c, r) if r > 0 else None) for r in discounts}
    gc = mp.exp(common.log_beta(g, c) - lgd)  # B(g, d+n+1)/B(g, d)
    for x, t in patterns(n, full):
        L, first = likelihood(params, x, t, n)
        Lc = likelihood_check(params, x, t, n) if (full or n - t <= CHECK_TERMS) else None
        cust = {"frequency": x, "recency": t}
        reg = _region(realistic, n=n, x=x)
        out.append(common.record(MODEL, "individual_log_likelihood", params,
                                 {**cust, "T": n}, mp.log(L), reg, set_label,
                                 check=None if Lc is None else mp.log(Lc)))
        alive = first * (d + n) / (g + d + n) / L
        alive_c = None
        if Lc is not None:
            alive_c = mp.exp(common.log_beta(a + x, b + n - x) - lab + common.log_beta(g, d + n + 1) - lgd) / Lc
        out.append(common.record(MODEL, "p_alive", params, {**cust, "n_periods": n}, alive,
                                 reg, set_label, check=alive_c))
        pre = mp.exp(common.log_beta(a + x + 1, b + n - x) - lab) * gc / L
        pre_c = None
        if Lc is not None:
            pre_c = mp.exp(common.log_beta(a + x + 1, b + n - x) - lab + common.log_beta(g, c) - lgd) / Lc
        for N in horizons:
            v = pre * sums[N]
            extra = None
            if g == 1 or abs(g - 1) <= 2e-9:
                extra = "N2; cause 4" if N > 10**6 else None
            chk, tol = None, None
            if pre_c is not None:
                q, err = sums_check[N]
                chk, tol = pre_c * q, _quad_tol(q, err)
            out.append(common.record(MODEL, "expected_purchases", params,
                                     {"t": N, **cust, "n_periods": n}, v,
                                     _region(realistic, n=n, x=x, horizon=N),
                                     _label(set_label, extra), check=chk, check_tolerance=tol))
        for r in discounts:
            v = pre * stj[r]
            extra = "cause 5" if (r == 1e-4 and t == n == 10**4 and x in (2, 10**4)) else None
            chk, tol = None, None
            if pre_c is not None and stj_check[r] is not None:
                q, err = stj_check[r]
                chk, tol = pre_c * q, _quad_tol(q, err)
            out.append(common.record(MODEL, "discounted_expected_residual_transactions", params,
                                     {"discount_rate": r, **cust, "n_periods": n}, v, reg,
                                     _label(set_label, extra), check=chk, check_tolerance=tol))
    # P(X(n) = x) of a new customer over n opportunities
    for x in sorted({x for x in XS if x <= n} | {n}):
        v = pmf(params, n, x)
        chk = pmf_check(params, n, x) if (full or n <= 1000) else None
        out.append(common.record(MODEL, "probability_of_purchases", params, {"n": x, "t": n}, v,
                                 _region(realistic, x=x, horizon=n), set_label, check=chk))
    return out


def new_customer_task(set_label, params, full, realistic):
    """E[X(n)] of a new customer over the horizons."""
    out = []
    for n in HORIZONS if full else HORIZONS_REDUCED:
        v = expected_new(params, n)
        q, err = expected_new_check(params, n)
        g = params[2]
        extra = "N2; cause 4" if (n > 10**6 and abs(g - 1) <= 2e-9) else None
        out.append(common.record(MODEL, "expected_purchases_new_customer", params, {"t": n}, v,
                                 _region(realistic, horizon=n), _label(set_label, extra),
                                 check=q, check_tolerance=_quad_tol(q, err)))
    return out


def cases(quick=False):
    if quick:
        # the points and a few realistic ones: seconds
        yield from _quick_cases()
        return
    for label, params, full, realistic in param_sets():
        yield functools.partial(new_customer_task, label, params, bool(full), realistic)
        for n in NS if full is not None else [6, 100]:
            yield functools.partial(customer_task, label, params, bool(full), realistic, n)


def _quick_cases():
    fit = FIT
    g1 = (FIT[0], FIT[1], 1.0, FIT[3])
    # N2: gamma = 1, (x, t_x, n) = (2, 4, 6), n* = 1e6 + 1 and 5e6; E[X(2e6)]
    for N in (10**6 + 1, 5 * 10**6):
        L, _ = likelihood(g1, 2, 4, 6)
        a, b, g, d = _mp(g1)
        pre = mp.exp(common.log_beta(a + 3, b + 4) - common.log_beta(a, b) + common.log_beta(g, d + 7) - common.log_beta(g, d)) / L
        yield common.record(MODEL, "expected_purchases", g1,
                            {"t": N, "frequency": 2, "recency": 4, "n_periods": 6},
                            pre * theta_sum(1, d + 7, N), "realistic" if N <= 1000 else "extreme",
                            "gamma=1; N2; cause 4")
    yield common.record(MODEL, "expected_purchases_new_customer", g1, {"t": 2 * 10**6},
                        expected_new(g1, 2 * 10**6), "extreme", "gamma=1; N2; cause 4")
    for x, t in [(6, 6), (2, 4), (0, 0)]:
        L, first = likelihood(fit, x, t, 6)
        a, b, g, d = _mp(fit)
        yield common.record(MODEL, "p_alive", fit, {"frequency": x, "recency": t, "n_periods": 6},
                            first * (d + 6) / (g + d + 6) / L, "realistic", "fit")
        yield common.record(MODEL, "individual_log_likelihood", fit,
                            {"frequency": x, "recency": t, "T": 6}, mp.log(L), "realistic", "fit")
    for x in range(7):
        yield common.record(MODEL, "probability_of_purchases", fit, {"n": x, "t": 6},
                            pmf(fit, 6, x), "realistic", "fit")


def verify(quick=True):
    """(label, value, check[, tolerance]) from the two methods and the model's identities."""
    out = []
    fit = FIT
    # 1. sum over all 2^n purchase strings of the likelihood = 1 (n = 6 and 11)
    for n in (6, 11) if not quick else (6,):
        tot = likelihood(fit, 0, 0, n)[0]
        for t in range(1, n + 1):
            for x in range(1, t + 1):
                tot += mp.binomial(t - 1, x - 1) * likelihood(fit, x, t, n)[0]
        out.append((f"sum of L over strings, n={n}", tot, 1))
    # 2. P(X(n)=x) = sum_t C(t-1, x-1) L(x, t, n); sum_x P = 1; sum_x x P = E[X(n)]
    n = 11
    probs = [pmf(fit, n, x) for x in range(n + 1)]
    for x in (0, 1, 4, 11):
        direct = (likelihood(fit, 0, 0, n)[0] if x == 0 else
                  mp.fsum(mp.binomial(t - 1, x - 1) * likelihood(fit, x, t, n)[0]
                          for t in range(x, n + 1)))
        out.append((f"P(X({n})={x}) by strings", probs[x], direct))
    out.append((f"sum P(X({n})=x)", mp.fsum(probs), 1))
    out.append((f"sum x P(X({n})=x) = E[X({n})]", mp.fsum(x * p for x, p in enumerate(probs)),
                expected_new(fit, n)))
    # 3. the direct-term check of the recurrences, at a long sum
    params = (FIT[0], FIT[1] * 1e4, FIT[2], FIT[3])
    out.append(("L by terms, beta x1e4, (1, 1, 1000)", likelihood(params, 1, 1, 1000)[0],
                likelihood_check(params, 1, 1, 1000)))
    out.append(("P(X(1000)=5) by terms, beta x1e4", pmf(params, 1000, 5),
                pmf_check(params, 1000, 5)))
    # 4. the theta sums against quadrature: N2 (gamma = 1, n* = 1e6 + 1), gamma = 1 + 2e-9,
    #    cause 5 (gamma = 6.57e-5, c = delta + 1e4 + 1, d = 1e-4), all x1e4
    for g, c, N in [(1.0, FIT[3] + 7, 10**6 + 1), (1 + 2e-9, FIT[3] + 7, 5 * 10**6),
                    (6.57e-5, FIT[3] + 10**4 + 1, 10**7)]:
        q, err = theta_sum_check(g, c, N)
        out.append((f"theta sum g={g!r} c={c!r} N={N}", theta_sum(g, c, N), q, _quad_tol(q, err)))
    for g, c, r in [(6.57e-5, FIT[3] + 10**4 + 1, 1e-4), (6570, 27830 + 10**4 + 1, 1e-4),
                    (FIT[2], FIT[3] + 7, 0.1)]:
        q, err = stieltjes_check(g, c, r)
        out.append((f"2F1 g={g!r} c={c!r} r={r!r}", stieltjes(g, c, r), q, _quad_tol(q, err)))
    q, err = expected_new_check(fit, 10**7)
    out.append(("E[X(1e7)] by quadrature", expected_new(fit, 10**7), q, _quad_tol(q, err)))
    return out
