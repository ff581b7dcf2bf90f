"""Widget for the chapter *Why depth?*: n bits -> gate counts of both circuits."""

from __future__ import annotations

from .. import circuits
from .._validate import check_int
from ..plots.circuits import plot_circuit_shape, plot_gate_counts
from ..plots.style import reuse_panels
from . import LiveFigure


def _compute(n: int, counts, checked: dict) -> dict:
    """Both circuits for ``n`` bits; ``checked`` is whether both equal parity on every input
    (``checked[n]`` once known: None until then, see :func:`_verified`)."""
    shallow, deep = circuits.two_layer_parity(n), circuits.deep_parity(n)
    return {
        "n": n,
        "counts": counts,
        "shallow": shallow,
        "deep": deep,
        "checked": checked.get(n) if n <= circuits.MAX_VERIFY_BITS else False,
    }


def _verified(result: dict, checked: dict) -> dict:
    """``result`` with its circuits checked on all 2^n inputs (each n once: ``checked``)."""
    n = result["n"]
    if result["checked"] is None:
        if n not in checked:
            checked[n] = circuits.verify_parity(result["shallow"]) and circuits.verify_parity(
                result["deep"]
            )
        result = {**result, "checked": checked[n]}
    return result


def _panels(fig):
    grid = fig.add_gridspec(2, 2)  # one grid, so the figure's layout places all three axes
    return fig.add_subplot(grid[0, :]), fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])


def _draw(fig, r):
    counts, *shapes = reuse_panels(fig, "gate-count-explorer", _panels)
    plot_gate_counts(r["counts"], counts, highlight=r["n"])
    plot_circuit_shape(r["shallow"], r["deep"], shapes)


def _describe(r) -> str:
    if r["n"] > circuits.MAX_VERIFY_BITS:
        return f"n = {r['n']}: too many inputs to check all 2<sup>n</sup> of them here."
    if r["checked"] is None:
        return f"Checking all 2<sup>{r['n']}</sup> = {2 ** r['n']:,} inputs&hellip;"
    status = "both equal parity" if r["checked"] else "MISMATCH with parity"
    return f"Checked on all 2<sup>{r['n']}</sup> = {2 ** r['n']:,} inputs: {status}."


def gate_count_explorer(n: int = 8, n_max: int = 16) -> LiveFigure:
    """Slider for the number of input bits; plots both circuits' gate counts and shapes.

    The figure answers first; the check of both circuits on all :math:`2^n` inputs (over a
    second for the 32,769 gates at 16 bits) follows and fills in the line under it, once
    for each n.
    """
    import ipywidgets as widgets

    n_max = check_int("n_max", n_max, lo=1, hi=circuits.MAX_BUILD_BITS)
    n = check_int("n", n, lo=1, hi=n_max)
    controls = {
        "n": widgets.IntSlider(value=n, min=1, max=n_max, description="input bits n"),
    }
    counts = circuits.gate_counts(range(1, n_max + 1))  # the same for every n
    checked = {}  # n -> both circuits equal parity on all 2^n inputs

    live = LiveFigure(
        controls,
        lambda n: _compute(n, counts, checked),
        _draw,
        describe=_describe,
        height=6.4,
        reuse=True,
    )

    def check(change=None):  # after the figure is drawn (observers run in order)
        live.result = _verified(live.result, checked)
        live.text.value = _describe(live.result)

    controls["n"].observe(check, names="value")
    check()
    return live
