"""Figures of floating-point precision: a gradient's growth, exact and as each dtype computes it.

Draws :class:`vgp_lib.precision.PrecisionGradient` results on an optional ``ax`` and
returns the axes, in the book's house style (:mod:`vgp_lib.plots.style`).
Overflowed (``inf``) values are never dropped silently: they get their own
markers and a legend entry.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instances
from ..precision import PrecisionGradient
from . import get_axes
from .style import integer_x, legend_above, styled


@styled
def plot_precision_growth(results, ax=None, *, title: str | None = None):
    """:math:`\\log_{10}|\\partial C/\\partial b_j|` per layer: exact, and as computed in each
    precision.

    ``results`` is a :class:`vgp_lib.precision.PrecisionGradient` or a list of them
    for the same chain. The exact values (a sum of logarithms) are a line; the
    values each precision produced are markers; layers where a precision
    overflowed are drawn as triangles on that precision's ceiling, labelled
    ``inf``, never left out. The legend sits above the axes.
    """
    if not isinstance(results, (list, tuple)):
        results = [results]
    results = check_instances("results", results, PrecisionGradient)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be text or None, got {type(title).__name__}")
    ax = get_axes(ax)
    exact = results[0].log10_exact
    layers = np.arange(1, exact.size + 1)
    fin = np.isfinite(exact)
    ax.plot(
        layers[fin],
        exact[fin],
        "-",
        color="k",
        lw=1.5,
        label=r"exact $\log_{10}|\partial C/\partial b_j|$",
    )
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
            ax.plot(
                layers[ok],
                np.log10(np.abs(r.grad[ok].astype(float))),
                marker,
                color=color,
                ms=4,
                mfc="none",
                label=f"computed in {r.dtype}",
            )
        if ceiling > top + 40:  # far above every value: say so instead of squashing the plot
            ax.plot(
                [],
                [],
                ls="--",
                color=color,
                label=f"largest {r.dtype}: $10^{{{ceiling:.1f}}}$ (off the chart)",
            )
            continue
        top = max(top, ceiling)
        ax.axhline(
            ceiling, color=color, lw=1, ls="--", label=f"largest {r.dtype}: $10^{{{ceiling:.1f}}}$"
        )
        if r.any_overflow:
            ax.plot(
                layers[r.overflow],
                np.full(int(r.overflow.sum()), ceiling),
                "^",
                color=color,
                ms=8,
                label=f"{r.dtype}: inf ({int(r.overflow.sum())} layers)",
            )
    span = max(top - bottom, 1.0)
    ax.set_ylim(bottom - 0.08 * span, top + 0.08 * span)
    ax.set_xlabel("layer $j$ (1 = first)")
    ax.set_ylabel(r"$\log_{10}|\partial C/\partial b_j|$")
    legend_above(ax, ncol=2, centred=True, title=title)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_first_gradient_by_depth(results, ax=None, *, label: str = "", mark=None):
    """:math:`\\log_{10}|\\partial C/\\partial b_1|` against the depth :math:`L` of the chain.

    ``results`` holds one :class:`vgp_lib.precision.PrecisionGradient` per chain, of any
    depths (drawn in order of depth); the exact sizes are used, so nothing overflows. When
    every factor is the same, the points lie on a straight line: the gradient grows (or
    shrinks) by the same factor for every layer added. ``label`` names the line in a
    legend above the axes. ``mark=(L1, L2)``, two of the depths, draws an arrow from the
    first chain's gradient to the second's, labelled with how many times larger it is.
    """
    results = check_instances("results", results, PrecisionGradient)
    if not isinstance(label, str):
        raise TypeError(f"label must be text, got {type(label).__name__}")
    ax = get_axes(ax)
    depth = np.array([r.log10_exact.size for r in results])
    first = np.array([r.log10_exact[0] for r in results])
    order = np.argsort(depth, kind="stable")
    depth, first = depth[order], first[order]
    if mark is not None:
        if isinstance(mark, (str, bytes)) or not hasattr(mark, "__len__") or len(mark) != 2:
            raise TypeError(f"mark must be a pair of depths (L1, L2) or None, got {mark!r:.60}")
        if not all(isinstance(m, (int, np.integer)) and m in depth for m in mark):
            raise ValueError(
                f"mark must name two depths among the results' {sorted(set(depth.tolist()))}, "
                f"got {tuple(mark)!r:.60}"
            )
    fin = np.isfinite(first)
    ax.plot(depth[fin], first[fin], "o-", color="C0", ms=4, lw=1.2, label=label or None)
    if mark is not None:
        (x1, y1), (x2, y2) = [(m, first[np.flatnonzero(depth == m)[0]]) for m in mark]
        if np.isfinite(y1) and np.isfinite(y2) and x1 != x2:
            ax.plot([x1, x2], [y1, y1], ls=":", color="0.35", lw=1)
            ax.annotate(
                "",
                xy=(x2, y2),
                xytext=(x2, y1),
                arrowprops=dict(arrowstyle="->", color="C3", lw=1.5),
            )
            times = 10.0 ** (y2 - y1)
            text = f"× {times:,.0f}" if 1 <= times < 1e6 else f"× $10^{{{y2 - y1:.1f}}}$"
            ax.text(x2 - 0.3, (y1 + y2) / 2, text, color="C3", ha="right", va="center")
    ax.set_xlabel("depth $L$ of the chain (layers)")
    ax.set_ylabel(r"$\log_{10}|\partial C/\partial b_1|$")
    integer_x(ax)
    if label:
        legend_above(ax)
    ax.grid(True, alpha=0.3)
    return ax
