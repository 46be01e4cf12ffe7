// SPDX-License-Identifier: Apache-2.0
// ltv/gamma_gamma.hpp — the Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee
// 2005, "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4); Fader &
// Hardie 2013, "The Gamma-Gamma Model of Monetary Value", note).
//
// A customer's transaction values are Gamma(p, ν) (shape p, rate ν), ν ~ Gamma(q, rate γ)
// across customers. For a customer with x > 0 repeat transactions of mean value z̄ the density
// of z̄ is (FH 2013, eq. 3)
//   f(z̄ | x) = Γ(px+q)/(Γ(px)Γ(q)) · γ^q z̄^(px−1) x^(px) / (γ + x z̄)^(px+q),
// evaluated in log space. Customers with x = 0 carry no spend information and are skipped by
// the likelihood and the fit (they may be passed; report.rows_used counts the rest).
//   E[Z] = pγ/(q−1) (population mean, q > 1),
//   E[Z | x, z̄] = p(γ + x z̄)/(px + q − 1)
//              = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · z̄   (a weighted average),
// which is the population mean when x = 0. E[Z] is infinite for q ≤ 1 and E[Z | x, z̄] for
// px + q ≤ 1 (domain_error).
//
// Zero and negative mean spend (one policy for C++, C, Python and the CLI; docs/gamma-gamma.md).
// The model's transaction values are Gamma, hence positive, but real data have free orders
// (z̄ = 0: CDNOW customer 10244 bought for $15.96, then once for $0.00) and refunds.
//   monetary must be a finite number in every call; where x = 0 it is not used, and must be
//     ≥ 0 (lifetimes writes 0 there; a negative mean of no purchase means wrong columns).
//   fit, x > 0, z̄ ≤ 0: the density is 0 there (log f = −∞), so such a row cannot enter the
//     likelihood: it is excluded from the fit and counted in report.rows_excluded (and the
//     convergence message names the first), never dropped silently; fit_options::strict_spend
//     makes it an error naming the row and value instead.
//   log_likelihood / total_log_likelihood, x > 0, z̄ ≤ 0: an error naming the row (a density
//     of 0 has no finite logarithm).
//   predictions (conditional_expected_average_spend, CLV), x > 0: z̄ = 0 is a legitimate mean
//     (free orders) and the formula is defined and positive, pγ/(px + q − 1): the customer's
//     own zero pulls the estimate towards 0 with weight px/(px+q−1); z̄ < 0 is an error naming
//     the row and value (the weighted average would go negative: no spend model predicts that).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <boost/math/special_functions/digamma.hpp>

#include "ltv/array_view.hpp"
#include "ltv/detail/fit_driver.hpp"
#include "ltv/detail/optimize.hpp"
#include "ltv/detail/special.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/model_traits.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv {

struct gamma_gamma_params {
    double p = 0;      ///< shape of a transaction value
    double q = 0;      ///< shape of the rate ν
    double gamma = 0;  ///< rate (in money units) of ν
};

/// Per-customer repeat transactions: count x and mean value z̄ ("monetary value").

struct gamma_gamma_fit_result {
    gamma_gamma_params params;
    fit_report report;  ///< parameters in the order p, q, gamma
};

