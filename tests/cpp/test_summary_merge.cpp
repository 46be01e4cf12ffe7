// SPDX-License-Identifier: Apache-2.0
// Issue 13: int64 customer ids (ltv/integer_ids.hpp, summary_state::add_batch with int64 ids) and
// mergeable summary states (summary_state::merge).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "ltv/integer_ids.hpp"
#include "ltv/summary.hpp"
#include "support/errors.hpp"

namespace {

using ltv_test::error_message;
using ltv_test::error_status;

const std::string master_path = std::string(LTV_TEST_DATA_DIR) + "/../../examples/data/CDNOW_master.txt";

const ltv::transaction_log& master_log() {
    static const ltv::transaction_log log = [] {
        ltv::read_options r;
        r.amount = "dollar_value";
        return ltv::load_transactions(master_path, r);
    }();
    return log;
}

ltv::summary_options split_weeks() {
    ltv::summary_options o;
    o.observation_end = ltv::make_day(1998, 6, 30);
    o.calibration_end = ltv::make_day(1997, 12, 31);
    o.unit = ltv::time_unit::week();
    return o;
}

/// Every customer of a has the same row in b (any order); sums within money_eps (relative).
void check_same(const ltv::summary_table& a, const ltv::summary_table& b, double money_eps) {
    REQUIRE(a.size() == b.size());
    std::map<std::string, std::size_t> row;
    for (std::size_t i = 0; i < b.size(); ++i) row[b.customer[i]] = i;
    const auto near = [&](double x, double y) {
        return std::abs(x - y) <= money_eps * (1 + std::abs(y));
    };
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto it = row.find(a.customer[i]);
        REQUIRE(it != row.end());
        const std::size_t j = it->second;
        if (a.frequency[i] != b.frequency[j] || a.recency[i] != b.recency[j] || a.T[i] != b.T[j] ||
            a.first_purchase[i] != b.first_purchase[j] || a.last_purchase[i] != b.last_purchase[j] ||
            a.transactions[i] != b.transactions[j] || !near(a.monetary_value[i], b.monetary_value[j]) ||
            !near(a.total_amount[i], b.total_amount[j]))
            FAIL("customer " << a.customer[i] << " differs");
        if (!a.frequency_holdout.empty() &&
            (a.frequency_holdout[i] != b.frequency_holdout[j] ||
             !near(a.monetary_value_holdout[i], b.monetary_value_holdout[j])))
            FAIL("customer " << a.customer[i] << " holdout differs");
    }
    CHECK(a.customers_holdout_only == b.customers_holdout_only);
    CHECK(a.transactions_after_end == b.transactions_after_end);
}

std::vector<ltv::transaction_row> rows_of(const ltv::transaction_log& log) {
    std::vector<ltv::transaction_row> rows;
    rows.reserve(log.rows.size());
    for (const auto& t : log.rows) rows.push_back({log.customers[t.customer], t.day, t.amount, 0, 0});
    return rows;
}

}  // namespace

// ---- integer ids ------------------------------------------------------------------------------

TEST_CASE("integer ids: canonical decimal text both ways") {
    char buffer[ltv::max_int64_id_chars];
    CHECK(ltv::int64_id_text(0, buffer) == "0");
    CHECK(ltv::int64_id_text(-12, buffer) == "-12");
    CHECK(ltv::int64_id_text(std::numeric_limits<std::int64_t>::min(), buffer) ==
          "-9223372036854775808");
    CHECK(ltv::int64_id_text(std::numeric_limits<std::int64_t>::max(), buffer) ==
          "9223372036854775807");
    std::int64_t v = 99;
    CHECK(ltv::parse_int64_id("-9223372036854775808", &v) == nullptr);
    CHECK(v == std::numeric_limits<std::int64_t>::min());
    CHECK(ltv::parse_int64_id("0", &v) == nullptr);
    CHECK(v == 0);
    // Not canonical: each is another customer than any integer; v stays as it was.
    for (const char* text : {"007", "+7", "-0", " 7", "7 ", "7.0", "abc", "", "-", "1e3",
                             "9223372036854775808", "-9223372036854775809"}) {
        v = 42;
        CAPTURE(text);
        CHECK(ltv::parse_int64_id(text, &v) != nullptr);
        CHECK(v == 42);
    }
    CHECK(std::string(ltv::parse_int64_id("007", &v)).find("leading zero") != std::string::npos);
    CHECK(std::string(ltv::parse_int64_id("9223372036854775808", &v)).find("int64 range") !=
          std::string::npos);
    const std::vector<std::string> ids{"12", "-3", "x7"};
    const std::string message =
        error_message([&] {
            // the id view must outlive the call: a view of the vector's string, not of a copy
            ltv::int64_ids("f", ids.size(), [&](std::size_t i) -> std::string_view { return ids[i]; });
        });
    CHECK(message == "f: customer 2 has the id 'x7', which is not a decimal integer; read the ids "
                     "as text instead");
}

