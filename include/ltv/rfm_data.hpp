// SPDX-License-Identifier: Apache-2.0
// ltv/rfm_data.hpp — customer summaries (x, t_x, T) as the transaction models consume them.
//
// x = number of repeat purchases ("frequency"), t_x = time of the last repeat purchase measured
// from the first purchase ("recency"), T = time from the first purchase to the end of the
// observation period (the field `age`), all in one time unit (e.g. weeks). Optional weights let
// identical rows be passed once: a row of weight w counts as w customers in a fit.
//
// Shared by BG/NBD, MBG/NBD and Pareto/NBD. Conventions checked by validate_rfm():
//   x ≥ 0 and integer-valued; 0 ≤ t_x ≤ T; T ≥ 0 and finite; t_x = 0 when x = 0 (a customer
//   without repeat purchases has no recency: a non-zero value there almost always means the
//   columns were computed differently, e.g. from the first purchase's calendar date, so it is
//   rejected rather than silently ignored); x = 0 when T = 0 (a customer whose first purchase
//   was on the last day observed — ltv::summarize and lifetimes make them — had no time for a
//   repeat purchase: the model gives such a row probability 0); weights finite and ≥ 0.
// T = 0 rows are valid everywhere: nothing has been observed of them yet, so their likelihood
// is 1 whatever the parameters (log L = 0), and every prediction is that of a customer acquired
// at the end of the period (the model headers give the values).
//
// Messages name the arguments as every user layer does (C API, Python, CLI columns):
// 'frequency', 'recency', 'T' and 'weights' — never the C++ field name `age`.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "ltv/array_view.hpp"
#include "ltv/detail/validate.hpp"

