"""The predict-then-see control: its markup, and the control itself in Chromium."""

from __future__ import annotations

import json
import re

import pytest

from vgp_lib.plots.guess import guess


def _markup(**kwargs):
    args = dict(
        question="Which layer learns fastest?",
        options=["the first", "the last", "all alike"],
        answer=1,
        why="Each layer towards the input multiplies by a small factor.",
        reveal="fig-x",
    )
    args.update(kwargs)
    return guess(**args).data


def test_markup_is_a_fieldset_of_labelled_radios_with_a_status_line():
    html = _markup()
    assert "<fieldset" in html and "<legend" in html and "Predict: Which layer" in html
    assert len(re.findall(r'<label[^>]*><input type="radio"', html)) == 3
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert 'data-reveal="fig-x"' in html
    data = json.loads(re.search(r'class="vgp-guess-data">(.*?)</script>', html).group(1))
    assert data == {
        "answer": 1,
        "why": "Each layer towards the input multiplies by a small factor.",
        "options": ["the first", "the last", "all alike"],
    }


def test_text_is_escaped_and_cannot_close_the_script():
    html = _markup(options=["<b>x</b>", "</script><i>"], answer=0, why="a < b & c")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert html.count("</script>") == 2


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"question": " "}, ValueError),
        ({"options": "ab"}, TypeError),
        ({"options": ["only one"]}, ValueError),
        ({"options": range(10**12)}, ValueError),  # refused before it is listed
        ({"answer": 3}, ValueError),
        ({"answer": True}, TypeError),
        ({"why": ""}, ValueError),
        ({"reveal": None}, TypeError),
    ],
)
def test_bad_arguments_are_refused_naming_the_parameter(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        _markup(**kwargs)


@pytest.mark.browser
def test_the_control_holds_the_figure_back_until_a_guess(tmp_path):
    from booktools import pagecheck
    from tests.conftest import need_browser

    need_browser()
    from playwright.sync_api import sync_playwright

    page_html = (
        "<!doctype html><html lang='en'><head><title>t</title></head><body><main>"
        + _markup()
        + '<figure id="fig-x"><img alt="a plot" src="data:image/gif;base64,'
        'R0lGODlhAQABAAAAACw="><figcaption>Figure 1</figcaption></figure></main></body></html>'
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(pagecheck.CHROMIUM), headless=True, args=pagecheck.FLAGS
        )
        try:
            page = browser.new_page()
            page.set_content(page_html)
            assert not page.locator("#fig-x").is_visible()
            page.locator("button.vgp-guess-check").click()
            assert "Choose one" in page.locator('[role="status"]').inner_text()
            assert not page.locator("#fig-x").is_visible()
            assert pagecheck.guess_problems(page) == []
            said = page.locator('[role="status"]').inner_text()
            assert "the last" in said and "small factor" in said
            assert page.locator("#fig-x").is_visible()

            no_js = browser.new_context(java_script_enabled=False).new_page()
            no_js.set_content(page_html)
            assert no_js.locator("#fig-x").is_visible()
            assert no_js.locator(".vgp-guess-nojs").is_visible()
            assert not no_js.locator("button.vgp-guess-check").is_visible()
        finally:
            browser.close()