TEST_CASE("integer ids: the interner keeps first-seen order and agrees with text interning") {
    ltv::customer_ids by_int, by_text;
    ltv::int64_id_interner interner(by_int);
    // Enough distinct ids to rehash the integer table several times; repeats and negatives.
    std::vector<std::int64_t> ids;
    for (std::int64_t i = 0; i < 5000; ++i) ids.push_back((i * 7919) % 3001 - 1500);
    for (const std::int64_t id : ids) {
        const std::uint32_t a = interner.intern(id);
        const std::uint32_t b = by_text.intern(std::to_string(id));
        REQUIRE(a == b);
    }
    CHECK(interner.size() == 3001);
    CHECK(by_int.size() == 3001);
    // An id the table already had as text keeps its index.
    ltv::customer_ids mixed;
    mixed.intern("abc");
    mixed.intern("17");
    ltv::int64_id_interner more(mixed);
    CHECK(more.intern(17) == 1);
    CHECK(more.intern(-4) == 2);
    CHECK(mixed[2] == "-4");
}

TEST_CASE("integer ids: an int64 batch of CDNOW_master equals the same ids as text") {
    const auto& log = master_log();
    REQUIRE(log.rows.size() == 69659);
    std::vector<std::int64_t> ids;
    std::vector<ltv::day_number> days;
    std::vector<double> amounts;
    std::vector<std::string> texts;  // canonical: "00001" in the file is 1
    for (const auto& t : log.rows) {
        ids.push_back(std::stoll(std::string(log.customers[t.customer])));
        days.push_back(t.day);
        amounts.push_back(t.amount);
    }
    for (const std::int64_t id : ids) texts.push_back(std::to_string(id));
    std::vector<ltv::transaction_row> rows;
    for (std::size_t i = 0; i < ids.size(); ++i) rows.push_back({texts[i], days[i], amounts[i], 0, 0});

    ltv::summary_state by_int(split_weeks()), by_text(split_weeks());
    // Two batches each, the second overlapping the first's customers.
    const std::size_t half = ids.size() / 2;
    by_int.add_batch({ids.data(), half}, {days.data(), half}, {amounts.data(), half});
    by_int.add_batch({ids.data() + half, ids.size() - half}, {days.data() + half, ids.size() - half},
                     {amounts.data() + half, ids.size() - half});
    by_text.add_batch({rows.data(), half});
    by_text.add_batch({rows.data() + half, rows.size() - half});
    const auto a = by_int.result(), b = by_text.result();
    REQUIRE(a.size() == b.size());
    CHECK(a.customer == b.customer);  // same first-seen order
    check_same(a, b, 0);              // bit-identical
    CHECK(by_int.transactions() == by_text.transactions());
    CHECK(by_int.unverified_transactions() == by_text.unverified_transactions());
    // Text "7" and integer 7 are one customer.
    ltv::summary_state mixed;
    mixed.add("7", 100, 1.0);
    const std::int64_t seven = 7;
    const ltv::day_number day = 110;
    const double amount = 2.0;
    mixed.add_batch({&seven, 1}, {&day, 1}, {&amount, 1});
    CHECK(mixed.customers() == 1);
    CHECK(mixed.result().frequency[0] == 1);
}

TEST_CASE("integer ids: a rejected int64 batch adds nothing and names the row") {
    ltv::summary_state st;
    const std::vector<std::int64_t> ids{1, 2, 3};
    const std::vector<ltv::day_number> days{10, 11, 12};
    const std::vector<double> bad{1.0, std::nan(""), 3.0};
    CHECK(error_message([&] { st.add_batch(ids, days, bad); }) ==
          "summary_state::add_batch: argument 'rows[1].amount' = nan is not a finite number");
    CHECK(st.customers() == 0);
    CHECK(st.transactions() == 0);
    const std::vector<ltv::day_number> short_days{10, 11};
    CHECK(error_status([&] { st.add_batch(ids, short_days); }) == ltv::status::invalid_argument);
    st.add_batch(ids, days);  // amounts: 0
    CHECK(st.customers() == 3);
    CHECK(st.result().total_amount == std::vector<double>{0, 0, 0});
}

