"""What :mod:`vgp_lib.updates` measures: SGD's update ratio is ``lr ||g|| / ||W||`` exactly,
Adam's first step moves every entry by about ``lr`` whatever its gradient (closed form
against torch's AdamW), so scaling the loss scales SGD's steps but not Adam's, and on a deep
sigmoid net the gradient norms spread over orders of magnitude while AdamW's update ratios
stay within a small factor.
"""

import numpy as np
import pytest
import torch

from vgp_lib.models import build_mlp
from vgp_lib.updates import EPS, adam_first_step, update_ratios

SEEDS = range(5)


def _data(seed, n=60, n_in=8, n_classes=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n_in)), rng.integers(0, n_classes, n)


def _full_batch_gradients(x, y, *, depth, width, seed):
    """The net :func:`update_ratios` builds, and dC/dW of each layer over all of ``x``."""
    net = build_mlp(
        n_in=x.shape[1],
        width=width,
        n_out=int(y.max()) + 1,
        depth=depth,
        activation="sigmoid",
        init="nielsen",
        seed=seed,
    )
    cost = torch.nn.functional.cross_entropy(net(torch.as_tensor(x)), torch.as_tensor(y))
    cost.backward()
    return [(lin.weight.detach().numpy(), lin.weight.grad.numpy()) for lin in net.linears()]


def test_adam_first_step_is_what_torch_adamw_does_to_every_entry():
    g = torch.tensor([3.0, -2e-3, 1e-6, -1e-8, 1e-10, 0.0], dtype=torch.float64)
    w = torch.nn.Parameter(torch.linspace(-1, 1, 6, dtype=torch.float64))
    before = w.detach().clone()
    opt = torch.optim.AdamW([w], lr=1e-3, weight_decay=0.0)
    w.grad = g.clone()
    opt.step()
    moved = (w.detach() - before).numpy()
    np.testing.assert_allclose(moved, adam_first_step(g.numpy(), lr=1e-3), rtol=1e-12, atol=0)
    # every entry with |g| >> eps moves by lr, from 3 down to 1e-6; a zero gradient, not at all
    np.testing.assert_allclose(np.abs(moved[:3]), 1e-3, rtol=1e-2)
    assert moved[-1] == 0.0
    assert abs(moved[4]) < 0.01 * 1e-3  # below eps Adam sees the small gradient too


@pytest.mark.parametrize("seed", SEEDS)
def test_sgd_update_ratio_is_lr_times_gradient_over_weight_norm_at_every_step(seed):
    x, y = _data(seed)
    rec = update_ratios(x, y, depth=4, optimizer="sgd", lr=0.5, steps=12, width=8, seed=seed)
    np.testing.assert_allclose(
        rec.update_ratio, 0.5 * rec.gradient_norm / rec.weight_norm, rtol=1e-12
    )
    assert rec.weight_decay == 0.0


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_adamw_first_step_update_ratio_matches_the_closed_form(seed, weight_decay):
    x, y = _data(seed)
    depth, width, lr = 5, 8, 1e-3
    rec = update_ratios(
        x, y, depth=depth, optimizer="adamw", lr=lr, steps=1, width=width,
        batch=len(x), weight_decay=weight_decay, seed=seed,
    )  # fmt: skip
    layers = _full_batch_gradients(x, y, depth=depth, width=width, seed=seed)
    w_norm = np.array([np.linalg.norm(w) for w, _ in layers])
    g_norm = np.array([np.linalg.norm(g) for _, g in layers])
    step = [-lr * weight_decay * w + adam_first_step(g, lr=lr) for w, g in layers]
    np.testing.assert_allclose(rec.weight_norm[0], w_norm, rtol=1e-13)
    np.testing.assert_allclose(rec.gradient_norm[0], g_norm, rtol=1e-10)
    np.testing.assert_allclose(
        rec.update_ratio[0], [np.linalg.norm(d) for d in step] / w_norm, rtol=1e-10
    )
    # about lr sqrt(n_nonzero) / ||W||, whatever ||g|| is (g spans orders of magnitude here)
    n_nonzero = np.array([np.count_nonzero(g) for _, g in layers])
    np.testing.assert_allclose(rec.update_ratio[0], lr * np.sqrt(n_nonzero) / w_norm, rtol=0.02)
    assert g_norm.max() / g_norm.min() > 100


