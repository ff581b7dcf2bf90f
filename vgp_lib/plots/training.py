"""Figures of training comparisons: accuracy and gradient norms per configuration.

Draws a :class:`vgp_lib.training.TrainingComparison` on a pair of axes (a new
figure if ``axes`` is None) and returns them.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance
from ..training import TrainingComparison
from . import check_axes, figure, legend_from_figure_edge, styled
from .phone import on_phone
from .style import PHONE_IN, integer_x, legend_above


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
    legend_from_figure_edge(ax_norm)  # the names beside the top panel push both panels right
    ax_norm.grid(True, which="major", alpha=0.3)
    if len(ax_acc.figure.axes) == 2:
        on_phone(ax_acc.figure, _names_on_two_lines)
    return axes


def _names_on_two_lines(fig) -> None:
    """Phone layout: the panels one under the other as on the desktop, the configurations'
    names beside the top panel and the x label under the bottom one broken in two lines,
    the legend in one column."""
    ax_acc, ax_norm = fig.axes
    names = [t.get_text() for t in ax_acc.get_yticklabels()]
    ax_acc.set_yticks(ax_acc.get_yticks(), [n.replace(", ", ",\n", 1) for n in names])
    ax_norm.set_xlabel(ax_norm.get_xlabel().replace(" (", "\n(", 1))
    legend = ax_norm.get_legend()
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    legend.remove()
    ax_norm.legend(handles, labels, loc="lower left", ncol=1, frameon=False, borderaxespad=0.0)
    legend_from_figure_edge(ax_norm)
    fig.set_size_inches(PHONE_IN, fig.get_figheight() + 0.2 * len(labels))
