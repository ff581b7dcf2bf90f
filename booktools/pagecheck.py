"""Measure every page of the built site in Chromium: what a reader on a laptop, on a
phone and with a screen reader gets, and what a first visit downloads.

Used by ``tests/book/test_browser.py`` (which asserts on the numbers) and runnable on its
own to record them, or to print the measurement table (one line per page)::

    .venv/bin/python -m booktools.pagecheck _build/html --out pagecheck.json
    .venv/bin/python -m booktools.pagecheck --table _build/html

For every page in the table of contents it records, in one Chromium (three browser
contexts, each fresh: 1280 x 900 px light, 1280 px dark, and a phone, 390 x 844 px at
device scale 2):

* ``html_bytes``: the page's HTML file size;
* ``code_share``: height of the visible code (code cells, and code printed as an
  output, e.g. library source) over the article's height, at 1280 px;
* ``code_hscroll``: visible code and output ``pre`` blocks that scroll sideways at 1280 px;
* ``min_figure_text_px``: the smallest figure text in CSS px, at 1280 px and (under
  ``narrow``) at 390 px, from the PNG the browser shows (``img.currentSrc``, so the phone
  drawing of a ``<picture>``): its text chunk ``vgp:min-text-css-px`` is the smallest
  text in CSS px with the PNG shown at half its pixel width (written by
  :func:`vgp_lib.plots.display.png_bytes`), so on the page it is that value times the
  displayed width over half the pixel width. An image without the chunk falls back on
  its ``data-min-text-css-px`` attribute (with ``naturalWidth``); ``"unknown"`` if a
  content image has neither;
* ``axe``: axe-core's critical and serious violations (rule ids and elements), at
  1280 px light and dark, and at 390 px;
* ``sideways`` (390 px): whether the page scrolls sideways, and what sticks out;
* ``clipped_equations`` (1280 and 390 px): display equations (``mjx-container[display]``,
  or a ``div.math`` MathJax left alone) whose maths is wider than their box, scrolls,
  or is cut by an ancestor that clips or by the article column, and equation numbers
  (``span.eqno``) not wholly inside the column or printed over the maths; at 390 px also
  ``clipped_equations_folded``, the same inside folded solutions, opened;
* ``inline_cut`` (1280 and 390 px): inline formulas whose glyphs pass the article column
  or are cut by an ancestor, their own scrolling wrapper (``span.math``) included: that
  scrolls with no cue. One inside another box that scrolls sideways (a table) and fits
  the column can be reached, so is fine;
* ``weight``: a cold first visit (fresh context, empty cache): the body bytes of every
  response until the network is idle, before any scrolling (``first``), and after
  scrolling to the end (``scrolled``; at 390 px once the network is quiet again, so the
  frames a slider prefetches count), at 1280 and 390 px; and every request for a Font
  Awesome script (a ``.js`` whose path contains ``fontawesome``; its webfonts may stay).
  Bytes are response bodies as served (``response.body()``); the local server does not
  compress, so these are uncompressed sizes, in MB of 10^6 bytes;
* ``bad_alt``, ``bad_figures``, ``glue_text``: images without real alt text,
  figures without a number or caption, visible text containing ``glue(``;
* full-page screenshots at 1280 and 390 px, ``<page>-1280.png`` and ``<page>-390.png``
  (one image pixel per CSS px).
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
#: The window heights: a laptop, and a phone (390 x 844 CSS px at device scale 2).
WIDE_HEIGHT, NARROW_HEIGHT = 900, 844
NARROW_SCALE = 2
MIN_TEXT_KEY = "vgp:min-text-css-px"
#: Impacts that fail a page.
BLOCKING = ("critical", "serious")
#: What a page must meet (issues 11 and 23): its HTML at most this many bytes ...
MAX_HTML_BYTES = 400_000
#: ... no figure text under this many CSS px at 1280 px, and at 390 px ...
MIN_FIGURE_TEXT_PX = {WIDE: 12.0, NARROW: 11.0}
#: ... at most this share of the article's height in visible code ...
MAX_CODE_SHARE = 0.10
#: ... a cold first visit (no scrolling) of at most this many bytes, at either width:
#: a chapter (a page with a live notebook), or a text page (preface, exercises,
#: bibliography) ...
BUDGET = {"chapter": 1_500_000, "text": 800_000}
#: ... and no request for Font Awesome's script (1.5 MB to draw a few icons the theme's
#: CSS already draws with the Font Awesome webfonts, which may stay).
FORBIDDEN_REQUEST = "fontawesome"


def forbidden_request(url: str) -> bool:
    """Whether ``url`` loads a Font Awesome script.

    >>> forbidden_request("http://h/_static/scripts/fontawesome.js?digest=55c2")
    True
    >>> forbidden_request("http://h/_static/vendor/fontawesome/webfonts/fa-solid-900.woff2")
    False
    """
    path = urlparse(url).path.lower()
    return FORBIDDEN_REQUEST in path and path.endswith(".js")


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


def png_width(data: bytes) -> int | None:
    """The pixel width in a PNG file's header, or None if ``data`` is not a PNG.

    >>> png_width(b"not a png") is None
    True
    """
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">I", data[16:20])[0]


def min_text_at_half_width(src: str, page_url: str, html_dir: Path) -> tuple[float, int] | None:
    """The value of the ``vgp:min-text-css-px`` chunk of the PNG at ``src`` and the PNG's
    pixel width, or None."""
    data = image_bytes(src, page_url, html_dir)
    if data is None:
        return None
    value, width = png_text(data).get(MIN_TEXT_KEY), png_width(data)
    try:
        return (float(value), width) if value is not None and width else None
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
  // a lazy image inside a closed <details> (a solution) loads only when it opens
  const shown = Array.from(document.images).filter(i => !i.closest('details:not([open])'));
  const loaded = Promise.all(shown.map(i => i.complete ? null :
      new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
  await Promise.race([loaded, new Promise(r => setTimeout(r, 20000))]);
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

  return {articleHeight, codeHeight, codeItems, hscroll, badFigures, glue};
}"""
)

