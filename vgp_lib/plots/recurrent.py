"""Figures of recurrent cells: how a gradient through time shrinks with the lag.

Draws :class:`vgp_lib.recurrent.TimeGradient` results on an optional ``ax`` and
returns the axes.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instances
from ..recurrent import TimeGradient
from . import get_axes, styled
from .style import legend_above

_FIGSIZE = (6.5, 3.6)


@styled
def plot_time_gradients(results, ax=None):
    """``||dh_T/dh_t||`` against ``T - t`` for each :class:`vgp_lib.recurrent.TimeGradient`."""
    results = check_instances("results", results, TimeGradient)
    ax = get_axes(ax, figsize=_FIGSIZE)
    names = {"rnn": "vanilla RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}
    for i, r in enumerate(results):
        ax.semilogy(
            r.lags,
            np.maximum(r.norms, 1e-300),
            color=f"C{i}",
            label=names.get(r.cell, r.cell),
            lw=1.8,
        )
    ax.set_xlabel("steps back in time, T − t")
    ax.set_ylabel(r"$\|\partial h_T/\partial h_t\|$")
    legend_above(ax, ncol=len(results))
    ax.grid(True, which="major", alpha=0.3)
    return ax
