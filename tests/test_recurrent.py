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
        (dict(cell="lstm", hidden=1024, n_in=5000), r"^n_in must be an integer in \[1, 1417\]"),
        (dict(seed=10**30), r"^seed must be an integer in \[0, 18446744073709551615\]"),
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
    with pytest.raises(ValueError, match=rf"^steps must be an integer in \[1, {most}\]"):
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


# --------------------------------------------------------------------------- the spectral radius


def test_linear_rnn_gradient_over_k_steps_is_rho_to_the_k_exactly():
    from vgp_lib.recurrent import radius_sweep

    rhos = [0.5, 0.9, 1.0, 1.3, 2.0]
    r = radius_sweep(rhos, hidden=8, steps=30, seed=3)
    expected = np.array(rhos)[:, None] ** np.arange(30)[None, :]
    np.testing.assert_allclose(r.linear, expected, rtol=1e-10)
    np.testing.assert_allclose(r.per_step()[0], rhos, rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 1])
def test_tanh_rnn_gradient_is_bounded_by_rho_to_the_k(seed):
    from vgp_lib.recurrent import radius_sweep

    r = radius_sweep([0.5, 1.0, 1.5, 3.0], hidden=8, steps=40, seed=seed)
    assert np.all(r.tanh <= r.linear * (1 + 1e-12))
    assert np.all(r.per_step()[1] <= np.array(r.rhos) * (1 + 1e-12))
    # rho < 1 is sufficient for vanishing
    assert r.tanh[0, -1] < 0.5**39 * (1 + 1e-12)


def test_radius_sweep_products_match_autograd():
    """The multiplied-out product of diag(tanh') W equals autograd's Jacobian norms."""
    from vgp_lib.recurrent import radius_sweep

    for rho in (0.8, 2.5):
        r = radius_sweep([rho], hidden=6, steps=12, n_in=3, seed=4)
        auto = gradient_through_time("rnn", hidden=6, steps=12, n_in=3, seed=4, recurrent_scale=rho)
        np.testing.assert_allclose(r.tanh[0], auto.norms, rtol=1e-9)


def test_tanh_rnn_stops_vanishing_only_above_rho_one():
    from vgp_lib.recurrent import radius_sweep

    r = radius_sweep([0.9, 1.0, 3.0], hidden=16, steps=60, seed=0)
    tanh = r.per_step()[1]
    assert tanh[0] < tanh[1] < 1 < tanh[2]  # at rho = 1 the tanh RNN still vanishes


def test_radius_sweep_refuses_bad_input():
    from vgp_lib.recurrent import radius_sweep

    with pytest.raises(ValueError, match="rhos"):
        radius_sweep([0.0], hidden=4, steps=3, seed=0)
    with pytest.raises(TypeError, match="rhos"):
        radius_sweep(1.0, hidden=4, steps=3, seed=0)
    with pytest.raises(ValueError, match="steps"):
        radius_sweep([1.0] * 50, hidden=256, steps=2000, seed=0)


def test_irnn_starts_at_the_identity_with_the_relu():
    module = make_cell("irnn", n_in=2, hidden=5, seed=0)
    torch.testing.assert_close(module.weight_hh.detach(), torch.eye(5, dtype=torch.float64))
    assert module.nonlinearity == "relu"
    scaled = make_cell("irnn", n_in=2, hidden=5, seed=0, recurrent_scale=1.5)
    torch.testing.assert_close(scaled.weight_hh.detach(), 1.5 * torch.eye(5, dtype=torch.float64))


# --------------------------------------------------------------------------- the carousel


