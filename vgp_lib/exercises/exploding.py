"""Self-checks for the exercises of the chapter *Exploding gradients*."""

from __future__ import annotations

import functools

from .. import activations
from ..precision import first_overflow_depth, power_overflow_depth
from . import INCORRECT, Exactly, Feedback, SignificantFigures, as_number, check, close_to


@functools.cache
def float32_overflow_depth() -> int:
    """First depth at which dC/db_1 of the w = 100 aligned chain is inf in float32 (the reference
    answer).
    """
    return first_overflow_depth("float32")


@functools.cache
def _wrong_depths() -> dict:
    return {
        "power32": power_overflow_depth(25, "float32"),
        "power64": power_overflow_depth(25, "float64"),
        "float64": first_overflow_depth("float64"),
    }


@check("ex-exploding-float32", Exactly(), reference=float32_overflow_depth)
def check_float32_overflow_depth(answer) -> Feedback:
    """Check the first depth at which dC/db_1 of the w = 100 aligned chain is inf in float32."""
    ex = "ex-exploding-float32"
    value, problem = as_number(ex, answer, "a whole number of layers")
    if problem:
        return problem
    if value != int(value):
        return Feedback(ex, INCORRECT, f"a depth is a whole number of layers, got {value!r}.")
    wrong = _wrong_depths()
    return close_to(
        ex,
        value,
        float32_overflow_depth(),
        precision=check_float32_overflow_depth.rule,
        what="first depth with dC/db_1 = inf in float32",
        hints=[
            (
                wrong["power32"],
                "That is where 25^L itself overflows float32, but dC/db_1 is not 25^L: it carries "
                "25^(L-1) times sigma'(0) (a_L - y), and backpropagation forms other products on "
                "the way. Run the chain.",
            ),
            (wrong["float64"], "That is the float64 depth; pass dtype='float32'."),
            (
                wrong["power64"],
                "That is where 25^L overflows float64; the question is about float32.",
            ),
        ],
        too_small=(
            "At that depth the float32 gradient dC/db_1 is still finite: grow the chain further."
        ),
        too_large=(
            "Too deep: the computed dC/db_1 is already inf in a shallower chain. Backpropagation "
            "passes through dC/da_1 = w_2 dC/dz_2 first, four times larger than dC/db_1, so inf "
            "can appear before dC/db_1 itself would overflow. Look for the first inf."
        ),
    )


def balanced_weight() -> float:
    """The weight w > 0 with w sigma'(0) = 1 (the reference answer of ``ex-exploding-balance``)."""
    return float(1.0 / activations.sigmoid_prime(0.0))


@check("ex-exploding-balance", SignificantFigures(3), reference=balanced_weight)
def check_balanced_weight(answer) -> Feedback:
    """Check the weight w > 0 that makes every factor of the aligned chain exactly 1.

    A negative weight of the right size is refused with a hint: its factors are -1, so
    the gradient keeps its size but flips its sign from layer to layer, and the
    exercise asks for w > 0 and the same gradient in every layer.
    """
    ex = "ex-exploding-balance"
    value, problem = as_number(ex, answer, "a weight w")
    if problem:
        return problem
    rule = check_balanced_weight.rule
    if value < 0 and rule.accepts(-value, balanced_weight()):
        return Feedback(
            ex,
            INCORRECT,
            f"w = {value:g} is negative.",
            "Right size: its factors are -1, so the gradient keeps its size but flips its "
            "sign at every layer. The exercise asks for w > 0.",
        )
    if value <= 0:
        return Feedback(
            ex,
            INCORRECT,
            f"w = {value:g} is not positive.",
            "Look for a positive w with w sigma'(0) = 1.",
        )
    return close_to(
        ex,
        value,
        balanced_weight(),
        precision=rule,
        what="w",
        hints=[
            (
                0.25,
                "0.25 is sigma'(0) itself; the factor is w sigma'(0), so solve w sigma'(0) = 1 "
                "for w.",
            ),
            (
                1.0,
                "With aligned biases the factor is w sigma'(0), not w: evaluate sigma'(0), "
                "then solve w sigma'(0) = 1.",
            ),
            (2.0, "That takes sigma'(0) = 1/2; work out sigma'(0) = sigma(0)(1 - sigma(0)) again."),
            (100.0, "That is the exploding chain's weight, whose factor is 25."),
        ],
    )
