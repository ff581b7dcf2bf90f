"""A GRU cell: its gates, and the update gate's bias read from the cell itself."""

from __future__ import annotations

import numpy as np

from .. import figure, get_axes
from ..phone import on_phone
from ..style import PHONE_IN, house_style, styled
from .parts import GATE_EDGE, GATE_FACE, INK, MINUS, arrow, box, canvas, circle, op, polyline


def _gru_update_bias(cell) -> float:
    """Mean bias of the update gate z (PyTorch's gate order is r, z, n)."""
    h = cell.hidden_size
    b = 0.0
    for bias in (cell.bias_ih, cell.bias_hh):
        if bias is not None:
            b = b + bias.detach()[h : 2 * h].double().numpy()
    return float(np.mean(b))


@styled
def plot_gru_cell(cell, ax=None):
    """A ``torch.nn.GRUCell`` (as :func:`vgp_lib.recurrent.make_cell` builds it) as a block diagram.

    PyTorch's equations, with its gate names: reset gate
    :math:`r = \\sigma(W_{ir}x + W_{hr}h + b_r)`, update gate
    :math:`z = \\sigma(W_{iz}x + W_{hz}h + b_z)`, candidate
    :math:`n = \\tanh(W_{in}x + r\\odot(W_{hn}h) + b_n)` and the new state
    :math:`h' = (1 - z)\\odot n + z\\odot h`. The top line is the update path
    :math:`z\\odot h` through time. Sizes and the update gate's mean bias are
    read from ``cell``.
    """
    import torch

    if not isinstance(cell, torch.nn.GRUCell):
        raise TypeError(
            f"cell must be a torch.nn.GRUCell (see recurrent.make_cell('gru', ...)), "
            f"got {type(cell).__name__}"
        )
    ax = get_axes(ax, figsize=(None, 3.2))
    hidden, n_in = cell.hidden_size, cell.input_size
    rail, gates_y, bus = 3.4, 1.3, 0.0
    x_in, x_z, x_r, x_n, x_sum = 1.3, 3.3, 5.6, 8.3, 10.2
    w, h = 1.95, 1.05
    x_end = x_sum + 1.5
    canvas(ax, (-1.1, x_end + 0.5), (-1.05, rail + 0.55))
    red = "C3"
    # the update path along the top: h_{t-1} -> (x z) -> (+) -> h_t
    state = ax.text(0.45, rail, f"$h_{{t-1}}$ ({hidden})", ha="right", va="center")
    state.set_gid("hidden-size")
    polyline(ax, [0.6, x_z - 0.22], [rail, rail], color=red, lw=2.2, gid="update-path")
    op(ax, (x_z, rail), r"$\times$", gid="op-keep")
    arrow(ax, (x_z + 0.22, rail), (x_sum - 0.22, rail), color=red, lw=2.2)
    op(ax, (x_sum, rail), "+", gid="op-sum")
    arrow(ax, (x_sum + 0.22, rail), (x_end - 0.35, rail), color=red, lw=2.2)
    ax.text(x_end + 0.05, rail, "$h_t$", ha="center", va="center")
    ax.text(
        (x_z + x_sum) / 2, rail + 0.12, r"$z\odot h_{t-1}$", ha="center", va="bottom", color=red
    )
    # inputs: h_{t-1} drops to the bus, x_t joins it
    polyline(ax, [x_in, x_in, x_n], [rail, bus, bus])
    circle(ax, (x_in, rail), 0.06, face=INK, edge=INK)
    inputs = ax.text(x_in - 0.15, -0.75, f"$x_t$ ({n_in})", ha="right", va="center")
    inputs.set_gid("input-size")
    polyline(ax, [x_in - 0.1, x_in + 0.55, x_in + 0.55], [-0.75, -0.75, bus])
    circle(ax, (x_in + 0.55, bus), 0.06, face=INK, edge=INK)
    bias = _gru_update_bias(cell)
    gates = [
        (x_z, f"update $z$\n$\\sigma$, bias {bias:.1f}".replace("-", MINUS), "gate-z"),
        (x_r, "reset $r$\n$\\sigma$", "gate-r"),
        (x_n, "candidate $n$\ntanh", "gate-n"),
    ]
    for x, text, gid in gates:
        arrow(ax, (x, bus), (x, gates_y - h / 2))
        box(ax, (x, gates_y), w, h, text, face=GATE_FACE, edge=GATE_EDGE, gid=gid)
    # z goes up to keep the old state; 1 - z scales the candidate
    arrow(ax, (x_z, gates_y + h / 2), (x_z, rail - 0.22))
    y_mix = gates_y + h / 2 + 0.45
    circle(ax, (x_z, y_mix), 0.06, face=INK, edge=INK)
    polyline(ax, [x_z, x_sum - 0.22], [y_mix, y_mix])
    ax.text((x_r + x_n) / 2 - 0.6, y_mix + 0.06, "$1 - z$", ha="center", va="bottom")
    op(ax, (x_sum, y_mix), r"$\times$", gid="op-mix")
    arrow(ax, (x_n + w / 2, gates_y), (x_sum, gates_y), head=False)
    arrow(ax, (x_sum, gates_y), (x_sum, y_mix - 0.22))
    arrow(ax, (x_sum, y_mix + 0.22), (x_sum, rail - 0.22))
    # r gates the old state inside the candidate
    arrow(ax, (x_r + w / 2, gates_y), (x_n - w / 2, gates_y))
    ax.text((x_r + x_n) / 2, gates_y + 0.08, r"$r\,\odot$", ha="center", va="bottom")
    if len(ax.figure.axes) == 1:
        on_phone(ax.figure, lambda _: _gru_on_phone(hidden, n_in, bias))
    return ax


