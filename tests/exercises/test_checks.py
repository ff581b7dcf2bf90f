"""Every chapter's exercises follow the convention of CONTRIBUTING.md.

For each chapter notebook (``chapters/*.md`` with a jupytext header):

* at least two exercises, at least 12 in the book, labels ``ex-...`` and unique;
* every exercise has one solution folded in a dropdown: a gated
  ``{solution-start}`` ... ``{solution-end}`` region (``:class: dropdown``), so its
  code cells, their outputs and the passing check are folded with its text; and
  either a self-check (a code cell tagged ``check`` calling ``check_*`` from
  ``vgp_lib.exercises.<chapter>``) or is explicitly prose-only (``:class: prose-only``);
* stub cells (tag ``exercise``) hold the ``...`` placeholder, and a checked
  exercise comes as stub -> check -> folded solution (its reference cells tagged
  ``solution``, ending with the same check, which then passes): the check a reader
  sees before opening the solution runs on the stub ("not attempted yet"), and no
  solution cell lies outside its folded region;
* every checking function is used by its chapter and has a test file.

Nothing here executes a notebook; ``tests/book/test_edition.py`` does.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import pytest

from booktools.chapter_exercises import solution_parts
from booktools.myst import all_directives, cell_tags, is_notebook_source, read_toc

ROOT = Path(__file__).resolve().parents[2]
#: Every notebook but the preface (the TOC's root), which computes a figure and asks nothing.
CHAPTERS = sorted(
    p
    for p in (ROOT / "chapters").glob("*.md")
    if is_notebook_source(p) and p != ROOT / f"{read_toc(ROOT)['root']}.md"
)
MIN_PER_CHAPTER, MIN_TOTAL = 2, 12
PROSE_ONLY = "prose-only"

CHECK_CALL = re.compile(r"\b(check_\w+)\s*\(")


@dataclass
class Exercise:
    label: str
    classes: list[str]
    cell: int  # index of the markdown cell with the directive
    stubs: list[int] = field(default_factory=list)
    solutions: list[int] = field(default_factory=list)  # solution-tagged code cells
    checks: list[tuple[int, str]] = field(
        default_factory=list
    )  # (cell, function name), outside solutions
    solution_blocks: list[dict] = field(
        default_factory=list
    )  # options of its solution (gated or not)
    regions: list[tuple[int, int]] = field(
        default_factory=list
    )  # (solution-start cell, solution-end cell)
    check_tags: list[list[str]] = field(default_factory=list)  # tags of the check cells


@dataclass
class Chapter:
    name: str
    exercises: dict[str, Exercise]
    solution_targets: list[tuple[str, dict]]  # every {solution} block: (target label, options)
    gated: list[str]  # exercise-start/-end: not used by the book
    cells: list
    stray_solution_cells: list[int]  # solution-tagged cells outside every folded region


def parse(path: Path) -> Chapter:
    """The chapter's exercises, cut by the book's one reader of where solutions lie
    (:func:`booktools.chapter_exercises.solution_parts`) and kept loose enough to say what is
    wrong."""
    nb = jupytext.read(path)
    exercises: dict[str, Exercise] = {}
    targets, gated, stray = [], [], []
    current = None
    for part in solution_parts(nb.cells):
        i, cell = part.cell, nb.cells[part.cell]
        region = exercises.get(part.region) if part.region is not None else None
        if part.kind in ("solution", "start"):
            label, options = part.directive.argument, part.directive.options
            targets.append((label, options))
            if label in exercises:
                exercises[label].solution_blocks.append(options)
                if part.kind == "start":
                    exercises[label].regions.append((i, -1))
        elif part.kind == "end":
            if region is not None:
                region.regions[-1] = (region.regions[-1][0], i)
        elif part.kind == "text":
            for d in all_directives(cell.source.splitlines()[part.start : part.end]):
                if d.name == "exercise":
                    label = d.options.get("label", "")
                    current = Exercise(label, d.options.get("class", "").split(), i)
                    exercises[label] = current
                elif d.name in ("exercise-start", "exercise-end"):
                    gated.append(d.name)
        elif "solution" in cell_tags(cell):
            if region is None:
                stray.append(i)
            else:
                region.solutions.append(i)
        elif current is not None and region is None:
            if "exercise" in cell_tags(cell):
                current.stubs.append(i)
            else:
                calls = CHECK_CALL.findall(cell.source)
                current.checks += [(i, fn) for fn in calls]
                if calls:
                    current.check_tags.append(cell_tags(cell))
    return Chapter(path.stem, exercises, targets, gated, nb.cells, stray)


PARSED = {p.stem: parse(p) for p in CHAPTERS}


def exercise_module(chapter: str):
    return importlib.import_module(f"vgp_lib.exercises.{chapter}")


def chapter_ids():
    return sorted(PARSED)


@pytest.fixture(params=chapter_ids())
def chapter(request) -> Chapter:
    return PARSED[request.param]


def test_there_are_chapters():
    assert "circuits" in PARSED


def test_enough_exercises_in_the_book():
    counts = {name: len(ch.exercises) for name, ch in PARSED.items()}
    assert sum(counts.values()) >= MIN_TOTAL, f"only {sum(counts.values())} exercises: {counts}"


def test_at_least_two_exercises_per_chapter(chapter):
    assert len(chapter.exercises) >= MIN_PER_CHAPTER, (
        f"{chapter.name} has {len(chapter.exercises)} exercise(s)"
    )


def test_labels_start_with_ex_and_are_unique_in_the_book():
    seen = {}
    for ch in PARSED.values():
        for label in ch.exercises:
            assert label.startswith("ex-"), (
                f"{ch.name}: exercise label {label!r} must start with 'ex-'"
            )
            assert label not in seen, f"{label} is used in {seen[label]} and {ch.name}"
            seen[label] = ch.name


def test_every_exercise_has_a_check_or_is_prose_only(chapter):
    missing = [
        label
        for label, ex in chapter.exercises.items()
        if not ex.checks and PROSE_ONLY not in ex.classes
    ]
    assert not missing, (
        f"{chapter.name}: {missing} have no check cell (a cell calling check_*); "
        f"add one, or mark the exercise `:class: {PROSE_ONLY}`"
    )


def test_prose_only_exercises_really_have_no_check(chapter):
    for label, ex in chapter.exercises.items():
        if PROSE_ONLY in ex.classes:
            assert not ex.checks, f"{label} is marked {PROSE_ONLY} but has a check"


def test_every_exercise_has_one_collapsed_solution(chapter):
    for label, ex in chapter.exercises.items():
        assert len(ex.solution_blocks) == 1, f"{label} has {len(ex.solution_blocks)} solutions"
        classes = ex.solution_blocks[0].get("class", "").split()
        assert "dropdown" in classes, (
            f"the solution of {label} is not `:class: dropdown` (collapsed)"
        )
        if PROSE_ONLY not in ex.classes:
            assert len(ex.regions) == 1 and ex.regions[0][1] > ex.regions[0][0], (
                f"{label}: its solution must be a gated "
                f"{{solution-start}} ... {{solution-end}} region, "
                "so the reference code and its outputs are folded with the text"
            )


def test_every_solution_points_at_an_exercise_of_its_chapter(chapter):
    for target, _ in chapter.solution_targets:
        assert target in chapter.exercises, (
            f"{chapter.name}: {{solution}} {target!r} follows no such exercise"
        )


def test_no_gated_exercise_blocks(chapter):
    assert not chapter.gated, f"{chapter.name} uses {chapter.gated}; use {{exercise}} blocks"


def test_stub_cells_start_from_the_placeholder(chapter):
    for label, ex in chapter.exercises.items():
        for i in ex.stubs:
            assert "..." in chapter.cells[i].source, (
                f"{label}: the stub cell has no `...` placeholder"
            )


def test_no_solution_cell_outside_a_folded_solution(chapter):
    assert not chapter.stray_solution_cells, (
        f"{chapter.name}: cells {chapter.stray_solution_cells} are tagged `solution` outside every "
        "{solution-start} ... {solution-end} region, so they (and their outputs) show unfolded"
    )


def test_checked_exercises_come_as_stub_then_check_then_folded_solution(chapter):
    for label, ex in chapter.exercises.items():
        if not ex.checks:
            continue
        assert ex.stubs, f"{label} has a check but no `exercise`-tagged stub cell"
        assert ex.solutions, (
            f"{label} has a check but no `solution`-tagged reference cell in its solution"
        )
        start, end = ex.regions[0]
        assert max(ex.stubs) < min(i for i, _ in ex.checks) < start, (
            f"{label}: stub, then check, then solution"
        )
        assert all(
            tags[:1] == ["check"] and set(tags) <= {"check", "open-answer"}
            for tags in ex.check_tags
        ), (
            f"{label}: tag the check cell `check` "
            "(and `open-answer` when the check accepts more than one answer)"
        )
        last = chapter.cells[max(ex.solutions)].source
        assert {fn for _, fn in ex.checks} <= set(CHECK_CALL.findall(last)), (
            f"{label}: the folded solution must end by running the same check "
            "on the reference answer"
        )


def test_check_functions_live_in_the_chapters_module_and_name_the_exercise(chapter):
    uses = [(label, fn) for label, ex in chapter.exercises.items() for _, fn in ex.checks]
    if not uses:
        pytest.skip(f"{chapter.name} has no checked exercises")
    module = exercise_module(chapter.name)
    source = inspect.getsource(module)
    for label, fn in uses:
        assert callable(getattr(module, fn, None)), f"vgp_lib.exercises.{chapter.name} has no {fn}"
        assert label in source, f"no check in vgp_lib.exercises.{chapter.name} reports {label!r}"


def test_every_check_function_is_used_by_its_chapter(chapter):
    try:
        module = exercise_module(chapter.name)
    except ModuleNotFoundError:
        pytest.skip(f"{chapter.name} has no exercises module")
    defined = {
        name
        for name, obj in vars(module).items()
        if name.startswith("check_")
        and inspect.isfunction(obj)
        and obj.__module__ == module.__name__
    }
    used = {fn for ex in chapter.exercises.values() for _, fn in ex.checks}
    assert defined <= used, (
        f"checks never called from chapters/{chapter.name}.md: {sorted(defined - used)}"
    )


def test_every_exercises_module_has_its_tests(chapter):
    if not (ROOT / "vgp_lib" / "exercises" / f"{chapter.name}.py").exists():
        pytest.skip(f"{chapter.name} has no exercises module")
    assert (ROOT / "tests" / "exercises" / f"test_{chapter.name}.py").exists()


# --------------------------------------------------------------------------- the parser itself


def test_parser_finds_labels_checks_and_order(tmp_path):
    header = (ROOT / "chapters" / "circuits.md").read_text().split("---", 2)[1]
    body = """
