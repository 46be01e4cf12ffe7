# SPDX-License-Identifier: Apache-2.0
"""lifetimes' Quickstart through ltv.lifetimes, step by step, against lifetimes' published output.

Sources of the reference values (lifetimes, GitHub CamDavidsonPilon/lifetimes, commit 4f2833f):
"QS n" = docs/Quickstart.md line n; "TE n" = tests/test_estimation.py line n. The values, their
sources and tolerances are in tests/data/references/lifetimes.json (lifetimes' own outputs) and
the models' files (FHL 2005's BG/NBD and Gamma-Gamma values, the BTYD walkthrough's Pareto/NBD
values, FHS 2010's Table 6), read through tests/python/references.py. Tolerances: 1e-5 relative
where lifetimes' optimiser converges (it prints 6 significant digits, so the printed value's own
rounding, 5e-7 absolute, is added); looser, and said so, where lifetimes' optimiser stops early
(Pareto/NBD: Nelder–Mead with tol 1e-4) or where the source rounds.
"""

import copy
import inspect
import os
import pickle

import numpy as np
import pandas as pd
import pytest

import ltv
import references as refs
from ltv.lifetimes import (
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)
from ltv.lifetimes import utils as lt_utils
from ltv.lifetimes.datasets import (
    load_cdnow_summary,
    load_cdnow_summary_data_with_monetary_value,
    load_donations,
    load_transaction_data,
)

REL = 1e-5


def lifetimes(section, name):
    """Entry <section>.<name> of tests/data/references/lifetimes.json."""
    return refs.load("lifetimes")[section][name]


def close(entry):
    """pytest.approx of a lifetimes.json value (a number, a list or a table): within its tolerance
    (relative) or abs_tolerance, the larger where both are given."""
    value = entry["value"]
    return pytest.approx(np.asarray(value, dtype=float) if isinstance(value, list) else value,
                         rel=entry.get("tolerance", 0), abs=entry.get("abs_tolerance", 0))


@pytest.fixture(scope="module")
def data():
    return load_cdnow_summary(index_col=[0])


@pytest.fixture(scope="module")
def bgf(data):
    return BetaGeoFitter(penalizer_coef=0.0).fit(data["frequency"], data["recency"], data["T"])


@pytest.fixture(scope="module")
def transaction_data():
    return load_transaction_data()


@pytest.fixture(scope="module")
def money():
    return load_cdnow_summary_data_with_monetary_value()


@pytest.fixture(scope="module")
def ggf(money):
    returning = money[money["frequency"] > 0]
    return GammaGammaFitter(penalizer_coef=0).fit(returning["frequency"],
                                                  returning["monetary_value"])


# -- Quickstart, in order -----------------------------------------------------------------------


def test_quickstart_load_cdnow_summary(data):
    # QS 10-18: data.head()
    assert data.index.name == "ID"
    assert list(data.columns) == ["frequency", "recency", "T"]
    assert data.loc[1].tolist() == [2, 30.43, 38.86]
    assert data.loc[2].tolist() == [1, 1.71, 38.86]
    assert len(data) == 2357


def test_quickstart_bgnbd_fit_repr_and_summary(bgf):
    # QS 43: the repr
    assert repr(bgf) == ("<ltv.lifetimes.BetaGeoFitter: fitted with 2357 subjects, a: 0.79, "
                         "alpha: 4.41, b: 2.43, r: 0.24>")
    # QS 46-52: bgf.summary (coef, se(coef), bounds); lifetimes' b is printed 1e-6 away from the
    # optimum (its tol=1e-7 on the scaled objective): 2e-6 absolute besides 1e-5 relative
    expected = lifetimes("fits", "bgnbd_cdnow_summary")["summary"]
    summary = bgf.summary
    assert list(summary.columns) == expected["columns"]
    assert list(summary.index) == expected["index"]
    assert summary.to_numpy() == close(expected)
    assert list(bgf.params_.index) == ["r", "alpha", "a", "b"]
    assert isinstance(bgf.params_, pd.Series)
    # FHL 2005 (BG/NBD paper) LL = -9582.4 (bgnbd.json fits.cdnow); lifetimes'
    # _negative_log_likelihood_ is -LL/N
    fhl = refs.fit("bgnbd", "cdnow")
    log_likelihood = refs.value(fhl["log_likelihood"])
    assert bgf.log_likelihood_ == pytest.approx(log_likelihood, abs=0.01)
    assert bgf._negative_log_likelihood_ == pytest.approx(-log_likelihood / fhl["total_weight"],
                                                          rel=1e-6)
    assert set(bgf.standard_errors_.index) == {"r", "alpha", "a", "b"}
    assert bgf.variance_matrix_.shape == (4, 4)
    assert list(bgf.confidence_intervals_.columns) == ["lower 95% bound", "upper 95% bound"]


