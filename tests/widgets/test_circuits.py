"""The circuits widget, driven headless: moving the slider recomputes the result."""

import matplotlib.pyplot as plt
import pytest

from vgp_lib.widgets import show_live
from vgp_lib.widgets.circuits import gate_count_explorer


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_moving_the_slider_changes_the_result():
    w = gate_count_explorer(n=4, n_max=10)
    before = w.result
    assert before["shallow"].n_gates == 9 and before["deep"].n_gates == 12
    w.controls["n"].value = 7
    assert w.result is not before
    assert w.result["shallow"].n_gates == 65 and w.result["deep"].n_gates == 24
    assert w.result["checked"]
    assert "128" in w.text.value  # 2**7 inputs checked


def test_every_control_at_its_extremes():
    w = gate_count_explorer(n=3, n_max=12)
    slider = w.controls["n"]
    for value in (slider.min, slider.max):
        slider.value = value
        assert w.result["n"] == value
    assert len(w.seconds) == 3


def test_show_and_the_explorer_refuse_what_they_cannot_take():
    with pytest.raises(TypeError, match=r"\bwidget\b"):
        show_live(object())
    with pytest.raises(ValueError, match=r"\bn_max\b"):
        gate_count_explorer(n=3, n_max=10**9)
    with pytest.raises(ValueError, match=r"\bn\b"):
        gate_count_explorer(n=5, n_max=4)
