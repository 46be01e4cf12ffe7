// SPDX-License-Identifier: Apache-2.0
// ltv/ggomnbd.hpp — the Gamma-Gompertz/NBD (GGom/NBD) model of Bemmaor & Glady (2012),
// "Modeling Purchasing Behavior with Sudden 'Death': A Flexible Customer Lifetime Model",
// Management Science 58(5); the same quantities as CLVTools' `ggomnbd` (with Adler's 2022
// erratum for the conditional expectation).
//
// While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α) (as Pareto/NBD).
// The lifetime τ is Gompertz with hazard η b e^{bτ}, η ~ Gamma(s, β) (rate β), so
//   S(t)  = P(τ > t) = (β / (β + e^{bt} − 1))^s,
//   f(t)  = b s β^s e^{bt} (β + e^{bt} − 1)^−(s+1).
// b → 0 with β/b = β_P fixed gives e^{bt} − 1 → bt and S(t) → (β_P/(β_P + t))^s: Pareto/NBD
// (b and β both go to 0 on data that a Pareto/NBD describes, e.g. CDNOW).
// For (x, t_x, T) (ltv/rfm_data.hpp), K = Γ(r+x)/Γ(r) α^r,
//   L = K [ A + I ],   A = (α+T)^−(r+x) S(T),   I = ∫_{t_x}^T (α+τ)^−(r+x) f(τ) dτ,
//   P(alive | x, t_x, T) = K A / L = A / (A + I),
//   E[Y(t) | x, t_x, T]  = P(alive) (r+x)/(α+T) ∫_0^t S_T(u) du,
//                          S_T(u) = ((β + e^{bT} − 1)/(β + e^{b(T+u)} − 1))^s
// (given alive at T: λ ~ Gamma(r+x, α+T), η ~ Gamma(s, β + e^{bT} − 1)),
//   P(alive at T + m | x, t_x, T) = P(alive) S_T(m),
//   E[X(t)] = r/α ∫_0^t S(u) du   (a new customer: E[min(τ, t)] purchase time at rate E[λ]).
//
// Numerics. The integrals have no closed form usable in all of the parameter space, so they are
// computed by tanh-sinh quadrature (detail::ggom_tanh_sinh): its nodes cluster doubly
// exponentially at both ends, where the integrand of I peaks when (α+τ)^−(r+x) is steep (large
// x, small α) or the lifetime density decays fast (large b s); an interior peak of f (at
// e^{bτ} = (β−1)/s when that lies in (t_x, T)) is made an end point by splitting there. The
// integrand is evaluated in log space and scaled by the largest of ln A and its values at the
// ends and the split, so neither e^{bT} (bT > 709) nor (α+τ)^−(r+x) (x = 10⁴) overflows or
// underflows; ln(β + e^{bτ} − 1) is ln(β + expm1(bτ)) (no cancellation as b → 0) or, for
// bτ > 30, bτ + log1p((β−1)e^{−bτ}) (no overflow). Levels are refined (h = 1, 1/2, …, 1/128)
// until a level changes A + I by less than 1e−7 relative; quadrature error falls
// quadratically per level (typically 129 nodes), so the result is then accurate to ~1e−14 (tests/oracle/ggomnbd.py
// checks with mpmath at 30 digits). Per-customer functions report status::no_convergence where
// the last level still changes the value by more than 1e−8 relative.
//
// Gradient (fits): analytic in the log-parameters; ∂/∂θ of ln K and ln A in closed form, of I
// by differentiating under the integral sign: the same quadrature nodes accumulate ∫ g ∂ln g/∂θ
// for the five parameters alongside ∫ g, so the gradient costs one extra multiply-add per node
// and parameter and agrees with central differences of log L to rounding.
//
// Fits: detail::run_fit, started from the Pareto/NBD estimate (the nested point) and from
// generic starts. The maximum may lie on the boundary b → 0 (the Pareto/NBD limit, e.g.
// CDNOW): the log-parameter gradient in b then vanishes like b, so the optimiser stops at an
// arbitrary small b or reports divergence. ggomnbd_fit then holds b at the documented bound
// b_min = 1e−7 / max T (where e^{bT} − 1 differs from bT by < 1e−7 relative, so the model is
// Pareto/NBD to that accuracy) and fits the other four parameters; the report says so in its
// convergence message and gives b the standard error 0 (held, as a fixed parameter).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
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
#include "ltv/model_traits.hpp"
#include "ltv/pareto_nbd.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv {

