// ltv/cohorts.hpp — cohort retention by acquisition month, and period retention from a log.
//
// Cohort retention table
//   cohort       the calendar month of a customer's first purchase (acquisition month)
//   active[c][k] share of cohort c with a purchase in calendar month c + k (k = 0 is 100 %)
//   active_or_later[c][k]  share of cohort c with a purchase in month c + k or any later month
//                (up to the last month observed): "still a customer at month k".
//   Months after the last observed month are not filled: row c has one entry per month from c
//   to the last month (a triangle).
//
// Period retention from a log (the counts of ltv::retention_rate, measured on a log)
//   active at date d with a window of w days: a purchase in (d − w, d].
//   customers_start = active at the period start; new = first purchase in (start, end];
//   customers_end = active at the period end; retention = (customers_end − new) / customers_start.
//   retained = customers active at both start and end; reactivated = customers_end − new −
//   retained (customers who were inactive at the start but came back); when reactivated > 0 the
//   formula's rate exceeds retained / customers_start, both are reported.
#pragma once

#include <cstdint>
#include <vector>

#include "ltv/journey.hpp"

namespace ltv {

struct cohort_table {
    std::vector<day_number> cohort;               ///< first day of each acquisition month
    std::vector<std::size_t> size;                ///< customers acquired in that month
    std::vector<std::vector<double>> active;          ///< [cohort][k]
    std::vector<std::vector<double>> active_or_later; ///< [cohort][k]
};

namespace detail {
inline int month_index(day_number d) noexcept {
    const civil_date c = to_civil(d);
    return c.year * 12 + (c.month - 1);
}
inline day_number month_from_index(int i) { return make_day(i / 12, i % 12 + 1, 1); }
}  // namespace detail

/// Cohort retention by acquisition month; `until` (default: the last purchase) ends the table.
inline cohort_table cohort_retention(const purchase_history& h, std::optional<day_number> until = std::nullopt) {
    cohort_table t;
    if (h.days.empty()) return t;
    const int first = detail::month_index(*std::min_element(h.days.begin(), h.days.end()));
    const int last = detail::month_index(until ? *until : *std::max_element(h.days.begin(), h.days.end()));
    if (last < first) return t;
    const auto months = static_cast<std::size_t>(last - first + 1);
    std::vector<std::vector<std::size_t>> in(months), later(months);
    t.size.assign(months, 0);
    for (std::size_t c = 0; c < months; ++c) {
        in[c].assign(months - c, 0);
        later[c].assign(months - c, 0);
    }
    std::vector<char> seen(months);
    for (std::uint32_t c = 0; c < h.size(); ++c) {
        const auto d = h.days_of(c);
        if (d.empty()) continue;
        const int m0 = detail::month_index(d[0]);
        if (m0 > last) continue;
        const auto co = static_cast<std::size_t>(m0 - first);
        ++t.size[co];
        std::fill(seen.begin(), seen.end(), 0);
        int max_k = -1;
        for (const day_number day : d) {
            const int k = detail::month_index(day) - m0;
            if (m0 + k > last) break;
            seen[static_cast<std::size_t>(k)] = 1;
            max_k = k;
        }
        for (std::size_t k = 0; k < months - co; ++k) {
            if (seen[k]) ++in[co][k];
            if (static_cast<int>(k) <= max_k) ++later[co][k];
        }
    }
    for (std::size_t c = 0; c < months; ++c) {
        t.cohort.push_back(detail::month_from_index(first + static_cast<int>(c)));
        std::vector<double> a, b;
        for (std::size_t k = 0; k < months - c; ++k) {
            const double n = static_cast<double>(t.size[c]);
            a.push_back(t.size[c] ? static_cast<double>(in[c][k]) / n : std::nan(""));
            b.push_back(t.size[c] ? static_cast<double>(later[c][k]) / n : std::nan(""));
        }
        t.active.push_back(std::move(a));
        t.active_or_later.push_back(std::move(b));
    }
    return t;
}

struct period_retention_result {
    std::size_t customers_start = 0;
    std::size_t new_customers = 0;
    std::size_t customers_end = 0;
    std::size_t retained = 0;
    std::size_t reactivated = 0;
    double retention_rate = 0;   ///< (customers_end − new) / customers_start
    double retained_share = 0;   ///< retained / customers_start
};

/// Period retention on the log for (start, end] with an activity window of window_days.
inline period_retention_result period_retention(const purchase_history& h, day_number start, day_number end,
                                                int window_days) {
    constexpr const char* fn = "period_retention";
    if (end <= start)
        detail::fail(status::invalid_argument, fn,
                     "end " + format_date(end) + " must be after start " + format_date(start));
    if (window_days < 1)
        detail::fail(status::invalid_argument, fn,
                     "argument 'window_days' = " + std::to_string(window_days) + " must be at least 1");
    period_retention_result r;
    auto active_at = [&](array_view<day_number> d, day_number at) {
        const auto it = std::upper_bound(d.begin(), d.end(), at);  // first purchase after `at`
        return it != d.begin() && *(it - 1) > at - window_days;
    };
    for (std::uint32_t c = 0; c < h.size(); ++c) {
        const auto d = h.days_of(c);
        if (d.empty()) continue;
        const bool s = active_at(d, start), e = active_at(d, end);
        const bool is_new = d[0] > start && d[0] <= end;
        r.customers_start += s;
        r.customers_end += e;
        r.new_customers += is_new;
        r.retained += s && e;
        r.reactivated += e && !s && !is_new;
    }
    if (r.customers_start == 0)
        detail::fail(status::domain_error, fn,
                     "no customer was active at the start " + format_date(start) + " (window " +
                         std::to_string(window_days) + " days)");
    const double n = static_cast<double>(r.customers_start);
    r.retention_rate = (static_cast<double>(r.customers_end) - static_cast<double>(r.new_customers)) / n;
    r.retained_share = static_cast<double>(r.retained) / n;
    return r;
}

}  // namespace ltv
