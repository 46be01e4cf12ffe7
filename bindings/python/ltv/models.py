# SPDX-License-Identifier: Apache-2.0
"""The probabilistic models as Python classes over the C model handle (docs/models.md).

The classes are not written here one by one: at import, the binding asks the library which
models it has (``ltv_model_kind_count``/``_at``), what each is called (``ltv_model_kind_info``:
its Python class name, title, citation, data and column names) and what it can compute
(``ltv_model_kind_supports``), and builds one class per model from the capability mixins below.
A model added to the library's registry appears here without a change to this file.

Every model class shares this surface: ``.fit(...)`` returning self, ``.params`` (a dict in the
papers' names), ``.log_likelihood``, ``.standard_errors``, ``.covariance``, ``.fit_report``,
``.supports(capability)``, ``.summary()``, ``.save(path)`` and :func:`load_model`; models
pickle, copy and deep-copy (through their JSON model file). Predictions take scalars, lists, numpy
arrays of any shape (broadcast together by numpy's rules) or pandas Series/DataFrames, and return
a float for scalars, an ndarray of the broadcast shape, or a Series/DataFrame with the caller's
index for pandas input.

Units: durations (recency, T, t) are in the unit of the data the model was fitted on — the
``time_unit`` of the :class:`ltv.Summary` (the library's default is days, like lifetimes'
``freq="D"``). ``model.time_unit`` records it and model files keep it.
"""

import copy as _copy
import ctypes
import functools
import inspect
import math
import os

import numpy as np

from ._arrays import (as_double, as_double_array, broadcast_columns, clip_histories,
                      is_scalar, pointer)
from ._library import (CancelFn, ClvOptions, Customers, FitOptions, FitReport,
                       PredictionOptions, call, lib)
from .errors import CancelledError, InvalidArgumentError

_KINDS = {}  # kind number -> class, filled by _build_classes()


