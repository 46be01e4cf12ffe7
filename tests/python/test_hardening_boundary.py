# SPDX-License-Identifier: Apache-2.0
"""Issue 8 through the Python binding and the CLI: subnormal arguments (D7), model files (D8),
day numbers out of range (D10), cohort spans (D11) and overflowing calculators (D14)."""

import json
import os
import subprocess

import pytest

import ltv

CLI = os.environ.get("LTV_CLI", "")
needs_cli = pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


# ---- D7 -------------------------------------------------------------------------------------


def test_subnormal_arguments_are_invalid_not_internal():
    # D7: ltv_churn_rate(100, -4.9e-324) gave LTV_ERR_INTERNAL (std::stod in the message).
    with pytest.raises(ltv.InvalidArgumentError, match=r"'lost' = -5e-324 must not be negative"):
        ltv.churn_rate(100, -4.9e-324)
    with pytest.raises(ltv.ParseError, match=r"'alpha' = -1e-320 must be a finite number > 0"):
        ltv.model_from_json(json.dumps({"format": "ltv-model", "format_version": 1,
                                        "model": "bgnbd",
                                        "params": {"r": 1, "alpha": -1e-320, "a": 1, "b": 1}}))


@needs_cli
def test_cli_subnormal_exit_code():
    # D7: `ltv churn --start 100 --lost -1e-310` exited 3 (internal error).
    result = run("churn", "--start", "100", "--lost", "-1e-310")
    assert result.returncode == 1, result.stderr
    assert "'lost' = -1e-310 must not be negative" in result.stderr
    assert result.stdout == ""


# ---- D8 -------------------------------------------------------------------------------------


def _fitted(**fit):
    return json.dumps({"format": "ltv-model", "format_version": 1, "model": "sbg",
                       "params": {"alpha": 0.704, "beta": 1.182},
                       "fit": {"log_likelihood": -1680.27, **fit}})


@pytest.mark.parametrize("fit, message", [
    ({"converged": "yes"}, "key 'converged' must be true or false, not \"yes\""),
    ({"message": 42}, "key 'message' must be a string, not 42"),
    ({"iterations": 1e300}, "key 'iterations' must be a whole number in 0"),
    ({"rows_used": -1}, "key 'rows_used' must be a whole number"),
    ({"penalizer": -7}, "key 'penalizer' must be a finite number >= 0, not -7"),
])
def test_model_file_fields_are_type_checked(fit, message):
    # D8: INTERNAL (type_error), undefined behaviour (1e300 → int) or silently accepted before.
    with pytest.raises(ltv.ParseError) as caught:
        ltv.model_from_json(_fitted(**fit))
    assert message in str(caught.value)


def test_model_file_format_must_be_a_string():
    with pytest.raises(ltv.ParseError, match="key 'format' must be the string"):
        ltv.model_from_json(json.dumps({"format": 7, "format_version": 1, "model": "sbg",
                                        "params": {"alpha": 1, "beta": 1}}))


@needs_cli
def test_cli_reports_a_bad_model_file_as_an_input_error(tmp_path):
    log = tmp_path / "orders.csv"
    log.write_text("customer_id,date\na,2014-01-01\na,2014-02-01\n")
    model = tmp_path / "bgnbd.json"
    model.write_text(json.dumps({"format": "ltv-model", "format_version": 1, "model": "bgnbd",
                                 "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
                                 "fit": {"log_likelihood": -1, "converged": "yes"}}))
    result = run("status", str(log), "--as-of", "2014-03-01", "--cycle-days", "30",
                 "--model", str(model))
    assert result.returncode == 1, result.stderr
    assert "key 'converged' must be true or false" in result.stderr


# ---- D14 ------------------------------------------------------------------------------------


def test_overflowing_calculators_raise_domain_errors():
    # D14: 0 × inf was NaN, 1e308 + 1e308 was inf, both with status OK.
    assert ltv.lost_profit(expected_purchases=1e12, purchases_made=0, margin_per_purchase=1e308,
                           lost_customers=0) == 0.0
    with pytest.raises(ltv.DomainError, match="result 'lost_per_customer' = inf"):
        ltv.lost_profit(expected_purchases=1e12, purchases_made=0, margin_per_purchase=1e308)
    with pytest.raises(ltv.DomainError, match="result 'ltv' = inf"):
        ltv.ltv_from_margins([1e308, 1e308])
    with pytest.raises(ltv.DomainError, match="result 'customers_end' = inf"):
        ltv.retention_from_flows(1e308, 0, 1e308)


@needs_cli
def test_cli_overflow_is_an_input_error():
    result = run("lost-profit", "--lost-customers", "2", "--expected-purchases", "1e12",
                 "--purchases-made", "0", "--margin", "1e308", "--json")
    assert result.returncode == 1 and result.stdout == ""
    assert "is not a finite number" in result.stderr
    result = run("clv", "--aov", "1e308", "--frequency", "10", "--json")
    assert result.returncode == 1 and "result 'margin_per_period' = inf" in result.stderr
    result = run("simple-ltv", "--margins", "1e308,1e308", "--json")
    assert result.returncode == 1 and "result 'ltv' = inf" in result.stderr


# ---- D10 and D11 ----------------------------------------------------------------------------


def test_day_numbers_out_of_range():
    log = ltv.TransactionLog(["a", "a", "b"], ["1969-12-27", "1970-01-04", "1970-01-06"])
    for day in (-(2**31) + 1, 2**31 - 1):
        # D10: as_of − last purchase day overflowed int32 (UBSan) or gave recency −2.1e9.
        # (2**31 − 1 is read as YYYYMMDD by the binding and refused there; −2**31 + 1 reaches C)
        with pytest.raises(ltv.InvalidArgumentError,
                           match="'as_of.*' = .* is not a (supported day|date written YYYYMMDD)"):
            log.rfm(day)
        with pytest.raises(ltv.InvalidArgumentError, match="'as_of'"):
            log.status(day, cycle_days=10)
        with pytest.raises(ltv.InvalidArgumentError, match="'until'"):
            log.cohorts(until=day)
        with pytest.raises(ltv.InvalidArgumentError, match="'start'"):
            log.retention(day, 5, window_days=30)
    # Day 0 (1970-01-01) is an ordinary day: a last bought 5 days before.
    rfm = log.rfm(0)
    assert list(rfm.customer_id) == ["a"] and list(rfm.recency_days) == [5.0]


def test_cohort_span_is_bounded():
    # D11: two rows dated 0001-01-01 and 9999-12-31 asked for ~170 GB.
    with pytest.raises(ltv.InvalidArgumentError, match=r"119988 months \(0001-01 to 9999-12\)"):
        ltv.cohorts(["a", "b"], ["0001-01-01", "9999-12-31"])


@needs_cli
def test_cli_cohorts_span(tmp_path):
    # D11: `ltv cohorts` died with "internal error: std::bad_alloc" (exit 3).
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,date\na,0001-01-01\nb,9999-12-31\n")
    result = run("cohorts", str(path))
    assert result.returncode == 1, result.stderr
    assert "119988 months" in result.stderr and "max_report_months = 1200" in result.stderr
