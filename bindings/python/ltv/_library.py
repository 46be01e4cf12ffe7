# SPDX-License-Identifier: Apache-2.0
"""Loading libltv.so and declaring every C function it exports, in one place.

The library is found, in order, through the ``LTV_LIBRARY`` environment variable (a path to the
.so), the copy bundled into an installed package (``ltv/_lib/libltv.so``, put there by
``pip install bindings/python`` when a built library was at hand: docs/python.md), the build tree
of the source checkout (``build/lib/libltv.so`` beside ``bindings/``, only when this module runs
from the source tree), and the system's library search path (``ctypes.util.find_library("ltv")``,
then the SONAME). If none loads, :class:`ltv.errors.LibraryNotFoundError` lists every place tried.

Each entry of ``_SIGNATURES`` gives a function's ``argtypes``; every function returns the C
``int`` status, except the few listed in ``_PLAIN`` (version and message getters). ``call()``
turns a non-zero status into the matching exception carrying ``ltv_last_error()``.
"""

import ctypes
import ctypes.util
import os
from pathlib import Path

from .errors import LibraryNotFoundError, error_for_status

_c_double_p = ctypes.POINTER(ctypes.c_double)
_size_t = ctypes.c_size_t
_double = ctypes.c_double

# The ABI this binding was written for (docs/abi.md): (major, minor) while the major version is
# 0, where every minor release has its own ABI and SONAME (libltv.so.0.2); (major,) from 1.0 on.
ABI = (0, 2)
SONAME = "libltv.so." + ".".join(map(str, ABI))


class AverageClvOptions(ctypes.Structure):
    """Mirror of ``ltv_average_clv_options`` (begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("average_order_value", ctypes.c_double),
        ("margin", ctypes.c_double),
        ("purchases_per_period", ctypes.c_double),
        ("periods", ctypes.c_double),
        ("retention", ctypes.c_double),
        ("discount_rate", ctypes.c_double),
    ]


class FitOptions(ctypes.Structure):
    """Mirror of ``ltv_fit_options`` (begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("penalizer", ctypes.c_double),
        ("max_iterations", ctypes.c_int),
        ("gradient_tolerance", ctypes.c_double),
        ("standard_errors", ctypes.c_int),
        ("allow_no_convergence", ctypes.c_int),
        ("initial", ctypes.POINTER(ctypes.c_double)),
        ("initial_count", ctypes.c_size_t),
        ("cancel", ctypes.c_void_p),  # int (*)(void*): a CancelFn, kept alive by the caller
        ("cancel_user", ctypes.c_void_p),
        ("time_limit", ctypes.c_double),
        ("strict_spend", ctypes.c_int),
        ("penalizer_convention", ctypes.c_int),  # 0 ltv, 1 lifetimes
    ]


class SegmentsOptions(ctypes.Structure):
    """Mirror of ``ltv_segments_options`` (begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("min_customers", ctypes.c_size_t),
        ("pooled", ctypes.c_int),
        ("threads", ctypes.c_int),
    ]


#: ``int (*cancel)(void* user)`` of ``ltv_fit_options``.
CancelFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


class FitReport(ctypes.Structure):
    """Mirror of ``ltv_fit_report`` (the caller sets struct_size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("converged", ctypes.c_int),
        ("iterations", ctypes.c_int),
        ("function_evaluations", ctypes.c_int),
        ("standard_errors_available", ctypes.c_int),
        ("gradient_norm", ctypes.c_double),
        ("log_likelihood", ctypes.c_double),
        ("objective", ctypes.c_double),
        ("penalizer", ctypes.c_double),
        ("total_weight", ctypes.c_double),
        ("rows_used", ctypes.c_size_t),
        ("rows_excluded", ctypes.c_size_t),
    ]


