// SPDX-License-Identifier: Apache-2.0
// ltv/bgcnbd.hpp — the BG/CNBD-k and MBG/CNBD-k models of repeat purchasing with regular
// inter-purchase times (Platzer & Reutterer 2016, "Ticking Away the Moments: Timing Regularity
// Helps to Better Predict Customer Activity", Marketing Science 35(5); R package BTYDplus).
//
// As BG/NBD (ltv/bgnbd.hpp) and MBG/NBD (ltv/mbgnbd.hpp), except that while active the times
// between purchases are Erlang-k(λ) instead of exponential(λ): k = 1 gives back BG/NBD and
// MBG/NBD exactly, larger k more regular purchasing. Parameters r, α, a, b as in BG/NBD; k is a
// structural option of the model (option "k": 0 = chosen by the fit among 1 … "k_max" by the
// highest log-likelihood, which needs the per-customer Σ log inter-purchase times `litt`,
// rfm_data::litt; a fixed k ≥ 1 fits on (x, t_x, T) alone). Formulas, derivations and numerics:
// ltv/detail/cnbd.hpp; docs/bgcnbd.md.
//
// Also here: the Wheat & Morrison (1990) estimate of purchase regularity (regularity_wheat).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ltv/detail/cnbd.hpp"
#include "ltv/detail/fit_driver.hpp"
#include "ltv/detail/optimize.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/random.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/model_traits.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv {

/// BG/CNBD-k parameters; k = 0 means "not chosen yet" (every function but the fit refuses it).
struct bgcnbd_params {
    double r = 0, alpha = 0, a = 0, b = 0;  ///< as in bgnbd_params
    int k = 0;                              ///< Erlang shape of the inter-purchase times, ≥ 1
};

/// MBG/CNBD-k parameters (as bgcnbd_params; the dropout coin is also tossed at time 0).
struct mbgcnbd_params {
    double r = 0, alpha = 0, a = 0, b = 0;
    int k = 0;
};

struct bgcnbd_fit_result {
    bgcnbd_params params;  ///< with the k fitted at (given or chosen)
    fit_report report;     ///< parameters in the order r, alpha, a, b; LL includes (k−1)Σ litt
};

struct mbgcnbd_fit_result {
    mbgcnbd_params params;
    fit_report report;
};

/// How the fit picks k (fit_bgcnbd / fit_mbgcnbd).
struct cnbd_k_options {
    int k = 0;       ///< ≥ 1: fit at this k; 0: choose k in 1 … k_max (needs rfm_data::litt)
    int k_max = 12;  ///< BTYDplus's grid is k = 1 … 12
};

namespace detail {

template <class P>
struct cnbd_variant;
template <>
struct cnbd_variant<bgcnbd_params> {
    static constexpr int m = 0;
    static constexpr const char* ll = "bgcnbd_log_likelihood";
    static constexpr const char* total = "bgcnbd_total_log_likelihood";
    static constexpr const char* alive = "bgcnbd_probability_alive";
    static constexpr const char* cond = "bgcnbd_conditional_expected_purchases";
    static constexpr const char* expected = "bgcnbd_expected_purchases";
    static constexpr const char* simulate = "bgcnbd_simulate";
    static constexpr const char* fit = "bgcnbd_fit";
};
template <>
struct cnbd_variant<mbgcnbd_params> {
    static constexpr int m = 1;
    static constexpr const char* ll = "mbgcnbd_log_likelihood";
    static constexpr const char* total = "mbgcnbd_total_log_likelihood";
    static constexpr const char* alive = "mbgcnbd_probability_alive";
    static constexpr const char* cond = "mbgcnbd_conditional_expected_purchases";
    static constexpr const char* expected = "mbgcnbd_expected_purchases";
    static constexpr const char* simulate = "mbgcnbd_simulate";
    static constexpr const char* fit = "mbgcnbd_fit";
};

template <class P>
using if_cnbd = std::enable_if_t<std::is_same_v<P, bgcnbd_params> ||
                                     std::is_same_v<P, mbgcnbd_params>,
                                 int>;

template <class P>
cnbd_shape cnbd_shape_of(const char* fn, const P& p) {
    const cnbd_shape s{p.r, p.alpha, p.a, p.b, p.k, cnbd_variant<P>::m};
    validate_cnbd_shape(fn, s);
    return s;
}

/// The batch loop: validation of the rows (and litt), then f(i) per row in contiguous blocks on
/// `threads` threads (results do not depend on them), failures named by row.
template <class F>
void cnbd_batch(const char* fn, const rfm_data& data, double* out, int threads, bool uses_litt,
                F&& f) {
    validate_rfm(fn, data);
    // litt enters the log-likelihood only: P(alive) and the expectations neither read nor check
    // it, so a summary's unknown (NaN) litt does not stop them.
    if (uses_litt) validate_litt(fn, data);
    require_array(fn, "out", out, data.size());
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) out[i] = at_row(i, [&] { return f(i); });
    });
}

