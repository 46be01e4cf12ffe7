// SPDX-License-Identifier: Apache-2.0
// ltv/bgbb.hpp — the beta-geometric/beta-Bernoulli (BG/BB) model of discrete-time repeat
// transactions (Fader, Hardie & Shang 2010, "Customer-base analysis in a discrete-time
// noncontractual setting", Marketing Science 29(6)).
//
// At each of n transaction opportunities after the first, an active customer transacts with
// probability p ~ Beta(α, β); at the end of every opportunity (the first one included) they
// become inactive for good with probability θ ~ Beta(γ, δ). A customer is summarised by
// (x, t_x, n): x transactions in n ≥ 0 opportunities, the last at opportunity t_x (x = 0 ⇒
// t_x = 0, otherwise x ≤ t_x ≤ n; n = 0, a customer acquired at the end of the period, has
// log L = 0 and the predictions of a new customer: see detail::bgbb_evaluate). In
// ltv::rfm_data: frequency = x, recency = t_x, age = n (named 'T' in messages, as in the C API),
// weights = number of customers with that pattern. The likelihood is (FHS eq. 5)
//   L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
//     + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ),
// evaluated in log space relative to its i = 0 term (see detail::bgbb_core). Predictions:
//   P(alive at n+1 | x, t_x, n) = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / L      (eq. 11)
//   E[X(n, n+n*) | x, t_x, n]   = B(α+x+1, β+n−x)/B(α,β) / L · Σ_{k=1}^{n*} B(γ, δ+n+k)/B(γ,δ)
//                                                                                      (eq. 13)
//   E[X(n)]      = α/(α+β) · Σ_{t=1}^{n} B(γ, δ+t)/B(γ,δ)                               (eq. 8)
//   P(X(n) = x)  = C(n,x) B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
//                + Σ_{i=x}^{n−1} C(i,x) B(α+x, β+i−x)/B(α,β) · B(γ+1, δ+i)/B(γ,δ)       (eq. 7)
//   DERT(d)      = B(α+x+1, β+n−x)/B(α,β) · B(γ, δ+n+1)/(B(γ,δ)(1+d)) / L
//                  · ₂F₁(1, δ+n+1; γ+δ+n+1; 1/(1+d))                                   (eq. 14)
// (DERT counts transactions from opportunity n+1 on, the one at n+k discounted by (1+d)^−k.)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <boost/math/special_functions/digamma.hpp>

#include "ltv/detail/bg_family/prepare.hpp"
#include "ltv/detail/fit_driver.hpp"
#include "ltv/detail/optimize.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/random.hpp"
#include "ltv/detail/special.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/model_traits.hpp"

