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
#include "ltv/detail/optimize.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/rfm_data.hpp"

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

/// (ii) Euler's integral for z close to 1, where the series is slow:
///   F = (c−1) ∫₀¹ w^(c−2) (1−z+zw)^−b dw                         (w = 1 − t),
/// and its derivatives under the integral sign; tanh-sinh quadrature. For c < 2 the factor
/// w^(c−2) is singular at 0 with mass spread over many decades; the substitution u = w^(c−1)
/// removes it: F = ∫₀¹ (1−z+z u^(1/(c−1)))^−b du.
inline pnbd_f pnbd_quadrature(double b, double c, double z, bool grad) {
    boost::math::quadrature::tanh_sinh<double> q;
    const double tol = 1e-14;
    pnbd_f f;
    const double c1 = c - 1;
    if (c >= 2) {
        // integrand pieces at w ∈ (0, 1)
        auto base = [&](double w, double& lw, double& lv) {
            lw = std::log(w);
            lv = std::log1p(-z * (1 - w));  // log(1 − z + zw)
            return std::exp((c - 2) * lw - b * lv);
        };
        auto integrate = [&](auto&& g) {
            return q.integrate(
                [&](double w) {
                    if (!(w > 0) || !(w <= 1)) return 0.0;
                    const double v = g(w);
                    return std::isfinite(v) ? v : 0.0;
                },
                0.0, 1.0, tol);
        };
        f.F = c1 * integrate([&](double w) { double lw, lv; return base(w, lw, lv); });
        if (grad) {
            f.Fb = -c1 * integrate([&](double w) { double lw, lv; return base(w, lw, lv) * lv; });
            f.Fc = f.F / c1 + c1 * integrate([&](double w) {
                       double lw, lv;
                       return base(w, lw, lv) * lw;
                   });
            f.Fz = c1 * b * integrate([&](double w) {
                       double lw, lv;
                       const double v = base(w, lw, lv);
                       return v * (1 - w) / std::exp(lv);
                   });
        }
        return f;
    }
    // c < 2: u-substitution, w = u^(1/(c−1)).
    auto parts = [&](double u, double& w, double& lv) {
        w = std::exp(std::log(u) / c1);
        lv = std::log1p(-z * (1 - w));
        return std::exp(-b * lv);
    };
    auto integrate = [&](auto&& g) {
        return q.integrate(
            [&](double u) {
                if (!(u > 0) || !(u <= 1)) return 0.0;
                const double v = g(u);
                return std::isfinite(v) ? v : 0.0;
            },
            0.0, 1.0, tol);
    };
    f.F = integrate([&](double u) { double w, lv; return parts(u, w, lv); });
    if (grad) {
        f.Fb = -integrate([&](double u) { double w, lv; return parts(u, w, lv) * lv; });
        f.Fz = b * integrate([&](double u) {
                   double w, lv;
                   const double g = parts(u, w, lv);
                   return g * (1 - w) / std::exp(lv);
               });
        // ∂w/∂c = −w ln(w)/(c−1), so ∂g/∂c = b g z w ln(w) / ((c−1)(1−z+zw)).
        f.Fc = b * z / c1 * integrate([&](double u) {
                   double w, lv;
                   const double g = parts(u, w, lv);
                   return w > 0 ? g * w * std::log(w) / std::exp(lv) : 0.0;
               });
    }
    return f;
}

