"""Widget of gradient profiles: an architecture configurator.

Depth, activation, initialisation, normalisation and residual blocks ->
:func:`vgp_lib.profiles.gradient_profile` -> per-layer gradient norms, live.
"""

from __future__ import annotations

from .. import models, profiles
from .._validate import MAX_DEPTH, check_bool, check_choice, check_int
from ..plots.profiles import plot_gradient_profiles
from ..plots.style import reuse_panels
from . import LiveFigure


def _draw(fig, profile):
    left, right = reuse_panels(
        fig, "architecture-configurator", lambda f: (f.add_subplot(1, 2, 1), f.add_subplot(1, 2, 2))
    )
    plot_gradient_profiles([profile], left, kind="delta")
    plot_gradient_profiles([profile], right, kind="weight")


def _describe(profile) -> str:
    return (
        f"{profile.label}: ‖∂C/∂z‖ of layer 1 is {profile.ratio:.3g} × that of the output layer "
        f"(1 = balanced, ≪ 1 = vanishing, ≫ 1 = exploding)."
    )


def architecture_configurator(
    *,
    depth: int = 20,
    activation: str = "sigmoid",
    init: str = "pytorch",
    norm: str = "none",
    residual: bool = False,
    seed: int = 0,
    max_depth: int = 50,
) -> LiveFigure:
    """Controls for every switch of :func:`vgp_lib.models.build_mlp`; draws the gradient profile."""
    import ipywidgets as widgets

    max_depth = check_int("max_depth", max_depth, lo=1, hi=MAX_DEPTH)
    depth = check_int("depth", depth, lo=1, hi=max_depth)
    activation = check_choice("activation", activation, models.MODEL_ACTIVATIONS)
    init = check_choice("init", init, models.MODEL_INITS)
    norm = check_choice("norm", norm, models.NORMS)
    residual = check_bool("residual", residual)
    seed = check_int("seed", seed, lo=0, hi=2**32 - 1)
    controls = {
        "depth": widgets.IntSlider(value=depth, min=1, max=max_depth, description="depth"),
        "activation": widgets.Dropdown(
            options=list(models.MODEL_ACTIVATIONS), value=activation, description="activation"
        ),
        "init": widgets.Dropdown(options=list(models.MODEL_INITS), value=init, description="init"),
        "norm": widgets.Dropdown(options=list(models.NORMS), value=norm, description="norm"),
        "residual": widgets.Checkbox(value=residual, description="residual x + F(x)"),
    }
    return LiveFigure(
        controls,
        lambda **v: profiles.gradient_profile(seed=seed, **v),
        _draw,
        describe=_describe,
        height=3.6,
        reuse=True,
    )
