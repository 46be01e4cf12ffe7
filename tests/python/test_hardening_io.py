# SPDX-License-Identifier: Apache-2.0
"""Issue 8 ("Hardening") through the Python binding and the CLI: the transaction reader's
field-count rule (D6) and record limit (D15), the all-or-nothing SummaryState.add_file (D2),
day-number checks (D10), the validated state files (D9), summary sums that overflow (D14), and
the fuzz findings after them: numbers with two signs, time units outside [1e-6, 1e7] days, a
calibration end after the implied observation end; the CLI's column positions and
--max-record-bytes read without wrapping or an internal error."""

import os

import numpy as np
import struct
import subprocess

import pytest

import ltv

CLI = os.environ.get("LTV_CLI", "")


def numbered_log(rows, bad_row=None):
    lines = ["customer_id,date,amount"]
    for i in range(rows):
        date = "2020-02-30" if i == bad_row else f"2020-{1 + i // 28:02d}-{1 + i % 28:02d}"
        lines.append(f"c{i % 5},{date},{i + 1}.25")
    return "\n".join(lines) + "\n"


def test_d6_extra_field_is_a_parse_error(tmp_path):
    # D6: `a,2020-01-01,1,5` under customer_id,date,amount was read as amount 1 (meant 1.5).
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,date,amount\na,2020-01-01,1,5\n")
    with pytest.raises(ltv.ParseError, match=r"orders\.csv:2: the row has 4 fields but the header "
                                             r"has 3; the first extra field \(column 4\) is '5'"):
        ltv.summarize_file(path)
    s = ltv.summarize_file(path, lenient=True)
    assert len(s) == 0 and s.report.skipped == 1


def test_d15_max_record_bytes(tmp_path):
    # D15: no maximum line length (a 5 GB line ran into bad_alloc after 243 s).
    path = tmp_path / "long.csv"
    path.write_text("customer_id,date,note\na,2020-01-01," + "x" * 300 + "\n")
    with pytest.raises(ltv.ParseError, match=r"long\.csv:2: the record starting here is longer "
                                             r"than 100 bytes"):
        ltv.summarize_file(path, max_record_bytes=100)
    assert len(ltv.summarize_file(path, max_record_bytes=0)) == 1  # 0 = no limit
    assert len(ltv.summarize_file(path)) == 1  # the default, 1 MiB
    with pytest.raises(ltv.InvalidArgumentError, match="max_record_bytes"):
        ltv.summarize_file(path, max_record_bytes=-1)


def test_d2_failed_add_file_changes_nothing(tmp_path):
    # D2: 40 good rows then a bad date → PARSE with rows already added; the retry counted 71.
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text(numbered_log(47, bad_row=40))
    good.write_text(numbered_log(47))
    state = ltv.SummaryState(time_unit="day")
    with pytest.raises(ltv.ParseError, match=r":42: column 2 \('date'\)"):
        state.add_file(bad)
    assert state.transactions == 0 and state.customers == 0
    state.add_file(good)
    assert state.transactions == 47 and state.customers == 5


def test_d10_unsupported_days_are_refused():
    # D10: day numbers were used unchecked (recency = T = −2.1e9 with OK).
    state = ltv.SummaryState(time_unit="day")
    # 2**31 − 1 is ≥ 10 000 000: the binding reads it as YYYYMMDD, and refuses the mix
    with pytest.raises(ltv.InvalidArgumentError, match=r"'dates' mixes YYYYMMDD dates "
                                                       r"\(dates\[1\] = 2147483647\)"):
        state.add(["a", "b"], [0, 2**31 - 1])
    # as datetime64 day numbers they reach the library, which names the row
    with pytest.raises(ltv.InvalidArgumentError, match=r"'days\[1\]' = 2147483647 is not a "
                                                       r"supported day number"):
        state.add(["a", "b"], np.array([0, 2**31 - 1], dtype="datetime64[D]"))
    assert state.transactions == 0
    with pytest.raises(ltv.InvalidArgumentError, match="observation_end"):
        ltv.SummaryState(observation_end=10**7)


def test_d9_damaged_state_file(tmp_path):
    # D9: a state file with a valid checksum and negative occasions loaded (frequency −6).
    path = tmp_path / "state.bin"
    state = ltv.SummaryState(time_unit="day")
    state.add(["a", "a"], ["2020-01-01", "2020-01-09"])
    state.save(path)
    data = bytearray(path.read_bytes())
    at = 72 + 4 + 1 + 8  # header, the id "a", first and last day: the occasion count
    data[at:at + 4] = struct.pack("<i", -6)
    checksum = 14695981039346656037
    for byte in data[:-8]:
        checksum = ((checksum ^ byte) * 1099511628211) % 2**64
    data[-8:] = struct.pack("<Q", checksum)
    path.write_bytes(bytes(data))
    with pytest.raises(ltv.ParseError, match=r"customer 0 \('a'\): occasions = -6 is negative"):
        ltv.SummaryState.load(path)


