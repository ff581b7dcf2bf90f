"""vgp_lib.meanfield: q* and chi against Monte Carlo, and the known critical points."""

import math

import numpy as np
import pytest

from vgp_lib import activations, meanfield

SETTINGS = [("sigmoid", 1.0, 1.0), ("tanh", 1.5, 0.3), ("tanh", 2.5, 0.05), ("relu", 1.5, 0.2)]


def _monte_carlo_q_star(activation, sigma_w2, sigma_b2, n=1_000_000, steps=200):
    phi = activations.get(activation)[0]
    z = np.random.default_rng(0).standard_normal(n)
    q = 1.0
    for _ in range(steps):
        q = sigma_w2 * np.mean(phi(math.sqrt(q) * z) ** 2) + sigma_b2
    return q


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", SETTINGS)
def test_the_fixed_point_is_where_the_sampled_map_settles(activation, sigma_w2, sigma_b2):
    expected = _monte_carlo_q_star(activation, sigma_w2, sigma_b2)
    assert meanfield.fixed_point(activation, sigma_w2, sigma_b2) == pytest.approx(
        expected,
        rel=1e-2,  # sampling error, amplified by a slowly contracting map
    )


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", SETTINGS)
def test_chi_is_the_sampled_mean_of_the_squared_slope(activation, sigma_w2, sigma_b2):
    mf = meanfield.mean_field(activation, sigma_w2, sigma_b2)
    phi_prime = activations.get(activation)[1]
    z = np.random.default_rng(1).standard_normal(4_000_000)
    sampled = sigma_w2 * np.mean(phi_prime(math.sqrt(mf.q_star) * z) ** 2)
    assert mf.chi == pytest.approx(sampled, rel=3e-3)
    assert mf.shrink == pytest.approx(1 / math.sqrt(mf.chi))


def test_relu_with_he_initialisation_is_exactly_critical():
    mf = meanfield.mean_field("relu", 2.0, 0.0)
    assert mf.chi == 1.0 and mf.depth_scale == math.inf
    assert meanfield.critical_sigma_w2("relu", 0.0) == 2.0


def test_tanh_without_bias_is_critical_at_unit_weight_variance():
    assert meanfield.critical_sigma_w2("tanh", 0.0) == 1.0
    assert meanfield.mean_field("tanh", 1.0, 0.0).chi == 1.0
    assert (
        meanfield.mean_field("tanh", 0.9, 0.0).chi < 1 < meanfield.mean_field("tanh", 1.1, 0.0).chi
    )


@pytest.mark.parametrize("sigma_b2", [0.01, 0.05, 0.3])
def test_the_critical_line_has_chi_one(sigma_b2):
    w2 = meanfield.critical_sigma_w2("tanh", sigma_b2)
    assert meanfield.mean_field("tanh", w2, sigma_b2).chi == pytest.approx(1.0, abs=1e-9)
    assert w2 > 1.0  # a bias pushes q* up, so the weights must be larger to stay critical


def test_nielsens_sigmoid_setting_shrinks_the_gradient_about_fivefold_per_layer():
    mf = meanfield.mean_field("sigmoid", 1.0, 1.0)
    assert 4.5 < mf.shrink < 5.2  # the MNIST chapter measures about 5 per layer


def test_the_phase_grid_is_chi_at_every_point():
    g = meanfield.phase_grid("tanh", [0.5, 1.0, 3.0], [0.0, 0.5])
    assert g.chi.shape == (2, 3)
    for i, b2 in enumerate(g.sigma_b2s):
        for j, w2 in enumerate(g.sigma_w2s):
            assert g.chi[i, j] == meanfield.mean_field("tanh", w2, b2).chi


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: meanfield.mean_field("swish", 1.0, 0.0), "activation"),
        (lambda: meanfield.mean_field("tanh", 0.0, 0.0), "sigma_w2"),
        (lambda: meanfield.mean_field("tanh", 1.0, -1.0), "sigma_b2"),
        (lambda: meanfield.fixed_point("relu", 3.0, 0.1), "sigma_w2"),
        (lambda: meanfield.variance_map(-1.0, "tanh", 1.0, 0.0), "q"),
        (lambda: meanfield.phase_grid("tanh", [], [0.0]), "sigma_w2s"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
        call()


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", SETTINGS)
def test_correlation_map_keeps_identical_inputs_identical(activation, sigma_w2, sigma_b2):
    assert meanfield.correlation_map(1.0, activation, sigma_w2, sigma_b2) == pytest.approx(1.0)


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", SETTINGS)
def test_correlation_map_against_monte_carlo(activation, sigma_w2, sigma_b2):
    phi = activations.get(activation)[0]
    q = meanfield.fixed_point(activation, sigma_w2, sigma_b2)
    c = 0.6
    z1, z2 = np.random.default_rng(1).standard_normal((2, 1_000_000))
    u1, u2 = math.sqrt(q) * z1, math.sqrt(q) * (c * z1 + math.sqrt(1 - c * c) * z2)
    expected = (sigma_w2 * np.mean(phi(u1) * phi(u2)) + sigma_b2) / q
    got = meanfield.correlation_map(c, activation, sigma_w2, sigma_b2)
    assert got == pytest.approx(expected, abs=5e-3)


@pytest.mark.parametrize("sigma_w2", [0.5, 1.5, 3.0])
def test_near_identical_inputs_drift_apart_by_chi_per_layer(sigma_w2):
    chi = meanfield.mean_field("tanh", sigma_w2, 0.1).chi
    eps = 1e-5
    step = 1.0 - meanfield.correlation_map(1.0 - eps, "tanh", sigma_w2, 0.1)
    assert step / eps == pytest.approx(chi, rel=1e-3)


def test_correlation_map_refuses_a_correlation_outside_minus_one_to_one():
    with pytest.raises(ValueError, match="c"):
        meanfield.correlation_map(1.5, "tanh", 1.0, 0.1)
