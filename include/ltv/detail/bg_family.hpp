// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family.hpp — the numerical engine shared by BG/NBD and MBG/NBD.
//
// Both models: while active a customer buys as a Poisson process with rate λ ~ Gamma(r, α);
// a coin with dropout probability p ~ Beta(a, b) is tossed after every repeat purchase
// (BG/NBD, Fader, Hardie & Lee 2005) and, for MBG/NBD (Batislam, Denizel & Filiztekin 2007),
// also at time 0. With m = 0 (BG) or m = 1 (MBG), the likelihood of (x, t_x, T) is
//   L = Γ(r+x)/Γ(r) · α^r · B(a, b+x+m)/B(a, b) · [ (α+T)^−(r+x)
//         + δ · a/(b+x+m−1) · (α+t_x)^−(r+x) ],             δ = 1 unless m = 0 and x = 0,
// so that, with D = log(a/(b+x+m−1)) + (r+x)·log((α+T)/(α+t_x)),
//   log L = K_x + r log α − (r+x) log(α+T) + δ·log(1 + e^D),
//   K_x = lnΓ(r+x) − lnΓ(r) + lnΓ(b+x+m) − lnΓ(b) − lnΓ(a+b+x+m) + lnΓ(a+b).
// log(1 + e^D) is evaluated as a log-sum-exp (never exponentiating a large D), which keeps
// x = 10 000 finite where the product form under/overflows (Hardie's "#NUM!" note).
// P(alive | x, t_x, T) = 1/(1 + δ e^D).
// Given alive at T, p ~ Beta(a, b+x+m) and λ ~ Gamma(r+x, α+T); a customer with (λ, p) makes
// (1 − e^{−λpt})/p purchases in expectation over the next t, hence
//   E[Y(t) | x, t_x, T] = P(alive) · tail(r+x, a, b+x+m, t/(α+T)),
//   tail(A, a, β, s) = E_{p~Beta(a,β)}[(1 − (1+ps)^−A)/p]
//                    = (a+β−1)/(a−1) · [1 − ₂F₁(A, a−1; a+β−1; −s)]        (Euler integral)
// which is FHL's (a+b+x−1)/(a−1)·[1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)] after
// Pfaff's transformation. The form (1 − F)/(a−1) is 0/0 at a = 1; tail() never divides by a−1
// where that loses digits (see its comment).
//
// T = 0 (first purchase at the end of the period; then x = t_x = 0, rfm_data.hpp) needs no
// branch: the formulas are regular there and give the exact limit T → 0.
//   log L = K_0 + r log α − r log(α+0) + δ·log(1 + e^{c_0}) = 0: for BG exactly (K_0 = 0,
//     δ = 0), for MBG to rounding (K_0 = ln(b/(a+b)), c_0 = ln(a/b): ln(b/(a+b)) + ln((a+b)/b));
//   P(alive) = 1 (BG: nobody drops out before a repurchase), b/(a+b) (MBG: the coin of time 0);
//   E[Y(t) | 0, 0, 0] = P(alive) · tail(r, a, b+m, t/α) = E[X(t)] (bg_expected), the forecast
//     of a new customer, as it must be: nothing is known of the customer beyond acquisition.
// (tests/cpp/test_first_day_customers.cpp checks them against tests/oracle/bg_family.py.)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "ltv/detail/fit_driver.hpp"
#include "ltv/detail/optimize.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/special.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/hyp2f1.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv::detail {

/// Parameters plus the variant: m = 0 BG/NBD, m = 1 MBG/NBD.
struct bg_shape {
    double r, alpha, a, b;
    int m;
};

inline void validate_bg_shape(const char* fn, const bg_shape& p) {
    require_positive(fn, "r", p.r);
    require_positive(fn, "alpha", p.alpha);
    require_positive(fn, "a", p.a);
    require_positive(fn, "b", p.b);
}

/// log(1 + e^D) and σ(D) = e^D/(1 + e^D) without overflow for any D.
inline double softplus(double D, double& sigma) {
    if (D > 0) {
        const double e = std::exp(-D);
        sigma = 1 / (1 + e);
        return D + std::log1p(e);
    }
    const double e = std::exp(D);
    sigma = e / (1 + e);
    return std::log1p(e);
}

/// Terms of log L that depend on x only (plus their parameter derivatives).
struct bg_x_terms {
    double K = 0, c = 0;              // K_x and c_x = log(a/(b+x+m−1))
    double dKr = 0, dKa = 0, dKb = 0;  // ∂K_x/∂r, ∂K_x/∂a, ∂K_x/∂b
    double dcb = 0;                   // ∂c_x/∂b
    bool second = false;              // δ: the "dropped out after the last purchase" term
};

inline bg_x_terms bg_terms(const bg_shape& p, double x, bool gradient) {
    bg_x_terms t;
    const double bx = p.b + x + p.m, abx = p.a + bx;
    t.K = log_gamma(p.r + x) - log_gamma(p.r) + log_gamma(bx) - log_gamma(p.b) -
          log_gamma(abx) + log_gamma(p.a + p.b);
    t.second = p.m == 1 || x > 0;
    if (t.second) t.c = std::log(p.a) - std::log(bx - 1);
    if (gradient) {
        using boost::math::digamma;
        const double dab = digamma(p.a + p.b), dabx = digamma(abx);
        t.dKr = digamma(p.r + x) - digamma(p.r);
        t.dKa = dab - dabx;
        t.dKb = digamma(bx) - digamma(p.b) - dabx + dab;
        if (t.second) t.dcb = -1 / (bx - 1);
    }
    return t;
}

/// Log-likelihood of one customer given its x-only terms k = bg_terms(p, x, false).
inline double bg_log_likelihood_given(const bg_shape& p, const bg_x_terms& k, double x,
                                      double t_x, double T) {
    const double lT = std::log(p.alpha + T);
    double ll = k.K + p.r * std::log(p.alpha) - (p.r + x) * lT;
    if (k.second) {
        double sigma;
        ll += softplus(k.c + (p.r + x) * (lT - std::log(p.alpha + t_x)), sigma);
    }
    return ll;
}

/// Log-likelihood of one customer.
inline double bg_log_likelihood(const bg_shape& p, double x, double t_x, double T) {
    return bg_log_likelihood_given(p, bg_terms(p, x, false), x, t_x, T);
}

/// c_x = log(a/(b+x+m−1)), the x-only part of D (batches cache it per x; the scalar and the
/// cached paths use this one expression, hence identical bits).
inline double bg_alive_constant(const bg_shape& p, double x) {
    return std::log(p.a) - std::log(p.b + x + p.m - 1);
}

