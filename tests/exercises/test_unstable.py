"""Self-checks of the chapter *Unstable gradients and how rare balance is*."""

import math

import numpy as np

from booktools.variants import assert_answers_differ, variants
from vgp_lib import activations, balance, bound, identity
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.unstable import (
    BEST_WEIGHT_INPUT,
    DEEP_DEPTH,
    best_weight,
    check_best_weight,
    check_identity_layer,
    check_identity_neuron,
    check_larger_derivative,
    check_tanh_window,
    check_widest,
    check_width_formula,
    deeper_balance,
)


def test_best_weight_against_a_grid_and_its_slips():
    w = np.linspace(0, 20, 2_000_001)
    f = np.abs(w * activations.sigmoid_prime(w))
    grid = (float(w[np.argmax(f)]), float(f.max()))
    assert check_best_weight(grid).status == CORRECT
    assert check_best_weight((-grid[0], grid[1])).correct  # the factor is even in w
    assert "z = w a is far from 0" in check_best_weight((4.0, 1.0)).hint
    assert "at w = 0" in check_best_weight((1.0, 0.25)).hint
    assert "|w|/4" in check_best_weight((grid[0], grid[0] / 4)).hint
    assert "too small" in check_best_weight((grid[0], 0.1)).message
    assert check_best_weight(0.22).status == INCORRECT
    assert check_best_weight(...).status == NOT_ATTEMPTED


def test_best_weight_solves_the_stationary_condition():
    from vgp_lib.exercises.unstable import best_weight

    w, f = best_weight()
    assert math.isclose(w * math.tanh(w / 2), 1.0, rel_tol=1e-12)
    assert f < 0.25  # no weight brings this input's factor anywhere near 1


def _reference_width(w):
    m = abs(w)
    if m < 4:
        return 0.0
    return 2 / m * math.log(m * (1 + math.sqrt(1 - 4 / m)) / 2 - 1)


def test_width_reference_passes_and_slips_get_hints():
    ok = check_width_formula(_reference_width)
    assert ok.status == CORRECT and "closed form" in ok.message and "eq-" not in ok.message
    assert check_width_formula(bound.interval_width).status == CORRECT
    half = check_width_formula(lambda w: _reference_width(w) / 2)
    assert half.status == INCORRECT and "one side" in half.hint
    in_z = check_width_formula(lambda w: _reference_width(w) * abs(w))
    assert "width in z" in in_z.hint
    no_abs = check_width_formula(lambda w: 0.0 if w < 4 else _reference_width(w))
    assert "sign of w" in no_abs.hint

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
    assert "sigma'(0)" in check_identity_neuron((w1, -w1 / 2, 1 / w1, 0.5 - 0.5 / w1)).hint
    assert "bias b" in check_identity_neuron((w1, 0.0, 4 / w1, 0.5 - 2 / w1)).hint
    assert "c" in check_identity_neuron((w1, -w1 / 2, 4 / w1)).message
    assert "revisit c" in check_identity_neuron((w1, -w1 / 2, 4 / w1, 0.0)).hint
    assert "not 1" in check_identity_neuron((w1, -w1 / 2, 2 / w1, 0.5 - 1 / w1)).hint
    assert "too large" in check_identity_neuron((2.0, -1.0, 2.0, -0.5)).hint
    assert "w1 = 0" in check_identity_neuron((0.0, 0.0, 1.0, 0.0)).hint
    assert check_identity_neuron(...).status == NOT_ATTEMPTED


def _tanh_width(w):
    """Width of {a : |w tanh'(wa+b)| >= 1}: |tanh(z)| <= sqrt(1 - 1/|w|), mapped back to a."""
    m = np.abs(w)
    return np.where(m > 1, 2 * np.arctanh(np.sqrt(np.clip(1 - 1 / m, 0, 1))) / m, 0.0)


def test_tanh_window_against_its_own_closed_form_and_slips():
    grid = np.linspace(1, 10, 900_001)
    widths = _tanh_width(grid)
    assert check_tanh_window(widths.max()).status == CORRECT
    from vgp_lib.exercises.unstable import tanh_widest

    assert math.isclose(tanh_widest(), widths.max(), rel_tol=1e-6)
    w_star, width = bound.widest_interval()
    assert "sigmoid's window" in check_tanh_window(width).hint
    t_w = grid[np.argmax(widths)]
    assert "width in z" in check_tanh_window(tanh_widest() * t_w).message
    assert "above 1" in check_tanh_window(0.7).hint
    assert "measured in a" in check_tanh_window(2.0).hint
    assert not check_tanh_window(round(tanh_widest(), 3) + 0.001).correct
    assert check_tanh_window((1.7, 0.9)).status == INCORRECT
    assert check_tanh_window(...).status == NOT_ATTEMPTED


def test_larger_derivative_accepts_the_prediction_and_the_simulation():
    shallow = balance.balance_study(("identity",), depth=30, n_chains=2000, seed=0)
    best30 = float(shallow.balanced_fraction.max())
    assert check_larger_derivative(best30 * math.sqrt(29 / 119)).status == CORRECT
    fine = np.geomspace(1.6, 2.2, 13)  # around the best scale: the default grid is coarse
    deepest = balance.balance_study(("identity",), fine, depth=120, n_chains=2000, seed=0)
    assert check_larger_derivative(float(deepest.balanced_fraction.max())).status == CORRECT
    same = check_larger_derivative(best30)
    assert same.status == INCORRECT and "depth 30" in same.hint
    assert "widens as much" in check_larger_derivative(0.075).hint
    assert "fraction" in check_larger_derivative(15).hint
    assert check_larger_derivative(False).status == INCORRECT
    assert check_larger_derivative("no").status == INCORRECT
    assert check_larger_derivative(-0.2).status == INCORRECT
    assert check_larger_derivative(...).status == NOT_ATTEMPTED


