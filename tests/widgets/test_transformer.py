"""The warmup explorer, driven headless."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from vgp_lib.widgets.transformer import warmup_explorer  # noqa: E402


@pytest.fixture
def widget(monkeypatch):
    monkeypatch.delenv("VGP_STATIC_BUILD", raising=False)
    return warmup_explorer(layout="post", depth=3, steps=2)


def test_moving_a_control_retrains(widget):
    run = widget.result
    assert (run.layout, run.depth, run.warmup) == ("post", 3, 0)
    assert run.gradient_norms.shape == (3, 3)  # before each of steps 1..3: 2 updates shown
    widget.controls["warmup"].value = True
    assert widget.result.warmup > 0
    widget.controls["layout"].value = "pre"
    assert widget.result.layout == "pre"
    widget.controls["depth"].value = 5
    assert widget.result.gradient_norms.shape[1] == 5
    assert "pre-LN, 5 blocks" in widget.text.value


def test_zero_steps_shows_the_gradient_at_initialisation(widget):
    widget.controls["steps"].value = 0
    run = widget.result
    assert run.loss.size == 1 and np.isfinite(run.gradient_norms).all()
