"""What the package's docstrings cite exists in the book.

A docstring names the equation it implements by its label (``eq-interval-width``); the
chapter defines it with ``:label: eq-interval-width`` under a ``{math}`` block. A label that
no chapter defines is a dangling reference: the reader of the code cannot find the equation.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LABEL = re.compile(r"\beq-[a-z0-9]+(?:-[a-z0-9]+)*")


def docstrings(path: Path):
    """``(line, text)`` of every docstring of the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            text = ast.get_docstring(node, clean=False)
            if text:
                yield (node.body[0].lineno, text)


def cited_labels() -> dict[str, list[str]]:
    """Each equation label a docstring of ``vgp_lib`` cites, with where."""
    cited: dict[str, list[str]] = {}
    for path in sorted((ROOT / "vgp_lib").rglob("*.py")):
        for line, text in docstrings(path):
            for label in LABEL.findall(text):
                cited.setdefault(label, []).append(f"{path.relative_to(ROOT)}:{line}")
    return cited


def defined_labels() -> set[str]:
    """Every equation label a chapter defines (``:label: eq-...``)."""
    found = set()
    for path in (ROOT / "chapters").glob("*.md"):
        found.update(re.findall(r"^:label:\s*(eq-\S+)\s*$", path.read_text(encoding="utf-8"), re.M))
    return found


def test_every_equation_a_docstring_cites_is_in_a_chapter():
    cited, defined = cited_labels(), defined_labels()
    assert cited, "no docstring cites an equation: the pattern no longer matches"
    dangling = {label: where for label, where in cited.items() if label not in defined}
    assert not dangling, "docstrings cite equations no chapter defines: " + "; ".join(
        f"{label} ({', '.join(where)})" for label, where in sorted(dangling.items())
    )


@pytest.mark.parametrize(
    "text, labels",
    [
        (
            "Implements ``eq-interval-width`` (eq-chain-product).",
            ["eq-interval-width", "eq-chain-product"],
        ),
        ("see the equation above; no label", []),
    ],
)
def test_the_label_pattern_reads_what_docstrings_write(text, labels):
    assert LABEL.findall(text) == labels
