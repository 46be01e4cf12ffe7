// SPDX-License-Identifier: Apache-2.0
// ltv/detail/transactions/decode.hpp — row_decoder: resolves the customer, date, amount and
// quantity columns from the header (or positions) and turns a record's fields into a
// transaction_row, with the messages for malformed rows (file:line: column n ('name'): ...).
// Internal part of ltv/transactions.hpp, included after its option and report types.
#pragma once

#ifndef LTV_TRANSACTIONS_TYPES_DEFINED
#error "internal part of ltv/transactions.hpp: include that header instead"
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/array_view.hpp"
#include "ltv/date.hpp"
#include "ltv/detail/transactions/fields.hpp"
#include "ltv/error.hpp"

namespace ltv {
namespace detail {

/// Resolves the columns and checks each row; calls the visitor with parsed rows.
class row_decoder {
public:
    row_decoder(const read_options& o, read_report& r) : opt_(o), rep_(r) {}

    /// Resolves columns from the header fields (or without a header).
    void resolve(const array_view<std::string_view>* header, std::uint64_t header_line) {
        if (header != nullptr)
            for (auto h : *header) rep_.header.push_back(std::string(h));
        std::vector<std::string> lowered;
        for (const auto& h : rep_.header) lowered.push_back(lower_trim(h));
        auto resolve_one = [&](const column_ref& c, const char* role) -> std::size_t {
            if (c.empty()) return column_ref::npos;
            if (c.index != column_ref::npos) {
                if (header != nullptr && c.index >= header->size())
                    throw error(status::invalid_argument,
                                rep_.source + ":" + std::to_string(header_line) + ": " + role +
                                    " column " + std::to_string(c.index + 1) +
                                    " requested but the header has only " +
                                    std::to_string(header->size()) + " columns");
                return c.index;
            }
            if (header == nullptr) {
                if (!c.required) return column_ref::npos;
                throw error(status::invalid_argument,
                            rep_.source + ": the " + std::string(role) + " column is chosen by name ('" +
                                c.name + "') but the input has no header; choose it by position");
            }
            const std::string want = lower_trim(c.name);
            for (std::size_t i = 0; i < lowered.size(); ++i)
                if (lowered[i] == want) return i;
            if (!c.required) return column_ref::npos;
            // The names, each cut to 64 bytes and at most 20 of them: a runaway header (a
            // binary file, a wrong delimiter) must not make a megabyte message.
            constexpr std::size_t listed = 20;
            std::string avail;
            for (std::size_t i = 0; i < rep_.header.size() && i < listed; ++i)
                avail += (i ? ", '" : "'") + excerpt(rep_.header[i]) + "'";
            if (rep_.header.size() > listed)
                avail += " and " + std::to_string(rep_.header.size() - listed) + " more";
            throw error(status::parse_error, rep_.source + ":" + std::to_string(header_line) +
                                                 ": no " + role + " column named '" +
                                                 excerpt(c.name) +
                                                 "' (available columns: " + avail + ")");
        };
        rep_.customer_column = resolve_one(opt_.customer, "customer");
        rep_.date_column = resolve_one(opt_.date, "date");
        rep_.amount_column = resolve_one(opt_.amount, "amount");
        rep_.quantity_column = resolve_one(opt_.quantity, "quantity");
        if (rep_.customer_column == column_ref::npos || rep_.date_column == column_ref::npos)
            throw error(status::invalid_argument,
                        rep_.source + ": the customer and date columns must be chosen");
        cols_[0] = rep_.customer_column;
        cols_[1] = rep_.date_column;
        cols_[2] = rep_.amount_column;
        cols_[3] = rep_.quantity_column;
        needed_ = 0;
        for (std::size_t c : cols_)
            if (c != column_ref::npos) needed_ = std::max(needed_, c + 1);
        // Every record has the header's width; without a header, the first record's (below).
        width_ = header != nullptr ? header->size() : 0;
        width_line_ = header_line;
        fast_width_ = width_ != 0 && width_ >= needed_ ? width_ : column_ref::npos;
        resolved_ = true;
    }

    bool resolved() const noexcept { return resolved_; }

    /// Decodes fields into row; on failure fills message and returns false.
    bool decode(array_view<std::string_view> f, std::uint64_t line, transaction_row& row,
                std::string& message) {
        row.line = line;
        // One comparison on the common path: a row of the known width that has every column.
        if (f.size() != fast_width_ && !check_width(f, line, message)) return false;
        row.customer = f[cols_[0]];
        if (row.customer.empty()) {
            message = where(line, cols_[0]) + "empty customer id";
            return false;
        }
        const std::string_view d = f[cols_[1]];
        day_number day = 0;
        if (!parse_date_cached(d, day)) {
            message = where(line, cols_[1]) + "cannot parse '" + excerpt(d) +
                      "' as a date (expected " + opt_.dates.expected() + ")";
            return false;
        }
        row.day = day;
        row.amount = 0;
        row.quantity = 0;
        for (int k = 2; k < 4; ++k) {
            if (cols_[k] == column_ref::npos) continue;
            const std::string_view s = f[cols_[k]];
            const auto v = parse_number(s);
            if (!v) {
                message = where(line, cols_[k]) + "cannot parse '" + excerpt(s) + "' as a number";
                return false;
            }
            (k == 2 ? row.amount : row.quantity) = *v;
        }
        return true;
    }

