"""Figures for the chapters *The single-neuron chain* and *Exploding gradients*.

Every function draws a result it is given (from :mod:`vgp_lib.chain` or
:mod:`vgp_lib.balance`) on an optional ``ax`` and returns the axes, in the
book's house style (:mod:`vgp_lib.plots.style`). Values that cannot go on a
log axis are never dropped silently: exact zeros and overflowed (``inf``)
gradients get their own markers and a legend entry. Legends sit where there
are no data: in headroom the axes leave for them, or above the axes.
"""

from __future__ import annotations

import numpy as np

from . import get_axes
from .style import legend_above, styled


def _room_for_zeros(ax, fraction: float = 0.12):
    """Lower a log axis so the 'exactly 0' markers on its bottom edge sit below every value."""
    lo, hi = ax.get_ylim()
    span = np.log10(hi) - np.log10(lo)
    ax.set_ylim(lo / 10 ** (fraction * span), hi)


@styled
def plot_activation_derivative(z, values, ax=None, *, name: str = r"\sigma"):
    """A derivative curve (e.g. :math:`\\sigma'(z)`) with its maximum marked."""
    ax = get_axes(ax)
    z, values = np.asarray(z), np.asarray(values)
    i = int(np.argmax(values))
    ax.plot(z, values, color="C0", lw=2, label=rf"${name}'(z)$")
    ax.plot([z[i]], [values[i]], "o", color="C3", ms=8, label=rf"maximum ${name}'({z[i]:.3g}) = {values[i]:.3g}$")
    ax.axhline(values[i], color="C3", lw=0.8, ls=":")
    ax.set_xlabel("weighted input $z$")
    ax.set_ylabel("derivative")
    ax.set_ylim(0, values[i] * 1.25)
    ax.legend(loc="upper right")
    ax.grid(True, alpha=0.3)
    return ax


def _log_with_zeros(ax, x, y, *, color, marker, label):
    """Plot |y| on a log axis; exact zeros become 'x' markers along the bottom edge of the axes."""
    y = np.abs(np.asarray(y, dtype=float))
    pos = y > 0
    ax.semilogy(x[pos], y[pos], marker, color=color, label=label)
    if (~pos).any():
        ax.plot(x[~pos], np.full(int((~pos).sum()), 0.03), "x", color=color, ms=9, mew=2,
                transform=ax.get_xaxis_transform(), clip_on=False, label=f"{label}: exactly 0")
    return ax


@styled
def plot_factors(result, ax=None):
    """Bars of :math:`|w_j\\sigma'(z_j)|` per layer of a :class:`vgp_lib.chain.ChainGradients`."""
    from matplotlib.patches import Patch

    ax = get_axes(ax)
    f = np.abs(result.factors)
    layers = np.arange(1, f.size + 1)
    floor = min(0.01, f[f > 0].min() / 10) if (f > 0).any() else 0.01
    colors = np.where(f >= 1, "C3", "C0")
    ax.bar(layers, np.maximum(f, floor), bottom=0, color=colors)
    ax.set_yscale("log")
    if (f == 0).any():
        ax.plot(layers[f == 0], np.full(int((f == 0).sum()), 0.03), "x", color="k", ms=8, mew=2,
                transform=ax.get_xaxis_transform(), label="exactly 0")
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
    c = result.chain
    factors = plot_factors(result, fig.add_subplot(1, 2, 1))
    # two panels share the column: the factors' legend goes under both, off the bars
    legend = factors.get_legend()
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    legend.remove()
    low, high = factors.get_ylim()
    factors.set_ylim(low, high / 300)  # plot_factors left headroom for an inside legend
    fig.legend(handles, labels, loc="outside lower center", ncol=2)
    ax = plot_bias_gradients(result, fig.add_subplot(1, 2, 2))
    ax.set_title(f"{c.activation}, depth {c.depth}", loc="right")
    return fig


