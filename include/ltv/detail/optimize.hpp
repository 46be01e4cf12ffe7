// SPDX-License-Identifier: Apache-2.0
// ltv/detail/optimize.hpp — unconstrained minimisation of smooth functions of a few parameters.
//
// minimize(): BFGS (dense inverse-Hessian update; the models have ≤ 8 parameters) with a
// strong-Wolfe line search (Nocedal & Wright, "Numerical Optimization", 2nd ed., Algorithms 3.5
// and 3.6, safeguarded quadratic interpolation). Trial points where the objective is not finite
// (overflow in a likelihood, a parameter that left the representable range) count as +∞: the
// line search then shrinks the step instead of failing. When a line search fails the inverse
// Hessian is reset to a scaled identity (steepest descent); if that fails as well, a Nelder-Mead
// search is run from the current point and BFGS resumes from its result. The report never says
// "converged" unless a test was met: ‖∇f‖∞ ≤ gradient_tolerance, or — when no step can decrease
// f any more (f is flat to machine precision) — ‖∇f‖∞ ≤ stall_gradient_tolerance.
//
// Bounded work (fit_options::time_limit / cancel): the deadline and the cancel callback are
// checked before every evaluation of f, so a stop request is honoured within one evaluation; the
// run then ends at its current (best accepted) point with stop_reason::time_limit / cancelled.
// Divergence: a log-parameter above its upper bound (minimize_options::diverge_above) that grew
// in three consecutive iterations, or below its lower bound (diverge_below) that shrank in three,
// ends the run with stop_reason::diverged, naming the parameter — the objective keeps decreasing
// towards a boundary (φ → ∞ or 0) that the data cannot rule out, where the likelihood's series
// also converge ever more slowly (Pareto/NBD with β → ∞: defect D4). A run whose convergence
// test is met at a point beyond a bound (a flat ridge towards that boundary) is reported as
// diverged as well.
//
// numeric_hessian(): central differences of an analytic gradient, symmetrised.
//
// Compile time: the objective reaches the optimiser as a function_ref (a pointer to the caller's
// callable and a function pointer that calls it), so BFGS, the line search, Nelder-Mead and the
// Hessian are ordinary inline functions, compiled once per translation unit rather than once per
// objective type (every model fit has several). Only Eigen's Core module (vectors, matrices) is
// included (the covariance's Cholesky is a short loop: fill_standard_errors), and elementwise
// updates are written as loops over the coefficients (the same operations in the same order as the
// Eigen expressions they replace, hence the same results): every distinct Eigen expression type is
// compiled into each translation unit with a fit. Reductions (dot products, norms) and
// matrix-vector products stay Eigen's, whose summation order depends on its vectorisation.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"

namespace ltv::detail {

template <class Signature>
class function_ref;

/// A non-owning reference to a callable with signature R(Args...): one pointer to the callable
/// and one to a function that calls it. The callable must outlive the reference (it is only
/// ever passed down a call chain here).
template <class R, class... Args>
class function_ref<R(Args...)> {
public:
    template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, function_ref>>>
    function_ref(F&& f) noexcept  // NOLINT: implicit, like a reference
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_(&call<std::remove_reference_t<F>>) {}

    R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

private:
    template <class F>
    static R call(void* object, Args... args) {
        if constexpr (std::is_void_v<R>)
            (*static_cast<F*>(object))(std::forward<Args>(args)...);
        else
            return (*static_cast<F*>(object))(std::forward<Args>(args)...);
    }

