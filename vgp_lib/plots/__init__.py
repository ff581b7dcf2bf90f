"""Plotting layer: functions that draw a result they are given.

Each function takes a result object from a compute module and an optional
matplotlib ``ax``, draws, and returns the axes. None of them calls
``plt.show()`` or changes global style. :mod:`vgp_lib.plots.scrub` turns a
sequence of pre-computed results into a figure with a slider that works in the
static HTML, without a kernel.
"""


def get_axes(ax=None, figsize=(6.5, 3.8)):
    """Return ``ax``, or the axes of a new figure of ``figsize`` when ``ax`` is None."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax
