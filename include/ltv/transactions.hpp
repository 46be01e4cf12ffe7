// SPDX-License-Identifier: Apache-2.0
// ltv/transactions.hpp — reading transaction logs (customer, date, amount, quantity) as a stream.
//
// Input
//   Text with one transaction per line: comma-, semicolon-, pipe- or tab-separated (CSV/TSV,
//   RFC 4180 quoting: a field in double quotes may contain delimiters, line breaks and "" for a
//   quote), or whitespace-separated (fields split at runs of blanks, as in CDNOW_master.txt).
//   The delimiter is detected from the first non-blank line unless given: the most frequent of
//   , ; | TAB outside quotes, whitespace mode if none occurs. A UTF-8 byte order mark is
//   skipped once, at the very start of the input; CRLF / LF / CR line ends are all accepted,
//   blank lines are skipped (and counted), blanks around unquoted fields are trimmed.
//   Every record must have as many fields as the header (without a header: as the first
//   record). A record with more or fewer fields is malformed — an unquoted value containing the
//   delimiter, such as the amount 1,5 or 1,234.50 in a comma-separated file, would otherwise
//   silently shift or truncate values — and the message names the counts and the first extra
//   field. Columns that are not used are otherwise not looked at.
//   A record (a line, with the line breaks inside quoted fields) may be at most
//   read_options::max_record_bytes long (1 MiB by default, 0 = no limit): an unterminated quote
//   or a file that is not a text log fails after that much instead of growing the buffer until
//   memory runs out. Values quoted in messages are cut to their first 64 bytes.
//
// Columns
//   Chosen by header name (case-insensitive, surrounding blanks ignored) or by 0-based position.
//   Defaults: customer "customer_id", date "date", amount "amount" if the header has it (the
//   amount is then 0; monetary summaries are 0), quantity none. Without a header, columns must be
//   chosen by position. Messages number columns from 1, like spreadsheets and editors:
//     "<file>:<line>: column <n> ('<name>'): cannot parse '<value>' as a date (expected …)".
//
// Bad input is never dropped silently: by default the first malformed row throws
// ltv::error(parse_error) naming file, line, column and value. With read_options::lenient the
// row is skipped instead and counted in read_report::skipped; the first max_reported_errors
// messages are kept in read_report::errors.
//
// Streaming: the input is read in blocks (1 MiB by default) into one buffer and tokenized in
// place; each row reaches the caller's visitor as string_views into that buffer (valid only
// during the call), so memory does not grow with the number of rows. The rows, reports and
// messages do not depend on the block size. The tokenizer is written by
// hand because no Debian-packaged C++ library streams CSV at this speed without a std::string per
// field (Boost.Tokenizer and Boost.Spirit allocate or need the whole record first); numbers are
// parsed with fast_float (exact, locale-free), dates by ltv/date.hpp.
//
// customer_ids interns customer ids into dense indices 0, 1, 2, ... in first-seen order so that
// per-customer state can live in a vector. It is an open-addressing hash table (linear probing,
// 8-byte slots holding the id's hash and index, load ≤ 0.7) over one character arena, hand-written
// because Boost 1.74 predates boost::unordered_flat_map and std::unordered_map would cost a node
// allocation and ~60 bytes per customer. Memory: id characters + 4 bytes of offset (chunked: no
// growth slack) + 11–23 bytes of table per customer.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <istream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fast_float/fast_float.h>

#include "ltv/array_view.hpp"
#include "ltv/date.hpp"
#include "ltv/error.hpp"

namespace ltv {

namespace detail {

/// A vector-like array of trivially copyable T stored in chunks of 2^Shift elements: growing it
/// never copies the elements already stored (except the first, still small chunk, which grows
/// geometrically up to a full chunk), and the spare capacity is at most one chunk instead of
/// up to the whole size. Elements are value-initialized when their chunk is allocated.
template <class T, unsigned Shift = 12>
class chunked_array {
    static_assert(std::is_trivially_copyable<T>::value, "chunked_array holds plain records");

public:
    static constexpr std::size_t chunk = std::size_t(1) << Shift;

