"""vgp_lib.profiles: each gradient profile against an independent computation."""

import numpy as np
import pytest
import torch

from vgp_lib import profiles


def test_activation_comparison_matches_a_hand_built_torch_network():
    comp = profiles.activation_comparison(("sigmoid", "relu"), n_seeds=2, seed=7)
    from vgp_lib.models import build_mlp

    x, y = profiles.random_batch(32, 100, 10, seed=8)
    for i, (act, fn) in enumerate((("sigmoid", torch.sigmoid), ("relu", torch.relu))):
        net = build_mlp(n_in=100, width=128, n_out=10, depth=3, activation=act, seed=8)
        lins = net.linears()
        a = x
        for lin in lins[:-1]:
            a = fn(a @ lin.weight.T + lin.bias)
        loss = torch.nn.functional.cross_entropy(a @ lins[-1].weight.T + lins[-1].bias, y)
        (g,) = torch.autograd.grad(loss, [lins[0].weight])
        assert comp.norms[i, 1] == pytest.approx(float(g.norm()), rel=1e-12)
    assert np.all(
        comp.norms[1] > comp.norms[0]
    )  # ReLU's first-layer gradient is larger in both draws


def test_init_variance_linear_regime_matches_the_variance_recursion():
    """Too-small tanh weights keep tanh linear: Var(a^l) ~ (n * 0.01^2)^l exactly in expectation."""
    p = profiles.init_variance("tanh", "small", depth=5, width=400, batch=400, seed=0)
    factor = 400 * 0.01**2
    assert p.act_var[0] == pytest.approx(factor, rel=0.1)
    np.testing.assert_allclose(p.act_var[1:] / p.act_var[:-1], factor, rtol=0.1)
    # the backward pass scales the error by the same factor per layer (eq-init-variance)
    np.testing.assert_allclose(p.grad_var[:-1] / p.grad_var[1:], factor, rtol=0.1)


def test_xavier_suits_tanh_he_suits_relu():
    tanh_x = profiles.init_variance("tanh", "xavier", depth=30, width=128, seed=0)
    tanh_he = profiles.init_variance("tanh", "he", depth=30, width=128, seed=0)
    relu_x = profiles.init_variance("relu", "xavier", depth=30, width=128, seed=0)
    relu_he = profiles.init_variance("relu", "he", depth=30, width=128, seed=0)
    assert 0.5 < relu_he.grad_var[0] / relu_he.grad_var[-1] < 2
    assert relu_x.grad_var[0] / relu_x.grad_var[-1] < 1e-6
    assert tanh_he.grad_var[0] / tanh_he.grad_var[-1] > 5  # exploding
    assert 1e-3 < tanh_x.grad_var[0] / tanh_x.grad_var[-1] < 1


def test_gradient_profile_remedies_restore_flow_in_a_deep_sigmoid_net():
    plain = profiles.gradient_profile(depth=15, activation="sigmoid", seed=0)
    bn = profiles.gradient_profile(depth=15, activation="sigmoid", norm="batch", seed=0)
    res = profiles.gradient_profile(depth=15, activation="sigmoid", residual=True, seed=0)
    relu = profiles.gradient_profile(depth=15, activation="relu", init="he", seed=0)
    assert plain.ratio < 1e-8
    for fixed in (bn, res, relu):
        assert fixed.ratio > 1e-2
    assert plain.names[-1] == "head" and len(plain.weight_norm) == 16
    assert "batch norm" in bn.label and "residual" in res.label


def test_gradient_profile_median_over_seeds_and_determinism():
    a = profiles.gradient_profile(depth=4, n_seeds=3, seed=1)
    singles = [profiles.gradient_profile(depth=4, seed=s) for s in (1, 2, 3)]
    np.testing.assert_allclose(
        a.weight_norm, np.median([s.weight_norm for s in singles], axis=0), rtol=1e-12
    )
    np.testing.assert_array_equal(
        a.delta_norm, profiles.gradient_profile(depth=4, n_seeds=3, seed=1).delta_norm
    )


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: profiles.activation_comparison(n_seeds=0, seed=0), ValueError, "n_seeds"),
        (
            lambda: profiles.activation_comparison(("sigmoid", "swish"), n_seeds=1, seed=0),
            ValueError,
            "activation",
        ),
        (
            lambda: profiles.init_variance("relu", "lecun", seed=0),
            ValueError,
            "init must be one of",
        ),
        (lambda: profiles.init_variance("relu", "he", depth=0, seed=0), ValueError, "depth"),
        (lambda: profiles.gradient_profile(depth=0, seed=0), ValueError, "depth"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("batch", [0, -1])
def test_gradient_profile_refuses_an_empty_batch(batch):
    # Issue 12: batch=0 took the mean cross-entropy of no examples (NaN gradients).
    with pytest.raises(ValueError, match=r"\bbatch must be an integer in \[1, 100000\]"):
        profiles.gradient_profile(depth=2, width=4, n_in=4, batch=batch, seed=0)
    with pytest.raises(ValueError, match=r"\bbatch must be an integer"):
        profiles.activation_comparison(n_seeds=1, seed=0, sizes=(4, 4, 2), batch=batch)


def test_gradient_profile_names_n_classes():
    with pytest.raises(ValueError, match=r"\bn_classes must be an integer"):
        profiles.gradient_profile(depth=2, width=4, n_in=4, n_classes=0, seed=0)


def test_profiles_refuse_sizes_beyond_the_limits():  # once they hung
    with pytest.raises(ValueError, match=r"n_seeds must be an integer in \[1, 1000\]"):
        profiles.gradient_profile(depth=2, n_seeds=10**9, seed=0)
    with pytest.raises(ValueError, match=r"depth must be an integer in \[1, 1000\]"):
        profiles.gradient_profile(depth=10**400, seed=0)
