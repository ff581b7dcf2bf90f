"""Self-checks for the exercises of the chapter *Recurrent networks: gradients through time,
gates and clipping*.

The references are short closed forms (a sigmoid raised to a power, a logit) or the library's
own clipping; the build exercise runs the chapter's diverging training loop
(:func:`vgp_lib.sequences.train_memory`) with the reader's clipping function inside it.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from .._validate import check_int
from . import (
    CORRECT,
    INCORRECT,
    TIME_LIMIT,
    Criterion,
    Feedback,
    Pair,
    SignificantFigures,
    as_number,
    check,
    close_to,
    not_attempted,
    out_of_time,
    pending,
    raised,
    read_pair,
    run_limited,
    short_repr,
    type_name,
)

#: Relative precision to which clip's result must match the exact global-norm clipping.
CLIP_RTOL = 1e-9
#: The lag of the carousel exercises: the gradient carried 50 steps back.
CAROUSEL_LAG = 50
#: The forget gate's bias of an untrained LSTM in the chapter (PyTorch's default plus 1).
UNTRAINED_FORGET_BIAS = 1.0
#: The fraction of the gradient the half-life exercise keeps over CAROUSEL_LAG steps.
KEEP = 0.5
#: Most steps the carousel exercises take (a course may vary the number of steps).
MAX_LAG = 1000
#: The diverging run of the build exercise: the ReLU RNN started at the identity, plain SGD
#: with a large step, on the sign-memory task over 50 steps.
CLIP_RUN = dict(cell="irnn", optimizer="sgd", lr=0.05, steps=120, batch=32, length=50, seed=1)
#: The threshold the build exercise clips to.
CLIP_RUN_NORM = 1.0
#: A run counts as trained when its final loss (last tenth of the steps) is below this
#: (guessing gives ln 2 ≈ 0.69).
TRAINED_LOSS = 0.1
#: Seconds the build exercise's check may take in all (the run itself needs one or two).
CLIP_RUN_TIME = 30.0


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# --------------------------------------------------------------------------- the carousel


def carousel_left(steps: int = CAROUSEL_LAG) -> float:
    """The gradient left on the carousel after ``steps`` steps when every forget gate equals
    σ(1): ``σ(1) ** steps`` (the reference of ``ex-recurrent-carousel``; the book's is 50).

    >>> carousel_left() < 1e-6
    True
    """
    steps = check_int("steps", steps, lo=1, hi=MAX_LAG)
    return _sigmoid(UNTRAINED_FORGET_BIAS) ** steps


@check("ex-recurrent-carousel", SignificantFigures(2))
def check_carousel(answer, steps: int = CAROUSEL_LAG) -> Feedback:
    """Check the fraction of the gradient the carousel keeps over ``steps`` steps with gates at
    σ(1) (the chapter passes ``CAROUSEL_STEPS``).

    >>> check_carousel(0.73).correct  # one gate, not fifty
    False
    """
    ex = "ex-recurrent-carousel"
    steps = check_int("steps", steps, lo=1, hi=MAX_LAG)
    value, problem = as_number(ex, answer, f"the fraction left after {steps} steps (a number)")
    if problem:
        return problem
    f, k = _sigmoid(UNTRAINED_FORGET_BIAS), steps
    return close_to(
        ex,
        value,
        carousel_left(steps),
        precision=check_carousel.rule,
        what="fraction left",
        hints=[
            (
                round(f, 2) ** k,
                "You rounded the gate before raising it to a high power; keep all its digits.",
            ),
            (0.5**k, "σ(0) = 1/2 is the gate with no bias; this gate's bias is 1."),
            (f * k, "The step factors multiply: one factor per step, not one added per step."),
            (f ** (k - 1), f"Count the gates: {k} steps back means {k} multiplications by f."),
            (f, f"That is the factor of one step; the question asks for {k} steps."),
            ((1 - f) ** k, "The carousel keeps the part f of the cell state, not 1 − f."),
        ],
        too_large=f"Each step keeps only the fraction f < 1; over {k} steps that adds up fast.",
        too_small="Each step keeps the fraction f = σ(1) of the gradient, no less.",
    )


def half_life_gate(steps: int = CAROUSEL_LAG) -> tuple[float, float]:
    """``(f, b)``: the forget gate that keeps KEEP of the carousel's gradient over ``steps``
    steps, and the bias with ``σ(b) = f`` (the reference of ``ex-recurrent-half-life``; the
    book's is 50 steps).
    """
    steps = check_int("steps", steps, lo=2, hi=MAX_LAG)
    f = KEEP ** (1 / steps)
    return f, math.log(f / (1 - f))


@check(
    "ex-recurrent-half-life",
    Pair(SignificantFigures(3), SignificantFigures(3), "each number to 3 significant figures"),
)
def check_half_life(answer, steps: int = CAROUSEL_LAG) -> Feedback:
    """Check ``(f, b)``: the per-step factor that keeps half the gradient over ``steps`` steps,
    and the forget-gate bias that gives it (the chapter passes ``HALF_LIFE_STEPS``).

    >>> check_half_life((0.99, 4.6)).correct  # half of the loss spread evenly: factors multiply
    False
    """
    ex = "ex-recurrent-half-life"
    steps = check_int("steps", steps, lo=2, hi=MAX_LAG)
    if not_attempted(answer):
        return pending(ex, "a pair (f, b)")
    pair, problem = read_pair(answer)
    if problem:
        return Feedback(ex, INCORRECT, f"the answer should be a pair of numbers (f, b): {problem}.")
    rule = check_half_life.rule
    (f, b), (ref_f, ref_b) = pair, half_life_gate(steps)
    if rule.accepts(pair, (ref_f, ref_b)):
        return Feedback(
            ex,
            CORRECT,
            f"f = {f:.4g} per step keeps half over {steps} steps, and σ({b:.4g}) = f "
            f"({rule.phrase}).",
        )
    k = steps
    if not rule.first.accepts(f, ref_f):
        return close_to(
            ex,
            f,
            ref_f,
            precision=rule.first,
            what="f",
            hints=[
                (
                    1 - KEEP / k,
                    "That spreads the loss evenly over the steps; the factors multiply.",
                ),
                (
                    math.exp(-KEEP / k),
                    "That spreads the loss evenly over the steps, through an exponential; the "
                    "factors of the steps multiply, with no exponential in between.",
                ),
                (KEEP**k, f"That is what a factor of 1/2 per step leaves after {k} steps."),
                (KEEP / k, "The factor per step is close to 1: it must keep almost everything."),
            ],
            too_large=f"With that f more than half would be left after {k} steps.",
            too_small=f"With that f less than half would be left after {k} steps.",
        )
    logit = math.log(ref_f / (1 - ref_f))
    return close_to(
        ex,
        b,
        ref_b,
        precision=rule.second,
        what="b",
        hints=[
            (_sigmoid(ref_f), "You applied the sigmoid to f; you need the b whose sigmoid is f."),
            (math.log(ref_f), "The gate is σ(b) = 1/(1 + e^(−b)), not e^b."),
            (logit / math.log(10), "That uses a base-10 logarithm, but σ is built on e."),
            (-logit, "Check the sign: a gate above 1/2 needs a positive bias."),
        ],
        too_large="With that bias σ(b) is larger than your f.",
        too_small="With that bias σ(b) is smaller than your f.",
    )


# ----------------------------------------------------------------------- clip by the global norm


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


def _judge_clipped(ex: str, flat, new, out, c: float, what: str) -> Feedback | None:
    """Feedback on a clipped gradient ``new`` (flat) of ``flat`` with threshold ``c``; None if
    it is right. ``out`` holds the clipped arrays one by one.
    """
    norm, new_norm = np.linalg.norm(flat), np.linalg.norm(new)
    if not np.all(np.isfinite(new)):
        return Feedback(
            ex,
            INCORRECT,
            f"the clipped gradient has entries that are NaN or infinite ({what}).",
            "Guard the division: there is nothing to rescale when the norm is small.",
        )
    if norm <= c:
        if not np.allclose(new, flat, rtol=CLIP_RTOL, atol=0):
            return Feedback(
                ex,
                INCORRECT,
                f"a gradient of norm {norm:.3g} ≤ {c:g} came back changed (norm {new_norm:.3g}).",
                "Only rescale when the norm exceeds max_norm.",
            )
        return None
    if new_norm == 0:
        return Feedback(
            ex,
            INCORRECT,
            f"a gradient of norm {norm:.3g} came back as zero: the step would vanish.",
            "Clipping shortens the step to length max_norm; it does not remove it.",
        )
    cosine = float(new @ flat / (new_norm * norm))
    turned = not abs(cosine - 1) <= CLIP_RTOL
    per_array_ok = all(np.linalg.norm(o) <= c * (1 + 1e-5) for o in out) and any(
        abs(np.linalg.norm(o) - c) < 1e-5 * c for o in out
    )
    if turned and per_array_ok:
        return Feedback(
            ex,
            INCORRECT,
            "each array was clipped by its own norm, which changes the "
            f"direction of the whole gradient (cosine {cosine:.6f}) and leaves its norm "
            f"{new_norm:.3g} > {c:g}.",
            "Compute one norm over all arrays together, then scale every array by the same factor.",
        )
    if turned and np.all(np.abs(new) <= c + 1e-12) and np.any(np.abs(np.abs(new) - c) < 1e-12):
        return Feedback(
            ex,
            INCORRECT,
            "every component was clipped to [-max_norm, max_norm] separately, "
            f"which turns the direction (cosine {cosine:.6f}).",
            "That is clipping by value (np.clip), which turns the direction; clipping by the "
            "norm keeps the direction of the whole gradient.",
        )
    if turned:
        return Feedback(
            ex,
            INCORRECT,
            f"the clipped gradient points elsewhere (cosine {cosine:.6f}).",
            "The arrays were not scaled alike: clipping by the norm keeps the direction of the "
            "whole gradient, across all its arrays.",
        )
    if new_norm > c * (1 + CLIP_RTOL):
        if np.allclose(new, flat, rtol=CLIP_RTOL, atol=0):
            return Feedback(
                ex,
                INCORRECT,
                f"a gradient of norm {norm:.3g} > {c:g} came back unchanged.",
                "Rescale whenever the global norm exceeds max_norm.",
            )
        return Feedback(
            ex,
            INCORRECT,
            f"after clipping the norm is {new_norm:.6g}, above max_norm = {c:g}.",
            "The norm is taken over all arrays together: the square root of the sum of all "
            "squared entries.",
        )
    if new_norm < c * (1 - CLIP_RTOL):
        return Feedback(
            ex,
            INCORRECT,
            f"after clipping the norm is {new_norm:.6g}, below max_norm = {c:g}: "
            "the step shrank more than needed.",
            "Scale to exactly max_norm, with the norm as the square root of the sum of squares.",
        )
    return None


@check(
    "ex-recurrent-clip",
    Criterion(
        f"exact up to rounding (relative {CLIP_RTOL:g}) on the test gradients".replace("e-0", "e-")
    ),
)
def check_clip(clip, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check a student's ``clip(grads, max_norm)`` (clip a list of arrays by their global norm).

    ``time_limit`` bounds the seconds all calls of ``clip`` may take together.
    """
    ex = "ex-recurrent-clip"
    if not_attempted(clip):
        return pending(ex, "a function clip(grads, max_norm)")
    if not callable(clip):
        return Feedback(
            ex,
            INCORRECT,
            f"the answer should be a function clip(grads, max_norm), "
            f"not {type_name(clip)} {short_repr(clip)}.",
        )
    deadline = time.monotonic() + time_limit
    for grads, c in _cases():
        flat = np.concatenate([g.ravel() for g in grads])
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
        wrong = _judge_clipped(ex, flat, new, out, c, "returned by clip")
        if wrong is not None:
            return wrong
    return Feedback(
        ex, CORRECT, "norm at most max_norm, direction unchanged, small gradients left alone."
    )


# --------------------------------------------------------------------------- clip a real run


def _torch_case(grads):
    """Tensors with ``.grad`` set to copies of ``grads`` (float64)."""
    import torch

    params = []
    for g in grads:
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor(g, dtype=torch.float64)
        params.append(p)
    return params


def _grads_after(clip_step, grads, c):
    """Call ``clip_step`` on tensors holding ``grads``; the ``.grad`` arrays afterwards."""
    params = _torch_case(grads)
    result = clip_step(params, c)
    out = []
    for p in params:
        if p.grad is None:
            return result, None
        out.append(p.grad.detach().numpy().astype(np.float64).copy())
    return result, out


@check(
    "ex-recurrent-clip-run",
    Criterion(
        f"the .grad tensors clipped by their global norm (relative {CLIP_RTOL:g}), and the "
        f"run trains: no divergence, final loss below "
        f"{TRAINED_LOSS:g}".replace("e-0", "e-")
    ),
)
def check_clip_run(clip_step, *, time_limit: float = CLIP_RUN_TIME) -> Feedback:
    """Check a student's ``clip_step(parameters, max_norm)``, which rescales the ``.grad`` of
    torch tensors in place, then run the chapter's diverging training with it.

    ``time_limit`` bounds the seconds the calls and the run may take together.
    """
    from ..sequences import train_memory

    ex = "ex-recurrent-clip-run"
    if not_attempted(clip_step):
        return pending(ex, "a function clip_step(parameters, max_norm)")
    if not callable(clip_step):
        return Feedback(
            ex,
            INCORRECT,
            f"the answer should be a function clip_step(parameters, max_norm), "
            f"not {type_name(clip_step)} {short_repr(clip_step)}.",
        )
    deadline = time.monotonic() + time_limit
    for grads, c in _cases():
        flat = np.concatenate([g.ravel() for g in grads])
        run = run_limited(
            lambda grads=grads, c=c: _grads_after(clip_step, grads, c),
            deadline - time.monotonic(),
        )
        if run.timed_out:
            return out_of_time(ex, "clip_step(parameters, max_norm)", time_limit)
        if run.error is not None:
            return Feedback(ex, INCORRECT, raised("clip_step(...)", run.error) + ".")
        result, out = run.value
        if result is Ellipsis:
            return pending(ex, "the body of clip_step(parameters, max_norm)")
        if out is None:
            return Feedback(
                ex,
                INCORRECT,
                "after clip_step a tensor's .grad is None.",
                "Keep every .grad; only rescale it.",
            )
        if any(o.shape != g.shape for o, g in zip(out, grads)):
            return Feedback(ex, INCORRECT, "clip_step changed the shape of a .grad tensor.")
        new = np.concatenate([o.ravel() for o in out])
        wrong = _judge_clipped(ex, flat, new, out, c, "in the .grad tensors")
        if wrong is not None:
            if np.allclose(new, flat, rtol=0, atol=0) and np.linalg.norm(flat) > c:
                wrong = Feedback(
                    ex,
                    INCORRECT,
                    "after clip_step the .grad tensors are unchanged.",
                    "The training loop reads p.grad after your function returns: change it in "
                    "place (p.grad.mul_(...)) or assign a new p.grad; returning new tensors is "
                    "not enough.",
                )
            return wrong
    left = deadline - time.monotonic()
    run = run_limited(
        lambda: train_memory(**CLIP_RUN, max_norm=CLIP_RUN_NORM, clip=clip_step), left
    )
    if run.timed_out:
        return out_of_time(ex, "the training run with clip_step", time_limit)
    if run.error is not None:
        return Feedback(ex, INCORRECT, raised("the training run", run.error) + ".")
    trained = run.value
    if trained.diverged_at is not None:
        return Feedback(
            ex,
            INCORRECT,
            f"with clip_step the run still diverged, at step {trained.diverged_at}.",
            "Clip after backward() and before the optimiser's step, every step.",
        )
    if not trained.final_loss < TRAINED_LOSS:
        return Feedback(
            ex,
            INCORRECT,
            f"the run did not diverge, but its final loss is {trained.final_loss:.3g} "
            f"(guessing gives {math.log(2):.2f}).",
            "Check that clip_step leaves the direction of the gradient unchanged.",
        )
    return Feedback(
        ex,
        CORRECT,
        f"the gradients are clipped correctly, and the run that diverged without clipping "
        f"trained: final loss {trained.final_loss:.2g}, accuracy {trained.accuracy:.0%}.",
    )
