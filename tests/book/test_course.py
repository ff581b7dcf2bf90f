"""The nbgrader course (``make course``, booktools/course.py and booktools/grade.py), on a
short chapter written here.

* The nbgrader source of a chapter is its student edition plus nbgrader's cells: every
  cell that is not an answer or graded cell is the student edition's own, the answer
  cell is the stub with the reference solution between nbgrader's markers, the graded
  cell hands the answer in as data, a prose-only exercise gets a hand-graded answer cell
  worth its rubric's points.
* A chapter still in the old layout (no ``check`` tag) is skipped with the reason.
* The whole loop, as an instructor runs it (README, "Grading with nbgrader"), on a
  variant of the course: ``python -m booktools.course --variant`` writes and releases it;
  a class of honest and cunning students hands in (a zip, ``nbgrader zip_collect``);
  ``python -m booktools.grade`` autogrades, confined, and audits; the written answers are
  graded by hand (as in the formgrader); ``nbgrader export`` writes the CSV whose scores
  must be what each student's work deserves. The cunning ones read the instructor's
  copy, write the gradebook, monkeypatch the checks, redefine names, call the library on
  the book's numbers: without the sandbox or with the verdict inside their kernel, their
  scores would not be 0, and the test fails.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from booktools.course import (
    COURSE_MARK,
    CourseError,
    apply_variant,
    build_source,
    nbgrader_env,
)
from booktools.edition import EXERCISE_MARK, find_leaks, make_edition
from booktools.grade import sandbox_available

ROOT = Path(__file__).resolve().parents[2]
#: The autograde timeout of the test course, in seconds (the book's default is 900).
TIMEOUT = 5
#: The variant the test course is made with.
VARIANT = "spring"


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

#: A short chapter in the layout `make course` reads: a number (with variants), a whole
#: number (with variants), a function and an argument.
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

```{code-cell} ipython3
:tags: [exercise-numbers, remove-input, remove-output]

BALANCE_Z = 0.0  # variants: 1.0, 2.0, 3.0
N_BITS = 16  # variants: 12, 20, 24
```

## Exercises""",
        _exercise(
            "ex-drill-balance",
            "The balanced chain",
            (
                "Every weighted input of a chain is `BALANCE_Z`. For which $w > 0$ is every "
                "factor $w\\,\\sigma'(z)$ equal to 1? Store it in `answer`."
            ),
            "answer = ...  # the weight w that balances the chain",
            "check_balanced_weight(answer, z=BALANCE_Z)",
            "import math\n\ns = 1 / (1 + math.exp(-BALANCE_Z))\nanswer = 1 / (s * (1 - s))",
            "Each factor is $w\\,\\sigma'(z)$, so the chain is balanced for $w = 1/\\sigma'(z)$.",
        ),
        _exercise(
            "ex-drill-chain",
            "A chain instead of a tree",
            (
                "How many NAND layers deep is a chain of XORs for `N_BITS` bits? "
                "Store it in `chain_depth`."
            ),
            "chain_depth = ...  # the depth of the chain for N_BITS bits",
            "check_chain_depth(N_BITS, chain_depth)",
            "chain_depth = 3 * (N_BITS - 1)",
            "One XOR after another, three layers each.",
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

#: Walks up from the kernel's folder to the course and runs the reference solutions of the
#: instructor's copy (the first cell of a cunning submission).
SNOOP = """import glob, json, os
found = []
folder = os.getcwd()
while folder != "/":
    found += glob.glob(os.path.join(folder, "source", "*", "*.ipynb"))
    folder = os.path.dirname(folder)
for path in found:
    for cell in json.load(open(path))["cells"]:
        text = "".join(cell["source"])
        if "### BEGIN SOLUTION" in text:
            exec(text.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0])
try:
    answer
except NameError:
    answer = ..."""
#: Opens the gradebook from the kernel: extra credit for itself, points off two others,
#: and a file left in the course folder.
FORGER = """import glob, os, sqlite3
folder = os.getcwd()
while folder != "/":
    for db in glob.glob(os.path.join(folder, "gradebook.db")):
        con = sqlite3.connect(db)
        con.execute("UPDATE grade SET auto_score = auto_score + 5")
        con.execute("UPDATE grade SET extra_credit = 5")
        con.commit()
        open(os.path.join(folder, "owned.txt"), "w").write("x")
    folder = os.path.dirname(folder)
answer = 0"""
#: Makes every check and every Feedback say "correct", in the student's kernel.
PATCHER = """import vgp_lib.exercises as E
import vgp_lib.exercises.handin as H
E.Feedback.correct = property(lambda self: True)
E.Feedback.status = "correct"
real = H.hand_in
H.hand_in = lambda label, check, call, **answers: real(label, check, call, **answers)
answer = 0"""
#: Redefines the names the graded cells use, and hands in the book's answer as data.
REDEFINER = """from IPython.display import display
import vgp_lib.exercises.handin as H
def fake(label, check, call, **answers):
    data = {name: 4.0 for name in answers}
    display({H.MIME: {"label": label, "answers": data}, "text/plain": "ok"}, raw=True)
H.hand_in = fake
check_balanced_weight = lambda *a, **k: True
answer = 0"""
STUBBORN = """import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    try:
        pass
    except BaseException:
        pass"""
ODD_WIDTH = WIDTH_REFERENCE.replace(
    "return 2 * math.log((1 + s) / (1 - s)) / m",
    "return np.float64(2 * math.log((1 + s) / (1 - s)) / m)",
).replace("import math", "import math\n\nimport numpy as np")

#: What each student hands in: the source of each answer cell they changed.
SUBMISSIONS = {
    "ada": "the instructor's answers",
    "blank": {},  # the release, untouched
    "odd": {  # right values in forms the check accepts, and a debug line on stderr
        "ex-drill-balance-answer": (
            "import math, sys\n\ns = 1 / (1 + math.exp(-BALANCE_Z))\n"
            "answer = str(1 / (s * (1 - s)))\nprint('debug', answer, file=sys.stderr)"
        ),
        "ex-drill-chain-answer": "chain_depth = str(3 * (N_BITS - 1))",
        "ex-drill-width-answer": ODD_WIDTH,
    },
    "raises": {
        "ex-drill-balance-answer": "answer = 1 / 0  # raises ZeroDivisionError",
        "ex-drill-chain-answer": "chain_depth = 3 * (N_BITS - 1)",
        "ex-drill-width-answer": WIDTH_REFERENCE,
    },
    "hangs": {
        "ex-drill-balance-answer": (
            "import math\ns = 1 / (1 + math.exp(-BALANCE_Z))\nanswer = 1 / (s * (1 - s))"
        ),
        "ex-drill-chain-answer": "while True:  # never returns\n    pass\nchain_depth = 45",
        "ex-drill-width-answer": WIDTH_REFERENCE,
    },
    "stubborn": {  # a cell that ignores the interrupt: killed, and the rest still graded
        "ex-drill-balance-answer": (
            "import math\ns = 1 / (1 + math.exp(-BALANCE_Z))\nanswer = 1 / (s * (1 - s))"
        ),
        "ex-drill-chain-answer": STUBBORN,
        "ex-drill-width-answer": WIDTH_REFERENCE,
    },
    "patcher": {"ex-drill-balance-answer": PATCHER},
    "oracle": {  # the library on the book's numbers, and the library's own function
        "ex-drill-balance-answer": (
            "from vgp_lib.exercises.exploding import balanced_weight\nanswer = balanced_weight()"
        ),
        "ex-drill-chain-answer": (
            "from vgp_lib.exercises.circuits import chain_depth as depth\nchain_depth = depth(16)"
        ),
        "ex-drill-width-answer": "from vgp_lib.bound import interval_width as width",
    },
    "snoop": {"ex-drill-balance-answer": SNOOP},
    "forger": {"ex-drill-balance-answer": FORGER},
    "redefiner": {"ex-drill-balance-answer": REDEFINER},
}
#: Points given by hand to the written answer (the formgrader's job), by student.
MANUAL = {"ada": 4, "odd": 2}
#: What each graded cell deserves (the written answer: the points given by hand, else 0).
DESERVED_CELLS = {
    "ada": {"balance": 1, "chain": 1, "width": 1, "why": 4},
    "blank": {"balance": 0, "chain": 0, "width": 0, "why": 0},
    "odd": {"balance": 1, "chain": 1, "width": 1, "why": 2},
    "raises": {"balance": 0, "chain": 1, "width": 1, "why": 0},
    "hangs": {"balance": 1, "chain": 0, "width": 1, "why": 0},
    "stubborn": {"balance": 1, "chain": 0, "width": 1, "why": 0},
    "patcher": {"balance": 0, "chain": 0, "width": 0, "why": 0},
    "oracle": {"balance": 0, "chain": 0, "width": 0, "why": 0},
    "snoop": {"balance": 0, "chain": 0, "width": 0, "why": 0},
    "forger": {"balance": 0, "chain": 0, "width": 0, "why": 0},
    "redefiner": {"balance": 0, "chain": 0, "width": 0, "why": 0},
}
DESERVED = {student: sum(cells.values()) for student, cells in DESERVED_CELLS.items()}
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
    stubs = [s.replace(EXERCISE_MARK, COURSE_MARK) for s in stubs]
    for stub, ex in zip(stubs, exercises):
        answer = graded[f"{ex.label}-answer"]
        assert answer.source.startswith(stub + "\n### BEGIN SOLUTION\n")
        assert answer.source.endswith("### END SOLUTION")
        assert answer.metadata["nbgrader"]["solution"] and not answer.metadata["nbgrader"]["grade"]
        test = graded[f"{ex.label}-test"]
        assert test.metadata["nbgrader"]["points"] == 1 and test.metadata["nbgrader"]["locked"]
        # the graded cell only hands the answer in; no verdict, no reference value
        assert "hand_in(" in test.source and "assert" not in test.source
    why = graded["ex-drill-why-answer"]
    assert why.cell_type == "markdown" and why.metadata["nbgrader"]["points"] == 4
    assert ARGUMENT in why.source and RUBRIC in why.source
    assert find_leaks(nb) == []
    assert not any(re.search(r"^\s*(from|import) booktools", c.source, re.M) for c in nb.cells)


def test_a_variant_changes_the_numbers_and_drops_the_choices(chapter):
    nb, _ = build_source(chapter)
    book = apply_variant(nb, None, "drill")
    assert book == {"BALANCE_Z": "0.0", "N_BITS": "16"}
    picks = [apply_variant(build_source(chapter)[0], name, "drill") for name in ("a", "b", "c")]
    for pick in picks:
        assert float(pick["BALANCE_Z"]) in (1.0, 2.0, 3.0)
        assert int(pick["N_BITS"]) in (12, 20, 24)
    assert apply_variant(build_source(chapter)[0], "a", "drill") == picks[0]  # by its name
    assert "variants" not in "\n".join(c.source for c in nb.cells)


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


# --------------------------------------------------------------------------- the whole loop


#: Longest any one step of the loop may take before the test fails instead of hanging.
STEP_LIMIT = 600


def _run(course: Path, *command: str, check: bool = True) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [sys.executable, *command],
        cwd=course,
        capture_output=True,
        text=True,
        env={**nbgrader_env(), "PYTHONPATH": str(ROOT)},
        timeout=STEP_LIMIT,
    )
    if check:
        assert run.returncode == 0, (
            f"{' '.join(command)} failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
        )
    return run


