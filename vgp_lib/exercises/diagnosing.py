"""Self-checks for the exercises of the chapter *Diagnosing a real model*.

The exercises use a small model written in plain PyTorch, :class:`MysteryNet`,
that has a problem the reader finds with the gradient monitor.
"""

from __future__ import annotations

import numpy as np

from ..diagnosis import stuck_layers
from ..monitor import GradientMonitor
from ..rng import torch_generator
from . import CORRECT, INCORRECT, Feedback, not_attempted, pending

#: The threshold of the exercises: stuck = median weight-gradient norm below this x the largest layer's.
THRESHOLD = 1e-3
N_CLASSES = 10


def mystery_batch(*, seed: int = 0, n: int = 128, n_in: int = 32):
    """A fixed random batch ``(x, y)`` (torch float64) for the mystery model."""
    import torch

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
        for layer in [net.inp, *net.hidden, net.out]:  # "small random numbers": W ~ N(0, 0.1^2), b = 0
            layer.weight.copy_(0.1 * torch.randn(layer.weight.shape, generator=g, dtype=torch.float64))
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
    """The layers of :func:`mystery_model` whose gradient norm is below ``THRESHOLD`` x the largest."""
    return stuck_layers(measure(mystery_model(seed=seed), seed=seed), threshold=THRESHOLD)


def check_stuck_layers(answer) -> Feedback:
    """Check the set of stuck layer names of the mystery model (seed 0)."""
    ex = "ex-diagnosing-stuck"
    if not_attempted(answer):
        return pending(ex, "a list of layer names such as ['inp', 'hidden.0']")
    if isinstance(answer, str):
        answer = [answer]
    try:
        names = list(answer)
    except TypeError:
        return Feedback(ex, INCORRECT, f"expected a list of layer names, got {type(answer).__name__}.")
    if any(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in names):
        return Feedback(ex, INCORRECT, "expected layer names, got numbers.",
                        "Use the names the monitor reports (monitor.names or record.names), e.g. 'hidden.3'.")
    record = measure(mystery_model(seed=0), seed=0)
    truth = set(stuck_layers(record, threshold=THRESHOLD))
    got = set(map(str, names))
    unknown = sorted(got - set(record.names))
    if unknown:
        return Feedback(ex, INCORRECT, f"no layer is called {', '.join(map(repr, unknown))}.",
                        f"The watched layers are {', '.join(record.names)}.")
    if got == truth:
        return Feedback(ex, CORRECT, f"{len(truth)} layer(s) nearest the input are stuck: "
                        f"{', '.join(sorted(truth, key=record.names.index))}.")
    norms = dict(zip(record.names, np.nanmedian(record.weight_norm, axis=0)))
    top = max(norms.values())
    extra, missing = sorted(got - truth, key=record.names.index), sorted(truth - got, key=record.names.index)
    parts = []
    if extra:
        parts.append("not stuck: " + ", ".join(f"{n} (norm {norms[n] / top:.1e} × the largest)" for n in extra))
    if missing:
        parts.append(f"{len(missing)} stuck layer(s) missing")
    hint = f"Stuck means a weight-gradient norm below {THRESHOLD:g} × the largest layer's."
    if missing and not extra:
        hint = "Look at all the layers, not only the first: the gradient shrinks layer after layer toward the input."
    elif extra and not missing:
        hint = f"Compare each norm with {THRESHOLD:g} × the largest one; these are small but above that."
    return Feedback(ex, INCORRECT, "; ".join(parts) + ".", hint)


def check_fixed_model(model) -> Feedback:
    """Check a repaired model: same input/output sizes, >= 12 weight layers, no stuck layer, ratio in [0.1, 10]."""
    import torch

    ex = "ex-diagnosing-fix"
    if not_attempted(model):
        return pending(ex, "a torch.nn.Module")
    if not isinstance(model, torch.nn.Module):
        return Feedback(ex, INCORRECT, f"expected a torch.nn.Module, got {type(model).__name__}.")
    x, y = mystery_batch(seed=0)
    try:
        dtype = next(model.parameters()).dtype
        out = model(x.to(dtype))
    except Exception as err:  # the student's model: report, don't crash
        return Feedback(ex, INCORRECT, f"the model failed on a batch of shape {tuple(x.shape)}: "
                        f"{type(err).__name__}: {err}.")
    if tuple(out.shape) != (len(x), N_CLASSES):
        return Feedback(ex, INCORRECT, f"the output must have shape {(len(x), N_CLASSES)}, got {tuple(out.shape)}.")
    with GradientMonitor(model) as mon:
        torch.nn.functional.cross_entropy(model(x.to(dtype)), y).backward()
    record = mon.record()
    depth = len(record.names)
    if depth < 12:
        return Feedback(ex, INCORRECT, f"the model has {depth} weight layers; keep at least 12.",
                        "A shallower net is a real remedy, but this exercise asks you to make the deep one work.")
    ratio = float(record.ratio("delta")[0])
    stuck = stuck_layers(record, threshold=THRESHOLD)
    if stuck:
        return Feedback(ex, INCORRECT, f"{len(stuck)} layer(s) still stuck ({', '.join(stuck)}); "
                        f"‖∂C/∂z‖ ratio first/last = {ratio:.2g}.",
                        "Change what multiplies the gradient at every layer: the activation, the weight scale, "
                        "or add normalisation or skip connections.")
    if not 0.1 <= ratio <= 10:
        direction = "shrinks" if ratio < 0.1 else "grows"
        return Feedback(ex, INCORRECT, f"no layer is stuck, but the gradient still {direction} by a factor "
                        f"{ratio:.2g} from the output to the first layer.",
                        "Aim for a first/last ratio between 0.1 and 10: adjust the weight scale.")
    return Feedback(ex, CORRECT, f"{depth} layers, none stuck; ‖∂C/∂z‖ of the first layer is {ratio:.2g} × the last's.")
