"""Tests for vgp_lib.sequences: the sign-memory task, training with and without clipping, and a
divergence recorded rather than raised."""

import math

import numpy as np
import pytest
import torch

from vgp_lib.clipping import clip_grads_, global_norm
from vgp_lib.sequences import (
    DIVERGED_LOSS,
    MemoryRun,
    memory_batch,
    memory_gradient,
    train_memory,
)

#: The chapter's memory task (sequence length, units, batch, steps of Adam).
TASK = dict(length=50, hidden=16, batch=32, steps=200)
#: The chapter's diverging run (the exercise's settings, fewer steps).
IRNN = dict(optimizer="sgd", lr=0.05, steps=120, batch=32, length=50, hidden=16)


def test_memory_batch_holds_the_sign_first_and_noise_everywhere():
    x, y = memory_batch(200, length=7, noise=0.5, seed=3)
    assert x.shape == (7, 200, 2) and x.dtype == torch.float64
    torch.testing.assert_close(x[0, :, 0], 2 * y - 1)
    assert torch.all(x[1:, :, 0] == 0)
    assert 0.3 < float(x[:, :, 1].std()) < 0.7
    x2, y2 = memory_batch(200, length=7, noise=0.5, seed=3)
    assert torch.equal(x, x2) and torch.equal(y, y2)


@pytest.mark.slow  # trains three cells for about 20 s: make test runs it, make check does not
@pytest.mark.parametrize("seed", [3])
def test_gated_cells_learn_the_memory_task_and_the_vanilla_rnn_does_not(seed):
    """The chapter's claim on another seed: LSTM and GRU with memory-gate bias 3 learn; the
    vanilla RNN, and the LSTM with forget bias 1, stay at the loss of guessing."""
    runs = {c: train_memory(c, gate_bias=3.0, seed=seed, **TASK) for c in ("rnn", "lstm", "gru")}
    runs["lstm1"] = train_memory("lstm", gate_bias=1.0, seed=seed, **TASK)
    for cell in ("rnn", "lstm1"):
        assert runs[cell].final_loss > 0.6 and runs[cell].accuracy < 0.6, cell
    for cell in ("lstm", "gru"):
        assert runs[cell].final_loss < 0.3 and runs[cell].accuracy > 0.9, cell


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_irnn_diverges_without_clipping_and_trains_with_it(seed):
    plain = train_memory("irnn", seed=seed, **IRNN)
    assert plain.diverged_at is not None and plain.diverged_at < 5
    assert np.isnan(plain.losses[plain.diverged_at + 1 :]).all() and math.isnan(plain.accuracy)
    blown = plain.losses[plain.diverged_at]
    assert (
        not np.isfinite(blown)
        or blown > DIVERGED_LOSS
        or not np.isfinite(plain.grad_norms[plain.diverged_at])
    )
    clipped = train_memory("irnn", max_norm=1.0, seed=seed, **IRNN)
    assert clipped.diverged_at is None and clipped.final_loss < 0.1 and clipped.accuracy > 0.95
    # the first steps see the same gradient: clipping changes the step, not the gradient
    assert clipped.grad_norms[0] == plain.grad_norms[0] > 1.0


def test_a_clip_function_of_ones_own_is_called_inside_the_loop():
    calls = []

    def clip(params, max_norm):
        calls.append(global_norm([p.grad.numpy() for p in params]))
        clip_grads_(params, max_norm)

    run = train_memory("irnn", max_norm=1.0, clip=clip, seed=0, **(IRNN | dict(steps=5)))
    assert len(calls) == 5
    np.testing.assert_allclose(calls, run.grad_norms, rtol=1e-12)


def test_same_seed_same_run():
    a = train_memory("gru", length=5, hidden=4, steps=3, batch=4, seed=7)
    b = train_memory("gru", length=5, hidden=4, steps=3, batch=4, seed=7)
    np.testing.assert_array_equal(a.losses, b.losses)


def test_memory_gradient_is_the_first_steps_gradient():
    g = memory_gradient("irnn", length=10, hidden=4, batch=8, seed=2)
    assert [a.shape for a in g] == [(4, 2), (4, 4), (4,), (4,), (1, 4), (1,)]
    run = train_memory("irnn", length=10, hidden=4, batch=8, steps=1, seed=2, optimizer="sgd")
    assert global_norm(g) == pytest.approx(run.grad_norms[0], rel=1e-12)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(cell="transformer"), ValueError, "cell must be one of"),
        (dict(optimizer="rmsprop"), ValueError, "optimizer"),
        (dict(max_norm=-1.0), ValueError, "max_norm"),
        (dict(clip=3.0, max_norm=1.0), TypeError, "clip"),
        (dict(clip=clip_grads_), ValueError, "clip needs max_norm"),
        (dict(steps=10**5, batch=4096), ValueError, r"steps must be an integer in \[1, 2034\]"),
    ],
)
def test_bad_input(kwargs, error, match):
    args = dict(cell="rnn", length=3, hidden=2, steps=1, batch=2, seed=0) | kwargs
    with pytest.raises(error, match=match):
        train_memory(args.pop("cell"), **args)


@pytest.mark.parametrize(
    "losses, diverged_at, trained",
    [
        ([0.7] * 18 + [0.05, 0.05], None, True),  # the last tenth is below the bar
        ([0.05] * 18 + [0.7, 0.05], None, False),  # its mean is not
        ([0.7] * 18 + [0.1, 0.1], None, False),  # strictly below
        ([0.7] * 5 + [np.nan] * 15, 5, False),  # a diverged run never counts as trained
    ],
)
def test_trained_needs_no_divergence_and_a_low_final_loss(losses, diverged_at, trained):
    run = MemoryRun("irnn", np.array(losses), np.ones(len(losses)), 0.5, diverged_at=diverged_at)
    assert run.trained(0.1) is trained