def test_quickstart_ranking_customers(data, bgf):
    # QS 92-103: top five of conditional_expected_number_of_purchases_up_to_time(1, ...)
    predicted = bgf.conditional_expected_number_of_purchases_up_to_time(
        1, data["frequency"], data["recency"], data["T"])
    assert isinstance(predicted, pd.Series) and predicted.index.equals(data.index)
    top = predicted.sort_values().tail(5)
    expected = lifetimes("outputs", "quickstart_top5_purchases_t1")
    assert list(top.index) == expected["index"]
    assert top.to_numpy() == close(expected)


def test_quickstart_transactions_to_summary(transaction_data):
    # QS 125-133: transaction_data.head()
    assert list(transaction_data.columns) == ["date", "id"]
    assert transaction_data.iloc[3].tolist() == ["2014-04-09 00:00:00", 2]
    summary = lt_utils.summary_data_from_transaction_data(
        transaction_data, "id", "date", observation_period_end="2014-12-31")
    # QS 139-147: summary.head()
    expected = pd.DataFrame({"frequency": [0.0, 0.0, 6.0, 0.0, 2.0],
                             "recency": [0.0, 0.0, 142.0, 0.0, 9.0],
                             "T": [298.0, 224.0, 292.0, 147.0, 183.0]},
                            index=pd.Index([0, 1, 2, 3, 4], name="id"))
    pd.testing.assert_frame_equal(summary.head(), expected)
    assert summary.index.dtype == np.int64
    # QS 154: the fit on it
    bgf = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    assert repr(bgf) == ("<ltv.lifetimes.BetaGeoFitter: fitted with 5000 subjects, a: 1.85, "
                         "alpha: 1.86, b: 3.18, r: 0.16>")
def test_quickstart_calibration_and_holdout(transaction_data):
    cal = lt_utils.calibration_and_holdout_data(transaction_data, "id", "date",
                                                calibration_period_end="2014-09-01",
                                                observation_period_end="2014-12-31")
    # QS 166-176
    assert list(cal.columns) == ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout",
                                 "duration_holdout"]
    expected = np.array([[0, 0, 177, 0, 121], [0, 0, 103, 0, 121], [6, 142, 171, 0, 121],
                         [0, 0, 26, 0, 121], [2, 9, 62, 0, 121]], dtype=float)
    np.testing.assert_array_equal(cal.head().to_numpy(), expected)
    assert list(cal.head().index) == [0, 1, 2, 3, 4]
    # QS 180-187: the fit on the calibration columns (then the holdout plot, test_lifetimes_plotting)
    bgf = BetaGeoFitter().fit(cal["frequency_cal"], cal["recency_cal"], cal["T_cal"])
    # QS 192-200: bgf.predict(10, ...) of summary.iloc[20] -> 0.0576511 (7 digits), with the
    # calibration fit of the step before
    summary = lt_utils.summary_data_from_transaction_data(
        transaction_data, "id", "date", observation_period_end="2014-12-31")
    individual = summary.iloc[20]
    expected = lifetimes("predictions", "quickstart_predict_summary_row_20")
    assert bgf.predict(expected["t"], individual["frequency"], individual["recency"],
                       individual["T"]) == close(expected)


def test_quickstart_gamma_gamma(money, ggf):
    returning = money[money["frequency"] > 0]
    # QS 231-240: returning_customers_summary.head()
    assert list(returning.index[:5]) == [1, 2, 6, 7, 9]
    assert returning.loc[6].tolist() == [7, 29.43, 38.86, 73.74]
    # QS 253-258: Pearson correlation
    assert returning[["monetary_value", "frequency"]].corr().iloc[0, 1] == \
        close(lifetimes("predictions", "quickstart_corr_monetary_frequency"))
    # QS 271: the repr
    assert repr(ggf) == "<ltv.lifetimes.GammaGammaFitter: fitted with 946 subjects, p: 6.25, " \
                        "q: 3.74, v: 15.45>"
    # lifetimes' GammaGamma estimates (issue #12 brief; gg.json parameter_sets.lifetimes, 4
    # decimals: half a unit of the last digit)
    published = refs.params("gg", "lifetimes")
    assert ggf.params_.tolist() == [pytest.approx(published[name], abs=5e-5)
                                    for name in ("p", "q", "gamma")]
    # QS 280-293: conditional_expected_average_profit(...).head(10)
    profit = ggf.conditional_expected_average_profit(money["frequency"], money["monetary_value"])
    assert profit.index.equals(money.index)
    assert profit.head(10).to_numpy() == \
        close(lifetimes("outputs", "quickstart_expected_average_profit_head"))
    # QS 304: the means
    assert profit.mean() == close(lifetimes("predictions",
                                            "quickstart_mean_expected_average_profit"))
    assert returning["monetary_value"].mean() == \
        close(lifetimes("predictions", "quickstart_mean_monetary_value_returning"))