namespace detail {

inline void validate_gg(const char* fn, const gamma_gamma_params& g) {
    require_positive(fn, "p", g.p);
    require_positive(fn, "q", g.q);
    require_positive(fn, "gamma", g.gamma);
}

inline void require_q_above_one(const char* fn, const gamma_gamma_params& g) {
    if (!(g.q > 1))
        fail(status::domain_error, fn,
             "the mean spend is undefined for q <= 1 (q = " + format_value(g.q) +
                 "): the Gamma-Gamma mean pγ/(q−1) needs q > 1");
}

/// What a call requires of z̄ where x > 0 (see the header comment); where x = 0, z̄ ≥ 0 always.
enum class spend_rule {
    prediction,  ///< z̄ ≥ 0 (0 is a legitimate mean: free orders)
    likelihood,  ///< z̄ > 0 (the density is 0 at z̄ ≤ 0); also fit_options::strict_spend
    fit,         ///< any finite z̄: the fit excludes and counts the rows with z̄ ≤ 0
};

/// Validates lengths and values by `rule`; the error is the lowest failing row's.
inline void validate_spend(const char* fn, const spend_data& d, spend_rule rule) {
    require_array(fn, "frequency", d.frequency.data(), d.frequency.size());
    require_array(fn, "monetary", d.monetary.data(), d.monetary.size());
    require_array(fn, "weights", d.weights.data(), d.weights.size());
    const std::size_t n = d.size();
    if (d.monetary.size() != n || (!d.weights.empty() && d.weights.size() != n))
        fail(status::invalid_argument, fn,
             "arguments 'frequency', 'monetary' and 'weights' must have equal lengths (" +
                 std::to_string(n) + ", " + std::to_string(d.monetary.size()) + ", " +
                 std::to_string(d.weights.size()) + ")");
    for (std::size_t i = 0; i < n; ++i) {
        const double x = d.frequency[i], z = d.monetary[i];
        require_nonnegative(fn, arg_name{"frequency", i}, x);
        require_finite(fn, arg_name{"monetary", i}, z);
        if (x == 0 || rule == spend_rule::prediction)
            require_nonnegative(fn, arg_name{"monetary", i}, z);
        else if (rule == spend_rule::likelihood && !(z > 0))
            fail_argument(fn, arg_name{"monetary", i}, z,
                          "must be greater than 0 where frequency > 0 (the Gamma-Gamma density "
                          "of a mean spend <= 0 is 0; a fit without strict_spend excludes and "
                          "counts such rows)");
        if (!d.weights.empty()) require_nonnegative(fn, arg_name{"weights", i}, d.weights[i]);
    }
}

/// log f(z̄ | x) and, when grad is given, adds w·∂/∂(log p, log q, log γ) into grad.
/// With u = x z̄ the density's logarithm is regrouped so that no two large terms cancel:
///   ln f = −ln B(px, q) − ln z̄ − px·log1p(γ/u) − q·log1p(u/γ)
/// (from (px−1) ln z̄ + px ln x = px ln u − ln z̄), with −ln B(px, q) = [lnΓ(m + s) − lnΓ(m)]
/// − lnΓ(s) for s ≤ m the smaller and larger of px and q, the bracket by log_gamma_delta (exact
/// to a few ulp of its value, which is then ~ s·ln m, not m·ln m). The textbook form adds
/// px·ln(x z̄), −(px + q)·ln(γ + x z̄) and lnΓ(px + q) − lnΓ(px), each of size px·ln(px), to a
/// result of size ln(px): it lost 4e−5 at px ≈ 6e9 (issue 9, cause 8).
inline double gg_log_density(const gamma_gamma_params& g, double x, double z, double w,
                             double* grad) {
    const double px = g.p * x, u = x * z;
    // log1p(u/γ) = ln(γ + u) − ln γ: the difference of logs (cheaper, ln γ is loop-invariant in
    // the fit) keeps its relative accuracy while it is ≥ ln 2, i.e. for u ≥ γ
    const double l_gu = std::log1p(g.gamma / u);
    const double l_ug = u < g.gamma ? std::log1p(u / g.gamma) : std::log(g.gamma + u) -
                                                                    std::log(g.gamma);
    const double small = std::min(px, g.q), large = std::max(px, g.q);
    const double ll = log_gamma_delta(large, small) - log_gamma(small) - std::log(z) -
                      px * l_gu - g.q * l_ug;
    if (grad) {
        using boost::math::digamma;
        const double dpq = digamma(px + g.q);
        grad[0] += w * g.p * x * (dpq - digamma(px) - l_gu);
        grad[1] += w * g.q * (dpq - digamma(g.q) - l_ug);
        grad[2] += w * g.gamma * (g.q / g.gamma - (px + g.q) / (g.gamma + u));
    }
    return ll;
}

inline double gg_total(const gamma_gamma_params& g, const spend_data& d, double* grad,
                       double& total_weight, std::size_t& rows) {
    double ll = 0;
    total_weight = 0;
    rows = 0;
    if (grad) grad[0] = grad[1] = grad[2] = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
        const double w = d.weights.empty() ? 1.0 : d.weights[i];
        if (d.frequency[i] == 0 || w == 0) continue;  // no spend information
        ll += w * gg_log_density(g, d.frequency[i], d.monetary[i], w, grad);
        total_weight += w;
        ++rows;
    }
    return ll;
}

