"""Self-checks of the chapter *Exploding gradients*."""

import numpy as np

from booktools.variants import assert_answers_differ, variants
from vgp_lib import activations, chain, precision
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.exploding import (
    BALANCE_Z,
    OVERFLOW_WEIGHT,
    balanced_weight,
    check_balanced_weight,
    check_float32_overflow_depth,
    float32_overflow_depth,
)


def _reader_loop(dtype):
    """What the exercise asks the reader to write: grow the chain until dC/db_1 is inf."""
    depth = 1
    while np.isfinite(precision.grad_b_in_dtype(chain.aligned_chain(depth), dtype).grad[0]):
        depth += 1
    return depth


def test_reference_loop_passes():
    assert check_float32_overflow_depth(_reader_loop("float32")).status == CORRECT


def test_float32_depth_hints():
    right = _reader_loop("float32")
    assert (
        "25^L" in check_float32_overflow_depth(precision.power_overflow_depth(25, "float32")).hint
    )
    assert "dC/da_1" in check_float32_overflow_depth(right + 1).hint
    assert "float64" in check_float32_overflow_depth(_reader_loop("float64")).hint
    assert (
        "float64"
        in check_float32_overflow_depth(precision.power_overflow_depth(25, "float64")).hint
    )
    assert check_float32_overflow_depth(...).status == NOT_ATTEMPTED
    assert check_float32_overflow_depth(None).status == NOT_ATTEMPTED


def test_balanced_weight():
    assert check_balanced_weight(4).status == CORRECT
    negative = check_balanced_weight(-4.0)
    assert negative.status == INCORRECT and "w > 0" in negative.hint
    assert "4" not in negative.message  # no number equal to the reference's size
    assert "not the weight" in check_balanced_weight(0.25).hint
    assert "forgot the derivative" in check_balanced_weight(1.0).hint
    assert "1/2" in check_balanced_weight(2.0).hint
    assert "25" in check_balanced_weight(100.0).hint
    assert check_balanced_weight(-1.0).status == INCORRECT
    assert check_balanced_weight(...).status == NOT_ATTEMPTED


def test_balanced_weight_really_balances():
    g = chain.grad_b_analytic(chain.aligned_chain(30, w=4.0))
    np.testing.assert_allclose(g, g[-1], rtol=1e-12)


def _off_peak_chain(w, depth=30, z=BALANCE_Z, a0=0.5):
    """What the exercise asks the reader to build: every weighted input equal to z."""
    s = float(activations.sigmoid(z))
    a_in = np.r_[a0, np.full(depth - 1, s)]
    return chain.make_chain(np.full(depth, w), z - w * a_in, a0=a0)


def test_off_peak_reference_really_balances():
    w = balanced_weight(BALANCE_Z)
    c = _off_peak_chain(w)
    np.testing.assert_allclose(chain.forward(c).z, BALANCE_Z, atol=1e-12)
    g = chain.grad_b_analytic(c)
    np.testing.assert_allclose(g, g[-1], rtol=1e-12)
    # one percent off the balance and the gradient drifts, layer after layer
    drift = chain.grad_b_analytic(_off_peak_chain(1.01 * w))
    assert drift[0] / drift[-1] > 1.3


def test_off_peak_balance_is_not_the_peak_answer():
    """The chapter asks at BALANCE_Z, not at the peak that its slider shows."""
    assert BALANCE_Z != 0
    assert not check_balanced_weight.rule.accepts(balanced_weight(0.0), balanced_weight(BALANCE_Z))


def test_off_peak_balance_check():
    w = balanced_weight(BALANCE_Z)
    assert check_balanced_weight(w, z=BALANCE_Z).status == CORRECT
    assert check_balanced_weight(float(f"{w:.3g}"), z=BALANCE_Z).status == CORRECT
    assert check_balanced_weight(w, z=0.0).status == INCORRECT
    s = float(activations.sigmoid(BALANCE_Z))
    hints = {
        4.0: "peak",
        s * (1 - s): "not the weight",
        1 / s: "not sigma itself",
        1 / (1 - s): "dropped one factor",
        BALANCE_Z: "weighted input",
        100.0: "25",
    }
    for wrong, words in hints.items():
        fb = check_balanced_weight(wrong, z=BALANCE_Z)
        assert fb.status == INCORRECT and words in fb.hint, (wrong, fb)
    negative = check_balanced_weight(-w, z=BALANCE_Z)
    assert negative.status == INCORRECT and "w > 0" in negative.hint
    assert check_balanced_weight(..., z=BALANCE_Z).status == NOT_ATTEMPTED


