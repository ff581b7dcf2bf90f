"""Explorer of floating-point precision: a gradient's growth, and where a dtype overflows.

Controls wired to :func:`vgp_lib.precision.exploding_profile` and
:func:`vgp_lib.plots.precision.plot_precision_growth`; no maths here.
"""

from __future__ import annotations

from .. import chain, precision
from .._validate import check_bool, check_choice, check_int, check_real
from ..plots.precision import plot_precision_growth
from ..plots.style import reuse_panels
from . import LiveFigure


def _draw_exploding(fig, r):
    plot_precision_growth(r, reuse_panels(fig, "exploding-explorer", lambda f: f.add_subplot()))


def precision_explorer(
    w: float = 100.0, depth: int = 30, align: bool = True, dtype: str = "float32"
) -> LiveFigure:
    """Weight w, depth, "align biases" and precision -> growth of |dC/db_j| across the layers."""
    import ipywidgets as widgets

    w = check_real("w", w, lo=0.5, hi=200.0)
    depth = check_int("depth", depth, lo=1, hi=250)
    align = check_bool("align", align)
    dtype = check_choice("dtype", dtype, chain.DTYPES)
    controls = {
        "w": widgets.FloatSlider(value=w, min=0.5, max=200.0, step=0.5, description="weight w"),
        "depth": widgets.IntSlider(value=depth, min=1, max=250, description="depth L"),
        "align": widgets.Checkbox(value=align, description="align biases (every z = 0)"),
        "dtype": widgets.Dropdown(options=list(chain.DTYPES), value=dtype, description="precision"),
    }
    return LiveFigure(
        controls,
        precision.exploding_profile,
        _draw_exploding,
        describe=lambda r: r.explain(),
        height=3.6,
        reuse=True,
    )
