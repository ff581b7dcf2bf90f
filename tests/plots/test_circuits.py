"""What :mod:`vgp_lib.plots.circuits` draws is the circuits' data: gate counts and the gates
per layer.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np
import pytest

from tests.plotcheck import (
    _labelled,
    _render,
    _xy,
)
from vgp_lib import circuits
from vgp_lib.plots import circuits as pcircuits
from vgp_lib.plots import figure


def test_gate_counts_are_the_two_lines_and_the_highlight():
    counts = circuits.gate_counts(range(1, 9))
    fig, ax = figure()
    pcircuits.plot_gate_counts(counts, ax, highlight=6)
    two, deep = _labelled(ax)
    np.testing.assert_array_equal(_xy(two), (counts.n, counts.two_layer))
    keep = counts.deep > 0
    np.testing.assert_array_equal(_xy(deep), (counts.n[keep], counts.deep[keep]))
    i = int(np.flatnonzero(counts.n == 6)[0])
    rings = [_xy(ln) for ln in ax.get_lines() if ln.get_label().startswith("_")]
    assert sorted(float(y[0]) for _, y in rings) == sorted([counts.two_layer[i], counts.deep[i]])
    assert all(x[0] == 6 for x, _ in rings)
    assert f"{counts.two_layer[i]:,} gates in 2 layers" in ax.get_title()
    assert f"{counts.deep[i]:,} gates in {counts.deep_depth[i]} layers" in ax.get_title()
    _render(fig)


@pytest.mark.parametrize("n", [1, 5])
def test_circuit_shape_bars_are_the_gates_per_layer(n):
    shallow, deep = circuits.two_layer_parity(n), circuits.deep_parity(n)
    fig, axes = figure(1, 2, sharex=True)
    pcircuits.plot_circuit_shape(shallow, deep, axes)
    for ax, circuit in zip(axes, (shallow, deep)):
        widths = np.array([p.get_width() for p in ax.patches])
        np.testing.assert_array_equal(widths, circuit.gates_per_layer)
        np.testing.assert_allclose(
            [p.get_y() + p.get_height() / 2 for p in ax.patches], np.arange(1, circuit.depth + 1)
        )
        assert [t.get_text() for t in ax.texts] == [f"{g:,}" for g in circuit.gates_per_layer]
        assert (
            ax.get_title() == f"{circuit.name}: {circuit.n_gates:,} gates, {circuit.depth} layers"
        )
    _render(fig)


@pytest.mark.parametrize("n", [2, 4, 5])
def test_xor_tree_draws_one_block_per_xor_of_the_deep_circuit(n):
    fig, ax = figure()
    pcircuits.plot_xor_tree(n, ax)
    blocks = [p for p in ax.patches if p.get_gid() == "xor-block"]
    assert len(blocks) == circuits.deep_parity(n).n_gates // 4 == n - 1
    assert sum(t.get_text() == "XOR" for t in ax.texts) == n - 1
    levels = circuits.deep_parity(n).depth // 3
    assert ax.get_title() == f"deep\n{n - 1} XOR blocks in {levels} levels"
    _render(fig)


def test_pieces_are_drawn_in_alternating_colours_with_the_counts_in_the_title():
    pieces = circuits.linear_pieces(circuits.deep_sawtooth(3), 256)
    fig, ax = figure()
    pcircuits.plot_pieces(pieces, ax)
    even, odd = ax.get_lines()
    x, y_even = _xy(even)
    _, y_odd = _xy(odd)
    np.testing.assert_array_equal(x, pieces.x)
    # every point is drawn by exactly one of the two lines, the one of its piece's parity
    np.testing.assert_array_equal(np.isnan(y_even), pieces.piece % 2 == 1)
    np.testing.assert_array_equal(np.where(np.isnan(y_even), y_odd, y_even), pieces.y)
    assert ax.get_title() == "3 layers, 6 units:\n8 pieces"
    _render(fig)
