# SPDX-License-Identifier: Apache-2.0
"""ltv — customer lifetime value and retention, from Python.

A ctypes binding of the ltv C library (libltv.so). Errors raise subclasses of
:class:`ltv.LtvError` carrying the library's message.

>>> import ltv
>>> ltv.retention_rate(start=1000, end=1100, new=200)
0.9
"""

import ctypes as _ctypes
import operator as _operator

from ._library import call as _call, version
from .calculators import (
    RetentionFlows,
    average_clv,
    churn_rate,
    lost_profit,
    ltv_from_margins,
    purchase_chain_ltv,
    regularity_wheat,
    retention_from_flows,
    retention_rate,
    simple_ltv,
)
from .models import (
    CAPABILITIES,
    MODEL_CLASSES,
    Model,
    capability_names,
    clv_defaults,
    customer_lifetime_value,
    interval_defaults,
    load_model,
    model_from_json,
)
from .transactions import (
    CohortTable,
    ReadInfo,
    RetentionResult,
    RfmResult,
    StatusResult,
    Summary,
    SummaryState,
    TransactionLog,
    cohorts,
    parse_date,
    period_retention,
    read_transactions,
    rfm,
    segment_names,
    status,
    summarize,
    summarize_file,
)
from .evaluation import Comparison, compare_models
from .segments import SegmentedModel, fit_segments, load_segments, segments_from_json
from . import datasets, evaluation, plotting
from .plotting import (
    plot_calibration_purchases_vs_holdout_purchases,
    plot_cumulative_transactions,
    plot_frequency_recency_matrix,
    plot_history_alive,
    plot_incremental_transactions,
    plot_period_transactions,
    plot_probability_alive_matrix,
)
from .errors import (
    BufferTooSmallError,
    CancelledError,
    DomainError,
    InternalError,
    InvalidArgumentError,
    LibraryNotFoundError,
    LtvError,
    LtvIOError,
    NoConvergenceError,
    NotFittedError,
    OutOfMemoryError,
    ParseError,
)

# One class per model of the library's registry (BetaGeo, ParetoNBD, …; see ltv.models).
globals().update(MODEL_CLASSES)

__version__ = version()


def set_threads(threads):
    """Sets the process-wide default number of threads for batch predictions.

    ``0`` (the initial setting) is automatic: the CPUs this process may use (its affinity mask,
    e.g. ``taskset``, and its cgroup CPU quota). ``1`` runs every batch on the calling thread.
    Models created with ``threads=0`` (the default) follow this setting; results never depend on
    it. Raises :class:`InvalidArgumentError` for a negative number.
    """
    n = _operator.index(threads)  # TypeError for floats and strings
    if not -(2**31) <= n <= 2**31 - 1:  # outside a C int; the library checks the rest
        raise InvalidArgumentError(
            f"set_threads: argument 'threads' = {n} must be an int in [0, 2147483647] "
            "(0 = automatic: the CPUs this process may use)"
        )
    _call("ltv_set_default_threads", n)


def get_threads():
    """The number of threads the process default resolves to now (at least 1)."""
    out = _ctypes.c_int()
    _call("ltv_default_threads", _ctypes.byref(out))
    return out.value

__all__ = [
    "__version__",
    "version",
    "set_threads",
    "get_threads",
    "RetentionFlows",
    "average_clv",
    "churn_rate",
    "lost_profit",
    "ltv_from_margins",
    "purchase_chain_ltv",
    "regularity_wheat",
    "retention_from_flows",
    "retention_rate",
    "simple_ltv",
    "Model",
    "CAPABILITIES",
    "MODEL_CLASSES",
    *MODEL_CLASSES,
    "capability_names",
    "clv_defaults",
    "customer_lifetime_value",
    "interval_defaults",
    "load_model",
    "model_from_json",
    "Summary",
    "SummaryState",
    "TransactionLog",
    "ReadInfo",
    "StatusResult",
    "RfmResult",
    "CohortTable",
    "RetentionResult",
    "summarize",
    "summarize_file",
    "read_transactions",
    "parse_date",
    "status",
    "rfm",
    "cohorts",
    "period_retention",
    "segment_names",
    "compare_models",
    "Comparison",
    "datasets",
    "evaluation",
    "plotting",
    *plotting.__all__,
    "SegmentedModel",
    "fit_segments",
    "load_segments",
    "segments_from_json",
    "LtvError",
    "InvalidArgumentError",
    "DomainError",
    "NoConvergenceError",
    "OutOfMemoryError",
    "BufferTooSmallError",
    "NotFittedError",
    "InternalError",
    "LtvIOError",
    "ParseError",
    "CancelledError",
    "LibraryNotFoundError",
]
