# SPDX-License-Identifier: Apache-2.0
"""One model per segment (issue 13): ltv.fit_segments / ltv.SegmentedModel and the CLI's
--segment-column. The CDNOW sample (tests/data/cdnow_customers_summary_with_transactions.csv)
split into three synthetic segments by customer id modulo 3: every segment's model must equal the
model class fitted on that subset alone (bit for bit), and every score the subset model's."""

import copy
import io
import json
import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ltv
import references as refs

DATA = Path(__file__).resolve().parents[1] / "data"
CLI = os.environ.get("LTV_CLI", "")


@pytest.fixture(scope="module")
def cdnow():
    df = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    df = df.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
    df.index = pd.Index(df["ID"].map(lambda i: f"c{i}"), name="customer")  # kept by scores
    df["store"] = np.array(["north", "south", "east"])[df["ID"] % 3]
    return df


def frame_for(cls, df):
    """The CDNOW rows in the columns the model class is fitted on (a discrete-time model gets
    whole periods: n = ⌊T⌋, t_x = ⌊recency⌋, x ≤ t_x)."""
    if cls.data == "spend":
        out = df[["frequency", "monetary_value", "store"]].copy()
        return out[out["frequency"] > 0]
    age = cls._age_name
    if age == "T":
        return df[["frequency", "recency", "T", "store"]].copy()
    n = np.floor(df["T"])
    tx = np.floor(df["recency"])
    x = np.minimum(df["frequency"], tx)
    return pd.DataFrame({"frequency": x, "recency": np.where(x > 0, tx, 0), age: n,
                         "store": df["store"]}, index=df.index)


configured = refs.configured


def per_customer_classes():
    """Every registered model class fitted on per-customer rows (the registry, not a list)."""
    return [c for c in ltv.MODEL_CLASSES.values() if c.data in ("rfm", "spend")]


def scores_of(model_or_seg, cls, frame, segments=None):
    """{capability: values} of every per-customer score the class has."""
    extra = () if segments is None else (segments,)
    age = cls._age_name
    out = {}
    if cls.data == "spend":
        out["spend"] = model_or_seg.expected_spend(frame["frequency"], frame["monetary_value"],
                                                   *extra)
        return out
    cols = (frame["frequency"], frame["recency"], frame[age])
    out["p_alive"] = model_or_seg.p_alive(*cols, *extra)
    out["conditional_purchases"] = model_or_seg.expected_purchases(2, *cols, *extra)
    if cls.supports("log_likelihood"):
        out["log_likelihood"] = model_or_seg.individual_log_likelihood(*cols, *extra)
    if cls.supports("dert"):
        out["dert"] = model_or_seg.discounted_expected_residual_transactions(0.05, *cols, *extra)
    return out


def test_every_model_per_segment_equals_each_subset_fitted_alone(cdnow):
    classes = per_customer_classes()
    assert len(classes) >= 5  # BG/NBD, MBG/NBD, Gamma-Gamma, Pareto/NBD, BG/BB today
    for cls in classes:
        frame = frame_for(cls, cdnow)
        seg = ltv.fit_segments(configured(cls), frame, segments="store", threads=2)
        assert seg.model_class is cls
        assert seg.labels == ["east", "north", "south"]  # byte order
        assert sum(seg.customers.values()) == len(frame)
        scores = scores_of(seg, cls, frame, frame["store"])
        for label, model in seg.models.items():
            part = frame[frame["store"] == label]
            alone = (cls().fit(part["frequency"], part["monetary_value"]) if cls.data == "spend"
                     else configured(cls).fit(part.drop(columns="store")))
            assert model.params == alone.params, (cls.__name__, label)  # bit for bit
            assert seg.customers[label] == len(part)
            expect = scores_of(alone, cls, part)
            for cap, values in scores.items():
                assert isinstance(values, pd.Series) and values.index.equals(frame.index)
                np.testing.assert_array_equal(values[part.index].to_numpy(),
                                              expect[cap].to_numpy(), err_msg=f"{cls} {cap}")


