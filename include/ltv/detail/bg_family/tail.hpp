// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family/tail.hpp — the expected-purchases integral
//   tail(A, a, β, s) = E_{p~Beta(a,β)}[(1 − (1+ps)^−A)/p]
// behind E[Y(t) | x, t_x, T] and E[X(t)] (ltv/detail/bg_family.hpp derives it): its Taylor
// series in s, the Pfaff-form series in z = s/(1+s), DLMF 15.8.4 and, for extreme parameters,
// the quadrature of tail_quadrature.hpp; bg_tail chooses among them. Then the conditional and
// the new-customer expectations.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "ltv/detail/bg_family/likelihood.hpp"
#include "ltv/detail/bg_family/tail_quadrature.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/hyp2f1.hpp"

namespace ltv::detail {

// ---- tail(A, a, β, s) = E_{p~Beta(a,β)}[(1 − (1+ps)^−A)/p] ---------------------------------

/// (i) Taylor series in s (|s| < 1): Σₙ≥₁ (−1)ⁿ⁺¹ (A)ₙ (a)ₙ₋₁ sⁿ / (n! (a+β)ₙ₋₁), from
/// E[pⁿ⁻¹] = (a)ₙ₋₁/(a+β)ₙ₋₁. No division by a−1, so a = 1 is an ordinary point.
inline double bg_tail_series_s(double A, double a, double beta, double s, bool& ok) {
    double term = A * s, sum = term, biggest = std::abs(term);
    ok = false;
    for (int n = 1; n < 2000; ++n) {
        const double dn = n;
        term *= -s * (A + dn) * (a + dn - 1) / ((dn + 1) * (a + beta + dn - 1));
        sum += term;
        biggest = std::max(biggest, std::abs(term));
        // Terms alternate and eventually shrink like sⁿ·n^(a−β−1)·…; stop at rounding level
        // once the ratio is below 1 (it tends to s < 1 from here on for moderate A).
        if (std::abs(term) <= 1e-17 * std::abs(sum) && dn > A * s) {
            ok = true;
            break;
        }
    }
    // Large alternating terms cancel: more than 3 lost digits sends the caller elsewhere.
    if (!(biggest <= 1e3 * std::abs(sum))) ok = false;
    return sum;
}

/// (ii) Pfaff form: with z = s/(1+s), ε = a−1, b' = a+β−1−A, c' = a+β−1 and
/// ₂F₁(ε, b'; c'; z) = 1 + ε S, S = Σₙ≥₁ (ε+1)ₙ₋₁ (b')ₙ / ((c')ₙ n!) zⁿ,
///   tail = c'·(1 − (1−z)^ε ₂F₁)/ε = c'·(−expm1(εL)/ε) − e^{εL}·c'S,   L = log(1−z),
/// regular at ε = 0 (−expm1(εL)/ε → −L). c'S is summed directly (its first term is b'z), so
/// c' = a+β−1 ∈ (−1, 0] is harmless. Converges quickly when c' is large (many purchases) or z
/// is moderate; ok = false when 600 terms were not enough.
inline double bg_tail_series_z(double A, double a, double beta, double s, bool& ok) {
    const double z = s / (1 + s), L = -std::log1p(s), eps = a - 1;
    const double bp = a + beta - 1 - A, cp = a + beta - 1;
    double term = bp * z, sum = term, biggest = std::abs(term);
    ok = term == 0;
    for (int n = 1; n < 600 && !ok; ++n) {
        const double dn = n;
        const double ratio = (eps + dn) * (bp + dn) * z / ((cp + dn) * (dn + 1));
        term *= ratio;
        sum += term;
        biggest = std::max(biggest, std::abs(term));
        if (term == 0 || (std::abs(ratio) < 1 && dn > std::abs(bp) &&
                          std::abs(term) <= 1e-17 * (1 - std::abs(ratio)) * std::abs(sum)))
            ok = true;
    }
    const double first = eps == 0 ? -L : -std::expm1(eps * L) / eps, scale = std::exp(eps * L);
    const double result = cp * first - scale * sum;
    // Cancellation: the largest of the added parts against the result (the terms enter
    // multiplied by e^{εL}, which for a > 1 is tiny: a = 50, s = 0.9 sums terms of 1e15).
    const double largest = std::max(std::abs(cp * first), scale * biggest);
    if (!(largest <= 1e3 * std::max(std::abs(result), 1e-300))) ok = false;
    return result;
}

/// (iii) DLMF 15.8.4 for ₂F₁(ε, b'; c'; z) (ltv::hyp2f1's 1−z branch), for moderate
/// parameters with z close to 1 where (ii) converges slowly. Needs |ε| not tiny and
/// m = A−a+1 away from integers (the caller checks both). Trusted (ok = true) when the two
/// series converged and the digits lost in them, between their two terms and in 1 − e^{εL}·F
/// are fewer than 4 together.
/// At c' = a+β−1 = 0 exactly (BG/NBD, x = 0 and a + b = 1, issue 9 N1) F has a pole that c'
/// cancels: lim c'·₂F₁(ε, b'; c'; z) = ε b' z ₂F₁(ε+1, b'+1; 2; z) (DLMF 15.2.3 with n = 0),
/// so tail = −e^{εL} b' z ₂F₁(a, b'+1; 2; z) = e^{εL} A z ₂F₁(a, 1−A; 2; z) (b' = −A there).
inline double bg_tail_connection(double A, double a, double beta, double s, bool& ok) {
    const double z = s / (1 + s), L = -std::log1p(s), eps = a - 1, cp = a + beta - 1;
    if (cp == 0) {
        double F;
        try {
            F = hyp2f1(a, 1 - A, 2, z);
        } catch (const error&) {  // no convergence: the quadrature takes over
            ok = false;
            return 0;
        }
        const double v = std::exp(eps * L) * A * z * F;
        ok = std::isfinite(v);
        return v;
    }
    // F by DLMF 15.8.4 (m = c'−ε−b' = A−a+1, not within 0.05 of an integer here), with what
    // it loses: the series' own cancellation and that between its two terms (e.g. a = 50:
    // Γ(±46.8) and an alternating second series, 2e-2 off with no sign of it in 1 − e^{εL}F).
    bool conv = true;
    double lost = 0;
    const double F = hyp2f1_one_minus_z_generic(eps, cp - A, cp, z, conv, &lost);
    const double y = std::exp(eps * L) * F, d = 1 - y;
    ok = conv && std::isfinite(y) && lost * std::abs(y) <= 1e4 * std::abs(d);
    return cp * d / eps;
}

/// tail(A, a, β, s): the branch order is cheapest-first; each reports whether it can be
/// trusted (converged, no severe cancellation) before the next is tried. h(p) is positive and
/// at most h₀ = A s, so 0 < tail ≤ h₀: a branch whose result lies outside (by more than
/// rounding) is not trusted either. No trusted branch is an error (status::no_convergence
/// naming fn and the arguments), never a clamped number.
inline double bg_tail(double A, double a, double beta, double s,
                      const char* fn = "bg_family expected purchases") {
    if (s == 0) return 0;
    const double h0 = A * s;
    // (tail ≥ 1 − (1+s)^−A > 0 underflows only with h₀ itself)
    auto plausible = [h0](double v) { return v <= h0 * (1 + 1e-13) && (v > 0 || h0 < 1e-290); };
    double v = std::numeric_limits<double>::quiet_NaN();
    bool ok = false;
    if (s <= 0.5) {
        v = bg_tail_series_s(A, a, beta, s, ok);
        ok = ok && plausible(v);
    }
    if (!ok) {
        v = bg_tail_series_z(A, a, beta, s, ok);
        ok = ok && plausible(v);
    }
    // (iii) divides by ε = a − 1 after a subtraction: fine for |ε| ≥ 1e-3 (≤ 3 digits lost);
    // closer to a = 1, and for parameters large enough to strain the connection formula's
    // series, the quadrature is used instead. So it is when c'−ε−b' = A−a+1 is within 0.05
    // of an integer: the two terms of DLMF 15.8.4 then cancel (Γ(±m) near poles; 1.4e-10 off
    // at m = 1.0037), and within 1e-3 hyp2f1_one_minus_z interpolates over c' ± 4e-3, which
    // may cross a pole of ₂F₁ (issue 9 cause 2: all parameters ×1e-4 put c' at 3e-4 with
    // m ≈ 2, and the formula returned −86 for 388).
    if (!ok && std::abs(a - 1) >= 1e-3 && std::abs(A) + beta < 200) {
        const double m = A - a + 1;
        if (std::abs(m - std::round(m)) >= 0.05) {
            v = bg_tail_connection(A, a, beta, s, ok);
            ok = ok && plausible(v);
        }
    }
    if (!ok) {
        v = bg_tail_quadrature(A, a, beta, s, ok);
        ok = ok && plausible(v);
    }
    if (!ok)
        fail(status::no_convergence, fn,
             "the expected-purchases integral E[(1 - (1 + p s)^-A)/p], p ~ Beta(a, beta), "
             "could not be computed to 1e-10 relative (A = " + format_value(A) +
                 ", a = " + format_value(a) + ", beta = " + format_value(beta) +
                 ", s = " + format_value(s) + ")");
    return std::min(v, h0);  // rounding may leave v a few ulps above h₀
}

inline double bg_conditional_expected(const bg_shape& p, double t, double x, double t_x,
                                      double T, const char* fn = "bg_conditional_expected") {
    const double alive = bg_probability_alive(p, x, t_x, T);
    return alive * bg_tail(p.r + x, p.a, p.b + x + p.m, t / (p.alpha + T), fn);
}

/// E[X(t)] of a customer who made the first purchase at 0: BG: tail(r, a, b, t/α); MBG: the
/// customer may drop out at 0 (probability p), so E[(1−p)h(p)] = b/(a+b) · tail(r, a, b+1, t/α).
inline double bg_expected(const bg_shape& p, double t, const char* fn = "bg_expected") {
    if (p.m == 0) return bg_tail(p.r, p.a, p.b, t / p.alpha, fn);
    return p.b / (p.a + p.b) * bg_tail(p.r, p.a, p.b + 1, t / p.alpha, fn);
}

}  // namespace ltv::detail