namespace ltv {

struct bgbb_params {
    double alpha = 0;  ///< transaction probability p ~ Beta(alpha, beta)
    double beta = 0;
    double gamma = 0;  ///< dropout probability θ ~ Beta(gamma, delta)
    double delta = 0;
};

struct bgbb_fit_result {
    bgbb_params params;
    fit_report report;  ///< parameters in the order alpha, beta, gamma, delta
};

namespace detail {

inline void validate_bgbb_params(const char* fn, const bgbb_params& p) {
    require_positive(fn, "alpha", p.alpha);
    require_positive(fn, "beta", p.beta);
    require_positive(fn, "gamma", p.gamma);
    require_positive(fn, "delta", p.delta);
}

/// A count of opportunities given as a double: whole, ≥ 0, at most 1e7 (the likelihood sums
/// over opportunities one by one).
inline void require_periods(const char* fn, const arg_name& name, double v) {
    require_nonnegative(fn, name, v);
    if (v != std::floor(v)) fail_argument(fn, name, v, "must be a whole number of periods");
    if (v > 1e7) fail_argument(fn, name, v, "is too large (at most 1e7 periods)");
}

/// One pattern (x, t_x, n); `row` names array elements in messages. The names are the C API's
/// (frequency, recency, T: rfm_data.hpp), not the C++ field `age`. n = 0 (no opportunity after
/// the first transaction yet: a customer acquired at the end of the period) is valid, with
/// x = t_x = 0 by the rules below; see bgbb_evaluate for its values.
inline void validate_bgbb_customer(const char* fn, double x, double t_x, double n,
                                   std::size_t row = arg_name::scalar) {
    const arg_name nx{rfm_names::frequency, row}, nt{rfm_names::recency, row},
        nn{rfm_names::T, row};
    require_periods(fn, nx, x);
    require_periods(fn, nt, t_x);
    require_periods(fn, nn, n);
    if (t_x > n)
        fail(status::invalid_argument, fn,
             "argument '" + nt.str() + "' = " + format_value(t_x) + " must not exceed '" +
                 nn.str() + "' = " + format_value(n));
    if (x == 0 && t_x != 0)
        fail(status::invalid_argument, fn,
             "argument '" + nt.str() + "' = " + format_value(t_x) + " must be 0 when '" +
                 nx.str() + "' = 0 (no repeat transaction)");
    if (x > t_x)
        fail(status::invalid_argument, fn,
             "argument '" + nx.str() + "' = " + format_value(x) + " must not exceed '" +
                 nt.str() + "' = " + format_value(t_x) +
                 " (at most one transaction per period, the last at t_x)");
}

inline void validate_bgbb_data(const char* fn, const rfm_data& d) {
    validate_rfm_shape(fn, d);
    const std::size_t n = d.size();
    for (std::size_t i = 0; i < n; ++i) {
        validate_bgbb_customer(fn, d.frequency[i], d.recency[i], d.age[i], i);
        if (!d.weights.empty()) require_nonnegative(fn, arg_name{"weights", i}, d.weights[i]);
    }
}

/// lnΓ(a+k) − lnΓ(a) and its derivative ψ(a+k) − ψ(a), k a whole number ≥ 0: a sum of logs
/// for small k (exact to rounding, no lgamma cancellation when a ≫ k), log_gamma_delta beyond
/// (the difference of two log-gammas keeps only eps·lnΓ(a+k) absolutely: 5.5e-5 in log L at
/// δ = 1e12), digamma for the derivative.
inline double lgamma_shift(double a, double k, double* dpsi) {
    if (k <= 32) {
        double v = 0, d = 0;
        for (double j = 0; j < k; ++j) {
            v += std::log(a + j);
            d += 1 / (a + j);
        }
        if (dpsi) *dpsi = d;
        return v;
    }
    if (dpsi) *dpsi = boost::math::digamma(a + k) - boost::math::digamma(a);
    return log_gamma_delta(a, k);
}

/// Online log-sum-exp: Σ exp(vᵢ) as max + log(Σ exp(vᵢ − max)).
struct log_sum {
    double m = -std::numeric_limits<double>::infinity(), s = 0;
    void add(double v) {
        if (v <= m) {
            s += std::exp(v - m);
        } else {
            s = s * std::exp(m - v) + 1;
            m = v;
        }
    }
    double value() const { return m + std::log(s); }
};

/// The pieces of one pattern's likelihood, all relative to base = log of the i = 0 term,
///   base = ln[B(α+x, β+t_x−x)/B(α,β)] + ln[B(γ+1, δ+t_x)/B(γ,δ)].
/// With k = n − t_x and running products (ratios of successive Beta functions, each < 1)
///   AB_i = Πⱼ<ᵢ (β+t_x−x+j)/(α+β+t_x+j),   GD_i = Πⱼ<ᵢ (δ+t_x+j)/(γ+δ+t_x+j+1),
/// L/e^base = Σ_{i<k} AB_i GD_i + AB_k GD_k (γ+δ+n)/γ (the last: alive through n). The terms are
/// accumulated in logs (a log-sum-exp), so nothing under- or overflows for any n. With grad,
/// also ∂ log L/∂(α, β, γ, δ) in natural parameters.
struct bgbb_core {
    double log_L = 0;      ///< log L
    double log_first = 0;  ///< log of the "alive through n" term (the first of eq. 5)
};

inline bgbb_core bgbb_evaluate(const bgbb_params& p, double x, double t, double n,
                               double* grad) {
    // n = 0 (then x = t = 0): nothing was observed after the first transaction, so L = 1 for
    // every parameter (log L = 0, gradient 0) and L is its "alive through n" term alone. The
    // general form below adds ln(γ/(γ+δ)) and ln((γ+δ)/γ), which cancel only to rounding.
    // Hence P(alive at 1) = δ/(γ+δ), E[X(0, n*) | 0, 0, 0] = E[X(n*)] (eq. 8) and DERT that of
    // a new customer, all from the formulas below (tests/cpp/test_first_day_customers.cpp
    // checks them against tests/oracle/bgbb.py at n = 0).
    if (n == 0) {
        if (grad) grad[0] = grad[1] = grad[2] = grad[3] = 0;
        return {};
    }
    const double a = p.alpha, b = p.beta, g = p.gamma, d = p.delta;
    const bool want = grad != nullptr;
    double dax, db, dab, dd, dgd;  // ψ differences
    double base = lgamma_shift(a, x, want ? &dax : nullptr) +
                  lgamma_shift(b, t - x, want ? &db : nullptr) -
                  lgamma_shift(a + b, t, want ? &dab : nullptr) + std::log(g) -
                  std::log(g + d + t) + lgamma_shift(d, t, want ? &dd : nullptr) -
                  lgamma_shift(g + d, t, want ? &dgd : nullptr);
    // Running logs of AB_i, GD_i and their derivatives.
    double lab = 0, lgd = 0;
    double ab_a = 0, ab_b = 0, gd_g = 0, gd_d = 0;
    const double k = n - t;
    log_sum acc;
    // Σ wᵢ · ∂ log termᵢ with wᵢ = termᵢ / Σ: accumulated as Σ termᵢ·∂ (relative to acc.m).
    double sa = 0, sb = 0, sg = 0, sd = 0;
    auto add = [&](double lv, double da, double dbb, double dg, double ddd) {
        const double old_m = acc.m;
        acc.add(lv);
        if (want) {
            const double scale = std::exp(old_m - acc.m);  // rescale earlier sums if m moved
            const double wv = std::exp(lv - acc.m);
            sa = sa * scale + wv * da;
            sb = sb * scale + wv * dbb;
            sg = sg * scale + wv * dg;
            sd = sd * scale + wv * ddd;
        }
    };
    for (double i = 0; i < k; ++i) {
        add(lab + lgd, ab_a, ab_b, gd_g, gd_d);
        // b + (t − x + i): the whole numbers first, or a tiny β is lost in b + t (issue 9 sweep:
        // 6e-11 in P(alive) at β = 7.5e-5, (x, t_x, n) = (100, 100, 1000))
        const double u = b + (t - x + i), v = a + b + t + i, w = d + t + i, z = g + d + t + i + 1;
        lab += std::log(u / v);
        lgd += std::log(w / z);
        if (want) {
            ab_a -= 1 / v;
            ab_b += 1 / u - 1 / v;
            gd_g -= 1 / z;
            gd_d += 1 / w - 1 / z;
        }
    }
    const double last = lab + lgd + std::log((g + d + n) / g);
    add(last, ab_a, ab_b, gd_g + 1 / (g + d + n) - 1 / g, gd_d + 1 / (g + d + n));
    bgbb_core out;
    out.log_L = base + acc.value();
    out.log_first = base + last;
    if (want) {
        const double inv = 1 / acc.s;
        grad[0] = dax - dab + sa * inv;
        grad[1] = db - dab + sb * inv;
        grad[2] = 1 / g - 1 / (g + d + t) - dgd + sg * inv;
        grad[3] = -1 / (g + d + t) + dd - dgd + sd * inv;
    }
    return out;
}

/// P(alive at n+1) = first term · (δ+n)/(γ+δ+n) / L.
inline double bgbb_alive(const bgbb_params& p, const bgbb_core& c, double n) {
    const double v = std::exp(c.log_first - c.log_L) * (p.delta + n) / (p.gamma + p.delta + n);
    return std::min(1.0, std::max(0.0, v));
}

/// Σ_{k=1}^{N} S_k summed term by term (S_1 = 1, S_{k+1} = S_k (c+k−1)/(c+g+k−1)): every term
/// positive; relative error ≲ 1e-11 at N = 10⁶ (the ratios' rounding accumulates in the terms).
/// Resumable: sum_to(N₁) then sum_to(N₂ ≥ N₁) performs exactly the operations of sum_to(N₂)
/// from scratch, so a curve of horizons (conditional_expected_purchases_curve) is bit-identical
/// to the scalar calls.
struct bgbb_alive_direct {
    double c, g;
    double s = 0, term = 1, k = 1;  // Σ_{j<k} S_j, S_k, next k
    bool converged = false;         // the remaining terms cannot change s
    bgbb_alive_direct(double c_, double g_) : c(c_), g(g_) {}
    double sum_to(double N) {
        for (; !converged && k <= N; ++k) {
            s += term;
            term *= (c + k - 1) / (c + g + k - 1);
            if (term < 1e-18 * s) converged = true;
        }
        return s;
    }
};

inline double bgbb_alive_sum_direct(double c, double g, double N) {
    return bgbb_alive_direct(c, g).sum_to(N);
}

/// The telescoped closed form of Σ_{k=1}^{N} S_k (FHS eq. 13's bracket), ε = γ − 1:
///   (c+ε)/ε · (1 − R),   R = Γ(c+N) Γ(c+ε) / (Γ(c) Γ(c+N+ε)),
/// and its limit c·(ψ(c+N) − ψ(c)) at ε = 0. R → 1 as ε → 0, so ln R must have a small
/// RELATIVE error uniformly in ε (the difference of four log-gammas has only an absolute one,
/// eps·lnΓ(c+N): 1.6e-3 relative error at γ = 1 + 2e-9, and −5e-10 for a sum of 21.5 at γ = 1:
/// N2 / cause 4 of issue 9). With ε = m + f, m = round(ε), |f| ≤ ½ (f = γ − (1+m) exactly):
///   ln R = [A(c+N, f) − A(c, f)] − Σ_{j<m} log1p(N/(c+f+j))     (m ≥ 0)
///   ln R = [A(c+N, f) − A(c, f)] + log1p(N/(c+f−1))              (m = −1, i.e. γ < ½)
/// where A(x, f) = lnΓ(x) − lnΓ(x+f) = log_gamma_shift(x+f, f) is relatively accurate as f → 0,
/// and every log1p term is exact to rounding. The bracket cancels by a factor
/// κ ≈ ln(c+N)/ln(1+N/c) (ψ(c+N) against ψ(c+N) − ψ(c)); the m-sum stops once ln R < −800
/// (R = 0 in double). Returns NaN when this form cannot be trusted to ~1e-13 — κ > 1e3 (c ≳ 1e8
/// for N ≥ 1e6) — or would take more than 10⁶ steps in the m-sum; the caller then sums directly.
inline double bgbb_alive_sum_closed(double c, double g, double N) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double l1 = std::log1p(N / c);
    if (!((std::log(c + N) + 1) / l1 <= 1e3)) return nan;  // κ too large
    if (g == 1) return c * (boost::math::digamma(c + N) - boost::math::digamma(c));
    const double m = std::round(g - 1), f = g - (1 + m);  // exact: g/(1+m) ∈ [½, 2] or m = −1
    double lq = f == 0 ? 0 : log_gamma_shift(c + N + f, f) - log_gamma_shift(c + f, f);
    if (m < 0) {
        lq += std::log1p(N / (c + f - 1));
    } else {
        // the terms shrink with j: at most min(m, 800/last term) steps
        if (std::min(m, 800 / std::log1p(N / (c + f + m))) > 1e6) return nan;
        for (double j = 0; j < m && lq > -800; ++j) lq -= std::log1p(N / (c + f + j));
    }
    return (c + (g - 1)) * -std::expm1(lq) / (g - 1);
}

/// Σ_{k=1}^{N} S_k with S_1 = 1, S_{k+1} = S_k (c+k−1)/(c+g+k−1), c = δ+n+1: the expected
/// number of the next N opportunities at which a customer alive at n+1 is still alive. Direct
/// sum up to 10⁶ terms; beyond, the closed form (bgbb_alive_sum_closed), and the direct sum
/// (≤ 10⁷ terms, N is at most 1e7) where that form's own trust test fails.
inline double bgbb_alive_sum(double c, double g, double N) {
    if (N <= 1e6) return bgbb_alive_sum_direct(c, g, N);
    const double v = bgbb_alive_sum_closed(c, g, N);
    return std::isnan(v) ? bgbb_alive_sum_direct(c, g, N) : v;
}

/// Σ_{k≥1} S_k (1+d)^−k with S_k as above (c = δ+n+1): the discounted expected number of
/// future opportunities at which a customer alive at n+1 is alive. Since S_k = E[(1−θ)^{k−1}]
/// for θ ~ Beta(γ, c), it equals z ₂F₁(1, c; c+γ; z) = E_θ[1/(d+θ)], z = 1/(1+d): the
/// Beta-Stieltjes transform of ltv/detail/special.hpp, accurate and of bounded cost for every
/// (γ, c, d) — the sBG valuation's function (the general ₂F₁'s 1 − z connection formula loses
/// its digits for large c, as the sBG's DEL did: defect D3).
inline double bgbb_discounted_sum(double c, double g, double d) {
    return beta_stieltjes(g, c, d);
}

}  // namespace detail

