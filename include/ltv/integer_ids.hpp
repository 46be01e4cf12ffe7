// SPDX-License-Identifier: Apache-2.0
// ltv/integer_ids.hpp — 64-bit integer customer ids (issue 13).
//
// Inside ltv a customer id is a UTF-8 byte string (ltv::customer_ids). An integer id is the
// canonical decimal text of its int64: no leading zeros, no '+', a '-' only before the digits
// of a negative number ("0", "7", "-12", "9223372036854775807"). So the integer 123 and the text
// "123" read from a CSV file are the same customer, and everything keyed by the text — hashing,
// saved summary states, CSV and JSON output, batches of string ids mixed with integer ones —
// works unchanged. Texts such as "007", "+7", "-0", " 7" or "7.0" are other customers, not
// integers: reading ids back as int64 (int64_ids) refuses them, naming the customer.
//
// Speed: int64_id_table deduplicates a column of integers hashing the integers themselves (a
// multiply-xorshift) in a table of its own, and int64_id_interner interns them into a
// customer_ids table formatting (std::to_chars) only each distinct id, once. A batch of integer ids
// therefore costs less than the same ids packed as text, whose every row hashes its bytes
// (benchmarks/bench_ids.cpp, docs/benchmarks.md).
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "ltv/detail/transactions/fields.hpp"
#include "ltv/detail/transactions/ids.hpp"
#include "ltv/error.hpp"

namespace ltv {

/// Longest canonical text of an int64: "-9223372036854775808", 20 characters.
inline constexpr std::size_t max_int64_id_chars = 20;

/// The canonical decimal text of `id`, written into `buffer` (the view is valid while it is).
inline std::string_view int64_id_text(std::int64_t id,
                                      char (&buffer)[max_int64_id_chars]) noexcept {
    const auto r = std::to_chars(buffer, buffer + max_int64_id_chars, id);
    return std::string_view(buffer, static_cast<std::size_t>(r.ptr - buffer));
}

/// The canonical decimal text of `id` as a string.
inline std::string int64_id_string(std::int64_t id) {
    char buffer[max_int64_id_chars];
    return std::string(int64_id_text(id, buffer));
}

/// Parses the canonical text of an int64 (see the top). Returns nullptr and sets *out when
/// `text` is one, else why not ("has a leading zero", …) for a message; *out is then unchanged.
inline const char* parse_int64_id(std::string_view text, std::int64_t* out) noexcept {
    if (text.empty()) return "is empty";
    const char* const begin = text.data();
    const char* const end = begin + text.size();
    const bool negative = *begin == '-';
    const char* const digits = negative ? begin + 1 : begin;
    if (digits == end) return "is not a decimal integer";
    for (const char* p = digits; p != end; ++p)
        if (*p < '0' || *p > '9') return "is not a decimal integer";
    if (*digits == '0' && end - digits > 1) return "has a leading zero (not the canonical text of an integer)";
    if (*digits == '0' && negative) return "is a negative zero (not the canonical text of an integer)";
    std::int64_t value = 0;
    const auto r = std::from_chars(begin, end, value);
    if (r.ec != std::errc() || r.ptr != end)
        return "is outside the int64 range (-9223372036854775808 to 9223372036854775807)";
    *out = value;
    return nullptr;
}

/// The ids of customers 0 … n−1 (id_at(i) → string_view) as int64, all or nothing:
/// invalid_argument naming `function`, the customer's position and its id when one is not the
/// canonical text of an int64 (see the top).
template <class IdAt>
std::vector<std::int64_t> int64_ids(const char* function, std::size_t n, IdAt&& id_at) {
    std::vector<std::int64_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& held = id_at(i);  // id_at may return a string by value: it lives on here
        const std::string_view id = held;
        if (const char* why = parse_int64_id(id, &out[i]))
            throw error(status::invalid_argument,
                        std::string(function) + ": customer " + std::to_string(i) + " has the id '" +
                            detail::excerpt(id) + "', which " + why +
                            "; read the ids as text instead");
    }
    return out;
}

