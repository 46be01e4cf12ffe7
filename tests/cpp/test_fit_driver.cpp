// SPDX-License-Identifier: Apache-2.0
// The common fit driver (ltv/detail/fit_driver.hpp) and model options (ltv/model_state.hpp):
// fixed parameters, the same rules for every model (no standard errors for a non-converged fit),
// the caller's initial values checked alike, options in model files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ltv/bgnbd.hpp"
#include "ltv/model_ops.hpp"
#include "ltv/model_state.hpp"
#include "ltv/registry.hpp"
#include "ltv/sbg.hpp"
#include "support/model_data.hpp"

TEST_CASE("fit driver: a parameter fixed at its free optimum gives the same fit") {
    // CDNOW (FHL 2005): fit freely, then again with b held at the free estimate. The other
    // parameters must agree to the optimiser's tolerance, b's standard error is 0, and the LL
    // agrees (the constrained optimum is the free one).
    const auto d = ltv_test::cdnow();
    const auto free = ltv::fit_bgnbd(d.view());
    ltv::fit_options o;
    o.fixed = {{3, free.params.b}};
    const auto held = ltv::fit_bgnbd(d.view(), o);
    CHECK(held.params.b == free.params.b);
    CHECK(held.params.r == doctest::Approx(free.params.r).epsilon(1e-5));
    CHECK(held.params.alpha == doctest::Approx(free.params.alpha).epsilon(1e-5));
    CHECK(held.params.a == doctest::Approx(free.params.a).epsilon(1e-5));
    CHECK(held.report.log_likelihood ==
          doctest::Approx(free.report.log_likelihood).epsilon(1e-10));
    REQUIRE(held.report.standard_errors_available);
    CHECK(held.report.parameters[3].standard_error == 0);
    CHECK(held.report.covariance[3 * 4 + 3] == 0);
    CHECK(held.report.parameters[0].standard_error > 0);
    // Fixing b away from its optimum lowers the LL.
    o.fixed = {{3, 2 * free.params.b}};
    const auto off = ltv::fit_bgnbd(d.view(), o);
    CHECK(off.report.log_likelihood < free.report.log_likelihood - 1);
    CHECK(off.params.b == 2 * free.params.b);
}

TEST_CASE("fit driver: invalid fixed parameters and initial values are named") {
    const auto d = ltv_test::cdnow();
    ltv::fit_options o;
    o.fixed = {{7, 1.0}};
    CHECK_THROWS_WITH_AS(ltv::fit_bgnbd(d.view(), o), doctest::Contains("index 7 is out of range"),
                         ltv::error);
    o.fixed = {{0, 1.0}, {1, 1.0}, {2, 1.0}, {3, 1.0}};
    CHECK_THROWS_WITH_AS(ltv::fit_bgnbd(d.view(), o), doctest::Contains("every parameter is fixed"),
                         ltv::error);
    o.fixed = {{1, -2.0}};
    CHECK_THROWS_WITH_AS(ltv::fit_bgnbd(d.view(), o), doctest::Contains("'fixed alpha' = -2"),
                         ltv::error);
    ltv::fit_options i;
    i.initial = {1, 2};
    CHECK_THROWS_WITH_AS(ltv::fit_bgnbd(d.view(), i),
                         doctest::Contains("'initial' must hold 4 values (r, alpha, a, b), not 2"),
                         ltv::error);
    i.initial = {0.5};
    CHECK_THROWS_WITH_AS(ltv::fit_sbg(std::vector<double>{1000, 631, 468}, i),
                         doctest::Contains("'initial' must hold 2 values (alpha, beta), not 1"),
                         ltv::error);
}

TEST_CASE("fit driver: a non-converged fit has no standard errors, for every model") {
    // One iteration cannot converge; allow_no_convergence keeps the point. sBG used to compute
    // standard errors there, the other models did not.
    ltv::fit_options o;
    o.max_iterations = 1;
    o.allow_no_convergence = true;
    const auto s = ltv::fit_sbg(std::vector<double>{1000, 631, 468, 382, 326, 289, 262, 241}, o);
    CHECK_FALSE(s.report.convergence.converged);
    CHECK_FALSE(s.report.standard_errors_available);
    CHECK(std::isnan(s.report.parameters[0].standard_error));
    const auto b = ltv::fit_bgnbd(ltv_test::cdnow().view(), o);
    CHECK_FALSE(b.report.convergence.converged);
    CHECK_FALSE(b.report.standard_errors_available);
    CHECK(b.report.covariance.size() == 16);
    CHECK(std::isnan(b.report.covariance[0]));
}

