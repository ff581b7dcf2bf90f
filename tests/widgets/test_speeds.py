"""The speed widget, driven headless: every control recomputes the result, at its extremes too."""

from __future__ import annotations

import contextlib
import io

import matplotlib.pyplot as plt
import numpy as np
import pytest

from vgp_lib.speeds import speed_profile
from vgp_lib.widgets.speeds import WIDGET_SEEDS, speed_explorer


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (30, 784)) / 256, rng.integers(0, 10, 30)


def _quiet():
    return contextlib.redirect_stdout(io.StringIO())  # display() outside a notebook prints a repr


def test_each_control_changes_the_result(data):
    with _quiet():
        w = speed_explorer(*data, hidden_layers=3)
        assert w.result.speeds.shape == (len(WIDGET_SEEDS), 3)
        for name, value in [
            ("hidden_layers", 5),
            ("width", 50),
            ("activation", "relu"),
            ("init", "he"),
        ]:
            before = w.result
            w.controls[name].value = value
            assert w.result is not before
            assert not np.array_equal(w.result.speeds[:, :3], before.speeds[:, :3])
    assert w.result.sizes == (784, 50, 50, 50, 50, 50, 10)
    assert w.result.activation == "relu" and w.result.init == "he"
    expected = speed_profile(
        *data,
        hidden_layers=5,
        width=50,
        activation="relu",
        init="he",
        seed=WIDGET_SEEDS,
        dtype=np.float32,
    )
    np.testing.assert_array_equal(w.result.speeds, expected.speeds)
    assert "as fast as the first" in w.text.value


def test_every_control_at_its_extremes(data):
    with _quiet():
        w = speed_explorer(*data)
        for control in w.controls.values():
            options = (
                list(control.options) if hasattr(control, "options") else [control.min, control.max]
            )
            for value in options:
                control.value = value
                assert np.all(np.isfinite(w.result.speeds)) and np.all(w.result.speeds >= 0)
        # deepest and widest at once
        w.controls["hidden_layers"].value = w.controls["hidden_layers"].max
        w.controls["width"].value = w.controls["width"].max
    assert w.result.speeds.shape == (len(WIDGET_SEEDS), 8)
    assert w.controls["hidden_layers"].min == 1 and w.controls["hidden_layers"].max == 8


def test_one_hidden_layer_describes_itself(data):
    with _quiet():
        w = speed_explorer(*data, hidden_layers=1)
    assert "1 hidden layer" in w.text.value


@pytest.mark.parametrize("seeds", [range(10**12), iter(range(10**12)), tuple(range(11))])
def test_too_many_seeds_are_refused_before_they_are_listed(data, seeds):
    with pytest.raises(ValueError, match="seeds must hold between 1 and 10"):
        speed_explorer(*data, seeds=seeds)


def test_tensors_that_require_grad_are_accepted(data):
    torch = pytest.importorskip("torch")
    x = torch.tensor(data[0], requires_grad=True)
    y = torch.tensor(data[1])
    with _quiet():
        w = speed_explorer(x, y, hidden_layers=2)
        expected = speed_explorer(*data, hidden_layers=2)
    np.testing.assert_array_equal(w.result.speeds, expected.result.speeds)
