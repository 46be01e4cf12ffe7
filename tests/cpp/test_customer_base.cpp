// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/customer_base.hpp: the layout on a hand-made log, the checks, and that every
// result computed from a customer base — summaries, journey statuses, purchase cycles, RFM,
// cohorts, period retention — is bit-identical to the one the code before the customer base
// computed from the log. That code (a stable sort of all rows by customer and day, per call) is
// kept below verbatim as the reference, and run on CDNOW_master and on shuffled random logs whose
// amounts make floating-point sums depend on their order.
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ltv/cohorts.hpp"
#include "ltv/customer_base.hpp"
#include "ltv/journey.hpp"
#include "ltv/rfm.hpp"
#include "ltv/summary.hpp"

namespace {

using ltv_test::error_message;
using ltv_test::error_status;

const std::string master_path =
    std::string(LTV_TEST_DATA_DIR) + "/../../examples/data/CDNOW_master.txt";

// ---- the code before the customer base (include/ltv/journey.hpp, summary.hpp at 4418008) -------

namespace reference {

ltv::purchase_history build_history(const ltv::transaction_log& log) {
    ltv::purchase_history h;
    h.customers = log.customers;
    std::vector<std::uint32_t> order(log.rows.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const auto& x = log.rows[a];
        const auto& y = log.rows[b];
        return x.customer != y.customer ? x.customer < y.customer : x.day < y.day;
    });
    h.offsets.assign(log.customers.size() + 1, 0);
    std::uint32_t prev_c = ltv::customer_ids::npos;
    ltv::day_number prev_d = 0;
    for (const std::uint32_t i : order) {
        const auto& t = log.rows[i];
        if (t.customer == prev_c && t.day == prev_d) {
            h.amounts.back() += t.amount;
            continue;
        }
        h.days.push_back(t.day);
        h.amounts.push_back(t.amount);
        ++h.offsets[t.customer + 1];
        prev_c = t.customer;
        prev_d = t.day;
    }
    for (std::size_t c = 1; c < h.offsets.size(); ++c) h.offsets[c] += h.offsets[c - 1];
    return h;
}

ltv::summary_table summarize(const ltv::transaction_log& log, const ltv::summary_options& options) {
    ltv::summary_state st(options);
    for (std::uint32_t i = 0; i < log.customers.size(); ++i) st.intern(log.customers[i]);
    std::vector<ltv::transaction> rows = log.rows;
    std::stable_sort(rows.begin(), rows.end(),
                     [](const ltv::transaction& a, const ltv::transaction& b) {
                         return a.customer != b.customer ? a.customer < b.customer : a.day < b.day;
                     });
    for (const auto& x : rows) st.add_index(x.customer, x.day, x.amount);
    return st.result();
}

}  // namespace reference

// ---- bitwise comparison --------------------------------------------------------------------

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

template <class T>
bool same_bits(const std::vector<std::vector<T>>& a, const std::vector<std::vector<T>>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_bits(a[i], b[i])) return false;
    return true;
}

