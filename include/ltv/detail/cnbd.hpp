// SPDX-License-Identifier: Apache-2.0
// ltv/detail/cnbd.hpp — the numerical engine shared by BG/CNBD-k and MBG/CNBD-k (Platzer &
// Reutterer 2016, "Ticking Away the Moments: Timing Regularity Helps to Better Predict Customer
// Activity", Marketing Science 35(5); BTYDplus's xbgcnbd.* functions).
//
// While active a customer's inter-purchase times are Erlang-k(λ) (k phases of a Poisson(λ)
// clock), λ ~ Gamma(r, α); after each repeat purchase (MBG: also at time 0, m = 1) a coin with
// dropout probability p ~ Beta(a, b) decides whether they leave. With A = r + kx, litt = Σ log of
// the customer's x inter-purchase times, y = (T − t_x)/(α+T) and δ = 1 unless m = 0 and x = 0:
//   log L = (k−1)·litt − x·lnΓ(k) + ln B(a, b+x+m) − ln B(a, b) + lnΓ(A) − lnΓ(r) + r ln α
//           − A ln(α+T) + ln(S₁ + S₂),
//   S₁ = δ · a/(b+x+m−1) · ((α+T)/(α+t_x))^A          (dropped out at the last purchase)
//   S₂ = Σ_{j<k} (A)_j y^j / j!                        (alive: fewer than k phases since t_x)
// ((A)_j the rising factorial). With k = 1 this is BG/NBD's (m = 0) or MBG/NBD's (m = 1)
// likelihood. S₂'s terms are summed in log space and ln(S₁+S₂) is a log-sum-exp, so large x or k
// do not overflow. P(alive | x, t_x, T) = S₂/(S₁+S₂).
//
// Given alive at T, the posterior is exact and factorises: p ~ Beta(a, β), β = b+x+m; the number
// j of phases completed since t_x has weights w_j ∝ (A)_j y^j/j! (S₂'s terms); λ | j ~ Gamma(A+j,
// α+T). The n-th purchase after T needs nk − j phases, and happens only if n − 1 coins were
// survived, so
//   E[Y(t) | x, t_x, T] = P(alive) · Σ_j w_j Σ_{n≥1} ρ_n · I_z(nk − j, A + j),
//   ρ_n = E[(1−p)^{n−1}] = Π_{i<n−1} (β+i)/(a+β+i),   z = t/(α+T+t),
// where I_z is the regularized incomplete beta (P(NB ≥ nk−j) of the negative binomial mixture of
// the Poisson clock). This is exact; BTYDplus instead approximates it by a BG/NBD expression with
// α scaled by k and a cohort-level bias correction. E[X(t)] of a new customer is the same at
// (x, t_x, T) = (0, 0, 0). With k = 1 both equal BG/NBD's closed forms (tests check the identity).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <boost/math/special_functions/digamma.hpp>

#include "ltv/detail/random.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv::detail {

/// The largest k the models accept: S₂ has k terms per customer, and the phase mixtures of the
/// expectations k components; beyond ~50 the Erlang is nearly deterministic and the likelihood
/// surface flat in k.
constexpr int cnbd_k_max = 100;

struct cnbd_shape {
    double r, alpha, a, b;
    int k;  ///< Erlang shape, ≥ 1
    int m;  ///< 0: BG/CNBD-k, 1: MBG/CNBD-k (coin also at time 0)
};

/// k as a model's parameter: a whole number in [1, cnbd_k_max]; errors name 'k'.
inline int cnbd_k(const char* fn, double k) {
    if (!(k >= 1 && k <= cnbd_k_max) || k != std::floor(k))
        fail_argument(fn, "k", k,
                      ("must be a whole number in [1, " + std::to_string(cnbd_k_max) +
                       "] (the Erlang shape of the inter-purchase times)")
                          .c_str());
    return static_cast<int>(k);
}

inline void validate_cnbd_shape(const char* fn, const cnbd_shape& p) {
    require_positive(fn, "r", p.r);
    require_positive(fn, "alpha", p.alpha);
    require_positive(fn, "a", p.a);
    require_positive(fn, "b", p.b);
    cnbd_k(fn, p.k);
}

