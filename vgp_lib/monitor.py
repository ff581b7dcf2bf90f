"""A gradient monitor for any PyTorch model: per-layer gradient norms, hook-safe.

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

>>> import torch
>>> net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
>>> with GradientMonitor(net) as mon:
...     net(torch.ones(2, 3)).sum().backward()
>>> rec = mon.record()
>>> rec.names, rec.weight_norm.shape
(('0', '2'), (1, 2))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GradientMonitor", "GradientRecord", "watched_layers"]


@dataclass(frozen=True)
class GradientRecord:
    """Per-layer gradient norms of every recorded backward pass.

    ``names[j]`` is layer j (input side first); ``weight_norm[s, j]`` and
    ``delta_norm[s, j]`` are the norms at backward pass ``s`` (NaN where a
    layer received no gradient in that pass).
    """

    names: tuple
    weight_norm: np.ndarray
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
        import torch

        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        found = watched_layers(model)
        if layers is None:
            chosen = found
        else:
            if isinstance(layers, str):
                raise TypeError("layers must be a sequence of layer names, not a single string")
            modules = dict(model.named_modules())
            allowed = [name for name, _ in found]
            chosen = []
            for name in layers:
                if name not in modules or name not in allowed:
                    raise ValueError(
                        f"layers must name layers with a weight matrix, one of {allowed!r}; got {name!r}"
                    )
                chosen.append((name, modules[name]))
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
                self._handles.append(module.weight.register_hook(self._weight_hook(j)))
                self._handles.append(module.register_forward_hook(self._forward_hook(j)))
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
