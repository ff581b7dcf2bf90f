"""The built site in a real browser: Debian's Chromium driven by Playwright.

Every page in the table of contents is served from 127.0.0.1 with every other
request blocked, and must show no console errors and no failed requests, load
every image, typeset its math with the local MathJax, and keep exercise solutions
collapsed until clicked (without JavaScript too), and every predict-then-see control must
hold its figure back until the reader guesses. Then it must work for every reader, as
measured by :mod:`pagecheck`: axe-core finds no critical or serious violation at 1280 px
in light and dark mode, nor at 390 px; on a phone (390 x 844 px, device scale 2) nothing
scrolls the page sideways or is cut off; at 390 and 1280 px no display equation is clipped
(nor, at 390 px, one in a solution once opened), every equation number shows whole, and
no inline formula runs past the column; no code block scrolls sideways at 1280 px; every
image has real alt text, every figure a number and a caption, no ``glue(`` shows; the
HTML is at most 400 kB; figure text, in the drawing the browser picked, is at least
12 CSS px at 1280 px and 11 at 390 px; visible code is at most 10 % of the page; every
slider's value, frame and alt text change when its focused range input gets ArrowRight;
and a cold first visit (no scrolling) downloads at most 1.5 MB for a chapter and 0.8 MB
for a text page, at 1280 and at 390 px, and no page requests a ``fontawesome`` script.
Screenshots of each page at 1280 and 390 px go to ``_build/screenshots/``
(``<page>-1280.png``, ``<page>-390.png``).

Without Chromium the test skips with a message, except in CI (``CI=true``).
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

from booktools import pagecheck
from booktools.myst import read_toc, toc_entries
from tests.conftest import ROOT, need_browser

CHROMIUM = pagecheck.CHROMIUM
FLAGS = pagecheck.FLAGS
SCREENSHOTS = pagecheck.SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(built_html):
    with pagecheck.serve(built_html) as origin:
        yield origin


@pytest.fixture(scope="module")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


def _source_has_math(name: str) -> bool:
    text = (pagecheck.ROOT / f"{name}.md").read_text()
    return "{math}" in text or "$" in text


@pytest.mark.parametrize("name", toc_entries(read_toc(ROOT)))
def test_page_in_chromium(name, server, browser, built_html):
    origin = server
    context = browser.new_context(
        viewport={"width": pagecheck.WIDE, "height": pagecheck.WIDE_HEIGHT}
    )
    page = context.new_page()
    console_errors, failed, blocked = [], [], []

    def route(r):
        if r.request.url.startswith(origin):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on(
        "response",
        lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None,
    )

    result = pagecheck.new_result(built_html, name)
    try:
        # a fresh context: a cold first visit, weighed before any scrolling
        traffic = pagecheck.first_visit(page, f"{origin}/{name}.html")
        result["guess_problems"] = pagecheck.guess_problems(page)
        pagecheck.settle(page)  # math typeset, lazy images loaded (scrolled through)
        result["weight"] = {"first": traffic.first, "scrolled": traffic.weight()}

        # Math: typeset by the local MathJax wherever the page has math.
        if _source_has_math(name):
            page.wait_for_selector("mjx-container", timeout=30_000)
            assert page.locator("mjx-container").count() > 0

        # Every image has loaded.
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !i.closest('details:not([open])'))"
            ".filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.src.slice(0, 80))"
        )
        assert not broken, f"{name}: images that did not load: {broken}"

        # The reader's page at 1280 px, as it opens (solutions folded).
        result.update(pagecheck.measure_wide(page, name, built_html))
        result["axe_light"] = pagecheck.run_axe(page)
        pagecheck.screenshot(page, SCREENSHOTS / f"{Path(name).name}-{pagecheck.WIDE}.png")

        # Sliders: the keyboard moves them, and the label, frame and alt text follow.
        result["slider_problems"] = pagecheck.slider_keyboard_problems(page)

        # Exercise solutions: collapsed until clicked, with their code and outputs inside;
        # the check a reader sees under a stub says only "not attempted".
        solutions = page.locator("details.solution")
        outputs = page.locator("details.solution div.cell_output")
        for i in range(outputs.count()):
            assert not outputs.nth(i).is_visible(), (
                f"{name}: a solution's output {i} shows before its solution is opened"
            )
        for check in page.locator("div.cell.tag_check").all():
            assert "not attempted" in check.inner_text().lower(), (
                f"{name}: a check under a stub says: {check.inner_text()[:200]}"
            )
        assert (
            page.locator("div.cell.tag_solution").count()
            == page.locator("details.solution div.cell.tag_solution").count()
        ), f"{name}: a solution cell lies outside its folded solution"
        for i in range(solutions.count()):
            sol = solutions.nth(i)
            sol.scroll_into_view_if_needed()
            body = sol.locator("section").first
            assert not body.is_visible(), f"{name}: solution {i} is open before a click"
            sol.locator("summary").first.click()
            body.wait_for(state="visible", timeout=5_000)
            # its figures load lazily, once it is open
            late = sol.evaluate(
                """async (s) => {
                  const imgs = Array.from(s.querySelectorAll('img'));
                  imgs.forEach(i => i.scrollIntoView());
                  await Promise.race([Promise.all(imgs.map(i => i.complete ? null :
                      new Promise(r => { i.onload = r; i.onerror = r; }))),
                    new Promise(r => setTimeout(r, 10000))]);
                  return imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                             .map(i => i.src.slice(0, 80));
                }"""
            )
            assert not late, f"{name}: images in solution {i} that did not load: {late}"
    finally:
        context.close()

    assert not blocked, f"{name}: requests to other hosts: {blocked}"
    assert not failed, f"{name}: failed requests: {failed}"
    assert not console_errors, f"{name}: console errors: {console_errors}"

    # Dark mode (axe-core again) and a phone (390 px: its maths, figures, weight and
    # axe-core, and its screenshot).
    result["axe_dark"] = pagecheck.dark_axe(browser, origin, name)
    result["narrow"] = pagecheck.narrow(browser, origin, built_html, name, SCREENSHOTS)
    problems = pagecheck.page_problems(result)
    assert not problems, f"{name}: {len(problems)} problem(s) for readers:\n  " + "\n  ".join(
        problems
    )


def test_solutions_stay_folded_without_javascript(server, browser):
    """A reader with JavaScript off sees every exercise but no solution, on every page."""
    context = browser.new_context(
        viewport={"width": pagecheck.WIDE, "height": 900}, java_script_enabled=False
    )
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith(server) else r.abort()
    )
    seen = 0
    try:
        page = context.new_page()
        for name in toc_entries(read_toc(ROOT)):
            page.goto(f"{server}/{name}.html", wait_until="load")
            folded = page.locator("details.solution")
            seen += folded.count()
            for i in range(folded.count()):
                assert folded.nth(i).get_attribute("open") is None, f"{name}: solution {i} open"
                for part in folded.nth(i).locator("div.cell, p").all():
                    assert not part.is_visible(), f"{name}: solution {i} shows without a click"
            assert page.locator("div.solution").count() == 0, f"{name}: a solution not folded"
    finally:
        context.close()
    assert seen > 30


# --------------------------------------------------------------------------- the checker itself


def _png(width: int, height: int, text: dict[str, str]) -> bytes:
    """A plain grey PNG with tEXt chunks."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    out = b"\x89PNG\r\n\x1a\n" + chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    )
    for key, value in text.items():
        out += chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1"))
    return out + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


