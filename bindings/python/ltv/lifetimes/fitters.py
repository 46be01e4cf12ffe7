# SPDX-License-Identifier: Apache-2.0
"""lifetimes' fitter classes over ltv's native models.

Each fitter keeps lifetimes' constructor, method names, argument orders, defaults and attribute
names, and hands every computation to the native model it wraps (``fitter.model``: an
``ltv.BetaGeo``, ``ltv.ModifiedBetaGeo``, ``ltv.ParetoNBD``, ``ltv.BetaGeoBetaBinom`` or
``ltv.GammaGamma``). Nothing here evaluates a likelihood or a prediction formula: this module only
reshapes inputs and outputs (broadcasting, pandas indexes, lifetimes' column names).

The fitted state lives in plain Python attributes (``params_``, ``data``, ``standard_errors_``,
``variance_matrix_``, ...), as in lifetimes; the native model is rebuilt from ``params_`` when
needed, so a fitter pickles, copies and saves without the native handle, and a ``params_`` set by
hand (``fitter.params_ = pd.Series({...})``) is what the next prediction uses.
"""

import copy
import pickle

import numpy as np
import pandas as pd

from .. import models as _models
from ..errors import NoConvergenceError

__all__ = [
    "BaseFitter",
    "BetaGeoFitter",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "BetaGeoBetaBinomFitter",
    "GammaGammaFitter",
    "ConvergenceError",
]


class ConvergenceError(NoConvergenceError, ValueError):
    """lifetimes' ``ConvergenceError`` (a ``ValueError``); also an :class:`ltv.NoConvergenceError`
    carrying the native optimiser's message."""


# -- inputs and outputs -----------------------------------------------------------------------------


def _pandas_index(values):
    """The index of the first pandas Series/DataFrame among ``values`` (None if there is none)."""
    for value in values:
        if isinstance(value, (pd.Series, pd.DataFrame)):
            return value.index
    return None


def _as_float(value, name):
    if isinstance(value, (pd.Series, pd.Index)):
        value = value.to_numpy()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"argument '{name}' = {value!r} must be numeric") from None
    return array


def _broadcast(**named):
    """{name: flat float64 array} of the broadcast inputs, their common shape and pandas index."""
    index = _pandas_index(named.values())
    arrays = {k: _as_float(v, k) for k, v in named.items()}
    try:
        shaped = np.broadcast_arrays(*arrays.values())
    except ValueError:
        raise ValueError(
            "arguments do not broadcast to one shape: "
            + ", ".join(f"'{k}' has shape {a.shape}" for k, a in arrays.items())) from None
    shape = shaped[0].shape if shaped else ()
    flat = {k: np.ascontiguousarray(a.reshape(-1)) for k, a in zip(arrays, shaped)}
    if index is not None and shape != (len(index),):
        index = None
    return flat, shape, index


def _output(values, shape, index, name=None):
    """values shaped like the inputs: a Series with the caller's index for pandas input, a float
    for scalars, an ndarray otherwise."""
    values = np.asarray(values, dtype=float).reshape(shape)
    if index is not None:
        return pd.Series(values, index=index, name=name)
    if shape == ():
        return float(values)
    return values


def _by_unique(keys, compute, size):
    """out[i] = compute(mask)[...] grouped by the distinct rows of ``keys`` (a list of arrays):
    the native calls take a scalar t (or n, m) and arrays of customers."""
    out = np.empty(size)
    if size == 0:
        return out
    stacked = np.stack(keys, axis=1)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    for k, row in enumerate(unique):
        mask = inverse.reshape(-1) == k
        out[mask] = compute(mask, *row)
    return out


def _check_frequency(frequency):
    """lifetimes' check 'There exist non-integer values in the frequency vector', naming the row
    (lifetimes' fit truncates silently instead; ltv refuses)."""
    bad = np.flatnonzero(np.isfinite(frequency) & (frequency != np.round(frequency)))
    if len(bad):
        raise ValueError(
            f"There exist non-integer values in the frequency vector: frequency[{bad[0]}] = "
            f"{frequency[bad[0]]!r} (the number of repeat purchase periods must be whole)")


