// SPDX-License-Identifier: Apache-2.0
// ltv/hyp2f1.hpp — the Gauss hypergeometric function ₂F₁(a, b; c; z) for real arguments, z ≤ 1.
//
//   ₂F₁(a, b; c; z) = Σₙ (a)ₙ (b)ₙ / ((c)ₙ n!) zⁿ                         (DLMF 15.2.1)
//
// Regions and the branch that covers each (DLMF chapter 15 numbering):
//   |z| ≤ 0.5        the Maclaurin series: terms shrink at least like 0.5ⁿ eventually.
//   −1 ≤ z < −0.5    Pfaff's transformation (15.8.1) ₂F₁(a,b;c;z) = (1−z)^−a ₂F₁(a, c−b; c; w),
//                    w = z/(z−1) ∈ [1/3, 1/2]: back inside the series' good region, no
//                    alternating-sign cancellation.
//   0.5 < z < 1      first the series with a bounded number of terms: it converges fast when c
//                    is large against a·b (e.g. BG/NBD with many purchases), where the other
//                    branch would need huge intermediate values. Otherwise the 1−z connection
//                    formula (15.8.4), whose two series in 1−z ∈ (0, 0.5) converge fast.
//                    When m = c−a−b is (near) an integer, its gamma factors have poles that
//                    cancel; we then evaluate at six shifted values c' with m' = N ± h, N ± 2h,
//                    N ± 3h (h = 10⁻³, N = round(m)) and interpolate (quintic Lagrange) back to
//                    c. This keeps ≈ 11-12 digits (loss ≈ ε/h from the cancellation, h⁶·∂⁶F
//                    truncation); it is simpler and easier to verify than the ψ-series limit
//                    formulas (15.8.10), and is tested against the plain series.
//   z < −1           Pfaff as above, then w ∈ (0.5, 1) is handled like 0.5 < z < 1.
//   z = 1            Gauss's sum (15.4.20) when c−a−b > 0; otherwise ₂F₁ diverges.
// c must not be 0, −1, −2, … (a pole of ₂F₁) and z must be ≤ 1: anything else is a domain_error.
// A series that does not converge (more than 100 000 terms, or terms that underflow before a
// pole of the term ratio at n = −c brings them back) is status::no_convergence, not a number.
// Accuracy: about 1e-14 relative for moderate parameters (|a|, |b|, |c| ≲ 100); for large
// parameters with z close to 1 accuracy is lower unless c ≫ |a·b| (the series case).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "ltv/detail/special.hpp"
#include "ltv/detail/validate.hpp"

