"""A check's hint names the slip, it does not prescribe the step to the answer.

A hint such as "Use 1 / RMS" or "take w2 = 4/w1" is one operation away from the
reference: the reader applies it and is done, without seeing what went wrong. The
hints of the exercises say what was confused or forgotten and which idea to revisit
instead. This test reads every text of the exercise modules (all string literals
but docstrings, f-strings with their fields left out) and refuses such prescriptions.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The modules of the exercises' checks (grading and hand-in helpers hold no hints).
MODULES = sorted(
    p
    for p in (ROOT / "vgp_lib" / "exercises").glob("*.py")
    if p.name not in ("grading.py", "handin.py")
)
#: Prescriptions: each is the operation that turns the slip into the answer.
PRESCRIPTIONS = [
    r"\buse 1 ?/",
    r"\bdivide (?:1 )?by\b",
    r"\bmultiply (?:it |them |all \w+ )?by\b",
    r"\bmultiply (?:every|all|each)\b",
    r"\btake w\w*\s*=",
    r"=\s*4\s*/\s*w",
    r"\bmust be 4/",
    r"\bis its reciprocal\b",
    r"\btake (?:its|the) (?:\w+ )?root\b",
    r"\bits square root\b",
    r"\bso solve\b",
    r"\bthen solve\b",
    r"\bsolve w\b",
    r"\bchoose [a-z]\w* =",
    r"\bchoose c so\b",
    r"\binvert the\b",
    r"\buse the natural logarithm\b",
    r"\buse the last recorded step\b",
    r"\bright size, wrong sign\b",
    r"\bright size:",
]
PATTERN = re.compile("|".join(PRESCRIPTIONS), re.IGNORECASE)


def texts(path: Path):
    """``(line, text)`` of every string literal of ``path`` but its docstrings."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
            yield node.lineno, "".join(parts)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def test_the_patterns_catch_the_prescriptions_they_name():
    for text in (
        "Use 1 / RMS: the RMS itself is the typical multiplier.",
        "take w2 = 4/w1, not 1/w1.",
        "Divide by |w|: an interval of length 2z* in z has length 2z*/|w| in a.",
        "the shrink factor is its reciprocal.",
        "so solve w sigma'(0) = 1 for w.",
        "Right size, wrong sign: keep the signs.",
    ):
        assert PATTERN.search(text), text
    assert not PATTERN.search("That is the width in z = wa + b, not in a: revisit the map.")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_hints_name_the_slip_without_prescribing_the_answer(path):
    found = [
        f"{path.name}:{line}: {text[:100]!r}" for line, text in texts(path) if PATTERN.search(text)
    ]
    assert not found, "hints that prescribe the step to the answer:\n" + "\n".join(found)
