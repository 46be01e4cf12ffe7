// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family/prepare.hpp — RFM rows prepared for a likelihood: grouped by frequency x
// (identical rows merged where that pays), the subsample of large fits, and the check that a
// fit has an observed row. Shared by BG/NBD, MBG/NBD, Pareto/NBD and BG/BB; light (no special
// functions, no optimiser), so those models include it alone.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv::detail {

/// Rows grouped by x (and, optionally, identical rows merged): the x-only terms are then
/// computed once per distinct x per evaluation, and the hot loop touches contiguous arrays.
struct bg_prepared {
    std::vector<double> xs;           // distinct x, ascending
    std::vector<double> wx;           // total weight of each x
    std::vector<std::size_t> start;   // rows of xs[g] are [start[g], start[g+1])
    std::vector<double> tx, T, w;
    double total_weight = 0;
};

/// Whether merging identical (t_x, T) rows pays for the sort it needs, for the rows
/// order[i..j) of one x group. Small groups are always merged (the sort is cheap). For large
/// ones a deterministic pseudo-random sample of m distinct rows is checked for equal pairs: with
/// k distinct (t_x, T) among g rows, about m²/(2k) sampled pairs coincide, so the merge would
/// shrink the group by g/k ≈ 2g·pairs/m². Continuous times (no pair) skip the O(g log g) sort;
/// merging is kept when it would remove at least a fifth of the rows. Sampling at random rather
/// than at a stride keeps the test valid for data sorted in any order.
inline bool bg_merge_pays(const rfm_data& d, const std::vector<std::size_t>& order,
                          std::size_t i, std::size_t j) {
    const std::size_t g = j - i;
    constexpr std::size_t small = 16384, m = 2048;
    if (g < small) return true;
    std::vector<std::size_t> pick(m);
    std::uint64_t state = 0x9E3779B97F4A7C15ull ^ static_cast<std::uint64_t>(g);
    for (auto& k : pick) {  // splitmix64
        state += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        k = i + static_cast<std::size_t>((z ^ (z >> 31)) % g);
    }
    std::sort(pick.begin(), pick.end());
    pick.erase(std::unique(pick.begin(), pick.end()), pick.end());
    std::vector<std::pair<double, double>> v;
    v.reserve(pick.size());
    for (std::size_t k : pick) v.emplace_back(d.age[order[k]], d.recency[order[k]]);
    std::sort(v.begin(), v.end());
    double pairs = 0;
    for (std::size_t a = 0; a < v.size();) {  // a run of r equal rows holds r(r−1)/2 pairs
        std::size_t b = a + 1;
        while (b < v.size() && v[b] == v[a]) ++b;
        const double r = static_cast<double>(b - a);
        pairs += r * (r - 1) / 2;
        a = b;
    }
    const double ms = static_cast<double>(v.size());
    return 2 * static_cast<double>(g) * pairs >= 1.25 * ms * ms;
}

inline bg_prepared bg_prepare(const rfm_data& d, bool compress) {
    bg_prepared out;
    const std::size_t n = d.size();
    auto weight = [&](std::size_t i) { return d.weights.empty() ? 1.0 : d.weights[i]; };
    // Group by x: x is a validated non-negative integer, so a counting sort works when the
    // largest x is not absurdly larger than the number of rows; otherwise sort the values.
    double xmax = 0;
    for (std::size_t i = 0; i < n; ++i) xmax = std::max(xmax, d.frequency[i]);
    std::vector<std::size_t> order(n);
    if (xmax <= 4.0 * static_cast<double>(n) + 1024) {
        const std::size_t k = static_cast<std::size_t>(xmax) + 2;
        std::vector<std::size_t> count(k, 0);
        for (std::size_t i = 0; i < n; ++i) ++count[static_cast<std::size_t>(d.frequency[i]) + 1];
        for (std::size_t j = 1; j < k; ++j) count[j] += count[j - 1];
        for (std::size_t i = 0; i < n; ++i)
            order[count[static_cast<std::size_t>(d.frequency[i])]++] = i;
    } else {
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t u, std::size_t v) {
            return d.frequency[u] < d.frequency[v];
        });
    }
    out.tx.reserve(n);
    out.T.reserve(n);
    out.w.reserve(n);
    for (std::size_t i = 0; i < n;) {
        const double x = d.frequency[order[i]];
        std::size_t j = i;
        while (j < n && d.frequency[order[j]] == x) ++j;
        const bool merge = compress && bg_merge_pays(d, order, i, j);
        if (merge)  // identical (t_x, T) become adjacent and are merged below
            std::sort(order.begin() + static_cast<std::ptrdiff_t>(i),
                      order.begin() + static_cast<std::ptrdiff_t>(j),
                      [&](std::size_t u, std::size_t v) {
                          return d.age[u] < d.age[v] ||
                                 (d.age[u] == d.age[v] && d.recency[u] < d.recency[v]);
                      });
        const std::size_t first = out.tx.size();
        double wsum = 0;
        for (std::size_t q = i; q < j; ++q) {
            const std::size_t u = order[q];
            const double wu = weight(u);
            if (wu == 0) continue;  // a zero-weight row contributes nothing
            wsum += wu;
            if (merge && out.tx.size() > first && out.T.back() == d.age[u] &&
                out.tx.back() == d.recency[u]) {
                out.w.back() += wu;
                continue;
            }
            out.tx.push_back(d.recency[u]);
            out.T.push_back(d.age[u]);
            out.w.push_back(wu);
        }
        if (out.tx.size() > first) {
            out.xs.push_back(x);
            out.wx.push_back(wsum);
            out.start.push_back(first);
            out.total_weight += wsum;
        }
        i = j;
    }
    out.start.push_back(out.tx.size());
    return out;
}

