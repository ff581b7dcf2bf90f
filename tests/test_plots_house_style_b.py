"""The plot modules draw in the house style.

Every public plot function runs inside the style sheet (``@styled``), sets no font
size of its own, and its figure passes :func:`vgp_lib.plots.style.png_bytes`, which
refuses text under 9 pt and legends over data.
"""

import importlib
import inspect
import re

import numpy as np
import pytest

from vgp_lib import activations, network, profiles, recurrent, speeds
from vgp_lib.plots import activations as pactivations
from vgp_lib.plots import clipping as pclipping
from vgp_lib.plots import figure
from vgp_lib.plots import monitor as mplots
from vgp_lib.plots import network as pnetwork
from vgp_lib.plots import profiles as pprofiles
from vgp_lib.plots import recurrent as precurrent
from vgp_lib.plots import speeds as pspeeds
from vgp_lib.plots.style import covered_data, png_bytes, smallest_text_pt

MODULES = tuple(
    importlib.import_module(f"vgp_lib.plots.{name}")
    for name in (
        "activations",
        "balance",
        "bound",
        "chain",
        "circuits",
        "clipping",
        "identity",
        "monitor",
        "network",
        "precision",
        "profiles",
        "recurrent",
        "speeds",
        "training",
    )
)


def _plot_functions(module):
    return [
        (name, fn)
        for name, fn in vars(module).items()
        if name.startswith("plot_")
        and callable(fn)
        and getattr(fn, "__module__", "") == module.__name__
    ]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_plot_function_is_styled_and_sets_no_font_size(module):
    functions = _plot_functions(module)
    assert functions
    for name, fn in functions:
        assert hasattr(fn, "__wrapped__"), f"{module.__name__}.{name} is not decorated with @styled"
    assert not re.search(r"fontsize\s*=", inspect.getsource(module)), (
        "the style sheet sets the font sizes"
    )


@pytest.fixture(scope="module")
def digits():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (60, 784)).astype(np.float64) / 256
    return x, rng.integers(0, 10, 60)


def _mnist_figures(x, y):
    depth = network.depth_experiment(
        (x[:40], y[:40]),
        (x[40:], y[40:]),
        hidden_layers=(1, 2),
        epochs=3,
        seeds=(0, 1, 2),
        show_progress=False,
    )
    at_init = speeds.speeds_at_init(x, y, hidden_layers=(2, 3), seeds=range(3))
    during = speeds.speeds_during_training(
        x, y, hidden_layers=3, steps=5, seeds=(0, 1), show_progress=False
    )
    book = [[0.07, 0.31], [0.012, 0.060, 0.283]]
    draws = [
        lambda ax: pnetwork.plot_depth_accuracy(depth, ax, book=[96.5, 96.9]),
        lambda ax: pnetwork.plot_accuracy_curves(depth, ax, from_epoch=2),
        lambda ax: pspeeds.plot_neuron_gradients(
            speeds.neuron_gradients(x, y, sizes=(784, 8, 8, 10)), ax
        ),
        lambda ax: pspeeds.plot_init_speeds(at_init, ax, book=book),
        lambda ax: pspeeds.plot_training_speeds(during, ax),
        lambda ax: pspeeds.plot_speed_profile(
            speeds.speed_profile(x, y, hidden_layers=3, seed=(0, 1)), ax
        ),
    ]
    return draws, depth


def test_mnist_figures_pass_the_house_checks(digits):
    draws, _ = _mnist_figures(*digits)
    for draw in draws:
        fig, ax = figure(height=3.4)
        assert draw(ax) is ax and ax.has_data()
        png_bytes(fig)  # raises on small text or a legend over data


def test_accuracy_axis_zooms_to_the_epochs_drawn(digits):
    _, depth = _mnist_figures(*digits)
    _fig, ax = figure(height=3.4)
    pnetwork.plot_accuracy_curves(depth, ax, from_epoch=2)
    drawn = np.concatenate([100 * acc[:, 1:].ravel() for acc in depth.accuracy])
    lo, hi = ax.get_ylim()
    assert lo <= drawn.min() and drawn.max() <= hi
    assert hi - lo <= 1.2 * (drawn.max() - drawn.min()) + 0.2
    with pytest.raises(ValueError, match="from_epoch"):
        pnetwork.plot_accuracy_curves(depth, ax, from_epoch=0)