/// log L of one pattern (x, t_x, n).
inline double log_likelihood(const bgbb_params& params, double x, double t_x, double n) {
    constexpr const char* fn = "bgbb_log_likelihood";
    detail::validate_bgbb_params(fn, params);
    detail::validate_bgbb_customer(fn, x, t_x, n);
    return detail::bgbb_evaluate(params, x, t_x, n, nullptr).log_L;
}

/// log L of every row (unweighted) into out[0..size).
inline void log_likelihood(const bgbb_params& params, const rfm_data& data, double* out) {
    constexpr const char* fn = "bgbb_log_likelihood";
    detail::validate_bgbb_params(fn, params);
    detail::validate_bgbb_data(fn, data);
    detail::require_array(fn, "out", out, data.size());
    for (std::size_t i = 0; i < data.size(); ++i)
        out[i] = detail::bgbb_evaluate(params, data.frequency[i], data.recency[i], data.age[i],
                                       nullptr)
                     .log_L;
}

namespace detail {
/// Σ w log L over prepared (grouped, merged) rows; gradient w.r.t. log-parameters.
inline double bgbb_total(const bgbb_params& p, const bg_prepared& d, double* grad) {
    double ll = 0, g[4] = {0, 0, 0, 0};
    double gi[4];
    for (std::size_t k = 0; k < d.xs.size(); ++k)
        for (std::size_t i = d.start[k]; i < d.start[k + 1]; ++i) {
            const double w = d.w[i];
            ll += w * bgbb_evaluate(p, d.xs[k], d.tx[i], d.T[i], grad ? gi : nullptr).log_L;
            if (grad)
                for (int j = 0; j < 4; ++j) g[j] += w * gi[j];
        }
    if (grad) {
        grad[0] = g[0] * p.alpha;
        grad[1] = g[1] * p.beta;
        grad[2] = g[2] * p.gamma;
        grad[3] = g[3] * p.delta;
    }
    return ll;
}
}  // namespace detail

