"""vgp_lib.precision: the chain's gradient in float32 and float64, and where it overflows."""

import math

import numpy as np
import pytest
import torch

from vgp_lib import chain, precision


def test_log10_matches_direct_values_where_they_are_finite():
    c = chain.random_chain(30, seed=5)
    with np.errstate(divide="ignore"):
        direct = np.log10(np.abs(chain.grad_b_analytic(c)))
    np.testing.assert_allclose(precision.log10_abs_grad_b(c), direct, rtol=1e-10)


def test_power_overflow_depth_by_brute_force():
    for dtype, np_type in (("float32", np.float32), ("float64", np.float64)):
        depth = precision.power_overflow_depth(25, dtype)
        with np.errstate(over="ignore"):
            assert np.isfinite(np_type(25) ** np_type(depth - 1))
            assert np.isinf(np_type(25) ** np_type(depth))


@pytest.mark.parametrize(
    "dtype,torch_dtype", [("float32", torch.float32), ("float64", torch.float64)]
)
def test_overflow_depth_matches_torch_backprop(dtype, torch_dtype):
    depth = precision.first_overflow_depth(dtype)
    for d, expect_inf in ((depth - 1, False), (depth, True)):
        c = chain.aligned_chain(d)
        w = torch.tensor(c.weights, dtype=torch_dtype)
        b = torch.tensor(c.biases, dtype=torch_dtype, requires_grad=True)
        a = torch.tensor(c.a0, dtype=torch_dtype)
        for j in range(d):
            a = torch.sigmoid(w[j] * a + b[j])
        (0.5 * (a - c.y) ** 2).backward()
        assert bool(torch.isinf(b.grad[0])) == expect_inf
        assert bool(precision.grad_b_in_dtype(c, dtype).overflow[0]) == expect_inf


def test_overflow_is_reported_not_silent():
    r = precision.grad_b_in_dtype(chain.aligned_chain(40), "float32")
    assert r.any_overflow and not np.isnan(r.grad).any()
    assert np.all(
        r.log10_exact[r.overflow] > np.log10(r.largest) - 1
    )  # the exact size explains the inf
    assert "overflowed" in r.explain() and "float32" in r.explain()
    ok = precision.grad_b_in_dtype(chain.aligned_chain(10), "float64")
    assert not ok.any_overflow and "finite" in ok.explain()


def test_float64_dtype_result_matches_analytic():
    c = chain.random_chain(15, seed=2)
    np.testing.assert_allclose(
        precision.grad_b_in_dtype(c, "float64").grad, chain.grad_b_analytic(c), rtol=1e-15
    )


def test_exploding_profile_without_alignment_vanishes():
    aligned = precision.exploding_profile(100.0, 10, True)
    off = precision.exploding_profile(100.0, 10, False)
    assert aligned.log10_exact[0] > 10 and off.log10_exact[0] < -10


# --- hangs refused or removed ------------------------------------------------------------------
def test_power_overflow_depth_near_one_returns_and_agrees_with_the_logarithm():
    assert precision.power_overflow_depth(1.001, "float32") == 88768
    depth = precision.power_overflow_depth(1 + 1e-9, "float32")  # used to never return
    expected = math.log(float(np.finfo(np.float32).max)) / math.log1p((1 + 1e-9) - 1)
    assert depth == math.floor(expected) + 1
    assert precision.power_overflow_depth(1.01, "float32") == 8917  # exact check below 20 000 steps


def test_first_overflow_depth_refuses_a_search_longer_than_its_limit():
    with pytest.raises(ValueError, match=r"max_depth must be an integer in \[1, 600\]"):
        precision.first_overflow_depth("float32", max_depth=4000)
    assert precision.first_overflow_depth("float32") == 29


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: precision.first_overflow_depth("float32", max_depth=0), "max_depth"),
        (lambda: precision.power_overflow_depth(1.0), "base"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_type_errors_name_the_parameter():
    with pytest.raises(TypeError, match="align"):
        precision.exploding_profile(100.0, 3, "yes")
    with pytest.raises(TypeError, match="chain"):
        precision.grad_b_in_dtype([1.0, 2.0])


def test_exact_overflow_depth_is_where_the_sum_of_logs_passes_the_largest_number():
    for dtype in ("float32", "float64"):
        depth = precision.exact_overflow_depth(dtype)
        top = np.log10(float(np.finfo(dtype).max))
        assert precision.log10_abs_grad_b(chain.aligned_chain(depth))[0] > top
        assert precision.log10_abs_grad_b(chain.aligned_chain(depth - 1))[0] <= top
    # the float arithmetic overflows on the way, one layer before the exact value does
    assert precision.first_overflow_depth("float32") <= precision.exact_overflow_depth("float32")


def test_exact_overflow_depth_gives_none_below_max_depth_and_checks_its_arguments():
    assert precision.exact_overflow_depth("float64", max_depth=50) is None
    with pytest.raises(ValueError, match="max_depth"):
        precision.exact_overflow_depth("float32", max_depth=0)
    with pytest.raises((TypeError, ValueError), match="dtype"):
        precision.exact_overflow_depth("int8")
