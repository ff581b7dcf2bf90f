"""The mechanisms of the chapter *Normalisation*, as properties of :mod:`vgp_lib.normalisation`.

Batch norm's backward pass is a projection and a division by the batch spread (analytic against
autograd, float64); in the chapter's network nothing saturates with or without batch norm; the
batch spread collapses without it and is restored with it; the product of the three factors
predicts the measured per-layer ratio of the error's norms.
"""

import numpy as np
import pytest
import torch

from vgp_lib import normalisation


@pytest.fixture(scope="module")
def chapter_stats():
    return {
        norm: normalisation.layer_statistics(depth=20, norm=norm, seed=0)
        for norm in ("none", "batch", "layer")
    }


def _autograd_bn(y, g, eps):
    yt = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    bn = torch.nn.BatchNorm1d(y.shape[1], eps=eps, dtype=torch.float64)
    bn.train()
    bn(yt).backward(torch.tensor(g, dtype=torch.float64))
    return yt.grad.numpy()


@pytest.mark.parametrize("eps", [1e-30, 1e-5])  # torch refuses eps = 0 in training
def test_batch_norm_backward_matches_autograd(eps):
    rng = np.random.default_rng(0)
    y = rng.normal(0.3, 0.12, size=(16, 5))
    g = rng.normal(size=(16, 5))
    np.testing.assert_allclose(
        normalisation.batch_norm_backward(y, g, eps=eps), _autograd_bn(y, g, eps), rtol=1e-10
    )


def test_batch_norm_backward_divides_the_rest_by_the_batch_spread():
    """On an error orthogonal to 1 and to x_hat, autograd through BatchNorm1d is g / sigma_B."""
    rng = np.random.default_rng(1)
    m = 32
    y = rng.normal(0.5, 0.07, size=(m, 1))
    sigma = y.std()
    x_hat = (y - y.mean()) / sigma
    g = rng.normal(size=(m, 1))
    for v in (np.ones((m, 1)) / np.sqrt(m), x_hat / np.sqrt(m)):  # orthonormal
        g = g - v * float((v.T @ g)[0, 0])
    np.testing.assert_allclose(_autograd_bn(y, g, 1e-30), g / sigma, rtol=1e-10, atol=1e-12)
    # along 1 and along x_hat nothing passes
    for v in (np.ones((m, 1)), x_hat):
        np.testing.assert_allclose(_autograd_bn(y, v, 1e-30), 0.0, atol=1e-9)


def test_batch_norm_backward_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="grad_out"):
        normalisation.batch_norm_backward(np.ones((4, 2)), np.ones((4, 3)))


def test_nothing_saturates_with_or_without_batch_norm(chapter_stats):
    for norm in ("none", "batch"):
        assert np.all(chapter_stats[norm].rms_prime > 0.2), norm
    assert np.all(chapter_stats["none"].mean_abs_z < 0.6)
    # batch norm spreads z out, so sigma' is smaller with it than without it
    assert np.median(chapter_stats["batch"].rms_prime) < np.median(chapter_stats["none"].rms_prime)


def test_the_batch_spread_collapses_without_batch_norm_and_is_restored_with_it(chapter_stats):
    plain, bn = chapter_stats["none"], chapter_stats["batch"]
    assert plain.spread_z[-1] < 1e-10 * plain.spread_z[0]
    assert np.all(np.diff(np.log(plain.spread_z)) < 0)
    np.testing.assert_allclose(bn.spread_z, 1.0, atol=1e-3)


def test_forward_collapse_and_backward_fade_share_one_factor(chapter_stats):
    plain = chapter_stats["none"]
    forward = np.exp(np.mean(np.log(plain.spread_y[1:] / plain.spread_y[:-1])))
    backward = np.exp(np.mean(np.log(plain.measured_factor)))
    assert forward == pytest.approx(backward, rel=0.1)
    assert backward == pytest.approx(np.sqrt(1 / 3) * 0.245, rel=0.1)


@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_predicted_factor_matches_the_measured_one(chapter_stats, norm):
    s = chapter_stats[norm]
    ratio = s.measured_factor / s.predicted_factor
    assert np.exp(np.mean(np.log(ratio))) == pytest.approx(1.0, abs=0.08)
    assert np.all(np.abs(np.log(ratio)) < np.log(1.3))


