"""What :mod:`vgp_lib.plots.symmetry` draws is the run's data: every point in its class,
one line per hidden unit where that unit's z is 0 (equal units on top of each other), the
network's decision region, and nothing outside the square."""

import numpy as np
import pytest

from tests.plotcheck import _line, _render, _xy
from vgp_lib import symmetry
from vgp_lib.plots import figure
from vgp_lib.plots.symmetry import plot_symmetry_run, unit_lines


@pytest.fixture(scope="module")
def runs():
    return {s: symmetry.train_from(s, steps=300, seed=0) for s in symmetry.STARTS}


def _unit_segments(ax):
    return [ln for ln in ax.get_lines() if ln.get_label() in ("unit", "_unit")]


def test_points_are_drawn_in_their_class(runs):
    run = runs["random"]
    fig, ax = figure()
    plot_symmetry_run(run, ax)
    inside = run.y > 0.5
    np.testing.assert_array_equal(np.column_stack(_xy(_line(ax, "inside"))), run.x[inside])
    np.testing.assert_array_equal(np.column_stack(_xy(_line(ax, "outside"))), run.x[~inside])
    assert ax.get_xlim() == (-1.0, 1.0) and ax.get_ylim() == (-1.0, 1.0)
    _render(fig)


@pytest.mark.parametrize("start", symmetry.STARTS)
def test_each_unit_line_lies_where_its_weighted_input_is_zero(runs, start):
    run = runs[start]
    fig, ax = figure()
    plot_symmetry_run(run, ax)
    segments = _unit_segments(ax)
    drawn = [seg for seg in unit_lines(run) if len(seg)]
    assert len(segments) == len(drawn)
    for line in segments:
        x, y = _xy(line)
        assert np.all(np.abs(x) <= 1 + 1e-12) and np.all(np.abs(y) <= 1 + 1e-12)
        z = x[:, None] * run.w1[:, 0] + y[:, None] * run.w1[:, 1] + run.b1
        assert np.any(np.all(np.abs(z) < 1e-9, axis=0))  # on some unit's line
    if start == "equal":
        ends = {tuple(np.round(np.column_stack(_xy(s)).ravel(), 12)) for s in segments}
        assert len(ends) <= 1  # all units draw the same line


def test_decision_region_is_where_the_output_exceeds_one_half(runs):
    run = runs["random"]
    fig, ax = figure()
    plot_symmetry_run(run, ax, grid=51)
    (contour,) = [c for c in ax.collections if hasattr(c, "levels")]
    np.testing.assert_allclose(contour.levels, [0.5, 1.0])


def test_draws_on_its_own_axes_and_refuses_other_results():
    run = symmetry.train_from("equal", steps=5, seed=0)
    ax = plot_symmetry_run(run)
    assert ax.figure is not None
    with pytest.raises(TypeError, match="run"):
        plot_symmetry_run("run")
    with pytest.raises(ValueError, match="grid"):
        plot_symmetry_run(run, grid=2)