/// P(alive | x, t_x, T) = 1/(1 + δ e^D) = σ(−D) given c_x, computed without overflow. The log
/// ratio is one logarithm of the quotient (α+T)/(α+t_x) ≥ 1 rather than a difference of two:
/// half the cost, and the absolute error stays at the rounding level of a log near its
/// argument (≈ 1e-16 · (1 + log ratio)) instead of that of log(α+T) for large T.
inline double bg_probability_alive_given(const bg_shape& p, double c_x, double x, double t_x,
                                         double T) {
    const double D = c_x + (p.r + x) * std::log((p.alpha + T) / (p.alpha + t_x));
    // σ(−D) = e/(1+e) with e = e^−D for D > 0, 1/(1+e) with e = e^D otherwise: one exp of
    // −|D| ≤ 0 (never overflows) and a select instead of a hard-to-predict branch.
    const double e = std::exp(-std::abs(D));
    return D > 0 ? e / (1 + e) : 1 / (1 + e);
}

inline double bg_probability_alive(const bg_shape& p, double x, double t_x, double T) {
    if (p.m == 0 && x == 0) return 1;  // BG/NBD: nobody drops out before the first repurchase
    return bg_probability_alive_given(p, bg_alive_constant(p, x), x, t_x, T);
}

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

/// (iv) Quadrature of the defining integral, the fallback for extreme parameters:
///   tail = ∫₀¹ Beta(p; a, β) h(p) dp,   h(p) = (1 − (1+ps)^−A)/p,  h(0) = A s.
/// The interval is split at the Beta mean ± {1, 3, 10, 30} standard deviations and at h's own
/// scales 1/(A s), 1/s: a narrow Beta (large a and β, issue 9 N3 / cause 1) would otherwise
/// fall between the nodes of a quadrature over [0, 1]. Each piece is integrated by tanh-sinh;
/// where the density is singular at an end (a < 1 at 0, β < 1 at 1), the piece at that end is
/// integrated in w = log p (resp. log(1−p)), where p^(a−1) dp = e^(a w) dw: the integrand is
/// smooth, and for tiny a the mass that lies below any representable p (p^a ≈ 1 down to
/// p = 1e-300 when a = 1e-4) is the closed-form rest g(0)·p_min^a/a below the p_min where
/// the rest g of the integrand is constant to rounding. The density is
/// taken relative to its value at a point near the mean, from boost::math::ibeta_derivative
/// (accurate for large a, β, where lgamma differences lose up to 1e-16·|log B(a, β)|).
/// ok = false unless the pieces' error estimates (|I_k − I_{k−1}| of the last two tanh-sinh
/// levels, an upper bound once the levels converge) plus rounding stay below 1e-10 of the
/// result.
inline double bg_tail_quadrature(double A, double a, double beta, double s, bool& ok) {
    ok = false;
    const double h0 = A * s;
    const double mean = a / (a + beta);
    const double sd = std::sqrt(a * beta / ((a + beta) * (a + beta) * (a + beta + 1)));
    // The reference point xs near the mean has an exact complement 1 − xs (xs a multiple of
    // 2^−53): (β−1)·log((1−p)/(1−xs)) turns a rounding of 1 − xs into 1e-16·β of relative
    // error, which for β ~ 1e5 would be 1e-11.
    const double xs = mean >= 0x1p-40 ? std::round(mean * 0x1p53) * 0x1p-53 : mean;
    const double xs_c = 1 - xs;
    double pdf_xs = 0;
    try {
        pdf_xs = boost::math::ibeta_derivative(a, beta, xs);
    } catch (const std::exception&) {  // overflow: a Beta narrower than doubles resolve
        return 0;
    }
    if (!(std::isfinite(pdf_xs) && pdf_xs > 0 && std::isfinite(h0) && xs > 0 && xs_c > 0))
        return 0;
    const double log_xs = std::log(xs), log_xs_c = std::log1p(-xs);
    auto h = [&](double p) { return p > 0 ? -std::expm1(-A * std::log1p(p * s)) / p : h0; };
    // log(p/xs) and log((1−p)/(1−xs)), q = 1 − p given separately (exact near p = 1): near xs
    // from the exact difference p − xs, far from it from log(p), log1p(−p).
    auto lp = [&](double p) {
        const double d = p - xs;
        return std::abs(d) <= 0.5 * xs ? std::log1p(d / xs) : std::log(p) - log_xs;
    };
    auto lq = [&](double p, double q) {
        const double d = p - xs;
        return std::abs(d) <= 0.5 * xs_c ? std::log1p(-d / xs_c)
                                         : (p < 0.5 ? std::log1p(-p) : std::log(q)) - log_xs_c;
    };
    auto f = [&](double p, double q) {
        if (p <= 0 || q <= 0) return 0.0;  // never an abscissa; a ≥ 1 resp. β ≥ 1 there
        return pdf_xs * std::exp((a - 1) * lp(p) + (beta - 1) * lq(p, q)) * h(p);
    };
    // The end pieces where the density is singular: in w = log p (resp. w = log(1−p)),
    //   ∫ p^(a−1) g(p) dp = ∫ e^(a w) g(e^w) dw,
    // smooth in w (h's transition at p ~ 1/(A s) has width O(1) there). Below p_min, where g
    // equals g(0) to rounding, the rest is g(0)·p_min^a/a in closed form.
    // Left end: g(p)·p^(a−1) = pdf(p); log g(p) = log pdf_xs + (1−a) log xs + (β−1)·lq.
    // (Two-argument integrands, the second argument unused: Boost 1.74's one-argument form may
    // round an abscissa near w0 ≠ 0 to w0 and assert; see pnbd_pmf_died.)
    auto left = [&](double w, double) {
        const double p = std::exp(w);
        return pdf_xs * std::exp(a * w + (1 - a) * log_xs + (beta - 1) * lq(p, 1 - p)) * h(p);
    };
    // Right end, q = 1 − p = e^w: log p and p − xs from q (exact): p − xs = xs_c − q.
    auto right = [&](double w, double) {
        const double q = std::exp(w), p = 1 - q, d = xs_c - q;
        const double l = std::abs(d) <= 0.5 * xs ? std::log1p(d / xs) : std::log1p(-q) - log_xs;
        return pdf_xs * std::exp(beta * w + (1 - beta) * log_xs_c + (a - 1) * l) * h(p);
    };
    const double flat = 1e-17 / (1 + h0 + std::abs(a - 1) + std::abs(beta - 1));
    double inner[12] = {1 / h0, 1 / s, 0.5};
    int n = 3;
    for (double k : {-30.0, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0, 30.0})
        inner[n++] = mean + k * sd;
    std::sort(inner, inner + n);
    // The cuts: 0, the inner points inside (0, 1) that are at least 1e-3·min(sd, c) apart, 1.
    double cuts[14];
    int kept = 0;
    cuts[kept++] = 0;
    for (double c : inner)
        if (c > 0 && c < 1 && c - cuts[kept - 1] > 1e-3 * std::min(sd, c)) cuts[kept++] = c;
    cuts[kept++] = 1;
    // One integrator for the process: building one allocates its abscissa tables, which must
    // not happen per customer. tanh_sinh::integrate only reads the object and calls its
    // implementation's const, thread-safe integrate (further refinement levels are added under
    // a mutex, with the same values a fresh object computes), so sharing it changes no result.
    // (Not `const`: Boost 1.74 misplaces the const qualifier of the two-argument overload.)
    static boost::math::quadrature::tanh_sinh<double> integrator(12);
    double integral = 0, error = 0, l1 = 0;
    try {
        for (int i = 0; i + 1 < kept; ++i) {
            const double lo = cuts[i], hi = cuts[i + 1];
            double e = 0, m = 0;
            const bool at_0 = i == 0 && a < 1, at_1 = i + 2 == kept && beta < 1;
            if (at_0 || at_1) {
                // [0, hi] for p (resp. [0, 1 − lo] for 1 − p) in w, in pieces of width ≤ 8
                const double e_w = at_0 ? a : beta, top = at_0 ? hi : 1 - lo;
                const double g0 = at_0 ? pdf_xs * std::exp((1 - a) * log_xs - (beta - 1) *
                                                           log_xs_c) * h0
                                       : pdf_xs * std::exp((1 - beta) * log_xs_c - (a - 1) *
                                                           log_xs) * h(1);
                const double w_top = std::log(top), w_min = std::log(std::min(flat, top));
                integral += g0 * std::exp(e_w * w_min) / e_w;
                const int parts = static_cast<int>(std::ceil((w_top - w_min) / 8));
                for (int j = 0; j < parts; ++j) {
                    const double step = (w_top - w_min) / parts;
                    const double w0 = w_min + step * j, w1 = j + 1 == parts ? w_top : w0 + step;
                    double ej = 0, mj = 0;
                    integral += at_0 ? integrator.integrate(left, w0, w1, 1e-13, &ej, &mj)
                                     : integrator.integrate(right, w0, w1, 1e-13, &ej, &mj);
                    e += ej * 0.5 * (w1 - w0);  // (Boost 1.74 reports it unscaled, for [−1, 1])
                    m += mj;
                }
            } else {
                // Boost passes xc = lo − x on the left half of a piece and hi − x on the right.
                auto piece = [&](double x, double xc) {
                    return f(x, hi == 1 && xc > 0 ? xc : 1 - x);
                };
                integral += integrator.integrate(piece, lo, hi, 1e-13, &e, &m);
                e *= 0.5 * (hi - lo);  // (Boost 1.74 reports it unscaled, for [−1, 1])
            }
            error += e;
            l1 += m;
        }
    } catch (const std::exception&) {
        return 0;  // a non-finite integrand: not trusted
    }
    ok = std::isfinite(integral) && integral > 0 && error + 4e-16 * l1 <= 1e-10 * integral;
    return integral;
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

/// P(X(t) = n) for a new customer. Given (λ, p), with N ~ Poisson(λt):
///   BG:  (1−p)ⁿ P(N = n) + [n>0] p(1−p)ⁿ⁻¹ P(N ≥ n)        (FHL 2005, eq. 8)
///   MBG: (1−p)ⁿ⁺¹ P(N = n) + p(1−p)ⁿ P(N ≥ n)               (P(N ≥ 0) = 1)
/// Mixing: E[(1−p)^k] and E[p(1−p)^k] are beta ratios; λ ~ Gamma(r, α) turns P(N = n) into
/// the negative binomial pmf and P(N ≥ n) into the regularised incomplete beta I_q(n, r) with
/// q = t/(α+t) — evaluated by Boost's ibeta, no 1 − Σ cancellation.
inline double bg_probability_of_purchases(const bg_shape& p, double t, double n,
                                          const char* fn = "bg_probability_of_purchases") {
    const double lbab = log_gamma(p.a) + log_gamma(p.b) - log_gamma(p.a + p.b);
    auto log_beta = [](double u, double v) {
        return log_gamma(u) + log_gamma(v) - log_gamma(u + v);
    };
    const double log_nb = log_gamma(p.r + n) - log_gamma(p.r) - log_gamma(n + 1) -
                          p.r * std::log1p(t / p.alpha) -
                          (n > 0 ? n * std::log1p(p.alpha / t) : 0.0);
    const double first = std::exp(log_beta(p.a, p.b + n + p.m) - lbab + log_nb);
    double second = 0;
    if (n > 0) {
        const double q = t / (p.alpha + t);
        const double tail = boost::math::ibeta(n, p.r, q);
        second = std::exp(log_beta(p.a + 1, p.b + n + p.m - 1) - lbab) * tail;
    } else if (p.m == 1) {
        second = p.a / (p.a + p.b);  // dropped out at time 0
    }
    return require_pmf_result(fn, first + second, t, n);
}

// ---- data preparation and the total log-likelihood with gradient --------------------------

/// Rows grouped by x (and, optionally, identical rows merged): the x-only terms are then
/// computed once per distinct x per evaluation, and the hot loop touches contiguous arrays.
struct bg_prepared {
    std::vector<double> xs;           // distinct x, ascending
    std::vector<double> wx;           // total weight of each x
    std::vector<std::size_t> start;   // rows of xs[g] are [start[g], start[g+1])
    std::vector<double> tx, T, w;
    double total_weight = 0;
};

/// Whether merging identical (t_x, T) rows pays for the sort it needs, for the rows
/// order[i..j) of one x group. Small groups are always merged (the sort is cheap). For large
/// ones a deterministic pseudo-random sample of m distinct rows is checked for equal pairs: with
/// k distinct (t_x, T) among g rows, about m²/(2k) sampled pairs coincide, so the merge would
/// shrink the group by g/k ≈ 2g·pairs/m². Continuous times (no pair) skip the O(g log g) sort;
/// merging is kept when it would remove at least a fifth of the rows. Sampling at random rather
/// than at a stride keeps the test valid for data sorted in any order.
inline bool bg_merge_pays(const rfm_data& d, const std::vector<std::size_t>& order,
                          std::size_t i, std::size_t j) {
    const std::size_t g = j - i;
    constexpr std::size_t small = 16384, m = 2048;
    if (g < small) return true;
    std::vector<std::size_t> pick(m);
    std::uint64_t state = 0x9E3779B97F4A7C15ull ^ static_cast<std::uint64_t>(g);
    for (auto& k : pick) {  // splitmix64
        state += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        k = i + static_cast<std::size_t>((z ^ (z >> 31)) % g);
    }
    std::sort(pick.begin(), pick.end());
    pick.erase(std::unique(pick.begin(), pick.end()), pick.end());
    std::vector<std::pair<double, double>> v;
    v.reserve(pick.size());
    for (std::size_t k : pick) v.emplace_back(d.age[order[k]], d.recency[order[k]]);
    std::sort(v.begin(), v.end());
    double pairs = 0;
    for (std::size_t a = 0; a < v.size();) {  // a run of r equal rows holds r(r−1)/2 pairs
        std::size_t b = a + 1;
        while (b < v.size() && v[b] == v[a]) ++b;
        const double r = static_cast<double>(b - a);
        pairs += r * (r - 1) / 2;
        a = b;
    }
    const double ms = static_cast<double>(v.size());
    return 2 * static_cast<double>(g) * pairs >= 1.25 * ms * ms;
}

inline bg_prepared bg_prepare(const rfm_data& d, bool compress) {
    bg_prepared out;
    const std::size_t n = d.size();
    auto weight = [&](std::size_t i) { return d.weights.empty() ? 1.0 : d.weights[i]; };
    // Group by x: x is a validated non-negative integer, so a counting sort works when the
    // largest x is not absurdly larger than the number of rows; otherwise sort the values.
    double xmax = 0;
    for (std::size_t i = 0; i < n; ++i) xmax = std::max(xmax, d.frequency[i]);
    std::vector<std::size_t> order(n);
    if (xmax <= 4.0 * static_cast<double>(n) + 1024) {
        const std::size_t k = static_cast<std::size_t>(xmax) + 2;
        std::vector<std::size_t> count(k, 0);
        for (std::size_t i = 0; i < n; ++i) ++count[static_cast<std::size_t>(d.frequency[i]) + 1];
        for (std::size_t j = 1; j < k; ++j) count[j] += count[j - 1];
        for (std::size_t i = 0; i < n; ++i)
            order[count[static_cast<std::size_t>(d.frequency[i])]++] = i;
    } else {
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t u, std::size_t v) {
            return d.frequency[u] < d.frequency[v];
        });
    }
    out.tx.reserve(n);
    out.T.reserve(n);
    out.w.reserve(n);
    for (std::size_t i = 0; i < n;) {
        const double x = d.frequency[order[i]];
        std::size_t j = i;
        while (j < n && d.frequency[order[j]] == x) ++j;
        const bool merge = compress && bg_merge_pays(d, order, i, j);
        if (merge)  // identical (t_x, T) become adjacent and are merged below
            std::sort(order.begin() + static_cast<std::ptrdiff_t>(i),
                      order.begin() + static_cast<std::ptrdiff_t>(j),
                      [&](std::size_t u, std::size_t v) {
                          return d.age[u] < d.age[v] ||
                                 (d.age[u] == d.age[v] && d.recency[u] < d.recency[v]);
                      });
        const std::size_t first = out.tx.size();
        double wsum = 0;
        for (std::size_t q = i; q < j; ++q) {
            const std::size_t u = order[q];
            const double wu = weight(u);
            if (wu == 0) continue;  // a zero-weight row contributes nothing
            wsum += wu;
            if (merge && out.tx.size() > first && out.T.back() == d.age[u] &&
                out.tx.back() == d.recency[u]) {
                out.w.back() += wu;
                continue;
            }
            out.tx.push_back(d.recency[u]);
            out.T.push_back(d.age[u]);
            out.w.push_back(wu);
        }
        if (out.tx.size() > first) {
            out.xs.push_back(x);
            out.wx.push_back(wsum);
            out.start.push_back(first);
            out.total_weight += wsum;
        }
        i = j;
    }
    out.start.push_back(out.tx.size());
    return out;
}

