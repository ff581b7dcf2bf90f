"""Explorer of the bound on one factor: w and b -> |w sigma'(wa+b)| and its interval.

Controls wired to :func:`vgp_lib.bound.factor_interval` and
:func:`vgp_lib.bound.width_curve`, drawn by
:func:`vgp_lib.plots.bound.draw_factor_and_width`; no maths here.
"""

from __future__ import annotations

from .. import bound
from .._validate import check_real
from ..plots.bound import draw_factor_and_width
from . import LiveFigure


def _describe(pair) -> str:
    r, c = pair
    if r.endpoints is None:
        return f"|w| = {abs(r.w):.3g} &lt; 4: the factor peaks at {r.peak:.3g} and never reaches 1."
    lo, hi = r.endpoints
    return (
        f"Factor &ge; 1 for a in [{lo:.4f}, {hi:.4f}]: width {r.width:.4f} "
        f"(the widest possible is {c.width_max:.4f}, at |w| = {c.w_star:.3f})."
    )


def factor_explorer(w: float = 6.9, b: float = -3.45, w_max: float = 30.0) -> LiveFigure:
    """Sliders for w and b; left: the factor against a with the region >= 1 shaded; right: width
    against |w|.
    """
    import ipywidgets as widgets

    w_max = check_real("w_max", w_max, lo=4.0, hi=100.0)  # the interval needs |w| >= 4
    w = check_real("w", w, lo=-w_max, hi=w_max)
    b = check_real("b", b, lo=-w_max, hi=w_max)
    controls = {
        "w": widgets.FloatSlider(value=w, min=-w_max, max=w_max, step=0.1, description="weight w"),
        "b": widgets.FloatSlider(value=b, min=-w_max, max=w_max, step=0.05, description="bias b"),
    }
    curve = bound.width_curve(w_max)
    return LiveFigure(
        controls,
        lambda w, b: (bound.factor_interval(w, b), curve),
        draw_factor_and_width,
        describe=_describe,
        height=3.8,
        reuse=True,  # draw_factor_and_width reuses its panels
    )
