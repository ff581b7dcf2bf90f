"""Plotting layer: functions that draw a result they are given.

Each function takes a result object from a compute module and an optional
matplotlib ``ax``, draws in the book's house style (:mod:`vgp_lib.plots.style`)
and returns the axes. None of them calls ``plt.show()`` or changes global style.
Chapters make figures with :func:`figure` and display them with :func:`show`.
:mod:`vgp_lib.plots.scrub` turns a sequence of pre-computed results into a
figure with a slider that works in the static HTML, without a kernel.
"""

from .style import figure, house_style, show, styled  # noqa: F401


def get_axes(ax=None, figsize=None):
    """Return ``ax``, or the axes of a new house-style figure of the column's width
    (only the height of ``figsize`` is used)."""
    if ax is None:
        _, ax = figure(height=figsize[1] if figsize else 3.4)
    return ax
