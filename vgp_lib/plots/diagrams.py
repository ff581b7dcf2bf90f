"""Diagrams of the objects the chapters compute with: a chain, two circuits, a network, two cells.

Each function takes the object itself (a result of :mod:`vgp_lib.chain`, a
:class:`vgp_lib.circuits.Circuit`, a result of :func:`vgp_lib.speeds.neuron_gradients`,
a :class:`vgp_lib.models.Block`, a ``torch.nn.GRUCell``), draws it on an
optional ``ax`` in the house style and returns the axes. Every number and
label in a diagram is read from that object, so the picture cannot drift from
the computation: change the object and the diagram changes.

Artists that carry a value have a ``gid`` (for example ``"factor-2"`` for the
text over neuron 2 of a chain, ``"gate-1-3"`` for gate 3 of circuit layer 1),
which the tests use to read the drawing back. Layers are numbered 1..L in the
text and in the ``gid`` s, 0-based in code.
"""

from __future__ import annotations

import math
import numbers
from itertools import pairwise

import numpy as np

from . import figure, get_axes
from .style import PHONE_IN, house_style, on_phone, styled

__all__ = [
    "draw_chain",
    "draw_circuit",
    "draw_gru_cell",
    "draw_network_bars",
    "draw_residual_block",
    "format_number",
]

_INK = "0.15"
_FAINT = "0.75"
_NODE_FACE = "#dce9f5"
_NODE_EDGE = "C0"
_BOX_FACE = "#f4f4f4"
_GATE_FACE = "#fde9d9"
_GATE_EDGE = "C1"
_MINUS = "\N{MINUS SIGN}"


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
        return f"{value:.{digits}g}".replace("-", _MINUS)
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent
    if round(abs(mantissa), digits - 1) >= 10:  # 9.999 rounds up to 10.0
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"${mantissa:.{digits - 1}f}\\times10^{{{exponent}}}$"


# --------------------------------------------------------------------------- drawing helpers


def _canvas(ax, xlim, ylim):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _circle(ax, xy, r, *, face=_NODE_FACE, edge=_NODE_EDGE, gid=None, lw=1.4, zorder=3):
    from matplotlib.patches import Circle

    patch = Circle(xy, r, facecolor=face, edgecolor=edge, lw=lw, zorder=zorder)
    patch.set_gid(gid)
    ax.add_patch(patch)
    return patch


def _box(
    ax, xy, w, h, text=None, *, face=_BOX_FACE, edge=_INK, gid=None, ls="-", zorder=3, **text_kw
):
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


def _arrow(ax, start, end, *, color=_INK, lw=1.3, head=True, gid=None, zorder=2, shrink=0.0):
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


def _line(ax, xs, ys, *, color=_INK, lw=1.3, gid=None, zorder=2, **kw):
    (line,) = ax.plot(xs, ys, color=color, lw=lw, zorder=zorder, solid_capstyle="butt", **kw)
    line.set_gid(gid)
    return line


def _op(ax, xy, symbol, *, r=0.22, gid=None):
    """A small round operator node (⊕, ⊗) with its symbol."""
    _circle(ax, xy, r, face="white", edge=_INK, lw=1.2, gid=gid)
    ax.text(*xy, symbol, ha="center", va="center_baseline", zorder=5)


# --------------------------------------------------------------------------- the chain


