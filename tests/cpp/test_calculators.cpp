// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/lost_profit.hpp, ltv/simple_ltv.hpp and ltv/average_clv.hpp.
// Worked examples come from issue #2 and are restated in docs/calculators.md.
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ltv/average_clv.hpp"
#include "ltv/lost_profit.hpp"
#include "ltv/simple_ltv.hpp"

namespace {
constexpr double exact = 1e-15;  // results that are one or two roundings from exact
const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

using ltv_test::error_message;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Brute-force Σₖ₌₁..N v·r^(k−1)/(1+d)^(k−1) for integer N: the definition the closed form must
// meet.
double average_clv_by_sum(const ltv::average_clv_inputs& in) {
    const double v = in.average_order_value * in.margin * in.purchases_per_period;
    double total = 0;
    for (int k = 1; k <= static_cast<int>(in.periods); ++k)
        total += v * std::pow(in.retention, k - 1) / std::pow(1 + in.discount_rate, k - 1);
    return total;
}
}  // namespace

TEST_CASE("lost_profit: worked example") {
    // Issue #2: 5 products at an average margin of 30 000; a customer who bought one and left
    // → (5 − 1) × 30 000 = 120 000; 65 such customers → 7 800 000.
    CHECK(ltv::lost_profit_per_customer(5, 1, 30000) == doctest::Approx(120000).epsilon(exact));
    CHECK(ltv::lost_profit(65, 5, 1, 30000) == doctest::Approx(7800000).epsilon(exact));
    CHECK(ltv::lost_profit(0, 5, 1, 30000) == 0.0);
    CHECK(ltv::lost_profit_per_customer(5, 5, 30000) == 0.0);  // bought everything: nothing lost
}

TEST_CASE("lost_profit: errors") {
    CHECK(error_message([] { ltv::lost_profit(65, 5, 6, 30000); }) ==
          "lost_profit: argument 'purchases_made' = 6 exceeds 'expected_purchases' = 5");
    CHECK(error_message([] { ltv::lost_profit(-1, 5, 1, 30000); }) ==
          "lost_profit: argument 'lost_customers' = -1 must not be negative");
    CHECK(contains(error_message([] { ltv::lost_profit(1, 5, 1, kNaN); }),
                   "'margin_per_purchase' = nan is not a finite number"));
}

TEST_CASE("simple_ltv and ltv_from_margins") {
    CHECK(ltv::simple_ltv(30000, 5) == doctest::Approx(150000).epsilon(exact));
    CHECK(ltv::simple_ltv(-10, 3) == -30.0);  // loss-making customers are allowed
    // Later purchases with a different margin: 100 + 80 + 80.
    CHECK(ltv::ltv_from_margins({100, 80, 80}) == doctest::Approx(260).epsilon(exact));
    // Discounted per step: 100 + 80/1.1 + 80/1.21.
    CHECK(ltv::ltv_from_margins({100, 80, 80}, 0.1) ==
          doctest::Approx(100 + 80 / 1.1 + 80 / 1.21).epsilon(1e-14));
    CHECK(ltv::ltv_from_margins({}) == 0.0);
    // Identity: equal margins without discount = simple LTV.
    CHECK(ltv::ltv_from_margins(std::vector<double>(7, 12.5)) ==
          doctest::Approx(ltv::simple_ltv(12.5, 7)).epsilon(exact));
}

TEST_CASE("purchase_chain_ltv: the wedding photographer") {
    // docs/calculators.md: wedding 1000 (p = 1, already booked), maternity 400 (p = 0.5),
    // newborn 500 (p = 0.8), first birthday 300 (p = 0.6), family session 300 (p = 0.5).
    const std::vector<double> m{1000, 400, 500, 300, 300}, p{1, 0.5, 0.8, 0.6, 0.5};
    const double expected = 1000 + 400 * 0.5 + 500 * 0.4 + 300 * 0.24 + 300 * 0.12;  // = 1508
    CHECK(ltv::purchase_chain_ltv(m, p) == doctest::Approx(1508).epsilon(exact));
    CHECK(expected == doctest::Approx(1508).epsilon(exact));
    // With 10 % per step: each term i divided by 1.1^i.
    double discounted = 0, reach = 1;
    for (std::size_t i = 0; i < m.size(); ++i) {
        reach *= p[i];
        discounted += m[i] * reach / std::pow(1.1, static_cast<double>(i));
    }
    CHECK(ltv::purchase_chain_ltv(m, p, 0.1) == doctest::Approx(discounted).epsilon(1e-14));
    // A zero probability ends the chain: nothing after it counts.
    CHECK(ltv::purchase_chain_ltv({100, 50, 50}, {1, 0, 1}) == 100.0);
    // All probabilities 1 = plain sum of margins.
    CHECK(ltv::purchase_chain_ltv(m, {1, 1, 1, 1, 1}) == ltv::ltv_from_margins(m));
}