bool same_ids(const ltv::customer_ids& a, const ltv::customer_ids& b) {
    if (a.size() != b.size()) return false;
    for (std::uint32_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}

void check_same_history(const ltv::purchase_history& got, const ltv::purchase_history& want) {
    CHECK(same_ids(got.customers, want.customers));
    CHECK(got.offsets == want.offsets);
    CHECK(got.days == want.days);
    CHECK(same_bits(got.amounts, want.amounts));
}

void check_same_summary(const ltv::summary_table& got, const ltv::summary_table& want) {
    CHECK(got.customer == want.customer);
    CHECK(same_bits(got.frequency, want.frequency));
    CHECK(same_bits(got.recency, want.recency));
    CHECK(same_bits(got.T, want.T));
    CHECK(same_bits(got.monetary_value, want.monetary_value));
    CHECK(got.first_purchase == want.first_purchase);
    CHECK(got.last_purchase == want.last_purchase);
    CHECK(got.transactions == want.transactions);
    CHECK(same_bits(got.total_amount, want.total_amount));
    CHECK(same_bits(got.frequency_holdout, want.frequency_holdout));
    CHECK(same_bits(got.monetary_value_holdout, want.monetary_value_holdout));
    CHECK(same_bits(got.duration_holdout, want.duration_holdout));
    CHECK(got.observation_end == want.observation_end);
    CHECK(got.transactions_after_end == want.transactions_after_end);
    CHECK(got.customers_holdout_only == want.customers_holdout_only);
    CHECK(got.unverified_transactions == want.unverified_transactions);
}

/// Every function that reads purchase days, from the base and from the reference history, at
/// the dates given: bit-identical results (or the same error).
void check_same_results(const ltv::customer_base& base, const ltv::purchase_history& ref,
                        const std::vector<ltv::day_number>& dates) {
    for (const ltv::day_number as_of : dates) {
        CAPTURE(ltv::format_date(as_of));
        const auto cycles = ltv::purchase_cycles(base, as_of);
        const auto cycles_ref = ltv::purchase_cycles(ref, as_of);
        REQUIRE(cycles.size() == cycles_ref.size());
        for (std::size_t c = 0; c < cycles.size(); ++c) {
            CHECK(cycles[c].gaps == cycles_ref[c].gaps);
            CHECK(same_bits(cycles[c].mean_gap, cycles_ref[c].mean_gap));
            CHECK(same_bits(cycles[c].median_gap, cycles_ref[c].median_gap));
        }
        const std::string cycle_error = error_message([&] { ltv::business_cycle(ref, 0.8, as_of); });
        CHECK(error_message([&] { ltv::business_cycle(base, 0.8, as_of); }) == cycle_error);
        if (cycle_error == "<no error>") {
            CHECK(same_bits(ltv::business_cycle(base, 0.8, as_of), ltv::business_cycle(ref, 0.8, as_of)));
            ltv::journey_options o;
            o.contacts = {"nobody", std::string(ref.customers[0])};
            const auto j = ltv::journey(base, as_of, o);
            const auto jr = ltv::journey(ref, as_of, o);
            CHECK(j.customer == jr.customer);
            CHECK(j.status == jr.status);
            CHECK(same_bits(j.days_since_last, jr.days_since_last));
            CHECK(same_bits(j.cycle_days, jr.cycle_days));
            CHECK(same_bits(j.lost_days, jr.lost_days));
            CHECK(std::equal(std::begin(j.counts), std::end(j.counts), std::begin(jr.counts)));
        }
        const auto r = ltv::rfm(base, as_of);
        const auto rr = ltv::rfm(ref, as_of);
        CHECK(r.customer == rr.customer);
        CHECK(same_bits(r.recency_days, rr.recency_days));
        CHECK(same_bits(r.frequency, rr.frequency));
        CHECK(same_bits(r.monetary, rr.monetary));
        CHECK(r.score == rr.score);
        CHECK(r.segment == rr.segment);
        const auto t = ltv::cohort_retention(base, as_of);
        const auto tr = ltv::cohort_retention(ref, as_of);
        CHECK(t.cohort == tr.cohort);
        CHECK(t.size == tr.size);
        CHECK(same_bits(t.active, tr.active));
        CHECK(same_bits(t.active_or_later, tr.active_or_later));
        CHECK(ltv::detail::cohort_span(base.history(), as_of).months == tr.cohort.size());
        CHECK(ltv::detail::cohort_span(base, as_of).months == tr.cohort.size());
        const std::string retention_error =
            error_message([&] { ltv::period_retention(ref, as_of - 90, as_of, 60); });
        CHECK(error_message([&] { ltv::period_retention(base, as_of - 90, as_of, 60); }) ==
              retention_error);
        if (retention_error == "<no error>") {
            const auto p = ltv::period_retention(base, as_of - 90, as_of, 60);
            const auto pr = ltv::period_retention(ref, as_of - 90, as_of, 60);
            CHECK(p.customers_start == pr.customers_start);
            CHECK(p.new_customers == pr.new_customers);
            CHECK(p.customers_end == pr.customers_end);
            CHECK(p.retained == pr.retained);
            CHECK(p.reactivated == pr.reactivated);
            CHECK(same_bits(p.retention_rate, pr.retention_rate));
            CHECK(same_bits(p.retained_share, pr.retained_share));
        }
    }
    ltv::journey_options o;
    o.cycle_days = 30;
    const auto m = ltv::monthly_journey(base, o);
    const auto mr = ltv::monthly_journey(ref, o);
    CHECK(m.month_end == mr.month_end);
    CHECK(m.counts == mr.counts);
    CHECK(ltv::detail::monthly_journey_frame(base.history(), o, std::nullopt).months == mr.month_end.size());
}

/// Summaries of the base and of the reference for every merge period, two units, with and
/// without a calibration/holdout split and an observation end inside the log.
void check_same_summaries(const ltv::transaction_log& log, const ltv::customer_base& base,
                          ltv::day_number cal_end, ltv::day_number obs_end) {
    for (const auto merge : {ltv::merge_period::day, ltv::merge_period::week,
                             ltv::merge_period::month, ltv::merge_period::none})
        for (const double unit : {1.0, 7.0})
            for (int split = 0; split < 3; ++split) {
                ltv::summary_options o;
                o.merge = merge;
                o.unit = ltv::time_unit::of_days(unit);
                if (split >= 1) o.observation_end = obs_end;
                if (split == 2) o.calibration_end = cal_end;
                CAPTURE(static_cast<int>(merge));
                CAPTURE(unit);
                CAPTURE(split);
                const auto want = reference::summarize(log, o);
                check_same_summary(ltv::summarize(base, o), want);
                check_same_summary(ltv::summarize(log, o), want);  // the log overload forwards
            }
}

/// A random log: `customers` customers, `rows` rows over three years, several rows per day,
/// amounts whose sums depend on their order (0.1, 1e16, −1e16, 1/3 …), in random order.
ltv::transaction_log random_log(std::uint32_t seed, int customers, int rows) {
    std::mt19937 rng(seed);
    const double amounts[] = {0.1, 0.2, 0.3, 1e16, -1e16, 1.0 / 3.0, 7.77, -2.5, 1e-3, 12345.678};
    std::uniform_int_distribution<int> who(0, customers - 1), day(0, 3 * 365), amount(0, 9);
    ltv::transaction_log log;
    const ltv::day_number start = ltv::make_day(2019, 1, 1);
    for (int c = 0; c < customers; ++c) log.customers.intern("c" + std::to_string(c * 7919 % 1000));
    for (int i = 0; i < rows; ++i) {
        // Few distinct days per customer, so that same-day rows are common.
        const int d = day(rng) / 30 * 30 + (i % 3);
        log.rows.push_back({static_cast<std::uint32_t>(who(rng)), start + d, amounts[amount(rng)], 0});
    }
    return log;
}

}  // namespace

