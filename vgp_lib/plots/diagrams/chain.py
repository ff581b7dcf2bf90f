"""The chain of one neuron per layer, with the factor each link contributes to the gradient."""

from __future__ import annotations

import numpy as np

from .. import figure, get_axes
from ..phone import on_phone
from ..style import PHONE_IN, house_style, styled
from .parts import MINUS, arrow, canvas, circle, format_number


@styled
def plot_chain_diagram(result, ax=None):
    """The one-neuron chain of a :class:`vgp_lib.chain.ChainGradients` (Nielsen's mnemonic).

    Neurons sit in a row between the input :math:`a_0` and the cost :math:`C`,
    each weight :math:`w_j` on its incoming edge. Over neuron ``j`` stands its
    factor :math:`w_j\\sigma'(z_j)` (``result.factors``), under it
    :math:`\\partial C/\\partial b_j` (``result.grad``), and under the cost
    :math:`\\partial C/\\partial a_L = a_L - y`, so the reader can multiply
    along equation ``eq-chain-product``. One chain only (not a stack).
    """
    from ...chain import ChainGradients

    if not isinstance(result, ChainGradients):
        raise TypeError(
            f"result must be a vgp_lib.chain.ChainGradients (see chain.analyse), "
            f"got {type(result).__name__}"
        )
    if result.factors.ndim != 1:
        raise ValueError(f"result must hold one chain, got a stack of shape {result.factors.shape}")
    depth = result.factors.size
    if depth > 8:
        raise ValueError(
            f"result must be a chain of at most 8 layers to fit the column, got {depth}"
        )
    ax = get_axes(ax, figsize=(None, 1.9))
    step, r = 2.5, 0.36
    xs = 3.0 + step * np.arange(depth)
    x_cost = xs[-1] + step - 0.4
    canvas(ax, (-0.2, x_cost + 0.7), (-1.55, 1.35))
    row_top, row_bottom = 1.0, -1.05
    # row labels on the left
    ax.text(
        -0.1, row_top, "factor\n" r"$w_j\,\sigma'(z_j)$", ha="left", va="center", linespacing=1.1
    )
    ax.text(-0.1, row_bottom, r"$\partial C/\partial b_j$", ha="left", va="center")
    ax.text(0.6, 0.0, f"$a_0 = {result.chain.a0:g}$".replace("-", MINUS), ha="center", va="center")
    starts = np.concatenate([[1.25], xs[:-1] + r])
    for j in range(depth):
        arrow(ax, (starts[j], 0), (xs[j] - r, 0))
        mid = (starts[j] + xs[j] - r) / 2
        w = ax.text(
            mid,
            0.1,
            f"$w_{j + 1}$ = {format_number(result.chain.weights[j], 2)}",
            ha="center",
            va="bottom",
            color="0.3",
        )
        w.set_gid(f"weight-{j + 1}")
        circle(ax, (xs[j], 0), r, gid=f"neuron-{j + 1}")
        ax.text(xs[j], 0, f"$b_{j + 1}$", ha="center", va="center", zorder=5)
        f = ax.text(
            xs[j],
            row_top,
            format_number(result.factors[j]),
            ha="center",
            va="center",
            color="C0",
            fontweight="bold",
        )
        f.set_gid(f"factor-{j + 1}")
        g = ax.text(
            xs[j], row_bottom, format_number(result.grad[j]), ha="center", va="center", color="C3"
        )
        g.set_gid(f"grad-{j + 1}")
    arrow(ax, (xs[-1] + r, 0), (x_cost - 0.3, 0))
    ax.text(x_cost, 0, "$C$", ha="center", va="center", fontsize="large")
    d_out = result.a[-1] - result.chain.y
    ax.text(
        x_cost, row_bottom + 0.12, rf"$\partial C/\partial a_{depth}$", ha="center", va="bottom"
    )
    out = ax.text(
        x_cost, row_bottom - 0.12, format_number(d_out), ha="center", va="top", color="C3"
    )
    out.set_gid("grad-output")
    if len(ax.figure.axes) == 1:  # a figure of its own: on a phone the chain runs downwards
        on_phone(ax.figure, lambda _: _chain_on_phone(result))
    return ax


def _chain_on_phone(result):
    """The chain of :func:`plot_chain_diagram` for a phone's column: from the input at the top to
    the cost at the bottom, the factors in a column on the left, the gradients on the right."""
    depth = result.factors.size
    row, r = 1.45, 0.36
    x_left, x_mid, x_right = 0.0, 2.4, 5.0
    y_in = -1.3
    ys = y_in - row * np.arange(1, depth + 1)
    y_cost = ys[-1] - row
    fig, ax = figure(height=0.95 + 0.42 * (depth + 2), width=PHONE_IN)
    with house_style():
        canvas(ax, (-1.25, 6.25), (y_cost - 0.85, 0.55))
        ax.text(
            x_left,
            0.0,
            "factor\n" r"$w_j\,\sigma'(z_j)$",
            ha="center",
            va="center",
            linespacing=1.1,
        )
        ax.text(x_right, 0.0, r"$\partial C/\partial b_j$", ha="center", va="center")
        ax.text(
            x_mid,
            y_in,
            f"$a_0 = {result.chain.a0:g}$".replace("-", MINUS),
            ha="center",
            va="center",
        )
        tops = np.concatenate([[y_in - 0.3], ys[:-1] - r])
        for j in range(depth):
            arrow(ax, (x_mid, tops[j]), (x_mid, ys[j] + r))
            ax.text(
                x_mid + 0.2,
                (tops[j] + ys[j] + r) / 2,
                f"$w_{j + 1}$ = {format_number(result.chain.weights[j], 2)}",
                ha="left",
                va="center",
                color="0.3",
            )
            circle(ax, (x_mid, ys[j]), r)
            ax.text(x_mid, ys[j], f"$b_{j + 1}$", ha="center", va="center", zorder=5)
            ax.text(
                x_left,
                ys[j],
                format_number(result.factors[j]),
                ha="center",
                va="center",
                color="C0",
                fontweight="bold",
            )
            ax.text(
                x_right, ys[j], format_number(result.grad[j]), ha="center", va="center", color="C3"
            )
        arrow(ax, (x_mid, ys[-1] - r), (x_mid, y_cost + 0.3))
        ax.text(x_mid, y_cost, "$C$", ha="center", va="center", fontsize="large")
        ax.text(
            x_right, y_cost + 0.1, rf"$\partial C/\partial a_{depth}$", ha="center", va="bottom"
        )
        ax.text(
            x_right,
            y_cost - 0.1,
            format_number(result.a[-1] - result.chain.y),
            ha="center",
            va="top",
            color="C3",
        )
    return fig
