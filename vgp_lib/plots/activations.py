"""Figures of activation functions: derivative curves, per-layer factors and dead units.

Each function draws on the given axes (a new one if ``ax`` is None) and returns
the axes, in the book's house style (:mod:`vgp_lib.plots.style`).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_array, check_instance, check_int, check_sequence
from ..activations import DerivativeCurves
from ..dead_units import DeadSweep
from ..layer_factor import LayerFactor
from . import get_axes, styled
from .style import integer_x, layer_colour, legend_beside

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


_INIT_NAMES = {"pytorch": "PyTorch default", "xavier": "Xavier", "he": "He"}


def factor_label(factor) -> str:
    """``"ReLU, PyTorch default"``: how a :class:`vgp_lib.layer_factor.LayerFactor` is named."""
    check_instance("factor", factor, LayerFactor)
    name = ACTIVATION_NAMES.get(factor.activation, factor.activation)
    return f"{name}, {_INIT_NAMES.get(factor.init, factor.init)}"


@styled
def plot_layer_factors(factors, ax=None):
    """||delta^l|| / ||delta^L|| against the layer l (log axis): measured (solid, dots) and
    the prediction factor^(L-l) (dashed), one colour per :class:`LayerFactor`.
    """
    factors = check_sequence("factors", factors, what="LayerFactor results")
    for f in factors:
        check_instance("factors", f, LayerFactor)
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, f in enumerate(factors):
        depth = len(f.delta_norm)
        layers = np.arange(1, depth + 1)
        measured = f.delta_norm / f.delta_norm[-1] if f.delta_norm[-1] > 0 else f.delta_norm
        ax.semilogy(
            layers,
            np.maximum(measured, 1e-300),
            "o-",
            color=f"C{i}",
            ms=3,
            lw=1.4,
            label=factor_label(f),
        )
        ax.semilogy(layers, f.predicted ** (depth - layers), "--", color=f"C{i}", lw=1.0, alpha=0.8)
    ax.plot([], [], "k--", lw=1.0, label="predicted")
    ax.set_xlabel("hidden layer $l$")
    ax.set_ylabel(r"$\|\delta^l\| \,/\, \|\delta^L\|$")
    integer_x(ax)
    legend_beside(ax)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_dead_layers(sweeps, index, ax=None):
    """The share of dead units in each hidden layer at ``values[index]``, one line per sweep.

    ``sweeps`` are :class:`vgp_lib.dead_units.DeadSweep` results over the same values
    (e.g. one per activation); the vertical axis is fixed to [0, 1] so that frames of a
    slider compare.
    """
    sweeps = check_sequence("sweeps", sweeps, what="DeadSweep results")
    for s in sweeps:
        check_instance("sweeps", s, DeadSweep)
    index = check_int("index", index, lo=0, hi=len(sweeps[0].values) - 1)
    ax = get_axes(ax, figsize=_FIGSIZE)
    styles = ["-", "--", ":", "-."]
    for i, s in enumerate(sweeps):
        if index >= len(s.values):
            raise ValueError(f"index must be below every sweep's {len(s.values)} values")
        frac = s.fraction[index]
        ax.plot(
            np.arange(1, len(frac) + 1),
            frac,
            marker="o",
            ms=4,
            color=f"C{i}",
            ls=styles[i % len(styles)],
            lw=1.6,
            label=ACTIVATION_NAMES.get(s.activation, s.activation),
        )
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("hidden layer")
    ax.set_ylabel("share of dead units")
    integer_x(ax)
    legend_beside(ax)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_dead_sweep(sweep, ax=None, *, layers=None):
    """The share of dead units against the swept value (log axis for step sizes), one line
    per hidden layer of a :class:`vgp_lib.dead_units.DeadSweep` (``layers``: which, 1-based).
    """
    check_instance("sweep", sweep, DeadSweep)
    depth = sweep.fraction.shape[1]
    if layers is None:
        layers = range(1, depth + 1)
    layers = [
        check_int("layers", k, lo=1, hi=depth)
        for k in check_sequence("layers", layers, what="layer numbers")
    ]
    ax = get_axes(ax, figsize=_FIGSIZE)
    for k in layers:
        ax.plot(
            sweep.values,
            sweep.fraction[:, k - 1],
            "o-",
            ms=4,
            lw=1.5,
            color=layer_colour(k - 1),
            label=f"layer {k}",
        )
    if sweep.kind == "step size":
        ax.set_xscale("log")
        ax.set_xlabel(r"size of the gradient step $\eta$")
    else:
        ax.set_xlabel(sweep.kind)
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel("share of dead units")
    legend_beside(ax)
    ax.grid(True, alpha=0.3)
    return ax