/// Checks rfm_data.litt when given: as many values as rows, each finite; 0 where x = 0 (no
/// inter-purchase time). Errors name 'litt' and the row.
inline void validate_litt(const char* fn, const rfm_data& d) {
    if (d.litt.empty()) return;
    require_array(fn, "litt", d.litt.data(), d.litt.size());
    if (d.litt.size() != d.size())
        fail(status::invalid_argument, fn,
             "argument 'litt' has " + std::to_string(d.litt.size()) +
                 " elements but 'frequency' has " + std::to_string(d.size()));
    for (std::size_t i = 0; i < d.size(); ++i) {
        const double v = d.litt[i];
        if (!std::isfinite(v)) fail_argument(fn, arg_name{"litt", i}, v, "must be finite");
        if (d.frequency[i] == 0 && v != 0)
            fail_argument(fn, arg_name{"litt", i}, v,
                          "must be 0 where 'frequency' = 0 (no inter-purchase time)");
    }
}

/// The pieces of one customer's likelihood shared by log L, P(alive) and the expectations.
struct cnbd_row {
    double A = 0;       ///< r + kx
    double ln_s1 = 0;   ///< ln S₁ (−inf when δ = 0)
    double ln_s2 = 0;   ///< ln S₂
    double f1 = 0;      ///< S₁/(S₁+S₂) = 1 − P(alive)
    double f2 = 1;      ///< S₂/(S₁+S₂) = P(alive)
    double ln_sum = 0;  ///< ln(S₁+S₂)
};

/// ln S₂ = ln Σ_{j<k} (A)_j y^j/j! with y = (T−t_x)/(α+T); the log terms into lt[0..k) when given.
inline double cnbd_ln_s2(double A, int k, double T, double t_x, double alpha, double* lt) {
    if (lt) lt[0] = 0;
    const double gap = T - t_x;
    // y = 0 (T = t_x, e.g. a purchase on the last day): only j = 0 remains (0^0 = 1).
    if (k == 1 || gap <= 0) {
        if (lt)
            for (int j = 1; j < k; ++j) lt[j] = -std::numeric_limits<double>::infinity();
        return 0;
    }
    const double ly = std::log(gap) - std::log(alpha + T);
    double l = 0, mx = 0;
    double tmp[cnbd_k_max];
    double* t = lt ? lt : tmp;
    t[0] = 0;
    for (int j = 1; j < k; ++j) {
        l += std::log((A + j - 1) / j) + ly;
        t[j] = l;
        mx = std::max(mx, l);
    }
    double s = 0;
    for (int j = 0; j < k; ++j) s += std::exp(t[j] - mx);
    return mx + std::log(s);
}

inline cnbd_row cnbd_row_of(const cnbd_shape& p, double x, double t_x, double T,
                            double* lt = nullptr) {
    cnbd_row c;
    c.A = p.r + p.k * x;
    c.ln_s2 = cnbd_ln_s2(c.A, p.k, T, t_x, p.alpha, lt);
    if (p.m == 0 && x == 0) {  // δ = 0: a BG customer cannot drop out before a repeat purchase
        c.ln_s1 = -std::numeric_limits<double>::infinity();
        c.f1 = 0;
        c.f2 = 1;
        c.ln_sum = c.ln_s2;
        return c;
    }
    c.ln_s1 = std::log(p.a / (p.b + x + p.m - 1)) +
              c.A * (std::log(p.alpha + T) - std::log(p.alpha + t_x));
    const double d = c.ln_s1 - c.ln_s2;
    // both fractions from exp of a non-positive number: no overflow, each with full precision
    if (d > 0) {
        const double e = std::exp(-d);
        c.f1 = 1 / (1 + e);
        c.f2 = e / (1 + e);
        c.ln_sum = c.ln_s1 + std::log1p(e);
    } else {
        const double e = std::exp(d);
        c.f1 = e / (1 + e);
        c.f2 = 1 / (1 + e);
        c.ln_sum = c.ln_s2 + std::log1p(e);
    }
    return c;
}

/// log L of one customer (litt: Σ log inter-purchase times; 0 when not known — the term
/// (k−1)·litt does not depend on r, α, a, b).
inline double cnbd_log_likelihood(const cnbd_shape& p, double x, double t_x, double T,
                                  double litt) {
    const cnbd_row c = cnbd_row_of(p, x, t_x, T);
    const double bx = p.b + x + p.m;
    return (p.k - 1) * litt - x * std::lgamma(static_cast<double>(p.k)) + std::lgamma(bx) -
           std::lgamma(p.b) - std::lgamma(p.a + bx) + std::lgamma(p.a + p.b) + std::lgamma(c.A) -
           std::lgamma(p.r) + p.r * std::log(p.alpha) - c.A * std::log(p.alpha + T) + c.ln_sum;
}

