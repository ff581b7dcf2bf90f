"""Self-checks of the chapter *Exploding gradients*."""

import numpy as np

from vgp_lib import chain, precision
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.exploding import check_balanced_weight, check_float32_overflow_depth


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
    assert "solve" in check_balanced_weight(0.25).hint
    assert "evaluate sigma'(0)" in check_balanced_weight(1.0).hint
    assert "1/2" in check_balanced_weight(2.0).hint
    assert "25" in check_balanced_weight(100.0).hint
    assert check_balanced_weight(-1.0).status == INCORRECT
    assert check_balanced_weight(...).status == NOT_ATTEMPTED


def test_balanced_weight_really_balances():
    g = chain.grad_b_analytic(chain.aligned_chain(30, w=4.0))
    np.testing.assert_allclose(g, g[-1], rtol=1e-12)
