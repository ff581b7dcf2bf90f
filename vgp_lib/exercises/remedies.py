"""Self-checks for the exercises of the chapter *Remedies, measured*."""

from __future__ import annotations

import math

import numpy as np

from ..remedies import gradient_profile
from . import CORRECT, INCORRECT, Feedback, as_number, not_attempted, pending

#: The 20-layer tanh net of the balance exercise (weights N(0, scale^2 * 2/(n_in + n_out))).
BALANCE_NET = dict(depth=20, activation="tanh", init="xavier", width=64)
BALANCE_SEEDS = (0, 1, 2)
#: A ratio within [1/BALANCE_BAND, BALANCE_BAND] counts as balanced.
BALANCE_BAND = 2.0


def balance_ratio(scale: float) -> float:
    """Median over :data:`BALANCE_SEEDS` of ``||dC/dz^1|| / ||dC/dz^20||`` for weight scale ``scale``.

    >>> balance_ratio(0.5) < 1e-3
    True
    """
    return float(np.median([gradient_profile(gain=scale, seed=s, **BALANCE_NET).hidden_ratio()
                            for s in BALANCE_SEEDS]))


def check_tanh_scale(scale) -> Feedback:
    """Is the 20-layer tanh net balanced (first/last hidden-layer gradient ratio within a factor 2 of 1)?"""
    ex = "ex-remedies-tanh-scale"
    value, problem = as_number(ex, scale, "a positive weight scale (a number like 0.7 or 2)")
    if problem:
        return problem
    if value <= 0 or value > 100:
        return Feedback(ex, INCORRECT, f"the scale must be positive and at most 100, got {value:g}.",
                        "The scale multiplies the weights' standard deviation; try values between 0.5 and 3.")
    ratio = balance_ratio(value)
    far = f"{abs(math.log10(ratio)):.2g} orders of magnitude"
    where = f"with scale {value:g}, the first hidden layer's ‖∂C/∂z‖ is {ratio:.3g} × the last one's"
    if 1 / BALANCE_BAND <= ratio <= BALANCE_BAND:
        hint = ""
        if math.isclose(value, math.sqrt(2), rel_tol=0.02):
            hint = ("That is He's gain √2, which happens to fall inside the band here, near its top edge; "
                    "it is derived for ReLU, not tanh.")
        return Feedback(ex, CORRECT, f"{where}: balanced within a factor {BALANCE_BAND:g}.", hint)
    if ratio < 1:
        hint = "The gradient still shrinks on the way down: increase the scale a little."
        if math.isclose(value, 1.0, rel_tol=0.02):
            hint = ("Scale 1 is Xavier's choice, which keeps a *linear* layer's variance; tanh′(z) < 1 for "
                    "every z ≠ 0, so each layer still loses a bit. Go somewhat above 1.")
        return Feedback(ex, INCORRECT, f"{where}: the gradient vanishes, {far} below balanced.", hint)
    hint = "The gradient grows on the way down (exploding): decrease the scale."
    if math.isclose(value, 5 / 3, rel_tol=0.02):
        hint = ("5/3 is torch.nn.init.calculate_gain('tanh'), chosen to keep the *activations'* scale; "
                "over 20 layers the gradients then grow. Try a smaller scale.")
    return Feedback(ex, INCORRECT, f"{where}: the gradient explodes, {far} above balanced.", hint)


def _cases():
    rng = np.random.default_rng(12345)
    big = [rng.standard_normal((3, 4)) * 50, rng.standard_normal(4) * 0.1, rng.standard_normal((2, 2)) * 5]
    small = [rng.standard_normal((2, 3)) * 0.01, rng.standard_normal(3) * 0.01]
    return [(big, 1.0), (small, 1.0)]


def check_clip(clip) -> Feedback:
    """Check a student's ``clip(grads, max_norm)`` (clip a list of arrays by their global norm)."""
    ex = "ex-remedies-clip"
    if not_attempted(clip):
        return pending(ex, "a function clip(grads, max_norm)")
    if not callable(clip):
        return Feedback(ex, INCORRECT, f"expected a function clip(grads, max_norm), got {type(clip).__name__}.")
    for grads, c in _cases():
        flat = np.concatenate([g.ravel() for g in grads])
        norm = np.linalg.norm(flat)
        try:
            out = clip([g.copy() for g in grads], c)
        except Exception as err:  # a student's bug: report it, don't crash the notebook
            return Feedback(ex, INCORRECT, f"clip(...) raised {type(err).__name__}: {err}.")
        if out is Ellipsis:
            return pending(ex, "the body of clip(grads, max_norm)")
        try:
            out = [np.asarray(o, dtype=np.float64) for o in out]
        except (TypeError, ValueError):
            return Feedback(ex, INCORRECT, "clip must return a list of arrays, one per input array.")
        if len(out) != len(grads) or any(o.shape != g.shape for o, g in zip(out, grads)):
            return Feedback(ex, INCORRECT, "clip must return one array per input array, with the same shapes.")
        new = np.concatenate([o.ravel() for o in out])
        new_norm = np.linalg.norm(new)
        if norm <= c:
            if not np.allclose(new, flat, rtol=1e-12, atol=0):
                return Feedback(ex, INCORRECT, f"a gradient of norm {norm:.3g} ≤ {c:g} came back changed "
                                f"(norm {new_norm:.3g}).",
                                "Only rescale when the norm exceeds max_norm: the factor is min(1, max_norm / norm).")
            continue
        cosine = float(new @ flat / (new_norm * norm)) if new_norm > 0 else 0.0
        per_array_ok = all(np.linalg.norm(o) <= c * (1 + 1e-9) for o in out) and any(
            abs(np.linalg.norm(o) - c) < 1e-9 * c for o in out)
        if abs(cosine - 1) > 1e-9 and per_array_ok:
            return Feedback(ex, INCORRECT, "each array was clipped by its own norm, which changes the "
                            f"direction of the whole gradient (cosine {cosine:.6f}) and leaves its norm "
                            f"{new_norm:.3g} > {c:g}.",
                            "Compute one norm over all arrays together, then scale every array by the same factor.")
        if np.all(np.abs(new) <= c + 1e-12) and np.any(np.abs(np.abs(new) - c) < 1e-12) and abs(cosine - 1) > 1e-9:
            return Feedback(ex, INCORRECT, "every component was clipped to [-max_norm, max_norm] separately, "
                            f"which turns the direction (cosine {cosine:.6f}).",
                            "That is clipping by value (np.clip). Clip by the norm: multiply all arrays by one factor.")
        if abs(cosine - 1) > 1e-9:
            return Feedback(ex, INCORRECT, f"the clipped gradient points elsewhere (cosine {cosine:.6f}).",
                            "Multiply every array by the same positive factor.")
        if new_norm > c * (1 + 1e-9):
            return Feedback(ex, INCORRECT, f"after clipping the norm is {new_norm:.6g}, above max_norm = {c:g}.",
                            "The factor is max_norm / norm, with the norm taken over all arrays together.")
        if new_norm < c * (1 - 1e-9):
            return Feedback(ex, INCORRECT, f"after clipping the norm is {new_norm:.6g}, below max_norm = {c:g}: "
                            "the step shrank more than needed.",
                            "Scale to exactly max_norm: factor max_norm / norm (square root of the sum of squares).")
    return Feedback(ex, CORRECT, "norm at most max_norm, direction unchanged, small gradients left alone.")
