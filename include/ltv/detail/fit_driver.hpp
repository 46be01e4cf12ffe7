// SPDX-License-Identifier: Apache-2.0
// ltv/detail/fit_driver.hpp — the one maximum-likelihood fit driver of every model.
//
// A model's fit prepares its data and hands the driver a fit_problem (its parameters' names and
// divergence bounds, its data-driven starts, the total weight W) and its log-likelihood
// ll(φ, ∂ll/∂log φ); the driver does everything else, the same way for every model:
//
//   objective   −LL(φ)/W + λ Σᵢ φᵢ²  over θ = log φ (fit_options::penalizer = λ; with
//               penalizer_convention::lifetimes −LL/D + λ Σᵢ (cᵢ φᵢ)², the model's factors cᵢ and
//               divisor D — ltv/fit_report.hpp says what each convention penalises);
//   starts      the caller's fit_options::initial (checked: count and each > 0, named), then
//               the model's starts, in order; the first that converges wins (multistart);
//   large data  with a subsample log-likelihood (≥ fit_subsample_min_rows rows): the multistart
//               runs on the subsample, then BFGS polishes on all rows from its optimum and its
//               inverse Hessian (both objectives are per-customer means, so they have one scale);
//   fixed       fit_options::fixed holds parameters at given values: the optimiser moves only
//               the others, and the fixed ones get standard error 0;
//   stopping    fit_minimize_options (iterations, gradient tolerance, time limit, cancel,
//               divergence) and require_fit_converged (an error naming the best point, unless
//               allow_no_convergence);
//   report      LL at the optimum (from the evaluation that produced it: the same bits, no
//               extra pass), objective, W, rows, penalizer, convergence; standard errors and
//               covariance from the Hessian only for a converged fit with
//               fit_options::standard_errors (a non-converged point is not an optimum, so its
//               curvature is not an information matrix).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "ltv/detail/optimize.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"

