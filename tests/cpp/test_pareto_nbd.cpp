// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/pareto_nbd.hpp (Pareto/NBD).
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>

#include "ltv/clv.hpp"
#include "ltv/pareto_nbd.hpp"
#include "support/pnbd_bgbb_data.hpp"
#include "support/references.hpp"

namespace {
// Reference values: tests/data/references/pnbd.json. cdnow_fit: the maximum-likelihood estimates
// on tests/data/cdnow_customers_summary.csv (Fader, Hardie & Lee 2005 "RFM and CLV" / Fader &
// Hardie's Pareto/NBD note, as restated in issue #5).
const ltv_test::json& ref() { return ltv_test::reference("pnbd"); }
const ltv::pareto_nbd_params cdnow_fit =
    ltv_test::param_struct<ltv::pareto_nbd_params>(ref(), "fit:cdnow");

using ltv_test::arg;
using ltv_test::error_message;

/// log L by direct quadrature of its definition (independent of the ₂F₁ rearrangement):
/// L = Γ(r+x)/Γ(r) α^r β^s [P(T) + s ∫_{t_x}^T (α+τ)^−(r+x) (β+τ)^−(s+1) dτ].
double brute_log_likelihood(const ltv::pareto_nbd_params& p, double x, double tx, double T) {
    const double rx = p.r + x;
    const double lP = -rx * std::log(p.alpha + T) - p.s * std::log(p.beta + T);
    auto f = [&](double tau) {
        return std::exp(-rx * std::log(p.alpha + tau) - (p.s + 1) * std::log(p.beta + tau) - lP);
    };
    boost::math::quadrature::tanh_sinh<double> q;
    const double integral = tx < T ? q.integrate(f, tx, T, 1e-14) : 0.0;
    return std::lgamma(rx) - std::lgamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta) +
           lP + std::log1p(p.s * integral);
}
}  // namespace

TEST_CASE("pareto_nbd: fit on CDNOW reproduces the published estimates") {
    const auto d = ltv_test::rfm_dataset(ref(), "cdnow");
    const auto fit = ltv::fit_pareto_nbd(d.view());
    // pnbd.json fits.cdnow: 5-6 significant digits given → 2e-5 relative; LL to 7 digits;
    // standard errors (the brief: approximate values) within ±5 %.
    const auto& f = ref()["fits"]["cdnow"];
    ltv_test::check_published_fit<ltv::pareto_nbd_model>(fit, f);
    CHECK(fit.report.convergence.converged);
    CHECK(fit.report.total_weight == f["total_weight"].get<double>());
    REQUIRE(fit.report.standard_errors_available);
    for (const auto& e : fit.report.parameters) {
        CAPTURE(e.name);
        CHECK_REF(e.standard_error, f["standard_errors"].at(e.name));
    }
    MESSAGE("CDNOW fit: " << fit.params.r << " " << fit.params.alpha << " " << fit.params.s << " "
                          << fit.params.beta << " LL " << fit.report.log_likelihood << " SEs "
                          << fit.report.parameters[0].standard_error << " "
                          << fit.report.parameters[1].standard_error << " "
                          << fit.report.parameters[2].standard_error << " "
                          << fit.report.parameters[3].standard_error << " evals "
                          << fit.report.convergence.function_evaluations);
}

