// SPDX-License-Identifier: Apache-2.0
// ltv/cohorts.hpp — cohort retention by acquisition month, and period retention from a log.
//
// Cohort retention table
//   cohort       the calendar month of a customer's first purchase (acquisition month)
//   active[c][k] share of cohort c with a purchase in calendar month c + k (k = 0 is 100 %)
//   active_or_later[c][k]  share of cohort c with a purchase in month c + k or any later month
//                (up to the last month observed): "still a customer at month k".
//   Months after the last observed month are not filled: row c has one entry per month from c
//   to the last month (a triangle). The table spans at most max_report_months (1200) months:
//   its memory grows with the square of the span (see ltv/journey.hpp).
//
// Period retention from a log (the counts of ltv::retention_rate, measured on a log)
//   active at date d with a window of w days: a purchase in (d − w, d].
//   customers_start = active at the period start; new = first purchase in (start, end];
//   customers_end = active at the period end; retention = (customers_end − new) / customers_start.
//   retained = customers active at both start and end; reactivated = customers_end − new −
//   retained (customers who were inactive at the start but came back); when reactivated > 0 the
//   formula's rate exceeds retained / customers_start, both are reported.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
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

/// The months of a cohort table: first (an index, see month_index) and count. months == 0 for a
/// history without purchases or an `until` before the first purchase month.
struct cohort_months {
    int first = 0;
    std::size_t months = 0;
};

/// The months from the month of `earliest` to that of `until` (default: of `latest`), the
/// earliest and latest purchase days; invalid_argument beyond max_report_months.
inline cohort_months cohort_months_between(day_number earliest, day_number latest,
                                           std::optional<day_number> until) {
    cohort_months s;
    const int first = detail::month_index(earliest);
    const int last = detail::month_index(until ? *until : latest);
    if (last < first) return s;
    detail::require_month_span("cohort_retention", first, last);  // before the quadratic allocation
    s.first = first;
    s.months = static_cast<std::size_t>(last - first + 1);
    return s;
}

/// The months of cohort_retention(h, until), with every check it makes before it allocates, so
/// that a caller that needs only the number of cohorts (the C API's size query) gets the same
/// answer and the same errors.
inline cohort_months cohort_span(const purchase_history& h, std::optional<day_number> until) {
    constexpr const char* fn = "cohort_retention";
    detail::require_optional_day(fn, "until", until);
    detail::require_history_days(fn, h);
    if (h.days.empty()) return {};
    const auto [lo, hi] = std::minmax_element(h.days.begin(), h.days.end());
    return cohort_months_between(*lo, *hi, until);
}

/// The same for a customer base: its days are supported and its extremes known, so this takes
/// no pass over the days.
inline cohort_months cohort_span(const customer_base& b, std::optional<day_number> until) {
    detail::require_optional_day("cohort_retention", "until", until);
    if (b.purchase_days() == 0) return {};
    return cohort_months_between(b.first_day(), b.last_day(), until);
}

