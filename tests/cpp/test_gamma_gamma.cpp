// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/gamma_gamma.hpp.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ltv/gamma_gamma.hpp"
#include "ltv/model_state.hpp"
#include "support/model_data.hpp"
#include "support/references.hpp"

namespace {
ltv_test::csv_table spend_table() { return ltv_test::read_csv("cdnow_customers_summary_with_transactions.csv"); }
// Reference values: tests/data/references/gg.json.
const ltv_test::json& ref() { return ltv_test::reference("gg"); }
using ltv_test::arg;

/// The published fit on the 946 CDNOW repeat buyers (gg.json fits.cdnow_spend: lifetimes 0.11.3
/// GammaGammaFitter; Fader & Hardie 2013 note): parameters and LL within their tolerances.
void check_published_fit(const ltv::gamma_gamma_fit_result& fit) {
    const auto& f = ref()["fits"]["cdnow_spend"];
    CHECK(fit.report.rows_used == f["rows_used"].get<std::size_t>());
    ltv_test::check_published_fit<ltv::gamma_gamma_model>(fit, f);
}
}  // namespace

TEST_CASE("gamma_gamma: fit on the 946 CDNOW customers with repeat purchases") {
    const auto t = spend_table();
    const ltv::spend_data d{t.column("x"), t.column("zbar"), {}};
    const auto fit = ltv::fit_gamma_gamma(d);
    // Reference: lifetimes 0.11.3 GammaGammaFitter on the rows with x > 0 (gg.json).
    check_published_fit(fit);
    CHECK(fit.report.convergence.converged);
    // Expected average spend of the first rows of the file: customers 1 (x = 2), 2 (x = 1) and
    // 3 (x = 0, the population mean) — lifetimes' conditional_expected_average_profit, 4 digits.
    const ltv::gamma_gamma_params p = fit.params;
    for (const char* id :
         {"expected_spend_customer_1", "expected_spend_customer_2", "expected_spend_customer_3"}) {
        const auto& c = ref()["predictions"][id];
        CHECK_REF(
            ltv::conditional_expected_average_spend(p, arg(c, "frequency"), arg(c, "monetary")), c);
    }
    CHECK(ltv::conditional_expected_average_spend(p, 0, 0) == ltv::expected_average_spend(p));
    std::vector<double> out(t.rows());
    ltv::conditional_expected_average_spend(p, d, out.data());
    CHECK(out[0] == ltv::conditional_expected_average_spend(p, 2, 22.35));
}

TEST_CASE("gamma_gamma: likelihood closed form, gradient, weights") {
    const auto g = ltv_test::param_struct<ltv::gamma_gamma_params>(ref(), "fit:cdnow_spend");
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
    // x = 0: monetary is not used, but a negative mean of no purchase is an error as before.
    const std::vector<double> x{0, 2}, z{-1, 10};
    CHECK_THROWS_WITH_AS(ltv::fit_gamma_gamma({x, z, {}}),
                         "gamma_gamma_fit: argument 'monetary[0]' = -1 must not be negative", ltv::error);
    const std::vector<double> x0{0, 0}, z0{0, 0};
    CHECK_THROWS_AS(ltv::fit_gamma_gamma({x0, z0, {}}), ltv::error);
    const std::vector<double> xn{1, 2}, zn{10, std::nan("")};
    CHECK_THROWS_WITH_AS(ltv::fit_gamma_gamma({xn, zn, {}}),
                         "gamma_gamma_fit: argument 'monetary[1]' = nan is not a finite number", ltv::error);
}

