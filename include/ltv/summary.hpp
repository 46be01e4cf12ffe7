// ltv/summary.hpp — per-customer RFM summaries of a transaction log (lifetimes-compatible),
// calibration/holdout splits, and an incremental state that can be saved and restored.
//
// Definitions (as lifetimes' summary_data_from_transaction_data and
// calibration_and_holdout_data, the inputs of BG/NBD, Pareto/NBD and Gamma-Gamma):
//   occasion        the transactions of one customer within one merge period (merge_period: a
//                   day by default; week, month, or none = every transaction on its own) count as
//                   one purchase occasion; its value is the sum of their amounts. Each occasion
//                   is dated by the first day of its period (period_start).
//   frequency       number of repeat occasions = occasions − 1 (the first purchase is not counted)
//   recency         last occasion − first occasion            (in the time unit)
//   T               observation end − first occasion          (in the time unit; the end is also
//                   mapped to the start of its period)
//   monetary_value  mean value of the repeat occasions = (total − value of the first occasion) /
//                   frequency; 0 when frequency = 0
//   first_purchase, last_purchase  the actual first and last transaction days
//   transactions, total_amount     counts and sums over all transactions up to the end
// Durations are converted with time_unit (day, week = 7 days, month = 30 days, or any number of
// days), independently of the merge period. The observation end is inclusive; transactions
// after it are ignored and counted. Negative amounts (refunds) enter the sums as they are.
//
// Calibration / holdout (summary_options::calibration_end set): the summary above is computed on
// transactions up to and including calibration_end (T measured to calibration_end), and for the
// holdout period (calibration_end, observation_end]:
//   frequency_holdout       number of occasions in the holdout (all of them, not "repeat")
//   monetary_value_holdout  mean occasion value in the holdout, 0 without holdout occasions
//   duration_holdout        observation_end − calibration_end in the unit (the same for all)
// Customers whose first transaction lies in the holdout are excluded (and counted).
//
// Incremental use and order: summary_state keeps one compact record per customer (first and
// last day, occasion and transaction counts, value of the first occasion, total: 32 bytes, plus
// 24 bytes for the holdout and 1 flag byte = 57 bytes, in chunks of 4096 records, so the spare
// capacity is at most one chunk and growing never copies records; the customer id storage is counted separately, see
// summary_state::memory()) and updates it per transaction. The result is exact — identical to
// one batch run — whenever, for every customer, each new transaction falls in a period that is
// (a) not earlier than the last period seen, (b) equal to the first or last period seen, (c)
// earlier than the first, or (d) the period of the transaction added just before it:
// in particular for logs in date order, logs sorted by customer and date (CDNOW), and nightly
// batches in date order. A transaction strictly between a customer's first and last periods
// cannot be told apart from an existing occasion without storing every occasion; it is counted
// as a new occasion and the customer is flagged (unverified_transactions() counts them). That is
// still exact when the chunks cover disjoint date ranges (nightly batches arriving in any order)
// and add_batch() sorts each chunk, so arbitrary order within a chunk is fine. The file and text
// summarize() functions are always exact: they re-read the input for the flagged customers only
// and recompute them from their sorted transactions.
//
// Speed: summarize() and summary_state::add_file/add_text/add_stream feed the rows through a
// short ring (detail::pipelined_adder) that prefetches each new id's hash-table slot 16 rows
// ahead, so that with hundreds of thousands of customers the cache misses overlap.
//
// Saving: summary_state::save writes a versioned little-endian binary format: magic "LTVSUMST",
// format version, options, counters, ids, records, and an FNV-1a-64 checksum; restore() checks
// all of it and reports bad magic, unsupported versions, truncation and corruption as
// ltv::error(parse_error).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <iterator>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "ltv/array_view.hpp"
#include "ltv/date.hpp"
#include "ltv/transactions.hpp"

