"""How the weights' variance sets the size of the signal and of the error, layer by layer.

The chapter *Initialisation* derives (equation ``eq-init-variance``) that, with ``n_in``
inputs and ``n_out`` outputs per layer and weights of variance Var(W),

    Var(z^{l+1}) ≈ n_in  Var(W) E[f(z^l)^2],
    Var(δ^l)     ≈ n_out Var(W) E[f'(z^l)^2] Var(δ^{l+1}).

This module holds the three pieces of that argument that a chapter computes or measures:

* :func:`weight_variance`: Var(W) of each initialisation of :func:`vgp_lib.models.build_mlp`,
  in closed form (PyTorch's default U(-1/√n_in, 1/√n_in) has variance 1/(3 n_in));
* :func:`activation_gains`: the two expectations E[f(z)^2]/Var(z) and E[f'(z)^2] for
  z ~ N(0, q), by Gauss–Hermite quadrature (the ReLU gives exactly 1/2 and 1/2);
* :func:`per_layer_factor`: one deep MLP at initialisation, its error norms ‖δ^l‖ and the
  rms of f'(z^l) in every layer, so the measured per-layer factor ‖δ^l‖/‖δ^{l+1}‖ can be
  set beside the predicted one, √(n_out Var(W)) · rms f'.

Layers are 1..L in the text and 0-based in the arrays.

>>> round(weight_variance("pytorch", 64, 64) * 64, 6)
0.333333
>>> [round(g, 12) for g in activation_gains("relu", 1.0)]
[0.5, 0.5]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import activations
from ._validate import MAX_SEED, MAX_WIDTH, check_choice, check_int, check_real
from .models import MODEL_ACTIVATIONS, MODEL_INITS, build_mlp
from .profiles import random_batch
from .threads import on_one_thread

__all__ = [
    "weight_variance",
    "activation_gains",
    "FactorMeasurement",
    "per_layer_factor",
]

#: Activations :func:`activation_gains` knows (those of :mod:`vgp_lib.activations` the
#: networks use).
GAIN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
#: Quadrature nodes; an even number puts no node on the ReLU's kink at 0, so its two
#: expectations come out as exactly one half.
_NODES = 200
#: Layers left out at each end of the net when the per-layer factor is averaged: the first
#: layers see the unit-variance input, the last ones the 10-unit output layer.
EDGE_LAYERS = 2


def weight_variance(init: str, n_in: int, n_out: int) -> float:
    """Var(W) of one weight of an ``n_in -> n_out`` layer under ``init`` (eq. ``eq-init-variance``).

    ``"pytorch"``: U(-a, a) with a = 1/√n_in has variance a²/3 = 1/(3 n_in);
    ``"nielsen"`` (LeCun's 1/n_in); ``"xavier"``: 2/(n_in + n_out); ``"he"``: 2/n_in;
    ``"small"``: 0.01²; ``"orthogonal"``: rows (or columns) of unit length, 1/max(n_in, n_out).

    >>> weight_variance("xavier", 100, 300)
    0.005
    """
    init = check_choice("init", init, MODEL_INITS)
    n_in = check_int("n_in", n_in, lo=1, hi=MAX_WIDTH)
    n_out = check_int("n_out", n_out, lo=1, hi=MAX_WIDTH)
    return {
        "pytorch": 1.0 / (3.0 * n_in),
        "nielsen": 1.0 / n_in,
        "xavier": 2.0 / (n_in + n_out),
        "he": 2.0 / n_in,
        "small": 1e-4,
        "orthogonal": 1.0 / max(n_in, n_out),
    }[init]


def activation_gains(activation: str, q: float) -> tuple[float, float]:
    """``(E[f(z)²] / q, E[f'(z)²])`` for z ~ N(0, q): the two factors of eq. ``eq-init-variance``.

    The first is how much of the variance q the activation passes up, the second how much
    of the error's variance it passes down. Near z = 0 tanh passes all of both; the ReLU
    zeroes half of its inputs and passes exactly half of each.

    >>> [round(g, 3) for g in activation_gains("tanh", 1e-4)]
    [1.0, 1.0]
    >>> round(activation_gains("sigmoid", 0.09)[1] ** 0.5, 3)  # rms sigma' near its peak 1/4
    0.245
    """
    activation = check_choice("activation", activation, GAIN_ACTIVATIONS)
    q = check_real("q", q, lo=0.0, hi=1e6, lo_open=True)
    z, w = np.polynomial.hermite_e.hermegauss(_NODES)
    w = w / math.sqrt(2 * math.pi)  # weights of the standard normal
    f, f_prime = activations.get(activation)
    u = math.sqrt(q) * z
    forward = float(np.sum(w * f(u) ** 2) / q)
    backward = float(np.sum(w * f_prime(u) ** 2))
    return forward, backward


@dataclass(frozen=True)
class FactorMeasurement:
    """One deep MLP at initialisation: ``delta_norm[l]`` = ‖δ^{l+1}‖ over the batch (hidden
    layers, then the output layer), ``rms_prime[l]`` = rms of f'(z^{l+1}) over the batch and
    the units of hidden layer l + 1, and ``n_var`` = n_out Var(W) of the hidden-to-hidden
    weights.
    """

    activation: str
    init: str
    n_var: float
    delta_norm: np.ndarray
    rms_prime: np.ndarray

    @property
    def middle(self) -> slice:
        """The hidden layers l whose ratio ‖δ^l‖/‖δ^{l+1}‖ is averaged: all but the
        :data:`EDGE_LAYERS` at each end (every layer, in a net too shallow for that)."""
        n_ratios = len(self.rms_prime) - 1  # hidden l to hidden l + 1
        if n_ratios > 2 * EDGE_LAYERS:
            return slice(EDGE_LAYERS, n_ratios - EDGE_LAYERS)
        return slice(0, n_ratios)

    @property
    def ratios(self) -> np.ndarray:
        """‖δ^l‖ / ‖δ^{l+1}‖ for hidden layers l = 1..L-1 (the output layer left out)."""
        hidden = self.delta_norm[:-1]
        return hidden[:-1] / hidden[1:]

    @property
    def measured(self) -> float:
        """Geometric mean of the measured ratios over the middle layers."""
        return float(np.exp(np.mean(np.log(self.ratios[self.middle]))))

    @property
    def predicted(self) -> float:
        """Geometric mean of √(n_out Var(W)) · rms f'(z^l) over the same layers."""
        factors = math.sqrt(self.n_var) * self.rms_prime[:-1]  # f' of the lower layer l
        return float(np.exp(np.mean(np.log(factors[self.middle]))))


@on_one_thread(flush_denormal=True)
def per_layer_factor(
    *,
    depth: int = 20,
    activation: str = "sigmoid",
    init: str = "pytorch",
    width: int = 64,
    n_in: int = 64,
    n_classes: int = 10,
    batch: int = 64,
    seed: int,
) -> FactorMeasurement:
    """‖δ^l‖ and rms f'(z^l) of every layer of a plain MLP at initialisation (eq.
    ``eq-init-variance``).

    The network, the batch (x ~ N(0, 1), random labels) and the cost (mean cross-entropy)
    are those of :func:`vgp_lib.profiles.gradient_profile` with the same arguments and
    seed, so ``delta_norm`` equals that profile's ``delta_norm``; here the weighted inputs
    z^l are kept as well, to measure f'(z^l).

    >>> m = per_layer_factor(depth=20, seed=0)
    >>> round(m.predicted, 2), round(m.measured, 2)
    (0.14, 0.14)
    """
    import torch

    depth = check_int("depth", depth, lo=2, hi=200)
    activation = check_choice("activation", activation, MODEL_ACTIVATIONS)
    init = check_choice("init", init, MODEL_INITS)
    width = check_int("width", width, lo=1, hi=1024)
    n_in = check_int("n_in", n_in, lo=1, hi=1024)
    n_classes = check_int("n_classes", n_classes, lo=1, hi=1024)
    batch = check_int("batch", batch, lo=1, hi=4096)
    seed = check_int("seed", seed, lo=0, hi=MAX_SEED)
    net = build_mlp(
        n_in=n_in,
        width=width,
        n_out=n_classes,
        depth=depth,
        activation=activation,
        init=init,
        seed=seed,
    )
    x, y = random_batch(batch, n_in, n_classes, seed=seed)  # the batch of gradient_profile
    a, zs = x, []
    for block in net.blocks:
        z = block.linear(a)
        z.retain_grad()
        zs.append(z)
        a = block.act(z)
    out = net.head(a)
    out.retain_grad()
    torch.nn.functional.cross_entropy(out, y).backward()
    f_prime = activations.get(activation)[1]
    delta_norm = np.array([float(z.grad.norm()) for z in zs] + [float(out.grad.norm())])
    rms_prime = np.array([math.sqrt(float(np.mean(f_prime(z.detach().numpy()) ** 2))) for z in zs])
    n_var = width * weight_variance(init, width, width)
    return FactorMeasurement(activation, init, n_var, delta_norm, rms_prime)
