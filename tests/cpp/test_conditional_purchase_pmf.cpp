// SPDX-License-Identifier: Apache-2.0
// The conditional purchase PMF, P(n purchases in (T, T + t] | x, t_x, T) (capability
// conditional_purchase_pmf; issue 12), and P(alive) ahead (capability p_alive_ahead).
//
// Reference values (40-digit mpmath; the script is in the comments of each table):
//  - Pareto/NBD at lifetimes' CDNOW fit (r = 0.5533, α = 10.578, s = 0.6062, β = 11.667) from
//    Fader & Hardie (2006)'s eq. (16) as lifetimes implements it — a formula independent of
//    ltv's (which reuses P(X(t) = n)); the likelihood by mp.quad of its integral form. The same
//    formula agrees with a double integral over the posterior of (λ, μ) to 1e-12
//    (tests/python/test_capabilities.py evaluates both).
//  - BG/NBD, MBG/NBD at the CDNOW fits of tests/oracle/bg_family.py: alive · P_new(t, n | r+x,
//    α+T, a, b+x+m) + (1 − alive)·[n = 0] at 40 digits, a formula that matched a double
//    integral over (λ, p) to 1e-12 at these points (issue 12 notes); the identities below check
//    it against the conditional expectation independently.
//  - BG/BB at FHS 2010's donations fit (α, β, γ, δ) = (1.204, 0.750, 0.657, 2.783): a double
//    integral over (p, θ) of prior × (alive branch × future pmf + dead branch × [k = 0]) / L,
//    15 digits (mp.quad on [0, ½, 1]²).
// Tolerances: 1e-10 relative (docs/accuracy.md's promise; P(X(t) = n) of Pareto/NBD is a
// quadrature to 1e-10), 1e-8 for the BG/BB double integral (its own accuracy).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ltv/bgbb.hpp"
#include "ltv/bgnbd.hpp"
#include "ltv/mbgnbd.hpp"
#include "ltv/model_ops.hpp"
#include "ltv/pareto_nbd.hpp"
#include "ltv/registry.hpp"
#include "support/errors.hpp"

namespace {
using ltv_test::error_message;
using ltv_test::error_status;

const ltv::pareto_nbd_params pnbd{0.5533, 10.578, 0.6062, 11.667};
const ltv::bgnbd_params bg{0.242594, 4.41359, 0.792919, 2.425895};
const ltv::mbgnbd_params mbg{0.524838, 6.182992, 0.891356, 1.613999};
const ltv::bgbb_params bgbb{1.204, 0.750, 0.657, 2.783};

struct pmf_case {
    double x, t_x, T, n, t, p;
};

// mpmath: eq16(n, t, x, t_x, T) of lifetimes' ParetoNBDFitter at 40 digits.
const pmf_case pnbd_cases[] = {
    {2, 30.43, 38.86, 0, 39, 0.4080894324802407749},
    {2, 30.43, 38.86, 1, 39, 0.21926647276870116322},
    {2, 30.43, 38.86, 2, 39, 0.15174668715105899935},
    {0, 0, 38.86, 0, 39, 0.93073334735249970938},
    {0, 0, 38.86, 1, 52, 0.048637533498387096857},
    {7, 29.43, 38.86, 3, 10, 0.085186788660700833492},
    {26, 30.86, 31, 5, 52, 0.01662391583698904346},
    {1, 1.71, 38.86, 0, 1, 0.99488902399234864325},
};
const pmf_case bg_cases[] = {
    {2, 30.43, 38.86, 0, 39, 0.44539258942879606951},
    {2, 30.43, 38.86, 1, 39, 0.23933031504081094311},
    {0, 0, 38.86, 0, 39, 0.85567170539952485409},
    {0, 0, 38.86, 2, 52, 0.031885320704456575771},
    {7, 29.43, 38.86, 3, 10, 0.078102263899563523844},
    {26, 30.86, 31, 5, 52, 0.020828151675468479311},
    {0, 0, 0, 1, 39, 0.19919237788672130523},
};
const pmf_case mbg_cases[] = {
    {2, 30.43, 38.86, 0, 39, 0.44008091813588658857},
    {2, 30.43, 38.86, 1, 39, 0.23422281561191776445},
    {0, 0, 38.86, 0, 39, 0.89120421722768176237},
    {0, 0, 38.86, 2, 52, 0.026159381103878413816},
    {7, 29.43, 38.86, 3, 10, 0.075017275308729061329},
    {26, 30.86, 31, 5, 52, 0.022855240286067516592},
    {0, 0, 0, 1, 39, 0.18276338640075206297},
};
// (x, t_x, n, k, n*): the (p, θ) double integral.
const pmf_case bgbb_cases[] = {
    {0, 0, 6, 0, 5, 0.952234608300196},
    {2, 4, 6, 1, 5, 0.161683881772622},
    {6, 6, 6, 3, 5, 0.0982382011327224},
    {3, 5, 6, 0, 3, 0.364175857138716},
};

/// The customers of the identities below (BG/BB's in whole periods).
const std::vector<std::vector<double>> continuous_customers = {
    {0, 0, 38.86}, {2, 30.43, 38.86}, {7, 29.43, 38.86}, {26, 30.86, 31}, {0, 0, 0}, {3, 0.5, 70}};
const std::vector<std::vector<double>> discrete_customers = {
    {0, 0, 6}, {2, 4, 6}, {6, 6, 6}, {3, 5, 6}, {0, 0, 0}, {10, 30, 40}};

ltv::model_state state(const char* name, std::vector<double> params) {
    ltv::model_state s;
    s.kind = static_cast<ltv::model_kind>(ltv::model_ops_named(name).kind);
    s.params = std::move(params);
    return s;
}

}  // namespace