#: Every image: where it comes from (the drawing shown, ``currentSrc``), its alt text,
#: whether it is content (in the article, not the header), its displayed width.
IMAGES_JS = (
    """() => {
  const article = document.querySelector('article.bd-article') ||"""
    """ document.querySelector('main') || document.body;
  // a figure in a closed <details> is not shown (and, lazy, not loaded): it is measured
  // once the folds are open (see narrow())
  return Array.from(document.images).filter(img => !img.closest('details:not([open])'))
    .map(img => ({
    src: img.currentSrc || img.src, alt: img.getAttribute('alt'),
    content: article.contains(img) && !img.closest('.header-article, .bd-header-article'),
    attr: img.getAttribute('data-min-text-css-px'),
    shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
    what: window.__vgpDescribe(img).slice(0, 120),
  }));
}"""
)

#: Maths that does not fit the article column (see the module docstring). Each item says
#: whether it lies in a ``<details>`` (a folded solution), which must be open to be seen.
MATHS_JS = (
    """() => {
  const describe = window.__vgpDescribe, visible = window.__vgpVisible;
  const de = document.documentElement;
  const article = document.querySelector('article.bd-article') ||"""
    """ document.querySelector('main') || document.body;
  const ar = article.getBoundingClientRect(), acs = getComputedStyle(article);
  // the column: the article's content box, inside the window
  const column = {left: Math.max(0, ar.left + parseFloat(acs.paddingLeft)),
                  right: Math.min(de.clientWidth, ar.right - parseFloat(acs.paddingRight))};
  const px = (x) => Math.round(x);
  // where the maths is inked: its glyphs (the math box if it has none, e.g. a bare div.math)
  const ink = (c) => {
    let left = Infinity, right = -Infinity;
    c.querySelectorAll('mjx-c, svg path, svg use, svg rect, svg text').forEach(g => {
      if (g.closest('mjx-assistive-mml')) return;
      const b = g.getBoundingClientRect();
      if (b.width > 0) { left = Math.min(left, b.left); right = Math.max(right, b.right); }
    });
    if (left === Infinity) {
      // the math box; for a bare div.math (no MathJax), its text, not its full-width box
      const m = c.querySelector('mjx-math') ||"""
    """ (c.tagName === 'MJX-CONTAINER' ? c.firstElementChild : null);
      let b;
      if (m) b = m.getBoundingClientRect();
      else { const r = document.createRange(); r.selectNodeContents(c);"""
    """ b = r.getBoundingClientRect(); }
      left = b.left; right = b.right;
    }
    return {left, right};
  };
  // the part of the column in which el's content can be seen: cut by every ancestor (from
  // el itself if self) whose overflow is not visible; and the nearest one that scrolls
  const view = (el, self) => {
    let left = column.left, right = column.right, scroller = null;
    for (let e = self ? el : el.parentElement; e && e !== de; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if (ox === 'visible') continue;
      const b = e.getBoundingClientRect();
      if (!scroller && (ox === 'auto' || ox === 'scroll')) scroller = e;
      left = Math.max(left, b.left); right = Math.min(right, b.right);
    }
    return {left, right, scroller};
  };
  // the box of an equation number's own text (not its headerlink)
  const numberBox = (eqno) => {
    let left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity;
    const walker = document.createTreeWalker(eqno, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!t.textContent.trim() || t.parentElement.closest('.headerlink')) continue;
      const r = document.createRange(); r.selectNodeContents(t);
      const b = r.getBoundingClientRect();
      left = Math.min(left, b.left); right = Math.max(right, b.right);
      top = Math.min(top, b.top); bottom = Math.max(bottom, b.bottom);
    }
    return left === Infinity ? eqno.getBoundingClientRect() : {left, right, top, bottom};
  };

  const display = [];
  const containers = Array.from(article.querySelectorAll('mjx-container[display="true"]'));
  article.querySelectorAll('div.math').forEach(d => {
    if (!d.querySelector('mjx-container')) containers.push(d);
  });
  containers.forEach((c, i) => {
    if (!visible(c)) return;
    const holder = c.closest('div.math') || c.parentElement;
    const eqno = holder.querySelector('span.eqno');
    const number = eqno ? eqno.textContent.replace('#', '').trim() : '';
    const section = holder.parentElement ? holder.parentElement.closest('[id]') : null;
    const label = (number ? number + ' ' : '') + (holder.id ? '#' + holder.id :"""
    """ `unnumbered, in #${section ? section.id : ''} "` +"""
    """ (c.textContent || holder.innerText).trim().replace(/\\s+/g, ' ').slice(0, 30) + '"');
    const box = c.getBoundingClientRect(), m = ink(c), v = view(c, true);
    const problems = [];
    if (c.scrollWidth > c.clientWidth + 1) problems.push("""
    """`it scrolls: ${c.scrollWidth} px of maths in a ${c.clientWidth} px box`);
    else if (m.right > box.right + 1 || m.left < box.left - 1) problems.push("""
    """`wider than its box: maths ${px(m.left)}..${px(m.right)} px, """
    """box ${px(box.left)}..${px(box.right)} px`);
    if (m.right > v.right + 1 || m.left < v.left - 1) problems.push("""
    """`cut: maths ${px(m.left)}..${px(m.right)} px, visible ${px(v.left)}..${px(v.right)} px`);
    if (eqno && visible(eqno)) {
      const n = numberBox(eqno), nv = view(eqno, false);
      if (n.right > nv.right + 1 || n.left < nv.left - 1) problems.push("""
    """`its number ${number} is cut: ${px(n.left)}..${px(n.right)} px, """
    """visible ${px(nv.left)}..${px(nv.right)} px`);
      // the glyphs on the number's line that show, not the (full-width) math box
      let gr = -Infinity, gl = Infinity;
      c.querySelectorAll('mjx-c, mjx-mi, mjx-mo, mjx-mn, mjx-mtext').forEach(g => {
        const r = g.getBoundingClientRect();
        if (r.width > 0 && r.bottom > n.top && r.top < n.bottom) {"""
    """ gr = Math.max(gr, r.right); gl = Math.min(gl, r.left); }
      });
      gr = Math.min(gr, v.right); gl = Math.max(gl, v.left);
      if (gr > n.left + 1 && gl < n.right - 1) problems.push("""
    """`its number ${number} overlaps the maths (${px(gr)} px > ${px(n.left)} px)`);
    }
    if (problems.length) display.push({what: label + ': ' + [...new Set(problems)].join('; '),"""
    """ folded: !!c.closest('details')});
  });

  const inline = [];
  article.querySelectorAll('mjx-container:not([display="true"])').forEach(c => {
    if (c.parentElement.closest('mjx-container') || !visible(c)) return;
    const m = ink(c), v = view(c, false);
    if (v.scroller && !v.scroller.matches('.math, mjx-container')) {
      // inside a box that scrolls sideways (a table, not the formula's own wrapper) and
      // fits the column: reachable by scrolling
      const b = v.scroller.getBoundingClientRect();
      if (b.left >= column.left - 1 && b.right <= column.right + 1) return;
    }
    if (m.right > v.right + 1 || m.left < v.left - 1) inline.push({"""
    """what: describe(c).slice(0, 120) +"""
    """ `: ${px(m.left)}..${px(m.right)} px, visible ${px(v.left)}..${px(v.right)} px`,"""
    """ folded: !!c.closest('details')});
  });
  return {display, inline};
}"""
)

