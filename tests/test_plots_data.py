"""What the plot modules draw is the data of the result they are given.

Each test builds a real (tiny) result with the compute call its chapter uses,
draws it on a house-style :func:`vgp_lib.plots.figure`, and reads the artists
back: line vertices, bar heights, histogram counts, error bars, the number of
series and their legend labels must equal the result's arrays, up to the
transforms the plot functions document (absolute values, ``log10``, percent,
exact zeros as markers on the bottom edge of a log axis). The last tests change
a result and check that the drawing changes with it.
"""

import dataclasses

import numpy as np
import pytest
import torch

from vgp_lib import (
    activations,
    balance,
    bound,
    chain,
    circuits,
    clipping,
    identity,
    network,
    precision,
    profiles,
    recurrent,
    speeds,
    training,
)
from vgp_lib.plots import activations as pactivations
from vgp_lib.plots import balance as pbalance
from vgp_lib.plots import bound as pbound
from vgp_lib.plots import chain as pchain
from vgp_lib.plots import circuits as pcircuits
from vgp_lib.plots import clipping as pclipping
from vgp_lib.plots import figure
from vgp_lib.plots import identity as pidentity
from vgp_lib.plots import monitor as pmonitor
from vgp_lib.plots import network as pnetwork
from vgp_lib.plots import precision as pprecision
from vgp_lib.plots import profiles as pprofiles
from vgp_lib.plots import recurrent as precurrent
from vgp_lib.plots import speeds as pspeeds
from vgp_lib.plots import training as ptraining
from vgp_lib.plots.style import png_bytes
from vgp_lib.stats import percentile_of

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


# --- the single-neuron chain and exploding gradients --------------------------------------------


def test_activation_derivative_draws_the_curve_and_marks_its_maximum():
    z = np.linspace(-6, 6, 121)
    values = activations.sigmoid_prime(z)
    fig, ax = figure()
    pactivations.plot_activation_derivative(z, values, ax)
    curve, peak = _labelled(ax)[:2]
    np.testing.assert_array_equal(_xy(curve)[0], z)
    np.testing.assert_array_equal(_xy(curve)[1], values)
    i = int(np.argmax(values))
    np.testing.assert_array_equal(_xy(peak), ([z[i]], [values[i]]))
    assert f"{values[i]:.3g}" in peak.get_label()
    _render(fig)


@pytest.mark.parametrize("scale", [0.3, 3.0, 40.0])
def test_factor_bars_are_the_factors_and_the_gradients_their_line(scale):
    r = chain.chain_profile(12, scale, 0.0, "sigmoid", seed=0)
    fig, axes = figure(1, 2)
    pchain.plot_factors(r, axes[0])
    pchain.plot_bias_gradients(r, axes[1])
    (heights,) = _bars(axes[0])
    f = np.abs(r.factors)
    np.testing.assert_allclose(heights, f)  # no zero factors here: no floor
    np.testing.assert_array_equal(_bar_x(axes[0]), np.arange(1, 13))
    colours = [p.get_facecolor() for p in axes[0].patches]
    import matplotlib.colors as mcolors

    assert [c == mcolors.to_rgba("C3") for c in colours] == list(
        f >= 1
    )  # red exactly where a factor grows
    assert axes[0].get_yscale() == "log" and axes[1].get_yscale() == "log"
    (grad_line,) = _labelled(axes[1])
    np.testing.assert_array_equal(_xy(grad_line)[0], np.arange(1, 13))
    np.testing.assert_allclose(_xy(grad_line)[1], np.abs(r.grad))
    _render(fig)


def _relu_chain_with_zeros():
    # layer 3 has z < 0: ReLU is off there, so its factor and every gradient before it are exactly 0
    w = np.array([1.0, 0.9, -2.0, 1.1, 0.8])
    b = np.array([0.1, 0.0, 0.2, 0.5, 0.1])
    return chain.analyse(chain.make_chain(w, b, a0=1.0, y=0.0, activation="relu"))


def test_exact_zeros_become_markers_on_the_bottom_edge():
    r = _relu_chain_with_zeros()
    assert (r.factors == 0).any() and (r.grad == 0).any() and (r.grad != 0).any()
    fig, axes = figure(1, 2)
    pchain.plot_factors(r, axes[0])
    pchain.plot_bias_gradients(r, axes[1])
    layers = np.arange(1, 6)
    f = np.abs(r.factors)
    zero_marks = _line(axes[0], "exactly 0")
    np.testing.assert_array_equal(_xy(zero_marks)[0], layers[f == 0])
    _at_bottom(axes[0], zero_marks)
    heights = _bars(axes[0])[0]
    np.testing.assert_allclose(heights[f > 0], f[f > 0])
    assert np.all(heights[f == 0] <= axes[0].get_ylim()[0] * 1.0001)  # a zero bar is only the floor

    g = np.abs(r.grad)
    line = _line(axes[1], r"$|\partial C/\partial b_j|$")
    np.testing.assert_array_equal(_xy(line)[0], layers[g > 0])
    np.testing.assert_allclose(_xy(line)[1], g[g > 0])
    zeros = _line(axes[1], r"$|\partial C/\partial b_j|$: exactly 0")
    np.testing.assert_array_equal(_xy(zeros)[0], layers[g == 0])
    _at_bottom(axes[1], zeros)
    assert axes[1].get_ylim()[0] < g[g > 0].min()  # room below every value for the markers
    assert "exactly 0" in " ".join(_legend_labels(axes[1]))
    _render(fig)


