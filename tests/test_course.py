"""The nbgrader course (``make course``, booktools/course.py), on a short chapter written here.

* The nbgrader source of a chapter is its student edition plus nbgrader's cells: every
  cell that is not an answer or test cell is the student edition's own, the answer
  cell is the stub with the reference solution between nbgrader's markers, a prose-only
  exercise gets a hand-graded answer cell worth its rubric's points.
* A chapter still in the old layout (no ``check`` tag) is skipped with the reason.
* The whole loop, as an instructor runs it (README, "Assigning the exercises"):
  ``python -m booktools.course`` writes and releases the course; five students hand in
  (a zip, ``nbgrader zip_collect``); ``nbgrader autograde``; the written answers are
  graded by hand (as in the formgrader); ``nbgrader export`` writes the CSV whose scores
  must be the ones predicted below. One student's answer raises, one never returns:
  both notebooks are still graded, the second after the course's per-cell timeout.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from booktools.course import (
    CourseError,
    add_hidden_tests,
    build_source,
    nbgrader_env,
    rubric_points,
)
from booktools.edition import find_leaks, make_edition
from vgp_lib.exercises.grading import assert_matches, print_expected, to_literal

ROOT = Path(__file__).resolve().parents[1]
#: The autograde timeout of the test course, in seconds (the book's default is 900).
TIMEOUT = 5


def _header() -> str:
    """The jupytext MyST front matter of a real chapter."""
    text = (ROOT / "chapters" / "circuits.md").read_text(encoding="utf-8")
    return text[: text.index("\n---", 3) + len("\n---")] + "\n"


def _exercise(label, title, text, stub, check, reference, prose) -> str:
    return f"""
:::{{exercise}} {title}
:label: {label}

{text}
:::

```{{code-cell}} ipython3
:tags: [exercise]

{stub}
```

```{{code-cell}} ipython3
:tags: [check]

{check}
```

::::{{solution-start}} {label}
:class: dropdown
::::

```{{code-cell}} ipython3
:tags: [solution]

{reference}
```

{prose}

```{{code-cell}} ipython3
:tags: [solution]

{check}
```

::::{{solution-end}}
::::
"""


WIDTH_REFERENCE = """import math


def width(w):
    m = abs(w)
    if m <= 4:
        return 0.0
    s = math.sqrt(1 - 4 / m)
    return 2 * math.log((1 + s) / (1 - s)) / m"""

RUBRIC = """**Rubric**

- Names the factor $w_j\\,\\sigma'(z_j)$ that each layer contributes (1 point).
- Bounds it with $\\sigma' \\le 1/4$ (1 point).
- Concludes that the product of $L$ factors shrinks geometrically (2 points)."""

ARGUMENT = (
    "Each layer multiplies the error by $w_j\\,\\sigma'(z_j)$ and $\\sigma' \\le 1/4$, so each\n"
    "factor is at most $|w_j|/4 < 1$ in size; $L$ of them shrink like $(\\max_j|w_j|/4)^L$."
)

PROSE_EXERCISE = f"""
:::{{exercise}} Why the gradient vanishes
:label: ex-drill-why
:class: prose-only

Argue that $|\\partial C/\\partial b_1|$ shrinks geometrically with depth when every $|w_j| < 4$.
:::

::::{{solution-start}} ex-drill-why
:class: dropdown
::::

{ARGUMENT}

{RUBRIC}

::::{{solution-end}}
::::
"""

#: A short chapter in the layout `make course` reads: a number, a whole number, a function
#: and an argument.
CHAPTER = _header() + "\n".join(
    [
        """
(chapter-drill)=
# A short drill

```{code-cell} ipython3
:tags: [remove-cell]

from vgp_lib.exercises.circuits import check_chain_depth
from vgp_lib.exercises.exploding import check_balanced_weight
from vgp_lib.exercises.unstable import check_width_formula
```