/// Dense indices 0, 1, 2, … for int64 ids in first-seen order, keyed by the integers themselves
/// (no text): the batch table of summary_state::add_batch. operator[](i) gives id i's canonical
/// text, formatted into a buffer of the table's own (valid until the next call), so the table
/// serves where a customer_ids table's ids are read one at a time. Memory: 16 bytes per slot,
/// at most half of them used, plus 8 bytes per distinct id.
class int64_id_table {
public:
    /// The index of `id`, adding it if new (an immediate repeat costs no lookup).
    std::uint32_t intern(std::int64_t id) {
        if (id == last_id_ && last_index_ != npos) return last_index_;
        if ((ids_.size() + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 1024 : slots_.size() * 2);
        const std::size_t mask = slots_.size() - 1;
        std::size_t s = mix(id) & mask;
        while (slots_[s].index != npos) {
            if (slots_[s].id == id) return remember(id, slots_[s].index);
            s = (s + 1) & mask;
        }
        if (ids_.size() + 1 >= npos)
            throw error(status::out_of_memory, "int64_id_table: more than 2^32 - 2 customer ids");
        const auto index = static_cast<std::uint32_t>(ids_.size());
        ids_.push_back(id);
        slots_[s] = {id, index};
        return remember(id, index);
    }

    /// Makes room for `ids` distinct ids (capped at 2^21: a batch with more has its table grown
    /// as needed), so that a batch's table is not rehashed over and over while it fills.
    void reserve(std::size_t ids) {
        ids = std::min<std::size_t>(ids, std::size_t(1) << 21);
        std::size_t n = 1024;
        while (ids * 2 > n) n *= 2;
        if (n > slots_.size()) rehash(n);
        ids_.reserve(ids);
    }

    std::size_t size() const noexcept { return ids_.size(); }
    std::int64_t id(std::uint32_t i) const noexcept { return ids_[i]; }
    /// The canonical text of id i (valid until the next call on this table).
    std::string_view operator[](std::uint32_t i) const noexcept {
        return int64_id_text(ids_[i], buffer_);
    }

    /// splitmix64's finalizer: every bit of the id reaches the low bits the table uses.
    static std::uint64_t mix(std::int64_t id) noexcept {
        auto x = static_cast<std::uint64_t>(id);
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebull;
        return x ^ (x >> 31);
    }

private:
    static constexpr std::uint32_t npos = customer_ids::npos;
    struct slot {
        std::int64_t id = 0;
        std::uint32_t index = npos;  // npos: empty
    };

    std::uint32_t remember(std::int64_t id, std::uint32_t index) noexcept {
        last_id_ = id;
        return last_index_ = index;
    }

    void rehash(std::size_t n) {  // n: a power of two
        std::vector<slot> t(n);
        for (const slot& e : slots_) {
            if (e.index == npos) continue;
            std::size_t s = mix(e.id) & (n - 1);
            while (t[s].index != npos) s = (s + 1) & (n - 1);
            t[s] = e;
        }
        slots_.swap(t);
    }

    std::vector<slot> slots_;
    std::vector<std::int64_t> ids_;
    std::int64_t last_id_ = 0;
    std::uint32_t last_index_ = npos;
    mutable char buffer_[max_int64_id_chars] = {};
};

/// Interns int64 ids into a customer_ids table as their canonical text (see the top), hashing
/// the integers (an int64_id_table): each distinct id is formatted and interned once, later
/// occurrences cost one probe of the integer table. The indices are those of `into` (ids it
/// already had keep theirs; new ones are added in the order first seen).
class int64_id_interner {
public:
    explicit int64_id_interner(customer_ids& into) : ids_(into) {}
    int64_id_interner(const int64_id_interner&) = delete;
    int64_id_interner& operator=(const int64_id_interner&) = delete;

    /// The index of `id` in the customer_ids table, adding its text if new.
    std::uint32_t intern(std::int64_t id) {
        const std::uint32_t i = table_.intern(id);
        if (i == to_ids_.size()) to_ids_.push_back(ids_.intern(table_[i]));
        return to_ids_[i];
    }

    /// Makes room for `ids` distinct ids (int64_id_table::reserve).
    void reserve(std::size_t ids) { table_.reserve(ids); }

    /// Distinct ids seen.
    std::size_t size() const noexcept { return table_.size(); }

private:
    customer_ids& ids_;
    int64_id_table table_;
    std::vector<std::uint32_t> to_ids_;  // table index → index in ids_
};

}  // namespace ltv