def test_chain_profile_panels_draw_the_same_result():
    r = chain.chain_profile(10, 2.0, 0.0, "tanh", seed=3)
    fig = figure()[0]
    fig.delaxes(fig.axes[0])
    pchain.draw_chain_profile(fig, r)
    left, right = fig.axes
    np.testing.assert_allclose(_bars(left)[0], np.abs(r.factors))
    np.testing.assert_allclose(_xy(_labelled(right)[0])[1], np.abs(r.grad))
    assert right.get_title(loc="right") == "tanh, depth 10"
    assert left.get_legend() is None and "1 (unchanged)" in _legend_labels(fig)
    _render(fig)


def test_three_routes_are_three_offset_series_with_zeros_marked():
    routes = chain.three_routes(chain.constant_chain(20, w=0.17, b=0.0, a0=1.0))
    fig, ax = figure()
    pchain.plot_routes(routes, ax)
    x = routes.layers
    for label, values, shift in (
        ("product (eq.)", routes.analytic, 0.0),
        ("PyTorch autograd", routes.autograd, 0.12),
        ("central differences", routes.fd, -0.12),
    ):
        v = np.abs(values)
        line = _line(ax, label)
        np.testing.assert_allclose(_xy(line)[0], (x + shift)[v > 0])
        np.testing.assert_allclose(_xy(line)[1], v[v > 0])
        if (v == 0).any():
            zeros = _line(ax, f"{label}: exactly 0")
            np.testing.assert_allclose(_xy(zeros)[0], (x + shift)[v == 0])
            _at_bottom(ax, zeros)
    assert (
        routes.fd == 0
    ).any()  # the chapter's case: finite differences round to 0 in the early layers
    assert set(_legend_labels(ax)) == {ln.get_label() for ln in _labelled(ax)}
    _render(fig)


def test_ratio_histogram_counts_the_sample():
    sample = balance.layer_ratios(300, seed=0, depth=4, lower=1, upper=3)
    fig, ax = figure()
    pbalance.plot_ratio_histogram(sample, ax, bins=25)
    r = sample.log10_ratio[np.isfinite(sample.log10_ratio)]
    counts, edges = np.histogram(r, bins=25)
    np.testing.assert_array_equal(_bars(ax)[0], counts)
    np.testing.assert_allclose(_bar_x(ax), (edges[:-1] + edges[1:]) / 2)
    median = _line(ax, f"median ({sample.median_ratio:,.0f})")
    np.testing.assert_allclose(_xy(median)[0], [np.median(r)] * 2)
    np.testing.assert_allclose(_xy(_line(ax, "ratio 16"))[0], [np.log10(16)] * 2)
    _render(fig)


def test_precision_growth_draws_exact_computed_and_overflowed_values():
    c = chain.aligned_chain(40, w=100.0)
    r32, r64 = precision.grad_b_in_dtype(c, "float32"), precision.grad_b_in_dtype(c, "float64")
    assert r32.any_overflow and not r64.any_overflow
    fig, ax = figure()
    pprecision.plot_precision_growth([r32, r64], ax)
    layers = np.arange(1, 41)
    exact = _line(ax, r"exact $\log_{10}|\partial C/\partial b_j|$")
    np.testing.assert_array_equal(_xy(exact)[0], layers)
    np.testing.assert_allclose(_xy(exact)[1], r32.log10_exact)
    for r in (r32, r64):
        ok = ~r.overflow & (r.grad != 0)
        computed = _line(ax, f"computed in {r.dtype}")
        np.testing.assert_array_equal(_xy(computed)[0], layers[ok])
        np.testing.assert_allclose(_xy(computed)[1], np.log10(np.abs(r.grad[ok].astype(float))))
    inf = _line(ax, f"float32: inf ({int(r32.overflow.sum())} layers)")
    np.testing.assert_array_equal(_xy(inf)[0], layers[r32.overflow])
    np.testing.assert_allclose(_xy(inf)[1], np.log10(r32.largest))
    ceiling = _line(ax, f"largest float32: $10^{{{np.log10(r32.largest):.1f}}}$")
    np.testing.assert_allclose(_xy(ceiling)[1], [np.log10(r32.largest)] * 2)
    assert set(_legend_labels(ax)) == {ln.get_label() for ln in _labelled(ax)}
    _render(fig)


# --- parity circuits ---------------------------------------------------------------------------


