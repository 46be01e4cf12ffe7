// SPDX-License-Identifier: Apache-2.0
// ltv/detail/transactions/tokenizer.hpp — the CSV / whitespace tokenizer and delimiter
// detection (part of ltv/transactions.hpp, whose top describes the accepted input; also used by
// ltv/summary_csv.hpp).
//
// Written by hand because no Debian-packaged C++ library streams CSV at this speed without a
// std::string per field (Boost.Tokenizer and Boost.Spirit allocate or need the whole record
// first; libcsv calls back per field with a copy): records are split in place out of the
// reader's buffer into string_views.
//
// Speed: a delimited record without a quote character, the common case, is split by a fast
// path that finds its delimiters and line end 16 bytes at a time (SSE2 compares and a bit mask,
// where available; x86-64 always has SSE2); any other record — quoted fields, whitespace mode,
// a record that may continue past the buffered bytes — goes through the general byte loop
// (split), from its first byte. Both give the same fields and results.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/array_view.hpp"
#include "ltv/detail/transactions/fields.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define LTV_TOKENIZER_SSE2 1
#endif

namespace ltv {
namespace detail {

/// The CSV / whitespace tokenizer: splits one record at a time out of a buffer.
class tokenizer {
public:
    enum class result { record, blank, incomplete, error };

    tokenizer(char delimiter, char quote)
        : delim_(delimiter),
          quote_(quote),
          ws_(delimiter == ' '),
          // The fast path reads a line end as a line end and the quote as "not simple": a
          // delimiter that is one of them keeps the general loop's precedence rules there.
          // (SSE2 only: elsewhere every record takes the general loop.)
          fast_(simd_available && !ws_ && delimiter != '\n' && delimiter != '\r' &&
                delimiter != quote) {
        // stop_[c]: an unquoted field ends at c.
        stop_['\n'] = stop_['\r'] = true;
        if (ws_) stop_[' '] = stop_['\t'] = true;
        else stop_[static_cast<unsigned char>(delim_)] = true;
    }

    /// The fields of the last record: views into the input, or (fields with "" escapes) into
    /// the tokenizer's per-record arena; valid until the next call of next().
    array_view<std::string_view> fields() const noexcept { return {store_.data(), count_}; }
    std::size_t newlines = 0;         ///< line breaks consumed by the last record
    std::string error;                ///< message of the last error result
    std::size_t error_field = 0;      ///< 0-based field of the last error

    /// Splits the record starting at p. On record/blank/error p moves past it; on incomplete
    /// (more input needed to finish it) p stays.
    result next(const char*& p, const char* end, bool eof) {
        std::size_t n = 0;  // a local field count (a member would be reloaded after every store)
        if (!unescaped_.empty()) {  // (the arena is empty unless a field was unescaped)
            unescaped_.clear();
            arena_.clear();
        }
        result r;
        if (!fast_ || !split_simple(p, end, n, r)) {
            n = 0;  // (split_simple may give up after counting fields)
            r = split(p, end, eof, n);
        }
        count_ = n;
        // Unescaped fields get their views only now that the record is split: the arena may
        // have been reallocated while later fields were appended to it.
        if (!unescaped_.empty() && r == result::record)
            for (const auto& u : unescaped_)
                store_[u.field] = std::string_view(arena_.data() + u.offset, u.size);
        return r;
    }

private:
    /// The fast path: splits the record at p if it has no quote character and its line end lies
    /// at least one byte before `end` (so that a CR's LF is visible and no more input can change
    /// the record); returns false without moving p otherwise.
    bool split_simple(const char*& p, const char* end, std::size_t& n, result& r) {
#if defined(LTV_TOKENIZER_SSE2)
        const char* q = p;
        const char* field = q;
        std::string_view* out = store_.data();
        bool any_delim = false;
        const __m128i vd = _mm_set1_epi8(delim_), vq = _mm_set1_epi8(quote_);
        const __m128i vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r');
        while (end - q > 16) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
            const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vq)),
                                              _mm_or_si128(_mm_cmpeq_epi8(x, vn), _mm_cmpeq_epi8(x, vr)));
            auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
            while (mask != 0) {
                const char* s = q + count_trailing_zeros(mask);
                mask &= mask - 1;
                const char c = *s;
                if (c == quote_) return false;
                // The field [field, s) without surrounding blanks, as the general loop trims.
                const char* a = field;
                const char* b = s;
                if (a < b && (blank(*a) || blank(b[-1]))) {
                    while (a < b && blank(*a)) ++a;
                    while (b > a && blank(b[-1])) --b;
                }
                if (n == store_.size()) {
                    store_.resize(n * 2);
                    out = store_.data();
                }
                out[n++] = std::string_view(a, static_cast<std::size_t>(b - a));
                if (c == delim_) {
                    any_delim = true;
                    field = s + 1;
                    continue;
                }
                // A line end: s + 1 < end here, so "\r\n" is seen whole.
                p = s + 1 + (c == '\r' && s[1] == '\n');
                newlines = 1;
                r = finish(any_delim, false, n, out);
                return true;
            }
            q += 16;
        }
