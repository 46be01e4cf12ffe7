// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/cohorts.hpp on hand-made logs (expected values worked out in the comments).
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <cmath>

#include "ltv/cohorts.hpp"

namespace {
using ltv_test::error_message;

ltv::purchase_history hist(const char* text) { return ltv::build_history(ltv::load_transactions_text(text)); }
}  // namespace

TEST_CASE("cohorts: retention table by acquisition month") {
    // a: Jan (twice), Mar. b: Jan 31 only. c: Feb 1 and Feb 28 (same month), Apr 30. d: Apr 1.
    const auto h = hist(
        "customer_id,date\n"
        "a,2014-01-05\na,2014-01-20\na,2014-03-02\n"
        "b,2014-01-31\n"
        "c,2014-02-01\nc,2014-02-28\nc,2014-04-30\n"
        "d,2014-04-01\n");
    const auto t = ltv::cohort_retention(h);
    REQUIRE(t.cohort.size() == 4);  // Jan .. Apr
    CHECK(t.cohort[1] == ltv::make_day(2014, 2, 1));
    CHECK(t.size == std::vector<std::size_t>{2, 1, 0, 1});
    // Jan (a, b): in month 0 both, month 1 none, month 2 a, month 3 none.
    CHECK(t.active[0] == std::vector<double>{1.0, 0.0, 0.5, 0.0});
    // ... "in month k or later": a bought in March, so months 1 and 2 keep 1 of 2.
    CHECK(t.active_or_later[0] == std::vector<double>{1.0, 0.5, 0.5, 0.0});
    // Feb (c): months Feb, Mar, Apr → 1, 0, 1; or later → 1, 1, 1.
    CHECK(t.active[1] == std::vector<double>{1.0, 0.0, 1.0});
    CHECK(t.active_or_later[1] == std::vector<double>{1.0, 1.0, 1.0});
    // Mar: nobody acquired → NaN shares; Apr (d): one month.
    REQUIRE(t.active[2].size() == 2);
    CHECK(std::isnan(t.active[2][0]));
    CHECK(t.active[3] == std::vector<double>{1.0});
    // Cut at the end of March: April purchases and cohort disappear.
    const auto cut = ltv::cohort_retention(h, ltv::make_day(2014, 3, 31));
    REQUIRE(cut.cohort.size() == 3);
    CHECK(cut.active[1] == std::vector<double>{1.0, 0.0});
    CHECK(cut.active_or_later[1] == std::vector<double>{1.0, 0.0});
}

TEST_CASE("cohorts: period retention from a log") {
    // Period (2014-01-31, 2014-03-31], window 60 days: active at the start = purchase in
    // (2013-12-02, 2014-01-31]: a, b. Active at the end = purchase in (2014-01-30, 2014-03-31]:
    // a (03-02), b (01-31), c (02-28), e (03-15). New: c (first purchase 02-01).
    // e bought in 2013-10 and came back: reactivated.
    const auto h = hist(
        "customer_id,date\n"
        "a,2014-01-05\na,2014-03-02\n"
        "b,2014-01-31\n"
        "c,2014-02-01\nc,2014-02-28\n"
        "e,2013-10-01\ne,2014-03-15\n"
        "z,2013-06-01\n");
    const auto r = ltv::period_retention(h, ltv::make_day(2014, 1, 31), ltv::make_day(2014, 3, 31), 60);
    CHECK(r.customers_start == 2);
    CHECK(r.customers_end == 4);
    CHECK(r.new_customers == 1);
    CHECK(r.retained == 2);
    CHECK(r.reactivated == 1);
    CHECK(r.retention_rate == doctest::Approx(1.5).epsilon(1e-15));  // (4 − 1) / 2
    CHECK(r.retained_share == doctest::Approx(1.0).epsilon(1e-15));
    // A 1-day window: only b (01-31) is active at the start, nobody at 03-31.
    const auto narrow = ltv::period_retention(h, ltv::make_day(2014, 1, 31), ltv::make_day(2014, 3, 31), 1);
    CHECK(narrow.customers_start == 1);
    CHECK(narrow.customers_end == 0);
    CHECK(narrow.retention_rate == doctest::Approx(-1.0).epsilon(1e-15));  // (0 − 1) / 1: c not active at the end
    CHECK(error_message([&] { ltv::period_retention(h, ltv::make_day(2014, 3, 31), ltv::make_day(2014, 1, 31), 30); }) ==
          "period_retention: end 2014-01-31 must be after start 2014-03-31");
    CHECK(error_message([&] { ltv::period_retention(h, ltv::make_day(2012, 1, 31), ltv::make_day(2012, 3, 31), 30); })
              .find("no customer was active at the start 2012-01-31") != std::string::npos);
}
