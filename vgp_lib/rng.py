"""One place where seeds become random generators.

Every stochastic function in vgp_lib takes a keyword-only ``seed`` and turns it
into a :class:`numpy.random.Generator` (or a seeded :class:`torch.Generator`)
here, so two runs with the same seed print the same numbers.
"""

from __future__ import annotations

import numbers

import numpy as np


def make_rng(seed) -> np.random.Generator:
    """Return a NumPy generator for ``seed`` (a non-negative int or a Generator).

    >>> float(make_rng(0).standard_normal()) == float(make_rng(0).standard_normal())
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_check_seed(seed))


#: Largest seed :func:`torch_generator` takes: torch seeds are 64-bit unsigned integers.
MAX_TORCH_SEED = 2**64 - 1


def torch_generator(seed):
    """Return a CPU ``torch.Generator`` seeded with ``seed`` (an int in [0, 2**64 - 1])."""
    import torch

    seed = _check_seed(seed)
    if seed > MAX_TORCH_SEED:
        shown = f"an integer of {len(str(seed))} digits" if seed >= 10**30 else seed
        raise ValueError(
            f"seed must be an integer in [0, 2**64 - 1] (torch's seed range), got {shown}"
        )
    return torch.Generator().manual_seed(seed)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a non-negative integer, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)
