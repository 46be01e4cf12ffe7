// SPDX-License-Identifier: Apache-2.0
// Simulation (capability simulate; issue 12): the random numbers of ltv/detail/random.hpp and
// the models' simulated customers.
//
// The checks are statistical, at fixed seeds (so they are deterministic): sample moments within
// k standard errors of the exact moments (k = 5 for the samplers, 4 for the models, as the
// issue asks), simulated shares of x = 0, 1, 2 against the models' own P(X(T) = n), the share
// alive against the closed forms of P(alive at T) of a new customer, and maximum-likelihood fits
// on simulated data recovering the parameters (within 4 of their standard errors): the last
// checks the joint distribution of (x, t_x) — recency included — through the likelihood.
// Reproducibility: the engine's first outputs are pinned to an independent implementation of
// splitmix64 + xoshiro256** (Python, in the comment), and threads do not change the draws.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ltv/bgbb.hpp"
#include "ltv/bgnbd.hpp"
#include "ltv/detail/random.hpp"
#include "ltv/hyp2f1.hpp"
#include "ltv/mbgnbd.hpp"
#include "ltv/model_ops.hpp"
#include "ltv/pareto_nbd.hpp"
#include "ltv/registry.hpp"
#include "support/errors.hpp"

namespace {
using ltv::detail::random_engine;
using ltv_test::error_message;

const ltv::pareto_nbd_params pnbd{0.5533, 10.578, 0.6062, 11.667};
const ltv::bgnbd_params bg{0.242594, 4.41359, 0.792919, 2.425895};
const ltv::mbgnbd_params mbg{0.524838, 6.182992, 0.891356, 1.613999};
const ltv::bgbb_params bgbb{1.204, 0.750, 0.657, 2.783};

struct moments {
    double n = 0, mean = 0, m2 = 0;  // Welford
    void add(double v) {
        n += 1;
        const double d = v - mean;
        mean += d / n;
        m2 += d * (v - mean);
    }
    double variance() const { return m2 / (n - 1); }
};

/// |sample mean − mu| ≤ k standard errors (sd = the exact standard deviation).
void check_mean(const moments& m, double mu, double sd, double k, const std::string& what) {
    INFO(what << ": mean " << m.mean << " expected " << mu << " (se " << sd / std::sqrt(m.n) << ")");
    CHECK(std::abs(m.mean - mu) <= k * sd / std::sqrt(m.n));
}

ltv::model_state state(const char* name, std::vector<double> params) {
    ltv::model_state s;
    s.kind = static_cast<ltv::model_kind>(ltv::model_ops_named(name).kind);
    s.params = std::move(params);
    return s;
}

struct simulation {
    std::vector<double> x, t_x;
    std::vector<int> alive;
};

simulation simulate(const ltv::model_state& s, std::uint64_t seed, const std::vector<double>& T,
                    int threads) {
    simulation out;
    out.x.resize(T.size());
    out.t_x.resize(T.size());
    out.alive.resize(T.size());
    ltv::model_ops_for(s.kind).simulate(s, seed, T, out.x.data(), out.t_x.data(),
                                        out.alive.data(), threads);
    return out;
}

}  // namespace

TEST_CASE("random: the engine is splitmix64-seeded xoshiro256**, per (seed, stream)") {
    // Python (exact integers): z = mix(mix(seed) ^ (stream·0xD1B54A32D192ED03 +
    // 0x8BB84B93962EACC9) mod 2⁶⁴); s[k] = mix(z += 0x9E3779B97F4A7C15); then xoshiro256**.
    random_engine a(42, 0), b(42, 1), c(0, 0), d(~std::uint64_t{0}, 123456789);
    CHECK(a.next() == 0x78ad11f11fca5785ULL);
    CHECK(a.next() == 0x551ea274ffca0a29ULL);
    CHECK(a.next() == 0x8cb2e8c733011793ULL);
    CHECK(b.next() == 0x3022e2a1b92489ecULL);
    CHECK(c.next() == 0x7b8367035e94874bULL);
    CHECK(d.next() == 0xa1c61d1fe7beec53ULL);
    random_engine u(7, 3);
    for (int i = 0; i < 100000; ++i) {
        const double v = u.uniform();
        REQUIRE(v > 0);
        REQUIRE(v < 1);
    }
}

