"""Self-checks for the exercises of the chapter *Unstable gradients and how rare balance is*.

Longer than most modules (over 500 lines) because the chapter has the most exercises, each
with a check that reads its own kind of answer (numbers, pairs, a layer, a function); they
stay together as the chapter's exercises.
"""

from __future__ import annotations

import functools
import itertools
import math
import time

import numpy as np

from .. import activations
from .._validate import check_int, check_real
from ..bound import interval_width, widest_interval
from ..identity import IdentityLayer, IdentityNeuron, layer_max_error, max_error
from . import (
    CORRECT,
    INCORRECT,
    LOW_PRECISION,
    TIME_LIMIT,
    Criterion,
    Feedback,
    Pair,
    SignificantFigures,
    Within,
    check,
    close_to,
    how_far,
    low_precision,
    not_attempted,
    out_of_time,
    pending,
    raised,
    read_number,
    run_limited,
    short_repr,
)

#: Largest error on [0, 1] (or [0, 1]^n) that counts as "does nothing".
IDENTITY_TOLERANCE = 1e-3
#: Weights at which a student's width function is compared with the closed form.
WIDTH_PROBES = (4.5, 5.0, 6.5, 10.0, 50.0, -7.0)
#: Weights below 4 in size, where the set is empty.
EMPTY_PROBES = (0.5, 2.0, 3.9, -3.0)
#: Relative error allowed at each probe of the width function.
WIDTH_RTOL = 1e-9
#: Most hidden neurons the identity-layer check evaluates.
MAX_HIDDEN = 10_000


#: Where the factor of ``ex-unstable-best-weight`` is evaluated: input a = 1, bias b = 0.
BEST_WEIGHT_INPUT = 1.0
#: Range of the input a the best-weight exercise takes (a course may vary it).
MIN_INPUT, MAX_INPUT = 0.05, 20.0


def best_weight(a: float = BEST_WEIGHT_INPUT) -> tuple[float, float]:
    """``(w, |w sigma'(w a)|)`` at the weight that makes the factor of an input ``a`` with bias
    0 largest (the reference of ``ex-unstable-best-weight``; the book's input is 1).

    With :math:`u = wa` the factor is :math:`|u\\sigma'(u)|/a`. Setting the derivative of
    :math:`u\\sigma'(u)` to zero, with :math:`\\sigma'' = \\sigma'(1 - 2\\sigma)`, gives
    :math:`u\\tanh(u/2) = 1`, solved here by bisection (the left side grows with
    :math:`u > 0`); the weight is :math:`u/a`.

    >>> w, f = best_weight()
    >>> round(w, 4), round(f, 4)
    (1.5434, 0.2239)
    """
    a = check_real("a", a, lo=MIN_INPUT, hi=MAX_INPUT)
    u, f = _best_u()
    return u / a, f / a


@functools.cache
def _best_u() -> tuple[float, float]:
    lo, hi = 0.5, 3.0  # lo * tanh(lo/2) < 1 < hi * tanh(hi/2)
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if mid * math.tanh(mid / 2.0) < 1.0:
            lo = mid
        else:
            hi = mid
    u = (lo + hi) / 2.0
    return u, float(u * activations.sigmoid_prime(u))


