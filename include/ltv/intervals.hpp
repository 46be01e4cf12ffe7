// SPDX-License-Identifier: Apache-2.0
// ltv/intervals.hpp — prediction intervals for every model's per-customer predictions
// (P(alive), conditional expected purchases, DERT, expected spend, CLV, log-likelihood) from the
// covariance of the fitted parameters (fit_report::covariance). docs/intervals.md.
//
// What the interval covers: the uncertainty of the *estimated parameters* propagated to each
// customer's expected value — not the spread of the customer's future purchases (a customer
// with E[X] = 1.2 buys 0, 1, 2 … items; the interval is for the 1.2).
//
// Parameters are handled on a scale where every value is valid (detail::param_scale): a
// parameter with bounds (0, ∞) as θ = log φ, one with two finite bounds as a logit, and any
// other (covariate coefficients, which another part of the library appends to
// model_state::params) as itself. The covariance of θ is J Σ_φ J with J = diag(dθ/dφ).
// Parameters whose variance is 0 (held fixed in the fit) do not vary.
//
// Delta method: the gradient g of a customer's prediction f w.r.t. θ by central differences
// (step h = 1e-4 in θ: truncation O(h²) ≈ 1e-8 relative, rounding ≈ 1e-16/h ≈ 1e-12; generic
// over every model, 2k + 1 batch evaluations for k free parameters), Var f ≈ gᵀ Σ_θ g, and a
// normal interval at the level on a scale that keeps the bounds valid (prediction_scale):
// logit for P(alive) (f ± z·sd/(f(1 − f)) on the logit scale), log for positive quantities
// (f·exp(±z·sd/f)), the value itself for the log-likelihood. At the edge of the scale (P(alive)
// exactly 0 or 1, an expected value exactly 0) the interval is f ± z·sd clipped to the range.
//
// Bootstrap: the parameter-draw ("parametric") bootstrap of Krinsky & Robb (1986, "On
// approximating the statistical properties of elasticities", Rev. Econ. Stat. 68(4)): R draws
// θ* = θ̂ + L·z from the estimator's asymptotic normal distribution on the θ scale (L the
// Cholesky factor of Σ_θ over the free parameters, z standard normal), each replicate's
// predictions by the model's own batch kernels, and per customer the (1 ∓ level)/2 percentiles
// of the R values (linear interpolation between order statistics, Hyndman & Fan type 7). CLV
// draws the spend model's parameters too, independently (the two fits are separate). It is not
// a refit on resampled customers: R refits of a million customers cannot meet the 10 s budget.
// Reproducible: replicate r draws from its own engine random_engine(seed, r), so the bounds
// depend on (seed, R) only, never on the number of threads. Memory: customers are processed in
// blocks of interval_block_rows(R) rows, R values each, never R × n at once; blocks run on the
// pool. The bounds are widened to contain the point prediction when the percentiles of a skewed
// distribution miss it (documented, rare: the point is the replicate at θ̂).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "ltv/clv_options.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/random.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/model_state.hpp"
#include "ltv/model_traits.hpp"
#include "ltv/registry.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv {

/// How prediction intervals are computed (values as LTV_INTERVAL_* in ltv/ltv.h).
enum class interval_method : int {
    delta = 1,      ///< delta method from the parameters' covariance
    bootstrap = 2,  ///< parameter draws from the estimate's asymptotic normal (Krinsky–Robb)
};

/// The options of prediction_intervals. These defaults are the library's: the C API
/// (ltv_prediction_options_init), Python and the CLI take theirs from here
/// (tests/data/defaults.json checks that the four layers agree).
struct interval_options {
    /// Two-sided level in (0, 1). (The C struct's interval_level is 0 by default: "no
    /// interval"; an interval is asked for by giving a level.)
    double level = 0.9;
    interval_method method = interval_method::delta;
    int replicates = 200;     ///< bootstrap draws R, 2 … max_interval_replicates
    std::uint64_t seed = 1;   ///< bootstrap seed: the same seed gives the same bounds
};

/// The largest number of bootstrap replicates accepted (10⁵: percentiles are then exact to far
/// below the parameters' own uncertainty; more only costs time).
constexpr int max_interval_replicates = 100000;