/// ₂F₁(1, b; c; z): the series when it converges within a few thousand terms, else Euler's
/// integral.
inline pnbd_f pnbd_hyp(double b, double c, double z, bool grad) {
    if (z == 0) return {1, 0, 0, b / c};
    bool ok;
    const pnbd_f f = pnbd_series(b, c, z, grad, 4000, ok);
    if (ok) return f;
    return pnbd_quadrature(b, c, z, grad);
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
    const double r = p.r, a = p.alpha, s = p.s, b = p.beta;
    const bool want = grad != nullptr;
    const bool ab = a >= b;  // which parameter the series expands around (see header)
    const double rx = r + x, R = rx + s, c = R + 1;
    const double aT = a + T, bT = b + T, at = a + t_x, bt = b + t_x;
    const double diff = std::abs(a - b);
    const double zT = ab ? diff / aT : diff / bT;
    const double zx = ab ? diff / at : diff / bt;
    const double bA = ab ? rx + 1 : s, bG = ab ? rx : s + 1;
    const pnbd_f FA = pnbd_hyp(bA, c, zT, want);
    const pnbd_f FG = pnbd_hyp(bG, c, zx, want);
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
    out.log_L = std::lgamma(rx) - std::lgamma(r) + r * std::log(a) + s * std::log(b) -
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

/// j(s, k) = E_{g~Gamma(s,1)}[1/(k+g)] = k^(s−1) e^k Γ(1−s, k), k > 0.
///  k ≥ 1 or s ≥ 10: Legendre's continued fraction for Γ(1−s, k) (modified Lentz), which then
///    converges in ≲ 100 steps.
///  otherwise, s ∈ (0, 1.5]: a = 1−s ∈ [−0.5, 1), and
///    Γ(a, k) = [Γ(1+a) − 1 − expm1(a ln k)]/a − k^a Σₙ≥₁ (−k)ⁿ/(n!(a+n)),
///    which is Γ(a) − γ(a, k) with the poles of Γ(a) and k^a/a at a = 0 cancelled analytically
///    (Boost's tgamma1pm1 and expm1 keep the difference accurate; a = 0 gives E₁(k)).
///  s > 1.5 (and k < 1): the upward recurrence j(s+1) = (1 − k j(s))/s from s₀ ∈ (0.5, 1.5]:
///    stable (errors shrink by k/s < 1 per step) and 1 − k j stays away from 0 for s ≥ 0.5.
inline double pnbd_j(double s, double k) {
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
    double s0 = s;
    int steps = 0;
    while (s0 > 1.5) {
        s0 -= 1;
        ++steps;
    }
    const double a = 1 - s0, lk = std::log(k);
    double head;  // Γ(a) − k^a/a, regular at a = 0
    if (std::abs(a) < 1e-12) {
        head = -0.57721566490153286061 - lk;  // −γ_E − ln k
    } else {
        head = (boost::math::tgamma1pm1(a) - std::expm1(a * lk)) / a;
    }
    double sum = 0, term = 1;
    for (int n = 1; n < 200; ++n) {
        term *= -k / n;
        const double add = term / (a + n);
        sum += add;
        if (std::abs(add) < 1e-17 * std::abs(sum)) break;
    }
    // j = e^k k^(−a) Γ(a, k) = e^k [k^(−a)·head − Σ]
    double j = std::exp(k) * (std::exp(-a * lk) * head - sum);
    double sj = s0;
    for (int i = 0; i < steps; ++i) {
        j = (1 - k * j) / sj;
        sj += 1;
    }
    return j;
}

/// E[Y(t) | x, t_x, T] given P(alive).
inline double pnbd_conditional(const pareto_nbd_params& p, double alive, double t, double x,
                               double T) {
    const double bT = p.beta + T;
    return alive * (p.r + x) / (p.alpha + T) * bT * pnbd_h(p.s, t / bT);
}

/// Rows grouped by x and duplicates merged (shared with BG/NBD's preparation).
inline double pnbd_total(const pareto_nbd_params& p, const bg_prepared& d, double* grad) {
    double ll = 0, g[4] = {0, 0, 0, 0}, gi[4];
    for (std::size_t k = 0; k < d.xs.size(); ++k)
        for (std::size_t i = d.start[k]; i < d.start[k + 1]; ++i) {
            const double w = d.w[i];
            ll += w * pnbd_evaluate(p, d.xs[k], d.tx[i], d.T[i], grad ? gi : nullptr).log_L;
            if (grad)
                for (int j = 0; j < 4; ++j) g[j] += w * gi[j];
        }
    if (grad) {
        grad[0] = g[0] * p.r;
        grad[1] = g[1] * p.alpha;
        grad[2] = g[2] * p.s;
        grad[3] = g[3] * p.beta;
    }
    return ll;
}

template <class F>
void pnbd_batch(const char* fn, const pareto_nbd_params& p, const rfm_data& data, double* out,
                int threads, F&& f) {
    validate_pnbd_params(fn, p);
    validate_rfm(fn, data);
    require_array(fn, "out", out, data.size());
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
            out[i] = f(data.frequency[i], data.recency[i], data.age[i]);
    });
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
                       [&](double x, double t, double T) {
                           return detail::pnbd_evaluate(params, x, t, T, nullptr).log_L;
                       });
}

/// Σ wᵢ log Lᵢ; when gradient is non-null also its gradient w.r.t. (log r, log α, log s, log β).
inline double total_log_likelihood(const pareto_nbd_params& params, const rfm_data& data,
                                   double* gradient = nullptr) {
    constexpr const char* fn = "pareto_nbd_total_log_likelihood";
    detail::validate_pnbd_params(fn, params);
    detail::validate_rfm(fn, data);
    return detail::pnbd_total(params, detail::bg_prepare(data, false), gradient);
}

