// SPDX-License-Identifier: Apache-2.0
// Test-only helpers for the Pareto/NBD and BG/BB tests: the donations patterns of Fader, Hardie &
// Shang (2010) and exact simulators of both processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include "model_data.hpp"

namespace ltv_test {

/// tests/data/donations.csv: 22 (x, t_x, n) patterns with counts as weights.
inline rfm_columns donations() {
    const csv_table t = read_csv("donations.csv");
    return {t.column("frequency"), t.column("recency"), t.column("periods"), t.column("weights")};
}

/// Appends one customer of age T whose purchases are a Poisson process of rate lambda until `end`
/// (≤ T): x = the purchases, t_x = the time of the last one (0 without any).
inline void add_poisson_purchases(std::mt19937_64& rng, double lambda, double end, double T,
                                  rfm_columns& d) {
    std::exponential_distribution<double> gap(lambda);
    double t = 0, last = 0;
    int x = 0;
    for (;;) {
        t += gap(rng);
        if (t > end) break;
        ++x;
        last = t;
    }
    d.x.push_back(x);
    d.tx.push_back(last);
    d.T.push_back(T);
}

/// Exact simulation of the Pareto/NBD process: λ ~ Gamma(r, rate α), μ ~ Gamma(s, rate β), an
/// exponential lifetime with rate μ, Poisson purchases with rate λ while alive; ages uniform in
/// [T_min, T_max]; times continuous, accumulated without rounding.
inline rfm_columns simulate_pareto_nbd(double r, double alpha, double s, double beta,
                                       std::size_t n, double T_min, double T_max,
                                       std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> rate(r, 1 / alpha), death(s, 1 / beta);
    std::uniform_real_distribution<double> age(T_min, T_max);
    rfm_columns d;
    d.x.reserve(n);
    d.tx.reserve(n);
    d.T.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double lambda = rate(rng), mu = death(rng), T = age(rng);
        const double lifetime = std::exponential_distribution<double>(mu)(rng);
        const double end = lifetime < T ? lifetime : T;
        add_poisson_purchases(rng, lambda, end, T, d);
    }
    return d;
}

/// Exact simulation of the BG/BB process over n opportunities: p ~ Beta(α, β), θ ~ Beta(γ, δ);
/// at the start of each opportunity a living customer dies with probability θ, and if still
/// alive transacts with probability p. Returns one row per customer (weights 1).
inline rfm_columns simulate_bgbb(double alpha, double beta, double gamma, double delta,
                                 std::size_t customers, int n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> ga(alpha, 1), gb(beta, 1), gg(gamma, 1), gd(delta, 1);
    std::uniform_real_distribution<double> u(0, 1);
    rfm_columns d;
    for (std::size_t i = 0; i < customers; ++i) {
        const double a = ga(rng), b = gb(rng), g = gg(rng), e = gd(rng);
        const double p = a / (a + b), theta = g / (g + e);
        int x = 0, last = 0;
        for (int t = 1; t <= n; ++t) {
            if (u(rng) < theta) break;
            if (u(rng) < p) {
                ++x;
                last = t;
            }
        }
        d.x.push_back(x);
        d.tx.push_back(last);
        d.T.push_back(n);
        d.w.push_back(1);
    }
    return d;
}

}  // namespace ltv_test
