// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/bgbb.hpp (BG/BB, Fader, Hardie & Shang 2010).
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "ltv/bgbb.hpp"
#include "ltv/clv.hpp"
#include "support/pnbd_bgbb_data.hpp"
#include "support/references.hpp"

namespace {
// Reference values: tests/data/references/bgbb.json. donations_fit: the reference optimum on
// tests/data/donations.csv (the brief's values, which the paper rounds to 1.204, 0.750, 0.657,
// 2.783 with LL = −33 225.6).
const ltv_test::json& ref() { return ltv_test::reference("bgbb"); }
const ltv::bgbb_params donations_fit =
    ltv_test::param_struct<ltv::bgbb_params>(ref(), "fit:donations");

using ltv_test::arg;
using ltv_test::error_message;

}  // namespace

TEST_CASE("bgbb: fit on the donations reproduces Fader, Hardie & Shang (2010)") {
    const auto d = ltv_test::rfm_dataset(ref(), "donations");
    REQUIRE(d.x.size() == ref()["datasets"]["donations"]["rows"].get<std::size_t>());
    const auto fit = ltv::fit_bgbb(d.view());
    // bgbb.json fits.donations: 6 significant digits given → 1e-5 relative; LL to 8 digits.
    const auto& f = ref()["fits"]["donations"];
    ltv_test::check_published_fit<ltv::bgbb_model>(fit, f);
    CHECK(fit.report.convergence.converged);
    CHECK(fit.report.total_weight == f["total_weight"].get<double>());
    CHECK(fit.report.rows_used == f["rows_used"].get<std::size_t>());
    REQUIRE(fit.report.standard_errors_available);
    for (const auto& e : fit.report.parameters) {
        CAPTURE(e.name);
        CHECK(e.standard_error > 0);
        CHECK(e.standard_error < 0.2 * e.value);
    }
    MESSAGE("donations SEs: " << fit.report.parameters[0].standard_error << " "
                              << fit.report.parameters[1].standard_error << " "
                              << fit.report.parameters[2].standard_error << " "
                              << fit.report.parameters[3].standard_error);
}

TEST_CASE("bgbb: P(alive) and expected transactions of FHS 2010") {
    const auto p = donations_fit;
    // FHS 2010, P(alive in 2002) for donors with n = 6 (bgbb.json predictions: two printed
    // digits → ±0.005).
    for (const char* id : {"p_alive_6_6_6", "p_alive_2_4_6", "p_alive_0_0_6"}) {
        const auto& c = ref()["predictions"][id];
        CHECK_REF(ltv::probability_alive(p, arg(c, "frequency"), arg(c, "recency"), arg(c, "T")),
                  c);
    }
    // Σ over all 11 104 donors of E[transactions in 2002-2006] (FHS's spreadsheet).
    const auto& c = ref()["predictions"]["expected_transactions_2002_2006"];
    const auto d = ltv_test::rfm_dataset(ref(), c["dataset"].get<std::string>());
    std::vector<double> e(d.x.size());
    ltv::conditional_expected_purchases(p, arg(c, "t"), d.view(), e.data());
    double total = 0;
    for (std::size_t i = 0; i < e.size(); ++i) total += d.w[i] * e[i];
    CHECK_REF(total, c);
}

TEST_CASE("bgbb: invariants on the donations") {
    const auto d = ltv_test::donations();
    const auto p = donations_fit;
    std::vector<double> ll(d.x.size());
    ltv::log_likelihood(p, d.view(), ll.data());
    double sum = 0;
    for (std::size_t i = 0; i < ll.size(); ++i) sum += d.w[i] * ll[i];
    CHECK(ltv::total_log_likelihood(p, d.view()) == doctest::Approx(sum).epsilon(1e-13));
    std::vector<double> alive(d.x.size());
    ltv::probability_alive(p, d.view(), alive.data());
    for (std::size_t i = 0; i < d.x.size(); ++i) {
        CHECK(alive[i] >= 0);
        CHECK(alive[i] <= 1);
        CHECK(alive[i] == ltv::probability_alive(p, d.x[i], d.tx[i], d.T[i]));
        double previous = 0;
        for (double h : {1.0, 2.0, 5.0, 10.0, 100.0}) {
            const double e = ltv::conditional_expected_purchases(p, h, d.x[i], d.tx[i], d.T[i]);
            CHECK(e > previous);  // E[X(n, n+h)] increases with h
            previous = e;
        }
        // The curve agrees with the point function.
        const double times[4] = {1, 3, 7, 20};
        double curve[4];
        ltv::conditional_expected_purchases_curve(p, d.x[i], d.tx[i], d.T[i], times, 4, curve);
        for (int k = 0; k < 4; ++k)
            CHECK(curve[k] == doctest::Approx(ltv::conditional_expected_purchases(
                                                  p, times[k], d.x[i], d.tx[i], d.T[i]))
                                  .epsilon(1e-13));
    }
    // The likelihood is a distribution over patterns: for fixed n, Σ over all (x, t_x)
    // of L(x, t_x, n) · (number of purchase sequences with that pattern) = 1. Sequences with x
    // purchases, the last at t_x: C(t_x − 1, x − 1) (x ≥ 1), one for x = 0.
    for (double n : {1.0, 4.0, 9.0}) {
        double total = 0;
        for (double tx = 0; tx <= n; ++tx)
            for (double x = tx == 0 ? 0 : 1; x <= tx; ++x) {
                const double ways = x == 0 ? 1
                                           : std::exp(std::lgamma(tx) - std::lgamma(x) -
                                                      std::lgamma(tx - x + 1));
                total += ways * std::exp(ltv::log_likelihood(p, x, tx, n));
            }
        CHECK(total == doctest::Approx(1).epsilon(1e-12));
    }
}

