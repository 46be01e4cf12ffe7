// SPDX-License-Identifier: Apache-2.0
// ltv/detail/number_text.hpp — the shortest text that reads back as the same double, exactly
// as std::to_chars(first, last, value) writes it (C locale; fixed or scientific, whichever is
// shorter, fixed on a tie), only faster for the values that summary tables are made of.
//
// Summary columns are mostly small integers (frequency, transactions, monetary 0) and day
// counts divided by the time unit (recency and T in weeks: a few hundred distinct values), so:
//   - an integer below 10^15 is written by the integer conversion whenever to_chars would choose
//     the fixed form for it (its digits are then exactly the integer's: doubles below 2^53 are
//     spaced at most 1 apart, so no shorter digit string rounds to them);
//   - everything else goes through std::to_chars once and its text is kept in a small
//     direct-mapped cache keyed by the double's bits (shortest_text_cache), so a repeated value
//     costs a lookup and a copy. The bytes are always to_chars' own: tests/cpp compares them.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

namespace ltv {
namespace detail {

/// The longest text std::to_chars writes for a double ("-2.2250738585072014e-308").
constexpr std::size_t max_shortest_chars = 24;

/// Writes the integer-valued finite double v (|v| < 10^15, not -0) in to_chars' form if that
/// is the fixed one; returns nullptr (nothing written) if to_chars would use the exponent form.
inline char* write_integer_shortest(char* out, double v) noexcept {
    const auto n = static_cast<std::int64_t>(v);
    std::uint64_t u = n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    if (u >= 100000) {
        // Fixed needs d characters, scientific s + (s > 1) + 4 for s significant digits (the
        // exponent d - 1 < 100 has two digits): fixed wins ties. Below 10^5 fixed always wins.
        int d = 0, z = 0;
        bool trailing = true;
        for (std::uint64_t t = u; t != 0; t /= 10, ++d) {
            if (trailing && t % 10 == 0)
                ++z;
            else
                trailing = false;
        }
        const int s = d - z;
        if (d > s + (s > 1 ? 1 : 0) + 4) return nullptr;
    }
    return std::to_chars(out, out + max_shortest_chars, n).ptr;
}

/// std::to_chars(out, out + 24, v) for a finite v; returns the end of the text.
inline char* write_shortest(char* out, double v) noexcept {
    if (v == std::trunc(v) && std::fabs(v) < 1e15 && !(v == 0 && std::signbit(v)))
        if (char* e = write_integer_shortest(out, v)) return e;
    return std::to_chars(out, out + max_shortest_chars, v).ptr;
}

/// write_shortest with a memo: a direct-mapped cache of 4096 texts keyed by the double's bits.
/// Writes need max_shortest_chars bytes of room at `out` (the cached text is copied whole).
class shortest_text_cache {
public:
    shortest_text_cache() : table_(new entry[size]()) {}

    char* write(char* out, double v) noexcept {
        if (v == std::trunc(v) && std::fabs(v) < 1e15 && !(v == 0 && std::signbit(v)))
            if (char* e = write_integer_shortest(out, v)) return e;
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        entry& e = table_[(bits * 0x9E3779B97F4A7C15ull) >> (64 - bits_log2)];
        if (e.len == 0 || e.bits != bits) {
            e.len = static_cast<std::uint8_t>(
                std::to_chars(e.text, e.text + max_shortest_chars, v).ptr - e.text);
            e.bits = bits;
        }
        std::memcpy(out, e.text, max_shortest_chars);
        return out + e.len;
    }

private:
    static constexpr unsigned bits_log2 = 12;
    static constexpr std::size_t size = std::size_t(1) << bits_log2;
    struct entry {
        std::uint64_t bits;
        std::uint8_t len;  // 0: empty (to_chars never writes nothing)
        char text[max_shortest_chars];
    };
    std::unique_ptr<entry[]> table_;
};

}  // namespace detail
}  // namespace ltv