/// Fits need a row with T > 0 (and positive weight: prepared rows have it). A row with T = 0
/// (then x = t_x = 0: rfm_data.hpp) has L = 1 whatever the parameters — nothing was observed of
/// it yet — so it adds 0 to log L and to its gradient (and counts in W, as in lifetimes'
/// mean). Data of such rows alone leave the likelihood flat: no maximum, nothing to fit. Shared
/// by BG/NBD, MBG/NBD, Pareto/NBD and BG/BB (T = n opportunities there).
inline void require_observed_rows(const char* fn, const bg_prepared& d) {
    for (double T : d.T)
        if (T > 0) return;
    fail(status::invalid_argument, fn,
         "every row with positive weight has 'T' = 0 (first purchase at the end of the "
         "period): their likelihood is 1 whatever the parameters, so there is nothing to fit");
}

/// The prepared rows of a BG-family or Pareto/NBD fit (validated, merged, with positive weight
/// and an observed row) and the data-driven quantities of its starts and penalty.
struct rfm_fit_rows {
    bg_prepared rows;
    double sx = 0;     ///< Σ w x
    double sT = 0;     ///< Σ w T (> 0: an observed row has T > 0)
    double max_T = 0;  ///< the largest T given (lifetimes' penalty unit; zero weights count)
};

inline rfm_fit_rows prepare_rfm_fit(const char* fn, const rfm_data& data) {
    validate_rfm(fn, data);
    rfm_fit_rows f{bg_prepare(data, true)};
    const bg_prepared& d = f.rows;
    if (!(d.total_weight > 0))
        fail(status::invalid_argument, fn, "the data have no rows with positive weight");
    require_observed_rows(fn, d);
    for (std::size_t g = 0; g < d.xs.size(); ++g)
        for (std::size_t i = d.start[g]; i < d.start[g + 1]; ++i) {
            f.sx += d.w[i] * d.xs[g];
            f.sT += d.w[i] * d.T[i];
        }
    for (std::size_t i = 0; i < data.size(); ++i) f.max_T = std::max(f.max_T, data.age[i]);
    return f;
}

/// Every k-th prepared row (k ≥ 1, counted across groups): a systematic sample of the rows,
/// which are grouped by x (and within a merged group sorted by T), so each frequency group keeps
/// its share of rows ± 1. The kept rows' weights are scaled by (group weight / k) / (kept
/// weight), so each group weighs in the subsample exactly its share of the data (÷ k), and the
/// subsample's optimum, the warm start of a large fit, estimates the data's without bias.
inline bg_prepared bg_subsample(const bg_prepared& d, std::size_t k) {
    bg_prepared out;
    if (k == 0) k = 1;
    for (std::size_t g = 0; g < d.xs.size(); ++g) {
        const std::size_t first = out.tx.size();
        double kept = 0, all = 0;
        for (std::size_t i = d.start[g]; i < d.start[g + 1]; ++i) {
            all += d.w[i];
            if (i % k != 0) continue;
            out.tx.push_back(d.tx[i]);
            out.T.push_back(d.T[i]);
            out.w.push_back(d.w[i]);
            kept += d.w[i];
        }
        if (out.tx.size() == first || !(kept > 0)) {
            out.tx.resize(first);
            out.T.resize(first);
            out.w.resize(first);
            continue;
        }
        const double scale = all / static_cast<double>(k) / kept;
        for (std::size_t i = first; i < out.tx.size(); ++i) out.w[i] *= scale;
        out.xs.push_back(d.xs[g]);
        out.wx.push_back(kept * scale);
        out.start.push_back(first);
        out.total_weight += kept * scale;
    }
    out.start.push_back(out.tx.size());
    return out;
}

}  // namespace ltv::detail
