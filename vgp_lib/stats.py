"""The small statistics the chapters' sentences rest on: where a published number falls among
our draws, whether groups of runs differ clearly, how a sequence of values moves."""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_real

#: What a draw is, by its percentile among ours (see :func:`draw_kind`).
DRAW_KINDS = ("lucky", "favourable", "ordinary", "unfavourable", "unlucky")


def percentile_of(value, sample) -> float:
    """The percentile rank of ``value`` in ``sample``: the share of the sample below it, in %.

    Ties count half, so a value equal to every element has rank 50, a value above
    them all 100 and one below them all 0.
    """
    value = check_real("value", value)
    sample = check_array("sample", sample)
    if sample.ndim != 1 or sample.size == 0:
        raise ValueError(f"sample must be a non-empty 1-D array, got shape {sample.shape}")
    below = np.count_nonzero(sample < value)
    equal = np.count_nonzero(sample == value)
    return float(100 * (below + 0.5 * equal) / sample.size)


def clearly_different(samples) -> bool:
    """Whether the best and the worst of several groups of runs differ clearly: the gap
    between their means is more than two standard errors of a difference of two means,

    .. math::  \\max_i \\bar a_i - \\min_i \\bar a_i > 2\\, s \\sqrt{2/k},

    where ``samples[i]`` holds the k runs of group i, :math:`\\bar a_i` is their mean and
    :math:`s` the pooled standard deviation (the root mean square of the groups'
    sample standard deviations).

    >>> clearly_different([[96.0, 96.2, 96.1], [96.9, 97.0, 96.8]])
    True
    >>> clearly_different([[96.0, 96.6, 96.3], [96.2, 96.8, 96.5]])
    False
    """
    samples = check_array("samples", samples)
    if samples.ndim != 2 or samples.shape[0] < 2 or samples.shape[1] < 2:
        raise ValueError(f"samples must be (groups, runs), at least 2 of each, got {samples.shape}")
    means, sds = samples.mean(axis=1), samples.std(axis=1, ddof=1)
    pooled_sd = np.sqrt(np.mean(sds**2))
    return bool(means.max() - means.min() > 2 * pooled_sd * np.sqrt(2 / samples.shape[1]))


def trend(values) -> str:
    """How a sequence moves from one value to the next: ``"rises"`` when every step is up,
    ``"falls"`` when every step is down, otherwise ``"mixed, first up"`` or
    ``"mixed, first not up"`` by its first step.

    >>> trend([1, 2, 3]), trend([3, 2, 1]), trend([1, 3, 2]), trend([2, 2, 3])
    ('rises', 'falls', 'mixed, first up', 'mixed, first not up')
    """
    values = check_array("values", values)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"values must be a 1-D array of at least 2 numbers, got {values.shape}")
    steps = np.diff(values)
    if np.all(steps > 0):
        return "rises"
    if np.all(steps < 0):
        return "falls"
    return "mixed, first up" if steps[0] > 0 else "mixed, first not up"


def count_between(values, lo, hi) -> int:
    """How many ``values[i]`` lie in ``[lo[i], hi[i]]`` (ends included); ``lo`` and ``hi``
    may also be single numbers.

    >>> count_between([1.0, 5.0, 2.5], [0.0, 0.0, 2.5], [2.0, 4.0, 3.0])
    2
    """
    values = check_array("values", values)
    lo, hi = check_array("lo", lo), check_array("hi", hi)
    try:
        inside = (lo <= values) & (values <= hi)
    except ValueError:
        raise ValueError(
            f"lo and hi must match values, shape {values.shape}, got {lo.shape} and {hi.shape}"
        ) from None
    return int(np.count_nonzero(inside))


def draw_kind(rank: float) -> str:
    """What a draw at percentile ``rank`` (0..100) of our draws is, one of :data:`DRAW_KINDS`:
    ``"lucky"`` above 97.5 (larger than almost all), ``"favourable"`` above 75,
    ``"ordinary"`` in the middle half [25, 75], ``"unfavourable"`` down to 2.5, else
    ``"unlucky"``.

    >>> [draw_kind(r) for r in (99, 80, 50, 25, 2.5, 1)]
    ['lucky', 'favourable', 'ordinary', 'ordinary', 'unfavourable', 'unlucky']
    """
    rank = check_real("rank", rank, lo=0, hi=100)
    if rank > 97.5:
        return "lucky"
    if rank > 75:
        return "favourable"
    if rank >= 25:
        return "ordinary"
    if rank >= 2.5:
        return "unfavourable"
    return "unlucky"