namespace ltv {

struct rfm_data {
    array_view<double> frequency;  ///< x, repeat purchases
    array_view<double> recency;    ///< t_x
    array_view<double> age;        ///< T
    array_view<double> weights;    ///< empty: every row has weight 1
    /// Σ log of each customer's inter-purchase times (the regularity models, ltv/bgcnbd.hpp);
    /// empty: not given. Models that do not use it ignore it.
    array_view<double> litt{};
    /// Time-invariant customer attributes, one row per customer (ltv/covariates.hpp); empty:
    /// none. Models without covariates refuse a non-empty matrix.
    matrix_view covariates{};
    /// The names of the covariates' columns (covariates.cols of them; empty: "z1", "z2", …).
    array_view<std::string> covariate_names{};
    std::size_t size() const noexcept { return frequency.size(); }
};

/// Per-customer (x, z̄) as the spend models consume them (ltv/gamma_gamma.hpp).
struct spend_data {
    array_view<double> frequency;  ///< x ≥ 0
    /// z̄: finite; ≥ 0 where x = 0 and in predictions; rows with x > 0 and z̄ ≤ 0 are excluded
    /// from a fit and counted (ltv/gamma_gamma.hpp, docs/gamma-gamma.md)
    array_view<double> monetary;
    array_view<double> weights;    ///< empty: every row weight 1
    matrix_view covariates{};      ///< as rfm_data::covariates
    array_view<std::string> covariate_names{};
    std::size_t size() const noexcept { return frequency.size(); }
};

namespace detail {

/// The names of the three columns in messages (see the header comment).
namespace rfm_names {
constexpr const char* frequency = "frequency";
constexpr const char* recency = "recency";
constexpr const char* T = "T";
}  // namespace rfm_names

/// Checks one customer and throws a message naming the first violated convention (returns for
/// a valid one, e.g. T = 0, which customer_valid_fast leaves to it); `row` is used in messages
/// (SIZE_MAX: a scalar call). Names are arg_name values: no string is built unless a
/// check fails.
inline void validate_customer_detailed(const char* fn, double x, double t_x, double T,
                                       std::size_t row) {
    const arg_name freq{rfm_names::frequency, row}, rec{rfm_names::recency, row},
        T_name{rfm_names::T, row};
    require_nonnegative(fn, freq, x);
    if (x != std::floor(x)) fail_argument(fn, freq, x, "must be an integer");
    require_nonnegative(fn, rec, t_x);
    require_nonnegative(fn, T_name, T);
    if (t_x > T)
        fail(status::invalid_argument, fn,
             "argument '" + rec.str() + "' = " + format_value(t_x) + " must not exceed '" +
                 T_name.str() + "' = " + format_value(T));
    if (x == 0 && t_x != 0)
        fail(status::invalid_argument, fn,
             "argument '" + rec.str() + "' = " + format_value(t_x) + " must be 0 when '" +
                 freq.str() + "' = 0 (no repeat purchase)");
    if (T == 0 && x != 0)
        fail(status::invalid_argument, fn,
             "argument '" + freq.str() + "' = " + format_value(x) + " must be 0 when '" +
                 T_name.str() + "' = 0 (no time after the first purchase for a repeat purchase)");
}

/// The common case of validate_customer's conventions as one branch-free predicate (no calls,
/// no short-circuit jumps, which mispredict on mixed x = 0 / x > 0 data): true means valid.
/// NaN fails every comparison. For 0 ≤ x < 2⁵², (x + 2⁵²) − 2⁵² rounds x to the nearest
/// integer exactly, so it equals x iff x is an integer; larger finite x (all integers) are left
/// to the detailed check, and so are the rare valid rows with T = 0 (x = t_x = 0): requiring
/// T > 0 here costs one comparison, where accepting them cost a third more time per row.
inline bool customer_valid_fast(double x, double t_x, double T) noexcept {
    constexpr double two52 = 4503599627370496.0;
    const bool x_ok = (x >= 0) & (x < two52) & ((x + two52) - two52 == x);
    const bool t_ok = (t_x >= 0) & (T > 0) & (T <= std::numeric_limits<double>::max()) &
                      (t_x <= T);
    return x_ok & t_ok & ((x != 0) | (t_x == 0));
}

/// Checks one customer; `row` is used in messages (SIZE_MAX: a scalar call).
inline void validate_customer(const char* fn, double x, double t_x, double T,
                              std::size_t row = static_cast<std::size_t>(-1)) {
    if (!customer_valid_fast(x, t_x, T)) validate_customer_detailed(fn, x, t_x, T, row);
}

/// Checks rows [begin, end) of an rfm_data whose array lengths are already known to agree, in
/// row order (a row's customer checks, then its weight), so the first error is the lowest row's.
inline void validate_rfm_rows(const char* fn, const rfm_data& d, std::size_t begin,
                              std::size_t end) {
    const double* x = d.frequency.data();
    const double* tx = d.recency.data();
    const double* T = d.age.data();
    const double* w = d.weights.empty() ? nullptr : d.weights.data();
    for (std::size_t i = begin; i < end; ++i) {
        if (!customer_valid_fast(x[i], tx[i], T[i]))
            validate_customer_detailed(fn, x[i], tx[i], T[i], i);
        // w ≥ 0 and finite (NaN fails both comparisons).
        if (w && !(w[i] >= 0 && w[i] <= std::numeric_limits<double>::max()))
            require_nonnegative(fn, arg_name{"weights", i}, w[i]);
    }
}

/// Checks the arrays of an rfm_data: equal lengths, non-null.
inline void validate_rfm_shape(const char* fn, const rfm_data& d) {
    require_array(fn, rfm_names::frequency, d.frequency.data(), d.frequency.size());
    require_array(fn, rfm_names::recency, d.recency.data(), d.recency.size());
    require_array(fn, rfm_names::T, d.age.data(), d.age.size());
    require_array(fn, "weights", d.weights.data(), d.weights.size());
    const std::size_t n = d.size();
    auto same = [&](const char* name, std::size_t m) {
        if (m != n)
            fail(status::invalid_argument, fn,
                 std::string("argument '") + name + "' has " + std::to_string(m) +
                     " elements but 'frequency' has " + std::to_string(n));
    };
    same(rfm_names::recency, d.recency.size());
    same(rfm_names::T, d.age.size());
    if (!d.weights.empty()) same("weights", d.weights.size());
}

/// Checks the arrays of an rfm_data: equal lengths, non-null, every row valid. The error
/// reported is the one of the lowest failing row (see validate_rfm_rows).
inline void validate_rfm(const char* fn, const rfm_data& d) {
    validate_rfm_shape(fn, d);
    validate_rfm_rows(fn, d, 0, d.size());
}

}  // namespace detail
}  // namespace ltv
