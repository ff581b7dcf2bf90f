"""vgp_lib.identity: the identity neuron (Taylor error
w1^2/96) and a hidden layer that does nothing."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vgp_lib import identity


@given(st.floats(1e-3, 0.5))
def test_error_follows_the_taylor_estimate(w1):
    err = identity.max_error(identity.identity_neuron(w1))
    assert math.isclose(err, w1**2 / 96, rel_tol=0.02)


def test_error_shrinks_then_rounding_takes_over():
    c = identity.error_curve(1e-7, 1.0, n=57)
    best = int(np.argmin(c.error))
    assert 1e-6 < c.w1[best] < 1e-3 and c.error[best] < 1e-9
    assert c.error[0] > 10 * c.error[best]  # tiny w1: cancellation of numbers of size 2/w1
    assert np.all(np.diff(c.error[best:]) > 0)


@given(st.floats(-0.2, -1e-3))
def test_negative_w1_works_too(w1):
    assert identity.max_error(identity.identity_neuron(w1)) < w1**2 / 90


def test_without_c_the_output_is_far_from_x():
    n = identity.identity_neuron(0.01)
    x = np.linspace(0, 1, 101)
    no_c = n.w2 * (1 / (1 + np.exp(-(n.w1 * x + n.b))))
    assert np.abs(no_c - x).min() > 100  # the constant w2/2 dominates


@pytest.mark.parametrize("n", [1, 2, 5, 30])
def test_layer_does_nothing(n):
    layer = identity.identity_layer(n, w1=0.01)
    assert identity.layer_max_error(layer, seed=1) < 2e-6


def test_layer_output_matches_neuron_by_neuron():
    layer = identity.identity_layer(3, w1=0.2)
    neuron = identity.identity_neuron(0.2)
    X = np.random.default_rng(0).random((50, 3))
    np.testing.assert_allclose(
        identity.layer_output(layer, X), identity.neuron_output(neuron, X), rtol=1e-14
    )


def test_a_mixing_layer_is_detected():
    layer = identity.identity_layer(3)
    W1 = layer.W1 + 0.01
    assert identity.layer_max_error((W1, layer.b, layer.W2, layer.c)) > 1e-3


@pytest.mark.parametrize(
    "call,exc,name",
    [
        (lambda: identity.identity_neuron(0.0), ValueError, "w1"),
        (lambda: identity.identity_neuron(float("nan")), ValueError, "w1"),
        (lambda: identity.identity_layer(0), ValueError, "n"),
        (lambda: identity.error_curve(1.0, 0.5), ValueError, "w1_max"),
        (lambda: identity.error_curve(-1.0, 0.5), ValueError, "w1_min"),
        (
            lambda: identity.layer_output(identity.identity_layer(2), np.zeros((4, 3))),
            ValueError,
            "X",
        ),
        (
            lambda: identity.layer_output(
                (np.eye(2), np.zeros(3), np.eye(2), np.zeros(2)), np.zeros((1, 2))
            ),
            ValueError,
            "b",
        ),
        (lambda: identity.layer_output((np.eye(2),), np.zeros((1, 2))), TypeError, "layer"),
        (lambda: identity.max_error(identity.identity_neuron(0.1), n=-3), ValueError, "n"),
    ],
)
def test_bad_input_names_the_parameter(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


@pytest.mark.parametrize("w1", [1e-310, -1e-310, 5e-324, 1e-151, 1e151])
def test_identity_neuron_refuses_w1_outside_float64_range(w1):
    # Issue 12: identity_neuron(1e-310) returned w2=inf, c=-inf and a NaN output.
    with pytest.raises(ValueError, match=r"1e-150 <= \|w1\| <= 1e\+150"):
        identity.identity_neuron(w1)
    with pytest.raises(ValueError, match=r"\bw1\b"):
        identity.identity_layer(2, w1=w1)


@pytest.mark.parametrize("lo,hi", [(1e-150, 1e-149), (1e149, 1e150)])
def test_identity_neuron_at_the_limits_is_finite(lo, hi):
    assert math.isfinite(identity.max_error(identity.identity_neuron(lo)))
    assert math.isfinite(identity.max_error(identity.identity_neuron(-hi)))
    c = identity.error_curve(lo, hi, n=2)
    assert np.all(np.isfinite(c.error)) and np.all(np.isfinite(c.taylor))


def test_error_curve_refuses_w1_beyond_the_limits():
    with pytest.raises(ValueError, match="w1_min"):
        identity.error_curve(1e-310, 1.0)
    with pytest.raises(ValueError, match="w1_max"):
        identity.error_curve(1.0, 1e300)


@pytest.mark.parametrize("bad", [None, (0.01, -0.005, 400.0, -199.5), identity.identity_layer(1)])
def test_neuron_functions_check_the_neuron_object(bad):
    with pytest.raises(TypeError, match=r"\bneuron must be an IdentityNeuron"):
        identity.max_error(bad)
    with pytest.raises(TypeError, match=r"\bneuron must be an IdentityNeuron"):
        identity.neuron_output(bad, [0.5])


@pytest.mark.parametrize(
    "call,match",
    [
        (
            lambda: identity.max_error(identity.identity_neuron(0.01), n=10**9),
            r"^n must be .* 10000000\]",
        ),
        (lambda: identity.error_curve(n=10**9), r"^n must be an integer in \[2, 10000\]"),
        (lambda: identity.error_curve(n=10**400), r"^n must be an integer in \[2, 10000\]"),
        (lambda: identity.identity_layer(10**9), r"^n must be an integer in \[1, 2000\]"),
        (
            lambda: identity.layer_max_error(identity.identity_layer(2), m=10**30),
            r"^m must be .*5000000\]",
        ),
        (
            lambda: identity.layer_max_error(identity.identity_layer(1000), m=2000),
            r"^m must be an integer in \[1, 1000\]",
        ),
    ],
)
def test_sizes_beyond_the_limits_are_refused_up_front(call, match):
    # Issue 12: these ran out of memory (identity_layer(10**9) asked for 6.9 EiB).
    with pytest.raises(ValueError, match=match):
        call()
