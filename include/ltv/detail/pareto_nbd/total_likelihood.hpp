// SPDX-License-Identifier: Apache-2.0
// ltv/detail/pareto_nbd/total_likelihood.hpp — Σ w log L over prepared rows with its gradient,
// the objective of a fit: rows grouped by x (ltv/detail/bg_family/prepare.hpp), ₂F₁ from the
// per-x polynomials, compensated sums.
//
// Part of ltv/pareto_nbd.hpp, which includes it after defining pareto_nbd_params (used here):
// include ltv/pareto_nbd.hpp, not this file.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include <boost/math/special_functions/digamma.hpp>

#include "ltv/detail/bg_family/prepare.hpp"
#include "ltv/detail/pareto_nbd/polynomial.hpp"
#include "ltv/detail/pareto_nbd/series.hpp"
#include "ltv/detail/special.hpp"

namespace ltv::detail {

/// Prepared rows (grouped by x, duplicates merged: bg_prepare) plus, per group, the smallest
/// t_x and the smallest positive T, which bound z and so fix the polynomial degrees (rows with
/// T = 0 add exactly 0 and never evaluate a polynomial: pnbd_total_impl; counting them would
/// raise the x = 0 group's bound to |α−β|/max(α, β), and its degree, for nothing).
struct pnbd_prepared {
    bg_prepared rows;
    std::vector<double> tx_min, T_min;
};

inline pnbd_prepared pnbd_prepare(bg_prepared rows) {
    pnbd_prepared out;
    out.rows = std::move(rows);
    const bg_prepared& d = out.rows;
    for (std::size_t g = 0; g < d.xs.size(); ++g) {
        double tmin = std::numeric_limits<double>::infinity(), Tmin = tmin;
        for (std::size_t i = d.start[g]; i < d.start[g + 1]; ++i) {
            tmin = std::min(tmin, d.tx[i]);
            if (d.T[i] > 0) Tmin = std::min(Tmin, d.T[i]);
        }
        out.tx_min.push_back(tmin);
        out.T_min.push_back(Tmin);
    }
    return out;
}

/// Neumaier's compensated sum. The fits' objective is a sum over up to millions of rows; plain
/// accumulation leaves ~√n ulp(Σ) of noise (≈1e−13 relative at 1e5 rows), which near the optimum
/// exceeds the decrease a line search must verify (≈ |∇f|²/λ ≈ 1e−14 at the 1e−8 gradient
/// tolerance) and stalls BFGS. Added once per block of rows, so it costs little.
struct pnbd_ksum {
    double s = 0, c = 0;
    void add(double v) {
        const double t = s + v;
        c += std::abs(s) >= std::abs(v) ? (s - t) + v : (v - t) + s;
        s = t;
    }
    double value() const { return s + c; }
};

/// Scratch space of pnbd_total (two polynomials, ~2 KB each: kept off the stack of callers).
struct pnbd_work {
    pnbd_poly A, G;
};

/// Σ w log L over prepared rows and, with grad, its gradient w.r.t. (log r, log α, log s, log β):
/// pnbd_evaluate's formulas (ltv/pareto_nbd.hpp's header comment), rearranged per x group:
///  - lnΓ(r+x), ψ(r+x), ln R and the ₂F₁ coefficients once per group;
///  - a₁ + a₂ summed directly when e^D cannot overflow (D < 500: a₂ ≤ s·F·e^500 with
///    F ≤ 1/(1−z) ≤ max(α,β)/min(α,β) stays far below the double range), so one exp and one log
///    replace the log-sum-exp's two exps, one log and ln F_A, ln F_G; otherwise log-space as
///    before (very large x or T ≫ t_x);
///  - rows with t_x = 0 take ln(α+T) = ln α + ln(1 + T/α) (the log1p is needed for D anyway).
template <bool Grad>
double pnbd_total_impl(const pareto_nbd_params& p, const pnbd_prepared& pd, double* grad,
                       pnbd_work& work) {
    const bg_prepared& d = pd.rows;
    const double r = p.r, a = p.alpha, s = p.s, b = p.beta;
    const bool ab = a >= b;  // which parameter the series expands around (ltv/pareto_nbd.hpp)
    const double diff = std::abs(a - b), m = ab ? a : b, mn = ab ? b : a;
    const double lna = std::log(a), lnb = std::log(b), lns = std::log(s), inv_s = 1 / s;
    const double lg_r = detail::log_gamma(r), dg_r = Grad ? boost::math::digamma(r) : 0.0;
    pnbd_ksum ll, G0, G1, G2, G3;
    pnbd_poly& PA = work.A;
    pnbd_poly& PG = work.G;
    constexpr std::size_t B = pnbd_block;
    for (std::size_t g = 0; g < d.xs.size(); ++g) {
        const double x = d.xs[g], rx = r + x, R = rx + s, c = R + 1;
        const double bA = ab ? rx + 1 : s, bG = ab ? rx : s + 1;
        pnbd_poly_build(PA, bA, c, diff / (m + pd.T_min[g]), Grad);
        pnbd_poly_build(PG, bG, c, diff / (m + pd.tx_min[g]), Grad);
        const double lnR = std::log(R), lnrx = std::log(rx), inv_rx = 1 / rx, inv_R = 1 / R;
        const double C0 = detail::log_gamma(rx) - lg_r + r * lna + s * lnb - lnR;
        const double dg = Grad ? boost::math::digamma(rx) - dg_r - inv_R : 0.0;
        for (std::size_t i0 = d.start[g]; i0 < d.start[g + 1]; i0 += B) {
            const std::size_t nb = std::min(B, d.start[g + 1] - i0);
            const double* Tv = d.T.data() + i0;
            const double* tv = d.tx.data() + i0;
            // Vectorisable part: z and reciprocals (padding rows get T = t_x = 0).
            double zT[B], zx[B], iaT[B], ibT[B], iat[B], ibt[B];
            for (std::size_t j = 0; j < B; ++j) {
                const double T = j < nb ? Tv[j] : 0.0, tx = j < nb ? tv[j] : 0.0;
                iaT[j] = 1 / (a + T);
                ibT[j] = 1 / (b + T);
                iat[j] = 1 / (a + tx);
                ibt[j] = 1 / (b + tx);
                zT[j] = diff * (ab ? iaT[j] : ibT[j]);
                zx[j] = diff * (ab ? iat[j] : ibt[j]);
            }
            double FA[B], FAb[B], FAc[B], FAz[B], FG[B], FGb[B], FGc[B], FGz[B];
            pnbd_poly_eval<Grad>(PA, zT, FA, FAb, FAc, FAz);
            pnbd_poly_eval<Grad>(PG, zx, FG, FGb, FGc, FGz);
            double bl = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;  // this block's sums
            for (std::size_t j = 0; j < nb; ++j) {
                const double T = Tv[j], tx = tv[j], w = d.w[i0 + j];
                if (T == 0) continue;  // log L = 0, gradient 0 exactly (see pnbd_evaluate)
                const double aT = a + T, bT = b + T, at = a + tx, bt = b + tx;
                // z beyond the polynomial's range: the adaptive series / Euler integral.
                pnbd_f fa{FA[j], FAb[j], FAc[j], FAz[j]}, fg{FG[j], FGb[j], FGc[j], FGz[j]};
                if (zT[j] > PA.zmax)
                    fa = pnbd_hyp(bA, c, ab ? s : rx + 1, diff / (ab ? aT : bT),
                                  (mn + T) / diff, Grad);
                if (zx[j] > PG.zmax)
                    fg = pnbd_hyp(bG, c, ab ? s + 1 : rx, diff / (ab ? at : bt),
                                  (mn + tx) / diff, Grad);
                const double dT = T - tx;
                const double lA = std::log1p(dT * iat[j]), lB = std::log1p(dT * ibt[j]);
                // t_x = 0: α + t_x = α, so ln(α+T) = ln α + ln(1 + T/α) without another log.
                const double laT = tx == 0 ? lna + lA : std::log(aT);
                const double lbT = tx == 0 ? lnb + lB : std::log(bT);
                const double D = rx * lA + s * lB;
                const double rho = ab ? bT * iaT[j] : 1.0, sig = ab ? 1.0 : at * ibt[j];
                double lse, w1, w2;
                if (D < 500) {  // a₁ + a₂ in linear space (see above)
                    const double a1 = rx * rho * fa.F, a2 = s * sig * fg.F * std::exp(D);
                    const double sum = a1 + a2, isum = 1 / sum;
                    lse = std::log(sum);
                    w1 = a1 * isum;
                    w2 = a2 * isum;
                } else {  // e^D may overflow: log-sum-exp
                    const double l1 = lnrx + std::log(rho) + std::log(fa.F);
                    const double l2 = lns + std::log(sig) + std::log(fg.F) + D;
                    const double mx = std::max(l1, l2);
                    const double e1 = std::exp(l1 - mx), e2 = std::exp(l2 - mx);
                    lse = mx + std::log(e1 + e2);
                    w1 = e1 / (e1 + e2);
                    w2 = e2 / (e1 + e2);
                }
                bl += w * (C0 - rx * laT - s * lbT + lse);
                if (Grad) {
                    // ∂z/∂α, ∂z/∂β at T and at t_x.
                    double zTa, zTb, zxa, zxb;
                    if (ab) {
                        zTa = bT * iaT[j] * iaT[j], zTb = -iaT[j];
                        zxa = bt * iat[j] * iat[j], zxb = -iat[j];
                    } else {
                        zTa = -ibT[j], zTb = aT * ibT[j] * ibT[j];
                        zxa = -ibt[j], zxb = at * ibt[j] * ibt[j];
                    }
                    const double iA = 1 / fa.F, iG = 1 / fg.F;
                    // ∂ ln F/∂θ: b depends on r (α ≥ β) or s (α < β); c = r+s+x+1.
                    const double fA_r = (fa.Fc + (ab ? fa.Fb : 0)) * iA;
                    const double fA_s = (fa.Fc + (ab ? 0 : fa.Fb)) * iA;
                    const double fG_r = (fg.Fc + (ab ? fg.Fb : 0)) * iG;
                    const double fG_s = (fg.Fc + (ab ? 0 : fg.Fb)) * iG;
                    const double fA_a = fa.Fz * zTa * iA, fA_b = fa.Fz * zTb * iA;
                    const double fG_a = fg.Fz * zxa * iG, fG_b = fg.Fz * zxb * iG;
                    const double rho_a = ab ? -iaT[j] : 0, rho_b = ab ? ibT[j] : 0;
                    const double sig_a = ab ? 0 : iat[j], sig_b = ab ? 0 : -ibt[j];
                    const double D_a = rx * (iaT[j] - iat[j]), D_b = s * (ibT[j] - ibt[j]);
                    const double g_r = w1 * (inv_rx + fA_r) + w2 * (fG_r + lA);
                    const double g_a = w1 * (rho_a + fA_a) + w2 * (sig_a + fG_a + D_a);
                    const double g_s = w1 * fA_s + w2 * (inv_s + fG_s + lB);
                    const double g_b = w1 * (rho_b + fA_b) + w2 * (sig_b + fG_b + D_b);
                    b0 += w * (dg + lna - laT + g_r);
                    b1 += w * (r / a - rx * iaT[j] + g_a);
                    b2 += w * (lnb - lbT - inv_R + g_s);
                    b3 += w * (s / b - s * ibT[j] + g_b);
                }
            }
            ll.add(bl);
            if (Grad) {
                G0.add(b0);
                G1.add(b1);
                G2.add(b2);
                G3.add(b3);
            }
        }
    }
    if (Grad) {
        grad[0] = G0.value() * r;
        grad[1] = G1.value() * a;
        grad[2] = G2.value() * s;
        grad[3] = G3.value() * b;
    }
    return ll.value();
}

inline double pnbd_total(const pareto_nbd_params& p, const pnbd_prepared& d, double* grad,
                         pnbd_work& work) {
    return grad ? pnbd_total_impl<true>(p, d, grad, work)
                : pnbd_total_impl<false>(p, d, nullptr, work);
}

}  // namespace ltv::detail
