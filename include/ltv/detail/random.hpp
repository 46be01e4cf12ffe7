// SPDX-License-Identifier: Apache-2.0
// ltv/detail/random.hpp — the random numbers of the models' simulations (the `simulate`
// capability): a counter-based seeding, a 64-bit engine and the few distributions the models
// draw from, all written here.
//
// Reproducibility. Customer i of a simulation with seed s draws from its own engine, seeded from
// (s, i) through splitmix64 (Steele, Lea & Flood 2014): the customers do not share a stream, so
// a batch split over any number of threads gives the same draws, and customer i is the same
// whether it is simulated alone or among a million. The engine is xoshiro256** (Blackman &
// Vigna 2018; 2²⁵⁶ − 1 period, passes BigCrush).
//
// Why not <random>'s distributions: the engines of <random> are specified bit for bit, but the
// distributions (std::gamma_distribution, std::poisson_distribution, …) are not — libstdc++,
// libc++ and MSVC return different variates from the same engine state, so a seed would give
// different customers on different platforms. The samplers below use only IEEE arithmetic and
// std::log/exp/sqrt/floor, so a seed gives the same draws on every platform whose libm rounds
// log and exp alike (glibc, musl, macOS do for these arguments; sqrt and floor are exact).
//
// Distributions (each exact in distribution, none by a normal approximation):
//   uniform        (k + ½)·2⁻⁵³ from the top 53 bits: in (0, 1), never 0 or 1 (logs are finite)
//   normal         Marsaglia's polar method (no trigonometric functions); the second value is
//                  kept for the next call
//   gamma          Marsaglia & Tsang (2000), "A simple method for generating gamma variables",
//                  ACM TOMS 26(3), for shape ≥ 1; shape k < 1 as G(k+1)·U^(1/k) (their §6).
//                  Returned as a LOGARITHM: shapes ≪ 1 give variates below the double range
//                  (ln G ≈ ln U / k), which the callers need as logs anyway (beta draws, rates)
//   beta           B = G_a/(G_a + G_b) from the two log-gammas, with ln B and ln(1 − B) both
//                  formed in logs (no 1 − B cancellation)
//   poisson        mean ≤ 16: multiplication of uniforms; above, Knuth's reduction (TAOCP 2,
//                  3.4.1 F, after Ahrens & Dieter): the m-th arrival X ~ Gamma(m) of a unit
//                  Poisson process, m = ⌊7μ/8⌋; X < μ leaves Poisson(μ − X) more, else the
//                  count is Binomial(m − 1, μ/X). O(log μ) gamma draws for any mean
//   binomial       n ≤ 32: n Bernoulli trials; above, Knuth's order-statistic reduction (3.4.1
//                  F): the a-th smallest of n uniforms X ~ Beta(a, n + 1 − a), a = 1 + ⌊n/2⌋,
//                  splits the trials into Binomial(a − 1, p/X) or a + Binomial(n − a,
//                  (p − X)/(1 − X)). O(log n) beta draws
//   geometric      ⌊ln U / ln q⌋: the number of successes (probability q each) before the first
//                  failure, from ln q (+∞ when ln q = 0: q rounds to 1)
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "ltv/detail/validate.hpp"

namespace ltv::detail {

/// splitmix64's output function: a bijective mix of 64 bits.
constexpr std::uint64_t splitmix64_mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/// ln(e^a + e^b) without overflow (a, b may be −∞, not both +∞).
inline double log_add_exp(double a, double b) noexcept {
    const double m = a > b ? a : b;
    if (m == -std::numeric_limits<double>::infinity()) return m;
    return m + std::log1p(std::exp(-std::abs(a - b)));
}

/// xoshiro256** seeded from (seed, stream) — one stream per simulated customer.
class random_engine {
public:
    /// The state of stream `stream` of seed `seed`: a key unique to (seed, stream) (both mixes
    /// are bijections, and stream ↦ stream·φ + c is one too), expanded to 256 bits by splitmix64.
    random_engine(std::uint64_t seed, std::uint64_t stream) noexcept {
        std::uint64_t z = splitmix64_mix(splitmix64_mix(seed) ^
                                         (stream * 0xD1B54A32D192ED03ULL + 0x8BB84B93962EACC9ULL));
        for (auto& w : s_) w = splitmix64_mix(z += 0x9E3779B97F4A7C15ULL);
        if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // (the one forbidden state)
    }

    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform on the open interval (0, 1).
    double uniform() noexcept {
        return (static_cast<double>(next() >> 11) + 0.5) * 0x1p-53;
    }

