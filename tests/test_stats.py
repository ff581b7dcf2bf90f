import numpy as np
import pytest

from vgp_lib.stats import (
    DRAW_KINDS,
    clearly_different,
    count_between,
    draw_kind,
    percentile_of,
    trend,
)


def test_percentile_of_counts_the_share_below_with_ties_halved():
    sample = [1.0, 2.0, 3.0, 4.0]
    assert percentile_of(0.5, sample) == 0
    assert percentile_of(5, sample) == 100
    assert percentile_of(2.5, sample) == 50
    assert percentile_of(2.0, sample) == pytest.approx(37.5)
    assert percentile_of(np.float32(3.0), np.array(sample)) == pytest.approx(62.5)


@pytest.mark.parametrize(
    "value, sample, error, match",
    [
        (float("nan"), [1.0], ValueError, "value"),
        ("1", [1.0], TypeError, "value"),
        (True, [1.0], TypeError, "value"),
        (10**400, [1.0], ValueError, "value"),
        (1.0, [], ValueError, "sample"),
        (1.0, [[1.0]], ValueError, "sample"),
        (1.0, [np.inf], ValueError, "sample"),
        (1.0, ["a"], TypeError, "sample"),
        (1.0, [1 + 2j], TypeError, "sample"),
        (1.0, np.array([10**400], dtype=object), ValueError, "sample"),
    ],
)
def test_percentile_of_rejects_bad_input(value, sample, error, match):
    # Issue 12: 10**400 and object arrays of it raised OverflowError, complex samples were cast
    # to real with a warning, strings gave numpy's conversion error.
    with pytest.raises(error, match=rf"^{match} must"):
        percentile_of(value, sample)


# --- the decisions the chapters' sentences rest on ---------------------------------


def test_clearly_different_compares_the_gap_with_two_standard_errors_of_a_difference():
    # sds 1 in both groups of 2 runs: the threshold is 2 * 1 * sqrt(2 / 2) = 2
    assert clearly_different([[0.0, 1.414], [3.1, 4.514]])
    assert not clearly_different([[0.0, 1.414], [1.9, 3.314]])
    # the middle groups do not matter, only the best and the worst mean
    assert clearly_different([[0.0, 0.0, 0.0], [0.5, 0.5, 0.5], [1.0, 1.0, 1.0001]])


def test_clearly_different_needs_a_spread_unless_the_runs_agree_exactly():
    assert not clearly_different([[1.0, 1.0], [1.0, 1.0]])  # no gap at all
    assert clearly_different([[1.0, 1.0], [1.1, 1.1]])  # no spread, any gap is clear


def test_clearly_different_matches_the_formula_on_random_runs():
    rng = np.random.default_rng(0)
    for _ in range(50):
        runs = rng.normal(96, 0.3, (4, 3)) + rng.normal(0, 0.3, (4, 1))
        means, sds = runs.mean(axis=1), runs.std(axis=1, ddof=1)
        expected = means.max() - means.min() > 2 * np.sqrt(np.mean(sds**2)) * np.sqrt(2 / 3)
        assert clearly_different(runs) == expected


@pytest.mark.parametrize("samples", [[[1.0, 2.0]], [[1.0], [2.0]], [1.0, 2.0], [[1.0, np.nan]] * 2])
def test_clearly_different_refuses_fewer_than_two_groups_or_runs(samples):
    with pytest.raises(ValueError, match="samples"):
        clearly_different(samples)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([1, 2, 3, 4], "rises"),
        ([4, 3, 2, 1], "falls"),
        ([1, 3, 2, 2], "mixed, first up"),
        ([3, 1, 2, 4], "mixed, first not up"),
        ([1, 1, 2], "mixed, first not up"),  # a flat step is not a rise
        ([2, 2], "mixed, first not up"),
        ([1, 2], "rises"),
    ],
)
def test_trend_reads_every_step(values, expected):
    assert trend(values) == expected


@pytest.mark.parametrize("values", [[1.0], [], [[1.0, 2.0]]])
def test_trend_needs_a_sequence_of_two_or_more(values):
    with pytest.raises(ValueError, match="values"):
        trend(values)


def test_count_between_includes_both_ends_and_broadcasts_scalars():
    assert count_between([1.0, 2.0, 3.0], [1.0, 2.5, 0.0], [1.0, 3.0, 2.9]) == 1
    assert count_between([0.5, 1.0, 1.5], 0.0, 1.0) == 2
    assert count_between([], 0.0, 1.0) == 0


def test_count_between_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="lo and hi"):
        count_between([1.0, 2.0, 3.0], [0.0, 0.0], [5.0, 5.0])


@pytest.mark.parametrize(
    "rank, kind",
    [
        (100, "lucky"),
        (97.6, "lucky"),
        (97.5, "favourable"),
        (75.1, "favourable"),
        (75, "ordinary"),
        (50, "ordinary"),
        (25, "ordinary"),
        (24.9, "unfavourable"),
        (2.5, "unfavourable"),
        (2.4, "unlucky"),
        (0, "unlucky"),
    ],
)
def test_draw_kind_splits_the_percentiles_at_the_stated_edges(rank, kind):
    assert draw_kind(rank) == kind
    assert kind in DRAW_KINDS


@pytest.mark.parametrize("rank, error", [(101, ValueError), (-1, ValueError), ("50", TypeError)])
def test_draw_kind_refuses_a_rank_outside_0_to_100(rank, error):
    with pytest.raises(error, match="rank"):
        draw_kind(rank)
