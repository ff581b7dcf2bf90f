"""What :mod:`vgp_lib.plots.activations` draws is the data it is given: a derivative
curve and its maximum, one line per activation.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np

from tests.plotcheck import (
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


def test_layer_factors_draw_the_measurement_and_the_predicted_line():
    from vgp_lib import layer_factor

    factors = [
        layer_factor.layer_factor(a, i, depth=6, width=16, n_seeds=1, burn_in=1, seed=0)
        for a, i in [("tanh", "pytorch"), ("relu", "he")]
    ]
    fig, ax = figure()
    pactivations.plot_layer_factors(factors, ax)
    labels = [ln.get_label() for ln in _labelled(ax)]
    assert labels == ["tanh, PyTorch default", "ReLU, He", "predicted"]
    lines = ax.get_lines()
    for k, f in enumerate(factors):
        measured, predicted = lines[2 * k], lines[2 * k + 1]
        np.testing.assert_allclose(_xy(measured)[1], f.delta_norm / f.delta_norm[-1])
        np.testing.assert_allclose(_xy(predicted)[1], f.predicted ** (6 - np.arange(1, 7)))
    _render(fig)


def test_dead_layers_draw_one_frame_of_each_sweep_on_a_fixed_axis():
    from vgp_lib import dead_units

    sweeps = [
        dead_units.shift_sweep([0.0, 1.0], activation=a, depth=3, width=8, n_examples=16, seed=0)
        for a in ("relu", "leaky_relu")
    ]
    fig, ax = figure()
    pactivations.plot_dead_layers(sweeps, 1, ax)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == ["ReLU", "LeakyReLU"]
    for line, s in zip(lines, sweeps):
        np.testing.assert_array_equal(_xy(line), ([1, 2, 3], s.fraction[1]))
    assert ax.get_ylim() == (-0.03, 1.03)
    _render(fig)


def test_dead_sweep_draws_one_line_per_layer_against_the_step():
    from vgp_lib import dead_units

    s = dead_units.step_sweep([0.1, 10.0], depth=3, width=8, n_examples=16, seed=0)
    fig, ax = figure()
    pactivations.plot_dead_sweep(s, ax)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == ["layer 1", "layer 2", "layer 3"]
    for k, line in enumerate(lines):
        np.testing.assert_array_equal(_xy(line), (s.values, s.fraction[:, k]))
    assert ax.get_xscale() == "log"
    _render(fig)