def test_labels_of_any_dtype_and_the_options_of_a_prototype(cdnow):
    ids = cdnow["ID"].to_numpy() % 2  # integer labels 0 and 1
    proto = ltv.BetaGeo(penalizer=0.01)
    seg = ltv.fit_segments(proto, cdnow, segments=ids)
    assert seg.labels == ["0", "1"]
    assert seg[1].params == seg.models["1"].params and 1 in seg and 7 not in seg
    alone = ltv.BetaGeo(penalizer=0.01).fit(cdnow[ids == 1])
    assert seg[1].params == alone.params
    # float labels that are whole numbers key as integers; a name gives the class
    seg_f = ltv.fit_segments("bgnbd", cdnow, segments=ids.astype(float))
    assert seg_f.labels == ["0", "1"]
    assert seg_f[1.0].params == ltv.BetaGeo().fit(cdnow[ids == 1]).params != alone.params
    # a fix.* option of the prototype holds in every segment
    fixed = ltv.fit_segments(ltv.BetaGeo().set_option("fix.b", 2.5), cdnow, segments=ids)
    assert all(m.params["b"] == 2.5 for m in fixed.models.values())


def test_scores_keep_shapes_and_the_pandas_index(cdnow):
    seg = ltv.fit_segments(ltv.BetaGeo, cdnow, segments="store")
    north = seg["north"]
    # numpy in → numpy out; one customer's scalars → a float
    got = seg.p_alive(cdnow["frequency"].to_numpy(), cdnow["recency"].to_numpy(),
                      cdnow["T"].to_numpy(), cdnow["store"].to_numpy())
    assert isinstance(got, np.ndarray) and got.shape == (len(cdnow),)
    one = seg.p_alive(2, 30.43, 38.86, ["north"])
    assert isinstance(one, float) and one == north.p_alive(2, 30.43, 38.86)
    # ahead= (a capability of the model) passes through
    if ltv.BetaGeo.supports("p_alive_ahead"):
        assert seg.p_alive(2, 30.43, 38.86, ["north"], ahead=4) == north.p_alive(
            2, 30.43, 38.86, ahead=4)


def test_files_pickles_copies_and_repr(cdnow, tmp_path):
    seg = ltv.fit_segments(ltv.BetaGeo, cdnow, segments="store", pooled=True)
    text = seg.to_json()
    doc = json.loads(text)
    assert doc["format"] == "ltv-segments" and doc["model"] == "bgnbd"
    assert [s["label"] for s in doc["segments"]] == ["east", "north", "south"]
    assert doc["pooled"]["customers"] == len(cdnow)
    assert doc["segments"][0]["model"]["format"] == "ltv-model"
    cols = (cdnow["frequency"], cdnow["recency"], cdnow["T"], cdnow["store"])
    expect = seg.p_alive(*cols)
    for other in (ltv.segments_from_json(text), pickle.loads(pickle.dumps(seg)),
                  copy.deepcopy(seg), ltv.load_segments(seg.save(tmp_path / "s.json") and
                                                        tmp_path / "s.json")):
        assert other.labels == seg.labels
        pd.testing.assert_series_equal(other.p_alive(*cols), expect)
        assert other.pooled.params == seg.pooled.params
    r = repr(seg)
    assert r.startswith("SegmentedModel(BetaGeo; customers {'east': ") and "pooled" in r
    assert repr(ltv.SegmentedModel(ltv.ParetoNBD)) == "SegmentedModel(ParetoNBD, not fitted)"
    unfitted = pickle.loads(pickle.dumps(ltv.SegmentedModel("pnbd", min_customers=5)))
    assert unfitted.min_customers == 5 and unfitted.model_class is ltv.ParetoNBD