TEST_CASE("conditional pmf: reference values") {
    for (const auto& c : pnbd_cases) {
        INFO("pnbd " << c.x << " " << c.t_x << " " << c.T << " n=" << c.n << " t=" << c.t);
        CHECK(ltv::conditional_probability_of_purchases(pnbd, c.n, c.t, c.x, c.t_x, c.T) ==
              doctest::Approx(c.p).epsilon(1e-10));
    }
    for (const auto& c : bg_cases) {
        INFO("bgnbd " << c.x << " " << c.t_x << " " << c.T << " n=" << c.n << " t=" << c.t);
        CHECK(ltv::conditional_probability_of_purchases(bg, c.n, c.t, c.x, c.t_x, c.T) ==
              doctest::Approx(c.p).epsilon(1e-10));
    }
    for (const auto& c : mbg_cases) {
        INFO("mbgnbd " << c.x << " " << c.t_x << " " << c.T << " n=" << c.n << " t=" << c.t);
        CHECK(ltv::conditional_probability_of_purchases(mbg, c.n, c.t, c.x, c.t_x, c.T) ==
              doctest::Approx(c.p).epsilon(1e-10));
    }
    for (const auto& c : bgbb_cases) {
        INFO("bgbb " << c.x << " " << c.t_x << " " << c.T << " k=" << c.n << " n*=" << c.t);
        CHECK(ltv::conditional_probability_of_purchases(bgbb, c.n, c.t, c.x, c.t_x, c.T) ==
              doctest::Approx(c.p).epsilon(1e-8));
    }
}

TEST_CASE("conditional pmf: sums to 1, its mean is the conditional expectation, t = 0") {
    // Through the registry, so every model with the capability is covered.
    const std::vector<std::pair<ltv::model_state, bool>> models = {
        {state("pnbd", {pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta}), false},
        {state("bgnbd", {bg.r, bg.alpha, bg.a, bg.b}), false},
        {state("mbgnbd", {mbg.r, mbg.alpha, mbg.a, mbg.b}), false},
        {state("bgbb", {bgbb.alpha, bgbb.beta, bgbb.gamma, bgbb.delta}), true}};
    for (const auto& [s, discrete] : models) {
        const ltv::model_ops& ops = ltv::model_ops_for(s.kind);
        REQUIRE(ops.supports(ltv::capability::conditional_purchase_pmf));
        const auto& customers = discrete ? discrete_customers : continuous_customers;
        for (const auto& c : customers) {
            const ltv::rfm_data one{{&c[0], 1}, {&c[1], 1}, {&c[2], 1}, {}};
            for (double t : {1.0, 10.0, 39.0}) {
                INFO(ops.name << " (" << c[0] << ", " << c[1] << ", " << c[2] << ") t = " << t);
                double total = 0, mean = 0, p = 0;
                // P(n) decays geometrically at these horizons: 400 terms leave < 1e-14.
                for (double n = 0; n < 400; ++n) {
                    ops.conditional_purchase_pmf(s, n, t, one, &p, 1);
                    CHECK(p >= 0);
                    total += p;
                    mean += n * p;
                }
                double expected = 0;
                ops.conditional_purchases(s, t, one, &expected, 1);
                CHECK(total == doctest::Approx(1.0).epsilon(1e-10));
                CHECK(mean == doctest::Approx(expected).epsilon(1e-9));
            }
            double p0 = -1, p1 = -1;
            ops.conditional_purchase_pmf(s, 0, 0, one, &p0, 1);
            ops.conditional_purchase_pmf(s, 1, 0, one, &p1, 1);
            CHECK(p0 == 1.0);  // nothing happens in an empty interval
            CHECK(p1 == 0.0);
        }
    }
}

