// ltv/detail/bg_family.hpp — the numerical engine shared by BG/NBD and MBG/NBD.
//
// Both models: while active a customer buys as a Poisson process with rate λ ~ Gamma(r, α);
// a coin with dropout probability p ~ Beta(a, b) is tossed after every repeat purchase
// (BG/NBD, Fader, Hardie & Lee 2005) and, for MBG/NBD (Batislam, Denizel & Filiztekin 2007),
// also at time 0. With m = 0 (BG) or m = 1 (MBG), the likelihood of (x, t_x, T) is
//   L = Γ(r+x)/Γ(r) · α^r · B(a, b+x+m)/B(a, b) · [ (α+T)^−(r+x)
//         + δ · a/(b+x+m−1) · (α+t_x)^−(r+x) ],             δ = 1 unless m = 0 and x = 0,
// so that, with D = log(a/(b+x+m−1)) + (r+x)·log((α+T)/(α+t_x)),
//   log L = K_x + r log α − (r+x) log(α+T) + δ·log(1 + e^D),
//   K_x = lnΓ(r+x) − lnΓ(r) + lnΓ(b+x+m) − lnΓ(b) − lnΓ(a+b+x+m) + lnΓ(a+b).
// log(1 + e^D) is evaluated as a log-sum-exp (never exponentiating a large D), which keeps
// x = 10 000 finite where the product form under/overflows (Hardie's "#NUM!" note).
// P(alive | x, t_x, T) = 1/(1 + δ e^D).
// Given alive at T, p ~ Beta(a, b+x+m) and λ ~ Gamma(r+x, α+T); a customer with (λ, p) makes
// (1 − e^{−λpt})/p purchases in expectation over the next t, hence
//   E[Y(t) | x, t_x, T] = P(alive) · tail(r+x, a, b+x+m, t/(α+T)),
//   tail(A, a, β, s) = E_{p~Beta(a,β)}[(1 − (1+ps)^−A)/p]
//                    = (a+β−1)/(a−1) · [1 − ₂F₁(A, a−1; a+β−1; −s)]        (Euler integral)
// which is FHL's (a+b+x−1)/(a−1)·[1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)] after
// Pfaff's transformation. The form (1 − F)/(a−1) is 0/0 at a = 1; tail() never divides by a−1
// where that loses digits (see its comment).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>

#include "ltv/detail/optimize.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/hyp2f1.hpp"
#include "ltv/rfm_data.hpp"

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
    using std::lgamma;
    bg_x_terms t;
    const double bx = p.b + x + p.m, abx = p.a + bx;
    t.K = lgamma(p.r + x) - lgamma(p.r) + lgamma(bx) - lgamma(p.b) - lgamma(abx) +
          lgamma(p.a + p.b);
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

/// Log-likelihood of one customer.
inline double bg_log_likelihood(const bg_shape& p, double x, double t_x, double T) {
    const bg_x_terms k = bg_terms(p, x, false);
    const double lT = std::log(p.alpha + T);
    double ll = k.K + p.r * std::log(p.alpha) - (p.r + x) * lT;
    if (k.second) {
        double sigma;
        ll += softplus(k.c + (p.r + x) * (lT - std::log(p.alpha + t_x)), sigma);
    }
    return ll;
}

/// P(alive | x, t_x, T) = 1/(1 + δ e^D) = σ(−D), computed without overflow.
inline double bg_probability_alive(const bg_shape& p, double x, double t_x, double T) {
    if (p.m == 0 && x == 0) return 1;  // BG/NBD: nobody drops out before the first repurchase
    const double D = std::log(p.a) - std::log(p.b + x + p.m - 1) +
                     (p.r + x) * (std::log(p.alpha + T) - std::log(p.alpha + t_x));
    if (D > 0) {
        const double e = std::exp(-D);
        return e / (1 + e);
    }
    return 1 / (1 + std::exp(D));
}

// ---- tail(A, a, β, s) = E_{p~Beta(a,β)}[(1 − (1+ps)^−A)/p] ---------------------------------

