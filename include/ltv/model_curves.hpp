// SPDX-License-Identifier: Apache-2.0
// ltv/model_curves.hpp — curves over time from any registered model's kernels (model_ops), no
// model named:
//
//   alive_path      P(alive at τ | the purchases up to τ) of one customer at times τ: at each τ
//                   the history is summarised as x = purchases in (0, τ] after the first, t_x =
//                   the last of them (0 if none), T = τ, and the model's P(alive | x, t_x, T)
//                   is evaluated (lifetimes' calculate_alive_path; the P(alive) track of
//                   plot_history_alive). Needs the p_alive capability.
//   expected_cumulative_transactions
//                   Σᵢ wᵢ E[X(τ − bᵢ)] over the customers (or acquisition cohorts) i acquired
//                   at bᵢ < τ, for each τ: the expected repeat purchases of a growing customer
//                   base up to τ (Fader, Hardie & Lee 2005, "Counting your customers the easy
//                   way", Figure 1's tracking curve; lifetimes' expected_cumulative_transactions).
//                   Needs the new_customer_purchases capability. The model comparison's
//                   tracking curves (ltv/evaluation.hpp) are this function.
//
// Times are in the model's time unit (BG/BB: whole opportunities, which its own checks demand).
// Both are deterministic whatever the number of threads: each value is computed by the same
// operations in the same order.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "ltv/array_view.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/model_traits.hpp"

namespace ltv {
namespace detail {

/// invalid_argument naming the capability `what` the model lacks.
inline void require_kernel(const char* fn, const model_ops& ops, bool present, const char* what,
                           capability c) {
    if (!present)
        fail(status::invalid_argument, fn,
             std::string(what) + " needs the " + capability_name(static_cast<int>(c)) +
                 " capability, which the " + ops.title + " model does not have");
}

}  // namespace detail

/// P(alive) along one customer's history (see the header comment): purchase_times are the
/// customer's purchases as times since the first (purchase_times[0] = 0, nondecreasing,
/// finite); every later time > 0 counts as one purchase (merge purchases of the same day or
/// period first, as a summary does; later purchases at time 0 belong to the first). For each
/// τ = at[i] ≥ 0: x = #{k ≥ 1 : 0 < purchase_times[k] ≤ τ}, t_x = the last of them (0 if none),
/// out[i] = P(alive | x, t_x, τ). Errors name the argument and index (`purchase_times[3]`,
/// `at[7]`); a history the model refuses (BG/BB: a time that is not a whole period, two purchases
/// in one period) names at[i] and the (x, t_x, T) it made.
inline void alive_path(const model_ops& ops, const model_state& state,
                       array_view<double> purchase_times, array_view<double> at, double* out,
                       int threads = 1) {
    constexpr const char* fn = "alive_path";
    detail::require_kernel(fn, ops, ops.p_alive_one != nullptr, "the alive path",
                           capability::p_alive);
    detail::require_array(fn, "purchase_times", purchase_times.data(), purchase_times.size());
    detail::require_array(fn, "at", at.data(), at.size());
    detail::require_array(fn, "out", out, at.size());
    const double* p = purchase_times.data();
    const std::size_t np = purchase_times.size();
    if (np == 0)
        detail::fail(status::invalid_argument, fn,
                     "argument 'purchase_times' is empty: it must hold at least the first "
                     "purchase, at time 0");
    if (p[0] != 0)
        detail::fail_argument(fn, detail::arg_name{"purchase_times", 0}, p[0],
                              "must be 0 (the times are measured from the first purchase)");
    for (std::size_t k = 1; k < np; ++k) {
        detail::require_finite(fn, detail::arg_name{"purchase_times", k}, p[k]);
        if (p[k] < p[k - 1])
            detail::fail(status::invalid_argument, fn,
                         "argument '" + detail::element_name("purchase_times", k) + "' = " +
                             detail::format_value(p[k]) + " is before '" +
                             detail::element_name("purchase_times", k - 1) + "' = " +
                             detail::format_value(p[k - 1]) + ": the times must be nondecreasing");
    }
    for (std::size_t i = 0; i < at.size(); ++i)
        detail::require_nonnegative(fn, detail::arg_name{"at", i}, at[i]);
    // the purchases after time 0: p[first, np)
    const std::size_t first =
        static_cast<std::size_t>(std::upper_bound(p + 1, p + np, 0.0) - p);
    detail::parallel_for(at.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
            const double tau = at[i];
            const std::size_t last =
                static_cast<std::size_t>(std::upper_bound(p + first, p + np, tau) - p);
            const double x = static_cast<double>(last - first);
            const double t_x = last > first ? p[last - 1] : 0.0;
            try {
                out[i] = ops.p_alive_one(state, x, t_x, tau);
            } catch (const error& e) {
                throw error(e.code(), std::string(e.what()) + " (at " +
                                          detail::element_name("at", i) + " = " +
                                          detail::format_value(tau) + ": frequency = " +
                                          detail::format_value(x) + ", recency = " +
                                          detail::format_value(t_x) + ", T = " +
                                          detail::format_value(tau) + ")");
            }
        }
    });
}

