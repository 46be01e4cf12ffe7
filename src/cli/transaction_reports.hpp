// SPDX-License-Identifier: Apache-2.0
// src/cli/transaction_reports.hpp — reading transaction logs for the CLI (shared options of
// `ltv summarize|status|rfm|cohorts` and `ltv retention --transactions`), their reports, and the
// transaction part of `ltv demo`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "ltv/cohorts.hpp"
#include "ltv/date.hpp"
#include "ltv/summary.hpp"
#include "ltv/transactions.hpp"
#include "report.hpp"

namespace ltv::cli {

/// How a command reads its transaction log (see add_transaction_input_options).
struct transaction_input {
    std::string customer = "customer_id";  ///< header name, or a 1-based position ("2")
    std::string date = "date";
    std::string amount;       ///< "" = "amount" if the header has it, else none
    std::string delimiter;    ///< "" = detect
    std::string date_format;  ///< "" = auto
    std::string time_zone;    ///< "" = date-times with an offset keep their written date
    bool no_header = false;
    bool lenient = false;
    std::size_t max_record_bytes = read_options{}.max_record_bytes;  ///< 0 = no limit
};

/// A CLI11 transform (->transform, which may rewrite the text) for an unsigned integer option: a plain decimal number that fits in size_t.
/// CLI11 2.1.2 converts unsigned options with strtoull(…, 0) and checks nothing: "-1" wraps to
/// 2^64 − 1, a number too large saturates, "010" is octal. With this check such a value is a
/// usage error (exit 2) naming the option.
CLI::Validator whole_number();

/// --customer, --date, --amount, --no-header, --delimiter, --date-format, --time-zone,
/// --lenient, --max-record-bytes.
void add_transaction_input_options(CLI::App* cmd, transaction_input& in);

/// The reader options of the input; with progress on stderr when it is a terminal and the read
/// takes more than half a second (label: the file name).
read_options to_read_options(const transaction_input& in, const std::string& label = "");

/// Loads a whole log from a path or "-" (stdin); warns on stderr about skipped rows.
transaction_log load_log(const std::string& path, const transaction_input& in);

/// The per-customer summary of a log at a path or "-" (stdin), read in one pass; warns on
/// stderr about skipped rows, as load_log. `source` (optional) receives the input's name.
summary_table summarize_log(const std::string& path, const transaction_input& in,
                            const summary_options& so, std::string* source = nullptr);

/// A date given on the command line; the error names the option.
day_number date_option(const std::string& option, const std::string& text);

/// Retention of (start, end] measured on a log (ltv::period_retention).
report period_retention_report(const period_retention_result& r, day_number start, day_number end,
                               int window_days, const std::string& title = "");

/// The transaction-log part of `ltv demo` on examples/data/CDNOW_master.txt: customers and
/// transactions read, journey status counts at 1998-06-30, the first 6 cohorts × 6 months, and
/// the retention of 1998-01-01..1998-06-30 measured on the log (summary in weeks).
std::vector<report> transaction_demo_reports(const std::string& cdnow_master_path);

}  // namespace ltv::cli
