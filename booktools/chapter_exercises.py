"""The one model of a chapter's exercises: what is exercise, stub, check, solution and rubric.

The editions (:mod:`booktools.edition`), the course (:mod:`booktools.course`), the exercise
index (:mod:`booktools.exercise_index`) and the tests read a chapter's exercises here, so an
exercise means the same to every one of them. In a chapter's notebook cells an exercise is:

* its text: an ``{exercise}`` directive (or ``{exercise-start}``) with a ``:label:``;
  ``:class: prose-only`` marks one answered in words (a derivation, an argument);
* its stub: the code cell tagged ``exercise`` after it (``answer = ...``);
* its check: the code cell tagged ``check`` after the stub, ending with a call of the book's
  check (``check_width(width)``, from ``vgp_lib.exercises.<chapter>``);
* its solution: the region ``{solution-start} <label>`` ... ``{solution-end}`` (the text and
  every cell between the two, the reference code tagged ``solution``) or a
  ``{solution} <label>`` block; a prose-only exercise's solution ends with a **Rubric**
  whose items give the points (:func:`rubric_points`);
* its numbers: lines ``NAME = value  # variants: a, b, c`` (:data:`VARIANT_LINE`) of a
  cell tagged ``exercise-numbers``, which a course variant changes.

:func:`solution_parts` is the one definition of where a solution lies: it cuts the cells into
parts, each outside every solution or inside one. :func:`exercise_directives` finds the
exercises, :func:`read_exercises` puts an exercise's pieces together and checks the layout.

>>> from nbformat.v4 import new_code_cell, new_markdown_cell
>>> cells = [
...     new_markdown_cell(":::{exercise} Width\\n:label: ex-w\\nWrite it.\\n:::"),
...     new_code_cell("w = ...", metadata={"tags": ["exercise"]}),
...     new_code_cell("check_w(w)", metadata={"tags": ["check"]}),
...     new_markdown_cell(":::{solution-start} ex-w\\n:::\\nBecause."),
...     new_code_cell("w = 2", metadata={"tags": ["solution"]}),
...     new_markdown_cell(":::{solution-end}\\n:::"),
... ]
>>> [(p.cell, p.kind, p.region) for p in solution_parts(cells)]  # doctest: +NORMALIZE_WHITESPACE
[(0, 'text', None), (1, 'code', None), (2, 'code', None), (3, 'start', 'ex-w'),
 (3, 'text', 'ex-w'), (4, 'code', 'ex-w'), (5, 'end', 'ex-w')]
>>> ex = read_exercises(cells)["ex-w"]
>>> ex.title, ex.stub, ex.check, ex.reference, ex.names, ex.points
('Width', 'w = ...', 'check_w(w)', 'w = 2', ('w',), 1)
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from booktools.myst import Directive, all_directives, cell_tags, directive_at, tidy

#: Cell tag of an exercise's stub (``answer = ...``).
EXERCISE_TAG = "exercise"
#: Cell tag of the visible self-check that follows each stub.
CHECK_TAG = "check"
#: Cell tag of the reference solution's code cells.
SOLUTION_TAG = "solution"
#: Cell tag of the cell that holds an exercise's numbers (``NAME = value  # variants: ...``).
NUMBERS_TAG = "exercise-numbers"
#: ``:class:`` of an exercise answered in words (no check; graded by hand with its rubric).
PROSE_ONLY = "prose-only"
#: The directives that open an exercise.
EXERCISE_DIRECTIVES = ("exercise", "exercise-start")
#: The directives of a solution: a block, or the two ends of a region of cells.
SOLUTION_DIRECTIVES = ("solution", "solution-start", "solution-end")
#: Points of an exercise with a check (a prose-only one is worth its rubric's).
AUTOGRADED_POINTS = 1


class LayoutError(ValueError):
    """A chapter whose exercises do not follow the book's layout (the message says why)."""


# --------------------------------------------------------------------------- where solutions lie


