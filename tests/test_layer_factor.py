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