def test_quickstart_customer_lifetime_value(money, ggf):
    bgf = BetaGeoFitter().fit(money["frequency"], money["recency"], money["T"])
    # QS 323-335
    expected = lifetimes("outputs", "quickstart_clv_head")
    clv = ggf.customer_lifetime_value(bgf, money["frequency"], money["recency"], money["T"],
                                      money["monetary_value"], time=expected["time"],
                                      discount_rate=expected["discount_rate"])
    assert clv.name == "clv" and clv.index.equals(money.index)
    assert clv.head(10).to_numpy() == close(expected)
    # lifetimes' own test (TE 194-223): the fitter's CLV is utils' sum with the GG profits
    sum_clv = lt_utils._customer_lifetime_value(
        bgf, money["frequency"], money["recency"], money["T"],
        ggf.conditional_expected_average_profit(money["frequency"], money["monetary_value"]))
    np.testing.assert_allclose(clv.to_numpy(), sum_clv.to_numpy(), rtol=1e-10)
    for freq in ("H", "W", "M"):
        a = ggf.customer_lifetime_value(bgf, money["frequency"], money["recency"], money["T"],
                                        money["monetary_value"], freq=freq)
        b = lt_utils._customer_lifetime_value(
            bgf, money["frequency"], money["recency"], money["T"],
            ggf.conditional_expected_average_profit(money["frequency"], money["monetary_value"]),
            freq=freq)
        np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="freq"):
        ggf.customer_lifetime_value(bgf, 1, 1, 2, 10, freq="Q")


# -- the other fitters: lifetimes' tests' reference values ------------------------------------------


def test_bgnbd_reference_values(data, bgf):
    # TE 530-539: Hardie's spreadsheet, E[X(39) | x=2, t_x=30.43, T=38.86] = 1.226 (bgnbd.json
    # predictions.conditional_purchases_customer_1), at lifetimes' fit: 3 decimals
    hardie = refs.prediction("bgnbd", "conditional_purchases_customer_1")
    assert bgf.conditional_expected_number_of_purchases_up_to_time(
        hardie["t"], hardie["frequency"], hardie["recency"], hardie["T"]) == \
        pytest.approx(refs.value(hardie), abs=5e-4)
    # TE 541-548: E[X(t)] from Hardie's sheet (its own rounded estimates; lifetimes checks 3
    # decimals, the last value differs by 3.7e-4)
    expected = lifetimes("outputs", "bgnbd_expected_purchases_hardie")
    assert bgf.expected_number_of_purchases_up_to_time(np.array(expected["t"])) == close(expected)
    # TE 550-554
    assert bgf.conditional_probability_alive(0, 1, 1) == 1.0
    # TE 580-589: the matrix is P(alive)(x, t_x, max T) at Z[t_x][x]
    Z = bgf.conditional_probability_alive_matrix()
    max_t = int(bgf.data["T"].max())
    assert Z.shape == (max_t + 1, int(bgf.data["frequency"].max()) + 1)
    assert Z[0][0] == 1
    for t_x in (0, 5, 20, max_t):
        for x in (0, 1, 7, Z.shape[1] - 1):
            assert Z[t_x][x] == bgf.conditional_probability_alive(x, t_x, max_t)


