# SPDX-License-Identifier: Apache-2.0
"""Published reference values are written once, in tests/data/references/*.json.

1. The C99 tests cannot read JSON, so they keep literal copies, each written through a macro of
   tests/c/support/references.h that names the file and the JSON path: REF, REF_REL, REF_ABS and
   REF_LIST. Here every such copy is checked against the JSON (the value, and the tolerance and
   its kind), so the copies cannot drift.
2. No test source holds an untagged copy of a reference value (a literal with 4 or more
   significant digits equal to a published parameter, log-likelihood, standard error or
   prediction), except the files listed in REMAINING with the reason they keep theirs."""

import io
import json
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
REFERENCES = TESTS / "data" / "references"

# Files that still hold literal copies of reference values, and why (the count is reported).
REMAINING = {
    # The oracle sweep's parameters are ltv's own CDNOW estimates to 6-7 digits, fixed because
    # the 50-digit values cached in tests/oracle/cache were computed at exactly these digits.
    "tests/oracle/bg_family.py": "oracle inputs: the cached 50-digit values are computed at them",
    "tests/cpp/test_accuracy_bg_family.cpp": "the oracle's parameters (tests/oracle/bg_family.py)",
    "tests/oracle/gamma_gamma.py": "oracle inputs: the cached 50-digit values are computed at them",
    "tests/oracle/sbg.py": "oracle inputs: the cached 50-digit values are computed at them",
    "tests/cpp/test_accuracy_sbg_gg.cpp": "the oracles' parameters (tests/oracle/sbg.py, …)",
    "tests/python/test_first_day_and_spend.py": "the oracles' parameters (tests/oracle/*.py)",
    # Published parameters used as ordinary inputs (not compared with a published value) by
    # tests of other subjects; the CLI's own tests are edited in the CLI worktree.
    "tests/python/test_cli.py": "CLI checks: to read references.py once the CLI work merges",
    "tests/python/test_threads.py": "published parameters as inputs of thread tests",
    "tests/python/test_hardening_boundary.py": "published parameters as inputs of boundary tests",
    "tests/cpp/test_threads.cpp": "published parameters as inputs of thread tests",
    "tests/cpp/test_journey.cpp": "published parameters as inputs",
    "tests/cpp/test_hardening_boundary.cpp": "published parameters and LL in model-file texts",
    "tests/c/test_boundary.c": "published parameters as inputs of boundary tests",
    "tests/c/test_struct_size.c": "published parameters as inputs",
    "tests/concurrency/c_api.cpp": "published parameters as inputs of the concurrency test",
    "tests/consumer/consumer.cpp": "an installed-package consumer: no test data available",
    "tests/fuzz/make_seeds.cpp": "fuzz seed model files",
    # Issue 12's capabilities: lifetimes' rounded Pareto/NBD estimates as inputs; the 40-digit
    # mpmath values of the C++ tests (and the live oracle of the Python test) are computed at
    # exactly these digits.
    "tests/cpp/test_conditional_purchase_pmf.cpp": "oracle inputs: values computed at them",
    "tests/cpp/test_model_curves.cpp": "published parameters as inputs of the curves' identities",
    "tests/cpp/test_simulate.cpp": "published parameters as inputs of the simulation's moments",
    "tests/c/test_capabilities.c": "the C++ tests' parameters (oracle values computed at them)",
    "tests/python/test_capabilities.py": "inputs of the live mpmath oracle and the C++ values",
}

MACRO = re.compile(r"\b(REF|REF_REL|REF_ABS|REF_LIST)\s*\(")


def load_references():
    return {p.stem: json.loads(p.read_text()) for p in REFERENCES.glob("*.json")}