class Model:
    """Base class of the model classes: owns one ``ltv_model`` handle.

    Parameters (every model class):
        params: the parameters to start from (dict by name or sequence in the papers' order);
            None until a fit.
        penalizer: L2 penalty on the parameters (0 = plain maximum likelihood).
        penalizer_convention: ``"ltv"`` (penalizer × Σ log(θ)² on the total log-likelihood) or
            ``"lifetimes"`` (lifetimes' penalizer_coef × Σ θ² on the mean log-likelihood) —
            docs/models.md, Penalizer.
        threads: threads for batch predictions; 0 = the process default (:func:`ltv.set_threads`).
        time_unit: the unit of the data's durations ("day", "week", "month", a number of days);
            None = unknown until fitted on an :class:`ltv.Summary`, which records its own.
    """

    _kind = None  # LTV_MODEL_* of the subclass

    #: penalizer_convention names → the C values (ltv_fit_options.penalizer_convention)
    _CONVENTIONS = {"ltv": 0, "lifetimes": 1}

    def __init__(self, params=None, *, penalizer=0.0, penalizer_convention="ltv", threads=0,
                 time_unit=None, _handle=None):
        if _handle is None:
            _handle = ctypes.c_void_p()
            call("ltv_model_create", self._kind, ctypes.byref(_handle))
        self._handle = _handle
        self.penalizer = float(penalizer)
        if penalizer_convention not in self._CONVENTIONS:
            raise InvalidArgumentError(
                f"argument 'penalizer_convention' = {penalizer_convention!r} must be 'ltv' or "
                "'lifetimes' (docs/models.md, Penalizer)")
        self.penalizer_convention = penalizer_convention
        call("ltv_model_set_threads", self._handle, int(threads))
        self.threads = int(threads)
        if time_unit is not None:
            self.time_unit = time_unit
        if params is not None:
            self.set_params(**params) if isinstance(params, dict) else self.set_params(*params)

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and lib is not None:
            lib.ltv_model_free(handle)
            self._handle = None

    def __repr__(self):
        try:
            if not self.has_params:
                return f"{type(self).__name__}(not fitted)"
            inner = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items())
            try:
                r = self.fit_report
                status = "converged" if r["converged"] else "NOT converged"
                inner += (f"; fitted on {r['total_weight']:.10g} customers, "
                          f"LL={r['log_likelihood']:.10g}, {status}")
            except Exception:  # noqa: BLE001 - parameters set by hand: no fit report
                inner += "; parameters set, not fitted"
            if self.time_unit:
                inner += f", time_unit={self.time_unit}"
            return f"{type(self).__name__}({inner})"
        except Exception:  # noqa: BLE001 - a repr must not raise
            return f"{type(self).__name__}(<unavailable>)"

    # -- objects that travel: pickle, copy, deepcopy ---------------------------------------------
    def _python_options(self):
        return {"penalizer": self.penalizer, "penalizer_convention": self.penalizer_convention,
                "threads": self.threads}

    def __reduce__(self):
        """Pickles through the JSON model file (parameters, fit report, covariance, options,
        time unit) plus the Python-side options; the handle itself never travels."""
        options = dict(self._python_options(), time_unit=self.time_unit)
        if not self.has_params:  # no model file without parameters: the class and options
            # (the options set by name are "fix.<parameter>"; the model file keeps them once
            # there are parameters)
            fixed = {f"fix.{p}": self.option(f"fix.{p}") for p in self.param_names}
            options["set_options"] = {k: v for k, v in fixed.items() if v is not None}
            return (_restore_model, (None, options, self._kind))
        return (_restore_model, (self.to_json(), options, self._kind))

    def __copy__(self):
        return self.__deepcopy__({})

    def __deepcopy__(self, memo):
        handle = ctypes.c_void_p()
        call("ltv_model_clone", self._handle, ctypes.byref(handle))
        clone = _wrap(handle)
        for key, value in self._python_options().items():
            setattr(clone, key, _copy.deepcopy(value, memo))
        return clone

    # -- unit of the durations ----------------------------------------------------------------
    @property
    def time_unit(self):
        """The unit of the durations the model's data were in ("day", "week", "month", "<n>d"),
        or None when unknown. Set it (a name or a number of days) when fitting plain arrays;
        fitting on an :class:`ltv.Summary` records the summary's."""
        out = ctypes.c_char_p()
        call("ltv_model_time_unit", self._handle, ctypes.byref(out))
        return out.value.decode() or None

    @time_unit.setter
    def time_unit(self, unit):
        if unit is None:
            call("ltv_model_set_time_unit", self._handle, None)
            return
        if isinstance(unit, (int, float)) and not isinstance(unit, bool):
            unit = f"{float(unit):g}"
        call("ltv_model_set_time_unit", self._handle, str(unit).encode())

    # -- what the model is and can do -----------------------------------------------------------
    def predict(self, quantity, frequency, recency=None, T=None, *, monetary_value=None, t=None,
                discount_rate=None, spend_model=None, periods=None, period_length=None,
                interval=None, method=None, replicates=None, seed=None, covariates=None):
        """One per-customer prediction, optionally with a prediction interval (docs/intervals.md).

        quantity: "p_alive", "expected_purchases" (horizon ``t``), "dert" (``discount_rate``),
            "log_likelihood", "expected_spend" (spend models: ``frequency``,
            ``monetary_value``) or "clv" (``spend_model``, ``monetary_value``; ``periods``,
            ``period_length``, ``discount_rate`` as in :func:`customer_lifetime_value`).
        interval: None (default) for the prediction alone, shaped like the inputs; a level in
            (0, 1), e.g. 0.9, for a DataFrame with columns ``value``, ``lower``, ``upper`` (the
            pandas index of the input is kept; a dict for scalar input).
        method: "delta" (default) or "bootstrap" (parameter draws; ``replicates``, ``seed``).
            None takes the library's defaults (:func:`interval_defaults`).

        covariates: each customer's row for a model fitted with covariates (as in fit; its
            intervals include the coefficients' uncertainty, docs/covariates.md).

        The interval covers the uncertainty of the fitted parameters (their covariance from the
        fit), not the spread of a customer's future purchases. Models without a covariance
        (parameters set by hand, standard errors unavailable) raise for intervals.

        >>> m.predict("p_alive", summary.frequency, summary.recency, summary.T,
        ...           interval=0.9)                          # doctest: +SKIP
        """
        cap = _QUANTITIES.get(quantity)
        if cap is not None and cap not in type(self).capabilities:
            raise InvalidArgumentError(
                f"argument 'quantity' = {quantity!r}: the {self.title} model "
                f"({type(self).__name__}) cannot compute it (it computes "
                f"{', '.join(type(self).capabilities)})")
        argument = 0.0
        clv = None
        if cap == "conditional_purchases":
            if t is None:
                raise InvalidArgumentError("argument 't' (the horizon) is required for "
                                           "'expected_purchases'")
            argument = as_double(t, "t")
        elif cap == "dert":
            if discount_rate is None:
                raise InvalidArgumentError("argument 'discount_rate' is required for 'dert'")
            argument = as_double(discount_rate, "discount_rate")
        elif cap == "clv":
            clv = _clv_options(periods, period_length, discount_rate)
        return _predict(self, quantity, {"frequency": frequency, "recency": recency, "T": T,
                                         "monetary_value": monetary_value},
                        argument=argument, spend_model=spend_model, clv=clv,
                        interval=interval, method=method, replicates=replicates, seed=seed,
                        covariates=covariates)

    @classmethod
    def supports(cls, capability):
        """Whether the model can compute ``capability`` (a name from :data:`CAPABILITIES`,
        e.g. ``"p_alive"``, ``"dert"``, ``"clv"``)."""
        return capability in cls.capabilities

    @property
    def param_bounds(self):
        """{name: (lower, upper)}: the open interval of valid values of each parameter."""
        bounds = {}
        for i, name in enumerate(self.param_names):
            lower, upper = ctypes.c_double(), ctypes.c_double()
            call("ltv_model_param_bounds", self._handle, i, ctypes.byref(lower),
                 ctypes.byref(upper))
            bounds[name] = (lower.value, upper.value)
        return bounds

    # -- options set by name ---------------------------------------------------------------------
    def set_option(self, name, value):
        """Sets an option: ``"fix.<parameter>"`` holds that parameter at ``value`` in fits
        (``BetaGeo().set_option("fix.b", 2.5).fit(...)``); returns self."""
        call("ltv_model_set_option", self._handle, str(name).encode(), as_double(value, "value"))
        return self

    def clear_option(self, name):
        """Removes an option set by :meth:`set_option` (``"fix.b"`` frees parameter b again in
        later fits); returns self."""
        call("ltv_model_clear_option", self._handle, str(name).encode())
        return self

    def option(self, name):
        """The option's value, or None when it is not set."""
        value, is_set = ctypes.c_double(), ctypes.c_int()
        call("ltv_model_option", self._handle, str(name).encode(), ctypes.byref(value),
             ctypes.byref(is_set))
        return value.value if is_set.value else None

    # -- parameters ----------------------------------------------------------------------------
    @property
    def param_names(self):
        """The parameters' names in the papers' order (BG/NBD: ``["r", "alpha", "a", "b"]``), the
        order of :meth:`set_params`' positional arguments and of :attr:`covariance`."""
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
    def has_params(self):
        """Whether the model has parameters (fitted, set, or loaded)."""
        flag = ctypes.c_int()
        call("ltv_model_has_params", self._handle, ctypes.byref(flag))
        return bool(flag.value)

    @property
    def standard_errors(self):
        """{name: standard error} from the inverse Hessian of the last fit (raises
        NotFittedError before a fit, InvalidArgumentError if the fit skipped them)."""
        names = self.param_names
        values = np.empty(len(names))
        call("ltv_model_standard_errors", self._handle, pointer(values), len(values))
        return dict(zip(names, values.tolist()))

    @property
    def covariance(self):
        """The k × k covariance matrix of the parameter estimates (inverse of the observed
        information), rows and columns in :attr:`param_names` order."""
        k = len(self.param_names)
        values = np.empty(k * k)
        call("ltv_model_covariance", self._handle, pointer(values), len(values))
        return values.reshape(k, k)

    def _fit_options(self, initial=None, max_iterations=None, standard_errors=True,
                     time_limit=None, cancel=None, allow_no_convergence=False):
        options = FitOptions()
        call("ltv_fit_options_init", ctypes.byref(options), ctypes.sizeof(options))
        options.penalizer = self.penalizer
        options.penalizer_convention = self._CONVENTIONS[self.penalizer_convention]
        options.standard_errors = 1 if standard_errors else 0
        options.allow_no_convergence = 1 if allow_no_convergence else 0
        if max_iterations is not None:
            options.max_iterations = int(max_iterations)
        if time_limit is not None:
            options.time_limit = as_double(time_limit, "time_limit")
        if initial is not None:
            if isinstance(initial, dict):
                initial = [initial[n] for n in self.param_names]
            self._initial = as_double_array(initial, "initial")  # keep alive during the call
            options.initial = pointer(self._initial)
            options.initial_count = len(self._initial)
        self._cancel_errors = []
        self._cancel_fn = None
        if cancel is not None:
            if not callable(cancel):
                raise InvalidArgumentError("argument 'cancel' must be a callable returning a bool")
            errors = self._cancel_errors

            def poll(_user):
                try:
                    return 1 if cancel() else 0
                except BaseException as exc:  # noqa: BLE001 - must not unwind through C: cancel
                    errors.append(exc)
                    return 1

            self._cancel_fn = CancelFn(poll)  # kept alive on self during the call
            options.cancel = ctypes.cast(self._cancel_fn, ctypes.c_void_p)
        return options

    def _run_fit(self, name, *args):
        """Calls the C fit `name` with args (the options last); an exception raised by the cancel
        callback comes back as the CancelledError's cause (KeyboardInterrupt and SystemExit as
        themselves)."""
        try:
            call(name, self._handle, *args)
        except CancelledError as error:
            if self._cancel_errors:
                cause = self._cancel_errors[0]
                if not isinstance(cause, Exception):
                    raise cause from None
                raise error from cause
            raise
        finally:
            self._cancel_fn = None
            self._cancel_errors = []
        return self

    def summary(self):
        """The fit as a pandas DataFrame, one row per parameter: ``estimate``, ``std_error``,
        ``lower_95`` and ``upper_95`` (Wald intervals, estimate ± 1.959964 × std_error, as
        lifetimes and CLVTools show them). ``.attrs`` holds ``log_likelihood``, ``aic``
        (2k − 2LL), ``bic`` (k ln n − 2LL, n = customers), ``customers``, ``converged``,
        ``iterations`` and ``time_unit``.

        >>> ltv.BetaGeo().fit(x, t_x, T).summary()          # doctest: +SKIP
                estimate  std_error  lower_95  upper_95
        r       0.242593   0.012557  0.217981  0.267205
        ...
        """
        import pandas as pd

        params = self.params
        report = self.fit_report
        try:
            se = self.standard_errors
        except Exception:  # noqa: BLE001 - a fit without standard errors: say so in the table
            se = None
        z = 1.959963984540054
        rows = {}
        for name, value in params.items():
            if se is None:
                rows[name] = {"estimate": value}
            else:
                rows[name] = {"estimate": value, "std_error": se[name],
                              "lower_95": value - z * se[name], "upper_95": value + z * se[name]}
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "parameter"
        k, ll, n = len(params), report["log_likelihood"], report["total_weight"]
        frame.attrs.update({
            "log_likelihood": ll, "aic": 2 * k - 2 * ll,
            "bic": k * math.log(n) - 2 * ll if n > 0 else float("inf"),
            "customers": n, "converged": report["converged"],
            "iterations": report["iterations"], "time_unit": self.time_unit})
        return frame

    # -- files ---------------------------------------------------------------------------------
    def to_json(self):
        """The model file as a JSON string (format "ltv-model"; docs/models.md, Model files):
        kind, parameters, fit report, covariance, options and time unit."""
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


