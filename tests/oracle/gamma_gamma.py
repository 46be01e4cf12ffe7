# SPDX-License-Identifier: Apache-2.0
"""Oracle of the Gamma-Gamma spend model, mpmath at 50 digits.

Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base analysis",
JMR 42(4) (the spend sub-model); Fader & Hardie (2013), "The Gamma-Gamma model of monetary
value". Transaction values are Gamma(p, rate nu), nu ~ Gamma(q, rate gamma); the mean z of x
transactions is Gamma(px, rate x nu), so
    f(z | x) = Gamma(px+q)/(Gamma(px) Gamma(q)) gamma^q x^(px) z^(px-1) / (gamma + x z)^(px+q),
    E[Z | x, z] = p E[1/nu | x, z] = p (gamma + x z)/(px + q - 1)   (posterior nu ~
                  Gamma(px + q, gamma + x z); finite when px + q > 1; the population mean
                  p gamma/(q - 1) at x = 0, finite when q > 1).

Each twice: the closed form (the truth) and the mixing integral over nu by quadrature
(``sbg.log_concave_quad`` in s = ln nu, where the integrand is log-concave):
    f(z | x)    = x^(px) z^(px-1) gamma^q / (Gamma(px) Gamma(q))
                  * int nu^(px+q-1) e^(-nu(gamma+xz)) dnu,
    E[Z | x, z] = p int nu^(px+q-2) e^(...) dnu / int nu^(px+q-1) e^(...) dnu.

The binding: ``ltv.GammaGamma([p, q, gamma])``, ``expected_spend(frequency, monetary_value)``
(``ltv_model_expected_spend``; ltv refuses q <= 1, where the population mean is infinite, with a
domain error) and ``individual_log_likelihood(frequency, monetary_value)`` (frequency > 0).

The grid (``cases``): the CDNOW fit p = 6.25, q = 3.74, gamma = 15.44 (FHL 2005; Fader & Hardie
2013), each parameter alone and all three at x1e-4 and x1e4, and the removable singularity q = 1
(of the population mean) exactly and at +-1e-12, +-1e-9 with the fit's p, gamma; frequency x in
{1, 2, 10, 1e3, 1e5, 1e9} and monetary value in {1e-3, 1, 35, 1e4, 1e6}, every combination (no
subsampling), plus x = 0 for the expected spend: 854 points, ~2 minutes of one core. Region
'realistic': the fit or a q-variant of it with x <= 100 (and, for the expected spend, q > 1);
everything else 'extreme'.
Expected-spend points with q <= 1 keep their finite conditional truth (ltv's error status is
what the sweep accepts there); where the truth is infinite (x = 0 with q <= 1, or px + q <= 1)
the value is +inf, so that only an error status passes.
"""

import functools

import mpmath as mp

import common
from sbg import log_concave_quad

mp.mp.dps = 50

MODEL = "GammaGamma"
FIT = (6.25, 3.74, 15.44)  # CDNOW, Fader, Hardie & Lee (2005)
FREQUENCIES = [1, 2, 10, 10**3, 10**5, 10**9]
MONETARY = [1e-3, 1.0, 35.0, 1e4, 1e6]
SINGULAR_Q = {"q=1": 1.0, "q=1+1e-12": 1 + 1e-12, "q=1-1e-12": 1 - 1e-12, "q=1+1e-9": 1 + 1e-9,
              "q=1-1e-9": 1 - 1e-9}


def log_likelihood(p, q, g, x, z):
    """ln f(z | x), the closed form."""
    p, q, g, x, z = (mp.mpf(v) for v in (p, q, g, x, z))
    px = p * x
    return (mp.loggamma(px + q) - mp.loggamma(px) - mp.loggamma(q) + q * mp.log(g)
            + px * mp.log(x) + (px - 1) * mp.log(z) - (px + q) * mp.log(g + x * z))


def _log_nu_integral(k, g, w):
    """ln int_0^inf nu^(k-1) e^(-nu (g + w)) dnu by quadrature in s = ln nu, k > 0."""
    c = g + w

    def L(s):
        return k * s - mp.exp(s) * c

    s_mode = mp.log(k / c)
    v, e = log_concave_quad(L, s_mode)
    return L(s_mode) + mp.log(v), e / v


def log_likelihood_check(p, q, g, x, z):
    """ln f(z | x) as the mixing integral over nu (returns (value, tolerance))."""
    p, q, g, x, z = (mp.mpf(v) for v in (p, q, g, x, z))
    px = p * x
    li, rel = _log_nu_integral(px + q, g, x * z)
    v = (px * mp.log(x) + (px - 1) * mp.log(z) + q * mp.log(g) - mp.loggamma(px)
         - mp.loggamma(q) + li)
    return v, max(1e-28, 10 * rel)


