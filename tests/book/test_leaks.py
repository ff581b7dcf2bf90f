"""No page gives an exercise's answer before the exercise's solution (:mod:`leakcheck`).

The check reads the built site: the text, outputs, captions, alt texts, slider and
guess texts and the text drawn on every figure a reader meets before each solution.
The second half shows it can fail: the old sentences that gave answers away, put back
into today's pages, are found — in prose, in a printed output, in a figure.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from booktools import leakcheck

pytestmark = pytest.mark.book
DATA = Path(__file__).resolve().parents[1] / "data"

#: Sentences and outputs that once stood before their exercise's solution.
OLD_LEAKS = {
    "ex-exploding-balance": "<p>Exactly at w = 4 every layer gets the same gradient.</p>",
    "ex-exploding-float32": "<pre>{'float32': 29, 'float64': 222}</pre>",
}


def _pages(built_html):
    return sorted((built_html / "chapters").glob("*.html"))


def test_no_page_gives_an_answer_before_its_solution(built_html):
    checks = leakcheck.checks_by_exercise()
    problems = [
        f"{p.stem}: {x}" for p in _pages(built_html) for x in leakcheck.page_leaks(p, checks)
    ]
    assert not problems, "\n".join(problems)


def test_every_numeric_exercise_is_looked_at(built_html):
    """Most exercises with a numeric check have their answer read off the page."""
    checks = leakcheck.checks_by_exercise()
    found = {
        a.exercise for p in _pages(built_html) for a in leakcheck.answers(p.read_text(), checks)
    }
    numeric = {label for label, c in checks.items() if getattr(c.rule, "numeric", False)}
    assert len(found) >= 0.8 * len(numeric), sorted(numeric - found)


def _copy_site(built_html, tmp_path):
    site = tmp_path / "site"
    (site / "chapters").mkdir(parents=True)
    for page in _pages(built_html):
        shutil.copy(page, site / "chapters" / page.name)
    shutil.copytree(built_html / "_images", site / "_images")
    return site


def _insert_before_exercise(page, label: str, snippet: str) -> None:
    html = page.read_text()
    at = html.find(f'id="{label}"')
    at = html.rfind("<div", 0, at)
    page.write_text(html[:at] + snippet + html[at:])


def test_an_answer_put_back_in_the_text_is_found(built_html, tmp_path):
    site = _copy_site(built_html, tmp_path)
    checks = leakcheck.checks_by_exercise()
    tried = 0
    for page in _pages(site):
        for answer in leakcheck.answers(page.read_text(), checks):
            if not leakcheck.detectable(answer):
                continue
            if len(answer.values) > 1:
                value = " and ".join(f"{v:.6g}" for v in answer.values)
            else:
                value = f"{answer.values[0]:.6g}"
            _insert_before_exercise(page, answer.exercise, f"<p>Here the answer is {value}.</p>")
            found = [x for x in leakcheck.page_leaks(page, checks) if answer.exercise in x]
            assert found, f"{page.stem}: {answer.exercise}'s answer {value} put back, not found"
            tried += 1
            shutil.copy(built_html / "chapters" / page.name, page)  # undo
    assert tried >= 10


def test_the_old_exploding_page_is_caught():
    """The exploding-gradients chapter as it stood before its rewrite (article only, solutions
    folded as the build folds them): "at w = 4 every layer gets the same gradient" stood
    above the exercise asking for that weight."""
    problems = leakcheck.page_leaks(DATA / "exploding-before.html")
    assert any(p.startswith("ex-exploding-balance") for p in problems), problems


def test_an_old_leaking_sentence_put_back_is_found(built_html, tmp_path):
    """The old sentences, put back before their exercise in today's page, are caught
    whenever that exercise still asks for the same value."""
    site = _copy_site(built_html, tmp_path)
    checks = leakcheck.checks_by_exercise()
    for page in _pages(site):
        for answer in leakcheck.answers(page.read_text(), checks):
            old = OLD_LEAKS.get(answer.exercise)
            if old is None or not any(
                answer.rule.accepts(float(n), answer.values[0]) for n in re.findall(r"\d+", old)
            ):
                continue
            _insert_before_exercise(page, answer.exercise, old)
            assert any(answer.exercise in x for x in leakcheck.page_leaks(page, checks)), old


def test_an_answer_drawn_on_a_figure_is_found(built_html, tmp_path):
    from PIL import Image, PngImagePlugin

    from vgp_lib.plots.style import TEXT_KEY

    site = _copy_site(built_html, tmp_path)
    checks = leakcheck.checks_by_exercise()
    page, answer = next(
        (p, a)
        for p in _pages(site)
        for a in leakcheck.answers(p.read_text(), checks)
        if len(a.values) == 1
    )
    info = PngImagePlugin.PngInfo()
    info.add_text(TEXT_KEY, f"layer\n{answer.values[0]:.6g}")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)
    (site / "_images" / "leak.png").write_bytes(buffer.getvalue())
    _insert_before_exercise(
        page, answer.exercise, '<figure><img src="../_images/leak.png" alt="a plot"></figure>'
    )
    assert any(answer.exercise in x for x in leakcheck.page_leaks(page, checks))