/// The scale on which an interval is formed so that its bounds stay valid.
enum class prediction_scale : int {
    identity = 0,  ///< any real value (the log-likelihood)
    log = 1,       ///< values ≥ 0 (expected purchases, DERT, spend, CLV)
    logit = 2,     ///< probabilities in [0, 1] (P(alive))
};

/// Rows [lo, hi) of a prediction at the parameters of `model` (and `spend`, the spend model of
/// CLV, else nullptr) into out[0 .. hi − lo), on the calling thread.
using prediction_kernel = std::function<void(const model_state& model, const model_state* spend,
                                             std::size_t lo, std::size_t hi, double* out)>;

/// One per-customer prediction whose interval is wanted: n rows, the kernel that computes them,
/// the scale of its values, the model (and for CLV the spend model) whose parameters vary.
struct prediction_request {
    std::size_t n = 0;
    prediction_kernel kernel;
    prediction_scale scale = prediction_scale::log;
    const model_state* model = nullptr;
    const model_state* spend = nullptr;  ///< CLV: the spend model (its parameters vary too)
};

namespace detail {

/// rows [lo, hi) of a column (empty stays empty).
inline array_view<double> rows_of(array_view<double> v, std::size_t lo, std::size_t hi) {
    return v.empty() ? v : array_view<double>(v.data() + lo, hi - lo);
}

/// rows [lo, hi) of the customers (frequency, recency, T, weights, litt, covariates).
inline rfm_data rows_of(const rfm_data& d, std::size_t lo, std::size_t hi) {
    rfm_data r = d;
    r.frequency = rows_of(d.frequency, lo, hi);
    r.recency = rows_of(d.recency, lo, hi);
    r.age = rows_of(d.age, lo, hi);
    r.weights = rows_of(d.weights, lo, hi);
    r.litt = rows_of(d.litt, lo, hi);
    if (!d.covariates.empty())
        r.covariates = {d.covariates.data + lo * d.covariates.cols, hi - lo, d.covariates.cols};
    return r;
}

inline spend_data rows_of(const spend_data& d, std::size_t lo, std::size_t hi) {
    spend_data r = d;
    r.frequency = rows_of(d.frequency, lo, hi);
    r.monetary = rows_of(d.monetary, lo, hi);
    r.weights = rows_of(d.weights, lo, hi);
    if (!d.covariates.empty())
        r.covariates = {d.covariates.data + lo * d.covariates.cols, hi - lo, d.covariates.cols};
    return r;
}

/// The scale a parameter varies on: log(φ − lower) for (lower, ∞), the logit of the position in
/// (lower, upper) for two finite bounds, φ itself otherwise (no registered bounds: covariate
/// coefficients).
struct param_scale {
    enum kind_t { identity, log, logit } kind = identity;
    double lower = 0, upper = 0;

