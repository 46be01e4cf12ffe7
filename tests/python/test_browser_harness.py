# SPDX-License-Identifier: Apache-2.0
"""The headless-browser harness (browser.py) on small crafted pages: a clean page passes, and each
check (overflowing element, console error, empty chart, page wider than the viewport) fails
where it should, naming the culprit. Skipped only where no Chromium is installed."""

import pytest

import browser

CHROMIUM = browser.find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not found: scripts/setup installs Debian's chromium (or set LTV_CHROMIUM)")

STYLE = "<style>body{font-family:sans-serif;margin:8px}svg{display:block;max-width:100%}</style>"


def chart(ident, inner='<rect x="10" y="10" width="80" height="40" fill="#0072B2"/>'
                       '<text x="10" y="70">label</text>'):
    return (f'<svg id="{ident}" viewBox="0 0 200 100" width="400" height="200" role="img">'
            f"<title>{ident}</title>{inner}</svg>")


def page(body, head=""):
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>t</title>{STYLE}{head}</head><body>{body}</body></html>")


GOOD = page('<section id="tracking"><h2>Tracking</h2>' + chart("tracking-chart") + "</section>"
            '<section id="histogram"><h2>Histogram</h2>' + chart("histogram-chart") + "</section>"
            '<div style="overflow-x:auto;width:200px"><table><tr><td style="white-space:nowrap">'
            "a wide table cell in a scrolling wrapper, which is fine</td></tr></table></div>"
            '<span style="position:absolute;width:1px;height:1px;overflow:hidden;'
            'clip:rect(0 0 0 0);white-space:nowrap">visually hidden text, also fine</span>')


@pytest.fixture
def render(tmp_path):
    def go(source, width=800, height=600):
        path = tmp_path / "page.html"
        path.write_text(source, encoding="utf-8")
        return browser.render(path, tmp_path / "shot.png", width=width, height=height,
                              chromium=CHROMIUM)
    return go


def test_good_page_passes(render):
    result = render(GOOD)
    assert result.problems() == []
    assert result.console_errors == [] and result.console_messages == []
    png = result.screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert [s["element"] for s in result.svgs] == ["svg#tracking-chart", "svg#histogram-chart"]
    for s in result.svgs:
        assert s["width"] == 400 and s["height"] == 200 and s["drawing"] == 2
    assert [(s["id"], s["heading"], s["svgs"]) for s in result.sections] == [
        ("tracking", "Tracking", 1), ("histogram", "Histogram", 1)]
    assert result.audit["viewport"]["width"] == 800
    assert result.page_overflow_x == 0


def test_element_overflowing_its_box_is_named(render):
    # overflow:hidden only hides the problem: p#clip is reported too.
    result = render(page('<section id="comparison"><div class="cell" style="width:120px">'
                         '<span style="white-space:nowrap">a label far too long for its box'
                         "</span></div></section>"
                         '<p id="clip" style="width:60px;overflow:hidden;white-space:nowrap">'
                         "clipped text that nobody can read</p>"))
    assert [o["path"] for o in result.overflowing] == ["section#comparison > div.cell", "p#clip"]
    assert result.overflowing[0]["section"] == "section#comparison"
    assert result.overflowing[0]["scrollWidth"] > 120 == result.overflowing[0]["clientWidth"]
    assert any("div.cell" in p for p in result.problems())
    assert result.console_errors == [] and result.page_overflow_x == 0


def test_absolute_element_escaping_a_scrolling_wrapper(render):
    # A visually hidden label at the end of a wide cell in an overflow-x:auto wrapper that is not
    # positioned: the wrapper does not clip it, and the page scrolls sideways. With
    # position:relative on the wrapper (second table) it stays inside.
    cell = ('<table><tr><td style="white-space:nowrap">' + "a wide cell " * 30 +
            '<span id="ID" style="position:absolute;width:1px;height:1px;overflow:hidden;'
            'clip:rect(0 0 0 0);white-space:nowrap">hidden</span></td></tr></table>')
    result = render(page('<div class="wrap" style="overflow-x:auto;width:300px">'
                         + cell.replace("ID", "escapee") + "</div>"
                         '<div class="wrap" style="overflow-x:auto;width:300px;position:relative">'
                         + cell.replace("ID", "kept") + "</div>"))
    assert result.overflowing == []
    assert [o["element"] for o in result.beyond_viewport] == ["span#escapee"]
    assert result.page_overflow_x > 1000


def test_console_errors_are_caught(render):
    result = render(page(chart("c"), head="<script>console.error('deliberate', 42);</script>"
                                          "<script>notAFunction();</script>"
                                          "<script>var x = ;</script>"
                                          "<script>console.log('just saying');</script>"))
    errors = "\n".join(result.console_errors)
    assert "console.error: deliberate 42" in errors
    assert "notAFunction is not defined" in errors
    assert "SyntaxError" in errors
    # Chromium's own log (stderr) saw them too.
    assert any("deliberate" in m for m in result.console_messages)
    assert any("notAFunction" in m for m in result.console_messages)
    # A plain console.log is a message, not an error.
    assert any("just saying" in m for m in result.console_messages)
    assert "just saying" not in errors
    assert len(result.console_errors) == 3, result.console_errors


def test_failed_resource_is_an_error(render):
    result = render(page('<img src="missing.png" alt="x" width="10" height="10">'))
    assert any("missing.png" in e for e in result.console_errors), result.console_errors


def test_empty_svg_is_reported(render):
    result = render(page('<section id="p-alive"><h2>P(alive)</h2>'
                         + chart("empty", inner="<g></g>") + "</section>"
                         '<section id="zero">' + chart("flat").replace('height="200"', 'height="0"')
                         + "</section>"))
    assert [(s["element"], s["section"]) for s in result.empty_svgs] == [
        ("svg#empty", "section#p-alive"), ("svg#flat", "section#zero")]
    assert result.svgs[0]["drawing"] == 0 and result.svgs[1]["height"] == 0
    assert any("empty svg" in p and "svg#empty" in p for p in result.problems())


def test_page_wider_than_viewport_and_full_page_screenshot(render):
    # 390 px is narrower than headless Chromium's smallest window (500 px): the iframe the
    # harness renders in gives the page exactly 390 px. height=None: the screenshot is the
    # whole page, 2500 px + the body's margins.
    result = render(page('<main><div id="wide" style="width:700px;height:2500px;background:#ccc">'
                         "</div></main>"), width=390, height=None)
    assert result.audit["viewport"]["width"] == 390
    assert result.page_overflow_x == 700 + 8 - 390
    assert [o["element"] for o in result.beyond_viewport] == ["div#wide"]
    assert any("scrolls horizontally by 318 px" in p for p in result.problems())
    assert result.height == 2500 + 16
    png = result.screenshot.read_bytes()
    assert int.from_bytes(png[16:20], "big") == 390 and int.from_bytes(png[20:24], "big") == 2516
