"""Figures of deep transformers: each block's gradient, the residual stream's size, training.

Draws results of :mod:`vgp_lib.transformer` (:class:`~vgp_lib.transformer.InitProfile`,
:class:`~vgp_lib.transformer.StreamBudget`, :class:`~vgp_lib.transformer.TrainingRun`)
on an optional ``ax`` and returns the axes, in the book's house style.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_bool, check_instance, check_instances
from ..transformer import InitProfile, StreamBudget, TrainingRun
from . import get_axes
from .style import integer_x, legend_above, reuse_panels, styled

# draw_warmup_explorer draws for the widget and run_label names a run: neither is the surface
__all__ = ["plot_block_gradients", "plot_gradient_balance", "plot_stream", "plot_training"]

#: How the figures name and colour each layout.
LAYOUT_NAMES = {
    "post": "post-LN",
    "pre": "pre-LN",
    "rezero": "ReZero",
    "deepnorm": "DeepNorm",
}
LAYOUT_COLOURS = {"post": "C3", "pre": "C0", "rezero": "C2", "deepnorm": "C1"}
#: Line styles, so that layouts whose lines coincide stay visible.
LAYOUT_STYLES = {
    "post": dict(ls="-", lw=4.0, marker=None),
    "pre": dict(ls="-", lw=1.6, marker="o"),
    "rezero": dict(ls=":", lw=2.2, marker=None),
    "deepnorm": dict(ls="--", lw=1.6, marker=None),
}


def run_label(run: TrainingRun) -> str:
    """``"post-LN, no warmup"`` or ``"post-LN, warmup 75 steps"``."""
    warm = f"warmup {run.warmup} steps" if run.warmup else "no warmup"
    return f"{LAYOUT_NAMES[run.layout]}, {warm}"


@styled
def plot_block_gradients(profiles, ax=None, *, title: str | None = None):
    """Each block's gradient norm at initialisation: the median over seeds (line and dots)
    and the range of the seeds (band), one colour per layout, on a log axis."""
    profiles = check_instances("profiles", profiles, InitProfile)
    ax = get_axes(ax)
    for p in profiles:
        blocks = np.arange(1, p.depth + 1)
        colour = LAYOUT_COLOURS[p.layout]
        ax.fill_between(
            blocks, p.block_grad.min(0), p.block_grad.max(0), color=colour, alpha=0.15, lw=0
        )
        ax.plot(blocks, p.median_grad, "-o", color=colour, ms=3.5, label=LAYOUT_NAMES[p.layout])
    ax.set_yscale("log")
    ax.set_xlabel("block (1 = next to the input)")
    ax.set_ylabel(r"$\|\partial C/\partial \theta_{\mathrm{block}}\|$")
    integer_x(ax)
    legend_above(ax, ncol=len(profiles), title=title)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_stream(profiles, ax=None, *, budget: StreamBudget | None = None):
    """The root-mean-square size of the residual stream entering each block (median over
    seeds), one line per layout; with ``budget``, pre-LN's prediction from equation
    ``eq-tf-stream-growth`` (the first variance plus every branch's) as a dashed line."""
    profiles = check_instances("profiles", profiles, InitProfile)
    if budget is not None:
        check_instance("budget", budget, StreamBudget)
    ax = get_axes(ax)
    for p in profiles:
        positions = np.arange(p.stream.shape[1])
        ax.plot(
            positions,
            np.median(p.stream, axis=0),
            ms=3,
            color=LAYOUT_COLOURS[p.layout],
            label=LAYOUT_NAMES[p.layout],
            **LAYOUT_STYLES[p.layout],
        )
    if budget is not None:
        predicted = np.sqrt(budget.predicted[::2])  # two additions per block
        ax.plot(
            np.arange(predicted.size),
            predicted,
            "--",
            color="k",
            lw=1.2,
            label="pre-LN, sum of branch variances",
        )
    ax.set_xlabel("blocks passed")
    ax.set_ylabel("size of the stream (rms)")
    integer_x(ax)
    ax.set_ylim(bottom=0)
    legend_above(ax, ncol=2)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_training(runs, ax=None):
    """The loss at every step of each run; the dotted line is guessing (ln 10)."""
    runs = check_instances("runs", runs, TrainingRun)
    ax = get_axes(ax)
    for k, run in enumerate(runs):
        ax.plot(
            np.arange(1, run.loss.size + 1),
            run.loss,
            color=LAYOUT_COLOURS[run.layout],
            ls=("-", "--", ":")[k % 3] if run.layout == "post" else "-",
            lw=1.4,
            label=run_label(run),
        )
    ax.axhline(np.log(10), color="0.5", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    legend_above(ax, ncol=1)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_gradient_balance(runs, ax=None, *, legend: bool = True):
    """The bottom block's gradient norm over the top block's, as training goes (log axis);
    ``legend=False`` leaves the legend to a panel beside it that names the same runs."""
    runs = check_instances("runs", runs, TrainingRun)
    legend = check_bool("legend", legend)
    ax = get_axes(ax)
    for k, run in enumerate(runs):
        steps = np.arange(run.gradient_norms.shape[0]) * run.every
        ratio = run.gradient_norms[:, 0] / run.gradient_norms[:, -1]
        ax.plot(
            steps,
            ratio,
            marker="o",
            ms=3,
            color=LAYOUT_COLOURS[run.layout],
            ls=("-", "--", ":")[k % 3] if run.layout == "post" else "-",
            label=run_label(run),
        )
    ax.axhline(1.0, color="0.5", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("bottom block's gradient\n÷ top block's")
    if legend:
        legend_above(ax, ncol=1)
    ax.grid(True, alpha=0.3)
    return ax


def draw_warmup_explorer(fig, run: TrainingRun) -> None:
    """The live explorer's drawing: each block's gradient norm now (left), the loss so far
    (right)."""
    left, right = reuse_panels(
        fig, "warmup-explorer", lambda f: (f.add_subplot(1, 2, 1), f.add_subplot(1, 2, 2))
    )
    norms = run.gradient_norms[-1]
    left.bar(np.arange(1, norms.size + 1), norms, color=LAYOUT_COLOURS[run.layout])
    left.set_yscale("log")
    left.set_xlabel("block")
    left.set_ylabel("gradient norm")
    integer_x(left)
    left.set_title(f"after {run.loss.size - 1} steps")
    right.plot(np.arange(run.loss.size), run.loss, "-o", ms=3, color=LAYOUT_COLOURS[run.layout])
    right.axhline(np.log(10), color="0.5", ls=":", lw=1)
    right.set_xlabel("step")
    right.set_ylabel("loss")
    right.set_title(run_label(run))
