"""What :mod:`vgp_lib.plots.training` draws is the training comparison's data (on the first
MNIST images): every seed's accuracy, the medians and the weight norms.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np
import pytest

from tests.plotcheck import (
    _labelled,
    _legend_labels,
    _render,
    _xy,
    mnist_digits,
)
from vgp_lib import training
from vgp_lib.plots import training as ptraining


@pytest.fixture(scope="module")
def digits():
    """The first 120 training and 40 validation images of MNIST."""
    return mnist_digits()


def test_training_comparison_draws_every_seed_the_medians_and_the_norms(digits):
    (x, y), (xv, yv) = digits
    configs = {
        "sigmoid, 3 layers": {"depth": 3, "activation": "sigmoid"},
        "ReLU + He": {"depth": 3, "activation": "relu", "init": "he"},
    }
    comp = training.training_comparison(
        configs, x[:60], y[:60], xv, yv, epochs=1, batch_size=20, lr=0.2, n_seeds=2, seed=0, width=8
    )
    axes = ptraining.plot_training_comparison(comp)
    ax_acc, ax_norm = axes
    dots = [ln for ln in ax_acc.get_lines() if ln.get_marker() == "o"]
    ticks = [ln for ln in ax_acc.get_lines() if ln.get_marker() == "|"]
    assert len(dots) == len(ticks) == 2
    for i, (d, t) in enumerate(zip(dots, ticks)):
        np.testing.assert_allclose(_xy(d), (100 * comp.accuracy[i], [i, i]))
        np.testing.assert_allclose(_xy(t), ([100 * np.median(comp.accuracy[i])], [i]))
    assert [t.get_text() for t in ax_acc.get_yticklabels()] == list(comp.names)
    lines = _labelled(ax_norm)
    assert [ln.get_label() for ln in lines] == list(comp.names) == _legend_labels(ax_norm)
    for line, w in zip(lines, comp.weight_norm):
        np.testing.assert_allclose(_xy(line), (np.arange(1, len(w) + 1), w), rtol=1e-6)
    _render(axes[0].figure)