def test_bgnbd_probability_of_n_purchases_as_r_btyd():
    # TE 591-621: BTYD's bgnbd.pmf with r=0.243, alpha=4.414, a=0.793, b=2.426 (FHL 2005's printed
    # estimates, bgnbd.json parameter_sets.published), params_ set by hand
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series(refs.params("bgnbd", "published"))[["r", "alpha", "a", "b"]]
    pmf = lifetimes("predictions", "bgnbd_pmf_10_in_2")
    assert bgf.probability_of_n_purchases_up_to_time(pmf["t"], pmf["count"]) == close(pmf)
    # P(X(39) = 0) = 0.5737864 (bgnbd.json predictions.purchase_pmf_0_at_39): 1e-6 relative
    pmf = refs.prediction("bgnbd", "purchase_pmf_0_at_39")
    assert bgf.probability_of_n_purchases_up_to_time(pmf["t"], pmf["count"]) == \
        pytest.approx(refs.value(pmf), rel=1e-6)
    expected = lifetimes("outputs", "bgnbd_pmf_t30_n11_20")
    actual = bgf.probability_of_n_purchases_up_to_time(expected["t"], np.array(expected["count"]))
    assert actual == close(expected)
    assert repr(bgf) == "<ltv.lifetimes.BetaGeoFitter: a: 0.79, alpha: 4.41, b: 2.43, r: 0.24>"
    # a params_ changed in place is what the next prediction uses
    before = bgf.expected_number_of_purchases_up_to_time(10)
    bgf.params_["alpha"] = 8.0
    assert bgf.expected_number_of_purchases_up_to_time(10) < before


def test_penalizer_shrinks_as_lifetimes(data):
    # TE 565-578: params shrink with penalizer_coef 0.1, then 10 (lifetimes' convention)
    p0 = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"]).params_
    p1 = BetaGeoFitter(penalizer_coef=0.1).fit(data["frequency"], data["recency"], data["T"]).params_
    p2 = BetaGeoFitter(penalizer_coef=10).fit(data["frequency"], data["recency"], data["T"]).params_
    assert (p1 < p0).all() and (p2 < p1).all()
    # lifetimes 0.11: BetaGeoFitter(penalizer_coef=0.01) on CDNOW gives alpha = 4.43 (CHANGELOG 0.2)
    p = BetaGeoFitter(penalizer_coef=0.01).fit(data["frequency"], data["recency"], data["T"]).params_
    assert p["alpha"] == pytest.approx(4.43, abs=0.005)


def test_mbgnbd_reference_values(data):
    mbgf = ModifiedBetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    # TE 782-787: BTYDplus's estimates (3 decimals)
    btydplus = lifetimes("fits", "mbgnbd_cdnow_btydplus")["params"]
    assert list(mbgf.params_.index) == list(btydplus)
    for name, value in btydplus.items():
        assert mbgf.params_[name] == close(value), name
    # TE 809-813
    assert mbgf.conditional_probability_alive(0, 1, 1) < 1.0
    # TE 789-798: the BG/NBD's Hardie value 1.226 (bgnbd.json), tolerance 0.05 there
    hardie = refs.prediction("bgnbd", "conditional_purchases_customer_1")
    predicted = mbgf.conditional_expected_number_of_purchases_up_to_time(
        hardie["t"], hardie["frequency"], hardie["recency"], hardie["T"])
    assert abs(predicted - refs.value(hardie)) < 0.05
    assert repr(mbgf).startswith("<ltv.lifetimes.ModifiedBetaGeoFitter: fitted with 2357")


def test_pareto_nbd_reference_values(data):
    ptf = ParetoNBDFitter().fit(data["frequency"], data["recency"], data["T"])
    # issue #12 brief / TE 336-340 (lifetimes' Nelder-Mead stops at tol 1e-4: 3 decimals agree)
    estimates = lifetimes("fits", "pnbd_cdnow")["params"]
    assert list(ptf.params_.index) == ["r", "alpha", "s", "beta"] == list(estimates)
    for name, value in estimates.items():
        assert ptf.params_[name] == close(value), name
    # TE 364-374: BTYD walkthrough, E[X(52) | 26, 30.86, 31] = 25.46 (pnbd.json
    # predictions.conditional_purchases_x26), lifetimes' tolerance 0.01
    btyd = refs.prediction("pnbd", "conditional_purchases_x26")
    assert abs(ptf.conditional_expected_number_of_purchases_up_to_time(
        btyd["t"], btyd["frequency"], btyd["recency"], btyd["T"]) - refs.value(btyd)) < 0.01
    # TE 342-362: BTYD's pnbd.Expectation for t = 0..9 at BTYD's own estimates (lifetimes checks
    # atol 0.01; the maximum differs from BTYD's by up to 2.3e-3 here)
    expected = lifetimes("outputs", "pnbd_expected_purchases_btyd")
    assert ptf.expected_number_of_purchases_up_to_time(expected["t"]) == close(expected)
    # ltv gives standard errors for the Pareto/NBD too (lifetimes has none)
    assert (ptf.summary["se(coef)"] > 0).all()


