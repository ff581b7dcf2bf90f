"""Dead units (:mod:`vgp_lib.dead_units`): the count is a brute-force count, a dead unit's
gradient is exactly zero, and shifting the biases down, a larger step and depth give more of
them, while leaky ReLU has none."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vgp_lib import dead_units
from vgp_lib.models import build_mlp


def _brute_dead(z, relu_like=True):
    """Dead ReLU units by two loops: a unit is dead unless some example has z > 0."""
    n_examples, n_units = z.shape
    dead = []
    for j in range(n_units):
        alive = False
        for i in range(n_examples):
            if z[i, j] > 0:
                alive = True
        dead.append(not alive)
    return np.array(dead)


def test_dead_mask_equals_a_brute_force_count():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((12, 200)) - 1.5
    z[:, :5] = 0.0  # z = 0 exactly: the ReLU's derivative is 0 there too
    z[:, 5] = np.minimum(z[:, 5], 0.0)
    z[3, 5] = 1e-300  # one tiny positive input keeps a unit alive
    mask = dead_units.dead_mask(z)
    np.testing.assert_array_equal(mask, _brute_dead(z))
    assert mask[:5].all() and not mask[5]
    assert 0 < mask.sum() < z.shape[1]


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "gelu"])
def test_leaky_relu_elu_and_gelu_units_are_never_dead(activation):
    z = np.random.default_rng(1).standard_normal((16, 300)) * 5 - 10  # mostly far below 0
    assert not dead_units.dead_mask(z, activation).any()


def _forward_z(net, x):
    """Weighted inputs of every hidden layer, by NumPy from the weights (no torch forward)."""
    zs, a = [], x
    for block in net.blocks:
        w = block.linear.weight.detach().numpy()
        b = block.linear.bias.detach().numpy()
        z = a @ w.T + b
        zs.append(z)
        a = np.maximum(z, 0.0)
    return zs


def test_dead_counts_equal_a_brute_force_count_in_a_network():
    net = build_mlp(n_in=8, width=16, n_out=3, depth=4, activation="relu", init="he", seed=2)
    with torch.no_grad():
        for block in net.blocks:
            block.linear.bias -= 0.8
    x = np.random.default_rng(3).standard_normal((40, 8))
    counts = dead_units.dead_counts(net, x)
    brute = [int(_brute_dead(z).sum()) for z in _forward_z(net, x)]
    assert counts.tolist() == brute
    assert sum(brute) > 0


def test_a_dead_unit_gets_exactly_zero_gradient_and_a_live_one_does_not():
    net = build_mlp(n_in=8, width=32, n_out=3, depth=3, activation="relu", init="he", seed=4)
    with torch.no_grad():
        for block in net.blocks:
            block.linear.bias -= 1.0
    g = torch.Generator().manual_seed(5)
    x = torch.randn(30, 8, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (30,), generator=g)
    torch.nn.functional.cross_entropy(net(x), y).backward()
    zs = _forward_z(net, x.numpy())
    n_dead = n_live = 0
    for block, z in zip(net.blocks, zs):
        dead = torch.as_tensor(_brute_dead(z))
        grad_w, grad_b = block.linear.weight.grad, block.linear.bias.grad
        assert torch.all(grad_w[dead] == 0) and torch.all(grad_b[dead] == 0)
        n_dead += int(dead.sum())
        n_live += int((grad_w[~dead].abs().sum(dim=1) > 0).sum())
    assert n_dead > 0 and n_live > 0


def test_expected_dead_fraction_matches_a_simulation():
    shift, n, norm = 0.7, 5, 1.3
    rng = np.random.default_rng(6)
    units = 200_000
    z = norm * rng.standard_normal((n, units)) - shift  # w.x ~ N(0, ||w||^2) on each example
    simulated = dead_units.dead_mask(z).mean()
    expected = dead_units.expected_dead_fraction(shift, n_examples=n, weight_norm=norm)
    assert abs(simulated - expected) < 4 * math.sqrt(expected * (1 - expected) / units)
    assert dead_units.expected_dead_fraction(0.0, n_examples=7) == 0.5**7


def test_more_shift_more_dead_units_and_deeper_layers_die_first():
    shifts = [0.0, 0.25, 0.5, 1.0, 2.0]
    s = dead_units.shift_sweep(shifts, depth=6, width=32, n_examples=64, seed=0)
    assert np.all(np.diff(s.fraction[:, 0]) >= 0)  # layer 1: a lower bias can only add
    assert np.all(np.diff(s.mean_fraction) >= 0)
    assert s.mean_fraction[-1] > s.mean_fraction[0]
    assert s.fraction[2, -1] >= s.fraction[2, 0]  # the last layer dies before the first
    assert np.all(s.dead_grad == 0.0)


def test_a_larger_step_kills_more_units_and_leaky_relu_none():
    steps = [0.03, 1.0, 10.0]
    relu = dead_units.step_sweep(steps, seed=0)  # the chapter's network and batch
    assert relu.mean_fraction[0] < relu.mean_fraction[1] < relu.mean_fraction[2]
    assert np.all(relu.dead_grad == 0.0)
    leaky = dead_units.step_sweep(
        steps, activation="leaky_relu", depth=4, width=32, n_examples=64, seed=0
    )
    assert np.all(leaky.fraction == 0.0)
    shifted = dead_units.shift_sweep(
        [0.0, 2.0], activation="leaky_relu", depth=4, width=32, n_examples=64, seed=0
    )
    assert np.all(shifted.fraction == 0.0)


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="z"):
        dead_units.dead_mask(np.zeros(3))
    with pytest.raises(ValueError, match="activation"):
        dead_units.dead_mask(np.zeros((2, 3)), "swish")
    with pytest.raises(ValueError, match="steps"):
        dead_units.step_sweep([0.0], seed=0)
    net = build_mlp(n_in=3, width=4, n_out=2, depth=2, seed=0)
    with pytest.raises(ValueError, match="x"):
        dead_units.dead_counts(net, np.zeros((2, 5)))


def test_deeper_relu_layers_see_the_examples_more_alike():
    """Why depth makes dying easier: the examples' activations align layer by layer."""
    net = build_mlp(n_in=64, width=64, n_out=10, depth=10, activation="relu", init="he", seed=0)
    x = torch.randn(64, 64, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    cosines, a = [], x
    with torch.no_grad():
        for block in net.blocks:
            a = block(a)
            unit = a / a.norm(dim=1, keepdim=True).clamp_min(1e-300)
            cos = unit @ unit.T
            cosines.append(float(cos[~torch.eye(64, dtype=torch.bool)].mean()))
    assert cosines[-1] > cosines[0] + 0.2
    assert np.all(np.diff(cosines[:5]) > 0)


def test_gelu_derivative_is_zero_at_one_point_only():
    from vgp_lib.activations import gelu_prime

    z = np.linspace(-6, 6, 120_001)
    sign = np.sign(gelu_prime(z))
    crossings = np.flatnonzero(np.diff(sign) != 0)
    assert len(crossings) == 1 and -0.8 < z[crossings[0]] < -0.7
    assert np.all(gelu_prime(z[z < -0.76]) < 0)  # slightly negative to the left of it


def test_elu_and_gelu_units_die_only_when_their_derivative_underflows():
    """A step of 30 throws inputs so far below 0 that e^z and Phi(z) + z phi(z) round to 0."""
    kw = dict(depth=6, width=64, n_examples=256, seed=0)
    for act in ("elu", "gelu"):
        assert dead_units.step_sweep([10.0], activation=act, **kw).mean_fraction[0] == 0.0
        assert dead_units.step_sweep([30.0], activation=act, **kw).mean_fraction[0] > 0.0
    assert dead_units.step_sweep([30.0], activation="leaky_relu", **kw).mean_fraction[0] == 0.0


def test_a_fully_dead_layer_cuts_off_every_layer_below_it():
    net = build_mlp(n_in=8, width=16, n_out=3, depth=4, activation="relu", init="he", seed=8)
    with torch.no_grad():
        net.blocks[2].linear.bias.fill_(-100.0)  # layer 3: every unit dead
    x = torch.randn(20, 8, generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    assert dead_units.dead_counts(net, x.numpy())[2] == 16
    y = torch.zeros(20, dtype=torch.long)
    torch.nn.functional.cross_entropy(net(x), y).backward()
    for block in net.blocks[:3]:
        assert torch.all(block.linear.weight.grad == 0)


# --- the verdicts the activations chapter reads off the sweeps -----------------------


def _sweep(fraction, values=(0.0, 0.5, 1.0)):
    fraction = np.asarray(fraction, dtype=float)
    return dead_units.DeadSweep(
        "relu", "shift", np.asarray(values), fraction, np.zeros(len(values)), 4, 8
    )


def test_any_dead_sees_a_single_dead_unit_anywhere():
    assert not _sweep(np.zeros((3, 2))).any_dead()
    assert _sweep([[0, 0], [0, 0], [0.25, 0]]).any_dead()


def test_first_all_dead_takes_the_first_value_where_the_layer_is_all_dead():
    sweep = _sweep([[0, 0.5], [0.5, 1.0], [1.0, 1.0]])
    assert sweep.first_all_dead() == 0.5
    assert sweep.first_all_dead(layer=0) == 1.0
    assert _sweep([[0, 0.5], [0.5, 0.99], [1.0, 0.75]]).first_all_dead() is None


def test_never_falls_allows_flat_steps_but_not_a_single_drop():
    assert _sweep([[0, 0], [0, 0], [0, 0]]).never_falls()
    assert _sweep([[0, 0], [0, 0.5], [0.5, 0]]).never_falls()  # the mean stays 0.25
    assert not _sweep([[0, 0.5], [0, 0.25], [1, 1]]).never_falls()


def test_examples_until_rare_is_the_first_batch_size_below_the_share():
    n = dead_units.examples_until_rare(0.5, rare=0.01, weight_norm=2.0)
    assert dead_units.expected_dead_fraction(0.5, n_examples=n, weight_norm=2.0) < 0.01
    assert dead_units.expected_dead_fraction(0.5, n_examples=n - 1, weight_norm=2.0) >= 0.01
    assert dead_units.examples_until_rare(-3.0, rare=0.5) == 1  # a positive bias: rare at once


@pytest.mark.parametrize("rare", [0.0, 1.0, -0.1, float("nan")])
def test_examples_until_rare_wants_a_share_strictly_between_0_and_1(rare):
    with pytest.raises(ValueError, match="rare"):
        dead_units.examples_until_rare(0.5, rare=rare)


def test_examples_until_rare_refuses_a_shift_that_is_never_rare():
    with pytest.raises(ValueError, match="shift and weight_norm"):
        dead_units.examples_until_rare(50.0, rare=0.01, weight_norm=1e-3)