def expected_spend(p, q, g, x, z):
    """E[Z | x, z] = p (gamma + x z)/(px + q - 1); +inf where the posterior mean of 1/nu
    diverges (px + q <= 1)."""
    p, q, g, x, z = (mp.mpf(v) for v in (p, q, g, x, z))
    den = p * x + q - 1
    return mp.inf if den <= 0 else p * (g + x * z) / den


def expected_spend_check(p, q, g, x, z):
    """p E[1/nu | x, z] as a ratio of two quadratures over nu (returns (value, tolerance))."""
    p, q, g, x, z = (mp.mpf(v) for v in (p, q, g, x, z))
    k = p * x + q
    l1, r1 = _log_nu_integral(k - 1, g, x * z)
    l0, r0 = _log_nu_integral(k, g, x * z)
    return p * mp.exp(l1 - l0), max(1e-28, 10 * (r1 + r0))


def param_sets():
    """(label, [p, q, gamma], is_fit_or_singularity)."""
    out = [("CDNOW", list(FIT), True)]
    names = ("p", "q", "gamma")
    for s, tag in ((1e-4, "x1e-4"), (1e4, "x1e4")):
        for i, name in enumerate(names):
            params = list(FIT)
            params[i] *= s
            out.append((f"{name} {tag}", params, False))
        out.append((f"all {tag}", [v * s for v in FIT], False))
    for tag, q in SINGULAR_Q.items():
        out.append((tag, [FIT[0], q, FIT[2]], True))
    return out


def _point_spend(label, params, fit, x, z):
    v = expected_spend(*params, x, z)
    kwargs = {"frequency": float(x), "monetary_value": float(z)}
    region = "realistic" if fit and x <= 100 and params[1] > 1 else "extreme"
    if v == mp.inf:
        return common.record(MODEL, "expected_spend", params, kwargs, v, "extreme",
                             f"{label}, infinite mean")
    if x == 0:  # the population mean: nothing to integrate
        return common.record(MODEL, "expected_spend", params, kwargs, v, region, label)
    c, tol = expected_spend_check(*params, x, z)
    return common.record(MODEL, "expected_spend", params, kwargs, v, region, label, c, tol)


def _point_ll(label, params, fit, x, z):
    v = log_likelihood(*params, x, z)
    c, tol = log_likelihood_check(*params, x, z)
    region = "realistic" if fit and x <= 100 else "extreme"
    return common.record(MODEL, "individual_log_likelihood", params,
                         {"frequency": float(x), "monetary_value": float(z)}, v, region, label,
                         c, tol)


def _points(label, params, fit, x):
    """Every monetary value at one frequency (one task: the quadratures share nothing, but a
    task per row keeps the process pool's overhead small)."""
    out = []
    if x == 0:
        return [_point_spend(label, params, fit, 0, 0.0)]
    for z in MONETARY:
        out.append(_point_spend(label, params, fit, x, z))
        out.append(_point_ll(label, params, fit, x, z))
    return out


def cases(quick=False):
    sets = param_sets()
    if quick:
        sets = [s for s in sets if s[0] in ("CDNOW", "all x1e4", "q=1+1e-12")]
        for label, params, fit in sets:
            for x, z in ((1, 35.0), (10**9, 1e-3)):
                yield functools.partial(_point_spend, label, params, fit, x, z)
                yield functools.partial(_point_ll, label, params, fit, x, z)
        return
    for label, params, fit in sets:
        for x in [0] + FREQUENCIES:
            yield functools.partial(_points, label, params, fit, x)


def verify(quick=True):
    """(label, value, check, tolerance): the closed forms against the quadrature over nu (issue 9,
    cause 8: p x ~ 6e9)."""
    pts = [(6.25, 3.74, 15.44, 10**9, 35.0), (6.25e-4, 3.74e-4, 15.44e-4, 1, 1e-3)]
    if not quick:
        pts += [(62500.0, 3.74, 15.44, 10**9, 1e6), (6.25, 1 + 1e-12, 15.44, 2, 1.0)]
    out = []
    for p, q, g, x, z in pts:
        c, tol = log_likelihood_check(p, q, g, x, z)
        out.append((f"ln f(z={z} | x={x}), p={p}, q={q}, gamma={g}", log_likelihood(p, q, g, x, z),
                    c, tol))
        if p * x + q > 1:
            c, tol = expected_spend_check(p, q, g, x, z)
            out.append((f"E[Z | x={x}, z={z}], p={p}, q={q}, gamma={g}",
                        expected_spend(p, q, g, x, z), c, tol))
    return out