## Exercises""",
        _exercise(
            "ex-drill-balance",
            "The balanced chain",
            (
                "For which $w > 0$ is every factor $w\\,\\sigma'(0)$ of the aligned chain 1? "
                "Store it in `answer`."
            ),
            "answer = ...  # the weight w that balances the aligned chain",
            "check_balanced_weight(answer)",
            "answer = 1 / 0.25  # w * sigma'(0) = 1",
            "Each factor is $w\\,\\sigma'(0) = w/4$, so the chain is balanced for $w = 4$.",
        ),
        _exercise(
            "ex-drill-chain",
            "A chain instead of a tree",
            (
                "How many NAND layers deep is a chain of XORs for $n = 16$ bits? "
                "Store it in `chain_depth`."
            ),
            "chain_depth = ...  # the depth of the chain for n = 16",
            "check_chain_depth(16, chain_depth)",
            "chain_depth = 3 * (16 - 1)",
            "Fifteen XORs one after another, three layers each.",
        ),
        _exercise(
            "ex-drill-width",
            "The width as a function",
            "Write `width(w)`, the width of the set where $|w\\,\\sigma'(wa + b)| \\ge 1$.",
            'def width(w):\n    """The width of {a : |w sigma\'(wa + b)| >= 1}."""\n    return ...',
            "check_width_formula(width)",
            WIDTH_REFERENCE,
            "$\\sigma'(z) \\ge 1/|w|$ for $|z| \\le z^*$, an interval of width $2z^*/|w|$ in $a$.",
        ),
        PROSE_EXERCISE,
        "\nThat is all.\n",
    ]
)

#: The same chapter before the move to the new layout: its check cell has no tag.
OLD_LAYOUT = CHAPTER.replace(":tags: [check]\n", "")

# What five students hand in: the source of each answer cell they changed.
WRONG_WIDTH = """import math


def width(w):  # forgets |w|: 0 for every w < 0
    if w <= 4:
        return 0.0
    s = math.sqrt(1 - 4 / w)
    return 2 * math.log((1 + s) / (1 - s)) / w"""
SUBMISSIONS = {
    "ada": "the instructor's answers",
    "blank": {},  # the release, untouched
    "wrong": {
        "ex-drill-balance-answer": (
            "answer = -4.0  # the check accepts it; the hidden test wants the w > 0 asked for"
        ),
        "ex-drill-chain-answer": "chain_depth = 3 * 15",
        "ex-drill-width-answer": WRONG_WIDTH,
        "ex-drill-why-answer": "The sigmoid is flat, so the gradient gets smaller.",
    },
    "raises": {
        "ex-drill-balance-answer": "answer = 1 / 0  # raises ZeroDivisionError",
        "ex-drill-chain-answer": "chain_depth = 45",
        "ex-drill-width-answer": WIDTH_REFERENCE,
    },
    "hangs": {
        "ex-drill-balance-answer": "answer = 4.0",
        "ex-drill-chain-answer": "while True:  # never returns\n    pass\nchain_depth = 45",
        "ex-drill-width-answer": WIDTH_REFERENCE,
    },
}
#: Points given by hand to the written answer (the formgrader's job), by student.
MANUAL = {"ada": 4, "wrong": 1}
#: Predicted points of every graded cell (None: a written answer nobody graded yet).
PREDICTED_CELLS = {
    "ada": {"balance": 1, "chain": 1, "width": 1, "why": 4},
    "blank": {
        "balance": 0,
        "chain": 0,
        "width": 0,
        "why": 0,
    },  # unchanged answer: 0 without grading
    "wrong": {"balance": 0, "chain": 1, "width": 0, "why": 1},
    "raises": {"balance": 0, "chain": 1, "width": 1, "why": 0},
    "hangs": {"balance": 1, "chain": 0, "width": 1, "why": 0},
}
PREDICTED = {student: sum(cells.values()) for student, cells in PREDICTED_CELLS.items()}
MAX_SCORE = 1 + 1 + 1 + 4


