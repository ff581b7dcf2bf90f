"""Self-checks of the chapter *Unstable gradients and how rare balance is*."""

import math

import numpy as np

from vgp_lib import bound, identity
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.unstable import (
    check_identity_layer,
    check_identity_neuron,
    check_larger_derivative,
    check_min_weight,
    check_widest,
    check_width_formula,
)


def test_min_weight():
    assert check_min_weight(4).status == CORRECT
    assert "largest value" in check_min_weight(0.25).hint
    assert "ignores sigma'" in check_min_weight(1).hint
    assert "1/2" in check_min_weight(2).hint
    assert check_min_weight(...).status == NOT_ATTEMPTED


def _reference_width(w):
    m = abs(w)
    if m < 4:
        return 0.0
    return 2 / m * math.log(m * (1 + math.sqrt(1 - 4 / m)) / 2 - 1)


def test_width_reference_passes_and_slips_get_hints():
    assert check_width_formula(_reference_width).status == CORRECT
    assert check_width_formula(bound.interval_width).status == CORRECT
    half = check_width_formula(lambda w: _reference_width(w) / 2)
    assert half.status == INCORRECT and "one side" in half.hint
    in_z = check_width_formula(lambda w: _reference_width(w) * abs(w))
    assert "divide by |w|" in in_z.hint
    no_abs = check_width_formula(lambda w: 0.0 if w < 4 else _reference_width(w))
    assert "|w|" in no_abs.hint

    def crashes(w):
        return 2 / abs(w) * math.log(abs(w) * (1 + math.sqrt(1 - 4 / abs(w))) / 2 - 1)

    assert "|w| < 4" in check_width_formula(crashes).hint
    nan_below = check_width_formula(lambda w: _reference_width(w) if abs(w) >= 4 else float("nan"))
    assert "empty" in nan_below.hint
    assert check_width_formula(...).status == NOT_ATTEMPTED
    assert check_width_formula(lambda w: ...).status == NOT_ATTEMPTED
    assert "not a number" in check_width_formula(lambda w: "wide").message
    assert check_width_formula(3).status == INCORRECT


def test_widest():
    grid = np.linspace(4, 20, 160_001)
    widths = bound.interval_width(grid)
    assert check_widest((grid[np.argmax(widths)], widths.max())).status == CORRECT
    w_star, width = bound.widest_interval()
    assert "width in z" in check_widest((w_star, width * w_star)).message
    assert "one side" in check_widest((w_star, width / 2)).hint
    assert "above 4" in check_widest((4.0, 0.0)).hint
    assert check_widest(0.45).status == INCORRECT
    assert check_widest(...).status == NOT_ATTEMPTED


def test_identity_neuron():
    w1 = 0.05
    ref = (w1, -w1 / 2, 4 / w1, 0.5 - 2 / w1)
    assert check_identity_neuron(ref).status == CORRECT
    assert check_identity_neuron(identity.identity_neuron(0.01)).status == CORRECT
    assert "4/w1" in check_identity_neuron((w1, -w1 / 2, 1 / w1, 0.5 - 0.5 / w1)).hint
    assert "b = -w1/2" in check_identity_neuron((w1, 0.0, 4 / w1, 0.5 - 2 / w1)).hint
    assert "c" in check_identity_neuron((w1, -w1 / 2, 4 / w1)).message
    assert "x = 1/2" in check_identity_neuron((w1, -w1 / 2, 4 / w1, 0.0)).hint
    assert "too large" in check_identity_neuron((2.0, -1.0, 2.0, -0.5)).hint
    assert "w1 = 0" in check_identity_neuron((0.0, 0.0, 1.0, 0.0)).hint
    assert check_identity_neuron(...).status == NOT_ATTEMPTED