SLIDER = (
    """
<div class="vgp-slider" id="vgp-slider-{h}">
  <img class="vgp-slider-frame" src="{f0}" """
    """alt="Frame zero: a grey square standing for the first frame." width="{w}">
  <div class="vgp-slider-controls">
    <label class="vgp-slider-label" for="vgp-slider-{h}-input">"""
    """<span class="vgp-slider-name">|w|</span> = """
    """<output class="vgp-slider-value">1.0</output></label>
    <input type="range" class="vgp-slider-input" id="vgp-slider-{h}-input" """
    """min="0" max="1" step="1" value="0" aria-valuetext="|w| = 1.0">
  </div>
  <script type="application/json" class="vgp-slider-data">"""
    """{{"values": ["1.0", "2.0"], "frames": ["{f0}", "{f1}"],
    "alts": ["Frame zero: a grey square standing for the first frame.", """
    """"Frame one: a grey square standing for the second frame."]}}</script>
</div>"""
)

SLIDER_JS = """<script>
document.querySelectorAll('.vgp-slider').forEach(root => {
  const data = JSON.parse(root.querySelector('.vgp-slider-data').textContent);
  const input = root.querySelector('input'), img = root.querySelector('img');
  if (root.id.endsWith('broken')) return;
  input.addEventListener('input', () => {
    const k = +input.value;
    root.querySelector('output').textContent = data.values[k];
    input.setAttribute('aria-valuetext', '|w| = ' + data.values[k]);
    img.src = data.frames[k]; img.alt = data.alts[k];
  });
});
</script>"""


