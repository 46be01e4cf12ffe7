# SPDX-License-Identifier: Apache-2.0
"""Transaction logs: per-customer summaries, journey statuses, RFM and cohorts.

docs/summaries.md, docs/journey.md, docs/rfm.md and docs/cohorts.md define every quantity.

Inputs
    customer ids   a sequence, numpy array or pandas Series of strings or integers (integers,
                   and floats holding whole numbers, are written in decimal: 1 → "1").
                   Integer ids come back as integers (Summary.customer_id, the index of
                   to_pandas()), so the result joins to the caller's integer-indexed frames.
    dates          ISO strings ("2014-01-05", "20140105", "2014-01-05 10:30:00"), datetime.date /
                   datetime objects, numpy datetime64 or a pandas datetime Series (a time of day
                   is dropped). Time zones (docs/summaries.md, "Dates, times and time zones"):
                   without ``time_zone=`` every date is taken as written (a tz-aware value's own
                   local date); with ``time_zone="Europe/Berlin"`` (or "UTC", "+05:30", a POSIX
                   TZ string) tz-aware values — pandas tz-aware columns, datetime objects with a
                   tzinfo, strings with an offset such as "…T23:30:00Z" — are converted to that
                   zone before their date is taken; dates alone and tz-naive values are still
                   taken as written;
                   integers written YYYYMMDD (19970101 — what pandas.read_csv makes of CDNOW's
                   dates); small integers (< 10 000 000) = days since 1970-01-01. Nullable
                   pandas columns (Int64, string) are accepted; a missing value is an error
                   naming its row.
    amounts        numbers, or None (all 0).
    time_unit      the unit of the summaries' durations: "day" (the library's default, one
                   definition for C, C++, the CLI and Python: ltv_summary_options_init), "week",
                   "month" (30 days) or a number of days. Every Summary records its unit
                   (``time_unit``), and models fitted on it keep it in their files.

Entry points
    summarize(ids, dates, amounts, ...)  → Summary (lifetimes' summary_data_from_transaction_data)
    summarize_file(path, ...)            → Summary, read straight from a CSV/TSV/whitespace file
    read_transactions(path, ...)         → TransactionLog: the whole log in memory, with
                                           .summarize(), .status(), .monthly_status(), .rfm(),
                                           .cohorts() and .retention()
    SummaryState(...)                    incremental: .add(), .add_file(), .result(), .save(),
                                           SummaryState.load()
    status(), rfm(), cohorts(), period_retention(): one-call versions on in-memory columns.

Errors raise the binding's exceptions with the library's message; malformed files name file,
line, column and value (ParseError).
"""

import ctypes
import datetime
import os
import sys
from collections import namedtuple

import numpy as np

from ._arrays import as_double_array, pointer
from ._library import (
    JourneyOptions,
    JourneySummary,
    PeriodRetention,
    ReadOptions,
    ReadReport,
    SummaryInfo,
    SummaryOptions,
    call,
    lib,
)
from .errors import InvalidArgumentError

NO_DATE = -(2**31)  # LTV_NO_DATE

_size_p = ctypes.POINTER(ctypes.c_size_t)
_i32_p = ctypes.POINTER(ctypes.c_int32)

_MERGE = {"none": 0, "transaction": 0, "day": 1, "d": 1, "days": 1, "week": 2, "w": 2, "weeks": 2,
          "month": 3, "m": 3, "months": 3}
_UNITS = {"day": 1.0, "d": 1.0, "days": 1.0, "week": 7.0, "w": 7.0, "weeks": 7.0,
          "month": 30.0, "m": 30.0, "months": 30.0}

STATUSES = ("lead", "newbie", "fan", "sleeping", "lost", "returned")

ReadInfo = namedtuple(
    "ReadInfo",
    "rows skipped blank_lines lines bytes delimiter customer_column date_column amount_column errors",
)
ReadInfo.__doc__ = """What a file read did: rows read, malformed rows skipped (lenient mode) and the
first skipped rows' messages in ``errors``; resolved 0-based columns (-1 = none)."""

RetentionResult = namedtuple(
    "RetentionResult",
    "retention_rate retained_share customers_start customers_end new_customers retained reactivated",
)
RetentionResult.__doc__ = """Retention of a period measured on a log (:meth:`TransactionLog.retention`,
:func:`period_retention`; docs/cohorts.md): ``customers_start`` / ``customers_end`` (active at the
start / end: a purchase within the window before the date), ``new_customers`` (first purchase in
the period), ``retained`` (active at both), ``reactivated`` (customers_end − new − retained),
``retention_rate`` ((customers_end − new) / customers_start, the formula's rate) and
``retained_share`` (the share of the start's customers actually retained)."""


# ---- conversions --------------------------------------------------------------------------------

def _checked(array, dtype):
    """array as a C-contiguous array of dtype (checked before a pointer is taken)."""
    array = np.ascontiguousarray(array, dtype=dtype)
    assert array.flags["C_CONTIGUOUS"] and array.dtype == dtype
    return array


def _ptr(array, ctype):
    if not array.flags["C_CONTIGUOUS"]:
        raise InvalidArgumentError("internal: array passed to C must be C-contiguous")
    return array.ctypes.data_as(ctypes.POINTER(ctype))


def _to_numpy(values, name="values"):
    if hasattr(values, "dt") and getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)  # the date as written, not converted
    if hasattr(values, "to_numpy"):
        dtype = getattr(values, "dtype", None)
        if dtype is not None and not isinstance(dtype, np.dtype):  # pandas extension dtype
            missing = np.asarray(values.isna()) if hasattr(values, "isna") else None
            if missing is not None and missing.any():
                i = int(np.argmax(missing))
                raise InvalidArgumentError(
                    f"argument '{name}[{i}]' is missing (<NA> at index label "
                    f"{values.index[i]!r})")
            kind = getattr(dtype, "kind", "O")
            if kind in "iu":
                return np.asarray(values.to_numpy(dtype=np.int64)).reshape(-1)
            if kind == "f":
                return np.asarray(values.to_numpy(dtype=np.float64)).reshape(-1)
            values = values.to_numpy(dtype=object)
        else:
            values = values.to_numpy()
    array = np.asarray(values)
    if array.ndim == 0:
        array = array.reshape(1)
    return array


def parse_date(text, time_zone=None):
    """Day number (days since 1970-01-01) of a date written YYYY-MM-DD, YYYYMMDD or ISO
    date-time. With ``time_zone`` ("UTC", "+05:30", a POSIX TZ string or an IANA name such as
    "Europe/Berlin"), a date-time with a UTC offset is converted to that zone before its date is
    taken: ``parse_date("2024-03-31T22:30:00Z", time_zone="Europe/Berlin")`` is 2024-04-01."""
    out = ctypes.c_int32()
    zone = _zone(time_zone)
    if zone is None:
        call("ltv_parse_date", str(text).encode("utf-8"), ctypes.byref(out))
    else:
        call("ltv_parse_date_in_zone", str(text).encode("utf-8"), zone, ctypes.byref(out))
    return out.value