#else
        (void)p, (void)end, (void)r;
#endif
        n = 0;
        return false;
    }

    static unsigned count_trailing_zeros(unsigned mask) noexcept {
#if defined(__GNUC__)
        return static_cast<unsigned>(__builtin_ctz(mask));
#else
        unsigned k = 0;
        while ((mask & 1u) == 0) mask >>= 1, ++k;
        return k;
#endif
    }

    result split(const char*& p, const char* end, bool eof, std::size_t& n) {
        const char* q = p;
        std::string_view* out = store_.data();
        newlines = 0;
        bool any_delim = false, quoted_any = false;
        for (;;) {
            while (q < end && blank(*q)) ++q;
            if (ws_) {
                if (q == end) {
                    if (!eof) return result::incomplete;
                    p = q;
                    return n == 0 ? result::blank : result::record;
                }
                if (*q == '\n' || *q == '\r') {
                    if (!eol(q, end, eof)) return result::incomplete;
                    p = q;
                    return n == 0 ? result::blank : result::record;
                }
            }
            // one field
            std::string_view value;
            if (q < end && *q == quote_) {
                quoted_any = true;
                const char* start = ++q;
                bool escaped = false;
                for (;;) {
                    const void* hit = std::memchr(q, quote_, static_cast<std::size_t>(end - q));
                    if (hit == nullptr) {
                        if (!eof) return result::incomplete;
                        newlines += static_cast<std::size_t>(std::count(q, end, '\n'));
                        p = end;
                        error_field = n;
                        error = "unterminated quoted field (a '" + std::string(1, quote_) +
                                "' opens a field that never closes)";
                        return result::error;
                    }
                    const char* f = static_cast<const char*>(hit);
                    newlines += static_cast<std::size_t>(std::count(q, f, '\n'));
                    if (f + 1 == end && !eof) return result::incomplete;
                    if (f + 1 < end && f[1] == quote_) {
                        escaped = true;
                        q = f + 2;
                        continue;
                    }
                    value = std::string_view(start, static_cast<std::size_t>(f - start));
                    q = f + 1;
                    break;
                }
                if (escaped) {
                    // "" → " into the per-record arena, by offset: a view into it is made only
                    // when the record is complete (next()), so growing the arena for a later
                    // field cannot leave this one dangling.
                    unescape(value, n);
                    value = std::string_view();
                }
                const char* after = q;
                while (q < end && blank(*q)) ++q;
                if (q == end && !eof) return result::incomplete;
                const bool ok = q == end || *q == '\n' || *q == '\r' || (ws_ ? q > after : *q == delim_);
                if (!ok) {
                    error_field = n;
                    error = std::string("unexpected character '") + *q + "' after a closing quote";
                    return skip_line(p, q, end, eof);
                }
            } else {
                const char* start = q;
                while (q < end && !stop_[static_cast<unsigned char>(*q)]) ++q;
                if (q == end && !eof) return result::incomplete;
                const char* stop = q;
                while (stop > start && blank(stop[-1])) --stop;
                value = std::string_view(start, static_cast<std::size_t>(stop - start));
            }
            if (n == store_.size()) {
                store_.resize(n * 2);
                out = store_.data();
            }
            out[n++] = value;
            if (q == end) {
                p = q;
                return finish(any_delim, quoted_any, n, out);
            }
            if (*q == '\n' || *q == '\r') {
                if (!eol(q, end, eof)) return result::incomplete;
                p = q;
                return finish(any_delim, quoted_any, n, out);
            }
            if (!ws_ && *q == delim_) {
                any_delim = true;
                ++q;
            }
            // whitespace mode: the blank(s) are skipped at the top of the loop
        }
    }

    /// Appends field `field`'s text with "" → " to the arena (rare: kept out of split's loop).
