# SPDX-License-Identifier: Apache-2.0
"""Issue 10 through the binding: the journey's P(alive) criterion (ltv_journey_options.alive_model),
model options by name, and the journey defaults taken from the library."""

import pytest

import ltv

# BG/NBD at FHL 2005's CDNOW estimates (weeks); only the criterion's mechanics are tested here.
BGNBD = {"r": 0.2426, "alpha": 4.4136, "a": 0.7931, "b": 2.4259}


def _log():
    ids = ["old", "old", "recent", "recent"]
    dates = ["2020-01-01", "2020-01-15", "2020-06-01", "2020-06-15"]
    return ltv.TransactionLog(ids, dates)


def test_status_with_an_alive_model():
    log = _log()
    plain = log.status("2020-06-20", cycle_days=14)
    assert dict(zip(plain.customer_id, plain.status)) == {"old": "lost", "recent": "fan"}
    model = ltv.BetaGeo(params=BGNBD)
    strict = log.status("2020-06-20", cycle_days=14, alive_model=model, alive_threshold=0.999)
    assert dict(zip(strict.customer_id, strict.status)) == {"old": "lost", "recent": "lost"}
    lenient = log.status("2020-06-20", cycle_days=14, alive_model=model, alive_threshold=1e-9)
    assert dict(zip(lenient.customer_id, lenient.status)) == {"old": "lost", "recent": "fan"}
    with pytest.raises(ValueError, match="P.alive. is not available for the Gamma-Gamma model"):
        log.status("2020-06-20", alive_model=ltv.GammaGamma(params={"p": 1, "q": 2, "gamma": 1}))
    with pytest.raises(ltv.NotFittedError, match="alive_model"):
        log.status("2020-06-20", alive_model=ltv.BetaGeo())


def test_model_options_by_name():
    m = ltv.ShiftedBetaGeo().set_option("fix.beta", 1.5)
    assert m.option("fix.beta") == 1.5 and m.option("fix.alpha") is None
    m.fit([1000, 631, 468, 382, 326, 289, 262, 241])
    assert m.params["beta"] == 1.5 and m.standard_errors["beta"] == 0
    back = ltv.model_from_json(m.to_json())
    assert back.option("fix.beta") == 1.5
    with pytest.raises(ValueError, match=r"no option 'fix.gamma' \(its options: fix.alpha, fix.beta\)"):
        m.set_option("fix.gamma", 1)
    m.clear_option("fix.beta")
    assert m.option("fix.beta") is None