TEST_CASE("customer base: layout on a hand-made log (CSR, date order, same-day rows in log order)") {
    // a: 03-05 (2), 03-01 (1), 03-05 (4); b: none; c: 02-01 (8). Customer b is interned without
    // rows; the rows are out of date order.
    ltv::transaction_log log;
    const auto a = log.customers.intern("a");
    log.customers.intern("b");
    const auto c = log.customers.intern("c");
    const auto d = [](int m, int day) { return ltv::make_day(2014, m, day); };
    log.rows = {{a, d(3, 5), 2, 0}, {c, d(2, 1), 8, 0}, {a, d(3, 1), 1, 0}, {a, d(3, 5), 4, 0}};
    const ltv::customer_base base(log);
    CHECK(base.size() == 3);
    CHECK(base.transactions() == 4);
    CHECK(base.purchase_days() == 3);
    CHECK(base.customers()[2] == "c");
    CHECK(base.row_offsets() == std::vector<std::uint32_t>{0, 3, 3, 4});
    CHECK(base.row_days() == std::vector<ltv::day_number>{d(3, 1), d(3, 5), d(3, 5), d(2, 1)});
    CHECK(base.row_amounts() == std::vector<double>{1, 2, 4, 8});  // 2 before 4: log order
    CHECK(base.transaction_days(1).size() == 0);
    CHECK(base.transaction_amounts(2)[0] == 8);
    const auto& h = base.history();
    CHECK(h.offsets == std::vector<std::uint32_t>{0, 2, 2, 3});
    CHECK(h.days == std::vector<ltv::day_number>{d(3, 1), d(3, 5), d(2, 1)});
    CHECK(h.amounts == std::vector<double>{1, 6, 8});
    CHECK(base.days_of(0).size() == 2);
    CHECK(base.day_amounts(0)[1] == 6);
    CHECK(base.first_day() == d(2, 1));
    CHECK(base.last_day() == d(3, 5));
    // The base does not refer to the log: it survives it.
    log.rows.clear();
    CHECK(base.transactions() == 4);

    const ltv::customer_base empty;
    CHECK(empty.size() == 0);
    CHECK(empty.transactions() == 0);
    CHECK(ltv::summarize(empty).size() == 0);
    CHECK(ltv::cohort_retention(empty).cohort.empty());
}