class ClvOptions(ctypes.Structure):
    """Mirror of ``ltv_clv_options`` (begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("periods", ctypes.c_int),
        ("period_length", ctypes.c_double),
        ("discount_rate", ctypes.c_double),
    ]


class Customers(ctypes.Structure):
    """Mirror of ``ltv_customers`` (0.2.6; begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("n", ctypes.c_size_t),
        ("frequency", ctypes.POINTER(ctypes.c_double)),
        ("recency", ctypes.POINTER(ctypes.c_double)),
        ("T", ctypes.POINTER(ctypes.c_double)),
        ("weights", ctypes.POINTER(ctypes.c_double)),
        ("monetary", ctypes.POINTER(ctypes.c_double)),
        ("litt", ctypes.POINTER(ctypes.c_double)),
        ("covariates", ctypes.POINTER(ctypes.c_double)),
        ("num_covariates", ctypes.c_size_t),
        ("covariate_names", ctypes.POINTER(ctypes.c_char_p)),
    ]


class PredictionOptions(ctypes.Structure):
    """Mirror of ``ltv_prediction_options`` (0.2.6; begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("interval_level", ctypes.c_double),
        ("interval_method", ctypes.c_int),
        ("replicates", ctypes.c_int),
        ("seed", ctypes.c_uint64),
        ("spend_model", ctypes.c_void_p),
        ("clv", ctypes.POINTER(ClvOptions)),
    ]


# ---- transaction logs (ltv.h "transaction logs" section) ----------------------------------------
_progress_fn = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_void_p)


class ReadOptions(ctypes.Structure):
    """Mirror of ``ltv_read_options`` (begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("delimiter", ctypes.c_int),
        ("header", ctypes.c_int),
        ("customer_column", ctypes.c_char_p),
        ("date_column", ctypes.c_char_p),
        ("amount_column", ctypes.c_char_p),
        ("customer_index", ctypes.c_int),
        ("date_index", ctypes.c_int),
        ("amount_index", ctypes.c_int),
        ("amount_optional", ctypes.c_int),
        ("date_format", ctypes.c_char_p),
        ("lenient", ctypes.c_int),
        ("max_reported_errors", ctypes.c_size_t),
        ("progress", _progress_fn),
        ("progress_user", ctypes.c_void_p),
        ("max_record_bytes", ctypes.c_size_t),
        ("time_zone", ctypes.c_char_p),  # 0.2.5
    ]


class ReadReport(ctypes.Structure):
    """Mirror of ``ltv_read_report`` (the caller sets struct_size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("rows", ctypes.c_uint64),
        ("skipped", ctypes.c_uint64),
        ("blank_lines", ctypes.c_uint64),
        ("lines", ctypes.c_uint64),
        ("bytes", ctypes.c_uint64),
        ("delimiter", ctypes.c_int),
        ("customer_column", ctypes.c_int),
        ("date_column", ctypes.c_int),
        ("amount_column", ctypes.c_int),
        ("errors_reported", ctypes.c_size_t),
        ("errors", ctypes.c_char_p),
    ]


class SummaryOptions(ctypes.Structure):
    """Mirror of ``ltv_summary_options`` (begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("observation_end", ctypes.c_int32),
        ("calibration_end", ctypes.c_int32),
        ("merge", ctypes.c_int),
        ("time_unit_days", ctypes.c_double),
    ]


class SummaryInfo(ctypes.Structure):
    """Mirror of ``ltv_summary_info`` (the caller sets struct_size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("customers", ctypes.c_size_t),
        ("observation_end", ctypes.c_int32),
        ("calibration_end", ctypes.c_int32),
        ("has_holdout", ctypes.c_int),
        ("merge", ctypes.c_int),
        ("time_unit_days", ctypes.c_double),
        ("duration_holdout", ctypes.c_double),
        ("transactions_after_end", ctypes.c_uint64),
        ("customers_holdout_only", ctypes.c_uint64),
        ("unverified_transactions", ctypes.c_uint64),
    ]


class JourneyOptions(ctypes.Structure):
    """Mirror of ``ltv_journey_options`` (begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("cycle_days", ctypes.c_double),
        ("cycle_percentile", ctypes.c_double),
        ("lost_multiple", ctypes.c_double),
        ("lost_days", ctypes.c_double),
        ("contacts", ctypes.POINTER(ctypes.c_char_p)),
        ("n_contacts", ctypes.c_size_t),
        ("alive_model", ctypes.c_void_p),  # const ltv_model*: a model's handle
        ("alive_threshold", ctypes.c_double),
        ("alive_unit_days", ctypes.c_double),
    ]