@check(
    "ex-unstable-best-weight",
    Pair(
        Within(0.01, either_sign=True),
        SignificantFigures(3),
        "|w_best| within 0.01 and factor_max to 3 significant figures",
    ),
)
def check_best_weight(answer, a: float = BEST_WEIGHT_INPUT) -> Feedback:
    """Check ``(w_best, factor_max)``: where |w sigma'(w a)| is largest, and its largest value,
    for the input ``a`` (the chapter passes ``BEST_WEIGHT_INPUT``).
    """
    ex = "ex-unstable-best-weight"
    a = check_real("a", a, lo=MIN_INPUT, hi=MAX_INPUT)
    if not_attempted(answer):
        return pending(ex, "a pair (w_best, factor_max)")
    pair, refusal = _pair(ex, answer, ("w_best", "factor_max"))
    if refusal:
        return refusal
    w, f = pair
    rule = check_best_weight.rule
    ref_w, ref_f = best_weight(a)
    if rule.accepts((w, f), (ref_w, ref_f)):
        return Feedback(
            ex,
            CORRECT,
            f"w_best = {w:.4g} and factor_max = {f:.4g}: correct ({rule.phrase}).",
        )
    quarter = "sigma'(0) = 1/4 is the peak of sigma', but at w = 0 the factor w sigma'(w) is 0."
    if not rule.first.accepts(w, ref_w):
        hint = (
            "Evaluate |w sigma'(w a)| on a fine grid of w (or set its derivative to zero, using "
            "sigma'' = sigma'(1 - 2 sigma)) and find where it peaks."
        )
        if math.isclose(abs(w), 4.0, abs_tol=0.01):
            hint = (
                f"|w| = 4 lets the factor reach 1 only when wa + b = 0; here a = {a:g} and b = 0, "
                "so z = w a is far from 0."
            )
        elif math.isclose(f, 0.25, abs_tol=5e-4):
            hint = quarter
        return Feedback(
            ex,
            INCORRECT,
            f"w_best = {w:.4g} is not where the factor peaks: |w_best| {how_far(abs(w), ref_w)}.",
            hint,
        )
    return close_to(
        ex,
        f,
        ref_f,
        precision=rule.second,
        what="factor_max",
        hints=[(0.25, quarter), (abs(w) / 4.0, "|w|/4 is the factor at z = 0; here z = w a.")],
        too_large="Evaluate the factor at your w_best: sigma'(w a) is well below its peak there.",
        too_small="Evaluate the factor at your w_best again, at the weighted input z = w a of "
        "the question: a part of the factor seems lost.",
    )


def _width_value(out):
    """``(value, problem, low)`` of what width(w) returned (``(Ellipsis, None, None)`` for the
    stub); ``low`` names a floating-point type too coarse for :data:`WIDTH_RTOL` (float32...).
    """
    if out is Ellipsis:
        return Ellipsis, None, None
    return (*read_number(out), low_precision(out))


