"""Slider frames drawn on the same axes, so that the motion is the message.

A slider (:func:`vgp_lib.plots.scrub.slider`) shows one pre-rendered frame per parameter
value. If each frame scaled its own axes, a gradient that falls from 1e-3 to 1e-276 as the
slider moves would draw the same line every time, and the change would hide in the tick
labels. :func:`same_axes` draws every frame once without rendering, takes for each axes the
smallest range that holds every frame's (what the draw function set or matplotlib chose),
and returns a draw function that draws a frame and then sets those ranges::

    slider(same_axes(draw_growth, frames), frames, values=weights, label="weight w", ...)

A draw function that decides something from its own axis range (say, whether a line is
"off the chart") should be given the common range instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from .._validate import check_sequence
from .scrub import MAX_FRAMES
from .style import blank_figure, house_style

#: What a chapter calls; the rest serves it.
__all__ = ["same_axes"]

#: Height in inches of the figure the frames are measured on (the ranges do not depend on it).
_PROBE_HEIGHT = 3.4
#: Steps in decades between the labelled ticks of a log axis spanning many decades: the
#: smallest that leaves at most :data:`_MAX_LOG_TICKS` of them (10⁰, 10⁻⁵⁰, 10⁻¹⁰⁰, ...
#: rather than matplotlib's 10⁰, 10⁻³⁴, 10⁻⁶⁸, ...).
_DECADE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500)
_MAX_LOG_TICKS = 8


def _data_axes(fig) -> list:
    """The axes of ``fig`` that show data, in drawing order (colour bars left out)."""
    return [ax for ax in fig.axes if getattr(ax, "_colorbar", None) is None]


def _merge(ranges) -> tuple[float, float]:
    """The smallest range holding every ``(lo, hi)`` of ``ranges``, kept inverted if the first
    one is (a y axis drawn top-down stays top-down)."""
    lows = [min(r) for r in ranges]
    highs = [max(r) for r in ranges]
    lo, hi = min(lows), max(highs)
    first = ranges[0]
    return (hi, lo) if first[0] > first[1] else (lo, hi)


def _decade_ticks(axis, lo: float, hi: float) -> None:
    """Labelled ticks every 1, 2, 5, 10, 20, ... decades on a log ``axis`` from ``lo`` to ``hi``."""
    import math

    from matplotlib.ticker import LogLocator, NullLocator

    if not (0 < lo < hi and math.isfinite(hi)):
        return
    decades = math.log10(hi) - math.log10(lo)
    step = next((s for s in _DECADE_STEPS if decades / s <= _MAX_LOG_TICKS), _DECADE_STEPS[-1])
    if step == 1:
        return  # matplotlib's own ticks are every decade already
    axis.set_major_locator(LogLocator(base=10.0**step))
    axis.set_minor_locator(NullLocator())


def _limits_of(draw, item, height: float) -> list[tuple]:
    with house_style():
        fig = blank_figure(height)
        draw(fig, item)
    return [(ax.get_xlim(), ax.get_ylim()) for ax in _data_axes(fig)]


def common_limits(draw: Callable, frames: Sequence) -> list[tuple]:
    """For each axes ``draw(fig, item)`` makes: ``(xlim, ylim)`` holding every frame's ranges.

    The axes are matched by their order in ``fig.axes`` (colour bars left out), so every
    frame must make the same number of axes. Example::

        common_limits(draw_growth, frames)  # [((0.0, 31.0), (-22.4, 61.3))]
    """
    if not callable(draw):
        raise TypeError(f"draw must be a callable draw(fig, item), got {type(draw).__name__}")
    frames = check_sequence("frames", frames, what="pre-computed results", max_len=MAX_FRAMES)
    per_frame = []
    for i, item in enumerate(frames):
        try:
            limits = _limits_of(draw, item, _PROBE_HEIGHT)
        except (ValueError, TypeError) as error:
            raise type(error)(f"frames[{i}]: {error}") from error
        if per_frame and len(limits) != len(per_frame[0]):
            raise ValueError(
                f"frames[{i}]: draw made {len(limits)} axes, but {len(per_frame[0])} "
                "for frames[0]; every frame must make the same axes"
            )
        per_frame.append(limits)
    return [
        (_merge([f[k][0] for f in per_frame]), _merge([f[k][1] for f in per_frame]))
        for k in range(len(per_frame[0]))
    ]


def same_axes(draw: Callable, frames: Sequence) -> Callable:
    """``draw``, but every frame of ``frames`` on the same axis ranges (see the module docstring).

    Returns ``draw_on_common_axes(fig, item)``: it calls ``draw(fig, item)``, then sets each
    axes' x and y range to the one :func:`common_limits` found over all of ``frames``.
    """
    limits = common_limits(draw, frames)

    @functools.wraps(draw)
    def draw_on_common_axes(fig, item):
        result = draw(fig, item)
        axes = _data_axes(fig)
        if len(axes) != len(limits):
            raise ValueError(
                f"item: draw made {len(axes)} axes, but {len(limits)} when the ranges were "
                "measured; every frame must make the same axes"
            )
        for ax, (xlim, ylim) in zip(axes, limits):
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            for axis, (lo, hi) in ((ax.xaxis, xlim), (ax.yaxis, ylim)):
                if axis.get_scale() == "log":
                    _decade_ticks(axis, min(lo, hi), max(lo, hi))
        return result

    return draw_on_common_axes
