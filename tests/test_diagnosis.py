"""Tests for vgp_lib.diagnosis: the training loop on tiny synthetic data and the symptom measurements."""

import numpy as np
import pytest
import torch

from vgp_lib.diagnosis import accuracy, cpu_single_thread, diagnose, stuck_layers, train_watched
from vgp_lib.models import build_mlp
from vgp_lib.monitor import GradientRecord


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
    expected = [float((lin.weight.detach() - w).norm() / w.norm()) for lin, w in zip(net.linears(), w0)]
    np.testing.assert_allclose(trace.update_ratio[0], expected, rtol=1e-10)


def test_training_is_deterministic():
    x, y = _data(60)
    runs = []
    for _ in range(2):
        net = build_mlp(n_in=6, width=8, n_out=2, depth=3, seed=1)
        runs.append(train_watched(net, x, y, epochs=2, batch_size=16, lr=0.1, seed=3))
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)
    np.testing.assert_array_equal(runs[0].record.weight_norm, runs[1].record.weight_norm)


def test_cpu_single_thread_restores_the_thread_count_even_on_error():
    before = torch.get_num_threads()
    with pytest.raises(KeyError):
        with cpu_single_thread():
            assert torch.get_num_threads() == 1
            raise KeyError("x")
    assert torch.get_num_threads() == before


def test_stuck_layers_threshold_and_accuracy():
    rec = GradientRecord(("a", "b", "c"), np.array([[1e-5, 2e-3, 1.0], [1e-5, 5e-4, 1.0]]), np.ones((2, 3)))
    assert stuck_layers(rec, threshold=1e-3) == ("a",)
    assert stuck_layers(rec, threshold=1e-2) == ("a", "b")
    with pytest.raises(ValueError, match="threshold"):
        stuck_layers(rec, threshold=0)
    net = torch.nn.Linear(2, 2, dtype=torch.float64)
    with torch.no_grad():
        net.weight.copy_(torch.eye(2, dtype=torch.float64))
        net.bias.zero_()
    assert accuracy(net, np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.array([0, 1, 1])) == pytest.approx(2 / 3)


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
    args = dict(model=build_mlp(n_in=6, width=4, n_out=2, depth=1, seed=0), x=np.zeros((5, 6)),
                y=np.zeros(5, dtype=np.int64), epochs=1, batch_size=2, lr=0.1, seed=0) | kwargs
    with pytest.raises(error, match=match):
        train_watched(args.pop("model"), args.pop("x"), args.pop("y"), **args)


def test_train_watched_refuses_epochs_beyond_the_limit():  # issue 12: 10**30 epochs hung
    from vgp_lib.models import build_mlp

    x, y = _data(n=20)
    for epochs in (10**9, 10**30, 10**400):
        with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, 10000\]"):
            train_watched(build_mlp(n_in=6, width=3, n_out=2, depth=2, seed=0), x, y, epochs=epochs,
                          batch_size=10, lr=0.1, seed=0)