    void* object_;
    R (*call_)(void*, Args...);
};

/// An objective f(const double* x, double* grad) → f(x), writing ∇f(x) into grad.
using objective_ref = function_ref<double(const double*, double*)>;
/// A gradient g(const double* x, double* grad), writing ∇f(x) into grad.
using gradient_ref = function_ref<void(const double*, double*)>;

struct minimize_options {
    int max_iterations = 500;
    int max_evaluations = 5000;
    double gradient_tolerance = 1e-8;        ///< converged when ‖∇f‖∞ ≤ this
    double stall_gradient_tolerance = 1e-5;  ///< accepted only when f cannot decrease any more
    double max_step = 10;                    ///< largest ‖Δx‖∞ of one line-search trial
    /// Relative rounding error of f (0: none known). f summed over n rows carries about
    /// ε√n |f|; a line search stops narrowing once the change it could still find is below it.
    double value_rounding = 0;
    /// Stop (stop_reason::time_limit) once the steady clock passes this; max() = never.
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    /// Polled before every evaluation; true stops the run (stop_reason::cancelled).
    std::function<bool()> cancel;
    /// Divergence bounds on x (empty: no test; −∞ / +∞: none for that parameter) and the
    /// parameters' names for messages; x are log-parameters θ = ln φ, messages print φ = exp(θ).
    std::vector<double> diverge_above, diverge_below;
    std::vector<std::string> names;
};

/// One model parameter for fit_minimize_options: its name and the natural-scale values beyond
/// which a still-growing (still-shrinking) estimate counts as divergence. Shapes use 1e7 and
/// 1e−7; scales (time, money) a bound relative to the data's scale and no lower bound.
struct fit_parameter {
    const char* name;
    double diverge_above = 1e7;
    double diverge_below = 1e-7;
};

/// A scale parameter (time or money units): diverges past max(1e7, 10⁴ × the data's scale), so
/// that the rule does not depend on the unit; no lower bound.
inline fit_parameter scale_parameter(const char* name, double data_scale) {
    return {name, std::max(1e7, 1e4 * data_scale), 0};
}

/// The minimiser's options of a model fit — the one place where fit_options become
/// minimize_options (every fit driver calls it): the iteration limit and tolerance, the deadline
/// now + time_limit (shared by all starts and phases of the fit), the cancel callback, and the
/// divergence bounds and names of `params` (model order).
inline minimize_options fit_minimize_options(const char* fn, const fit_options& o,
                                             const std::vector<fit_parameter>& params) {
    if (!(o.time_limit >= 0))
        fail(status::invalid_argument, fn,
             "argument 'time_limit' = " + format_value(o.time_limit) +
                 " must be ≥ 0 seconds (0 = no limit)");
    minimize_options mo;
    mo.max_iterations = o.max_iterations;
    mo.gradient_tolerance = o.gradient_tolerance;
    if (o.time_limit > 0 && o.time_limit < 1e9) {  // (≥ 1e9 s: no practical limit)
        mo.deadline = std::chrono::steady_clock::now() +
                      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(o.time_limit));
    }
    mo.cancel = o.cancel;
    for (const auto& p : params) {
        mo.names.emplace_back(p.name);
        mo.diverge_above.push_back(std::log(p.diverge_above));
        mo.diverge_below.push_back(p.diverge_below > 0  // (0: no lower bound)
                                       ? std::log(p.diverge_below)
                                       : -std::numeric_limits<double>::infinity());
    }
    return mo;
}

/// A run that stopped on request (time limit or cancel): further starts or phases must not run.
inline bool stop_requested(const convergence_info& info) {
    return info.stop == stop_reason::time_limit || info.stop == stop_reason::cancelled;
}

/// Ends a fit whose optimiser did not converge: always throws status::cancelled when it was
/// cancelled; otherwise throws status::no_convergence unless allow_no_convergence (the caller then
/// keeps the point). The message is the optimiser's reason plus the best point so far.
inline void require_fit_converged(const char* fn, const convergence_info& info,
                                  const fit_options& o, const std::vector<const char*>& names,
                                  const std::vector<double>& values) {
    if (info.converged) return;
    const bool cancelled = info.stop == stop_reason::cancelled;
    if (!cancelled && o.allow_no_convergence) return;
    std::string point;
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i)
        point += std::string(i ? ", " : "") + names[i] + " = " + format_value(values[i]);
    fail(cancelled ? status::cancelled : status::no_convergence, fn,
         info.message + " (best point so far: " + point + ")");
}

