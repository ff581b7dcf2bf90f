"""What :mod:`vgp_lib.plots.variance` draws is the measurement: one dot per hidden layer at
its measured ‖δ^l‖, and a dashed line that falls by the predicted factor per layer through
the last hidden layer."""

import numpy as np
import pytest

from tests.plotcheck import _labelled, _render, _xy
from vgp_lib import variance
from vgp_lib.plots import figure
from vgp_lib.plots.variance import plot_factor, predicted_norms


@pytest.fixture(scope="module")
def measurement():
    return variance.per_layer_factor(depth=6, width=16, n_in=16, batch=16, seed=0)


def test_measured_dots_and_predicted_line(measurement):
    fig, ax = figure()
    plot_factor(measurement, ax)
    dots, line = _labelled(ax)
    x, y = _xy(dots)
    np.testing.assert_array_equal(x, np.arange(1, 7))
    np.testing.assert_allclose(y, measurement.delta_norm[:-1])
    px, py = _xy(line)
    np.testing.assert_array_equal(px, x)
    assert py[-1] == pytest.approx(y[-1])
    np.testing.assert_allclose(py[:-1] / py[1:], measurement.predicted, rtol=1e-12)
    assert f"{measurement.predicted:.2f}" in line.get_label()
    assert ax.get_yscale() == "log"
    _render(fig)


def test_predicted_norms_and_refusals(measurement):
    norms = predicted_norms(measurement)
    assert len(norms) == len(measurement.delta_norm) - 1
    with pytest.raises(TypeError, match="measurement"):
        predicted_norms(object())
    with pytest.raises(TypeError, match="measurement"):
        plot_factor([1, 2])
    assert plot_factor(measurement).figure is not None
