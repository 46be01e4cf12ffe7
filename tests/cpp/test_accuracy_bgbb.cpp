// SPDX-License-Identifier: Apache-2.0
// Accuracy regressions of ltv/bgbb.hpp found by the arbitrary-precision sweep (issue 9): N2 and
// causes 4 and 5. Every reference value is the mpmath 50-digit oracle, tests/oracle/bgbb.py
// (FHS 2010 eqs. 8, 13, 14), checked there against quadrature of the Beta mixing integral.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ltv/bgbb.hpp"

namespace {
// The donations fit of Fader, Hardie & Shang (2010), with gamma replaced where a test says so.
ltv::bgbb_params donations(double gamma = 0.657) { return {1.204, 0.750, gamma, 2.783}; }
}  // namespace

TEST_CASE("bgbb accuracy: N2, gamma = 1 beyond 1e6 future opportunities") {
    const auto p = donations(1.0);
    // mpmath 50-digit oracle, tests/oracle/bgbb.py. Before: -5.06e-10 and -3.96e-9.
    // N2: gamma = 1, (x, t_x, n) = (2, 4, 6), n* = 1e6 (direct sum) and 1e6 + 1 (closed form)
    CHECK(ltv::conditional_expected_purchases(p, 1e6, 2, 4, 6) ==
          doctest::Approx(21.5050524755045817828314340858).epsilon(1e-12));
    CHECK(ltv::conditional_expected_purchases(p, 1e6 + 1, 2, 4, 6) ==
          doctest::Approx(21.5050543314738400048705380556).epsilon(1e-12));
    // N2: n* = 5e6
    CHECK(ltv::conditional_expected_purchases(p, 5e6, 2, 4, 6) ==
          doctest::Approx(24.4921352032503650346443067084).epsilon(1e-12));
    // N2: E[X(n = 2e6)] (before: 1.8e-10)
    CHECK(ltv::expected_purchases(p, 2e6) ==
          doctest::Approx(22.8345283698137888317638051824).epsilon(1e-12));
}

TEST_CASE("bgbb accuracy: cause 4, gamma near 1 in the closed form of the alive sum") {
    // mpmath 50-digit oracle, tests/oracle/bgbb.py: E[X(6, 6 + 5e6) | 2, 4, 6] and E[X(1e7)]
    // at gamma = 1 + offset. Before: 1.6e-3 relative error at 1 + 2e-9, 2.36 at 1 + 1e-9
    // (the |gamma − 1| < 1e-9 band returned the wrong limit).
    struct point {
        double gamma, conditional, unconditional;
    };
    const point points[] = {
        {1 + 2e-9, 24.4921348546038798237661814566, 25.5944004105346534303196454971},
        {1 - 2e-9, 24.4921355518968760074850747136, 25.5944011755915975374934975950},
        {1 + 1e-9, 24.4921350289271022744127138353, 25.5944006017988600513325978553},
        {1 - 1e-9, 24.4921353775736100431560341856, 25.5944009843273427222170155156},
        {1 + 1e-12, 24.4921352030760262880690582727, 25.5944007928718298102655576624},
        {1 - 1e-12, 24.4921352034246844274526652871, 25.5944007932543710549285621098},
        {1 + 1e-6, 24.4919608808022631998014985600, 25.5942095297811743919443642867},
        {1 - 1e-6, 24.4923095273005347625567836349, 25.5945920582534262405162641320},
    };
    for (const auto& pt : points) {
        CAPTURE(pt.gamma);
        const auto p = donations(pt.gamma);
        CHECK(ltv::conditional_expected_purchases(p, 5e6, 2, 4, 6) ==
              doctest::Approx(pt.conditional).epsilon(1e-12));
        CHECK(ltv::expected_purchases(p, 1e7) ==
              doctest::Approx(pt.unconditional).epsilon(1e-12));
    }
}

