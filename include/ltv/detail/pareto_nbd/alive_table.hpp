// SPDX-License-Identifier: Apache-2.0
// ltv/detail/pareto_nbd/alive_table.hpp — P(alive) of batches (and, with the same arithmetic, of
// one customer) from per-x polynomial tables, and pnbd_batch, the batch loop of every per-customer
// Pareto/NBD function.
//
// Part of ltv/pareto_nbd.hpp, which includes it after defining pareto_nbd_params (used here):
// include ltv/pareto_nbd.hpp, not this file.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "ltv/detail/parallel.hpp"
#include "ltv/detail/pareto_nbd/polynomial.hpp"
#include "ltv/detail/pareto_nbd/series.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv::detail {

// ---- Fast paths: P(alive) for batches ---------------------------------------------------------
//
// The same polynomials (F only) per x, built once per call for x < pnbd_alive_table_x (rows
// with larger x build theirs on the fly). The degree depends only on (parameters, x): z ≤
// |α−β|/max(α, β) for every row, so that bound is used. Scalar calls build the one entry they
// need with the same code, so scalar and batch results are bit-identical.

constexpr std::size_t pnbd_alive_table_x = 1024;

/// What P(alive) needs for one x: F_A and F_G coefficients (padded with zeros to a common
/// degree n so that one Horner loop evaluates both), their ranges, and F_G at t_x = 0.
struct pnbd_alive_x {
    double rx = 0, R = 0, bA = 0, bG = 0, c = 0, cbA = 0, cbG = 0, lnrx = 0, zA = 0, zG = 0,
           FG0 = 1;
    int n = 0;
    const double* cA = nullptr;  // n + 1 coefficients each
    const double* cG = nullptr;
};

struct pnbd_alive_ctx {
    double r, a, s, b, diff, m, mn, lns;
    bool ab;
    explicit pnbd_alive_ctx(const pareto_nbd_params& p)
        : r(p.r), a(p.alpha), s(p.s), b(p.beta), diff(std::abs(p.alpha - p.beta)),
          m(std::max(p.alpha, p.beta)), mn(std::min(p.alpha, p.beta)), lns(std::log(p.s)),
          ab(p.alpha >= p.beta) {}
};

/// F at z from an entry's coefficients (the polynomial in range, else pnbd_hyp; w = (1−z)/z).
inline double pnbd_alive_F(const double* coef, int n, double zmax, double bb, double c, double cb,
                           double z, double w) {
    if (z > zmax) return pnbd_hyp(bb, c, cb, z, w, false).F;
    double f = coef[n];
    for (int k = n - 1; k >= 0; --k) f = f * z + coef[k];
    return f;
}

/// Fills e for x; its coefficients go to buf[0 .. 2(pnbd_max_degree+1)).
inline void pnbd_alive_build(const pnbd_alive_ctx& k, double x, pnbd_alive_x& e, double* buf,
                             pnbd_poly& scratch) {
    e.rx = k.r + x;
    e.R = e.rx + k.s;
    e.c = e.R + 1;
    e.bA = k.ab ? e.rx + 1 : k.s;
    e.bG = k.ab ? e.rx : k.s + 1;
    e.cbA = k.ab ? k.s : e.rx + 1;  // c − b, exactly
    e.cbG = k.ab ? k.s + 1 : e.rx;
    e.lnrx = std::log(e.rx);
    const double zb = k.diff / k.m;
    pnbd_poly_build(scratch, e.bA, e.c, zb, false);
    const int nA = scratch.n;
    e.zA = scratch.zmax;
    double* cA = buf;
    double* cG = buf + (pnbd_max_degree + 1);
    for (int i = 0; i <= pnbd_max_degree; ++i) cA[i] = i <= nA ? scratch.F[i] : 0.0;
    pnbd_poly_build(scratch, e.bG, e.c, zb, false);
    const int nG = scratch.n;
    e.zG = scratch.zmax;
    for (int i = 0; i <= pnbd_max_degree; ++i) cG[i] = i <= nG ? scratch.F[i] : 0.0;
    e.n = std::max(nA, nG);
    e.cA = cA;
    e.cG = cG;
    e.FG0 = pnbd_alive_F(cG, e.n, e.zG, e.bG, e.c, e.cbG, k.diff / k.m, k.mn / k.diff);
}

