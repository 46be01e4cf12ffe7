// SPDX-License-Identifier: Apache-2.0
// ltv/model_curves.hpp (issue 12): the alive path against P(alive) called directly on the
// (x, t_x, T) it should form, and the expected cumulative transactions against a direct sum —
// on made-up histories and on CDNOW (the model comparison's tracking curve is the same kernel).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "ltv/model_curves.hpp"
#include "ltv/model_ops.hpp"
#include "ltv/registry.hpp"
#include "support/cdnow_split.hpp"
#include "support/errors.hpp"

namespace {
using ltv_test::error_message;

ltv::model_state state(const char* name, std::vector<double> params) {
    ltv::model_state s;
    s.kind = static_cast<ltv::model_kind>(ltv::model_ops_named(name).kind);
    s.params = std::move(params);
    return s;
}

// CDNOW fits (tests/oracle/bg_family.py, lifetimes' Pareto/NBD) and FHS 2010's BG/BB.
const ltv::model_state bg = state("bgnbd", {0.242594, 4.41359, 0.792919, 2.425895});
const ltv::model_state pnbd = state("pnbd", {0.5533, 10.578, 0.6062, 11.667});
const ltv::model_state bgbb = state("bgbb", {1.204, 0.750, 0.657, 2.783});

const ltv::model_ops& ops_of(const ltv::model_state& s) { return ltv::model_ops_for(s.kind); }

}  // namespace

TEST_CASE("alive path: P(alive | x, t_x, τ) of the purchases up to τ") {
    // purchases at 0 (the first), 0 again (merged into the first), 3, 3 (two in one unit), 10.5
    const std::vector<double> times{0, 0, 3, 3, 10.5};
    const std::vector<double> at{0, 1, 3, 5, 10.5, 11, 40};
    // (x, t_x) each τ should form
    const double xs[] = {0, 0, 2, 2, 3, 3, 3}, txs[] = {0, 0, 3, 3, 10.5, 10.5, 10.5};
    for (const auto* s : {&bg, &pnbd}) {
        std::vector<double> out(at.size());
        ltv::alive_path(ops_of(*s), *s, times, at, out.data(), 1);
        for (std::size_t i = 0; i < at.size(); ++i) {
            INFO(ops_of(*s).name << " at " << at[i]);
            CHECK(out[i] == ops_of(*s).p_alive_one(*s, xs[i], txs[i], at[i]));
        }
        std::vector<double> threaded(at.size());
        ltv::alive_path(ops_of(*s), *s, times, at, threaded.data(), 4);
        CHECK(threaded == out);
    }
    // BG/BB in whole periods: purchases in periods 2 and 5
    const std::vector<double> periods{0, 2, 5}, at_p{0, 1, 2, 3, 6, 10};
    std::vector<double> out(at_p.size());
    ltv::alive_path(ops_of(bgbb), bgbb, periods, at_p, out.data(), 1);
    const double bx[] = {0, 0, 1, 1, 2, 2}, btx[] = {0, 0, 2, 2, 5, 5};
    for (std::size_t i = 0; i < at_p.size(); ++i)
        CHECK(out[i] == ops_of(bgbb).p_alive_one(bgbb, bx[i], btx[i], at_p[i]));
}