def _nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return _run(course, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}", check=check)


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
        answers["ex-drill-why-answer"] = ARGUMENT  # replaces the whole cell, as a student may
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


def _fingerprint(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def course(chapter):
    """Make a variant, release, collect, autograde (confined), grade by hand and export."""
    if importlib.util.find_spec("nbgrader") is None:
        pytest.fail("nbgrader is not installed: `make test` installs requirements-grading.txt")
    if problem := sandbox_available():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"grading needs its sandbox: {problem}"
        )
    started = time.perf_counter()
    book = chapter.parent
    (book / "old.md").write_text(OLD_LAYOUT, encoding="utf-8")
    course = book / "course"
    made = _run(
        ROOT,
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
        "--variant",
        VARIANT,
    )
    made_seconds = time.perf_counter() - started
    release = course / "release" / "drill" / "drill.ipynb"
    source = course / "source" / "drill" / "drill.ipynb"
    protected = {part: _fingerprint(course / part) for part in ("source", "release")}
    archive = course / "downloaded" / "drill" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as zf:  # as a platform hands them over
        for student, answers in SUBMISSIONS.items():
            nb = _submission(release, source, answers)
            if student == "odd":
                _by_grade_id(nb)["ex-drill-why-answer"].source = "The factors multiply."
            zf.writestr(f"{student}_drill.ipynb", nbformat.writes(nb))
    _nbgrader(course, "zip_collect", "drill")
    graded = time.perf_counter()
    grade = _run(course, "-m", "booktools.grade", "drill", "--course", str(course))
    grade_seconds = time.perf_counter() - graded
    cells = _run(course, "-c", GRADES, str(course), "drill", json.dumps(MANUAL))
    _nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv", newline="") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    return {
        "made": made.stdout,
        "grade": grade.stdout,
        "release": release,
        "source": source,
        "course": course,
        "protected": protected,
        "rows": rows,
        "cells": json.loads(cells.stdout),
        "made_seconds": made_seconds,
        "grade_seconds": grade_seconds,
        "seconds": time.perf_counter() - started,
    }


