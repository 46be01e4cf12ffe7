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
    """lifetimes' ``beta_geometric_nbd_model``: ``size`` customers simulated from the BG/NBD
    with parameters r, alpha, a, b (native ``BetaGeo.simulate``).

    T: the observation length of every customer (a number) or one per customer (at least
    ``size`` values), in the parameters' time unit. ``size``: how many customers. ``seed``
    (ltv only): the native generator's seed; None draws one from numpy's global generator, so
    ``np.random.seed`` makes runs repeatable. Returns a DataFrame indexed by ``customer_id``
    with ``frequency, recency, T, alive`` (lifetimes' latent columns are not returned;
    docs/migrating-from-lifetimes.md).

    >>> beta_geometric_nbd_model(52, 0.243, 4.414, 0.793, 2.426, size=1000, seed=1)  # doctest: +SKIP
    """
    model = _models.BetaGeo().set_params(r=r, alpha=alpha, a=a, b=b)
    return _simulated(model, _ages(T, size, "T"), seed, "T")


def modified_beta_geometric_nbd_model(T, r, alpha, a, b, size=1, seed=None):
    """lifetimes' ``modified_beta_geometric_nbd_model``: ``size`` customers simulated from the
    MBG/NBD with parameters r, alpha, a, b (native ``ModifiedBetaGeo.simulate``).

    T: the observation length of every customer (a number) or one per customer (at least
    ``size`` values), in the parameters' time unit. ``size``: how many customers. ``seed``
    (ltv only): the native generator's seed; None draws one from numpy's global generator, so
    ``np.random.seed`` makes runs repeatable. Returns a DataFrame indexed by ``customer_id``
    with ``frequency, recency, T, alive`` (lifetimes' latent columns are not returned;
    docs/migrating-from-lifetimes.md).
    """
    model = _models.ModifiedBetaGeo().set_params(r=r, alpha=alpha, a=a, b=b)
    return _simulated(model, _ages(T, size, "T"), seed, "T")


def pareto_nbd_model(T, r, alpha, s, beta, size=1, seed=None):
    """lifetimes' ``pareto_nbd_model``: ``size`` customers simulated from the Pareto/NBD with
    parameters r, alpha, s, beta (native ``ParetoNBD.simulate``).

    T: the observation length of every customer (a number) or one per customer (at least
    ``size`` values), in the parameters' time unit. ``size``: how many customers. ``seed``
    (ltv only): the native generator's seed; None draws one from numpy's global generator, so
    ``np.random.seed`` makes runs repeatable. Returns a DataFrame indexed by ``customer_id``
    with ``frequency, recency, T, alive`` (lifetimes' latent columns are not returned;
    docs/migrating-from-lifetimes.md).
    """
    model = _models.ParetoNBD().set_params(r=r, alpha=alpha, s=s, beta=beta)
    return _simulated(model, _ages(T, size, "T"), seed, "T")


def beta_geometric_beta_binom_model(N, alpha, beta, gamma, delta, size=1, seed=None):
    """lifetimes' ``beta_geometric_beta_binom_model``: ``size`` customers simulated from the
    BG/BB with parameters alpha, beta, gamma, delta (native ``BetaGeoBetaBinom.simulate``).

    N: the number of transaction opportunities of every customer (a whole number) or one per
    customer (at least ``size`` values). ``size``, ``seed`` as for
    :func:`beta_geometric_nbd_model`. Returns a DataFrame indexed by ``customer_id`` with
    ``frequency, recency, n_periods, alive``.
    """
    model = _models.BetaGeoBetaBinom().set_params(alpha=alpha, beta=beta, gamma=gamma,
                                                  delta=delta)
    return _simulated(model, _ages(N, size, "N"), seed, "n_periods")