def test_pooled_model_scores_small_and_new_segments(cdnow):
    labels = cdnow["store"].to_numpy().copy()
    labels[:3] = "kiosk"  # a segment of 3 customers
    with pytest.raises(ltv.InvalidArgumentError,
                       match="segment 'kiosk' has 3 customers, fewer than min_customers = 10"):
        ltv.fit_segments(ltv.BetaGeo, cdnow, segments=labels, min_customers=10)
    seg = ltv.fit_segments(ltv.BetaGeo, cdnow, segments=labels, min_customers=10, pooled=True)
    assert "kiosk" not in seg.labels
    pooled = ltv.BetaGeo().fit(cdnow)
    assert seg.pooled.params == pooled.params
    new = labels.copy()
    new[5] = "airport"  # never seen in the fit
    got = seg.expected_purchases(10, cdnow["frequency"], cdnow["recency"], cdnow["T"], new)
    for i in (0, 1, 2, 5):
        assert got.iloc[i] == pooled.expected_purchases(
            10, cdnow["frequency"].iloc[i], cdnow["recency"].iloc[i], cdnow["T"].iloc[i])


def test_errors_name_the_row_the_label_and_the_segment(cdnow):
    seg = ltv.fit_segments(ltv.BetaGeo, cdnow, segments="store")
    cols = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    labels = cdnow["store"].to_numpy().copy()
    labels[4] = "west"
    with pytest.raises(ltv.InvalidArgumentError,
                       match="customer row 4 has segment 'west', which has no model"):
        seg.p_alive(*cols, labels)
    missing = cdnow["store"].to_numpy().astype(object)
    missing[7] = None
    with pytest.raises(ltv.InvalidArgumentError, match=r"'segments\[7\]' is missing"):
        seg.p_alive(*cols, missing)
    # pandas' NA and NaT are missing too, not the labels "<NA>" and "NaT" (found in review)
    for na in (pd.NA, pd.NaT):
        missing[7] = na
        with pytest.raises(ltv.InvalidArgumentError, match=r"'segments\[7\]' is missing"):
            seg.p_alive(*cols, pd.Series(missing, dtype=object))
    pooled = ltv.fit_segments(ltv.BetaGeo, cdnow, segments="store", pooled=True)
    with pytest.raises(ltv.InvalidArgumentError, match=r"'segments\[7\]' is missing"):
        pooled.p_alive(*cols, pd.Series(missing, dtype=object))
    assert np.nan not in seg and float("inf") not in seg
    with pytest.raises(KeyError):
        seg[np.nan]
    with pytest.raises(ltv.InvalidArgumentError, match=r"'segments\[2\]' is missing"):
        ltv.fit_segments(ltv.BetaGeo, cdnow, segments=[1.0, 2.0, np.nan] + [1.0] * (len(cdnow) - 3))
    with pytest.raises(ltv.InvalidArgumentError, match="has 3 labels but there are"):
        seg.p_alive(*cols, ["north"] * 3)
    with pytest.raises(ltv.InvalidArgumentError, match="the segment label of customer row 0 is empty"):
        seg.p_alive(*cols, [""] + list(cdnow["store"])[1:])
    # a history no customer can have: the input row (not the segment's) and the segment
    bad_recency = cdnow["recency"].to_numpy().copy()
    bad_recency[10] = cdnow["T"].iloc[10] + 1
    with pytest.raises(ltv.InvalidArgumentError, match=r"segment '\w+'.*recency\[10\]"):
        seg.p_alive(cdnow["frequency"].to_numpy(), bad_recency, cdnow["T"].to_numpy(),
                    cdnow["store"].to_numpy())
    # a capability the model lacks; a model not fitted on customer rows
    with pytest.raises(ltv.InvalidArgumentError, match="dert is not available for the BG/NBD"):
        seg.discounted_expected_residual_transactions(0.1, *cols, cdnow["store"])
    with pytest.raises(ltv.InvalidArgumentError, match="cannot be fitted per segment"):
        ltv.fit_segments([c for c in ltv.MODEL_CLASSES.values() if c.data == "survivors"][0],
                         cdnow, segments="store")
    with pytest.raises(ltv.InvalidArgumentError, match="'nowhere' is not a column"):
        ltv.fit_segments(ltv.BetaGeo, cdnow, segments="nowhere")
    with pytest.raises(ltv.InvalidArgumentError, match="names no model"):
        ltv.fit_segments("nomodel", cdnow, segments="store")
    # a segment whose fit fails: its name and size (one customer cannot identify BG/NBD)
    one = cdnow["store"].to_numpy().copy()
    one[0] = "solo"
    with pytest.raises(ltv.LtvError, match=r"segment 'solo' \(1 customer\)"):
        ltv.fit_segments(ltv.BetaGeo, cdnow, segments=one)
    with pytest.raises(ltv.NotFittedError):
        ltv.SegmentedModel(ltv.BetaGeo).p_alive(*cols, cdnow["store"])
    with pytest.raises(ltv.ParseError if hasattr(ltv, "ParseError") else ltv.LtvError,
                       match="not an ltv segments file"):
        ltv.segments_from_json('{"format": "ltv-model"}')