def _zone(time_zone, name="time_zone"):
    """The zone argument as bytes for C (None or "" = none): a string, or a zoneinfo.ZoneInfo /
    datetime.timezone (by its key / UTC offset)."""
    if time_zone is None:
        return None
    if isinstance(time_zone, str):
        return time_zone.encode("utf-8") if time_zone else None
    key = getattr(time_zone, "key", None)  # zoneinfo.ZoneInfo
    if isinstance(key, str):
        return key.encode("utf-8")
    if isinstance(time_zone, datetime.timezone):
        seconds = int(time_zone.utcoffset(None).total_seconds())
        sign = "-" if seconds < 0 else "+"
        seconds = abs(seconds)
        if seconds % 60:
            raise InvalidArgumentError(
                f"argument '{name}' = {time_zone!r} has an offset with seconds; ltv takes "
                "offsets in whole minutes")
        return f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}".encode("ascii")
    raise InvalidArgumentError(
        f"argument '{name}' = {time_zone!r} must be a zone name such as 'Europe/Berlin', 'UTC', "
        "'+05:30' or a POSIX TZ string (or a zoneinfo.ZoneInfo)")


def _days_in_zone(seconds, zone):
    """Local day numbers in zone (bytes) of int64 Unix seconds, through the library."""
    seconds = np.ascontiguousarray(seconds, dtype=np.int64)
    out = np.empty(len(seconds), dtype=np.int32)
    if len(seconds):
        call("ltv_days_in_zone", _ptr(seconds, ctypes.c_int64), len(seconds), zone,
             _ptr(out, ctypes.c_int32))
    return out


def _tz_aware(values):
    """The tz of a tz-aware pandas Series or DatetimeIndex, else None."""
    if hasattr(values, "dt"):  # a Series (hasattr is False unless it holds datetimes)
        return getattr(values.dt, "tz", None)
    if hasattr(values, "tz_convert") and hasattr(values, "tz"):  # a DatetimeIndex
        return values.tz
    return None


#: Integers at least this large are dates written YYYYMMDD (days since 1970 stay below it until
#: the year 29349; YYYYMMDD numbers start at 10000101).
_YYYYMMDD_MIN = 10_000_000


def _yyyymmdd(array, name):
    """Day numbers of integers written YYYYMMDD; a number that is no such date names its row."""
    year, rest = np.divmod(array, 10000)
    month, day = np.divmod(rest, 100)
    text = np.char.add(np.char.add(np.char.zfill(year.astype(str), 4), "-"),
                       np.char.add(np.char.add(np.char.zfill(month.astype(str), 2), "-"),
                                   np.char.zfill(day.astype(str), 2)))
    try:
        days = text.astype("datetime64[D]")
    except ValueError:
        days = None
    if days is not None:
        back = days.astype(object)
        ok = np.array([d.year * 10000 + d.month * 100 + d.day for d in back]) == array
        if ok.all():
            return days.astype(np.int64)
        bad = int(np.argmin(ok))
    else:
        bad = next(i for i, t in enumerate(text) if not _valid_iso(t))
    raise InvalidArgumentError(
        f"argument '{name}[{bad}]' = {int(array[bad])} is not a date written YYYYMMDD "
        "(integers from 10000000 up are read as YYYYMMDD; pass strings, datetime64 or "
        "pandas.to_datetime(column, format=...) for other encodings)")


def _valid_iso(text):
    try:
        np.datetime64(text, "D")
        return int(text[5:7]) in range(1, 13) and int(text[8:10]) in range(1, 32)
    except ValueError:
        return False


def _integer_days(array, name):
    """Integer dates: YYYYMMDD when large, days since 1970-01-01 when small — never a mix."""
    large = array >= _YYYYMMDD_MIN
    if large.any() and not large.all():
        i = int(np.argmin(large))
        j = int(np.argmax(large))
        raise InvalidArgumentError(
            f"argument '{name}' mixes YYYYMMDD dates ({name}[{j}] = {int(array[j])}) with day "
            f"numbers ({name}[{i}] = {int(array[i])}); integers from 10000000 up are read as "
            "YYYYMMDD, smaller ones as days since 1970-01-01")
    if large.any():
        return _yyyymmdd(array.astype(np.int64), name)
    return array.astype(np.int64)


def _days(values, name, time_zone=None):
    """int32 day numbers from dates (see the module docstring); time_zone as bytes or None."""
    if time_zone is not None and _tz_aware(values) is not None:
        # A tz-aware pandas column: its instants (ns since 1970 UTC) converted to the zone.
        missing = np.asarray(values.isna())
        if missing.any():
            i = int(np.argmax(missing))
            raise InvalidArgumentError(f"argument '{name}[{i}]' is NaT (a missing date)")
        utc = (values.dt.tz_convert("UTC").dt.tz_localize(None) if hasattr(values, "dt")
               else values.tz_convert("UTC").tz_localize(None))
        ns = np.asarray(utc.to_numpy(dtype="datetime64[ns]")).astype(np.int64)
        return _checked(_days_in_zone(np.floor_divide(ns, 1_000_000_000), time_zone), np.int32)
    if not hasattr(values, "dt") and _tz_aware(values) is not None:
        values = values.tz_localize(None)  # a tz-aware DatetimeIndex: the date as written
    array = _to_numpy(values, name)
    if array.ndim != 1:
        raise InvalidArgumentError(f"argument '{name}' must be one-dimensional, got shape {array.shape}")
    if np.issubdtype(array.dtype, np.datetime64):
        days = array.astype("datetime64[D]")
        bad = np.isnat(days)
        if bad.any():
            i = int(np.argmax(bad))
            raise InvalidArgumentError(f"argument '{name}[{i}]' is NaT (a missing date)")
        days = days.astype(np.int64)
    elif np.issubdtype(array.dtype, np.integer):
        days = _integer_days(array, name)
    elif np.issubdtype(array.dtype, np.floating):
        bad = ~np.isfinite(array) | (array != np.floor(array))
        if bad.any():
            i = int(np.argmax(bad))
            raise InvalidArgumentError(
                f"argument '{name}[{i}]' = {array[i]!r} is not a date (a missing value, or not a "
                "whole number)")
        days = _integer_days(array.astype(np.int64), name)
    elif array.dtype.kind in "US" or array.dtype == object:
        days = np.empty(len(array), dtype=np.int64)
        texts = None
        if array.dtype.kind in "US" or all(isinstance(v, str) for v in array):
            texts = array.astype(str)
            fast = len(texts) > 0 and bool(np.all(np.char.str_len(texts) == 10))
            if fast:
                try:
                    days = texts.astype("datetime64[D]").astype(np.int64)
                except ValueError:
                    fast = False
            if not fast:
                for i, text in enumerate(texts):
                    try:
                        days[i] = (parse_date(text) if time_zone is None
                                   else parse_date(text, time_zone.decode("utf-8")))
                    except Exception as exc:
                        raise type(exc)(f"argument '{name}[{i}]': {exc}") from None
        else:  # datetime.date / datetime / pandas Timestamp objects
            for i, v in enumerate(array):
                if v is None or v is getattr(_pd_na(), "NA", None) or (
                        isinstance(v, float) and np.isnan(v)):
                    raise InvalidArgumentError(f"argument '{name}[{i}]' is missing")
                if isinstance(v, str):
                    days[i] = (parse_date(v) if time_zone is None
                               else parse_date(v, time_zone.decode("utf-8")))
                    continue
                try:
                    if getattr(v, "tzinfo", None) is not None and v.utcoffset() is not None:
                        if time_zone is not None:  # an instant: its date in the zone
                            seconds = int(np.floor(v.timestamp()))
                            days[i] = _days_in_zone([seconds], time_zone)[0]
                            continue
                        v = v.replace(tzinfo=None)
                    days[i] = np.datetime64(v, "D").astype(np.int64)
                except (TypeError, ValueError):
                    raise InvalidArgumentError(
                        f"argument '{name}[{i}]' = {v!r} is not a date"
                    ) from None
    else:
        raise InvalidArgumentError(
            f"argument '{name}' must hold dates (strings, datetime64, date objects or day "
            f"numbers), got an array of dtype {array.dtype}"
        )
    if len(days) and (days.min() < -(2**31) + 1 or days.max() > 2**31 - 1):
        raise InvalidArgumentError(f"argument '{name}' holds dates out of range")
    return _checked(days, np.int32)