class JourneySummary(ctypes.Structure):
    """Mirror of ``ltv_journey_summary`` (the caller sets struct_size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("cycle_days", ctypes.c_double),
        ("lost_days", ctypes.c_double),
        ("counts", ctypes.c_size_t * 6),
    ]


class PeriodRetention(ctypes.Structure):
    """Mirror of ``ltv_period_retention`` (the caller sets struct_size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("customers_start", ctypes.c_size_t),
        ("new_customers", ctypes.c_size_t),
        ("customers_end", ctypes.c_size_t),
        ("retained", ctypes.c_size_t),
        ("reactivated", ctypes.c_size_t),
        ("retention_rate", ctypes.c_double),
        ("retained_share", ctypes.c_double),
    ]


# ---- model comparison (ltv.h "model comparison" section) ---------------------------------------
class CompareOptions(ctypes.Structure):
    """Mirror of ``ltv_compare_options`` (begins with its own size)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("models", ctypes.c_char_p),  # comma-separated names; NULL or "" = every applicable one
        ("baseline", ctypes.c_int),
        ("tracking_period_days", ctypes.c_double),
        ("frequency_groups", ctypes.c_int),
        ("histogram_bins", ctypes.c_int),
        ("matrix_size", ctypes.c_int),
        ("penalizer", ctypes.c_double),
        ("threads", ctypes.c_int),
    ]


class EvaluationRow(ctypes.Structure):
    """Mirror of ``ltv_evaluation_row`` (the caller sets struct_size); the strings are owned by
    the evaluation."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("name", ctypes.c_char_p),
        ("title", ctypes.c_char_p),
        ("role", ctypes.c_int),  # LTV_ROLE_*: 0 purchases, 1 spend, 2 baseline
        ("fitted", ctypes.c_int),
        ("converged", ctypes.c_int),
        ("message", ctypes.c_char_p),
    ]


_handle = ctypes.c_void_p  # ltv_summary*, ltv_summary_table*, ltv_transactions*, ltv_evaluation*
_handle_out = ctypes.POINTER(ctypes.c_void_p)
_i32_p = ctypes.POINTER(ctypes.c_int32)
_u64_p = ctypes.POINTER(ctypes.c_uint64)
_i64_p = ctypes.POINTER(ctypes.c_int64)
_char_p = ctypes.c_void_p  # packed id bytes (a numpy/bytes buffer address)


_model = ctypes.c_void_p  # ltv_model*
_model_out = ctypes.POINTER(ctypes.c_void_p)
_int_p = ctypes.POINTER(ctypes.c_int)
_size_p = ctypes.POINTER(ctypes.c_size_t)
_str_out = ctypes.POINTER(ctypes.c_char_p)