TEST_CASE("random: gamma, beta, poisson and binomial moments") {
    constexpr int N = 200000;
    random_engine g(2024, 0);
    for (double k : {0.05, 0.3, 1.0, 2.5, 1e4}) {
        moments m, v;
        for (int i = 0; i < N; ++i) m.add(std::exp(g.log_gamma(k)));
        check_mean(m, k, std::sqrt(k), 5, "gamma(" + std::to_string(k) + ")");
        // variance k, its standard error sqrt((μ₄ − σ⁴)/N), μ₄ = 3k² + 6k
        INFO("gamma variance " << m.variance() << " vs " << k);
        CHECK(std::abs(m.variance() - k) <= 5 * std::sqrt((2 * k * k + 6 * k) / N));
    }
    for (auto [a, b] : {std::pair{0.5, 0.5}, std::pair{1.204, 0.75}, std::pair{3.0, 300.0}}) {
        moments m;
        for (int i = 0; i < N; ++i) {
            double lb, l1b;
            g.log_beta(a, b, lb, l1b);
            REQUIRE(std::abs(std::exp(lb) + std::exp(l1b) - 1) < 1e-15);
            m.add(std::exp(lb));
        }
        const double mu = a / (a + b), var = a * b / ((a + b) * (a + b) * (a + b + 1));
        check_mean(m, mu, std::sqrt(var), 5, "beta");
    }
    for (double mu : {0.0, 0.5, 10.0, 16.0, 17.0, 1000.0, 1e7}) {
        moments m;
        for (int i = 0; i < N; ++i) m.add(g.poisson(mu));
        if (mu == 0) {
            CHECK(m.mean == 0);
            continue;
        }
        check_mean(m, mu, std::sqrt(mu), 5, "poisson(" + std::to_string(mu) + ")");
        INFO("poisson variance " << m.variance() << " vs " << mu);
        CHECK(std::abs(m.variance() - mu) <= 5 * std::sqrt((2 * mu * mu + mu) / N));
    }
    {
        // the reduction's distribution, not only its moments: P(X = k) at μ = 20
        std::vector<double> count(60, 0);
        for (int i = 0; i < N; ++i) {
            const double v = g.poisson(20);
            if (v < 60) count[static_cast<std::size_t>(v)] += 1;
        }
        for (int k : {10, 15, 20, 25, 30}) {
            const double p = std::exp(k * std::log(20.0) - 20 - std::lgamma(k + 1.0));
            INFO("P(X = " << k << ") " << count[k] / N << " vs " << p);
            CHECK(std::abs(count[k] / N - p) <= 5 * std::sqrt(p * (1 - p) / N));
        }
    }
    for (auto [n, p] : {std::pair{10.0, 0.3}, std::pair{33.0, 0.5}, std::pair{1000.0, 0.01},
                        std::pair{1e6, 0.5}, std::pair{1e6, 1e-5}, std::pair{50.0, 1.0}}) {
        moments m;
        for (int i = 0; i < N; ++i) m.add(g.binomial(n, p));
        const double var = n * p * (1 - p);
        if (var == 0) {
            CHECK(m.mean == n * p);
            continue;
        }
        check_mean(m, n * p, std::sqrt(var), 5, "binomial");
        CHECK(std::abs(m.variance() - var) <= 5 * std::sqrt((2 * var * var + var) / N));
    }
}