def _consistent_recency(frequency, recency):
    """recency with 0 where frequency is 0: with no repeat purchase the age at the last purchase
    is 0 by definition. lifetimes' grids (``conditional_probability_alive_matrix``,
    ``plot_frequency_recency_matrix``) evaluate such cells with recency > 0; ltv's native models
    refuse that history, so the compatibility layer reads it as the only consistent one (for the
    BG/NBD this gives lifetimes' numbers exactly; docs/migrating-from-lifetimes.md)."""
    if np.any((frequency == 0) & (recency != 0)):
        recency = np.where(frequency == 0, 0.0, recency)
    return recency


# -- the base class ---------------------------------------------------------------------------------


class BaseFitter:
    """What every lifetimes fitter shares: ``params_``, ``summary``, ``__repr__``,
    ``save_model``/``load_model``, pickling, and the native model behind it (``.model``)."""

    #: the native class (ltv.BetaGeo, ...), set by subclasses
    _native_class = None
    #: lifetimes' parameter names, in lifetimes' order
    _param_names = ()
    #: lifetimes' name -> the native model's name where they differ
    _native_names = {}
    #: lifetimes' name of the age column ("T", or "n_periods" for the BG/BB)
    _age = "T"

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    # -- lifetimes' surface ----------------------------------------------------------------------
    def __repr__(self):
        classname = type(self).__name__
        try:
            subjects = f" fitted with {self.data.shape[0]:d} subjects,"
        except AttributeError:
            subjects = ""
        params = getattr(self, "params_", None)
        if params is None:
            return f"<ltv.lifetimes.{classname}>"
        text = ", ".join(f"{k}: {v:.2f}" for k, v in sorted(params.items()))
        return f"<ltv.lifetimes.{classname}:{subjects} {text}>"

    def _unload_params(self, *names):
        if getattr(self, "params_", None) is None:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return [self.params_[n] for n in names]

    @property
    def summary(self):
        """DataFrame of the fitted parameters: ``coef``, ``se(coef)``, ``lower 95% bound``,
        ``upper 95% bound`` (lifetimes' columns), one row per parameter in lifetimes' order."""
        df = pd.DataFrame(index=self.params_.index)
        df["coef"] = self.params_
        df["se(coef)"] = self.standard_errors_
        df["lower 95% bound"] = self.confidence_intervals_["lower 95% bound"]
        df["upper 95% bound"] = self.confidence_intervals_["upper 95% bound"]
        return df

    def save_model(self, path, save_data=True, save_generate_data_method=True, values_to_save=None):
        """Pickles the fitter to ``path`` (lifetimes uses dill; a pickle is enough here, as the
        fitter holds no lambdas). ``save_data=False`` stores ``data`` as None (or the first of
        ``values_to_save``); ``save_generate_data_method=False`` stores ``generate_new_data`` as
        None (or the second)."""
        placeholders = list(values_to_save) if values_to_save is not None else []
        placeholders += [None] * (2 - len(placeholders))
        saved = copy.copy(self)
        if not save_data:
            saved.data = placeholders[0]
        if not save_generate_data_method:
            saved.generate_new_data = placeholders[1]
        with open(path, "wb") as out:
            pickle.dump(saved, out)

    def load_model(self, path):
        """Loads a fitter written by :meth:`save_model` (a pickle; lifetimes' dill files are not
        read) into this one: its parameters, settings and, when they were saved, its data."""
        with open(path, "rb") as source:
            loaded = pickle.load(source)
        state = loaded.__getstate__() if hasattr(loaded, "__getstate__") else loaded.__dict__
        self.__setstate__(dict(state))

    # -- pickling: the native handle is rebuilt from params_ -----------------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_native", None)
        state.pop("_native_params", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __deepcopy__(self, memo):
        clone = type(self).__new__(type(self))
        clone.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return clone

    def __copy__(self):
        clone = type(self).__new__(type(self))
        clone.__setstate__(self.__getstate__())
        return clone

    # -- the native model --------------------------------------------------------------------------
    def _new_native(self):
        return self._native_class(penalizer=float(self.penalizer_coef),
                                  penalizer_convention="lifetimes")

    @property
    def model(self):
        """The native ltv model (``ltv.BetaGeo``, ...) with the parameters of ``params_``."""
        if getattr(self, "params_", None) is None:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        values = tuple(float(self.params_[n]) for n in self._param_names)
        native = self.__dict__.get("_native")
        if native is None:
            native = self._new_native()
            self._native = native
        if self.__dict__.get("_native_params") != values:
            native.set_params(**{self._native_names.get(n, n): v
                                 for n, v in zip(self._param_names, values)})
            self._native_params = values
        return native

    _model = model

    def _fit_native(self, arrays, weights, initial_params):
        native = self._new_native()
        initial = None
        if initial_params is not None:
            initial = {self._native_names.get(n, n): float(v)
                       for n, v in zip(self._param_names, np.asarray(initial_params, float))}
        try:
            native.fit(*arrays, weights=weights, initial=initial)
        except NoConvergenceError as error:
            raise ConvergenceError(
                f"The model did not converge. Try adding a larger penalizer to see if that "
                f"helps convergence. ({error})") from error
        params = native.params
        self.params_ = pd.Series(
            [params[self._native_names.get(n, n)] for n in self._param_names],
            index=list(self._param_names), dtype=float)
        self._native = native
        self._native_params = tuple(self.params_.tolist())
        report = native.fit_report
        #: lifetimes' minimised objective: −LL/Σw + penalizer term (Pareto/NBD: −LL/mean w + …)
        self._negative_log_likelihood_ = float(report["objective"])
        #: the total log-likelihood Σ w·LL at the estimate (not in lifetimes)
        self.log_likelihood_ = float(report["log_likelihood"])
        names = [self._native_names.get(n, n) for n in self._param_names]
        order = [native.param_names.index(n) for n in names]
        cov = np.asarray(native.covariance)[np.ix_(order, order)]
        self.variance_matrix_ = pd.DataFrame(cov, index=self.params_.index,
                                             columns=self.params_.index)
        self.standard_errors_ = pd.Series(np.sqrt(np.diag(cov)), index=self.params_.index)
        self.confidence_intervals_ = pd.DataFrame(
            {"lower 95% bound": self.params_ - 1.96 * self.standard_errors_,
             "upper 95% bound": self.params_ + 1.96 * self.standard_errors_},
            index=self.params_.index)
        return self

    def predict(self, *args, **kwargs):
        """Alias of :meth:`conditional_expected_number_of_purchases_up_to_time` (lifetimes'
        ``predict``)."""
        return self.conditional_expected_number_of_purchases_up_to_time(*args, **kwargs)


def _weights_or_ones(weights, n):
    if weights is None:
        return np.ones(n, dtype=int)
    weights = np.asarray(weights)
    if weights.shape != (n,):
        raise ValueError(f"'weights' has shape {weights.shape} but 'frequency' has {n} rows")
    return weights


# -- models of (frequency, recency, T) ------------------------------------------------------------


class _RfmFitter(BaseFitter):
    """Shared by the BG/NBD, MBG/NBD and Pareto/NBD fitters (continuous time)."""

    def fit(self, frequency, recency, T, weights=None, initial_params=None, verbose=False,
            tol=1e-7, index=None, **kwargs):
        """Maximum-likelihood fit by the native optimiser (lifetimes' ``fit`` arguments).

        Parameters
        ----------
        frequency, recency, T : array_like
            Repeat purchase periods x, age at the last purchase t_x and age T, in one time unit.
        weights : array_like, optional
            Customers with each (x, t_x, T) row (default 1 each).
        initial_params : array_like, optional
            Starting parameter values in lifetimes' order, in the data's units (lifetimes takes
            logarithms on its rescaled time axis; see docs/migrating-from-lifetimes.md).
        verbose, tol, **kwargs :
            Accepted for compatibility; the native optimiser converges to a gradient tolerance
            of its own (``fitter.model.fit_report``).
        index : array_like, optional
            Index of ``self.data``.

        Returns
        -------
        self, with ``params_``, ``data``, ``summary``, ``standard_errors_``, ``variance_matrix_``,
        ``confidence_intervals_``, ``_negative_log_likelihood_``.

        Example
        -------
        >>> bgf = BetaGeoFitter(penalizer_coef=0.0).fit(data["frequency"], data["recency"], data["T"])
        """
        frequency = _as_float(frequency, "frequency").reshape(-1)
        recency = _as_float(recency, "recency").reshape(-1)
        T = _as_float(T, self._age).reshape(-1)
        _check_frequency(frequency)
        weights = _weights_or_ones(weights, len(frequency))
        self._fit_native((frequency, recency, T), weights, initial_params)
        self.data = pd.DataFrame({"frequency": frequency.astype(int), "recency": recency,
                                  self._age: T, "weights": weights}, index=index)
        return self

    # -- predictions ---------------------------------------------------------------------------------
    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """E[repeat purchases in (T, T + t] | x, t_x, T] per customer (t may be an array too)."""
        model = self.model
        c, shape, index = _broadcast(t=t, frequency=frequency, recency=recency, T=T)
        recency = _consistent_recency(c["frequency"], c["recency"])
        out = _by_unique(
            [c["t"]],
            lambda mask, tt: model.expected_purchases(float(tt), c["frequency"][mask], recency[mask],
                                                      c["T"][mask]),
            len(c["t"]))
        return _output(out, shape, index)

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive | x, t_x, T) per customer (native ``p_alive``).

        frequency, recency, T: repeat purchases, age at the last purchase and age, in the fitted
        data's unit; scalars or arrays. Returns a float for scalars, an ndarray, or a Series
        with the caller's index. Where frequency is 0, recency is read as 0
        (docs/migrating-from-lifetimes.md, Inconsistent histories).

        >>> bgf.conditional_probability_alive(2, 30.43, 38.86)   # doctest: +SKIP
        0.7266
        """
        model = self.model
        c, shape, index = _broadcast(frequency=frequency, recency=recency, T=T)
        if len(c["frequency"]) == 0:
            return _output(np.empty(0), shape, index)
        recency = _consistent_recency(c["frequency"], c["recency"])
        return _output(model.p_alive(c["frequency"], recency, c["T"]), shape, index)

    def conditional_probability_alive_matrix(self, max_frequency=None, max_recency=None):
        """P(alive) on the grid Z[t_x][x], x = 0..max_frequency, t_x = 0..max_recency, for
        customers of age T = max_recency (defaults: the largest frequency and T of the data)."""
        max_frequency = max_frequency or int(self.data["frequency"].max())
        max_recency = max_recency or int(self.data[self._age].max())
        recency, frequency = np.mgrid[0:max_recency + 1, 0:max_frequency + 1].astype(float)
        return self.conditional_probability_alive(frequency, recency, float(max_recency))

    def expected_number_of_purchases_up_to_time(self, t):
        """E[X(t)]: expected repeat purchases in (0, t] of a newly acquired customer (native
        ``expected_purchases_new_customer``); t in the fitted data's unit, a number or an array
        (a Series keeps its index)."""
        model = self.model
        c, shape, index = _broadcast(t=t)
        return _output(model.expected_purchases_new_customer(c["t"]), shape, index)

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(X(t) = n): the probability that a newly acquired customer makes n repeat purchases
        in (0, t] — lifetimes' argument order, t then n (the native
        ``probability_of_purchases(n=, t=)`` is keyword-only). t in the fitted data's unit.

        >>> bgf.probability_of_n_purchases_up_to_time(39, 2)     # doctest: +SKIP
        0.0853
        """
        model = self.model
        c, shape, index = _broadcast(t=t, n=n)
        out = _by_unique([c["t"]],
                         lambda mask, tt: model.probability_of_purchases(n=c["n"][mask], t=tt),
                         len(c["t"]))
        return _output(out, shape, index)

    def generate_new_data(self, size=1, seed=None):
        """Customers simulated from the fitted model (native ``simulate``), observed for the
        ages T of the fitted data (cycled to ``size`` rows). Returns a DataFrame indexed by
        ``customer_id`` with ``frequency, recency, T, alive``. ``seed`` (ltv only): None draws
        one from numpy's global generator, so ``np.random.seed`` reproduces a run."""
        ages = np.resize(self.data[self._age].to_numpy(dtype=float), int(size))
        return _simulated(self.model, ages, seed, self._age)