// ---- merging states ---------------------------------------------------------------------------

TEST_CASE("summary merge: disjoint customer partitions of CDNOW_master equal one state") {
    const auto& log = master_log();
    const auto rows = rows_of(log);
    ltv::summary_state all(split_weeks());
    all.add_batch(rows);
    // Three partitions by customer (index mod 3), each summarised on its own, then merged.
    std::vector<std::vector<ltv::transaction_row>> parts(3);
    for (std::size_t i = 0; i < rows.size(); ++i) parts[log.rows[i].customer % 3].push_back(rows[i]);
    std::vector<ltv::summary_state> states(3, ltv::summary_state(split_weeks()));
    for (int k = 0; k < 3; ++k) states[k].add_batch(parts[k]);
    ltv::summary_state merged = states[0];
    merged.merge(states[1]);
    merged.merge(states[2]);
    CHECK(merged.customers() == all.customers());
    CHECK(merged.transactions() == 69659);
    CHECK(merged.unverified_transactions() == 0);
    const auto a = merged.result();
    check_same(a, all.result(), 0);  // disjoint customers: records copied, bit-identical
    // First-seen order: partition 0's customers, then 1's, then 2's.
    CHECK(a.customer[0] == states[0].ids()[0]);
    CHECK(a.customer[states[0].customers()] == states[1].ids()[0]);
    // The merged state saves and restores like any other (its invariants hold).
    const auto restored = ltv::summary_state::restore_bytes(merged.save_bytes());
    check_same(restored.result(), a, 0);
}

TEST_CASE("summary merge: partitions by time are exact in either order") {
    const auto& log = master_log();
    const auto rows = rows_of(log);
    ltv::summary_state all(split_weeks());
    all.add_batch(rows);
    // Before and after 1997-03-15 (a Saturday: the weekly merge period straddles it) and the
    // calibration end: every customer of the early part may reappear in the late one.
    for (const auto merge : {ltv::merge_period::day, ltv::merge_period::week,
                             ltv::merge_period::month, ltv::merge_period::none}) {
        for (const ltv::day_number cut : {ltv::make_day(1997, 3, 15), ltv::make_day(1997, 12, 31)}) {
            CAPTURE(static_cast<int>(merge));
            CAPTURE(cut);
            auto o = split_weeks();
            o.merge = merge;
            std::vector<ltv::transaction_row> early, late;
            for (const auto& r : rows) (r.day <= cut ? early : late).push_back(r);
            ltv::summary_state reference(o), e(o), l(o);
            reference.add_batch(rows);
            e.add_batch(early);
            l.add_batch(late);
            ltv::summary_state forward = e, backward = l;
            forward.merge(l);   // later transactions into the earlier state
            backward.merge(e);  // earlier transactions into the later state
            CHECK(forward.unverified_transactions() == 0);
            CHECK(backward.unverified_transactions() == 0);
            CHECK(forward.transactions() == reference.transactions());
            // Sums in another association: equal to rounding.
            check_same(forward.result(), reference.result(), 1e-12);
            check_same(backward.result(), reference.result(), 1e-12);
        }
    }
}

