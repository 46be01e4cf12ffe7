// SPDX-License-Identifier: Apache-2.0
// ltv/journey.hpp — purchase histories, purchase cycles and customer journey statuses.
//
// Definitions
//   purchase history  per customer, the sorted distinct purchase days (same-day purchases
//                     merged) with the day's net amount: the purchase-day level of a
//                     customer_base (ltv/customer_base.hpp), built once from a transaction_log.
//                     Every function below takes a purchase_history or a customer_base.
//   gap               days between two consecutive purchase days of a customer.
//   purchase cycle    per customer: mean gap (Boost.Accumulators) and exact median gap;
//                     business-wide: the p-th percentile (default p = 0.8) of all gaps of all
//                     customers, linear interpolation between order statistics (numpy's default,
//                     "type 7"). Rationale for 80 %: four in five repeat purchases happen within
//                     the cycle, so a customer silent for longer is unusual, not just slow.
//   journey status as of a date D (only purchases on or before D count; silence = D − last
//   purchase day):
//     lead      a known contact (from a contacts list) without a purchase up to D
//     lost      silence > lost threshold (default 3 × cycle: three missed cycles make a return
//               unlikely; configurable as a multiple or in days)
//     sleeping  cycle < silence ≤ lost threshold
//     returned  silence ≤ cycle, and the gap before the last purchase was > cycle (the customer
//               came back after being sleeping or lost; the next purchase within the cycle
//               makes them a fan again)
//     newbie    silence ≤ cycle, exactly one purchase
//     fan       silence ≤ cycle, two or more purchases, last gap ≤ cycle
//   Boundaries are inclusive on the active side: silence == cycle is still active.
//   Status counts at month ends use one cycle for all months (given, or from the whole log) so
//   that the months are comparable.
//
// Day numbers from outside (as_of, until) must be supported days (years 1–9999, see
// ltv/date.hpp): they are checked with detail::require_day before any arithmetic, so that
// differences of days never overflow. Monthly series span at most max_report_months months.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/count.hpp>
#include <boost/accumulators/statistics/mean.hpp>
#include <boost/accumulators/statistics/stats.hpp>

#include "ltv/array_view.hpp"
#include "ltv/customer_base.hpp"
#include "ltv/date.hpp"
#include "ltv/model_state.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/transactions.hpp"

