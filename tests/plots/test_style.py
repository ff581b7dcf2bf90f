"""The house style of :mod:`vgp_lib.plots.style` and the modules beside it: one
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

from vgp_lib.book import show_source
from vgp_lib.plots import figure, show, styled
from vgp_lib.plots import style as S
from vgp_lib.plots.display import drawings, png_bytes
from vgp_lib.plots.legibility import covered_data, smallest_text_pt, text_problems
from vgp_lib.plots.phone import on_phone, phone_layout
from vgp_lib.plots.png import split_drawings, with_phone

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
    assert S.COLUMN_IN * S.CSS_PX_PER_IN == pytest.approx(672)
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
        ({"ncols": 10**5000}, "ncols"),
        ({"height": 10**5000}, "height"),
    ],
)
def test_figure_refuses_bad_arguments_naming_them(kwargs, name):
    with pytest.raises((TypeError, ValueError), match=rf"^{name} must "):
        figure(**kwargs)


# --- png_bytes and show ---------------------------------------------------------------------------


def test_a_clean_figure_renders_at_twice_its_css_width_with_its_smallest_text(displayed):
    fig, _ = _clean_figure()
    data, width = png_bytes(fig)
    assert width == S.COLUMN_PX == 672
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (2 * 672, round(2 * 96 * 3.0))
    assert smallest_text_pt(fig) == 9.0  # the sheet's tick labels
    assert image.text[S.MIN_TEXT_KEY] == "12.00"  # 9 pt at 96 px per inch

    show(fig)
    (shown,) = displayed
    assert shown.width == 672 and shown.data == data


def test_the_smallest_text_recorded_is_the_figures_own():
    fig, ax = figure(height=3.0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("twelve points", fontsize=12)
    data, _ = png_bytes(fig)
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
    for render in (png_bytes, show):
        with pytest.raises(ValueError, match=r"text of 7 pt.*9 pt"):
            render(fig)
    assert displayed == []


def test_a_legend_over_data_is_refused(displayed):
    fig, ax = figure(height=3.0)
    x = np.linspace(0, 1, 40)
    ax.plot(x, np.full_like(x, 1.0), label="flat at the top")
    ax.set_ylim(0, 1.05)
    ax.legend(loc="upper left")
    for render in (png_bytes, show):
        with pytest.raises(ValueError, match=r"legend .* covers \d+ data point.*move the legend"):
            render(fig)
    assert displayed == []
    ax.get_legend().remove()
    S.legend_above(ax, ncol=2, centred=True)
    png_bytes(fig)  # the same data with the legend above the axes


def test_png_bytes_wants_a_figure():
    _, ax = figure()
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        png_bytes(ax)


# --- covered_data and smallest_text_pt ------------------------------------------------------------


def test_covered_data_counts_the_points_inside_the_legend():
    fig, ax = figure(height=3.0)
    x = np.linspace(0, 1, 101)
    ax.plot(x, np.zeros_like(x), label="along the bottom")
    ax.set_ylim(-0.05, 1)
    ax.legend(loc="lower right")
    (problem,) = covered_data(fig)
    fig.draw_without_rendering()
    box = ax.get_legend().get_window_extent().padded(-1.0)
    points = ax.transData.transform(np.c_[x, np.zeros_like(x)])
    inside = sum(box.contains(px, py) for px, py in points)
    assert 0 < inside < x.size
    assert f"covers {inside} data point(s)" in problem

    ax.set_ylim(-1, 1)  # the line now runs through the middle, clear of the legend's corner
    assert covered_data(fig) == []


def test_covered_data_sees_bars_and_scatter_points():
    fig, axes = figure(1, 2, height=3.0)
    axes[0].bar([1, 2, 3], [3, 1, 1], label="bars")
    axes[0].legend(loc="upper left")  # over the tall first bar
    axes[1].scatter([0.05, 0.5], [0.95, 0.5], label="points")
    axes[1].set(xlim=(0, 1), ylim=(0, 1), title="scatter")
    axes[1].legend(loc="upper left")  # over the point at the top left
    problems = covered_data(fig)
    assert len(problems) == 2
    assert "'scatter' covers 1 data point(s)" in problems[1]
    axes[0].get_legend().set_visible(False)
    axes[1].get_legend().remove()
    assert covered_data(fig) == []  # an invisible or missing legend covers nothing


def test_covered_data_is_empty_when_the_legend_is_off_the_data():
    fig, ax = _clean_figure()
    assert covered_data(fig) == []
    fig, ax = figure()
    ax.plot([0, 1], [0, 1])  # no legend at all
    assert covered_data(fig) == []


def test_smallest_text_ignores_invisible_and_empty_texts():
    fig, ax = figure(height=3.0)
    ax.set_xlabel("ten points")
    assert smallest_text_pt(fig) == 9.0
    ax.tick_params(labelsize=11)
    assert smallest_text_pt(fig) == 10.0  # now the axis labels (font.size 10) are smallest
    ax.text(0.1, 0.1, "hidden", fontsize=5, visible=False)
    ax.text(0.2, 0.2, "", fontsize=5)
    ax.text(0.3, 0.3, "   ", fontsize=5)
    _, other = figure()
    other.text(0.3, 0.3, "on another figure", fontsize=5)
    assert smallest_text_pt(fig) == 10.0
    hidden_axes = fig.add_axes((0.6, 0.6, 0.2, 0.2))
    hidden_axes.text(0.5, 0.5, "in a hidden axes", fontsize=5)
    hidden_axes.set_visible(False)
    assert smallest_text_pt(fig) == 10.0
    hidden_axes.set_visible(True)
    assert smallest_text_pt(fig) == 5.0  # the same text, now shown, counts
    blank, ax = figure()
    ax.set_axis_off()
    assert smallest_text_pt(blank) == float("inf")


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
    show_source(_documented)
    show_source(_undocumented)
    show_source(_Model.step)
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

    show_source(global_norm)
    (shown,) = displayed
    assert shown.data.startswith("```python\ndef global_norm(grads) -> float:\n")
    assert "Euclidean" not in shown.data and "np.sqrt" in shown.data
    with pytest.raises(TypeError, match="function must be"):
        show_source("global_norm")


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
    png_bytes(fig)
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
    png_bytes(fig)
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


# --- the phone's drawing ------------------------------------------------------------------------


def _two_panels(**kwargs):
    fig, axes = figure(1, 2, height=3.0, **kwargs)
    x = np.linspace(0, 1, 30)
    for ax, title in zip(axes, ("left", "right")):
        ax.plot(x, x**2, label="square")
        ax.plot(x, x, label="identity")
        ax.set(title=title, xlabel="x")
    axes[0].set_ylabel("y")
    return fig, axes


def test_the_phone_drawing_stacks_panels_and_moves_the_side_legend_below():
    fig, axes = _two_panels(sharey=True)
    S.legend_beside(axes[1])
    phone_layout(fig)
    assert fig.get_figwidth() == pytest.approx(S.PHONE_IN) and S.PHONE_IN * 96 == 342
    # two rows, each of three quarters of the desktop's height but at least 2.4 in, and the legend
    assert fig.get_figheight() > 2 * 2.4
    assert [ax.get_subplotspec().get_geometry()[:2] for ax in axes] == [(2, 1), (2, 1)]
    fig.draw_without_rendering()
    top, bottom = (ax.get_window_extent() for ax in axes)
    assert top.y0 > bottom.y1 and top.x0 == pytest.approx(bottom.x0)  # one column
    # the right panel shared its y axis: alone in its row it shows its own tick labels
    assert axes[1].yaxis.get_tick_params()["labelleft"] and axes[1].get_ylabel() == "y"
    legend = axes[1].get_legend().get_window_extent()
    labels = axes[1].xaxis.get_tightbbox()
    assert legend.y1 <= labels.y0 and legend.x1 <= fig.bbox.x1  # under the x axis, inside
    assert text_problems(fig) == [] and covered_data(fig) == []


def test_the_phone_drawing_is_made_on_a_copy_and_checked(displayed):
    fig, axes = _two_panels()
    S.legend_beside(axes[1])
    both = drawings(fig)
    assert (both.width, both.phone_width) == (672, 342)
    assert both.height == 288 and both.phone_height > 1.6 * both.height  # two rows
    for data, css_width in ((both.desktop, 672), (both.phone, 342)):
        image = Image.open(io.BytesIO(data))
        assert image.width == 2 * css_width
        assert image.text[S.MIN_TEXT_KEY] == "12.00"  # 9 pt is 12 CSS px at both widths
        assert "identity" in image.text[S.TEXT_KEY].splitlines()
    # the figure shown is the figure drawn: the phone's layout went to a copy
    assert fig.get_figwidth() == pytest.approx(S.COLUMN_IN)
    assert axes[1].get_subplotspec().get_geometry()[:2] == (1, 2)
    assert drawings(fig) == both  # and drawing it again gives the same bytes


def test_titles_that_fit_the_desktop_but_print_over_each_other_on_a_phone_are_refused(displayed):
    fig, axes = figure(1, 3, height=2.5)
    for ax, title in zip(axes, ("spread over depth", "gradient per layer", "factor per layer")):
        ax.plot([0, 1], [0, 1])
        ax.set_title(title)
    png_bytes(fig)  # side by side, they fit 672 px

    def keep_side_by_side(copy):
        copy.set_size_inches(S.PHONE_IN, 2.5)

    on_phone(fig, keep_side_by_side)
    for render in (png_bytes, show):
        with pytest.raises(ValueError, match=r"^fig at phone width \(342 px\): .*print over each"):
            render(fig)
    assert displayed == []
    on_phone(fig, phone_layout)  # stacked, every title has the width to itself
    png_bytes(fig)


def test_text_cut_by_the_figures_edge_is_refused():
    fig, ax = figure(height=2.5)
    ax.plot([0, 1], [0, 1])
    ax.set_title("a title of about eighty characters, which a phone's column cannot hold")
    assert text_problems(fig) == []
    with pytest.raises(ValueError, match=r"phone width.*eighty characters.*cut by the figure's"):
        png_bytes(fig)
    fig.text(1.0, 0.5, "off the edge")
    assert text_problems(fig) == ["'off the edge' is cut by the figure's edge"]


def test_overlapping_texts_are_found_and_turned_labels_are_left_out():
    fig, ax = figure(height=2.5)
    ax.text(0.5, 0.5, "first note")
    ax.text(0.52, 0.5, "second note")
    (problem,) = text_problems(fig)
    assert problem == "'first note' and 'second note' print over each other"
    fig, ax = figure(height=2.5)
    ax.set_xticks(range(12), [f"label {i}" for i in range(12)], rotation=45, ha="right")
    assert text_problems(fig) == []  # boxes of turned labels overlap, the labels do not


def test_a_figure_gives_its_own_phone_drawing():
    fig, ax = figure(height=2.5)
    ax.plot([0, 1], [0, 1], label="line")
    phone, small = figure(height=4.0, width=S.PHONE_IN)
    small.plot([0, 1], [1, 0])
    both = drawings(fig, phone=phone)
    assert Image.open(io.BytesIO(both.phone)).size == (684, 768)
    made = []
    on_phone(fig, lambda copy: made.append(copy) or phone)
    assert drawings(fig).phone == both.phone and made[0] is not fig
    wide, _ = figure(height=2.5)
    with pytest.raises(ValueError, match=r"phone must draw the figure 3.562 inches wide"):
        drawings(fig, phone=wide)
    with pytest.raises(TypeError, match="phone must be"):
        drawings(fig, phone="small")


def test_the_phone_drawing_travels_inside_the_desktop_png(displayed):
    fig, _ = _clean_figure()
    both = drawings(fig)
    data, width = png_bytes(fig)
    assert width == 672 and split_drawings(data) == (both.desktop, both.phone)
    image = Image.open(io.BytesIO(data))  # still one ordinary PNG for a notebook
    image.load()
    assert image.size == (1344, 576) and S.PHONE_KEY in image.text
    assert data.index(b"zTXt") < data.index(b"IEND")  # compressed, before the end
    assert split_drawings(both.desktop) == (both.desktop, None)
    again = with_phone(data, both.phone)  # replaces, does not add a second chunk
    assert again.count(S.PHONE_KEY.encode()) == 1
    show(fig)
    (shown,) = displayed
    assert shown.data == data and shown.width == 672
    with pytest.raises(TypeError, match="phone must be the bytes of a PNG"):
        with_phone(data, b"GIF89a")
    with pytest.raises(TypeError, match="data must be"):
        split_drawings("a string")


def test_subfigures_side_by_side_are_stacked_with_their_legends():
    fig, _ = figure(height=3.0)
    fig.clear()
    for i, panel in enumerate(fig.subfigures(1, 2)):
        ax = panel.add_subplot()
        ax.plot([0, 1], [0, i], label=f"line {i}")
        ax.plot([0, 1], [i, 0], label=f"other {i}")
        panel.legend(loc="outside lower center", ncol=2)
    phone_layout(fig)
    fig.draw_without_rendering()
    top, bottom = (sub.bbox for sub in fig.subfigs)
    assert top.y0 >= bottom.y1 - 1 and top.width == pytest.approx(fig.bbox.width)
    assert text_problems(fig) == []


def test_a_legend_inside_that_would_cover_data_on_a_phone_moves_below():
    fig, ax = figure(height=3.0)
    ax.plot([0.0, 0.7], [0.9, 0.9], "o-", label="a line near the top")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="x")
    ax.legend(loc="upper right")
    assert covered_data(fig) == []  # clear of the data at 672 px
    phone_layout(fig)
    fig.draw_without_rendering()
    assert ax.get_legend().get_window_extent().y1 < ax.xaxis.get_tightbbox().y0
    assert covered_data(fig) == [] and text_problems(fig) == []
