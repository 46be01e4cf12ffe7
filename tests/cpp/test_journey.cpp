// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/journey.hpp: purchase histories, cycles and journey statuses on a hand-made log.
// Every expected value below is worked out by hand from the log in the comments.
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <cmath>

#include "ltv/bgnbd.hpp"
#include "ltv/journey.hpp"

namespace {

using ltv_test::error_message;

// n1: one purchase (03-01). f1: 03-01, 03-05 twice (merged), 03-10 → gaps 4, 5.
// r1: 01-01, then 03-10 after 68 days (lost meanwhile), then 03-14 → gaps 68, 4.
const char* journey_log =
    "customer_id,date,amount\n"
    "r1,2014-01-01,20\n"
    "n1,2014-03-01,10\n"
    "f1,2014-03-01,5\n"
    "f1,2014-03-05,5\n"
    "f1,2014-03-05,7\n"
    "f1,2014-03-10,5\n"
    "r1,2014-03-10,20\n"
    "r1,2014-03-14,20\n";

ltv::purchase_history history() { return ltv::build_history(ltv::load_transactions_text(journey_log)); }

ltv::day_number march(int d) { return ltv::make_day(2014, 3, d); }

ltv::journey_status status(const ltv::journey_result& r, const std::string& id) {
    for (std::size_t i = 0; i < r.customer.size(); ++i)
        if (r.customer[i] == id) return r.status[i];
    FAIL("no customer " << id);
    return ltv::journey_status::lead;
}

}  // namespace

TEST_CASE("journey: history merges same-day purchases and sorts days") {
    const auto h = history();
    REQUIRE(h.size() == 3);
    const auto f1 = h.days_of(h.customers.find("f1"));
    REQUIRE(f1.size() == 3);
    CHECK(f1[1] == march(5));
    CHECK(h.amounts[h.offsets[h.customers.find("f1")] + 1] == 12);  // 5 + 7 on 03-05
    CHECK(h.days_of(h.customers.find("r1"))[0] == ltv::make_day(2014, 1, 1));
}

TEST_CASE("journey: purchase cycles — per customer mean/median, business 80th percentile") {
    const auto h = history();
    const auto cyc = ltv::purchase_cycles(h);
    const auto f1 = cyc[h.customers.find("f1")];
    CHECK(f1.gaps == 2);
    CHECK(f1.mean_gap == doctest::Approx(4.5).epsilon(1e-15));    // (4 + 5) / 2
    CHECK(f1.median_gap == doctest::Approx(4.5).epsilon(1e-15));
    CHECK(cyc[h.customers.find("r1")].mean_gap == doctest::Approx(36).epsilon(1e-15));  // (68 + 4) / 2
    CHECK(std::isnan(cyc[h.customers.find("n1")].mean_gap));
    CHECK(cyc[h.customers.find("n1")].gaps == 0);
    // All gaps 4, 4, 5, 68: numpy.percentile([4, 4, 5, 68], 80) = 5 + 0.4 × 63 = 30.2.
    CHECK(ltv::business_cycle(h) == doctest::Approx(30.2).epsilon(1e-14));
    CHECK(ltv::business_cycle(h, 0.5) == doctest::Approx(4.5).epsilon(1e-15));
    // Up to 03-09 only f1's gap 4 exists (r1 returns on 03-10); up to 03-10 the gaps are
    // 4, 5, 68: 80th percentile 5 + 0.6 × 63 = 42.8.
    CHECK(ltv::business_cycle(h, 0.8, march(9)) == 4);
    CHECK(ltv::business_cycle(h, 0.8, march(10)) == doctest::Approx(42.8).epsilon(1e-14));
    CHECK(ltv::quantile({3, 1, 2}, 0) == 1);
    CHECK(ltv::quantile({3, 1, 2}, 1) == 3);
    CHECK(ltv::quantile({7}, 0.8) == 7);
    CHECK(error_message([] { ltv::quantile({}, 0.5); }) == "quantile: the sample is empty");
    const auto single = ltv::build_history(ltv::load_transactions_text("customer_id,date\na,2014-01-01\n"));
    CHECK(error_message([&] { ltv::business_cycle(single); }).find("no customer has two purchase days") !=
          std::string::npos);
}