def _simulated(model, ages, seed, age_name):
    if not hasattr(model, "simulate"):
        raise NotImplementedError(
            f"{type(model).__name__}.simulate is not in this build of the ltv library")
    if seed is None:
        seed = int(np.random.randint(0, 2**31 - 1))
    sim = model.simulate(ages, seed=seed)
    frame = pd.DataFrame({
        "frequency": np.asarray(sim["frequency"], dtype=float),
        "recency": np.asarray(sim["recency"], dtype=float),
        age_name: np.asarray(sim[age_name] if age_name in sim else ages, dtype=float),
        "alive": np.asarray(sim["alive"], dtype=float),
    })
    frame.index.name = "customer_id"
    return frame


class BetaGeoFitter(_RfmFitter):
    """lifetimes' ``BetaGeoFitter`` (BG/NBD, Fader, Hardie & Lee 2005) over :class:`ltv.BetaGeo`.

    >>> bgf = BetaGeoFitter(penalizer_coef=0.0).fit(data["frequency"], data["recency"], data["T"])
    >>> bgf.params_        # r, alpha, a, b
    """

    _native_class = _models.BetaGeo
    _param_names = ("r", "alpha", "a", "b")


class ModifiedBetaGeoFitter(_RfmFitter):
    """lifetimes' ``ModifiedBetaGeoFitter`` (MBG/NBD, Batislam et al. 2007) over
    :class:`ltv.ModifiedBetaGeo`."""

    _native_class = _models.ModifiedBetaGeo
    _param_names = ("r", "alpha", "a", "b")


