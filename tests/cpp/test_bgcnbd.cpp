// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/bgcnbd.hpp (BG/CNBD-k, MBG/CNBD-k, the Wheat & Morrison regularity) and of the
// summaries' litt column (ltv/summary.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ltv/bgcnbd.hpp"
#include "ltv/bgnbd.hpp"
#include "ltv/mbgnbd.hpp"
#include "ltv/model_ops.hpp"
#include "ltv/model_state.hpp"
#include "ltv/registry.hpp"
#include "ltv/summary.hpp"
#include "support/model_data.hpp"
#include "support/references.hpp"

namespace {

/// Simulated BG/CNBD-k (m = 0) or MBG/CNBD-k (m = 1) customers with their litt and the holdout
/// purchases in (T, T + holdout]: λ ~ Gamma(r, rate α), p ~ Beta(a, b), Erlang-k gaps, a coin
/// after each purchase (and at 0 for m = 1); T uniform on {36, 48, …, 96} weeks as in BTYDplus's
/// tests/testthat/test-bg-cnbd-k.R.
struct simulated {
    std::vector<double> x, tx, T, litt, holdout;
    ltv::rfm_data view() const {
        ltv::rfm_data d{x, tx, T, {}};
        d.litt = litt;
        return d;
    }
};

simulated simulate_cnbd(double r, double alpha, double a, double b, int k, int m, std::size_t n,
                        double holdout, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> rate(r, 1 / alpha), ga(a, 1), gb(b, 1);
    std::uniform_int_distribution<int> age(3, 8);
    std::uniform_real_distribution<double> u01(0, 1);
    simulated s;
    for (std::size_t i = 0; i < n; ++i) {
        const double lambda = rate(rng), g1 = ga(rng), g2 = gb(rng), p = g1 / (g1 + g2);
        const double T = 12.0 * age(rng);
        std::gamma_distribution<double> gap(k, 1 / lambda);
        bool alive = !(m == 1 && u01(rng) < p);
        double t = 0, last = 0, litt = 0;
        int x = 0, y = 0;
        while (alive) {
            const double g = gap(rng);
            t += g;
            if (t > T + holdout) break;
            if (t <= T) {
                ++x;
                litt += std::log(t - last);
                last = t;
            } else {
                ++y;
            }
            if (u01(rng) < p) alive = false;
        }
        s.x.push_back(x);
        s.tx.push_back(last);
        s.T.push_back(T);
        s.litt.push_back(litt);
        s.holdout.push_back(y);
    }
    return s;
}

ltv::model_state state_of(ltv::model_kind kind, std::vector<double> params, double k) {
    ltv::model_state s;
    s.kind = kind;
    s.params = std::move(params);
    ltv::set_model_option(s, ltv::model_ops_for(kind), "k", k);
    return s;
}

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const ltv::error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("bgcnbd: k = 1 is BG/NBD and MBG/NBD (the identity of the likelihoods and forecasts)") {
    const auto d = ltv_test::cdnow();
    const auto& bref = ltv_test::reference("bgnbd");
    // Parameters: FHL 2005's CDNOW estimate (bgnbd.json fits.cdnow); any point would do.
    const auto bp = ltv_test::param_struct<ltv::bgnbd_params>(bref, "fit:cdnow");
    const ltv::bgcnbd_params cp{bp.r, bp.alpha, bp.a, bp.b, 1};
    const ltv::mbgnbd_params mp{bp.r, bp.alpha, bp.a, bp.b};
    const ltv::mbgcnbd_params mcp{bp.r, bp.alpha, bp.a, bp.b, 1};
    double g1[4], g2[4];
    // The same sums of the same terms in another order: 1e-12 relative.
    CHECK(ltv::total_log_likelihood(cp, d.view(), g2) ==
          doctest::Approx(ltv::total_log_likelihood(bp, d.view(), g1)).epsilon(1e-12));
    for (int j = 0; j < 4; ++j) CHECK(g2[j] == doctest::Approx(g1[j]).epsilon(1e-9).scale(1));
    CHECK(ltv::total_log_likelihood(mcp, d.view(), g2) ==
          doctest::Approx(ltv::total_log_likelihood(mp, d.view(), g1)).epsilon(1e-12));
    for (int j = 0; j < 4; ++j) CHECK(g2[j] == doctest::Approx(g1[j]).epsilon(1e-9).scale(1));
    // Forecasts: the phase-mixture series against the hypergeometric closed forms; the series
    // sums ~100 terms downward, 1e-10 relative.
    for (std::size_t i = 0; i < d.x.size(); i += 37) {
        const double x = d.x[i], tx = d.tx[i], T = d.T[i];
        CHECK(ltv::probability_alive(cp, x, tx, T) ==
              doctest::Approx(ltv::probability_alive(bp, x, tx, T)).epsilon(1e-13));
        CHECK(ltv::probability_alive(mcp, x, tx, T) ==
              doctest::Approx(ltv::probability_alive(mp, x, tx, T)).epsilon(1e-13));
        for (double t : {1.0, 39.0, 520.0}) {
            CHECK(ltv::conditional_expected_purchases(cp, t, x, tx, T) ==
                  doctest::Approx(ltv::conditional_expected_purchases(bp, t, x, tx, T))
                      .epsilon(1e-10));
            CHECK(ltv::conditional_expected_purchases(mcp, t, x, tx, T) ==
                  doctest::Approx(ltv::conditional_expected_purchases(mp, t, x, tx, T))
                      .epsilon(1e-10));
        }
    }
    for (double t : {0.5, 39.0, 78.0, 1000.0}) {
        CHECK(ltv::expected_purchases(cp, t) ==
              doctest::Approx(ltv::expected_purchases(bp, t)).epsilon(1e-10));
        CHECK(ltv::expected_purchases(mcp, t) ==
              doctest::Approx(ltv::expected_purchases(mp, t)).epsilon(1e-10));
    }
    // The fits: ltv's own BG/NBD estimate, to the fit's gradient tolerance (1e-5 relative).
    const auto fb = ltv::fit_bgnbd(d.view());
    const auto fc = ltv::fit_bgcnbd(d.view(), {}, {1, 12});
    CHECK(fc.params.k == 1);
    CHECK(fc.params.r == doctest::Approx(fb.params.r).epsilon(1e-5));
    CHECK(fc.params.alpha == doctest::Approx(fb.params.alpha).epsilon(1e-5));
    CHECK(fc.params.a == doctest::Approx(fb.params.a).epsilon(1e-5));
    CHECK(fc.params.b == doctest::Approx(fb.params.b).epsilon(1e-5));
    CHECK(fc.report.log_likelihood == doctest::Approx(fb.report.log_likelihood).epsilon(1e-10));
}

TEST_CASE("bgcnbd: analytic gradient = central differences at k = 2, 3, 7") {
    const auto d = ltv_test::cdnow();
    for (int m : {0, 1})
        for (int k : {2, 3, 7}) {
            const ltv::detail::cnbd_shape s{0.5, 6, 0.9, 2.5, k, m};
            const auto prep = ltv::detail::cnbd_prepare("test", d.view());
            double g[4];
            ltv::detail::cnbd_total_log_likelihood(s, prep, g);
            for (int j = 0; j < 4; ++j) {
                const double h = 1e-5;
                auto at = [&](double step) {
                    double v[4] = {s.r, s.alpha, s.a, s.b};
                    v[j] *= std::exp(step);
                    return ltv::detail::cnbd_total_log_likelihood({v[0], v[1], v[2], v[3], k, m},
                                                                  prep, nullptr);
                };
                INFO("m = " << m << ", k = " << k << ", parameter " << j);
                // central differences of a sum of ~1e4: truncation ~h², rounding ~1e-12/h
                CHECK(g[j] == doctest::Approx((at(h) - at(-h)) / (2 * h)).epsilon(1e-6).scale(1));
            }
        }
}

TEST_CASE("bgcnbd: the k search recovers a simulated k and the parameters within 3 SE") {
    // BTYDplus tests/testthat/test-bg-cnbd-k.R's parameters: k = 3, r = 0.85, α = 1.45,
    // a = 0.79, b = 2.42 (its test requires 10 % agreement on 1000 customers); 6000 here.
    const double r = 0.85, alpha = 1.45, a = 0.79, b = 2.42;
    for (int m : {0, 1}) {
        const auto sim = simulate_cnbd(r, alpha, a, b, 3, m, 6000, 0, 20260 + m);
        ltv::fit_options o;
        o.standard_errors = true;
        ltv::fit_report search_rep, rep;
        const auto s = ltv::detail::cnbd_fit("test", sim.view(), o, {0, 12}, m, search_rep);
        const auto s3 = ltv::detail::cnbd_fit("test", sim.view(), o, {3, 12}, m, rep);
        INFO("m = " << m);
        CHECK(s.k == 3);
        CHECK(s3.r == doctest::Approx(s.r).epsilon(1e-9));
        REQUIRE(rep.standard_errors_available);
        const double truth[4] = {r, alpha, a, b}, est[4] = {s3.r, s3.alpha, s3.a, s3.b};
        for (int j = 0; j < 4; ++j) {
            INFO("parameter " << j << ": " << est[j] << " ± " << rep.parameters[j].standard_error);
            CHECK(std::abs(est[j] - truth[j]) < 3 * rep.parameters[j].standard_error);
        }
    }
}

TEST_CASE("bgcnbd: exact conditional expectations agree with a simulation of the holdout") {
    // Σ E[Y(32) | x, t_x, T] over 20000 simulated customers against their simulated holdout
    // purchases: the difference is a sum of independent zero-mean terms, within 4 of its
    // standard deviations (estimated from the same terms).
    const double r = 0.85, alpha = 1.45, a = 0.79, b = 2.42;
    for (int m : {0, 1}) {
        const auto sim = simulate_cnbd(r, alpha, a, b, 3, m, 20000, 32, 777 + m);
        const ltv::bgcnbd_params p0{r, alpha, a, b, 3};
        const ltv::mbgcnbd_params p1{r, alpha, a, b, 3};
        std::vector<double> e(sim.x.size());
        if (m == 0)
            ltv::conditional_expected_purchases(p0, 32, sim.view(), e.data(), 0);
        else
            ltv::conditional_expected_purchases(p1, 32, sim.view(), e.data(), 0);
        double diff = 0, ss = 0;
        for (std::size_t i = 0; i < e.size(); ++i) {
            diff += sim.holdout[i] - e[i];
            ss += (sim.holdout[i] - e[i]) * (sim.holdout[i] - e[i]);
        }
        INFO("m = " << m << ": Σ(actual − expected) = " << diff << ", sd " << std::sqrt(ss));
        CHECK(std::abs(diff) < 4 * std::sqrt(ss));
    }
}

TEST_CASE("bgcnbd: the registry's model, option k, JSON round trip") {
    const auto& ops = ltv::model_ops_for(ltv::model_kind::bgcnbd);
    CHECK(std::string(ops.name) == "bgcnbd");
    REQUIRE(ops.num_options == 2);
    CHECK(std::string(ops.options[0].name) == "k");
    CHECK(std::string(ltv::model_ops_for(ltv::model_kind::mbgcnbd).name) == "mbgcnbd");
    const auto sim = simulate_cnbd(0.85, 1.45, 0.79, 2.42, 2, 0, 3000, 0, 99);
    ltv::model_state s;
    s.kind = ltv::model_kind::bgcnbd;
    ops.fit_rfm(s, sim.view(), {});
    const double* k = ltv::find_model_option(s, "k");
    REQUIRE(k != nullptr);
    CHECK(*k == 2);  // chosen by the search and stored
    const auto back = ltv::model_from_json(ltv::model_to_json(s));
    REQUIRE(ltv::find_model_option(back, "k") != nullptr);
    CHECK(*ltv::find_model_option(back, "k") == 2);
    std::vector<double> p1(sim.x.size()), p2(sim.x.size());
    ops.p_alive(s, sim.view(), p1.data(), 1);
    ops.p_alive(back, sim.view(), p2.data(), 1);
    CHECK(p1 == p2);
}

TEST_CASE("bgcnbd: bad input names k and litt") {
    const auto& ops = ltv::model_ops_for(ltv::model_kind::bgcnbd);
    const std::vector<double> x{0, 2, 1}, tx{0, 10, 3}, T{20, 20, 20}, litt{0, 1.5, 0.3};
    ltv::rfm_data d{x, tx, T, {}};
    std::vector<double> out(3);
    // k = 0 (not chosen) in a state with parameters: every kernel names 'k'
    ltv::model_state s = state_of(ltv::model_kind::bgcnbd, {0.5, 6, 0.9, 2.5}, 0);
    CHECK(error_of([&] { ops.p_alive(s, d, out.data(), 1); }).find("'k'") != std::string::npos);
    // k non-integer or ≤ 0 as an option: refused naming 'k'
    CHECK(error_of([&] { ltv::set_model_option(s, ops, "k", 2.5); }).find("'k'") !=
          std::string::npos);
    CHECK(error_of([&] { ltv::set_model_option(s, ops, "k", -1); }).find("'k'") !=
          std::string::npos);
    CHECK(error_of([&] { (void)ltv::probability_alive(ltv::bgcnbd_params{0.5, 6, 0.9, 2.5, -2},
                                                      1, 1, 2); })
              .find("'k'") != std::string::npos);
    // a k search without litt
    ltv::model_state f;
    f.kind = ltv::model_kind::bgcnbd;
    CHECK(error_of([&] { ops.fit_rfm(f, d, {}); }).find("'litt'") != std::string::npos);
    // litt NaN, inf, wrong length, non-zero without repeat purchases: named with the row
    std::vector<double> bad = litt;
    bad[1] = std::nan("");
    d.litt = bad;
    CHECK(error_of([&] { ops.fit_rfm(f, d, {}); }).find("'litt[1]'") != std::string::npos);
    bad[1] = std::numeric_limits<double>::infinity();
    CHECK(error_of([&] { ops.log_likelihood(state_of(ltv::model_kind::bgcnbd,
                                                     {0.5, 6, 0.9, 2.5}, 2),
                                            d, out.data(), 1); })
              .find("'litt[1]'") != std::string::npos);
    bad = litt;
    bad[0] = 0.5;
    CHECK(error_of([&] { ops.fit_rfm(f, d, {}); }).find("'litt[0]'") != std::string::npos);
    const std::vector<double> short_litt{0, 1};
    d.litt = short_litt;
    CHECK(error_of([&] { ops.fit_rfm(f, d, {}); }).find("'litt'") != std::string::npos);
    // a fixed k fits on (x, t_x, T) alone
    const auto sim = simulate_cnbd(0.85, 1.45, 0.79, 2.42, 2, 0, 2000, 0, 5);
    ltv::rfm_data plain{sim.x, sim.tx, sim.T, {}};
    ltv::model_state g = state_of(ltv::model_kind::bgcnbd, {}, 2);
    ops.fit_rfm(g, plain, {});
    CHECK(g.params.size() == 4);
}

TEST_CASE("bgcnbd: Wheat & Morrison regularity of simulated Erlang-k inter-purchase times") {
    std::mt19937_64 rng(42);
    std::gamma_distribution<double> rate(2, 1);
    for (int k : {1, 3, 6}) {
        std::vector<double> t1, t2;
        for (int i = 0; i < 20000; ++i) {
            std::gamma_distribution<double> gap(k, 1 / rate(rng));
            t1.push_back(gap(rng));
            t2.push_back(gap(rng));
        }
        // M ~ Beta(k, k) whatever each customer's rate; with 20000 customers the estimate is
        // within ~5 % (its sd is ~2 % at k = 6).
        CHECK(ltv::regularity_wheat(t1, t2) == doctest::Approx(k).epsilon(0.08));
    }
    const std::vector<double> ok{1, 2}, bad{1, 0};
    CHECK(error_of([&] { (void)ltv::regularity_wheat(ok, bad); }).find("'last_itt[1]'") !=
          std::string::npos);
    CHECK(error_of([&] { (void)ltv::regularity_wheat(ok, std::vector<double>{1}); })
              .find("'last_itt'") != std::string::npos);
}

TEST_CASE("summary: litt, the sum of log inter-purchase times") {
    using ltv::make_day;
    const double week = 7;
    ltv::summary_options o;
    o.unit.days = week;
    o.observation_end = make_day(2020, 3, 1);
    ltv::summary_state st(o);
    // purchases on Jan 1 (twice: one occasion), Jan 2 and Jan 9: gaps of 1 and 7 days
    st.add("a", make_day(2020, 1, 1), 5);
    st.add("a", make_day(2020, 1, 1), 5);
    st.add("a", make_day(2020, 1, 2), 5);
    st.add("a", make_day(2020, 1, 9), 5);
    st.add("b", make_day(2020, 1, 5), 1);  // one occasion: litt 0
    // c out of order at an end: Jan 20 then Jan 10 (a new first occasion, exact)
    st.add("c", make_day(2020, 1, 20), 1);
    st.add("c", make_day(2020, 1, 10), 1);
    // d: a purchase strictly between its first and last: unverified, litt not known (NaN)
    st.add("d", make_day(2020, 1, 1), 1);
    st.add("d", make_day(2020, 1, 30), 1);
    st.add("d", make_day(2020, 1, 15), 1);
    const auto t = st.result();
    REQUIRE(t.litt.size() == 4);
    // exact: log(1/7) + log(7/7) and log(10/7)
    CHECK(t.litt[0] == doctest::Approx(std::log(1 / week) + std::log(7 / week)).epsilon(1e-14));
    CHECK(t.litt[1] == 0);
    CHECK(t.litt[2] == doctest::Approx(std::log(10 / week)).epsilon(1e-14));
    CHECK(std::isnan(t.litt[3]));
    // same-day purchases are merged by day: every gap ≥ 1 day, litt finite
    for (std::size_t i = 0; i < 3; ++i) CHECK(std::isfinite(t.litt[i]));
    // without merging, a same-day pair is a zero gap: NaN, never −inf
    ltv::summary_options none = o;
    none.merge = ltv::merge_period::none;
    ltv::summary_state sn(none);
    sn.add("a", make_day(2020, 1, 1), 5);
    sn.add("a", make_day(2020, 1, 1), 5);
    CHECK(std::isnan(sn.result().litt[0]));
    // saved and restored: the same litt
    const auto back = ltv::summary_state::restore_bytes(st.save_bytes()).result();
    CHECK(back.litt[0] == t.litt[0]);
    CHECK(std::isnan(back.litt[3]));
    // merged time partitions: the batch's litt
    ltv::summary_state early(o), late(o);
    early.add("a", make_day(2020, 1, 1), 5);
    early.add("a", make_day(2020, 1, 2), 5);
    late.add("a", make_day(2020, 1, 9), 5);
    late.add("a", make_day(2020, 1, 20), 5);
    early.merge(late);
    CHECK(early.result().litt[0] ==
          doctest::Approx(std::log(1 / week) + std::log(7 / week) + std::log(11 / week))
              .epsilon(1e-14));
}

TEST_CASE("summary: a version-1 state file restores with litt NaN where it is not known") {
    ltv::summary_state st;
    st.add("a", ltv::make_day(2020, 1, 1), 10);
    st.add("a", ltv::make_day(2020, 1, 5), 20);
    st.add("b", ltv::make_day(2020, 1, 7), 5);
    const std::string v2 = st.save_bytes();
    // Version 1 (ltv ≤ 0.2.5): the same without each record's litt (the f64 at offset 32 of the
    // 41-byte record, after 72 header bytes and the ids "a", "b" = 10 bytes), version 1 at
    // offset 8, the FNV-1a checksum last.
    std::string v1 = v2.substr(0, 82);
    for (std::size_t r = 0; r < 2; ++r) {
        const std::string rec = v2.substr(82 + 41 * r, 41);
        v1 += rec.substr(0, 32) + rec.substr(40, 1);
    }
    v1[8] = 1;
    const std::uint64_t sum = ltv::detail::fnv1a64(v1.data(), v1.size());
    v1.append(reinterpret_cast<const char*>(&sum), 8);  // little-endian host, like the format
    const auto t = ltv::summary_state::restore_bytes(v1).result();
    CHECK(t.frequency[0] == 1);
    CHECK(std::isnan(t.litt[0]));  // a repeat occasion: its gap was not stored
    CHECK(t.litt[1] == 0);         // no repeat occasion: litt 0
    CHECK(!std::isnan(st.result().litt[0]));
}
