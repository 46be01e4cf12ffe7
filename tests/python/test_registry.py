# SPDX-License-Identifier: Apache-2.0
"""The model registry through the binding: classes built from what the library reports, the C
constants in ltv.h equal to the library's and the binding's values, struct mirrors no larger than
the library's structs, and the CLV defaults the same in C, Python and the CLI (the C++ layer is
tests/cpp/test_registry.cpp, against the same reference file)."""

import ctypes
import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import ltv
from ltv import _library
from ltv._library import call

ROOT = Path(__file__).resolve().parents[2]
HEADER = (ROOT / "include" / "ltv" / "ltv.h").read_text()
REFERENCE = json.loads((ROOT / "tests" / "data" / "references" / "clv_defaults.json").read_text())
CLI = os.environ.get("LTV_CLI", "")


def header_constants(prefix):
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"#define (" + prefix + r"\w+)\s+\(?(-?\d+)\)?", HEADER)}


def test_classes_come_from_the_library():
    # The classes ltv exported before the registry, under the same names and kinds.
    expected = {"BetaGeo": 1, "ModifiedBetaGeo": 2, "GammaGamma": 3, "ParetoNBD": 4,
                "BetaGeoBetaBinom": 5, "ShiftedBetaGeo": 6}
    expected.update({"BetaGeoCNBD": 7, "ModifiedBetaGeoCNBD": 8,
                     "GammaGompertzNBD": 9})  # 0.2.6: the regularity models, GGom/NBD
    for name, kind in expected.items():
        cls = getattr(ltv, name)
        assert cls._kind == kind and cls.__name__ == name and name in ltv.__all__
    assert set(ltv.MODEL_CLASSES) == set(expected)
    assert ltv.ParetoNBD.supports("dert") and not ltv.BetaGeo.supports("dert")
    assert hasattr(ltv.ParetoNBD, "discounted_expected_residual_transactions")
    assert not hasattr(ltv.BetaGeo, "discounted_expected_residual_transactions")
    assert hasattr(ltv.ShiftedBetaGeo, "survival") and not hasattr(ltv.BetaGeo, "survival")
    # BG/BB names its third column as the paper does.
    import inspect
    assert list(inspect.signature(ltv.BetaGeoBetaBinom.p_alive).parameters)[1:] == [
        "frequency", "recency", "n_periods", "ahead", "invalid", "covariates"]
    assert "Fader, Hardie & Lee (2005)" in ltv.BetaGeo.__doc__
    assert ltv.BetaGeo().param_bounds == {n: (0.0, float("inf")) for n in ("r", "alpha", "a", "b")}