/// Fits need a row with T > 0 (and positive weight: prepared rows have it). A row with T = 0
/// (then x = t_x = 0: rfm_data.hpp) has L = 1 whatever the parameters — nothing was observed of
/// it yet — so it adds 0 to log L and to its gradient (and counts in W, as in lifetimes'
/// mean). Data of such rows alone leave the likelihood flat: no maximum, nothing to fit. Shared
/// by BG/NBD, MBG/NBD, Pareto/NBD and BG/BB (T = n opportunities there).
inline void require_observed_rows(const char* fn, const bg_prepared& d) {
    for (double T : d.T)
        if (T > 0) return;
    fail(status::invalid_argument, fn,
         "every row with positive weight has 'T' = 0 (first purchase at the end of the "
         "period): their likelihood is 1 whatever the parameters, so there is nothing to fit");
}

/// Every k-th prepared row (k ≥ 1, rows counted across groups), weights unchanged: a
/// stratified subsample (the rows are grouped by x, and within a merged group sorted by T) for
/// a cheap first fit.
inline bg_prepared bg_subsample(const bg_prepared& d, std::size_t k) {
    bg_prepared out;
    if (k == 0) k = 1;
    for (std::size_t g = 0; g < d.xs.size(); ++g) {
        // Every k-th row of each frequency group from its first: every group keeps a row.
        const std::size_t first = out.tx.size();
        double wsum = 0;
        for (std::size_t i = d.start[g]; i < d.start[g + 1]; i += k) {
            out.tx.push_back(d.tx[i]);
            out.T.push_back(d.T[i]);
            out.w.push_back(d.w[i]);
            wsum += d.w[i];
        }
        if (out.tx.size() > first) {
            out.xs.push_back(d.xs[g]);
            out.wx.push_back(wsum);
            out.start.push_back(first);
            out.total_weight += wsum;
        }
    }
    out.start.push_back(out.tx.size());
    return out;
}

