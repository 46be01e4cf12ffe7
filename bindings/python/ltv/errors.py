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
    status, status_name = -1, "invalid_argument"


class DomainError(LtvError, ValueError):
    status, status_name = -2, "domain_error"


class NoConvergenceError(LtvError, RuntimeError):
    status, status_name = -3, "no_convergence"


class OutOfMemoryError(LtvError, MemoryError):
    status, status_name = -4, "out_of_memory"


class BufferTooSmallError(LtvError, ValueError):
    status, status_name = -5, "buffer_too_small"


class NotFittedError(LtvError, RuntimeError):
    status, status_name = -6, "not_fitted"


class InternalError(LtvError, RuntimeError):
    status, status_name = -7, "internal"


class LtvIOError(LtvError, OSError):
    status, status_name = -8, "io_error"


class ParseError(LtvError, ValueError):
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
