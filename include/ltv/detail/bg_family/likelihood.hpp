// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family/likelihood.hpp — the BG family's parameters (bg_shape), the log-likelihood
// of one customer with its x-only terms, P(alive), and the total log-likelihood with gradient
// over prepared rows (what a fit evaluates). The formulas: ltv/detail/bg_family.hpp.
#pragma once

#include <cmath>
#include <cstddef>

#include <boost/math/special_functions/digamma.hpp>

#include "ltv/detail/bg_family/prepare.hpp"
#include "ltv/detail/special.hpp"
#include "ltv/detail/validate.hpp"

namespace ltv::detail {

/// Parameters plus the variant: m = 0 BG/NBD, m = 1 MBG/NBD.
struct bg_shape {
    double r, alpha, a, b;
    int m;
};

inline void validate_bg_shape(const char* fn, const bg_shape& p) {
    require_positive(fn, "r", p.r);
    require_positive(fn, "alpha", p.alpha);
    require_positive(fn, "a", p.a);
    require_positive(fn, "b", p.b);
}

/// log(1 + e^D) and σ(D) = e^D/(1 + e^D) without overflow for any D.
inline double softplus(double D, double& sigma) {
    if (D > 0) {
        const double e = std::exp(-D);
        sigma = 1 / (1 + e);
        return D + std::log1p(e);
    }
    const double e = std::exp(D);
    sigma = e / (1 + e);
    return std::log1p(e);
}

/// Terms of log L that depend on x only (plus their parameter derivatives).
struct bg_x_terms {
    double K = 0, c = 0;              // K_x and c_x = log(a/(b+x+m−1))
    double dKr = 0, dKa = 0, dKb = 0;  // ∂K_x/∂r, ∂K_x/∂a, ∂K_x/∂b
    double dcb = 0;                   // ∂c_x/∂b
    bool second = false;              // δ: the "dropped out after the last purchase" term
};

inline bg_x_terms bg_terms(const bg_shape& p, double x, bool gradient) {
    bg_x_terms t;
    const double bx = p.b + x + p.m, abx = p.a + bx;
    t.K = log_gamma(p.r + x) - log_gamma(p.r) + log_gamma(bx) - log_gamma(p.b) -
          log_gamma(abx) + log_gamma(p.a + p.b);
    t.second = p.m == 1 || x > 0;
    if (t.second) t.c = std::log(p.a) - std::log(bx - 1);
    if (gradient) {
        using boost::math::digamma;
        const double dab = digamma(p.a + p.b), dabx = digamma(abx);
        t.dKr = digamma(p.r + x) - digamma(p.r);
        t.dKa = dab - dabx;
        t.dKb = digamma(bx) - digamma(p.b) - dabx + dab;
        if (t.second) t.dcb = -1 / (bx - 1);
    }
    return t;
}

/// Log-likelihood of one customer given its x-only terms k = bg_terms(p, x, false).
inline double bg_log_likelihood_given(const bg_shape& p, const bg_x_terms& k, double x,
                                      double t_x, double T) {
    const double lT = std::log(p.alpha + T);
    double ll = k.K + p.r * std::log(p.alpha) - (p.r + x) * lT;
    if (k.second) {
        double sigma;
        ll += softplus(k.c + (p.r + x) * (lT - std::log(p.alpha + t_x)), sigma);
    }
    return ll;
}

/// Log-likelihood of one customer.
inline double bg_log_likelihood(const bg_shape& p, double x, double t_x, double T) {
    return bg_log_likelihood_given(p, bg_terms(p, x, false), x, t_x, T);
}

/// c_x = log(a/(b+x+m−1)), the x-only part of D (batches cache it per x; the scalar and the
/// cached paths use this one expression, hence identical bits).
inline double bg_alive_constant(const bg_shape& p, double x) {
    return std::log(p.a) - std::log(p.b + x + p.m - 1);
}

/// P(alive | x, t_x, T) = 1/(1 + δ e^D) = σ(−D) given c_x, computed without overflow. The log
/// ratio is one logarithm of the quotient (α+T)/(α+t_x) ≥ 1 rather than a difference of two:
/// half the cost, and the absolute error stays at the rounding level of a log near its
/// argument (≈ 1e-16 · (1 + log ratio)) instead of that of log(α+T) for large T.
inline double bg_probability_alive_given(const bg_shape& p, double c_x, double x, double t_x,
                                         double T) {
    const double D = c_x + (p.r + x) * std::log((p.alpha + T) / (p.alpha + t_x));
    // σ(−D) = e/(1+e) with e = e^−D for D > 0, 1/(1+e) with e = e^D otherwise: one exp of
    // −|D| ≤ 0 (never overflows) and a select instead of a hard-to-predict branch.
    const double e = std::exp(-std::abs(D));
    return D > 0 ? e / (1 + e) : 1 / (1 + e);
}

inline double bg_probability_alive(const bg_shape& p, double x, double t_x, double T) {
    if (p.m == 0 && x == 0) return 1;  // BG/NBD: nobody drops out before the first repurchase
    return bg_probability_alive_given(p, bg_alive_constant(p, x), x, t_x, T);
}

// ---- the total log-likelihood with gradient --------------------------------------------------

/// Σ w·log L over prepared rows; when grad is given, also ∂/∂(log r, log α, log a, log b).
inline double bg_total_log_likelihood(const bg_shape& p, const bg_prepared& d, double* grad) {
    const bool want_grad = grad != nullptr;
    const double log_alpha = std::log(p.alpha);
    double ll = 0, gr = 0, galpha = 0, ga = 0, gb = 0;
    for (std::size_t g = 0; g < d.xs.size(); ++g) {
        const double x = d.xs[g], rx = p.r + x;
        const bg_x_terms k = bg_terms(p, x, want_grad);
        const std::size_t lo = d.start[g], hi = d.start[g + 1];
        double s_lT = 0, s_inv_T = 0;                       // Σ w log(α+T), Σ w/(α+T)
        double s_sp = 0, s_sig = 0, s_sig_dl = 0, s_sig_dinv = 0;  // second-term sums
        if (k.second) {
            for (std::size_t i = lo; i < hi; ++i) {
                const double aT = p.alpha + d.T[i], at = p.alpha + d.tx[i];
                const double lT = std::log(aT), dl = lT - std::log(at);
                double sig;
                const double sp = softplus(k.c + rx * dl, sig);
                const double w = d.w[i];
                s_lT += w * lT;
                s_sp += w * sp;
                if (want_grad) {
                    const double ws = w * sig;
                    s_inv_T += w / aT;
                    s_sig += ws;
                    s_sig_dl += ws * dl;
                    s_sig_dinv += ws * (1 / aT - 1 / at);
                }
            }
        } else {
            for (std::size_t i = lo; i < hi; ++i) {
                const double aT = p.alpha + d.T[i];
                s_lT += d.w[i] * std::log(aT);
                if (want_grad) s_inv_T += d.w[i] / aT;
            }
        }
        const double W = d.wx[g];
        ll += W * (k.K + p.r * log_alpha) - rx * s_lT + s_sp;
        if (want_grad) {
            gr += W * (k.dKr + log_alpha) - s_lT + s_sig_dl;
            galpha += W * p.r / p.alpha - rx * s_inv_T + rx * s_sig_dinv;
            ga += W * k.dKa + s_sig / p.a;
            gb += W * k.dKb + s_sig * k.dcb;
        }
    }
    if (want_grad) {  // chain rule to log-parameters: ∂/∂log φ = φ ∂/∂φ
        grad[0] = gr * p.r;
        grad[1] = galpha * p.alpha;
        grad[2] = ga * p.a;
        grad[3] = gb * p.b;
    }
    return ll;
}

}  // namespace ltv::detail
