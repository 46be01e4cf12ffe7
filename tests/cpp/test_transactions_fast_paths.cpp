// SPDX-License-Identifier: Apache-2.0
// Tests of the fast paths of reading and writing logs (issue 10): the tokenizer's SSE2 split of
// simple records (ltv/detail/transactions/tokenizer.hpp), the background reader of
// read_options::threads (ltv/detail/transactions/background.hpp) and the shortest number text
// of summary output (ltv/detail/number_text.hpp). Each is compared with the general path on the
// same input: the fast paths must change nothing but the time.
#include <doctest/doctest.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ltv/detail/number_text.hpp"
#include "ltv/transactions.hpp"

namespace {

/// Everything a read produces, as text: rows, report, skipped-row messages, progress calls, or
/// the error that stopped it.
std::string trace(const std::string& text, ltv::read_options opt, std::size_t block, bool stream) {
    std::string out;
    opt.block_size = block;
    opt.progress = [&](std::uint64_t bytes, std::uint64_t total) {
        out += "progress " + std::to_string(bytes) + "/" + std::to_string(total) + "\n";
    };
    auto visit = [&](const ltv::transaction_row& r) {
        out += "row " + std::to_string(r.line) + " [" + std::string(r.customer) + "] " +
               std::to_string(r.day) + " " + std::to_string(r.amount) + "\n";
    };
    try {
        ltv::read_report rep;
        if (stream) {
            std::istringstream in(text);
            rep = ltv::read_transactions(in, opt, visit, "t.csv");
        } else {
            rep = ltv::read_transactions_text(text, opt, visit, "t.csv");
        }
        out += "report rows " + std::to_string(rep.rows) + " skipped " + std::to_string(rep.skipped) +
               " blank " + std::to_string(rep.blank_lines) + " lines " + std::to_string(rep.lines) +
               " bytes " + std::to_string(rep.bytes) + " delimiter " + std::to_string(rep.delimiter) + "\n";
        for (const auto& e : rep.errors) out += "skipped " + e.message + "\n";
    } catch (const ltv::error& e) {
        out += std::string("error ") + e.what() + "\n";
    }
    return out;
}

/// A messy log: quoted ids with delimiters, escapes and line breaks, quotes inside unquoted
/// fields, blanks and tabs around fields, empty fields, CR / LF / CRLF, blank lines, bad dates
/// and amounts, rows of the wrong width, long and short rows on both sides of 16 bytes.
std::string messy_log(std::mt19937& rng, char delim, int rows) {
    const std::string d(1, delim);
    std::string text = "customer_id" + d + "date" + d + "amount" + (rng() % 2 ? "\r\n" : "\n");
    const char* ids[] = {"a", "id12345678901234567890", "\"q,\"\"x\"", "b\"c", " padded\t", "\"line\nbreak\"",
                         "", "x y", "\"\"", "zz"};
    const char* dates[] = {"2014-01-05", " 2014-02-01 ", "2014-13-01", "20140301", "\t2014-03-02"};
    const char* amounts[] = {"1.5", " 22.25", "-3", "1e3", "abc", "", "\"4.5\"", "7 "};
    const char* ends[] = {"\n", "\r\n", "\r", "\n\n", "\r\n\r\n"};
    for (int i = 0; i < rows; ++i) {
        text += std::string(ids[rng() % 10]) + d + dates[rng() % 5] + d + amounts[rng() % 8];
        if (rng() % 13 == 0) text += d + "extra";
        text += ends[rng() % 5];
    }
    if (rng() % 2) text += "last" + d + "2014-05-05" + d + "1";  // no final line end
    return text;
}

std::string without_progress(const std::string& t) {
    std::string out;
    std::istringstream in(t);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("progress", 0) != 0) out += line + "\n";
    return out;
}

}  // namespace

TEST_CASE("transactions: the fast split gives the general tokenizer's rows, reports and messages") {
    // Small blocks put most records near the end of the buffered bytes, where the general loop
    // splits them; a whole text in memory goes through the fast path. Both must agree (progress
    // calls aside: there is one per block).
    std::mt19937 rng(10);
    for (int round = 0; round < 60; ++round) {
        const char delim = ",;\t|"[round % 4];
        const std::string text = messy_log(rng, delim, 40);
        ltv::read_options opt;
        opt.lenient = true;
        opt.max_reported_errors = 1000;
        const std::string general = without_progress(trace(text, opt, 1, true));
        CAPTURE(text);
        CHECK(without_progress(trace(text, opt, 7, true)) == general);
        CHECK(without_progress(trace(text, opt, 64, true)) == general);
        CHECK(without_progress(trace(text, opt, std::size_t(1) << 20, false)) == general);
        opt.lenient = false;  // the first bad row stops both at the same place with the same message
        CHECK(without_progress(trace(text, opt, std::size_t(1) << 20, false)) ==
              without_progress(trace(text, opt, 1, true)));
    }
}

