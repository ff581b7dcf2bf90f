"""A transformer block: the residual stream, two branches added to it, and where layer norm sits."""

from __future__ import annotations

import numpy as np

from ..._validate import check_sequence
from .. import check_axes, figure, get_axes
from ..phone import on_phone
from ..style import PHONE_IN, house_style, styled
from .parts import (
    GATE_EDGE,
    GATE_FACE,
    INK,
    arrow,
    box,
    canvas,
    circle,
    format_number,
    op,
    polyline,
)

#: The title of each layout's panel.
TITLES = {
    "post": "post-LN (original)",
    "pre": "pre-LN",
    "rezero": "ReZero",
    "deepnorm": "DeepNorm",
}
IDENTITY = "C3"  # the book's colour of the identity path (as in the residual block)
CUT = "0.45"  # the stream where layer norm sits on it: no longer the identity
STREAM_LW = 2.6
# the drawing, in units of about an inch: the stream runs up at x = XS, the branches'
# boxes stand at x = XB; each branch leaves the stream at y0 and is added back at y0 + RISE
XS, XB = 0.55, 2.42
BOX_W, BOX_H = 1.64, 0.56
NORM_W, NORM_H = 0.95, 0.34
X_PRE_NORM = 1.27  # a pre-LN norm sits on the leg from the stream to its branch
RISE, PERIOD = 1.0, 1.8  # junction -> sum, junction -> next junction
Y_JUNCTION = 0.5
R_SUM = 0.15
WIDTH, Y_BOTTOM, Y_TOP = 3.3, -0.05, 4.55  # the canvas (the title inside it, at the top)
PANEL_H = 4.65  # the height of a panel (inches) that holds it


def _norm_name(module) -> str:
    name = type(module).__name__
    return {"LayerNorm": "layer norm", "RMSNorm": "RMS norm"}.get(name, name)


def _check_block(block, name="block"):
    from ...transformer import Block

    if not isinstance(block, Block):
        raise TypeError(
            f"{name} must be a vgp_lib.transformer.Block "
            f"(e.g. build_transformer(...).blocks[0]), got {type(block).__name__}"
        )
    return block


def _branch_labels(block) -> list[tuple[str, str]]:
    """(text, gid) of the attention box and the MLP box, read from the block's modules."""
    att, mlp = block.attention, block.mlp
    heads = att.heads
    attention = f"attention ({heads} head{'s' if heads > 1 else ''})\nmixes positions"
    widths = "\N{RIGHTWARDS ARROW}".join(
        str(n) for n in (mlp[0].in_features, mlp[0].out_features, mlp[2].out_features)
    )
    return [(attention, "branch-attention"), (f"MLP {widths}\neach position alone", "branch-mlp")]


@styled
def plot_transformer_block(block, ax=None):
    """One block of :func:`vgp_lib.transformer.build_transformer` as a diagram, input at the bottom.

    The residual stream runs up the left. Two branches leave it and are added back at
    ``+``: attention, which mixes the positions, then an MLP, which works on each
    position alone. Layer norm sits where ``block.layout`` puts it (equation
    ``eq-tf-layouts``): on the stream after each sum (``"post"``, the original, and
    ``"deepnorm"``, whose stream is weighted by ``c = block.stream_weight`` first), so
    the identity path is cut; at the start of each branch (``"pre"``), the stream
    untouched; or nowhere (``"rezero"``), each branch scaled by ``block.alpha``. The
    stream's identity stretches are drawn in the identity colour, the cut stretches in
    grey. Sizes, norms, ``alpha`` and ``c`` are read from ``block``.
    """
    block = _check_block(block)
    ax = get_axes(ax, figsize=(None, PANEL_H))
    _draw_block(ax, block)
    if len(ax.figure.axes) == 1:  # a figure of its own: the same drawing, a phone's width
        on_phone(ax.figure, lambda _: _blocks_on_phone([block]))
    return ax


