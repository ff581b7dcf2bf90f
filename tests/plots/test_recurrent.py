"""What :mod:`vgp_lib.plots.recurrent` draws is each cell's gradient against the lag.

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


def test_radius_frame_draws_rho_to_the_k_and_the_tanh_rnn_on_fixed_axes():
    sweep = recurrent.radius_sweep([0.5, 2.0], hidden=4, steps=10, seed=0)
    for index in (0, 1):
        fig, ax = figure()
        precurrent.plot_radius_frame(sweep, index, ax)
        linear, tanh = _labelled(ax)
        lo, hi = precurrent.RADIUS_YLIM
        np.testing.assert_allclose(_xy(linear)[1], np.clip(sweep.linear[index], lo, hi))
        np.testing.assert_allclose(_xy(tanh)[1], np.clip(sweep.tanh[index], lo, hi))
        assert ax.get_ylim() == (lo, hi)
        assert _legend_labels(ax)[0] == rf"linear RNN: $\rho^k = {sweep.rhos[index]:g}^k$"
        _render(fig)


def test_per_step_plots_the_factor_against_rho():
    sweep = recurrent.radius_sweep([0.5, 1.0, 2.0], hidden=4, steps=10, seed=0)
    fig, ax = figure()
    precurrent.plot_per_step(sweep, ax)
    lines = _labelled(ax)
    np.testing.assert_allclose(_xy(lines[0]), (sweep.rhos, sweep.rhos), rtol=1e-10)
    np.testing.assert_allclose(_xy(lines[1])[1], sweep.per_step()[1])
    _render(fig)


def test_carousel_plot_draws_the_product_and_the_mean_gate_prediction():
    results = [recurrent.carousel(gate_bias=b, hidden=4, steps=8, seed=0) for b in (1.0, 5.0)]
    fig, ax = figure()
    precurrent.plot_carousel(results, ax)
    lines = ax.get_lines()
    np.testing.assert_allclose(_xy(lines[0]), (results[0].lags, results[0].carousel))
    np.testing.assert_allclose(_xy(lines[1])[1], results[0].predicted())
    assert _legend_labels(ax) == ["forget bias 1", "forget bias 5", r"$\mathrm{mean}(f)^k$"]
    _render(fig)


def test_memory_runs_plot_the_running_mean_of_the_loss():
    from vgp_lib import sequences

    runs = [
        sequences.train_memory(c, length=4, hidden=3, steps=6, batch=4, seed=0)
        for c in ("rnn", "gru")
    ]
    fig, ax = figure()
    precurrent.plot_memory_runs(runs, ["a", "b"], ax, window=2)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == ["a", "b", "guessing, ln 2"]
    losses = runs[0].losses
    expected = np.convolve(np.r_[losses[0], losses], [0.5, 0.5], "valid")
    np.testing.assert_allclose(_xy(lines[0]), (np.arange(1, 7), expected))
    _render(fig)


def test_unrolled_diagram_has_one_state_per_step_and_shared_weights():
    fig, ax = figure(height=2.6)
    precurrent.plot_unrolled(3, ax)
    texts = [t.get_text() for t in ax.texts]
    assert [t for t in texts if t.startswith("$h_")] == [f"$h_{i}$" for i in range(4)]
    assert texts.count("$W$") == 3 and texts.count("$U$") == 3
    assert {p.get_gid() for p in ax.patches} >= {"backward", "W1", "U3", "x3"}
    _render(fig)
