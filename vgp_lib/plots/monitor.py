"""Figures for gradient records: per-layer norms on a log axis, one call.

``plot_gradient_record(monitor.record())`` is all a reader needs after
training with :class:`vgp_lib.monitor.GradientMonitor`.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_choice, check_instance
from ..monitor import GradientMonitor, GradientRecord, TrainingTrace
from . import check_axes, figure, get_axes, styled
from .phone import on_phone, phone_layout
from .style import legend_above


def _as_record(record):
    """A :class:`GradientRecord`, or the record of a :class:`GradientMonitor`."""
    if isinstance(record, GradientMonitor):
        return record.record()
    if not isinstance(record, GradientRecord):
        raise TypeError(
            f"record must be a vgp_lib.monitor.GradientRecord or GradientMonitor, "
            f"got {type(record).__name__}"
        )
    return record


def _short(name: str) -> str:
    return name.replace("blocks.", "").replace(".linear", "") or "(model)"


@styled
def plot_gradient_record(
    record, ax=None, *, kind: str = "weight", steps=None, title: str | None = None
):
    """Median (line) and 10-90 % band (shade) over steps of each layer's gradient norm.

    ``record`` is a :class:`vgp_lib.monitor.GradientRecord` (or a monitor, whose
    ``record()`` is taken); ``kind`` is ``"weight"`` (``||dC/dW||``) or
    ``"delta"`` (``||dC/dz||``). ``steps`` selects a slice of steps.
    """
    record = _as_record(record)
    check_choice("kind", kind, ("weight", "delta"))
    norms = record._norms(kind)
    if steps is not None:
        norms = norms[steps]
    ax = get_axes(ax, figsize=(6.5, 3.6))
    x = np.arange(1, len(record.names) + 1)
    med = np.nanmedian(norms, axis=0)
    ax.semilogy(
        x,
        med,
        "o-",
        color="C0",
        label="median over steps" if len(norms) > 1 else "one backward pass",
    )
    if len(norms) > 1:
        lo, hi = np.nanpercentile(norms, [10, 90], axis=0)
        ax.fill_between(x, lo, hi, color="C0", alpha=0.2, label="10–90 % of steps")
    ax.set_xticks(
        x,
        [_short(n) for n in record.names],
        rotation=45 if len(x) > 6 else 0,
        ha="right" if len(x) > 6 else "center",
        rotation_mode="anchor",
    )
    ax.set_xlabel("layer (input side → output side)")
    ax.set_ylabel(
        r"$\|\partial C/\partial W\|$" if kind == "weight" else r"$\|\partial C/\partial z\|$"
    )
    if title is not None:
        ax.set_title(title, loc="right")
    spec = ax.get_subplotspec()
    side_by_side = spec is not None and spec.get_gridspec().ncols > 1
    legend_above(ax, ncol=1 if side_by_side else 2)  # a narrow panel: its title beside it
    ax.grid(True, which="major", alpha=0.3)
    on_phone(ax.figure, _layer_names_turned)
    return ax


def _layer_names_turned(fig) -> None:
    """Phone layout: the generic one, with layer names under an axis turned by 45 degrees
    (side by side they run into each other in the phone's width)."""
    phone_layout(fig)  # it draws the figure: the tick labels exist
    for ax in fig.axes:
        labels = ax.get_xticklabels()
        if any(c.isalpha() for label in labels for c in label.get_text()):
            ax.tick_params(axis="x", labelrotation=45)
            for label in labels:
                label.set(ha="right", rotation_mode="anchor")


@styled
def plot_norm_history(record, ax=None, *, kind: str = "weight", layers=None):
    """Each layer's gradient norm against the training step (log axis), first and last layers by
    default.
    """
    import matplotlib as mpl

    record = _as_record(record)
    check_choice("kind", kind, ("weight", "delta"))
    norms = record._norms(kind)
    ax = get_axes(ax, figsize=(6.5, 3.6))
    n = len(record.names)
    chosen = layers if layers is not None else sorted({0, n // 2, n - 1})
    cmap = mpl.colormaps["viridis"]
    for j in chosen:
        ax.semilogy(
            np.arange(1, len(norms) + 1),
            norms[:, j],
            color=cmap(j / max(1, n - 1)),
            label=_short(record.names[j]),
            lw=1.2,
        )
    ax.set_xlabel("training step")
    ax.set_ylabel(
        r"$\|\partial C/\partial W\|$" if kind == "weight" else r"$\|\partial C/\partial z\|$"
    )
    ax.legend(
        title="layer",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        borderaxespad=0.0,
    )
    ax.grid(True, which="major", alpha=0.3)
    return ax


@styled
def plot_training_trace(trace, axes=None, *, label: str = "", color="C0"):
    """The three symptoms of a :class:`vgp_lib.monitor.TrainingTrace` on three axes.

    Top: loss per step. Middle: median update ratio ``||Delta W||/||W||`` per
    layer. Bottom: median weight-gradient norm per layer (a new figure stacks the
    three panels). Call twice with the same ``axes`` to overlay a broken and a
    fixed model; the legend sits above the first panel.
    """
    check_instance("trace", trace, TrainingTrace)
    if not isinstance(color, str):
        raise TypeError(
            f"color must be a matplotlib colour name such as 'C0', got {type(color).__name__}"
        )
    if not isinstance(label, str):
        raise TypeError(f"label must be text (empty: no legend), got {type(label).__name__}")
    if axes is None:
        _, axes = figure(3, 1, height=8.4)
    check_axes(axes, 3)
    ax_loss, ax_upd, ax_grad = axes
    steps = np.arange(1, len(trace.losses) + 1)
    ax_loss.plot(steps, trace.losses, color=color, lw=1, alpha=0.8, label=label)
    ax_loss.set_xlabel("training step")
    ax_loss.set_ylabel("cross-entropy loss")
    ax_loss.set_title("1. loss", loc="right")
    x = np.arange(1, len(trace.record.names) + 1)
    ax_upd.semilogy(x, np.nanmedian(trace.update_ratio, axis=0), "o-", color=color, label=label)
    ax_upd.set_xlabel("layer (input → output)")
    ax_upd.set_ylabel(r"median $\|\Delta W\| / \|W\|$")
    ax_upd.set_title("2. size of each update", loc="right")
    ax_grad.semilogy(
        x, np.nanmedian(trace.record.weight_norm, axis=0), "o-", color=color, label=label
    )
    ax_grad.set_xlabel("layer (input → output)")
    ax_grad.set_ylabel(r"median $\|\partial C/\partial W\|$")
    ax_grad.set_title("3. gradient norm", loc="right")
    for ax in axes:
        ax.grid(True, which="major", alpha=0.3)
    if label:
        legend_above(ax_loss, ncol=2)
    return axes