namespace ltv {

struct summary_options {
    /// Inclusive end of observation; default: the last transaction day seen.
    std::optional<day_number> observation_end;
    /// Inclusive end of the calibration period; set it for a calibration/holdout split.
    std::optional<day_number> calibration_end;
    merge_period merge = merge_period::day;
    time_unit unit = time_unit::day();
};

/// The per-customer summary as columns (one entry per customer, first-seen order).
struct summary_table {
    std::vector<std::string> customer;
    std::vector<double> frequency;
    std::vector<double> recency;
    std::vector<double> T;
    std::vector<double> monetary_value;
    std::vector<day_number> first_purchase;
    std::vector<day_number> last_purchase;
    std::vector<std::int32_t> transactions;
    std::vector<double> total_amount;
    // Holdout columns: empty without calibration_end.
    std::vector<double> frequency_holdout;
    std::vector<double> monetary_value_holdout;
    double duration_holdout = 0;

    day_number observation_end = 0;
    std::optional<day_number> calibration_end;
    merge_period merge = merge_period::day;
    time_unit unit;
    std::uint64_t transactions_after_end = 0;     ///< ignored: dated after observation_end
    std::uint64_t customers_holdout_only = 0;     ///< excluded: first purchase in the holdout
    std::uint64_t unverified_transactions = 0;    ///< see the order notes at the top

    std::size_t size() const noexcept { return customer.size(); }
    /// Row of a customer id, or npos.
    std::size_t find(std::string_view id) const noexcept {
        for (std::size_t i = 0; i < customer.size(); ++i)
            if (customer[i] == id) return i;
        return static_cast<std::size_t>(-1);
    }
};

namespace detail {

struct occasion_record {  // 32 bytes
    day_number first_day = std::numeric_limits<day_number>::max();
    day_number last_day = std::numeric_limits<day_number>::min();
    std::int32_t occasions = 0;
    std::int32_t transactions = 0;
    double first_value = 0;  // value of the first occasion
    double total = 0;
};

struct holdout_record {  // 24 bytes
    day_number first_day = std::numeric_limits<day_number>::max();
    day_number last_day = std::numeric_limits<day_number>::min();
    std::int32_t occasions = 0;
    std::int32_t transactions = 0;
    double total = 0;
};

static_assert(sizeof(occasion_record) == 32, "compact record");
static_assert(sizeof(holdout_record) == 24, "compact record");

/// Folds one transaction into a record; returns false when it was unverifiable (see top).
/// known_period: the caller knows the period is already an occasion of this customer (the
/// previous transaction added was the same customer in the same period).
template <class Record>
inline bool fold(Record& r, merge_period merge, day_number day, double amount,
                 bool known_period = false) noexcept {
    constexpr bool has_first_value = std::is_same<Record, occasion_record>::value;
    if (r.transactions == 0) {
        r.first_day = r.last_day = day;
        r.occasions = 1;
        r.transactions = 1;
        r.total = amount;
        if constexpr (has_first_value) r.first_value = amount;
        return true;
    }
    ++r.transactions;
    r.total += amount;
    if (merge == merge_period::none) {
        ++r.occasions;
        if (day < r.first_day) {
            r.first_day = day;
            if constexpr (has_first_value) r.first_value = amount;
        }
        r.last_day = std::max(r.last_day, day);
        return true;
    }
    const day_number p = period_start(merge, day);
    const day_number pf = period_start(merge, r.first_day);
    const day_number pl = period_start(merge, r.last_day);
    bool verified = true;
    if (p == pf) {
        if constexpr (has_first_value) r.first_value += amount;
    } else if (p < pf) {
        ++r.occasions;
        if constexpr (has_first_value) r.first_value = amount;
    } else if (p == pl || p > pl) {
        if (p > pl) ++r.occasions;
    } else if (known_period) {
        // merged into the occasion the previous transaction opened
    } else {
        ++r.occasions;  // strictly between first and last: assumed new
        verified = false;
    }
    r.first_day = std::min(r.first_day, day);
    r.last_day = std::max(r.last_day, day);
    return verified;
}

// Little-endian serialization helpers.
inline void put_u32(std::string& o, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) o.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
inline void put_u64(std::string& o, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) o.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
inline void put_i32(std::string& o, std::int32_t v) { put_u32(o, static_cast<std::uint32_t>(v)); }
inline void put_f64(std::string& o, double v) {
    std::uint64_t u = 0;
    std::memcpy(&u, &v, 8);
    put_u64(o, u);
}
inline std::uint64_t fnv1a64(const char* p, std::size_t n) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (std::size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(p[i]);
        h *= 1099511628211ull;
    }
    return h;
}

class byte_reader {
public:
    byte_reader(const std::string& s, std::size_t limit) : s_(s), limit_(limit) {}
    std::uint64_t u(int bytes, const char* what) {
        need(static_cast<std::size_t>(bytes), what);
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i)
            v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s_[pos_ + i])) << (8 * i);
        pos_ += static_cast<std::size_t>(bytes);
        return v;
    }
    std::int32_t i32(const char* what) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(u(4, what))); }
    double f64(const char* what) {
        const std::uint64_t b = u(8, what);
        double d = 0;
        std::memcpy(&d, &b, 8);
        return d;
    }
    std::string_view bytes(std::size_t n, const char* what) {
        need(n, what);
        const std::string_view v(s_.data() + pos_, n);
        pos_ += n;
        return v;
    }
    std::size_t pos() const noexcept { return pos_; }

