// SPDX-License-Identifier: Apache-2.0
// ltv/lost_profit.hpp — the margin lost when customers churn early.
//
//   lost per customer = (expected purchases over a lifetime − purchases made) × margin per purchase
//   lost profit       = lost customers × lost per customer
//
// Example (docs/calculators.md): a shop sells a typical customer 5 products at an average margin
// of 30 000; a customer who bought one and left took (5 − 1) × 30 000 = 120 000 with them, and
// 65 such customers 7 800 000.
//
// The products overflow for extreme finite inputs (1e12 purchases × a margin of 1e308): such a
// result is a domain_error naming it, never inf. No lost customers lose nothing: exactly 0, also
// when the per-customer amount alone would overflow (0 × inf would be NaN).
#pragma once

#include "ltv/detail/validate.hpp"

namespace ltv {

namespace detail {
inline void validate_lost_profit(const char* fn, double expected_purchases, double purchases_made,
                                 double margin_per_purchase) {
    require_nonnegative(fn, "expected_purchases", expected_purchases);
    require_nonnegative(fn, "purchases_made", purchases_made);
    require_finite(fn, "margin_per_purchase", margin_per_purchase);
    if (purchases_made > expected_purchases)
        fail(status::invalid_argument, fn,
             "argument 'purchases_made' = " + format_value(purchases_made) +
                 " exceeds 'expected_purchases' = " + format_value(expected_purchases));
}

inline double lost_per_customer(const char* fn, double expected_purchases, double purchases_made,
                                double margin_per_purchase) {
    validate_lost_profit(fn, expected_purchases, purchases_made, margin_per_purchase);
    return require_finite_result(fn, "lost_per_customer",
                                 (expected_purchases - purchases_made) * margin_per_purchase);
}
}  // namespace detail

/// Margin a single churned customer would still have brought. Requires
/// 0 ≤ purchases_made ≤ expected_purchases and a finite margin (negative margins are allowed:
/// a loss-making customer's churn is a gain).
inline double lost_profit_per_customer(double expected_purchases, double purchases_made,
                                       double margin_per_purchase) {
    return detail::lost_per_customer("lost_profit_per_customer", expected_purchases, purchases_made,
                                     margin_per_purchase);
}

/// Margin lost with `lost_customers` churned customers who each made `purchases_made` purchases.
inline double lost_profit(double lost_customers, double expected_purchases, double purchases_made,
                          double margin_per_purchase) {
    constexpr const char* fn = "lost_profit";
    detail::require_nonnegative(fn, "lost_customers", lost_customers);
    if (lost_customers == 0) {  // exactly nothing lost, however large the per-customer amount
        detail::validate_lost_profit(fn, expected_purchases, purchases_made, margin_per_purchase);
        return 0;
    }
    return detail::require_finite_result(
        fn, "lost_profit",
        lost_customers * detail::lost_per_customer(fn, expected_purchases, purchases_made,
                                                   margin_per_purchase));
}

}  // namespace ltv
