"""The figures of the chain, exploding, circuits and unstable chapters meet the house style.

Each plot function draws the kind of result its chapter gives it; ``png_bytes``
refuses a figure with text under 9 pt or a legend over data, so rendering it is
the check. Inputs cover the cases the chapters and their sliders reach: exact
zeros on a log axis, float32 overflow, |w| < 4, curves leaving the axes.
"""

import numpy as np
import pytest

from vgp_lib import activations, balance, bound, chain, circuits, identity, precision
from vgp_lib.plots import activations as pactivations
from vgp_lib.plots import balance as pbalance
from vgp_lib.plots import bound as pbound
from vgp_lib.plots import chain as pchain
from vgp_lib.plots import circuits as pcircuits
from vgp_lib.plots import figure
from vgp_lib.plots import identity as pidentity
from vgp_lib.plots import precision as pprecision
from vgp_lib.plots.style import MIN_TEXT_PT, png_bytes, smallest_text_pt


def _render(fig):
    data, width = png_bytes(fig)  # raises on small text or a legend over data
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and width == 688
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
