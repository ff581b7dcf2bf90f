"""Self-checks of the chapter *The single-neuron chain*:
the reference passes, typical slips get hints."""

import numpy as np

from booktools.variants import assert_answers_differ, variants
from vgp_lib import activations
from vgp_lib.chain import constant_chain, forward, grad_b_analytic
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.chain import (
    check_four_layer_gradient,
    check_vanish_depth,
    four_layer_chain,
    four_layer_gradient,
    vanish_depth,
)


def _four_layer_parts():
    c = four_layer_chain()
    fwd = forward(c)
    return c, fwd, activations.sigmoid_prime(fwd.z), activations.sigmoid(fwd.z)


def test_four_layer_reference_passes():
    c, fwd, s, _ = _four_layer_parts()
    w = c.weights
    answer = s[0] * w[1] * s[1] * w[2] * s[2] * w[3] * s[3] * (fwd.a[3] - c.y)
    assert check_four_layer_gradient(answer).status == CORRECT


def test_four_layer_typical_slips():
    c, fwd, s, sig = _four_layer_parts()
    w, end = c.weights, fwd.a[3] - c.y
    right = grad_b_analytic(c)[0]
    cases = {
        "sign": (-right, "sign"),
        "no sigma'(z_1)": (right / s[0], "sigma'(z_1)"),
        "extra w_1": (right * w[0], "w_1"),
        "no dC/da_4": (right / end, "dC/da_4"),
        "sigma not sigma'": (
            sig[0] * w[1] * sig[1] * w[2] * sig[2] * w[3] * sig[3] * end,
            "derivative",
        ),
        "last layer": (grad_b_analytic(c)[3], "dC/db_4"),
    }
    for case, (value, word) in cases.items():
        fb = check_four_layer_gradient(value)
        assert fb.status == INCORRECT, case
        assert word in fb.hint, (case, fb.hint)


def test_four_layer_placeholder_and_junk():
    assert check_four_layer_gradient(...).status == NOT_ATTEMPTED
    assert check_four_layer_gradient("abc").status == INCORRECT
    assert check_four_layer_gradient(float("nan")).status == INCORRECT


def test_vanish_depth_reference_passes_and_is_the_first_below_threshold():
    depth = next(
        d for d in range(1, 50) if abs(grad_b_analytic(constant_chain(d, w=0.17))[0]) < 1e-10
    )
    assert check_vanish_depth(depth).status == CORRECT
    assert abs(grad_b_analytic(constant_chain(depth - 1, w=0.17))[0]) >= 1e-10


def test_vanish_depth_hints():
    depth = next(
        d for d in range(1, 50) if abs(grad_b_analytic(constant_chain(d, w=0.17))[0]) < 1e-10
    )
    naive = int(np.ceil(np.log(1e-10) / np.log(0.17)))
    assert "sigma'" in check_vanish_depth(naive).hint
    assert "short" in check_vanish_depth(depth - 1).hint
    assert "too many" in check_vanish_depth(depth + 1).hint
    assert check_vanish_depth(depth + 0.5).status == INCORRECT
    assert check_vanish_depth(...).status == NOT_ATTEMPTED


# -- course variants: every number the chapter lists gives its own answer


def test_four_layer_variants_have_their_own_answers():
    book, *others = variants("chain", "A0")
    rule = check_four_layer_gradient.rule
    answers = [four_layer_gradient(a0) for a0 in (book, *others)]
    for a0 in others:
        c = four_layer_chain(a0)
        fwd = forward(c)
        s, w = activations.sigmoid_prime(fwd.z), c.weights
        product = s[0] * w[1] * s[1] * w[2] * s[2] * w[3] * s[3] * (fwd.a[3] - c.y)
        assert check_four_layer_gradient(product, a0=a0).status == CORRECT, a0
        assert check_four_layer_gradient(answers[0], a0=a0).status == INCORRECT, a0
    assert_answers_differ(rule, answers)


def test_vanish_depth_variants_have_their_own_answers():
    book, *others = variants("chain", "VANISH_THRESHOLD")
    assert book == 1e-10 and vanish_depth() == vanish_depth(book)
    depths = [vanish_depth(t) for t in (book, *others)]
    assert len(set(depths)) == len(depths), depths
    for t, depth in zip(others, depths[1:]):
        assert abs(grad_b_analytic(constant_chain(depth, w=0.17))[0]) < t
        assert abs(grad_b_analytic(constant_chain(depth - 1, w=0.17))[0]) >= t
        assert check_vanish_depth(depth, threshold=t).status == CORRECT
        assert check_vanish_depth(depths[0], threshold=t).status == INCORRECT
        naive = int(np.ceil(np.log(t) / np.log(0.17)))
        assert "sigma'" in check_vanish_depth(naive, threshold=t).hint


def test_checks_refuse_numbers_out_of_range():
    for fb, name in (
        (check_vanish_depth(8, threshold=2.0), "threshold"),
        (check_vanish_depth(8, threshold=0.0), "threshold"),
        (check_four_layer_gradient(0.1, a0=float("nan")), "a0"),
        (check_four_layer_gradient(0.1, a0="1"), "a0"),
    ):
        assert fb.status == INCORRECT and name in fb.message, fb
