# SPDX-License-Identifier: Apache-2.0
"""`ltv compare --html` on the bundled CDNOW log, rendered in headless Chromium at a desktop
(1280 px) and a phone (390 px) width: every chart section is there with a non-empty SVG, no
console error, nothing overflows its box or the page, and the file is self-contained (< 2 MB,
no script, no network URL). The screenshots are kept: $LTV_ARTIFACTS_DIR, else
<build dir>/test-artifacts/ (the build dir is the parent of LTV_CLI's directory)."""

import os
import re
import subprocess
from pathlib import Path

import pytest

import browser

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT / "examples" / "data" / "CDNOW_master.txt"
CLI = os.environ.get("LTV_CLI", "")

# The report's sections, matched loosely: a <section> whose id or heading contains the word.
# "table": the section holds a <table>; "svg": at least one <svg> that draws something.
EXPECTED_SECTIONS = [
    ("comparison", "table"),
    ("tracking", "svg"),
    ("by-frequency", "svg"),  # conditional expectations by calibration frequency
    ("histogram", "svg"),
    ("p-alive", "svg"),       # the P(alive) matrix
    ("journey", "svg"),       # the journey funnel
    ("cohorts", "svg"),       # the cohort retention heatmap
]
WIDTHS = {"desktop": 1280, "phone": 390}
MAX_BYTES = 2 * 1024 * 1024
COMPARE = ["compare", str(CDNOW), "--amount", "dollar_value", "--calibration-end", "1997-09-30",
           "--observation-end", "1998-06-30", "--time-unit", "week"]


def _compare_available():
    if not os.path.exists(CLI):
        return "ltv CLI not built"
    try:
        help_run = subprocess.run([CLI, "compare", "--help"], capture_output=True, text=True,
                                  timeout=30)
    except subprocess.TimeoutExpired:
        return "`ltv compare --help` timed out"
    # CLI11 answers --help with the top-level help (exit 0) for an unknown subcommand: the
    # command exists when its own help lists --html.
    if help_run.returncode != 0 or "--html" not in help_run.stdout:
        return "`ltv compare` is not available in this build (`ltv compare --help` failed)"
    return None


CHROMIUM = browser.find_chromium()
_missing = _compare_available()
pytestmark = [
    pytest.mark.skipif(_missing is not None, reason=_missing or ""),
    pytest.mark.skipif(CHROMIUM is None,
                       reason="chromium not found: scripts/setup installs Debian's chromium "
                              "(or set LTV_CHROMIUM)"),
]


def artifacts_dir():
    env = os.environ.get("LTV_ARTIFACTS_DIR")
    path = Path(env) if env else Path(CLI).resolve().parent.parent / "test-artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "compare.html"
    run = subprocess.run([CLI, *COMPARE, "--html", str(out)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert out.exists(), f"ltv compare wrote no {out}"
    return out


@pytest.fixture(scope="module", params=sorted(WIDTHS, key=WIDTHS.get, reverse=True))
def rendered(request, report):
    width = WIDTHS[request.param]
    shot = artifacts_dir() / f"compare-{request.param}-{width}px.png"
    result = browser.render(report, shot, width=width, height=None, chromium=CHROMIUM)
    print(f"\nscreenshot ({request.param}, {width} px, {result.seconds:.1f} s): {shot}")
    return result


def test_self_contained(report):
    data = report.read_bytes()
    assert len(data) < MAX_BYTES, f"{len(data)} bytes"
    text = data.decode("utf-8")
    assert "<script" not in text.lower()
    urls = re.findall(r"https?://[^\s\"'<>)]*", text)
    # The SVG namespace is a name, not a fetch: it is the one URL allowed.
    assert [u for u in urls if not u.startswith("http://www.w3.org/")] == []


def _section(result, word):
    word = word.lower()
    loose = word.replace("-", " ")
    for s in result.sections:
        if word in s["id"].lower() or word in s["heading"].lower() or \
                loose in s["heading"].lower().replace("-", " "):
            return s
    return None


def test_every_section_has_its_chart(rendered):
    found = [(s["id"], s["heading"]) for s in rendered.sections]
    for word, kind in EXPECTED_SECTIONS:
        section = _section(rendered, word)
        assert section is not None, f"no section for {word!r} at {rendered.width} px: {found}"
        if kind == "table":
            assert section["tables"] >= 1, f"section {section['id']!r} has no table"
            continue
        svgs = [s for s in rendered.svgs if s["section_id"] == section["id"]]
        assert svgs, f"section {section['id']!r} has no svg at {rendered.width} px"
        for s in svgs:
            assert s["drawing"] > 0 and s["width"] >= 1 and s["height"] >= 1, \
                f"empty chart in {section['id']!r} at {rendered.width} px: {s}"


def test_no_console_errors(rendered):
    assert rendered.console_errors == []


def test_nothing_overflows(rendered):
    problems = [p for p in rendered.problems() if not p.startswith("console")]
    assert rendered.overflowing == [], "\n".join(problems)
    assert rendered.beyond_viewport == [], "\n".join(problems)
    assert rendered.page_overflow_x == 0, "\n".join(problems)
    assert rendered.empty_svgs == [], "\n".join(problems)
