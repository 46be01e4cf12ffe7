// SPDX-License-Identifier: Apache-2.0
// ltv/detail/transactions/ids.hpp — ltv::customer_ids, the interning of customer ids into dense
// indices 0, 1, 2, ... in first-seen order (part of ltv/transactions.hpp; include that).
//
// customer_ids is an open-addressing hash table (linear probing, 8-byte slots holding the id's
// hash and index, load ≤ 0.7) over one character arena, hand-written because Boost 1.74
// predates boost::unordered_flat_map and std::unordered_map would cost a node allocation and
// ~60 bytes per customer. Memory: id characters + 4 bytes of offset (chunked: no growth slack)
// + 11–23 bytes of table per customer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/detail/transactions/chunked_array.hpp"
#include "ltv/error.hpp"

namespace ltv {

class customer_ids {
public:
    static constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

    customer_ids() { offsets_.push_back(0); }

    std::size_t size() const noexcept { return offsets_.size() - 1; }

    /// The id of customer index i.
    std::string_view operator[](std::uint32_t i) const noexcept {
        return std::string_view(chars_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
    }

    /// Starts loading the hash-table slot for a hash into the cache (a hint; see
    /// summary_state's pipelined reader, which hides the memory latency of large tables).
    void prefetch(std::uint32_t h) const noexcept {
#if defined(__GNUC__)
        if (!table_.empty()) __builtin_prefetch(&table_[h & (table_.size() - 1)]);
#else
        (void)h;
#endif
    }

    /// The index of id, adding it if new.
    std::uint32_t intern(std::string_view id) {
        // Logs grouped by customer repeat the previous id: answer that without hashing.
        if (last_ != npos && (*this)[last_] == id) return last_;
        return intern(id, hash(id));
    }

    /// intern() with the id's hash(id) computed by the caller (who, like summary_state's
    /// pipelined reader, has already checked for a repeat of the previous id: no shortcut here).
    std::uint32_t intern(std::string_view id, std::uint32_t h) {
        if ((size() + 1) * 10 > table_.size() * 7) grow();  // load <= 0.7
        const std::size_t mask = table_.size() - 1;
        std::size_t slot = h & mask;
        for (;;) {
            const std::uint64_t entry = table_[slot];
            if (entry == 0) break;
            const auto i = static_cast<std::uint32_t>(entry) - 1;
            if (static_cast<std::uint32_t>(entry >> 32) == h && (*this)[i] == id) return last_ = i;
            slot = (slot + 1) & mask;
        }
        if (chars_.size() + id.size() > std::numeric_limits<std::uint32_t>::max() ||
            size() + 1 >= std::numeric_limits<std::uint32_t>::max())
            throw error(status::out_of_memory, "customer_ids: more than 4 GiB of customer ids");
        const auto index = static_cast<std::uint32_t>(size());
        chars_.append(id.data(), id.size());
        offsets_.push_back(static_cast<std::uint32_t>(chars_.size()));
        table_[slot] = (static_cast<std::uint64_t>(h) << 32) | (index + 1u);
        return last_ = index;
    }

    /// The index of id, or npos.
    std::uint32_t find(std::string_view id) const noexcept {
        if (table_.empty()) return npos;
        const std::uint32_t h = hash(id);
        const std::size_t mask = table_.size() - 1;
        std::size_t slot = h & mask;
        for (;;) {
            const std::uint64_t entry = table_[slot];
            if (entry == 0) return npos;
            const auto i = static_cast<std::uint32_t>(entry) - 1;
            if (static_cast<std::uint32_t>(entry >> 32) == h && (*this)[i] == id) return i;
            slot = (slot + 1) & mask;
        }
    }

    /// Bytes held: the characters, the offsets and the hash table (capacities).
    std::size_t memory_bytes() const noexcept {
        return chars_.capacity() + offsets_.memory_bytes() +
               table_.capacity() * sizeof(std::uint64_t);
    }

    /// Bytes of all id characters (the sum of the ids' lengths).
    std::size_t id_chars() const noexcept { return chars_.size(); }

    /// Makes room for `customers` ids of `id_chars` characters in all (totals, not additions):
    /// interning until then allocates nothing, so it cannot throw (summary_state's transactional
    /// add_file relies on this). Never shrinks.
    void reserve(std::size_t customers, std::size_t id_chars) {
        // Geometric, as append would grow it: reserving exactly before every batch would copy
        // all ids each time.
        if (id_chars > chars_.capacity()) chars_.reserve(std::max(id_chars, 2 * chars_.capacity()));
        offsets_.reserve(customers + 1);
        if (customers == 0) return;
        std::size_t slots = table_.empty() ? 1024 : table_.size();
        while (customers * 10 > slots * 7) slots *= 2;  // intern()'s load rule, <= 0.7
        if (slots > table_.size()) rehash(slots);
    }

    static std::uint32_t hash(std::string_view s) noexcept {
        // FNV-1a, 64 bit, folded: ids are short, so a byte loop is as fast as anything fancier.
        std::uint64_t h = 14695981039346656037ull;
        for (const char c : s) {
            h ^= static_cast<unsigned char>(c);
            h *= 1099511628211ull;
        }
        return static_cast<std::uint32_t>(h ^ (h >> 32));
    }

private:
    void grow() { rehash(table_.empty() ? 1024 : table_.size() * 2); }
    void rehash(std::size_t n) {  // n: a power of two
        std::vector<std::uint64_t> t(n, 0);
        for (const std::uint64_t entry : table_) {
            if (entry == 0) continue;
            std::size_t slot = static_cast<std::uint32_t>(entry >> 32) & (n - 1);
            while (t[slot] != 0) slot = (slot + 1) & (n - 1);
            t[slot] = entry;
        }
        table_.swap(t);
    }

    std::string chars_;
    detail::chunked_array<std::uint32_t> offsets_;  // size() + 1 entries
    std::vector<std::uint64_t> table_;    // 0 = empty, else hash << 32 | (index + 1); 2^k slots, load <= 0.7
    std::uint32_t last_ = npos;           // index returned by the last intern()
};

}  // namespace ltv
