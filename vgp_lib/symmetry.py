"""Why the weights must start random: hidden units that start equal stay equal.

A network with one hidden layer, ``2 -> n_hidden -> 1``, of sigmoid neurons with the
cross-entropy cost (the network and notation of the MNIST chapter), learns by mini-batch
SGD to tell the points inside a circle from those outside it. It starts either

* ``"equal"``: every weight equal to ``value`` and every bias 0, or
* ``"random"``: Nielsen's start, weights N(0, 1/n_in) and biases N(0, 1), or
* ``"mixed"``: the first ``n_random`` hidden units as in the random start, the others
  with every incoming and outgoing weight equal to ``value`` and bias 0.

With an equal start every hidden unit computes the same z, the same activation and
(because its outgoing weight is the same too) receives the same error
δ^1_j = σ'(z_j) w^2_j δ^2, so the same gradient δ^1_j x^T (equation ``eq-delta-norm``):
after each step the units are still equal, and after any number of steps too. The
network then works like a network with a single hidden unit. The argument compares two
units only: the error δ^2 they share may come from any other units, so in the mixed start
the units that start equal stay equal too, and the layer ends with ``n_random + 1``
different units.

The arithmetic is written so that every hidden unit's numbers are computed by the same
operations in the same order (elementwise products and sums over the batch, no matrix
product whose blocking could differ from row to row), so "equal" means bit for bit equal.
Hidden units are numbered 1..n in the text and 0-based here.

>>> run = train_from("equal", steps=50, seed=0)
>>> run.distinct_units, float(run.spread.max())
(1, 0.0)
>>> train_from("random", steps=50, seed=0).distinct_units
8
>>> train_from("mixed", n_random=2, steps=50, seed=0).distinct_units
3
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import MAX_GRID, MAX_SEED, check_array, check_choice, check_int, check_real
from .rng import make_rng

__all__ = ["STARTS", "SymmetryRun", "train_from"]

#: How the network may start.
STARTS = ("equal", "mixed", "random")


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))  # 1 / (1 + e^-z), without overflow for large |z|


def _forward(w1, b1, w2, b2, x):
    """``(a1, a2)``: hidden activations (m, n) and outputs (m,). One unit's z^1_j is
    x_1 w_j1 + x_2 w_j2 + b_j, the same operations for every j."""
    a1 = _sigmoid((x[:, None, :] * w1[None, :, :]).sum(axis=-1) + b1)
    a2 = _sigmoid((a1 * w2).sum(axis=-1) + b2)
    return a1, a2


def _gradients(w1, b1, w2, b2, x, y):
    """Gradients of the mean cross-entropy over the batch ``x, y`` (backpropagation)."""
    m = len(x)
    a1, a2 = _forward(w1, b1, w2, b2, x)
    delta2 = (a2 - y) / m  # output error of the cross-entropy cost, per example
    delta1 = delta2[:, None] * w2[None, :] * a1 * (1 - a1)  # δ^1_j = σ'(z_j) w^2_j δ^2
    return (
        (delta1[:, :, None] * x[:, None, :]).sum(axis=0),  # ∂C/∂w^1 = Σ_x δ^1 x^T
        delta1.sum(axis=0),
        (delta2[:, None] * a1).sum(axis=0),
        float(delta2.sum()),
    )


def _spread(w1, b1, w2) -> float:
    """Largest difference between any hidden unit's parameters and the first unit's."""
    units = np.column_stack([w1, b1, w2])
    return float(np.abs(units - units[0]).max())


@dataclass(frozen=True)
class SymmetryRun:
    """A trained ``2 -> n -> 1`` network and its history.

    ``x`` (m, 2) and ``y`` (m,) are the data (y = 1 inside the circle); ``w1`` (n, 2),
    ``b1`` (n,), ``w2`` (n,), ``b2`` the final parameters; ``spread[t]`` the largest
    difference between a hidden unit's parameters (w^1_j, b^1_j, w^2_j) and unit 1's
    after t steps.
    """

    start: str
    x: np.ndarray
    y: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: float
    spread: np.ndarray

    @property
    def units(self) -> np.ndarray:
        """One row per hidden unit: (w^1_j1, w^1_j2, b^1_j, w^2_j)."""
        return np.column_stack([self.w1, self.b1, self.w2])

    @property
    def distinct_units(self) -> int:
        """How many hidden units differ from each other in any parameter (bit for bit)."""
        return int(len(np.unique(self.units, axis=0)))

    @property
    def accuracy(self) -> float:
        """Fraction of the points on the right side of the output's 1/2 level."""
        return float(np.mean((self.output(self.x) > 0.5) == (self.y > 0.5)))

    def output(self, points) -> np.ndarray:
        """The network's output a^2 for each row of ``points`` (k, 2)."""
        points = check_array("points", points, ndim=2)
        if points.shape[1] != 2 or len(points) > MAX_GRID:
            raise ValueError(
                f"points must have shape (k, 2) with k <= {MAX_GRID:,}, got {points.shape}"
            )
        return _forward(self.w1, self.b1, self.w2, self.b2, points)[1]