# ---- CLV per segment ------------------------------------------------------------------------

CLV_OPTIONS = {"periods": 6, "period_length": 4.345, "discount_rate": 0.01}


def test_clv_per_segment_equals_the_plain_clv_of_each_subset(cdnow):
    seg = ltv.fit_segments(ltv.BetaGeo, cdnow, segments="store")
    buyers = frame_for(ltv.GammaGamma, cdnow)
    gg_seg = ltv.fit_segments(ltv.GammaGamma, buyers, segments="store")
    gg = ltv.GammaGamma().fit(buyers["frequency"], buyers["monetary_value"])
    cols = (cdnow["frequency"], cdnow["recency"], cdnow["T"], cdnow["monetary_value"])
    got = seg.customer_lifetime_value(gg_seg, *cols, segments=cdnow["store"], **CLV_OPTIONS)
    got_one = seg.customer_lifetime_value(gg, *cols, segments=cdnow["store"], **CLV_OPTIONS)
    assert isinstance(got, pd.Series) and got.index.equals(cdnow.index)
    for label in seg.labels:
        sub = cdnow[cdnow["store"] == label]
        sub_cols = (sub["frequency"], sub["recency"], sub["T"], sub["monetary_value"])
        expect = ltv.customer_lifetime_value(seg[label], gg_seg[label], *sub_cols, **CLV_OPTIONS)
        np.testing.assert_array_equal(got[sub.index].to_numpy(), expect.to_numpy())  # bit for bit
        expect_one = ltv.customer_lifetime_value(seg[label], gg, *sub_cols, **CLV_OPTIONS)
        np.testing.assert_array_equal(got_one[sub.index].to_numpy(), expect_one.to_numpy())
        assert (got[sub.index] != got_one[sub.index]).any()  # the segment's own spend model
    # defaults: the library's (ltv.clv_defaults()), as for ltv.customer_lifetime_value
    default = seg.customer_lifetime_value(gg, 2, 30.43, 38.86, 22.35, segments=["north"])
    assert default == ltv.customer_lifetime_value(seg["north"], gg, 2, 30.43, 38.86, 22.35)


