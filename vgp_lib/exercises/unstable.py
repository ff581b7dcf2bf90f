"""Self-checks for the exercises of the chapter *Unstable gradients and how rare balance is*."""

from __future__ import annotations

import math

import numpy as np

from ..bound import interval_width, widest_interval
from ..identity import IdentityNeuron, layer_max_error, max_error
from . import CORRECT, INCORRECT, Feedback, as_number, close_to, not_attempted, pending

#: Largest error on [0, 1] (or [0, 1]^n) that counts as "does nothing".
IDENTITY_TOLERANCE = 1e-3
#: Weights at which a student's width function is compared with eq-interval-width.
WIDTH_PROBES = (4.5, 5.0, 6.9, 10.0, 50.0, -7.0)
#: Weights below 4 in size, where the set is empty.
EMPTY_PROBES = (0.5, 2.0, 3.9, -3.0)


def check_min_weight(answer) -> Feedback:
    """Check the smallest |w| for which |w sigma'(wa+b)| can reach 1."""
    ex = "ex-unstable-min-weight"
    value, problem = as_number(ex, answer, "the smallest |w|")
    if problem:
        return problem
    return close_to(
        ex,
        value,
        4.0,
        rtol=1e-9,
        what="smallest |w|",
        hints=[
            (0.25, "0.25 is the largest value of sigma'; you need |w| times it to reach 1."),
            (1.0, "That ignores sigma': even at its peak sigma'(0) = 1/4, so |w| must make up a factor 4."),
            (2.0, "Off by a factor 2: sigma'(0) = 1/4, not 1/2."),
            (16.0, "Too large: |w| sigma'(0) = |w|/4 reaches 1 already at a smaller |w|."),
        ],
    )


def _call(width, w):
    try:
        out = width(w)
    except Exception as err:  # a student's bug: report it, don't crash the notebook
        return None, f"width({w}) raised {type(err).__name__}: {err}"
    if out is Ellipsis:
        return Ellipsis, None
    try:
        return float(out), None
    except (TypeError, ValueError):
        return None, f"width({w}) returned {type(out).__name__} {out!r}, not a number"


def check_width_formula(width) -> Feedback:
    """Check a function ``width(w)`` against equation ``eq-interval-width``, including 0 for |w| < 4."""
    ex = "ex-unstable-width"
    if not_attempted(width):
        return pending(ex, "a function width(w)")
    if not callable(width):
        return Feedback(ex, INCORRECT, f"expected a function width(w), got {type(width).__name__}.")
    for w in WIDTH_PROBES:
        got, err = _call(width, w)
        if got is Ellipsis:
            return pending(ex, "the body of width(w)")
        if err:
            return Feedback(ex, INCORRECT, err + ".")
        want = float(interval_width(w))
        if math.isclose(got, want, rel_tol=1e-9):
            continue
        hint = ""
        if w < 0:
            hint = "Use |w| everywhere in the formula; the width is the same for w and -w."
        elif math.isclose(got, want / 2, rel_tol=1e-9):
            hint = "Off by a factor 2: the interval runs from -z*/|w| to +z*/|w| around its centre."
        elif math.isclose(got, want * abs(w), rel_tol=1e-9):
            hint = "That is the width in z = wa + b; divide by |w| to get the width in a."
        return Feedback(ex, INCORRECT, f"width({w}) = {got:.6g}, expected {want:.6g}.", hint)
    for w in EMPTY_PROBES:
        got, err = _call(width, w)
        if err or got is Ellipsis:
            return Feedback(ex, INCORRECT, err + ".", "For |w| < 4 the set is empty: return 0 instead of evaluating the log.")
        if got != 0.0:
            return Feedback(ex, INCORRECT, f"width({w}) = {got!r}, expected 0.",
                            "For |w| < 4 the factor never reaches 1, so the set is empty and its width is 0.")
    return Feedback(ex, CORRECT, f"matches eq-interval-width at w = {WIDTH_PROBES} and is 0 for |w| < 4.")


