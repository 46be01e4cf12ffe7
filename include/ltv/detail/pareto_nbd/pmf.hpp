// SPDX-License-Identifier: Apache-2.0
// ltv/detail/pareto_nbd/pmf.hpp — the "died before t" term of P(X(t) = n) by tanh-sinh quadrature
// (only probability_of_purchases needs it, and only it needs Boost's quadrature).
//
// Part of ltv/pareto_nbd.hpp, which includes it after defining pareto_nbd_params (used here):
// include ltv/pareto_nbd.hpp, not this file.
#pragma once

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include <boost/math/quadrature/tanh_sinh.hpp>

namespace ltv::detail {

/// The "died at τ < t" term of P(X(t) = n) (Fader & Hardie 2006):
///   (s/β) ∫₀ᵗ NB(n; r, α/(α+τ)) (1 + τ/β)^−(s+1) dτ,
/// NB(n; r, p) = e^lnb pʳ (1−p)ⁿ, lnb = ln[Γ(r+n)/(Γ(r) n!)]. The integrand's logarithm
///   g(τ) = −r ln(1+τ/α) − n ln(1+α/τ) − (s+1) ln(1+τ/β)
/// has g'(τ)·τ(α+τ)(β+τ) = −(r+s+1)τ² + (nα − rβ − (s+1)α)τ + nαβ, a quadratic with one
/// positive root for n ≥ 1: the integrand is unimodal with its mode τₘ at that root (at 0 for
/// n = 0). Its width σ = (−g''(τₘ))^−½ is ~ τₘ/√n, so for large n or r (a sharp Gamma-Poisson
/// count, issue 9: r = 5534, n = 3000, t = 39 gave 8.5e−8 for 5.2e−5) the peak is narrow, and
/// one tanh-sinh over [0, t] steps over it. So an interior mode narrower than t/64 splits
/// [0, t] at τₘ and τₘ ± 6σ (tanh-sinh resolves a peak at the end of an interval to any
/// narrowness; wider peaks, as at realistic parameters, keep the single interval); the integrand is
/// scaled by e^−g(τ*) at its largest point τ* = min(τₘ, t) (no underflow of the peak, and
/// exp never overflows). error receives the pieces' error estimates (absolute, of the term).
inline double pnbd_pmf_died(const pareto_nbd_params& p, double t, double n, double lnb,
                            double& error) {
    const double r = p.r, a = p.alpha, s = p.s, b = p.beta;
    // g up to a constant, with plain logs (log1p and its divisions made P(X(t) = n) 40 % slower):
    // the ratios e^(g(τ) − g(τ*)) keep a relative error ~ 1e−16·(n + r + s)·|ln τ|, so it is
    // used for n + r + s ≤ 1000 only
    auto g_fast = [&](double tau) {
        const double v = -(r + n) * std::log(a + tau) - (s + 1) * std::log(b + tau);
        return n > 0 ? v + n * std::log(tau) : v;
    };
    // g itself, accurately (the scale factor: large n, r, s would cancel in g_fast's constant)
    auto g = [&](double tau) {
        const double v = -r * std::log1p(tau / a) - (s + 1) * std::log1p(tau / b);
        return n > 0 ? v - n * std::log1p(a / tau) : v;
    };
    double mode = 0, sd = 0;
    if (n > 0) {  // the positive root of A τ² − B τ − nαβ, without cancellation
        const double A = r + s + 1, B = n * a - r * b - (s + 1) * a, C = n * a * b;
        const double disc = std::sqrt(B * B + 4 * A * C);
        mode = B >= 0 ? (B + disc) / (2 * A) : 2 * C / (disc - B);
        const double am = a + mode, bm = b + mode;
        const double curv = n * a * (a + 2 * mode) / (mode * mode * am * am) - r / (am * am) -
                            (s + 1) / (bm * bm);
        sd = curv > 0 && std::isfinite(curv) ? 1 / std::sqrt(curv) : mode;
    }
    const double top = n > 0 && mode > 0 ? std::min(mode, t) : n > 0 ? t : 0.0;
    const bool fast = n + r + s <= 1000;
    const double g_top = n > 0 ? g(top) : 0.0, gf_top = fast ? g_fast(top) : g_top;
    double cuts[6];
    int k = 0;
    cuts[k++] = 0;
    if (n > 0 && mode < t && 64 * sd < t)  // (a wider peak: one interval resolves it)
        for (double c : {mode - 6 * sd, mode, mode + 6 * sd})
            if (c > cuts[k - 1] && c < t) cuts[k++] = c;
    cuts[k++] = t;
    auto f = [&](double tau) {
        if (!(tau > 0)) return n == 0 ? 1.0 : 0.0;
        return std::exp((fast ? g_fast(tau) : g(tau)) - gf_top);
    };
    // One integrator for the process (its abscissa tables are built once; integrate is const
    // and thread-safe, as for detail::bg_tail_quadrature).
    static boost::math::quadrature::tanh_sinh<double> integrator;
    double integral = 0;
    error = 0;
    // The two-argument integrand form: Boost 1.74's one-argument form on [a, b] with a ≠ 0
    // computes abscissae near a as avg + diff·z, which may round to a (and trips its assertion
    // in builds with assertions on); the two-argument form measures them from the end.
    auto f2 = [&](double tau, double) { return f(tau); };
    for (int i = 0; i + 1 < k; ++i) {
        double e = 0;
        integral += integrator.integrate(f2, cuts[i], cuts[i + 1], 1e-13, &e);
        error += e * 0.5 * (cuts[i + 1] - cuts[i]);  // (Boost 1.74 reports it for [−1, 1])
    }
    const double scale = s / b * std::exp(lnb + g_top);
    error *= scale;
    return scale * integral;
}

}  // namespace ltv::detail