/// The rows of a fit grouped by frequency: a fit's rows have few distinct x (whole numbers of
/// repeat purchases), and the x-only part of log f — ln Γ(m + s) − ln Γ(m) − ln Γ(s) and, for
/// the gradient, ψ(px + q) − ψ(px) and ψ(px + q) − ψ(q) — is most of a row's cost. gg_total_grouped
/// evaluates it once per distinct x per likelihood evaluation (6 s → about 1 s for 1 M rows).
struct gg_x_groups {
    std::vector<double> x;           ///< the distinct frequencies
    std::vector<std::uint32_t> row;  ///< index into x of every row
    explicit gg_x_groups(array_view<double> frequency) {
        x.assign(frequency.begin(), frequency.end());
        std::sort(x.begin(), x.end());
        x.erase(std::unique(x.begin(), x.end()), x.end());
        row.resize(frequency.size());
        for (std::size_t i = 0; i < frequency.size(); ++i)
            row[i] = static_cast<std::uint32_t>(
                std::lower_bound(x.begin(), x.end(), frequency[i]) - x.begin());
    }
};

/// gg_total over rows that all have x > 0 and positive weight, with the x-only terms from one
/// evaluation per distinct x: the same operations in the same order as gg_log_density, so the
/// same value and gradient to the last bit.
inline double gg_total_grouped(const gamma_gamma_params& g, const spend_data& d,
                               const gg_x_groups& groups, double* grad) {
    const std::size_t k = groups.x.size();
    std::vector<double> a(k), d0(grad ? k : 0), d1(grad ? k : 0);
    for (std::size_t j = 0; j < k; ++j) {
        const double px = g.p * groups.x[j];
        const double small = std::min(px, g.q), large = std::max(px, g.q);
        a[j] = log_gamma_delta(large, small) - log_gamma(small);
        if (grad) {
            using boost::math::digamma;
            const double dpq = digamma(px + g.q);
            d0[j] = dpq - digamma(px);
            d1[j] = dpq - digamma(g.q);
        }
    }
    double ll = 0;
    if (grad) grad[0] = grad[1] = grad[2] = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
        const double w = d.weights.empty() ? 1.0 : d.weights[i];
        const double x = d.frequency[i], z = d.monetary[i];
        const std::uint32_t j = groups.row[i];
        const double px = g.p * x, u = x * z;
        const double l_gu = std::log1p(g.gamma / u);
        const double l_ug = u < g.gamma ? std::log1p(u / g.gamma) : std::log(g.gamma + u) -
                                                                        std::log(g.gamma);
        ll += w * (a[j] - std::log(z) - px * l_gu - g.q * l_ug);
        if (grad) {
            grad[0] += w * g.p * x * (d0[j] - l_gu);
            grad[1] += w * g.q * (d1[j] - l_ug);
            grad[2] += w * g.gamma * (g.q / g.gamma - (px + g.q) / (g.gamma + u));
        }
    }
    return ll;
}

/// p(γ + x z̄)/(px + (q − 1)): q − 1 first, exact for q ∈ [½, 2] (near the singularity q = 1).
inline double gg_conditional(const gamma_gamma_params& g, double x, double z) {
    return g.p * (g.gamma + x * z) / (g.p * x + (g.q - 1));
}

/// gg_conditional where it is defined: the posterior of ν is Gamma(px + q, γ + x z̄), whose
/// E[1/ν] is finite only for px + q > 1 (for x = 0: q > 1, the population mean). A q ≤ 1 model
/// (infinite population mean) still gives every customer with px + q > 1 a finite value.
/// Fails with domain_error naming the customer (batches add the row: detail::at_row).
inline double gg_conditional_checked(const char* fn, const gamma_gamma_params& g, double x,
                                     double z) {
    if (!(g.p * x + (g.q - 1) > 0))
        fail(status::domain_error, fn,
             "the expected spend is infinite where p*x + q <= 1 (p = " + format_value(g.p) +
                 ", q = " + format_value(g.q) + ", frequency = " + format_value(x) + ")");
    const double v = gg_conditional(g, x, z);
    if (!std::isfinite(v))
        fail(status::domain_error, fn,
             "the expected spend " + format_value(v) +
                 " is not a finite number (frequency = " + format_value(x) +
                 ", monetary = " + format_value(z) + ")");
    return v;
}

}  // namespace detail

/// log f(z̄ | x) for one customer with x > 0 repeat transactions of mean value z̄ > 0.
inline double log_likelihood(const gamma_gamma_params& params, double x, double monetary) {
    constexpr const char* fn = "gamma_gamma_log_likelihood";
    detail::validate_gg(fn, params);
    detail::require_positive(fn, "frequency", x);
    detail::require_positive(fn, "monetary", monetary);
    return detail::require_finite_result(fn, "log-likelihood",
                                         detail::gg_log_density(params, x, monetary, 1, nullptr));
}

