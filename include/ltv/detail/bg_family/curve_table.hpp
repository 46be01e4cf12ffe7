// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family/curve_table.hpp — tabulated purchase curves for large batches
// (ltv/detail/bg_family/batch.hpp): verified Chebyshev tables of g(s) = tail(A, a, β, s)/s.
//
// Tabulation. Customers with the same x share A = r+x, β = b+x+m, so E[Y(t)] = P(alive) · f(s)
// with one function f(s) = tail(A, a, β, s) of s = t/(α+T). As a function of complex s,
// f is analytic except on the cut s ∈ (−∞, −1] (the branch points s = −1/p, p ∈ (0, 1], of
// (1+ps)^−A); likewise F(s₁) = Σₖ₌₁..N dₖ (f(k s₁) − f((k−1) s₁)) — the discounted sum of a CLV,
// with s₁ = L/(α+T) — is analytic off s₁ ∈ (−∞, −1/N]. With v = 1 + κ s (κ = 1 for f, N for F)
// the cut is v ≤ 0. The table splits v ≥ 1 into 2^B intervals per octave, read off v's exponent
// and top B mantissa bits (no log needed): an interval [m, m(1 + 2^−B)) has centre/half-width
// ≥ 2^(B+1)+1, so the cut lies outside the Bernstein ellipse of ρ ≥ 2^(B+2)+2 ≈ 34 (B = 3) and the
// Chebyshev coefficients of the smooth g(s) = f(s)/s decay like ρ^−k: degree 11 reaches the
// rounding level (34^−11 ≈ 1.5e−17). g is tabulated instead of f so that the relative accuracy
// holds down to s → 0 (f ≈ A s there). Each interval's polynomial comes from exact values at
// 12 Chebyshev nodes and is accepted only if (a) its last two Chebyshev coefficients are below
// bg_table_tolerance relative to the values and (b) it reproduces exact values at two off-node
// check points to 2·bg_table_tolerance; any failure (large A, extreme parameters, non-finite
// values) rejects the whole table and that x is evaluated exactly. A table is only built when it
// is cheaper than the exact evaluations it replaces (bg_table_pays), and only for batches of at
// least bg_table_min_rows rows: smaller batches are bit-identical to the scalar functions, large
// ones agree with them to ~1e−15 relative (tests/cpp/test_bgnbd.cpp checks 1e−13).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace ltv::detail {

/// Rows below which batches never tabulate (and are thus bit-identical to scalar calls).
constexpr std::size_t bg_table_min_rows = 20000;
/// Relative size of the neglected Chebyshev coefficients accepted for a table interval.
constexpr double bg_table_tolerance = 1e-14;

/// g(s) for s ≥ 0 as a piecewise polynomial in v = 1 + κ s (see above).
struct bg_curve_table {
    static constexpr int degree = 11;  // eval() is written out for this degree
    static constexpr int stride = degree + 3;  // centre, 1/half-width, a₀ … a_degree
    double kappa = 1;
    unsigned shift = 49;                      // 52 − B
    std::uint64_t first = 0, last = 0;        // interval indices covered (inclusive)
    std::vector<double> data;                 // stride doubles per interval

    static std::uint64_t bits(double v) noexcept {
        std::uint64_t u;
        std::memcpy(&u, &v, sizeof u);
        return u;
    }
    static double from_bits(std::uint64_t u) noexcept {
        double v;
        std::memcpy(&v, &u, sizeof v);
        return v;
    }
    /// Interval index of v ≥ 1: exponent and top B mantissa bits (monotone in v; +∞ and NaN map
    /// above every finite v and thus outside any table).
    std::uint64_t index(double v) const noexcept { return bits(v) >> shift; }

    /// g(s) into g; false when s lies outside the table.
    bool eval(double s, double& g) const noexcept {
        const double v = 1 + kappa * s;
        const std::uint64_t k = index(v);
        if (k < first || k > last) return false;
        const double* c = data.data() + (k - first) * stride;
        const double t = (v - c[0]) * c[1];  // ∈ [−1, 1]
        // Estrin's scheme for degree 11: the same polynomial as Horner's rule (rounding aside;
        // the terms decay fast, so either is accurate to a few ulps) with a dependency chain of
        // 5 operations instead of 22, which lets consecutive customers overlap.
        const double* a = c + 2;
        const double t2 = t * t, t4 = t2 * t2, t8 = t4 * t4;
        const double p01 = a[0] + a[1] * t, p23 = a[2] + a[3] * t, p45 = a[4] + a[5] * t;
        const double p67 = a[6] + a[7] * t, p89 = a[8] + a[9] * t, pab = a[10] + a[11] * t;
        g = (p01 + p23 * t2) + (p45 + p67 * t2) * t4 + (p89 + pab * t2) * t8;
        return true;
    }
};

/// Number of table intervals covering s ∈ [s_lo, s_hi] (0 when the range is unusable).
inline std::uint64_t bg_table_intervals(double kappa, double s_lo, double s_hi, unsigned B) {
    const double v_lo = 1 + kappa * s_lo, v_hi = 1 + kappa * s_hi;
    // v beyond 2^40 would need ≥ 40·2^B intervals; such batches evaluate exactly.
    if (!(v_lo >= 1 && v_hi >= v_lo && v_hi < 1099511627776.0)) return 0;
    const unsigned shift = 52 - B;
    return (bg_curve_table::bits(v_hi) >> shift) - (bg_curve_table::bits(v_lo) >> shift) + 1;
}