class ParetoNBDFitter(_RfmFitter):
    """lifetimes' ``ParetoNBDFitter`` (Schmittlein, Morrison & Colombo 1987) over
    :class:`ltv.ParetoNBD`. Unlike lifetimes (Nelder–Mead, tol 1e-4, no standard errors), the
    native fit converges to the maximum and gives standard errors."""

    _native_class = _models.ParetoNBD
    _param_names = ("r", "alpha", "s", "beta")

    def fit(self, frequency, recency, T, weights=None, iterative_fitting=1, initial_params=None,
            verbose=False, tol=1e-4, index=None, fit_method="Nelder-Mead", maxiter=2000,
            **kwargs):
        """As :meth:`BetaGeoFitter.fit`; ``iterative_fitting``, ``fit_method`` and ``maxiter``
        are accepted for compatibility (one native fit is run)."""
        if iterative_fitting <= 0:
            raise ValueError("iterative_fitting parameter should be greater than 0 as of "
                             "lifetimes v0.2.1")
        return super().fit(frequency, recency, T, weights, initial_params, verbose, tol, index)

    def conditional_probability_of_n_purchases_up_to_time(self, n, t, frequency, recency, T):
        """P(X(T, T + t] = n | x, t_x, T) per customer (Fader, Hardie & Shang's conditional
        PMF; native ``ParetoNBD.conditional_probability_of_purchases``); 0 for t <= 0."""
        model = self.model
        c, shape, index = _broadcast(n=n, t=t, frequency=frequency, recency=recency, T=T)
        recency = _consistent_recency(c["frequency"], c["recency"])

        def compute(mask, nn, tt):
            if tt <= 0:
                return 0.0
            return model.conditional_probability_of_purchases(
                c["frequency"][mask], recency[mask], c["T"][mask], n=nn, t=tt)

        return _output(_by_unique([c["n"], c["t"]], compute, len(c["n"])), shape, index)


