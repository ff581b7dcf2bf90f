"""Plotting layer: functions that draw a result they are given.

Each function takes a result object from a compute module and an optional
matplotlib ``ax``, draws in the book's house style (:mod:`vgp_lib.plots.style`)
and returns the axes. None of them calls ``plt.show()`` or changes global style.
Chapters make figures with :func:`figure` and display them with :func:`show`.
:mod:`vgp_lib.plots.scrub` turns a sequence of pre-computed results into a
figure with a slider that works in the static HTML, without a kernel.
"""

import numpy as np

from .display import show  # noqa: F401
from .style import figure, house_style, styled  # noqa: F401

#: What a chapter or a reader calls here; the other names serve the plotting modules.
__all__ = ["figure", "show"]


def get_axes(ax=None, figsize=None):
    """Return ``ax``, or the axes of a new house-style figure of the column's width
    (only the height of ``figsize`` is used)."""
    if ax is None:
        _, ax = figure(height=figsize[1] if figsize else 3.4)
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def check_axes(axes, n: int) -> list:
    """Return ``axes`` as a list of ``n`` matplotlib Axes; raise naming ``axes`` otherwise."""
    from matplotlib.axes import Axes

    try:
        items = list(np.ravel(np.asarray(axes, dtype=object)))
    except (TypeError, ValueError):
        items = None
    if items is None or len(items) != n or not all(isinstance(a, Axes) for a in items):
        raise TypeError(f"axes must be {n} matplotlib Axes, got {type(axes).__name__}")
    return axes


def legend_from_figure_edge(ax) -> None:
    """Move the legend above ``ax`` (:func:`~vgp_lib.plots.style.legend_above`) to start at
    the figure's left edge instead of the axes': long y labels leave the axes too little
    width for a wide legend, and above the axes there is nothing else to cover."""
    from matplotlib.axes import Axes
    from matplotlib.transforms import blended_transform_factory

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be matplotlib Axes, got {type(ax).__name__}")
    legend = ax.get_legend()
    spec = ax.get_subplotspec()
    if spec is not None and spec.colspan.start > 0:
        return  # a panel to the right of another: the figure's edge is the other's
    if legend is not None:
        where = blended_transform_factory(ax.figure.transFigure, ax.transAxes)
        legend.set_bbox_to_anchor((0.01, 1.01), transform=where)  # legend_above's height
