// SPDX-License-Identifier: Apache-2.0
// ltv/pareto_nbd.hpp — the Pareto/NBD model of repeat purchasing (Schmittlein, Morrison &
// Colombo 1987, "Counting your customers", Management Science 33(1)); likelihood and
// predictions as in Fader & Hardie, "A note on deriving the Pareto/NBD model and related
// expressions" (2005), and Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4).
//
// While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); the lifetime is
// exponential with rate μ ~ Gamma(s, β). For (x, t_x, T) (ltv/rfm_data.hpp), integrating the
// dropout time τ ∈ (t_x, T) explicitly,
//   L = Γ(r+x)/Γ(r) · α^r β^s · [ P(T) + s ∫_{t_x}^T (α+τ)^−(r+x) (β+τ)^−(s+1) dτ ],
//   P(t) = (α+t)^−(r+x) (β+t)^−s.
// The usual closed form is the ₂F₁ "A₀" expression with branches α ≥ β / α < β. Here it is
// rearranged into a sum of two POSITIVE terms (no subtraction anywhere):
//   P(T) + s∫_{t_x}^T = (r+x)·J(r+x+1, s; T) + s·J(r+x, s+1; t_x),
//   J(p, q; t) = ∫_t^∞ (α+τ)^−p (β+τ)^−q dτ
//              = (α+t)^−p (β+t)^−q (m+t)/(p+q−1) · ₂F₁(1, b; p+q; z),
// with, for α ≥ β: m = β, b = p, z = (α−β)/(α+t); for α < β: m = α, b = q, z = (β−α)/(β+t)
// (series in (β+τ)/(α+τ) or its inverse, then Euler's transformation). ₂F₁(1, b; c; z) with
// 0 < b < c and 0 ≤ z < 1 is a series of positive terms with ratios < z (detail::pnbd_f), so:
//   log L = lnΓ(r+x) − lnΓ(r) + r ln α + s ln β + ln P(T) − ln R + ln(a₁ + a₂),   R = r+s+x,
//   a₁ = (r+x) ρ F(b_A, R+1, z_T),  a₂ = s σ F(b_G, R+1, z_{t_x}) e^D,
//   D = (r+x) ln((α+T)/(α+t_x)) + s ln((β+T)/(β+t_x)) ≥ 0,
//   ρ = (β+T)/(α+T) (α ≥ β) or 1;  σ = 1 (α ≥ β) or (α+t_x)/(β+t_x),
// where ln(a₁ + a₂) is a log-sum-exp (x = 10 000 makes e^D overflow). Then
//   P(alive | x, t_x, T) = R / (a₁ + a₂)
//   E[Y(t) | x, t_x, T]  = P(alive) (r+x)/(α+T) · (β+T) h(s, t/(β+T)),
//   E[X(t)]              = r/α · β h(s, t/β),   h(s, u) = (1 − (1+u)^(1−s))/(s−1) (→ ln(1+u))
//   P(X(t) = n)          = NB(n; r, α/(α+t)) (β/(β+t))^s
//                          + s α^r β^s Γ(r+n)/(Γ(r) n!) ∫₀ᵗ τⁿ (α+τ)^−(r+n) (β+τ)^−(s+1) dτ
//   DERT(δ)              = P(alive) (r+x)/(α+T) · E[1/(δ+μ) | alive]
//                        = P(alive) (r+x)/(α+T) · (β+T) · j(s, δ(β+T)),
//   j(s, k) = E_{g~Gamma(s,1)}[1/(k+g)] = k^(s−1) e^k Γ(1−s, k),
// which is FHL 2005's α^r β^s δ^(s−1) Γ(r+x+1) Ψ(s, s; δ(β+T)) / (Γ(r)(α+T)^(r+x+1) L) with
// Ψ(s, s; k) = e^k Γ(1−s, k) (DLMF 13.6.4).
//
// Gradient (fits): analytic — the chain rule through a₁, a₂, D, ρ, σ, z, with ∂F/∂b, ∂F/∂c,
// ∂F/∂z summed term by term alongside F (no finite differences).
//
// T = 0 (first purchase at the end of the period; x = t_x = 0, rfm_data.hpp): L = α^r β^s ·
// α^−r β^−s = 1, so log L = 0 and P(alive) = 1 (exact branches: detail::pnbd_evaluate); then
//   E[Y(t) | 0, 0, 0] = r/α · β h(s, t/β) = E[X(t)],   DERT(δ | 0, 0, 0) = r/α · β j(s, δβ),
// the values of a customer just acquired, from the general formulas
// (tests/cpp/test_first_day_customers.cpp checks them against tests/oracle/pareto_nbd.py).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "ltv/detail/bg_family/prepare.hpp"
#include "ltv/detail/fit_driver.hpp"
#include "ltv/detail/optimize.hpp"
#include "ltv/detail/random.hpp"
#include "ltv/detail/special.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/model_traits.hpp"

