"""Train a classifier while watching its gradients, and read the symptoms off the record.

:func:`train_watched` is a plain mini-batch SGD loop wrapped in a
:class:`vgp_lib.monitor.GradientMonitor`. Besides the per-layer gradient norms
it records the loss of every step and the relative size of every layer's
update, ``||Delta W|| / ||W||`` (equation ``eq-update-ratio``). :func:`diagnose`
turns such a trace into the three symptoms of the chapter *Diagnosing a real
model*: a loss plateau, tiny updates in the early layers, and gradient norms
falling by orders of magnitude from the output to the input.

>>> import numpy as np
>>> from vgp_lib.models import build_mlp
>>> x = np.random.default_rng(0).standard_normal((64, 5)); y = (x[:, 0] > 0).astype(np.int64)
>>> net = build_mlp(n_in=5, width=8, n_out=2, depth=2, activation="relu", init="he", seed=0)
>>> trace = train_watched(net, x, y, epochs=2, batch_size=16, lr=0.1, seed=0)
>>> trace.losses.shape, trace.record.weight_norm.shape, trace.update_ratio.shape
((8,), (8, 3), (8, 3))
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ._env import progress, torch_single_thread
from ._validate import MAX_EPOCHS, check_int, check_real
from .monitor import GradientMonitor, GradientRecord, watched_layers
from .rng import torch_generator


@dataclass(frozen=True)
class TrainingTrace:
    """What :func:`train_watched` saw: one row per SGD step, one column per watched layer."""

    losses: np.ndarray
    record: GradientRecord
    update_ratio: np.ndarray
    val_accuracy: float  # NaN when no validation data was given


@dataclass(frozen=True)
class Diagnosis:
    """The symptoms of a vanishing gradient, measured on a :class:`TrainingTrace`.

    ``loss_drop``: fraction by which the mean loss of the last tenth of the steps
    is below that of the first tenth (near 0: a plateau). ``update_ratio_first_last``
    and ``grad_ratio_first_last``: median over steps of the first layer's value
    divided by the last layer's. ``stuck``: names of layers whose median
    weight-gradient norm is below ``threshold`` times the largest layer's.
    """

    loss_drop: float
    update_ratio_first_last: float
    grad_ratio_first_last: float
    stuck: tuple
    threshold: float

    @property
    def vanishing(self) -> bool:
        return self.grad_ratio_first_last < 0.01


@contextmanager
def cpu_single_thread():
    """Run torch on one thread with subnormal floats flushed to zero.

    On exit the thread count is restored and flushing is switched off again
    (PyTorch's default; torch offers no way to read the previous setting).

    A vanishing gradient is full of numbers below float32's normal range, and
    CPU arithmetic on subnormals is many times slower. ``set_flush_denormal``
    only reaches the calling thread, so the worker threads are switched off
    too (on this book's small layers one thread is as fast anyway).
    """
    import torch

    with torch_single_thread():
        torch.set_flush_denormal(True)
        try:
            yield
        finally:
            torch.set_flush_denormal(False)


def _as_tensors(x, y, dtype):
    import torch

    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim < 2 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"x must be (n, ...) and y (n,) with the same n, got shapes {x.shape} and {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    return torch.as_tensor(x, dtype=dtype), torch.as_tensor(y, dtype=torch.int64)


def _model_dtype(model):
    import torch

    for p in model.parameters():
        return p.dtype
    return torch.float64


def accuracy(model, x, y, *, batch_size: int = 2000) -> float:
    """Fraction of ``x`` that ``model`` classifies as ``y`` (evaluation mode, no gradients)."""
    import torch

    xt, yt = _as_tensors(x, y, _model_dtype(model))
    was_training = model.training
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(xt), batch_size):
            correct += int((model(xt[i:i + batch_size]).argmax(1) == yt[i:i + batch_size]).sum())
    model.train(was_training)
    return correct / len(xt)


def train_watched(model, x, y, *, epochs: int, batch_size: int, lr: float, seed: int,
                  x_val=None, y_val=None, momentum: float = 0.0, show_progress: bool = False) -> TrainingTrace:
    """Train ``model`` with cross-entropy and mini-batch SGD on ``(x, y)``, recording its gradients.

    The batches are a fresh permutation every epoch, drawn from ``seed``. The
    model is changed in place. ``update_ratio[s, j]`` is ``||W_after - W_before||
    / ||W_before||`` for watched layer j at step s.
    """
    import torch

    epochs = check_int("epochs", epochs, lo=1, hi=MAX_EPOCHS)
    batch_size = check_int("batch_size", batch_size, lo=1)
    lr = check_real("lr", lr, lo=0.0, lo_open=True)
    momentum = check_real("momentum", momentum, lo=0.0, hi=1.0, hi_open=True)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    xt, yt = _as_tensors(x, y, _model_dtype(model))
    g = torch_generator(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    weights = [m.weight for _, m in watched_layers(model)]
    losses, ratios = [], []
    model.train()
    n = len(xt)
    batches = [(e, i) for e in range(epochs) for i in range(0, n, batch_size)]
    with cpu_single_thread(), GradientMonitor(model) as monitor:
        order = None
        for epoch, start in progress(batches, disable=not show_progress, leave=False):
            if start == 0:
                order = torch.randperm(n, generator=g)
            idx = order[start:start + batch_size]
            before = [w.detach().clone() for w in weights]
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            with torch.no_grad():
                ratios.append([float((w - b).norm() / b.norm().clamp_min(1e-300)) for w, b in zip(weights, before)])
    val = accuracy(model, x_val, y_val) if x_val is not None else float("nan")
    return TrainingTrace(np.array(losses), monitor.record(), np.array(ratios), val)


def stuck_layers(record: GradientRecord, *, threshold: float = 1e-3) -> tuple:
    """Names of the layers whose median weight-gradient norm is below ``threshold`` x the largest.

    >>> rec = GradientRecord(("a", "b", "c"), np.array([[1e-6, 1e-2, 1.0]]), np.ones((1, 3)))
    >>> stuck_layers(rec)
    ('a',)
    """
    threshold = check_real("threshold", threshold, lo=0.0, lo_open=True, hi=1.0)
    med = np.nanmedian(record.weight_norm, axis=0)
    return tuple(name for name, v in zip(record.names, med) if v < threshold * np.nanmax(med))


def diagnose(trace: TrainingTrace, *, threshold: float = 1e-3) -> Diagnosis:
    """Measure the three symptoms (see :class:`Diagnosis`) on a training trace."""
    losses = trace.losses
    k = max(1, len(losses) // 10)
    first, last = float(np.mean(losses[:k])), float(np.mean(losses[-k:]))
    upd = trace.update_ratio
    w = trace.record.weight_norm
    return Diagnosis(
        loss_drop=(first - last) / first if first > 0 else 0.0,
        update_ratio_first_last=float(np.nanmedian(upd[:, 0] / upd[:, -1])),
        grad_ratio_first_last=float(np.nanmedian(w[:, 0] / w[:, -1])),
        stuck=stuck_layers(trace.record, threshold=threshold),
        threshold=threshold,
    )
