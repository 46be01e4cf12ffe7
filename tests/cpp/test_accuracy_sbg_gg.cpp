// SPDX-License-Identifier: Apache-2.0
// Accuracy regressions of the sBG and Gamma-Gamma models (issue 9): the points where ltv was
// silently wrong, each against its 50-digit truth from the mpmath oracle
// (tests/oracle/sbg.py, tests/oracle/gamma_gamma.py; the values are also in
// tests/oracle/cache/{sbg,gamma_gamma}.json.gz, checked there against a second method).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "ltv/detail/special.hpp"
#include "ltv/gamma_gamma.hpp"
#include "ltv/sbg.hpp"
#include "support/errors.hpp"

namespace {

using ltv_test::error_status;
using ltv_test::error_message;

double rel_error(double got, double truth) { return std::abs(got - truth) / std::abs(truth); }

const ltv::sbg_params regular{0.704, 1.182};   // Fader & Hardie (2007), "regular"
const ltv::sbg_params high_end{0.668, 3.806};  // Fader & Hardie (2007), "high end"
const ltv::gamma_gamma_params cdnow{6.25, 3.74, 15.44};  // Fader, Hardie & Lee (2005), CDNOW

}  // namespace

// ---- the shared helper -------------------------------------------------------------------------

TEST_CASE("log_gamma_delta: lnΓ(x + d) − lnΓ(x) to absolute accuracy for any x, d") {
    // Truths: mpmath loggamma(x + d) − loggamma(x) at 50 digits.
    struct point {
        double x, d, truth, tol;  // tol: absolute
    };
    const point points[] = {
        {1e9, 0.704, 14.58917914910608060727, 1e-14},         // sBG S(t = 1e9) (cause 7)
        {1.182, 1e9, 19723265852.0785815961, 1e-5},           // 1e-16 relative
        {6.25e9, 3.74, 84.35886890541807041954, 1e-13},       // Gamma-Gamma px (cause 8)
        {20.0, 0.5, 1.491616787331304073551, 1e-15},          // Stirling at its lower end
        {0.5, 19.6, 39.06482756071224254423, 1e-13},          // x < 20, x + d < 100
        {1e-300, 50.0, -546.2097839518688191714, 1e-12},      // tiny x
        {5.0, 10.0, 22.01316735239073588045, 1e-13},
        {37400.0, 6.25, 65.80935104357335769983, 1e-13},      // Gamma-Gamma q ≫ px
        {3.806, 1e6, 12815555.59747237600944, 1e-8},          // x < 20, x + d ≥ 100: 1e-15 rel.
    };
    for (const auto& p : points) {
        CAPTURE(p.x);
        CAPTURE(p.d);
        CHECK(std::abs(ltv::detail::log_gamma_delta(p.x, p.d) - p.truth) <= p.tol);
    }
    CHECK(ltv::detail::log_gamma_delta(7.5, 0.0) == 0.0);
}

// ---- sBG ---------------------------------------------------------------------------------------

TEST_CASE("cause 7: sBG S(t) at t = 1e9 and 1e6 to 1e-13, not 3e-6 (lgamma difference)") {
    // tests/oracle/sbg.py: S(t) = exp(lnΓ(β+t) − lnΓ(α+β+t) − lnΓ(β) + lnΓ(α+β)), 50 digits,
    // checked by a quadrature of the Beta mixture. Was 4.78258337901e-7 (rel. error 2.97e-6).
    CHECK(rel_error(ltv::sbg_survival(regular, 1e9), 4.782569165387035150105023e-7) <= 1e-13);
    CHECK(rel_error(ltv::sbg_survival(high_end, 1e6), 0.0002329778748649587315677409) <= 1e-13);
}