def _restore_model(text, options, kind=None):
    """Unpickles a model: its JSON file (None: an unfitted model of ``kind``), then the
    Python-side options."""
    if text is None:
        model = _KINDS[kind]()
        if options.get("time_unit"):
            model.time_unit = options["time_unit"]
        for name, value in options.get("set_options", {}).items():
            model.set_option(name, value)
    else:
        model = model_from_json(text)
    model.penalizer = options.get("penalizer", 0.0)
    model.penalizer_convention = options.get("penalizer_convention", "ltv")
    threads = int(options.get("threads", 0))
    call("ltv_model_set_threads", model._handle, threads)
    model.threads = threads
    return model


def load_model(path):
    """Reads a model file written by ``Model.save`` (or ``ltv fit -o``); returns the right class."""
    handle = ctypes.c_void_p()
    call("ltv_model_load", os.fsencode(path), ctypes.byref(handle))
    return _wrap(handle)


def model_from_json(text):
    """A model from the JSON text of :meth:`Model.to_json` (or a model file's contents)."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    handle = ctypes.c_void_p()
    call("ltv_model_from_json", data, len(data), ctypes.byref(handle))
    return _wrap(handle)


def _batch(name, model, out_len, *arrays_and_scalars):
    out = np.empty(out_len)
    call(name, model._handle, *arrays_and_scalars, pointer(out))
    return out


def _one_column(name, model, value, label, *leading):
    """A batch function of one per-element input (t, n, renewals …), shaped like that input."""
    c, n, shape = broadcast_columns(**{label: value})
    out = _batch(name, model, n, *leading, pointer(c[label]), n)
    return shape.wrap(out)


def _columns(**named):
    """Per-customer inputs broadcast together → (Shape, count, {name: flat float64 array});
    ``shape.wrap(out)`` gives the result the inputs' form (float, ndarray, pandas)."""
    c, n, shape = broadcast_columns(**named)
    return shape, n, c


def _clv_options(periods, period_length, discount_rate):
    """ltv_clv_options: the library's defaults (ltv_clv_options_init) where an option is None."""
    options = ClvOptions()
    call("ltv_clv_options_init", ctypes.byref(options), ctypes.sizeof(options))
    if periods is not None:
        if int(periods) != periods:
            raise InvalidArgumentError(f"argument 'periods' = {periods!r} must be a whole number")
        options.periods = int(periods)
    if period_length is not None:
        options.period_length = as_double(period_length, "period_length")
    if discount_rate is not None:
        options.discount_rate = as_double(discount_rate, "discount_rate")
    return options


# -- predictions with intervals (ltv_model_predict; docs/intervals.md) -------------------------

#: predict()'s quantity names -> the capability computing them
_QUANTITIES = {"p_alive": "p_alive", "expected_purchases": "conditional_purchases",
               "conditional_purchases": "conditional_purchases", "dert": "dert",
               "log_likelihood": "log_likelihood", "expected_spend": "spend", "spend": "spend",
               "clv": "clv"}

#: interval method names -> LTV_INTERVAL_* (ltv.h)
_INTERVAL_METHODS = {"delta": 1, "bootstrap": 2}


def interval_defaults():
    """The library's interval defaults (``ltv_prediction_options_init``, from
    ``ltv::interval_options`` in ltv/intervals.hpp) as a dict: ``method`` ("delta"),
    ``replicates`` (200) and ``seed`` (1). An interval is only computed when a level is given."""
    options = PredictionOptions()
    call("ltv_prediction_options_init", ctypes.byref(options), ctypes.sizeof(options))
    method = {v: k for k, v in _INTERVAL_METHODS.items()}[options.interval_method]
    return {"method": method, "replicates": options.replicates, "seed": options.seed}


