"""Does a built page give an exercise's answer before the exercise's solution?

For every exercise on a page whose self-check judges a number (or a pair of numbers),
this module takes the values the check accepts — the reference solution's value, read
from the check's ``reference`` or from the "Correct" line the page's own solution
prints — and looks for a number the check would accept anywhere a reader meets before
that solution: the running text and the tables, code and outputs, captions and alt
text, the labels and alt texts of slider frames, what a predict-then-see control says
after a guess, and the text drawn on every figure (read from the PNG's ``vgp:text``
chunk, :data:`vgp_lib.plots.style.TEXT_KEY`).

The outputs of cells right under a folded solution, before the next paragraph, count as
"before" too: a reader sees them without opening the solution. The book's own numbering
(sections, figures, equations, exercises) is not a number a reader could take for an
answer and is left out. A number counts as the answer when the check's own rule accepts it and it is
distinctive: at least two significant digits ("28.7", "0.00077", "29"), or a small
number written as a value ("w = 4", "'float32': 8"). For an answer of two numbers both
must appear, and at least one of them must have two significant digits. Run on a built site::

    python -m booktools.leakcheck _build/html
"""

from __future__ import annotations

import html as _html
import io
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

#: A number as the page writes it: 0.25, -0.00077, 1,000, 1.6e-07, 28.7 %, −3.
NUMBER = re.compile(r"(?<![\w.])([-−]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE]([-−+]?\d+))?(\s?%)?")
#: What makes a one-digit number a stated value: "= 4", ": 4", "is 4", "equals 4".
VALUE_CONTEXT = re.compile(r"(=|:|\bis|\bequals|\bof)\s*[\"'(]?\s*$")
_CORRECT = re.compile(r"<strong>Correct</strong>\s*\(([a-z0-9-]+)\):(.*?)</div>", re.S)
_LAST_VALUE = re.compile(r"=\s*([-−]?[\d.,]+(?:e[-+]?\d+)?):\s*correct", re.S)
_EXERCISE = re.compile(r'<div class="exercise[^"]*" id="(ex-[a-z0-9-]+)"')
_SOLUTION = re.compile(r'<details class="solution[^"]*"[^>]*data-for="(ex-[a-z0-9-]+)"')
_IMG_SRC = re.compile(r'<img[^>]*\bsrc="([^"]+)"')
_JSON_DATA = re.compile(
    r'<script type="application/json" class="vgp-(?:slider|guess)-data">(.*?)</script>', re.S
)
_ALT = re.compile(r'\balt="([^"]*)"')
#: The book's own numbering, which is not an answer: section, figure, table, equation and
#: exercise numbers ("9.1.", "Figure 3.2", "(4.3)", "Exercise 2.1").
_NUMBERING = re.compile(
    r'<span class="(?:section|caption|eqno)-number">.*?</span>|<span class="eqno">.*?</span>'
    r"|\b(?:Figure|Fig\.|Table|Exercise|Section|Chapter|Equation|eq\.)\s*\(?\d+(?:\.\d+)*\)?"
    r"|\(\d+\.\d+\)",
    re.S,
)
#: What a reader sees under a folded solution before the next paragraph of text: the
#: outputs of cells right after it count as part of the exercise.
_NEXT_PROSE = re.compile(r"<p\b|<h[1-6]\b|<section\b|<div class=\"exercise")


@dataclass(frozen=True)
class Answer:
    """One value an exercise's check accepts, with the rule that accepts it."""

    exercise: str
    rule: object  # a vgp_lib.exercises.Precision
    values: tuple  # one number, or the two numbers of a pair (each with its own rule)
    rules: tuple


def checks_by_exercise() -> dict:
    """``{exercise label: check function}`` for every self-check in ``vgp_lib.exercises``
    that judges by a rule (:func:`booktools.chapter_exercises.book_checks`)."""
    from booktools.chapter_exercises import book_checks

    return {obj.exercise: obj for obj in book_checks().values() if hasattr(obj, "rule")}


def _parse_number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("−", "-"))
    except ValueError:
        return None


def answers(page_html: str, checks: dict | None = None) -> list[Answer]:
    """The values the checks of the page's exercises accept."""
    from booktools.references import REFERENCES
    from vgp_lib.exercises import Pair

    checks = checks_by_exercise() if checks is None else checks
    correct = {label: text for label, text in _CORRECT.findall(page_html)}
    found = []
    for label in _EXERCISE.findall(page_html):
        check = checks.get(label)
        if check is None or not getattr(check.rule, "numeric", False):
            continue
        rule = check.rule
        reference = REFERENCES.get(label)
        if isinstance(rule, Pair):
            if reference is None:
                continue
            try:
                r1, r2 = reference()
            except Exception:  # noqa: BLE001 - a reference that needs arguments: skip
                continue
            found.append(Answer(label, rule, (float(r1), float(r2)), (rule.first, rule.second)))
            continue
        value = None
        said = _LAST_VALUE.search(_html.unescape(correct.get(label, "")))
        if said:
            value = _parse_number(said.group(1))
        if value is None and reference is not None:
            try:
                value = float(reference())
            except Exception:  # noqa: BLE001 - a reference that needs arguments: skip
                value = None
        if value is not None and math.isfinite(value):
            found.append(Answer(label, rule, (value,), (rule,)))
    return found


