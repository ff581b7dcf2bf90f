"""Figures of the per-layer factor: the error's norm layer by layer beside the line that
equation ``eq-init-variance`` predicts.

:func:`plot_factor` draws a :class:`vgp_lib.variance.FactorMeasurement` on an optional
``ax`` and returns the axes, in the book's house style (:mod:`vgp_lib.plots.style`).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance
from ..variance import FactorMeasurement
from . import get_axes, styled
from .style import integer_x, legend_above


def predicted_norms(measurement: FactorMeasurement) -> np.ndarray:
    """‖δ^l‖ of the hidden layers as the predicted factor makes them: the last hidden layer's
    measured norm times ``predicted ** (L - l)``."""
    check_instance("measurement", measurement, FactorMeasurement)
    hidden = measurement.delta_norm[:-1]
    steps = np.arange(len(hidden) - 1, -1, -1)
    return hidden[-1] * measurement.predicted**steps


@styled
def plot_factor(measurement, ax=None):
    """Measured ‖δ^l‖ of every hidden layer (dots, log axis) and the predicted geometric line
    through the last hidden layer (dashed)."""
    check_instance("measurement", measurement, FactorMeasurement)
    ax = get_axes(ax, (6.5, 3.4))
    hidden = measurement.delta_norm[:-1]
    layers = np.arange(1, len(hidden) + 1)
    ax.semilogy(layers, hidden, "o", ms=4, color="C0", label="measured")
    ax.semilogy(
        layers,
        predicted_norms(measurement),
        "--",
        color="C3",
        lw=1.5,
        label=f"predicted: × {measurement.predicted:.2f} per layer",
    )
    integer_x(ax)
    ax.set_xlabel("hidden layer l (input side → output side)")
    ax.set_ylabel(r"$\|\delta^l\|$")
    ax.grid(True, which="major", alpha=0.3)
    legend_above(ax, ncol=2)
    return ax