def _predict(model, quantity, columns, *, argument=0.0, spend_model=None, clv=None,
             interval=None, method=None, replicates=None, seed=None, covariates=None):
    """One ltv_model_predict call: ``columns`` maps frequency/recency/T/monetary_value to inputs."""
    if quantity not in _QUANTITIES:
        raise InvalidArgumentError(
            f"argument 'quantity' = {quantity!r} must be one of {sorted(_QUANTITIES)}")
    cap = _QUANTITIES[quantity]
    if cap not in CAPABILITIES:
        raise InvalidArgumentError(f"the library does not know the capability {cap!r}")
    given = {k: v for k, v in columns.items() if v is not None}
    if "frequency" not in given:
        raise InvalidArgumentError("argument 'frequency' is required")
    shape, n, c = _columns(**given)
    table, keep = _customers(n, c["frequency"], c.get("recency"), c.get("T"),
                             monetary=c.get("monetary_value"), covariates=covariates)
    options = PredictionOptions()
    call("ltv_prediction_options_init", ctypes.byref(options), ctypes.sizeof(options))
    if spend_model is not None:
        if not isinstance(spend_model, Model):
            raise InvalidArgumentError("argument 'spend_model' must be a fitted spend model")
        options.spend_model = spend_model._handle
    if clv is not None:
        options.clv = ctypes.pointer(clv)
    lower = upper = None
    if interval is not None:
        level = as_double(interval, "interval")
        if level == 0:
            raise InvalidArgumentError(
                "argument 'interval' = 0: give a level in (0, 1), e.g. 0.9, or None for none")
        options.interval_level = level
        if method is not None:
            if method not in _INTERVAL_METHODS:
                raise InvalidArgumentError(
                    f"argument 'method' = {method!r} must be 'delta' or 'bootstrap'")
            options.interval_method = _INTERVAL_METHODS[method]
        if replicates is not None:
            if int(replicates) != replicates:
                raise InvalidArgumentError(
                    f"argument 'replicates' = {replicates!r} must be a whole number")
            options.replicates = int(replicates)
        if seed is not None:
            if int(seed) != seed or seed < 0:
                raise InvalidArgumentError(f"argument 'seed' = {seed!r} must be a whole number >= 0")
            options.seed = int(seed)
        lower, upper = np.empty(n), np.empty(n)
    out = np.empty(n)
    call("ltv_model_predict", model._handle, CAPABILITIES.index(cap) + 1, float(argument),
         ctypes.byref(table), ctypes.byref(options), pointer(out),
         pointer(lower) if lower is not None else None,
         pointer(upper) if upper is not None else None, n)
    if interval is None:
        return shape.wrap(out)
    if shape.scalar:
        return {"value": float(out[0]), "lower": float(lower[0]), "upper": float(upper[0])}
    try:
        import pandas as pd
    except ImportError:  # pandas is optional: a dict of flat arrays
        return {"value": out, "lower": lower, "upper": upper}
    index = shape.index if shape.index is not None and shape.columns is None else None
    return pd.DataFrame({"value": out, "lower": lower, "upper": upper}, index=index)


def customer_lifetime_value(transaction_model, spend_model, frequency, recency, T,
                            monetary_value, *, periods=None, period_length=None,
                            discount_rate=None, interval=None, method=None, replicates=None,
                            seed=None):
    """CLV per customer: Σₖ₌₁..periods E[spend] (E[Y(kL)] − E[Y((k−1)L)]) / (1 + d)ᵏ.

    Options left as None take the library's defaults (``ltv_clv_options_init``: 12 periods of
    length 1 time unit, undiscounted — :func:`clv_defaults`).

    ``period_length`` L is in the transaction model's time unit: with weekly data,
    ``period_length=4.345`` gives monthly periods, and ``discount_rate`` is then monthly; with
    daily data (the library's default unit) lifetimes' ``time=12, freq="D", discount_rate=0.01``
    is ``periods=12, period_length=30, discount_rate=0.01``. The options are keyword-only.

    Returns a float for scalars, an ndarray of the inputs' broadcast shape, or a Series with the
    caller's index for pandas input.

    ``interval=0.9`` adds a prediction interval for the parameters' uncertainty (both models'),
    ``method`` "delta" or "bootstrap" (``replicates``, ``seed``; defaults from
    :func:`interval_defaults`) and returns a DataFrame with columns value, lower, upper
    (docs/intervals.md) — as :meth:`Model.predict`.

    >>> ltv.customer_lifetime_value(bgnbd, gg, 2, 30.43, 38.86, 22.35,
    ...                             periods=12, period_length=4.345, discount_rate=0.01)  # doctest: +SKIP
    """
    if not isinstance(transaction_model, Model) or not transaction_model.supports("clv"):
        raise InvalidArgumentError(
            "'transaction_model' must be a fitted transaction model with CLV: one of "
            + ", ".join(c.__name__ for c in _KINDS.values() if c.supports("clv")))
    if not isinstance(spend_model, Model) or not spend_model.supports("spend"):
        raise InvalidArgumentError(
            "'spend_model' must be a fitted spend model: one of "
            + ", ".join(c.__name__ for c in _KINDS.values() if c.supports("spend")))
    options = _clv_options(periods, period_length, discount_rate)
    if interval is not None:
        return _predict(transaction_model, "clv",
                        {"frequency": frequency, "recency": recency, "T": T,
                         "monetary_value": monetary_value},
                        spend_model=spend_model, clv=options, interval=interval, method=method,
                        replicates=replicates, seed=seed)
    shape, n, c = _columns(frequency=frequency, recency=recency, T=T, monetary_value=monetary_value)
    out = np.empty(n)
    call("ltv_customer_lifetime_value", transaction_model._handle, spend_model._handle,
         pointer(c["frequency"]), pointer(c["recency"]), pointer(c["T"]),
         pointer(c["monetary_value"]), n, ctypes.byref(options), pointer(out))
    return shape.wrap(out)


def clv_defaults():
    """The library's CLV defaults as a dict (periods, period_length, discount_rate)."""
    options = ClvOptions()
    call("ltv_clv_options_init", ctypes.byref(options), ctypes.sizeof(options))
    return {"periods": options.periods, "period_length": options.period_length,
            "discount_rate": options.discount_rate}


# -- capability mixins: one per capability, written once for every model ----------------------
# A class gets a mixin when the library reports the capability for its model. Methods over
# (frequency, recency, T) name their third argument as the model does (``age_name``: BG/BB's
# ``n_periods``); _rename_age gives them that signature.


def _fit_keywords(self, initial, max_iterations, time_limit, cancel, allow_no_convergence):
    return self._fit_options(initial, max_iterations, time_limit=time_limit, cancel=cancel,
                             allow_no_convergence=allow_no_convergence)


def _rfm_data(model, frequency, recency, T):
    """The (frequency, recency, age) columns of a fit: three columns, or one table — an
    :class:`ltv.Summary` (its time unit is recorded in the model) or a DataFrame with the model's
    column names."""
    if recency is not None or T is not None:
        if recency is None or T is None:
            raise InvalidArgumentError(
                f"give 'frequency', 'recency' and '{model._age_name}' (or one Summary/DataFrame)")
        return frequency, recency, T
    table = frequency
    unit = getattr(table, "time_unit_days", None)
    names = ("frequency", "recency", model._age_name)
    try:
        if unit is not None:  # an ltv.Summary: columns are attributes
            columns = [getattr(table, k) for k in names]
        else:  # a DataFrame (getattr would give DataFrame.T, the transpose)
            columns = [table[k] for k in names]
    except (KeyError, TypeError, IndexError, AttributeError):
        raise InvalidArgumentError(
            f"a single argument to {type(model).__name__}.fit must be an ltv.Summary or a "
            f"DataFrame with columns {list(names)}") from None
    if unit is not None:
        model.time_unit = unit
    return columns