def test_clv_per_segment_pooled_spend_model_and_errors(cdnow):
    labels = cdnow["store"].to_numpy().copy()
    labels[:3] = "kiosk"
    seg = ltv.fit_segments(ltv.BetaGeo, cdnow, segments=labels, min_customers=10, pooled=True)
    buyers = frame_for(ltv.GammaGamma, cdnow.assign(store=labels))
    gg_seg = ltv.fit_segments(ltv.GammaGamma, buyers, segments="store", min_customers=10,
                              pooled=True)
    cols = (cdnow["frequency"], cdnow["recency"], cdnow["T"], cdnow["monetary_value"])
    got = seg.customer_lifetime_value(gg_seg, *cols, segments=labels)
    kiosk = cdnow.iloc[:3]
    expect = ltv.customer_lifetime_value(seg.pooled, gg_seg.pooled, kiosk["frequency"],
                                         kiosk["recency"], kiosk["T"], kiosk["monetary_value"])
    np.testing.assert_array_equal(got.iloc[:3].to_numpy(), expect.to_numpy())
    # without a pooled spend model: the row and the label
    gg_strict = ltv.fit_segments(ltv.GammaGamma, frame_for(ltv.GammaGamma, cdnow), "store")
    with pytest.raises(ltv.InvalidArgumentError,
                       match="customer row 0 has segment 'kiosk', which has no spend model"):
        seg.customer_lifetime_value(gg_strict, *cols, segments=labels)
    with pytest.raises(ltv.InvalidArgumentError, match="not a spend model"):
        seg.customer_lifetime_value(seg, *cols, segments=labels)
    with pytest.raises(ltv.InvalidArgumentError, match="has no CLV"):
        gg_seg.customer_lifetime_value(gg_seg, *cols, segments=labels)
    with pytest.raises(ltv.InvalidArgumentError, match="'spend_model' must be"):
        seg.customer_lifetime_value("gg", *cols, segments=labels)
    with pytest.raises(ltv.InvalidArgumentError, match="period_length"):
        seg.customer_lifetime_value(gg_seg, *cols, segments=labels, period_length=0)
    with pytest.raises(ltv.InvalidArgumentError, match="periods"):
        seg.customer_lifetime_value(gg_seg, *cols, segments=labels, periods=1.5)


# ---- segments from transactions ---------------------------------------------------------------

def orders():
    """A small log: three customers in two stores, one customer's rows out of date order."""
    return pd.DataFrame({
        "customer_id": ["a", "b", "a", "c", "b", "a", "c", "c"],
        "date": ["2024-01-01", "2024-01-02", "2024-02-01", "2024-01-05", "2024-03-01",
                 "2024-01-20", "2024-02-10", "2024-03-15"],
        "amount": [10.0, 5, 20, 8, 7, 4, 9, 12],
        "store": ["north", "south", "north", "south", "south", "north", "south", "south"]})


def test_summarize_carries_each_customers_segment():
    df = orders()
    s = ltv.summarize(df.customer_id, df.date, df.amount, segment=df.store)
    assert s.segment_column == "store"
    assert list(s.segment) == ["north", "south", "south"]  # customers a, b, c
    frame = s.to_pandas()
    assert list(frame.columns[:2]) == ["store", "frequency"]
    assert frame.loc["c", "store"] == "south"
    # the same summary without segments, and an array gives the column "segment"
    plain = ltv.summarize(df.customer_id, df.date, df.amount)
    np.testing.assert_array_equal(plain.frequency, s.frequency)
    assert plain.segment is None and "store" not in plain.to_pandas()
    s2 = ltv.summarize(df.customer_id, df.date, df.amount, segment=df.store.to_numpy())
    assert s2.segment_column == "segment" and list(s2.segment) == list(s.segment)
    # a TransactionLog, batch by batch
    log = ltv.TransactionLog(df.customer_id[:4], df.date[:4], df.amount[:4], segment=df.store[:4])
    log.add(df.customer_id[4:], df.date[4:], df.amount[4:], segment=df.store[4:])
    s3 = log.summarize()
    assert s3.segment_column == "store" and list(s3.segment) == list(s.segment)
    # then one model per segment by column name
    rng = np.random.default_rng(13)
    many = pd.concat([df.assign(customer_id=df.customer_id + str(k),
                                amount=rng.gamma(2.0, 10.0, len(df))) for k in range(40)])
    big = ltv.summarize(many.customer_id, many.date, many.amount, segment=many.store)
    seg = ltv.fit_segments(ltv.GammaGamma, big, segments="store", allow_no_convergence=True)
    assert seg.labels == ["north", "south"]
    assert seg.customers == {"north": 40, "south": 80}
    by_alias = ltv.fit_segments(ltv.GammaGamma, big, segments="segment",
                                allow_no_convergence=True)
    assert by_alias["south"].params == seg["south"].params
    north = big.segment == "north"
    alone = ltv.GammaGamma().fit(big.frequency[north], big.monetary_value[north],
                                 allow_no_convergence=True)
    assert seg["north"].params == alone.params


