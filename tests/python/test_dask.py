# SPDX-License-Identifier: Apache-2.0
"""ltv.dask (issue 13): summaries, patterns, fits and scores on a Dask cluster equal the
single-machine path exactly.

The main test runs a ``distributed.LocalCluster`` of 2 worker processes (1 thread each) on a
log simulated from a BG/NBD population (tests/python/simulated_log.py), made on the workers, one
block per partition. Its size: 2 M rows in CI (the 10 M-row run takes over a minute on 2 shared
cores: benchmarks/dask/bench_dask.py runs it and docs/benchmarks.md has its figures);
``LTV_DASK_TEST_ROWS=10000000`` runs this test at 10 M. Under the sanitizer build (libasan
preloaded into Python, tests/CMakeLists.txt) the cluster's worker processes run the instrumented
library too, so the log is cut to 200 k rows there.

The other tests use Dask's synchronous scheduler on small logs: the global observation_end,
string ids, holdout columns, a log indexed by customer, the check that a log is partitioned by
customer, the shuffle that repartitions it, and the errors.
"""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import ltv  # noqa: E402
import ltv.dask as ldask  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import simulated_log  # noqa: E402

# distributed 2022.12 on Debian's tornado: its LocalCluster warns at start (not ltv's doing)
pytestmark = pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")

SANITIZER = "libasan" in os.environ.get("LD_PRELOAD", "")
CLUSTER_ROWS = int(os.environ.get("LTV_DASK_TEST_ROWS",
                                  200_000 if SANITIZER else 2_000_000))
CLUSTER_PARTITIONS = 8 if CLUSTER_ROWS >= 1_000_000 else 4
HORIZON = 90  # days: the horizon of expected_purchases in the scores


def single_machine(log, **options):
    """The reference: ltv.summarize on the whole log in one process, as a DataFrame."""
    return ltv.summarize(log.customer_id, log.date, log.amount, **options).to_pandas()


def reference_patterns(summary, columns):
    """The patterns of a pandas summary, by pandas alone (the driver-side definition)."""
    rows = summary[list(columns)]
    if list(columns) == list(ldask.SPEND_COLUMNS):
        rows = rows[rows["frequency"] > 0]
    table = rows.groupby(list(columns)).size().rename("weight").reset_index()
    return table.astype({"weight": np.int64})


def assert_identical(got, expected):
    """Same customers, same columns, same values to the last bit (order of rows aside)."""
    got = got.sort_index(kind="stable")
    expected = expected.sort_index(kind="stable")
    assert got.index.is_unique and expected.index.is_unique
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


# ---- the cluster: 2 worker processes -----------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        env=ldask.worker_environment())  # the workers load this ltv and this libltv.so
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_worker_processes_import_this_ltv(client):
    here = os.getpid()
    seen = client.run(lambda: (os.getpid(), __import__("ltv")._library.path,
                               __import__("ltv").__file__))
    assert len(seen) == 2
    for pid, library, package in seen.values():
        assert pid != here  # processes, not threads of this one
        assert os.path.samefile(library, ltv._library.path)
        assert os.path.samefile(package, ltv.__file__)


