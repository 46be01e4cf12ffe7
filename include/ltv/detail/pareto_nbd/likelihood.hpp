// SPDX-License-Identifier: Apache-2.0
// ltv/detail/pareto_nbd/likelihood.hpp — log L, P(alive) and the gradient of log L of one
// customer (the formulas of ltv/pareto_nbd.hpp's header comment).
//
// Part of ltv/pareto_nbd.hpp, which includes it after defining pareto_nbd_params (used here):
// include ltv/pareto_nbd.hpp, not this file.
#pragma once

#include <algorithm>
#include <cmath>

#include <boost/math/special_functions/digamma.hpp>

#include "ltv/detail/pareto_nbd/series.hpp"
#include "ltv/detail/special.hpp"

namespace ltv::detail {

/// Everything about one customer that the likelihood and P(alive) need.
struct pnbd_eval {
    double log_L = 0;
    double alive = 1;
};

/// log L (and optionally ∂ log L/∂(r, α, s, β) in natural parameters) of one customer; see
/// ltv/pareto_nbd.hpp's header comment for the formulas.
inline pnbd_eval pnbd_evaluate(const pareto_nbd_params& p, double x, double t_x, double T,
                               double* grad) {
    // T = 0 (then x = t_x = 0): nothing observed, L = 1 for every parameter — log L = 0 with a
    // zero gradient, and P(alive) = 1 (an exponential lifetime has no atom at 0). The general
    // form has a₁ + a₂ = R there only analytically (r·F_A·β/α + s·F_G, two ₂F₁ at z = |α−β|/
    // max(α, β)); computed it gives 0 and 1 to rounding only (and to ~1e-15 where z → 1 takes
    // the Beta-Stieltjes path).
    if (T == 0) {
        if (grad) grad[0] = grad[1] = grad[2] = grad[3] = 0;
        return {};
    }
    const double r = p.r, a = p.alpha, s = p.s, b = p.beta;
    const bool want = grad != nullptr;
    const bool ab = a >= b;  // which parameter the series expands around (ltv/pareto_nbd.hpp)
    const double rx = r + x, R = rx + s, c = R + 1;
    const double aT = a + T, bT = b + T, at = a + t_x, bt = b + t_x;
    const double diff = std::abs(a - b);
    const double zT = ab ? diff / aT : diff / bT;
    const double zx = ab ? diff / at : diff / bt;
    const double mn = ab ? b : a;  // (1 − z)/z = (min(α, β) + t)/|α − β|
    const double bA = ab ? rx + 1 : s, bG = ab ? rx : s + 1;
    const double cbA = ab ? s : rx + 1, cbG = ab ? s + 1 : rx;  // c − b, exactly
    const pnbd_f FA = pnbd_hyp(bA, c, cbA, zT, (mn + T) / diff, want);
    const pnbd_f FG = pnbd_hyp(bG, c, cbG, zx, (mn + t_x) / diff, want);
    const double lA = std::log1p((T - t_x) / at), lB = std::log1p((T - t_x) / bt);
    const double D = rx * lA + s * lB;
    const double log_rho = ab ? std::log(bT / aT) : 0.0;
    const double log_sigma = ab ? 0.0 : std::log(at / bt);
    const double l1 = std::log(rx) + log_rho + std::log(FA.F);
    const double l2 = std::log(s) + log_sigma + std::log(FG.F) + D;
    const double mx = std::max(l1, l2);
    const double e1 = std::exp(l1 - mx), e2 = std::exp(l2 - mx);
    const double lse = mx + std::log(e1 + e2);
    pnbd_eval out;
    out.log_L = detail::log_gamma(rx) - detail::log_gamma(r) + r * std::log(a) + s * std::log(b) -
                rx * std::log(aT) - s * std::log(bT) - std::log(R) + lse;
    out.alive = std::min(1.0, std::exp(std::log(R) - lse));
    if (want) {
        const double w1 = e1 / (e1 + e2), w2 = e2 / (e1 + e2);
        // ∂z/∂α, ∂z/∂β at T and at t_x.
        double zTa, zTb, zxa, zxb;
        if (ab) {
            zTa = bT / (aT * aT), zTb = -1 / aT;
            zxa = bt / (at * at), zxb = -1 / at;
        } else {
            zTa = -1 / bT, zTb = aT / (bT * bT);
            zxa = -1 / bt, zxb = at / (bt * bt);
        }
        const double iA = 1 / FA.F, iG = 1 / FG.F;
        // ∂ ln F/∂θ: b depends on r (α ≥ β) or s (α < β); c = r+s+x+1.
        const double fA_r = (FA.Fc + (ab ? FA.Fb : 0)) * iA, fA_s = (FA.Fc + (ab ? 0 : FA.Fb)) * iA;
        const double fG_r = (FG.Fc + (ab ? FG.Fb : 0)) * iG, fG_s = (FG.Fc + (ab ? 0 : FG.Fb)) * iG;
        const double fA_a = FA.Fz * zTa * iA, fA_b = FA.Fz * zTb * iA;
        const double fG_a = FG.Fz * zxa * iG, fG_b = FG.Fz * zxb * iG;
        const double rho_a = ab ? -1 / aT : 0, rho_b = ab ? 1 / bT : 0;
        const double sig_a = ab ? 0 : 1 / at, sig_b = ab ? 0 : -1 / bt;
        const double D_a = rx * (1 / aT - 1 / at), D_b = s * (1 / bT - 1 / bt);
        const double g_r = w1 * (1 / rx + fA_r) + w2 * (fG_r + lA);
        const double g_a = w1 * (rho_a + fA_a) + w2 * (sig_a + fG_a + D_a);
        const double g_s = w1 * fA_s + w2 * (1 / s + fG_s + lB);
        const double g_b = w1 * (rho_b + fA_b) + w2 * (sig_b + fG_b + D_b);
        grad[0] = boost::math::digamma(rx) - boost::math::digamma(r) + std::log(a) -
                  std::log(aT) - 1 / R + g_r;
        grad[1] = r / a - rx / aT + g_a;
        grad[2] = std::log(b) - std::log(bT) - 1 / R + g_s;
        grad[3] = s / b - s / bT + g_b;
    }
    return out;
}

}  // namespace ltv::detail