def _png_text(path: Path) -> str:
    from PIL import Image

    from vgp_lib.plots.style import TEXT_KEY

    if not path.is_file() or path.suffix.lower() != ".png":
        return ""
    with Image.open(io.BytesIO(path.read_bytes())) as image:
        return image.text.get(TEXT_KEY, "")


def reader_text(fragment: str, page_dir: Path) -> str:
    """Everything a reader can meet in an HTML ``fragment``: text, alt texts, slider and
    guess texts, and the text drawn on its figures (``page_dir``: the page's folder)."""
    parts = [_html.unescape(a) for a in _ALT.findall(fragment)]
    for data in _JSON_DATA.findall(fragment):
        payload = json.loads(data)
        parts += payload.get("labels", []) + payload.get("alts", [])
        parts += payload.get("options", []) + [payload.get("why", "")]
        for frame in payload.get("frames", []):
            if not frame.startswith("data:"):
                parts.append(_png_text((page_dir / frame).resolve()))
    for src in _IMG_SRC.findall(fragment):
        if not src.startswith("data:"):
            parts.append(_png_text((page_dir / src.split("?")[0]).resolve()))
    text = _JSON_DATA.sub(" ", fragment)
    text = _NUMBERING.sub(" ", text)
    text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    parts.append(_html.unescape(text))
    return "\n".join(parts)


_POWER = re.compile(r"(?:(\d+(?:\.\d+)?)\s*(?:\\times|×|\\cdot)\s*)?10\^\{?([-−]?\d+)\}?")


def _powers_as_e(text: str) -> str:
    """``2.5 \\times 10^{-3}`` and ``10^{-5}`` (LaTeX powers) as ``2.5e-3`` and ``1e-5``."""
    return _POWER.sub(lambda m: f"{m.group(1) or '1'}e{m.group(2).replace('−', '-')}", text)


def numbers(text: str):
    """``(value, distinctive, start)`` for every number in ``text`` (a percentage gives
    its value and its fraction)."""
    text = _powers_as_e(text)
    for m in NUMBER.finditer(text):
        sign, whole, frac, exp, percent = m.groups()
        raw = whole.replace(",", "") + (frac or "")
        value = float(raw) * (-1 if sign else 1)
        if exp:
            value *= 10.0 ** int(exp.replace("−", "-"))
        digits = raw.replace(".", "").lstrip("0")
        stated = bool(VALUE_CONTEXT.search(text[max(0, m.start() - 12) : m.start()]))
        distinctive = len(digits.rstrip("0") if frac is None else digits) >= 2 or stated
        yield value, distinctive, m.start()
        if percent:
            yield value / 100, distinctive, m.start()


def _accepts(rule, got: float, reference: float) -> bool:
    try:
        return bool(rule.accepts(got, reference))
    except (TypeError, ValueError):
        return False


def find_answer(answer: Answer, text: str) -> list[str]:
    """Where in ``text`` the answer stands (short excerpts); [] if it does not."""
    where_each = []
    text = _powers_as_e(text)
    tokens = list(numbers(text))
    for rule, reference in zip(answer.rules, answer.values):
        hits = [
            text[max(0, start - 40) : start + 25].replace("\n", " ")
            for value, distinctive, start in tokens
            if distinctive and _accepts(rule, value, reference)
        ]
        where_each.append(hits)
    if not detectable(answer):
        return []
    if all(where_each):
        return [hit for hits in where_each for hit in hits[:2]]
    return []


def detectable(answer: Answer) -> bool:
    """False for an answer of two one-digit numbers ("1 and 0.5"): those stand on any page
    of this book, and the check cannot tell them from the answer."""
    return len(answer.values) == 1 or any(_digits(v) >= 2 for v in answer.values)


def _digits(value: float) -> int:
    """Significant digits of ``value`` written to 6 of them ("0.4477" has 4, "1.0" 1)."""
    return len(f"{abs(value):.6g}".replace(".", "").lstrip("0").split("e")[0].rstrip("0"))


def page_leaks(page: Path, checks: dict | None = None) -> list[str]:
    """Each exercise of the built ``page`` whose answer a reader meets before its solution."""
    html = page.read_text(encoding="utf-8")
    start = html.find("<article")
    html = html[start:] if start >= 0 else html
    solutions = {m.group(1): m.start() for m in _SOLUTION.finditer(html)}
    problems = []
    for answer in answers(html, checks):
        end = solutions.get(answer.exercise)
        if end is None:
            problems.append(f"{answer.exercise}: no folded solution found on the page")
            continue
        close = html.find("</details>", end)
        after = _NEXT_PROSE.search(html, close) if close >= 0 else None
        window = html[:end] + (html[close : after.start()] if after else "")
        hits = find_answer(answer, reader_text(window, page.parent))
        if hits:
            problems.append(
                f"{answer.exercise}: its answer stands before its solution: "
                + " | ".join(repr(h) for h in hits[:3])
            )
    return problems


def main(argv=None) -> int:
    site = Path((argv or sys.argv[1:])[0] if (argv or sys.argv[1:]) else "_build/html")
    checks = checks_by_exercise()
    bad = 0
    for page in sorted((site / "chapters").glob("*.html")):
        for problem in page_leaks(page, checks):
            bad += 1
            print(f"{page.stem}: {problem}")
    print(f"{bad} leak(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
