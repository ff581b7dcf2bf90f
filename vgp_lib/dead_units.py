"""Dead ReLU units: counted, checked, and what makes more of them.

A unit j of hidden layer l is *dead* on a data set when its derivative is
exactly 0 on every example: f'(z_j(x)) = 0 for all x. For the ReLU that means
z_j(x) <= 0 for every x (PyTorch's ReLU has derivative 0 at z = 0 too). Its error
delta_j = f'(z_j) (W^T delta)_j is then 0 on every example, so both

.. math::

    \\frac{\\partial C}{\\partial W_{j\\cdot}} = \\sum_x \\delta_j(x)\\, a(x)^{\\mathsf T}
    \\quad\\text{and}\\quad
    \\frac{\\partial C}{\\partial b_j} = \\sum_x \\delta_j(x)

are exactly 0 (equation ``eq-delta-norm``): gradient descent never moves the
unit's weights again :cite:p:`lu2020dying`. Leaky ReLU and ELU have no such
units: their derivative is never 0 :cite:p:`maas2013,clevert2016`.

* :func:`dead_mask` and :func:`dead_counts` find the dead units;
* :func:`expected_dead_fraction` is the closed form for a first layer fed
  Gaussian inputs;
* :func:`shift_sweep` and :func:`step_sweep` count them in deep networks as the
  biases are shifted down, or after one gradient step of growing size.

Layers are 1..L in the text and 0-based in code.

>>> dead_mask([[-1.0, 2.0], [-0.5, -3.0]]).tolist()
[True, False]
>>> round(expected_dead_fraction(0.0, n_examples=3), 6)  # each example: z <= 0 half the time
0.125
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from . import activations
from ._validate import (
    MAX_SEED,
    check_array,
    check_choice,
    check_instance,
    check_int,
    check_real,
    check_reals,
    checked,
)
from .models import MLP, MODEL_ACTIVATIONS, build_mlp
from .rng import torch_generator
from .threads import on_one_thread

__all__ = [
    "dead_mask",
    "dead_counts",
    "expected_dead_fraction",
    "examples_until_rare",
    "DeadSweep",
    "shift_sweep",
    "step_sweep",
]

MAX_VALUES = 50  # points of a sweep
MAX_EXAMPLES = 10_000
MAX_SWEEP_WIDTH = 1024
MAX_SWEEP_DEPTH = 50
#: The arguments every sweep shares, and their ranges.
_SWEEP_RULES = dict(
    activation=partial(check_choice, choices=MODEL_ACTIVATIONS),
    depth=partial(check_int, lo=1, hi=MAX_SWEEP_DEPTH),
    width=partial(check_int, lo=1, hi=MAX_SWEEP_WIDTH),
    n_examples=partial(check_int, lo=1, hi=MAX_EXAMPLES),
    seed=partial(check_int, lo=0, hi=MAX_SEED),
)
_MASK_RULES = dict(z=partial(check_array, ndim=2), activation=_SWEEP_RULES["activation"])


@checked(**_MASK_RULES)
def dead_mask(z, activation: str = "relu") -> np.ndarray:
    """For each unit (column of ``z``, one row per example): is f'(z) exactly 0 on every row?

    >>> dead_mask([[-1.0, 2.0], [-0.5, -3.0]], "leaky_relu").tolist()
    [False, False]
    """
    f_prime = activations.get(activation)[1]
    return np.all(f_prime(z) == 0.0, axis=0)


def _layer_inputs(net, x):
    """The weighted inputs z of every hidden layer of ``net`` on the batch ``x`` (tensors)."""
    zs, a = [], x
    for block in net.blocks:
        z = block.norm(block.linear(a))
        out = block.act(z)
        a = a + out if block.residual else out
        zs.append(z)
    return zs


def dead_counts(net, x) -> np.ndarray:
    """The number of dead units in each hidden layer of ``net`` on the batch ``x``.

    ``net`` is an :class:`vgp_lib.models.MLP` (from :func:`vgp_lib.models.build_mlp`);
    ``x`` holds one example per row.

    >>> net = build_mlp(n_in=3, width=4, n_out=2, depth=2, activation="relu", init="he", seed=0)
    >>> dead_counts(net, np.zeros((5, 3))).tolist()  # z = b = 0 for every example: all dead
    [4, 4]
    """
    import torch

    check_instance("net", net, MLP)
    x = check_array("x", x, ndim=2)
    n_in = net.config["n_in"]
    if x.shape[0] == 0 or x.shape[1] != n_in:
        raise ValueError(f"x must have shape (n >= 1, {n_in}), got {x.shape}")
    if x.shape[0] > MAX_EXAMPLES:
        raise ValueError(f"x must hold at most {MAX_EXAMPLES} examples, got {x.shape[0]}")
    dtype = net.head.weight.dtype
    with torch.no_grad():
        zs = _layer_inputs(net, torch.as_tensor(x, dtype=dtype))
    act = net.config["activation"]
    return np.array([int(dead_mask(z.double().numpy(), act).sum()) for z in zs])


def expected_dead_fraction(shift: float, *, n_examples: int, weight_norm: float = 1.0) -> float:
    """Expected share of dead ReLU units in a layer fed x ~ N(0, I), with every bias at -shift.

    A unit's weighted input is z = w.x - shift ~ N(-shift, ||w||^2) on each example,
    independently, so it is at most 0 with probability Phi(shift / ||w||), and on
    all ``n_examples`` examples with that probability to the power ``n_examples``.

    >>> round(expected_dead_fraction(1.0, n_examples=1), 4)
    0.8413
    """
    shift = check_real("shift", shift, lo=-100.0, hi=100.0)
    n_examples = check_int("n_examples", n_examples, lo=1, hi=10**9)
    weight_norm = check_real("weight_norm", weight_norm, lo=0.0, lo_open=True, hi=1e6)
    below = 0.5 * math.erfc(-shift / (weight_norm * math.sqrt(2.0)))  # Phi(shift / ||w||)
    return below**n_examples


def examples_until_rare(shift: float, *, rare: float, weight_norm: float = 1.0) -> int:
    """The fewest examples ``n`` on which :func:`expected_dead_fraction` falls below ``rare``:
    the smallest n with :math:`\\Phi(\\beta/\\lVert w\\rVert)^n <` ``rare``, β = ``shift``.

    >>> examples_until_rare(1.0, rare=0.01)  # 0.8413 ** 26 = 0.011, ** 27 = 0.0094
    27
    """
    rare = check_real("rare", rare, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    for n in range(1, MAX_EXAMPLES + 1):
        if expected_dead_fraction(shift, n_examples=n, weight_norm=weight_norm) < rare:
            return n
    raise ValueError(
        f"shift and weight_norm must let the dead share fall below rare={rare:g} within "
        f"{MAX_EXAMPLES:,} examples, got shift={shift!r}, weight_norm={weight_norm!r}"
    )


@dataclass(frozen=True)
class DeadSweep:
    """Dead units of deep networks as one knob (``kind``) takes the values ``values``.

    ``fraction[i, l]``: the share of dead units in hidden layer l+1 at ``values[i]``;
    ``dead_grad[i]``: the largest |entry| of the cost's gradient with respect to any
    dead unit's weights or bias at ``values[i]`` (0 when no unit is dead).
    """

    activation: str
    kind: str
    values: np.ndarray
    fraction: np.ndarray
    dead_grad: np.ndarray
    width: int
    n_examples: int

    @property
    def mean_fraction(self) -> np.ndarray:
        """The share of dead units over all hidden layers, per value."""
        return self.fraction.mean(axis=1)

    def any_dead(self) -> bool:
        """Whether any unit of any layer was dead at any value of the knob."""
        return bool(self.fraction.sum() > 0)

    def first_all_dead(self, layer: int = -1):
        """The first value of the knob at which every unit of hidden layer ``layer`` (the
        code's 0-based index; the last by default) is dead, or None.
        """
        return next((v for v, f in zip(self.values, self.fraction) if f[layer] == 1.0), None)

    def never_falls(self) -> bool:
        """Whether the share of dead units (over all layers) never falls as the knob grows.

        >>> sweep = DeadSweep("relu", "step", np.array([0.1, 1.0, 10.0]),
        ...                   np.array([[0.0, 0.0], [0.0, 0.5], [1.0, 1.0]]), np.zeros(3), 4, 8)
        >>> sweep.any_dead(), float(sweep.first_all_dead()), sweep.never_falls()
        (True, 10.0, True)
        """
        return bool(np.all(np.diff(self.mean_fraction) >= 0))


def _task(n_examples, n_in, n_classes, seed):
    """A batch x ~ N(0, 1) and labels from a random linear teacher (argmax of x T)."""
    import torch

    g = torch_generator(seed + 1)
    x = torch.randn(n_examples, n_in, generator=g, dtype=torch.float64)
    teacher = torch.randn(n_in, n_classes, generator=g, dtype=torch.float64)
    return x, (x @ teacher).argmax(dim=1)


def _count_and_gradient(net, x, y):
    """Dead units per layer, and the largest |gradient| of a dead unit's weights or bias."""
    import torch

    act = net.config["activation"]
    net.zero_grad()
    with torch.no_grad():
        zs = _layer_inputs(net, x)
    torch.nn.functional.cross_entropy(net(x), y).backward()
    counts, worst = [], 0.0
    for block, z in zip(net.blocks, zs):
        mask = torch.as_tensor(dead_mask(z.detach().double().numpy(), act))
        counts.append(int(mask.sum()))
        if mask.any():
            g_w = block.linear.weight.grad[mask].abs().max()
            g_b = block.linear.bias.grad[mask].abs().max()
            worst = max(worst, float(g_w), float(g_b))
    return np.array(counts), worst


@on_one_thread(flush_denormal=True)
@checked(shifts=partial(check_reals, lo=-100.0, hi=100.0, max_len=MAX_VALUES), **_SWEEP_RULES)
def shift_sweep(
    shifts,
    *,
    activation: str = "relu",
    depth: int = 10,
    width: int = 64,
    n_examples: int = 256,
    seed: int,
) -> DeadSweep:
    """Dead units per layer when every hidden bias is set to -shift, for each shift.

    One network (He's initialisation, ``seed``) and one batch of ``n_examples``
    inputs x ~ N(0, 1) serve every shift; only the biases change.

    >>> s = shift_sweep([0.0, 10.0], depth=2, width=8, n_examples=16, seed=0)
    >>> s.fraction[1].tolist()  # a shift far beyond the spread of z kills every unit
    [1.0, 1.0]
    """
    import torch

    net = build_mlp(
        n_in=width, width=width, n_out=10, depth=depth, activation=activation, init="he", seed=seed
    )
    x, y = _task(n_examples, width, 10, seed)
    fraction, grads = [], []
    for shift in shifts:
        with torch.no_grad():
            for block in net.blocks:
                block.linear.bias.fill_(-shift)
        counts, worst = _count_and_gradient(net, x, y)
        fraction.append(counts / width)
        grads.append(worst)
    return DeadSweep(
        activation, "bias shift", shifts, np.array(fraction), np.array(grads), width, n_examples
    )


@on_one_thread(flush_denormal=True)
@checked(
    steps=partial(check_reals, lo=0.0, hi=100.0, lo_open=True, max_len=MAX_VALUES), **_SWEEP_RULES
)
def step_sweep(
    steps,
    *,
    activation: str = "relu",
    depth: int = 6,
    width: int = 64,
    n_examples: int = 256,
    seed: int,
) -> DeadSweep:
    """Dead units per layer after one gradient-descent step of each size ``eta`` in ``steps``.

    Every step starts from the same network (He's initialisation, biases 0,
    ``seed``) and uses the gradient of the mean cross-entropy on the whole batch
    (inputs x ~ N(0, 1), labels of a random linear teacher). Units are counted,
    and the dead units' gradient measured, on the same batch after the step.

    >>> s = step_sweep([0.01, 30.0], depth=3, width=16, n_examples=64, seed=0)
    >>> bool(s.mean_fraction[1] > s.mean_fraction[0])
    True
    """
    import torch

    x, y = _task(n_examples, width, 10, seed)
    fraction, grads = [], []
    for eta in steps:
        net = build_mlp(
            n_in=width,
            width=width,
            n_out=10,
            depth=depth,
            activation=activation,
            init="he",
            seed=seed,
        )
        torch.nn.functional.cross_entropy(net(x), y).backward()
        with torch.no_grad():
            for p in net.parameters():
                p -= eta * p.grad
        counts, worst = _count_and_gradient(net, x, y)
        fraction.append(counts / width)
        grads.append(worst)
    return DeadSweep(
        activation, "step size", steps, np.array(fraction), np.array(grads), width, n_examples
    )