def test_bgbb_keyword_n_periods_still_works():
    # Reference: FHS 2010 donations fit (docs/bgbb.md); only the call form is tested here.
    m = ltv.BetaGeoBetaBinom(params={"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783})
    assert m.p_alive(frequency=3, recency=5, n_periods=6) == m.p_alive(3, 5, 6)


def test_constants_agree_with_ltv_h():
    models = header_constants("LTV_MODEL_")
    kinds = {cls.__name__: cls._kind for cls in ltv.MODEL_CLASSES.values()}
    # LTV_MODEL_<X> == the library's kind of that name (e.g. LTV_MODEL_PARETO_NBD = 4).
    for macro, value in models.items():
        name = ctypes.c_char_p()
        call("ltv_model_kind_name", value, ctypes.byref(name))
        assert value in kinds.values(), macro
    assert sorted(models.values()) == sorted(kinds.values())
    caps = header_constants("LTV_CAP_")
    assert {v: k[len("LTV_CAP_"):].lower() for k, v in caps.items()} == dict(
        enumerate(ltv.CAPABILITIES, start=1))
    # Every LTV_ERR_* has its exception class, whose status and name are the library's.
    statuses = header_constants("LTV_ERR_")
    assert len(statuses) == 10
    from ltv import errors
    for macro, value in statuses.items():
        cls = errors._BY_STATUS[value]
        assert cls.status == value, macro
        assert cls.status_name == _library.lib.ltv_status_name(value).decode(), macro


def test_struct_mirrors_match_the_library():
    # *_init with a big buffer reports the library's own size in struct_size (docs/abi.md).
    for name, cls in [("ltv_fit_options_init", _library.FitOptions),
                      ("ltv_clv_options_init", _library.ClvOptions),
                      ("ltv_read_options_init", _library.ReadOptions),
                      ("ltv_summary_options_init", _library.SummaryOptions),
                      ("ltv_journey_options_init", _library.JourneyOptions),
                      ("ltv_average_clv_options_init", _library.AverageClvOptions)]:
        buf = (ctypes.c_char * 4096)()
        fn = getattr(_library.lib, name)
        assert fn(ctypes.cast(buf, ctypes.POINTER(cls)), 4096) == 0
        library_size = ctypes.c_size_t.from_buffer(buf).value
        assert library_size == ctypes.sizeof(cls), name


def _reference_models():
    b, g = REFERENCE["bgnbd"], REFERENCE["gamma_gamma"]
    return ltv.BetaGeo(params=b), ltv.GammaGamma(params=g)


def test_clv_defaults_python_and_c():
    c = REFERENCE["customer"]
    tol = REFERENCE["tolerance"]
    assert ltv.clv_defaults() == REFERENCE["defaults"]
    bg, gg = _reference_models()
    # Python, no options.
    py = ltv.customer_lifetime_value(bg, gg, c["frequency"], c["recency"], c["T"],
                                     c["monetary_value"])
    assert py == pytest.approx(REFERENCE["clv"], rel=tol)
    # C, options = NULL.
    arrays = [np.array([c[k]], dtype=float) for k in ("frequency", "recency", "T", "monetary_value")]
    out = np.empty(1)
    ptr = lambda a: a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))  # noqa: E731
    call("ltv_customer_lifetime_value", bg._handle, gg._handle, *map(ptr, arrays), 1, None,
         ptr(out))
    assert out[0] == py


@pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")
def test_clv_defaults_cli(tmp_path):
    c = REFERENCE["customer"]
    bg, gg = _reference_models()
    bg.save(tmp_path / "bg.json")
    gg.save(tmp_path / "gg.json")
    (tmp_path / "s.csv").write_text(
        "frequency,recency,T,monetary_value\n"
        f"{c['frequency']!r},{c['recency']!r},{c['T']!r},{c['monetary_value']!r}\n")
    result = subprocess.run([CLI, "predict", "--model", str(tmp_path / "bg.json"), "--spend-model",
                             str(tmp_path / "gg.json"), str(tmp_path / "s.csv"), "--horizon",
                             "12", "--json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)[0]
    assert row["clv"] == pytest.approx(REFERENCE["clv"], rel=REFERENCE["tolerance"])
    assert row["expected_purchases"] == pytest.approx(REFERENCE["expected_purchases_12"],
                                                      rel=REFERENCE["tolerance"])


@pytest.mark.skipif(not os.path.exists(CLI), reason="ltv CLI not built")
def test_docs_index_is_the_registry():
    # docs/models.md's index is generated from the registry (`ltv models --markdown`).
    table = subprocess.run([CLI, "models", "--markdown"], capture_output=True, text=True,
                           check=True).stdout
    page = (ROOT / "docs" / "models.md").read_text()
    start = page.index("-->\n", page.index("<!-- model index")) + 4
    end = page.index("<!-- end of model index -->")
    assert page[start:end] == table
    listed = json.loads(subprocess.run([CLI, "models", "--json"], capture_output=True, text=True,
                                       check=True).stdout)
    assert [m["class_name"] for m in listed] == list(ltv.MODEL_CLASSES)
    for m in listed:  # every model has its page
        docs = ctypes.c_char_p()
        call("ltv_model_kind_info", m["kind"], b"docs", ctypes.byref(docs))
        assert (ROOT / "docs" / docs.value.decode().split("#")[0]).exists(), m["name"]
