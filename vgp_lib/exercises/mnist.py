"""Self-checks for the exercises of the chapter *Seeing the problem in MNIST*."""

from __future__ import annotations

import math

import numpy as np

from .._validate import check_array, check_real, describe
from . import (
    INCORRECT,
    Feedback,
    Relative,
    SignificantFigures,
    as_number,
    check,
    close_to,
    read_number,
)

#: Deepest network the exercise's prediction is asked for (the chapter's networks have 2 to 8).
MAX_HIDDEN_LAYERS = 100


def shrink_factor(rms: float, hidden_layers: int = 2) -> float:
    """How many times faster the last of ``hidden_layers`` hidden layers learns than the
    first, predicted from the RMS of σ'(z): ``(1 / rms) ** (hidden_layers - 1)`` (the
    reference of ``ex-mnist-shrink``, which asks for eight hidden layers; with the default
    two it is the shrink of ‖δ^l‖ per layer, ``1 / rms``).

    >>> round(shrink_factor(0.25, hidden_layers=3), 6)
    16.0
    """
    rms = check_real("rms", rms, lo=1e-300)
    return _shrink(rms, _steps(hidden_layers))


def _steps(hidden_layers) -> int:
    """Steps from the last hidden layer down to the first; refuses a bad ``hidden_layers``."""
    if (
        isinstance(hidden_layers, bool)
        or not isinstance(hidden_layers, (int, np.integer))
        or not 2 <= hidden_layers <= MAX_HIDDEN_LAYERS
    ):
        raise ValueError(
            f"hidden_layers must be a whole number from 2 to {MAX_HIDDEN_LAYERS}, "
            f"got {describe(hidden_layers)}"
        )
    return int(hidden_layers) - 1


def _shrink(rms: float, steps: int = 1) -> float:
    try:
        return (1.0 / float(rms)) ** steps
    except OverflowError:  # a tiny rms over many layers: beyond any float
        return math.inf


@check("ex-mnist-shrink", Relative(0.03))
def check_shrink_factor(answer, rms: float, hidden_layers: int = 2) -> Feedback:
    """Check the predicted ratio of the last to the first of ``hidden_layers`` hidden
    layers' speeds from the RMS of σ'(z) (eq. ``eq-mnist-shrink``):
    ``(1 / rms) ** (hidden_layers - 1)``; with the default two, the shrink per layer.
    Answers within 3 % pass.

    >>> check_shrink_factor(1 / 0.2, 0.2).correct
    True
    >>> check_shrink_factor(5.0**7, 0.2, hidden_layers=8).correct
    True
    """
    ex = "ex-mnist-shrink"
    try:
        steps = _steps(hidden_layers)
    except ValueError:
        return Feedback(
            ex,
            INCORRECT,
            f"the check needs hidden_layers, a whole number >= 2, got {describe(hidden_layers)}.",
        )
    what = (
        "shrink factor per layer"
        if steps == 1
        else f"speed of the last of {steps + 1} hidden layers over the first"
    )
    value, problem = as_number(ex, answer, f"the {what} (a number > 1)")
    if problem:
        return problem
    rms, trouble = read_number(rms)
    if trouble or rms <= 0:
        return Feedback(
            ex, INCORRECT, f"the check needs rms, the positive RMS of σ'(z), got {trouble or rms}."
        )
    hints = [
        (
            4.0**steps,
            "4 = 1/σ′(0) uses the largest value σ′ can take; typical z are away from 0, so σ′ "
            "is smaller and the shrink stronger: revisit which typical size of σ′ the question "
            "asks for.",
        ),
        (
            rms ** -(2 * steps),
            "That uses the mean square of σ′ where its RMS belongs: the RMS is already the "
            "square root of the mean square, so each layer counts it once.",
        ),
        (
            rms**steps,
            "That is the factor the length is multiplied by on the way back, a multiplier; the "
            "question asks for the shrink factor, how many times shorter it gets.",
        ),
    ]
    if steps == 1:
        hints.append(
            (
                rms**2,
                "That squares the RMS, and it is a multiplier, not a shrink: revisit how the "
                "typical multiplier, the RMS itself, makes the shrink factor.",
            )
        )
    else:
        hints += [
            (
                1 / rms,
                "That is the shrink of one layer; between the last hidden layer and the first "
                "the error passes through several, and their factors multiply.",
            ),
            (
                rms ** -(steps + 1),
                "Count the steps, not the layers: between the first and the last of n hidden "
                "layers the error is multiplied n - 1 times.",
            ),
            (steps / rms, "The factors of successive layers multiply; they do not add."),
            ((steps + 1) / rms, "The factors of successive layers multiply; they do not add."),
        ]
    return close_to(
        ex, value, _shrink(rms, steps), precision=check_shrink_factor.rule, what=what, hints=hints
    )