def test_pareto_nbd_p_alive_btyd():
    # TE 403-411: BTYD walkthrough page 8, P(alive | 26, 30.86, 31) = 0.9979 (pnbd.json
    # predictions.p_alive_x26) with the walkthrough's params set by hand; lifetimes' tolerance 0.001
    ptf = ParetoNBDFitter()
    ptf.params_ = pd.Series([0.5534, 10.5802, 0.6061, 11.6562], index=["r", "alpha", "s", "beta"])
    btyd = refs.prediction("pnbd", "p_alive_x26")
    assert abs(ptf.conditional_probability_alive(btyd["frequency"], btyd["recency"], btyd["T"])
               - refs.value(btyd)) < 0.001
    # TE 413-424: large x with tiny alpha: finite, in [0, 1]
    ptf.params_ = pd.Series([10.465, 7.98565181e-03, 3.0516, 2.820],
                            index=["r", "alpha", "s", "beta"])
    p = ptf.conditional_probability_alive(np.array([40.0, 50.0, 50.0]), np.array([5.0, 1.0, 4.0]),
                                          np.array([6.0, 37.0, 37.0]))
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))


@pytest.mark.skipif(not hasattr(ltv.ParetoNBD, "conditional_probability_of_purchases"),
                    reason="native ParetoNBD.conditional_probability_of_purchases not in this build")
def test_pareto_nbd_conditional_pmf(data):
    ptf = ParetoNBDFitter().fit(data["frequency"], data["recency"], data["T"])
    # TE 464-484: the conditional PMF sums to 1 over n (20 terms, 7 decimals there)
    for x, t_x, T, t in [(0, 0, 5, 3), (2, 4, 9, 1), (7, 8, 9, 9), (26, 30.86, 31, 52)]:
        n = np.arange(0, 200)
        total = ptf.conditional_probability_of_n_purchases_up_to_time(n, t, x, t_x, T).sum()
        assert total == pytest.approx(1.0, abs=1e-7)
    # its mean is the conditional expectation
    n = np.arange(0, 400)
    pmf = ptf.conditional_probability_of_n_purchases_up_to_time(n, 52, 26, 30.86, 31)
    assert (n * pmf).sum() == pytest.approx(
        ptf.conditional_expected_number_of_purchases_up_to_time(52, 26, 30.86, 31), rel=1e-6)
    assert ptf.conditional_probability_of_n_purchases_up_to_time(1, 0, 2, 4, 9) == 0
    s = ptf.conditional_probability_of_n_purchases_up_to_time(
        2, 10, data["frequency"].head(), data["recency"].head(), data["T"].head())
    assert s.index.equals(data.index[:5])


@pytest.fixture(scope="module")
def donations():
    return load_donations()


@pytest.fixture(scope="module")
def bbf(donations):
    return BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"],
                                        donations["periods"], donations["weights"])


def test_bgbb_reference_values(donations, bbf):
    # issue #12 brief (lifetimes' estimates; TE 71-78 gives 1.204, 0.750, 0.657, 2.783)
    estimates = lifetimes("fits", "bgbb_donations")["params"]
    assert list(bbf.params_.index) == ["alpha", "beta", "gamma", "delta"] == list(estimates)
    for name, value in estimates.items():
        assert bbf.params_[name] == close(value), name
    assert list(bbf.data.columns) == ["frequency", "recency", "n_periods", "weights"]
    # TE 98-113: Hardie's sheet, Σ weights × E[X(n, n+5)] = 12884.2
    expected = lifetimes("predictions", "bgbb_weighted_sum_5")
    pred = bbf.conditional_expected_number_of_purchases_up_to_time(
        expected["t"], donations["frequency"], donations["recency"], donations["periods"])
    assert (pred * donations["weights"]).sum() == close(expected)
    # TE 115-122: Hardie's In-Sample Fit sheet cells C18, C24
    table = bbf.expected_number_of_transactions_in_first_n_periods(6)
    assert list(table.columns) == ["model"] and table.index.name == "frequency"
    expected = lifetimes("outputs", "bgbb_in_sample_fit")
    assert table.loc[expected["index"], "model"].to_numpy() == close(expected)
    for attribute in ("standard_errors_", "variance_matrix_", "confidence_intervals_"):
        assert hasattr(bbf, attribute)


