#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reference values for the Pareto/NBD DERT with a huge dropout shape s (defect D4 of issue 8),
used by tests/cpp/test_hardening_numerics.cpp. mpmath at 50 digits, from the definitions
(Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4); Schmittlein et al. 1987):

  j(s, k) = E[1/(k + g)], g ~ Gamma(s, 1)       = integral_0^inf exp(-k u) (1 + u)^(-s) du
  P(alive | x, t_x, T) = A / (A + B),
      A = (alpha+T)^-(r+x) (beta+T)^-s,
      B = s integral_{t_x}^T (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau
  DERT(delta) = P(alive) (r+x)/(alpha+T) (beta+T) j(s, delta (beta+T)).

beta = 12 s keeps the mean dropout rate s/beta = 1/12 fixed as s grows. The factor beta^-s,
common to A and B, is divided out (it underflows any float for s = 1e300).

Run: /usr/bin/python3 tests/reference/pnbd_dert_large_s.py
"""

import mpmath

mpmath.mp.dps = 50


def log1p(u):
    # mpmath.log1p loses digits for |u| ~ 1e-300 (seen: 1e-11 relative); the series is exact here
    if abs(u) < mpmath.mpf(10) ** -30:
        return u - u * u / 2 + u ** 3 / 3
    return mpmath.log1p(u)


def j(s, k):
    s, k = mpmath.mpf(s), mpmath.mpf(k)
    # u = v/(k + s): the integrand decays over v ~ 1, whatever s
    c = k + s
    f = lambda v: mpmath.exp(-k * v / c - s * log1p(v / c))  # noqa: E731
    return mpmath.quad(f, [0, 1, 10, 100, mpmath.inf]) / c


def dert(r, alpha, s, beta, x, tx, T, delta):
    r, alpha, s, beta = map(mpmath.mpf, (r, alpha, s, beta))
    x, tx, T, delta = map(mpmath.mpf, (x, tx, T, delta))
    rx = r + x
    # (beta + tau)^-s / beta^-s = exp(-s log1p(tau/beta))
    A = (alpha + T) ** -rx * mpmath.exp(-s * log1p(T / beta))
    # s/(beta + t) = (s/beta)/(1 + t/beta): an integrand of order 1 (mpmath.quad's error test is
    # absolute: an integrand of order 1e-301 would pass it with no correct digit)
    B = (s / beta) * mpmath.quad(lambda t: (alpha + t) ** -rx * mpmath.exp(-s * log1p(t / beta))
                                 / (1 + t / beta), [tx, (tx + T) / 2, T])
    alive = A / (A + B)
    return alive * rx / (alpha + T) * (beta + T) * j(s, delta * (beta + T)), alive


if __name__ == "__main__":
    for s in [mpmath.mpf(1e9), mpmath.mpf(2) ** 53, mpmath.mpf(1e300)]:
        for k in [1e-3, 1, 50]:
            print(f"j(s = {mpmath.nstr(s, 17)}, k = {k}) = {mpmath.nstr(j(s, k), 20)}")
    for s in [mpmath.mpf(1e9), mpmath.mpf(2) ** 53, mpmath.mpf(1e300)]:
        v, alive = dert(0.55, 10.58, s, 12 * s, 2, 30.43, 38.86, 0.01)
        print(f"DERT(s = {mpmath.nstr(s, 17)}, beta = 12 s) = {mpmath.nstr(v, 20)}"
              f"  (P(alive) = {mpmath.nstr(alive, 20)})")
