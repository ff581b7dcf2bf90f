"""Figures for the chapter *Seeing the problem in MNIST*.

Each function draws a result computed by :mod:`vgp_lib.network` or
:mod:`vgp_lib.speeds` on the given axes (a new one if ``ax`` is None) and
returns the axes. Nielsen's published figures, where drawn, are passed in by
the caller (``book=...``) so this module holds no numbers of its own.
"""

from __future__ import annotations

import numpy as np

from . import get_axes, styled
from .style import legend_above

__all__ = [
    "depth_table",
    "init_speed_table",
    "plot_accuracy_curves",
    "plot_depth_accuracy",
    "plot_init_speeds",
    "plot_neuron_gradients",
    "plot_speed_profile",
    "plot_training_speeds",
]

_LAYER_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]


_FIGSIZE = (6.4, 4.8)  # matplotlib's default figure size


def _colour(i: int) -> str:
    return _LAYER_COLOURS[i % len(_LAYER_COLOURS)]


@styled
def plot_depth_accuracy(result, ax=None, *, book=None):
    """Final validation accuracy (%) per depth: each seed as a dot, mean ± sd as a bar; ``book`` as crosses."""
    ax = get_axes(ax, figsize=_FIGSIZE)
    final = 100 * result.final()  # (depths, seeds)
    depths = np.array(result.hidden_layers)
    for i, h in enumerate(depths):
        ax.plot(np.full(final.shape[1], h) - 0.08, final[i], "o", color="#1f77b4", alpha=0.45, ms=4,
                label="one seed (ours)" if i == 0 else None)
    sd = final.std(axis=1, ddof=1) if final.shape[1] > 1 else np.zeros(len(depths))
    ax.errorbar(depths + 0.08, final.mean(axis=1), yerr=sd, fmt="s", color="#1f77b4", capsize=4,
                label=f"mean ± sd over {final.shape[1]} seeds")
    if book is not None:
        ax.plot(depths, book, "x", color="#d62728", ms=9, mew=2, label="Nielsen's book (one run)")
    ax.set_xticks(depths)
    ax.set_xlabel("hidden layers (30 neurons each)")
    ax.set_ylabel(f"validation accuracy after {result.epochs} epochs (%)")
    legend_above(ax, ncol=3)
    ax.grid(alpha=0.3)
    return ax


@styled
def plot_accuracy_curves(result, ax=None, *, upto: int | None = None, from_epoch: int = 1,
                         legend: bool = True):
    """Validation accuracy (%) after each epoch, mean over seeds, one line per depth.

    Draws epochs ``from_epoch``..``upto`` (default: all). The accuracy axis spans
    the range the drawn epochs' accuracies occupy over every epoch up to the last
    (so every frame of a sweep shares it): with ``from_epoch`` past the slow first
    epochs it zooms in on the small differences between the depths.
    """
    from matplotlib.ticker import MaxNLocator

    ax = get_axes(ax, figsize=_FIGSIZE)
    upto = result.epochs if upto is None else int(upto)
    if isinstance(from_epoch, bool) or not isinstance(from_epoch, (int, np.integer)) \
            or not 1 <= from_epoch <= result.epochs:
        raise ValueError(f"from_epoch must be an epoch from 1 to {result.epochs}, got {from_epoch!r}")
    start = int(from_epoch) - 1
    epochs = np.arange(start + 1, upto + 1)
    for i, (h, acc) in enumerate(zip(result.hidden_layers, result.accuracy)):
        pct = 100 * acc[:, start:upto]
        ax.plot(epochs, pct.mean(axis=0), "-", color=_colour(i), lw=1.8, label=f"{h} hidden")
        if pct.shape[0] > 1:
            ax.fill_between(epochs, pct.min(axis=0), pct.max(axis=0), color=_colour(i), alpha=0.15, lw=0)
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


@styled
def plot_neuron_gradients(result, ax=None):
    """Nielsen's bars: |∂C/∂b_j| for the first neurons of each hidden layer, one group per neuron."""
    ax = get_axes(ax, figsize=_FIGSIZE)
    grads = [np.abs(g) for g in result.gradients]
    n = len(grads[0])
    width = 0.8 / len(grads)
    for l, g in enumerate(grads):
        ax.bar(np.arange(1, n + 1) + (l - (len(grads) - 1) / 2) * width, g, width, color=_colour(l),
               label=f"hidden layer {l + 1}")
    ax.set_xticks(np.arange(1, n + 1))
    ax.set_xlabel("neuron j")
    ax.set_ylabel(r"$|\partial C / \partial b_j|$ at initialisation")
    legend_above(ax, ncol=len(grads))
    ax.grid(axis="y", alpha=0.3)
    return ax