def test_larger_derivative_reference_agrees_with_many_chains():
    from vgp_lib.exercises.unstable import deeper_balance

    rng = np.random.default_rng(1)
    log_ratio = np.log10(np.abs(rng.standard_normal((100_000, 119)))).sum(axis=1)
    log_ratio.sort()
    inside = np.searchsorted(log_ratio, log_ratio + 2, side="right") - np.arange(log_ratio.size)
    assert abs(inside.max() / log_ratio.size - deeper_balance()) < 0.01


def test_identity_layer():
    layer = identity.identity_layer(3, w1=0.01)
    ref = (layer.W1, layer.b, layer.W2, layer.c)
    assert check_identity_layer(ref).status == CORRECT
    mixed = (layer.W1 + 0.01, layer.b, layer.W2, layer.c)
    assert "Off-diagonal" in check_identity_layer(mixed).hint
    w1 = 0.01
    slope = (w1 * np.eye(3), layer.b, np.eye(3) / w1, layer.c)
    assert "sigma'(0)" in check_identity_layer(slope).hint
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
    assert check_larger_derivative.precision == "within 0.03"


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
    assert check_best_weight((Hostile(), 0.2)).status == INCORRECT
    assert check_tanh_window(Hostile()).status == INCORRECT


def test_identity_neuron_whose_weighted_input_overflows_is_refused_not_broken():
    fb = check_identity_neuron((-4.0077456146707243e307, -1.3969185733952434e308, 1e6, 1e6))
    assert fb.status == INCORRECT and "not finite" in fb.message


# -- course variants: every number the chapter lists gives its own answer


def test_best_weight_variants_have_their_own_answers():
    book, *others = variants("unstable", "BEST_WEIGHT_INPUT")
    assert book == BEST_WEIGHT_INPUT
    rule = check_best_weight.rule
    answers = [best_weight(a) for a in (book, *others)]
    w = np.linspace(0, 20, 2_000_001)
    for a, right in zip(others, answers[1:]):
        f = np.abs(w * activations.sigmoid_prime(w * a))
        grid = (float(w[np.argmax(f)]), float(f.max()))  # the chapter's reference solution
        assert check_best_weight(grid, a=a).status == CORRECT, a
        assert check_best_weight(right, a=a).status == CORRECT, a
        assert check_best_weight(answers[0], a=a).status == INCORRECT, a
    assert_answers_differ(rule, answers)
    assert "bug in the check" in check_best_weight(answers[0], a=0.0).hint
    assert "a must" in check_best_weight(answers[0], a=-1.0).message


def test_larger_derivative_variants_have_their_own_answers():
    book, *others = variants("unstable", "DEEP_DEPTH")
    assert book == DEEP_DEPTH
    rule = check_larger_derivative.rule
    answers = [deeper_balance(d) for d in (book, *others)]
    shallow = balance.balance_study(("identity",), depth=30, n_chains=2000, seed=0)
    best30 = float(shallow.balanced_fraction.max())
    for depth, right in zip(others, answers[1:]):
        predict = best30 * math.sqrt(29 / (depth - 1))  # the chapter's reference solution
        assert check_larger_derivative(predict, depth=depth).status == CORRECT, depth
        assert check_larger_derivative(right, depth=depth).status == CORRECT, depth
        assert check_larger_derivative(answers[0], depth=depth).status == INCORRECT, depth
    assert_answers_differ(rule, answers)
    assert "depth must" in check_larger_derivative(0.1, depth=10).message


def test_identity_layer_variants_have_their_own_answers():
    book, *others = variants("unstable", "IDENTITY_N")
    assert book == 3
    ref = identity.identity_layer(book, w1=0.01)
    book_answer = (ref.W1, ref.b, ref.W2, ref.c)
    for n in others:
        layer = identity.identity_layer(n, w1=0.01)  # the chapter's reference solution
        assert check_identity_layer((layer.W1, layer.b, layer.W2, layer.c), n=n).correct, n
        assert check_identity_layer(book_answer, n=n).status == INCORRECT, n


def test_a_float32_width_is_refused_saying_why():
    """A float32 keeps about 7 digits, too few for the stated relative error of 1e-9: the
    check says so instead of calling a right formula too large or too small."""
    import torch

    for cast in (np.float32, lambda v: torch.tensor(v, dtype=torch.float32)):
        fb = check_width_formula(lambda w, cast=cast: cast(_reference_width(w)))
        assert fb.status == INCORRECT
        assert "float32" in fb.message and "1e-9" in fb.message and "float64" in fb.hint
        assert "too large" not in fb.message and "too small" not in fb.message
    # a wrong formula in float32 still hears what is wrong with it
    half = check_width_formula(lambda w: np.float32(_reference_width(w) / 2))
    assert "one side" in half.hint
    # float64 from NumPy or torch passes
    assert check_width_formula(lambda w: np.float64(_reference_width(w))).status == CORRECT
    t64 = check_width_formula(lambda w: torch.tensor(_reference_width(w), dtype=torch.float64))
    assert t64.status == CORRECT
