// SPDX-License-Identifier: Apache-2.0
// ltv/sbg.hpp — the shifted-beta-geometric (sBG) model of contractual retention.
//
// Fader & Hardie (2007), "How to project customer retention", Journal of Interactive Marketing
// 21(1); Fader & Hardie (2010), "Customer-base valuation in a contractual setting: the perils of
// ignoring heterogeneity", Marketing Science 29(1).
//
// Each customer renews at the end of every period with a constant probability 1 − θ; θ varies
// across customers as Beta(α, β). For a customer acquired at t = 0, with T the period of churn:
//   P(T = t) = B(α + 1, β + t − 1) / B(α, β)                               t = 1, 2, …
//   S(t)     = B(α, β + t) / B(α, β) = Πⱼ₌₁..t rⱼ                          (survival)
//   rₜ       = S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1)             (retention rate)
// A cohort observed as n₀ ≥ n₁ ≥ … ≥ n_T customers active at the start of periods 0..T has
//   LL(α, β) = Σₜ₌₁..T (nₜ₋₁ − nₜ) ln P(T = t) + n_T ln S(T),
// and several cohorts (of any lengths) add their log-likelihoods.
//
// Valuation with a discount rate d per period (payments at the start of each period):
//   DEL(d)                       = Σₜ₌₀..∞ S(t) / (1 + d)ᵗ = ₂F₁(1, β; α + β; 1/(1 + d))
//   DERL(d | n − 1 renewals)     = Σₜ₌ₙ..∞ S(t)/S(n − 1) / (1 + d)ᵗ⁻ⁿ
//                                = (β + n − 1)/(α + β + n − 1) · ₂F₁(1, β + n; α + β + n; 1/(1+d))
// DEL counts the payment at t = 0; DERL values a customer who has renewed n − 1 times from just
// before the next renewal decision (the payment already made is not counted).
// Both ₂F₁ are evaluated as (1 + d) · E[1/(d + θ)] with θ ~ Beta(α, β), resp. Beta(α, β + n)
// (detail::beta_stieltjes, ltv/detail/special.hpp): a positive continued fraction, or near
// d = 0 a pole-free connection formula. The general ₂F₁ (ltv/hyp2f1.hpp) lost every digit there
// for large β (α = 1, β = 1000, d = 0.1 gave DEL = −1.55e35 instead of 10.89: defect D3).
//
// Every likelihood term is computed from the ratios rⱼ by recurrence (ln S(t) = −Σ
// log1p(α/(β+j−1))) instead of log-Beta differences: the periods are few, the recurrence is exact
// to rounding, and it keeps its digits when α or β is large, where lgamma differences cancel.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "ltv/array_view.hpp"
#include "ltv/detail/fit_driver.hpp"
#include "ltv/detail/optimize.hpp"
#include "ltv/detail/special.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/model_traits.hpp"