TEST_CASE("bgbb: P(X(n) = x) is a distribution with mean E[X(n)]") {
    for (const auto& p : {donations_fit, ltv::bgbb_params{0.3, 2.0, 5.0, 0.4},
                          ltv::bgbb_params{4.0, 1.0, 1.0, 1.0}}) {
        for (double n : {1.0, 6.0, 30.0}) {
            double total = 0, mean = 0;
            for (double x = 0; x <= n; ++x) {
                const double px = ltv::probability_of_purchases(p, n, x);
                CHECK(px >= 0);
                total += px;
                mean += x * px;
            }
            CHECK(total == doctest::Approx(1).epsilon(1e-12));
            CHECK(mean == doctest::Approx(ltv::expected_purchases(p, n)).epsilon(1e-12));
        }
    }
}

TEST_CASE("bgbb: weighted fit on patterns equals the fit on expanded rows") {
    const auto d = ltv_test::donations();
    ltv_test::rfm_columns rows;
    for (std::size_t i = 0; i < d.x.size(); ++i)
        for (int k = 0; k < static_cast<int>(d.w[i]); ++k) {
            rows.x.push_back(d.x[i]);
            rows.tx.push_back(d.tx[i]);
            rows.T.push_back(d.T[i]);
        }
    REQUIRE(rows.x.size() == ref()["fits"]["donations"]["total_weight"].get<std::size_t>());
    const auto a = ltv::fit_bgbb(d.view());
    const auto b = ltv::fit_bgbb(rows.view());
    CHECK(b.params.alpha == doctest::Approx(a.params.alpha).epsilon(1e-7));
    CHECK(b.params.beta == doctest::Approx(a.params.beta).epsilon(1e-7));
    CHECK(b.params.gamma == doctest::Approx(a.params.gamma).epsilon(1e-7));
    CHECK(b.params.delta == doctest::Approx(a.params.delta).epsilon(1e-7));
    CHECK(b.report.log_likelihood == doctest::Approx(a.report.log_likelihood).epsilon(1e-12));
    CHECK(ltv::total_log_likelihood(donations_fit, rows.view()) ==
          doctest::Approx(ltv::total_log_likelihood(donations_fit, d.view())).epsilon(1e-12));
}

TEST_CASE("bgbb: analytic gradient agrees with central finite differences") {
    const auto d = ltv_test::donations();
    // Plus some long histories, where the sums over i have many terms.
    ltv_test::rfm_columns extra = d;
    for (double n : {40.0, 200.0}) {
        extra.x.insert(extra.x.end(), {0, 3, 17, n});
        extra.tx.insert(extra.tx.end(), {0, 30, n - 5, n});
        extra.T.insert(extra.T.end(), {n, n, n, n});
        extra.w.insert(extra.w.end(), {5, 2, 1, 3});
    }
    for (const auto& p : {donations_fit, ltv::bgbb_params{0.05, 30.0, 2.5, 0.02},
                          ltv::bgbb_params{500.0, 2.0, 0.3, 400.0}}) {
        double g[4];
        ltv::total_log_likelihood(p, extra.view(), g);
        const double phi[4] = {p.alpha, p.beta, p.gamma, p.delta};
        for (int k = 0; k < 4; ++k) {
            // Central differences in log-parameters, h = 1e-5: truncation ~h², rounding ~ε/h.
            const double h = 1e-5;
            double up[4], dn[4];
            for (int j = 0; j < 4; ++j) up[j] = dn[j] = std::log(phi[j]);
            up[k] += h;
            dn[k] -= h;
            auto make = [](const double* t) {
                return ltv::bgbb_params{std::exp(t[0]), std::exp(t[1]), std::exp(t[2]), std::exp(t[3])};
            };
            const double fd = (ltv::total_log_likelihood(make(up), extra.view()) -
                               ltv::total_log_likelihood(make(dn), extra.view())) /
                              (2 * h);
            CAPTURE(k);
            CHECK(g[k] == doctest::Approx(fd).epsilon(1e-6).scale(1e-3));
        }
    }
}

