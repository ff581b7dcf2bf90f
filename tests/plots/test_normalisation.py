"""What :mod:`vgp_lib.plots.normalisation` draws is the statistics' data."""

import numpy as np
import pytest

from tests.plotcheck import _render, _xy
from vgp_lib import normalisation
from vgp_lib.plots import figure
from vgp_lib.plots import normalisation as pnorm


@pytest.fixture(scope="module")
def pair():
    return [
        normalisation.layer_statistics(depth=4, norm=n, width=8, batch=8, seed=0)
        for n in ("none", "batch")
    ]


def test_spread_draws_one_line_per_network(pair):
    fig, ax = figure()
    pnorm.plot_spread(pair, ax, ylim=(1e-8, 10))
    lines = [ln for ln in ax.get_lines() if ln.get_label() in {pnorm.label(s) for s in pair}]
    assert len(lines) == 2
    for line, s in zip(lines, pair):
        x, y = _xy(line)
        np.testing.assert_allclose(x, np.arange(1, 5))
        np.testing.assert_allclose(y, s.spread_z)
    assert ax.get_ylim() == pytest.approx((1e-8, 10))
    assert pnorm.label(pair[1]) == "sigmoid, batch norm"
    _render(fig)


def test_factors_draw_prediction_and_measurement(pair):
    fig, ax = figure()
    pnorm.plot_factors(pair, ax)
    lines = ax.get_lines()
    for k, s in enumerate(pair):
        np.testing.assert_allclose(_xy(lines[2 * k])[1], s.predicted_factor)
        np.testing.assert_allclose(_xy(lines[2 * k + 1])[1], s.measured_factor)
        assert lines[2 * k + 1].get_marker() == "o"
    _render(fig)


def test_error_norms_draw_every_layer_and_the_output(pair):
    fig, ax = figure()
    pnorm.plot_error_norms(pair, ax, ylim=(1e-6, 10))
    for line, s in zip(ax.get_lines(), pair):
        x, y = _xy(line)
        np.testing.assert_allclose(x, np.arange(1, 6))
        np.testing.assert_allclose(y, s.delta_norm)
    assert "5: output" in ax.get_xlabel()
    _render(fig)


def test_plots_draw_on_their_own_axes_and_refuse_bad_input(pair):
    assert pnorm.plot_spread(pair) is not None
    assert pnorm.plot_factors(pair) is not None
    assert pnorm.plot_error_norms(pair) is not None
    with pytest.raises(TypeError):
        pnorm.plot_spread([1, 2])
    with pytest.raises(ValueError, match="ylim"):
        pnorm.plot_factors(pair, ylim=(1, 0))