namespace ltv {

struct pareto_nbd_params {
    double r = 0;      ///< shape of the Gamma purchase-rate heterogeneity
    double alpha = 0;  ///< scale (time units) of the Gamma purchase-rate heterogeneity
    double s = 0;      ///< shape of the Gamma dropout-rate heterogeneity
    double beta = 0;   ///< scale (time units) of the Gamma dropout-rate heterogeneity
};

struct pareto_nbd_fit_result {
    pareto_nbd_params params;
    fit_report report;  ///< parameters in the order r, alpha, s, beta
};

namespace detail {

inline void validate_pnbd_params(const char* fn, const pareto_nbd_params& p) {
    require_positive(fn, "r", p.r);
    require_positive(fn, "alpha", p.alpha);
    require_positive(fn, "s", p.s);
    require_positive(fn, "beta", p.beta);
}

}  // namespace detail
}  // namespace ltv

// The implementation, one concern per file (they use pareto_nbd_params, hence included here):
#include "ltv/detail/pareto_nbd/series.hpp"            // ₂F₁(1, b; c; z): series, Euler's integral
#include "ltv/detail/pareto_nbd/likelihood.hpp"        // log L, P(alive), gradient of a customer
#include "ltv/detail/pareto_nbd/expectations.hpp"      // E[Y(t)], E[X(t)], DERT given P(alive)
#include "ltv/detail/pareto_nbd/polynomial.hpp"        // ₂F₁ as per-x polynomials (fast paths)
#include "ltv/detail/pareto_nbd/total_likelihood.hpp"  // Σ w log L with gradient (fits)
#include "ltv/detail/pareto_nbd/alive_table.hpp"       // batch P(alive) tables, pnbd_batch
#include "ltv/detail/pareto_nbd/pmf.hpp"               // P(X(t) = n): the quadrature term