/// P(alive | x, t_x, T) from x's entry: R/(a₁ + a₂) as in pnbd_evaluate, the sum taken in
/// linear space when e^D cannot overflow (see pnbd_total_impl), else in log space.
inline double pnbd_alive_row(const pnbd_alive_ctx& k, const pnbd_alive_x& e, double tx, double T) {
    if (T == 0) return 1;  // exactly: a₁ + a₂ = R holds only to rounding there (pnbd_evaluate)
    const double aT = k.a + T, bT = k.b + T, at = k.a + tx, bt = k.b + tx;
    const double zT = k.diff / (k.ab ? aT : bT), zx = k.diff / (k.ab ? at : bt);
    double FA, FG;
    if (zT <= e.zA && (tx == 0 || zx <= e.zG)) {  // both polynomials: one loop, two chains
        double fa = e.cA[e.n], fg = e.cG[e.n];
        for (int i = e.n - 1; i >= 0; --i) {
            fa = fa * zT + e.cA[i];
            fg = fg * zx + e.cG[i];
        }
        FA = fa;
        FG = tx == 0 ? e.FG0 : fg;
    } else {
        FA = pnbd_alive_F(e.cA, e.n, e.zA, e.bA, e.c, e.cbA, zT, (k.mn + T) / k.diff);
        FG = tx == 0 ? e.FG0
                     : pnbd_alive_F(e.cG, e.n, e.zG, e.bG, e.c, e.cbG, zx, (k.mn + tx) / k.diff);
    }
    const double dT = T - tx;
    const double D = e.rx * std::log1p(dT / at) + k.s * std::log1p(dT / bt);
    const double rho = k.ab ? bT / aT : 1.0, sig = k.ab ? 1.0 : at / bt;
    const double a1 = e.rx * rho * FA;
    if (D < 500) return std::min(1.0, e.R / (a1 + k.s * sig * FG * std::exp(D)));
    // e^D may overflow: log-sum-exp.
    const double l1 = e.lnrx + std::log(rho) + std::log(FA);
    const double l2 = k.lns + std::log(sig) + std::log(FG) + D;
    const double mx = std::max(l1, l2);
    const double lse = mx + std::log(std::exp(l1 - mx) + std::exp(l2 - mx));
    return std::min(1.0, std::exp(std::log(e.R) - lse));
}

/// Entries for x = 0 .. min(max x + 1, pnbd_alive_table_x) − 1 of a batch.
struct pnbd_alive_table {
    pnbd_alive_ctx k;
    std::vector<pnbd_alive_x> entries;
    std::vector<double> coef;

    pnbd_alive_table(const pareto_nbd_params& p, const rfm_data& data) : k(p) {
        double xmax = 0;
        const double* xv = data.frequency.data();
        for (std::size_t i = 0; i < data.size(); ++i) xmax = std::max(xmax, xv[i]);
        // (validated data: x ≥ 0 integer; capped before the conversion)
        xmax = std::min(xmax, static_cast<double>(pnbd_alive_table_x - 1));
        const std::size_t nx = data.size() == 0 ? 0 : static_cast<std::size_t>(xmax) + 1;
        constexpr std::size_t stride = 2 * (pnbd_max_degree + 1);
        entries.resize(nx);
        coef.resize(nx * stride);
        pnbd_poly scratch;
        for (std::size_t x = 0; x < nx; ++x)
            pnbd_alive_build(k, static_cast<double>(x), entries[x], coef.data() + x * stride,
                             scratch);
    }

    /// P(alive) of one row (entries of x beyond the table are built on the stack).
    double operator()(double x, double tx, double T) const {
        if (x < static_cast<double>(entries.size()))
            return pnbd_alive_row(k, entries[static_cast<std::size_t>(x)], tx, T);
        return one(k, x, tx, T);
    }

    static double one(const pnbd_alive_ctx& k, double x, double tx, double T) {
        pnbd_alive_x e;
        double buf[2 * (pnbd_max_degree + 1)];
        pnbd_poly scratch;
        pnbd_alive_build(k, x, e, buf, scratch);
        return pnbd_alive_row(k, e, tx, T);
    }
};

/// P(alive) of a single customer: the batch arithmetic for one row.
inline double pnbd_alive_one(const pareto_nbd_params& p, double x, double tx, double T) {
    return pnbd_alive_table::one(pnbd_alive_ctx(p), x, tx, T);
}

/// Validates, builds the P(alive) table, then out[i] = f(alive, x, t_x, T) on `threads`
/// threads (rows are independent: results do not depend on the split).
template <class F>
void pnbd_batch(const char* fn, const pareto_nbd_params& p, const rfm_data& data, double* out,
                int threads, F&& f) {
    validate_pnbd_params(fn, p);
    validate_rfm(fn, data);
    require_array(fn, "out", out, data.size());
    const pnbd_alive_table alive(p, data);
    const double* xv = data.frequency.data();
    const double* tv = data.recency.data();
    const double* Tv = data.age.data();
    parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) out[i] = f(alive, xv[i], tv[i], Tv[i]);
    });
}

}  // namespace ltv::detail