/// Σ wᵢ log Lᵢ; when gradient is non-null also its gradient w.r.t. (log α, log β, log γ, log δ).
inline double total_log_likelihood(const bgbb_params& params, const rfm_data& data,
                                   double* gradient = nullptr) {
    constexpr const char* fn = "bgbb_total_log_likelihood";
    detail::validate_bgbb_params(fn, params);
    detail::validate_bgbb_data(fn, data);
    return detail::bgbb_total(params, detail::bg_prepare(data, false), gradient);
}

/// P(alive at opportunity n+1 | x, t_x, n) (FHS eq. 11).
inline double probability_alive(const bgbb_params& params, double x, double t_x, double n) {
    constexpr const char* fn = "bgbb_probability_alive";
    detail::validate_bgbb_params(fn, params);
    detail::validate_bgbb_customer(fn, x, t_x, n);
    return detail::bgbb_alive(params, detail::bgbb_evaluate(params, x, t_x, n, nullptr), n);
}

namespace detail {
template <class F>
void bgbb_batch(const char* fn, const bgbb_params& p, const rfm_data& data, double* out,
                int threads, F&& f) {
    validate_bgbb_params(fn, p);
    validate_bgbb_data(fn, data);
    require_array(fn, "out", out, data.size());
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
            out[i] = f(data.frequency[i], data.recency[i], data.age[i]);
    });
}

}  // namespace detail

