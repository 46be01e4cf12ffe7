# SPDX-License-Identifier: Apache-2.0
"""Every public member of the ltv package has a docstring (issue 12, Docs).

Public: the functions and classes of ``ltv.__all__``, of ``ltv.datasets``, of ``ltv.dask`` (when
Dask is installed) and of ``ltv.lifetimes`` (and its submodules), and every public method and
property of the model classes
(``ltv.MODEL_CLASSES``, ``ltv.Model``), ``Summary``, ``SummaryState``, ``TransactionLog``,
``Comparison`` and the lifetimes fitters. Names starting with "_" are private.

A docstring counts when the object's own ``__doc__`` is text: not missing (``help()`` then shows
the code comment above the definition, or a base class's text), not blank, not a comment, and
not the placeholder ``collections.namedtuple`` writes (``Name(field, ...)``). The model classes'
docstrings also name the constructor options ``penalizer`` and ``threads``.
"""

import importlib
import inspect

import pytest

import ltv

pytest.importorskip("pandas")  # ltv.lifetimes needs pandas

MODULES = (
    "ltv",
    "ltv.datasets",
    "ltv.lifetimes",
    "ltv.lifetimes.datasets",
    "ltv.lifetimes.fitters",
    "ltv.lifetimes.generate_data",
    "ltv.lifetimes.plotting",
    "ltv.lifetimes.utils",
)
try:  # ltv.dask when Dask is installed (scripts/setup installs it; the import needs it)
    import dask.dataframe  # noqa: F401

    MODULES += ("ltv.dask",)
except ImportError:
    pass


def _module(name):
    return importlib.import_module(name)


def _fitters():
    from ltv.lifetimes import fitters

    return [getattr(fitters, n) for n in fitters.__all__
            if inspect.isclass(getattr(fitters, n)) and not issubclass(getattr(fitters, n),
                                                                        Exception)]


def _classes():
    return [*ltv.MODEL_CLASSES.values(), ltv.Model, ltv.Summary, ltv.SummaryState,
            ltv.TransactionLog, ltv.Comparison, *_fitters()]


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return [n for n in names if not n.startswith("_")]


def _module_members():
    """(label, object) for every public function, class and module of MODULES."""
    out = []
    for mname in MODULES:
        module = _module(mname)
        out.append((mname, module))
        for name in _public_names(module):
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isroutine(value) or inspect.ismodule(value):
                out.append((f"{mname}.{name}", value))
    return out


def _class_members():
    """(label, object) for every public method and property of the classes above."""
    out = []
    for cls in _classes():
        for name in sorted(dir(cls)):
            if name.startswith("_"):
                continue
            static = inspect.getattr_static(cls, name)
            if isinstance(static, property):
                out.append((f"{cls.__name__}.{name}", static))
            elif isinstance(static, (classmethod, staticmethod)):
                out.append((f"{cls.__name__}.{name}", static.__func__))
            elif inspect.isfunction(static) or inspect.isroutine(getattr(cls, name)):
                out.append((f"{cls.__name__}.{name}", getattr(cls, name)))
    return out


def _own_doc(obj):
    if inspect.isclass(obj):
        return obj.__dict__.get("__doc__")
    return getattr(obj, "__doc__", None)


def _problem(obj):
    """Why obj's docstring does not count, or None when it does."""
    doc = _own_doc(obj)
    if doc is None:
        return "no docstring"
    text = inspect.cleandoc(doc).strip()
    if not text:
        return "an empty docstring"
    if text.startswith("#"):
        return "a code comment as docstring"
    if inspect.isclass(obj) and hasattr(obj, "_fields"):
        if text == f"{obj.__name__}({', '.join(obj._fields)})":
            return "namedtuple's placeholder docstring"
    if len(text) < 15:
        return f"a docstring too short to say anything: {text!r}"
    return None


def test_the_lists_are_not_empty():
    assert len(_module_members()) > 80
    assert len(_class_members()) > 100
    assert ltv.BetaGeo in _classes() and ltv.lifetimes.BetaGeoFitter in _classes()


def test_every_public_function_class_and_module_has_a_docstring():
    missing = [f"{label}: {why}" for label, obj in _module_members()
               if (why := _problem(obj)) is not None]
    assert not missing, "\n".join(missing)


def test_every_public_method_and_property_has_a_docstring():
    missing = [f"{label}: {why}" for label, obj in _class_members()
               if (why := _problem(obj)) is not None]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("cls", [ltv.Model, *ltv.MODEL_CLASSES.values()],
                         ids=lambda c: c.__name__)
def test_model_class_docstrings_name_the_options(cls):
    doc = _own_doc(cls) or ""
    for option in ("penalizer", "threads"):
        assert option in doc, f"{cls.__name__}'s docstring does not mention {option!r}"


def test_help_shows_the_docstring_not_a_comment():
    # the example: help(to_json) showed the code comment above the method
    import pydoc

    text = pydoc.render_doc(ltv.BetaGeo.to_json, renderer=pydoc.plaintext)
    assert ltv.BetaGeo.to_json.__doc__.split()[0] in text
    assert "#" not in inspect.cleandoc(ltv.BetaGeo.to_json.__doc__)[:1]
