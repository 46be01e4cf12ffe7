// SPDX-License-Identifier: Apache-2.0
// Customers with T = 0 (issue 10): a first purchase on the last day observed, as ltv::summarize
// and lifetimes produce them. Valid in every fit and prediction of BG/NBD, MBG/NBD, Pareto/NBD
// and (n = 0 opportunities) BG/BB, scalar and batch (tables, caches, polynomial paths).
//
// Reference values: the mpmath oracles of tests/oracle at T = 0 (50 digits), evaluated by
//   import bg_family as bg, pareto_nbd as pn, bgbb as bb      (in tests/oracle)
//   bg.log_likelihood(m, bg.FIT[model], 0, 0, 0), bg.p_alive(...), bg.expected_purchases(m,
//   bg.FIT[model], t, 0, 0, 0) (= bg.expected_new(m, ..., t) to all 50 digits, and = the
//   oracle's independent quadrature check_expected_purchases), pn.log_likelihood(*pn.BASE, 0,
//   0, 0), pn.p_alive, pn.expected_purchases, pn.dert; bb.likelihood(bb.FIT, 0, 0, 0) and the
//   bgbb customer_task formulas at n = 0.
// At T = 1e-30 the oracles give log L = −r·T/α·(1 + O(T)) (−5.5e-32 for BG/NBD): the T = 0
// values are the limit T → 0, which the continuity checks below confirm for ltv as well.
// Tolerances: 1e-13 relative for the predictions (bg_tail and the Pareto/NBD closed forms are
// accurate to a few ulp at these realistic parameters; docs/accuracy.md promises 1e-10).
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "ltv/bgbb.hpp"
#include "ltv/bgnbd.hpp"
#include "ltv/clv.hpp"
#include "ltv/mbgnbd.hpp"
#include "ltv/pareto_nbd.hpp"
#include "support/model_data.hpp"
#include "support/pnbd_bgbb_data.hpp"
#include "support/references.hpp"