namespace ltv::detail {

/// Data of at least this many prepared rows are fitted in two phases (subsample, then all).
constexpr std::size_t fit_subsample_min_rows = 200000;
/// The subsample's target size: every k-th row, k = rows / this, each frequency group
/// reweighted to its share (bg_subsample).
constexpr std::size_t fit_subsample_rows = 50000;

/// What a model tells the driver about its fit.
struct fit_problem {
    const char* fn = "fit";                  ///< the model's fit, for messages
    std::vector<fit_parameter> bounds;       ///< names and divergence bounds, model order
    std::vector<std::vector<double>> starts; ///< the model's starts, natural scale
    double total_weight = 0;                 ///< W > 0
    std::size_t rows_used = 0;               ///< distinct rows (patterns, cohorts) in the LL
    /// penalizer_convention::lifetimes: each parameter's factor in the penalty λ (cᵢ φᵢ)² (a time
    /// scale: 1 / max T; empty: all 1) and the divisor of the log-likelihood (0: W).
    std::vector<double> lifetimes_penalty_scale;
    double lifetimes_divisor = 0;
    /// The last num_real parameters are real-valued (covariate coefficients γ,
    /// ltv/covariates.hpp): the optimiser moves them as they are, not their logarithm; their
    /// starts, initial and fixed values may be any finite number; the penalty λ Σ φ² skips them
    /// and real_penalty[j] γⱼ² (CLVTools' reg.lambdas; empty: 0) is added instead; their
    /// standard errors and covariance are on their own scale (no delta method).
    std::size_t num_real = 0;
    std::vector<double> real_penalty;
};

/// The fitted parameters (natural scale) and their report.
struct fit_outcome {
    std::vector<double> params;
    fit_report report;
};

/// A subsample's log-likelihood for the first phase of a large fit; `ll` as for run_fit.
template <class LL>
struct fit_subsample {
    LL ll;
    double total_weight;
};

struct no_subsample {};

namespace fit_impl {

/// The caller's initial values as a log-space start: exactly k values, each finite and > 0.
inline std::vector<double> initial_start(const fit_problem& pr, const fit_options& opt) {
    const std::size_t k = pr.bounds.size();
    if (opt.initial.size() != k) {
        std::string names;
        for (const auto& b : pr.bounds) names += std::string(names.empty() ? "" : ", ") + b.name;
        fail(status::invalid_argument, pr.fn,
             "argument 'initial' must hold " + std::to_string(k) + " values (" + names +
                 "), not " + std::to_string(opt.initial.size()));
    }
    std::vector<double> s(k);
    for (std::size_t i = 0; i < k; ++i) {
        if (i + pr.num_real >= k) {  // a real-valued coefficient: any finite number
            require_finite(pr.fn,
                           "initial[" + std::to_string(i) + "] (" + pr.bounds[i].name + ")",
                           opt.initial[i]);
            s[i] = opt.initial[i];
            continue;
        }
        require_positive(
            pr.fn, "initial[" + std::to_string(i) + "] (" + std::string(pr.bounds[i].name) + ")",
            opt.initial[i]);
        s[i] = std::log(opt.initial[i]);
    }
    return s;
}

/// fit_options::fixed checked: indices in range, each once, values > 0, not every parameter.
inline std::vector<bool> fixed_mask(const fit_problem& pr, const fit_options& opt,
                                    std::vector<double>& theta_fixed) {
    const std::size_t k = pr.bounds.size();
    std::vector<bool> fixed(k, false);
    theta_fixed.assign(k, 0);
    for (const auto& [index, value] : opt.fixed) {
        if (index >= k)
            fail(status::invalid_argument, pr.fn,
                 "a fixed parameter's index " + std::to_string(index) + " is out of range (" +
                     std::to_string(k) + " parameters)");
        const std::string name = "fixed " + std::string(pr.bounds[index].name);
        if (fixed[index]) fail(status::invalid_argument, pr.fn, name + " is given twice");
        fixed[index] = true;
        if (index + pr.num_real >= k) {  // a real-valued coefficient (fit_problem::num_real)
            require_finite(pr.fn, name, value);
            theta_fixed[index] = value;
            continue;
        }
        require_positive(pr.fn, name, value);
        theta_fixed[index] = std::log(value);
    }
    if (std::count(fixed.begin(), fixed.end(), true) == static_cast<std::ptrdiff_t>(k))
        fail(status::invalid_argument, pr.fn, "every parameter is fixed: nothing to fit");
    return fixed;
}

/// run_fit with the log-likelihoods type-erased (detail/optimize.hpp, "Compile time"): the
/// driver is compiled once per translation unit. sub_ll: the subsample's log-likelihood (its
/// total weight sub_weight), or null.
inline fit_outcome run_fit_erased(const fit_problem& pr, const fit_options& opt, objective_ref ll,
                                  const objective_ref* sub_ll, double sub_weight) {
    const std::size_t k = pr.bounds.size();
    require_nonnegative(pr.fn, "penalizer", opt.penalizer);
    if (!(pr.total_weight > 0))
        fail(status::invalid_argument, pr.fn, "the data have no rows with positive weight");
    const double lambda = opt.penalizer;
    // The penalty's factors and the log-likelihood's divisor (fit_options::convention).
    const bool lifetimes = opt.convention == penalizer_convention::lifetimes;
    std::vector<double> scale(k, 1.0);
    if (lifetimes && !pr.lifetimes_penalty_scale.empty()) scale = pr.lifetimes_penalty_scale;
    const double divisor =
        lifetimes && pr.lifetimes_divisor > 0 ? pr.lifetimes_divisor : pr.total_weight;
    std::vector<double> theta_fixed;
    const std::vector<bool> fixed = fit_impl::fixed_mask(pr, opt, theta_fixed);
    std::vector<std::size_t> free;  // indices the optimiser moves
    for (std::size_t i = 0; i < k; ++i)
        if (!fixed[i]) free.push_back(i);
    const std::size_t m = free.size();

    // The last few log-likelihoods by point: the report's LL at the optimum is taken from the
    // evaluation that produced it (the same arithmetic, so the same bits) instead of another
    // full pass over the data.
    struct cached_ll {
        std::vector<double> theta;
        double ll = 0;
    };
    std::vector<cached_ll> cache(8);
    std::size_t cache_next = 0;
    std::vector<double> phi(k), theta(k), g(k);
    const std::size_t k_pos = k - std::min(pr.num_real, k);  // positive parameters: θ = log φ
    std::vector<double> real_lambda(k - k_pos, 0.0);
    for (std::size_t j = 0; j < real_lambda.size() && j < pr.real_penalty.size(); ++j) {
        require_nonnegative(pr.fn, "covariate penalty", pr.real_penalty[j]);
        real_lambda[j] = pr.real_penalty[j];
    }
    auto expand = [&](const double* z) {  // free coordinates → full θ and φ
        for (std::size_t i = 0; i < k; ++i) theta[i] = theta_fixed[i];
        for (std::size_t j = 0; j < m; ++j) theta[free[j]] = z[j];
        for (std::size_t i = 0; i < k; ++i) phi[i] = i < k_pos ? std::exp(theta[i]) : theta[i];
    };
    // (the subsample's divisor is its own total weight, scaled as the full data's)
    auto make_objective = [&](auto& loglik, double W, bool remember) {
        return [&, W, remember](const double* z, double* grad) {
            expand(z);
            const double value_ll = loglik(phi.data(), g.data());
            if (remember) {
                cached_ll& c = cache[cache_next++ % cache.size()];
                c.theta.assign(z, z + m);
                c.ll = value_ll;
            }
            double value = -value_ll / W;
            for (std::size_t i = 0; i < k_pos; ++i) value += lambda * (scale[i] * phi[i]) * (scale[i] * phi[i]);
            for (std::size_t i = k_pos; i < k; ++i)
                value += real_lambda[i - k_pos] * phi[i] * phi[i];
            for (std::size_t j = 0; j < m; ++j) {
                const std::size_t i = free[j];
                grad[j] = i < k_pos ? -g[i] / W + 2 * lambda * (scale[i] * phi[i]) * (scale[i] * phi[i])
                                    : -g[i] / W + 2 * real_lambda[i - k_pos] * phi[i];
            }
            return value;
        };
    };
    auto objective = make_objective(ll, divisor, true);

    // Starts (free coordinates): the caller's, then the model's.
    auto reduce = [&](const std::vector<double>& t) {
        std::vector<double> z(m);
        for (std::size_t j = 0; j < m; ++j) z[j] = t[free[j]];
        return z;
    };
    std::vector<std::vector<double>> starts;
    if (!opt.initial.empty()) starts.push_back(reduce(fit_impl::initial_start(pr, opt)));
    for (const auto& s : pr.starts) {
        std::vector<double> t(k);
        for (std::size_t i = 0; i < k; ++i) t[i] = i < k_pos ? std::log(s[i]) : s[i];
        starts.push_back(reduce(t));
    }
    std::vector<fit_parameter> bounds;
    for (std::size_t i : free) bounds.push_back(pr.bounds[i]);
    minimize_options mo = fit_minimize_options(pr.fn, opt, bounds);
    // The objective is a sum over rows_used rows: its rounding grows as ε√n (the line search
    // stops narrowing below it; at a few rows it is below one ulp and changes nothing).
    mo.value_rounding = std::numeric_limits<double>::epsilon() *
                        std::sqrt(static_cast<double>(std::max<std::size_t>(pr.rows_used, 1)));

    minimize_result res;
    bool done = false;
    int evaluations = 0, iterations = 0;
    if (sub_ll) {
        // Phase 1: the multistart on the subsample, keeping the inverse Hessian of the run it
        // selects; phase 2: polish on all rows from there.
        auto sub_objective =
            make_objective(*sub_ll, sub_weight * divisor / pr.total_weight, false);
        minimize_result best;
        Eigen::MatrixXd H_best;
        for (const auto& z0 : starts) {
            Eigen::MatrixXd H = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(m),
                                                          static_cast<Eigen::Index>(m));
            minimize_result r = minimize_with(sub_objective, z0, mo, H, true);
            evaluations += r.info.function_evaluations;
            iterations += r.info.iterations;
            if (r.info.converged) {
                best = std::move(r);
                H_best = H;
                break;
            }
            if (stop_requested(r.info)) {  // time limit or cancel: no further phase
                res = std::move(r);
                done = true;
                break;
            }
        }
        if (best.info.converged) {
            res = minimize_warm(objective, best.x, mo, H_best);
            evaluations += res.info.function_evaluations;
            iterations += res.info.iterations;
            done = res.info.converged || stop_requested(res.info);
        }
    }
    if (!done) {  // small data, or the warm start failed: the multistart on all rows
        res = minimize_multistart(objective, starts, mo);
        evaluations += res.info.function_evaluations;
        iterations += res.info.iterations;
    }
    res.info.function_evaluations = evaluations;
    res.info.iterations = iterations;