TEST_CASE("journey: statuses at the boundaries (cycle 10 days, lost after 3 × 10)") {
    const auto h = history();
    ltv::journey_options o;
    o.cycle_days = 10;
    // n1 bought on 03-01: silence 10 = cycle → still newbie; 11 → sleeping; 30 → sleeping
    // (not > 30); 31 → lost.
    CHECK(status(ltv::journey(h, march(11), o), "n1") == ltv::journey_status::newbie);
    CHECK(status(ltv::journey(h, march(12), o), "n1") == ltv::journey_status::sleeping);
    CHECK(status(ltv::journey(h, march(31), o), "n1") == ltv::journey_status::sleeping);
    CHECK(status(ltv::journey(h, ltv::make_day(2014, 4, 1), o), "n1") == ltv::journey_status::lost);
    // f1: last purchase 03-10 after a gap of 5 → fan on 03-15.
    CHECK(status(ltv::journey(h, march(15), o), "f1") == ltv::journey_status::fan);
    // f1 as of 03-04: one purchase so far → newbie (later purchases do not count).
    CHECK(status(ltv::journey(h, march(4), o), "f1") == ltv::journey_status::newbie);
    // r1: newbie on 01-05, sleeping on 01-20 (19 days), lost on 02-15 (45 > 30), returned on
    // 03-12 (bought 03-10 after 68 days), fan again on 03-15 (bought 03-14 after 4 days).
    CHECK(status(ltv::journey(h, ltv::make_day(2014, 1, 5), o), "r1") == ltv::journey_status::newbie);
    CHECK(status(ltv::journey(h, ltv::make_day(2014, 1, 20), o), "r1") == ltv::journey_status::sleeping);
    CHECK(status(ltv::journey(h, ltv::make_day(2014, 2, 15), o), "r1") == ltv::journey_status::lost);
    CHECK(status(ltv::journey(h, march(12), o), "r1") == ltv::journey_status::returned);
    CHECK(status(ltv::journey(h, march(15), o), "r1") == ltv::journey_status::fan);
    // Before any purchase of n1 and f1 only r1 is listed; contacts without purchase are leads.
    o.contacts = {"n1", "x"};
    const auto feb = ltv::journey(h, ltv::make_day(2014, 2, 1), o);
    CHECK(feb.customer == std::vector<std::string>{"r1", "n1", "x"});
    CHECK(feb.counts[static_cast<int>(ltv::journey_status::lead)] == 2);
    CHECK(std::isnan(feb.days_since_last[2]));
    const auto mar = ltv::journey(h, march(15), o);
    CHECK(mar.counts[static_cast<int>(ltv::journey_status::lead)] == 1);  // only x
    CHECK(mar.days_since_last[0] == 1);                                  // r1: 03-15 − 03-14
    // A lost threshold in days, and a bad one.
    o.lost_days = 40;
    CHECK(status(ltv::journey(h, ltv::make_day(2014, 2, 5), o), "r1") == ltv::journey_status::sleeping);  // 35
    o.lost_days = 5;
    CHECK(error_message([&] { ltv::journey(h, march(15), o); }) ==
          "journey: lost threshold 5 days is shorter than the cycle 10 days");
    // Default cycle: the business cycle of the purchases up to the date (30.2 on 03-15).
    CHECK(ltv::journey(h, march(15)).cycle_days == doctest::Approx(30.2).epsilon(1e-14));
    CHECK(ltv::journey(h, march(15)).lost_days == doctest::Approx(90.6).epsilon(1e-14));
}

TEST_CASE("journey: status counts at month ends") {
    const auto h = history();
    ltv::journey_options o;
    o.cycle_days = 10;
    o.contacts = {"n1", "x"};
    const auto m = ltv::monthly_journey(h, o);
    REQUIRE(m.month_end == std::vector<ltv::day_number>{ltv::make_day(2014, 1, 31), ltv::make_day(2014, 2, 28),
                                                         ltv::make_day(2014, 3, 31)});
    using S = ltv::journey_status;
    auto n = [&](std::size_t month, S s) { return m.counts[month][static_cast<std::size_t>(s)]; };
    // 01-31: r1 silent 30 days → sleeping; n1 and x are leads.
    CHECK(n(0, S::sleeping) == 1);
    CHECK(n(0, S::lead) == 2);
    CHECK(n(0, S::lost) == 0);
    // 02-28: r1 silent 58 → lost; leads n1, x.
    CHECK(n(1, S::lost) == 1);
    CHECK(n(1, S::lead) == 2);
    // 03-31: r1 (17 days), f1 (21), n1 (30) all sleeping; x still a lead.
    CHECK(n(2, S::sleeping) == 3);
    CHECK(n(2, S::lead) == 1);
    CHECK(n(2, S::fan) + n(2, S::newbie) + n(2, S::returned) + n(2, S::lost) == 0);
}

TEST_CASE("journey: the probabilistic criterion marks a silent heavy buyer lost") {
    // h1 bought weekly for 10 weeks (2014-01-01 … 2014-03-05), then nothing until 2014-08-01.
    // With a purchase cycle of 365 days the day thresholds call h1 a fan (149 days of silence);
    // BG/NBD at Fader, Hardie & Lee's published parameters (weeks) gives x = 9, t_x = 9,
    // T = 212 days = 30.29 weeks → P(alive) = 0.002, far below 0.2, so the criterion says lost. o1 (one purchase,
    // 2014-07-25) has P(alive) = 1 (x = 0) and stays a newbie.
    std::string log = "customer_id,date\n";
    for (int w = 0; w < 10; ++w)
        log += "h1," + ltv::format_date(ltv::make_day(2014, 1, 1) + 7 * w) + "\n";
    log += "o1,2014-07-25\n";
    const auto h = ltv::build_history(ltv::load_transactions_text(log));
    const ltv::bgnbd_params p{0.243, 4.414, 0.793, 2.426};
    ltv::journey_options o;
    o.cycle_days = 365;
    o.lost_days = 730;
    const auto as_of = ltv::make_day(2014, 8, 1);
    CHECK(status(ltv::journey(h, as_of, o), "h1") == ltv::journey_status::fan);
    o.p_alive = ltv::p_alive_criterion(p, ltv::time_unit::week());
    const double alive = o.p_alive(h.days_of(0), as_of);
    CHECK(alive == doctest::Approx(ltv::probability_alive(p, 9, 9, 212.0 / 7))
                       .epsilon(1e-12));
    CHECK(alive < 0.2);
    const auto r = ltv::journey(h, as_of, o);
    CHECK(status(r, "h1") == ltv::journey_status::lost);
    CHECK(status(r, "o1") == ltv::journey_status::newbie);
    CHECK(r.counts[static_cast<int>(ltv::journey_status::lost)] == 1);
}