def _pd_na():
    """pandas, if it is imported already (for pd.NA); never imports it."""
    import sys

    return sys.modules.get("pandas")


def _day(value, name):
    """One day number, or NO_DATE for None."""
    if value is None:
        return NO_DATE
    try:
        return int(_days([value], name)[0])
    except InvalidArgumentError as error:  # one value: name the argument, not its element [0]
        raise InvalidArgumentError(str(error).replace(f"'{name}[0]'", f"'{name}'")) from None


_INT64_MAX = np.iinfo(np.int64).max


def _id_array(values, name):
    """The ids as a one-dimensional numpy array; whole floats (up to 2**53) become int64."""
    array = _to_numpy(values, name)
    if array.ndim != 1:
        raise InvalidArgumentError(f"argument '{name}' must be one-dimensional, got shape {array.shape}")
    if np.issubdtype(array.dtype, np.floating):
        if np.isnan(array).any():
            i = int(np.argmax(np.isnan(array)))
            raise InvalidArgumentError(f"argument '{name}[{i}]' is missing (NaN)")
        if np.all(array == np.floor(array)):
            if np.abs(array).max(initial=0) > 2**53:  # floats no longer tell integers apart
                i = int(np.argmax(np.abs(array) > 2**53))
                raise InvalidArgumentError(
                    f"argument '{name}[{i}]' = {array[i]!r} is a float id beyond 2**53, where "
                    "distinct integers become the same float; pass the ids as integers or "
                    "strings")
            array = array.astype(np.int64)
    return array


def _int64_ids(array):
    """The ids as a C-contiguous int64 array when they are integers within the int64 range
    (numpy signed/unsigned integer dtypes, pandas Int64 without NA, whole floats), else None:
    uint64 beyond 2**63 - 1 and Python big integers keep the text path."""
    if array.dtype.kind == "i":
        return _checked(array, np.int64)
    if array.dtype.kind == "u":
        if len(array) and int(array.max()) > _INT64_MAX:
            return None
        return _checked(array, np.int64)
    return None


def _is_missing(v):
    """Whether one object-array element is a missing value: None, a float NaN, pandas' NA or
    NaT, numpy's NaT (str() would turn the last three into the texts "<NA>" and "NaT")."""
    if v is None:
        return True
    if isinstance(v, (float, np.floating)):
        return bool(np.isnan(v))
    if isinstance(v, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(v))
    pd = sys.modules.get("pandas")  # only a pandas object can be pandas' NA or NaT
    return pd is not None and (v is pd.NA or v is pd.NaT)


def _ids(values, name):
    """Packed UTF-8 ids: (bytes, offsets as size_t array, count)."""
    return _pack_ids(_id_array(values, name), name)


def _pack_ids(array, name):
    """Packed UTF-8 ids of an array from _id_array (integers are written in decimal)."""
    if np.issubdtype(array.dtype, np.integer) or array.dtype.kind in "US":
        texts = array.astype(str).tolist()
    else:
        texts = []
        for i, v in enumerate(array.tolist()):
            if _is_missing(v):
                raise InvalidArgumentError(f"argument '{name}[{i}]' is missing ({v!r})")
            if isinstance(v, float) and v == int(v):
                v = int(v)
            texts.append(v.decode("utf-8") if isinstance(v, bytes) else str(v))
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.uintp)
    if encoded:
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.uintp, count=len(encoded)), out=offsets[1:])
    return b"".join(encoded), _checked(offsets, np.uintp), len(encoded)


def _integer_ids(values):
    """Whether ids are integers (numpy/pandas integer dtype, or whole floats) — the Summary then
    gives them back as int64."""
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        values = np.asarray(values)
        dtype = values.dtype
        if dtype == object:
            return len(values) > 0 and all(isinstance(v, (int, np.integer))
                                           and not isinstance(v, bool) for v in values)
    return getattr(dtype, "kind", "O") in "iu" or (
        getattr(dtype, "kind", "O") == "f" and bool(np.all(np.mod(np.asarray(values), 1) == 0)))


def _rows(customer_ids, dates, amounts, time_zone=None):
    """(ids, days, amounts, n): ids is an int64 array for integer ids within the int64 range
    (handed to the *_add_int64 calls without text), else packed (chars, offsets, n)."""
    array = _id_array(customer_ids, "customer_ids")
    ids = _int64_ids(array)
    if ids is None:
        ids = _pack_ids(array, "customer_ids")
        n = ids[2]
    else:
        n = len(ids)
    days = _days(dates, "dates", _zone(time_zone))
    if len(days) != n:
        raise InvalidArgumentError(
            f"arguments 'customer_ids' and 'dates' have different lengths {n} and {len(days)}"
        )
    amount_array = None
    if amounts is not None:
        amount_array = as_double_array(amounts, "amounts")
        if len(amount_array) != n:
            raise InvalidArgumentError(
                f"arguments 'customer_ids' and 'amounts' have different lengths {n} and "
                f"{len(amount_array)}"
            )
    return ids, days, amount_array, n


def _add_rows(kind, handle, ids, days, amount_array, n):
    """Calls ltv_<kind>_add_int64 for int64 ids, else ltv_<kind>_add with the packed ids."""
    if isinstance(ids, np.ndarray):
        call(f"ltv_{kind}_add_int64", handle, _ptr(ids, ctypes.c_int64),
             _ptr(days, ctypes.c_int32), _amount_ptr(amount_array), n)
    else:
        chars, offsets, _ = ids
        call(f"ltv_{kind}_add", handle, chars, _ptr(offsets, ctypes.c_size_t),
             _ptr(days, ctypes.c_int32), _amount_ptr(amount_array), n)


def _amount_ptr(array):
    return pointer(array) if array is not None else None


def default_time_unit():
    """The library's default unit of durations in days (1 = day), from ltv_summary_options_init:
    the single definition the C API, the CLI and Python share."""
    o = SummaryOptions()
    call("ltv_summary_options_init", ctypes.byref(o), ctypes.sizeof(o))
    return o.time_unit_days


def _time_unit(unit):
    if unit is None:
        return default_time_unit()
    if isinstance(unit, str):
        key = unit.strip().lower()
        if key in _UNITS:
            return _UNITS[key]
        try:
            return float(key[:-1] if key.endswith("d") else key)
        except ValueError:
            raise InvalidArgumentError(
                f"unknown time unit {unit!r} (expected day, week, month or a number of days)"
            ) from None
    return float(unit)


def _merge(merge):
    key = "none" if merge is None else str(merge).strip().lower()
    if key not in _MERGE:
        raise InvalidArgumentError(f"unknown merge period {merge!r} (expected none, day, week or month)")
    return _MERGE[key]


