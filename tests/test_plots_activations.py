"""What :mod:`vgp_lib.plots.activations` draws is the data it is given: a derivative
curve and its maximum, one line per activation.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np
from plotcheck import (
    _labelled,
    _legend_labels,
    _render,
    _xy,
)

from vgp_lib import activations
from vgp_lib.plots import activations as pactivations
from vgp_lib.plots import figure


def test_activation_derivative_draws_the_curve_and_marks_its_maximum():
    z = np.linspace(-6, 6, 121)
    values = activations.sigmoid_prime(z)
    fig, ax = figure()
    pactivations.plot_activation_derivative(z, values, ax)
    curve, peak = _labelled(ax)[:2]
    np.testing.assert_array_equal(_xy(curve)[0], z)
    np.testing.assert_array_equal(_xy(curve)[1], values)
    i = int(np.argmax(values))
    np.testing.assert_array_equal(_xy(peak), ([z[i]], [values[i]]))
    assert f"{values[i]:.3g}" in peak.get_label()
    _render(fig)


def test_derivatives_are_one_line_per_activation():
    curves = activations.derivative_curves(
        ("sigmoid", "relu", "leaky_relu"), z=np.linspace(-3, 3, 61)
    )
    fig, ax = figure()
    pactivations.plot_derivatives(curves, ax)
    lines = _labelled(ax)
    assert (
        [ln.get_label() for ln in lines] == ["sigmoid", "ReLU", "LeakyReLU"] == _legend_labels(ax)
    )
    for line, values in zip(lines, curves.values):
        np.testing.assert_allclose(_xy(line), (curves.z, values))
    assert [ln.get_linestyle() for ln in lines] == ["-", "--", "-"]
    _render(fig)
