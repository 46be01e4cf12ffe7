// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/summary.hpp: per-customer summaries, calibration/holdout, the incremental state.
// Test-case names start with "transactions summary:" so that -tc="*transactions*" selects them.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/summary.hpp"

namespace {

const std::string data_dir = LTV_TEST_DATA_DIR;
const std::string master_path = data_dir + "/../../examples/data/CDNOW_master.txt";

template <class F>
std::string error_message(F&& f, ltv::status* code = nullptr) {
    try {
        f();
    } catch (const ltv::error& e) {
        if (code) *code = e.code();
        return e.what();
    }
    return "<no error>";
}

ltv::read_options cdnow_sample_options() {
    ltv::read_options o;
    o.header = false;
    o.customer = ltv::column_ref::at(1);
    o.date = ltv::column_ref::at(2);
    o.amount = ltv::column_ref::at(4);
    return o;
}

ltv::read_options master_options() {
    ltv::read_options o;
    o.amount = "dollar_value";
    return o;
}

// Hand-made log; expected values are worked out by hand in the test cases below.
// 2014-01-01 is a Wednesday, 2014-01-05 a Sunday (same ISO week), 2014-01-20 a Monday.
const char* small_log =
    "customer_id,date,amount\n"
    "a,2014-01-01,10\n"
    "a,2014-01-01,5\n"
    "a,2014-01-05,20\n"
    "a,2014-01-05,-5\n"  // a refund on the same day: net 15
    "a,2014-01-20,30\n"
    "b,2014-01-15,7\n"
    "c,2014-01-31,9\n"     // on the observation end: included
    "c,2014-02-01,100\n"   // after it: ignored
    "d,2014-02-05,1\n";    // only after it: absent

ltv::summary_options until_jan31(ltv::merge_period m = ltv::merge_period::day,
                                 ltv::time_unit u = ltv::time_unit::day()) {
    ltv::summary_options o;
    o.observation_end = ltv::make_day(2014, 1, 31);
    o.merge = m;
    o.unit = u;
    return o;
}

constexpr double exact = 1e-15;

void check_same(const ltv::summary_table& a, const ltv::summary_table& b, double money_eps) {
    REQUIRE(a.size() == b.size());
    std::map<std::string, std::size_t> row;
    for (std::size_t i = 0; i < b.size(); ++i) row[b.customer[i]] = i;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto it = row.find(a.customer[i]);
        REQUIRE(it != row.end());
        const std::size_t j = it->second;
        if (a.frequency[i] != b.frequency[j] || a.recency[i] != b.recency[j] || a.T[i] != b.T[j] ||
            a.first_purchase[i] != b.first_purchase[j] || a.last_purchase[i] != b.last_purchase[j] ||
            a.transactions[i] != b.transactions[j] ||
            std::abs(a.monetary_value[i] - b.monetary_value[j]) > money_eps * (1 + std::abs(b.monetary_value[j])) ||
            std::abs(a.total_amount[i] - b.total_amount[j]) > money_eps * (1 + std::abs(b.total_amount[j])))
            FAIL("customer " << a.customer[i] << " differs");
        if (!a.frequency_holdout.empty() &&
            (a.frequency_holdout[i] != b.frequency_holdout[j] ||
             std::abs(a.monetary_value_holdout[i] - b.monetary_value_holdout[j]) >
                 money_eps * (1 + std::abs(b.monetary_value_holdout[j]))))
            FAIL("customer " << a.customer[i] << " holdout differs");
    }
}

}  // namespace

