// SPDX-License-Identifier: Apache-2.0
// ltv/fit_report.hpp — what every maximum-likelihood fit in ltv reports back.
//
// Shared by all probabilistic models (BG/NBD, MBG/NBD, Gamma-Gamma; later Pareto/NBD, BG/BB,
// sBG): the optimiser's convergence record, the log-likelihood at the optimum, and each
// parameter with its standard error and the covariance matrix.
//
// Standard errors: every model is fitted over log-parameters θ = log(φ) so that all stay
// positive. The covariance of φ is obtained from the inverse of the numeric Hessian of the
// (total, weighted) objective in θ by the delta method, Cov(φ) = diag(φ) · H_θ⁻¹ · diag(φ).
// Without a penalizer, H_θ = diag(φ) · H_φ · diag(φ) at a stationary point, so this equals the
// inverse observed information in the natural parameters (the usual MLE standard errors).
// With a penalizer, H_θ is the Hessian of the penalized objective (a "penalized information").
//
// Bounded work: every fit stops at the first of convergence, max_iterations (per start),
// time_limit (the whole fit), cancel, or divergence — a parameter moving past 1e7 (or below
// 1e−7) for three iterations in a row, or converging out there; the time and money scales α, β,
// γ diverge past max(1e7, 10⁴ × the data's mean age or spend), so that the rule does not depend
// on the unit. Divergence means the likelihood keeps increasing, or stays flat, towards a
// boundary of the model that the data cannot rule out (customers who never drop out: β → ∞).
// The fit then reports the best point so far (fit_options::allow_no_convergence).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ltv {

/// Why the optimiser stopped (convergence_info::stop).
enum class stop_reason {
    unknown = 0,         ///< not recorded (a report read from a model file)
    converged,           ///< a convergence test was met
    iteration_limit,     ///< fit_options::max_iterations (or the evaluation limit) was reached
    no_progress,         ///< no step could decrease the objective (line search failed)
    not_finite,          ///< the objective is not finite at the start point
    time_limit,          ///< fit_options::time_limit ran out
    cancelled,           ///< fit_options::cancel returned true
    diverged,            ///< a parameter kept growing past 1e7: the data do not identify it
};

/// The optimiser's account of one minimisation (see ltv/detail/optimize.hpp).
struct convergence_info {
    bool converged = false;        ///< true only when a convergence test was actually met
    stop_reason stop = stop_reason::unknown;  ///< why it stopped (converged: a test was met)
    int iterations = 0;            ///< quasi-Newton iterations (plus Nelder-Mead ones, if used)
    int function_evaluations = 0;  ///< objective (+gradient) evaluations
    double gradient_norm = 0;      ///< max-norm of the objective's gradient at the returned point
    std::string message;           ///< which test was met, or why it stopped without convergence
};

/// One fitted parameter.
struct parameter_estimate {
    std::string name;            ///< as in the papers: "r", "alpha", "a", "b", "p", "q", "gamma"…
    double value = 0;            ///< maximum-likelihood (or penalized) estimate
    double standard_error = 0;   ///< sqrt of the covariance diagonal; NaN when not available
};

/// What the penalizer penalises (fit_options::penalizer_convention; docs/models.md, "Penalizer").
enum class penalizer_convention : int {
    /// ltv: the objective is −LL/W + λ Σᵢ φᵢ² over the natural parameters φ in the data's own
    /// units (a time scale such as BG/NBD's α in the data's time unit, Gamma-Gamma's γ in money),
    /// W the total weight. λ is dimensionless per customer; its effect on a time scale depends
    /// on the time unit.
    ltv = 0,
    /// Python lifetimes (0.11): time scales are penalised in units where the largest T is 1
    /// (lifetimes fits on T / max T), i.e. λ (α / max T)²; Pareto/NBD's log-likelihood is
    /// divided by the mean weight instead of the total (−Σ wᵢ ℓᵢ / mean(w)). Shapes, money scales
    /// and the models lifetimes does not rescale (Gamma-Gamma, BG/BB) are as in `ltv`. Porting
    /// `BetaGeoFitter(penalizer_coef=0.01)` reproduces its estimates.
    lifetimes = 1,
};

