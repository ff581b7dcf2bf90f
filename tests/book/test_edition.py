"""The student and instructor editions (``make student`` / ``make instructor``).

* The markdown filter removes ``{solution}`` blocks of both fence styles, gated
  ``{solution-start}``/``{solution-end}`` regions, and nothing else.
* No solution survives in any student notebook: no ``solution`` tag, no
  solution directive, no ``dropdown``, and none of the lines that only the
  reference solutions contain (code of ``solution`` cells, text of
  ``{solution}`` blocks), taken from each chapter's source.
* (slow) Every student notebook runs top to bottom in a fresh kernel with
  ``VGP_QUICK=1`` and every check says *not attempted*; every instructor
  notebook runs too, and every check says *correct*.

The content tests cover every notebook chapter in ``chapters/`` (the ones in
``_toc.yml`` first), so a chapter is checked before it is added to the TOC;
``test_cli_writes_one_notebook_per_toc_chapter`` checks what ``make student``
itself writes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booktools import probecheck
from booktools.chapter_exercises import (
    bound_names,
    exercise_directives,
    exercise_labels,
    solution_parts,
)
from booktools.edition import (
    EXERCISE_MARK,
    LIVE_SIZE_CELL,
    SHOW_CAPTURED,
    SOLUTION_OUTPUT,
    chapter_labels,
    find_leaks,
    make_edition,
    numbered_labels,
    read_bibliography,
    rewrite_references,
    set_enumerators,
    strip_solutions,
    write_edition,
)
from booktools.myst import (
    DIRECTIVE_OPEN,
    cell_tags,
    chapter_numbers,
    chapter_sources,
    is_notebook_source,
    read_toc,
)
from tests.book.runner import execute

ROOT = Path(__file__).resolve().parents[2]
TOC_CHAPTERS = chapter_sources(ROOT)
#: The TOC's root, the preface: a notebook (it computes its figure) but not a chapter.
FRONT = ROOT / f"{read_toc(ROOT)['root']}.md"
CHAPTERS = TOC_CHAPTERS + sorted(
    p
    for p in (ROOT / "chapters").glob("*.md")
    if is_notebook_source(p) and p not in TOC_CHAPTERS and p != FRONT
)
NAMES = [p.stem for p in CHAPTERS]

CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")
FEEDBACK_REPR = re.compile(r"Feedback\(exercise='([^']*)', status='([^']*)'")
FEEDBACK_STR = re.compile(r"\[(ex-[\w-]+)\] (correct|incorrect|not attempted):")


# --------------------------------------------------------------------------- the markdown filter


def test_colon_fenced_solution_is_removed_with_its_content():
    text = "Before.\n\n:::{solution} ex-a\n:class: dropdown\n\nIt is $x = 1$.\n:::\n\nAfter."
    assert strip_solutions(text) == "Before.\n\nAfter."


def test_backtick_fenced_solution_with_inner_code_block_is_removed():
    text = (
        "Before.\n````{solution} ex-a\n:class: dropdown\n```python\nx = 1\n```\n"
        "Still solution.\n````\nAfter."
    )
    assert strip_solutions(text) == "Before.\nAfter."


def test_longer_outer_fence_keeps_inner_directives_inside_the_solution():
    text = "A\n::::{solution} ex-a\n:::{note}\ninner\n:::\nstill solution\n::::\nB"
    assert strip_solutions(text) == "A\nB"


def test_exercises_and_other_directives_stay():
    text = (
        ":::{exercise} T\n:label: ex-a\nDo it.\n:::\n\n```{math}\nx\n```\n\n:::{note}\nKeep.\n:::"
    )
    assert strip_solutions(text) == text


def test_unclosed_solution_runs_to_the_end_of_the_cell():
    assert strip_solutions("Keep.\n\n:::{solution} ex-a\nno closing fence") == "Keep."


#: Every way MyST lets a solution be written: colon, backtick and tilde fences, a blank
#: before the brace, indentation, and a directive inside a blockquote.
SPELLINGS = [
    ":::{solution} ex-a\n:class: dropdown\nSECRET\n:::",
    "::: {solution} ex-a\nSECRET\n:::",
    "```{solution} ex-a\nSECRET\n```",
    "``` {solution} ex-a\nSECRET\n```",
    "~~~{solution} ex-a\nSECRET\n~~~",
    "~~~ {solution} ex-a\nSECRET\n~~~",
    "  :::{solution} ex-a\n  SECRET\n  :::",
    "> :::{solution} ex-a\n> SECRET\n> :::",
    ">> ```{solution} ex-a\n>> SECRET\n>> ```",
    "::::{solution-start} ex-a\n:class: dropdown\n::::\nSECRET\n::::{solution-end}\n::::",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_solution_is_removed(spelling):
    text = f"Before.\n\n{spelling}\n\nAfter."
    assert strip_solutions(text) == "Before.\n\nAfter."


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_leak_detector_sees_every_spelling(spelling):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"Text.\n\n{spelling}")]
    assert find_leaks(nb), spelling


def test_strip_solutions_rejects_non_text():
    with pytest.raises(TypeError, match="text must be a str"):
        strip_solutions(b"bytes")


SAFE_LINE = st.text(alphabet="abc xyz=()+-*.,:`{}$0123456789", max_size=30).filter(
    lambda s: not DIRECTIVE_OPEN.match(s) and "solution" not in s
)


@st.composite
def solution_block(draw):
    char = draw(st.sampled_from(":`"))
    n = draw(st.integers(3, 6))
    fence = char * n
    body = draw(st.lists(SAFE_LINE, max_size=5))
    inner = (
        [char * (n - 1) + "{note}", "inside", char * (n - 1)]
        if n > 3 and draw(st.booleans())
        else []
    )
    return [fence + "{solution} ex-x", ":class: dropdown", *body, *inner, fence]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.lists(SAFE_LINE, min_size=1, max_size=4).map(lambda b: ("keep", b)),
            solution_block().map(lambda b: ("drop", b)),
        ),
        max_size=6,
    )
)
def test_filter_keeps_exactly_the_text_outside_solutions(blocks):
    text = "\n".join(line for _, block in blocks for line in block)
    kept = [line for kind, block in blocks if kind == "keep" for line in block]
    out = strip_solutions(text)
    assert [line for line in out.splitlines() if line.strip()] == [
        line for line in kept if line.strip()
    ]
    assert "{solution}" not in out
    assert strip_solutions(out) == out  # nothing left to remove


HEADER = (ROOT / "chapters" / "circuits.md").read_text(encoding="utf-8").split("---", 2)[1]

GATED = """
# Gated

````{exercise-start}
:label: ex-g-one
````
Do it.
````{exercise-end}
````

```{code-cell} ipython3
:tags: [exercise]

answer = ...
```

Text before.

````{solution-start} ex-g-one
:class: dropdown
````
Secret reasoning.

```{code-cell} ipython3
secret_value = 42
```

More secret text.
````{solution-end}
````

Text after.

