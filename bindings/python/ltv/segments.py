# SPDX-License-Identifier: Apache-2.0
"""One model per segment (a store, a country, a channel …) fitted and scored in one call
(docs/segments.md), over the C ``ltv_segments`` handle.

>>> seg = ltv.fit_segments(ltv.BetaGeo, summary, segments=store)   # doctest: +SKIP
>>> seg.models["north"].params                                      # doctest: +SKIP
>>> seg.p_alive(x, t_x, T, segments=store)                          # doctest: +SKIP

Segment labels may be strings, integers or any objects with a text form: the library keys the
segments by the UTF-8 text of each label (``str(label)``; whole floats as integers, bytes as
UTF-8), so ``seg.models`` is keyed by those strings and ``seg[3]`` is ``seg["3"]``. A missing
label (None, NaN) is an error naming its row. Generic over the model registry: any model class
fitted on per-customer rows (rfm or spend data) can be segmented.
"""

import ctypes
import json
import os

import numpy as np

from ._arrays import as_double, as_double_array, broadcast_columns, clip_histories, pointer
from ._library import SegmentsOptions, call, lib
from .errors import InvalidArgumentError
from .models import _KINDS, MODEL_CLASSES, Model, _fit_keywords, _wrap, capability_names

# LTV_CAP_* values by name (ltv_capability_name order).
_CAP = {name: value for value, name in enumerate(capability_names(), start=1)}


def _labels(segments, n):
    """Packed UTF-8 labels (bytes, size_t offsets) of n rows; errors name the row."""
    from .transactions import _ids

    chars, offsets, count = _ids(segments, "segments")
    if count != n:
        raise InvalidArgumentError(
            f"argument 'segments' has {count} labels but there are {n} customer rows")
    return chars, offsets


def _label_text(label):
    """The text the library keys a label by (as _labels packs it)."""
    if isinstance(label, bytes):
        return label.decode("utf-8")
    if isinstance(label, (float, np.floating)) and np.isfinite(label) and float(label) == int(label):
        return str(int(label))
    return str(label)


def _model_class(model):
    """(class, prototype instance or None) from a class, a class name/short name or a Model."""
    if isinstance(model, Model):
        return type(model), model
    if isinstance(model, type) and issubclass(model, Model):
        return model, None
    if isinstance(model, str):
        for cls in _KINDS.values():
            if model.lower() in (cls.__name__.lower(), cls.name.lower(), cls.title.lower()):
                return cls, None
        raise InvalidArgumentError(
            f"argument 'model' = {model!r} names no model; the models: "
            + ", ".join(f"{c.name} ({c.__name__})" for c in _KINDS.values()))
    raise InvalidArgumentError(
        f"argument 'model' must be a model class, its name or a Model, not {type(model).__name__}")