def test_cluster_equals_single_machine(client):
    rows_per_partition = CLUSTER_ROWS // CLUSTER_PARTITIONS
    log = simulated_log.dask_log(CLUSTER_PARTITIONS, rows_per_partition)

    # 1. summaries on the workers; observation_end: the whole log's last day, found once
    summary = ldask.summarize(log).persist()
    # 2.-3. patterns and weighted fits in the driver
    rfm = ldask.patterns(summary)
    spend = ldask.patterns(summary, ldask.SPEND_COLUMNS)
    bgnbd = ldask.fit(ltv.BetaGeo(), summary)
    gg = ldask.fit(ltv.GammaGamma(), summary)
    # 4. scores on the workers with the pickled models
    scores = ldask.score(bgnbd, summary, t=HORIZON, spend_model=gg).compute()
    got = summary.compute()

    # the single-machine path on the same rows
    whole = simulated_log.whole_log(CLUSTER_PARTITIONS, rows_per_partition)
    assert len(whole) == CLUSTER_ROWS
    expected = single_machine(whole)
    assert len(expected) > CLUSTER_ROWS // 8  # customers: a few purchases each
    assert_identical(got, expected)                         # x, t_x, T, monetary: every bit

    expected_rfm = reference_patterns(expected, ldask.RFM_COLUMNS)
    expected_spend = reference_patterns(expected, ldask.SPEND_COLUMNS)
    pd.testing.assert_frame_equal(rfm, expected_rfm, check_exact=True)
    pd.testing.assert_frame_equal(spend, expected_spend, check_exact=True)
    assert rfm["weight"].sum() == len(expected)
    assert spend["weight"].sum() == (expected["frequency"] > 0).sum()
    assert len(rfm) < len(expected)  # compressed: customers share patterns

    one_bgnbd = ltv.BetaGeo().fit(expected_rfm["frequency"], expected_rfm["recency"],
                                  expected_rfm["T"], weights=expected_rfm["weight"])
    one_gg = ltv.GammaGamma().fit(expected_spend["frequency"], expected_spend["monetary_value"],
                                  weights=expected_spend["weight"])
    assert bgnbd.params == one_bgnbd.params                # the same patterns: the same fit
    assert gg.params == one_gg.params
    assert bgnbd.log_likelihood == one_bgnbd.log_likelihood
    assert bgnbd.time_unit == "day"                        # recorded from the summary
    assert bgnbd.fit_report["converged"] and gg.fit_report["converged"]

    # a fit on every customer's row: the same maximum, summed in another order. The tolerance
    # is the optimiser's (its gradient tolerance), far above rounding, far below sampling error.
    every_row = ltv.BetaGeo().fit(expected["frequency"], expected["recency"], expected["T"])
    for name, value in every_row.params.items():
        assert bgnbd.params[name] == pytest.approx(value, rel=1e-4), name
    # and the simulated population's parameters, to sampling error (≥ 25 000 customers)
    assert bgnbd.params["r"] == pytest.approx(simulated_log.R, rel=0.15)
    assert bgnbd.params["alpha"] == pytest.approx(simulated_log.ALPHA, rel=0.15)

    # scores: the same calls in one process
    def one_process_scores(frame):
        f, r, T, m = (frame[c] for c in ("frequency", "recency", "T", "monetary_value"))
        return pd.DataFrame({
            "p_alive": one_bgnbd.p_alive(f, r, T),
            "expected_purchases": one_bgnbd.expected_purchases(HORIZON, f, r, T),
            "expected_spend": one_gg.expected_spend(f, m),
            "clv": ltv.customer_lifetime_value(one_bgnbd, one_gg, f, r, T, m),
        })

    assert list(scores.columns) == ["p_alive", "expected_purchases", "expected_spend", "clv"]
    assert scores.notna().all().all()
    # (a) each partition's customers scored in one process as one batch: every bit equal
    block = expected.index // simulated_log.ID_STRIDE          # the partition of each customer
    per_block = pd.concat([one_process_scores(rows) for _, rows in expected.groupby(block)])
    assert_identical(scores, per_block)
    # (b) the whole summary as one batch: P(alive) and expected spend are computed per customer,
    # every bit equal. Batches of ≥ 20 000 rows tabulate the BG purchase curve of the frequent
    # x's (include/ltv/detail/bg_family/curve_table.hpp): E[Y(t)] and CLV then agree with the
    # per-customer formula to ~1e-15 relative, and whether an x is tabulated depends on the
    # batch, so a partition's batch and the whole one may differ in the last bits; 1e-13 is the
    # agreement tests/cpp/test_bgnbd.cpp guarantees for tabulated batches.
    whole_batch = one_process_scores(expected)
    for column in ("p_alive", "expected_spend"):
        assert_identical(scores[[column]], whole_batch[[column]])
    for column in ("expected_purchases", "clv"):
        got_column = scores[column].sort_index()
        want = whole_batch[column].sort_index()
        np.testing.assert_allclose(got_column.to_numpy(), want.to_numpy(), rtol=1e-13, atol=0)