/// One maximum-likelihood fit at a fixed k through the common driver.
inline cnbd_shape cnbd_fit_at(const char* fn, const cnbd_prepared& d, const fit_options& opt,
                              int k, int m, fit_report& report) {
    fit_problem pr;
    pr.fn = fn;
    pr.total_weight = d.total_weight;
    pr.rows_used = d.tx.size();
    // Starts as BG/NBD's, with α scaled by k: the mean inter-purchase time is k/λ, so the α
    // that matches the mean purchase rate Σx/ΣT is k times BG/NBD's.
    const double alpha0 = k * (d.sum_w_x > 0 ? d.sum_T / d.sum_w_x : d.sum_T / d.total_weight);
    pr.starts = {{1, alpha0, 1, 3}, {1, 1, 1, 1}, {0.3, alpha0, 0.5, 1.5}};
    pr.bounds = {{"r"}, scale_parameter("alpha", k * d.sum_T / d.total_weight), {"a"}, {"b"}};
    pr.lifetimes_penalty_scale = {1, 1 / std::max(d.max_T, 1e-300), 1, 1};
    const fit_outcome out = run_fit(pr, opt, [&d, k, m](const double* phi, double* grad) {
        return cnbd_total_log_likelihood(cnbd_shape{phi[0], phi[1], phi[2], phi[3], k, m}, d,
                                         grad);
    });
    report = out.report;
    return {out.params[0], out.params[1], out.params[2], out.params[3], k, m};
}

/// The fit: at the given k, or (k = 0) at each k = 1 … k_max keeping the highest log-likelihood.
/// As BTYDplus, the search stops early once the log-likelihood fell twice in a row (it is
/// unimodal in k in practice), and a k whose fit fails ends the search (k = 1 failing fails the
/// fit).
inline cnbd_shape cnbd_fit(const char* fn, const rfm_data& data, const fit_options& opt,
                           const cnbd_k_options& ko, int m, fit_report& report) {
    if (ko.k != 0) cnbd_k(fn, ko.k);
    if (ko.k == 0) {
        if (!(ko.k_max >= 1 && ko.k_max <= cnbd_k_max))
            fail_argument(fn, "k_max", ko.k_max,
                          ("must be a whole number in [1, " + std::to_string(cnbd_k_max) + "]")
                              .c_str());
        if (data.litt.empty())
            fail(status::invalid_argument, fn,
                 "choosing k (option 'k' = 0) needs 'litt', each customer's sum of log "
                 "inter-purchase times (ltv summaries have it); without it set option 'k' to a "
                 "whole number >= 1");
    }
    const cnbd_prepared d = cnbd_prepare(fn, data);
    if (!(d.total_weight > 0))
        fail(status::invalid_argument, fn, "the data have no rows of positive weight");
    if (ko.k != 0) return cnbd_fit_at(fn, d, opt, ko.k, m, report);
    cnbd_shape best{};
    double best_ll = -std::numeric_limits<double>::infinity(), prev = best_ll, prev2 = best_ll;
    for (int k = 1; k <= ko.k_max; ++k) {
        fit_report rep;
        cnbd_shape s;
        try {
            s = cnbd_fit_at(fn, d, opt, k, m, rep);
        } catch (const error& e) {
            if (k == 1 || e.code() != status::no_convergence) throw;
            break;
        }
        const double ll = rep.log_likelihood;
        if (ll > best_ll) {
            best_ll = ll;
            best = s;
            report = std::move(rep);
        }
        if (k > 2 && ll < prev && prev < prev2) break;
        prev2 = prev;
        prev = ll;
    }
    return best;
}

}  // namespace detail

