"""Normalisation layer by layer: what batch and layer norm do to the signal and to the error.

A hidden layer of :func:`vgp_lib.models.build_mlp` with a normalisation computes

    y = W a + b,   z = N(y),   a' = f(z),

where ``N`` is the identity, batch norm (each unit standardised over the batch
:cite:p:`ioffe2015`) or layer norm (each example standardised over the units
:cite:p:`ba2016`). The error ``delta = dC/dy`` then crosses one layer as

    delta^l = N'(y^l)^T [ f'(z^l) * (W^{l+1})^T delta^{l+1} ],

so its size changes per layer by about the product of three factors
(equation ``eq-norm-factor`` of the chapter *Normalisation*):

* ``norm_scale``, the ``1/sigma`` the normalisation divides by (1 without one);
* ``rms_prime``, the root-mean-square of ``f'(z)``;
* ``weight_scale``, ``sqrt(n Var W^{l+1})`` of the weights above.

:func:`layer_statistics` measures every factor and the ratio they predict,
:func:`batch_norm_backward` is batch norm's backward pass written out
(equation ``eq-bn-jacobian``), and :func:`train_eval_gap` compares a batch-norm
network's output in training mode (batch statistics) with its output in
evaluation mode (running averages).

Layers are numbered 1..L in the text and 0-based in code: index 0 is hidden layer 1.

>>> s = layer_statistics(depth=3, norm="batch", width=8, batch=16, seed=0)
>>> s.spread_z.round(2)
array([1., 1., 1.])
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from ._validate import (
    MAX_SEED,
    check_array,
    check_choice,
    check_int,
    check_real,
    check_sequence,
    checked,
)
from .models import MODEL_ACTIVATIONS, MODEL_INITS, NORMS, build_mlp
from .profiles import random_batch
from .rng import torch_generator
from .threads import on_one_thread

__all__ = [
    "LayerStatistics",
    "layer_statistics",
    "batch_norm_backward",
    "TrainEvalGap",
    "train_eval_gap",
]

#: Batch norm's and layer norm's epsilon in PyTorch: sigma = sqrt(variance + EPS).
EPS = 1e-5
#: Largest depth, width and batch the functions accept (each call stays well under a second).
MAX_DEPTH = 200
MAX_WIDTH = 1024
MAX_BATCH = 4096
MAX_STEPS = 2_000


# -- the per-layer factors -------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerStatistics:
    """Per-layer numbers of one network on one batch (index 0 = hidden layer 1).

    ``spread_y`` and ``spread_z`` are the batch spreads of ``y = W a + b`` and of
    ``z = N(y)``: the standard deviation over the batch of each unit, averaged
    over the units. ``mean_abs_z`` is the mean of ``|z|``, ``rms_prime`` the RMS
    of ``f'(z)``. ``norm_scale`` is the RMS of the ``1/sigma`` the normalisation
    divides by (per unit for batch norm, per example for layer norm; 1 without
    one). ``weight_scale[l]`` is ``sqrt(n Var W)`` of the weights *above* layer
    l (the output layer's for the last). ``delta_norm`` holds ``||dC/dy||`` of
    every hidden layer and, last, of the output layer.
    """

    config: dict
    spread_y: np.ndarray
    spread_z: np.ndarray
    mean_abs_z: np.ndarray
    rms_prime: np.ndarray
    norm_scale: np.ndarray
    weight_scale: np.ndarray
    delta_norm: np.ndarray

    @property
    def predicted_factor(self) -> np.ndarray:
        """``norm_scale * rms_prime * weight_scale``: the predicted ``||delta^l|| /
        ||delta^{l+1}||``.
        """
        return self.norm_scale * self.rms_prime * self.weight_scale

    @property
    def measured_factor(self) -> np.ndarray:
        """``||delta^l|| / ||delta^{l+1}||`` for every hidden layer l."""
        return self.delta_norm[:-1] / self.delta_norm[1:]


#: Checks of the network arguments :func:`layer_statistics` and :func:`train_eval_gap` share.
_NET_RULES = dict(
    depth=partial(check_int, lo=1, hi=MAX_DEPTH),
    activation=partial(check_choice, choices=MODEL_ACTIVATIONS),
    width=partial(check_int, lo=1, hi=MAX_WIDTH),
    batch=partial(check_int, lo=2, hi=MAX_BATCH),  # batch norm needs two examples
    seed=partial(check_int, lo=0, hi=MAX_SEED),
)


@on_one_thread(flush_denormal=True)
@checked(
    **_NET_RULES,
    norm=partial(check_choice, choices=NORMS),
    init=partial(check_choice, choices=MODEL_INITS),
    gain=partial(check_real, lo=0.0, hi=100.0, lo_open=True),
    n_classes=partial(check_int, lo=2, hi=MAX_WIDTH),
)
def layer_statistics(
    *,
    depth: int = 20,
    norm: str = "none",
    activation: str = "sigmoid",
    init: str = "pytorch",
    gain: float = 1.0,
    width: int = 64,
    batch: int = 64,
    n_classes: int = 10,
    seed: int,
) -> LayerStatistics:
    """Measure each factor of equation ``eq-norm-factor`` in every layer, and the ratio it predicts.

    The network is ``build_mlp(n_in=width, width=width, n_out=n_classes, ...)``
    in training mode (batch norm uses the batch's statistics), the batch is
    N(0, 1) with random labels, and the cost is the mean cross-entropy — the
    same network and batch as :func:`vgp_lib.profiles.gradient_profile` with
    the same seed.

    >>> s = layer_statistics(depth=4, norm="none", width=32, batch=32, seed=0)
    >>> bool(np.all(s.rms_prime > 0.2))  # no sigmoid unit near saturation
    True
    """
    import torch

    net = build_mlp(
        n_in=width,
        width=width,
        n_out=n_classes,
        depth=depth,
        activation=activation,
        init=init,
        norm=norm,
        gain=gain,
        seed=seed,
    )
    x, labels = random_batch(batch, width, n_classes, seed=seed)
    ys, zs = [], []
    a = x
    for block in net.blocks:
        y = block.linear(a)
        y.retain_grad()
        z = block.norm(y)
        ys.append(y)
        zs.append(z)
        a = block.act(z)
    out = net.head(a)
    out.retain_grad()
    torch.nn.functional.cross_entropy(out, labels).backward()

    def spread(t):  # std over the batch of each unit, averaged over the units
        return float(t.detach().std(dim=0, unbiased=False).mean())

    rows = []
    weights = [b.linear.weight for b in net.blocks[1:]] + [net.head.weight]
    for block, y, z, w_above in zip(net.blocks, ys, zs, weights):
        zz = z.detach().clone().requires_grad_(True)
        (prime,) = torch.autograd.grad(block.act(zz).sum(), zz)
        y = y.detach()
        if norm == "batch":
            scale = _rms(1 / torch.sqrt(y.var(dim=0, unbiased=False) + EPS))
        elif norm == "layer":
            scale = _rms(1 / torch.sqrt(y.var(dim=1, unbiased=False) + EPS))
        else:
            scale = 1.0
        n = w_above.shape[1]
        rows.append(
            (
                spread(y),
                spread(z),
                float(z.detach().abs().mean()),
                _rms(prime),
                scale,
                math.sqrt(n * float(w_above.detach().var(unbiased=False))),
            )
        )
    cols = np.array(rows).T
    delta = [float(y.grad.norm()) for y in ys] + [float(out.grad.norm())]
    return LayerStatistics(dict(net.config), *cols, np.array(delta))


def _rms(t) -> float:
    return float(t.detach().pow(2).mean().sqrt())


# -- batch norm's backward pass --------------------------------------------------------------------
def batch_norm_backward(y, grad_out, *, eps: float = EPS) -> np.ndarray:
    """``dC/dy`` from ``dC/dz`` through ``z = (y - mean) / sigma_B`` (equation ``eq-bn-jacobian``).

    ``y`` and ``grad_out`` are ``(m, units)`` arrays (m examples); the mean and
    ``sigma_B = sqrt(variance + eps)`` are taken over the batch, unit by unit. For each unit,

        dC/dy = (1/sigma_B) (I - 1 1^T/m - z z^T/m) dC/dz,

    a projection that removes the components along ``1`` and along ``z`` (with
    ``eps = 0``), followed by a division by ``sigma_B``. Batch norm's scale and
    shift (gamma = 1, beta = 0 at initialisation) are left out.

    >>> y = np.array([[1.0], [2.0], [3.0], [6.0]])
    >>> g = np.array([[1.0], [-2.0], [1.0], [0.0]])  # orthogonal to 1 and to z
    >>> bool(np.allclose(batch_norm_backward(y, g, eps=0.0), g / y.std()))
    True
    """
    y = check_array("y", y, ndim=2)
    g = check_array("grad_out", grad_out, ndim=2)
    if y.shape != g.shape:
        raise ValueError(f"grad_out must have the shape of y, {y.shape}, got {g.shape}")
    m = y.shape[0]
    if not 2 <= m <= MAX_BATCH or y.shape[1] > MAX_WIDTH:
        raise ValueError(
            f"y must have 2 to {MAX_BATCH} rows (examples) and at most {MAX_WIDTH} columns, "
            f"got shape {y.shape}"
        )
    eps = check_real("eps", eps, lo=0.0, hi=1.0)
    sigma = np.sqrt(y.var(axis=0) + eps)
    if np.any(sigma == 0):
        raise ValueError("y must vary over the batch in every unit when eps = 0 (sigma_B = 0)")
    z = (y - y.mean(axis=0)) / sigma
    return (g - g.mean(axis=0) - z * (z * g).mean(axis=0)) / sigma


# -- training mode against evaluation mode ---------------------------------------------------------
@dataclass(frozen=True)
class TrainEvalGap:
    """A batch-norm network's outputs in training and in evaluation mode, after ``steps[k]``
    forward passes in training mode (no weight update) have filled the running averages.

    ``gap[k]`` is ``||out_eval - out_train|| / ||out_train||`` on one fixed test
    batch; ``eval_spread[k]`` and ``train_spread`` are the batch spread of the last
    hidden layer's ``z`` in each mode. ``batch_dependence`` is how much the
    training-mode output for the first half of the test batch changes,
    ``||out' - out|| / ||out||``, when the other half is replaced by other examples.
    """

    steps: np.ndarray
    gap: np.ndarray
    eval_spread: np.ndarray
    train_spread: float
    batch_dependence: float


@on_one_thread(flush_denormal=True)
@checked(**_NET_RULES)
def train_eval_gap(
    *,
    steps=(0, 10, 30, 100, 300),
    depth: int = 20,
    activation: str = "sigmoid",
    width: int = 64,
    batch: int = 64,
    seed: int,
) -> TrainEvalGap:
    """Compare batch statistics (training mode) with running averages (evaluation mode).

    A fresh ``BatchNorm1d`` has running mean 0 and running variance 1, so in
    evaluation mode it changes almost nothing: the network behaves as if it had
    no normalisation. Each forward pass in training mode moves the running
    averages 10 % of the way to the batch's statistics (PyTorch's momentum 0.1).

    >>> r = train_eval_gap(steps=(0, 50), depth=3, width=8, batch=16, seed=0)
    >>> bool(r.gap[1] < r.gap[0])
    True
    """
    import torch

    steps = tuple(
        check_int("steps", s, lo=0, hi=MAX_STEPS)
        for s in check_sequence("steps", steps, what="step counts")
    )
    if list(steps) != sorted(set(steps)):
        raise ValueError(f"steps must be increasing, got {steps}")
    net = build_mlp(
        n_in=width,
        width=width,
        n_out=10,
        depth=depth,
        activation=activation,
        norm="batch",
        seed=seed,
    )
    g = torch_generator(seed + 1)
    test = torch.randn(batch, width, generator=g, dtype=torch.float64)

    def last_z_spread(model, x):
        for block in model.blocks:
            z = block.norm(block.linear(x))
            x = block.act(z)
        return float(z.std(dim=0, unbiased=False).mean()), model.head(x)

    with torch.no_grad():
        train_spread, out_train = last_z_spread(copy.deepcopy(net).train(), test)
        h = batch // 2
        mixed = torch.cat([test[:h], torch.randn(batch - h, width, generator=g, dtype=test.dtype)])
        _, out_mixed = last_z_spread(copy.deepcopy(net).train(), mixed)
        dependence = float((out_mixed[:h] - out_train[:h]).norm() / out_train[:h].norm())
        gaps, spreads, done = [], [], 0
        for s in steps:
            net.train()
            for _ in range(s - done):
                net(torch.randn(batch, width, generator=g, dtype=torch.float64))
            done = s
            spread, out_eval = last_z_spread(net.eval(), test)
            gaps.append(float((out_eval - out_train).norm() / out_train.norm()))
            spreads.append(spread)
    return TrainEvalGap(
        np.array(steps, dtype=float), np.array(gaps), np.array(spreads), train_spread, dependence
    )