namespace ltv {

/// log L of one customer.
inline double log_likelihood(const pareto_nbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_log_likelihood";
    detail::validate_pnbd_params(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::pnbd_evaluate(params, x, t_x, T, nullptr).log_L;
}

/// log L of every customer (unweighted) into out[0..n).
inline void log_likelihood(const pareto_nbd_params& params, const rfm_data& data, double* out,
                           int threads = 1) {
    detail::pnbd_batch("pareto_nbd_log_likelihood", params, data, out, threads,
                       [&](const detail::pnbd_alive_table&, double x, double t, double T) {
                           return detail::pnbd_evaluate(params, x, t, T, nullptr).log_L;
                       });
}

/// Σ wᵢ log Lᵢ; when gradient is non-null also its gradient w.r.t. (log r, log α, log s, log β).
inline double total_log_likelihood(const pareto_nbd_params& params, const rfm_data& data,
                                   double* gradient = nullptr) {
    constexpr const char* fn = "pareto_nbd_total_log_likelihood";
    detail::validate_pnbd_params(fn, params);
    detail::validate_rfm(fn, data);
    detail::pnbd_work work;
    return detail::pnbd_total(params, detail::pnbd_prepare(detail::bg_prepare(data, false)),
                              gradient, work);
}

/// P(alive at T | x, t_x, T).
inline double probability_alive(const pareto_nbd_params& params, double x, double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_probability_alive";
    detail::validate_pnbd_params(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    return detail::pnbd_alive_one(params, x, t_x, T);
}

/// Batch P(alive); threads ≤ 0: the process default (ltv/threads.hpp; ≥ 20 000 rows only).
inline void probability_alive(const pareto_nbd_params& params, const rfm_data& data, double* out,
                              int threads = 1) {
    detail::pnbd_batch("pareto_nbd_probability_alive", params, data, out, threads,
                       [](const detail::pnbd_alive_table& alive, double x, double tx, double T) {
                           return alive(x, tx, T);
                       });
}

/// E[number of purchases in (T, T+t] | x, t_x, T].
inline double conditional_expected_purchases(const pareto_nbd_params& params, double t, double x,
                                             double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_conditional_expected_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    detail::validate_customer(fn, x, t_x, T);
    const double alive = detail::pnbd_alive_one(params, x, t_x, T);
    return detail::pnbd_conditional(params, alive, t, x, T);
}

inline void conditional_expected_purchases(const pareto_nbd_params& params, double t,
                                           const rfm_data& data, double* out, int threads = 1) {
    constexpr const char* fn = "pareto_nbd_conditional_expected_purchases";
    detail::require_nonnegative(fn, "t", t);
    detail::pnbd_batch(fn, params, data, out, threads,
                       [&](const detail::pnbd_alive_table& alive, double x, double tx, double T) {
                           return detail::pnbd_conditional(params, alive(x, tx, T), t, x, T);
                       });
}

/// E[Y(tₖ) | x, t_x, T] for several horizons (P(alive) computed once); the hook of ltv/clv.hpp.
inline void conditional_expected_purchases_curve(const pareto_nbd_params& params, double x,
                                                 double t_x, double T, const double* times,
                                                 std::size_t n, double* out) {
    constexpr const char* fn = "pareto_nbd_conditional_expected_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::validate_customer(fn, x, t_x, T);
    detail::require_array(fn, "times", times, n);
    detail::require_array(fn, "out", out, n);
    for (std::size_t k = 0; k < n; ++k) detail::require_nonnegative(fn, {"times", k}, times[k]);
    const double alive = detail::pnbd_alive_one(params, x, t_x, T);
    for (std::size_t k = 0; k < n; ++k)
        out[k] = detail::pnbd_conditional(params, alive, times[k], x, T);
}

/// E[X(t)]: expected purchases in (0, t] of a customer whose first purchase was at 0.
inline double expected_purchases(const pareto_nbd_params& params, double t) {
    constexpr const char* fn = "pareto_nbd_expected_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    return params.r / params.alpha * params.beta * detail::pnbd_h(params.s, t / params.beta);
}

/// P(X(t) = n) for a customer whose first purchase was at 0 (see the header comment): the
/// "still alive at t" term in closed form plus detail::pnbd_pmf_died; throws no_convergence
/// where the quadrature cannot meet 1e-10 relative.
inline double probability_of_purchases(const pareto_nbd_params& params, double t, double n) {
    constexpr const char* fn = "pareto_nbd_probability_of_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "t", t);
    detail::require_nonnegative(fn, "n", n);
    if (n != std::floor(n)) detail::fail_argument(fn, "n", n, "must be an integer");
    if (t == 0) return n == 0 ? 1.0 : 0.0;
    const double r = params.r, a = params.alpha, s = params.s, b = params.beta;
    const double lnb = detail::log_gamma(r + n) - detail::log_gamma(r) - detail::log_gamma(n + 1);
    const double alive = std::exp(lnb - r * std::log1p(t / a) -
                                  (n > 0 ? n * std::log1p(a / t) : 0.0) - s * std::log1p(t / b));
    double error = 0;
    const double died = detail::pnbd_pmf_died(params, t, n, lnb, error);
    const double v = alive + died;
    if (!(error <= 1e-11 * v) && v > 1e-300)
        detail::fail(status::no_convergence, fn,
                     "P(X(t) = n): the integral over the time of death could not be computed to "
                     "1e-10 relative (r = " + detail::format_value(r) +
                         ", alpha = " + detail::format_value(a) + ", s = " +
                         detail::format_value(s) + ", beta = " + detail::format_value(b) +
                         ", t = " + detail::format_value(t) + ", n = " +
                         detail::format_value(n) + ")");
    return detail::require_pmf_result(fn, v, t, n);
}

namespace detail {

/// P(X(T, T+t] = n | x, t_x, T) given P(alive) (see conditional_probability_of_purchases).
/// The purchases of a customer alive at T: P(X(t) = n | r+x, α+T, s, β+T). It depends on
/// (x, T) only, and its quadrature is the cost of the conditional PMF.
inline double pnbd_future_pmf(const char* fn, const pareto_nbd_params& p, double n, double t,
                              double x, double T) {
    try {
        return probability_of_purchases(pareto_nbd_params{p.r + x, p.alpha + T, p.s, p.beta + T},
                                         t, n);
    } catch (const error& e) {
        throw error(e.code(), std::string(fn) + ": the purchases of a customer alive at T: " +
                                  e.what());
    }
}

/// P(alive) · future + (1 − P(alive)) · [n = 0].
inline double pnbd_mix_pmf(double alive, double future, double n) {
    return n == 0 ? alive * future + (1 - alive) : alive * future;
}

inline double pnbd_conditional_pmf(const char* fn, const pareto_nbd_params& p, double alive,
                                   double n, double t, double x, double T) {
    return pnbd_mix_pmf(alive, pnbd_future_pmf(fn, p, n, t, x, T), n);
}

/// P(alive at T + t | x, t_x, T) given P(alive at T).
inline double pnbd_alive_ahead(const pareto_nbd_params& p, double alive, double t, double T) {
    return alive * std::exp(-p.s * std::log1p(t / (p.beta + T)));
}

}  // namespace detail

/// P(X(T, T+t] = n | x, t_x, T): the probability of n purchases in the next t time units of a
/// customer with history (x, t_x, T) — Fader & Hardie (2006), "Deriving the conditional PMF of
/// the Pareto/NBD model", eq. (16), which lifetimes' conditional_probability_of_n_purchases_up_
/// to_time implements. Here in an equivalent form of positive terms that reuses P(X(t) = n):
/// the alive branch of the likelihood, λˣ e^−λT · e^−μT, times the priors makes λ ~ Gamma(r+x,
/// α+T) and μ ~ Gamma(s, β+T) independent given "alive at T", and by memorylessness the future
/// of such a customer is that of a new customer with those parameters; a customer dead at T
/// buys nothing. So
///   P(X(T, T+t] = n | x, t_x, T) = P(alive) · P(X(t) = n | r+x, α+T, s, β+T)
///                                  + (1 − P(alive)) · [n = 0],
/// whose mean is E[Y(t) | x, t_x, T] (= P(alive) · E[X(t)] at the same parameters) and which
/// sums to 1 over n. Eq. (16) gives the same values (tests/python/test_capabilities.py checks it
/// with mpmath, and against a double integral over (λ, μ)). t = 0 gives [n = 0]. Throws
/// no_convergence where the quadrature of P(X(t) = n) cannot meet 1e-10 relative.
inline double conditional_probability_of_purchases(const pareto_nbd_params& params, double n,
                                                   double t, double x, double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_conditional_probability_of_purchases";
    detail::validate_pnbd_params(fn, params);
    detail::require_pmf_arguments(fn, n, t);
    detail::validate_customer(fn, x, t_x, T);
    return detail::pnbd_conditional_pmf(fn, params, detail::pnbd_alive_one(params, x, t_x, T), n,
                                        t, x, T);
}

/// The same for every customer of `data` (threads ≤ 0: the process default; large batches only).
inline void conditional_probability_of_purchases(const pareto_nbd_params& params, double n,
                                                 double t, const rfm_data& data, double* out,
                                                 int threads = 1) {
    constexpr const char* fn = "pareto_nbd_conditional_probability_of_purchases";
    detail::require_pmf_arguments(fn, n, t);
    detail::validate_pnbd_params(fn, params);
    detail::validate_rfm(fn, data);
    detail::require_array(fn, "out", out, data.size());
    const detail::pnbd_alive_table alive(params, data);
    // The future PMF depends on (x, T) only and is the quadrature: once per distinct pair (a
    // million customers hold a few thousand), at the first row of each, in (x, T) order.
    const std::size_t rows = data.size();
    std::vector<std::size_t> order(rows);
    for (std::size_t i = 0; i < rows; ++i) order[i] = i;
    const auto key = [&](std::size_t i) { return std::pair(data.frequency[i], data.age[i]); };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    std::vector<std::size_t> group_row, group_of(rows);
    for (std::size_t k = 0; k < rows; ++k) {
        if (k == 0 || key(order[k]) != key(order[k - 1])) group_row.push_back(order[k]);
        group_of[order[k]] = group_row.size() - 1;
    }
    std::vector<double> future(group_row.size());
    detail::parallel_for(group_row.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t g = lo; g < hi; ++g) {
            const std::size_t i = group_row[g];
            future[g] = detail::at_row(i, [&] {
                return detail::pnbd_future_pmf(fn, params, n, t, data.frequency[i], data.age[i]);
            });
        }
    });
    detail::parallel_for(rows, threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
            out[i] = detail::pnbd_mix_pmf(
                alive(data.frequency[i], data.recency[i], data.age[i]), future[group_of[i]], n);
    });
}