TEST_CASE("conditional pmf: batch = scalar, named errors") {
    const std::vector<double> x{0, 2, 7, 26}, tx{0, 30.43, 29.43, 30.86}, T{38.86, 38.86, 38.86, 31};
    const ltv::rfm_data d{x, tx, T, {}};
    std::vector<double> out(4);
    ltv::conditional_probability_of_purchases(pnbd, 1, 39, d, out.data(), 2);
    for (std::size_t i = 0; i < 4; ++i)
        CHECK(out[i] == ltv::conditional_probability_of_purchases(pnbd, 1, 39, x[i], tx[i], T[i]));
    ltv::conditional_probability_of_purchases(bg, 2, 10, d, out.data(), 2);
    for (std::size_t i = 0; i < 4; ++i)
        CHECK(out[i] == ltv::conditional_probability_of_purchases(bg, 2, 10, x[i], tx[i], T[i]));

    CHECK(error_message([&] { ltv::conditional_probability_of_purchases(pnbd, 1.5, 39, 2, 30, 38); })
              .find("argument 'n' = 1.5 must be a whole number") != std::string::npos);
    CHECK(error_message([&] { ltv::conditional_probability_of_purchases(bg, -1, 39, 2, 30, 38); })
              .find("argument 'n' = -1 must not be negative") != std::string::npos);
    CHECK(error_message([&] {
              ltv::conditional_probability_of_purchases(mbg, 1, std::nan(""), 2, 30, 38);
          }).find("argument 't' = nan is not a finite number") != std::string::npos);
    CHECK(error_message([&] { ltv::conditional_probability_of_purchases(pnbd, 1, -2, 2, 30, 38); })
              .find("argument 't' = -2 must not be negative") != std::string::npos);
    CHECK(error_message([&] { ltv::conditional_probability_of_purchases(bgbb, 1, 2.5, 2, 4, 6); })
              .find("argument 't' = 2.5 must be a whole number of periods") != std::string::npos);
    CHECK(error_message([&] { ltv::conditional_probability_of_purchases(pnbd, 1, 3, 2, 40, 38); })
              .find("recency") != std::string::npos);
    // a bad row of a batch is named
    const std::vector<double> bad_T{38.86, -1, 38.86, 31};
    const ltv::rfm_data bad{x, tx, bad_T, {}};
    const std::string m = error_message(
        [&] { ltv::conditional_probability_of_purchases(bg, 1, 39, bad, out.data(), 1); });
    CHECK(m.find("T[1]") != std::string::npos);
    CHECK(error_status([&] {
              ltv::conditional_probability_of_purchases(ltv::pareto_nbd_params{0.5, -1, 1, 1}, 0,
                                                        1, 0, 0, 1);
          }) == ltv::status::invalid_argument);
}

// ---- P(alive) ahead --------------------------------------------------------------------------

