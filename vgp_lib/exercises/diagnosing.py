"""Self-checks for the exercises of the chapter *Diagnosing a real model*.

The exercises use a small model written in plain PyTorch, :class:`MysteryNet`,
that has a problem the reader finds with the gradient monitor.
"""

from __future__ import annotations

import functools
import itertools
import math
import time

import numpy as np

from .._validate import MAX_WIDTH, check_int
from ..monitor import GradientMonitor, stuck_layers, watched_layers
from ..rng import torch_generator
from . import (
    CORRECT,
    INCORRECT,
    Criterion,
    Feedback,
    check,
    not_attempted,
    out_of_time,
    pending,
    raised,
    run_limited,
    show,
)

#: The threshold of the exercises: stuck = median weight-gradient norm below this x the largest
#: layer's.
THRESHOLD = 1e-3
N_CLASSES = 10
#: What a repaired model must have: this many weight layers, and a first/last ratio of ||dC/dz||
#: in this band.
MIN_LAYERS, RATIO_BAND = 12, (0.1, 10.0)
#: Seconds the reader's model may take for its forward and backward passes in the check.
MODEL_TIME_LIMIT = 10.0


def mystery_batch(*, seed: int = 0, n: int = 128, n_in: int = 32):
    """A fixed random batch ``(x, y)`` (torch float64) for the mystery model."""
    import torch

    n = check_int("n", n, lo=1, hi=MAX_WIDTH)
    n_in = check_int("n_in", n_in, lo=1, hi=MAX_WIDTH)
    g = torch_generator(seed)
    x = torch.randn(n, n_in, generator=g, dtype=torch.float64)
    y = torch.randint(0, N_CLASSES, (n,), generator=g)
    return x, y


def mystery_model(*, seed: int = 0):
    """A 12-layer model in plain PyTorch, built the way many tutorials once did.

    The layers are named ``inp``, ``hidden.0`` ... ``hidden.9`` and ``out``.
    """
    import torch
    from torch import nn

    class MysteryNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(32, 48, dtype=torch.float64)
            self.hidden = nn.ModuleList(nn.Linear(48, 48, dtype=torch.float64) for _ in range(10))
            self.out = nn.Linear(48, N_CLASSES, dtype=torch.float64)

        def forward(self, x):
            x = torch.sigmoid(self.inp(x))
            for layer in self.hidden:
                x = torch.sigmoid(layer(x))
            return self.out(x)

    g = torch_generator(seed)
    net = MysteryNet()
    with torch.no_grad():
        for layer in [
            net.inp,
            *net.hidden,
            net.out,
        ]:  # "small random numbers": W ~ N(0, 0.1^2), b = 0
            layer.weight.copy_(
                0.1 * torch.randn(layer.weight.shape, generator=g, dtype=torch.float64)
            )
            layer.bias.zero_()
    return net


def measure(model, *, seed: int = 0):
    """One backward pass of ``model`` on :func:`mystery_batch`; returns the monitor's record."""
    import torch

    x, y = mystery_batch(seed=seed)
    with GradientMonitor(model) as mon:
        torch.nn.functional.cross_entropy(model(x), y).backward()
    return mon.record()


def true_stuck(seed: int = 0) -> tuple:
    """The layers of :func:`mystery_model` whose gradient norm is below ``THRESHOLD`` x the
    largest.
    """
    return stuck_layers(measure(mystery_model(seed=seed), seed=seed), threshold=THRESHOLD)


@functools.cache
def _mystery_record():
    return measure(mystery_model(seed=0), seed=0)


