# SPDX-License-Identifier: Apache-2.0
"""The deterministic calculators shop owners use (docs/calculators.md).

Thin wrappers over the C API: every check happens in the library, and its message comes back in
the raised exception.
"""

import ctypes
from collections import namedtuple

import numpy as np


from ._arrays import as_double, as_double_array, is_scalar, pointer
from ._library import AverageClvOptions, call
from .errors import InvalidArgumentError

RetentionFlows = namedtuple("RetentionFlows", "customers_end retention_rate churn_rate")
RetentionFlows.__doc__ = """The result of :func:`retention_from_flows`: ``customers_end`` (start − lost + new),
``retention_rate`` ((end − new) / start) and ``churn_rate`` (lost / start), rates as fractions."""


def _out():
    return ctypes.c_double()


def retention_rate(start, end, new=0):
    """(customers at end − new customers) / customers at start.

    Scalars give a float; arrays (lists, numpy, pandas) broadcast against each other and give a
    numpy array, one rate per period.

    >>> retention_rate(start=1000, end=1100, new=200)
    0.9
    """
    if is_scalar(start) and is_scalar(end) and is_scalar(new):
        out = _out()
        call(
            "ltv_retention_rate",
            as_double(start, "start"),
            as_double(end, "end"),
            as_double(new, "new"),
            ctypes.byref(out),
        )
        return out.value
    arrays = [as_double_array(v, n) for v, n in ((start, "start"), (end, "end"), (new, "new"))]
    try:
        arrays = [np.ascontiguousarray(a) for a in np.broadcast_arrays(*arrays)]
    except ValueError:
        raise InvalidArgumentError(
            "arguments 'start', 'end' and 'new' have incompatible lengths "
            f"{[len(a) for a in arrays]}"
        ) from None
    out = np.empty(len(arrays[0]), dtype=np.float64)
    call("ltv_retention_rate_batch", *(pointer(a) for a in arrays), len(out), pointer(out))
    return out


def churn_rate(start, lost):
    """Churn rate of a period: lost / customers at start, as a fraction.

    start: customers at the start of the period (> 0); lost: those of them lost in it
    (0 ≤ lost ≤ start). Returns a float.

    >>> churn_rate(start=1000, lost=100)
    0.1
    """
    out = _out()
    call("ltv_churn_rate", as_double(start, "start"), as_double(lost, "lost"), ctypes.byref(out))
    return out.value


def retention_from_flows(start, lost, new=0):
    """From (start, lost, new): customers at end = start − lost + new, and the rates.

    Returns ``RetentionFlows(customers_end, retention_rate, churn_rate)``.
    """
    end, rate, churn = _out(), _out(), _out()
    call(
        "ltv_retention_from_flows",
        as_double(start, "start"),
        as_double(lost, "lost"),
        as_double(new, "new"),
        ctypes.byref(end),
        ctypes.byref(rate),
        ctypes.byref(churn),
    )
    return RetentionFlows(end.value, rate.value, churn.value)


def lost_profit(expected_purchases, purchases_made, margin_per_purchase, lost_customers=1):
    """lost_customers × (expected_purchases − purchases_made) × margin_per_purchase.

    >>> lost_profit(expected_purchases=5, purchases_made=1, margin_per_purchase=30000,
    ...             lost_customers=65)
    7800000.0
    """
    out = _out()
    call(
        "ltv_lost_profit",
        as_double(lost_customers, "lost_customers"),
        as_double(expected_purchases, "expected_purchases"),
        as_double(purchases_made, "purchases_made"),
        as_double(margin_per_purchase, "margin_per_purchase"),
        ctypes.byref(out),
    )
    return out.value


def simple_ltv(margin_per_purchase, expected_purchases):
    """Simple LTV: margin per purchase × expected number of purchases (no discounting).

    margin_per_purchase: money per purchase (≥ 0); expected_purchases: purchases over the
    customer's lifetime (≥ 0). Returns a float, in the margin's currency.

    >>> simple_ltv(margin_per_purchase=30, expected_purchases=5)
    150.0
    """
    out = _out()
    call(
        "ltv_simple_ltv",
        as_double(margin_per_purchase, "margin_per_purchase"),
        as_double(expected_purchases, "expected_purchases"),
        ctypes.byref(out),
    )
    return out.value


