"""A fully connected network drawn as bars: each neuron's gradient, layer by layer."""

from __future__ import annotations

import math

import numpy as np

from .. import get_axes
from ..phone import on_phone
from ..style import PHONE_IN, styled
from .parts import NODE_EDGE, NODE_FACE, circle, format_number, polyline


@styled
def plot_network_bars(result, ax=None):
    """Nielsen's network picture with a bar of :math:`|\\partial C/\\partial b_j|` beside each
    hidden neuron.

    ``result`` is a :class:`vgp_lib.speeds.NeuronGradients`: the neurons it
    holds (the first ones of each hidden layer, drawn at the top of their
    column) get a bar whose length is proportional to the gradient's size, on
    one scale for all layers; the input and output layers are abbreviated.
    """
    from matplotlib.patches import Rectangle

    from ...speeds import NeuronGradients

    if not isinstance(result, NeuronGradients):
        raise TypeError(
            f"result must be a vgp_lib.speeds.NeuronGradients (see speeds.neuron_gradients), "
            f"got {type(result).__name__}"
        )
    grads = [np.abs(np.asarray(g, dtype=float)) for g in result.gradients]
    shown = len(grads[0])
    if shown > 10:
        raise ValueError(f"result must hold at most 10 neurons per layer to draw, got {shown}")
    ax = get_axes(ax, figsize=(None, 3.6))
    sizes = result.sizes
    n_layers = len(sizes)
    col = 3.4
    xs = col * np.arange(n_layers)
    r = 0.26
    gap = 0.82
    ys = -gap * np.arange(shown)
    largest = max(float(g.max()) for g in grads) or 1.0
    bar_max = col - 2 * r - 0.9
    scale = bar_max / largest

    def column(l):
        if l == 0 or l == n_layers - 1:
            k = min(4, sizes[l])
            return (
                -gap * np.linspace(0.5, shown - 1.5, k)
                if k > 1
                else np.array([-gap * (shown - 1) / 2])
            )
        return ys

    columns = [column(l) for l in range(n_layers)]
    for l in range(n_layers - 1):
        for y0 in columns[l]:
            for y1 in columns[l + 1]:
                polyline(ax, [xs[l] + r, xs[l + 1] - r], [y0, y1], color="0.85", lw=0.7, zorder=1)
    bottom = -gap * (shown - 1)
    for l in range(n_layers):
        hidden = 0 < l < n_layers - 1
        for k, y in enumerate(columns[l]):
            circle(
                ax,
                (xs[l], y),
                r,
                gid=f"neuron-{l}-{k + 1}" if hidden else None,
                face=NODE_FACE if hidden else "white",
                edge=NODE_EDGE if hidden else "0.45",
            )
        more = sizes[l] - len(columns[l])
        if hidden:
            names = f"hidden layer {l}"
        elif l == 0:
            names = "input"
        else:
            names = "output"
        ax.text(xs[l], 0.75, names, ha="center", va="bottom")
        note = {0: f"{sizes[l]} pixels", n_layers - 1: f"{sizes[l]} digits"}.get(
            l, f"{sizes[l]} neurons"
        )
        if more > 0:
            ax.text(xs[l], bottom - 0.55, "\N{VERTICAL ELLIPSIS}", ha="center", va="center")
        ax.text(xs[l], bottom - 1.1, note, ha="center", va="center", color="0.3")
    for l, g in enumerate(grads, start=1):
        for k, (value, y) in enumerate(zip(g, ys)):
            length = value * scale
            bar = Rectangle(
                (xs[l] + r + 0.08, y - 0.17),
                length,
                0.34,
                facecolor="C3",
                edgecolor="none",
                zorder=4,
            )
            bar.set_gid(f"bar-{l}-{k + 1}")
            ax.add_patch(bar)
    # a scale bar: what length a round gradient size has
    ref = _round_down(largest)
    x_ref = xs[-1] - col / 2 - ref * scale / 2

    key = Rectangle((x_ref, bottom - 1.75), ref * scale, 0.3, facecolor="C3", edgecolor="none")
    key.set_gid("bar-scale")
    ax.add_patch(key)
    label = ax.text(
        x_ref - 0.15,
        bottom - 1.6,
        r"$|\partial C/\partial b| = $" + format_number(ref, 1),
        ha="right",
        va="center",
    )
    label.set_gid("bar-scale-label")
    ax.set_xlim(xs[0] - 0.8, xs[-1] + 0.8)
    ax.set_ylim(bottom - 2.05, 1.25)
    ax.set_aspect("equal")
    ax.axis("off")
    if len(ax.figure.axes) == 1:
        on_phone(ax.figure, _layer_names_in_two_lines)
    return ax


def _layer_names_in_two_lines(fig) -> None:
    """Phone layout of the network picture: its columns are narrow, so the names over them
    ("hidden layer 2") and the notes under them ("30 neurons") go on two lines, and the
    scale bar moves down out of their way."""
    drop = 1.0  # data units the scale bar moves down
    fig.set_size_inches(PHONE_IN, max(2.2, 0.7 * fig.get_figheight()))
    for ax in fig.axes:
        for text in ax.texts:
            words = text.get_text()
            if words.startswith("hidden layer "):
                text.set_text(words.replace("hidden layer ", "hidden\nlayer ", 1))
            elif words.endswith((" neurons", " pixels", " digits")):
                text.set_text(words.replace(" ", "\n", 1))
                text.set_y(text.get_position()[1] - 0.3)  # under the ⋮, not on it
            if text.get_gid() == "bar-scale-label":
                text.set_y(text.get_position()[1] - drop)
        for patch in ax.patches:
            if patch.get_gid() == "bar-scale":
                patch.set_y(patch.get_y() - drop)
        low, high = ax.get_ylim()
        ax.set_ylim(low - drop, high)


def _round_down(value: float) -> float:
    """The largest 1, 2 or 5 times a power of ten that is at most ``value``."""
    power = 10.0 ** math.floor(math.log10(value))
    return max(m * power for m in (1, 2, 5) if m * power <= value * (1 + 1e-12))
