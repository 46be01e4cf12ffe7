// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/sbg.hpp, the shifted-beta-geometric contractual retention model.
// Reference data and values: Fader & Hardie (2007), "How to project customer retention",
// J. Interactive Marketing 21(1), Table 1 ("regular" and "high end" customers, years 0–12 out of
// 1000) and their fitted α, β, LL; DEL/DERL: Fader & Hardie (2010), "Customer-base valuation in a
// contractual setting", Marketing Science 29(1), as restated in issue #5.
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "ltv/sbg.hpp"
#include "support/references.hpp"

namespace {
// Reference values and Table 1: tests/data/references/sbg.json.
const ltv_test::json& ref() { return ltv_test::reference("sbg"); }
const ltv_test::json& prediction(const char* id) { return ref().at("predictions").at(id); }
const std::vector<double> regular = ltv_test::cohorts_dataset(ref(), "regular").at(0);
const std::vector<double> high_end = ltv_test::cohorts_dataset(ref(), "high_end").at(0);

using ltv_test::arg;
using ltv_test::error_message;

// Brute-force Σₜ₌ₙ..∞ S(t)/S(n−1)/(1+d)^(t−n) by direct summation of the survival curve.
double derl_by_sum(const ltv::sbg_params& p, double d, int n) {
    double s_prev = ltv::sbg_survival(p, n - 1), total = 0, factor = 1;
    double s = s_prev;
    for (int t = n; t < 20000; ++t) {
        s *= (p.beta + t - 1) / (p.alpha + p.beta + t - 1);
        total += s / s_prev * factor;
        factor /= 1 + d;
    }
    return total;
}
}  // namespace

TEST_CASE("sbg: fit reproduces Fader & Hardie (2007), regular and high end") {
    const auto r = ltv::fit_sbg(regular);
    CHECK(r.report.convergence.converged);
    // F&H 2007 and issue #5 (sbg.json fits): the regular and high-end customers.
    const auto& fr = ref()["fits"]["regular"];
    CHECK_REF(r.params.alpha, fr["params"]["alpha"]);
    CHECK_REF(r.params.beta, fr["params"]["beta"]);
    CHECK_REF(r.report.log_likelihood, fr["log_likelihood"]);
    const auto h = ltv::fit_sbg(high_end);
    const auto& fh = ref()["fits"]["high_end"];
    CHECK_REF(h.params.alpha, fh["params"]["alpha"]);
    CHECK_REF(h.params.beta, fh["params"]["beta"]);
    CHECK_REF(h.report.log_likelihood, fh["log_likelihood"]);
    // Standard errors exist, are positive and are small relative to the estimates.
    REQUIRE(r.report.standard_errors_available);
    for (const auto& p : r.report.parameters) {
        CHECK(p.standard_error > 0);
        CHECK(p.standard_error < p.value);
    }
}

TEST_CASE("sbg: projections of years 8–12 are close to the observed hold-out") {
    // F&H 2007 Figure 3: the sBG projection tracks the actual survivors; we report the errors
    // (regular −1.3 … −1.7 %, high end −1.6 … −4.1 %) and require them within 2 % / 4.5 %.
    for (const std::string name : {"regular", "high_end"}) {
        CAPTURE(name);
        const auto fit = ltv::fit_sbg(ltv_test::cohorts_dataset(ref(), name).at(0));
        const auto& holdout = ref()["datasets"][name]["holdout"];
        const auto periods = ltv_test::numbers(holdout["periods"]);
        const auto observed = ltv_test::numbers(holdout["survivors"]);
        const auto projected =
            ltv::sbg_project_survivors(fit.params, ltv_test::cohorts_dataset(ref(), name)[0][0],
                                       static_cast<int>(periods.back()));
        for (std::size_t k = 0; k < periods.size(); ++k) {
            CAPTURE(periods[k]);
            CHECK_REF(
                projected[static_cast<std::size_t>(periods[k])],
                (ltv_test::json{{"value", observed[k]}, {"tolerance", holdout["tolerance"]}}));
        }
    }
    // Year 8 at the fitted parameters: 220.1 (regular); the exact value comes from S(8) = Π rⱼ
    // at the rounded published parameters.
    const auto& y8 = prediction("survivors_year_8_regular");
    CHECK_REF(
        ltv::sbg_project_survivors(ltv_test::param_struct<ltv::sbg_params>(ref(), "fit:regular"),
                                   arg(y8, "size"), static_cast<int>(arg(y8, "t")))[8],
        y8);
}