/// Batch P(alive at n+1); threads ≤ 0: the process default (ltv/threads.hpp; large batches only).
inline void probability_alive(const bgbb_params& params, const rfm_data& data, double* out,
                              int threads = 1) {
    detail::bgbb_batch("bgbb_probability_alive", params, data, out, threads,
                       [&](double x, double t, double n) {
                           return detail::bgbb_alive(
                               params, detail::bgbb_evaluate(params, x, t, n, nullptr), n);
                       });
}

/// E[number of transactions in opportunities n+1 … n+n* | x, t_x, n] (FHS eq. 13).
inline double conditional_expected_purchases(const bgbb_params& params, double n_star, double x,
                                             double t_x, double n) {
    constexpr const char* fn = "bgbb_conditional_expected_purchases";
    detail::validate_bgbb_params(fn, params);
    detail::require_periods(fn, "t", n_star);  // n* is `t` in C and Python
    detail::validate_bgbb_customer(fn, x, t_x, n);
    const auto c = detail::bgbb_evaluate(params, x, t_x, n, nullptr);
    return detail::bgbb_alive(params, c, n) * (params.alpha + x) /
           (params.alpha + params.beta + n) *
           detail::bgbb_alive_sum(params.delta + n + 1, params.gamma, n_star);
}

inline void conditional_expected_purchases(const bgbb_params& params, double n_star,
                                           const rfm_data& data, double* out, int threads = 1) {
    constexpr const char* fn = "bgbb_conditional_expected_purchases";
    detail::require_periods(fn, "t", n_star);  // n* is `t` in C and Python
    detail::bgbb_batch(fn, params, data, out, threads, [&](double x, double t, double n) {
        const auto c = detail::bgbb_evaluate(params, x, t, n, nullptr);
        return detail::bgbb_alive(params, c, n) * (params.alpha + x) /
               (params.alpha + params.beta + n) *
               detail::bgbb_alive_sum(params.delta + n + 1, params.gamma, n_star);
    });
}

/// E[X(n, n+tₖ) | x, t_x, n] for whole-period horizons t₀…tₘ₋₁ (the hook of ltv/clv.hpp; with
/// BG/BB use clv_options::period_length = 1 or another whole number).
inline void conditional_expected_purchases_curve(const bgbb_params& params, double x, double t_x,
                                                 double n, const double* times, std::size_t m,
                                                 double* out) {
    constexpr const char* fn = "bgbb_conditional_expected_purchases";
    detail::validate_bgbb_params(fn, params);
    detail::validate_bgbb_customer(fn, x, t_x, n);
    detail::require_array(fn, "times", times, m);
    detail::require_array(fn, "out", out, m);
    for (std::size_t k = 0; k < m; ++k) detail::require_periods(fn, {"times", k}, times[k]);
    const auto core = detail::bgbb_evaluate(params, x, t_x, n, nullptr);
    const double scale = detail::bgbb_alive(params, core, n) * (params.alpha + x) /
                         (params.alpha + params.beta + n);
    const double c = params.delta + n + 1, g = params.gamma;
    // The direct sum continues from the previous horizon when the horizons increase (the usual
    // CLV case), with the operations of a fresh sum: each value equals the scalar call's bit
    // for bit. Beyond 10⁶ (or for a decreasing horizon) the scalar's own path.
    detail::bgbb_alive_direct acc(c, g);
    for (std::size_t k = 0; k < m; ++k) {
        const double N = times[k];
        if (N > 1e6 || N < acc.k - 1) {
            out[k] = scale * detail::bgbb_alive_sum(c, g, N);
            continue;
        }
        out[k] = scale * acc.sum_to(N);
    }
}