/// (i) Taylor series in s (|s| < 1): Σₙ≥₁ (−1)ⁿ⁺¹ (A)ₙ (a)ₙ₋₁ sⁿ / (n! (a+β)ₙ₋₁), from
/// E[pⁿ⁻¹] = (a)ₙ₋₁/(a+β)ₙ₋₁. No division by a−1, so a = 1 is an ordinary point.
inline double bg_tail_series_s(double A, double a, double beta, double s, bool& ok) {
    double term = A * s, sum = term, biggest = std::abs(term);
    ok = false;
    for (int n = 1; n < 2000; ++n) {
        const double dn = n;
        term *= -s * (A + dn) * (a + dn - 1) / ((dn + 1) * (a + beta + dn - 1));
        sum += term;
        biggest = std::max(biggest, std::abs(term));
        // Terms alternate and eventually shrink like sⁿ·n^(a−β−1)·…; stop at rounding level
        // once the ratio is below 1 (it tends to s < 1 from here on for moderate A).
        if (std::abs(term) <= 1e-17 * std::abs(sum) && dn > A * s) {
            ok = true;
            break;
        }
    }
    // Large alternating terms cancel: more than 3 lost digits sends the caller elsewhere.
    if (!(biggest <= 1e3 * std::abs(sum))) ok = false;
    return sum;
}

/// (ii) Pfaff form: with z = s/(1+s), ε = a−1, b' = a+β−1−A, c' = a+β−1 and
/// ₂F₁(ε, b'; c'; z) = 1 + ε S, S = Σₙ≥₁ (ε+1)ₙ₋₁ (b')ₙ / ((c')ₙ n!) zⁿ,
///   tail = c'·(1 − (1−z)^ε ₂F₁)/ε = c'·(−expm1(εL)/ε) − e^{εL}·c'S,   L = log(1−z),
/// regular at ε = 0 (−expm1(εL)/ε → −L). c'S is summed directly (its first term is b'z), so
/// c' = a+β−1 ∈ (−1, 0] is harmless. Converges quickly when c' is large (many purchases) or z
/// is moderate; ok = false when 600 terms were not enough.
inline double bg_tail_series_z(double A, double a, double beta, double s, bool& ok) {
    const double z = s / (1 + s), L = -std::log1p(s), eps = a - 1;
    const double bp = a + beta - 1 - A, cp = a + beta - 1;
    double term = bp * z, sum = term, biggest = std::abs(term);
    ok = term == 0;
    for (int n = 1; n < 600 && !ok; ++n) {
        const double dn = n;
        const double ratio = (eps + dn) * (bp + dn) * z / ((cp + dn) * (dn + 1));
        term *= ratio;
        sum += term;
        biggest = std::max(biggest, std::abs(term));
        if (term == 0 || (std::abs(ratio) < 1 && dn > std::abs(bp) &&
                          std::abs(term) <= 1e-17 * (1 - std::abs(ratio)) * std::abs(sum)))
            ok = true;
    }
    const double first = eps == 0 ? -L : -std::expm1(eps * L) / eps;
    const double result = cp * first - std::exp(eps * L) * sum;
    if (!(biggest <= 1e3 * std::max(std::abs(result), 1e-300))) ok = false;
    return result;
}

/// (iii) DLMF 15.8.4 for ₂F₁(ε, b'; c'; z) (ltv::hyp2f1's 1−z branch), for moderate
/// parameters with z close to 1 where (ii) converges slowly. Needs |ε| not tiny.
inline double bg_tail_connection(double A, double a, double beta, double s) {
    const double z = s / (1 + s), L = -std::log1p(s), eps = a - 1;
    const double F = hyp2f1_one_minus_z(eps, a + beta - 1 - A, a + beta - 1, z);
    return (a + beta - 1) * (1 - std::exp(eps * L) * F) / eps;
}

