"""Self-checks for the exercises of the chapter *Activation functions*.

The references come from :mod:`vgp_lib.layer_factor` and :mod:`vgp_lib.dead_units`;
the wrong values the hints recognise (a forgotten square root, the chance for one
example instead of all, a sign slip, ...) are computed here, so that a slip is named
only when the answer matches it to the stated precision.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .._validate import check_array, check_int, check_real
from ..dead_units import expected_dead_fraction
from ..layer_factor import predicted_factor
from . import (
    CORRECT,
    INCORRECT,
    LOW_PRECISION,
    TIME_LIMIT,
    Criterion,
    Feedback,
    SignificantFigures,
    as_number,
    check,
    close_to,
    low_precision,
    not_attempted,
    out_of_time,
    pending,
    raised,
    read_number,
    run_limited,
    short_repr,
    type_name,
)

#: Width of the layers in the per-layer factor exercise (the answer does not depend on it).
FACTOR_WIDTH = 64
#: The first layer of the dead-unit exercise: bias -SHIFT, weight vectors of norm WEIGHT_NORM,
#: a batch of N_EXAMPLES inputs x ~ N(0, I) (a course may vary SHIFT and N_EXAMPLES).
SHIFT, WEIGHT_NORM, N_EXAMPLES = 1.5, 2.0, 8
#: Largest shift and batch the dead-unit exercise takes (a batch of one would make the chance
#: for one example the answer).
MAX_SHIFT, MAX_EXAMPLES = 100.0, 10_000


def _phi(u: float) -> float:
    """The standard normal CDF."""
    return 0.5 * math.erfc(-u / math.sqrt(2.0))


# --------------------------------------------------------------------------- ReLU's factor


def relu_factor() -> float:
    """The per-layer factor of ||delta|| of a deep ReLU net under PyTorch's default
    initialisation (the reference of ``ex-activations-relu-factor``; eq. ``eq-init-variance``).
    """
    return predicted_factor("relu", "pytorch", width=FACTOR_WIDTH)


@check("ex-activations-relu-factor", SignificantFigures(2))
def check_relu_factor(answer) -> Feedback:
    """Check the factor by which ||delta|| is multiplied going down one ReLU layer under
    PyTorch's default initialisation (n Var(W) = 1/3).

    >>> check_relu_factor(1.0).correct  # He's factor, not PyTorch's
    False
    """
    ex = "ex-activations-relu-factor"
    value, problem = as_number(ex, answer, "the per-layer factor of ‖δ‖ (a number)")
    if problem:
        return problem
    n_var_w, e_prime2 = 1.0 / 3.0, 0.5
    return close_to(
        ex,
        value,
        relu_factor(),
        precision=check_relu_factor.rule,
        what="the ReLU's per-layer factor",
        hints=[
            (
                n_var_w * e_prime2,
                "That is the factor of the variance, the squared norm; the question asks for the "
                "norm itself.",
            ),
            (
                math.sqrt(n_var_w),
                "That takes f′(z) = 1 for every unit. How often is the ReLU's f′ equal to 1 "
                "when z is symmetric about 0?",
            ),
            (
                n_var_w,
                "That is n Var(W) alone; the derivative and the square root are missing.",
            ),
            (
                e_prime2,
                "That is E[f′(z)²] alone; the weights multiply the variance by n Var(W) too.",
            ),
            (
                math.sqrt(e_prime2),
                "That leaves out n Var(W), or takes it as 1; PyTorch's uniform weights have a "
                "smaller variance.",
            ),
            (
                math.sqrt(n_var_w) * e_prime2,
                "You halved the norm. Half of the units pass the error, so it is the variance "
                "that E[f′²] scales, under the square root.",
            ),
            (
                1.0,
                "1 is the factor with He's initialisation, n Var(W) = 2; this exercise uses "
                "PyTorch's default.",
            ),
        ],
        too_large="Too large: the weights and the ReLU's zeros both shrink the error.",
        too_small="Too small: the ReLU's derivative is exactly 1 wherever it is not 0.",
    )


# --------------------------------------------------------------------------- dead units


def _dead_numbers(shift, n_examples) -> tuple[float, int]:
    shift = check_real("shift", shift, lo=0.0, lo_open=True, hi=MAX_SHIFT)
    return shift, check_int("n_examples", n_examples, lo=2, hi=MAX_EXAMPLES)


def dead_fraction(shift: float = SHIFT, n_examples: int = N_EXAMPLES) -> float:
    """The expected share of dead units in the exercise's first layer, biases at ``-shift`` and
    a batch of ``n_examples`` (the reference of ``ex-activations-dead-fraction``; the book's
    are 1.5 and 8).
    """
    shift, n_examples = _dead_numbers(shift, n_examples)
    return expected_dead_fraction(shift, n_examples=n_examples, weight_norm=WEIGHT_NORM)


@check("ex-activations-dead-fraction", SignificantFigures(2))
def check_dead_fraction(answer, shift: float = SHIFT, n_examples: int = N_EXAMPLES) -> Feedback:
    """Check the expected share of dead ReLU units in a first layer with biases at ``-shift``,
    on a batch of ``n_examples`` (the chapter passes ``SHIFT`` and ``N_EXAMPLES``).

    >>> check_dead_fraction(0.5).correct
    False
    """
    ex = "ex-activations-dead-fraction"
    shift, n = _dead_numbers(shift, n_examples)
    value, problem = as_number(ex, answer, "the share of dead units (a number in [0, 1])")
    if problem:
        return problem
    one = _phi(shift / WEIGHT_NORM)  # z <= 0 on one example
    return close_to(
        ex,
        value,
        dead_fraction(shift, n),
        precision=check_dead_fraction.rule,
        what="the share of dead units",
        hints=[
            (one, "That is the chance that z ≤ 0 on one example; a dead unit has z ≤ 0 on all."),
            (1 - one**n, "That is the share of units alive on at least one example."),
            (1 - (1 - one) ** n, "That is the chance that z ≤ 0 on at least one example."),
            (
                (1 - one) ** n,
                "Check the sign: with the bias at −β the weighted input is centred below 0, so "
                "z ≤ 0 is the likelier side.",
            ),
            (
                _phi(shift) ** n,
                "That takes z to have standard deviation 1; the weights' norm sets its spread.",
            ),
            (
                _phi(shift / WEIGHT_NORM**2) ** n,
                "You divided by the variance of z; the standard normal needs its standard "
                "deviation.",
            ),
            (
                _phi(shift * WEIGHT_NORM) ** n,
                "You did not standardise z: the standard normal needs z measured from its mean, "
                "in units of its spread.",
            ),
            (0.5**n, "That leaves out the bias: with it, z ≤ 0 is more likely than 1/2."),
        ],
        too_large="Too large: a unit is dead only if z ≤ 0 on every one of the examples.",
        too_small="Too small: with the bias below 0, each example lands on z ≤ 0 more often "
        "than not.",
    )


# --------------------------------------------------------------------------- counting dead units


def _test_batches() -> list[np.ndarray]:
    """The weighted inputs the check feeds ``dead_share``: rows are examples, columns units.

    They hold exact zeros (dead for the ReLU), a unit kept alive by one tiny positive entry,
    a batch of one example, a batch where every unit lives, and shapes that are not square.
    """
    rng = np.random.default_rng(2024)
    z = rng.standard_normal((16, 50)) - 1.2
    z[:, :4] = 0.0  # exactly 0 on every example: dead
    z[:, 4] = -np.abs(z[:, 4])
    z[7, 4] = 1e-12  # one tiny positive input: alive
    z[:, 5] = -np.abs(z[:, 5])
    z[0, 5] = 0.0  # <= 0 everywhere: dead
    one = rng.standard_normal((1, 30))
    alive = np.abs(rng.standard_normal((6, 9))) + 0.1
    tall = rng.standard_normal((40, 7)) - 1.5
    return [z, one, alive, tall]


def dead_share_reference(z) -> float:
    """The share of units (columns of ``z``) whose weighted input is <= 0 on every example
    (row): dead ReLU units (the reference of ``ex-activations-dead-share``).
    """
    z = check_array("z", z, ndim=2)
    if 0 in z.shape:
        raise ValueError(f"z must hold at least one example and one unit, got shape {z.shape}")
    return float(np.mean(np.all(z <= 0.0, axis=0)))


def _slips(z) -> list[tuple[float, str]]:
    """What the usual slips return on the batch ``z``, with the hint each deserves."""
    return [
        (
            float(np.mean(np.any(z <= 0.0, axis=0))),
            "That counts units that are off on some example; a dead unit is off on every one.",
        ),
        (
            float(np.mean(np.all(z < 0.0, axis=0))),
            "At z = 0 the ReLU's derivative is 0 too: a unit with z = 0 on every example is dead.",
        ),
        (
            float(np.mean(np.all(z <= 0.0, axis=1))),
            "Rows are examples and columns are units: look along the examples of each unit.",
        ),
        (
            float(np.sum(np.all(z <= 0.0, axis=0))),
            "That is the number of dead units; the question asks for their share.",
        ),
    ]


@check(
    "ex-activations-dead-share",
    Criterion("exact (up to rounding, 1e-12) on every test batch"),
)
def check_dead_share(dead_share) -> Feedback:
    """Check a function ``dead_share(z)`` on batches of weighted inputs (rows: examples).

    >>> check_dead_share(lambda z: 0.5).correct
    False
    """
    ex = "ex-activations-dead-share"
    if not_attempted(dead_share):
        return pending(ex, "a function dead_share(z)")
    if not callable(dead_share):
        return Feedback(
            ex,
            INCORRECT,
            f"the answer should be a function dead_share(z), "
            f"not {type_name(dead_share)} {short_repr(dead_share)}.",
        )
    deadline = time.monotonic() + TIME_LIMIT
    for z in _test_batches():
        call = f"dead_share(z) on a batch of shape {z.shape}"
        run = run_limited(lambda z=z: dead_share(z.copy()), deadline - time.monotonic())
        if run.timed_out:
            return out_of_time(ex, call, TIME_LIMIT)
        if run.error is not None:
            return Feedback(ex, INCORRECT, raised(call, run.error) + ".")
        if run.value is Ellipsis:
            return pending(ex, "the body of dead_share(z)")
        got, problem = read_number(run.value)
        if problem:
            return Feedback(ex, INCORRECT, f"{call} returned {problem}, not a number.")
        want = dead_share_reference(z)
        low = low_precision(run.value)  # a float32 share is exact up to float32's rounding
        if abs(got - want) <= max(1e-12, LOW_PRECISION[low][1] * abs(want) if low else 0.0):
            continue
        hint = next((h for value, h in _slips(z) if abs(got - value) <= 1e-12), "")
        if not hint:
            hint = (
                "A share lies between 0 and 1."
                if not 0 <= got <= 1
                else "A unit is dead when it is off for every example of the batch: check "
                "which axis you reduce over, and whether z = 0 counts as off."
            )
        return Feedback(ex, INCORRECT, f"{call} returned {got:.6g}, which is not its share.", hint)
    return Feedback(ex, CORRECT, "dead_share counts the dead units right on every test batch.")
