// SPDX-License-Identifier: Apache-2.0
// ltv/customer_base.hpp — the customer base: every customer's purchases sorted by date, built
// once from a transaction log and read (by const reference) by the summaries (summary.hpp),
// journey statuses and purchase cycles (journey.hpp), RFM (rfm.hpp), cohorts and period
// retention (cohorts.hpp).
//
// Layout: compressed sparse rows (CSR). Customer c is the log's dense index (first-seen order,
// customer_ids); each level holds offsets with one entry per customer plus one, and flat arrays
// in which customer c owns the range [offsets[c], offsets[c + 1]).
//
//   customers()          the ids (a copy of the log's customer_ids): index c ↔ id.
//   transaction level    every row of the log, grouped by customer, in date order; rows of one
//     row_offsets()      customer on one day keep their order in the log. This is exactly the
//     row_days()         order of std::stable_sort by (customer, day). The summaries read this
//     row_amounts()      level: with merge_period::none every transaction is an occasion, and a
//                        customer's sums are formed transaction by transaction in this order.
//   purchase-day level   history(), a purchase_history: each customer's distinct purchase days
//     offsets, days,     (same-day rows merged) with the day's net amount, the day's rows added
//     amounts            up in the order above. Journey, RFM, cohorts and period retention read
//                        this level; days_of(c) and day_amounts(c) view one customer's part.
//   first_day(),         the earliest and latest purchase day of the whole log (when it has a
//   last_day()           row), kept so that callers need not scan for them.
//
// Memory: 4 (n + 1) + 12 r bytes for the transaction level and 4 (n + 1) + 12 d bytes for the
// day level (n customers, r rows, d ≤ r purchase days), plus the copy of the ids.
//
// Building: one pass counts each customer's rows, one places them (a stable counting sort by
// customer index), each customer's rows are sorted by day only when they are out of date order
// (std::stable_sort on that customer's rows alone, so ties keep the log's order), and one pass
// merges the days: O(r + Σ r_c log r_c) instead of a comparison sort of the whole log. The result
// is the order the per-call functions used before (a stable sort of all rows by customer and
// day), so everything computed from a base is bit-identical to what was computed from the log.
//
// Invariants, checked while building (invalid_argument naming the function, the row and the
// value), so that the functions reading a base can rely on them: every row's customer is an
// index of the log's customer_ids, every day is a supported day (ltv/date.hpp, years 1–9999),
// and there are at most 4 294 967 295 rows (offsets are 32-bit). A customer interned without
// rows has empty ranges.
//
// A base is a value: it does not refer to the log after building, does not change, and may be
// read from any number of threads at once. The C API builds one per ltv_transactions handle at
// the first call that needs it and drops it when rows are added (src/c_api/transactions.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "ltv/array_view.hpp"
#include "ltv/date.hpp"
#include "ltv/error.hpp"
#include "ltv/transactions.hpp"

namespace ltv {

/// Distinct purchase days per customer (compressed rows: days[offsets[c] .. offsets[c+1])).
/// Built by customer_base (its history()) or build_history; one filled by hand is checked by the
/// functions that read it (detail::require_history_days).
struct purchase_history {
    customer_ids customers;
    std::vector<std::uint32_t> offsets{0};
    std::vector<day_number> days;
    std::vector<double> amounts;  ///< net amount of each purchase day

    std::size_t size() const noexcept { return offsets.size() - 1; }
    array_view<day_number> days_of(std::uint32_t c) const noexcept {
        return {days.data() + offsets[c], offsets[c + 1] - offsets[c]};
    }
};

/// Every customer's purchases, sorted by date, at the transaction and the purchase-day level;
/// see the top of this header for the layout and the invariants.
class customer_base {
public:
    /// An empty base: no customers, no rows.
    customer_base() = default;

    /// Builds the base of a log (any row order). Errors name `function` (the caller that builds
    /// it, e.g. "summarize") and the row: "log.rows[i].day", "log.rows[i].customer".
    explicit customer_base(const transaction_log& log, const char* function = "customer_base");

    /// Number of customers (the log's customer_ids, including any without rows).
    std::size_t size() const noexcept { return history_.size(); }
    /// Number of transactions (rows of the log).
    std::size_t transactions() const noexcept { return row_days_.size(); }
    /// Number of distinct (customer, day) pairs.
    std::size_t purchase_days() const noexcept { return history_.days.size(); }
    const customer_ids& customers() const noexcept { return history_.customers; }

    /// Transaction level: customer c's rows, in date order.
    array_view<day_number> transaction_days(std::uint32_t c) const noexcept {
        return {row_days_.data() + row_offsets_[c], row_offsets_[c + 1] - row_offsets_[c]};
    }
    array_view<double> transaction_amounts(std::uint32_t c) const noexcept {
        return {row_amounts_.data() + row_offsets_[c], row_offsets_[c + 1] - row_offsets_[c]};
    }
    const std::vector<std::uint32_t>& row_offsets() const noexcept { return row_offsets_; }
    const std::vector<day_number>& row_days() const noexcept { return row_days_; }
    const std::vector<double>& row_amounts() const noexcept { return row_amounts_; }

