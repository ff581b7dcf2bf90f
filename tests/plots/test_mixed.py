"""What :mod:`vgp_lib.plots.mixed` draws is the data of the mixed-precision results: each
layer's gradient sizes against float16's range, the share lost, the dynamic loss scale and
the slider over the loss scale.

Each test builds a real (tiny) result with the compute calls the chapter uses, draws it on a
house-style figure, reads the artists back (``tests/plotcheck.py``) and renders it through
the house checks at the column's and at a phone's width.
"""

import math

import numpy as np
import pytest
import torch

from tests.plotcheck import _legend_labels, _line, _render, _xy
from vgp_lib import mixed
from vgp_lib.book import figure, slider
from vgp_lib.plots import mixed as pmixed
from vgp_lib.plots.style import blank_figure, house_style


@pytest.fixture(scope="module")
def data():
    g = torch.Generator().manual_seed(0)
    return torch.rand(10, 20, generator=g, dtype=torch.float64), torch.arange(10) % 10


@pytest.fixture(scope="module")
def deep(data):
    return mixed.layer_underflow(*data, depth=12, width=8, seed=0)


def _percentiles(result, q, shift=0.0):
    return np.array([np.percentile(np.log10(g[g > 0]), q) + shift for g in result.gradient_sizes])


def test_gradient_ranges_draw_each_layers_percentiles_against_the_float16_window(deep):
    fig, ax = figure(height=4.0)
    pmixed.plot_gradient_ranges(deep, ax)
    layers = np.arange(1, deep.depth + 2)
    x, y = _xy(_line(ax, "median"))
    np.testing.assert_allclose(x, _percentiles(deep, 50))
    np.testing.assert_array_equal(y, layers)
    x, y = _xy(_line(ax, "middle half"))  # (p25, p75, nan) per layer
    np.testing.assert_allclose(x[0::3], _percentiles(deep, 25))
    np.testing.assert_allclose(x[1::3], _percentiles(deep, 75))
    np.testing.assert_array_equal(y[0::3], layers)
    x, _ = _xy(_line(ax, "1st to 99th percentile"))
    np.testing.assert_allclose(x[1::3], _percentiles(deep, 99))
    labels = _legend_labels(ax)
    assert "float16 subnormal: 6.0e-8 to 6.1e-5" in labels
    assert "float16 normal: 6.1e-5 to 65504" in labels
    dashed = sorted(ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--")
    np.testing.assert_allclose(dashed, np.log10([2.0**-24, 2.0**-14, 65504.0]))
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "out"
    _render(fig)


def test_gradient_ranges_of_a_scaled_result_are_moved_by_the_scale(data):
    r = mixed.layer_underflow(*data, depth=3, width=8, seed=0, scale=2.0**10)
    fig, ax = figure(height=3.0)
    pmixed.plot_gradient_ranges(r, ax)
    x, _ = _xy(_line(ax, "median"))
    np.testing.assert_allclose(x, _percentiles(r, 50, 10 * math.log10(2)))
    assert "s" in ax.get_xlabel()
    _render(fig)
    with pytest.raises(TypeError, match="result"):
        pmixed.plot_gradient_ranges(3.0)


def test_underflow_draws_the_share_lost_per_layer_for_each_format(data, deep):
    scaled = mixed.layer_underflow(*data, depth=12, width=8, seed=0, scale=2.0**12)
    bf = mixed.layer_underflow(*data, depth=12, width=8, seed=0, dtype="bfloat16")
    fig, ax = figure(height=3.4)
    pmixed.plot_underflow([deep, scaled, bf], ax)
    labels = ["float16, no scaling", "float16, loss scale $2^{12}$", "bfloat16"]
    assert _legend_labels(ax) == labels
    for r, label in zip([deep, scaled, bf], labels):
        x, y = _xy(_line(ax, label))
        np.testing.assert_array_equal(x, r.layers)
        np.testing.assert_allclose(y, 100 * r.lost_fraction)
    assert _xy(_line(ax, labels[0]))[1][0] > 50  # the first layer is lost in float16
    _render(fig)
    shallow = mixed.layer_underflow(*data, depth=2, width=8, seed=0)
    with pytest.raises(ValueError, match="results"):
        pmixed.plot_underflow([deep, shallow])
    with pytest.raises(TypeError, match="labels"):
        pmixed.plot_underflow([deep], labels=[1])


def test_scale_trace_draws_the_scale_and_marks_the_skipped_steps(data):
    run = mixed.train_mixed(
        *data, depth=3, mode="float16-dynamic", steps=12, batch=5, seed=0,
        init_scale=2.0**24, growth_interval=4,
    )  # fmt: skip
    assert run.skipped.any() and not run.skipped.all()
    fig, ax = figure(height=3.0)
    pmixed.plot_scale_trace(run, ax)
    x, y = _xy(_line(ax, "loss scale"))
    np.testing.assert_array_equal(x, np.arange(1, 13))
    np.testing.assert_array_equal(y, np.log2(run.scale))
    skipped = f"skipped step ({int(run.skipped.sum())})"
    x, y = _xy(_line(ax, skipped))
    np.testing.assert_array_equal(x, np.flatnonzero(run.skipped) + 1)
    np.testing.assert_array_equal(y, np.log2(run.scale[run.skipped]))
    assert _legend_labels(ax) == ["loss scale", skipped]
    _render(fig)


def test_scale_frames_move_the_ranges_by_2_to_the_k_and_count_what_is_lost(deep):
    frames = pmixed.scale_frames(deep, range(0, 21, 10))
    assert [k for _, k, _ in frames] == [0, 10, 20]
    assert len({xlim for _, _, xlim in frames}) == 1  # one x axis for every frame
    sizes = np.concatenate(deep.gradient_sizes)
    for item in (frames[0], frames[-1]):
        _, k, xlim = item
        with house_style():
            fig = blank_figure(4.0)
            pmixed.draw_scale_frame(fig, item)
        (ax,) = fig.axes
        x, _ = _xy(_line(ax, "median"))
        np.testing.assert_allclose(x, _percentiles(deep, 50, k * math.log10(2)))
        assert ax.get_xlim() == xlim
        c = mixed.cast_counts(sizes, "float16", scale=2.0**k)
        title = ax.get_title(loc="left")
        assert f"of {c.nonzero:,} entries" in title
        assert f"{c.zero:,} round to 0, {c.overflow:,} to inf" in title
    html = slider(
        pmixed.draw_scale_frame,
        frames,
        values=[k for _, k, _ in frames],
        label="k (loss scale 2^k)",
        alt=lambda k, item: f"weight gradients times 2^{k} against float16's range",
        start=1,
    ).data
    assert html.count("data:image/png;base64,") == 2 * (1 + len(frames))
    with pytest.raises(TypeError, match="item"):
        pmixed.draw_scale_frame(blank_figure(3.0), (deep, 2))
