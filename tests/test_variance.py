"""What the chapter *Initialisation* states about variances, as tested properties:

* the closed-form weight variance of each initialisation equals the sample variance of the
  weights ``build_mlp`` draws (PyTorch's default: 1/(3 n_in), a third of LeCun's);
* the ReLU passes exactly half of the variance up and half of the error's variance down,
  tanh near 0 passes all of both (quadrature against closed forms and Monte Carlo);
* the per-layer factor of the error in a sigmoid network with PyTorch's default weights is
  √(n Var(W)) · rms σ′ (prediction against measurement, over seeds), and the measurement's
  error norms are those of :func:`vgp_lib.profiles.gradient_profile`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vgp_lib import profiles, variance
from vgp_lib.models import MODEL_INITS, init_linear_
from vgp_lib.rng import torch_generator

#: Relative tolerance of the per-layer prediction against the measurement, per network.
FACTOR_RTOL = 0.05


@pytest.mark.parametrize("init", MODEL_INITS)
@pytest.mark.parametrize("shape", [(300, 200), (200, 300)])
def test_closed_form_weight_variance_matches_the_drawn_weights(init, shape):
    n_out, n_in = shape
    lin = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
    init_linear_(lin, init, generator=torch_generator(0))
    sample = float(lin.weight.detach().var())
    assert sample == pytest.approx(variance.weight_variance(init, n_in, n_out), rel=0.02)


def test_pytorch_default_is_a_third_of_lecun_and_the_uniform_variance_is_a_squared_over_3():
    for n in (1, 3, 64, 1000):
        assert variance.weight_variance("pytorch", n, 7) == pytest.approx(1 / (3 * n), rel=1e-15)
        ratio = variance.weight_variance("pytorch", n, n) / variance.weight_variance(
            "nielsen", n, n
        )
        assert ratio == pytest.approx(1 / 3, rel=1e-15)
    # the variance of U(-a, a) by brute force: a fine midpoint grid of the density 1/(2a)
    a = 1 / math.sqrt(64)
    u = np.linspace(-a, a, 200_001)
    mid = (u[1:] + u[:-1]) / 2
    assert np.sum(mid**2 * np.diff(u)) / (2 * a) == pytest.approx(a**2 / 3, rel=1e-9)
    # and torch's own nn.Linear, untouched
    torch.manual_seed(0)
    lin = torch.nn.Linear(400, 300, dtype=torch.float64)
    assert float(lin.weight.detach().var()) * 400 == pytest.approx(1 / 3, rel=0.02)


@pytest.mark.parametrize("q", [0.01, 1.0, 7.5])
def test_relu_passes_exactly_half_of_both_variances(q):
    up, down = variance.activation_gains("relu", q)
    assert up == pytest.approx(0.5, abs=1e-12)
    assert down == pytest.approx(0.5, abs=1e-12)
    z = np.random.default_rng(0).standard_normal(1_000_000) * math.sqrt(q)
    assert np.mean(np.maximum(z, 0) ** 2) / q == pytest.approx(0.5, rel=0.01)
    assert np.mean(z > 0) == pytest.approx(0.5, rel=0.01)


def test_tanh_near_zero_passes_everything_and_less_further_out():
    up, down = variance.activation_gains("tanh", 1e-6)
    assert up == pytest.approx(1.0, abs=1e-5) and down == pytest.approx(1.0, abs=1e-5)
    up1, down1 = variance.activation_gains("tanh", 1.0)
    assert up1 < 1 and down1 < 1
    assert variance.activation_gains("identity", 2.0) == pytest.approx((1.0, 1.0), abs=1e-12)


def test_sigmoid_gains_match_monte_carlo():
    q = 0.09
    z = np.random.default_rng(1).standard_normal(1_000_000) * math.sqrt(q)
    s = 1 / (1 + np.exp(-z))
    up, down = variance.activation_gains("sigmoid", q)
    assert up == pytest.approx(np.mean(s**2) / q, rel=2e-3)
    assert down == pytest.approx(np.mean((s * (1 - s)) ** 2), rel=2e-3)
    assert 0.24 < math.sqrt(down) < 0.25  # near the peak 1/4: nothing saturates


@pytest.mark.parametrize("seed", [0, 1])
def test_measurement_has_the_error_norms_of_gradient_profile(seed):
    m = variance.per_layer_factor(depth=8, seed=seed)
    p = profiles.gradient_profile(depth=8, activation="sigmoid", init="pytorch", seed=seed)
    np.testing.assert_allclose(m.delta_norm, p.delta_norm, rtol=1e-12)


def test_rms_prime_is_measured_on_the_weighted_inputs():
    """rms σ′ recomputed from an independent forward pass of the same network and batch."""
    from vgp_lib.models import build_mlp

    m = variance.per_layer_factor(depth=4, width=16, n_in=8, batch=32, seed=3)
    net = build_mlp(n_in=8, width=16, n_out=10, depth=4, activation="sigmoid", seed=3)
    g = torch_generator(3)
    a = torch.randn(32, 8, generator=g, dtype=torch.float64)
    rms = []
    with torch.no_grad():
        for block in net.blocks:
            z = block.linear(a)
            s = torch.sigmoid(z)
            rms.append(float(((s * (1 - s)) ** 2).mean().sqrt()))
            a = s
    np.testing.assert_allclose(m.rms_prime, rms, rtol=1e-10)
    assert m.n_var == pytest.approx(1 / 3)


@pytest.mark.parametrize("seed", range(5))
def test_per_layer_factor_of_pytorch_sigmoid_is_predicted_by_the_variance_argument(seed):
    m = variance.per_layer_factor(depth=20, activation="sigmoid", init="pytorch", seed=seed)
    assert m.measured == pytest.approx(m.predicted, rel=FACTOR_RTOL)
    # and the prediction is √(1/3) times an rms σ′ a little below its peak 1/4
    assert math.sqrt(1 / 3) * 0.23 < m.predicted < math.sqrt(1 / 3) * 0.25


def test_per_layer_factor_with_he_and_relu_is_about_one():
    m = variance.per_layer_factor(depth=20, activation="relu", init="he", seed=0)
    assert m.predicted == pytest.approx(1.0, rel=0.05)
    assert m.measured == pytest.approx(1.0, rel=0.1)


def test_middle_layers_leave_out_two_at_each_end():
    m = variance.per_layer_factor(depth=20, seed=0)
    assert m.middle == slice(2, 17)
    assert len(m.ratios) == 19
    short = variance.per_layer_factor(depth=3, width=8, n_in=8, batch=8, seed=0)
    assert short.middle == slice(0, 2)
    assert math.isfinite(short.measured) and math.isfinite(short.predicted)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: variance.weight_variance("lecun", 3, 3), "init"),
        (lambda: variance.weight_variance("he", 0, 3), "n_in"),
        (lambda: variance.activation_gains("swish", 1.0), "activation"),
        (lambda: variance.activation_gains("relu", 0.0), "q"),
        (lambda: variance.activation_gains("relu", math.nan), "q"),
        (lambda: variance.per_layer_factor(depth=1, seed=0), "depth"),
        (lambda: variance.per_layer_factor(depth=3, width=10**6, seed=0), "width"),
        (lambda: variance.per_layer_factor(depth=3, seed=-1), "seed"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, name):
    with pytest.raises((TypeError, ValueError), match=rf"\b{name}\b"):
        call()


def test_tanh_with_xavier_loses_both_variances_slowly_relu_with_he_keeps_both():
    """The chapter's reading of its variance figure: ReLU with He level, tanh with Xavier
    losing both variances ever more slowly, too-small weights killing both."""
    from vgp_lib import profiles

    kw = dict(depth=30, width=128, seed=0)
    tanh = profiles.init_variance("tanh", "xavier", **kw)
    relu = profiles.init_variance("relu", "he", **kw)
    small = profiles.init_variance("tanh", "small", **kw)
    act_loss = tanh.act_var[-1] / tanh.act_var[0]
    grad_loss = tanh.grad_var[0] / tanh.grad_var[-1]
    assert 1e-3 < act_loss < 0.5 and 1e-3 < grad_loss < 0.5  # both lost, neither killed
    per_layer = tanh.act_var[1:] / tanh.act_var[:-1]
    assert per_layer[:5].mean() < per_layer[-5:].mean()  # the loss slows down
    assert per_layer[:10].max() < 1  # a loss at every early layer (later ones ~ 1, noisy)
    # level up to the drift of a finite width (Xavier's ReLU loses 2^-29 here)
    assert 0.1 < relu.act_var[-1] / relu.act_var[0] < 10
    assert 0.1 < relu.grad_var[0] / relu.grad_var[-1] < 10
    assert small.act_var[-1] < 1e-20 and small.grad_var[0] / small.grad_var[-1] < 1e-20


@pytest.mark.parametrize("n_in, n_out", [(64, 64), (100, 25), (16, 256)])
def test_relu_forward_condition_gives_2_over_n_in_and_backward_2_over_n_out(n_in, n_out):
    up, down = variance.activation_gains("relu", 1.0)
    assert 1 / (n_in * up) == pytest.approx(2 / n_in, rel=1e-12)  # n_in Var(W) E[f²]/Var(z) = 1
    assert 1 / (n_out * down) == pytest.approx(2 / n_out, rel=1e-12)  # n_out Var(W) E[f'²] = 1
    assert variance.weight_variance("he", n_in, n_out) == pytest.approx(2 / n_in, rel=1e-12)