namespace ltv {

namespace detail {

/// The purchase days of a history are supported day numbers. A history built from a
/// transaction_log has them; one filled by hand is checked here, through its extremes (one pass,
/// no allocation), before days are subtracted from each other.
inline void require_history_days(const char* fn, const purchase_history& h) {
    if (h.days.empty()) return;
    const auto [lo, hi] = std::minmax_element(h.days.begin(), h.days.end());
    require_day(fn, "history.days (earliest)", *lo);
    require_day(fn, "history.days (latest)", *hi);
}

inline void require_optional_day(const char* fn, const char* name,
                                 const std::optional<day_number>& day) {
    if (day) require_day(fn, name, *day);
}

/// Months counted from year 0: year · 12 + month − 1 (0001-01 = 12, 9999-12 = 119999).
inline int month_index(day_number d) noexcept {
    const civil_date c = to_civil(d);
    return c.year * 12 + (c.month - 1);
}
/// First day of the month with index i (see month_index).
inline day_number month_from_index(int i) { return make_day(i / 12, i % 12 + 1, 1); }
/// Last day of the month with index i.
inline day_number month_end_from_index(int i) {
    const int y = i / 12, m = i % 12 + 1;
    return make_day(y, m, days_in_month(y, m));
}

}  // namespace detail

/// The longest monthly series ltv builds (cohort tables, monthly status counts): 1200 months,
/// a century. A cohort table is a triangle of months · (months + 1) / 2 cells (a months × months
/// matrix in the C API), so its memory grows with the square of the span — two purchases dated
/// 0001-01-01 and 9999-12-31 (119 988 months) would ask for about 170 GB; monthly status counts
/// cost months × customers work. A longer span is an invalid_argument naming it and this cap.
constexpr std::size_t max_report_months = 1200;

namespace detail {
/// Throws invalid_argument when months first_month … last_month exceed max_report_months.
inline void require_month_span(const char* fn, int first_month, int last_month) {
    const auto months = static_cast<std::size_t>(last_month - first_month) + 1;
    if (months > max_report_months)
        fail(status::invalid_argument, fn,
             "the monthly table would span " + std::to_string(months) + " months (" +
                 format_date(month_from_index(first_month)).substr(0, 7) + " to " +
                 format_date(month_from_index(last_month)).substr(0, 7) +
                 "), more than the supported max_report_months = " +
                 std::to_string(max_report_months) +
                 ": check the earliest and latest dates, or pass an earlier end date");
}
}  // namespace detail

/// Builds the history of every customer of the log (any row order): the purchase-day level of
/// its customer_base (ltv/customer_base.hpp), whose invariants it checks (errors name
/// build_history and the row). To compute several results from one log, build the
/// customer_base once and pass it instead.
inline purchase_history build_history(const transaction_log& log) {
    return customer_base(log, "build_history").history();
}

/// The p-th quantile (0 ≤ p ≤ 1) of values by linear interpolation between order statistics
/// (numpy.percentile's default). Throws domain_error for an empty sample.
inline double quantile(std::vector<double> values, double p) {
    detail::require_probability("quantile", "p", p);
    if (values.empty()) detail::fail(status::domain_error, "quantile", "the sample is empty");
    const double h = p * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
    const double a = values[lo];
    if (lo + 1 >= values.size()) return a;
    const double b = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values.end());
    return a + (h - static_cast<double>(lo)) * (b - a);
}

struct customer_cycle {
    std::int32_t gaps = 0;   ///< number of gaps (purchase days − 1)
    double mean_gap = 0;     ///< NaN without gaps
    double median_gap = 0;   ///< NaN without gaps
};

/// Mean and exact median gap of each customer (purchases up to `as_of` if given).
inline std::vector<customer_cycle> purchase_cycles(const purchase_history& h,
                                                   std::optional<day_number> as_of = std::nullopt) {
    namespace acc = boost::accumulators;
    detail::require_optional_day("purchase_cycles", "as_of", as_of);
    detail::require_history_days("purchase_cycles", h);
    std::vector<customer_cycle> out(h.size());
    std::vector<double> gaps;
    for (std::uint32_t c = 0; c < h.size(); ++c) {
        const auto d = h.days_of(c);
        acc::accumulator_set<double, acc::stats<acc::tag::count, acc::tag::mean>> a;
        gaps.clear();
        for (std::size_t i = 1; i < d.size() && (!as_of || d[i] <= *as_of); ++i) {
            const double g = d[i] - d[i - 1];
            a(g);
            gaps.push_back(g);
        }
        auto& r = out[c];
        r.gaps = static_cast<std::int32_t>(acc::count(a));
        if (gaps.empty()) {
            r.mean_gap = r.median_gap = std::nan("");
        } else {
            r.mean_gap = acc::mean(a);
            r.median_gap = quantile(gaps, 0.5);
        }
    }
    return out;
}

/// purchase_cycles of a customer base (its purchase days).
inline std::vector<customer_cycle> purchase_cycles(const customer_base& b,
                                                   std::optional<day_number> as_of = std::nullopt) {
    return purchase_cycles(b.history(), as_of);
}

/// Business-wide purchase cycle: the p-th percentile of all gaps (purchases up to as_of).
/// Throws domain_error when no customer bought twice.
inline double business_cycle(const purchase_history& h, double p = 0.8,
                             std::optional<day_number> as_of = std::nullopt) {
    detail::require_optional_day("business_cycle", "as_of", as_of);
    detail::require_history_days("business_cycle", h);
    std::vector<double> gaps;
    for (std::uint32_t c = 0; c < h.size(); ++c) {
        const auto d = h.days_of(c);
        for (std::size_t i = 1; i < d.size() && (!as_of || d[i] <= *as_of); ++i)
            gaps.push_back(static_cast<double>(d[i] - d[i - 1]));
    }
    if (gaps.empty())
        detail::fail(status::domain_error, "business_cycle",
                     "no customer has two purchase days, so there is no gap to take a percentile of");
    return quantile(std::move(gaps), p);
}