def _page(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A test page</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body><main><article class="bd-article"><h1>A test page</h1>{body}</article></main>'
        f"{SLIDER_JS}</body></html>"
    )


def _picture(phone: str, number: int) -> str:
    """A numbered figure whose drawing for phones (under 640 px) is ``phone``."""
    return (
        '<figure style="margin: 1em 0"><picture><source media="(max-width: 640px)" '
        f'srcset="../{phone}"><img src="../frame0.png" '
        'alt="A grey bar, drawn once for a laptop and once for a phone." '
        'style="width: 100%; max-width: 342px"></picture>'
        f'<figcaption><p><span class="caption-number">Figure {number} </span>'
        '<span class="caption-text">A grey bar, two drawings.</span></p></figcaption></figure>'
    )


def _equation(number: str, label: str, maths_style: str = "", *, eqno_style: str = "") -> str:
    """A display equation as MathJax typesets it (a stand-in: no glyphs)."""
    return (
        f'<div class="math" id="equation-{label}" style="overflow-x: auto"><p>'
        f'<span class="eqno" style="float: right; {eqno_style}">{number}</span>'
        '<mjx-container class="MathJax" display="true" style="display: block; '
        f'overflow-x: auto"><mjx-math style="display: inline-block; {maths_style}">'
        "a = b + c</mjx-math></mjx-container></p></div>"
    )


def _inline(maths_style: str = "") -> str:
    return (
        '<mjx-container class="MathJax" style="white-space: nowrap">'
        f'<mjx-math style="display: inline-block; {maths_style}">x + y</mjx-math></mjx-container>'
    )


