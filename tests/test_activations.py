"""vgp_lib.activations: bounds, agreement with PyTorch
autograd (float64), no warnings in the tails."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vgp_lib import activations

finite = st.floats(allow_nan=False, allow_infinity=False)

TORCH = {name: activations.torch_function(name) for name in activations.ACTIVATIONS}


@given(finite)
def test_sigmoid_prime_between_0_and_a_quarter(z):
    s = float(activations.sigmoid_prime(z))
    assert 0.0 <= s <= 0.25


@given(finite)
def test_tanh_prime_between_0_and_1(z):
    assert 0.0 <= float(activations.tanh_prime(z)) <= 1.0


def test_derivative_bounds_hold_exactly_near_zero():
    """Rounding in e/(1+e)^2 once gave 0.25000000000000006 at z = 4.5e-10."""
    z = np.concatenate([np.linspace(-1e-6, 1e-6, 20001), [4.5422008535482246e-10]])
    assert activations.sigmoid_prime(z).max() <= 0.25
    assert activations.tanh_prime(z).max() <= 1.0


def test_sigmoid_prime_peaks_at_zero():
    z = np.linspace(-10, 10, 20001)
    s = activations.sigmoid_prime(z)
    assert z[np.argmax(s)] == 0.0 and s.max() == 0.25


@given(st.floats(-700, 700))
def test_sigmoid_prime_is_sigma_times_one_minus_sigma(z):
    # 1 - sigma(z) = sigma(-z); writing it that way keeps every digit in the tails,
    # where 1 - s itself (as in s*(1-s)) would cancel catastrophically
    expected = activations.sigmoid(z) * activations.sigmoid(-z)
    assert np.isclose(activations.sigmoid_prime(z), expected, rtol=1e-12, atol=0)


def test_every_activation_has_a_torch_reference():
    assert set(TORCH) == set(activations.ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_value_and_derivative_match_torch_autograd(name):
    # avoid the kinks at 0, where one-sided conventions are a matter of taste
    z = np.concatenate([np.linspace(-20, -1e-3, 400), np.linspace(1e-3, 20, 400)])
    f, f_prime = activations.get(name)
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    yt = TORCH[name](zt)
    (g,) = torch.autograd.grad(yt.sum(), zt)
    np.testing.assert_allclose(f(z), yt.detach().numpy(), rtol=1e-12, atol=1e-15)
    # torch's sigmoid/tanh backward (y(1-y), 1-y^2) loses relative digits in the
    # right tail, so compare with an absolute floor there
    np.testing.assert_allclose(f_prime(z), g.numpy(), rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_derivative_matches_central_differences(name):
    z = np.array([-3.1, -0.7, 0.4, 2.5])
    f, f_prime = activations.get(name)
    h = 1e-6
    np.testing.assert_allclose(f_prime(z), (f(z + h) - f(z - h)) / (2 * h), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_no_warning_and_finite_for_huge_inputs(name):
    # pytest runs with warnings as errors, so an overflow warning fails here
    z = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4])
    f, f_prime = activations.get(name)
    assert np.all(np.isfinite(f(z))) and np.all(np.isfinite(f_prime(z)))


@settings(max_examples=200)
@given(st.floats(-1e4, 1e4))
def test_sigmoid_stays_in_unit_interval(z):
    s = float(activations.sigmoid(z))
    assert 0.0 <= s <= 1.0


@pytest.mark.parametrize("lookup", [activations.get, activations.torch_function])
@pytest.mark.parametrize(
    "bad,error", [("softsign", ValueError), ("", ValueError), (None, TypeError), (3, TypeError)]
)
def test_unknown_activation_names_the_parameter(lookup, bad, error):
    # Issue 12: the message said "activation must be ...", but the parameter is called name.
    with pytest.raises(error, match=r"^name must be one of 'sigmoid'"):
        lookup(bad)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_no_warning_even_at_the_float64_extremes(name):
    f, f_prime = activations.get(name)
    z = np.array([-np.finfo(float).max, -1e4, 0.0, 1e4, np.finfo(float).max])
    assert np.all(np.isfinite(f_prime(z)))
    assert not np.any(np.isnan(f(z)))


_ALL_FUNCTIONS = [f for pair in activations.ACTIVATIONS.values() for f in pair]


@pytest.mark.parametrize("f", _ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "bad",
    [None, [None, 1.0], np.array([1.0, None], dtype=object), [1 + 2j], np.array([0.5 + 1j]), "0.5"],
)
def test_activations_refuse_non_numbers_by_name(f, bad):
    # Issue 12: sigmoid(None) returned nan; complex input silently lost its imaginary part.
    with pytest.raises(TypeError, match=r"^z must be an array of real numbers"):
        f(bad)


@pytest.mark.parametrize("f", _ALL_FUNCTIONS, ids=lambda f: f.__name__)
def test_activations_refuse_integers_beyond_float64(f):
    with pytest.raises(
        ValueError, match=r"^z must contain only finite numbers \(found a number beyond"
    ):
        f(np.array([1, 10**400], dtype=object))


@pytest.mark.parametrize(
    "f,param",
    [
        (activations.leaky_relu, "slope"),
        (activations.leaky_relu_prime, "slope"),
        (activations.elu, "alpha"),
        (activations.elu_prime, "alpha"),
    ],
)
@pytest.mark.parametrize(
    "bad,error",
    [(None, TypeError), ("0.1", TypeError), (float("nan"), ValueError), (10**400, ValueError)],
)
def test_activation_parameters_are_checked(f, param, bad, error):
    with pytest.raises(error, match=rf"^{param} must be"):
        f([-1.0, 1.0], **{param: bad})


def test_derivative_curves_come_from_the_activation_module():
    c = activations.derivative_curves(("tanh", "gelu"), z=[-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(c.values[0], activations.tanh_prime([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(c.values[1], activations.gelu_prime([-1.0, 0.0, 2.0]))


def test_derivative_curves_refuse_a_grid_that_is_not_one_dimensional():
    with pytest.raises(ValueError, match="z must be 1-dimensional"):
        activations.derivative_curves(z=[[0.0]])


@pytest.mark.parametrize("f", _ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "bad", [np.nan, np.inf, -np.inf, [0.0, np.nan], np.array([[1.0], [np.inf]])]
)
def test_activations_refuse_nan_and_inf(f, bad):
    # Issue 12: elu(nan) returned nan and relu(inf) inf; a reader gets told instead.
    with pytest.raises(ValueError, match=r"^z must contain only finite numbers"):
        f(bad)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_finite_check_leaves_values_unchanged(name):
    # the check only refuses: for finite input every activation returns what it always did
    f, f_prime = activations.get(name)
    z = np.array([-np.finfo(float).max, -30.0, -1e-300, 0.0, 0.5, 700.0])
    assert f(z).dtype == np.float64 and np.isfinite(f_prime(z)).all()
    assert type(f(0.5)) is np.float64