def test_gate_counts_are_the_two_lines_and_the_highlight():
    counts = circuits.gate_counts(range(1, 9))
    fig, ax = figure()
    pcircuits.plot_gate_counts(counts, ax, highlight=6)
    two, deep = _labelled(ax)
    np.testing.assert_array_equal(_xy(two), (counts.n, counts.two_layer))
    keep = counts.deep > 0
    np.testing.assert_array_equal(_xy(deep), (counts.n[keep], counts.deep[keep]))
    i = int(np.flatnonzero(counts.n == 6)[0])
    rings = [_xy(ln) for ln in ax.get_lines() if ln.get_label().startswith("_")]
    assert sorted(float(y[0]) for _, y in rings) == sorted([counts.two_layer[i], counts.deep[i]])
    assert all(x[0] == 6 for x, _ in rings)
    assert f"{counts.two_layer[i]:,} gates in 2 layers" in ax.get_title()
    assert f"{counts.deep[i]:,} gates in {counts.deep_depth[i]} layers" in ax.get_title()
    _render(fig)


@pytest.mark.parametrize("n", [1, 5])
def test_circuit_shape_bars_are_the_gates_per_layer(n):
    shallow, deep = circuits.two_layer_parity(n), circuits.deep_parity(n)
    fig, axes = figure(1, 2, sharex=True)
    pcircuits.plot_circuit_shape(shallow, deep, axes)
    for ax, circuit in zip(axes, (shallow, deep)):
        widths = np.array([p.get_width() for p in ax.patches])
        np.testing.assert_array_equal(widths, circuit.gates_per_layer)
        np.testing.assert_allclose(
            [p.get_y() + p.get_height() / 2 for p in ax.patches], np.arange(1, circuit.depth + 1)
        )
        assert [t.get_text() for t in ax.texts] == [f"{g:,}" for g in circuit.gates_per_layer]
        assert (
            ax.get_title() == f"{circuit.name}: {circuit.n_gates:,} gates, {circuit.depth} layers"
        )
    _render(fig)


# --- unstable gradients: the interval, its width, the identity neuron, balance -------------------


@pytest.mark.parametrize("w, b", [(6.9, -3.45), (2.0, 0.0)])
def test_factor_interval_draws_the_factor_and_shades_the_interval(w, b):
    r = bound.factor_interval(w, b, n=301)
    fig, ax = figure()
    pbound.plot_factor_interval(r, ax)
    curve = _line(ax, r"$|w\,\sigma'(wa+b)|$")
    np.testing.assert_array_equal(_xy(curve)[0], r.a)
    np.testing.assert_allclose(_xy(curve)[1], r.factor)
    np.testing.assert_allclose(_xy(_line(ax, "factor 1"))[1], [1.0, 1.0])
    if r.endpoints is None:
        assert not ax.patches and f"peak {r.peak:.3g}, never 1" in " ".join(_legend_labels(ax))
    else:
        (span,) = ax.patches
        lo, hi = r.endpoints
        np.testing.assert_allclose([span.get_x(), span.get_x() + span.get_width()], [lo, hi])
        assert f"width {r.width:.3f}" in " ".join(_legend_labels(ax))
    assert ax.get_legend().get_title().get_text() == f"w = {r.w:.3g}, b = {r.b:.3g}"
    _render(fig)


def test_width_curve_marks_the_widest_and_the_current_weight():
    c = bound.width_curve(20.0, n=200)
    fig, ax = figure()
    pbound.plot_width_curve(c, ax, highlight=-9.0)
    np.testing.assert_array_equal(_xy(_line(ax, "width $W(|w|)$")), (c.w, c.width))
    widest = _line(ax, f"widest: {c.width_max:.3f} at |w| = {c.w_star:.2f}")
    np.testing.assert_allclose(_xy(widest), ([c.w_star], [c.width_max]))
    here = _line(ax, "|w| = 9")
    np.testing.assert_allclose(_xy(here), ([9.0], [bound.interval_width(9.0)]))
    _render(fig)


def test_factor_and_width_panels_draw_the_pair():
    r, c = bound.factor_interval(8.0, -4.0, n=301), bound.width_curve(20.0, n=200)
    fig = figure()[0]
    fig.delaxes(fig.axes[0])
    pbound.draw_factor_and_width(fig, (r, c))
    left, right = fig.axes
    np.testing.assert_allclose(_xy(_line(left, r"$|w\,\sigma'(wa+b)|$"))[1], r.factor)
    np.testing.assert_allclose(_xy(_line(right, "width $W(|w|)$"))[1], c.width)
    np.testing.assert_allclose(_xy(_line(right, "|w| = 8"))[1], [bound.interval_width(8.0)])
    assert (
        left.get_title() == f"factor \u2265 1 for a in [{r.endpoints[0]:.3f}, {r.endpoints[1]:.3f}]"
    )
    panel_labels = [
        t.get_text() for sub in fig.subfigs for lg in sub.legends for t in lg.get_texts()
    ]
    assert "factor 1" in panel_labels and "width $W(|w|)$" in panel_labels
    _render(fig)


def test_identity_error_draws_measured_and_taylor_and_the_best():
    c = identity.error_curve(1e-5, 4.0, n=12)
    fig, ax = figure()
    pidentity.plot_identity_error(c, ax)
    np.testing.assert_allclose(_xy(_line(ax, "measured worst error on [0, 1]")), (c.w1, c.error))
    np.testing.assert_allclose(_xy(_line(ax, r"Taylor estimate $w_1^2/96$")), (c.w1, c.taylor))
    i = int(np.argmin(c.error))
    best = [ln for ln in _labelled(ax) if ln.get_label().startswith("best:")]
    np.testing.assert_allclose(_xy(best[0]), ([c.w1[i]], [c.error[i]]))
    assert ax.get_xscale() == ax.get_yscale() == "log"
    _render(fig)