```{code-cell} ipython3
print(answer)
```
"""


def test_gated_solution_region_is_removed_across_cells(tmp_path):
    src = tmp_path / "gated.md"
    src.write_text("---" + HEADER + "---\n" + GATED, encoding="utf-8")
    student = make_edition(src, "student")
    text = "\n".join(c.source for c in student.cells)
    assert "Secret" not in text and "secret_value" not in text and "More secret" not in text
    assert "Text before." in text and "Text after." in text and "print(answer)" in text
    assert "{exercise-start}" in text  # the exercise itself stays
    instructor = make_edition(src, "instructor")
    assert "secret_value = 42" in "\n".join(c.source for c in instructor.cells)


def test_unterminated_gated_solution_is_an_error(tmp_path):
    src = tmp_path / "bad.md"
    src.write_text(
        "---" + HEADER + "---\n" + GATED.split("````{solution-end}")[0], encoding="utf-8"
    )
    with pytest.raises(ValueError, match="solution-end"):
        make_edition(src, "student")


def test_leak_detector_sees_tags_directives_and_dropdowns():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell(":::{solution} ex-a\nA.\n:::"),
        nbformat.v4.new_markdown_cell(":class: dropdown"),
        nbformat.v4.new_markdown_cell("Nothing to see."),
    ]
    leaks = find_leaks(nb)
    assert [leak.split()[1] for leak in leaks] == ["0", "1", "2"]


def test_a_folded_aside_is_not_a_leak_but_a_folded_exercise_is():
    aside = ":::{admonition} How sure are we?\n:class: dropdown\n\nFive seeds.\n:::"
    exercise = ":::{exercise} Guess\n:class: dropdown\n\nWhat is it?\n:::"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(aside), nbformat.v4.new_markdown_cell(exercise)]
    assert [leak.split()[1] for leak in find_leaks(nb)] == ["1"]


def test_bad_arguments_name_the_parameter(tmp_path):
    with pytest.raises(ValueError, match="edition must be one of 'student', 'instructor'"):
        make_edition(CHAPTERS[0], "teacher")
    with pytest.raises(ValueError, match="source must be an existing chapter file"):
        make_edition(tmp_path / "missing.md", "student")
    with pytest.raises(ValueError, match="toc must be an existing _toc.yml"):
        write_edition("student", root=tmp_path, out=tmp_path / "out")


# --------------------------------------------------------------------------- the real chapters


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Both editions of every notebook chapter, written
    by write_edition from a TOC listing them all."""
    base = tmp_path_factory.mktemp("editions")
    toc = base / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: chapters/preface\nchapters:\n"
        + "".join(
            f"  - file: {p.relative_to(ROOT).with_suffix('').as_posix()}\n" for p in CHAPTERS
        ),
        encoding="utf-8",
    )
    out = {}
    for edition in ("student", "instructor"):
        paths = write_edition(edition, root=ROOT, out=base / edition, toc=toc)
        out[edition] = {p.stem: nbformat.read(p, as_version=4) for p in paths}
    return out


def solution_lines(path: Path):
    """``(code lines of solution cells, text lines of solutions, all other lines)`` of a chapter.

    Solution text is what a ``{solution}`` block holds and every Markdown line of a gated
    ``{solution-start}`` ... ``{solution-end}`` region
    (:func:`booktools.chapter_exercises.solution_parts`).
    """
    cells = jupytext.read(path).cells
    code, prose, other = [], [], []
    for part in solution_parts(cells):
        cell = cells[part.cell]
        lines = cell.source.splitlines()
        if part.kind == "code":
            inside = part.region is not None or "solution" in cell_tags(cell)
            (code if inside else other).extend(lines)
        elif part.kind == "solution":
            prose.extend(part.directive.content)
        elif part.kind == "text":
            (prose if part.region is not None else other).extend(lines[part.start : part.end])
    return code, prose, other


def distinctive(lines, other):
    """Stripped lines found in a solution but nowhere
    else in the chapter (too short ones left out)."""
    elsewhere = {line.strip() for line in other}
    return {
        s
        for s in (line.strip() for line in lines)
        if len(s) >= 8 and s not in elsewhere and not s.startswith(":")
    }


def all_lines(nb):
    return {line.strip() for cell in nb.cells for line in cell.source.splitlines()}


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_valid_nbformat_v4(editions, name):
    for edition in ("student", "instructor"):
        nb = editions[edition][name]
        assert nb.nbformat == 4
        nbformat.validate(nb)


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_tag_directive_or_dropdown_in_student_notebook(editions, name):
    nb = editions["student"][name]
    for i, cell in enumerate(nb.cells):
        assert "solution" not in cell.metadata.get("tags", []), (
            f"{name} cell {i} is tagged solution"
        )
        assert "{solution" not in cell.source, f"{name} cell {i} holds a solution directive"
    assert find_leaks(nb) == []  # a dropdown folds an aside ("How sure are we?"), not an answer


@pytest.mark.parametrize("name", NAMES)
def test_no_line_of_any_reference_solution_in_student_notebook(editions, name):
    code, prose, other = solution_lines(CHAPTERS[NAMES.index(name)])
    secret = distinctive(code, other) | distinctive(prose, other)
    if not (code or prose):
        pytest.skip(f"{name} has no solutions")
    assert secret, (
        f"{name}: every solution line also appears elsewhere; the leak test would be blind"
    )
    leaked = secret & all_lines(editions["student"][name])
    assert not leaked, f"{name}: solution lines in the student notebook: {sorted(leaked)}"
    assert secret <= all_lines(editions["instructor"][name]), (
        "the instructor edition lost solution lines"
    )


def exercise_blocks(nb) -> list:
    """The ``{exercise}`` directives of a notebook's Markdown cells."""
    return [block for _, block in exercise_directives(nb.cells)]


@pytest.mark.parametrize("name", NAMES)
def test_stubs_stay_marked_and_exercises_stay(editions, name):
    source = jupytext.read(CHAPTERS[NAMES.index(name)])
    n_stubs = sum("exercise" in c.metadata.get("tags", []) for c in source.cells)
    n_exercises = len(exercise_blocks(source))
    nb = editions["student"][name]
    stubs = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    assert len(stubs) == n_stubs
    assert all(c.source.startswith(EXERCISE_MARK) and "..." in c.source for c in stubs)
    assert len(exercise_blocks(nb)) == n_exercises
    assert "Student edition" in nb.cells[0].source
    assert "Instructor edition" in editions["instructor"][name].cells[0].source


