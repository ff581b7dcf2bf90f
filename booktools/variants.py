"""The course variants of a chapter's exercise numbers, read from the chapter itself.

A code cell tagged ``exercise-numbers`` holds lines ``NAME = value  # variants: v1, v2, v3``:
the book uses ``value``, a graded course one of the variants. Tests of the exercises parse
them here, so they cover exactly what the chapter lists.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext

from booktools.chapter_exercises import NUMBERS_TAG, VARIANT_LINE, variant_choices
from booktools.myst import cell_tags

ROOT = Path(__file__).resolve().parents[1]


def exercise_numbers(chapter: str) -> dict[str, tuple]:
    """``{NAME: (book value, variant, ...)}`` for every exercise number of ``chapter``."""
    numbers: dict[str, tuple] = {}
    for cell in jupytext.read(ROOT / "chapters" / f"{chapter}.md").cells:
        if cell.cell_type != "code" or NUMBERS_TAG not in cell_tags(cell):
            continue
        for line in cell.source.splitlines():
            if not line.strip():
                continue
            match = VARIANT_LINE.match(line)
            assert match, f"{chapter}: not a 'NAME = value  # variants: ...' line: {line!r}"
            book = ast.literal_eval(match.group("value").strip())
            numbers[match.group("name").strip()] = (book, *variant_choices(match.group("choices")))
    return numbers


def variants(chapter: str, name: str) -> tuple:
    """The book's value of ``name`` in ``chapter``, then its variants; at least three variants,
    none equal to the book's value nor to each other."""
    values = exercise_numbers(chapter)[name]
    assert len(values) >= 4, f"{name}: fewer than three variants"
    assert len(set(values)) == len(values), f"{name}: repeated values {values}"
    return values


def assert_answers_differ(rule, answers) -> None:
    """No two of ``answers`` (the book's and each variant's) pass for each other under the
    exercise's ``rule``: a variant's answer is never the book's, nor another variant's."""
    for i, x in enumerate(answers):
        assert not any(rule.accepts(y, x) for y in answers[i + 1 :]), answers