/// (iv) Quadrature of the defining integral, the fallback for extreme parameters. With
/// h(p) = (1 − (1+ps)^−A)/p, h₀ = A s, h₁ = 1 − (1+s)^−A and R(p) = h(p) − h₀ − (h₁−h₀)p,
///   tail = h₀ + (h₁ − h₀)·a/(a+β) + ∫₀¹ Beta(p; a, β) R(p) dp.
/// R vanishes at both ends, which removes the endpoint singularities of the Beta density
/// (a or β < 1) from the integral; tanh-sinh handles what remains.
inline double bg_tail_quadrature(double A, double a, double beta, double s) {
    const double h0 = A * s, h1 = -std::expm1(-A * std::log1p(s));
    const double log_beta = std::lgamma(a) + std::lgamma(beta) - std::lgamma(a + beta);
    auto integrand = [&](double x, double xc) {
        // Boost passes xc = distance to the nearer end: −x near 0, 1 − x near 1.
        const double p = x, q = x < 0.5 ? 1 - x : xc;
        if (p <= 0 || q <= 0) return 0.0;
        const double h = -std::expm1(-A * std::log1p(p * s)) / p;
        const double R = h - h0 - (h1 - h0) * p;
        const double log_pdf = (a - 1) * std::log(p) + (beta - 1) * std::log(q) - log_beta;
        const double v = std::exp(log_pdf) * R;
        return std::isfinite(v) ? v : 0.0;
    };
    boost::math::quadrature::tanh_sinh<double> integrator(12);
    double integral = 0;
    try {
        integral = integrator.integrate(integrand, 0.0, 1.0, 1e-12);
    } catch (const std::exception&) {
        integral = 0;  // cannot happen for a finite integrand; keep the closed-form part
    }
    return h0 + (h1 - h0) * a / (a + beta) + integral;
}

/// tail(A, a, β, s): the branch order is cheapest-first; each reports whether it can be
/// trusted (converged, no severe cancellation) before the next is tried.
inline double bg_tail(double A, double a, double beta, double s) {
    if (s == 0) return 0;
    double v = std::numeric_limits<double>::quiet_NaN();
    bool ok = false;
    if (s <= 0.5) v = bg_tail_series_s(A, a, beta, s, ok);
    if (!ok) v = bg_tail_series_z(A, a, beta, s, ok);
    // (iii) divides by ε = a − 1 after a subtraction: fine for |ε| ≥ 1e-3 (≤ 3 digits lost);
    // closer to a = 1, and for parameters large enough to strain the connection formula's
    // series, the quadrature is used instead.
    if (!ok && std::abs(a - 1) >= 1e-3 && std::abs(A) + beta < 200) {
        v = bg_tail_connection(A, a, beta, s);
        ok = std::isfinite(v);
    }
    if (!ok) v = bg_tail_quadrature(A, a, beta, s);
    // 0 ≤ h(p) ≤ A·s pointwise, so the same holds for the mean: clamp rounding excursions.
    return std::min(std::max(v, 0.0), A * s);
}

inline double bg_conditional_expected(const bg_shape& p, double t, double x, double t_x,
                                      double T) {
    const double alive = bg_probability_alive(p, x, t_x, T);
    return alive * bg_tail(p.r + x, p.a, p.b + x + p.m, t / (p.alpha + T));
}

/// E[X(t)] of a customer who made the first purchase at 0: BG: tail(r, a, b, t/α); MBG: the
/// customer may drop out at 0 (probability p), so E[(1−p)h(p)] = b/(a+b) · tail(r, a, b+1, t/α).
inline double bg_expected(const bg_shape& p, double t) {
    if (p.m == 0) return bg_tail(p.r, p.a, p.b, t / p.alpha);
    return p.b / (p.a + p.b) * bg_tail(p.r, p.a, p.b + 1, t / p.alpha);
}

