"""Explorer of a wide random network: the input–output Jacobian's singular values and the
per-layer gradient norms as activation, σ_w, σ_b, depth and the weights' kind move.

Controls wired to :func:`vgp_lib.jacobian.spectrum` and
:func:`vgp_lib.jacobian.gradient_flow`, drawn by
:func:`vgp_lib.plots.jacobian.draw_jacobian_explorer`; no maths here.
"""

from __future__ import annotations

import html

from .. import jacobian
from .._validate import check_choice, check_int, check_real
from ..meanfield import MEANFIELD_ACTIVATIONS
from ..plots.jacobian import draw_jacobian_explorer
from ..threads import single_thread
from . import LiveFigure

#: The controls' ranges.
SIGMA_W_RANGE = (0.5, 2.5)
SIGMA_B_RANGE = (0.0, 1.0)
DEPTH_RANGE = (3, 100)  # gradient_flow measures ratios below a burn-in layer: 3 or more


def _draw(fig, result):
    if isinstance(result, str):  # the compute call's reason for drawing nothing
        fig.clear()  # (the panels of the last drawing)
        fig.text(0.5, 0.5, result, ha="center", va="center", wrap=True)
        return fig
    return draw_jacobian_explorer(fig, result)


def _describe(result) -> str:
    if isinstance(result, str):
        return html.escape(result)
    sp, flow = result
    chi = flow.predicted_chi
    trend = "vanish" if chi < 1 else ("explode" if chi > 1 else "keep their size")
    return (
        f"&chi; = {chi:.3g} predicted, {flow.measured_chi:.3g} measured: going down one layer, "
        f"&Vert;&delta;&Vert; is multiplied by about {chi**0.5:.3g}, so gradients {trend} "
        f"(&chi; = 1 is the edge). Spread of the Jacobian's singular values at depth "
        f"{max(sp.depths)}: {sp.spread[-1]:.3g} (Var(s&sup2;)/E[s&sup2;]&sup2;: 0 when every "
        "singular value is equal, 1 when half are zero)."
    )


def jacobian_explorer(
    activation: str = "tanh",
    sigma_w: float = 1.0,
    sigma_b: float = 0.05,
    depth: int = 50,
    weights: str = "orthogonal",
    *,
    width: int = 100,
    n_seeds: int = 3,
    seed: int = 0,
) -> LiveFigure:
    """Activation, σ_w, σ_b, depth and Gaussian/orthogonal weights -> the singular values of
    the input–output Jacobian (left) and ‖δ^l‖ against the layer (right).

    Weights have variance σ_w²/n, biases σ_b². ReLU with σ_w² ≥ 2 (and σ_b > 0) has no fixed
    point: the figure then shows the compute call's message instead of a drawing.
    Example (in a chapter)::

        from vgp_lib.widgets import show_live
        from vgp_lib.widgets.jacobian import jacobian_explorer
        show_live(jacobian_explorer(activation="tanh", sigma_w=1.0, depth=50))
    """
    import ipywidgets as widgets

    activation = check_choice("activation", activation, MEANFIELD_ACTIVATIONS)
    sigma_w = check_real("sigma_w", sigma_w, lo=SIGMA_W_RANGE[0], hi=SIGMA_W_RANGE[1])
    sigma_b = check_real("sigma_b", sigma_b, lo=SIGMA_B_RANGE[0], hi=SIGMA_B_RANGE[1])
    depth = check_int("depth", depth, lo=DEPTH_RANGE[0], hi=DEPTH_RANGE[1])
    weights = check_choice("weights", weights, jacobian.WEIGHT_KINDS)
    width = check_int("width", width, lo=2, hi=400)
    n_seeds = check_int("n_seeds", n_seeds, lo=1, hi=10)
    seed = check_int("seed", seed, lo=0, hi=2**32 - 1)
    controls = {
        "sigma_w": widgets.FloatSlider(
            value=sigma_w,
            min=SIGMA_W_RANGE[0],
            max=SIGMA_W_RANGE[1],
            step=0.01,
            description="σ_w",
        ),
        "sigma_b": widgets.FloatSlider(
            value=sigma_b,
            min=SIGMA_B_RANGE[0],
            max=SIGMA_B_RANGE[1],
            step=0.01,
            description="σ_b",
        ),
        "depth": widgets.IntSlider(
            value=depth, min=DEPTH_RANGE[0], max=DEPTH_RANGE[1], description="depth L"
        ),
        "activation": widgets.Dropdown(
            options=list(MEANFIELD_ACTIVATIONS), value=activation, description="activation"
        ),
        "weights": widgets.ToggleButtons(
            options=list(jacobian.WEIGHT_KINDS), value=weights, description="weights"
        ),
    }

    def compute(activation, sigma_w, sigma_b, depth, weights):
        setting = dict(
            activation=activation,
            sigma_w2=sigma_w**2,
            sigma_b2=sigma_b**2,
            width=width,
            weights=weights,
            seed=seed,
        )
        try:
            with single_thread():  # small matrices: a second BLAS thread only waits
                return (
                    jacobian.spectrum(depths=(depth,), **setting),
                    jacobian.gradient_flow(depth=depth, n_seeds=n_seeds, **setting),
                )
        except ValueError as error:  # no fixed point (ReLU, sigma_w^2 >= 2): say so
            return f"No network to draw: {error}"

    # draw_jacobian_explorer reuses the panels of the last drawing
    return LiveFigure(controls, compute, _draw, describe=_describe, height=3.8, reuse=True)
