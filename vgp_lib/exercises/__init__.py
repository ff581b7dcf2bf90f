"""Self-checks for the book's exercises.

Each exercise with a computable answer has a checking function in a module of
this package named after its chapter (``vgp_lib.exercises.circuits``, ...).
A check never raises on a wrong or missing answer: it returns a
:class:`Feedback` that says what is right, what is off and by how much, and
gives a hint. Students' notebooks start with ``answer = ...`` (Ellipsis), which
every check reports as *not attempted yet*.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"


@dataclass(frozen=True)
class Feedback:
    """The outcome of a self-check: ``status``, an explanation and a hint."""

    exercise: str
    status: str
    message: str
    hint: str = ""

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        icon = {CORRECT: "✔", INCORRECT: "✘", NOT_ATTEMPTED: "…"}[self.status]
        text = f"{icon} [{self.exercise}] {self.status}: {self.message}"
        return text + (f"\n  hint: {self.hint}" if self.hint else "")

    def _repr_html_(self) -> str:
        colour = {CORRECT: "#1a7f37", INCORRECT: "#b3261e", NOT_ATTEMPTED: "#6e6e6e"}[self.status]
        hint = f"<br><em>Hint:</em> {html.escape(self.hint)}" if self.hint else ""
        return (
            f'<div class="vgp-feedback vgp-{self.status.replace(" ", "-")}" '
            f'style="border-left:4px solid {colour};padding:0.3em 0.8em">'
            f"<strong>{html.escape(self.status.capitalize())}</strong> "
            f"({html.escape(self.exercise)}): {html.escape(self.message)}{hint}</div>"
        )


def not_attempted(answer) -> bool:
    """True for the placeholders students start from: ``...`` or ``None``."""
    return answer is Ellipsis or answer is None


def pending(exercise: str, what: str) -> Feedback:
    """Feedback for an answer that is still the placeholder."""
    return Feedback(exercise, NOT_ATTEMPTED, f"replace the `...` with {what}, then run this cell again.")


def as_number(exercise: str, answer, what: str):
    """``(float, None)`` for a real number, or ``(None, Feedback)`` explaining the problem."""
    if not_attempted(answer):
        return None, pending(exercise, what)
    if isinstance(answer, bool):
        return None, Feedback(exercise, INCORRECT, f"expected {what}, got the boolean {answer!r}.")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None, Feedback(exercise, INCORRECT, f"expected {what}, got {type(answer).__name__} {answer!r}.")
    if not math.isfinite(value):
        return None, Feedback(exercise, INCORRECT, f"expected {what}, got {value!r}.")
    return value, None


def close_to(exercise: str, got: float, expected: float, *, rtol: float, what: str, hints=()) -> Feedback:
    """Compare a number with the expected one; ``hints`` maps likely wrong values to advice.

    ``hints`` is a sequence of ``(wrong_value, advice)``: when ``got`` is within
    ``rtol`` of a wrong value, the advice becomes the hint.
    """
    if math.isclose(got, expected, rel_tol=rtol, abs_tol=0.0) or got == expected:
        return Feedback(exercise, CORRECT, f"{what} = {got:.6g} (expected {expected:.6g}).")
    for wrong, advice in hints:
        if math.isclose(got, wrong, rel_tol=rtol):
            return Feedback(
                exercise, INCORRECT, f"{what} = {got:.6g} is {_relative(got, expected)}.", advice
            )
    return Feedback(exercise, INCORRECT, f"{what} = {got:.6g} is {_relative(got, expected)}.")


def _relative(got: float, expected: float) -> str:
    if expected == 0:
        return f"off by {abs(got):.3g} (expected 0)"
    ratio = got / expected
    direction = "too large" if abs(got) > abs(expected) else "too small"
    return f"{direction}: off by a factor {ratio:.3g} (expected {expected:.6g})"
