"""Every widget of the book redraws on the figure it drew before, and the reader sees what a new
figure would show: after each step, its image is byte for byte the PNG that drawing the same
result on a new figure and saving it (``savefig``) gives. Each step draws the figure once, on
the same axes; work that does not depend on a control is done once.
"""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from vgp_lib import circuits
from vgp_lib.plots.style import CSS_PX_PER_IN, RESOLUTION, blank_figure, house_style


@pytest.fixture(autouse=True)
def _live(monkeypatch):
    monkeypatch.delenv("VGP_STATIC_BUILD", raising=False)
    yield
    plt.close("all")


def _circuits():
    from vgp_lib.widgets.circuits import gate_count_explorer

    return gate_count_explorer(n=3, n_max=9), [("n", 4), ("n", 1), ("n", 9), ("n", 3)]


def _chain():
    from vgp_lib.widgets.chain import chain_explorer

    steps = [("depth", 12), ("activation", "relu"), ("bias", -3.0), ("bias", 0.0)]
    steps += [("weight_scale", 50.0), ("depth", 2), ("activation", "sigmoid"), ("seed", 4)]
    return chain_explorer(depth=6), steps


def _exploding():
    from vgp_lib.widgets.precision import precision_explorer

    w = precision_explorer(w=100.0, depth=12)
    return w, [("w", 2.0), ("depth", 40), ("align", False), ("dtype", "float64"), ("w", 150.0)]


def _unstable():
    from vgp_lib.widgets.bound import factor_explorer

    return factor_explorer(w=6.9, b=-3.45, w_max=10.0), [("w", 2.0), ("b", 1.0), ("w", -8.0)]


def _speeds():
    from vgp_lib.widgets.speeds import speed_explorer

    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (30, 784)) / 256, rng.integers(0, 10, 30)
    w = speed_explorer(x, y, hidden_layers=2, seeds=(0, 1))
    return w, [("hidden_layers", 3), ("activation", "relu"), ("init", "he"), ("width", 20)]


def _profiles():
    from vgp_lib.widgets.profiles import architecture_configurator

    w = architecture_configurator(depth=4)
    return w, [("depth", 7), ("activation", "relu"), ("norm", "batch"), ("residual", True)]


def _jacobian():
    from vgp_lib.widgets.jacobian import jacobian_explorer

    w = jacobian_explorer(depth=6, width=20, n_seeds=2)
    # ReLU with sigma_w^2 >= 2 has no network to draw: a message, then panels again
    steps = [("depth", 9), ("activation", "relu"), ("sigma_w", 2.0), ("activation", "tanh")]
    return w, steps + [("weights", "gaussian"), ("sigma_b", 0.5)]


WIDGETS = {
    "circuits": _circuits,
    "chain": _chain,
    "exploding": _exploding,
    "unstable": _unstable,
    "speeds": _speeds,
    "profiles": _profiles,
    "jacobian": _jacobian,
}


def _new_figure_png(live) -> bytes:
    """The result ``live`` shows, drawn on a new figure and saved as a widget used to save it."""
    with house_style():
        fig = blank_figure(live.height)
        live.draw(fig, live.result)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=CSS_PX_PER_IN * RESOLUTION)
    return buffer.getvalue()


@pytest.mark.parametrize("name", WIDGETS)
def test_each_step_shows_what_a_new_figure_would(name):
    live, steps = WIDGETS[name]()
    assert live.reuse
    assert live.image.value == _new_figure_png(live)
    figure = live.figure
    for control, value in steps:
        before = live.image.value
        live.controls[control].value = value
        assert live.figure is figure  # the same figure, drawn again
        assert live.image.value != before, (control, value)
        assert live.image.value == _new_figure_png(live), (control, value)


@pytest.mark.parametrize("name", ["chain", "profiles", "unstable"])
def test_a_step_keeps_the_axes_and_draws_once(name, monkeypatch):
    live, steps = WIDGETS[name]()
    axes = list(live.figure.axes)
    draws = []
    real = Figure.draw
    monkeypatch.setattr(
        Figure, "draw", lambda fig, renderer: draws.append(fig) or real(fig, renderer)
    )
    for control, value in steps:
        draws.clear()
        live.controls[control].value = value
        assert live.figure.axes == axes  # the same axes objects, emptied and drawn on again
        assert draws == [live.figure]  # laid out, then drawn once (savefig draws twice)


def test_the_circuits_are_counted_once_and_each_check_is_run_once(monkeypatch):
    from vgp_lib.widgets.circuits import gate_count_explorer

    counted, checked = [], []
    real_counts, real_verify = circuits.gate_counts, circuits.verify_parity
    monkeypatch.setattr(circuits, "gate_counts", lambda ns: counted.append(ns) or real_counts(ns))
    monkeypatch.setattr(
        circuits, "verify_parity", lambda c: checked.append(c.n_inputs) or real_verify(c)
    )
    live = gate_count_explorer(n=3, n_max=8)
    texts = []
    live.text.observe(lambda change: texts.append(change["new"]), names="value")
    for n in (5, 3, 5, 8):
        live.controls["n"].value = n
    assert len(counted) == 1  # the counts do not depend on n
    assert checked == [3, 3, 5, 5, 8, 8]  # both circuits for each n, once
    assert live.result["checked"] is True
    # n = 8 for the first time: the figure first, "checking", then what the check found
    assert texts[-2:] == [
        "Checking all 2<sup>8</sup> = 256 inputs&hellip;",
        "Checked on all 2<sup>8</sup> = 256 inputs: both equal parity.",
    ]