@pytest.fixture(scope="module")
def chapter(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("book")
    path = folder / "drill.md"
    path.write_text(CHAPTER, encoding="utf-8")
    return path


def _by_grade_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


# --------------------------------------------------------------------------- the source notebook


def test_the_source_is_the_student_edition_with_graded_cells(chapter):
    nb, exercises = build_source(chapter)
    student = make_edition(chapter, "student")
    assert [ex.label for ex in exercises] == [
        "ex-drill-balance",
        "ex-drill-chain",
        "ex-drill-width",
        "ex-drill-why",
    ]
    assert [ex.points for ex in exercises] == [1, 1, 1, 4]
    graded = _by_grade_id(nb)
    # every other cell is the student edition's, in the same order (its note aside)
    plain = [c.source for c in nb.cells[1:] if "nbgrader" not in c.metadata]
    theirs = [
        c.source
        for c in student.cells[1:]
        if not {"exercise", "check"} & set(c.metadata.get("tags", []))
    ]
    assert "\n\n".join(plain) == "\n\n".join(theirs)
    stubs = [c.source for c in student.cells if "exercise" in c.metadata.get("tags", [])]
    for stub, ex in zip(stubs, exercises):
        answer = graded[f"{ex.label}-answer"]
        assert answer.source.startswith(stub + "\n### BEGIN SOLUTION\n")
        assert answer.source.endswith("### END SOLUTION")
        assert answer.metadata["nbgrader"]["solution"] and not answer.metadata["nbgrader"]["grade"]
        test = graded[f"{ex.label}-test"]
        assert test.metadata["nbgrader"]["points"] == 1 and test.metadata["nbgrader"]["locked"]
        assert "assert feedback.correct" in test.source
    why = graded["ex-drill-why-answer"]
    assert why.cell_type == "markdown" and why.metadata["nbgrader"]["points"] == 4
    assert ARGUMENT in why.source and RUBRIC in why.source
    assert find_leaks(nb) == []


def test_no_hidden_comparison_where_the_check_accepts_other_answers(tmp_path):
    text = CHAPTER.replace(
        "check_chain_depth(16, chain_depth)", "check_chain_depth(n_bits, chain_depth)"
    ).replace(
        ":tags: [check]\n\ncheck_balanced_weight",
        ":tags: [check, open-answer]\n\ncheck_balanced_weight",
    )
    path = tmp_path / "drill.md"
    path.write_text(text, encoding="utf-8")
    nb, exercises = build_source(path)
    balance, chain, width, _ = exercises
    assert (
        balance.open_answer
        and chain.given == ("n_bits",)
        and width.names == ("width",)
        and not width.given
    )
    notes = add_hidden_tests(nb, exercises, {"ex-drill-width": {"width": ("results", "[0.5]")}})
    assert notes == [
        "ex-drill-balance: graded by its check alone (tagged 'open-answer')",
        (
            "ex-drill-chain: graded by its check alone "
            "(its check is given n_bits from the chapter's run)"
        ),
    ]
    tests = {k: c.source for k, c in _by_grade_id(nb).items() if k.endswith("-test")}
    assert "HIDDEN" not in tests["ex-drill-balance-test"] + tests["ex-drill-chain-test"]
    assert "assert_matches(width_calls.results, [0.5]" in tests["ex-drill-width-test"]
    # grading imports only the installed package, never the repository's booktools/
    assert "from vgp_lib.exercises.grading import" in tests["ex-drill-width-test"]
    assert not any(re.search(r"^\s*(from|import) booktools", c.source, re.M) for c in nb.cells)


def test_a_plain_solution_block_gives_the_rubric_too(tmp_path):
    text = CHAPTER.replace(
        PROSE_EXERCISE,
        PROSE_EXERCISE.split("::::{solution-start}")[0]
        + f":::{{solution}} ex-drill-why\n:class: dropdown\n\n{ARGUMENT}\n\n{RUBRIC}\n:::\n",
    )
    path = tmp_path / "drill.md"
    path.write_text(text, encoding="utf-8")
    nb, _ = build_source(path)
    why = _by_grade_id(nb)["ex-drill-why-answer"]
    assert ARGUMENT in why.source and RUBRIC in why.source


def test_a_chapter_in_the_old_layout_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "old.md"
    path.write_text(OLD_LAYOUT, encoding="utf-8")
    with pytest.raises(CourseError, match="no check cell tagged 'check'.*old layout"):
        build_source(path)


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
    with pytest.raises(CourseError, match="no \\*\\*Rubric\\*\\*"):
        rubric_points("Just an argument.")
    with pytest.raises(CourseError, match="lists no points"):
        rubric_points("**Rubric**\n\nAll of it.")
    with pytest.raises(CourseError, match="says 3 points but its items add up to 2"):
        rubric_points("**Rubric** (3 points)\n\n- one\n- two")


def test_hidden_comparisons():
    assert_matches(45.0, 45)
    assert_matches((0.1 + 0.2, [1, "a"]), [0.3, [1, "a"]])
    for got, expected in [(46, 45), (True, 1), ("4", 4.0), ([1, 2], [1, 2, 3]), (None, 0.0)]:
        with pytest.raises(AssertionError):
            assert_matches(got, expected)
    torch = pytest.importorskip("torch")
    assert to_literal(torch.tensor([1.5, 2.0])) == [1.5, 2.0]


def test_functions_are_recorded_by_what_they_return(capsys):
    class Wire:  # a result with no literal, like the xor check's circuit wires
        pass

    def check(f):
        class Verdict:
            correct = f(2) is not None

        return Verdict()

    calls = []

    def drifting(x):  # a different result on every call: no value to compare with
        calls.append(x)
        return len(calls)

    print_expected(
        "ex-a",
        {"f": lambda x: x / 4, "g": lambda x: Wire(), "h": [1, 2], "d": drifting},
        {"f": check, "g": check, "h": check, "d": check},
    )
    record = json.loads(capsys.readouterr().out.split(" ", 1)[1])
    assert record["expected"]["f"] == {"kind": "results", "literal": "[0.5]"}
    assert "no literal" in record["expected"]["g"]["skip"]
    assert record["expected"]["h"] == {"kind": "value", "literal": "[1, 2]"}
    assert "does not give its own value again" in record["expected"]["d"]["skip"]


# --------------------------------------------------------------------------- the whole loop


#: Longest any one step of the loop may take before the test fails instead of hanging.
STEP_LIMIT = 300


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"],
        cwd=course,
        capture_output=True,
        text=True,
        env=nbgrader_env(),
        timeout=STEP_LIMIT,
    )
    assert run.returncode == 0, (
        f"nbgrader {' '.join(args)} failed:\n{run.stdout}\n{run.stderr[-4000:]}"
    )
    return run