@styled
def draw_chain(result, ax=None):
    """The one-neuron chain of a :class:`vgp_lib.chain.ChainGradients` (Nielsen's mnemonic).

    Neurons sit in a row between the input :math:`a_0` and the cost :math:`C`,
    each weight :math:`w_j` on its incoming edge. Over neuron ``j`` stands its
    factor :math:`w_j\\sigma'(z_j)` (``result.factors``), under it
    :math:`\\partial C/\\partial b_j` (``result.grad``), and under the cost
    :math:`\\partial C/\\partial a_L = a_L - y`, so the reader can multiply
    along equation ``eq-chain-product``. One chain only (not a stack).
    """
    from ..chain import ChainGradients

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
    _canvas(ax, (-0.2, x_cost + 0.7), (-1.55, 1.35))
    row_top, row_bottom = 1.0, -1.05
    # row labels on the left
    ax.text(
        -0.1, row_top, "factor\n" r"$w_j\,\sigma'(z_j)$", ha="left", va="center", linespacing=1.1
    )
    ax.text(-0.1, row_bottom, r"$\partial C/\partial b_j$", ha="left", va="center")
    ax.text(0.6, 0.0, f"$a_0 = {result.chain.a0:g}$".replace("-", _MINUS), ha="center", va="center")
    starts = np.concatenate([[1.25], xs[:-1] + r])
    for j in range(depth):
        _arrow(ax, (starts[j], 0), (xs[j] - r, 0))
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
        _circle(ax, (xs[j], 0), r, gid=f"neuron-{j + 1}")
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
    _arrow(ax, (xs[-1] + r, 0), (x_cost - 0.3, 0))
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
    """The chain of :func:`draw_chain` for a phone's column: from the input at the top to
    the cost at the bottom, the factors in a column on the left, the gradients on the right."""
    depth = result.factors.size
    row, r = 1.45, 0.36
    x_left, x_mid, x_right = 0.0, 2.4, 5.0
    y_in = -1.3
    ys = y_in - row * np.arange(1, depth + 1)
    y_cost = ys[-1] - row
    fig, ax = figure(height=0.95 + 0.42 * (depth + 2), width=PHONE_IN)
    with house_style():
        _canvas(ax, (-1.25, 6.25), (y_cost - 0.85, 0.55))
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
            f"$a_0 = {result.chain.a0:g}$".replace("-", _MINUS),
            ha="center",
            va="center",
        )
        tops = np.concatenate([[y_in - 0.3], ys[:-1] - r])
        for j in range(depth):
            _arrow(ax, (x_mid, tops[j]), (x_mid, ys[j] + r))
            ax.text(
                x_mid + 0.2,
                (tops[j] + ys[j] + r) / 2,
                f"$w_{j + 1}$ = {format_number(result.chain.weights[j], 2)}",
                ha="left",
                va="center",
                color="0.3",
            )
            _circle(ax, (x_mid, ys[j]), r)
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
        _arrow(ax, (x_mid, ys[-1] - r), (x_mid, y_cost + 0.3))
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


# --------------------------------------------------------------------------- circuits


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
def draw_circuit(circuit, ax=None, *, title: bool = True):
    """A layered NAND circuit of :mod:`vgp_lib.circuits`, gate by gate.

    Inputs (and the negated inputs it reads) form the left column; gate layer
    ``i`` is column ``i``; every gate is a circle (each one is a NAND) and every
    wire a line from the signal it reads. The output gate is ringed. With
    ``title`` the axes title gives the circuit's gate count and depth.
    """
    from ..circuits import Circuit

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
                _line(
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
            facecolor=_GATE_FACE,
            edgecolor=_GATE_EDGE,
            linewidths=np.where(is_out, 2.8, 1.3),
            zorder=3,
            gid=f"gates-{i + 1}",
        )
        signal += len(layer)
    lit = np.array([pos[s] for s in literals])
    ax.scatter(lit[:, 0], lit[:, 1], s=14, color=_INK, zorder=3, gid="inputs")
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


# --------------------------------------------------------------------------- the MNIST network