private:
    void need(std::size_t n, const char* what) const {
        if (n > limit_ - pos_)
            throw error(status::parse_error, "summary state: truncated input: " + std::string(what) +
                                                 " needs " + std::to_string(n) + " bytes at offset " +
                                                 std::to_string(pos_) + " but only " +
                                                 std::to_string(limit_ - pos_) + " remain");
    }
    const std::string& s_;
    std::size_t limit_;
    std::size_t pos_ = 0;
};

}  // namespace detail

/// Memory held by a summary_state, in bytes (capacities, not sizes).
struct summary_memory {
    std::size_t customers = 0;
    std::size_t record_bytes = 0;  ///< per-customer records and flags
    std::size_t id_bytes = 0;      ///< customer id characters, offsets, hashes and hash table
    double record_bytes_per_customer() const noexcept {
        return customers ? static_cast<double>(record_bytes) / static_cast<double>(customers) : 0.0;
    }
};

/// Incremental per-customer summary; see the order notes at the top of this header.
class summary_state {
public:
    static constexpr std::uint32_t format_version = 1;

    explicit summary_state(summary_options options = {}) : opt_(options) {
        constexpr const char* fn = "summary_state";
        if (opt_.calibration_end && opt_.observation_end && *opt_.calibration_end > *opt_.observation_end)
            detail::fail(status::invalid_argument, fn,
                         "calibration_end " + format_date(*opt_.calibration_end) +
                             " is after observation_end " + format_date(*opt_.observation_end));
        detail::require_positive(fn, "unit.days", opt_.unit.days);
    }

    const summary_options& options() const noexcept { return opt_; }
    std::size_t customers() const noexcept { return ids_.size(); }
    const customer_ids& ids() const noexcept { return ids_; }
    std::uint64_t transactions() const noexcept { return transactions_; }
    std::uint64_t transactions_after_end() const noexcept { return after_end_; }
    std::uint64_t unverified_transactions() const noexcept { return unverified_; }

    /// Adds one transaction.
    void add(std::string_view customer, day_number day, double amount) {
        add_index(ids_.intern(customer), day, amount);
    }
    void add(const transaction_row& r) { add_index(ids_.intern(r.customer), r.day, r.amount); }
    /// Adds every row of a transaction log file / in-memory text / stream, in file order (a
    /// nightly batch; exact under the order rules at the top, use add_batch for a chunk in
    /// arbitrary order). Returns the reader's report.
    read_report add_file(const std::string& path, const read_options& read);
    read_report add_text(std::string_view text, const read_options& read, const std::string& name = "<text>");
    read_report add_stream(std::istream& in, const read_options& read, const std::string& name = "<stream>");

    /// save() to / restore() from a file; io_error names the file.
    void save_file(const std::string& path) const {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        if (!out) throw error(status::io_error, "cannot write '" + path + "': " + std::strerror(errno));
        save(out);
        out.close();
        if (!out) throw error(status::io_error, "cannot write '" + path + "'");
    }
    static summary_state restore_file(const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw error(status::io_error, "cannot open '" + path + "': " + std::strerror(errno));
        try {
            return restore(in);
        } catch (const error& e) {
            throw error(e.code(), path + ": " + e.what());
        }
    }

    /// Visitor interface for read_transactions: state(row) adds it.
    void operator()(const transaction_row& r) { add(r); }

