// SPDX-License-Identifier: Apache-2.0
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
//   litt            Σ log of the customer's inter-purchase times: the gaps between consecutive
//                   occasions (period starts) in the time unit; 0 when frequency = 0 (the
//                   regularity models, ltv/bgcnbd.hpp). Merging occasions by day (the default)
//                   makes every gap ≥ 1 day, so litt is finite. NaN where it cannot be known
//                   exactly (never a guessed value): with merge_period::none and two
//                   transactions on one day (a zero gap), for customers of an incremental state
//                   whose record is unverified or merged from overlapping states, and for
//                   customers with repeat occasions restored from a version-1 state file.
//   first_purchase, last_purchase  the actual first and last transaction days
//   transactions, total_amount     counts and sums over all transactions up to the end
// Durations are converted with time_unit (day, week = 7 days, month = 30 days, or any number of
// days from 1e-6 to 1e7: date.hpp, min_time_unit_days, so that every duration is finite),
// independently of the merge period. The observation end is inclusive; transactions after it
// are ignored and counted. Negative amounts (refunds) enter the sums as they are.
//
// Finite results: a customer's sums (total, value of the first occasion, holdout total) must
// stay finite; the amount that would make one overflow is refused (domain_error naming the
// customer and the summary column) and nothing is added — batches and files are checked whole
// before their first row is applied. result() checks every double it returns and names the
// customer and column of one that is not finite (monetary_value = (total − first) / frequency
// can overflow although both sums are finite).
//
// Calibration / holdout (summary_options::calibration_end set): the summary above is computed on
// transactions up to and including calibration_end (T measured to calibration_end), and for the
// holdout period (calibration_end, observation_end]:
//   frequency_holdout       number of occasions in the holdout (all of them, not "repeat")
//   monetary_value_holdout  mean occasion value in the holdout, 0 without holdout occasions
//   duration_holdout        observation_end − calibration_end in the unit (the same for all)
// Customers whose first transaction lies in the holdout are excluded (and counted). The
// observation end must not precede calibration_end (lifetimes requires observation_period_end
// >= calibration_period_end): an explicit one is checked by the constructor; the implied one
// (the last transaction day, when observation_end is not set) by result(), with
// invalid_argument naming both days (it would give a negative duration_holdout).
//
// Incremental use and order: summary_state keeps one compact record per customer (first and
// last day, occasion and transaction counts, value of the first occasion, total, Σ log gaps (litt):
// 40 bytes, plus 24 bytes for the holdout and 1 flag byte = 65 bytes, in chunks of 4096 records, so the spare
// capacity is at most one chunk and growing never copies records; the customer id storage is
// counted separately, see summary_state::memory()) and updates it per transaction. The result is
// exact — identical to one batch run — whenever, for every customer, each new transaction falls in
// a period that is (a) not earlier than the last period seen, (b) equal to the first or last period
// seen, (c) earlier than the first, or (d) the period of the transaction added just before it: in
// particular for logs in date order, logs sorted by customer and date (CDNOW), and nightly batches
// in date order. A transaction strictly between a customer's first and last periods cannot be told
// apart from an existing occasion without storing every occasion; it is counted as a new occasion
// and the customer is flagged (unverified_transactions() counts them). That is still exact when the
// chunks cover disjoint date ranges (nightly batches arriving in any order) and add_batch() sorts
// each chunk, so arbitrary order within a chunk is fine. The file and text summarize() functions
// are always exact: they re-read the input for the flagged customers only and recompute them from
// their sorted transactions.
//
// Speed: summarize() and summary_state::add_file/add_text/add_stream feed the rows through a
// short ring (detail::pipelined_adder) that prefetches each new id's hash-table slot 16 rows
// ahead, so that with hundreds of thousands of customers the cache misses overlap.
//
// Day numbers: every day entering from outside (add, add_batch, observation_end,
// calibration_end) must be a supported day (ltv::is_supported_day, years 1..9999), checked
// before any arithmetic, so that durations of supported days never overflow.
//
// No partial updates: add_file/add_text/add_stream apply all rows of the input or none: the
// input is parsed completely (into a fresh state when this one is empty, else into a compact
// staging table of ids and rows, about 16 bytes per row plus the batch's distinct ids) and
// only then added; the room the new customers need is reserved before the first row is
// applied, so that not even out-of-memory can stop it half way. summarize() from a file, which
// may read it twice, fails with io_error when the file changed between the two passes (device,
// inode, size or modification time, or the rows and bytes each pass read).
//
// Integer ids (issue 13): add_batch(array_view<std::int64_t>, …) adds rows keyed by int64
// customer ids, each stored as its canonical decimal text (ltv/integer_ids.hpp), so the integer
// 123 and the text "123" of a file are one customer; the integers are deduplicated on their own
// (no text per row), which makes the integer batch cheaper than the same ids packed as text.
//
// Merging (issue 13): summary_state::merge(other) adds a state built over other transactions
// (a partition of the customers, or of the time range, summarised in parallel) to this one; the
// options (observation_end, calibration_end, merge, unit) must be equal. Customers only in
// `other` are appended in its order; the counters (transactions, after the end, unverified) add
// up. A customer in both gets the record that folding `other`'s purchase occasions into this
// one's by the incremental rule above would give: its first and last occasions (in date order,
// or in reverse date order when its first period is earlier than this state's first period for
// the customer) go through detail::fold, which flags one strictly between this state's first and
// last periods as unverified; its other occasions lie strictly between its own first and last
// periods and count as new ones — unverified (all of them) when one of this state's periods for
// the customer can lie in that span. Totals, transactions and the first occasion's value are
// sums and always exact. So the merge is exact when the customers are disjoint, and when, for
// every customer in both, the periods of one state's transactions all come on or after the last
// period of the other's (partitions by time, either way round). Merging a state into itself is
// refused (every transaction would count twice). All or nothing: an error (options, a sum that
// overflows, out of memory) leaves this state unchanged.
//
// Saving: summary_state::save writes a versioned little-endian binary format: magic "LTVSUMST",
// format version, options, counters, ids, records, and an FNV-1a-64 checksum; restore() checks
// all of it and reports bad magic, unsupported versions, truncation and corruption as
// ltv::error(parse_error). The checksum only shows that the bytes are those written, so the
// restored values are checked too, record by record (the invariants add() keeps: counts
// non-negative and consistent, supported days in order and within the ends, finite sums, known
// flags, counters that add up); a violation names the customer (index and id) and the field.
// save_file() is atomic: it writes a temporary file next to the target, fsyncs it, renames it
// over the target and fsyncs the directory, so a failure (a full disk) leaves the previous
// file intact.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <istream>
#include <iterator>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(_WIN32)
#include <filesystem>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "ltv/array_view.hpp"
#include "ltv/customer_base.hpp"
#include "ltv/date.hpp"
#include "ltv/integer_ids.hpp"
#include "ltv/transactions.hpp"

