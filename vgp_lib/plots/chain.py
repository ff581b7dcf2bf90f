"""Figures of the single-neuron chain: its factors and gradients, layer by layer.

Every function draws a result it is given (from :mod:`vgp_lib.chain`) on an
optional ``ax`` and returns the axes, in the book's house style
(:mod:`vgp_lib.plots.style`). Values that cannot go on a log axis are never
dropped silently: exact zeros get their own markers and a legend entry. Legends
sit where there are no data: in headroom the axes leave for them, or above the axes.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .._validate import check_instance
from ..chain import ChainGradients, GradientRoutes
from . import get_axes
from .style import legend_above, reuse_panels, styled


def _room_for_zeros(ax, fraction: float = 0.12):
    """Lower a log axis so the 'exactly 0' markers on its bottom edge sit below every value."""
    lo, hi = ax.get_ylim()
    span = np.log10(hi) - np.log10(lo)
    ax.set_ylim(lo / 10 ** (fraction * span), hi)


def _log_with_zeros(ax, x, y, *, color, marker, label):
    """Plot |y| on a log axis; exact zeros become 'x' markers along the bottom edge of the axes."""
    y = np.abs(np.asarray(y, dtype=float))
    pos = y > 0
    ax.semilogy(x[pos], y[pos], marker, color=color, label=label)
    if (~pos).any():
        ax.plot(
            x[~pos],
            np.full(int((~pos).sum()), 0.03),
            "x",
            color=color,
            ms=9,
            mew=2,
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            label=f"{label}: exactly 0",
        )
    return ax


@styled
def plot_factors(result, ax=None):
    """Bars of :math:`|w_j\\sigma'(z_j)|` per layer of a :class:`vgp_lib.chain.ChainGradients`.

    Each bar runs from 1 to its factor on a log axis: down for a factor that shrinks the
    gradient, up for one that grows it, so a bar's length is how many orders of magnitude
    that layer takes away or adds, whatever the axis' range.
    """
    check_instance("result", result, ChainGradients)
    from matplotlib.patches import Patch

    ax = get_axes(ax)
    f = np.abs(result.factors)
    layers = np.arange(1, f.size + 1)
    floor = min(0.01, f[f > 0].min() / 10) if (f > 0).any() else 0.01
    colors = np.where(f >= 1, "C3", "C0")
    end = np.maximum(f, floor)
    low = np.minimum(end, 1.0)  # the bar's lower edge is exact, however small the factor
    ax.bar(layers, np.maximum(end, 1.0) - low, bottom=low, color=colors)
    ax.set_yscale("log")
    if (f == 0).any():
        ax.plot(
            layers[f == 0],
            np.full(int((f == 0).sum()), 0.03),
            "x",
            color="k",
            ms=8,
            mew=2,
            transform=ax.get_xaxis_transform(),
            label="exactly 0",
        )
    ax.axhline(1.0, color="C3", lw=1, ls="--", label="1 (unchanged)")
    ax.axhline(0.25, color="0.4", lw=1, ls=":", label=r"$\max\sigma' = 1/4$")
    ax.set_xlabel("layer $j$")
    ax.set_ylabel(r"$|w_j\,\sigma'(z_j)|$ (log)")
    top = max(10.0, f.max())
    span = np.log10(top) - np.log10(floor)
    ax.set_ylim(floor, top * 10 ** max(2.0, 0.55 * span))  # headroom above the bars for the legend
    handles, _ = ax.get_legend_handles_labels()
    handles += [Patch(color="C0", label="< 1: shrinks"), Patch(color="C3", label="\u2265 1: grows")]
    ax.legend(handles=handles, loc="upper center", ncol=2)
    return ax


@styled
def plot_bias_gradients(result, ax=None):
    """:math:`|\\partial C/\\partial b_j|` per layer on a log axis (a :class:`ChainGradients`)."""
    check_instance("result", result, ChainGradients)
    ax = get_axes(ax)
    g = np.asarray(result.grad)
    layers = np.arange(1, g.size + 1)
    _log_with_zeros(ax, layers, g, color="C0", marker="o-", label=r"$|\partial C/\partial b_j|$")
    ax.set_xlabel("layer $j$ (1 = first)")
    ax.set_ylabel(r"$|\partial C/\partial b_j|$ (log)")
    if (g == 0).any():
        _room_for_zeros(ax)
        ax.legend(loc="upper left")
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def draw_chain_profile(fig, result):
    """Factors and bias gradients side by side (for the explorer and the scrubbable figure)."""
    check_instance("result", result, ChainGradients)
    check_instance("fig", fig, Figure)
    c = result.chain
    left, right = reuse_panels(
        fig, "chain-profile", lambda f: (f.add_subplot(1, 2, 1), f.add_subplot(1, 2, 2))
    )
    factors = plot_factors(result, left)
    # two panels share the column: the factors' legend goes under both, off the bars
    legend = factors.get_legend()
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    legend.remove()
    # plot_factors left headroom for an inside legend; under the panels it needs none
    factors.set_ylim(factors.get_ylim()[0], 3 * max(10.0, float(np.abs(result.factors).max())))
    fig.legend(handles, labels, loc="outside lower center", ncol=2)
    ax = plot_bias_gradients(result, right)
    ax.set_title(f"{c.activation}, depth {c.depth}", loc="right")
    return fig


@styled
def plot_routes(routes, ax=None):
    """The three routes to :math:`\\partial C/\\partial b_j` (a
    :class:`vgp_lib.chain.GradientRoutes`).
    """
    check_instance("routes", routes, GradientRoutes)
    ax = get_axes(ax)
    x = routes.layers
    _log_with_zeros(ax, x, routes.analytic, color="C0", marker="o-", label="product (eq.)")
    _log_with_zeros(ax, x + 0.12, routes.autograd, color="C1", marker="s", label="PyTorch autograd")
    _log_with_zeros(ax, x - 0.12, routes.fd, color="C2", marker="^", label="central differences")
    ax.set_xlabel("layer $j$")
    ax.set_ylabel(r"$|\partial C/\partial b_j|$ (log)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    if not (
        np.all(routes.fd != 0) and np.all(routes.analytic != 0) and np.all(routes.autograd != 0)
    ):
        _room_for_zeros(ax)
    legend_above(ax, ncol=2, centred=True)
    ax.grid(True, which="major", alpha=0.3)
    return ax