TEST_CASE("bgbb accuracy: cause 4, the closed form for gamma away from 1 (shifted by whole m)") {
    // mpmath 50-digit oracle, tests/oracle/bgbb.py: E[X(1e7)] and E[X(6, 6 + 1e7) | 6, 6, 6].
    // gamma < 1/2 (m = −1), 1/2 ≤ gamma < 3/2 (m = 0), larger gamma (the m log1p steps).
    struct point {
        double gamma, unconditional, conditional;
    };
    const point points[] = {
        {0.3, 91463.4532940801519756514002759, 194862.807476291331878309498864},
        {0.5, 6213.60420135908188508699574939, 16720.4954743953595773457082557},
        {1.5, 3.42757204979939360841699472111, 15.8941271750344964445823152265},
        {2.0, 1.71480590195422916276011651860, 7.95482400054649738599380111934},
        {2.5, 1.14320436681880724922827917520, 5.30322118317519345069422523897},
        {7.0, 0.285801091777550312007499129777, 1.32580529712513618677202147271},
        {6570.0, 0.000261045296188963597510274741766, 0.00121096541067907095762401108788},
    };
    for (const auto& pt : points) {
        CAPTURE(pt.gamma);
        const auto p = donations(pt.gamma);
        CHECK(ltv::expected_purchases(p, 1e7) ==
              doctest::Approx(pt.unconditional).epsilon(1e-12));
        CHECK(ltv::conditional_expected_purchases(p, 1e7, 6, 6, 6) ==
              doctest::Approx(pt.conditional).epsilon(1e-12));
    }
}

TEST_CASE("bgbb accuracy: cause 4, where the closed form is not trusted the direct sum is used") {
    // mpmath 50-digit oracle, tests/oracle/bgbb.py (expected_new).
    // delta = 1e9: the closed form's bracket would cancel by kappa ≈ ln(c+N)/ln(1+N/c) > 1e3.
    CHECK(std::isnan(ltv::detail::bgbb_alive_sum_closed(1e9 + 1, 0.657, 2e6)));
    CHECK(ltv::expected_purchases({1.204, 0.750, 0.657, 1e9}, 2e6) ==
          doctest::Approx(1231535.152782079268599537).epsilon(1e-9));
    // gamma = 1e7, delta = 1e12: the m-sum would take more than 1e6 steps.
    CHECK(std::isnan(ltv::detail::bgbb_alive_sum_closed(1e12 + 1, 1e7, 1e7)));
    CHECK(ltv::expected_purchases({1.204, 0.750, 1e7, 1e12}, 1e7) ==
          doctest::Approx(61617.20165813776992422949).epsilon(1e-9));
    // gamma = 0.3, delta = 1e12 (before and after the switch: direct sums of 1e7 terms)
    CHECK(ltv::expected_purchases({1.204, 0.750, 0.3, 1e12}, 1e7) ==
          doctest::Approx(6161710.307101562640025208).epsilon(1e-8));
}

TEST_CASE("bgbb accuracy: the closed form agrees with the direct sum at the switch") {
    // Not an oracle value: the two branches of detail::bgbb_alive_sum at N = 1e6, for gamma on
    // both sides of 1 and at the boundaries of m (the closed form is within 2e-15 of the oracle
    // there, the direct sum within ~1e-11: its ratios' rounding accumulates over 1e6 terms).
    for (double g : {0.3, 0.5, 0.657, 1 - 1e-12, 1.0, 1 + 1e-9, 1.5, 2.0, 7.0}) {
        for (double c : {1.5, 9.783, 1e4 + 3.783}) {
            CAPTURE(g);
            CAPTURE(c);
            const double direct = ltv::detail::bgbb_alive_sum_direct(c, g, 1e6);
            CHECK(ltv::detail::bgbb_alive_sum_closed(c, g, 1e6) ==
                  doctest::Approx(direct).epsilon(1e-10));
        }
    }
}

TEST_CASE("bgbb accuracy: the CLV curve equals the scalar calls bit for bit") {
    // The curve resumes one direct sum over increasing horizons and takes the scalar's closed
    // form beyond 1e6 (it used to continue the direct sum there, and to sum in another order).
    const auto p = donations(1.0);
    const std::vector<double> times{1, 10, 10, 5, 1000, 1e6, 1e6 + 1, 5e6, 20};
    std::vector<double> out(times.size());
    ltv::conditional_expected_purchases_curve(p, 2, 4, 6, times.data(), times.size(), out.data());
    for (std::size_t k = 0; k < times.size(); ++k)
        CHECK(out[k] == ltv::conditional_expected_purchases(p, times[k], 2, 4, 6));
}