/// P(alive at T + t | x, t_x, T) = P(alive) · ((β+T)/(β+T+t))^s: given alive at T, μ ~
/// Gamma(s, β+T) (see above), and E[e^−μt] is that Gamma's Laplace transform. t = 0 is
/// P(alive); t ≥ 0 in the data's time unit.
inline double probability_alive_ahead(const pareto_nbd_params& params, double t, double x,
                                      double t_x, double T) {
    constexpr const char* fn = "pareto_nbd_probability_alive_ahead";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "periods_ahead", t);  // (the C name; Python's `ahead`)
    detail::validate_customer(fn, x, t_x, T);
    return detail::pnbd_alive_ahead(params, detail::pnbd_alive_one(params, x, t_x, T), t, T);
}

inline void probability_alive_ahead(const pareto_nbd_params& params, double t,
                                    const rfm_data& data, double* out, int threads = 1) {
    constexpr const char* fn = "pareto_nbd_probability_alive_ahead";
    detail::require_nonnegative(fn, "periods_ahead", t);
    detail::pnbd_batch(fn, params, data, out, threads,
                       [&](const detail::pnbd_alive_table& alive, double x, double tx, double T) {
                           return detail::pnbd_alive_ahead(params, alive(x, tx, T), t, T);
                       });
}