def _gru_on_phone(hidden: int, n_in: int, bias: float):
    """The GRU cell of :func:`plot_gru_cell` for a phone's column, turned a quarter: the
    update path runs down the right edge, the three gates stand one under another."""
    fig, ax = figure(height=4.7, width=PHONE_IN)
    red = "C3"
    rail, bus, x_gate, x_mix = 3.0, 0.12, 1.1, 2.3
    w, h = 1.45, 0.62
    y_top, y_z, y_r, y_n, y_out = -0.25, -0.95, -1.95, -2.95, -3.7
    with house_style():
        canvas(ax, (-0.15, 3.55), (-4.75, 0.3))
        ax.text(rail, y_top + 0.08, f"$h_{{t-1}}$ ({hidden})", ha="center", va="bottom")
        polyline(ax, [rail, rail], [y_top, y_z + 0.2], color=red, lw=2.2)
        op(ax, (rail, y_z), r"$\times$")
        arrow(ax, (rail, y_z - 0.2), (rail, y_out + 0.2), color=red, lw=2.2)
        op(ax, (rail, y_out), "+")
        arrow(ax, (rail, y_out - 0.2), (rail, y_out - 0.65), color=red, lw=2.2)
        ax.text(rail, y_out - 0.7, "$h_t$", ha="center", va="top")
        ax.text(
            rail + 0.14,
            (y_z + y_out) / 2,
            r"$z\odot h_{t-1}$",
            ha="left",
            va="center",
            rotation=270,
            color=red,
        )
        # inputs: h_{t-1} turns left to the bus down the left edge, x_t joins it at the bottom
        circle(ax, (rail, y_top), 0.05, face=INK, edge=INK)
        polyline(ax, [rail, bus, bus], [y_top, y_top, y_n])
        polyline(ax, [bus, bus], [y_n, y_out])
        ax.text(bus + 0.1, y_out - 0.1, f"$x_t$ ({n_in})", ha="left", va="top")
        gates = [
            (y_z, f"update $z$\n$\\sigma$, bias {bias:.1f}".replace("-", MINUS)),
            (y_r, "reset $r$\n$\\sigma$"),
            (y_n, "candidate $n$\ntanh"),
        ]
        for y, text in gates:
            arrow(ax, (bus, y), (x_gate - w / 2, y))
            box(ax, (x_gate, y), w, h, text, face=GATE_FACE, edge=GATE_EDGE)
        # z keeps the old state; 1 - z scales the candidate
        arrow(ax, (x_gate + w / 2, y_z), (rail - 0.2, y_z))
        circle(ax, (x_mix, y_z), 0.05, face=INK, edge=INK)
        polyline(ax, [x_mix, x_mix], [y_z, y_out + 0.2])
        ax.text(x_mix + 0.08, (y_r + y_n) / 2, "$1 - z$", ha="left", va="center")
        op(ax, (x_mix, y_out), r"$\times$")
        polyline(ax, [x_gate, x_gate, x_mix - 0.2], [y_n - h / 2, y_out, y_out])
        arrow(ax, (x_mix + 0.2, y_out), (rail - 0.2, y_out))
        # r gates the old state inside the candidate
        arrow(ax, (x_gate, y_r - h / 2), (x_gate, y_n + h / 2))
        ax.text(x_gate + 0.08, (y_r + y_n) / 2, r"$r\,\odot$", ha="left", va="center")
    return fig
