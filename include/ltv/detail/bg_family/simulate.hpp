// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family/simulate.hpp — one simulated BG/NBD or MBG/NBD customer (the `simulate`
// capability; the random numbers: ltv/detail/random.hpp).
#pragma once

#include <cmath>

#include "ltv/detail/bg_family/likelihood.hpp"
#include "ltv/detail/random.hpp"
#include "ltv/detail/validate.hpp"

namespace ltv::detail {

/// A customer of age T: λ ~ Gamma(r, α), p ~ Beta(a, b). The coins p are tossed after every
/// repeat purchase (MBG, m = 1: also at time 0), so the customer makes J purchases and drops out
/// at the J-th, J − 1 + m ~ Geometric (J ≥ 1 for BG; MBG's J = 0 is a drop at time 0). The
/// purchase process itself is Poisson(λ): N ~ Poisson(λT) arrivals in (0, T], uniform given N.
///   N < J: x = N, alive, t_x = the last of N uniforms on (0, T] = T·U^(1/N)
///   N ≥ J: x = J, dead at the J-th arrival, t_x = its time = T·Beta(J, N − J + 1) (the J-th
///          order statistic of N uniforms)
/// Exact, in O(log N) draws whatever λT (detail/random.hpp's Poisson and Beta samplers).
inline simulated_customer bg_simulate(const bg_shape& p, double T, random_engine& g,
                                      const char* fn) {
    validate_bg_shape(fn, p);
    require_nonnegative(fn, "T", T);
    const double mean = std::exp(g.log_gamma(p.r) - std::log(p.alpha)) * T;
    double log_p, log_q;
    g.log_beta(p.a, p.b, log_p, log_q);
    const double J = g.geometric(log_q) + (p.m == 0 ? 1 : 0);
    require_simulated_finite(fn, "expected number of purchases", mean);
    const double N = g.poisson(mean);
    simulated_customer c;
    if (N < J) {
        c.frequency = N;
        if (N > 0) c.recency = T * std::exp(std::log(g.uniform()) / N);
        return c;
    }
    c.alive = false;
    c.frequency = J;
    if (J > 0) {
        double log_b, log_1mb;
        g.log_beta(J, N - J + 1, log_b, log_1mb);
        c.recency = T * std::exp(log_b);
    }
    return c;
}

}  // namespace ltv::detail
