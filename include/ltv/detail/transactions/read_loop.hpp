// SPDX-License-Identifier: Apache-2.0
// ltv/detail/transactions/read_loop.hpp — the reading loop: blocks from a byte source (or a
// text in memory) into one buffer, the BOM and the delimiter of the first line, records through
// the tokenizer and row_decoder to the caller's visitor, the record length limit, lenient
// skipping and the report. Internal part of ltv/transactions.hpp, included after its option and
// report types.
#pragma once

#ifndef LTV_TRANSACTIONS_TYPES_DEFINED
#error "internal part of ltv/transactions.hpp: include that header instead"
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/detail/transactions/decode.hpp"
#include "ltv/detail/transactions/sources.hpp"
#include "ltv/detail/transactions/tokenizer.hpp"
#include "ltv/error.hpp"

namespace ltv {
namespace detail {

/// The reading loop over a byte source (or, with source == nullptr, over `text` alone).
template <class Source, class Visitor>
read_report read_loop(Source* source, std::string_view text, std::uint64_t total,
                      const std::string& name, const read_options& opt, Visitor& visit) {
    if (opt.block_size == 0)
        throw error(status::invalid_argument, "read_transactions: argument 'block_size' = 0 must be positive");
    read_report rep;
    rep.source = name;
    row_decoder decoder(opt, rep);
    std::vector<char> buf;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    bool eof = source == nullptr;
    std::uint64_t bytes_read = source == nullptr ? text.size() : 0;
    bool first_block = true;
    bool bom_checked = false;
    std::optional<tokenizer> tok;
    std::uint64_t line = 1;
    transaction_row row;
    std::string message;

    // A record longer than the limit fails wherever the buffer boundaries fall: checked on every
    // record read (below) and, for a record still incomplete, before the buffer grows for it.
    const std::size_t limit = opt.max_record_bytes;
    const std::size_t max_len = limit == 0 ? std::numeric_limits<std::size_t>::max() : limit;
    auto too_long = [&](std::uint64_t record_line) {
        return error(status::parse_error,
                     rep.source + ":" + std::to_string(record_line) +
                         ": the record starting here is longer than " + std::to_string(limit) +
                         " bytes (read_options max_record_bytes; 0 = no limit): an unterminated "
                         "quote, or not a line-oriented text file?");
    };

    char last_byte = text.empty() ? '\n' : text.back();
    // record_start/record_line: where the unfinished record at the end of the buffer begins.
    auto refill = [&](const char* record_start, std::uint64_t record_line) {
        if (static_cast<std::size_t>(end - record_start) > max_len) throw too_long(record_line);
        // Keep the unparsed tail (an unfinished record) and read one more block behind it; grow
        // the buffer when a single record fills half of it.
        const auto keep = static_cast<std::size_t>(end - p);
        if (buf.empty()) buf.resize(opt.block_size);
        if (keep > buf.size() / 2) {
            std::vector<char> bigger(std::max(buf.size() * 2, keep + opt.block_size));
            std::memcpy(bigger.data(), p, keep);
            buf.swap(bigger);
        } else if (keep != 0) {
            std::memmove(buf.data(), p, keep);
        }
        const std::size_t got = source->read(buf.data() + keep, buf.size() - keep, name);
        if (got == 0)
            eof = true;
        else
            last_byte = buf[keep + got - 1];
        bytes_read += got;
        p = buf.data();
        end = buf.data() + keep + got;
        if (opt.progress) opt.progress(bytes_read, total);
    };

    if (source != nullptr) refill(p, line);
    for (;;) {
        if (first_block) {
            // A UTF-8 BOM is skipped once, at the very start of the input; a block boundary may
            // split it, so wait for 3 bytes (or the end) when the input begins like one.
            if (!bom_checked) {
                static constexpr unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
                const auto avail = static_cast<std::size_t>(end - p);
                const std::size_t k = std::min<std::size_t>(avail, 3);
                const bool prefix = k == 0 || std::memcmp(p, bom, k) == 0;
                if (prefix && avail < 3 && !eof) {
                    refill(p, line);
                    continue;
                }
                if (prefix && avail >= 3) p += 3;
                bom_checked = true;
            }
            // Then the delimiter from the first non-blank line (ended by LF, CRLF or a lone CR).
            const char* s = p;
            while (s < end && (*s == '\n' || *s == '\r' || is_blank(*s))) ++s;
            const char* nl = std::find_if(s, end, [](char c) { return c == '\n' || c == '\r'; });
            if (nl == end) nl = nullptr;
            if (nl == nullptr && !eof) {
                std::uint64_t s_line = line;  // the line of s, for the too-long message
                for (const char* c = p; c < s; ++c)
                    s_line += *c == '\n' || (*c == '\r' && (c + 1 == s || c[1] != '\n'));
                refill(s, s_line);
                continue;
            }
            const char* le = nl ? nl : end;
            const char d = opt.delimiter ? opt.delimiter : detect_delimiter(std::string_view(s, static_cast<std::size_t>(le - s)), opt.quote);
            rep.delimiter = d;
            tok.emplace(d, opt.quote);
            first_block = false;
            if (!opt.header) decoder.resolve(nullptr, 0);
        }
        while (p < end) {
            const char* before = p;
            const auto r = tok->next(p, end, eof);
            if (r == tokenizer::result::incomplete) {
                p = before;
                break;
            }
            const std::uint64_t record_line = line;
            if (static_cast<std::size_t>(p - before) > max_len) throw too_long(record_line);
            line += tok->newlines;
            if (r == tokenizer::result::blank) {
                ++rep.blank_lines;
                continue;
            }
            if (r == tokenizer::result::error) {
                message = rep.source + ":" + std::to_string(record_line) + ": column " +
                          std::to_string(tok->error_field + 1) + ": " + tok->error;
                if (!decoder.resolved() || !opt.lenient) throw error(status::parse_error, message);
                ++rep.skipped;
                if (rep.errors.size() < opt.max_reported_errors)
                    rep.errors.push_back({record_line, message});
                continue;
            }
            if (!decoder.resolved()) {
                const auto header = tok->fields();
                decoder.resolve(&header, record_line);
                continue;
            }
            if (decoder.decode(tok->fields(), record_line, row, message)) {
                ++rep.rows;
                visit(static_cast<const transaction_row&>(row));
            } else {
                if (!opt.lenient) throw error(status::parse_error, message);
                ++rep.skipped;
                if (rep.errors.size() < opt.max_reported_errors)
                    rep.errors.push_back({record_line, message});
            }
        }
        if (eof && p >= end) break;
        if (source == nullptr) break;  // text fully parsed (eof is true)
        refill(p, line);
    }
    // Empty input or only a header line: no rows (the columns of a header were checked).
    rep.bytes = bytes_read;
    rep.lines = line - 1 + (bytes_read > 0 && last_byte != '\n' && last_byte != '\r' ? 1 : 0);
    if (opt.progress && source == nullptr) opt.progress(bytes_read, total);
    return rep;
}

}  // namespace detail
}  // namespace ltv
