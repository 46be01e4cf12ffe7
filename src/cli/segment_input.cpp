// SPDX-License-Identifier: Apache-2.0
// src/cli/segment_input.cpp — see segment_input.hpp.
#include "segment_input.hpp"

#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <unordered_map>
#include <utility>

#include "ltv/error.hpp"
#include "ltv/summary_csv.hpp"

namespace ltv::cli {

const std::string& input_text(const std::string& path) {
    static std::string stdin_text;
    static bool stdin_read = false;
    if (path == "-") {
        if (!stdin_read) {
            stdin_text.assign(std::istreambuf_iterator<char>(std::cin),
                              std::istreambuf_iterator<char>());
            stdin_read = true;
        }
        return stdin_text;
    }
    static std::string file_text;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ltv::error(status::io_error, "cannot open '" + path + "' for reading");
    file_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return file_text;
}

namespace {

/// Column `column` of the table text, with the 1-based line of each row.
summary_csv text_column(const std::string& text, const std::string& source,
                        const std::string& column) {
    summary_csv t = read_summary_csv_text(text, source, {}, {column});
    if (t.ids.size() != t.rows) {
        std::string header;
        for (std::size_t c = 0; c < t.header.size() && c < 20; ++c)
            header += (c ? ", " : "") + t.header[c];
        throw ltv::error(status::parse_error, "--segment-column: " + source +
                                                  " has no column named '" + column +
                                                  "' (the header has: " + header + ")");
    }
    return t;
}

}  // namespace

std::vector<std::string> summary_segment_column(const std::string& path,
                                                const std::string& column) {
    const std::string source = path == "-" ? "<stdin>" : path;
    return text_column(input_text(path), source, column).ids;
}

std::vector<std::string> log_segment_column(const std::string& path, const transaction_input& in,
                                            const std::string& column,
                                            const std::vector<std::string>& customers) {
    if (path == "-")
        throw ltv::error(status::invalid_argument,
                         "--segment-column reads the transaction log a second time, so it needs "
                         "a file, not '-' (stdin)");
    if (in.no_header)
        throw ltv::error(status::invalid_argument,
                         "--segment-column names a column of the header; the log has none "
                         "(--no-header)");
    const std::string& text = input_text(path);  // held once (input_text keeps it)
    // The customer column: by name, or its 1-based position in the header.
    std::string customer = in.customer;
    if (!customer.empty() && customer.find_first_not_of("0123456789") == std::string::npos) {
        const summary_csv h = read_summary_csv_text(text, path, {}, {});
        const std::size_t pos = std::stoul(customer);
        if (pos < 1 || pos > h.header.size())
            throw ltv::error(status::invalid_argument,
                             "--customer " + customer + " is not a column of " + path);
        customer = h.header[pos - 1];
    }
    const summary_csv ids = text_column(text, path, customer);
    const summary_csv labels = text_column(text, path, column);
    struct seen {
        std::string label;
        std::uint64_t line;
    };
    std::unordered_map<std::string, seen> of;
    of.reserve(customers.size());
    for (std::size_t i = 0; i < ids.rows; ++i) {
        const auto [it, added] = of.try_emplace(ids.ids[i], seen{labels.ids[i], labels.lines[i]});
        if (!added && it->second.label != labels.ids[i])
            throw ltv::error(status::invalid_argument,
                             "--segment-column " + column + ": customer '" + ids.ids[i] +
                                 "' has segment '" + it->second.label + "' on line " +
                                 std::to_string(it->second.line) + " of " + path + " but '" +
                                 labels.ids[i] + "' on line " + std::to_string(labels.lines[i]) +
                                 " (a customer's segment must be the same on all its rows)");
    }
    std::vector<std::string> out;
    out.reserve(customers.size());
    for (const auto& c : customers) {
        const auto it = of.find(c);
        if (it == of.end())
            throw ltv::error(status::invalid_argument,
                             "--segment-column " + column + ": customer '" + c +
                                 "' of the summary has no row in " + path);
        out.push_back(it->second.label);
    }
    return out;
}

}  // namespace ltv::cli