    /// Purchase-day level: customer c's distinct purchase days and their net amounts.
    array_view<day_number> days_of(std::uint32_t c) const noexcept { return history_.days_of(c); }
    array_view<double> day_amounts(std::uint32_t c) const noexcept {
        const auto& o = history_.offsets;
        return {history_.amounts.data() + o[c], o[c + 1] - o[c]};
    }
    /// The purchase-day level as a purchase_history (what journey, RFM and cohorts read).
    const purchase_history& history() const& noexcept { return history_; }
    /// Moves the purchase-day level out of a base that is no longer needed.
    purchase_history history() && { return std::move(history_); }

    /// Earliest and latest purchase day of the log; 0 when it has no rows.
    day_number first_day() const noexcept { return first_day_; }
    day_number last_day() const noexcept { return last_day_; }

private:
    purchase_history history_;
    std::vector<std::uint32_t> row_offsets_{0};
    std::vector<day_number> row_days_;
    std::vector<double> row_amounts_;
    day_number first_day_ = 0;
    day_number last_day_ = 0;
};

namespace detail {

/// Sorts one customer's rows (days[0..n), amounts alongside) by day, keeping the order of equal
/// days; a no-op for rows already in date order (the common case: logs sorted by date, or by
/// customer and date). `scratch` is reused between customers.
inline void sort_customer_rows(day_number* days, double* amounts, std::size_t n,
                               std::vector<std::pair<day_number, double>>& scratch) {
    if (std::is_sorted(days, days + n)) return;
    scratch.clear();
    for (std::size_t i = 0; i < n; ++i) scratch.emplace_back(days[i], amounts[i]);
    std::stable_sort(scratch.begin(), scratch.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < n; ++i) {
        days[i] = scratch[i].first;
        amounts[i] = scratch[i].second;
    }
}

}  // namespace detail

inline customer_base::customer_base(const transaction_log& log, const char* function) {
    const std::size_t n = log.customers.size();
    const std::size_t r = log.rows.size();
    if (r > std::numeric_limits<std::uint32_t>::max())
        detail::fail(status::invalid_argument, function,
                     "the log has " + std::to_string(r) +
                         " rows, more than the 4294967295 a customer base holds");
    // Pass 1: check every row, count each customer's rows, find the extremes.
    row_offsets_.assign(n + 1, 0);
    day_number lo = std::numeric_limits<day_number>::max();
    day_number hi = std::numeric_limits<day_number>::min();
    for (std::size_t i = 0; i < r; ++i) {
        const transaction& t = log.rows[i];
        if (t.customer >= n)
            detail::fail(status::invalid_argument, function,
                         "argument 'log.rows[" + std::to_string(i) + "].customer' = " +
                             std::to_string(t.customer) + " is not a customer index of the log (" +
                             std::to_string(n) + " customers)");
        if (!is_supported_day(t.day))
            detail::require_day(function, "log.rows[" + std::to_string(i) + "].day", t.day);
        ++row_offsets_[t.customer + 1];
        lo = std::min(lo, t.day);
        hi = std::max(hi, t.day);
    }
    if (r > 0) {
        first_day_ = lo;
        last_day_ = hi;
    }
    for (std::size_t c = 0; c < n; ++c) row_offsets_[c + 1] += row_offsets_[c];
    // Pass 2: place the rows, each customer's in log order (a stable counting sort).
    row_days_.resize(r);
    row_amounts_.resize(r);
    {
        std::vector<std::uint32_t> next(row_offsets_.begin(), row_offsets_.end() - 1);
        for (const transaction& t : log.rows) {
            const std::uint32_t p = next[t.customer]++;
            row_days_[p] = t.day;
            row_amounts_[p] = t.amount;
        }
    }
    // Each customer's rows in date order, counting the distinct days; then the days with their
    // amounts summed (exactly sized: no spare capacity to trim afterwards).
    std::vector<std::pair<day_number, double>> scratch;
    std::size_t days = 0;
    for (std::size_t c = 0; c < n; ++c) {
        const std::uint32_t b = row_offsets_[c], e = row_offsets_[c + 1];
        detail::sort_customer_rows(row_days_.data() + b, row_amounts_.data() + b, e - b, scratch);
        for (std::uint32_t p = b; p < e; ++p) days += p == b || row_days_[p] != row_days_[p - 1];
    }
    history_.customers = log.customers;
    history_.offsets.assign(n + 1, 0);
    history_.days.reserve(days);
    history_.amounts.reserve(days);
    for (std::size_t c = 0; c < n; ++c) {
        const std::uint32_t b = row_offsets_[c], e = row_offsets_[c + 1];
        for (std::uint32_t p = b; p < e; ++p) {
            if (p > b && row_days_[p] == row_days_[p - 1]) {
                history_.amounts.back() += row_amounts_[p];  // same day: in the log's order
                continue;
            }
            history_.days.push_back(row_days_[p]);
            history_.amounts.push_back(row_amounts_[p]);
        }
        history_.offsets[c + 1] = static_cast<std::uint32_t>(history_.days.size());
    }
}

}  // namespace ltv
