"""Measure every page of the built site in Chromium: what a reader on a laptop, on a
phone and with a screen reader gets.

Used by ``tests/test_browser.py`` (which asserts on the numbers) and runnable on its
own to record them::

    PYTHONPATH=$PWD .venv/bin/python tests/pagecheck.py _build/html --out pagecheck.json

For every page in the table of contents it records, in one Chromium (three browser
contexts: 1280 px light, 1280 px dark, 390 px light):

* ``html_bytes``: the page's HTML file size;
* ``code_share``: height of the visible code (code cells, and code printed as an
  output, e.g. library source) over the article's height, at 1280 px;
* ``code_hscroll``: visible code and output ``pre`` blocks that scroll sideways at 1280 px;
* ``min_figure_text_px``: the smallest figure text in CSS px at 1280 px, from the PNG
  text chunk ``vgp:min-text-css-px`` each content image carries (written by
  :func:`vgp_lib.plots.style.png_bytes` for the image shown at half its natural
  width) or a slider frame's ``data-min-text-css-px``, scaled by the displayed width;
  ``"unknown"`` if any content image carries neither;
* ``axe``: axe-core's critical and serious violations (rule ids and elements), light
  and dark mode;
* ``sideways_390``: whether the page scrolls sideways at 390 px, and what sticks out;
* ``clipped_equations``: display equations wider than their box, or overlapped by
  their equation number, at 1280 px;
* ``bad_alt``, ``bad_figures``, ``glue_text``: images without real alt text,
  figures without a number or caption, visible text containing ``glue(``;
* full-page screenshots at 1280 and 390 px, ``<page>-1280.png`` and ``<page>-390.png``.
"""

from __future__ import annotations

import argparse
import base64
import functools
import http.server
import json
import re
import struct
import sys
import threading
import zlib
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "_build" / "screenshots"
WIDE, NARROW = 1280, 390
MIN_TEXT_KEY = "vgp:min-text-css-px"
#: Impacts that fail a page.
BLOCKING = ("critical", "serious")
#: What a page must meet (issue 11): its HTML at most this many bytes ...
MAX_HTML_BYTES = 400_000
#: ... no figure text under this many CSS px at 1280 px ...
MIN_FIGURE_TEXT_PX = 11.0
#: ... and at most this share of the article's height in visible code.
MAX_CODE_SHARE = 0.10


# --------------------------------------------------------------------------- PNG text