    fit_outcome out;
    expand(res.x.data());
    out.params = phi;
    std::vector<const char*> names;
    for (const auto& b : pr.bounds) names.push_back(b.name);
    require_fit_converged(pr.fn, res.info, opt, names, out.params);
    fit_report& report = out.report;
    report.convergence = res.info;
    report.penalizer = lambda;
    report.total_weight = pr.total_weight;
    report.rows_used = pr.rows_used;
    report.objective = res.value;
    const cached_ll* hit = nullptr;
    for (const cached_ll& c : cache)
        if (!c.theta.empty() && c.theta == res.x) hit = &c;
    report.log_likelihood = hit ? hit->ll : ll(out.params.data(), nullptr);

    const double nan = std::numeric_limits<double>::quiet_NaN();
    report.parameters.clear();
    for (std::size_t i = 0; i < k; ++i) report.parameters.push_back({pr.bounds[i].name, out.params[i], nan});
    report.covariance.assign(k * k, nan);
    report.standard_errors_available = false;
    if (opt.standard_errors && res.info.converged) {
        // The free parameters' covariance from the Hessian of the total objective in θ (delta
        // method to φ; ltv/fit_report.hpp); fixed parameters are known exactly: 0.
        fit_report free_report;
        std::vector<const char*> free_names;
        for (std::size_t i : free) free_names.push_back(pr.bounds[i].name);
        auto grad = [&](const double* z, double* gz) { objective(z, gz); };
        fill_standard_errors(free_report, grad, res.x, free_names, divisor);
        if (free_report.standard_errors_available && k_pos < k) {
            // fill_standard_errors took every coordinate as log φ (covariance × φₐφ_b): the
            // real-valued coefficients' rows and columns are divided by that φ again.
            std::vector<double> f(m, 1.0);
            for (std::size_t a = 0; a < m; ++a)
                if (free[a] >= k_pos) f[a] = 1 / std::exp(res.x[a]);
            for (std::size_t a = 0; a < m; ++a)
                for (std::size_t b = 0; b < m; ++b) free_report.covariance[a * m + b] *= f[a] * f[b];
            for (std::size_t a = 0; a < m; ++a)
                free_report.parameters[a].standard_error = std::sqrt(free_report.covariance[a * m + a]);
        }
        if (free_report.standard_errors_available) {
            report.standard_errors_available = true;
            std::fill(report.covariance.begin(), report.covariance.end(), 0.0);
            for (std::size_t a = 0; a < m; ++a) {
                report.parameters[free[a]].standard_error =
                    free_report.parameters[a].standard_error;
                for (std::size_t b = 0; b < m; ++b)
                    report.covariance[free[a] * k + free[b]] = free_report.covariance[a * m + b];
            }
            for (std::size_t i = 0; i < k; ++i)
                if (fixed[i]) report.parameters[i].standard_error = 0;
        }
    }
    return out;
}

}  // namespace fit_impl

/// Fits a model: ll(const double* φ, double* grad) returns Σ wᵢ log Lᵢ at the natural
/// parameters φ and, when grad is not null, writes ∂/∂ log φ into grad[0..k). `sub` is a
/// fit_subsample for large data or no_subsample.
template <class LL, class Sub = no_subsample>
fit_outcome run_fit(const fit_problem& pr, const fit_options& opt, LL&& ll, Sub&& sub = {}) {
    if constexpr (std::is_same_v<std::decay_t<Sub>, no_subsample>) {
        return fit_impl::run_fit_erased(pr, opt, ll, nullptr, 0);
    } else {
        const objective_ref sub_ll(sub.ll);
        return fit_impl::run_fit_erased(pr, opt, ll, &sub_ll, sub.total_weight);
    }
}

}  // namespace ltv::detail