    /// Adds a transaction whose id hash (customer_ids::hash) is known; used by the pipelined
    /// reader below.
    void add_hashed(std::string_view customer, std::uint32_t hash, day_number day, double amount) {
        add_index(ids_.intern(customer, hash), day, amount);
    }
    void prefetch(std::uint32_t hash) const noexcept { ids_.prefetch(hash); }
    /// intern() with the id's hash (customer_ids::hash) computed by the caller.
    std::uint32_t intern_hashed(std::string_view customer, std::uint32_t hash) {
        const std::uint32_t c = ids_.intern(customer, hash);
        if (c >= cal_.size()) grow(c + 1);
        return c;
    }

    /// Adds a chunk of transactions in any order (sorted by customer and date first).
    void add_batch(array_view<transaction_row> rows) {
        std::vector<transaction> t;
        t.reserve(rows.size());
        for (const auto& r : rows) t.push_back({ids_.intern(r.customer), r.day, r.amount, 0});
        std::stable_sort(t.begin(), t.end(), [](const transaction& a, const transaction& b) {
            return a.customer != b.customer ? a.customer < b.customer : a.day < b.day;
        });
        for (const auto& x : t) add_index(x.customer, x.day, x.amount);
    }

    /// Interns a customer id (a customer without transactions does not appear in results).
    std::uint32_t intern(std::string_view customer) {
        const std::uint32_t c = ids_.intern(customer);
        if (c >= cal_.size()) grow(c + 1);
        return c;
    }

    /// Adds a transaction of an already interned customer (index from ids()).
    void add_index(std::uint32_t c, day_number day, double amount) {
        if (c >= cal_.size()) grow(c + 1);
        ++transactions_;
        if (opt_.observation_end && day > *opt_.observation_end) {
            ++after_end_;
            return;
        }
        max_day_ = std::max(max_day_, day);
        // Same customer and period as the transaction just before: a known occasion (this
        // makes sorted batches exact even between a customer's first and last periods).
        const day_number p = period_start(opt_.merge, day);
        const bool in_holdout = opt_.calibration_end && day > *opt_.calibration_end;
        const bool known = opt_.merge != merge_period::none && c == prev_customer_ &&
                           p == prev_period_ && in_holdout == prev_holdout_;
        prev_customer_ = c;
        prev_period_ = p;
        prev_holdout_ = in_holdout;
        bool ok;
        if (in_holdout)
            ok = detail::fold(hold_[c], opt_.merge, day, amount, known);
        else
            ok = detail::fold(cal_[c], opt_.merge, day, amount, known);
        if (!ok) {
            ++unverified_;
            flags_[c] |= flag_unverified;
        }
    }

    /// Customers flagged as unverified (see top).
    std::vector<std::uint32_t> unverified_customers() const {
        std::vector<std::uint32_t> out;
        for (std::uint32_t i = 0; i < flags_.size(); ++i)
            if (flags_[i] & flag_unverified) out.push_back(i);
        return out;
    }

    /// Recomputes the given customers from all their transactions (any order, e.g. re-read from
    /// the input): their records are reset and refilled in date order, and their flags cleared.
    void recompute(array_view<std::uint32_t> customers_to_reset, std::vector<transaction> rows) {
        for (const std::uint32_t c : customers_to_reset) {
            cal_[c] = {};
            if (!hold_.empty()) hold_[c] = {};
            flags_[c] = 0;
        }
        std::stable_sort(rows.begin(), rows.end(), [](const transaction& a, const transaction& b) {
            return a.customer != b.customer ? a.customer < b.customer : a.day < b.day;
        });
        std::uint64_t replayed = 0, replayed_after = 0;
        for (const auto& x : rows) {
            ++replayed;
            if (opt_.observation_end && x.day > *opt_.observation_end) {
                ++replayed_after;
                continue;
            }
            const bool ok = opt_.calibration_end && x.day > *opt_.calibration_end
                                ? detail::fold(hold_[x.customer], opt_.merge, x.day, x.amount)
                                : detail::fold(cal_[x.customer], opt_.merge, x.day, x.amount);
            if (!ok) throw error(status::internal, "summary_state::recompute: rows not sorted");
        }
        // The rows were counted (transactions, after-end) when first added. Once no customer is
        // flagged any more, nothing is unverified.
        (void)replayed;
        (void)replayed_after;
        bool any_flagged = false;
        for (std::size_t i = 0; i < flags_.size() && !any_flagged; ++i)
            any_flagged = (flags_[i] & flag_unverified) != 0;
        if (!any_flagged) unverified_ = 0;
    }