    double to(double phi) const {
        if (kind == log) return std::log(phi - lower);
        if (kind == logit) {
            const double u = (phi - lower) / (upper - lower);
            return std::log(u) - std::log1p(-u);
        }
        return phi;
    }
    double from(double theta) const {
        if (kind == log) return lower + std::exp(theta);
        if (kind == logit) return lower + (upper - lower) / (1 + std::exp(-theta));
        return theta;
    }
    /// dθ/dφ at φ.
    double slope(double phi) const {
        if (kind == log) return 1 / (phi - lower);
        if (kind == logit) {
            const double u = (phi - lower) / (upper - lower);
            return 1 / ((upper - lower) * u * (1 - u));
        }
        return 1;
    }
};

/// Standard normal quantile Φ⁻¹(p), 0 < p < 1: Acklam's rational approximation (relative error
/// 1.15e-9) refined by one Halley step on erfc (then ~1e-15).
inline double normal_quantile(double p) {
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    double x;
    if (p < 0.02425) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - 0.02425) {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log1p(-p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
    const double u = e * std::sqrt(2 * 3.14159265358979323846) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

/// The varying parameters of one model: their scales, θ̂ and the Cholesky factor of Σ_θ over
/// the free ones (variance > 0).
struct parameter_law {
    const model_state* state = nullptr;
    std::vector<param_scale> scales;
    std::vector<double> theta;        // θ̂, every parameter
    std::vector<std::size_t> free;    // indices of the parameters with variance > 0
    std::vector<double> cov;          // Σ_θ over `free` (row-major, free.size()²)
    std::vector<double> chol;         // its lower Cholesky factor

    /// A copy of the state with parameters from θ (no fit report: only what kernels read).
    model_state with_theta(const std::vector<double>& t) const {
        model_state s;
        s.kind = state->kind;
        s.time_unit = state->time_unit;
        s.options = state->options;
        s.covariate_names = state->covariate_names;  // the coefficients' covariates (if any)
        s.params.resize(t.size());
        for (std::size_t i = 0; i < t.size(); ++i) s.params[i] = scales[i].from(t[i]);
        for (std::size_t i = 0; i < t.size(); ++i)
            if (std::find(free.begin(), free.end(), i) == free.end())
                s.params[i] = state->params[i];  // fixed parameters exactly as fitted
        return s;
    }
};

/// The law of `s`'s estimate; invalid_argument/not_fitted naming why there is none (`what`:
/// "model" or "spend_model").
inline parameter_law parameter_law_of(const char* fn, const char* what, const model_state& s) {
    const model_ops& ops = model_ops_for(s.kind);
    const std::string who = std::string(what) + ": the " + ops.title + " model";
    if (s.params.empty())
        fail(status::not_fitted, fn, who + " has no parameters yet; fit it first");
    if (!s.fitted)
        fail(status::not_fitted, fn,
             who + " was not fitted (its parameters were set), so it has no covariance of its "
                   "parameters to give intervals; fit it first");
    const std::size_t k = s.params.size();
    const fit_report& r = s.report;
    if (!r.standard_errors_available)
        fail(status::invalid_argument, fn,
             who + "'s fit has no standard errors (its Hessian was not positive definite, or the "
                   "fit ran with standard errors off), so no intervals can be given");
    if (r.covariance.size() != k * k)
        fail(status::invalid_argument, fn,
             who + " has " + std::to_string(k) + " parameters but its covariance has " +
                 std::to_string(r.covariance.size()) + " entries (expected " +
                 std::to_string(k * k) + ")");
    parameter_law law;
    law.state = &s;
    law.scales.resize(k);
    law.theta.resize(k);
    for (std::size_t i = 0; i < k; ++i) {
        param_scale& sc = law.scales[i];
        if (i < ops.num_params && std::isfinite(ops.params[i].lower)) {
            sc.lower = ops.params[i].lower;
            sc.upper = ops.params[i].upper;
            sc.kind = std::isfinite(sc.upper) ? param_scale::logit : param_scale::log;
        }
        law.theta[i] = sc.to(s.params[i]);
        const double v = r.covariance[i * k + i];
        if (!std::isfinite(v) || v < 0)
            fail(status::invalid_argument, fn,
                 who + "'s covariance has variance " + format_value(v) + " for parameter " +
                     (i < ops.num_params ? std::string(ops.params[i].name)
                                         : std::to_string(i)) +
                     " (a finite number >= 0 is needed for intervals)");
        if (v > 0) law.free.push_back(i);
    }
    const std::size_t m = law.free.size();
    law.cov.resize(m * m);
    for (std::size_t a = 0; a < m; ++a)
        for (std::size_t b = 0; b < m; ++b) {
            const std::size_t i = law.free[a], j = law.free[b];
            const double c = r.covariance[i * k + j];
            if (!std::isfinite(c))
                fail(status::invalid_argument, fn,
                     who + "'s covariance has a non-finite entry (" + format_value(c) + ")");
            law.cov[a * m + b] =
                c * law.scales[i].slope(s.params[i]) * law.scales[j].slope(s.params[j]);
        }
    // Cholesky Σ_θ = L Lᵀ; a covariance that is not positive definite has no normal law.
    law.chol.assign(m * m, 0.0);
    for (std::size_t j = 0; j < m; ++j) {
        double d = law.cov[j * m + j];
        for (std::size_t q = 0; q < j; ++q) d -= law.chol[j * m + q] * law.chol[j * m + q];
        if (!(d > 1e-14 * law.cov[j * m + j]))
            fail(status::invalid_argument, fn,
                 who + "'s covariance is not positive definite over its free parameters, so no "
                       "intervals can be given");
        const double ljj = std::sqrt(d);
        law.chol[j * m + j] = ljj;
        for (std::size_t i = j + 1; i < m; ++i) {
            double v = law.cov[i * m + j];
            for (std::size_t q = 0; q < j; ++q) v -= law.chol[i * m + q] * law.chol[j * m + q];
            law.chol[i * m + j] = v / ljj;
        }
    }
    return law;
}

/// One draw θ* = θ̂ + L z (z from g).
inline std::vector<double> draw_theta(const parameter_law& law, random_engine& g) {
    std::vector<double> t = law.theta;
    const std::size_t m = law.free.size();
    std::vector<double> z(m);
    for (auto& v : z) v = g.normal();
    for (std::size_t a = 0; a < m; ++a) {
        double s = 0;
        for (std::size_t b = 0; b <= a; ++b) s += law.chol[a * m + b] * z[b];
        t[law.free[a]] += s;
    }
    return t;
}

/// Rows per block for R replicates: R × rows doubles (64 MB) per running block at most. The
/// BG family's CLV builds its curve tables once per call of ≥ detail::bg_table_min_rows rows, so
/// the per-replicate cost falls with the block: 60, 52 and 47 ms CPU per million customers at
/// 21 k, 42 k and 66 k rows against 580 ms at 4 k (docs/intervals.md); R = 200 gives 41 943
/// rows. Depends on R only (never on the threads): the bounds do not either.
inline std::size_t interval_block_rows(int replicates) {
    const std::size_t budget = std::size_t{1} << 23;
    return std::clamp<std::size_t>(budget / static_cast<std::size_t>(std::max(replicates, 1)),
                                   256, 65536);
}

/// The interval of value v with standard deviation sd at normal quantile z on `scale`.
inline void delta_bounds(prediction_scale scale, double v, double sd, double z, double& lo,
                         double& hi) {
    const double w = z * sd;
    if (scale == prediction_scale::log && v > 0) {
        const double s = std::min(w / v, 700.0);  // (keeps e^s finite)
        lo = v * std::exp(-s);
        hi = v * std::exp(s);
    } else if (scale == prediction_scale::logit && v > 0 && v < 1) {
        const double s = w / (v * (1 - v)), l = std::log(v) - std::log1p(-v);
        lo = 1 / (1 + std::exp(-(l - s)));
        hi = 1 / (1 + std::exp(-(l + s)));
    } else {
        // identity scale, or a value at the edge of its range (P(alive) exactly 0 or 1, an
        // expected value exactly 0), where the transformed scale has no derivative
        lo = v - w;
        hi = v + w;
        if (scale != prediction_scale::identity) lo = std::max(lo, 0.0);
        if (scale == prediction_scale::logit) hi = std::min(hi, 1.0);
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
}

/// Type-7 quantile at probability p of v[0..m) (reorders v).
inline double quantile7(double* v, std::size_t m, double p) {
    const double h = static_cast<double>(m - 1) * p;
    const std::size_t j = static_cast<std::size_t>(std::floor(h));
    std::nth_element(v, v + j, v + m);
    const double a = v[j];
    if (j + 1 >= m) return a;
    const double b = *std::min_element(v + j + 1, v + m);
    return a + (h - static_cast<double>(j)) * (b - a);
}

inline void check_interval_options(const char* fn, const interval_options& o) {
    if (!(o.level > 0 && o.level < 1))
        fail(status::invalid_argument, fn,
             "options->interval_level = " + format_value(o.level) +
                 " must be in (0, 1), e.g. 0.9 (0: no interval)");
    if (o.method != interval_method::delta && o.method != interval_method::bootstrap)
        fail(status::invalid_argument, fn,
             "options->interval_method = " + std::to_string(static_cast<int>(o.method)) +
                 " is not LTV_INTERVAL_DELTA (1) or LTV_INTERVAL_BOOTSTRAP (2)");
    if (o.method == interval_method::bootstrap &&
        (o.replicates < 2 || o.replicates > max_interval_replicates))
        fail(status::invalid_argument, fn,
             "options->replicates = " + std::to_string(o.replicates) + " must be in 2 … " +
                 std::to_string(max_interval_replicates));
}

}  // namespace detail

/// The request for capability `cap` of `model` (P(alive), conditional purchases with
/// argument = horizon, DERT with argument = discount rate, log-likelihood, expected spend, CLV
/// with the spend model `spend` and `clv`) over the customers `rfm` / `spend_rows`. The views
/// must outlive the request. invalid_argument when the model cannot compute `cap` or it is not
/// a per-customer prediction.
inline prediction_request make_prediction_request(const model_state& model, capability cap,
                                                  double argument, const rfm_data& rfm,
                                                  const spend_data& spend_rows,
                                                  const model_state* spend = nullptr,
                                                  const clv_options& clv = {}) {
    constexpr const char* fn = "prediction_intervals";
    const model_ops& ops = model_ops_for(model.kind);
    if (!ops.supports(cap))
        detail::fail(status::invalid_argument, fn,
                     std::string("the ") + ops.title + " model cannot compute '" +
                         capability_name(static_cast<int>(cap)) + "'");
    prediction_request q;
    q.model = &model;
    q.n = cap == capability::spend ? spend_rows.size() : rfm.size();
    const model_ops* o = &ops;
    switch (cap) {
        case capability::p_alive:
            q.scale = prediction_scale::logit;
            q.kernel = [o, rfm](const model_state& s, const model_state*, std::size_t lo,
                                std::size_t hi, double* out) {
                o->p_alive(s, detail::rows_of(rfm, lo, hi), out, 1);
            };
            break;
        case capability::conditional_purchases:
            q.kernel = [o, rfm, argument](const model_state& s, const model_state*,
                                          std::size_t lo, std::size_t hi, double* out) {
                o->conditional_purchases(s, argument, detail::rows_of(rfm, lo, hi), out, 1);
            };
            break;
        case capability::dert:
            q.kernel = [o, rfm, argument](const model_state& s, const model_state*,
                                          std::size_t lo, std::size_t hi, double* out) {
                o->dert(s, argument, detail::rows_of(rfm, lo, hi), out, 1);
            };
            break;
        case capability::log_likelihood:
            q.scale = prediction_scale::identity;
            q.kernel = [o, rfm](const model_state& s, const model_state*, std::size_t lo,
                                std::size_t hi, double* out) {
                o->log_likelihood(s, detail::rows_of(rfm, lo, hi), out, 1);
            };
            break;
        case capability::spend:
            q.kernel = [o, spend_rows](const model_state& s, const model_state*, std::size_t lo,
                                       std::size_t hi, double* out) {
                o->expected_spend(s, detail::rows_of(spend_rows, lo, hi), out, 1);
            };
            break;
        case capability::clv:
            if (spend == nullptr)
                detail::fail(status::invalid_argument, fn, "CLV needs the spend model");
            q.spend = spend;
            q.kernel = [o, rfm, spend_rows, clv](const model_state& s, const model_state* sp,
                                                 std::size_t lo, std::size_t hi, double* out) {
                o->clv(s, *sp, detail::rows_of(rfm, lo, hi),
                       detail::rows_of(spend_rows.monetary, lo, hi), clv, out, 1);
            };
            break;
        default:
            detail::fail(status::invalid_argument, fn,
                         std::string("'") + capability_name(static_cast<int>(cap)) +
                             "' is not a per-customer prediction");
    }
    return q;
}

/// Prediction intervals of `request` at options.level into lower[0..n), upper[0..n); point[i]
/// is the prediction at the estimate (lower ≤ point ≤ upper). threads as everywhere (≤ 0: the
/// process default); the bounds do not depend on it. Errors: a model without a covariance (not
/// fitted, standard errors unavailable; not_fitted / invalid_argument naming why), options out
/// of range (invalid_argument naming the field), a replicate whose kernel fails (its error,
/// naming the replicate), a customer whose bounds are not finite.
inline void prediction_intervals(const prediction_request& request, const double* point,
                                 const interval_options& options, double* lower, double* upper,
                                 int threads) {
    constexpr const char* fn = "prediction_intervals";
    detail::check_interval_options(fn, options);
    if (request.model == nullptr || !request.kernel)
        detail::fail(status::invalid_argument, fn, "the request has no model or kernel");
    const std::size_t n = request.n;
    detail::require_array(fn, "point", point, n);
    detail::require_array(fn, "lower", lower, n);
    detail::require_array(fn, "upper", upper, n);
    std::vector<detail::parameter_law> laws;
    laws.push_back(detail::parameter_law_of(fn, "model", *request.model));
    if (request.spend) laws.push_back(detail::parameter_law_of(fn, "spend_model", *request.spend));
    if (n == 0) return;
    const std::size_t block = detail::interval_block_rows(
        options.method == interval_method::bootstrap ? options.replicates : 200);
    const std::size_t blocks = (n + block - 1) / block;

    if (options.method == interval_method::delta) {
        const double z = detail::normal_quantile(0.5 + options.level / 2);
        // the perturbed states: for every free parameter j (of either model) θ ± h e_j
        constexpr double h = 1e-4;
        struct probe {
            std::size_t law;  // which model
            std::size_t a;    // index into that law's free parameters
            model_state plus, minus;
        };
        std::vector<probe> probes;
        for (std::size_t l = 0; l < laws.size(); ++l)
            for (std::size_t a = 0; a < laws[l].free.size(); ++a) {
                std::vector<double> t = laws[l].theta;
                t[laws[l].free[a]] += h;
                model_state p = laws[l].with_theta(t);
                t[laws[l].free[a]] -= 2 * h;
                probes.push_back({l, a, std::move(p), laws[l].with_theta(t)});
            }
        detail::parallel_tasks(blocks, threads, [&](std::size_t b) {
            const std::size_t lo = b * block, hi = std::min(n, lo + block), m = hi - lo;
            std::vector<double> grad(probes.size() * m), plus(m), minus(m);
            for (std::size_t j = 0; j < probes.size(); ++j) {
                const probe& p = probes[j];
                const model_state& base0 = *laws[0].state;
                const model_state* base1 = laws.size() > 1 ? laws[1].state : nullptr;
                if (p.law == 0) {
                    request.kernel(p.plus, base1, lo, hi, plus.data());
                    request.kernel(p.minus, base1, lo, hi, minus.data());
                } else {
                    request.kernel(base0, &p.plus, lo, hi, plus.data());
                    request.kernel(base0, &p.minus, lo, hi, minus.data());
                }
                for (std::size_t i = 0; i < m; ++i)
                    grad[j * m + i] = (plus[i] - minus[i]) / (2 * h);
            }
            for (std::size_t i = 0; i < m; ++i) {
                double var = 0;
                for (std::size_t j = 0; j < probes.size(); ++j)
                    for (std::size_t k = 0; k < probes.size(); ++k) {
                        if (probes[j].law != probes[k].law) continue;  // independent fits
                        const auto& law = laws[probes[j].law];
                        const std::size_t f = law.free.size();
                        var += grad[j * m + i] * grad[k * m + i] *
                               law.cov[probes[j].a * f + probes[k].a];
                    }
                const double v = point[lo + i];
                const double sd = std::sqrt(std::max(var, 0.0));
                if (!std::isfinite(sd))
                    detail::fail(status::domain_error, fn,
                                 "the delta-method standard deviation of row " +
                                     std::to_string(lo + i) + " is not finite (" +
                                     detail::format_value(sd) + ")");
                detail::delta_bounds(request.scale, v, sd, z, lower[lo + i], upper[lo + i]);
                // (v·e^s overflows for a standard deviation hundreds of times the value)
                if (!std::isfinite(lower[lo + i]) || !std::isfinite(upper[lo + i]))
                    detail::fail(status::domain_error, fn,
                                 "the delta-method interval of row " + std::to_string(lo + i) +
                                     " is not finite (value " + detail::format_value(v) +
                                     ", standard deviation " + detail::format_value(sd) +
                                     "); use the bootstrap");
            }
        });
        return;
    }

    // bootstrap: replicate r's parameters from engine (seed, r) — the main model's, then the
    // spend model's (independent normal draws from the same stream)
    // A draw whose parameters leave the double range or their bounds (exp(θ*) overflowing for a
    // parameter the data hardly identify: log-scale SEs of 10 and more) is left out: the model
    // has no value there. The replicates kept are still those of (seed, r), in order.
    std::vector<model_state> main_states, spend_states;
    auto valid = [&](const model_state& st) {
        const model_ops& ops = model_ops_for(st.kind);
        for (std::size_t i = 0; i < st.params.size(); ++i) {
            const double v = st.params[i];
            if (!std::isfinite(v)) return false;
            if (i < ops.num_params && !(v > ops.params[i].lower && v < ops.params[i].upper))
                return false;
        }
        return true;
    };
    for (std::size_t r = 0; r < static_cast<std::size_t>(options.replicates); ++r) {
        detail::random_engine g(options.seed, r);
        model_state a = laws[0].with_theta(detail::draw_theta(laws[0], g));
        model_state b;
        if (laws.size() > 1) b = laws[1].with_theta(detail::draw_theta(laws[1], g));
        if (!valid(a) || (laws.size() > 1 && !valid(b))) continue;
        main_states.push_back(std::move(a));
        if (laws.size() > 1) spend_states.push_back(std::move(b));
    }
    const std::size_t R = main_states.size();
    if (R < 2)
        detail::fail(status::domain_error, fn,
                     "only " + std::to_string(R) + " of " + std::to_string(options.replicates) +
                         " bootstrap draws have parameters in the double range (the "
                         "covariance is too wide for draws; use the delta method)");
    const double p_lo = (1 - options.level) / 2, p_hi = (1 + options.level) / 2;
    detail::parallel_tasks(blocks, threads, [&](std::size_t b) {
        const std::size_t lo = b * block, hi = std::min(n, lo + block), m = hi - lo;
        std::vector<double> values(R * m);
        for (std::size_t r = 0; r < R; ++r) {
            try {
                request.kernel(main_states[r], spend_states.empty() ? nullptr : &spend_states[r],
                               lo, hi, values.data() + r * m);
            } catch (const error& e) {
                std::string params;
                for (double v : main_states[r].params)
                    params += (params.empty() ? "" : ", ") + detail::format_value(v);
                throw error(e.code(), std::string(fn) + ": bootstrap replicate " +
                                          std::to_string(r) + " (parameters " + params +
                                          "; rows counted from row " + std::to_string(lo) +
                                          "): " + e.what());
            }
        }
        // per customer, in tiles of 64 customers (the R values of a tile are gathered from R
        // contiguous runs, not R strided loads per customer)
        constexpr std::size_t tile = 64;
        std::vector<double> column(tile * R);
        for (std::size_t i0 = 0; i0 < m; i0 += tile) {
            const std::size_t i1 = std::min(m, i0 + tile);
            for (std::size_t r = 0; r < R; ++r)
                for (std::size_t i = i0; i < i1; ++i) column[(i - i0) * R + r] = values[r * m + i];
            for (std::size_t i = i0; i < i1; ++i) {
                double* c = column.data() + (i - i0) * R;
                // replicates whose value is not finite (an overflow far out in the tails) do
                // not vote; fewer than 2 finite ones is an error
                const std::size_t finite =
                    static_cast<std::size_t>(std::partition(c, c + R, [](double v) {
                        return std::isfinite(v);
                    }) - c);
                const std::size_t row = lo + i;
                if (finite < 2)
                    detail::fail(status::domain_error, fn,
                                 "row " + std::to_string(row) + ": only " +
                                     std::to_string(finite) + " of " + std::to_string(R) +
                                     " bootstrap replicates give a finite prediction");
                const double a = detail::quantile7(c, finite, p_lo);
                const double z = detail::quantile7(c, finite, p_hi);
                const double v = point[row];
                lower[row] = std::min(a, v);
                upper[row] = std::max(z, v);
            }
        }
    });
}

/// The bootstrap's parameter draws themselves: replicate r's parameters of `model` (natural
/// scale, model_state::params order) into out[r·k + i], r < replicates. For checks and plots.
inline std::vector<double> bootstrap_parameter_draws(const model_state& model, int replicates,
                                                     std::uint64_t seed) {
    constexpr const char* fn = "bootstrap_parameter_draws";
    if (replicates < 2 || replicates > 10000000)
        detail::fail(status::invalid_argument, fn,
                     "argument 'replicates' = " + std::to_string(replicates) + " out of range");
    const detail::parameter_law law = detail::parameter_law_of(fn, "model", model);
    const std::size_t k = model.params.size();
    std::vector<double> out(static_cast<std::size_t>(replicates) * k);
    for (int r = 0; r < replicates; ++r) {
        detail::random_engine g(seed, static_cast<std::uint64_t>(r));
        const model_state s = law.with_theta(detail::draw_theta(law, g));
        std::copy(s.params.begin(), s.params.end(), out.begin() + static_cast<std::ptrdiff_t>(r * k));
    }
    return out;
}

}  // namespace ltv
