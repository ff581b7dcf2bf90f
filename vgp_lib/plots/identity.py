"""Figures of the identity neuron: how well a sigmoid neuron passes its input through.

Draws a :class:`vgp_lib.identity.ErrorCurve` on an optional ``ax`` and returns
the axes, in the book's house style (:mod:`vgp_lib.plots.style`).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance
from ..identity import ErrorCurve
from . import get_axes
from .style import legend_above, styled


@styled
def plot_identity_error(c, ax=None):
    """Worst error of the identity neuron on [0, 1] against :math:`w_1` (a
    :class:`vgp_lib.identity.ErrorCurve`).
    """
    check_instance("c", c, ErrorCurve)
    ax = get_axes(ax)
    ax.loglog(c.w1, c.error, "o-", color="C0", ms=3, label="measured worst error on [0, 1]")
    ax.loglog(c.w1, c.taylor, "--", color="C3", label=r"Taylor estimate $w_1^2/96$")
    i = int(np.argmin(c.error))
    ax.plot(
        [c.w1[i]],
        [c.error[i]],
        "o",
        color="k",
        ms=8,
        mfc="none",
        label=f"best: {c.error[i]:.2g} at $w_1$ = {c.w1[i]:.2g}",
    )
    ax.set_xlabel("input weight $w_1$")
    ax.set_ylabel(r"$\max_x |w_2\sigma(w_1x+b)+c-x|$")
    ax.set_ylim(min(c.error.min(), c.taylor.min()) / 3, c.error.max() * 3)
    legend_above(ax, ncol=2, centred=True)
    ax.grid(True, which="major", alpha=0.3)
    return ax
