"""Self-checks for the exercises of the chapter *The single-neuron chain*."""

from __future__ import annotations

import functools

import numpy as np

from .. import activations
from .._validate import check_real
from ..chain import constant_chain, forward, grad_b_analytic, make_chain
from . import INCORRECT, Exactly, Feedback, SignificantFigures, as_number, check, close_to

#: The chain of the exercise ``ex-chain-four-layer``: sigmoid, C = (a_4 - y)^2 / 2.
FOUR_LAYER = {
    "weights": (1.5, -0.8, 2.0, 0.6),
    "biases": (0.2, -0.5, 0.1, 0.3),
    "a0": 1.0,
    "y": 0.0,
}
#: The chain of ``ex-chain-vanish-depth``: every weight 0.17, every bias 0, input 1, target 0.
SMALL_WEIGHT, THRESHOLD = 0.17, 1e-10
#: Largest size of the input a_0 the four-layer exercise takes (a course may vary a_0).
MAX_A0 = 100.0
#: Range of the threshold the depth exercise takes: below 1e-100 the chain grows past 70 layers.
MIN_THRESHOLD, MAX_THRESHOLD = 1e-100, 0.01


def four_layer_chain(a0: float = 1.0):
    """The chain of ``ex-chain-four-layer``, fed the input ``a0`` (the book's is 1)."""
    a0 = check_real("a0", a0, lo=-MAX_A0, hi=MAX_A0)
    return make_chain(FOUR_LAYER["weights"], FOUR_LAYER["biases"], a0=a0, y=FOUR_LAYER["y"])


def four_layer_gradient(a0: float = 1.0) -> float:
    """dC/db_1 of the four-layer chain fed ``a0`` (the reference answer of
    ``ex-chain-four-layer``).
    """
    return float(grad_b_analytic(four_layer_chain(a0))[0])


@check("ex-chain-four-layer", SignificantFigures(2))
def check_four_layer_gradient(answer, a0: float = 1.0) -> Feedback:
    """Check dC/db_1 of the four-layer chain fed the input ``a0`` (the chapter passes
    ``A0``), with hints for the usual slips in the product.
    """
    ex = "ex-chain-four-layer"
    a0 = check_real("a0", a0, lo=-MAX_A0, hi=MAX_A0)
    value, problem = as_number(ex, answer, "the number dC/db_1 of the four-layer chain")
    if problem:
        return problem
    c = four_layer_chain(a0)
    fwd = forward(c)
    s = activations.sigmoid_prime(fwd.z)
    sig = activations.sigmoid(fwd.z)
    w = c.weights
    dC_da4 = fwd.a[-1] - c.y
    expected = four_layer_gradient(a0)
    hints = [
        (
            -expected,
            "The signs of the weights matter (w_2 is negative): a factor keeps its weight's sign, "
            "with no absolute values.",
        ),
        (
            expected / s[0],
            "You left out sigma'(z_1): a change in b_1 first moves a_1 by sigma'(z_1) times as "
            "much.",
        ),
        (expected * w[0], "w_1 does not belong in dC/db_1: b_1 is added after w_1 a_0."),
        (expected / dC_da4, "You left out the last factor dC/da_4 = a_4 - y."),
        (
            float(sig[0] * w[1] * sig[1] * w[2] * sig[2] * w[3] * sig[3] * dC_da4),
            "You used sigma(z_j) where the product needs the derivative sigma'(z_j) = "
            "sigma(z_j)(1 - sigma(z_j)).",
        ),
        (
            float(grad_b_analytic(c)[3]),
            "That is dC/db_4, the last layer's gradient; the question asks for b_1.",
        ),
    ]
    return close_to(
        ex, value, expected, precision=check_four_layer_gradient.rule, what="dC/db_1", hints=hints
    )


def vanish_depth(threshold: float = THRESHOLD) -> int:
    """Smallest depth at which |dC/db_1| of the 0.17 chain is below ``threshold`` (the reference
    answer; the book's threshold is 1e-10).

    >>> vanish_depth(), vanish_depth(1e-6)
    (8, 5)
    """
    threshold = check_real("threshold", threshold, lo=MIN_THRESHOLD, hi=MAX_THRESHOLD)
    return _vanish_depth(threshold)


@functools.cache
def _vanish_depth(threshold: float) -> int:
    depth = 1
    while abs(grad_b_analytic(constant_chain(depth, w=SMALL_WEIGHT))[0]) >= threshold:
        depth += 1
    return depth


@check("ex-chain-vanish-depth", Exactly())
def check_vanish_depth(answer, threshold: float = THRESHOLD) -> Feedback:
    """Check the depth at which the 0.17-weight chain's first gradient drops below ``threshold``
    (the chapter passes ``VANISH_THRESHOLD``).
    """
    ex = "ex-chain-vanish-depth"
    threshold = check_real("threshold", threshold, lo=MIN_THRESHOLD, hi=MAX_THRESHOLD)
    value, problem = as_number(ex, answer, "a whole number of layers")
    if problem:
        return problem
    if value != int(value):
        return Feedback(ex, INCORRECT, f"a depth is a whole number of layers, got {value!r}.")
    naive = int(np.ceil(np.log(threshold) / np.log(SMALL_WEIGHT)))  # 0.17^L alone
    return close_to(
        ex,
        value,
        vanish_depth(threshold),
        precision=check_vanish_depth.rule,
        what="depth",
        hints=[
            (
                naive,
                f"That counts only the weights (0.17^L below {threshold:g}): each layer also "
                "contributes a factor sigma'(z_j).",
            )
        ],
        too_small=(
            f"That chain is too short: at that depth |dC/db_1| is still at least {threshold:g}. "
            "Print it to see."
        ),
        too_large=f"That is too many layers: a shallower chain already has |dC/db_1| below "
        f"{threshold:g}, and the question asks for the smallest depth. Print the gradient at a "
        "few depths.",
    )
