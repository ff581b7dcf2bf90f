"""``reuse_panels``: a figure's panels made once, and emptied for the next drawing.

A live widget draws each result on the figure it drew the last one on: the panels (axes and
their tick marks, slow to build) stay; what a draw function adds or sets goes, so that drawing
again gives the picture a new figure would.
"""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from vgp_lib.plots.style import blank_figure, house_style, reuse_panels


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _two(fig):
    return fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)


def _draw(fig, scale):
    left, right = reuse_panels(fig, "two", _two)
    left.plot([1, 2, 3], [scale, 2 * scale, 10 * scale], label="a")
    left.set_yscale("log")
    left.set_title(f"scale {scale}", loc="left")
    left.legend()
    right.bar([1, 2], [scale, 3.0], color="C1")
    right.text(1, 1, "note")
    right.set_xlim(0, 3)
    right.set_xlabel("x")
    right.grid(True, alpha=0.3)
    fig.legend(["fig"], loc="outside lower center")
    return left, right


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    return buffer.getvalue()


def test_the_panels_are_made_once_and_emptied_for_the_next_drawing():
    made = []
    with house_style():
        fig = blank_figure(3.0)
        first = reuse_panels(fig, "two", lambda f: made.append(1) or _two(f))
        _draw(fig, 2.0)
        _png(fig)  # laid out: the panels have moved from where the grid put them
        grid = [ax.get_subplotspec().get_position(fig).bounds for ax in first]
        assert [ax.get_position().bounds for ax in first] != grid
        again = reuse_panels(fig, "two", _two)
    assert again is first and made == [1] and fig.axes == list(first)
    for ax in again:
        assert not (ax.lines or ax.patches or ax.texts or ax.collections or ax.containers)
        assert ax.get_legend() is None
        assert [ax.get_title(loc=loc) for loc in ("left", "center", "right")] == ["", "", ""]
        assert ax.get_xlabel() == ax.get_ylabel() == ""
        assert ax.get_xscale() == ax.get_yscale() == "linear"
        assert ax.get_xlim() == ax.get_ylim() == (0.0, 1.0)
        assert ax.get_autoscalex_on() and ax.get_autoscaley_on()
        assert ax.get_position().bounds == ax.get_subplotspec().get_position(fig).bounds
    assert not fig.legends
    line = again[0].plot([0, 1])[0]
    assert to_hex(line.get_color()) == to_hex("C0")  # the colour cycle starts again


@pytest.mark.parametrize("scale", [0.5, 40.0])
def test_drawing_on_emptied_panels_gives_the_picture_of_a_new_figure(scale):
    with house_style():
        reused = blank_figure(3.0)
        _draw(reused, 7.0)
        _png(reused)
        _draw(reused, scale)
        new = blank_figure(3.0)
        _draw(new, scale)
    assert _png(reused) == _png(new)
    np.testing.assert_allclose(
        reused.axes[0].get_lines()[0].get_ydata(), [scale, 2 * scale, 10 * scale]
    )


def test_another_key_or_what_cannot_be_emptied_makes_the_panels_again():
    with house_style():
        fig = blank_figure(3.0)
        first = reuse_panels(fig, "two", _two)
        other = reuse_panels(fig, "one", lambda f: f.add_subplot())
        assert fig.axes == [other] and all(ax not in fig.axes for ax in first)
        fig.suptitle("a title keeps its room in the layout")
        again = reuse_panels(fig, "one", lambda f: f.add_subplot())
        assert again is not other and fig.axes == [again] and fig.get_suptitle() == ""
        image = again.imshow(np.eye(3))
        fig.colorbar(image, ax=again)
        last = reuse_panels(fig, "one", lambda f: f.add_subplot())
        assert last is not again and fig.axes == [last]
