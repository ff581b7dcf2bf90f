"""One place where seeds become random generators.

Every stochastic function in vgp_lib takes a keyword-only ``seed`` and turns it
into a :class:`numpy.random.Generator` (or a seeded :class:`torch.Generator`)
here, so two runs with the same seed print the same numbers.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_int


def make_rng(seed) -> np.random.Generator:
    """Return a NumPy generator for ``seed`` (a non-negative int or a Generator).

    >>> float(make_rng(0).standard_normal()) == float(make_rng(0).standard_normal())
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int("seed", seed, lo=0))


#: Largest seed :func:`torch_generator` takes: torch seeds are 64-bit unsigned integers.
MAX_TORCH_SEED = 2**64 - 1


def torch_generator(seed):
    """Return a CPU ``torch.Generator`` seeded with ``seed`` (an int in [0, 2**64 - 1])."""
    import torch

    seed = check_int("seed", seed, lo=0, hi=MAX_TORCH_SEED)
    return torch.Generator().manual_seed(seed)