TEST_CASE("customer base: same-day amounts are added in log order, so sums match the old path") {
    // 1e16 + 1 − 1e16 is 0 in this order but 1 as 1e16 − 1e16 + 1: the base must keep the order
    // the log had for rows of one day, as the stable sort before it did.
    const auto log = ltv::load_transactions_text(
        "customer_id,date,amount\n"
        "x,2020-01-02,1e16\nx,2020-01-01,5\nx,2020-01-02,1\nx,2020-01-02,-1e16\n");
    const ltv::customer_base base(log);
    REQUIRE(base.purchase_days() == 2);
    CHECK(base.day_amounts(0)[1] == 0.0);  // (1e16 + 1) − 1e16 = 0 in double precision
    check_same_history(base.history(), reference::build_history(log));
    ltv::summary_options none;
    none.merge = ltv::merge_period::none;
    check_same_summary(ltv::summarize(base, none), reference::summarize(log, none));
}

TEST_CASE("customer base: rows with a customer outside the log or an unsupported day are refused") {
    ltv::transaction_log log;
    log.rows.push_back({log.customers.intern("a"), 0, 1, 0});
    log.rows.push_back({5, 0, 1, 0});
    CHECK(error_status([&] { ltv::customer_base b(log); }) == ltv::status::invalid_argument);
    CHECK(error_message([&] { ltv::customer_base b(log); }) ==
          "customer_base: argument 'log.rows[1].customer' = 5 is not a customer index of the log "
          "(1 customers)");
    log.rows[1] = {0, std::numeric_limits<ltv::day_number>::max(), 1, 0};
    CHECK(error_message([&] { ltv::customer_base b(log); })
              .find("customer_base: argument 'log.rows[1].day' = 2147483647 is not a supported day") == 0);
    // The functions that build one name themselves.
    CHECK(error_message([&] { ltv::build_history(log); })
              .find("build_history: argument 'log.rows[1].day' = 2147483647") == 0);
    CHECK(error_message([&] { ltv::summarize(log); })
              .find("summarize: argument 'log.rows[1].day' = 2147483647") == 0);
}

TEST_CASE("customer base: CDNOW_master — every result equals the per-call path bit for bit") {
    ltv::read_options in;
    in.amount = "dollar_value";
    const auto log = ltv::load_transactions(master_path, in);
    REQUIRE(log.rows.size() == 69659);
    const ltv::customer_base base(log);
    CHECK(base.size() == 23570);
    CHECK(base.transactions() == 69659);
    CHECK(base.first_day() == ltv::make_day(1997, 1, 1));
    CHECK(base.last_day() == ltv::make_day(1998, 6, 30));
    const auto ref = reference::build_history(log);
    check_same_history(base.history(), ref);
    check_same_history(ltv::build_history(log), ref);
    check_same_results(base, ref,
                       {ltv::make_day(1997, 3, 31), ltv::make_day(1997, 12, 31), ltv::make_day(1998, 6, 30)});
    check_same_summaries(log, base, ltv::make_day(1997, 9, 30), ltv::make_day(1998, 6, 30));
    CHECK(ltv::detail::cohort_span(base.history(), std::nullopt).months == 18);
}