namespace ltv {

struct summary_options {
    /// Inclusive end of observation; default: the last transaction day seen.
    std::optional<day_number> observation_end;
    /// Inclusive end of the calibration period; set it for a calibration/holdout split.
    std::optional<day_number> calibration_end;
    merge_period merge = merge_period::day;
    time_unit unit = default_time_unit();
};

/// The per-customer summary as columns (one entry per customer, first-seen order).
struct summary_table {
    std::vector<std::string> customer;
    std::vector<double> frequency;
    std::vector<double> recency;
    std::vector<double> T;
    std::vector<double> monetary_value;
    std::vector<double> litt;  ///< Σ log inter-purchase times (see the top; NaN: not known)
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

struct occasion_record {  // 40 bytes
    day_number first_day = std::numeric_limits<day_number>::max();
    day_number last_day = std::numeric_limits<day_number>::min();
    std::int32_t occasions = 0;
    std::int32_t transactions = 0;
    double first_value = 0;  // value of the first occasion
    double total = 0;
    double litt_days = 0;    // Σ log of the gaps between occasions in days; NaN: not known
};

struct holdout_record {  // 24 bytes
    day_number first_day = std::numeric_limits<day_number>::max();
    day_number last_day = std::numeric_limits<day_number>::min();
    std::int32_t occasions = 0;
    std::int32_t transactions = 0;
    double total = 0;
};

static_assert(sizeof(occasion_record) == 40, "compact record");
static_assert(sizeof(holdout_record) == 24, "compact record");

/// Folds one transaction into a record; returns false when it was unverifiable (see top).
/// known_period: the caller knows the period is already an occasion of this customer (the
/// previous transaction added was the same customer in the same period).
template <class Record>
inline bool fold(Record& r, merge_period merge, day_number day, double amount,
                 bool known_period = false) noexcept {
    constexpr bool has_first_value = std::is_same<Record, occasion_record>::value;
    constexpr double unknown = std::numeric_limits<double>::quiet_NaN();
    if (r.transactions == 0) {
        r.first_day = r.last_day = day;
        r.occasions = 1;
        r.transactions = 1;
        r.total = amount;
        if constexpr (has_first_value) {
            r.first_value = amount;
            r.litt_days = 0;
        }
        return true;
    }
    ++r.transactions;
    r.total += amount;
    if (merge == merge_period::none) {
        ++r.occasions;
        if constexpr (has_first_value) {
            // a new first or last occasion adds one gap; one between them splits a gap that is
            // not stored, and a same-day one is a zero gap (log 0): litt is not known
            if (day < r.first_day)
                r.litt_days += std::log(double(r.first_day) - double(day));
            else if (day > r.last_day)
                r.litt_days += std::log(double(day) - double(r.last_day));
            else
                r.litt_days = unknown;
        }
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
        if constexpr (has_first_value) {
            r.first_value = amount;
            r.litt_days += std::log(double(pf) - double(p));  // a new first gap
        }
    } else if (p == pl || p > pl) {
        if (p > pl) {
            ++r.occasions;
            if constexpr (has_first_value) r.litt_days += std::log(double(p) - double(pl));
        }
    } else if (known_period) {
        // merged into the occasion the previous transaction opened
    } else {
        ++r.occasions;  // strictly between first and last: assumed new
        verified = false;
        if constexpr (has_first_value) r.litt_days = unknown;  // it would split an unknown gap
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

/// Replaces the file at `path` with `data` atomically (POSIX): the data goes to a new file in
/// the same directory, is fsynced, renamed over `path` (rename is atomic within a file system)
/// and the directory is fsynced, so that after a crash or a failed write (full disk, file size
/// limit) `path` holds either the old or the new contents, never a mix. On failure the
/// temporary file is removed and io_error names the file, the step and the system's reason.
/// The temporary file is created with open(O_CREAT | O_EXCL) rather than mkstemp, whose mode
/// 0600 would make a state file that other users could read before unreadable after a save: it
/// gets the mode of the file it replaces, else 0666 less the umask, as std::ofstream would.
inline void write_file_atomically(const std::string& path, std::string_view data,
                                  const char* function) {
    auto fail_io = [&](const std::string& what, int err) {
        throw error(status::io_error, std::string(function) + ": cannot write '" + path +
                                          "': " + what + ": " + std::strerror(err));
    };
#if defined(_WIN32)
    // No atomic replace through the standard library here: write a temporary file, then swap.
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        out.close();
        if (!out) {
            std::remove(tmp.c_str());
            fail_io("writing a temporary file failed", errno);
        }
    }
    std::remove(path.c_str());
    if (std::rename(tmp.c_str(), path.c_str()) != 0) fail_io("renaming the temporary file", errno);
#else
    // A symbolic link is followed: its target is replaced, the link stays.
    std::string target = path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        if (char* real = ::realpath(path.c_str(), nullptr)) {
            target = real;
            std::free(real);
        }
    }
    const bool exists = ::stat(target.c_str(), &st) == 0;
    const mode_t mode = exists ? static_cast<mode_t>(st.st_mode & 07777) : 0666;
    const std::size_t slash = target.rfind('/');
    const std::string dir = slash == std::string::npos ? "."
                            : slash == 0               ? "/"
                                                       : target.substr(0, slash);

    std::string tmp;
    int fd = -1;
    static std::atomic<std::uint64_t> counter{0};
    for (int attempt = 0; fd < 0; ++attempt) {
        const std::uint64_t salt =
            (static_cast<std::uint64_t>(::getpid()) << 32) ^ ((++counter) * 0x9E3779B97F4A7C15ull) ^
            reinterpret_cast<std::uintptr_t>(&tmp) ^ static_cast<std::uint64_t>(attempt);
        char suffix[24];
        std::snprintf(suffix, sizeof suffix, ".tmp-%016llx", static_cast<unsigned long long>(salt));
        tmp = target + suffix;
        fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0 && (errno != EEXIST || attempt == 100))
            fail_io("cannot create a temporary file in '" + dir + "'", errno);
    }
    auto abandon = [&](const std::string& what) {
        const int err = errno;
        if (fd >= 0) ::close(fd);
        ::unlink(tmp.c_str());
        fail_io(what, err);
    };
    if (exists) (void)::fchmod(fd, mode);  // undo the umask: best effort, the data matters more
    for (std::size_t done = 0; done < data.size();) {
        const ::ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            abandon("writing the temporary file '" + tmp + "' failed");
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) abandon("flushing the temporary file to disk (fsync) failed");
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0) abandon("closing the temporary file failed");
    if (::rename(tmp.c_str(), target.c_str()) != 0)
        abandon("renaming the temporary file over it failed");
    // The rename is durable once the directory is: sync it (file systems that cannot sync a
    // directory say EINVAL; there is nothing more to do then).
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        const int synced = ::fsync(dfd);
        const int err = errno;
        ::close(dfd);
        if (synced != 0 && err != EINVAL && err != ENOTSUP)
            fail_io(
                "it was replaced, but syncing its directory failed (the new file may not "
                "survive a crash)",
                err);
    }
#endif
}

/// What identifies a file's contents cheaply: device, inode, size and modification time.
struct file_stamp {
    bool exists = false;
    std::uint64_t device = 0, inode = 0, size = 0;
    std::int64_t mtime_sec = 0, mtime_nsec = 0;
};

