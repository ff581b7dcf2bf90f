"""An nbgrader course made from the chapters: one assignment per chapter.

``make course`` runs ``python -m booktools.course`` and writes ``_build/course/``, an
nbgrader course directory: ``nbgrader_config.py``, the instructor's
``source/<chapter>/<chapter>.ipynb`` for every chapter it can convert, what grading needs
in ``grading/`` (never released), and the students' ``release/<chapter>/<chapter>.ipynb``,
made by ``nbgrader generate_assignment`` (the README's "Grading with nbgrader" walks
through the rest: collect, ``python -m booktools.grade``, ``nbgrader export``).

The release is the student edition, graded. The source notebook is built from
:func:`booktools.edition.make_edition`'s student edition of the chapter (the same jupytext
read, the same solution stripping as ``make student``), and the reference solutions are
put back only where nbgrader removes them again:

* each exercise's stub cell (tag ``exercise``) becomes an **autograded answer cell**:
  the stub, then the reference solution between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``, which ``generate_assignment`` deletes (the course's
  ``ClearSolutions.code_stub`` is empty), so students get the stub exactly;
* the check cell after it (tag ``check``) becomes a **graded cell** worth
  :data:`booktools.chapter_exercises.AUTOGRADED_POINTS` that hands the answer in as data
  (:func:`vgp_lib.exercises.handin.hand_in`) and judges nothing: the grader
  (:mod:`booktools.grade`) calls the book's check on that data in its own process, with
  the other arguments of the check's call (the exercise's numbers, values the chapter
  computed) taken from the instructor's run, :func:`grading_spec`;
* an exercise whose ``{exercise}`` directive has ``:class: prose-only`` (derive, argue)
  gets a **manually graded Markdown answer cell** right after the exercise, worth its
  rubric's points (:func:`booktools.chapter_exercises.rubric_points`). In the source it holds the
  worked argument and the rubric from the exercise's solution; students get
  ``YOUR ANSWER HERE``.

A **variant** (``--variant NAME``) gives the exercises other numbers: each line
``NAME = value  # variants: a, b, c`` of a cell tagged ``exercise-numbers`` takes one of
the listed values, chosen by the variant's name (:func:`apply_variant`); the exercises'
text names those numbers with ``{eval}``, and the reference solutions compute from them.

Which stub, check, solution and rubric belong to which exercise is read by
:func:`booktools.chapter_exercises.read_exercises`, from the tags and labels of the chapter, not
from positions. A chapter that does not follow that layout is skipped with a message
saying why; the others are still written. Before the course is reported written,
:func:`booktools.edition.find_leaks` looks at every release notebook once more.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from booktools.chapter_exercises import (
    CHECK_TAG,
    EXERCISE_DIRECTIVES,
    EXERCISE_TAG,
    NUMBERS_TAG,
    VARIANT_LINE,
    Exercise,
    LayoutError,
    book_checks,
    check_call,
    read_exercises,
    variant_choices,
)
from booktools.edition import (
    EXERCISE_MARK,
    chapter_labels,
    figure_labels,
    find_leaks,
    make_edition,
    numbered_labels,
    read_bibliography,
)
from booktools.grade import GRADING_DIR, write_manifest
from booktools.myst import (
    cell_tags,
    chapter_numbers,
    chapter_sources,
    directive_blocks,
    notebook_title,
    tidy,
)

#: Seconds a cell may run when nbgrader autogrades, as ``execute.timeout`` in _config.yml
#: for the book; a cell still running is interrupted and the rest of the notebook is graded.
DEFAULT_TIMEOUT = 900

_NOTE = (
    "**Assignment: {title}** (from *Vanishing gradients, seen*).\n\n"
    "Run the cells from the top. In each cell that starts with `# EXERCISE`, replace the "
    "`...` with your answer and run it, then run the graded cell below it: it hands your "
    "answer in and shows what it handed in, but not whether it is right. Each is worth 1 "
    "point and is judged after you submit, by the rule its exercise states (*Precision:*). "
    "The numbers of some exercises differ from the book's, so work from the numbers in this "
    "notebook. A function you are asked to write must be your own: the library's function "
    "handed in as it is scores 0. Questions that ask for an argument have a cell saying "
    "*YOUR ANSWER HERE*, graded by hand for the points it states.\n\n"
    "Hand in this notebook, saved. It is graded by running it again from the top in a fresh "
    "kernel (your saved outputs do not count), cut off from the network and from other "
    "files; a cell still running after {timeout} is stopped and the rest is graded. The "
    "notebook needs the book's Python package `vgp_lib` (the book's Binder, or a clone of "
    "its repository after `make book`)."
)
#: First line of an answer cell in the course (the student edition's mark, for a course).
COURSE_MARK = "# EXERCISE — your code here (replace the ..., then run the graded cell below)"
_PROSE_NOTE = (
    "*Instructor's copy: reference answer and rubric, graded by hand. "
    "Students get YOUR ANSWER HERE instead of this part of the cell.*"
)
#: What a written answer's cell says to students above *YOUR ANSWER HERE*.
_PROSE_HEAD = "*Your answer, graded by hand ({points} points):*"
_CONFIG = (
    """\
