"""Figures of the chapter *Normalisation*: the signal's batch spread and the error's per-layer
factor, layer by layer, with and without a normalisation.

Each function draws :class:`vgp_lib.normalisation.LayerStatistics` results on an
optional ``ax`` and returns the axes, in the book's house style.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance, check_instances, check_sequence
from ..normalisation import LayerStatistics
from . import get_axes, legend_from_figure_edge, styled
from .activations import ACTIVATION_NAMES
from .style import integer_x, legend_above

_FIGSIZE = (6.5, 3.4)
_NORM_NAMES = {"none": "no normalisation", "batch": "batch norm", "layer": "layer norm"}
#: Smallest value drawn on a log axis (a spread flushed to 0 sits on the floor).
FLOOR = 1e-300


def label(stats: LayerStatistics) -> str:
    """``"sigmoid, batch norm"``: the activation and the normalisation of ``stats``."""
    c = check_instance("stats", stats, LayerStatistics).config
    return f"{ACTIVATION_NAMES.get(c['activation'], c['activation'])}, {_NORM_NAMES[c['norm']]}"


def _ylim(ylim):
    if ylim is None:
        return None
    lo, hi = check_sequence("ylim", ylim, what="limits")
    if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and 0 < lo < hi):
        raise ValueError(f"ylim must be two positive numbers, low then high, got {ylim!r}")
    return float(lo), float(hi)


@styled
def plot_spread(stats, ax=None, *, ylim=None):
    """The batch spread of ``z`` (what enters the activation) against the layer, log axis.

    One line per :class:`~vgp_lib.normalisation.LayerStatistics` in ``stats``.
    """
    stats = check_instances("stats", stats, LayerStatistics)
    ylim = _ylim(ylim)
    ax = get_axes(ax, _FIGSIZE)
    for i, s in enumerate(stats):
        layers = np.arange(1, len(s.spread_z) + 1)
        ax.semilogy(
            layers, np.maximum(s.spread_z, FLOOR), "o-", ms=3, color=f"C{i}", label=label(s)
        )
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    integer_x(ax)
    ax.set_xlabel("layer l")
    ax.set_ylabel("batch spread of $z^l$")
    if ylim is not None:
        ax.set_ylim(*ylim)
    legend_above(ax, ncol=min(len(stats), 3))
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_factors(stats, ax=None, *, ylim=None):
    """Measured ``||delta^l|| / ||delta^{l+1}||`` (dots) and the product of the three factors
    that predicts it (line, equation ``eq-norm-factor``) against the layer, log axis.
    """
    stats = check_instances("stats", stats, LayerStatistics)
    ylim = _ylim(ylim)
    ax = get_axes(ax, _FIGSIZE)
    for i, s in enumerate(stats):
        layers = np.arange(1, len(s.rms_prime) + 1)
        ax.semilogy(layers, s.predicted_factor, "-", color=f"C{i}", lw=1.6, label=label(s))
        ax.semilogy(layers, s.measured_factor, "o", ms=4, color=f"C{i}")
    ax.plot([], [], "o", ms=4, color="grey", label="measured (line: predicted)")
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    integer_x(ax)
    ax.set_xlabel("layer l")
    ax.set_ylabel(r"$\|\delta^l\| \,/\, \|\delta^{l+1}\|$")
    if ylim is not None:
        ax.set_ylim(*ylim)
    legend_above(ax, ncol=min(len(stats) + 1, 3))
    legend_from_figure_edge(ax)  # three columns need the width of the figure
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_error_norms(stats, ax=None, *, ylim=None):
    """``||delta^l||`` of every hidden layer and, last, of the output layer (log axis), one line
    per :class:`~vgp_lib.normalisation.LayerStatistics`.
    """
    stats = check_instances("stats", stats, LayerStatistics)
    ylim = _ylim(ylim)
    ax = get_axes(ax, _FIGSIZE)
    for i, s in enumerate(stats):
        layers = np.arange(1, len(s.delta_norm) + 1)
        ax.semilogy(layers, s.delta_norm, "o-", ms=3, color=f"C{i}", label=label(s))
    integer_x(ax)
    ax.set_xlabel(f"layer l ({len(stats[0].delta_norm)}: output)")
    ax.set_ylabel(r"$\|\delta^l\|$")
    if ylim is not None:
        ax.set_ylim(*ylim)
    legend_above(ax, ncol=min(len(stats), 3))
    ax.grid(True, which="major", alpha=0.3)
    return ax
