// SPDX-License-Identifier: Apache-2.0
// ltv/transactions.hpp — reading transaction logs (customer, date, amount, quantity) as a stream.
//
// Input
//   Text with one transaction per line: comma-, semicolon-, pipe- or tab-separated (CSV/TSV,
//   RFC 4180 quoting: a field in double quotes may contain delimiters, line breaks and "" for a
//   quote), or whitespace-separated (fields split at runs of blanks, as in CDNOW_master.txt).
//   The delimiter is detected from the first non-blank line unless given: the most frequent of
//   , ; | TAB outside quotes, whitespace mode if none occurs. A UTF-8 byte order mark is
//   skipped once, at the very start of the input; CRLF / LF / CR line ends are all accepted,
//   blank lines are skipped (and counted), blanks around unquoted fields are trimmed.
//   Every record must have as many fields as the header (without a header: as the first
//   record). A record with more or fewer fields is malformed — an unquoted value containing the
//   delimiter, such as the amount 1,5 or 1,234.50 in a comma-separated file, would otherwise
//   silently shift or truncate values — and the message names the counts and the first extra
//   field. Columns that are not used are otherwise not looked at.
//   A record (a line, with the line breaks inside quoted fields) may be at most
//   read_options::max_record_bytes long (1 MiB by default, 0 = no limit): an unterminated quote
//   or a file that is not a text log fails after that much instead of growing the buffer until
//   memory runs out. Values quoted in messages are cut to their first 64 bytes.
//
// Columns
//   Chosen by header name (case-insensitive, surrounding blanks ignored) or by 0-based position.
//   Defaults: customer "customer_id", date "date", amount "amount" if the header has it (the
//   amount is then 0; monetary summaries are 0), quantity none. Without a header, columns must be
//   chosen by position. Messages number columns from 1, like spreadsheets and editors:
//     "<file>:<line>: column <n> ('<name>'): cannot parse '<value>' as a date (expected …)".
//
// Bad input is never dropped silently: by default the first malformed row throws
// ltv::error(parse_error) naming file, line, column and value. With read_options::lenient the
// row is skipped instead and counted in read_report::skipped; the first max_reported_errors
// messages are kept in read_report::errors.
//
// Streaming: the input is read in blocks (1 MiB by default) into one buffer and tokenized in
// place; each row reaches the caller's visitor as string_views into that buffer (valid only
// during the call), so memory does not grow with the number of rows. The rows, reports and
// messages do not depend on the block size. Numbers are parsed with fast_float (exact,
// locale-free), dates by ltv/date.hpp.
//
// customer_ids interns customer ids into dense indices 0, 1, 2, ... in first-seen order so that
// per-customer state can live in a vector.
//
// Where things are (implementation, in ltv::detail unless noted):
//   ltv/detail/transactions/ids.hpp            ltv::customer_ids, the id interning hash table
//   ltv/detail/transactions/chunked_array.hpp  chunked_array, growth without copying
//   ltv/detail/transactions/fields.hpp         parse_number, excerpt, lower_trim
//   ltv/detail/transactions/tokenizer.hpp      tokenizer (records into fields), detect_delimiter
//   ltv/detail/transactions/sources.hpp        file_source, stream_source
//   ltv/detail/transactions/decode.hpp         row_decoder (columns, fields into rows, messages)
//   ltv/detail/transactions/read_loop.hpp      read_loop (blocks, BOM, delimiter, lenient mode)
//   ltv/detail/transactions/background.hpp     read_options::threads: decoding on a second thread
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ltv/array_view.hpp"
#include "ltv/date.hpp"
#include "ltv/detail/transactions/chunked_array.hpp"
#include "ltv/detail/transactions/fields.hpp"
#include "ltv/detail/transactions/ids.hpp"
#include "ltv/detail/transactions/sources.hpp"
#include "ltv/detail/transactions/tokenizer.hpp"
#include "ltv/error.hpp"

namespace ltv {

// ---- options and results ---------------------------------------------------------------------

/// A column chosen by header name or by 0-based position; empty() = not used.
struct column_ref {
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::string name;
    std::size_t index = npos;
    bool required = true;  ///< false: silently unused when the header has no such name

