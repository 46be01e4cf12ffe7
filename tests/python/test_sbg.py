# SPDX-License-Identifier: Apache-2.0
"""ltv.ShiftedBetaGeo through the binding. Reference values (tests/data/references/sbg.json, each
with its source and tolerance): Fader & Hardie (2007) "How to project customer retention" (data,
α, β, LL, the held-out years) and Fader & Hardie (2010) (DEL, DERL), as restated in issue #5; the
C++ tests (tests/cpp/test_sbg.cpp) check the same values with the same tolerances."""

import json

import numpy as np
import pytest

import ltv
import references as refs

REGULAR = refs.dataset("sbg", "regular")["cohorts"][0]
HIGH_END = refs.dataset("sbg", "high_end")["cohorts"][0]


def check_fit(m, name):
    fit = refs.fit("sbg", name)
    for param, value in fit["params"].items():
        assert m.params[param] == refs.approx(value), (name, param)
    assert m.log_likelihood == refs.approx(fit["log_likelihood"]), name


def test_fit_regular_and_high_end():
    m = ltv.ShiftedBetaGeo().fit(REGULAR)
    check_fit(m, "regular")
    assert m.fit_report["converged"] is True
    h = ltv.ShiftedBetaGeo().fit(np.array(HIGH_END))
    check_fit(h, "high_end")


def test_del_derl_and_projection():
    m = ltv.ShiftedBetaGeo().fit(REGULAR)
    p = refs.prediction("sbg", "del_regular")
    assert m.discounted_expected_lifetime(p["discount_rate"]) == refs.approx(p)
    p = refs.prediction("sbg", "derl_regular_4_renewals")
    derl = m.discounted_expected_residual_lifetime(p["discount_rate"], p["renewals"])
    assert derl == refs.approx(p)
    derl = m.discounted_expected_residual_lifetime(p["discount_rate"], [0, p["renewals"]])
    assert isinstance(derl, np.ndarray) and derl[1] == refs.approx(p)
    # Years 8–12 observed (F&H 2007 Table 1, held out of the fit): the projection within 2 %.
    holdout = refs.load("sbg")["datasets"]["regular"]["holdout"]
    projected = m.project_survivors(REGULAR[0], holdout["periods"][-1])
    np.testing.assert_allclose(projected[holdout["periods"]], holdout["survivors"],
                               rtol=holdout["tolerance"])
    assert m.survival(0) == 1.0
    r = m.retention_rate([1, 2, 3])
    a, b = m.params["alpha"], m.params["beta"]
    np.testing.assert_allclose(r, [(b + t - 1) / (a + b + t - 1) for t in (1, 2, 3)], rtol=1e-15)


def test_several_cohorts_and_surface():
    m = ltv.ShiftedBetaGeo().fit([REGULAR, [500, 330, 250, 205]])
    assert m.fit_report["total_weight"] == 1500
    assert set(m.standard_errors) == {"alpha", "beta"}
    assert m.covariance.shape == (2, 2)
    assert m.covariance[0, 0] == pytest.approx(m.standard_errors["alpha"] ** 2, rel=1e-12)


def test_save_load_roundtrip(tmp_path):
    m = ltv.ShiftedBetaGeo().fit(REGULAR)
    path = tmp_path / "sbg.json"
    m.save(path)
    data = json.loads(path.read_text())
    assert data["model"] == "sbg" and data["format"] == "ltv-model"
    loaded = ltv.load_model(path)
    assert isinstance(loaded, ltv.ShiftedBetaGeo)
    assert loaded.params == m.params
    assert loaded.standard_errors == m.standard_errors
    assert loaded.log_likelihood == m.log_likelihood
    assert ltv.model_from_json(m.to_json()).params == m.params


def test_errors():
    with pytest.raises(ltv.NotFittedError, match="no parameters yet"):
        ltv.ShiftedBetaGeo().params
    with pytest.raises(ValueError, match=r"'survivors\[2\]' = 700 exceeds the previous count 631"):
        ltv.ShiftedBetaGeo().fit([1000, 631, 700])
    with pytest.raises(ValueError, match=r"'survivors\[0\]' = 0 must be greater than 0"):
        ltv.ShiftedBetaGeo().fit([0, 0])
    with pytest.raises(ValueError, match="at least two periods"):
        ltv.ShiftedBetaGeo().fit([1000])
    with pytest.raises(ValueError, match="must be a whole number"):
        ltv.ShiftedBetaGeo(params={"alpha": 1, "beta": 1}).survival(2.5)
    with pytest.raises(ltv.DomainError, match="infinite"):
        ltv.ShiftedBetaGeo(params={"alpha": 0.5, "beta": 1}).discounted_expected_lifetime(0)
    with pytest.raises(ValueError, match="unknown: \\['gamma'\\]"):
        ltv.ShiftedBetaGeo().set_params(alpha=1, gamma=2)
    with pytest.raises(ltv.LtvIOError, match="cannot open"):
        ltv.load_model("/nonexistent/model.json")
    with pytest.raises(ltv.ParseError, match="not an ltv model file"):
        ltv.model_from_json('{"x": 1}')
    with pytest.raises(ltv.ParseError, match="'beta' = -1 must be a finite number > 0"):
        ltv.model_from_json(
            '{"format": "ltv-model", "format_version": 1, "model": "sbg",'
            ' "params": {"alpha": 1, "beta": -1}}'
        )
