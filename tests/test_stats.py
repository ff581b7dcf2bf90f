import numpy as np
import pytest

from vgp_lib.stats import count_order_changes, percentile_of


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


@pytest.mark.parametrize(
    "bad,error",
    [
        (np.full((1, 2, 2), "a"), TypeError),
        (np.ones((1, 2, 2)) + 1j, TypeError),
        (np.full((1, 2, 2), np.inf), ValueError),
        (np.full((1, 2, 2), np.nan), ValueError),
        (np.array([10**400] * 2, dtype=object), ValueError),
    ],
)
def test_count_order_changes_refuses_non_finite_or_non_real_speeds(bad, error):
    with pytest.raises(error, match=r"^speeds must"):
        count_order_changes(bad)


def test_count_order_changes_finds_the_steps_where_layers_swap():
    s = np.ones((2, 4, 3)) * np.array([1.0, 2.0, 3.0])
    s[1, 1:3, 0] = 2.5  # run 1: layer 1 overtakes layer 2 on two steps
    assert count_order_changes(s).tolist() == [0, 2]
    s[0, 3, 2] = 2.0  # a tie is not an order
    assert count_order_changes(s).tolist() == [1, 2]
    with pytest.raises(ValueError, match="speeds"):
        count_order_changes(np.ones((2, 3)))
    with pytest.raises(ValueError, match="speeds"):
        count_order_changes(np.ones((2, 3, 1)))
