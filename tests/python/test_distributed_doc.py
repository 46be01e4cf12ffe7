# SPDX-License-Identifier: Apache-2.0
"""docs/distributed.md stays true (issue 13).

* Its Dask blocks run, in order, in one namespace (Dask's synchronous scheduler), on CDNOW.
* Spark is not in Debian: the pandas functions of its Spark recipe (every ``def`` of the Spark
  section's blocks) are extracted and run on pandas input as Spark would call them —
  ``applyInPandas`` with one frame per hash bucket of customers, ``mapInPandas`` with an iterator
  of batches and the function shipped by (cloud)pickle — and their results checked against the
  single-machine path; the schemas the recipe declares name the columns the functions return.

A ```python block right after a ``<!-- not run ... -->`` line only has to parse (it starts a
cluster); blocks that use Spark (``spark``, ``pyspark``) are never run.
"""

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import ltv

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "distributed.md"
_FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_NOT_RUN = re.compile(r"<!--\s*not run[^>]*-->\s*\Z", re.S)
_SPARK = re.compile(r"\bspark\b|pyspark")


def _blocks():
    """(line, code, section, not_run) of every ```python block of the doc."""
    text = DOC.read_text()
    out = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()]
        headings = re.findall(r"^## (.*)$", before, re.M)
        out.append((before.count("\n") + 1, match.group(1), headings[-1] if headings else "",
                    _NOT_RUN.search(before) is not None))
    return out


def _spark_blocks():
    return [(line, code) for line, code, section, _ in _blocks() if section.startswith("Spark")]


def test_the_doc_has_both_paths():
    sections = {section.split(":")[0] for _, _, section, _ in _blocks()}
    assert {"Dask", "Spark"} <= sections
    assert len(_spark_blocks()) >= 5
    assert "SummaryState.merge(other)" in DOC.read_text()


@pytest.mark.parametrize("line, code", [(b[0], b[1]) for b in _blocks()], ids=lambda v: str(v)
                         if isinstance(v, int) else "")
def test_block_parses(line, code):
    ast.parse(code, filename=f"docs/distributed.md:{line}")


def test_dask_blocks_run():
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.dataframe")
    namespace = {}
    ran = 0
    with dask.config.set(scheduler="synchronous"):
        for line, code, section, not_run in _blocks():
            if not section.startswith("Dask") or not_run or _SPARK.search(code):
                continue
            exec(compile(code, f"docs/distributed.md:{line}", "exec"), namespace)
            ran += 1
    assert ran >= 1
    rfm, bgnbd, top = namespace["rfm"], namespace["bgnbd"], namespace["top"]
    assert (len(rfm), rfm["weight"].sum()) == (11104, 23570)     # the numbers the doc prints
    assert bgnbd.time_unit == "week" and bgnbd.fit_report["converged"]
    assert list(top.columns) == ["p_alive", "expected_purchases", "expected_spend", "clv"]
    assert len(top) == 5 and top["clv"].is_monotonic_decreasing


# ---- the Spark recipe's pandas functions --------------------------------------------------------

@pytest.fixture(scope="module")
def recipe():
    """The functions the Spark section defines (its imports and defs, nothing that needs Spark)."""
    namespace = {}
    for line, code in _spark_blocks():
        tree = ast.parse(code)
        keep = [node for node in tree.body
                if isinstance(node, ast.FunctionDef)
                or (isinstance(node, (ast.Import, ast.ImportFrom))
                    and "pyspark" not in ast.unparse(node))]
        exec(compile(ast.Module(body=keep, type_ignores=[]), f"docs/distributed.md:{line}",
                     "exec"), namespace)
    for name in ("make_summarizer", "fit_on_patterns", "make_scorer"):
        assert callable(namespace.get(name)), f"the Spark recipe no longer defines {name}"
    return namespace


def _schema_columns(text):
    """Column names of a Spark DDL schema string ("a long, b double")."""
    return [field.split()[0] for field in text.split(",")]


def _declared_schemas():
    """The schema strings the Spark blocks pass: ``schema = "..."`` and mapInPandas' second
    argument."""
    found = {}
    for _, code in _spark_blocks():
        for node in ast.walk(ast.parse(code)):
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                    and [getattr(t, "id", None) for t in node.targets] == ["schema"]):
                found["applyInPandas"] = _schema_columns(node.value.value)
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "mapInPandas"):
                found["mapInPandas"] = _schema_columns(ast.literal_eval(node.args[1]))
    return found


@pytest.fixture(scope="module")
def cdnow():
    """CDNOW's transactions with the recipe's column names, and the single-machine summary."""
    t = ltv.datasets.load_cdnow_transactions().rename(columns={"dollar_value": "amount"})
    t = t[["customer_id", "date", "amount"]]
    whole = ltv.summarize(t.customer_id, t.date, t.amount, observation_end=t.date.max(),
                          time_unit="week").to_pandas()
    return t, whole