def check_widest(answer) -> Feedback:
    """Check ``(w_star, width_max)``: where the width peaks and its value there."""
    ex = "ex-unstable-widest"
    if not_attempted(answer):
        return pending(ex, "a pair (w_star, width_max)")
    try:
        w_star, width_max = (float(v) for v in answer)
    except (TypeError, ValueError):
        return Feedback(ex, INCORRECT, f"expected a pair of numbers (w_star, width_max), got {answer!r}.")
    ref_w, ref_width = widest_interval()
    if abs(abs(w_star) - ref_w) > 0.05:
        hint = "Evaluate the width on a fine grid of |w| above 4 (or use a 1-d optimiser) and take the argmax."
        if abs(w_star) <= 4.0:
            hint = "For |w| <= 4 the width is 0; the maximum lies above 4."
        return Feedback(ex, INCORRECT, f"w_star = {w_star:.4g} is not where the width peaks.", hint)
    if math.isclose(width_max, ref_width * ref_w, rel_tol=1e-2):
        return Feedback(ex, INCORRECT, f"width_max = {width_max:.4g} is a width in z, not in a.",
                        "Divide by |w|: an interval of length 2z* in z = wa + b has length 2z*/|w| in a.")
    return close_to(ex, width_max, ref_width, rtol=2e-3, what="largest width",
                    hints=[(ref_width / 2, "That is half the width: the interval extends z*/|w| on both sides.")])


def _neuron(answer):
    if isinstance(answer, IdentityNeuron):
        return answer, None
    try:
        values = [float(v) for v in answer]
    except (TypeError, ValueError):
        return None, f"expected a tuple (w1, b, w2, c) of numbers, got {answer!r}"
    if len(values) == 3:
        return None, "got three numbers; also give c, the constant the next layer's bias adds"
    if len(values) != 4 or not all(np.isfinite(values)):
        return None, f"expected four finite numbers (w1, b, w2, c), got {answer!r}"
    return IdentityNeuron(*values), None


def check_identity_neuron(answer) -> Feedback:
    """Check ``(w1, b, w2, c)`` with ``w2*sigma(w1*x + b) + c`` within 1e-3 of x on [0, 1]."""
    ex = "ex-unstable-identity"
    if not_attempted(answer):
        return pending(ex, "a tuple (w1, b, w2, c)")
    n, problem = _neuron(answer)
    if problem:
        hint = "With b = -w1/2 the output is about w2/2 + (w2 w1/4)(x - 1/2); c removes the constant." if "three" in problem else ""
        return Feedback(ex, INCORRECT, problem + ".", hint)
    err = max_error(n)
    if err <= IDENTITY_TOLERANCE:
        return Feedback(ex, CORRECT, f"largest error on [0, 1] is {err:.2g} (tolerance {IDENTITY_TOLERANCE:g}).")
    msg = f"the output is off from x by up to {err:.3g} on [0, 1] (tolerance {IDENTITY_TOLERANCE:g})."
    if n.w1 == 0:
        return Feedback(ex, INCORRECT, msg, "With w1 = 0 the output ignores x; take w1 small but not 0.")
    slope = n.w2 * n.w1 / 4.0
    if math.isclose(n.w2 * n.w1, 1.0, rel_tol=1e-3):
        hint = "The slope of w2 sigma(w1 x + b) near the middle is w2 w1 sigma'(0) = w2 w1/4: take w2 = 4/w1, not 1/w1."
    elif not math.isclose(n.b, -n.w1 / 2, rel_tol=1e-3, abs_tol=1e-12):
        hint = "Centre the sigmoid on the middle of [0, 1]: choose b = -w1/2, so w1 x + b = w1 (x - 1/2)."
    elif not math.isclose(slope, 1.0, rel_tol=1e-3):
        hint = f"The slope near x = 1/2 is w2 w1/4 = {slope:.3g}; it must be 1."
    elif not math.isclose(n.c, 0.5 - n.w2 / 2, rel_tol=1e-6, abs_tol=1e-9):
        hint = "At x = 1/2 the output is w2/2 + c; choose c so that this is 1/2."
    else:
        hint = "w1 is too large: the sigmoid is curved over [0, 1]. The error shrinks like w1^2/96."
    return Feedback(ex, INCORRECT, msg, hint)