# -- BG/BB -----------------------------------------------------------------------------------------


class BetaGeoBetaBinomFitter(BaseFitter):
    """lifetimes' ``BetaGeoBetaBinomFitter`` (BG/BB, Fader, Hardie & Shang 2010, discrete time)
    over :class:`ltv.BetaGeoBetaBinom`; ``n_periods`` is the number of transaction
    opportunities."""

    _native_class = _models.BetaGeoBetaBinom
    _param_names = ("alpha", "beta", "gamma", "delta")
    _age = "n_periods"

    def fit(self, frequency, recency, n_periods, weights=None, initial_params=None,
            verbose=False, tol=1e-7, index=None, **kwargs):
        """Maximum-likelihood fit (arguments as lifetimes'; ``verbose``, ``tol``, ``kwargs``
        accepted for compatibility). Returns self."""
        frequency = _as_float(frequency, "frequency").reshape(-1)
        recency = _as_float(recency, "recency").reshape(-1)
        n_periods = _as_float(n_periods, "n_periods").reshape(-1)
        _check_frequency(frequency)
        weights = _weights_or_ones(weights, len(frequency))
        self._fit_native((frequency, recency, n_periods), weights, initial_params)
        self.data = pd.DataFrame({"frequency": frequency.astype(int),
                                  "recency": recency.astype(int),
                                  "n_periods": n_periods.astype(int), "weights": weights},
                                 index=index)
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future, frequency,
                                                            recency, n_periods):
        """E[transactions in the next m_periods_in_future opportunities | x, t_x, n]."""
        model = self.model
        c, shape, index = _broadcast(m=m_periods_in_future, frequency=frequency,
                                     recency=recency, n=n_periods)
        out = _by_unique(
            [c["m"]],
            lambda mask, m: model.expected_purchases(float(m), c["frequency"][mask],
                                                     c["recency"][mask], c["n"][mask]),
            len(c["m"]))
        return _output(out, shape, index)

    def conditional_probability_alive(self, m_periods_in_future, frequency, recency, n_periods):
        """P(alive at opportunity n_periods + m_periods_in_future | x, t_x, n) (lifetimes'
        argument order: m first). Native ``BetaGeoBetaBinom.p_alive(..., ahead=m)``."""
        model = self.model
        c, shape, index = _broadcast(m=m_periods_in_future, frequency=frequency,
                                     recency=recency, n=n_periods)

        def compute(mask, m):
            args = (c["frequency"][mask], c["recency"][mask], c["n"][mask])
            # lifetimes' m is the native `ahead` exactly (m = 1 is FHS 2010's P(alive) at
            # n + 1, the native default; m = 0 is alive at n)
            return model.p_alive(*args, ahead=m)

        return _output(_by_unique([c["m"]], compute, len(c["m"])), shape, index)

    def expected_number_of_transactions_in_first_n_periods(self, n):
        """Expected customers with x transactions in the first n opportunities, for each x seen
        in the data: a DataFrame indexed by ``frequency`` with the column ``model``
        (P(X(n) = x) × the number of customers, native ``probability_of_purchases``)."""
        counts = self.data.groupby("frequency")["weights"].sum()
        x = counts.index.to_numpy(dtype=float)
        p = self.model.probability_of_purchases(n=x, t=float(n))
        return pd.DataFrame(np.asarray(p) * counts.sum(),
                            index=pd.Index(counts.index, name="frequency"), columns=["model"])

    def generate_new_data(self, size=1, seed=None):
        """Customers simulated from the fitted model (native ``simulate``) with the data's
        n_periods, one per customer of the fit (rows repeated by weight, then cycled to
        ``size``); DataFrame of ``frequency, recency, n_periods, alive``."""
        periods = np.repeat(self.data["n_periods"].to_numpy(dtype=float),
                            self.data["weights"].to_numpy(dtype=int))
        return _simulated(self.model, np.resize(periods, int(size)), seed, "n_periods")