def test_off_peak_feedback_never_shows_the_answer():
    w = balanced_weight(BALANCE_Z)
    shown = {f"{w:.{d}g}" for d in range(2, 6)}
    for wrong in (0.5 * w, 0.9 * w, 1.1 * w, 2 * w, -w, 4.0, 100.0, 1e6):
        fb = check_balanced_weight(wrong, z=BALANCE_Z)
        text = fb.message + " " + fb.hint
        assert "expected" not in text
        assert not any(s in text for s in shown), (wrong, text)


def test_balance_check_refuses_a_weighted_input_off_the_chart():
    fb = check_balanced_weight(4.0, z=100.0)
    assert fb.status == INCORRECT and "bug in the check" in fb.hint


# -- course variants: every number the chapter lists gives its own answer


def _first_inf(w, dtype="float32"):
    """The chapter's reference loop for the weight ``w``."""
    depth = 1
    while np.isfinite(precision.grad_b_in_dtype(chain.aligned_chain(depth, w=w), dtype).grad[0]):
        depth += 1
    return depth


def test_float32_variants_have_their_own_answers():
    book, *others = variants("exploding", "OVERFLOW_WEIGHT")
    assert book == OVERFLOW_WEIGHT
    depths = [float32_overflow_depth(w) for w in (book, *others)]
    assert len(set(depths)) == len(depths), depths
    for w, depth in zip(others, depths[1:]):
        assert _first_inf(w) == depth
        assert check_float32_overflow_depth(depth, w=w).status == CORRECT, w
        assert check_float32_overflow_depth(depths[0], w=w).status == INCORRECT, w
        power = precision.power_overflow_depth(w / 4, "float32")
        if power != depth:
            assert f"{w / 4:g}^L" in check_float32_overflow_depth(power, w=w).hint
    assert "w must" in check_float32_overflow_depth(29, w=1.0).message


def test_balance_variants_have_their_own_answers():
    book, *others = variants("exploding", "BALANCE_Z")
    assert book == BALANCE_Z
    rule = check_balanced_weight.rule
    answers = [balanced_weight(z) for z in (book, *others)]
    for z, w in zip(others, answers[1:]):
        s = 1 / (1 + np.exp(-z))  # the chapter's reference solution
        assert check_balanced_weight(1 / (s * (1 - s)), z=z).status == CORRECT, z
        g = chain.grad_b_analytic(_off_peak_chain(w, z=z))
        np.testing.assert_allclose(g[1:], g[-1], rtol=1e-9)
        assert check_balanced_weight(answers[0], z=z).status == INCORRECT, z
    assert_answers_differ(rule, answers)


def test_the_fast_overflow_depth_is_the_brute_force_one():
    """One deep chain gives every depth's dC/db_1 (all its layers are the same layer), so the
    check's reference agrees with precision.first_overflow_depth, which builds every depth.
    """
    from vgp_lib.exercises.exploding import _overflow_depth

    for w in (8.0, 9.99, 13.7, OVERFLOW_WEIGHT, 777.7, 10_000.0):
        assert _overflow_depth("float32", w) == precision.first_overflow_depth("float32", w=w)
    for w in (1000.0, 10_000.0):
        assert _overflow_depth("float64", w) == precision.first_overflow_depth("float64", w=w)
    assert _overflow_depth("float64", 8.0) is None  # beyond the search, like the brute force


def test_a_small_weight_whose_float64_depth_is_out_of_reach_is_still_checked():
    """Regression: for w = 8 the float64 depth (a hint) was None, and the check broke."""
    right = float32_overflow_depth(8.0)
    assert check_float32_overflow_depth(right, w=8.0).status == CORRECT
    fb = check_float32_overflow_depth(right + 1, w=8.0)
    assert fb.status == INCORRECT and "could not evaluate" not in fb.message
