"""The measurements of the chapter *Remedies, measured*.

Each function runs one experiment and returns a frozen dataclass of arrays:

* :func:`activation_comparison`: the first-layer weight-gradient norm of a
  100-128-128-128-10 net on a random batch, sigmoid vs ReLU, over many seeds;
* :func:`derivative_curves`: f'(z) for the activation family;
* :func:`init_variance`: variance of activations and of dC/dz through a deep
  plain net for a given initialisation (equation ``eq-init-variance``);
* :func:`gradient_profile`: per-layer gradient norms of any
  :func:`vgp_lib.models.build_mlp` configuration on a random batch (the
  normalisation, residual and depth experiments, and the widget);
* :func:`exploding_chain`: the w = 100 chain whose gradient explodes;
* :func:`training_comparison`: a fixed small training budget for several
  architectures over several seeds, with per-layer gradient norms.

>>> r = gradient_profile(depth=3, activation="relu", init="he", width=16, seed=0)
>>> r.names
('blocks.0.linear', 'blocks.1.linear', 'blocks.2.linear', 'head')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from . import activations as _act
from ._env import progress
from ._validate import MAX_EPOCHS, MAX_SEEDS, MAX_WIDTH, check_array, check_int, check_real
from .diagnosis import accuracy, cpu_single_thread, train_watched
from .models import build_mlp
from .monitor import GradientMonitor
from .rng import torch_generator


def _one_thread(func):
    """Run ``func`` under :func:`vgp_lib.diagnosis.cpu_single_thread` (small tensors: threads only add overhead)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with cpu_single_thread():
            return func(*args, **kwargs)

    return wrapper


# -- activation ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ActivationComparison:
    """``norms[i, s]``: first-layer weight-gradient norm for activation ``names[i]`` and draw ``s``."""

    names: tuple
    norms: np.ndarray

    def median(self, name: str) -> float:
        return float(np.median(self.norms[self.names.index(name)]))


def _random_batch(n: int, n_in: int, n_classes: int, *, seed: int):
    import torch

    g = torch_generator(seed)
    x = torch.randn(n, n_in, generator=g, dtype=torch.float64)
    y = torch.randint(0, n_classes, (n,), generator=g)
    return x, y


@_one_thread
def activation_comparison(activations=("sigmoid", "relu"), *, n_seeds: int, seed: int,
                          sizes=(100, 128, 128, 128, 10), batch: int = 32) -> ActivationComparison:
    """First-layer ``||dC/dW||`` of the same architecture with each activation, ``n_seeds`` draws.

    Draw ``s`` uses seed ``seed + s`` for the batch (x ~ N(0, 1), random labels)
    and for the weights (PyTorch's default initialisation), shared by every
    activation, so each column is a paired comparison. The cost is the mean
    cross-entropy, as in the PyTorch example of the seed document.
    """
    import torch

    n_seeds = check_int("n_seeds", n_seeds, lo=1, hi=MAX_SEEDS)
    sizes = tuple(check_int("sizes", s, lo=1, hi=MAX_WIDTH) for s in sizes)
    if len(sizes) < 3:
        raise ValueError(f"sizes must list at least input, one hidden and output size, got {sizes}")
    batch = check_int("batch", batch, lo=1, hi=MAX_WIDTH)
    norms = np.zeros((len(activations), n_seeds))
    for s in range(n_seeds):
        x, y = _random_batch(batch, sizes[0], sizes[-1], seed=seed + s)
        for i, act in enumerate(activations):
            net = build_mlp(n_in=sizes[0], width=sizes[1], n_out=sizes[-1], depth=len(sizes) - 2,
                            activation=act, init="pytorch", seed=seed + s)
            torch.nn.functional.cross_entropy(net(x), y).backward()
            norms[i, s] = float(net.blocks[0].linear.weight.grad.norm())
    return ActivationComparison(tuple(activations), norms)


@dataclass(frozen=True)
class DerivativeCurves:
    """``values[i]`` is the derivative of activation ``names[i]`` on the grid ``z``."""

    names: tuple
    z: np.ndarray
    values: np.ndarray


