"""vgp_lib.jacobian: the matrix chain against autograd, the multiplier against mean field,
and the Jacobian's singular values."""

import numpy as np
import pytest

from vgp_lib import jacobian, meanfield


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("weights", ["gaussian", "orthogonal"])
def test_the_matrix_chain_equals_autograd_in_float64(activation, weights):
    net = jacobian.random_network(
        width=30,
        depth=12,
        activation=activation,
        sigma_w2=1.7,
        sigma_b2=0.1,
        weights=weights,
        seed=3,
    )
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal(30), rng.standard_normal(30)
    chain = jacobian.delta_chain(net, x, y)
    auto = jacobian.delta_autograd(net, x, y)
    np.testing.assert_allclose(chain, auto, rtol=1e-10, atol=1e-300)


def test_the_jacobian_is_the_product_of_the_layers_and_matches_finite_differences():
    net = jacobian.random_network(
        width=6, depth=5, activation="tanh", sigma_w2=1.2, sigma_b2=0.05, seed=0
    )
    x = np.random.default_rng(1).standard_normal(6)
    jac = jacobian.input_output_jacobian(net, x)
    h = 1e-6
    fd = np.stack(
        [
            (jacobian.forward(net, x + h * e).a[-1] - jacobian.forward(net, x - h * e).a[-1])
            / (2 * h)
            for e in np.eye(6)
        ],
        axis=1,
    )
    np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-9)


def test_orthogonal_weights_are_orthogonal_and_gaussian_have_the_stated_variance():
    o = jacobian.random_network(
        width=50,
        depth=3,
        activation="tanh",
        sigma_w2=1.5,
        sigma_b2=0.0,
        weights="orthogonal",
        seed=0,
    )
    for w in o.weights:
        np.testing.assert_allclose(w @ w.T, 1.5 * np.eye(50), atol=1e-12)
    g = jacobian.random_network(
        width=400, depth=2, activation="tanh", sigma_w2=1.5, sigma_b2=0.3, seed=0
    )
    assert np.var(g.weights) * 400 == pytest.approx(1.5, rel=0.02)
    assert np.var(g.biases) == pytest.approx(0.3, rel=0.2)


def test_a_deep_linear_orthogonal_network_keeps_every_singular_value_at_one():
    # tanh at h = 0 (no input, no bias) is exactly linear there: tanh'(0) = 1
    sp = jacobian.spectrum(
        activation="tanh",
        sigma_w2=1.0,
        sigma_b2=0.0,
        width=64,
        depths=(1, 10, 100),
        weights="orthogonal",
        seed=0,
    )
    for s in sp.singular_values:
        np.testing.assert_allclose(s, 1.0, atol=1e-12)
    assert np.all(sp.spread < 1e-20)
    gauss = jacobian.spectrum(
        activation="tanh",
        sigma_w2=1.0,
        sigma_b2=0.0,
        width=64,
        depths=(1, 10, 100),
        weights="gaussian",
        seed=0,
    )
    assert gauss.spread[0] < gauss.spread[1] < gauss.spread[2]  # Gaussian products spread out


def test_relu_spreads_even_with_orthogonal_weights():
    sp = jacobian.spectrum(
        activation="relu",
        sigma_w2=2.0,
        sigma_b2=0.0,
        width=100,
        depths=(1, 20),
        weights="orthogonal",
        seed=0,
    )
    assert sp.spread[0] > 0.5 and sp.spread[1] > sp.spread[0]


@pytest.mark.parametrize(
    "activation, sigma_w2, sigma_b2",
    [
        ("sigmoid", 1.0, 1.0),
        ("tanh", 0.5, 0.0),
        ("tanh", 2.0, 0.0),
        ("relu", 2.0, 0.0),
        ("relu", 1.5, 0.1),
    ],
)
def test_the_measured_multiplier_is_the_mean_field_chi(activation, sigma_w2, sigma_b2):
    flow = jacobian.gradient_flow(
        activation=activation,
        sigma_w2=sigma_w2,
        sigma_b2=sigma_b2,
        width=400,
        depth=40,
        n_seeds=3,
        seed=0,
    )
    assert flow.predicted_chi == meanfield.mean_field(activation, sigma_w2, sigma_b2).chi
    assert flow.measured_chi == pytest.approx(flow.predicted_chi, rel=0.06)


def test_the_measured_phase_agrees_with_the_theory_away_from_the_critical_line():
    w2s, b2s = np.array([0.5, 0.8, 2.5, 3.5]), np.array([0.0, 0.1])
    measured = jacobian.measured_phase("tanh", w2s, b2s, width=100, depth=50, seed=0)
    theory = meanfield.phase_grid("tanh", w2s, b2s)
    far = np.abs(np.log(theory.chi)) > 0.1
    assert far.sum() >= 6
    assert np.array_equal(np.sign(measured.log_ratio)[far], np.sign(np.log(theory.chi))[far])


