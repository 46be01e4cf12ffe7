// SPDX-License-Identifier: Apache-2.0
// ltv/summary_csv.hpp — reading per-customer summary tables (CSV/TSV/whitespace, with a header)
// such as lifetimes' `frequency, recency, T, monetary_value` or Hardie's `x, t_x, T, zbar`.
//
// Columns are requested by a list of accepted names (case-insensitive, first match wins), so the
// same call reads both conventions. Every requested value must be a finite number and every row
// must have as many fields as the header (an unquoted 1,234.50 would otherwise shift the
// columns): a malformed row stops the read with an error naming the file, line, column and
// value (cut to 64 bytes) — nothing is silently dropped. The CSV tokenizer is the one of the
// transaction reader (ltv/transactions.hpp).
#pragma once

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/transactions.hpp"

namespace ltv {

/// One requested column: the names it may have in the header; optional columns may be absent.
struct csv_column {
    std::vector<std::string> names;
    bool required = true;
};

/// The requested columns of a table, column-major; a missing optional column is empty.
struct summary_csv {
    std::string source;
    std::vector<std::string> header;
    std::vector<std::vector<double>> columns;  ///< in the order requested
    std::vector<std::string> ids;              ///< the id column's text, if requested and present
    std::size_t rows = 0;
    std::vector<std::uint64_t> lines;          ///< 1-based line of each row, for messages

    bool has(std::size_t column) const { return !columns[column].empty() || rows == 0; }
};

namespace detail {

inline std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "'" : " or '") + n + "'";
    return out;
}

}  // namespace detail

/// Reads `text` (named `source` in messages). id_names: accepted names of an id column kept as
/// text (empty: none).
inline summary_csv read_summary_csv_text(std::string_view text, const std::string& source,
                                             const std::vector<csv_column>& wanted,
                                             const std::vector<std::string>& id_names = {}) {
    constexpr const char* fn = "read_summary_csv";
    // A UTF-8 byte-order mark is not part of the first column's name.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    summary_csv t;
    t.source = source;
    const std::size_t first_nl = text.find('\n');
    const char delimiter = detail::detect_delimiter(text.substr(0, first_nl), '"');
    detail::tokenizer tok(delimiter, '"');
    const char* p = text.data();
    const char* end = p + text.size();
    std::uint64_t line = 1;
    std::vector<std::size_t> position(wanted.size(), column_ref::npos);
    std::size_t id_position = column_ref::npos;
    bool have_header = false;
    t.columns.assign(wanted.size(), {});
    while (p < end) {
        const std::uint64_t row_line = line;
        const auto r = tok.next(p, end, true);
        line += tok.newlines;
        if (r == detail::tokenizer::result::blank) continue;
        if (r != detail::tokenizer::result::record)
            detail::fail(status::parse_error, fn,
                         source + ":" + std::to_string(row_line) + ": " + tok.error);
        const auto fields = tok.fields();
        if (!have_header) {
            have_header = true;
            for (const auto& f : fields) t.header.push_back(detail::lower_trim(f));
            auto find = [&](const std::vector<std::string>& names) {
                for (const auto& name : names)
                    for (std::size_t c = 0; c < t.header.size(); ++c)
                        if (t.header[c] == detail::lower_trim(name)) return c;
                return column_ref::npos;
            };
            for (std::size_t k = 0; k < wanted.size(); ++k) {
                position[k] = find(wanted[k].names);
                if (position[k] == column_ref::npos && wanted[k].required) {
                    constexpr std::size_t listed = 20;  // a runaway header stays a short message
                    std::string available;
                    for (std::size_t c = 0; c < t.header.size() && c < listed; ++c)
                        available += (c ? ", " : "") + detail::excerpt(t.header[c]);
                    if (t.header.size() > listed)
                        available += " and " + std::to_string(t.header.size() - listed) + " more";
                    detail::fail(status::parse_error, fn,
                                 source + ":" + std::to_string(row_line) + ": no column named " +
                                     detail::join_names(wanted[k].names) +
                                     " (the header has: " + available + ")");
                }
            }
            if (!id_names.empty()) id_position = find(id_names);
            continue;
        }
        if (fields.size() != t.header.size()) {
            const std::size_t w = t.header.size();
            std::string m = source + ":" + std::to_string(row_line) + ": the row has " +
                            std::to_string(fields.size()) + " fields but the header has " +
                            std::to_string(w) + "; ";
            if (fields.size() > w)
                m += "the first extra field (column " + std::to_string(w + 1) + ") is '" +
                     detail::excerpt(fields[w]) +
                     "' (a value that contains the delimiter, such as 1,234.50, must be quoted)";
            else
                m += "column " + std::to_string(fields.size() + 1) + " ('" +
                     detail::excerpt(t.header[fields.size()]) + "') is missing";
            detail::fail(status::parse_error, fn, m);
        }
        for (std::size_t k = 0; k < wanted.size(); ++k) {
            if (position[k] == column_ref::npos) continue;
            const std::size_t c = position[k];
            const auto v = detail::parse_number(fields[c]);
            if (!v)
                detail::fail(status::parse_error, fn,
                             source + ":" + std::to_string(row_line) + ": column " +
                                 std::to_string(c + 1) + " ('" + detail::excerpt(t.header[c]) +
                                 "'): cannot parse '" + detail::excerpt(fields[c]) +
                                 "' as a finite number");
            t.columns[k].push_back(*v);
        }
        if (id_position != column_ref::npos) t.ids.emplace_back(fields[id_position]);
        t.lines.push_back(row_line);
        ++t.rows;
    }
    if (!have_header)
        detail::fail(status::parse_error, fn, source + ": the file is empty (no header line)");
    return t;
}

/// Reads the table at `path` ("-" is not special here; the CLI handles stdin).
inline summary_csv read_summary_csv(const std::string& path,
                                        const std::vector<csv_column>& wanted,
                                        const std::vector<std::string>& id_names = {}) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        detail::fail(status::io_error, "read_summary_csv", "cannot open '" + path + "' for reading");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return read_summary_csv_text(buffer.str(), path, wanted, id_names);
}

}  // namespace ltv