inline file_stamp stamp_file(const std::string& path) noexcept {
    file_stamp f;
#if !defined(_WIN32)
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return f;
    f.exists = true;
    f.device = static_cast<std::uint64_t>(st.st_dev);
    f.inode = static_cast<std::uint64_t>(st.st_ino);
    f.size = static_cast<std::uint64_t>(st.st_size);
    f.mtime_sec = static_cast<std::int64_t>(st.st_mtim.tv_sec);
    f.mtime_nsec = static_cast<std::int64_t>(st.st_mtim.tv_nsec);
#else
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return f;
    f.exists = true;
    f.size = size;
    f.mtime_sec = static_cast<std::int64_t>(
        std::filesystem::last_write_time(path, ec).time_since_epoch().count());
#endif
    return f;
}

/// "" when the two stamps describe the same file contents, else why not (for a message).
inline std::string file_change(const file_stamp& before, const file_stamp& after) {
    if (!after.exists) return "it no longer exists";
    if (before.device != after.device || before.inode != after.inode)
        return "it was replaced by another file";
    if (before.size != after.size)
        return "its size went from " + std::to_string(before.size) + " to " +
               std::to_string(after.size) + " bytes";
    if (before.mtime_sec != after.mtime_sec || before.mtime_nsec != after.mtime_nsec)
        return "it was modified";
    return "";
}

/// One row staged by summary_state::add_file & co. before it is applied (16 bytes).
struct staged_row {
    std::uint32_t customer;  // index into the staging ids
    day_number day;
    double amount;
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
    /// 2: records carry litt (0.2.6); version 1 files are still read (litt NaN where unknown).
    static constexpr std::uint32_t format_version = 2;

    explicit summary_state(summary_options options = {}) : opt_(options) {
        constexpr const char* fn = "summary_state";
        if (opt_.observation_end) detail::require_day(fn, "observation_end", *opt_.observation_end);
        if (opt_.calibration_end) detail::require_day(fn, "calibration_end", *opt_.calibration_end);
        if (opt_.calibration_end && opt_.observation_end && *opt_.calibration_end > *opt_.observation_end)
            detail::fail(status::invalid_argument, fn,
                         "calibration_end " + format_date(*opt_.calibration_end) +
                             " is after observation_end " + format_date(*opt_.observation_end));
        detail::require_time_unit(fn, "unit.days", opt_.unit.days);
    }

    const summary_options& options() const noexcept { return opt_; }
    std::size_t customers() const noexcept { return ids_.size(); }
    const customer_ids& ids() const noexcept { return ids_; }
    std::uint64_t transactions() const noexcept { return transactions_; }
    std::uint64_t transactions_after_end() const noexcept { return after_end_; }
    std::uint64_t unverified_transactions() const noexcept { return unverified_; }

    /// Adds one transaction; invalid_argument for an unsupported day or a non-finite amount.
    void add(std::string_view customer, day_number day, double amount) {
        check_row("summary_state::add", day, amount, detail::arg_name::scalar);
        add_index(ids_.intern(customer), day, amount);
    }
    void add(const transaction_row& r) { add(r.customer, r.day, r.amount); }
    /// Adds every row of a transaction log file / in-memory text / stream, in file order (a
    /// nightly batch; exact under the order rules at the top, use add_batch for a chunk in
    /// arbitrary order). All rows or none: a parse or read error leaves the state unchanged.
    /// Returns the reader's report.
    read_report add_file(const std::string& path, const read_options& read);
    read_report add_text(std::string_view text, const read_options& read, const std::string& name = "<text>");
    read_report add_stream(std::istream& in, const read_options& read, const std::string& name = "<stream>");

    /// save() to / restore() from a file; io_error names the file. save_file replaces the file
    /// atomically (detail::write_file_atomically): on failure the previous file is untouched.
    void save_file(const std::string& path) const {
        detail::write_file_atomically(path, save_bytes(), "summary_state::save_file");
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
        check_row("summary_state::add_hashed", day, amount, detail::arg_name::scalar);
        add_index(ids_.intern(customer, hash), day, amount);
    }
    void prefetch(std::uint32_t hash) const noexcept { ids_.prefetch(hash); }
    /// intern() with the id's hash (customer_ids::hash) computed by the caller.
    std::uint32_t intern_hashed(std::string_view customer, std::uint32_t hash) {
        const std::uint32_t c = ids_.intern(customer, hash);
        if (c >= cal_.size()) grow(c + 1);
        return c;
    }

    /// Adds a chunk of transactions in any order (sorted by customer and date first). Every
    /// row is checked first (invalid_argument naming the row: an unsupported day, a non-finite
    /// amount; domain_error naming the customer when its sums would overflow, see add_index),
    /// so a rejected batch leaves the state unchanged.
    void add_batch(array_view<transaction_row> rows) {
        for (std::size_t i = 0; i < rows.size(); ++i)
            check_row("summary_state::add_batch", rows[i].day, rows[i].amount, i);
        customer_ids batch_ids;
        std::vector<detail::staged_row> staged;
        staged.reserve(rows.size());
        for (const auto& r : rows) staged.push_back({batch_ids.intern(r.customer), r.day, r.amount});
        apply_staged(batch_ids, staged, true);
    }

    /// add_batch with int64 customer ids (ltv/integer_ids.hpp: each is its canonical decimal
    /// text), days and amounts as parallel columns (amounts empty: all 0). The same checks and
    /// the same all-or-nothing rule; the ids are deduplicated as integers, so no row is turned
    /// into text.
    void add_batch(array_view<std::int64_t> customers, array_view<day_number> days,
                   array_view<double> amounts = {}) {
        constexpr const char* fn = "summary_state::add_batch";
        const std::size_t n = customers.size();
        if (days.size() != n || (!amounts.empty() && amounts.size() != n))
            detail::fail(status::invalid_argument, fn,
                         "the columns have different lengths: " + std::to_string(n) +
                             " customers, " + std::to_string(days.size()) + " days, " +
                             std::to_string(amounts.size()) + " amounts");
        for (std::size_t i = 0; i < n; ++i)
            check_row(fn, days[i], amounts.empty() ? 0.0 : amounts[i], i);
        // The batch's ids as integers (no text per row; apply_staged formats each distinct one
        // when it looks it up in the state).
        int64_id_table batch_ids;
        batch_ids.reserve(n);
        std::vector<detail::staged_row> staged(n);
        for (std::size_t i = 0; i < n; ++i)
            staged[i] = {batch_ids.intern(customers[i]), days[i], amounts.empty() ? 0.0 : amounts[i]};
        apply_staged(batch_ids, staged, true);
    }

