"""What :mod:`vgp_lib.plots.profiles` draws is the profiles' data: every draw of the
activation comparison, both variances, one line per gradient profile, the depth sweep;
and the remedies' plots draw on their own axes when given none.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.plotcheck import (
    _labelled,
    _legend_labels,
    _line,
    _render,
    _xy,
    gradient_profiles,
)
from vgp_lib import activations, profiles
from vgp_lib.plots import activations as pactivations
from vgp_lib.plots import clipping as pclipping
from vgp_lib.plots import figure
from vgp_lib.plots import profiles as pprofiles


def test_activation_comparison_draws_every_draw_the_boxes_and_the_book():
    comp = profiles.activation_comparison(
        ("sigmoid", "relu"), n_seeds=5, seed=0, sizes=(6, 5, 5, 3), batch=8
    )
    book = {"relu": 0.05}
    fig, ax = figure()
    pprofiles.plot_activation_comparison(comp, ax, book=book)
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "."]
    assert len(dots) == len(comp.names)
    for i, line in enumerate(dots):
        x, y = _xy(line)
        np.testing.assert_allclose(x, np.log10(comp.norms[i]))
        assert np.all(np.abs(y - (i + 1)) <= 0.18)
        median = np.median(np.log10(comp.norms[i]))
        assert any(
            len(ln.get_xdata()) == 2
            and np.allclose(_xy(ln)[0], [median, median])
            and np.isclose(_xy(ln)[1].mean(), i + 1)
            for ln in ax.get_lines()
        ), f"no median of {comp.names[i]}"
    np.testing.assert_allclose(_xy(_line(ax, "published single draw")), ([np.log10(0.05)], [2]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sigmoid", "ReLU"]
    _render(fig)


def test_variance_profiles_draw_both_variances_per_profile():
    profs = [
        profiles.init_variance("relu", "he", depth=4, width=8, batch=16, seed=0),
        profiles.init_variance("tanh", "xavier", gain=1.5, depth=4, width=8, batch=16, seed=0),
    ]
    axes = pprofiles.plot_variance_profiles(profs)
    labels = ["ReLU, he", "tanh, xavier × 1.5"]
    for ax, field in zip(axes, ("act_var", "grad_var")):
        lines = _labelled(ax)
        assert [ln.get_label() for ln in lines] == labels
        for line, p in zip(lines, profs):
            np.testing.assert_allclose(_xy(line), (np.arange(1, 5), getattr(p, field)), rtol=1e-6)
    assert _legend_labels(axes[0]) == labels
    _render(axes[0].figure)


@pytest.fixture(scope="module")
def profs():
    return gradient_profiles()


@pytest.mark.parametrize("kind", ["delta", "weight"])
def test_gradient_profiles_draw_one_line_per_profile(profs, kind):
    fig, ax = figure()
    pprofiles.plot_gradient_profiles(profs, ax, kind=kind)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == [p.label for p in profs] == _legend_labels(ax)
    for line, p in zip(lines, profs):
        norms = p.delta_norm if kind == "delta" else p.weight_norm
        np.testing.assert_allclose(_xy(line), (np.arange(1, len(norms) + 1), norms), rtol=1e-6)
    _render(fig)


def test_depth_sweep_draws_the_ratio_against_depth():
    cfg = {"width": 6, "n_in": 5, "n_classes": 3, "batch": 8, "seed": 0}
    sweeps = {
        "sigmoid": profiles.depth_sweep((1, 3, 5), **cfg),
        "ReLU": profiles.depth_sweep((1, 3, 5), activation="relu", **cfg),
    }
    fig, ax = figure()
    pprofiles.plot_depth_sweep(sweeps, ax)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == list(sweeps) == _legend_labels(ax)
    for line, sweep in zip(lines, sweeps.values()):
        np.testing.assert_allclose(_xy(line), ([1, 3, 5], [p.ratio for p in sweep]), rtol=1e-6)
    _render(fig)


def test_plots_draw_and_return_their_axes():
    pair = [
        profiles.gradient_profile(depth=3, seed=0),
        profiles.gradient_profile(depth=3, activation="relu", seed=0),
    ]
    figs = []
    for draw in (
        lambda: pprofiles.plot_activation_comparison(
            profiles.activation_comparison(n_seeds=2, seed=0, sizes=(5, 4, 3))
        ),
        lambda: pactivations.plot_derivatives(activations.derivative_curves()),
        lambda: pprofiles.plot_variance_profiles(
            [profiles.init_variance("relu", "he", depth=3, width=8, seed=0)]
        )[0],
        lambda: pprofiles.plot_gradient_profiles(pair),
        lambda: pprofiles.plot_depth_sweep({"x": pair}),
        lambda: pclipping.plot_clipping(np.array([3.0, 4.0]), np.array([0.6, 0.8])),
    ):
        ax = draw()
        assert ax.has_data()
        figs.append(ax.figure)
    for f in figs:
        plt.close(f)
    plt.close("all")
    assert math.isfinite(pair[0].ratio)