/// E[X(n)]: expected transactions in the first n opportunities of a new customer (FHS eq. 8).
inline double expected_purchases(const bgbb_params& params, double n) {
    constexpr const char* fn = "bgbb_expected_purchases";
    detail::validate_bgbb_params(fn, params);
    detail::require_periods(fn, "t", n);  // (the horizon is `t` in C and Python)
    // Σ_{t=1}^{n} B(γ, δ+t)/B(γ,δ) = δ/(γ+δ) · Σ_{k=1}^{n} S_k with c = δ+1.
    return params.alpha / (params.alpha + params.beta) * params.delta /
           (params.gamma + params.delta) *
           detail::bgbb_alive_sum(params.delta + 1, params.gamma, n);
}

/// P(X(n) = x) for a new customer (FHS eq. 7); every term in log space. The Beta-function
/// ratios are differences lnΓ(u + k) − lnΓ(u) (detail::log_gamma_delta, exact to a few ulp of
/// the difference for any u; the difference of two log-gammas lost 0.4% at δ = 1e12):
///   B(α+x, β+i−x)/B(α,β) = Γ(α+x)/Γ(α) · Γ(β+i−x)/Γ(β) · Γ(α+β)/Γ(α+β+i),
///   B(γ+1, δ+i)/B(γ,δ) = γ · Γ(δ+i)/Γ(δ) · Γ(γ+δ)/Γ(γ+δ+i+1),
///   B(γ, δ+n)/B(γ,δ) = Γ(δ+n)/Γ(δ) · Γ(γ+δ)/Γ(γ+δ+n);
/// the binomial coefficients by log-gammas of whole numbers ≤ n ≤ 1e7 (absolute error ≤ 3e-8).
inline double probability_of_purchases(const bgbb_params& params, double n, double x) {
    constexpr const char* fn = "bgbb_probability_of_purchases";
    detail::validate_bgbb_params(fn, params);
    // (named as C and Python name them: P(X(t) = n), t the opportunities, n the count)
    detail::require_periods(fn, "t", n);
    detail::require_periods(fn, "n", x);
    if (x > n) return 0;
    using detail::log_gamma_delta;
    const double a = params.alpha, b = params.beta, g = params.gamma, d = params.delta;
    auto lchoose = [](double N, double k) {
        return detail::log_gamma(N + 1) - detail::log_gamma(k + 1) - detail::log_gamma(N - k + 1);
    };
    // ln B(α+x, β+m)/B(α,β) for m = i − x (α + β + x + m = α + β + i)
    const double lax = log_gamma_delta(a, x);
    auto lab = [&](double m) {
        return lax + log_gamma_delta(b, m) - log_gamma_delta(a + b, x + m);
    };
    const double lg = std::log(g);
    detail::log_sum acc;
    acc.add(lchoose(n, x) + lab(n - x) + log_gamma_delta(d, n) - log_gamma_delta(g + d, n));
    for (double i = x; i < n; ++i)
        acc.add(lchoose(i, x) + lab(i - x) + lg + log_gamma_delta(d, i) -
                log_gamma_delta(g + d, i + 1));
    return std::min(1.0, std::exp(acc.value()));
}

namespace detail {

/// P(alive at opportunity n + m | x, t_x, n) from the likelihood's pieces: the "alive through
/// n" term over L (P(alive at n)) times E[(1−θ)^m | alive at n] = B(γ, δ+n+m)/B(γ, δ+n), θ ~
/// Beta(γ, δ+n) given alive at n. For m ≤ 64 the ratio is the product of (δ+n+j)/(γ+δ+n+j)
/// applied one factor at a time, so m = 1 performs exactly bgbb_alive's operations (the two
/// agree bit for bit); beyond, log-gamma differences (detail::lgamma_shift).
inline double bgbb_alive_ahead(const bgbb_params& p, const bgbb_core& c, double n, double m) {
    double v;
    if (m <= 64) {
        v = std::exp(c.log_first - c.log_L);
        for (double j = 0; j < m; ++j) v = v * (p.delta + n + j) / (p.gamma + p.delta + n + j);
    } else {
        v = std::exp(c.log_first - c.log_L + lgamma_shift(p.delta + n, m, nullptr) -
                     lgamma_shift(p.gamma + p.delta + n, m, nullptr));
    }
    return std::min(1.0, std::max(0.0, v));
}

}  // namespace detail

/// P(alive at opportunity n + m | x, t_x, n) (FHS 2010, appendix; lifetimes'
/// conditional_probability_alive(m_periods_in_future, …)):
///   B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+m)/B(γ,δ) / L.
/// m whole ≥ 0. m = 1 is probability_alive (FHS eq. 11, P(alive at n+1)), bit for bit; m = 0 is
/// P(alive at n), the probability of having been alive at the last opportunity observed.
inline double probability_alive_ahead(const bgbb_params& params, double m, double x, double t_x,
                                      double n) {
    constexpr const char* fn = "bgbb_probability_alive_ahead";
    detail::validate_bgbb_params(fn, params);
    detail::require_periods(fn, "periods_ahead", m);  // (the C name; Python's `ahead`)
    detail::validate_bgbb_customer(fn, x, t_x, n);
    return detail::bgbb_alive_ahead(params, detail::bgbb_evaluate(params, x, t_x, n, nullptr), n,
                                    m);
}

