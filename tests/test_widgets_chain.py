"""The three gradient-chain explorers, driven headless: moving a control recomputes the result."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from vgp_lib import bound, chain
from vgp_lib.widgets.bound import factor_explorer
from vgp_lib.widgets.chain import chain_explorer
from vgp_lib.widgets.precision import exploding_explorer


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _extremes(widget):
    """Every control at its minimum and maximum (or every option / both states)."""
    for name, control in widget.controls.items():
        start = control.value
        if hasattr(control, "options"):
            values = list(control.options)
        elif isinstance(control.value, bool):
            values = [not start, start]
        else:
            values = [control.min, control.max]
        for v in values:
            control.value = v
            yield name, v
        control.value = start


def test_chain_explorer_recomputes_on_every_control():
    w = chain_explorer(depth=6)
    first = w.result
    np.testing.assert_array_equal(
        first.grad, chain.chain_profile(6, 1.0, 0.0, "sigmoid", seed=0).grad
    )
    w.controls["depth"].value = 12
    assert w.result.grad.shape == (12,)
    before = w.result
    w.controls["weight_scale"].value = 10.0
    assert not np.allclose(w.result.grad, before.grad)
    before = w.result
    w.controls["bias"].value = 2.0
    assert not np.allclose(w.result.grad, before.grad)
    w.controls["activation"].value = "tanh"
    assert w.result.chain.activation == "tanh"
    before = w.result
    w.controls["seed"].value = 3
    assert not np.allclose(w.result.chain.weights, before.chain.weights)
    assert "factors" in w.text.value or "exactly 0" in w.text.value


def test_chain_explorer_extremes_raise_nothing():
    w = chain_explorer()
    for name, value in _extremes(w):
        r = w.result  # the chain drawn is the one the controls describe, its gradient finite
        assert np.isfinite(r.grad).all(), (name, value)
        if name == "depth":
            assert r.chain.depth == value
        elif name == "activation":
            assert r.chain.activation == value


def test_exploding_explorer_shows_overflow_and_alignment():
    w = exploding_explorer(w=100.0, depth=20, align=True, dtype="float32")
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
    w = exploding_explorer()
    for name, value in _extremes(w):
        assert np.isfinite(w.result.log10_exact).any(), (name, value)


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