def test_depth_figure_legend_leaves_every_seed_visible(digits):
    _, depth = _mnist_figures(*digits)
    fig, ax = figure(height=3.4)
    pnetwork.plot_depth_accuracy(depth, ax, book=[96.5, 96.9])
    assert covered_data(fig) == []
    assert smallest_text_pt(fig) >= 9


def test_remedies_and_monitor_figures_pass_the_house_checks():
    from vgp_lib.models import build_mlp
    from vgp_lib.monitor import train_watched

    comp = profiles.activation_comparison(("sigmoid", "relu"), n_seeds=3, seed=0, sizes=(5, 4, 3))
    profs = [
        profiles.gradient_profile(depth=3, seed=0),
        profiles.gradient_profile(depth=3, activation="relu", seed=0),
    ]
    cells = [recurrent.gradient_through_time(c, hidden=4, steps=6, seed=0) for c in ("rnn", "gru")]
    single = [
        lambda ax: pprofiles.plot_activation_comparison(
            comp, ax, book={"sigmoid": 0.004324, "relu": 0.118170}
        ),
        lambda ax: pactivations.plot_derivatives(activations.derivative_curves(), ax),
        lambda ax: pprofiles.plot_gradient_profiles(profs, ax),
        lambda ax: precurrent.plot_time_gradients(cells, ax),
        lambda ax: pclipping.plot_clipping(np.array([3.0, 4.0]), np.array([0.6, 0.8]), ax),
        lambda ax: pprofiles.plot_depth_sweep({"x": profs}, ax),
    ]
    for draw in single:
        fig, ax = figure(height=3.4)
        assert draw(ax) is ax and ax.has_data()
        png_bytes(fig)
    axes = pprofiles.plot_variance_profiles(
        [
            profiles.init_variance("relu", "he", depth=3, width=8, seed=0),
            profiles.init_variance("tanh", "xavier", gain=1.5, depth=3, width=8, seed=0),
        ]
    )
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert "tanh, xavier × 1.5" in labels and "ReLU, he" in labels  # the gain is named, not hidden
    png_bytes(axes[0].figure)
    with pytest.raises(ValueError, match="book"):
        pprofiles.plot_activation_comparison(comp, book={"tanh": 0.1})

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 4)), rng.integers(0, 2, 40)
    trace = train_watched(
        build_mlp(n_in=4, width=5, n_out=2, depth=3, seed=0),
        x,
        y,
        epochs=1,
        batch_size=10,
        lr=0.1,
        seed=0,
    )
    for draw in (
        lambda ax: mplots.plot_gradient_record(trace.record, ax),
        lambda ax: mplots.plot_norm_history(trace.record, ax),
    ):
        fig, ax = figure(height=3.4)
        draw(ax)
        png_bytes(fig)
    axes = mplots.plot_training_trace(trace, label="broken")
    mplots.plot_training_trace(trace, axes, label="fixed")
    png_bytes(axes[0].figure)


def _first_parameter(fn):
    return next(iter(inspect.signature(fn).parameters))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_a_wrong_result_object_raises_a_type_error_naming_the_parameter(module):
    """Not an AttributeError from deep inside matplotlib: the plot names what it needs."""
    from vgp_lib.circuits import gate_counts

    wrong = gate_counts([2, 3])  # a real result, of a class no plot here but plot_gate_counts takes
    for name, fn in _plot_functions(module):
        if name in ("plot_gate_counts", "plot_activation_derivative", "plot_clipping"):
            continue  # takes a GateCounts / takes arrays
        param = _first_parameter(fn.__wrapped__)
        with pytest.raises(TypeError, match=rf"\b{param}\b"):
            fn(wrong, wrong)  # the result is checked first, before a second result or the axes
    profile = speeds.speed_profile(
        np.ones((4, 6)), np.zeros(4, int), hidden_layers=1, width=3, seed=(0,)
    )
    for bad in ("ax", 3):
        with pytest.raises(TypeError, match=r"\bax\b"):
            pspeeds.plot_speed_profile(profile, bad)
