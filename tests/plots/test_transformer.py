"""What :mod:`vgp_lib.plots.transformer` draws is the data of the transformer results:
each block's gradient, the stream's size and its prediction, and the training runs.

Each test builds a tiny real result, draws it on a house-style figure, reads the artists
back (helpers in ``tests/plotcheck.py``) and renders it through the house checks.
"""

import numpy as np
import pytest

from tests.plotcheck import _line, _render, _xy
from vgp_lib import transformer as tf
from vgp_lib.book import figure, show
from vgp_lib.plots import transformer as ptf


@pytest.fixture(scope="module")
def profiles():
    return [
        tf.init_profile(4, layout, seeds=(0, 1), width=16, batch=8) for layout in ("post", "pre")
    ]


@pytest.fixture(scope="module")
def runs():
    return [
        tf.train_sorting(
            depth=2,
            layout=layout,
            warmup=warmup,
            steps=6,
            width=16,
            heads=2,
            record_every=2,
            seed=0,
        )
        for layout, warmup in (("post", 0), ("post", 3), ("pre", 0))
    ]


def test_block_gradients_draw_the_medians(profiles):
    fig, ax = figure()
    ptf.plot_block_gradients(profiles, ax, title="4 blocks")
    for p in profiles:
        x, y = _xy(_line(ax, ptf.LAYOUT_NAMES[p.layout]))
        np.testing.assert_array_equal(x, np.arange(1, 5))
        np.testing.assert_allclose(y, p.median_grad)
    assert ax.get_yscale() == "log"
    _render(fig)
    show(fig)


def test_stream_draws_each_layout_and_the_prediction(profiles):
    budget = tf.stream_budget(4, width=16, batch=8, seed=0)
    fig, ax = figure()
    ptf.plot_stream(profiles, ax, budget=budget)
    x, y = _xy(_line(ax, "pre-LN"))
    np.testing.assert_allclose(y, np.median(profiles[1].stream, axis=0))
    _, predicted = _xy(_line(ax, "pre-LN, sum of branch variances"))
    np.testing.assert_allclose(predicted**2, budget.predicted[::2])
    show(fig)


def test_training_and_balance_draw_every_run(runs):
    fig, (left, right) = figure(1, 2)
    ptf.plot_training(runs, left)
    ptf.plot_gradient_balance(runs, right)
    for run in runs:
        label = ptf.run_label(run)
        np.testing.assert_allclose(_xy(_line(left, label))[1], run.loss)
        x, y = _xy(_line(right, label))
        np.testing.assert_array_equal(x, [0, 2, 4])
        np.testing.assert_allclose(y, run.gradient_norms[:, 0] / run.gradient_norms[:, -1])
    assert ptf.run_label(runs[1]) == "post-LN, warmup 3 steps"
    show(fig)
