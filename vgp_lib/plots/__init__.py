"""Plotting layer: functions that draw a result they are given.

Each function takes a result object from a compute module and an optional
matplotlib ``ax``, draws, and returns the axes. None of them calls
``plt.show()`` or changes global style. :mod:`vgp_lib.plots.scrub` turns a
sequence of pre-computed results into a figure with a slider that works in the
static HTML, without a kernel.
"""