@dataclass(frozen=True)
class Part:
    """A code cell, or lines ``start:end`` of a Markdown cell, of a chapter.

    ``kind`` is ``"code"``, ``"text"``, ``"solution"`` (a ``{solution}`` block), ``"start"``
    or ``"end"`` (the two directives around a solution region); ``region`` is the label of the
    region the part lies in (None outside every region). ``directive`` is the solution
    directive of the last three kinds.
    """

    cell: int
    kind: str
    region: str | None
    start: int = 0
    end: int = 0
    directive: Directive | None = None


def solution_parts(cells) -> list[Part]:
    """The parts of notebook ``cells``, in order; every line and cell is in exactly one.

    A solution directive is found on any line of a Markdown cell (inside another directive
    too), in every spelling MyST accepts. Inside a region only its ``{solution-end}`` counts.
    Raises :class:`LayoutError` for a region opened inside another, a ``{solution-end}``
    that closes none, or a region left open.
    """
    out: list[Part] = []
    region = None
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            out.append(Part(i, "code", region))
            continue
        lines = cell.source.splitlines()
        k = text_from = 0
        while k < len(lines):
            d = directive_at(lines, k)
            name = d.name if d is not None else None
            if name not in SOLUTION_DIRECTIVES or (region is not None and name == "solution"):
                k += 1
                continue
            if k > text_from:
                out.append(Part(i, "text", region, text_from, k))
            if name == "solution-start":
                if region is not None:
                    raise LayoutError(
                        f"{{solution-start}} {d.argument} opens inside the solution of {region}"
                    )
                region = d.argument
                out.append(Part(i, "start", region, k, d.end, d))
            elif name == "solution-end":
                if region is None:
                    raise LayoutError("a {solution-end} closes no {solution-start}")
                out.append(Part(i, "end", region, k, d.end, d))
                region = None
            else:
                out.append(Part(i, "solution", None, k, d.end, d))
            k = text_from = d.end
        if text_from < len(lines) or not lines:
            out.append(Part(i, "text", region, text_from, len(lines)))
    if region is not None:
        raise LayoutError(f"the {{solution-start}} {region} has no matching {{solution-end}}")
    return out


def exercise_directives(cells) -> Iterator[tuple[int, Directive]]:
    """``(cell index, directive)`` of every ``{exercise}`` of the Markdown ``cells``, in order."""
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            for d in all_directives(cell.source.splitlines()):
                if d.name in EXERCISE_DIRECTIVES:
                    yield i, d


def exercise_labels(cells) -> list[str | None]:
    """For each cell, the label of the last exercise opened at or above it (None before
    the first): the exercise a stub, a check or a solution cell belongs to."""
    opened = {}
    for i, d in exercise_directives(cells):
        if d.options.get("label"):
            opened[i] = d.options["label"]
    out, label = [], None
    for i in range(len(cells)):
        label = opened.get(i, label)
        out.append(label)
    return out


# --------------------------------------------------------------------------- one exercise


@dataclass
class Exercise:
    """One exercise of a chapter: its pieces as the chapter writes them."""

    label: str
    title: str
    prose_only: bool = False
    stub: str | None = None  #: source of the ``exercise`` cell (code exercises)
    check: str | None = None  #: source of the ``check`` cell
    reference: str | None = None  #: reference code (code exercises)
    solution_text: str | None = None  #: the solution's text (prose-only exercises)
    names: tuple[str, ...] = ()  #: answer variables: set by the stub and read by the check
    stub_cell: int | None = None  #: index of the stub cell

    @property
    def points(self) -> float:
        return rubric_points(self.solution_text or "") if self.prose_only else AUTOGRADED_POINTS


def _same_code(a: str, b: str) -> bool:
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except SyntaxError:
        return a.strip() == b.strip()