#: Opens every folded part of the article (solutions), to measure what it holds.
OPEN_FOLDS_JS = (
    """() => {
  const article = document.querySelector('article.bd-article') ||"""
    """ document.querySelector('main') || document.body;
  article.querySelectorAll('details').forEach(d => { d.open = true; });
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


def network_idle(page, timeout_ms: int = 5_000) -> None:
    """Wait for Playwright's "networkidle" (no request for 500 ms), at most ``timeout_ms``.

    Chromium sometimes never reports it for these pages although no request is in flight
    and none starts (seen on a page with lazy images in closed <details>): after the
    timeout the caller goes on, and waits for what it needs itself (images, quiet traffic).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=timeout_ms)


def settle(page) -> None:
    """Wait until the page has loaded, shown the figures held back for a guess, typeset its
    math and loaded its images."""
    page.wait_for_load_state("load")
    network_idle(page)
    page.evaluate(REVEAL_JS)
    page.evaluate(SETTLE_JS)
    page.evaluate(SCROLL_JS)
    page.evaluate(DESCRIBE_JS)


def measure_figures(page, html_dir: Path) -> dict:
    """Alt text and the smallest text of every content image of the loaded, settled
    ``page``, read from the drawing the browser shows (``currentSrc``)."""
    figure_text, unknown, bad_alt = [], [], []
    images = page.evaluate(IMAGES_JS)
    for img in images:
        problem = alt_problem(img["alt"], content=img["content"])
        if problem:
            bad_alt.append(f"{img['what']}: alt text {img['alt']!r} is {problem}")
        if not img["content"]:
            continue
        found = min_text_at_half_width(img["src"], page.url, html_dir)
        if found is None and img["attr"]:
            with suppress(ValueError):
                found = (float(img["attr"]), img["natural"])
        if found is None or not found[1]:
            unknown.append(img["what"])
            continue
        value, pixels = found
        px = value * img["shown"] / (pixels / 2)
        drawing = Path(urlparse(img["src"]).path).name if not img["src"].startswith("data:") else ""
        figure_text.append((round(px, 2), f"{img['what']} [{drawing}]" if drawing else img["what"]))
    figure_text.sort()
    return {
        "min_figure_text_px": "unknown"
        if unknown
        else (figure_text[0][0] if figure_text else None),
        "figure_text": figure_text,
        "figure_text_unknown": unknown,
        "bad_alt": bad_alt,
        "content_images": sum(1 for i in images if i["content"]),
    }


