// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family/batch.hpp — batch predictions of the BG family: P(alive), log L, E[Y(t)]
// and the discounted purchases of a CLV for every customer.
//
// A batch scores every customer with the formulas of likelihood.hpp and tail.hpp; four things
// make large batches fast without changing what is computed:
//  * validation is a branch-light predicate per row (rfm_data.hpp), the message is only built
//    for the row that fails;
//  * per-x constants (log(a/(b+x+m−1)) of P(alive)) are computed once per batch (bit-identical
//    to the scalar expression, which is evaluated the same way);
//  * the rows are split into contiguous blocks, one per thread (detail/parallel.hpp): every
//    customer is computed by the same code whatever the split, so results do not depend on the
//    number of threads;
//  * for x values shared by many customers of a large batch, the purchase curve is tabulated.
//    The tables and how they are verified: ltv/detail/bg_family/curve_table.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include "ltv/detail/bg_family/curve_table.hpp"
#include "ltv/detail/bg_family/likelihood.hpp"
#include "ltv/detail/bg_family/tail.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv::detail {

/// Runs task(0 … tasks−1) on up to `threads` threads of the shared pool (detail/parallel.hpp).
/// Each task must write only its own outputs; the first exception by task order is rethrown.
template <class Task>
void bg_run_tasks(std::size_t tasks, int threads, Task&& task) {
    parallel_tasks(tasks, threads, std::forward<Task>(task));
}

/// What a batch needs to know about its rows beyond validity.
struct bg_batch_scan {
    static constexpr std::size_t x_cap = 4096;  // x ≥ this are always evaluated exactly
    double T_min = std::numeric_limits<double>::infinity(), T_max = 0;
    std::vector<std::size_t> count;             // customers per integer x < x_cap
};

/// Validates every row (the error is the lowest failing row's, whatever the threads) and, when
/// `scan` is given, collects T's range and the customers per x.
inline void bg_validate_batch(const char* fn, const rfm_data& d, int threads,
                              bg_batch_scan* scan) {
    validate_rfm_shape(fn, d);
    std::mutex merge;
    if (scan) scan->count.assign(bg_batch_scan::x_cap, 0);
    parallel_for(d.size(), threads, [&](std::size_t lo, std::size_t hi) {
        validate_rfm_rows(fn, d, lo, hi);
        if (!scan) return;
        std::vector<std::size_t> count(bg_batch_scan::x_cap, 0);  // once per block
        double T_min = std::numeric_limits<double>::infinity(), T_max = 0;
        for (std::size_t i = lo; i < hi; ++i) {
            const double x = d.frequency[i], T = d.age[i];
            T_min = std::min(T_min, T);
            T_max = std::max(T_max, T);
            if (x < static_cast<double>(bg_batch_scan::x_cap)) ++count[static_cast<std::size_t>(x)];
        }
        // min, max and integer sums do not depend on the merge order.
        const std::lock_guard<std::mutex> lock(merge);
        scan->T_min = std::min(scan->T_min, T_min);
        scan->T_max = std::max(scan->T_max, T_max);
        for (std::size_t k = 0; k < count.size(); ++k) scan->count[k] += count[k];
    });
}

/// P(alive) with c_x = log(a) − log(b+x+m−1) looked up per x: the same operations as
/// bg_probability_alive, hence bit-identical results.
/// The table holds x < min(1024, rows): it costs one log-gamma per entry, so a call with a few
/// rows (one customer per call, as from a database function) builds no more than it uses.
struct bg_alive_cache {
    static constexpr std::size_t size = 1024;
    std::vector<double> c;
    explicit bg_alive_cache(const bg_shape& p, std::size_t rows) : c(std::min(size, rows)) {
        for (std::size_t k = 0; k < c.size(); ++k)
            c[k] = bg_alive_constant(p, static_cast<double>(k));
    }
    double operator()(const bg_shape& p, double x, double t_x, double T) const {
        if (p.m == 0 && x == 0) return 1;
        const double cx = x < static_cast<double>(c.size()) ? c[static_cast<std::size_t>(x)]
                                                            : bg_alive_constant(p, x);
        return bg_probability_alive_given(p, cx, x, t_x, T);
    }
};

/// out[i] = P(alive) of every customer.
inline void bg_probability_alive_batch(const char* fn, const bg_shape& p, const rfm_data& data,
                                       double* out, int threads) {
    bg_validate_batch(fn, data, threads, nullptr);
    require_array(fn, "out", out, data.size());
    const bg_alive_cache alive(p, data.size());
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
            out[i] = alive(p, data.frequency[i], data.recency[i], data.age[i]);
    });
}

