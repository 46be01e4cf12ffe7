# SPDX-License-Identifier: Apache-2.0
"""Renders an HTML file in headless Chromium and reports what a reader would see: a screenshot,
the console errors and a layout audit (overflowing elements, elements past the viewport, every
<svg> with its size and number of drawing elements, every <section>). Standard library only.

The pages under test have no JavaScript, so the audit is a small <script> injected into a
temporary copy of the page (first thing in <head>). It hooks console.error and the window's
error events (script exceptions, resources that fail to load) before the page's own content
runs, and after the load event it measures the laid-out page and writes the result as JSON into
a hidden <pre id="ltv-audit">. Headless Chromium lays a page out at least 500 px wide whatever
--window-size says, so the copy is shown in an <iframe> of exactly the width (and height) asked
for, inside a frame page; the audit posts its JSON to that frame, and Chromium's --dump-dom
prints the frame's DOM after scripts ran, from which the JSON is parsed. The same run writes the screenshot (--screenshot) and logs every console
message to stderr (--enable-logging=stderr --v=0: "INFO:CONSOLE... "message", source: ..."),
which is a second, independent source of console errors: that log has no level, so a line
counts as an error when it is an uncaught exception, a failed load or matches a message the
hook caught at level error.

scripts/setup installs Debian's chromium; LTV_CHROMIUM names another binary."""

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

AUDIT_ID = "ltv-audit"
# Drawing elements counted in an <svg>: anything that puts ink on the page.
DRAWING = "path,rect,circle,ellipse,line,polyline,polygon,text,image,use"
MAX_FULL_PAGE_HEIGHT = 16000  # px: the longest full-page screenshot (Chromium's limit is ~16384)
TIMEOUT = 60  # s: every Chromium run

