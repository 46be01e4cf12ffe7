# SPDX-License-Identifier: Apache-2.0
"""lifetimes' ``generate_data`` functions over the native simulators (``model.simulate``).

Each returns a DataFrame indexed by ``customer_id`` with ``frequency``, ``recency``, ``T`` (BG/BB:
``n_periods``) and ``alive``; lifetimes' per-customer latent draws (``lambda``, ``p``, ``mu``,
``theta``) are not returned. ``seed`` (ltv only): None draws one from numpy's global generator,
so ``np.random.seed`` makes runs repeatable. lifetimes' transactional generator
(``beta_geometric_nbd_model_transactional_data``) is not provided.
"""

import numpy as np

from .. import models as _models
from .fitters import _simulated

__all__ = [
    "beta_geometric_nbd_model",
    "modified_beta_geometric_nbd_model",
    "pareto_nbd_model",
    "beta_geometric_beta_binom_model",
]


def _ages(T, size, name):
    if np.ndim(T) == 0:
        return float(T) * np.ones(int(size))
    ages = np.asarray(T, dtype=float).reshape(-1)
    if len(ages) < int(size):
        raise ValueError(f"argument '{name}' has {len(ages)} values but size = {size}")
    return ages[: int(size)]


def beta_geometric_nbd_model(T, r, alpha, a, b, size=1, seed=None):
    """``size`` BG/NBD customers observed for T (a number, or one per customer)."""
    model = _models.BetaGeo().set_params(r=r, alpha=alpha, a=a, b=b)
    return _simulated(model, _ages(T, size, "T"), seed, "T")


def modified_beta_geometric_nbd_model(T, r, alpha, a, b, size=1, seed=None):
    """``size`` MBG/NBD customers observed for T."""
    model = _models.ModifiedBetaGeo().set_params(r=r, alpha=alpha, a=a, b=b)
    return _simulated(model, _ages(T, size, "T"), seed, "T")


def pareto_nbd_model(T, r, alpha, s, beta, size=1, seed=None):
    """``size`` Pareto/NBD customers observed for T."""
    model = _models.ParetoNBD().set_params(r=r, alpha=alpha, s=s, beta=beta)
    return _simulated(model, _ages(T, size, "T"), seed, "T")


def beta_geometric_beta_binom_model(N, alpha, beta, gamma, delta, size=1, seed=None):
    """``size`` BG/BB customers with N transaction opportunities."""
    model = _models.BetaGeoBetaBinom().set_params(alpha=alpha, beta=beta, gamma=gamma,
                                                  delta=delta)
    return _simulated(model, _ages(N, size, "N"), seed, "n_periods")
