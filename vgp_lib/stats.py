"""Where a single published number falls in a distribution we measured."""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_real


def percentile_of(value, sample) -> float:
    """The percentile rank of ``value`` in ``sample``: the share of the sample below it, in %.

    Ties count half, so a value equal to every element has rank 50, a value above
    them all 100 and one below them all 0.
    """
    value = check_real("value", value)
    sample = check_array("sample", sample)
    if sample.ndim != 1 or sample.size == 0:
        raise ValueError(
            f"sample must be a non-empty 1-dimensional array, got shape {sample.shape}"
        )
    below = np.count_nonzero(sample < value)
    equal = np.count_nonzero(sample == value)
    return float(100 * (below + 0.5 * equal) / sample.size)


def count_order_changes(speeds) -> np.ndarray:
    """For speeds of shape ``(runs, steps, layers)``: per run, the number of steps at which
    some layer is not strictly slower than the layer above it (0: the order never changes).
    """
    speeds = check_array("speeds", speeds)
    if speeds.ndim != 3 or speeds.shape[2] < 2 or speeds.size == 0:
        raise ValueError("speeds must have shape (runs, steps, layers) with at least 2 layers")
    in_order = np.all(np.diff(speeds, axis=2) > 0, axis=2)
    return np.count_nonzero(~in_order, axis=1)