#if defined(__GNUC__)
    __attribute__((noinline, cold))
#endif
    void
    unescape(std::string_view value, std::size_t field) {
        const std::size_t offset = arena_.size();
        for (std::size_t i = 0; i < value.size(); ++i) {
            arena_.push_back(value[i]);
            if (value[i] == quote_) ++i;
        }
        unescaped_.push_back({field, offset, arena_.size() - offset});
    }

    bool blank(char c) const noexcept { return c == ' ' || (c == '\t' && tab_blank_); }

    /// Consumes one line end at q ("\n", "\r\n" or a lone "\r"); false if more input is needed.
    bool eol(const char*& q, const char* end, bool eof) {
        if (*q == '\r') {
            if (q + 1 == end && !eof) return false;
            ++q;
            if (q < end && *q == '\n') ++q;
        } else {
            ++q;
        }
        ++newlines;
        return true;
    }

    result finish(bool any_delim, bool quoted_any, std::size_t n, const std::string_view* out) const noexcept {
        if (!ws_ && !any_delim && !quoted_any && n == 1 && out[0].empty())
            return result::blank;
        return result::record;
    }

    result skip_line(const char*& p, const char* q, const char* end, bool eof) {
        const void* nl = std::memchr(q, '\n', static_cast<std::size_t>(end - q));
        if (nl == nullptr) {
            if (!eof) return result::incomplete;
            p = end;
            return result::error;
        }
        p = static_cast<const char*>(nl) + 1;
        ++newlines;
        return result::error;
    }

    char delim_;
    char quote_;
    bool ws_;
    bool tab_blank_ = delim_ != '\t';  // a tab is a blank to trim unless it separates fields
#if defined(LTV_TOKENIZER_SSE2)
    static constexpr bool simd_available = true;
#else
    static constexpr bool simd_available = false;
#endif
    bool fast_;  // split_simple applies: delimited, with a delimiter that is no line end or quote
    bool stop_[256] = {};
    std::vector<std::string_view> store_ = std::vector<std::string_view>(16);
    std::size_t count_ = 0;
    struct unescaped_field {
        std::size_t field, offset, size;
    };
    std::string arena_;                       // this record's unescaped quoted fields
    std::vector<unescaped_field> unescaped_;  // where each lies in arena_
};

/// Guesses the delimiter from one line: the most frequent of , ; | TAB outside quotes, else ' '.
inline char detect_delimiter(std::string_view line, char quote) {
    std::size_t counts[4] = {0, 0, 0, 0};
    const char cands[4] = {',', '\t', ';', '|'};
    bool in_quotes = false;
    for (const char c : line) {
        if (c == quote) in_quotes = !in_quotes;
        if (in_quotes) continue;
        for (int i = 0; i < 4; ++i)
            if (c == cands[i]) ++counts[i];
    }
    int best = -1;
    for (int i = 0; i < 4; ++i)
        if (counts[i] > 0 && (best < 0 || counts[i] > counts[best])) best = i;
    return best < 0 ? ' ' : cands[best];
}


}  // namespace detail
}  // namespace ltv