/// One simulated customer of age T (the first purchase at 0): λ ~ Gamma(r, α), μ ~ Gamma(s, β),
/// lifetime τ ~ Exp(μ); purchases at rate λ on (0, min(τ, T)]: their number N ~ Poisson(λ·L),
/// L = min(τ, T), and the last of N uniform times on (0, L] is L·U^(1/N). Alive = τ > T.
/// Draws from g (detail/random.hpp): the same engine state gives the same customer.
inline detail::simulated_customer simulate_customer(const pareto_nbd_params& params, double T,
                                                    detail::random_engine& g) {
    constexpr const char* fn = "pareto_nbd_simulate";
    detail::validate_pnbd_params(fn, params);
    detail::require_nonnegative(fn, "T", T);
    const double log_lambda = g.log_gamma(params.r) - std::log(params.alpha);
    const double log_mu = g.log_gamma(params.s) - std::log(params.beta);
    const double tau = std::exp(std::log(g.exponential()) - log_mu);  // (+inf: never dies)
    detail::simulated_customer c;
    c.alive = tau > T;
    const double L = c.alive ? T : tau;
    const double mean = std::exp(log_lambda) * L;
    detail::require_simulated_finite(fn, "expected number of purchases", mean);
    c.frequency = g.poisson(mean);
    if (c.frequency > 0) c.recency = L * std::exp(std::log(g.uniform()) / c.frequency);
    return c;
}