@pytest.fixture(scope="module")
def study():
    return balance.balance_study(
        ("sigmoid", "tanh", "relu", "identity"),
        depth=8,
        n_chains=40,
        weight_scales=np.geomspace(0.1, 30, 9),
        seed=0,
    )


def test_balance_draws_one_percent_line_per_activation(study):
    fig, ax = figure()
    pbalance.plot_balance(study, ax)
    lines = _labelled(ax)
    assert len(lines) == len(study.activations)
    for i, (name, line) in enumerate(zip(study.activations, lines)):
        assert line.get_label() == f"{name} (max derivative {study.max_derivative[i]:.3g})"
        np.testing.assert_allclose(
            _xy(line), (study.weight_scales, 100 * study.balanced_fraction[i])
        )
    assert _legend_labels(ax) == [ln.get_label() for ln in lines]
    assert ax.get_xscale() == "log"
    _render(fig)


def test_balance_spread_draws_each_median_and_band(study):
    fig, ax = figure()
    pbalance.plot_balance_spread(study, ax)
    for i, name in enumerate(study.activations):
        lo, med, hi = np.percentile(
            study.log10_ratio[i], [10, 50, 90], axis=-1, method="inverted_cdf"
        )
        ok = np.isfinite(med)
        label = f"{name}: median" if ok.any() else f"{name}: median gradient exactly 0"
        np.testing.assert_allclose(_xy(_line(ax, label)), (study.weight_scales[ok], med[ok]))
        paths = ax.collections[i].get_paths()
        keep = np.isfinite(lo) & np.isfinite(hi)
        if not keep.any():  # every chain switched off: no band to draw
            assert not paths
            continue
        band = paths[0].vertices  # the outline runs along lo and back along hi
        for x, low, high in zip(study.weight_scales[keep], lo[keep], hi[keep]):
            at_x = band[np.isclose(band[:, 0], x), 1]
            assert np.isclose(at_x, low).any() and np.isclose(at_x, high).any()
        assert np.isin(band[:, 0], study.weight_scales[keep]).all()
    assert len(ax.collections) == len(study.activations)
    _render(fig)


def test_ratio_spread_is_the_histogram_at_the_best_scale(study):
    fig, ax = figure()
    pbalance.plot_ratio_spread(study, "tanh", ax, bins=15)
    scale, frac = study.best("tanh")
    k = int(np.argmin(np.abs(study.weight_scales - scale)))
    r = study.log10_ratio[study.activations.index("tanh"), k]
    counts, _ = np.histogram(r[np.isfinite(r)], bins=15)
    np.testing.assert_array_equal(_bars(ax)[0], counts)
    assert f"balanced: {100 * frac:.0f}%" in _legend_labels(ax)
    assert ax.get_legend().get_title().get_text() == f"tanh, weight scale {scale:.3g}"
    _render(fig)


# --- MNIST: depth, speeds at initialisation and in training ---------------------------------------


@pytest.fixture(scope="module")
def digits():
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


@pytest.fixture(scope="module")
def depth(digits):
    (x, y), val = digits
    return network.depth_experiment(
        (x[:60], y[:60]),
        val,
        hidden_layers=(1, 2),
        width=8,
        epochs=2,
        seeds=(0, 1, 2),
        show_progress=False,
    )


@pytest.fixture(scope="module")
def at_init(digits):
    (x, y), _ = digits
    return speeds.speeds_at_init(x[:40], y[:40], hidden_layers=(2, 3), width=8, seeds=range(4))


BOOK_ACCURACY = [96.48, 96.90]
BOOK_SPEEDS = [[0.07, 0.31], [0.012, 0.060, 0.283]]


def test_depth_accuracy_draws_every_seed_the_mean_and_sd_and_the_book(depth):
    fig, ax = figure()
    pnetwork.plot_depth_accuracy(depth, ax, book=BOOK_ACCURACY)
    final = 100 * depth.final()
    h = np.array(depth.hidden_layers)
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert len(dots) == len(h)
    for i, line in enumerate(dots):
        np.testing.assert_allclose(_xy(line), (np.full(3, h[i] - 0.08), final[i]))
    (bars,) = ax.containers
    mean_line, _caps, (segments,) = bars.lines
    np.testing.assert_allclose(_xy(mean_line), (h + 0.08, final.mean(axis=1)))
    sd = final.std(axis=1, ddof=1)
    ends = np.array([[s[0][1], s[1][1]] for s in segments.get_segments()])
    np.testing.assert_allclose(ends, np.c_[final.mean(axis=1) - sd, final.mean(axis=1) + sd])
    np.testing.assert_allclose(_xy(_line(ax, "Nielsen's book (one run)")), (h, BOOK_ACCURACY))
    assert sorted(_legend_labels(ax)) == sorted(
        ["one seed (ours)", "mean ± sd over 3 seeds", "Nielsen's book (one run)"]
    )
    _render(fig)