def _summary_options(observation_end, time_unit, calibration_end, merge):
    o = SummaryOptions()
    call("ltv_summary_options_init", ctypes.byref(o), ctypes.sizeof(o))
    o.observation_end = _day(observation_end, "observation_end")
    o.calibration_end = _day(calibration_end, "calibration_end")
    o.merge = _merge(merge)
    o.time_unit_days = _time_unit(time_unit)
    return o


_DEFAULT = object()


def _column(options, role, value, default):
    if value is None:
        setattr(options, f"{role}_column", None)
        setattr(options, f"{role}_index", -1)
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        setattr(options, f"{role}_index", int(value))
    elif isinstance(value, str):
        setattr(options, f"{role}_column", value.encode("utf-8"))
    else:
        raise InvalidArgumentError(
            f"argument '{role}' = {value!r} must be a column name or a 0-based position"
        )


def _read_options(delimiter=None, header=True, customer="customer_id", date="date",
                  amount=_DEFAULT, date_format=None, lenient=False, max_reported_errors=20,
                  max_record_bytes=None, time_zone=None):
    o = ReadOptions()
    call("ltv_read_options_init", ctypes.byref(o), ctypes.sizeof(o))
    if delimiter is None:
        o.delimiter = 0
    elif delimiter in ("whitespace", " "):
        o.delimiter = ord(" ")
    elif isinstance(delimiter, str) and len(delimiter) == 1:
        o.delimiter = ord(delimiter)
    else:
        raise InvalidArgumentError(
            f"argument 'delimiter' = {delimiter!r} must be one character, 'whitespace' or None"
        )
    o.header = 1 if header else 0
    _column(o, "customer", customer, "customer_id")
    _column(o, "date", date, "date")
    if amount is not _DEFAULT:
        _column(o, "amount", amount, "amount")
        o.amount_optional = 0
    if date_format is not None:
        o.date_format = str(date_format).encode("utf-8")
    o.lenient = 1 if lenient else 0
    o.max_reported_errors = int(max_reported_errors)
    if max_record_bytes is not None:
        # None keeps the library's default (1 MiB); 0 lifts the limit.
        if (isinstance(max_record_bytes, bool)
                or not isinstance(max_record_bytes, (int, np.integer)) or max_record_bytes < 0):
            raise InvalidArgumentError(
                f"argument 'max_record_bytes' = {max_record_bytes!r} must be an integer ≥ 0 "
                "(0 = no limit)"
            )
        o.max_record_bytes = int(max_record_bytes)
    o._time_zone = _zone(time_zone)  # kept alive with the struct
    if o._time_zone is not None:
        o.time_zone = o._time_zone
    return o


def _new_report():
    r = ReadReport()
    r.struct_size = ctypes.sizeof(ReadReport)
    return r


def _read_info(r):
    errors = r.errors.decode("utf-8", errors="replace").splitlines() if r.errors else []
    return ReadInfo(r.rows, r.skipped, r.blank_lines, r.lines, r.bytes, chr(r.delimiter),
                    r.customer_column, r.date_column, r.amount_column, errors)


def _packed_ids(function, handle, count):
    size = ctypes.c_size_t()
    call(function, handle, None, 0, None, 0, ctypes.byref(size))
    chars = ctypes.create_string_buffer(max(size.value, 1))
    offsets = np.empty(count + 1, dtype=np.uintp)
    call(function, handle, chars, size.value, _ptr(offsets, ctypes.c_size_t), count + 1,
         ctypes.byref(size))
    raw = chars.raw[: size.value]
    out = np.empty(count, dtype=object)
    bounds = offsets.tolist()
    for i in range(count):
        out[i] = raw[bounds[i]:bounds[i + 1]].decode("utf-8", errors="replace")
    return out


def _as_integer_ids(texts):
    """Integer ids back from their decimal text: int64, else uint64 (ids ≥ 2**63), else the
    Python ints themselves (beyond 64 bits); the texts as they are if one is not an integer."""
    for dtype in (np.int64, np.uint64):
        try:
            return texts.astype(dtype)
        except (OverflowError, ValueError):
            continue
    try:
        return np.array([int(t) for t in texts], dtype=object)
    except ValueError:
        return texts


def _integer_ids_back(int64_function, packed_function, handle, count):
    """Integer ids read back as int64 by the *_ids_int64 call (no text); when one is not an
    int64 (uint64 beyond 2**63 - 1, a big integer: added as text) from the packed text."""
    out = np.empty(count, dtype=np.int64)
    try:
        call(int64_function, handle, _ptr(out, ctypes.c_int64), count)
    except InvalidArgumentError:
        return _as_integer_ids(_packed_ids(packed_function, handle, count))
    return out


def _both_integer(a, b):
    """Whether ids stay integers after adding a state's (or batch's) ids flagged b to ids
    flagged a (None: nothing added yet)."""
    return b if a is None else a if b is None else (a and b)


def _as_dates(days):
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def _date_or_none(day):
    return None if day == NO_DATE else np.datetime64(int(day), "D")


# ---- each customer's segment (docs/segments.md) --------------------------------------------------

