// SPDX-License-Identifier: Apache-2.0
// ltv/pareto_nbd.hpp — the Pareto/NBD model of repeat purchasing (Schmittlein, Morrison &
// Colombo 1987, "Counting your customers", Management Science 33(1)); likelihood and
// predictions as in Fader & Hardie, "A note on deriving the Pareto/NBD model and related
// expressions" (2005), and Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4).
//
// While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); the lifetime is
// exponential with rate μ ~ Gamma(s, β). For (x, t_x, T) (ltv/rfm_data.hpp), integrating the
// dropout time τ ∈ (t_x, T) explicitly,
//   L = Γ(r+x)/Γ(r) · α^r β^s · [ P(T) + s ∫_{t_x}^T (α+τ)^−(r+x) (β+τ)^−(s+1) dτ ],
//   P(t) = (α+t)^−(r+x) (β+t)^−s.
// The usual closed form is the ₂F₁ "A₀" expression with branches α ≥ β / α < β. Here it is
// rearranged into a sum of two POSITIVE terms (no subtraction anywhere):
//   P(T) + s∫_{t_x}^T = (r+x)·J(r+x+1, s; T) + s·J(r+x, s+1; t_x),
//   J(p, q; t) = ∫_t^∞ (α+τ)^−p (β+τ)^−q dτ
//              = (α+t)^−p (β+t)^−q (m+t)/(p+q−1) · ₂F₁(1, b; p+q; z),
// with, for α ≥ β: m = β, b = p, z = (α−β)/(α+t); for α < β: m = α, b = q, z = (β−α)/(β+t)
// (series in (β+τ)/(α+τ) or its inverse, then Euler's transformation). ₂F₁(1, b; c; z) with
// 0 < b < c and 0 ≤ z < 1 is a series of positive terms with ratios < z (detail::pnbd_f), so:
//   log L = lnΓ(r+x) − lnΓ(r) + r ln α + s ln β + ln P(T) − ln R + ln(a₁ + a₂),   R = r+s+x,
//   a₁ = (r+x) ρ F(b_A, R+1, z_T),  a₂ = s σ F(b_G, R+1, z_{t_x}) e^D,
//   D = (r+x) ln((α+T)/(α+t_x)) + s ln((β+T)/(β+t_x)) ≥ 0,
//   ρ = (β+T)/(α+T) (α ≥ β) or 1;  σ = 1 (α ≥ β) or (α+t_x)/(β+t_x),
// where ln(a₁ + a₂) is a log-sum-exp (x = 10 000 makes e^D overflow). Then
//   P(alive | x, t_x, T) = R / (a₁ + a₂)
//   E[Y(t) | x, t_x, T]  = P(alive) (r+x)/(α+T) · (β+T) h(s, t/(β+T)),
//   E[X(t)]              = r/α · β h(s, t/β),   h(s, u) = (1 − (1+u)^(1−s))/(s−1) (→ ln(1+u))
//   P(X(t) = n)          = NB(n; r, α/(α+t)) (β/(β+t))^s
//                          + s α^r β^s Γ(r+n)/(Γ(r) n!) ∫₀ᵗ τⁿ (α+τ)^−(r+n) (β+τ)^−(s+1) dτ
//   DERT(δ)              = P(alive) (r+x)/(α+T) · E[1/(δ+μ) | alive]
//                        = P(alive) (r+x)/(α+T) · (β+T) · j(s, δ(β+T)),
//   j(s, k) = E_{g~Gamma(s,1)}[1/(k+g)] = k^(s−1) e^k Γ(1−s, k),
// which is FHL 2005's α^r β^s δ^(s−1) Γ(r+x+1) Ψ(s, s; δ(β+T)) / (Γ(r)(α+T)^(r+x+1) L) with
// Ψ(s, s; k) = e^k Γ(1−s, k) (DLMF 13.6.4).
//
// Gradient (fits): analytic — the chain rule through a₁, a₂, D, ρ, σ, z, with ∂F/∂b, ∂F/∂c,
// ∂F/∂z summed term by term alongside F (no finite differences).
//
// T = 0 (first purchase at the end of the period; x = t_x = 0, rfm_data.hpp): L = α^r β^s ·
// α^−r β^−s = 1, so log L = 0 and P(alive) = 1 (exact branches: detail::pnbd_evaluate); then
//   E[Y(t) | 0, 0, 0] = r/α · β h(s, t/β) = E[X(t)],   DERT(δ | 0, 0, 0) = r/α · β j(s, δβ),
// the values of a customer just acquired, from the general formulas
// (tests/cpp/test_first_day_customers.cpp checks them against tests/oracle/pareto_nbd.py).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/expint.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "ltv/detail/bg_family.hpp"
#include "ltv/detail/fit_driver.hpp"
#include "ltv/detail/optimize.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/special.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/model_traits.hpp"

