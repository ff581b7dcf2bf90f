"""Gradient profiles: how large each layer's gradient is at initialisation, per configuration.

Each function builds fresh networks (:func:`vgp_lib.models.build_mlp`), sends
one random batch forward and its error back, and returns a frozen dataclass of
per-layer numbers:

* :func:`activation_comparison`: the first-layer weight-gradient norm of one
  architecture with each activation, over many seeds;
* :func:`init_variance`: the variance of activations and of dC/dz through a
  deep plain net for a given initialisation (equation ``eq-init-variance``);
* :func:`gradient_profile`: per-layer gradient norms of any ``build_mlp``
  configuration (normalisation, residual connections, depth);
* :func:`depth_sweep`: :func:`gradient_profile` over several depths.

Every experiment runs on one CPU thread with subnormal floats flushed
(:func:`vgp_lib.threads.single_thread`).

>>> r = gradient_profile(depth=3, activation="relu", init="he", width=16, seed=0)
>>> r.names
('blocks.0.linear', 'blocks.1.linear', 'blocks.2.linear', 'head')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from ._validate import (
    MAX_DEPTH,
    MAX_SEED,
    MAX_SEEDS,
    MAX_WIDTH,
    check_choice,
    check_int,
    check_memory,
    check_sequence,
    checked,
)
from .models import MODEL_ACTIVATIONS, build_mlp
from .monitor import GradientMonitor
from .rng import torch_generator
from .threads import on_one_thread

__all__ = [
    "random_batch",
    "ActivationComparison",
    "activation_comparison",
    "VarianceProfile",
    "init_variance",
    "GradientProfile",
    "gradient_profile",
    "depth_sweep",
]


_SIZE = partial(check_int, lo=1, hi=MAX_WIDTH)
_SEED = partial(check_int, lo=0, hi=MAX_SEED)
#: Checks of the seeds of experiments with ``n_seeds`` draws (seeds ``seed``, ``seed + 1``, ...).
_DRAWS = dict(n_seeds=partial(check_int, lo=1, hi=MAX_SEEDS), seed=_SEED)


@checked(n=_SIZE, n_in=_SIZE, n_classes=_SIZE)
def random_batch(n: int, n_in: int, n_classes: int, *, seed: int):
    """``n`` inputs x ~ N(0, 1) of size ``n_in`` (float64) and random labels in
    ``range(n_classes)``: the batch of every experiment at initialisation, so that the
    same seed gives the same batch in :func:`gradient_profile` and the chapters' other
    measurements.

    >>> x, y = random_batch(4, 3, 10, seed=0)
    >>> tuple(x.shape), tuple(y.shape)
    ((4, 3), (4,))
    """
    import torch

    g = torch_generator(seed)
    x = torch.randn(n, n_in, generator=g, dtype=torch.float64)
    y = torch.randint(0, n_classes, (n,), generator=g)
    return x, y


# -- activation ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ActivationComparison:
    """``norms[i, s]``: first-layer weight-gradient norm for activation ``names[i]`` and draw
    ``s``.
    """

    names: tuple[str, ...]
    norms: np.ndarray

    def median(self, name: str) -> float:
        return float(
            np.median(self.norms[self.names.index(check_choice("name", name, self.names))])
        )


@on_one_thread(flush_denormal=True)
@checked(**_DRAWS, batch=_SIZE)
def activation_comparison(
    activations=("sigmoid", "relu"),
    *,
    n_seeds: int,
    seed: int,
    sizes=(100, 128, 128, 128, 10),
    batch: int = 32,
) -> ActivationComparison:
    """First-layer ``||dC/dW||`` of the same architecture with each activation, ``n_seeds`` draws.

    Draw ``s`` uses seed ``seed + s`` for the batch (x ~ N(0, 1), random labels)
    and for the weights (PyTorch's default initialisation), shared by every
    activation, so each column is a paired comparison. The cost is the mean
    cross-entropy, as in the PyTorch example of the seed document.
    """
    import torch

    activations = tuple(
        check_choice("activations", a, MODEL_ACTIVATIONS)
        for a in check_sequence("activations", activations, what="activation names")
    )
    sizes = tuple(
        check_int("sizes", s, lo=1, hi=MAX_WIDTH)
        for s in check_sequence("sizes", sizes, what="layer widths", min_len=3)  # one hidden
    )
    # one network at a time: float32 weights and the batch's activations, each with its gradient
    # and a working copy
    n_weights = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    n_activations = batch * sum(sizes)
    check_memory(
        "sizes" if n_weights >= n_activations else "batch", 4 * 3 * (n_weights + n_activations)
    )
    norms = np.zeros((len(activations), n_seeds))
    for s in range(n_seeds):
        x, y = random_batch(batch, sizes[0], sizes[-1], seed=seed + s)
        for i, act in enumerate(activations):
            net = build_mlp(
                n_in=sizes[0],
                width=sizes[1],
                n_out=sizes[-1],
                depth=len(sizes) - 2,
                activation=act,
                init="pytorch",
                seed=seed + s,
            )
            torch.nn.functional.cross_entropy(net(x), y).backward()
            norms[i, s] = float(net.blocks[0].linear.weight.grad.norm())
    return ActivationComparison(tuple(activations), norms)


# -- initialisation --------------------------------------------------------------------------
@dataclass(frozen=True)
class VarianceProfile:
    """Per hidden layer l (1..L in text, 0-based here): Var(a_l) and Var(dC/dz_l)."""

    activation: str
    init: str
    gain: float
    act_var: np.ndarray
    grad_var: np.ndarray


@on_one_thread(flush_denormal=True)
@checked(
    depth=partial(check_int, lo=1, hi=500),
    width=partial(check_int, lo=1, hi=4096),
    batch=partial(check_int, lo=2, hi=MAX_WIDTH),
    seed=_SEED,
)
def init_variance(
    activation: str,
    init: str,
    *,
    depth: int = 50,
    width: int = 256,
    batch: int = 256,
    seed: int,
    gain: float = 1.0,
) -> VarianceProfile:
    """Propagate a N(0, 1) batch through ``depth`` plain layers and a N(0, 1) error back.

    The cost is ``C = sum(a_L * r)`` with a fixed random ``r`` ~ N(0, 1), so the
    error entering the top layer has unit variance and every layer's
    ``Var(dC/dz_l)`` shows how the backward pass scales it (equation
    ``eq-init-variance``). Biases are 0 (except for ``"nielsen"``).
    """
    import torch

    net = build_mlp(
        n_in=width,
        width=width,
        n_out=1,
        depth=depth,
        activation=activation,
        init=init,
        gain=gain,
        seed=seed,
    )
    g = torch_generator(seed + 1)
    a = torch.randn(batch, width, generator=g, dtype=torch.float64)
    r = torch.randn(batch, width, generator=g, dtype=torch.float64)
    act_var = []
    with GradientMonitor(net, layers=[f"blocks.{i}.linear" for i in range(depth)]) as mon:
        for block in net.blocks:
            a = block(a)
            act_var.append(float(a.detach().var()))
        (a * r).sum().backward()
    delta = mon.record().delta_norm[0]
    return VarianceProfile(
        activation, init, float(gain), np.array(act_var), delta**2 / (batch * width)
    )


# -- per-layer gradient norms of any configuration -------------------------------------------------
@dataclass(frozen=True)
class GradientProfile:
    """Median over ``n_seeds`` draws of each layer's ``||dC/dW||`` and ``||dC/dz||`` (input side
    first).
    """

    config: dict
    names: tuple[str, ...]
    weight_norm: np.ndarray
    delta_norm: np.ndarray

    @property
    def ratio(self) -> float:
        """``||dC/dz||`` of the first hidden layer over that of the output layer.

        This is the share of the error signal that reaches layer 1. (Weight
        gradients also scale with each layer's input, ``dC/dW = delta a^T``,
        which differs between layers for reasons that have nothing to do
        with the backward pass.)
        """
        return float(self.delta_norm[0] / self.delta_norm[-1])

    def hidden_ratio(self) -> float:
        """``||dC/dz||`` of hidden layer 1 over that of the last hidden layer (head left out)."""
        return float(self.delta_norm[0] / self.delta_norm[-2]) if len(self.delta_norm) > 2 else 1.0

    @property
    def label(self) -> str:
        c = self.config
        parts = [c["activation"], c["init"]]
        if c["norm"] != "none":
            parts.append(f"{c['norm']} norm")
        if c["residual"]:
            parts.append("residual")
        return f"{c['depth']} layers: " + ", ".join(parts)


@on_one_thread(flush_denormal=True)
@checked(
    **_DRAWS,
    n_classes=_SIZE,
    batch=_SIZE,  # an empty batch has a NaN mean cost
    depth=partial(check_int, lo=1, hi=MAX_DEPTH),
    width=_SIZE,
    n_in=_SIZE,
)
def gradient_profile(
    *,
    depth: int,
    activation: str = "sigmoid",
    init: str = "pytorch",
    norm: str = "none",
    residual: bool = False,
    gain: float = 1.0,
    width: int = 64,
    n_in: int = 64,
    n_classes: int = 10,
    batch: int = 64,
    n_seeds: int = 1,
    seed: int,
) -> GradientProfile:
    """Per-layer gradient norms at initialisation on a random batch (cross-entropy, random labels).

    Draw ``s`` uses seed ``seed + s`` for the batch and the weights.
    """
    import torch

    # as in activation_comparison
    n_weights = n_in * width + (depth - 1) * width * width + width * n_classes
    n_activations = batch * (n_in + depth * width + n_classes)
    check_memory(
        "width" if n_weights >= n_activations else "batch", 4 * 3 * (n_weights + n_activations)
    )
    weight, delta = [], []
    for s in range(n_seeds):
        net = build_mlp(
            n_in=n_in,
            width=width,
            n_out=n_classes,
            depth=depth,
            activation=activation,
            init=init,
            norm=norm,
            residual=residual,
            gain=gain,
            seed=seed + s,
        )
        x, y = random_batch(batch, n_in, n_classes, seed=seed + s)
        with GradientMonitor(net) as mon:
            torch.nn.functional.cross_entropy(net(x), y).backward()
        rec = mon.record()
        weight.append(rec.weight_norm[0])
        delta.append(rec.delta_norm[0])
    return GradientProfile(
        dict(net.config), rec.names, np.median(weight, axis=0), np.median(delta, axis=0)
    )


def depth_sweep(depths, **config) -> tuple:
    """:func:`gradient_profile` for every depth in ``depths`` (other arguments shared)."""
    depths = [check_int("depths", d, lo=1, hi=MAX_DEPTH) for d in check_sequence("depths", depths)]
    return tuple(gradient_profile(depth=d, **config) for d in depths)