TEST_CASE("pareto_nbd: predictions at the CDNOW estimates") {
    // The brief (pnbd.json predictions): x = 26, t_x = 30.86, T = 31 → P(alive) and E[Y(52)].
    const auto& pa = ref()["predictions"]["p_alive_x26"];
    CHECK_REF(
        ltv::probability_alive(cdnow_fit, arg(pa, "frequency"), arg(pa, "recency"), arg(pa, "T")),
        pa);
    const auto& ey = ref()["predictions"]["conditional_purchases_x26"];
    CHECK_REF(ltv::conditional_expected_purchases(cdnow_fit, arg(ey, "t"), arg(ey, "frequency"),
                                                  arg(ey, "recency"), arg(ey, "T")),
              ey);
    // Closed forms: x = 0 and α = β reduce ₂F₁ to 1. P(X(t) = 0 | alive throughout) etc. are
    // checked through the identities below; here E[X(t)] = rβ/(α(s−1))[1 − (β/(β+t))^(s−1)].
    const auto& p = cdnow_fit;
    const double t = 39;
    CHECK(ltv::expected_purchases(p, t) ==
          doctest::Approx(p.r * p.beta / (p.alpha * (p.s - 1)) *
                          (1 - std::pow(p.beta / (p.beta + t), p.s - 1)))
              .epsilon(1e-13));
}

TEST_CASE("pareto_nbd: log-likelihood against direct quadrature of its definition") {
    const ltv::pareto_nbd_params sets[] = {
        cdnow_fit,                                     // α < β
        {0.55, cdnow_fit.beta, 0.6, cdnow_fit.alpha},  // α > β
        {0.8, 7.0, 1.3, 7.0},                          // α = β
        {2.5, 0.05, 0.02, 40.0},                       // z close to 1 at t = 0 (α ≪ β)
        {0.02, 300.0, 3.0, 0.01},      // z close to 1 (α ≫ β): Euler-integral branch
        {0.002, 500.0, 0.001, 0.002},  // c < 2 near z = 1
    };
    struct row {
        double x, tx, T;
    };
    const row rows[] = {{0, 0, 39}, {1, 5, 39}, {7, 30, 39}, {26, 30.86, 31}, {3, 0.01, 0.02},
                        {50, 70, 78}};
    for (const auto& p : sets)
        for (const auto& c : rows) {
            CAPTURE(p.r); CAPTURE(p.alpha); CAPTURE(p.s); CAPTURE(p.beta);
            CAPTURE(c.x); CAPTURE(c.tx); CAPTURE(c.T);
            CHECK(ltv::log_likelihood(p, c.x, c.tx, c.T) ==
                  doctest::Approx(brute_log_likelihood(p, c.x, c.tx, c.T)).epsilon(1e-11));
        }
}

TEST_CASE("pareto_nbd: invariants on CDNOW") {
    const auto d = ltv_test::cdnow();
    const std::size_t n = d.x.size();
    std::vector<double> ll(n), alive(n), ey(n), ey2(n), dert(n);
    ltv::log_likelihood(cdnow_fit, d.view(), ll.data());
    double sum = 0;
    for (double v : ll) sum += v;
    CHECK(ltv::total_log_likelihood(cdnow_fit, d.view()) == doctest::Approx(sum).epsilon(1e-12));
    ltv::probability_alive(cdnow_fit, d.view(), alive.data());
    ltv::conditional_expected_purchases(cdnow_fit, 39, d.view(), ey.data());
    ltv::conditional_expected_purchases(cdnow_fit, 52, d.view(), ey2.data());
    ltv::discounted_expected_residual_transactions(cdnow_fit, 0.0027, d.view(), dert.data(), 2);
    for (std::size_t i = 0; i < n; ++i) {
        CHECK(alive[i] >= 0);
        CHECK(alive[i] <= 1);
        CHECK(ey2[i] > ey[i]);
        CHECK(ey[i] == ltv::conditional_expected_purchases(cdnow_fit, 39, d.x[i], d.tx[i], d.T[i]));
        CHECK(dert[i] == ltv::discounted_expected_residual_transactions(cdnow_fit, 0.0027, d.x[i],
                                                                         d.tx[i], d.T[i]));
    }
}