namespace ltv {

struct pareto_nbd_params {
    double r = 0;      ///< shape of the Gamma purchase-rate heterogeneity
    double alpha = 0;  ///< scale (time units) of the Gamma purchase-rate heterogeneity
    double s = 0;      ///< shape of the Gamma dropout-rate heterogeneity
    double beta = 0;   ///< scale (time units) of the Gamma dropout-rate heterogeneity
};

struct pareto_nbd_fit_result {
    pareto_nbd_params params;
    fit_report report;  ///< parameters in the order r, alpha, s, beta
};

namespace detail {

inline void validate_pnbd_params(const char* fn, const pareto_nbd_params& p) {
    require_positive(fn, "r", p.r);
    require_positive(fn, "alpha", p.alpha);
    require_positive(fn, "s", p.s);
    require_positive(fn, "beta", p.beta);
}

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

/// Everything about one customer that the likelihood and P(alive) need.
struct pnbd_eval {
    double log_L = 0;
    double alive = 1;
};

/// log L (and optionally ∂ log L/∂(r, α, s, β) in natural parameters) of one customer; see
/// the header comment for the formulas.
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
    const bool ab = a >= b;  // which parameter the series expands around (see header)
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

// ---- Fast paths: ₂F₁ as per-x polynomials ---------------------------------------------------
//
// F = ₂F₁(1, b; c; z) = Σ cₙ zⁿ, cₙ = (b)ₙ/(c)ₙ, and b, c depend on a row only through x. So
// per x (and evaluation) the coefficients of F, ∂F/∂b = Σ cₙ Hbₙ zⁿ (Hbₙ = Σ_{k<n} 1/(b+k)),
// ∂F/∂c = −Σ cₙ Hcₙ zⁿ and ∂F/∂z = Σ (n+1)c_{n+1} zⁿ are built once, and each row evaluates
// polynomials in its z (no divisions, vectorisable across rows). The degree is chosen with the
// stopping test of pnbd_series at the largest z of the rows concerned, with F replaced by its
// lower bound 1: the test's left side grows and its right side shrinks with z, so every row
// then meets pnbd_series' own test. Rows whose z needs more than pnbd_max_degree terms (α and
// β orders of magnitude apart) take pnbd_hyp as before.

constexpr int pnbd_max_degree = 64;

/// pnbd_series' stopping test after the term of degree m, c_m zᵐ = cm_zm, with F ≥ 1.
inline bool pnbd_tail_ok(double cm_zm, int m, double b, double c, double z) {
    const double rho = z * (b + m) / (c + m);
    return cm_zm * (m + 1) <= 1e-17 * (1 - rho) * (1 - rho);
}

/// The coefficients of F (and, with grad, of Fb, Fc, Fz) for rows with z ≤ zmax.
struct pnbd_poly {
    int n = 0;        ///< degree
    double zmax = 0;  ///< rows with larger z take pnbd_hyp
    double b = 0, c = 0;
    double F[pnbd_max_degree + 1], Fb[pnbd_max_degree + 1], Fc[pnbd_max_degree + 1],
        Fz[pnbd_max_degree + 1];
};

/// Builds P for ₂F₁(1, b; c; ·) on z ∈ [0, zb].
inline void pnbd_poly_build(pnbd_poly& P, double b, double c, double zb, bool grad) {
    P.b = b;
    P.c = c;
    P.F[0] = 1;
    P.Fb[0] = P.Fc[0] = 0;
    double cm = 1, hb = 0, hc = 0, zm = 1;
    int n = pnbd_max_degree;
    bool ok = false;
    for (int m = 1; m <= pnbd_max_degree; ++m) {
        const double bm = b + (m - 1), cm1 = c + (m - 1);
        cm *= bm / cm1;
        zm *= zb;
        P.F[m] = cm;
        if (grad) {
            hb += 1 / bm;
            hc += 1 / cm1;
            P.Fb[m] = cm * hb;
            P.Fc[m] = -cm * hc;
            P.Fz[m - 1] = m * cm;
        }
        if (pnbd_tail_ok(cm * zm, m, b, c, zb)) {
            n = m;
            ok = true;
            break;
        }
    }
    P.Fz[n] = 0;  // ∂F/∂z has degree n − 1; the zero lets all four share one Horner loop
    P.n = n;
    if (ok) {
        P.zmax = zb;
        return;
    }
    // zb needs more terms than pnbd_max_degree: the largest z for which n terms are enough
    // (bisection; the test is monotone in z).
    double lo = 0, hi = zb;
    for (int i = 0; i < 60; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (pnbd_tail_ok(P.F[n] * std::pow(mid, n), n, b, c, mid))
            lo = mid;
        else
            hi = mid;
    }
    P.zmax = lo;
}

/// Rows per block of the vectorised polynomial evaluation.
constexpr std::size_t pnbd_block = 8;

/// F (and with Grad Fb, Fc, Fz) at z[0..pnbd_block) by Horner's rule, rows in the inner loop.
template <bool Grad>
inline void pnbd_poly_eval(const pnbd_poly& P, const double* z, double* F, double* Fb,
                           double* Fc, double* Fz) {
    const int n = P.n;
    for (std::size_t j = 0; j < pnbd_block; ++j) {
        F[j] = P.F[n];
        if (Grad) {
            Fb[j] = P.Fb[n];
            Fc[j] = P.Fc[n];
            Fz[j] = P.Fz[n];
        }
    }
    for (int k = n - 1; k >= 0; --k) {
        const double cF = P.F[k], cB = P.Fb[k], cC = P.Fc[k], cZ = P.Fz[k];
        for (std::size_t j = 0; j < pnbd_block; ++j) {
            F[j] = F[j] * z[j] + cF;
            if (Grad) {
                Fb[j] = Fb[j] * z[j] + cB;
                Fc[j] = Fc[j] * z[j] + cC;
                Fz[j] = Fz[j] * z[j] + cZ;
            }
        }
    }
}

/// Prepared rows (grouped by x, duplicates merged: bg_prepare) plus, per group, the smallest
/// t_x and the smallest positive T, which bound z and so fix the polynomial degrees (rows with
/// T = 0 add exactly 0 and never evaluate a polynomial: pnbd_total_impl; counting them would
/// raise the x = 0 group's bound to |α−β|/max(α, β), and its degree, for nothing).
struct pnbd_prepared {
    bg_prepared rows;
    std::vector<double> tx_min, T_min;
};

inline pnbd_prepared pnbd_prepare(bg_prepared rows) {
    pnbd_prepared out;
    out.rows = std::move(rows);
    const bg_prepared& d = out.rows;
    for (std::size_t g = 0; g < d.xs.size(); ++g) {
        double tmin = std::numeric_limits<double>::infinity(), Tmin = tmin;
        for (std::size_t i = d.start[g]; i < d.start[g + 1]; ++i) {
            tmin = std::min(tmin, d.tx[i]);
            if (d.T[i] > 0) Tmin = std::min(Tmin, d.T[i]);
        }
        out.tx_min.push_back(tmin);
        out.T_min.push_back(Tmin);
    }
    return out;
}

/// Every k-th row of each x group (k ≥ 1), weights unchanged: a stratified subsample for the
/// warm start of large fits (within a group rows are in input order, or sorted by T if merged).

/// Neumaier's compensated sum. The fits' objective is a sum over up to millions of rows; plain
/// accumulation leaves ~√n ulp(Σ) of noise (≈1e−13 relative at 1e5 rows), which near the optimum
/// exceeds the decrease a line search must verify (≈ |∇f|²/λ ≈ 1e−14 at the 1e−8 gradient
/// tolerance) and stalls BFGS. Added once per block of rows, so it costs little.
struct pnbd_ksum {
    double s = 0, c = 0;
    void add(double v) {
        const double t = s + v;
        c += std::abs(s) >= std::abs(v) ? (s - t) + v : (v - t) + s;
        s = t;
    }
    double value() const { return s + c; }
};

/// Scratch space of pnbd_total (two polynomials, ~2 KB each: kept off the stack of callers).
struct pnbd_work {
    pnbd_poly A, G;
};

/// Σ w log L over prepared rows and, with grad, its gradient w.r.t. (log r, log α, log s, log β):
/// pnbd_evaluate's formulas (see the header comment), rearranged per x group:
///  - lnΓ(r+x), ψ(r+x), ln R and the ₂F₁ coefficients once per group;
///  - a₁ + a₂ summed directly when e^D cannot overflow (D < 500: a₂ ≤ s·F·e^500 with
///    F ≤ 1/(1−z) ≤ max(α,β)/min(α,β) stays far below the double range), so one exp and one log
///    replace the log-sum-exp's two exps, one log and ln F_A, ln F_G; otherwise log-space as
///    before (very large x or T ≫ t_x);
///  - rows with t_x = 0 take ln(α+T) = ln α + ln(1 + T/α) (the log1p is needed for D anyway).
template <bool Grad>
double pnbd_total_impl(const pareto_nbd_params& p, const pnbd_prepared& pd, double* grad,
                       pnbd_work& work) {
    const bg_prepared& d = pd.rows;
    const double r = p.r, a = p.alpha, s = p.s, b = p.beta;
    const bool ab = a >= b;  // which parameter the series expands around (see header)
    const double diff = std::abs(a - b), m = ab ? a : b, mn = ab ? b : a;
    const double lna = std::log(a), lnb = std::log(b), lns = std::log(s), inv_s = 1 / s;
    const double lg_r = detail::log_gamma(r), dg_r = Grad ? boost::math::digamma(r) : 0.0;
    pnbd_ksum ll, G0, G1, G2, G3;
    pnbd_poly& PA = work.A;
    pnbd_poly& PG = work.G;
    constexpr std::size_t B = pnbd_block;
    for (std::size_t g = 0; g < d.xs.size(); ++g) {
        const double x = d.xs[g], rx = r + x, R = rx + s, c = R + 1;
        const double bA = ab ? rx + 1 : s, bG = ab ? rx : s + 1;
        pnbd_poly_build(PA, bA, c, diff / (m + pd.T_min[g]), Grad);
        pnbd_poly_build(PG, bG, c, diff / (m + pd.tx_min[g]), Grad);
        const double lnR = std::log(R), lnrx = std::log(rx), inv_rx = 1 / rx, inv_R = 1 / R;
        const double C0 = detail::log_gamma(rx) - lg_r + r * lna + s * lnb - lnR;
        const double dg = Grad ? boost::math::digamma(rx) - dg_r - inv_R : 0.0;
        for (std::size_t i0 = d.start[g]; i0 < d.start[g + 1]; i0 += B) {
            const std::size_t nb = std::min(B, d.start[g + 1] - i0);
            const double* Tv = d.T.data() + i0;
            const double* tv = d.tx.data() + i0;
            // Vectorisable part: z and reciprocals (padding rows get T = t_x = 0).
            double zT[B], zx[B], iaT[B], ibT[B], iat[B], ibt[B];
            for (std::size_t j = 0; j < B; ++j) {
                const double T = j < nb ? Tv[j] : 0.0, tx = j < nb ? tv[j] : 0.0;
                iaT[j] = 1 / (a + T);
                ibT[j] = 1 / (b + T);
                iat[j] = 1 / (a + tx);
                ibt[j] = 1 / (b + tx);
                zT[j] = diff * (ab ? iaT[j] : ibT[j]);
                zx[j] = diff * (ab ? iat[j] : ibt[j]);
            }
            double FA[B], FAb[B], FAc[B], FAz[B], FG[B], FGb[B], FGc[B], FGz[B];
            pnbd_poly_eval<Grad>(PA, zT, FA, FAb, FAc, FAz);
            pnbd_poly_eval<Grad>(PG, zx, FG, FGb, FGc, FGz);
            double bl = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;  // this block's sums
            for (std::size_t j = 0; j < nb; ++j) {
                const double T = Tv[j], tx = tv[j], w = d.w[i0 + j];
                if (T == 0) continue;  // log L = 0, gradient 0 exactly (see pnbd_evaluate)
                const double aT = a + T, bT = b + T, at = a + tx, bt = b + tx;
                // z beyond the polynomial's range: the adaptive series / Euler integral.
                pnbd_f fa{FA[j], FAb[j], FAc[j], FAz[j]}, fg{FG[j], FGb[j], FGc[j], FGz[j]};
                if (zT[j] > PA.zmax)
                    fa = pnbd_hyp(bA, c, ab ? s : rx + 1, diff / (ab ? aT : bT),
                                  (mn + T) / diff, Grad);
                if (zx[j] > PG.zmax)
                    fg = pnbd_hyp(bG, c, ab ? s + 1 : rx, diff / (ab ? at : bt),
                                  (mn + tx) / diff, Grad);
                const double dT = T - tx;
                const double lA = std::log1p(dT * iat[j]), lB = std::log1p(dT * ibt[j]);
                // t_x = 0: α + t_x = α, so ln(α+T) = ln α + ln(1 + T/α) without another log.
                const double laT = tx == 0 ? lna + lA : std::log(aT);
                const double lbT = tx == 0 ? lnb + lB : std::log(bT);
                const double D = rx * lA + s * lB;
                const double rho = ab ? bT * iaT[j] : 1.0, sig = ab ? 1.0 : at * ibt[j];
                double lse, w1, w2;
                if (D < 500) {  // a₁ + a₂ in linear space (see above)
                    const double a1 = rx * rho * fa.F, a2 = s * sig * fg.F * std::exp(D);
                    const double sum = a1 + a2, isum = 1 / sum;
                    lse = std::log(sum);
                    w1 = a1 * isum;
                    w2 = a2 * isum;
                } else {  // e^D may overflow: log-sum-exp
                    const double l1 = lnrx + std::log(rho) + std::log(fa.F);
                    const double l2 = lns + std::log(sig) + std::log(fg.F) + D;
                    const double mx = std::max(l1, l2);
                    const double e1 = std::exp(l1 - mx), e2 = std::exp(l2 - mx);
                    lse = mx + std::log(e1 + e2);
                    w1 = e1 / (e1 + e2);
                    w2 = e2 / (e1 + e2);
                }
                bl += w * (C0 - rx * laT - s * lbT + lse);
                if (Grad) {
                    // ∂z/∂α, ∂z/∂β at T and at t_x.
                    double zTa, zTb, zxa, zxb;
                    if (ab) {
                        zTa = bT * iaT[j] * iaT[j], zTb = -iaT[j];
                        zxa = bt * iat[j] * iat[j], zxb = -iat[j];
                    } else {
                        zTa = -ibT[j], zTb = aT * ibT[j] * ibT[j];
                        zxa = -ibt[j], zxb = at * ibt[j] * ibt[j];
                    }
                    const double iA = 1 / fa.F, iG = 1 / fg.F;
                    // ∂ ln F/∂θ: b depends on r (α ≥ β) or s (α < β); c = r+s+x+1.
                    const double fA_r = (fa.Fc + (ab ? fa.Fb : 0)) * iA;
                    const double fA_s = (fa.Fc + (ab ? 0 : fa.Fb)) * iA;
                    const double fG_r = (fg.Fc + (ab ? fg.Fb : 0)) * iG;
                    const double fG_s = (fg.Fc + (ab ? 0 : fg.Fb)) * iG;
                    const double fA_a = fa.Fz * zTa * iA, fA_b = fa.Fz * zTb * iA;
                    const double fG_a = fg.Fz * zxa * iG, fG_b = fg.Fz * zxb * iG;
                    const double rho_a = ab ? -iaT[j] : 0, rho_b = ab ? ibT[j] : 0;
                    const double sig_a = ab ? 0 : iat[j], sig_b = ab ? 0 : -ibt[j];
                    const double D_a = rx * (iaT[j] - iat[j]), D_b = s * (ibT[j] - ibt[j]);
                    const double g_r = w1 * (inv_rx + fA_r) + w2 * (fG_r + lA);
                    const double g_a = w1 * (rho_a + fA_a) + w2 * (sig_a + fG_a + D_a);
                    const double g_s = w1 * fA_s + w2 * (inv_s + fG_s + lB);
                    const double g_b = w1 * (rho_b + fA_b) + w2 * (sig_b + fG_b + D_b);
                    b0 += w * (dg + lna - laT + g_r);
                    b1 += w * (r / a - rx * iaT[j] + g_a);
                    b2 += w * (lnb - lbT - inv_R + g_s);
                    b3 += w * (s / b - s * ibT[j] + g_b);
                }
            }
            ll.add(bl);
            if (Grad) {
                G0.add(b0);
                G1.add(b1);
                G2.add(b2);
                G3.add(b3);
            }
        }
    }
    if (Grad) {
        grad[0] = G0.value() * r;
        grad[1] = G1.value() * a;
        grad[2] = G2.value() * s;
        grad[3] = G3.value() * b;
    }
    return ll.value();
}

inline double pnbd_total(const pareto_nbd_params& p, const pnbd_prepared& d, double* grad,
                         pnbd_work& work) {
    return grad ? pnbd_total_impl<true>(p, d, grad, work)
                : pnbd_total_impl<false>(p, d, nullptr, work);
}

// ---- Fast paths: P(alive) for batches ---------------------------------------------------------
//
// The same polynomials (F only) per x, built once per call for x < pnbd_alive_table_x (rows
// with larger x build theirs on the fly). The degree depends only on (parameters, x): z ≤
// |α−β|/max(α, β) for every row, so that bound is used. Scalar calls build the one entry they
// need with the same code, so scalar and batch results are bit-identical.

constexpr std::size_t pnbd_alive_table_x = 1024;

/// What P(alive) needs for one x: F_A and F_G coefficients (padded with zeros to a common
/// degree n so that one Horner loop evaluates both), their ranges, and F_G at t_x = 0.
struct pnbd_alive_x {
    double rx = 0, R = 0, bA = 0, bG = 0, c = 0, cbA = 0, cbG = 0, lnrx = 0, zA = 0, zG = 0,
           FG0 = 1;
    int n = 0;
    const double* cA = nullptr;  // n + 1 coefficients each
    const double* cG = nullptr;
};

struct pnbd_alive_ctx {
    double r, a, s, b, diff, m, mn, lns;
    bool ab;
    explicit pnbd_alive_ctx(const pareto_nbd_params& p)
        : r(p.r), a(p.alpha), s(p.s), b(p.beta), diff(std::abs(p.alpha - p.beta)),
          m(std::max(p.alpha, p.beta)), mn(std::min(p.alpha, p.beta)), lns(std::log(p.s)),
          ab(p.alpha >= p.beta) {}
};

/// F at z from an entry's coefficients (the polynomial in range, else pnbd_hyp; w = (1−z)/z).
inline double pnbd_alive_F(const double* coef, int n, double zmax, double bb, double c, double cb,
                           double z, double w) {
    if (z > zmax) return pnbd_hyp(bb, c, cb, z, w, false).F;
    double f = coef[n];
    for (int k = n - 1; k >= 0; --k) f = f * z + coef[k];
    return f;
}

/// Fills e for x; its coefficients go to buf[0 .. 2(pnbd_max_degree+1)).
inline void pnbd_alive_build(const pnbd_alive_ctx& k, double x, pnbd_alive_x& e, double* buf,
                             pnbd_poly& scratch) {
    e.rx = k.r + x;
    e.R = e.rx + k.s;
    e.c = e.R + 1;
    e.bA = k.ab ? e.rx + 1 : k.s;
    e.bG = k.ab ? e.rx : k.s + 1;
    e.cbA = k.ab ? k.s : e.rx + 1;  // c − b, exactly
    e.cbG = k.ab ? k.s + 1 : e.rx;
    e.lnrx = std::log(e.rx);
    const double zb = k.diff / k.m;
    pnbd_poly_build(scratch, e.bA, e.c, zb, false);
    const int nA = scratch.n;
    e.zA = scratch.zmax;
    double* cA = buf;
    double* cG = buf + (pnbd_max_degree + 1);
    for (int i = 0; i <= pnbd_max_degree; ++i) cA[i] = i <= nA ? scratch.F[i] : 0.0;
    pnbd_poly_build(scratch, e.bG, e.c, zb, false);
    const int nG = scratch.n;
    e.zG = scratch.zmax;
    for (int i = 0; i <= pnbd_max_degree; ++i) cG[i] = i <= nG ? scratch.F[i] : 0.0;
    e.n = std::max(nA, nG);
    e.cA = cA;
    e.cG = cG;
    e.FG0 = pnbd_alive_F(cG, e.n, e.zG, e.bG, e.c, e.cbG, k.diff / k.m, k.mn / k.diff);
}

/// P(alive | x, t_x, T) from x's entry: R/(a₁ + a₂) as in pnbd_evaluate, the sum taken in
/// linear space when e^D cannot overflow (see pnbd_total_impl), else in log space.
inline double pnbd_alive_row(const pnbd_alive_ctx& k, const pnbd_alive_x& e, double tx, double T) {
    if (T == 0) return 1;  // exactly: a₁ + a₂ = R holds only to rounding there (pnbd_evaluate)
    const double aT = k.a + T, bT = k.b + T, at = k.a + tx, bt = k.b + tx;
    const double zT = k.diff / (k.ab ? aT : bT), zx = k.diff / (k.ab ? at : bt);
    double FA, FG;
    if (zT <= e.zA && (tx == 0 || zx <= e.zG)) {  // both polynomials: one loop, two chains
        double fa = e.cA[e.n], fg = e.cG[e.n];
        for (int i = e.n - 1; i >= 0; --i) {
            fa = fa * zT + e.cA[i];
            fg = fg * zx + e.cG[i];
        }
        FA = fa;
        FG = tx == 0 ? e.FG0 : fg;
    } else {
        FA = pnbd_alive_F(e.cA, e.n, e.zA, e.bA, e.c, e.cbA, zT, (k.mn + T) / k.diff);
        FG = tx == 0 ? e.FG0
                     : pnbd_alive_F(e.cG, e.n, e.zG, e.bG, e.c, e.cbG, zx, (k.mn + tx) / k.diff);
    }
    const double dT = T - tx;
    const double D = e.rx * std::log1p(dT / at) + k.s * std::log1p(dT / bt);
    const double rho = k.ab ? bT / aT : 1.0, sig = k.ab ? 1.0 : at / bt;
    const double a1 = e.rx * rho * FA;
    if (D < 500) return std::min(1.0, e.R / (a1 + k.s * sig * FG * std::exp(D)));
    // e^D may overflow: log-sum-exp.
    const double l1 = e.lnrx + std::log(rho) + std::log(FA);
    const double l2 = k.lns + std::log(sig) + std::log(FG) + D;
    const double mx = std::max(l1, l2);
    const double lse = mx + std::log(std::exp(l1 - mx) + std::exp(l2 - mx));
    return std::min(1.0, std::exp(std::log(e.R) - lse));
}

/// Entries for x = 0 .. min(max x + 1, pnbd_alive_table_x) − 1 of a batch.
struct pnbd_alive_table {
    pnbd_alive_ctx k;
    std::vector<pnbd_alive_x> entries;
    std::vector<double> coef;

