# SPDX-License-Identifier: Apache-2.0
"""The calculators through the Python binding. Worked examples: issue #2, docs/calculators.md."""

import math

import numpy as np
import pytest

import ltv

EXACT = 1e-15  # rational results a rounding or two from exact


def test_retention_rate_worked_examples():
    # Issue #2: 1000 at start, 200 new, 1100 at end → 90 %.
    assert ltv.retention_rate(start=1000, end=1100, new=200) == pytest.approx(0.9, rel=EXACT)
    # Issue #2: (485 − 32) / 550 = 82.36 %.
    rate = ltv.retention_rate(start=550, end=485, new=32)
    assert rate == pytest.approx(453 / 550, rel=EXACT)
    assert round(rate * 100, 2) == 82.36


def test_retention_rate_returns_float_for_scalars():
    assert isinstance(ltv.retention_rate(1000, 1100, 200), float)
    assert isinstance(ltv.retention_rate(np.float64(1000), np.int64(1100), 200), float)


def test_retention_rate_batch_lists_numpy_pandas():
    expected = np.array([0.9, 453 / 550])
    got = ltv.retention_rate([1000, 550], [1100, 485], [200, 32])
    np.testing.assert_allclose(got, expected, rtol=EXACT)
    # Broadcasting a scalar 'new' against arrays; integer and non-contiguous inputs.
    starts = np.array([1000, 0, 550, 0], dtype=np.int32)[::2]
    np.testing.assert_allclose(
        ltv.retention_rate(starts, np.array([1100.0, 485.0]), np.array([200, 32])),
        expected,
        rtol=EXACT,
    )
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"start": [1000, 550], "end": [1100, 485], "new": [200, 32]})
    np.testing.assert_allclose(
        ltv.retention_rate(frame["start"], frame["end"], frame["new"]), expected, rtol=EXACT
    )


def test_retention_rate_batch_names_the_bad_period():
    with pytest.raises(ltv.InvalidArgumentError, match=r"period 1: .*'end' = 10 is smaller"):
        ltv.retention_rate([1000, 550], [1100, 10], [200, 32])
    with pytest.raises(ltv.InvalidArgumentError, match="incompatible lengths"):
        ltv.retention_rate([1000, 550, 3], [1100, 485], [200, 32])
    with pytest.raises(ltv.InvalidArgumentError, match="must be numeric"):
        ltv.retention_rate(["a", "b"], [1, 2], 0)


def test_retention_from_flows_and_churn():
    flows = ltv.retention_from_flows(start=550, lost=65, new=32)
    assert flows.customers_end == 517
    assert flows.retention_rate == pytest.approx(485 / 550, rel=EXACT)
    assert flows.churn_rate == pytest.approx(65 / 550, rel=EXACT)
    assert ltv.churn_rate(start=550, lost=65) == pytest.approx(65 / 550, rel=EXACT)


def test_lost_profit_worked_example():
    # Issue #2: (5 − 1) × 30 000 = 120 000 per customer; 65 customers → 7 800 000.
    assert ltv.lost_profit(5, 1, 30000) == pytest.approx(120000, rel=EXACT)
    assert ltv.lost_profit(
        expected_purchases=5, purchases_made=1, margin_per_purchase=30000, lost_customers=65
    ) == pytest.approx(7800000, rel=EXACT)


def test_simple_ltv_and_chains():
    assert ltv.simple_ltv(30000, 5) == pytest.approx(150000, rel=EXACT)
    assert ltv.ltv_from_margins([100, 80, 80]) == pytest.approx(260, rel=EXACT)
    assert ltv.ltv_from_margins([100, 80, 80], discount_rate=0.1) == pytest.approx(
        100 + 80 / 1.1 + 80 / 1.21, rel=1e-14
    )
    # docs/calculators.md: the wedding photographer, 1508.
    margins = [1000, 400, 500, 300, 300]
    probabilities = [1, 0.5, 0.8, 0.6, 0.5]
    assert ltv.purchase_chain_ltv(margins, probabilities) == pytest.approx(1508, rel=EXACT)
    assert ltv.purchase_chain_ltv(np.array(margins), tuple(probabilities)) == pytest.approx(
        1508, rel=EXACT
    )


def test_average_clv_closed_form_and_infinite_horizon():
    assert ltv.average_clv(50, 2, periods=12, margin=0.3) == pytest.approx(360, rel=EXACT)
    by_sum = sum(30 * 0.8 ** (k - 1) / 1.01 ** (k - 1) for k in range(1, 37))
    assert ltv.average_clv(
        50, 2, periods=36, margin=0.3, retention=0.8, discount_rate=0.01
    ) == pytest.approx(by_sum, rel=1e-13)
    assert ltv.average_clv(
        100, 1, periods=math.inf, margin=0.5, retention=0.8, discount_rate=0.1
    ) == pytest.approx(50 * 1.1 / 0.3, rel=1e-14)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: ltv.retention_rate(0, 1, 0), ltv.InvalidArgumentError, "'start' = 0"),
        (lambda: ltv.retention_rate(10, float("nan"), 0), ValueError, "'end' = nan"),
        (lambda: ltv.retention_rate(10, "x", 0), ValueError, "'end' = 'x' is not a number"),
        (lambda: ltv.churn_rate(10, 11), ValueError, "'lost' = 11 exceeds 'start' = 10"),
        (lambda: ltv.lost_profit(5, 6, 1), ValueError, "'purchases_made' = 6 exceeds"),
        (lambda: ltv.simple_ltv(1, -2), ValueError, "'expected_purchases' = -2"),
        (lambda: ltv.purchase_chain_ltv([1, 2], [1, 2]), ValueError, r"'probabilities\[1\]' = 2"),
        (lambda: ltv.purchase_chain_ltv([1, 2], [1]), ValueError, "1 entries but 'margins' has 2"),
        (lambda: ltv.ltv_from_margins([[1, 2]]), ValueError, "one-dimensional"),
        (lambda: ltv.average_clv(1, 1, margin=2), ValueError, "'margin' = 2 must lie in"),
        (lambda: ltv.average_clv(1, 1, periods=math.inf), ltv.DomainError, "infinite horizon"),
    ],
)
def test_bad_input_raises_with_the_library_message(call, error, message):
    with pytest.raises(error, match=message) as info:
        call()
    assert isinstance(info.value, ltv.LtvError)