def test_a_customer_in_two_segments_is_an_error_naming_it():
    df = orders()
    df.loc[5, "store"] = "south"  # customer a: north on rows 0 and 2, south on row 5
    with pytest.raises(ltv.InvalidArgumentError,
                       match="customer 'a' has segment 'north' on row 0 but 'south' on row 5"):
        ltv.summarize(df.customer_id, df.date, df.amount, segment=df.store)
    log = ltv.TransactionLog(df.customer_id[:4], df.date[:4], segment=df.store[:4])
    with pytest.raises(ltv.InvalidArgumentError, match="on row 0 but 'south' on row 5"):
        log.add(df.customer_id[4:], df.date[4:], segment=df.store[4:])
    assert len(log) == 4  # the failing batch was not added
    with pytest.raises(ltv.InvalidArgumentError, match="not a column name"):
        ltv.summarize(df.customer_id, df.date, segment="store")
    with pytest.raises(ltv.InvalidArgumentError, match="has 3 labels but there are 8"):
        ltv.summarize(df.customer_id, df.date, segment=["x", "y", "z"])
    with pytest.raises(ltv.InvalidArgumentError, match=r"segment\[0\]' is missing"):
        ltv.summarize(df.customer_id, df.date, segment=[None] * 8)
    plain = ltv.summarize(df.customer_id, df.date, df.amount)
    with pytest.raises(ltv.InvalidArgumentError, match="it has no segments"):
        ltv.fit_segments(ltv.BetaGeo, plain, segments="store")


def test_files_read_back_min_customers_and_pooled(cdnow, tmp_path):
    seg = ltv.fit_segments(ltv.BetaGeo, cdnow, segments="store", min_customers=7, pooled=True)
    for back in (ltv.segments_from_json(seg.to_json()),
                 ltv.load_segments(seg.save(tmp_path / "s.json") and tmp_path / "s.json")):
        assert back.min_customers == 7 and back.pooled_model is True


# ---- the CLI ------------------------------------------------------------------------------------

def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


cli = pytest.mark.skipif(not CLI or not Path(CLI).exists(), reason="LTV_CLI not built")


