# SPDX-License-Identifier: Apache-2.0
"""Exceptions raised by the ltv binding: one class per C status code.

Every class derives from :class:`LtvError` and from the built-in exception a Python user would
expect (``ValueError`` for invalid arguments, ``MemoryError`` for out of memory, ...), so both
``except ltv.LtvError`` and ``except ValueError`` work. The message is the library's own
``ltv_last_error()`` text, which names the argument, index and value at fault.
"""


class LtvError(Exception):
    """Base class of every error reported by the ltv library."""

    status = None  # the C status code (a negative int)
    status_name = "error"


class InvalidArgumentError(LtvError, ValueError):
    """An argument is invalid: wrong type, NaN, negative where it must not be, arrays of different
    lengths, an impossible history (recency > T), an unknown option. Also a ``ValueError``; the
    message names the function, the argument, the row and the value (``ltv_last_error()``)."""

    status, status_name = -1, "invalid_argument"


class DomainError(LtvError, ValueError):
    """The arguments are valid but the result is not defined there (outside the model's domain,
    e.g. period retention when nobody was active at the start, a Gamma-Gamma expected spend where
    p·x + q ≤ 1). Also a ``ValueError``."""

    status, status_name = -2, "domain_error"


class NoConvergenceError(LtvError, RuntimeError):
    """A fit did not converge (iterations, ``time_limit`` or a parameter running off to infinity);
    the message names the best point reached. ``fit(..., allow_no_convergence=True)`` keeps that
    point instead. Also a ``RuntimeError``; ``ltv.lifetimes.ConvergenceError`` derives from it."""

    status, status_name = -3, "no_convergence"


class OutOfMemoryError(LtvError, MemoryError):
    """The library could not allocate memory for the call. Also a ``MemoryError``."""

    status, status_name = -4, "out_of_memory"


class BufferTooSmallError(LtvError, ValueError):
    """An output buffer passed to the C library was too small (the binding sizes its buffers, so
    seeing this is a binding bug). Also a ``ValueError``."""

    status, status_name = -5, "buffer_too_small"


class NotFittedError(LtvError, RuntimeError):
    """The model has no parameters yet: fit it, set them (``set_params``) or load a model file
    first. Also a ``RuntimeError``."""

    status, status_name = -6, "not_fitted"


class InternalError(LtvError, RuntimeError):
    """An unexpected failure inside the library (a bug: please report it with the message). Also a
    ``RuntimeError``."""

    status, status_name = -7, "internal"


class LtvIOError(LtvError, OSError):
    """A file could not be opened, read or written (or changed while it was being read); the message
    names the file and the system error. Also an ``OSError``."""

    status, status_name = -8, "io_error"


class ParseError(LtvError, ValueError):
    """Text could not be parsed: a date, a number, a CSV row or a model/state file; the message names
    the file, line, column and value. Also a ``ValueError``."""

    status, status_name = -9, "parse_error"


class CancelledError(LtvError, RuntimeError):
    """A fit's ``cancel`` callback returned True (or raised: the exception is the ``__cause__``)."""

    status, status_name = -10, "cancelled"


class LibraryNotFoundError(LtvError, ImportError):
    """libltv.so could not be loaded; the message lists every place that was tried."""


_BY_STATUS = {
    cls.status: cls
    for cls in (
        InvalidArgumentError,
        DomainError,
        NoConvergenceError,
        OutOfMemoryError,
        BufferTooSmallError,
        NotFittedError,
        InternalError,
        LtvIOError,
        ParseError,
        CancelledError,
    )
}


def error_for_status(status, message):
    """The exception instance for a non-zero C status and its message."""
    cls = _BY_STATUS.get(status, LtvError)
    error = cls(message or f"ltv call failed with status {status}")
    if cls is LtvError:
        error.status = status
    return error