def speed_ratio(speeds) -> float:
    """Last over first hidden layer's speed, seed 0, last recorded step (the reference of
    ``ex-mnist-ratio``).
    """
    s = check_array("speeds", speeds, ndim=3)
    if 0 in s.shape:
        raise ValueError(
            f"speeds must be a (seeds, steps, layers) array with none empty, got shape {s.shape}"
        )
    with np.errstate(all="ignore"):
        ratio = _ratio(s)
    if not np.isfinite(ratio):
        raise ValueError(
            "speeds must give a finite ratio: the first hidden layer's speed "
            "(seed 0, last step) is 0"
        )
    return ratio


def _ratio(speeds) -> float:
    last = np.asarray(speeds, dtype=float)[0, -1]
    return float(last[-1] / last[0])


@check("ex-mnist-ratio", SignificantFigures(3))
def check_speed_ratio(answer, speeds) -> Feedback:
    """Check last / first hidden layer's speed of seed 0 at the last recorded step.

    ``speeds`` is the ``(seeds, steps, hidden layers)`` array of a
    :class:`vgp_lib.speeds.TrainingSpeeds`.

    >>> s = np.ones((1, 3, 4)); s[0, -1, -1] = 50.0
    >>> check_speed_ratio(50.0, s).correct
    True
    """
    ex = "ex-mnist-ratio"
    value, problem = as_number(
        ex, answer, "the ratio of the last hidden layer's speed to the first's"
    )
    if problem:
        return problem
    try:
        s = check_array("speeds", speeds, ndim=3)
    except (TypeError, ValueError):
        shape = getattr(speeds, "shape", None)
        got = f"an array of shape {tuple(shape)}" if shape is not None else type(speeds).__name__
        return Feedback(
            ex,
            INCORRECT,
            f"the check needs the (seeds, steps, layers) speeds array of finite real numbers, "
            f"got {got}.",
        )
    if s.ndim != 3 or s.shape[0] < 1 or s.shape[1] < 1 or s.shape[2] < 2:
        return Feedback(
            ex,
            INCORRECT,
            f"the check needs the (seeds, steps, layers) speeds array, got shape {s.shape}.",
        )
    expected = _ratio(s)
    if not np.isfinite(expected):
        return Feedback(
            ex,
            INCORRECT,
            "the check cannot compute the ratio from these speeds (a speed is 0 or not finite).",
        )
    last = s[0, -1]
    return close_to(
        ex,
        value,
        expected,
        precision=check_speed_ratio.rule,
        what="‖δ^last‖ / ‖δ^1‖ at the last step",
        hints=[
            (
                last[0] / last[-1],
                "You divided the first layer's speed by the last's; the question asks how many "
                "times faster the last layer learns.",
            ),
            (
                s[0, 0, -1] / s[0, 0, 0],
                "That is the ratio at initialisation (step index 0); the question asks about "
                "the last recorded step.",
            ),
            (
                float(np.median(s[0, :, -1] / s[0, :, 0])),
                "That is the median over all steps; the question asks for the last step only.",
            ),
            (
                last[-1] / last[-2] if s.shape[2] > 2 else np.nan,
                "That compares the last two hidden layers; the question compares the last hidden "
                "layer with the first.",
            ),
        ],
    )