/// business_cycle of a customer base (its purchase days).
inline double business_cycle(const customer_base& b, double p = 0.8,
                             std::optional<day_number> as_of = std::nullopt) {
    return business_cycle(b.history(), p, as_of);
}

enum class journey_status : int { lead = 0, newbie, fan, sleeping, lost, returned };
constexpr int journey_status_count = 6;

inline const char* to_string(journey_status s) noexcept {
    switch (s) {
        case journey_status::lead: return "lead";
        case journey_status::newbie: return "newbie";
        case journey_status::fan: return "fan";
        case journey_status::sleeping: return "sleeping";
        case journey_status::lost: return "lost";
        case journey_status::returned: return "returned";
    }
    return "?";
}

struct journey_options {
    std::optional<double> cycle_days;  ///< default: business_cycle(history, cycle_percentile)
    double cycle_percentile = 0.8;
    double lost_multiple = 3.0;        ///< lost threshold = lost_multiple × cycle ...
    std::optional<double> lost_days;   ///< ... unless given in days
    std::vector<std::string> contacts; ///< known contacts: leads unless they bought by the date
    /// Probabilistic criterion (optional): P(alive) of a customer from their purchase days as of
    /// the date, e.g. from a fitted BG/NBD model (see p_alive_criterion). A buyer whose P(alive)
    /// is below alive_threshold is lost, however recent the last purchase; the other statuses
    /// follow the thresholds in days as usual.
    std::function<double(array_view<day_number> days, day_number as_of)> p_alive;
    double alive_threshold = 0.2;
};

/// The probabilistic criterion from a fitted transaction model (BG/NBD, MBG/NBD, Pareto/NBD
/// parameters): x = purchase days after the first, t_x = last − first and T = as_of − first, in
/// `unit` (the unit the model was fitted in). A first purchase on the date itself (T = 0) is the
/// model's own T = 0 value: 1 for BG/NBD and Pareto/NBD, b/(a+b) for MBG/NBD (the dropout coin
/// of time 0).
namespace detail {
/// The criterion around alive(x, t_x, T).
template <class Alive>
std::function<double(array_view<day_number>, day_number)> p_alive_from(Alive alive,
                                                                        time_unit unit) {
    return [alive, unit](array_view<day_number> days, day_number as_of) {
        require_day("p_alive_criterion", "as_of", as_of);
        if (!days.empty()) {  // sorted: the extremes are the first and last
            require_day("p_alive_criterion", "days (first)", days[0]);
            require_day("p_alive_criterion", "days (last)", days[days.size() - 1]);
        }
        std::size_t n = 0;  // purchase days up to as_of (days are sorted and distinct)
        while (n < days.size() && days[n] <= as_of) ++n;
        if (n == 0) return 0.0;
        const double T = static_cast<double>(as_of - days[0]) / unit.days;
        const double x = static_cast<double>(n - 1);
        const double t_x = static_cast<double>(days[n - 1] - days[0]) / unit.days;
        return alive(x, t_x, T);
    };
}
}  // namespace detail

template <class Params>
std::function<double(array_view<day_number>, day_number)> p_alive_criterion(const Params& params,
                                                                             time_unit unit) {
    return detail::p_alive_from(
        [params](double x, double t_x, double T) { return probability_alive(params, x, t_x, T); },
        unit);
}

