"""Self-checks for the exercises of the chapter *Remedies, measured*."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from .._validate import check_real
from ..profiles import gradient_profile
from . import (
    CORRECT,
    INCORRECT,
    TIME_LIMIT,
    Criterion,
    Feedback,
    as_number,
    check,
    not_attempted,
    out_of_time,
    pending,
    raised,
    run_limited,
)

#: The 20-layer tanh net of the balance exercise (weights N(0, scale^2 * 2/(n_in + n_out))).
BALANCE_NET = dict(depth=20, activation="tanh", init="xavier", width=64)
BALANCE_SEEDS = (0, 1, 2)
#: A ratio within [1/BALANCE_BAND, BALANCE_BAND] counts as balanced.
BALANCE_BAND = 2.0
#: The scales the check measures; outside them the answer is refused before any net is built.
SCALE_RANGE = (1e-3, 100.0)
#: Relative precision to which clip's result must match the exact global-norm clipping.
CLIP_RTOL = 1e-9


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
    "ex-remedies-tanh-scale",
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
    ex = "ex-remedies-tanh-scale"
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
                "Scale 1 is Xavier's choice, which keeps a *linear* layer's variance; tanh′(z) < 1 "
                "for every z ≠ 0, so each layer still loses a bit. Go somewhat above 1."
            )
        return Feedback(
            ex, INCORRECT, f"{where}: the gradient vanishes, {far} below balanced.", hint
        )
    hint = "The gradient grows on the way down (exploding): decrease the scale."
    if math.isclose(value, 5 / 3, rel_tol=0.02):
        hint = (
            "5/3 is torch.nn.init.calculate_gain('tanh'), chosen to keep the *activations'* scale; "
            "over 20 layers the gradients then grow. Try a smaller scale."
        )
    return Feedback(ex, INCORRECT, f"{where}: the gradient explodes, {far} above balanced.", hint)


def _cases():
    rng = np.random.default_rng(12345)
    big = [
        rng.standard_normal((3, 4)) * 50,
        rng.standard_normal(4) * 0.1,
        rng.standard_normal((2, 2)) * 5,
    ]
    small = [rng.standard_normal((2, 3)) * 0.01, rng.standard_normal(3) * 0.01]
    return [(big, 1.0), (small, 1.0)]


def _as_arrays(out) -> tuple[list | None, str | None]:
    """``(list of float arrays, None)`` from what clip returned, or
    ``(None, what is wrong with it)``.
    """
    if isinstance(out, np.ndarray) or not hasattr(out, "__iter__"):
        return None, f"clip must return a list of arrays, got {type(out).__name__}"
    arrays = []
    try:
        for o in itertools.islice(out, 100):
            a = np.asarray(o)
            if a.dtype.kind not in "iuf":
                return None, f"clip must return arrays of numbers, got an array of dtype {a.dtype}"
            arrays.append(a.astype(np.float64))
    except Exception as err:
        return (
            None,
            f"clip returned a {type(out).__name__} that cannot be read as arrays "
            f"({type(err).__name__})",
        )
    return arrays, None


def _returned(out):
    """What clip returned, read inside the time limit (a returned generator may never end)."""
    if out is Ellipsis:
        return Ellipsis, None
    return _as_arrays(out)


@check(
    "ex-remedies-clip",
    Criterion(
        f"exact up to rounding (relative {CLIP_RTOL:g}) on the test gradients".replace("e-0", "e-")
    ),
)
def check_clip(clip, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check a student's ``clip(grads, max_norm)`` (clip a list of arrays by their global norm).

    ``time_limit`` bounds the seconds all calls of ``clip`` may take together.
    """
    ex = "ex-remedies-clip"
    if not_attempted(clip):
        return pending(ex, "a function clip(grads, max_norm)")
    if not callable(clip):
        return Feedback(
            ex, INCORRECT, f"expected a function clip(grads, max_norm), got {type(clip).__name__}."
        )
    deadline = time.monotonic() + time_limit
    for grads, c in _cases():
        flat = np.concatenate([g.ravel() for g in grads])
        norm = np.linalg.norm(flat)
        run = run_limited(
            lambda grads=grads, c=c: _returned(clip([g.copy() for g in grads], c)),
            deadline - time.monotonic(),
        )
        if run.timed_out:
            return out_of_time(ex, "clip(grads, max_norm)", time_limit)
        if run.error is not None:
            return Feedback(ex, INCORRECT, raised("clip(...)", run.error) + ".")
        out, trouble = run.value
        if out is Ellipsis:
            return pending(ex, "the body of clip(grads, max_norm)")
        if trouble:
            return Feedback(
                ex, INCORRECT, trouble + ".", "Return a list with one array per input array."
            )
        if len(out) != len(grads) or any(o.shape != g.shape for o, g in zip(out, grads)):
            return Feedback(
                ex, INCORRECT, "clip must return one array per input array, with the same shapes."
            )
        new = np.concatenate([o.ravel() for o in out])
        if not np.all(np.isfinite(new)):
            return Feedback(
                ex,
                INCORRECT,
                "the clipped gradient has entries that are NaN or infinite.",
                "Guard the division: the factor is min(1, max_norm / norm).",
            )
        new_norm = np.linalg.norm(new)
        if norm <= c:
            if not np.allclose(new, flat, rtol=CLIP_RTOL, atol=0):
                return Feedback(
                    ex,
                    INCORRECT,
                    f"a gradient of norm {norm:.3g} ≤ {c:g} came back changed "
                    f"(norm {new_norm:.3g}).",
                    "Only rescale when the norm exceeds max_norm: "
                    "the factor is min(1, max_norm / norm).",
                )
            continue
        cosine = float(new @ flat / (new_norm * norm)) if new_norm > 0 else 0.0
        turned = not abs(cosine - 1) <= CLIP_RTOL
        per_array_ok = all(np.linalg.norm(o) <= c * (1 + CLIP_RTOL) for o in out) and any(
            abs(np.linalg.norm(o) - c) < CLIP_RTOL * c for o in out
        )
        if turned and per_array_ok:
            return Feedback(
                ex,
                INCORRECT,
                "each array was clipped by its own norm, which changes the "
                f"direction of the whole gradient (cosine {cosine:.6f}) and leaves its norm "
                f"{new_norm:.3g} > {c:g}.",
                "Compute one norm over all arrays together, then scale every array by the same "
                "factor.",
            )
        if turned and np.all(np.abs(new) <= c + 1e-12) and np.any(np.abs(np.abs(new) - c) < 1e-12):
            return Feedback(
                ex,
                INCORRECT,
                "every component was clipped to [-max_norm, max_norm] separately, "
                f"which turns the direction (cosine {cosine:.6f}).",
                "That is clipping by value (np.clip). Clip by the norm: multiply all arrays by "
                "one factor.",
            )
        if turned:
            return Feedback(
                ex,
                INCORRECT,
                f"the clipped gradient points elsewhere (cosine {cosine:.6f}).",
                "Multiply every array by the same positive factor.",
            )
        if new_norm > c * (1 + CLIP_RTOL):
            return Feedback(
                ex,
                INCORRECT,
                f"after clipping the norm is {new_norm:.6g}, above max_norm = {c:g}.",
                "The factor is max_norm / norm, with the norm taken over all arrays together.",
            )
        if new_norm < c * (1 - CLIP_RTOL):
            return Feedback(
                ex,
                INCORRECT,
                f"after clipping the norm is {new_norm:.6g}, below max_norm = {c:g}: "
                "the step shrank more than needed.",
                "Scale to exactly max_norm: factor max_norm / norm (square root of the sum of "
                "squares).",
            )
    return Feedback(
        ex, CORRECT, "norm at most max_norm, direction unchanged, small gradients left alone."
    )