#: ltv_model_predict's capability numbers (LTV_CAP_* in ltv/ltv.h) of the per-customer functions
#: that take covariates.
_PREDICT_CAPABILITY = {"ltv_model_log_likelihood": 4, "ltv_model_p_alive": 5,
                       "ltv_model_expected_purchases": 6, "ltv_model_dert": 9}


def _covariate_matrix(covariates, n):
    """(row-major float64 matrix, names or None) of a 2-D array or a pandas DataFrame (whose
    columns name the covariates) with n rows; docs/covariates.md."""
    names = None
    if hasattr(covariates, "columns") and hasattr(covariates, "to_numpy"):
        names = [str(c) for c in covariates.columns]
        covariates = covariates.to_numpy(dtype=float)
    z = np.ascontiguousarray(np.asarray(covariates, dtype=float))
    if z.ndim == 1:
        z = z.reshape(-1, 1)
    if z.ndim != 2:
        raise InvalidArgumentError(
            f"argument 'covariates' must be a 2-D array (customers x covariates), not {z.ndim}-D")
    if z.shape[0] != n:
        raise InvalidArgumentError(
            f"argument 'covariates' has {z.shape[0]} rows but 'frequency' has {n}")
    return z, names


def _customers(n, frequency, recency=None, T=None, weights=None, monetary=None,
               covariates=None, litt=None):
    """An ltv_customers struct over the given float64 arrays; returns (struct, keep-alive)."""
    c = Customers()
    call("ltv_customers_init", ctypes.byref(c), ctypes.sizeof(c))
    c.n = n
    keep = [frequency, recency, T, weights, monetary, litt]
    c.frequency = pointer(frequency)
    if recency is not None:
        c.recency = pointer(recency)
    if T is not None:
        c.T = pointer(T)
    if weights is not None:
        c.weights = pointer(weights)
    if monetary is not None:
        c.monetary = pointer(monetary)
    if litt is not None:
        c.litt = pointer(litt)
    if covariates is not None:
        z, names = _covariate_matrix(covariates, n)
        keep.append(z)
        c.covariates = z.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        c.num_covariates = z.shape[1]
        if names is not None:
            encoded = (ctypes.c_char_p * len(names))(*[k.encode() for k in names])
            keep.append(encoded)
            c.covariate_names = ctypes.cast(encoded, ctypes.POINTER(ctypes.c_char_p))
    return c, keep


def _table_litt(table):
    """The ``litt`` column of a Summary or DataFrame passed alone to fit, or None."""
    if getattr(table, "time_unit_days", None) is not None:
        return getattr(table, "litt", None)
    try:
        return table["litt"] if "litt" in getattr(table, "columns", ()) else None
    except (KeyError, TypeError, IndexError):
        return None


class _FitRfm:
    def fit(self, frequency, recency=None, T=None, weights=None, *, initial=None,
            max_iterations=None, time_limit=None, cancel=None, allow_no_convergence=False,
            covariates=None, litt=None):
        """Maximum-likelihood fit on (frequency, recency, T) — three columns, or one
        :class:`ltv.Summary` / DataFrame holding them (a Summary's time unit is recorded in the
        model). ``weights`` counts identical rows. Returns self.

        Parameters:
            frequency: repeat purchases x (whole numbers ≥ 0).
            recency: time of the last purchase since the first, t_x (0 when x = 0).
            T: age, the time since the first purchase (BG/BB: ``n_periods``, whole periods).
            weights: how many customers have each row (default 1).
            initial: starting parameters (dict or sequence); max_iterations: optimiser limit.

        ``time_limit`` (seconds) bounds the whole fit; ``cancel`` is a callable polled before
        every evaluation of the likelihood — returning True (or raising) stops the fit with
        :class:`ltv.CancelledError`. A fit that runs out of time, iterations, or whose parameter
        runs off to infinity raises :class:`ltv.NoConvergenceError` naming the best point so
        far, unless ``allow_no_convergence`` (the model then keeps that point and
        ``fit_report["converged"]`` is False).

        ``covariates`` (models with static covariates, docs/covariates.md): a 2-D array, one
        row per customer, or a DataFrame whose columns name the covariates; their coefficients
        become parameters named ``"<parameter>:<covariate>"``.

        ``litt``: each customer's sum of log inter-purchase times (a Summary's or DataFrame's
        ``litt`` column is taken when one table is given); BG/CNBD-k and MBG/CNBD-k choose their
        regularity k with it, the other models ignore it.

        >>> ltv.BetaGeo().fit(summary).params                # doctest: +SKIP
        {'r': 0.2426, 'alpha': 4.414, 'a': 0.7929, 'b': 2.426}
        """
        if litt is None and recency is None and T is None:
            litt = _table_litt(frequency)
        frequency, recency, T = _rfm_data(self, frequency, recency, T)
        _, n, c = _columns(frequency=frequency, recency=recency, **{self._age_name: T})
        w = None
        if weights is not None:
            w = as_double_array(weights, "weights")
            if len(w) != n:
                raise InvalidArgumentError(f"'weights' has {len(w)} elements but 'frequency' has {n}")
        options = _fit_keywords(self, initial, max_iterations, time_limit, cancel,
                                allow_no_convergence)
        lt = None
        if litt is not None:
            lt = as_double_array(litt, "litt")
            if len(lt) != n:
                raise InvalidArgumentError(f"'litt' has {len(lt)} elements but 'frequency' has {n}")
        if covariates is not None or lt is not None:
            customers, keep = _customers(n, c["frequency"], c["recency"], c[self._age_name], w,
                                         covariates=covariates, litt=lt)
            result = self._run_fit("ltv_model_fit_customers", ctypes.byref(customers),
                                   ctypes.byref(options))
            del keep
            return result
        return self._run_fit("ltv_model_fit_rfm", pointer(c["frequency"]), pointer(c["recency"]),
                             pointer(c[self._age_name]), pointer(w) if w is not None else None, n,
                             ctypes.byref(options))

    def _per_customer(self, name, frequency, recency, T, *leading, invalid="raise",
                      covariates=None):
        shape, n, c = _columns(frequency=frequency, recency=recency, **{self._age_name: T})
        x, tx, age = clip_histories(c["frequency"], c["recency"], c[self._age_name],
                                    self._age_name, invalid)
        out = np.empty(n)
        if covariates is not None:
            if name not in _PREDICT_CAPABILITY:
                raise InvalidArgumentError(
                    f"argument 'covariates' is not supported by {name[len('ltv_model_'):]}")
            customers, keep = _customers(n, x, tx, age, covariates=covariates)
            argument = float(leading[0]) if leading else 0.0
            call("ltv_model_predict", self._handle, _PREDICT_CAPABILITY[name], argument,
                 ctypes.byref(customers), None, pointer(out), None, None, n)
            del keep
            return shape.wrap(out)
        try:
            call(name, self._handle, *leading, pointer(x), pointer(tx), pointer(age), n,
                 pointer(out))
        except InvalidArgumentError as error:
            if invalid == "raise" and ("must be 0 when" in str(error)
                                       or "must not exceed" in str(error)):
                raise InvalidArgumentError(
                    f"{error} — no customer has this history; invalid='clip' evaluates the "
                    "nearest possible one instead (lifetimes' grids hold such cells)") from None
            raise
        return shape.wrap(out)