/// log L of every customer: the x-only terms (six log-gammas) are computed once per
/// x < min(1024, rows) before the parallel loop — the same values, so bit-identical to
/// bg_log_likelihood; a call with few rows builds no more terms than it has rows.
inline void bg_log_likelihood_batch(const char* fn, const bg_shape& p, const rfm_data& data,
                                    double* out, int threads) {
    bg_validate_batch(fn, data, threads, nullptr);
    require_array(fn, "out", out, data.size());
    std::vector<bg_x_terms> terms(std::min<std::size_t>(1024, data.size()));
    for (std::size_t k = 0; k < terms.size(); ++k)
        terms[k] = bg_terms(p, static_cast<double>(k), false);
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
            const double x = data.frequency[i];
            out[i] = x < static_cast<double>(terms.size())
                         ? bg_log_likelihood_given(p, terms[static_cast<std::size_t>(x)], x,
                                                   data.recency[i], data.age[i])
                         : bg_log_likelihood(p, x, data.recency[i], data.age[i]);
        }
    });
}

/// f(s) = tail from a table when it covers s, else exactly (bg_tail; fn names the caller in
/// its errors). A table holds only verified values (≤ 1e-14 from bg_tail's), so its result
/// is only kept within bg_tail's bounds (0, A s] against rounding.
inline double bg_tail_lookup(const bg_curve_table* tb, double A, double a, double beta,
                             double s, const char* fn = "bg_tail") {
    double g;
    if (tb && s > 0 && tb->eval(s, g)) return std::min(std::max(s * g, 0.0), A * s);
    return bg_tail(A, a, beta, s, fn);
}

/// bg_tail, or NaN where it fails: for the node values of tables, which a NaN rejects (the
/// customers of that x are then evaluated exactly, and report the failure themselves).
inline double bg_tail_or_nan(double A, double a, double beta, double s) {
    try {
        return bg_tail(A, a, beta, s);
    } catch (const error&) {
        return std::numeric_limits<double>::quiet_NaN();
    }
}

/// The tables of one batch, indexed by x (nullptr: evaluate exactly).
struct bg_table_set {
    std::vector<bg_curve_table> tables;
    std::vector<const bg_curve_table*> by_x;
};

/// Builds, for every x with enough customers, a table of g(s) = tail(r+x, a, b+x+m, s)/s on
/// [s_lo, s_hi] (kappa = 1), keeping only the tables that pass their checks.
inline void bg_build_tail_tables(bg_table_set& set, const bg_shape& p, const bg_batch_scan& scan,
                                 double s_lo, double s_hi, double evaluations_per_customer,
                                 int threads) {
    set.by_x.assign(scan.count.size(), nullptr);
    const double cost = bg_table_cost(1, s_lo, s_hi);
    std::vector<std::size_t> xs;
    for (std::size_t x = 0; x < scan.count.size(); ++x)
        if (bg_table_pays(static_cast<double>(scan.count[x]) * evaluations_per_customer, cost))
            xs.push_back(x);
    set.tables.assign(xs.size(), bg_curve_table{});
    std::vector<char> ok(xs.size(), 0);
    bg_run_tasks(xs.size(), threads, [&](std::size_t k) {
        const double x = static_cast<double>(xs[k]);
        const double A = p.r + x, beta = p.b + x + p.m;
        ok[k] = bg_build_curve_table_adaptive(set.tables[k], 1, s_lo, s_hi, [&](double s) {
            return bg_tail_or_nan(A, p.a, beta, s) / s;
        });
    });
    for (std::size_t k = 0; k < xs.size(); ++k)
        if (ok[k]) set.by_x[xs[k]] = &set.tables[k];
}

/// out[i] = E[Y(t) | xᵢ, t_xᵢ, Tᵢ] for every customer.
inline void bg_conditional_expected_batch(const char* fn, const bg_shape& p, double t,
                                          const rfm_data& data, double* out, int threads) {
    const std::size_t n = data.size();
    bg_batch_scan scan;
    const bool tabulate = n >= bg_table_min_rows && t > 0;
    bg_validate_batch(fn, data, threads, tabulate ? &scan : nullptr);
    require_array(fn, "out", out, n);
    const bg_alive_cache alive(p, data.size());
    bg_table_set set;
    if (tabulate && n > 0)
        bg_build_tail_tables(set, p, scan, t / (p.alpha + scan.T_max),
                             t / (p.alpha + scan.T_min), 1, threads);
    parallel_for(n, threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
            const double x = data.frequency[i], T = data.age[i];
            const bg_curve_table* tb =
                x < static_cast<double>(set.by_x.size()) ? set.by_x[static_cast<std::size_t>(x)]
                                                         : nullptr;
            try {
                out[i] = alive(p, x, data.recency[i], T) *
                         bg_tail_lookup(tb, p.r + x, p.a, p.b + x + p.m, t / (p.alpha + T), fn);
            } catch (const error& e) {
                rethrow_at_row(e, i);
            }
        }
    });
}