    pnbd_alive_table(const pareto_nbd_params& p, const rfm_data& data) : k(p) {
        double xmax = 0;
        const double* xv = data.frequency.data();
        for (std::size_t i = 0; i < data.size(); ++i) xmax = std::max(xmax, xv[i]);
        // (validated data: x ≥ 0 integer; capped before the conversion)
        xmax = std::min(xmax, static_cast<double>(pnbd_alive_table_x - 1));
        const std::size_t nx = data.size() == 0 ? 0 : static_cast<std::size_t>(xmax) + 1;
        constexpr std::size_t stride = 2 * (pnbd_max_degree + 1);
        entries.resize(nx);
        coef.resize(nx * stride);
        pnbd_poly scratch;
        for (std::size_t x = 0; x < nx; ++x)
            pnbd_alive_build(k, static_cast<double>(x), entries[x], coef.data() + x * stride,
                             scratch);
    }

    /// P(alive) of one row (entries of x beyond the table are built on the stack).
    double operator()(double x, double tx, double T) const {
        if (x < static_cast<double>(entries.size()))
            return pnbd_alive_row(k, entries[static_cast<std::size_t>(x)], tx, T);
        return one(k, x, tx, T);
    }

    static double one(const pnbd_alive_ctx& k, double x, double tx, double T) {
        pnbd_alive_x e;
        double buf[2 * (pnbd_max_degree + 1)];
        pnbd_poly scratch;
        pnbd_alive_build(k, x, e, buf, scratch);
        return pnbd_alive_row(k, e, tx, T);
    }
};

/// P(alive) of a single customer: the batch arithmetic for one row.
inline double pnbd_alive_one(const pareto_nbd_params& p, double x, double tx, double T) {
    return pnbd_alive_table::one(pnbd_alive_ctx(p), x, tx, T);
}

/// DERT of a row given P(alive) (see the header comment).
inline double pnbd_dert(const pareto_nbd_params& p, const pnbd_j_ctx& J, double delta,
                        double alive, double x, double T) {
    const double bT = p.beta + T;
    return alive * (p.r + x) / (p.alpha + T) * bT * J(delta * bT);
}

/// Validates, builds the P(alive) table, then out[i] = f(alive, x, t_x, T) on `threads`
/// threads (rows are independent: results do not depend on the split).
template <class F>
void pnbd_batch(const char* fn, const pareto_nbd_params& p, const rfm_data& data, double* out,
                int threads, F&& f) {
    validate_pnbd_params(fn, p);
    validate_rfm(fn, data);
    require_array(fn, "out", out, data.size());
    const pnbd_alive_table alive(p, data);
    const double* xv = data.frequency.data();
    const double* tv = data.recency.data();
    const double* Tv = data.age.data();
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) out[i] = f(alive, xv[i], tv[i], Tv[i]);
    });
}

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

}  // namespace detail