class _LogLikelihood:
    def individual_log_likelihood(self, frequency, recency, T, *, covariates=None):
        """Log-likelihood of each customer's (x, t_x, T) at the current parameters (same
        shape/index rules as every prediction; ``covariates`` as in fit)."""
        return self._per_customer("ltv_model_log_likelihood", frequency, recency, T,
                                  covariates=covariates)


class _PAlive:
    def p_alive(self, frequency, recency, T, *, ahead=None, invalid="raise", covariates=None):
        """P(the customer is still alive | x, t_x, T).

        ``ahead=None`` (default) is the model's own P(alive): at T for the continuous-time
        models, at opportunity n + 1 for BG/BB (FHS 2010 eq. 11). ``ahead=m`` (models with the
        ``p_alive_ahead`` capability) is P(alive at T + m | x, t_x, T), m ≥ 0 in the data's time
        unit — for BG/BB whole opportunities as lifetimes'
        ``conditional_probability_alive(m, …)``: m = 1 is the default, m = 0 alive at n. On a
        model without the capability ``ahead=0`` is the default and any other value raises
        :class:`ltv.InvalidArgumentError`.

        Inputs broadcast (numpy rules; 2-D frequency × recency grids work); pandas in → pandas
        out with the same index. Histories no customer can have (frequency 0 with recency > 0,
        recency > T) raise, naming the row; ``invalid="clip"`` evaluates the nearest possible
        history instead and warns how many were clipped (lifetimes' matrices use such cells).

        ``covariates`` (a model fitted with covariates): each customer's row, as in fit.

        >>> m.p_alive(2, 30.43, 38.86)                      # doctest: +SKIP
        0.7266
        >>> m = ltv.ParetoNBD(params=dict(r=0.5533, alpha=10.578, s=0.6062, beta=11.667))
        >>> m.p_alive(2, 30.43, 38.86, ahead=52)   # alive a year later, in weeks  # doctest: +SKIP
        """
        if ahead is None:
            return self._per_customer("ltv_model_p_alive", frequency, recency, T,
                                      invalid=invalid, covariates=covariates)
        value = as_double(ahead, "ahead")
        if not self.supports("p_alive_ahead"):
            if value == 0:
                return self._per_customer("ltv_model_p_alive", frequency, recency, T,
                                          invalid=invalid)
            raise InvalidArgumentError(
                f"argument 'ahead' = {ahead!r}: P(alive) ahead needs the capability "
                f"'p_alive_ahead', which the {self.title} model ({type(self).__name__}) does not "
                "have (models with it: " + ", ".join(
                    c.__name__ for c in _KINDS.values() if c.supports("p_alive_ahead")) + ")")
        return self._per_customer("ltv_model_p_alive_ahead", frequency, recency, T, value,
                                  invalid=invalid)

    def alive_path(self, purchase_times, at):
        """P(alive) along one customer's history: ``purchase_times`` are the customer's
        purchases as times since the first (the first is 0; nondecreasing; each later time > 0
        is one repeat purchase — merge purchases of the same day or period first), ``at`` the
        times (≥ 0) at which to evaluate P(alive | x, t_x, T = τ) with x the purchases in
        (0, τ] after the first and t_x the last of them. Times in the model's time unit (BG/BB:
        whole periods). Returns a result shaped like ``at`` (a float for a scalar, a Series
        with its index for a Series).

        >>> m.alive_path([0, 3, 10], at=np.arange(0, 40))   # doctest: +SKIP
        """
        times = as_double_array(purchase_times, "purchase_times")
        c, n, shape = broadcast_columns(at=at)
        out = np.empty(n)
        call("ltv_model_alive_path", self._handle, pointer(times), len(times), pointer(c["at"]),
             n, pointer(out))
        return shape.wrap(out)


class _ConditionalPurchases:
    def expected_purchases(self, t, frequency, recency, T, *, invalid="raise", covariates=None):
        """E[purchases in (T, T + t] | x, t_x, T]: t in the data's time unit (BG/BB: periods),
        first as in lifetimes' ``conditional_expected_number_of_purchases_up_to_time(t, …)``.
        Shapes, pandas index, ``invalid`` and ``covariates`` as for :meth:`p_alive`.

        >>> m.expected_purchases(39, 2, 30.43, 38.86)       # doctest: +SKIP
        1.226
        """
        return self._per_customer("ltv_model_expected_purchases", frequency, recency, T,
                                  as_double(t, "t"), invalid=invalid, covariates=covariates)


class _NewCustomerPurchases:
    def expected_purchases_new_customer(self, t):
        """E[X(t)]: expected repeat purchases in (0, t] of a newly acquired customer; t scalar or
        array of any shape (pandas keeps its index). lifetimes:
        ``expected_number_of_purchases_up_to_time(t)``."""
        return _one_column("ltv_model_expected_purchases_new_customer", self, t, "t")

    def expected_cumulative_transactions(self, first_purchase, at, weights=None):
        """Σᵢ wᵢ E[X(τ − bᵢ)] over the customers with first purchase bᵢ < τ, for each τ in
        ``at``: the expected cumulative repeat purchases of a growing customer base (Fader,
        Hardie & Lee 2005, Figure 1; lifetimes' ``expected_cumulative_transactions``).
        ``first_purchase`` holds each customer's (or cohort's) first-purchase time and
        ``weights`` (default 1 each) the customers it stands for; all times in the model's time
        unit from any common origin. Returns an array like ``at`` (a float for a scalar).

        >>> m.expected_cumulative_transactions(first_purchase=[0, 0, 2.5], at=[1, 2, 3])  # doctest: +SKIP
        """
        b = as_double_array(first_purchase, "first_purchase")
        c, n_at, shape = broadcast_columns(at=at)
        points = c["at"]
        w = None
        if weights is not None:
            w = as_double_array(weights, "weights")
            if len(w) != len(b):
                raise InvalidArgumentError(
                    f"'weights' has {len(w)} elements but 'first_purchase' has {len(b)}")
        out = np.empty(len(points))
        call("ltv_model_expected_cumulative_transactions", self._handle, pointer(b),
             pointer(w) if w is not None else None, len(b), pointer(points), len(points),
             pointer(out))
        return shape.wrap(out)


