# SPDX-License-Identifier: Apache-2.0
"""Shared machinery of the arbitrary-precision oracle (issue 9).

Each model family has a module here (``bg_family``, ``pareto_nbd``, ``bgbb``, ``sbg``,
``gamma_gamma``) that evaluates the papers' formulas with mpmath at 50 digits and checks them
against an independent second evaluation (quadrature of the mixing integral, or a direct sum).
``generate.py`` writes each family's points to ``cache/<family>.json.gz``; ``test_sweep.py``
compares ltv (through the Python binding) with the cached truth in seconds.

A record is one point: which binding class and method, its parameters and keyword arguments,
the 50-digit truth, the region it belongs to and, optionally, the second evaluation.
"""

import gzip
import json
import math
from pathlib import Path

import mpmath as mp

mp.mp.dps = 50

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache"

#: Pass criteria of the issue: relative error in the realistic region and in the extremes.
TOLERANCE = {"realistic": 1e-10, "extreme": 1e-6}
#: Smallest normal double; a truth below it passes when ltv returns |value| < UNDERFLOW.
NORMAL_MIN = 2.2250738585072014e-308
UNDERFLOW = 1e-300
#: Methods whose values are logarithms: their error is absolute for |truth| < 1.
LOG_METHODS = {"individual_log_likelihood", "log_likelihood"}
#: Keyword arguments that the binding accepts as arrays (one element per point); the sweep
#: batches records that differ only in these, which also exercises ltv's batch paths.
ARRAY_ARGS = {"frequency", "recency", "T", "n_periods", "monetary_value"}
ARRAY_ARGS_BY_METHOD = {
    "expected_purchases_new_customer": {"t"},
    "probability_of_purchases": {"n"},
}
#: Agreement demanded of the oracle's two evaluations (a record's value and check) unless the
#: record states its own (quadrature tolerance).
CHECK_TOLERANCE = 1e-25


def log_beta(u, v):
    """ln B(u, v) in the working precision (the oracles' Beta-function ratios)."""
    return mp.loggamma(u) + mp.loggamma(v) - mp.loggamma(u + v)


def record(model, method, params, kwargs, value, region, label=None, check=None,
           check_tolerance=None):
    """One sweep point. ``value`` and ``check`` are mpf (or anything mpmath converts)."""
    if region not in TOLERANCE:
        raise ValueError(f"region must be one of {sorted(TOLERANCE)}, not {region!r}")
    rec = {
        "model": model,
        "method": method,
        "params": [float(p) for p in params],
        "kwargs": {k: (float(v) if not isinstance(v, int) else v) for k, v in kwargs.items()},
        "value": mp.nstr(mp.mpf(value), 30, strip_zeros=False),
        "region": region,
    }
    if label:
        rec["label"] = str(label)
    if check is not None:
        rec["check"] = mp.nstr(mp.mpf(check), 30, strip_zeros=False)
        if check_tolerance is not None:
            rec["check_tolerance"] = float(check_tolerance)
    return rec


def cache_path(family):
    return CACHE / f"{family}.json.gz"


def write_cache(family, records):
    """Writes the records (sorted, so regenerating an unchanged oracle gives the same file)."""
    records = sorted(records, key=lambda r: json.dumps(r, sort_keys=True))
    CACHE.mkdir(exist_ok=True)
    path = cache_path(family)
    text = "\n".join(json.dumps(r, sort_keys=True) for r in records) + "\n"
    # mtime=0: the compressed bytes depend on the content only.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(text.encode())
    return path


def load_cache(family):
    with gzip.open(cache_path(family), "rt") as f:
        return [json.loads(line) for line in f if line.strip()]


def families():
    """The families that have a cache file."""
    return sorted(p.name[: -len(".json.gz")] for p in CACHE.glob("*.json.gz"))


def relative_error(rec, got):
    """The sweep's error measure for one point (see the module doc)."""
    truth = float(mp.mpf(rec["value"]))
    if not math.isfinite(got):
        return math.inf
    if rec["method"] in LOG_METHODS:
        return abs(got - truth) / max(1.0, abs(truth))
    if abs(truth) < NORMAL_MIN:
        return 0.0 if abs(got) < UNDERFLOW else math.inf
    # The difference in 50 digits: the truth's rounding to double must not count as error.
    return float(abs(mp.mpf(got) - mp.mpf(rec["value"])) / abs(mp.mpf(rec["value"])))