TEST_CASE("summary merge: overlapping periods are counted as unverified, like the incremental add") {
    ltv::summary_options o;
    o.observation_end = 100;
    // into: x on days 10, 20, 30 (three occasions); from: x on day 20 — an occasion into has,
    // but in the middle, which the records cannot tell apart from a new one.
    ltv::summary_state into(o), from(o);
    for (const ltv::day_number d : {10, 20, 30}) into.add("x", d, 1.0);
    from.add("x", 20, 4.0);
    ltv::summary_state incremental = into;
    incremental.add("x", 20, 4.0);  // the incremental add's verdict on the same transaction
    into.merge(from);
    CHECK(into.unverified_transactions() == 1);
    CHECK(into.unverified_transactions() == incremental.unverified_transactions());
    CHECK(into.unverified_customers() == std::vector<std::uint32_t>{0});
    const auto t = into.result();
    CHECK(t.frequency[0] == incremental.result().frequency[0]);
    CHECK(t.frequency[0] == 3);  // counted as a new occasion (the truth is 2)
    CHECK(t.transactions[0] == 4);
    CHECK(t.total_amount[0] == 7.0);

    // Same days at both ends: known periods, exact.
    ltv::summary_state a(o), b(o);
    a.add("y", 10, 1.0);
    a.add("y", 30, 2.0);
    b.add("y", 30, 3.0);
    b.add("y", 10, 5.0);
    a.merge(b);
    CHECK(a.unverified_transactions() == 0);
    CHECK(a.result().frequency[0] == 1);
    CHECK(a.result().monetary_value[0] == 5.0);  // (1 + 5 + 2 + 3 − (1 + 5)) / 1

    // from's middle occasions: unverified when into has a period inside from's span.
    ltv::summary_state c(o), d(o);
    c.add("z", 50, 1.0);
    for (const ltv::day_number day : {40, 45, 60}) d.add("z", day, 1.0);
    c.merge(d);
    CHECK(c.unverified_transactions() == 1);  // 45 may be 50's occasion as far as records tell
    CHECK(c.result().frequency[0] == 3);      // 40, 45, 50, 60: 4 occasions, exact by luck

    // The counters add up, flags travel with the customers.
    ltv::summary_state e(o), f(o);
    e.add("p", 10, 1.0);
    e.add("p", 30, 1.0);
    e.add("p", 20, 1.0);  // unverified in e
    f.add("q", 5, 1.0);
    f.add("q", 200, 1.0);  // after the end
    REQUIRE(e.unverified_transactions() == 1);
    f.merge(e);
    CHECK(f.transactions() == 5);
    CHECK(f.transactions_after_end() == 1);
    CHECK(f.unverified_transactions() == 1);
    CHECK(f.unverified_customers() == std::vector<std::uint32_t>{1});
}

TEST_CASE("summary merge: errors leave the state unchanged") {
    ltv::summary_options o;
    o.observation_end = ltv::make_day(2020, 12, 31);
    ltv::summary_state a(o);
    a.add("x", ltv::make_day(2020, 1, 1), 1.0);
    const std::string before = a.save_bytes();

    auto other = o;
    other.observation_end = ltv::make_day(2021, 1, 31);
    CHECK(error_message([&] { a.merge(ltv::summary_state(other)); }) ==
          "summary_state::merge: the states' options differ: observation_end is 2020-12-31 in "
          "this state but 2021-01-31 in the state merged into it (merging needs equal options)");
    other = o;
    other.calibration_end = ltv::make_day(2020, 6, 30);
    CHECK(error_message([&] { a.merge(ltv::summary_state(other)); }).find(
              "calibration_end is not set in this state but 2020-06-30") != std::string::npos);
    other = o;
    other.merge = ltv::merge_period::week;
    CHECK(error_message([&] { a.merge(ltv::summary_state(other)); }).find(
              "merge is day in this state but week") != std::string::npos);
    other = o;
    other.unit = ltv::time_unit::week();
    CHECK(error_message([&] { a.merge(ltv::summary_state(other)); }).find(
              "unit.days is 1 in this state but 7") != std::string::npos);

    // Itself: refused (every transaction would count twice).
    CHECK(error_message([&] { a.merge(a); }) ==
          "summary_state::merge: a state cannot be merged into itself: every transaction would "
          "count twice");

    // A sum that overflows: domain_error naming the customer; new customers not added either.
    ltv::summary_state big(o);
    big.add("new", ltv::make_day(2020, 2, 1), 1.0);
    big.add("x", ltv::make_day(2020, 3, 1), 1.7e308);
    a.add("x", ltv::make_day(2020, 1, 2), 1.7e308);
    const std::string with_big = a.save_bytes();
    CHECK(error_status([&] { a.merge(big); }) == ltv::status::domain_error);
    CHECK(error_message([&] { a.merge(big); }).find("customer 'x': total_amount") != std::string::npos);
    CHECK(a.save_bytes() == with_big);
    CHECK(before != with_big);

    // Merging an empty state changes nothing; into an empty state copies.
    ltv::summary_state empty(o);
    a.merge(ltv::summary_state(o));
    CHECK(a.save_bytes() == with_big);
    empty.merge(a);
    CHECK(empty.save_bytes() == with_big);
}
