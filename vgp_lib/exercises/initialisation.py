"""Self-checks for the exercises of the chapter *Initialisation: break the symmetry, keep the
variance*.

The references come from the library (:mod:`vgp_lib.symmetry`, :mod:`vgp_lib.variance`,
:mod:`vgp_lib.profiles`); the wrong values the hints recognise (a forgotten σ′, the variance
of the wrong interval, the factor of the variance instead of the norm, ...) are computed
here, so that a slip is named only when the answer matches it to the stated precision.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .._validate import check_real
from ..profiles import gradient_profile
from ..symmetry import train_from
from ..variance import weight_variance
from . import (
    CORRECT,
    INCORRECT,
    Criterion,
    Exactly,
    Feedback,
    Relative,
    SignificantFigures,
    as_number,
    check,
    close_to,
    not_attempted,
    pending,
    short_repr,
)

# --------------------------------------------------------------------------- equal start, counted

#: The network of ``ex-initialisation-equal-units`` (and of the chapter's other starts).
EQUAL_RUN = dict(n_hidden=8, steps=2000, value=0.5, seed=0)
#: How many of its hidden units the exercise's mixed start draws at random (the first ones).
MIXED_RANDOM = 2


@functools.cache
def equal_start_units() -> int:
    """Distinct hidden units after training from the mixed start, whose first
    :data:`MIXED_RANDOM` units are random and whose other units start equal (the reference
    of ``ex-initialisation-equal-units``)."""
    return train_from("mixed", n_random=MIXED_RANDOM, **EQUAL_RUN).distinct_units


@check("ex-initialisation-equal-units", Exactly())
def check_equal_units(answer) -> Feedback:
    """Check the predicted number of different hidden units after training from the mixed
    start (a few random units, the rest equal).

    >>> check_equal_units(8).correct
    False
    """
    ex = "ex-initialisation-equal-units"
    n, k = EQUAL_RUN["n_hidden"], MIXED_RANDOM
    value, problem = as_number(ex, answer, f"a whole number of hidden units, from 1 to {n}")
    if problem:
        return problem
    if value != int(value) or not 1 <= value <= n:
        return Feedback(
            ex,
            INCORRECT,
            f"{value:g} cannot be a count of different hidden units: it is a whole number, at "
            "least one and at most the layer's width.",
        )
    if value == equal_start_units():
        return Feedback(
            ex,
            CORRECT,
            f"{int(value)}: the units that start equal stay equal to one another (exactly), "
            "and the random ones stay different.",
        )
    if value == n:
        hint = (
            "The random units change the output error δ^2, but every hidden unit receives the "
            "same δ^2. Take two of the units that start equal: do they compute different z, "
            "receive different δ^1, or get different updates?"
        )
    elif value < k:
        hint = (
            "Units that start with their own random weights compute different z from the "
            "start: what would make them equal to each other, or to the rest?"
        )
    elif value == k:
        hint = (
            "Count every set of equal units once: the units that start equal are still there "
            "after training."
        )
    else:
        hint = (
            "Follow one SGD step for two units that start equal, and for two units that start "
            "different: do they compute different z, receive different δ^1, or get different "
            "updates? Then take the next step."
        )
    return Feedback(
        ex, INCORRECT, f"{int(value)} different units is not what the training gives.", hint
    )


# ------------------------------------------------------------------ equal start, one gradient

#: The network of ``ex-initialisation-equal-gradient``: 2 inputs, 3 sigmoid hidden units,
#: 1 sigmoid output, cross-entropy cost; every weight ``W``, every bias 0.
EQUAL_W = 0.4
EQUAL_X = (1.0, -0.5)
EQUAL_Y = 1.0
EQUAL_HIDDEN = 3


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _equal_start(*, hidden_prime=True, cross_entropy=True, with_w2=True, sign=1.0) -> np.ndarray:
    """∂C/∂W^1 of the exercise's network, optionally with one of the usual slips."""
    x = np.array(EQUAL_X)
    w1 = np.full((EQUAL_HIDDEN, 2), EQUAL_W)
    w2 = np.full(EQUAL_HIDDEN, EQUAL_W)
    z1 = w1 @ x
    a1 = _sigmoid(z1)
    a2 = _sigmoid(w2 @ a1)
    delta2 = sign * (a2 - EQUAL_Y)
    if not cross_entropy:  # the quadratic cost's output error
        delta2 *= a2 * (1 - a2)
    delta1 = (w2 if with_w2 else 1.0) * delta2
    if hidden_prime:
        delta1 = delta1 * a1 * (1 - a1)
    return np.outer(delta1, x)


def equal_start_gradient() -> np.ndarray:
    """∂C/∂W^1, shape (3, 2), of the exercise's network (the reference of
    ``ex-initialisation-equal-gradient``; eq. ``eq-delta-norm``)."""
    return _equal_start()


_RULE = SignificantFigures(3)


def _matches(got: np.ndarray, reference: np.ndarray) -> bool:
    return got.shape == reference.shape and all(
        _RULE.accepts(float(g), float(r)) for g, r in zip(got.ravel(), reference.ravel())
    )


