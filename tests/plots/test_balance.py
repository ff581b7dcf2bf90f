"""What :mod:`vgp_lib.plots.balance` draws is the balance study's data: the ratio histogram,
the balanced fraction per activation, its spread, the histogram at the best scale.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np
import pytest

from tests.plotcheck import (
    _bar_x,
    _bars,
    _labelled,
    _legend_labels,
    _line,
    _render,
    _xy,
    balance_study,
)
from vgp_lib import balance
from vgp_lib.plots import balance as pbalance
from vgp_lib.plots import figure


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


@pytest.fixture(scope="module")
def study():
    return balance_study()


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