namespace {
using ltv_test::error_message;

// The oracles' parameters (tests/oracle/bg_family.py FIT, pareto_nbd.py BASE, bgbb.py FIT).
const ltv::bgnbd_params bg{0.242594, 4.41359, 0.792919, 2.425895};
const ltv::mbgnbd_params mbg{0.524838, 6.182992, 0.891356, 1.613999};
const ltv::pareto_nbd_params pnbd{0.5534, 10.5802, 0.6061, 11.6689};
const ltv::bgbb_params bgbb{1.204, 0.750, 0.657, 2.783};

constexpr double tol = 1e-13;

// E[X(t)] = E[Y(t) | 0, 0, 0] of the oracles, t = 1, 39, 520.
const double horizons[3] = {1, 39, 520};
const double bg_ex[3] = {0.053184316783707629209, 1.1950100988878853361, 4.9686480925655470567};
const double mbg_ex[3] = {0.053060621441895844336, 1.1822837589306914718, 4.4107714663594253152};
const double pnbd_ex[3] = {0.051005888688620050642, 1.2135269704477886722,
                           5.4250589077476027769};
// MBG/NBD P(alive | 0, 0, 0) = b/(a+b) (the coin tossed at time 0).
constexpr double mbg_alive = 0.64421968144235047023;
// Pareto/NBD DERT(δ | 0, 0, 0), δ = 0.01, 0.1 (pn.dert).
const double pnbd_dert[2] = {1.9166089475458417016, 0.38780906061826753226};
// BG/BB at n = 0: P(alive at 1) = δ/(γ+δ); E[X(0, N) | 0, 0, 0] = E[X(N)], N = 1, 5, 10, 100;
// DERT(d), d = 0.1, 1.
constexpr double bgbb_alive = 0.80901162790697673297;
const double bgbb_n[4] = {1, 5, 10, 100};
const double bgbb_ex[4] = {0.49849027635619241239, 1.9377072082850392482, 3.1788543264922887194,
                           11.590349993603811518};
const double bgbb_dert[2] = {2.7009529642517115924, 0.44089487047085539488};

/// CDNOW's summary (FHL 2005, tests/data/cdnow_customers_summary.csv) plus `extra` customers
/// whose first purchase was on the last day (x = t_x = T = 0), spread through the rows.
ltv_test::rfm_columns cdnow_with_first_day(std::size_t extra) {
    const auto base = ltv_test::cdnow();
    ltv_test::rfm_columns d;
    const std::size_t n = base.x.size(), step = n / extra;
    for (std::size_t i = 0, k = 0; i < n; ++i) {
        if (k < extra && i % step == 0) {
            d.x.push_back(0);
            d.tx.push_back(0);
            d.T.push_back(0);
            ++k;
        }
        d.x.push_back(base.x[i]);
        d.tx.push_back(base.tx[i]);
        d.T.push_back(base.T[i]);
    }
    return d;
}

/// Scalar log L, P(alive), E[Y(t)] of a BG-family model at T = 0 against the oracle.
template <class P>
void check_bg_family_scalar(const P& p, double alive, const double* ex) {
    CHECK(ltv::log_likelihood(p, 0, 0, 0) == doctest::Approx(0).epsilon(1e-15));
    CHECK(ltv::probability_alive(p, 0, 0, 0) == doctest::Approx(alive).epsilon(tol));
    for (int k = 0; k < 3; ++k) {
        CAPTURE(horizons[k]);
        const double e = ltv::conditional_expected_purchases(p, horizons[k], 0, 0, 0);
        CHECK(e == doctest::Approx(ex[k]).epsilon(tol));
        CHECK(e == doctest::Approx(ltv::expected_purchases(p, horizons[k])).epsilon(tol));
        // The limit T → 0: T = 1e-12 differs by O(T) (relative ~1e-12).
        CHECK(ltv::conditional_expected_purchases(p, horizons[k], 0, 0, 1e-12) ==
              doctest::Approx(e).epsilon(1e-10));
    }
    CHECK(std::abs(ltv::log_likelihood(p, 0, 0, 1e-12)) < 1e-12);
    CHECK(ltv::probability_alive(p, 0, 0, 1e-12) == doctest::Approx(alive).epsilon(1e-10));
}

/// The same quantities through the batch functions, for `n` rows of which every third has
/// T = 0 (n ≥ detail::bg_table_min_rows: the tabulated purchase curves and CLV sums).
template <class P>
void check_bg_family_batch(const P& p, double alive, const double* ex, std::size_t n) {
    ltv_test::rfm_columns d;
    for (std::size_t i = 0; i < n; ++i) {
        const bool first_day = i % 3 == 0;
        const double x = first_day ? 0 : static_cast<double>(i % 4);
        const double T = first_day ? 0 : 1 + static_cast<double>(i % 97) * 0.4;
        d.x.push_back(x);
        d.tx.push_back(x > 0 ? 0.5 * T : 0);
        d.T.push_back(T);
    }
    const auto v = d.view();
    std::vector<double> ll(n), pa(n), ey(n), clv_unit(n);
    ltv::log_likelihood(p, v, ll.data());
    ltv::probability_alive(p, v, pa.data());
    ltv::conditional_expected_purchases(p, 39, v, ey.data());
    ltv::discounted_expected_purchases(p, v, 12, 4.345, 0.01, clv_unit.data());
    // The new-customer CLV per unit of spend: Σ (1.01)^−k (E[X(kL)] − E[X((k−1)L)]).
    double unit = 0, before = 0;
    for (int k = 1; k <= 12; ++k) {
        const double now = ltv::expected_purchases(p, 4.345 * k);
        unit += (now - before) / std::pow(1.01, k);
        before = now;
    }
    int bad = 0;
    for (std::size_t i = 0; i < n; i += 3) {
        bad += !(ll[i] == doctest::Approx(0).epsilon(1e-15));
        bad += !(pa[i] == doctest::Approx(alive).epsilon(tol));
        bad += !(ey[i] == doctest::Approx(ex[1]).epsilon(tol));
        bad += !(clv_unit[i] == doctest::Approx(unit).epsilon(1e-12));
    }
    CHECK(bad == 0);
    // The other rows still agree with the scalar functions.
    for (std::size_t i = 1; i < n; i += 997) {
        CHECK(pa[i] == ltv::probability_alive(p, d.x[i], d.tx[i], d.T[i]));
        CHECK(ey[i] == doctest::Approx(ltv::conditional_expected_purchases(p, 39, d.x[i], d.tx[i],
                                                                         d.T[i]))
                           .epsilon(1e-13));
    }
}
}  // namespace