def _edition_cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m booktools.edition ARGS`` from the repository root; it must succeed."""
    return subprocess.run(
        [sys.executable, "-m", "booktools.edition", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )


def test_cli_writes_one_notebook_per_toc_chapter(tmp_path):
    out = tmp_path / "student"
    (out).mkdir()
    old = nbformat.v4.new_notebook(
        metadata={"vgp_edition": {"edition": "student", "source": "old.md"}}
    )
    nbformat.write(old, out / "stale.ipynb")  # written for a chapter no longer in the TOC: must go
    nbformat.write(nbformat.v4.new_notebook(), out / "mine.ipynb")  # somebody else's: must stay
    run = _edition_cli("student", "--out", str(out))
    assert run.stderr == ""
    written = sorted(p.name for p in out.glob("*.ipynb") if p.name != "mine.ipynb")
    assert written == sorted(f"{p.stem}.ipynb" for p in TOC_CHAPTERS)
    assert (out / "mine.ipynb").exists()
    assert f"{len(TOC_CHAPTERS)} student notebooks" in run.stdout
    first = (out / written[0]).read_bytes()
    _edition_cli("student", "--out", str(out))
    assert (out / written[0]).read_bytes() == first  # deterministic output


# --------------------------------------------------------------------------- executing them (slow)


def _kernel_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("VGP_STATIC_BUILD", "MPLBACKEND")}
    env.update(
        VGP_QUICK="1", PYTHONHASHSEED="0"
    )  # the kernel uses its inline backend, as a reader's would
    return env


def _selected_names(request) -> list[str]:
    """The chapters whose executed notebooks the session's tests ask for (all of them in
    a full run; one when ``-k`` picks one chapter's tests)."""
    wanted = {
        item.callspec.params["name"]
        for item in request.session.items
        if "executed" in getattr(item, "fixturenames", ())
        and "name" in getattr(getattr(item, "callspec", None), "params", {})
    }
    return [name for name in NAMES if name in wanted] or NAMES


@pytest.fixture(scope="module")
def executed(editions, tmp_path_factory, request):
    """Every notebook of both editions (of the chapters the session's tests name), executed
    two at a time with VGP_QUICK=1.

    The student notebooks run with the probes of :mod:`probecheck` before each exercise:
    ``executed[("probe", name)]`` holds what they found, and ``executed[("student", name)]``
    the notebook without the probe cells, as a student runs it.
    """
    base = tmp_path_factory.mktemp("executed")
    env = _kernel_env()
    jobs = []
    for name in _selected_names(request):
        for edition in ("student", "instructor"):
            src = base / f"{edition}-{name}.ipynb"
            nb = editions[edition][name]
            if edition == "instructor":
                nb = with_answer_records(nb)
            else:
                nb = probecheck.with_probes(nb)
            nbformat.write(nb, src)
            jobs.append(((edition, name), src, base / f"{edition}-{name}.out.ipynb"))
    with ThreadPoolExecutor(max_workers=2) as pool:  # each job waits on its own child process
        results = list(pool.map(lambda job: execute(job[1], job[2], env), jobs))
    out = {}
    for ((edition, name), _, _), (nb, error) in zip(jobs, results):
        if edition == "student" and nb is not None:
            out[("probe", name)] = probecheck.probe_findings(nb)
            nb = probecheck.without_probes(nb)
        out[(edition, name)] = (nb, error)
    return out


ANSWER_MARK = "VGP-ANSWER "


def with_answer_records(nb):
    """A copy of an instructor notebook that prints, after each folded solution, the
    reference value of every name its exercise's stub assigns (for the spoiler test)."""
    import copy

    nb = copy.deepcopy(nb)
    cells, names = [], []
    for cell, label in zip(nb.cells, exercise_labels(nb.cells)):
        cells.append(cell)
        if cell.cell_type == "markdown":
            continue
        tags = cell.metadata.get("tags", [])
        if "exercise" in tags:
            names = bound_names(cell.source)  # the book's reader of what a stub sets
        elif "solution" in tags and cell.source.lstrip().startswith("check_") and label:
            code = (
                "import json as _json, inspect as _inspect\n"
                f"_names = {names!r}\n"
                "_found = {n: (_inspect.getsource(globals()[n])"
                " if _inspect.isfunction(globals()[n])"
                " else repr(globals()[n])) for n in _names if n in globals()}\n"
                f"print({ANSWER_MARK!r} + _json.dumps({{'label': {label!r}, 'answers': _found}}))"
            )
            cells.append(nbformat.v4.new_code_cell(code, metadata={"tags": ["vgp-record"]}))
    nb.cells = cells
    return nb


def recorded_answers(nb) -> dict:
    """``{label: {name: repr or source}}`` from an instructor notebook run with records."""
    found = {}
    for cell in nb.cells:
        if "vgp-record" in cell.metadata.get("tags", []):
            for out in cell.get("outputs", []):
                for line in out.get("text", "").splitlines():
                    if line.startswith(ANSWER_MARK):
                        record = json.loads(line[len(ANSWER_MARK) :])
                        found[record["label"]] = record["answers"]
    return found


def check_results(nb):
    """``[(expected label, kind, [(label, status), ...]), ...]`` for every check call of an
    executed notebook; ``kind`` is "check" for the check a reader sees under the stub and
    "solution" for the one that ends the folded solution."""
    out = []
    for cell, label in zip(nb.cells, exercise_labels(nb.cells)):
        if cell.cell_type == "markdown":
            continue
        tags = cell.metadata.get("tags", [])
        if "exercise" in tags or not CHECK_CALL.search(cell.source):
            continue
        if "solution" in tags and not cell.source.lstrip().startswith("check_"):
            continue  # a reference cell that happens to call a check on the way
        found = []
        for output in cell.get("outputs", []):
            text = output.get("text", "") + output.get("data", {}).get("text/plain", "")
            found += FEEDBACK_REPR.findall(text) + FEEDBACK_STR.findall(text)
        out.append((label, "solution" if "solution" in tags else "check", found))
    return out


