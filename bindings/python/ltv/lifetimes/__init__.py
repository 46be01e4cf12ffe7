# SPDX-License-Identifier: Apache-2.0
"""A lifetimes-compatible surface over ltv's native models.

Change ``lifetimes`` to ``ltv.lifetimes`` in a lifetimes script's imports and it runs on ltv::

    from ltv.lifetimes import BetaGeoFitter, GammaGammaFitter
    from ltv.lifetimes.utils import summary_data_from_transaction_data
    from ltv.lifetimes.datasets import load_cdnow_summary
    from ltv.lifetimes.plotting import plot_frequency_recency_matrix

The fitters keep lifetimes' names, argument orders, defaults and attributes; every number comes
from the native models (``fitter.model`` is the ``ltv.BetaGeo``, ... behind it). The deliberate
differences are listed in docs/migrating-from-lifetimes.md.
"""

from .fitters import (
    BaseFitter,
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    ConvergenceError,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)
from . import datasets, generate_data, utils


def __getattr__(name):
    # ltv.lifetimes.plotting on first use (it imports matplotlib inside its functions only)
    if name == "plotting":
        import importlib

        return importlib.import_module(__name__ + ".plotting")
    raise AttributeError(f"module 'ltv.lifetimes' has no attribute {name!r}")


__version__ = "0.11.3+ltv"  # the lifetimes release whose surface this layer follows

__all__ = (
    "__version__",
    "BaseFitter",
    "BetaGeoFitter",
    "ParetoNBDFitter",
    "GammaGammaFitter",
    "ModifiedBetaGeoFitter",
    "BetaGeoBetaBinomFitter",
    "ConvergenceError",
    "datasets",
    "generate_data",
    "utils",
)
