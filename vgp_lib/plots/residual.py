"""Figures of residual networks: the gradient split by path length, and the stream's variance.

Each function draws results of :mod:`vgp_lib.residual` on an optional ``ax`` and
returns the axes, in the book's house style (:mod:`vgp_lib.plots.style`).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instances
from ..residual import PathGradients, StreamVariance
from . import get_axes, styled
from .style import integer_x, legend_above

__all__ = ["plot_path_gradients", "plot_stream_variance"]


@styled
def plot_path_gradients(results, ax=None):
    """The part of the gradient carried by the paths through exactly j branches, over the whole
    gradient, against j (log axis); one line per :class:`~vgp_lib.residual.PathGradients`.
    """
    results = check_instances("results", results, PathGradients)
    ax = get_axes(ax, (7.0, 3.6))
    for i, r in enumerate(results):
        j = np.arange(len(r.norms))
        ax.semilogy(j, np.maximum(r.relative, 1e-300), "o-", ms=3, color=f"C{i}", label=r.label)
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    integer_x(ax)
    ax.set_xlabel("branches the path goes through, j")
    ax.set_ylabel(r"$\|g_j\| \,/\, \|g\|$")
    legend_above(ax, ncol=len(results))
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_stream_variance(results, ax=None):
    """Var(a^l) against the block l (log axis): measured (solid, dots) and predicted (dotted, same
    colour), one pair per :class:`~vgp_lib.residual.StreamVariance`.
    """
    results = check_instances("results", results, StreamVariance)
    ax = get_axes(ax, (7.0, 3.6))
    for i, r in enumerate(results):
        layers = np.arange(len(r.var_stream))
        ax.semilogy(layers, r.var_stream, "o-", ms=3, color=f"C{i}", label=r.label)
        ax.semilogy(
            layers,
            r.predicted,
            ":",
            lw=1.8,
            color=f"C{i}",
            label="predicted" if i == 0 else None,
        )
    integer_x(ax)
    ax.set_xlabel("block l")
    ax.set_ylabel(r"Var$(a^l)$")
    legend_above(ax, ncol=2)
    ax.grid(True, which="major", alpha=0.3)
    return ax
