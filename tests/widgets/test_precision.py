"""The exploding-gradient explorer, driven headless: moving a control recomputes the result."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.plotcheck import _extremes
from vgp_lib.widgets.precision import precision_explorer


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_exploding_explorer_shows_overflow_and_alignment():
    w = precision_explorer(w=100.0, depth=20, align=True, dtype="float32")
    assert not w.result.any_overflow
    w.controls["depth"].value = 40
    assert w.result.any_overflow and "overflowed" in w.text.value
    w.controls["dtype"].value = "float64"
    assert not w.result.any_overflow
    w.controls["align"].value = False
    assert w.result.log10_exact[0] < 0  # unaligned: vanishing instead
    before = w.result
    w.controls["w"].value = 4.0
    assert not np.allclose(w.result.log10_exact, before.log10_exact)


def test_exploding_explorer_extremes_raise_nothing():
    w = precision_explorer()
    for name, value in _extremes(w):
        assert np.isfinite(w.result.log10_exact).any(), (name, value)
