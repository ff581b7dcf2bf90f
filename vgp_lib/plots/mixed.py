"""Figures of mixed precision: gradients against float16's range, what a format loses, and the
dynamic loss scale.

Draws the results of :mod:`vgp_lib.mixed` on an optional ``ax`` and returns the axes, in the
book's house style (:mod:`vgp_lib.plots.style`). The float16 window is shaded the same way in
every figure: subnormal numbers light, normal numbers darker.
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import check_instance, check_instances, check_int, check_sequence
from ..mixed import LayerUnderflow, MixedRun, cast_counts, format_limits
from . import get_axes
from .style import integer_x, legend_above, styled

# draw_scale_frame is a slider callback: the slider calls it with the frames scale_frames
# makes, so it is not part of the surface a reader calls.
__all__ = ["plot_gradient_ranges", "plot_underflow", "plot_scale_trace", "scale_frames"]

_LOG2 = math.log10(2.0)


def _window(ax, dtype: str = "float16") -> None:
    """Shade ``dtype``'s subnormal and normal ranges, their ends dashed and named in the
    legend."""
    lim = format_limits(dtype)
    sub, normal, top = lim.smallest_subnormal, lim.smallest_normal, lim.largest
    ax.axvspan(
        math.log10(sub),
        math.log10(normal),
        color="C1",
        alpha=0.12,
        lw=0,
        label=f"{dtype} subnormal: {_sci(sub)} to {_sci(normal)}",
    )
    ax.axvspan(
        math.log10(normal),
        math.log10(top),
        color="C1",
        alpha=0.3,
        lw=0,
        label=f"{dtype} normal: {_sci(normal)} to {top:.6g}",
    )
    for v in (sub, normal, top):
        ax.axvline(math.log10(v), color="C1", lw=1, ls="--")


def _sci(v: float) -> str:
    """6.0e-08 as 6.0e-8."""
    mantissa, exponent = f"{v:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _ranges(ax, sizes, shift: float) -> None:
    """Per layer (y = 1, 2, ...), the spread of log10 of the nonzero ``sizes``, moved by
    ``shift`` decades: 1st-99th percentile thin, middle half thick, median a dot."""
    thin, thick, mid = [], [], []
    for layer, g in enumerate(sizes, start=1):
        logs = np.log10(g[g > 0]) + shift
        if logs.size == 0:
            continue
        p1, p25, p50, p75, p99 = np.percentile(logs, [1, 25, 50, 75, 99])
        thin += [(p1, layer), (p99, layer), (np.nan, np.nan)]
        thick += [(p25, layer), (p75, layer), (np.nan, np.nan)]
        mid.append((p50, layer))
    for points, style, label in (
        (thin, dict(color="0.35", lw=1.2), "1st to 99th percentile"),
        (thick, dict(color="C0", lw=5, solid_capstyle="butt"), "middle half"),
        (mid, dict(color="k", marker="o", ms=3.5, ls="none"), "median"),
    ):
        xs, ys = np.array(points).T if points else ([], [])
        ax.plot(xs, ys, label=label, **style)


def _layer_axis(ax, n_layers: int) -> None:
    ticks = list(range(1, n_layers + 1))
    labels = [str(t) for t in ticks[:-1]] + ["out"]
    step = max(1, math.ceil(n_layers / 12))
    keep = [i for i in range(n_layers) if i % step == 0 or i == n_layers - 1]
    ax.set_yticks([ticks[i] for i in keep], [labels[i] for i in keep])
    ax.set_ylim(0.4, n_layers + 0.6)
    ax.set_ylabel("layer (1 = first)")


def _log_limits(result: LayerUnderflow, shifts) -> tuple[float, float]:
    lim = format_limits("float16")
    logs = [np.log10(g[g > 0]) for g in result.gradient_sizes if (g > 0).any()]
    lo = min(float(np.percentile(v, 1)) for v in logs) + min(shifts)
    hi = max(float(np.percentile(v, 99)) for v in logs) + max(shifts)
    lo = min(lo, math.log10(lim.smallest_subnormal))
    hi = max(hi, math.log10(lim.largest))
    return math.floor(lo - 0.5), math.ceil(hi + 0.5)


@styled
def plot_gradient_ranges(result, ax=None):
    """The sizes of each layer's weight gradients against float16's range.

    ``result`` is a :class:`vgp_lib.mixed.LayerUnderflow`. Per layer, the spread of
    :math:`\\log_{10}|s\\,g|` over its nonzero entries (``s`` the result's loss scale): a thin
    line from the 1st to the 99th percentile, a thick one over the middle half, a dot at the
    median. float16's subnormal and normal ranges are shaded, their ends
    (:math:`6.0\\times10^{-8}`, :math:`6.1\\times10^{-5}`, 65504) dashed and named in the
    legend: what lies left of the shading rounds to 0, right of it to ``inf``.
    """
    result = check_instance("result", result, LayerUnderflow)
    ax = get_axes(ax)
    shift = math.log10(result.scale)
    _window(ax)
    _ranges(ax, result.gradient_sizes, shift)
    ax.set_xlim(*_log_limits(result, [shift]))
    _layer_axis(ax, result.depth + 1)
    what = "|g|" if result.scale == 1 else "|s\\,g|"
    ax.set_xlabel(f"$\\log_{{10}}{what}$ of the weight gradients")
    ax.grid(True, axis="x", alpha=0.3)
    legend_above(ax, ncol=2)
    return ax


def _short_label(r: LayerUnderflow) -> str:
    if r.scale == 1:
        return f"{r.dtype}, no scaling" if r.dtype == "float16" else r.dtype
    k = math.log2(r.scale)
    scale = f"$2^{{{k:.0f}}}$" if k == round(k) else f"{r.scale:.3g}"
    return f"{r.dtype}, loss scale {scale}"


@styled
def plot_underflow(results, ax=None, *, labels=None):
    """Share of each layer's nonzero weight gradients lost (rounded to 0, or ``inf``/``nan``).

    ``results`` is a :class:`vgp_lib.mixed.LayerUnderflow` or a list of them for networks of
    the same depth (e.g. float16 unscaled, float16 with a loss scale, bfloat16). ``labels``
    names them (by default format and loss scale). The legend sits above the axes.
    """
    if isinstance(results, LayerUnderflow):
        results = [results]
    results = check_instances("results", results, LayerUnderflow)
    if len({r.depth for r in results}) > 1:
        raise ValueError("results must come from networks of the same depth")
    if labels is None:
        labels = [_short_label(r) for r in results]
    labels = check_sequence(
        "labels", labels, what="labels", min_len=len(results), max_len=len(results)
    )
    if not all(isinstance(t, str) for t in labels):
        raise TypeError("labels must be text")
    ax = get_axes(ax)
    markers = "osD^v"
    for i, (r, label) in enumerate(zip(results, labels)):
        ax.plot(
            r.layers,
            100 * r.lost_fraction,
            marker=markers[i % len(markers)],
            ms=5,
            mfc="none",
            lw=1.3,
            color=f"C{i}",
            label=label,
        )
    ax.set_ylim(-4, 104)
    ax.set_xlabel("layer (the last is the output layer)")
    ax.set_ylabel("gradient entries lost (%)")
    integer_x(ax)
    ax.grid(True, alpha=0.3)
    legend_above(ax, ncol=min(3, len(results)))
    return ax


@styled
def plot_scale_trace(run, ax=None):
    """The loss scale at every step of a :class:`vgp_lib.mixed.MixedRun`, on a log2 axis; the
    steps skipped because the gradient held ``inf`` or ``nan`` are crosses at their scale."""
    run = check_instance("run", run, MixedRun)
    ax = get_axes(ax)
    steps = np.arange(1, run.scale.size + 1)
    k = np.log2(run.scale)
    ax.step(steps, k, where="post", color="C0", lw=1.5, label="loss scale")
    ax.plot(
        steps[run.skipped],
        k[run.skipped],
        "x",
        color="C3",
        ms=7,
        mew=1.5,
        label=f"skipped step ({int(run.skipped.sum())})",
    )
    lo, hi = math.floor(k.min()) - 1, math.ceil(k.max()) + 1
    ax.set_ylim(lo, hi)
    integer_x(ax)
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$2^{{{v:.0f}}}$"))
    ax.set_xlabel("step")
    ax.set_ylabel("loss scale $s$")
    ax.grid(True, alpha=0.3)
    legend_above(ax, ncol=2)
    return ax


# -- the slider over the loss scale ----------------------------------------------------------------
def scale_frames(result, exponents=range(0, 21, 2)) -> list[tuple]:
    """The frames of a slider over the loss scale :math:`2^k`: ``(result, k, xlim)`` for each
    ``k`` in ``exponents``, all on one x axis. Use with :func:`draw_scale_frame`::

        frames = scale_frames(underflow_result)
        slider(draw_scale_frame, frames, values=[k for _, k, _ in frames],
               label="k (loss scale 2^k)", alt=lambda k, item: f"gradients times 2^{k}")
    """
    result = check_instance("result", result, LayerUnderflow)
    ks = [
        check_int("exponents", k, lo=-200, hi=200)
        for k in check_sequence("exponents", exponents, max_len=100)
    ]
    xlim = _log_limits(result, [k * _LOG2 for k in ks])
    return [(result, k, xlim) for k in ks]


def _frame_counts(result: LayerUnderflow, k: int):
    """What storing every weight gradient of ``result`` times :math:`2^k` in float16 does
    (:func:`vgp_lib.mixed.cast_counts` over all layers)."""
    return cast_counts(np.concatenate(result.gradient_sizes), "float16", scale=2.0**k)


@styled
def draw_scale_frame(fig, item):
    """One slider frame: every layer's weight gradients times :math:`2^k` against float16's
    range, titled with how many entries round to 0 and how many to ``inf``.

    ``item`` is ``(result, k, xlim)`` from :func:`scale_frames`. The counts are the storage
    model of :func:`vgp_lib.mixed.cast_counts`: the exact gradients times :math:`2^k`,
    rounded once to float16.
    """
    if not (isinstance(item, tuple) and len(item) == 3):
        raise TypeError("item must be a frame (result, k, xlim) of scale_frames")
    result, k, xlim = item
    result = check_instance("item", result, LayerUnderflow)
    k = check_int("item", k, lo=-200, hi=200)
    ax = fig.add_subplot()
    _window(ax)
    _ranges(ax, result.gradient_sizes, k * _LOG2)
    ax.set_xlim(*xlim)
    _layer_axis(ax, result.depth + 1)
    c = _frame_counts(result, k)
    ax.set_xlabel(f"$\\log_{{10}}|2^{{{k}}}\\,g|$ of the weight gradients")
    ax.set_title(
        f"loss scale $2^{{{k}}}$: of {c.nonzero:,} entries\n"
        f"{c.zero:,} round to 0, {c.overflow:,} to inf",
        loc="left",
    )
    ax.grid(True, axis="x", alpha=0.3)
    return fig