def test_bgbb_p_alive_now(donations, bbf):
    # lifetimes' m = 1 is FHS 2010 eq. 11, P(alive at n + 1): the native p_alive (its default)
    next_ = bbf.conditional_probability_alive(1, donations["frequency"], donations["recency"],
                                              donations["periods"])
    np.testing.assert_allclose(next_, bbf.model.p_alive(donations["frequency"],
                                                        donations["recency"],
                                                        donations["periods"]), rtol=1e-12)
    # m = 0, alive at n: certain for a donor who gave at the last opportunity (t_x = n)
    now = np.asarray(bbf.conditional_probability_alive(0, donations["frequency"],
                                                       donations["recency"],
                                                       donations["periods"]))
    last = (donations["recency"] == donations["periods"]).to_numpy()
    assert last.any() and np.all(now[last] == pytest.approx(1.0, rel=1e-12))
    assert np.all(now >= np.asarray(next_))


@pytest.mark.skipif("ahead" not in inspect.signature(ltv.BetaGeoBetaBinom.p_alive).parameters,
                    reason="native BetaGeoBetaBinom.p_alive(ahead=) not in this build")
def test_bgbb_p_alive_ahead_table_6(donations, bbf):
    # TE 80-96: Fader, Hardie & Shang 2010, Table 6: P(alive in 2002) = 0.11, 0.59, 0.93
    # (bgbb.json predictions.p_alive_*: 2 decimals, half a unit of the last digit)
    p = bbf.conditional_probability_alive(1, donations["frequency"], donations["recency"],
                                          donations["periods"])
    frame = donations.assign(p=p)
    for name in ("p_alive_0_0_6", "p_alive_2_4_6", "p_alive_6_6_6"):
        table_6 = refs.prediction("bgbb", name)
        row = frame[(frame["frequency"] == table_6["frequency"])
                    & (frame["recency"] == table_6["recency"])]
        assert row["p"].iloc[0] == pytest.approx(refs.value(table_6), abs=0.005), name
    # one period ahead is P(alive now) × (1 − death probability) < P(alive now)
    now = bbf.conditional_probability_alive(0, donations["frequency"], donations["recency"],
                                            donations["periods"])
    assert np.all(np.asarray(p) < np.asarray(now))


def test_gamma_gamma_hand_params_and_reference(money):
    # TE 181-192: Hardie's spreadsheet with p, q, v = 6.25, 3.74, 15.44 (FHL 2005's printed
    # estimates, gg.json parameter_sets.fhl2005) set by hand (atol 0.1)
    fhl = refs.params("gg", "fhl2005")
    ggf = GammaGammaFitter()
    ggf.params_ = pd.Series({"p": fhl["p"], "q": fhl["q"], "v": fhl["gamma"]})
    summary = money.head(10)
    estimates = ggf.conditional_expected_average_profit(summary["frequency"],
                                                        summary["monetary_value"])
    assert estimates.to_numpy() == close(lifetimes("outputs", "gg_hardie_spreadsheet_head"))
    with pytest.raises(ValueError, match="monetary_value"):
        GammaGammaFitter().fit([1, 2], [10.0, 0.0])


# -- objects: outputs, broadcasting, pickling, files ---------------------------------------------


def test_outputs_follow_inputs(data, bgf):
    f, r, T = data["frequency"], data["recency"], data["T"]
    assert isinstance(bgf.conditional_probability_alive(f, r, T), pd.Series)
    numpy_out = bgf.conditional_probability_alive(f.to_numpy(), r.to_numpy(), T.to_numpy())
    assert isinstance(numpy_out, np.ndarray) and numpy_out.shape == (len(data),)
    assert isinstance(bgf.conditional_probability_alive(2, 30.43, 38.86), float)
    # 2-D grids broadcast (lifetimes builds them with np.fromfunction / meshgrid)
    grid_f, grid_r = np.meshgrid(np.arange(3.0), np.arange(4.0))
    out = bgf.conditional_expected_number_of_purchases_up_to_time(1, grid_f, grid_r, 10.0)
    assert out.shape == (4, 3)
    assert out[2, 1] == bgf.conditional_expected_number_of_purchases_up_to_time(1, 1, 2, 10)
    # an array of t broadcasts against the customers
    both = bgf.predict(np.array([1.0, 10.0]), 2, 30.43, 38.86)
    assert both[1] == bgf.predict(10, 2, 30.43, 38.86)
    assert bgf.expected_number_of_purchases_up_to_time(0) == 0.0


def test_bad_input_names_the_problem(data, bgf):
    with pytest.raises(ValueError, match="non-integer"):
        BetaGeoFitter().fit([1.5, 0], [2, 0], [3, 4])
    with pytest.raises(ValueError, match="recency"):
        bgf.conditional_probability_alive(2, 40, 38)
    with pytest.raises(ValueError, match="broadcast"):
        bgf.conditional_probability_alive([1, 2], [1, 2, 3], 5)
    with pytest.raises(ValueError, match="not been fit"):
        BetaGeoFitter().predict(1, 1, 1, 2)
    assert repr(BetaGeoFitter()) == "<ltv.lifetimes.BetaGeoFitter>"