def train_from(
    start: str,
    *,
    n_hidden: int = 8,
    n_points: int = 200,
    steps: int = 2000,
    batch: int = 20,
    eta: float = 2.0,
    value: float = 0.5,
    n_random: int = 2,
    seed: int,
) -> SymmetryRun:
    """Train the ``2 -> n_hidden -> 1`` network from an ``"equal"``, ``"mixed"`` or
    ``"random"`` start.

    The data are ``n_points`` points uniform in the square [-1, 1]², labelled 1 inside the
    circle of area 2 (half the square) and 0 outside. Each of the ``steps`` SGD steps uses
    ``batch`` points drawn without replacement; ``eta`` is the learning rate and ``value``
    the common weight of the units that start equal. ``n_random`` is how many units of the
    mixed start are random (the first ones; at most ``n_hidden``); the other starts ignore
    it. The data, the random start and the batches all come from ``seed``, so every start
    sees the same data and the same batches, and the mixed start's random units are the
    random start's first ``n_random`` units.
    """
    start = check_choice("start", start, STARTS)
    n_hidden = check_int("n_hidden", n_hidden, lo=1, hi=256)
    n_points = check_int("n_points", n_points, lo=2, hi=10_000)
    steps = check_int("steps", steps, lo=0, hi=100_000)
    batch = check_int("batch", batch, lo=1, hi=n_points)
    eta = check_real("eta", eta, lo=0.0, hi=100.0, lo_open=True)
    value = check_real("value", value, lo=-10.0, hi=10.0)
    n_random = check_int("n_random", n_random, lo=0, hi=256)
    if start == "mixed" and n_random > n_hidden:
        raise ValueError(f"n_random must be at most n_hidden = {n_hidden}, got {n_random}")
    seed = check_int("seed", seed, lo=0, hi=MAX_SEED)
    data_rng, init_rng, batch_rng = (np.random.default_rng(s) for s in make_rng(seed).spawn(3))
    x = data_rng.uniform(-1.0, 1.0, (n_points, 2))
    y = (np.sum(x**2, axis=1) < 2 / math.pi).astype(np.float64)
    if start == "equal":
        w1, b1 = np.full((n_hidden, 2), value), np.zeros(n_hidden)
        w2, b2 = np.full(n_hidden, value), 0.0
    else:
        b1 = init_rng.standard_normal(n_hidden)
        w1 = init_rng.standard_normal((n_hidden, 2)) / math.sqrt(2)
        b2 = float(init_rng.standard_normal())
        w2 = init_rng.standard_normal(n_hidden) / math.sqrt(n_hidden)
        if start == "mixed":  # the units after the first n_random start equal
            w1[n_random:], b1[n_random:], w2[n_random:] = value, 0.0, value
    spread = [_spread(w1, b1, w2)]
    for _ in range(steps):
        idx = batch_rng.choice(n_points, batch, replace=False)
        g1, gb1, g2, gb2 = _gradients(w1, b1, w2, b2, x[idx], y[idx])
        w1, b1, w2, b2 = w1 - eta * g1, b1 - eta * gb1, w2 - eta * g2, b2 - eta * gb2
        spread.append(_spread(w1, b1, w2))
    return SymmetryRun(start, x, y, w1, b1, w2, b2, np.array(spread))
