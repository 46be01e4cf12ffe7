// SPDX-License-Identifier: Apache-2.0
// ltv/rfm.hpp — RFM scores (1–5 by quantiles) and named segments.
//
// Definitions, as of a date D (purchases on or before D; same-day purchases merged):
//   R = days since the last purchase, F = number of purchase days, M = total net amount.
//   Score of a value among n customers: 1 + floor(5 × L / n), where L is the number of customers
//   with a strictly worse value (a larger R, a smaller F or M). Equal values always get equal
//   scores, the best values get 5 when fewer than a fifth of the customers beat them, and a value
//   shared by everyone scores 1. The most recent customers get R = 5.
//   rfm_score = 100 R + 10 F + M (e.g. 545).
// Segments: the first rule whose R, F and M ranges all contain the scores names the segment.
// The default table (rfm_default_segments) is the widely used R × F grid:
//   Champions R5 F4–5 · Loyal Customers R3–4 F4–5 · Potential Loyalist R4–5 F2–3 ·
//   New Customers R5 F1 · Promising R4 F1 · Need Attention R3 F3 · About To Sleep R3 F1–2 ·
//   Can't Lose Them R1–2 F5 · At Risk R1–2 F3–4 · Lost R1 F1 · Hibernating R1–2 F1–2
// It covers all 25 R × F cells (M is not used by default); pass your own rules to change it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "ltv/journey.hpp"

namespace ltv {

struct rfm_rule {
    std::string segment;
    int r_min = 1, r_max = 5, f_min = 1, f_max = 5, m_min = 1, m_max = 5;
    bool matches(int r, int f, int m) const noexcept {
        return r >= r_min && r <= r_max && f >= f_min && f <= f_max && m >= m_min && m <= m_max;
    }
};

inline std::vector<rfm_rule> rfm_default_segments() {
    return {
        {"Champions", 5, 5, 4, 5, 1, 5},        {"Loyal Customers", 3, 4, 4, 5, 1, 5},
        {"Potential Loyalist", 4, 5, 2, 3, 1, 5}, {"New Customers", 5, 5, 1, 1, 1, 5},
        {"Promising", 4, 4, 1, 1, 1, 5},        {"Need Attention", 3, 3, 3, 3, 1, 5},
        {"About To Sleep", 3, 3, 1, 2, 1, 5},   {"Can't Lose Them", 1, 2, 5, 5, 1, 5},
        {"At Risk", 1, 2, 3, 4, 1, 5},          {"Lost", 1, 1, 1, 1, 1, 5},
        {"Hibernating", 1, 2, 1, 2, 1, 5},
    };
}

struct rfm_table {
    std::vector<std::string> customer;
    std::vector<double> recency_days;
    std::vector<double> frequency;
    std::vector<double> monetary;
    std::vector<int> r, f, m;
    std::vector<int> score;            ///< 100 r + 10 f + m
    std::vector<std::string> segment;  ///< "" when no rule matches
};

/// Quantile scores 1..5 of values; higher_is_better selects the direction.
inline std::vector<int> quintile_scores(const std::vector<double>& v, bool higher_is_better) {
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    const double n = static_cast<double>(v.size());
    std::vector<int> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        const auto worse = static_cast<double>(
            higher_is_better ? std::lower_bound(sorted.begin(), sorted.end(), v[i]) - sorted.begin()
                             : sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), v[i]));
        out[i] = std::min(5, 1 + static_cast<int>(std::floor(5.0 * worse / n)));
    }
    return out;
}

/// RFM of every customer with a purchase on or before as_of (a supported day, ltv/date.hpp).
inline rfm_table rfm(const purchase_history& h, day_number as_of,
                     const std::vector<rfm_rule>& rules = rfm_default_segments()) {
    detail::require_day("rfm", "as_of", as_of);  // before as_of − last purchase day
    detail::require_history_days("rfm", h);
    rfm_table t;
    for (std::uint32_t c = 0; c < h.size(); ++c) {
        const auto d = h.days_of(c);
        const auto n = static_cast<std::size_t>(std::upper_bound(d.begin(), d.end(), as_of) - d.begin());
        if (n == 0) continue;
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) total += h.amounts[h.offsets[c] + i];
        t.customer.emplace_back(h.customers[c]);
        t.recency_days.push_back(static_cast<double>(as_of - d[n - 1]));
        t.frequency.push_back(static_cast<double>(n));
        t.monetary.push_back(total);
    }
    t.r = quintile_scores(t.recency_days, false);
    t.f = quintile_scores(t.frequency, true);
    t.m = quintile_scores(t.monetary, true);
    for (std::size_t i = 0; i < t.customer.size(); ++i) {
        t.score.push_back(100 * t.r[i] + 10 * t.f[i] + t.m[i]);
        std::string seg;
        for (const auto& rule : rules)
            if (rule.matches(t.r[i], t.f[i], t.m[i])) {
                seg = rule.segment;
                break;
            }
        t.segment.push_back(seg);
    }
    return t;
}

/// rfm of a customer base (its purchase days and their net amounts).
inline rfm_table rfm(const customer_base& b, day_number as_of,
                     const std::vector<rfm_rule>& rules = rfm_default_segments()) {
    return rfm(b.history(), as_of, rules);
}

}  // namespace ltv