@pytest.mark.parametrize("from_epoch", [1, 2])
def test_accuracy_curves_draw_the_mean_over_seeds_per_depth(depth, from_epoch):
    fig, ax = figure()
    pnetwork.plot_accuracy_curves(depth, ax, from_epoch=from_epoch)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == [f"{h} hidden" for h in depth.hidden_layers]
    assert _legend_labels(ax) == [ln.get_label() for ln in lines]
    epochs = np.arange(from_epoch, depth.epochs + 1)
    for line, acc, band in zip(lines, depth.accuracy, ax.collections):
        pct = 100 * acc[:, from_epoch - 1 :]
        np.testing.assert_allclose(_xy(line), (epochs, pct.mean(axis=0)), rtol=1e-6)
        outline = band.get_paths()[0].vertices[:, 1]
        assert np.isclose(outline.min(), pct.min(), rtol=1e-6) and np.isclose(
            outline.max(), pct.max(), rtol=1e-6
        )
    _render(fig)


def test_depth_table_rows_are_the_numbers(depth):
    table = pnetwork.depth_table(depth, BOOK_ACCURACY)
    rows = [[cell.strip() for cell in row.strip("|").split("|")] for row in table.splitlines()[2:]]
    final = 100 * depth.final()
    assert len(rows) == len(depth.hidden_layers)
    for i, (h, row) in enumerate(zip(depth.hidden_layers, rows)):
        assert row[0] == "[784, " + "30, " * h + "10]"
        mean, sd = (float(v) for v in row[1].split("±"))
        assert mean == pytest.approx(final[i].mean(), abs=0.005)
        assert sd == pytest.approx(final[i].std(ddof=1), abs=0.005)
        np.testing.assert_allclose([float(v) for v in row[2].split(",")], final[i], atol=0.005)
        assert float(row[3]) == BOOK_ACCURACY[i]
        assert float(row[4]) == pytest.approx(percentile_of(BOOK_ACCURACY[i], final[i]), abs=0.5)
    assert "Nielsen" not in pnetwork.depth_table(depth)


def test_neuron_gradient_bars_are_the_gradients(digits):
    (x, y), _ = digits
    ng = speeds.neuron_gradients(x[:30], y[:30], sizes=(784, 8, 8, 10), n_neurons=5)
    fig, ax = figure()
    pspeeds.plot_neuron_gradients(ng, ax)
    heights = _bars(ax)
    assert len(heights) == len(ng.gradients) == 2
    for k, (h, g) in enumerate(zip(heights, ng.gradients)):
        np.testing.assert_allclose(h, np.abs(g))
        np.testing.assert_allclose(_bar_x(ax, k), np.arange(1, 6) + (k - 0.5) * 0.4)
    assert _legend_labels(ax) == ["hidden layer 1", "hidden layer 2"]
    _render(fig)


def test_init_speeds_draw_median_and_quartiles_per_depth(at_init):
    fig, ax = figure()
    pspeeds.plot_init_speeds(at_init, ax, book=BOOK_SPEEDS)
    assert len(ax.containers) == len(at_init.profiles)
    for container, prof, book in zip(ax.containers, at_init.profiles, BOOK_SPEEDS):
        line, _caps, (segments,) = container.lines
        layers = np.arange(1, prof.speeds.shape[1] + 1)
        np.testing.assert_allclose(_xy(line), (layers, prof.median()))
        lo, hi = prof.quantiles()
        ends = np.array([[s[0][1], s[1][1]] for s in segments.get_segments()])
        np.testing.assert_allclose(ends, np.c_[lo, hi])
        crosses = [
            ln
            for ln in ax.get_lines()
            if ln.get_marker() == "x" and len(ln.get_xdata()) == len(book)
        ]
        assert any(np.allclose(_xy(c)[1], book) for c in crosses)
    assert sorted(_legend_labels(ax)) == [
        "2 hidden layers",
        "3 hidden layers",
        "Nielsen's book (one draw)",
    ]
    assert ax.get_yscale() == "log"
    _render(fig)


def test_init_speed_table_rows_are_the_numbers(at_init):
    rows = [
        [c.strip() for c in row.strip("|").split("|")]
        for row in pspeeds.init_speed_table(at_init, BOOK_SPEEDS).splitlines()[2:]
    ]
    expected = [
        (
            len(p.speeds[0]),
            l,
            p.median()[l],
            p.quantiles()[0][l],
            p.quantiles()[1][l],
            BOOK_SPEEDS[i][l],
        )
        for i, p in enumerate(at_init.profiles)
        for l in range(p.speeds.shape[1])
    ]
    assert len(rows) == len(expected) == 5
    for row, (h, l, med, lo, hi, book) in zip(rows, expected):
        assert row[:2] == [str(h), str(l + 1)]
        assert float(row[2]) == pytest.approx(med, rel=5e-3)
        low, high = (float(v) for v in row[3].split("–"))
        assert low == pytest.approx(lo, rel=5e-3) and high == pytest.approx(hi, rel=5e-3)
        assert float(row[4]) == book