inline void probability_alive_ahead(const bgbb_params& params, double m, const rfm_data& data,
                                    double* out, int threads = 1) {
    constexpr const char* fn = "bgbb_probability_alive_ahead";
    detail::require_periods(fn, "periods_ahead", m);
    detail::bgbb_batch(fn, params, data, out, threads, [&](double x, double t, double n) {
        return detail::bgbb_alive_ahead(params, detail::bgbb_evaluate(params, x, t, n, nullptr), n,
                                        m);
    });
}

/// P(X(n, n+n*) = k | x, t_x, n): k transactions in the next n* opportunities of a customer with
/// history (x, t_x, n). Given alive at n, the alive branch of eq. 5, pˣ(1−p)ⁿ⁻ˣ(1−θ)ⁿ, makes
/// p ~ Beta(α+x, β+n−x) and θ ~ Beta(γ, δ+n) independent, and the customer's next opportunities
/// are those of a new customer with these parameters (alive at n+j with probability (1−θ)ʲ); a
/// customer dead at n transacts no more. Hence
///   P = P(alive at n) · P(X(n*) = k | α+x, β+n−x, γ, δ+n) + (1 − P(alive at n))·[k = 0]
/// (P(alive at n) = probability_alive_ahead with m = 0; eq. 7 for the new customer), whose mean
/// is eq. 13's E[X(n, n+n*) | x, t_x, n]. n* and k whole numbers ≥ 0.
inline double conditional_probability_of_purchases(const bgbb_params& params, double k,
                                                   double n_star, double x, double t_x,
                                                   double n) {
    constexpr const char* fn = "bgbb_conditional_probability_of_purchases";
    detail::validate_bgbb_params(fn, params);
    detail::require_periods(fn, "n", k);
    detail::require_periods(fn, "t", n_star);
    detail::validate_bgbb_customer(fn, x, t_x, n);
    const double alive =
        detail::bgbb_alive_ahead(params, detail::bgbb_evaluate(params, x, t_x, n, nullptr), n, 0);
    const double future = probability_of_purchases(
        bgbb_params{params.alpha + x, params.beta + (n - x), params.gamma, params.delta + n},
        n_star, k);
    return k == 0 ? alive * future + (1 - alive) : alive * future;
}

inline void conditional_probability_of_purchases(const bgbb_params& params, double k,
                                                 double n_star, const rfm_data& data,
                                                 double* out, int threads = 1) {
    constexpr const char* fn = "bgbb_conditional_probability_of_purchases";
    detail::require_periods(fn, "n", k);
    detail::require_periods(fn, "t", n_star);
    detail::validate_bgbb_params(fn, params);
    detail::validate_bgbb_data(fn, data);
    detail::require_array(fn, "out", out, data.size());
    detail::parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
            out[i] = detail::at_row(i, [&] {
                return conditional_probability_of_purchases(
                    params, k, n_star, data.frequency[i], data.recency[i], data.age[i]);
            });
    });
}

/// One simulated customer of n whole opportunities after the first transaction (FHS's story):
/// p ~ Beta(α, β), θ ~ Beta(γ, δ); the customer is alive at opportunity j with probability
/// (1−θ)ʲ, i.e. at the G first opportunities, G ~ Geometric (P(G ≥ j) = (1−θ)ʲ), and
/// transacts at each of the K = min(G, n) with probability p. The last transaction is found from
/// the end: F ~ Geometric failures before it (none when F ≥ K), t_x = K − F, and the K − F − 1
/// opportunities before it are Binomial(t_x − 1, p): x = 1 + that. Alive = G ≥ n (alive at
/// opportunity n, as probability_alive_ahead with m = 0). O(log n) draws.
inline detail::simulated_customer simulate_customer(const bgbb_params& params, double n,
                                                    detail::random_engine& g) {
    constexpr const char* fn = "bgbb_simulate";
    detail::validate_bgbb_params(fn, params);
    detail::require_periods(fn, "T", n);
    double log_p, log_q, log_theta, log_stay;
    g.log_beta(params.alpha, params.beta, log_p, log_q);
    g.log_beta(params.gamma, params.delta, log_theta, log_stay);
    const double G = g.geometric(log_stay);
    const double K = std::min(G, n);
    const double F = g.geometric(log_q);
    detail::simulated_customer c;
    c.alive = G >= n;
    if (F < K) {
        c.recency = K - F;
        c.frequency = 1 + g.binomial(c.recency - 1, std::exp(log_p));
    }
    return c;
}