# -- Gamma-Gamma -----------------------------------------------------------------------------------


class GammaGammaFitter(BaseFitter):
    """lifetimes' ``GammaGammaFitter`` (Fader, Hardie & Lee 2005's spend model; parameters
    p, q, v; v is the native model's ``gamma``) over :class:`ltv.GammaGamma`."""

    _native_class = _models.GammaGamma
    _param_names = ("p", "q", "v")
    _native_names = {"v": "gamma"}

    def fit(self, frequency, monetary_value, weights=None, initial_params=None, verbose=False,
            tol=1e-7, index=None, q_constraint=False, **kwargs):
        """Fits on customers with frequency > 0 and their mean repeat spend (lifetimes'
        arguments; ``q_constraint``, ``verbose``, ``tol``, ``kwargs`` accepted for
        compatibility). Non-positive monetary values are refused, naming the row."""
        frequency = _as_float(frequency, "frequency").reshape(-1)
        monetary_value = _as_float(monetary_value, "monetary_value").reshape(-1)
        _check_frequency(frequency)
        bad = np.flatnonzero(~(monetary_value > 0))
        if len(bad):
            raise ValueError(
                f"There exist non-positive (<= 0) values in the monetary_value vector: "
                f"monetary_value[{bad[0]}] = {monetary_value[bad[0]]!r}")
        weights = _weights_or_ones(weights, len(frequency))
        self._fit_native((frequency, monetary_value), weights, initial_params)
        self.data = pd.DataFrame({"monetary_value": monetary_value, "frequency": frequency,
                                  "weights": weights}, index=index)
        return self

    def conditional_expected_average_profit(self, frequency=None, monetary_value=None):
        """E[mean spend per transaction | x, m̄] (the population mean for x = 0); defaults to the
        fitted data."""
        if monetary_value is None:
            monetary_value = self.data["monetary_value"]
        if frequency is None:
            frequency = self.data["frequency"]
        model = self.model
        c, shape, index = _broadcast(frequency=frequency, monetary_value=monetary_value)
        if len(c["frequency"]) == 0:
            return _output(np.empty(0), shape, index)
        return _output(model.expected_spend(c["frequency"], c["monetary_value"]), shape, index)

    def customer_lifetime_value(self, transaction_prediction_model, frequency, recency, T,
                                monetary_value, time=12, discount_rate=0.01, freq="D"):
        """lifetimes' CLV: Σₖ₌₁..time E[spend] (E[X(kL)] − E[X((k−1)L)]) / (1 + d)ᵏ, with
        months of L = 30 days ("D"), 4.345 weeks ("W"), 1 month ("M") or 720 hours ("H"), the
        time unit the data's T is in. Computed by the native ``ltv.customer_lifetime_value``
        (the same sum). Returns a Series named ``clv``, indexed like the input (pandas) or
        0..n−1."""
        from .utils import _clv_factor

        factor = _clv_factor(freq)
        periods = len(np.arange(1, time + 1))  # lifetimes' steps: np.arange(1, time + 1)
        c, shape, index = _broadcast(frequency=frequency, recency=recency, T=T,
                                     monetary_value=monetary_value)
        if len(shape) != 1:
            c, shape, index = _broadcast(**{k: np.atleast_1d(v) for k, v in c.items()})
        model = getattr(transaction_prediction_model, "model", transaction_prediction_model)
        recency = _consistent_recency(c["frequency"], c["recency"])
        values = _models.customer_lifetime_value(
            model, self.model, c["frequency"], recency, c["T"], c["monetary_value"],
            periods=periods, period_length=float(factor), discount_rate=float(discount_rate))
        values = np.atleast_1d(np.asarray(values, dtype=float))
        return pd.Series(values, index=index if index is not None else pd.RangeIndex(len(values)),
                         name="clv")
