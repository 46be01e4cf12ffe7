// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/transactions.hpp: reading transaction logs. Test-case names start with
// "transactions:" so that -tc="*transactions*" selects them.
//
// Reference counts for the data files were computed independently with Python (str.split on each
// line, float() on the amounts), see tests/data/SOURCES.md for the files themselves.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/transactions.hpp"

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

struct collected {
    std::vector<std::string> customers;
    std::vector<ltv::day_number> days;
    std::vector<double> amounts;
    std::vector<double> quantities;
    std::vector<std::uint64_t> lines;
    ltv::read_report report;
};

collected read_text(std::string_view text, ltv::read_options opt = {}) {
    collected c;
    c.report = ltv::read_transactions_text(
        text, opt,
        [&](const ltv::transaction_row& r) {
            c.customers.emplace_back(r.customer);
            c.days.push_back(r.day);
            c.amounts.push_back(r.amount);
            c.quantities.push_back(r.quantity);
            c.lines.push_back(r.line);
        },
        "t.csv");
    return c;
}

/// The same text through a std::istream with a tiny block size (exercises every refill path).
collected read_stream(const std::string& text, ltv::read_options opt, std::size_t block) {
    collected c;
    std::istringstream in(text);
    opt.block_size = block;
    c.report = ltv::read_transactions(
        in, opt,
        [&](const ltv::transaction_row& r) {
            c.customers.emplace_back(r.customer);
            c.days.push_back(r.day);
            c.amounts.push_back(r.amount);
            c.quantities.push_back(r.quantity);
            c.lines.push_back(r.line);
        },
        "t.csv");
    return c;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("transactions: CDNOW_master.txt (whitespace, header, YYYYMMDD, CRLF)") {
    ltv::read_options opt;
    opt.amount = "dollar_value";
    opt.quantity = "number_of_cds";
    std::uint64_t rows = 0;
    double dollars = 0, cds = 0;
    ltv::day_number lo = 1 << 30, hi = -(1 << 30);
    ltv::customer_ids ids;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
    opt.progress = [&](std::uint64_t done, std::uint64_t total) { progress.emplace_back(done, total); };
    opt.block_size = 256 * 1024;  // several blocks for a 1.9 MB file
    const auto rep = ltv::read_transactions(master_path, opt, [&](const ltv::transaction_row& r) {
        ++rows;
        dollars += r.amount;
        cds += r.quantity;
        lo = std::min(lo, r.day);
        hi = std::max(hi, r.day);
        ids.intern(r.customer);
    });
    // Python: 69659 rows, 23570 distinct ids, sum(dollar_value) = 2500315.63, sum(cds) = 167881,
    // dates 19970101..19980630.
    CHECK(rep.rows == 69659);
    CHECK(rows == 69659);
    CHECK(ids.size() == 23570);
    CHECK(dollars == doctest::Approx(2500315.63).epsilon(1e-12));
    CHECK(cds == 167881.0);
    CHECK(lo == ltv::make_day(1997, 1, 1));
    CHECK(hi == ltv::make_day(1998, 6, 30));
    CHECK(rep.delimiter == ' ');
    CHECK(rep.header == std::vector<std::string>{"customer_id", "date", "number_of_cds", "dollar_value"});
    CHECK(rep.amount_column == 3);
    CHECK(rep.quantity_column == 2);
    CHECK(rep.skipped == 0);
    CHECK(rep.blank_lines == 0);
    CHECK(rep.lines == 69660);
    CHECK(rep.bytes == 1950500);  // file size (SOURCES.md)
    // Progress: at least one call per 256 KiB block, non-decreasing, ending at the file size.
    REQUIRE(progress.size() >= 8);
    for (std::size_t i = 1; i < progress.size(); ++i) CHECK(progress[i].first >= progress[i - 1].first);
    CHECK(progress.back().first == 1950500);
    CHECK(progress.back().second == 1950500);
    CHECK(ids[0] == "00001");
    CHECK(ids.find("23570") == 23569);
    CHECK(ids.find("99999") == ltv::customer_ids::npos);
}

TEST_CASE("transactions: CDNOW_sample.txt (no header, columns by position)") {
    ltv::read_options opt;
    opt.header = false;
    opt.customer = ltv::column_ref::at(1);
    opt.date = ltv::column_ref::at(2);
    opt.quantity = ltv::column_ref::at(3);
    opt.amount = ltv::column_ref::at(4);
    const auto log = ltv::load_transactions(data_dir + "/CDNOW_sample.txt", opt);
    // Python: 6919 rows, 2357 customers, sum of dollars 244091.94, last row 2357 19970325 2 25.74.
    CHECK(log.rows.size() == 6919);
    CHECK(log.customers.size() == 2357);
    double sum = 0;
    for (const auto& t : log.rows) sum += t.amount;
    CHECK(sum == doctest::Approx(244091.94).epsilon(1e-12));
    CHECK(log.customers[log.rows.back().customer] == "2357");
    CHECK(log.rows.back().day == ltv::make_day(1997, 3, 25));
    CHECK(log.rows.back().quantity == 2.0);
    CHECK(log.rows.back().amount == 25.74);
    CHECK(log.rows.front().amount == 29.33);  // first line " 00004 0001 19970101  2   29.33"
    CHECK(log.customers[log.rows.front().customer] == "0001");
    CHECK(log.report.header.empty());
}

TEST_CASE("transactions: example_transactions.csv (date-times, no amount column)") {
    ltv::read_options opt;
    opt.customer = "ID";  // header says "id": names are case-insensitive
    const auto log = ltv::load_transactions(data_dir + "/example_transactions.csv", opt);
    // Python: 15273 rows, 5000 ids, dates 2014-01-01 .. 2014-12-31, last row 2014-07-19,4999.
    CHECK(log.rows.size() == 15273);
    CHECK(log.customers.size() == 5000);
    CHECK(log.report.delimiter == ',');
    CHECK(log.report.amount_column == ltv::column_ref::npos);
    CHECK(log.rows.front().day == ltv::make_day(2014, 3, 8));
    CHECK(log.rows.back().day == ltv::make_day(2014, 7, 19));
    CHECK(log.customers[log.rows.back().customer] == "4999");
    CHECK(log.rows.back().amount == 0.0);
}

TEST_CASE("transactions: the same result from a file, a string and a stream, any block size") {
    ltv::read_options opt;
    opt.header = false;
    opt.customer = ltv::column_ref::at(1);
    opt.date = ltv::column_ref::at(2);
    opt.amount = ltv::column_ref::at(4);
    const std::string text = slurp(data_dir + "/CDNOW_sample.txt");
    const auto whole = read_text(text, opt);
    REQUIRE(whole.customers.size() == 6919);
    for (std::size_t block : {std::size_t(1), std::size_t(7), std::size_t(4096)}) {
        CAPTURE(block);
        const auto s = read_stream(text, opt, block);
        CHECK(s.customers == whole.customers);
        CHECK(s.days == whole.days);
        CHECK(s.amounts == whole.amounts);
        CHECK(s.lines == whole.lines);
    }
}

TEST_CASE("transactions: RFC 4180 quoting, escapes, delimiters and line breaks inside quotes") {
    const std::string text =
        "customer_id,date,amount,note\r\n"
        "\"a,1\",2014-01-02,\"10.5\",\"say \"\"hi\"\"\"\r\n"
        "  b  , 2014-01-03 ,-3,\"two\r\nlines\"\r\n"
        "\"\"\"q\"\"\",20140104,0,\r\n"
        "c,2014-01-05,1e2,\"x\"\r\n";
    for (std::size_t block : {std::size_t(1), std::size_t(3), std::size_t(1 << 20)}) {
        CAPTURE(block);
        const auto c = read_stream(text, {}, block);
        REQUIRE(c.customers.size() == 4);
        CHECK(c.customers[0] == "a,1");
        CHECK(c.amounts[0] == 10.5);
        CHECK(c.customers[1] == "b");  // blanks around unquoted fields are trimmed
        CHECK(c.days[1] == ltv::make_day(2014, 1, 3));
        CHECK(c.amounts[1] == -3.0);  // refunds are kept as negative amounts
        CHECK(c.customers[2] == "\"q\"");
        CHECK(c.days[2] == ltv::make_day(2014, 1, 4));
        CHECK(c.amounts[3] == 100.0);
        // The quoted line break makes row 3 start on line 5.
        CHECK(c.lines == std::vector<std::uint64_t>{2, 3, 5, 6});
        CHECK(c.report.lines == 6);
    }
}

TEST_CASE("transactions: BOM, blank lines, CRLF, LF, CR, delimiter detection") {
    const auto c = read_text("\xEF\xBB\xBF" "Customer_ID;Date;Amount\r\n\r\nx;2014-01-01;1,5\r\n   \r\ny;2014-01-02;2\r\n\r\n",
                             [] {
                                 ltv::read_options o;
                                 o.amount = ltv::column_ref::none();
                                 return o;
                             }());
    CHECK(c.report.delimiter == ';');
    CHECK(c.report.header.front() == "Customer_ID");  // the BOM is not part of the name
    CHECK(c.customers == std::vector<std::string>{"x", "y"});
    CHECK(c.lines == std::vector<std::uint64_t>{3, 5});
    CHECK(c.report.blank_lines == 3);

    const auto cr = read_text("customer_id\tdate\tamount\rx\t2014-01-01\t1\ry\t2014-01-02\t2");
    CHECK(cr.report.delimiter == '\t');
    CHECK(cr.amounts == std::vector<double>{1, 2});
    CHECK(cr.lines == std::vector<std::uint64_t>{2, 3});

    const auto pipe = read_text("customer_id|date|amount\nx|20140101|+7.25\n");
    CHECK(pipe.report.delimiter == '|');
    CHECK(pipe.amounts == std::vector<double>{7.25});

    const auto ws = read_text("  customer_id   date amount \n\n\t a\t2014-01-01   3 \t\n");
    CHECK(ws.report.delimiter == ' ');
    CHECK(ws.customers == std::vector<std::string>{"a"});
    CHECK(ws.amounts == std::vector<double>{3});
    // Extra fields are not ignored (issue 8, D6; test_hardening_io.cpp): they are an error.
    CHECK(error_message([] { read_text("customer_id date amount\na 2014-01-01 3 extra\n"); })
              .find("t.csv:2: the row has 4 fields but the header has 3") == 0);
}

TEST_CASE("transactions: empty input and header only give no rows") {
    CHECK(read_text("").report.rows == 0);
    CHECK(read_text(std::string_view()).report.rows == 0);  // null data pointer
    CHECK(read_text("\r\n\n").report.rows == 0);
    CHECK(read_text("\xEF\xBB\xBF").report.rows == 0);
    const auto h = read_text("customer_id,date,amount\r\n");
    CHECK(h.report.rows == 0);
    CHECK(h.report.header.size() == 3);
    CHECK(h.report.amount_column == 2);
    // A header without the customer column fails even without data rows.
    CHECK(error_message([] { read_text("id,date\n"); }).find("no customer column named") != std::string::npos);
}

TEST_CASE("transactions: errors name file, line, column and value") {
    ltv::status code = ltv::status::ok;
    CHECK(error_message([] { read_text("customer_id,date,amount\nx,2014-01-01,1\ny,2014-13-01,2\n"); }, &code) ==
          "t.csv:3: column 2 ('date'): cannot parse '2014-13-01' as a date (expected YYYY-MM-DD, "
          "YYYYMMDD or an ISO date-time YYYY-MM-DD HH:MM:SS)");
    CHECK(code == ltv::status::parse_error);
    CHECK(error_message([] { read_text("customer_id,date,amount\nx,2014-01-01,12$\n"); }) ==
          "t.csv:2: column 3 ('amount'): cannot parse '12$' as a number");
    CHECK(error_message([] { read_text("customer_id,date,amount\nx,2014-01-01,\n"); }) ==
          "t.csv:2: column 3 ('amount'): cannot parse '' as a number");
    CHECK(error_message([] { read_text("customer_id,date,amount\nx,2014-01-01,nan\n"); }) ==
          "t.csv:2: column 3 ('amount'): cannot parse 'nan' as a number");
    CHECK(error_message([] { read_text("customer_id,date,amount\nx,2014-01-01\n"); }) ==
          "t.csv:2: the row has 2 fields but the header has 3; column 3 ('amount') is missing");
    CHECK(error_message([] { read_text("customer_id,date,amount\nx\n"); }) ==
          "t.csv:2: the row has 1 field but the header has 3; column 2 ('date') is missing");
    CHECK(error_message([] { read_text("customer_id,date,amount\n,2014-01-01,1\n"); }) ==
          "t.csv:2: column 1 ('customer_id'): empty customer id");
    CHECK(error_message([] { read_text("customer_id,date\n\"x,2014-01-01\n"); }) ==
          "t.csv:2: column 1: unterminated quoted field (a '\"' opens a field that never closes)");
    CHECK(error_message([] { read_text("customer_id,date\n\"x\"y,2014-01-01\n"); }) ==
          "t.csv:2: column 1: unexpected character 'y' after a closing quote");
    // Missing column: names it and lists the available ones.
    CHECK(error_message([] { read_text("date,id\n2014-01-01,1\n"); }, &code) ==
          "t.csv:1: no customer column named 'customer_id' (available columns: 'date', 'id')");
    CHECK(code == ltv::status::parse_error);
    ltv::read_options explicit_amount;
    explicit_amount.amount = "spend";
    CHECK(error_message([&] { read_text("customer_id,date\n", explicit_amount); }) ==
          "t.csv:1: no amount column named 'spend' (available columns: 'customer_id', 'date')");
    // Without a header, messages use the role as the column name.
    ltv::read_options pos;
    pos.header = false;
    pos.customer = ltv::column_ref::at(0);
    pos.date = ltv::column_ref::at(2);
    CHECK(error_message([&] { read_text("a 1 1997\n", pos); }) ==
          "t.csv:1: column 3 ('date'): cannot parse '1997' as a date (expected YYYY-MM-DD, "
          "YYYYMMDD or an ISO date-time YYYY-MM-DD HH:MM:SS)");
    ltv::read_options by_name_no_header;
    by_name_no_header.header = false;
    CHECK(error_message([&] { read_text("a 1 1997\n", by_name_no_header); }, &code) ==
          "t.csv: the customer column is chosen by name ('customer_id') but the input has no "
          "header; choose it by position");
    CHECK(code == ltv::status::invalid_argument);
    ltv::read_options far;
    far.date = ltv::column_ref::at(9);
    CHECK(error_message([&] { read_text("customer_id,date\n", far); }) ==
          "t.csv:1: date column 10 requested but the header has only 2 columns");
    CHECK(error_message([] { ltv::read_transactions("/nonexistent/x.csv", {}, [](const ltv::transaction_row&) {}); },
                        &code)
              .find("cannot open '/nonexistent/x.csv'") == 0);
    CHECK(code == ltv::status::io_error);
}

TEST_CASE("transactions: a custom date pattern is named in the message") {
    ltv::read_options opt;
    opt.dates = ltv::date_spec::custom("%d/%m/%Y");
    const auto c = read_text("customer_id,date\nx,31/12/2014\n", opt);
    CHECK(c.days == std::vector<ltv::day_number>{ltv::make_day(2014, 12, 31)});
    CHECK(error_message([&] { read_text("customer_id,date\nx,2014-12-31\n", opt); }) ==
          "t.csv:2: column 2 ('date'): cannot parse '2014-12-31' as a date (expected format '%d/%m/%Y')");
}

TEST_CASE("transactions: lenient mode skips bad rows and reports the first N") {
    std::string text = "customer_id,date,amount\n";
    for (int i = 0; i < 30; ++i) text += "c" + std::to_string(i) + ",2014-01-0x,1\n";  // 30 bad dates
    text += "good,2014-01-01,5\n";
    text += "\"unterminated,2014-01-01,1\nlast,2014-01-02,1\n";  // swallows the rest of the input
    ltv::read_options opt;
    opt.lenient = true;
    const auto c = read_text(text, opt);
    CHECK(c.customers == std::vector<std::string>{"good"});
    CHECK(c.report.rows == 1);
    CHECK(c.report.skipped == 31);
    REQUIRE(c.report.errors.size() == 20);
    CHECK(c.report.errors.front().line == 2);
    CHECK(c.report.errors.front().message ==
          "t.csv:2: column 2 ('date'): cannot parse '2014-01-0x' as a date (expected YYYY-MM-DD, "
          "YYYYMMDD or an ISO date-time YYYY-MM-DD HH:MM:SS)");
    CHECK(c.report.errors.back().line == 21);
    opt.max_reported_errors = 100;
    const auto all = read_text(text, opt);
    REQUIRE(all.report.errors.size() == 31);
    CHECK(all.report.errors.back().line == 33);
    CHECK(all.report.errors.back().message.find("unterminated quoted field") != std::string::npos);
    // Not lenient: the first bad row throws.
    CHECK(error_message([&] { read_text(text); }).find("t.csv:2:") == 0);
}

TEST_CASE("transactions: customer_ids interns into dense first-seen indices") {
    ltv::customer_ids ids;
    CHECK(ids.find("a") == ltv::customer_ids::npos);
    CHECK(ids.intern("a") == 0);
    CHECK(ids.intern("b") == 1);
    CHECK(ids.intern("a") == 0);
    CHECK(ids.intern("") == 2);
    for (int i = 0; i < 100000; ++i) ids.intern("id" + std::to_string(i));  // forces rehashing
    CHECK(ids.size() == 100003);
    CHECK(ids.find("id77777") == 77777 + 3);
    CHECK(ids[77777 + 3] == "id77777");
    CHECK(ids.find("b") == 1);
    CHECK(ids.memory_bytes() > 100000 * 8);
}

TEST_CASE("transactions: random CSV parses the same for every block size and line ending") {
    // Generated rows with quoted ids (delimiters, "" escapes, line breaks inside quotes), blank
    // lines, blanks around fields and mixed LF / CRLF; the expected values are known by
    // construction, and every block size must reproduce them (the refill paths split records,
    // quotes and CRLF pairs at every possible byte).
    std::mt19937 rng(7);
    std::string text = "customer_id,date,amount\r\n";
    std::vector<std::string> ids;
    std::vector<ltv::day_number> days;
    std::vector<double> amounts;
    const char* pieces[] = {"a", "b,c", "\"", "x y", "\n", "z"};
    for (int i = 0; i < 300; ++i) {
        std::string id = "id" + std::to_string(i);
        const bool quoted = rng() % 2 == 0;
        if (quoted)
            for (int k = 0; k < 3; ++k) id += pieces[rng() % 6];
        std::string field = id;
        if (quoted) {
            field.clear();
            for (char c : id) field += c == '"' ? std::string("\"\"") : std::string(1, c);
            field = "\"" + field + "\"";
        }
        const ltv::day_number d = ltv::make_day(2014, 1, 1) + static_cast<int>(rng() % 365);
        const double amount = static_cast<double>(static_cast<int>(rng() % 20001) - 10000) / 100.0;
        char amount_text[32];
        std::snprintf(amount_text, sizeof amount_text, "%.2f", amount);
        text += (rng() % 3 == 0 ? " " : "") + field + "," + ltv::format_date(d) + (rng() % 3 == 0 ? " ," : ",") +
                amount_text + (rng() % 2 ? "\r\n" : "\n");
        if (rng() % 10 == 0) text += "\r\n";  // a blank line
        ids.push_back(id);
        days.push_back(d);
        amounts.push_back(amount);
    }
    for (std::size_t block : {std::size_t(1), std::size_t(2), std::size_t(5), std::size_t(64), std::size_t(1) << 20}) {
        CAPTURE(block);
        const auto c = read_stream(text, {}, block);
        CHECK(c.customers == ids);
        CHECK(c.days == days);
        CHECK(c.amounts == amounts);
        CHECK(c.report.skipped == 0);
    }
}