/// Σ w·log L over prepared rows; when grad is given, also ∂/∂(log r, log α, log a, log b).
inline double bg_total_log_likelihood(const bg_shape& p, const bg_prepared& d, double* grad) {
    const bool want_grad = grad != nullptr;
    const double log_alpha = std::log(p.alpha);
    double ll = 0, gr = 0, galpha = 0, ga = 0, gb = 0;
    for (std::size_t g = 0; g < d.xs.size(); ++g) {
        const double x = d.xs[g], rx = p.r + x;
        const bg_x_terms k = bg_terms(p, x, want_grad);
        const std::size_t lo = d.start[g], hi = d.start[g + 1];
        double s_lT = 0, s_inv_T = 0;                       // Σ w log(α+T), Σ w/(α+T)
        double s_sp = 0, s_sig = 0, s_sig_dl = 0, s_sig_dinv = 0;  // second-term sums
        if (k.second) {
            for (std::size_t i = lo; i < hi; ++i) {
                const double aT = p.alpha + d.T[i], at = p.alpha + d.tx[i];
                const double lT = std::log(aT), dl = lT - std::log(at);
                double sig;
                const double sp = softplus(k.c + rx * dl, sig);
                const double w = d.w[i];
                s_lT += w * lT;
                s_sp += w * sp;
                if (want_grad) {
                    const double ws = w * sig;
                    s_inv_T += w / aT;
                    s_sig += ws;
                    s_sig_dl += ws * dl;
                    s_sig_dinv += ws * (1 / aT - 1 / at);
                }
            }
        } else {
            for (std::size_t i = lo; i < hi; ++i) {
                const double aT = p.alpha + d.T[i];
                s_lT += d.w[i] * std::log(aT);
                if (want_grad) s_inv_T += d.w[i] / aT;
            }
        }
        const double W = d.wx[g];
        ll += W * (k.K + p.r * log_alpha) - rx * s_lT + s_sp;
        if (want_grad) {
            gr += W * (k.dKr + log_alpha) - s_lT + s_sig_dl;
            galpha += W * p.r / p.alpha - rx * s_inv_T + rx * s_sig_dinv;
            ga += W * k.dKa + s_sig / p.a;
            gb += W * k.dKb + s_sig * k.dcb;
        }
    }
    if (want_grad) {  // chain rule to log-parameters: ∂/∂log φ = φ ∂/∂φ
        grad[0] = gr * p.r;
        grad[1] = galpha * p.alpha;
        grad[2] = ga * p.a;
        grad[3] = gb * p.b;
    }
    return ll;
}

