# SPDX-License-Identifier: Apache-2.0
"""The published reference values of tests/data/references/<model>.json for the Python tests
(layout and conventions: tests/data/references/README.md).

    import references as refs
    fit = refs.fit("bgnbd", "cdnow")
    assert model.params["r"] == refs.approx(fit["params"]["r"])   # value ± its tolerance
    m = ltv.BetaGeo(params=refs.params("bgnbd", "published"))

A reference value is {"value", "tolerance" (relative) | "abs_tolerance", "source", "why"}.
"""

import functools
import json
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
REFERENCES = DATA / "references"


@functools.lru_cache(maxsize=None)
def load(model):
    """tests/data/references/<model>.json (FileNotFoundError naming it when missing)."""
    return json.loads((REFERENCES / f"{model}.json").read_text())


def value(entry):
    """A number, or the "value" of a reference value."""
    return float(entry["value"] if isinstance(entry, dict) else entry)


def approx(entry):
    """pytest.approx of a reference value with exactly its tolerance (relative or absolute)."""
    if ("tolerance" in entry) == ("abs_tolerance" in entry):
        raise ValueError(f"a reference value needs one of tolerance, abs_tolerance: {entry}")
    if "tolerance" in entry:
        return pytest.approx(entry["value"], rel=entry["tolerance"], abs=0)
    return pytest.approx(entry["value"], abs=entry["abs_tolerance"], rel=0)


def fit(model, name):
    """The published fit fits.<name> of the model."""
    return load(model)["fits"][name]


def prediction(model, name):
    """The published prediction predictions.<name> of the model."""
    return load(model)["predictions"][name]


def params(model, spec):
    """{parameter: value} of "<parameter set>" or "fit:<fit>" (the fit's printed values)."""
    ref = load(model)
    if spec.startswith("fit:"):
        source = ref["fits"][spec[4:]]["params"]
    else:
        source = ref["parameter_sets"][spec]["params"]
    return {name: value(v) for name, v in source.items()}


def dataset(model, name):
    """Data set datasets.<name>: {column: numpy array} read from its CSV file (columns named as
    the file's "columns" map: frequency, recency, T, weights or frequency, monetary), or
    {"cohorts": [...]} for survivor curves."""
    d = load(model)["datasets"][name]
    if "cohorts" in d:
        return {"cohorts": [list(map(float, c)) for c in d["cohorts"]]}
    table = np.genfromtxt(DATA / d["file"], delimiter=",", names=True)
    return {column: np.asarray(table[source], dtype=float)
            for column, source in d["columns"].items()}


def configured(cls):
    """A new instance of model class cls with the structural options its reference file's
    conformance section sets (BG/CNBD-k's k: its k search needs litt, which plain RFM rows
    lack)."""
    m = cls()
    for name, v in load(cls.name).get("conformance", {}).get("options", {}).items():
        m.set_option(name, v)
    return m
