"""Figures for the chapter *Unstable gradients and how rare balance is*.

Each function draws a result from :mod:`vgp_lib.bound`, :mod:`vgp_lib.identity`
or :mod:`vgp_lib.balance` on an optional ``ax`` and returns the axes, in the
book's house style (:mod:`vgp_lib.plots.style`). Legends sit above the axes or
in headroom left for them, never on the data.
"""

from __future__ import annotations

import numpy as np

from . import get_axes
from .style import legend_above, styled


@styled
def plot_factor_interval(r, ax=None):
    """:math:`|w\\sigma'(wa+b)|` against :math:`a`, the region where it is :math:`\\ge 1` shaded.

    ``r`` is a :class:`vgp_lib.bound.FactorInterval`. The legend sits above the
    axes, its title giving the weight and bias.
    """
    ax = get_axes(ax)
    ax.plot(r.a, r.factor, color="C0", lw=2, label=r"$|w\,\sigma'(wa+b)|$")
    ax.axhline(1.0, color="C3", lw=1, ls="--", label="factor 1")
    if r.endpoints is not None:
        lo, hi = r.endpoints
        ax.axvspan(lo, hi, color="C3", alpha=0.2, label=f"\u2265 1 on [{lo:.3f}, {hi:.3f}]: width {r.width:.3f}")
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
    ax = get_axes(ax)
    ax.plot(c.w, c.width, color="C0", lw=2, label="width $W(|w|)$")
    ax.axvspan(0, 4, color="0.88")
    ax.text(2.0, 0.6 * c.width_max, "empty: |w| < 4", ha="center", va="center", rotation=90, color="0.3")
    ax.plot([c.w_star], [c.width_max], "o", color="C3", ms=8,
            label=f"widest: {c.width_max:.3f} at |w| = {c.w_star:.2f}")
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
    r, c = pair
    # each panel is half the column: its legend goes under it, off the curves
    for panel, plot in zip(fig.subfigures(1, 2), (
        lambda ax: plot_factor_interval(r, ax),
        lambda ax: plot_width_curve(c, ax, highlight=r.w),
    )):
        ax = plot(panel.add_subplot())
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


@styled
def plot_identity_error(c, ax=None):
    """Worst error of the identity neuron on [0, 1] against :math:`w_1` (a :class:`vgp_lib.identity.ErrorCurve`)."""
    ax = get_axes(ax)
    ax.loglog(c.w1, c.error, "o-", color="C0", ms=3, label="measured worst error on [0, 1]")
    ax.loglog(c.w1, c.taylor, "--", color="C3", label=r"Taylor estimate $w_1^2/96$")
    i = int(np.argmin(c.error))
    ax.plot([c.w1[i]], [c.error[i]], "o", color="k", ms=8, mfc="none", label=f"best: {c.error[i]:.2g} at $w_1$ = {c.w1[i]:.2g}")
    ax.set_xlabel("input weight $w_1$")
    ax.set_ylabel(r"$\max_x |w_2\sigma(w_1x+b)+c-x|$")
    ax.set_ylim(min(c.error.min(), c.taylor.min()) / 3, c.error.max() * 3)
    legend_above(ax, ncol=2, centred=True)
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_balance(study, ax=None):
    """Fraction of balanced random chains against the weight scale, one line per activation.

    ``study`` is a :class:`vgp_lib.balance.BalanceStudy`.
    """
    ax = get_axes(ax)
    frac = study.balanced_fraction
    for i, name in enumerate(study.activations):
        label = f"{name} (max derivative {study.max_derivative[i]:.3g})"
        ax.semilogx(study.weight_scales, 100 * frac[i], "o-", ms=3, label=label)
    ax.set_xlabel("weight scale $s$ (weights $\\sim N(0, s^2)$)")
    ax.set_ylabel(f"% of chains within {study.tolerance:g}\u00d7")
    ax.set_ylim(0, max(5.0, 115 * float(np.nanmax(frac))))  # the axis the data need, not 0-100 %
    legend_above(ax, ncol=2, centred=True)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_balance_spread(study, ax=None):
    """Median and 10-90 % band of the first-to-last gradient ratio (log10) against the weight scale.

    Zeros (``-inf``, a ReLU switched off) count as below every finite value.
    """
    ax = get_axes(ax)
    tol = np.log10(study.tolerance)
    for i, name in enumerate(study.activations):
        lo, med, hi = np.percentile(study.log10_ratio[i], [10, 50, 90], axis=-1, method="inverted_cdf")
        ok = np.isfinite(med)
        label = f"{name}: median" if ok.any() else f"{name}: median gradient exactly 0"
        ax.semilogx(study.weight_scales[ok], med[ok], "-", color=f"C{i}", lw=2, label=label)
        band = np.isfinite(lo) & np.isfinite(hi)
        ax.fill_between(study.weight_scales[band], lo[band], hi[band], color=f"C{i}", alpha=0.15)
    ax.axhspan(-tol, tol, color="C2", alpha=0.25, label=f"balanced (within {study.tolerance:g}\u00d7)")
    ax.set_ylim(-60, 30)  # curves that leave through the bottom keep vanishing further
    ax.set_xlabel("weight scale $s$")
    ax.set_ylabel(rf"$\log_{{10}}|\partial C/\partial b_1\,/\,\partial C/\partial b_{{{study.depth}}}|$")
    # right of the axes: curves leave through the top and bottom, never the sides
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_ratio_spread(study, activation: str, ax=None, *, bins: int = 60):
    """Histogram of :math:`\\log_{10}|\\partial C/\\partial b_1/\\partial C/\\partial b_L|` at the activation's best scale."""
    ax = get_axes(ax)
    scale, frac = study.best(activation)
    i = study.activations.index(activation)
    k = int(np.argmin(np.abs(study.weight_scales - scale)))
    r = study.log10_ratio[i, k]
    r = r[np.isfinite(r)]
    ax.hist(r, bins=bins, color="C0", alpha=0.8)
    tol = np.log10(study.tolerance)
    ax.axvspan(-tol, tol, color="C2", alpha=0.2, label=f"balanced: {100 * frac:.0f}%")
    ax.set_xlabel(rf"$\log_{{10}}|\partial C/\partial b_1\,/\,\partial C/\partial b_{{{study.depth}}}|$")
    ax.set_ylabel("number of chains")
    legend_above(ax, centred=True, title=f"{activation}, weight scale {scale:.3g}")
    return ax