def test_training_speeds_draw_each_seed_and_the_median_per_layer(digits):
    (x, y), _ = digits
    during = speeds.speeds_during_training(
        x[:40], y[:40], hidden_layers=3, width=8, steps=4, seeds=(0, 1), show_progress=False
    )
    fig, ax = figure()
    pspeeds.plot_training_speeds(during, ax)
    medians = _labelled(ax)
    assert [ln.get_label() for ln in medians] == [
        "hidden layer 1",
        "hidden layer 2",
        "hidden layer 3",
    ]
    faint = [ln for ln in ax.get_lines() if ln.get_label().startswith("_")]
    assert len(faint) == 2 * 3  # one per seed and layer
    for l, line in enumerate(medians):
        np.testing.assert_allclose(
            _xy(line), (np.arange(4), np.median(during.speeds[:, :, l], axis=0))
        )
        rows = sorted(tuple(_xy(f)[1]) for f in faint if f.get_color() == line.get_color())
        np.testing.assert_allclose(rows, sorted(tuple(r) for r in during.speeds[:, :, l]))
    assert ax.get_legend().get_title().get_text() == "3 hidden layers"
    _render(fig)


def test_speed_profile_bars_are_medians_and_dots_the_seeds(digits):
    (x, y), _ = digits
    prof = speeds.speed_profile(x[:40], y[:40], hidden_layers=3, width=8, seed=(0, 1, 2))
    fig, ax = figure()
    pspeeds.plot_speed_profile(prof, ax)
    np.testing.assert_allclose(_bars(ax)[0], prof.median())
    (dots,) = ax.get_lines()
    np.testing.assert_allclose(_xy(dots), (np.tile([1, 2, 3], 3), prof.speeds.ravel()))
    assert ax.texts[0].get_text() == "sigmoid, nielsen init, width 8"
    _render(fig)


# --- gradient records and the diagnosis ----------------------------------------------------------


@pytest.fixture(scope="module")
def trace(digits):
    from vgp_lib.models import build_mlp
    from vgp_lib.monitor import train_watched

    (x, y), _ = digits
    net = build_mlp(n_in=784, width=8, n_out=10, depth=4, seed=0, dtype=torch.float32)
    return train_watched(net, x[:100], y[:100], epochs=1, batch_size=20, lr=0.1, seed=0)


def test_gradient_record_draws_the_median_and_band_over_steps(trace):
    record = trace.record
    fig, axes = figure(1, 2)
    pmonitor.plot_gradient_record(record, axes[0], kind="delta", title="all steps")
    pmonitor.plot_gradient_record(record, axes[1], steps=slice(2, 3))
    x = np.arange(1, len(record.names) + 1)
    np.testing.assert_allclose(
        _xy(_line(axes[0], "median over steps")),
        (x, np.nanmedian(record.delta_norm, axis=0)),
        rtol=1e-6,
    )
    lo, hi = np.nanpercentile(record.delta_norm, [10, 90], axis=0)
    band = axes[0].collections[0].get_paths()[0].vertices
    for xi, low, high in zip(x, lo, hi):
        at_x = band[np.isclose(band[:, 0], xi), 1]
        assert np.isclose(at_x, low, rtol=1e-6).any() and np.isclose(at_x, high, rtol=1e-6).any()
    np.testing.assert_allclose(
        _xy(_line(axes[1], "one backward pass")), (x, record.weight_norm[2]), rtol=1e-6
    )
    assert not axes[1].collections  # one step has no spread
    assert [t.get_text() for t in axes[0].get_xticklabels()] == [
        n.replace("blocks.", "").replace(".linear", "") or "(model)" for n in record.names
    ]
    _render(fig)


def test_norm_history_draws_the_chosen_layers_over_steps(trace):
    record = trace.record
    n = len(record.names)
    fig, ax = figure()
    pmonitor.plot_norm_history(record, ax)
    lines = _labelled(ax)
    chosen = sorted({0, n // 2, n - 1})
    assert len(lines) == len(chosen)
    for line, j in zip(lines, chosen):
        np.testing.assert_allclose(
            _xy(line), (np.arange(1, record.n_steps + 1), record.weight_norm[:, j]), rtol=1e-6
        )
    assert _legend_labels(ax) == [ln.get_label() for ln in lines]
    _render(fig)


def test_training_trace_draws_the_three_symptoms_of_each_run(trace):
    axes = pmonitor.plot_training_trace(trace, label="broken", color="C3")
    pmonitor.plot_training_trace(trace, axes, label="fixed", color="C0")
    x = np.arange(1, len(trace.record.names) + 1)
    for label in ("broken", "fixed"):
        np.testing.assert_allclose(
            _xy(_line(axes[0], label)), (np.arange(1, len(trace.losses) + 1), trace.losses)
        )
        np.testing.assert_allclose(
            _xy(_line(axes[1], label)), (x, np.nanmedian(trace.update_ratio, axis=0))
        )
        np.testing.assert_allclose(
            _xy(_line(axes[2], label)),
            (x, np.nanmedian(trace.record.weight_norm, axis=0)),
            rtol=1e-6,
        )
    assert _legend_labels(axes[0]) == ["broken", "fixed"]
    _render(axes[0].figure)


# --- remedies -------------------------------------------------------------------------------------


def test_activation_comparison_draws_every_draw_the_boxes_and_the_book():
    comp = profiles.activation_comparison(
        ("sigmoid", "relu"), n_seeds=5, seed=0, sizes=(6, 5, 5, 3), batch=8
    )
    book = {"relu": 0.05}
    fig, ax = figure()
    pprofiles.plot_activation_comparison(comp, ax, book=book)
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "."]
    assert len(dots) == len(comp.names)
    for i, line in enumerate(dots):
        x, y = _xy(line)
        np.testing.assert_allclose(x, np.log10(comp.norms[i]))
        assert np.all(np.abs(y - (i + 1)) <= 0.18)
        median = np.median(np.log10(comp.norms[i]))
        assert any(
            len(ln.get_xdata()) == 2
            and np.allclose(_xy(ln)[0], [median, median])
            and np.isclose(_xy(ln)[1].mean(), i + 1)
            for ln in ax.get_lines()
        ), f"no median of {comp.names[i]}"
    np.testing.assert_allclose(_xy(_line(ax, "published single draw")), ([np.log10(0.05)], [2]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sigmoid", "ReLU"]
    _render(fig)


def test_derivatives_are_one_line_per_activation():
    curves = activations.derivative_curves(
        ("sigmoid", "relu", "leaky_relu"), z=np.linspace(-3, 3, 61)
    )
    fig, ax = figure()
    pactivations.plot_derivatives(curves, ax)
    lines = _labelled(ax)
    assert (
        [ln.get_label() for ln in lines] == ["sigmoid", "ReLU", "LeakyReLU"] == _legend_labels(ax)
    )
    for line, values in zip(lines, curves.values):
        np.testing.assert_allclose(_xy(line), (curves.z, values))
    assert [ln.get_linestyle() for ln in lines] == ["-", "--", "-"]
    _render(fig)


def test_variance_profiles_draw_both_variances_per_profile():
    profs = [
        profiles.init_variance("relu", "he", depth=4, width=8, batch=16, seed=0),
        profiles.init_variance("tanh", "xavier", gain=1.5, depth=4, width=8, batch=16, seed=0),
    ]
    axes = pprofiles.plot_variance_profiles(profs)
    labels = ["ReLU, he", "tanh, xavier × 1.5"]
    for ax, field in zip(axes, ("act_var", "grad_var")):
        lines = _labelled(ax)
        assert [ln.get_label() for ln in lines] == labels
        for line, p in zip(lines, profs):
            np.testing.assert_allclose(_xy(line), (np.arange(1, 5), getattr(p, field)), rtol=1e-6)
    assert _legend_labels(axes[0]) == labels
    _render(axes[0].figure)


@pytest.fixture(scope="module")
def profs():
    cfg = {"width": 6, "n_in": 5, "n_classes": 3, "batch": 8, "seed": 0}
    return (
        profiles.gradient_profile(depth=3, **cfg),
        profiles.gradient_profile(depth=3, activation="relu", init="he", **cfg),
    )


@pytest.mark.parametrize("kind", ["delta", "weight"])
def test_gradient_profiles_draw_one_line_per_profile(profs, kind):
    fig, ax = figure()
    pprofiles.plot_gradient_profiles(profs, ax, kind=kind)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == [p.label for p in profs] == _legend_labels(ax)
    for line, p in zip(lines, profs):
        norms = p.delta_norm if kind == "delta" else p.weight_norm
        np.testing.assert_allclose(_xy(line), (np.arange(1, len(norms) + 1), norms), rtol=1e-6)
    _render(fig)


def test_depth_sweep_draws_the_ratio_against_depth():
    cfg = {"width": 6, "n_in": 5, "n_classes": 3, "batch": 8, "seed": 0}
    sweeps = {
        "sigmoid": profiles.depth_sweep((1, 3, 5), **cfg),
        "ReLU": profiles.depth_sweep((1, 3, 5), activation="relu", **cfg),
    }
    fig, ax = figure()
    pprofiles.plot_depth_sweep(sweeps, ax)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == list(sweeps) == _legend_labels(ax)
    for line, sweep in zip(lines, sweeps.values()):
        np.testing.assert_allclose(_xy(line), ([1, 3, 5], [p.ratio for p in sweep]), rtol=1e-6)
    _render(fig)


def test_time_gradients_draw_each_cell_against_the_lag():
    cells = [recurrent.gradient_through_time(c, hidden=4, steps=8, seed=0) for c in ("rnn", "lstm")]
    fig, ax = figure()
    precurrent.plot_time_gradients(cells, ax)
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == ["vanilla RNN (tanh)", "LSTM"] == _legend_labels(ax)
    for line, r in zip(lines, cells):
        np.testing.assert_allclose(_xy(line), (r.lags, np.maximum(r.norms, 1e-300)))
    _render(fig)


def test_clipping_bars_are_the_components_before_and_after():
    exploding = chain.aligned_chain(4, w=100.0, a0=1.0)
    grad_w, grad_b = chain.grad_w_analytic(exploding), chain.grad_b_analytic(exploding)
    clipped = clipping.clip_by_global_norm([grad_w, grad_b], 1.0)
    g, gc = np.concatenate([grad_w, grad_b]), np.concatenate(clipped.grads)
    fig, ax = figure()
    pclipping.plot_clipping(g, gc, ax, n_show=g.size)
    before, after = _bars(ax)
    np.testing.assert_allclose(before, np.abs(g))
    np.testing.assert_allclose(after, np.abs(gc))
    np.testing.assert_allclose(_bar_x(ax, 0), np.arange(g.size) - 0.2)
    assert _legend_labels(ax) == [
        f"before: norm {np.linalg.norm(g):.3g}",
        f"after: norm {np.linalg.norm(gc):.3g}",
    ]
    _render(fig)


def test_training_comparison_draws_every_seed_the_medians_and_the_norms(digits):
    (x, y), (xv, yv) = digits
    configs = {
        "sigmoid, 3 layers": {"depth": 3, "activation": "sigmoid"},
        "ReLU + He": {"depth": 3, "activation": "relu", "init": "he"},
    }
    comp = training.training_comparison(
        configs, x[:60], y[:60], xv, yv, epochs=1, batch_size=20, lr=0.2, n_seeds=2, seed=0, width=8
    )
    axes = ptraining.plot_training_comparison(comp)
    ax_acc, ax_norm = axes
    dots = [ln for ln in ax_acc.get_lines() if ln.get_marker() == "o"]
    ticks = [ln for ln in ax_acc.get_lines() if ln.get_marker() == "|"]
    assert len(dots) == len(ticks) == 2
    for i, (d, t) in enumerate(zip(dots, ticks)):
        np.testing.assert_allclose(_xy(d), (100 * comp.accuracy[i], [i, i]))
        np.testing.assert_allclose(_xy(t), ([100 * np.median(comp.accuracy[i])], [i]))
    assert [t.get_text() for t in ax_acc.get_yticklabels()] == list(comp.names)
    lines = _labelled(ax_norm)
    assert [ln.get_label() for ln in lines] == list(comp.names) == _legend_labels(ax_norm)
    for line, w in zip(lines, comp.weight_norm):
        np.testing.assert_allclose(_xy(line), (np.arange(1, len(w) + 1), w), rtol=1e-6)
    _render(axes[0].figure)


# --- the drawing follows the data ----------------------------------------------------------------


def _scaled(result, field, factor):
    return dataclasses.replace(result, **{field: getattr(result, field) * factor})


def test_a_changed_chain_result_changes_the_drawing():
    r = chain.chain_profile(8, 2.0, 0.0, "sigmoid", seed=0)
    changed = _scaled(r, "grad", 1e3)
    drawn = []
    for result in (r, changed):
        _fig, ax = figure()
        pchain.plot_bias_gradients(result, ax)
        drawn.append(_xy(_labelled(ax)[0])[1])
    np.testing.assert_allclose(drawn[1], 1e3 * drawn[0])


def test_a_changed_study_or_depth_result_changes_the_drawing(study, depth):
    # every sigmoid chain's ratio 10^5 times larger: its balanced fraction changes
    shifted = study.log10_ratio.copy()
    shifted[0] += 5.0
    changed = dataclasses.replace(study, log10_ratio=shifted)
    assert not np.array_equal(changed.balanced_fraction[0], study.balanced_fraction[0])
    for s in (study, changed):
        _fig, ax = figure()
        pbalance.plot_balance(s, ax)
        np.testing.assert_allclose(_xy(_labelled(ax)[0])[1], 100 * s.balanced_fraction[0])

    fewer = dataclasses.replace(
        depth, hidden_layers=depth.hidden_layers[:1], accuracy=depth.accuracy[:1]
    )
    _fig, ax = figure()
    pnetwork.plot_accuracy_curves(fewer, ax)
    assert [ln.get_label() for ln in _labelled(ax)] == ["1 hidden"]  # one series, one legend entry
    assert pnetwork.depth_table(fewer).count("\n") == 2


def test_a_changed_profile_changes_the_drawing_and_the_table(profs, at_init):
    halved = [_scaled(p, "delta_norm", 0.5) for p in profs]
    _fig, ax = figure()
    pprofiles.plot_gradient_profiles(halved, ax)
    for line, p in zip(_labelled(ax), profs):
        np.testing.assert_allclose(_xy(line)[1], 0.5 * p.delta_norm, rtol=1e-6)

    doubled = dataclasses.replace(
        at_init, profiles=tuple(_scaled(p, "speeds", 2.0) for p in at_init.profiles)
    )
    first = [float(row.split("|")[3]) for row in pspeeds.init_speed_table(at_init).splitlines()[2:]]
    second = [
        float(row.split("|")[3]) for row in pspeeds.init_speed_table(doubled).splitlines()[2:]
    ]
    np.testing.assert_allclose(second, 2 * np.array(first), rtol=5e-3)
