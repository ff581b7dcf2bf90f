"""The house style of :mod:`vgp_lib.plots.style`: one
column width, one sheet, and the checks that enforce it.

``figure`` makes a column-wide figure and validates its arguments; ``png_bytes``
and ``show`` refuse text under 9 pt and legends over data, write the smallest
text size into the PNG and render at twice the CSS width; ``covered_data`` and
``smallest_text_pt`` measure what they claim; ``show_source`` drops docstrings;
the sheet applies only inside ``house_style``/``@styled`` and never leaks into
matplotlib's global ``rcParams``.
"""

import io

import matplotlib as mpl
import numpy as np
import pytest
from PIL import Image

from vgp_lib.plots import figure, show, styled
from vgp_lib.plots import style as S

SHEET = dict(mpl.rc_params_from_file(S.STYLE_SHEET, use_default_template=False))


@pytest.fixture
def displayed(monkeypatch):
    """What ``show``/``show_source`` hand to IPython's ``display``, collected instead of shown."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    return shown


def _clean_figure():
    fig, ax = figure(height=3.0)
    x = np.linspace(0, 1, 30)
    ax.plot(x, x**2, label="a curve")
    S.legend_above(ax, ncol=2, centred=True)
    return fig, ax


# --- figure ------------------------------------------------------------------------------------


def test_figure_is_column_wide_and_not_registered_with_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig, ax = figure(height=2.5)
    assert fig.get_size_inches() == pytest.approx((S.COLUMN_PX / S.CSS_PX_PER_IN, 2.5))
    assert S.COLUMN_IN * S.CSS_PX_PER_IN == pytest.approx(688)
    assert ax.figure is fig and fig.canvas is not None
    assert plt.get_fignums() == before  # nothing for pyplot to show twice or leak
    fig, axes = figure(2, 3, height=5, width=5)
    assert axes.shape == (2, 3) and fig.get_size_inches() == pytest.approx((5, 5))
    _, shared = figure(1, 2, sharey=True)  # keyword arguments reach Figure.subplots
    assert shared[0].get_shared_y_axes().joined(shared[0], shared[1])


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"nrows": 0}, "nrows"),
        ({"nrows": 7}, "nrows"),
        ({"nrows": True}, "nrows"),
        ({"nrows": 1.0}, "nrows"),
        ({"ncols": "2"}, "ncols"),
        ({"ncols": -1}, "ncols"),
        ({"height": 0.5}, "height"),
        ({"height": 13}, "height"),
        ({"height": "3"}, "height"),
        ({"height": False}, "height"),
        ({"width": 0.0}, "width"),
        ({"width": float("nan")}, "width"),
        ({"width": None}, "width"),
    ],
)
def test_figure_refuses_bad_arguments_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        figure(**kwargs)


# --- png_bytes and show ---------------------------------------------------------------------------


def test_a_clean_figure_renders_at_twice_its_css_width_with_its_smallest_text(displayed):
    fig, _ = _clean_figure()
    data, width = S.png_bytes(fig)
    assert width == S.COLUMN_PX == 688
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (2 * 688, round(2 * 96 * 3.0))
    assert S.smallest_text_pt(fig) == 9.0  # the sheet's tick labels
    assert image.text[S.MIN_TEXT_KEY] == "12.00"  # 9 pt at 96 px per inch

    show(fig)
    (shown,) = displayed
    assert shown.width == 688 and shown.data == data


def test_the_smallest_text_recorded_is_the_figures_own():
    fig, ax = figure(height=3.0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("twelve points", fontsize=12)
    data, _ = S.png_bytes(fig)
    assert Image.open(io.BytesIO(data)).text[S.MIN_TEXT_KEY] == "16.00"


@pytest.mark.parametrize("where", ["text", "ticks", "legend"])
def test_text_under_nine_points_is_refused(where, displayed):
    fig, ax = _clean_figure()
    if where == "text":
        ax.text(0.5, 0.5, "small print", fontsize=7)
    elif where == "ticks":
        ax.tick_params(labelsize=7)
    else:
        S.legend_above(ax, ncol=2, centred=True).get_texts()[0].set_fontsize(7)
    for render in (S.png_bytes, show):
        with pytest.raises(ValueError, match=r"text of 7 pt.*9 pt"):
            render(fig)
    assert displayed == []


def test_a_legend_over_data_is_refused(displayed):
    fig, ax = figure(height=3.0)
    x = np.linspace(0, 1, 40)
    ax.plot(x, np.full_like(x, 1.0), label="flat at the top")
    ax.set_ylim(0, 1.05)
    ax.legend(loc="upper left")
    for render in (S.png_bytes, show):
        with pytest.raises(ValueError, match=r"legend .* covers \d+ data point.*move the legend"):
            render(fig)
    assert displayed == []
    ax.get_legend().remove()
    S.legend_above(ax, ncol=2, centred=True)
    S.png_bytes(fig)  # the same data with the legend above the axes


def test_png_bytes_wants_a_figure():
    _, ax = figure()
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        S.png_bytes(ax)


# --- covered_data and smallest_text_pt ------------------------------------------------------------


def test_covered_data_counts_the_points_inside_the_legend():
    fig, ax = figure(height=3.0)
    x = np.linspace(0, 1, 101)
    ax.plot(x, np.zeros_like(x), label="along the bottom")
    ax.set_ylim(-0.05, 1)
    ax.legend(loc="lower right")
    (problem,) = S.covered_data(fig)
    fig.draw_without_rendering()
    box = ax.get_legend().get_window_extent().padded(-1.0)
    points = ax.transData.transform(np.c_[x, np.zeros_like(x)])
    inside = sum(box.contains(px, py) for px, py in points)
    assert 0 < inside < x.size
    assert f"covers {inside} data point(s)" in problem

    ax.set_ylim(-1, 1)  # the line now runs through the middle, clear of the legend's corner
    assert S.covered_data(fig) == []


def test_covered_data_sees_bars_and_scatter_points():
    fig, axes = figure(1, 2, height=3.0)
    axes[0].bar([1, 2, 3], [3, 1, 1], label="bars")
    axes[0].legend(loc="upper left")  # over the tall first bar
    axes[1].scatter([0.05, 0.5], [0.95, 0.5], label="points")
    axes[1].set(xlim=(0, 1), ylim=(0, 1), title="scatter")
    axes[1].legend(loc="upper left")  # over the point at the top left
    problems = S.covered_data(fig)
    assert len(problems) == 2
    assert "'scatter' covers 1 data point(s)" in problems[1]
    axes[0].get_legend().set_visible(False)
    axes[1].get_legend().remove()
    assert S.covered_data(fig) == []  # an invisible or missing legend covers nothing


def test_covered_data_is_empty_when_the_legend_is_off_the_data():
    fig, ax = _clean_figure()
    assert S.covered_data(fig) == []
    fig, ax = figure()
    ax.plot([0, 1], [0, 1])  # no legend at all
    assert S.covered_data(fig) == []


def test_smallest_text_ignores_invisible_and_empty_texts():
    fig, ax = figure(height=3.0)
    ax.set_xlabel("ten points")
    assert S.smallest_text_pt(fig) == 9.0
    ax.tick_params(labelsize=11)
    assert S.smallest_text_pt(fig) == 10.0  # now the axis labels (font.size 10) are smallest
    ax.text(0.1, 0.1, "hidden", fontsize=5, visible=False)
    ax.text(0.2, 0.2, "", fontsize=5)
    ax.text(0.3, 0.3, "   ", fontsize=5)
    _, other = figure()
    other.text(0.3, 0.3, "on another figure", fontsize=5)
    assert S.smallest_text_pt(fig) == 10.0
    hidden_axes = fig.add_axes((0.6, 0.6, 0.2, 0.2))
    hidden_axes.text(0.5, 0.5, "in a hidden axes", fontsize=5)
    hidden_axes.set_visible(False)
    assert S.smallest_text_pt(fig) == 10.0
    hidden_axes.set_visible(True)
    assert S.smallest_text_pt(fig) == 5.0  # the same text, now shown, counts
    blank, ax = figure()
    ax.set_axis_off()
    assert S.smallest_text_pt(blank) == float("inf")


# --- show_source ----------------------------------------------------------------------------------


def _documented(x, y=2):
    """A docstring the page must not show.

    It has two paragraphs.
    """
    total = x + y  # a comment stays
    return total


def _undocumented(x):
    text = "a string, not a docstring"
    return text * x


class _Model:
    """A class docstring."""

    def step(self, lr):
        """The method's docstring."""
        return lr * 2


