"""What a check tells the reader: a verdict, a message and a hint, never the expected value.

:class:`Feedback` is what every check returns; :func:`close_to` judges a number at a
stated precision and says how it misses (:func:`how_far`: sign, powers of ten,
direction) without revealing the reference; :func:`as_number` and :func:`pending` turn
an unreadable or not yet attempted answer into feedback.
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass

import numpy as np

from .._validate import check_instance, check_real, describe
from .answers import read_number, short_repr
from .rules import Precision

#: What an exercise's author calls; pending and out_of_time serve the checks.
__all__ = [
    "CORRECT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "VERDICTS",
    "Feedback",
    "as_number",
    "close_to",
    "how_far",
    "not_attempted",
]

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"
#: What the feedback box says first, for each status.
VERDICTS = {CORRECT: "Correct", INCORRECT: "Incorrect", NOT_ATTEMPTED: "Not attempted yet"}


def _text(name: str, value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {short_repr(value)}")
    return value


def _number(name: str, x):
    """``x`` itself if it is a real number (or a 0-d real array or tensor); nan and inf pass."""
    if type(x) is float:
        return x
    if type(x) is int or (isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))):
        if int(x).bit_length() > 1024:
            raise ValueError(
                f"{name} must be a real number within the float range, got {describe(x)}"
            )
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        return x
    if getattr(x, "ndim", None) == 0 and hasattr(x, "item"):  # a 0-d NumPy array, a torch scalar
        try:
            item = x.item()
        except Exception:
            item = None
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            return x
    raise TypeError(f"{name} must be a real number, got {type(x).__name__} {short_repr(x)}")


def _finite_number(name: str, x):
    """``x`` itself if it is a finite real number (see :func:`_number`)."""
    _number(name, x)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite real number, got {x!r}")
    return x


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
        """The box a reader sees under the check: a verdict in words, then the message.

        The exercise's label stays out of sight (in ``data-exercise``): the box sits
        right under the exercise it answers.
        """
        colour = {CORRECT: "#1a7f37", INCORRECT: "#b3261e", NOT_ATTEMPTED: "#6e6e6e"}[self.status]
        hint = f"<br><em>Hint:</em> {html.escape(self.hint)}" if self.hint else ""
        return (
            f'<div class="vgp-feedback vgp-{self.status.replace(" ", "-")}" '
            f'data-exercise="{html.escape(self.exercise)}" '
            f'style="border-left:4px solid {colour};padding:0.3em 0.8em">'
            f"<strong>{html.escape(VERDICTS[self.status])}:</strong> "
            f"{html.escape(self.message)}{hint}</div>"
        )


def not_attempted(answer) -> bool:
    """True for the placeholders students start from: ``...`` or ``None``."""
    return answer is Ellipsis or answer is None


def pending(exercise: str, what: str) -> Feedback:
    """Feedback for an answer that is still the placeholder (the check cell follows the
    exercise's cell, which holds the ``...``)."""
    _text("what", what)
    return Feedback(
        exercise,
        NOT_ATTEMPTED,
        f"replace the ... in the cell above with {what}, then run both cells.",
    )


def as_number(exercise: str, answer, what: str):
    """``(float, None)`` for a real number, or ``(None, Feedback)`` explaining the problem."""
    _text("exercise", exercise)
    _text("what", what)
    if not_attempted(answer):
        return None, pending(exercise, what)
    value, problem = read_number(answer)
    if problem:
        return None, Feedback(
            exercise, INCORRECT, f"the answer should be {what}, but it is {problem}."
        )
    return value, None


def how_far(got: float, expected: float) -> str:
    """How ``got`` misses ``expected`` — sign, whole powers of ten, direction — without revealing
    it.

    >>> how_far(-0.0000012, -0.000771787)
    'is about 1,000 times too small in size'
    >>> how_far(0.0007, -0.000771787)
    'has the wrong sign (its size is of the right order of magnitude)'
    """
    _finite_number("got", got)
    _finite_number("expected", expected)
    if expected == 0:
        return "is too large" if got > 0 else "is too small"
    if got == 0:
        return "is 0, too small in size"
    wrong_sign = (got > 0) != (expected > 0)
    decades = round(math.log10(abs(got)) - math.log10(abs(expected)))
    size = "too large" if abs(got) > abs(expected) else "too small"
    if expected < 0 or wrong_sign:
        size += " in size"
    if decades:
        factor = f"{10 ** abs(decades):,}" if abs(decades) <= 6 else f"10^{abs(decades)}"
        size = f"about {factor} times {size}"
    if not wrong_sign:
        return f"is {size}"
    if decades:
        return f"has the wrong sign and is {size}"
    return "has the wrong sign (its size is of the right order of magnitude)"


def close_to(
    exercise: str,
    got: float,
    expected: float,
    *,
    precision: Precision,
    what: str,
    hints=(),
    too_small: str = "",
    too_large: str = "",
) -> Feedback:
    """Judge a number against the reference at the stated ``precision``, without revealing it.

    ``hints`` is a sequence of ``(wrong_value, advice)``: when ``got`` matches
    a wrong value at the same precision, the advice becomes the hint (the
    nearest wrong value's, when several match).
    ``too_small`` and ``too_large`` are the hints for any other answer on
    that side (``got`` above or below ``expected``): the same words for every
    such answer, so they pin nothing down.
    """
    _text("exercise", exercise)
    _finite_number("got", got)
    _finite_number("expected", expected)
    check_instance("precision", precision, Precision)
    if not precision.numeric:
        raise ValueError(f"precision must be a numeric rule, got {type(precision).__name__}")
    _text("what", what)
    _text("too_small", too_small)
    _text("too_large", too_large)
    _hints(hints)
    if precision.accepts(got, expected):
        return Feedback(exercise, CORRECT, f"{what} = {got:.6g}: correct ({precision.phrase}).")
    miss = f"{what} = {got:.6g} {how_far(got, expected)}"
    matches = [
        (abs(got - float(wrong)), advice)
        for wrong, advice in hints
        if math.isfinite(float(wrong)) and precision.accepts(got, float(wrong))
    ]
    if matches:  # two slips can agree to the stated precision: name the nearer one
        return Feedback(exercise, INCORRECT, miss + ".", min(matches, key=lambda m: m[0])[1])
    if precision.near(got, expected):
        return Feedback(
            exercise,
            INCORRECT,
            f"{miss}: close, but not to {precision.phrase}.",
            f"Keep every digit until the end (do not round intermediate results), "
            f"then compare at {precision.phrase}.",
        )
    return Feedback(exercise, INCORRECT, miss + ".", too_large if got > expected else too_small)


def _hints(hints) -> None:
    """Refuse ``hints`` unless it is a sequence of ``(wrong value, advice)`` pairs."""
    what = "hints must be a sequence of (wrong value, advice) pairs"
    if isinstance(hints, (str, bytes, dict)) or not isinstance(hints, (list, tuple)):
        raise TypeError(f"{what}, got {type(hints).__name__} {short_repr(hints)}")
    for item in hints:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ValueError(f"{what}, got an item {short_repr(item)}")
        _number("hints", item[0])
        if not isinstance(item[1], str):
            raise TypeError(
                f"{what} (advice a str), got {type(item[1]).__name__} {short_repr(item[1])}"
            )


def out_of_time(exercise: str, call: str, seconds: float) -> Feedback:
    """Feedback for a student's function that did not return in time."""
    _text("call", call)
    check_real("seconds", seconds, lo=0)
    return Feedback(
        exercise,
        INCORRECT,
        f"{call} did not return within {seconds:g} s.",
        "Look for a loop that never ends, e.g. a while loop whose condition never changes; "
        "the check needs only a few quick calls.",
    )
