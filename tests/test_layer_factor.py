"""The per-layer factor (:mod:`vgp_lib.layer_factor`): the predictions of equation
eq-init-variance against closed forms, and against the factor measured on deep networks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vgp_lib import activations, layer_factor, profiles
from vgp_lib.models import build_mlp

#: How far a measured factor may lie from its prediction (width 64, 20 layers, 3 draws).
TOLERANCE = 0.05


def test_relu_predictions_are_the_closed_forms():
    assert layer_factor.predicted_factor("relu", "pytorch", width=64) == pytest.approx(
        math.sqrt(1 / 6), rel=1e-12
    )
    assert layer_factor.predicted_factor("relu", "he", width=64) == pytest.approx(1.0, rel=1e-12)
    assert layer_factor.predicted_factor("relu", "xavier", width=64) == pytest.approx(
        math.sqrt(0.5), rel=1e-12
    )


def test_tanh_and_sigmoid_predictions_are_their_derivatives_near_zero():
    """Under PyTorch's default the deep layers' z sit near 0: tanh' ~ 1, sigmoid' ~ 1/4."""
    tanh = layer_factor.predicted_factor("tanh", "pytorch", width=64)
    sigmoid = layer_factor.predicted_factor("sigmoid", "pytorch", width=64)
    assert 0.97 * math.sqrt(1 / 3) < tanh < math.sqrt(1 / 3)
    assert 0.97 * math.sqrt(1 / 3) / 4 < sigmoid < math.sqrt(1 / 3) / 4
    assert sigmoid < layer_factor.predicted_factor("relu", "pytorch", width=64) < tanh


def test_pytorch_default_has_n_var_w_one_third():
    n = 256
    net = build_mlp(n_in=n, width=n, n_out=2, depth=2, init="pytorch", seed=0)
    w = net.blocks[1].linear.weight.detach().numpy()
    b = net.blocks[1].linear.bias.detach().numpy()
    n_var_w, var_b = layer_factor._sigma2("pytorch", n)
    assert n * w.var() == pytest.approx(n_var_w, rel=0.02)
    assert b.var() == pytest.approx(var_b, rel=0.25)


@pytest.mark.parametrize(
    "activation, init",
    [("sigmoid", "pytorch"), ("tanh", "pytorch"), ("relu", "pytorch"), ("relu", "he")],
)
def test_measured_factor_agrees_with_the_prediction(activation, init):
    f = layer_factor.layer_factor(activation, init, depth=20, width=64, n_seeds=3, seed=0)
    assert abs(f.gap) < TOLERANCE, (f.predicted, f.measured)


@pytest.mark.parametrize(
    "activation, near_zero",
    [
        ("gelu", math.sqrt(1 / 3) * float(activations.gelu_prime(0.0))),  # GELU'(0) = 1/2
        ("elu", math.sqrt(1 / 3)),  # ELU'(z) ~ 1 on both sides of 0
        ("leaky_relu", math.sqrt(1 / 3 * (1 + 0.01**2) / 2)),  # f'^2 is 1 or 0.01^2
    ],
)
def test_other_activations_factor_under_pytorch_default(activation, near_zero):
    p = profiles.gradient_profile(
        depth=20, activation=activation, init="pytorch", width=64, n_in=64, n_seeds=3, seed=0
    )
    assert layer_factor.measured_factor(p) == pytest.approx(near_zero, rel=TOLERANCE)


def test_measured_factor_is_the_geometric_mean_of_layer_ratios():
    p = profiles.gradient_profile(depth=8, activation="tanh", width=16, n_in=16, seed=1)
    d = p.delta_norm[:8]
    ratios = d[2:7] / d[3:8]
    assert layer_factor.measured_factor(p, burn_in=2) == pytest.approx(
        float(np.exp(np.mean(np.log(ratios)))), rel=1e-12
    )


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="activation"):
        layer_factor.predicted_factor("gelu", width=64)
    with pytest.raises(ValueError, match="depth"):
        layer_factor.layer_factor("relu", depth=3, burn_in=3, seed=0)
    with pytest.raises(TypeError, match="profile"):
        layer_factor.measured_factor(torch.zeros(3))


def test_first_layer_ratio_is_the_product_of_the_derivative_moments():
    """Three hidden layers: the ReLU's E[f'^2] is 1/2 at each, so the ratio to itself is 1,
    and tanh's ratio is sqrt(E[tanh'^2] / (1/2)) per layer, each between 1 and sqrt(2)."""
    assert layer_factor.first_layer_ratio("relu") == pytest.approx(1.0, rel=1e-12)
    tanh = layer_factor.first_layer_ratio("tanh")
    assert 1.0 < tanh < math.sqrt(2.0) ** 3
    assert layer_factor.first_layer_ratio("relu", "tanh") == pytest.approx(1 / tanh, rel=1e-12)
    one = layer_factor.first_layer_ratio("tanh", depth=1)
    z = np.random.default_rng(0).standard_normal(400_000) * math.sqrt(1 / 3 + 1 / 300)
    brute = math.sqrt(np.mean(activations.tanh_prime(z) ** 2) / 0.5)
    assert one == pytest.approx(brute, rel=5e-3)


def test_first_layer_ratio_predicts_the_demonstration():
    """The predicted tanh/ReLU ratio of first-layer gradients against the median measured
    ratio of the demonstration's draws (20 draws, within 10 %)."""
    comp = profiles.activation_comparison(("tanh", "relu"), n_seeds=20, seed=0)
    measured = float(np.median(comp.norms[0] / comp.norms[1]))
    assert measured == pytest.approx(layer_factor.first_layer_ratio("tanh"), rel=0.10)


def test_sigmoid_inputs_stay_a_few_tenths_from_zero_under_pytorch_default():
    """E[sigma(z)^2] >= 1/4 keeps Var(z) >= n Var(W) / 4 = 1/12 for the sigmoid, while
    tanh's and the ReLU's Var(z) fall until only the biases hold them up."""
    from vgp_lib.meanfield import mean_field

    width = 128
    sigma_b2 = 1 / (3 * width)
    sigmoid = mean_field("sigmoid", 1 / 3, sigma_b2).q_star
    assert 1 / 12 <= sigmoid < 1 / 12 + 2 * sigma_b2
    for act in ("tanh", "relu"):
        assert mean_field(act, 1 / 3, sigma_b2).q_star < 2 * sigma_b2
    z = np.random.default_rng(0).standard_normal(200_000) * math.sqrt(sigmoid)
    assert 0.1 < np.mean(np.abs(z)) < 0.3
