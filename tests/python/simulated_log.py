# SPDX-License-Identifier: Apache-2.0
"""A large transaction log simulated from a BG/NBD population, deterministic and fast (numpy).

Used by tests/python/test_dask.py and benchmarks/dask/bench_dask.py. The log is made of
``partitions`` blocks of exactly ``rows_per_partition`` rows; block k holds the customers
``k * ID_STRIDE + i`` (integer ids), so the blocks are disjoint by customer: a Dask DataFrame
built with one block per partition (``dask.dataframe.from_map(block, range(partitions), ...)``)
is partitioned by customer and every worker makes its own block — nothing travels from the
driver. ``whole_log(...)`` is the same rows in one pandas DataFrame (the single-machine path).

Each customer: a first purchase on a uniform day of the ``YEARS``-year window, a purchase rate
λ ~ Gamma(R, 1/ALPHA) per day, a drop-out probability p ~ Beta(A, B) after each repeat
purchase (BG/NBD), exponential gaps between purchases, purchases after the window's end cut;
spend per purchase Gamma(P, ν) with ν ~ Gamma(Q, 1/GAMMA) per customer (Gamma-Gamma), rounded
to cents. Customers are simulated CHUNK at a time, so making a block takes memory of the order
of the block itself. A block's last customer may lose purchases to the exact row count, which a log cut at
any day also does. The parameters are round numbers of this generator, not published values.
"""

import numpy as np
import pandas as pd

START = np.datetime64("2019-01-01", "D")
YEARS = 4
DAYS = 365 * YEARS
END = START + DAYS - 1          # the last day of the window: the log's observation_end
R, ALPHA, A, B = 0.8, 40.0, 1.5, 6.0       # BG/NBD population, per day
P, Q, GAMMA = 5.0, 3.0, 30.0                # Gamma-Gamma spend
MAX_REPEATS = 400               # repeat purchases drawn per customer (the window cuts most)
ID_STRIDE = 10_000_000          # ids of block k: k * ID_STRIDE + 0, 1, 2, ...
SEED = 13


CHUNK = 20_000                  # customers simulated at a time (bounds the generator's memory)


def _chunk(rng, n):
    """(owner, day) of n simulated customers: every first purchase, then the repeat purchases
    inside the window, ordered by customer (owner 0 … n−1) and, per customer, by day."""
    first = rng.integers(0, DAYS, n)
    lam = rng.gamma(R, 1.0 / ALPHA, n)
    p = rng.beta(A, B, n)
    repeats = np.minimum(rng.geometric(p), MAX_REPEATS)
    owner = np.repeat(np.arange(n), repeats)
    times = np.cumsum(rng.exponential(1.0, len(owner)) / lam[owner])
    ends = np.cumsum(repeats)
    times -= np.repeat(np.concatenate([[0.0], times[ends[:-1] - 1]]), repeats)
    day = first[owner] + np.floor(times).astype(np.int64)
    keep = day < DAYS
    owner = np.concatenate([np.arange(n), owner[keep]])
    day = np.concatenate([first, day[keep]])
    order = np.argsort(owner, kind="stable")
    return owner[order], day[order]


def block(k, rows_per_partition, seed=SEED):
    """Block k of the log: a pandas DataFrame of exactly ``rows_per_partition`` rows with columns
    customer_id (int64), date (datetime64[ns]) and amount (float64), ordered by customer."""
    rng = np.random.default_rng([seed, k])
    owners, days, rows, customers = [], [], 0, 0
    while rows < rows_per_partition:
        owner, day = _chunk(rng, CHUNK)
        owners.append(owner + customers)
        days.append(day)
        rows += len(owner)
        customers += CHUNK
    owner = np.concatenate(owners)[:rows_per_partition] if owners else np.zeros(0, np.int64)
    day = np.concatenate(days)[:rows_per_partition] if days else np.zeros(0, np.int64)
    nu = rng.gamma(Q, 1.0 / GAMMA, max(customers, 1))
    amount = np.round(rng.gamma(P, 1.0, len(owner)) / nu[owner], 2)
    return pd.DataFrame({
        "customer_id": owner.astype(np.int64) + k * ID_STRIDE,
        "date": (START + day).astype("datetime64[ns]"),
        "amount": amount,
    })


def meta():
    """The empty frame of a block's columns and dtypes (Dask's ``meta``)."""
    return block(0, 0).iloc[:0]


def whole_log(partitions, rows_per_partition, seed=SEED):
    """Every block in one pandas DataFrame (the single-machine path's input)."""
    return pd.concat([block(k, rows_per_partition, seed) for k in range(partitions)],
                     ignore_index=True)


def dask_log(partitions, rows_per_partition, seed=SEED):
    """The log as a Dask DataFrame with one block per partition, made on the workers."""
    import dask.dataframe as dd

    return dd.from_map(block, range(partitions), rows_per_partition=rows_per_partition,
                       seed=seed, meta=meta(), divisions=None, enforce_metadata=False)