def test_a_shuffled_log_is_refused_then_repartitioned(client):
    whole = simulated_log.whole_log(2, 40_000)
    shuffled = whole.sample(frac=1.0, random_state=7).reset_index(drop=True)
    log = dd.from_pandas(shuffled, npartitions=4)        # customers split across partitions
    with pytest.raises(ltv.InvalidArgumentError, match=r"not partitioned by customer.*"
                       r"customer_id \d+ in \d partitions.*repartition_by_customer"):
        ldask.patterns(ldask.summarize(log))
    summary = ldask.summarize(ldask.repartition_by_customer(log))
    # The shuffle keeps the order of each customer's rows, and the reference is the same log in
    # the same order: a monetary value is a sum in the rows' order, so the same amounts in
    # another order may differ in the last bit (ltv.summarize does the same in one process).
    assert_identical(summary.compute(), single_machine(shuffled))
    bgnbd = ldask.fit(ltv.BetaGeo(), summary)
    expected = reference_patterns(single_machine(whole), ldask.RFM_COLUMNS)
    assert bgnbd.params == ltv.BetaGeo().fit(expected["frequency"], expected["recency"],
                                             expected["T"], weights=expected["weight"]).params


# ---- small logs, synchronous scheduler ---------------------------------------------------------

@pytest.fixture()
def sync():
    with dask.config.set(scheduler="synchronous"):
        yield


def crafted_log():
    """Two partitions of disjoint customers — the first ends on 2020-03-01, the second on
    2020-06-30 (the log's last day) — and an empty one between them."""
    a = pd.DataFrame({"customer_id": [1, 1, 2, 1],
                      "date": pd.to_datetime(["2020-01-05", "2020-02-01", "2020-01-10",
                                              "2020-03-01"]),
                      "amount": [10.0, 20.0, 5.0, 40.0]})
    b = pd.DataFrame({"customer_id": [7, 8, 7, 7],
                      "date": pd.to_datetime(["2020-01-20", "2020-02-02", "2020-04-01",
                                              "2020-06-30"]),
                      "amount": [1.0, 2.0, 3.0, 4.5]})
    empty = a.iloc[:0]
    parts = [a, empty, b]
    ddf = dd.from_delayed([dask.delayed(p) for p in parts], meta=empty, verify_meta=False)
    return ddf, pd.concat(parts, ignore_index=True)


def test_observation_end_is_the_whole_logs_last_day(sync):
    ddf, whole = crafted_log()
    assert ldask.last_date(ddf) == np.datetime64("2020-06-30")
    got = ldask.summarize(ddf).compute()
    assert_identical(got, single_machine(whole))
    # customer 1's T runs to the log's last day, not to its partition's (2020-03-01)
    assert got.loc[1, "T"] == (np.datetime64("2020-06-30") - np.datetime64("2020-01-05")).astype(int)
    assert ldask.summarize(ddf)._meta.attrs["ltv"]["observation_end"] == np.datetime64("2020-06-30")


def test_options_holdout_units_and_extra_columns(sync):
    ddf, whole = crafted_log()
    options = dict(observation_end="2020-07-31", calibration_end="2020-02-15", time_unit="week")
    got = ldask.summarize(ddf, **options, extra=True).compute()
    expected = ltv.summarize(whole.customer_id, whole.date, whole.amount,
                             **options).to_pandas(extra=True)
    assert "frequency_holdout" in got.columns and "first_purchase" in got.columns
    assert_identical(got, expected)
    model = ldask.fit(ltv.BetaGeo(), ldask.summarize(ddf, **options), max_iterations=5,
                      allow_no_convergence=True)
    assert model.time_unit == "week"


def test_time_zone_reaches_every_partition_and_the_last_date(sync):
    # UTC instants just before midnight: in Asia/Tokyo (+09:00) each falls on the next day, so
    # the zone moves purchase days and the log's last day (2020-07-01 in Tokyo)
    ddf, whole = crafted_log()
    utc = lambda f: f.assign(date=f.date.dt.tz_localize("UTC") + pd.Timedelta(hours=20))  # noqa: E731
    ddf = ddf.map_partitions(utc, meta=utc(whole.iloc[:0]))
    whole = utc(whole)
    assert ldask.last_date(ddf, time_zone="Asia/Tokyo") == np.datetime64("2020-07-01")
    assert ldask.last_date(ddf) == np.datetime64("2020-06-30")  # tz-aware, no zone: as written
    got = ldask.summarize(ddf, time_zone="Asia/Tokyo").compute()
    expected = ltv.summarize(whole.customer_id, whole.date, whole.amount,
                             time_zone="Asia/Tokyo").to_pandas()
    assert_identical(got, expected)
    with pytest.raises(ltv.InvalidArgumentError, match="no zone file .*Mars/Olympus"):
        ldask.summarize(ddf, time_zone="Mars/Olympus")