def _texts(values, name):
    """The UTF-8 texts _ids packs, one per element (errors name the element)."""
    chars, offsets, count = _ids(values, name)
    return [chars[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(count)]


class _Segments:
    """Each customer's segment label from a column with one label per transaction row: the same
    on all of a customer's rows (the rule of the CLI's ``summarize --segment-column``). Rows are
    numbered over every batch added, from 0."""

    def __init__(self, name="segment"):
        self.name = name
        self.of = {}  # customer id text -> (label, row)
        self.rows = 0

    @staticmethod
    def name_of(segment):
        """The column name a segment= argument gives: a pandas Series' name, else "segment"."""
        name = getattr(segment, "name", None)
        return name if isinstance(name, str) and name else "segment"

    def add(self, customer_ids, segment, n):
        """Checks and records a batch of n rows (all or nothing)."""
        self.commit(self.check(customer_ids, segment, n), n)

    def commit(self, new, n):
        """Records what :meth:`check` found for a batch of n rows."""
        self.of.update(new)
        self.rows += n

    def check(self, customer_ids, segment, n):
        """The customers a batch of n rows adds ({id text: (label, row)}), checked."""
        if isinstance(segment, (str, bytes)):
            raise InvalidArgumentError(
                f"argument 'segment' = {segment!r} must hold one label per transaction row (an "
                "array or a Series, e.g. df['store']), not a column name")
        labels = _texts(segment, "segment")
        if len(labels) != n:
            raise InvalidArgumentError(
                f"argument 'segment' has {len(labels)} labels but there are {n} transaction rows")
        if any(not label for label in labels):
            i = next(i for i, label in enumerate(labels) if not label)
            raise InvalidArgumentError(f"argument 'segment[{i}]' is an empty label")
        ids = _texts(customer_ids, "customer_ids")
        new = {}
        for i, (c, label) in enumerate(zip(ids, labels)):
            seen = self.of.get(c) or new.get(c)
            if seen is None:
                new[c] = (label, self.rows + i)
            elif seen[0] != label:
                raise InvalidArgumentError(
                    f"argument 'segment': customer {c!r} has segment {seen[0]!r} on row {seen[1]} "
                    f"but {label!r} on row {self.rows + i} (a customer's segment must be the same "
                    "on all its rows)")
        return new

    def attach(self, summary):
        """Sets summary.segment (one label per customer) and summary.segment_column."""
        labels = []
        for c in summary.customer_id.tolist():
            seen = self.of.get(str(c))
            if seen is None:
                raise InvalidArgumentError(
                    f"customer {str(c)!r} has no segment: its rows were added without segment=")
            labels.append(seen[0])
        summary.segment = np.array(labels, dtype=object)
        summary.segment_column = self.name
        return summary


# ---- summaries ----------------------------------------------------------------------------------

class Summary:
    """A per-customer summary (one row per customer, first-seen order).

    Columns (numpy arrays): ``customer_id``, ``frequency``, ``recency``, ``T``,
    ``monetary_value``, ``first_purchase`` / ``last_purchase`` (datetime64[D]), ``transactions``,
    ``total_amount``; with a calibration/holdout split also ``frequency_holdout``,
    ``monetary_value_holdout`` and ``duration_holdout``. Attributes: ``observation_end``,
    ``calibration_end``, ``time_unit_days``, ``transactions_after_end``,
    ``customers_holdout_only``, ``unverified_transactions``, ``report`` (a ReadInfo for files).
    Summaries of transactions given with ``segment=`` also hold ``segment`` (each customer's
    label, strings) and ``segment_column`` (its name: the Series' name or "segment"), the input of
    ``ltv.fit_segments(model, summary, segments=summary.segment_column)``.
    """

    _core = ("frequency", "recency", "T", "monetary_value")
    _holdout = ("frequency_holdout", "monetary_value_holdout", "duration_holdout")
    _extra = ("first_purchase", "last_purchase", "transactions", "total_amount")
    _regularity = ("litt",)

    def __init__(self, table_handle, report=None, integer_ids=False):
        try:
            info = SummaryInfo()
            info.struct_size = ctypes.sizeof(SummaryInfo)
            call("ltv_summary_table_info", table_handle, ctypes.byref(info))
            n = info.customers
            if integer_ids and n:
                self.customer_id = _integer_ids_back("ltv_summary_table_ids_int64",
                                                     "ltv_summary_table_ids", table_handle, n)
            else:
                self.customer_id = _packed_ids("ltv_summary_table_ids", table_handle, n)

            def column(k):
                out = np.empty(n, dtype=np.float64)
                call("ltv_summary_table_column", table_handle, k, pointer(out), n)
                return out

            def days(k):
                out = np.empty(n, dtype=np.int32)
                call("ltv_summary_table_days", table_handle, k, _ptr(out, ctypes.c_int32), n)
                return _as_dates(out)

            self.frequency, self.recency, self.T, self.monetary_value = (column(k) for k in range(4))
            self.transactions = column(4).astype(np.int64)
            self.total_amount = column(5)
            # Σ log inter-purchase times (BG/CNBD-k, MBG/CNBD-k); NaN where not known exactly
            self.litt = column(10)
            self.first_purchase, self.last_purchase = days(8), days(9)
            self.has_holdout = bool(info.has_holdout)
            if self.has_holdout:
                self.frequency_holdout = column(6)
                self.monetary_value_holdout = column(7)
                self.duration_holdout = np.full(n, info.duration_holdout)
            self.observation_end = _date_or_none(info.observation_end)
            self.calibration_end = _date_or_none(info.calibration_end)
            self.time_unit_days = info.time_unit_days
            self.time_unit = {1.0: "day", 7.0: "week", 30.0: "month"}.get(
                info.time_unit_days, f"{info.time_unit_days:g}d")
            self.merge = {0: "none", 1: "day", 2: "week", 3: "month"}[info.merge]
            self.transactions_after_end = info.transactions_after_end
            self.customers_holdout_only = info.customers_holdout_only
            self.unverified_transactions = info.unverified_transactions
            self.report = report
            self.segment = None  # each customer's segment label (summaries with segment=)
            self.segment_column = None
        except BaseException:
            lib.ltv_summary_table_free(table_handle)
            raise
        # The table stays with the Summary (freed in __del__): ltv.compare_models(summary) hands
        # it to the library as it is, without rebuilding it from the columns.
        self._table = table_handle

    def __del__(self):
        handle = getattr(self, "_table", None)
        if handle is not None and lib is not None:
            lib.ltv_summary_table_free(handle)
            self._table = None

    # Copies and pickles carry the columns, not the native table (which only the original owns
    # and frees): everything but compare_models(summary) works on them.
    def __getstate__(self):
        state = dict(self.__dict__)
        state["_table"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __len__(self):
        return len(self.customer_id)

    def __repr__(self):
        split = f", calibration_end={self.calibration_end}" if self.has_holdout else ""
        return (f"Summary({len(self)} customers, observation_end={self.observation_end}{split}, "
                f"time_unit_days={self.time_unit_days:g})")

    @property
    def columns(self):
        """The names of the columns :meth:`to_pandas` gives: ``frequency, recency, T,
        monetary_value``, plus ``frequency_holdout, monetary_value_holdout, duration_holdout``
        when the summary has a calibration/holdout split, and ``litt`` (the sum of the logs of
        the inter-purchase times, which BG/CNBD-k and MBG/CNBD-k use to choose k)."""
        return (list(self._core) + (list(self._holdout) if self.has_holdout else []) +
                list(self._regularity))

    def to_pandas(self, extra=False):
        """A DataFrame indexed by customer_id with lifetimes' columns (frequency, recency, T,
        monetary_value[, frequency_holdout, monetary_value_holdout, duration_holdout]) and
        ``litt`` (Σ log inter-purchase times; NaN where not known exactly); extra=True
        adds first_purchase, last_purchase, transactions and total_amount. A summary with
        segments has their column (``segment_column``) first."""
        import pandas as pd

        names = self.columns + (list(self._extra) if extra else [])
        columns = {}
        if getattr(self, "segment", None) is not None:
            columns[self.segment_column] = self.segment
        columns.update({k: getattr(self, k) for k in names})
        frame = pd.DataFrame(columns, index=pd.Index(self.customer_id, name="customer_id"))
        return frame


def summarize(customer_ids, dates, amounts=None, observation_end=None, time_unit=None,
              calibration_end=None, merge="day", time_zone=None, *, segment=None):
    """Per-customer summary of transactions in memory (exact for any row order).

    observation_end / calibration_end: dates (None: the last transaction / no holdout split);
    time_unit: "day", "week", "month" (30 days) or a number of days (None: the library's
    default, days); merge: "day" (default), "week", "month" or "none" — transactions merged into
    one purchase occasion (monetary values are then means per purchase occasion, not per
    transaction: lifetimes' holdout mean per transaction is ltv.lifetimes.utils'
    calibration_and_holdout_data). Integer ids come back as integers. time_zone: the zone into
    which tz-aware dates are converted before their date is taken (None: as written; see the
    module docstring).

    >>> s = ltv.summarize(df.customer_id, df.date, df.amount, time_unit="week",
    ...                   calibration_end="1997-09-30", observation_end="1998-06-30")  # doctest: +SKIP
    >>> s.to_pandas().head()                                                          # doctest: +SKIP

    ``segment`` (keyword-only): one segment label per transaction row (an array, or a Series
    whose name names the summary's column; else "segment"). It must be the same on all of a
    customer's rows — otherwise an error names the customer, both labels and their rows — and the
    summary carries it (``.segment``, ``.segment_column``, a column of ``to_pandas()``), ready
    for ``ltv.fit_segments(model, summary, segments="segment")`` (docs/segments.md).
    """
    segments = None
    if segment is not None:
        segments = _Segments(_Segments.name_of(segment))
        segments.add(customer_ids, segment, len(_to_numpy(customer_ids, "customer_ids")))
    state = SummaryState(observation_end=observation_end, time_unit=time_unit,
                         calibration_end=calibration_end, merge=merge)
    state.add(customer_ids, dates, amounts, time_zone=time_zone)
    summary = state.result()
    return segments.attach(summary) if segments is not None else summary


def summarize_file(path, observation_end=None, time_unit=None, calibration_end=None,
                   merge="day", **read):
    """Summary of a transaction file, exact for any row order. ``read`` options: delimiter
    (None = detect, "whitespace", ",", "\\t", ...), header (True), customer / date / amount
    (column name or 0-based position; amount=None for no amounts), date_format (None = auto,
    "iso", "compact", "iso_datetime" or a pattern like "%d/%m/%Y"), lenient (False),
    max_reported_errors, max_record_bytes (longest record in bytes; None = the library's 1 MiB,
    0 = no limit), time_zone (None = dates as written; "UTC", "+05:30", a POSIX TZ string or an
    IANA name such as "Europe/Berlin": date-times with a UTC offset are converted to it before
    their date is taken). Every row must have as many fields as the header. The result's ``.report``
    says what was read; a file that changes between the two reads rows out of date order need
    raises LtvIOError."""
    options = _summary_options(observation_end, time_unit, calibration_end, merge)
    read_options = _read_options(**read)
    report = _new_report()
    handle = ctypes.c_void_p()
    call("ltv_summarize_file", os.fsencode(path), ctypes.byref(read_options),
         ctypes.byref(options), ctypes.byref(handle), ctypes.byref(report))
    info = _read_info(report)
    return Summary(handle, info)


class SummaryState:
    """The incremental summary: add batches (in memory or files), take the result at any time,
    save it between runs and load it back (docs/summaries.md for when results are exact)."""

    def __init__(self, observation_end=None, time_unit=None, calibration_end=None, merge="day",
                 _handle=None):
        if _handle is None:
            options = _summary_options(observation_end, time_unit, calibration_end, merge)
            _handle = ctypes.c_void_p()
            call("ltv_summary_create", ctypes.byref(options), ctypes.byref(_handle))
        self._handle = _handle
        self._integer_ids = None  # True while every batch added had integer ids

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and lib is not None:
            lib.ltv_summary_free(handle)
            self._handle = None

    def add(self, customer_ids, dates, amounts=None, time_zone=None):
        """Adds a batch of transactions (any order within the batch). Returns self.
        Inputs as in the module docstring (ids, dates, amounts, time_zone)."""
        ids, days, amount_array, n = _rows(customer_ids, dates, amounts, time_zone)
        _add_rows("summary", self._handle, ids, days, amount_array, n)
        self._integer_ids = _both_integer(self._integer_ids, _integer_ids(customer_ids))
        return self

    def merge(self, other):
        """Adds the SummaryState ``other`` (built over other transactions: a partition of the
        customers, or of the time range, summarised in parallel) to this one; ``other`` is not
        changed. Returns self. The options must be equal (InvalidArgumentError naming the one
        that differs), and ``other`` must not be this state. Customers only in ``other`` come
        after this state's, in its order. A customer in both is exact when its purchases in one
        state all come on or after those in the other (partitions by time); otherwise purchases
        that cannot be told apart count as new ones and as :attr:`unverified_transactions`
        (docs/summaries.md, "Merging states"). All or none: on an error this state is
        unchanged."""
        if not isinstance(other, SummaryState):
            raise InvalidArgumentError(
                f"argument 'other' must be a SummaryState, got {type(other).__name__}")
        # A state loaded from a file (flag None) with customers may hold any text ids.
        mine = self._integer_ids if self._integer_ids is not None or not self.customers else False
        theirs = other._integer_ids if other._integer_ids is not None or not other.customers else False
        call("ltv_summary_merge", self._handle, other._handle)
        self._integer_ids = _both_integer(mine, theirs)
        return self

    def add_file(self, path, **read):
        """Adds every row of a file (read options as for summarize_file); returns a ReadInfo.
        All rows or none: on an error the state is unchanged."""
        read_options = _read_options(**read)
        report = _new_report()
        call("ltv_summary_add_file", self._handle, os.fsencode(path), ctypes.byref(read_options),
             ctypes.byref(report))
        self._integer_ids = False  # a file's ids are text
        return _read_info(report)

    def _counts(self):
        customers, transactions, unverified = ctypes.c_size_t(), ctypes.c_uint64(), ctypes.c_uint64()
        call("ltv_summary_counts", self._handle, ctypes.byref(customers),
             ctypes.byref(transactions), ctypes.byref(unverified))
        return customers.value, transactions.value, unverified.value

    @property
    def customers(self):
        """Number of distinct customers added so far (an int)."""
        return self._counts()[0]

    @property
    def transactions(self):
        """Number of transactions (rows) added so far, over every batch and file (an int)."""
        return self._counts()[1]

    @property
    def unverified_transactions(self):
        """Transactions that arrived in a later batch but fall strictly between the customer's
        first and last purchase periods already seen: they cannot be verified and are counted as
        new purchase occasions (an int; docs/summaries.md, "Incremental summaries"). 0 when the
        result equals one batch run."""
        return self._counts()[2]

    def result(self):
        """The Summary as of now (the state stays usable: add more, take another result)."""
        handle = ctypes.c_void_p()
        call("ltv_summary_result", self._handle, ctypes.byref(handle))
        return Summary(handle, integer_ids=bool(self._integer_ids))

    def save(self, path):
        """Writes the state (every customer's running summary and the options) to ``path``, to
        continue later with :meth:`SummaryState.load` (docs/summaries.md, "Saved state")."""
        call("ltv_summary_save", self._handle, os.fsencode(path))

    @classmethod
    def load(cls, path):
        """A state written by :meth:`save` (errors name the file and what is wrong in it)."""
        handle = ctypes.c_void_p()
        call("ltv_summary_load", os.fsencode(path), ctypes.byref(handle))
        return cls(_handle=handle)

    # -- objects that travel: pickle, copy, deepcopy through the saved-state format ------------
    def to_bytes(self):
        """The saved state (:meth:`save`'s format) as bytes."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="ltv-state-") as folder:
            path = os.path.join(folder, "state")
            self.save(path)
            with open(path, "rb") as f:
                return f.read()

    @classmethod
    def from_bytes(cls, data, integer_ids=None):
        """A state from :meth:`to_bytes`' bytes."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="ltv-state-") as folder:
            path = os.path.join(folder, "state")
            with open(path, "wb") as f:
                f.write(data)
            state = cls.load(path)
        state._integer_ids = integer_ids
        return state

    def __reduce__(self):
        return (_restore_state, (self.to_bytes(), self._integer_ids))

    def __copy__(self):
        return _restore_state(self.to_bytes(), self._integer_ids)

    def __deepcopy__(self, memo):
        return self.__copy__()


def _restore_state(data, integer_ids):
    """Unpickles a SummaryState."""
    return SummaryState.from_bytes(data, integer_ids)


# ---- whole logs: journey, RFM, cohorts ----------------------------------------------------------

class _Table:
    """Named numpy columns with to_pandas()."""

    _names = ()

    def __len__(self):
        return len(getattr(self, self._names[0]))

    def to_pandas(self):
        import pandas as pd

        return pd.DataFrame({k: getattr(self, k) for k in self._names[1:]},
                            index=pd.Index(getattr(self, self._names[0]), name=self._names[0]))


class StatusResult(_Table):
    """Journey status per customer as of a date: ``customer_id``, ``status`` (names),
    ``days_since_last`` (NaN for leads); ``counts`` (dict by status), ``cycle_days``,
    ``lost_days``. Customers without a purchase by then are left out unless they are contacts
    (leads)."""

    _names = ("customer_id", "status", "days_since_last")


class RfmResult(_Table):
    """RFM per customer with a purchase by the date: ``customer_id``, ``recency_days``,
    ``frequency`` (purchase days), ``monetary`` (total net amount), ``r``, ``f``, ``m``
    (scores 1–5), ``score`` (100 r + 10 f + m) and ``segment``."""

    _names = ("customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "score",
              "segment")


class CohortTable:
    """Cohort retention by acquisition month: ``cohort`` (datetime64[D], first day of each month),
    ``size`` (customers acquired), ``active`` and ``active_or_later`` (cohorts × months since
    acquisition, NaN beyond the data)."""

    def __init__(self, cohort, size, active, active_or_later):
        self.cohort, self.size, self.active, self.active_or_later = cohort, size, active, active_or_later

    def __len__(self):
        return len(self.cohort)

    def to_pandas(self, which="active"):
        """DataFrame: one row per cohort month (index "YYYY-MM"), column "size", then one column
        per month since acquisition 0, 1, 2, … holding the share (``which`` = "active" or
        "active_or_later")."""
        import pandas as pd

        values = getattr(self, which)
        frame = pd.DataFrame(values, columns=list(range(values.shape[1])),
                             index=pd.Index([str(c)[:7] for c in self.cohort], name="cohort"))
        frame.insert(0, "size", self.size)
        return frame


class TransactionLog:
    """A whole transaction log in memory (for journey statuses, RFM, cohorts, period retention).

    ``TransactionLog(customer_ids, dates, amounts)`` from columns, or ``read_transactions(path)``.
    ``report`` holds the last file read's ReadInfo. The first analysis sorts each customer's
    purchases once and keeps them until rows are added (``add``, ``add_file``), so calling several
    analyses on one log does not sort it again (docs/summaries.md, "The customer base").
    """

    def __init__(self, customer_ids=None, dates=None, amounts=None, time_zone=None, *,
                 segment=None):
        handle = ctypes.c_void_p()
        call("ltv_transactions_create", ctypes.byref(handle))
        self._handle = handle
        self.report = None
        self._integer_ids = None  # True while every batch added had integer ids
        self._segments = None  # _Segments once a batch came with segment=
        if customer_ids is not None or dates is not None:
            self.add(customer_ids, dates, amounts, time_zone=time_zone, segment=segment)

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and lib is not None:
            lib.ltv_transactions_free(handle)
            self._handle = None

    def __reduce__(self):
        # The rows live in the library (no format to write them back); a shallow copy would free
        # them twice. Refused with the ways that do travel.
        raise TypeError(
            "a TransactionLog cannot be pickled or copied (its rows live in the library): pickle "
            "its Summary (log.summarize()), a SummaryState, or the DataFrame it was built from")

    def __copy__(self):
        self.__reduce__()

    def __deepcopy__(self, memo):
        self.__reduce__()

    def add(self, customer_ids, dates, amounts=None, time_zone=None, *, segment=None):
        """Adds rows (ids, dates, amounts, time_zone as in the module docstring); returns self.
        ``segment``: one segment label per row, as for :func:`summarize` (the same on all of a
        customer's rows, over every batch); :meth:`summarize` then carries each customer's."""
        ids, days, amount_array, n = _rows(customer_ids, dates, amounts, time_zone)
        segments, new = self._segments, {}
        if segment is not None:
            segments = segments or _Segments(_Segments.name_of(segment))
            new = segments.check(customer_ids, segment, n)
        _add_rows("transactions", self._handle, ids, days, amount_array, n)
        if segments is not None:  # (rows added without segment= count in the row numbers)
            segments.commit(new, n)
            self._segments = segments
        self._integer_ids = _both_integer(self._integer_ids, _integer_ids(customer_ids))
        return self

    def add_file(self, path, **read):
        """Adds every row of a file (read options as for :func:`summarize_file`); returns and
        keeps (``.report``) a ReadInfo."""
        self._integer_ids = False  # a file's ids are text
        read_options = _read_options(**read)
        report = _new_report()
        call("ltv_transactions_add_file", self._handle, os.fsencode(path),
             ctypes.byref(read_options), ctypes.byref(report))
        self.report = _read_info(report)
        return self.report

    def _counts(self):
        customers, rows = ctypes.c_size_t(), ctypes.c_size_t()
        call("ltv_transactions_counts", self._handle, ctypes.byref(customers), ctypes.byref(rows))
        return customers.value, rows.value

    def __len__(self):
        return self._counts()[1]

    @property
    def customers(self):
        """Number of distinct customers."""
        return self._counts()[0]

    @property
    def customer_ids(self):
        """The customer ids in first-seen order (int64 when every id added was an integer)."""
        n = self.customers
        if self._integer_ids and n:
            return _integer_ids_back("ltv_transactions_ids_int64", "ltv_transactions_ids",
                                     self._handle, n)
        return _packed_ids("ltv_transactions_ids", self._handle, n)

    def summarize(self, observation_end=None, time_unit=None, calibration_end=None, merge="day"):
        """The per-customer Summary of the log (arguments as for :func:`summarize`)."""
        options = _summary_options(observation_end, time_unit, calibration_end, merge)
        handle = ctypes.c_void_p()
        call("ltv_transactions_summarize", self._handle, ctypes.byref(options), ctypes.byref(handle))
        summary = Summary(handle, self.report, integer_ids=bool(self._integer_ids))
        return self._segments.attach(summary) if self._segments is not None else summary

    @staticmethod
    def _journey_options(cycle_days, cycle_percentile, lost_multiple, lost_days, contacts,
                         alive_model=None, alive_threshold=None, alive_unit_days=None):
        """The C options: None leaves the library's default (ltv_journey_options_init)."""
        o = JourneyOptions()
        call("ltv_journey_options_init", ctypes.byref(o), ctypes.sizeof(o))
        if cycle_days is not None:
            o.cycle_days = float(cycle_days)
        if cycle_percentile is not None:
            o.cycle_percentile = float(cycle_percentile)
        if lost_multiple is not None:
            o.lost_multiple = float(lost_multiple)
        if lost_days is not None:
            o.lost_days = float(lost_days)
        if contacts is not None:
            encoded = [str(c).encode("utf-8") for c in contacts]
            array = (ctypes.c_char_p * max(len(encoded), 1))(*encoded)
            o.contacts = ctypes.cast(array, ctypes.POINTER(ctypes.c_char_p))
            o.n_contacts = len(encoded)
            o._keep = (array, encoded)  # alive as long as the options
        if alive_model is not None:
            from .models import Model

            if not isinstance(alive_model, Model):
                raise InvalidArgumentError("'alive_model' must be a fitted ltv model with p_alive")
            o.alive_model = alive_model._handle
            o._model = alive_model  # the handle stays alive as long as the options
        if alive_threshold is not None:
            o.alive_threshold = float(alive_threshold)
        if alive_unit_days is not None:
            o.alive_unit_days = float(alive_unit_days)
        return o

    def status(self, as_of, cycle_days=None, cycle_percentile=None, lost_multiple=None,
               lost_days=None, contacts=None, alive_model=None, alive_threshold=None,
               alive_unit_days=None):
        """Journey status of every customer as of a date (docs/journey.md): a StatusResult.
        cycle_days None = the business cycle (the cycle_percentile of all purchase gaps, 0.8 by
        default); lost_days None = lost_multiple (3 by default) × cycle; contacts = known ids
        that are leads until they buy (contacts outside the log are listed too).

        alive_model: a fitted model with P(alive) (``BetaGeo``, ``ParetoNBD``, …): a buyer whose
        P(alive) as of the date is below alive_threshold (0.2 by default) is lost, however
        recent the purchase; alive_unit_days is the model's time unit in days (default: the unit
        the model records, ``alive_model.time_unit``; an error when it has none)."""
        o = self._journey_options(cycle_days, cycle_percentile, lost_multiple, lost_days, contacts,
                                  alive_model, alive_threshold, alive_unit_days)
        n = self.customers
        codes = np.empty(n, dtype=np.int32)
        silence = np.empty(n, dtype=np.float64)
        summary = JourneySummary()
        summary.struct_size = ctypes.sizeof(JourneySummary)
        call("ltv_transactions_journey", self._handle, _day(as_of, "as_of"), ctypes.byref(o),
             _ptr(codes, ctypes.c_int32), pointer(silence), n, ctypes.byref(summary))
        ids = self.customer_ids
        keep = codes >= 0
        result = StatusResult()
        known = {str(i) for i in ids.tolist()}
        extra = [c if self._integer_ids else str(c) for c in (contacts or []) if str(c) not in known]
        if len(extra):
            result.customer_id = np.concatenate([ids[keep].astype(object),
                                                 np.array(extra, dtype=object)])
        else:
            result.customer_id = ids[keep]
        names = np.array(STATUSES, dtype=object)
        result.status = np.concatenate([names[codes[keep]], np.array(["lead"] * len(extra), dtype=object)])
        result.days_since_last = np.concatenate([silence[keep], np.full(len(extra), np.nan)])
        result.counts = {s: int(summary.counts[i]) for i, s in enumerate(STATUSES)}
        result.cycle_days = summary.cycle_days
        result.lost_days = summary.lost_days
        return result

    def monthly_status(self, until=None, cycle_days=None, cycle_percentile=None,
                       lost_multiple=None, lost_days=None, contacts=None):
        """Status counts at each month end (one cycle for all months): a pandas DataFrame indexed
        by month end with one column per status; attrs hold cycle_days and lost_days."""
        import pandas as pd

        o = self._journey_options(cycle_days, cycle_percentile, lost_multiple, lost_days, contacts)
        months = ctypes.c_size_t()
        end = _day(until, "until")
        call("ltv_transactions_monthly_journey", self._handle, ctypes.byref(o), end, None, None, 0,
             ctypes.byref(months), None, None)
        m = months.value
        month_end = np.empty(m, dtype=np.int32)
        counts = np.empty(m * 6, dtype=np.uintp)
        cycle, lost = ctypes.c_double(), ctypes.c_double()
        call("ltv_transactions_monthly_journey", self._handle, ctypes.byref(o), end,
             _ptr(month_end, ctypes.c_int32), _ptr(counts, ctypes.c_size_t), m,
             ctypes.byref(months), ctypes.byref(cycle), ctypes.byref(lost))
        frame = pd.DataFrame(counts.reshape(m, 6).astype(np.int64), columns=list(STATUSES),
                             index=pd.Index(_as_dates(month_end), name="month_end"))
        frame.attrs["cycle_days"] = cycle.value
        frame.attrs["lost_days"] = lost.value
        return frame

    def rfm(self, as_of):
        """RFM scores and default segments as of a date (docs/rfm.md): an RfmResult."""
        n = self.customers
        rec, freq, mon = (np.empty(n, dtype=np.float64) for _ in range(3))
        r, f, m, seg = (np.empty(n, dtype=np.int32) for _ in range(4))
        call("ltv_transactions_rfm", self._handle, _day(as_of, "as_of"), pointer(rec),
             pointer(freq), pointer(mon), _ptr(r, ctypes.c_int32), _ptr(f, ctypes.c_int32),
             _ptr(m, ctypes.c_int32), _ptr(seg, ctypes.c_int32), n)
        keep = r > 0
        names = np.array(segment_names() + [""], dtype=object)
        out = RfmResult()
        out.customer_id = self.customer_ids[keep]
        out.recency_days, out.frequency, out.monetary = rec[keep], freq[keep], mon[keep]
        out.r, out.f, out.m = r[keep], f[keep], m[keep]
        out.score = 100 * out.r + 10 * out.f + out.m
        out.segment = names[seg[keep]]  # -1 → "" (no rule matched)
        return out

    def cohorts(self, until=None):
        """Cohort retention by acquisition month up to `until` (default: the last purchase)."""
        count = ctypes.c_size_t()
        end = _day(until, "until")
        call("ltv_transactions_cohorts", self._handle, end, None, None, None, None, 0,
             ctypes.byref(count))
        n = count.value
        start = np.empty(n, dtype=np.int32)
        size = np.empty(n, dtype=np.uintp)
        active = np.empty(n * n, dtype=np.float64)
        later = np.empty(n * n, dtype=np.float64)
        call("ltv_transactions_cohorts", self._handle, end, _ptr(start, ctypes.c_int32),
             _ptr(size, ctypes.c_size_t), pointer(active), pointer(later), n, ctypes.byref(count))
        return CohortTable(_as_dates(start), size.astype(np.int64), active.reshape(n, n),
                           later.reshape(n, n))

    def retention(self, start, end, window_days=None):
        """Retention of the period (start, end] on the log: active = a purchase within
        window_days (default: the period's length in days) before the date (docs/cohorts.md)."""
        s, e = _day(start, "start"), _day(end, "end")
        window = int(window_days) if window_days is not None else max(e - s, 1)
        out = PeriodRetention()
        out.struct_size = ctypes.sizeof(PeriodRetention)
        call("ltv_transactions_period_retention", self._handle, s, e, window, ctypes.byref(out))
        return RetentionResult(out.retention_rate, out.retained_share, out.customers_start,
                               out.customers_end, out.new_customers, out.retained, out.reactivated)


def read_transactions(path, **read):
    """Reads a transaction file into a TransactionLog (read options as for summarize_file); its
    ``.report`` says what was read."""
    log = TransactionLog()
    log.add_file(path, **read)
    return log


def segment_names():
    """The default RFM segments in rule order (docs/rfm.md)."""
    names = []
    for k in range(11):
        name = ctypes.c_char_p()
        call("ltv_rfm_segment_name", k, ctypes.byref(name))
        names.append(name.value.decode())
    return names


def status(customer_ids, dates, as_of, amounts=None, **options):
    """Journey status per customer as of a date (TransactionLog.status on columns)."""
    return TransactionLog(customer_ids, dates, amounts).status(as_of, **options)


def rfm(customer_ids, dates, amounts, as_of):
    """RFM scores and segments as of a date (TransactionLog.rfm on columns)."""
    return TransactionLog(customer_ids, dates, amounts).rfm(as_of)


def cohorts(customer_ids, dates, until=None):
    """Cohort retention table (TransactionLog.cohorts on columns)."""
    return TransactionLog(customer_ids, dates).cohorts(until)


def period_retention(customer_ids, dates, start, end, window_days=None):
    """Period retention measured on a log (TransactionLog.retention on columns)."""
    return TransactionLog(customer_ids, dates).retention(start, end, window_days)
