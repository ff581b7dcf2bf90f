"""The architecture configurator, driven headless."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from vgp_lib.widgets.profiles import architecture_configurator  # noqa: E402


@pytest.fixture
def widget(monkeypatch):
    monkeypatch.delenv("VGP_STATIC_BUILD", raising=False)
    return architecture_configurator(depth=6)


def test_moving_a_control_recomputes(widget):
    first = widget.result
    assert first.config["depth"] == 6 and len(first.weight_norm) == 7
    widget.controls["depth"].value = 12
    assert widget.result.config["depth"] == 12 and len(widget.result.weight_norm) == 13
    before = widget.result.ratio
    widget.controls["norm"].value = "batch"
    assert widget.result.config["norm"] == "batch" and widget.result.ratio != before
    widget.controls["residual"].value = True
    assert widget.result.config["residual"] is True
    assert "residual" in widget.text.value


@pytest.mark.parametrize("name", ["depth", "activation", "init", "norm", "residual"])
def test_every_control_at_its_min_and_max_raises_nothing(widget, name):
    control = widget.controls[name]
    if hasattr(control, "min"):
        values = [control.min, control.max]
    elif hasattr(control, "options"):
        values = [control.options[0], control.options[-1]]
    else:
        values = [False, True]
    for value in values:
        control.value = value
        # the profile shown is the one the control asks for, and its norms are finite numbers
        assert widget.result.config[name] == value
        assert np.isfinite(widget.result.delta_norm).all() and (widget.result.delta_norm > 0).all()
        if name == "depth":
            assert len(widget.result.delta_norm) == value + 1  # hidden layers and the head
    assert len(widget.seconds) >= 2
