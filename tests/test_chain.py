"""vgp_lib.chain: the gradient triangle (product,
autograd, finite differences), overflow, validation."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vgp_lib import chain


def _chains_with_moderate_z(depth, seed):
    """Random N(0, 1) chains, redrawn until every |z_j| < 8.

    torch.sigmoid's backward is y(1 - y); for z > 12, 1 - y keeps few correct
    digits, so the 1e-10 comparison is made where that rounding stays below
    ~1e-13 per layer (the analytic side has no such limit).
    """
    rng = np.random.default_rng(seed)
    while True:
        c = chain.random_chain(depth, seed=rng)
        if np.abs(chain.forward(c).z).max() < 8:
            return c


@pytest.mark.parametrize("depth", range(1, 51))
def test_analytic_equals_autograd_float64(depth):
    for seed in range(3):
        c = _chains_with_moderate_z(depth, 100 * depth + seed)
        analytic, auto = chain.grad_b_analytic(c), chain.grad_b_autograd(c)
        np.testing.assert_allclose(analytic, auto, rtol=1e-10, atol=0)


@pytest.mark.parametrize("activation", ["tanh", "elu", "gelu", "leaky_relu", "identity"])
def test_analytic_equals_autograd_for_other_activations(activation):
    c = chain.random_chain(12, seed=7, activation=activation)
    np.testing.assert_allclose(
        chain.grad_b_analytic(c), chain.grad_b_autograd(c), rtol=1e-10, atol=1e-300
    )


def test_stacks_of_chains_are_rows_of_single_chains():
    stack = chain.random_chain(6, seed=3, n_chains=4)
    rows = [chain.make_chain(w, b) for w, b in zip(stack.weights, stack.biases)]
    np.testing.assert_allclose(
        chain.grad_b_analytic(stack), [chain.grad_b_analytic(r) for r in rows], rtol=1e-15
    )
    np.testing.assert_allclose(
        chain.grad_b_autograd(stack), chain.grad_b_analytic(stack), rtol=1e-10
    )


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_finite_differences_agree_on_short_chains(depth):
    for seed in range(10):
        c = chain.random_chain(depth, seed=seed)
        np.testing.assert_allclose(
            chain.grad_b_fd(c), chain.grad_b_analytic(c), rtol=1e-6, atol=1e-12
        )


def test_finite_differences_go_blind_once_the_gradient_vanishes():
    c = chain.constant_chain(20, w=0.17)
    r = chain.three_routes(c)
    assert abs(r.analytic[0]) < 1e-25
    assert r.fd[0] == 0.0 or abs(r.fd[0] / r.analytic[0]) > 1e10  # zero or pure rounding noise
    assert r.max_rel_autograd < 1e-10


def test_product_formula_written_out_for_four_layers():
    # eq-chain-product, term by term
    c = chain.make_chain([1.5, -0.8, 2.0, 0.6], [0.2, -0.5, 0.1, 0.3], a0=1.0, y=0.25)
    fwd = chain.forward(c)
    s = np.exp(-np.abs(fwd.z)) / (1 + np.exp(-np.abs(fwd.z))) ** 2
    w = c.weights
    expected = s[0] * w[1] * s[1] * w[2] * s[2] * w[3] * s[3] * (fwd.a[3] - 0.25)
    assert math.isclose(chain.grad_b_analytic(c)[0], expected, rel_tol=1e-14)


def test_ten_factors_of_one_half():
    # the identity chain with weight 0.5 multiplies the gradient by 0.5 per layer
    c = chain.constant_chain(11, w=0.5, activation="identity")
    g = chain.grad_b_analytic(c)
    assert math.isclose(g[0] / g[-1], 0.5**10, rel_tol=1e-15)


@given(st.integers(1, 60), st.floats(0.1, 3.0))
@settings(max_examples=30, deadline=None)
def test_aligned_chain_has_every_z_zero_and_factor_w_over_4(depth, w):
    c = chain.aligned_chain(depth, w=w)
    np.testing.assert_allclose(chain.forward(c).z, 0.0, atol=1e-12)
    np.testing.assert_allclose(chain.factors(c), w / 4, rtol=1e-12)


def test_exploding_gradient_grows_like_25_per_layer():
    g = chain.grad_b_analytic(chain.aligned_chain(20))
    np.testing.assert_allclose(g[:-1] / g[1:], 25.0, rtol=1e-12)
    assert math.isclose(g[0], 25.0**19 * 0.25 * 0.5, rel_tol=1e-12)


def test_chain_profile_is_deterministic_and_scales_the_same_draws():
    a = chain.chain_profile(8, 1.0, 0.0, seed=4)
    b = chain.chain_profile(8, 2.0, 0.0, seed=4)
    np.testing.assert_array_equal(b.chain.weights, 2 * a.chain.weights)
    np.testing.assert_array_equal(chain.chain_profile(8, 1.0, 0.0, seed=4).grad, a.grad)


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: chain.constant_chain(0, w=1.0), "depth"),
        (lambda: chain.random_chain(0, seed=0), "depth"),
        (lambda: chain.make_chain([], []), "weights"),
        (lambda: chain.make_chain([1.0, 2.0], [0.0]), "biases"),
        (lambda: chain.make_chain([1.0, float("nan")], [0.0, 0.0]), "weights"),
        (lambda: chain.make_chain([1.0], [float("inf")]), "biases"),
        (lambda: chain.make_chain([1.0], [0.0], a0=float("nan")), "a0"),
        (lambda: chain.make_chain([1.0], [0.0], activation="swish"), "activation"),
        (lambda: chain.constant_chain(3, w=float("inf")), "w"),
        (lambda: chain.grad_b_fd(chain.constant_chain(2, w=1.0), h=-1e-6), "h"),
        (lambda: chain.forward(chain.constant_chain(2, w=1.0), dtype="float16"), "dtype"),
        (lambda: chain.random_chain(3, seed=0, n_chains=-2), "n_chains"),
        (lambda: chain.random_chain(3, seed=-1), "seed"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_type_errors_name_the_parameter():
    with pytest.raises(TypeError, match="chain"):
        chain.grad_b_analytic([1.0, 2.0])
    with pytest.raises(TypeError, match="depth"):
        chain.constant_chain("3", w=1.0)
    with pytest.raises(ValueError, match="depth"):
        chain.constant_chain(2.5, w=1.0)


@pytest.mark.parametrize("seed", range(5))
def test_weight_gradient_is_the_input_times_the_bias_gradient(seed):
    c = chain.random_chain(6, seed=seed, a0=0.7)
    w = torch.tensor(c.weights, requires_grad=True)
    a = torch.tensor(c.a0, dtype=torch.float64)
    for j in range(c.depth):
        a = torch.sigmoid(w[j] * a + c.biases[j])
    (0.5 * (a - c.y) ** 2).backward()
    np.testing.assert_allclose(chain.grad_w_analytic(c), w.grad.numpy(), rtol=1e-12)


def test_exploding_chain_weight_and_bias_gradients_in_closed_form():
    """Every z_j = 0: dC/db_1 = (a_L - y) (1/4) 25^(L-1)
    with a_L = 1/2, and dC/dw_1 = a_0 dC/db_1."""
    for depth in (1, 4, 9):
        c = chain.aligned_chain(depth, w=100.0, a0=1.0)
        gb, gw = chain.grad_b_analytic(c), chain.grad_w_analytic(c)
        assert gb[0] == 0.5 * 0.25 * 25.0 ** (depth - 1)
        np.testing.assert_array_equal(gw, gb * np.r_[1.0, np.full(depth - 1, 0.5)])


# --- sizes refused up front, activation named ------------------------------------
@pytest.mark.parametrize(
    "build",
    [
        lambda d: chain.constant_chain(d, w=1.0),
        lambda d: chain.random_chain(d, seed=0),
        lambda d: chain.aligned_chain(d),
        lambda d: chain.chain_profile(d),
    ],
)
@pytest.mark.parametrize("depth", [1001, 10**9, 10**400])
def test_chain_builders_refuse_depths_beyond_the_limit(build, depth):
    # these used to raise numpy's MemoryError or "Maximum allowed dimension exceeded"
    with pytest.raises(ValueError, match=r"^depth must be an integer in \[1, 1000\]"):
        build(depth)


@pytest.mark.parametrize(
    "n_chains,match",
    [
        (10**9, r"n_chains must be an integer in \[1, 2500000\]"),
        (5_000_000, r"n_chains must be an integer in \[1, 2500000\]"),
    ],
)
def test_random_chain_refuses_stacks_beyond_the_limit(n_chains, match):
    with pytest.raises(ValueError, match=match):
        chain.random_chain(4, seed=0, n_chains=n_chains)
    assert chain.random_chain(4, seed=0, n_chains=2_500_000).weights.shape == (2_500_000, 4)


def test_aligned_chain_names_its_activation_parameter():
    with pytest.raises(ValueError, match=r"^activation must be one of"):
        chain.aligned_chain(3, activation="swish")


# --- the guess of the chain chapter: how the first gradient compares with the last ----


def _analysed(grad):
    grad = np.asarray(grad, dtype=float)
    c = chain.make_chain(np.ones(len(grad)), np.zeros(len(grad)))
    zeros = np.zeros(len(grad))
    return chain.ChainGradients(c, zeros, zeros, zeros, grad)


@pytest.mark.parametrize(
    "first, last, words",
    [
        (1.0, 1.0, "about the same size"),
        (1.0, 0.5, "about the same size"),  # 0.5 is still the same size
        (1.0, 0.49, "larger"),
        (-1.0, 1.99, "about the same size"),  # signs do not matter
        (1.0, 2.0, "a few times smaller"),
        (1e-3, 0.999, "a few times smaller"),
        (1e-3, 1.0, "more than a thousand times smaller"),
        (1e-30, 1.0, "more than a thousand times smaller"),
    ],
)
def test_first_compared_puts_the_ratio_in_words(first, last, words):
    analysed = _analysed([first, 0.3, last])
    assert analysed.last_over_first() == pytest.approx(abs(last / first))
    assert analysed.first_compared() == words


def test_first_compared_reads_the_gradients_of_an_analysed_chain():
    analysed = chain.analyse(chain.random_chain(4, seed=0))
    ratio = abs(analysed.grad[-1] / analysed.grad[0])
    assert analysed.last_over_first() == ratio
    assert analysed.first_compared() == _analysed([1.0, 1.0, ratio]).first_compared()


def test_blind_layers_are_the_layers_where_finite_differences_return_exactly_zero():
    routes = chain.GradientRoutes(
        np.array([1e-30, 1e-12, 0.5]), np.array([1e-30, 1e-12, 0.5]), np.array([0.0, 0.0, 0.5])
    )
    np.testing.assert_array_equal(routes.blind_layers(), [1, 2])
    seeing = chain.three_routes(chain.constant_chain(4, w=0.5, b=0.1))
    assert seeing.blind_layers().size == 0