def derivative_curves(names=("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu"), z=None) -> DerivativeCurves:
    """f'(z) of each named activation from :mod:`vgp_lib.activations`.

    >>> c = derivative_curves(("sigmoid",), z=[0.0])
    >>> float(c.values[0, 0])
    0.25
    """
    z = np.linspace(-6, 6, 601) if z is None else check_array("z", z, ndim=1)
    return DerivativeCurves(tuple(names), z, np.array([_act.get(n)[1](z) for n in names]))


# -- initialisation --------------------------------------------------------------------------
@dataclass(frozen=True)
class VarianceProfile:
    """Per hidden layer l (1..L in text, 0-based here): Var(a_l) and Var(dC/dz_l)."""

    activation: str
    init: str
    gain: float
    act_var: np.ndarray
    grad_var: np.ndarray


@_one_thread
def init_variance(activation: str, init: str, *, depth: int = 50, width: int = 256, batch: int = 256,
                  seed: int, gain: float = 1.0) -> VarianceProfile:
    """Propagate a N(0, 1) batch through ``depth`` plain layers and a N(0, 1) error back.

    The cost is ``C = sum(a_L * r)`` with a fixed random ``r`` ~ N(0, 1), so the
    error entering the top layer has unit variance and every layer's
    ``Var(dC/dz_l)`` shows how the backward pass scales it (equation
    ``eq-init-variance``). Biases are 0 (except for ``"nielsen"``).
    """
    import torch

    depth = check_int("depth", depth, lo=1, hi=500)
    width = check_int("width", width, lo=1)
    batch = check_int("batch", batch, lo=2)
    net = build_mlp(n_in=width, width=width, n_out=1, depth=depth, activation=activation, init=init,
                    gain=gain, seed=seed)
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
    return VarianceProfile(activation, init, float(gain), np.array(act_var), delta**2 / (batch * width))


# -- per-layer gradient norms of any configuration -------------------------------------------------
@dataclass(frozen=True)
class GradientProfile:
    """Median over ``n_seeds`` draws of each layer's ``||dC/dW||`` and ``||dC/dz||`` (input side first)."""

    config: dict
    names: tuple
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


@_one_thread
def gradient_profile(*, depth: int, activation: str = "sigmoid", init: str = "pytorch", norm: str = "none",
                     residual: bool = False, gain: float = 1.0, width: int = 64, n_in: int = 64,
                     n_classes: int = 10, batch: int = 64, n_seeds: int = 1, seed: int) -> GradientProfile:
    """Per-layer gradient norms at initialisation on a random batch (cross-entropy, random labels).

    Draw ``s`` uses seed ``seed + s`` for the batch and the weights.
    """
    import torch

    n_seeds = check_int("n_seeds", n_seeds, lo=1, hi=MAX_SEEDS)
    n_classes = check_int("n_classes", n_classes, lo=1, hi=MAX_WIDTH)
    batch = check_int("batch", batch, lo=1, hi=MAX_WIDTH)  # an empty batch has a NaN mean cost
    weight, delta = [], []
    for s in range(n_seeds):
        net = build_mlp(n_in=n_in, width=width, n_out=n_classes, depth=depth, activation=activation,
                        init=init, norm=norm, residual=residual, gain=gain, seed=seed + s)
        x, y = _random_batch(batch, n_in, n_classes, seed=seed + s)
        with GradientMonitor(net) as mon:
            torch.nn.functional.cross_entropy(net(x), y).backward()
        rec = mon.record()
        weight.append(rec.weight_norm[0])
        delta.append(rec.delta_norm[0])
    return GradientProfile(dict(net.config), rec.names, np.median(weight, axis=0), np.median(delta, axis=0))


def depth_sweep(depths, **config) -> tuple:
    """:func:`gradient_profile` for every depth in ``depths`` (other arguments shared)."""
    return tuple(gradient_profile(depth=d, **config) for d in depths)


# -- exploding gradients and clipping --------------------------------------------------------------
@dataclass(frozen=True)
class ChainGradient:
    """The gradient of a chain of one-neuron sigmoid layers: dC/dw_j and dC/db_j, j = 1..L."""

    grad_w: np.ndarray
    grad_b: np.ndarray
    loss: float

    @property
    def vector(self) -> np.ndarray:
        return np.concatenate([self.grad_w, self.grad_b])


