"""The probabilistic models as Python classes over the C model handle (docs/models.md).

Every model class shares this surface: ``.fit(...)`` returning self, ``.params`` (a dict in the
papers' names), ``.log_likelihood``, ``.standard_errors``, ``.covariance``, ``.fit_report``,
``.save(path)`` and :func:`load_model`. Predictions take arrays (lists, numpy, pandas) and return
numpy arrays, or floats for scalar input.
"""

import ctypes
import os

import numpy as np

from ._arrays import as_double, as_double_array, is_scalar, pointer
from ._library import FitOptions, FitReport, call, lib
from .errors import InvalidArgumentError

_KINDS = {}  # kind number -> class, filled by @_register


def _register(cls):
    _KINDS[cls._kind] = cls
    return cls


class Model:
    """Base class: owns one ``ltv_model`` handle."""

    _kind = None  # LTV_MODEL_* of the subclass

    def __init__(self, params=None, *, penalizer=0.0, threads=0, _handle=None):
        if _handle is None:
            _handle = ctypes.c_void_p()
            call("ltv_model_create", self._kind, ctypes.byref(_handle))
        self._handle = _handle
        self.penalizer = float(penalizer)
        call("ltv_model_set_threads", self._handle, int(threads))
        if params is not None:
            self.set_params(**params) if isinstance(params, dict) else self.set_params(*params)

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and lib is not None:
            lib.ltv_model_free(handle)
            self._handle = None

    def __repr__(self):
        try:
            inner = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items())
        except Exception:  # noqa: BLE001 - a repr must not raise
            inner = "not fitted"
        return f"{type(self).__name__}({inner})"

    # -- parameters ----------------------------------------------------------------------------
    @property
    def param_names(self):
        count = ctypes.c_size_t()
        call("ltv_model_num_params", self._handle, ctypes.byref(count))
        names = []
        for i in range(count.value):
            name = ctypes.c_char_p()
            call("ltv_model_param_name", self._handle, i, ctypes.byref(name))
            names.append(name.value.decode())
        return names

    @property
    def params(self):
        """The parameters as a dict, in the papers' names; raises NotFittedError before a fit."""
        names = self.param_names
        values = np.empty(len(names))
        call("ltv_model_params", self._handle, pointer(values), len(values))
        return dict(zip(names, values.tolist()))

    def set_params(self, *values, **named):
        """Sets the parameters, positionally or by name (``set_params(r=0.24, alpha=4.4, ...)``)."""
        names = self.param_names
        if values and named:
            raise InvalidArgumentError("give the parameters either positionally or by name")
        if named:
            unknown = sorted(set(named) - set(names))
            missing = [n for n in names if n not in named]
            if unknown or missing:
                raise InvalidArgumentError(
                    f"parameters of {type(self).__name__} are {names}; "
                    f"unknown: {unknown}, missing: {missing}"
                )
            values = [named[n] for n in names]
        array = as_double_array(list(values), "params")
        call("ltv_model_set_params", self._handle, pointer(array), len(array))
        return self

    # -- fit results ---------------------------------------------------------------------------
    @property
    def fit_report(self):
        """Convergence and likelihood of the last fit, as a dict."""
        report = FitReport()
        report.struct_size = ctypes.sizeof(FitReport)
        call("ltv_model_fit_report", self._handle, ctypes.byref(report))
        message = ctypes.c_char_p()
        call("ltv_model_fit_message", self._handle, ctypes.byref(message))
        out = {name: getattr(report, name) for name, _ in FitReport._fields_[1:]}
        out["converged"] = bool(out["converged"])
        out["standard_errors_available"] = bool(out["standard_errors_available"])
        out["message"] = message.value.decode()
        return out

    @property
    def log_likelihood(self):
        """Total log-likelihood of the fitted data (Σ weights × per-customer LL)."""
        return self.fit_report["log_likelihood"]

    @property
    def standard_errors(self):
        names = self.param_names
        values = np.empty(len(names))
        call("ltv_model_standard_errors", self._handle, pointer(values), len(values))
        return dict(zip(names, values.tolist()))

    @property
    def covariance(self):
        k = len(self.param_names)
        values = np.empty(k * k)
        call("ltv_model_covariance", self._handle, pointer(values), len(values))
        return values.reshape(k, k)

    def _fit_options(self, initial=None, max_iterations=None, standard_errors=True):
        options = FitOptions()
        call("ltv_fit_options_init", ctypes.byref(options))
        options.penalizer = self.penalizer
        options.standard_errors = 1 if standard_errors else 0
        if max_iterations is not None:
            options.max_iterations = int(max_iterations)
        if initial is not None:
            if isinstance(initial, dict):
                initial = [initial[n] for n in self.param_names]
            self._initial = as_double_array(initial, "initial")  # keep alive during the call
            options.initial = pointer(self._initial)
            options.initial_count = len(self._initial)
        return options

    # -- files ---------------------------------------------------------------------------------
    def to_json(self):
        size = ctypes.c_size_t()
        call("ltv_model_to_json", self._handle, None, 0, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        call("ltv_model_to_json", self._handle, buffer, size.value, ctypes.byref(size))
        return buffer.value.decode()

    def save(self, path):
        """Writes the model (params, fit report, covariance) as JSON to ``path``."""
        call("ltv_model_save", self._handle, os.fsencode(path))
        return self


def _wrap(handle):
    kind = ctypes.c_int()
    call("ltv_model_kind", handle, ctypes.byref(kind))
    cls = _KINDS.get(kind.value)
    if cls is None:  # a kind this binding version does not wrap yet
        lib.ltv_model_free(handle)
        raise InvalidArgumentError(f"model kind {kind.value} is not supported by this binding")
    return cls(_handle=handle)


def load_model(path):
    """Reads a model file written by ``Model.save`` (or ``ltv fit -o``); returns the right class."""
    handle = ctypes.c_void_p()
    call("ltv_model_load", os.fsencode(path), ctypes.byref(handle))
    return _wrap(handle)


def model_from_json(text):
    data = text.encode() if isinstance(text, str) else bytes(text)
    handle = ctypes.c_void_p()
    call("ltv_model_from_json", data, len(data), ctypes.byref(handle))
    return _wrap(handle)


def _batch(name, model, out_len, *arrays_and_scalars):
    out = np.empty(out_len)
    call(name, model._handle, *arrays_and_scalars, pointer(out))
    return out


def _scalar_or_array(value, result):
    return float(result[0]) if is_scalar(value) else result


@_register
class ShiftedBetaGeo(Model):
    """sBG contractual retention model (Fader & Hardie 2007), parameters ``alpha, beta``.

    >>> m = ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> round(m.params["alpha"], 3), round(m.params["beta"], 3)
    (0.704, 1.182)
    """

    _kind = 6

    def fit(self, active_per_period, *, initial=None, max_iterations=None):
        """Fits to the customers active at the start of each period (the first is the cohort
        size); a list of such curves fits several cohorts jointly."""
        curves = active_per_period
        if hasattr(curves, "to_numpy"):
            curves = curves.to_numpy()
        if len(curves) and np.ndim(curves[0]) == 1:  # several cohorts
            arrays = [as_double_array(c, f"active_per_period[{i}]") for i, c in enumerate(curves)]
        else:
            arrays = [as_double_array(curves, "active_per_period")]
        flat = np.ascontiguousarray(np.concatenate(arrays)) if arrays else np.empty(0)
        lengths = (ctypes.c_size_t * len(arrays))(*[len(a) for a in arrays])
        options = self._fit_options(initial, max_iterations)
        call("ltv_model_fit_survivors", self._handle, pointer(flat), lengths, len(arrays),
             ctypes.byref(options))
        return self

    def survival(self, t):
        """S(t): share of a cohort still active after t periods (t = 0, 1, …)."""
        arr = as_double_array(t, "t")
        return _scalar_or_array(t, _batch("ltv_model_survival", self, len(arr), pointer(arr), len(arr)))

    def retention_rate(self, t):
        """rₜ = S(t)/S(t−1), the renewal rate at period t ≥ 1."""
        arr = as_double_array(t, "t")
        return _scalar_or_array(
            t, _batch("ltv_model_retention_rate", self, len(arr), pointer(arr), len(arr))
        )

    def project_survivors(self, initial, periods):
        """Expected active customers of a cohort of ``initial`` at periods 0..periods."""
        return as_double(initial, "initial") * self.survival(np.arange(int(periods) + 1))

    def discounted_expected_lifetime(self, discount_rate):
        """DEL(d): discounted expected number of payments of a new customer (t = 0 included)."""
        out = ctypes.c_double()
        call("ltv_model_discounted_expected_lifetime", self._handle,
             as_double(discount_rate, "discount_rate"), ctypes.byref(out))
        return out.value

    def discounted_expected_residual_lifetime(self, discount_rate, renewals):
        """DERL(d | renewals): remaining discounted payments after ``renewals`` renewals
        (Fader & Hardie's n − 1)."""
        arr = as_double_array(renewals, "renewals")
        result = _batch(
            "ltv_model_discounted_expected_residual_lifetime", self, len(arr),
            as_double(discount_rate, "discount_rate"), pointer(arr), len(arr),
        )
        return _scalar_or_array(renewals, result)


__all__ = ["Model", "ShiftedBetaGeo", "load_model", "model_from_json"]