# name -> argtypes (restype is c_int, the status)
_SIGNATURES = {
    "ltv_retention_rate": [_double, _double, _double, _c_double_p],
    "ltv_retention_rate_batch": [_c_double_p, _c_double_p, _c_double_p, _size_t, _c_double_p],
    "ltv_churn_rate": [_double, _double, _c_double_p],
    "ltv_retention_from_flows": [_double, _double, _double, _c_double_p, _c_double_p, _c_double_p],
    "ltv_lost_profit": [_double, _double, _double, _double, _c_double_p],
    "ltv_simple_ltv": [_double, _double, _c_double_p],
    "ltv_ltv_from_margins": [_c_double_p, _size_t, _double, _c_double_p],
    "ltv_purchase_chain_ltv": [_c_double_p, _c_double_p, _size_t, _double, _c_double_p],
    "ltv_average_clv_options_init": [ctypes.POINTER(AverageClvOptions), _size_t],
    "ltv_average_clv": [ctypes.POINTER(AverageClvOptions), _c_double_p],
    # the process-wide thread setting
    "ltv_set_default_threads": [ctypes.c_int],
    "ltv_default_threads": [_int_p],
    # the model handle
    "ltv_model_create": [ctypes.c_int, _model_out],
    "ltv_model_free": [_model],
    "ltv_model_clone": [_model, _model_out],
    "ltv_model_kind": [_model, _int_p],
    "ltv_model_kind_name": [ctypes.c_int, _str_out],
    "ltv_model_kind_from_name": [ctypes.c_char_p, _int_p],
    "ltv_model_num_params": [_model, _size_p],
    "ltv_model_param_name": [_model, _size_t, _str_out],
    "ltv_model_params": [_model, _c_double_p, _size_t],
    "ltv_model_set_params": [_model, _c_double_p, _size_t],
    "ltv_model_has_params": [_model, _int_p],
    "ltv_model_set_threads": [_model, ctypes.c_int],
    "ltv_model_time_unit": [_model, ctypes.POINTER(ctypes.c_char_p)],
    "ltv_model_set_time_unit": [_model, ctypes.c_char_p],
    # the model registry
    "ltv_model_kind_count": [_size_p],
    "ltv_model_kind_at": [_size_t, _int_p],
    "ltv_model_kind_info": [ctypes.c_int, ctypes.c_char_p, _str_out],
    "ltv_model_kind_supports": [ctypes.c_int, ctypes.c_int, _int_p],
    "ltv_model_supports": [_model, ctypes.c_int, _int_p],
    "ltv_capability_name": [ctypes.c_int, _str_out],
    "ltv_model_param_bounds": [_model, _size_t, _c_double_p, _c_double_p],
    "ltv_model_set_option": [_model, ctypes.c_char_p, _double],
    "ltv_model_option": [_model, ctypes.c_char_p, _c_double_p, _int_p],
    "ltv_model_clear_option": [_model, ctypes.c_char_p],
    "ltv_model_fit_summary": [_model, ctypes.c_void_p, ctypes.POINTER(FitOptions)],
    "ltv_model_score_summary": [_model, ctypes.c_void_p, ctypes.c_int, _double, _c_double_p,
                                _size_t],
    "ltv_customer_lifetime_value_summary": [_model, _model, ctypes.c_void_p,
                                            ctypes.POINTER(ClvOptions), _c_double_p, _size_t],
    # one model per segment (docs/segments.md); _handle: ltv_segments*
    "ltv_segments_options_init": [ctypes.POINTER(SegmentsOptions), _size_t],
    "ltv_segments_fit": [_model, _c_double_p, _c_double_p, _c_double_p, _c_double_p, _c_double_p,
                         _char_p, _size_p, _size_t, ctypes.POINTER(FitOptions),
                         ctypes.POINTER(SegmentsOptions), _handle_out],
    "ltv_segments_fit_summary": [_model, _handle, _char_p, _size_p, _size_t,
                                 ctypes.POINTER(FitOptions), ctypes.POINTER(SegmentsOptions),
                                 _handle_out],
    "ltv_segments_free": [_handle],
    "ltv_segments_set_threads": [_handle, ctypes.c_int],
    "ltv_segments_kind": [_handle, _int_p],
    "ltv_segments_count": [_handle, _size_p],
    "ltv_segments_label": [_handle, _size_t, _str_out, _size_p],
    "ltv_segments_customers": [_handle, _size_t, _size_p],
    "ltv_segments_model": [_handle, _size_t, _model_out],
    "ltv_segments_pooled": [_handle, _model_out, _size_p],
    "ltv_segments_find": [_handle, ctypes.c_char_p, _size_t, _size_p, _int_p],
    "ltv_segments_score": [_handle, ctypes.c_int, _double, _c_double_p, _c_double_p, _c_double_p,
                           _c_double_p, _char_p, _size_p, _size_t, _c_double_p],
    "ltv_segments_score_summary": [_handle, _handle, _char_p, _size_p, _size_t, ctypes.c_int,
                                   _double, _c_double_p, _size_t],
    "ltv_segments_to_json": [_handle, ctypes.c_char_p, _size_t, _size_p],
    "ltv_segments_from_json": [ctypes.c_char_p, _size_t, _handle_out],
    "ltv_segments_save": [_handle, ctypes.c_char_p],
    "ltv_segments_load": [ctypes.c_char_p, _handle_out],
    "ltv_segments_customer_lifetime_value": [_handle, _handle, _model, _c_double_p, _c_double_p,
                                             _c_double_p, _c_double_p, _char_p, _size_p,
                                             _size_t, ctypes.POINTER(ClvOptions), _c_double_p],
    "ltv_segments_customer_lifetime_value_summary": [_handle, _handle, _model, _handle, _char_p,
                                                     _size_p, _size_t, ctypes.POINTER(ClvOptions),
                                                     _c_double_p, _size_t],
    "ltv_fit_options_init": [ctypes.POINTER(FitOptions), _size_t],
    "ltv_model_fit_report": [_model, ctypes.POINTER(FitReport)],
    "ltv_model_fit_message": [_model, _str_out],
    "ltv_model_standard_errors": [_model, _c_double_p, _size_t],
    "ltv_model_covariance": [_model, _c_double_p, _size_t],
    "ltv_model_to_json": [_model, ctypes.c_char_p, _size_t, _size_p],
    "ltv_model_from_json": [ctypes.c_char_p, _size_t, _model_out],
    "ltv_model_save": [_model, ctypes.c_char_p],
    "ltv_model_load": [ctypes.c_char_p, _model_out],
    # transaction models on (frequency, recency, T), Gamma-Gamma, CLV
    "ltv_model_fit_rfm": [
        _model, _c_double_p, _c_double_p, _c_double_p, _c_double_p, _size_t,
        ctypes.POINTER(FitOptions),
    ],
    "ltv_model_log_likelihood": [_model, _c_double_p, _c_double_p, _c_double_p, _size_t, _c_double_p],
    "ltv_model_p_alive": [_model, _c_double_p, _c_double_p, _c_double_p, _size_t, _c_double_p],
    "ltv_model_expected_purchases": [
        _model, _double, _c_double_p, _c_double_p, _c_double_p, _size_t, _c_double_p,
    ],
    "ltv_model_expected_purchases_new_customer": [_model, _c_double_p, _size_t, _c_double_p],
    "ltv_model_probability_of_purchases": [_model, _double, _c_double_p, _size_t, _c_double_p],
    "ltv_model_dert": [
        _model, _double, _c_double_p, _c_double_p, _c_double_p, _size_t, _c_double_p,
    ],
    "ltv_model_conditional_purchase_pmf": [
        _model, _double, _double, _c_double_p, _c_double_p, _c_double_p, _size_t, _c_double_p,
    ],
    "ltv_model_p_alive_ahead": [
        _model, _double, _c_double_p, _c_double_p, _c_double_p, _size_t, _c_double_p,
    ],
    "ltv_model_simulate": [
        _model, ctypes.c_uint64, _c_double_p, _size_t, _c_double_p, _c_double_p, _int_p,
    ],
    "ltv_model_alive_path": [_model, _c_double_p, _size_t, _c_double_p, _size_t, _c_double_p],
    "ltv_model_expected_cumulative_transactions": [
        _model, _c_double_p, _c_double_p, _size_t, _c_double_p, _size_t, _c_double_p,
    ],
    "ltv_model_fit_spend": [
        _model, _c_double_p, _c_double_p, _c_double_p, _size_t, ctypes.POINTER(FitOptions),
    ],
    "ltv_model_expected_spend": [_model, _c_double_p, _c_double_p, _size_t, _c_double_p],
    "ltv_model_spend_log_likelihood": [_model, _c_double_p, _c_double_p, _size_t, _c_double_p],
    "ltv_clv_options_init": [ctypes.POINTER(ClvOptions), _size_t],
    "ltv_customer_lifetime_value": [
        _model, _model, _c_double_p, _c_double_p, _c_double_p, _c_double_p, _size_t,
        ctypes.POINTER(ClvOptions), _c_double_p,
    ],
    # sBG
    "ltv_model_fit_survivors": [_model, _c_double_p, _size_p, _size_t, ctypes.POINTER(FitOptions)],
    "ltv_model_survival": [_model, _c_double_p, _size_t, _c_double_p],
    "ltv_model_retention_rate": [_model, _c_double_p, _size_t, _c_double_p],
    "ltv_model_discounted_expected_lifetime": [_model, _double, _c_double_p],
    "ltv_model_discounted_expected_residual_lifetime": [
        _model, _double, _c_double_p, _size_t, _c_double_p,
    ],
    # transaction logs: reading, summaries, journey, RFM, cohorts
    "ltv_parse_date": [ctypes.c_char_p, _i32_p],
    "ltv_read_options_init": [ctypes.POINTER(ReadOptions), _size_t],
    "ltv_summary_options_init": [ctypes.POINTER(SummaryOptions), _size_t],
    "ltv_summary_table_free": [_handle],
    "ltv_summary_table_info": [_handle, ctypes.POINTER(SummaryInfo)],
    "ltv_summary_table_column": [_handle, ctypes.c_int, _c_double_p, _size_t],
    "ltv_summary_table_days": [_handle, ctypes.c_int, _i32_p, _size_t],
    "ltv_summary_table_ids": [_handle, _char_p, _size_t, _size_p, _size_t, _size_p],
    "ltv_summarize_file": [
        ctypes.c_char_p, ctypes.POINTER(ReadOptions), ctypes.POINTER(SummaryOptions), _handle_out,
        ctypes.POINTER(ReadReport),
    ],
    "ltv_summary_create": [ctypes.POINTER(SummaryOptions), _handle_out],
    "ltv_summary_free": [_handle],
    "ltv_summary_add": [_handle, _char_p, _size_p, _i32_p, _c_double_p, _size_t],
    "ltv_summary_add_strings": [_handle, ctypes.POINTER(ctypes.c_char_p), _i32_p, _c_double_p, _size_t],
    "ltv_summary_add_file": [
        _handle, ctypes.c_char_p, ctypes.POINTER(ReadOptions), ctypes.POINTER(ReadReport),
    ],
    "ltv_summary_counts": [_handle, _size_p, _u64_p, _u64_p],
    "ltv_summary_result": [_handle, _handle_out],
    "ltv_summary_save": [_handle, ctypes.c_char_p],
    "ltv_summary_load": [ctypes.c_char_p, _handle_out],
    "ltv_transactions_create": [_handle_out],
    "ltv_transactions_free": [_handle],
    "ltv_transactions_add": [_handle, _char_p, _size_p, _i32_p, _c_double_p, _size_t],
    "ltv_transactions_add_file": [
        _handle, ctypes.c_char_p, ctypes.POINTER(ReadOptions), ctypes.POINTER(ReadReport),
    ],
    "ltv_transactions_counts": [_handle, _size_p, _size_p],
    "ltv_transactions_ids": [_handle, _char_p, _size_t, _size_p, _size_t, _size_p],
    "ltv_transactions_summarize": [_handle, ctypes.POINTER(SummaryOptions), _handle_out],
    "ltv_journey_options_init": [ctypes.POINTER(JourneyOptions), _size_t],
    "ltv_journey_status_name": [ctypes.c_int, _str_out],
    "ltv_transactions_journey": [
        _handle, ctypes.c_int32, ctypes.POINTER(JourneyOptions), _i32_p, _c_double_p, _size_t,
        ctypes.POINTER(JourneySummary),
    ],
    "ltv_transactions_monthly_journey": [
        _handle, ctypes.POINTER(JourneyOptions), ctypes.c_int32, _i32_p, _size_p, _size_t, _size_p,
        _c_double_p, _c_double_p,
    ],
    "ltv_rfm_segment_name": [ctypes.c_int, _str_out],
    "ltv_transactions_rfm": [
        _handle, ctypes.c_int32, _c_double_p, _c_double_p, _c_double_p, _i32_p, _i32_p, _i32_p,
        _i32_p, _size_t,
    ],
    "ltv_transactions_cohorts": [
        _handle, ctypes.c_int32, _i32_p, _size_p, _c_double_p, _c_double_p, _size_t, _size_p,
    ],
    "ltv_transactions_period_retention": [
        _handle, ctypes.c_int32, ctypes.c_int32, ctypes.c_int, ctypes.POINTER(PeriodRetention),
    ],
    # model comparison: ltv_transactions*/ltv_summary_table* in, ltv_evaluation* out
    "ltv_compare_options_init": [ctypes.POINTER(CompareOptions), _size_t],
    "ltv_compare_transactions": [
        _handle, ctypes.POINTER(SummaryOptions), ctypes.POINTER(CompareOptions), _handle_out,
    ],
    "ltv_compare_summary": [_handle, ctypes.POINTER(CompareOptions), _handle_out],
    "ltv_evaluation_free": [_handle],
    "ltv_evaluation_metric_count": [_size_p],
    "ltv_evaluation_metric_info": [_size_t, _str_out, _str_out, _int_p, _str_out],
    "ltv_evaluation_counts": [_handle, _size_p, _size_p, _size_p],
    "ltv_evaluation_row_info": [_handle, _size_t, ctypes.POINTER(EvaluationRow)],
    "ltv_evaluation_metrics": [_handle, _size_t, _c_double_p, _int_p, _size_t],
    "ltv_evaluation_model": [_handle, _size_t, _model_out],
    "ltv_evaluation_summary": [_handle, _handle_out],
    "ltv_evaluation_series": [_handle, ctypes.c_int, _size_t, _c_double_p, _size_t, _size_p],
    "ltv_evaluation_to_json": [_handle, ctypes.c_char_p, _size_t, _size_p],
    "ltv_evaluation_write_html": [_handle, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p],
    # 0.2.5: time zones
    "ltv_parse_date_in_zone": [ctypes.c_char_p, ctypes.c_char_p, _i32_p],
    "ltv_days_in_zone": [ctypes.POINTER(ctypes.c_int64), _size_t, ctypes.c_char_p, _i32_p],
    # 0.2.5: 64-bit integer customer ids, merged summary states
    "ltv_summary_add_int64": [_handle, _i64_p, _i32_p, _c_double_p, _size_t],
    "ltv_summary_table_ids_int64": [_handle, _i64_p, _size_t],
    "ltv_transactions_add_int64": [_handle, _i64_p, _i32_p, _c_double_p, _size_t],
    "ltv_transactions_ids_int64": [_handle, _i64_p, _size_t],
    "ltv_summary_merge": [_handle, _handle],
    # 0.2.6: the customers table, one prediction call with intervals
    "ltv_customers_init": [ctypes.POINTER(Customers), _size_t],
    "ltv_model_fit_customers": [_model, ctypes.POINTER(Customers), ctypes.POINTER(FitOptions)],
    "ltv_prediction_options_init": [ctypes.POINTER(PredictionOptions), _size_t],
    "ltv_model_predict": [_model, ctypes.c_int, ctypes.c_double, ctypes.POINTER(Customers),
                          ctypes.POINTER(PredictionOptions), _c_double_p, _c_double_p,
                          _c_double_p, _size_t],
    "ltv_regularity_wheat": [_c_double_p, _c_double_p, _size_t, _c_double_p],
}

