"""What :mod:`vgp_lib.plots.recurrent` draws is each cell's gradient against the lag.

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

from vgp_lib import recurrent
from vgp_lib.plots import figure
from vgp_lib.plots import recurrent as precurrent


def test_time_gradients_draw_each_cell_against_the_lag():
    cells = [recurrent.gradient_through_time(c, hidden=4, steps=8, seed=0) for c in ("rnn", "lstm")]
    fig, ax = figure()
    precurrent.plot_time_gradients(cells, ax)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == ["vanilla RNN (tanh)", "LSTM"] == _legend_labels(ax)
    for line, r in zip(lines, cells):
        np.testing.assert_allclose(_xy(line), (r.lags, np.maximum(r.norms, 1e-300)))
    _render(fig)
