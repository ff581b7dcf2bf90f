"""Self-checks for the exercises of the chapter *Exploding gradients*."""

from __future__ import annotations

from ..chain import first_overflow_depth, power_overflow_depth
from . import CORRECT, INCORRECT, Feedback, as_number, close_to


def check_float32_overflow_depth(answer) -> Feedback:
    """Check the first depth at which dC/db_1 of the w = 100 aligned chain is inf in float32."""
    ex = "ex-exploding-float32"
    value, problem = as_number(ex, answer, "a whole number of layers")
    if problem:
        return problem
    expected = first_overflow_depth("float32")
    return close_to(
        ex,
        value,
        expected,
        rtol=1e-12,
        what="first depth with dC/db_1 = inf in float32",
        hints=[
            (power_overflow_depth(25, "float32"),
             "That is where 25^L itself overflows; dC/db_1 carries 25^(L-1) times sigma'(0) (a_L - y). Run the chain."),
            (expected + 1,
             "dC/db_1 alone would still fit at one layer less, but backpropagation passes through "
             "dC/da_1 = w_2 dC/dz_2 first, which is four times larger and overflows a layer earlier."),
            (first_overflow_depth("float64"), "That is the float64 depth; pass dtype='float32'."),
            (power_overflow_depth(25, "float64"), "That is where 25^L overflows float64; the question is about float32."),
        ],
    )


def check_balanced_weight(answer) -> Feedback:
    """Check the weight that makes every factor of the aligned chain exactly 1 in size."""
    ex = "ex-exploding-balance"
    value, problem = as_number(ex, answer, "a weight w")
    if problem:
        return problem
    if value == -4.0:
        return Feedback(ex, CORRECT, "w = -4 gives factors -1: the size stays the same, the sign alternates.")
    if value <= 0:
        return Feedback(ex, INCORRECT, f"w = {value:g} is not positive.", "Look for a positive w with w sigma'(0) = 1.")
    return close_to(
        ex,
        value,
        4.0,
        rtol=1e-9,
        what="w",
        hints=[
            (0.25, "0.25 is sigma'(0) itself; the factor is w sigma'(0), so solve w sigma'(0) = 1 for w."),
            (1.0, "With aligned biases the factor is w sigma'(0), not w: sigma'(0) = 1/4."),
            (2.0, "Off by a factor 2: sigma'(0) = sigma(0)(1 - sigma(0)) = 1/4, not 1/2."),
            (100.0, "That is the exploding chain's weight, whose factor is 25."),
        ],
    )