    /// Adds the state `other`, built over other transactions, to this one (see "Merging" at the
    /// top): equal options (invalid_argument naming the option and both values), not this state
    /// itself; customers only in `other` are appended in its order; counters add up. All or
    /// nothing.
    void merge(const summary_state& other) {
        constexpr const char* fn = "summary_state::merge";
        if (&other == this)
            detail::fail(status::invalid_argument, fn,
                         "a state cannot be merged into itself: every transaction would count "
                         "twice");
        check_same_options(fn, other.opt_);
        const bool split = opt_.calibration_end.has_value();
        constexpr auto npos = customer_ids::npos;
        const std::size_t n = other.ids_.size();
        // The dry run: merged records of the customers in both, computed aside.
        struct merged {
            std::uint32_t customer;
            detail::occasion_record cal;
            detail::holdout_record hold;
            bool unverified;
        };
        std::vector<merged> both;
        std::vector<std::uint32_t> to_state(n);
        std::size_t fresh = 0, fresh_chars = 0;
        std::uint64_t unverified = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::string_view id = other.ids_[i];
            const std::uint32_t c = ids_.find(id);
            to_state[i] = c;
            if (c == npos) {
                ++fresh;
                fresh_chars += id.size();
                continue;
            }
            merged m{c, c < cal_.size() ? cal_[c] : detail::occasion_record{},
                     split && c < hold_.size() ? hold_[c] : detail::holdout_record{}, false};
            const auto name = [&] { return id; };
            std::uint64_t u = merge_record(m.cal, other.cal_[i], name);
            if (split) u += merge_record(m.hold, other.hold_[i], name);
            m.unverified = u > 0 || (other.flags_[i] & flag_unverified) != 0;
            unverified += u;
            both.push_back(m);
        }
        const std::size_t customers_after = ids_.size() + fresh;
        ids_.reserve(customers_after, ids_.id_chars() + fresh_chars);
        cal_.reserve(customers_after);
        flags_.reserve(customers_after);
        if (split) hold_.reserve(customers_after);
        // Nothing below allocates or throws: the merge is applied completely.
        for (const merged& m : both) {
            if (m.customer >= cal_.size()) grow(m.customer + 1);
            cal_[m.customer] = m.cal;
            if (split) hold_[m.customer] = m.hold;
            if (m.unverified) flags_[m.customer] |= flag_unverified;
        }
        for (std::uint32_t i = 0; i < n; ++i) {
            if (to_state[i] != npos) continue;
            const std::uint32_t c = intern(other.ids_[i]);
            cal_[c] = other.cal_[i];
            if (split) hold_[c] = other.hold_[i];
            flags_[c] = other.flags_[i];
        }
        transactions_ += other.transactions_;
        after_end_ += other.after_end_;
        unverified_ += other.unverified_ + unverified;
        max_day_ = std::max(max_day_, other.max_day_);
        prev_customer_ = customer_ids::npos;  // the within-run hint no longer holds
    }

    /// Interns a customer id (a customer without transactions does not appear in results).
    std::uint32_t intern(std::string_view customer) {
        const std::uint32_t c = ids_.intern(customer);
        if (c >= cal_.size()) grow(c + 1);
        return c;
    }

    /// Adds a transaction of an already interned customer (index from ids()). The day must be
    /// supported (is_supported_day; rows from the reader always are): unchecked, this is the
    /// hot path of summarize().
    ///
    /// A customer's sums (its total, its first occasion's value, its holdout total) must stay
    /// finite: an amount that makes one overflow throws domain_error naming the customer and
    /// the column, and changes nothing (issue 8, D14: three amounts of 1e308 gave
    /// monetary_value = inf with OK, and a state file that could not be restored).
    void add_index(std::uint32_t c, day_number day, double amount) {
        if (c >= cal_.size()) grow(c + 1);
        if (opt_.observation_end && day > *opt_.observation_end) {
            ++transactions_;
            ++after_end_;
            return;
        }
        // Same customer and period as the transaction just before: a known occasion (this
        // makes sorted batches exact even between a customer's first and last periods).
        const day_number p = period_start(opt_.merge, day);
        const bool in_holdout = opt_.calibration_end && day > *opt_.calibration_end;
        const bool known = opt_.merge != merge_period::none && c == prev_customer_ &&
                           p == prev_period_ && in_holdout == prev_holdout_;
        const auto id = [&] { return ids_[c]; };
        const bool ok = in_holdout ? fold_checked(hold_[c], id, day, amount, known)
                                   : fold_checked(cal_[c], id, day, amount, known);
        ++transactions_;
        max_day_ = std::max(max_day_, day);
        prev_customer_ = c;
        prev_period_ = p;
        prev_holdout_ = in_holdout;
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
    /// All or nothing: the new records are computed aside and replace the old ones only when
    /// every one succeeded (a sum that overflows throws domain_error, as in add_index).
    void recompute(array_view<std::uint32_t> customers_to_reset, std::vector<transaction> rows) {
        std::stable_sort(rows.begin(), rows.end(), [](const transaction& a, const transaction& b) {
            return a.customer != b.customer ? a.customer < b.customer : a.day < b.day;
        });
        // Fresh records for the customers to reset, indexed like customers_to_reset.
        std::vector<std::uint32_t> order(customers_to_reset.begin(), customers_to_reset.end());
        std::sort(order.begin(), order.end());
        order.erase(std::unique(order.begin(), order.end()), order.end());
        std::vector<detail::occasion_record> cal(order.size());
        std::vector<detail::holdout_record> hold(order.size());
        std::size_t k = 0;
        for (const auto& x : rows) {
            // The rows are sorted by customer, as `order`: advance to the row's customer.
            while (k < order.size() && order[k] < x.customer) ++k;
            if (k == order.size() || order[k] != x.customer)
                throw error(status::internal, "summary_state::recompute: a row of customer " +
                                                  std::to_string(x.customer) +
                                                  " that is not being recomputed");
            if (opt_.observation_end && x.day > *opt_.observation_end) continue;
            const auto id = [&] { return ids_[x.customer]; };
            const bool ok = opt_.calibration_end && x.day > *opt_.calibration_end
                                ? fold_checked(hold[k], id, x.day, x.amount, false)
                                : fold_checked(cal[k], id, x.day, x.amount, false);
            if (!ok) throw error(status::internal, "summary_state::recompute: rows not sorted");
        }
        for (std::size_t i = 0; i < order.size(); ++i) {
            const std::uint32_t c = order[i];
            cal_[c] = cal[i];
            if (!hold_.empty()) hold_[c] = hold[i];
            flags_[c] = 0;
        }
        // The rows were counted (transactions, after-end) when first added. Once no customer is
        // flagged any more, nothing is unverified.
        bool any_flagged = false;
        for (std::size_t i = 0; i < flags_.size() && !any_flagged; ++i)
            any_flagged = (flags_[i] & flag_unverified) != 0;
        if (!any_flagged) unverified_ = 0;
    }

    /// The summary as of now. Without observation_end the observation ends on the last
    /// transaction day seen (without any: 1970-01-01, or calibration_end when set). With a
    /// calibration_end after that last day the holdout would have a negative length:
    /// invalid_argument naming both days (as lifetimes, which requires observation_period_end
    /// >= calibration_period_end). Every value is finite (domain_error naming the customer and
    /// the column otherwise; add_index keeps the sums finite, so only monetary_value, total −
    /// first occasion, can still overflow).
    summary_table result() const {
        constexpr const char* fn = "summary_state::result";
        summary_table t;
        const bool seen = max_day_ != std::numeric_limits<day_number>::min();
        const day_number end = opt_.observation_end ? *opt_.observation_end
                               : seen                ? max_day_
                                                     : opt_.calibration_end.value_or(0);
        if (opt_.calibration_end && end < *opt_.calibration_end)  // only the implied end can be
            detail::fail(status::invalid_argument, fn,
                         "calibration_end " + format_date(*opt_.calibration_end) +
                             " is after the observation end " + format_date(end) +
                             ", the last transaction day (the default when observation_end is "
                             "not set), so the holdout period would be negative; set "
                             "observation_end to a day on or after calibration_end");
        const day_number cal_end = opt_.calibration_end ? *opt_.calibration_end : end;
        t.observation_end = end;
        t.calibration_end = opt_.calibration_end;
        t.merge = opt_.merge;
        t.unit = opt_.unit;
        t.transactions_after_end = after_end_;
        t.unverified_transactions = unverified_;
        const merge_period m = opt_.merge;
        const double u = opt_.unit.days;
        const std::int64_t cal_end_p = period_start(m, cal_end);
        const bool holdout = opt_.calibration_end.has_value();
        // Supported days and time unit: the durations below are finite (date.hpp, time_unit).
        if (holdout)
            t.duration_holdout =
                static_cast<double>(std::int64_t(period_start(m, end)) - cal_end_p) / u;
        const std::size_t n = cal_.size();
        t.customer.reserve(n);
        for (auto* v :
             {&t.frequency, &t.recency, &t.T, &t.monetary_value, &t.litt, &t.total_amount})
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
            // Every day here is supported (checked when added or restored), so these
            // differences lie within ±3.7 million days; int64 keeps that obvious.
            const std::int64_t pf = period_start(m, r.first_day);
            const std::int64_t pl = period_start(m, r.last_day);
            const int freq = r.occasions - 1;
            t.customer.emplace_back(ids_[static_cast<std::uint32_t>(c)]);
            t.frequency.push_back(freq);
            t.recency.push_back(static_cast<double>(pl - pf) / u);
            t.T.push_back(static_cast<double>(cal_end_p - pf) / u);
            t.monetary_value.push_back(freq > 0 ? (r.total - r.first_value) / freq : 0.0);
            // gaps in the unit: Σ log(gap_days / u) = Σ log gap_days − x·log u (NaN stays NaN)
            t.litt.push_back(freq > 0 ? r.litt_days - freq * std::log(u) : 0.0);
            t.first_purchase.push_back(r.first_day);
            t.last_purchase.push_back(r.last_day);
            t.transactions.push_back(r.transactions);
            t.total_amount.push_back(r.total);
            if (holdout) {
                const auto& h = hold_[c];
                t.frequency_holdout.push_back(h.occasions);
                t.monetary_value_holdout.push_back(h.occasions > 0 ? h.total / h.occasions : 0.0);
            }
            // Every double of the row is checked, not only the one known to overflow: a result
            // with OK is finite (issue 8, D14).
            const std::size_t row = t.customer.size() - 1;
            for (const auto& [column, value] :
                 {std::pair{"recency", t.recency[row]}, std::pair{"T", t.T[row]},
                  std::pair{"monetary_value", t.monetary_value[row]},
                  std::pair{"total_amount", t.total_amount[row]},
                  std::pair{"frequency_holdout", holdout ? t.frequency_holdout[row] : 0.0},
                  std::pair{"monetary_value_holdout",
                            holdout ? t.monetary_value_holdout[row] : 0.0}})
                if (!std::isfinite(value))
                    detail::fail(status::domain_error, fn,
                                 "customer '" + detail::excerpt(t.customer[row]) + "': " +
                                     column + " = " + detail::format_value(value) +
                                     " is not a finite number (the sums it is computed from "
                                     "overflow double precision)");
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
        const std::string o = save_bytes();
        out.write(o.data(), static_cast<std::streamsize>(o.size()));
        if (!out) throw error(status::io_error, "summary_state::save: write failed");
    }

    /// The saved form (see save()) as bytes.
    std::string save_bytes() const {
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
            detail::put_f64(o, r.litt_days);
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
        return o;
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
        if (version != format_version && version != 1)
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
        // Checked here, not only by the constructor, so that damage is a parse error.
        if (flags & ~3u)
            throw error(status::parse_error,
                        pre + "corrupted: unknown option flags " + std::to_string(flags));
        for (const auto& [set, day, what] :
             {std::tuple{(flags & 1u) != 0, end, "observation end"},
              std::tuple{(flags & 2u) != 0, split, "calibration end"}})
            if (set ? !is_supported_day(day) : day != 0)
                throw error(
                    status::parse_error,
                    pre + "corrupted: " + what + " " + std::to_string(day) +
                        (set ? " is not a supported day number" : " is stored but not set"));
        if ((flags & 3u) == 3u && split > end)
            throw error(status::parse_error,
                        pre + "corrupted: calibration end " + format_date(split) +
                            " is after the observation end " + format_date(end));
        const auto merge = static_cast<std::uint32_t>(r.u(4, "merge period"));
        if (merge > 3) throw error(status::parse_error, pre + "corrupted: merge period " + std::to_string(merge));
        o.merge = static_cast<merge_period>(merge);
        o.unit.days = r.f64("time unit");
        if (!is_supported_time_unit(o.unit.days))  // as the constructor, but a parse error
            throw error(status::parse_error, pre + "corrupted: unit.days = " +
                                                 detail::format_value(o.unit.days) + " " +
                                                 detail::time_unit_range());
        summary_state st(o);
        st.max_day_ = r.i32("last day");
        st.transactions_ = r.u(8, "transaction count");
        st.after_end_ = r.u(8, "count after end");
        st.unverified_ = r.u(8, "unverified count");
        const std::uint64_t n = r.u(8, "customer count");
        const std::size_t per = (version == 1 ? 33 : 41) + 4 + (o.calibration_end ? 24 : 0);
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
            // version 1 has no litt: known (0) only without repeat occasions
            c.litt_days = version == 1 ? (c.occasions > 1 ? std::numeric_limits<double>::quiet_NaN() : 0.0)
                                       : r.f64("record");
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
        st.check_restored();
        return st;
    }

private:
    static constexpr std::uint8_t flag_unverified = 1;

    /// add_file & co.: read(visitor) runs the reader; its rows are applied only if it succeeds.
    template <class ReadFn>
    read_report add_all_or_nothing(ReadFn&& read);

    /// Applies a staged batch (rows whose customers index `batch_ids`) all or nothing. First
    /// the rows are folded into copies of the records they touch, so that a sum that would
    /// overflow (domain_error, see add_index) is found before anything changes; then the room
    /// for the new customers is reserved (the only step that can fail: out of memory, still
    /// before any change) and the rows are applied, which can no longer fail — the dry run
    /// folded the same rows into the same records. by_customer: apply each customer's rows
    /// together in date order (stable), customers in index order, new ones after the known in
    /// batch order (add_batch); otherwise in the order given (add_file & co.).
    /// BatchIds: customer_ids or int64_id_table (size(), operator[] → the id's text, read one
    /// at a time).
    template <class BatchIds>
    void apply_staged(const BatchIds& batch_ids, std::vector<detail::staged_row>& rows,
                      bool by_customer) {
        constexpr auto npos = customer_ids::npos;
        std::vector<std::uint32_t> to_state(batch_ids.size());
        std::size_t fresh = 0, fresh_chars = 0;
        for (std::uint32_t i = 0; i < batch_ids.size(); ++i) {
            to_state[i] = ids_.find(batch_ids[i]);
            if (to_state[i] == npos) {
                ++fresh;
                fresh_chars += batch_ids[i].size();
            }
        }
        if (by_customer) {
            // The index each customer has or will get: new ones are interned in batch order.
            std::vector<std::uint32_t> index(batch_ids.size());
            auto next = static_cast<std::uint32_t>(ids_.size());
            for (std::uint32_t i = 0; i < batch_ids.size(); ++i)
                index[i] = to_state[i] != npos ? to_state[i] : next++;
            std::stable_sort(rows.begin(), rows.end(),
                             [&](const detail::staged_row& a, const detail::staged_row& b) {
                                 return index[a.customer] != index[b.customer]
                                            ? index[a.customer] < index[b.customer]
                                            : a.day < b.day;
                             });
        }
        {  // the dry run
            const bool split = opt_.calibration_end.has_value();
            std::vector<detail::occasion_record> cal(batch_ids.size());
            std::vector<detail::holdout_record> hold(split ? batch_ids.size() : 0);
            for (std::uint32_t i = 0; i < batch_ids.size(); ++i) {
                if (to_state[i] == npos || to_state[i] >= cal_.size()) continue;
                cal[i] = cal_[to_state[i]];
                if (split) hold[i] = hold_[to_state[i]];
            }
            for (const auto& x : rows) {
                if (opt_.observation_end && x.day > *opt_.observation_end) continue;
                const auto id = [&] { return batch_ids[x.customer]; };
                if (split && x.day > *opt_.calibration_end)
                    fold_checked(hold[x.customer], id, x.day, x.amount, false);
                else
                    fold_checked(cal[x.customer], id, x.day, x.amount, false);
            }
        }
        const std::size_t customers_after = ids_.size() + fresh;
        ids_.reserve(customers_after, ids_.id_chars() + fresh_chars);
        cal_.reserve(customers_after);
        flags_.reserve(customers_after);
        if (opt_.calibration_end) hold_.reserve(customers_after);
        // Nothing below allocates or throws: the batch is applied completely.
        for (std::uint32_t i = 0; i < batch_ids.size(); ++i)
            if (to_state[i] == npos) to_state[i] = intern(batch_ids[i]);
        for (const auto& x : rows) add_index(to_state[x.customer], x.day, x.amount);
    }

    /// merge(): the options of `other` must equal this state's; invalid_argument naming the
    /// first that differs and both values.
    void check_same_options(const char* fn, const summary_options& other) const {
        const auto day = [](const std::optional<day_number>& d) {
            return d ? format_date(*d) : std::string("not set");
        };
        const auto differs = [&](const char* option, const std::string& here,
                                 const std::string& there) {
            detail::fail(status::invalid_argument, fn,
                         std::string("the states' options differ: ") + option + " is " + here +
                             " in this state but " + there +
                             " in the state merged into it (merging needs equal options)");
        };
        if (opt_.observation_end != other.observation_end)
            differs("observation_end", day(opt_.observation_end), day(other.observation_end));
        if (opt_.calibration_end != other.calibration_end)
            differs("calibration_end", day(opt_.calibration_end), day(other.calibration_end));
        if (opt_.merge != other.merge)
            differs("merge", to_string(opt_.merge), to_string(other.merge));
        if (opt_.unit.days != other.unit.days)
            differs("unit.days", detail::format_value(opt_.unit.days),
                    detail::format_value(other.unit.days));
    }

    /// merge(): record b of the other state folded into record a (see "Merging" at the top);
    /// returns the unverified occasions (at most b.occasions). domain_error naming the customer
    /// (id() gives its id, only then) when a sum overflows or the transactions exceed int32; a
    /// is then unchanged.
    template <class Record, class IdFn>
    std::uint64_t merge_record(Record& a, const Record& b, IdFn&& id) const {
        constexpr bool calibration = std::is_same<Record, detail::occasion_record>::value;
        if (b.transactions == 0) return 0;
        if (a.transactions == 0) {
            a = b;
            return 0;
        }
        const merge_period m = opt_.merge;
        const std::int64_t transactions = std::int64_t(a.transactions) + b.transactions;
        if (transactions > std::numeric_limits<std::int32_t>::max())
            throw error(status::domain_error,
                        "summary_state::merge: customer '" + detail::excerpt(id()) + "' would have " +
                            std::to_string(transactions) + " transactions" +
                            (calibration ? "" : " in the holdout") + ", more than 2^31 - 1");
        Record r = a;
        double first_amount = b.total, rest = 0;
        if constexpr (calibration) {
            first_amount = b.first_value;
            rest = b.total - b.first_value;
        }
        std::uint64_t unverified = 0;
        const auto fold = [&](day_number day, double amount) {
            if (!detail::fold(r, m, day, amount)) ++unverified;
        };
        const std::int64_t pfa = period_start(m, a.first_day), pla = period_start(m, a.last_day);
        const std::int64_t pfb = period_start(m, b.first_day), plb = period_start(m, b.last_day);
        if (b.occasions < 2) {
            fold(b.first_day, first_amount);
        } else {
            // The last occasion first when b begins earlier, so that each fold meets a period on
            // or beyond an end of the record (exact for disjoint time ranges either way round).
            if (pfb < pfa) {
                fold(b.last_day, rest);
                fold(b.first_day, first_amount);
            } else {
                fold(b.first_day, first_amount);
                fold(b.last_day, rest);
            }
            // b's other occasions: strictly between its first and last periods, new ones;
            // unverified if one of a's periods can lie there.
            const std::int32_t middle = b.occasions - 2;
            r.occasions += middle;
            if (middle > 0 && m != merge_period::none) {
                const auto inside = [&](std::int64_t p) { return pfb < p && p < plb; };
                const bool a_middle = a.occasions > (pfa == pla ? 1 : 2) &&
                                      std::max(pfa, pfb) < std::min(pla, plb);
                if (inside(pfa) || inside(pla) || a_middle)
                    unverified += static_cast<std::uint64_t>(middle);
            }
        }
        // Sums are sums, and the ends ends, whatever the occasions: taken whole, not through
        // the folds (one fold per occasion sees one day of it and guesses its amount).
        r.first_day = std::min(a.first_day, b.first_day);
        r.last_day = std::max(a.last_day, b.last_day);
        r.transactions = static_cast<std::int32_t>(transactions);
        r.total = a.total + b.total;
        if constexpr (calibration) {
            // The first occasion is the earlier state's, or both states' when they share its
            // period; without merging, the earlier transaction's (a's on the same day, as fold
            // keeps the first one added).
            if (m == merge_period::none)
                r.first_value = b.first_day < a.first_day ? b.first_value : a.first_value;
            else
                r.first_value = pfb < pfa   ? b.first_value
                                : pfa < pfb ? a.first_value
                                            : a.first_value + b.first_value;
        }
        const char* column = nullptr;
        if (!std::isfinite(r.total))
            column = calibration ? "total_amount (the sum of its amounts)"
                                 : "monetary_value_holdout (the sum of its holdout amounts)";
        if constexpr (calibration)
            if (column == nullptr && !std::isfinite(r.first_value))
                column = "monetary_value (the value of its first purchase occasion)";
        if (column != nullptr)
            throw error(status::domain_error, "summary_state::merge: customer '" +
                                                  detail::excerpt(id()) + "': " + column +
                                                  " overflows double precision when the states "
                                                  "are merged");
        if constexpr (calibration) {
            // litt: exact when one state's occasions all come on or after the other's last
            // occasion (a shared boundary period is one occasion: no gap, except without
            // merging, where a shared day is a zero gap); otherwise not known.
            const auto joined = [&](const Record& early, std::int64_t last_early,
                                    const Record& late, std::int64_t first_late) {
                if (first_late > last_early)
                    return early.litt_days + late.litt_days +
                           std::log(double(first_late) - double(last_early));
                if (m != merge_period::none) return early.litt_days + late.litt_days;
                return std::numeric_limits<double>::quiet_NaN();
            };
            r.litt_days = pfb >= pla   ? joined(a, pla, b, pfb)
                          : plb <= pfa ? joined(b, plb, a, pfa)
                                       : std::numeric_limits<double>::quiet_NaN();
        }
        a = r;
        return unverified;
    }

    /// detail::fold() that keeps the record's sums finite (see add_index): when the amount
    /// would make one overflow, throws domain_error naming the customer (id() gives its id, only
    /// then), the summary column the sum feeds and the amount, and leaves r unchanged.
    template <class Record, class IdFn>
    bool fold_checked(Record& r, IdFn&& id, day_number day, double amount, bool known) const {
        Record next = r;
        const bool verified = detail::fold(next, opt_.merge, day, amount, known);
        constexpr bool calibration = std::is_same<Record, detail::occasion_record>::value;
        const char* column = nullptr;
        if (!std::isfinite(next.total)) {
            column = calibration ? "total_amount (the sum of its amounts)"
                                 : "monetary_value_holdout (the sum of its holdout amounts)";
        } else if constexpr (calibration) {
            if (!std::isfinite(next.first_value))
                column = "monetary_value (the value of its first purchase occasion)";
        }
        if (column != nullptr)
            throw error(status::domain_error,
                        "summary_state: customer '" + detail::excerpt(id()) + "': " + column +
                            " overflows double precision when the amount " +
                            detail::format_value(amount) + " of " + format_date(day) +
                            " is added");
        r = next;
        return verified;
    }

    /// A day and an amount from outside: a supported day and a finite amount ("rows[i]." in
    /// the names of batch rows).
    static void check_row(const char* fn, day_number day, double amount, std::size_t row) {
        if (is_supported_day(day) && std::isfinite(amount)) return;
        const std::string at =
            row == detail::arg_name::scalar ? "" : "rows[" + std::to_string(row) + "].";
        detail::require_day(fn, at + "day", day);
        detail::require_finite(fn, at + "amount", amount);
    }

    /// The invariants add_index() keeps, checked on a restored state (see the top): a file with
    /// a valid checksum may still come from a buggy or hostile writer. Throws parse_error naming
    /// the customer (index and id) and the field.
    void check_restored() const {
        const std::string pre = "summary state: corrupted: ";
        const bool split = opt_.calibration_end.has_value();
        const std::int64_t obs_hi =
            opt_.observation_end ? *opt_.observation_end : max_supported_day;
        const std::int64_t cal_hi = split ? *opt_.calibration_end : obs_hi;
        std::uint64_t counted = 0, flagged = 0;
        std::int64_t last_seen = std::numeric_limits<day_number>::min();
        for (std::size_t i = 0; i < cal_.size(); ++i) {
            const auto id = ids_[static_cast<std::uint32_t>(i)];
            const std::string who =
                "customer " + std::to_string(i) + " ('" + detail::excerpt(id) + "'): ";
            if (id.empty()) throw error(status::parse_error, pre + who + "empty id");
            check_record(cal_[i], pre + who, min_supported_day, cal_hi);
            counted += static_cast<std::uint64_t>(cal_[i].transactions);
            if (cal_[i].transactions > 0)
                last_seen = std::max<std::int64_t>(last_seen, cal_[i].last_day);
            if (split) {
                check_record(hold_[i], pre + who + "holdout ",
                             std::int64_t(*opt_.calibration_end) + 1, obs_hi);
                counted += static_cast<std::uint64_t>(hold_[i].transactions);
                if (hold_[i].transactions > 0)
                    last_seen = std::max<std::int64_t>(last_seen, hold_[i].last_day);
            }
            if (flags_[i] & ~flag_unverified)
                throw error(status::parse_error, pre + who +
                                                     "flags = " + std::to_string(flags_[i]) +
                                                     " has unknown bits (known: 1 = unverified)");
            flagged += flags_[i] & flag_unverified;
        }
        auto bad = [&](const std::string& what) { throw error(status::parse_error, pre + what); };
        if (after_end_ > 0 && !opt_.observation_end)
            bad(std::to_string(after_end_) + " transactions after the end but no observation end");
        if (after_end_ > transactions_ || counted != transactions_ - after_end_)
            bad("the transaction count " + std::to_string(transactions_) + " is not the " +
                std::to_string(counted) + " in the records plus the " + std::to_string(after_end_) +
                " after the end");
        if ((unverified_ == 0) != (flagged == 0) || unverified_ < flagged ||
            unverified_ > transactions_ - after_end_)
            bad("the unverified count " + std::to_string(unverified_) + " does not match the " +
                std::to_string(flagged) + " flagged customers");
        if (max_day_ != last_seen)
            bad("the last day " + std::to_string(max_day_) +
                (last_seen == std::numeric_limits<day_number>::min()
                     ? std::string(" is set but no record has transactions")
                     : " is not the records' last day " + std::to_string(last_seen)));
    }

    /// One record of a restored state; `where` begins the message, [lo, hi] are its days' bounds.
    template <class Record>
    void check_record(const Record& r, const std::string& where, std::int64_t lo,
                      std::int64_t hi) const {
        auto bad = [&](const std::string& field, const std::string& what) {
            throw error(status::parse_error, where + field + " " + what);
        };
        constexpr bool has_first_value = std::is_same<Record, detail::occasion_record>::value;
        if (r.transactions < 0)
            bad("transactions", "= " + std::to_string(r.transactions) + " is negative");
        if (r.occasions < 0) bad("occasions", "= " + std::to_string(r.occasions) + " is negative");
        if (r.transactions == 0) {
            bool empty = r.occasions == 0 && r.first_day == Record{}.first_day &&
                         r.last_day == Record{}.last_day && r.total == 0;
            if constexpr (has_first_value) empty = empty && r.first_value == 0 && r.litt_days == 0;
            if (!empty) bad("record", "has no transactions but is not empty");
            return;
        }
        if constexpr (has_first_value) {
            // litt: NaN (not known) or finite; 0 with a single occasion
            if (std::isinf(r.litt_days) ||
                (r.occasions == 1 && !std::isnan(r.litt_days) && r.litt_days != 0))
                bad("litt", "= " + detail::format_value(r.litt_days) +
                                " is not NaN or a finite number (0 with one occasion)");
        }
        if (r.occasions == 0)
            bad("occasions", "= 0 with " + std::to_string(r.transactions) + " transactions");
        if (r.occasions > r.transactions)
            bad("occasions", "= " + std::to_string(r.occasions) + " exceeds the " +
                                 std::to_string(r.transactions) + " transactions");
        if (opt_.merge == merge_period::none && r.occasions != r.transactions)
            bad("occasions", "= " + std::to_string(r.occasions) + " differs from the " +
                                 std::to_string(r.transactions) +
                                 " transactions although nothing is merged");
        for (const auto& [day, name] :
             {std::pair{r.first_day, "first_day"}, std::pair{r.last_day, "last_day"}}) {
            if (!is_supported_day(day))
                bad(name, "= " + std::to_string(day) + " is not a supported day number");
            if (day < lo || day > hi)
                bad(name, "= " + format_date(day) + " lies outside the period of the record (" +
                              (lo == min_supported_day
                                   ? std::string("up to ")
                                   : "after " + format_date(static_cast<day_number>(lo - 1)) +
                                         ", up to ") +
                              (hi == max_supported_day ? std::string("any day")
                                                       : format_date(static_cast<day_number>(hi))) +
                              ")");
        }
        if (r.first_day > r.last_day)
            bad("first_day", "= " + format_date(r.first_day) +
                                 " is after last_day = " + format_date(r.last_day));
        if (!std::isfinite(r.total))
            bad("total", "= " + detail::format_value(r.total) + " is not finite");
        if constexpr (has_first_value)
            if (!std::isfinite(r.first_value))
                bad("first_value", "= " + detail::format_value(r.first_value) + " is not finite");
    }

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

template <class ReadFn>
read_report summary_state::add_all_or_nothing(ReadFn&& read) {
    if (ids_.size() == 0 && transactions_ == 0) {
        // A new state: read into a fresh one at full speed and take it over on success.
        summary_state fresh(opt_);
        detail::pipelined_adder adder(fresh);
        read_report rep = read(adder);
        adder.flush();
        *this = std::move(fresh);
        return rep;
    }
    // Stage the batch (its ids interned on their own, the rows in file order), then apply it.
    customer_ids staged_ids;
    std::vector<detail::staged_row> rows;
    auto stage = [&](const transaction_row& r) {
        rows.push_back({staged_ids.intern(r.customer), r.day, r.amount});
    };
    read_report rep = read(stage);
    apply_staged(staged_ids, rows, false);
    return rep;
}

inline read_report summary_state::add_file(const std::string& path, const read_options& read) {
    return add_all_or_nothing([&](auto& visit) { return read_transactions(path, read, visit); });
}
inline read_report summary_state::add_text(std::string_view text, const read_options& read,
                                           const std::string& name) {
    return add_all_or_nothing(
        [&](auto& visit) { return read_transactions_text(text, read, visit, name); });
}
inline read_report summary_state::add_stream(std::istream& in, const read_options& read,
                                             const std::string& name) {
    return add_all_or_nothing(
        [&](auto& visit) { return read_transactions(in, read, visit, name); });
}

namespace detail {

/// One streaming pass into a state, then (if any customer is unverified) a second pass over the
/// same input collecting only those customers' rows, which are recomputed in date order.
/// unchanged(first, second): "" when the input read the second time is the one read the first
/// time, else why not (the two passes' reports are compared here as well).
template <class ReadFn, class Unchanged>
summary_table summarize_with(ReadFn&& read, const summary_options& options, read_report* report,
                             bool rereadable, const std::string& name, Unchanged&& unchanged) {
    summary_state st(options);
    pipelined_adder adder(st);
    const read_report rep = read(adder);
    adder.flush();
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
        auto changed = [&](const std::string& why) {
            return error(status::io_error,
                         name + ": the file changed while it was read (" + why +
                             " between the two passes that rows out of date order need); "
                             "summarize it again once it is complete");
        };
        read_report again;
        try {
            again = read(collect);
        } catch (const error&) {
            // A row cut in half by truncation fails to parse: the change is the news.
            const std::string why = unchanged();
            if (!why.empty()) throw changed(why);
            throw;
        }
        std::string why = unchanged();
        if (why.empty() && (again.rows != rep.rows || again.skipped != rep.skipped ||
                            again.bytes != rep.bytes || again.lines != rep.lines))
            why = "the second pass read " + std::to_string(again.rows) + " rows in " +
                  std::to_string(again.bytes) + " bytes, the first " + std::to_string(rep.rows) +
                  " rows in " + std::to_string(rep.bytes) + " bytes";
        if (!why.empty()) throw changed(why);
        st.recompute(flagged, std::move(rows));
    }
    if (report) *report = rep;
    return st.result();
}

}  // namespace detail

