"""Figures of the bound on one factor: where |w sigma'(wa+b)| >= 1, and how wide that is.

Each function draws a result from :mod:`vgp_lib.bound` on an optional ``ax``
and returns the axes, in the book's house style (:mod:`vgp_lib.plots.style`).
Legends sit above the axes or in headroom left for them, never on the data.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from .._validate import check_instance, check_real
from ..bound import FactorInterval, WidthCurve
from . import get_axes
from .style import legend_above, reuse_panels, styled


@styled
def plot_factor_interval(r, ax=None):
    """:math:`|w\\sigma'(wa+b)|` against :math:`a`, the region where it is :math:`\\ge 1` shaded.

    ``r`` is a :class:`vgp_lib.bound.FactorInterval`. The legend sits above the
    axes, its title giving the weight and bias.
    """
    check_instance("r", r, FactorInterval)
    ax = get_axes(ax)
    ax.plot(r.a, r.factor, color="C0", lw=2, label=r"$|w\,\sigma'(wa+b)|$")
    ax.axhline(1.0, color="C3", lw=1, ls="--", label="factor 1")
    if r.endpoints is not None:
        lo, hi = r.endpoints
        ax.axvspan(
            lo,
            hi,
            color="C3",
            alpha=0.2,
            label=f"\u2265 1 on [{lo:.3f}, {hi:.3f}]: width {r.width:.3f}",
        )
    else:
        ax.plot([], [], " ", label=f"|w| < 4: peak {r.peak:.3g}, never 1")
    ax.set_xlim(r.a[0], r.a[-1])
    ax.set_ylim(0, max(1.3, 1.15 * r.peak))
    ax.set_xlabel("input activation $a$")
    ax.set_ylabel("factor")
    legend_above(ax, centred=True, title=f"w = {r.w:.3g}, b = {r.b:.3g}")
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_width_curve(c, ax=None, *, highlight: float | None = None):
    """Width of :math:`\\{a : |w\\sigma'(wa+b)|\\ge 1\\}` against :math:`|w|`, maximum marked.

    ``c`` is a :class:`vgp_lib.bound.WidthCurve`; ``highlight`` marks one
    :math:`|w|` (the explorer's current weight).
    """
    check_instance("c", c, WidthCurve)
    if highlight is not None:
        highlight = check_real("highlight", highlight)
    ax = get_axes(ax)
    ax.plot(c.w, c.width, color="C0", lw=2, label="width $W(|w|)$")
    ax.axvspan(0, 4, color="0.88")
    ax.text(
        2.0, 0.6 * c.width_max, "empty: |w| < 4", ha="center", va="center", rotation=90, color="0.3"
    )
    ax.plot(
        [c.w_star],
        [c.width_max],
        "o",
        color="C3",
        ms=8,
        label=f"widest: {c.width_max:.3f} at |w| = {c.w_star:.2f}",
    )
    if highlight is not None:
        from ..bound import interval_width

        h = abs(float(highlight))
        if h <= c.w[-1]:
            ax.plot([h], [float(interval_width(h))], "s", color="C1", ms=7, label=f"|w| = {h:.3g}")
    ax.set_xlim(0, c.w[-1])
    ax.set_ylim(0, c.width_max * 1.2)
    ax.set_xlabel("|w|")
    ax.set_ylabel("width of the interval")
    legend_above(ax, centred=True)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def draw_factor_and_width(fig, pair):
    """Both panels of the explorer: ``pair = (FactorInterval, WidthCurve)``."""
    check_instance("fig", fig, Figure)
    if not isinstance(pair, tuple) or len(pair) != 2:
        raise TypeError(
            f"pair must be a tuple (FactorInterval, WidthCurve), got {type(pair).__name__}"
        )
    r = check_instance("pair", pair[0], FactorInterval)
    c = check_instance("pair", pair[1], WidthCurve)
    panels = reuse_panels(
        fig, "factor-and-width", lambda f: [(sub, sub.add_subplot()) for sub in f.subfigures(1, 2)]
    )
    # each panel is half the column: its legend goes under it, off the curves
    for (panel, ax), plot in zip(
        panels,
        (
            lambda ax: plot_factor_interval(r, ax),
            lambda ax: plot_width_curve(c, ax, highlight=r.w),
        ),
    ):
        ax = plot(ax)
        legend = ax.get_legend()
        handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
        legend.remove()
        panel.legend(handles, labels, loc="outside lower center")
    left = fig.axes[0]
    if r.endpoints is not None:
        left.set_title(f"factor \u2265 1 for a in [{r.endpoints[0]:.3f}, {r.endpoints[1]:.3f}]")
    else:
        left.set_title("|w| < 4: the factor never reaches 1")
    return fig
