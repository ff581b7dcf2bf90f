"""The chapter template CONTRIBUTING.md tells a new author to copy runs, and keeps the
rules a chapter must follow."""

import os
import re

import jupytext
import nbformat

from booktools.myst import cell_tags
from tests.book.runner import execute
from tests.conftest import ROOT

TEMPLATE = ROOT / "booktools" / "chapter_template.md"


def _header(path):
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[0]


def test_the_template_starts_with_the_header_every_chapter_has():
    assert _header(TEMPLATE) == _header(ROOT / "chapters" / "circuits.md")


def test_every_value_the_prose_shows_is_set_by_a_cell_above_it():
    nb = jupytext.read(TEMPLATE)
    defined = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            defined |= set(re.findall(r"^(\w+)\s*=", cell.source, flags=re.M))
        else:
            used = set(re.findall(r"\{eval\}`(\w+)", cell.source))
            assert used <= defined, used - defined
    assert "last_over_first" in defined


def test_the_figure_cell_is_named_captioned_described_and_hides_its_code():
    nb = jupytext.read(TEMPLATE)
    figures = [c for c in nb.cells if "figure" in c.metadata.get("mystnb", {})]
    assert len(figures) == 1
    meta = figures[0].metadata["mystnb"]
    assert meta["figure"]["name"].startswith("fig-template-") and meta["figure"]["caption"]
    assert meta["image"]["alt"]
    assert "remove-input" in cell_tags(figures[0])


def test_the_template_runs_in_a_kernel_without_an_error(tmp_path):
    src = tmp_path / "template.ipynb"
    nbformat.write(jupytext.read(TEMPLATE), src)
    env = {k: v for k, v in os.environ.items() if k not in ("VGP_STATIC_BUILD", "MPLBACKEND")}
    env.update(VGP_QUICK="1", PYTHONHASHSEED="0")
    executed, error = execute(src, tmp_path / "run.ipynb", env)
    assert executed is not None and not error, error
    images = [
        o
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert images, "the figure cell showed no image"
