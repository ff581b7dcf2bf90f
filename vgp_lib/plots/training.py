"""Figures of training comparisons: accuracy and gradient norms per configuration.

Draws a :class:`vgp_lib.training.TrainingComparison` on a pair of axes (a new
figure if ``axes`` is None) and returns them.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance
from ..training import TrainingComparison
from . import check_axes, figure, styled
from .style import integer_x, legend_above


@styled
def plot_training_comparison(comp, axes=None):
    """Top: validation accuracy per configuration (dots: seeds, bar: median). Bottom: per-layer
    gradient norms.
    """
    check_instance("comp", comp, TrainingComparison)
    if axes is None:
        _, axes = figure(2, 1, height=6.4)
    check_axes(axes, 2)
    ax_acc, ax_norm = axes
    y = np.arange(len(comp.names))
    for i, acc in enumerate(comp.accuracy):
        ax_acc.plot(100 * acc, np.full(len(acc), i), "o", color=f"C{i}", alpha=0.7)
        ax_acc.plot([100 * np.median(acc)], [i], "|", color="k", ms=18, mew=2)
    ax_acc.set_yticks(y, comp.names)
    ax_acc.invert_yaxis()
    ax_acc.set_xlabel("validation accuracy (%)")
    ax_acc.grid(True, axis="x", alpha=0.3)
    for i, w in enumerate(comp.weight_norm):
        ax_norm.semilogy(
            np.arange(1, len(w) + 1), w, "o-", ms=3, color=f"C{i}", label=comp.names[i]
        )
    integer_x(ax_norm)
    ax_norm.set_xlabel("layer (input side → output layer)")
    ax_norm.set_ylabel(r"median $\|\partial C/\partial W^l\|$ in training")
    legend_above(ax_norm, ncol=2)
    ax_norm.grid(True, which="major", alpha=0.3)
    return axes
