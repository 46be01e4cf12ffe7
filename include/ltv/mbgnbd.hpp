// SPDX-License-Identifier: Apache-2.0
// ltv/mbgnbd.hpp — the MBG/NBD model (Batislam, Denizel & Filiztekin 2007, "Empirical
// validation and comparison of models for customer base analysis", International Journal of
// Research in Marketing 24(3); the "modified" BG/NBD, lifetimes' ModifiedBetaGeoFitter).
//
// As BG/NBD (ltv/bgnbd.hpp) except that the dropout coin p ~ Beta(a, b) is also tossed at
// time 0, so a customer without repeat purchases may already be inactive:
//   L = B(a, b+x+1)/B(a, b) · Γ(r+x)/Γ(r) · α^r/(α+T)^(r+x)
//     + B(a+1, b+x)/B(a, b) · Γ(r+x)/Γ(r) · α^r/(α+t_x)^(r+x)          (for every x ≥ 0)
//   P(alive) = 1/(1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
//   E[Y(t) | x, t_x, T] = P(alive) · (a+b+x)/(a−1)
//       · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x+1; a+b+x; t/(α+T+t))]
//   E[X(t)] = b/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))]
// Derivations and numerics: ltv/detail/bg_family.hpp (variant m = 1).
#pragma once

#include "ltv/bgnbd.hpp"
#include "ltv/model_traits.hpp"

