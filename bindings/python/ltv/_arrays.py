# SPDX-License-Identifier: Apache-2.0
"""Turning Python inputs (numbers, lists, numpy arrays, pandas Series) into what C expects.

Arrays are converted to C-contiguous float64 numpy arrays and checked before their pointer is
passed: dtype (numeric), dimensions (1-D), and shape agreement. Non-numeric input raises
``InvalidArgumentError`` naming the argument, rather than reaching C.
"""

import ctypes

import numpy as np

from .errors import InvalidArgumentError

_c_double_p = ctypes.POINTER(ctypes.c_double)


def as_double(value, name):
    """A Python float from a number-like scalar, naming ``name`` if it is not one."""
    try:
        if isinstance(value, (str, bytes)):
            raise TypeError
        return float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"argument '{name}' = {value!r} is not a number"
        ) from None


def as_double_array(values, name):
    """A 1-D C-contiguous float64 array from a sequence, numpy array or pandas Series."""
    if hasattr(values, "to_numpy"):  # pandas Series / Index
        values = values.to_numpy()
    array = np.asarray(values)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_)
    ):
        raise InvalidArgumentError(
            f"argument '{name}' must be numeric, got an array of dtype {array.dtype}"
        )
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise InvalidArgumentError(
            f"argument '{name}' must be one-dimensional, got shape {array.shape}"
        )
    array = np.ascontiguousarray(array, dtype=np.float64)
    assert array.flags["C_CONTIGUOUS"] and array.dtype == np.float64
    return array


def pointer(array):
    """The ``double*`` of a float64 C-contiguous array (checked, never a silent copy)."""
    if array.dtype != np.float64 or not array.flags["C_CONTIGUOUS"]:
        raise InvalidArgumentError("internal: array passed to C must be C-contiguous float64")
    return array.ctypes.data_as(_c_double_p)


def is_scalar(value):
    return np.ndim(value) == 0 and not hasattr(value, "to_numpy")