/// Σ wᵢ log f over rows with x > 0; gradient (optional) w.r.t. (log p, log q, log γ).
inline double total_log_likelihood(const gamma_gamma_params& params, const spend_data& data,
                                   double* gradient = nullptr) {
    constexpr const char* fn = "gamma_gamma_total_log_likelihood";
    detail::validate_gg(fn, params);
    detail::validate_spend(fn, data, detail::spend_rule::likelihood);
    double W;
    std::size_t rows;
    return detail::gg_total(params, data, gradient, W, rows);
}

/// Population mean spend per transaction pγ/(q−1); domain_error for q ≤ 1.
inline double expected_average_spend(const gamma_gamma_params& params) {
    constexpr const char* fn = "gamma_gamma_expected_average_spend";
    detail::validate_gg(fn, params);
    detail::require_q_above_one(fn, params);
    return params.p * params.gamma / (params.q - 1);
}

/// E[Z | x, z̄] = p(γ + x z̄)/(px + q − 1); the population mean when x = 0. domain_error
/// where px + q ≤ 1 (the posterior mean of 1/ν is infinite) or the result overflows.
inline double conditional_expected_average_spend(const gamma_gamma_params& params, double x,
                                                 double monetary) {
    constexpr const char* fn = "gamma_gamma_conditional_expected_average_spend";
    detail::validate_gg(fn, params);
    detail::require_nonnegative(fn, "frequency", x);
    detail::require_nonnegative(fn, "monetary", monetary);
    return detail::gg_conditional_checked(fn, params, x, monetary);
}

inline void conditional_expected_average_spend(const gamma_gamma_params& params,
                                               const spend_data& data, double* out) {
    constexpr const char* fn = "gamma_gamma_conditional_expected_average_spend";
    detail::validate_gg(fn, params);
    detail::validate_spend(fn, data, detail::spend_rule::prediction);
    detail::require_array(fn, "out", out, data.size());
    // Every row is checked before out is written (outputs are written only on success).
    for (std::size_t i = 0; i < data.size(); ++i)
        detail::at_row(i, [&] {
            detail::gg_conditional_checked(fn, params, data.frequency[i], data.monetary[i]);
        });
    for (std::size_t i = 0; i < data.size(); ++i)
        out[i] = detail::gg_conditional(params, data.frequency[i], data.monetary[i]);
}

/// Maximum-likelihood fit on the rows with x > 0 (see fit_options); throws no_convergence.
/// Rows with x > 0 and monetary ≤ 0 are excluded and counted in report.rows_excluded (the
/// convergence message names the first), or with options.strict_spend an error naming the row
/// (see the header comment).
inline gamma_gamma_fit_result fit_gamma_gamma(const spend_data& data,
                                              const fit_options& opt = {}) {
    constexpr const char* fn = "gamma_gamma_fit";
    detail::validate_spend(fn, data,
                           opt.strict_spend ? detail::spend_rule::likelihood
                                            : detail::spend_rule::fit);
    // The rows that enter the likelihood (x > 0, z̄ > 0, positive weight), copied once; the rows
    // of positive weight with x > 0 and z̄ ≤ 0 are counted (strict_spend has rejected them).
    const bool weighted = !data.weights.empty();
    std::vector<double> used_x, used_z, used_w;
    std::size_t excluded = 0, first_excluded = 0;
    double W = 0, zsum = 0;  // Σ w and Σ w z̄ over the used rows
    for (std::size_t i = 0; i < data.size(); ++i) {
        const double x = data.frequency[i], z = data.monetary[i];
        const double w = weighted ? data.weights[i] : 1.0;
        if (x == 0 || w == 0) continue;  // no spend information (as gg_total)
        if (!(z > 0)) {
            if (excluded++ == 0) first_excluded = i;
            continue;
        }
        used_x.push_back(x);
        used_z.push_back(z);
        if (weighted) used_w.push_back(w);
        W += w;
        zsum += w * z;
    }
    // "k rows with frequency > 0 and monetary <= 0 were excluded (the first: row i, monetary = v)"
    std::string excluded_note;
    if (excluded > 0)
        excluded_note = std::to_string(excluded) +
                        (excluded == 1 ? " row" : " rows") +
                        " with frequency > 0 and monetary <= 0 excluded from the fit (the first: "
                        "row " + std::to_string(first_excluded) + ", monetary = " +
                        detail::format_value(data.monetary[first_excluded]) + ")";
    const spend_data used{used_x, used_z, used_w};
    if (!(W > 0))
        detail::fail(status::invalid_argument, fn,
                     "no row has frequency > 0, monetary > 0 and positive weight: nothing to fit" +
                         (excluded_note.empty() ? std::string() : " (" + excluded_note + ")"));
    const double zmean = zsum / W;
    detail::fit_problem pr;
    pr.fn = fn;
    // (γ is a money scale: its divergence bound is relative to the mean spend)
    pr.bounds = {{"p"}, {"q"}, detail::scale_parameter("gamma", zmean)};
    // Data-driven: p = 1, q = 2 and γ so that the population mean pγ/(q−1) equals mean z̄;
    // then lifetimes' all-ones start.
    pr.starts = {{1, 2, zmean}, {1, 1, 1}};  // (zmean > 0: every used z̄ is)
    pr.total_weight = W;
    pr.rows_used = used.size();
    const detail::gg_x_groups groups(used.frequency);
    auto fit = detail::run_fit(pr, opt, [&used, &groups](const double* phi, double* grad) {
        return detail::gg_total_grouped({phi[0], phi[1], phi[2]}, used, groups, grad);
    });
    gamma_gamma_fit_result out;
    out.params = {fit.params[0], fit.params[1], fit.params[2]};
    out.report = std::move(fit.report);
    out.report.rows_excluded = excluded;
    if (excluded > 0) out.report.convergence.message += "; " + excluded_note;
    return out;
}

