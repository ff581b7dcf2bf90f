"""The gradient-profile and monitor plots draw and return their axes."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from vgp_lib import activations, profiles  # noqa: E402
from vgp_lib.plots import activations as pactivations  # noqa: E402
from vgp_lib.plots import clipping as pclipping  # noqa: E402
from vgp_lib.plots import monitor as mplots  # noqa: E402
from vgp_lib.plots import profiles as pprofiles  # noqa: E402


def test_plots_draw_and_return_their_axes():
    pair = [
        profiles.gradient_profile(depth=3, seed=0),
        profiles.gradient_profile(depth=3, activation="relu", seed=0),
    ]
    figs = []
    for draw in (
        lambda: pprofiles.plot_activation_comparison(
            profiles.activation_comparison(n_seeds=2, seed=0, sizes=(5, 4, 3))
        ),
        lambda: pactivations.plot_derivatives(activations.derivative_curves()),
        lambda: pprofiles.plot_variance_profiles(
            [profiles.init_variance("relu", "he", depth=3, width=8, seed=0)]
        )[0],
        lambda: pprofiles.plot_gradient_profiles(pair),
        lambda: pprofiles.plot_depth_sweep({"x": pair}),
        lambda: pclipping.plot_clipping(np.array([3.0, 4.0]), np.array([0.6, 0.8])),
    ):
        ax = draw()
        assert ax.has_data()
        figs.append(ax.figure)
    for f in figs:
        plt.close(f)
    plt.close("all")
    assert math.isfinite(pair[0].ratio)


def test_monitor_plots_take_a_record_or_a_monitor():
    from vgp_lib.models import build_mlp
    from vgp_lib.monitor import train_watched

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 4)), rng.integers(0, 2, 40)
    trace = train_watched(
        build_mlp(n_in=4, width=5, n_out=2, depth=3, seed=0),
        x,
        y,
        epochs=1,
        batch_size=10,
        lr=0.1,
        seed=0,
    )
    ax = mplots.plot_gradient_record(trace.record, kind="delta")
    assert len(ax.get_lines()) == 1 and ax.has_data()
    ax2 = mplots.plot_norm_history(trace.record)
    assert len(ax2.get_lines()) == 3
    axes = mplots.plot_training_trace(trace, label="x")
    assert all(a.has_data() for a in axes)
    plt.close("all")