def test_show_source_prints_the_code_without_the_docstring(displayed):
    S.show_source(_documented)
    S.show_source(_undocumented)
    S.show_source(_Model.step)
    documented, undocumented, method = (m.data for m in displayed)
    assert documented == (
        "```python\ndef _documented(x, y=2):\n    total = x + y  # a comment stays\n"
        "    return total\n```"
    )
    assert '"a string, not a docstring"' in undocumented and undocumented.startswith(
        "```python\ndef _undocumented"
    )
    assert (
        method == "```python\ndef step(self, lr):\n    return lr * 2\n```"
    )  # dedented, docstring gone


def test_show_source_of_a_library_function_and_bad_input(displayed):
    from vgp_lib.clipping import global_norm

    S.show_source(global_norm)
    (shown,) = displayed
    assert shown.data.startswith("```python\ndef global_norm(grads) -> float:\n")
    assert "Euclidean" not in shown.data and "np.sqrt" in shown.data
    with pytest.raises(TypeError, match="function must be"):
        S.show_source("global_norm")


# --- the sheet: applied inside, never leaked ------------------------------------------------------


def _rc():
    return {k: v for k, v in mpl.rcParams.copy().items() if k != "backend"}


@styled
def _styled_plot(ax):
    """A plotting function as the library writes them."""
    (line,) = ax.plot([0, 1], [1, 0])
    return {k: mpl.rcParams[k] for k in SHEET}, line


