# SPDX-License-Identifier: Apache-2.0
"""Time zones (docs/summaries.md, "Dates, times and time zones"): time_zone= for file reads, for
tz-aware pandas columns, datetime objects and strings with offsets; the CLI's --time-zone."""

import datetime
import json
import os
import subprocess
import zoneinfo

import numpy as np
import pytest

import ltv

CLI = os.environ.get("LTV_CLI", "")
BERLIN_RULES = "CET-1CEST,M3.5.0,M10.5.0/3"  # Europe/Berlin's footer in tzdata
HAS_BERLIN = os.path.exists("/usr/share/zoneinfo/Europe/Berlin")

# Two purchases at 22:30 UTC either side of the EU switch to summer time (2024-03-31 01:00 UTC):
# in Berlin 23:30 CET on 2024-03-30 and 00:30 CEST on 2024-04-01 (`TZ=Europe/Berlin date -d …`),
# two days apart; as written (UTC dates) one day apart.
LOG = ("customer_id,date,amount\n"
       "a,2024-03-30T22:30:00Z,10\n"
       "a,2024-03-31T22:30:00Z,20\n"
       "b,2024-03-31,5\n")


def day(text):
    """Day number of an ISO date, for expected values."""
    return (datetime.date.fromisoformat(text) - datetime.date(1970, 1, 1)).days


def test_parse_date_in_zone():
    assert ltv.parse_date("2024-03-31T22:30:00Z") == day("2024-03-31")  # as written
    assert ltv.parse_date("2024-03-31T22:30:00Z", time_zone=BERLIN_RULES) == day("2024-04-01")
    assert ltv.parse_date("2024-01-01T00:30:00+02:00", time_zone="UTC") == day("2023-12-31")
    assert ltv.parse_date("2023-12-31T23:30:00-0200", time_zone="UTC") == day("2024-01-01")
    assert ltv.parse_date("2024-06-30T20:00:00Z", time_zone="+05:30") == day("2024-07-01")
    assert ltv.parse_date("2024-03-31", time_zone="-08:00") == day("2024-03-31")  # a date alone
    assert ltv.parse_date("2024-03-31T22:30", time_zone="UTC") == day("2024-03-31")  # no offset
    assert ltv.parse_date("2024-03-31T22:30:00Z", time_zone=datetime.timezone.utc) == day("2024-03-31")


def test_invalid_zones_name_argument_and_value(tmp_path):
    with pytest.raises(ltv.InvalidArgumentError, match=r"argument 'zone' = 'Nowhere/Land'"):
        ltv.parse_date("2024-03-31T22:30:00Z", time_zone="Nowhere/Land")
    with pytest.raises(ltv.InvalidArgumentError, match=r"'\+25:00'.*not an offset"):
        ltv.parse_date("2024-03-31T22:30:00Z", time_zone="+25:00")
    with pytest.raises(ltv.InvalidArgumentError, match=r"argument 'time_zone' = 3"):
        ltv.parse_date("2024-03-31T22:30:00Z", time_zone=3)
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    with pytest.raises(ltv.InvalidArgumentError,
                       match=r"options->time_zone = '\.\./etc/passwd'.*not a zone name"):
        ltv.summarize_file(path, time_zone="../etc/passwd")


