"""Figures of the depth experiment: validation accuracy per depth of the numpy network.

Each function draws a :class:`vgp_lib.network.DepthResult` on the given axes (a
new one if ``ax`` is None) and returns the axes. Nielsen's published figures,
where drawn, are passed in by the caller (``book=...``) so this module holds no
numbers of its own.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance, check_int
from ..network import DepthResult
from . import get_axes, styled
from .style import layer_colour, legend_above

__all__ = ["depth_table", "plot_accuracy_curves", "plot_depth_accuracy"]

_FIGSIZE = (6.4, 4.8)  # matplotlib's default figure size


@styled
def plot_depth_accuracy(result, ax=None, *, book=None):
    """Final validation accuracy (%) per depth: each seed as a dot, mean ± sd as a bar; ``book`` as
    crosses.
    """
    check_instance("result", result, DepthResult)
    ax = get_axes(ax, figsize=_FIGSIZE)
    final = 100 * result.final()  # (depths, seeds)
    depths = np.array(result.hidden_layers)
    for i, h in enumerate(depths):
        ax.plot(
            np.full(final.shape[1], h) - 0.08,
            final[i],
            "o",
            color="#1f77b4",
            alpha=0.45,
            ms=4,
            label="one seed (ours)" if i == 0 else None,
        )
    sd = final.std(axis=1, ddof=1) if final.shape[1] > 1 else np.zeros(len(depths))
    ax.errorbar(
        depths + 0.08,
        final.mean(axis=1),
        yerr=sd,
        fmt="s",
        color="#1f77b4",
        capsize=4,
        label=f"mean ± sd over {final.shape[1]} seeds",
    )
    if book is not None:
        ax.plot(depths, book, "x", color="#d62728", ms=9, mew=2, label="Nielsen's book (one run)")
    ax.set_xticks(depths)
    ax.set_xlabel("hidden layers (30 neurons each)")
    ax.set_ylabel(f"validation accuracy after {result.epochs} epochs (%)")
    legend_above(ax, ncol=3)
    ax.grid(alpha=0.3)
    return ax


@styled
def plot_accuracy_curves(
    result, ax=None, *, upto: int | None = None, from_epoch: int = 1, legend: bool = True
):
    """Validation accuracy (%) after each epoch, mean over seeds, one line per depth.

    Draws epochs ``from_epoch``..``upto`` (default: all). The accuracy axis spans
    the range the drawn epochs' accuracies occupy over every epoch up to the last
    (so every frame of a sweep shares it): with ``from_epoch`` past the slow first
    epochs it zooms in on the small differences between the depths.
    """
    check_instance("result", result, DepthResult)
    if not isinstance(legend, bool):
        raise TypeError(f"legend must be True or False, got {type(legend).__name__}")
    from matplotlib.ticker import MaxNLocator

    from_epoch = check_int("from_epoch", from_epoch, lo=1, hi=result.epochs)
    upto = (
        result.epochs if upto is None else check_int("upto", upto, lo=from_epoch, hi=result.epochs)
    )
    ax = get_axes(ax, figsize=_FIGSIZE)
    start = from_epoch - 1
    epochs = np.arange(start + 1, upto + 1)
    for i, (h, acc) in enumerate(zip(result.hidden_layers, result.accuracy)):
        pct = 100 * acc[:, start:upto]
        ax.plot(epochs, pct.mean(axis=0), "-", color=layer_colour(i), lw=1.8, label=f"{h} hidden")
        if pct.shape[0] > 1:
            ax.fill_between(
                epochs, pct.min(axis=0), pct.max(axis=0), color=layer_colour(i), alpha=0.15, lw=0
            )
    ax.set_xlim(start + 0.5, result.epochs + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    lowest = min(100 * acc[:, start:].min() for acc in result.accuracy)
    highest = max(100 * acc[:, start:].max() for acc in result.accuracy)
    pad = 0.05 * max(highest - lowest, 0.1)
    ax.set_ylim(lowest - pad, highest + pad)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy (%)")
    if legend:
        legend_above(ax, ncol=len(result.hidden_layers))
    ax.grid(alpha=0.3)
    return ax


def depth_table(result, book=None) -> str:
    """A Markdown table: final validation accuracy per depth, mean ± sd over seeds, each seed, and
    ``book``.

    With ``book`` (one published run per depth) a last column gives each published
    number's percentile rank among our seeds (:func:`vgp_lib.stats.percentile_of`).
    """
    check_instance("result", result, DepthResult)
    from ..stats import percentile_of

    final = 100 * result.final()
    head = "| network | ours: mean ± sd (%) | each seed (%) |" + (
        " Nielsen (%) | Nielsen's percentile in ours |" if book is not None else ""
    )
    rule = "|---|---|---|" + ("---|---|" if book is not None else "")
    rows = [head, rule]
    for i, h in enumerate(result.hidden_layers):
        sd = final[i].std(ddof=1) if final.shape[1] > 1 else float("nan")
        sizes = "[784, " + "30, " * h + "10]"
        row = (
            f"| {sizes} | {final[i].mean():.2f} ± {sd:.2f} | "
            f"{', '.join(f'{v:.2f}' for v in final[i])} |"
        )
        if book is not None:
            row += f" {book[i]:.2f} | {percentile_of(book[i], final[i]):.0f} |"
        rows.append(row)
    return "\n".join(rows)
