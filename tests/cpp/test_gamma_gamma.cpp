// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/gamma_gamma.hpp.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ltv/gamma_gamma.hpp"
#include "support/model_data.hpp"

namespace {
ltv_test::csv_table spend_table() { return ltv_test::read_csv("cdnow_customers_summary_with_transactions.csv"); }
}

TEST_CASE("gamma_gamma: fit on the 946 CDNOW customers with repeat purchases") {
    const auto t = spend_table();
    const ltv::spend_data d{t.column("x"), t.column("zbar"), {}};
    const auto fit = ltv::fit_gamma_gamma(d);
    // Reference: lifetimes 0.11.3 GammaGammaFitter on the rows with x > 0 (tests/data/SOURCES.md;
    // Fader & Hardie 2013 note): p = 6.24880, q = 3.74459, γ = 15.4477, LL = −4055.923.
    CHECK(fit.report.rows_used == 946);
    CHECK(fit.params.p == doctest::Approx(6.24880).epsilon(2e-6));
    CHECK(fit.params.q == doctest::Approx(3.74459).epsilon(2e-6));
    CHECK(fit.params.gamma == doctest::Approx(15.4477).epsilon(5e-6));
    CHECK(fit.report.log_likelihood == doctest::Approx(-4055.923).epsilon(1e-7));
    CHECK(fit.report.convergence.converged);
    // Expected average spend of the first rows of the file: customer 1 (x = 2, z̄ = 22.35) 24.66,
    // customer 2 (x = 1, z̄ = 11.77) 18.91, customer 3 (x = 0) the population mean 35.17
    // (lifetimes' conditional_expected_average_profit, 4 digits → 2e-4).
    const ltv::gamma_gamma_params p = fit.params;
    CHECK(ltv::conditional_expected_average_spend(p, 2, 22.35) == doctest::Approx(24.66).epsilon(2e-4));
    CHECK(ltv::conditional_expected_average_spend(p, 1, 11.77) == doctest::Approx(18.91).epsilon(2e-4));
    CHECK(ltv::conditional_expected_average_spend(p, 0, 0) == doctest::Approx(35.17).epsilon(2e-4));
    CHECK(ltv::conditional_expected_average_spend(p, 0, 0) == ltv::expected_average_spend(p));
    std::vector<double> out(t.rows());
    ltv::conditional_expected_average_spend(p, d, out.data());
    CHECK(out[0] == ltv::conditional_expected_average_spend(p, 2, 22.35));
}

TEST_CASE("gamma_gamma: likelihood closed form, gradient, weights") {
    const ltv::gamma_gamma_params g{6.2488, 3.74459, 15.4477};
    // x = 1: z̄ ~ Gamma(p, ν) mixed over ν ~ Gamma(q, γ): a beta-prime density
    //   f(z) = z^(p−1) γ^q / (B(p, q) (γ + z)^(p+q)).
    const double z = 11.77;
    const double bp = (g.p - 1) * std::log(z) + g.q * std::log(g.gamma) -
                      (std::lgamma(g.p) + std::lgamma(g.q) - std::lgamma(g.p + g.q)) -
                      (g.p + g.q) * std::log(g.gamma + z);
    CHECK(ltv::log_likelihood(g, 1, z) == doctest::Approx(bp).epsilon(1e-13));
    const auto t = spend_table();
    const ltv::spend_data d{t.column("x"), t.column("zbar"), {}};
    double grad[3];
    ltv::total_log_likelihood(g, d, grad);
    const double h = 1e-5;
    for (int k = 0; k < 3; ++k) {
        double up[3] = {g.p, g.q, g.gamma}, dn[3] = {g.p, g.q, g.gamma};
        up[k] *= std::exp(h);
        dn[k] *= std::exp(-h);
        const double fd = (ltv::total_log_likelihood({up[0], up[1], up[2]}, d) -
                           ltv::total_log_likelihood({dn[0], dn[1], dn[2]}, d)) / (2 * h);
        CHECK(grad[k] == doctest::Approx(fd).epsilon(1e-5));
    }
    // Doubling every row = weight 2: same fit, twice the LL.
    std::vector<double> w(t.rows(), 2.0);
    const ltv::spend_data dw{t.column("x"), t.column("zbar"), w};
    CHECK(ltv::total_log_likelihood(g, dw) == doctest::Approx(2 * ltv::total_log_likelihood(g, d)).epsilon(1e-13));
    CHECK(ltv::fit_gamma_gamma(dw).params.p == doctest::Approx(ltv::fit_gamma_gamma(d).params.p).epsilon(1e-6));
}

TEST_CASE("gamma_gamma: simulated recovery within 3 standard errors") {
    // Exact simulation: ν ~ Gamma(q, rate γ); x ~ 1 + Poisson(3); z̄ = mean of x Gamma(p, rate ν).
    const ltv::gamma_gamma_params truth{4.0, 5.0, 20.0};
    std::mt19937_64 rng(99);
    std::gamma_distribution<double> nu_d(truth.q, 1 / truth.gamma);
    std::poisson_distribution<int> extra(3);
    std::vector<double> x, z;
    for (int i = 0; i < 20000; ++i) {
        const double nu = nu_d(rng);
        const int n = 1 + extra(rng);
        std::gamma_distribution<double> value(truth.p, 1 / nu);
        double s = 0;
        for (int j = 0; j < n; ++j) s += value(rng);
        x.push_back(n);
        z.push_back(s / n);
    }
    const auto fit = ltv::fit_gamma_gamma({x, z, {}});
    const double t[3] = {truth.p, truth.q, truth.gamma};
    for (std::size_t k = 0; k < 3; ++k) {
        CAPTURE(fit.report.parameters[k].name);
        CHECK(std::abs(fit.report.parameters[k].value - t[k]) <= 3 * fit.report.parameters[k].standard_error);
    }
}

TEST_CASE("gamma_gamma: domain and argument errors") {
    CHECK_THROWS_WITH_AS(ltv::expected_average_spend({2, 1, 3}),
                         "gamma_gamma_expected_average_spend: the mean spend is undefined for q <= 1 (q = 1): "
                         "the Gamma-Gamma mean pγ/(q−1) needs q > 1",
                         ltv::error);
    CHECK_THROWS_WITH_AS(ltv::conditional_expected_average_spend({2, 3, 3}, 1, -5),
                         "gamma_gamma_conditional_expected_average_spend: argument 'monetary' = -5 must not be negative",
                         ltv::error);
    const std::vector<double> x{1, 2}, z{10, -1};
    CHECK_THROWS_WITH_AS(ltv::fit_gamma_gamma({x, z, {}}),
                         "gamma_gamma_fit: argument 'monetary[1]' = -1 must not be negative", ltv::error);
    const std::vector<double> x0{0, 0}, z0{0, 0};
    CHECK_THROWS_AS(ltv::fit_gamma_gamma({x0, z0, {}}), ltv::error);
}
