"""Tests for vgp_lib.remedies (and its plots): each measurement against an independent computation."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from vgp_lib import activations  # noqa: E402
from vgp_lib import remedies as R  # noqa: E402
from vgp_lib.plots import activations as pactivations  # noqa: E402
from vgp_lib.plots import clipping as pclipping  # noqa: E402
from vgp_lib.plots import monitor as mplots  # noqa: E402
from vgp_lib.plots import profiles as pprofiles  # noqa: E402


def test_activation_comparison_matches_a_hand_built_torch_network():
    comp = R.activation_comparison(("sigmoid", "relu"), n_seeds=2, seed=7)
    from vgp_lib.models import build_mlp

    x, y = R._random_batch(32, 100, 10, seed=8)
    for i, (act, fn) in enumerate((("sigmoid", torch.sigmoid), ("relu", torch.relu))):
        net = build_mlp(n_in=100, width=128, n_out=10, depth=3, activation=act, seed=8)
        lins = net.linears()
        a = x
        for lin in lins[:-1]:
            a = fn(a @ lin.weight.T + lin.bias)
        loss = torch.nn.functional.cross_entropy(a @ lins[-1].weight.T + lins[-1].bias, y)
        (g,) = torch.autograd.grad(loss, [lins[0].weight])
        assert comp.norms[i, 1] == pytest.approx(float(g.norm()), rel=1e-12)
    assert np.all(comp.norms[1] > comp.norms[0])  # ReLU's first-layer gradient is larger in both draws


def test_derivative_curves_come_from_the_activation_module():
    c = R.derivative_curves(("tanh", "gelu"), z=[-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(c.values[0], activations.tanh_prime([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(c.values[1], activations.gelu_prime([-1.0, 0.0, 2.0]))


def test_init_variance_linear_regime_matches_the_variance_recursion():
    """Too-small tanh weights keep tanh linear: Var(a^l) ~ (n * 0.01^2)^l exactly in expectation."""
    p = R.init_variance("tanh", "small", depth=5, width=400, batch=400, seed=0)
    factor = 400 * 0.01**2
    assert p.act_var[0] == pytest.approx(factor, rel=0.1)
    np.testing.assert_allclose(p.act_var[1:] / p.act_var[:-1], factor, rtol=0.1)
    # the backward pass scales the error by the same factor per layer (eq-init-variance)
    np.testing.assert_allclose(p.grad_var[:-1] / p.grad_var[1:], factor, rtol=0.1)


def test_xavier_suits_tanh_he_suits_relu():
    tanh_x = R.init_variance("tanh", "xavier", depth=30, width=128, seed=0)
    tanh_he = R.init_variance("tanh", "he", depth=30, width=128, seed=0)
    relu_x = R.init_variance("relu", "xavier", depth=30, width=128, seed=0)
    relu_he = R.init_variance("relu", "he", depth=30, width=128, seed=0)
    assert 0.5 < relu_he.grad_var[0] / relu_he.grad_var[-1] < 2
    assert relu_x.grad_var[0] / relu_x.grad_var[-1] < 1e-6
    assert tanh_he.grad_var[0] / tanh_he.grad_var[-1] > 5  # exploding
    assert 1e-3 < tanh_x.grad_var[0] / tanh_x.grad_var[-1] < 1


def test_gradient_profile_remedies_restore_flow_in_a_deep_sigmoid_net():
    plain = R.gradient_profile(depth=15, activation="sigmoid", seed=0)
    bn = R.gradient_profile(depth=15, activation="sigmoid", norm="batch", seed=0)
    res = R.gradient_profile(depth=15, activation="sigmoid", residual=True, seed=0)
    relu = R.gradient_profile(depth=15, activation="relu", init="he", seed=0)
    assert plain.ratio < 1e-8
    for fixed in (bn, res, relu):
        assert fixed.ratio > 1e-2
    assert plain.names[-1] == "head" and len(plain.weight_norm) == 16
    assert "batch norm" in bn.label and "residual" in res.label


def test_gradient_profile_median_over_seeds_and_determinism():
    a = R.gradient_profile(depth=4, n_seeds=3, seed=1)
    singles = [R.gradient_profile(depth=4, seed=s) for s in (1, 2, 3)]
    np.testing.assert_allclose(a.weight_norm, np.median([s.weight_norm for s in singles], axis=0), rtol=1e-12)
    np.testing.assert_array_equal(a.delta_norm, R.gradient_profile(depth=4, n_seeds=3, seed=1).delta_norm)


def test_exploding_chain_closed_form():
    """Every z_j = 0, so dC/db_1 = (a_L - y) * (1/4) * 25^(L-1) with a_L = 1/2."""
    for depth in (1, 4, 9):
        g = R.exploding_chain(depth=depth, w=100.0, y=0.0)
        assert g.grad_b[0] == pytest.approx(0.5 * 0.25 * 25.0 ** (depth - 1), rel=1e-12)
        assert g.loss == pytest.approx(0.125, rel=1e-12)
        np.testing.assert_allclose(g.grad_b[:-1] / g.grad_b[1:], 25.0, rtol=1e-12)


def test_training_comparison_on_tiny_synthetic_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    configs = {"relu": dict(depth=2, activation="relu", init="he"),
               "deep sigmoid": dict(depth=8, activation="sigmoid", init="small")}
    comp = R.training_comparison(configs, x[:80], y[:80], x[80:], y[80:], epochs=15, batch_size=16, lr=0.2,
                                 n_seeds=2, seed=0, width=8)
    assert comp.accuracy.shape == (2, 2) and comp.names == ("relu", "deep sigmoid")
    assert comp.median_accuracy("relu") > 0.8
    assert comp.weight_norm[1][0] < 1e-6 * comp.weight_norm[1][-1]
    assert len(comp.losses[0]) == 15 * 5 and comp.budget["n_train"] == 80
    with pytest.raises(ValueError, match="configs"):
        R.training_comparison({}, x, y, x, y, epochs=1, batch_size=4, lr=0.1, n_seeds=1, seed=0)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: R.activation_comparison(n_seeds=0, seed=0), ValueError, "n_seeds"),
        (lambda: R.activation_comparison(("sigmoid", "swish"), n_seeds=1, seed=0), ValueError, "activation"),
        (lambda: R.init_variance("relu", "orthogonal", seed=0), ValueError, "init must be one of"),
        (lambda: R.init_variance("relu", "he", depth=0, seed=0), ValueError, "depth"),
        (lambda: R.gradient_profile(depth=0, seed=0), ValueError, "depth"),
        (lambda: R.exploding_chain(depth=0), ValueError, "depth"),
        (lambda: R.derivative_curves(z=[[0.0]]), ValueError, "z must be 1-dimensional"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_plots_draw_and_return_their_axes():
    profiles = [R.gradient_profile(depth=3, seed=0), R.gradient_profile(depth=3, activation="relu", seed=0)]
    figs = []
    for draw in (
        lambda: pprofiles.plot_activation_comparison(R.activation_comparison(n_seeds=2, seed=0, sizes=(5, 4, 3))),
        lambda: pactivations.plot_derivatives(R.derivative_curves()),
        lambda: pprofiles.plot_variance_profiles([R.init_variance("relu", "he", depth=3, width=8, seed=0)])[0],
        lambda: pprofiles.plot_gradient_profiles(profiles),
        lambda: pprofiles.plot_depth_sweep({"x": profiles}),
        lambda: pclipping.plot_clipping(np.array([3.0, 4.0]), np.array([0.6, 0.8])),
    ):
        ax = draw()
        assert ax.has_data()
        figs.append(ax.figure)
    for f in figs:
        plt.close(f)
    plt.close("all")
    assert math.isfinite(profiles[0].ratio)


def test_monitor_plots_take_a_record_or_a_monitor():
    from vgp_lib.diagnosis import train_watched
    from vgp_lib.models import build_mlp

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 4)), rng.integers(0, 2, 40)
    trace = train_watched(build_mlp(n_in=4, width=5, n_out=2, depth=3, seed=0), x, y, epochs=1, batch_size=10,
                          lr=0.1, seed=0)
    ax = mplots.plot_gradient_record(trace.record, kind="delta")
    assert len(ax.get_lines()) == 1 and ax.has_data()
    ax2 = mplots.plot_norm_history(trace.record)
    assert len(ax2.get_lines()) == 3
    axes = mplots.plot_training_trace(trace, label="x")
    assert all(a.has_data() for a in axes)
    plt.close("all")


def test_training_comparison_and_profiles_refuse_sizes_beyond_the_limits():  # issue 12: they hung
    x = np.zeros((8, 3))
    y = np.array([0, 1] * 4)
    with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, 10000\]"):
        R.training_comparison({"a": dict(depth=2)}, x, y, x, y, epochs=10**30, batch_size=4, lr=0.1,
                              n_seeds=1, seed=0)
    with pytest.raises(ValueError, match=r"n_seeds must be an integer in \[1, 1000\]"):
        R.gradient_profile(depth=2, n_seeds=10**9, seed=0)
    with pytest.raises(ValueError, match=r"depth must be an integer in \[1, 1000\]"):
        R.gradient_profile(depth=10**400, seed=0)


@pytest.mark.parametrize("batch", [0, -1])
def test_gradient_profile_refuses_an_empty_batch(batch):
    # Issue 12: batch=0 took the mean cross-entropy of no examples (NaN gradients).
    with pytest.raises(ValueError, match=r"\bbatch must be an integer in \[1, 100000\]"):
        R.gradient_profile(depth=2, width=4, n_in=4, batch=batch, seed=0)
    with pytest.raises(ValueError, match=r"\bbatch must be an integer"):
        R.activation_comparison(n_seeds=1, seed=0, sizes=(4, 4, 2), batch=batch)


def test_gradient_profile_names_n_classes():
    with pytest.raises(ValueError, match=r"\bn_classes must be an integer"):
        R.gradient_profile(depth=2, width=4, n_in=4, n_classes=0, seed=0)
