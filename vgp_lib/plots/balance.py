"""Figures of how rarely random chains balance: ratios of first to last gradient.

Each function draws a result from :mod:`vgp_lib.balance` (a
:class:`~vgp_lib.balance.BalanceStudy` or a :class:`~vgp_lib.balance.RatioSample`)
on an optional ``ax`` and returns the axes, in the book's house style
(:mod:`vgp_lib.plots.style`). Legends sit above or beside the axes, never on the data.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance, check_int
from ..balance import BalanceStudy, RatioSample
from . import get_axes
from .style import legend_above, styled


@styled
def plot_ratio_histogram(sample, ax=None, *, bins: int = 80):
    """Distribution of :math:`\\log_{10}` of the gradient ratio (a
    :class:`vgp_lib.balance.RatioSample`).
    """
    check_instance("sample", sample, RatioSample)
    bins = check_int("bins", bins, lo=1, hi=1_000)
    ax = get_axes(ax)
    r = sample.log10_ratio[np.isfinite(sample.log10_ratio)]
    counts, _, _ = ax.hist(r, bins=bins, color="C0", alpha=0.8)
    ax.axvline(np.log10(16.0), color="C3", lw=2, ls="--", label="ratio 16")
    ax.axvline(np.median(r), color="k", lw=1.5, label=f"median ({sample.median_ratio:,.0f})")
    ax.set_xlabel(
        rf"$\log_{{10}}\,|\partial C/\partial b_{sample.upper}|\,/\,"
        rf"|\partial C/\partial b_{sample.lower}|$"
    )
    ax.set_ylabel("number of chains")
    ax.set_ylim(0, counts.max() * 1.1)
    legend_above(ax, ncol=2, centred=True)
    return ax


@styled
def plot_balance(study, ax=None):
    """Fraction of balanced random chains against the weight scale, one line per activation.

    ``study`` is a :class:`vgp_lib.balance.BalanceStudy`.
    """
    check_instance("study", study, BalanceStudy)
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
    check_instance("study", study, BalanceStudy)
    ax = get_axes(ax)
    tol = np.log10(study.tolerance)
    for i, name in enumerate(study.activations):
        lo, med, hi = np.percentile(
            study.log10_ratio[i], [10, 50, 90], axis=-1, method="inverted_cdf"
        )
        ok = np.isfinite(med)
        label = f"{name}: median" if ok.any() else f"{name}: median gradient exactly 0"
        ax.semilogx(study.weight_scales[ok], med[ok], "-", color=f"C{i}", lw=2, label=label)
        band = np.isfinite(lo) & np.isfinite(hi)
        ax.fill_between(study.weight_scales[band], lo[band], hi[band], color=f"C{i}", alpha=0.15)
    ax.axhspan(
        -tol, tol, color="C2", alpha=0.25, label=f"balanced (within {study.tolerance:g}\u00d7)"
    )
    ax.set_ylim(-60, 30)  # curves that leave through the bottom keep vanishing further
    ax.set_xlabel("weight scale $s$")
    ax.set_ylabel(
        rf"$\log_{{10}}|\partial C/\partial b_1\,/\,\partial C/\partial b_{{{study.depth}}}|$"
    )
    # right of the axes: curves leave through the top and bottom, never the sides
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_ratio_spread(study, activation: str, ax=None, *, bins: int = 60):
    """Histogram of :math:`\\log_{10}|\\partial C/\\partial b_1/\\partial C/\\partial b_L|` at the
    activation's best scale.
    """
    check_instance("study", study, BalanceStudy)
    bins = check_int("bins", bins, lo=1, hi=1_000)
    ax = get_axes(ax)
    scale, frac = study.best(activation)
    i = study.activations.index(activation)
    k = int(np.argmin(np.abs(study.weight_scales - scale)))
    r = study.log10_ratio[i, k]
    r = r[np.isfinite(r)]
    ax.hist(r, bins=bins, color="C0", alpha=0.8)
    tol = np.log10(study.tolerance)
    ax.axvspan(-tol, tol, color="C2", alpha=0.2, label=f"balanced: {100 * frac:.0f}%")
    ax.set_xlabel(
        rf"$\log_{{10}}|\partial C/\partial b_1\,/\,\partial C/\partial b_{{{study.depth}}}|$"
    )
    ax.set_ylabel("number of chains")
    legend_above(ax, centred=True, title=f"{activation}, weight scale {scale:.3g}")
    return ax