TEST_CASE("pareto_nbd: weighted fit on collapsed duplicates equals the unweighted fit") {
    const auto d = ltv_test::cdnow();
    ltv_test::rfm_columns c;
    for (std::size_t i = 0; i < d.x.size(); ++i) {
        bool found = false;
        for (std::size_t j = 0; j < c.x.size() && !found; ++j)
            if (c.x[j] == d.x[i] && c.tx[j] == d.tx[i] && c.T[j] == d.T[i]) {
                c.w[j] += 1;
                found = true;
            }
        if (!found) {
            c.x.push_back(d.x[i]);
            c.tx.push_back(d.tx[i]);
            c.T.push_back(d.T[i]);
            c.w.push_back(1);
        }
    }
    REQUIRE(c.x.size() < d.x.size());
    const auto a = ltv::fit_pareto_nbd(d.view());
    const auto b = ltv::fit_pareto_nbd(c.view());
    CHECK(b.params.r == doctest::Approx(a.params.r).epsilon(1e-7));
    CHECK(b.params.alpha == doctest::Approx(a.params.alpha).epsilon(1e-7));
    CHECK(b.params.s == doctest::Approx(a.params.s).epsilon(1e-7));
    CHECK(b.params.beta == doctest::Approx(a.params.beta).epsilon(1e-7));
    CHECK(b.report.log_likelihood == doctest::Approx(a.report.log_likelihood).epsilon(1e-12));
}

TEST_CASE("pareto_nbd: analytic gradient agrees with central finite differences") {
    auto d = ltv_test::cdnow();
    // Plus rows that exercise large x, t_x = T and tiny T.
    d.x.insert(d.x.end(), {500, 3, 10000});
    d.tx.insert(d.tx.end(), {38, 0.5, 70});
    d.T.insert(d.T.end(), {39, 0.5, 78});
    const ltv::pareto_nbd_params sets[] = {cdnow_fit,
                                           {0.55, cdnow_fit.beta, 0.6, cdnow_fit.alpha},
                                           {0.8, 7.0, 1.3, 7.0},
                                           {2.5, 0.05, 0.02, 40.0},
                                           {0.02, 300.0, 3.0, 0.01}};
    for (const auto& p : sets) {
        double g[4];
        ltv::total_log_likelihood(p, d.view(), g);
        const double phi[4] = {p.r, p.alpha, p.s, p.beta};
        for (int k = 0; k < 4; ++k) {
            const double h = 1e-5;
            double up[4], dn[4];
            for (int j = 0; j < 4; ++j) up[j] = dn[j] = std::log(phi[j]);
            up[k] += h;
            dn[k] -= h;
            auto make = [](const double* t) {
                return ltv::pareto_nbd_params{std::exp(t[0]), std::exp(t[1]), std::exp(t[2]),
                                              std::exp(t[3])};
            };
            const double fd = (ltv::total_log_likelihood(make(up), d.view()) -
                               ltv::total_log_likelihood(make(dn), d.view())) /
                              (2 * h);
            CAPTURE(p.r); CAPTURE(p.alpha); CAPTURE(p.s); CAPTURE(p.beta);
            CAPTURE(k);
            // Truncation h^2 f''' ~ 1e-8 and rounding eps |LL|/h summed over 2360 rows ~ 1e-6
            // absolute (|LL| ~ 1e4); per-row gradients agree to ~1e-10.
            CHECK(g[k] == doctest::Approx(fd).epsilon(1e-6).scale(10));
        }
    }
}

TEST_CASE("pareto_nbd: DERT against a brute-force numeric integral") {
    // DERT = ∫₀^∞ e^{−δt} d/dt E[Y(t)] dt = P(alive) (r+x)/(α+T) ∫₀^∞ e^{−δt} ((β+T)/(β+T+t))^s dt
    struct row {
        double x, tx, T;
    };
    for (double s : {0.001, 0.3, cdnow_fit.s, 1.0, 1.2, 2.7, 9.5, 15.0, 400.0}) {
        const ltv::pareto_nbd_params p{cdnow_fit.r, cdnow_fit.alpha, s, cdnow_fit.beta};
        for (double delta : {1e-4, 0.0027, 0.05, 1.0})
            for (const row& c : {row{0, 0, 39}, row{26, 30.86, 31}, row{2, 10, 1000}}) {
                const double bT = p.beta + c.T;
                auto f = [&](double t) { return std::exp(-delta * t - s * std::log1p(t / bT)); };
                boost::math::quadrature::exp_sinh<double> q;
                const double integral = q.integrate(f, 0.0, std::numeric_limits<double>::infinity(), 1e-13);
                const double brute = ltv::probability_alive(p, c.x, c.tx, c.T) * (p.r + c.x) /
                                     (p.alpha + c.T) * integral;
                CAPTURE(s); CAPTURE(delta); CAPTURE(c.x);
                CHECK(ltv::discounted_expected_residual_transactions(p, delta, c.x, c.tx, c.T) ==
                      doctest::Approx(brute).epsilon(1e-10));
            }
    }
}