TEST_CASE("transactions: threads = 2 reads the same rows, reports, errors and progress") {
    std::mt19937 rng(11);
    for (int round = 0; round < 12; ++round) {
        // Some logs span many batches of the background reader (4096 rows each).
        const std::string text = messy_log(rng, ',', round % 3 == 0 ? 20000 : 50);
        for (const bool lenient : {true, false}) {
            ltv::read_options one;
            one.lenient = lenient;
            ltv::read_options two = one;
            two.threads = 2;
            CAPTURE(lenient);
            CHECK(trace(text, two, 4096, true) == trace(text, one, 4096, true));
            CHECK(trace(text, two, std::size_t(1) << 20, false) ==
                  trace(text, one, std::size_t(1) << 20, false));
        }
    }
    // A clean log of 50 000 rows from a file: every row, in order.
    std::string text = "customer_id,date,amount\n";
    for (int i = 0; i < 50000; ++i)
        text += "c" + std::to_string(i % 977) + "," + ltv::format_date(16000 + i % 400) + "," +
                std::to_string(i % 100) + ".25\n";
    ltv::read_options two;
    two.threads = 2;
    CHECK(trace(text, two, 1000, true) == trace(text, {}, 1000, true));
}

TEST_CASE("transactions: a visitor that throws stops the background reader") {
    std::string text = "customer_id,date,amount\n";
    for (int i = 0; i < 30000; ++i) text += "c" + std::to_string(i) + ",2014-01-01,1\n";
    ltv::read_options two;
    two.threads = 2;
    std::size_t seen = 0;
    auto stop_at = [&](std::size_t n) {
        seen = 0;
        return [&seen, n](const ltv::transaction_row&) {
            if (++seen == n) throw ltv::error(ltv::status::domain_error, "visitor: enough");
        };
    };
    for (std::size_t n : {std::size_t(1), std::size_t(4096), std::size_t(4097), std::size_t(29999)}) {
        CAPTURE(n);
        auto v = stop_at(n);
        std::string message;
        try {
            ltv::read_transactions_text(text, two, v);
        } catch (const ltv::error& e) {
            message = e.what();
        }
        CHECK(message == "visitor: enough");
        CHECK(seen == n);
    }
    // A missing file is the same error on either path.
    std::string one_error, two_error;
    try {
        ltv::read_transactions("/nonexistent/ltv.csv", {}, [](const ltv::transaction_row&) {});
    } catch (const ltv::error& e) {
        one_error = e.what();
    }
    try {
        ltv::read_transactions("/nonexistent/ltv.csv", two, [](const ltv::transaction_row&) {});
    } catch (const ltv::error& e) {
        two_error = e.what();
    }
    CHECK(!one_error.empty());
    CHECK(two_error == one_error);
}

TEST_CASE("number text: write_shortest and the cache write std::to_chars' bytes") {
    ltv::detail::shortest_text_cache cache;
    std::size_t checked = 0, different = 0;
    auto check = [&](double v) {
        char a[32], b[32], c[32];
        const std::string want(a, std::to_chars(a, a + sizeof a, v).ptr);
        const std::string fast(b, ltv::detail::write_shortest(b, v));
        const std::string cached(c, cache.write(c, v));
        ++checked;
        if (fast != want || cached != want) {
            if (++different <= 5) CHECK_MESSAGE(false, want << " vs " << fast << " / " << cached);
        }
    };
    for (int i = -200000; i <= 200000; ++i) check(i);
    double p = 1;
    for (int k = 0; k <= 17; ++k, p *= 10)
        for (int m = 1; m < 1000; ++m) {
            check(m * p);
            check(-m * p);
            check(m * p + 1);
        }
    for (int i = 0; i < 100000; ++i) {
        check(i / 7.0);
        check(i / 30.0);
        check(i / 100.0);
        check(-i / 3.0);
    }
    std::mt19937_64 rng(12);
    for (int i = 0; i < 200000; ++i) {
        const std::uint64_t bits = rng();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        if (v == v && v - v == 0) check(v);  // finite
        check(static_cast<double>(static_cast<std::int64_t>(rng() >> (rng() % 64))));
    }
    for (double v : {0.0, -0.0, 1e15, 1e15 - 1, 1e16, 9007199254740991.0, 5e-324, 1.7976931348623157e308,
                     0.1, 100000.0, 1234500000.0, 123456789012345.0})
        check(v);
    CHECK(different == 0);
    CHECK(checked > 1000000);
}

TEST_CASE("transactions: when the reader uses a second thread") {
    ltv::read_options o;
    CHECK_FALSE(ltv::detail::read_in_background(o, 0));  // threads = 1: never
    o.threads = 2;                                        // asked for: always
    CHECK(ltv::detail::read_in_background(o, 1));
    o.threads = 0;  // automatic: with more than one CPU, for large or unknown sizes
    const bool several = ltv::default_threads() > 1;
    CHECK_FALSE(ltv::detail::read_in_background(o, 1000));
    CHECK(ltv::detail::read_in_background(o, ltv::detail::background_min_bytes) == several);
    CHECK(ltv::detail::read_in_background(o, 0) == several);
    CHECK(ltv::detail::file_size_or_zero("/nonexistent/ltv.csv") == 0);
}
