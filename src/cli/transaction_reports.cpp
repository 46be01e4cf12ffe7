// SPDX-License-Identifier: Apache-2.0
// src/cli/transaction_reports.cpp — transaction-log input options, their reports, and the
// transaction part of `ltv demo`.
#include "transaction_reports.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <limits>
#include <memory>
#include <system_error>

#include "ltv/journey.hpp"
#include "ltv/summary.hpp"

namespace ltv::cli {
namespace {

bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

column_ref column_option(const std::string& option, const std::string& value, bool optional) {
    if (all_digits(value)) {
        // std::from_chars, not std::stoul: a position too large for size_t is the user's error
        // (exit 1 with the option named), not std::out_of_range ("internal error: stoul").
        std::size_t n = 0;
        const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
        if (r.ec != std::errc() || r.ptr != value.data() + value.size())  // only too large
            throw ltv::error(status::invalid_argument,
                             option + " " + ltv::detail::excerpt(value) +
                                 ": the column position is too large (at most " +
                                 std::to_string(std::numeric_limits<std::size_t>::max()) + ")");
        if (n == 0)
            throw ltv::error(status::invalid_argument,
                             option + " 0: column positions count from 1 (like cut -f)");
        return column_ref::at(n - 1);
    }
    if (value.empty() || value == "none") {
        if (!optional)
            throw ltv::error(status::invalid_argument,
                             option + ": a column name or position is needed");
        return column_ref::none();
    }
    return optional ? column_ref::optional(value) : column_ref(value);
}

char delimiter_option(const std::string& d) {
    if (d.empty() || d == "auto") return 0;
    if (d == "tab" || d == "\\t" || d == "\t") return '\t';
    if (d == "space" || d == "whitespace" || d == " ") return ' ';
    if (d == "comma") return ',';
    if (d == "semicolon") return ';';
    if (d == "pipe") return '|';
    if (d.size() == 1 && d != "\"" && d != "\n" && d != "\r") return d[0];
    throw ltv::error(status::invalid_argument,
                     "--delimiter '" + d +
                         "': expected one character, tab, whitespace, comma, semicolon or pipe");
}

date_spec date_format_option(const std::string& f) {
    if (f.empty() || f == "auto") return {};
    if (f == "iso") return date_format::iso;
    if (f == "compact") return date_format::compact;
    if (f == "iso_datetime") return date_format::iso_datetime;
    if (f.find('%') != std::string::npos) return date_spec::custom(f);
    throw ltv::error(status::invalid_argument,
                     "--date-format '" + f +
                         "': expected auto, iso, compact, iso_datetime or a pattern like %d/%m/%Y");
}

void warn_skipped(const read_report& rep) {
    if (rep.skipped == 0) return;
    std::cerr << "ltv: warning: skipped " << rep.skipped << " malformed row"
              << (rep.skipped == 1 ? "" : "s") << " of " << rep.source << "\n";
    for (const auto& e : rep.errors) std::cerr << "  " << e.message << "\n";
    if (rep.skipped > rep.errors.size())
        std::cerr << "  (" << rep.skipped - rep.errors.size() << " more)\n";
}

}  // namespace

CLI::Validator whole_number() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            std::size_t v = 0;
            const char* last = text.data() + text.size();
            const auto r = std::from_chars(text.data(), last, v);
            if (text.empty() || r.ec != std::errc() || r.ptr != last)
                return "'" + ltv::detail::excerpt(text) + "' is not a whole number from 0 to " +
                       std::to_string(std::numeric_limits<std::size_t>::max());
            text = std::to_string(v);  // without leading zeros, which CLI11 would read as octal
            return "";
        },
        "");  // the help shows the option's type (UINT) already
}

