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
    _refuse_times(array, name)
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


# ---- per-customer inputs that broadcast, and results shaped like them -----------------------

class Shape:
    """How a per-customer result is returned, from the inputs it was computed on.

    ``scalar``: every input was a scalar → a float. ``shape``: numpy's broadcast shape of the
    inputs → an ndarray of that shape. ``index`` / ``columns``: the pandas labels of the inputs
    (a Series → a Series with its index; a DataFrame → a DataFrame with its index and columns).
    """

    __slots__ = ("scalar", "shape", "index", "columns")

    def __init__(self, scalar, shape, index=None, columns=None):
        self.scalar, self.shape, self.index, self.columns = scalar, shape, index, columns

    def wrap(self, flat, name=None):
        """The flat float64 result in the inputs' form."""
        if self.scalar:
            return float(flat[0])
        values = flat.reshape(self.shape)
        if self.index is not None:
            import pandas as pd

            if self.columns is not None:
                return pd.DataFrame(values, index=self.index, columns=self.columns)
            return pd.Series(values, index=self.index, name=name)
        return values


def _refuse_times(array, name):
    """Durations and dates are not numbers here: a timedelta64 would reach C as nanoseconds."""
    if array.dtype.kind in "mM":
        raise InvalidArgumentError(
            f"argument '{name}' holds {'durations' if array.dtype.kind == 'm' else 'dates'} "
            f"({array.dtype}); give numbers in the model's time unit, e.g. "
            "durations / numpy.timedelta64(7, 'D') for weeks")


def _pandas_values(value, name):
    """(numpy values, index, columns) of a pandas Series/DataFrame; nullable numbers (Int64,
    Float64, boolean) become float64 with NaN for <NA> (refused later, naming the row)."""
    index = value.index
    columns = getattr(value, "columns", None)
    dtypes = [value.dtype] if hasattr(value, "dtype") else list(value.dtypes)
    for dtype in dtypes:
        if isinstance(dtype, np.dtype):
            _refuse_times(np.empty(0, dtype=dtype), name)
        elif "datetime" in str(dtype) or "timedelta" in str(dtype):
            raise InvalidArgumentError(
                f"argument '{name}' holds dates or durations ({dtype}); give numbers in the "
                "model's time unit")
    try:
        array = value.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"argument '{name}' must be numeric, got pandas dtype "
            f"{getattr(value, 'dtype', None) or list(value.dtypes)}"
        ) from None
    return array, index, columns


def broadcast_columns(**named):
    """Per-customer inputs → ({name: flat C-contiguous float64 array}, count, Shape).

    The inputs broadcast together by numpy's rules (scalars, 1-D columns, 2-D grids such as
    lifetimes' frequency × recency matrices …). pandas inputs must carry the same index (they
    are not aligned silently: a mismatch raises); the result then carries it.
    """
    arrays, index, columns, index_from = {}, None, None, None
    for name, value in named.items():
        if hasattr(value, "index") and hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
            array, idx, cols = _pandas_values(value, name)
            if index is None:
                index, columns, index_from = idx, cols, name
            elif not (idx.equals(index) and ((cols is None and columns is None)
                                             or (cols is not None and columns is not None
                                                 and cols.equals(columns)))):
                raise InvalidArgumentError(
                    f"arguments '{index_from}' and '{name}' are pandas objects with different "
                    "indexes; align them first (or pass numpy arrays)"
                )
        else:
            array = np.asarray(value)
            _refuse_times(array, name)
            if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                             or np.issubdtype(array.dtype, np.bool_)):
                if isinstance(value, (str, bytes)):
                    raise InvalidArgumentError(f"argument '{name}' = {value!r} is not a number")
                try:
                    array = array.astype(np.float64)
                except (TypeError, ValueError):
                    raise InvalidArgumentError(
                        f"argument '{name}' must be numeric, got an array of dtype {array.dtype}"
                    ) from None
        arrays[name] = array
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        raise InvalidArgumentError(
            "arguments have different lengths (shapes that do not broadcast together): "
            + ", ".join(f"'{k}' has shape {a.shape}" for k, a in arrays.items())
        ) from None
    scalar = all(a.ndim == 0 for a in arrays.values()) and index is None
    if index is not None and shape != arrays[index_from].shape:
        index = columns = None  # the pandas labels no longer fit the broadcast result
    flat = {}
    for k, a in arrays.items():
        b = np.broadcast_to(a, shape).reshape(-1)
        flat[k] = np.ascontiguousarray(b, dtype=np.float64)
    count = int(np.prod(shape)) if shape else 1
    return flat, count, Shape(scalar, shape, index, columns)


def clip_histories(frequency, recency, T, age_name="T", invalid="raise"):
    """Checks (x, t_x, T) histories that the models cannot have seen: x = 0 with t_x > 0, or
    t_x > T. ``invalid="raise"`` (default) lets the library refuse them, naming the row;
    ``"clip"`` replaces them with the nearest possible history (t_x = 0 when x = 0, t_x = T when
    t_x > T) and warns how many were clipped — lifetimes' grids and matrices evaluate such cells.
    Works in place on the flat arrays of broadcast_columns."""
    if invalid == "raise":
        return frequency, recency, T
    if invalid != "clip":
        raise InvalidArgumentError(
            f"argument 'invalid' = {invalid!r} must be 'raise' or 'clip'")
    no_repeat = (frequency == 0) & (recency > 0)
    beyond = recency > T
    count = int(no_repeat.sum()) + int((beyond & ~no_repeat).sum())
    if count:
        import warnings

        recency = recency.copy()
        recency[no_repeat] = 0.0
        recency[beyond & ~no_repeat] = T[beyond & ~no_repeat]
        warnings.warn(
            f"{count} histories clipped: {int(no_repeat.sum())} with frequency 0 and recency > 0 "
            f"(recency set to 0), {int((beyond & ~no_repeat).sum())} with recency > {age_name} "
            f"(recency set to {age_name})", RuntimeWarning, stacklevel=3)
    return frequency, recency, T