// ---- batch predictions ----------------------------------------------------------------------
//
// A batch scores every customer with the formulas above; four things make large batches fast
// without changing what is computed:
//  * validation is a branch-light predicate per row (rfm_data.hpp), the message is only built
//    for the row that fails;
//  * per-x constants (log(a/(b+x+m−1)) of P(alive)) are computed once per batch (bit-identical
//    to the scalar expression, which is evaluated the same way);
//  * the rows are split into contiguous blocks, one per thread (detail/parallel.hpp): every
//    customer is computed by the same code whatever the split, so results do not depend on the
//    number of threads;
//  * for x values shared by many customers of a large batch, the purchase curve is tabulated.
//
// Tabulation. Customers with the same x share A = r+x, β = b+x+m, so E[Y(t)] = P(alive) · f(s)
// with one function f(s) = tail(A, a, β, s) of s = t/(α+T). As a function of complex s,
// f is analytic except on the cut s ∈ (−∞, −1] (the branch points s = −1/p, p ∈ (0, 1], of
// (1+ps)^−A); likewise F(s₁) = Σₖ₌₁..N dₖ (f(k s₁) − f((k−1) s₁)) — the discounted sum of a CLV,
// with s₁ = L/(α+T) — is analytic off s₁ ∈ (−∞, −1/N]. With v = 1 + κ s (κ = 1 for f, N for F)
// the cut is v ≤ 0. The table splits v ≥ 1 into 2^B intervals per octave, read off v's exponent
// and top B mantissa bits (no log needed): an interval [m, m(1 + 2^−B)) has centre/half-width
// ≥ 2^(B+1)+1, so the cut lies outside the Bernstein ellipse of ρ ≥ 2^(B+2)+2 ≈ 34 (B = 3) and the
// Chebyshev coefficients of the smooth g(s) = f(s)/s decay like ρ^−k: degree 11 reaches the
// rounding level (34^−11 ≈ 1.5e−17). g is tabulated instead of f so that the relative accuracy
// holds down to s → 0 (f ≈ A s there). Each interval's polynomial comes from exact values at
// 12 Chebyshev nodes and is accepted only if (a) its last two Chebyshev coefficients are below
// bg_table_tolerance relative to the values and (b) it reproduces exact values at two off-node
// check points to 2·bg_table_tolerance; any failure (large A, extreme parameters, non-finite
// values) rejects the whole table and that x is evaluated exactly. A table is only built when it
// is cheaper than the exact evaluations it replaces (bg_table_pays), and only for batches of at
// least bg_table_min_rows rows: smaller batches are bit-identical to the scalar functions, large
// ones agree with them to ~1e−15 relative (tests/cpp/test_bgnbd.cpp checks 1e−13).

/// Rows below which batches never tabulate (and are thus bit-identical to scalar calls).
constexpr std::size_t bg_table_min_rows = 20000;
/// Relative size of the neglected Chebyshev coefficients accepted for a table interval.
constexpr double bg_table_tolerance = 1e-14;

/// g(s) for s ≥ 0 as a piecewise polynomial in v = 1 + κ s (see above).
struct bg_curve_table {
    static constexpr int degree = 11;  // eval() is written out for this degree
    static constexpr int stride = degree + 3;  // centre, 1/half-width, a₀ … a_degree
    double kappa = 1;
    unsigned shift = 49;                      // 52 − B
    std::uint64_t first = 0, last = 0;        // interval indices covered (inclusive)
    std::vector<double> data;                 // stride doubles per interval

    static std::uint64_t bits(double v) noexcept {
        std::uint64_t u;
        std::memcpy(&u, &v, sizeof u);
        return u;
    }
    static double from_bits(std::uint64_t u) noexcept {
        double v;
        std::memcpy(&v, &u, sizeof v);
        return v;
    }
    /// Interval index of v ≥ 1: exponent and top B mantissa bits (monotone in v; +∞ and NaN map
    /// above every finite v and thus outside any table).
    std::uint64_t index(double v) const noexcept { return bits(v) >> shift; }

    /// g(s) into g; false when s lies outside the table.
    bool eval(double s, double& g) const noexcept {
        const double v = 1 + kappa * s;
        const std::uint64_t k = index(v);
        if (k < first || k > last) return false;
        const double* c = data.data() + (k - first) * stride;
        const double t = (v - c[0]) * c[1];  // ∈ [−1, 1]
        // Estrin's scheme for degree 11: the same polynomial as Horner's rule (rounding aside;
        // the terms decay fast, so either is accurate to a few ulps) with a dependency chain of
        // 5 operations instead of 22, which lets consecutive customers overlap.
        const double* a = c + 2;
        const double t2 = t * t, t4 = t2 * t2, t8 = t4 * t4;
        const double p01 = a[0] + a[1] * t, p23 = a[2] + a[3] * t, p45 = a[4] + a[5] * t;
        const double p67 = a[6] + a[7] * t, p89 = a[8] + a[9] * t, pab = a[10] + a[11] * t;
        g = (p01 + p23 * t2) + (p45 + p67 * t2) * t4 + (p89 + pab * t2) * t8;
        return true;
    }
};

/// Number of table intervals covering s ∈ [s_lo, s_hi] (0 when the range is unusable).
inline std::uint64_t bg_table_intervals(double kappa, double s_lo, double s_hi, unsigned B) {
    const double v_lo = 1 + kappa * s_lo, v_hi = 1 + kappa * s_hi;
    // v beyond 2^40 would need ≥ 40·2^B intervals; such batches evaluate exactly.
    if (!(v_lo >= 1 && v_hi >= v_lo && v_hi < 1099511627776.0)) return 0;
    const unsigned shift = 52 - B;
    return (bg_curve_table::bits(v_hi) >> shift) - (bg_curve_table::bits(v_lo) >> shift) + 1;
}

