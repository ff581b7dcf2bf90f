"""Figures for the chapter *Why depth?* (parity circuits)."""

from __future__ import annotations

import numpy as np


def plot_gate_counts(counts, ax=None, *, highlight: int | None = None):
    """Gate counts of the two-layer and the deep parity circuit against n (log axis).

    ``counts`` is a :class:`vgp_lib.circuits.GateCounts`.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.semilogy(counts.n, counts.two_layer, "o-", color="C3", label=r"two layers: $2^{n-1}+1$ gates")
    ax.semilogy(counts.n, np.maximum(counts.deep, 1), "s-", color="C0", label=r"deep tree: $4(n-1)$ gates")
    if highlight is not None and highlight in set(counts.n.tolist()):
        i = int(np.flatnonzero(counts.n == highlight)[0])
        for y, c in ((counts.two_layer[i], "C3"), (max(counts.deep[i], 1), "C0")):
            ax.semilogy([highlight], [y], "o", ms=14, mfc="none", mec=c, mew=2)
        ax.set_title(
            f"n = {highlight}: {counts.two_layer[i]:,} gates in 2 layers vs "
            f"{counts.deep[i]:,} gates in {counts.deep_depth[i]} layers",
            fontsize=10,
        )
    ax.set_xlabel("number of input bits n")
    ax.set_ylabel("NAND gates (log scale)")
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_circuit_shape(shallow, deep, ax=None):
    """Gates per layer of two circuits for the same n, side by side.

    ``shallow`` and ``deep`` are :class:`vgp_lib.circuits.Circuit` objects. Each
    layer is a horizontal bar whose length is its number of gates (log axis),
    stacked from the inputs (bottom) to the output (top).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    rows, labels, colors = [], [], []
    for circuit, color in ((deep, "C0"), (shallow, "C3")):
        for i, g in enumerate(circuit.gates_per_layer):
            rows.append(g)
            labels.append(f"{circuit.name} L{i + 1}")
            colors.append(color)
    y = np.arange(len(rows))
    ax.barh(y, rows, color=colors)
    ax.set_xscale("log")
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("gates in the layer (log scale)")
    ax.set_xlim(0.8, max(2.0, max(rows) * 2))
    ax.set_title(
        f"n = {shallow.n_inputs}: {shallow.n_gates:,} gates in {shallow.depth} layers "
        f"vs {deep.n_gates} in {deep.depth}",
        fontsize=10,
    )
    return ax