/// log L of one customer with Σ log inter-purchase times `litt` (0 if x = 0).
template <class P, detail::if_cnbd<P> = 0>
double log_likelihood(const P& params, double x, double t_x, double T, double litt) {
    constexpr const char* fn = detail::cnbd_variant<P>::ll;
    const auto p = detail::cnbd_shape_of(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    detail::require_finite(fn, "litt", litt);
    return detail::cnbd_log_likelihood(p, x, t_x, T, litt);
}

/// log L of every customer into out[0..n); data.litt when given, else the term (k−1)·litt is
/// left out (it does not depend on r, α, a, b). threads ≤ 0: the process default.
template <class P, detail::if_cnbd<P> = 0>
void log_likelihood(const P& params, const rfm_data& data, double* out, int threads) {
    constexpr const char* fn = detail::cnbd_variant<P>::ll;
    const auto p = detail::cnbd_shape_of(fn, params);
    detail::cnbd_batch(fn, data, out, threads, true, [&](std::size_t i) {
        return detail::cnbd_log_likelihood(p, data.frequency[i], data.recency[i], data.age[i],
                                           data.litt.empty() ? 0.0 : data.litt[i]);
    });
}

/// Σ wᵢ log Lᵢ; when gradient is non-null also its gradient w.r.t. (log r, log α, log a, log b).
template <class P, detail::if_cnbd<P> = 0>
double total_log_likelihood(const P& params, const rfm_data& data, double* gradient = nullptr) {
    constexpr const char* fn = detail::cnbd_variant<P>::total;
    const auto p = detail::cnbd_shape_of(fn, params);
    return detail::cnbd_total_log_likelihood(p, detail::cnbd_prepare(fn, data), gradient);
}

/// P(alive at T | x, t_x, T) = S₂/(S₁+S₂) (ltv/detail/cnbd.hpp).
template <class P, detail::if_cnbd<P> = 0>
double probability_alive(const P& params, double x, double t_x, double T) {
    constexpr const char* fn = detail::cnbd_variant<P>::alive;
    const auto p = detail::cnbd_shape_of(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::cnbd_probability_alive(p, x, t_x, T);
}

template <class P, detail::if_cnbd<P> = 0>
void probability_alive(const P& params, const rfm_data& data, double* out, int threads) {
    constexpr const char* fn = detail::cnbd_variant<P>::alive;
    const auto p = detail::cnbd_shape_of(fn, params);
    detail::cnbd_batch(fn, data, out, threads, false, [&](std::size_t i) {
        return detail::cnbd_probability_alive(p, data.frequency[i], data.recency[i], data.age[i]);
    });
}

/// E[number of purchases in (T, T+t] | x, t_x, T] — exact (the phase mixture of
/// ltv/detail/cnbd.hpp), not BTYDplus's approximation.
template <class P, detail::if_cnbd<P> = 0>
double conditional_expected_purchases(const P& params, double t, double x, double t_x, double T) {
    constexpr const char* fn = detail::cnbd_variant<P>::cond;
    const auto p = detail::cnbd_shape_of(fn, params);
    detail::require_nonnegative(fn, "t", t);
    detail::validate_customer(fn, x, t_x, T);
    return detail::cnbd_conditional_expected(p, t, x, t_x, T, fn);
}

template <class P, detail::if_cnbd<P> = 0>
void conditional_expected_purchases(const P& params, double t, const rfm_data& data, double* out,
                                    int threads) {
    constexpr const char* fn = detail::cnbd_variant<P>::cond;
    const auto p = detail::cnbd_shape_of(fn, params);
    detail::require_nonnegative(fn, "t", t);
    detail::cnbd_batch(fn, data, out, threads, false, [&](std::size_t i) {
        return detail::cnbd_conditional_expected(p, t, data.frequency[i], data.recency[i],
                                                 data.age[i], fn);
    });
}

/// E[X(t)]: expected repeat purchases in (0, t] of a customer acquired at 0 (the conditional
/// expectation at x = t_x = T = 0).
template <class P, detail::if_cnbd<P> = 0>
double expected_purchases(const P& params, double t) {
    constexpr const char* fn = detail::cnbd_variant<P>::expected;
    const auto p = detail::cnbd_shape_of(fn, params);
    detail::require_nonnegative(fn, "t", t);
    return detail::cnbd_conditional_expected(p, t, 0, 0, 0, fn);
}

/// One simulated customer of age T (detail::cnbd_simulate).
template <class P, detail::if_cnbd<P> = 0>
detail::simulated_customer simulate_customer(const P& params, double T, detail::random_engine& g) {
    constexpr const char* fn = detail::cnbd_variant<P>::simulate;
    return detail::cnbd_simulate(detail::cnbd_shape_of(fn, params), T, g, fn);
}

/// Maximum-likelihood fit of BG/CNBD-k (k given or chosen, cnbd_k_options).
inline bgcnbd_fit_result fit_bgcnbd(const rfm_data& data, const fit_options& options = {},
                                    const cnbd_k_options& k = {}) {
    bgcnbd_fit_result res;
    const auto s = detail::cnbd_fit("bgcnbd_fit", data, options, k, 0, res.report);
    res.params = {s.r, s.alpha, s.a, s.b, s.k};
    return res;
}

/// Maximum-likelihood fit of MBG/CNBD-k.
inline mbgcnbd_fit_result fit_mbgcnbd(const rfm_data& data, const fit_options& options = {},
                                      const cnbd_k_options& k = {}) {
    mbgcnbd_fit_result res;
    const auto s = detail::cnbd_fit("mbgcnbd_fit", data, options, k, 1, res.report);
    res.params = {s.r, s.alpha, s.a, s.b, s.k};
    return res;
}

/// The Wheat & Morrison (1990) estimate of purchase regularity ("Estimating purchase regularity
/// with two interpurchase times", Journal of Marketing Research 27(1); BTYDplus
/// estimateRegularity(method = "wheat")). For each customer with at least two inter-purchase
/// times, M = t₁/(t₁+t₂) of the last two (t₁ = prev_itt[i], t₂ = last_itt[i]); for Erlang-k times
/// M ~ Beta(k, k), whose variance 1/(4(2k+1)) gives k̂ = (1 − 4 Var M)/(8 Var M).
/// BTYDplus takes t₁ or t₂ at random for the numerator; here both orders enter (M and 1 − M for
/// every customer: the symmetric, deterministic version of the same estimator; the mean is
/// exactly 1/2 and Var M = Σ (M − 1/2)² / (2n − 1) over the 2n values). Needs n ≥ 1 customers,
/// every time finite and > 0 (errors name the array and row); domain_error when all M equal 1/2.
inline double regularity_wheat(array_view<double> prev_itt, array_view<double> last_itt) {
    constexpr const char* fn = "regularity_wheat";
    detail::require_array(fn, "prev_itt", prev_itt.data(), prev_itt.size());
    detail::require_array(fn, "last_itt", last_itt.data(), last_itt.size());
    if (prev_itt.size() != last_itt.size())
        detail::fail(status::invalid_argument, fn,
                     "argument 'last_itt' has " + std::to_string(last_itt.size()) +
                         " elements but 'prev_itt' has " + std::to_string(prev_itt.size()));
    if (prev_itt.empty())
        detail::fail(status::invalid_argument, fn,
                     "no customers: the estimate needs customers with two inter-purchase times");
    double ss = 0;
    for (std::size_t i = 0; i < prev_itt.size(); ++i) {
        const double t1 = prev_itt[i], t2 = last_itt[i];
        if (!(t1 > 0 && std::isfinite(t1)))
            detail::fail_argument(fn, detail::arg_name{"prev_itt", i}, t1,
                                  "must be a finite number > 0");
        if (!(t2 > 0 && std::isfinite(t2)))
            detail::fail_argument(fn, detail::arg_name{"last_itt", i}, t2,
                                  "must be a finite number > 0");
        const double d = 1 / (1 + t2 / t1) - 0.5;  // (t1 + t2 may overflow; t2/t1 may not)
        ss += 2 * d * d;
    }
    const double var = ss / (2.0 * static_cast<double>(prev_itt.size()) - 1);
    if (!(var > 0))
        detail::fail(status::domain_error, fn,
                     "every customer's last two inter-purchase times are equal: the variance is 0 "
                     "and the regularity unbounded");
    return (1 - 4 * var) / (8 * var);
}

namespace detail {
/// The structural options of both models (model_ops::options).
inline constexpr option_info cnbd_options[] = {
    {"k", 0, cnbd_k_max, true, 0,
     "Erlang shape of the inter-purchase times (1 = exponential); 0: chosen by the fit among "
     "1 ... k_max by the highest log-likelihood (needs litt); a fit stores the k it used here"},
    {"k_max", 1, cnbd_k_max, true, 12, "the largest k the fit tries when k = 0 (BTYDplus: 12)"}};

/// An option's value in a model_state-like object (its `options`: (name, value) pairs).
template <class S>
double cnbd_state_option(const S& s, const char* name, double absent) {
    for (const auto& [n, v] : s.options)
        if (n == name) return v;
    return absent;
}

template <class S>
void cnbd_set_state_option(S& s, const char* name, double value) {
    for (auto& [n, v] : s.options)
        if (n == name) {
            v = value;
            return;
        }
    s.options.emplace_back(name, value);
}

/// The traits' hooks shared by both models (ltv/model_ops.hpp calls them when present).
template <class P, class Result, Result (*Fit)(const rfm_data&, const fit_options&,
                                               const cnbd_k_options&)>
struct cnbd_traits_hooks {
    /// The state's option "k" into the parameters (0 = not chosen: the kernels refuse it).
    template <class S>
    static P params_with_options(P p, const S& s) {
        p.k = static_cast<int>(cnbd_state_option(s, "k", 0));
        return p;
    }
    static std::vector<double> flat(const P& p) { return {p.r, p.alpha, p.a, p.b}; }
    /// The fit with the state's k and k_max; the k used is stored back as option "k".
    template <class S>
    static Result fit_with_state(const S& s, const rfm_data& d, const fit_options& o) {
        const double k = cnbd_state_option(s, "k", 0), k_max = cnbd_state_option(s, "k_max", 12);
        return Fit(d, o, cnbd_k_options{static_cast<int>(k), static_cast<int>(k_max)});
    }
    template <class S>
    static void store_options(S& s, const P& p) {
        cnbd_set_state_option(s, "k", p.k);
    }
};
}  // namespace detail

/// BG/CNBD-k in the model registry (ltv/registry.hpp; ltv/model_traits.hpp describes the fields).
struct bgcnbd_model
    : detail::cnbd_traits_hooks<bgcnbd_params, bgcnbd_fit_result, &fit_bgcnbd> {
    using params_type = bgcnbd_params;
    static constexpr const char* title = "BG/CNBD-k";
    static constexpr const char* class_name = "BetaGeoCNBD";
    static constexpr const char* citation =
        "Platzer & Reutterer (2016), Ticking Away the Moments: Timing Regularity Helps to Better "
        "Predict Customer Activity, Marketing Science 35(5)";
    static constexpr const char* docs = "bgcnbd.md";
    static constexpr const char* age_name = "T";
    static constexpr data_kind data = data_kind::rfm;
    static constexpr capability_set capabilities =
        capabilities_of(capability::fit_rfm, capability::log_likelihood, capability::p_alive,
                        capability::conditional_purchases, capability::new_customer_purchases,
                        capability::simulate);
    static constexpr param_info params[] = {
        detail::purchase_rate_shape, detail::purchase_rate_scale,
        {"a", param_lower_positive, param_upper_none,
         "Beta heterogeneity of the dropout probability after a purchase"},
        {"b", param_lower_positive, param_upper_none,
         "Beta heterogeneity of the dropout probability after a purchase"}};
    static constexpr option_info options[] = {detail::cnbd_options[0], detail::cnbd_options[1]};
    static bgcnbd_fit_result fit(const rfm_data& d, const fit_options& o) {
        return fit_bgcnbd(d, o);
    }
};

/// MBG/CNBD-k in the model registry.
struct mbgcnbd_model
    : detail::cnbd_traits_hooks<mbgcnbd_params, mbgcnbd_fit_result, &fit_mbgcnbd> {
    using params_type = mbgcnbd_params;
    static constexpr const char* title = "MBG/CNBD-k";
    static constexpr const char* class_name = "ModifiedBetaGeoCNBD";
    static constexpr const char* citation = bgcnbd_model::citation;
    static constexpr const char* docs = "bgcnbd.md#mbgcnbd";
    static constexpr const char* age_name = "T";
    static constexpr data_kind data = data_kind::rfm;
    static constexpr capability_set capabilities = bgcnbd_model::capabilities;
    static constexpr param_info params[] = {
        detail::purchase_rate_shape, detail::purchase_rate_scale,
        {"a", param_lower_positive, param_upper_none,
         "Beta heterogeneity of the dropout probability (at time 0 and after each purchase)"},
        {"b", param_lower_positive, param_upper_none,
         "Beta heterogeneity of the dropout probability (at time 0 and after each purchase)"}};
    static constexpr option_info options[] = {detail::cnbd_options[0], detail::cnbd_options[1]};
    static mbgcnbd_fit_result fit(const rfm_data& d, const fit_options& o) {
        return fit_mbgcnbd(d, o);
    }
};

}  // namespace ltv
