"""Self-checks of the MNIST chapter: reference answers pass, typical mistakes get their own hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vgp_lib.exercises.mnist import check_shrink_factor, check_speed_ratio

RMS = 0.208


def test_shrink_reference_solution_passes():
    fb = check_shrink_factor(1 / RMS, RMS)
    assert fb.correct and "shrink factor" in fb.message


def test_shrink_rounded_rms_still_passes():
    assert check_shrink_factor(1 / 0.21, RMS).correct


@pytest.mark.parametrize(
    "answer, hint",
    [
        (RMS, "a multiplier"),
        (4.0, "largest value"),
        (1 / RMS**2, "counts it once"),
        (RMS**2, "squares the RMS"),
    ],
)
def test_shrink_typical_mistakes_get_specific_hints(answer, hint):
    fb = check_shrink_factor(answer, RMS)
    assert not fb.correct and hint in fb.hint


def test_shrink_not_attempted_and_nonsense():
    assert check_shrink_factor(..., RMS).status == "not attempted"
    assert check_shrink_factor("five", RMS).status == "incorrect"
    fb = check_shrink_factor(20.0, RMS)
    assert not fb.correct and "too large" in fb.message and fb.hint == ""


def test_shrink_over_seven_layers_reference_passes():
    fb = check_shrink_factor(RMS**-7, RMS, hidden_layers=8)
    assert fb.correct and "last of 8 hidden layers" in fb.message


@pytest.mark.parametrize(
    "answer, hint",
    [
        (1 / RMS, "factors multiply"),
        (RMS**-8, "Count the steps"),
        (4.0**7, "largest value"),
        (RMS**7, "a multiplier"),
        (RMS**-14, "counts it once"),
        (7 / RMS, "do not add"),
        (8 / RMS, "do not add"),
    ],
)
def test_shrink_over_seven_layers_mistakes_get_specific_hints(answer, hint):
    fb = check_shrink_factor(answer, RMS, hidden_layers=8)
    assert not fb.correct and hint in fb.hint


def test_shrink_over_seven_layers_rounded_rms_is_told_to_keep_digits():
    fb = check_shrink_factor(0.21**-7, RMS, hidden_layers=8)
    assert not fb.correct and "close" in fb.message and "every digit" in fb.hint


def test_shrink_feedback_never_shows_the_reference():
    for answer in (1 / RMS, RMS**-8, 1e3, 1e6):
        fb = check_shrink_factor(answer, RMS, hidden_layers=8)
        text = fb.message + fb.hint
        assert f"{RMS**-7:.6g}" not in text and "expected" not in text.lower()


def test_shrink_refuses_a_bad_number_of_hidden_layers():
    from vgp_lib.exercises.mnist import shrink_factor

    for layers in (1, 0, -1, 1.5, True, "8"):
        with pytest.raises(ValueError, match=r"\bhidden_layers must"):
            shrink_factor(RMS, layers)
        assert check_shrink_factor(5.0, RMS, hidden_layers=layers).status == "incorrect"


@pytest.fixture()
def speeds():
    rng = np.random.default_rng(0)
    s = rng.uniform(0.5, 2.0, (2, 5, 4)) * np.array([1e-4, 1e-3, 1e-2, 1e-1])
    return s


def test_ratio_reference_solution_passes(speeds):
    assert check_speed_ratio(speeds[0, -1, -1] / speeds[0, -1, 0], speeds).correct


@pytest.mark.parametrize(
    "make, hint",
    [
        (lambda s: s[0, -1, 0] / s[0, -1, -1], "divided the first"),
        (lambda s: s[0, 0, -1] / s[0, 0, 0], "initialisation"),
        (lambda s: np.median(s[0, :, -1] / s[0, :, 0]), "median"),
        (lambda s: s[0, -1, -1] / s[0, -1, -2], "last two hidden layers"),
    ],
)
def test_ratio_typical_mistakes_get_specific_hints(speeds, make, hint):
    fb = check_speed_ratio(make(speeds), speeds)
    assert not fb.correct and hint in fb.hint


def test_ratio_not_attempted_and_wrong_shape(speeds):
    assert check_speed_ratio(..., speeds).status == "not attempted"
    fb = check_speed_ratio(3.0, speeds[0])
    assert not fb.correct and "shape" in fb.message


def test_the_reference_answers_refuse_bad_arguments_by_name():
    from vgp_lib.exercises.mnist import shrink_factor, speed_ratio

    for rms in (0.0, 1e-310, "0.2", math.nan):
        with pytest.raises((TypeError, ValueError), match=r"\brms must"):
            shrink_factor(rms)
    s = np.ones((1, 2, 3))
    s[0, -1, 0] = 0.0
    for speeds in (s, np.ones((1, 2)), np.ones((0, 2, 3)), "x"):
        with pytest.raises((TypeError, ValueError), match=r"\bspeeds must"):
            speed_ratio(speeds)
    assert check_speed_ratio(1.0, s).status == "incorrect"  # the check explains, never raises
