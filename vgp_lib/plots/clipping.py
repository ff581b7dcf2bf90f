"""Figures of gradient clipping: a gradient's components before and after, and training runs
with and without clipping.

Draws on an optional ``ax`` and returns the axes.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_array, check_instances, check_int
from ..sequences import MemoryRun
from . import get_axes, styled
from .style import legend_above

_FIGSIZE = (6.5, 3.6)


@styled
def plot_clipping(grad, clipped, ax=None, *, n_show: int = 6):
    """Components of a gradient before and after clipping (log axis of |component|).

    ``grad`` is a 1-D array, ``clipped`` the same vector after clipping.
    """
    grad, clipped = check_array("grad", grad, ndim=1), check_array("clipped", clipped, ndim=1)
    if grad.size == 0 or clipped.shape != grad.shape:
        raise ValueError(f"clipped must have the shape of grad {grad.shape}, got {clipped.shape}")
    n_show = check_int("n_show", n_show, lo=1)
    with np.errstate(over="ignore"):
        norms = np.linalg.norm(grad), np.linalg.norm(clipped)
    for name, norm in zip(("grad", "clipped"), norms):
        if not np.isfinite(norm):
            raise ValueError(f"{name} must have a finite norm (its components are too large)")
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax = get_axes(ax, figsize=_FIGSIZE)
    k = min(n_show, len(grad))
    x = np.arange(k)
    ax.bar(x - 0.2, np.abs(grad[:k]), width=0.4, color="C3", label=f"before: norm {norms[0]:.3g}")
    ax.bar(x + 0.2, np.abs(clipped[:k]), width=0.4, color="C0", label=f"after: norm {norms[1]:.3g}")
    ax.set_yscale("log")
    # components numbered from 1, as many labels as the axis' width has room for
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v + 1:.0f}"))
    ax.set_xlim(-0.6, k - 0.4)
    ax.set_xlabel("component of the gradient")
    ax.set_ylabel("|component|")
    legend_above(ax, ncol=2)
    ax.grid(True, axis="y", which="major", alpha=0.3)
    return ax


@styled
def plot_clipped_runs(runs, labels, ax=None):
    """Loss (top, log scale) against the training step for each
    :class:`vgp_lib.sequences.MemoryRun`, with a cross where a run diverged.
    """
    runs = check_instances("runs", runs, MemoryRun)
    if isinstance(labels, str) or not hasattr(labels, "__len__") or len(labels) != len(runs):
        raise ValueError(f"labels must be one string per run ({len(runs)}), got {labels!r}"[:200])
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, (r, label) in enumerate(zip(runs, labels)):
        steps = np.arange(1, len(r.losses) + 1)
        shown = np.where(np.isfinite(r.losses), r.losses, np.nan)
        colour = f"C{[3, 0, 2, 1][i % 4]}"
        ax.semilogy(steps, shown, color=colour, lw=1.8, label=str(label))
        if r.diverged_at is not None:
            k = r.diverged_at
            last = r.losses[k - 1] if k > 0 else r.losses[0]
            y = r.losses[k] if np.isfinite(r.losses[k]) else last
            ax.plot(
                [k + 1],
                [min(max(y, 1e-8), 1e6)],
                "x",
                color=colour,
                ms=10,
                mew=2.5,
                label=f"diverged at step {k + 1}",
            )
    ax.axhline(np.log(2), color="0.4", lw=1.0, ls="--", label="guessing, ln 2")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    legend_above(ax, ncol=2)
    ax.grid(True, which="major", alpha=0.3)
    return ax