TEST_CASE("simulate: moments, P(X(T) = n) and P(alive) of each model") {
    constexpr std::size_t N = 200000;
    struct model_case {
        ltv::model_state s;
        double T;
        double ex;     // E[X(T)]
        double alive;  // P(alive at T) of a new customer
        std::vector<double> pmf;  // P(X(T) = 0, 1, 2)
    };
    const double T = 38.86;
    auto pmf3 = [](auto p, double t) {
        return std::vector<double>{ltv::probability_of_purchases(p, t, 0),
                                   ltv::probability_of_purchases(p, t, 1),
                                   ltv::probability_of_purchases(p, t, 2)};
    };
    const std::vector<model_case> models = {
        // Pareto/NBD: (β/(β+T))^s
        {state("pnbd", {pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta}), T,
         ltv::expected_purchases(pnbd, T), std::pow(pnbd.beta / (pnbd.beta + T), pnbd.s),
         pmf3(pnbd, T)},
        // BG/NBD: E[e^−λpT] = ₂F₁(r, a; a+b; −T/α)
        {state("bgnbd", {bg.r, bg.alpha, bg.a, bg.b}), T, ltv::expected_purchases(bg, T),
         ltv::hyp2f1(bg.r, bg.a, bg.a + bg.b, -T / bg.alpha), pmf3(bg, T)},
        // MBG/NBD: E[(1−p) e^−λpT] = b/(a+b) ₂F₁(r, a; a+b+1; −T/α)
        {state("mbgnbd", {mbg.r, mbg.alpha, mbg.a, mbg.b}), T, ltv::expected_purchases(mbg, T),
         mbg.b / (mbg.a + mbg.b) * ltv::hyp2f1(mbg.r, mbg.a, mbg.a + mbg.b + 1, -T / mbg.alpha),
         pmf3(mbg, T)},
        // BG/BB, n = 6 and 20 opportunities: B(γ, δ+n)/B(γ, δ)
        {state("bgbb", {bgbb.alpha, bgbb.beta, bgbb.gamma, bgbb.delta}), 6,
         ltv::expected_purchases(bgbb, 6),
         std::exp(std::lgamma(bgbb.delta + 6) + std::lgamma(bgbb.gamma + bgbb.delta) -
                  std::lgamma(bgbb.delta) - std::lgamma(bgbb.gamma + bgbb.delta + 6)),
         pmf3(bgbb, 6)},
        {state("bgbb", {bgbb.alpha, bgbb.beta, bgbb.gamma, bgbb.delta}), 20,
         ltv::expected_purchases(bgbb, 20),
         std::exp(std::lgamma(bgbb.delta + 20) + std::lgamma(bgbb.gamma + bgbb.delta) -
                  std::lgamma(bgbb.delta) - std::lgamma(bgbb.gamma + bgbb.delta + 20)),
         pmf3(bgbb, 20)},
    };
    for (const auto& m : models) {
        const ltv::model_ops& ops = ltv::model_ops_for(m.s.kind);
        REQUIRE(ops.supports(ltv::capability::simulate));
        INFO(ops.name << " T = " << m.T);
        const std::vector<double> ages(N, m.T);
        const simulation sim = simulate(m.s, 12345, ages, 0);
        moments x, alive;
        std::vector<double> count(3, 0);
        for (std::size_t i = 0; i < N; ++i) {
            REQUIRE(sim.x[i] >= 0);
            REQUIRE(sim.x[i] == std::floor(sim.x[i]));
            REQUIRE(sim.t_x[i] >= 0);
            REQUIRE(sim.t_x[i] <= m.T);
            REQUIRE((sim.x[i] == 0) == (sim.t_x[i] == 0));
            if (ops.name == std::string("bgbb")) {
                REQUIRE(sim.t_x[i] == std::floor(sim.t_x[i]));
                REQUIRE(sim.x[i] <= sim.t_x[i]);
            }
            x.add(sim.x[i]);
            alive.add(sim.alive[i]);
            if (sim.x[i] < 3) count[static_cast<std::size_t>(sim.x[i])] += 1;
        }
        // the standard error from the sample's own spread (the exact variance of X(T) needs
        // the pmf's second moment; the sample variance of 200 000 draws is close to it)
        check_mean(x, m.ex, std::sqrt(x.variance()), 4, "mean frequency");
        check_mean(alive, m.alive, std::sqrt(m.alive * (1 - m.alive)), 4, "share alive");
        for (int k = 0; k < 3; ++k) {
            const double p = m.pmf[static_cast<std::size_t>(k)];
            INFO("P(X(T) = " << k << "): simulated " << count[k] / N << ", model " << p);
            CHECK(std::abs(count[k] / N - p) <= 4 * std::sqrt(p * (1 - p) / N));
        }
    }
}