def test_pagecheck_fails_a_bad_page_and_passes_a_good_one(browser, tmp_path):
    """The checker can fail: each kind of problem on a bad page is found, and a page
    with none of them (and a working slider) passes."""
    (tmp_path / "chapters").mkdir()
    # 12 CSS px text at half the natural width (300 px); shown at 300 px: 12 px, at 100 px: 4 px
    (tmp_path / "frame0.png").write_bytes(_png(600, 40, {pagecheck.MIN_TEXT_KEY: "12.00"}))
    (tmp_path / "frame1.png").write_bytes(_png(600, 40, {pagecheck.MIN_TEXT_KEY: "12.00"}))
    (tmp_path / "plain.png").write_bytes(_png(600, 40, {}))
    # drawings for a phone's 342 px column: 12 CSS px text there, and 6
    (tmp_path / "phone.png").write_bytes(_png(684, 40, {pagecheck.MIN_TEXT_KEY: "12.00"}))
    (tmp_path / "phone-small.png").write_bytes(_png(684, 40, {pagecheck.MIN_TEXT_KEY: "6.00"}))
    # more than a text page's budget (0.8 MB), and the icon script no page may load
    (tmp_path / "heavy.js").write_text("// " + "x" * 900_000 + "\n")
    (tmp_path / "_static" / "scripts").mkdir(parents=True)
    (tmp_path / "_static" / "scripts" / "fontawesome.js").write_text("// icons\n")
    text = (
        "<p>"
        + "Words a reader reads, in a paragraph long enough to fill some lines. " * 40
        + "</p>"
    )
    good = (
        text + '<figure><img src="../frame0.png" '
        'alt="A grey bar, as wide as the column, with nothing on it." width="300">'
        + '<figcaption><p><span class="caption-number">Figure 1 </span>'
        '<span class="caption-text">A grey bar.</span></p></figcaption></figure>'
        + SLIDER.format(h="good", f0="../frame0.png", f1="../frame1.png", w=300)
        + '<div class="cell_input"><pre>x = 1</pre></div>'
        + _picture("phone.png", 2)
        + _equation("(1.1)", "good")
        + f"<p>An inline formula {_inline()} that fits the column.</p>"
        + '<details class="solution"><summary>Solution</summary>'
        + _equation("(1.2)", "folded-good")
        + "</details>"
    )
    bad = (
        '<div class="cell_input"><pre style="height: 600px">'
        + "y = 'a long line of code' + " * 8
        + "</pre></div>"
        + '<figure><img src="../plain.png" alt="../_images/plain.png">'
        '<img src="../plain.png"></figure>'
        + '<p><img src="../frame0.png" alt="A grey bar, not inside any figure at all." '
        'width="300"></p>' + '<figure><img src="../frame0.png" '
        'alt="A grey bar, as wide as the column, with nothing on it." style="width: 100px">'
        "</figure>"
        + '<p>glue("x", 1, display=False)</p>'
        + '<div style="width: 600px">A box wider than a phone.</div>'
        + SLIDER.format(h="broken", f0="../frame0.png", f1="../frame1.png", w=300)
        + _picture("phone-small.png", 3)
        + _equation("(1.3)", "too-wide", "width: 600px")
        + _equation("(1.4)", "number-off", eqno_style="margin-right: -80px")
        + f"<p>An inline formula {_inline('width: 500px')} past a phone's column.</p>"
        + '<details class="solution"><summary>Solution</summary>'
        + _equation("(1.5)", "folded-too-wide", "width: 600px")
        + "</details>"
        + '<script src="../heavy.js"></script>'
        + '<script src="../_static/scripts/fontawesome.js"></script>'
    )
    (tmp_path / "chapters" / "good.html").write_text(_page(good))
    (tmp_path / "chapters" / "bad.html").write_text(_page(bad))

    with pagecheck.serve(tmp_path) as origin:
        results = {
            name: pagecheck.check_page(
                browser, origin, tmp_path, f"chapters/{name}", shots=None, dark=False
            )
            for name in ("good", "bad")
        }
    good = results["good"]
    assert pagecheck.page_problems(good) == []
    assert good["min_figure_text_px"] == 12.0
    # at 390 px the phone drawing is the one measured
    assert good["narrow"]["min_figure_text_px"] == 12.0
    assert any("[phone.png]" in what for _, what in good["narrow"]["figure_text"])
    assert not any("[phone.png]" in what for _, what in good["figure_text"])
    for weight in (good["weight"], good["narrow"]["weight"]):
        assert 0 < weight["first"]["bytes"] <= weight["scrolled"]["bytes"] < 100_000
    assert results["bad"]["narrow"]["weight"]["first"]["bytes"] > 900_000
    found = "\n".join(pagecheck.page_problems(results["bad"]))
    for expected in (
        "visible code is",
        "code scrolls sideways at 1280 px",
        "figure text size unknown",
        "figure text of 4 CSS px",
        "image without real alt text",
        "figure without number or caption: figure",
        "an image outside a numbered, captioned figure",
        "visible text contains glue(",
        "the page scrolls sideways at 390 px",
        "slider #vgp-slider-broken: ArrowRight left the label's value",
        "slider #vgp-slider-broken: ArrowRight left the frame's src",
        "slider #vgp-slider-broken: ArrowRight left the frame's alt",
        "axe-core (light) critical image-alt",
        "axe-core (390 px) critical image-alt",
        "figure text of 6 CSS px at 390 px",
        "display equation clipped at 390 px: (1.3) #equation-too-wide: it scrolls",
        "display equation clipped at 390 px in an opened solution: (1.5)",
        "display equation clipped at 390 px: (1.4) #equation-number-off: its number (1.4) is cut",
        "display equation clipped at 1280 px: (1.4) #equation-number-off: its number (1.4) is cut",
        "inline formula past the column at 390 px",
        "a cold first visit at 390 px downloads 0.9",
        "a cold first visit at 1280 px downloads 0.9",
        "(at most 0.80 MB for a text page); largest: /heavy.js 900 kB",
    ):
        assert expected in found, f"the checker missed {expected!r} on the bad page:\n{found}"
    assert re.search(r"Font Awesome script: http://[\d.:]+/_static/scripts/fontawesome\.js", found)
    # what fits a laptop's column is not reported at 1280 px
    for fits in ("display equation clipped at 1280 px: (1.3)", "past the column at 1280 px"):
        assert fits not in found, f"the checker reported {fits!r}:\n{found}"


def test_weight_budget_by_kind_of_page():
    """A page with a live notebook is a chapter (1.5 MB); the preface, the exercises and
    the bibliography are text pages (0.8 MB)."""
    for name in toc_entries(read_toc(ROOT)):
        kind, budget = pagecheck.page_budget(name)
        text = name in ("chapters/preface", "chapters/exercises", "chapters/bibliography")
        assert (kind, budget) == (("text", 800_000) if text else ("chapter", 1_500_000)), name
