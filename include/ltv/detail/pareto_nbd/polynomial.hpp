// SPDX-License-Identifier: Apache-2.0
// ltv/detail/pareto_nbd/polynomial.hpp — the fast path of batches and fits: ₂F₁(1, b; c; z) (and
// its derivatives) as a polynomial per frequency x, evaluated for blocks of rows.
#pragma once

#include <cmath>
#include <cstddef>

namespace ltv::detail {

// ---- Fast paths: ₂F₁ as per-x polynomials ---------------------------------------------------
//
// F = ₂F₁(1, b; c; z) = Σ cₙ zⁿ, cₙ = (b)ₙ/(c)ₙ, and b, c depend on a row only through x. So
// per x (and evaluation) the coefficients of F, ∂F/∂b = Σ cₙ Hbₙ zⁿ (Hbₙ = Σ_{k<n} 1/(b+k)),
// ∂F/∂c = −Σ cₙ Hcₙ zⁿ and ∂F/∂z = Σ (n+1)c_{n+1} zⁿ are built once, and each row evaluates
// polynomials in its z (no divisions, vectorisable across rows). The degree is chosen with the
// stopping test of pnbd_series at the largest z of the rows concerned, with F replaced by its
// lower bound 1: the test's left side grows and its right side shrinks with z, so every row
// then meets pnbd_series' own test. Rows whose z needs more than pnbd_max_degree terms (α and
// β orders of magnitude apart) take pnbd_hyp as before.

constexpr int pnbd_max_degree = 64;

/// pnbd_series' stopping test after the term of degree m, c_m zᵐ = cm_zm, with F ≥ 1.
inline bool pnbd_tail_ok(double cm_zm, int m, double b, double c, double z) {
    const double rho = z * (b + m) / (c + m);
    return cm_zm * (m + 1) <= 1e-17 * (1 - rho) * (1 - rho);
}

/// The coefficients of F (and, with grad, of Fb, Fc, Fz) for rows with z ≤ zmax.
struct pnbd_poly {
    int n = 0;        ///< degree
    double zmax = 0;  ///< rows with larger z take pnbd_hyp
    double b = 0, c = 0;
    double F[pnbd_max_degree + 1], Fb[pnbd_max_degree + 1], Fc[pnbd_max_degree + 1],
        Fz[pnbd_max_degree + 1];
};

/// Builds P for ₂F₁(1, b; c; ·) on z ∈ [0, zb].
inline void pnbd_poly_build(pnbd_poly& P, double b, double c, double zb, bool grad) {
    P.b = b;
    P.c = c;
    P.F[0] = 1;
    P.Fb[0] = P.Fc[0] = 0;
    double cm = 1, hb = 0, hc = 0, zm = 1;
    int n = pnbd_max_degree;
    bool ok = false;
    for (int m = 1; m <= pnbd_max_degree; ++m) {
        const double bm = b + (m - 1), cm1 = c + (m - 1);
        cm *= bm / cm1;
        zm *= zb;
        P.F[m] = cm;
        if (grad) {
            hb += 1 / bm;
            hc += 1 / cm1;
            P.Fb[m] = cm * hb;
            P.Fc[m] = -cm * hc;
            P.Fz[m - 1] = m * cm;
        }
        if (pnbd_tail_ok(cm * zm, m, b, c, zb)) {
            n = m;
            ok = true;
            break;
        }
    }
    P.Fz[n] = 0;  // ∂F/∂z has degree n − 1; the zero lets all four share one Horner loop
    P.n = n;
    if (ok) {
        P.zmax = zb;
        return;
    }
    // zb needs more terms than pnbd_max_degree: the largest z for which n terms are enough
    // (bisection; the test is monotone in z).
    double lo = 0, hi = zb;
    for (int i = 0; i < 60; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (pnbd_tail_ok(P.F[n] * std::pow(mid, n), n, b, c, mid))
            lo = mid;
        else
            hi = mid;
    }
    P.zmax = lo;
}

/// Rows per block of the vectorised polynomial evaluation.
constexpr std::size_t pnbd_block = 8;

/// F (and with Grad Fb, Fc, Fz) at z[0..pnbd_block) by Horner's rule, rows in the inner loop.
template <bool Grad>
inline void pnbd_poly_eval(const pnbd_poly& P, const double* z, double* F, double* Fb,
                           double* Fc, double* Fz) {
    const int n = P.n;
    for (std::size_t j = 0; j < pnbd_block; ++j) {
        F[j] = P.F[n];
        if (Grad) {
            Fb[j] = P.Fb[n];
            Fc[j] = P.Fc[n];
            Fz[j] = P.Fz[n];
        }
    }
    for (int k = n - 1; k >= 0; --k) {
        const double cF = P.F[k], cB = P.Fb[k], cC = P.Fc[k], cZ = P.Fz[k];
        for (std::size_t j = 0; j < pnbd_block; ++j) {
            F[j] = F[j] * z[j] + cF;
            if (Grad) {
                Fb[j] = Fb[j] * z[j] + cB;
                Fc[j] = Fc[j] * z[j] + cC;
                Fz[j] = Fz[j] * z[j] + cZ;
            }
        }
    }
}

}  // namespace ltv::detail