TEST_CASE("first-day customers: BG/NBD and MBG/NBD at T = 0 against the oracle") {
    check_bg_family_scalar(bg, 1.0, bg_ex);
    CHECK(ltv::probability_alive(bg, 0, 0, 0) == 1.0);  // exactly: nobody drops out before
    CHECK(ltv::log_likelihood(bg, 0, 0, 0) == 0.0);     // a repurchase; L = 1 exactly
    check_bg_family_scalar(mbg, mbg_alive, mbg_ex);
    // The CLV hook's curve at T = 0 is the new customer's E[X(tₖ)].
    const double times[3] = {1, 39, 520};
    double curve[3];
    ltv::conditional_expected_purchases_curve(mbg, 0, 0, 0, times, 3, curve);
    for (int k = 0; k < 3; ++k) CHECK(curve[k] == doctest::Approx(mbg_ex[k]).epsilon(tol));
}

TEST_CASE("first-day customers: BG-family batches, small and tabulated") {
    check_bg_family_batch(bg, 1.0, bg_ex, 300);
    check_bg_family_batch(bg, 1.0, bg_ex, 3 * ltv::detail::bg_table_min_rows);
    check_bg_family_batch(mbg, mbg_alive, mbg_ex, 3 * ltv::detail::bg_table_min_rows);
}