def _patterns(summary, columns):
    """What Spark's groupBy(columns).agg(count) gives, in an arbitrary row order."""
    rows = summary[columns]
    if "monetary_value" in columns:
        rows = rows[rows["frequency"] > 0]
    table = rows.groupby(columns).size().rename("weight").reset_index()
    return table.sample(frac=1.0, random_state=3).reset_index(drop=True)   # Spark's order: any


def test_summaries_per_bucket_equal_the_whole_log(recipe, cdnow):
    transactions, whole = cdnow
    observation_end = transactions.date.max().date()     # Spark's F.max("date"): a datetime.date
    summarize_group = recipe["make_summarizer"](observation_end, time_unit="week")
    bucket = transactions.customer_id % 7                 # whole customers per group
    parts = [summarize_group(rows) for _, rows in transactions.groupby(bucket)]
    assert len(parts) == 7
    got = pd.concat(parts, ignore_index=True)
    assert list(got.columns) == _declared_schemas()["applyInPandas"]
    got = got.set_index("customer_id").sort_index()
    pd.testing.assert_frame_equal(got, whole.sort_index(), check_exact=True)

    # dates as Spark hands a DateType column to pandas: datetime.date objects
    rows = transactions[bucket == 3]
    as_dates = rows.assign(date=[d.date() for d in rows["date"]])
    pd.testing.assert_frame_equal(summarize_group(as_dates), summarize_group(rows),
                                  check_exact=True)


def test_fit_on_patterns_equals_the_single_machine_fit(recipe, cdnow):
    _, whole = cdnow
    rfm = _patterns(whole, ["frequency", "recency", "T"])
    spend = _patterns(whole, ["frequency", "monetary_value"])
    bgnbd, gg = recipe["fit_on_patterns"](rfm, spend, time_unit="week")
    assert bgnbd.time_unit == "week"
    # the same patterns in sorted order (as ltv.dask.patterns gives them), fitted directly:
    # every bit equal, whatever order Spark's groupBy returned them in
    ordered = rfm.sort_values(["frequency", "recency", "T"], ignore_index=True)
    direct = ltv.BetaGeo().fit(ordered["frequency"], ordered["recency"], ordered["T"],
                               weights=ordered["weight"])
    assert bgnbd.params == direct.params
    # every customer's row: the same maximum to the optimiser's tolerance
    every_row = ltv.BetaGeo().fit(whole["frequency"], whole["recency"], whole["T"])
    for name, value in every_row.params.items():
        assert bgnbd.params[name] == pytest.approx(value, rel=1e-4), name
    repeat = whole[whole["frequency"] > 0]
    every_spend = ltv.GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])
    for name, value in every_spend.params.items():
        assert gg.params[name] == pytest.approx(value, rel=1e-4), name


def test_scores_of_batches_equal_the_single_machine_scores(recipe, cdnow):
    cloudpickle = pytest.importorskip("cloudpickle")   # what Spark ships functions with
    _, whole = cdnow
    rfm = _patterns(whole, ["frequency", "recency", "T"])
    spend = _patterns(whole, ["frequency", "monetary_value"])
    bgnbd, gg = recipe["fit_on_patterns"](rfm, spend, time_unit="week")
    options = dict(periods=12, period_length=4.345, discount_rate=0.01)
    scorer = recipe["make_scorer"](bgnbd, gg, t=52, **options)
    scorer = cloudpickle.loads(cloudpickle.dumps(scorer))   # the models travel pickled
    frame = whole.reset_index()
    batches = (frame.iloc[i:i + 5000] for i in range(0, len(frame), 5000))   # Arrow batches
    got = pd.concat(list(scorer(batches)), ignore_index=True)
    assert list(got.columns) == _declared_schemas()["mapInPandas"]
    got = got.set_index("customer_id")
    assert got.index.equals(whole.index) and got.notna().all().all()

    f, r, T, m = (whole[c] for c in ("frequency", "recency", "T", "monetary_value"))
    # per customer: every bit equal
    pd.testing.assert_series_equal(got["p_alive"], bgnbd.p_alive(f, r, T), check_exact=True,
                                   check_names=False)
    pd.testing.assert_series_equal(got["expected_spend"], gg.expected_spend(f, m),
                                   check_exact=True, check_names=False)
    # batches below 20 000 rows are bit-identical to the per-customer formula; the whole
    # summary (23 570 rows) may read a tabulated curve, within ~1e-15 relative
    # (include/ltv/detail/bg_family/curve_table.hpp; tests/cpp/test_bgnbd.cpp checks 1e-13)
    expected = {
        "expected_purchases": bgnbd.expected_purchases(52, f, r, T),
        "clv": ltv.customer_lifetime_value(bgnbd, gg, f, r, T, m, **options),
    }
    for column, want in expected.items():
        np.testing.assert_allclose(got[column].to_numpy(), want.to_numpy(), rtol=1e-13, atol=0)
    one = whole.iloc[:1]
    assert got["clv"].iloc[0] == ltv.customer_lifetime_value(
        bgnbd, gg, one["frequency"], one["recency"], one["T"], one["monetary_value"],
        **options).iloc[0]