    /// The summary as of now.
    summary_table result() const {
        summary_table t;
        const day_number end = opt_.observation_end ? *opt_.observation_end
                               : max_day_ == std::numeric_limits<day_number>::min() ? 0 : max_day_;
        const day_number cal_end = opt_.calibration_end ? *opt_.calibration_end : end;
        t.observation_end = end;
        t.calibration_end = opt_.calibration_end;
        t.merge = opt_.merge;
        t.unit = opt_.unit;
        t.transactions_after_end = after_end_;
        t.unverified_transactions = unverified_;
        const merge_period m = opt_.merge;
        const double u = opt_.unit.days;
        const day_number cal_end_p = period_start(m, cal_end);
        const bool holdout = opt_.calibration_end.has_value();
        if (holdout) t.duration_holdout = (period_start(m, end) - cal_end_p) / u;
        const std::size_t n = cal_.size();
        t.customer.reserve(n);
        for (auto* v : {&t.frequency, &t.recency, &t.T, &t.monetary_value, &t.total_amount})
            v->reserve(n);
        t.first_purchase.reserve(n);
        t.last_purchase.reserve(n);
        t.transactions.reserve(n);
        if (holdout) {
            t.frequency_holdout.reserve(n);
            t.monetary_value_holdout.reserve(n);
        }
        for (std::size_t c = 0; c < n; ++c) {
            const auto& r = cal_[c];
            if (r.transactions == 0) {
                if (holdout && hold_[c].transactions > 0) ++t.customers_holdout_only;
                continue;
            }
            const day_number pf = period_start(m, r.first_day);
            const day_number pl = period_start(m, r.last_day);
            const int freq = r.occasions - 1;
            t.customer.emplace_back(ids_[static_cast<std::uint32_t>(c)]);
            t.frequency.push_back(freq);
            t.recency.push_back((pl - pf) / u);
            t.T.push_back((cal_end_p - pf) / u);
            t.monetary_value.push_back(freq > 0 ? (r.total - r.first_value) / freq : 0.0);
            t.first_purchase.push_back(r.first_day);
            t.last_purchase.push_back(r.last_day);
            t.transactions.push_back(r.transactions);
            t.total_amount.push_back(r.total);
            if (holdout) {
                const auto& h = hold_[c];
                t.frequency_holdout.push_back(h.occasions);
                t.monetary_value_holdout.push_back(h.occasions > 0 ? h.total / h.occasions : 0.0);
            }
        }
        return t;
    }

    summary_memory memory() const noexcept {
        summary_memory m;
        m.customers = ids_.size();
        m.record_bytes = cal_.memory_bytes() + hold_.memory_bytes() + flags_.memory_bytes();
        m.id_bytes = ids_.memory_bytes();
        return m;
    }

    /// Reserves room for n customers (the storage is chunked, so this only trims the last
    /// chunk's spare room).
    void reserve(std::size_t n) {
        cal_.reserve(n);
        if (opt_.calibration_end) hold_.reserve(n);
        flags_.reserve(n);
    }

    // ---- persistence ------------------------------------------------------------------------

