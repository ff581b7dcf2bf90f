"""Tests for vgp_lib.models: shapes, initialisation
statistics, determinism, residual identity, validation."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vgp_lib.models import MODEL_ACTIVATIONS, MODEL_INITS, NORMS, build_mlp, init_linear_
from vgp_lib.profiles import init_variance
from vgp_lib.rng import torch_generator


@pytest.mark.parametrize("activation", MODEL_ACTIVATIONS)
@pytest.mark.parametrize("norm", NORMS)
def test_every_configuration_runs_forward_and_backward(activation, norm):
    net = build_mlp(
        n_in=5, width=6, n_out=3, depth=3, activation=activation, norm=norm, residual=True, seed=0
    )
    out = net(torch.randn(4, 5, dtype=torch.float64, generator=torch_generator(1)))
    assert out.shape == (4, 3)
    out.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())


@pytest.mark.parametrize(
    "init, std",
    [
        ("nielsen", lambda i, o: 1 / math.sqrt(i)),
        ("xavier", lambda i, o: math.sqrt(2 / (i + o))),
        ("he", lambda i, o: math.sqrt(2 / i)),
        ("small", lambda i, o: 0.01),
        ("pytorch", lambda i, o: 1 / math.sqrt(3 * i)),
    ],
)
def test_initial_weight_std_matches_the_formula(init, std):
    lin = torch.nn.Linear(300, 200, dtype=torch.float64)
    init_linear_(lin, init, generator=torch_generator(0), gain=1.5)
    measured = float(lin.weight.detach().std())
    assert measured == pytest.approx(1.5 * std(300, 200), rel=0.02)
    bias = lin.bias.detach()
    if init == "nielsen":
        assert float(bias.std()) == pytest.approx(1.0, rel=0.3)
    elif init == "pytorch":
        assert float(bias.abs().max()) <= 1 / math.sqrt(300)
    else:
        assert torch.all(bias == 0)


def test_same_seed_same_network_different_seed_different_network():
    a = build_mlp(n_in=4, width=8, n_out=2, depth=3, activation="tanh", init="he", seed=3)
    b = build_mlp(n_in=4, width=8, n_out=2, depth=3, activation="tanh", init="he", seed=3)
    c = build_mlp(n_in=4, width=8, n_out=2, depth=3, activation="tanh", init="he", seed=4)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert not all(torch.equal(pa, pc) for pa, pc in zip(a.parameters(), c.parameters()))


def test_structure_depth_and_residual_blocks():
    net = build_mlp(n_in=7, width=5, n_out=3, depth=4, residual=True, seed=0)
    assert len(net.blocks) == 4 and len(net.linears()) == 5
    assert [b.residual for b in net.blocks] == [False, True, True, True]
    assert net.blocks[0].linear.in_features == 7 and net.head.out_features == 3


def test_residual_block_is_x_plus_f_of_x():
    net = build_mlp(n_in=3, width=3, n_out=1, depth=2, activation="tanh", residual=True, seed=0)
    block = net.blocks[1]
    a = torch.randn(2, 3, dtype=torch.float64, generator=torch_generator(5))
    expected = a + torch.tanh(block.linear(a))
    assert torch.allclose(block(a), expected, rtol=0, atol=1e-15)


def test_he_keeps_relu_variance_over_50_layers_and_small_init_collapses_it():
    """Stated tolerance: He keeps Var(a^l) within a factor 2 of Var(a^1) for all 50 layers."""
    he = init_variance("relu", "he", depth=50, width=256, seed=0)
    small = init_variance("relu", "small", depth=50, width=256, seed=0)
    ratio = he.act_var / he.act_var[0]
    assert np.all((ratio > 0.5) & (ratio < 2.0))
    assert small.act_var[-1] < 1e-50 * small.act_var[0]


@settings(max_examples=20, deadline=None)
@given(depth=st.integers(1, 6), width=st.integers(1, 9), batch=st.integers(2, 5))
def test_output_shape_for_any_size(depth, width, batch):
    net = build_mlp(
        n_in=3, width=width, n_out=2, depth=depth, activation="elu", norm="layer", seed=0
    )
    assert net(torch.zeros(batch, 3, dtype=torch.float64)).shape == (batch, 2)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(activation="swish"), ValueError, ["activation", "'sigmoid'", "'gelu'"]),
        (dict(init="lecun"), ValueError, ["init", "'xavier'", "'he'"]),
        (dict(norm="group"), ValueError, ["norm", "'batch'", "'layer'"]),
        (dict(depth=0), ValueError, ["depth", "[1, 1000]"]),
        (dict(depth=2.5), ValueError, ["depth"]),
        (dict(width="8"), TypeError, ["width"]),
        (dict(gain=0.0), ValueError, ["gain"]),
        (dict(residual="yes"), TypeError, ["residual"]),
        (dict(dtype=torch.int64), ValueError, ["dtype"]),
    ],
)
def test_bad_input_names_the_parameter_and_allowed_values(kwargs, error, words):
    args = dict(n_in=3, width=4, n_out=2, depth=2, seed=0) | kwargs
    with pytest.raises(error) as info:
        build_mlp(**args)
    for word in words:
        assert word in str(info.value)


def test_init_names_are_listed_in_the_error():
    with pytest.raises(
        ValueError, match="init must be one of " + ", ".join(repr(i) for i in MODEL_INITS)
    ):
        init_linear_(torch.nn.Linear(2, 2), "glorot", generator=torch_generator(0))


def test_build_mlp_refuses_sizes_that_would_never_finish():  # once 10**30 hung
    from vgp_lib.models import build_mlp

    for kwargs, match in [
        (dict(depth=10**30), r"depth must be an integer in \[1, 1000\]"),
        (dict(depth=10**400), r"depth must be an integer in \[1, 1000\]"),
        (dict(width=10**9), r"width must be an integer in \[1, 100000\]"),
        (dict(width=50_000, depth=100), "at most 1e\\+08"),
    ]:
        args = dict(n_in=4, width=5, n_out=2, depth=3, seed=0) | kwargs
        with pytest.raises(ValueError, match=match):
            build_mlp(**args)


# --- the classes and init_linear_ check their arguments ---------------------------------
@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(n_in="3"), TypeError, "n_in must be an integer"),
        (dict(n_in=0), ValueError, "n_in must be an integer"),
        (dict(n_out=True), TypeError, "n_out must be an integer"),
        (dict(n_out=10**9), ValueError, r"n_out must be an integer in \[1, 100000\]"),
        (dict(n_in=100_000, n_out=100_000), ValueError, "n_in \\* n_out must be at most"),
        (dict(activation="swish"), ValueError, "activation must be one of"),
        (dict(norm=None), TypeError, "norm must be one of"),
        (dict(residual=None), TypeError, "residual must be True or False"),
        (dict(dtype=int), TypeError, "dtype must be one of torch.float32"),
        (dict(dtype=torch.float16), ValueError, "dtype must be one of torch.float32"),
    ],
)
def test_block_checks_its_arguments(kwargs, error, match):
    # Issue 12: Block(activation="swish") raised KeyError, norm=None was taken as "none".
    from vgp_lib.models import Block

    args = (
        dict(n_in=3, n_out=2, activation="relu", norm="none", residual=False, dtype=torch.float64)
        | kwargs
    )
    with pytest.raises(error, match=rf"^{match}"):
        Block(**args)


@pytest.mark.parametrize("bad", [None, 3, "x", {}, np.ones((2, 4))])
def test_forward_refuses_what_is_not_a_tensor(bad):
    net = build_mlp(n_in=4, width=5, n_out=2, depth=2, seed=0)
    with pytest.raises(TypeError, match=r"^x must be a torch.Tensor"):
        net(bad)


def test_init_linear_checks_the_layer_and_the_generator():
    # Issue 12: generator=None silently drew from torch's global generator (not reproducible).
    with pytest.raises(TypeError, match=r"^linear must be a torch.nn.Linear"):
        init_linear_(torch.nn.Conv1d(2, 2, 1), "he", generator=torch_generator(0))
    with pytest.raises(TypeError, match=r"^generator must be a torch.Generator"):
        init_linear_(torch.nn.Linear(2, 2), "he", generator=None)


def test_build_mlp_seed_beyond_torch_range_names_seed():
    with pytest.raises(ValueError, match=rf"^seed must be an integer in \[0, {2**64 - 1}\]"):
        build_mlp(n_in=4, width=5, n_out=2, depth=2, seed=2**64)


@pytest.mark.parametrize("shape", [(30, 30), (20, 50), (50, 20)])
def test_orthogonal_initialisation_has_orthonormal_rows_or_columns_times_the_gain(shape):
    n_out, n_in = shape
    lin = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
    init_linear_(lin, "orthogonal", generator=torch_generator(0), gain=1.5)
    w = lin.weight.detach()
    gram = w @ w.T if n_out <= n_in else w.T @ w
    torch.testing.assert_close(gram, 2.25 * torch.eye(min(shape), dtype=torch.float64))
    assert bool((lin.bias == 0).all())
    other = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
    init_linear_(other, "orthogonal", generator=torch_generator(1), gain=1.5)
    assert not torch.equal(other.weight, lin.weight)  # a random orthogonal matrix, per seed