def ltv_from_margins(margins, discount_rate=0.0):
    """LTV from a different margin for each later purchase: Σᵢ marginᵢ / (1 + discount_rate)ⁱ,
    i = 0, 1, … (the first purchase undiscounted).

    margins: a sequence of margins (money), one per purchase; discount_rate: per purchase
    interval, as a fraction (0.1 = 10 %). Returns a float.

    >>> round(ltv_from_margins([1000, 400, 500], discount_rate=0.1), 2)
    1776.86
    """
    m = as_double_array(margins, "margins")
    out = _out()
    call(
        "ltv_ltv_from_margins",
        pointer(m),
        len(m),
        as_double(discount_rate, "discount_rate"),
        ctypes.byref(out),
    )
    return out.value


def purchase_chain_ltv(margins, probabilities, discount_rate=0.0):
    """Σᵢ marginᵢ × Πⱼ≤ᵢ pⱼ / (1 + discount_rate)ⁱ.

    ``probabilities[i]`` is the chance of purchase i given purchase i − 1 (``probabilities[0]``:
    of the first purchase, 1 for a customer already won).
    """
    m = as_double_array(margins, "margins")
    p = as_double_array(probabilities, "probabilities")
    if len(m) != len(p):
        raise InvalidArgumentError(
            f"'probabilities' has {len(p)} entries but 'margins' has {len(m)}; "
            "give one probability per purchase"
        )
    out = _out()
    call(
        "ltv_purchase_chain_ltv",
        pointer(m),
        pointer(p),
        len(m),
        as_double(discount_rate, "discount_rate"),
        ctypes.byref(out),
    )
    return out.value


def average_clv(
    average_order_value,
    purchases_per_period,
    periods=1,
    margin=1.0,
    retention=1.0,
    discount_rate=0.0,
):
    """Average order value × margin × purchases per period over ``periods`` periods.

    With a per-period ``retention`` r and ``discount_rate`` d, period k counts r^(k−1)/(1+d)^(k−1);
    ``periods=math.inf`` gives the closed form m(1+d)/(1+d−r).
    """
    options = AverageClvOptions()
    call("ltv_average_clv_options_init", ctypes.byref(options), ctypes.sizeof(options))
    options.average_order_value = as_double(average_order_value, "average_order_value")
    options.purchases_per_period = as_double(purchases_per_period, "purchases_per_period")
    options.periods = as_double(periods, "periods")
    options.margin = as_double(margin, "margin")
    options.retention = as_double(retention, "retention")
    options.discount_rate = as_double(discount_rate, "discount_rate")
    out = _out()
    call("ltv_average_clv", ctypes.byref(options), ctypes.byref(out))
    return out.value


__all__ = [
    "RetentionFlows",
    "retention_rate",
    "churn_rate",
    "retention_from_flows",
    "lost_profit",
    "simple_ltv",
    "ltv_from_margins",
    "purchase_chain_ltv",
    "average_clv",
]


def regularity_wheat(prev_itt, last_itt):
    """The Wheat & Morrison (1990) estimate of purchase regularity k̂ (BTYDplus
    ``estimateRegularity(method="wheat")``): ``prev_itt[i]`` and ``last_itt[i]`` are customer
    i's last two inter-purchase times (each > 0; leave out customers with fewer than two).
    About 1 for exponential (Poisson) purchasing, k for Erlang-k inter-purchase times — a hint
    whether BG/CNBD-k or MBG/CNBD-k with k > 1 is worth fitting (docs/bgcnbd.md#regularity).
    """
    prev = as_double_array(prev_itt, "prev_itt")
    last = as_double_array(last_itt, "last_itt")
    if len(prev) != len(last):
        raise InvalidArgumentError(
            f"'last_itt' has {len(last)} elements but 'prev_itt' has {len(prev)}")
    out = _out()
    call("ltv_regularity_wheat", pointer(prev), pointer(last), len(prev), ctypes.byref(out))
    return out.value