/// Builds tb for g on s ∈ [s_lo, s_hi] (g(s) = f(s)/s evaluated exactly for s > 0); false when
/// a check of the comment above fails.
template <class G>
bool bg_build_curve_table(bg_curve_table& tb, double kappa, double s_lo, double s_hi,
                          unsigned B, G&& g) {
    constexpr int D = bg_curve_table::degree, nodes = D + 1;
    const double pi = 3.14159265358979323846;
    if (bg_table_intervals(kappa, s_lo, s_hi, B) == 0) return false;
    tb.kappa = kappa;
    tb.shift = 52 - B;
    tb.first = tb.index(1 + kappa * s_lo);
    tb.last = tb.index(1 + kappa * s_hi);
    const std::size_t count = static_cast<std::size_t>(tb.last - tb.first + 1);
    tb.data.assign(count * bg_curve_table::stride, 0.0);
    // Chebyshev points of the first kind tⱼ = cos(π(j+½)/nodes), the DCT matrix cos(πk(j+½)/nodes)
    // and the monomial coefficients of T₀ … T_D (T_{k+1} = 2t T_k − T_{k−1}).
    double tj[nodes], dct[nodes][nodes], cheb[nodes][nodes] = {};
    for (int j = 0; j < nodes; ++j) tj[j] = std::cos(pi * (j + 0.5) / nodes);
    for (int k = 0; k < nodes; ++k)
        for (int j = 0; j < nodes; ++j) dct[k][j] = std::cos(pi * k * (j + 0.5) / nodes);
    cheb[0][0] = 1;
    cheb[1][1] = 1;
    for (int k = 1; k + 1 < nodes; ++k)
        for (int i = 0; i < nodes; ++i)
            cheb[k + 1][i] = (i > 0 ? 2 * cheb[k][i - 1] : 0.0) - cheb[k - 1][i];
    // Off-node check points (irrational-looking, inside (−1, 1)).
    const double checks[2] = {-0.5772156649, 0.3183098862};
    for (std::size_t q = 0; q < count; ++q) {
        const std::uint64_t k = tb.first + q;
        const double lo = bg_curve_table::from_bits(k << tb.shift);
        const double hi = bg_curve_table::from_bits((k + 1) << tb.shift);
        const double centre = 0.5 * (lo + hi), half = 0.5 * (hi - lo);  // exact in binary
        auto s_at = [&](double t) { return (centre + half * t - 1) / kappa; };
        double f[nodes], scale = 0;
        for (int j = 0; j < nodes; ++j) {
            const double s = s_at(tj[j]);
            f[j] = s > 0 ? g(s) : std::numeric_limits<double>::quiet_NaN();
            if (!std::isfinite(f[j])) return false;
            scale = std::max(scale, std::abs(f[j]));
        }
        double a[nodes];
        for (int kk = 0; kk < nodes; ++kk) {
            double sum = 0;
            for (int j = 0; j < nodes; ++j) sum += f[j] * dct[kk][j];
            a[kk] = (kk == 0 ? 1.0 : 2.0) * sum / nodes;
        }
        // (a) decay: the interpolant's neglected tail is of the order of its last coefficients.
        if (!(std::abs(a[D]) + std::abs(a[D - 1]) <= bg_table_tolerance * scale)) return false;
        double* c = tb.data.data() + q * bg_curve_table::stride;
        c[0] = centre;
        c[1] = 1 / half;  // a power of two: exact
        for (int i = 0; i < nodes; ++i) {
            double m = 0;
            for (int kk = i; kk < nodes; ++kk) m += a[kk] * cheb[kk][i];
            c[2 + i] = m;
        }
        // (b) exact values at points that are not nodes, through the same evaluation path.
        for (double t : checks) {
            const double s = s_at(t);
            double approx;
            // Only where the look-up lands in this interval (the next one is not built yet).
            if (tb.index(1 + kappa * s) != k || !tb.eval(s, approx)) continue;
            const double exact = g(s);
            if (!(std::abs(approx - exact) <= 2 * bg_table_tolerance * scale)) return false;
        }
    }
    return true;
}

/// Builds the table with 8 intervals per octave, or 32 when degree 11 is not enough at 8
/// (strongly curved f, e.g. large A); false when neither works.
template <class G>
bool bg_build_curve_table_adaptive(bg_curve_table& tb, double kappa, double s_lo, double s_hi,
                                   G&& g) {
    if (bg_build_curve_table(tb, kappa, s_lo, s_hi, 3, g)) return true;
    return bg_build_curve_table(tb, kappa, s_lo, s_hi, 5, g);
}

/// Exact evaluations a table over the range costs (nodes and check points; bg_tail calls).
inline double bg_table_cost(double kappa, double s_lo, double s_hi) {
    const double intervals = static_cast<double>(bg_table_intervals(kappa, s_lo, s_hi, 3));
    return intervals * (bg_curve_table::degree + 3);
}

/// True when building is worth it: the exact evaluations it replaces are at least 4× its cost
/// (the factor leaves room for the retry with 32 intervals per octave).
inline bool bg_table_pays(double exact_evaluations, double table_cost) {
    return table_cost > 0 && exact_evaluations >= 4 * table_cost;
}

}  // namespace ltv::detail
