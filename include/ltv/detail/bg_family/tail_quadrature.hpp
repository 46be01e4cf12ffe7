// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family/tail_quadrature.hpp — the last resort of the expected-purchases integral
// tail(A, a, β, s) (ltv/detail/bg_family/tail.hpp): tanh-sinh quadrature of its defining Beta
// integral, for extreme parameters where the series and the connection formula cannot be
// trusted. It alone needs Boost's quadrature and the Beta density (boost::math::ibeta_derivative).
#pragma once

#include <algorithm>
#include <cmath>
#include <exception>
#include <initializer_list>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>

namespace ltv::detail {

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

}  // namespace ltv::detail
