"""What :mod:`vgp_lib.plots.jacobian` draws is the wide-network results' data: χ on the
phase plane and its critical line, the measured signs, measured against predicted
multipliers, the per-layer gradient norms and the slope χ predicts, the singular-value
histograms, their spread against depth, the slider frames and the explorer's panels.

Each test builds a real (small) result with the compute call the chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.contour import ContourSet
from matplotlib.patches import StepPatch

from tests.plotcheck import _labelled, _legend_labels, _line, _render, _xy
from vgp_lib import jacobian, meanfield
from vgp_lib.plots import figure
from vgp_lib.plots import jacobian as pjacobian
from vgp_lib.plots.scrub import slider
from vgp_lib.plots.style import blank_figure, house_style

SW = np.linspace(0.5, 3.0, 26)
SB = np.linspace(0.0, 0.4, 9)


@pytest.fixture(scope="module")
def grid():
    return meanfield.phase_grid("tanh", SW, SB)


@pytest.fixture(scope="module")
def measured():
    return jacobian.measured_phase("tanh", [0.6, 1.5, 2.8], [0.0, 0.3], width=60, depth=50, seed=0)


@pytest.fixture(scope="module")
def flows():
    settings = [("sigmoid", 1.0, 1.0), ("tanh", 1.0, 0.05), ("tanh", 2.0, 0.05)]
    return [
        jacobian.gradient_flow(
            activation=a, sigma_w2=w, sigma_b2=b, width=60, depth=20, n_seeds=4, seed=0
        )
        for a, w, b in settings
    ]


@pytest.fixture(scope="module")
def spectra():
    return [
        jacobian.spectrum(
            activation=a, sigma_w2=w, sigma_b2=0.0, width=40, depths=(1, 5, 20), weights=k, seed=0
        )
        for a, w in (("tanh", 1.0), ("relu", 2.0))
        for k in ("gaussian", "orthogonal")
    ]


def _steps(ax):
    """The step histograms of ``ax``: (counts, edges, label) per ``ax.stairs`` call."""
    out = []
    for patch in ax.patches:
        if isinstance(patch, StepPatch):
            values, edges, _ = patch.get_data()
            out.append((np.asarray(values), np.asarray(edges), patch.get_label()))
    return out


def _expected_counts(s, edges):
    with np.errstate(divide="ignore"):
        x = np.log10(np.asarray(s, dtype=float))
    return np.histogram(np.clip(x, edges[0], edges[-1]), bins=edges)[0]


# -- the phase diagram -----------------------------------------------------------------------------
def test_phase_diagram_colours_are_chi_on_a_log_scale_centred_at_one(grid, measured):
    fig, ax = figure(height=3.8)
    assert pjacobian.plot_phase_diagram(grid, measured, ax) is ax
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(grid.chi.shape), grid.chi)
    norm = mesh.norm
    assert type(norm).__name__ == "LogNorm"
    assert norm.vmin * norm.vmax == pytest.approx(1.0)  # 1 is the centre of the colour map
    assert norm.vmax >= grid.chi.max() and norm.vmin <= grid.chi.min()
    assert mesh.get_cmap().name == "RdBu_r"  # diverging: blue below 1, red above
    # the colour bar names both sides
    texts = {t.get_text() for a in fig.axes for t in a.texts}
    assert {"vanishing", "exploding"} <= texts
    _render(fig)


def test_phase_diagram_critical_line_is_the_contour_chi_equal_one(grid):
    fig, ax = figure(height=3.8)
    pjacobian.plot_phase_diagram(grid, ax=ax)
    (contour,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    np.testing.assert_array_equal(contour.levels, [1.0])
    vertices = np.concatenate([p.vertices for p in contour.get_paths() if len(p.vertices)])
    # tanh's critical point at sigma_b^2 = 0 is sigma_w^2 = 1 (within the grid's resolution)
    bottom = vertices[np.argmin(vertices[:, 1])]
    assert bottom[1] == pytest.approx(0.0, abs=1e-9)
    assert bottom[0] == pytest.approx(meanfield.critical_sigma_w2("tanh", 0.0), abs=SW[1] - SW[0])
    # every vertex lies where chi crosses 1: between grid points with chi on either side
    for x, y in vertices[:: max(1, len(vertices) // 10)]:
        j = min(np.searchsorted(SW, x), len(SW) - 1)
        i = min(np.searchsorted(SB, y), len(SB) - 1)
        block = grid.chi[max(i - 1, 0) : i + 1, max(j - 1, 0) : j + 1]
        assert block.min() <= 1.0 <= block.max()
    assert _legend_labels(ax) == [r"$\chi = 1$ (theory)"]
    _render(fig)


def test_phase_diagram_markers_are_the_measured_signs(grid, measured):
    fig, ax = figure(height=3.8)
    pjacobian.plot_phase_diagram(grid, measured, ax)
    down = _line(ax, r"measured $\|\delta^1\| < \|\delta^L\|$")
    up = _line(ax, r"measured $\|\delta^1\| \geq \|\delta^L\|$")
    assert (down.get_marker(), up.get_marker()) == ("v", "^")
    w, b = np.meshgrid(measured.sigma_w2s, measured.sigma_b2s)
    for line, mask in ((down, measured.log_ratio < 0), (up, measured.log_ratio >= 0)):
        np.testing.assert_array_equal(_xy(line)[0], w[mask])
        np.testing.assert_array_equal(_xy(line)[1], b[mask])
    assert len(_xy(down)[0]) + len(_xy(up)[0]) == measured.log_ratio.size
    assert len(_legend_labels(ax)) == 3
    _render(fig)


def test_phase_diagram_without_a_crossing_draws_no_contour():
    ordered = meanfield.phase_grid("tanh", [0.3, 0.5, 0.7], [0.0, 0.1])  # chi < 1 everywhere
    assert ordered.chi.max() < 1
    fig, ax = figure()
    pjacobian.plot_phase_diagram(ordered, ax=ax)
    assert not [c for c in ax.collections if isinstance(c, ContourSet)]
    assert ax.get_title(loc="left") == "tanh"
    _render(fig)


def test_phase_diagram_refuses_a_measurement_of_another_activation(grid):
    other = jacobian.measured_phase("relu", [2.0], [0.0], width=10, depth=5, seed=0)
    with pytest.raises(ValueError, match=r"\bmeasured\b"):
        pjacobian.plot_phase_diagram(grid, other)


# -- multipliers and gradient norms ----------------------------------------------------------------
def test_multipliers_are_measured_against_predicted_with_the_diagonal(flows):
    fig, ax = figure(height=3.8)
    pjacobian.plot_multipliers(flows, ax, labels=["Nielsen", "tanh ordered", "tanh chaotic"])
    points = _labelled(ax)[: len(flows)]
    for line, f, name in zip(points, flows, ["Nielsen", "tanh ordered", "tanh chaotic"]):
        np.testing.assert_array_equal(_xy(line), ([f.predicted_chi], [f.measured_chi]))
        assert line.get_label().startswith(name + ":")
    x, y = _xy(_line(ax, "measured = predicted"))
    np.testing.assert_array_equal(x, y)
    assert x.min() < min(f.measured_chi for f in flows) and x.max() > 1.0
    assert ax.get_xscale() == ax.get_yscale() == "log"
    _render(fig)


def test_multipliers_default_labels_name_the_settings(flows):
    fig, ax = figure(height=3.8)
    pjacobian.plot_multipliers(flows, ax)
    labels = [ln.get_label() for ln in _labelled(ax)[: len(flows)]]
    assert labels[0].startswith("sigmoid, gaussian, $\\sigma_w^2$ = 1, $\\sigma_b^2$ = 1:")
    assert labels[2].startswith("tanh, gaussian, $\\sigma_w^2$ = 2, $\\sigma_b^2$ = 0.05:")
    with pytest.raises(ValueError, match=r"\blabels\b"):
        pjacobian.plot_multipliers(flows, labels=["too few"])
    _render(fig)


def test_gradient_norms_draw_the_median_the_band_and_the_predicted_slope(flows):
    flow = flows[2]
    fig, ax = figure()
    pjacobian.plot_gradient_norms(flow, ax)
    depth = flow.norms.shape[1]
    layers = np.arange(1, depth + 1)
    median = np.median(flow.norms, axis=0)
    np.testing.assert_array_equal(_xy(_line(ax, "median of 4 seeds")), (layers, median))
    (predicted,) = [ln for ln in _labelled(ax) if ln.get_label().startswith(r"$\|\delta^L\|")]
    np.testing.assert_allclose(
        _xy(predicted), (layers, median[-1] * flow.predicted_chi ** ((depth - layers) / 2))
    )
    assert _xy(predicted)[1][-1] == median[-1]
    (band,) = ax.collections
    lo, hi = np.percentile(flow.norms, [25, 75], axis=0)
    edge = band.get_paths()[0].vertices
    for l, low, high in zip(layers, lo, hi):
        ys = edge[np.isclose(edge[:, 0], l), 1]
        assert np.isclose(ys.min(), low) and np.isclose(ys.max(), high)
    assert ax.get_yscale() == "log"
    _render(fig)


# -- singular values -------------------------------------------------------------------------------
def test_spectra_histograms_are_the_singular_values_of_each_depth(spectra):
    axes = pjacobian.plot_spectra(spectra)
    assert len(axes) == len(spectra)
    edges = None
    # titles: activation and weights, what tells these four apart (σ_w² follows the activation)
    titles = ["tanh, gaussian", "tanh, orthogonal", "ReLU, gaussian", "ReLU, orthogonal"]
    for ax, sp, label in zip(axes, spectra, titles):
        steps = _steps(ax)
        assert [s[2] for s in steps] == [f"L = {d}" for d in sp.depths]
        for (counts, bins, _), s in zip(steps, sp.singular_values):
            edges = bins if edges is None else edges
            np.testing.assert_array_equal(bins, edges)  # one set of bins for every panel
            np.testing.assert_array_equal(counts, _expected_counts(s, bins))
            assert counts.sum() == len(s) == 40  # every singular value is counted
        assert ax.get_title(loc="left") == label
    assert edges[0] < 0 < edges[-1]
    # ReLU's dead directions give singular values at rounding level: counted in the left bin
    assert "s \\approx 0" in axes[-1].get_xlabel()
    assert _legend_labels(axes[0].figure) == ["L = 1", "L = 5", "L = 20"]
    _render(axes[0].figure)


def test_spread_lines_are_each_spectrums_spread_against_depth(spectra):
    fig, ax = figure()
    pjacobian.plot_spread(spectra, ax, labels=["a", "b", "c", "d"])
    lines = _labelled(ax)
    assert [ln.get_label() for ln in lines] == ["a", "b", "c", "d"] == _legend_labels(ax)
    for line, sp in zip(lines, spectra):
        np.testing.assert_array_equal(_xy(line), (sp.depths, sp.spread))
    assert ax.get_yscale() == "symlog"  # rounding noise of an isometry (1e-30) sits at 0
    _render(fig)


def test_setting_labels_name_what_differs(spectra, flows):
    assert pjacobian.setting_labels(spectra) == [
        "tanh, gaussian, $\\sigma_w^2$ = 1",
        "tanh, orthogonal, $\\sigma_w^2$ = 1",
        "ReLU, gaussian, $\\sigma_w^2$ = 2",
        "ReLU, orthogonal, $\\sigma_w^2$ = 2",
    ]
    (single,) = pjacobian.setting_labels(flows[:1])
    assert single == "sigmoid, gaussian, $\\sigma_w^2$ = 1, $\\sigma_b^2$ = 1"
    with pytest.raises(TypeError, match=r"\bresults\b"):
        pjacobian.setting_labels([1.0])


# -- the slider frames and the explorer ------------------------------------------------------------
def test_spectrum_frames_step_through_the_shared_depths(spectra):
    frames = pjacobian.spectrum_frames(spectra[:2])
    assert [d for _, d in frames] == [1, 5, 20]
    assert all(item[0] == tuple(spectra[:2]) for item in frames)
    with house_style():
        fig = blank_figure(3.4)
        pjacobian.draw_spectrum_frame(fig, frames[-1])
    for ax, sp in zip(fig.axes, spectra[:2]):
        ((counts, bins, _),) = _steps(ax)
        np.testing.assert_array_equal(counts, _expected_counts(sp.singular_values[-1], bins))
        assert f"unevenness {pjacobian._short(sp.spread[-1])}" in ax.get_title(loc="left")
    assert "depth L = 20" in fig.get_supylabel()
    html = slider(
        pjacobian.draw_spectrum_frame,
        frames,
        values=[d for _, d in frames],
        label="depth L",
        alt=lambda d, item: f"singular values at depth {d}",
        start=2,
    ).data
    # desktop and phone drawings: of the frame shown, and of every frame
    assert html.count("data:image/png;base64,") == 2 * (1 + 3)
    assert "depth L" in html


def test_spectrum_frames_share_the_x_axis_across_depths_and_take_a_fixed_one(spectra):
    frames = pjacobian.spectrum_frames(spectra[:2])
    limits = set()
    for item in frames:
        with house_style():
            fig = blank_figure(3.4)
            pjacobian.draw_spectrum_frame(fig, item)
        limits.add(tuple(fig.axes[0].get_xlim()))
    assert len(limits) == 1
    with house_style():
        fig = blank_figure(3.4)
        pjacobian.draw_spectrum_frame(fig, frames[0], xlim=(-3.0, 1.0))
    assert fig.axes[0].get_xlim() == (-3.0, 1.0)
    with pytest.raises(ValueError, match=r"\bitem\b"):
        pjacobian.draw_spectrum_frame(blank_figure(3.4), (spectra[0], 7))
    with pytest.raises(ValueError, match=r"\bxlim\b"):
        pjacobian.draw_spectrum_frame(blank_figure(3.4), frames[0], xlim=(1.0, -1.0))


def test_four_spectra_titles_fit_side_by_side_and_in_rows_of_two_on_a_phone(spectra):
    # The wide-networks slider: four panels in the column, each titled with its network and
    # unevenness. Long setting labels used to print over each other (the fourth cut off).
    import pickle

    from vgp_lib.plots.display import drawings

    frames = pjacobian.spectrum_frames(spectra)
    with house_style():
        fig = blank_figure(3.6)
        pjacobian.draw_spectrum_frame(fig, frames[-1])
    titles = [ax.get_title(loc="left").split("\n")[0] for ax in fig.axes]
    assert titles == ["tanh, gaussian", "tanh, orthogonal", "ReLU, gaussian", "ReLU, orthogonal"]
    drawings(fig)  # raises if a text is cut or two print over each other, at either width
    phone = pickle.loads(pickle.dumps(fig))
    with house_style():
        pjacobian._rows_of_two(phone)
        phone.draw_without_rendering()
    boxes = [ax.get_position() for ax in phone.axes]
    assert boxes[0].y0 == pytest.approx(boxes[1].y0) and boxes[2].y0 == pytest.approx(boxes[3].y0)
    assert boxes[2].y1 < boxes[0].y0 and boxes[2].x0 == pytest.approx(boxes[0].x0)


def test_explorer_panels_are_the_spectrum_and_the_flow(spectra, flows):
    with house_style():
        fig = blank_figure(3.8)
        pjacobian.draw_jacobian_explorer(fig, (spectra[1], flows[1]))
    left, right = fig.axes
    ((counts, bins, _),) = _steps(left)
    np.testing.assert_array_equal(counts, _expected_counts(spectra[1].singular_values[-1], bins))
    np.testing.assert_array_equal(
        _xy(_line(right, "median of 4 seeds"))[1], np.median(flows[1].norms, axis=0)
    )
    _render(fig)
    with pytest.raises(TypeError, match=r"\bpair\b"):
        pjacobian.draw_jacobian_explorer(blank_figure(3.8), (flows[1], spectra[1]))


def test_nearby_inputs_draws_measured_dots_and_the_predicted_line():
    runs = [
        jacobian.nearby_inputs(
            activation="tanh",
            sigma_w2=w2,
            sigma_b2=0.1,
            width=60,
            depth=8,
            distance=1e-3,
            n_seeds=2,
            seed=0,
        )
        for w2 in (0.5, 3.0)
    ]
    fig, ax = figure()
    pjacobian.plot_nearby_inputs(runs, ax, labels=["ordered", "chaotic"])
    lines = ax.get_lines()
    dots = [ln for ln in lines if ln.get_marker() == "o"]
    assert len(dots) == 2
    for ln, r in zip(dots, runs):
        assert np.allclose(ln.get_ydata(), np.maximum(r.distance.mean(axis=0), 1e-9))
    assert "ordered" in _legend_labels(ax) and "mean-field prediction" in _legend_labels(ax)
    assert ax.get_yscale() == "log"
