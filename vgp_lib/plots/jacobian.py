"""Figures of wide random networks: the mean-field multiplier, the gradient's flow and the
Jacobian's singular values.

Each function draws results from :mod:`vgp_lib.meanfield` (a
:class:`~vgp_lib.meanfield.PhaseGrid`) or :mod:`vgp_lib.jacobian` (a
:class:`~vgp_lib.jacobian.PhaseMeasurement`, :class:`~vgp_lib.jacobian.GradientFlow` or
:class:`~vgp_lib.jacobian.Spectrum`) on optional axes and returns them, in the book's house
style (:mod:`vgp_lib.plots.style`). Nothing here computes theory: the lines and colours are
the results' own numbers. Legends sit above or beside the axes, never on the data.

The module is longer than most (about 600 lines) because it mirrors :mod:`vgp_lib.jacobian`
one to one: the wide-network chapter's figures and sliders, each with the phone layout it
needs; splitting it would split one chapter's figures across modules.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_instance, check_instances, check_real, check_sequence
from ..jacobian import GradientFlow, NearbyInputs, PhaseMeasurement, Spectrum
from ..meanfield import PhaseGrid
from . import check_axes, figure, get_axes
from .activations import ACTIVATION_NAMES
from .phone import on_phone, phone_layout
from .style import (
    PHONE_IN,
    house_style,
    integer_x,
    layer_colour,
    legend_above,
    legend_beside,
    reuse_panels,
    styled,
)

# The two draw_* functions are slider callbacks: the slider calls them with the frames
# spectrum_frames makes, so they are not part of the surface a reader calls.
__all__ = [
    "plot_gradient_norms",
    "plot_multipliers",
    "plot_nearby_inputs",
    "plot_phase_diagram",
    "plot_spectra",
    "plot_spread",
    "setting_labels",
    "spectrum_frames",
]

_FIGSIZE = (6.5, 3.6)
#: The widest colour range of the phase diagram: chi from 1/1e6 to 1e6 (beyond: end colours).
_CHI_RANGE = 1e6
#: Where the spread's axis turns from linear (below) to logarithmic.
_SPREAD_LINEAR = 1e-3
#: Bins of a singular-value histogram.
_BINS = 40
_SIGMA_W2 = r"$\sigma_w^2$"
_SIGMA_B2 = r"$\sigma_b^2$"
_LOG_S = r"$\log_{10} s$, singular values of $J$"


# -- labels ----------------------------------------------------------------------------------------
def _config(result) -> dict:
    return dict(result.config)


def setting_labels(results) -> list[str]:
    """One short label per :class:`~vgp_lib.jacobian.GradientFlow` or
    :class:`~vgp_lib.jacobian.Spectrum`: the settings that differ between them.

    Activation, weights, :math:`\\sigma_w^2`, :math:`\\sigma_b^2` and width are named only if
    they differ (activation and weights always; all four for a single result). Example::

        setting_labels([flow_a, flow_b])  # ['tanh, gaussian, $\\sigma_w^2$ = 1', '… = 2']
    """
    results = check_sequence("results", results, what="GradientFlow or Spectrum results")
    if not all(isinstance(r, (GradientFlow, Spectrum)) for r in results):
        raise TypeError("results must hold vgp_lib.jacobian GradientFlow or Spectrum results")
    configs = [_config(r) for r in results]
    keys = [k for k in ("activation", "weights", "sigma_w2", "sigma_b2", "width")]
    varying = ["activation", "weights"] + [
        k for k in keys[2:] if len({repr(c.get(k)) for c in configs}) > 1
    ]
    if len(results) == 1:
        varying = keys[:4]
    names = {
        "sigma_w2": r"$\sigma_w^2$ = {:.3g}",
        "sigma_b2": r"$\sigma_b^2$ = {:.3g}",
        "width": "width {}",
    }
    labels = []
    for c in configs:
        parts = []
        for k in varying:
            v = c.get(k)
            if v is None:
                continue
            if k == "activation":
                parts.append(ACTIVATION_NAMES.get(v, str(v)))
            elif k == "weights":
                parts.append(str(v))
            else:
                parts.append(names[k].format(v))
        labels.append(", ".join(parts))
    return labels


def _labels(labels, n: int) -> list[str] | None:
    """The ``labels`` option of a plot of ``n`` results: None, or one non-empty string each."""
    if labels is None:
        return None
    labels = check_sequence("labels", labels, what="strings, one per result", min_len=n, max_len=n)
    if not all(isinstance(t, str) and t.strip() for t in labels):
        raise ValueError(f"labels must be {n} non-empty strings (one per result), got {labels!r}")
    return list(labels)


# -- the phase diagram -----------------------------------------------------------------------------
@styled
def plot_phase_diagram(grid, measured=None, ax=None):
    """The :math:`(\\sigma_w^2, \\sigma_b^2)` plane: :math:`\\chi` as colour, the critical line
    :math:`\\chi = 1`, and the measured sign of :math:`\\log\\|\\delta^1\\|/\\|\\delta^L\\|`.

    ``grid`` is a :class:`vgp_lib.meanfield.PhaseGrid`; its :math:`\\chi` is drawn on a
    diverging colour map with a log scale centred at 1 (blue: vanishing, red: exploding), and
    the contour :math:`\\chi = 1` from the same numbers. ``measured`` (a
    :class:`vgp_lib.jacobian.PhaseMeasurement` of the same activation, optional) adds one
    marker per grid point: ▲ where :math:`\\|\\delta^1\\| \\ge \\|\\delta^L\\|` (exploding),
    ▼ where it is smaller (vanishing). Example::

        grid = meanfield.phase_grid("tanh", np.linspace(0.5, 4, 60), np.linspace(0, 0.5, 40))
        seen = jacobian.measured_phase("tanh", [1, 2, 3], [0.05, 0.3], width=100, depth=50, seed=0)
        fig, ax = figure(height=3.8)
        plot_phase_diagram(grid, seen, ax)

    On a phone (a figure holding only this diagram) the colour bar lies under the plane.
    """
    check_instance("grid", grid, PhaseGrid)
    if measured is not None:
        check_instance("measured", measured, PhaseMeasurement)
        if measured.activation != grid.activation:
            raise ValueError(
                f"measured must be of the grid's activation {grid.activation!r}, "
                f"got {measured.activation!r}"
            )
    ax = get_axes(ax, figsize=_FIGSIZE)
    _draw_phases(grid, measured, ax, bar_below=False)
    fig = ax.figure
    if len([a for a in fig.axes if getattr(a, "_colorbar", None) is None]) == 1:
        on_phone(fig, lambda _: _phases_on_phone(grid, measured, fig.get_figheight()))
    return ax


def _phases_on_phone(grid, measured, height: float):
    """The phase diagram drawn again for a phone: the colour bar under the plane, not beside."""
    fig, ax = figure(height=height + 1.2, width=PHONE_IN)
    with house_style():
        _draw_phases(grid, measured, ax, bar_below=True)
    return fig


def _chi_ticks(reach: float) -> tuple[list[float], list[str]]:
    """Ticks of the colour bar from 1/reach to reach: 0.2, 0.5, 1, 2, 5 or powers of ten."""
    if reach <= 20:
        ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20) if 1 / reach <= t <= reach]
        return ticks, [f"{t:g}" for t in ticks]
    top = int(np.floor(np.log10(reach)))
    step = max(1, -(-top // 3))
    powers = [e for e in range(-top, top + 1) if e % step == 0]
    return [10.0**e for e in powers], [f"$10^{{{e}}}$" for e in powers]


def _draw_phases(grid, measured, ax, *, bar_below: bool) -> None:
    from matplotlib.colors import LogNorm

    chi = np.asarray(grid.chi, dtype=float)
    positive = chi[chi > 0]
    reach = 1.0
    if positive.size:
        reach = max(float(positive.max()), 1.0 / float(positive.min()))
    reach = float(np.clip(reach, 10**0.25, _CHI_RANGE))  # symmetric about 1 on the log scale
    mesh = ax.pcolormesh(
        grid.sigma_w2s,
        grid.sigma_b2s,
        chi,
        shading="nearest",
        cmap="RdBu_r",
        norm=LogNorm(vmin=1.0 / reach, vmax=reach, clip=True),
        rasterized=True,
    )
    label = r"$\chi = \sigma_w^2\,E[\sigma'(z)^2]$ (log scale)"
    if bar_below:  # [vanishing ▮▮▮▮ exploding], the ends named beside the bar
        bar = ax.figure.colorbar(mesh, ax=ax, location="bottom", shrink=0.5, aspect=12)
        bar.ax.text(-0.04, 0.5, "vanishing", transform=bar.ax.transAxes, ha="right", va="center")
        bar.ax.text(1.04, 0.5, "exploding", transform=bar.ax.transAxes, ha="left", va="center")
    else:
        bar = ax.figure.colorbar(mesh, ax=ax, pad=0.02)
        bar.ax.text(0.5, 1.02, "exploding", transform=bar.ax.transAxes, ha="center", va="bottom")
        bar.ax.text(0.5, -0.02, "vanishing", transform=bar.ax.transAxes, ha="center", va="top")
    bar.set_label(label)
    ticks, tick_labels = _chi_ticks(reach)
    if bar_below:  # a short bar across the page: every other tick, counted out from 1
        centre = ticks.index(1)
        keep = [i for i in range(len(ticks)) if (i - centre) % 2 == 0]
        ticks, tick_labels = [ticks[i] for i in keep], [tick_labels[i] for i in keep]
    bar.set_ticks(ticks, labels=tick_labels)
    bar.minorticks_off()
    handles = []
    if chi.shape[0] >= 2 and chi.shape[1] >= 2 and chi.min() < 1.0 < chi.max():
        ax.contour(grid.sigma_w2s, grid.sigma_b2s, chi, levels=[1.0], colors="black", linewidths=2)
        (critical,) = ax.plot([], [], color="black", lw=2, label=r"$\chi = 1$ (theory)")
        handles.append(critical)
    if measured is not None:
        w, b = np.meshgrid(measured.sigma_w2s, measured.sigma_b2s)
        up = measured.log_ratio >= 0
        down = measured.log_ratio < 0
        for mask, marker, fill, label in (
            (down, "v", "black", r"measured $\|\delta^1\| < \|\delta^L\|$"),
            (up, "^", "white", r"measured $\|\delta^1\| \geq \|\delta^L\|$"),
        ):
            (line,) = ax.plot(
                w[mask],
                b[mask],
                ls="none",
                marker=marker,
                ms=7,
                mfc=fill,
                mec="black",
                mew=1.0,
                label=label,
            )
            handles.append(line)
    ax.set_xlabel(_SIGMA_W2 + " (weight variance × width)")
    ax.set_ylabel(_SIGMA_B2 + " (bias variance)")
    name = ACTIVATION_NAMES.get(grid.activation, grid.activation)
    if handles:  # in rows of at most two (one on a phone): three are wider than the plane
        ncol = 1 if bar_below else min(len(handles), 2)
        legend_above(ax, ncol=ncol, handles=handles, title=name, alignment="left")
    else:
        ax.set_title(name, loc="left")


# -- multipliers and gradient norms ----------------------------------------------------------------
@styled
def plot_multipliers(flows, ax=None, *, labels=None):
    """Measured against predicted per-layer multiplier :math:`\\chi` (log–log), one point per
    :class:`vgp_lib.jacobian.GradientFlow`, with the diagonal measured = predicted.

    ``labels`` (one string per flow) names the settings; by default :func:`setting_labels`.
    Example::

        flows = [jacobian.gradient_flow(activation="sigmoid", sigma_w2=1.0, sigma_b2=1.0,
                                        width=200, depth=30, n_seeds=5, seed=0), ...]
        plot_multipliers(flows, labels=["Nielsen's sigmoid", ...])
    """
    flows = check_instances("flows", flows, GradientFlow)
    labels = _labels(labels, len(flows)) or setting_labels(flows)
    ax = get_axes(ax, figsize=_FIGSIZE)
    markers = "osD^vP*Xh<>p"
    values = []
    for i, (f, label) in enumerate(zip(flows, labels)):
        ax.plot(
            [f.predicted_chi],
            [f.measured_chi],
            ls="none",
            marker=markers[i % len(markers)],
            ms=8,
            color=f"C{i % 10}",
            mec="black",
            mew=0.6,
            # a long setting name gets a line of its own: the legend beside stays narrow
            label=f"{label}:{chr(10) if len(label) > 16 else ' '}"
            f"{f.measured_chi:.3g} vs {f.predicted_chi:.3g}",
            zorder=3,
        )
        values += [f.predicted_chi, f.measured_chi]
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    lo, hi = (values.min(), values.max()) if values.size else (0.5, 2.0)
    lo, hi = min(lo, 1.0) / 1.5, max(hi, 1.0) * 1.5
    ax.plot([lo, hi], [lo, hi], color="grey", lw=1, ls="--", label="measured = predicted", zorder=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal", adjustable="box")
    ax.set_anchor("W")  # the square sits at the left, its legend beside it in the room left over
    ax.set_xlabel(r"predicted $\chi$ (mean field)")
    ax.set_ylabel(r"measured $\chi$")
    ax.grid(True, which="major", alpha=0.3)
    legend_beside(ax, title="setting: measured vs predicted")
    if len(ax.figure.axes) == 1:
        on_phone(ax.figure, _square_freed)
    return ax


def _square_freed(fig) -> None:
    """Phone layout of one square log-log axes: the generic one (the legend goes below),
    the axes free of their square and about as tall as the column is wide."""
    phone_layout(fig)
    (ax,) = fig.axes
    ax.set_aspect("auto")
    fig.draw_without_rendering()
    legend = ax.get_legend().get_window_extent().height / fig.dpi
    fig.set_size_inches(PHONE_IN, min(PHONE_IN + legend + 0.2, 12.0))


@styled
def plot_gradient_norms(flow, ax=None):
    """:math:`\\|\\delta^l\\|` against the layer :math:`l` (log axis): the median over seeds, its
    25–75 % band, and the mean-field line :math:`\\|\\delta^L\\|\\,\\chi^{(L-l)/2}` through the
    median at the output layer.

    ``flow`` is a :class:`vgp_lib.jacobian.GradientFlow`. Example::

        flow = jacobian.gradient_flow(activation="tanh", sigma_w2=1.5, sigma_b2=0.05,
                                      width=200, depth=50, n_seeds=5, seed=0)
        plot_gradient_norms(flow)
    """
    check_instance("flow", flow, GradientFlow)
    ax = get_axes(ax, figsize=_FIGSIZE)
    norms = np.asarray(flow.norms, dtype=float)
    depth = norms.shape[1]
    layers = np.arange(1, depth + 1)
    median = np.median(norms, axis=0)
    lo, hi = np.percentile(norms, [25, 75], axis=0)
    ax.fill_between(layers, lo, hi, color="C0", alpha=0.25, lw=0, label="25–75 % of seeds")
    ax.plot(layers, median, "o-", ms=3, color="C0", lw=1.6, label=f"median of {len(norms)} seeds")
    predicted = median[-1] * flow.predicted_chi ** ((depth - layers) / 2)
    ax.plot(
        layers,
        predicted,
        color="C3",
        ls="--",
        lw=1.6,
        label=rf"$\|\delta^L\|\,\chi^{{(L-l)/2}}$, $\chi$ = {flow.predicted_chi:.3g}",
    )
    ax.set_yscale("log")
    integer_x(ax)
    ax.set_xlabel("layer l (input side → output)")
    ax.set_ylabel(r"$\|\delta^l\| = \|\partial C/\partial b^l\|$")
    ax.grid(True, which="major", alpha=0.3)
    legend_above(ax)
    return ax


#: The floor of the nearby-inputs chart: distances below it (merged inputs) sit on it.
_DISTANCE_FLOOR = 1e-9


@styled
def plot_nearby_inputs(results, ax=None, *, labels=None):
    """The distance 1 - c between two nearby inputs against the layer (log axis), one colour per
    :class:`vgp_lib.jacobian.NearbyInputs`: dots the mean over its networks, dashed the
    mean-field path. Distances below 10⁻⁹ (the inputs have merged) are drawn on the floor.

    ``labels`` (one string per result) names the settings; by default their χ. Example::

        runs = [jacobian.nearby_inputs(activation="tanh", sigma_w2=w2, sigma_b2=0.1, width=200,
                                       depth=20, distance=1e-3, n_seeds=3, seed=0)
                for w2 in (0.5, 3.0)]
        plot_nearby_inputs(runs, labels=["ordered", "chaotic"])
    """
    results = check_instances("results", results, NearbyInputs)
    labels = _labels(labels, len(results)) or [rf"$\chi$ = {r.chi:.3g}" for r in results]
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, (r, label) in enumerate(zip(results, labels)):
        measured = np.maximum(np.mean(r.distance, axis=0), _DISTANCE_FLOOR)
        predicted = np.maximum(r.predicted, _DISTANCE_FLOOR)
        layers = np.arange(1, measured.size + 1)
        colour = f"C{i % 10}"
        ax.plot(layers, measured, "o", ms=4, color=colour, label=label)
        ax.plot(layers, predicted, "--", lw=1.4, color=colour)
    ax.plot([], [], "--", color="grey", lw=1.4, label="mean-field prediction")
    ax.set_yscale("log")
    ax.set_ylim(_DISTANCE_FLOOR / 2, 2.0)
    integer_x(ax)
    ax.set_xlabel("layer l")
    ax.set_ylabel("distance 1 − c between\nthe two inputs' z")
    ax.grid(True, which="major", alpha=0.3)
    legend_beside(ax)
    return ax


# -- singular values of the input-output Jacobian --------------------------------------------------
def _log_s(s) -> np.ndarray:
    """log10 of singular values; an exact 0 becomes -inf (placed in the lowest bin)."""
    s = np.asarray(s, dtype=float)
    with np.errstate(divide="ignore"):
        return np.log10(s)


def _log_range(spectra) -> tuple[float, float]:
    """The range of log10 s over every depth of every spectrum (one bin grid for all).

    It starts no lower than float64's resolution, ``log10(max s · n · eps)`` (numpy's
    tolerance for a numerically zero singular value): smaller ones, rounding noise of an
    exact 0 (a ReLU layer's dead units), are counted in the lowest bin.
    """
    arrays = [np.asarray(s, dtype=float) for sp in spectra for s in sp.singular_values]
    values = np.concatenate([_log_s(s) for s in arrays])
    finite = values[np.isfinite(values)]
    if not finite.size:
        return -1.0, 1.0
    tol = max(float(s.max()) * s.size * np.finfo(float).eps for s in arrays)
    floor = np.log10(tol) if tol > 0 else -np.inf
    lo, hi = min(max(float(finite.min()), floor), 0.0), max(float(finite.max()), 0.0)
    pad = max(0.05 * (hi - lo), 0.05)
    return lo - pad, hi + pad


def _histogram(ax, s, edges, **kw):
    """A step histogram of log10 s on ``edges`` (values outside go to the end bins)."""
    x = np.clip(_log_s(s), edges[0], edges[-1])
    counts, _ = np.histogram(x, bins=edges)
    return ax.stairs(counts, edges, lw=1.8, **kw)


def _zero_note(arrays, edges) -> str:
    """An x-label suffix if some singular value is below the bins (numerically 0)."""
    low = any((_log_s(a) < edges[0]).any() for a in arrays)
    return r" (left bin: $s \approx 0$)" if low else ""


def _depth_handles(depths):
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], color=layer_colour(i), lw=1.8, label=f"L = {d}")
        for i, d in enumerate(depths)
    ]


@styled
def plot_spectra(spectra, axes=None, *, labels=None):
    """Histograms of :math:`\\log_{10}` of the input–output Jacobian's singular values, one
    panel per :class:`vgp_lib.jacobian.Spectrum` and one step line per depth.

    All panels share one set of bins, so a distribution that stays at :math:`s = 1` (dashed) is
    a spike and one that spreads is wide. At most six panels; with ``axes=None`` a new figure
    (one row for up to two spectra, else two). Example::

        spectra = [jacobian.spectrum(activation=a, sigma_w2=w, sigma_b2=0.0, width=200,
                                     depths=(1, 10, 50, 100), weights=k, seed=0)
                   for a, w in (("tanh", 1.0), ("relu", 2.0)) for k in ("gaussian", "orthogonal")]
        axes = plot_spectra(spectra)
    """
    spectra = check_instances("spectra", spectra, Spectrum)
    if len(spectra) > 6:
        raise ValueError(f"spectra must hold at most 6 Spectrum results, got {len(spectra)}")
    labels = _labels(labels, len(spectra)) or _panel_labels(spectra)
    n = len(spectra)
    if axes is None:
        rows = 1 if n <= 2 else 2
        _, grid = figure(
            rows, -(-n // rows), height=3.4 if rows == 1 else 5.6, sharex=True, sharey=True
        )
        panels = list(np.ravel(np.asarray(grid, dtype=object)))
        for extra in panels[n:]:
            extra.set_visible(False)
        panels = panels[:n]
    else:
        panels = list(np.ravel(np.asarray(check_axes(axes, n), dtype=object)))
    lo, hi = _log_range(spectra)
    edges = np.linspace(lo, hi, _BINS + 1)
    depths = sorted({d for sp in spectra for d in sp.depths})
    for ax, sp, label in zip(panels, spectra, labels):
        for d, s in zip(sp.depths, sp.singular_values):
            _histogram(ax, s, edges, color=layer_colour(depths.index(d)), label=f"L = {d}")
        ax.axvline(0.0, color="grey", lw=1, ls=":")
        ax.set_title(label, loc="left")
        ax.grid(True, axis="x", alpha=0.3)
        ax.set_ylabel("count")
    for ax in panels:  # shared x: one label under each column
        if ax.get_subplotspec() is None or ax.get_subplotspec().is_last_row():
            note = _zero_note([a for sp in spectra for a in sp.singular_values], edges)
            ax.set_xlabel((_LOG_S if n == 1 else r"$\log_{10} s$") + note)
    # one legend for every panel, above them all (the figure's constrained layout makes room)
    panels[0].figure.legend(
        handles=_depth_handles(depths), loc="outside upper center", ncol=min(len(depths), 6)
    )
    return panels


@styled
def plot_spread(spectra, ax=None, *, labels=None):
    """The spread of the Jacobian's singular values against depth: each
    :class:`vgp_lib.jacobian.Spectrum`'s ``spread``, :math:`\\mathrm{Var}(s^2)/E[s^2]^2` (0 when
    every direction is scaled alike, 1 when half are zeroed), one line per spectrum.
    The y axis is logarithmic above 10⁻³ and linear below (rounding noise sits at 0). Example::

        plot_spread(spectra, labels=["tanh, Gaussian", "tanh, orthogonal", ...])
    """
    spectra = check_instances("spectra", spectra, Spectrum)
    labels = _labels(labels, len(spectra)) or setting_labels(spectra)
    ax = get_axes(ax, figsize=_FIGSIZE)
    for i, (sp, label) in enumerate(zip(spectra, labels)):
        ax.plot(sp.depths, sp.spread, "o-", ms=4, color=f"C{i % 10}", lw=1.6, label=label)
    # logarithmic above 1e-3, linear below: rounding noise (1e-30 for an exact isometry) sits at 0
    ax.set_yscale("symlog", linthresh=_SPREAD_LINEAR, linscale=0.5)
    ax.set_ylim(bottom=-0.3 * _SPREAD_LINEAR)  # a spread of 0 above the x axis, not on it
    integer_x(ax)
    ax.set_xlabel("depth L")
    ax.set_ylabel(r"unevenness  Var$(s^2)\,/\,E[s^2]^2$")
    ax.grid(True, which="major", alpha=0.3)
    legend_beside(ax)
    return ax


# -- the slider figure and the widget --------------------------------------------------------------
def _frame(item):
    """``item`` = (spectra, depth), a frame of :func:`spectrum_frames`: a Spectrum or up to
    four, and one of their depths; the spectra come back as a list."""
    spectra, depth = item
    spectra = check_instances(
        "item", [spectra] if isinstance(spectra, Spectrum) else spectra, Spectrum
    )
    if not all(depth in sp.depths for sp in spectra):
        raise ValueError(f"item asks for depth {depth!r}, not one of every spectrum's depths")
    return spectra, depth


def spectrum_frames(spectra) -> list[tuple]:
    """The frames of a slider over depth: ``(spectra, depth)`` for each depth every spectrum
    holds. Use with :func:`draw_spectrum_frame` and :func:`vgp_lib.plots.scrub.slider`::

        frames = spectrum_frames([gaussian, orthogonal])
        slider(draw_spectrum_frame, frames, values=[d for _, d in frames], label="depth L",
               alt=lambda d, item: f"singular values at depth {d}", start=len(frames) - 1)
    """
    spectra = tuple(check_instances("spectra", spectra, Spectrum))
    common = [d for d in spectra[0].depths if all(d in sp.depths for sp in spectra[1:])]
    if not common:
        raise ValueError("spectra must share at least one depth, got none in common")
    return [(spectra, d) for d in common]


@styled
def draw_spectrum_frame(fig, item, *, xlim=None, labels=None):
    """One slider frame: the singular values at one depth, one panel per spectrum, side by side.

    ``item`` is ``(spectra, depth)``: a :class:`vgp_lib.jacobian.Spectrum` (or up to four),
    and one of their depths (see :func:`spectrum_frames`). The bins span every depth of the
    spectra given, so frames over depth share one x axis; for frames over :math:`\\sigma_w^2`
    (one spectrum list per value) pass the same ``xlim = (lo, hi)`` in log10 s to each, e.g.
    ``functools.partial(draw_spectrum_frame, xlim=(-4, 1))``. ``labels`` names the panels
    (short names: four panels share the column); by default activation and weights, or
    :func:`setting_labels` if those two do not tell the spectra apart.
    On a phone, more than two panels go in rows of two.
    """
    spectra, depth = _frame(item)
    labels = _labels(labels, len(spectra)) or _panel_labels(spectra)
    if xlim is None:
        lo, hi = _log_range(spectra)
    else:
        xlim = check_sequence("xlim", xlim, what="limits (lo, hi)", min_len=2, max_len=2)
        lo, hi = (check_real("xlim", v) for v in xlim)
        if not lo < hi:
            raise ValueError(f"xlim must be (lo, hi) with lo < hi, got {xlim!r}")
    edges = np.linspace(lo, hi, _BINS + 1)
    axes = fig.subplots(1, len(spectra), sharex=True, sharey=True, squeeze=False)[0]
    shown = []
    for i, (ax, sp, label) in enumerate(zip(axes, spectra, labels)):
        k = sp.depths.index(depth)
        shown.append(sp.singular_values[k])
        _histogram(ax, sp.singular_values[k], edges, color=f"C{i % 10}", fill=True, alpha=0.7)
        ax.axvline(0.0, color="grey", lw=1, ls=":")
        ax.set_xlim(lo, hi)
        ax.set_title(f"{label}\nunevenness {_short(sp.spread[k])}", loc="left")
        ax.grid(True, axis="x", alpha=0.3)
    # one label for all panels: a label under each would run into its neighbours'
    fig.supxlabel(r"$\log_{10} s$" + _zero_note(shown, edges))
    fig.supylabel(f"count (depth L = {depth})")
    if len(spectra) > 2:
        on_phone(fig, _rows_of_two)
    return fig


def _panel_labels(spectra) -> list[str]:
    """Panel titles: activation and weights of each spectrum if they tell them apart, else
    :func:`setting_labels` in two lines (panels side by side have little room)."""
    parts = [label.split(", ") for label in setting_labels(spectra)]
    short = [", ".join(p[:2]) for p in parts]
    if len(set(short)) == len(short):
        return short
    return [", ".join(p[:2]) + (",\n" + ", ".join(p[2:]) if p[2:] else "") for p in parts]


def _short(value: float) -> str:
    """A number in at most about six characters: 172, 9.7, 0.0006, and ≈ 0 for rounding noise."""
    if abs(value) < 5e-5:
        return "\u2248 0"
    if abs(value) < 0.01:
        return f"{value:.1g}"
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.2g}"


def _rows_of_two(fig) -> None:
    """Phone layout of a spectrum frame: the panels side by side go in rows of two."""
    from matplotlib.gridspec import GridSpec

    axes = fig.axes
    rows = -(-len(axes) // 2)
    fig.set_size_inches(PHONE_IN, 1.2 + 2.0 * rows)
    grid = GridSpec(rows, 2, figure=fig)
    for i, ax in enumerate(axes):
        ax.set_subplotspec(grid[i // 2, i % 2])
        ax.tick_params(axis="y", labelleft=i % 2 == 0)
        ax.tick_params(axis="x", labelbottom=i // 2 == rows - 1 or i + 2 >= len(axes))


@styled
def draw_jacobian_explorer(fig, pair):
    """Both panels of the Jacobian explorer: ``pair = (Spectrum, GradientFlow)`` of one network
    setting; left the singular values at the spectrum's largest depth, right
    :math:`\\|\\delta^l\\|` against the layer (:func:`plot_gradient_norms`).
    """
    sp = check_instance("pair", pair[0], Spectrum)  # pair = (Spectrum, GradientFlow)
    flow = check_instance("pair", pair[1], GradientFlow)
    left, right = reuse_panels(fig, "jacobian-explorer", lambda f: tuple(f.subplots(1, 2)))
    k = int(np.argmax(sp.depths))
    s = sp.singular_values[k]
    edges = np.linspace(*_log_range([sp]), _BINS + 1)
    _histogram(left, s, edges, color="C0", fill=True, alpha=0.7)
    left.axvline(0.0, color="grey", lw=1, ls=":")
    note = _zero_note([s], edges)
    left.set_xlabel(r"$\log_{10} s$" + (note or r" (singular values of $J$)"))
    left.set_ylabel("count")
    left.set_title(f"depth {sp.depths[k]}: unevenness {sp.spread[k]:.3g}", loc="left")
    plot_gradient_norms(flow, right)
    return fig