TEST_CASE("bgbb: DERT against the brute-force discounted sum") {
    const auto p = donations_fit;
    for (double d : {0.1, 0.01}) {
        struct pattern {
            double x, tx, n;
        };
        for (const pattern& c : {pattern{6, 6, 6}, pattern{2, 4, 6}, pattern{0, 0, 6},
                                 pattern{11, 30, 40}}) {
            // Σ_k (E[X(n, n+k)] − E[X(n, n+k−1)]) (1+d)^−k, truncated where (1+d)^−k < 1e-17.
            double brute = 0, previous = 0;
            for (double k = 1; k < 5000; ++k) {
                const double e = ltv::conditional_expected_purchases(p, k, c.x, c.tx, c.n);
                brute += (e - previous) * std::pow(1 + d, -k);
                previous = e;
            }
            CAPTURE(d);
            CAPTURE(c.x);
            CHECK(ltv::discounted_expected_residual_transactions(p, d, c.x, c.tx, c.n) ==
                  doctest::Approx(brute).epsilon(1e-10));
        }
    }
    // Small d, where the series needs 10⁴-10⁶ terms (branches ii and iii of the implementation):
    // against the plain sum Σ_k S_k (1+d)^−k run to convergence here.
    for (const ltv::bgbb_params& q : {donations_fit, ltv::bgbb_params{2, 3, 400, 900}}) {
        for (double d : {1e-3, 1e-4}) {
            const double x = 2, tx = 4, n = 6;
            const double c = q.delta + n + 1;
            double sum = 0, s = 1, z = 1 / (1 + d), zk = z;
            for (double k = 1; k < 2e6; ++k) {
                sum += s * zk;
                s *= (c + k - 1) / (c + q.gamma + k - 1);
                zk *= z;
            }
            const double expected = ltv::probability_alive(q, x, tx, n) * (q.alpha + x) /
                                    (q.alpha + q.beta + n) * sum;
            CAPTURE(d);
            CHECK(ltv::discounted_expected_residual_transactions(q, d, x, tx, n) ==
                  doctest::Approx(expected).epsilon(1e-9));
        }
    }
    // d = 0 and γ > 1: Gauss's sum equals the limit of the undiscounted sums.
    const ltv::bgbb_params q{1.2, 0.7, 3.0, 2.0};
    CHECK(ltv::discounted_expected_residual_transactions(q, 0, 2, 4, 6) ==
          doctest::Approx(ltv::discounted_expected_residual_transactions(q, 1e-9, 2, 4, 6))
              .epsilon(1e-6));
    CHECK_THROWS_AS(ltv::discounted_expected_residual_transactions(p, 0, 2, 4, 6), ltv::error);
}

TEST_CASE("bgbb: CLV template works with whole-period horizons") {
    const auto p = donations_fit;
    const auto spend =  // FHL 2005 (RFM and CLV), gg.json parameter_sets.fhl2005
        ltv_test::param_struct<ltv::gamma_gamma_params>(ltv_test::reference("gg"), "fhl2005");
    ltv::clv_options o;
    o.periods = 5;
    o.period_length = 1;
    o.discount_rate = 0.1;
    const double v = ltv::clv(p, spend, 2, 4, 6, 30.0, o);
    const double s = ltv::conditional_expected_average_spend(spend, 2, 30.0);
    double expected = 0, previous = 0;
    for (int k = 1; k <= 5; ++k) {
        const double e = ltv::conditional_expected_purchases(p, k, 2, 4, 6);
        expected += s * (e - previous) / std::pow(1.1, k);
        previous = e;
    }
    CHECK(v == doctest::Approx(expected).epsilon(1e-13));
}