/// DERT(δ | x, t_x, T): discounted (continuously, rate δ per time unit) expected residual
/// transactions (FHL 2005 "RFM and CLV"); see the header comment.
inline double discounted_expected_residual_transactions(const pareto_nbd_params& params,
                                                        double delta, double x, double t_x,
                                                        double T) {
    constexpr const char* fn = "pareto_nbd_discounted_expected_residual_transactions";
    detail::validate_pnbd_params(fn, params);
    detail::require_positive(fn, "discount_rate", delta);  // (the C/Python name)
    detail::validate_customer(fn, x, t_x, T);
    const double alive = detail::pnbd_alive_one(params, x, t_x, T);
    return detail::pnbd_dert(params, detail::pnbd_j_ctx(params.s), delta, alive, x, T);
}

inline void discounted_expected_residual_transactions(const pareto_nbd_params& params,
                                                      double delta, const rfm_data& data,
                                                      double* out, int threads = 1) {
    constexpr const char* fn = "pareto_nbd_discounted_expected_residual_transactions";
    detail::require_positive(fn, "discount_rate", delta);  // (the C/Python name)
    const detail::pnbd_j_ctx J(params.s);
    detail::pnbd_batch(fn, params, data, out, threads,
                       [&](const detail::pnbd_alive_table& alive, double x, double tx, double T) {
                           return detail::pnbd_dert(params, J, delta, alive(x, tx, T), x, T);
                       });
}

/// Maximum-likelihood fit (see fit_options) through the common driver (detail/fit_driver.hpp);
/// throws status::no_convergence when it fails.
/// Large data (≥ detail::fit_subsample_min_rows prepared rows) are fitted in two phases: the
/// multistart on a stratified subsample of ~detail::fit_subsample_rows rows, then BFGS on all
/// rows from its optimum and inverse Hessian (a few full evaluations instead of ~30); the
/// optimum is the same to the gradient tolerance. `allow_subsample = false` always fits on all
/// rows from the usual starts.
inline pareto_nbd_fit_result fit_pareto_nbd(const rfm_data& data, const fit_options& options = {},
                                            bool allow_subsample = true) {
    constexpr const char* fn = "pareto_nbd_fit";
    detail::rfm_fit_rows f = detail::prepare_rfm_fit(fn, data);
    const detail::pnbd_prepared d = detail::pnbd_prepare(std::move(f.rows));
    detail::fit_problem pr;
    pr.fn = fn;
    pr.total_weight = d.rows.total_weight;
    pr.rows_used = d.rows.tx.size();
    // Starts: r = s = 1 with α matching the mean purchase rate Σx/ΣT and β the mean age (a
    // median lifetime of the order of the observation window); all ones; a low-shape guess.
    const double beta0 = f.sT / d.rows.total_weight;
    const double alpha0 = f.sx > 0 ? f.sT / f.sx : beta0;
    pr.starts = {{1, alpha0, 1, beta0}, {1, 1, 1, 1}, {0.3, alpha0, 0.3, beta0}};
    // (α, β are time scales: their divergence bounds are relative to the mean age β₀)
    pr.bounds = {{"r"}, detail::scale_parameter("alpha", beta0), {"s"},
                 detail::scale_parameter("beta", beta0)};
    // lifetimes' convention: α and β penalised in units where the largest T is 1, and the
    // log-likelihood divided by the mean weight of the rows given (its ParetoNBDFitter).
    pr.lifetimes_penalty_scale = {1, 1 / f.max_T, 1, 1 / f.max_T};
    pr.lifetimes_divisor = d.rows.total_weight / static_cast<double>(data.size());
    detail::pnbd_work work;
    auto ll_of = [&work](const detail::pnbd_prepared& rows) {
        return [&rows, &work](const double* phi, double* grad) {
            return detail::pnbd_total(pareto_nbd_params{phi[0], phi[1], phi[2], phi[3]}, rows,
                                      grad, work);
        };
    };
    detail::fit_outcome fit;
    if (allow_subsample && d.rows.tx.size() >= detail::fit_subsample_min_rows) {
        const detail::pnbd_prepared sub =
            detail::pnbd_prepare(detail::bg_subsample(d.rows, d.rows.tx.size() /
                                                                  detail::fit_subsample_rows));
        fit = detail::run_fit(pr, options, ll_of(d),
                              detail::fit_subsample<decltype(ll_of(sub))>{
                                  ll_of(sub), sub.rows.total_weight});
    } else {
        fit = detail::run_fit(pr, options, ll_of(d));
    }
    pareto_nbd_fit_result out;
    out.params = {fit.params[0], fit.params[1], fit.params[2], fit.params[3]};
    out.report = std::move(fit.report);
    return out;
}