:::{exercise} One
:label: ex-t-one
:::

```{code-cell} ipython3
:tags: [exercise]

answer = ...
```

```{code-cell} ipython3
:tags: [check]

check_one(answer)
```

::::{solution-start} ex-t-one
:class: dropdown
::::

```{code-cell} ipython3
:tags: [solution]

answer = 1
```

Because.

```{code-cell} ipython3
:tags: [solution]

check_one(answer)
```

::::{solution-end}
::::

```{exercise} Two
:label: ex-t-two
:class: prose-only
Think.
```

```{code-cell} ipython3
:tags: [solution]

stray = 1
```
"""
    path = tmp_path / "t.md"
    path.write_text("---" + header + "---\n" + body)
    ch = parse(path)
    assert list(ch.exercises) == ["ex-t-one", "ex-t-two"]
    one, two = ch.exercises["ex-t-one"], ch.exercises["ex-t-two"]
    assert [fn for _, fn in one.checks] == ["check_one"] and one.check_tags == [["check"]]
    assert one.stubs and one.solutions and max(one.stubs) < one.checks[0][0] < one.regions[0][0]
    assert one.regions[0][0] < min(one.solutions) and max(one.solutions) < one.regions[0][1]
    assert one.solution_blocks == [{"class": "dropdown"}]
    assert two.classes == ["prose-only"] and not two.checks
    assert ch.stray_solution_cells == [len(ch.cells) - 1]


def test_every_checked_exercise_states_the_precision_its_check_wants(chapter):
    """The check's own ``precision`` phrase stands in the exercise text, so a reader knows
    what is judged right before answering."""
    for label, ex in chapter.exercises.items():
        if not ex.checks:
            continue
        module = exercise_module(chapter.name)
        text = " ".join(chapter.cells[ex.cell].source.split())
        for _, fn in ex.checks:
            phrase = getattr(getattr(module, fn), "precision", None)
            assert phrase, f"{fn} states no precision"
            assert f"*Precision:* {' '.join(phrase.split())}." in text, (
                f"{label} does not state {phrase!r}"
            )