# name -> (restype, argtypes) for the functions that return a value instead of a status
_PLAIN = {
    "ltv_version_number": (ctypes.c_int, []),
    "ltv_version_string": (ctypes.c_char_p, []),
    "ltv_last_error": (ctypes.c_char_p, []),
    "ltv_status_name": (ctypes.c_char_p, [ctypes.c_int]),
}


#: Where an installed package keeps its bundled copy of the library (setup.py copies it there).
BUNDLED = Path(__file__).resolve().parent / "_lib" / "libltv.so"


def _source_root():
    """The repository root when this module runs from the source tree (``bindings/python/ltv``
    of a checkout), else None (an installed package)."""
    here = Path(__file__).resolve().parent
    root = here.parents[2]
    if here.parents[1].name == "bindings" and (root / "include" / "ltv" / "ltv.h").is_file():
        return root
    return None


def _candidates():
    """(where, path) in search order; path None for a place that does not apply here, with the
    reason in ``where``."""
    env = os.environ.get("LTV_LIBRARY")
    if env:
        yield "LTV_LIBRARY", env
    if BUNDLED.is_file():
        yield "the copy bundled with the package", str(BUNDLED)
    else:
        yield f"the copy bundled with the package: none ({BUNDLED.parent} is missing)", None
    root = _source_root()
    if root is not None:
        yield "the build tree", str(root / "build" / "lib" / "libltv.so")
    else:
        here = Path(__file__).resolve().parent
        yield f"the build tree: none ({here} is not in a source checkout)", None
    found = ctypes.util.find_library("ltv")
    yield "the system (ctypes.util.find_library)", found or "libltv.so"
    yield "the system (soname)", SONAME


