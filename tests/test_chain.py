"""vgp_lib.chain: the gradient triangle (product, autograd, finite differences), overflow, validation."""

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
    np.testing.assert_allclose(chain.grad_b_analytic(c), chain.grad_b_autograd(c), rtol=1e-10, atol=1e-300)


def test_stacks_of_chains_are_rows_of_single_chains():
    stack = chain.random_chain(6, seed=3, n_chains=4)
    rows = [chain.make_chain(w, b) for w, b in zip(stack.weights, stack.biases)]
    np.testing.assert_allclose(chain.grad_b_analytic(stack), [chain.grad_b_analytic(r) for r in rows], rtol=1e-15)
    np.testing.assert_allclose(chain.grad_b_autograd(stack), chain.grad_b_analytic(stack), rtol=1e-10)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_finite_differences_agree_on_short_chains(depth):
    for seed in range(10):
        c = chain.random_chain(depth, seed=seed)
        np.testing.assert_allclose(chain.grad_b_fd(c), chain.grad_b_analytic(c), rtol=1e-6, atol=1e-12)


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


def test_log10_matches_direct_values_where_they_are_finite():
    c = chain.random_chain(30, seed=5)
    with np.errstate(divide="ignore"):
        direct = np.log10(np.abs(chain.grad_b_analytic(c)))
    np.testing.assert_allclose(chain.log10_abs_grad_b(c), direct, rtol=1e-10)


def test_power_overflow_depth_by_brute_force():
    for dtype, np_type in (("float32", np.float32), ("float64", np.float64)):
        depth = chain.power_overflow_depth(25, dtype)
        with np.errstate(over="ignore"):
            assert np.isfinite(np_type(25) ** np_type(depth - 1))
            assert np.isinf(np_type(25) ** np_type(depth))


@pytest.mark.parametrize("dtype,torch_dtype", [("float32", torch.float32), ("float64", torch.float64)])
def test_overflow_depth_matches_torch_backprop(dtype, torch_dtype):
    depth = chain.first_overflow_depth(dtype)
    for d, expect_inf in ((depth - 1, False), (depth, True)):
        c = chain.aligned_chain(d)
        w = torch.tensor(c.weights, dtype=torch_dtype)
        b = torch.tensor(c.biases, dtype=torch_dtype, requires_grad=True)
        a = torch.tensor(c.a0, dtype=torch_dtype)
        for j in range(d):
            a = torch.sigmoid(w[j] * a + b[j])
        (0.5 * (a - c.y) ** 2).backward()
        assert bool(torch.isinf(b.grad[0])) == expect_inf
        assert bool(chain.grad_b_in_dtype(c, dtype).overflow[0]) == expect_inf


def test_overflow_is_reported_not_silent():
    r = chain.grad_b_in_dtype(chain.aligned_chain(40), "float32")
    assert r.any_overflow and not np.isnan(r.grad).any()
    assert np.all(r.log10_exact[r.overflow] > np.log10(r.largest) - 1)  # the exact size explains the inf
    assert "overflowed" in r.explain() and "float32" in r.explain()
    ok = chain.grad_b_in_dtype(chain.aligned_chain(10), "float64")
    assert not ok.any_overflow and "finite" in ok.explain()


def test_float64_dtype_result_matches_analytic():
    c = chain.random_chain(15, seed=2)
    np.testing.assert_allclose(chain.grad_b_in_dtype(c, "float64").grad, chain.grad_b_analytic(c), rtol=1e-15)


def test_exploding_profile_without_alignment_vanishes():
    aligned = chain.exploding_profile(100.0, 10, True)
    off = chain.exploding_profile(100.0, 10, False)
    assert aligned.log10_exact[0] > 10 and off.log10_exact[0] < -10


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
        (lambda: chain.first_overflow_depth("float32", max_depth=0), "max_depth"),
        (lambda: chain.random_chain(3, seed=0, n_chains=-2), "n_chains"),
        (lambda: chain.random_chain(3, seed=-1), "seed"),
        (lambda: chain.power_overflow_depth(1.0), "base"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_type_errors_name_the_parameter():
    with pytest.raises(TypeError, match="chain"):
        chain.grad_b_analytic([1.0, 2.0])
    with pytest.raises(TypeError, match="align"):
        chain.exploding_profile(100.0, 3, "yes")
    with pytest.raises(TypeError, match="depth"):
        chain.constant_chain("3", w=1.0)
    with pytest.raises(ValueError, match="depth"):
        chain.constant_chain(2.5, w=1.0)


# --- issue 12: hangs refused or removed --------------------------------------------------------
def test_power_overflow_depth_near_one_is_quick_and_agrees_with_the_logarithm():
    import math
    import time

    t0 = time.perf_counter()
    assert chain.power_overflow_depth(1.001, "float32") == 88768
    depth = chain.power_overflow_depth(1 + 1e-9, "float32")  # used to never return
    assert time.perf_counter() - t0 < 1.0
    expected = math.log(float(np.finfo(np.float32).max)) / math.log1p((1 + 1e-9) - 1)
    assert depth == math.floor(expected) + 1
    assert chain.power_overflow_depth(1.01, "float32") == 8917  # exact check below 20 000 steps


def test_first_overflow_depth_refuses_a_search_longer_than_its_limit():
    with pytest.raises(ValueError, match=r"max_depth must be an integer in \[1, 600\]"):
        chain.first_overflow_depth("float32", max_depth=4000)
    assert chain.first_overflow_depth("float32") == 29


# --- issue 12: sizes refused up front, activation named ------------------------------------
@pytest.mark.parametrize("build", [lambda d: chain.constant_chain(d, w=1.0),
                                   lambda d: chain.random_chain(d, seed=0),
                                   lambda d: chain.aligned_chain(d),
                                   lambda d: chain.chain_profile(d)])
@pytest.mark.parametrize("depth", [1001, 10**9, 10**400])
def test_chain_builders_refuse_depths_beyond_the_limit(build, depth):
    # these used to raise numpy's MemoryError or "Maximum allowed dimension exceeded"
    with pytest.raises(ValueError, match=r"^depth must be an integer in \[1, 1000\]"):
        build(depth)


@pytest.mark.parametrize("n_chains,match", [
    (10**9, r"n_chains must be an integer in \[1, 10000000\]"),
    (5_000_000, r"n_chains must be at most 2,500,000 for depth=4"),
])
def test_random_chain_refuses_stacks_beyond_the_limit(n_chains, match):
    with pytest.raises(ValueError, match=match):
        chain.random_chain(4, seed=0, n_chains=n_chains)
    assert chain.random_chain(4, seed=0, n_chains=2_500_000).weights.shape == (2_500_000, 4)


def test_aligned_chain_names_its_activation_parameter():
    with pytest.raises(ValueError, match=r"^activation must be one of"):
        chain.aligned_chain(3, activation="swish")
