// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/reference_csv.hpp — an independent record splitter for the CSV harnesses.
//
// The reader's documented grammar (top of ltv/transactions.hpp) implemented a second time, in a
// different way: a byte-by-byte state machine over the whole text that builds std::strings,
// where ltv's tokenizer jumps with memchr through a buffer and hands out string_views. The
// harnesses compare the fields ltv delivers with the fields found here.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ltv_fuzz {

struct ref_record {
    std::vector<std::string> fields;
    std::uint64_t line = 0;  // 1-based line where the record starts
};

struct ref_split {
    bool well_formed = true;  // false: some record is malformed (then no comparison is made)
    std::vector<ref_record> records;  // non-blank records
    std::uint64_t blank = 0;
};

/// Splits `text` by the reader's documented rules: a UTF-8 BOM at the start is dropped; line
/// ends are LF, CRLF or a lone CR; blank lines are skipped; with a delimiter d, fields are
/// separated by d and blanks (space, and TAB unless d is TAB) around unquoted fields are
/// trimmed; with d == ' ', fields are separated by runs of spaces and TABs; a field opening
/// with the quote character runs to the matching quote, "" standing for one quote, and may
/// hold delimiters and line breaks; after it only blanks and then a delimiter or a line end may
/// follow (in whitespace mode: at least one blank, or a line end).
inline ref_split split_reference(std::string_view text, char d, char quote) {
    ref_split out;
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    const bool ws = d == ' ';
    auto is_blank = [&](char c) { return c == ' ' || (c == '\t' && d != '\t'); };
    auto is_eol = [](char c) { return c == '\n' || c == '\r'; };
    std::size_t i = 0;
    const std::size_t n = text.size();
    std::uint64_t line = 1;
    auto take_eol = [&] {  // at a line end: consume LF, CRLF or CR
        if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
        ++i;
        ++line;
    };
    while (i < n) {
        ref_record rec;
        rec.line = line;
        bool any_delim = false, any_quoted = false;
        for (;;) {
            while (i < n && is_blank(text[i])) ++i;
            if (ws && (i == n || is_eol(text[i]))) {
                if (i < n) take_eol();
                break;
            }
            std::string field;
            bool blank_after_quote = false;
            if (i < n && text[i] == quote) {
                any_quoted = true;
                ++i;
                for (;;) {
                    if (i == n) {
                        out.well_formed = false;  // unterminated
                        return out;
                    }
                    const char c = text[i++];
                    if (c == quote) {
                        if (i < n && text[i] == quote) {
                            field.push_back(quote);
                            ++i;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') ++line;
                    field.push_back(c);
                }
                const std::size_t after = i;
                while (i < n && is_blank(text[i])) ++i;
                blank_after_quote = i > after;
                if (!(i == n || is_eol(text[i]) || (ws ? blank_after_quote : text[i] == d))) {
                    out.well_formed = false;  // junk after a closing quote
                    return out;
                }
            } else {
                while (i < n && !is_eol(text[i]) && (ws ? !is_blank(text[i]) : text[i] != d))
                    field.push_back(text[i++]);
                while (!field.empty() && is_blank(field.back())) field.pop_back();
            }
            rec.fields.push_back(std::move(field));
            if (i == n) break;
            if (is_eol(text[i])) {
                take_eol();
                break;
            }
            if (!ws && text[i] == d) {  // (after a final delimiter, an empty last field)
                any_delim = true;
                ++i;
            }
        }
        const bool blank =
            ws ? rec.fields.empty()
               : (!any_delim && !any_quoted && rec.fields.size() == 1 && rec.fields[0].empty());
        if (blank)
            ++out.blank;
        else
            out.records.push_back(std::move(rec));
    }
    return out;
}

/// The whole of s as a number by the C library (strtod, "C" locale), nullopt otherwise.
inline std::optional<double> strtod_whole(const std::string& s) {
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
    return v;
}

}  // namespace ltv_fuzz