@check("ex-diagnosing-stuck", Criterion("exact: the set of stuck layers' names, in any order"))
def check_stuck_layers(answer) -> Feedback:
    """Check the set of stuck layer names of the mystery model (seed 0).

    A wrong answer hears whether it lists layers that are not stuck, misses
    stuck ones, or both, but not which: naming them (or counting them) would
    give the answer away.
    """
    ex = "ex-diagnosing-stuck"
    if not_attempted(answer):
        return pending(ex, "a list of layer names such as ['inp', 'hidden.0']")
    if isinstance(answer, str):
        answer = [answer]
    record = _mystery_record()
    try:
        names = list(itertools.islice(iter(answer), 10 * len(record.names)))
    except Exception:
        return Feedback(
            ex, INCORRECT, f"expected a list of layer names, got {type(answer).__name__}."
        )
    if any(isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) for n in names):
        return Feedback(
            ex,
            INCORRECT,
            "expected layer names, got numbers.",
            "Use the names the monitor reports (monitor.names or record.names), e.g. 'hidden.3'.",
        )
    odd = [n for n in names if not isinstance(n, str)]
    if odd:
        return Feedback(
            ex,
            INCORRECT,
            f"expected layer names (strings), got {type(odd[0]).__name__} {show(odd[0])}.",
            "Use the names the monitor reports (monitor.names or record.names), e.g. 'hidden.3'.",
        )
    truth = set(stuck_layers(record, threshold=THRESHOLD))
    got = {str.__str__(n) for n in names}
    unknown = sorted(got - set(record.names))
    if unknown:
        return Feedback(
            ex,
            INCORRECT,
            f"no layer is called {', '.join(map(show, unknown))}.",
            f"The watched layers are {', '.join(record.names)}.",
        )
    if got == truth:
        return Feedback(
            ex,
            CORRECT,
            f"{len(truth)} layer(s) nearest the input are stuck: "
            f"{', '.join(sorted(truth, key=record.names.index))}.",
        )
    extra, missing = got - truth, truth - got
    parts = []
    if extra:
        parts.append("some of the layers you listed are not stuck")
    if missing:
        parts.append("some stuck layers are missing")
    hint = f"Stuck means a weight-gradient norm below {THRESHOLD:g} × the largest layer's."
    if missing and not extra:
        hint = (
            "Look at all the layers, not only the first: the gradient shrinks layer after layer "
            "toward the input."
        )
    elif extra and not missing:
        hint = (
            f"Compare each norm with {THRESHOLD:g} × the largest one; some you listed are small "
            "but above that."
        )
    return Feedback(ex, INCORRECT, "; ".join(parts) + ".", hint)


def _forward(model, x):
    """``(number of parameters, output, dtype)`` of the reader's model on ``x`` cast to its dtype,
    with autograd on.
    """
    import torch

    params = [p for p in model.parameters() if p.is_floating_point()]
    dtype = params[0].dtype if params else x.dtype
    with torch.enable_grad():
        return len(params), model(x.to(dtype)), dtype


def _backward(model, x, y):
    """``(loss, record)`` of one monitored backward pass; the model's ``.grad`` are left as they
    were.
    """
    import torch

    params = list(model.parameters())
    saved = [p.grad for p in params]
    try:
        with torch.enable_grad(), GradientMonitor(model) as monitor:
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
        return float(loss), monitor.record()
    finally:
        for p, g in zip(params, saved):
            p.grad = g