def test_batch_norm_scale_cancels_the_other_two_factors(chapter_stats):
    bn = chapter_stats["batch"]
    assert np.median(bn.norm_scale[1:]) == pytest.approx(8.5, rel=0.15)
    assert np.exp(np.mean(np.log(bn.measured_factor[1:]))) == pytest.approx(1.0, abs=0.1)


def test_batch_norm_makes_the_factor_independent_of_the_weight_scale():
    ratios = [
        normalisation.layer_statistics(depth=10, norm="batch", gain=g, seed=0).measured_factor[1:]
        for g in (0.5, 1.0, 4.0)
    ]
    means = [np.exp(np.mean(np.log(r))) for r in ratios]
    assert max(means) / min(means) < 1.15


def test_with_batch_norm_the_share_reaching_layer_1_barely_depends_on_the_gain():
    shares = [
        s.delta_norm[0] / s.delta_norm[-1]
        for s in (
            normalisation.layer_statistics(depth=20, norm="batch", gain=g, seed=0)
            for g in (0.5, 8.0)
        )
    ]
    assert max(shares) / min(shares) < 1.2
    assert min(shares) > 0.3


def test_layer_norm_slows_the_collapse_and_works_with_tanh(chapter_stats):
    plain, ln = chapter_stats["none"], chapter_stats["layer"]
    assert plain.spread_z[-1] < 1e-6 * ln.spread_z[-1]
    assert ln.spread_z[-1] < 1e-3 * ln.spread_z[0]
    tanh = {
        norm: normalisation.layer_statistics(depth=20, norm=norm, activation="tanh", seed=0)
        for norm in ("none", "layer")
    }
    share = {norm: s.delta_norm[0] / s.delta_norm[-1] for norm, s in tanh.items()}
    assert share["none"] < 1e-3
    assert share["layer"] > 1.0  # layer 1 gets more than the output layer


def test_layer_norm_divides_by_a_spread_the_offset_dominates(chapter_stats):
    ln, bn = chapter_stats["layer"], chapter_stats["batch"]
    assert np.median(ln.norm_scale[1:]) < 0.5 * np.median(bn.norm_scale[1:])
    assert 0.2 < np.exp(np.mean(np.log(ln.measured_factor[1:]))) < 0.7
    tanh = normalisation.layer_statistics(depth=20, norm="layer", activation="tanh", seed=0)
    assert np.exp(np.mean(np.log(tanh.measured_factor[1:]))) > 0.9


def test_layer_statistics_uses_gradient_profiles_network_and_batch():
    from vgp_lib import profiles

    s = normalisation.layer_statistics(depth=4, norm="batch", width=16, batch=8, seed=3)
    p = profiles.gradient_profile(depth=4, norm="batch", width=16, n_in=16, batch=8, seed=3)
    np.testing.assert_allclose(s.delta_norm, p.delta_norm, rtol=1e-10)


def test_eval_mode_starts_as_the_plain_network_and_learns_slowly():
    r = normalisation.train_eval_gap(steps=(0, 30, 300), depth=20, seed=0)
    assert r.eval_spread[0] < 1e-10 < r.train_spread
    assert r.eval_spread[1] < 1e-2
    assert r.eval_spread[2] > 0.5
    assert r.gap[2] < r.gap[0]
    assert r.gap[2] == pytest.approx(r.batch_dependence, rel=0.5)


def test_a_batch_of_one_fails_in_training_mode():
    from vgp_lib.models import build_mlp

    net = build_mlp(n_in=4, width=4, n_out=2, depth=2, norm="batch", seed=0)
    with pytest.raises(ValueError):
        net.train()(torch.zeros(1, 4, dtype=torch.float64))
    assert net.eval()(torch.zeros(1, 4, dtype=torch.float64)).shape == (1, 2)


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="norm"):
        normalisation.layer_statistics(norm="group", seed=0)
    with pytest.raises(ValueError, match="batch"):
        normalisation.layer_statistics(batch=1, seed=0)
    with pytest.raises(ValueError, match="steps"):
        normalisation.train_eval_gap(steps=(3, 1), seed=0)
