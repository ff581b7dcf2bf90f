"""Self-checks of the chapter *Initialisation*: reference answers pass and agree with
computations that do not use the library, typical slips get their own hint, and wrong
answers fail without being told the answer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.initialisation import (
    EQUAL_HIDDEN,
    EQUAL_RUN,
    EQUAL_W,
    EQUAL_X,
    EQUAL_Y,
    MIXED_RANDOM,
    balance_ratio,
    check_equal_gradient,
    check_equal_units,
    check_pytorch_factor,
    check_tanh_scale,
    equal_start_gradient,
    equal_start_units,
    pytorch_sigmoid_factor,
)

# ------------------------------------------------------------ ex-initialisation-equal-units


def test_equal_units_reference_is_the_random_units_plus_one_and_passes():
    from vgp_lib import symmetry

    assert MIXED_RANDOM == 2 and equal_start_units() == MIXED_RANDOM + 1 == 3
    # independently: count the different rows of the trained mixed network by hand
    run = symmetry.train_from("mixed", n_random=MIXED_RANDOM, **EQUAL_RUN)
    rows = {tuple(r) for r in run.units.tolist()}
    assert len(rows) == 3
    for answer in (3, 3.0, np.int64(3)):
        assert check_equal_units(answer).status == CORRECT


@pytest.mark.parametrize(
    "answer, words",
    [
        (EQUAL_RUN["n_hidden"], "same δ^2"),  # the random units break every tie
        (1, "own random weights"),  # every unit ends equal
        (2, "Count every set of equal units once"),  # only the random units counted
        (4, "Follow one SGD step"),
        (7, "Follow one SGD step"),
    ],
)
def test_equal_units_wrong_counts_get_their_hint_not_the_answer(answer, words):
    fb = check_equal_units(answer)
    assert fb.status == INCORRECT and words in fb.hint, fb
    assert "3" not in fb.message + fb.hint


@pytest.mark.parametrize("answer", [0, 9, 2.5, -1, "x", None, ...])
def test_equal_units_junk(answer):
    fb = check_equal_units(answer)
    assert fb.status != CORRECT
    if answer is ... or answer is None:
        assert fb.status == NOT_ATTEMPTED


# ------------------------------------------------------------ ex-initialisation-equal-gradient


def _by_hand():
    """∂C/∂W^1 of the exercise's network, one unit at a time, in plain Python floats."""
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    z1 = [EQUAL_W * EQUAL_X[0] + EQUAL_W * EQUAL_X[1] for _ in range(EQUAL_HIDDEN)]
    a1 = [sig(z) for z in z1]
    a2 = sig(sum(EQUAL_W * a for a in a1))
    d2 = a2 - EQUAL_Y
    return [[a * (1 - a) * EQUAL_W * d2 * xi for xi in EQUAL_X] for a in a1]


def test_equal_gradient_reference_agrees_with_a_hand_computation_and_with_autograd():
    import torch

    ref = equal_start_gradient()
    np.testing.assert_allclose(ref, _by_hand(), rtol=1e-14)
    w1 = torch.full((EQUAL_HIDDEN, 2), EQUAL_W, dtype=torch.float64, requires_grad=True)
    w2 = torch.full((EQUAL_HIDDEN,), EQUAL_W, dtype=torch.float64)
    x = torch.tensor(EQUAL_X, dtype=torch.float64)
    z2 = w2 @ torch.sigmoid(w1 @ x)
    cost = torch.nn.functional.binary_cross_entropy_with_logits(
        z2, torch.tensor(EQUAL_Y, dtype=torch.float64)
    )
    cost.backward()
    np.testing.assert_allclose(ref, w1.grad.numpy(), rtol=1e-12)
    assert np.all(ref == ref[0])  # the lesson: every row the same


def test_equal_gradient_reference_passes_in_any_array_form():
    ref = equal_start_gradient()
    assert check_equal_gradient(ref).status == CORRECT
    assert check_equal_gradient(ref.tolist()).status == CORRECT
    assert check_equal_gradient(np.array([[float(f"{v:.3g}") for v in r] for r in ref])).correct


def _slip(**kwargs):
    from vgp_lib.exercises.initialisation import _equal_start

    return _equal_start(**kwargs)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: _slip(hidden_prime=False), "σ′(z^1)"),
        (lambda: _slip(cross_entropy=False), "no σ′ of the output"),
        (lambda: _slip(with_w2=False), "joins it to the output"),
        (lambda: _slip(sign=-1.0), "sign"),
        (lambda: equal_start_gradient().T, "one row per hidden unit"),
        (lambda: equal_start_gradient() * np.array([[1.0], [2.0], [3.0]]), "rows differ"),
        (lambda: equal_start_gradient() * 10, "too large"),
        (lambda: equal_start_gradient()[:2], "shape"),
    ],
)
def test_equal_gradient_slips_get_their_hint(make, words):
    fb = check_equal_gradient(make())
    assert fb.status == INCORRECT
    assert words in fb.message + " " + fb.hint