def stderr_of(nb):
    return [
        o.text
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "stream" and o.name == "stderr"
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_runs_and_every_check_is_not_attempted(executed, name):
    nb, error = executed[("student", name)]
    assert nb is not None and error is None, f"student {name}.ipynb failed:\n{error}"
    assert not stderr_of(nb), f"student {name}.ipynb wrote to stderr: {stderr_of(nb)}"
    checks = check_results(nb)
    assert checks and all(kind == "check" for _, kind, _ in checks)
    for label, _, found in checks:
        assert found, f"{name}: the check of {label} showed no feedback"
        for exercise, status in found:
            assert exercise == label, f"{name}: the check after {label} reports {exercise}"
            assert status == "not attempted", (
                f"{name}: {exercise} says {status!r} on the untouched stub"
            )


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_instructor_notebook_runs_and_every_check_passes(executed, name):
    nb, error = executed[("instructor", name)]
    assert nb is not None and error is None, f"instructor {name}.ipynb failed:\n{error}"
    assert not stderr_of(nb), f"instructor {name}.ipynb wrote to stderr: {stderr_of(nb)}"
    checks = check_results(nb)
    assert {kind for _, kind, _ in checks} == {"check", "solution"}
    for label, kind, found in checks:
        assert found, f"{name}: the check of {label} showed no feedback"
        for exercise, status in found:
            assert exercise == label, f"{name}: the check after {label} reports {exercise}"
            # under the stub the check shows what a student sees before answering;
            # the one inside the folded solution runs on the reference answer
            wanted = "correct" if kind == "solution" else "not attempted"
            assert status == wanted, f"{name}: the {kind} cell of {exercise} says {status!r}"


def _chapter(tmp_path, body: str, name: str = "t"):
    header = (ROOT / "chapters" / "circuits.md").read_text().split("---", 2)[1]
    path = tmp_path / f"{name}.md"
    path.write_text("---" + header + "---\n" + body)
    return path


GATED_LIVE = (
    "# T\n\n:::{exercise} One\n:label: ex-t-one\nWhat is 6 times 7?\n:::\n\n"
    "```{code-cell} ipython3\n:tags: [exercise]\n\nanswer = ...\n```\n\n"
    "```{code-cell} ipython3\n:tags: [check]\n\nprint(answer)\n```\n\n"
    "::::{solution-start} ex-t-one\n:class: dropdown\n::::\n\n"
    "```{code-cell} ipython3\n:tags: [solution]\n\nanswer = 42\ntext = str(answer)\n```\n\n"
    "It is {eval}`text`.\n\n:::{note}\nInner.\n:::\n\n"
    "```{code-cell} ipython3\n:tags: [solution]\n\nprint(answer)\n```\n\n"
    "::::{solution-end}\n::::\n\nAfter.\n"
)


def test_live_edition_folds_a_gated_solution_after_its_code(tmp_path):
    """JupyterLab renders each Markdown cell alone, and shows a cell's output again when it
    runs: the gated region becomes collapsed code cells that run silently (``%%capture``),
    followed by one folded {solution} block with the region's text, code and output in
    order (its {eval} numbers and outputs are set by then)."""
    path = _chapter(tmp_path, GATED_LIVE)
    cells = make_edition(path, "live").cells
    sources = [c.source for c in cells]
    assert not any("solution-start" in s or "solution-end" in s for s in sources)
    folded = next(i for i, s in enumerate(sources) if "{solution} ex-t-one" in s)
    code = [i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    assert code and max(code) < folded
    for n, i in enumerate(code, start=1):
        assert cells[i].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
        assert sources[i].splitlines()[0] == f"%%capture {SOLUTION_OUTPUT}{n}"
    block = sources[folded].splitlines()
    assert (
        block[0] == "::::{solution} ex-t-one"
        and block[1] == ":class: dropdown"
        and block[-1] == "::::"
    )
    text = sources[folded]
    # in order: the first cell's code (it only assigns: no output), the text, the second
    # cell's code and what it printed
    order = [
        text.index("```python\nanswer = 42\ntext = str(answer)\n```"),
        text.index("It is {eval}`text`."),
        text.index(":::{note}"),
        text.index("```python\nprint(answer)\n```"),
        text.index(f"{{eval}}`{SOLUTION_OUTPUT}2`"),
    ]
    assert order == sorted(order)
    assert f"{SOLUTION_OUTPUT}1`" not in text
    assert sources[folded + 1] == "After."
    # the cell that shows a captured output runs before every solution, hidden
    helper = next(i for i, c in enumerate(cells) if c.source == SHOW_CAPTURED)
    assert helper < min(code) and cells[helper].metadata["jupyter"] == {"source_hidden": True}
    assert "remove-cell" in cells[helper].metadata["tags"]
    assert "folded" in sources[0] and "(student/t.ipynb)" in sources[0]
    student = [c.source for c in make_edition(path, "student").cells]
    assert not any("42" in s or "It is" in s or "%%capture" in s for s in student)
    instructor = [c.source for c in make_edition(path, "instructor").cells]
    assert not any("%%capture" in s or s == SHOW_CAPTURED for s in instructor)


def test_a_solution_cell_outside_a_gated_region_runs_silently_too(tmp_path):
    body = (
        "# T\n\n:::{exercise} One\n:label: ex-t-one\nWhat is it?\n:::\n\n"
        "```{code-cell} ipython3\n:tags: [solution]\n\nprint(42)\n```\n\n"
        ":::{solution} ex-t-one\n:class: dropdown\n\nForty-two.\n:::\n"
    )
    cells = make_edition(_chapter(tmp_path, body), "live").cells
    i = next(i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", []))
    assert cells[i].source == f"%%capture {SOLUTION_OUTPUT}1\nprint(42)"
    fold = cells[i + 1].source
    assert fold.startswith(":::{solution} ex-t-one\n:class: dropdown")
    assert "```python\nprint(42)\n```" in fold and f"{{eval}}`{SOLUTION_OUTPUT}1`" in fold


def _kernel_session(code_cells: list[str], expressions: dict) -> tuple[list, dict]:
    """Run ``code_cells`` in a fresh kernel; return the output messages they sent and the
    values of ``expressions`` (user expressions, as jupyterlab-myst asks for ``{eval}``)."""
    import tempfile

    from jupyter_client.manager import KernelManager

    km = KernelManager(  # IPC sockets: no port two kernels could both pick
        kernel_name="python3", transport="ipc", ip=tempfile.mkdtemp(prefix="vgp-kernel-") + "/k"
    )
    km.start_kernel(env={k: v for k, v in os.environ.items() if k != "MPLBACKEND"})
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    outputs = []
    try:
        for code in code_cells + [""]:
            msg_id = kc.execute(code, user_expressions=expressions if not code else {})
            while True:
                msg = kc.get_iopub_msg(timeout=120)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
                if msg["msg_type"] in ("stream", "display_data", "execute_result", "error"):
                    outputs.append(msg["content"])
            reply = kc.get_shell_msg(timeout=120)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = kc.get_shell_msg(timeout=120)
        return outputs, reply["content"]["user_expressions"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_a_captured_solution_shows_nothing_and_its_fold_shows_its_output():
    """In a kernel: a solution cell that starts with %%capture sends no output, and the
    {eval} of its capture is HTML with what it printed, its check's verdict and its figure."""
    solution = (
        f"%%capture {SOLUTION_OUTPUT}1\n"
        "import matplotlib.pyplot as plt\n"
        "from vgp_lib.exercises.chain import check_vanish_depth\n"
        "from vgp_lib.plots import figure, show\n"
        "print('depth <found>')\n"
        "fig, ax = figure(height=3.0)\n"
        "ax.plot([0, 1], [0, 1])\n"
        "show(fig)  # as the chapters show a figure: a PNG at its width\n"
        "plt.close(fig)\n"
        "check_vanish_depth(8, threshold=1e-10)"
    )
    outputs, values = _kernel_session(
        [SHOW_CAPTURED, solution], {"fold": f"{SOLUTION_OUTPUT}1", "none": "undefined_name"}
    )
    assert outputs == []  # nothing printed outside the fold
    fold = values["fold"]
    assert fold["status"] == "ok", fold
    html, plain = fold["data"]["text/html"], fold["data"]["text/plain"]
    assert "<pre>depth &lt;found&gt;\n</pre>" in html
    assert 'class="vgp-feedback vgp-correct"' in html and "Correct:" in html
    assert re.search(r'<img src="data:image/png;base64,iVBORw0KGgo[^"]*" width="\d+"', html)
    assert "depth <found>" in plain and "status='correct'" in plain
    assert values["none"]["status"] == "error"


def test_live_size_cell_opens_only_the_chapters_with_long_experiments(tmp_path):
    """A chapter that calls quick_mode() gets, right after the note, a visible cell that
    sets the live size before the chapter's own first cell reads it; the note says why.
    A chapter without long experiments gets neither."""
    quick = _chapter(
        tmp_path,
        "# Q\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        "from vgp_lib.book import quick_mode\nQUICK = quick_mode()\n```\n\nText.\n",
        name="q",
    )
    plain = _chapter(tmp_path, "# P\n\n```{code-cell} ipython3\nx = 1\n```\n\nText.\n", "p")
    cells = make_edition(quick, "live").cells
    assert cells[1].cell_type == "code" and cells[1].source == LIVE_SIZE_CELL
    assert "jupyter" not in cells[1].metadata and not cell_tags(cells[1])  # visible
    assert 4 <= len(LIVE_SIZE_CELL.splitlines()) <= 6
    assert "smaller here than on the web page" in cells[0].source
    first = next(i for i, c in enumerate(cells) if "QUICK = quick_mode()" in c.source)
    assert first > 1
    for edition in ("student", "instructor"):
        assert not any(c.source == LIVE_SIZE_CELL for c in make_edition(quick, edition).cells)
    cells = make_edition(plain, "live").cells
    assert not any(c.source == LIVE_SIZE_CELL for c in cells)
    assert "smaller" not in cells[0].source and "student edition" not in cells[0].source


@pytest.mark.parametrize("full", [False, True])
def test_live_size_cell_sets_the_size_quick_mode_reads(full):
    import os as os_module

    from vgp_lib.book import quick_mode

    saved = os_module.environ.get("VGP_QUICK")
    try:
        exec(LIVE_SIZE_CELL.replace("FULL_SIZE = False", f"FULL_SIZE = {full}"), {})
        assert quick_mode() is (not full)
    finally:
        if saved is None:
            os_module.environ.pop("VGP_QUICK", None)
        else:
            os_module.environ["VGP_QUICK"] = saved


# ----------------------------------------------------------- references in the editions


@pytest.fixture(scope="module")
def live_and_student(tmp_path_factory):
    """The live edition and the student edition beside it, from the book's own TOC,
    as ``make notebooks`` (and Binder's postBuild) write them."""
    base = tmp_path_factory.mktemp("live")
    live = write_edition("live", root=ROOT, out=base)
    student = write_edition("student", root=ROOT, out=base / "student")
    return base, live, student


#: Roles that refer to a label, as the notebooks may still hold them.
LEFT_ROLE = re.compile(r"\{(eq|ref|numref|doc|cite|cite:p|cite:t)\}`(?:[^`<]*<)?([^`>]+)>?`")


def notebook_labels(nb) -> set[str]:
    """Every label a notebook defines: targets, equations, exercises."""
    found = set()
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        found |= set(re.findall(r"^\(([\w:-]+)\)=\s*$", cell.source, re.M))
        found |= set(re.findall(r"^[ \t>]*:label:[ \t]*(\S+)", cell.source, re.M))
    return found


def test_every_reference_left_in_a_notebook_names_a_label_of_that_notebook(live_and_student):
    """References to other chapters (sections, equations, figures, exercises), citations
    and {doc} links are rewritten; what is left refers to a label in the same notebook,
    which jupyterlab-myst resolves."""
    base, live, student = live_and_student
    for path in [p for p in live + student if p.suffix == ".ipynb"]:
        nb = nbformat.read(path, as_version=4)
        defined = notebook_labels(nb)
        for cell in nb.cells:
            for role, target in LEFT_ROLE.findall(cell.source):
                assert role in ("eq", "ref") and target.strip() in defined, (
                    f"{path.relative_to(base)}: {{{role}}}`{target}` does not resolve"
                )


def test_references_to_other_chapters_become_links_with_the_sites_words(live_and_student):
    base, _, _ = live_and_student
    exploding = (base / "exploding.ipynb").read_text()
    assert "[(2.2)](chain.ipynb)" in exploding  # {eq}`eq-chain-product`
    assert "[(2.2)](chain.ipynb)" in (base / "student" / "unstable.ipynb").read_text()
    chain = nbformat.read(base / "chain.ipynb", as_version=4)
    text = "\n".join(c.source for c in chain.cells)
    # its own equations and exercises carry the site's numbers
    assert ":label: eq-chain-product" in text and ":enumerator: 2.2" in text
    assert ":enumerator: 2.1\n:label: ex-chain-four-layer" in text


def test_rewrite_references_resolves_sections_equations_exercises_and_pages():
    labels = {
        "chapter-wide": ("wide.ipynb", "Wide networks"),
        "sec-wide-meanfield": ("wide.ipynb", "The mean-field multiplier"),
    }
    equations = {"eq-chain-product": ("chain.ipynb", "2.2"), "eq-own": ("mnist.ipynb", "5.1")}
    exercises = {"ex-chain-four-layer": ("chain.ipynb", "2.1")}
    documents = {"exercises": ("exercises.md", "Exercises")}
    text = (
        "{ref}`sec-wide-meanfield`, {ref}`this section <sec-wide-meanfield>`, "
        "{eq}`eq-chain-product`, {eq}`eq-own`, {ref}`ex-chain-four-layer`, "
        "{doc}`exercises`, {doc}`the list <../chapters/exercises>`, {ref}`sec-unknown`."
    )
    out = rewrite_references(
        text,
        labels,
        {},
        equations=equations,
        exercises=exercises,
        documents=documents,
        here="mnist.ipynb",
    )
    assert out == (
        "[The mean-field multiplier](wide.ipynb), [this section](wide.ipynb), "
        "[(2.2)](chain.ipynb), {eq}`eq-own`, [Exercise 2.1](chain.ipynb), "
        "[Exercises](exercises.md), [the list](exercises.md), {ref}`sec-unknown`."
    )
    # inside its own notebook a section is left to jupyterlab-myst
    assert rewrite_references("{ref}`sec-wide-meanfield`", labels, {}, here="wide.ipynb") == (
        "{ref}`sec-wide-meanfield`"
    )


def test_enumerators_go_into_the_directives_options_in_every_spelling():
    numbers = {"eq-a": "2.1", "ex-b": "2.2", "eq-c": "2.3"}
    text = (
        "> ```{math}\n> :label: eq-a\n> x\n> ```\n\n"
        "::::{exercise} B\n:label: ex-b\n\n:::{math}\n:label: eq-c\ny\n:::\n::::\n\n"
        ":::{math}\n:enumerator: 9\n:label: eq-a\nz\n:::"
    )
    assert set_enumerators(text, numbers) == (
        "> ```{math}\n> :enumerator: 2.1\n> :label: eq-a\n> x\n> ```\n\n"
        "::::{exercise} B\n:enumerator: 2.2\n:label: ex-b\n\n"
        ":::{math}\n:enumerator: 2.3\n:label: eq-c\ny\n:::\n::::\n\n"
        ":::{math}\n:enumerator: 9\n:label: eq-a\nz\n:::"
    )
    assert set_enumerators("no directive", numbers) == "no directive"


def test_equation_and_exercise_numbers_match_the_built_site(built_html):
    """Every equation number ("(2.3)") and exercise number ("Exercise 2.3") the site prints
    is the one the editions give, in every chapter."""
    numbers = chapter_numbers(ROOT)
    equations = numbered_labels(TOC_CHAPTERS, numbers, "equation")
    exercises = numbered_labels(TOC_CHAPTERS, numbers, "exercise")
    checked = 0
    for source in TOC_CHAPTERS:
        page = (built_html / "chapters" / f"{source.stem}.html").read_text(encoding="utf-8")
        site_eqs = dict(
            re.findall(r'id="equation-([^"]+)">.*?<span class="eqno">\(([\d.]+)\)', page, re.S)
        )
        site_exercises = dict(re.findall(r'id="(ex-[\w-]+)"[^>]*>.*?Exercise ([\d.]+)', page, re.S))
        mine = f"{source.stem}.ipynb"
        assert site_eqs == {k: n for k, (f, n) in equations.items() if f == mine}, source.stem
        assert site_exercises == {k: n for k, (f, n) in exercises.items() if f == mine}, source.stem
        checked += bool(site_eqs)
    assert checked >= 2


def test_section_labels_carry_their_titles():
    labels = chapter_labels(TOC_CHAPTERS)
    assert labels["chapter-chain"] == ("chain.ipynb", "The single-neuron chain")
    assert labels["sec-wide-meanfield"] == ("wide.ipynb", "The mean-field multiplier")


# ---------------------------------------------------------------- the live text pages


def test_the_exercise_list_links_every_exercise_to_its_student_notebook(live_and_student):
    base, live, student = live_and_student
    page = (base / "exercises.md").read_text(encoding="utf-8")
    assert base / "exercises.md" in live
    items = re.findall(
        r"^  - \[Exercise ([\d.]+) \(([^)]*(?:\)[^)\]]*)*)\)\]\(([^)]+)\)", page, re.M
    )
    sources = {}
    for source in TOC_CHAPTERS:
        nb = jupytext.read(source)
        sources[source.stem] = [b.options["label"] for b in exercise_blocks(nb)]
    assert len(items) == sum(len(v) for v in sources.values())
    for number, _, link in items:
        assert (base / link).is_file(), link  # the student notebook is there
        assert link.startswith("student/")
        chapter = Path(link).stem
        assert number.startswith(f"{chapter_numbers(ROOT)[chapter]}.")
    total = sum(len(v) for v in sources.values())
    assert f"{total} exercises in {len(sources)} chapters" in page
    assert "Exercise 2.1 (One gradient by hand)](student/chain.ipynb)" in page
    assert "_build" not in page and not RAW_ROLE.search(page)


RAW_ROLE = re.compile(r"\{[\w:-]+\}`|^[:`]{3,}\{", re.M)


def test_the_bibliography_lists_every_entry_under_its_author_year_label(live_and_student):
    from pybtex.database import parse_file

    base, _, _ = live_and_student
    page = (base / "bibliography.md").read_text(encoding="utf-8")
    entries = re.findall(r"^- \*\*(.+?)\.\*\* (.+)$", page, re.M)
    bib = parse_file(str(ROOT / "references.bib")).entries
    assert len(entries) == len(bib)
    cited_as = read_bibliography(ROOT / "references.bib")
    labels = [label for label, _ in entries]
    for key, (names, year) in cited_as.items():
        assert labels.count(f"{names}, {year}") == 1, key
    cited = set()
    for source in [*TOC_CHAPTERS, FRONT]:
        for keys in re.findall(r"\{cite:[pt]\}`([^`]+)`", source.read_text(encoding="utf-8")):
            cited |= {k.strip() for k in keys.split(",")}
    assert cited and cited <= set(cited_as)
    assert labels.index("Glorot and Bengio, 2010") < labels.index("He et al., 2015")
    assert not RAW_ROLE.search(page)


def test_the_front_page_is_a_live_notebook_with_every_reference_resolved(live_and_student):
    base, live, _ = live_and_student
    assert base / f"{FRONT.stem}.ipynb" in live
    nb = nbformat.read(base / f"{FRONT.stem}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not LEFT_ROLE.search(text), LEFT_ROLE.search(text).group(0)
    assert "(exercises.md)" in text and "(bibliography.md)" in text and "(chain.ipynb)" in text
    assert "Nielsen (2015)" in text
    assert "student/" not in nb.cells[0].source  # no exercises, so no student edition
    assert not (base / "student" / f"{FRONT.stem}.ipynb").exists()


def test_the_cli_writes_the_text_pages_with_the_live_edition(tmp_path):
    run = _edition_cli("live", "--out", str(tmp_path))
    assert run.stderr == ""
    assert f"{len(TOC_CHAPTERS) + 1} live notebooks" in run.stdout
    assert "exercises.md, bibliography.md" in run.stdout
    assert (tmp_path / "exercises.md").is_file() and (tmp_path / "bibliography.md").is_file()


# ------------------------------------------------------------ feedback reads as plain text


def _reader_strings():
    """``(file, line, text)`` of every string literal of vgp_lib/exercises that is not a
    docstring: the feedback, hints and hand-in lines a reader sees (and a few names)."""
    import ast

    for path in sorted((ROOT / "vgp_lib" / "exercises").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in docs:
                    yield path.name, node.lineno, node.value


def test_feedback_is_plain_text_without_labels_or_markup():
    """A check's message is shown as plain text: no Markdown (backticks, *emphasis*,
    links) and no label (eq-..., sec-...) a reader cannot follow. An exercise's own label
    is a value (the Feedback says which exercise it judges), not text."""
    markup = re.compile(r"`|(?<![\w*])\*[A-Za-z][^*]*\*(?![\w*])|\]\(")
    label = re.compile(r"(?<![\w-])(?:eq|sec|fig|chapter)-[a-z][\w-]*")
    found = []
    for name, line, text in _reader_strings():
        if re.fullmatch(r"ex-[\w-]+", text):
            continue
        if markup.search(text) or label.search(text) or re.search(r"(?<![\w-])ex-\w", text):
            found.append(f"{name}:{line}: {text[:80]!r}")
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- no spoilers (slow)


def answer_strings(value: str) -> set[str]:
    """The usual printed forms of a reference answer (its repr): integers with at least two
    digits, decimals with at least three significant digits (a lone "4" is everywhere in a
    text about sigma'(0) = 1/4, and "1.2" is a slider setting as often as an answer)."""
    import ast

    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return set()
    values = parsed if isinstance(parsed, (tuple, list)) else [parsed]
    forms = set()
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        if isinstance(v, int):
            candidates = {str(v), f"{v:,}"}
        else:
            candidates = (
                {repr(v)}
                | {f"{v:.{p}g}" for p in range(2, 7)}
                | {f"{v:.{p}f}" for p in range(1, 5)}
            )
        for text in candidates:
            mantissa = text.split("e")[0].replace(",", "")
            if "." in mantissa:
                mantissa = mantissa.rstrip("0").rstrip(".")
            if len(re.sub(r"\D", "", mantissa).lstrip("0")) >= (2 if isinstance(v, int) else 3):
                forms.add(text)
    return forms


def source_lines(source: str) -> set[str]:
    """Distinctive lines of a reference function (not its def line or docstring)."""
    return {
        line.strip()
        for line in source.splitlines()
        if len(line.strip()) >= 20 and not line.strip().startswith(("def ", '"""', "#"))
    }


def leaked(text: str, answers: dict) -> list[str]:
    found = []
    for name, value in answers.items():
        if value.lstrip().startswith("def "):
            found += [f"{name}: {line!r}" for line in source_lines(value) if line in text]
        else:
            for form in answer_strings(value):
                if re.search(r"(?<![\w.])" + re.escape(form) + r"(?![\d]|e[-+]?\d)", text):
                    found.append(f"{name} = {form}")
    return found


def page_text_before_solutions(html: str) -> dict[str, str]:
    """For each exercise label: the page's text from the top to that exercise's solution,
    every solution block and all typeset maths left out."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for math in soup.select(".math, .MathJax, mjx-container, script, style"):
        math.decompose()
    for solution in soup.select("div.solution, details.solution"):
        link = solution.select_one("p.admonition-title a[href^='#ex-']")
        label = solution.get("data-for") or (link["href"][1:] if link else "?")
        solution.replace_with(f"@@SOLUTION:{label}@@")
    text = (soup.select_one("main") or soup).get_text(" ")
    parts, out = re.split(r"@@SOLUTION:([\w?-]+)@@", text), {}
    for i in range(1, len(parts), 2):
        out[parts[i]] = " ".join(parts[0:i:2])
    return out


def notebook_text_before_solutions(nb) -> dict[str, str]:
    """For each exercise label: a student notebook's sources and outputs up to its check cell."""
    text, out = [], {}
    for cell, label in zip(nb.cells, exercise_labels(nb.cells)):
        text.append(cell.source)
        for output in cell.get("outputs", []):
            text.append(output.get("text", "") + output.get("data", {}).get("text/plain", ""))
        if "check" in cell.metadata.get("tags", []) and label:
            out[label] = "\n".join(text)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_no_answer_is_visible_before_its_solution(executed, name, built_html):
    """Until a reader opens a solution, its answer is nowhere: not in the page's text,
    printed source or outputs before it, not in the student notebook (run) before it."""
    nb, error = executed[("instructor", name)]
    assert nb is not None and error is None, error
    answers = recorded_answers(nb)
    assert answers, f"{name}: no answers recorded"
    page = page_text_before_solutions((built_html / "chapters" / f"{name}.html").read_text())
    student_nb, error = executed[("student", name)]
    assert student_nb is not None and error is None, error
    student = notebook_text_before_solutions(student_nb)
    for label, values in answers.items():
        assert label in page and label in student, f"{name}: {label} not found on both surfaces"
        assert not leaked(page[label], values), f"site, {label}: {leaked(page[label], values)}"
        assert not leaked(student[label], values), (
            f"student notebook, {label}: {leaked(student[label], values)}"
        )


def test_leak_finder_sees_numbers_and_source_but_not_lone_digits():
    assert leaked("the chain overflows from depth 29 on", {"answer": "29"}) == ["answer = 29"]
    assert leaked("a factor 1/4 and 4 layers", {"answer": "4.0"}) == []
    assert leaked("width 0.4477 at |w| = 6.9", {"answer": "(6.9, 0.447743)"})
    assert not leaked("at 16.9 and 10.4477", {"answer": "(6.9, 0.447743)"})
    assert not leaked("from 1.25e-05 to 2.7", {"scale": "1.25"})
    ref = (
        "def clip(grads, max_norm):\n    total = np.sqrt(sum(float((g**2).sum()) for g in grads))\n"
    )
    assert leaked("total = np.sqrt(sum(float((g**2).sum()) for g in grads))", {"clip": ref})
    html = (
        '<main><p>Before 29.</p><div class="solution dropdown"><p class="admonition-title">'
        '<a href="#ex-a">S</a></p>29</div><p>After.</p></main>'
    )
    assert page_text_before_solutions(html)["ex-a"].split() == ["Before", "29."]
    folded = (
        '<main><p>Before 29.</p><details class="solution admonition" data-for="ex-a">'
        '<summary class="admonition-title">S</summary>29</details><p>After.</p></main>'
    )
    assert page_text_before_solutions(folded)["ex-a"].split() == ["Before", "29."]


# ------------------------------------------------------------------ probing the checks (slow)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_no_check_accepts_anything_the_student_notebook_holds_before_the_exercise(
    executed, editions, name
):
    """Before each exercise of a student notebook, its check is called, in the student's
    kernel, on every value the kernel holds and every number the notebook has shown so far
    (:mod:`probecheck`): it calls none of them correct."""
    nb, error = executed[("student", name)]
    assert nb is not None and error is None, f"student {name}.ipynb failed:\n{error}"
    findings, summaries = executed[("probe", name)]
    labels = [label for _, label, _, _ in probecheck.exercises(editions["student"][name])]
    assert [s["label"] for s in summaries] == labels, f"{name}: a probe did not run"
    for s in summaries:
        assert s["error"] is None and s["tried"] > 0, f"{name}, probe of {s['label']}: {s}"
    assert not findings, f"{name}: checks that accept what the notebook holds before them:\n" + (
        "\n".join(f"{f['label']} accepts {f['candidate']}, from {f['where']}" for f in findings)
    )


#: A student notebook with one answer given away before each exercise, each in another
#: place, and one exercise whose answer is only a lone digit of the code: the probes must
#: find every leak (label: where it is) and nothing else.
PROBE_DEMO = [
    (
        "code",
        "from types import SimpleNamespace\n\nimport matplotlib.pyplot as plt\n"
        "from IPython.display import HTML, display\n\nfrom vgp_lib import bound\n"
        "from vgp_lib.book import show\n\n\ndef check_is(answer, target):\n"
        "    try:\n        ok = bool(abs(answer(9.0) - target(9.0)) < 1e-12 if callable(answer)\n"
        "                  else answer == target)\n    except Exception:\n        ok = False\n"
        '    return SimpleNamespace(status="correct" if ok else "incorrect")',
    ),
    ("ex-demo-prose", "The chain overflows from depth 37 on.", "37"),
    ("ex-demo-output", 'print({"float32": 40 + 1})', "41"),
    (
        "ex-demo-figure",
        'fig, ax = plt.subplots(figsize=(4, 3))\nax.set_title(f"width {0.4 + 0.0477:.4f}")\n'
        "show(fig)\nplt.close(fig)",
        "0.4477",
    ),
    (
        "ex-demo-alt",
        "display(HTML('<img alt=\"largest at |w| = ' + str(2 * 3.445) + '\" src=\"\">'))",
        "6.89",
    ),
    ("ex-demo-eval", "A depth of {eval}`str(11 * 3)`.", "33"),
    ("ex-demo-namespace", "hidden = sum(range(12))", "66"),
    ("ex-demo-module", None, "bound.interval_width"),
    ("ex-demo-pair", "It is widest at |w| ≈ 6.9, width 0.45.", "(6.9, 0.45)"),
    ("ex-demo-clean", "z = list(range(-8, 8))", "8"),
]


def _probe_demo() -> tuple:
    """The notebook of :data:`PROBE_DEMO` and ``{label: where the leak is}``."""
    cells = [nbformat.v4.new_code_cell(PROBE_DEMO[0][1])]
    where = {}
    for label, leak, answer in PROBE_DEMO[1:]:
        if leak is not None:
            code = leak.startswith(("print", "fig", "display", "hidden", "z ="))
            new = nbformat.v4.new_code_cell if code else nbformat.v4.new_markdown_cell
            cells.append(new(leak))
        cells.append(nbformat.v4.new_markdown_cell(f":::{{exercise}}\n:label: {label}\n\n:::"))
        if answer.startswith("bound."):
            stub, call = "def width(w):\n    return ...", f"check_is(width, {answer})"
        else:
            stub, call = "answer = ...", f"check_is(answer, {answer})"
        cells.append(nbformat.v4.new_code_cell(stub, metadata={"tags": ["exercise"]}))
        cells.append(nbformat.v4.new_code_cell(call, metadata={"tags": ["check"]}))
        if label != "ex-demo-clean":
            where[label] = {
                "ex-demo-prose": "(Markdown): The chain",
                "ex-demo-output": "output of cell 5: {'float32': 41}",
                "ex-demo-figure": "output of cell 9: width 0.4477",
                "ex-demo-alt": "output of cell 13: largest at |w| = 6.89",
                "ex-demo-eval": "{eval}`str(11 * 3)`",
                "ex-demo-namespace": "namespace: hidden",
                "ex-demo-module": "namespace: bound.interval_width",
                "ex-demo-pair": "(Markdown): It is widest",
            }[label]
    nb = nbformat.v4.new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell.id = f"demo-{i}"
    return nb, where


@pytest.mark.slow
def test_the_probes_find_an_answer_wherever_the_notebook_shows_it(tmp_path):
    nb, where = _probe_demo()
    nbformat.write(probecheck.with_probes(nb), tmp_path / "demo.ipynb")
    ran, error = execute(tmp_path / "demo.ipynb", tmp_path / "demo.out.ipynb", _kernel_env())
    assert ran is not None and error is None, error
    findings, summaries = probecheck.probe_findings(ran)
    assert [s["label"] for s in summaries] == [label for label, *_ in PROBE_DEMO[1:]]
    assert all(s["error"] is None for s in summaries), summaries
    found = {}
    for f in findings:
        found.setdefault(f["label"], []).append(f["where"])
    assert set(found) == set(where), found
    for label, place in where.items():
        assert any(place in w for w in found[label]), (label, found[label])
    assert not stderr_of(probecheck.without_probes(ran))
    assert not any(probecheck.is_probe(c) for c in probecheck.without_probes(ran).cells)


# -------------------------------------------------------------------------- figures in the editions


def test_figures_are_numbered_and_captioned_as_on_the_page(tmp_path):
    """A figure cell's caption follows it as "**Figure N.k.** caption"; {numref} to a figure
    becomes its number (a link when the figure is in another chapter)."""
    header = (ROOT / "chapters" / "circuits.md").read_text().split("---", 2)[1]

    def fig_cell(name, caption):
        return (
            "```{code-cell} ipython3\n---\nmystnb:\n  figure:\n"
            f"    caption: {caption}\n    name: {name}\n---\nprint(1)\n```\n\n"
        )

    body = (
        "# T\n\nSee {numref}`fig-t-b` and {numref}`panel %s <fig-t-a>`, and {numref}`fig-u-a`.\n\n"
        + fig_cell("fig-t-a", "The first one.")
        + "Between.\n\n"
        + fig_cell("fig-t-b", "The second, unlike {numref}`fig-t-a`.")
    )
    path = tmp_path / "t.md"
    path.write_text("---" + header + "---\n" + body)
    figures = {
        "fig-t-a": ("t.ipynb", "3.1"),
        "fig-t-b": ("t.ipynb", "3.2"),
        "fig-u-a": ("u.ipynb", "4.1"),
    }
    for edition in ("live", "student", "instructor"):
        cells = make_edition(path, edition, figures=figures).cells
        sources = [c.source for c in cells]
        assert "See Figure 3.2 and panel 3.1, and [Figure 4.1](u.ipynb)." in "\n".join(sources)
        names = [c.metadata.get("mystnb", {}).get("figure", {}).get("name") for c in cells]
        first, second = names.index("fig-t-a"), names.index("fig-t-b")
        assert sources[first + 1] == "**Figure 3.1.** The first one."
        assert sources[second + 1] == "**Figure 3.2.** The second, unlike Figure 3.1."
        assert not any("{numref}" in s for s in sources)


def test_chapter_numbers_follow_the_numbered_parts_of_the_toc():
    numbers = chapter_numbers(ROOT)
    numbered = [p.stem for p in TOC_CHAPTERS if p.stem in numbers]
    assert [numbers[n] for n in numbered] == list(range(1, len(numbered) + 1))
    assert "preface" not in numbers


def test_edition_figure_numbers_match_the_built_site(built_html):
    """Every figure caption the site prints ("Figure 2.3 ...") is the one the editions write."""
    import html as html_lib

    from booktools.edition import figure_labels

    figures = figure_labels(TOC_CHAPTERS, chapter_numbers(ROOT))
    for source in TOC_CHAPTERS:
        page = (built_html / "chapters" / f"{source.stem}.html").read_text(encoding="utf-8")
        site = re.findall(
            r'<figure[^>]*id="([^"]+)"[^>]*>.*?<span class="caption-number">Figure ([\d.]+)',
            page,
            re.S,
        )
        ours = {
            name: number
            for name, (file, number) in figures.items()
            if file == f"{source.stem}.ipynb"
        }
        assert {html_lib.unescape(k): v for k, v in site} == ours, source.stem


def _assigned(source: str) -> set[str]:
    """Names a code cell binds (assignments, loops, imports, definitions), read with ast."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


@pytest.mark.parametrize("name", NAMES)
def test_every_inline_number_of_the_student_notebook_is_computed_before_it(editions, name):
    """A student notebook has no solution cells: a number the text names after a solution
    must come from a cell the student has, above the text, or it renders as an error."""
    defined: set[str] = set()
    missing = []
    for i, cell in enumerate(editions["student"][name].cells):
        if cell.cell_type == "code":
            defined |= _assigned(cell.source)
            continue
        for expr in re.findall(r"\{eval\}`([^`]+)`", cell.source):
            base = re.match(r"[A-Za-z_]\w*", expr).group()
            if base not in defined:
                missing.append(f"cell {i}: {expr}")
    assert not missing, f"{name}: names no earlier cell computes: {missing}"