/// "1.2e-09": short numbers for convergence messages.
inline std::string format_short(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

struct minimize_result {
    std::vector<double> x;
    double value = std::numeric_limits<double>::infinity();
    convergence_info info;
};

namespace optimize_impl {

using vec = Eigen::VectorXd;
constexpr double inf = std::numeric_limits<double>::infinity();

/// a + t·(b − c) coefficient by coefficient, i.e. the Eigen expression a + t * (b - c).
inline vec step_from(const vec& a, double t, const vec& b, const vec& c) {
    vec r(a.size());
    for (Eigen::Index i = 0; i < a.size(); ++i) r(i) = a(i) + t * (b(i) - c(i));
    return r;
}

/// Whether every coefficient of m is finite (what Eigen's allFinite() tests).
template <class M>
bool all_finite(const M& m) {
    const double* v = m.data();
    for (Eigen::Index i = 0, n = m.size(); i < n; ++i)
        if (!std::isfinite(v[i])) return false;
    return true;
}

/// Thrown by counted when the deadline passed or cancel returned true; caught in minimize_with.
struct stop_request {
    stop_reason reason;
};

/// Counts evaluations, honours the deadline and cancel callback (before each evaluation), and
/// maps non-finite values (or gradients) to +∞.
struct counted {
    objective_ref f;
    const minimize_options& opt;
    int evaluations = 0;
    double operator()(const vec& x, vec& g) {
        if (opt.deadline != std::chrono::steady_clock::time_point::max() &&
            std::chrono::steady_clock::now() >= opt.deadline)
            throw stop_request{stop_reason::time_limit};
        if (opt.cancel && opt.cancel()) throw stop_request{stop_reason::cancelled};
        ++evaluations;
        double v = f(x.data(), g.data());
        if (!std::isfinite(v) || !all_finite(g)) return inf;
        return v;
    }
};

struct line_search_result {
    bool ok = false;       // a point with sufficient decrease was found
    double step = 0;
    double value = inf;
    vec x, g;
};

/// Strong-Wolfe line search along p from (x0, f0, g0); d0 = g0·p < 0.
inline line_search_result line_search(counted& f, const vec& x0, double f0, const vec& g0,
                                      const vec& p, double step0, double max_step_norm,
                                      double rounding = 0) {
    constexpr double c1 = 1e-4, c2 = 0.9;
    const double d0 = g0.dot(p);
    const double pnorm = p.cwiseAbs().maxCoeff();
    const double step_max = pnorm > 0 ? max_step_norm / pnorm : inf;
    line_search_result best;  // best point meeting the sufficient-decrease condition
    vec x(x0.size()), g(x0.size());

    auto eval = [&](double step, double& d) {
        for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = x0(i) + step * p(i);
        double v = f(x, g);
        d = std::isfinite(v) ? g.dot(p) : 0;
        if (std::isfinite(v) && v <= f0 + c1 * step * d0 && v < best.value) {
            best.ok = true;
            best.step = step;
            best.value = v;
            best.x = x;
            best.g = g;
        }
        return v;
    };

    // zoom between lo (sufficient decrease, f_lo) and hi.
    auto zoom = [&](double lo, double f_lo, double d_lo, double hi, double f_hi) {
        for (int i = 0; i < 40; ++i) {
            double step;
            const double width = hi - lo;
            // Quadratic through (lo, f_lo, d_lo) and (hi, f_hi) when f_hi is finite; bisection
            // otherwise (f_hi = +∞ carries no shape information). Safeguarded to the interior.
            if (std::isfinite(f_hi)) {
                const double denom = 2 * (f_hi - f_lo - d_lo * width);
                step = denom > 0 ? lo - d_lo * width * width / denom : lo + 0.5 * width;
                const double lo_b = std::min(lo, hi) + 0.1 * std::abs(width);
                const double hi_b = std::max(lo, hi) - 0.1 * std::abs(width);
                if (!(step >= lo_b && step <= hi_b)) step = lo + 0.5 * width;
            } else {
                step = lo + 0.25 * width;  // non-finite side: shrink towards lo quickly
            }
            double d;
            const double v = eval(step, d);
            if (!std::isfinite(v) || v > f0 + c1 * step * d0 || v >= f_lo) {
                hi = step;
                f_hi = v;
            } else {
                if (std::abs(d) <= -c2 * d0) return;  // strong Wolfe met: best holds it
                if (d * (hi - lo) >= 0) {
                    hi = lo;
                    f_hi = f_lo;
                }
                lo = step;
                f_lo = v;
                d_lo = d;
            }
            if (std::abs(hi - lo) * pnorm < 1e-16 * (1 + x0.cwiseAbs().maxCoeff())) return;
            // The most f can change across the bracket is below its rounding (near the optimum
            // of a sum over a million rows): more trials only sample that noise, and used to
            // cost a 1 M-row BG/NBD fit 40 evaluations per failed search (8.8 s instead of 0.13).
            if (std::abs(hi - lo) * -d0 < rounding * std::abs(f0)) return;
        }
    };

    double prev = 0, f_prev = f0, d_prev = d0;
    double step = std::min(step0, step_max);
    for (int i = 0; i < 40; ++i) {
        double d;
        const double v = eval(step, d);
        if (!std::isfinite(v)) {
            // Overflow at this trial: the minimum along p lies before it.
            zoom(prev, f_prev, d_prev, step, inf);
            return best;
        }
        if (v > f0 + c1 * step * d0 || (i > 0 && v >= f_prev)) {
            zoom(prev, f_prev, d_prev, step, v);
            return best;
        }
        if (std::abs(d) <= -c2 * d0) return best;  // strong Wolfe at the first try
        if (d >= 0) {
            zoom(step, v, d, prev, f_prev);
            return best;
        }
        if (step >= step_max) return best;  // cannot extrapolate further
        prev = step;
        f_prev = v;
        d_prev = d;
        step = std::min(2 * step, step_max);
    }
    return best;
}

/// Nelder-Mead with the adaptive coefficients of Gao & Han (2012); non-finite values are +∞.
inline vec nelder_mead(counted& f, const vec& x0, int max_evaluations, double& f_best) {
    const int n = static_cast<int>(x0.size());
    const double dn = n;
    const double alpha = 1, beta = 1 + 2 / dn, gamma = 0.75 - 1 / (2 * dn), delta = 1 - 1 / dn;
    vec g(n);
    std::vector<vec> s(n + 1, x0);
    std::vector<double> fs(n + 1);
    for (int i = 0; i < n; ++i) s[i + 1](i) += 0.5;  // log-parameter scale: a factor e^0.5
    for (int i = 0; i <= n; ++i) fs[i] = f(s[i], g);
    const int start = f.evaluations;
    std::vector<int> idx(n + 1);
    while (f.evaluations - start < max_evaluations) {
        for (int i = 0; i <= n; ++i) idx[i] = i;
        std::sort(idx.begin(), idx.end(), [&](int a, int b) { return fs[a] < fs[b]; });
        const int lo = idx[0], hi = idx[n], nh = idx[n - 1];
        if (std::isfinite(fs[hi]) &&
            fs[hi] - fs[lo] <= 1e-15 * (1 + std::abs(fs[lo])))
            break;
        vec c = vec::Zero(n);
        for (int i = 0; i <= n; ++i)
            if (i != hi)
                for (int j = 0; j < n; ++j) c(j) += s[i](j);
        for (int j = 0; j < n; ++j) c(j) /= dn;
        vec xr = step_from(c, alpha, c, s[hi]);
        double fr = f(xr, g);
        if (fr < fs[lo]) {
            vec xe = step_from(c, beta, xr, c);
            double fe = f(xe, g);
            if (fe < fr) { s[hi] = xe; fs[hi] = fe; } else { s[hi] = xr; fs[hi] = fr; }
            continue;
        }
        if (fr < fs[nh]) { s[hi] = xr; fs[hi] = fr; continue; }
        const bool outside = fr < fs[hi];
        // (c − γ(c − s) is c + (−γ)(c − s) exactly: negation and x − y = x + (−y) are exact)
        vec xc = outside ? step_from(c, gamma, xr, c) : step_from(c, -gamma, c, s[hi]);
        double fc = f(xc, g);
        if (fc < (outside ? fr : fs[hi])) { s[hi] = xc; fs[hi] = fc; continue; }
        for (int i = 0; i <= n; ++i) {  // shrink towards the best vertex
            if (i == lo) continue;
            s[i] = step_from(s[lo], delta, s[i], s[lo]);
            fs[i] = f(s[i], g);
        }
    }
    int best = 0;
    for (int i = 1; i <= n; ++i)
        if (fs[i] < fs[best]) best = i;
    f_best = fs[best];
    return s[best];
}

/// The body of minimize_with (BFGS iterations); x, g, fx hold the current point throughout so
/// that a stop request (an exception from counted) can report it.
template <class Finish>
minimize_result minimize_loop(counted& fc, vec& x, vec& g, double& fx,
                              const minimize_options& opt, Eigen::MatrixXd& H, bool h_is_identity,
                              minimize_result& res, Finish& finish) {
    const Eigen::Index n = x.size();
    fx = fc(x, g);
    if (!std::isfinite(fx))
        return finish(stop_reason::not_finite, "the objective is not finite at the start point");
    // Divergence test: iterations in a row that moved each parameter outward beyond a bound.
    std::vector<int> outward(static_cast<std::size_t>(n), 0);
    const std::size_t bounded =
        std::min({static_cast<std::size_t>(n), opt.diverge_above.size(), opt.diverge_below.size()});
    auto name_of = [&](std::size_t i) {
        return i < opt.names.size() ? opt.names[i] : "x[" + std::to_string(i) + "]";
    };
    auto beyond = [&](std::size_t i) {  // +1 above, −1 below its bound, 0 inside
        const double v = x(static_cast<Eigen::Index>(i));
        return v > opt.diverge_above[i] ? 1 : v < opt.diverge_below[i] ? -1 : 0;
    };
    auto diverged = [&](std::size_t i, const std::string& how) {
        const int side = beyond(i);
        return finish(stop_reason::diverged,
                      "stopped: parameter '" + name_of(i) + "' = " +
                          format_short(std::exp(x(static_cast<Eigen::Index>(i)))) + " " + how +
                          (side > 0 ? " towards infinity" : " towards 0") +
                          ": the data do not identify it (the likelihood keeps increasing, or "
                          "stays flat, as it goes further)");
    };
    // Convergence met: unless at a point beyond a bound (a flat ridge towards a boundary).
    auto converged = [&](std::string message) {
        for (std::size_t i = 0; i < bounded; ++i)
            if (beyond(i) != 0) return diverged(i, "ended on a flat ridge");
        return finish(stop_reason::converged, std::move(message));
    };

    if (H.rows() != n || H.cols() != n || !all_finite(H)) {
        H = Eigen::MatrixXd::Identity(n, n);
        h_is_identity = true;
    }
    bool used_nelder_mead = false;
    for (int it = 0; it < opt.max_iterations; ++it) {
        res.info.iterations = it;
        const double gnorm = g.cwiseAbs().maxCoeff();
        if (gnorm <= opt.gradient_tolerance)
            return converged("converged: gradient max-norm " + format_short(gnorm) +
                             " <= tolerance");
        if (fc.evaluations >= opt.max_evaluations)
            return finish(stop_reason::iteration_limit,
                          "stopped: evaluation limit reached with gradient max-norm " +
                              format_short(gnorm));
        // p = −H g: Eigen evaluates −H·g as the product H·g with the factor −1 (the same kernel
        // call as subtracting H·g from zeros, which is what is written here).
        vec p = vec::Zero(n);
        p.noalias() -= H * g;
        if (!(g.dot(p) < 0)) {  // H lost positive definiteness numerically: restart
            H.setIdentity();
            h_is_identity = true;
            for (Eigen::Index i = 0; i < n; ++i) p(i) = -g(i);
        }
        // First step of steepest descent: length 1 in the max-norm at most (unknown scale).
        const double step0 = h_is_identity ? std::min(1.0, 1.0 / gnorm) : 1.0;
        auto ls = line_search(fc, x, fx, g, p, step0, opt.max_step, opt.value_rounding);
        if (!ls.ok) {
            if (!h_is_identity) {  // the quasi-Newton direction may be poor: steepest descent
                H.setIdentity();
                h_is_identity = true;
                continue;
            }
            // f cannot be decreased along -g at all: f is flat to machine precision here.
            if (gnorm <= opt.stall_gradient_tolerance)
                return converged("converged: no further decrease possible (machine precision), "
                                 "gradient max-norm " + format_short(gnorm));
            if (!used_nelder_mead) {  // a kink or a badly scaled region: derivative-free try
                used_nelder_mead = true;
                double fnm;
                vec xn = nelder_mead(fc, x, 400 * static_cast<int>(n), fnm);
                if (fnm < fx) {  // (x, g, fx change together: a stop request may come)
                    vec gn(n);
                    const double fn = fc(xn, gn);
                    x = xn;
                    g = gn;
                    fx = fn;
                }
                H.setIdentity();
                h_is_identity = true;
                continue;
            }
            return finish(stop_reason::no_progress,
                          "stopped: line search failed with gradient max-norm " +
                              format_short(gnorm));
        }
        vec s(n), y(n);
        for (Eigen::Index i = 0; i < n; ++i) {
            s(i) = ls.x(i) - x(i);
            y(i) = ls.g(i) - g(i);
        }
        x = ls.x;
        g = ls.g;
        fx = ls.value;
        // Divergence: a parameter beyond its bound that moved outward three iterations in a row.
        for (std::size_t i = 0; i < bounded; ++i) {
            const int side = beyond(i);
            const double step = s(static_cast<Eigen::Index>(i));
            int& k = outward[i];
            k = side != 0 && side * step > 0 ? k + 1 : 0;
            if (k >= 3) {
                res.info.iterations = it + 1;
                return diverged(i, std::string("keeps ") + (side > 0 ? "growing" : "shrinking") +
                                       " (x" + format_short(std::exp(step)) +
                                       " in the last iteration)");
            }
        }
        const double sy = s.dot(y);
        // The BFGS update keeps H positive definite only when the curvature sᵀy is positive;
        // a point that met only the sufficient-decrease condition may violate it: skip then.
        if (sy > 1e-12 * s.norm() * y.norm()) {
            if (h_is_identity) {  // Nocedal & Wright (6.20) initial scaling
                const double scale = sy / y.dot(y);
                for (Eigen::Index k = 0; k < H.size(); ++k) H.data()[k] *= scale;
            }
            const double rho = 1 / sy;
            const vec Hy = H * y;
            const double yHy = y.dot(Hy);
            // H += c s sᵀ − ρ (Hy sᵀ + s Hyᵀ), c = ρ² yᵀHy + ρ: the inverse BFGS update
            // (Nocedal & Wright (6.17) expanded), coefficient by coefficient.
            const double c = rho * rho * yHy + rho;
            for (Eigen::Index j = 0; j < n; ++j)
                for (Eigen::Index i = 0; i < n; ++i)
                    H(i, j) += (c * s(i)) * s(j) - rho * (Hy(i) * s(j) + s(i) * Hy(j));
            h_is_identity = false;
        }
    }
    res.info.iterations = opt.max_iterations;
    return finish(stop_reason::iteration_limit,
                  "stopped: iteration limit reached with gradient max-norm " +
                      format_short(g.cwiseAbs().maxCoeff()));
}

}  // namespace optimize_impl

/// Minimises f over Rⁿ from x0 with the inverse-Hessian approximation H (n×n); `h_is_identity`
/// says that H is the unscaled identity (the first step is then a bounded steepest-descent step
/// and H is rescaled by Nocedal & Wright (6.20) after it). On return H holds the final
/// approximation, which can warm-start a related problem (minimize_warm).
inline minimize_result minimize_with(objective_ref f, const std::vector<double>& x0,
                                     const minimize_options& opt, Eigen::MatrixXd& H,
                                     bool h_is_identity) {
    using namespace optimize_impl;
    const Eigen::Index n = static_cast<Eigen::Index>(x0.size());
    counted fc{f, opt};
    minimize_result res;
    vec x = Eigen::Map<const vec>(x0.data(), n);
    vec g = vec::Zero(n);
    double fx = inf;
    auto finish = [&](stop_reason why, std::string message) {
        res.x.assign(x.data(), x.data() + n);
        res.value = fx;
        res.info.converged = why == stop_reason::converged;
        res.info.stop = why;
        res.info.function_evaluations = fc.evaluations;
        res.info.gradient_norm = std::isfinite(fx) ? g.cwiseAbs().maxCoeff() : inf;
        res.info.message = std::move(message);
        return res;
    };
    try {
        return minimize_loop(fc, x, g, fx, opt, H, h_is_identity, res, finish);
    } catch (const stop_request& stop) {
        const bool time = stop.reason == stop_reason::time_limit;
        return finish(stop.reason,
                      std::string(time ? "stopped: the time limit ran out" : "stopped: cancelled") +
                          " after " + std::to_string(res.info.iterations) + " iterations" +
                          (std::isfinite(fx) ? ", gradient max-norm " +
                                                   format_short(g.cwiseAbs().maxCoeff())
                                             : std::string(" (before the first evaluation)")));
    }
}

/// Minimises f over Rⁿ from x0. f(const double* x, double* grad) returns f(x) and writes ∇f(x)
/// into grad[0..n); it may return a non-finite value (treated as +∞).
inline minimize_result minimize(objective_ref f, const std::vector<double>& x0,
                                const minimize_options& opt = {}) {
    const Eigen::Index n = static_cast<Eigen::Index>(x0.size());
    Eigen::MatrixXd H = Eigen::MatrixXd::Identity(n, n);
    return minimize_with(f, x0, opt, H, true);
}

/// minimize() started with the inverse-Hessian approximation H of a closely related problem
/// (e.g. the same objective on a subsample, whose minimiser is close): the first step is then a
/// quasi-Newton step, and a few iterations usually reach the tolerance. H is updated in place.
inline minimize_result minimize_warm(objective_ref f, const std::vector<double>& x0,
                                     const minimize_options& opt, Eigen::MatrixXd& H) {
    return minimize_with(f, x0, opt, H, false);
}

/// Hessian by central differences of an analytic gradient grad(const double* x, double* g):
/// H(:, i) = (∇f(x + hᵢeᵢ) − ∇f(x − hᵢeᵢ)) / (2hᵢ), hᵢ = rel_step · max(1, |xᵢ|), then
/// symmetrised. The truncation error is O(h²), the rounding error O(ε‖∇f‖/h).
inline Eigen::MatrixXd numeric_hessian(gradient_ref grad, const std::vector<double>& x,
                                       double rel_step = 1e-4) {
    const Eigen::Index n = static_cast<Eigen::Index>(x.size());
    Eigen::MatrixXd H(n, n);
    std::vector<double> xp(x);
    Eigen::VectorXd gp(n), gm(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double h = rel_step * std::max(1.0, std::abs(x[i]));
        xp[i] = x[i] + h;
        grad(xp.data(), gp.data());
        xp[i] = x[i] - h;
        grad(xp.data(), gm.data());
        xp[i] = x[i];
        for (Eigen::Index j = 0; j < n; ++j) H(j, i) = (gp(j) - gm(j)) / (2 * h);
    }
    Eigen::MatrixXd symmetric(n, n);
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < n; ++i) symmetric(i, j) = 0.5 * (H(i, j) + H(j, i));
    return symmetric;
}

