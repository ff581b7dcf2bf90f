"""vgp_lib.bound: the factor |w sigma'(wa+b)|, the
interval width (closed form vs grid), its maximum."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vgp_lib import bound

real = st.floats(-1e3, 1e3, allow_nan=False)


@given(st.floats(-3.999, 3.999), real, real)
def test_factor_below_one_when_w_below_four(w, a, b):
    assert float(bound.factor(w, a, b)) < 1.0


@given(st.floats(-50, 50), real, real)
def test_factor_never_exceeds_w_over_four(w, a, b):
    assert float(bound.factor(w, a, b)) <= bound.max_factor(w) * (1 + 1e-15)


@given(st.floats(4.0, 200.0), st.floats(-20, 20))
def test_factor_reaches_one_for_w_at_least_four(w, b):
    # at a = -b/w the weighted input is 0 and the factor is |w|/4 >= 1
    assert float(bound.factor(w, -b / w, b)) >= 1.0 - 1e-12


@settings(max_examples=40, deadline=None)
@given(st.floats(4.05, 60.0), st.floats(-10, 10), st.booleans())
def test_closed_form_equals_brute_force(m, b, negative):
    w = -m if negative else m
    n = 200_001
    step = 2.0 / (n - 1)  # the grid spans 2 around the interval's centre
    assert abs(bound.interval_width_grid(w, b, n=n) - bound.interval_width(w)) <= 2 * step


@given(st.floats(4.05, 60.0), st.floats(-10, 10))
def test_endpoints_are_where_the_factor_equals_one(w, b):
    lo, hi = bound.interval_endpoints(w, b)
    np.testing.assert_allclose(bound.factor(w, [lo, hi], b), 1.0, rtol=1e-9)
    assert math.isclose(hi - lo, bound.interval_width(w), rel_tol=1e-12, abs_tol=1e-15)


@given(st.floats(-4.0, 4.0))
def test_width_is_zero_for_w_at_most_four(w):
    assert bound.interval_width(w) == 0.0
    assert bound.interval_width_grid(w, 0.3) == 0.0 or abs(w) == 4.0


def test_width_is_even_in_w_and_independent_of_b():
    np.testing.assert_array_equal(
        bound.interval_width([5.0, 9.0]), bound.interval_width([-5.0, -9.0])
    )
    assert abs(bound.interval_width_grid(9.0, -30.0) - bound.interval_width_grid(9.0, 2.0)) < 1e-4


def test_width_formula_matches_the_books_expression():
    for w in (4.5, 6.9, 12.0, 100.0):
        book = 2 / w * math.log(w * (1 + math.sqrt(1 - 4 / w)) / 2 - 1)
        assert math.isclose(bound.interval_width(w), book, rel_tol=1e-13)


def test_maximum_width_near_6_9():
    w_star, width = bound.widest_interval()
    assert 6.85 <= w_star <= 6.95
    assert round(width, 2) == 0.45
    grid = np.linspace(4, 40, 360_001)
    widths = bound.interval_width(grid)
    assert abs(grid[np.argmax(widths)] - w_star) < 1e-3
    assert width >= widths.max()


def test_width_curve_marks_its_maximum():
    c = bound.width_curve(20.0, n=401)
    assert c.width.max() <= c.width_max
    assert np.all(c.width[c.w < 4] == 0)


def test_factor_interval_bundles_consistent_numbers():
    r = bound.factor_interval(8.0, -4.0)
    assert math.isclose(r.width, r.endpoints[1] - r.endpoints[0], rel_tol=1e-12)
    assert abs(r.width - r.width_grid) < 1e-4
    assert r.peak == 2.0
    empty = bound.factor_interval(3.0, 0.0)
    assert empty.endpoints is None and empty.width == 0.0 and empty.factor.max() < 1


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: bound.interval_width_grid(6.9, n=-5), "n"),
        (lambda: bound.interval_width_grid(6.9, n=0), "n"),
        (lambda: bound.interval_width(float("nan")), "w"),
        (lambda: bound.interval_width([1.0, float("inf")]), "w"),
        (lambda: bound.factor(float("inf"), [0.0]), "w"),
        (lambda: bound.factor(1.0, [0.0], float("nan")), "b"),
        (lambda: bound.interval_width_grid(6.9, a_lo=1.0, a_hi=0.0), "a_hi"),
        (lambda: bound.widest_interval(10.0, 5.0), "hi"),
        (lambda: bound.factor_interval(6.9, 0.0, n=1), "n"),
        (lambda: bound.width_curve(-1.0), "w_max"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# it once never returned
def test_widest_interval_refuses_a_tolerance_finer_than_float_spacing():
    with pytest.raises(ValueError, match=r"^tol must be at least 5.68e-13"):
        bound.widest_interval(tol=5e-16)
    assert bound.widest_interval(tol=1e-10) == bound.widest_interval()


def test_interval_width_refuses_strings_bools_and_complex_numbers():  # once '7' gave 0.4477
    for bad in ("7", [True, False], [6.9 + 1j], None):
        with pytest.raises(TypeError, match="w must be an array of real numbers"):
            bound.interval_width(bad)
    with pytest.raises(ValueError, match="w must contain only finite numbers"):
        bound.interval_width(10**400)


@pytest.mark.parametrize("b", [1e11, -1e11, 1e17, 1e300])
def test_interval_width_grid_refuses_b_beyond_what_the_grid_resolves(b):
    # Issue 12: interval_width_grid(6.9, b=1e17) returned 3.0 (true width 0.4477).
    with pytest.raises(ValueError, match=r"^b must satisfy \|b\| <= about"):
        bound.interval_width_grid(6.9, b)


@pytest.mark.parametrize("b", [-1e6, 1e6, 1e10])
def test_interval_width_grid_is_right_up_to_large_b(b):
    assert abs(bound.interval_width_grid(6.9, b) - bound.interval_width(6.9)) <= 2e-5


def test_interval_width_grid_small_w_is_empty_for_any_b():
    assert bound.interval_width_grid(3.9, 1e17) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda n: bound.factor_interval(n=n),
        lambda n: bound.width_curve(n=n),
        lambda n: bound.interval_width_grid(6.9, n=n),
    ],
)
@pytest.mark.parametrize("n", [10**7 + 1, 10**9, 10**400])
def test_grids_refuse_sizes_beyond_the_limit(call, n):
    # Issue 12: n=10**9 ran out of memory, 10**400 raised OverflowError.
    with pytest.raises(ValueError, match=r"^n must be an integer in \[2, 10000000\]"):
        call(n)