@styled
def plot_routes(routes, ax=None):
    """The three routes to :math:`\\partial C/\\partial b_j` (a :class:`vgp_lib.chain.GradientRoutes`)."""
    ax = get_axes(ax)
    x = routes.layers
    _log_with_zeros(ax, x, routes.analytic, color="C0", marker="o-", label="product (eq.)")
    _log_with_zeros(ax, x + 0.12, routes.autograd, color="C1", marker="s", label="PyTorch autograd")
    _log_with_zeros(ax, x - 0.12, routes.fd, color="C2", marker="^", label="central differences")
    ax.set_xlabel("layer $j$")
    ax.set_ylabel(r"$|\partial C/\partial b_j|$ (log)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    if not (np.all(routes.fd != 0) and np.all(routes.analytic != 0) and np.all(routes.autograd != 0)):
        _room_for_zeros(ax)
    legend_above(ax, ncol=2, centred=True)
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_ratio_histogram(sample, ax=None, *, bins: int = 80):
    """Distribution of :math:`\\log_{10}` of the gradient ratio (a :class:`vgp_lib.balance.RatioSample`)."""
    ax = get_axes(ax)
    r = sample.log10_ratio[np.isfinite(sample.log10_ratio)]
    counts, _, _ = ax.hist(r, bins=bins, color="C0", alpha=0.8)
    ax.axvline(np.log10(16.0), color="C3", lw=2, ls="--", label="ratio 16")
    ax.axvline(np.median(r), color="k", lw=1.5, label=f"median ({sample.median_ratio:,.0f})")
    ax.set_xlabel(
        rf"$\log_{{10}}\,|\partial C/\partial b_{sample.upper}|\,/\,|\partial C/\partial b_{sample.lower}|$"
    )
    ax.set_ylabel("number of chains")
    ax.set_ylim(0, counts.max() * 1.1)
    legend_above(ax, ncol=2, centred=True)
    return ax


@styled
def plot_precision_growth(results, ax=None, *, title: str | None = None):
    """:math:`\\log_{10}|\\partial C/\\partial b_j|` per layer: exact, and as computed in each precision.

    ``results`` is a :class:`vgp_lib.precision.PrecisionGradient` or a list of them
    for the same chain. The exact values (a sum of logarithms) are a line; the
    values each precision produced are markers; layers where a precision
    overflowed are drawn as triangles on that precision's ceiling, labelled
    ``inf``, never left out. The legend sits above the axes.
    """
    ax = get_axes(ax)
    if not isinstance(results, (list, tuple)):
        results = [results]
    exact = results[0].log10_exact
    layers = np.arange(1, exact.size + 1)
    fin = np.isfinite(exact)
    ax.plot(layers[fin], exact[fin], "-", color="k", lw=1.5, label=r"exact $\log_{10}|\partial C/\partial b_j|$")
    if (~fin).any():
        low = exact[fin].min() - 1 if fin.any() else -1
        ax.plot(layers[~fin], np.full((~fin).sum(), low), "x", color="k", ms=9, label="exactly 0")
    styles = {"float32": ("C3", "s"), "float64": ("C0", "o")}
    top = exact[fin].max() if fin.any() else 0.0
    bottom = exact[fin].min() if fin.any() else 0.0
    for k, r in enumerate(results):
        color, marker = styles.get(r.dtype, (f"C{k + 2}", "D"))
        ceiling = np.log10(r.largest)
        ok = ~r.overflow & (r.grad != 0)
        with np.errstate(divide="ignore"):
            ax.plot(layers[ok], np.log10(np.abs(r.grad[ok].astype(float))), marker, color=color, ms=4, mfc="none",
                    label=f"computed in {r.dtype}")
        if ceiling > top + 40:  # far above every value: say so instead of squashing the plot
            ax.plot([], [], ls="--", color=color, label=f"largest {r.dtype}: $10^{{{ceiling:.1f}}}$ (off the chart)")
            continue
        top = max(top, ceiling)
        ax.axhline(ceiling, color=color, lw=1, ls="--", label=f"largest {r.dtype}: $10^{{{ceiling:.1f}}}$")
        if r.any_overflow:
            ax.plot(layers[r.overflow], np.full(int(r.overflow.sum()), ceiling), "^", color=color, ms=8,
                    label=f"{r.dtype}: inf ({int(r.overflow.sum())} layers)")
    span = max(top - bottom, 1.0)
    ax.set_ylim(bottom - 0.08 * span, top + 0.08 * span)
    ax.set_xlabel("layer $j$ (1 = first)")
    ax.set_ylabel(r"$\log_{10}|\partial C/\partial b_j|$")
    legend_above(ax, ncol=2, centred=True, title=title)
    ax.grid(True, alpha=0.3)
    return ax