/// Builds tb for g on s ∈ [s_lo, s_hi] (g(s) = f(s)/s evaluated exactly for s > 0); false when
/// a check of the comment above fails.
template <class G>
bool bg_build_curve_table(bg_curve_table& tb, double kappa, double s_lo, double s_hi,
                          unsigned B, G&& g) {
    constexpr int D = bg_curve_table::degree, nodes = D + 1;
    const double pi = 3.14159265358979323846;
    if (bg_table_intervals(kappa, s_lo, s_hi, B) == 0) return false;
    tb.kappa = kappa;
    tb.shift = 52 - B;
    tb.first = tb.index(1 + kappa * s_lo);
    tb.last = tb.index(1 + kappa * s_hi);
    const std::size_t count = static_cast<std::size_t>(tb.last - tb.first + 1);
    tb.data.assign(count * bg_curve_table::stride, 0.0);
    // Chebyshev points of the first kind tⱼ = cos(π(j+½)/nodes), the DCT matrix cos(πk(j+½)/nodes)
    // and the monomial coefficients of T₀ … T_D (T_{k+1} = 2t T_k − T_{k−1}).
    double tj[nodes], dct[nodes][nodes], cheb[nodes][nodes] = {};
    for (int j = 0; j < nodes; ++j) tj[j] = std::cos(pi * (j + 0.5) / nodes);
    for (int k = 0; k < nodes; ++k)
        for (int j = 0; j < nodes; ++j) dct[k][j] = std::cos(pi * k * (j + 0.5) / nodes);
    cheb[0][0] = 1;
    cheb[1][1] = 1;
    for (int k = 1; k + 1 < nodes; ++k)
        for (int i = 0; i < nodes; ++i)
            cheb[k + 1][i] = (i > 0 ? 2 * cheb[k][i - 1] : 0.0) - cheb[k - 1][i];
    // Off-node check points (irrational-looking, inside (−1, 1)).
    const double checks[2] = {-0.5772156649, 0.3183098862};
    for (std::size_t q = 0; q < count; ++q) {
        const std::uint64_t k = tb.first + q;
        const double lo = bg_curve_table::from_bits(k << tb.shift);
        const double hi = bg_curve_table::from_bits((k + 1) << tb.shift);
        const double centre = 0.5 * (lo + hi), half = 0.5 * (hi - lo);  // exact in binary
        auto s_at = [&](double t) { return (centre + half * t - 1) / kappa; };
        double f[nodes], scale = 0;
        for (int j = 0; j < nodes; ++j) {
            const double s = s_at(tj[j]);
            f[j] = s > 0 ? g(s) : std::numeric_limits<double>::quiet_NaN();
            if (!std::isfinite(f[j])) return false;
            scale = std::max(scale, std::abs(f[j]));
        }
        double a[nodes];
        for (int kk = 0; kk < nodes; ++kk) {
            double sum = 0;
            for (int j = 0; j < nodes; ++j) sum += f[j] * dct[kk][j];
            a[kk] = (kk == 0 ? 1.0 : 2.0) * sum / nodes;
        }
        // (a) decay: the interpolant's neglected tail is of the order of its last coefficients.
        if (!(std::abs(a[D]) + std::abs(a[D - 1]) <= bg_table_tolerance * scale)) return false;
        double* c = tb.data.data() + q * bg_curve_table::stride;
        c[0] = centre;
        c[1] = 1 / half;  // a power of two: exact
        for (int i = 0; i < nodes; ++i) {
            double m = 0;
            for (int kk = i; kk < nodes; ++kk) m += a[kk] * cheb[kk][i];
            c[2 + i] = m;
        }
        // (b) exact values at points that are not nodes, through the same evaluation path.
        for (double t : checks) {
            const double s = s_at(t);
            double approx;
            // Only where the look-up lands in this interval (the next one is not built yet).
            if (tb.index(1 + kappa * s) != k || !tb.eval(s, approx)) continue;
            const double exact = g(s);
            if (!(std::abs(approx - exact) <= 2 * bg_table_tolerance * scale)) return false;
        }
    }
    return true;
}

/// Builds the table with 8 intervals per octave, or 32 when degree 11 is not enough at 8
/// (strongly curved f, e.g. large A); false when neither works.
template <class G>
bool bg_build_curve_table_adaptive(bg_curve_table& tb, double kappa, double s_lo, double s_hi,
                                   G&& g) {
    if (bg_build_curve_table(tb, kappa, s_lo, s_hi, 3, g)) return true;
    return bg_build_curve_table(tb, kappa, s_lo, s_hi, 5, g);
}

/// Exact evaluations a table over the range costs (nodes and check points; bg_tail calls).
inline double bg_table_cost(double kappa, double s_lo, double s_hi) {
    const double intervals = static_cast<double>(bg_table_intervals(kappa, s_lo, s_hi, 3));
    return intervals * (bg_curve_table::degree + 3);
}

/// True when building is worth it: the exact evaluations it replaces are at least 4× its cost
/// (the factor leaves room for the retry with 32 intervals per octave).
inline bool bg_table_pays(double exact_evaluations, double table_cost) {
    return table_cost > 0 && exact_evaluations >= 4 * table_cost;
}

/// Runs task(0 … tasks−1) on up to `threads` threads of the shared pool (detail/parallel.hpp).
/// Each task must write only its own outputs; the first exception by task order is rethrown.
template <class Task>
void bg_run_tasks(std::size_t tasks, int threads, Task&& task) {
    parallel_tasks(tasks, threads, std::forward<Task>(task));
}

/// What a batch needs to know about its rows beyond validity.
struct bg_batch_scan {
    static constexpr std::size_t x_cap = 4096;  // x ≥ this are always evaluated exactly
    double T_min = std::numeric_limits<double>::infinity(), T_max = 0;
    std::vector<std::size_t> count;             // customers per integer x < x_cap
};

/// Validates every row (the error is the lowest failing row's, whatever the threads) and, when
/// `scan` is given, collects T's range and the customers per x.
inline void bg_validate_batch(const char* fn, const rfm_data& d, int threads,
                              bg_batch_scan* scan) {
    validate_rfm_shape(fn, d);
    std::mutex merge;
    if (scan) scan->count.assign(bg_batch_scan::x_cap, 0);
    parallel_for(d.size(), threads, [&](std::size_t lo, std::size_t hi) {
        validate_rfm_rows(fn, d, lo, hi);
        if (!scan) return;
        std::vector<std::size_t> count(bg_batch_scan::x_cap, 0);  // once per block
        double T_min = std::numeric_limits<double>::infinity(), T_max = 0;
        for (std::size_t i = lo; i < hi; ++i) {
            const double x = d.frequency[i], T = d.age[i];
            T_min = std::min(T_min, T);
            T_max = std::max(T_max, T);
            if (x < static_cast<double>(bg_batch_scan::x_cap)) ++count[static_cast<std::size_t>(x)];
        }
        // min, max and integer sums do not depend on the merge order.
        const std::lock_guard<std::mutex> lock(merge);
        scan->T_min = std::min(scan->T_min, T_min);
        scan->T_max = std::max(scan->T_max, T_max);
        for (std::size_t k = 0; k < count.size(); ++k) scan->count[k] += count[k];
    });
}

/// P(alive) with c_x = log(a) − log(b+x+m−1) looked up per x: the same operations as
/// bg_probability_alive, hence bit-identical results.
struct bg_alive_cache {
    static constexpr std::size_t size = 1024;
    std::vector<double> c;
    explicit bg_alive_cache(const bg_shape& p) : c(size) {
        for (std::size_t k = 0; k < size; ++k) c[k] = bg_alive_constant(p, static_cast<double>(k));
    }
    double operator()(const bg_shape& p, double x, double t_x, double T) const {
        if (p.m == 0 && x == 0) return 1;
        const double cx = x < static_cast<double>(size) ? c[static_cast<std::size_t>(x)]
                                                        : bg_alive_constant(p, x);
        return bg_probability_alive_given(p, cx, x, t_x, T);
    }
};

/// out[i] = P(alive) of every customer.
inline void bg_probability_alive_batch(const char* fn, const bg_shape& p, const rfm_data& data,
                                       double* out, int threads) {
    bg_validate_batch(fn, data, threads, nullptr);
    require_array(fn, "out", out, data.size());
    const bg_alive_cache alive(p);
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
            out[i] = alive(p, data.frequency[i], data.recency[i], data.age[i]);
    });
}