TEST_CASE("bgbb: simulated data recover the true parameters within 3 standard errors") {
    const ltv::bgbb_params truth{1.2, 0.75, 0.65, 2.8};
    const auto sim = ltv_test::simulate_bgbb(truth.alpha, truth.beta, truth.gamma, truth.delta,
                                             40000, 10, 20240607);
    const auto fit = ltv::fit_bgbb(sim.view());
    const double t[4] = {truth.alpha, truth.beta, truth.gamma, truth.delta};
    for (std::size_t k = 0; k < 4; ++k) {
        const auto& e = fit.report.parameters[k];
        CAPTURE(e.name);
        CAPTURE(e.value);
        CAPTURE(e.standard_error);
        CHECK(std::abs(e.value - t[k]) <= 3 * e.standard_error);
        CHECK(e.standard_error < 0.25 * t[k]);
    }
}

TEST_CASE("bgbb: robustness sweep — finite values, 0 ≤ P(alive) ≤ 1") {
    const double grid[] = {1e-3, 0.1, 10, 1e3};
    int evaluated = 0;
    struct pattern {
        double x, tx, n;
    };
    const pattern patterns[] = {{0, 0, 1},      {1, 1, 1},        {0, 0, 10000},  {1, 1, 10000},
                                {10000, 10000, 10000}, {5000, 9000, 10000}, {3, 7, 7},
                                {30, 40, 60}};
    for (double a : grid)
        for (double b : grid)
            for (double g : grid)
                for (double dd : grid) {
                    const ltv::bgbb_params p{a, b, g, dd};
                    for (const auto& c : patterns) {
                        const double ll = ltv::log_likelihood(p, c.x, c.tx, c.n);
                        const double pa = ltv::probability_alive(p, c.x, c.tx, c.n);
                        const double ey = ltv::conditional_expected_purchases(p, 10, c.x, c.tx, c.n);
                        const double dert =
                            ltv::discounted_expected_residual_transactions(p, 0.1, c.x, c.tx, c.n);
                        const bool ok = std::isfinite(ll) && ll <= 1e-12 && pa >= 0 && pa <= 1 &&
                                        std::isfinite(ey) && ey >= 0 && ey <= 10 &&
                                        std::isfinite(dert) && dert >= 0 && dert <= 11;
                        if (!ok) {
                            CAPTURE(a); CAPTURE(b); CAPTURE(g); CAPTURE(dd);
                            CAPTURE(c.x); CAPTURE(c.tx); CAPTURE(c.n);
                            CAPTURE(ll); CAPTURE(pa); CAPTURE(ey); CAPTURE(dert);
                            CHECK(ok);
                        }
                        ++evaluated;
                    }
                    CHECK(std::isfinite(ltv::expected_purchases(p, 1000)));
                }
    CHECK(evaluated == 256 * 8);
}

TEST_CASE("bgbb: input validation names the argument, index and value") {
    const auto d = ltv_test::donations();
    auto bad = d;
    bad.x[4] = 5;  // x = 5 > t_x = 4
    CHECK(error_message([&] { ltv::fit_bgbb(bad.view()); }) ==
          "bgbb_fit: argument 'frequency[4]' = 5 must not exceed 'recency[4]' = 4 (at most one "
          "transaction per period, the last at t_x)");
    bad = d;
    bad.tx[2] = 2.5;
    CHECK(error_message([&] { ltv::fit_bgbb(bad.view()); }) ==
          "bgbb_fit: argument 'recency[2]' = 2.5 must be a whole number of periods");
    bad = d;
    bad.T[7] = 1;
    CHECK(error_message([&] { ltv::fit_bgbb(bad.view()); }) ==
          "bgbb_fit: argument 'recency[7]' = 2 must not exceed 'T[7]' = 1");
    bad = d;
    bad.w[3] = -2;
    CHECK(error_message([&] { ltv::fit_bgbb(bad.view()); }) ==
          "bgbb_fit: argument 'weights[3]' = -2 must not be negative");
    CHECK(error_message([&] { ltv::probability_alive(donations_fit, 0, 2, 6); }) ==
          "bgbb_probability_alive: argument 'recency' = 2 must be 0 when 'frequency' = 0 (no "
          "repeat transaction)");
    CHECK(error_message([&] { ltv::log_likelihood(ltv::bgbb_params{1, 1, -1, 1}, 0, 0, 6); }) ==
          "bgbb_log_likelihood: argument 'gamma' = -1 must be greater than 0");
    CHECK(error_message([&] { ltv::conditional_expected_purchases(donations_fit, 1.5, 1, 1, 6); }) ==
          "bgbb_conditional_expected_purchases: argument 't' = 1.5 must be a whole number of periods");
    try {
        ltv::discounted_expected_residual_transactions(donations_fit, 0, 1, 1, 6);
        CHECK(false);
    } catch (const ltv::error& e) {
        CHECK(e.code() == ltv::status::domain_error);
    }
}