TEST_CASE("alive path: errors name the argument and index") {
    std::vector<double> out(3);
    const std::vector<double> at{1, 2, 3};
    auto run = [&](const ltv::model_state& s, std::vector<double> times, std::vector<double> when) {
        return error_message([&] {
            ltv::alive_path(ops_of(s), s, times, when, out.data(), 1);
        });
    };
    CHECK(run(bg, {}, at).find("'purchase_times' is empty") != std::string::npos);
    CHECK(run(bg, {1, 2}, at).find("'purchase_times[0]' = 1 must be 0") != std::string::npos);
    CHECK(run(bg, {0, 5, 4}, at).find("'purchase_times[2]' = 4 is before 'purchase_times[1]' = 5") !=
          std::string::npos);
    CHECK(run(bg, {0, std::nan("")}, at).find("'purchase_times[1]' = nan is not a finite number") !=
          std::string::npos);
    CHECK(run(bg, {0, 1}, {1, -2, 3}).find("'at[1]' = -2 must not be negative") != std::string::npos);
    // BG/BB refuses a history that is not in whole periods, naming at[i] and what it formed
    const std::string m = run(bgbb, {0, 1.5}, {1, 2, 3});
    CHECK(m.find("whole number of periods") != std::string::npos);
    CHECK(m.find("at[1] = 2: frequency = 1, recency = 1.5, T = 2") != std::string::npos);
    // a model without P(alive)
    const auto gg = state("gg", {6, 4, 15});
    CHECK(run(gg, {0, 1}, at).find("needs the p_alive capability, which the Gamma-Gamma model does "
                                   "not have") != std::string::npos);
}

TEST_CASE("expected cumulative transactions: the direct sum, grouping, weights, threads") {
    const std::vector<double> b{0, 2.5, 0, 7, 2.5, 10}, w{1, 2, 3, 0.5, 1, 4};
    const std::vector<double> at{0, 1, 2.5, 3, 7, 20, 52};
    for (const auto* s : {&bg, &pnbd}) {
        const ltv::model_ops& ops = ops_of(*s);
        std::vector<double> out(at.size()), weighted(at.size()), threaded(at.size());
        ltv::expected_cumulative_transactions(ops, *s, b, {}, at, out.data(), 1);
        ltv::expected_cumulative_transactions(ops, *s, b, w, at, weighted.data(), 1);
        ltv::expected_cumulative_transactions(ops, *s, b, w, at, threaded.data(), 4);
        CHECK(threaded == weighted);
        for (std::size_t k = 0; k < at.size(); ++k) {
            double direct = 0, direct_w = 0;
            for (std::size_t i = 0; i < b.size(); ++i)
                if (b[i] < at[k]) {
                    const double t = at[k] - b[i];
                    double e;
                    ops.new_customer_purchases(*s, {&t, 1}, &e, 1);
                    direct += e;
                    direct_w += w[i] * e;
                }
            INFO(ops.name << " at " << at[k]);
            CHECK(out[k] == doctest::Approx(direct).epsilon(1e-14));
            CHECK(weighted[k] == doctest::Approx(direct_w).epsilon(1e-14));
        }
        CHECK(out[0] == 0);  // nobody was acquired before 0
        // the order of the rows does not matter (groups are summed in increasing b)
        std::vector<double> rb(b.rbegin(), b.rend()), rw(w.rbegin(), w.rend()), rev(at.size());
        ltv::expected_cumulative_transactions(ops, *s, rb, rw, at, rev.data(), 1);
        CHECK(rev == weighted);
        // `unit` divides the differences: days with a 7-day unit = weeks
        std::vector<double> bd(b.size()), atd(at.size()), days(at.size());
        for (std::size_t i = 0; i < b.size(); ++i) bd[i] = 7 * b[i];
        for (std::size_t k = 0; k < at.size(); ++k) atd[k] = 7 * at[k];
        ltv::expected_cumulative_transactions(ops, *s, bd, w, atd, days.data(), 1, 7);
        for (std::size_t k = 0; k < at.size(); ++k)
            CHECK(days[k] == doctest::Approx(weighted[k]).epsilon(1e-14));
    }
}