/// DERT(d | x, t_x, n): discounted expected transactions from opportunity n+1 on, the one at
/// n+k discounted by (1+d)^−k (FHS eq. 14). d = 0 requires γ > 1 (otherwise infinite).
inline double discounted_expected_residual_transactions(const bgbb_params& params,
                                                        double discount_rate, double x,
                                                        double t_x, double n) {
    constexpr const char* fn = "bgbb_discounted_expected_residual_transactions";
    detail::validate_bgbb_params(fn, params);
    detail::require_nonnegative(fn, "discount_rate", discount_rate);
    detail::validate_bgbb_customer(fn, x, t_x, n);
    const double c = params.delta + n + 1, g = params.gamma;
    double series;  // Σ_{k≥1} S_k (1+d)^−k (see detail::bgbb_discounted_sum)
    if (discount_rate == 0) {
        // Gauss's sum at z = 1: (c+γ−1)/(γ−1), finite only for γ > 1.
        if (!(g > 1))
            detail::fail(status::domain_error, fn,
                         "without discounting the expected residual transactions are infinite "
                         "for gamma = " +
                             detail::format_value(g) + " <= 1; give a discount rate > 0");
        series = (c + g - 1) / (g - 1);
    } else {
        series = detail::bgbb_discounted_sum(c, g, discount_rate);
    }
    const auto core = detail::bgbb_evaluate(params, x, t_x, n, nullptr);
    return detail::bgbb_alive(params, core, n) * (params.alpha + x) /
           (params.alpha + params.beta + n) * series;
}

/// DERT of every customer (threads ≤ 0: the process default; large batches only). The data are
/// validated first; each row is then the scalar function's value, bit for bit.
inline void discounted_expected_residual_transactions(const bgbb_params& params,
                                                      double discount_rate, const rfm_data& data,
                                                      double* out, int threads = 1) {
    constexpr const char* fn = "bgbb_discounted_expected_residual_transactions";
    detail::require_nonnegative(fn, "discount_rate", discount_rate);
    detail::bgbb_batch(fn, params, data, out, threads, [&](double x, double t, double n) {
        return discounted_expected_residual_transactions(params, discount_rate, x, t, n);
    });
}

/// Maximum-likelihood fit (weights = pattern counts); see fit_options. Throws
/// status::no_convergence when it fails (unless options.allow_no_convergence).
inline bgbb_fit_result fit_bgbb(const rfm_data& data, const fit_options& options = {}) {
    constexpr const char* fn = "bgbb_fit";
    detail::validate_bgbb_data(fn, data);
    const detail::bg_prepared d = detail::bg_prepare(data, true);
    if (!(d.total_weight > 0))
        detail::fail(status::invalid_argument, fn, "the data have no rows with positive weight");
    detail::require_observed_rows(fn, d);
    detail::fit_problem pr;
    pr.fn = fn;
    pr.bounds = {{"alpha"}, {"beta"}, {"gamma"}, {"delta"}};
    // Uniform mixing distributions, then a "loyal" and a "churny" guess.
    pr.starts = {{1, 1, 1, 1}, {1, 1, 0.5, 3}, {0.5, 2, 2, 0.5}};
    pr.total_weight = d.total_weight;
    pr.rows_used = d.tx.size();
    auto fit = detail::run_fit(pr, options, [&d](const double* phi, double* grad) {
        return detail::bgbb_total(bgbb_params{phi[0], phi[1], phi[2], phi[3]}, d, grad);
    });
    bgbb_fit_result out;
    out.params = {fit.params[0], fit.params[1], fit.params[2], fit.params[3]};
    out.report = std::move(fit.report);
    return out;
}

/// BG/BB in the model registry (ltv/registry.hpp; ltv/model_traits.hpp describes the fields).
struct bgbb_model {
    using params_type = bgbb_params;
    static constexpr const char* title = "BG/BB";
    static constexpr const char* class_name = "BetaGeoBetaBinom";
    static constexpr const char* citation =
        "Fader, Hardie & Shang (2010), Customer-Base Analysis in a Discrete-Time Noncontractual "
        "Setting, Marketing Science 29(6)";
    static constexpr const char* docs = "bgbb.md";  ///< its page in docs/
    static constexpr const char* age_name = "n_periods";
    static constexpr data_kind data = data_kind::rfm;
    static constexpr capability_set capabilities =
        capabilities_of(capability::fit_rfm, capability::log_likelihood, capability::p_alive,
                        capability::conditional_purchases, capability::new_customer_purchases,
                        capability::purchase_pmf, capability::clv, capability::dert,
                        capability::conditional_purchase_pmf, capability::p_alive_ahead,
                        capability::simulate);
    static constexpr param_info params[] = {{"alpha", param_lower_positive, param_upper_none,
                                             "Beta heterogeneity of the transaction probability"},
                                            {"beta", param_lower_positive, param_upper_none,
                                             "Beta heterogeneity of the transaction probability"},
                                            {"gamma", param_lower_positive, param_upper_none,
                                             "Beta heterogeneity of the dropout probability"},
                                            {"delta", param_lower_positive, param_upper_none,
                                             "Beta heterogeneity of the dropout probability"}};
    static bgbb_fit_result fit(const rfm_data& d, const fit_options& o) { return fit_bgbb(d, o); }
};

}  // namespace ltv