TEST_CASE("sbg: DEL and DERL at d = 0.1 (Fader & Hardie 2010), and against brute-force sums") {
    const auto r = ltv::fit_sbg(regular), h = ltv::fit_sbg(high_end);
    // Issue #5 (sbg.json predictions): DEL of the regular and high-end customers; DERL after 4
    // renewals (n = 5). Published to 4 decimals: relative tolerance 5e-5.
    for (const auto& [id, fit] : {std::pair{"del_regular", &r}, std::pair{"del_high_end", &h}}) {
        const auto& c = prediction(id);
        CHECK_REF(ltv::sbg_discounted_expected_lifetime(fit->params, arg(c, "discount_rate")), c);
    }
    for (const auto& [id, fit] :
         {std::pair{"derl_regular_4_renewals", &r}, std::pair{"derl_high_end_4_renewals", &h}}) {
        const auto& c = prediction(id);
        CHECK_REF(ltv::sbg_discounted_expected_residual_lifetime(
                      fit->params, arg(c, "discount_rate"), arg(c, "renewals")),
                  c);
    }
    // The closed forms equal the defining sums (to the sums' truncation, far below 1e-10).
    for (const auto& p : {r.params, h.params, ltv::sbg_params{3.5, 0.2}, ltv::sbg_params{40, 900}})
        for (double d : {0.01, 0.1, 0.5})
            for (int n : {1, 2, 5, 30}) {
                CAPTURE(p.alpha);
                CAPTURE(d);
                CAPTURE(n);
                CHECK(ltv::sbg_discounted_expected_residual_lifetime(p, d, n - 1) ==
                      doctest::Approx(derl_by_sum(p, d, n)).epsilon(1e-10));
            }
    // DEL = 1 + DERL(d | 0 renewals) / (1 + d): the payment at t = 0 plus the discounted rest.
    CHECK(
        ltv::sbg_discounted_expected_lifetime(r.params, 0.1) ==
        doctest::Approx(1 + ltv::sbg_discounted_expected_residual_lifetime(r.params, 0.1, 0) / 1.1)
            .epsilon(1e-12));
}

TEST_CASE("sbg: undiscounted lifetimes by Gauss's sum, infinite for alpha <= 1") {
    const ltv::sbg_params p{2.5, 1.5};
    CHECK(ltv::sbg_discounted_expected_lifetime(p, 0) == doctest::Approx(3.0 / 1.5).epsilon(1e-15));
    CHECK(ltv::sbg_discounted_expected_residual_lifetime(p, 0, 3) ==
          doctest::Approx(derl_by_sum(p, 0, 4)).epsilon(1e-4));  // slow tail: sum truncated
    CHECK(error_message([] {
              ltv::sbg_discounted_expected_lifetime({0.7, 1.2}, 0);
          }).find("infinite for alpha = 0.7") != std::string::npos);
}

TEST_CASE("sbg: survival, retention and churn identities") {
    const auto p = ltv_test::param_struct<ltv::sbg_params>(ref(), "fit:regular");
    CHECK(ltv::sbg_survival(p, 0) == 1.0);
    double s = 1;
    for (int t = 1; t <= 50; ++t) {
        const double r = ltv::sbg_retention_rate(p, t);
        CHECK(r == doctest::Approx((p.beta + t - 1) / (p.alpha + p.beta + t - 1)).epsilon(1e-15));
        CHECK(ltv::sbg_churn_probability(p, t) == doctest::Approx(s * (1 - r)).epsilon(1e-13));
        s *= r;
        CHECK(ltv::sbg_survival(p, t) == doctest::Approx(s).epsilon(1e-13));
    }
    // The product and the Beta-ratio branches agree where they meet.
    CHECK(ltv::sbg_survival(p, 1000) / ltv::sbg_survival(p, 1001) ==
          doctest::Approx(1 / ltv::sbg_retention_rate(p, 1001)).epsilon(1e-9));
    // Retention rates increase with tenure (the sorting effect of heterogeneity).
    CHECK(ltv::sbg_retention_rate(p, 2) > ltv::sbg_retention_rate(p, 1));
}