TEST_CASE("transactions summary: acceptance — CDNOW_sample reproduces lifetimes' summary") {
    ltv::summary_options o;
    o.observation_end = ltv::make_day(1997, 9, 30);
    o.unit = ltv::time_unit::week();
    ltv::read_report rep;
    const auto t = ltv::summarize(data_dir + "/CDNOW_sample.txt", cdnow_sample_options(), o, &rep);
    CHECK(rep.rows == 6919);
    // Reference: tests/data/cdnow_customers_summary_with_transactions.csv (lifetimes dataset,
    // ID,x,t_x,T,zbar, weeks rounded to 2 decimals, zbar rounded to cents).
    std::ifstream ref(data_dir + "/cdnow_customers_summary_with_transactions.csv");
    std::string line;
    std::getline(ref, line);
    CHECK(line.rfind("ID,x,t_x,T,zbar", 0) == 0);
    std::size_t n = 0, freq_equal = 0;
    double max_recency = 0, max_T = 0, max_money = 0;
    while (std::getline(ref, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        std::istringstream fields(line);
        std::string id, x, tx, T, zbar;
        std::getline(fields, id, ',');
        std::getline(fields, x, ',');
        std::getline(fields, tx, ',');
        std::getline(fields, T, ',');
        std::getline(fields, zbar, ',');
        // Sample ids are written "0001" in CDNOW_sample.txt and 1 in the CSV.
        char padded[16];
        std::snprintf(padded, sizeof padded, "%04d", std::stoi(id));
        const std::size_t i = t.find(padded);
        REQUIRE_MESSAGE(i != static_cast<std::size_t>(-1), "customer " << id << " missing");
        ++n;
        if (t.frequency[i] == std::stod(x)) ++freq_equal;
        max_recency = std::max(max_recency, std::abs(t.recency[i] - std::stod(tx)));
        max_T = std::max(max_T, std::abs(t.T[i] - std::stod(T)));
        max_money = std::max(max_money, std::abs(t.monetary_value[i] - std::stod(zbar)));
    }
    MESSAGE("CDNOW acceptance: max |Δrecency| = " << max_recency << " weeks, max |ΔT| = " << max_T
                                                  << " weeks, max |Δmonetary| = " << max_money);
    CHECK(n == 2357);
    CHECK(t.size() == 2357);
    CHECK(freq_equal == 2357);
    CHECK(max_recency <= 0.005);  // rounding of days/7 to 2 decimals: at most 0.005
    CHECK(max_T <= 0.005);
    CHECK(max_money <= 0.01);
    // Transactions after 1997-09-30 were ignored and counted: 6919 rows, of which the ones in
    // 1997-10-01..1998-06-30 (awk '$3 > 19970930' CDNOW_sample.txt | wc -l = 1959).
    CHECK(t.transactions_after_end == 1959);
    CHECK(t.unverified_transactions == 0);  // the file is sorted by customer and date
}

TEST_CASE("transactions summary: hand-checked small log, day merging") {
    const auto t = ltv::summarize_text(small_log, {}, until_jan31());
    REQUIRE(t.size() == 3);  // d has no transaction up to the end
    CHECK(t.customer == std::vector<std::string>{"a", "b", "c"});
    // a: occasions 01-01 (15), 01-05 (15), 01-20 (30) → frequency 2, recency 19 d, T 30 d,
    //    monetary (15 + 30) / 2 = 22.5, total 60 over 5 transactions.
    CHECK(t.frequency[0] == 2);
    CHECK(t.recency[0] == 19);
    CHECK(t.T[0] == 30);
    CHECK(t.monetary_value[0] == doctest::Approx(22.5).epsilon(exact));
    CHECK(t.total_amount[0] == doctest::Approx(60).epsilon(exact));
    CHECK(t.transactions[0] == 5);
    CHECK(t.first_purchase[0] == ltv::make_day(2014, 1, 1));
    CHECK(t.last_purchase[0] == ltv::make_day(2014, 1, 20));
    // b: one purchase on 01-15 → frequency 0, recency 0, T 16, monetary 0.
    CHECK(t.frequency[1] == 0);
    CHECK(t.recency[1] == 0);
    CHECK(t.T[1] == 16);
    CHECK(t.monetary_value[1] == 0);
    CHECK(t.total_amount[1] == 7);
    // c: bought on the (inclusive) observation end → T 0.
    CHECK(t.T[2] == 0);
    CHECK(t.transactions[2] == 1);
    CHECK(t.transactions_after_end == 2);
    CHECK(t.observation_end == ltv::make_day(2014, 1, 31));
}

TEST_CASE("transactions summary: merge granularity and time units are independent") {
    // Weeks (Monday–Sunday): a's 01-01 and 01-05 share the week of 2013-12-30 → occasions
    // 30 (week of 12-30) and 30 (week of 01-20): frequency 1, recency (01-20 − 12-30) = 21 d,
    // T = (week of 01-31 = 01-27) − 12-30 = 28 d, monetary 30.
    const auto w = ltv::summarize_text(small_log, {}, until_jan31(ltv::merge_period::week, ltv::time_unit::week()));
    CHECK(w.frequency[0] == 1);
    CHECK(w.recency[0] == doctest::Approx(3).epsilon(exact));
    CHECK(w.T[0] == doctest::Approx(4).epsilon(exact));
    CHECK(w.monetary_value[0] == doctest::Approx(30).epsilon(exact));
    // Same merging, durations in days.
    const auto wd = ltv::summarize_text(small_log, {}, until_jan31(ltv::merge_period::week));
    CHECK(wd.recency[0] == 21);
    CHECK(wd.T[0] == 28);
    // Day merging in weeks: 19 / 7 and 30 / 7.
    const auto dw = ltv::summarize_text(small_log, {}, until_jan31(ltv::merge_period::day, ltv::time_unit::week()));
    CHECK(dw.recency[0] == doctest::Approx(19.0 / 7).epsilon(exact));
    CHECK(dw.T[0] == doctest::Approx(30.0 / 7).epsilon(exact));
    // 30-day months and a 10-day unit.
    const auto dm = ltv::summarize_text(small_log, {}, until_jan31(ltv::merge_period::day, ltv::time_unit::month()));
    CHECK(dm.T[0] == doctest::Approx(1.0).epsilon(exact));
    const auto d10 = ltv::summarize_text(small_log, {}, until_jan31(ltv::merge_period::day, ltv::time_unit::of_days(10)));
    CHECK(d10.recency[0] == doctest::Approx(1.9).epsilon(exact));
    // Calendar-month merging: everything of a is in January → frequency 0, monetary 0.
    const auto m = ltv::summarize_text(small_log, {}, until_jan31(ltv::merge_period::month));
    CHECK(m.frequency[0] == 0);
    CHECK(m.recency[0] == 0);
    CHECK(m.monetary_value[0] == 0);
    CHECK(m.total_amount[0] == 60);
    // No merging: 5 transactions → frequency 4; the first occasion is the first row of 01-01
    // (10), so monetary = (60 − 10) / 4 = 12.5.
    const auto none = ltv::summarize_text(small_log, {}, until_jan31(ltv::merge_period::none));
    CHECK(none.frequency[0] == 4);
    CHECK(none.recency[0] == 19);
    CHECK(none.monetary_value[0] == doctest::Approx(12.5).epsilon(exact));
}

TEST_CASE("transactions summary: calibration/holdout split") {
    const std::string log = std::string(small_log) +
                            "e,2014-01-10,3\n"   // on the split day: calibration
                            "e,2014-01-11,4\n"
                            "e,2014-01-11,6\n";  // one holdout occasion worth 10
    ltv::summary_options o = until_jan31();
    o.calibration_end = ltv::make_day(2014, 1, 10);
    const auto t = ltv::summarize_text(log, {}, o);
    // b (first purchase 01-15) and c (01-31) are first seen in the holdout: excluded.
    REQUIRE(t.customer == std::vector<std::string>{"a", "e"});
    CHECK(t.customers_holdout_only == 2);
    CHECK(t.duration_holdout == 21);
    // a: calibration 01-01 (15), 01-05 (15) → frequency 1, recency 4, T 9, monetary 15;
    //    holdout 01-20 (30) → 1 occasion, mean 30.
    CHECK(t.frequency[0] == 1);
    CHECK(t.recency[0] == 4);
    CHECK(t.T[0] == 9);
    CHECK(t.monetary_value[0] == 15);
    CHECK(t.total_amount[0] == 30);
    CHECK(t.frequency_holdout[0] == 1);
    CHECK(t.monetary_value_holdout[0] == 30);
    // e: calibration 01-10 only → frequency 0, T 0; holdout one day with 4 + 6.
    CHECK(t.frequency[1] == 0);
    CHECK(t.T[1] == 0);
    CHECK(t.frequency_holdout[1] == 1);
    CHECK(t.monetary_value_holdout[1] == 10);
    CHECK(t.transactions_after_end == 2);
    // The split must not be after the end.
    ltv::summary_options bad = until_jan31();
    bad.calibration_end = ltv::make_day(2014, 2, 1);
    CHECK(error_message([&] { ltv::summary_state s(bad); }) ==
          "summary_state: calibration_end 2014-02-01 is after observation_end 2014-01-31");
}

TEST_CASE("transactions summary: any row order gives the batch result") {
    // example_transactions.csv is in date order per customer; shuffled, many repeat buyers have
    // rows between their first and last occasions, which one pass cannot verify. The text
    // summary re-reads those customers, so it must equal the summary of the sorted log.
    ltv::read_options r;
    r.customer = "id";
    ltv::summary_options o;
    o.observation_end = ltv::make_day(2014, 12, 31);
    o.calibration_end = ltv::make_day(2014, 9, 30);
    const auto log = ltv::load_transactions(data_dir + "/example_transactions.csv", r);
    const auto from_log = ltv::summarize(log, o);
    const auto from_file = ltv::summarize(data_dir + "/example_transactions.csv", r, o);
    CHECK(from_file.size() > 3000);
    check_same(from_file, from_log, 0);
    std::vector<ltv::transaction> shuffled = log.rows;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
    std::string shuffled_text = "date,id\n";
    for (const auto& t : shuffled)
        shuffled_text += ltv::format_date(t.day) + "," + std::string(log.customers[t.customer]) + "\n";
    ltv::summary_state one_pass(o);
    ltv::read_transactions_text(shuffled_text, r, [&](const ltv::transaction_row& row) { one_pass.add(row); });
    CHECK(one_pass.unverified_transactions() > 100);
    const auto from_text = ltv::summarize_text(shuffled_text, r, o);
    CHECK(from_text.unverified_transactions == 0);
    check_same(from_text, from_log, 0);
    // A stream cannot be read twice: the one-pass summary refuses instead of guessing.
    std::istringstream in(shuffled_text);
    ltv::status code = ltv::status::ok;
    CHECK(error_message([&] { ltv::summarize_stream(in, r, o, nullptr, "<stdin>"); }, &code)
              .find("<stdin>: ") == 0);
    CHECK(code == ltv::status::invalid_argument);
    // Shuffled rows through add_batch (sorted within the batch) are exact as well.
    ltv::summary_state st(o);
    std::vector<ltv::transaction_row> rows;
    for (const auto& t : shuffled) rows.push_back({log.customers[t.customer], t.day, t.amount, 0, 0});
    st.add_batch(rows);
    check_same(st.result(), from_log, 0);
    // Hand-made: a's rows newest first; 01-05 lies between 01-01 and 01-20.
    const char* unsorted = "customer_id,date,amount\na,2014-01-20,30\na,2014-01-01,10\na,2014-01-05,20\n"
                           "a,2014-01-05,-5\na,2014-01-01,5\n";
    const auto u = ltv::summarize_text(unsorted, {}, until_jan31());
    CHECK(u.frequency[0] == 2);
    CHECK(u.monetary_value[0] == doctest::Approx(22.5).epsilon(exact));
    std::istringstream in2(unsorted);
    CHECK(error_message([&] { ltv::summarize_stream(in2, {}, until_jan31()); }) ==
          "<stream>: 1 transactions are out of date order for their customer and the input cannot "
          "be read twice; sort it by customer and date, or read it from a file");
}

TEST_CASE("transactions summary: CDNOW_master in 10 chunks with save/restore equals one batch") {
    ltv::summary_options o;
    o.observation_end = ltv::make_day(1998, 6, 30);
    o.calibration_end = ltv::make_day(1997, 12, 31);
    o.unit = ltv::time_unit::week();
    const auto batch = ltv::summarize(master_path, master_options(), o);
    REQUIRE(batch.size() > 20000);
    const auto log = ltv::load_transactions(master_path, master_options());
    REQUIRE(log.rows.size() == 69659);

    // Row-range chunks (nightly files), the state saved and restored between chunks.
    std::string saved;
    const std::size_t n = log.rows.size();
    for (int k = 0; k < 10; ++k) {
        ltv::summary_state st = saved.empty() ? ltv::summary_state(o) : ltv::summary_state::restore_bytes(saved);
        for (std::size_t i = n * k / 10; i < n * (k + 1) / 10; ++i) {
            const auto& t = log.rows[i];
            st.add(log.customers[t.customer], t.day, t.amount);
        }
        std::ostringstream out;
        st.save(out);
        saved = out.str();
    }
    const auto chunked = ltv::summary_state::restore_bytes(saved);
    CHECK(chunked.transactions() == 69659);
    CHECK(chunked.unverified_transactions() == 0);
    check_same(chunked.result(), batch, 0);  // same order of additions: bit-identical

    // Date-disjoint chunks (one per calendar month) arriving newest first, each as a batch:
    // exact up to the order of floating-point sums.
    std::map<ltv::day_number, std::vector<ltv::transaction_row>> by_month;
    for (const auto& t : log.rows)
        by_month[ltv::month_start(t.day)].push_back({log.customers[t.customer], t.day, t.amount, 0, 0});
    CHECK(by_month.size() == 18);
    ltv::summary_state st(o);
    for (auto it = by_month.rbegin(); it != by_month.rend(); ++it) st.add_batch(it->second);
    CHECK(st.unverified_transactions() > 0);  // the state could not verify, but it is exact here
    check_same(st.result(), batch, 1e-12);
}

TEST_CASE("transactions summary: nightly batch files with the state saved to disk in between") {
    // CDNOW_master split by date into 10 text chunks (each keeps the header), fed in date order.
    ltv::summary_options o;
    o.observation_end = ltv::make_day(1998, 6, 30);
    o.unit = ltv::time_unit::week();
    const auto batch = ltv::summarize(master_path, master_options(), o);
    const auto log = ltv::load_transactions(master_path, master_options());
    std::vector<std::size_t> order(log.rows.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return log.rows[a].day < log.rows[b].day; });
    const std::string state_file = (std::filesystem::temp_directory_path() / "ltv_test_summary_state.bin").string();
    std::filesystem::remove(state_file);
    for (int k = 0; k < 10; ++k) {
        std::string chunk = "customer_id date number_of_cds dollar_value\r\n";
        for (std::size_t i = order.size() * k / 10; i < order.size() * (k + 1) / 10; ++i) {
            const auto& t = log.rows[order[i]];
            char amount[32];
            std::snprintf(amount, sizeof amount, "%.2f", t.amount);
            chunk += std::string(log.customers[t.customer]) + " " + ltv::format_date(t.day) + " 1 " + amount + "\r\n";
        }
        ltv::summary_state st = k == 0 ? ltv::summary_state(o) : ltv::summary_state::restore_file(state_file);
        const auto rep = st.add_text(chunk, master_options(), "night" + std::to_string(k));
        CHECK(rep.skipped == 0);
        st.save_file(state_file);
    }
    const auto final_state = ltv::summary_state::restore_file(state_file);
    CHECK(final_state.unverified_transactions() == 0);  // date order: every row verifiable
    check_same(final_state.result(), batch, 1e-12);     // sums in another order
    std::filesystem::remove(state_file);
    ltv::status code = ltv::status::ok;
    CHECK(error_message([&] { ltv::summary_state::restore_file(state_file); }, &code).find("cannot open '") == 0);
    CHECK(code == ltv::status::io_error);
}

