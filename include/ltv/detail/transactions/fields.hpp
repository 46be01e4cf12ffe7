// SPDX-License-Identifier: Apache-2.0
// ltv/detail/transactions/fields.hpp — the text of single fields: blank trimming, header-name
// folding, message excerpts and exact number parsing (fast_float behind a plain-decimal fast
// path). Part of ltv/transactions.hpp; also used by ltv/summary_csv.hpp.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <fast_float/fast_float.h>

namespace ltv {
namespace detail {

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

inline std::string lower_trim(std::string_view s) {
    while (!s.empty() && (is_blank(s.front()) || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
}

/// A value for a message: itself when short, else its first `max` bytes (cut before a UTF-8
/// continuation byte, so no character is split) and "… (N bytes)", so that a 10 MB field or
/// header is not repeated in full in every message.
inline std::string excerpt(std::string_view s, std::size_t max = 64) {
    if (s.size() <= max) return std::string(s);
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return std::string(s.substr(0, n)) + "… (" + std::to_string(s.size()) + " bytes)";
}

/// Parses a whole field as a finite number: one optional sign ('+' or '-'), decimal or
/// scientific notation; what strtod accepts in these forms, nothing more ("+-1.5", "-+1" and
/// "++1" are not numbers).
inline std::optional<double> parse_number(std::string_view s) noexcept {
    const char* first = s.data();
    const char* last = s.data() + s.size();
    // fast_float 3.9 rejects a leading '+', so it is skipped here; the sign it leaves must then
    // be the only one (fast_float would read "+-1.5" as the "-1.5" that follows).
    if (first != last && *first == '+') {
        ++first;
        if (first != last && (*first == '-' || *first == '+')) return std::nullopt;
    }
    if (first == last) return std::nullopt;
    // Fast path for plain decimals ("-12.34"): at most 15 digits, so the digits form an exact
    // double m and m / 10^k (k <= 15) is the correctly rounded value, the same one fast_float
    // returns (its own Clinger fast path); anything else goes to fast_float.
    {
        static constexpr double pow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                             1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
        const char* q = first;
        const bool neg = *q == '-';
        if (neg) ++q;
        std::uint64_t m = 0;
        int digits = 0, frac = 0;
        while (q != last && static_cast<unsigned>(*q - '0') < 10u && digits < 16) {
            m = m * 10 + static_cast<unsigned>(*q - '0');
            ++digits;
            ++q;
        }
        bool ok = digits > 0;
        if (ok && q != last && *q == '.') {
            ++q;
            while (q != last && static_cast<unsigned>(*q - '0') < 10u && digits < 16) {
                m = m * 10 + static_cast<unsigned>(*q - '0');
                ++digits;
                ++frac;
                ++q;
            }
            ok = frac > 0;
        }
        if (ok && q == last && digits <= 15) {
            const double v = static_cast<double>(m) / pow10[frac];
            return neg ? -v : v;
        }
    }
    double v = 0;
    const auto r = fast_float::from_chars(first, last, v);
    if (r.ec != std::errc() || r.ptr != last || !std::isfinite(v)) return std::nullopt;
    return v;
}

}  // namespace detail
}  // namespace ltv