# The injected script. ES5 on purpose: it must run in any Chromium the tests meet.
AUDIT_SCRIPT = r"""
(function () {
  var errors = [];
  var text = function (args) {
    return Array.prototype.map.call(args, function (a) {
      if (a instanceof Error) return a.name + ': ' + a.message;
      try { return typeof a === 'string' ? a : JSON.stringify(a); } catch (e) { return String(a); }
    }).join(' ');
  };
  var original = console.error;
  console.error = function () {
    errors.push({kind: 'console.error', message: text(arguments)});
    return original.apply(console, arguments);
  };
  window.addEventListener('error', function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) {
      errors.push({kind: 'resource', message: 'failed to load <' + t.tagName.toLowerCase() + '> ' +
                   (t.currentSrc || t.src || t.href || '')});
    } else {
      var m = e.message || 'error';
      errors.push({kind: 'exception', message: (/^Uncaught/.test(m) ? m : 'Uncaught ' + m) +
                   (e.filename ? ' (' + e.filename + ':' + e.lineno + ')' : '')});
    }
  }, true);
  window.addEventListener('unhandledrejection', function (e) {
    errors.push({kind: 'exception', message: 'Unhandled rejection: ' + String(e.reason)});
  });

  var name = function (el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    var c = el.getAttribute('class');
    if (c && c.trim()) s += '.' + c.trim().split(/\s+/).join('.');
    return s;
  };
  var path = function (el) {
    var parts = [];
    for (var e = el; e && e.nodeType === 1 && e !== document.body; e = e.parentElement) {
      parts.unshift(name(e));
      if (e.id) break;  // an id names it alone
    }
    return parts.join(' > ');
  };
  var snippet = function (el) {
    return (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 80);
  };
  var scrolls = function (st) { return /auto|scroll/.test(st.overflowX); };
  var clips = function (st) { return st.overflowX !== 'visible'; };
  // The visually-hidden idiom (1 px box, clip or clip-path) and deliberate ellipsis truncation
  // overflow on purpose.
  var hiddenOnPurpose = function (st) {
    return (st.clip && st.clip !== 'auto') || (st.clipPath && st.clipPath !== 'none') ||
           st.textOverflow === 'ellipsis';
  };
  var inSvg = function (el) { return el.ownerSVGElement != null; };
  var section = function (el) {
    var s = el.closest('section,header,footer,article,aside,nav');
    return s ? name(s) : null;
  };

  var audit = function () {
    var vw = document.documentElement.clientWidth;
    var all = document.body ? document.body.querySelectorAll('*') : [];
    var overflowing = [], beyond = [];
    for (var i = 0; i < all.length; ++i) {
      var el = all[i];
      if (inSvg(el)) continue;  // the <svg> itself is measured, its children are drawing
      var st = getComputedStyle(el);
      if (st.display === 'none' || st.visibility === 'hidden') continue;
      if (st.display !== 'inline' && !(el instanceof SVGElement) && !scrolls(st) &&
          !hiddenOnPurpose(st) && el.scrollWidth > el.clientWidth + 1) {
        overflowing.push({element: name(el), path: path(el), section: section(el),
                          scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
                          text: snippet(el)});
      }
      // Past the viewport's edges and not clipped by an ancestor: an ancestor with overflow
      // other than visible clips its in-flow descendants, but an absolutely positioned one only
      // from its containing block (nearest positioned ancestor) up, a fixed one never. (An
      // absolute element in an overflow:auto wrapper that is not positioned escapes it and
      // widens the page: the visually-hidden idiom is not exempt here.)
      var r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > vw + 1 || r.left < -1)) {
        var clipped = false, pos = st.position;
        for (var a = el.parentElement; a && a !== document.body && pos !== 'fixed'; a = a.parentElement) {
          var ast = getComputedStyle(a);
          if (pos === 'absolute' && ast.position === 'static') continue;
          if (clips(ast)) { clipped = true; break; }
          pos = ast.position === 'static' || ast.position === 'relative' || ast.position === 'sticky'
                ? 'static' : ast.position;
        }
        if (!clipped) {
          el.__ltvEscapes = true;
          var outer = false;  // report the outermost escaping element only
          for (var b = el.parentElement; b; b = b.parentElement) if (b.__ltvEscapes) { outer = true; break; }
          if (!outer)
            beyond.push({element: name(el), path: path(el), section: section(el),
                         left: Math.round(r.left), right: Math.round(r.right), text: snippet(el)});
        }
      }
    }
    var svgs = [];
    var svgEls = document.querySelectorAll('svg');
    for (var j = 0; j < svgEls.length; ++j) {
      var s = svgEls[j], b = s.getBoundingClientRect();
      if (s.ownerSVGElement) continue;  // nested: counted with its outermost <svg>
      var sec = s.closest('section');
      svgs.push({element: name(s), path: path(s), section: section(s),
                 section_id: sec ? sec.id : null,
                 width: Math.round(b.width * 10) / 10, height: Math.round(b.height * 10) / 10,
                 drawing: s.querySelectorAll(DRAWING).length,
                 title: (s.querySelector('title') || {}).textContent || s.getAttribute('aria-label') || ''});
    }
    var sections = [];
    var secEls = document.querySelectorAll('section');
    for (var k = 0; k < secEls.length; ++k) {
      var se = secEls[k], h = se.querySelector('h1,h2,h3,h4,h5,h6');
      sections.push({id: se.id || '', heading: h ? snippet(h) : '',
                     svgs: se.querySelectorAll('svg').length,
                     tables: se.querySelectorAll('table').length});
    }
    var de = document.documentElement;
    var result = {
      viewport: {width: window.innerWidth, height: window.innerHeight, client_width: vw},
      document: {scroll_width: de.scrollWidth, scroll_height: de.scrollHeight},
      page_overflow_x: Math.max(0, de.scrollWidth - vw, document.body ? document.body.scrollWidth - vw : 0),
      overflowing: overflowing, beyond_viewport: beyond, svgs: svgs, sections: sections,
      errors: errors
    };
    var pre = document.createElement('pre');
    pre.id = 'AUDIT_ID';
    pre.hidden = true;
    pre.textContent = JSON.stringify(result);
    (document.body || document.documentElement).appendChild(pre);
    if (window.parent !== window) window.parent.postMessage(pre.textContent, '*');
  };
  window.addEventListener('load', function () {
    var go = function () { setTimeout(audit, 0); };
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(go); else go();
  });
})();
""".replace("'AUDIT_ID'", json.dumps(AUDIT_ID)).replace("(DRAWING)", f"({json.dumps(DRAWING)})")

