"""Tests for vgp_lib.monitor: records match autograd, hooks always removed, custom modules, validation."""

import numpy as np
import pytest
import torch
from torch import nn

from vgp_lib.models import build_mlp
from vgp_lib.monitor import GradientMonitor, GradientRecord, watched_layers
from vgp_lib.rng import torch_generator


def _batch(n=16, n_in=6, seed=0):
    g = torch_generator(seed)
    return torch.randn(n, n_in, generator=g, dtype=torch.float64), torch.randint(0, 3, (n,), generator=g)


def _hook_count(model):
    count = 0
    for module in model.modules():
        count += len(module._forward_hooks) + len(module._forward_pre_hooks)
        count += len(module._backward_hooks) + len(getattr(module, "_backward_pre_hooks", {}))
        for p in module.parameters(recurse=False):
            count += len(p._backward_hooks or {})
    return count


def test_records_match_autograd_weight_gradients_and_deltas():
    net = build_mlp(n_in=6, width=5, n_out=3, depth=3, activation="tanh", init="xavier", seed=0)
    x, y = _batch()
    with GradientMonitor(net) as mon:
        zs = []
        a = x
        for block in net.blocks:
            z = block.linear(a)
            z.retain_grad()
            zs.append(z)
            a = block.act(block.norm(z))
        zs.append(net.head(a))
        zs[-1].retain_grad()
        nn.functional.cross_entropy(zs[-1], y).backward()
    deltas = [z.grad for z in zs]
    rec = mon.record()
    assert rec.names == ("blocks.0.linear", "blocks.1.linear", "blocks.2.linear", "head")
    expected_w = [float(lin.weight.grad.norm()) for lin in net.linears()]
    np.testing.assert_allclose(rec.weight_norm[0], expected_w, rtol=1e-12)
    np.testing.assert_allclose(rec.delta_norm[0], [float(d.norm()) for d in deltas], rtol=1e-12)


def test_one_row_per_backward_pass_not_accumulated():
    net = build_mlp(n_in=6, width=5, n_out=3, depth=2, seed=0)
    x, y = _batch()
    with GradientMonitor(net) as mon:
        for _ in range(3):
            nn.functional.cross_entropy(net(x), y).backward()  # .grad accumulates; the record must not
    rec = mon.record()
    assert rec.weight_norm.shape == (3, 3) and rec.n_steps == 3
    np.testing.assert_allclose(rec.weight_norm[0], rec.weight_norm[2], rtol=1e-12)
    assert float(net.head.weight.grad.norm()) == pytest.approx(3 * rec.weight_norm[0, -1], rel=1e-12)


def test_no_hook_left_after_exit_also_when_the_body_raises():
    net = build_mlp(n_in=6, width=5, n_out=3, depth=3, norm="batch", seed=0)
    before = _hook_count(net)
    x, y = _batch()
    with GradientMonitor(net) as mon:
        assert _hook_count(net) > before and mon.active
        nn.functional.cross_entropy(net(x), y).backward()
    assert _hook_count(net) == before and not mon.active
    with pytest.raises(RuntimeError, match="boom"):
        with GradientMonitor(net):
            net(x)
            raise RuntimeError("boom")
    assert _hook_count(net) == before
    out = net(x)  # no stale hook fires after exit
    nn.functional.cross_entropy(out, y).backward()


def test_works_on_a_custom_module_subclass_with_conv_and_shared_names():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(1, 2, 3, padding=1, dtype=torch.float64)
            self.scale = nn.Parameter(torch.ones(1, dtype=torch.float64))  # 1-D: not watched
            self.fc = nn.Linear(12, 3, dtype=torch.float64)

        def forward(self, x):
            return self.fc(torch.sigmoid(self.conv(x.unsqueeze(1))).flatten(1) * self.scale)

    net = Custom()
    x, y = _batch(n_in=6)
    assert [n for n, _ in watched_layers(net)] == ["conv", "fc"]
    with GradientMonitor(net) as mon:
        nn.functional.cross_entropy(net(x), y).backward()
    rec = mon.record()
    assert rec.names == ("conv", "fc")
    np.testing.assert_allclose(rec.weight_norm[0], [float(net.conv.weight.grad.norm()), float(net.fc.weight.grad.norm())], rtol=1e-12)


def test_layer_selection_by_name():
    net = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 3))
    x, y = _batch()
    with GradientMonitor(net, layers=["2"]) as mon:
        nn.functional.cross_entropy(net(x.float()), y).backward()
    assert mon.record().names == ("2",)
    with pytest.raises(ValueError, match=r"layers must name layers with a weight matrix, one of \['0', '2'\]"):
        GradientMonitor(net, layers=["1"])


def test_bad_input_names_the_parameter():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got list"):
        GradientMonitor([nn.Linear(2, 2)])
    with pytest.raises(ValueError, match="layers"):
        GradientMonitor(nn.ReLU())
    with pytest.raises(TypeError, match="layers must be a sequence"):
        GradientMonitor(nn.Linear(2, 2), layers="weight")
    rec = GradientRecord(("a",), np.ones((1, 1)), np.ones((1, 1)))
    with pytest.raises(ValueError, match="kind must be one of 'weight', 'delta'"):
        rec.ratio("bias")


def test_batch_norm_bias_gradient_is_zero_but_delta_is_not():
    net = build_mlp(n_in=6, width=5, n_out=3, depth=3, norm="batch", seed=0)
    x, y = _batch()
    with GradientMonitor(net) as mon:
        nn.functional.cross_entropy(net(x), y).backward()
    assert float(net.blocks[1].linear.bias.grad.abs().max()) < 1e-12
    assert mon.record().delta_norm[0, 1] > 1e-6


def test_cannot_enter_twice():
    mon = GradientMonitor(nn.Linear(2, 2))
    with mon:
        with pytest.raises(RuntimeError, match="already active"):
            mon.__enter__()
    assert not mon.active
