"""The pieces every diagram is drawn with: its colours, numbers written the book's way, and
circles, boxes, arrows and lines on an axes whose data units are the drawing's own."""

from __future__ import annotations

import math
import numbers

import numpy as np

#: The diagrams' drawing parts, not called by a chapter or a reader: no public surface.
__all__: list[str] = []

INK = "0.15"
FAINT = "0.75"
NODE_FACE = "#dce9f5"
NODE_EDGE = "C0"
BOX_FACE = "#f4f4f4"
GATE_FACE = "#fde9d9"
GATE_EDGE = "C1"
MINUS = "\N{MINUS SIGN}"


def format_number(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures as mathtext, with a true minus sign.

    Numbers between 0.001 and 1000 are written out (``0.0852``); others in
    powers of ten (``$9.86\\times10^{-6}$``).

    >>> format_number(0.085193), format_number(-9.862e-06)
    ('0.0852', '$-9.86\\\\times10^{-6}$')
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating)):
        raise TypeError(f"value must be a real number, got {type(value).__name__}")
    if (
        isinstance(digits, bool)
        or not isinstance(digits, numbers.Integral)
        or not 1 <= digits <= 17
    ):
        raise ValueError(f"digits must be an integer from 1 to 17, got {digits!r}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"value must be within the float range, got {value!r}") from None
    if not math.isfinite(value):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e3:
        return f"{value:.{digits}g}".replace("-", MINUS)
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent
    if round(abs(mantissa), digits - 1) >= 10:  # 9.999 rounds up to 10.0
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"${mantissa:.{digits - 1}f}\\times10^{{{exponent}}}$"


def canvas(ax, xlim, ylim):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def circle(ax, xy, r, *, face=NODE_FACE, edge=NODE_EDGE, gid=None, lw=1.4, zorder=3):
    from matplotlib.patches import Circle

    patch = Circle(xy, r, facecolor=face, edgecolor=edge, lw=lw, zorder=zorder)
    patch.set_gid(gid)
    ax.add_patch(patch)
    return patch


def box(ax, xy, w, h, text=None, *, face=BOX_FACE, edge=INK, gid=None, ls="-", zorder=3, **text_kw):
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    pad = min(w, h) * 0.12
    patch = FancyBboxPatch(
        (x - w / 2 + pad, y - h / 2 + pad),
        w - 2 * pad,
        h - 2 * pad,
        boxstyle=f"round,pad={pad}",
        facecolor=face,
        edgecolor=edge,
        lw=1.2,
        ls=ls,
        zorder=zorder,
    )
    patch.set_gid(gid)
    ax.add_patch(patch)
    if text is not None:
        label = ax.text(x, y, text, ha="center", va="center", zorder=zorder + 1, **text_kw)
        label.set_gid(gid)
    return patch


def arrow(ax, start, end, *, color=INK, lw=1.3, head=True, gid=None, zorder=2, shrink=0.0):
    from matplotlib.patches import FancyArrowPatch

    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>,head_length=0.35,head_width=0.18" if head else "-",
        mutation_scale=14,
        color=color,
        lw=lw,
        zorder=zorder,
        shrinkA=shrink,
        shrinkB=shrink,
    )
    patch.set_gid(gid)
    ax.add_patch(patch)
    return patch


def polyline(ax, xs, ys, *, color=INK, lw=1.3, gid=None, zorder=2, **kw):
    (line,) = ax.plot(xs, ys, color=color, lw=lw, zorder=zorder, solid_capstyle="butt", **kw)
    line.set_gid(gid)
    return line


def op(ax, xy, symbol, *, r=0.22, gid=None):
    """A small round operator node (⊕, ⊗) with its symbol."""
    circle(ax, xy, r, face="white", edge=INK, lw=1.2, gid=gid)
    ax.text(*xy, symbol, ha="center", va="center_baseline", zorder=5)