@cli
def test_cli_fit_and_predict_per_segment(cdnow, tmp_path):
    summary = tmp_path / "summary.csv"
    frame = cdnow.reset_index()[["customer", "frequency", "recency", "T", "monetary_value",
                                 "store"]].rename(columns={"customer": "customer_id"})
    frame.to_csv(summary, index=False)
    out = tmp_path / "seg.json"
    r = run("fit", "--model", "bgnbd", str(summary), "--segment-column", "store", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "east" in r.stdout and "north" in r.stdout
    seg = ltv.load_segments(out)
    py = ltv.fit_segments(ltv.BetaGeo, cdnow, segments="store")
    for label, model in py.models.items():
        assert seg.models[label].params == model.params
    r = run("predict", "--model", str(out), str(summary), "--horizon", "39", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows[0]["customer_id"] == "c1" and rows[0]["segment"] == cdnow["store"].iloc[0]
    expect = py.expected_purchases(39, cdnow["frequency"], cdnow["recency"], cdnow["T"],
                                   cdnow["store"])
    got = np.array([row["expected_purchases"] for row in rows])
    np.testing.assert_allclose(got, expect.to_numpy(), rtol=1e-12)  # printed with 17 digits
    # a label without a model: the row and the label
    frame.loc[3, "store"] = "west"
    frame.to_csv(summary, index=False)
    r = run("predict", "--model", str(out), str(summary), "--horizon", "39")
    assert r.returncode != 0 and "customer row 3 has segment 'west'" in r.stderr
    # the summary without the column
    frame.drop(columns="store").to_csv(summary, index=False)
    r = run("predict", "--model", str(out), str(summary), "--horizon", "39")
    assert r.returncode != 0 and "store" in r.stderr


@cli
def test_cli_summarize_carries_the_segment_column(tmp_path):
    log = tmp_path / "orders.csv"
    log.write_text("customer_id,date,amount,store\n"
                   "a,2024-01-01,10,north\n"
                   "b,2024-01-02,5,south\n"
                   "a,2024-02-01,20,north\n"
                   "b,2024-03-01,7,south\n")
    r = run("summarize", str(log), "--segment-column", "store", "-o", str(tmp_path / "s.csv"))
    assert r.returncode == 0, r.stderr
    s = pd.read_csv(tmp_path / "s.csv")
    assert list(s["store"]) == ["north", "south"]
    # a customer in two segments: the customer, both values and their rows
    log.write_text(log.read_text() + "a,2024-03-05,1,south\n")
    r = run("summarize", str(log), "--segment-column", "store", "-o", str(tmp_path / "s.csv"))
    assert r.returncode != 0
    assert "customer 'a'" in r.stderr and "'north'" in r.stderr and "'south'" in r.stderr


@cli
def test_cli_predict_clv_per_segment(cdnow, tmp_path):
    summary, buyers = tmp_path / "summary.csv", tmp_path / "buyers.csv"
    frame = cdnow.reset_index()[["customer", "frequency", "recency", "T", "monetary_value",
                                 "store"]].rename(columns={"customer": "customer_id"})
    frame.to_csv(summary, index=False)
    frame[frame["frequency"] > 0].to_csv(buyers, index=False)
    seg_path, gg_path, gg_one = tmp_path / "seg.json", tmp_path / "gg.json", tmp_path / "gg1.json"
    for args in (("--model", "bgnbd", str(summary), "--segment-column", "store", "-o", seg_path),
                 ("--model", "gg", str(buyers), "--segment-column", "store", "-o", gg_path),
                 ("--model", "gg", str(buyers), "-o", gg_one)):
        r = run("fit", *map(str, args))
        assert r.returncode == 0, r.stderr
    seg, gg_seg = ltv.load_segments(seg_path), ltv.load_segments(gg_path)
    gg = ltv.load_model(gg_one)
    cols = (cdnow["frequency"], cdnow["recency"], cdnow["T"], cdnow["monetary_value"])
    clv_args = ("--periods", "6", "--period-length", "4.345", "--discount-rate", "0.01")
    for spend, spend_path in ((gg_seg, gg_path), (gg, gg_one)):
        r = run("predict", "--model", str(seg_path), "--spend-model", str(spend_path),
                str(summary), "--horizon", "39", *clv_args)
        assert r.returncode == 0, r.stderr
        out = pd.read_csv(io.StringIO(r.stdout), float_precision="round_trip")
        assert list(out.columns) == ["customer_id", "segment", "expected_purchases", "p_alive",
                                     "expected_spend", "clv"]
        expect = seg.customer_lifetime_value(spend, *cols, segments=cdnow["store"],
                                             **CLV_OPTIONS)
        # 17 significant digits: the CSV reads back bit for bit
        np.testing.assert_array_equal(out["clv"].to_numpy(), expect.to_numpy())
        if isinstance(spend, ltv.SegmentedModel):
            spent = spend.expected_spend(cdnow["frequency"], cdnow["monetary_value"],
                                         cdnow["store"])
        else:
            spent = spend.expected_spend(cdnow["frequency"], cdnow["monetary_value"])
        np.testing.assert_array_equal(out["expected_spend"].to_numpy(), spent.to_numpy())
    # a segments file as --spend-model needs one as --model too
    r = run("fit", "--model", "bgnbd", str(summary), "-o", str(tmp_path / "bg.json"))
    assert r.returncode == 0, r.stderr
    r = run("predict", "--model", str(tmp_path / "bg.json"), "--spend-model", str(gg_path),
            str(summary), "--horizon", "39")
    assert r.returncode != 0 and "needs a segments file as --model too" in r.stderr
    # a label without a spend model (no pooled one): the row and the label
    frame.loc[4, "store"] = "west"
    frame.to_csv(summary, index=False)
    r = run("predict", "--model", str(seg_path), "--spend-model", str(gg_path), str(summary),
            "--horizon", "39", "--segment-column", "store")
    assert r.returncode != 0 and "customer row 4 has segment 'west'" in r.stderr