def test_styled_applies_the_sheet_inside_and_nothing_leaks():
    before = _rc()
    assert any(before[k] != v for k, v in SHEET.items())  # the sheet differs from the defaults
    fig, ax = figure()
    inside, line = _styled_plot(ax)
    assert inside == SHEET
    assert (
        line.get_linewidth() == SHEET["lines.linewidth"] != mpl.rcParamsDefault["lines.linewidth"]
    )
    assert ax.xaxis.get_ticklabels()[0].get_fontsize() == SHEET["xtick.labelsize"]
    S.png_bytes(fig)
    with S.house_style():
        assert mpl.rcParams["font.size"] == SHEET["font.size"]
    assert _rc() == before
    assert _styled_plot.__name__ == "_styled_plot" and _styled_plot.__doc__.startswith(
        "A plotting function"
    )
    assert _styled_plot.__wrapped__(ax)[0] == {
        k: before[k] for k in SHEET
    }  # undecorated: the global values


def test_a_library_plot_function_leaves_rcparams_alone():
    from vgp_lib import chain
    from vgp_lib.plots.chain import plot_routes

    before = _rc()
    fig, ax = figure()
    plot_routes(chain.three_routes(chain.constant_chain(6, w=2.0)), ax)
    S.png_bytes(fig)
    assert _rc() == before


def test_the_style_is_undone_when_a_plot_function_raises():
    before = _rc()

    @styled
    def broken():
        assert mpl.rcParams["lines.linewidth"] == SHEET["lines.linewidth"]
        raise RuntimeError("drawing failed")

    with pytest.raises(RuntimeError, match="drawing failed"):
        broken()
    assert _rc() == before