def _submission(release, source, answers):
    nb = nbformat.read(release, as_version=4)
    cells = _by_grade_id(nb)
    if answers == "the instructor's answers":
        answers = {}
        for grade_id, cell in _by_grade_id(nbformat.read(source, as_version=4)).items():
            if grade_id.endswith("-answer") and cell.cell_type == "code":
                answers[grade_id] = cell.source.split("### BEGIN SOLUTION\n")[1].split(
                    "\n### END SOLUTION"
                )[0]
        answers["ex-drill-why-answer"] = ARGUMENT
    for grade_id, text in answers.items():
        cells[grade_id].source = text
    return nb


GRADES = """
import json, sys
from nbgrader.api import Gradebook

course, assignment, manual = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
    for student, points in manual.items():  # what the formgrader does with a written answer
        gb.find_grade("ex-drill-why-answer", assignment, assignment, student).manual_score = points
    gb.db.commit()
    scores = {}
    for sub in gb.assignment_submissions(assignment):
        nb = gb.find_submission_notebook(assignment, assignment, sub.student.id)
        scores[sub.student.id] = {g.name.split("-")[2]: g.score for g in nb.grades}
print(json.dumps(scores))
"""


@pytest.fixture(scope="module")
def course(chapter):
    """Make, release, collect, autograde, grade by hand and export; returns what it saw."""
    if importlib.util.find_spec("nbgrader") is None:
        pytest.fail("nbgrader is not installed: `make test` installs requirements-grading.txt")
    started = time.perf_counter()
    book = chapter.parent
    (book / "old.md").write_text(OLD_LAYOUT, encoding="utf-8")
    course = book / "course"
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "booktools.course",
            str(chapter),
            str(book / "old.md"),
            "--root",
            str(book),
            "--out",
            str(course),
            "--timeout",
            str(TIMEOUT),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=STEP_LIMIT,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    release = course / "release" / "drill" / "drill.ipynb"
    source = course / "source" / "drill" / "drill.ipynb"
    archive = course / "downloaded" / "drill" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(
        archive / "submissions.zip", "w"
    ) as zf:  # as a learning platform hands them over
        for student, answers in SUBMISSIONS.items():
            zf.writestr(
                f"{student}_drill.ipynb", nbformat.writes(_submission(release, source, answers))
            )
    _nbgrader(course, "zip_collect", "drill")
    graded = time.perf_counter()
    _nbgrader(course, "autograde", "drill")
    autograde_seconds = time.perf_counter() - graded
    cells = subprocess.run(
        [sys.executable, "-c", GRADES, str(course), "drill", json.dumps(MANUAL)],
        capture_output=True,
        text=True,
        env=nbgrader_env(),
        timeout=STEP_LIMIT,
    )
    assert cells.returncode == 0, cells.stderr
    _nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv", newline="") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    return {
        "made": made.stdout,
        "release": release,
        "source": source,
        "course": course,
        "rows": rows,
        "cells": json.loads(cells.stdout),
        "autograde_seconds": autograde_seconds,
        "seconds": time.perf_counter() - started,
    }