TEST_CASE("transactions summary: saved state round-trips and rejects damaged input") {
    ltv::summary_options o = until_jan31(ltv::merge_period::week, ltv::time_unit::week());
    o.calibration_end = ltv::make_day(2014, 1, 10);
    ltv::summary_state st(o);
    ltv::read_transactions_text(small_log, {}, [&](const ltv::transaction_row& r) { st.add(r); });
    std::ostringstream out;
    st.save(out);
    const std::string bytes = out.str();
    CHECK(bytes.compare(0, 8, "LTVSUMST") == 0);
    std::istringstream in(bytes);
    const auto back = ltv::summary_state::restore(in);
    CHECK(back.options().merge == ltv::merge_period::week);
    CHECK(back.options().unit.days == 7);
    CHECK(back.options().calibration_end == o.calibration_end);
    CHECK(back.transactions_after_end() == 2);
    check_same(back.result(), st.result(), 0);
    std::ostringstream again;
    back.save(again);
    CHECK(again.str() == bytes);

    ltv::status code = ltv::status::ok;
    CHECK(error_message([&] { ltv::summary_state::restore_bytes("hello world, not a state"); }, &code) ==
          "summary state: not a saved ltv summary state (bad magic, expected 'LTVSUMST')");
    CHECK(code == ltv::status::parse_error);
    std::string v3 = bytes;
    v3[8] = 3;
    CHECK(error_message([&] { ltv::summary_state::restore_bytes(v3); }) ==
          "summary state: unsupported format version 3 (this build reads version 2)");
    for (std::size_t cut : {std::size_t(10), std::size_t(40), bytes.size() / 2, bytes.size() - 1}) {
        CAPTURE(cut);
        const std::string msg = error_message([&] { ltv::summary_state::restore_bytes(bytes.substr(0, cut)); }, &code);
        CHECK(code == ltv::status::parse_error);
        CHECK((msg.find("truncated") != std::string::npos || msg.find("checksum mismatch") != std::string::npos));
    }
    std::string flipped = bytes;
    flipped[bytes.size() - 20] = static_cast<char>(flipped[bytes.size() - 20] ^ 0x10);
    CHECK(error_message([&] { ltv::summary_state::restore_bytes(flipped); }) ==
          "summary state: checksum mismatch: the data is corrupted");
}