TEST_CASE("pareto_nbd: P(X(t) = n) is a distribution with mean E[X(t)]") {
    for (const auto& p : {cdnow_fit, ltv::pareto_nbd_params{2.0, 3.0, 1.0, 4.0},
                          ltv::pareto_nbd_params{0.3, 5.0, 2.0, 50.0}}) {
        double total = 0, mean = 0;
        for (int n = 0; n < 400; ++n) {
            const double pn = ltv::probability_of_purchases(p, 39, n);
            CHECK(pn >= 0);
            total += pn;
            mean += n * pn;
        }
        CHECK(total == doctest::Approx(1).epsilon(1e-10));
        CHECK(mean == doctest::Approx(ltv::expected_purchases(p, 39)).epsilon(1e-8));
    }
}

TEST_CASE("pareto_nbd: CLV template uses the purchase curve") {
    const auto spend =  // FHL 2005 (RFM and CLV), gg.json parameter_sets.fhl2005
        ltv_test::param_struct<ltv::gamma_gamma_params>(ltv_test::reference("gg"), "fhl2005");
    ltv::clv_options o;
    o.periods = 12;
    o.period_length = 4;
    o.discount_rate = 0.01;
    const double v = ltv::clv(cdnow_fit, spend, 2, 30.43, 38.86, 30.0, o);
    const double m = ltv::conditional_expected_average_spend(spend, 2, 30.0);
    double expected = 0, previous = 0;
    for (int k = 1; k <= 12; ++k) {
        const double e = ltv::conditional_expected_purchases(cdnow_fit, 4.0 * k, 2, 30.43, 38.86);
        expected += m * (e - previous) / std::pow(1.01, k);
        previous = e;
    }
    CHECK(v == doctest::Approx(expected).epsilon(1e-13));
}

TEST_CASE("pareto_nbd: simulated data recover the true parameters within 3 standard errors") {
    const ltv::pareto_nbd_params truth{0.55, 10.5, 0.6, 11.7};
    const auto d = ltv_test::simulate_pareto_nbd(truth.r, truth.alpha, truth.s, truth.beta, 20000,
                                                 20, 78, 20240611);
    const auto fit = ltv::fit_pareto_nbd(d.view());
    const double t[4] = {truth.r, truth.alpha, truth.s, truth.beta};
    for (std::size_t k = 0; k < 4; ++k) {
        const auto& e = fit.report.parameters[k];
        CAPTURE(e.name);
        CAPTURE(e.value);
        CAPTURE(e.standard_error);
        CHECK(std::abs(e.value - t[k]) <= 3 * e.standard_error);
        CHECK(e.standard_error < 0.5 * t[k]);
    }
}

