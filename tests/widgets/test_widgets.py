"""The widget pattern of :mod:`vgp_lib.widgets`, driven headless.

:class:`LiveFigure` wires controls to a compute call and a draw call: moving any control
recomputes with every control's value, draws that very result on a fresh column-wide
figure in the house style (or, with ``reuse``, on the figure it drew before, emptied: the
same picture), shows it as a PNG drawn once and describes it. ``show_live`` displays a note
instead of a dead widget while the static site is built. Bad arguments raise naming
the parameter.
"""

import io

import ipywidgets
import matplotlib as mpl
import numpy as np
import pytest
from PIL import Image

from vgp_lib.plots.style import COLUMN_PX, CSS_PX_PER_IN, RESOLUTION, STYLE_SHEET, reuse_panels
from vgp_lib.widgets import LiveFigure, show_live

X = np.linspace(0.0, 1.0, 11)


def _compute(scale, kind):
    return {"scale": scale, "kind": kind, "y": scale * (X if kind == "line" else X**2)}


class _Drawing:
    """A draw callback that keeps what it drew and the line width in force when it drew."""

    def __init__(self):
        self.axes, self.linewidths = [], []

    def __call__(self, fig, result):
        ax = fig.add_subplot()
        ax.plot(X, result["y"], label=result["kind"])
        self.axes.append(ax)
        self.linewidths.append(mpl.rcParams["lines.linewidth"])


class _Reusing(_Drawing):
    """The same drawing, on the axes of the figure drawn before."""

    def __call__(self, fig, result):
        ax = reuse_panels(fig, "line", lambda f: f.add_subplot())
        ax.plot(X, result["y"], label=result["kind"])
        self.axes.append(ax)
        self.linewidths.append(mpl.rcParams["lines.linewidth"])


def _live(drawing, **kwargs):
    controls = {
        "scale": ipywidgets.FloatSlider(value=1.0, min=0.5, max=4.0, step=0.5),
        "kind": ipywidgets.Dropdown(options=["line", "square"], value="line"),
    }
    return LiveFigure(controls, _compute, drawing, **kwargs)


def _png(live):
    return Image.open(io.BytesIO(live.image.value))


def test_moving_a_control_recomputes_and_redraws_that_result():
    drawing = _Drawing()
    live = _live(drawing, describe=lambda r: f"{r['kind']}, peak {r['y'].max():.2f}")
    assert live.values() == {"scale": 1.0, "kind": "line"}
    np.testing.assert_array_equal(live.result["y"], X)
    first_png = live.image.value
    assert first_png[:8] == b"\x89PNG\r\n\x1a\n" and live.text.value == "line, peak 1.00"

    live.controls["scale"].value = 3.0
    assert live.result["scale"] == 3.0 and live.result["kind"] == "line"
    np.testing.assert_allclose(drawing.axes[-1].get_lines()[0].get_ydata(), 3.0 * X)
    assert live.image.value != first_png and live.text.value == "line, peak 3.00"

    live.controls["kind"].value = "square"
    line = drawing.axes[-1].get_lines()[0]
    assert line.get_label() == "square"  # the other control's value is kept
    np.testing.assert_allclose(line.get_ydata(), 3.0 * X**2)
    np.testing.assert_array_equal(live.result["y"], line.get_ydata())
    assert live.text.value == "square, peak 3.00"
    assert len(drawing.axes) == len(live.seconds) == len(live.render_seconds) == 3
    assert all(ax.figure is not other.figure for ax, other in zip(drawing.axes, drawing.axes[1:]))


def test_each_figure_is_drawn_in_the_house_style_at_the_column_width():
    drawing = _Drawing()
    live = _live(drawing, height=2.5)
    live.controls["scale"].value = 2.0
    sheet = mpl.rc_params_from_file(STYLE_SHEET, use_default_template=False)["lines.linewidth"]
    assert sheet != mpl.rcParamsDefault["lines.linewidth"]
    assert drawing.linewidths == [sheet, sheet]  # the sheet is in force inside each draw
    assert mpl.rcParams["lines.linewidth"] != sheet  # and only there
    for height in (2.5, 5.0):
        live = _live(_Drawing(), height=height)
        assert _png(live).size == (
            COLUMN_PX * RESOLUTION,
            round(height * CSS_PX_PER_IN * RESOLUTION),
        )
    assert _live(_Drawing()).text.value == ""  # no describe: no text


def test_a_reused_figure_keeps_its_axes_and_shows_what_a_new_figure_would(monkeypatch):
    from matplotlib.figure import Figure

    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, r: draws.append(fig) or real(fig, r))
    drawing = _Reusing()
    live, fresh = _live(drawing, reuse=True), _live(_Drawing())
    assert live.image.value == fresh.image.value
    for name, value in (("scale", 2.5), ("kind", "square"), ("scale", 0.5)):
        draws.clear()
        live.controls[name].value = value
        fresh.controls[name].value = value
        assert draws == [live.figure, fresh.figure]  # each drawn once (savefig draws twice)
        assert live.image.value == fresh.image.value
        np.testing.assert_allclose(drawing.axes[-1].get_lines()[0].get_ydata(), live.result["y"])
        assert len(drawing.axes[-1].get_lines()) == 1  # the last drawing's line is gone
    assert all(ax is drawing.axes[0] for ax in drawing.axes)  # one axes, drawn on again
    assert drawing.linewidths == [drawing.linewidths[0]] * 4  # the style sheet's, every time


def test_static_build_shows_nothing_instead_of_a_dead_widget(monkeypatch):
    import IPython.display
    import ipywidgets

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    monkeypatch.setenv("VGP_STATIC_BUILD", "1")
    show_live(ipywidgets.Label("x"))
    assert shown == []  # the page shows the cell's code; the prose says how to run it live


def test_a_live_figure_displays_its_box_or_nothing(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    live = _live(_Drawing())
    monkeypatch.delenv("VGP_STATIC_BUILD", raising=False)
    live._ipython_display_()
    assert shown == [live.box]
    assert live.box.children[1] is live.image and live.box.children[2] is live.text
    assert list(live.box.children[0].children) == list(live.controls.values())
    monkeypatch.setenv("VGP_STATIC_BUILD", "1")
    live._ipython_display_()
    assert shown == [live.box]  # nothing more in the static build


def _slider():
    return {"scale": ipywidgets.FloatSlider(value=1.0)}


@pytest.mark.parametrize(
    "kwargs, error, param",
    [
        ({"controls": [ipywidgets.FloatSlider()]}, TypeError, "controls"),
        ({"controls": {"scale": 1.0}}, TypeError, "controls"),
        ({"controls": {}}, TypeError, "controls"),
        ({"compute": None}, TypeError, "compute"),
        ({"draw": "plot"}, TypeError, "draw"),
        ({"describe": "text"}, TypeError, "describe"),
        ({"height": 0.5}, ValueError, "height"),
        ({"height": 13.0}, ValueError, "height"),
        ({"height": True}, TypeError, "height"),
        ({"reuse": "yes"}, TypeError, "reuse"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, error, param):
    args = {"controls": _slider(), "compute": lambda scale: scale, "draw": lambda fig, r: None}
    args.update(kwargs)
    controls, compute, draw = args.pop("controls"), args.pop("compute"), args.pop("draw")
    with pytest.raises(error, match=rf"\b{param}\b"):
        LiveFigure(controls, compute, draw, **args)
