"""Figures of learning speeds: ‖δ^l‖ per hidden layer, at initialisation and in training.

Each function draws a result computed by :mod:`vgp_lib.speeds` on the given
axes (a new one if ``ax`` is None) and returns the axes. Nielsen's published
figures, where drawn, are passed in by the caller (``book=...``) so this module
holds no numbers of its own.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance
from ..speeds import InitSpeeds, NeuronGradients, SpeedProfile, TrainingSpeeds
from . import get_axes, styled
from .style import layer_colour, legend_above

__all__ = [
    "init_speed_table",
    "plot_init_speeds",
    "plot_neuron_gradients",
    "plot_speed_profile",
    "plot_training_speeds",
]

_FIGSIZE = (6.4, 4.8)  # matplotlib's default figure size


@styled
def plot_neuron_gradients(result, ax=None):
    """Nielsen's bars: |∂C/∂b_j| for the first neurons of each hidden layer, one group per
    neuron.
    """
    check_instance("result", result, NeuronGradients)
    ax = get_axes(ax, figsize=_FIGSIZE)
    grads = [np.abs(g) for g in result.gradients]
    n = len(grads[0])
    width = 0.8 / len(grads)
    for l, g in enumerate(grads):
        ax.bar(
            np.arange(1, n + 1) + (l - (len(grads) - 1) / 2) * width,
            g,
            width,
            color=layer_colour(l),
            label=f"hidden layer {l + 1}",
        )
    ax.set_xticks(np.arange(1, n + 1))
    ax.set_xlabel("neuron j")
    ax.set_ylabel(r"$|\partial C / \partial b_j|$ at initialisation")
    legend_above(ax, ncol=len(grads))
    ax.grid(axis="y", alpha=0.3)
    return ax


@styled
def plot_init_speeds(result, ax=None, *, book=None):
    """Median ‖δ^l‖ (log scale) with the 25–75 % range over seeds, one line per depth; ``book`` as
    crosses.
    """
    check_instance("result", result, InitSpeeds)
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, prof in enumerate(result.profiles):
        layers = np.arange(1, prof.speeds.shape[1] + 1)
        lo, hi = prof.quantiles()
        med = prof.median()
        ax.errorbar(
            layers,
            med,
            yerr=[med - lo, hi - med],
            fmt="o-",
            color=layer_colour(i),
            capsize=3,
            label=f"{len(layers)} hidden layers",
        )
        if book is not None:
            ax.plot(layers, book[i], "x", color=layer_colour(i), ms=9, mew=2)
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
    """‖δ^l‖ before each full-batch step (log scale): median over seeds per hidden layer, seeds
    faint.
    """
    check_instance("result", result, TrainingSpeeds)
    ax = get_axes(ax, figsize=_FIGSIZE)
    steps = result.speeds.shape[1]
    upto = steps if upto is None else int(upto)
    t = np.arange(upto)
    for l in range(result.speeds.shape[2]):
        s = result.speeds[:, :upto, l]
        if s.shape[0] > 1:
            for row in s:
                ax.plot(t, row, color=layer_colour(l), lw=0.6, alpha=0.3)
        ax.plot(
            t, np.median(s, axis=0), color=layer_colour(l), lw=1.8, label=f"hidden layer {l + 1}"
        )
    ax.set_yscale("log")
    ax.set_xlim(0, steps)
    lo, hi = result.speeds.min(), result.speeds.max()
    ax.set_ylim(lo / 1.5, hi * 1.5)
    ax.set_xlabel("full-batch step (epoch)")
    ax.set_ylabel(r"speed $\|\delta^l\|$")
    # beside the axes, titled with the depth: the lines fill the whole plot area
    ax.legend(
        title=f"{result.speeds.shape[2]} hidden layers",
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        frameon=False,
        borderaxespad=0.0,
    )
    ax.grid(alpha=0.3)
    return ax


@styled
def plot_speed_profile(result, ax=None):
    """‖δ^l‖ per hidden layer at initialisation: median bar, one dot per seed (log scale).

    Kept lean (no legend, no minor ticks): the live widget redraws it on every change.
    """
    check_instance("result", result, SpeedProfile)
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
    ax.text(
        1.0,
        1.01,
        f"{result.activation}, {result.init} init, width {result.sizes[1]}",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
    )
    ax.grid(axis="y", alpha=0.3)
    return ax


def init_speed_table(result, book=None) -> str:
    """A Markdown table: median ‖δ^l‖ at initialisation with its 25–75 % range over seeds, beside
    ``book``.
    """
    check_instance("result", result, InitSpeeds)
    head = "| hidden layers | layer | ours: median | ours: 25–75 % |" + (
        " Nielsen |" if book is not None else ""
    )
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