inline double cnbd_probability_alive(const cnbd_shape& p, double x, double t_x, double T) {
    return cnbd_row_of(p, x, t_x, T).f2;
}

/// The prepared rows of a likelihood: duplicates (x, t_x, T) merged with summed weights and
/// grouped by x; Σ w·litt and Σ w·x kept for the parameter-free term.
struct cnbd_prepared {
    struct group {
        double x = 0;
        double w = 0;  ///< Σ weights of the group
        std::size_t begin = 0, end = 0;
    };
    std::vector<group> groups;
    std::vector<double> tx, T, w;
    double sum_w_litt = 0, sum_w_x = 0, total_weight = 0, sum_T = 0, max_T = 0;
};

inline cnbd_prepared cnbd_prepare(const char* fn, const rfm_data& d) {
    validate_rfm(fn, d);
    validate_litt(fn, d);
    const std::size_t n = d.size();
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
        if (d.frequency[i] != d.frequency[j]) return d.frequency[i] < d.frequency[j];
        if (d.recency[i] != d.recency[j]) return d.recency[i] < d.recency[j];
        return d.age[i] < d.age[j];
    });
    cnbd_prepared p;
    for (std::size_t oi = 0; oi < n; ++oi) {
        const std::size_t i = order[oi];
        const double w = d.weights.empty() ? 1.0 : d.weights[i];
        p.total_weight += w;
        p.sum_w_x += w * d.frequency[i];
        if (!d.litt.empty()) p.sum_w_litt += w * d.litt[i];
        p.sum_T += w * d.age[i];
        p.max_T = std::max(p.max_T, d.age[i]);
        if (w == 0) continue;  // contributes nothing (and a 0·(−inf) could not arise)
        const double x = d.frequency[i];
        if (p.groups.empty() || p.groups.back().x != x) {
            p.groups.push_back({x, 0, p.tx.size(), p.tx.size()});
        } else if (p.tx.back() == d.recency[i] && p.T.back() == d.age[i]) {
            p.w.back() += w;
            p.groups.back().w += w;
            continue;
        }
        p.tx.push_back(d.recency[i]);
        p.T.push_back(d.age[i]);
        p.w.push_back(w);
        p.groups.back().w += w;
        p.groups.back().end = p.tx.size();
    }
    return p;
}