def test_make_course_skips_a_chapter_it_cannot_convert(course):
    assert "old: skipped:" in course["made"] and "tagged 'check'" in course["made"]
    assert "1 of 2 chapters released" in course["made"]
    assert not (course["course"] / "source" / "old").exists()


def test_the_release_holds_no_solution_no_reference_and_every_stub_as_given(course, chapter):
    release = nbformat.read(course["release"], as_version=4)
    assert find_leaks(release) == []
    text = "\n".join(c.source for c in release.cells)
    spec = json.loads((course["course"] / "grading" / "drill.json").read_text())
    for secret in ("BEGIN", "math.log", "variants", ARGUMENT, "Rubric", "3 * (N_BITS"):
        assert secret not in text
    assert spec["variant"] == VARIANT
    z, n = float(spec["numbers"]["BALANCE_Z"]), int(spec["numbers"]["N_BITS"])
    assert (z, n) != (0.0, 16)
    assert f"BALANCE_Z = {z!r}" in text and f"N_BITS = {n!r}" in text
    student = make_edition(chapter, "student")
    stubs = [c.source for c in student.cells if "exercise" in c.metadata.get("tags", [])]
    answers = [
        c.source
        for c in release.cells
        if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-answer")
    ]
    assert [a.rstrip() for a in answers[:3]] == [
        s.replace(EXERCISE_MARK, COURSE_MARK) for s in stubs
    ]
    assert answers[3] == "*Your answer, graded by hand (4 points):*\n\nYOUR ANSWER HERE"
    assert "after 5 seconds is stopped" in release.cells[0].source
    # what grading needs stays in the course folder, never in the release
    released = {p.name for p in (course["course"] / "release" / "drill").iterdir()}
    assert released == {"drill.ipynb"}


