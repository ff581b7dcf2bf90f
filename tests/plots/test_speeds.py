"""What :mod:`vgp_lib.plots.speeds` draws and tabulates is the speed results' data (on the
first MNIST images): neuron gradients, speeds at initialisation and in training, the speed
profile; a changed result changes the drawing and the table.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import dataclasses

import numpy as np
import pytest

from tests.plotcheck import (
    _bar_x,
    _bars,
    _labelled,
    _legend_labels,
    _render,
    _scaled,
    _xy,
    gradient_profiles,
    mnist_digits,
)
from vgp_lib import speeds
from vgp_lib.plots import figure
from vgp_lib.plots import profiles as pprofiles
from vgp_lib.plots import speeds as pspeeds


@pytest.fixture(scope="module")
def digits():
    """The first 120 training and 40 validation images of MNIST."""
    return mnist_digits()


@pytest.fixture(scope="module")
def at_init(digits):
    (x, y), _ = digits
    return speeds.speeds_at_init(x[:40], y[:40], hidden_layers=(2, 3), width=8, seeds=range(4))


BOOK_SPEEDS = [[0.07, 0.31], [0.012, 0.060, 0.283]]


def test_neuron_gradient_bars_are_the_gradients(digits):
    (x, y), _ = digits
    ng = speeds.neuron_gradients(x[:30], y[:30], sizes=(784, 8, 8, 10), n_neurons=5)
    fig, ax = figure()
    pspeeds.plot_neuron_gradients(ng, ax)
    heights = _bars(ax)
    assert len(heights) == len(ng.gradients) == 2
    for k, (h, g) in enumerate(zip(heights, ng.gradients)):
        np.testing.assert_allclose(h, np.abs(g))
        np.testing.assert_allclose(_bar_x(ax, k), np.arange(1, 6) + (k - 0.5) * 0.4)
    assert _legend_labels(ax) == ["hidden layer 1", "hidden layer 2"]
    _render(fig)


def test_init_speeds_draw_median_and_quartiles_per_depth(at_init):
    fig, ax = figure()
    pspeeds.plot_init_speeds(at_init, ax, book=BOOK_SPEEDS)
    assert len(ax.containers) == len(at_init.profiles)
    for container, prof, book in zip(ax.containers, at_init.profiles, BOOK_SPEEDS):
        line, _caps, (segments,) = container.lines
        layers = np.arange(1, prof.speeds.shape[1] + 1)
        np.testing.assert_allclose(_xy(line), (layers, prof.median()))
        lo, hi = prof.quantiles()
        ends = np.array([[s[0][1], s[1][1]] for s in segments.get_segments()])
        np.testing.assert_allclose(ends, np.c_[lo, hi])
        crosses = [
            ln
            for ln in ax.get_lines()
            if ln.get_marker() == "x" and len(ln.get_xdata()) == len(book)
        ]
        assert any(np.allclose(_xy(c)[1], book) for c in crosses)
    assert sorted(_legend_labels(ax)) == [
        "2 hidden layers",
        "3 hidden layers",
        "Nielsen's book (one draw)",
    ]
    assert ax.get_yscale() == "log"
    _render(fig)


def test_init_speed_table_rows_are_the_numbers(at_init):
    rows = [
        [c.strip() for c in row.strip("|").split("|")]
        for row in pspeeds.init_speed_table(at_init, BOOK_SPEEDS).splitlines()[2:]
    ]
    expected = [
        (
            len(p.speeds[0]),
            l,
            p.median()[l],
            p.quantiles()[0][l],
            p.quantiles()[1][l],
            BOOK_SPEEDS[i][l],
        )
        for i, p in enumerate(at_init.profiles)
        for l in range(p.speeds.shape[1])
    ]
    assert len(rows) == len(expected) == 5
    for row, (h, l, med, lo, hi, book) in zip(rows, expected):
        assert row[:2] == [str(h), str(l + 1)]
        assert float(row[2]) == pytest.approx(med, rel=5e-3)
        low, high = (float(v) for v in row[3].split("–"))
        assert low == pytest.approx(lo, rel=5e-3) and high == pytest.approx(hi, rel=5e-3)
        assert float(row[4]) == book


def test_training_speeds_draw_each_seed_and_the_median_per_layer(digits):
    (x, y), _ = digits
    during = speeds.speeds_during_training(
        x[:40], y[:40], hidden_layers=3, width=8, steps=4, seeds=(0, 1), show_progress=False
    )
    fig, ax = figure()
    pspeeds.plot_training_speeds(during, ax)
    medians = _labelled(ax)
    assert [ln.get_label() for ln in medians] == [
        "hidden layer 1",
        "hidden layer 2",
        "hidden layer 3",
    ]
    faint = [ln for ln in ax.get_lines() if ln.get_label().startswith("_")]
    assert len(faint) == 2 * 3  # one per seed and layer
    for l, line in enumerate(medians):
        np.testing.assert_allclose(
            _xy(line), (np.arange(4), np.median(during.speeds[:, :, l], axis=0))
        )
        rows = sorted(tuple(_xy(f)[1]) for f in faint if f.get_color() == line.get_color())
        np.testing.assert_allclose(rows, sorted(tuple(r) for r in during.speeds[:, :, l]))
    assert ax.get_legend().get_title().get_text() == "3 hidden layers"
    _render(fig)


def test_speed_profile_bars_are_medians_and_dots_the_seeds(digits):
    (x, y), _ = digits
    prof = speeds.speed_profile(x[:40], y[:40], hidden_layers=3, width=8, seed=(0, 1, 2))
    fig, ax = figure()
    pspeeds.plot_speed_profile(prof, ax)
    np.testing.assert_allclose(_bars(ax)[0], prof.median())
    (dots,) = ax.get_lines()
    np.testing.assert_allclose(_xy(dots), (np.tile([1, 2, 3], 3), prof.speeds.ravel()))
    assert ax.texts[0].get_text() == "sigmoid, nielsen init, width 8"
    _render(fig)


@pytest.fixture(scope="module")
def profs():
    return gradient_profiles()


def test_a_changed_profile_changes_the_drawing_and_the_table(profs, at_init):
    halved = [_scaled(p, "delta_norm", 0.5) for p in profs]
    _fig, ax = figure()
    pprofiles.plot_gradient_profiles(halved, ax)
    for line, p in zip(_labelled(ax), profs):
        np.testing.assert_allclose(_xy(line)[1], 0.5 * p.delta_norm, rtol=1e-6)

    doubled = dataclasses.replace(
        at_init, profiles=tuple(_scaled(p, "speeds", 2.0) for p in at_init.profiles)
    )
    first = [float(row.split("|")[3]) for row in pspeeds.init_speed_table(at_init).splitlines()[2:]]
    second = [
        float(row.split("|")[3]) for row in pspeeds.init_speed_table(doubled).splitlines()[2:]
    ]
    np.testing.assert_allclose(second, 2 * np.array(first), rtol=5e-3)