struct ggomnbd_params {
    double r = 0;      ///< shape of the Gamma purchase-rate heterogeneity
    double alpha = 0;  ///< scale (time units) of the Gamma purchase-rate heterogeneity
    double b = 0;      ///< Gompertz scale (per time unit): the hazard grows as e^{bt}
    double s = 0;      ///< shape of the Gamma heterogeneity of the Gompertz hazard level η
    double beta = 0;   ///< rate of the Gamma heterogeneity of η (dimensionless)
};

struct ggomnbd_fit_result {
    ggomnbd_params params;
    fit_report report;  ///< parameters in the order r, alpha, b, s, beta
};

namespace detail {

inline void validate_ggom_params(const char* fn, const ggomnbd_params& p) {
    require_positive(fn, "r", p.r);
    require_positive(fn, "alpha", p.alpha);
    require_positive(fn, "b", p.b);
    require_positive(fn, "s", p.s);
    require_positive(fn, "beta", p.beta);
}

/// Λ(τ) = ln(β + e^{bτ} − 1) ≥ ln min(β, …) > −∞. expm1 keeps bτ ≪ 1 exact (the Pareto/NBD
/// limit b → 0); above bτ = 30 the factored form avoids e^{bτ} overflowing (e^{−30} ≈ 1e−13,
/// so log1p sees an argument it handles to full precision).
inline double ggom_log_h(double b, double beta, double tau) {
    const double bt = b * tau;
    if (bt <= 30) return std::log(beta + std::expm1(bt));
    return bt + std::log1p((beta - 1) * std::exp(-bt));
}

/// Λ(τ) with e^{−Λ} = 1/(β + e^{bτ} − 1) and e^{bτ−Λ}, the gradient's terms, from one expm1
/// (or, for bτ > 30, one exp) instead of three transcendental calls.
struct ggom_h {
    double log;         ///< Λ(τ)
    double inv;         ///< e^{−Λ}
    double ebt_over_h;  ///< e^{bτ − Λ} ∈ (0, 1/min(β, 1)]
};
inline ggom_h ggom_h_of(double b, double beta, double tau) {
    const double bt = b * tau;
    if (bt <= 30) {  // (the same branch as ggom_log_h, so log is the same bits)
        const double em = std::expm1(bt), h = beta + em;
        return {std::log(h), 1 / h, (em + 1) / h};
    }
    const double e = (beta - 1) * std::exp(-bt);  // |e| < 1e−13 β
    const double L = bt + std::log1p(e);
    return {L, std::exp(-L), 1 / (1 + e)};
}

/// The Gompertz density's interior maximum e^{bτ*} = (β−1)/s, if it lies in (lo, hi); else NaN.
inline double ggom_density_peak(const ggomnbd_params& p, double lo, double hi) {
    if (!(p.beta - 1 > p.s)) return std::numeric_limits<double>::quiet_NaN();
    const double t = std::log((p.beta - 1) / p.s) / p.b;
    return (t > lo && t < hi) ? t : std::numeric_limits<double>::quiet_NaN();
}

/// Tanh-sinh quadrature of N functions sharing nodes over [lo, hi]: f(τ, out[N]) writes the
/// integrands at τ; the result is their integrals. Levels h = 1, 1/2, … 1/2^max_level over
/// t ∈ [−4, 4] (at |t| = 4 the weight is ~e^−85 of the interval: nothing is truncated); a level
/// is accepted when it changes component 0 by ≤ √tol · (scale + |integral|), which leaves an
/// error of order tol (scale: what the integral is added to, so a negligible integral stops
/// early). Node positions are computed as distances from the
/// nearer end (1 − tanh u = 2/(e^{2u}+1)), so nodes within 1e−30 of an end stay distinct from
/// it. `error` receives the estimated error of component 0: e²/(scale + |integral|) when a level
/// was accepted, else the last level's change e (max_level reached: not converged).
template <std::size_t N, class F>
std::array<double, N> ggom_tanh_sinh(double lo, double hi, double scale, double tol, F&& f,
                                     double& error, int max_level = 7) {
    constexpr double half_pi = 1.5707963267948966;
    constexpr double t_max = 4.0;
    const double d = (hi - lo) / 2;
    std::array<double, N> sum{}, v{};
    auto add_node = [&](double t) {
        const double u = half_pi * std::sinh(std::abs(t));
        const double e = std::exp(-2 * u);
        const double dist = d * 2 * e / (1 + e);  // d (1 − tanh u)
        const double ch = std::cosh(u);
        const double w = half_pi * std::cosh(t) / (ch * ch);
        const double tau = t == 0 ? lo + d : (t > 0 ? hi - dist : lo + dist);
        f(tau, v.data());
        for (std::size_t k = 0; k < N; ++k) sum[k] += w * v[k];
    };
    // level 0: t = 0, ±1, …, ±4
    add_node(0);
    for (int j = 1; j <= 4; ++j) {
        add_node(j);
        add_node(-j);
    }
    double h = 1;
    std::array<double, N> prev{};
    for (std::size_t k = 0; k < N; ++k) prev[k] = d * h * sum[k];
    error = std::numeric_limits<double>::infinity();
    for (int level = 1; level <= max_level; ++level) {
        h /= 2;
        for (double t = h; t <= t_max; t += 2 * h) {
            add_node(t);
            add_node(-t);
        }
        std::array<double, N> cur{};
        for (std::size_t k = 0; k < N; ++k) cur[k] = d * h * sum[k];
        error = std::abs(cur[0] - prev[0]);
        prev = cur;
        // Tanh-sinh's error falls quadratically per level once it converges: a change e of this
        // level leaves an error of about e² (tests/oracle/ggomnbd.py), so a change ≤ √tol is
        // accepted (the last level's change is reported, a conservative bound).
        const double size = scale + std::abs(cur[0]);
        if (level >= 2 && error <= std::sqrt(tol) * size) {
            error = size > 0 ? error * error / size : 0;  // the estimate e² (see above)
            break;
        }
    }
    return prev;
}

/// One customer's evaluation: log L, P(alive), and with Grad ∂ log L / ∂ log(r, α, b, s, β).
struct ggom_eval {
    double log_L = 0;
    double alive = 1;
    double error = 0;  ///< quadrature's last change, relative to A + I
};

/// The acceptance tolerance of the quadrature (see the header comment).
constexpr double ggom_quadrature_tol = 1e-14;

template <bool Grad>
ggom_eval ggom_evaluate(const ggomnbd_params& p, double x, double t_x, double T, double* grad,
                        double lg_r = std::numeric_limits<double>::quiet_NaN(),
                        double dg_r = 0) {
    const double r = p.r, a = p.alpha, b = p.b, s = p.s, be = p.beta;
    const double rx = r + x;
    if (std::isnan(lg_r)) {
        lg_r = log_gamma(r);
        if (Grad) dg_r = boost::math::digamma(r);
    }
    const double ln_a = std::log(a), ln_be = std::log(be), ln_b = std::log(b), ln_s = std::log(s);
    const double lnK = log_gamma(r + x) - lg_r + r * ln_a;
    const double LT = ggom_log_h(b, be, T);
    const double lnA = -rx * std::log(a + T) + s * ln_be - s * LT;
    const double c0 = ln_b + ln_s + s * ln_be;
    // ℓ(τ) = ln of the integrand of I
    auto ell = [&](double tau, double L) { return -rx * std::log(a + tau) + c0 + b * tau - (s + 1) * L; };
    ggom_eval out;
    double M = lnA;
    const bool has_integral = T > t_x;
    const double peak = has_integral ? ggom_density_peak(p, t_x, T)
                                     : std::numeric_limits<double>::quiet_NaN();
    if (has_integral) {
        M = std::max({M, ell(t_x, ggom_log_h(b, be, t_x)), ell(T, LT)});
        if (!std::isnan(peak)) M = std::max(M, ell(peak, ggom_log_h(b, be, peak)));
    }
    const double Ahat = std::exp(lnA - M);  // ≤ 1
    // integrand components: g, g·∂ℓ/∂log θ for θ = r, α, b, s, β
    std::array<double, 6> J{};
    double err = 0;
    if (has_integral) {
        auto integrand = [&](double tau, double* v) {
            const ggom_h h = ggom_h_of(b, be, tau);
            const double g = std::exp(ell(tau, h.log) - M);
            v[0] = g;
            if (Grad) {
                const double bt = b * tau;
                v[1] = g * (-r * std::log(a + tau));
                v[2] = g * (-rx * a / (a + tau));
                v[3] = g * (1 + bt - (s + 1) * bt * h.ebt_over_h);
                v[4] = g * (1 + s * (ln_be - h.log));
                v[5] = g * (s - (s + 1) * be * h.inv);
            }
        };
        // Levels stop when they change I by ≤ 1e−7 of A + I (A known, I the level's value).
        auto integrate = [&](double lo, double hi) {
            double e = 0;
            std::array<double, 6> part{};
            const double scale = Ahat;
            if (Grad) {
                part = ggom_tanh_sinh<6>(lo, hi, scale, ggom_quadrature_tol, integrand, e);
            } else {
                auto scalar = [&](double tau, double* v) {
                    v[0] = std::exp(ell(tau, ggom_log_h(b, be, tau)) - M);
                };
                part[0] = ggom_tanh_sinh<1>(lo, hi, scale, ggom_quadrature_tol, scalar, e)[0];
            }
            for (std::size_t k = 0; k < 6; ++k) J[k] += part[k];
            err += e;
        };
        if (std::isnan(peak)) {
            integrate(t_x, T);
        } else {
            integrate(t_x, peak);
            integrate(peak, T);
        }
    }
    const double D = Ahat + J[0];
    out.log_L = lnK + M + std::log(D);
    out.alive = Ahat / D;
    out.error = err / D;
    if (Grad) {
        const double wA = Ahat / D, wI = 1 / D;
        const double bT = b * T;
        grad[0] = r * (boost::math::digamma(rx) - dg_r + ln_a) +
                  wA * (-r * std::log(a + T)) + wI * J[1];
        grad[1] = r + wA * (-rx * a / (a + T)) + wI * J[2];
        grad[2] = wA * (-s * bT * std::exp(bT - LT)) + wI * J[3];
        grad[3] = wA * (s * (ln_be - LT)) + wI * J[4];
        grad[4] = wA * (s - s * be * std::exp(-LT)) + wI * J[5];
    }
    return out;
}

/// The evaluation of one customer for the public functions: no_convergence where the
/// quadrature's last level still moved A + I by more than 1e−8 relative.
inline ggom_eval ggom_checked(const char* fn, const ggomnbd_params& p, double x, double t_x,
                              double T) {
    const ggom_eval e = ggom_evaluate<false>(p, x, t_x, T, nullptr);
    if (!(e.error <= 1e-8) || !std::isfinite(e.log_L) || !(e.alive >= 0 && e.alive <= 1))
        fail(status::no_convergence, fn,
             "the integral over the time of death could not be computed to 1e-8 relative (x = " +
                 format_value(x) + ", t_x = " + format_value(t_x) + ", T = " + format_value(T) +
                 ", r = " + format_value(p.r) + ", alpha = " + format_value(p.alpha) +
                 ", b = " + format_value(p.b) + ", s = " + format_value(p.s) +
                 ", beta = " + format_value(p.beta) + ")");
    return e;
}

/// ∫_0^t ((β + e^{bT0} − 1)/(β + e^{b(T0+u)} − 1))^s du: the expected alive time in (T0, T0+t]
/// of a customer alive at T0 (T0 = 0: E[min(τ, t)] of a new customer). The integrand falls
/// from 1 (monotone), so tanh-sinh on [0, t] converges fast; its end-point clustering handles a
/// fast decay (large b s, long t) near u = 0. no_convergence if 1e−8 relative is not met.
inline double ggom_alive_time(const char* fn, const ggomnbd_params& p, double T0, double t) {
    if (t == 0) return 0;
    const double L0 = ggom_log_h(p.b, p.beta, T0);
    double err = 0;
    auto f = [&](double u, double* v) {
        v[0] = std::exp(p.s * (L0 - ggom_log_h(p.b, p.beta, T0 + u)));
    };
    const double v = ggom_tanh_sinh<1>(0, t, 0, ggom_quadrature_tol, f, err)[0];
    if (!(err <= 1e-8 * v) || !std::isfinite(v))
        fail(status::no_convergence, fn,
             "the expected alive time could not be integrated to 1e-8 relative (t = " +
                 format_value(t) + ", T = " + format_value(T0) + ")");
    return v;
}

/// Batch loop: validation of parameters and data, then f(x, t_x, T) per row on the pool, an
/// ltv::error at row i rethrown naming it.
template <class F>
void ggom_batch(const char* fn, const ggomnbd_params& p, const rfm_data& data, double* out,
                int threads, F&& f) {
    validate_ggom_params(fn, p);
    validate_rfm(fn, data);
    require_array(fn, "out", out, data.size());
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
            out[i] = at_row(i, [&] { return f(data.frequency[i], data.recency[i], data.age[i]); });
    });
}