def test_pickle_copy_and_save_load(tmp_path, data, bgf):
    for clone in (pickle.loads(pickle.dumps(bgf)), copy.deepcopy(bgf), copy.copy(bgf)):
        assert clone.params_.equals(bgf.params_)
        assert repr(clone) == repr(bgf)
        assert clone.predict(1, 1, 2, 5) == bgf.predict(1, 1, 2, 5)
        pd.testing.assert_frame_equal(clone.summary, bgf.summary)
    # TE 648-700: save_model / load_model, with and without data and generate_new_data
    path = os.fspath(tmp_path / "bgf.pkl")
    bgf.save_model(path)
    loaded = BetaGeoFitter()
    loaded.load_model(path)
    assert loaded.penalizer_coef == bgf.penalizer_coef
    assert loaded.params_.equals(bgf.params_)
    assert loaded._negative_log_likelihood_ == bgf._negative_log_likelihood_
    assert (loaded.data == bgf.data).all().all()
    assert loaded.predict(1, 1, 2, 5) == bgf.predict(1, 1, 2, 5)
    assert loaded.expected_number_of_purchases_up_to_time(1) == \
        bgf.expected_number_of_purchases_up_to_time(1)
    bgf.save_model(path, save_data=False, save_generate_data_method=False)
    loaded = BetaGeoFitter()
    loaded.load_model(path)
    assert loaded.data is None and loaded.generate_new_data is None
    assert bgf.data is not None and callable(bgf.generate_new_data)
    bgf.save_model(path, save_data=False, values_to_save=[""])
    loaded.load_model(path)
    assert loaded.data == ""


def test_fit_with_weights_and_index(data):
    # TE 742-766: weights give the unweighted fit's parameters
    counts = data.groupby(["frequency", "recency", "T"]).size().rename("weights").reset_index()
    weighted = BetaGeoFitter().fit(counts["frequency"], counts["recency"], counts["T"],
                                   counts["weights"])
    plain = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    np.testing.assert_allclose(weighted.params_, plain.params_, rtol=1e-6)
    # TE 723-731: index= sets data's index
    index = range(len(data), 0, -1)
    fitted = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"], index=index)
    assert (fitted.data.index == index).all()


@pytest.mark.skipif(not hasattr(ltv.BetaGeo, "simulate"),
                    reason="native model.simulate not in this build")
def test_generate_new_data(bgf, bbf):
    sim = bgf.generate_new_data(size=500, seed=7)
    assert list(sim.columns) == ["frequency", "recency", "T", "alive"]
    assert len(sim) == 500 and sim.index.name == "customer_id"
    assert (sim["recency"] <= sim["T"]).all()
    again = bgf.generate_new_data(size=500, seed=7)
    pd.testing.assert_frame_equal(sim, again)
    # the simulated mean repeat count is near the model's E[X(T)] (3 standard errors)
    expected = bgf.expected_number_of_purchases_up_to_time(sim["T"]).mean()
    big = bgf.generate_new_data(size=20000, seed=11)
    se = big["frequency"].std() / np.sqrt(len(big))
    assert abs(big["frequency"].mean() - bgf.expected_number_of_purchases_up_to_time(
        big["T"]).mean()) < 3 * se
    assert expected > 0
    sim = bbf.generate_new_data(size=100, seed=3)
    assert list(sim.columns) == ["frequency", "recency", "n_periods", "alive"]


def test_native_models_behind_the_fitters(bgf, ggf):
    assert isinstance(bgf.model, ltv.BetaGeo) and bgf._model is bgf.model
    assert bgf.model.params["alpha"] == bgf.params_["alpha"]
    assert isinstance(ggf.model, ltv.GammaGamma)
    assert ggf.model.params["gamma"] == ggf.params_["v"]


# -- the contract with the native capabilities added for issue #12 -------------------------------
# The compatibility layer calls ParetoNBD.conditional_probability_of_purchases(x, t_x, T, *, n, t),
# BetaGeoBetaBinom.p_alive(x, t_x, n, *, ahead=m) and model.simulate(T, *, seed, size=None). These
# stand-ins record the calls, so the layer's side of the contract is checked in any build.