void add_transaction_input_options(CLI::App* cmd, transaction_input& in) {
    cmd->add_option("--customer", in.customer,
                    "customer id column: a header name or a 1-based position")
        ->capture_default_str();
    cmd->add_option("--date", in.date, "date column: a header name or a 1-based position")
        ->capture_default_str();
    cmd->add_option("--amount", in.amount,
                    "amount column: a header name or a 1-based position (default: 'amount' if "
                    "present, else amounts are 0)");
    cmd->add_flag("--no-header", in.no_header,
                  "the first line is data, not column names (choose columns by position)");
    cmd->add_option("--delimiter", in.delimiter,
                    "field delimiter: one character, tab or whitespace (default: detected)");
    cmd->add_option("--date-format", in.date_format,
                    "auto (YYYY-MM-DD, YYYYMMDD, ISO date-time), iso, compact, iso_datetime, or a "
                    "pattern like %d/%m/%Y");
    cmd->add_option("--time-zone", in.time_zone,
                    "convert date-times with a UTC offset (Z, +02:00) to this zone before taking "
                    "their date: UTC, +05:30, a POSIX TZ string or an IANA name like "
                    "Europe/Berlin (default: their date as written)");
    cmd->add_flag("--lenient", in.lenient,
                  "skip malformed rows (reported on stderr) instead of stopping at the first");
    cmd->add_option("--max-record-bytes", in.max_record_bytes,
                    "longest record (line) accepted, in bytes; 0 = no limit")
        ->transform(whole_number())
        ->capture_default_str();
}

read_options to_read_options(const transaction_input& in, const std::string& label) {
    read_options o;
    o.delimiter = delimiter_option(in.delimiter);
    o.header = !in.no_header;
    o.customer = column_option("--customer", in.customer, false);
    o.date = column_option("--date", in.date, false);
    o.amount = in.amount.empty() ? column_ref::optional("amount")
                                 : column_option("--amount", in.amount, false);
    o.dates = date_format_option(in.date_format);
    try {
        o.dates.set_time_zone(in.time_zone);
    } catch (const ltv::error& e) {
        throw ltv::error(e.code(), std::string("--time-zone: ") + e.what());
    }
    o.lenient = in.lenient;
    o.max_record_bytes = in.max_record_bytes;
    // With two or more CPUs the log is read and decoded on a second thread while this one
    // summarizes it (same rows and messages; read_options::threads).
    o.threads = 0;
    if (!label.empty() && isatty(STDERR_FILENO)) {
        struct progress_state {
            std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
            bool shown = false;
        };
        auto st = std::make_shared<progress_state>();
        o.progress = [st, label](std::uint64_t done, std::uint64_t total) {
            const auto elapsed = std::chrono::steady_clock::now() - st->start;
            const bool finished = total > 0 && done >= total;
            if (finished) {
                if (st->shown) std::fprintf(stderr, "\r\033[K");
                return;
            }
            if (elapsed < std::chrono::milliseconds(500)) return;
            st->shown = true;
            if (total > 0)
                std::fprintf(stderr, "\rltv: reading %s: %3.0f %% (%.1f of %.1f MB)", label.c_str(),
                             100.0 * static_cast<double>(done) / static_cast<double>(total),
                             static_cast<double>(done) / 1e6, static_cast<double>(total) / 1e6);
            else
                std::fprintf(stderr, "\rltv: reading %s: %.1f MB", label.c_str(),
                             static_cast<double>(done) / 1e6);
            std::fflush(stderr);
        };
    }
    return o;
}

transaction_log load_log(const std::string& path, const transaction_input& in) {
    transaction_log log;
    if (path == "-") {
        const std::string text{std::istreambuf_iterator<char>(std::cin),
                               std::istreambuf_iterator<char>()};
        log = load_transactions_text(text, to_read_options(in), "<stdin>");
    } else {
        log = load_transactions(path, to_read_options(in, path));
    }
    warn_skipped(log.report);
    return log;
}

summary_table summarize_log(const std::string& path, const transaction_input& in,
                            const summary_options& so, std::string* source) {
    read_report rep;
    summary_table t;
    if (path == "-") {
        const std::string text{std::istreambuf_iterator<char>(std::cin),
                               std::istreambuf_iterator<char>()};
        t = summarize_text(text, to_read_options(in), so, &rep, "<stdin>");
    } else {
        t = summarize(path, to_read_options(in, path), so, &rep);
    }
    warn_skipped(rep);
    if (source) *source = rep.source.empty() ? path : rep.source;
    return t;
}

day_number date_option(const std::string& option, const std::string& text) {
    try {
        return parse_date(text);
    } catch (const ltv::error& e) {
        throw ltv::error(e.code(), option + ": " + e.what());
    }
}