/// Σ w log L over prepared rows, with the gradient w.r.t. log parameters when grad != null.
/// Unchecked quadrature (the fit evaluates many points; a level that has not settled to 1e−7
/// still gives the best available value, and the optimum is re-evaluated by the public paths).
inline double ggom_total(const ggomnbd_params& p, const bg_prepared& d, double* grad) {
    const double lg_r = log_gamma(p.r);
    const double dg_r = grad ? boost::math::digamma(p.r) : 0.0;
    double ll = 0;
    std::array<double, 5> g{}, gi{};
    for (std::size_t k = 0; k < d.xs.size(); ++k) {
        const double x = d.xs[k];
        for (std::size_t i = d.start[k]; i < d.start[k + 1]; ++i) {
            const double w = d.w[i];
            if (grad) {
                const ggom_eval e = ggom_evaluate<true>(p, x, d.tx[i], d.T[i], gi.data(), lg_r, dg_r);
                ll += w * e.log_L;
                for (std::size_t j = 0; j < 5; ++j) g[j] += w * gi[j];
            } else {
                ll += w * ggom_evaluate<false>(p, x, d.tx[i], d.T[i], nullptr, lg_r).log_L;
            }
        }
    }
    if (grad)
        for (std::size_t j = 0; j < 5; ++j) grad[j] = g[j];
    return ll;
}

}  // namespace detail

