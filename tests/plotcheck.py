"""Shared checks for the plot and widget tests: reading a drawing back, driving a widget.

The plot tests (``tests/plots/test_<module>.py``) build a real, tiny result with the
compute call its chapter uses, draw it on a house-style :func:`vgp_lib.plots.figure`,
and read the artists back with the readers below: line vertices, bar heights,
histogram counts, legend labels. The readers keep the short ``_`` names the tests
were written with. The builders make the inputs several test files share (a module
fixture in each file calls them), and :func:`_extremes` moves every control of a
headless widget to its ends.
"""

import dataclasses

import numpy as np
import pytest

from vgp_lib import balance, profiles
from vgp_lib.plots.display import png_bytes

# --- reading a drawing back -------------------------------------------------------------------


def _xy(line):
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def _line(ax, label):
    """The one line of ``ax`` labelled ``label``."""
    found = [line for line in ax.get_lines() if line.get_label() == label]
    assert len(found) == 1, (
        f"{len(found)} lines labelled {label!r}: {[ln.get_label() for ln in ax.get_lines()]}"
    )
    return found[0]


def _labelled(ax):
    """The lines of ``ax`` that carry a legend label (matplotlib names the others '_child…')."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def _legend_labels(ax_or_fig):
    legends = [ax_or_fig.get_legend()] if hasattr(ax_or_fig, "get_legend") else ax_or_fig.legends
    return [t.get_text() for legend in legends if legend is not None for t in legend.get_texts()]


def _bars(ax):
    """Heights of ``ax``'s bar containers, one array per ``ax.bar`` / ``ax.hist`` call."""
    from matplotlib.container import BarContainer

    return [
        np.array([p.get_height() for p in c]) for c in ax.containers if isinstance(c, BarContainer)
    ]


def _bar_x(ax, k=0):
    from matplotlib.container import BarContainer

    c = [c for c in ax.containers if isinstance(c, BarContainer)][k]
    return np.array([p.get_x() + p.get_width() / 2 for p in c])


def _at_bottom(ax, line):
    """A zero marker sits on the bottom edge: y in axes
    coordinates (x in data), drawn below the data."""
    assert line.get_transform() == ax.get_xaxis_transform()
    y = np.asarray(line.get_ydata(), dtype=float)
    assert np.all(y < 0.1), y


def _render(fig):
    png_bytes(fig)  # the house checks: no text under 9 pt, no legend over data


def _scaled(result, field, factor):
    return dataclasses.replace(result, **{field: getattr(result, field) * factor})


# --- inputs several test files share ----------------------------------------------------------


def mnist_digits():
    """The first 120 training and 40 validation images of MNIST."""
    from vgp_lib.data import MNISTNotInstalledError, load_mnist

    try:
        mnist = load_mnist(dtype=np.float32)
    except (
        MNISTNotInstalledError
    ) as error:  # pragma: no cover - the data package is a test requirement
        pytest.skip(str(error))
    return (mnist.train.x[:120], mnist.train.y[:120]), (
        mnist.validation.x[:40],
        mnist.validation.y[:40],
    )


def balance_study():
    """A small balance study of four activations over nine weight scales."""
    return balance.balance_study(
        ("sigmoid", "tanh", "relu", "identity"),
        depth=8,
        n_chains=40,
        weight_scales=np.geomspace(0.1, 30, 9),
        seed=0,
    )


def gradient_profiles():
    """A sigmoid and a ReLU + He gradient profile of a depth-3 network."""
    cfg = {"width": 6, "n_in": 5, "n_classes": 3, "batch": 8, "seed": 0}
    return (
        profiles.gradient_profile(depth=3, **cfg),
        profiles.gradient_profile(depth=3, activation="relu", init="he", **cfg),
    )


# --- driving a widget headless ----------------------------------------------------------------


def _extremes(widget):
    """Every control at its minimum and maximum (or every option / both states)."""
    for name, control in widget.controls.items():
        start = control.value
        if hasattr(control, "options"):
            values = list(control.options)
        elif isinstance(control.value, bool):
            values = [not start, start]
        else:
            values = [control.min, control.max]
        for v in values:
            control.value = v
            yield name, v
        control.value = start
