// SPDX-License-Identifier: Apache-2.0
// ltv/detail/pareto_nbd/series.hpp — F = ₂F₁(1, b; c; z) with its partial derivatives, the
// function in every Pareto/NBD likelihood and P(alive) term (ltv/pareto_nbd.hpp derives it): the
// series of positive terms, and Euler's integral (a Beta-Stieltjes transform) for z near 1.
#pragma once

#include <algorithm>
#include <cmath>

#include "ltv/detail/special.hpp"

namespace ltv::detail {

/// F = ₂F₁(1, b; c; z) and its partial derivatives.
struct pnbd_f {
    double F = 1, Fb = 0, Fc = 0, Fz = 0;
};

/// (i) The series Σₙ (b)ₙ/(c)ₙ zⁿ, 0 < b < c, 0 ≤ z < 1: positive terms with ratios
/// z(b+n)/(c+n) < z, so no cancellation. ∂/∂b and ∂/∂c of each term are the term times
/// Σ_{k<n} 1/(b+k) and −Σ_{k<n} 1/(c+k); ∂/∂z is n·term/z. ok = false when max_terms were not
/// enough (z close to 1 with c − b small).
inline pnbd_f pnbd_series(double b, double c, double z, bool grad, int max_terms, bool& ok) {
    pnbd_f f;
    double term = 1, hb = 0, hc = 0, nz = 0;
    ok = false;
    for (int n = 0; n < max_terms; ++n) {
        const double dn = n;
        const double ratio = z * (b + dn) / (c + dn);
        if (grad) {
            hb += 1 / (b + dn);
            hc += 1 / (c + dn);
        }
        term *= ratio;
        f.F += term;
        if (grad) {
            f.Fb += term * hb;
            f.Fc -= term * hc;
            nz += (dn + 1) * term;
        }
        // Remaining tail ≤ term·ρ/(1−ρ) with ρ ≤ z·(b+n+1)/(c+n+1) < z; the derivative sums
        // carry extra factors ≤ n+1 and log n, so stop with margin for them.
        const double rho = z * (b + dn + 1) / (c + dn + 1);
        if (term * (dn + 2) <= 1e-17 * (1 - rho) * (1 - rho) * f.F) {
            ok = true;
            break;
        }
    }
    f.Fz = z > 0 ? nz / z : b / c;
    return f;
}

/// (ii) z close to 1, where the series would need more than a few thousand terms (β ≫ α + T
/// or α ≫ β + T, e.g. a fit drifting towards β → ∞): Euler's integral makes F a Beta-Stieltjes
/// transform, F = (1 + w) E[1/(w + θ)], θ ~ Beta(c − b, b), w = (1 − z)/z, evaluated to
/// rounding error at bounded cost by detail::beta_stieltjes (ltv/detail/special.hpp). Its
/// derivatives are central differences with relative steps 1e−5 (≈ 1e−10 relative error: far
/// below what the optimiser's gradient test resolves; F itself stays exact). This replaced a
/// tanh-sinh quadrature of that integral that cost ~1 ms per row: a Pareto/NBD fit whose β ran
/// off to 1e5 spent seconds per evaluation (defect D4). The caller passes, computed from the
/// parameters, a = c − b (s, s + 1, r + x + 1 or r + x: c − b itself loses them when s ≫ r + x)
/// and w = (1 − z)/z = (min(α, β) + t)/|α − β| for z = |α − β|/(max(α, β) + t): from z, 1 − z
/// would keep only ~ε/(1 − z) relative accuracy (none at all when β ≈ 1e17 ≫ α + T).
inline pnbd_f pnbd_beta(double b, double a, double z, double w, bool grad) {
    auto F = [](double bb, double aa, double ww) { return (1 + ww) * beta_stieltjes(aa, bb, ww); };
    pnbd_f f;
    f.F = F(b, a, w);
    if (grad) {  // c = a + b: ∂/∂b at fixed c moves a the other way
        const double hb = 1e-5 * std::min(b, a), ha = 1e-5 * a, hw = 1e-5 * w;
        f.Fb = (F(b + hb, a - hb, w) - F(b - hb, a + hb, w)) / (2 * hb);
        f.Fc = (F(b, a + ha, w) - F(b, a - ha, w)) / (2 * ha);
        f.Fz = -(F(b, a, w + hw) - F(b, a, w - hw)) / (2 * hw) / (z * z);  // dw/dz = −1/z²
    }
    return f;
}

/// ₂F₁(1, b; c; z): the series when it converges within a few thousand terms, else (ii). For
/// z ≥ 0.9 the series is not even tried when its term of degree N = 4000, (b)_N/(c)_N z^N, would
/// still fail its stopping test (with F ≥ 1): it would fail after N terms anyway. (Below 0.9,
/// z^N < 1e−180: the test is skipped, it costs four log-gammas.) Kept out of line: the batch
/// loops call it only for rows beyond their polynomials, and inlined it slowed their hot path.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
inline pnbd_f
pnbd_hyp(double b, double c, double cb, double z, double w, bool grad) {
    if (z == 0) return {1, 0, 0, b / c};
    constexpr int max_terms = 4000;
    constexpr double N = max_terms;
    auto series_may_converge = [&] {
        const double rho = z * (b + N) / (c + N);
        const double log_term =
            N * std::log(z) + (log_gamma(b + N) - log_gamma(b)) - (log_gamma(c + N) - log_gamma(c));
        return log_term + std::log(N + 2) - 2 * std::log1p(-rho) <= std::log(1e-17);
    };
    if (z < 0.9 || series_may_converge()) {
        bool ok;
        const pnbd_f f = pnbd_series(b, c, z, grad, max_terms, ok);
        if (ok) return f;
    }
    return pnbd_beta(b, cb, z, w, grad);
}

}  // namespace ltv::detail