/// The same criterion from any registered model with P(alive) (ltv/registry.hpp): `ops` of the
/// model, its parameters in `state`; `unit` of the model's times, by default the one the state
/// records (a model file's "time_unit"). A model of unknown unit is refused rather than given
/// one: parameters fitted in weeks read in days would give a wrong P(alive) without a sign.
/// The C API and the CLI use this form.
inline std::function<double(array_view<day_number>, day_number)> p_alive_criterion(
    const model_ops& ops, const model_state& state, std::optional<time_unit> unit = {}) {
    if (ops.p_alive_one == nullptr)
        detail::fail(status::invalid_argument, "p_alive_criterion",
                     std::string("the ") + ops.title + " model has no P(alive)");
    if (!unit) {
        if (state.time_unit.empty())
            detail::fail(status::invalid_argument, "p_alive_criterion",
                         std::string("the time unit of the ") + ops.title +
                             " model is unknown: record it in the model (\"time_unit\" in its "
                             "file, ltv_model_set_time_unit, Model.time_unit) or give the unit "
                             "of its times (alive_unit_days)");
        unit = parse_time_unit(state.time_unit);
    }
    struct alive_of_model {
        const model_ops* ops;
        model_state state;
        double operator()(double x, double t_x, double T) const {
            return ops->p_alive_one(state, x, t_x, T);
        }
    };
    return detail::p_alive_from(alive_of_model{&ops, state}, *unit);
}

struct journey_result {
    double cycle_days = 0;
    double lost_days = 0;
    std::vector<std::string> customer;     ///< customers with a purchase up to the date, then leads
    std::vector<journey_status> status;
    std::vector<double> days_since_last;   ///< NaN for leads
    std::size_t counts[journey_status_count] = {};
};

namespace detail {

inline void resolve_thresholds(const purchase_history& h, const journey_options& o,
                               std::optional<day_number> as_of, double& cycle, double& lost) {
    cycle = o.cycle_days ? *o.cycle_days : business_cycle(h, o.cycle_percentile, as_of);
    require_nonnegative("journey", "cycle_days", cycle);
    lost = o.lost_days ? *o.lost_days : o.lost_multiple * cycle;
    require_nonnegative("journey", "lost_days", lost);
    if (lost < cycle)
        fail(status::invalid_argument, "journey",
             "lost threshold " + format_value(lost) + " days is shorter than the cycle " +
                 format_value(cycle) + " days");
}

/// Status of one customer's sorted purchase days as of `as_of`; nullopt if none by then.
inline std::optional<journey_status> status_of(array_view<day_number> d, day_number as_of, double cycle,
                                               double lost, double* silence = nullptr) {
    const auto n = static_cast<std::size_t>(std::upper_bound(d.begin(), d.end(), as_of) - d.begin());
    if (n == 0) return std::nullopt;
    const double s = static_cast<double>(as_of - d[n - 1]);
    if (silence) *silence = s;
    if (s > lost) return journey_status::lost;
    if (s > cycle) return journey_status::sleeping;
    if (n == 1) return journey_status::newbie;
    if (static_cast<double>(d[n - 1] - d[n - 2]) > cycle) return journey_status::returned;
    return journey_status::fan;
}

}  // namespace detail

/// Journey status of every customer as of a date.
inline journey_result journey(const purchase_history& h, day_number as_of, const journey_options& o = {}) {
    detail::require_day("journey", "as_of", as_of);
    detail::require_history_days("journey", h);
    journey_result r;
    detail::resolve_thresholds(h, o, as_of, r.cycle_days, r.lost_days);
    for (std::uint32_t c = 0; c < h.size(); ++c) {
        double silence = 0;
        auto s = detail::status_of(h.days_of(c), as_of, r.cycle_days, r.lost_days, &silence);
        if (!s) continue;
        if (o.p_alive && *s != journey_status::lost && o.p_alive(h.days_of(c), as_of) < o.alive_threshold)
            s = journey_status::lost;
        r.customer.emplace_back(h.customers[c]);
        r.status.push_back(*s);
        r.days_since_last.push_back(silence);
        ++r.counts[static_cast<int>(*s)];
    }
    for (const auto& contact : o.contacts) {
        const auto c = h.customers.find(contact);
        if (c != customer_ids::npos && !h.days_of(c).empty() && h.days_of(c)[0] <= as_of) continue;
        r.customer.push_back(contact);
        r.status.push_back(journey_status::lead);
        r.days_since_last.push_back(std::nan(""));
        ++r.counts[static_cast<int>(journey_status::lead)];
    }
    return r;
}

