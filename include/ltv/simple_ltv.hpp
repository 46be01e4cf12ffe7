// SPDX-License-Identifier: Apache-2.0
// ltv/simple_ltv.hpp — lifetime value as shop owners compute it: margin × purchases.
//
//   simple LTV            = margin per purchase × expected number of purchases
//   LTV from margins      = Σᵢ marginᵢ / (1 + d)ⁱ                      (i = 0, 1, …)
//   LTV of a purchase chain = Σᵢ marginᵢ × Πⱼ≤ᵢ pⱼ / (1 + d)ⁱ
//
// In the chain, pᵢ is the probability of purchase i given purchase i − 1 (p₀ is the probability
// of the first purchase: 1 for an existing customer, a conversion rate for a lead). A wedding
// photographer's chain is wedding → maternity → newborn → first birthday → family sessions.
// The discount rate d is per step: purchase i is discounted i steps, so the first is undiscounted.
// See docs/calculators.md.
//
// Sums and products of finite inputs can overflow (margins of 1e308, a discount rate close to −1
// over many steps): the result is then a domain_error naming it, never inf or NaN.
#pragma once

#include <cmath>

#include "ltv/array_view.hpp"
#include "ltv/detail/validate.hpp"

namespace ltv {

/// Margin per purchase × expected purchases. The margin may be negative; purchases must be ≥ 0.
inline double simple_ltv(double margin_per_purchase, double expected_purchases) {
    constexpr const char* fn = "simple_ltv";
    detail::require_finite(fn, "margin_per_purchase", margin_per_purchase);
    detail::require_nonnegative(fn, "expected_purchases", expected_purchases);
    return detail::require_finite_result(fn, "ltv", margin_per_purchase * expected_purchases);
}

/// Σᵢ marginᵢ × Πⱼ≤ᵢ pⱼ / (1 + d)ⁱ. Pass an empty `probabilities` to mean "every purchase
/// happens" (plain sum of margins); otherwise it must have one entry per margin, each in [0, 1].
inline double purchase_chain_ltv(array_view<double> margins, array_view<double> probabilities,
                                 double discount_rate = 0.0) {
    constexpr const char* fn = "purchase_chain_ltv";
    detail::require_array(fn, "margins", margins.data(), margins.size());
    detail::require_array(fn, "probabilities", probabilities.data(), probabilities.size());
    detail::require_rate(fn, "discount_rate", discount_rate);
    const bool certain = probabilities.empty();
    if (!certain && probabilities.size() != margins.size())
        detail::fail(status::invalid_argument, fn,
                     "'probabilities' has " + std::to_string(probabilities.size()) +
                         " entries but 'margins' has " + std::to_string(margins.size()) +
                         "; give one probability per purchase");
    const double step = 1.0 / (1.0 + discount_rate);
    double reach = 1.0;     // Πⱼ≤ᵢ pⱼ: probability the chain gets to purchase i
    double discount = 1.0;  // 1 / (1 + d)ⁱ
    double total = 0.0;
    for (std::size_t i = 0; i < margins.size(); ++i) {
        detail::require_finite(fn, {"margins", i}, margins[i]);
        if (!certain) {
            detail::require_probability(fn, {"probabilities", i}, probabilities[i]);
            reach *= probabilities[i];
        }
        // A term with a zero margin or a zero chance of being reached adds exactly nothing, also
        // once the discount factor has overflowed (d close to −1 over many steps): skipping it
        // avoids 0 · inf = NaN.
        if (margins[i] != 0 && reach != 0) total += margins[i] * reach * discount;
        discount *= step;
    }
    return detail::require_finite_result(fn, "ltv", total);
}

/// Σᵢ marginᵢ / (1 + d)ⁱ: later purchases may carry a different margin than the first.
inline double ltv_from_margins(array_view<double> margins, double discount_rate = 0.0) {
    return purchase_chain_ltv(margins, {}, discount_rate);
}

}  // namespace ltv
