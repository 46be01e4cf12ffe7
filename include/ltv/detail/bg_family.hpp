// SPDX-License-Identifier: Apache-2.0
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
//
// T = 0 (first purchase at the end of the period; then x = t_x = 0, rfm_data.hpp) needs no
// branch: the formulas are regular there and give the exact limit T → 0.
//   log L = K_0 + r log α − r log(α+0) + δ·log(1 + e^{c_0}) = 0: for BG exactly (K_0 = 0,
//     δ = 0), for MBG to rounding (K_0 = ln(b/(a+b)), c_0 = ln(a/b): ln(b/(a+b)) + ln((a+b)/b));
//   P(alive) = 1 (BG: nobody drops out before a repurchase), b/(a+b) (MBG: the coin of time 0);
//   E[Y(t) | 0, 0, 0] = P(alive) · tail(r, a, b+m, t/α) = E[X(t)] (bg_expected), the forecast
//     of a new customer, as it must be: nothing is known of the customer beyond acquisition.
// (tests/cpp/test_first_day_customers.cpp checks them against tests/oracle/bg_family.py.)
//
// The engine, one concern per file (ltv/detail/bg_family/…):
//   prepare.hpp          RFM rows grouped by x for a likelihood; the subsample of large fits
//   likelihood.hpp       bg_shape; log L and P(alive) of a customer; Σ w log L with gradient
//   tail.hpp             tail(A, a, β, s): series, connection formula; E[Y(t)], E[X(t)]
//   tail_quadrature.hpp  tail's quadrature fallback for extreme parameters (Boost tanh-sinh)
//   pmf.hpp              P(X(t) = n) of a new customer (Boost ibeta)
//   curve_table.hpp      verified Chebyshev tables of the purchase curve for large batches
//   batch.hpp            batch P(alive), log L, E[Y(t)], discounted purchases (threads, tables)
//   fit.hpp              the maximum-likelihood fit through the common driver
#pragma once

#include "ltv/detail/bg_family/batch.hpp"
#include "ltv/detail/bg_family/curve_table.hpp"
#include "ltv/detail/bg_family/fit.hpp"
#include "ltv/detail/bg_family/likelihood.hpp"
#include "ltv/detail/bg_family/pmf.hpp"
#include "ltv/detail/bg_family/prepare.hpp"
#include "ltv/detail/bg_family/simulate.hpp"
#include "ltv/detail/bg_family/tail.hpp"
#include "ltv/detail/bg_family/tail_quadrature.hpp"