TEST_CASE("purchase_chain_ltv: errors name the element") {
    CHECK(error_message([] {
              ltv::purchase_chain_ltv({1, 2, 3}, {1, 1.5, 1});
          }) == "purchase_chain_ltv: argument 'probabilities[1]' = 1.5 must lie in [0, 1]");
    CHECK(contains(error_message([] {
                       ltv::purchase_chain_ltv({1, 2}, {1});
                   }),
                   "'probabilities' has 1 entries but 'margins' has 2"));
    CHECK(error_message([&] {
              ltv::purchase_chain_ltv({1, kInf}, {});
          }) == "purchase_chain_ltv: argument 'margins[1]' = inf is not a finite number");
    CHECK(contains(error_message([] { ltv::ltv_from_margins({1}, -1); }),
                   "'discount_rate' = -1 must be greater than -1"));
    CHECK(contains(error_message([] {
                       ltv::purchase_chain_ltv({nullptr, 3}, {});
                   }),
                   "'margins' is a null pointer but its length is 3"));
}

TEST_CASE("average_clv: AOV × margin × frequency × periods") {
    ltv::average_clv_inputs in;
    in.average_order_value = 50;
    in.margin = 0.3;
    in.purchases_per_period = 2;
    in.periods = 12;
    // No retention loss, no discount: 50 × 0.3 × 2 × 12 = 360.
    CHECK(ltv::average_clv(in) == doctest::Approx(360).epsilon(exact));
}

TEST_CASE("average_clv: closed form agrees with the finite sum") {
    ltv::average_clv_inputs in;
    in.average_order_value = 80;
    in.margin = 0.25;
    in.purchases_per_period = 1.5;
    for (double periods : {0.0, 1.0, 2.0, 12.0, 120.0})
        for (double retention : {0.0, 0.3, 0.8, 0.999999, 1.0})
            for (double discount : {0.0, 0.01, 0.1, -0.05}) {
                in.periods = periods;
                in.retention = retention;
                in.discount_rate = discount;
                CAPTURE(periods);
                CAPTURE(retention);
                CAPTURE(discount);
                // Sums of ≤ 120 positive terms: agreement to ~1e-12 relative.
                CHECK(ltv::average_clv(in) ==
                      doctest::Approx(average_clv_by_sum(in)).epsilon(1e-12));
            }
}

TEST_CASE("average_clv: infinite horizon is the textbook m(1+d)/(1+d−r)") {
    ltv::average_clv_inputs in;
    in.average_order_value = 100;
    in.margin = 0.5;
    in.purchases_per_period = 1;  // m = 50 per period
    in.periods = kInf;
    in.retention = 0.8;
    in.discount_rate = 0.1;
    CHECK(ltv::average_clv(in) == doctest::Approx(50 * 1.1 / (1.1 - 0.8)).epsilon(1e-14));
    in.retention = 1.0;
    in.discount_rate = 0.0;
    CHECK(contains(error_message([&] { ltv::average_clv(in); }), "infinite horizon needs"));
    try {
        ltv::average_clv(in);
    } catch (const ltv::error& e) {
        CHECK(e.code() == ltv::status::domain_error);
    }
}

TEST_CASE("average_clv: bad inputs") {
    ltv::average_clv_inputs in;
    in.average_order_value = 10;
    in.purchases_per_period = 1;
    in.margin = 1.2;
    CHECK(error_message([&] { ltv::average_clv(in); }) ==
          "average_clv: argument 'margin' = 1.2 must lie in [0, 1]");
    in.margin = 0.5;
    in.periods = kNaN;
    CHECK(contains(error_message([&] { ltv::average_clv(in); }), "'periods' = nan"));
    in.periods = 3;
    in.retention = -0.1;
    CHECK(contains(error_message([&] { ltv::average_clv(in); }), "'retention' = -0.1"));
    in.retention = 1;
    in.discount_rate = -0.9;  // q = 10: overflows over a huge horizon, must not return inf
    in.periods = 1e6;
    CHECK(contains(error_message([&] { ltv::average_clv(in); }), "overflows"));
}

TEST_CASE("geometric_sum near q = 1 keeps its digits") {
    // Σₖ₌₀..n−1 qᵏ with q = 1 − ε: n − ε n(n−1)/2 + O(ε²).
    const double eps = 1e-12, n = 1000;
    CHECK(ltv::detail::geometric_sum(1 - eps, n) ==
          doctest::Approx(n - eps * n * (n - 1) / 2).epsilon(1e-13));
}