    void save(std::ostream& out) const {
        std::string o;
        o.append("LTVSUMST", 8);
        detail::put_u32(o, format_version);
        detail::put_u32(o, (opt_.observation_end ? 1u : 0u) | (opt_.calibration_end ? 2u : 0u));
        detail::put_i32(o, opt_.observation_end.value_or(0));
        detail::put_i32(o, opt_.calibration_end.value_or(0));
        detail::put_u32(o, static_cast<std::uint32_t>(opt_.merge));
        detail::put_f64(o, opt_.unit.days);
        detail::put_i32(o, max_day_);
        detail::put_u64(o, transactions_);
        detail::put_u64(o, after_end_);
        detail::put_u64(o, unverified_);
        const std::size_t n = ids_.size();
        detail::put_u64(o, n);
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto id = ids_[i];
            detail::put_u32(o, static_cast<std::uint32_t>(id.size()));
            o.append(id.data(), id.size());
        }
        for (std::size_t i = 0; i < n; ++i) {
            const auto& r = cal_[i];
            detail::put_i32(o, r.first_day);
            detail::put_i32(o, r.last_day);
            detail::put_i32(o, r.occasions);
            detail::put_i32(o, r.transactions);
            detail::put_f64(o, r.first_value);
            detail::put_f64(o, r.total);
            o.push_back(static_cast<char>(flags_[i]));
        }
        if (opt_.calibration_end) {
            for (std::size_t i = 0; i < n; ++i) {
                const auto& h = hold_[i];
                detail::put_i32(o, h.first_day);
                detail::put_i32(o, h.last_day);
                detail::put_i32(o, h.occasions);
                detail::put_i32(o, h.transactions);
                detail::put_f64(o, h.total);
            }
        }
        detail::put_u64(o, detail::fnv1a64(o.data(), o.size()));
        out.write(o.data(), static_cast<std::streamsize>(o.size()));
        if (!out) throw error(status::io_error, "summary_state::save: write failed");
    }

    static summary_state restore(std::istream& in) {
        const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.bad()) throw error(status::io_error, "summary_state::restore: read failed");
        return restore_bytes(s);
    }

    static summary_state restore_bytes(const std::string& s) {
        const std::string pre = "summary state: ";
        if (s.size() < 8 || s.compare(0, 8, "LTVSUMST") != 0)
            throw error(status::parse_error, pre + "not a saved ltv summary state (bad magic, expected 'LTVSUMST')");
        if (s.size() < 20)
            throw error(status::parse_error, pre + "truncated input: " + std::to_string(s.size()) +
                                                 " bytes is shorter than the header");
        detail::byte_reader head(s, s.size());
        head.bytes(8, "magic");
        const auto version = static_cast<std::uint32_t>(head.u(4, "version"));
        if (version != format_version)
            throw error(status::parse_error, pre + "unsupported format version " + std::to_string(version) +
                                                 " (this build reads version " +
                                                 std::to_string(format_version) + ")");
        // The checksum covers everything before the last 8 bytes.
        const std::size_t body = s.size() - 8;
        detail::byte_reader tail(s, s.size());
        tail.bytes(body, "body");
        const std::uint64_t checksum = tail.u(8, "checksum");
        detail::byte_reader r(s, body);
        r.bytes(12, "header");
        const auto flags = static_cast<std::uint32_t>(r.u(4, "flags"));
        summary_options o;
        const day_number end = r.i32("observation end");
        const day_number split = r.i32("calibration end");
        if (flags & 1u) o.observation_end = end;
        if (flags & 2u) o.calibration_end = split;
        const auto merge = static_cast<std::uint32_t>(r.u(4, "merge period"));
        if (merge > 3) throw error(status::parse_error, pre + "corrupted: merge period " + std::to_string(merge));
        o.merge = static_cast<merge_period>(merge);
        o.unit.days = r.f64("time unit");
        if (!(o.unit.days > 0) || !std::isfinite(o.unit.days))
            throw error(status::parse_error, pre + "corrupted: time unit " + detail::format_value(o.unit.days));
        summary_state st(o);
        st.max_day_ = r.i32("last day");
        st.transactions_ = r.u(8, "transaction count");
        st.after_end_ = r.u(8, "count after end");
        st.unverified_ = r.u(8, "unverified count");
        const std::uint64_t n = r.u(8, "customer count");
        const std::size_t per = 33 + 4 + (o.calibration_end ? 24 : 0);
        if (n > (body - r.pos()) / per)
            throw error(status::parse_error, pre + "truncated input: " + std::to_string(n) +
                                                 " customers announced but only " +
                                                 std::to_string(body - r.pos()) + " bytes follow");
        if (detail::fnv1a64(s.data(), body) != checksum)
            throw error(status::parse_error, pre + "checksum mismatch: the data is corrupted");
        for (std::uint64_t i = 0; i < n; ++i) {
            const auto len = static_cast<std::uint32_t>(r.u(4, "id length"));
            const auto id = r.bytes(len, "customer id");
            if (st.ids_.intern(id) != i)
                throw error(status::parse_error, pre + "corrupted: duplicate customer id '" + std::string(id) + "'");
        }
        st.grow(static_cast<std::size_t>(n));
        for (std::size_t i = 0; i < n; ++i) {
            auto& c = st.cal_[i];
            c.first_day = r.i32("record");
            c.last_day = r.i32("record");
            c.occasions = r.i32("record");
            c.transactions = r.i32("record");
            c.first_value = r.f64("record");
            c.total = r.f64("record");
            st.flags_[i] = static_cast<std::uint8_t>(r.u(1, "record"));
        }
        if (o.calibration_end) {
            for (std::size_t i = 0; i < n; ++i) {
                auto& h = st.hold_[i];
                h.first_day = r.i32("holdout record");
                h.last_day = r.i32("holdout record");
                h.occasions = r.i32("holdout record");
                h.transactions = r.i32("holdout record");
                h.total = r.f64("holdout record");
            }
        }
        if (r.pos() != body)
            throw error(status::parse_error, pre + "corrupted: " + std::to_string(body - r.pos()) +
                                                 " unexpected bytes before the checksum");
        return st;
    }