TEST_CASE("simulate: the same seed gives the same customers, for any number of threads") {
    const auto s = state("pnbd", {pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta});
    std::vector<double> ages(50000);
    for (std::size_t i = 0; i < ages.size(); ++i) ages[i] = static_cast<double>(i % 80);
    const simulation one = simulate(s, 99, ages, 1), two = simulate(s, 99, ages, 2),
                     four = simulate(s, 99, ages, 4), again = simulate(s, 99, ages, 1),
                     other = simulate(s, 100, ages, 1);
    CHECK(one.x == two.x);
    CHECK(one.t_x == two.t_x);
    CHECK(one.alive == two.alive);
    CHECK(one.x == four.x);
    CHECK(one.t_x == again.t_x);
    CHECK(one.t_x != other.t_x);
    // customer i is the same alone: its engine depends on (seed, i) only
    const std::vector<double> head(ages.begin(), ages.begin() + 10);
    const simulation first = simulate(s, 99, head, 1);
    for (std::size_t i = 0; i < 10; ++i) CHECK(first.t_x[i] == one.t_x[i]);
    // the alive output may be omitted
    std::vector<double> fx(10), ft(10);
    ltv::model_ops_for(s.kind).simulate(s, 99, head, fx.data(), ft.data(), nullptr, 1);
    CHECK(fx == first.x);
}

TEST_CASE("simulate: maximum likelihood on simulated data recovers the parameters") {
    // Ages spread over (10, 40] (BG/BB: 1 … 30 opportunities); 50 000 customers per model.
    constexpr std::size_t N = 50000;
    std::vector<double> cont(N), disc(N);
    for (std::size_t i = 0; i < N; ++i) {
        cont[i] = 10 + 30 * (static_cast<double>(i) + 0.5) / N;
        disc[i] = 1 + static_cast<double>(i % 30);
    }
    const std::vector<std::pair<ltv::model_state, bool>> models = {
        {state("pnbd", {pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta}), false},
        {state("bgnbd", {bg.r, bg.alpha, bg.a, bg.b}), false},
        {state("mbgnbd", {mbg.r, mbg.alpha, mbg.a, mbg.b}), false},
        {state("bgbb", {bgbb.alpha, bgbb.beta, bgbb.gamma, bgbb.delta}), true}};
    for (const auto& [truth, discrete] : models) {
        const ltv::model_ops& ops = ltv::model_ops_for(truth.kind);
        const std::vector<double>& T = discrete ? disc : cont;
        const simulation sim = simulate(truth, 7, T, 0);
        ltv::model_state fitted;
        fitted.kind = truth.kind;
        ops.fit_rfm(fitted, ltv::rfm_data{sim.x, sim.t_x, T, {}}, ltv::fit_options{});
        REQUIRE(fitted.report.parameters.size() == truth.params.size());
        REQUIRE(fitted.report.standard_errors_available);
        for (std::size_t k = 0; k < truth.params.size(); ++k) {
            const double se = fitted.report.parameters[k].standard_error;
            INFO(ops.name << " " << ops.params[k].name << ": fitted " << fitted.params[k] << " ± "
                          << se << ", truth " << truth.params[k]);
            CHECK(std::abs(fitted.params[k] - truth.params[k]) <= 4 * se);
        }
    }
}

TEST_CASE("simulate: invalid ages are named") {
    const auto s = state("bgnbd", {bg.r, bg.alpha, bg.a, bg.b});
    const std::vector<double> T{1, -2, 3};
    std::vector<double> fx(3), ft(3);
    const std::string m = error_message([&] {
        ltv::model_ops_for(s.kind).simulate(s, 1, T, fx.data(), ft.data(), nullptr, 1);
    });
    CHECK(m.find("argument 'T' = -2 must not be negative") != std::string::npos);
    CHECK(m.find("(at row 1)") != std::string::npos);
    const auto b = state("bgbb", {bgbb.alpha, bgbb.beta, bgbb.gamma, bgbb.delta});
    const std::vector<double> half{1, 2.5};
    CHECK(error_message([&] {
              ltv::model_ops_for(b.kind).simulate(b, 1, half, fx.data(), ft.data(), nullptr, 1);
          }).find("argument 'T' = 2.5 must be a whole number of periods") != std::string::npos);
    const std::vector<double> nan{std::nan("")};
    const auto p = state("pnbd", {pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta});
    CHECK(error_message([&] {
              ltv::model_ops_for(p.kind).simulate(p, 1, nan, fx.data(), ft.data(), nullptr, 1);
          }).find("is not a finite number") != std::string::npos);
}