class _RecordingParetoNBD(ltv.ParetoNBD):
    calls = []

    def conditional_probability_of_purchases(self, frequency, recency, T, *, n, t):
        self.calls.append((np.asarray(frequency).copy(), n, t))
        return np.full(len(frequency), 0.25)


class _RecordingBGBB(ltv.BetaGeoBetaBinom):
    calls = []

    def p_alive(self, frequency, recency, n_periods, *, ahead=0):
        self.calls.append(ahead)
        return np.full(len(frequency), 0.5 if ahead else 0.75)

    def simulate(self, T, *, seed, size=None):
        T = np.asarray(T, dtype=float)
        self.calls.append(("simulate", len(T), seed, size))
        return {"frequency": np.zeros(len(T)), "recency": np.zeros(len(T)), "n_periods": T,
                "alive": np.ones(len(T))}


def test_native_contract_conditional_pmf_and_bgbb_ahead(donations):
    class Fitter(ParetoNBDFitter):
        _native_class = _RecordingParetoNBD

    ptf = Fitter()
    ptf.params_ = pd.Series([0.55, 10.58, 0.61, 11.67], index=["r", "alpha", "s", "beta"])
    _RecordingParetoNBD.calls.clear()
    out = ptf.conditional_probability_of_n_purchases_up_to_time(
        np.array([0, 1, 1]), 5.0, np.array([1, 2, 3]), np.array([1, 2, 3]), 10.0)
    np.testing.assert_array_equal(out, [0.25, 0.25, 0.25])
    assert [(c[1], c[2]) for c in _RecordingParetoNBD.calls] == [(0.0, 5.0), (1.0, 5.0)]
    np.testing.assert_array_equal(_RecordingParetoNBD.calls[1][0], [2, 3])

    class BB(BetaGeoBetaBinomFitter):
        _native_class = _RecordingBGBB

    bb = BB()
    bb.params_ = pd.Series([1.2, 0.75, 0.66, 2.78], index=["alpha", "beta", "gamma", "delta"])
    _RecordingBGBB.calls.clear()
    p = bb.conditional_probability_alive(np.array([0, 1]), 2, 3, 6)
    np.testing.assert_array_equal(p, [0.75, 0.5])
    assert _RecordingBGBB.calls == [0, 1]
    bb.data = pd.DataFrame({"frequency": [0, 1], "recency": [0, 1], "n_periods": [6, 5],
                            "weights": [2, 1]})
    sim = bb.generate_new_data(size=4, seed=9)
    assert _RecordingBGBB.calls[-1] == ("simulate", 4, 9, None)
    assert sim["n_periods"].tolist() == [6, 6, 5, 6]


def test_datasets_and_module_surface(donations):
    # lifetimes' loaders and their frames (lifetimes/datasets/__init__.py)
    assert list(donations.columns) == ["frequency", "recency", "periods", "weights"]
    assert donations["weights"].sum() == 11104  # Fader, Hardie & Shang 2010: the 1995 cohort
    money = load_cdnow_summary_data_with_monetary_value()
    assert money.index.name == "customer_id" and len(money) == 2357
    import ltv.lifetimes as lt

    assert lt.plotting.plot_period_transactions is not None
    assert set(lt.__all__) >= {"BetaGeoFitter", "ParetoNBDFitter", "GammaGammaFitter",
                               "ModifiedBetaGeoFitter", "BetaGeoBetaBinomFitter"}
    with pytest.raises(ValueError, match="size"):
        lt.generate_data.beta_geometric_nbd_model([1.0, 2.0], 0.24, 4.4, 0.79, 2.4, size=3)


@pytest.mark.skipif(not hasattr(ltv.BetaGeo, "simulate"),
                    reason="native model.simulate not in this build")
def test_generate_data_functions():
    from ltv.lifetimes import generate_data

    frame = generate_data.beta_geometric_nbd_model(38.86, 0.24, 4.41, 0.79, 2.43, size=200, seed=1)
    assert list(frame.columns) == ["frequency", "recency", "T", "alive"] and len(frame) == 200
    frame = generate_data.pareto_nbd_model(np.full(50, 30.0), 0.55, 10.6, 0.61, 11.7, size=50,
                                           seed=2)
    assert (frame["recency"] <= frame["T"]).all()
    frame = generate_data.beta_geometric_beta_binom_model(6, 1.2, 0.75, 0.66, 2.78, size=100,
                                                          seed=3)
    assert list(frame.columns) == ["frequency", "recency", "n_periods", "alive"]
    assert (frame["frequency"] <= frame["n_periods"]).all()
