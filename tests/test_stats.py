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


@pytest.mark.parametrize("value, sample, match", [
    (float("nan"), [1.0], "value"), ("1", [1.0], "value"), (True, [1.0], "value"),
    (1.0, [], "sample"), (1.0, [[1.0]], "sample"), (1.0, [np.inf], "sample"),
])
def test_percentile_of_rejects_bad_input(value, sample, match):
    with pytest.raises(ValueError, match=match):
        percentile_of(value, sample)


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