/// Σ w log L and, when grad is not null, its gradient w.r.t. (log r, log α, log a, log b).
/// Per x: the Gamma-function terms and their digammas once; per distinct row: S₂'s k terms by the
/// ratio recursion term_j = term_{j−1}·(A+j−1)·y/j in linear space (three logs, one exp and one
/// log1p per row) when they cannot overflow — every term is at most ((A+k)·y)^(k−1) ≤ (A+k)^(k−1),
/// so when (k−1)·ln(A+k) < 690; otherwise the log-space cnbd_row_of.
inline double cnbd_total_log_likelihood(const cnbd_shape& p, const cnbd_prepared& d,
                                        double* grad) {
    using boost::math::digamma;
    const int k = p.k;
    double ll = (k - 1) * d.sum_w_litt - d.sum_w_x * std::lgamma(static_cast<double>(k));
    double gr = 0, ga = 0, gA = 0, gB = 0;  // d/dr, d/dα, d/da, d/db
    const double la = std::log(p.alpha), lgr = std::lgamma(p.r), lgb = std::lgamma(p.b),
                 lgab = std::lgamma(p.a + p.b);
    const double dr = grad ? digamma(p.r) : 0, db = grad ? digamma(p.b) : 0,
                 dab = grad ? digamma(p.a + p.b) : 0;
    double lt[cnbd_k_max], coef[cnbd_k_max], H[cnbd_k_max];
    for (const auto& g : d.groups) {
        const double x = g.x, A = p.r + k * x, bx = p.b + x + p.m;
        ll += g.w * (std::lgamma(bx) - lgb - std::lgamma(p.a + bx) + lgab + std::lgamma(A) - lgr +
                     p.r * la);
        double dabx = 0, dbx = 0;
        if (grad) {
            dabx = digamma(p.a + bx);
            dbx = digamma(bx);
            gr += g.w * (digamma(A) - dr + la);
            ga += g.w * p.r / p.alpha;
            gA += g.w * (dab - dabx);
            gB += g.w * (dbx - db + dab - dabx);
        }
        // H_j = Σ_{i<j} 1/(A+i) = d ln (A)_j / dA; coef_j = (A+j−1)/j
        H[0] = 0;
        for (int j = 1; j < k; ++j) {
            H[j] = H[j - 1] + 1 / (A + j - 1);
            coef[j] = (A + j - 1) / j;
        }
        const bool delta = !(p.m == 0 && x == 0);
        const bool linear = (k - 1) * std::log(A + k) < 690;
        const double ln_c = delta ? std::log(p.a / (bx - 1)) : 0;
        for (std::size_t i = g.begin; i < g.end; ++i) {
            const double T = d.T[i], tx = d.tx[i], w = d.w[i];
            const double aT = p.alpha + T, lT = std::log(aT);
            double ln_s2, eH = 0, ej = 0;  // E_w[H_j], E_w[j] under S₂'s weights
            if (linear) {
                const double y = (T - tx) / aT;
                double s2 = 1, sH = 0, sj = 0, tj = 1;
                for (int j = 1; j < k; ++j) {
                    tj *= coef[j] * y;
                    s2 += tj;
                    sH += tj * H[j];
                    sj += tj * j;
                }
                ln_s2 = std::log(s2);
                eH = sH / s2;
                ej = sj / s2;
            } else {
                ln_s2 = cnbd_ln_s2(A, k, T, tx, p.alpha, lt);
                for (int j = 1; j < k; ++j) {
                    const double wj = std::exp(lt[j] - ln_s2);
                    eH += wj * H[j];
                    ej += wj * j;
                }
            }
            double ln_sum = ln_s2, f1 = 0, f2 = 1, lu = 0;
            if (delta) {
                lu = lT - std::log(p.alpha + tx);
                const double dd = ln_c + A * lu - ln_s2;  // ln S₁ − ln S₂
                // both fractions from exp of a non-positive number: no overflow
                if (dd > 0) {
                    const double e = std::exp(-dd);
                    f1 = 1 / (1 + e);
                    f2 = e * f1;
                    ln_sum = ln_s2 + dd + std::log1p(e);
                } else {
                    const double e = std::exp(dd);
                    f2 = 1 / (1 + e);
                    f1 = e * f2;
                    ln_sum = ln_s2 + std::log1p(e);
                }
            }
            ll += w * (ln_sum - A * lT);
            if (!grad) continue;
            double g_r = -lT + f2 * eH, g_al = -(A + f2 * ej) / aT, g_a = 0, g_b = 0;
            if (delta) {
                g_r += f1 * lu;
                g_al += f1 * A * (1 / aT - 1 / (p.alpha + tx));
                g_a += f1 / p.a;
                g_b -= f1 / (bx - 1);
            }
            gr += w * g_r;
            ga += w * g_al;
            gA += w * g_a;
            gB += w * g_b;
        }
    }
    if (grad) {
        grad[0] = gr * p.r;
        grad[1] = ga * p.alpha;
        grad[2] = gA * p.a;
        grad[3] = gB * p.b;
    }
    return ll;
}

/// The largest number of terms the expectation series walks through (each a few flops); beyond
/// it the call fails with status::no_convergence instead of running long.
constexpr double cnbd_series_max_steps = 1e7;