TEST_CASE("gamma_gamma: zero and negative mean spend (issue 10: one policy for every layer)") {
    // CDNOW's 946 repeat buyers plus rows with x > 0 and z̄ ≤ 0 (customer 10244 of the full log:
    // $15.96, then one repeat purchase of $0.00). The fit leaves those out and counts them; the
    // estimate is the 946 customers' own (lifetimes, as in the first test case).
    const auto t = spend_table();
    std::vector<double> x = t.column("x"), z = t.column("zbar");
    x.insert(x.begin() + 5, 1.0);
    z.insert(z.begin() + 5, 0.0);  // row 5: a free order
    x.push_back(3);
    z.push_back(-4.5);  // a refund larger than the purchases
    x.push_back(2);
    z.push_back(0.0);
    const auto fit = ltv::fit_gamma_gamma({x, z, {}});
    check_published_fit(fit);
    CHECK(fit.report.rows_excluded == 3);
    CHECK(fit.report.total_weight == fit.report.rows_used);
    const std::string note = "; 3 rows with frequency > 0 and monetary <= 0 excluded from the "
                             "fit (the first: row 5, monetary = 0)";
    const std::string& message = fit.report.convergence.message;
    REQUIRE(message.size() > note.size());
    CHECK(message.substr(message.size() - note.size()) == note);
    // The same estimate as without those rows, bit for bit (the same rows in the same order).
    const auto clean = ltv::fit_gamma_gamma({t.column("x"), t.column("zbar"), {}});
    CHECK(fit.params.p == clean.params.p);
    CHECK(clean.report.rows_excluded == 0);
    // Zero-weight rows carry nothing: not counted.
    std::vector<double> w(x.size(), 1.0);
    w[5] = 0;
    CHECK(ltv::fit_gamma_gamma({x, z, w}).report.rows_excluded == 2);

    // strict_spend: an error naming the first such row and its value.
    ltv::fit_options strict;
    strict.strict_spend = true;
    CHECK_THROWS_WITH_AS(ltv::fit_gamma_gamma({x, z, {}}, strict),
                         "gamma_gamma_fit: argument 'monetary[5]' = 0 must be greater than 0 where "
                         "frequency > 0 (the Gamma-Gamma density of a mean spend <= 0 is 0; a fit "
                         "without strict_spend excludes and counts such rows)",
                         ltv::error);
    CHECK(ltv::fit_gamma_gamma({t.column("x"), t.column("zbar"), {}}, strict).params.p ==
          clean.params.p);
    // Nothing left to fit: said so, with the count.
    const std::vector<double> xz{1, 2, 0}, zz{0, -1, 0};
    CHECK_THROWS_WITH_AS(ltv::fit_gamma_gamma({xz, zz, {}}),
                         "gamma_gamma_fit: no row has frequency > 0, monetary > 0 and positive "
                         "weight: nothing to fit (2 rows with frequency > 0 and monetary <= 0 "
                         "excluded from the fit (the first: row 0, monetary = 0))",
                         ltv::error);

    // Predictions: z̄ = 0 is a legitimate mean (free orders), E[Z | x, 0] = pγ/(px + q − 1)
    // exactly (the formula at z̄ = 0); z̄ < 0 is an error naming the row and value.
    const ltv::gamma_gamma_params g = clean.params;
    CHECK(ltv::conditional_expected_average_spend(g, 1, 0) ==
          g.p * g.gamma / (g.p * 1 + (g.q - 1)));
    CHECK(ltv::conditional_expected_average_spend(g, 1, 0) > 0);
    std::vector<double> out(x.size());
    const std::vector<double> bx{2, 1, 3}, bz{10, 0, -4.5};
    CHECK_THROWS_WITH_AS(ltv::conditional_expected_average_spend(g, {bx, bz, {}}, out.data()),
                         "gamma_gamma_conditional_expected_average_spend: argument 'monetary[2]' "
                         "= -4.5 must not be negative",
                         ltv::error);
    ltv::conditional_expected_average_spend(g, {{bx.data(), 2}, {bz.data(), 2}, {}}, out.data());
    CHECK(out[1] == ltv::conditional_expected_average_spend(g, 1, 0));
    // The density at z̄ ≤ 0 is 0: its log-likelihood is an error naming the row, not −inf.
    CHECK_THROWS_WITH_AS(ltv::total_log_likelihood(g, {bx, bz, {}}),
                         "gamma_gamma_total_log_likelihood: argument 'monetary[1]' = 0 must be "
                         "greater than 0 where frequency > 0 (the Gamma-Gamma density of a mean "
                         "spend <= 0 is 0; a fit without strict_spend excludes and counts such "
                         "rows)",
                         ltv::error);
    CHECK_THROWS_AS(ltv::log_likelihood(g, 1, 0), ltv::error);
}

