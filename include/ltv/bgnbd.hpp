// SPDX-License-Identifier: Apache-2.0
// ltv/bgnbd.hpp — the BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005,
// "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD Model",
// Marketing Science 24(2)).
//
// While active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each
// repeat purchase they drop out with probability p ~ Beta(a, b). For (x, t_x, T) (see
// ltv/rfm_data.hpp) the likelihood is (FHL eq. 6)
//   L = B(a, b+x)/B(a, b) · Γ(r+x)/Γ(r) · α^r/(α+T)^(r+x)
//     + δ_{x>0} · B(a+1, b+x−1)/B(a, b) · Γ(r+x)/Γ(r) · α^r/(α+t_x)^(r+x),
// evaluated in log space (ltv/detail/bg_family.hpp explains the formulas and branches):
//   P(alive) = 1/(1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))                  (eq. 13)
//   E[Y(t) | x, t_x, T] = P(alive) · (a+b+x−1)/(a−1)
//       · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]          (eq. 10)
//   E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))]            (eq. 9)
//   P(X(t) = n)                                                                     (eq. 8)
// a = 1 (a removable 0/0 in eqs. 9-10) is handled by series that do not divide by a−1, and
// a + b = 1 (x = 0: ₂F₁'s c-pole times a + b − 1 = 0) by the limit of the connection formula.
//
// Accuracy (docs/bgnbd.md#accuracy, checked against a 50-digit oracle by tests/oracle): every
// value is within 1e-10 relative of the truth at realistic parameters and customers and 1e-6
// in the extremes; where E[Y(t)] or E[X(t)] cannot be computed to that, the call throws
// ltv::error with status::no_convergence (never a clamped number).
//
// Every function validates its arguments and throws ltv::error. Batch functions write
// data.size() values into the caller's `out` and allocate nothing per customer.
#pragma once

#include <cstddef>
#include <utility>

#include "ltv/detail/bg_family.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/model_traits.hpp"

namespace ltv {

struct bgnbd_params {
    double r = 0;      ///< shape of the Gamma purchase-rate heterogeneity
    double alpha = 0;  ///< scale (in time units) of the Gamma purchase-rate heterogeneity
    double a = 0;      ///< Beta dropout heterogeneity
    double b = 0;      ///< Beta dropout heterogeneity
};

struct bgnbd_fit_result {
    bgnbd_params params;
    fit_report report;  ///< parameters in the order r, alpha, a, b
};

namespace detail {
inline bg_shape shape(const char* fn, const bgnbd_params& p) {
    const bg_shape s{p.r, p.alpha, p.a, p.b, 0};
    validate_bg_shape(fn, s);
    return s;
}

/// The batch loop shared by the per-customer functions of the BG family without a dedicated
/// batch engine: validation, then contiguous blocks on `threads` threads (detail/parallel.hpp;
/// results do not depend on the number of threads).
template <class F>
void bg_batch(const char* fn, const rfm_data& data, double* out, int threads, F&& f) {
    bg_validate_batch(fn, data, threads, nullptr);
    require_array(fn, "out", out, data.size());
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
            out[i] = f(data.frequency[i], data.recency[i], data.age[i]);
    });
}

/// The same, on the process default of threads (ltv/threads.hpp).
template <class F>
void bg_batch(const char* fn, const rfm_data& data, double* out, F&& f) {
    bg_batch(fn, data, out, 0, std::forward<F>(f));
}

inline void require_time(const char* fn, double t) { require_nonnegative(fn, "t", t); }

/// The batch of conditional_probability_of_purchases (BG/NBD and MBG/NBD): validation, then
/// each row as the scalar function computes it, failures named by row.
inline void bg_conditional_pmf_batch(const char* fn, const bg_shape& p, double n, double t,
                                     const rfm_data& data, double* out, int threads) {
    bg_validate_batch(fn, data, threads, nullptr);
    require_array(fn, "out", out, data.size());
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
            out[i] = at_row(i, [&] {
                const double x = data.frequency[i], T = data.age[i];
                return bg_conditional_pmf(p, bg_probability_alive(p, x, data.recency[i], T), n, t,
                                          x, T, fn);
            });
    });
}
}  // namespace detail

