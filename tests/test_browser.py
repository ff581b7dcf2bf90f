"""The built site in a real browser: Debian's Chromium driven by Playwright.

Every page in the table of contents is served from 127.0.0.1 with every other
request blocked, and must show no console errors and no failed requests, load
every image, typeset its math with the local MathJax, keep exercise solutions
collapsed until clicked, and let its scrubbable figure change frame when the
slider moves. A screenshot of each page goes to ``_build/screenshots/``.

Without Chromium the test skips with a message, except in CI (``CI=true``).
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from conftest import ROOT, in_ci
from test_platform import toc_files

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "_build" / "screenshots"

pytestmark = pytest.mark.browser


def _need_browser():
    problem = None
    if not CHROMIUM.exists():
        problem = f"Chromium not found at {CHROMIUM} (install Debian's `chromium` package)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (make test installs requirements-dev.txt)"
    if problem:
        if in_ci():
            pytest.fail(f"the browser test must run in CI: {problem}")
        pytest.skip(problem)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_html):
    handler = functools.partial(_QuietHandler, directory=str(built_html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


def _source_has_math(name: str) -> bool:
    text = (ROOT / f"{name}.md").read_text()
    return "{math}" in text or "$" in text


@pytest.mark.parametrize("name", toc_files())
def test_page_in_chromium(name, server, browser):
    origin = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
    page.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)

    try:
        page.goto(f"{origin}/{name}.html", wait_until="load")
        page.wait_for_load_state("networkidle")

        # Math: typeset by the local MathJax wherever the page has math.
        if _source_has_math(name):
            page.wait_for_selector("mjx-container", timeout=30_000)
            assert page.locator("mjx-container").count() > 0

        # Scrubbable figures: moving the slider changes the frame.
        sliders = page.locator("input.vgp-slider-input")
        for i in range(sliders.count()):
            slider = sliders.nth(i)
            img = page.locator(f"#{slider.get_attribute('id').removesuffix('-input')} img.vgp-slider-frame")
            img.scroll_into_view_if_needed()
            first = img.get_attribute("src")
            top = int(slider.get_attribute("max"))
            assert top >= 1, "a scrubbable figure needs at least two frames"
            slider.evaluate(
                "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", top
            )
            page.wait_for_function(
                "([id, old]) => document.querySelector('#' + id + ' img.vgp-slider-frame').getAttribute('src') !== old",
                arg=[slider.get_attribute("id").removesuffix("-input"), first],
            )
            assert img.get_attribute("src") != first

        # Exercise solutions: collapsed until clicked, with their code and outputs inside;
        # the check a reader sees under a stub says only "not attempted".
        solutions = page.locator("div.solution.dropdown")
        outputs = page.locator("div.solution.dropdown div.cell_output")
        for i in range(outputs.count()):
            assert not outputs.nth(i).is_visible(), f"a solution's output {i} shows before its solution is opened"
        for check in page.locator("div.cell.tag_check").all():
            assert "not attempted" in check.inner_text().lower(), f"a check under a stub says: {check.inner_text()[:200]}"
        assert page.locator("div.cell.tag_solution").count() == page.locator("div.solution.dropdown div.cell.tag_solution").count(), (
            "a solution cell lies outside its folded solution"
        )
        for i in range(solutions.count()):
            sol = solutions.nth(i)
            sol.scroll_into_view_if_needed()
            body = sol.locator("section").first
            assert not body.is_visible(), f"solution {i} is open before a click"
            sol.locator("button.toggle-button").first.click()
            body.wait_for(state="visible", timeout=5_000)

        # Every image has loaded (after scrolling through the page, for lazy ones).
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))"
        )
        assert not broken, f"images that did not load: {broken}"

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"{Path(name).name}.png"), full_page=True)
    finally:
        context.close()

    assert not blocked, f"requests to other hosts: {blocked}"
    assert not failed, f"failed requests: {failed}"
    assert not console_errors, f"console errors: {console_errors}"