TEST_CASE("sbg: the gradient of the log-likelihood agrees with central differences") {
    for (const auto& p :
         {ltv::sbg_params{0.7, 1.2}, ltv::sbg_params{5, 0.3}, ltv::sbg_params{0.01, 300}}) {
        double g[2];
        ltv::detail::sbg_cohort_log_likelihood(p, regular, g);
        const double ha = 1e-6 * p.alpha, hb = 1e-6 * p.beta;
        const double da = (ltv::sbg_log_likelihood({p.alpha + ha, p.beta}, regular) -
                           ltv::sbg_log_likelihood({p.alpha - ha, p.beta}, regular)) /
                          (2 * ha);
        const double db = (ltv::sbg_log_likelihood({p.alpha, p.beta + hb}, regular) -
                           ltv::sbg_log_likelihood({p.alpha, p.beta - hb}, regular)) /
                          (2 * hb);
        CAPTURE(p.alpha);
        CHECK(g[0] == doctest::Approx(da).epsilon(1e-6));
        CHECK(g[1] == doctest::Approx(db).epsilon(1e-6));
    }
}

TEST_CASE("sbg: several cohorts add up; a cohort of doubled counts fits the same parameters") {
    const ltv::sbg_params p{0.7, 1.2};
    CHECK(
        ltv::sbg_log_likelihood(p, {regular, high_end}) ==
        doctest::Approx(ltv::sbg_log_likelihood(p, regular) + ltv::sbg_log_likelihood(p, high_end))
            .epsilon(1e-14));
    std::vector<double> doubled;
    for (double v : regular) doubled.push_back(2 * v);
    const auto a = ltv::fit_sbg(regular), b = ltv::fit_sbg(doubled);
    CHECK(b.params.alpha == doctest::Approx(a.params.alpha).epsilon(1e-6));
    CHECK(b.report.log_likelihood == doctest::Approx(2 * a.report.log_likelihood).epsilon(1e-9));
    // Two cohorts of different lengths (a younger one observed for 4 years) fit jointly.
    const std::vector<double> young{500, 330, 250, 205};
    const auto joint = ltv::fit_sbg(std::vector<ltv::array_view<double>>{regular, young});
    CHECK(joint.report.convergence.converged);
    CHECK(joint.report.total_weight == 1500);
}

TEST_CASE("sbg: customer-base value = margin × Σ active × DERL") {
    const auto p = ltv_test::param_struct<ltv::sbg_params>(ref(), "fit:regular");
    const std::vector<double> active{regular[0], regular[1], regular[2]};  // 0, 1, 2 renewals
    double expected = 0;
    for (std::size_t k = 0; k < active.size(); ++k)
        expected += active[k] * derl_by_sum(p, 0.1, static_cast<int>(k) + 1);
    CHECK(ltv::sbg_customer_base_value(p, active, 100, 0.1) ==
          doctest::Approx(100 * expected).epsilon(1e-10));
}

TEST_CASE("sbg: input checks name the cohort, the index and the value") {
    CHECK(error_message([] {
              ltv::fit_sbg(std::vector<double>{1000, 631, 700});
          }) ==
          "fit_sbg: argument 'survivors[2]' = 700 exceeds the previous count 631 (survivor "
          "counts must not increase)");
    CHECK(error_message([] {
              ltv::fit_sbg(std::vector<double>{0, 0});
          }).find("'survivors[0]' = 0 must be greater than 0") != std::string::npos);
    CHECK(error_message([] {
              ltv::fit_sbg(std::vector<double>{1000});
          }).find("at least two periods") != std::string::npos);
    CHECK(error_message([] {
              ltv::fit_sbg(std::vector<ltv::array_view<double>>{regular, {10, NAN}});
          }).find("cohort 1: argument 'survivors[1]' = nan") != std::string::npos);
    CHECK(error_message([] {
              ltv::sbg_survival({-1, 1}, 2);
          }).find("'alpha' = -1 must be greater than 0") != std::string::npos);
    CHECK(error_message([] {
              ltv::sbg_survival({1, 1}, 2.5);
          }).find("'t' = 2.5 must be a whole number") != std::string::npos);
    CHECK(error_message([] {
              ltv::sbg_retention_rate({1, 1}, 0);
          }).find("must be at least 1") != std::string::npos);
}

TEST_CASE("sbg: no NaN or inf over six orders of magnitude of the parameters") {
    for (double a : {1e-3, 1e-1, 1.0, 10.0, 1e3})
        for (double b : {1e-3, 1e-1, 1.0, 10.0, 1e3}) {
            const ltv::sbg_params p{a, b};
            CAPTURE(a);
            CAPTURE(b);
            CHECK(std::isfinite(ltv::sbg_log_likelihood(p, regular)));
            CHECK(std::isfinite(ltv::sbg_discounted_expected_lifetime(p, 0.1)));
            CHECK(std::isfinite(ltv::sbg_discounted_expected_residual_lifetime(p, 0.1, 10)));
            const double s = ltv::sbg_survival(p, 5000);
            CHECK((s >= 0 && s <= 1));
        }
}