def measure_maths(page) -> dict:
    """Display equations clipped and inline formulas past the column, in the page as it
    is now (a folded solution's maths counts once it is open)."""
    raw = page.evaluate(MATHS_JS)
    return {
        "clipped_equations": [d["what"] for d in raw["display"] if not d["folded"]],
        "clipped_equations_folded": [d["what"] for d in raw["display"] if d["folded"]],
        "inline_cut": [d["what"] for d in raw["inline"] if not d["folded"]],
        "inline_cut_folded": [d["what"] for d in raw["inline"] if d["folded"]],
    }


def measure_wide(page, name: str, html_dir: Path) -> dict:
    """The 1280 px measurements of the loaded, settled ``page`` (see the module docstring)."""
    raw = page.evaluate(WIDE_JS)
    height = raw["articleHeight"] or 1.0
    maths = measure_maths(page)
    return {
        "code_share": round(raw["codeHeight"] / height, 4),
        "code_blocks": raw["codeItems"],
        "code_hscroll": len(raw["hscroll"]),
        "code_hscroll_blocks": raw["hscroll"],
        **measure_figures(page, html_dir),
        "clipped_equations": maths["clipped_equations"],
        "inline_cut": maths["inline_cut"],
        "bad_figures": raw["badFigures"],
        "glue_text": raw["glue"],
    }