def read_exercises(cells, *, solutions: bool = True) -> dict[str, Exercise]:
    """Every exercise of a chapter's notebook cells, by label, its layout checked.

    Stubs and checks belong to the ``{exercise}`` above them; the reference solution of a
    code exercise is the code of its solution region except the cell that repeats the
    check; a prose-only exercise's solution text is its region's text (code cells as code
    blocks) or its ``{solution}`` block's content. ``solutions=False`` reads a student
    edition: no solution is expected. Raises :class:`LayoutError` for a chapter out of layout.
    """
    found: dict[str, Exercise] = {}
    current = None
    regions: dict[str, tuple[list, list]] = {}  # label: (text lines, code sources)
    owners = {}  # markdown cell index: labels of the exercises it opens
    for i, d in exercise_directives(cells):
        owners.setdefault(i, []).append(d)
    for part in solution_parts(cells):
        cell = cells[part.cell]
        if part.kind == "start":
            if part.region not in found:
                raise LayoutError(f"{{solution-start}} {part.region} names no exercise above it")
            regions[part.region] = ([], [])
        elif part.kind == "end":
            _close(found[part.region], *regions[part.region])
        elif part.kind == "solution":
            ex = found.get(part.directive.argument)
            if ex is not None and ex.prose_only:
                ex.solution_text = tidy(part.directive.content)
        elif part.region is not None:
            text, code = regions[part.region]
            if part.kind == "text":
                text.extend(cell.source.splitlines()[part.start : part.end])
            else:
                code.append(cell.source)
                text.extend(["", "```python", cell.source.strip(), "```", ""])
        elif part.kind == "text":
            for d in owners.pop(part.cell, []):
                label = d.options.get("label")
                if not label:
                    raise LayoutError(f"the exercise {d.argument!r} has no :label:")
                classes = d.options.get("class", "").split()
                found[label] = Exercise(label, d.argument, prose_only=PROSE_ONLY in classes)
                current = label
        else:
            tags = cell_tags(cell)
            if EXERCISE_TAG in tags or CHECK_TAG in tags:
                kind = "stub" if EXERCISE_TAG in tags else "check"
                if current is None:
                    raise LayoutError(f"a cell tagged {kind!r} comes before any {{exercise}}")
                ex = found[current]
                if ex.prose_only:
                    raise LayoutError(f"{current} is prose-only but has a cell tagged {kind!r}")
                if getattr(ex, kind) is not None:
                    raise LayoutError(f"{current} has two cells tagged {kind!r}")
                setattr(ex, kind, cell.source)
                if kind == "stub":
                    ex.stub_cell = part.cell
    for ex in found.values():
        _check_layout(ex, solutions)
    return found


def _close(ex: Exercise, text: list, code: list) -> None:
    """Give ``ex`` the solution its region holds."""
    if ex.prose_only:
        ex.solution_text = tidy(text)
    else:
        kept = [src for src in code if not (ex.check and _same_code(src, ex.check))]
        ex.reference = "\n\n".join(src.strip() for src in kept) or None


def _check_layout(ex: Exercise, solutions: bool) -> None:
    if ex.prose_only:
        if solutions and not ex.solution_text:
            raise LayoutError(f"{ex.label} is prose-only but has no solution text")
        if solutions:
            rubric_points(ex.solution_text)  # raises if there is no rubric
        return
    if ex.stub is None:
        raise LayoutError(
            f"{ex.label} has no stub cell tagged {EXERCISE_TAG!r} (nor :class: {PROSE_ONLY})"
        )
    if ex.check is None:
        raise LayoutError(
            f"{ex.label} has no check cell tagged {CHECK_TAG!r} after its stub "
            "(is the chapter still in the old layout, with an untagged check cell?)"
        )
    if solutions and ex.reference is None:
        raise LayoutError(
            f"{ex.label} has no reference solution: code cells inside "
            f"{{solution-start}} {ex.label} ... {{solution-end}}"
        )
    check_call(ex.check, ex.label)
    try:
        ex.names = answer_names(ex.stub, ex.check)
    except SyntaxError as err:
        raise LayoutError(f"the stub of {ex.label} is not valid Python: {err}") from None


# --------------------------------------------------------------------------- stub and check


def bound_names(source: str) -> list[str]:
    """Names a cell binds at its top level (assignments, ``def``, ``class``).

    >>> bound_names("a, b = 1, 2\\ndef f(x):\\n    y = x")
    ['a', 'b', 'f']
    """
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            for sub in ast.walk(target) if target is not None else ():
                if isinstance(sub, ast.Name):
                    names.append(sub.id)
    return names


