// SPDX-License-Identifier: Apache-2.0
// ltv/detail/pareto_nbd/expectations.hpp — the expectations given P(alive): h(s, u) of the
// expected purchases E[Y(t) | x, t_x, T] and E[X(t)], and j(s, k) of the discounted expected
// residual transactions (DERT).
//
// Part of ltv/pareto_nbd.hpp, which includes it after defining pareto_nbd_params (used here):
// include ltv/pareto_nbd.hpp, not this file.
#pragma once

#include <cmath>

#include <boost/math/special_functions/gamma.hpp>

namespace ltv::detail {

/// h(s, u) = (1 − (1+u)^(1−s))/(s−1) = ln(1+u)·expm1(k)/k, k = (1−s) ln(1+u): regular at s = 1.
inline double pnbd_h(double s, double u) {
    const double L = std::log1p(u), k = (1 - s) * L;
    return k == 0 ? L : L * std::expm1(k) / k;
}

/// j(s, k) = E_{g~Gamma(s,1)}[1/(k+g)] = k^(s−1) e^k Γ(1−s, k), k > 0, with everything that
/// depends on s alone computed once (a batch evaluates it per row with one context):
///  k + s ≥ 1e17: 1/(k + s) (see operator()).
///  k ≥ 1 or s ≥ 10: Legendre's continued fraction for Γ(1−s, k) (modified Lentz), which then
///    converges in ≲ 100 steps.
///  otherwise, s ∈ (0, 1.5]: a = 1−s ∈ [−0.5, 1), and
///    Γ(a, k) = [Γ(1+a) − 1 − expm1(a ln k)]/a − k^a Σₙ≥₁ (−k)ⁿ/(n!(a+n)),
///    which is Γ(a) − γ(a, k) with the poles of Γ(a) and k^a/a at a = 0 cancelled analytically
///    (Boost's tgamma1pm1 and expm1 keep the difference accurate; a = 0 gives E₁(k)). The sum
///    is a polynomial in k with coefficients qₙ = (−1)ⁿ/(n!(a+n)); for k < 1 its terms after
///    n = 20 are below 2e−20·k while |Σ| ≥ k/6, so degree pnbd_j_degree always suffices.
///  s > 1.5 (and k < 1): the upward recurrence j(s+1) = (1 − k j(s))/s from s₀ ∈ (0.5, 1.5]:
///    stable (errors shrink by k/s < 1 per step) and 1 − k j stays away from 0 for s ≥ 0.5.
constexpr int pnbd_j_degree = 22;

struct pnbd_j_ctx {
    double s = 1, s0 = 1, a = 0, g1 = 0;
    int steps = 0;
    bool a_zero = true;
    double q[pnbd_j_degree + 1] = {};

    explicit pnbd_j_ctx(double s_) : s(s_), s0(s_) {
        if (s < 10) {  // the series branch can be reached: s₀ and its s-only constants
            // (only here: for s ≥ 10 the continued fraction serves every k, and counting
            // s₀ down from s = 1e9 took seconds, from s ≥ 2⁵³ forever: defect D4)
            while (s0 > 1.5) {  // at most 9 steps
                s0 -= 1;
                ++steps;
            }
            a = 1 - s0;
            a_zero = std::abs(a) < 1e-12;
            g1 = a_zero ? 0.0 : boost::math::tgamma1pm1(a);
            double inv_fact = 1;
            for (int n = 1; n <= pnbd_j_degree; ++n) {
                inv_fact /= -static_cast<double>(n);
                q[n] = inv_fact / (a + n);
            }
        }
    }

    double operator()(double k) const {
        // k + s ≥ 1e17: j = 1/(k+s) · (1 + s/(k+s)² + …) (expansion about the mean of g), and
        // the correction is below 1/(k+s) ≤ 1e−17; the continued fraction's coefficients
        // i(i−1+s) would overflow for s near the double range.
        if (k + s >= 1e17) return 1 / (k + s);
        if (k >= 1 || s >= 10) {
            constexpr double tiny = 1e-300;
            double bb = k + s, C = 1 / tiny, Dd = 1 / bb, h = Dd;
            for (int i = 1; i < 100000; ++i) {
                const double an = -static_cast<double>(i) * (i - 1 + s);
                bb += 2;
                Dd = an * Dd + bb;
                if (std::abs(Dd) < tiny) Dd = tiny;
                C = bb + an / C;
                if (std::abs(C) < tiny) C = tiny;
                Dd = 1 / Dd;
                const double del = Dd * C;
                h *= del;
                if (std::abs(del - 1) < 1e-16) break;
            }
            return h;
        }
        const double lk = std::log(k), em = std::expm1(a * lk);
        // Γ(a) − k^a/a, regular at a = 0 (where it is −γ_E − ln k).
        const double head = a_zero ? -0.57721566490153286061 - lk : (g1 - em) / a;
        double sum = q[pnbd_j_degree];
        for (int n = pnbd_j_degree - 1; n >= 1; --n) sum = sum * k + q[n];
        sum *= k;
        // j = e^k [k^(−a)·head − Σ], k^(−a) = 1/(1 + expm1(a ln k)).
        double j = std::exp(k) * (head / (1 + em) - sum);
        double sj = s0;
        for (int i = 0; i < steps; ++i) {
            j = (1 - k * j) / sj;
            sj += 1;
        }
        return j;
    }
};

inline double pnbd_j(double s, double k) { return pnbd_j_ctx(s)(k); }

/// E[Y(t) | x, t_x, T] given P(alive).
inline double pnbd_conditional(const pareto_nbd_params& p, double alive, double t, double x,
                               double T) {
    const double bT = p.beta + T;
    return alive * (p.r + x) / (p.alpha + T) * bT * pnbd_h(p.s, t / bT);
}

/// DERT of a row given P(alive) (see ltv/pareto_nbd.hpp's header comment).
inline double pnbd_dert(const pareto_nbd_params& p, const pnbd_j_ctx& J, double delta,
                        double alive, double x, double T) {
    const double bT = p.beta + T;
    return alive * (p.r + x) / (p.alpha + T) * bT * J(delta * bT);
}

}  // namespace ltv::detail
