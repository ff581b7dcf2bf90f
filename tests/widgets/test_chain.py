"""The gradient-chain explorer, driven headless: moving a control recomputes the result."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.plotcheck import _extremes
from vgp_lib import chain
from vgp_lib.widgets.chain import chain_explorer


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


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