namespace ltv {

struct mbgnbd_params {
    double r = 0, alpha = 0, a = 0, b = 0;  ///< as in bgnbd_params
};

struct mbgnbd_fit_result {
    mbgnbd_params params;
    fit_report report;  ///< parameters in the order r, alpha, a, b
};

namespace detail {
inline bg_shape shape(const char* fn, const mbgnbd_params& p) {
    const bg_shape s{p.r, p.alpha, p.a, p.b, 1};
    validate_bg_shape(fn, s);
    return s;
}
}  // namespace detail

inline double log_likelihood(const mbgnbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "mbgnbd_log_likelihood";
    const auto p = detail::shape(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::bg_log_likelihood(p, x, t_x, T);
}

/// threads as for BG/NBD (ltv/bgnbd.hpp): ≤ 0 the process default; results do not depend on it.
inline void log_likelihood(const mbgnbd_params& params, const rfm_data& data, double* out,
                           int threads) {
    constexpr const char* fn = "mbgnbd_log_likelihood";
    detail::bg_log_likelihood_batch(fn, detail::shape(fn, params), data, out, threads);
}

inline void log_likelihood(const mbgnbd_params& params, const rfm_data& data, double* out) {
    log_likelihood(params, data, out, 0);
}

inline double total_log_likelihood(const mbgnbd_params& params, const rfm_data& data,
                                   double* gradient = nullptr) {
    constexpr const char* fn = "mbgnbd_total_log_likelihood";
    const auto p = detail::shape(fn, params);
    detail::validate_rfm(fn, data);
    return detail::bg_total_log_likelihood(p, detail::bg_prepare(data, false), gradient);
}

inline double probability_alive(const mbgnbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "mbgnbd_probability_alive";
    const auto p = detail::shape(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::bg_probability_alive(p, x, t_x, T);
}

inline void probability_alive(const mbgnbd_params& params, const rfm_data& data, double* out,
                              int threads) {
    constexpr const char* fn = "mbgnbd_probability_alive";
    detail::bg_probability_alive_batch(fn, detail::shape(fn, params), data, out, threads);
}

inline void probability_alive(const mbgnbd_params& params, const rfm_data& data, double* out) {
    probability_alive(params, data, out, 0);
}

inline double conditional_expected_purchases(const mbgnbd_params& params, double t, double x,
                                             double t_x, double T) {
    constexpr const char* fn = "mbgnbd_conditional_expected_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_time(fn, t);
    detail::validate_customer(fn, x, t_x, T);
    return detail::bg_conditional_expected(p, t, x, t_x, T, fn);
}

/// As the BG/NBD batch (tabulated for large batches, see ltv/bgnbd.hpp).
inline void conditional_expected_purchases(const mbgnbd_params& params, double t,
                                           const rfm_data& data, double* out, int threads) {
    constexpr const char* fn = "mbgnbd_conditional_expected_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_time(fn, t);
    detail::bg_conditional_expected_batch(fn, p, t, data, out, threads);
}

inline void conditional_expected_purchases(const mbgnbd_params& params, double t,
                                           const rfm_data& data, double* out) {
    conditional_expected_purchases(params, t, data, out, 0);
}

/// E[Y(tₖ) | x, t_x, T] for several horizons t₀…tₙ₋₁ at once (P(alive) computed once); the
/// hook ltv/clv.hpp uses.
inline void conditional_expected_purchases_curve(const mbgnbd_params& params, double x, double t_x,
                                                 double T, const double* times, std::size_t n,
                                                 double* out) {
    constexpr const char* fn = "mbgnbd_conditional_expected_purchases";
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

/// The CLV hook, as discounted_expected_purchases for BG/NBD (ltv/bgnbd.hpp).
inline void discounted_expected_purchases(const mbgnbd_params& params, const rfm_data& data,
                                          int periods, double period_length,
                                          double discount_rate, double* out, int threads = 0) {
    constexpr const char* fn = "mbgnbd_discounted_expected_purchases";
    const auto p = detail::shape(fn, params);
    if (periods < 0) detail::fail_argument(fn, "periods", periods, "must not be negative");
    detail::require_positive(fn, "period_length", period_length);
    detail::require_rate(fn, "discount_rate", discount_rate);
    detail::bg_discounted_purchases_batch(fn, p, data, periods, period_length, discount_rate,
                                          out, threads);
}

inline double expected_purchases(const mbgnbd_params& params, double t) {
    constexpr const char* fn = "mbgnbd_expected_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_time(fn, t);
    return detail::bg_expected(p, t, fn);
}

inline double probability_of_purchases(const mbgnbd_params& params, double t, double n) {
    constexpr const char* fn = "mbgnbd_probability_of_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_time(fn, t);
    detail::require_nonnegative(fn, "n", n);
    if (n != std::floor(n)) detail::fail_argument(fn, "n", n, "must be an integer");
    // At t = 0 only the time-0 dropout is random, and either way no purchase was made yet.
    if (t == 0) return n == 0 ? 1.0 : 0.0;
    return detail::bg_probability_of_purchases(p, t, n, fn);
}

/// P(X(T, T+t] = n | x, t_x, T) = P(alive) · P_BG/NBD(X(t) = n | r+x, α+T, a, b+x+1)
/// + (1 − P(alive))·[n = 0]: an MBG customer alive at T has survived x + 1 coins, and tosses the
/// next after the next purchase (detail::bg_conditional_pmf).
inline double conditional_probability_of_purchases(const mbgnbd_params& params, double n,
                                                   double t, double x, double t_x, double T) {
    constexpr const char* fn = "mbgnbd_conditional_probability_of_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_pmf_arguments(fn, n, t);
    detail::validate_customer(fn, x, t_x, T);
    return detail::bg_conditional_pmf(p, detail::bg_probability_alive(p, x, t_x, T), n, t, x, T,
                                      fn);
}

inline void conditional_probability_of_purchases(const mbgnbd_params& params, double n, double t,
                                                 const rfm_data& data, double* out,
                                                 int threads = 0) {
    constexpr const char* fn = "mbgnbd_conditional_probability_of_purchases";
    const auto p = detail::shape(fn, params);
    detail::require_pmf_arguments(fn, n, t);
    detail::bg_conditional_pmf_batch(fn, p, n, t, data, out, threads);
}

/// One simulated customer of age T: as BG/NBD's, with the coin of time 0 (detail::bg_simulate).
inline detail::simulated_customer simulate_customer(const mbgnbd_params& params, double T,
                                                    detail::random_engine& g) {
    constexpr const char* fn = "mbgnbd_simulate";
    return detail::bg_simulate(detail::shape(fn, params), T, g, fn);
}

inline mbgnbd_fit_result fit_mbgnbd(const rfm_data& data, const fit_options& options = {}) {
    mbgnbd_fit_result result;
    const auto s = detail::bg_fit("mbgnbd_fit", data, options, 1, result.report);
    result.params = {s.r, s.alpha, s.a, s.b};
    return result;
}

/// MBG/NBD in the model registry (ltv/registry.hpp; ltv/model_traits.hpp describes the fields).
struct mbgnbd_model {
    using params_type = mbgnbd_params;
    static constexpr const char* title = "MBG/NBD";
    static constexpr const char* class_name = "ModifiedBetaGeo";
    static constexpr const char* citation =
        "Batislam, Denizel & Filiztekin (2007), Empirical validation and comparison of models for "
        "customer base analysis, International Journal of Research in Marketing 24(3)";
    static constexpr const char* docs = "bgnbd.md#mbgnbd";  ///< its page in docs/
    static constexpr const char* age_name = "T";
    static constexpr data_kind data = data_kind::rfm;
    /// The same kernels as BG/NBD's (the shared BG-family code), so the same capabilities.
    static constexpr capability_set capabilities = bgnbd_model::capabilities;
    static constexpr param_info params[] = {
        detail::purchase_rate_shape, detail::purchase_rate_scale,
        {"a", param_lower_positive, param_upper_none,
         "Beta heterogeneity of the dropout probability (at time 0 and after each purchase)"},
        {"b", param_lower_positive, param_upper_none,
         "Beta heterogeneity of the dropout probability (at time 0 and after each purchase)"}};
    static mbgnbd_fit_result fit(const rfm_data& d, const fit_options& o) {
        return fit_mbgnbd(d, o);
    }
    /// Static covariates (ltv/covariates.hpp): BG/NBD's construction (CLVTools src/bgnbd.cpp,
    /// which has no MBG/NBD): αᵢ = α·exp(−γ_trans'zᵢ), aᵢ, bᵢ = a, b·exp(γ_life'zᵢ).
    static constexpr covariate_link covariate_links[] = {
        {"alpha", -1, "alpha"}, {"a", +1, "ab"}, {"b", +1, "ab"}};
    static detail::bg_prepared covariate_prepare(const rfm_data& d) {
        return detail::bg_prepare(d, true);
    }
    static double covariate_total(const mbgnbd_params& p, const detail::bg_prepared& d,
                                  double* grad) {
        return detail::bg_total_log_likelihood(detail::shape("mbgnbd_fit", p), d, grad);
    }
};

}  // namespace ltv