report period_retention_report(const period_retention_result& r, day_number start, day_number end,
                               int window_days, const std::string& title) {
    report rep("retention",
               title.empty() ? "Retention rate measured on the transaction log" : title);
    rep.add("retention_rate", "retention rate", r.retention_rate, kind::rate)
        .add("retained_share", "retained share (active at both)", r.retained_share, kind::rate)
        .add("start", "period start", format_date(start))
        .add("end", "period end", format_date(end))
        .add("window_days", "activity window (days)", window_days, kind::count)
        .add("customers_start", "customers at start", static_cast<double>(r.customers_start),
             kind::count)
        .add("customers_end", "customers at end", static_cast<double>(r.customers_end), kind::count)
        .add("new_customers", "new customers", static_cast<double>(r.new_customers), kind::count)
        .add("retained", "retained (active at both)", static_cast<double>(r.retained), kind::count)
        .add("reactivated", "reactivated", static_cast<double>(r.reactivated), kind::count);
    return rep;
}

std::vector<report> transaction_demo_reports(const std::string& cdnow_master_path) {
    // CDNOW_master.txt: whitespace-separated with a header
    // "customer_id date number_of_cds dollar_value"; dates YYYYMMDD.
    read_options ro;
    ro.amount = "dollar_value";
    ro.progress = to_read_options({}, cdnow_master_path).progress;
    const transaction_log log = load_transactions(cdnow_master_path, ro);
    const day_number end = make_day(1998, 6, 30);
    summary_options so;
    so.observation_end = end;
    so.unit = time_unit::week();
    const summary_table s = summarize(log, so);
    double repeaters = 0;
    for (double f : s.frequency) repeaters += f > 0;

    std::vector<report> out;
    report read("transactions", "CDNOW transaction log (examples/data/CDNOW_master.txt)");
    read.add("transactions", "transactions read", static_cast<double>(log.report.rows), kind::count)
        .add("customers", "customers", static_cast<double>(log.customers.size()), kind::count)
        .add("repeat_customers", "customers with a repeat purchase", repeaters, kind::count)
        .add("observation_end", "observed until", format_date(end));
    out.push_back(std::move(read));

    const purchase_history h = build_history(log);
    const journey_result j = journey(h, end);
    report st("status", "Customer journey as of 1998-06-30");
    st.add("cycle_days", "purchase cycle (80th percentile of gaps, days)", j.cycle_days,
           kind::number)
        .add("lost_days", "lost after (days of silence)", j.lost_days, kind::number);
    for (int k = 1; k < journey_status_count; ++k)  // no contacts list: no leads
        st.add(to_string(static_cast<journey_status>(k)), to_string(static_cast<journey_status>(k)),
               static_cast<double>(j.counts[k]), kind::count);
    out.push_back(std::move(st));

    const cohort_table c = cohort_retention(h, end);
    std::vector<std::vector<double>> rows;
    // Months without new customers (CDNOW acquired only in 1997-01..03) are left out.
    for (std::size_t i = 0; i < c.cohort.size() && rows.size() < 6; ++i) {
        if (c.size[i] == 0) continue;
        const civil_date d = to_civil(c.cohort[i]);
        std::vector<double> row{static_cast<double>(d.year * 100 + d.month),
                                static_cast<double>(c.size[i])};
        for (std::size_t k = 0; k < 6; ++k)
            row.push_back(k < c.active[i].size() ? c.active[i][k] : std::nan(""));
        rows.push_back(std::move(row));
    }
    report co("cohorts", "Cohort retention: share of each acquisition month buying in month k");
    co.add_table("cohorts", "first 6 acquisition months with customers × months 0–5",
                 {"cohort", "size", "m0", "m1", "m2", "m3", "m4", "m5"}, std::move(rows),
                 {kind::number, kind::count, kind::rate, kind::rate, kind::rate, kind::rate,
                  kind::rate, kind::rate});
    out.push_back(std::move(co));

    const day_number start = make_day(1998, 1, 1);
    const int window = end - start;  // active = a purchase within the period's length
    out.push_back(period_retention_report(period_retention(h, start, end, window), start, end,
                                          window, "Retention 1998-01-01 … 1998-06-30 from the log")
                      .set_key("log_retention"));
    return out;
}

}  // namespace ltv::cli