TEST_CASE("expected cumulative transactions: errors") {
    std::vector<double> out(2);
    auto run = [&](const ltv::model_state& s, std::vector<double> b, std::vector<double> w,
                   std::vector<double> at) {
        return error_message([&] {
            ltv::expected_cumulative_transactions(ops_of(s), s, b, w, at, out.data(), 1);
        });
    };
    CHECK(run(bg, {0, std::nan("")}, {}, {1, 2}).find("'first_purchase[1]' = nan") !=
          std::string::npos);
    CHECK(run(bg, {0, 1}, {1, -1}, {1, 2}).find("'weights[1]' = -1 must not be negative") !=
          std::string::npos);
    CHECK(run(bg, {0, 1}, {1}, {1, 2}).find("'weights' has 1 elements but 'first_purchase' has 2") !=
          std::string::npos);
    CHECK(run(bg, {0, 1}, {}, {1, INFINITY}).find("'at[1]' = inf") != std::string::npos);
    // BG/BB: E[X(n)] needs whole periods; the message names the time and the customer
    const std::string m = run(bgbb, {0, 0.5}, {}, {1, 3});
    CHECK(m.find("whole number of periods") != std::string::npos);
    CHECK(m.find("at[0] = 1 and first_purchase[1] = 0.5") != std::string::npos);
    const auto sbg = state("sbg", {0.7, 1.2});
    CHECK(run(sbg, {0}, {}, {1, 2}).find("needs the new_customer_purchases capability") !=
          std::string::npos);
}

TEST_CASE("expected cumulative transactions: CDNOW, per customer in weeks = grouped by day") {
    // The model comparison (ltv/evaluation.hpp) groups CDNOW's customers by first purchase day
    // and passes days with a 7-day unit; a caller with one row per customer in weeks (as
    // lifetimes' expected_cumulative_transactions) gets the same curve up to rounding. At the
    // calibration end (week 39) it is Σᵢ E[X(Tᵢ)], the identity test_evaluation.cpp checks.
    const auto& split = ltv_test::cdnow_master_split();
    const auto& s = split.summary;
    const ltv::model_ops& ops = ltv::model_ops_named("bgnbd");
    ltv::model_state fitted;
    fitted.kind = static_cast<ltv::model_kind>(ops.kind);
    ops.fit_rfm(fitted, ltv::rfm_data{s.frequency, s.recency, s.T, {}}, ltv::fit_options{});
    const double first_day =
        static_cast<double>(*std::min_element(s.first_purchase.begin(), s.first_purchase.end()));
    std::vector<double> weeks(s.size()), days(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        days[i] = static_cast<double>(s.first_purchase[i]);
        weeks[i] = (days[i] - first_day) / 7;
    }
    const double cal_end = static_cast<double>(*s.calibration_end);
    std::vector<double> at_weeks, at_days;
    for (int k = 1; k <= 78; ++k) {
        at_days.push_back(first_day + 7 * k - 1);
        at_weeks.push_back((7.0 * k - 1) / 7);
    }
    at_days.push_back(cal_end);
    at_weeks.push_back((cal_end - first_day) / 7);
    std::vector<double> by_week(at_weeks.size()), by_day(at_days.size());
    ltv::expected_cumulative_transactions(ops, fitted, weeks, {}, at_weeks, by_week.data(), 0);
    ltv::expected_cumulative_transactions(ops, fitted, days, {}, at_days, by_day.data(), 0, 7);
    for (std::size_t k = 0; k < at_days.size(); ++k)
        CHECK(by_week[k] == doctest::Approx(by_day[k]).epsilon(1e-12));
    std::vector<double> ex(s.size());
    ops.new_customer_purchases(fitted, s.T, ex.data(), 1);
    CHECK(by_day.back() == doctest::Approx(std::accumulate(ex.begin(), ex.end(), 0.0)).epsilon(1e-12));
    // monotone, and near the actual repeat purchases of the calibration period (FHL 2005's
    // Figure 1 shows the same close fit on their 1/10 sample): within 5 %
    for (std::size_t k = 1; k < 78; ++k) CHECK(by_day[k] >= by_day[k - 1]);
    const double actual =
        std::accumulate(s.frequency.begin(), s.frequency.end(), 0.0);
    CHECK(by_day.back() == doctest::Approx(actual).epsilon(0.05));
}
