"""A layered circuit of NAND gates, drawn from the wiring the circuit holds."""

from __future__ import annotations

import numpy as np

from .. import get_axes
from ..style import styled
from .parts import GATE_EDGE, GATE_FACE, INK, polyline


def _circuit_layout(circuit):
    """Positions: x = column (inputs 0, gate layer i at i + 1), y spread top to bottom."""
    n = circuit.n_inputs
    used = set()
    for layer in circuit.layers:
        used.update(int(s) for s in np.asarray(layer).ravel() if s >= 0)
    literals = [s for s in range(2 * n) if s in used]
    # inputs first, then their negations, in the order x1, ¬x1, x2, ¬x2, ...
    literals.sort(key=lambda s: (s % n, s >= n))
    pos = {s: (0.0, -float(k)) for k, s in enumerate(literals)}
    signal = 2 * n
    span = max(len(literals) - 1, 1)
    for i, layer in enumerate(circuit.layers):
        layer = np.asarray(layer)
        ys = np.array([np.mean([pos[int(s)][1] for s in gate if s >= 0]) for gate in layer])
        ordered = np.argsort(ys, kind="stable")[::-1]
        if len(ys) > 1 and np.min(np.abs(np.diff(np.sort(ys)))) < 0.45:
            even = (
                -np.linspace(0, span, len(ys) + 2)[1:-1]
                if len(ys) < span + 1
                else -np.linspace(0, span, len(ys))
            )
            ys = np.empty(len(ys))
            ys[ordered] = even
        for k in range(len(layer)):
            pos[signal + k] = (float(i + 1), float(ys[k]))
        signal += len(layer)
    return literals, pos


@styled
def plot_circuit_diagram(circuit, ax=None, *, title: bool = True):
    """A layered NAND circuit of :mod:`vgp_lib.circuits`, gate by gate.

    Inputs (and the negated inputs it reads) form the left column; gate layer
    ``i`` is column ``i``; every gate is a circle (each one is a NAND) and every
    wire a line from the signal it reads. The output gate is ringed. With
    ``title`` the axes title gives the circuit's gate count and depth.
    """
    from ...circuits import Circuit

    if not isinstance(circuit, Circuit):
        raise TypeError(f"circuit must be a vgp_lib.circuits.Circuit, got {type(circuit).__name__}")
    if not isinstance(title, bool):
        raise TypeError(f"title must be True or False, got {type(title).__name__}")
    if max(circuit.gates_per_layer) > 16 or circuit.n_inputs > 6:
        raise ValueError(
            f"circuit must be small enough to draw (at most 6 inputs and 16 gates per layer), "
            f"got {circuit.n_inputs} inputs and {max(circuit.gates_per_layer)} gates in a layer"
        )
    ax = get_axes(ax)
    n = circuit.n_inputs
    literals, pos = _circuit_layout(circuit)
    rows = max(len(literals), *circuit.gates_per_layer)
    size = 190 if rows <= 8 else 110  # marker area in pt^2: a round gate whatever the axes' aspect
    signal = 2 * n
    for i, layer in enumerate(circuit.layers):
        layer = np.asarray(layer)
        xy = np.array([pos[signal + k] for k in range(len(layer))])
        for k, gate in enumerate(layer):
            for s in gate[gate >= 0]:
                polyline(
                    ax,
                    [pos[int(s)][0], xy[k, 0]],
                    [pos[int(s)][1], xy[k, 1]],
                    color="0.55",
                    lw=0.9,
                    gid="wire",
                    zorder=1,
                )
        is_out = signal + np.arange(len(layer)) == circuit.output
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=size,
            facecolor=GATE_FACE,
            edgecolor=GATE_EDGE,
            linewidths=np.where(is_out, 2.8, 1.3),
            zorder=3,
            gid=f"gates-{i + 1}",
        )
        signal += len(layer)
    lit = np.array([pos[s] for s in literals])
    ax.scatter(lit[:, 0], lit[:, 1], s=14, color=INK, zorder=3, gid="inputs")
    for s in literals:
        x, y = pos[s]
        name = f"$x_{s % n + 1}$" if s < n else rf"$\neg x_{s % n + 1}$"
        label = ax.text(x - 0.15, y, name, ha="right", va="center")
        label.set_gid(f"input-{s}")
    ox, oy = pos[circuit.output]
    ax.text(ox + 0.25, oy, "out", ha="left", va="center")
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(-0.8, circuit.depth + 0.8)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.axis("off")
    if title:
        ax.set_title(f"{circuit.name}\n{circuit.n_gates} NAND gates, depth {circuit.depth}")
    return ax
