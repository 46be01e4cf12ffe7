// SPDX-License-Identifier: Apache-2.0
// ltv/average_clv.hpp — customer lifetime value from averages.
//
// One period's margin from a customer is
//   v = average order value × margin rate × purchases per period.
// A customer is active in period 1 and, with per-period retention probability r, still active in
// period k with probability r^(k−1); with a discount rate d per period, period k's margin is worth
// 1/(1+d)^(k−1) today (margins at the start of each period, the first undiscounted). So
//   CLV = Σₖ₌₁..N v · qᵏ⁻¹ = v · (1 − qᴺ) / (1 − q),  q = r / (1 + d),
// which is v · N when r = 1 and d = 0 (the shop owner's AOV × frequency × periods) and, for
// N → ∞ with q < 1, the textbook v · (1 + d) / (1 + d − r).
#pragma once

#include <cmath>
#include <limits>

#include "ltv/detail/validate.hpp"

namespace ltv {

struct average_clv_inputs {
    double average_order_value = 0;   ///< revenue per order, ≥ 0
    double margin = 1;                ///< margin as a fraction of revenue, in [0, 1]
    double purchases_per_period = 0;  ///< orders per period, ≥ 0
    double periods = 1;               ///< number of periods N ≥ 0; may be +inf when q < 1
    double retention = 1;             ///< per-period retention probability r in [0, 1]
    double discount_rate = 0;         ///< per-period discount rate d > −1
};

namespace detail {
/// Σₖ₌₀..n−1 qᵏ for real n ≥ 0, using expm1/log1p so that q close to 1 keeps its digits.
/// The branch at q = 1 is exact (the ratio is 0/0 there); for q near 1 the ratio form
/// (1 − qⁿ)/(1 − q) = −expm1(n·log q)/(−(q − 1)) loses nothing because both parts are
/// computed from q − 1 directly.
inline double geometric_sum(double q, double n) {
    if (q == 1.0) return n;
    if (std::isinf(n)) return 1.0 / (1.0 - q);  // caller guarantees 0 ≤ q < 1
    if (q == 0.0) return n > 0 ? 1.0 : 0.0;     // only the first term (0⁰ = 1)
    return -std::expm1(n * std::log(q)) / -(q - 1.0);
}
}  // namespace detail

namespace detail {
/// v = average order value × margin × purchases per period, checked finite (1e308 orders of
/// 1e308 overflow: a domain_error naming the result).
inline double margin_per_period(const char* fn, const average_clv_inputs& in) {
    require_nonnegative(fn, "average_order_value", in.average_order_value);
    require_probability(fn, "margin", in.margin);
    require_nonnegative(fn, "purchases_per_period", in.purchases_per_period);
    return require_finite_result(fn, "margin_per_period",
                                 in.average_order_value * in.margin * in.purchases_per_period);
}
}  // namespace detail

/// One period's margin v = average order value × margin × purchases per period (checked finite).
inline double average_clv_margin_per_period(const average_clv_inputs& in) {
    return detail::margin_per_period("average_clv", in);
}

/// CLV from averages; see the header comment for the formula and conventions.
inline double average_clv(const average_clv_inputs& in) {
    constexpr const char* fn = "average_clv";
    const double per_period = detail::margin_per_period(fn, in);
    detail::require_probability(fn, "retention", in.retention);
    detail::require_rate(fn, "discount_rate", in.discount_rate);
    if (std::isnan(in.periods) || in.periods < 0)
        detail::fail_argument(fn, "periods", in.periods, "must be a number ≥ 0 (or +inf)");
    const double q = in.retention / (1.0 + in.discount_rate);
    if (std::isinf(in.periods) && !(q < 1.0))
        detail::fail(status::domain_error, fn,
                     "an infinite horizon needs retention / (1 + discount_rate) < 1, but it is " +
                         detail::format_value(q) +
                         " (retention = " + detail::format_value(in.retention) +
                         ", discount_rate = " + detail::format_value(in.discount_rate) + ")");
    const double sum = detail::geometric_sum(q, in.periods);
    // No margin, or no periods: exactly 0, also when the other factor overflowed (0 · inf).
    if (per_period == 0 || sum == 0) return 0;
    const double clv = per_period * sum;
    // Reachable with q > 1 (a negative discount rate) over very many periods, or with a huge
    // per-period margin over many periods.
    if (!std::isfinite(clv))
        detail::fail(status::domain_error, fn,
                     "result 'clv' = " + detail::format_value(clv) +
                         " is not a finite number: the value overflows (margin per period " +
                         detail::format_value(per_period) + ", retention / (1 + discount_rate) = " +
                         detail::format_value(q) + " over " + detail::format_value(in.periods) +
                         " periods)");
    return clv;
}

}  // namespace ltv
