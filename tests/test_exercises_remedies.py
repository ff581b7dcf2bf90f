"""Self-checks of the chapter *Remedies, measured*:
reference answers pass, typical mistakes get their hint."""

import math

import numpy as np
import pytest

from vgp_lib.exercises.remedies import balance_ratio, check_clip, check_tanh_scale


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


def _global(grads, c):
    norm = np.sqrt(sum(float(np.sum(g**2)) for g in grads))
    return [g * min(1.0, c / norm) for g in grads]


@pytest.mark.parametrize(
    "clip, words",
    [
        (lambda g, c: [x * c / np.sqrt(sum((y**2).sum() for y in g)) for x in g], ["min(1"]),
        (
            lambda g, c: [x * min(1, c / np.linalg.norm(x)) for x in g],
            ["each array", "one norm over all"],
        ),
        (lambda g, c: [np.clip(x, -c, c) for x in g], ["clipping by value"]),
        (lambda g, c: [x * c / sum(np.abs(y).sum() for y in g) for x in g], ["below max_norm"]),
        (lambda g, c: [x * 2 for x in g], ["above max_norm"]),
        (lambda g, c: g[:1], ["one array per input array"]),
        (lambda g, c: 1 / 0, ["ZeroDivisionError"]),
    ],
)
def test_clip_typical_wrong_answers(clip, words):
    fb = check_clip(clip)
    assert not fb.correct
    text = fb.message + " " + fb.hint
    for word in words:
        assert word in text


def test_clip_reference_passes_and_placeholders():
    assert check_clip(_global).correct
    assert check_clip(...).status == "not attempted"
    assert check_clip(lambda g, c: ...).status == "not attempted"
    assert not check_clip(42).correct


# --------------------------------------------------------------------------- regressions


@pytest.mark.parametrize("scale", [1e-10, 1e-300, 5e-324, 1e-3])
def test_tiny_tanh_scales_are_explained_not_raised(scale):
    """Regression: 1e-10 raised a math domain error, 1e-300 said "nan orders of magnitude"."""
    fb = check_tanh_scale(scale)
    assert fb.status == "incorrect"
    assert "nan" not in fb.message


def test_clip_returning_nan_is_not_correct():
    fb = check_clip(lambda g, c: [x * np.nan for x in g])
    assert not fb.correct and "NaN" in fb.message


def test_clip_that_never_returns_or_returns_an_endless_generator():
    def forever(grads, max_norm):
        while True:
            pass

    def endless(grads, max_norm):
        def gen():
            while True:
                yield grads[0]

        return gen()

    assert "did not return" in check_clip(forever, time_limit=0.2).message
    assert not check_clip(endless).correct


@pytest.mark.parametrize("scale", [1e300, 0.0, -1.0, math.nan, "1.0", None])
def test_balance_ratio_refuses_a_scale_outside_the_checked_range_by_name(scale):
    with pytest.raises((TypeError, ValueError), match=r"\bscale must"):
        balance_ratio(scale)
