"""Figures of gradient profiles: per-layer variances and gradient norms of torch MLPs.

Each function draws results from :mod:`vgp_lib.profiles` (an
:class:`~vgp_lib.profiles.ActivationComparison`, :class:`~vgp_lib.profiles.VarianceProfile`
or :class:`~vgp_lib.profiles.GradientProfile` results) on an optional ``ax`` and
returns the axes, in the book's house style (:mod:`vgp_lib.plots.style`).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_choice, check_instance, check_instances
from ..profiles import ActivationComparison, GradientProfile, VarianceProfile
from . import check_axes, figure, get_axes, legend_from_figure_edge, styled
from .activations import ACTIVATION_NAMES
from .phone import on_phone, phone_layout
from .style import integer_x, legend_above, legend_beside

_FIGSIZE = (6.5, 3.6)


@styled
def plot_activation_comparison(
    comp, ax=None, *, book=None, book_label: str = "published single draw"
):
    """Distribution over draws of the first-layer gradient norm, one box per activation (log axis).

    ``comp`` is a :class:`vgp_lib.profiles.ActivationComparison`. ``book`` maps an
    activation's name to a published value (one draw), drawn as a cross on its row.
    """
    check_instance("comp", comp, ActivationComparison)
    if not isinstance(book_label, str):
        raise TypeError(f"book_label must be text, got {type(book_label).__name__}")
    ax = get_axes(ax, figsize=_FIGSIZE)
    data = [np.log10(v) for v in comp.norms]
    ax.boxplot(data, orientation="horizontal", widths=0.6)
    rng = np.random.default_rng(0)  # only spreads the dots vertically, for legibility
    for i, v in enumerate(data):
        ax.plot(v, i + 1 + rng.uniform(-0.18, 0.18, len(v)), ".", color=f"C{i}", alpha=0.5, ms=4)
    if book:
        for k, (name, value) in enumerate(book.items()):
            if name not in comp.names:
                raise ValueError(f"book names an activation not in the comparison: {name!r}")
            ax.plot(
                [np.log10(value)],
                [comp.names.index(name) + 1],
                "X",
                color="black",
                ms=10,
                mew=0.5,
                mfc="#d62728",
                label=book_label if k == 0 else None,
                zorder=5,
            )
        legend_above(ax)
    ax.set_yticks(np.arange(1, len(data) + 1), [ACTIVATION_NAMES.get(n, n) for n in comp.names])
    ax.set_xlabel(r"$\log_{10}\,\|\partial C/\partial W^{1}\|$ (first layer)")
    ax.grid(True, axis="x", alpha=0.3)
    return ax


@styled
def plot_variance_profiles(profiles, axes=None):
    """Var(a_l) (left) and Var(dC/dz_l) (right) against the layer, one line per profile."""
    profiles = check_instances("profiles", profiles, VarianceProfile)
    if axes is None:
        _, axes = figure(2, 1, height=6.0, sharex=True)
    check_axes(axes, 2)
    styles = {"small": ":", "xavier": "-", "he": "--", "nielsen": "-.", "pytorch": "-."}
    colors = {"tanh": "C1", "relu": "C0", "sigmoid": "C3"}
    for p in profiles:
        layers = np.arange(1, len(p.act_var) + 1)
        init = (
            p.init if p.gain == 1 else f"{p.init} × {p.gain:g}"
        )  # the weights' sd is gain × the init's
        kw = {
            "ls": styles.get(p.init, "-"),
            "color": colors.get(p.activation, "k"),
            "lw": 1.8,
            "label": f"{ACTIVATION_NAMES.get(p.activation, p.activation)}, {init}",
        }
        axes[0].semilogy(layers, np.maximum(p.act_var, 1e-300), **kw)
        axes[1].semilogy(layers, np.maximum(p.grad_var, 1e-300), **kw)
    axes[0].set_ylabel(r"Var$(a^l)$")
    axes[0].set_title("forward: activations")
    axes[1].set_ylabel(r"Var$(\partial C/\partial z^l)$")
    axes[1].set_title("backward: gradients")
    shared = axes[0].get_shared_x_axes().joined(axes[0], axes[1])
    for ax in axes:
        integer_x(ax)
        if ax is axes[-1] or not shared:  # stacked panels sharing x: one label, at the bottom
            ax.set_xlabel("layer l")
        ax.grid(True, which="major", alpha=0.3)
    legend_beside(axes[0])
    return axes


@styled
def plot_gradient_profiles(profiles, ax=None, *, kind: str = "delta", ylim=None):
    """Per-layer gradient norms of several :class:`vgp_lib.profiles.GradientProfile` s, one line
    each.
    """
    profiles = check_instances("profiles", profiles, GradientProfile)
    check_choice("kind", kind, ("delta", "weight"))
    ax = get_axes(ax, (7.0, 3.8))
    for i, p in enumerate(profiles):
        norms = p.delta_norm if kind == "delta" else p.weight_norm
        ax.semilogy(np.arange(1, len(norms) + 1), norms, "o-", ms=3, color=f"C{i}", label=p.label)
    integer_x(ax)
    ax.set_xlabel("layer (input side → output layer)")
    ax.set_ylabel(
        r"$\|\partial C/\partial z^l\|$" if kind == "delta" else r"$\|\partial C/\partial W^l\|$"
    )
    if ylim is not None:
        ax.set_ylim(*ylim)
    legend_above(ax)
    ax.grid(True, which="major", alpha=0.3)
    if len(ax.figure.axes) == 1:
        on_phone(ax.figure, _legend_from_the_edge)
    return ax


def _legend_from_the_edge(fig) -> None:
    """Phone layout: the generic one, with the legend above the axes starting at the
    figure's left edge (the y labels leave the axes too little width for it)."""
    phone_layout(fig)
    legend_from_figure_edge(fig.axes[0])


@styled
def plot_depth_sweep(sweeps: dict, ax=None):
    """First/last ``||dC/dz||`` ratio against depth; ``sweeps`` maps a label to a tuple of
    profiles.
    """
    if not isinstance(sweeps, dict) or not sweeps:
        raise TypeError(
            f"sweeps must be a non-empty dict label -> GradientProfile results, "
            f"got {type(sweeps).__name__}"
        )
    for profiles in sweeps.values():
        check_instances("sweeps", profiles, GradientProfile)
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, (label, profiles) in enumerate(sweeps.items()):
        depths = [p.config["depth"] for p in profiles]
        ax.semilogy(depths, [p.ratio for p in profiles], "o-", ms=3, color=f"C{i}", label=label)
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    integer_x(ax)
    ax.set_xlabel("number of hidden layers")
    ax.set_ylabel(r"$\|\partial C/\partial z^1\| \,/\, \|\partial C/\partial z^{\mathrm{out}}\|$")
    legend_above(ax, ncol=len(sweeps))
    ax.grid(True, which="major", alpha=0.3)
    return ax