def answer_names(stub: str, check: str) -> tuple[str, ...]:
    """The names the stub sets and the check reads, in the check's order."""
    bound = set(bound_names(stub))
    read = [
        n.id
        for n in ast.walk(ast.parse(check))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    ]
    return tuple(dict.fromkeys(n for n in read if n in bound))


def check_call(check: str, label: str) -> tuple[str, str]:
    """Split a check cell into (statements before, the final expression's source): the
    check's call.

    >>> check_call("z = 2\\ncheck_w(w, z=z)", "ex-w")
    ('z = 2', 'check_w(w, z=z)')
    """
    try:
        body = ast.parse(check).body
    except SyntaxError as err:
        raise LayoutError(f"the check cell of {label} is not valid Python: {err}") from None
    if not body or not isinstance(body[-1], ast.Expr):
        raise LayoutError(f"the check cell of {label} does not end with the check's call")
    lines = check.splitlines()
    last = body[-1]
    setup = "\n".join(lines[: last.lineno - 1]).strip()
    return setup, ast.get_source_segment(check, last.value)


@functools.cache
def book_checks() -> dict:
    """``{name: function}`` of every check in ``vgp_lib.exercises`` (``check_width``, ...):
    the functions a check cell calls, each with the label of its ``exercise``."""
    import importlib
    import pkgutil

    import vgp_lib.exercises as package

    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, obj in vars(module).items():
            if callable(obj) and hasattr(obj, "exercise"):
                found.setdefault(name, obj)
    return found


# --------------------------------------------------------------------------- rubric

_RUBRIC = re.compile(r"^[ \t]*\*\*Rubric\*\*")
_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])[ \t]+")
_POINTS = r"(?P<n>\d+(?:\.\d+)?)[ \t]*(?:points?|pts?)\b"
_LEADING_POINTS = re.compile(r"^[ \t]*\(?" + _POINTS, re.I)  # "- 2 points: ..."
_BRACKETED_POINTS = re.compile(r"\(" + _POINTS + r"\)", re.I)  # "- ... (2 points)"


def rubric_points(text: str) -> int | float:
    """Points of the rubric in a solution's text: the list after its ``**Rubric**`` line.

    An item is worth the points it starts with ("- 2 points: ...") or names in
    brackets ("- ... (2 points)"), else 1. A total on the ``**Rubric**`` line itself
    ("**Rubric** (4 points)") must agree with the items.

    >>> rubric_points("**Rubric**\\n\\n- names the factor (1 point)\\n- bounds it (2 points)"
    ...               "\\n- concludes")
    4
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _RUBRIC.match(line)), None)
    if start is None:
        raise LayoutError("the solution has no **Rubric** section")
    items: list[str] = []
    for line in lines[start + 1 :]:
        if _ITEM.match(line):
            items.append(line[_ITEM.match(line).end() :])
        elif items and line.strip():
            items[-1] += " " + line.strip()  # an item's continuation line
    if not items:
        raise LayoutError("the **Rubric** lists no points (a list of items)")

    def points(item):
        m = _LEADING_POINTS.match(item) or _BRACKETED_POINTS.search(item)
        return float(m.group("n")) if m else 1.0

    total = sum(map(points, items))
    stated = _BRACKETED_POINTS.search(lines[start])
    if stated and float(stated.group("n")) != total:
        raise LayoutError(
            f"the **Rubric** says {stated.group('n')} points but its items add up to {total:g}"
        )
    return int(total) if total.is_integer() else total


# --------------------------------------------------------------------------- numbers

#: A line ``NAME = value  # variants: a, b, c`` of a cell tagged :data:`NUMBERS_TAG`.
VARIANT_LINE = re.compile(
    r"^(?P<head>\s*(?P<name>[^=#]+?)\s*=\s*)(?P<value>[^#]+?)\s*#\s*variants:\s*(?P<choices>.+)$"
)


def variant_choices(text: str) -> list:
    """The values after ``# variants:`` (Python literals, separated by commas).

    >>> variant_choices("0.5, 2, 'a'")
    [0.5, 2, 'a']
    """
    try:
        return ast.literal_eval(f"[{text}]")
    except (SyntaxError, ValueError):
        raise LayoutError(f"the variants {text!r} are not Python literals") from None