TEST_CASE("customer base: shuffled and date-ordered random logs equal the per-call path") {
    for (const std::uint32_t seed : {1u, 2u, 3u}) {
        CAPTURE(seed);
        auto log = random_log(seed, 60, 3000);
        for (int order = 0; order < 2; ++order) {
            CAPTURE(order);
            if (order == 1)  // date order: customers interleaved, each customer's rows sorted
                std::stable_sort(log.rows.begin(), log.rows.end(),
                                 [](const auto& a, const auto& b) { return a.day < b.day; });
            const ltv::customer_base base(log);
            const auto ref = reference::build_history(log);
            check_same_history(base.history(), ref);
            const ltv::day_number s = ltv::make_day(2019, 1, 1);
            check_same_results(base, ref, {s + 100, s + 500, s + 1100});
            check_same_summaries(log, base, s + 400, s + 900);
        }
    }
}

TEST_CASE("customer base: the size queries' helpers give the full functions' counts and errors") {
    const auto log = ltv::load_transactions_text(
        "customer_id,date\na,2014-01-05\nb,2014-03-31\na,2014-04-02\n");
    const ltv::customer_base base(log);
    const auto& h = base.history();
    CHECK(ltv::detail::cohort_span(h, std::nullopt).months == ltv::cohort_retention(base).cohort.size());
    CHECK(ltv::detail::cohort_span(h, std::nullopt).months == 4);
    CHECK(ltv::detail::cohort_span(h, ltv::make_day(2013, 12, 31)).months == 0);
    CHECK(ltv::cohort_retention(base, ltv::make_day(2013, 12, 31)).cohort.empty());
    // Cut at the end of March: a's April purchase is beyond the table (a: Jan, then nothing).
    const auto cut = ltv::cohort_retention(base, ltv::make_day(2014, 3, 31));
    REQUIRE(cut.cohort.size() == 3);
    CHECK(cut.size == std::vector<std::size_t>{1, 0, 1});
    CHECK(cut.active[0] == std::vector<double>{1, 0, 0});
    CHECK(cut.active_or_later[0] == std::vector<double>{1, 0, 0});
    const auto full = ltv::cohort_retention(base);
    CHECK(full.active[0] == std::vector<double>{1, 0, 0, 1});
    CHECK(full.active_or_later[0] == std::vector<double>{1, 1, 1, 1});
    const ltv::day_number far = ltv::make_day(2200, 1, 1);
    const std::string span_error = error_message([&] { ltv::cohort_retention(base, far); });
    CHECK(span_error.find("more than the supported max_report_months") != std::string::npos);
    CHECK(error_message([&] { ltv::detail::cohort_span(h, far); }) == span_error);
    CHECK(error_message([&] { ltv::detail::cohort_span(base, far); }) == span_error);
    CHECK(ltv::detail::cohort_span(base, ltv::make_day(2014, 2, 28)).months == 2);
    CHECK(ltv::detail::cohort_span(base, std::nullopt).first == ltv::detail::month_index(ltv::make_day(2014, 1, 5)));
    const std::string bad_until = error_message([&] { ltv::cohort_retention(base, INT32_MAX); });
    CHECK(bad_until.find("cohort_retention: argument 'until' = 2147483647") == 0);
    CHECK(error_message([&] { ltv::detail::cohort_span(base, INT32_MAX); }) == bad_until);
    CHECK(error_message([&] { ltv::cohort_retention(base.history(), INT32_MAX); }) == bad_until);

    ltv::journey_options o;
    const auto m = ltv::monthly_journey(base, o);
    const auto f = ltv::detail::monthly_journey_frame(h, o, std::nullopt);
    CHECK(f.months == m.month_end.size());
    CHECK(f.cycle_days == m.cycle_days);
    CHECK(f.lost_days == m.lost_days);
    CHECK(error_message([&] { ltv::detail::monthly_journey_frame(h, o, far); }) ==
          error_message([&] { ltv::monthly_journey(base, o, far); }));
    // No customer bought twice: the business cycle is undefined, in both.
    const ltv::customer_base once(ltv::load_transactions_text("customer_id,date\na,2014-01-05\n"));
    const std::string no_gap = error_message([&] { ltv::monthly_journey(once, o); });
    CHECK(no_gap.find("no customer has two purchase days") != std::string::npos);
    CHECK(error_message([&] { ltv::detail::monthly_journey_frame(once.history(), o, std::nullopt); }) ==
          no_gap);
}
