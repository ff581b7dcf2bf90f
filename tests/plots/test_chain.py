"""What :mod:`vgp_lib.plots.chain` draws is the chain's result: factor bars, gradient lines,
exact zeros as markers on the bottom edge of the log axis, the three routes; a changed
result changes the drawing.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np
import pytest

from tests.plotcheck import (
    _at_bottom,
    _bar_x,
    _labelled,
    _legend_labels,
    _line,
    _render,
    _scaled,
    _xy,
)
from vgp_lib import chain
from vgp_lib.plots import chain as pchain
from vgp_lib.plots import figure


def _factor_ends(ax):
    """Where each factor bar ends: every bar runs from 1 to its factor (down if it is below 1)."""
    from matplotlib.container import BarContainer

    (bars,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    low = np.array([p.get_y() for p in bars])
    high = low + np.array([p.get_height() for p in bars])
    np.testing.assert_allclose(np.where(low < 1, high, low), 1.0)  # the other end is 1
    return np.where(low < 1, low, high)


@pytest.mark.parametrize("scale", [0.3, 3.0, 40.0, 100.0])
def test_factor_bars_are_the_factors_and_the_gradients_their_line(scale):
    r = chain.chain_profile(12, scale, 0.0, "sigmoid", seed=0)
    fig, axes = figure(1, 2)
    pchain.plot_factors(r, axes[0])
    pchain.plot_bias_gradients(r, axes[1])
    heights = _factor_ends(axes[0])
    f = np.abs(r.factors)
    np.testing.assert_allclose(heights, f)  # no zero factors here: no floor
    np.testing.assert_array_equal(_bar_x(axes[0]), np.arange(1, 13))
    colours = [p.get_facecolor() for p in axes[0].patches]
    import matplotlib.colors as mcolors

    assert [c == mcolors.to_rgba("C3") for c in colours] == list(
        f >= 1
    )  # red exactly where a factor grows
    assert axes[0].get_yscale() == "log" and axes[1].get_yscale() == "log"
    (grad_line,) = _labelled(axes[1])
    np.testing.assert_array_equal(_xy(grad_line)[0], np.arange(1, 13))
    np.testing.assert_allclose(_xy(grad_line)[1], np.abs(r.grad))
    _render(fig)


def _relu_chain_with_zeros():
    # layer 3 has z < 0: ReLU is off there, so its factor and every gradient before it are exactly 0
    w = np.array([1.0, 0.9, -2.0, 1.1, 0.8])
    b = np.array([0.1, 0.0, 0.2, 0.5, 0.1])
    return chain.analyse(chain.make_chain(w, b, a0=1.0, y=0.0, activation="relu"))


def test_exact_zeros_become_markers_on_the_bottom_edge():
    r = _relu_chain_with_zeros()
    assert (r.factors == 0).any() and (r.grad == 0).any() and (r.grad != 0).any()
    fig, axes = figure(1, 2)
    pchain.plot_factors(r, axes[0])
    pchain.plot_bias_gradients(r, axes[1])
    layers = np.arange(1, 6)
    f = np.abs(r.factors)
    zero_marks = _line(axes[0], "exactly 0")
    np.testing.assert_array_equal(_xy(zero_marks)[0], layers[f == 0])
    _at_bottom(axes[0], zero_marks)
    heights = _factor_ends(axes[0])
    np.testing.assert_allclose(heights[f > 0], f[f > 0])
    assert np.all(heights[f == 0] <= axes[0].get_ylim()[0] * 1.0001)  # a zero bar is only the floor

    g = np.abs(r.grad)
    line = _line(axes[1], r"$|\partial C/\partial b_j|$")
    np.testing.assert_array_equal(_xy(line)[0], layers[g > 0])
    np.testing.assert_allclose(_xy(line)[1], g[g > 0])
    zeros = _line(axes[1], r"$|\partial C/\partial b_j|$: exactly 0")
    np.testing.assert_array_equal(_xy(zeros)[0], layers[g == 0])
    _at_bottom(axes[1], zeros)
    assert axes[1].get_ylim()[0] < g[g > 0].min()  # room below every value for the markers
    assert "exactly 0" in " ".join(_legend_labels(axes[1]))
    _render(fig)


def test_chain_profile_panels_draw_the_same_result():
    r = chain.chain_profile(10, 2.0, 0.0, "tanh", seed=3)
    fig = figure()[0]
    fig.delaxes(fig.axes[0])
    pchain.draw_chain_profile(fig, r)
    left, right = fig.axes
    np.testing.assert_allclose(_factor_ends(left), np.abs(r.factors))
    np.testing.assert_allclose(_xy(_labelled(right)[0])[1], np.abs(r.grad))
    assert right.get_title(loc="right") == "tanh, depth 10"
    assert left.get_legend() is None and "1 (unchanged)" in _legend_labels(fig)
    _render(fig)


def test_three_routes_are_three_offset_series_with_zeros_marked():
    routes = chain.three_routes(chain.constant_chain(20, w=0.17, b=0.0, a0=1.0))
    fig, ax = figure()
    pchain.plot_routes(routes, ax)
    x = routes.layers
    for label, values, shift in (
        ("product (eq.)", routes.analytic, 0.0),
        ("PyTorch autograd", routes.autograd, 0.12),
        ("central differences", routes.fd, -0.12),
    ):
        v = np.abs(values)
        line = _line(ax, label)
        np.testing.assert_allclose(_xy(line)[0], (x + shift)[v > 0])
        np.testing.assert_allclose(_xy(line)[1], v[v > 0])
        if (v == 0).any():
            zeros = _line(ax, f"{label}: exactly 0")
            np.testing.assert_allclose(_xy(zeros)[0], (x + shift)[v == 0])
            _at_bottom(ax, zeros)
    assert (
        routes.fd == 0
    ).any()  # the chapter's case: finite differences round to 0 in the early layers
    assert set(_legend_labels(ax)) == {ln.get_label() for ln in _labelled(ax)}
    _render(fig)


def test_a_changed_chain_result_changes_the_drawing():
    r = chain.chain_profile(8, 2.0, 0.0, "sigmoid", seed=0)
    changed = _scaled(r, "grad", 1e3)
    drawn = []
    for result in (r, changed):
        _fig, ax = figure()
        pchain.plot_bias_gradients(result, ax)
        drawn.append(_xy(_labelled(ax)[0])[1])
    np.testing.assert_allclose(drawn[1], 1e3 * drawn[0])