def check_error(rec):
    """Relative disagreement between the oracle's two evaluations, or None without a check."""
    if "check" not in rec:
        return None
    v, c = mp.mpf(rec["value"]), mp.mpf(rec["check"])
    scale = max(abs(v), mp.mpf(1)) if rec["method"] in LOG_METHODS else abs(v)
    if scale == 0:
        return float(abs(c))
    return float(abs(v - c) / scale)


def _group_key(rec):
    arrays = ARRAY_ARGS_BY_METHOD.get(rec["method"], ARRAY_ARGS)
    fixed = tuple(sorted((k, v) for k, v in rec["kwargs"].items() if k not in arrays))
    varying = tuple(sorted(k for k in rec["kwargs"] if k in arrays))
    return (rec["model"], tuple(rec["params"]), rec["method"], fixed, varying)


def evaluate(records, ltv):
    """Evaluates every record through the binding. Returns a list of dicts: the record, ``got``
    (float or None), ``error`` (the exception text or None), ``rel`` (relative error or None),
    ``outcome`` ('ok', 'error-status', 'fail') and ``why`` for failures.

    Records differing only in per-customer arguments are evaluated as one batch; every point is
    also evaluated alone, and the two must be bit-identical."""
    import numpy as np

    groups = {}
    for i, rec in enumerate(records):
        groups.setdefault(_group_key(rec), []).append(i)
    results = [None] * len(records)
    models = {}
    for (model, params, method, fixed, varying), idx in groups.items():
        key = (model, params)
        if key not in models:
            models[key] = getattr(ltv, model)(list(params))
        m = models[key]
        fn = getattr(m, method)
        batch = None
        if varying and len(idx) > 1:
            arrays = {k: np.array([records[i]["kwargs"][k] for i in idx], dtype=float)
                      for k in varying}
            try:
                batch = np.asarray(fn(**dict(fixed), **arrays), dtype=float)
            except ltv.LtvError:
                batch = None  # some point refuses: the single calls say which
        for j, i in enumerate(idx):
            rec = records[i]
            res = {"record": rec, "got": None, "error": None, "rel": None}
            try:
                got = float(fn(**rec["kwargs"]))
            except ltv.LtvError as e:
                res["error"] = f"{type(e).__name__}: {e}"
                got = None
            if got is not None:
                res["got"] = got
                res["rel"] = relative_error(rec, got)
                if batch is not None and not (batch[j] == got or (math.isnan(got) and
                                                                     math.isnan(batch[j]))):
                    res["outcome"], res["why"] = "fail", (
                        f"batch {batch[j]!r} != single call {got!r}")
                elif res["rel"] <= TOLERANCE[rec["region"]]:
                    res["outcome"] = "ok"
                else:
                    res["outcome"], res["why"] = "fail", (
                        f"relative error {res['rel']:.3g} > {TOLERANCE[rec['region']]:g}")
            elif rec["region"] == "extreme":
                res["outcome"] = "error-status"
            else:
                res["outcome"], res["why"] = "fail", "error status in the realistic region"
            results[i] = res
    return results


def describe(res):
    """One line naming a point and what happened to it, for failure messages."""
    rec = res["record"]
    args = ", ".join(f"{k}={v!r}" for k, v in rec["kwargs"].items())
    got = res["error"] if res["got"] is None else repr(res["got"])
    return (f"{rec['model']}({rec['params']}).{rec['method']}({args}) [{rec['region']}"
            f"{', ' + rec['label'] if 'label' in rec else ''}]: truth {rec['value']}, got {got}"
            f"{' — ' + res['why'] if 'why' in res else ''}")


def summarize(results):
    """Max relative error and counts by (model, method, region): the rows of docs/accuracy.md."""
    table = {}
    for res in results:
        rec = res["record"]
        row = table.setdefault((rec["model"], rec["method"], rec["region"]),
                               {"points": 0, "ok": 0, "error-status": 0, "fail": 0,
                                "max_rel": 0.0})
        row["points"] += 1
        row[res["outcome"]] += 1
        if res["rel"] is not None and math.isfinite(res["rel"]):
            row["max_rel"] = max(row["max_rel"], res["rel"])
    return table