/// P(X(t) = n) for a new customer. Given (λ, p), with N ~ Poisson(λt):
///   BG:  (1−p)ⁿ P(N = n) + [n>0] p(1−p)ⁿ⁻¹ P(N ≥ n)        (FHL 2005, eq. 8)
///   MBG: (1−p)ⁿ⁺¹ P(N = n) + p(1−p)ⁿ P(N ≥ n)               (P(N ≥ 0) = 1)
/// Mixing: E[(1−p)^k] and E[p(1−p)^k] are beta ratios; λ ~ Gamma(r, α) turns P(N = n) into
/// the negative binomial pmf and P(N ≥ n) into the regularised incomplete beta I_q(n, r) with
/// q = t/(α+t) — evaluated by Boost's ibeta, no 1 − Σ cancellation.
inline double bg_probability_of_purchases(const bg_shape& p, double t, double n) {
    using std::lgamma;
    const double lbab = lgamma(p.a) + lgamma(p.b) - lgamma(p.a + p.b);
    auto log_beta = [](double u, double v) { return lgamma(u) + lgamma(v) - lgamma(u + v); };
    const double log_nb = lgamma(p.r + n) - lgamma(p.r) - lgamma(n + 1) -
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
    return std::min(1.0, first + second);
}

// ---- data preparation and the total log-likelihood with gradient --------------------------

/// Rows grouped by x (and, optionally, identical rows merged): the x-only terms are then
/// computed once per distinct x per evaluation, and the hot loop touches contiguous arrays.
struct bg_prepared {
    std::vector<double> xs;           // distinct x, ascending
    std::vector<double> wx;           // total weight of each x
    std::vector<std::size_t> start;   // rows of xs[g] are [start[g], start[g+1])
    std::vector<double> tx, T, w;
    double total_weight = 0;
};

inline bg_prepared bg_prepare(const rfm_data& d, bool compress) {
    bg_prepared out;
    const std::size_t n = d.size();
    auto weight = [&](std::size_t i) { return d.weights.empty() ? 1.0 : d.weights[i]; };
    // Group by x: x is a validated non-negative integer, so a counting sort works when the
    // largest x is not absurdly larger than the number of rows; otherwise sort the values.
    double xmax = 0;
    for (std::size_t i = 0; i < n; ++i) xmax = std::max(xmax, d.frequency[i]);
    std::vector<std::size_t> order(n);
    if (xmax <= 4.0 * static_cast<double>(n) + 1024) {
        const std::size_t k = static_cast<std::size_t>(xmax) + 2;
        std::vector<std::size_t> count(k, 0);
        for (std::size_t i = 0; i < n; ++i) ++count[static_cast<std::size_t>(d.frequency[i]) + 1];
        for (std::size_t j = 1; j < k; ++j) count[j] += count[j - 1];
        for (std::size_t i = 0; i < n; ++i)
            order[count[static_cast<std::size_t>(d.frequency[i])]++] = i;
    } else {
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t u, std::size_t v) {
            return d.frequency[u] < d.frequency[v];
        });
    }
    out.tx.reserve(n);
    out.T.reserve(n);
    out.w.reserve(n);
    std::vector<std::size_t> group;
    for (std::size_t i = 0; i < n;) {
        const double x = d.frequency[order[i]];
        std::size_t j = i;
        while (j < n && d.frequency[order[j]] == x) ++j;
        group.assign(order.begin() + static_cast<std::ptrdiff_t>(i),
                     order.begin() + static_cast<std::ptrdiff_t>(j));
        if (compress)  // identical (t_x, T) become adjacent and are merged below
            std::sort(group.begin(), group.end(), [&](std::size_t u, std::size_t v) {
                return d.age[u] < d.age[v] || (d.age[u] == d.age[v] && d.recency[u] < d.recency[v]);
            });
        const std::size_t first = out.tx.size();
        double wsum = 0;
        for (std::size_t u : group) {
            const double wu = weight(u);
            if (wu == 0) continue;  // a zero-weight row contributes nothing
            wsum += wu;
            if (compress && out.tx.size() > first && out.T.back() == d.age[u] &&
                out.tx.back() == d.recency[u]) {
                out.w.back() += wu;
                continue;
            }
            out.tx.push_back(d.recency[u]);
            out.T.push_back(d.age[u]);
            out.w.push_back(wu);
        }
        if (out.tx.size() > first) {
            out.xs.push_back(x);
            out.wx.push_back(wsum);
            out.start.push_back(first);
            out.total_weight += wsum;
        }
        i = j;
    }
    out.start.push_back(out.tx.size());
    return out;
}

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