@pytest.mark.skipif(not CLI or not os.path.exists(CLI), reason="the ltv CLI is not built")
def test_cli_max_record_bytes_and_field_count(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("customer_id,date,amount\na,2020-01-01," + "1" * 200 + "\n")
    run = lambda *a: subprocess.run([CLI, *a], capture_output=True, text=True)  # noqa: E731
    result = run("summarize", str(path), "--max-record-bytes", "64")
    assert result.returncode == 1
    assert "long.csv:2: the record starting here is longer than 64 bytes" in result.stderr
    assert run("summarize", str(path), "--max-record-bytes", "0").returncode == 0
    extra = tmp_path / "extra.csv"
    extra.write_text("customer_id,date,amount\na,2020-01-01,1,234.50\n")
    result = run("summarize", str(extra))
    assert result.returncode == 1
    assert "the first extra field (column 4) is '234.50'" in result.stderr


def test_d14_summary_sums_that_overflow(tmp_path):
    # D14: three amounts of 1e308 for one customer gave monetary_value = inf with OK.
    state = ltv.SummaryState(time_unit="day")
    with pytest.raises(ltv.DomainError, match=r"customer 'a': total_amount \(the sum of its "
                                              r"amounts\) overflows double precision when the "
                                              r"amount 1e\+308 of 2020-01-02 is added"):
        state.add(["a", "a", "a"], ["2020-01-01", "2020-01-02", "2020-01-03"], [1e308] * 3)
    assert state.transactions == 0 and state.customers == 0
    path = tmp_path / "big.csv"
    path.write_text("customer_id,date,amount\na,2020-01-01,1e308\na,2020-01-02,1e308\n"
                    "a,2020-01-03,1e308\n")
    with pytest.raises(ltv.DomainError, match="customer 'a': total_amount"):
        ltv.summarize_file(path)


def test_time_unit_outside_the_supported_range():
    # Fuzz finding: a unit of 5e-324 days made recency and T inf with OK.
    for unit in (5e-324, 1e-7, 2e7, "5e-324d"):
        with pytest.raises(ltv.InvalidArgumentError, match=r"time_unit_days' = .* is not a "
                                                           r"supported time unit: a length in "
                                                           r"days from 1e-06 to 1e\+07"):
            ltv.SummaryState(time_unit=unit)
    s = ltv.summarize(["a", "a"], ["0001-01-01", "9999-12-31"], time_unit=1e-6)
    assert s.recency[0] == 3652058 / 1e-6  # finite at the finest unit


def test_calibration_end_after_the_last_day():
    # Fuzz finding: only calibration_end set and every transaction before it gave
    # duration_holdout = -150 (days) with OK.
    with pytest.raises(ltv.InvalidArgumentError,
                       match=r"calibration_end 2020-06-09 is after the observation end "
                             r"2020-01-11, the last transaction day"):
        ltv.summarize(["a", "a"], ["2020-01-01", "2020-01-11"], calibration_end="2020-06-09",
                      time_unit="day")
    s = ltv.summarize(["a", "a"], ["2020-01-01", "2020-01-11"], calibration_end="2020-06-09",
                      observation_end="2020-06-30", time_unit="day")
    assert s.duration_holdout == 21


@pytest.mark.skipif(not CLI or not os.path.exists(CLI), reason="the ltv CLI is not built")
def test_cli_bad_numbers_are_user_errors(tmp_path):
    run = lambda *a: subprocess.run([CLI, *a], capture_output=True, text=True)  # noqa: E731
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,date,amount\na,2020-01-01,1\na,2020-01-11,2\n")
    # std::stoul on --customer: "internal error: stoul", exit 3.
    result = run("summarize", str(path), "--customer", "99999999999999999999999")
    assert result.returncode == 1
    assert ("--customer 99999999999999999999999: the column position is too large"
            in result.stderr)
    # CLI11 read "-1" as 2^64 - 1 and "010" as 8 for unsigned options.
    result = run("summarize", str(path), "--max-record-bytes", "-1")
    assert result.returncode == 2
    assert "--max-record-bytes: '-1' is not a whole number" in result.stderr
    result = run("summarize", str(path), "--max-record-bytes", "010")
    assert result.returncode == 1 and "longer than 10 bytes" in result.stderr
    result = run("summarize", str(path), "--time-unit", "5e-324")
    assert result.returncode == 1
    assert "is not a supported time unit" in result.stderr
    result = run("summarize", str(path), "--calibration-end", "2020-06-09")
    assert result.returncode == 1
    assert "calibration_end 2020-06-09 is after the observation end 2020-01-11" in result.stderr
    # D14 through the CLI: inf (CSV) / null (JSON) with exit 0 before.
    big = tmp_path / "big.csv"
    big.write_text("customer_id,date,amount\na,2020-01-01,1e308\na,2020-01-02,1e308\n"
                   "a,2020-01-03,1e308\n")
    for extra in ([], ["--json"]):
        result = run("summarize", str(big), *extra)
        assert result.returncode == 1
        assert "customer 'a': total_amount (the sum of its amounts) overflows" in result.stderr
        assert result.stdout == ""
    # A number with two signs is not a number.
    signs = tmp_path / "signs.csv"
    signs.write_text("customer_id,date,amount\na,2020-01-01,+-1.5\n")
    result = run("summarize", str(signs))
    assert result.returncode == 1
    assert "signs.csv:2: column 3 ('amount'): cannot parse '+-1.5'" in result.stderr
