"""What :mod:`vgp_lib.plots.residual` draws is the data of its results: each path length's part
of the gradient, and the stream's measured and predicted variance block by block."""

import numpy as np

from tests.plotcheck import _labelled, _legend_labels, _render, _xy
from vgp_lib import residual
from vgp_lib.plots import figure
from vgp_lib.plots import residual as presidual


def test_path_gradients_draws_each_length_relative_to_the_whole():
    results = [
        residual.path_gradients(depth=5, activation=a, width=6, n_in=4, batch=3, seed=0)
        for a in ("sigmoid", "relu")
    ]
    fig, ax = figure()
    assert presidual.plot_path_gradients(results, ax) is ax
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == [r.label for r in results] == _legend_labels(ax)
    for line, r in zip(lines, results):
        np.testing.assert_allclose(_xy(line), (np.arange(5), r.norms / r.total_norm), rtol=1e-12)
    _render(fig)


def test_stream_variance_draws_measured_and_predicted():
    results = [
        residual.stream_variance(depth=4, alpha=a, prenorm=p, width=8, batch=4, seed=0)
        for a, p in ((1.0, False), (0.5, True))
    ]
    fig, ax = figure()
    presidual.plot_stream_variance(results, ax)
    lines = ax.get_lines()
    assert len(lines) == 4
    for k, r in enumerate(results):
        measured, predicted = lines[2 * k], lines[2 * k + 1]
        np.testing.assert_allclose(_xy(measured), (np.arange(5), r.var_stream))
        np.testing.assert_allclose(_xy(predicted), (np.arange(5), r.predicted))
        assert measured.get_color() == predicted.get_color() and predicted.get_linestyle() == ":"
    assert _legend_labels(ax) == [results[0].label, "predicted", results[1].label]
    _render(fig)
