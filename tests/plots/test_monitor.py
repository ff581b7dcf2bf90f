"""What :mod:`vgp_lib.plots.monitor` draws is the gradient record's data: the median and
band over steps, the norm history, the three symptoms of a training run; and its plots
take a record or a monitor and return their axes.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from tests.plotcheck import (
    _labelled,
    _legend_labels,
    _line,
    _render,
    _xy,
    mnist_digits,
)
from vgp_lib.plots import figure
from vgp_lib.plots import monitor as pmonitor


@pytest.fixture(scope="module")
def digits():
    """The first 120 training and 40 validation images of MNIST."""
    return mnist_digits()


@pytest.fixture(scope="module")
def trace(digits):
    from vgp_lib.models import build_mlp
    from vgp_lib.monitor import train_watched

    (x, y), _ = digits
    net = build_mlp(n_in=784, width=8, n_out=10, depth=4, seed=0, dtype=torch.float32)
    return train_watched(net, x[:100], y[:100], epochs=1, batch_size=20, lr=0.1, seed=0)


def test_gradient_record_draws_the_median_and_band_over_steps(trace):
    record = trace.record
    fig, axes = figure(1, 2)
    pmonitor.plot_gradient_record(record, axes[0], kind="delta", title="all steps")
    pmonitor.plot_gradient_record(record, axes[1], steps=slice(2, 3))
    x = np.arange(1, len(record.names) + 1)
    np.testing.assert_allclose(
        _xy(_line(axes[0], "median over steps")),
        (x, np.nanmedian(record.delta_norm, axis=0)),
        rtol=1e-6,
    )
    lo, hi = np.nanpercentile(record.delta_norm, [10, 90], axis=0)
    band = axes[0].collections[0].get_paths()[0].vertices
    for xi, low, high in zip(x, lo, hi):
        at_x = band[np.isclose(band[:, 0], xi), 1]
        assert np.isclose(at_x, low, rtol=1e-6).any() and np.isclose(at_x, high, rtol=1e-6).any()
    np.testing.assert_allclose(
        _xy(_line(axes[1], "one backward pass")), (x, record.weight_norm[2]), rtol=1e-6
    )
    assert not axes[1].collections  # one step has no spread
    assert [t.get_text() for t in axes[0].get_xticklabels()] == [
        n.replace("blocks.", "").replace(".linear", "") or "(model)" for n in record.names
    ]
    _render(fig)


def test_norm_history_draws_the_chosen_layers_over_steps(trace):
    record = trace.record
    n = len(record.names)
    fig, ax = figure()
    pmonitor.plot_norm_history(record, ax)
    lines = _labelled(ax)
    chosen = sorted({0, n // 2, n - 1})
    assert len(lines) == len(chosen)
    for line, j in zip(lines, chosen):
        np.testing.assert_allclose(
            _xy(line), (np.arange(1, record.n_steps + 1), record.weight_norm[:, j]), rtol=1e-6
        )
    assert _legend_labels(ax) == [ln.get_label() for ln in lines]
    _render(fig)


def test_training_trace_draws_the_three_symptoms_of_each_run(trace):
    axes = pmonitor.plot_training_trace(trace, label="broken", color="C3")
    pmonitor.plot_training_trace(trace, axes, label="fixed", color="C0")
    x = np.arange(1, len(trace.record.names) + 1)
    for label in ("broken", "fixed"):
        np.testing.assert_allclose(
            _xy(_line(axes[0], label)), (np.arange(1, len(trace.losses) + 1), trace.losses)
        )
        np.testing.assert_allclose(
            _xy(_line(axes[1], label)), (x, np.nanmedian(trace.update_ratio, axis=0))
        )
        np.testing.assert_allclose(
            _xy(_line(axes[2], label)),
            (x, np.nanmedian(trace.record.weight_norm, axis=0)),
            rtol=1e-6,
        )
    assert _legend_labels(axes[0]) == ["broken", "fixed"]
    _render(axes[0].figure)


def test_monitor_plots_take_a_record_or_a_monitor():
    from vgp_lib.models import build_mlp
    from vgp_lib.monitor import train_watched

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 4)), rng.integers(0, 2, 40)
    trace = train_watched(
        build_mlp(n_in=4, width=5, n_out=2, depth=3, seed=0),
        x,
        y,
        epochs=1,
        batch_size=10,
        lr=0.1,
        seed=0,
    )
    ax = pmonitor.plot_gradient_record(trace.record, kind="delta")
    assert len(ax.get_lines()) == 1 and ax.has_data()
    ax2 = pmonitor.plot_norm_history(trace.record)
    assert len(ax2.get_lines()) == 3
    axes = pmonitor.plot_training_trace(trace, label="x")
    assert all(a.has_data() for a in axes)
    plt.close("all")
