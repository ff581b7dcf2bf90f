"""Symmetry breaking, as the chapter *Initialisation* states it:

* hidden units that start equal get equal gradients (the rows of ∂C/∂W^1 are equal, bit for
  bit), so they stay equal through any number of SGD steps, for any width and common value;
* the network they make computes what a network with one hidden unit computes;
* the argument needs only the two units compared to be equal: in a mixed start (a few random
  units, the rest equal) the equal units stay equal too, and the layer ends with one unit more
  than it has random units, computing what that smaller network computes;
* a random start gives units that all differ, and fits the circle far better;
* the backpropagation behind it agrees with autograd in float64.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vgp_lib import symmetry
from vgp_lib.symmetry import _forward, _gradients


def _equal_params(n, value):
    return np.full((n, 2), value), np.zeros(n), np.full(n, value), 0.0


@pytest.mark.parametrize("n, value", [(3, 0.5), (8, -1.3), (17, 0.0), (64, 2.0)])
def test_equal_units_get_equal_gradients_exactly(n, value):
    rng = np.random.default_rng(n)
    x = rng.uniform(-1, 1, (25, 2))
    y = (rng.uniform(size=25) > 0.5).astype(float)
    g1, gb1, g2, _ = _gradients(*_equal_params(n, value), x, y)
    assert np.array_equal(g1, np.broadcast_to(g1[0], g1.shape))
    assert np.all(gb1 == gb1[0]) and np.all(g2 == g2[0])


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("n_hidden, value", [(8, 0.5), (5, -0.7), (32, 1.5)])
def test_units_that_start_equal_stay_equal_at_every_step(seed, n_hidden, value):
    run = symmetry.train_from("equal", n_hidden=n_hidden, value=value, steps=300, seed=seed)
    assert run.spread.shape == (301,)
    assert np.all(run.spread == 0.0)
    assert run.distinct_units == 1
    assert np.linalg.matrix_rank(run.w1) <= 1
    assert not np.allclose(run.w1, value)  # they did learn, all in the same way


def test_an_equal_network_computes_what_one_unit_computes():
    run = symmetry.train_from("equal", steps=500, seed=0)
    points = np.random.default_rng(5).uniform(-1, 1, (1000, 2))
    w1, b1 = run.w1[:1], run.b1[:1]
    w2 = np.array([run.w2.sum()])  # one unit carrying the weight of all of them
    one = _forward(w1, b1, w2, run.b2, points)[1]
    np.testing.assert_allclose(run.output(points), one, rtol=1e-12)


def _tied_spread(run, n_random):
    """Largest difference between the units after the first ``n_random`` (those that
    started equal)."""
    tied = run.units[n_random:]
    return float(np.abs(tied - tied[0]).max())


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("n_hidden, n_random, value", [(8, 2, 0.5), (6, 1, -0.7), (12, 5, 1.5)])
def test_in_a_mixed_start_the_equal_units_stay_equal_and_the_random_ones_differ(
    seed, n_hidden, n_random, value
):
    for steps in (0, 1, 7, 300):
        run = symmetry.train_from(
            "mixed", n_hidden=n_hidden, n_random=n_random, value=value, steps=steps, seed=seed
        )
        assert _tied_spread(run, n_random) == 0.0
        assert run.distinct_units == n_random + 1
    assert not np.allclose(run.w1[n_random:], value)  # the equal units did learn
    assert len({tuple(r) for r in run.units[:n_random].tolist()}) == n_random


def test_the_mixed_start_takes_its_random_units_from_the_random_start():
    mixed = symmetry.train_from("mixed", n_random=3, value=0.25, steps=0, seed=2)
    random = symmetry.train_from("random", steps=0, seed=2)
    np.testing.assert_array_equal(mixed.units[:3], random.units[:3])
    np.testing.assert_array_equal(mixed.units[3:], np.tile([0.25, 0.25, 0.0, 0.25], (5, 1)))
    assert mixed.b2 == random.b2


def test_a_mixed_network_computes_what_its_different_units_compute():
    k = 2
    run = symmetry.train_from("mixed", n_random=k, steps=500, seed=0)
    points = np.random.default_rng(6).uniform(-1, 1, (1000, 2))
    w1, b1 = run.w1[: k + 1], run.b1[: k + 1]
    w2 = np.append(run.w2[:k], run.w2[k:].sum())  # the equal units merged into one
    small = _forward(w1, b1, w2, run.b2, points)[1]
    np.testing.assert_allclose(run.output(points), small, rtol=1e-12)
    assert run.accuracy > symmetry.train_from("equal", steps=500, seed=0).accuracy


@pytest.mark.parametrize("seed", range(3))
def test_random_start_gives_distinct_units_and_a_better_fit(seed):
    equal = symmetry.train_from("equal", seed=seed)
    random = symmetry.train_from("random", seed=seed)
    assert random.distinct_units == 8
    assert np.all(random.spread > 0)
    assert random.accuracy > 0.9
    assert equal.accuracy < random.accuracy - 0.15
    np.testing.assert_array_equal(equal.x, random.x)  # the same data for both starts


def test_half_of_the_square_is_inside_the_circle():
    run = symmetry.train_from("equal", n_points=10_000, steps=0, seed=0)
    assert run.y.mean() == pytest.approx(0.5, abs=0.02)
    assert math.pi * (2 / math.pi) == pytest.approx(2.0)  # area 2 of the square's 4


def test_gradients_agree_with_autograd_in_float64():
    rng = np.random.default_rng(0)
    w1, b1, w2 = rng.standard_normal((5, 2)), rng.standard_normal(5), rng.standard_normal(5)
    b2 = 0.3
    x, y = rng.uniform(-1, 1, (12, 2)), (rng.uniform(size=12) > 0.5).astype(float)
    ours = _gradients(w1, b1, w2, b2, x, y)
    t = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (w1, b1, w2, [b2])]
    tx, ty = torch.tensor(x), torch.tensor(y)
    a1 = torch.sigmoid(tx @ t[0].T + t[1])
    z2 = a1 @ t[2] + t[3]
    cost = torch.nn.functional.binary_cross_entropy_with_logits(z2, ty)
    cost.backward()
    for mine, theirs in zip(ours, t):
        np.testing.assert_allclose(np.ravel(mine), theirs.grad.numpy().ravel(), rtol=1e-12)


def test_the_run_is_deterministic():
    a = symmetry.train_from("random", steps=20, seed=4)
    b = symmetry.train_from("random", steps=20, seed=4)
    np.testing.assert_array_equal(a.units, b.units)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(start="zeros"), "start"),
        (dict(start="equal", n_hidden=0), "n_hidden"),
        (dict(start="equal", steps=-1), "steps"),
        (dict(start="equal", batch=500), "batch"),
        (dict(start="equal", eta=0.0), "eta"),
        (dict(start="equal", value=math.inf), "value"),
        (dict(start="mixed", n_random=-1), "n_random"),
        (dict(start="mixed", n_hidden=4, n_random=5), "n_random"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, name):
    with pytest.raises((TypeError, ValueError), match=rf"\b{name}\b"):
        symmetry.train_from(**kwargs, seed=0)


def test_output_refuses_points_of_the_wrong_shape():
    run = symmetry.train_from("equal", steps=1, seed=0)
    with pytest.raises(ValueError, match="points"):
        run.output(np.zeros((3, 3)))
