"""Figures of the chapter *Why depth?*: gate counts and shapes of the parity circuits, the
deep circuit as a tree of XOR blocks, and the straight pieces of ReLU sawtooth networks."""

from __future__ import annotations

import numpy as np

from .._validate import check_instance, check_int
from ..circuits import Circuit, GateCounts, Pieces
from . import check_axes, figure, get_axes
from .phone import on_phone, phone_layout
from .style import styled


def _titles_in_two_lines(fig) -> None:
    """Phone layout: the generic one, with a title "... vs ..." broken before "vs"."""
    phone_layout(fig)
    for ax in fig.axes:
        ax.set_title(ax.get_title().replace(" vs ", "\nvs ", 1))


@styled
def plot_gate_counts(counts, ax=None, *, highlight: int | None = None):
    """Gate counts of the two-layer and the deep parity circuit against n (log axis).

    ``counts`` is a :class:`vgp_lib.circuits.GateCounts`.
    """
    check_instance("counts", counts, GateCounts)
    if highlight is not None:
        highlight = check_int("highlight", highlight, lo=1)
    ax = get_axes(ax)
    ax.semilogy(
        counts.n, counts.two_layer, "o-", color="C3", label=r"two layers: $2^{n-1}+1$ gates"
    )
    deep = counts.deep > 0  # n = 1 needs no gate at all, which a log axis cannot show
    ax.semilogy(
        counts.n[deep], counts.deep[deep], "s-", color="C0", label=r"deep tree: $4(n-1)$ gates"
    )
    if highlight is not None and highlight in set(counts.n.tolist()):
        i = int(np.flatnonzero(counts.n == highlight)[0])
        for y, c in ((counts.two_layer[i], "C3"), (counts.deep[i], "C0")):
            if y > 0:
                ax.semilogy([highlight], [y], "o", ms=14, mfc="none", mec=c, mew=2)
        ax.set_title(
            f"n = {highlight}: {counts.two_layer[i]:,} gates in 2 layers vs "
            f"{counts.deep[i]:,} gates in {counts.deep_depth[i]} layers",
        )
        on_phone(ax.figure, _titles_in_two_lines)
    ax.set_xlabel("number of input bits n")
    ax.set_ylabel("NAND gates (log scale)")
    ax.legend(loc="upper left")
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_circuit_shape(shallow, deep, axes=None):
    """Gates per layer of the two circuits for the same n, as two bar towers.

    ``shallow`` and ``deep`` are :class:`vgp_lib.circuits.Circuit` objects; each
    layer is a horizontal bar (log axis) whose length is its number of gates,
    stacked from the inputs (bottom) to the output (top). ``axes`` is a pair of
    axes; returns it.
    """
    check_instance("shallow", shallow, Circuit)
    check_instance("deep", deep, Circuit)
    from matplotlib.ticker import MaxNLocator

    if axes is None:
        _, axes = figure(1, 2, height=3.6, sharex=True)
    check_axes(axes, 2)
    widest = max(max(shallow.gates_per_layer), max(deep.gates_per_layer, default=1))
    for ax, circuit, color in ((axes[0], shallow, "C3"), (axes[1], deep, "C0")):
        per_layer = circuit.gates_per_layer
        y = np.arange(1, len(per_layer) + 1)
        ax.barh(y, per_layer, color=color, height=0.8)
        for yi, g in zip(y, per_layer):
            ax.text(g * 1.15, yi, f"{g:,}", va="center")
        ax.set_xscale("log")
        ax.set_xlim(0.8, widest * 20)
        ax.set_ylim(0.3, max(len(per_layer), 2) + 0.7)
        ax.set_ylabel("layer (inputs at the bottom)")
        ax.set_xlabel("gates in the layer")
        ax.set_title(f"{circuit.name}: {circuit.n_gates:,} gates, {circuit.depth} layers")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return axes


@styled
def plot_xor_tree(n: int, ax=None):
    """The deep parity circuit for ``n`` bits drawn one level up: each box is an XOR block.

    The blocks pair the signals as :func:`vgp_lib.circuits.deep_parity` does
    (an odd one out waits for the next level); what is inside a block is not
    drawn. Returns the axes.
    """
    n = check_int("n", n, lo=2, hi=16)
    from matplotlib.patches import FancyBboxPatch

    ax = get_axes(ax)
    level = [(0.0, float(n - 1 - i)) for i in range(n)]  # (column, row) of each signal
    for i, (x, y) in enumerate(level):
        ax.plot([x], [y], "o", color="0.15", ms=3.5)
        ax.text(x - 0.15, y, f"$x_{{{i + 1}}}$", ha="right", va="center")
    column, blocks = 0, 0
    while len(level) > 1:
        column += 1
        pairs = list(zip(level[0::2], level[1::2]))
        out = []
        for a, b in pairs:
            xy = (float(column), (a[1] + b[1]) / 2)
            for src in (a, b):
                ax.plot([src[0], xy[0]], [src[1], xy[1]], color="0.55", lw=1.0, zorder=1)
            box = FancyBboxPatch(
                (xy[0] - 0.3, xy[1] - 0.28),
                0.6,
                0.56,
                boxstyle="round,pad=0.04",
                facecolor="#fde9d9",
                edgecolor="C1",
                lw=1.3,
                zorder=3,
                gid="xor-block",
            )
            ax.add_patch(box)
            ax.text(*xy, "XOR", ha="center", va="center", zorder=4)
            out.append(xy)
            blocks += 1
        level = out + ([level[-1]] if len(level) % 2 else [])
    ox, oy = level[0]
    ax.text(ox + 0.4, oy, "out", ha="left", va="center")
    ax.set_xlim(-0.8, column + 1.0)
    ax.set_ylim(-0.7, n - 0.3)
    ax.axis("off")
    ax.set_title(f"deep\n{blocks} XOR blocks in {column} levels")
    return ax


@styled
def plot_pieces(pieces, ax=None):
    """A ReLU network's output on :math:`[0, 1]`, its straight pieces in alternating colours.

    ``pieces`` is a :class:`vgp_lib.circuits.Pieces`; the title gives the
    network's layers, units and number of pieces. Returns the axes.
    """
    check_instance("pieces", pieces, Pieces)
    ax = get_axes(ax)
    for parity, color in ((0, "C0"), (1, "C3")):
        y = np.where(pieces.piece % 2 == parity, pieces.y, np.nan)
        ax.plot(pieces.x, y, color=color, lw=1.6)
    layers = "layer" if pieces.depth == 1 else "layers"
    ax.set_title(
        f"{pieces.depth} {layers}, {pieces.n_units} units:\n{pieces.n_pieces} pieces",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1.1)
    ax.set_xlabel("input x")
    return ax