private:
    static constexpr std::uint8_t flag_unverified = 1;

    void grow(std::size_t n) {
        if (n <= cal_.size()) return;
        cal_.grow_to(n);
        flags_.grow_to(n);
        if (opt_.calibration_end) hold_.grow_to(n);
    }

    summary_options opt_;
    customer_ids ids_;
    // Chunked (no 2x growth slack, no copying on growth); hold_ stays empty without a split.
    detail::chunked_array<detail::occasion_record> cal_;
    detail::chunked_array<detail::holdout_record> hold_;
    detail::chunked_array<std::uint8_t> flags_;
    day_number max_day_ = std::numeric_limits<day_number>::min();
    std::uint64_t transactions_ = 0;
    std::uint64_t after_end_ = 0;
    std::uint64_t unverified_ = 0;
    std::uint32_t prev_customer_ = customer_ids::npos;  // not saved: only a within-run hint
    day_number prev_period_ = 0;
    bool prev_holdout_ = false;
};

namespace detail {

/// A read_transactions visitor that feeds a summary_state through a short ring of rows: the
/// hash-table slot of each new id is prefetched when the row arrives and used `depth` rows later,
/// so the cache misses of a table with hundreds of thousands of customers overlap instead of
/// stalling one after another. The rows reach the state in their original order (identical
/// results); ids longer than the inline buffer bypass the ring. Call flush() at the end.
class pipelined_adder {
public:
    explicit pipelined_adder(summary_state& st) : st_(st) {}
    pipelined_adder(const pipelined_adder&) = delete;
    pipelined_adder& operator=(const pipelined_adder&) = delete;

    void operator()(const transaction_row& r) {
        if (r.customer.size() > max_id) {
            flush();
            st_.add(r);
            return;
        }
        if (count_ == depth) pop();
        slot& s = ring_[(head_ + count_) % depth];
        const bool same = count_ > 0 && prev_len_ == r.customer.size() &&
                          std::memcmp(prev_id_, r.customer.data(), r.customer.size()) == 0;
        s.len = static_cast<std::uint8_t>(r.customer.size());
        std::memcpy(s.id, r.customer.data(), r.customer.size());
        s.day = r.day;
        s.amount = r.amount;
        s.hash = same ? prev_hash_ : customer_ids::hash(r.customer);
        s.same = same;
        if (!same) st_.prefetch(s.hash);
        prev_id_ = s.id;
        prev_len_ = s.len;
        prev_hash_ = s.hash;
        ++count_;
    }

    void flush() {
        while (count_ > 0) pop();
    }

private:
    static constexpr std::size_t depth = 16;
    static constexpr std::size_t max_id = 47;
    struct slot {
        std::uint32_t hash;
        day_number day;
        double amount;
        std::uint8_t len;
        bool same;  // the same id as the row before (whose index pop() remembers)
        char id[max_id];
    };

    void pop() {
        const slot& s = ring_[head_];
        // A row with the id of the row before needs no lookup: the ring holds consecutive rows.
        if (!s.same) last_ = st_.intern_hashed(std::string_view(s.id, s.len), s.hash);
        st_.add_index(last_, s.day, s.amount);
        head_ = (head_ + 1) % depth;
        --count_;
    }