@styled
def draw_network_bars(result, ax=None):
    """Nielsen's network picture with a bar of :math:`|\\partial C/\\partial b_j|` beside each
    hidden neuron.

    ``result`` is a :class:`vgp_lib.speeds.NeuronGradients`: the neurons it
    holds (the first ones of each hidden layer, drawn at the top of their
    column) get a bar whose length is proportional to the gradient's size, on
    one scale for all layers; the input and output layers are abbreviated.
    """
    from matplotlib.patches import Rectangle

    from ..speeds import NeuronGradients

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
                _line(ax, [xs[l] + r, xs[l + 1] - r], [y0, y1], color="0.85", lw=0.7, zorder=1)
    bottom = -gap * (shown - 1)
    for l in range(n_layers):
        hidden = 0 < l < n_layers - 1
        for k, y in enumerate(columns[l]):
            _circle(
                ax,
                (xs[l], y),
                r,
                gid=f"neuron-{l}-{k + 1}" if hidden else None,
                face=_NODE_FACE if hidden else "white",
                edge=_NODE_EDGE if hidden else "0.45",
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


# --------------------------------------------------------------------------- a residual block


def _round_down(value: float) -> float:
    """The largest 1, 2 or 5 times a power of ten that is at most ``value``."""
    power = 10.0 ** math.floor(math.log10(value))
    return max(m * power for m in (1, 2, 5) if m * power <= value * (1 + 1e-12))


def _module_name(module) -> str:
    name = type(module).__name__
    return {"Identity": "", "BatchNorm1d": "batch norm", "LayerNorm": "layer norm"}.get(name, name)


@styled
def draw_residual_block(block, ax=None):
    """One hidden layer of :func:`vgp_lib.models.build_mlp` as a block diagram.

    Boxes are the block's own modules: its ``nn.Linear`` (with its sizes), its
    normalisation if it has one, and its activation; a residual block
    (``block.residual``) also draws the identity path around them to the sum
    :math:`a + F(a)` (equation ``eq-residual-block``).
    """
    from ..models import Block

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
    _canvas(ax, (-0.2, x_end + 0.85), (-frame / 2 - 0.5, top + 0.55))
    ax.text(0.55, 0, f"$a$ ({lin.in_features})", ha="center", va="center")
    _arrow(ax, (1.2, 0), (xs[0] - w / 2, 0))
    for (text, gid), x in zip(boxes, xs):
        _box(ax, (x, 0), w, h, text, gid=f"box-{gid}")
    for a, b in pairwise(xs):
        _arrow(ax, (a + w / 2, 0), (b - w / 2, 0))
    # F(a) = everything between the input and the sum
    left, right = xs[0] - w / 2 - 0.25, xs[-1] + w / 2 + 0.25
    _box(
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
        _arrow(ax, (xs[-1] + w / 2, 0), (x_sum - 0.26, 0))
        _op(ax, (x_sum, 0), "+", r=0.26, gid="sum")
        _line(ax, [xj, xj, x_sum], [0, top, top], gid="skip", color="C3", lw=2.0)
        _arrow(ax, (x_sum, top), (x_sum, 0.27), color="C3", lw=2.0)
        _circle(ax, (xj, 0), 0.06, face=_INK, edge=_INK)
        skip = ax.text(
            (xj + x_sum) / 2, top + 0.1, "identity: $a$", ha="center", va="bottom", color="C3"
        )
        skip.set_gid("skip-label")
        _arrow(ax, (x_sum + 0.26, 0), (x_end - 0.7, 0))
        out = ax.text(x_end + 0.05, 0, "$a + F(a)$", ha="center", va="center")
    else:
        _arrow(ax, (xs[-1] + w / 2, 0), (x_end - 0.7, 0))
        out = ax.text(x_end + 0.05, 0, "$F(a)$", ha="center", va="center")
    out.set_gid("output")
    return ax


# --------------------------------------------------------------------------- a GRU cell


def _gru_update_bias(cell) -> float:
    """Mean bias of the update gate z (PyTorch's gate order is r, z, n)."""
    h = cell.hidden_size
    b = 0.0
    for bias in (cell.bias_ih, cell.bias_hh):
        if bias is not None:
            b = b + bias.detach()[h : 2 * h].double().numpy()
    return float(np.mean(b))


@styled
def draw_gru_cell(cell, ax=None):
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
    _canvas(ax, (-1.1, x_end + 0.5), (-1.05, rail + 0.55))
    red = "C3"
    # the update path along the top: h_{t-1} -> (x z) -> (+) -> h_t
    state = ax.text(0.45, rail, f"$h_{{t-1}}$ ({hidden})", ha="right", va="center")
    state.set_gid("hidden-size")
    _line(ax, [0.6, x_z - 0.22], [rail, rail], color=red, lw=2.2, gid="update-path")
    _op(ax, (x_z, rail), r"$\times$", gid="op-keep")
    _arrow(ax, (x_z + 0.22, rail), (x_sum - 0.22, rail), color=red, lw=2.2)
    _op(ax, (x_sum, rail), "+", gid="op-sum")
    _arrow(ax, (x_sum + 0.22, rail), (x_end - 0.35, rail), color=red, lw=2.2)
    ax.text(x_end + 0.05, rail, "$h_t$", ha="center", va="center")
    ax.text(
        (x_z + x_sum) / 2, rail + 0.12, r"$z\odot h_{t-1}$", ha="center", va="bottom", color=red
    )
    # inputs: h_{t-1} drops to the bus, x_t joins it
    _line(ax, [x_in, x_in, x_n], [rail, bus, bus])
    _circle(ax, (x_in, rail), 0.06, face=_INK, edge=_INK)
    inputs = ax.text(x_in - 0.15, -0.75, f"$x_t$ ({n_in})", ha="right", va="center")
    inputs.set_gid("input-size")
    _line(ax, [x_in - 0.1, x_in + 0.55, x_in + 0.55], [-0.75, -0.75, bus])
    _circle(ax, (x_in + 0.55, bus), 0.06, face=_INK, edge=_INK)
    bias = _gru_update_bias(cell)
    gates = [
        (x_z, f"update $z$\n$\\sigma$, bias {bias:.1f}".replace("-", _MINUS), "gate-z"),
        (x_r, "reset $r$\n$\\sigma$", "gate-r"),
        (x_n, "candidate $n$\ntanh", "gate-n"),
    ]
    for x, text, gid in gates:
        _arrow(ax, (x, bus), (x, gates_y - h / 2))
        _box(ax, (x, gates_y), w, h, text, face=_GATE_FACE, edge=_GATE_EDGE, gid=gid)
    # z goes up to keep the old state; 1 - z scales the candidate
    _arrow(ax, (x_z, gates_y + h / 2), (x_z, rail - 0.22))
    y_mix = gates_y + h / 2 + 0.45
    _circle(ax, (x_z, y_mix), 0.06, face=_INK, edge=_INK)
    _line(ax, [x_z, x_sum - 0.22], [y_mix, y_mix])
    ax.text((x_r + x_n) / 2 - 0.6, y_mix + 0.06, "$1 - z$", ha="center", va="bottom")
    _op(ax, (x_sum, y_mix), r"$\times$", gid="op-mix")
    _arrow(ax, (x_n + w / 2, gates_y), (x_sum, gates_y), head=False)
    _arrow(ax, (x_sum, gates_y), (x_sum, y_mix - 0.22))
    _arrow(ax, (x_sum, y_mix + 0.22), (x_sum, rail - 0.22))
    # r gates the old state inside the candidate
    _arrow(ax, (x_r + w / 2, gates_y), (x_n - w / 2, gates_y))
    ax.text((x_r + x_n) / 2, gates_y + 0.08, r"$r\,\odot$", ha="center", va="bottom")
    if len(ax.figure.axes) == 1:
        on_phone(ax.figure, lambda _: _gru_on_phone(hidden, n_in, bias))
    return ax


def _gru_on_phone(hidden: int, n_in: int, bias: float):
    """The GRU cell of :func:`draw_gru_cell` for a phone's column, turned a quarter: the
    update path runs down the right edge, the three gates stand one under another."""
    fig, ax = figure(height=4.7, width=PHONE_IN)
    red = "C3"
    rail, bus, x_gate, x_mix = 3.0, 0.12, 1.1, 2.3
    w, h = 1.45, 0.62
    y_top, y_z, y_r, y_n, y_out = -0.25, -0.95, -1.95, -2.95, -3.7
    with house_style():
        _canvas(ax, (-0.15, 3.55), (-4.75, 0.3))
        ax.text(rail, y_top + 0.08, f"$h_{{t-1}}$ ({hidden})", ha="center", va="bottom")
        _line(ax, [rail, rail], [y_top, y_z + 0.2], color=red, lw=2.2)
        _op(ax, (rail, y_z), r"$\times$")
        _arrow(ax, (rail, y_z - 0.2), (rail, y_out + 0.2), color=red, lw=2.2)
        _op(ax, (rail, y_out), "+")
        _arrow(ax, (rail, y_out - 0.2), (rail, y_out - 0.65), color=red, lw=2.2)
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
        _circle(ax, (rail, y_top), 0.05, face=_INK, edge=_INK)
        _line(ax, [rail, bus, bus], [y_top, y_top, y_n])
        _line(ax, [bus, bus], [y_n, y_out])
        ax.text(bus + 0.1, y_out - 0.1, f"$x_t$ ({n_in})", ha="left", va="top")
        gates = [
            (y_z, f"update $z$\n$\\sigma$, bias {bias:.1f}".replace("-", _MINUS)),
            (y_r, "reset $r$\n$\\sigma$"),
            (y_n, "candidate $n$\ntanh"),
        ]
        for y, text in gates:
            _arrow(ax, (bus, y), (x_gate - w / 2, y))
            _box(ax, (x_gate, y), w, h, text, face=_GATE_FACE, edge=_GATE_EDGE)
        # z keeps the old state; 1 - z scales the candidate
        _arrow(ax, (x_gate + w / 2, y_z), (rail - 0.2, y_z))
        _circle(ax, (x_mix, y_z), 0.05, face=_INK, edge=_INK)
        _line(ax, [x_mix, x_mix], [y_z, y_out + 0.2])
        ax.text(x_mix + 0.08, (y_r + y_n) / 2, "$1 - z$", ha="left", va="center")
        _op(ax, (x_mix, y_out), r"$\times$")
        _line(ax, [x_gate, x_gate, x_mix - 0.2], [y_n - h / 2, y_out, y_out])
        _arrow(ax, (x_mix + 0.2, y_out), (rail - 0.2, y_out))
        # r gates the old state inside the candidate
        _arrow(ax, (x_gate, y_r - h / 2), (x_gate, y_n + h / 2))
        ax.text(x_gate + 0.08, (y_r + y_n) / 2, r"$r\,\odot$", ha="left", va="center")
    return fig
