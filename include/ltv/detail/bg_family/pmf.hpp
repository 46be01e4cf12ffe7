// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family/pmf.hpp — P(X(t) = n) of a new customer (BG/NBD, MBG/NBD): beta ratios
// and the regularised incomplete beta function (boost::math::ibeta).
#pragma once

#include <cmath>

#include <boost/math/special_functions/beta.hpp>

#include "ltv/detail/bg_family/likelihood.hpp"
#include "ltv/detail/special.hpp"
#include "ltv/detail/validate.hpp"

namespace ltv::detail {

/// P(X(t) = n) for a new customer. Given (λ, p), with N ~ Poisson(λt):
///   BG:  (1−p)ⁿ P(N = n) + [n>0] p(1−p)ⁿ⁻¹ P(N ≥ n)        (FHL 2005, eq. 8)
///   MBG: (1−p)ⁿ⁺¹ P(N = n) + p(1−p)ⁿ P(N ≥ n)               (P(N ≥ 0) = 1)
/// Mixing: E[(1−p)^k] and E[p(1−p)^k] are beta ratios; λ ~ Gamma(r, α) turns P(N = n) into
/// the negative binomial pmf and P(N ≥ n) into the regularised incomplete beta I_q(n, r) with
/// q = t/(α+t) — evaluated by Boost's ibeta, no 1 − Σ cancellation.
inline double bg_probability_of_purchases(const bg_shape& p, double t, double n,
                                          const char* fn = "bg_probability_of_purchases") {
    const double lbab = log_gamma(p.a) + log_gamma(p.b) - log_gamma(p.a + p.b);
    auto log_beta = [](double u, double v) {
        return log_gamma(u) + log_gamma(v) - log_gamma(u + v);
    };
    const double log_nb = log_gamma(p.r + n) - log_gamma(p.r) - log_gamma(n + 1) -
                          p.r * std::log1p(t / p.alpha) -
                          (n > 0 ? n * std::log1p(p.alpha / t) : 0.0);
    const double first = std::exp(log_beta(p.a, p.b + n + p.m) - lbab + log_nb);
    double second = 0;
    if (n > 0) {
        const double q = t / (p.alpha + t);
        const double tail = boost::math::ibeta(n, p.r, q);
        second = std::exp(log_beta(p.a + 1, p.b + n + p.m - 1) - lbab) * tail;
    } else if (p.m == 1) {
        second = p.a / (p.a + p.b);  // dropped out at time 0
    }
    return require_pmf_result(fn, first + second, t, n);
}

/// P(X(T, T+t] = n | x, t_x, T) of the BG family given P(alive at T) = alive. Given alive at
/// T, the alive branch of the likelihood makes λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x+m)
/// independent (BG: (1−p)ˣ survived coins; MBG: the coin of time 0 too), and the future of such
/// a customer is a BG/NBD customer acquired at T (the next coin is tossed after the next
/// purchase, for both variants): bg_shape{r+x, α+T, a, b+x+m, m = 0}. A customer dead at T
/// buys nothing. Hence P = alive · P(X(t) = n | those) + (1 − alive)·[n = 0] — positive terms;
/// its mean is FHL 2005's E[Y(t) | x, t_x, T] (eq. 10; MBG: Batislam et al.'s).
inline double bg_conditional_pmf(const bg_shape& p, double alive, double n, double t, double x,
                                 double T, const char* fn) {
    const bg_shape future{p.r + x, p.alpha + T, p.a, p.b + x + p.m, 0};
    const double f = t == 0 ? (n == 0 ? 1.0 : 0.0) : bg_probability_of_purchases(future, t, n, fn);
    return n == 0 ? alive * f + (1 - alive) : alive * f;
}

}  // namespace ltv::detail