TEST_CASE("first-day customers: Pareto/NBD at T = 0 against the oracle") {
    const auto& p = pnbd;
    CHECK(ltv::log_likelihood(p, 0, 0, 0) == 0.0);        // L = 1 exactly (exact branch)
    CHECK(ltv::probability_alive(p, 0, 0, 0) == 1.0);     // no atom of the lifetime at 0
    for (int k = 0; k < 3; ++k) {
        CAPTURE(horizons[k]);
        const double e = ltv::conditional_expected_purchases(p, horizons[k], 0, 0, 0);
        CHECK(e == doctest::Approx(pnbd_ex[k]).epsilon(tol));
        CHECK(e == ltv::expected_purchases(p, horizons[k]));  // the same arithmetic
        CHECK(ltv::conditional_expected_purchases(p, horizons[k], 0, 0, 1e-12) ==
              doctest::Approx(e).epsilon(1e-10));
    }
    CHECK(std::abs(ltv::log_likelihood(p, 0, 0, 1e-12)) < 1e-12);
    CHECK(ltv::probability_alive(p, 0, 0, 1e-12) == doctest::Approx(1).epsilon(1e-10));
    CHECK(ltv::discounted_expected_residual_transactions(p, 0.01, 0, 0, 0) ==
          doctest::Approx(pnbd_dert[0]).epsilon(tol));
    CHECK(ltv::discounted_expected_residual_transactions(p, 0.1, 0, 0, 0) ==
          doctest::Approx(pnbd_dert[1]).epsilon(tol));
    // α ≫ β and α ≪ β: the ₂F₁ at z → 1 (the Beta-Stieltjes path) is not evaluated at T = 0.
    for (const ltv::pareto_nbd_params q : {ltv::pareto_nbd_params{0.55, 1e5, 0.6, 1.2},
                                           ltv::pareto_nbd_params{0.55, 1.2, 0.6, 1e5}}) {
        CHECK(ltv::log_likelihood(q, 0, 0, 0) == 0.0);
        CHECK(ltv::probability_alive(q, 0, 0, 0) == 1.0);
    }

    // Batches: every third row has T = 0 (the P(alive) table and the ₂F₁ polynomials).
    ltv_test::rfm_columns d;
    for (std::size_t i = 0; i < 3000; ++i) {
        const bool first_day = i % 3 == 0;
        const double x = first_day ? 0 : static_cast<double>(i % 5);
        const double T = first_day ? 0 : 2 + static_cast<double>(i % 89) * 0.3;
        d.x.push_back(x);
        d.tx.push_back(x > 0 ? 0.25 * T : 0);
        d.T.push_back(T);
    }
    const std::size_t n = d.x.size();
    std::vector<double> ll(n), pa(n), ey(n), dert(n);
    ltv::log_likelihood(p, d.view(), ll.data());
    ltv::probability_alive(p, d.view(), pa.data());
    ltv::conditional_expected_purchases(p, 39, d.view(), ey.data());
    ltv::discounted_expected_residual_transactions(p, 0.1, d.view(), dert.data());
    int bad = 0;
    for (std::size_t i = 0; i < n; i += 3) {
        bad += ll[i] != 0.0;
        bad += pa[i] != 1.0;
        bad += !(ey[i] == doctest::Approx(pnbd_ex[1]).epsilon(tol));
        bad += !(dert[i] == doctest::Approx(pnbd_dert[1]).epsilon(tol));
    }
    CHECK(bad == 0);
    // The total log-likelihood skips them exactly (and its gradient gets nothing from them).
    ltv_test::rfm_columns only_observed;
    for (std::size_t i = 0; i < n; ++i)
        if (d.T[i] > 0) {
            only_observed.x.push_back(d.x[i]);
            only_observed.tx.push_back(d.tx[i]);
            only_observed.T.push_back(d.T[i]);
        }
    double g_all[4], g_obs[4];
    const double all = ltv::total_log_likelihood(p, d.view(), g_all);
    const double obs = ltv::total_log_likelihood(p, only_observed.view(), g_obs);
    CHECK(all == doctest::Approx(obs).epsilon(1e-14));
    for (int k = 0; k < 4; ++k) CHECK(g_all[k] == doctest::Approx(g_obs[k]).epsilon(1e-12));
}

TEST_CASE("first-day customers: BG/BB with n = 0 opportunities against the oracle") {
    const auto& p = bgbb;
    CHECK(ltv::log_likelihood(p, 0, 0, 0) == 0.0);  // L = 1 exactly (exact branch)
    CHECK(ltv::probability_alive(p, 0, 0, 0) == doctest::Approx(bgbb_alive).epsilon(tol));
    for (int k = 0; k < 4; ++k) {
        CAPTURE(bgbb_n[k]);
        const double e = ltv::conditional_expected_purchases(p, bgbb_n[k], 0, 0, 0);
        CHECK(e == doctest::Approx(bgbb_ex[k]).epsilon(tol));
        CHECK(e == doctest::Approx(ltv::expected_purchases(p, bgbb_n[k])).epsilon(tol));
    }
    CHECK(ltv::discounted_expected_residual_transactions(p, 0.1, 0, 0, 0) ==
          doctest::Approx(bgbb_dert[0]).epsilon(tol));
    CHECK(ltv::discounted_expected_residual_transactions(p, 1.0, 0, 0, 0) ==
          doctest::Approx(bgbb_dert[1]).epsilon(tol));
    // Batch, and the fit: the donations data of FHS 2010 plus 500 donors acquired in the last
    // period (n = 0) give the same optimum (their log L is 0 whatever the parameters).
    auto d = ltv_test::donations();
    d.x.push_back(0);
    d.tx.push_back(0);
    d.T.push_back(0);
    d.w.push_back(500);
    std::vector<double> pa(d.x.size()), ey(d.x.size());
    ltv::probability_alive(p, d.view(), pa.data());
    ltv::conditional_expected_purchases(p, 5, d.view(), ey.data());
    CHECK(pa.back() == ltv::probability_alive(p, 0, 0, 0));
    CHECK(ey.back() == ltv::conditional_expected_purchases(p, 5, 0, 0, 0));
    const auto with = ltv::fit_bgbb(d.view());
    const auto without = ltv::fit_bgbb(ltv_test::donations().view());
    CHECK(with.report.total_weight == without.report.total_weight + 500);
    CHECK(with.report.log_likelihood == doctest::Approx(without.report.log_likelihood).epsilon(1e-10));
    CHECK(with.params.alpha == doctest::Approx(without.params.alpha).epsilon(1e-5));
    CHECK(with.params.delta == doctest::Approx(without.params.delta).epsilon(1e-5));
}

