"""What :mod:`vgp_lib.plots.network` draws and tabulates is the depth experiment's data
(on the first MNIST images); a changed result changes the drawing and the table.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import dataclasses

import numpy as np
import pytest

from tests.plotcheck import (
    _labelled,
    _legend_labels,
    _line,
    _render,
    _xy,
    balance_study,
    mnist_digits,
)
from vgp_lib import network
from vgp_lib.plots import balance as pbalance
from vgp_lib.plots import figure
from vgp_lib.plots import network as pnetwork
from vgp_lib.stats import percentile_of


@pytest.fixture(scope="module")
def digits():
    """The first 120 training and 40 validation images of MNIST."""
    return mnist_digits()


@pytest.fixture(scope="module")
def depth(digits):
    (x, y), val = digits
    return network.depth_experiment(
        (x[:60], y[:60]),
        val,
        hidden_layers=(1, 2),
        width=8,
        epochs=2,
        seeds=(0, 1, 2),
        show_progress=False,
    )


BOOK_ACCURACY = [96.48, 96.90]


def test_depth_accuracy_draws_every_seed_the_mean_and_sd_and_the_book(depth):
    fig, ax = figure()
    pnetwork.plot_depth_accuracy(depth, ax, book=BOOK_ACCURACY)
    final = 100 * depth.final()
    h = np.array(depth.hidden_layers)
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert len(dots) == len(h)
    for i, line in enumerate(dots):
        np.testing.assert_allclose(_xy(line), (np.full(3, h[i] - 0.08), final[i]))
    (bars,) = ax.containers
    mean_line, _caps, (segments,) = bars.lines
    np.testing.assert_allclose(_xy(mean_line), (h + 0.08, final.mean(axis=1)))
    sd = final.std(axis=1, ddof=1)
    ends = np.array([[s[0][1], s[1][1]] for s in segments.get_segments()])
    np.testing.assert_allclose(ends, np.c_[final.mean(axis=1) - sd, final.mean(axis=1) + sd])
    np.testing.assert_allclose(_xy(_line(ax, "Nielsen's book (one run)")), (h, BOOK_ACCURACY))
    assert sorted(_legend_labels(ax)) == sorted(
        ["one seed (ours)", "mean ± sd over 3 seeds", "Nielsen's book (one run)"]
    )
    _render(fig)


@pytest.mark.parametrize("from_epoch", [1, 2])
def test_accuracy_curves_draw_the_mean_over_seeds_per_depth(depth, from_epoch):
    fig, ax = figure()
    pnetwork.plot_accuracy_curves(depth, ax, from_epoch=from_epoch)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == [f"{h} hidden" for h in depth.hidden_layers]
    assert _legend_labels(ax) == [ln.get_label() for ln in lines]
    epochs = np.arange(from_epoch, depth.epochs + 1)
    for line, acc, band in zip(lines, depth.accuracy, ax.collections):
        pct = 100 * acc[:, from_epoch - 1 :]
        np.testing.assert_allclose(_xy(line), (epochs, pct.mean(axis=0)), rtol=1e-6)
        outline = band.get_paths()[0].vertices[:, 1]
        assert np.isclose(outline.min(), pct.min(), rtol=1e-6) and np.isclose(
            outline.max(), pct.max(), rtol=1e-6
        )
    _render(fig)


def test_depth_table_rows_are_the_numbers(depth):
    table = pnetwork.depth_table(depth, BOOK_ACCURACY)
    rows = [[cell.strip() for cell in row.strip("|").split("|")] for row in table.splitlines()[2:]]
    final = 100 * depth.final()
    assert len(rows) == len(depth.hidden_layers)
    for i, (h, row) in enumerate(zip(depth.hidden_layers, rows)):
        assert row[0] == "[784, " + "30, " * h + "10]"
        mean, sd = (float(v) for v in row[1].split("±"))
        assert mean == pytest.approx(final[i].mean(), abs=0.005)
        assert sd == pytest.approx(final[i].std(ddof=1), abs=0.005)
        np.testing.assert_allclose([float(v) for v in row[2].split(",")], final[i], atol=0.005)
        assert float(row[3]) == BOOK_ACCURACY[i]
        assert float(row[4]) == pytest.approx(percentile_of(BOOK_ACCURACY[i], final[i]), abs=0.5)
    assert "Nielsen" not in pnetwork.depth_table(depth)


@pytest.fixture(scope="module")
def study():
    return balance_study()


def test_a_changed_study_or_depth_result_changes_the_drawing(study, depth):
    # every sigmoid chain's ratio 10^5 times larger: its balanced fraction changes
    shifted = study.log10_ratio.copy()
    shifted[0] += 5.0
    changed = dataclasses.replace(study, log10_ratio=shifted)
    assert not np.array_equal(changed.balanced_fraction[0], study.balanced_fraction[0])
    for s in (study, changed):
        _fig, ax = figure()
        pbalance.plot_balance(s, ax)
        np.testing.assert_allclose(_xy(_labelled(ax)[0])[1], 100 * s.balanced_fraction[0])

    fewer = dataclasses.replace(
        depth, hidden_layers=depth.hidden_layers[:1], accuracy=depth.accuracy[:1]
    )
    _fig, ax = figure()
    pnetwork.plot_accuracy_curves(fewer, ax)
    assert [ln.get_label() for ln in _labelled(ax)] == ["1 hidden"]  # one series, one legend entry
    assert pnetwork.depth_table(fewer).count("\n") == 2
