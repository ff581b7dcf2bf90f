"""Self-checks for the exercises of the chapter *Normalisation*.

The references come from :mod:`vgp_lib.normalisation`: batch norm's backward pass
(:func:`~vgp_lib.normalisation.batch_norm_backward`) for the small batch, and the
measured factors of the chapter's network (:func:`~vgp_lib.normalisation.layer_statistics`)
for the prediction. The wrong values the hints recognise (the spread with ``m - 1``,
the projection left out, ...) are computed here the same way, so that a slip is
named only when the answer matches it to the stated precision.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .._validate import check_array
from ..normalisation import batch_norm_backward, layer_statistics
from . import (
    CORRECT,
    INCORRECT,
    Feedback,
    Pair,
    Relative,
    SignificantFigures,
    as_number,
    check,
    close_to,
    not_attempted,
    pending,
    read_pair,
)

# --------------------------------------------------------------------------- a batch of four

#: One unit's ``y = W a + b`` over a batch of four examples, and the error ``dC/dx̂`` arriving
#: from above (``ex-normalisation-small-batch``; a course may vary both).
SMALL_Y = (0.1, 0.4, 0.2, 0.5)
SMALL_G = (1.0, 1.0, 0.0, 0.0)
#: The size of that batch (the exercise's title names it), and the largest |y| it takes.
SMALL_M, MAX_SMALL_Y = 4, 1e100


def _small_numbers(y, g) -> tuple[np.ndarray, np.ndarray]:
    """``y`` and ``g`` as arrays of the batch's four numbers: ``y`` must vary, ``g`` be non-zero
    and keep some length after the projection (else the factor says nothing). ``g`` comes back
    divided by its largest entry, which leaves the factor as it is and keeps its norm finite."""
    y, g = check_array("y", y, ndim=1), check_array("g", g, ndim=1)
    if y.shape != (SMALL_M,) or g.shape != (SMALL_M,):
        raise ValueError(
            f"y and g must hold {SMALL_M} numbers each, got shapes {y.shape} and {g.shape}"
        )
    if np.max(np.abs(y)) > MAX_SMALL_Y:
        raise ValueError(f"y must hold numbers of size at most {MAX_SMALL_Y:g}")
    if np.std(y) < 1e-6 * max(1.0, float(np.max(np.abs(y)))):
        raise ValueError("y must vary over the batch (its spread sigma_B is 0)")
    if np.any(g):
        g = g / np.max(np.abs(g))
    if not np.any(g) or _small(y, g) * float(np.std(y)) < 1e-6:
        raise ValueError("g must have a component orthogonal to 1 and to x_hat (else dC/dy = 0)")
    return y, g


def _small(y, g, *, ddof: int = 0, keep=("one", "z")) -> float:
    """``||dC/dy|| / ||dC/dx̂||`` with the spread over ``m - ddof`` and only the ``keep``
    directions projected out (the hints' slips; the reference keeps both and ``ddof = 0``).
    """
    y, g = np.asarray(y, float), np.asarray(g, float)
    m = len(y)
    sigma = math.sqrt(float(np.sum((y - y.mean()) ** 2)) / (m - ddof))
    z = (y - y.mean()) / math.sqrt(float(y.var()))
    out = g.copy()
    if "one" in keep:
        out = out - g.mean()
    if "z" in keep:
        out = out - z * float(np.mean(z * g))
    return float(np.linalg.norm(out) / np.linalg.norm(g) / sigma)


def small_batch_scale(y=SMALL_Y, g=SMALL_G) -> float:
    """``||dC/dy|| / ||dC/dx̂||`` for the batch ``y`` and the error ``g`` (four numbers each;
    the book's are :data:`SMALL_Y` and :data:`SMALL_G`) through batch norm with ``eps = 0`` (the
    reference of ``ex-normalisation-small-batch``; eq. ``eq-bn-jacobian``).
    """
    y, g = _small_numbers(y, g)
    y, g = y[:, None], g[:, None]
    return float(np.linalg.norm(batch_norm_backward(y, g, eps=0.0)) / np.linalg.norm(g))


@check("ex-normalisation-small-batch", SignificantFigures(3))
def check_small_batch(answer, y=SMALL_Y, g=SMALL_G) -> Feedback:
    """Check ``||dC/dy|| / ||dC/dx̂||`` through batch norm for the batch of four ``y`` and the
    error ``g`` arriving from above (the chapter passes ``SMALL_Y`` and ``SMALL_G``).

    >>> check_small_batch(1.0).correct
    False
    """
    ex = "ex-normalisation-small-batch"
    y, g = _small_numbers(y, g)
    value, problem = as_number(ex, answer, "the factor ‖dC/dy‖ / ‖dC/dx̂‖ (a number)")
    if problem:
        return problem
    sigma = float(np.std(y))
    return close_to(
        ex,
        value,
        small_batch_scale(y, g),
        precision=check_small_batch.rule,
        what="||dC/dy|| / ||dC/dx̂||",
        hints=[
            (
                _small(y, g, keep=()),
                "That is the division by σ_B alone; the error arriving here is not "
                "orthogonal to 1 and to x̂, so part of it is removed first.",
            ),
            (
                _small(y, g, ddof=1),
                "Batch norm's σ_B is the batch's own spread, not the unbiased estimate of a "
                "population's (not m − 1): revisit its definition.",
            ),
            (
                _small(y, g, ddof=1, keep=()),
                "Two slips: σ_B is the batch's own spread (not the unbiased estimate), and the "
                "error loses its components along 1 and x̂ before the division.",
            ),
            (
                _small(y, g, keep=("one",)),
                "You removed the component along 1; the projection also removes the one along x̂.",
            ),
            (
                _small(y, g, keep=("z",)),
                "You removed the component along x̂; the projection also removes the one "
                "along 1 (the mean).",
            ),
            (sigma, "That is σ_B itself; the backward pass divides by it."),
            (
                _small(y, g) * sigma**2,
                "σ_B enters your gradient the wrong way: revisit how x̂ = (x − μ_B)/σ_B scales "
                "the error on the way back.",
            ),
        ],
        too_large="Too large: the projection only ever shortens a vector, and σ_B is the "
        "spread with 1/m.",
        too_small="Too small: batch norm divides by σ_B, which is far below 1 here.",
    )


# --------------------------------------------------------------------------- predict first

#: The layers the prediction is about: every hidden layer but the first (whose input is the
#: unit-normal batch, not a sigmoid's output), 0-based.
PREDICT_LAYERS = slice(1, None)


@functools.cache
def batch_norm_factors() -> tuple[float, float]:
    """``(rms σ'(z), 1/σ_B)`` with batch norm in the chapter's network: the medians over hidden
    layers 2..20 (the reference of ``ex-normalisation-predict``; eq. ``eq-norm-factor``).
    """
    s = layer_statistics(depth=20, norm="batch", seed=0)
    return (
        float(np.median(s.rms_prime[PREDICT_LAYERS])),
        float(np.median(s.norm_scale[PREDICT_LAYERS])),
    )


#: σ′ at its peak, and about its RMS without a normalisation in this network.
_PEAK = 0.25
_PLAIN_RMS = 0.245
#: sqrt(n Var W) of PyTorch's default initialisation, U(-1/sqrt(n), 1/sqrt(n)).
_WEIGHT_SCALE = math.sqrt(1 / 3)


@check(
    "ex-normalisation-predict",
    Pair(
        Relative(0.1),
        Relative(0.2),
        "rms σ′ within 10 % and 1/σ_B within 20 % of the measured values",
    ),
)
def check_predict(answer) -> Feedback:
    """Check the predicted ``(rms σ'(z), 1/σ_B)`` of the batch-norm network.

    >>> check_predict((0.25, 1.0)).correct
    False
    """
    ex = "ex-normalisation-predict"
    if not_attempted(answer):
        return pending(ex, "a pair (rms_sigma_prime, one_over_sigma_B)")
    pair, problem = read_pair(answer)
    if problem:
        return Feedback(
            ex,
            INCORRECT,
            "the answer should be a pair of numbers (rms_sigma_prime, one_over_sigma_B): "
            f"{problem}.",
        )
    rule = check_predict.rule
    (rms, scale), (ref_rms, ref_scale) = pair, batch_norm_factors()
    if rule.accepts(pair, (ref_rms, ref_scale)):
        return Feedback(
            ex,
            CORRECT,
            f"rms σ′ = {rms:.3g} and 1/σ_B = {scale:.3g}: both match the measurement "
            f"({rule.phrase}). Now read the table below.",
        )
    if not rule.first.accepts(rms, ref_rms):
        return close_to(
            ex,
            rms,
            ref_rms,
            precision=rule.first,
            what="rms σ′",
            hints=[
                (
                    _PEAK,
                    "That is σ′ at z = 0, its peak. After batch norm, z has spread 1 in every "
                    "unit: most z are well away from 0.",
                ),
                (
                    _PLAIN_RMS,
                    "That is the value without normalisation, where z hardly varies. Batch norm "
                    "spreads z out to spread 1.",
                ),
            ],
            too_large="Too large: with z ~ N(0, 1), many units sit on the sigmoid's shoulders.",
            too_small="Too small: z has spread 1, not more; the sigmoid is far from saturated "
            "there.",
        )
    return close_to(
        ex,
        scale,
        ref_scale,
        precision=rule.second,
        what="1/σ_B",
        hints=[
            (
                1.0,
                "Batch norm divides by the spread of y = W a + b, measured before it is "
                "normalised, not by the spread of z.",
            ),
            (
                1 / _WEIGHT_SCALE,
                "That takes the spread of a = σ(z) to be 1. The sigmoid squeezes z: how much "
                "does σ(z) vary when z varies by 1?",
            ),
            (
                _WEIGHT_SCALE,
                "That is a spread, and it is the weights' alone; the backward pass divides by "
                "the spread of y.",
            ),
        ],
        too_large="Too large: the spread of y is that of a = σ(z), times sqrt(n Var W).",
        too_small="Too small: the spread of y is that of a = σ(z), times sqrt(n Var W).",
    )