@styled
def plot_transformer_blocks(blocks, axes=None):
    """One or two blocks side by side (e.g. a post-LN and a pre-LN one), one panel each.

    Each panel is :func:`plot_transformer_block`; on a phone the panels stand one under
    another. ``axes``: as many axes as ``blocks``, or None for a new figure.
    """
    blocks = check_sequence("blocks", blocks, what="transformer blocks", max_len=2)
    for block in blocks:
        _check_block(block, "blocks")
    if axes is None:
        _fig, axes = figure(1, len(blocks), height=PANEL_H, squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(np.ravel(np.asarray(check_axes(axes, len(blocks)), dtype=object)))
    for ax, block in zip(axes, blocks):
        _draw_block(ax, block)
    fig = axes[0].figure
    if len(fig.axes) == len(blocks):
        on_phone(fig, lambda _: _blocks_on_phone(blocks))
    return axes


def _blocks_on_phone(blocks):
    """The panels of :func:`plot_transformer_blocks` one under another, a phone's width."""
    fig, axes = figure(len(blocks), 1, height=PANEL_H * len(blocks), width=PHONE_IN, squeeze=False)
    with house_style():
        for ax, block in zip(axes[:, 0], blocks):
            _draw_block(ax, block)
    return fig


def _draw_block(ax, block) -> None:
    import matplotlib

    layout = block.layout
    post = layout in ("post", "deepnorm")
    width = block.attention.qkv.in_features
    canvas(ax, (0.0, WIDTH), (Y_BOTTOM, Y_TOP))
    # the title inside the canvas: an axes title and a fixed aspect can push it off the figure
    title = ax.text(
        WIDTH / 2,
        Y_TOP - 0.02,
        TITLES.get(layout, layout),
        ha="center",
        va="top",
        fontsize=matplotlib.rcParams["axes.titlesize"],
    )
    title.set_gid("title")
    junctions = [Y_JUNCTION + k * PERIOD for k in range(2)]
    sums = [y + RISE for y in junctions]
    y_bottom, y_top = Y_JUNCTION - 0.32, junctions[-1] + PERIOD + 0.05
    text = ax.text(
        XS - 0.45,
        y_bottom - 0.05,
        f"residual stream, {width} per position",
        ha="left",
        va="top",
    )
    text.set_gid("input")
    ax.text(XS + 0.12, y_top, "to the next block", ha="left", va="center")
    # the stream: one identity line (pre, rezero) or identity stretches cut by the norms
    if post:
        for k, (y0, ys) in enumerate(zip(junctions, sums), start=1):
            start = y_bottom if k == 1 else y0
            polyline(ax, [XS, XS], [start, ys], color=IDENTITY, lw=STREAM_LW, gid="stream")
            end = junctions[k] if k < len(junctions) else y_top
            polyline(ax, [XS, XS], [ys, end], color=CUT, lw=STREAM_LW, gid=f"stream-cut-{k}")
    else:
        polyline(ax, [XS, XS], [y_bottom, y_top], color=IDENTITY, lw=STREAM_LW, gid="stream")
    arrow(ax, (XS, y_top - 0.3), (XS, y_top), color=CUT if post else IDENTITY, lw=STREAM_LW)
    norms = [getattr(block, "norm1", None), getattr(block, "norm2", None)]
    for k, ((label, gid), y0, ys, norm) in enumerate(
        zip(_branch_labels(block), junctions, sums, norms), start=1
    ):
        circle(ax, (XS, y0), 0.05, face=INK, edge=INK)
        y_box = y0 + 0.28 + BOX_H / 2
        if layout == "pre":  # the norm opens the branch
            polyline(ax, [XS, X_PRE_NORM - NORM_W / 2], [y0, y0])
            box(
                ax,
                (X_PRE_NORM, y0),
                NORM_W,
                NORM_H,
                _norm_name(norm),
                gid=f"norm-{k}",
                face=GATE_FACE,
                edge=GATE_EDGE,
            )
            polyline(ax, [X_PRE_NORM + NORM_W / 2, XB], [y0, y0])
        else:
            polyline(ax, [XS, XB], [y0, y0])
        arrow(ax, (XB, y0), (XB, y_box - BOX_H / 2))
        box(ax, (XB, y_box), BOX_W, BOX_H, label, gid=gid, linespacing=1.15)
        polyline(ax, [XB, XB], [y_box + BOX_H / 2, ys])
        if layout == "rezero":  # the branch is scaled by alpha before the sum
            x_alpha = 1.25
            polyline(ax, [XB, x_alpha + R_SUM], [ys, ys])
            op(ax, (x_alpha, ys), "\N{MULTIPLICATION SIGN}", r=R_SUM, gid=f"scale-{k}")
            alpha = format_number(float(block.alpha.detach()), 2)
            label = ax.text(
                x_alpha,
                ys - R_SUM - 0.04,
                f"\N{GREEK SMALL LETTER ALPHA} = {alpha}",
                ha="center",
                va="top",
            )
            label.set_gid(f"alpha-{k}")
            arrow(ax, (x_alpha - R_SUM, ys), (XS + R_SUM, ys))
        else:
            arrow(ax, (XB, ys), (XS + R_SUM, ys))
        if layout == "deepnorm":  # the stream is weighted by c before the sum
            c = format_number(block.stream_weight, 2)
            box(
                ax,
                (XS, y0 + 0.5),
                0.86,
                0.32,
                f"\N{MULTIPLICATION SIGN} c = {c}",
                gid=f"stream-weight-{k}",
                face="white",
                edge=IDENTITY,
            )
        op(ax, (XS, ys), "+", r=R_SUM, gid=f"sum-{k}")
        y_note = ys + 0.42
        if post:  # the norm sits on the stream, after the sum
            box(
                ax,
                (XS, y_note),
                NORM_W,
                NORM_H,
                _norm_name(norm),
                gid=f"norm-{k}",
                face=GATE_FACE,
                edge=GATE_EDGE,
            )
            note = ax.text(
                XS + NORM_W / 2 + 0.12, y_note, "identity cut", ha="left", va="center", color=CUT
            )
        else:
            note = ax.text(
                XS + 0.15, y_note, "identity kept", ha="left", va="center", color=IDENTITY
            )
        note.set_gid(f"identity-{k}")
