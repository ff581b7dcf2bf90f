"""No plumbing in view: the code a reader sees reads as the idea.

The quick-mode switch (``QUICK``, ``quick_mode()``) and the chapter's ``SEED`` stay in hidden
cells; a visible cell writes its seed (``seed=0``) and its sizes where it uses them, or uses a
name the prose around it states. Visible means the page shows the input: a code cell not
tagged ``remove-input``, ``hide-input`` or ``remove-cell`` (a folded solution is visible once
opened, so it counts too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
HIDDEN = {"remove-input", "hide-input", "remove-cell"}
#: Names that are switches of the build, not ideas of the chapter.
PLUMBING = {"QUICK", "quick_mode", "SEED"}


def visible_cells(path: Path):
    for i, cell in enumerate(jupytext.read(path).cells):
        if cell.cell_type == "code" and not HIDDEN & set(cell.metadata.get("tags", [])):
            yield i, cell.source


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_visible_code_shows_no_build_switches(path):
    for i, source in visible_cells(path):
        names = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        assert not names & PLUMBING, f"{path.stem} cell {i} shows {names & PLUMBING}:\n{source}"


def _printed_functions(path: Path):
    """``(expression, object)`` for every ``show_source(expression)`` of a chapter, resolved with
    the chapter's own imports."""
    cells = [c.source for c in jupytext.read(path).cells if c.cell_type == "code"]
    namespace: dict = {}
    for source in cells:
        for node in ast.parse(source).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                exec(compile(ast.Module([node], []), str(path), "exec"), namespace)
    for source in cells:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "show_source":
                expression = ast.unparse(node.args[0])
                yield expression, eval(expression, namespace)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_printed_functions_fit_the_code_column(path):
    """A line over 78 characters scrolls sideways in the page's code column."""
    from vgp_lib.book import _printed_source

    for expression, function in _printed_functions(path):
        long = [line for line in _printed_source(function).splitlines() if len(line) > 78]
        assert not long, f"{path.stem}: show_source({expression}) prints {long}"


def test_the_column_check_sees_the_functions_the_pages_print():
    printed = {e for p in CHAPTERS for e, _ in _printed_functions(p)}
    assert {"bound.interval_width", "network.backprop_one_network"} <= printed
