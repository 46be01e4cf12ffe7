// ltv/lost_profit.hpp — the margin lost when customers churn early.
//
//   lost per customer = (expected purchases over a lifetime − purchases made) × margin per purchase
//   lost profit       = lost customers × lost per customer
//
// Example (docs/calculators.md): a shop sells a typical customer 5 products at an average margin
// of 30 000; a customer who bought one and left took (5 − 1) × 30 000 = 120 000 with them, and
// 65 such customers 7 800 000.
#pragma once

#include "ltv/detail/validate.hpp"

namespace ltv {

namespace detail {
inline double lost_per_customer(const char* fn, double expected_purchases, double purchases_made,
                                double margin_per_purchase) {
    require_nonnegative(fn, "expected_purchases", expected_purchases);
    require_nonnegative(fn, "purchases_made", purchases_made);
    require_finite(fn, "margin_per_purchase", margin_per_purchase);
    if (purchases_made > expected_purchases)
        fail(status::invalid_argument, fn,
             "argument 'purchases_made' = " + format_value(purchases_made) +
                 " exceeds 'expected_purchases' = " + format_value(expected_purchases));
    return (expected_purchases - purchases_made) * margin_per_purchase;
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
    detail::require_nonnegative("lost_profit", "lost_customers", lost_customers);
    return lost_customers * detail::lost_per_customer("lost_profit", expected_purchases,
                                                      purchases_made, margin_per_purchase);
}

}  // namespace ltv
