"""Watch a PyTorch model's gradients while it trains, and read the symptoms of a vanishing gradient.

Three layers, each built on the one before:

1. :class:`GradientMonitor` records per-layer gradient norms of any model;
2. :func:`train_watched` trains a classifier with it attached (and
   :func:`model_accuracy` scores it);
3. :func:`diagnose` reads the symptoms off what was recorded.

**The monitor.**

:class:`GradientMonitor` is a context manager. On entry it attaches hooks to
the layers it watches (by default every submodule that owns a ``weight`` with
two or more dimensions: ``nn.Linear``, ``nn.Conv*d``, ...), and on exit it
removes every one of them, also when the body raises. While it is active,
every ``loss.backward()`` records for each watched layer

* ``weight_norm``: the Euclidean norm of ``dC/dW`` (the gradient of that one
  backward pass, not the accumulated ``.grad``), and
* ``delta_norm``: the norm of ``delta = dC/dz``, the gradient with respect to
  the layer's output z (its pre-activations; equation ``eq-delta-norm``),
  summed over the batch in the Frobenius sense.

``delta`` is the better signal under batch norm: there the bias gradient of
the linear layer is zero by construction (the norm subtracts the mean), while
``delta`` still shows how much error reaches the layer.

Use it around your own training loop::

    with GradientMonitor(model) as monitor:
        for x, y in batches:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad(); loss.backward(); optimizer.step()
    record = monitor.record()          # GradientRecord, steps x layers
    vgp_lib.plots.monitor.plot_gradient_record(record)

**Training watched.** :func:`train_watched` is a plain mini-batch SGD loop wrapped in a
:class:`GradientMonitor`. Besides the per-layer gradient norms
it records the loss of every step and the relative size of every layer's
update, ``||Delta W|| / ||W||`` (equation ``eq-update-ratio``). :func:`diagnose`
turns such a trace into the three symptoms of the chapter *Diagnosing a real
model*: a loss plateau, tiny updates in the early layers, and gradient norms
falling by orders of magnitude from the output to the input.

>>> import torch
>>> net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
>>> with GradientMonitor(net) as mon:
...     net(torch.ones(2, 3)).sum().backward()
>>> rec = mon.record()
>>> rec.names, rec.weight_norm.shape
(('0', '2'), (1, 2))
>>> import numpy as np
>>> from vgp_lib.models import build_mlp
>>> x = np.random.default_rng(0).standard_normal((64, 5)); y = (x[:, 0] > 0).astype(np.int64)
>>> net = build_mlp(n_in=5, width=8, n_out=2, depth=2, activation="relu", init="he", seed=0)
>>> trace = train_watched(net, x, y, epochs=2, batch_size=16, lr=0.1, seed=0)
>>> trace.losses.shape, trace.record.weight_norm.shape, trace.update_ratio.shape
((8,), (8, 3), (8, 3))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._env import progress
from ._validate import (
    MAX_EPOCHS,
    MAX_SEED,
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_labelled,
    check_real,
    check_sequence,
    checked,
)
from .rng import torch_generator
from .threads import single_thread

__all__ = [
    "GradientMonitor",
    "GradientRecord",
    "watched_layers",
    "TrainingTrace",
    "train_watched",
    "model_accuracy",
    "Diagnosis",
    "stuck_layers",
    "diagnose",
]


@dataclass(frozen=True)
class GradientRecord:
    """Per-layer gradient norms of every recorded backward pass.

    ``names[j]`` is layer j (input side first); ``weight_norm[s, j]`` and
    ``delta_norm[s, j]`` are the norms at backward pass ``s`` (NaN where a
    layer received no gradient in that pass).
    """

    names: tuple[str, ...]
    weight_norm: np.ndarray  # nan: no gradient that pass
    delta_norm: np.ndarray

    @property
    def n_steps(self) -> int:
        return self.weight_norm.shape[0]

    def ratio(self, kind: str = "weight") -> np.ndarray:
        """First-layer norm over last-layer norm, per step (1 = balanced, << 1 = vanishing)."""
        norms = self._norms(kind)
        return norms[:, 0] / norms[:, -1]

    def _norms(self, kind: str) -> np.ndarray:
        from ._validate import check_choice

        kind = check_choice("kind", kind, ("weight", "delta"))
        return self.weight_norm if kind == "weight" else self.delta_norm


def watched_layers(model) -> list:
    """``(name, module)`` for every submodule owning a >= 2-D ``weight`` parameter, in order."""
    import torch

    check_instance("model", model, torch.nn.Module, "a torch.nn.Module")
    layers = []
    for name, module in model.named_modules():
        weight = getattr(module, "weight", None)
        if isinstance(weight, torch.nn.Parameter) and weight.dim() >= 2:
            layers.append((name, module))
    return layers


class GradientMonitor:
    """Record per-layer gradient norms of ``model`` inside a ``with`` block.

    Parameters
    ----------
    model : torch.nn.Module
        Any module: ``nn.Sequential``, a :func:`vgp_lib.models.build_mlp` net,
        or your own subclass.
    layers : sequence of str, optional
        Names (as in ``model.named_modules()``) of the layers to watch. By
        default every layer found by :func:`watched_layers`.

    A new step starts whenever a layer that was already recorded in the
    current step fires again, i.e. at every new ``backward()`` call. (A layer
    applied twice in one forward pass, or ``torch.autograd.grad`` calls inside
    the block, therefore start extra steps.)
    """

    def __init__(self, model, *, layers=None):
        found = watched_layers(model)  # checks model
        if layers is None:
            chosen = found
        else:  # the names of layers with a weight matrix
            layers = check_sequence("layers", layers, what="layer names", min_len=0)
            found = dict(found)
            chosen = [(check_choice("layers", name, found), found[name]) for name in layers]
        if not chosen:
            raise ValueError("model has no layer with a >= 2-D weight to watch (layers is empty)")
        self.model = model
        self.names = tuple(name for name, _ in chosen)
        self._modules = [module for _, module in chosen]
        self._handles = []
        self._steps = []
        self._current = {}

    # -- context manager -------------------------------------------------
    def __enter__(self):
        if self._handles:
            raise RuntimeError("this GradientMonitor is already active")
        try:
            for j, module in enumerate(self._modules):
                on_weight, on_output = self._weight_hook(j), self._forward_hook(j)
                self._handles.append(module.weight.register_hook(on_weight))
                self._handles.append(module.register_forward_hook(on_output))
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        self.remove()
        self._flush()
        return False

    def remove(self) -> None:
        """Remove every hook this monitor registered (safe to call twice)."""
        while self._handles:
            self._handles.pop().remove()

    @property
    def active(self) -> bool:
        return bool(self._handles)

    # -- hooks -----------------------------------------------------------
    def _store(self, kind: str, j: int, grad) -> None:
        if not self._handles:  # a graph built while active, backpropagated after exit
            return
        if (kind, j) in self._current:
            self._flush()
        self._current[(kind, j)] = float(grad.detach().double().norm())

    def _flush(self) -> None:
        if self._current:
            self._steps.append(self._current)
            self._current = {}

    def _weight_hook(self, j):
        def hook(grad):
            self._store("weight", j, grad)

        return hook

    def _forward_hook(self, j):
        def hook(module, inputs, output):
            import torch

            if isinstance(output, torch.Tensor) and output.requires_grad:
                output.register_hook(lambda grad: self._store("delta", j, grad))

        return hook

    # -- results ---------------------------------------------------------
    def record(self) -> GradientRecord:
        """The norms recorded so far as a :class:`GradientRecord` (steps x layers)."""
        steps = self._steps + ([self._current] if self._current else [])
        shape = (len(steps), len(self.names))
        weight, delta = np.full(shape, np.nan), np.full(shape, np.nan)
        for s, step in enumerate(steps):
            for (kind, j), value in step.items():
                (weight if kind == "weight" else delta)[s, j] = value
        return GradientRecord(self.names, weight, delta)


# -- training watched by the monitor, and the diagnosis -------------------------------------------
@dataclass(frozen=True)
class TrainingTrace:
    """What :func:`train_watched` saw: one row per SGD step, one column per watched layer."""

    losses: np.ndarray
    record: GradientRecord
    update_ratio: np.ndarray
    val_accuracy: float  # nan: no validation data given


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
    stuck: tuple[str, ...]
    threshold: float

    @property
    def vanishing(self) -> bool:
        return self.grad_ratio_first_last < 0.01


def _as_tensors(x, y, dtype, x_name: str = "x", y_name: str = "y"):
    import torch

    x, y = check_labelled(x_name, x, y_name, y)
    return torch.as_tensor(x, dtype=dtype), torch.as_tensor(y, dtype=torch.int64)


def _model_dtype(model):
    import torch

    for p in model.parameters():
        return p.dtype
    return torch.float64


def model_accuracy(model, x, y, *, batch_size: int = 2000) -> float:
    """Fraction of ``x`` that ``model`` classifies as ``y`` (evaluation mode, no gradients)."""
    import torch

    check_instance("model", model, torch.nn.Module, "a torch.nn.Module")
    batch_size = check_int("batch_size", batch_size, lo=1, hi=10**7)
    xt, yt = _as_tensors(x, y, _model_dtype(model))
    was_training = model.training
    model.eval()
    correct = 0
    try:
        with torch.no_grad():
            for i in range(0, len(xt), batch_size):
                correct += int(
                    (
                        _fit(model, xt[i : i + batch_size], "x").argmax(1) == yt[i : i + batch_size]
                    ).sum()
                )
    finally:
        model.train(was_training)
    return correct / len(xt)


def _fit(model, xt, name: str):
    """``model(xt)``, with a shape mismatch reported as a ValueError naming the input."""
    try:
        return model(xt)
    except RuntimeError as exc:
        raise ValueError(f"{name} does not fit the model: {str(exc).splitlines()[0]}") from None


def train_watched(
    model,
    x,
    y,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    x_val=None,
    y_val=None,
    momentum: float = 0.0,
    show_progress: bool = False,
) -> TrainingTrace:
    """Train ``model`` with cross-entropy and mini-batch SGD on ``(x, y)``, recording its gradients.

    The batches are a fresh permutation every epoch, drawn from ``seed``. The
    model is changed in place. ``update_ratio[s, j]`` is ``||W_after - W_before||
    / ||W_before||`` for watched layer j at step s.
    """
    import torch

    epochs = check_int("epochs", epochs, lo=1, hi=MAX_EPOCHS)
    batch_size = check_int("batch_size", batch_size, lo=1, hi=10**7)
    lr = check_real("lr", lr, lo=0.0, lo_open=True)
    momentum = check_real("momentum", momentum, lo=0.0, hi=1.0, hi_open=True)
    seed = check_int("seed", seed, lo=0, hi=MAX_SEED)
    show_progress = check_bool("show_progress", show_progress)
    check_instance("model", model, torch.nn.Module, "a torch.nn.Module")
    xt, yt = _as_tensors(x, y, _model_dtype(model))
    if (x_val is None) != (y_val is None):
        raise ValueError("x_val and y_val must be given together (or both left out)")
    if x_val is not None:
        xv, _ = _as_tensors(x_val, y_val, _model_dtype(model), "x_val", "y_val")
        if xv.shape[1:] != xt.shape[1:]:
            raise ValueError(f"x_val must have rows of x's shape {tuple(xt.shape[1:])}")
    g = torch_generator(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    weights = [m.weight for _, m in watched_layers(model)]
    losses, ratios = [], []
    model.train()
    n = len(xt)
    batches = [(e, i) for e in range(epochs) for i in range(0, n, batch_size)]
    with single_thread(flush_denormal=True), GradientMonitor(model) as monitor:
        order = None
        for _epoch, start in progress(batches, disable=not show_progress, leave=False):
            if start == 0:
                order = torch.randperm(n, generator=g)
            idx = order[start : start + batch_size]
            before = [w.detach().clone() for w in weights]
            loss = _loss(model, xt[idx], yt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            with torch.no_grad():
                ratios.append(
                    [
                        float((w - b).norm() / b.norm().clamp_min(1e-300))
                        for w, b in zip(weights, before)
                    ]
                )
    losses, ratios = np.array(losses), np.array(ratios)
    try:
        record = monitor.record()
    except ValueError:  # a gradient norm overflowed
        record = None
    finite = [
        record is not None,
        np.isfinite(losses).all(),
        np.isfinite(ratios).all(),
        all(bool(torch.isfinite(p).all()) for p in model.parameters()),
    ]
    if not all(finite):
        raise ValueError(
            f"training diverged to inf or nan (lr = {lr:g}): lr must be smaller, "
            "or the inputs x of a smaller scale"
        )
    val = model_accuracy(model, x_val, y_val) if x_val is not None else float("nan")
    return TrainingTrace(losses, record, ratios, val)


def _loss(model, xt, yt):
    """Mean cross-entropy of ``model`` on a batch; inputs or labels that do not fit are named."""
    import torch

    out = _fit(model, xt, "x")
    if out.ndim != 2 or int(yt.max()) >= out.shape[1]:
        raise ValueError(f"y must hold labels below the model's {out.shape[-1]} outputs")
    return torch.nn.functional.cross_entropy(out, yt)


def stuck_layers(record: GradientRecord, *, threshold: float = 1e-3) -> tuple:
    """Names of the layers whose median weight-gradient norm is below ``threshold`` x the largest.

    >>> rec = GradientRecord(("a", "b", "c"), np.array([[1e-6, 1e-2, 1.0]]), np.ones((1, 3)))
    >>> stuck_layers(rec)
    ('a',)
    """
    check_instance("record", record, GradientRecord, "a GradientRecord (from GradientMonitor)")
    threshold = check_real("threshold", threshold, lo=0.0, lo_open=True, hi=1.0)
    med = np.nanmedian(record.weight_norm, axis=0)
    return tuple(name for name, v in zip(record.names, med) if v < threshold * np.nanmax(med))


@checked(trace=TrainingTrace)
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
