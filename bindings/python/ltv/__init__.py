"""ltv — customer lifetime value and retention, from Python.

A ctypes binding of the ltv C library (libltv.so). Errors raise subclasses of
:class:`ltv.LtvError` carrying the library's message.

>>> import ltv
>>> ltv.retention_rate(start=1000, end=1100, new=200)
0.9
"""

from ._library import version
from .calculators import (
    RetentionFlows,
    average_clv,
    churn_rate,
    lost_profit,
    ltv_from_margins,
    purchase_chain_ltv,
    retention_from_flows,
    retention_rate,
    simple_ltv,
)
from .models import (
    BetaGeo,
    GammaGamma,
    Model,
    ModifiedBetaGeo,
    ParetoNBD,
    BetaGeoBetaBinom,
    ShiftedBetaGeo,
    customer_lifetime_value,
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
from .errors import (
    BufferTooSmallError,
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

__version__ = version()

__all__ = [
    "__version__",
    "version",
    "RetentionFlows",
    "average_clv",
    "churn_rate",
    "lost_profit",
    "ltv_from_margins",
    "purchase_chain_ltv",
    "retention_from_flows",
    "retention_rate",
    "simple_ltv",
    "Model",
    "BetaGeo",
    "ModifiedBetaGeo",
    "GammaGamma",
    "ParetoNBD",
    "BetaGeoBetaBinom",
    "ShiftedBetaGeo",
    "customer_lifetime_value",
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
    "LibraryNotFoundError",
]
