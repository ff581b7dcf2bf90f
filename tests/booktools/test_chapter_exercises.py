"""The one reader of a chapter's exercises (booktools/chapter_exercises.py), on cells written here.

* :func:`solution_parts` puts every line and cell of a chapter in exactly one part, and
  says which solution region each lies in; a layout it cannot read is refused by name.
* :func:`read_exercises` finds each exercise's stub, check, reference code, solution text
  and points, and refuses a chapter out of layout with the reason.
* The rubric's points and the ``# variants:`` lines are read as the course grades them.
"""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from booktools.chapter_exercises import (
    VARIANT_LINE,
    LayoutError,
    exercise_labels,
    read_exercises,
    rubric_points,
    solution_parts,
    variant_choices,
)


def stub(source: str):
    return new_code_cell(source, metadata={"tags": ["exercise"]})


def check(source: str):
    return new_code_cell(source, metadata={"tags": ["check"]})


def solution(source: str):
    return new_code_cell(source, metadata={"tags": ["solution"]})


RUBRIC = "**Rubric** (3 points)\n\n- names the factor (1 point)\n- bounds it (2 points)"

CHAPTER = [
    new_markdown_cell("# T\n\n::::{exercise} Width\n:label: ex-w\n\nWrite `width`.\n::::"),
    stub("def width(w):\n    return ..."),
    check("check_width(width, z=Z)"),
    new_markdown_cell("Before.\n\n::::{solution-start} ex-w\n:class: dropdown\n::::\nWhy."),
    solution("def width(w):\n    return 2 * w"),
    solution("check_width(width, z=Z)"),
    new_markdown_cell("The end of it.\n::::{solution-end}\n::::\n\nAfter."),
    new_markdown_cell(":::{exercise} Why\n:label: ex-why\n:class: prose-only\nArgue.\n:::"),
    new_markdown_cell(f":::{{solution}} ex-why\n:class: dropdown\n\nBecause.\n\n{RUBRIC}\n:::"),
    new_code_cell("print('more')"),
]


def test_every_line_and_cell_is_in_exactly_one_part():
    parts = solution_parts(CHAPTER)
    for i, cell in enumerate(CHAPTER):
        mine = [p for p in parts if p.cell == i]
        if cell.cell_type == "code":
            assert [p.kind for p in mine] == ["code"]
            continue
        covered = [k for p in mine for k in range(p.start, p.end)]
        assert covered == list(range(len(cell.source.splitlines())))
    regions = [(p.cell, p.kind) for p in parts if p.region == "ex-w"]
    assert regions == [(3, "start"), (3, "text"), (4, "code"), (5, "code"), (6, "text"), (6, "end")]
    assert [(p.cell, p.kind) for p in parts if p.kind == "solution"] == [(8, "solution")]


@pytest.mark.parametrize(
    "cells, message",
    [
        ([new_markdown_cell(":::{solution-start} ex-a\n:::\nOpen.")], "no matching"),
        ([new_markdown_cell(":::{solution-end}\n:::")], "closes no"),
        (
            [new_markdown_cell(":::{solution-start} ex-a\n:::\n:::{solution-start} ex-b\n:::")],
            "opens inside the solution of ex-a",
        ),
    ],
)
def test_a_layout_out_of_order_is_refused(cells, message):
    with pytest.raises(LayoutError, match=message):
        solution_parts(cells)


def test_each_cell_belongs_to_the_exercise_above_it():
    assert exercise_labels(CHAPTER) == [*["ex-w"] * 7, *["ex-why"] * 3]


def test_an_exercise_is_its_stub_check_reference_and_rubric():
    found = read_exercises(CHAPTER)
    assert list(found) == ["ex-w", "ex-why"]
    w, why = found["ex-w"], found["ex-why"]
    assert (w.title, w.stub_cell, w.check) == ("Width", 1, "check_width(width, z=Z)")
    assert w.reference == "def width(w):\n    return 2 * w"  # the repeated check left out
    assert (w.names, w.points) == (("width",), 1)
    assert why.prose_only and why.points == 3 and why.solution_text.endswith(RUBRIC)


def test_a_region_gives_a_prose_exercise_its_text_and_code():
    cells = [
        CHAPTER[7],
        new_markdown_cell(":::{solution-start} ex-why\n:::\nThe text."),
        new_code_cell("x = 1"),
        new_markdown_cell(f"{RUBRIC}\n:::{{solution-end}}\n:::"),
    ]
    text = read_exercises(cells)["ex-why"].solution_text
    assert text == f"The text.\n\n```python\nx = 1\n```\n\n{RUBRIC}"


def test_a_student_edition_reads_without_solutions():
    student = [c for i, c in enumerate(CHAPTER) if i not in (3, 4, 5, 6, 8)]
    with pytest.raises(LayoutError, match="ex-w has no reference solution"):
        read_exercises(student)
    found = read_exercises(student, solutions=False)
    assert found["ex-w"].reference is None and found["ex-w"].names == ("width",)


@pytest.mark.parametrize(
    "cells, message",
    [
        ([new_markdown_cell(":::{exercise} A\n:::")], "has no :label:"),
        ([stub("a = ...")], "comes before any"),
        ([CHAPTER[0], CHAPTER[1]], "no check cell tagged 'check'.*old layout"),
        ([CHAPTER[0], CHAPTER[1], CHAPTER[2], CHAPTER[2]], "two cells tagged 'check'"),
        ([*CHAPTER[:2], check("x = check_width(width)"), *CHAPTER[3:7]], "does not end with"),
        ([CHAPTER[7], stub("a = ...")], "prose-only but has a cell tagged 'stub'"),
        ([CHAPTER[7]], "prose-only but has no solution text"),
        ([new_markdown_cell(":::{solution-start} ex-x\n:::\n:::{solution-end}\n:::")], "names no"),
    ],
)
def test_a_chapter_out_of_layout_is_refused_with_the_reason(cells, message):
    with pytest.raises(LayoutError, match=message):
        read_exercises(cells)


@pytest.mark.parametrize(
    "text, points",
    [
        ("**Rubric**\n\n- a (1 point)\n- b (2 points)\n- c", 4),
        ("Argument.\n\n**Rubric** for the grader:\n1. one\n2. two, worth\n   more (3 pts)", 4),
        ("**Rubric**\n\n* half (0.5 points)", 0.5),
        (
            "**Rubric** (5 points)\n\n- 2 points: the product\n- 1 point: its\n  largest value"
            "\n- 2 pts: the end",
            5,
        ),
    ],
)
def test_rubric_points(text, points):
    assert rubric_points(text) == points


def test_a_rubric_without_items_or_with_a_wrong_total_is_refused():
    with pytest.raises(LayoutError, match="no \\*\\*Rubric\\*\\*"):
        rubric_points("Just an argument.")
    with pytest.raises(LayoutError, match="lists no points"):
        rubric_points("**Rubric**\n\nAll of it.")
    with pytest.raises(LayoutError, match="says 3 points but its items add up to 2"):
        rubric_points("**Rubric** (3 points)\n\n- one\n- two")


def test_a_numbers_line_gives_the_value_and_its_variants():
    m = VARIANT_LINE.match("DEPTH = 12  # variants: 8, 10, 16")
    assert (m.group("name"), m.group("value")) == ("DEPTH", "12")
    assert variant_choices(m.group("choices")) == [8, 10, 16]
    with pytest.raises(LayoutError, match="not Python literals"):
        variant_choices("8, ten")