    summary_state& st_;
    slot ring_[depth];
    std::size_t head_ = 0, count_ = 0;
    const char* prev_id_ = nullptr;
    std::size_t prev_len_ = 0;
    std::uint32_t prev_hash_ = 0;
    std::uint32_t last_ = 0;  // index of the row popped last
};

}  // namespace detail

inline read_report summary_state::add_file(const std::string& path, const read_options& read) {
    detail::pipelined_adder adder(*this);
    const auto rep = read_transactions(path, read, adder);
    adder.flush();
    return rep;
}
inline read_report summary_state::add_text(std::string_view text, const read_options& read,
                                           const std::string& name) {
    detail::pipelined_adder adder(*this);
    const auto rep = read_transactions_text(text, read, adder, name);
    adder.flush();
    return rep;
}
inline read_report summary_state::add_stream(std::istream& in, const read_options& read,
                                             const std::string& name) {
    detail::pipelined_adder adder(*this);
    const auto rep = read_transactions(in, read, adder, name);
    adder.flush();
    return rep;
}

namespace detail {

/// One streaming pass into a state, then (if any customer is unverified) a second pass over the
/// same input collecting only those customers' rows, which are recomputed in date order.
template <class ReadFn>
summary_table summarize_with(ReadFn&& read, const summary_options& options, read_report* report,
                             bool rereadable, const std::string& name) {
    summary_state st(options);
    pipelined_adder adder(st);
    const read_report rep = read(adder);
    adder.flush();
    if (report) *report = rep;
    if (st.unverified_transactions() > 0) {
        if (!rereadable)
            throw error(status::invalid_argument,
                        name + ": " + std::to_string(st.unverified_transactions()) +
                            " transactions are out of date order for their customer and the input "
                            "cannot be read twice; sort it by customer and date, or read it from a file");
        const auto flagged = st.unverified_customers();
        std::vector<std::uint8_t> want(st.customers(), 0);
        for (auto c : flagged) want[c] = 1;
        std::vector<transaction> rows;
        auto collect = [&](const transaction_row& r) {
            const auto c = st.ids().find(r.customer);
            if (c != customer_ids::npos && want[c]) rows.push_back({c, r.day, r.amount, 0});
        };
        read(collect);
        st.recompute(flagged, std::move(rows));
    }
    return st.result();
}

}  // namespace detail

/// Summarizes the transaction log at path (exact for any row order; see the top).
inline summary_table summarize(const std::string& path, const read_options& read,
                               const summary_options& options = {}, read_report* report = nullptr) {
    return detail::summarize_with(
        [&](auto& visit) { return read_transactions(path, read, visit); }, options, report, true, path);
}

/// Summarizes a log held in memory (exact for any row order).
inline summary_table summarize_text(std::string_view text, const read_options& read,
                                    const summary_options& options = {}, read_report* report = nullptr,
                                    const std::string& name = "<text>") {
    return detail::summarize_with(
        [&](auto& visit) { return read_transactions_text(text, read, visit, name); }, options, report,
        true, name);
}

/// Summarizes a stream such as std::cin in one pass; throws invalid_argument if the rows are out
/// of date order in a way that needs a second pass (see the top).
inline summary_table summarize_stream(std::istream& in, const read_options& read,
                                      const summary_options& options = {}, read_report* report = nullptr,
                                      const std::string& name = "<stream>") {
    return detail::summarize_with(
        [&](auto& visit) { return read_transactions(in, read, visit, name); }, options, report, false,
        name);
}

/// Summarizes transactions already in memory (any order; exact).
inline summary_table summarize(const transaction_log& log, const summary_options& options = {}) {
    summary_state st(options);
    for (std::uint32_t i = 0; i < log.customers.size(); ++i) st.intern(log.customers[i]);
    std::vector<transaction> rows = log.rows;
    std::stable_sort(rows.begin(), rows.end(), [](const transaction& a, const transaction& b) {
        return a.customer != b.customer ? a.customer < b.customer : a.day < b.day;
    });
    for (const auto& x : rows) st.add_index(x.customer, x.day, x.amount);
    return st.result();
}

}  // namespace ltv