@pytest.mark.parametrize("seed", SEEDS)
def test_a_smaller_loss_scales_sgds_first_step_but_not_adams(seed):
    x, y = _data(seed)
    cfg = dict(depth=2, lr=1e-3, steps=1, width=8, seed=seed)
    sgd, sgd_small = (
        update_ratios(x, y, optimizer="sgd", loss_scale=s, **cfg) for s in (1.0, 1e-3)
    )
    adam, adam_small = (
        update_ratios(x, y, optimizer="adamw", loss_scale=s, **cfg) for s in (1.0, 1e-3)
    )
    np.testing.assert_allclose(sgd_small.gradient_norm, 1e-3 * sgd.gradient_norm, rtol=1e-12)
    # W_after - W_before loses digits when the step is 1e-9 of W: float64 keeps about seven
    np.testing.assert_allclose(sgd_small.update_ratio, 1e-3 * sgd.update_ratio, rtol=1e-6)
    # Adam: a few per cent at most, from the entries whose scaled gradient comes near eps
    np.testing.assert_allclose(adam_small.update_ratio, adam.update_ratio, rtol=0.06)
    # the loss itself is recorded unscaled
    np.testing.assert_allclose(adam_small.loss, adam.loss, rtol=1e-13)


def test_below_eps_adam_sees_a_vanishing_gradient_too():
    """eps = 1e-8 is Adam's floor: entries whose gradient falls below it move by less than lr.
    Scaling the loss by 1e-5 pushes the first layers' gradients there, not the last layer's."""
    x, y = _data(0)
    cfg = dict(depth=6, optimizer="adamw", lr=1e-3, steps=1, width=8, weight_decay=0.0)
    adam = update_ratios(x, y, seed=0, **cfg)
    tiny = update_ratios(x, y, seed=0, loss_scale=1e-5, **cfg)
    shrink = tiny.update_ratio[0] / adam.update_ratio[0]
    assert shrink[0] < 0.5 and shrink[-1] > 0.95
    assert (np.diff(shrink) > 0).all()  # the smaller the gradient, the more Adam shrinks its step
    assert tiny.gradient_norm[0, 0] / np.sqrt(8 * 8) < EPS  # layer 1: its rms entry is below eps


@pytest.mark.parametrize("seed", SEEDS)
def test_deep_sigmoid_gradients_spread_over_orders_of_magnitude_but_adamw_updates_do_not(seed):
    x, y = _data(seed)
    cfg = dict(depth=6, steps=10, width=8, seed=seed)
    adam = update_ratios(x, y, optimizer="adamw", lr=1e-3, **cfg)
    sgd = update_ratios(x, y, optimizer="sgd", lr=0.1, **cfg)
    np.testing.assert_array_equal(adam.gradient_norm[0], sgd.gradient_norm[0])  # same start
    assert adam.spread("gradient_norm") > 1e3
    assert sgd.spread("update_ratio") > 1e3
    assert adam.spread("update_ratio") < 2
    median = np.median(adam.update_ratio, axis=0)  # over ten steps
    assert median.max() / median.min() < 4


def test_same_seed_same_record_and_batches_of_the_given_size():
    x, y = _data(3, n=25)
    cfg = dict(depth=3, optimizer="adamw", lr=1e-3, steps=7, width=5, batch=10, seed=3)
    a, b = update_ratios(x, y, **cfg), update_ratios(x, y, **cfg)
    np.testing.assert_array_equal(a.update_ratio, b.update_ratio)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert a.names == ("1", "2", "3", "out")
    assert np.isfinite(a.final_loss) and a.final_loss > 0
    assert EPS == torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))]).defaults["eps"]
