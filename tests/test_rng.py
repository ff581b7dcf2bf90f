"""vgp_lib.rng: seeds become generators, bad seeds are refused by name."""

import numpy as np
import pytest
import torch

from vgp_lib.rng import MAX_TORCH_SEED, make_rng, torch_generator


def test_same_seed_same_numbers():
    assert make_rng(3).standard_normal() == make_rng(3).standard_normal()
    assert torch.equal(
        torch.rand(3, generator=torch_generator(3)), torch.rand(3, generator=torch_generator(3))
    )


def test_torch_generator_takes_its_whole_seed_range():
    assert torch_generator(MAX_TORCH_SEED).initial_seed() == 2**64 - 1


@pytest.mark.parametrize("seed", [2**64, 10**30, 10**400])
def test_torch_generator_refuses_seeds_beyond_torch_range(seed):
    # Issue 12: torch's own "Overflow when unpacking long long" did not name the seed.
    with pytest.raises(ValueError, match=rf"^seed must be an integer in \[0, {2**64 - 1}\]"):
        torch_generator(seed)


@pytest.mark.parametrize(
    "seed,error",
    [(-1, ValueError), (1.5, ValueError), ("1", TypeError), (None, TypeError), (True, TypeError)],
)
def test_bad_seeds_name_the_parameter(seed, error):
    for f in (make_rng, torch_generator):
        with pytest.raises(error, match=r"^seed must be"):
            f(seed)


def test_make_rng_passes_a_generator_through():
    g = np.random.default_rng(0)
    assert make_rng(g) is g