TEST_CASE("first-day customers: fits on data with T = 0 rows") {
    // CDNOW (2357 customers) plus 300 first-day customers: their log L is 0 for every
    // parameter, so the maximum-likelihood estimate and the log-likelihood are CDNOW's own
    // (references as in test_bgnbd.cpp / test_mbgnbd.cpp / test_pareto_nbd.cpp: lifetimes and
    // the papers), and W counts them (the mean of lifetimes' objective does too).
    const auto d = cdnow_with_first_day(300);
    REQUIRE(d.x.size() == 2657);
    // The published CDNOW fits (tests/data/references/<model>.json) within their tolerances.
    const auto& rb = ltv_test::reference("bgnbd")["fits"]["cdnow"];
    const auto& rm = ltv_test::reference("mbgnbd")["fits"]["cdnow"];
    const auto& rp = ltv_test::reference("pnbd")["fits"]["cdnow"];
    const auto fb = ltv::fit_bgnbd(d.view());
    CHECK(fb.report.convergence.converged);
    CHECK_REF(fb.params.r, rb["params"]["r"]);
    CHECK_REF(fb.params.alpha, rb["params"]["alpha"]);
    CHECK_REF(fb.params.a, rb["params"]["a"]);
    CHECK_REF(fb.params.b, rb["params"]["b"]);
    CHECK_REF(fb.report.log_likelihood, rb["log_likelihood"]);
    CHECK(fb.report.total_weight == 2657);
    const auto fm = ltv::fit_mbgnbd(d.view());
    CHECK(fm.report.convergence.converged);
    CHECK_REF(fm.params.r, rm["params"]["r"]);
    CHECK_REF(fm.params.b, rm["params"]["b"]);
    CHECK_REF(fm.report.log_likelihood, rm["log_likelihood"]);
    const auto fp = ltv::fit_pareto_nbd(d.view());
    CHECK(fp.report.convergence.converged);
    CHECK_REF(fp.params.r, rp["params"]["r"]);
    CHECK_REF(fp.params.s, rp["params"]["s"]);
    CHECK_REF(fp.params.beta, rp["params"]["beta"]);
    CHECK(fp.report.log_likelihood ==
          doctest::Approx(ltv::fit_pareto_nbd(ltv_test::cdnow().view()).report.log_likelihood)
              .epsilon(1e-10));
    // The two-phase (subsampled) fits of large data group and subsample T = 0 rows as others.
    ltv_test::rfm_columns big;
    for (int copy = 0; copy < 90; ++copy)
        for (std::size_t i = 0; i < d.x.size(); ++i) {
            big.x.push_back(d.x[i]);
            big.tx.push_back(d.tx[i]);
            // (distinct T per copy: merging must not collapse the rows below 200 000)
            big.T.push_back(d.T[i] == 0 ? 0 : d.T[i] * (1 + 1e-6 * copy));
        }
    REQUIRE(big.x.size() >= ltv::detail::fit_subsample_min_rows);
    const auto fbig = ltv::fit_bgnbd(big.view());
    CHECK(fbig.report.convergence.converged);
    // (a subsampled two-phase fit of data with perturbed T: the published values to 1e-4 / 1e-3)
    CHECK(fbig.params.r == doctest::Approx(ltv_test::number(rb["params"]["r"])).epsilon(1e-4));
    CHECK(fbig.params.b == doctest::Approx(ltv_test::number(rb["params"]["b"])).epsilon(1e-3));

    // Data of first-day customers only: the likelihood is flat, nothing to fit.
    ltv_test::rfm_columns none;
    none.x.assign(5, 0);
    none.tx.assign(5, 0);
    none.T.assign(5, 0);
    for (auto fit : {+[](const ltv::rfm_data& v) { ltv::fit_bgnbd(v); },
                     +[](const ltv::rfm_data& v) { ltv::fit_mbgnbd(v); },
                     +[](const ltv::rfm_data& v) { ltv::fit_pareto_nbd(v); },
                     +[](const ltv::rfm_data& v) { ltv::fit_bgbb(v); }})
        CHECK(error_message([&] { fit(none.view()); })
                  .find("every row with positive weight has 'T' = 0") != std::string::npos);
}