/// log L of every customer: the x-only terms (six log-gammas) are computed once per x < 1024
/// before the parallel loop — the same values, so bit-identical to bg_log_likelihood.
inline void bg_log_likelihood_batch(const char* fn, const bg_shape& p, const rfm_data& data,
                                    double* out, int threads) {
    bg_validate_batch(fn, data, threads, nullptr);
    require_array(fn, "out", out, data.size());
    std::vector<bg_x_terms> terms(1024);
    for (std::size_t k = 0; k < terms.size(); ++k)
        terms[k] = bg_terms(p, static_cast<double>(k), false);
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
            const double x = data.frequency[i];
            out[i] = x < static_cast<double>(terms.size())
                         ? bg_log_likelihood_given(p, terms[static_cast<std::size_t>(x)], x,
                                                   data.recency[i], data.age[i])
                         : bg_log_likelihood(p, x, data.recency[i], data.age[i]);
        }
    });
}

/// f(s) = tail from a table when it covers s, else exactly (bg_tail; fn names the caller in
/// its errors). A table holds only verified values (≤ 1e-14 from bg_tail's), so its result
/// is only kept within bg_tail's bounds (0, A s] against rounding.
inline double bg_tail_lookup(const bg_curve_table* tb, double A, double a, double beta,
                             double s, const char* fn = "bg_tail") {
    double g;
    if (tb && s > 0 && tb->eval(s, g)) return std::min(std::max(s * g, 0.0), A * s);
    return bg_tail(A, a, beta, s, fn);
}

/// bg_tail, or NaN where it fails: for the node values of tables, which a NaN rejects (the
/// customers of that x are then evaluated exactly, and report the failure themselves).
inline double bg_tail_or_nan(double A, double a, double beta, double s) {
    try {
        return bg_tail(A, a, beta, s);
    } catch (const error&) {
        return std::numeric_limits<double>::quiet_NaN();
    }
}

/// The tables of one batch, indexed by x (nullptr: evaluate exactly).
struct bg_table_set {
    std::vector<bg_curve_table> tables;
    std::vector<const bg_curve_table*> by_x;
};

/// Builds, for every x with enough customers, a table of g(s) = tail(r+x, a, b+x+m, s)/s on
/// [s_lo, s_hi] (kappa = 1), keeping only the tables that pass their checks.
inline void bg_build_tail_tables(bg_table_set& set, const bg_shape& p, const bg_batch_scan& scan,
                                 double s_lo, double s_hi, double evaluations_per_customer,
                                 int threads) {
    set.by_x.assign(scan.count.size(), nullptr);
    const double cost = bg_table_cost(1, s_lo, s_hi);
    std::vector<std::size_t> xs;
    for (std::size_t x = 0; x < scan.count.size(); ++x)
        if (bg_table_pays(static_cast<double>(scan.count[x]) * evaluations_per_customer, cost))
            xs.push_back(x);
    set.tables.assign(xs.size(), bg_curve_table{});
    std::vector<char> ok(xs.size(), 0);
    bg_run_tasks(xs.size(), threads, [&](std::size_t k) {
        const double x = static_cast<double>(xs[k]);
        const double A = p.r + x, beta = p.b + x + p.m;
        ok[k] = bg_build_curve_table_adaptive(set.tables[k], 1, s_lo, s_hi, [&](double s) {
            return bg_tail_or_nan(A, p.a, beta, s) / s;
        });
    });
    for (std::size_t k = 0; k < xs.size(); ++k)
        if (ok[k]) set.by_x[xs[k]] = &set.tables[k];
}

/// out[i] = E[Y(t) | xᵢ, t_xᵢ, Tᵢ] for every customer.
inline void bg_conditional_expected_batch(const char* fn, const bg_shape& p, double t,
                                          const rfm_data& data, double* out, int threads) {
    const std::size_t n = data.size();
    bg_batch_scan scan;
    const bool tabulate = n >= bg_table_min_rows && t > 0;
    bg_validate_batch(fn, data, threads, tabulate ? &scan : nullptr);
    require_array(fn, "out", out, n);
    const bg_alive_cache alive(p);
    bg_table_set set;
    if (tabulate && n > 0)
        bg_build_tail_tables(set, p, scan, t / (p.alpha + scan.T_max),
                             t / (p.alpha + scan.T_min), 1, threads);
    parallel_for(n, threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
            const double x = data.frequency[i], T = data.age[i];
            const bg_curve_table* tb =
                x < static_cast<double>(set.by_x.size()) ? set.by_x[static_cast<std::size_t>(x)]
                                                         : nullptr;
            try {
                out[i] = alive(p, x, data.recency[i], T) *
                         bg_tail_lookup(tb, p.r + x, p.a, p.b + x + p.m, t / (p.alpha + T), fn);
            } catch (const error& e) {
                rethrow_at_row(e, i);
            }
        }
    });
}

