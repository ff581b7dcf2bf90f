"""A residual block: the identity path beside the layers, and the sum after them."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from .. import get_axes
from ..style import styled
from .parts import INK, arrow, box, canvas, circle, op, polyline


def _module_name(module) -> str:
    name = type(module).__name__
    return {"Identity": "", "BatchNorm1d": "batch norm", "LayerNorm": "layer norm"}.get(name, name)


@styled
def plot_residual_block(block, ax=None):
    """One hidden layer of :func:`vgp_lib.models.build_mlp` as a block diagram.

    Boxes are the block's own modules: its ``nn.Linear`` (with its sizes), its
    normalisation if it has one, and its activation; a residual block
    (``block.residual``) also draws the identity path around them to the sum
    :math:`a + F(a)` (equation ``eq-residual-block``).
    """
    from ...models import Block

    if not isinstance(block, Block):
        raise TypeError(
            f"block must be a vgp_lib.models.Block (e.g. build_mlp(...).blocks[1]), "
            f"got {type(block).__name__}"
        )
    ax = get_axes(ax, figsize=(None, 2.2))
    lin = block.linear
    boxes = [(f"linear\n{lin.in_features} \N{RIGHTWARDS ARROW} {lin.out_features}", "linear")]
    norm = _module_name(block.norm)
    if norm:
        boxes.append((norm, "norm"))
    boxes.append((f"{type(block.act).__name__.lower()}", "activation"))
    w, h, step = 2.1, 1.0, 2.6
    xj = 1.75  # where the identity path leaves the main line
    xs = xj + 0.9 + w / 2 + step * np.arange(len(boxes))
    x_sum = xs[-1] + w / 2 + 1.0
    x_end = x_sum + 1.75
    top = 1.3
    frame = h + 0.6
    canvas(ax, (-0.2, x_end + 0.85), (-frame / 2 - 0.5, top + 0.55))
    ax.text(0.55, 0, f"$a$ ({lin.in_features})", ha="center", va="center")
    arrow(ax, (1.2, 0), (xs[0] - w / 2, 0))
    for (text, gid), x in zip(boxes, xs):
        box(ax, (x, 0), w, h, text, gid=f"box-{gid}")
    for a, b in pairwise(xs):
        arrow(ax, (a + w / 2, 0), (b - w / 2, 0))
    # F(a) = everything between the input and the sum
    left, right = xs[0] - w / 2 - 0.25, xs[-1] + w / 2 + 0.25
    box(
        ax,
        ((left + right) / 2, 0),
        right - left + 0.3,
        frame,
        None,
        face="none",
        edge="0.55",
        ls="--",
        zorder=1,
    )
    ax.text(right + 0.1, -frame / 2 - 0.05, "$F(a)$", ha="right", va="top", color="0.35")
    if block.residual:
        arrow(ax, (xs[-1] + w / 2, 0), (x_sum - 0.26, 0))
        op(ax, (x_sum, 0), "+", r=0.26, gid="sum")
        polyline(ax, [xj, xj, x_sum], [0, top, top], gid="skip", color="C3", lw=2.0)
        arrow(ax, (x_sum, top), (x_sum, 0.27), color="C3", lw=2.0)
        circle(ax, (xj, 0), 0.06, face=INK, edge=INK)
        skip = ax.text(
            (xj + x_sum) / 2, top + 0.1, "identity: $a$", ha="center", va="bottom", color="C3"
        )
        skip.set_gid("skip-label")
        arrow(ax, (x_sum + 0.26, 0), (x_end - 0.7, 0))
        out = ax.text(x_end + 0.05, 0, "$a + F(a)$", ha="center", va="center")
    else:
        arrow(ax, (xs[-1] + w / 2, 0), (x_end - 0.7, 0))
        out = ax.text(x_end + 0.05, 0, "$F(a)$", ha="center", va="center")
    out.set_gid("output")
    return ax