/// log L of one customer.
inline double log_likelihood(const bgnbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "bgnbd_log_likelihood";
    const auto p = detail::shape(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::bg_log_likelihood(p, x, t_x, T);
}

/// log L of every customer (unweighted) into out[0..n).
/// threads: worker threads for large batches (≤ 0: the process default, ltv/threads.hpp);
/// the results do not depend on it.
inline void log_likelihood(const bgnbd_params& params, const rfm_data& data, double* out,
                           int threads) {
    constexpr const char* fn = "bgnbd_log_likelihood";
    detail::bg_log_likelihood_batch(fn, detail::shape(fn, params), data, out, threads);
}

inline void log_likelihood(const bgnbd_params& params, const rfm_data& data, double* out) {
    log_likelihood(params, data, out, 0);
}

/// Σ wᵢ log Lᵢ; when gradient is non-null also its gradient w.r.t. (log r, log α, log a, log b).
inline double total_log_likelihood(const bgnbd_params& params, const rfm_data& data,
                                   double* gradient = nullptr) {
    constexpr const char* fn = "bgnbd_total_log_likelihood";
    const auto p = detail::shape(fn, params);
    detail::validate_rfm(fn, data);
    return detail::bg_total_log_likelihood(p, detail::bg_prepare(data, false), gradient);
}

/// P(alive at T | x, t_x, T).
inline double probability_alive(const bgnbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "bgnbd_probability_alive";
    const auto p = detail::shape(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::bg_probability_alive(p, x, t_x, T);
}

/// P(alive) of every customer (bit-identical to the scalar function; threads as above).
inline void probability_alive(const bgnbd_params& params, const rfm_data& data, double* out,
                              int threads) {
    constexpr const char* fn = "bgnbd_probability_alive";
    detail::bg_probability_alive_batch(fn, detail::shape(fn, params), data, out, threads);
}

inline void probability_alive(const bgnbd_params& params, const rfm_data& data, double* out) {
    probability_alive(params, data, out, 0);
}

/// E[number of purchases in (T, T+t] | x, t_x, T].
inline double conditional_expected_purchases(const bgnbd_params& params, double t, double x,
                                             double t_x, double T) {
    constexpr const char* fn = "bgnbd_conditional_expected_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_time(fn, t);
    detail::validate_customer(fn, x, t_x, T);
    return detail::bg_conditional_expected(p, t, x, t_x, T, fn);
}

/// E[Y(t)] of every customer. Batches of ≥ detail::bg_table_min_rows rows evaluate large
/// groups of equal x through a verified table of the curve (ltv/detail/bg_family.hpp, "batch
/// predictions"): those values agree with the scalar function to ~1e-15 relative; smaller
/// batches are bit-identical to it. Never depends on `threads` (≤ 0: the process default).
inline void conditional_expected_purchases(const bgnbd_params& params, double t,
                                           const rfm_data& data, double* out, int threads) {
    constexpr const char* fn = "bgnbd_conditional_expected_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_time(fn, t);
    detail::bg_conditional_expected_batch(fn, p, t, data, out, threads);
}

inline void conditional_expected_purchases(const bgnbd_params& params, double t,
                                           const rfm_data& data, double* out) {
    conditional_expected_purchases(params, t, data, out, 0);
}

/// E[Y(tₖ) | x, t_x, T] for several horizons t₀…tₙ₋₁ at once (P(alive) computed once); the
/// hook ltv/clv.hpp uses.
inline void conditional_expected_purchases_curve(const bgnbd_params& params, double x, double t_x,
                                                 double T, const double* times, std::size_t n,
                                                 double* out) {
    constexpr const char* fn = "bgnbd_conditional_expected_purchases";
    const auto p = detail::shape(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    detail::require_array(fn, "times", times, n);
    detail::require_array(fn, "out", out, n);
    for (std::size_t k = 0; k < n; ++k) detail::require_time(fn, times[k]);
    const double alive = detail::bg_probability_alive(p, x, t_x, T);
    for (std::size_t k = 0; k < n; ++k)
        out[k] = alive *
                 detail::bg_tail(p.r + x, p.a, p.b + x + p.m, times[k] / (p.alpha + T), fn);
}

/// The CLV hook (ltv/clv.hpp): out[i] = Σₖ₌₁..N (1+d)^−k (E[Y(kL)] − E[Y((k−1)L)]) for
/// every customer, N = periods, L = period_length, d = discount_rate — the CLV per unit of
/// spend. Tabulated for large batches like conditional_expected_purchases (agreement with
/// the scalar clv() to ~1e-15 relative; bit-identical for smaller batches); threads as above.
inline void discounted_expected_purchases(const bgnbd_params& params, const rfm_data& data,
                                          int periods, double period_length,
                                          double discount_rate, double* out, int threads = 0) {
    constexpr const char* fn = "bgnbd_discounted_expected_purchases";
    const auto p = detail::shape(fn, params);
    if (periods < 0) detail::fail_argument(fn, "periods", periods, "must not be negative");
    detail::require_positive(fn, "period_length", period_length);
    detail::require_rate(fn, "discount_rate", discount_rate);
    detail::bg_discounted_purchases_batch(fn, p, data, periods, period_length, discount_rate,
                                          out, threads);
}

/// E[X(t)]: expected repeat purchases in (0, t] of a customer whose first purchase was at 0
/// (the unconditional expectation; also the forecast for a newly acquired customer).
inline double expected_purchases(const bgnbd_params& params, double t) {
    constexpr const char* fn = "bgnbd_expected_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_time(fn, t);
    return detail::bg_expected(p, t, fn);
}

/// P(X(t) = n) for a customer whose first purchase was at 0.
inline double probability_of_purchases(const bgnbd_params& params, double t, double n) {
    constexpr const char* fn = "bgnbd_probability_of_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_time(fn, t);
    detail::require_nonnegative(fn, "n", n);
    if (n != std::floor(n)) detail::fail_argument(fn, "n", n, "must be an integer");
    if (t == 0) return n == 0 ? 1.0 : 0.0;  // nothing can happen in an empty interval
    return detail::bg_probability_of_purchases(p, t, n, fn);
}

/// P(X(T, T+t] = n | x, t_x, T): n purchases in the next t time units of a customer with
/// history (x, t_x, T) = P(alive) · P(X(t) = n | r+x, α+T, a, b+x) + (1 − P(alive))·[n = 0]
/// (derivation: detail::bg_conditional_pmf; its mean is eq. 10's E[Y(t) | x, t_x, T]).
inline double conditional_probability_of_purchases(const bgnbd_params& params, double n,
                                                   double t, double x, double t_x, double T) {
    constexpr const char* fn = "bgnbd_conditional_probability_of_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_pmf_arguments(fn, n, t);
    detail::validate_customer(fn, x, t_x, T);
    return detail::bg_conditional_pmf(p, detail::bg_probability_alive(p, x, t_x, T), n, t, x, T,
                                      fn);
}

/// The same for every customer (threads ≤ 0: the process default; large batches only).
inline void conditional_probability_of_purchases(const bgnbd_params& params, double n, double t,
                                                 const rfm_data& data, double* out,
                                                 int threads = 0) {
    constexpr const char* fn = "bgnbd_conditional_probability_of_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_pmf_arguments(fn, n, t);
    detail::bg_conditional_pmf_batch(fn, p, n, t, data, out, threads);
}

/// One simulated customer of age T (detail::bg_simulate; draws from g, detail/random.hpp).
inline detail::simulated_customer simulate_customer(const bgnbd_params& params, double T,
                                                    detail::random_engine& g) {
    constexpr const char* fn = "bgnbd_simulate";
    return detail::bg_simulate(detail::shape(fn, params), T, g, fn);
}

/// Maximum-likelihood fit (see fit_options); throws status::no_convergence when it fails.
inline bgnbd_fit_result fit_bgnbd(const rfm_data& data, const fit_options& options = {}) {
    bgnbd_fit_result result;
    const auto s = detail::bg_fit("bgnbd_fit", data, options, 0, result.report);
    result.params = {s.r, s.alpha, s.a, s.b};
    return result;
}

/// BG/NBD in the model registry (ltv/registry.hpp; ltv/model_traits.hpp describes the fields).
struct bgnbd_model {
    using params_type = bgnbd_params;
    static constexpr const char* title = "BG/NBD";
    static constexpr const char* class_name = "BetaGeo";
    static constexpr const char* citation =
        "Fader, Hardie & Lee (2005), Counting Your Customers the Easy Way: An Alternative to the "
        "Pareto/NBD Model, Marketing Science 24(2)";
    static constexpr const char* docs = "bgnbd.md";  ///< its page in docs/
    static constexpr const char* age_name = "T";
    static constexpr data_kind data = data_kind::rfm;
    static constexpr capability_set capabilities =
        capabilities_of(capability::fit_rfm, capability::log_likelihood, capability::p_alive,
                        capability::conditional_purchases, capability::new_customer_purchases,
                        capability::purchase_pmf, capability::clv,
                        capability::conditional_purchase_pmf, capability::simulate);
    static constexpr param_info params[] = {
        detail::purchase_rate_shape,
        detail::purchase_rate_scale,
        {"a", param_lower_positive, param_upper_none,
         "Beta heterogeneity of the dropout probability after a purchase"},
        {"b", param_lower_positive, param_upper_none,
         "Beta heterogeneity of the dropout probability after a purchase"}};
    static bgnbd_fit_result fit(const rfm_data& d, const fit_options& o) { return fit_bgnbd(d, o); }
    /// Static covariates (ltv/covariates.hpp) as CLVTools (src/bgnbd.cpp,
    /// bgnbd_staticcov_alpha_i/a_i/b_i): αᵢ = α·exp(−γ_trans'zᵢ), aᵢ = a·exp(γ_life'zᵢ),
    /// bᵢ = b·exp(γ_life'zᵢ) — a and b share one coefficient vector, here the group "ab".
    static constexpr covariate_link covariate_links[] = {
        {"alpha", -1, "alpha"}, {"a", +1, "ab"}, {"b", +1, "ab"}};
    static detail::bg_prepared covariate_prepare(const rfm_data& d) {
        return detail::bg_prepare(d, true);
    }
    static double covariate_total(const bgnbd_params& p, const detail::bg_prepared& d,
                                  double* grad) {
        return detail::bg_total_log_likelihood(detail::shape("bgnbd_fit", p), d, grad);
    }
};

}  // namespace ltv