# A Chromium console log line: [pid:tid:date/time.us:INFO:CONSOLE(12)] "message", source: url (12)
# (older) or ...:INFO:CONSOLE:12] "message", source: url (12) (Chromium >= 120).
_CONSOLE = re.compile(r':CONSOLE[:(][^\]]*\]\s*"(?P<message>.*)", source: (?P<source>.*?)(?: \(\d+\))?$')
_ERROR_WORDS = re.compile(r"^(Uncaught|Unhandled|Failed to load|Refused to|Not allowed to load)|"
                          r"net::ERR_")


@dataclass
class RenderResult:
    """What one render showed: the screenshot, console output and the layout audit."""
    html_path: Path
    screenshot: Path
    width: int
    height: int
    seconds: float
    console_messages: list = field(default_factory=list)  # every console line Chromium logged
    console_errors: list = field(default_factory=list)    # the errors among them, and the hook's
    audit: dict = field(default_factory=dict)
    command: list = field(default_factory=list)

    @property
    def overflowing(self):
        """Elements whose content is wider than their box (and that do not scroll)."""
        return self.audit.get("overflowing", [])

    @property
    def beyond_viewport(self):
        """Outermost elements that reach past the viewport's edges, not inside a clipping box."""
        return self.audit.get("beyond_viewport", [])

    @property
    def page_overflow_x(self):
        """How many px the page is wider than the viewport (0: no horizontal scrolling)."""
        return self.audit.get("page_overflow_x", 0)

    @property
    def svgs(self):
        return self.audit.get("svgs", [])

    @property
    def empty_svgs(self):
        """<svg> elements that draw nothing or have no area."""
        return [s for s in self.svgs if s["drawing"] == 0 or s["width"] < 1 or s["height"] < 1]

    @property
    def sections(self):
        return self.audit.get("sections", [])

    def problems(self):
        """Human-readable list of everything wrong; empty when the page is clean."""
        out = [f"console error: {e}" for e in self.console_errors]
        out += [f"overflows its box: {o['path']} ({o['scrollWidth']} > {o['clientWidth']} px) "
                f"{o['text']!r}" for o in self.overflowing]
        out += [f"beyond the viewport: {o['path']} ({o['left']}..{o['right']} px of "
                f"{self.width}) {o['text']!r}" for o in self.beyond_viewport]
        if self.page_overflow_x > 0:
            out.append(f"page scrolls horizontally by {self.page_overflow_x} px at {self.width} px")
        out += [f"empty svg: {s['path']} ({s['width']}x{s['height']} px, {s['drawing']} drawing "
                f"elements)" for s in self.empty_svgs]
        return out


def find_chromium():
    """The Chromium binary: $LTV_CHROMIUM if set, else chromium, chromium-browser or
    google-chrome on PATH; None if there is none."""
    env = os.environ.get("LTV_CHROMIUM")
    if env:
        found = shutil.which(env)
        return found if found else None
    for candidate in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _instrument(source):
    """The page with the audit script as the first thing in <head> (a Content-Security-Policy
    <meta> that would block it is dropped from the copy)."""
    source = re.sub(r"<meta[^>]+http-equiv\s*=\s*[\"']?content-security-policy[^>]*>", "", source,
                    flags=re.IGNORECASE)
    tag = "<script>" + AUDIT_SCRIPT + "</script>"
    m = re.search(r"<head[^>]*>", source, re.IGNORECASE)
    if m:
        return source[:m.end()] + tag + source[m.end():]
    m = re.search(r"<html[^>]*>", source, re.IGNORECASE)
    if m:
        return source[:m.end()] + "<head>" + tag + "</head>" + source[m.end():]
    return tag + source