class _PurchasePmf:
    def probability_of_purchases(self, *, n, t):
        """P(X(t) = n): probability that a newly acquired customer makes n repeat purchases in
        (0, t]. Keyword-only — ``probability_of_purchases(n=2, t=39)`` — because lifetimes'
        ``probability_of_n_purchases_up_to_time(t, n)`` takes them the other way round and both
        are numbers. n: whole numbers (scalar or array, any shape); t: a scalar duration.

        >>> m.probability_of_purchases(n=2, t=39)           # doctest: +SKIP
        0.0853
        """
        return _one_column("ltv_model_probability_of_purchases", self, n, "n", as_double(t, "t"))


class _Dert:
    def discounted_expected_residual_transactions(self, discount_rate, frequency, recency, T, *,
                                                  covariates=None):
        """DERT: discounted expected residual transactions (Pareto/NBD: continuous rate δ per
        unit of time; BG/BB: rate d per period) — multiply by the expected spend for a
        residual CLV. ``covariates`` as in fit."""
        return self._per_customer("ltv_model_dert", frequency, recency, T,
                                  as_double(discount_rate, "discount_rate"),
                                  covariates=covariates)


class _ConditionalPurchasePmf:
    def conditional_probability_of_purchases(self, frequency, recency, T, *, n, t,
                                             invalid="raise"):
        """P(n purchases in (T, T + t] | x, t_x, T) per customer: n a whole number ≥ 0, t ≥ 0
        in the data's time unit (BG/BB: whole opportunities). Summed over n it is 1; its mean is
        :meth:`expected_purchases`. Pareto/NBD: Fader & Hardie (2006)'s conditional PMF
        (lifetimes' ``conditional_probability_of_n_purchases_up_to_time(n, t, …)``).

        >>> m.conditional_probability_of_purchases(2, 30.43, 38.86, n=1, t=39)  # doctest: +SKIP
        """
        return self._per_customer("ltv_model_conditional_purchase_pmf", frequency, recency, T,
                                  as_double(n, "n"), as_double(t, "t"), invalid=invalid)


class _Simulate:
    def simulate(self, T, *, seed, size=None):
        """Customers drawn from the model's parameters: for each age in ``T`` (BG/BB: whole
        opportunities) the latent rates and the purchase process are drawn, giving a dict of
        numpy arrays ``{"frequency", "recency", <T or n_periods>, "alive"}`` (``alive``: bool,
        still alive at that age). With ``size``, ``T`` is one age repeated ``size`` times.

        ``seed`` (an integer in [0, 2⁶⁴)) makes it reproducible: customer i draws from its own
        generator seeded by (seed, i), so the same seed gives the same customers on every
        platform and for any number of threads.

        >>> m.simulate(38.86, seed=1, size=1000)["frequency"].mean()  # doctest: +SKIP
        """
        if size is not None:
            if not is_scalar(T):
                raise InvalidArgumentError(
                    f"argument '{self._age_name}' must be one age when 'size' is given")
            count = as_double(size, "size")
            if count != int(count) or count < 0:
                raise InvalidArgumentError(f"argument 'size' = {size!r} must be a whole number ≥ 0")
            ages = np.full(int(count), as_double(T, self._age_name))
        else:
            ages = as_double_array(T, self._age_name)
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
            raise InvalidArgumentError(f"argument 'seed' = {seed!r} must be an integer")
        if not 0 <= int(seed) < 2 ** 64:
            raise InvalidArgumentError(f"argument 'seed' = {seed!r} must lie in [0, 2**64)")
        n = len(ages)
        frequency, recency = np.empty(n), np.empty(n)
        alive = np.empty(n, dtype=np.intc)
        call("ltv_model_simulate", self._handle, ctypes.c_uint64(int(seed)), pointer(ages), n,
             pointer(frequency), pointer(recency), alive.ctypes.data_as(ctypes.POINTER(ctypes.c_int)))
        return {"frequency": frequency, "recency": recency, self._age_name: ages,
                "alive": alive.astype(bool)}


class _FitSpend:
    def fit(self, frequency, monetary_value, weights=None, *, initial=None, max_iterations=None,
            time_limit=None, cancel=None, allow_no_convergence=False, strict_spend=False):
        """Fits on the customers with frequency > 0 (monetary_value = mean repeat spend);
        ``time_limit``, ``cancel``, ``allow_no_convergence`` as for :meth:`BetaGeo.fit`.

        Customers with frequency > 0 and monetary_value <= 0 (free orders, refunds) cannot enter
        the likelihood: they are left out and counted, ``fit_report["rows_excluded"]``, and the
        fit message names the first (docs/gamma-gamma.md); ``strict_spend=True`` makes them an
        error naming the row."""
        _, n, c = _columns(frequency=frequency, monetary_value=monetary_value)
        w = None if weights is None else as_double_array(weights, "weights")
        if w is not None and len(w) != n:
            raise InvalidArgumentError(f"'weights' has {len(w)} elements but 'frequency' has {n}")
        options = _fit_keywords(self, initial, max_iterations, time_limit, cancel,
                                allow_no_convergence)
        options.strict_spend = 1 if strict_spend else 0
        return self._run_fit("ltv_model_fit_spend", pointer(c["frequency"]),
                             pointer(c["monetary_value"]), pointer(w) if w is not None else None,
                             n, ctypes.byref(options))


class _Spend:
    def expected_spend(self, frequency, monetary_value):
        """E[spend per transaction | x, z̄]; the population mean for x = 0."""
        shape, n, c = _columns(frequency=frequency, monetary_value=monetary_value)
        out = np.empty(n)
        call("ltv_model_expected_spend", self._handle, pointer(c["frequency"]),
             pointer(c["monetary_value"]), n, pointer(out))
        return shape.wrap(out)

    def individual_log_likelihood(self, frequency, monetary_value):
        """Log-likelihood of each customer's mean spend at the current parameters."""
        shape, n, c = _columns(frequency=frequency, monetary_value=monetary_value)
        out = np.empty(n)
        call("ltv_model_spend_log_likelihood", self._handle, pointer(c["frequency"]),
             pointer(c["monetary_value"]), n, pointer(out))
        return shape.wrap(out)