def png_text(data: bytes) -> dict[str, str]:
    """The text chunks (tEXt, zTXt, iTXt) of a PNG file's bytes.

    >>> png_text(b"not a png")
    {}
    """
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return {}
    out, pos = {}, 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"tEXt" and b"\0" in body:
            key, value = body.split(b"\0", 1)
            out[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt" and b"\0" in body:
            key, rest = body.split(b"\0", 1)
            out[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt" and b"\0" in body:
            key, rest = body.split(b"\0", 1)
            compressed, _method = rest[0], rest[1]
            _lang, _translated, value = rest[2:].split(b"\0", 2)
            out[key.decode("latin-1")] = (zlib.decompress(value) if compressed else value).decode(
                "utf-8"
            )
        elif kind == b"IEND":
            break
    return out


def image_bytes(src: str, page_url: str, html_dir: Path) -> bytes | None:
    """The bytes behind an image's ``src`` (a data: URI or a file under ``html_dir``)."""
    if src.startswith("data:"):
        header, _, payload = src.partition(",")
        return (
            base64.b64decode(payload)
            if header.endswith(";base64")
            else unquote(payload).encode("latin-1")
        )
    path = urlparse(src).path or urlparse(page_url).path
    file = html_dir / unquote(path).lstrip("/")
    return file.read_bytes() if file.is_file() else None


def min_text_at_half_width(src: str, page_url: str, html_dir: Path) -> float | None:
    """The value of the ``vgp:min-text-css-px`` chunk of the image at ``src``, or None."""
    data = image_bytes(src, page_url, html_dir)
    if data is None:
        return None
    value = png_text(data).get(MIN_TEXT_KEY)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- alt text

FILE_LIKE = re.compile(
    r"(\.(png|jpe?g|gif|svg|webp)\b)|(^[\w./-]*/[\w./-]*$)|(^_images)", re.IGNORECASE
)


def alt_problem(alt: str | None, *, content: bool) -> str | None:
    """Why ``alt`` is not real alt text, or None. Content images need several words.

    >>> alt_problem("../_images/ab12.png", content=True)
    'a file name or path'
    >>> alt_problem("A line chart of the gradient norm against depth.", content=True) is None
    True
    >>> alt_problem("Binder logo", content=False) is None
    True
    """
    text = (alt or "").strip()
    if not text:
        return "empty"
    if FILE_LIKE.search(text):
        return "a file name or path"
    if content and len(text.split()) < 3:
        return "fewer than three words"
    return None


# --------------------------------------------------------------------------- in the page

SETTLE_JS = (
    """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {"""
    """ await MathJax.startup.promise; }
  if (document.fonts) { await document.fonts.ready; }
  return true;
}"""
)

#: Load every lazy image by walking down the page, then return to the top.
SCROLL_JS = """async () => {
  const step = Math.max(200, window.innerHeight - 100);
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 15));
  }
  await Promise.all(Array.from(document.images).map(i => i.complete ? null :
      new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
  window.scrollTo(0, 0);
}"""

DESCRIBE_JS = (
    """() => {
window.__vgpDescribe = (el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  const cls = (typeof el.className === 'string' ? el.className : '').trim()"""
    """.split(/\\s+/).filter(Boolean);
  if (cls.length) s += '.' + cls.slice(0, 3).join('.');
  let anchor = el.closest('[id]');
  if (anchor && anchor !== el) s += ' in #' + anchor.id;
  const text = (el.innerText || el.getAttribute('alt') || '').trim()"""
    """.replace(/\\s+/g, ' ').slice(0, 60);
  if (text) s += ' "' + text + '"';
  return s;
};
window.__vgpVisible = (el) => {
  if (!el.getClientRects().length) return false;
  const r = el.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return false;
  for (let e = el; e; e = e.parentElement) {
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden') return false;
    if (e.tagName === 'DETAILS' && !e.open && e !== el && !el.closest('summary')) return false;
  }
  return true;
};
}"""
)

WIDE_JS = (
    """() => {
  const describe = window.__vgpDescribe, visible = window.__vgpVisible;
  const article = document.querySelector('article.bd-article') ||"""
    """ document.querySelector('main') || document.body;
  const articleHeight = article.getBoundingClientRect().height;

  // Code in view: code cells, and code printed as an output (highlighted source, or
  // a plain output that reads as Python source).
  const codeBlocks = new Set();
  article.querySelectorAll('div.cell_input').forEach(e => codeBlocks.add(e));
  article.querySelectorAll('div.cell_output div[class*="highlight-python"], """
    """div.cell_output div[class*="highlight-ipython"], """
    """div.cell_output div[class*="highlight-default"]')
    .forEach(e => codeBlocks.add(e));
  article.querySelectorAll('div.cell_output pre').forEach(pre => {
    if (/^\\s*(@[\\w.]+|(async\\s+)?def |class )\\w*/.test(pre.innerText)) {
      codeBlocks.add(pre.closest('div.output') || pre);
    }
  });
  let codeHeight = 0;
  const codeItems = [];
  for (const e of codeBlocks) {
    if (!visible(e)) continue;
    let inner = false;
    for (const o of codeBlocks) { if (o !== e && o.contains(e)) { inner = true; break; } }
    if (inner) continue;
    const h = e.getBoundingClientRect().height;
    codeHeight += h;
    codeItems.push([describe(e).slice(0, 100), Math.round(h)]);
  }

  // Code and output blocks that scroll sideways.
  const hscroll = [];
  article.querySelectorAll('div.cell_input pre, div.cell_output pre, div.highlight pre')"""
    """.forEach(pre => {
    if (visible(pre) && pre.scrollWidth > pre.clientWidth + 1) {
      hscroll.push(describe(pre).slice(0, 140) + ` (${pre.scrollWidth} > ${pre.clientWidth} px)`);
    }
  });

  // Display equations: wider than their visible box, or under their number.
  const clipped = [];
  document.querySelectorAll('mjx-container[display="true"]').forEach((c, i) => {
    if (!visible(c)) return;
    const math = c.querySelector('mjx-math') || c.firstElementChild;
    if (!math) return;
    const box = c.getBoundingClientRect(), m = math.getBoundingClientRect();
    const holder = c.closest('div.math, .math') || c.parentElement;
    const label = (holder && holder.id) || ('display equation ' + (i + 1));
    const problems = [];
    if (c.scrollWidth > c.clientWidth + 1) problems.push("""
    """`content ${c.scrollWidth} px in a ${c.clientWidth} px box`);
    if (m.right > box.right + 1 || m.left < box.left - 1) problems.push("""
    """`content spans ${Math.round(m.left)}..${Math.round(m.right)} px, """
    """box ${Math.round(box.left)}..${Math.round(box.right)} px`);
    // visible box of the container, cut by every clipping ancestor
    let left = box.left, right = box.right;
    for (let e = c.parentElement; e && e !== document.body; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if (ox !== 'visible') { const r = e.getBoundingClientRect();"""
    """ left = Math.max(left, r.left); right = Math.min(right, r.right); }
    }
    if (m.right > right + 1 || m.left < left - 1) problems.push("""
    """`content spans ${Math.round(m.left)}..${Math.round(m.right)} px, """
    """visible ${Math.round(left)}..${Math.round(right)} px`);
    const eqno = holder ? holder.querySelector('span.eqno') : null;
    if (eqno && visible(eqno)) {
      const n = eqno.getBoundingClientRect();
      // the glyphs, not the (full-width) math box
      let gr = -Infinity, gl = Infinity;
      math.querySelectorAll('mjx-c, mjx-mi, mjx-mo, mjx-mn, mjx-mtext').forEach(g => {
        const r = g.getBoundingClientRect();
        if (r.width > 0 && r.bottom > n.top && r.top < n.bottom) {"""
    """ gr = Math.max(gr, r.right); gl = Math.min(gl, r.left); }
      });
      if (gr > n.left + 1 && gl < n.right - 1) problems.push("""
    """`its number ${eqno.innerText.trim()} overlaps the math """
    """(${Math.round(gr)} px > ${Math.round(n.left)} px)`);
    }
    if (problems.length) clipped.push(label + ': ' + [...new Set(problems)].join('; '));
  });

  // Images: alt text and figure text size.
  const images = Array.from(document.images).map(img => ({
    src: img.currentSrc || img.src, alt: img.getAttribute('alt'),
    content: article.contains(img) && !img.closest('.header-article, .bd-header-article'),
    attr: img.getAttribute('data-min-text-css-px'),
    shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
    what: describe(img).slice(0, 120),
  }));

  // Figures: a number and a caption.
  const badFigures = [];
  article.querySelectorAll('figure').forEach(f => {
    const number = f.querySelector('span.caption-number');
    const caption = f.querySelector('figcaption .caption-text') || f.querySelector('figcaption');
    const problems = [];
    // textContent, not innerText: a figure inside a folded solution is not rendered yet
    if (!number || !number.textContent.trim()) problems.push('no number');
    if (!caption || !caption.textContent.replace(number ? number.textContent : '', '').trim())"""
    """ problems.push('no caption');
    if (problems.length) badFigures.push(describe(f).slice(0, 120) + ': ' + problems.join(', '));
  });
  // A content image outside any figure is a figure without number or caption (slider
  // frames excepted: the slider's label says what they show).
  article.querySelectorAll('img').forEach(img => {
    if (!img.closest('figure') && !img.closest('.vgp-slider') && """
    """!img.closest('.header-article, .bd-header-article')) {
      badFigures.push(describe(img).slice(0, 120) + """
    """': an image outside a numbered, captioned figure');
    }
  });

  // Visible text containing glue(.
  const text = document.body.innerText;
  const glue = [];
  for (const m of text.matchAll(/.{0,40}glue\\(.{0,40}/g)) glue.push(m[0]);

  return {articleHeight, codeHeight, codeItems, hscroll, clipped, images, badFigures, glue};
}"""
)

NARROW_JS = (
    """() => {
  // What sticks out past the right edge of a 390 px window: either it widens the page
  // (the page scrolls sideways) or a box that does not scroll cuts it off. Content in
  // a box that scrolls by itself (overflow-x auto/scroll) and fits the window is fine.
  const de = document.documentElement;
  const width = de.clientWidth;
  const result = {scrollWidth: de.scrollWidth, clientWidth: width, offenders: [], cutOff: []};
  const widen = [], cut = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
    if (el.closest('mjx-assistive-mml') || !window.__vgpVisible(el)) continue;
    let verdict = 'widens';
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.position === 'fixed') { verdict = null; break; }
      if (e === el || e === document.body || e === de) continue;
      if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') { verdict = null; break; }
      if (cs.overflowX === 'hidden' || cs.overflowX === 'clip') {
        verdict = r.right > e.getBoundingClientRect().right + 1 ? 'cut' : null;
        break;
      }
    }
    if (verdict === 'widens') widen.push(el); else if (verdict === 'cut') cut.push(el);
  }
  const outermost = (list) => {
    const set = new Set(list);
    return list.filter(el => { for (let p = el.parentElement; p; p = p.parentElement)"""
    """ if (set.has(p)) return false; return true; })
      .map(el => window.__vgpDescribe(el).slice(0, 140) + """
    """` (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
  };
  result.offenders = outermost(widen);
  result.cutOff = outermost(cut);
  return result;
}"""
)

DARK_INIT = (
    "try { localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark'); }"
    " catch (e) {}"
)


def _axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def run_axe(page) -> dict:
    """axe-core on the loaded page: critical and serious violations, as counts and details."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_script())
    results = page.evaluate(
        "async () => { const experimental = axe.getRules(['experimental']).map(r => r.ruleId);"
        " const rules = Object.fromEntries(experimental.map(id => [id, {enabled: true}]));"
        # preload: false - axe would fetch the theme's @import "../basic.css" against the
        # page's URL (a 404); only css-orientation-lock reads those sheets.
        " const r = await axe.run(document, {resultTypes: ['violations'], rules, preload: false});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => [n.target.join(' '),"
        " (n.failureSummary || '').slice(0, 200)])})); }"
    )
    out = {impact: 0 for impact in BLOCKING}
    rules = {}
    for v in results:
        if v["impact"] in BLOCKING:
            out[v["impact"]] += len(v["nodes"])
            rules[v["id"]] = {
                "impact": v["impact"],
                "help": v["help"],
                "nodes": v["nodes"][:5],
                "count": len(v["nodes"]),
            }
    out["rules"] = rules
    return out


#: Shows every figure a predict-then-see control (vgp_lib.plots.guess) keeps hidden until
#: the reader guesses, as "Show me without guessing" does: the checks measure every figure.
REVEAL_JS = """() => document.querySelectorAll('.vgp-guess .vgp-guess-skip')
  .forEach(b => b.click())"""


def guess_problems(page) -> list[str]:
    """What goes wrong with the page's predict-then-see controls, used by keyboard.

    Before a guess the figure a control answers with is hidden; a reader who tabs to an
    option, selects it with the space bar and presses *Check my guess* with Enter hears
    a verdict (in the ``role="status"`` line) and then sees the figure. Call on a freshly
    loaded page, before :func:`settle` (which shows every held-back figure).
    """
    problems = []
    roots = page.locator("div.vgp-guess")
    for i in range(roots.count()):
        root = roots.nth(i)
        target = root.get_attribute("data-reveal") or ""
        figure = page.locator(f'[id="{target}"]') if target else None
        if target and figure.count() != 1:
            problems.append(f"guess {i}: it reveals {target!r}, which the page does not have")
            figure = None
        if figure is not None and figure.is_visible():
            problems.append(f"guess {i}: figure {target} shows before the reader guesses")
        radio = root.locator("input[type=radio]").first
        radio.focus()
        page.keyboard.press("Space")
        if not radio.is_checked():
            problems.append(f"guess {i}: the space bar does not select an option")
        button = root.locator("button.vgp-guess-check")
        if not button.is_visible():
            problems.append(f"guess {i}: no visible Check button")
            continue
        button.focus()
        page.keyboard.press("Enter")
        said = root.locator('[role="status"]').inner_text().strip()
        if not ("right" in said or "answer is" in said):
            problems.append(f"guess {i}: after a guess the status line says {said!r}")
        if figure is not None and not figure.is_visible():
            problems.append(f"guess {i}: figure {target} stays hidden after the guess")
    return problems


def settle(page) -> None:
    """Wait until the page has loaded, shown the figures held back for a guess, typeset its
    math and loaded its images."""
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    page.evaluate(REVEAL_JS)
    page.evaluate(SETTLE_JS)
    page.evaluate(SCROLL_JS)
    page.evaluate(DESCRIBE_JS)


def measure_wide(page, name: str, html_dir: Path) -> dict:
    """The 1280 px measurements of the loaded, settled ``page`` (see the module docstring)."""
    raw = page.evaluate(WIDE_JS)
    figure_text, unknown, bad_alt = [], [], []
    for img in raw["images"]:
        problem = alt_problem(img["alt"], content=img["content"])
        if problem:
            bad_alt.append(f"{img['what']}: alt text {img['alt']!r} is {problem}")
        if not img["content"]:
            continue
        value = None
        if img["attr"]:
            try:
                value = float(img["attr"])
            except ValueError:
                value = None
        if value is None:
            value = min_text_at_half_width(img["src"], page.url, html_dir)
        if value is None or not img["natural"]:
            unknown.append(img["what"])
            continue
        px = value * img["shown"] / (img["natural"] / 2)
        figure_text.append((round(px, 2), img["what"]))
    figure_text.sort()
    height = raw["articleHeight"] or 1.0
    return {
        "code_share": round(raw["codeHeight"] / height, 4),
        "code_blocks": raw["codeItems"],
        "code_hscroll": len(raw["hscroll"]),
        "code_hscroll_blocks": raw["hscroll"],
        "min_figure_text_px": "unknown"
        if unknown
        else (figure_text[0][0] if figure_text else None),
        "figure_text": figure_text,
        "figure_text_unknown": unknown,
        "clipped_equations": raw["clipped"],
        "bad_alt": bad_alt,
        "bad_figures": raw["badFigures"],
        "glue_text": raw["glue"],
        "content_images": sum(1 for i in raw["images"] if i["content"]),
    }


def measure_narrow(page) -> dict:
    """Whether the loaded, settled page scrolls sideways, and what sticks out."""
    raw = page.evaluate(NARROW_JS)
    return {
        "sideways": raw["scrollWidth"] > raw["clientWidth"],
        "scroll_width": raw["scrollWidth"],
        "client_width": raw["clientWidth"],
        "offenders": raw["offenders"],
        "cut_off": raw["cutOff"],
    }


def theme_of(page) -> str:
    return page.evaluate("document.documentElement.dataset.theme || ''")


def screenshot(page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)


# --------------------------------------------------------------------------- sliders

SLIDER_JS = """async (root) => {
  const input = root.querySelector('input.vgp-slider-input');
  const out = root.querySelector('output.vgp-slider-value');
  const img = root.querySelector('img.vgp-slider-frame');
  const label = root.querySelector('label.vgp-slider-label');
  return {
    id: root.id, hasInput: !!input, hasOutput: !!out, hasImg: !!img,
    labelFor: label ? label.getAttribute('for') : null, inputId: input ? input.id : null,
    value: input ? input.value : null, max: input ? input.max : null, min: input ? input.min : null,
    shown: out ? out.textContent : null, src: img ? img.getAttribute('src') : null,
    alt: img ? img.getAttribute('alt') : null,
    valuetext: input ? input.getAttribute('aria-valuetext') : null,
  };
}"""


def slider_keyboard_problems(page) -> list[str]:
    """For every ``div.vgp-slider``: a labelled range input whose ArrowRight (ArrowLeft at
    the last frame) changes the shown value, the frame's src and its alt. Problems found."""
    problems = []
    sliders = page.locator("div.vgp-slider")
    for i in range(sliders.count()):
        root = sliders.nth(i)
        before = root.evaluate(SLIDER_JS)
        where = f"slider #{before['id'] or i}"
        if not (before["hasInput"] and before["hasOutput"] and before["hasImg"]):
            problems.append(
                f"{where}: needs an input.vgp-slider-input, an output.vgp-slider-value "
                "and an img.vgp-slider-frame"
            )
            continue
        if not before["labelFor"] or before["labelFor"] != before["inputId"]:
            problems.append(
                f"{where}: its label is not for its input "
                f"({before['labelFor']!r} vs {before['inputId']!r})"
            )
        if int(before["max"]) <= int(before["min"]):
            problems.append(
                f"{where}: a slider needs at least two frames "
                f"(min {before['min']}, max {before['max']})"
            )
            continue
        key = "ArrowLeft" if before["value"] == before["max"] else "ArrowRight"
        handle = root.locator("input.vgp-slider-input")
        handle.scroll_into_view_if_needed()
        handle.focus()
        handle.press(key)
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        with suppress(PlaywrightTimeout):  # a frame that does not change is reported below
            page.wait_for_function(
                "([el, src]) => "
                "el.querySelector('img.vgp-slider-frame').getAttribute('src') !== src",
                arg=[root.element_handle(), before["src"]],
                timeout=3_000,
            )
        after = root.evaluate(SLIDER_JS)
        for field, what in (
            ("value", "the input's value"),
            ("shown", "the label's value"),
            ("src", "the frame's src"),
            ("alt", "the frame's alt"),
        ):
            if after[field] == before[field]:
                problems.append(f"{where}: {key} left {what} at {str(before[field])[:60]!r}")
        if after["valuetext"] == before["valuetext"]:
            problems.append(f"{where}: {key} left aria-valuetext at {before['valuetext']!r}")
    return problems


# --------------------------------------------------------------------------- verdict


def page_problems(r: dict) -> list[str]:
    """Everything the measurements ``r`` of one page (:func:`check_page`) fail, one line each."""
    out = []
    if r["html_bytes"] > MAX_HTML_BYTES:
        out.append(
            f"HTML is {r['html_bytes'] / 1000:.0f} kB (at most {MAX_HTML_BYTES / 1000:.0f} kB)"
        )
    if r["code_share"] > MAX_CODE_SHARE:
        largest = sorted(r["code_blocks"], key=lambda b: -b[1])[:3]
        out.append(
            f"visible code is {100 * r['code_share']:.1f}% of the page "
            f"(at most {100 * MAX_CODE_SHARE:.0f}%); "
            f"largest: {largest}"
        )
    for block in r["code_hscroll_blocks"]:
        out.append(f"code scrolls sideways at {WIDE} px: {block}")
    for what in r["figure_text_unknown"]:
        out.append(
            f"figure text size unknown (no {MIN_TEXT_KEY} chunk, no data-min-text-css-px): {what}"
        )
    for px, what in r["figure_text"]:
        if px < MIN_FIGURE_TEXT_PX:
            out.append(
                f"figure text of {px:g} CSS px at {WIDE} px "
                f"(at least {MIN_FIGURE_TEXT_PX:g}): {what}"
            )
    for mode in ("light", "dark"):
        for rule, v in r[f"axe_{mode}"]["rules"].items():
            out.append(
                f"axe-core ({mode}) {v['impact']} {rule} on {v['count']} element(s), "
                f"e.g. {v['nodes'][0][0]}: {v['help']}"
            )
    narrow = r["narrow"]
    if narrow["sideways"]:
        out.append(
            f"the page scrolls sideways at {NARROW} px ({narrow['scroll_width']} px wide); "
            f"sticking out: {narrow['offenders'][:5]}"
        )
    for what in narrow["cut_off"]:
        out.append(f"cut off at {NARROW} px (its box neither fits nor scrolls): {what}")
    for what in r["clipped_equations"]:
        out.append(f"display equation clipped at {WIDE} px: {what}")
    out += [f"image without real alt text: {what}" for what in r["bad_alt"]]
    out += [f"figure without number or caption: {what}" for what in r["bad_figures"]]
    out += [f"visible text contains glue(: {text!r}" for text in r["glue_text"]]
    out += r.get("slider_problems", [])
    out += r.get("guess_problems", [])
    return out


# --------------------------------------------------------------------------- the whole site


@contextmanager
def serve(html_dir: Path):
    """Serve ``html_dir`` on 127.0.0.1; yields the origin."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def new_context(browser, origin: str, width: int, *, dark: bool = False):
    """A browser context of ``width`` CSS px that reaches only ``origin``."""
    context = browser.new_context(viewport={"width": width, "height": 900})

    def route(r):
        if r.request.url.startswith(origin):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    if dark:
        context.add_init_script(DARK_INIT)
    return context


def dark_axe(browser, origin: str, name: str) -> dict:
    """axe-core in dark mode (1280 px); fails if the theme did not switch."""
    context = new_context(browser, origin, WIDE, dark=True)
    try:
        page = context.new_page()
        page.goto(f"{origin}/{name}.html", wait_until="load")
        settle(page)
        theme = theme_of(page)
        if theme != "dark":
            raise RuntimeError(f"{name}: dark mode did not take (data-theme={theme!r})")
        return run_axe(page)
    finally:
        context.close()


def narrow(browser, origin: str, name: str, shots: Path | None) -> dict:
    """The 390 px measurements, and the 390 px screenshot."""
    context = new_context(browser, origin, NARROW)
    try:
        page = context.new_page()
        page.goto(f"{origin}/{name}.html", wait_until="load")
        settle(page)
        result = measure_narrow(page)
        if shots:
            screenshot(page, shots / f"{Path(name).name}-{NARROW}.png")
        return result
    finally:
        context.close()


def check_page(
    browser,
    origin: str,
    html_dir: Path,
    name: str,
    shots: Path | None = SCREENSHOTS,
    *,
    dark: bool = True,
) -> dict:
    """Every measurement of page ``name`` (a TOC entry such as ``chapters/chain``).

    ``shots``: folder for the screenshots (None: none); ``dark``: also run axe-core in
    the theme's dark mode (a page without the theme has none).
    """
    result = {"html_bytes": (html_dir / f"{name}.html").stat().st_size}
    context = new_context(browser, origin, WIDE)
    try:
        page = context.new_page()
        page.goto(f"{origin}/{name}.html", wait_until="load")
        result["guess_problems"] = guess_problems(page)
        settle(page)
        result.update(measure_wide(page, name, html_dir))
        result["axe_light"] = run_axe(page)
        if shots:
            screenshot(page, shots / f"{Path(name).name}-{WIDE}.png")
        result["sliders"] = page.locator("div.vgp-slider").count()
        result["slider_problems"] = slider_keyboard_problems(page)
    finally:
        context.close()
    result["axe_dark"] = (
        dark_axe(browser, origin, name) if dark else {i: 0 for i in BLOCKING} | {"rules": {}}
    )
    result["narrow"] = narrow(browser, origin, name, shots)
    return result


def toc_pages() -> list[str]:
    sys.path.insert(0, str(Path(__file__).parent))
    from test_platform import toc_files

    return toc_files()


def check_site(
    html_dir: Path, pages: list[str] | None = None, shots: Path | None = SCREENSHOTS
) -> dict:
    from playwright.sync_api import sync_playwright

    html_dir = Path(html_dir).resolve()
    pages = pages or toc_pages()
    out = {}
    with serve(html_dir) as origin, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            for name in pages:
                out[name] = check_page(browser, origin, html_dir, name, shots)
                print(f"{name}: {summary_line(out[name])}", file=sys.stderr)
        finally:
            browser.close()
    return out


def summary_line(r: dict) -> str:
    def axe(a):
        return f"{a['critical']}/{a['serious']} {','.join(sorted(a['rules'])) or '-'}"

    return (
        f"{r['html_bytes'] / 1000:.0f} kB, code {100 * r['code_share']:.1f}%, "
        f"hscroll {r['code_hscroll']}, "
        f"fig text {r['min_figure_text_px']}, axe light {axe(r['axe_light'])}, "
        f"dark {axe(r['axe_dark'])}, "
        f"390 sideways {r['narrow']['sideways']} ({len(r['narrow']['offenders'])}), "
        f"cut off {len(r['narrow']['cut_off'])}, "
        f"clipped {len(r['clipped_equations'])}, bad alt {len(r['bad_alt'])}, "
        f"bad figures {len(r['bad_figures'])}, glue {len(r['glue_text'])}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--screenshots", type=Path, default=SCREENSHOTS, help="folder for the screenshots"
    )
    parser.add_argument("--page", action="append", help="only this TOC entry (repeatable)")
    args = parser.parse_args(argv)
    result = check_site(args.html_dir, args.page, args.screenshots)
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
