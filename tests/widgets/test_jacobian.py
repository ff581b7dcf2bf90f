"""The Jacobian explorer, driven headless: every control recomputes the network it describes,
the extremes raise nothing, and an update computes once and draws once."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.plotcheck import _extremes
from vgp_lib import jacobian
from vgp_lib.widgets.jacobian import jacobian_explorer


@pytest.fixture(autouse=True)
def _close_figures(monkeypatch):
    monkeypatch.delenv("VGP_STATIC_BUILD", raising=False)
    yield
    plt.close("all")


def _setting(spectrum):
    c = spectrum.config
    return c["activation"], c["sigma_w2"], c["sigma_b2"], c["weights"], max(spectrum.depths)


def test_the_explorer_draws_the_compute_calls_results():
    w = jacobian_explorer(activation="tanh", sigma_w=1.0, sigma_b=0.05, depth=12, width=40)
    sp, flow = w.result
    setting = dict(activation="tanh", sigma_w2=1.0, sigma_b2=0.05**2, width=40, seed=0)
    same = jacobian.spectrum(depths=(12,), weights="orthogonal", **setting)
    np.testing.assert_array_equal(sp.singular_values[0], same.singular_values[0])
    again = jacobian.gradient_flow(depth=12, weights="orthogonal", n_seeds=3, **setting)
    np.testing.assert_array_equal(flow.norms, again.norms)
    assert f"{flow.predicted_chi:.3g} predicted" in w.text.value
    assert f"depth 12: {sp.spread[-1]:.3g}" in w.text.value


def test_every_control_recomputes():
    w = jacobian_explorer(depth=10, width=30)
    assert _setting(w.result[0]) == ("tanh", 1.0, 0.05**2, "orthogonal", 10)
    w.controls["depth"].value = 20
    assert w.result[1].norms.shape == (3, 20) and _setting(w.result[0])[-1] == 20
    w.controls["weights"].value = "gaussian"
    assert w.result[0].config["weights"] == "gaussian"
    w.controls["sigma_w"].value = 1.5
    assert w.result[0].config["sigma_w2"] == pytest.approx(2.25)
    before = w.result[1].predicted_chi
    w.controls["sigma_b"].value = 0.5
    assert w.result[0].config["sigma_b2"] == pytest.approx(0.25)
    assert w.result[1].predicted_chi != before
    w.controls["activation"].value = "sigmoid"
    assert w.result[1].config["activation"] == "sigmoid" and w.result[1].predicted_chi < 1
    assert len(w.seconds) == 6


def test_the_explorer_extremes_raise_nothing():
    w = jacobian_explorer(depth=10, width=30)
    for name, value in _extremes(w):
        sp, flow = w.result
        assert np.isfinite(flow.norms).all() and np.isfinite(sp.spread).all(), (name, value)
        assert np.isfinite(flow.measured_chi) and flow.measured_chi > 0, (name, value)
    w.controls["activation"].value = "relu"  # beyond He's sigma_w^2 = 2: no fixed point
    w.controls["sigma_w"].value = 2.5
    w.controls["sigma_b"].value = 0.5
    assert w.result[1].predicted_chi == pytest.approx(2.5**2 / 2)
    assert "gradients explode" in w.text.value


def test_a_setting_the_compute_call_refuses_shows_its_reason(monkeypatch):
    w = jacobian_explorer(depth=10, width=30)

    def refuse(**setting):
        raise ValueError("the gradient vanished to exactly 0: choose a larger sigma_w2 or depth")

    monkeypatch.setattr(jacobian, "gradient_flow", refuse)
    w.controls["depth"].value = 20
    assert w.result.startswith("No network to draw: the gradient vanished")
    assert "vanished to exactly 0" in w.text.value and w.image.value[:4] == b"\x89PNG"
    monkeypatch.undo()
    w.controls["depth"].value = 30  # a setting it accepts: drawn again
    assert w.result[1].norms.shape == (3, 30)


def test_an_update_computes_once_and_draws_once(monkeypatch):
    """At the default width (100) and the deepest setting, a step runs each compute call once
    and draws the figure once, on the axes it drew on before (its speed: ``make bench``)."""
    from matplotlib.figure import Figure

    w = jacobian_explorer()
    axes = list(w.figure.axes)
    calls, draws = [], []
    for name in ("spectrum", "gradient_flow"):
        real = getattr(jacobian, name)
        monkeypatch.setattr(
            jacobian, name, lambda real=real, name=name, **kw: calls.append(name) or real(**kw)
        )
    real_draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, r: draws.append(fig) or real_draw(fig, r))
    for control, value in (("depth", 3), ("depth", 50), ("depth", 100), ("weights", "gaussian")):
        calls.clear()
        draws.clear()
        w.controls[control].value = value
        assert calls == ["spectrum", "gradient_flow"] and draws == [w.figure]
        assert w.figure.axes == axes
    assert len(w.seconds) == len(w.render_seconds) == 5


@pytest.mark.parametrize(
    "name, value",
    [
        ("activation", "gelu"),
        ("sigma_w", 3.0),
        ("sigma_b", -0.1),
        ("depth", 2),
        ("depth", 101),
        ("weights", "uniform"),
        ("width", 1),
    ],
)
def test_bad_start_values_raise_naming_the_parameter(name, value):
    with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
        jacobian_explorer(**{name: value})