def measure_narrow(page, html_dir: Path) -> dict:
    """The 390 px measurements of the loaded, settled page: whether it scrolls sideways
    (and what sticks out), its maths as it opens, and its figure text."""
    raw = page.evaluate(NARROW_JS)
    figures = measure_figures(page, html_dir)
    maths = measure_maths(page)
    return {
        "sideways": raw["scrollWidth"] > raw["clientWidth"],
        "scroll_width": raw["scrollWidth"],
        "client_width": raw["clientWidth"],
        "offenders": raw["offenders"],
        "cut_off": raw["cutOff"],
        "clipped_equations": maths["clipped_equations"],
        "inline_cut": maths["inline_cut"],
        "min_figure_text_px": figures["min_figure_text_px"],
        "figure_text": figures["figure_text"],
        "figure_text_unknown": figures["figure_text_unknown"],
    }


def measure_folded_maths(page) -> dict:
    """Open every folded solution of the page and measure the maths inside (call last:
    the page stays open)."""
    page.evaluate(OPEN_FOLDS_JS)
    maths = measure_maths(page)
    return {
        "clipped_equations_folded": maths["clipped_equations_folded"],
        "inline_cut_folded": maths["inline_cut_folded"],
    }


# --------------------------------------------------------------------------- weight


class Traffic:
    """What a page downloads: every request it makes, and the body of every response.

    Attach to a fresh page (of a fresh context: an empty cache) before ``goto``; then
    :meth:`weight` sums what has arrived so far.
    """

    def __init__(self, page):
        self.requests: list[str] = []
        self.responses: list = []
        self._sizes: list[int] = []
        self._pending: set = set()
        self._page = page
        page.on("request", self._started)
        page.on("response", lambda r: self.responses.append(r))
        page.on("requestfinished", lambda r: self._pending.discard(r))
        page.on("requestfailed", lambda r: self._pending.discard(r))

    def _started(self, request) -> None:
        self.requests.append(request.url)
        self._pending.add(request)

    def wait_quiet(self, quiet_ms: int = 500, limit_ms: int = 10_000) -> None:
        """Wait until no request is in flight and none has started for ``quiet_ms`` (at
        most ``limit_ms``): what a script fetches when idle (a slider's next frames) counts."""
        waited, seen = 0, -1
        while waited < limit_ms:
            if not self._pending and seen == len(self.requests):
                return
            seen = len(self.requests)
            self._page.wait_for_timeout(quiet_ms)
            waited += quiet_ms

    @staticmethod
    def _body_size(response) -> int:
        from playwright.sync_api import Error

        try:
            return len(response.body())
        except Error:  # a redirect, or a body Chromium no longer holds
            with suppress(Error, KeyError):
                return response.request.sizes()["responseBodySize"]
            return int(response.headers.get("content-length", 0))

    def weight(self) -> dict:
        """Body bytes so far, the number of responses, the five largest, and every request
        for a Font Awesome script (:func:`forbidden_request`)."""
        responses = [r for r in self.responses if not r.url.startswith("data:")]
        while len(self._sizes) < len(responses):
            self._sizes.append(self._body_size(responses[len(self._sizes)]))
        items = sorted(zip(self._sizes, (r.url for r in responses)), reverse=True)
        return {
            "bytes": sum(self._sizes),
            "responses": len(self._sizes),
            "largest": [(size, urlparse(url).path) for size, url in items[:5]],
            "forbidden": sorted({u for u in self.requests if forbidden_request(u)}),
        }


def first_visit(page, url: str) -> Traffic:
    """Open ``url`` in a fresh page and wait until the network is idle, without scrolling;
    the returned traffic's ``first`` is the weight of that cold first visit."""
    traffic = Traffic(page)
    page.goto(url, wait_until="load")
    network_idle(page)
    traffic.wait_quiet()
    traffic.first = traffic.weight()
    return traffic