def test_make_course_skips_a_chapter_it_cannot_convert(course):
    assert "old: skipped:" in course["made"] and "tagged 'check'" in course["made"]
    assert "1 of 2 chapters released" in course["made"]
    assert not (course["course"] / "source" / "old").exists()


def test_the_release_holds_no_solution_and_every_stub_as_given(course, chapter):
    release = nbformat.read(course["release"], as_version=4)
    assert find_leaks(release) == []
    text = "\n".join(c.source for c in release.cells)
    for secret in (
        "BEGIN",
        "1 / 0.25",
        "3 * (16 - 1)",
        "math.log",
        "assert_matches",
        "assert_within",
        ARGUMENT,
        "Rubric",
    ):
        assert secret not in text
    student = make_edition(chapter, "student")
    stubs = [c.source for c in student.cells if "exercise" in c.metadata.get("tags", [])]
    answers = [
        c.source
        for c in release.cells
        if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-answer")
    ]
    assert [a.rstrip() for a in answers[:3]] == stubs
    assert answers[3] == "YOUR ANSWER HERE"


def test_the_source_has_hidden_tests_with_the_reference_values(course):
    tests = {
        k: c.source for k, c in _by_grade_id(nbformat.read(course["source"], as_version=4)).items()
    }
    # values are compared within the precision the exercise states, by the book's own check's rule
    assert (
        "assert_within_stated_precision(_book_checks.check_balanced_weight, answer, 4.0, 'answer')"
        in tests["ex-drill-balance-test"]
    )
    assert "import vgp_lib.exercises.exploding as _book_checks" in tests["ex-drill-balance-test"]
    assert (
        "assert_within_stated_precision(_book_checks.check_chain_depth, chain_depth, 45, "
        "'chain_depth')" in tests["ex-drill-chain-test"]
    )
    assert "check_width_formula(width_calls)" in tests["ex-drill-width-test"]
    assert (
        "0.4476569248492" in tests["ex-drill-width-test"]
    )  # width(-7.0), one of the check's probes


def test_every_cell_scores_as_predicted(course):
    assert course["cells"] == PREDICTED_CELLS


def test_the_exported_scores_are_the_predicted_ones(course):
    rows = course["rows"]
    assert sorted(rows) == sorted(SUBMISSIONS)
    got = {student: float(row["score"]) for student, row in rows.items()}
    assert got == PREDICTED
    assert {float(row["max_score"]) for row in rows.values()} == {MAX_SCORE}


def test_raising_and_never_returning_answers_are_graded(course):
    autograded = course["course"] / "autograded"
    hangs = _by_grade_id(
        nbformat.read(autograded / "hangs" / "drill" / "drill.ipynb", as_version=4)
    )
    errors = [o for o in hangs["ex-drill-chain-answer"].outputs if o.output_type == "error"]
    assert errors and errors[0].ename in ("CellTimeoutError", "KeyboardInterrupt")
    assert hangs["ex-drill-width-test"].outputs and not any(
        o.output_type == "error" for o in hangs["ex-drill-width-test"].outputs
    )  # the notebook went on
    raises = _by_grade_id(
        nbformat.read(autograded / "raises" / "drill" / "drill.ipynb", as_version=4)
    )
    assert [
        o.ename for o in raises["ex-drill-balance-answer"].outputs if o.output_type == "error"
    ] == ["ZeroDivisionError"]
    # one notebook waits for the timeout; the other four take a few seconds each
    assert course["autograde_seconds"] < TIMEOUT + 60
    print(
        f"\nloop: {course['seconds']:.1f} s in all, autograde {course['autograde_seconds']:.1f} s"
    )


def test_hidden_value_tests_accept_what_the_stated_precision_accepts():
    """An answer the visible check calls right (within the stated precision) passes the
    hidden test too; one outside it fails."""
    from vgp_lib.exercises.chain import check_four_layer_gradient
    from vgp_lib.exercises.exploding import check_balanced_weight
    from vgp_lib.exercises.grading import assert_within_stated_precision

    assert_within_stated_precision(check_four_layer_gradient, -0.00077, -0.000771787, "answer")
    assert check_four_layer_gradient(-0.00077).correct
    with pytest.raises(AssertionError, match="not within 2 significant figures"):
        assert_within_stated_precision(check_four_layer_gradient, -0.00079, -0.000771787, "answer")
    with pytest.raises(AssertionError):
        assert_within_stated_precision(check_balanced_weight, "four", 4.0, "answer")
