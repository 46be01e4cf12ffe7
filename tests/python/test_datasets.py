# SPDX-License-Identifier: Apache-2.0
"""ltv.datasets (issue 12): every loader's shape, columns, dtypes and first row, against the files
described in tests/data/SOURCES.md and examples/data/SOURCES.md; path() without pandas."""

import builtins
import hashlib
import importlib
import sys

import numpy as np
import pytest

import ltv
import references as refs
from ltv import datasets

pd = pytest.importorskip("pandas")


def _md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name, md5", [
    ("cdnow_customers_summary.csv", "ac9313932a39dd36cd43c78681ef13b6"),
    ("cdnow_customers_summary_with_transactions.csv", "6e7ae02a35c0f2914b03ea87179ac09c"),
    ("example_transactions.csv", "e97428d173105f6e72cc54756feeae92"),
    ("donations.csv", "e8d78096591dd10765dcb109a872bb59"),
    ("CDNOW_sample.txt", "bc36b42c242f7c5653b36ad90a2807bd"),
    ("CDNOW_master.txt", "37ee2da5127d4a369d6fe0052678624d"),
])
def test_path_finds_the_bundled_files(name, md5):
    p = datasets.path(name)
    assert p.is_file() and p.name == name
    assert _md5(p) == md5  # the byte-for-byte copies of SOURCES.md


def test_path_finds_the_source_notes():
    assert datasets.path("SOURCES.md").is_file()  # from the source tree
    assert (datasets._HERE / "NOTICE.md").is_file()


def test_path_refuses_unknown_names_and_folders():
    with pytest.raises(FileNotFoundError, match="cdnow_customers_summary.csv"):
        datasets.path("no_such_file.csv")
    with pytest.raises(ValueError, match="not a file name"):
        datasets.path("../README.md")


def test_load_cdnow_summary():
    df = datasets.load_cdnow_summary()
    assert df.shape == (2357, 4)
    assert list(df.columns) == ["ID", "frequency", "recency", "T"]
    assert list(df.dtypes) == [np.int64, np.int64, np.float64, np.float64]
    assert df.iloc[0].tolist() == [1, 2, 30.43, 38.86]
    indexed = datasets.load_cdnow_summary(index_col=[0])  # lifetimes' Quickstart call
    assert indexed.shape == (2357, 3) and indexed.index.name == "ID"
    assert indexed.loc[2].tolist() == [1, 1.71, 38.86]


def test_load_cdnow_summary_fits_fhl_2005():
    df = datasets.load_cdnow_summary(index_col=[0])
    params = ltv.BetaGeo().fit(df["frequency"], df["recency"], df["T"]).params
    for name, value in refs.fit("bgnbd", "cdnow")["params"].items():  # FHL 2005, section 5
        assert params[name] == refs.approx(value), name


def test_load_cdnow_summary_data_with_monetary_value_fits_gamma_gamma():
    df = datasets.load_cdnow_summary_data_with_monetary_value()
    returning = df[df["frequency"] > 0]
    params = ltv.GammaGamma().fit(returning["frequency"], returning["monetary_value"]).params
    for name, value in refs.fit("gg", "cdnow_spend")["params"].items():
        assert params[name] == refs.approx(value), name


def test_load_donations_fits_bgbb():
    d = datasets.load_donations()
    model = ltv.BetaGeoBetaBinom().fit(d["frequency"], d["recency"], d["periods"],
                                       weights=d["weights"])
    for name, value in refs.fit("bgbb", "donations")["params"].items():  # FHS 2010
        assert model.params[name] == refs.approx(value), name