TEST_CASE("gamma_gamma: model files keep rows_excluded; files without it read as 0") {
    const auto t = spend_table();
    std::vector<double> x = t.column("x"), z = t.column("zbar");
    x.push_back(2);
    z.push_back(0);
    const auto fit = ltv::fit_gamma_gamma({x, z, {}});
    REQUIRE(fit.report.rows_excluded == 1);
    ltv::model_state m;
    m.kind = ltv::model_kind::gamma_gamma;
    m.params = {fit.params.p, fit.params.q, fit.params.gamma};
    m.fitted = true;
    m.report = fit.report;
    const std::string text = ltv::model_to_json(m);
    CHECK(text.find("\"rows_excluded\": 1") != std::string::npos);
    const auto back = ltv::model_from_json(text);
    CHECK(back.report.rows_excluded == 1);
    CHECK(back.report.rows_used == fit.report.rows_used);
    CHECK(back.report.convergence.message == fit.report.convergence.message);
    CHECK(ltv::model_to_json(back) == text);
    // A file written before the field existed (ltv 0.2.1) still loads, as 0.
    auto j = nlohmann::json::parse(text);
    j["fit"].erase("rows_excluded");
    CHECK(ltv::model_from_json(j.dump()).report.rows_excluded == 0);
    j["fit"]["rows_excluded"] = -1;
    CHECK_THROWS_WITH_AS(ltv::model_from_json(j.dump()),
                         doctest::Contains("key 'rows_excluded' must be a whole number"),
                         ltv::error);
}

TEST_CASE("gamma_gamma: the fit's grouped likelihood equals the row-by-row one to the last bit") {
    // The fit evaluates the x-only terms once per distinct x (detail::gg_total_grouped); value
    // and gradient must be exactly gg_total's, weighted or not, at the fit and far from it.
    const auto t = spend_table();
    std::vector<double> x, z, w;
    for (std::size_t i = 0; i < t.rows(); ++i)
        if (t.column("x")[i] > 0) {
            x.push_back(t.column("x")[i]);
            z.push_back(t.column("zbar")[i]);
            w.push_back(1 + static_cast<double>(i % 3));
        }
    const ltv::detail::gg_x_groups groups(x);
    CHECK(groups.x.size() < x.size() / 10);  // the point: few distinct x
    const ltv::gamma_gamma_params fitted =
        ltv_test::param_struct<ltv::gamma_gamma_params>(ref(), "fit:cdnow_spend");
    for (const ltv::gamma_gamma_params g : {fitted, ltv::gamma_gamma_params{0.05, 40, 3},
                                            ltv::gamma_gamma_params{30, 0.7, 900}}) {
        for (const bool weighted : {false, true}) {
            const ltv::spend_data d{x, z, weighted ? ltv::array_view<double>(w)
                                                   : ltv::array_view<double>()};
            double g1[3], g2[3], W;
            std::size_t rows;
            const double a = ltv::detail::gg_total(g, d, g1, W, rows);
            const double b = ltv::detail::gg_total_grouped(g, d, groups, g2);
            CHECK(a == b);
            for (int k = 0; k < 3; ++k) CHECK(g1[k] == g2[k]);
            CHECK(ltv::detail::gg_total_grouped(g, d, groups, nullptr) == a);
        }
    }
}
