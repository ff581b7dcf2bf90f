"""Tests for vgp_lib.monitor: records match autograd,
hooks always removed, custom modules, validation."""

import numpy as np
import pytest
import torch
from torch import nn

from vgp_lib.models import build_mlp
from vgp_lib.monitor import (
    GradientMonitor,
    GradientRecord,
    diagnose,
    model_accuracy,
    stuck_layers,
    train_watched,
    watched_layers,
)
from vgp_lib.rng import torch_generator


def _batch(n=16, n_in=6, seed=0):
    g = torch_generator(seed)
    return torch.randn(n, n_in, generator=g, dtype=torch.float64), torch.randint(
        0, 3, (n,), generator=g
    )


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
            nn.functional.cross_entropy(
                net(x), y
            ).backward()  # .grad accumulates; the record must not
    rec = mon.record()
    assert rec.weight_norm.shape == (3, 3) and rec.n_steps == 3
    np.testing.assert_allclose(rec.weight_norm[0], rec.weight_norm[2], rtol=1e-12)
    assert float(net.head.weight.grad.norm()) == pytest.approx(
        3 * rec.weight_norm[0, -1], rel=1e-12
    )


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
    np.testing.assert_allclose(
        rec.weight_norm[0],
        [float(net.conv.weight.grad.norm()), float(net.fc.weight.grad.norm())],
        rtol=1e-12,
    )


def test_layer_selection_by_name():
    net = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 3))
    x, y = _batch()
    with GradientMonitor(net, layers=["2"]) as mon:
        nn.functional.cross_entropy(net(x.float()), y).backward()
    assert mon.record().names == ("2",)
    with pytest.raises(ValueError, match=r"layers must be one of '0', '2'; got '1'"):
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


# -- training watched, and the diagnosis ---------------------------------------------------------
def _data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 6))
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return x, y


def test_a_healthy_net_learns_a_separable_task_and_shows_no_symptom():
    x, y = _data()
    net = build_mlp(n_in=6, width=16, n_out=2, depth=2, activation="relu", init="he", seed=0)
    trace = train_watched(net, x, y, epochs=10, batch_size=20, lr=0.1, seed=0, x_val=x, y_val=y)
    d = diagnose(trace)
    assert trace.val_accuracy > 0.9 and d.loss_drop > 0.5
    assert not d.vanishing and d.stuck == ()


def test_a_deep_sigmoid_net_shows_all_three_symptoms():
    x, y = _data()
    net = build_mlp(n_in=6, width=16, n_out=2, depth=12, activation="sigmoid", init="small", seed=0)
    d = diagnose(train_watched(net, x, y, epochs=3, batch_size=20, lr=0.1, seed=0))
    assert d.loss_drop < 0.05
    assert d.grad_ratio_first_last < 1e-6 and d.update_ratio_first_last < 1e-4 and d.vanishing
    assert "blocks.0.linear" in d.stuck


def test_update_ratio_is_relative_weight_change():
    x, y = _data(40)
    net = build_mlp(n_in=6, width=4, n_out=2, depth=1, seed=0)
    w0 = [lin.weight.detach().clone() for lin in net.linears()]
    trace = train_watched(net, x, y, epochs=1, batch_size=40, lr=0.5, seed=0)
    expected = [
        float((lin.weight.detach() - w).norm() / w.norm()) for lin, w in zip(net.linears(), w0)
    ]
    np.testing.assert_allclose(trace.update_ratio[0], expected, rtol=1e-10)


def test_training_is_deterministic():
    x, y = _data(60)
    runs = []
    for _ in range(2):
        net = build_mlp(n_in=6, width=8, n_out=2, depth=3, seed=1)
        runs.append(train_watched(net, x, y, epochs=2, batch_size=16, lr=0.1, seed=3))
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)
    np.testing.assert_array_equal(runs[0].record.weight_norm, runs[1].record.weight_norm)


def test_stuck_layers_threshold_and_accuracy():
    rec = GradientRecord(
        ("a", "b", "c"), np.array([[1e-5, 2e-3, 1.0], [1e-5, 5e-4, 1.0]]), np.ones((2, 3))
    )
    assert stuck_layers(rec, threshold=1e-3) == ("a",)
    assert stuck_layers(rec, threshold=1e-2) == ("a", "b")
    with pytest.raises(ValueError, match="threshold"):
        stuck_layers(rec, threshold=0)
    net = torch.nn.Linear(2, 2, dtype=torch.float64)
    with torch.no_grad():
        net.weight.copy_(torch.eye(2, dtype=torch.float64))
        net.bias.zero_()
    assert model_accuracy(
        net, np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.array([0, 1, 1])
    ) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(epochs=0), ValueError, "epochs"),
        (dict(lr=-0.1), ValueError, "lr"),
        (dict(momentum=1.0), ValueError, "momentum"),
        (dict(y=np.zeros(5)), TypeError, "y must hold integer class labels"),
        (dict(y=np.zeros(4, dtype=np.int64)), ValueError, "same n"),
        (dict(model="net"), TypeError, "model must be a torch.nn.Module"),
    ],
)
def test_bad_input(kwargs, error, match):
    args = (
        dict(
            model=build_mlp(n_in=6, width=4, n_out=2, depth=1, seed=0),
            x=np.zeros((5, 6)),
            y=np.zeros(5, dtype=np.int64),
            epochs=1,
            batch_size=2,
            lr=0.1,
            seed=0,
        )
        | kwargs
    )
    with pytest.raises(error, match=match):
        train_watched(args.pop("model"), args.pop("x"), args.pop("y"), **args)


def test_train_watched_refuses_epochs_beyond_the_limit():  # once 10**30 epochs hung
    from vgp_lib.models import build_mlp

    x, y = _data(n=20)
    for epochs in (10**9, 10**30, 10**400):
        with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, 10000\]"):
            train_watched(
                build_mlp(n_in=6, width=3, n_out=2, depth=2, seed=0),
                x,
                y,
                epochs=epochs,
                batch_size=10,
                lr=0.1,
                seed=0,
            )
