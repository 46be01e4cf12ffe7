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

beta = 12 s keeps the mean dropout rate s/beta = 1/12 fixed as s grows. The formulas are those
of the Pareto/NBD oracle, tests/oracle/pareto_nbd.py (j, dert_quad), which divides the common
factor out of A and B with log1p (beta^-s underflows any float for s = 1e300).

Run: /usr/bin/python3 tests/reference/pnbd_dert_large_s.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))

import mpmath  # noqa: E402

from pareto_nbd import dert_quad, j  # noqa: E402

if __name__ == "__main__":
    for s in [mpmath.mpf(1e9), mpmath.mpf(2) ** 53, mpmath.mpf(1e300)]:
        for k in [1e-3, 1, 50]:
            print(f"j(s = {mpmath.nstr(s, 17)}, k = {k}) = {mpmath.nstr(j(s, k), 20)}")
    for s in [mpmath.mpf(1e9), mpmath.mpf(2) ** 53, mpmath.mpf(1e300)]:
        v, alive = dert_quad(0.55, 10.58, s, 12 * s, 2, 30.43, 38.86, 0.01)
        print(f"DERT(s = {mpmath.nstr(s, 17)}, beta = 12 s) = {mpmath.nstr(v, 20)}"
              f"  (P(alive) = {mpmath.nstr(alive, 20)})")