/// out[i] = Σₖ₌₁..N (1+d)^−k (E[Y(kL)] − E[Y((k−1)L)]) for every customer: the CLV per unit of
/// spend (ltv/clv.hpp). Exact rows repeat clv()'s arithmetic (times (k+1)·L, the curve, then the
/// discounted differences in order), so that spend × out[i] is bit-identical to the scalar clv.
inline void bg_discounted_purchases_batch(const char* fn, const bg_shape& p, const rfm_data& data,
                                          int periods, double period_length,
                                          double discount_rate, double* out, int threads) {
    const std::size_t n = data.size(), N = periods > 0 ? static_cast<std::size_t>(periods) : 0;
    bg_batch_scan scan;
    const bool tabulate = n >= bg_table_min_rows && N > 0;
    bg_validate_batch(fn, data, threads, tabulate ? &scan : nullptr);
    require_array(fn, "out", out, n);
    std::vector<double> times(N), discount(N);
    for (std::size_t k = 0; k < N; ++k) {
        times[k] = static_cast<double>(k + 1) * period_length;
        discount[k] = std::pow(1 + discount_rate, -static_cast<double>(k + 1));
    }
    const bg_alive_cache alive(p);
    // Tables: f per x (kappa = 1) for the node values of F per x (kappa = N, s₁ = L/(α+T)).
    bg_table_set f_set, F_set;
    if (tabulate && n > 0) {
        const double dN = static_cast<double>(N);
        const double s1_lo = period_length / (p.alpha + scan.T_max);
        const double s1_hi = period_length / (p.alpha + scan.T_min);
        // F's intervals reach beyond [s1_lo, s1_hi]; f must cover k·s₁ over all of them.
        const unsigned shift = 52 - 3;
        const double v_lo = bg_curve_table::from_bits(
            (bg_curve_table::bits(1 + dN * s1_lo) >> shift) << shift);
        const double v_hi = bg_curve_table::from_bits(
            ((bg_curve_table::bits(1 + dN * s1_hi) >> shift) + 1) << shift);
        const double f_lo = (v_lo - 1) / dN, f_hi = v_hi - 1;
        // Cost of F in bg_tail units: each node needs N table look-ups (≈ 1/20 of a bg_tail).
        const double F_cost = bg_table_cost(dN, s1_lo, s1_hi) * dN / 20;
        const double f_cost = bg_table_cost(1, f_lo, f_hi);
        f_set.by_x.assign(scan.count.size(), nullptr);
        F_set.by_x.assign(scan.count.size(), nullptr);
        std::vector<std::size_t> xs;
        for (std::size_t x = 0; x < scan.count.size(); ++x)
            if (F_cost > 0 && f_cost > 0 &&
                bg_table_pays(static_cast<double>(scan.count[x]) * dN, f_cost + F_cost))
                xs.push_back(x);
        f_set.tables.assign(xs.size(), bg_curve_table{});
        F_set.tables.assign(xs.size(), bg_curve_table{});
        std::vector<char> ok(xs.size(), 0);
        bg_run_tasks(xs.size(), threads, [&](std::size_t k) {
            const double x = static_cast<double>(xs[k]);
            const double A = p.r + x, beta = p.b + x + p.m;
            bg_curve_table& f = f_set.tables[k];
            if (!bg_build_curve_table_adaptive(f, 1, f_lo, f_hi, [&](double s) {
                    return bg_tail_or_nan(A, p.a, beta, s) / s;
                }))
                return;
            // F(s₁)/s₁ = Σₖ dₖ (f(k s₁) − f((k−1) s₁)) / s₁ with f from its table.
            auto F = [&](double s1) {
                double total = 0, previous = 0;
                try {  // (f covers every k·s₁; an exact fallback that fails rejects F)
                    for (std::size_t j = 0; j < N; ++j) {
                        const double now = bg_tail_lookup(&f, A, p.a, beta,
                                                          static_cast<double>(j + 1) * s1);
                        total += (now - previous) * discount[j];
                        previous = now;
                    }
                } catch (const error&) {
                    return std::numeric_limits<double>::quiet_NaN();
                }
                return total / s1;
            };
            ok[k] = bg_build_curve_table_adaptive(F_set.tables[k], dN, s1_lo, s1_hi, F);
        });
        for (std::size_t k = 0; k < xs.size(); ++k)
            if (ok[k]) F_set.by_x[xs[k]] = &F_set.tables[k];
    }
    parallel_for(n, threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
            const double x = data.frequency[i], t_x = data.recency[i], T = data.age[i];
            if (N == 0) {
                out[i] = 0;
                continue;
            }
            const double pa = alive(p, x, t_x, T);
            const bg_curve_table* tb =
                x < static_cast<double>(F_set.by_x.size()) ? F_set.by_x[static_cast<std::size_t>(x)]
                                                           : nullptr;
            const double s1 = period_length / (p.alpha + T);
            double g;
            if (tb && tb->eval(s1, g)) {
                out[i] = pa * (s1 * g);
                continue;
            }
            // Exact: conditional_expected_purchases_curve + clv_sum without the spend factor.
            const double A = p.r + x, beta = p.b + x + p.m;
            double total = 0, previous = 0;
            try {
                for (std::size_t k = 0; k < N; ++k) {
                    const double now = pa * bg_tail(A, p.a, beta, times[k] / (p.alpha + T), fn);
                    total += (now - previous) * discount[k];
                    previous = now;
                }
            } catch (const error& e) {
                rethrow_at_row(e, i);
            }
            out[i] = total;
        }
    });
}

/// Maximum-likelihood fit of the BG family through the common driver (detail/fit_driver.hpp:
/// objective, starts, fixed parameters, report, standard errors).
///
/// Large data (≥ fit_subsample_min_rows prepared rows) are fitted in two phases: the multistart
/// search runs on a stratified subsample of ~fit_subsample_rows rows (bg_subsample), whose
/// optimum is close to the full one (it differs by sampling noise, O(1/√rows)); BFGS on the
/// full data then starts there with the subsample's inverse-Hessian approximation
/// (minimize_warm), so that a few full passes reach the same convergence test as a direct fit.
/// Should that polish not converge, the direct multistart on the full data runs as before. The
/// estimate therefore satisfies the same gradient tolerance as the direct path and differs from
/// it only within that tolerance. The report's iterations and evaluations add up both phases.
/// `allow_subsample` = false forces the direct path (tests compare the two).
inline bg_shape bg_fit(const char* fn, const rfm_data& data, const fit_options& opt, int m,
                       fit_report& report, bool allow_subsample = true) {
    validate_rfm(fn, data);
    require_nonnegative(fn, "penalizer", opt.penalizer);
    const bg_prepared d = bg_prepare(data, true);
    if (!(d.total_weight > 0))
        fail(status::invalid_argument, fn, "the data have no rows with positive weight");
    require_observed_rows(fn, d);
    double sx = 0, sT = 0;
    for (std::size_t g = 0; g < d.xs.size(); ++g)
        for (std::size_t i = d.start[g]; i < d.start[g + 1]; ++i) {
            sx += d.w[i] * d.xs[g];
            sT += d.w[i] * d.T[i];
        }
    fit_problem pr;
    pr.fn = fn;
    pr.names = {"r", "alpha", "a", "b"};
    pr.total_weight = d.total_weight;
    pr.rows_used = d.tx.size();
    const double W = d.total_weight > 0 ? d.total_weight : 1;
    // Starts: a data-driven one (r = 1 and α matching the mean purchase rate Σx/ΣT, a = 1,
    // b = 3: P(drop after a purchase) ≈ 0.25), lifetimes' all-ones, and a low-r guess.
    // (all T = 0: no time scale in the data; start α at 1)
    const double alpha0 = sx > 0 && sT > 0 ? sT / sx : (sT > 0 ? sT / W : 1);
    pr.starts = {{1, alpha0, 1, 3}, {1, 1, 1, 1}, {0.3, alpha0, 0.5, 1.5}};
    // (α is a time scale: its divergence bound is relative to the mean age)
    pr.bounds = {{"r"}, scale_parameter("alpha", sT / W), {"a"}, {"b"}};
    // lifetimes' convention: α penalised in units where the largest T is 1.
    double max_T = 0;
    for (std::size_t i = 0; i < data.size(); ++i) max_T = std::max(max_T, data.age[i]);
    if (max_T > 0) pr.lifetimes_penalty_scale = {1, 1 / max_T, 1, 1};
    auto ll_of = [m](const bg_prepared& rows) {
        return [&rows, m](const double* phi, double* grad) {
            return bg_total_log_likelihood(bg_shape{phi[0], phi[1], phi[2], phi[3], m}, rows,
                                           grad);
        };
    };
    fit_outcome out;
    if (allow_subsample && d.tx.size() >= fit_subsample_min_rows) {
        const bg_prepared sub = bg_subsample(d, d.tx.size() / fit_subsample_rows);
        out = run_fit(pr, opt, ll_of(d), fit_subsample<decltype(ll_of(sub))>{ll_of(sub),
                                                                               sub.total_weight});
    } else {
        out = run_fit(pr, opt, ll_of(d));
    }
    report = std::move(out.report);
    return {out.params[0], out.params[1], out.params[2], out.params[3], m};
}

}  // namespace ltv::detail