    /// Standard exponential, −ln U > 0.
    double exponential() noexcept { return -std::log(uniform()); }

    /// Standard normal (Marsaglia's polar method).
    double normal() noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u, v, q;
        do {
            u = 2 * uniform() - 1;
            v = 2 * uniform() - 1;
            q = u * u + v * v;
        } while (!(q > 0 && q < 1));
        const double f = std::sqrt(-2 * std::log(q) / q);
        spare_ = v * f;
        has_spare_ = true;
        return u * f;
    }

    /// ln G, G ~ Gamma(shape, 1), shape > 0 and finite (Marsaglia & Tsang).
    double log_gamma(double shape) noexcept {
        if (shape < 1) {
            // G(k) = G(k + 1)·U^(1/k): ln U/k may be far below the double range of G itself.
            const double boost = std::log(uniform()) / shape;
            return log_gamma(shape + 1) + boost;
        }
        const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
        for (;;) {
            double x, v;
            do {
                x = normal();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            const double u = uniform(), x2 = x * x;
            // the squeeze accepts ~98 % without a logarithm; the exact test the rest
            if (u < 1 - 0.0331 * x2 * x2 || std::log(u) < 0.5 * x2 + d * (1 - v + std::log(v)))
                return std::log(d) + std::log(v);
        }
    }

    /// B ~ Beta(a, b) as ln B and ln(1 − B).
    void log_beta(double a, double b, double& log_b, double& log_1mb) noexcept {
        const double ga = log_gamma(a), gb = log_gamma(b);
        const double sum = log_add_exp(ga, gb);
        log_b = ga - sum;
        log_1mb = gb - sum;
    }

    /// The number of successes before the first failure, success probability q = e^log_q
    /// (+∞ when q rounds to 1).
    double geometric(double log_q) noexcept {
        if (log_q == 0) return std::numeric_limits<double>::infinity();
        return std::floor(std::log(uniform()) / log_q);
    }

    /// Binomial(n, p), n a whole number ≥ 0, p in [0, 1].
    double binomial(double n, double p) noexcept {
        double count = 0;
        while (n > 32 && p > 0 && p < 1) {
            const double a = 1 + std::floor(n / 2), b = n + 1 - a;
            double lx, l1x;
            log_beta(a, b, lx, l1x);
            const double x = std::exp(lx);
            if (x >= p) {
                n = a - 1;
                p = p / x;
            } else {
                count += a;
                n = b - 1;
                p = (p - x) / std::exp(l1x);
            }
        }
        if (p >= 1) return count + n;
        if (p <= 0) return count;
        for (double i = 0; i < n; ++i)
            if (uniform() < p) count += 1;
        return count;
    }

    /// Poisson(mean), mean finite and ≥ 0.
    double poisson(double mean) noexcept {
        double count = 0;
        while (mean > 16) {
            const double m = std::floor(mean * 7 / 8);
            const double x = std::exp(log_gamma(m));
            if (x < mean) {
                count += m;
                mean -= x;
            } else {
                return count + binomial(m - 1, mean / x);
            }
        }
        const double limit = std::exp(-mean);
        double product = uniform();
        while (product > limit) {
            product *= uniform();
            count += 1;
        }
        return count;
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }

    std::uint64_t s_[4];
    double spare_ = 0;
    bool has_spare_ = false;
};

/// One simulated customer: repeat purchases x, time of the last t_x (0 when x = 0), and
/// whether they are still alive at the end of the simulated age.
struct simulated_customer {
    double frequency = 0;
    double recency = 0;
    bool alive = true;
};

/// A simulated count or rate that left the double range: domain_error naming the quantity.
inline void require_simulated_finite(const char* fn, const char* what, double v) {
    if (!std::isfinite(v))
        fail(status::domain_error, fn,
             std::string("the simulated ") + what + " is not a finite number (" +
                 format_value(v) + "): the parameters and ages overflow double precision");
}

}  // namespace ltv::detail
