"""What :mod:`vgp_lib.plots.updates` draws is the records' data: per layer, each optimizer's
gradient norm on the left and its update ratio on the right, at the step asked for.

The test builds real (tiny) records with the compute call the chapter uses, draws them on
a house-style figure, reads the artists back (helpers in ``tests/plotcheck.py``) and
renders the figure through the house checks at the desktop's and the phone's width.
"""

import numpy as np
import pytest

from tests.plotcheck import _legend_labels, _line, _render, _xy
from vgp_lib.plots import figure
from vgp_lib.plots import updates as pupdates
from vgp_lib.updates import update_ratios


@pytest.fixture(scope="module")
def records():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 6)), rng.integers(0, 3, 40)
    cfg = dict(depth=5, steps=3, width=6, seed=0)
    return (
        update_ratios(x, y, optimizer="sgd", lr=0.1, **cfg),
        update_ratios(x, y, optimizer="adamw", lr=1e-3, **cfg),
    )


@pytest.mark.parametrize("step", [0, 2])
def test_update_ratios_draws_gradient_norms_left_and_update_ratios_right(records, step):
    sgd, adam = records
    fig, axes = figure(1, 2)
    pupdates.plot_update_ratios(sgd, adam, axes, step=step)
    x = np.arange(1, 7)
    for record, label in ((sgd, "SGD, lr = 0.1"), (adam, "AdamW, lr = 0.001")):
        np.testing.assert_allclose(_xy(_line(axes[0], label)), (x, record.gradient_norm[step]))
        np.testing.assert_allclose(_xy(_line(axes[1], label)), (x, record.update_ratio[step]))
    assert all(ax.get_yscale() == "log" for ax in axes)
    assert [t.get_text() for t in axes[1].get_xticklabels()] == ["1", "2", "3", "4", "5", "out"]
    assert _legend_labels(axes[0]) == ["SGD, lr = 0.1", "AdamW, lr = 0.001"]
    assert axes[1].get_title(loc="right") == f"step {step + 1}"
    _render(fig)


def test_update_ratios_makes_its_own_two_panels(records):
    axes = pupdates.plot_update_ratios(*records)
    assert len(axes) == 2 and all(ax.has_data() for ax in axes)
    assert axes[0].figure is axes[1].figure
    _render(axes[0].figure)
