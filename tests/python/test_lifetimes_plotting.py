# SPDX-License-Identifier: Apache-2.0
"""ltv.lifetimes.plotting: lifetimes' plot functions (the Quickstart's charts) draw from the fitters,
and the numbers drawn are the fitters' own."""

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import ltv  # noqa: E402
from ltv.lifetimes import BetaGeoBetaBinomFitter, BetaGeoFitter, ParetoNBDFitter  # noqa: E402
from ltv.lifetimes import plotting, utils  # noqa: E402
from ltv.lifetimes.datasets import (  # noqa: E402
    load_cdnow_summary,
    load_donations,
    load_transaction_data,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def bgf():
    data = load_cdnow_summary(index_col=[0])
    return BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])


@pytest.fixture(scope="module")
def log():
    return load_transaction_data()


def test_frequency_recency_matrix(bgf):
    ax = plotting.plot_frequency_recency_matrix(bgf)
    image = ax.get_images()[0].get_array()
    max_t = int(bgf.data["T"].max())
    assert image.shape == (max_t + 1, int(bgf.data["frequency"].max()) + 1)
    assert image[30, 20] == pytest.approx(
        bgf.conditional_expected_number_of_purchases_up_to_time(1, 20, 30, max_t), rel=1e-12)
    assert "1 Unit of Time" in ax.get_title()


def test_probability_alive_matrix(bgf):
    ax = plotting.plot_probability_alive_matrix(bgf)
    np.testing.assert_array_equal(ax.get_images()[0].get_array(),
                                  bgf.conditional_probability_alive_matrix())


def test_period_transactions_is_the_expectation(bgf):
    ax = plotting.plot_period_transactions(bgf)
    heights = np.array([p.get_height() for p in ax.patches]).reshape(2, 7)
    counts = bgf.data["frequency"].value_counts().sort_index().iloc[:7].to_numpy()
    np.testing.assert_array_equal(heights[0], counts)
    expected = sum(bgf.probability_of_n_purchases_up_to_time(T, np.arange(7.0))
                   for T in bgf.data["T"])
    np.testing.assert_allclose(heights[1], expected, rtol=1e-9)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Actual", "Model"]
    # BG/BB: discrete time, weighted rows
    donations = load_donations()
    bbf = BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"],
                                       donations["periods"], donations["weights"])
    ax = plotting.plot_period_transactions(bbf)
    heights = np.array([p.get_height() for p in ax.patches]).reshape(2, 7)
    assert heights[0].sum() == donations["weights"].sum()  # 0..6 repeat years: everyone
    assert heights[1].sum() == pytest.approx(donations["weights"].sum(), rel=1e-9)


def test_calibration_vs_holdout(log):
    cal = utils.calibration_and_holdout_data(log, "id", "date",
                                             calibration_period_end="2014-09-01",
                                             observation_period_end="2014-12-31")
    bgf = BetaGeoFitter().fit(cal["frequency_cal"], cal["recency_cal"], cal["T_cal"])
    ax = plotting.plot_calibration_purchases_vs_holdout_purchases(bgf, cal)
    actual, model = ax.get_lines()[:2]
    grouped = cal.groupby("frequency_cal")["frequency_holdout"].mean().iloc[:7]
    np.testing.assert_allclose(actual.get_ydata(), grouped.to_numpy())
    assert len(model.get_ydata()) == 7
    for kind in ("recency_cal", "T_cal", "time_since_last_purchase"):
        plotting.plot_calibration_purchases_vs_holdout_purchases(bgf, cal, kind=kind)
    with pytest.raises(ValueError, match="kind"):
        plotting.plot_calibration_purchases_vs_holdout_purchases(bgf, cal, kind="nope")


def test_history_alive_and_native_plot_accept_fitters(log):
    summary = utils.summary_data_from_transaction_data(log, "id", "date",
                                                       observation_period_end="2014-12-31")
    bgf = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    one = log[log["id"] == 35]
    ax = plotting.plot_history_alive(bgf, 200, one, "date")
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(),
                               utils.calculate_alive_path(bgf, one, "date", 200).to_numpy())
    # ltv.plotting's own plot_history_alive takes the fitter (its native model), in days here
    ax = ltv.plot_history_alive(bgf, 200, one, "date", time_unit="day")
    assert ax.get_lines()


def test_expected_repeat_purchases_and_heterogeneity(bgf):
    ax = plotting.plot_expected_repeat_purchases(bgf, label="BG/NBD")
    solid = ax.get_lines()[0]
    np.testing.assert_allclose(solid.get_ydata(),
                               bgf.expected_number_of_purchases_up_to_time(solid.get_xdata()))
    ax = plotting.plot_transaction_rate_heterogeneity(bgf)
    assert "mean: {:.3f}".format(bgf.params_["r"] / bgf.params_["alpha"]) in ax.get_title()
    ax = plotting.plot_dropout_rate_heterogeneity(bgf)
    a, b = bgf.params_["a"], bgf.params_["b"]
    assert "mean: {:.3f}".format(a / (a + b)) in ax.get_title()


def test_tracking_plots(log):
    summary = utils.summary_data_from_transaction_data(log, "id", "date",
                                                       observation_period_end="2014-09-01")
    model = ParetoNBDFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ax = plotting.plot_cumulative_transactions(model, log, "date", "id", 300, 240)
    frame = utils.expected_cumulative_transactions(model, log, "date", "id", 300)
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), frame["predicted"].to_numpy())
    ax = plotting.plot_incremental_transactions(model, log, "date", "id", 300, 240,
                                                set_index_date=True)
    assert ax.get_xlabel() == "date"
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["actual", "predicted"]