TEST_CASE("bgbb accuracy: cause 5, DERT with the Beta(gamma, delta + n + 1) mass at theta ~ 0") {
    // mpmath 50-digit oracle, tests/oracle/bgbb.py (eq. 14 with mpmath's 2F1, checked against
    // the quadrature of E[1/(d + theta)]); d = 1e-4, t_x = n = 1e4.
    // cause 5: gamma = 6.57e-5, x = 1e4 (the quadrature of an earlier version gave 147.26)
    CHECK(ltv::discounted_expected_residual_transactions(donations(6.57e-5), 1e-4, 1e4, 1e4,
                                                         1e4) ==
          doctest::Approx(9998.85841484980061489678480974).epsilon(1e-10));
    // cause 5: all parameters x1e4, x = 2 (earlier: 4.1e-14) and x = 1e4
    const ltv::bgbb_params big{12040, 7500, 6570, 27830};
    CHECK(ltv::discounted_expected_residual_transactions(big, 1e-4, 2, 1e4, 1e4) ==
          doctest::Approx(2.34602011758255856922855002792).epsilon(1e-10));
    CHECK(ltv::discounted_expected_residual_transactions(big, 1e-4, 1e4, 1e4, 1e4) ==
          doctest::Approx(4.29382854937050248013596102103).epsilon(1e-10));
}

TEST_CASE("bgbb accuracy: a tiny beta is not lost in beta + t_x (sweep point)") {
    // mpmath 50-digit oracle, tests/oracle/bgbb.py; beta = 0.750 x 1e-4. The Beta arguments
    // b + t − x were summed as (b + t) − x, which rounds b to ulp(t): P(alive) was 6.2e-11 and
    // P(X(1e4) = 1e4) 1.0e-9 relative wrong.
    const ltv::bgbb_params p{1.204, 0.750 * 1e-4, 0.657, 2.783};
    CHECK(ltv::probability_alive(p, 100, 100, 1000) ==
          doctest::Approx(2.87573813711913998592442661540e-146).epsilon(1e-12));
    CHECK(ltv::probability_of_purchases(p, 1e4, 1e4) ==
          doctest::Approx(0.00443082267014278108471266747212).epsilon(1e-11));
    CHECK(ltv::probability_of_purchases(p, 1e4, 1e3) ==
          doctest::Approx(0.0000131576564753170820247413390752).epsilon(1e-11));
}

TEST_CASE("bgbb accuracy: parameters of 1e12 (log-gamma differences, sweep point)") {
    // mpmath 50-digit oracle, tests/oracle/bgbb.py (the "delta=1e12", "beta=1e12" sets).
    // lnΓ(δ + t) − lnΓ(δ) as a difference of two log-gammas keeps only eps·lnΓ(1e12) ≈ 3e-3
    // absolutely: log L was 5.5e-5 relative wrong, P(X(100) = 3) 3.9e-3 (0.4%).
    const ltv::bgbb_params big_delta{1.204, 0.750, 0.657, 1e12};
    CHECK(ltv::log_likelihood(big_delta, 50, 80, 100) ==
          doctest::Approx(-71.501332978321137155960596948).epsilon(1e-13));
    CHECK(ltv::probability_of_purchases(big_delta, 100, 3) ==
          doctest::Approx(0.00442392618601025892124837523378).epsilon(1e-12));
    const ltv::bgbb_params big_beta{1.204, 1e12, 0.657, 2.783};
    CHECK(ltv::probability_of_purchases(big_beta, 100, 3) ==
          doctest::Approx(1.54865751108714377483691844461e-31).epsilon(1e-12));
    CHECK(ltv::log_likelihood(big_beta, 5, 500, 1000) ==
          doctest::Approx(-136.382831221280545926024185806).epsilon(1e-13));
}