    column_ref() = default;
    column_ref(const char* header_name) : name(header_name) {}       // NOLINT: implicit
    column_ref(std::string header_name) : name(std::move(header_name)) {}  // NOLINT: implicit
    column_ref(std::nullptr_t) = delete;  // not a name
    column_ref(int) = delete;             // a position: use column_ref::at(i)
    static column_ref at(std::size_t zero_based) {
        column_ref c;
        c.index = zero_based;
        return c;
    }
    static column_ref none() { return column_ref(); }
    static column_ref optional(std::string header_name) {
        column_ref c(std::move(header_name));
        c.required = false;
        return c;
    }
    bool empty() const noexcept { return name.empty() && index == npos; }
};

struct read_options {
    /// Field delimiter: 0 = detect; ' ' = whitespace-separated; else ',', ';', '\t', '|', ...
    char delimiter = 0;
    bool header = true;  ///< the first non-blank line names the columns
    char quote = '"';
    column_ref customer = "customer_id";
    column_ref date = "date";
    column_ref amount = column_ref::optional("amount");
    column_ref quantity = column_ref::none();
    date_spec dates;            ///< date format (automatic by default)
    bool lenient = false;       ///< skip malformed rows instead of throwing
    std::size_t max_reported_errors = 20;
    /// Called after every block read and at the end: (bytes read so far, total bytes or 0 if
    /// unknown, e.g. for a pipe).
    std::function<void(std::uint64_t, std::uint64_t)> progress;
    std::size_t block_size = std::size_t(1) << 20;  ///< bytes per read
    /// Longest record accepted, in bytes, line end included (a record is one line, plus the
    /// lines it continues on through quoted line breaks); 0 = no limit. A longer one fails with
    /// parse_error naming its line (also in lenient mode: its end cannot be found without
    /// reading it). 1 MiB is thousands of times a real transaction row (customer, date, amount
    /// and a few more fields are well under 1 KiB), so no genuine log is refused, while an
    /// unterminated quote or a binary file fails after reading about 1 MiB instead of buffering
    /// gigabytes; with the default block size the buffer then never exceeds 2 MiB.
    std::size_t max_record_bytes = std::size_t(1) << 20;
    /// 1: everything on the calling thread. 2 or more: the input is read, split and decoded on a
    /// second thread while the visitor runs on the calling thread (a summary takes about 0.7
    /// times as long; no more threads are used). <= 0: so when the process default of
    /// ltv/threads.hpp is more than 1, for a file or text of at least 4 MiB (or a stream).
    /// Rows, their order, the report and the errors are the same either way; the visitor and
    /// progress are always called on the calling thread.
    int threads = 1;
};

/// One transaction as handed to a visitor; the string_view is valid during the call only.
struct transaction_row {
    std::string_view customer;
    day_number day = 0;
    double amount = 0;    ///< 0 without an amount column; negative = refund or return
    double quantity = 0;  ///< 0 without a quantity column
    std::uint64_t line = 0;  ///< 1-based line where the row starts
};

struct bad_row {
    std::uint64_t line = 0;
    std::string message;  ///< "<source>:<line>: column <n> ('<name>'): …"
};

struct read_report {
    std::string source;               ///< file name or "<stdin>"-like label used in messages
    std::uint64_t rows = 0;           ///< rows delivered to the visitor
    std::uint64_t skipped = 0;        ///< malformed rows skipped (lenient mode only)
    std::vector<bad_row> errors;      ///< the first max_reported_errors skipped rows
    std::uint64_t blank_lines = 0;
    std::uint64_t lines = 0;          ///< physical lines read
    std::uint64_t bytes = 0;
    char delimiter = 0;               ///< the delimiter used, ' ' for whitespace-separated
    std::vector<std::string> header;  ///< column names (empty without a header)
    std::size_t customer_column = column_ref::npos;  ///< resolved 0-based positions
    std::size_t date_column = column_ref::npos;
    std::size_t amount_column = column_ref::npos;    ///< npos: no amounts
    std::size_t quantity_column = column_ref::npos;
};

/// A transaction with an interned customer (see load_transactions).
struct transaction {
    std::uint32_t customer = 0;
    day_number day = 0;
    double amount = 0;
    double quantity = 0;
};

}  // namespace ltv

// The reading machinery needs the types above.
#define LTV_TRANSACTIONS_TYPES_DEFINED 1
#include "ltv/detail/transactions/decode.hpp"
#include "ltv/detail/transactions/read_loop.hpp"
#include "ltv/detail/transactions/background.hpp"

namespace ltv {

/// Reads the transaction log at path, calling visit(const transaction_row&) for each row.
template <class Visitor>
read_report read_transactions(const std::string& path, const read_options& options, Visitor&& visit) {
    auto read = [&path](const read_options& o, auto& v) {
        detail::file_source src(path);
        return detail::read_loop(&src, {}, src.total, path, o, v);
    };
    if (options.threads != 1 && detail::read_in_background(options, detail::file_size_or_zero(path)))
        return detail::read_with_background_thread(read, options, visit);
    return read(options, visit);
}

/// Reads a transaction log from a stream (e.g. std::cin); `name` labels messages.
template <class Visitor>
read_report read_transactions(std::istream& in, const read_options& options, Visitor&& visit,
                              const std::string& name = "<stream>") {
    auto read = [&in, &name](const read_options& o, auto& v) {
        detail::stream_source src{in, 0};
        return detail::read_loop(&src, {}, 0, name, o, v);
    };
    if (detail::read_in_background(options, 0))
        return detail::read_with_background_thread(read, options, visit);
    return read(options, visit);
}

/// Reads a transaction log held in memory.
template <class Visitor>
read_report read_transactions_text(std::string_view text, const read_options& options,
                                   Visitor&& visit, const std::string& name = "<text>") {
    auto read = [text, &name](const read_options& o, auto& v) {
        return detail::read_loop<detail::stream_source>(nullptr, text, text.size(), name, o, v);
    };
    if (detail::read_in_background(options, text.empty() ? 1 : text.size()))
        return detail::read_with_background_thread(read, options, visit);
    return read(options, visit);
}

/// A whole log in memory: interned customers and the rows in file order (memory grows with the
/// rows; for large logs prefer read_transactions with a visitor or ltv::summary_state).
struct transaction_log {
    customer_ids customers;
    std::vector<transaction> rows;
    read_report report;
};

inline transaction_log load_transactions(const std::string& path, const read_options& options = {}) {
    transaction_log log;
    log.report = read_transactions(path, options, [&](const transaction_row& r) {
        log.rows.push_back({log.customers.intern(r.customer), r.day, r.amount, r.quantity});
    });
    return log;
}

inline transaction_log load_transactions_text(std::string_view text, const read_options& options = {},
                                              const std::string& name = "<text>") {
    transaction_log log;
    log.report = read_transactions_text(
        text, options,
        [&](const transaction_row& r) {
            log.rows.push_back({log.customers.intern(r.customer), r.day, r.amount, r.quantity});
        },
        name);
    return log;
}

}  // namespace ltv
