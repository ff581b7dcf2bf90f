"""A slider's frames share their axes (:mod:`vgp_lib.plots.frames`): drawn with
:func:`same_axes`, the two extreme frames of a sweep get the same ranges, and the ranges hold
every frame's data, so that what moves on the page is the data, not the axes.
"""

import numpy as np
import pytest

from vgp_lib import bound, chain, circuits
from vgp_lib.plots.bound import draw_factor_and_width
from vgp_lib.plots.chain import draw_chain_profile
from vgp_lib.plots.circuits import plot_circuit_shape
from vgp_lib.plots.frames import common_limits, same_axes
from vgp_lib.plots.style import blank_figure, house_style


def _drawn(draw, item):
    with house_style():
        fig = blank_figure(3.6)
        draw(fig, item)
    return fig


def _ranges(fig):
    return [(ax.get_xlim(), ax.get_ylim()) for ax in fig.axes]


def test_the_extreme_weight_scales_of_the_chain_slider_share_their_axes():
    # Figure "weight scale s": at s = 0.1 the first gradient is about 1e-35, at s = 100 about
    # 1e-276; drawn on their own, both lines fill their panel and look alike.
    frames = [chain.chain_profile(20, s, 0.0, "sigmoid", seed=0) for s in (0.1, 100.0)]
    alone = [_ranges(_drawn(draw_chain_profile, f)) for f in frames]
    assert alone[0][1][1] != alone[1][1][1]  # each frame scales its own gradient axis
    draw = same_axes(draw_chain_profile, frames)
    small, large = (_drawn(draw, f) for f in frames)
    assert _ranges(small) == _ranges(large)
    low, high = small.axes[1].get_ylim()
    for f in frames:  # every gradient of every frame is inside the common range
        g = np.abs(f.grad)
        assert low <= g.min() and g.max() <= high
    # the data are each frame's own: only the axes are shared
    np.testing.assert_allclose(small.axes[1].get_lines()[0].get_ydata(), np.abs(frames[0].grad))
    np.testing.assert_allclose(large.axes[1].get_lines()[0].get_ydata(), np.abs(frames[1].grad))


def test_a_log_axis_over_hundreds_of_decades_is_labelled_every_fifty():
    frames = [chain.chain_profile(20, s, 0.0, "sigmoid", seed=0) for s in (0.1, 100.0)]
    fig = _drawn(same_axes(draw_chain_profile, frames), frames[0])
    ax = fig.axes[1]
    low, high = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if low <= t <= high]
    exponents = np.log10(ticks)
    assert 3 <= len(ticks) <= 8
    np.testing.assert_allclose(exponents % 50, 0.0, atol=1e-9)


def test_the_extreme_weights_of_the_window_slider_share_their_axes():
    curve = bound.width_curve(30.0)
    frames = [(bound.factor_interval(w, -w / 2), curve) for w in (2.0, 25.0)]
    draw = same_axes(draw_factor_and_width, frames)
    narrow, wide = (_drawn(draw, f) for f in frames)
    assert _ranges(narrow) == _ranges(wide)
    assert narrow.axes[0].get_ylim()[1] >= frames[1][0].peak  # the tall peak of |w| = 25 fits


def test_both_circuits_keep_their_ranges_as_n_grows():
    def draw_shape(fig, pair):
        plot_circuit_shape(*pair, fig.subplots(1, 2, sharex=True))

    frames = [(circuits.two_layer_parity(n), circuits.deep_parity(n)) for n in (2, 12)]
    draw = same_axes(draw_shape, frames)
    small, large = (_drawn(draw, f) for f in frames)
    assert common_limits(draw_shape, frames) == _ranges(small)
    assert _ranges(small) == _ranges(large)
    assert small.axes[1].get_ylim()[1] > frames[1][1].depth  # room for the deepest circuit


def _line_to(fig, y):
    ax = fig.add_subplot()
    ax.plot([0.0, 1.0], [0.0, y])
    return ax


def test_an_inverted_axis_stays_inverted_and_holds_every_frame():
    def draw(fig, y):
        _line_to(fig, y).invert_yaxis()

    limits = common_limits(draw, [1.0, -3.0, 5.0])
    ((_, (top, bottom)),) = limits
    assert top > bottom  # still drawn top-down
    assert bottom <= -3.0 and top >= 5.0


def test_frames_that_make_different_axes_are_refused():
    def draw(fig, n):
        for _ in range(n):
            _line_to(fig, 1.0)

    with pytest.raises(ValueError, match=r"frames\[1\].*same axes"):
        common_limits(draw, [1, 2])
    wrapped = same_axes(draw, [1, 1])
    with pytest.raises(ValueError, match="item"):
        _drawn(wrapped, 2)


@pytest.mark.parametrize(
    "draw, frames, error, name",
    [
        ("not callable", [1.0], TypeError, "draw"),
        (_line_to, [], ValueError, "frames"),
        (_line_to, "abc", TypeError, "frames"),
        (_line_to, 3.0, TypeError, "frames"),
        (_line_to, range(10**12), ValueError, "frames"),  # refused before any is drawn
    ],
)
def test_bad_arguments_name_the_parameter(draw, frames, error, name):
    with pytest.raises(error, match=name):
        same_axes(draw, frames)


def test_a_frame_the_draw_function_refuses_is_named():
    def draw(fig, y):
        if not np.isfinite(y):
            raise ValueError(f"item must be a finite number, got {y!r}")
        _line_to(fig, y)

    with pytest.raises(ValueError, match=r"frames\[1\]"):
        same_axes(draw, [1.0, float("nan")])