TEST_CASE("pareto_nbd: robustness sweep — finite values and 0 ≤ P(alive) ≤ 1") {
    const double grid[] = {1e-3, 0.1, 10, 1e3};
    int evaluated = 0;
    for (double r : grid)
        for (double alpha : grid)
            for (double s : grid)
                for (double beta : grid) {
                    const ltv::pareto_nbd_params p{r, alpha, s, beta};
                    for (double T : {0.01, 40.0, 1e4})
                        for (double x : {0.0, 1.0, 30.0, 10000.0})
                            for (double frac : {0.0, 0.5, 1.0}) {
                                const double tx = x == 0 ? 0 : frac * T;
                                double g[4] = {0, 0, 0, 0};
                                const double xs[1] = {x}, txs[1] = {tx}, Ts[1] = {T};
                                const ltv::rfm_data one{{xs, 1}, {txs, 1}, {Ts, 1}, {}};
                                const double ll = ltv::total_log_likelihood(p, one, g);
                                const double pa = ltv::probability_alive(p, x, tx, T);
                                const double ey = ltv::conditional_expected_purchases(p, 39, x, tx, T);
                                const double dert =
                                    ltv::discounted_expected_residual_transactions(p, 0.01, x, tx, T);
                                const bool ok = std::isfinite(ll) && pa >= 0 && pa <= 1 &&
                                                std::isfinite(ey) && ey >= 0 &&
                                                std::isfinite(dert) && dert >= 0 &&
                                                std::isfinite(g[0]) && std::isfinite(g[1]) &&
                                                std::isfinite(g[2]) && std::isfinite(g[3]);
                                if (!ok) {
                                    CAPTURE(r); CAPTURE(alpha); CAPTURE(s); CAPTURE(beta);
                                    CAPTURE(x); CAPTURE(tx); CAPTURE(T);
                                    CAPTURE(ll); CAPTURE(pa); CAPTURE(ey); CAPTURE(dert);
                                    CAPTURE(g[0]); CAPTURE(g[1]); CAPTURE(g[2]); CAPTURE(g[3]);
                                    CHECK(ok);
                                }
                                ++evaluated;
                            }
                    CHECK(std::isfinite(ltv::expected_purchases(p, 39)));
                }
    CHECK(evaluated == 256 * 36);
}

TEST_CASE("pareto_nbd: input validation names the argument, index and value") {
    const auto d = ltv_test::cdnow();
    auto bad = d;
    bad.x[17] = -1;
    CHECK(error_message([&] { ltv::fit_pareto_nbd(bad.view()); }) ==
          "pareto_nbd_fit: argument 'frequency[17]' = -1 must not be negative");
    CHECK(error_message([&] { ltv::probability_alive(cdnow_fit, 2, 41, 40); }) ==
          "pareto_nbd_probability_alive: argument 'recency' = 41 must not exceed 'T' = 40");
    CHECK(error_message([&] {
              ltv::expected_purchases(ltv::pareto_nbd_params{0.2, 1, -1, 1}, 3);
          }) == "pareto_nbd_expected_purchases: argument 's' = -1 must be greater than 0");
    CHECK(error_message([&] {
              ltv::discounted_expected_residual_transactions(cdnow_fit, 0, 1, 1, 2);
          }) ==
          "pareto_nbd_discounted_expected_residual_transactions: argument 'discount_rate' = 0 must be "
          "greater than 0");
    ltv::fit_options o;
    o.max_iterations = 2;
    try {
        ltv::fit_pareto_nbd(d.view(), o);
        CHECK(false);
    } catch (const ltv::error& e) {
        CHECK(e.code() == ltv::status::no_convergence);
    }
}