/// Gamma-Gamma in the model registry (ltv/registry.hpp; ltv/model_traits.hpp describes the fields).
struct gamma_gamma_model {
    using params_type = gamma_gamma_params;
    static constexpr const char* title = "Gamma-Gamma";
    static constexpr const char* class_name = "GammaGamma";
    static constexpr const char* citation =
        "Fader, Hardie & Lee (2005), RFM and CLV: Using Iso-Value Curves for Customer Base "
        "Analysis, Journal of Marketing Research 42(4); Fader & Hardie (2013), The Gamma-Gamma "
        "Model of Monetary Value";
    static constexpr const char* docs = "gamma-gamma.md";  ///< its page in docs/
    static constexpr const char* age_name = "T";
    static constexpr data_kind data = data_kind::spend;
    static constexpr capability_set capabilities =
        capabilities_of(capability::fit_spend, capability::spend);
    static constexpr param_info params[] = {
        {"p", param_lower_positive, param_upper_none,
         "shape of the Gamma distribution of transaction values"},
        {"q", param_lower_positive, param_upper_none,
         "shape of the Gamma heterogeneity of the scale"},
        {"gamma", param_lower_positive, param_upper_none,
         "scale of the Gamma heterogeneity of the scale, in money"}};
    static gamma_gamma_fit_result fit(const spend_data& d, const fit_options& o) {
        return fit_gamma_gamma(d, o);
    }
    /// Static covariates (ltv/covariates.hpp; CLVTools has none for Gamma-Gamma, so ltv's own
    /// choice, the same construction on the money scale): γᵢ = γ·exp(δ'zᵢ), which multiplies
    /// customer i's expected spend p γᵢ/(q − 1) by exp(δ'zᵢ).
    static constexpr covariate_link covariate_links[] = {{"gamma", +1, "gamma"}};
    /// The rows a fit uses (x > 0, z̄ > 0; the others are excluded as in fit_gamma_gamma).
    struct covariate_rows {
        std::vector<double> x, m, w;
    };
    static covariate_rows covariate_prepare(const spend_data& d) {
        covariate_rows r;
        for (std::size_t i = 0; i < d.size(); ++i)
            if (d.frequency[i] > 0 && d.monetary[i] > 0) {
                r.x.push_back(d.frequency[i]);
                r.m.push_back(d.monetary[i]);
                r.w.push_back(d.weights.empty() ? 1.0 : d.weights[i]);
            }
        return r;
    }
    static double covariate_total(const gamma_gamma_params& p, const covariate_rows& r,
                                  double* grad) {
        detail::validate_gg("gamma_gamma_fit", p);
        const spend_data d{{r.x.data(), r.x.size()}, {r.m.data(), r.m.size()},
                           {r.w.data(), r.w.size()}};
        double W;
        std::size_t rows;
        return detail::gg_total(p, d, grad, W, rows);
    }
};

}  // namespace ltv
