"""Explorer of the single-neuron chain: its factors and gradients as controls move.

Controls wired to a compute call from :mod:`vgp_lib.chain` and a draw call
from :mod:`vgp_lib.plots.chain`; no maths here.
"""

from __future__ import annotations

from .. import chain
from .._validate import check_choice, check_int, check_real
from ..activations import ACTIVATIONS
from ..plots.chain import draw_chain_profile
from . import LiveFigure


def _describe_profile(r) -> str:
    g = abs(r.grad)
    if g[-1] == 0 or g[0] == 0:
        return (
            "Some gradient is exactly 0: a factor vanished completely "
            "(a ReLU switched off, or w = 0)."
        )
    return (
        f"|&part;C/&part;b<sub>1</sub>| / |&part;C/&part;b<sub>{r.chain.depth}</sub>| = "
        f"{g[0] / g[-1]:.3g}; {int((abs(r.factors) < 1).sum())} of {r.factors.size} factors are "
        "below 1."
    )


def chain_explorer(
    depth: int = 10, weight_scale: float = 1.0, bias: float = 0.0, activation: str = "sigmoid"
) -> LiveFigure:
    """Depth, weight scale, bias and activation -> each factor as a bar and every |dC/db_j| on a log
    axis.
    """
    import ipywidgets as widgets

    depth = check_int("depth", depth, lo=1, hi=50)
    weight_scale = check_real("weight_scale", weight_scale, lo=0.1, hi=100.0)
    bias = check_real("bias", bias, lo=-5.0, hi=5.0)
    activation = check_choice("activation", activation, ACTIVATIONS)
    controls = {
        "depth": widgets.IntSlider(value=depth, min=1, max=50, description="depth L"),
        "weight_scale": widgets.FloatLogSlider(
            value=weight_scale, base=10, min=-1, max=2, step=0.05, description="weight scale"
        ),
        "bias": widgets.FloatSlider(value=bias, min=-5.0, max=5.0, step=0.1, description="bias b"),
        "activation": widgets.Dropdown(
            options=list(ACTIVATIONS), value=activation, description="activation"
        ),
        "seed": widgets.IntSlider(value=0, min=0, max=20, description="seed"),
    }
    return LiveFigure(
        controls,
        lambda depth, weight_scale, bias, activation, seed: chain.chain_profile(
            depth, weight_scale, bias, activation, seed=seed
        ),
        draw_chain_profile,
        describe=_describe_profile,
        height=3.8,
        reuse=True,  # draw_chain_profile reuses its panels
    )
