"""The factor explorer, driven headless: moving a control recomputes the interval and its width."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.plotcheck import _extremes
from vgp_lib import bound
from vgp_lib.widgets.bound import factor_explorer


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_factor_explorer_recomputes_and_reports_the_width():
    w = factor_explorer(w=6.9, b=-3.45)
    r, curve = w.result
    assert abs(r.width - bound.interval_width(6.9)) < 1e-12 and "width" in w.text.value
    w.controls["w"].value = 3.0
    assert w.result[0].endpoints is None and "never reaches 1" in w.text.value
    w.controls["w"].value = 12.0
    before = w.result[0]
    w.controls["b"].value = -6.0
    moved = w.result[0]
    assert not np.allclose(moved.endpoints, before.endpoints) and moved.width == before.width


def test_factor_explorer_extremes_raise_nothing():
    w = factor_explorer()
    for name, value in _extremes(w):
        assert w.result[0].width >= 0, (name, value)