/// Summarizes the transaction log at path (exact for any row order; see the top). Fails with
/// io_error if the file changes between the two passes that rows out of date order need.
inline summary_table summarize(const std::string& path, const read_options& read,
                               const summary_options& options = {}, read_report* report = nullptr) {
    const detail::file_stamp before = detail::stamp_file(path);
    return detail::summarize_with(
        [&](auto& visit) { return read_transactions(path, read, visit); }, options, report, true,
        path, [&] { return detail::file_change(before, detail::stamp_file(path)); });
}

/// Summarizes a log held in memory (exact for any row order).
inline summary_table summarize_text(std::string_view text, const read_options& read,
                                    const summary_options& options = {}, read_report* report = nullptr,
                                    const std::string& name = "<text>") {
    return detail::summarize_with(
        [&](auto& visit) { return read_transactions_text(text, read, visit, name); }, options,
        report, true, name, [] { return std::string(); });
}

/// Summarizes a stream such as std::cin in one pass; throws invalid_argument if the rows are out
/// of date order in a way that needs a second pass (see the top).
inline summary_table summarize_stream(std::istream& in, const read_options& read,
                                      const summary_options& options = {}, read_report* report = nullptr,
                                      const std::string& name = "<stream>") {
    return detail::summarize_with(
        [&](auto& visit) { return read_transactions(in, read, visit, name); }, options, report,
        false, name, [] { return std::string(); });
}

/// Summarizes a customer base (ltv/customer_base.hpp): each customer's transactions in date
/// order, customers in index order, so the result is exact whatever the log's row order was. A
/// base serves any number of summaries (other options, other ends) without sorting again.
inline summary_table summarize(const customer_base& base, const summary_options& options = {}) {
    summary_state st(options);
    const customer_ids& ids = base.customers();
    for (std::uint32_t c = 0; c < ids.size(); ++c) st.intern(ids[c]);
    for (std::uint32_t c = 0; c < ids.size(); ++c) {
        const auto days = base.transaction_days(c);
        const auto amounts = base.transaction_amounts(c);
        for (std::size_t i = 0; i < days.size(); ++i) st.add_index(c, days[i], amounts[i]);
    }
    return st.result();
}

/// Summarizes transactions already in memory (any order; exact): builds the log's
/// customer_base (a log built by hand may hold any day: unsupported ones are refused, naming
/// summarize and the row) and summarizes that.
inline summary_table summarize(const transaction_log& log, const summary_options& options = {}) {
    return summarize(customer_base(log, "summarize"), options);
}

}  // namespace ltv