TEST_CASE("transactions summary: per-customer memory stays compact") {
    ltv::summary_options o;
    o.calibration_end = ltv::make_day(1997, 12, 31);
    ltv::summary_state st(o);
    st.reserve(23570);
    ltv::read_transactions(master_path, master_options(), [&](const ltv::transaction_row& r) { st.add(r); });
    const auto m = st.memory();
    CHECK(m.customers == 23570);
    // 40-byte record (with litt since 0.2.6) + 24-byte holdout record + 1 flag byte, measured
    // from the chunk capacities (reserve() sizes the last chunk exactly) plus the chunk
    // directories (a few pointers).
    CHECK(m.record_bytes_per_customer() >= 65);
    CHECK(m.record_bytes_per_customer() <= 65.05);
    CHECK(m.record_bytes_per_customer() + static_cast<double>(m.id_bytes) / static_cast<double>(m.customers) <= 100);
    MESSAGE("summary_state: " << m.record_bytes_per_customer() << " record bytes per customer, "
                              << static_cast<double>(m.id_bytes) / static_cast<double>(m.customers) << " id bytes per customer");
}

TEST_CASE("transactions summary: memory without reserve() stays within 100 bytes per customer") {
    ltv::summary_options o;
    o.calibration_end = ltv::make_day(1997, 12, 31);
    ltv::summary_state st(o);
    ltv::read_transactions(master_path, master_options(), [&](const ltv::transaction_row& r) { st.add(r); });
    const auto m = st.memory();
    CHECK(m.customers == 23570);
    // Chunked records: at most one chunk (4096 records) of spare room.
    CHECK(m.record_bytes_per_customer() <= 65.0 * (23570 + 4096) / 23570 + 0.1);
    const auto copy = st;  // deep copy of the chunked storage
    CHECK(copy.result().frequency == st.result().frequency);
    CHECK(copy.result().customer == st.result().customer);
}

TEST_CASE("transactions summary: empty input") {
    const auto t = ltv::summarize_text("customer_id,date,amount\n", {}, {});
    CHECK(t.size() == 0);
    CHECK(t.observation_end == 0);
}
