"""Figures for the chapter *Remedies, measured*."""

from __future__ import annotations

import numpy as np

from . import figure, get_axes, styled
from .style import legend_above, legend_beside

_FIGSIZE = (6.5, 3.6)
_NICE = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU"}


def _integer_x(ax):
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


@styled
def plot_activation_comparison(comp, ax=None, *, book=None, book_label: str = "published single draw"):
    """Distribution over draws of the first-layer gradient norm, one box per activation (log axis).

    ``comp`` is a :class:`vgp_lib.profiles.ActivationComparison`. ``book`` maps an
    activation's name to a published value (one draw), drawn as a cross on its row.
    """
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
            ax.plot([np.log10(value)], [comp.names.index(name) + 1], "X", color="black", ms=10, mew=0.5,
                    mfc="#d62728", label=book_label if k == 0 else None, zorder=5)
        legend_above(ax)
    ax.set_yticks(np.arange(1, len(data) + 1), [_NICE.get(n, n) for n in comp.names])
    ax.set_xlabel(r"$\log_{10}\,\|\partial C/\partial W^{1}\|$ (first layer)")
    ax.grid(True, axis="x", alpha=0.3)
    return ax


@styled
def plot_derivatives(curves, ax=None):
    """f'(z) for each activation of a :class:`vgp_lib.activations.DerivativeCurves`."""
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, (name, v) in enumerate(zip(curves.names, curves.values)):
        # LeakyReLU's derivative lies almost on ReLU's: dash the ReLU so both show.
        ax.plot(curves.z, v, color=f"C{i}", label=_NICE.get(name, name), lw=1.6, ls="--" if name == "relu" else "-")
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    ax.axhline(0.25, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("z")
    ax.set_ylabel("f′(z)")
    legend_beside(ax)
    ax.grid(True, alpha=0.3)
    return ax


@styled
def plot_variance_profiles(profiles, axes=None):
    """Var(a_l) (left) and Var(dC/dz_l) (right) against the layer, one line per profile."""
    if axes is None:
        _, axes = figure(2, 1, height=6.0, sharex=True)
    styles = {"small": ":", "xavier": "-", "he": "--", "nielsen": "-.", "pytorch": "-."}
    colors = {"tanh": "C1", "relu": "C0", "sigmoid": "C3"}
    for p in profiles:
        layers = np.arange(1, len(p.act_var) + 1)
        init = p.init if p.gain == 1 else f"{p.init} × {p.gain:g}"  # the weights' sd is gain × the init's
        kw = {"ls": styles.get(p.init, "-"), "color": colors.get(p.activation, "k"), "lw": 1.8,
                  "label": f"{_NICE.get(p.activation, p.activation)}, {init}"}
        axes[0].semilogy(layers, np.maximum(p.act_var, 1e-300), **kw)
        axes[1].semilogy(layers, np.maximum(p.grad_var, 1e-300), **kw)
    axes[0].set_ylabel(r"Var$(a^l)$")
    axes[0].set_title("forward: activations")
    axes[1].set_ylabel(r"Var$(\partial C/\partial z^l)$")
    axes[1].set_title("backward: gradients")
    shared = axes[0].get_shared_x_axes().joined(axes[0], axes[1])
    for ax in axes:
        _integer_x(ax)
        if ax is axes[-1] or not shared:  # stacked panels sharing x: one label, at the bottom
            ax.set_xlabel("layer l")
        ax.grid(True, which="major", alpha=0.3)
    legend_beside(axes[0])
    return axes


@styled
def plot_gradient_profiles(profiles, ax=None, *, kind: str = "delta", ylim=None):
    """Per-layer gradient norms of several :class:`vgp_lib.profiles.GradientProfile` s, one line each."""
    ax = get_axes(ax, (7.0, 3.8))
    for i, p in enumerate(profiles):
        norms = p.delta_norm if kind == "delta" else p.weight_norm
        ax.semilogy(np.arange(1, len(norms) + 1), norms, "o-", ms=3, color=f"C{i}", label=p.label)
    _integer_x(ax)
    ax.set_xlabel("layer (input side → output layer)")
    ax.set_ylabel(r"$\|\partial C/\partial z^l\|$" if kind == "delta" else r"$\|\partial C/\partial W^l\|$")
    if ylim is not None:
        ax.set_ylim(*ylim)
    legend_above(ax)
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_time_gradients(results, ax=None):
    """``||dh_T/dh_t||`` against ``T - t`` for each :class:`vgp_lib.recurrent.TimeGradient`."""
    ax = get_axes(ax, figsize=_FIGSIZE)
    names = {"rnn": "vanilla RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}
    for i, r in enumerate(results):
        ax.semilogy(r.lags, np.maximum(r.norms, 1e-300), color=f"C{i}", label=names.get(r.cell, r.cell), lw=1.8)
    ax.set_xlabel("steps back in time, T − t")
    ax.set_ylabel(r"$\|\partial h_T/\partial h_t\|$")
    legend_above(ax, ncol=len(results))
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_clipping(grad, clipped, ax=None, *, n_show: int = 6):
    """Components of a gradient before and after clipping (log axis of |component|).

    ``grad`` is a 1-D array, ``clipped`` the same vector after clipping.
    """
    ax = get_axes(ax, figsize=_FIGSIZE)
    k = min(n_show, len(grad))
    x = np.arange(k)
    ax.bar(x - 0.2, np.abs(grad[:k]), width=0.4, color="C3", label=f"before: norm {np.linalg.norm(grad):.3g}")
    ax.bar(x + 0.2, np.abs(clipped[:k]), width=0.4, color="C0", label=f"after: norm {np.linalg.norm(clipped):.3g}")
    ax.set_yscale("log")
    ax.set_xticks(x, [f"{i + 1}" for i in x])
    ax.set_xlabel("component of the gradient")
    ax.set_ylabel("|component|")
    legend_above(ax, ncol=2)
    ax.grid(True, axis="y", which="major", alpha=0.3)
    return ax


@styled
def plot_training_comparison(comp, axes=None):
    """Top: validation accuracy per configuration (dots: seeds, bar: median). Bottom: per-layer gradient norms."""
    if axes is None:
        _, axes = figure(2, 1, height=6.4)
    ax_acc, ax_norm = axes
    y = np.arange(len(comp.names))
    for i, acc in enumerate(comp.accuracy):
        ax_acc.plot(100 * acc, np.full(len(acc), i), "o", color=f"C{i}", alpha=0.7)
        ax_acc.plot([100 * np.median(acc)], [i], "|", color="k", ms=18, mew=2)
    ax_acc.set_yticks(y, comp.names)
    ax_acc.invert_yaxis()
    ax_acc.set_xlabel("validation accuracy (%)")
    ax_acc.grid(True, axis="x", alpha=0.3)
    for i, w in enumerate(comp.weight_norm):
        ax_norm.semilogy(np.arange(1, len(w) + 1), w, "o-", ms=3, color=f"C{i}", label=comp.names[i])
    _integer_x(ax_norm)
    ax_norm.set_xlabel("layer (input side → output layer)")
    ax_norm.set_ylabel(r"median $\|\partial C/\partial W^l\|$ in training")
    legend_above(ax_norm, ncol=2)
    ax_norm.grid(True, which="major", alpha=0.3)
    return axes


@styled
def plot_depth_sweep(sweeps: dict, ax=None):
    """First/last ``||dC/dz||`` ratio against depth; ``sweeps`` maps a label to a tuple of profiles."""
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, (label, profiles) in enumerate(sweeps.items()):
        depths = [p.config["depth"] for p in profiles]
        ax.semilogy(depths, [p.ratio for p in profiles], "o-", ms=3, color=f"C{i}", label=label)
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    _integer_x(ax)
    ax.set_xlabel("number of hidden layers")
    ax.set_ylabel(r"$\|\partial C/\partial z^1\| \,/\, \|\partial C/\partial z^{\mathrm{out}}\|$")
    legend_above(ax, ncol=len(sweeps))
    ax.grid(True, which="major", alpha=0.3)
    return ax