def check_larger_derivative(answer) -> Feedback:
    """Check the yes/no answer to "would an activation with a larger derivative avoid the unstable gradient?"."""
    ex = "ex-unstable-larger-derivative"
    if not_attempted(answer):
        return pending(ex, "True (yes, it would help) or False (no)")
    if isinstance(answer, str) and answer.strip().lower() in ("yes", "no"):
        answer = answer.strip().lower() == "yes"
    if not isinstance(answer, (bool, np.bool_)):
        return Feedback(ex, INCORRECT, f"expected True or False (or 'yes'/'no'), got {answer!r}.")
    if not answer:
        return Feedback(ex, CORRECT, "no: a larger derivative moves the typical product, but not its spread.")
    return Feedback(
        ex,
        INCORRECT,
        "a larger derivative does not stop the product of many factors from drifting away from 1.",
        "Look at the spread in the figure: even with derivative 1 everywhere (the identity), the factors "
        "|w_j| differ from chain to chain, and a product of many of them spreads over many decades.",
    )


def check_identity_layer(answer, n: int = 3) -> Feedback:
    """Check ``(W1, b, W2, c)`` for a hidden layer of n sigmoid neurons that reproduces its input."""
    ex = "ex-unstable-layer"
    if not_attempted(answer):
        return pending(ex, "a tuple (W1, b, W2, c) of arrays")
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        return Feedback(ex, INCORRECT, "expected a tuple (W1, b, W2, c).",
                        "c is the next layer's bias: without it the output is off by a constant.")
    try:
        W1, b, W2, c = (np.asarray(v, dtype=np.float64) for v in answer)
    except (TypeError, ValueError):
        return Feedback(ex, INCORRECT, "W1, b, W2 and c must be arrays of numbers.")
    shapes = {"W1": (W1.shape, (None, n)), "W2": (W2.shape, (n, None))}
    for name, (shape, (rows, cols)) in shapes.items():
        if len(shape) != 2 or (rows is not None and shape[0] != rows) or (cols is not None and shape[1] != cols):
            want = f"({rows if rows else 'h'}, {cols if cols else 'h'})"
            return Feedback(ex, INCORRECT, f"{name} has shape {shape}, expected {want} for n = {n} inputs.")
    try:
        err = layer_max_error((W1, b, W2, c))
    except (TypeError, ValueError) as e:
        return Feedback(ex, INCORRECT, f"the parts do not fit together: {e}.")
    if err <= IDENTITY_TOLERANCE:
        return Feedback(ex, CORRECT, f"largest error over [0, 1]^{n} is {err:.2g} (tolerance {IDENTITY_TOLERANCE:g}).")
    off_diagonal = np.abs(W1 - np.diag(np.diag(W1))).max() if W1.shape[0] == W1.shape[1] else 0.0
    hint = "Use one identity neuron per input: diagonal W1 and W2, with the neuron's w1, b, w2, c on the diagonal."
    if W1.shape[0] == W1.shape[1] and off_diagonal > 0:
        hint = "Off-diagonal weights in W1 mix the inputs; neuron i should see only x_i."
    elif W1.shape[0] == W1.shape[1] and np.allclose(np.diag(W2) * np.diag(W1), 1.0):
        hint = "The slope is w2 w1 sigma'(0) = w2 w1/4: the diagonal of W2 must be 4/w1, not 1/w1."
    return Feedback(ex, INCORRECT, f"the output is off from x by up to {err:.3g}.", hint)