def _matrix(answer):
    """``(float64 array, None)`` or ``(None, what is wrong)``."""
    try:
        a = np.asarray(answer)
        if a.dtype.kind == "O":
            a = a.astype(np.float64)
    except Exception:
        return None, f"{type(answer).__name__} {short_repr(answer)}"
    if a.dtype.kind not in "iuf":
        return None, f"{type(answer).__name__} {short_repr(answer)}"
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        return None, "an array with NaN or infinite entries"
    return a, None


@check(
    "ex-initialisation-equal-gradient",
    Criterion("every entry to 3 significant figures"),
)
def check_equal_gradient(answer) -> Feedback:
    """Check ∂C/∂W^1 (3 hidden units x 2 inputs) of the small network with all weights equal.

    >>> check_equal_gradient(np.zeros((3, 2))).correct
    False
    """
    ex = "ex-initialisation-equal-gradient"
    if not_attempted(answer):
        return pending(ex, "the 3 x 2 array dC/dW1")
    got, problem = _matrix(answer)
    if problem:
        return Feedback(
            ex, INCORRECT, f"the answer should be a 3 x 2 array of numbers, not {problem}."
        )
    ref = equal_start_gradient()
    if got.shape == (2, 3):
        return Feedback(
            ex,
            INCORRECT,
            "the array has shape (2, 3).",
            "∂C/∂W^1 has the shape of W^1: one row per hidden unit, one column per input.",
        )
    if got.shape != ref.shape:
        return Feedback(ex, INCORRECT, f"the array should have shape (3, 2), not {got.shape}.")
    if _matches(got, ref):
        return Feedback(
            ex,
            CORRECT,
            "every entry right (3 significant figures), and the three rows are equal: the "
            "three hidden units get the same update.",
        )
    if not np.allclose(got, got[0], rtol=1e-3, atol=0):
        return Feedback(
            ex,
            INCORRECT,
            "the rows differ, so your hidden units would get different updates.",
            "All three units have the same incoming weights, see the same x and send their "
            "output through the same weight: compare their z, their σ′(z) and their δ.",
        )
    slips = [
        (
            _equal_start(hidden_prime=False),
            "You left out a factor of the hidden layer: δ^1 = σ′(z^1) ⊙ (W^2)ᵀ δ^2.",
        ),
        (
            _equal_start(cross_entropy=False),
            "With the cross-entropy cost the output error is δ^2 = a^2 − y; no σ′ of the output.",
        ),
        (
            _equal_start(with_w2=False),
            "The error reaches a hidden unit through the weight that joins it to the output.",
        ),
        (_equal_start(sign=-1.0), "Check the sign of the output error: δ^2 = a^2 − y."),
    ]
    for wrong, hint in slips:
        if _matches(got, wrong):
            return Feedback(ex, INCORRECT, "the rows are equal, but the entries are off.", hint)
    size = "too large" if np.abs(got).sum() > np.abs(ref).sum() else "too small"
    return Feedback(
        ex,
        INCORRECT,
        f"the rows are equal, but the entries are {size} in size or have the wrong sign.",
        "Go through the forward pass first (z^1, a^1, z^2, a^2), then δ^2, then δ^1 and δ^1 xᵀ.",
    )


# --------------------------------------------------------------------------- PyTorch's default

#: The width of the chapter's network, where PyTorch's default is U(-1/√64, 1/√64).
FACTOR_WIDTH = 64
#: σ′ where the weighted inputs sit near 0: its peak.
SIGMA_PRIME_PEAK = 0.25


def pytorch_sigmoid_factor() -> float:
    """√(n Var(W)) σ′(0): the per-layer factor of ‖δ‖ that eq. ``eq-init-variance`` predicts for
    a sigmoid network with PyTorch's default weights, σ′ taken at its peak (the reference of
    ``ex-initialisation-pytorch-factor``)."""
    n = FACTOR_WIDTH
    return math.sqrt(n * weight_variance("pytorch", n, n)) * SIGMA_PRIME_PEAK


@check("ex-initialisation-pytorch-factor", Relative(0.03))
def check_pytorch_factor(answer) -> Feedback:
    """Check the per-layer factor ‖δ^l‖/‖δ^{l+1}‖ of a sigmoid net with PyTorch's default.

    >>> check_pytorch_factor(0.25).hint[:28]
    'That takes Var(W) = 1/n_in, '
    """
    ex = "ex-initialisation-pytorch-factor"
    value, problem = as_number(ex, answer, "the factor ‖δ^l‖ / ‖δ^(l+1)‖ (a number below 1)")
    if problem:
        return problem
    s = SIGMA_PRIME_PEAK
    n_var = FACTOR_WIDTH * weight_variance("pytorch", FACTOR_WIDTH, FACTOR_WIDTH)
    hints = [
        (
            s,
            "That takes Var(W) = 1/n_in, LeCun's variance. PyTorch draws from a uniform "
            "distribution: work out its variance.",
        ),
        (
            math.sqrt(n_var / 4) * s,
            "Check the width of the interval you put into the variance of the uniform "
            "distribution.",
        ),
        (
            n_var * s**2,
            "That is the factor of the variance of δ; the question asks for its norm.",
        ),
        (math.sqrt(n_var), "You left out σ′: every layer multiplies the error by f′ too."),
        (
            math.sqrt(n_var * s),
            "σ′ enters the variance of δ squared, as E[σ′(z)²].",
        ),
        (n_var * s, "Mind what is squared: the variance of δ is n Var(W) E[σ′²] Var(δ above)."),
        (1 / (math.sqrt(n_var) * s), "That is the shrink going up; the question asks going down."),
    ]
    return close_to(
        ex,
        value,
        pytorch_sigmoid_factor(),
        precision=check_pytorch_factor.rule,
        what="per-layer factor",
        hints=hints,
        too_large="Too large: with these weights the error shrinks more per layer. Check "
        "n Var(W) for the uniform distribution, and σ′.",
        too_small="Too small: the error shrinks less than that per layer. Check n Var(W) for "
        "the uniform distribution, and σ′.",
    )