# The frame the page is rendered in. Headless Chromium's window is at least 500 px wide whatever
# --window-size says (the layout viewport at load time; the screenshot is cut to the window
# size afterwards), so the page is laid out in an <iframe> of exactly the width and height asked
# for; the audit inside it posts its result to this frame, which --dump-dom prints.
FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
html,body{margin:0;padding:0;overflow:hidden;background:#fff}
iframe{display:block;border:0;margin:0;width:WIDTHpx;height:HEIGHTpx}</style></head>
<body><iframe src="page.html"></iframe><pre id="AUDIT" hidden></pre><script>
addEventListener('message', function (e) { document.getElementById('AUDIT').textContent = e.data; });
</script></body></html>"""


def _frame(width, height):
    return (FRAME.replace("WIDTH", str(int(width))).replace("HEIGHT", str(int(height)))
            .replace("AUDIT", AUDIT_ID))


def _flags(profile, width, height):
    flags = ["--headless", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-sync", "--disable-component-update",
             "--force-device-scale-factor=1", f"--user-data-dir={profile}",
             f"--window-size={width},{height}", "--virtual-time-budget=5000",
             "--enable-logging=stderr", "--v=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    return flags


def _browser_env():
    """The environment for the browser: the test's, without the sanitizer runtimes that the
    sanitizer build preloads into Python (LD_PRELOAD of libasan/libubsan would be loaded into
    every Chromium process, which then runs many times slower or not at all)."""
    env = dict(os.environ)
    for name in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env.pop(name, None)
    return env


def _run(chromium, flags, url):
    cmd = [chromium, *flags, url]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, env=_browser_env())
    except subprocess.TimeoutExpired as e:
        raise RuntimeError(f"chromium did not finish in {TIMEOUT} s: {' '.join(cmd)}") from e
    return cmd, proc


def render(html_path, screenshot_path, width=1280, height=None, chromium=None):
    """Renders html_path at width px and returns a RenderResult.

    height: the window's height in px; None renders the whole page: the audit run measures the
    document's height and a second run takes the screenshot at that height (at most
    MAX_FULL_PAGE_HEIGHT). The screenshot is a PNG written to screenshot_path."""
    chromium = chromium or find_chromium()
    if not chromium:
        raise RuntimeError("chromium not found (scripts/setup installs it; or set LTV_CHROMIUM)")
    html_path = Path(html_path).resolve()
    screenshot_path = Path(screenshot_path).resolve()
    screenshot_path.parent.mkdir(parents=True, exist_ok=True)
    if screenshot_path.exists():
        screenshot_path.unlink()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ltv-browser-") as tmp:
        tmp = Path(tmp)
        # The copy sits beside nothing: the pages under test are self-contained, and a relative
        # reference that escapes shows up as a failed load.
        copy = tmp / "page.html"
        copy.write_text(_instrument(html_path.read_text(encoding="utf-8")), encoding="utf-8")
        frame = tmp / "frame.html"
        run_height = height or 900
        frame.write_text(_frame(width, run_height), encoding="utf-8")
        cmd, proc = _run(chromium, [*_flags(tmp / "profile", width, run_height), "--dump-dom",
                                    f"--screenshot={screenshot_path}"], frame.as_uri())
        m = re.search(r'<pre id="' + AUDIT_ID + r'"[^>]*>(.*?)</pre>', proc.stdout, re.DOTALL)
        if proc.returncode != 0 or not m:
            raise RuntimeError(f"chromium failed (exit {proc.returncode}) or the audit did not run:"
                               f"\n{' '.join(cmd)}\n{proc.stderr[-3000:]}")
        audit = json.loads(html.unescape(m.group(1)))
        messages = [(c.group("message"), c.group("source")) for c in
                    map(_CONSOLE.search, proc.stderr.splitlines()) if c]
        if height is None:
            full = min(max(int(audit["document"]["scroll_height"]), 1), MAX_FULL_PAGE_HEIGHT)
            if full != run_height:
                run_height = full
                frame.write_text(_frame(width, run_height), encoding="utf-8")
                cmd2, proc2 = _run(chromium, [*_flags(tmp / "profile2", width, run_height),
                                              f"--screenshot={screenshot_path}"], frame.as_uri())
                if proc2.returncode != 0:
                    raise RuntimeError(f"chromium failed (exit {proc2.returncode}):\n"
                                       f"{' '.join(cmd2)}\n{proc2.stderr[-3000:]}")
    seconds = time.monotonic() - start
    if not screenshot_path.exists() or screenshot_path.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot to {screenshot_path}")

    hooked = [f"{e['kind']}: {e['message']}" for e in audit.get("errors", [])]
    hooked_text = {e["message"] for e in audit.get("errors", [])}
    logged = [f"{msg} ({src})" for msg, src in messages]
    errors = list(hooked)
    for msg, src in messages:
        if msg in hooked_text or any(msg in h for h in hooked_text):
            continue  # already reported by the hook, with its level
        if _ERROR_WORDS.search(msg):
            errors.append(f"console: {msg} ({src})")
    return RenderResult(html_path=html_path, screenshot=screenshot_path, width=width,
                        height=run_height, seconds=seconds, console_messages=logged,
                        console_errors=errors, audit=audit, command=cmd)