    std::string where(std::uint64_t line, std::size_t column) const {
        std::string name;
        if (column < rep_.header.size()) {
            name = rep_.header[column];
        } else {
            static const char* roles[4] = {"customer", "date", "amount", "quantity"};
            for (int k = 0; k < 4; ++k)
                if (cols_[k] == column) name = roles[k];
        }
        return rep_.source + ":" + std::to_string(line) + ": column " + std::to_string(column + 1) +
               " ('" + excerpt(name) + "'): ";
    }

private:
    /// The field count of a row that is not simply of the known width (decode's fast path).
    bool check_width(array_view<std::string_view> f, std::uint64_t line, std::string& message) {
        if (width_ == 0) {  // no header: the first record sets the width
            width_ = f.size();
            width_line_ = line;
            fast_width_ = width_ >= needed_ ? width_ : column_ref::npos;
        }
        if (f.size() != width_) {
            message = width_message(f, line);
            return false;
        }
        if (f.size() < needed_) {  // without a header: a column beyond the first record's
            std::size_t missing = needed_ - 1;
            for (std::size_t c : cols_)
                if (c != column_ref::npos && c >= f.size()) missing = std::min(missing, c);
            message = where(line, missing) + "missing (the row has only " +
                      std::to_string(f.size()) + (f.size() == 1 ? " field)" : " fields)");
            return false;
        }
        return true;
    }

    /// "t.csv:2: the row has 4 fields but the header has 3; the first extra field (column 4)
    /// is '5' …" (more fields) or "… column 3 ('amount') is missing" (fewer).
    std::string width_message(array_view<std::string_view> f, std::uint64_t line) const {
        auto count = [](std::size_t n) {
            return std::to_string(n) + (n == 1 ? " field" : " fields");
        };
        std::string m =
            rep_.source + ":" + std::to_string(line) + ": the row has " + count(f.size()) +
            " but " +
            (rep_.header.empty() ? "the first row (line " + std::to_string(width_line_) + ") has "
                                 : std::string("the header has ")) +
            std::to_string(width_) + "; ";
        if (f.size() > width_)
            return m + "the first extra field (column " + std::to_string(width_ + 1) + ") is '" +
                   excerpt(f[width_]) +
                   "' (a value that contains the delimiter, such as 1,5 or 1,234.50, must be "
                   "quoted)";
        std::string name;
        if (f.size() < rep_.header.size()) name = " ('" + excerpt(rep_.header[f.size()]) + "')";
        return m + "column " + std::to_string(f.size() + 1) + name + " is missing";
    }

    /// try_parse_date memoized in a small cache keyed by the field's bytes (a log has few
    /// distinct dates): the same result, without re-parsing a date seen before. Two-way set
    /// associative (the newer entry first): a direct-mapped table of the same size re-parsed
    /// 12 % of the dates of the benchmark log (546 distinct dates) through collisions.
    bool parse_date_cached(std::string_view d, day_number& out) const {
        const std::size_t n = d.size();
        if (n < 8 || n > 16) {
            const auto day = try_parse_date(d, opt_.dates);
            if (day) out = *day;
            return day.has_value();
        }
        // Two overlapping 8-byte loads and the length identify the field exactly.
        std::uint64_t a = 0, b = 0;
        std::memcpy(&a, d.data(), 8);
        std::memcpy(&b, d.data() + n - 8, 8);
        if (date_cache_.empty()) date_cache_.resize(std::size_t(2) << date_cache_bits);
        const std::uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ n) * 0xC2B2AE3D27D4EB4Full;
        date_entry* set = &date_cache_[static_cast<std::size_t>(h >> (64 - date_cache_bits)) * 2];
        for (int w = 0; w < 2; ++w)
            if (set[w].a == a && set[w].b == b && set[w].len == n) {
                out = set[w].day;
                return true;
            }
        const auto day = try_parse_date(d, opt_.dates);
        if (!day) return false;
        set[1] = set[0];
        set[0].a = a;
        set[0].b = b;
        set[0].len = static_cast<std::uint32_t>(n);
        set[0].day = *day;
        out = *day;
        return true;
    }
    struct date_entry {
        std::uint64_t a = 0, b = 0;
        std::uint32_t len = 0;  // 0: empty
        day_number day = 0;
    };
    static constexpr unsigned date_cache_bits = 10;  // sets of two entries: 48 KiB
    mutable std::vector<date_entry> date_cache_;

    const read_options& opt_;
    read_report& rep_;
    std::size_t cols_[4] = {column_ref::npos, column_ref::npos, column_ref::npos, column_ref::npos};
    std::size_t needed_ = 0;
    std::size_t width_ = 0;  // fields per record; 0 = not known yet (no header, no record)
    std::size_t fast_width_ = column_ref::npos;  // width_ once it has every column, else npos
    std::uint64_t width_line_ = 0;
    bool resolved_ = false;
};

}  // namespace detail
}  // namespace ltv