/// Maximum-likelihood fit over log-parameters; see fit_options for the objective.
inline bg_shape bg_fit(const char* fn, const rfm_data& data, const fit_options& opt, int m,
                       fit_report& report) {
    validate_rfm(fn, data);
    require_nonnegative(fn, "penalizer", opt.penalizer);
    const bg_prepared d = bg_prepare(data, true);
    if (!(d.total_weight > 0))
        fail(status::invalid_argument, fn, "the data have no rows with positive weight");
    const double W = d.total_weight, lambda = opt.penalizer;
    auto objective = [&](const double* theta, double* grad) {
        const bg_shape p{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]),
                         std::exp(theta[3]), m};
        double g[4];
        const double ll = bg_total_log_likelihood(p, d, g);
        const double phi[4] = {p.r, p.alpha, p.a, p.b};
        double value = -ll / W;
        for (int i = 0; i < 4; ++i) {
            value += lambda * phi[i] * phi[i];
            grad[i] = -g[i] / W + 2 * lambda * phi[i] * phi[i];
        }
        return value;
    };
    // Starts: the caller's, then a data-driven one (r = 1 and α matching the mean purchase
    // rate Σx/ΣT, a = 1, b = 3: P(drop after a purchase) ≈ 0.25), then lifetimes' all-ones.
    double sx = 0, sT = 0;
    for (std::size_t g = 0; g < d.xs.size(); ++g)
        for (std::size_t i = d.start[g]; i < d.start[g + 1]; ++i) {
            sx += d.w[i] * d.xs[g];
            sT += d.w[i] * d.T[i];
        }
    const double alpha0 = sx > 0 ? sT / sx : sT / W;
    std::vector<std::vector<double>> starts;
    if (!opt.initial.empty()) {
        if (opt.initial.size() != 4)
            fail(status::invalid_argument, fn,
                 "argument 'initial' must hold 4 values (r, alpha, a, b), not " +
                     std::to_string(opt.initial.size()));
        static const char* names[4] = {"initial[0] (r)", "initial[1] (alpha)",
                                       "initial[2] (a)", "initial[3] (b)"};
        std::vector<double> s(4);
        for (int i = 0; i < 4; ++i) {
            require_positive(fn, names[i], opt.initial[static_cast<std::size_t>(i)]);
            s[static_cast<std::size_t>(i)] = std::log(opt.initial[static_cast<std::size_t>(i)]);
        }
        starts.push_back(s);
    }
    starts.push_back({0.0, std::log(alpha0), 0.0, std::log(3.0)});
    starts.push_back({0.0, 0.0, 0.0, 0.0});
    starts.push_back({std::log(0.3), std::log(alpha0), std::log(0.5), std::log(1.5)});
    minimize_options mo;
    mo.max_iterations = opt.max_iterations;
    mo.gradient_tolerance = opt.gradient_tolerance;
    const minimize_result res = minimize_multistart(objective, starts, mo);
    const bg_shape best{std::exp(res.x[0]), std::exp(res.x[1]), std::exp(res.x[2]),
                        std::exp(res.x[3]), m};
    report = fit_report{};
    report.convergence = res.info;
    report.penalizer = lambda;
    report.total_weight = W;
    report.rows_used = d.tx.size();
    report.objective = res.value;
    report.log_likelihood = bg_total_log_likelihood(best, d, nullptr);
    const std::vector<const char*> names{"r", "alpha", "a", "b"};
    if (opt.standard_errors && res.info.converged) {
        auto grad = [&](const double* theta, double* g) { objective(theta, g); };
        fill_standard_errors(report, grad, res.x, names, W);
    } else {
        for (std::size_t i = 0; i < 4; ++i)
            report.parameters.push_back({names[i], std::exp(res.x[i]),
                                         std::numeric_limits<double>::quiet_NaN()});
    }
    if (!res.info.converged && !opt.allow_no_convergence)
        fail(status::no_convergence, fn,
             res.info.message + " (last point: r = " + format_value(best.r) + ", alpha = " +
                 format_value(best.alpha) + ", a = " + format_value(best.a) + ", b = " +
                 format_value(best.b) + ")");
    return best;
}

}  // namespace ltv::detail