def _load():
    tried = []
    for where, path in _candidates():
        if path is None:
            tried.append(f"  {where}")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            tried.append(f"  {where}: {path} ({exc})")
    raise LibraryNotFoundError(
        "cannot load libltv.so; tried:\n"
        + "\n".join(tried)
        + "\nBuild it (scripts/demo or cmake --build build) and set LTV_LIBRARY to its path, "
        "install it (cmake --install build), or reinstall the package with it bundled "
        "(docs/python.md, Install)."
    )


def _declare(lib):
    for name, argtypes in _SIGNATURES.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = ctypes.c_int
    for name, (restype, argtypes) in _PLAIN.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = restype


lib, path = _load()
_declare(lib)

_version = lib.ltv_version_number()
_loaded_abi = (_version // 10000, _version // 100 % 100)[: len(ABI)]
if _loaded_abi != ABI:
    raise LibraryNotFoundError(
        f"{path} is ltv {lib.ltv_version_string().decode()}, but this binding needs the ABI of "
        f"ltv {'.'.join(map(str, ABI))}.x ({SONAME})"
    )


def _library_struct_size(init, struct):
    """The size the library gives ``struct``: its *_init writes at most its own sizeof into a
    bigger buffer and records it in struct_size (docs/abi.md)."""
    buffer = (ctypes.c_char * 4096)()
    status = init(ctypes.cast(buffer, ctypes.POINTER(struct)), ctypes.sizeof(buffer))
    return ctypes.c_size_t.from_buffer(buffer).value if status == 0 else None


# Each option struct mirrored here must be no larger than the library's: a field the loaded
# library does not know would be set by the binding and silently ignored (an older library with
# the same ABI; the library may be newer, with larger structs, whose extra fields keep their
# defaults). Checked once, at import.
_MIRRORS = {
    "ltv_fit_options_init": FitOptions,
    "ltv_clv_options_init": ClvOptions,
    "ltv_read_options_init": ReadOptions,
    "ltv_summary_options_init": SummaryOptions,
    "ltv_journey_options_init": JourneyOptions,
    "ltv_average_clv_options_init": AverageClvOptions,
    "ltv_compare_options_init": CompareOptions,
}
for _name, _struct in _MIRRORS.items():
    _size = _library_struct_size(getattr(lib, _name), _struct)
    if _size is None or _size < ctypes.sizeof(_struct):
        raise LibraryNotFoundError(
            f"{path} is ltv {lib.ltv_version_string().decode()}: its {_struct.__name__} has "
            f"{_size} bytes but this binding's mirror has {ctypes.sizeof(_struct)}; use the "
            "binding that came with the library (or a newer library)"
        )


def last_error():
    """The calling thread's last error message from the library."""
    return lib.ltv_last_error().decode("utf-8", errors="replace")


def call(name, *args):
    """Calls the C function ``name``; raises the matching LtvError on a non-zero status."""
    status = getattr(lib, name)(*args)
    if status != 0:
        raise error_for_status(status, last_error())


def version():
    """The loaded library's version string, e.g. ``"0.1.0"``."""
    return lib.ltv_version_string().decode()