/// Runs minimize() from each start in turn and stops at the first that converges; when none
/// does, returns the run with the lowest objective (its report says it did not converge).
inline minimize_result minimize_multistart(objective_ref f,
                                           const std::vector<std::vector<double>>& starts,
                                           const minimize_options& opt = {}) {
    minimize_result best;
    int evaluations = 0, iterations = 0;
    for (const auto& x0 : starts) {
        minimize_result r = minimize(f, x0, opt);
        evaluations += r.info.function_evaluations;
        iterations += r.info.iterations;
        const bool stop = stop_requested(r.info);
        // (a stop request is reported even if an earlier run had a lower value: the caller must
        // learn that the fit was cut short; its point is then the better of the two)
        const bool better = !best.info.converged && (r.info.converged || r.value < best.value ||
                                                     best.x.empty());
        if (stop && !better) {
            best.info.stop = r.info.stop;
            best.info.message = r.info.message;
        }
        if (better) best = std::move(r);
        if (best.info.converged || stop) break;
    }
    best.info.function_evaluations = evaluations;
    best.info.iterations = iterations;
    return best;
}

/// Fills report.parameters / covariance from the optimum `theta` = log(φ) of an objective
/// whose value is (−LL)/W + penalty: the Hessian of the total is W · H_mean (numeric, from the
/// analytic gradient `grad`), its inverse the covariance of θ, and by the delta method
/// Cov(φ) = diag(φ) Cov(θ) diag(φ) (see ltv/fit_report.hpp).
inline void fill_standard_errors(fit_report& report, gradient_ref grad,
                                 const std::vector<double>& theta,
                                 const std::vector<const char*>& names, double total_weight) {
    const std::size_t k = theta.size();
    report.parameters.clear();
    for (std::size_t i = 0; i < k; ++i)
        report.parameters.push_back({names[i], std::exp(theta[i]),
                                     std::numeric_limits<double>::quiet_NaN()});
    report.covariance.assign(k * k, std::numeric_limits<double>::quiet_NaN());
    report.standard_errors_available = false;
    Eigen::MatrixXd H = numeric_hessian(grad, theta);
    for (Eigen::Index e = 0; e < H.size(); ++e) H.data()[e] *= total_weight;
    if (!optimize_impl::all_finite(H)) return;
    // The covariance is H⁻¹ by Cholesky, H = L Lᵀ, written out for the handful of parameters a
    // model has: Eigen::LLT would compile its blocked matrix-matrix kernels into every
    // translation unit with a fit, and Eigen's unblocked step is not public API.
    const Eigen::Index n = H.rows();
    Eigen::MatrixXd L = Eigen::MatrixXd::Zero(n, n);
    for (Eigen::Index c = 0; c < n; ++c) {
        double d = H(c, c);
        for (Eigen::Index m = 0; m < c; ++m) d -= L(c, m) * L(c, m);
        if (!(d > 0) || !std::isfinite(d)) return;  // not positive definite: no standard errors
        L(c, c) = std::sqrt(d);
        for (Eigen::Index r = c + 1; r < n; ++r) {
            double v = H(r, c);
            for (Eigen::Index m = 0; m < c; ++m) v -= L(r, m) * L(c, m);
            L(r, c) = v / L(c, c);
        }
    }
    // H⁻¹ = L⁻ᵀ L⁻¹: M = L⁻¹ by forward substitution (lower triangular), then
    // (H⁻¹)ᵢⱼ = Σₘ Mₘᵢ Mₘⱼ, the same products in the same order for (i, j) and (j, i), so the
    // covariance is exactly symmetric.
    Eigen::MatrixXd M = Eigen::MatrixXd::Zero(n, n);
    for (Eigen::Index col = 0; col < n; ++col)
        for (Eigen::Index r = col; r < n; ++r) {
            double v = r == col ? 1.0 : 0.0;
            for (Eigen::Index m = col; m < r; ++m) v -= L(r, m) * M(m, col);
            M(r, col) = v / L(r, r);
        }
    Eigen::MatrixXd cov_log(n, n);
    for (Eigen::Index a = 0; a < n; ++a)
        for (Eigen::Index b = 0; b < n; ++b) {
            double v = 0;
            for (Eigen::Index m = std::max(a, b); m < n; ++m) v += M(m, a) * M(m, b);
            cov_log(a, b) = v;
        }
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j)
            report.covariance[i * k + j] = report.parameters[i].value *
                                           report.parameters[j].value *
                                           cov_log(static_cast<Eigen::Index>(i),
                                                   static_cast<Eigen::Index>(j));
    for (std::size_t i = 0; i < k; ++i)
        report.parameters[i].standard_error = std::sqrt(report.covariance[i * k + i]);
    report.standard_errors_available = true;
}

}  // namespace ltv::detail
