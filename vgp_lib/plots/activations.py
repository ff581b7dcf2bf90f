"""Figures of activation functions: derivative curves, one activation or several.

Each function draws on the given axes (a new one if ``ax`` is None) and returns
the axes, in the book's house style (:mod:`vgp_lib.plots.style`).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_array, check_instance
from ..activations import DerivativeCurves
from . import get_axes, styled
from .style import legend_beside

_FIGSIZE = (6.5, 3.6)
#: How each activation's name is written in figures.
ACTIVATION_NAMES = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "elu": "ELU",
    "gelu": "GELU",
}


@styled
def plot_activation_derivative(z, values, ax=None, *, name: str = r"\sigma"):
    """A derivative curve (e.g. :math:`\\sigma'(z)`) with its maximum marked."""
    z, values = check_array("z", z, ndim=1), check_array("values", values, ndim=1)
    if not isinstance(name, str):
        raise TypeError(f"name must be the function's name as TeX text, got {type(name).__name__}")
    if z.size == 0 or values.shape != z.shape:
        raise ValueError(f"values must be one number per z ({z.size}), got shape {values.shape}")
    ax = get_axes(ax)
    i = int(np.argmax(values))
    ax.plot(z, values, color="C0", lw=2, label=rf"${name}'(z)$")
    ax.plot(
        [z[i]],
        [values[i]],
        "o",
        color="C3",
        ms=8,
        label=rf"maximum ${name}'({z[i]:.3g}) = {values[i]:.3g}$",
    )
    ax.axhline(values[i], color="C3", lw=0.8, ls=":")
    ax.set_xlabel("weighted input $z$")
    ax.set_ylabel("derivative")
    ax.set_ylim(0, values[i] * 1.25)
    ax.legend(loc="upper right")
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_derivatives(curves, ax=None):
    """f'(z) for each activation of a :class:`vgp_lib.activations.DerivativeCurves`."""
    check_instance("curves", curves, DerivativeCurves)
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, (name, v) in enumerate(zip(curves.names, curves.values)):
        # LeakyReLU's derivative lies almost on ReLU's: dash the ReLU so both show.
        ax.plot(
            curves.z,
            v,
            color=f"C{i}",
            label=ACTIVATION_NAMES.get(name, name),
            lw=1.6,
            ls="--" if name == "relu" else "-",
        )
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    ax.axhline(0.25, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("z")
    ax.set_ylabel("f′(z)")
    legend_beside(ax)
    ax.grid(True, alpha=0.3)
    return ax