@styled
def plot_init_speeds(result, ax=None, *, book=None):
    """Median ‖δ^l‖ (log scale) with the 25–75 % range over seeds, one line per depth; ``book`` as crosses."""
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, prof in enumerate(result.profiles):
        layers = np.arange(1, prof.speeds.shape[1] + 1)
        lo, hi = prof.quantiles()
        med = prof.median()
        ax.errorbar(layers, med, yerr=[med - lo, hi - med], fmt="o-", color=_colour(i), capsize=3,
                    label=f"{len(layers)} hidden layers")
        if book is not None:
            ax.plot(layers, book[i], "x", color=_colour(i), ms=9, mew=2)
    if book is not None:
        ax.plot([], [], "x", color="black", ms=8, mew=2, label="Nielsen's book (one draw)")
    ax.set_yscale("log")
    ax.set_xticks(np.arange(1, max(p.speeds.shape[1] for p in result.profiles) + 1))
    ax.set_xlabel("hidden layer l")
    ax.set_ylabel(r"speed $\|\delta^l\|$ at initialisation")
    legend_above(ax, ncol=2)
    ax.grid(alpha=0.3, which="both")
    return ax


@styled
def plot_training_speeds(result, ax=None, *, upto: int | None = None):
    """‖δ^l‖ before each full-batch step (log scale): median over seeds per hidden layer, seeds faint."""
    ax = get_axes(ax, figsize=_FIGSIZE)
    steps = result.speeds.shape[1]
    upto = steps if upto is None else int(upto)
    t = np.arange(upto)
    for l in range(result.speeds.shape[2]):
        s = result.speeds[:, :upto, l]
        if s.shape[0] > 1:
            for row in s:
                ax.plot(t, row, color=_colour(l), lw=0.6, alpha=0.3)
        ax.plot(t, np.median(s, axis=0), color=_colour(l), lw=1.8, label=f"hidden layer {l + 1}")
    ax.set_yscale("log")
    ax.set_xlim(0, steps)
    lo, hi = result.speeds.min(), result.speeds.max()
    ax.set_ylim(lo / 1.5, hi * 1.5)
    ax.set_xlabel("full-batch step (epoch)")
    ax.set_ylabel(r"speed $\|\delta^l\|$")
    # beside the axes, titled with the depth: the lines fill the whole plot area
    ax.legend(title=f"{result.speeds.shape[2]} hidden layers", loc="center left", bbox_to_anchor=(1.01, 0.5),
              frameon=False, borderaxespad=0.0)
    ax.grid(alpha=0.3)
    return ax


@styled
def plot_speed_profile(result, ax=None):
    """‖δ^l‖ per hidden layer at initialisation: median bar, one dot per seed (log scale).

    Kept lean (no legend, no minor ticks): the live widget redraws it on every change.
    """
    from matplotlib.ticker import NullLocator

    ax = get_axes(ax, figsize=_FIGSIZE)
    s = result.speeds
    layers = np.arange(1, s.shape[1] + 1)
    ax.bar(layers, np.median(s, axis=0), color="#9ecae1", edgecolor="#3182bd")
    ax.plot(np.tile(layers, s.shape[0]), s.ravel(), "o", color="#08519c", ms=3, alpha=0.6)
    positive = s[s > 0]
    if positive.size:
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylim(positive.min() / 3, s.max() * 3)
    ax.set_xticks(layers)
    ax.set_xlabel("hidden layer l")
    ax.set_ylabel(r"speed $\|\delta^l\|$ (bar: median, dots: seeds)")
    # a text label, not a title: a title makes matplotlib measure every tick label twice;
    # above the plot area, where no bar or dot can be
    ax.text(1.0, 1.01, f"{result.activation}, {result.init} init, width {result.sizes[1]}",
            transform=ax.transAxes, ha="right", va="bottom")
    ax.grid(axis="y", alpha=0.3)
    return ax


def depth_table(result, book=None) -> str:
    """A Markdown table: final validation accuracy per depth, mean ± sd over seeds, each seed, and ``book``.

    With ``book`` (one published run per depth) a last column gives each published
    number's percentile rank among our seeds (:func:`vgp_lib.stats.percentile_of`).
    """
    from ..stats import percentile_of

    final = 100 * result.final()
    head = "| network | ours: mean ± sd (%) | each seed (%) |" + (
        " Nielsen (%) | Nielsen's percentile in ours |" if book is not None else "")
    rule = "|---|---|---|" + ("---|---|" if book is not None else "")
    rows = [head, rule]
    for i, h in enumerate(result.hidden_layers):
        sd = final[i].std(ddof=1) if final.shape[1] > 1 else float("nan")
        sizes = "[784, " + "30, " * h + "10]"
        row = f"| {sizes} | {final[i].mean():.2f} ± {sd:.2f} | {', '.join(f'{v:.2f}' for v in final[i])} |"
        if book is not None:
            row += f" {book[i]:.2f} | {percentile_of(book[i], final[i]):.0f} |"
        rows.append(row)
    return "\n".join(rows)


def init_speed_table(result, book=None) -> str:
    """A Markdown table: median ‖δ^l‖ at initialisation with its 25–75 % range over seeds, beside ``book``."""
    head = "| hidden layers | layer | ours: median | ours: 25–75 % |" + (" Nielsen |" if book is not None else "")
    rule = "|---|---|---|---|" + ("---|" if book is not None else "")
    rows = [head, rule]
    for i, prof in enumerate(result.profiles):
        lo, hi = prof.quantiles()
        for l, med in enumerate(prof.median()):
            row = f"| {len(prof.sizes) - 2} | {l + 1} | {med:.3g} | {lo[l]:.3g} – {hi[l]:.3g} |"
            if book is not None:
                row += f" {book[i][l]:g} |"
            rows.append(row)
    return "\n".join(rows)