/// Pareto/NBD in the model registry (ltv/registry.hpp; ltv/model_traits.hpp describes the fields).
struct pareto_nbd_model {
    using params_type = pareto_nbd_params;
    static constexpr const char* title = "Pareto/NBD";
    static constexpr const char* class_name = "ParetoNBD";
    static constexpr const char* citation =
        "Schmittlein, Morrison & Colombo (1987), Counting Your Customers: Who Are They and What "
        "Will They Do Next?, Management Science 33(1)";
    static constexpr const char* docs = "pareto-nbd.md";  ///< its page in docs/
    static constexpr const char* age_name = "T";
    static constexpr data_kind data = data_kind::rfm;
    static constexpr capability_set capabilities =
        capabilities_of(capability::fit_rfm, capability::log_likelihood, capability::p_alive,
                        capability::conditional_purchases, capability::new_customer_purchases,
                        capability::purchase_pmf, capability::clv, capability::dert,
                        capability::conditional_purchase_pmf, capability::p_alive_ahead,
                        capability::simulate);
    static constexpr param_info params[] = {
        detail::purchase_rate_shape,
        detail::purchase_rate_scale,
        {"s", param_lower_positive, param_upper_none,
         "shape of the Gamma heterogeneity of dropout rates"},
        {"beta", param_lower_positive, param_upper_none,
         "scale of the Gamma heterogeneity of dropout rates, in time units"}};
    static pareto_nbd_fit_result fit(const rfm_data& d, const fit_options& o) {
        return fit_pareto_nbd(d, o);
    }
    /// Static covariates (ltv/covariates.hpp) as CLVTools (src/pnbd.cpp,
    /// pnbd_staticcov_alpha_i/beta_i): αᵢ = α·exp(−γ_trans'zᵢ), βᵢ = β·exp(−γ_life'zᵢ).
    static constexpr covariate_link covariate_links[] = {{"alpha", -1, "alpha"},
                                                         {"beta", -1, "beta"}};
    static detail::pnbd_prepared covariate_prepare(const rfm_data& d) {
        return detail::pnbd_prepare(detail::bg_prepare(d, true));
    }
    static double covariate_total(const pareto_nbd_params& p, const detail::pnbd_prepared& d,
                                  double* grad) {
        detail::validate_pnbd_params("pareto_nbd_fit", p);
        thread_local detail::pnbd_work work;
        return detail::pnbd_total(p, d, grad, work);
    }
};

}  // namespace ltv