namespace ltv {

/// sBG parameters: θ ~ Beta(alpha, beta), both > 0.
struct sbg_params {
    double alpha = 1;
    double beta = 1;
};

/// The result of fit_sbg(): parameters and the fit report (LL, SEs, covariance, convergence).
struct sbg_fit {
    sbg_params params;
    fit_report report;
};

namespace detail {

inline void validate_sbg_params(const char* fn, const sbg_params& p) {
    require_positive(fn, "alpha", p.alpha);
    require_positive(fn, "beta", p.beta);
}

/// A period index given as a double must be a whole number ≥ 0 (the model is discrete-time).
inline std::size_t sbg_period(const char* fn, const arg_name& name, double t) {
    require_nonnegative(fn, name, t);
    if (t != std::floor(t)) fail_argument(fn, name, t, "must be a whole number of periods");
    if (t > 1e9) fail_argument(fn, name, t, "is too large (at most 1e9 periods)");
    return static_cast<std::size_t>(t);
}

/// Survivor counts of one cohort: at least two, finite, first > 0, non-increasing.
inline void validate_survivors(const char* fn, array_view<double> s, const std::string& cohort) {
    require_array(fn, "survivors", s.data(), s.size());
    const std::string prefix = cohort.empty() ? "" : cohort + ": ";
    if (s.size() < 2)
        fail(status::invalid_argument, fn,
             prefix + "'survivors' has " + std::to_string(s.size()) +
                 " counts; give the customers active at the start of at least two periods "
                 "(the first is the cohort size)");
    for (std::size_t t = 0; t < s.size(); ++t) {
        const arg_name name{"survivors", t};
        if (!std::isfinite(s[t]) || s[t] < 0)
            fail(status::invalid_argument, fn,
                 prefix + "argument '" + name.str() + "' = " + format_value(s[t]) +
                     " must be a finite count ≥ 0");
        if (t == 0 && !(s[0] > 0))
            fail(status::invalid_argument, fn,
                 prefix + "argument 'survivors[0]' = " + format_value(s[0]) +
                     " must be greater than 0 (it is the cohort size)");
        if (t > 0 && s[t] > s[t - 1])
            fail(status::invalid_argument, fn,
                 prefix + "argument '" + name.str() + "' = " + format_value(s[t]) +
                     " exceeds the previous count " + format_value(s[t - 1]) +
                     " (survivor counts must not increase)");
    }
}

/// LL of one cohort and its gradient w.r.t. (α, β); grad may be null.
inline double sbg_cohort_log_likelihood(const sbg_params& p, array_view<double> s, double* grad) {
    const double a = p.alpha, b = p.beta;
    double log_s = 0;             // ln S(t − 1)
    double ds_da = 0, ds_db = 0;  // its derivatives
    double ll = 0, ga = 0, gb = 0;
    for (std::size_t t = 1; t < s.size(); ++t) {
        const double k = a + b + static_cast<double>(t) - 1;  // α + β + t − 1
        const double churned = s[t - 1] - s[t];
        if (churned > 0) {
            // ln P(T = t) = ln S(t − 1) + ln(1 − rₜ),  1 − rₜ = α / (α + β + t − 1)
            ll += churned * (log_s + std::log(a) - std::log(k));
            ga += churned * (ds_da + 1 / a - 1 / k);
            gb += churned * (ds_db - 1 / k);
        }
        // ln S(t) = ln S(t − 1) + ln rₜ,  ln rₜ = −log1p(α / (β + t − 1))
        const double bt = b + static_cast<double>(t) - 1;
        log_s -= std::log1p(a / bt);
        ds_da -= 1 / k;
        ds_db += 1 / bt - 1 / k;
    }
    const double last = s[s.size() - 1];
    if (last > 0) {
        ll += last * log_s;
        ga += last * ds_da;
        gb += last * ds_db;
    }
    if (grad) {
        grad[0] = ga;
        grad[1] = gb;
    }
    return ll;
}

/// r = (β + k)/(α + β + k), k = t − 1 whole: the renewal probability at t (and the factor of
/// S(t)), formed as β + k so that a tiny β keeps its digits (β + t − 1 lost them at t = 1).
inline double sbg_renewal(const sbg_params& p, double k) {
    const double bk = p.beta + k;
    return bk / (p.alpha + bk);
}

}  // namespace detail

/// S(t) = P(still a customer after t renewal decisions), t = 0, 1, 2, … (S(0) = 1).
inline double sbg_survival(const sbg_params& p, double t) {
    constexpr const char* fn = "sbg_survival";
    detail::validate_sbg_params(fn, p);
    const std::size_t n = detail::sbg_period(fn, "t", t);
    // Few periods: the exact product (β + (j − 1): exact for a tiny β).
    if (n <= 1000) {
        double log_s = 0;
        for (std::size_t j = 1; j <= n; ++j)
            log_s -= std::log1p(p.alpha / (p.beta + static_cast<double>(j - 1)));
        return std::exp(log_s);
    }
    // Many: the Beta-function ratio in logs, ln S(t) = [lnΓ(α+β) − lnΓ(β)] − [lnΓ(α+β+t) −
    // lnΓ(β+t)], each bracket by log_gamma_delta. The four log-gammas as such are ~t ln t and
    // their difference kept only eps·t ln t: 3e−6 relative error at t = 1e9 (issue 9, cause 7).
    return std::exp(detail::log_gamma_delta(p.beta, p.alpha) -
                    detail::log_gamma_delta(p.beta + t, p.alpha));
}

/// rₜ = (β + t − 1) / (α + β + t − 1): the share of customers active in period t − 1 who renew
/// at t, t = 1, 2, …
inline double sbg_retention_rate(const sbg_params& p, double t) {
    constexpr const char* fn = "sbg_retention_rate";
    detail::validate_sbg_params(fn, p);
    const std::size_t n = detail::sbg_period(fn, "t", t);
    if (n == 0) detail::fail_argument(fn, "t", t, "must be at least 1 (the first renewal)");
    return detail::sbg_renewal(p, t - 1);
}

/// P(T = t) = S(t − 1) − S(t), t = 1, 2, …: the share of a cohort that churns at renewal t.
inline double sbg_churn_probability(const sbg_params& p, double t) {
    constexpr const char* fn = "sbg_churn_probability";
    detail::validate_sbg_params(fn, p);
    const std::size_t n = detail::sbg_period(fn, "t", t);
    if (n == 0) detail::fail_argument(fn, "t", t, "must be at least 1 (the first renewal)");
    return sbg_survival(p, t - 1) * p.alpha / (p.alpha + (p.beta + (t - 1)));
}

/// Log-likelihood of one cohort's survivor counts n₀ ≥ n₁ ≥ … (customers active at the start
/// of each period; n₀ the cohort size).
inline double sbg_log_likelihood(const sbg_params& p, array_view<double> survivors) {
    constexpr const char* fn = "sbg_log_likelihood";
    detail::validate_sbg_params(fn, p);
    detail::validate_survivors(fn, survivors, "");
    return detail::sbg_cohort_log_likelihood(p, survivors, nullptr);
}

/// Log-likelihood of several cohorts (each its own survivor curve, any lengths).
inline double sbg_log_likelihood(const sbg_params& p,
                                 const std::vector<array_view<double>>& cohorts) {
    constexpr const char* fn = "sbg_log_likelihood";
    detail::validate_sbg_params(fn, p);
    double ll = 0;
    for (std::size_t c = 0; c < cohorts.size(); ++c) {
        detail::validate_survivors(fn, cohorts[c], "cohort " + std::to_string(c));
        ll += detail::sbg_cohort_log_likelihood(p, cohorts[c], nullptr);
    }
    return ll;
}

/// Maximum-likelihood fit of (α, β) to one or more cohorts' survivor curves. The objective is
/// −LL/W + penalizer · (α² + β²) with W the total cohort size, minimised over log-parameters;
/// standard errors from the Hessian (ltv/fit_report.hpp). Throws status::no_convergence when the
/// optimiser fails (unless options.allow_no_convergence).
inline sbg_fit fit_sbg(const std::vector<array_view<double>>& cohorts,
                       const fit_options& options = {}) {
    constexpr const char* fn = "fit_sbg";
    if (cohorts.empty())
        detail::fail(status::invalid_argument, fn, "no cohorts given: nothing to fit");
    double weight = 0;
    for (std::size_t c = 0; c < cohorts.size(); ++c) {
        detail::validate_survivors(fn, cohorts[c],
                                   cohorts.size() > 1 ? "cohort " + std::to_string(c) : "");
        weight += cohorts[c][0];
    }
    detail::fit_problem pr;
    pr.fn = fn;
    pr.bounds = {{"alpha"}, {"beta"}};
    // The uniform mixing distribution, then a low- and a high-churn guess.
    pr.starts = {{1, 1}, {0.5, 3}, {3, 0.5}};
    pr.total_weight = weight;
    pr.rows_used = cohorts.size();
    auto fit = detail::run_fit(pr, options, [&cohorts](const double* phi, double* grad) {
        const sbg_params p{phi[0], phi[1]};
        double ll = 0, g[2] = {0, 0};
        for (const auto& cohort : cohorts) {
            double gc[2];
            ll += detail::sbg_cohort_log_likelihood(p, cohort, gc);
            g[0] += gc[0];
            g[1] += gc[1];
        }
        if (grad != nullptr) {  // d/dθ = φ d/dφ for φ = exp(θ)
            grad[0] = g[0] * p.alpha;
            grad[1] = g[1] * p.beta;
        }
        return ll;
    });
    sbg_fit out;
    out.params = {fit.params[0], fit.params[1]};
    out.report = std::move(fit.report);
    return out;
}

/// One cohort.
inline sbg_fit fit_sbg(array_view<double> survivors, const fit_options& options = {}) {
    return fit_sbg(std::vector<array_view<double>>{survivors}, options);
}

/// Expected survivors of a cohort of `initial` customers at the start of periods 0..periods.
inline std::vector<double> sbg_project_survivors(const sbg_params& p, double initial,
                                                 std::size_t periods) {
    constexpr const char* fn = "sbg_project_survivors";
    detail::validate_sbg_params(fn, p);
    detail::require_nonnegative(fn, "initial", initial);
    std::vector<double> out(periods + 1);
    double s = 1;
    out[0] = initial;
    for (std::size_t t = 1; t <= periods; ++t) {
        s *= detail::sbg_renewal(p, static_cast<double>(t - 1));
        out[t] = initial * s;
    }
    return out;
}

/// DERL(d | renewals) = Σₜ₌ₙ..∞ S(t)/S(n − 1) / (1 + d)ᵗ⁻ⁿ with n = renewals + 1: the discounted
/// expected number of future payments of a customer who has renewed `renewals` times.
inline double sbg_discounted_expected_residual_lifetime(const sbg_params& p, double discount_rate,
                                                        double renewals) {
    constexpr const char* fn = "sbg_discounted_expected_residual_lifetime";
    detail::validate_sbg_params(fn, p);
    detail::require_nonnegative(fn, "discount_rate", discount_rate);
    const std::size_t k = detail::sbg_period(fn, "renewals", renewals);
    const double n = static_cast<double>(k) + 1;
    // d = 0 puts ₂F₁ at z = 1, where it converges only for α > 1: Gauss's sum gives the
    // undiscounted expected residual lifetime (β + n − 1)/(α − 1).
    if (discount_rate == 0) {
        if (!(p.alpha > 1))
            detail::fail(status::domain_error, fn,
                         "without discounting the expected residual lifetime is infinite for "
                         "alpha = " +
                             detail::format_value(p.alpha) + " ≤ 1; give a discount rate > 0");
        return (p.beta + (n - 1)) / (p.alpha - 1);
    }
    // ₂F₁(1, β + n; α + β + n; 1/(1 + d)) = (1 + d) E[1/(d + θ)], θ ~ Beta(α, β + n)
    const double r = detail::sbg_renewal(p, n - 1);
    return detail::require_finite_result(
        fn, "DERL",
        r * (1 + discount_rate) * detail::beta_stieltjes(p.alpha, p.beta + n, discount_rate));
}

/// DEL(d) = Σₜ₌₀..∞ S(t)/(1 + d)ᵗ = ₂F₁(1, β; α + β; 1/(1 + d)): the discounted expected
/// lifetime (number of payments) of a newly acquired customer, the payment at t = 0 included.
inline double sbg_discounted_expected_lifetime(const sbg_params& p, double discount_rate) {
    constexpr const char* fn = "sbg_discounted_expected_lifetime";
    detail::validate_sbg_params(fn, p);
    detail::require_nonnegative(fn, "discount_rate", discount_rate);
    if (discount_rate == 0) {  // Gauss's sum at z = 1, finite only for α > 1 (see above)
        if (!(p.alpha > 1))
            detail::fail(status::domain_error, fn,
                         "without discounting the expected lifetime is infinite for alpha = " +
                             detail::format_value(p.alpha) + " ≤ 1; give a discount rate > 0");
        return ((p.alpha - 1) + p.beta) / (p.alpha - 1);  // (α − 1 exact near the pole α = 1)
    }
    // ₂F₁(1, β; α + β; 1/(1 + d)) = (1 + d) E[1/(d + θ)], θ ~ Beta(α, β)
    return detail::require_finite_result(
        fn, "DEL", (1 + discount_rate) * detail::beta_stieltjes(p.alpha, p.beta, discount_rate));
}

/// Residual value of a customer base of mixed tenures: margin × Σₖ active[k] · DERL(d | k), where
/// active[k] is the number of customers who have renewed k times so far (k = 0: in their first
/// period) and margin the payment per period.
inline double sbg_customer_base_value(const sbg_params& p, array_view<double> active_by_renewals,
                                      double margin, double discount_rate) {
    constexpr const char* fn = "sbg_customer_base_value";
    detail::validate_sbg_params(fn, p);
    detail::require_array(fn, "active_by_renewals", active_by_renewals.data(),
                          active_by_renewals.size());
    detail::require_finite(fn, "margin", margin);
    double total = 0;
    for (std::size_t k = 0; k < active_by_renewals.size(); ++k) {
        detail::require_nonnegative(fn, {"active_by_renewals", k}, active_by_renewals[k]);
        if (active_by_renewals[k] > 0)
            total += active_by_renewals[k] * sbg_discounted_expected_residual_lifetime(
                                                 p, discount_rate, static_cast<double>(k));
    }
    return margin * total;
}

/// sBG in the model registry (ltv/registry.hpp; ltv/model_traits.hpp describes the fields).
struct sbg_model {
    using params_type = sbg_params;
    static constexpr const char* title = "sBG";
    static constexpr const char* class_name = "ShiftedBetaGeo";
    static constexpr const char* citation =
        "Fader & Hardie (2007), How to Project Customer Retention, Journal of Interactive "
        "Marketing 21(1); Fader & Hardie (2010), Customer-Base Valuation in a Contractual Setting, "
        "Marketing Science 29(1)";
    static constexpr const char* docs = "sbg.md";  ///< its page in docs/
    static constexpr const char* age_name = "T";
    static constexpr data_kind data = data_kind::survivors;
    static constexpr capability_set capabilities =
        capabilities_of(capability::fit_survivors, capability::survival);
    static constexpr param_info params[] = {{"alpha", param_lower_positive, param_upper_none,
                                             "Beta heterogeneity of the churn probability"},
                                            {"beta", param_lower_positive, param_upper_none,
                                             "Beta heterogeneity of the churn probability"}};
    static sbg_fit fit(const std::vector<array_view<double>>& cohorts, const fit_options& o) {
        return fit_sbg(cohorts, o);
    }
    static double log_likelihood(const sbg_params& p, const std::vector<array_view<double>>& c) {
        return sbg_log_likelihood(p, c);
    }
    static double survival(const sbg_params& p, double t) { return sbg_survival(p, t); }
    static double retention_rate(const sbg_params& p, double t) { return sbg_retention_rate(p, t); }
    static double discounted_expected_lifetime(const sbg_params& p, double d) {
        return sbg_discounted_expected_lifetime(p, d);
    }
    static double discounted_expected_residual_lifetime(const sbg_params& p, double d,
                                                        double renewals) {
        return sbg_discounted_expected_residual_lifetime(p, d, renewals);
    }
};

}  // namespace ltv
