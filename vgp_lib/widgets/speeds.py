"""Live widget of learning speeds: ‖δ^l‖ per hidden layer at initialisation."""

from __future__ import annotations

from functools import partial

import numpy as np

from .._validate import check_choice, check_int, check_labelled, check_sequence
from ..network import HIDDEN_ACTIVATIONS, NETWORK_INITS
from ..plots.speeds import plot_speed_profile
from ..plots.style import reuse_panels
from ..speeds import speed_profile
from . import LiveFigure

#: Seeds the widget averages over (few, so a redraw stays well under 100 ms).
WIDGET_SEEDS = (0, 1, 2)


def _draw(fig, result):
    # fixed margins instead of a layout engine, which would double the redraw time
    fig.set_layout_engine("none")
    plot_speed_profile(
        result, reuse_panels(fig, "speed-explorer", lambda f: f.add_axes((0.11, 0.15, 0.86, 0.8)))
    )


def _describe(result) -> str:
    med = result.median()
    if med.size < 2 or med[0] == 0:
        return f"{med.size} hidden layer(s); median speed of layer 1: {med[0]:.3g}."
    return (
        f"The last hidden layer learns {med[-1] / med[0]:.3g}&times; as fast as the first "
        f"(median over {len(result.seeds)} seeds)."
    )


def speed_explorer(
    x,
    y,
    *,
    hidden_layers: int = 4,
    width: int = 30,
    activation: str = "sigmoid",
    init: str = "nielsen",
    seeds=WIDGET_SEEDS,
) -> LiveFigure:
    """Controls for depth (1–8), width, activation and initialisation -> ‖δ^l‖ bars on ``x, y``."""
    import ipywidgets as widgets

    x, y = check_labelled("x", x, "y", y, n_classes=10)  # arrays (no copy: x may be all MNIST)
    if np.abs(x).max() > np.finfo(np.float32).max:  # the widget computes in float32
        raise ValueError("x must hold values within float32's range (about ±3.4e38)")
    hidden_layers = check_int("hidden_layers", hidden_layers, lo=1, hi=8)
    width = check_int("width", width, lo=10, hi=100)
    activation = check_choice("activation", activation, HIDDEN_ACTIVATIONS)
    init = check_choice("init", init, NETWORK_INITS)
    seeds = check_sequence("seeds", seeds, what="integer seeds", max_len=10)  # length first
    seeds = tuple(check_int("seeds", s, lo=0, hi=2**32 - 1) for s in seeds)
    controls = {
        "hidden_layers": widgets.IntSlider(
            value=hidden_layers, min=1, max=8, description="hidden layers"
        ),
        "width": widgets.IntSlider(value=width, min=10, max=100, step=10, description="width"),
        "activation": widgets.Dropdown(
            options=list(HIDDEN_ACTIVATIONS), value=activation, description="activation"
        ),
        "init": widgets.Dropdown(options=list(NETWORK_INITS), value=init, description="init"),
    }
    # float32 halves the live compute; the chapter's tables use float64
    compute = partial(speed_profile, x, y, seed=seeds, dtype=np.float32)
    return LiveFigure(controls, compute, _draw, describe=_describe, height=3.4, reuse=True)