@functools.cache
def chapter_pages() -> frozenset[str]:
    """The TOC entries with a live notebook (the chapters, not the preface)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from booktools.myst import chapter_sources

    return frozenset(str(path.relative_to(ROOT).with_suffix("")) for path in chapter_sources(ROOT))


def page_budget(name: str) -> tuple[str, int]:
    """The kind of page ``name`` is (``chapter`` or ``text``) and its first-visit budget."""
    kind = "chapter" if name in chapter_pages() else "text"
    return kind, BUDGET[kind]


def new_result(html_dir: Path, name: str) -> dict:
    """The measurements every page starts with: its HTML size and its weight budget."""
    kind, budget = page_budget(name)
    return {
        "html_bytes": (html_dir / f"{name}.html").stat().st_size,
        "kind": kind,
        "budget": budget,
    }


def theme_of(page) -> str:
    return page.evaluate("document.documentElement.dataset.theme || ''")


def screenshot(page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True, scale="css")


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


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


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
    narrow = r["narrow"]
    for width, m in ((WIDE, r), (NARROW, narrow)):
        for what in m["figure_text_unknown"]:
            out.append(
                f"figure text size unknown at {width} px "
                f"(no {MIN_TEXT_KEY} chunk, no data-min-text-css-px): {what}"
            )
        least = MIN_FIGURE_TEXT_PX[width]
        for px, what in m["figure_text"]:
            if px < least:
                out.append(
                    f"figure text of {px:g} CSS px at {width} px (at least {least:g}): {what}"
                )
        for what in m["clipped_equations"]:
            out.append(f"display equation clipped at {width} px: {what}")
        for what in m.get("clipped_equations_folded", []):
            out.append(f"display equation clipped at {width} px in an opened solution: {what}")
        for what in m["inline_cut"] + m.get("inline_cut_folded", []):
            out.append(f"inline formula past the column at {width} px: {what}")
    for where, axe in (
        ("light", r["axe_light"]),
        ("dark", r["axe_dark"]),
        (f"{NARROW} px", narrow["axe"]),
    ):
        for rule, v in axe["rules"].items():
            out.append(
                f"axe-core ({where}) {v['impact']} {rule} on {v['count']} element(s), "
                f"e.g. {v['nodes'][0][0]}: {v['help']}"
            )
    if narrow["sideways"]:
        out.append(
            f"the page scrolls sideways at {NARROW} px ({narrow['scroll_width']} px wide); "
            f"sticking out: {narrow['offenders'][:5]}"
        )
    for what in narrow["cut_off"]:
        out.append(f"cut off at {NARROW} px (its box neither fits nor scrolls): {what}")
    forbidden = set()
    for width, weight in ((WIDE, r["weight"]), (NARROW, narrow["weight"])):
        first = weight["first"]
        if first["bytes"] > r["budget"]:
            out.append(
                f"a cold first visit at {width} px downloads {_mb(first['bytes'])} "
                f"(at most {_mb(r['budget'])} for a {r['kind']} page); largest: "
                + ", ".join(f"{path} {size / 1000:.0f} kB" for size, path in first["largest"])
            )
        for visit in weight.values():
            forbidden.update(visit["forbidden"])
    out += [f"the page requests a Font Awesome script: {url}" for url in sorted(forbidden)]
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
    """A fresh browser context (its own, empty cache) that reaches only ``origin``: a
    laptop window of ``width`` x 900 CSS px, or, at :data:`NARROW`, a phone of 390 x 844
    CSS px at device scale 2."""
    phone = width <= NARROW
    context = browser.new_context(
        viewport={"width": width, "height": NARROW_HEIGHT if phone else WIDE_HEIGHT},
        device_scale_factor=NARROW_SCALE if phone else 1,
    )

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


def narrow(browser, origin: str, html_dir: Path, name: str, shots: Path | None = None) -> dict:
    """The 390 px measurements (:func:`measure_narrow`), the weight of a cold first visit
    and of scrolling to the end, axe-core, the 390 px screenshot, and last the maths of
    the folded solutions, opened."""
    context = new_context(browser, origin, NARROW)
    try:
        page = context.new_page()
        traffic = first_visit(page, f"{origin}/{name}.html")
        settle(page)
        traffic.wait_quiet()
        weight = {"first": traffic.first, "scrolled": traffic.weight()}
        result = measure_narrow(page, html_dir)
        result["weight"] = weight
        result["axe"] = run_axe(page)
        if shots:
            screenshot(page, shots / f"{Path(name).name}-{NARROW}.png")
        result.update(measure_folded_maths(page))
        # the figures of the opened solutions, once their (lazy) drawings have loaded
        page.evaluate(SCROLL_JS)
        figures = measure_figures(page, html_dir)
        for key in ("min_figure_text_px", "figure_text", "figure_text_unknown"):
            result[key] = figures[key]
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
    result = new_result(html_dir, name)
    context = new_context(browser, origin, WIDE)
    try:
        page = context.new_page()
        traffic = first_visit(page, f"{origin}/{name}.html")
        result["guess_problems"] = guess_problems(page)
        settle(page)
        result["weight"] = {"first": traffic.first, "scrolled": traffic.weight()}
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
    result["narrow"] = narrow(browser, origin, html_dir, name, shots)
    return result


def toc_pages() -> list[str]:
    from booktools.myst import read_toc, toc_entries

    return toc_entries(read_toc(ROOT))


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

    n = r["narrow"]
    return (
        f"{r['html_bytes'] / 1000:.0f} kB, code {100 * r['code_share']:.1f}%, "
        f"hscroll {r['code_hscroll']}, "
        f"fig text {r['min_figure_text_px']} / {n['min_figure_text_px']} at 390, "
        f"axe light {axe(r['axe_light'])}, dark {axe(r['axe_dark'])}, 390 {axe(n['axe'])}, "
        f"390 sideways {n['sideways']} ({len(n['offenders'])}), cut off {len(n['cut_off'])}, "
        f"clipped {len(r['clipped_equations'])} / {len(n['clipped_equations'])} at 390 "
        f"(+{len(n['clipped_equations_folded'])} folded), "
        f"inline {len(r['inline_cut'])} / {len(n['inline_cut'])} at 390, "
        f"first visit {_mb(r['weight']['first']['bytes'])} / "
        f"{_mb(n['weight']['first']['bytes'])} at 390, "
        f"bad alt {len(r['bad_alt'])}, bad figures {len(r['bad_figures'])}, "
        f"glue {len(r['glue_text'])}, problems {len(page_problems(r))}"
    )


def table(results: dict) -> str:
    """The measurement table (Markdown), one row per page of ``results`` (:func:`check_site`)."""

    def text_px(v):
        return v if isinstance(v, str) else ("–" if v is None else f"{v:.1f} px")

    def cut(now, folded):
        return f"{len(now)}" + (f" (+{len(folded)} folded)" if folded else "")

    def axe(a):
        return str(a["critical"] + a["serious"])

    head = (
        "| page | kind | display equations cut (390) | inline formulas cut (390) "
        "| smallest figure text 390 / 1280 | first visit 390, no scroll | scrolled to the end 390 "
        "| first visit 1280, no scroll | fontawesome.js | axe critical+serious 1280 / dark / 390 "
        "| problems |"
    )
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, r in results.items():
        n = r["narrow"]
        forbidden = any(v["forbidden"] for w in (r["weight"], n["weight"]) for v in w.values())
        rows.append(
            f"| {Path(name).name} | {r['kind']} "
            f"| {cut(n['clipped_equations'], n['clipped_equations_folded'])} "
            f"| {cut(n['inline_cut'], n['inline_cut_folded'])} "
            f"| {text_px(n['min_figure_text_px'])} / {text_px(r['min_figure_text_px'])} "
            f"| {_mb(n['weight']['first']['bytes'])} | {_mb(n['weight']['scrolled']['bytes'])} "
            f"| {_mb(r['weight']['first']['bytes'])} | {'yes' if forbidden else 'no'} "
            f"| {axe(r['axe_light'])} / {axe(r['axe_dark'])} / {axe(n['axe'])} "
            f"| {len(page_problems(r))} |"
        )
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--out", type=Path, help="write every measurement here (JSON)")
    parser.add_argument(
        "--table", action="store_true", help="print the measurement table (Markdown)"
    )
    parser.add_argument(
        "--screenshots",
        type=Path,
        help=f"folder for the screenshots (default: {SCREENSHOTS}; none with --table)",
    )
    parser.add_argument("--page", action="append", help="only this TOC entry (repeatable)")
    args = parser.parse_args(argv)
    if not (args.out or args.table):
        parser.error("give --out FILE, --table or both")
    shots = args.screenshots or (None if args.table else SCREENSHOTS)
    result = check_site(args.html_dir, args.page, shots)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    if args.table:
        print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
