# SPDX-License-Identifier: Apache-2.0
"""The accuracy sweep of issue 9: every cached oracle point against ltv through the binding.

Pass criterion (docs/accuracy.md): relative error <= 1e-10 in the realistic region, <= 1e-6 in
the extremes or an ltv error status there; a single call and the batch it belongs to agree bit
for bit. The oracle itself is checked twice: the cached second evaluations must agree with the
cached truth, and each family's ``verify(quick=True)`` recomputes a few points live with both
methods and compares them with the cache where they coincide."""

import importlib

import mpmath as mp
import pytest

import common

FAMILIES = common.families()


@pytest.fixture(scope="module")
def ltv():
    import ltv as module
    return module


@pytest.mark.parametrize("family", FAMILIES)
def test_sweep(family, ltv):
    results = common.evaluate(common.load_cache(family), ltv)
    fails = [r for r in results if r["outcome"] == "fail"]
    assert results, f"{family}: empty cache"
    assert not fails, (f"{family}: {len(fails)} of {len(results)} points fail:\n" +
                       "\n".join(common.describe(r) for r in fails[:40]))


@pytest.mark.parametrize("family", FAMILIES)
def test_oracle_second_evaluation(family):
    """The cached truth agrees with the independent second evaluation stored beside it."""
    records = common.load_cache(family)
    checked = [(r, common.check_error(r)) for r in records if "check" in r]
    assert checked, f"{family}: no point carries an independent check"
    bad = [(r, e) for r, e in checked
           if not e <= r.get("check_tolerance", common.CHECK_TOLERANCE)]
    assert not bad, "\n".join(f"{r['model']}.{r['method']}{r['kwargs']} {r['params']}: "
                              f"value {r['value']} vs check {r['check']} ({e:.3g})"
                              for r, e in bad[:20])


@pytest.mark.parametrize("family", FAMILIES)
def test_oracle_live(family):
    """verify(quick=True) recomputes points with both methods now; and the quick cases, computed
    now, equal the cached points they coincide with (the cache is the current oracle's)."""
    module = importlib.import_module(family)
    for item in module.verify(quick=True):
        label, value, check = item[:3]
        tol = item[3] if len(item) > 3 else common.CHECK_TOLERANCE
        value, check = mp.mpf(value), mp.mpf(check)
        assert abs(value - check) <= tol * max(abs(value), mp.mpf("1e-300")), (
            f"{family} {label}: {value} vs {check}")
    cached = {(r["model"], r["method"], tuple(r["params"]), tuple(sorted(r["kwargs"].items()))):
              r["value"] for r in common.load_cache(family)}
    for item in module.cases(quick=True):
        recs = item if isinstance(item, dict) else item()
        for r in recs if isinstance(recs, list) else [recs]:
            key = (r["model"], r["method"], tuple(r["params"]), tuple(sorted(r["kwargs"].items())))
            if key in cached:
                a, b = mp.mpf(r["value"]), mp.mpf(cached[key])
                assert abs(a - b) <= 1e-25 * max(abs(a), mp.mpf("1e-300")), (
                    f"{family}: cache is stale at {key}: {cached[key]} vs {r['value']} "
                    "(rerun tests/oracle/generate.py)")
