"""Self-checks for the exercises of the chapter *Exploding gradients*."""

from __future__ import annotations

import functools

from .. import activations
from .._validate import MAX_DEPTH, check_real
from ..chain import aligned_chain
from ..precision import grad_b_in_dtype, power_overflow_depth
from . import INCORRECT, Exactly, Feedback, SignificantFigures, as_number, check, close_to

#: The weight of the aligned chain of ``ex-exploding-float32`` (a course may vary it).
OVERFLOW_WEIGHT = 100.0
#: Range of that weight: below 8 the chain needs more than a hundred layers to overflow.
MIN_OVERFLOW_WEIGHT, MAX_OVERFLOW_WEIGHT = 8.0, 10_000.0


def float32_overflow_depth(w: float = OVERFLOW_WEIGHT) -> int:
    """First depth at which dC/db_1 of the aligned chain of weight ``w`` is inf in float32 (the
    reference answer; the book's weight is 100).
    """
    w = check_real("w", w, lo=MIN_OVERFLOW_WEIGHT, hi=MAX_OVERFLOW_WEIGHT)
    return _overflow_depth("float32", w)


@functools.cache
def _overflow_depth(dtype: str, w: float, max_depth: int = 400) -> int | None:
    """``vgp_lib.precision.first_overflow_depth(dtype, w=w)``, from one chain instead of one
    chain per depth (milliseconds instead of seconds).

    With ``a0 = 1/2`` every layer of the aligned chain is the same layer (z = 0 exactly, in
    any dtype, since b = -w/2 is w/2 rounded), so the backward pass of the chain of depth L
    is the last L steps of the deepest chain's: the same operations on the same numbers.
    Its dC/db_1 is the deepest chain's dC/db at layer ``max_depth - L + 1``.
    """
    overflow = grad_b_in_dtype(aligned_chain(max_depth, w=w), dtype).overflow
    return next((depth for depth in range(1, max_depth + 1) if overflow[-depth]), None)


@functools.cache
def _wrong_depths(w: float) -> dict:
    return {
        "power32": power_overflow_depth(w / 4, "float32"),
        "power64": power_overflow_depth(w / 4, "float64"),
        "float64": _overflow_depth("float64", w, MAX_DEPTH),
    }


@check("ex-exploding-float32", Exactly())
def check_float32_overflow_depth(answer, w: float = OVERFLOW_WEIGHT) -> Feedback:
    """Check the first depth at which dC/db_1 of the aligned chain of weight ``w`` is inf in
    float32 (the chapter passes ``OVERFLOW_WEIGHT``).
    """
    ex = "ex-exploding-float32"
    w = check_real("w", w, lo=MIN_OVERFLOW_WEIGHT, hi=MAX_OVERFLOW_WEIGHT)
    value, problem = as_number(ex, answer, "a whole number of layers")
    if problem:
        return problem
    if value != int(value):
        return Feedback(ex, INCORRECT, f"a depth is a whole number of layers, got {value!r}.")
    wrong = _wrong_depths(w)
    f = f"{w / 4:g}"  # the factor w sigma'(0) of every layer
    return close_to(
        ex,
        value,
        float32_overflow_depth(w),
        precision=check_float32_overflow_depth.rule,
        what="first depth with dC/db_1 = inf in float32",
        hints=[
            hint
            for hint in [
                (
                    wrong["power32"],
                    f"That is where {f}^L itself overflows float32, but dC/db_1 is not {f}^L: it "
                    f"carries {f}^(L-1) times sigma'(0) (a_L - y), and backpropagation forms other "
                    "products on the way. Run the chain.",
                ),
                (wrong["float64"], "That is the float64 depth; the question is about float32."),
                (
                    wrong["power64"],
                    f"That is where {f}^L overflows float64; the question is about float32.",
                ),
            ]
            if hint[0] is not None  # a small w takes float64 deeper than the search goes
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
                "0.25 is sigma'(0) itself, a derivative, not the weight: revisit what the factor "
                "of a layer is made of.",
            ),
            (
                1.0,
                "With aligned biases the factor is not w alone: you forgot the derivative "
                "every neuron contributes.",
            ),
            (2.0, "That takes sigma'(0) = 1/2; work out the derivative of the sigmoid at 0 again."),
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
            "That is the derivative sigma'(z_j) itself, not the weight: revisit what the factor "
            "of a layer is made of.",
        ),
        (
            1 / s,
            "That is 1 / sigma(z_j): the factor holds the derivative of the sigmoid, not sigma "
            "itself.",
        ),
        (
            1 / (1 - s),
            "You dropped one factor of sigma'(z), which has two: revisit the derivative of the "
            "sigmoid.",
        ),
        (z, "That is the weighted input z_j, not the weight w."),
        (100.0, "That is the exploding chain's weight, whose factor is 25."),
    ]


@check("ex-exploding-balance", SignificantFigures(3))
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
    if value < 0:  # one message for every negative weight: it says nothing about the size
        return Feedback(
            ex,
            INCORRECT,
            "That weight is negative.",
            "A negative weight makes every factor negative, so the gradient flips its sign at "
            "every layer. The exercise asks for w > 0 and the same gradient in every layer.",
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
