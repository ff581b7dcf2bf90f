"""Where a single published number falls in a distribution we measured."""

from __future__ import annotations

import math

import numpy as np


def percentile_of(value, sample) -> float:
    """The percentile rank of ``value`` in ``sample``: the share of the sample below it, in %.

    Ties count half, so a value equal to every element has rank 50, a value above
    them all 100 and one below them all 0.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise ValueError(f"value must be a finite number, got {value!r}")
    sample = np.asarray(sample, dtype=float)
    if sample.ndim != 1 or sample.size == 0 or not np.isfinite(sample).all():
        raise ValueError("sample must be a non-empty 1-dimensional array of finite numbers")
    below = np.count_nonzero(sample < value)
    equal = np.count_nonzero(sample == value)
    return float(100 * (below + 0.5 * equal) / sample.size)


def count_order_changes(speeds) -> np.ndarray:
    """For speeds of shape ``(runs, steps, layers)``: per run, the number of steps at which
    some layer is not strictly slower than the layer above it (0: the order never changes).
    """
    speeds = np.asarray(speeds, dtype=float)
    if speeds.ndim != 3 or speeds.shape[2] < 2 or speeds.size == 0:
        raise ValueError("speeds must have shape (runs, steps, layers) with at least 2 layers")
    in_order = np.all(np.diff(speeds, axis=2) > 0, axis=2)
    return np.count_nonzero(~in_order, axis=1)