def test_load_cdnow_summary_data_with_monetary_value():
    df = datasets.load_cdnow_summary_data_with_monetary_value()
    assert df.shape == (2357, 4)
    assert df.index.name == "customer_id"
    assert list(df.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert list(df.dtypes) == [np.int64, np.float64, np.float64, np.float64]
    assert df.index.dtype == np.int64
    assert df.loc[1].tolist() == [2, 30.43, 38.86, 22.35]
    assert (df["frequency"] > 0).sum() == 946  # Fader & Hardie's Gamma-Gamma data


def test_load_transaction_data():
    df = datasets.load_transaction_data()
    assert df.shape == (15273, 2)
    assert list(df.columns) == ["date", "id"]
    assert df["date"].dtype == object and df["id"].dtype == np.int64
    assert df.iloc[0].tolist() == ["2014-03-08 00:00:00", 0]
    parsed = datasets.load_transaction_data(parse_dates=["date"])
    assert pd.api.types.is_datetime64_any_dtype(parsed["date"])
    assert parsed["date"].min() >= pd.Timestamp("2014-01-01")
    assert parsed["date"].max() <= pd.Timestamp("2014-12-31")


def test_load_cdnow_transactions_master():
    df = datasets.load_cdnow_transactions()
    assert df.shape == (69659, 4)
    assert list(df.columns) == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert df["customer_id"].dtype == np.int64
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert df["number_of_cds"].dtype == np.int64 and df["dollar_value"].dtype == np.float64
    assert df.iloc[0].tolist() == [1, pd.Timestamp("1997-01-01"), 1, 11.77]
    assert df["customer_id"].nunique() == 23570
    assert df["date"].min() == pd.Timestamp("1997-01-01")
    assert df["date"].max() == pd.Timestamp("1998-06-30")


def test_load_cdnow_transactions_sample():
    df = datasets.load_cdnow_transactions(sample=True)
    assert df.shape == (6919, 5)
    assert list(df.columns) == ["customer_id", "sample_id", "date", "number_of_cds",
                                "dollar_value"]
    assert list(df.dtypes[["customer_id", "sample_id", "number_of_cds"]]) == [np.int64] * 3
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert df.iloc[0].tolist() == [4, 1, pd.Timestamp("1997-01-01"), 2, 29.33]
    assert df["sample_id"].nunique() == 2357
    # the summary's ID is the sample id: customer 1 has 2 repeat purchases, the last 30.43 weeks
    # after the first, before 1997-10-01
    one = df[(df["sample_id"] == 1) & (df["date"] < pd.Timestamp("1997-10-01"))]
    assert one["date"].nunique() == 3
    assert (one["date"].max() - one["date"].min()).days / 7 == pytest.approx(30.43, abs=0.01)


def test_load_cdnow_transactions_kwargs_pass_through():
    df = datasets.load_cdnow_transactions(nrows=5)
    assert len(df) == 5 and pd.api.types.is_datetime64_any_dtype(df["date"])
    only = datasets.load_cdnow_transactions(usecols=["customer_id", "dollar_value"])
    assert list(only.columns) == ["customer_id", "dollar_value"]


def test_load_cdnow_transactions_summarizes():
    df = datasets.load_cdnow_transactions()
    s = ltv.summarize(df.customer_id, df.date, df.dollar_value, observation_end="1998-06-30")
    assert len(s.to_pandas()) == 23570


def test_load_donations():
    df = datasets.load_donations()
    assert df.shape == (22, 4)
    assert list(df.columns) == ["frequency", "recency", "periods", "weights"]
    assert list(df.dtypes) == [np.int64] * 4
    assert df.iloc[0].tolist() == [0, 0, 6, 3464]
    assert df["weights"].sum() == 11104


def test_load_dataset():
    df = datasets.load_dataset("donations.csv", usecols=["weights"])
    assert list(df.columns) == ["weights"] and len(df) == 22
    grocery = datasets.load_dataset("grocery_elog.csv")  # the source tree's examples/data
    assert list(grocery.columns) == ["cust", "date"] and len(grocery) == 10483


def test_loaders_without_pandas_say_so(monkeypatch):
    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match=r"load_cdnow_summary needs pandas.*ltv\[pandas\]"):
        datasets.load_cdnow_summary()
    assert datasets.path("donations.csv").is_file()  # path() needs no pandas


def test_import_ltv_does_not_import_pandas_for_datasets():
    """ltv.datasets imports pandas only in its loaders."""
    source = (datasets._HERE / "__init__.py").read_text()
    module_level = [line for line in source.splitlines()
                    if line.startswith(("import pandas", "from pandas"))]
    assert module_level == []
    assert importlib.import_module("ltv.datasets") is sys.modules["ltv.datasets"]