/// log L of one customer.
inline double log_likelihood(const pareto_nbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_log_likelihood";
    detail::validate_pnbd_params(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::pnbd_evaluate(params, x, t_x, T, nullptr).log_L;
}

/// log L of every customer (unweighted) into out[0..n).
inline void log_likelihood(const pareto_nbd_params& params, const rfm_data& data, double* out,
                           int threads = 1) {
    detail::pnbd_batch("pareto_nbd_log_likelihood", params, data, out, threads,
                       [&](const detail::pnbd_alive_table&, double x, double t, double T) {
                           return detail::pnbd_evaluate(params, x, t, T, nullptr).log_L;
                       });
}

/// Σ wᵢ log Lᵢ; when gradient is non-null also its gradient w.r.t. (log r, log α, log s, log β).
inline double total_log_likelihood(const pareto_nbd_params& params, const rfm_data& data,
                                   double* gradient = nullptr) {
    constexpr const char* fn = "pareto_nbd_total_log_likelihood";
    detail::validate_pnbd_params(fn, params);
    detail::validate_rfm(fn, data);
    detail::pnbd_work work;
    return detail::pnbd_total(params, detail::pnbd_prepare(detail::bg_prepare(data, false)),
                              gradient, work);
}

/// P(alive at T | x, t_x, T).
inline double probability_alive(const pareto_nbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_probability_alive";
    detail::validate_pnbd_params(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::pnbd_alive_one(params, x, t_x, T);
}

/// Batch P(alive); threads ≤ 0: the process default (ltv/threads.hpp; ≥ 20 000 rows only).
inline void probability_alive(const pareto_nbd_params& params, const rfm_data& data, double* out,
                              int threads = 1) {
    detail::pnbd_batch("pareto_nbd_probability_alive", params, data, out, threads,
                       [](const detail::pnbd_alive_table& alive, double x, double tx, double T) {
                           return alive(x, tx, T);
                       });
}

/// E[number of purchases in (T, T+t] | x, t_x, T].
inline double conditional_expected_purchases(const pareto_nbd_params& params, double t, double x,
                                             double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_conditional_expected_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    detail::validate_customer(fn, x, t_x, T);
    const double alive = detail::pnbd_alive_one(params, x, t_x, T);
    return detail::pnbd_conditional(params, alive, t, x, T);
}

inline void conditional_expected_purchases(const pareto_nbd_params& params, double t,
                                           const rfm_data& data, double* out, int threads = 1) {
    constexpr const char* fn = "pareto_nbd_conditional_expected_purchases";
    detail::require_nonnegative(fn, "t", t);
    detail::pnbd_batch(fn, params, data, out, threads,
                       [&](const detail::pnbd_alive_table& alive, double x, double tx, double T) {
                           return detail::pnbd_conditional(params, alive(x, tx, T), t, x, T);
                       });
}

/// E[Y(tₖ) | x, t_x, T] for several horizons (P(alive) computed once); the hook of ltv/clv.hpp.
inline void conditional_expected_purchases_curve(const pareto_nbd_params& params, double x,
                                                 double t_x, double T, const double* times,
                                                 std::size_t n, double* out) {
    constexpr const char* fn = "pareto_nbd_conditional_expected_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    detail::require_array(fn, "times", times, n);
    detail::require_array(fn, "out", out, n);
    for (std::size_t k = 0; k < n; ++k) detail::require_nonnegative(fn, {"times", k}, times[k]);
    const double alive = detail::pnbd_alive_one(params, x, t_x, T);
    for (std::size_t k = 0; k < n; ++k)
        out[k] = detail::pnbd_conditional(params, alive, times[k], x, T);
}

/// E[X(t)]: expected purchases in (0, t] of a customer whose first purchase was at 0.
inline double expected_purchases(const pareto_nbd_params& params, double t) {
    constexpr const char* fn = "pareto_nbd_expected_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    return params.r / params.alpha * params.beta * detail::pnbd_h(params.s, t / params.beta);
}

/// P(X(t) = n) for a customer whose first purchase was at 0 (see the header comment): the
/// "still alive at t" term in closed form plus detail::pnbd_pmf_died; throws no_convergence
/// where the quadrature cannot meet 1e-10 relative.
inline double probability_of_purchases(const pareto_nbd_params& params, double t, double n) {
    constexpr const char* fn = "pareto_nbd_probability_of_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    detail::require_nonnegative(fn, "n", n);
    if (n != std::floor(n)) detail::fail_argument(fn, "n", n, "must be an integer");
    if (t == 0) return n == 0 ? 1.0 : 0.0;
    const double r = params.r, a = params.alpha, s = params.s, b = params.beta;
    const double lnb = detail::log_gamma(r + n) - detail::log_gamma(r) - detail::log_gamma(n + 1);
    const double alive = std::exp(lnb - r * std::log1p(t / a) -
                                  (n > 0 ? n * std::log1p(a / t) : 0.0) - s * std::log1p(t / b));
    double error = 0;
    const double died = detail::pnbd_pmf_died(params, t, n, lnb, error);
    const double v = alive + died;
    if (!(error <= 1e-11 * v) && v > 1e-300)
        detail::fail(status::no_convergence, fn,
                     "P(X(t) = n): the integral over the time of death could not be computed to "
                     "1e-10 relative (r = " + detail::format_value(r) +
                         ", alpha = " + detail::format_value(a) + ", s = " +
                         detail::format_value(s) + ", beta = " + detail::format_value(b) +
                         ", t = " + detail::format_value(t) + ", n = " +
                         detail::format_value(n) + ")");
    return detail::require_pmf_result(fn, v, t, n);
}

/// DERT(δ | x, t_x, T): discounted (continuously, rate δ per time unit) expected residual
/// transactions (FHL 2005 "RFM and CLV"); see the header comment.
inline double discounted_expected_residual_transactions(const pareto_nbd_params& params,
                                                        double delta, double x, double t_x,
                                                        double T) {
    constexpr const char* fn = "pareto_nbd_discounted_expected_residual_transactions";
    detail::validate_pnbd_params(fn, params);
    detail::require_positive(fn, "discount_rate", delta);  // (the C/Python name)
    detail::validate_customer(fn, x, t_x, T);
    const double alive = detail::pnbd_alive_one(params, x, t_x, T);
    return detail::pnbd_dert(params, detail::pnbd_j_ctx(params.s), delta, alive, x, T);
}

inline void discounted_expected_residual_transactions(const pareto_nbd_params& params,
                                                      double delta, const rfm_data& data,
                                                      double* out, int threads = 1) {
    constexpr const char* fn = "pareto_nbd_discounted_expected_residual_transactions";
    detail::require_positive(fn, "discount_rate", delta);  // (the C/Python name)
    const detail::pnbd_j_ctx J(params.s);
    detail::pnbd_batch(fn, params, data, out, threads,
                       [&](const detail::pnbd_alive_table& alive, double x, double tx, double T) {
                           return detail::pnbd_dert(params, J, delta, alive(x, tx, T), x, T);
                       });
}

/// Maximum-likelihood fit (see fit_options) through the common driver (detail/fit_driver.hpp);
/// throws status::no_convergence when it fails.
/// Large data (≥ detail::fit_subsample_min_rows prepared rows) are fitted in two phases: the
/// multistart on a stratified subsample of ~detail::fit_subsample_rows rows, then BFGS on all
/// rows from its optimum and inverse Hessian (a few full evaluations instead of ~30); the
/// optimum is the same to the gradient tolerance. `allow_subsample = false` always fits on all
/// rows from the usual starts.
inline pareto_nbd_fit_result fit_pareto_nbd(const rfm_data& data, const fit_options& options = {},
                                            bool allow_subsample = true) {
    constexpr const char* fn = "pareto_nbd_fit";
    detail::validate_rfm(fn, data);
    detail::require_nonnegative(fn, "penalizer", options.penalizer);
    const detail::pnbd_prepared d = detail::pnbd_prepare(detail::bg_prepare(data, true));
    if (!(d.rows.total_weight > 0))
        detail::fail(status::invalid_argument, fn, "the data have no rows with positive weight");
    detail::require_observed_rows(fn, d.rows);
    double sx = 0, sT = 0;
    for (std::size_t g = 0; g < d.rows.xs.size(); ++g)
        for (std::size_t i = d.rows.start[g]; i < d.rows.start[g + 1]; ++i) {
            sx += d.rows.w[i] * d.rows.xs[g];
            sT += d.rows.w[i] * d.rows.T[i];
        }
    detail::fit_problem pr;
    pr.fn = fn;
    pr.names = {"r", "alpha", "s", "beta"};
    pr.total_weight = d.rows.total_weight;
    pr.rows_used = d.rows.tx.size();
    const double W = d.rows.total_weight > 0 ? d.rows.total_weight : 1;
    // Starts: r = s = 1 with α matching the mean purchase rate Σx/ΣT and β the mean age (a
    // median lifetime of the order of the observation window); all ones; a low-shape guess.
    // (all T = 0: no time scale in the data; start the scales at 1)
    const double beta0 = sT > 0 ? sT / W : 1;
    const double alpha0 = sx > 0 && sT > 0 ? sT / sx : beta0;
    pr.starts = {{1, alpha0, 1, beta0}, {1, 1, 1, 1}, {0.3, alpha0, 0.3, beta0}};
    // (α, β are time scales: their divergence bounds are relative to the mean age β₀)
    pr.bounds = {{"r"}, detail::scale_parameter("alpha", beta0), {"s"},
                 detail::scale_parameter("beta", beta0)};
    // lifetimes' convention: α and β penalised in units where the largest T is 1, and the
    // log-likelihood divided by the mean weight of the rows given (its ParetoNBDFitter).
    double max_T = 0;
    for (std::size_t i = 0; i < data.size(); ++i) max_T = std::max(max_T, data.age[i]);
    if (max_T > 0) pr.lifetimes_penalty_scale = {1, 1 / max_T, 1, 1 / max_T};
    if (data.size() > 0) pr.lifetimes_divisor = d.rows.total_weight / static_cast<double>(data.size());
    detail::pnbd_work work;
    auto ll_of = [&work](const detail::pnbd_prepared& rows) {
        return [&rows, &work](const double* phi, double* grad) {
            return detail::pnbd_total(pareto_nbd_params{phi[0], phi[1], phi[2], phi[3]}, rows,
                                      grad, work);
        };
    };
    detail::fit_outcome fit;
    if (allow_subsample && d.rows.tx.size() >= detail::fit_subsample_min_rows) {
        const detail::pnbd_prepared sub =
            detail::pnbd_prepare(detail::bg_subsample(d.rows, d.rows.tx.size() /
                                                                  detail::fit_subsample_rows));
        fit = detail::run_fit(pr, options, ll_of(d),
                              detail::fit_subsample<decltype(ll_of(sub))>{
                                  ll_of(sub), sub.rows.total_weight});
    } else {
        fit = detail::run_fit(pr, options, ll_of(d));
    }
    pareto_nbd_fit_result out;
    out.params = {fit.params[0], fit.params[1], fit.params[2], fit.params[3]};
    out.report = std::move(fit.report);
    return out;
}

/// Pareto/NBD in the model registry (ltv/registry.hpp; ltv/model_traits.hpp describes the fields).
struct pareto_nbd_model {
    using params_type = pareto_nbd_params;
    static constexpr const char* title = "Pareto/NBD";
    static constexpr const char* class_name = "ParetoNBD";
    static constexpr const char* citation =
        "Schmittlein, Morrison & Colombo (1987), Counting Your Customers: Who Are They and What Will They Do Next?, Management Science 33(1)";
    static constexpr const char* docs = "pareto-nbd.md";  ///< its page in docs/
    static constexpr const char* age_name = "T";
    static constexpr data_kind data = data_kind::rfm;
    static constexpr capability_set capabilities = capabilities_of(
        capability::fit_rfm, capability::log_likelihood, capability::p_alive, capability::conditional_purchases, capability::new_customer_purchases, capability::purchase_pmf, capability::clv, capability::dert);
    static constexpr param_info params[] = {
        {"r", param_lower_positive, param_upper_none, "shape of the Gamma heterogeneity of purchase rates"},
        {"alpha", param_lower_positive, param_upper_none, "scale of the Gamma heterogeneity of purchase rates, in time units"},
        {"s", param_lower_positive, param_upper_none, "shape of the Gamma heterogeneity of dropout rates"},
        {"beta", param_lower_positive, param_upper_none, "scale of the Gamma heterogeneity of dropout rates, in time units"}};
    static pareto_nbd_fit_result fit(const rfm_data& d, const fit_options& o) {
        return fit_pareto_nbd(d, o);
    }
};

}  // namespace ltv