# nbgrader's settings for the course that `make course` writes (booktools/course.py).
# This file is written again by every `make course`: put your own settings (course_id,
# an exchange, another timeout, another file name pattern) in nbgrader_config_local.py
# beside it, which is read last and never touched.
import sys

sys.path.insert(0, {root!r})  # the book's repository: booktools.grade
from booktools.grade import AuditedCsvExport, ConfinedExecute, JudgeGrades  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
)

c = get_config()  # noqa: F821 (nbgrader defines get_config)

# Answer cells: the stub stays, the reference solution between ### BEGIN SOLUTION and
# ### END SOLUTION goes without a replacement; written answers get YOUR ANSWER HERE.
c.ClearSolutions.code_stub = {{"python": ""}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograde runs each notebook from the top in a kernel confined by bubblewrap (no network,
# nothing of this folder but an empty scratch copy of the submission's); a cell still running
# after this many seconds is interrupted, or killed if it ignores the interrupt, and the rest
# of the notebook is still graded. Graded cells are scored by the grader's verdict on the
# answer they hand in, and the grades are audited before any export.
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.Autograde.autograde_preprocessors = [
    ConfinedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    JudgeGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.JudgeGrades.course = {course!r}
c.ExportApp.plugin_class = AuditedCsvExport
c.AuditedCsvExport.course = {course!r}

# nbgrader zip_collect: submissions named <student id>_<notebook>, e.g. ada_chain.ipynb
# (the student id may contain "_", the chapter's notebook name does not).
c.FileNameCollectorPlugin.named_regexp = r"^(?:.*/)?(?P<student_id>[^/]+)_(?P<file_id>"""
    """[^/_]+\\.ipynb)$"

load_subconfig("nbgrader_config_local.py")  # noqa: F821 (a missing file is skipped)
"""
)


class CourseError(ValueError):
    """A chapter that cannot be made into an assignment (the message says why)."""


# --------------------------------------------------------------------------- the nbgrader source


def _nbgrader(
    cell_type: str, grade_id: str, *, grade: bool, solution: bool, locked: bool, points=None
) -> dict:
    meta = {
        "cell_type": cell_type,
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def _answer_source(ex: Exercise) -> str:
    stub = ex.stub.rstrip().replace(EXERCISE_MARK, COURSE_MARK, 1)
    return f"{stub}\n### BEGIN SOLUTION\n{ex.reference}\n### END SOLUTION"


def _test_source(ex: Exercise) -> str:
    """The graded cell: it hands the answer in as data (:mod:`vgp_lib.exercises.handin`);
    the grader judges it with the book's check in its own process (booktools/grade.py)."""
    setup, call = check_call(ex.check, ex.label)
    module, check_name = _check_of(ex)
    s = "" if ex.points == 1 else "s"
    names = ", ".join(ex.names)
    lines = [
        f"# Graded ({ex.points} point{s}): hands in your answer. It is judged after you submit, "
        "by the rule the exercise states.",
        "from vgp_lib.exercises.handin import hand_in",
        f"from {module} import {check_name}",
    ]
    if setup:
        lines += [setup]
    answers = ", ".join(f"{n}={n}" for n in ex.names)
    lines.append(f"hand_in({ex.label!r}, {check_name}, lambda {names}: {call}, {answers})")
    return "\n".join(lines)


def _check_of(ex: Exercise) -> tuple[str, str]:
    """The module and name of the book's check that ``ex``'s check cell calls."""
    _, call = check_call(ex.check, ex.label)
    check_name = re.match(r"\s*(check_\w+)\s*\(", call).group(1)
    check = book_checks().get(check_name)
    if check is None:
        raise CourseError(f"the check {check_name} of {ex.label} is not in vgp_lib.exercises")
    return check.__module__, check_name


def _arguments(ex: Exercise) -> list[str]:
    """Sources of the check call's arguments that are not answers (``z=BALANCE_Z`` gives
    ``BALANCE_Z``): the grader takes their values from the instructor's run."""
    _, call = check_call(ex.check, ex.label)
    node = ast.parse(call, mode="eval").body
    given = [*node.args, *(k.value for k in node.keywords)]
    return [ast.unparse(a) for a in given if not (isinstance(a, ast.Name) and a.id in ex.names)]


def _prose_answer_source(ex: Exercise) -> str:
    return (
        f"{_PROSE_HEAD.format(points=ex.points)}\n\n### BEGIN SOLUTION\n{_PROSE_NOTE}\n\n"
        f"{ex.solution_text}\n### END SOLUTION"
    )


def _duration(seconds: int) -> str:
    """``"15 minutes"``, ``"1 minute"``, ``"45 seconds"``."""
    if seconds % 60 == 0:
        n = seconds // 60
        return f"{n} minute{'s' * (n != 1)}"
    return f"{seconds} second{'s' * (seconds != 1)}"


def build_source(
    source,
    *,
    labels=None,
    bibliography=None,
    figures=None,
    equations=None,
    exercises=None,
    timeout: int = DEFAULT_TIMEOUT,
):
    """The nbgrader source notebook of chapter ``source`` and its exercises, in order.

    The notebook is the chapter's student edition (:func:`booktools.edition.make_edition`)
    with nbgrader's answer and graded cells. Raises :class:`CourseError` if the chapter cannot
    be converted.
    """
    import nbformat

    source = Path(source)
    references = {
        "labels": labels,
        "bibliography": bibliography,
        "figures": figures,
        "equations": equations,
        "exercises": exercises,
    }
    try:
        full = make_edition(source, "instructor", **references)
        student = make_edition(source, "student", **references)
    except (ValueError, RuntimeError) as err:
        raise CourseError(str(err)) from None
    try:
        found = read_exercises(full.cells)
    except LayoutError as err:
        raise CourseError(str(err)) from None
    if not found:
        raise CourseError("it has no exercises")
    cells, current, done = [], None, set()
    for cell in student.cells[1:]:  # the first is the student edition's note
        if cell.cell_type == "markdown":
            lines, pos, pieces = cell.source.splitlines(), 0, []
            for block in directive_blocks(lines):
                if block.name not in EXERCISE_DIRECTIVES:
                    continue
                current = block.options.get("label")
                ex = found[current]
                if ex.prose_only:
                    pieces.append(nbformat.v4.new_markdown_cell(tidy(lines[pos : block.end])))
                    answer = nbformat.v4.new_markdown_cell(_prose_answer_source(ex))
                    answer.metadata["nbgrader"] = _nbgrader(
                        "markdown",
                        f"{ex.label}-answer",
                        grade=True,
                        solution=True,
                        locked=False,
                        points=ex.points,
                    )
                    pieces.append(answer)
                    done.add(ex.label)
                    pos = block.end
            if not pieces:
                cells.append(cell)
                continue
            if tidy(lines[pos:]).strip():
                pieces.append(nbformat.v4.new_markdown_cell(tidy(lines[pos:])))
            pieces[0].metadata = copy.deepcopy(cell.metadata)
            cells.extend(pieces)
            continue
        tags = cell_tags(cell)
        if cell.cell_type == "code" and (EXERCISE_TAG in tags or CHECK_TAG in tags):
            ex = found[current]
            if EXERCISE_TAG in tags:
                cell.source = _answer_source(ex)
                cell.metadata["nbgrader"] = _nbgrader(
                    "code", f"{ex.label}-answer", grade=False, solution=True, locked=False
                )
            else:
                cell.source = _test_source(ex)
                cell.metadata["nbgrader"] = _nbgrader(
                    "code",
                    f"{ex.label}-test",
                    grade=True,
                    solution=False,
                    locked=True,
                    points=ex.points,
                )
                done.add(ex.label)
        cells.append(cell)
    missing = [label for label in found if label not in done]
    if missing:
        raise CourseError("exercises not found in the student edition: " + ", ".join(missing))
    nb = student
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            _NOTE.format(title=notebook_title(full, source.stem), timeout=_duration(timeout))
        )
    ] + cells
    for i, cell in enumerate(nb.cells):
        cell.id = f"{source.stem}-{i}"
    nb.metadata["vgp_edition"] = {"edition": "nbgrader", "source": source.name}
    nbformat.validate(nb)
    return nb, list(found.values())


# --------------------------------------------------------------------------- variants


def apply_variant(nb, variant: str | None, stem: str) -> dict:
    """Give the exercises of ``nb`` the numbers of ``variant`` (in place): in every cell tagged
    :data:`NUMBERS_TAG`, each line ``NAME = value  # variants: a, b, c`` becomes
    ``NAME = <one of a, b, c>``, chosen by the variant's name (the book's value with no variant).
    The comment goes either way. Returns ``{NAME: value source}``.
    """
    import random

    chosen = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or NUMBERS_TAG not in cell_tags(cell):
            continue
        lines = []
        for line in cell.source.splitlines():
            m = VARIANT_LINE.match(line)
            if m is None:
                lines.append(line)
                continue
            name = m.group("name").strip()
            value = m.group("value").strip()
            if variant:
                choices = variant_choices(m.group("choices"))
                pick = random.Random(f"{variant}/{stem}/{name}").choice(choices)
                value = repr(pick)
            chosen[name] = value
            lines.append(f"{m.group('head')}{value}")
        cell.source = "\n".join(lines)
    return chosen


# --------------------------------------------------------------------------- the instructor's run

_ARGUMENT_MARK = "VGP-COURSE-ARGUMENTS "


def _arguments_probe(ex: Exercise) -> str:
    pairs = ", ".join(f"{a!r}: _to_data({a})" for a in _arguments(ex))
    return (
        "import json as _json\n"
        "from vgp_lib.exercises.handin import to_data as _to_data\n"
        f"print({_ARGUMENT_MARK!r} + _json.dumps({{'label': {ex.label!r}, "
        f"'arguments': {{{pairs}}}}}))"
    )


def grading_spec(nb, exercises, *, cwd, timeout: int = DEFAULT_TIMEOUT) -> dict:
    """Run the source notebook ``nb`` (reference solutions in) once in a fresh kernel, from
    ``cwd``, and return what the grader needs: for each autograded exercise, its check, the
    check's call, the answer names and the values of the call's other arguments in this run
    (the variant's numbers, values the chapter computed).

    Raises :class:`CourseError` if a cell fails or the grader does not judge a reference
    solution correct (then the solution or the variant is wrong).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    from booktools.grade import handed_in, judge

    by_id = {ex.label: ex for ex in exercises}
    run = copy.deepcopy(nb)
    cells = []
    for cell in run.cells:
        cells.append(cell)
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            label = meta["grade_id"].removesuffix("-test")
            cells.append(nbformat.v4.new_code_cell(_arguments_probe(by_id[label])))
    run.cells = cells
    with tempfile.TemporaryDirectory(prefix="vgp-course-") as sockets:
        config = Config()
        # Kernels talk over IPC sockets in a private directory, so no TCP port can clash.
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = f"{sockets}/kernel"
        client = NotebookClient(
            run,
            timeout=timeout,
            startup_timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(cwd)}},
            config=config,
        )
        try:
            client.execute()
        except CellExecutionError as err:
            raise CourseError(
                f"the instructor's notebook (reference solutions) fails:\n{err}"
            ) from None
    arguments, records = {}, {}
    for cell in run.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            records[meta["grade_id"].removesuffix("-test")] = handed_in(cell)
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith(_ARGUMENT_MARK):
                    record = json.loads(line[len(_ARGUMENT_MARK) :])
                    arguments[record["label"]] = record["arguments"]
    spec = {}
    for ex in exercises:
        if ex.prose_only:
            continue
        _, call = check_call(ex.check, ex.label)
        module, check_name = _check_of(ex)
        entry = {
            "label": ex.label,
            "module": module,
            "check": check_name,
            "call": call,
            "answers": list(ex.names),
            "arguments": arguments.get(ex.label, {}),
            "points": ex.points,
        }
        try:
            feedback = judge(entry, records.get(ex.label))
        except Exception as err:  # the chapter calls its check in a way the grader cannot
            raise CourseError(f"the grader cannot judge {ex.label}: {err!r}") from None
        if not feedback.correct:
            raise CourseError(
                f"the grader does not accept the reference solution of {ex.label}: {feedback}"
            )
        spec[ex.label] = entry
    return spec


# --------------------------------------------------------------------------- the course


def nbgrader_env() -> dict:
    """The environment to run nbgrader in: this Python's ``bin`` first on ``PATH``, because
    nbgrader's gradebook runs the ``alembic`` command by name."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def nbgrader_run(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``nbgrader <args>`` for the course in ``root`` (from there, so it reads its config)."""
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={root.resolve()}"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, env=nbgrader_env())


def write_course(
    sources,
    out,
    *,
    root=".",
    timeout: int = DEFAULT_TIMEOUT,
    variant: str | None = None,
    log=print,
) -> dict:
    """Write the nbgrader course for chapter files ``sources`` into ``out``, then release it,
    with the exercise numbers of ``variant`` (the book's numbers if None).

    Returns ``{chapter stem: release notebook path or the reason it was skipped}``.
    """
    import nbformat

    root, out = Path(root), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(
        _CONFIG.format(
            timeout=int(timeout),
            root=str(Path(__file__).resolve().parents[1]),
            course=str(out.resolve()),
        ),
        encoding="utf-8",
    )
    # each assignment has its own folder, so a link to another chapter goes up and over
    labels = {
        label: (f"../{Path(file).stem}/{file}", title)
        for label, (file, title) in chapter_labels(sources).items()
    }
    numbers = chapter_numbers(root) if (Path(root) / "_toc.yml").is_file() else {}
    figures, equations, exercise_numbers = (
        {name: (f"../{Path(file).stem}/{file}", number) for name, (file, number) in found.items()}
        for found in (
            figure_labels(sources, numbers),
            numbered_labels(sources, numbers, "equation"),
            numbered_labels(sources, numbers, "exercise"),
        )
    )
    bib_path = root / "references.bib"
    bibliography = read_bibliography(bib_path) if bib_path.is_file() else {}
    results = {}
    grading = out / GRADING_DIR
    grading.mkdir(exist_ok=True)
    for source in map(Path, sources):
        stem = source.stem
        try:
            nb, exercises = build_source(
                source,
                labels=labels,
                bibliography=bibliography,
                figures=figures,
                equations=equations,
                exercises=exercise_numbers,
                timeout=timeout,
            )
            numbers = apply_variant(nb, variant, stem)
            spec = grading_spec(nb, exercises, cwd=source.parent, timeout=timeout)
        except (CourseError, LayoutError) as err:
            results[stem] = f"skipped: {err}"
            log(f"{stem}: skipped: {err}")
            continue
        folder = out / "source" / stem
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{stem}.ipynb")
        run = nbgrader_run(out, "generate_assignment", stem, "--force")
        release = out / "release" / stem / f"{stem}.ipynb"
        if run.returncode != 0 or not release.is_file():
            raise RuntimeError(
                f"nbgrader generate_assignment {stem} failed:\n{run.stdout}\n{run.stderr}"
            )
        released = nbformat.read(release, as_version=4)
        leaks = find_leaks(released) + [
            f"cell {i} still holds {mark!r}"
            for i, cell in enumerate(released.cells)
            for mark in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "# variants:")
            if mark in cell.source
        ]
        if leaks:
            shutil.rmtree(release.parent)
            raise RuntimeError(f"{release}: solutions survived in the release: " + "; ".join(leaks))
        (grading / f"{stem}.json").write_text(
            json.dumps({"variant": variant, "numbers": numbers, "exercises": spec}, indent=1),
            encoding="utf-8",
        )
        write_manifest(out, stem)
        points = sum(ex.points for ex in exercises)
        log(f"{stem}: {len(exercises)} exercises, {points} points -> {release}")
        if numbers:
            log(
                f"  numbers{' of variant ' + repr(variant) if variant else ''}: "
                + ", ".join(f"{k} = {v}" for k, v in numbers.items())
            )
        results[stem] = release
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m booktools.course",
        description="Write an nbgrader course (one assignment per chapter) and release it.",
    )
    parser.add_argument(
        "chapters", nargs="*", help="chapter sources (default: every chapter in the TOC)"
    )
    parser.add_argument("--root", default=".", help="the book's folder (default: the current one)")
    parser.add_argument("--toc", default=None, help="TOC to read (default: ROOT/_toc.yml)")
    parser.add_argument(
        "--out", default=None, help="the course folder (default: ROOT/_build/course)"
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        help=f"seconds a cell may run when autograding (default: {DEFAULT_TIMEOUT})",
    )
    parser.add_argument(
        "--variant",
        default=None,
        help="a name (or seed) that changes the exercises' numbers; default: the book's numbers",
    )
    args = parser.parse_args(argv)
    root = Path(args.root)
    sources = [Path(p) for p in args.chapters] or chapter_sources(root, args.toc)
    out = Path(args.out) if args.out else root / "_build" / "course"
    results = write_course(
        sources, out, root=root, timeout=args.timeout, variant=args.variant or None
    )
    made = [stem for stem, r in results.items() if isinstance(r, Path)]
    print(
        f"{len(made)} of {len(results)} chapters released in {out / 'release'}: "
        f"{', '.join(made) or 'none'}"
    )
    return 0 if made else 1


if __name__ == "__main__":
    sys.exit(main())