TEST_CASE("model options: fix.<parameter> through the registry and in model files") {
    const auto& ops = ltv::model_ops_for(ltv::model_kind::sbg);
    ltv::model_state s;
    s.kind = ltv::model_kind::sbg;
    ltv::set_model_option(s, ops, "fix.beta", 1.5);
    CHECK_THROWS_WITH_AS(ltv::set_model_option(s, ops, "fix.gamma", 1),
                         doctest::Contains("no option 'fix.gamma' (its options: fix.alpha, fix.beta)"),
                         ltv::error);
    CHECK_THROWS_WITH_AS(ltv::set_model_option(s, ops, "fix.alpha", 0),
                         doctest::Contains("option 'fix.alpha' = 0 must be a finite number > 0"),
                         ltv::error);
    const double curve[] = {1000, 631, 468, 382, 326, 289, 262, 241};
    ops.fit_survivors(s, {ltv::array_view<double>(curve, 8)}, ltv::fit_options{});
    CHECK(s.params[1] == 1.5);
    CHECK(s.report.parameters[1].standard_error == 0);
    // Round trip through a model file keeps the option.
    const ltv::model_state back = ltv::model_from_json(ltv::model_to_json(s));
    REQUIRE(back.options.size() == 1);
    CHECK(back.options[0].first == "fix.beta");
    CHECK(back.options[0].second == 1.5);
    CHECK_THROWS_WITH_AS(
        ltv::model_from_json(R"({"format": "ltv-model", "format_version": 1, "model": "sbg",
            "params": {"alpha": 1, "beta": 1}, "options": {"k": 2}})"),
        doctest::Contains("options: set_model_option: the sBG model has no option 'k'"),
        ltv::error);
}

TEST_CASE("penalizer conventions: ltv's and lifetimes'") {
    // CDNOW (FHL 2005 data), penalizer 0.01. Reference (issue 10, measured with Python lifetimes
    // 0.11.3 side by side): BetaGeoFitter(penalizer_coef=0.01) gives alpha = 4.43 (two decimals
    // given, so tolerance 0.005 absolute); ltv's own convention penalises alpha in weeks and
    // gives alpha = 1.53.
    const auto d = ltv_test::cdnow();
    ltv::fit_options o;
    o.penalizer = 0.01;
    const auto own = ltv::fit_bgnbd(d.view(), o);
    CHECK(own.params.alpha == doctest::Approx(1.53).epsilon(0.005 / 1.53));
    o.convention = ltv::penalizer_convention::lifetimes;
    const auto lt = ltv::fit_bgnbd(d.view(), o);
    CHECK(lt.params.alpha == doctest::Approx(4.43).epsilon(0.005 / 4.43));
    // Without a penalizer the conventions agree exactly (the divisor only scales the objective).
    ltv::fit_options z;
    z.convention = ltv::penalizer_convention::lifetimes;
    const auto a = ltv::fit_bgnbd(d.view(), z), b = ltv::fit_bgnbd(d.view());
    CHECK(a.params.alpha == doctest::Approx(b.params.alpha).epsilon(1e-6));
    // The lifetimes convention's penalty on alpha is (alpha / max T)^2: objective check.
    double max_T = 0;
    for (double t : d.T) max_T = std::max(max_T, t);
    const double W = static_cast<double>(d.x.size());
    const auto& p = lt.params;
    const double expected = -lt.report.log_likelihood / W +
                            0.01 * (p.r * p.r + (p.alpha / max_T) * (p.alpha / max_T) +
                                    p.a * p.a + p.b * p.b);
    CHECK(lt.report.objective == doctest::Approx(expected).epsilon(1e-12));
}
