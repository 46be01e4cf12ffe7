// SPDX-License-Identifier: Apache-2.0
// ltv/detail/special.hpp — special functions shared by the models.
//
//  log_gamma(x)               ln|Γ(x)|, thread-safe (glibc's lgamma writes the global signgam).
//  log_gamma_shift(x, e)      lnΓ(x − e) − lnΓ(x) to full relative accuracy, also for e → 0.
//  log_gamma_delta(x, d)      lnΓ(x + d) − lnΓ(x) to full absolute accuracy for any x, d ≥ 0.
//  beta_stieltjes(a, b, w)    E[1/(w + θ)], θ ~ Beta(a, b): the ₂F₁(1, b; a + b; z) of the sBG
//                             valuation, the BG/BB DERT and the Pareto/NBD likelihood near z = 1.
#pragma once

#include <cmath>
#include <limits>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "ltv/error.hpp"

namespace ltv::detail {

/// ln|Γ(x)|; the sign of Γ(x) goes to *sign when given. glibc's lgamma (std::lgamma) stores the
/// sign in the global `signgam`, a data race when fits run on several threads; its reentrant
/// lgamma_r computes the same value without it. Elsewhere Boost's lgamma (thread-safe) is used.
/// Poles (0, −1, −2, …) give +∞ as std::lgamma does.
inline double log_gamma(double x, int* sign = nullptr) {
    int s = 1;
#if defined(__GLIBC__)
    const double v = ::lgamma_r(x, &s);
#else
    double v;
    if (x <= 0 && x == std::floor(x))
        v = std::numeric_limits<double>::infinity();
    else
        v = boost::math::lgamma(x, &s);
#endif
    if (sign) *sign = s;
    return v;
}

/// B₂ₖ, k = 1..6: the coefficients B₂ₖ/(2k(2k−1)) z^(1−2k) of Stirling's series (DLMF 5.11.1).
inline constexpr double stirling_bernoulli[6] = {1.0 / 6,   -1.0 / 30, 1.0 / 42,
                                                 -1.0 / 30, 5.0 / 66,  -691.0 / 2730};

/// lnΓ(x − e) − lnΓ(x) for x ≥ 1, −1/2 ≤ e < 1, with a small RELATIVE error also when e → 0 (where
/// the difference of two log-gammas would keep only an absolute one): the recurrence
/// lnΓ(y) = lnΓ(y + 1) − ln y moves x up to y ≥ 20 (terms log1p(−e/y)), then Stirling's series
/// (DLMF 5.11.1) for both gammas, each difference written without cancellation:
///   (y − e − ½) ln(y − e) − (y − ½) ln y + e
///       = y·Σₖ≥₂ uᵏ/(k(k−1)) − ½ log1p(−u) − e ln y,            u = e/y,
///   B₂ₖ/(2k(2k−1)) [(y − e)^(1−2k) − y^(1−2k)] = … y^(1−2k) expm1((1−2k) log1p(−u)).
/// Six Stirling terms reach 1e−19 relative at y ≥ 20.
inline double log_gamma_shift(double x, double e) {
    double acc = 0, y = x;
    for (; y < 20; y += 1) acc -= std::log1p(-e / y);
    const double u = e / y, l1 = std::log1p(-u);
    double s = 0, p = u * u;  // Σₖ≥₂ uᵏ/(k(k−1)), |u| < 1/20: < 14 terms
    for (int k = 2; k < 40; ++k) {
        const double t = p / (k * (k - 1.0));
        s += t;
        if (std::abs(t) <= 1e-18 * std::abs(s)) break;
        p *= u;
    }
    double r = y * s - 0.5 * l1 - e * std::log(y);
    double ypow = 1 / y, y2 = 1 / (y * y);  // y^(1−2k)
    for (int k = 1; k <= 6; ++k) {
        const double c = stirling_bernoulli[k - 1] / (2 * k * (2 * k - 1.0));
        r += c * ypow * std::expm1((1 - 2 * k) * l1);
        ypow *= y2;
    }
    return acc + r;
}

/// lnΓ(x + d) − lnΓ(x) for x > 0, d ≥ 0 (and x + d finite), with an absolute error of a few
/// ulp of the larger of |result| and 360, for any sizes: the difference of two log-gammas keeps
/// only eps·lnΓ(x + d) absolutely, 2e−6 at x ≈ 1e9 (sBG S(t) at t = 1e9, Gamma-Gamma at p·x ≈ 6e9:
/// issue 9, causes 7 and 8). Three regions:
///  - x < 20, x + d < 100: lnΓ(x + d) − lnΓ(x), both small (|lnΓ| < 360 unless x is tiny,
///    where lnΓ(x) ≈ −ln x is exact to its own rounding): faster than the third way below;
///  - x ≥ 20: Stirling's series (DLMF 5.11.1) for both, the difference written without
///    cancellation of the large terms (z = x + d, u = d/x):
///      (z − ½) ln z − (x − ½) ln x − d = d (ln z − 1) + (x − ½) log1p(u),
///    plus Σₖ B₂ₖ/(2k(2k−1)) (z^(1−2k) − x^(1−2k)), six terms (< 1e−17 at x ≥ 20);
///  - x < 20, x + d ≥ 100: lnΓ(x + k) − lnΓ(x) = ln Πⱼ₍ₖ (x + j) for the k ≤ 20 steps to
///    x + k ≥ 20, then the Stirling form for (x + k, d − k).
/// (log_gamma_shift above gives RELATIVE accuracy for shifts |e| < 1; this one absolute accuracy
/// for any shift, which is what a log-likelihood term or a ratio exp(lnΓ − lnΓ) needs.)
inline double log_gamma_delta(double x, double d) {
    if (d == 0) return 0;
    const double z = x + d;
    if (x < 20 && z < 100) return log_gamma(z) - log_gamma(x);
    double acc = 0;
    if (x < 20) {
        double prod = 1;
        for (; x < 20; x += 1, d -= 1) prod *= x;  // ≤ 20 factors < 20: no overflow
        acc = std::log(prod);
    }
    const double l = std::log1p(d / x);
    double r = d * (std::log(z) - 1) + (x - 0.5) * l;
    const double ix2 = 1 / (x * x), iz2 = 1 / (z * z);
    double cx = 0, cz = 0;  // Σₖ cₖ v^(2−2k), Horner from k = 6
    for (int k = 6; k >= 1; --k) {
        const double c = stirling_bernoulli[k - 1] / (2 * k * (2 * k - 1.0));
        cx = cx * ix2 + c;
        cz = cz * iz2 + c;
    }
    r += cz / z - cx / x;
    return acc + r;
}

/// E[1/(w + θ)] for θ ~ Beta(a, b); a, b, w > 0. It is the Gauss hypergeometric function
///   ₂F₁(1, b; a + b; z) = (1 + w) · beta_stieltjes(a, b, w),   z = 1/(1 + w),
/// (Euler's integral, DLMF 15.6.1, with θ = 1 − t). Every term below is positive or the
/// cancellation is bounded, so the result has a relative error of a few 1e−15 for all a, b, w
/// (tested against 50-digit direct sums, tests/reference/sbg_valuation.py); the cost is bounded
/// (at most a few thousand steps, usually < 100; a few µs).
///
/// Three methods, by region:
///  (1) Gauss's continued fraction (DLMF 15.7.5) for beta_stieltjes = (1/w) ₂F₁(1, a; a+b; −1/w):
///        K = 1/(w + k₁/(1 + k₂/(w + k₃/(1 + k₄/(w + …))))),
///        k₂ᵢ₊₁ = (a+i)(c+i)/((c+2i)(c+2i+1)),  k₂ᵢ = i(b−1+i)/((c+2i−1)(c+2i)),  c = a+b−1,
///      all kⱼ > 0: each convergent is a sum of positive terms (no cancellation, unlike the
///      ₂F₁ series in z or the 1 − z connection formula, which lost all digits for the sBG with
///      β ≳ 200: defect D3), and successive convergents bracket the value. Its convergents are
///      Gauss–Jacobi quadratures of 1/(w + θ), so it converges fast unless the pole −w sits
///      close to the Beta mass near 0: used when w ≥ 10⁻³ (≲ 9/√w steps) or w·b ≥ 1/4 (the
///      Beta mass near 0 spreads over θ ≲ 1/b ≲ 4w), and as the fallback of (3).
///  (2) w < 10⁻³, w·b < 1/4 and a < 10, where (1) would need ~9/√w steps: the 1/z
///      transformation (DLMF 15.8.2) of (1/w) ₂F₁(1, a; a+b; −1/w) at a₀ = a − m ∈ (0, 3/2]
///      (m = 0 for a ≤ 3/2, else a₀ > ½), ε = 1 − a₀ ∈ [−½, 1). Its second ₂F₁ is
///      (1 + w)^(b−1) in closed form, its first after Euler's transformation (15.8.1)
///      (1 + w)^(b−1) ₂F₁(ε, b; 1 + ε; −w):
///        K(a₀) = (1+w)^(b−1) [1 + b·Λ·E(εΛ) − (b − ε) Σₙ≥₁ (b)ₙ (−w)ⁿ / (n! (n + ε))],
///        Λ = [lnΓ(1+ε) + lnΓ(b+1−ε) − lnΓ(b+1)]/ε − ln w,   E(x) = expm1(x)/x.
///      The two gamma prefactors have poles at integer a (ε → 0) that cancel; written as
///      b·Λ·E(εΛ), with log1p(tgamma1pm1(ε)) and log_gamma_shift accurate to relative
///      precision, the limit is regular (Λ → −γ − ψ(b+1) − ln w at ε = 0). Here Λ > 0 and the
///      alternating series has ratio < w·b + w < 0.26, so nothing cancels. Then the recurrence
///      (from the Beta integral)
///        K(a + 1) = (a + b)/a · (1 − w K(a))
///      climbs the m ≤ 9 steps to a; it is stable here: the relative error is multiplied by
///      E[w/(w+θ)] / E[θ/(w+θ)] per step, which is ≲ 1 when w·b < 1/4 and a ≥ ½.
///  (3) w < 10⁻³, w·b < 1/4 and a ≥ 10, where (2) would need a − 1 steps and (1) converges
///      ever more slowly as w → 0 (2e6 steps were not enough at a = 10, w = 1e−300): the
///      Taylor series in w, K = Σₖ (−w)ᵏ E[θ^−(k+1)], whose remainder after N terms is at most
///      the next term while N + 1 < a (the moments exist); when that does not reach 1e−17
///      relative, (1).
inline double beta_stieltjes(double a, double b, double w) {
    if (!(w > 0))  // w = 0 (z rounded to 1): E[1/θ], finite only for a > 1
        return a > 1 ? (a + b - 1) / (a - 1) : std::numeric_limits<double>::infinity();
    const bool near_zero = w < 1e-3 && w * b < 0.25;
    if (near_zero && a >= 10) {
        // (3) K = Σₖ₌₀..N−1 (−w)ᵏ E[θ^−(k+1)] + (−w)^N E[θ^−N/(w+θ)] exactly, and the last term
        // is at most w^N E[θ^−(N+1)], the next term's size, while N + 1 < a. The moments
        // E[θ^−j] = Πᵢ₌₁..j (a+b−i)/(a−i) shrink by w(a+b−j)/(a−j) ≲ w + wb/(a−j) per term.
        double term = (a + b - 1) / (a - 1), sum = term;  // E[1/θ]
        for (int k = 1; k + 1 < a && k < 200; ++k) {
            term *= -w * (a + b - k - 1) / (a - k - 1);  // (−w)ᵏ E[θ^−(k+1)]
            if (std::abs(term) <= 1e-17 * sum) return sum;
            sum += term;
        }
        // not small enough before the moments run out (a − 1 terms): the continued fraction
    }
    if (!near_zero || a >= 10) {
        // (1) modified Lentz on w + k₁/(1 + k₂/(w + k₃/(1 + …))).
        const double c = a + b - 1;
        constexpr double tiny = std::numeric_limits<double>::min();
        double f = w, C = w, D = 0;
        for (int j = 1; j < 2000000; ++j) {
            double k, bj;
            if (j % 2 == 1) {
                const double i = (j - 1) / 2;
                // (ratios first: c may be ~1e300)
                k = j == 1 ? a / (a + b) : (a + i) * ((c + i) / (c + 2 * i)) / (c + 2 * i + 1);
                bj = 1;
            } else {
                const double i = j / 2;
                k = i * ((b - 1 + i) / (c + 2 * i - 1)) / (c + 2 * i);
                bj = w;
            }
            D = bj + k * D;
            C = bj + k / C;
            if (C < tiny) C = tiny;  // (positive terms: only underflow can make them vanish)
            D = D < tiny ? 1 / tiny : 1 / D;
            const double delta = C * D;
            f *= delta;
            if (std::abs(delta - 1) <= 2 * std::numeric_limits<double>::epsilon()) return 1 / f;
        }
        throw error(status::internal, "beta_stieltjes: the continued fraction did not converge");
    }
    // (2) a₀ ∈ (½, 3/2], then m upward steps.
    int m = 0;
    double a0 = a;
    while (a0 > 1.5) {  // a < 10: at most 9 steps
        a0 -= 1;
        ++m;
    }
    const double eps = 1 - a0;  // exact (Sterbenz)
    const double lw = std::log(w);
    double lambda;
    if (eps == 0) {
        lambda = -0.57721566490153286061 - boost::math::digamma(b + 1) - lw;
    } else {
        // lnΓ(1+ε) = log1p(Γ(1+ε) − 1): relative accuracy as ε → 0
        const double lg1 = std::log1p(boost::math::tgamma1pm1(eps));
        // lnΓ(b+1−ε) − lnΓ(b+1), with relative accuracy as ε → 0 (log_gamma_shift); for ε > ½
        // (a ≤ ½, no pole to cancel) with its argument formed as b + a: b + 1 − ε kept only an
        // absolute eps of it, 3e−5 relative error in DEL at α = β = 1e−12 (issue 9).
        const double lgs = eps <= 0.5 ? log_gamma_shift(b + 1, eps) : -log_gamma_delta(b + a0, eps);
        lambda = (lg1 + lgs) / eps - lw;
    }
    const double x = eps * lambda;
    const double E = x == 0 ? 1.0 : std::expm1(x) / x;
    double sum = 0, p = 1;
    for (int n = 1; n < 200; ++n) {
        p *= (b + n - 1) * -w / n;
        const double t = p / (n + eps);
        sum += t;
        if (std::abs(t) <= 1e-17 * std::abs(sum)) break;
    }
    double K = std::exp((b - 1) * std::log1p(w)) * (1 + b * lambda * E - (b - eps) * sum);
    for (int i = 0; i < m; ++i, a0 += 1) K = (a0 + b) / a0 * (1 - w * K);
    return K;
}

}  // namespace ltv::detail