TEST_CASE("P(alive) ahead: Pareto/NBD") {
    // mpmath: the alive branch with β+T+u, Γ(r+x)/Γ(r) αʳ βˢ (α+T)^−(r+x) (β+T+u)^−s / L, 40 digits
    // (L by mp.quad of its integral form).
    struct c_ {
        double x, t_x, T, u, p;
    };
    const c_ cases[] = {{2, 30.43, 38.86, 0, 0.86911897924782098441},
                        {2, 30.43, 38.86, 52, 0.56595909109523157045},
                        {0, 0, 38.86, 10, 0.26448947590076554541},
                        {26, 30.86, 31, 104, 0.47209126238709596631}};
    for (const auto& c : cases)
        CHECK(ltv::probability_alive_ahead(pnbd, c.u, c.x, c.t_x, c.T) ==
              doctest::Approx(c.p).epsilon(1e-12));
    // ahead = 0 is P(alive), bit for bit; P(alive) falls with the horizon.
    CHECK(ltv::probability_alive_ahead(pnbd, 0, 2, 30.43, 38.86) ==
          ltv::probability_alive(pnbd, 2, 30.43, 38.86));
    double last = 1;
    for (double u : {0.0, 1.0, 10.0, 100.0, 1e4}) {
        const double p = ltv::probability_alive_ahead(pnbd, u, 7, 29.43, 38.86);
        CHECK(p < last);
        last = p;
    }
}

TEST_CASE("P(alive) ahead: BG/BB") {
    // mpmath: B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+m)/B(γ,δ) / L with L from FHS eq. 5, 40 digits
    // (lifetimes' BetaGeoBetaBinomFitter.conditional_probability_alive(m, x, t_x, n)).
    struct c_ {
        double x, t_x, n, m, p;
    };
    const c_ cases[] = {{0, 0, 6, 0, 0.11609661329298467523}, {0, 0, 6, 1, 0.10801658416867419518},
                        {2, 4, 6, 1, 0.58951411643369789278}, {6, 6, 6, 5, 0.74032947695705645206},
                        {3, 5, 6, 10, 0.49675896819228434544},
                        {1, 1, 1, 100, 0.11035441192976628342},
                        {0, 0, 0, 3, 0.60605161952602183237}};
    for (const auto& c : cases) {
        INFO(c.x << " " << c.t_x << " " << c.n << " m=" << c.m);
        CHECK(ltv::probability_alive_ahead(bgbb, c.m, c.x, c.t_x, c.n) ==
              doctest::Approx(c.p).epsilon(1e-12));
    }
    // FHS 2010 Table 6 (P(alive in 2002)): 0.11, 0.59, 0.93 for (0, 0), (2, 4), (6, 6) in n = 6 —
    // m = 1, which is probability_alive (eq. 11) bit for bit.
    CHECK(ltv::probability_alive_ahead(bgbb, 1, 0, 0, 6) == doctest::Approx(0.11).epsilon(0.05));
    CHECK(ltv::probability_alive_ahead(bgbb, 1, 6, 6, 6) == doctest::Approx(0.93).epsilon(0.01));
    for (const auto& c : discrete_customers)
        CHECK(ltv::probability_alive_ahead(bgbb, 1, c[0], c[1], c[2]) ==
              ltv::probability_alive(bgbb, c[0], c[1], c[2]));
    // the product (m ≤ 64) and the log-gamma form (m > 64) continue each other
    const double p64 = ltv::probability_alive_ahead(bgbb, 64, 2, 4, 6);
    const double p65 = ltv::probability_alive_ahead(bgbb, 65, 2, 4, 6);
    CHECK(p65 / p64 == doctest::Approx((bgbb.delta + 6 + 64) / (bgbb.gamma + bgbb.delta + 6 + 64))
                           .epsilon(1e-13));
    // batch = scalar; errors name the argument
    const std::vector<double> x{0, 2, 6}, tx{0, 4, 6}, n{6, 6, 6};
    std::vector<double> out(3);
    ltv::probability_alive_ahead(bgbb, 3, ltv::rfm_data{x, tx, n, {}}, out.data(), 2);
    for (std::size_t i = 0; i < 3; ++i)
        CHECK(out[i] == ltv::probability_alive_ahead(bgbb, 3, x[i], tx[i], n[i]));
    CHECK(error_message([&] { ltv::probability_alive_ahead(bgbb, 1.5, 0, 0, 6); })
              .find("argument 'periods_ahead' = 1.5 must be a whole number of periods") !=
          std::string::npos);
    CHECK(error_message([&] { ltv::probability_alive_ahead(pnbd, -1, 0, 0, 6); })
              .find("argument 'periods_ahead' = -1 must not be negative") != std::string::npos);
}