def test_string_ids_and_named_columns(sync):
    whole = simulated_log.whole_log(2, 3_000).rename(
        columns={"customer_id": "who", "date": "when", "amount": "paid"})
    whole["who"] = "c" + whole["who"].astype(str)
    ddf = dd.from_pandas(whole, npartitions=2, sort=False)  # blocks of rows: customers split?
    ddf = ldask.repartition_by_customer(ddf, "who")
    got = ldask.summarize(ddf, customer="who", date="when", amount="paid").compute()
    expected = ltv.summarize(whole.who, whole["when"], whole.paid).to_pandas()
    assert got.index.dtype == object
    assert_identical(got, expected)


def test_a_log_indexed_by_customer_needs_no_check(sync):
    whole = simulated_log.whole_log(2, 5_000)
    ddf = dd.from_pandas(whole.set_index("customer_id"), npartitions=3, sort=True)
    assert ddf.known_divisions
    summary = ldask.summarize(ddf)
    assert summary._meta.attrs["ltv"]["disjoint"] and summary.known_divisions
    assert_identical(summary.compute(), single_machine(whole))
    table = ldask.patterns(summary)
    pd.testing.assert_frame_equal(
        table, reference_patterns(single_machine(whole), ldask.RFM_COLUMNS), check_exact=True)


def test_scores_by_a_model_without_p_alive_columns(sync):
    ddf, whole = crafted_log()
    summary = ldask.summarize(ddf)
    model = ltv.BetaGeo(params={"r": 0.5, "alpha": 10.0, "a": 1.0, "b": 3.0})
    only_alive = ldask.score(model, summary).compute()
    assert list(only_alive.columns) == ["p_alive"]
    expected = single_machine(whole)
    assert_identical(only_alive, pd.DataFrame(
        {"p_alive": model.p_alive(expected["frequency"], expected["recency"], expected["T"])}))


def test_bad_input_raises_naming_it(sync):
    ddf, whole = crafted_log()
    with pytest.raises(ltv.InvalidArgumentError, match="'log' must be a dask.dataframe"):
        ldask.summarize(whole)
    with pytest.raises(ltv.InvalidArgumentError, match="'date' = 'day' is neither a column"):
        ldask.summarize(ddf, date="day")
    with pytest.raises(ltv.InvalidArgumentError, match="unknown time unit 'fortnight'"):
        ldask.summarize(ddf, time_unit="fortnight")
    bad_dates = dd.from_pandas(whole.assign(date="2020-13-45"), npartitions=1)
    with pytest.raises(ltv.LtvError, match=r"dates\[0\]"):
        ldask.summarize(bad_dates, observation_end="2021-01-01").compute()
    with pytest.raises(ltv.InvalidArgumentError, match="has no transactions"):
        ldask.last_date(dd.from_pandas(whole.iloc[:0], npartitions=1))
    summary = ldask.summarize(ddf)
    with pytest.raises(ltv.InvalidArgumentError, match=r"\['age'\] not in the summary"):
        ldask.patterns(summary, ["frequency", "age"])
    with pytest.raises(ltv.InvalidArgumentError, match="no parameters: fit it first"):
        ldask.score(ltv.BetaGeo(), summary)
    with pytest.raises(ltv.InvalidArgumentError, match="must be an ltv model"):
        ldask.fit("BetaGeo", summary)
    with pytest.raises(ltv.InvalidArgumentError, match="fit it in the driver"):
        ldask.fit(ltv.ShiftedBetaGeo(), summary)


def test_models_travel_pickled():
    model = ltv.BetaGeo(params={"r": 0.5, "alpha": 10.0, "a": 1.0, "b": 3.0}, time_unit="week")
    again = pickle.loads(pickle.dumps(model))
    assert again.params == model.params and again.time_unit == "week"


def test_import_ltv_does_not_import_dask_and_a_missing_dask_says_what_to_install():
    program = (
        "import sys\n"
        "import ltv\n"
        "assert 'dask' not in sys.modules, 'import ltv imported dask'\n"
        "sys.modules['dask'] = None  # as if Dask were not installed\n"
        "try:\n"
        "    import ltv.dask\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            env={**os.environ, **ldask.worker_environment()}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "python3-dask" in result.stdout and "dask[dataframe]" in result.stdout