/// Options of every model fit (fit_bgnbd, fit_mbgnbd, fit_gamma_gamma, …).
struct fit_options {
    /// L2 penalty coefficient λ ≥ 0 on the parameters: the objective is −LL/W + λ Σ φ² over the
    /// natural parameters φ (penalizer_convention says in which units).
    double penalizer = 0;
    /// Which units the penalty is taken in: ltv's (the default) or lifetimes'.
    penalizer_convention convention = penalizer_convention::ltv;
    /// Quasi-Newton iterations of each start (and phase) of the optimiser.
    int max_iterations = 500;
    /// Convergence when the max-norm of the objective's gradient w.r.t. log-parameters is below
    /// this; the objective is a per-customer mean, so the value is independent of the data size.
    double gradient_tolerance = 1e-8;
    bool standard_errors = true;   ///< compute the Hessian, covariance and standard errors
    /// Return a result even without convergence (report.convergence.converged = false) instead
    /// of throwing ltv::error(status::no_convergence).
    bool allow_no_convergence = false;
    /// Optional start in natural parameters (model order, e.g. r, alpha, a, b); empty: automatic
    /// data-driven starts.
    std::vector<double> initial;
    /// Wall-clock budget of the optimisation in seconds (all its starts and phases; the O(n log n)
    /// preparation of the data before it is not counted); 0 = none. When it runs out the fit
    /// stops at the best point so far (stop_reason::time_limit): an error
    /// status::no_convergence naming that point, or, with allow_no_convergence, that point kept
    /// with report.convergence.converged = false.
    double time_limit = 0;
    /// Polled before every evaluation of the objective; returning true stops the fit, which then
    /// always throws status::cancelled (its message names the best point so far). Exceptions
    /// thrown by the callback propagate out of the fit.
    std::function<bool()> cancel;
    /// Parameters held at a value while the others are estimated: (index in model order,
    /// value > 0). Their standard errors are 0. Through the C API and model files these are the
    /// model options "fix.<name>" (ltv_model_set_option).
    std::vector<std::pair<std::size_t, double>> fixed;
    /// Gamma-Gamma only (other fits ignore it): a row with frequency > 0 and a mean spend
    /// monetary ≤ 0 is an error (status::invalid_argument naming the row and the value) instead
    /// of being excluded from the fit and counted in fit_report::rows_excluded (the default;
    /// docs/gamma-gamma.md, "Zero and negative mean spend").
    bool strict_spend = false;
};

/// The result of a model fit, independent of the model.
struct fit_report {
    convergence_info convergence;
    double log_likelihood = 0;          ///< Σ wᵢ ℓᵢ at the estimate (without the penalty)
    double objective = 0;               ///< the minimised value: −LL/W + penalizer · Σ φ²
    double penalizer = 0;               ///< L2 coefficient used
    double total_weight = 0;            ///< W = Σ wᵢ over the rows used (customers)
    std::size_t rows_used = 0;          ///< distinct rows that entered the likelihood
    /// Rows of positive weight that the fit left out by its data policy, reported rather than
    /// dropped silently: Gamma-Gamma's rows with frequency > 0 and monetary ≤ 0 (see
    /// fit_options::strict_spend; the convergence message names the first). 0 for the other
    /// models, which use every row of positive weight.
    std::size_t rows_excluded = 0;
    std::vector<parameter_estimate> parameters;
    /// Row-major k×k covariance matrix of the natural parameters (order of `parameters`).
    std::vector<double> covariance;
    /// False when the Hessian was not positive definite (then SEs and covariance are NaN).
    bool standard_errors_available = false;

    /// The estimate named `name`, or nullptr.
    const parameter_estimate* find(const std::string& name) const {
        for (const auto& p : parameters)
            if (p.name == name) return &p;
        return nullptr;
    }
};

}  // namespace ltv