def test_file_reads_take_time_zone(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    as_written = ltv.summarize_file(path)
    berlin = ltv.summarize_file(path, time_zone=BERLIN_RULES)
    assert as_written.recency[0] == 1 and berlin.recency[0] == 2
    assert berlin.recency[1] == 0  # b: a date alone, unchanged
    assert berlin.last_purchase[0] == np.datetime64("2024-04-01")
    log = ltv.read_transactions(path, time_zone=BERLIN_RULES)
    assert log.summarize().recency[0] == 2
    state = ltv.SummaryState()
    state.add_file(path, time_zone="UTC")
    assert state.result().recency[0] == 1


@pytest.mark.skipif(not HAS_BERLIN, reason="no tzdata (/usr/share/zoneinfo/Europe/Berlin)")
def test_iana_name_and_zoneinfo(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    assert ltv.summarize_file(path, time_zone="Europe/Berlin").recency[0] == 2
    # A zoneinfo.ZoneInfo is passed by its key.
    assert ltv.parse_date("2024-03-31T22:30:00Z",
                          time_zone=zoneinfo.ZoneInfo("Europe/Berlin")) == day("2024-04-01")


def test_pandas_tz_aware_columns():
    pd = pytest.importorskip("pandas")
    utc = pd.Series(pd.to_datetime(["2024-03-30T22:30:00Z", "2024-03-31T22:30:00Z"], utc=True))
    ids = ["a", "a"]
    # Without time_zone: each value's own local date (here UTC's): one day apart.
    assert ltv.summarize(ids, utc).recency[0] == 1
    # With it: converted to the zone first: 2024-03-30 and 2024-04-01 in Berlin.
    summary = ltv.summarize(ids, utc, time_zone=BERLIN_RULES)
    assert summary.recency[0] == 2
    assert summary.last_purchase[0] == np.datetime64("2024-04-01")
    # A column in another zone: the same instants, the same Berlin dates.
    tokyo = utc.dt.tz_convert("Asia/Tokyo") if HAS_BERLIN else utc
    assert ltv.summarize(ids, tokyo, time_zone=BERLIN_RULES).recency[0] == 2
    # The zone's own local dates without time_zone (Tokyo: 07:30 on 03-31 and 04-01).
    if HAS_BERLIN:
        assert ltv.summarize(ids, tokyo).recency[0] == 1
    log = ltv.TransactionLog(ids, utc, time_zone=BERLIN_RULES)
    assert log.summarize().recency[0] == 2
    # tz-naive values are taken as written, zone or not.
    naive = pd.Series(pd.to_datetime(["2024-03-30 22:30", "2024-03-31 22:30"]))
    assert ltv.summarize(ids, naive, time_zone=BERLIN_RULES).recency[0] == 1
    # A missing instant is refused naming its row.
    with pytest.raises(ltv.InvalidArgumentError, match=r"argument 'dates\[1\]' is NaT"):
        ltv.summarize(ids, pd.Series([utc[0], pd.NaT], dtype=utc.dtype), time_zone="UTC")


def test_datetime_objects_and_strings_with_offsets():
    cest = datetime.timezone(datetime.timedelta(hours=2))
    dates = [datetime.datetime(2024, 3, 30, 23, 30, tzinfo=datetime.timezone.utc),  # 00:30 CET 31st
             datetime.datetime(2024, 4, 1, 0, 30, tzinfo=cest)]                  # 2024-03-31 22:30Z
    ids = ["a", "a"]
    assert ltv.summarize(ids, dates).recency[0] == 2  # as written: 03-30 and 04-01
    assert ltv.summarize(ids, dates, time_zone="UTC").recency[0] == 1  # 03-30 and 03-31
    texts = ["2024-03-30T22:30:00Z", "2024-03-31T22:30:00+00:00"]
    assert ltv.summarize(ids, texts).recency[0] == 1
    assert ltv.summarize(ids, texts, time_zone=BERLIN_RULES).recency[0] == 2


@pytest.mark.skipif(not CLI or not os.path.exists(CLI), reason="the ltv CLI is not built")
def test_cli_time_zone(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG)

    def recency(*extra):
        out = subprocess.run([CLI, "summarize", str(path), "--json", *extra],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        rows = json.loads(out.stdout)
        rows = rows["customers"] if isinstance(rows, dict) else rows
        return rows[0]["recency"]

    assert recency() == 1
    assert recency("--time-zone", BERLIN_RULES) == 2
    assert recency("--time-zone", "UTC") == 1
    bad = subprocess.run([CLI, "summarize", str(path), "--time-zone", "Nowhere/Land"],
                         capture_output=True, text=True)
    assert bad.returncode != 0
    assert "--time-zone: time zone 'Nowhere/Land': no zone file" in bad.stderr