# ------------------------------------------------------------------ a balanced tanh network

#: The 20-layer tanh net of the balance exercise (weights N(0, scale^2 * 2/(n_in + n_out))).
BALANCE_NET = dict(depth=20, activation="tanh", init="xavier", width=64)
BALANCE_SEEDS = (0, 1, 2)
#: A ratio within [1/BALANCE_BAND, BALANCE_BAND] counts as balanced.
BALANCE_BAND = 2.0
#: The scales the check measures; outside them the answer is refused before any net is built.
SCALE_RANGE = (1e-3, 100.0)


def balance_ratio(scale: float) -> float:
    """Median over :data:`BALANCE_SEEDS` of ``||dC/dz^1|| / ||dC/dz^20||`` for weight scale
    ``scale``.

    >>> balance_ratio(0.5) < 1e-3
    True
    """
    check_real("scale", scale, lo=SCALE_RANGE[0], hi=SCALE_RANGE[1])
    return float(
        np.median(
            [
                gradient_profile(gain=scale, seed=s, **BALANCE_NET).hidden_ratio()
                for s in BALANCE_SEEDS
            ]
        )
    )


@check(
    "ex-initialisation-tanh-scale",
    Criterion(
        f"any scale that balances the net: first/last hidden-layer "
        f"ratio between 1/{BALANCE_BAND:g} and {BALANCE_BAND:g}"
    ),
)
def check_tanh_scale(scale) -> Feedback:
    """Is the 20-layer tanh net balanced (first/last hidden-layer gradient ratio within a factor 2
    of 1)?

    The ratio it reports is the reader's own measurement (the exercise cell
    prints it too), not the answer: many scales are right.
    """
    ex = "ex-initialisation-tanh-scale"
    value, problem = as_number(ex, scale, "a positive weight scale (a number like 0.7 or 2)")
    if problem:
        return problem
    lo, hi = SCALE_RANGE
    if not lo <= value <= hi:
        return Feedback(
            ex,
            INCORRECT,
            f"the scale must lie between {lo:g} and {hi:g}, got {value:g}.",
            "The scale multiplies the weights' standard deviation; try values between 0.5 and 3.",
        )
    ratio = balance_ratio(value)
    if not math.isfinite(ratio) or ratio <= 0:
        return Feedback(
            ex,
            INCORRECT,
            f"with scale {value:g} the gradient does not survive to the first layer "
            f"(the ratio is {ratio:g}).",
            "Try a scale between 0.5 and 3.",
        )
    far = f"{abs(math.log10(ratio)):.2g} orders of magnitude"
    where = (
        f"with scale {value:g}, the first hidden layer's ‖∂C/∂z‖ is {ratio:.3g} × the last one's"
    )
    if 1 / BALANCE_BAND <= ratio <= BALANCE_BAND:
        hint = ""
        if math.isclose(value, math.sqrt(2), rel_tol=0.02):
            hint = (
                "That is He's gain √2, which happens to fall inside the band here, near its top "
                "edge; it is derived for ReLU, not tanh."
            )
        return Feedback(ex, CORRECT, f"{where}: balanced within a factor {BALANCE_BAND:g}.", hint)
    if ratio < 1:
        hint = "The gradient still shrinks on the way down: increase the scale a little."
        if math.isclose(value, 1.0, rel_tol=0.02):
            hint = (
                "Scale 1 is Xavier's choice, which keeps a linear layer's variance; tanh′(z) < 1 "
                "for every z ≠ 0, so each layer still loses a bit. Go somewhat above 1."
            )
        return Feedback(
            ex, INCORRECT, f"{where}: the gradient vanishes, {far} below balanced.", hint
        )
    hint = "The gradient grows on the way down (exploding): decrease the scale."
    if math.isclose(value, 5 / 3, rel_tol=0.02):
        hint = (
            "5/3 is torch.nn.init.calculate_gain('tanh'), chosen to keep the activations' scale; "
            "over 20 layers the gradients then grow. Try a smaller scale."
        )
    return Feedback(ex, INCORRECT, f"{where}: the gradient explodes, {far} above balanced.", hint)
