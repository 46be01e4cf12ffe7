# SPDX-License-Identifier: Apache-2.0
"""Static covariates from Python (docs/covariates.md): fit with a numpy matrix or a DataFrame,
coefficients as named parameters, per-customer predictions, and errors naming the column."""
from pathlib import Path

import numpy as np
import pytest

import ltv


def _data(n=800, seed=7):
    rng = np.random.default_rng(seed)
    T = 20.0 + np.floor(20 * rng.random(n))
    x = np.floor(6 * rng.random(n) ** 2)
    tx = np.where(x > 0, np.floor(T * (0.3 + 0.7 * rng.random(n))), 0.0)
    z = np.column_stack([np.arange(n) % 2, np.arange(n) % 3]).astype(float)
    return x, tx, T, z


def test_fit_with_numpy_covariates_names_the_coefficients():
    x, tx, T, z = _data()
    m = ltv.ParetoNBD().fit(x, tx, T, covariates=z)
    names = m.param_names
    assert names[:4] == ["r", "alpha", "s", "beta"]
    assert names[4:] == ["alpha:z1", "alpha:z2", "beta:z1", "beta:z2"]
    assert all(np.isfinite(list(m.params.values())))


def test_dataframe_columns_name_the_covariates_and_predictions_use_them():
    pd = pytest.importorskip("pandas")
    x, tx, T, z = _data()
    frame = pd.DataFrame({"vip": z[:, 0], "region": z[:, 1]})
    m = ltv.BetaGeo().fit(x, tx, T, covariates=frame)
    assert "alpha:vip" in m.param_names and "ab:region" in m.param_names
    p = m.p_alive(x, tx, T, covariates=frame)
    assert p.shape == x.shape and np.all((p >= 0) & (p <= 1))
    e = m.expected_purchases(10, x, tx, T, covariates=frame)
    assert np.all(np.isfinite(e))
    # two customers with the same history and different covariates get different forecasts
    two = m.expected_purchases(10, [2, 2], [10, 10], [30, 30],
                               covariates=np.array([[1.0, 0.0], [0.0, 0.0]]))
    assert two[0] != two[1]


def test_bad_covariates_are_named():
    x, tx, T, z = _data(200)
    bad = z.copy()
    bad[7, 1] = np.nan
    with pytest.raises(ltv.InvalidArgumentError, match=r"row 7 column 1 \('z2'\)"):
        ltv.ParetoNBD().fit(x, tx, T, covariates=bad)
    const = z.copy()
    const[:, 0] = 3.0
    with pytest.raises(ltv.InvalidArgumentError, match=r"column 0 \('z1'\) is constant"):
        ltv.ParetoNBD().fit(x, tx, T, covariates=const)
    with pytest.raises(ltv.InvalidArgumentError, match="covariates"):
        ltv.ParetoNBD().fit(x, tx, T, covariates=z[:100])
    m = ltv.ParetoNBD().fit(x, tx, T, covariates=z)
    with pytest.raises(ltv.InvalidArgumentError, match="covariates"):
        m.p_alive(x, tx, T)


def test_cli_fit_and_predict_read_the_covariate_columns(tmp_path):
    import json
    import os
    import subprocess
    cli = os.environ.get("LTV_CLI", "")
    if not os.path.exists(cli):
        pytest.skip("ltv CLI not built")
    x, tx, T, z = _data(400)
    summary = tmp_path / "summary.csv"
    with open(summary, "w") as f:
        f.write("customer_id,frequency,recency,T,vip,region\n")
        for i in range(len(x)):
            f.write(f"{i},{x[i]:g},{tx[i]:g},{T[i]:g},{z[i, 0]:g},{z[i, 1]:g}\n")
    model = tmp_path / "model.json"
    fit = subprocess.run([cli, "fit", "--model", "pnbd", str(summary), "--covariates",
                          "vip,region", "-o", str(model), "--json"],
                         capture_output=True, text=True)
    assert fit.returncode == 0, fit.stderr
    saved = json.loads(model.read_text())
    assert saved["covariates"] == ["vip", "region"]
    assert "alpha:vip" in saved["params"] and "beta:region" in saved["params"]
    predict = subprocess.run([cli, "predict", "--model", str(model), str(summary), "--horizon",
                              "10", "--json"],
                             capture_output=True, text=True)
    assert predict.returncode == 0, predict.stderr
    rows = json.loads(predict.stdout)
    assert len(rows) == len(x)
    missing = subprocess.run([cli, "fit", "--model", "pnbd", str(summary), "--covariates",
                              "nosuch"], capture_output=True, text=True)
    assert missing.returncode != 0 and "nosuch" in missing.stderr


def test_intervals_of_a_model_with_covariates():
    """predict(..., covariates=, interval=): each customer at their own parameters, with the
    coefficients' uncertainty in the interval; the point value is p_alive's, and the interval
    contains it for both methods. CDNOW (FHL 2005's 2357 customers) with two synthetic
    covariates of the customer's row number (the data the fit's standard errors need)."""
    pd = pytest.importorskip("pandas")
    d = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "cdnow_customers_summary.csv")
    x, tx, T = (d[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    i = np.arange(len(d))
    z = np.column_stack([i % 2, (i // 2) % 3]).astype(float)
    m = ltv.ParetoNBD().fit(x, tx, T, covariates=z)
    point = m.p_alive(x, tx, T, covariates=z)
    for method in ("delta", "bootstrap"):
        r = m.predict("p_alive", x, tx, T, covariates=z, interval=0.9, method=method,
                      replicates=100)
        assert np.array_equal(np.asarray(r["value"]), point)
        lower, upper = np.asarray(r["lower"]), np.asarray(r["upper"])
        assert np.all(lower <= point) and np.all(point <= upper) and np.mean(upper - lower) > 0
    with pytest.raises(ltv.InvalidArgumentError, match="covariates"):
        m.predict("p_alive", x, tx, T, interval=0.9)


def test_named_columns_must_be_the_fitted_ones_in_order():
    """A DataFrame whose columns come in another order than the fit's is refused, naming the
    column, rather than scored with the wrong coefficients (issue 14 review)."""
    pd = pytest.importorskip("pandas")
    x, tx, T, z = _data()
    frame = pd.DataFrame({"vip": z[:, 0], "region": z[:, 1]})
    m = ltv.ParetoNBD().fit(x, tx, T, covariates=frame)
    with pytest.raises(ltv.InvalidArgumentError, match="column 0 is named 'region'"):
        m.predict("p_alive", x, tx, T, covariates=frame[["region", "vip"]])
    same = m.predict("p_alive", x, tx, T, covariates=frame)
    assert np.array_equal(np.asarray(same), m.p_alive(x, tx, T, covariates=z))
