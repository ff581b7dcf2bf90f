"""Self-checks for the exercises of the chapter *Exploding gradients*."""

from __future__ import annotations

import functools

from .. import activations
from .._validate import check_real
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


#: The weighted input every neuron of the balance exercise sits at: off the peak of sigma'.
BALANCE_Z = 2.0
#: Largest |z| the balance check accepts: beyond it sigma'(z) is so small that the weight
#: balancing the chain is astronomically large and the question says nothing.
_MAX_BALANCE_Z = 20.0


def balanced_weight(z: float = 0.0) -> float:
    """The weight w > 0 with w sigma'(z) = 1: every factor of a chain whose weighted inputs all
    equal ``z`` is then exactly 1 (the reference answer of ``ex-exploding-balance``).

    The chapter asks it at :data:`BALANCE_Z`; at the peak, ``z = 0``, it is the weight of the
    aligned chain that neither vanishes nor explodes.

    >>> balanced_weight(), round(balanced_weight(BALANCE_Z), 4)
    (4.0, 9.5244)
    """
    z = check_real("z", z, lo=-_MAX_BALANCE_Z, hi=_MAX_BALANCE_Z)
    return float(1.0 / activations.sigmoid_prime(z))


def _balance_hints(z: float) -> list:
    """(wrong value, advice) pairs for the balance exercise at weighted input ``z``."""
    if z == 0:
        return [
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
        ]
    s = float(activations.sigmoid(z))
    return [
        (
            balanced_weight(0.0),
            "That weight balances the chain at the peak, where every z_j = 0. Here the weighted "
            "inputs sit off the peak: evaluate sigma' where they are.",
        ),
        (
            s * (1 - s),
            "That is the derivative sigma'(z_j) itself; the factor is w sigma'(z_j), so solve "
            "w sigma'(z_j) = 1 for w.",
        ),
        (
            1 / s,
            "That is 1 / sigma(z_j): the factor holds the derivative sigma'(z) = "
            "sigma(z)(1 - sigma(z)), not sigma itself.",
        ),
        (
            1 / (1 - s),
            "You dropped one factor of sigma'(z) = sigma(z)(1 - sigma(z)): keep both.",
        ),
        (z, "That is the weighted input z_j, not the weight w."),
        (100.0, "That is the exploding chain's weight, whose factor is 25."),
    ]


@check("ex-exploding-balance", SignificantFigures(3), reference=balanced_weight)
def check_balanced_weight(answer, z: float = 0.0) -> Feedback:
    """Check the weight w > 0 that makes every factor w sigma'(z) of a chain exactly 1, when every
    weighted input of the chain equals ``z`` (the chapter passes :data:`BALANCE_Z`).

    A negative weight of the right size is refused with a hint: its factors are -1, so
    the gradient keeps its size but flips its sign from layer to layer, and the
    exercise asks for w > 0 and the same gradient in every layer.
    """
    ex = "ex-exploding-balance"
    z = check_real("z", z, lo=-_MAX_BALANCE_Z, hi=_MAX_BALANCE_Z)
    value, problem = as_number(ex, answer, "a weight w")
    if problem:
        return problem
    rule = check_balanced_weight.rule
    reference = balanced_weight(z)
    if value < 0 and rule.accepts(-value, reference):
        return Feedback(
            ex,
            INCORRECT,
            "That weight is negative.",
            "Right size: its factors are -1, so the gradient keeps its size but flips its "
            "sign at every layer. The exercise asks for w > 0.",
        )
    if value <= 0:
        return Feedback(
            ex,
            INCORRECT,
            f"w = {value:g} is not positive.",
            "Look for a positive w with w sigma'(z_j) = 1.",
        )
    return close_to(
        ex,
        value,
        reference,
        precision=rule,
        what="w",
        hints=[(wrong, advice) for wrong, advice in _balance_hints(z) if wrong != reference],
    )
