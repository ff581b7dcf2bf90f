"""What :mod:`vgp_lib.plots.bound` draws is the data of the factor interval and the width
curve.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np
import pytest

from tests.plotcheck import (
    _legend_labels,
    _line,
    _render,
    _xy,
)
from vgp_lib import bound
from vgp_lib.plots import bound as pbound
from vgp_lib.plots import figure


@pytest.mark.parametrize("w, b", [(6.9, -3.45), (2.0, 0.0)])
def test_factor_interval_draws_the_factor_and_shades_the_interval(w, b):
    r = bound.factor_interval(w, b, n=301)
    fig, ax = figure()
    pbound.plot_factor_interval(r, ax)
    curve = _line(ax, r"$|w\,\sigma'(wa+b)|$")
    np.testing.assert_array_equal(_xy(curve)[0], r.a)
    np.testing.assert_allclose(_xy(curve)[1], r.factor)
    np.testing.assert_allclose(_xy(_line(ax, "factor 1"))[1], [1.0, 1.0])
    if r.endpoints is None:
        assert not ax.patches and f"peak {r.peak:.3g}, never 1" in " ".join(_legend_labels(ax))
    else:
        (span,) = ax.patches
        lo, hi = r.endpoints
        np.testing.assert_allclose([span.get_x(), span.get_x() + span.get_width()], [lo, hi])
        assert f"width {r.width:.3f}" in " ".join(_legend_labels(ax))
    assert ax.get_legend().get_title().get_text() == f"w = {r.w:.3g}, b = {r.b:.3g}"
    _render(fig)


def test_width_curve_marks_the_widest_and_the_current_weight():
    c = bound.width_curve(20.0, n=200)
    fig, ax = figure()
    pbound.plot_width_curve(c, ax, highlight=-9.0)
    np.testing.assert_array_equal(_xy(_line(ax, "width $W(|w|)$")), (c.w, c.width))
    widest = _line(ax, f"widest: {c.width_max:.3f} at |w| = {c.w_star:.2f}")
    np.testing.assert_allclose(_xy(widest), ([c.w_star], [c.width_max]))
    here = _line(ax, "|w| = 9")
    np.testing.assert_allclose(_xy(here), ([9.0], [bound.interval_width(9.0)]))
    _render(fig)


def test_factor_and_width_panels_draw_the_pair():
    r, c = bound.factor_interval(8.0, -4.0, n=301), bound.width_curve(20.0, n=200)
    fig = figure()[0]
    fig.delaxes(fig.axes[0])
    pbound.draw_factor_and_width(fig, (r, c))
    left, right = fig.axes
    np.testing.assert_allclose(_xy(_line(left, r"$|w\,\sigma'(wa+b)|$"))[1], r.factor)
    np.testing.assert_allclose(_xy(_line(right, "width $W(|w|)$"))[1], c.width)
    np.testing.assert_allclose(_xy(_line(right, "|w| = 8"))[1], [bound.interval_width(8.0)])
    assert (
        left.get_title() == f"factor \u2265 1 for a in [{r.endpoints[0]:.3f}, {r.endpoints[1]:.3f}]"
    )
    panel_labels = [
        t.get_text() for sub in fig.subfigs for lg in sub.legends for t in lg.get_texts()
    ]
    assert "factor 1" in panel_labels and "width $W(|w|)$" in panel_labels
    _render(fig)
