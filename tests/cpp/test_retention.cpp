// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/retention.hpp. Worked examples: docs/calculators.md (issue #2).
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <cmath>
#include <limits>

#include "ltv/retention.hpp"

namespace {
// Exact rational results: relative tolerance at the level of a couple of ulps.
constexpr double exact = 1e-15;

using ltv_test::error_message;

}  // namespace

TEST_CASE("retention_rate: worked examples") {
    // Issue #2: 1000 at start, 200 new, 100 lost, 1100 at end → (1100 − 200) / 1000 = 90 %.
    CHECK(ltv::retention_rate(1000, 1100, 200) == doctest::Approx(0.9).epsilon(exact));
    // Issue #2 / the shop-owner article: (485 − 32) / 550 = 82.36 %, with 485 customers at the end.
    CHECK(ltv::retention_rate(550, 485, 32) == doctest::Approx(453.0 / 550.0).epsilon(exact));
    CHECK(ltv::retention_rate(550, 485, 32) == doctest::Approx(0.8236).epsilon(1e-4));
}

TEST_CASE("retention_from_flows: end = start − lost + new, rate = (end − new) / start") {
    // 1000 start, 100 lost, 200 new → 1100 at end, 90 % retained (same period as above).
    const auto a = ltv::retention_from_flows(1000, 100, 200);
    CHECK(a.customers_end == 1100);
    CHECK(a.retention_rate == doctest::Approx(0.9).epsilon(exact));
    CHECK(a.churn_rate == doctest::Approx(0.1).epsilon(exact));
    // 550 start, 65 left, 32 new → 517 at end; (517 − 32) / 550 = 485 / 550 = 88.18 %.
    const auto b = ltv::retention_from_flows(550, 65, 32);
    CHECK(b.customers_end == 517);
    CHECK(b.retained == 485);
    CHECK(b.retention_rate == doctest::Approx(485.0 / 550.0).epsilon(exact));
    // Identity: the flows variant agrees with the counts variant on the derived end count.
    CHECK(b.retention_rate == ltv::retention_rate(550, b.customers_end, 32));
    CHECK(b.retention_rate + b.churn_rate == doctest::Approx(1.0).epsilon(exact));
}

TEST_CASE("churn_rate") {
    CHECK(ltv::churn_rate(550, 65) == doctest::Approx(65.0 / 550.0).epsilon(exact));
    CHECK(ltv::churn_rate(10, 0) == 0.0);
    CHECK(ltv::churn_rate(10, 10) == 1.0);
}

TEST_CASE("retention edge cases: nobody new, everybody kept, everybody lost") {
    CHECK(ltv::retention_rate(10, 10, 0) == 1.0);
    CHECK(ltv::retention_rate(10, 5, 5) == 0.0);
    CHECK(ltv::retention_rate(0.5, 0.25, 0) == 0.5);  // weighted counts are fine
}

TEST_CASE("retention errors name the argument and the value") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(error_message([] { ltv::retention_rate(0, 1, 0); }) ==
          "retention_rate: argument 'start' = 0 must be greater than 0");
    CHECK(error_message([] { ltv::retention_rate(-5, 1, 0); }).find("'start' = -5") !=
          std::string::npos);
    CHECK(error_message([&] { ltv::retention_rate(10, nan, 0); }) ==
          "retention_rate: argument 'end' = nan is not a finite number");
    CHECK(error_message([] {
              ltv::retention_rate(10, 5, 6);
          }).find("'end' = 5 is smaller than 'new' = 6") != std::string::npos);
    CHECK(error_message([] { ltv::retention_rate(10, 30, 5); }).find("exceed 'start' = 10") !=
          std::string::npos);
    CHECK(error_message([] { ltv::churn_rate(10, 11); }).find("'lost' = 11 exceeds 'start' = 10") !=
          std::string::npos);
    CHECK(error_message([] { ltv::retention_from_flows(10, 1, -1); }).find("'new' = -1") !=
          std::string::npos);
    try {
        ltv::retention_rate(0, 1, 0);
        FAIL("expected an ltv::error");
    } catch (const ltv::error& e) {
        CHECK(e.code() == ltv::status::invalid_argument);
    }
}