def at_path(doc, path):
    node = doc
    for key in path.split("."):
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def macro_calls(text):
    """(macro name, [arguments as text], line) of every REF* call in C source text."""
    calls = []
    for m in MACRO.finditer(text):
        depth, i, args, start = 1, m.end(), [], m.end()
        while depth:
            c = text[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "," and depth == 1:
                args.append(text[start:i].strip())
                start = i + 1
            i += 1
        args.append(text[start:i - 1].strip())
        calls.append((m.group(1), args, text.count("\n", 0, m.start()) + 1, (m.start(), i)))
    return calls


def literal(text):
    return float(text.rstrip("fFlL"))


def c_sources():
    return sorted((TESTS / "c").glob("*.c"))


def test_c_reference_copies_equal_the_json():
    refs = load_references()
    checked = 0
    for path in c_sources():
        text = path.read_text()
        if "support/references.h" not in text:
            continue
        for name, args, line, _ in macro_calls(text):
            if name in ("REF", "REF_REL", "REF_ABS", "REF_LIST") and args[0].startswith('"'):
                where = f"{path.name}:{line}: {name}({', '.join(args)})"
                model, json_path = args[0].strip('"'), args[1].strip('"')
                assert model in refs, f"{where}: no tests/data/references/{model}.json"
                try:
                    node = at_path(refs[model], json_path)
                except (KeyError, IndexError, ValueError):
                    pytest.fail(f"{where}: no '{json_path}' in {model}.json")
                if name == "REF":
                    assert literal(args[2]) == float(node), f"{where}: the JSON says {node}"
                elif name == "REF_LIST":
                    assert [literal(a) for a in args[2:]] == [float(v) for v in node], \
                        f"{where}: the JSON says {node}"
                else:
                    key = "tolerance" if name == "REF_REL" else "abs_tolerance"
                    assert isinstance(node, dict) and key in node, \
                        f"{where}: {json_path} has no {key} (the JSON says {node})"
                    assert literal(args[2]) == float(node["value"]), \
                        f"{where}: the JSON says {node}"
                    assert literal(args[3]) == float(node[key]), f"{where}: the JSON says {node}"
                checked += 1
    assert checked >= 40  # test_c_api.c's copies


def reference_numbers():
    """|x| of every published value: fitted parameters, LLs, SEs, parameter sets, predictions."""
    numbers = set()

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("tolerance", "abs_tolerance", "conformance", "datasets"):
                    continue
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            if not float(node).is_integer():  # counts (total weight, rows) are not copies
                numbers.add(abs(float(node)))

    for doc in load_references().values():
        for section in ("fits", "parameter_sets"):
            walk(doc.get(section, {}))
        for p in doc.get("predictions", {}).values():
            if not float(p["value"]).is_integer():
                numbers.add(abs(float(p["value"])))
        for key in ("bgnbd", "gamma_gamma", "expected_purchases_12", "expected_spend", "clv"):
            if key in doc and "defaults" in doc:  # clv_defaults.json
                walk(doc[key])
    return numbers


NUMBER = re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+)([eE][+-]?\d+)?(?![\w.])")


def significant_digits(token):
    mantissa = re.split(r"[eE]", token)[0].replace(".", "").lstrip("0")
    return len(mantissa)


def strip_c(text):
    """C/C++ source without comments, string literals and REF* calls."""
    for _, _, _, (a, b) in reversed(macro_calls(text)):
        text = text[:a] + " " * (b - a) + text[b:]
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'R"\((.*?)\)"', '""', text, flags=re.S)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)


def python_numbers(text):
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NUMBER:
            yield tok.string, tok.start[0]


def untagged_copies():
    """{file: [(line, literal)]} of untagged reference literals in the test sources."""
    numbers = reference_numbers()
    found = {}
    files = [p for p in TESTS.rglob("*") if p.suffix in (".c", ".cpp", ".hpp", ".h", ".py")]
    for path in sorted(files):
        rel = path.relative_to(ROOT).as_posix()
        if "/fuzz/corpus/" in rel or path.name == Path(__file__).name:
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".py":
            tokens = list(python_numbers(text))
        else:
            code = strip_c(text)
            tokens = [(m.group(0), code.count("\n", 0, m.start()) + 1)
                      for m in NUMBER.finditer(code)]
        hits = [(line, tok) for tok, line in tokens
                if ("." in tok or "e" in tok.lower()) and significant_digits(tok) >= 4
                and float(tok) in numbers]
        if hits:
            found[rel] = hits
    return found


def test_no_untagged_copies_of_reference_values():
    found = untagged_copies()
    unexpected = {f: hits for f, hits in found.items() if f not in REMAINING}
    assert not unexpected, (
        "literal copies of published reference values: read them from tests/data/references "
        "(C++: tests/cpp/support/references.hpp, Python: tests/python/references.py, C: REF* of "
        f"tests/c/support/references.h) — {unexpected}")
    stale = sorted(set(REMAINING) - set(found))
    assert not stale, f"no literal copies left in {stale}: remove them from REMAINING"
    total = sum(len(h) for h in found.values())
    print(f"\n{total} literal copies remain in {len(found)} files (REMAINING): " +
          ", ".join(f"{f} {len(h)}" for f, h in sorted(found.items())))