/// The cohort table of a history over the months of `span` (from cohort_span). Work: one pass
/// over the purchase days plus the table's cells.
inline cohort_table cohort_table_of(const purchase_history& h, const cohort_months& span) {
    cohort_table t;
    if (span.months == 0) return t;
    const int first = span.first;
    const std::size_t months = span.months;
    // The month of a purchase day, counted from the first month, by table lookup rather than a
    // calendar conversion per day: month_of[day − start] for the days of the table's months
    // (at most max_report_months, about 36 500 days), `months` for any later day.
    const day_number start = detail::month_from_index(first);
    std::vector<std::uint16_t> month_of;
    month_of.reserve(static_cast<std::size_t>(
        detail::month_end_from_index(first + static_cast<int>(months) - 1) - start + 1));
    for (std::size_t m = 0; m < months; ++m)
        month_of.resize(static_cast<std::size_t>(
                            detail::month_end_from_index(first + static_cast<int>(m)) - start + 1),
                        static_cast<std::uint16_t>(m));
    const auto month_at = [&](day_number day) {  // day ≥ start: the earliest day is in `first`
        const auto i = static_cast<std::size_t>(day - start);
        return i < month_of.size() ? static_cast<std::size_t>(month_of[i]) : months;
    };
    // in[c][k]: customers of cohort c with a purchase in month c + k; ends[c][k]: customers of
    // cohort c whose last purchase up to `until` is in month c + k (summed from the right below
    // into "active in month k or later").
    std::vector<std::vector<std::size_t>> in(months), ends(months);
    t.size.assign(months, 0);
    for (std::size_t c = 0; c < months; ++c) {
        in[c].assign(months - c, 0);
        ends[c].assign(months - c, 0);
    }
    for (std::uint32_t c = 0; c < h.size(); ++c) {
        const auto d = h.days_of(c);
        if (d.empty()) continue;
        const std::size_t co = month_at(d[0]);  // the cohort: months after `first`
        if (co >= months) continue;
        ++t.size[co];
        std::size_t previous = 0;  // days are sorted, so months come in order: count each once
        bool any = false;
        for (const day_number day : d) {
            const std::size_t m = month_at(day);
            if (m >= months) break;
            const std::size_t k = m - co;
            if (!any || k != previous) ++in[co][k];
            previous = k;
            any = true;
        }
        ++ends[co][previous];  // d[0] is in month co, so `any` holds here
    }
    for (std::size_t c = 0; c < months; ++c) {
        t.cohort.push_back(detail::month_from_index(first + static_cast<int>(c)));
        const std::size_t width = months - c;
        const double n = static_cast<double>(t.size[c]);
        std::vector<double> a(width), b(width);
        std::size_t later = 0;
        for (std::size_t k = width; k-- > 0;) {
            later += ends[c][k];
            a[k] = t.size[c] ? static_cast<double>(in[c][k]) / n : std::nan("");
            b[k] = t.size[c] ? static_cast<double>(later) / n : std::nan("");
        }
        t.active.push_back(std::move(a));
        t.active_or_later.push_back(std::move(b));
    }
    return t;
}

}  // namespace detail

/// Cohort retention by acquisition month; `until` (default: the last purchase) ends the table.
/// The table spans at most max_report_months months (invalid_argument naming the span beyond);
/// `until` must be a supported day (ltv/date.hpp). Work: one pass over the purchase days plus
/// the table's cells.
inline cohort_table cohort_retention(const purchase_history& h,
                                     std::optional<day_number> until = std::nullopt) {
    return detail::cohort_table_of(h, detail::cohort_span(h, until));
}

/// cohort_retention of a customer base (its purchase days; its first and last days are known,
/// so finding the months takes no pass over the days).
inline cohort_table cohort_retention(const customer_base& b,
                                     std::optional<day_number> until = std::nullopt) {
    return detail::cohort_table_of(b.history(), detail::cohort_span(b, until));
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
    detail::require_day(fn, "start", start);
    detail::require_day(fn, "end", end);
    detail::require_history_days(fn, h);
    if (end <= start)
        detail::fail(status::invalid_argument, fn,
                     "end " + format_date(end) + " must be after start " + format_date(start));
    if (window_days < 1)
        detail::fail(status::invalid_argument, fn,
                     "argument 'window_days' = " + std::to_string(window_days) + " must be at least 1");
    period_retention_result r;
    auto active_at = [&](array_view<day_number> d, day_number at) {
        const auto it = std::upper_bound(d.begin(), d.end(), at);  // first purchase after `at`
        // In 64 bits: a window of INT_MAX days reaches before any int32 day.
        return it != d.begin() &&
               std::int64_t{*(it - 1)} > std::int64_t{at} - std::int64_t{window_days};
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

/// period_retention of a customer base (its purchase days).
inline period_retention_result period_retention(const customer_base& b, day_number start,
                                                day_number end, int window_days) {
    return period_retention(b.history(), start, end, window_days);
}

}  // namespace ltv