TEST_CASE("first-day customers: what stays an error, named as the user calls it") {
    // T < 0, x > 0 with T = 0, t_x > T; messages say 'T' (the C, Python and CLI name), not the
    // C++ field `age`.
    ltv_test::rfm_columns d;
    d.x = {0, 0, 0};
    d.tx = {0, 0, 0};
    d.T = {1, 2, -1};
    CHECK(error_message([&] { ltv::fit_bgnbd(d.view()); }) ==
          "bgnbd_fit: argument 'T[2]' = -1 must not be negative");
    d.T = {1, 0, 3};
    d.x = {0, 2, 0};
    CHECK(error_message([&] { ltv::fit_pareto_nbd(d.view()); }) ==
          "pareto_nbd_fit: argument 'frequency[1]' = 2 must be 0 when 'T[1]' = 0 (no time after "
          "the first purchase for a repeat purchase)");
    std::vector<double> out(3);
    CHECK(error_message([&] { ltv::probability_alive(mbg, d.view(), out.data()); }) ==
          "mbgnbd_probability_alive: argument 'frequency[1]' = 2 must be 0 when 'T[1]' = 0 (no "
          "time after the first purchase for a repeat purchase)");
    CHECK(error_message([&] { ltv::probability_alive(bg, 2, 1, 0); }) ==
          "bgnbd_probability_alive: argument 'recency' = 1 must not exceed 'T' = 0");
    CHECK(error_message([&] { ltv::log_likelihood(bg, 1, 0, 0); }) ==
          "bgnbd_log_likelihood: argument 'frequency' = 1 must be 0 when 'T' = 0 (no time after "
          "the first purchase for a repeat purchase)");
    CHECK(error_message([&] { ltv::conditional_expected_purchases(pnbd, 1, 0, 0, -0.5); }) ==
          "pareto_nbd_conditional_expected_purchases: argument 'T' = -0.5 must not be negative");
    CHECK(error_message([&] { ltv::probability_alive(bgbb, 0, 0, -1); }) ==
          "bgbb_probability_alive: argument 'T' = -1 must not be negative");
    CHECK(error_message([&] { ltv::probability_alive(bgbb, 1, 1, 0); }) ==
          "bgbb_probability_alive: argument 'recency' = 1 must not exceed 'T' = 0");
    // Array lengths are named the same way.
    ltv_test::rfm_columns shape;
    shape.x = {0, 0};
    shape.tx = {0, 0};
    shape.T = {1};
    CHECK(error_message([&] { ltv::fit_bgnbd(shape.view()); }) ==
          "bgnbd_fit: argument 'T' has 1 elements but 'frequency' has 2");
    // Pareto/NBD DERT's discount is 'discount_rate' in C and Python.
    CHECK(error_message([&] {
              ltv::discounted_expected_residual_transactions(pnbd, -1, 0, 0, 0);
          }) == "pareto_nbd_discounted_expected_residual_transactions: argument 'discount_rate' "
                "= -1 must be greater than 0");
}