def exploding_chain(*, depth: int = 10, w: float = 100.0, x: float = 1.0, y: float = 0.0) -> ChainGradient:
    """The chain a_j = sigma(w a_{j-1} + b_j) with b_j = -w a_{j-1}, so every z_j = 0.

    Each factor ``w sigma'(z_j)`` is then ``w / 4`` (25 for w = 100), and
    ``dC/db_1`` grows like ``(w/4)^(L-1)`` :cite:p:`nielsen2015`. Cost
    ``C = (a_L - y)^2 / 2``; computed with autograd in float64. Nothing is random.

    >>> g = exploding_chain(depth=3, w=100.0)
    >>> round(float(g.grad_b[0] / g.grad_b[1]), 6)
    25.0
    """
    import torch

    depth = check_int("depth", depth, lo=1, hi=200)
    w = check_real("w", w)
    x = check_real("x", x)
    y = check_real("y", y)
    ws, bs = [], []
    a = torch.tensor(x, dtype=torch.float64)
    for _ in range(depth):
        wj = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        bj = torch.tensor(-w * float(a.detach()), dtype=torch.float64, requires_grad=True)
        a = torch.sigmoid(wj * a + bj)
        ws.append(wj)
        bs.append(bj)
    loss = 0.5 * (a - y) ** 2
    grads = torch.autograd.grad(loss, ws + bs)
    g = np.array([float(t) for t in grads])
    return ChainGradient(g[:depth], g[depth:], float(loss.detach()))


# -- training comparison -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainingComparison:
    """``accuracy[i, s]``: validation accuracy of config ``names[i]`` after the budget, seed ``seed + s``.

    ``weight_norm[i]`` is that config's median (over the steps of the first
    seed) weight-gradient norm per layer, input side first; ``losses[i]`` the
    first seed's loss per step.
    """

    names: tuple
    accuracy: np.ndarray
    weight_norm: tuple
    losses: tuple
    budget: dict

    def median_accuracy(self, name: str) -> float:
        return float(np.median(self.accuracy[self.names.index(name)]))


def training_comparison(configs: dict, x_train, y_train, x_val, y_val, *, epochs: int, batch_size: int,
                        lr: float, n_seeds: int, seed: int, width: int = 64, dtype=None) -> TrainingComparison:
    """Train every configuration (``name -> build_mlp keyword arguments``) ``n_seeds`` times.

    All runs share the data, the budget (``epochs`` of mini-batch SGD with
    ``batch_size`` and ``lr``) and, for a given seed, the batch order.
    ``dtype`` defaults to ``x_train``'s floating dtype (float32 or float64).
    """
    import torch

    n_seeds = check_int("n_seeds", n_seeds, lo=1, hi=MAX_SEEDS)
    if not configs:
        raise ValueError("configs must name at least one architecture")
    check_int("epochs", epochs, lo=1, hi=MAX_EPOCHS)
    x_train = np.asarray(x_train)
    if dtype is None:
        dtype = torch.float32 if x_train.dtype == np.float32 else torch.float64
    n_in = x_train.shape[1]
    n_out = int(max(np.max(y_train), np.max(y_val))) + 1
    names = tuple(configs)
    acc = np.zeros((len(names), n_seeds))
    norms, losses = [], []
    runs = [(i, s) for i in range(len(names)) for s in range(n_seeds)]
    for i, s in progress(runs, desc="training runs"):
        net = build_mlp(n_in=n_in, width=width, n_out=n_out, seed=seed + s, dtype=dtype, **configs[names[i]])
        trace = train_watched(net, x_train, y_train, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed + s)
        with cpu_single_thread():
            acc[i, s] = accuracy(net, x_val, y_val)
        if s == 0:
            norms.append(np.nanmedian(trace.record.weight_norm, axis=0))
            losses.append(trace.losses)
    budget = dict(n_train=len(x_train), n_val=len(x_val), epochs=epochs, batch_size=batch_size, lr=lr,
                  n_seeds=n_seeds, width=width)
    return TrainingComparison(names, acc, tuple(norms), tuple(losses), budget)
