# SPDX-License-Identifier: Apache-2.0
"""Issue 10 through the binding: the journey's P(alive) criterion (ltv_journey_options.alive_model),
model options by name, and the journey defaults taken from the library."""

import json
import os
import subprocess
from pathlib import Path

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
    # A model of unknown unit is refused (weeks read as days would be silently wrong) …
    with pytest.raises(ValueError, match="time unit of the BG/NBD model is unknown"):
        log.status("2020-06-20", cycle_days=14, alive_model=model)
    model.time_unit = "week"  # … BGNBD holds FHL's CDNOW parameters, fitted in weeks
    assert ltv.model_from_json(model.to_json()).time_unit == "week"
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


CLI = os.environ.get("LTV_CLI", "")
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "CDNOW_sample.txt"
READ = ["--no-header", "--customer", "2", "--date", "3", "--amount", "5"]


@pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")
def test_cli_fit_and_predict_on_a_log_in_memory(tmp_path):
    # `ltv fit/predict --transactions LOG` = `ltv summarize LOG -o s.csv` then fit/predict s.csv,
    # without the CSV: the same parameters and predictions.
    def run(*args):
        r = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout

    run("summarize", SAMPLE, *READ, "--observation-end", "1997-09-30", "--time-unit", "week",
        "-o", tmp_path / "s.csv")
    run("fit", "--model", "bgnbd", tmp_path / "s.csv", "-o", tmp_path / "a.json")
    run("fit", "--model", "bgnbd", "--transactions", SAMPLE, *READ, "--observation-end",
        "1997-09-30", "--unit", "week", "-o", tmp_path / "b.json")
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    assert b["time_unit"] == "week"
    for name, value in a["params"].items():
        assert b["params"][name] == pytest.approx(value, rel=1e-12)
    csv_pred = run("predict", "--model", tmp_path / "b.json", tmp_path / "s.csv", "--horizon", 39)
    log_pred = run("predict", "--model", tmp_path / "b.json", "--transactions", SAMPLE, *READ,
                   "--observation-end", "1997-09-30", "--horizon", 39)
    rows_csv = [r.split(",") for r in csv_pred.strip().splitlines()]
    rows_log = [r.split(",") for r in log_pred.strip().splitlines()]
    assert rows_csv[0] == rows_log[0] and len(rows_csv) == len(rows_log) == 2358
    for x, y in zip(rows_csv[1:], rows_log[1:]):
        assert x[0] == y[0] and all(float(u) == pytest.approx(float(v), rel=1e-12)
                                    for u, v in zip(x[1:], y[1:]))
    r = subprocess.run([CLI, "predict", "--model", str(tmp_path / "b.json"), "--horizon", "1"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "give either a summary file or --transactions LOG" in r.stderr


def test_penalizer_conventions():
    # Reference (issue 10, Python lifetimes 0.11.3 measured side by side on CDNOW):
    # BetaGeoFitter(penalizer_coef=0.01) gives alpha = 4.43; ltv's convention gives 1.53.
    import csv
    rows = list(csv.DictReader(open(Path(__file__).resolve().parents[1] / "data" /
                                    "cdnow_customers_summary.csv")))
    cols = {k: [float(r[k]) for r in rows] for k in ("frequency", "recency", "T")}
    lt = ltv.BetaGeo(penalizer=0.01, penalizer_convention="lifetimes").fit(
        cols["frequency"], cols["recency"], cols["T"])
    assert lt.params["alpha"] == pytest.approx(4.43, abs=0.005)
    own = ltv.BetaGeo(penalizer=0.01).fit(cols["frequency"], cols["recency"], cols["T"])
    assert own.params["alpha"] == pytest.approx(1.53, abs=0.005)
    with pytest.raises(ValueError, match="'penalizer_convention' = 'scipy' must be 'ltv' or"):
        ltv.BetaGeo(penalizer_convention="scipy")