class SegmentedModel:
    """A model per segment label: each fitted on its segment's customers alone, each customer
    scored by its own segment's model (docs/segments.md). Build one with :func:`fit_segments`
    or :meth:`SegmentedModel.fit`; it holds:

    ``models``: {label: Model} (copies of each segment's model, labels as strings),
    ``customers``: {label: rows fitted}, ``pooled``: the model fitted on all rows or None,
    ``model_class``: the class of every model. Scoring methods (those the model class has:
    ``p_alive``, ``expected_purchases``, ``discounted_expected_residual_transactions``,
    ``individual_log_likelihood``, ``expected_spend``) take the model's columns plus
    ``segments``, one label per customer; pandas in → pandas out with the same index. Pickles
    and copies through its JSON file (:meth:`to_json`).
    """

    def __init__(self, model, *, min_customers=1, pooled=False, threads=0):
        self._handle = None
        self._class, self._prototype = _model_class(model)
        self.min_customers = int(min_customers)
        self.pooled_model = bool(pooled)
        self.threads = int(threads)

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and lib is not None:
            lib.ltv_segments_free(handle)
            self._handle = None

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, data, segments, *, weights=None, initial=None, max_iterations=None,
            time_limit=None, cancel=None, allow_no_convergence=False):
        """Fits one model per segment label on ``data`` — an :class:`ltv.Summary` or a DataFrame
        with the model's columns (frequency, recency, T; spend models frequency,
        monetary_value) — with ``segments`` the label of each row (an array, the name of a
        column of the DataFrame, or a Summary's segment column: ``ltv.summarize(…, segment=…)``). Fit keywords as for the model's own ``fit``; they apply to
        every segment's fit. Returns self.

        Each segment's model equals, bit for bit, the model class fitted on that segment's rows
        alone. A segment with fewer than ``min_customers`` rows, or whose fit fails, raises an
        error naming the segment and its size — unless ``pooled=True``: then small segments are
        scored by a model fitted on all rows, as are labels the fit never saw.
        """
        cls = self._class
        if cls.data not in ("rfm", "spend"):
            raise InvalidArgumentError(
                f"the {cls.title} model ({cls.__name__}) is fitted on {cls.data} data, not on "
                "per-customer rows, so it cannot be fitted per segment")
        names = (("frequency", "recency", cls._age_name) if cls.data == "rfm"
                 else ("frequency", "monetary_value"))
        unit = getattr(data, "time_unit_days", None)
        if isinstance(segments, str) and unit is not None:  # an ltv.Summary
            column = getattr(data, "segment_column", None)
            if column is None or segments not in (column, "segment"):
                raise InvalidArgumentError(
                    f"argument 'segments' = {segments!r} is not a column of the summary ("
                    + (f"its segments are column {column!r}" if column is not None else
                       "it has no segments: summarize the transactions with segment=") + ")")
            segments = data.segment
        elif isinstance(segments, str) and not isinstance(data, dict) and unit is None:
            try:
                segments = data[segments]
            except (KeyError, TypeError, IndexError):
                raise InvalidArgumentError(
                    f"argument 'segments' = {segments!r} is not a column of the data") from None
        try:
            if unit is not None:
                columns = [getattr(data, k) for k in names]
            else:
                columns = [data[k] for k in names]
        except (KeyError, TypeError, IndexError, AttributeError):
            raise InvalidArgumentError(
                f"'data' must be an ltv.Summary or a DataFrame with columns {list(names)}"
            ) from None
        arrays = [as_double_array(c, k) for c, k in zip(columns, names)]
        n = len(arrays[0])
        for a, k in zip(arrays, names):
            if len(a) != n:
                raise InvalidArgumentError(f"column '{k}' has {len(a)} rows but 'frequency' has {n}")
        w = None
        if weights is not None:
            w = as_double_array(weights, "weights")
            if len(w) != n:
                raise InvalidArgumentError(f"'weights' has {len(w)} elements but there are {n} rows")
        chars, offsets = _labels(segments, n)
        proto = self._prototype.__deepcopy__({}) if self._prototype is not None else cls()
        if unit is not None:
            proto.time_unit = unit
        fit_options = _fit_keywords(proto, initial, max_iterations, time_limit, cancel,
                                    allow_no_convergence)
        options = SegmentsOptions()
        call("ltv_segments_options_init", ctypes.byref(options), ctypes.sizeof(options))
        options.min_customers = self.min_customers
        options.pooled = 1 if self.pooled_model else 0
        options.threads = self.threads
        cols = {"frequency": arrays[0]}
        if cls.data == "rfm":
            cols["recency"], cols["T"] = arrays[1], arrays[2]
        else:
            cols["monetary"] = arrays[1]

        def p(key):
            return pointer(cols[key]) if key in cols else None

        handle = ctypes.c_void_p()
        try:
            call("ltv_segments_fit", proto._handle, p("frequency"), p("recency"), p("T"),
                 p("monetary"), pointer(w) if w is not None else None, chars,
                 offsets.ctypes.data_as(ctypes.POINTER(ctypes.c_size_t)), n,
                 ctypes.byref(fit_options), ctypes.byref(options), ctypes.byref(handle))
        finally:
            proto._cancel_fn = None
        if self._handle is not None:
            lib.ltv_segments_free(self._handle)
        self._handle = handle
        return self

    def _require(self):
        if self._handle is None:
            from .errors import NotFittedError

            raise NotFittedError("the segmented model is not fitted yet; call fit() first")
        return self._handle

    # -- what it holds ----------------------------------------------------------------------------
    @property
    def model_class(self):
        """The model class of every segment's model (e.g. ``ltv.BetaGeo``)."""
        if self._handle is None:
            return self._class
        kind = ctypes.c_int()
        call("ltv_segments_kind", self._handle, ctypes.byref(kind))
        return _KINDS[kind.value]

    @property
    def labels(self):
        """The segment labels with a model of their own, in byte order of their UTF-8 text."""
        handle = self._require()
        count = ctypes.c_size_t()
        call("ltv_segments_count", handle, ctypes.byref(count))
        out = []
        for i in range(count.value):
            text, length = ctypes.c_char_p(), ctypes.c_size_t()
            call("ltv_segments_label", handle, i, ctypes.byref(text), ctypes.byref(length))
            out.append(ctypes.string_at(text, length.value).decode("utf-8"))
        return out

    @property
    def customers(self):
        """{label: the rows its model was fitted on}."""
        handle = self._require()
        out = {}
        for i, label in enumerate(self.labels):
            n = ctypes.c_size_t()
            call("ltv_segments_customers", handle, i, ctypes.byref(n))
            out[label] = n.value
        return out

    @staticmethod
    def _copy_of(borrowed):
        clone = ctypes.c_void_p()
        call("ltv_model_clone", borrowed, ctypes.byref(clone))
        return _wrap(clone)

    @property
    def models(self):
        """{label: Model}: a copy of each segment's fitted model."""
        handle = self._require()
        out = {}
        for i, label in enumerate(self.labels):
            m = ctypes.c_void_p()
            call("ltv_segments_model", handle, i, ctypes.byref(m))
            out[label] = self._copy_of(m)
        return out

    @property
    def pooled(self):
        """The model fitted on all rows (fit with ``pooled=True``), or None."""
        m, n = ctypes.c_void_p(), ctypes.c_size_t()
        call("ltv_segments_pooled", self._require(), ctypes.byref(m), ctypes.byref(n))
        return self._copy_of(m) if m.value else None

    def __getitem__(self, label):
        """The model of segment ``label`` (any label type: looked up by its text)."""
        data = _label_text(label).encode("utf-8")
        index, found = ctypes.c_size_t(), ctypes.c_int()
        call("ltv_segments_find", self._require(), data, len(data), ctypes.byref(index),
             ctypes.byref(found))
        if not found.value:
            raise KeyError(label)
        m = ctypes.c_void_p()
        call("ltv_segments_model", self._handle, index.value, ctypes.byref(m))
        return self._copy_of(m)

    def __contains__(self, label):
        try:
            self[label]
        except KeyError:
            return False
        return True

    def __len__(self):
        return len(self.labels) if self._handle is not None else 0

    def __repr__(self):
        try:
            if self._handle is None:
                return f"SegmentedModel({self._class.__name__}, not fitted)"
            customers = self.customers
            shown = ", ".join(f"{k!r}: {v}" for k, v in list(customers.items())[:5])
            more = f", … ({len(customers)} segments)" if len(customers) > 5 else ""
            pooled = "; pooled model" if self.pooled is not None else ""
            return (f"SegmentedModel({self.model_class.__name__}; customers {{{shown}{more}}}"
                    f"{pooled})")
        except Exception:  # noqa: BLE001 - a repr must not raise
            return "SegmentedModel(<unavailable>)"

    # -- scoring ----------------------------------------------------------------------------------
    def _score(self, capability, argument, segments, invalid="raise", **columns):
        handle = self._require()
        cls = self.model_class
        if not cls.supports(capability):
            raise InvalidArgumentError(
                f"{capability} is not available for the {cls.title} model ({cls.__name__})")
        c, n, shape = broadcast_columns(**columns)
        if "recency" in c:
            age = cls._age_name
            c["frequency"], c["recency"], c[age] = clip_histories(
                c["frequency"], c["recency"], c[age], age, invalid)
        chars, offsets = _labels(segments, n)
        out = np.empty(n)

        def p(key):
            return pointer(c[key]) if key in c else None

        call("ltv_segments_score", handle, _CAP[capability], float(argument), p("frequency"),
             p("recency"), p(cls._age_name) if cls.data == "rfm" else None,
             p("monetary_value"), chars, offsets.ctypes.data_as(ctypes.POINTER(ctypes.c_size_t)),
             n, pointer(out))
        return shape.wrap(out)

    def p_alive(self, frequency, recency, T, segments, *, ahead=None, invalid="raise"):
        """P(alive | x, t_x, T) of each customer by its segment's model (``ahead`` and
        ``invalid`` as for the model's own :meth:`p_alive`)."""
        if ahead is None:
            return self._score("p_alive", 0.0, segments, invalid, frequency=frequency,
                               recency=recency, **{self.model_class._age_name: T})
        return self._score("p_alive_ahead", as_double(ahead, "ahead"), segments, invalid,
                           frequency=frequency, recency=recency,
                           **{self.model_class._age_name: T})

    def expected_purchases(self, t, frequency, recency, T, segments, *, invalid="raise"):
        """E[purchases in (T, T + t] | x, t_x, T] of each customer by its segment's model."""
        return self._score("conditional_purchases", as_double(t, "t"), segments, invalid,
                           frequency=frequency, recency=recency,
                           **{self.model_class._age_name: T})

    def discounted_expected_residual_transactions(self, discount_rate, frequency, recency, T,
                                                  segments):
        """DERT of each customer by its segment's model (models with the ``dert``
        capability)."""
        return self._score("dert", as_double(discount_rate, "discount_rate"), segments,
                           frequency=frequency, recency=recency,
                           **{self.model_class._age_name: T})

    def individual_log_likelihood(self, frequency, recency, T, segments):
        """Log-likelihood of each customer's (x, t_x, T) under its segment's model."""
        return self._score("log_likelihood", 0.0, segments, frequency=frequency,
                           recency=recency, **{self.model_class._age_name: T})

    def expected_spend(self, frequency, monetary_value, segments):
        """E[spend per transaction | x, z̄] of each customer by its segment's spend model."""
        return self._score("spend", 0.0, segments, frequency=frequency,
                           monetary_value=monetary_value)

    def customer_lifetime_value(self, spend_model, frequency, recency, T, monetary_value, *,
                                segments, periods=None, period_length=None, discount_rate=None):
        """CLV of each customer (as :func:`ltv.customer_lifetime_value`) with its segment's
        transaction model and ``spend_model``: a :class:`SegmentedModel` of a spend model
        (``ltv.GammaGamma``) fitted on the same labels — a label without a spend model of its
        own takes that one's pooled model, else an error names the row and the label — or one
        spend :class:`Model` for every customer. ``segments``: one label per customer. The CLV
        options are keyword-only; left as None they take the library's defaults
        (:func:`ltv.clv_defaults`). Each value equals, bit for bit, the plain models' CLV of the
        customers sharing its pair of models; pandas in → a Series with the same index.

        >>> seg.customer_lifetime_value(gg_seg, df.frequency, df.recency, df["T"],
        ...                             df.monetary_value, segments=df.store)  # doctest: +SKIP
        """
        from .models import _clv_options

        handle = self._require()
        cls = self.model_class
        if not cls.supports("clv"):
            raise InvalidArgumentError(
                f"the {cls.title} model ({cls.__name__}) has no CLV; models with CLV: "
                + ", ".join(c.__name__ for c in _KINDS.values() if c.supports("clv")))
        spend_segments = spend_handle = None
        if isinstance(spend_model, SegmentedModel):
            spend_class = spend_model.model_class
            spend_segments = spend_model._require()
        elif isinstance(spend_model, Model):
            spend_class = type(spend_model)
            spend_handle = spend_model._handle
        else:
            raise InvalidArgumentError(
                "'spend_model' must be a fitted spend model (a Model) or a SegmentedModel of one, "
                f"not {type(spend_model).__name__}")
        if not spend_class.supports("spend"):
            raise InvalidArgumentError(
                f"'spend_model' is a {spend_class.title} model ({spend_class.__name__}), not a "
                "spend model: one of "
                + ", ".join(c.__name__ for c in _KINDS.values() if c.supports("spend")))
        options = _clv_options(periods, period_length, discount_rate)
        c, n, shape = broadcast_columns(frequency=frequency, recency=recency, T=T,
                                        monetary_value=monetary_value)
        chars, offsets = _labels(segments, n)
        out = np.empty(n)
        call("ltv_segments_customer_lifetime_value", handle, spend_segments, spend_handle,
             pointer(c["frequency"]), pointer(c["recency"]), pointer(c["T"]),
             pointer(c["monetary_value"]), chars,
             offsets.ctypes.data_as(ctypes.POINTER(ctypes.c_size_t)), n, ctypes.byref(options),
             pointer(out))
        return shape.wrap(out)

    # -- files, pickles, copies ---------------------------------------------------------------
    def to_json(self):
        """The segments file as a JSON string (format "ltv-segments": each segment's label,
        customer count and model document; docs/segments.md)."""
        handle = self._require()
        size = ctypes.c_size_t()
        call("ltv_segments_to_json", handle, None, 0, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        call("ltv_segments_to_json", handle, buffer, size.value, ctypes.byref(size))
        return buffer.value.decode()

    def save(self, path):
        """Writes the segments file (JSON) to ``path``; returns self."""
        call("ltv_segments_save", self._require(), os.fsencode(path))
        return self

    def _set_threads(self, threads):
        self.threads = int(threads)
        if self._handle is not None:
            call("ltv_segments_set_threads", self._handle, self.threads)
        return self

    def __reduce__(self):
        """Pickles through the JSON segments file (an unfitted one: its class and options)."""
        if self._handle is None:
            return (_restore_unfitted, (self._class.__name__, self.min_customers,
                                        self.pooled_model, self.threads))
        return (_restore, (self.to_json(), self.threads, self.min_customers, self.pooled_model))

    def __copy__(self):
        return self.__deepcopy__({})

    def __deepcopy__(self, memo):
        f, args = self.__reduce__()
        return f(*args)


def _restore(text, threads=0, min_customers=1, pooled=False):
    """Unpickles a fitted SegmentedModel from its JSON text."""
    seg = segments_from_json(text)
    seg.min_customers, seg.pooled_model = int(min_customers), bool(pooled)
    return seg._set_threads(threads)


def _restore_unfitted(class_name, min_customers, pooled, threads):
    """Unpickles an unfitted SegmentedModel."""
    return SegmentedModel(MODEL_CLASSES[class_name], min_customers=min_customers, pooled=pooled,
                          threads=threads)


def _from_handle(handle):
    seg = SegmentedModel.__new__(SegmentedModel)
    seg._handle = handle
    kind = ctypes.c_int()
    call("ltv_segments_kind", handle, ctypes.byref(kind))
    seg._class, seg._prototype = _KINDS[kind.value], None
    seg.threads = 0
    pooled, n = ctypes.c_void_p(), ctypes.c_size_t()
    call("ltv_segments_pooled", handle, ctypes.byref(pooled), ctypes.byref(n))
    seg.pooled_model = bool(pooled.value)
    # the file's min_customers (the C API has no accessor: read it from the document)
    seg.min_customers = int(json.loads(seg.to_json()).get("min_customers", 1))
    return seg


def segments_from_json(text):
    """A SegmentedModel from the JSON text of :meth:`SegmentedModel.to_json` (or a segments
    file's contents, ``ltv fit --segment-column … -o``)."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    handle = ctypes.c_void_p()
    call("ltv_segments_from_json", data, len(data), ctypes.byref(handle))
    return _from_handle(handle)


def load_segments(path):
    """Reads a segments file written by :meth:`SegmentedModel.save` or
    ``ltv fit --segment-column``."""
    handle = ctypes.c_void_p()
    call("ltv_segments_load", os.fsencode(path), ctypes.byref(handle))
    return _from_handle(handle)


def fit_segments(model, data, segments, *, min_customers=1, pooled=False, threads=0, **fit):
    """Fits one ``model`` per segment: ``model`` a model class (``ltv.BetaGeo``), its name
    (``"bgnbd"``) or a Model whose options (penalizer, ``fix.*`` options, time unit) every
    segment's model takes; ``data`` an :class:`ltv.Summary` or DataFrame; ``segments`` one label
    per row (or a DataFrame column's name). ``min_customers``, ``pooled``, ``threads`` and the fit
    keywords as for :class:`SegmentedModel` and :meth:`SegmentedModel.fit`.

    >>> seg = ltv.fit_segments("bgnbd", df, segments="country")     # doctest: +SKIP
    """
    return SegmentedModel(model, min_customers=min_customers, pooled=pooled,
                          threads=threads).fit(data, segments, **fit)


__all__ = ["SegmentedModel", "fit_segments", "load_segments", "segments_from_json"]
