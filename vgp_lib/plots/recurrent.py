"""Figures of recurrent cells: how a gradient through time shrinks with the lag.

Draws :class:`vgp_lib.recurrent.TimeGradient`, :class:`vgp_lib.recurrent.RadiusSweep`,
:class:`vgp_lib.recurrent.Carousel` and :class:`vgp_lib.sequences.MemoryRun` results on an
optional ``ax`` and returns the axes.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance, check_instances, check_int
from ..recurrent import Carousel, RadiusSweep, TimeGradient
from ..sequences import MemoryRun
from . import get_axes, styled
from .style import legend_above

_FIGSIZE = (6.5, 3.6)


@styled
def plot_time_gradients(results, ax=None):
    """``||dh_T/dh_t||`` against ``T - t`` for each :class:`vgp_lib.recurrent.TimeGradient`."""
    results = check_instances("results", results, TimeGradient)
    ax = get_axes(ax, figsize=_FIGSIZE)
    names = {"rnn": "vanilla RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}
    for i, r in enumerate(results):
        ax.semilogy(
            r.lags,
            np.maximum(r.norms, 1e-300),
            color=f"C{i}",
            label=names.get(r.cell, r.cell),
            lw=1.8,
        )
    ax.set_xlabel("steps back in time, T − t")
    ax.set_ylabel(r"$\|\partial h_T/\partial h_t\|$")
    legend_above(ax, ncol=len(results))
    ax.grid(True, which="major", alpha=0.3)
    return ax


#: The fixed vertical range of :func:`plot_radius_frame` (a slider's frames share it).
RADIUS_YLIM = (1e-16, 1e16)


@styled
def plot_radius_frame(sweep, index: int = 0, ax=None):
    """``||dh_T/dh_t||`` against the lag for ``sweep.rhos[index]``: the linear RNN (``rho**k``,
    dashed) and the tanh RNN (solid), on a fixed log axis :data:`RADIUS_YLIM`.
    """
    check_instance("sweep", sweep, RadiusSweep)
    index = check_int("index", index, lo=0, hi=len(sweep.rhos) - 1)
    ax = get_axes(ax, figsize=_FIGSIZE)
    rho = sweep.rhos[index]
    lo, hi = RADIUS_YLIM
    for norms, style, label in (
        (sweep.linear[index], "--", rf"linear RNN: $\rho^k = {rho:g}^k$"),
        (sweep.tanh[index], "-", "tanh RNN (measured)"),
    ):
        ax.semilogy(
            sweep.lags,
            np.clip(norms, lo, hi),
            style,
            color="C0" if style == "-" else "0.4",
            lw=1.8,
            label=label,
        )
    ax.axhline(1.0, color="0.6", lw=0.8, zorder=0)
    ax.set_ylim(lo, hi)
    ax.set_xlim(0, sweep.lags[-1])
    ax.set_xlabel("steps back in time, k = T − t")
    ax.set_ylabel(r"$\|\partial h_T/\partial h_{T-k}\|$")
    legend_above(ax, ncol=2)
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_per_step(sweep, ax=None):
    """The factor per step, ``norm[k] ** (1/k)`` at the longest lag, against ``rho``: the
    linear RNN's is ``rho`` itself, the tanh RNN's lies below it.
    """
    check_instance("sweep", sweep, RadiusSweep)
    if len(sweep.lags) < 2:
        raise ValueError("sweep must have at least two lags (steps >= 2)")
    ax = get_axes(ax, figsize=_FIGSIZE)
    linear, tanh = sweep.per_step()
    ax.plot(sweep.rhos, linear, "--", color="0.4", lw=1.8, label="linear RNN (= ρ)")
    ax.plot(sweep.rhos, tanh, "o-", color="C0", lw=1.8, label="tanh RNN (measured)")
    ax.axhline(1.0, color="C3", lw=1.0, label="1: neither vanishing nor exploding")
    ax.set_xlabel("ρ, every singular value of W")
    ax.set_ylabel("factor per step")
    legend_above(ax, ncol=2)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_carousel(results, ax=None):
    """The carousel's ``||prod diag(f)||`` against the lag for each
    :class:`vgp_lib.recurrent.Carousel` (solid), and ``mean(f)**k`` (dashed, same colour).
    """
    results = check_instances("results", results, Carousel)
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, r in enumerate(results):
        ax.semilogy(
            r.lags,
            np.maximum(r.carousel, 1e-300),
            color=f"C{i}",
            lw=1.8,
            label=f"forget bias {r.gate_bias:g}",
        )
        ax.semilogy(r.lags, np.maximum(r.predicted(), 1e-300), "--", color=f"C{i}", lw=1.2)
    ax.plot([], [], "--", color="0.4", lw=1.2, label=r"$\mathrm{mean}(f)^k$")
    ax.set_xlabel("steps back in time, k")
    ax.set_ylabel(r"$\|\partial c_T/\partial c_{T-k}\|$, gates fixed")
    legend_above(ax, ncol=len(results) + 1)
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_memory_runs(runs, labels=None, ax=None, *, window: int = 10):
    """The training loss of each :class:`vgp_lib.sequences.MemoryRun` against the step
    (a running mean over ``window`` steps), with the loss of guessing, ln 2.
    """
    runs = check_instances("runs", runs, MemoryRun)
    if labels is None:
        labels = [r.cell for r in runs]
    elif isinstance(labels, str) or not hasattr(labels, "__len__") or len(labels) != len(runs):
        raise ValueError(f"labels must be one string per run ({len(runs)}), got {labels!r}"[:200])
    window = check_int("window", window, lo=1, hi=1000)
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, (r, label) in enumerate(zip(runs, labels)):
        steps = np.arange(1, len(r.losses) + 1)
        kernel = np.ones(window) / window
        smooth = np.convolve(np.r_[np.full(window - 1, r.losses[0]), r.losses], kernel, "valid")
        style = "-" if i < 3 else (0, (1.5, 1.5))  # a fourth run may lie on another
        ax.semilogy(steps, smooth, color=f"C{i}", lw=1.8, ls=style, label=str(label))
    ax.axhline(np.log(2), color="0.4", lw=1.0, ls="--", label="guessing, ln 2")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss (running mean)")
    legend_above(ax, ncol=min(3, len(runs) + 1))
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_unrolled(steps: int = 3, ax=None):
    """A recurrent network unrolled in time: states ``h_0 .. h_steps`` in a row, each input
    ``x_t`` entering from below through ``U``, each state passed on through the same ``W``, and
    the gradient's way back (equation ``eq-bptt-product``) drawn above as a red arrow.
    """
    steps = check_int("steps", steps, lo=1, hi=6)
    ax = get_axes(ax, figsize=(6.5, 2.6))
    gap = 2.0
    xs = [i * gap for i in range(steps + 1)]
    for i, x in enumerate(xs):
        _box(ax, (x, 0.0), 1.0, 0.7, f"$h_{i}$", gid=f"h{i}")
        if i == 0:
            continue
        _box(ax, (x, -1.5), 0.8, 0.6, f"$x_{i}$", face="white", gid=f"x{i}")
        _arrow(ax, (x, -1.2), (x, -0.35), gid=f"U{i}")
        ax.text(x + 0.1, -0.8, "$U$", ha="left", va="center")
        _arrow(ax, (xs[i - 1] + 0.5, 0.0), (x - 0.5, 0.0), gid=f"W{i}")
        ax.text((xs[i - 1] + x) / 2, 0.12, "$W$", ha="center", va="bottom")
    back = _arrow(ax, (xs[-1], 0.45), (xs[1], 0.45), color="C3", lw=2.0, gid="backward")
    back.set_connectionstyle("arc3,rad=0.25")
    ax.text(
        (xs[1] + xs[-1]) / 2,
        1.25,
        r"backward: one factor $\mathrm{diag}(\tanh') W$ per step",
        ha="center",
        va="bottom",
        color="C3",
    )
    ax.set_xlim(-0.8, xs[-1] + 0.8)
    ax.set_ylim(-2.0, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _box(ax, xy, w, h, text, *, face="0.95", gid=None):
    """A rounded box centred at ``xy`` with ``text`` in it."""
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    pad = min(w, h) * 0.12
    patch = FancyBboxPatch(
        (x - w / 2 + pad, y - h / 2 + pad),
        w - 2 * pad,
        h - 2 * pad,
        boxstyle=f"round,pad={pad}",
        facecolor=face,
        edgecolor="0.15",
        lw=1.2,
        zorder=3,
    )
    patch.set_gid(gid)
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", zorder=4)
    return patch


def _arrow(ax, start, end, *, color="0.15", lw=1.3, gid=None):
    """An arrow from ``start`` to ``end``."""
    from matplotlib.patches import FancyArrowPatch

    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>,head_length=0.35,head_width=0.18",
        mutation_scale=14,
        color=color,
        lw=lw,
        zorder=2,
        shrinkA=0.0,
        shrinkB=0.0,
    )
    patch.set_gid(gid)
    ax.add_patch(patch)
    return patch