@check(
    "ex-unstable-width",
    Criterion(
        f"relative error at most {WIDTH_RTOL:g} at each test weight, "
        "and exactly 0 for |w| < 4".replace("e-0", "e-")
    ),
)
def check_width_formula(width, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check a function ``width(w)`` against the closed form of the width, including 0 for
    |w| < 4.

    ``time_limit`` bounds the seconds all calls of ``width`` may take together.
    """
    ex = "ex-unstable-width"
    if not_attempted(width):
        return pending(ex, "a function width(w)")
    if not callable(width):
        return Feedback(
            ex, INCORRECT, f"the answer must be a function width(w), got {type(width).__name__}."
        )
    deadline = time.monotonic() + time_limit
    empty = "For |w| < 4 the set is empty: return 0 instead of evaluating the log."
    for w in WIDTH_PROBES + EMPTY_PROBES:
        call = f"width({w:g})"
        run = run_limited(lambda w=w: _width_value(width(w)), deadline - time.monotonic())
        if run.timed_out:
            return out_of_time(ex, call, time_limit)
        below = abs(w) < 4
        if run.error is not None:
            return Feedback(ex, INCORRECT, raised(call, run.error) + ".", empty if below else "")
        got, problem, low = run.value
        if got is Ellipsis and not below:
            return pending(ex, "the body of width(w)")
        if got is Ellipsis:
            return Feedback(
                ex, INCORRECT, f"{call} returned ...: the case |w| < 4 is not written yet.", empty
            )
        if problem:
            return Feedback(
                ex, INCORRECT, f"{call} returned {problem}, not a number.", empty if below else ""
            )
        if below:
            if got != 0.0:
                return Feedback(
                    ex,
                    INCORRECT,
                    f"{call} = {got:.6g}, but for |w| < 4 the width is 0.",
                    "For |w| < 4 the factor never reaches 1, so the set is empty "
                    "and its width is 0.",
                )
            continue
        want = float(interval_width(w))
        if math.isclose(got, want, rel_tol=WIDTH_RTOL):
            continue
        if low and math.isclose(got, want, rel_tol=1e-2):  # right, as far as float32 goes
            rtol = f"{WIDTH_RTOL:g}".replace("e-0", "e-")
            return Feedback(
                ex,
                INCORRECT,
                f"{call} = {got:.6g} is a {low} number, and a {low} keeps only about "
                f"{LOW_PRECISION[low][0]} significant digits: too few for the relative error of "
                f"{rtol} the check asks for.",
                "Compute in float64: Python floats, math, or NumPy's default type "
                "(with torch, pass dtype=torch.float64).",
            )
        hint = ""
        slip = 1e-3 if low else WIDTH_RTOL  # a float32 slip is only float32-close to its value
        if w < 0:
            hint = (
                "The width is the same for w and -w, but yours depends on the sign of w: "
                "look for the place where the sign of |w| slipped in."
            )
        elif math.isclose(got, want / 2, rel_tol=slip):
            hint = (
                "That covers one side of the interval only: the window extends on both sides of "
                "its centre."
            )
        elif math.isclose(got, want * abs(w), rel_tol=slip):
            hint = (
                "That is the width in z = wa + b, not in a: revisit how an interval of z maps "
                "back to an interval of inputs a."
            )
        return Feedback(ex, INCORRECT, f"{call} = {got:.6g} {how_far(got, want)}.", hint)
    return Feedback(
        ex, CORRECT, f"matches the closed form at w = {WIDTH_PROBES} and is 0 for |w| < 4."
    )


@functools.cache
def widest() -> tuple[float, float]:
    """``(|w|*, largest width)`` (the reference of ``ex-unstable-widest``)."""
    return widest_interval()


def _pair(ex: str, answer, names: tuple[str, str]):
    """``((a, b), None)`` for an answer of two numbers, or ``(None, Feedback)`` saying why it is
    not the pair ``names``; never raises."""
    what = f"a pair of numbers ({names[0]}, {names[1]})"
    items, problem = _numbers(answer, 2)
    if problem:
        return None, Feedback(ex, INCORRECT, f"the answer must be {what}, {problem}.")
    (a, p1), (b, p2) = (read_number(v) for v in items)
    if p1 or p2:
        name, wrong = (names[0], p1) if p1 else (names[1], p2)
        return None, Feedback(ex, INCORRECT, f"the answer must be {what}, but {name} is {wrong}.")
    return (a, b), None


def _numbers(answer, k: int):
    """``(list of k items, None)`` from an iterable answer, or ``(None, what is wrong)``; never
    raises.
    """
    if isinstance(answer, (str, bytes)) or isinstance(answer, np.ndarray) and answer.ndim == 0:
        return None, f"got {type(answer).__name__} {short_repr(answer)}"
    try:
        items = list(itertools.islice(iter(answer), k + 1))
    except Exception:
        return None, f"got {type(answer).__name__} {short_repr(answer)}"
    if len(items) != k:
        return None, f"got {len(items) if len(items) <= k else 'more than ' + str(k)} item(s)"
    return items, None


@check(
    "ex-unstable-widest",
    Pair(
        Within(0.05, either_sign=True),
        SignificantFigures(3),
        "|w_star| within 0.05 and width_max to 3 significant figures",
    ),
)
def check_widest(answer) -> Feedback:
    """Check ``(w_star, width_max)``: where the width peaks and its value there."""
    ex = "ex-unstable-widest"
    if not_attempted(answer):
        return pending(ex, "a pair (w_star, width_max)")
    pair, refusal = _pair(ex, answer, ("w_star", "width_max"))
    if refusal:
        return refusal
    w_star, width_max = pair
    rule = check_widest.rule
    ref_w, ref_width = widest()
    if rule.accepts((w_star, width_max), (ref_w, ref_width)):
        return Feedback(
            ex,
            CORRECT,
            f"w_star = {w_star:.4g} and width_max = {width_max:.4g}: correct ({rule.phrase}).",
        )
    if not rule.first.accepts(w_star, ref_w):
        hint = (
            "Evaluate the width on a fine grid of |w| above 4 (or use a 1-d optimiser) and take "
            "the argmax."
        )
        if abs(w_star) <= 4.0:
            hint = "For |w| <= 4 the width is 0; the maximum lies above 4."
        return Feedback(
            ex,
            INCORRECT,
            f"w_star = {w_star:.4g} is not where the width peaks: "
            f"|w_star| {how_far(abs(w_star), ref_w)}.",
            hint,
        )
    if math.isclose(width_max, ref_width * ref_w, rel_tol=1e-2):
        return Feedback(
            ex,
            INCORRECT,
            f"width_max = {width_max:.4g} is a width in z, not in a.",
            "That is a window in z = wa + b, but the width is measured in a: revisit how an "
            "interval of z maps back to an interval of inputs a.",
        )
    return close_to(
        ex,
        width_max,
        ref_width,
        precision=rule.second,
        what="largest width",
        hints=[
            (
                ref_width / 2,
                "That covers one side of the interval only: it extends z*/|w| "
                "on both sides of its centre.",
            )
        ],
    )


@functools.cache
def tanh_widest() -> float:
    """Largest width of :math:`\\{a : |w\\tanh'(wa+b)| \\ge 1\\}` over :math:`w` (the reference
    of ``ex-unstable-tanh-window``).

    Since :math:`\\tanh(z) = 2\\sigma(2z) - 1`, :math:`w\\tanh'(wa+b) = 4w\\,\\sigma'(2wa+2b)`: the
    tanh window at weight :math:`w` is twice the sigmoid's window at weight :math:`4w`, so its
    largest width is twice the sigmoid's (reached at a quarter of the sigmoid's best weight).

    >>> round(tanh_widest(), 4)
    0.8955
    """
    return 2.0 * widest()[1]


@check("ex-unstable-tanh-window", SignificantFigures(3))
def check_tanh_window(answer) -> Feedback:
    """Check the largest width of the window where :math:`|w\\tanh'(wa+b)| \\ge 1`."""
    ex = "ex-unstable-tanh-window"
    if not_attempted(answer):
        return pending(ex, "the largest width of the tanh window")
    value, problem = read_number(answer)
    if problem:
        return Feedback(ex, INCORRECT, f"the answer must be one number (a width), got {problem}.")
    ref = tanh_widest()
    w_star = widest()[0] / 4.0
    if math.isclose(value, ref * w_star, rel_tol=1e-2):
        return Feedback(
            ex,
            INCORRECT,
            f"{value:.4g} is a width in z, not in a.",
            "That is a window in z = wa + b, but the width is measured in a: revisit how an "
            "interval of z maps back to an interval of inputs a.",
        )
    return close_to(
        ex,
        value,
        ref,
        precision=check_tanh_window.rule,
        what="largest width",
        hints=[
            (
                widest()[1],
                "That is the sigmoid's window. For tanh the condition is |w| (1 - tanh^2(z)) >= 1, "
                "with z = wa + b.",
            )
        ],
        too_small="Check the widest |w| again: the tanh factor reaches 1 already at |w| = 1, "
        "so search above 1, not above 4.",
        too_large="A width is measured in a, not in z = wa + b: revisit how the window in z "
        "maps back to inputs a.",
    )


def _neuron(answer):
    """``(IdentityNeuron, None)`` from the answer, or ``(None, what is wrong)``."""
    if isinstance(answer, IdentityNeuron):
        answer = (answer.w1, answer.b, answer.w2, answer.c)
    items, problem = _numbers(answer, 4)
    if problem:
        if problem.startswith("got 3 "):
            return None, "got three numbers; also give c, the constant the next layer's bias adds"
        return None, f"the answer must be a tuple (w1, b, w2, c) of numbers, {problem}"
    values = []
    for name, v in zip(("w1", "b", "w2", "c"), items):
        value, trouble = read_number(v)
        if trouble:
            return None, f"the answer must be four numbers (w1, b, w2, c), but {name} is {trouble}"
        values.append(value)
    return IdentityNeuron(*values), None


@check("ex-unstable-identity", Criterion(f"largest error at most {IDENTITY_TOLERANCE:g} on [0, 1]"))
def check_identity_neuron(answer) -> Feedback:
    """Check ``(w1, b, w2, c)`` with ``w2*sigma(w1*x + b) + c`` within 1e-3 of x on [0, 1]."""
    ex = "ex-unstable-identity"
    if not_attempted(answer):
        return pending(ex, "a tuple (w1, b, w2, c)")
    n, problem = _neuron(answer)
    if problem:
        hint = (
            "Three numbers leave a constant in the output w2 sigma(w1 x + b) that no choice of "
            "them removes; c, the next neuron's bias, is the fourth."
            if "three" in problem
            else ""
        )
        return Feedback(ex, INCORRECT, problem + ".", hint)
    try:
        err = max_error(n)
    except ValueError:  # w1 x + b itself overflows (w1 and b near the float limit)
        err = math.inf
    if not math.isfinite(err):
        return Feedback(
            ex,
            INCORRECT,
            "the output is not finite on [0, 1]: the numbers are too large.",
            "The idea is a small input weight that keeps the sigmoid in its straight middle "
            "part; revisit how large the other numbers then need to be.",
        )
    if err <= IDENTITY_TOLERANCE:
        return Feedback(
            ex, CORRECT, f"largest error on [0, 1] is {err:.2g} (tolerance {IDENTITY_TOLERANCE:g})."
        )
    msg = (
        f"the output is off from x by up to {err:.3g} on [0, 1] (tolerance {IDENTITY_TOLERANCE:g})."
    )
    if n.w1 == 0:
        return Feedback(
            ex, INCORRECT, msg, "With w1 = 0 the output ignores x: w1 must be small, but not 0."
        )
    slope = n.w2 * n.w1 / 4.0
    if math.isclose(n.w2 * n.w1, 1.0, rel_tol=1e-3):
        hint = "You made w2 w1 = 1, as if the sigmoid had slope 1 at its centre: revisit sigma'(0)."
    elif not math.isclose(n.b, -n.w1 / 2, rel_tol=1e-3, abs_tol=1e-12):
        hint = (
            "The sigmoid is not centred on the middle of [0, 1], so the inputs do not sit on its "
            "straight middle part: revisit the bias b."
        )
    elif not math.isclose(slope, 1.0, rel_tol=1e-3):
        hint = (
            f"The slope of the output near x = 1/2 is {slope:.3g}, not 1: revisit how w1, w2 and "
            "sigma' at the centre make the slope."
        )
    elif not math.isclose(n.c, 0.5 - n.w2 / 2, rel_tol=1e-6, abs_tol=1e-9):
        hint = (
            "The slope is right but the output is shifted by a constant at x = 1/2: revisit c, "
            "the constant the next neuron adds."
        )
    else:
        hint = "w1 is too large: the sigmoid is curved over [0, 1]. The error shrinks like w1^2/96."
    return Feedback(ex, INCORRECT, msg, hint)


#: Depths of the identity chains in ``ex-unstable-larger-derivative``: the one the chapter
#: measures, and the one the reader predicts.
SHALLOW_DEPTH, DEEP_DEPTH = 30, 120
#: A chain is balanced when its first and last gradients are within this factor of each other.
BALANCE_TOLERANCE = 10.0


def _identity_balance(depth: int) -> float:
    """Largest share of balanced identity chains of ``depth`` layers over the weight scale.

    For the identity, the first-to-last ratio is :math:`w_2 w_3 \\cdots w_L`, so its
    :math:`\\log_{10}` is a sum of :math:`L - 1` independent copies of
    :math:`\\log_{10}|w|`, each with variance :math:`\\pi^2/(8\\ln^2 10)` whatever the weight
    scale (which only shifts it). The sum is close to normal; the best scale centres it on the
    balanced band :math:`|\\log_{10}\\text{ratio}| \\le 1`.
    """
    sd = math.pi / math.sqrt(8.0) / math.log(10.0) * math.sqrt(depth - 1)
    return math.erf(math.log10(BALANCE_TOLERANCE) / (sd * math.sqrt(2.0)))


#: Range of the depth the larger-derivative exercise takes (a course may vary it).
MIN_DEEP, MAX_DEEP = SHALLOW_DEPTH + 1, 10_000


def deeper_balance(depth: int = DEEP_DEPTH) -> float:
    """Largest share of balanced identity chains of ``depth`` layers (the reference of
    ``ex-unstable-larger-derivative``; the book's depth is 120), from the normal approximation
    of :func:`_identity_balance`; a million simulated chains give the same to 0.002.

    >>> round(deeper_balance(), 3)
    0.151
    """
    depth = check_int("depth", depth, lo=MIN_DEEP, hi=MAX_DEEP)
    return _identity_balance(depth)


@check("ex-unstable-larger-derivative", Within(0.03))
def check_larger_derivative(answer, depth: int = DEEP_DEPTH) -> Feedback:
    """Check the estimated share of balanced identity chains of ``depth`` layers (a fraction;
    the chapter passes ``DEEP_DEPTH``).
    """
    ex = "ex-unstable-larger-derivative"
    depth = check_int("depth", depth, lo=MIN_DEEP, hi=MAX_DEEP)
    if not_attempted(answer):
        return pending(ex, "the share of balanced chains (a fraction)")
    value, problem = read_number(answer)
    if problem:
        return Feedback(
            ex, INCORRECT, f"the answer must be a number (a fraction of the chains), got {problem}."
        )
    if 1.0 < value <= 100.0:
        return Feedback(
            ex,
            INCORRECT,
            f"{value:g} is not a fraction between 0 and 1.",
            "Give the share as a fraction: 0.5 for half of the chains, not 50.",
        )
    if not 0.0 <= value <= 1.0:
        return Feedback(
            ex,
            INCORRECT,
            f"{value:g} cannot be a share of chains: a share lies between 0 and 1.",
        )
    shallow = _identity_balance(SHALLOW_DEPTH)
    ratio = (depth - 1) / (SHALLOW_DEPTH - 1)
    wide = math.erf(
        math.log10(BALANCE_TOLERANCE)
        / (math.pi / math.sqrt(8.0) / math.log(10.0) * math.sqrt(SHALLOW_DEPTH - 1) * ratio)
        / math.sqrt(2.0)
    )  # as if the width of the distribution grew in proportion to the depth
    return close_to(
        ex,
        value,
        deeper_balance(depth),
        precision=check_larger_derivative.rule,
        what="share of balanced chains",
        hints=[
            (
                shallow,
                "That is about the share at depth 30. A deeper chain multiplies more random "
                "weights, so the ratio wanders further from 1.",
            ),
            (
                wide,
                "That assumes the distribution of log10(ratio) widens as much as the chain "
                "deepens. Its terms are independent and partly cancel: a sum of n of them widens "
                "more slowly than n.",
            ),
        ],
        too_large="More random weights make the ratio wander further from 1: "
        "fewer chains than that stay balanced.",
        too_small="Independent random terms partly cancel: the log ratio of a deeper chain "
        "wanders further, but not in proportion to the depth.",
    )


def _float_array(name: str, v):
    """``(float64 array, None)``, or ``(None, what is wrong)`` for strings, complex, ragged or
    non-finite input.
    """
    try:
        a = np.asarray(v)
        kind = a.dtype.kind
        if kind == "O":
            a = a.astype(np.float64)
            kind = a.dtype.kind
    except Exception:
        return None, f"{name} is not an array of numbers (got {type(v).__name__})"
    if kind == "c":
        return None, f"{name} has complex entries"
    if kind not in "iuf":
        return None, f"{name} is not an array of numbers (dtype {a.dtype})"
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        return None, f"{name} has entries that are NaN or infinite"
    return a, None


@check(
    "ex-unstable-layer", Criterion(f"largest error at most {IDENTITY_TOLERANCE:g} over [0, 1]^n")
)
def check_identity_layer(answer, n: int = 3) -> Feedback:
    """Check ``(W1, b, W2, c)`` for a hidden layer of n sigmoid neurons that reproduces its
    input (the chapter passes ``IDENTITY_N``).
    """
    ex = "ex-unstable-layer"
    if not_attempted(answer):
        return pending(ex, "a tuple (W1, b, W2, c) of arrays")
    if not (
        isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) and 1 <= n <= 100
    ):
        return Feedback(
            ex,
            INCORRECT,
            f"the check needs n, the number of inputs (1 to 100), got {short_repr(n)}.",
        )
    if isinstance(answer, IdentityLayer):
        answer = (answer.W1, answer.b, answer.W2, answer.c)
    items, problem = _numbers(answer, 4) if isinstance(answer, (tuple, list)) else (None, "")
    if problem is not None:
        return Feedback(
            ex,
            INCORRECT,
            "the answer must be a tuple (W1, b, W2, c).",
            "c is the next layer's bias: without it the output is off by a constant.",
        )
    parts = {}
    for name, v in zip(("W1", "b", "W2", "c"), items):
        parts[name], problem = _float_array(name, v)
        if problem:
            return Feedback(
                ex,
                INCORRECT,
                problem + ".",
                "W1, b, W2 and c must be arrays of finite real numbers.",
            )
    W1, b, W2, c = parts.values()
    shapes = {"W1": (W1.shape, (None, n)), "W2": (W2.shape, (n, None))}
    for name, (shape, (rows, cols)) in shapes.items():
        if (
            len(shape) != 2
            or (rows is not None and shape[0] != rows)
            or (cols is not None and shape[1] != cols)
        ):
            want = f"({rows if rows else 'h'}, {cols if cols else 'h'})"
            return Feedback(
                ex, INCORRECT, f"{name} has shape {shape}; it must be {want} for n = {n} inputs."
            )
    if not 1 <= W1.shape[0] <= MAX_HIDDEN:
        return Feedback(
            ex,
            INCORRECT,
            f"W1 has {W1.shape[0]} rows: use between 1 and {MAX_HIDDEN} hidden neurons.",
        )
    try:
        err = layer_max_error((W1, b, W2, c))
    except (TypeError, ValueError) as e:
        return Feedback(ex, INCORRECT, f"the parts do not fit together: {e}.")
    if not math.isfinite(err):
        return Feedback(
            ex, INCORRECT, "the output is not finite on [0, 1]^n: the numbers are too large."
        )
    if err <= IDENTITY_TOLERANCE:
        return Feedback(
            ex,
            CORRECT,
            f"largest error over [0, 1]^{n} is {err:.2g} (tolerance {IDENTITY_TOLERANCE:g}).",
        )
    off_diagonal = np.abs(W1 - np.diag(np.diag(W1))).max() if W1.shape[0] == W1.shape[1] else 0.0
    hint = (
        "Revisit the identity neuron of the previous exercise: how could each input get a "
        "neuron of its own, seeing no other input?"
    )
    if W1.shape[0] == W1.shape[1] and off_diagonal > 0:
        hint = "Off-diagonal weights in W1 mix the inputs; neuron i should see only x_i."
    elif W1.shape[0] == W1.shape[1] and np.allclose(np.diag(W2) * np.diag(W1), 1.0):
        hint = (
            "The diagonal weights multiply to 1, as if the sigmoid had slope 1 at its centre: "
            "revisit sigma'(0) (the slope there is not w2 w1)."
        )
    return Feedback(ex, INCORRECT, f"the output is off from x by up to {err:.3g}.", hint)
