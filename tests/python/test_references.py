# SPDX-License-Identifier: Apache-2.0
"""Every published value of tests/data/references/<model>.json through the Python classes, for
every model class the library reports (ltv.MODEL_CLASSES): the Python layer of
tests/cpp/test_conformance.cpp's "published fits and predictions" check. No model is named here;
a model without a reference file fails."""

import numpy as np
import pytest

import ltv
import references as refs

CLASSES = sorted(ltv.MODEL_CLASSES.values(), key=lambda c: c._kind)


def fit_on(cls, model, data_name, options=None):
    """A new instance of cls fitted on the reference data set data_name; ``options``: the
    structural options of the fit (BG/CNBD-k's k), else the conformance section's."""
    d = refs.dataset(model, data_name)
    m = cls()
    if options is None:
        options = refs.load(model).get("conformance", {}).get("options", {})
    for name, value in options.items():
        m.set_option(name, value)
    if "cohorts" in d:
        return m.fit(d["cohorts"])
    if "monetary" in d:
        return m.fit(d["frequency"], d["monetary"], weights=d.get("weights"))
    return m.fit(d["frequency"], d["recency"], d["T"], weights=d.get("weights"))


_estimates = {}


def model_at(cls, spec):
    """An instance at the parameters spec names: "<set>", "fit:<fit>" or "estimate:<fit>"."""
    if spec.startswith("estimate:"):
        key = (cls.name, spec)
        if key not in _estimates:
            fit = refs.fit(cls.name, spec[len("estimate:"):])
            _estimates[key] = fit_on(cls, cls.name, fit["data"], fit.get("options"))
        return _estimates[key]
    m = cls(params=refs.params(cls.name, spec))
    for name, value in refs.load(cls.name).get("conformance", {}).get("options", {}).items():
        m.set_option(name, value)
    return m


def evaluate(cls, p):
    """The reference prediction p computed through the class's methods."""
    m = model_at(cls, p["params"])
    q = p["quantity"]
    rfm = lambda: (p["frequency"], p["recency"], p["T"])  # noqa: E731
    if q == "log_likelihood":
        return m.individual_log_likelihood(*rfm())
    if q == "p_alive":
        return m.p_alive(*rfm())
    if q == "conditional_purchases":
        return m.expected_purchases(p["t"], *rfm())
    if q == "dert":
        return m.discounted_expected_residual_transactions(p["discount_rate"], *rfm())
    if q == "new_customer_purchases":
        return m.expected_purchases_new_customer(p["t"])
    if q == "purchase_pmf":
        return m.probability_of_purchases(n=p["count"], t=p["t"])
    if q == "expected_spend":
        return m.expected_spend(p["frequency"], p["monetary"])
    if q == "discounted_expected_lifetime":
        return m.discounted_expected_lifetime(p["discount_rate"])
    if q == "discounted_expected_residual_lifetime":
        return m.discounted_expected_residual_lifetime(p["discount_rate"], p["renewals"])
    if q == "survival":
        return m.survival(p["t"])
    if q == "projected_survivors":
        return p["size"] * m.survival(p["t"])
    if q == "weighted_sum_conditional_purchases":
        d = refs.dataset(cls.name, p["dataset"])
        e = m.expected_purchases(p["t"], d["frequency"], d["recency"], d["T"])
        return float(np.sum(e * d.get("weights", np.ones_like(e))))
    raise AssertionError(f"unknown reference quantity {q!r}")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.name)
def test_every_model_has_a_reference_file(cls):
    ref = refs.load(cls.name)  # FileNotFoundError: a new model must add its reference file
    assert ref["model"] == cls.name
    assert "conformance" in ref


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.name)
def test_published_fits(cls):
    for name, fit in refs.load(cls.name)["fits"].items():
        m = model_at(cls, "estimate:" + name)
        assert m.fit_report["converged"], name
        for param, value in fit["params"].items():
            assert m.params[param] == refs.approx(value), (name, param)
        assert m.log_likelihood == refs.approx(fit["log_likelihood"]), name
        if "total_weight" in fit:
            assert m.fit_report["total_weight"] == fit["total_weight"], name
        for param, value in fit.get("standard_errors", {}).items():
            if isinstance(value, dict):
                assert m.standard_errors[param] == refs.approx(value), (name, param)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.name)
def test_published_predictions(cls):
    for name, p in refs.load(cls.name)["predictions"].items():
        assert evaluate(cls, p) == refs.approx(p), (name, p["source"])
