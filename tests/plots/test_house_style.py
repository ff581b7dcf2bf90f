"""Every figure of the plot modules meets the house style.

Every public plot function runs inside the style sheet (``@styled``) and sets no font
size of its own; ``png_bytes`` refuses a figure with text under 9 pt or a legend over
data, so rendering each figure a chapter draws is the check. Inputs cover the cases the
chapters and their sliders reach: exact zeros on a log axis, float32 overflow, |w| < 4,
curves leaving the axes, MNIST-shaped data. A plot given the wrong result object raises a
TypeError naming the parameter.
"""

import importlib
import inspect
import re

import numpy as np
import pytest

from vgp_lib import (
    activations,
    balance,
    bound,
    chain,
    circuits,
    identity,
    jacobian,
    meanfield,
    network,
    precision,
    profiles,
    recurrent,
    speeds,
)
from vgp_lib.plots import activations as pactivations
from vgp_lib.plots import balance as pbalance
from vgp_lib.plots import bound as pbound
from vgp_lib.plots import chain as pchain
from vgp_lib.plots import circuits as pcircuits
from vgp_lib.plots import clipping as pclipping
from vgp_lib.plots import figure
from vgp_lib.plots import identity as pidentity
from vgp_lib.plots import jacobian as pjacobian
from vgp_lib.plots import monitor as mplots
from vgp_lib.plots import network as pnetwork
from vgp_lib.plots import precision as pprecision
from vgp_lib.plots import profiles as pprofiles
from vgp_lib.plots import recurrent as precurrent
from vgp_lib.plots import speeds as pspeeds
from vgp_lib.plots.display import png_bytes
from vgp_lib.plots.legibility import covered_data, smallest_text_pt
from vgp_lib.plots.style import COLUMN_PX, MIN_TEXT_PT, blank_figure, house_style

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
        "jacobian",
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


def _render(fig):
    data, width = png_bytes(fig)  # raises on small text or a legend over data
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and width == COLUMN_PX
    assert smallest_text_pt(fig) >= MIN_TEXT_PT


@pytest.fixture(scope="module")
def study():
    return balance.balance_study(
        ("sigmoid", "tanh", "relu", "identity"), depth=12, n_chains=60, seed=0
    )


def test_chain_figures():
    z = np.linspace(-8, 8, 401)
    fig, ax = figure()
    assert pactivations.plot_activation_derivative(z, activations.sigmoid_prime(z), ax) is ax
    _render(fig)
    fig, ax = figure()
    pchain.plot_routes(chain.three_routes(chain.constant_chain(20, w=0.17, b=0.0, a0=1.0)), ax)
    assert any("exactly 0" in t.get_text() for t in ax.get_legend().get_texts())
    _render(fig)
    fig, ax = figure()
    pbalance.plot_ratio_histogram(balance.layer_ratios(500, seed=0, depth=4, lower=1, upper=3), ax)
    _render(fig)


@pytest.mark.parametrize("scale", [0.1, 1.0, 100.0])
def test_chain_profile_panels(scale):
    r = chain.chain_profile(20, scale, 0.0, "sigmoid", seed=0)
    fig, axes = figure(1, 2)
    pchain.plot_factors(r, axes[0])
    pchain.plot_bias_gradients(r, axes[1])
    _render(fig)


@pytest.mark.parametrize("w, depth", [(100.0, 40), (1.0, 30), (150.0, 30)])
def test_precision_growth_marks_every_overflow(w, depth):
    c = chain.aligned_chain(depth, w=w)
    results = [precision.grad_b_in_dtype(c, "float32"), precision.grad_b_in_dtype(c, "float64")]
    fig, ax = figure()
    pprecision.plot_precision_growth(results, ax, title="a title")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    if results[0].any_overflow:
        assert any("inf" in label for label in labels)
    assert ax.get_legend().get_title().get_text() == "a title"
    _render(fig)


def test_circuit_figures():
    fig, ax = figure()
    pcircuits.plot_gate_counts(circuits.gate_counts(range(1, 17)), ax, highlight=16)
    _render(fig)
    for n in (1, 12):
        axes = pcircuits.plot_circuit_shape(circuits.two_layer_parity(n), circuits.deep_parity(n))
        _render(axes[0].figure)


@pytest.mark.parametrize("w", [2.0, 8.0, 25.0])
def test_factor_interval_and_width(w):
    fig, axes = figure(1, 2)
    pbound.plot_factor_interval(bound.factor_interval(w, -w / 2), axes[0])
    pbound.plot_width_curve(bound.width_curve(30.0), axes[1], highlight=w)
    _render(fig)


def test_identity_and_balance_figures(study):
    fig, ax = figure()
    pidentity.plot_identity_error(identity.error_curve(1e-7, 4.0, n=30), ax)
    _render(fig)
    for draw in (pbalance.plot_balance, pbalance.plot_balance_spread):
        fig, ax = figure()
        draw(study, ax)
        _render(fig)
    fig, ax = figure()
    pbalance.plot_ratio_spread(study, "identity", ax)
    _render(fig)


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


def test_wide_network_figures_pass_the_house_checks():
    """The chapter's figures, and the extremes its slider and explorer reach: chi far from 1,
    a single result, spreads of exactly 0 (one singular value) and ReLU's numerical zeros."""
    grid = meanfield.phase_grid("tanh", np.linspace(0.5, 4.0, 12), np.linspace(0.0, 0.5, 6))
    seen = jacobian.measured_phase("tanh", [0.8, 3.0], [0.05, 0.4], width=30, depth=50, seed=0)
    flows = [
        jacobian.gradient_flow(
            activation=a, sigma_w2=w, sigma_b2=b, width=30, depth=30, n_seeds=3, seed=0
        )
        for a, w, b in (("sigmoid", 1.0, 1.0), ("tanh", 4.0, 0.0), ("relu", 2.0, 0.0))
    ]
    spectra = [
        jacobian.spectrum(
            activation=a, sigma_w2=w, sigma_b2=0.0, width=n, depths=(1, 30), weights=k, seed=0
        )
        for a, w, n in (("tanh", 1.0, 30), ("relu", 2.0, 30), ("tanh", 4.0, 1))
        for k in ("gaussian", "orthogonal")
    ]
    for draw in (
        lambda ax: pjacobian.plot_phase_diagram(grid, seen, ax),
        lambda ax: pjacobian.plot_phase_diagram(grid, None, ax),
        lambda ax: pjacobian.plot_multipliers(flows, ax),
        lambda ax: pjacobian.plot_multipliers(flows[:1], ax),
        lambda ax: pjacobian.plot_gradient_norms(flows[1], ax),
        lambda ax: pjacobian.plot_gradient_norms(flows[2], ax),
        lambda ax: pjacobian.plot_spread(spectra, ax),
    ):
        fig, ax = figure(height=3.8)
        assert draw(ax) is ax and ax.has_data()
        _render(fig)
    for n in (1, 2, 4, 6):
        axes = pjacobian.plot_spectra(spectra[:n])
        _render(axes[0].figure)
    for item in pjacobian.spectrum_frames(spectra[:4]):
        with house_style():
            fig = blank_figure(3.4)
            pjacobian.draw_spectrum_frame(fig, item)
        _render(fig)


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