TEST_CASE("sBG with a tiny beta: r(t) and S(t) form beta + (t - 1), exact (was 3.6e-13)") {
    // tests/oracle/sbg.py, alpha = 0.704, beta = 1.182e-4 ("regular", beta x1e-4):
    // r(1) = S(1) = β/(α+β); β + 1 − 1 had lost 3.6e-13 of β.
    const ltv::sbg_params p{0.704, 0.0001182};
    CHECK(rel_error(ltv::sbg_retention_rate(p, 1), 0.000167869542358087046753946657376) <= 1e-15);
    CHECK(rel_error(ltv::sbg_survival(p, 2), 0.0000985198001746555941178344037460) <= 1e-15);
    CHECK(rel_error(ltv::sbg_survival(p, 1000), 0.00000117981495539735948823398634685) <= 1e-14);
}

TEST_CASE("cause 6: sBG DERL at 1e4 renewals and DEL at tiny alpha, beta (no NaN, no sign flip)") {
    // tests/oracle/sbg.py direct sums (50 digits), checked by mpmath's 2F1 / quadrature.
    // Before issue 8's D3 the unguarded hyp2f1 gave NaN and −9441.6 here.
    CHECK(rel_error(ltv::sbg_discounted_expected_residual_lifetime(regular, 0.1, 1e4),
                    10.99149767562563613472665) <= 1e-13);
    CHECK(rel_error(ltv::sbg_discounted_expected_residual_lifetime(regular, 1e-6, 1e4),
                    85735.178660130829084) <= 1e-13);
    // α = 7.04e−5, β = 1.182e−4 (all x1e−4): 3.3e−13 until beta_stieltjes formed b + a directly
    CHECK(rel_error(ltv::sbg_discounted_expected_lifetime({7.04e-5, 1.182e-4}, 1e-6),
                    626114.9752265440353647175) <= 1e-13);
}

TEST_CASE("sBG DEL as alpha + beta -> 0: 1e-13, not 3e-5 (beta_stieltjes b + 1 - (1 - a))") {
    // tests/oracle/sbg.py (label alpha+beta->0), direct sums at 50 digits.
    CHECK(rel_error(ltv::sbg_discounted_expected_lifetime({1e-12, 1e-12}, 1e-4),
                    5000.99999995394755855666582351) <= 1e-13);
    CHECK(rel_error(ltv::sbg_discounted_expected_lifetime({1e-10, 1e-10}, 1e-6),
                    500000.999309224445221375414437) <= 1e-13);
}

TEST_CASE("cause 10: sBG DEL/DERL at d = 0 near the pole alpha = 1") {
    // DEL(0) = (α+β−1)/(α−1), DERL(0 | n−1) = (β+n−1)/(α−1) (Gauss's sum; tests/oracle/sbg.py
    // delta_limit, exact rationals of the double inputs).
    const ltv::sbg_params p{1 + 1e-12, 1.182};
    CHECK(rel_error(ltv::sbg_discounted_expected_lifetime(p, 0), 1181894928853.559058614565) <=
          1e-15);
    CHECK(rel_error(ltv::sbg_discounted_expected_residual_lifetime(p, 0, 4),
                    5181539358133.638987566607) <= 1e-15);
    // α ≤ 1: infinite, an error status (never a number)
    for (double a : {1.0, 1 - 1e-12, 1 - 1e-9}) {
        CAPTURE(a);
        CHECK(error_status([&] { ltv::sbg_discounted_expected_lifetime({a, 1.182}, 0); }) ==
              ltv::status::domain_error);
        CHECK(error_status([&] {
                  ltv::sbg_discounted_expected_residual_lifetime({a, 1.182}, 0, 4);
              }) == ltv::status::domain_error);
    }
}

// ---- Gamma-Gamma -------------------------------------------------------------------------------