def test_lstm_step_is_the_lstm_cell():
    from vgp_lib.recurrent import lstm_step

    module = make_cell("lstm", n_in=3, hidden=4, seed=1)
    g = torch_generator(5)
    x, h, c = (torch.randn(2, n, generator=g, dtype=torch.float64) for n in (3, 4, 4))
    h1, c1, _ = lstm_step(module, x, h, c)
    h2, c2 = module(x, (h, c))
    torch.testing.assert_close(h1, h2, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(c1, c2, rtol=1e-12, atol=1e-14)
    with pytest.raises(TypeError, match="module must be a torch LSTMCell"):
        lstm_step(make_cell("gru", n_in=3, hidden=4, seed=1), x, h, c)


def test_one_carousel_step_is_diag_f_by_autograd():
    """dc_t/dc_{t-1} with h_{t-1} fixed is diag(f_t): no W, no squashing derivative."""
    from vgp_lib.recurrent import lstm_step

    module = make_cell("lstm", n_in=3, hidden=5, seed=2)
    g = torch_generator(6)
    x, h = (
        torch.randn(1, 3, generator=g, dtype=torch.float64),
        torch.randn(1, 5, generator=g, dtype=torch.float64),
    )
    c = torch.randn(1, 5, generator=g, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda c: lstm_step(module, x, h, c)[1][0], c)[:, 0]
    f = lstm_step(module, x, h, c)[2][1][0]
    torch.testing.assert_close(jac, torch.diag(f).detach(), rtol=1e-12, atol=0)


def test_carousel_over_k_steps_is_the_product_of_the_gates():
    """With every gate held fixed (detached), dc_T/dc_{T-k} = diag(prod f) by autograd, and
    Carousel.carousel is its norm."""
    from vgp_lib.recurrent import carousel, lstm_step

    steps, hidden = 8, 4
    r = carousel(gate_bias=2.0, hidden=hidden, steps=steps, n_in=4, seed=3)
    module = make_cell("lstm", n_in=4, hidden=hidden, seed=3, gate_bias=2.0)
    xs = torch.randn(steps, 1, 4, generator=torch_generator(4), dtype=torch.float64)
    h = torch.zeros(1, hidden, dtype=torch.float64)
    c = torch.zeros_like(h)
    k = 5
    for x in xs[: steps - k]:
        h, c, _ = lstm_step(module, x, h, c)
    start = c.detach().requires_grad_(True)
    c, gates = start, []
    for x in xs[steps - k :]:
        with torch.no_grad():
            _, _, (i, f, gg, _) = lstm_step(module, x, h, c)
            h = lstm_step(module, x, h, c)[0]
        c = f * c + i * gg  # the gates as constants
        gates.append(f[0].numpy())
    jac = torch.autograd.functional.jacobian(lambda c0: _roll(c0, gates, xs, module, k), start)
    expected = np.diag(np.prod(gates, axis=0))
    np.testing.assert_allclose(jac[0, :, 0, :].numpy(), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(r.forget[steps - k :], np.array(gates), rtol=1e-12)
    assert r.carousel[k] == pytest.approx(np.prod(gates, axis=0).max(), rel=1e-12)


def _roll(c0, gates, xs, module, k):
    c = c0
    for f in gates:
        c = torch.as_tensor(f) * c  # the additive term i*g does not depend on c
    return c


@pytest.mark.parametrize("bias", [1.0, 3.0, 5.0])
def test_untrained_forget_gate_sits_near_sigma_of_its_bias_and_decay_follows_it(bias):
    from vgp_lib.recurrent import carousel

    r = carousel(gate_bias=bias, hidden=16, steps=60, seed=0)
    assert r.mean_forget == pytest.approx(1 / (1 + np.exp(-bias)), abs=0.03)
    np.testing.assert_allclose(r.predicted(), r.mean_forget ** np.arange(60), rtol=1e-12)
    # the carousel decays at the rate of its gates: per step between the mean and the largest
    per_step = r.carousel[50] ** (1 / 50)
    assert r.mean_forget - 1e-9 <= per_step <= r.forget.mean(axis=0).max() + 0.02
    assert r.carousel[0] == 1.0 and np.all(np.diff(r.carousel) <= 0)


def test_larger_forget_bias_keeps_more_of_the_carousel():
    from vgp_lib.recurrent import carousel

    kept = [carousel(gate_bias=b, hidden=8, steps=51, seed=1).carousel[50] for b in (1, 3, 5)]
    assert kept[0] < 1e-4 < kept[1] < kept[2] and kept[2] > 0.5


def test_carousel_records_the_cell_states_of_the_lstm():
    from vgp_lib.recurrent import carousel

    r = carousel(gate_bias=2.0, hidden=4, steps=6, n_in=4, seed=3)
    module = make_cell("lstm", n_in=4, hidden=4, seed=3, gate_bias=2.0)
    xs = torch.randn(6, 1, 4, generator=torch_generator(4), dtype=torch.float64)
    h = torch.zeros(1, 4, dtype=torch.float64)
    c = torch.zeros_like(h)
    with torch.no_grad():
        for s, x in enumerate(xs):
            h, c = module(x, (h, c))
            np.testing.assert_allclose(r.cell[s], c[0].numpy(), rtol=1e-12, atol=1e-15)
    assert r.cell_state_rms == pytest.approx(np.sqrt(np.mean(c[0].numpy() ** 2)), rel=1e-12)
    assert r.saturated == pytest.approx(np.mean(np.abs(c[0].numpy()) > 2.0))


def test_the_cell_state_reaches_h_through_o_times_tanh_prime_of_c():
    """dh_t/dc_{t-1} = diag(o_t * tanh'(c_t)) diag(f_t) by autograd: the cell state's gradient
    reaches h_t through o_t * tanh'(c_t), which is nearly 0 where |c_t| > 2."""
    from vgp_lib.recurrent import SATURATED_CELL, lstm_step

    module = make_cell("lstm", n_in=3, hidden=5, seed=2)
    g = torch_generator(7)
    x, h = (torch.randn(1, n, generator=g, dtype=torch.float64) for n in (3, 5))
    c = 3 * torch.randn(1, 5, generator=g, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda cc: lstm_step(module, x, h, cc)[0][0], c)
    with torch.no_grad():
        _, c1, (_, f, _, o) = lstm_step(module, x, h, c)
    expected = torch.diag(o[0] * (1 - torch.tanh(c1[0]) ** 2) * f[0])
    torch.testing.assert_close(jac[:, 0], expected, rtol=1e-12, atol=1e-15)
    assert 1 - np.tanh(SATURATED_CELL) ** 2 < 0.071


def test_a_large_forget_bias_builds_up_the_cell_state_and_saturates_it():
    """The chapter's cell (32 units, 100 steps, seed 0): at bias 5 the cell state is larger and
    more units are saturated than at bias 3, and the full gradient 50 steps back is smaller,
    although the carousel keeps more."""
    from vgp_lib.recurrent import carousel

    r3, r5 = (carousel(gate_bias=b, hidden=32, steps=100, seed=0) for b in (3.0, 5.0))
    assert r5.carousel[50] > r3.carousel[50]
    assert r5.cell_state_rms > 2 * r3.cell_state_rms
    assert r5.saturated > r3.saturated + 0.1
    assert r5.full[50] < r3.full[50]
