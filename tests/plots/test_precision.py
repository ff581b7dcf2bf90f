"""What :mod:`vgp_lib.plots.precision` draws is the data of the precision results: exact,
computed and overflowed values per layer.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np

from tests.plotcheck import (
    _labelled,
    _legend_labels,
    _line,
    _render,
    _xy,
)
from vgp_lib import chain, precision
from vgp_lib.plots import figure
from vgp_lib.plots import precision as pprecision


def test_precision_growth_draws_exact_computed_and_overflowed_values():
    c = chain.aligned_chain(40, w=100.0)
    r32, r64 = precision.grad_b_in_dtype(c, "float32"), precision.grad_b_in_dtype(c, "float64")
    assert r32.any_overflow and not r64.any_overflow
    fig, ax = figure()
    pprecision.plot_precision_growth([r32, r64], ax)
    layers = np.arange(1, 41)
    exact = _line(ax, r"exact $\log_{10}|\partial C/\partial b_j|$")
    np.testing.assert_array_equal(_xy(exact)[0], layers)
    np.testing.assert_allclose(_xy(exact)[1], r32.log10_exact)
    for r in (r32, r64):
        ok = ~r.overflow & (r.grad != 0)
        computed = _line(ax, f"computed in {r.dtype}")
        np.testing.assert_array_equal(_xy(computed)[0], layers[ok])
        np.testing.assert_allclose(_xy(computed)[1], np.log10(np.abs(r.grad[ok].astype(float))))
    inf = _line(ax, f"float32: inf ({int(r32.overflow.sum())} layers)")
    np.testing.assert_array_equal(_xy(inf)[0], layers[r32.overflow])
    np.testing.assert_allclose(_xy(inf)[1], np.log10(r32.largest))
    ceiling = _line(ax, f"largest float32: $10^{{{np.log10(r32.largest):.1f}}}$")
    np.testing.assert_allclose(_xy(ceiling)[1], [np.log10(r32.largest)] * 2)
    assert set(_legend_labels(ax)) == {ln.get_label() for ln in _labelled(ax)}
    _render(fig)


def test_first_gradient_by_depth_draws_the_exact_first_gradients_and_the_marked_ratio():
    depths = [3, 1, 2, 4]  # any order: drawn by depth
    results = [precision.exploding_profile(8.0, L) for L in depths]
    fig, ax = figure()
    pprecision.plot_first_gradient_by_depth(results, ax, label="w = 8", mark=(1, 4))
    line = _line(ax, "w = 8")
    x, y = _xy(line)
    np.testing.assert_array_equal(x, [1, 2, 3, 4])
    exact = [precision.log10_abs_grad_b(chain.aligned_chain(L, w=8.0))[0] for L in (1, 2, 3, 4)]
    np.testing.assert_allclose(y, exact)
    np.testing.assert_allclose(np.diff(y), np.log10(2.0))  # every layer adds the factor 2
    texts = [t.get_text() for t in ax.texts]
    assert "× 8" in texts  # 2^3 from depth 1 to depth 4
    assert set(_legend_labels(ax)) == {"w = 8"}
    _render(fig)


def test_first_gradient_by_depth_refuses_a_mark_that_is_not_a_depth():
    import pytest

    results = [precision.exploding_profile(8.0, L) for L in (1, 2)]
    fig, ax = figure()
    with pytest.raises(ValueError, match="mark"):
        pprecision.plot_first_gradient_by_depth(results, ax, mark=(1, 5))
    with pytest.raises(TypeError, match="mark"):
        pprecision.plot_first_gradient_by_depth(results, ax, mark=1)
    with pytest.raises(TypeError, match="label"):
        pprecision.plot_first_gradient_by_depth(results, ax, label=3)