TEST_CASE("pareto_nbd: batch predictions on 2 threads are bit-identical to 1 thread and scalar") {
    const auto d = ltv_test::simulate_pareto_nbd(0.55, 10.5, 0.6, 11.7, 50000, 1, 78, 77);
    const std::size_t n = d.x.size();
    std::vector<double> pa1(n), pa2(n), ey1(n), ey2(n), de1(n), de2(n);
    ltv::probability_alive(cdnow_fit, d.view(), pa1.data(), 1);
    ltv::probability_alive(cdnow_fit, d.view(), pa2.data(), 2);
    ltv::conditional_expected_purchases(cdnow_fit, 52, d.view(), ey1.data(), 1);
    ltv::conditional_expected_purchases(cdnow_fit, 52, d.view(), ey2.data(), 2);
    ltv::discounted_expected_residual_transactions(cdnow_fit, 0.0027, d.view(), de1.data(), 1);
    ltv::discounted_expected_residual_transactions(cdnow_fit, 0.0027, d.view(), de2.data(), 2);
    int mismatches = 0;
    for (std::size_t i = 0; i < n; ++i) {
        mismatches += pa1[i] != pa2[i] || ey1[i] != ey2[i] || de1[i] != de2[i];
        if (i % 97 == 0)  // scalar calls share the batch arithmetic
            mismatches += pa1[i] != ltv::probability_alive(cdnow_fit, d.x[i], d.tx[i], d.T[i]);
        // against the reference per-row evaluation of the likelihood code
        CHECK(pa1[i] == doctest::Approx(ltv::detail::pnbd_evaluate(cdnow_fit, d.x[i], d.tx[i],
                                                                   d.T[i], nullptr)
                                            .alive)
                            .epsilon(1e-13));
    }
    CHECK(mismatches == 0);
}

TEST_CASE("pareto_nbd: per-x polynomial likelihood equals the per-row reference") {
    auto d = ltv_test::cdnow();
    d.x.insert(d.x.end(), {500, 3, 10000});
    d.tx.insert(d.tx.end(), {38, 0.5, 70});
    d.T.insert(d.T.end(), {39, 0.5, 78});
    const ltv::pareto_nbd_params sets[] = {cdnow_fit,
                                           {0.55, cdnow_fit.beta, 0.6, cdnow_fit.alpha},
                                           {0.8, 7.0, 1.3, 7.0},
                                           {2.5, 0.05, 0.02, 40.0},
                                           {0.02, 300.0, 3.0, 0.01}};
    for (const auto& p : sets) {
        double g[4], gr[4] = {0, 0, 0, 0}, gi[4];
        const double ll = ltv::total_log_likelihood(p, d.view(), g);
        double ref = 0;
        for (std::size_t i = 0; i < d.x.size(); ++i) {
            ref += ltv::detail::pnbd_evaluate(p, d.x[i], d.tx[i], d.T[i], gi).log_L;
            for (int k = 0; k < 4; ++k) gr[k] += gi[k];
        }
        const double phi[4] = {p.r, p.alpha, p.s, p.beta};
        CAPTURE(p.r); CAPTURE(p.alpha); CAPTURE(p.s); CAPTURE(p.beta);
        CHECK(ll == doctest::Approx(ref).epsilon(1e-13));
        for (int k = 0; k < 4; ++k) CHECK(g[k] == doctest::Approx(gr[k] * phi[k]).epsilon(1e-10).scale(1e-3));
    }
}

TEST_CASE("pareto_nbd: the warm-started fit of large data equals the cold fit") {
    const auto d = ltv_test::simulate_pareto_nbd(0.55, 10.5, 0.6, 11.7, 250000, 1, 78, 4242);
    ltv::fit_options o;
    o.standard_errors = false;
    const auto warm = ltv::fit_pareto_nbd(d.view(), o);
    const auto cold = ltv::fit_pareto_nbd(d.view(), o, false);
    CHECK(warm.report.convergence.converged);
    CHECK(cold.report.convergence.converged);
    CHECK(warm.params.r == doctest::Approx(cold.params.r).epsilon(1e-6));
    CHECK(warm.params.alpha == doctest::Approx(cold.params.alpha).epsilon(1e-6));
    CHECK(warm.params.s == doctest::Approx(cold.params.s).epsilon(1e-6));
    CHECK(warm.params.beta == doctest::Approx(cold.params.beta).epsilon(1e-6));
    CHECK(warm.report.log_likelihood == doctest::Approx(cold.report.log_likelihood).epsilon(1e-12));
    MESSAGE("evaluations: warm " << warm.report.convergence.function_evaluations << ", cold "
                                 << cold.report.convergence.function_evaluations);
}
