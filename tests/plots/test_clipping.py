"""What :mod:`vgp_lib.plots.clipping` draws is the gradient before and after clipping.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np

from tests.plotcheck import (
    _bar_x,
    _bars,
    _legend_labels,
    _render,
)
from vgp_lib import chain, clipping
from vgp_lib.plots import clipping as pclipping
from vgp_lib.plots import figure


def test_clipping_bars_are_the_components_before_and_after():
    exploding = chain.aligned_chain(4, w=100.0, a0=1.0)
    grad_w, grad_b = chain.grad_w_analytic(exploding), chain.grad_b_analytic(exploding)
    clipped = clipping.clip_by_global_norm([grad_w, grad_b], 1.0)
    g, gc = np.concatenate([grad_w, grad_b]), np.concatenate(clipped.grads)
    fig, ax = figure()
    pclipping.plot_clipping(g, gc, ax, n_show=g.size)
    before, after = _bars(ax)
    np.testing.assert_allclose(before, np.abs(g))
    np.testing.assert_allclose(after, np.abs(gc))
    np.testing.assert_allclose(_bar_x(ax, 0), np.arange(g.size) - 0.2)
    assert _legend_labels(ax) == [
        f"before: norm {np.linalg.norm(g):.3g}",
        f"after: norm {np.linalg.norm(gc):.3g}",
    ]
    _render(fig)


def test_clipped_runs_draw_each_loss_and_mark_the_divergence():
    from vgp_lib import sequences

    args = dict(optimizer="sgd", lr=0.05, steps=4, batch=32, length=50, hidden=16, seed=0)
    runs = [
        sequences.train_memory("irnn", **args),
        sequences.train_memory("irnn", max_norm=1.0, **args),
    ]
    fig, ax = figure()
    pclipping.plot_clipped_runs(runs, ["plain", "clipped"], ax)
    k = runs[0].diverged_at
    assert k is not None
    assert _legend_labels(ax) == ["plain", f"diverged at step {k + 1}", "clipped", "guessing, ln 2"]
    clipped_line = [ln for ln in ax.get_lines() if ln.get_label() == "clipped"][0]
    np.testing.assert_allclose(clipped_line.get_ydata(), runs[1].losses)
    _render(fig)
