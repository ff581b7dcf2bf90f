"""Widget for the chapter *Why depth?*: n bits -> gate counts of both circuits."""

from __future__ import annotations

from .. import circuits
from .._validate import check_int
from ..plots.circuits import plot_circuit_shape, plot_gate_counts
from . import LiveFigure


def _compute(n: int, n_max: int):
    counts = circuits.gate_counts(range(1, n_max + 1))
    shallow, deep = circuits.two_layer_parity(n), circuits.deep_parity(n)
    checked = (
        n <= circuits.MAX_VERIFY_BITS
        and circuits.verify_parity(shallow)
        and circuits.verify_parity(deep)
    )
    return {"n": n, "counts": counts, "shallow": shallow, "deep": deep, "checked": checked}


def _draw(fig, r):
    grid = fig.add_gridspec(2, 2)  # one grid, so the figure's layout places all three axes
    plot_gate_counts(r["counts"], fig.add_subplot(grid[0, :]), highlight=r["n"])
    shapes = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    plot_circuit_shape(r["shallow"], r["deep"], shapes)


def _describe(r) -> str:
    if r["n"] > circuits.MAX_VERIFY_BITS:
        return f"n = {r['n']}: too many inputs to check all 2<sup>n</sup> of them here."
    status = "both equal parity" if r["checked"] else "MISMATCH with parity"
    return f"Checked on all 2<sup>{r['n']}</sup> = {2 ** r['n']:,} inputs: {status}."


def gate_count_explorer(n: int = 8, n_max: int = 16) -> LiveFigure:
    """Slider for the number of input bits; plots both circuits' gate counts and shapes."""
    import ipywidgets as widgets

    n_max = check_int("n_max", n_max, lo=1, hi=circuits.MAX_BUILD_BITS)
    n = check_int("n", n, lo=1, hi=n_max)
    controls = {
        "n": widgets.IntSlider(value=n, min=1, max=n_max, description="input bits n"),
    }
    return LiveFigure(
        controls,
        lambda n: _compute(n, n_max),
        _draw,
        describe=_describe,
        height=6.4,
    )