/// journey of a customer base (its purchase days).
inline journey_result journey(const customer_base& b, day_number as_of,
                              const journey_options& o = {}) {
    return journey(b.history(), as_of, o);
}

struct monthly_status_counts {
    double cycle_days = 0;
    double lost_days = 0;
    std::vector<day_number> month_end;                        ///< last day of each month
    std::vector<std::array<std::size_t, journey_status_count>> counts;  ///< per month, by status
};

namespace detail {

/// What monthly_journey settles before counting: the thresholds and the months. months == 0 for
/// a history without purchases (thresholds 0 then) or when `until` precedes the first purchase
/// month. Throws what monthly_journey throws before its counting loop, so that a caller
/// that needs only the number of months (the C API's size query) gets the same answer and the
/// same errors without the months × customers work.
struct monthly_frame {
    double cycle_days = 0;
    double lost_days = 0;
    int first_month = 0;
    std::size_t months = 0;
};

inline monthly_frame monthly_journey_frame(const purchase_history& h, const journey_options& o,
                                           std::optional<day_number> until) {
    constexpr const char* fn = "monthly_journey";
    detail::require_optional_day(fn, "until", until);
    detail::require_history_days(fn, h);
    monthly_frame f;
    if (h.days.empty()) return f;
    detail::resolve_thresholds(h, o, std::nullopt, f.cycle_days, f.lost_days);
    const auto [lo, hi] = std::minmax_element(h.days.begin(), h.days.end());
    const int first_month = detail::month_index(*lo);
    const int last_month = detail::month_index(until ? *until : *hi);
    if (last_month < first_month) return f;
    detail::require_month_span(fn, first_month, last_month);
    f.first_month = first_month;
    f.months = static_cast<std::size_t>(last_month - first_month) + 1;
    return f;
}

}  // namespace detail

/// Status counts at the end of each calendar month from the first to the last purchase month
/// (or to `until`), with one cycle for all months: given, or the business cycle of the whole log.
/// At most max_report_months months (invalid_argument naming the span beyond).
inline monthly_status_counts monthly_journey(const purchase_history& h, const journey_options& o = {},
                                             std::optional<day_number> until = std::nullopt) {
    const detail::monthly_frame f = detail::monthly_journey_frame(h, o, until);
    monthly_status_counts m;
    m.cycle_days = f.cycle_days;
    m.lost_days = f.lost_days;
    // Months by index, so that the month after 9999-12 is never formed.
    for (std::size_t i = 0; i < f.months; ++i) {
        const day_number end = detail::month_end_from_index(f.first_month + static_cast<int>(i));
        m.month_end.push_back(end);
        std::array<std::size_t, journey_status_count> n{};
        for (std::uint32_t c = 0; c < h.size(); ++c)
            if (const auto s = detail::status_of(h.days_of(c), end, m.cycle_days, m.lost_days))
                ++n[static_cast<std::size_t>(*s)];
        for (const auto& contact : o.contacts) {
            const auto c = h.customers.find(contact);
            if (c == customer_ids::npos || h.days_of(c).empty() || h.days_of(c)[0] > end)
                ++n[static_cast<std::size_t>(journey_status::lead)];
        }
        m.counts.push_back(n);
    }
    return m;
}

/// monthly_journey of a customer base (its purchase days).
inline monthly_status_counts monthly_journey(const customer_base& b, const journey_options& o = {},
                                             std::optional<day_number> until = std::nullopt) {
    return monthly_journey(b.history(), o, until);
}

}  // namespace ltv