@check(
    "ex-diagnosing-fix",
    Criterion(
        f"at least {MIN_LAYERS} weight layers, none stuck, and a first/last "
        f"‖∂C/∂z‖ ratio between {RATIO_BAND[0]:g} and {RATIO_BAND[1]:g}"
    ),
)
def check_fixed_model(model, *, time_limit: float = MODEL_TIME_LIMIT) -> Feedback:
    """Check a repaired model: same input/output sizes, >= 12 weight layers, no stuck layer, ratio
    in [0.1, 10].

    The model runs one forward and one monitored backward pass on
    :func:`mystery_batch`, within ``time_limit`` seconds in all; its ``.grad``
    are restored afterwards.
    """
    import torch

    ex = "ex-diagnosing-fix"
    if not_attempted(model):
        return pending(ex, "a torch.nn.Module")
    if not isinstance(model, torch.nn.Module):
        return Feedback(ex, INCORRECT, f"expected a torch.nn.Module, got {type(model).__name__}.")
    x, y = mystery_batch(seed=0)
    deadline = time.monotonic() + time_limit
    run = run_limited(lambda: _forward(model, x), time_limit)
    if run.timed_out:
        return out_of_time(ex, "the model's forward pass", time_limit)
    if run.error is not None:
        return Feedback(
            ex,
            INCORRECT,
            f"the model failed on a batch of shape {tuple(x.shape)}: "
            + raised("model(x)", run.error)
            + ".",
        )
    n_params, out, dtype = run.value
    if not isinstance(out, torch.Tensor):
        return Feedback(ex, INCORRECT, f"the model must return a tensor, got {type(out).__name__}.")
    if tuple(out.shape) != (len(x), N_CLASSES):
        return Feedback(
            ex,
            INCORRECT,
            f"the output must have shape {(len(x), N_CLASSES)}, got {tuple(out.shape)}.",
        )
    if not out.is_floating_point():
        return Feedback(
            ex,
            INCORRECT,
            f"the output must be floating point (one score per class), got {out.dtype}.",
        )
    if n_params == 0:
        return Feedback(
            ex,
            INCORRECT,
            "the model has no weights to train.",
            "Build it from layers with parameters, such as nn.Linear.",
        )
    if not out.requires_grad:
        return Feedback(
            ex,
            INCORRECT,
            "the output does not depend on the weights through autograd.",
            "Did forward run under torch.no_grad(), or call .detach()? Gradients cannot flow back "
            "then.",
        )
    depth = len(watched_layers(model))
    if depth < MIN_LAYERS:
        return Feedback(
            ex,
            INCORRECT,
            f"the model has {depth} weight layers; keep at least {MIN_LAYERS}.",
            "A shallower net is a real remedy, but this exercise asks you to make the deep one "
            "work.",
        )
    run = run_limited(lambda: _backward(model, x.to(dtype), y), deadline - time.monotonic())
    if run.timed_out:
        return out_of_time(ex, "the model's forward and backward pass", time_limit)
    if run.error is not None:
        return Feedback(
            ex, INCORRECT, "the backward pass failed: " + raised("loss.backward()", run.error) + "."
        )
    loss, record = run.value
    if not math.isfinite(loss):
        return Feedback(
            ex,
            INCORRECT,
            f"the loss on the batch is {loss}, not a finite number.",
            "Look for a division by zero or a log of 0 in forward, or weights that are inf or NaN.",
        )
    if record.n_steps == 0:
        return Feedback(
            ex,
            INCORRECT,
            "no weight layer received a gradient.",
            "Make the output depend on the layers: call them in forward.",
        )
    idle = [n for n, v in zip(record.names, record.weight_norm.T) if not np.isfinite(v).any()]
    if idle:
        return Feedback(
            ex,
            INCORRECT,
            f"{len(idle)} weight layer(s) received no gradient ({', '.join(idle[:3])}"
            f"{', ...' if len(idle) > 3 else ''}).",
            "Use every layer in forward, or leave it out.",
        )
    first, last = record.delta_norm[0, 0], record.delta_norm[0, -1]
    if not (np.isfinite(first) and np.isfinite(last) and last > 0):
        return Feedback(
            ex,
            INCORRECT,
            "‖∂C/∂z‖ at the first or last layer is 0 or not finite.",
            "Check that every layer feeds the next and that no value overflows.",
        )
    ratio = float(first / last)
    stuck = stuck_layers(record, threshold=THRESHOLD)
    if stuck:
        return Feedback(
            ex,
            INCORRECT,
            f"{len(stuck)} layer(s) still stuck ({', '.join(stuck)}); "
            f"‖∂C/∂z‖ ratio first/last = {ratio:.2g}.",
            "Change what multiplies the gradient at every layer: the activation, the weight scale, "
            "or add normalisation or skip connections.",
        )
    lo, hi = RATIO_BAND
    if not lo <= ratio <= hi:
        direction = "shrinks" if ratio < lo else "grows"
        return Feedback(
            ex,
            INCORRECT,
            f"no layer is stuck, but the gradient still {direction} by a factor "
            f"{ratio:.2g} from the output to the first layer.",
            f"Aim for a first/last ratio between {lo:g} and {hi:g}: adjust the weight scale.",
        )
    return Feedback(
        ex,
        CORRECT,
        f"{depth} layers, none stuck; ‖∂C/∂z‖ of the first layer is {ratio:.2g} × the last's.",
    )