@pytest.mark.parametrize(
    "call, name",
    [
        (
            lambda: jacobian.random_network(
                width=0, depth=2, activation="tanh", sigma_w2=1.0, sigma_b2=0.0, seed=0
            ),
            "width",
        ),
        (
            lambda: jacobian.random_network(
                width=1000, depth=1000, activation="tanh", sigma_w2=1.0, sigma_b2=0.0, seed=0
            ),
            "width",
        ),
        (
            lambda: jacobian.random_network(
                width=2,
                depth=2,
                activation="tanh",
                sigma_w2=1.0,
                sigma_b2=0.0,
                weights="uniform",
                seed=0,
            ),
            "weights",
        ),
        (lambda: jacobian.forward("net", np.zeros(2)), "net"),
        (
            lambda: jacobian.spectrum(
                activation="tanh",
                sigma_w2=1.0,
                sigma_b2=0.0,
                width=4,
                depths=(10, 1),
                weights="gaussian",
                seed=0,
            ),
            "depths",
        ),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
        call()


def test_nearby_inputs_merge_in_the_ordered_phase_and_part_in_the_chaotic_one():
    kw = dict(
        activation="tanh", sigma_b2=0.1, width=200, depth=20, distance=1e-3, n_seeds=2, seed=0
    )
    ordered = jacobian.nearby_inputs(sigma_w2=0.5, **kw)
    chaotic = jacobian.nearby_inputs(sigma_w2=3.0, **kw)
    assert ordered.chi < 1 < chaotic.chi
    assert ordered.distance.mean(axis=0)[-1] < 1e-3 * ordered.distance.mean(axis=0)[0]
    assert chaotic.distance.mean(axis=0)[-1] > 10 * chaotic.distance.mean(axis=0)[0]
    # the mean-field path follows the measurement within a factor of two while both are small
    measured, predicted = chaotic.distance.mean(axis=0)[:6], chaotic.predicted[:6]
    assert np.all(np.abs(np.log(measured / predicted)) < np.log(2))


def test_nearby_inputs_checks_its_distance():
    with pytest.raises(ValueError, match="distance"):
        jacobian.nearby_inputs(
            activation="tanh",
            sigma_w2=1.0,
            sigma_b2=0.1,
            width=10,
            depth=3,
            distance=0.0,
            n_seeds=1,
            seed=0,
        )


# --- which grid points the mean-field theory gets wrong; which singular values are 0 ---


def test_predicted_chi_is_the_mean_field_chi_of_every_grid_point():
    w2s, b2s = np.array([0.5, 1.0, 2.0]), np.array([0.0, 0.1])
    m = jacobian.PhaseMeasurement("tanh", 10, w2s, b2s, np.zeros((2, 3)))
    expected = [[meanfield.mean_field("tanh", w2, b2).chi for w2 in w2s] for b2 in b2s]
    np.testing.assert_array_equal(m.predicted_chi(), expected)


def test_disagreements_mark_points_on_the_wrong_side_of_chi_1():
    # tanh, sigma_b2 = 0: chi < 1 for sigma_w2 = 0.5, chi = 1 at 1.0, chi > 1 at 2.0
    w2s, b2s = np.array([0.5, 1.0, 2.0]), np.array([0.0])
    agree = jacobian.PhaseMeasurement("tanh", 10, w2s, b2s, np.array([[-3.0, 0.0, 2.0]]))
    assert not agree.disagreements().any()
    wrong = jacobian.PhaseMeasurement("tanh", 10, w2s, b2s, np.array([[0.0, -0.1, -2.0]]))
    np.testing.assert_array_equal(wrong.disagreements(), [[True, True, True]])


def test_spectrum_counts_singular_values_below_numpys_rank_tolerance_as_zero():
    floor = 3 * np.finfo(float).eps  # s_max = 1, three values
    sp = jacobian.Spectrum(
        {}, (1, 5), (np.ones(3), np.array([1.0, floor, 0.5 * floor])), np.zeros(2)
    )
    assert sp.n_zero() == 1 and sp.n_zero(0) == 0
    assert sp.zero_floor() == pytest.approx(floor)
    assert sp.orders_of_magnitude(0) == 0.0
    assert sp.orders_of_magnitude() == pytest.approx(-np.log10(floor))  # floored, not infinite


def test_orders_of_magnitude_of_a_spectrum_without_zeros_is_the_plain_span():
    sp = jacobian.Spectrum({}, (3,), (np.array([100.0, 1.0, 0.01]),), np.zeros(1))
    assert sp.n_zero() == 0 and sp.orders_of_magnitude() == pytest.approx(4.0)


def test_delta_chain_names_y_of_the_wrong_width():
    net = jacobian.random_network(
        width=3, depth=2, activation="tanh", sigma_w2=1.0, sigma_b2=0.0, seed=0
    )
    with pytest.raises(ValueError, match=r"^y must have the network's width 3"):
        jacobian.delta_chain(net, np.ones(3), np.ones(4))
