// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/rfm.hpp: quantile scores and segments on a hand-made log (values worked out in
// the comments).
#include <doctest/doctest.h>

#include "ltv/rfm.hpp"

namespace {
// Customer c<i> (i = 0..9) has i + 1 purchase days, the last i days before 2014-06-30, 10 per
// day, so R = i days, F = i + 1, M = 10 (i + 1). c9 also buys twice on its last day (merged).
std::string rfm_log() {
    std::string s = "customer_id,date,amount\n";
    const ltv::day_number d = ltv::make_day(2014, 6, 30);
    for (int i = 0; i < 10; ++i)
        for (int k = 0; k <= i; ++k)
            s += "c" + std::to_string(i) + "," + ltv::format_date(d - i - 3 * k) + ",10\n";
    s += "c9," + ltv::format_date(d - 9) + ",0\n";
    s += "late," + ltv::format_date(d + 1) + ",10\n";  // after the date: not scored
    return s;
}
}  // namespace

TEST_CASE("rfm: quintile scores give ties the same score") {
    CHECK(ltv::quintile_scores({1, 1, 1, 1}, true) == std::vector<int>{1, 1, 1, 1});
    CHECK(ltv::quintile_scores({1, 1, 1, 1}, false) == std::vector<int>{1, 1, 1, 1});
    // 1 beats nobody → 1; 2 beats one of four → 1 + floor(5/4) = 2; 3 beats three → 1 + 3 = 4.
    CHECK(ltv::quintile_scores({1, 2, 2, 3}, true) == std::vector<int>{1, 2, 2, 4});
    CHECK(ltv::quintile_scores({1, 2, 2, 3}, false) == std::vector<int>{4, 2, 2, 1});
    CHECK(ltv::quintile_scores({5, 4, 3, 2, 1}, true) == std::vector<int>{5, 4, 3, 2, 1});
}

TEST_CASE("rfm: scores, combined score and default segments") {
    const auto h = ltv::build_history(ltv::load_transactions_text(rfm_log()));
    const auto t = ltv::rfm(h, ltv::make_day(2014, 6, 30));
    REQUIRE(t.customer.size() == 10);
    // R: worse = 9 − i customers → 1 + floor(5 (9 − i) / 10) = 5 5 4 4 3 3 2 2 1 1.
    CHECK(t.r == std::vector<int>{5, 5, 4, 4, 3, 3, 2, 2, 1, 1});
    // F and M: worse = i → 1 + floor(i / 2) = 1 1 2 2 3 3 4 4 5 5.
    CHECK(t.f == std::vector<int>{1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
    CHECK(t.m == t.f);
    CHECK(t.frequency[9] == 10);   // the merged same-day purchase counts once
    CHECK(t.monetary[9] == 100);
    CHECK(t.recency_days[3] == 3);
    CHECK(t.score[0] == 511);
    CHECK(t.score[9] == 155);
    CHECK(t.segment == std::vector<std::string>{"New Customers", "New Customers", "Potential Loyalist",
                                                "Potential Loyalist", "Need Attention", "Need Attention",
                                                "At Risk", "At Risk", "Can't Lose Them", "Can't Lose Them"});
}

TEST_CASE("rfm: the default rule table covers every R x F cell; custom rules replace it") {
    const auto rules = ltv::rfm_default_segments();
    CHECK(rules.size() == 11);
    for (int r = 1; r <= 5; ++r)
        for (int f = 1; f <= 5; ++f) {
            int matched = 0;
            for (const auto& rule : rules) matched += rule.matches(r, f, 3);
            CAPTURE(r);
            CAPTURE(f);
            CHECK(matched >= 1);
        }
    const auto h = ltv::build_history(ltv::load_transactions_text(rfm_log()));
    const auto t = ltv::rfm(h, ltv::make_day(2014, 6, 30), {{"Big spenders", 1, 5, 1, 5, 5, 5}});
    CHECK(t.segment[9] == "Big spenders");
    CHECK(t.segment[0].empty());  // no rule matched
}