namespace ltv {
namespace detail {

/// The Maclaurin series of ₂F₁. Sets converged = false when max_terms were not enough, and
/// cancellation = the ratio max|term| / |sum| (≥ 1; digits lost ≈ log10 of it).
inline double hyp2f1_series(double a, double b, double c, double z, int max_terms,
                            bool& converged, double& cancellation) {
    double term = 1, sum = 1, biggest = 1;
    converged = false;
    for (int n = 0; n < max_terms; ++n) {
        const double dn = n;
        const double ratio = (a + dn) * (b + dn) / ((c + dn) * (dn + 1)) * z;
        term *= ratio;
        sum += term;
        biggest = std::max(biggest, std::abs(term));
        if (term == 0) {
            // a or b a non-positive integer (ratio 0): a polynomial, now complete. Otherwise
            // the term underflowed, and later terms may grow back (a negative c, below): not
            // converged.
            converged = ratio == 0;
            break;
        }
        // Stop when the remaining tail is below the rounding level of the sum. Later ratios
        // ρ(m) = z(m+a)(m+b)/((m+c)(m+1)) tend to z but may first rise (a rational function
        // of degree 2 over 2 has at most two turning points), so the largest of ρ at
        // m = n+1, 2(n+1), 4(n+1), 16(n+1) and its limit |z| bounds the tail |term|·ρ/(1−ρ).
        // A negative c puts a pole of the ratio at m = −c: terms may shrink to rounding level
        // and then grow by orders of magnitude as c + m passes 0 (c = −996.8: f = 0.1213, and
        // stopping at n = 8 gave 0.9979; issue 9). So no stop before every later (c + m) > 0.
        if (c + dn + 1 > 0 && std::abs(term) <= 1e-16 * std::abs(sum)) {
            auto ratio_at = [&](double m) {
                return std::abs((a + m) * (b + m) / ((c + m) * (m + 1)) * z);
            };
            double rho = std::abs(z);
            for (double m : {dn + 1, 2 * (dn + 1), 4 * (dn + 1), 16 * (dn + 1)})
                rho = std::max(rho, ratio_at(m));
            if (rho < 1 && std::abs(term) * rho <= 1e-17 * (1 - rho) * std::abs(sum)) {
                converged = true;
                break;
            }
        }
        if (!std::isfinite(sum)) break;
    }
    cancellation = sum != 0 ? biggest / std::abs(sum) : std::numeric_limits<double>::infinity();
    return sum;
}

/// sign · exp(log|Γ(x)|) pieces: adds log|Γ(x)| to logv and folds its sign into sign.
/// Returns false when x is a pole (0, −1, −2, …).
inline bool add_log_gamma(double x, double factor, double& logv, int& sign) {
    if (x <= 0 && x == std::floor(x)) return false;
    int s = 1;
    logv += factor * log_gamma(x, &s);
    if (s < 0) sign = -sign;
    return true;
}

/// One term Γ(n1)Γ(n2) / (Γ(d1)Γ(d2)) · scale, computed in log space; 0 when a denominator
/// argument is a pole (1/Γ vanishes there).
inline double gamma_ratio(double n1, double n2, double d1, double d2) {
    double logv = 0;
    int sign = 1;
    if (!add_log_gamma(d1, -1, logv, sign) || !add_log_gamma(d2, -1, logv, sign)) return 0;
    add_log_gamma(n1, 1, logv, sign);
    add_log_gamma(n2, 1, logv, sign);
    return sign * std::exp(logv);
}

/// DLMF 15.8.4 for 0 < z < 1 with c − a − b not an integer. ok is cleared when either series
/// did not converge; *lost (when given) receives the relative rounding the result carries from
/// the series' cancellation and that between the two terms: max(cancellation)·(|t1|+|t2|)/|F|.
inline double hyp2f1_one_minus_z_generic(double a, double b, double c, double z, bool& ok,
                                         double* lost = nullptr) {
    const double m = c - a - b, y = 1 - z;
    bool conv1, conv2;
    double canc1, canc2;
    const double f1 = hyp2f1_series(a, b, 1 - m, y, 100000, conv1, canc1);
    const double f2 = hyp2f1_series(c - a, c - b, 1 + m, y, 100000, conv2, canc2);
    ok = ok && conv1 && conv2;
    const double t1 = gamma_ratio(c, m, c - a, c - b) * f1;
    const double t2 = f2 == 0 ? 0 : gamma_ratio(c, -m, a, b) * std::exp(m * std::log(y)) * f2;
    if (lost) *lost = std::max(canc1, canc2) * (std::abs(t1) + std::abs(t2)) / std::abs(t1 + t2);
    return t1 + t2;
}

/// DLMF 15.8.4, with the near-integer c − a − b handled by interpolation in c (see top).
inline double hyp2f1_one_minus_z(double a, double b, double c, double z, bool& ok) {
    const double m = c - a - b;
    const double N = std::round(m);
    constexpr double h = 1e-3;
    const double delta = m - N;
    if (std::abs(delta) >= h) return hyp2f1_one_minus_z_generic(a, b, c, z, ok);
    // Quintic Lagrange interpolation through m' = N ± h, N ± 2h, N ± 3h at m' = m.
    const double nodes[6] = {-3 * h, -2 * h, -h, h, 2 * h, 3 * h};
    double result = 0;
    for (int i = 0; i < 6; ++i) {
        double w = 1;
        for (int j = 0; j < 6; ++j)
            if (j != i) w *= (delta - nodes[j]) / (nodes[i] - nodes[j]);
        result += w * hyp2f1_one_minus_z_generic(a, b, c - delta + nodes[i], z, ok);
    }
    return result;
}

/// ₂F₁ for 0 ≤ z < 1 (after any Pfaff step); ok is cleared when a series did not converge.
inline double hyp2f1_unit(double a, double b, double c, double z, bool& ok) {
    bool conv;
    double canc;
    if (z <= 0.5) {
        const double s = hyp2f1_series(a, b, c, z, 100000, conv, canc);
        ok = ok && conv;
        return s;
    }
    // Fast when c dominates: try a short series first (see the header comment).
    const double s = hyp2f1_series(a, b, c, z, 400, conv, canc);
    if (conv && canc < 1e3) return s;
    return hyp2f1_one_minus_z(a, b, c, z, ok);
}

/// The public function's error for a series that did not converge (terms that underflowed
/// before a pole of the term ratio, or more than 100 000 terms).
[[noreturn]] inline void hyp2f1_no_convergence(double a, double b, double c, double z) {
    fail(status::no_convergence, "hyp2f1",
         "the series for 2F1(" + format_value(a) + ", " + format_value(b) + "; " +
             format_value(c) + "; " + format_value(z) + ") did not converge");
}

}  // namespace detail

/// ₂F₁(a, b; c; z) for real a, b, c and z ≤ 1; see the header comment for the method.
inline double hyp2f1(double a, double b, double c, double z) {
    constexpr const char* fn = "hyp2f1";
    detail::require_finite(fn, "a", a);
    detail::require_finite(fn, "b", b);
    detail::require_finite(fn, "c", c);
    detail::require_finite(fn, "z", z);
    if (c <= 0 && c == std::floor(c))
        detail::fail(status::domain_error, fn,
                     "c = " + detail::format_value(c) + " is a pole of 2F1 (0, -1, -2, ...)");
    if (z > 1)
        detail::fail(status::domain_error, fn,
                     "z = " + detail::format_value(z) + " > 1 lies on the branch cut");
    if (z == 1) {
        // Gauss's sum; it exists only when the series converges at 1.
        if (!(c - a - b > 0))
            detail::fail(status::domain_error, fn,
                         "2F1 diverges at z = 1 when c - a - b <= 0 (c - a - b = " +
                             detail::format_value(c - a - b) + ")");
        return detail::gamma_ratio(c, c - a - b, c - a, c - b);
    }
    bool ok = true;
    double v;
    if (z >= 0) {
        v = detail::hyp2f1_unit(a, b, c, z, ok);
    } else if (z >= -0.5) {
        double canc;
        v = detail::hyp2f1_series(a, b, c, z, 100000, ok, canc);
    } else {
        // Pfaff: ₂F₁(a,b;c;z) = (1−z)^−a ₂F₁(a, c−b; c; z/(z−1)); the mirror form with b
        // swapped in when that makes the new series a polynomial (c−a a non-positive integer).
        const double w = z / (z - 1);
        const bool use_b = (c - a <= 0 && c - a == std::floor(c - a)) ||
                           (b <= 0 && b == std::floor(b));
        v = use_b ? std::pow(1 - z, -b) * detail::hyp2f1_unit(c - a, b, c, w, ok)
                  : std::pow(1 - z, -a) * detail::hyp2f1_unit(a, c - b, c, w, ok);
    }
    if (!ok) detail::hyp2f1_no_convergence(a, b, c, z);
    return v;
}

}  // namespace ltv