def test_equal_gradient_never_tells_the_answer():
    ref = equal_start_gradient()
    for wrong in (ref * 10, ref * 0.5, _slip(hidden_prime=False), np.zeros((3, 2))):
        fb = check_equal_gradient(wrong)
        assert f"{ref[0, 0]:.3g}" not in fb.message + fb.hint


def test_equal_gradient_junk():
    assert check_equal_gradient(...).status == NOT_ATTEMPTED
    for junk in ("a", 1.0, [[1, 2], [3]], np.full((3, 2), np.nan), {"a": 1}, [1j, 2]):
        assert check_equal_gradient(junk).status == INCORRECT, junk


# ------------------------------------------------------------ ex-initialisation-pytorch-factor


def test_pytorch_factor_is_root_a_third_times_a_quarter():
    assert pytorch_sigmoid_factor() == pytest.approx(math.sqrt(1 / 3) / 4, rel=1e-15)
    assert check_pytorch_factor(pytorch_sigmoid_factor()).status == CORRECT
    # σ′ at the measured rms instead of the peak is right too, to the stated 3 %
    assert check_pytorch_factor(math.sqrt(1 / 3) * 0.245).status == CORRECT


@pytest.mark.parametrize(
    "answer, words",
    [
        (0.25, "LeCun"),
        (math.sqrt(1 / 12) / 4, "width of the interval"),
        (1 / 3 / 16, "variance of δ"),
        (math.sqrt(1 / 3), "left out σ′"),
        (math.sqrt(1 / 12), "squared"),
        (1 / 12, "Mind what is squared"),
        (4 * math.sqrt(3), "going up"),
    ],
)
def test_pytorch_factor_slips_get_their_hint(answer, words):
    fb = check_pytorch_factor(answer)
    assert fb.status == INCORRECT and words in fb.hint, fb


def test_pytorch_factor_other_wrong_answers_get_a_side_but_not_the_answer():
    big, small = check_pytorch_factor(0.4), check_pytorch_factor(0.01)
    assert "Too large" in big.hint and "Too small" in small.hint
    for fb in (big, small):
        assert "0.144" not in fb.message + fb.hint


def test_pytorch_factor_junk():
    assert check_pytorch_factor(...).status == NOT_ATTEMPTED
    for junk in ("small", [0.14], math.nan, True):
        assert check_pytorch_factor(junk).status == INCORRECT


# ------------------------------------------------------------ ex-initialisation-tanh-scale


def test_tanh_scale_reference_passes_and_band_is_measured():
    fb = check_tanh_scale(1.25)
    assert fb.correct
    assert 0.5 <= balance_ratio(1.25) <= 2


@pytest.mark.parametrize(
    "scale, words",
    [
        (1.0, ["vanishes", "Xavier"]),
        (5 / 3, ["explodes", "calculate_gain"]),
        (0.3, ["vanishes", "increase"]),
        (3.0, ["explodes", "decrease"]),
    ],
)
def test_tanh_scale_typical_wrong_answers(scale, words):
    fb = check_tanh_scale(scale)
    assert not fb.correct
    text = fb.message + " " + fb.hint
    for word in words:
        assert word in text


def test_tanh_scale_he_gain_passes_with_a_remark_and_junk_does_not_raise():
    fb = check_tanh_scale(math.sqrt(2))
    assert fb.correct and "He" in fb.hint
    assert check_tanh_scale(...).status == "not attempted"
    assert not check_tanh_scale(-1).correct
    assert not check_tanh_scale("big").correct
    assert not check_tanh_scale(True).correct


@pytest.mark.parametrize("scale", [1e-10, 1e-300, 5e-324, 1e-3])
def test_tiny_tanh_scales_are_explained_not_raised(scale):
    """Regression: 1e-10 raised a math domain error, 1e-300 said "nan orders of magnitude"."""
    fb = check_tanh_scale(scale)
    assert fb.status == "incorrect"
    assert "nan" not in fb.message


@pytest.mark.parametrize("scale", [1e300, 0.0, -1.0, math.nan, "1.0", None])
def test_balance_ratio_refuses_a_scale_outside_the_checked_range_by_name(scale):
    with pytest.raises((TypeError, ValueError), match=r"\bscale must"):
        balance_ratio(scale)


def test_every_check_states_its_precision():
    assert check_equal_units.precision == "exact (a whole number)"
    assert check_equal_gradient.precision == "every entry to 3 significant figures"
    assert check_pytorch_factor.precision == "within 3 %"