/// Σᵢ wᵢ E[X((τ − bᵢ)/unit)] over the i with bᵢ < τ, for each τ = at[k] (see the header
/// comment): first_purchase[i] = bᵢ, weights[i] = wᵢ (empty: 1 each; finite, ≥ 0). Times are
/// finite, in any origin; `unit` (> 0) divides the differences (1: they are already in the
/// model's time unit; the comparison passes days and its unit in days). Customers with the same
/// bᵢ are evaluated once, with their weights summed; each τ then sums the groups in increasing
/// b, so the result does not depend on the order of the rows or the number of threads. Cost:
/// (distinct b) × (entries of at) evaluations of E[X(t)].
inline void expected_cumulative_transactions(const model_ops& ops, const model_state& state,
                                             array_view<double> first_purchase,
                                             array_view<double> weights, array_view<double> at,
                                             double* out, int threads = 1, double unit = 1) {
    constexpr const char* fn = "expected_cumulative_transactions";
    detail::require_kernel(fn, ops, ops.new_customer_purchases != nullptr,
                           "the expected cumulative transactions",
                           capability::new_customer_purchases);
    detail::require_array(fn, "first_purchase", first_purchase.data(), first_purchase.size());
    detail::require_array(fn, "weights", weights.data(), weights.size());
    detail::require_array(fn, "at", at.data(), at.size());
    detail::require_array(fn, "out", out, at.size());
    detail::require_positive(fn, "unit", unit);
    const std::size_t n = first_purchase.size();
    if (!weights.empty() && weights.size() != n)
        detail::fail(status::invalid_argument, fn,
                     "'weights' has " + std::to_string(weights.size()) +
                         " elements but 'first_purchase' has " + std::to_string(n));
    for (std::size_t i = 0; i < n; ++i) {
        detail::require_finite(fn, detail::arg_name{"first_purchase", i}, first_purchase[i]);
        if (!weights.empty()) detail::require_nonnegative(fn, detail::arg_name{"weights", i}, weights[i]);
    }
    for (std::size_t k = 0; k < at.size(); ++k)
        detail::require_finite(fn, detail::arg_name{"at", k}, at[k]);
    // Groups of equal b in increasing order (a stable sort: a group's weights add up in row
    // order), each with its first row for messages.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return first_purchase[a] < first_purchase[b];
    });
    std::vector<double> b, w;
    std::vector<std::size_t> row;
    for (std::size_t j = 0; j < n; ++j) {
        const std::size_t i = order[j];
        const double wi = weights.empty() ? 1.0 : weights[i];
        if (!b.empty() && first_purchase[i] == b.back()) {
            w.back() += wi;
        } else {
            b.push_back(first_purchase[i]);
            w.push_back(wi);
            row.push_back(i);
        }
    }
    detail::parallel_for(at.size(), threads, [&](std::size_t lo, std::size_t hi) {
        std::vector<double> t, ex;
        for (std::size_t k = lo; k < hi; ++k) {
            const double tau = at[k];
            const std::size_t groups =
                static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), tau) - b.begin());
            t.resize(groups);
            ex.resize(groups);
            for (std::size_t g = 0; g < groups; ++g) t[g] = (tau - b[g]) / unit;
            try {
                ops.new_customer_purchases(state, t, ex.data(), 1);
            } catch (const error& e) {
                // which group: the lowest whose t fails alone (the batch names "t[g]")
                std::string where;
                for (std::size_t g = 0; g < groups && where.empty(); ++g) {
                    double one;
                    try {
                        ops.new_customer_purchases(state, {&t[g], 1}, &one, 1);
                    } catch (const error&) {
                        where = " (at " + detail::element_name("at", k) + " = " +
                                detail::format_value(tau) + " and " +
                                detail::element_name("first_purchase", row[g]) + " = " +
                                detail::format_value(b[g]) + ")";
                    }
                }
                throw error(e.code(), std::string(e.what()) + where);
            }
            double sum = 0;
            for (std::size_t g = 0; g < groups; ++g) sum += w[g] * ex[g];
            out[k] = sum;
        }
    });
}

}  // namespace ltv