/// E[Y(t) | alive at T] = Σ_j w_j Σ_{n≥1} ρ_n I_z(nk−j, A+j) (see the file comment).
/// I_z(M, s) = P(N ≥ M) for N ~ NB(s, z) (mean sz/(1−z)). The series is summed downwards from a
/// cut-off M_top = n_top·k − j past which the negative binomial's mass is negligible: the pmf at
/// M_top in log space (and the tail beyond it from the pmf's ratio), then
///   I_z(M−1, s) = I_z(M, s) + pmf(M−1),   pmf(M−1) = pmf(M)·M/(z(s+M−1)),
///   ρ_n = ρ_{n+1}·(a+β+n−1)/(β+n−1)      (ρ at n_top by lnΓ),
/// which adds positive terms only (no cancellation) in O(M_top) flops and four lnΓ. M_top is the
/// mean + 12 sd + 30 plus the 41.5/(−ln z) steps over which the tail (ratio → z per step) falls
/// by 1e-18, but no more than 460/(−ln z) steps past the mean, where the pmf would reach 1e-200
/// (it must not underflow to 0 before the downward walk reaches the bulk).
inline double cnbd_expected_given_alive(const cnbd_shape& p, double t, double x, double t_x,
                                        double T, const char* fn) {
    if (t == 0) return 0;  // an empty interval: nothing to count (and z = 0)
    double lt[cnbd_k_max];
    const int k = p.k;
    const double A = p.r + k * x;
    const double ln_s2 = cnbd_ln_s2(A, k, T, t_x, p.alpha, lt);
    const double beta = p.b + x + p.m;
    const double z = t / (p.alpha + T + t), zc = (p.alpha + T) / (p.alpha + T + t);
    const double lz = std::log(z), lzc = std::log(zc);
    double total = 0;
    for (int j = 0; j < k; ++j) {
        const double wj = std::exp(lt[j] - ln_s2);
        if (wj == 0) continue;
        const double s = A + j;
        const double mean = s * z / zc, sd = std::sqrt(s * z) / zc;
        const double M_hi = mean + std::min(12 * sd + 30 + 41.5 / -lz, 460 / -lz);
        if (!(M_hi < cnbd_series_max_steps))
            fail(status::no_convergence, fn,
                 "the expectation series would need more than 1e7 terms (horizon t = " +
                     format_value(t) + ", alpha + T = " + format_value(p.alpha + T) +
                     ", r + kx = " + format_value(A) + ")");
        const double n_top = std::max(1.0, std::ceil((M_hi + j) / k));
        double M = n_top * k - j;
        // pmf(M) in log space; the tail from M on as the geometric series of its ratio
        // z(s+M)/(M+1) < 1 (M is past the mean): exact to leading order, and ≲ 1e-18 of the sum
        // (an ibeta here would cost ~20 µs for large M).
        const double pmf_top = std::exp(std::lgamma(s + M) - std::lgamma(s) - std::lgamma(M + 1) +
                                        M * lz + s * lzc);
        const double ratio = z * (s + M) / (M + 1);
        double tail = ratio < 1 ? pmf_top / (1 - ratio) : pmf_top;
        double pmf = pmf_top * M / (z * (s + M - 1));  // pmf(M − 1)
        double rho = std::exp(std::lgamma(beta + n_top - 1) - std::lgamma(p.a + beta + n_top - 1) +
                              std::lgamma(p.a + beta) - std::lgamma(beta));
        double sum = rho * tail;
        for (double n = n_top - 1; n >= 1; n -= 1) {
            for (int step = 0; step < k; ++step) {
                tail += pmf;  // I_z(M − 1)
                M -= 1;
                pmf *= M / (z * (s + M - 1));  // pmf(M − 1) for the new M
            }
            rho *= (p.a + beta + n - 1) / (beta + n - 1);
            sum += rho * tail;
        }
        total += wj * sum;
    }
    return total;
}

inline double cnbd_conditional_expected(const cnbd_shape& p, double t, double x, double t_x,
                                        double T, const char* fn) {
    const double alive = cnbd_probability_alive(p, x, t_x, T);
    if (alive == 0) return 0;
    const double v = alive * cnbd_expected_given_alive(p, t, x, t_x, T, fn);
    if (!std::isfinite(v))
        fail(status::no_convergence, fn,
             "E[purchases] is not finite at t = " + format_value(t) + " (x = " + format_value(x) +
                 ", T = " + format_value(T) + ")");
    return v;
}

/// One simulated customer of age T: λ ~ Gamma(r, α), p ~ Beta(a, b); the number J of purchases
/// until dropout as for BG/NBD (J − 1 + m ~ Geometric(p)); inter-purchase times Gamma(k, λ),
/// drawn one by one until T or the J-th purchase. Draws O(min(J, λT/k)) gammas.
inline simulated_customer cnbd_simulate(const cnbd_shape& p, double T, random_engine& g,
                                        const char* fn) {
    validate_cnbd_shape(fn, p);
    require_nonnegative(fn, "T", T);
    const double lambda = std::exp(g.log_gamma(p.r) - std::log(p.alpha));
    double log_p, log_q;
    g.log_beta(p.a, p.b, log_p, log_q);
    const double J = g.geometric(log_q) + (p.m == 0 ? 1 : 0);
    require_simulated_finite(fn, "purchase rate", lambda);
    if (lambda * T / p.k > 1e8)
        fail(status::domain_error, fn,
             "the simulated customer would make more than 1e8 purchases (rate " +
                 format_value(lambda) + ", T = " + format_value(T) + ")");
    simulated_customer c;
    if (J == 0) {  // MBG: dropped out at time 0
        c.alive = false;
        return c;
    }
    double now = 0;
    for (;;) {
        now += std::exp(g.log_gamma(p.k)) / lambda;
        if (!(now <= T)) return c;
        c.frequency += 1;
        c.recency = now;
        if (c.frequency >= J) {
            c.alive = false;
            return c;
        }
    }
}

}  // namespace ltv::detail
