"""Tests for vgp_lib.recurrent: Jacobian norms against a
brute-force Jacobian, the vanilla RNN's closed form, validation."""

import numpy as np
import pytest
import torch

from vgp_lib.recurrent import CELLS, gradient_through_time, make_cell, run_cell
from vgp_lib.rng import torch_generator


@pytest.mark.parametrize("cell", CELLS)
def test_norms_match_jacobian_from_torch_autograd_functional(cell):
    steps, hidden = 6, 5
    r = gradient_through_time(cell, hidden=hidden, steps=steps, n_in=3, seed=2)
    module = make_cell(cell, n_in=3, hidden=hidden, seed=2)
    xs = torch.randn(steps, 1, 3, generator=torch_generator(3), dtype=torch.float64)
    t = 2  # perturb h_t, re-run the remaining steps (LSTM: c_t fixed)
    hs = run_cell(module, xs[: t + 1])
    state_c = None
    if cell == "lstm":  # recover c_t by running the cell again up to t
        h = torch.zeros(1, hidden, dtype=torch.float64)
        c = torch.zeros_like(h)
        for x in xs[: t + 1]:
            h, c = module(x, (h, c))
        state_c = c.detach()

    def tail(h_t):
        h, c = h_t.unsqueeze(0), state_c
        for x in xs[t + 1 :]:
            if cell == "lstm":
                h, c = module(x, (h, c))
            else:
                h = module(x, h)
        return h[0]

    jac = torch.autograd.functional.jacobian(tail, hs[t][0].detach())
    expected = np.linalg.norm(jac.numpy(), ord=2)
    assert r.norms[steps - 1 - t] == pytest.approx(expected, rel=1e-10)


def test_vanilla_rnn_one_step_is_diag_tanh_prime_times_w():
    module = make_cell("rnn", n_in=2, hidden=4, seed=0)
    r = gradient_through_time("rnn", hidden=4, steps=2, n_in=2, seed=0)
    xs = torch.randn(2, 1, 2, generator=torch_generator(1), dtype=torch.float64)
    hs = run_cell(module, xs)
    h1 = hs[0]
    z = module.weight_ih @ xs[1][0] + module.bias_ih + module.weight_hh @ h1[0] + module.bias_hh
    jac = torch.diag(1 - torch.tanh(z) ** 2) @ module.weight_hh
    assert r.norms[1] == pytest.approx(
        float(torch.linalg.matrix_norm(jac.detach(), ord=2)), rel=1e-12
    )


def test_orthogonal_recurrent_scale_sets_every_singular_value():
    module = make_cell("rnn", n_in=2, hidden=6, seed=0, recurrent_scale=3.0)
    s = torch.linalg.svdvals(module.weight_hh.detach())
    torch.testing.assert_close(s, torch.full((6,), 3.0, dtype=torch.float64), rtol=1e-12, atol=0)


def test_rnn_vanishes_gated_cells_decay_slower_and_large_weights_explode():
    rnn, lstm, gru = (gradient_through_time(c, hidden=16, steps=60, seed=0) for c in CELLS)
    big = gradient_through_time("rnn", hidden=16, steps=60, seed=0, recurrent_scale=3.0)
    assert rnn.norms[0] == lstm.norms[0] == 1.0
    assert rnn.norms[50] < 1e-6
    assert lstm.norms[50] > 1e3 * rnn.norms[50] and gru.norms[50] > 1e3 * rnn.norms[50]
    assert big.norms[50] > 1e3


def test_same_seed_same_result():
    a = gradient_through_time("gru", hidden=8, steps=20, seed=5)
    b = gradient_through_time("gru", hidden=8, steps=20, seed=5)
    np.testing.assert_array_equal(a.norms, b.norms)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(cell="transformer"), ValueError, "cell must be one of 'rnn', 'lstm', 'gru'"),
        (dict(hidden=0), ValueError, "hidden"),
        (dict(steps=0), ValueError, "steps"),
        (dict(recurrent_scale=-1.0), ValueError, "recurrent_scale"),
        (dict(seed=-1), ValueError, "seed"),
    ],
)
def test_bad_input(kwargs, error, match):
    args = dict(cell="rnn", hidden=4, steps=3, seed=0) | kwargs
    cell = args.pop("cell")
    with pytest.raises(error, match=match):
        gradient_through_time(cell, **args)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(n_in=10**9), r"^n_in must be an integer in \[1, 100000\]"),
        (dict(hidden=10**30), r"^hidden must be an integer in \[1, 1024\]"),
        (dict(cell="lstm", hidden=1024, n_in=5000), r"^n_in must be at most 1,417 for a lstm cell"),
        (dict(seed=10**30), r"^seed must be an integer in \[0, 2\*\*64 - 1\]"),
    ],
)
def test_make_cell_refuses_sizes_and_seeds_beyond_the_limits(kwargs, match):
    # Issue 12: these failed inside torch ("Overflow when unpacking long long", allocator errors).
    args = dict(cell="rnn", n_in=2, hidden=3, seed=0) | kwargs
    with pytest.raises(ValueError, match=match):
        make_cell(args.pop("cell"), **args)


@pytest.mark.parametrize("hidden,steps,most", [(8, 5000, 2500), (128, 40, 30), (32, 100, None)])
def test_gradient_through_time_refuses_runs_longer_than_seconds(hidden, steps, most):
    if most is None:  # the book's size runs
        assert len(gradient_through_time("rnn", hidden=hidden, steps=steps, seed=0).norms) == steps
        return
    with pytest.raises(ValueError, match=rf"^steps must be at most {most:,} for hidden={hidden}"):
        gradient_through_time("lstm", hidden=hidden, steps=steps, seed=0)


def test_gradient_through_time_takes_the_largest_torch_seed():
    r = gradient_through_time("gru", hidden=2, steps=3, seed=2**64 - 1)
    assert np.isfinite(r.norms).all()


def test_run_cell_checks_the_module_and_the_inputs():
    # Issue 12: both failed with AttributeError ('NoneType' object has no attribute 'hidden_size').
    cell = make_cell("gru", n_in=2, hidden=3, seed=0)
    xs = torch.ones(4, 1, 2, dtype=torch.float64)
    assert len(run_cell(cell, xs)) == 4
    with pytest.raises(TypeError, match=r"^module must be a torch RNNCell"):
        run_cell(torch.nn.Linear(2, 3), xs)
    with pytest.raises(TypeError, match=r"^xs must be a torch.float64 tensor"):
        run_cell(cell, xs.numpy())
    with pytest.raises(TypeError, match=r"^xs must be a torch.float64 tensor"):
        run_cell(cell, xs.float())
    with pytest.raises(ValueError, match=r"^xs must be .* got shape \(4, 1, 3\)"):
        run_cell(cell, torch.ones(4, 1, 3, dtype=torch.float64))
