"""Figures of per-layer updates: a layer's gradient norm beside how far the optimizer moved it.

Draws two :class:`vgp_lib.updates.UpdateRecord` results, one trained with SGD and one with
AdamW, on two panels with log axes: left the gradient norm ``||dC/dW_l||`` of each
layer, right its update ratio ``||Delta W_l|| / ||W_l||`` (equation ``eq-tf-update-ratio``).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance, check_int
from ..updates import UpdateRecord
from . import check_axes, figure
from .style import legend_above, styled

#: Colour and marker of each optimizer's line.
_LOOK = {"sgd": ("C3", "o", "-"), "adamw": ("C0", "s", "--")}


def _label(record: UpdateRecord) -> str:
    name = {"sgd": "SGD", "adamw": "AdamW"}[record.optimizer]
    return f"{name}, lr = {record.lr:g}"


@styled
def plot_update_ratios(sgd_record, adam_record, axes=None, *, step: int = 0):
    """Per layer at ``step`` (0-based: ``step=0`` is the first step), the gradient norm (left)
    and the update ratio (right) of ``sgd_record`` and ``adam_record``, on log axes.

    Both records come from :func:`vgp_lib.updates.update_ratios` on the same net (the same
    layers). ``axes`` is a pair of axes; by default a new figure with the two panels side
    by side. The legend sits above the left panel.
    """
    check_instance("sgd_record", sgd_record, UpdateRecord)
    check_instance("adam_record", adam_record, UpdateRecord)
    if sgd_record.names != adam_record.names:
        raise ValueError(
            f"sgd_record and adam_record must have the same layers, got {sgd_record.names} "
            f"and {adam_record.names}"
        )
    last = min(len(sgd_record.loss), len(adam_record.loss)) - 1
    step = check_int("step", step, lo=0, hi=last)
    if axes is None:
        _, axes = figure(1, 2, height=3.4)
    check_axes(axes, 2)
    ax_grad, ax_ratio = np.ravel(np.asarray(axes, dtype=object))
    x = np.arange(1, len(sgd_record.names) + 1)
    for record in (sgd_record, adam_record):
        color, marker, ls = _LOOK[record.optimizer]
        style = dict(color=color, marker=marker, ls=ls, mfc="none", label=_label(record))
        ax_grad.semilogy(x, record.gradient_norm[step], **style)
        ax_ratio.semilogy(x, record.update_ratio[step], **style)
    ax_grad.set_ylabel(r"gradient $\|\partial C/\partial W_l\|$")
    ax_ratio.set_ylabel(r"update ratio $\|\Delta W_l\| / \|W_l\|$")
    ax_ratio.set_title(f"step {step + 1}", loc="right")
    for ax in (ax_grad, ax_ratio):
        ax.set_xticks(x, list(sgd_record.names))
        ax.set_xlabel("layer $l$ (input → output)")
        ax.grid(True, which="major", alpha=0.3)
    legend_above(ax_grad, ncol=1)
    return axes
