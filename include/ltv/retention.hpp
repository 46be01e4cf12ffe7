// SPDX-License-Identifier: Apache-2.0
// ltv/retention.hpp — customer retention rate and churn rate for one period.
//
//   retention rate = (customers at end − new customers acquired in the period) / customers at start
//   churn rate     = customers lost in the period / customers at start
//
// The numerator counts the customers from the start of the period who are still customers at its
// end: new customers are subtracted because they were not there to be retained. Counts are
// doubles so that weighted or averaged counts work too; they must be finite and non-negative.
// See docs/calculators.md for the worked examples.
//
// Results are finite for all valid arguments: both rates lie in [0, 1] because the numerator
// (retained, lost) is checked to be ≤ start > 0, and division of x ≤ y by y > 0 never exceeds 1
// in IEEE arithmetic, also for subnormal counts. Only retention_from_flows' customers_end
// (start − lost + new) can overflow; it is checked (detail::require_finite_result).
#pragma once

#include "ltv/detail/validate.hpp"

namespace ltv {

/// Retention rate of a period from the customer counts at its start and end and the number of
/// customers acquired during it. Requires start > 0, end ≥ new, and end − new ≤ start (no more
/// retained customers than there were to retain).
inline double retention_rate(double customers_start, double customers_end, double new_customers) {
    constexpr const char* fn = "retention_rate";
    detail::require_positive(fn, "start", customers_start);
    detail::require_nonnegative(fn, "end", customers_end);
    detail::require_nonnegative(fn, "new", new_customers);
    if (customers_end < new_customers)
        detail::fail(status::invalid_argument, fn,
                     "argument 'end' = " + detail::format_value(customers_end) +
                         " is smaller than 'new' = " + detail::format_value(new_customers) +
                         " (the customers at the end include the new ones)");
    const double retained = customers_end - new_customers;
    if (retained > customers_start)
        detail::fail(
            status::invalid_argument, fn,
            "'end' − 'new' = " + detail::format_value(retained) +
                " retained customers exceed 'start' = " + detail::format_value(customers_start));
    return retained / customers_start;
}

/// Churn rate of a period: lost / start. Requires start > 0 and 0 ≤ lost ≤ start.
inline double churn_rate(double customers_start, double customers_lost) {
    constexpr const char* fn = "churn_rate";
    detail::require_positive(fn, "start", customers_start);
    detail::require_nonnegative(fn, "lost", customers_lost);
    if (customers_lost > customers_start)
        detail::fail(status::invalid_argument, fn,
                     "argument 'lost' = " + detail::format_value(customers_lost) +
                         " exceeds 'start' = " + detail::format_value(customers_start));
    return customers_lost / customers_start;
}

/// A period described by its flows: start, lost and new customers.
struct retention_flows {
    double customers_end;   ///< start − lost + new
    double retained;        ///< start − lost
    double retention_rate;  ///< (end − new) / start = (start − lost) / start
    double churn_rate;      ///< lost / start = 1 − retention rate
};

/// The variant taking (start, lost, new): derives the customers at the end (start − lost + new)
/// and applies the retention formula to them. New customers change the end count but not the
/// rate, since they are subtracted again.
inline retention_flows retention_from_flows(double customers_start, double customers_lost,
                                            double new_customers) {
    constexpr const char* fn = "retention_from_flows";
    detail::require_positive(fn, "start", customers_start);
    detail::require_nonnegative(fn, "lost", customers_lost);
    detail::require_nonnegative(fn, "new", new_customers);
    if (customers_lost > customers_start)
        detail::fail(status::invalid_argument, fn,
                     "argument 'lost' = " + detail::format_value(customers_lost) +
                         " exceeds 'start' = " + detail::format_value(customers_start));
    retention_flows r{};
    r.retained = customers_start - customers_lost;
    r.customers_end =
        detail::require_finite_result(fn, "customers_end", r.retained + new_customers);
    r.churn_rate = customers_lost / customers_start;
    r.retention_rate = r.retained / customers_start;
    return r;
}

}  // namespace ltv