    chunked_array() = default;
    chunked_array(chunked_array&& o) noexcept
        : chunks_(std::move(o.chunks_)), size_(std::exchange(o.size_, 0)), capacity_(std::exchange(o.capacity_, 0)) {
        o.chunks_.clear();
    }
    chunked_array& operator=(chunked_array&& o) noexcept {
        chunks_ = std::move(o.chunks_);
        o.chunks_.clear();
        size_ = std::exchange(o.size_, 0);
        capacity_ = std::exchange(o.capacity_, 0);
        return *this;
    }
    chunked_array(const chunked_array& o) { copy_from(o); }
    chunked_array& operator=(const chunked_array& o) {
        if (this != &o) {
            chunked_array t(o);
            *this = std::move(t);
        }
        return *this;
    }

    T& operator[](std::size_t i) noexcept { return chunks_[i >> Shift][i & (chunk - 1)]; }
    const T& operator[](std::size_t i) const noexcept { return chunks_[i >> Shift][i & (chunk - 1)]; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::size_t capacity() const noexcept { return capacity_; }
    /// Bytes held: the element storage plus the chunk directory.
    std::size_t memory_bytes() const noexcept {
        return capacity_ * sizeof(T) + chunks_.capacity() * sizeof(std::unique_ptr<T[]>);
    }

    void reserve(std::size_t n) {
        if (n > capacity_) set_capacity(n);
    }
    /// Grows to n elements (new ones value-initialized); never shrinks.
    void grow_to(std::size_t n) {
        if (n > capacity_) set_capacity(grown(n));
        if (n > size_) size_ = n;
    }
    void push_back(const T& v) {
        if (size_ == capacity_) set_capacity(grown(size_ + 1));
        (*this)[size_++] = v;
    }
    T& back() noexcept { return (*this)[size_ - 1]; }
    const T& back() const noexcept { return (*this)[size_ - 1]; }

private:
    std::size_t grown(std::size_t n) const noexcept {
        if (n <= chunk) return std::max(n, std::min(chunk, std::max<std::size_t>(16, 2 * capacity_)));
        return (n + chunk - 1) & ~(chunk - 1);
    }
    static std::unique_ptr<T[]> make(std::size_t m) { return std::unique_ptr<T[]>(new T[m]()); }
    void set_capacity(std::size_t n) {
        // Only the last chunk may be partial: complete (or enlarge) it first.
        const std::size_t part = capacity_ & (chunk - 1);
        if (part != 0) {
            const std::size_t base = capacity_ - part;
            const std::size_t m = std::min(chunk, n - base);
            auto c = make(m);
            std::memcpy(static_cast<void*>(c.get()), chunks_.back().get(), part * sizeof(T));
            chunks_.back() = std::move(c);
            capacity_ = base + m;
        }
        while (capacity_ < n) {
            const std::size_t m = std::min(chunk, n - capacity_);
            chunks_.push_back(make(m));
            capacity_ += m;
        }
    }
    void copy_from(const chunked_array& o) {
        chunks_.reserve(o.chunks_.size());
        for (std::size_t k = 0; k < o.chunks_.size(); ++k) {
            const std::size_t m = std::min(chunk, o.capacity_ - (k << Shift));
            auto c = make(m);
            std::memcpy(static_cast<void*>(c.get()), o.chunks_[k].get(), m * sizeof(T));
            chunks_.push_back(std::move(c));
        }
        size_ = o.size_;
        capacity_ = o.capacity_;
    }

    std::vector<std::unique_ptr<T[]>> chunks_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace detail

// ---- customer id interning -------------------------------------------------------------------

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

// ---- options and results ---------------------------------------------------------------------

/// A column chosen by header name or by 0-based position; empty() = not used.
struct column_ref {
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::string name;
    std::size_t index = npos;
    bool required = true;  ///< false: silently unused when the header has no such name

    column_ref() = default;
    column_ref(const char* header_name) : name(header_name) {}       // NOLINT: implicit
    column_ref(std::string header_name) : name(std::move(header_name)) {}  // NOLINT: implicit
    column_ref(std::nullptr_t) = delete;  // not a name
    column_ref(int) = delete;             // a position: use column_ref::at(i)
    static column_ref at(std::size_t zero_based) {
        column_ref c;
        c.index = zero_based;
        return c;
    }
    static column_ref none() { return column_ref(); }
    static column_ref optional(std::string header_name) {
        column_ref c(std::move(header_name));
        c.required = false;
        return c;
    }
    bool empty() const noexcept { return name.empty() && index == npos; }
};

struct read_options {
    /// Field delimiter: 0 = detect; ' ' = whitespace-separated; else ',', ';', '\t', '|', ...
    char delimiter = 0;
    bool header = true;  ///< the first non-blank line names the columns
    char quote = '"';
    column_ref customer = "customer_id";
    column_ref date = "date";
    column_ref amount = column_ref::optional("amount");
    column_ref quantity = column_ref::none();
    date_spec dates;            ///< date format (automatic by default)
    bool lenient = false;       ///< skip malformed rows instead of throwing
    std::size_t max_reported_errors = 20;
    /// Called after every block read and at the end: (bytes read so far, total bytes or 0 if
    /// unknown, e.g. for a pipe).
    std::function<void(std::uint64_t, std::uint64_t)> progress;
    std::size_t block_size = std::size_t(1) << 20;  ///< bytes per read
    /// Longest record accepted, in bytes, line end included (a record is one line, plus the
    /// lines it continues on through quoted line breaks); 0 = no limit. A longer one fails with
    /// parse_error naming its line (also in lenient mode: its end cannot be found without
    /// reading it). 1 MiB is thousands of times a real transaction row (customer, date, amount
    /// and a few more fields are well under 1 KiB), so no genuine log is refused, while an
    /// unterminated quote or a binary file fails after reading about 1 MiB instead of buffering
    /// gigabytes; with the default block size the buffer then never exceeds 2 MiB.
    std::size_t max_record_bytes = std::size_t(1) << 20;
};

/// One transaction as handed to a visitor; the string_view is valid during the call only.
struct transaction_row {
    std::string_view customer;
    day_number day = 0;
    double amount = 0;    ///< 0 without an amount column; negative = refund or return
    double quantity = 0;  ///< 0 without a quantity column
    std::uint64_t line = 0;  ///< 1-based line where the row starts
};

struct bad_row {
    std::uint64_t line = 0;
    std::string message;  ///< "<source>:<line>: column <n> ('<name>'): …"
};

struct read_report {
    std::string source;               ///< file name or "<stdin>"-like label used in messages
    std::uint64_t rows = 0;           ///< rows delivered to the visitor
    std::uint64_t skipped = 0;        ///< malformed rows skipped (lenient mode only)
    std::vector<bad_row> errors;      ///< the first max_reported_errors skipped rows
    std::uint64_t blank_lines = 0;
    std::uint64_t lines = 0;          ///< physical lines read
    std::uint64_t bytes = 0;
    char delimiter = 0;               ///< the delimiter used, ' ' for whitespace-separated
    std::vector<std::string> header;  ///< column names (empty without a header)
    std::size_t customer_column = column_ref::npos;  ///< resolved 0-based positions
    std::size_t date_column = column_ref::npos;
    std::size_t amount_column = column_ref::npos;    ///< npos: no amounts
    std::size_t quantity_column = column_ref::npos;
};

/// A transaction with an interned customer (see load_transactions).
struct transaction {
    std::uint32_t customer = 0;
    day_number day = 0;
    double amount = 0;
    double quantity = 0;
};

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

/// The CSV / whitespace tokenizer: splits one record at a time out of a buffer.
class tokenizer {
public:
    enum class result { record, blank, incomplete, error };

    tokenizer(char delimiter, char quote) : delim_(delimiter), quote_(quote), ws_(delimiter == ' ') {
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
        const result r = split(p, end, eof, n);
        count_ = n;
        // Unescaped fields get their views only now that the record is split: the arena may
        // have been reallocated while later fields were appended to it.
        if (!unescaped_.empty() && r == result::record)
            for (const auto& u : unescaped_)
                store_[u.field] = std::string_view(arena_.data() + u.offset, u.size);
        return r;
    }

private:
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

    bool blank(char c) const noexcept { return c == ' ' || (c == '\t' && delim_ != '\t'); }

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

// Byte sources for the reader: read up to n bytes, 0 at the end.
struct file_source {
    std::FILE* f = nullptr;
    std::uint64_t total = 0;
    file_source(const std::string& path) {
        f = std::fopen(path.c_str(), "rb");
        if (f == nullptr)
            throw error(status::io_error,
                        "cannot open '" + path + "': " + std::strerror(errno));
        if (std::fseek(f, 0, SEEK_END) == 0) {
            const long size = std::ftell(f);
            if (size > 0) total = static_cast<std::uint64_t>(size);
            std::fseek(f, 0, SEEK_SET);
        }
    }
    file_source(const file_source&) = delete;
    file_source& operator=(const file_source&) = delete;
    ~file_source() {
        if (f != nullptr) std::fclose(f);
    }
    std::size_t read(char* dst, std::size_t n, const std::string& name) {
        const std::size_t got = std::fread(dst, 1, n, f);
        if (got < n && std::ferror(f))
            throw error(status::io_error, "error reading '" + name + "': " + std::strerror(errno));
        return got;
    }
};

struct stream_source {
    std::istream& in;
    std::uint64_t total = 0;
    std::size_t read(char* dst, std::size_t n, const std::string& name) {
        if (!in.good()) {
            if (in.bad()) throw error(status::io_error, "error reading " + name);
            return 0;
        }
        in.read(dst, static_cast<std::streamsize>(n));
        if (in.bad()) throw error(status::io_error, "error reading " + name);
        return static_cast<std::size_t>(in.gcount());
    }
};

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

    /// try_parse_date memoized in a small direct-mapped cache keyed by the field's bytes (a log
    /// has few distinct dates): the same result, without re-parsing a date seen before.
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
        if (date_cache_.empty()) date_cache_.resize(std::size_t(1) << date_cache_bits);
        const std::uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ n) * 0xC2B2AE3D27D4EB4Full;
        date_entry& e = date_cache_[static_cast<std::size_t>(h >> (64 - date_cache_bits))];
        if (e.a == a && e.b == b && e.len == n) {
            out = e.day;
            return true;
        }
        const auto day = try_parse_date(d, opt_.dates);
        if (!day) return false;
        e.a = a;
        e.b = b;
        e.len = static_cast<std::uint32_t>(n);
        e.day = *day;
        out = *day;
        return true;
    }
    struct date_entry {
        std::uint64_t a = 0, b = 0;
        std::uint32_t len = 0;  // 0: empty
        day_number day = 0;
    };
    static constexpr unsigned date_cache_bits = 10;
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

/// Reads the transaction log at path, calling visit(const transaction_row&) for each row.
template <class Visitor>
read_report read_transactions(const std::string& path, const read_options& options, Visitor&& visit) {
    detail::file_source src(path);
    return detail::read_loop(&src, {}, src.total, path, options, visit);
}

/// Reads a transaction log from a stream (e.g. std::cin); `name` labels messages.
template <class Visitor>
read_report read_transactions(std::istream& in, const read_options& options, Visitor&& visit,
                              const std::string& name = "<stream>") {
    detail::stream_source src{in, 0};
    return detail::read_loop(&src, {}, 0, name, options, visit);
}

/// Reads a transaction log held in memory.
template <class Visitor>
read_report read_transactions_text(std::string_view text, const read_options& options,
                                   Visitor&& visit, const std::string& name = "<text>") {
    return detail::read_loop<detail::stream_source>(nullptr, text, text.size(), name, options, visit);
}

/// A whole log in memory: interned customers and the rows in file order (memory grows with the
/// rows; for large logs prefer read_transactions with a visitor or ltv::summary_state).
struct transaction_log {
    customer_ids customers;
    std::vector<transaction> rows;
    read_report report;
};

inline transaction_log load_transactions(const std::string& path, const read_options& options = {}) {
    transaction_log log;
    log.report = read_transactions(path, options, [&](const transaction_row& r) {
        log.rows.push_back({log.customers.intern(r.customer), r.day, r.amount, r.quantity});
    });
    return log;
}

inline transaction_log load_transactions_text(std::string_view text, const read_options& options = {},
                                              const std::string& name = "<text>") {
    transaction_log log;
    log.report = read_transactions_text(
        text, options,
        [&](const transaction_row& r) {
            log.rows.push_back({log.customers.intern(r.customer), r.day, r.amount, r.quantity});
        },
        name);
    return log;
}

}  // namespace ltv