TEST_CASE("cause 8: Gamma-Gamma log-likelihood at px = 6.25e9 to 1e-13, not 4e-5") {
    // tests/oracle/gamma_gamma.py closed form at 50 digits, checked by the quadrature over ν.
    // Was −3.99444580078 (absolute error 3.85e−5: lgamma(px+q) − lgamma(px) and px·ln terms).
    CHECK(std::abs(ltv::log_likelihood(cdnow, 1e9, 35.0) - -3.994407304762096489762279) <= 1e-13);
    CHECK(rel_error(ltv::conditional_expected_average_spend(cdnow, 1e9, 35.0),
                    35.00000000009599999995791) <= 1e-15);
}

TEST_CASE("Gamma-Gamma log-likelihood with q x1e4: ln B(px, q) from the smaller argument") {
    // tests/oracle/gamma_gamma.py, p = 6.25, q = 37400, γ = 15.44, x = 1, z̄ = 0.001: was off by
    // 3.4e−12 (lnΓ(px + q) − lnΓ(px) − lnΓ(q), each ~3.6e5).
    CHECK(std::abs(ltv::log_likelihood({6.25, 37400, 15.44}, 1, 0.001) -
                   4.79541605413010030052038878011) <= 1e-13);
}

TEST_CASE("Gamma-Gamma at the singularity q = 1: likelihood fine, mean spend where finite") {
    // tests/oracle/gamma_gamma.py (labels q=1, q=1+1e-12, q=1-1e-12, q=1-1e-9), 50 digits.
    CHECK(std::abs(ltv::log_likelihood({6.25, 1.0, 15.44}, 2, 35.0) -
                   -5.23196141232798428573800218873) <= 1e-14);
    CHECK(std::abs(ltv::log_likelihood({6.25, 1 + 1e-12, 15.44}, 2, 35.0) -
                   -5.23196141232655259998605876100) <= 1e-14);
    CHECK(rel_error(ltv::conditional_expected_average_spend({6.25, 1 + 1e-12, 15.44}, 2, 1.0),
                    8.71999999999930208929299629871) <= 1e-15);
    // For q <= 1 the population mean p*gamma/(q - 1) is infinite, but a customer's posterior
    // Gamma(px + q, gamma + x zbar) has a finite E[1/nu] once px + q > 1: the value is defined
    // (the oracle's, to 1e-15), only x = 0 (the prior mean) is a domain error.
    const double truth[3] = {8.71999999999999975131004248396, 8.72000000000069733587793058299,
                             8.72000000069759973163637507203};
    const double qs[3] = {1.0, 1 - 1e-12, 1 - 1e-9};
    for (int k = 0; k < 3; ++k) {
        const double q = qs[k];
        CAPTURE(q);
        CHECK(rel_error(ltv::conditional_expected_average_spend({6.25, q, 15.44}, 2, 1.0),
                        truth[k]) <= 1e-15);
        CHECK(error_status([&] {
                  ltv::conditional_expected_average_spend({6.25, q, 15.44}, 0, 1.0);
              }) == ltv::status::domain_error);
        CHECK(error_status([&] { ltv::expected_average_spend({6.25, q, 15.44}); }) ==
              ltv::status::domain_error);
    }
    // px + q <= 1: infinite for that customer; a batch names the row and writes nothing.
    const ltv::gamma_gamma_params heavy{0.1, 0.5, 15.44};
    CHECK(rel_error(ltv::conditional_expected_average_spend(heavy, 10, 2.0),
                    0.1 * (15.44 + 20.0) / 0.5) <= 1e-15);  // (exact: p(γ + x z̄)/(px + q − 1))
    const double x[3] = {10, 2, 10}, z[3] = {2, 3, 2};
    double out[3] = {-1, -1, -1};
    const std::string msg = error_message([&] {
        ltv::conditional_expected_average_spend(heavy, ltv::spend_data{{x, 3}, {z, 3}, {}}, out);
    });
    CHECK(msg.find("p*x + q <= 1") != std::string::npos);
    CHECK(msg.find("(at row 1)") != std::string::npos);
    CHECK(out[0] == -1);
}