/// P(alive at T | x, t_x, T).
inline double probability_alive(const pareto_nbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_probability_alive";
    detail::validate_pnbd_params(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::pnbd_evaluate(params, x, t_x, T, nullptr).alive;
}

/// Batch P(alive); threads ≤ 0: all cores (batches ≥ 20 000 rows only).
inline void probability_alive(const pareto_nbd_params& params, const rfm_data& data, double* out,
                              int threads = 1) {
    detail::pnbd_batch("pareto_nbd_probability_alive", params, data, out, threads,
                       [&](double x, double t, double T) {
                           return detail::pnbd_evaluate(params, x, t, T, nullptr).alive;
                       });
}

/// E[number of purchases in (T, T+t] | x, t_x, T].
inline double conditional_expected_purchases(const pareto_nbd_params& params, double t, double x,
                                             double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_conditional_expected_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    detail::validate_customer(fn, x, t_x, T);
    const double alive = detail::pnbd_evaluate(params, x, t_x, T, nullptr).alive;
    return detail::pnbd_conditional(params, alive, t, x, T);
}

inline void conditional_expected_purchases(const pareto_nbd_params& params, double t,
                                           const rfm_data& data, double* out, int threads = 1) {
    constexpr const char* fn = "pareto_nbd_conditional_expected_purchases";
    detail::require_nonnegative(fn, "t", t);
    detail::pnbd_batch(fn, params, data, out, threads, [&](double x, double tx, double T) {
        const double alive = detail::pnbd_evaluate(params, x, tx, T, nullptr).alive;
        return detail::pnbd_conditional(params, alive, t, x, T);
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
    const double alive = detail::pnbd_evaluate(params, x, t_x, T, nullptr).alive;
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

/// P(X(t) = n) for a customer whose first purchase was at 0 (see the header comment: the
/// "still alive at t" term in closed form plus the "died at τ < t" term by tanh-sinh
/// quadrature of a positive integrand, all exponents summed in logs before exponentiating).
inline double probability_of_purchases(const pareto_nbd_params& params, double t, double n) {
    constexpr const char* fn = "pareto_nbd_probability_of_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    detail::require_nonnegative(fn, "n", n);
    if (n != std::floor(n)) detail::fail_argument(fn, "n", n, "must be an integer");
    if (t == 0) return n == 0 ? 1.0 : 0.0;
    const double r = params.r, a = params.alpha, s = params.s, b = params.beta;
    const double lnb = std::lgamma(r + n) - std::lgamma(r) - std::lgamma(n + 1);
    const double alive = std::exp(lnb - r * std::log1p(t / a) -
                                  (n > 0 ? n * std::log1p(a / t) : 0.0) - s * std::log1p(t / b));
    const double C = std::log(s) + s * std::log(b) + r * std::log(a) + lnb;
    auto f = [&](double tau) {
        if (!(tau > 0)) return n == 0 ? std::exp(C - r * std::log(a) - (s + 1) * std::log(b)) : 0.0;
        const double v = std::exp(C + n * std::log(tau) - (r + n) * std::log(a + tau) -
                                  (s + 1) * std::log(b + tau));
        return std::isfinite(v) ? v : 0.0;
    };
    boost::math::quadrature::tanh_sinh<double> q;
    const double died = q.integrate(f, 0.0, t, 1e-13);
    return std::min(1.0, alive + died);
}

/// DERT(δ | x, t_x, T): discounted (continuously, rate δ per time unit) expected residual
/// transactions (FHL 2005 "RFM and CLV"); see the header comment.
inline double discounted_expected_residual_transactions(const pareto_nbd_params& params,
                                                        double delta, double x, double t_x,
                                                        double T) {
    constexpr const char* fn = "pareto_nbd_discounted_expected_residual_transactions";
    detail::validate_pnbd_params(fn, params);
    detail::require_positive(fn, "delta", delta);
    detail::validate_customer(fn, x, t_x, T);
    const double alive = detail::pnbd_evaluate(params, x, t_x, T, nullptr).alive;
    const double bT = params.beta + T;
    return alive * (params.r + x) / (params.alpha + T) * bT * detail::pnbd_j(params.s, delta * bT);
}

inline void discounted_expected_residual_transactions(const pareto_nbd_params& params,
                                                      double delta, const rfm_data& data,
                                                      double* out, int threads = 1) {
    constexpr const char* fn = "pareto_nbd_discounted_expected_residual_transactions";
    detail::require_positive(fn, "delta", delta);
    detail::pnbd_batch(fn, params, data, out, threads, [&](double x, double tx, double T) {
        const double alive = detail::pnbd_evaluate(params, x, tx, T, nullptr).alive;
        const double bT = params.beta + T;
        return alive * (params.r + x) / (params.alpha + T) * bT *
               detail::pnbd_j(params.s, delta * bT);
    });
}

/// Maximum-likelihood fit (see fit_options); throws status::no_convergence when it fails.
inline pareto_nbd_fit_result fit_pareto_nbd(const rfm_data& data, const fit_options& options = {}) {
    constexpr const char* fn = "pareto_nbd_fit";
    detail::validate_rfm(fn, data);
    detail::require_nonnegative(fn, "penalizer", options.penalizer);
    const detail::bg_prepared d = detail::bg_prepare(data, true);
    if (!(d.total_weight > 0))
        detail::fail(status::invalid_argument, fn, "the data have no rows with positive weight");
    const double W = d.total_weight, lambda = options.penalizer;
    auto objective = [&](const double* theta, double* grad) {
        const pareto_nbd_params p{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]),
                                  std::exp(theta[3])};
        double g[4];
        const double ll = detail::pnbd_total(p, d, g);
        const double phi[4] = {p.r, p.alpha, p.s, p.beta};
        double value = -ll / W;
        for (int i = 0; i < 4; ++i) {
            value += lambda * phi[i] * phi[i];
            grad[i] = -g[i] / W + 2 * lambda * phi[i] * phi[i];
        }
        return value;
    };
    // Starts: the caller's; then r = s = 1 with α matching the mean purchase rate Σx/ΣT and β
    // the mean age (a median lifetime of the order of the observation window); then all ones.
    double sx = 0, sT = 0;
    for (std::size_t g = 0; g < d.xs.size(); ++g)
        for (std::size_t i = d.start[g]; i < d.start[g + 1]; ++i) {
            sx += d.w[i] * d.xs[g];
            sT += d.w[i] * d.T[i];
        }
    const double alpha0 = sx > 0 ? sT / sx : sT / W, beta0 = sT / W;
    std::vector<std::vector<double>> starts;
    if (!options.initial.empty()) {
        if (options.initial.size() != 4)
            detail::fail(status::invalid_argument, fn,
                         "argument 'initial' must hold 4 values (r, alpha, s, beta), not " +
                             std::to_string(options.initial.size()));
        static const char* names[4] = {"initial[0] (r)", "initial[1] (alpha)", "initial[2] (s)",
                                       "initial[3] (beta)"};
        std::vector<double> s(4);
        for (std::size_t i = 0; i < 4; ++i) {
            detail::require_positive(fn, names[i], options.initial[i]);
            s[i] = std::log(options.initial[i]);
        }
        starts.push_back(s);
    }
    starts.push_back({0.0, std::log(alpha0), 0.0, std::log(beta0)});
    starts.push_back({0.0, 0.0, 0.0, 0.0});
    starts.push_back({std::log(0.3), std::log(alpha0), std::log(0.3), std::log(beta0)});
    detail::minimize_options mo;
    mo.max_iterations = options.max_iterations;
    mo.gradient_tolerance = options.gradient_tolerance;
    const auto res = detail::minimize_multistart(objective, starts, mo);
    pareto_nbd_fit_result out;
    out.params = {std::exp(res.x[0]), std::exp(res.x[1]), std::exp(res.x[2]), std::exp(res.x[3])};
    fit_report& report = out.report;
    report.convergence = res.info;
    report.penalizer = lambda;
    report.total_weight = W;
    report.rows_used = d.tx.size();
    report.objective = res.value;
    report.log_likelihood = detail::pnbd_total(out.params, d, nullptr);
    const std::vector<const char*> names{"r", "alpha", "s", "beta"};
    if (options.standard_errors && res.info.converged) {
        auto grad = [&](const double* theta, double* g) { objective(theta, g); };
        detail::fill_standard_errors(report, grad, res.x, names, W);
    } else {
        for (std::size_t i = 0; i < 4; ++i)
            report.parameters.push_back(
                {names[i], std::exp(res.x[i]), std::numeric_limits<double>::quiet_NaN()});
    }
    if (!res.info.converged && !options.allow_no_convergence)
        detail::fail(status::no_convergence, fn,
                     res.info.message + " (last point: r = " + detail::format_value(out.params.r) +
                         ", alpha = " + detail::format_value(out.params.alpha) + ", s = " +
                         detail::format_value(out.params.s) + ", beta = " +
                         detail::format_value(out.params.beta) + ")");
    return out;
}

}  // namespace ltv
