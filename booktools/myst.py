"""The one reader of the book's sources: the TOC, MyST directives and notebook cells.

The editions (:mod:`booktools.edition`), the course (:mod:`booktools.course`), the Sphinx
extension (:mod:`booktools.sphinx_ext`) and the tests all read the chapters through
these functions, so a chapter means the same to every one of them.

* The TOC: :func:`toc_entries` (every ``file:`` in reading order),
  :func:`chapter_sources` (the entries that are notebooks), :func:`chapter_numbers`
  (the numbers the site gives the chapters).
* MyST directives: :data:`DIRECTIVE_OPEN` matches an opening fence in every spelling
  MyST accepts; :func:`directive_at` reads the directive opened on one line, with its
  argument, options, content and line span; :func:`directive_blocks` yields each
  top-level directive of a Markdown cell, :func:`all_directives` the nested ones too.
* Cells: :func:`cell_tags`, :func:`notebook_title`, :func:`figure_cells`.

>>> lines = ["Text.", ":::{exercise} XOR", ":label: ex-xor", "Build it.", ":::", "After."]
>>> [(b.name, b.argument, b.options, b.content, b.start, b.end) for b in directive_blocks(lines)]
[('exercise', 'XOR', {'label': 'ex-xor'}, ['Build it.'], 1, 5)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_PREFIX = r"(?:[ \t]*>)*[ \t]*"
#: An opening fence of a directive, in every spelling MyST accepts: indentation or a
#: blockquote's ``>`` markers, 3+ colons, backticks or tildes, optional blanks, ``{name}``.
#: Groups: ``indent``, ``fence``, ``name``; the argument follows ``match.end()``.
DIRECTIVE_OPEN = re.compile(
    r"^(?P<indent>" + _PREFIX + r")(?P<fence>:{3,}|`{3,}|~{3,})[ \t]*\{(?P<name>[A-Za-z0-9_:-]+)\}"
)
#: An option line at the top of a directive's body (``:label: ex-a``).
DIRECTIVE_OPTION = re.compile(r"^[ \t>]*:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")


def closing_fence(fence: str) -> re.Pattern:
    """A line that closes a directive opened with ``fence`` (same character, as long or longer).

    >>> bool(closing_fence(":::").match("::::")), bool(closing_fence("::::").match(":::"))
    (True, False)
    """
    return re.compile("^" + _PREFIX + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")


def block_end(lines: list[str], start: int, fence: str) -> int:
    """Index just after the directive opened at ``lines[start]`` (its closing fence included).

    An unclosed directive runs to the end of the cell, as MyST reads it.
    """
    closing = closing_fence(fence)
    for i in range(start + 1, len(lines)):
        if closing.match(lines[i]):
            return i + 1
    return len(lines)


@dataclass(frozen=True)
class Directive:
    """One directive of a Markdown cell: ``lines[start:end]`` hold it, fences included."""

    name: str
    argument: str
    options: dict
    content: list
    start: int
    end: int
    fence: str


def directive_at(lines: list[str], i: int) -> Directive | None:
    """The directive opened at ``lines[i]``, or None if that line opens none."""
    m = DIRECTIVE_OPEN.match(lines[i])
    if not m:
        return None
    fence = m.group("fence")
    end = block_end(lines, i, fence)
    closed = end - 1 > i and closing_fence(fence).match(lines[end - 1])
    inner = lines[i + 1 : end - 1 if closed else end]
    options = {}
    while inner and (o := DIRECTIVE_OPTION.match(inner[0])):
        options[o.group("key")] = o.group("value").strip()
        inner = inner[1:]
    return Directive(m.group("name"), lines[i][m.end() :].strip(), options, inner, i, end, fence)


def directive_blocks(lines: list[str]) -> Iterator[Directive]:
    """Every directive opened at the top level of ``lines`` (a Markdown cell), in order.

    Directives nested in another one are part of its ``content``, not yielded.
    """
    i = 0
    while i < len(lines):
        block = directive_at(lines, i)
        if block is None:
            i += 1
            continue
        yield block
        i = block.end


def all_directives(lines: list[str]) -> Iterator[Directive]:
    """Every directive opened in ``lines``, nested ones too (an equation inside a solution)."""
    for i in range(len(lines)):
        block = directive_at(lines, i)
        if block is not None:
            yield block


def tidy(lines: list[str]) -> str:
    """Join lines, collapsing runs of blank lines (left where blocks were removed).

    >>> tidy(["a", "", "", "b", ""])
    'a\\n\\nb'
    """
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


# --------------------------------------------------------------------------- cells


def cell_tags(cell) -> list[str]:
    """The tags of a notebook cell (``[]`` if it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def notebook_title(nb, fallback: str) -> str:
    """The text of the first ``# Title`` line of the notebook's Markdown, else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def figure_cells(nb) -> list[tuple[int, str, str]]:
    """``(cell index, name, caption)`` of every named figure cell of a notebook, in order:
    the code cells whose ``mystnb.figure`` metadata names a figure, which the site numbers."""
    found = []
    for i, cell in enumerate(nb.cells):
        figure = (cell.metadata.get("mystnb") or {}).get("figure") or {}
        if cell.cell_type == "code" and isinstance(figure, dict) and figure.get("name"):
            found.append((i, str(figure["name"]), str(figure.get("caption", "")).strip()))
    return found


def is_notebook_source(path) -> bool:
    """True if ``path`` is a MyST Markdown notebook (its front matter has a jupytext header)."""
    path = Path(path)
    if path.suffix == ".ipynb":
        return True
    if path.suffix != ".md" or not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    end = text.find("\n---", 3)
    return end > 0 and re.search(r"^jupytext:", text[:end], flags=re.M) is not None


# --------------------------------------------------------------------------- the TOC


def read_toc(root=".", toc=None) -> dict:
    """The TOC tree of the book in ``root`` (``root/_toc.yml``, or the file ``toc``)."""
    import yaml

    toc_path = Path(toc) if toc is not None else Path(root) / "_toc.yml"
    if not toc_path.is_file():
        raise ValueError(f"toc must be an existing _toc.yml file, got {str(toc_path)!r}")
    return yaml.safe_load(toc_path.read_text(encoding="utf-8")) or {}


def toc_entries(node) -> list[str]:
    """Every ``root:`` and ``file:`` of a (jupyter-book / sphinx-external-toc) TOC tree,
    in reading order.

    >>> chapter = {"file": "a", "sections": [{"file": "a1"}]}
    >>> toc_entries({"root": "intro", "parts": [{"chapters": [chapter]}]})
    ['intro', 'a', 'a1']
    """
    found: list[str] = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                found.append(node[key])
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                found.extend(toc_entries(child))
    return found


def chapter_sources(root=".", toc=None) -> list[Path]:
    """Notebook sources of the chapters the TOC lists (``root/_toc.yml`` by default), in order.

    The TOC's ``root`` (the preface) is the book's front page, not a chapter: it has no
    exercises and no student or live edition, even when it computes its opening figure.
    """
    root = Path(root)
    sources = []
    tree = read_toc(root, toc)
    for entry in toc_entries(tree):
        if entry == tree.get("root"):
            continue
        base = root / entry
        candidates = (
            [base]
            if base.suffix in (".md", ".ipynb")
            else [base.with_suffix(".md"), base.with_suffix(".ipynb")]
        )
        for path in candidates:
            if path.is_file() and is_notebook_source(path) and path not in sources:
                sources.append(path)
                break
    return sources


def chapter_numbers(root=".", toc=None) -> dict[str, int]:
    """``{chapter stem: number}`` as the site numbers chapters: the chapters of the TOC's
    numbered parts, counted on from one part to the next."""
    numbers: dict[str, int] = {}
    for part in read_toc(root, toc).get("parts", []) or []:
        if not part.get("numbered"):
            continue
        for chapter in part.get("chapters", []) or []:
            if isinstance(chapter, dict) and isinstance(chapter.get("file"), str):
                numbers[Path(chapter["file"]).stem] = len(numbers) + 1
    return numbers