class _FitSurvivors:
    def fit(self, active_per_period, *, initial=None, max_iterations=None, time_limit=None,
            cancel=None, allow_no_convergence=False):
        """Fits to the customers active at the start of each period (the first is the cohort
        size); a list of such curves fits several cohorts jointly. ``time_limit``, ``cancel``,
        ``allow_no_convergence`` as for :meth:`BetaGeo.fit`."""
        curves = active_per_period
        if hasattr(curves, "to_numpy"):
            curves = curves.to_numpy()
        if len(curves) and np.ndim(curves[0]) == 1:  # several cohorts
            arrays = [as_double_array(c, f"active_per_period[{i}]") for i, c in enumerate(curves)]
        else:
            arrays = [as_double_array(curves, "active_per_period")]
        flat = np.ascontiguousarray(np.concatenate(arrays)) if arrays else np.empty(0)
        lengths = (ctypes.c_size_t * len(arrays))(*[len(a) for a in arrays])
        options = _fit_keywords(self, initial, max_iterations, time_limit, cancel,
                                allow_no_convergence)
        return self._run_fit("ltv_model_fit_survivors", pointer(flat), lengths, len(arrays),
                             ctypes.byref(options))


class _Survival:
    def survival(self, t):
        """S(t): share of a cohort still active after t periods (t = 0, 1, …; any shape)."""
        return _one_column("ltv_model_survival", self, t, "t")

    def retention_rate(self, t):
        """rₜ = S(t)/S(t−1), the renewal rate at period t ≥ 1 (any shape)."""
        return _one_column("ltv_model_retention_rate", self, t, "t")

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
        return _one_column("ltv_model_discounted_expected_residual_lifetime", self, renewals,
                           "renewals", as_double(discount_rate, "discount_rate"))


#: capability name (ltv_capability_name) -> the mixin that gives a class its methods; capabilities
#: without methods of their own (clv: used by customer_lifetime_value) map to None.
_MIXINS = {
    "fit_rfm": _FitRfm,
    "fit_spend": _FitSpend,
    "fit_survivors": _FitSurvivors,
    "log_likelihood": _LogLikelihood,
    "p_alive": _PAlive,
    "conditional_purchases": _ConditionalPurchases,
    "new_customer_purchases": _NewCustomerPurchases,
    "purchase_pmf": _PurchasePmf,
    "dert": _Dert,
    "clv": None,
    "spend": _Spend,
    "survival": _Survival,
    "conditional_purchase_pmf": _ConditionalPurchasePmf,
    "p_alive_ahead": None,  # (p_alive's ahead=)
    "simulate": _Simulate,
}


def _rename_age(func, age_name):
    """func with its parameter ``T`` called ``age_name`` (signature, help and keywords)."""
    sig = inspect.signature(func)
    if age_name == "T" or "T" not in sig.parameters:
        return func
    params = [p.replace(name=age_name) if p.name == "T" else p for p in sig.parameters.values()]

    @functools.wraps(func)
    def method(*args, **kwargs):
        if age_name in kwargs:
            kwargs["T"] = kwargs.pop(age_name)
        return func(*args, **kwargs)

    method.__signature__ = sig.replace(parameters=params)
    return method


def _kind_text(kind, key):
    value = ctypes.c_char_p()
    call("ltv_model_kind_info", kind, key.encode(), ctypes.byref(value))
    return value.value.decode()


def capability_names():
    """Every capability the loaded library knows, in the order of their C values."""
    names, value = [], 1
    while True:
        name = ctypes.c_char_p()
        if lib.ltv_capability_name(value, ctypes.byref(name)) != 0:
            return names
        names.append(name.value.decode())
        value += 1


#: Every capability the loaded library knows (``"p_alive"``, ``"dert"``, …).
CAPABILITIES = ()


def _build_classes():
    """One class per model of the library's registry; returns {class name: class}."""
    global CAPABILITIES
    CAPABILITIES = tuple(capability_names())
    count = ctypes.c_size_t()
    call("ltv_model_kind_count", ctypes.byref(count))
    classes = {}
    for index in range(count.value):
        kind = ctypes.c_int()
        call("ltv_model_kind_at", index, ctypes.byref(kind))
        kind = kind.value
        info = {key: _kind_text(kind, key)
                for key in ("name", "title", "class_name", "citation", "data", "age_name")}
        caps = []
        for value, cap in enumerate(CAPABILITIES, start=1):
            flag = ctypes.c_int()
            call("ltv_model_kind_supports", kind, value, ctypes.byref(flag))
            if flag.value:
                caps.append(cap)
        mixins = tuple(m for m in (_MIXINS.get(c) for c in caps) if m is not None)
        namespace = {"_kind": kind, "_age_name": info["age_name"], "capabilities": tuple(caps),
                     "name": info["name"], "title": info["title"],
                     "citation": info["citation"], "data": info["data"],
                     "__module__": __name__}
        for mixin in mixins:  # methods over (frequency, recency, T) take the model's column name
            for attr, value in vars(mixin).items():
                if callable(value) and not attr.startswith("__"):
                    namespace[attr] = _rename_age(value, info["age_name"])
        handle = ctypes.c_void_p()
        call("ltv_model_create", kind, ctypes.byref(handle))
        try:
            n = ctypes.c_size_t()
            call("ltv_model_num_params", handle, ctypes.byref(n))
            params = []
            for i in range(n.value):
                pname = ctypes.c_char_p()
                call("ltv_model_param_name", handle, i, ctypes.byref(pname))
                params.append(pname.value.decode())
        finally:
            lib.ltv_model_free(handle)
        namespace["__doc__"] = (
            f"{info['title']} ({info['citation']}).\n\n"
            f"Parameters ``{', '.join(params)}``; fitted on {info['data']} data; computes "
            f"{', '.join(caps)}. Built from the library's model registry (ltv/registry.hpp).\n\n"
            f"{info['class_name']}(params=None, *, penalizer=0.0, penalizer_convention=\"ltv\", "
            "threads=0, time_unit=None)\n\n"
            "    params: starting parameters (a dict by name or a sequence in the order above);\n"
            "        None until a fit.\n"
            "    penalizer: L2 penalty on the parameters in fits (0 = plain maximum likelihood);\n"
            "        penalizer_convention \"ltv\" (penalizer × Σ log(θ)² on the total\n"
            "        log-likelihood) or \"lifetimes\" (lifetimes' penalizer_coef × Σ θ² on the mean\n"
            "        log-likelihood) — docs/models.md, Penalizer.\n"
            "    threads: threads for batch predictions; 0 = the process default\n"
            "        (ltv.set_threads); results never depend on it.\n"
            "    time_unit: the unit of the data's durations (\"day\", \"week\", \"month\" or a\n"
            "        number of days); None = unknown until fitted on an ltv.Summary, which\n"
            "        records its own. Predictions take and give durations in this unit.\n\n"
            "Models pickle and (deep-)copy; ``repr`` shows the parameters and fit status, and\n"
            "``summary()`` the estimates with standard errors and 95 % intervals (docs/python.md)."
        )
        cls = type(info["class_name"], mixins + (Model,), namespace)
        _KINDS[kind] = cls
        classes[info["class_name"]] = cls
    return classes


MODEL_CLASSES = _build_classes()
globals().update(MODEL_CLASSES)

__all__ = [
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
]