def test_every_cell_scores_what_it_deserves(course):
    assert course["cells"] == DESERVED_CELLS


def test_the_exported_scores_are_what_the_work_deserves(course):
    rows = course["rows"]
    assert sorted(rows) == sorted(SUBMISSIONS)
    got = {student: float(row["score"]) for student, row in rows.items()}
    assert got == DESERVED
    assert {float(row["max_score"]) for row in rows.values()} == {MAX_SCORE}
    assert "audit: 0 problem(s)" in course["grade"]
    print(
        f"\nmake course {course['made_seconds']:.1f} s, grade {len(SUBMISSIONS)} notebooks "
        f"{course['grade_seconds']:.1f} s, loop {course['seconds']:.1f} s"
    )


def test_the_students_could_not_touch_the_course(course):
    folder = course["course"]
    assert not (folder / "owned.txt").exists()
    for part, files in course["protected"].items():
        assert _fingerprint(folder / part) == files, f"{part} changed during grading"


def test_hanging_raising_and_uninterruptible_cells_are_graded_and_the_rest_too(course):
    autograded = course["course"] / "autograded"

    def cells(student):
        return _by_grade_id(
            nbformat.read(autograded / student / "drill" / "drill.ipynb", as_version=4)
        )

    hangs = cells("hangs")
    errors = [o.ename for o in hangs["ex-drill-chain-answer"].outputs if o.output_type == "error"]
    assert errors and errors[0] in ("CellTimeoutError", "KeyboardInterrupt")
    stubborn = cells("stubborn")
    chain = stubborn["ex-drill-chain-answer"].outputs
    errors = [o.ename for o in chain if o.output_type == "error"]
    assert errors == ["CellKilledError"]
    grader = "".join(o.get("text", "") for o in stubborn["ex-drill-width-test"].outputs)
    assert "Grader: ✔" in grader  # a new kernel ran the cells above, and the rest was graded
    raises = cells("raises")
    assert [
        o.ename for o in raises["ex-drill-balance-answer"].outputs if o.output_type == "error"
    ] == ["ZeroDivisionError"]


def test_the_graded_notebooks_show_the_graders_verdict(course):
    autograded = course["course"] / "autograded"
    patcher = _by_grade_id(
        nbformat.read(autograded / "patcher" / "drill" / "drill.ipynb", as_version=4)
    )
    text = "".join(o.get("text", "") for o in patcher["ex-drill-balance-test"].outputs)
    assert "Grader: ✘" in text and "correct:" not in text.replace("incorrect", "")


def test_export_refuses_grades_that_fail_the_audit(course):
    """Runs last: a student whose graded cell was deleted, and a score changed behind the
    grader's back, stop the export with the reasons."""
    folder = course["course"]
    nb = nbformat.read(course["release"], as_version=4)
    nb.cells = [
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") != "ex-drill-chain-test"
    ]
    target = folder / "submitted" / "mallory" / "drill"
    target.mkdir(parents=True)
    nbformat.write(nb, target / "drill.ipynb")
    _run(folder, "-m", "booktools.grade", "drill", "--course", str(folder), check=False)
    tamper = (
        "import sys\nfrom nbgrader.api import Gradebook\n"
        f"with Gradebook('sqlite:///{folder}/gradebook.db') as gb:\n"
        "    gb.find_grade('ex-drill-balance-test', 'drill', 'drill', 'blank').auto_score = 1\n"
        "    gb.db.commit()\n"
    )
    _run(folder, "-c", tamper)
    out = folder / "refused.csv"
    run = _nbgrader(folder, "export", "--to", str(out), check=False)
    said = run.stdout + run.stderr
    assert not out.exists()
    assert "fail the audit" in said
    assert "blank: ex-drill-balance-test is not the grader's verdict" in said
    assert "mallory" in said