def test_larger_derivative():
    assert check_larger_derivative(False).status == CORRECT
    assert check_larger_derivative("no").status == CORRECT
    wrong = check_larger_derivative(True)
    assert wrong.status == INCORRECT and "spread" in wrong.hint
    assert check_larger_derivative(3).status == INCORRECT
    assert check_larger_derivative(...).status == NOT_ATTEMPTED


def test_identity_layer():
    layer = identity.identity_layer(3, w1=0.01)
    ref = (layer.W1, layer.b, layer.W2, layer.c)
    assert check_identity_layer(ref).status == CORRECT
    mixed = (layer.W1 + 0.01, layer.b, layer.W2, layer.c)
    assert "Off-diagonal" in check_identity_layer(mixed).hint
    w1 = 0.01
    slope = (w1 * np.eye(3), layer.b, np.eye(3) / w1, layer.c)
    assert "4/w1" in check_identity_layer(slope).hint
    assert "c is the next layer's bias" in check_identity_layer(ref[:3]).hint
    assert "shape" in check_identity_layer((np.eye(2), layer.b, layer.W2, layer.c)).message
    assert check_identity_layer(...).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------- regressions


def test_width_function_unfinished_below_four_is_reported_not_raised():
    """Regression: right for |w| >= 4 and `...` otherwise used to raise TypeError."""
    fb = check_width_formula(lambda w: _reference_width(w) if abs(w) >= 4 else ...)
    assert fb.status == INCORRECT and "not written yet" in fb.message and "return 0" in fb.hint


def test_widest_with_nan_is_not_correct():
    """Regression: (nan, 0.447743) used to pass, since every comparison with NaN is False."""
    fb = check_widest((float("nan"), 0.447743))
    assert fb.status == INCORRECT and "NaN" in fb.message
    assert not check_widest((6.89, float("nan"))).correct
    assert not check_widest((float("inf"), 0.447743)).correct


def test_width_function_that_never_returns_is_stopped():
    def forever(w):
        while True:
            pass

    fb = check_width_formula(forever, time_limit=0.2)
    assert fb.status == INCORRECT and "did not return within 0.2 s" in fb.message


def test_width_wrong_value_is_not_revealed():
    fb = check_width_formula(lambda w: 2 * _reference_width(w))
    assert fb.status == INCORRECT and "too large" in fb.message
    assert "expected" not in fb.message and f"{bound.interval_width(4.5):.4f}" not in fb.message


def test_widest_and_min_weight_at_their_stated_precision():
    w_star, width = bound.widest_interval()
    assert check_widest.precision == "|w_star| within 0.05 and width_max to 3 significant figures"
    assert check_widest((round(w_star, 1), round(width, 3))).correct
    assert check_widest((-w_star, width)).correct  # the width is even in w
    assert not check_widest((w_star + 0.06, width)).correct
    assert not check_widest((w_star, width + 0.0006)).correct
    assert check_min_weight.precision == "3 significant figures"
    assert check_min_weight(4.004).correct and not check_min_weight(4.006).correct


def test_identity_checks_survive_hostile_parts():
    class Hostile:
        def __float__(self):
            raise RuntimeError("no float")

        def __array__(self, *args, **kwargs):
            raise RuntimeError("no array")

    assert check_identity_neuron((Hostile(), 0, 1, 0)).status == INCORRECT
    assert (
        check_identity_layer((Hostile(), np.zeros(3), np.eye(3), np.zeros(3))).status == INCORRECT
    )
    assert (
        check_identity_layer((np.eye(3) * 1j, np.zeros(3), np.eye(3), np.zeros(3))).status
        == INCORRECT
    )
    assert check_identity_neuron((1e300, 0.0, 1e300, 0.0)).status == INCORRECT
    assert check_larger_derivative(Hostile()).status == INCORRECT


def test_identity_neuron_whose_weighted_input_overflows_is_refused_not_broken():
    fb = check_identity_neuron((-4.0077456146707243e307, -1.3969185733952434e308, 1e6, 1e6))
    assert fb.status == INCORRECT and "not finite" in fb.message