/// log L of one customer.
inline double log_likelihood(const ggomnbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "ggomnbd_log_likelihood";
    detail::validate_ggom_params(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::ggom_checked(fn, params, x, t_x, T).log_L;
}

inline void log_likelihood(const ggomnbd_params& params, const rfm_data& data, double* out,
                           int threads = 1) {
    constexpr const char* fn = "ggomnbd_log_likelihood";
    detail::ggom_batch(fn, params, data, out, threads, [&](double x, double tx, double T) {
        return detail::ggom_checked(fn, params, x, tx, T).log_L;
    });
}

/// Σ wᵢ log Lᵢ; with gradient w.r.t. (log r, log α, log b, log s, log β) when non-null.
inline double total_log_likelihood(const ggomnbd_params& params, const rfm_data& data,
                                   double* gradient = nullptr) {
    constexpr const char* fn = "ggomnbd_total_log_likelihood";
    detail::validate_ggom_params(fn, params);
    detail::validate_rfm(fn, data);
    return detail::ggom_total(params, detail::bg_prepare(data, false), gradient);
}

/// P(alive at T | x, t_x, T) = A / (A + I).
inline double probability_alive(const ggomnbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "ggomnbd_probability_alive";
    detail::validate_ggom_params(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::ggom_checked(fn, params, x, t_x, T).alive;
}

inline void probability_alive(const ggomnbd_params& params, const rfm_data& data, double* out,
                              int threads = 1) {
    constexpr const char* fn = "ggomnbd_probability_alive";
    detail::ggom_batch(fn, params, data, out, threads, [&](double x, double tx, double T) {
        return detail::ggom_checked(fn, params, x, tx, T).alive;
    });
}

namespace detail {
inline double ggom_conditional(const char* fn, const ggomnbd_params& p, double t, double x,
                               double t_x, double T) {
    const double alive = ggom_checked(fn, p, x, t_x, T).alive;
    if (alive == 0 || t == 0) return 0;
    return alive * (p.r + x) / (p.alpha + T) * ggom_alive_time(fn, p, T, t);
}
}  // namespace detail

/// E[purchases in (T, T+t] | x, t_x, T] (Bemmaor & Glady 2012 with Adler's 2022 erratum).
inline double conditional_expected_purchases(const ggomnbd_params& params, double t, double x,
                                             double t_x, double T) {
    constexpr const char* fn = "ggomnbd_conditional_expected_purchases";
    detail::validate_ggom_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    detail::validate_customer(fn, x, t_x, T);
    return detail::ggom_conditional(fn, params, t, x, t_x, T);
}

inline void conditional_expected_purchases(const ggomnbd_params& params, double t,
                                           const rfm_data& data, double* out, int threads = 1) {
    constexpr const char* fn = "ggomnbd_conditional_expected_purchases";
    detail::require_nonnegative(fn, "t", t);
    detail::ggom_batch(fn, params, data, out, threads, [&](double x, double tx, double T) {
        return detail::ggom_conditional(fn, params, t, x, tx, T);
    });
}

/// P(alive at T + t | x, t_x, T) = P(alive) S_T(t) (given alive at T, η ~ Gamma(s, β+e^{bT}−1)).
inline double probability_alive_ahead(const ggomnbd_params& params, double t, double x,
                                      double t_x, double T) {
    constexpr const char* fn = "ggomnbd_probability_alive_ahead";
    detail::validate_ggom_params(fn, params);
    detail::require_nonnegative(fn, "periods_ahead", t);
    detail::validate_customer(fn, x, t_x, T);
    const double alive = detail::ggom_checked(fn, params, x, t_x, T).alive;
    return alive * std::exp(params.s * (detail::ggom_log_h(params.b, params.beta, T) -
                                        detail::ggom_log_h(params.b, params.beta, T + t)));
}

inline void probability_alive_ahead(const ggomnbd_params& params, double t, const rfm_data& data,
                                    double* out, int threads = 1) {
    constexpr const char* fn = "ggomnbd_probability_alive_ahead";
    detail::require_nonnegative(fn, "periods_ahead", t);
    detail::ggom_batch(fn, params, data, out, threads, [&](double x, double tx, double T) {
        const double alive = detail::ggom_checked(fn, params, x, tx, T).alive;
        return alive * std::exp(params.s * (detail::ggom_log_h(params.b, params.beta, T) -
                                            detail::ggom_log_h(params.b, params.beta, T + t)));
    });
}

/// E[X(t)] = r/α ∫_0^t S(u) du: expected purchases in (0, t] of a customer whose first purchase
/// was at 0 (CLVTools' ggomnbd_expectation, integrated by parts).
inline double expected_purchases(const ggomnbd_params& params, double t) {
    constexpr const char* fn = "ggomnbd_expected_purchases";
    detail::validate_ggom_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    return params.r / params.alpha * detail::ggom_alive_time(fn, params, 0, t);
}

/// One simulated customer of age T: λ ~ Gamma(r, α), η ~ Gamma(s, β); the Gompertz lifetime
/// solves η (e^{bτ} − 1) = E, E ~ Exp(1): τ = log1p(E/η)/b (ln(E/η)/b where E/η overflows);
/// purchases as Pareto/NBD's simulate_customer on (0, min(τ, T)].
inline detail::simulated_customer simulate_customer(const ggomnbd_params& params, double T,
                                                    detail::random_engine& g) {
    constexpr const char* fn = "ggomnbd_simulate";
    detail::validate_ggom_params(fn, params);
    detail::require_nonnegative(fn, "T", T);
    const double log_lambda = g.log_gamma(params.r) - std::log(params.alpha);
    const double log_eta = g.log_gamma(params.s) - std::log(params.beta);
    const double lz = std::log(g.exponential()) - log_eta;  // ln(E/η)
    const double tau = (lz > 700 ? lz : std::log1p(std::exp(lz))) / params.b;
    detail::simulated_customer c;
    c.alive = tau > T;
    const double L = c.alive ? T : tau;
    const double mean = std::exp(log_lambda) * L;
    detail::require_simulated_finite(fn, "expected number of purchases", mean);
    c.frequency = g.poisson(mean);
    if (c.frequency > 0) c.recency = L * std::exp(std::log(g.uniform()) / c.frequency);
    return c;
}

/// Maximum-likelihood fit (see the header comment: starts from the Pareto/NBD estimate, and the
/// boundary b → 0 held at b_min = 1e−7 / max T). Throws status::no_convergence when it fails.
inline ggomnbd_fit_result fit_ggomnbd(const rfm_data& data, const fit_options& options = {}) {
    constexpr const char* fn = "ggomnbd_fit";
    detail::rfm_fit_rows f = detail::prepare_rfm_fit(fn, data);
    const detail::bg_prepared& d = f.rows;
    const double meanT = f.sT / d.total_weight;
    const double alpha0 = f.sx > 0 ? f.sT / f.sx : meanT;
    const double b_min = 1e-7 / f.max_T;
    detail::fit_problem pr;
    pr.fn = fn;
    pr.total_weight = d.total_weight;
    pr.rows_used = d.tx.size();
    // b: a rate (1/time); its lower divergence bound is b_min (the boundary handled below).
    pr.bounds = {{"r"}, detail::scale_parameter("alpha", meanT), {"b", 1e7, b_min}, {"s"},
                 {"beta", 1e7, 0}};
    pr.lifetimes_penalty_scale = {1, 1 / f.max_T, f.max_T, 1, 1};
    pr.lifetimes_divisor = d.total_weight / static_cast<double>(data.size());
    // The nested point: Pareto/NBD's estimate (r, α, s, β_P) is GGom/NBD at b → 0, β = b β_P.
    std::vector<std::vector<double>> nested;
    try {
        fit_options po;
        po.standard_errors = false;
        po.allow_no_convergence = true;
        po.time_limit = options.time_limit;
        const auto pn = fit_pareto_nbd(data, po);
        const auto& q = pn.params;
        if (std::isfinite(q.r) && std::isfinite(q.beta))
            for (double bT : {0.1, 1.0}) {
                const double b0 = bT / f.max_T;
                nested.push_back({q.r, q.alpha, b0, q.s, b0 * q.beta});
            }
    } catch (const error&) {
        // (no nested start: the generic ones below)
    }
    pr.starts = nested;
    pr.starts.push_back({1, alpha0, 1 / meanT, 1, 1});
    pr.starts.push_back({0.5, alpha0, 0.1 / meanT, 1, 0.1});
    auto ll = [&d](const double* phi, double* grad) {
        return detail::ggom_total(ggomnbd_params{phi[0], phi[1], phi[2], phi[3], phi[4]}, d,
                                  grad);
    };
    const bool user_fixed_b =
        std::any_of(options.fixed.begin(), options.fixed.end(),
                    [](const auto& fx) { return fx.first == 2; });
    fit_options free_opt = options;
    free_opt.allow_no_convergence = true;
    detail::fit_outcome fit = detail::run_fit(pr, free_opt, ll);
    // Boundary: the estimate ran to b → 0 (diverged below b_min, or stopped where e^{bT} − 1
    // is bT to 1e−4: the log-b gradient vanishes there, so where it stopped is arbitrary).
    // (a fit stopped by its time limit is reported as such, not refitted past the limit)
    const bool boundary = !user_fixed_b &&
                          fit.report.convergence.stop != stop_reason::time_limit &&
                          !(fit.params[2] * f.max_T > 1e-4 && fit.report.convergence.converged);
    if (boundary) {
        fit_options held = options;
        held.fixed.emplace_back(2, b_min);
        held.initial.clear();
        detail::fit_problem pb = pr;
        pb.starts.clear();
        const double ratio = fit.params[4] / fit.params[2];  // β/b → β_P
        pb.starts.push_back({fit.params[0], fit.params[1], b_min, fit.params[3], b_min * ratio});
        for (const auto& s : nested)
            pb.starts.push_back({s[0], s[1], b_min, s[3], b_min * s[4] / s[2]});
        held.allow_no_convergence = true;
        detail::fit_outcome at_bound = detail::run_fit(pb, held, ll);
        if (at_bound.report.convergence.converged ||
            !(fit.report.log_likelihood >= at_bound.report.log_likelihood)) {
            // (the report counts the work of both runs)
            at_bound.report.convergence.iterations += fit.report.convergence.iterations;
            at_bound.report.convergence.function_evaluations +=
                fit.report.convergence.function_evaluations;
            fit = std::move(at_bound);
            fit.report.convergence.message +=
                "; b held at its lower bound b_min = 1e-7 / max T = " + detail::format_value(b_min) +
                " (the estimate runs to b -> 0, the Pareto/NBD limit)";
        }
    }
    std::vector<const char*> names{"r", "alpha", "b", "s", "beta"};
    detail::require_fit_converged(fn, fit.report.convergence, options, names, fit.params);
    ggomnbd_fit_result out;
    out.params = {fit.params[0], fit.params[1], fit.params[2], fit.params[3], fit.params[4]};
    out.report = std::move(fit.report);
    return out;
}

/// GGom/NBD in the model registry (ltv/registry.hpp; ltv/model_traits.hpp describes the fields).
struct ggomnbd_model {
    using params_type = ggomnbd_params;
    static constexpr const char* title = "GGom/NBD";
    static constexpr const char* class_name = "GammaGompertzNBD";
    static constexpr const char* citation =
        "Bemmaor & Glady (2012), Modeling Purchasing Behavior with Sudden 'Death': A Flexible "
        "Customer Lifetime Model, Management Science 58(5)";
    static constexpr const char* docs = "ggomnbd.md";
    static constexpr const char* age_name = "T";
    static constexpr data_kind data = data_kind::rfm;
    static constexpr capability_set capabilities =
        capabilities_of(capability::fit_rfm, capability::log_likelihood, capability::p_alive,
                        capability::conditional_purchases, capability::new_customer_purchases,
                        capability::p_alive_ahead, capability::simulate);
    static constexpr param_info params[] = {
        detail::purchase_rate_shape,
        detail::purchase_rate_scale,
        {"b", param_lower_positive, param_upper_none,
         "Gompertz scale: the dropout hazard grows as exp(b t), per time unit"},
        {"s", param_lower_positive, param_upper_none,
         "shape of the Gamma heterogeneity of the Gompertz hazard level"},
        {"beta", param_lower_positive, param_upper_none,
         "rate of the Gamma heterogeneity of the Gompertz hazard level"}};
    static ggomnbd_fit_result fit(const rfm_data& d, const fit_options& o) {
        return fit_ggomnbd(d, o);
    }
};

}  // namespace ltv