/// out[i] = Σₖ₌₁..N (1+d)^−k (E[Y(kL)] − E[Y((k−1)L)]) for every customer: the CLV per unit of
/// spend (ltv/clv.hpp). Exact rows repeat clv()'s arithmetic (times (k+1)·L, the curve, then the
/// discounted differences in order), so that spend × out[i] is bit-identical to the scalar clv.
inline void bg_discounted_purchases_batch(const char* fn, const bg_shape& p, const rfm_data& data,
                                          int periods, double period_length,
                                          double discount_rate, double* out, int threads) {
    const std::size_t n = data.size(), N = periods > 0 ? static_cast<std::size_t>(periods) : 0;
    bg_batch_scan scan;
    const bool tabulate = n >= bg_table_min_rows && N > 0;
    bg_validate_batch(fn, data, threads, tabulate ? &scan : nullptr);
    require_array(fn, "out", out, n);
    std::vector<double> times(N), discount(N);
    for (std::size_t k = 0; k < N; ++k) {
        times[k] = static_cast<double>(k + 1) * period_length;
        discount[k] = std::pow(1 + discount_rate, -static_cast<double>(k + 1));
    }
    const bg_alive_cache alive(p, data.size());
    // Tables: f per x (kappa = 1) for the node values of F per x (kappa = N, s₁ = L/(α+T)).
    bg_table_set f_set, F_set;
    if (tabulate && n > 0) {
        const double dN = static_cast<double>(N);
        const double s1_lo = period_length / (p.alpha + scan.T_max);
        const double s1_hi = period_length / (p.alpha + scan.T_min);
        // F's intervals reach beyond [s1_lo, s1_hi]; f must cover k·s₁ over all of them.
        const unsigned shift = 52 - 3;
        const double v_lo = bg_curve_table::from_bits(
            (bg_curve_table::bits(1 + dN * s1_lo) >> shift) << shift);
        const double v_hi = bg_curve_table::from_bits(
            ((bg_curve_table::bits(1 + dN * s1_hi) >> shift) + 1) << shift);
        const double f_lo = (v_lo - 1) / dN, f_hi = v_hi - 1;
        // Cost of F in bg_tail units: each node needs N table look-ups (≈ 1/20 of a bg_tail).
        const double F_cost = bg_table_cost(dN, s1_lo, s1_hi) * dN / 20;
        const double f_cost = bg_table_cost(1, f_lo, f_hi);
        f_set.by_x.assign(scan.count.size(), nullptr);
        F_set.by_x.assign(scan.count.size(), nullptr);
        std::vector<std::size_t> xs;
        for (std::size_t x = 0; x < scan.count.size(); ++x)
            if (F_cost > 0 && f_cost > 0 &&
                bg_table_pays(static_cast<double>(scan.count[x]) * dN, f_cost + F_cost))
                xs.push_back(x);
        f_set.tables.assign(xs.size(), bg_curve_table{});
        F_set.tables.assign(xs.size(), bg_curve_table{});
        std::vector<char> ok(xs.size(), 0);
        bg_run_tasks(xs.size(), threads, [&](std::size_t k) {
            const double x = static_cast<double>(xs[k]);
            const double A = p.r + x, beta = p.b + x + p.m;
            bg_curve_table& f = f_set.tables[k];
            if (!bg_build_curve_table_adaptive(f, 1, f_lo, f_hi, [&](double s) {
                    return bg_tail_or_nan(A, p.a, beta, s) / s;
                }))
                return;
            // F(s₁)/s₁ = Σₖ dₖ (f(k s₁) − f((k−1) s₁)) / s₁ with f from its table.
            auto F = [&](double s1) {
                double total = 0, previous = 0;
                try {  // (f covers every k·s₁; an exact fallback that fails rejects F)
                    for (std::size_t j = 0; j < N; ++j) {
                        const double now = bg_tail_lookup(&f, A, p.a, beta,
                                                          static_cast<double>(j + 1) * s1);
                        total += (now - previous) * discount[j];
                        previous = now;
                    }
                } catch (const error&) {
                    return std::numeric_limits<double>::quiet_NaN();
                }
                return total / s1;
            };
            ok[k] = bg_build_curve_table_adaptive(F_set.tables[k], dN, s1_lo, s1_hi, F);
        });
        for (std::size_t k = 0; k < xs.size(); ++k)
            if (ok[k]) F_set.by_x[xs[k]] = &F_set.tables[k];
    }
    parallel_for(n, threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
            const double x = data.frequency[i], t_x = data.recency[i], T = data.age[i];
            if (N == 0) {
                out[i] = 0;
                continue;
            }
            const double pa = alive(p, x, t_x, T);
            const bg_curve_table* tb =
                x < static_cast<double>(F_set.by_x.size()) ? F_set.by_x[static_cast<std::size_t>(x)]
                                                           : nullptr;
            const double s1 = period_length / (p.alpha + T);
            double g;
            if (tb && tb->eval(s1, g)) {
                out[i] = pa * (s1 * g);
                continue;
            }
            // Exact: conditional_expected_purchases_curve + clv_sum without the spend factor.
            const double A = p.r + x, beta = p.b + x + p.m;
            double total = 0, previous = 0;
            try {
                for (std::size_t k = 0; k < N; ++k) {
                    const double now = pa * bg_tail(A, p.a, beta, times[k] / (p.alpha + T), fn);
                    total += (now - previous) * discount[k];
                    previous = now;
                }
            } catch (const error& e) {
                rethrow_at_row(e, i);
            }
            out[i] = total;
        }
    });
}

}  // namespace ltv::detail
