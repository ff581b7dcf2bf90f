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
