"""vgp_lib.training: several architectures on one budget, on tiny synthetic data."""

import numpy as np
import pytest

from vgp_lib import training


def test_training_comparison_on_tiny_synthetic_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    configs = {
        "relu": dict(depth=2, activation="relu", init="he"),
        "deep sigmoid": dict(depth=8, activation="sigmoid", init="small"),
    }
    comp = training.training_comparison(
        configs,
        x[:80],
        y[:80],
        x[80:],
        y[80:],
        epochs=15,
        batch_size=16,
        lr=0.2,
        n_seeds=2,
        seed=0,
        width=8,
    )
    assert comp.accuracy.shape == (2, 2) and comp.names == ("relu", "deep sigmoid")
    assert comp.median_accuracy("relu") > 0.8
    assert comp.weight_norm[1][0] < 1e-6 * comp.weight_norm[1][-1]
    assert len(comp.losses[0]) == 15 * 5 and comp.budget["n_train"] == 80
    with pytest.raises(ValueError, match="configs"):
        training.training_comparison(
            {}, x, y, x, y, epochs=1, batch_size=4, lr=0.1, n_seeds=1, seed=0
        )


def test_training_comparison_refuses_epochs_beyond_the_limit():  # once it hung
    x = np.zeros((8, 3))
    y = np.array([0, 1] * 4)
    with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, 10000\]"):
        training.training_comparison(
            {"a": dict(depth=2)}, x, y, x, y, epochs=10**30, batch_size=4, lr=0.1, n_seeds=1, seed=0
        )


# --- the decisions a page makes from the runs ----------------------------------------


def _runs(**accuracy):
    names = tuple(accuracy)
    return training.TrainingComparison(
        names, np.array([accuracy[n] for n in names], dtype=float), (), (), {}
    )


def test_better_picks_the_higher_median_and_the_first_on_a_tie():
    runs = _runs(a=[0.5, 0.6, 0.9], b=[0.55, 0.65, 0.7])
    assert runs.better("a", "b") == "b" and runs.better("b", "a") == "b"
    tie = _runs(a=[0.5, 0.7], b=[0.6, 0.6])
    assert tie.better("a", "b") == "a" and tie.better("b", "a") == "b"


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ([0.1, 0.3], [0.2, 0.4], True),  # interleaved
        ([0.1, 0.2], [0.3, 0.4], False),  # apart
        ([0.1, 0.3], [0.3, 0.4], True),  # touching: a shared value counts
        ([0.1, 0.5], [0.2, 0.3], True),  # one inside the other
        ([0.2, 0.2], [0.2, 0.2], True),
    ],
)
def test_overlap_is_symmetric_and_counts_touching_ranges(a, b, expected):
    runs = _runs(a=a, b=b)
    assert runs.overlap("a", "b") is expected and runs.overlap("b", "a") is expected


def test_learned_asks_whether_any_run_of_the_named_configs_beats_the_bar():
    runs = _runs(a=[0.09, 0.11], b=[0.12, 0.25], c=[0.95, 0.97])
    assert not runs.learned(["a"], above=0.2)
    assert runs.learned(["a", "b"], above=0.2)
    assert not runs.learned(["a", "b"], above=0.25)  # strictly above
    assert runs.learned(["c"], above=0.2)
