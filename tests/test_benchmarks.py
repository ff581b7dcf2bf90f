"""A tiny run of every benchmark: they work, check results against the reference, and report.

Speed is not tested here (``make bench`` measures it on MNIST); these runs use
small synthetic data.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from functools import partial
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import __main__ as bench_main  # noqa: E402
from benchmarks import reference, suite  # noqa: E402
from vgp_lib.data import MNIST, Split  # noqa: E402

KEYS = {"name", "seconds", "reference_seconds", "ratio", "target", "ok"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (n, 784)) / 256
    x[:, :50] = 0.0
    return x, rng.integers(0, 10, n)


def _check_records(records):
    for rec in records:
        assert set(rec) == KEYS
        assert rec["seconds"] > 0
        json.dumps(rec)  # serialisable


def test_learning_speed_benchmark_checks_against_the_reference():
    records = suite.bench_learning_speed(
        *_data(40), hidden_layers=2, steps=6, seeds=(0, 1), reference_steps=2
    )
    _check_records(records)
    assert records[0]["target"] == ">= 30" and records[0]["reference_seconds"] > 0
    assert records[1]["target"] is None and records[1]["ok"]


def test_learning_speed_benchmark_catches_a_wrong_result(monkeypatch):
    real = reference.speeds_during_training
    monkeypatch.setattr(reference, "speeds_during_training", lambda *a: real(*a) * (1 + 1e-6))
    with pytest.raises(suite.ResultMismatch, match="float64 speeds differ"):
        suite.bench_learning_speed(
            *_data(30), hidden_layers=2, steps=3, seeds=(0,), reference_steps=2
        )


def test_depth_benchmark_checks_against_the_reference():
    records = suite.bench_depth(
        *_data(120), hidden_layers=(1, 2), reference_images=40, seeds=(0, 1), repeats=2
    )
    _check_records(records)
    assert [r["target"] for r in records] == [">= 4", "<= 2"]
    assert records[1]["ratio"] == pytest.approx(
        records[1]["seconds"] / records[1]["reference_seconds"]
    )


def test_depth_benchmark_catches_a_wrong_result(monkeypatch):
    real = reference.update_mini_batch

    def off_by_a_bit(weights, biases, *args, **kwargs):
        out = real(weights, biases, *args, **kwargs)
        weights[0] += 1e-6
        return out

    monkeypatch.setattr(reference, "update_mini_batch", off_by_a_bit)
    with pytest.raises(suite.ResultMismatch, match=r"float64 training \(1 hidden\) differs"):
        suite.bench_depth(
            *_data(60), hidden_layers=(1,), reference_images=20, seeds=(0,), repeats=1
        )


def test_widget_benchmark_compares_with_the_compute_call():
    x, y = _data(20)
    rec, info = suite.bench_widget(x, y)
    _check_records([rec, info])
    assert rec["target"] == "<= 0.1 s" and rec["ratio"] is None
    assert info["target"] is None and info["seconds"] > rec["seconds"]


def test_reference_backprop_is_the_textbook_loop():
    # one example, two layers: the reference's gradient against a hand-written chain rule
    w = [np.array([[0.5, -1.0]]), np.array([[2.0]])]
    b = [np.array([[0.1]]), np.array([[-0.3]])]
    x, y = np.array([[1.0], [0.5]]), np.array([[1.0]])
    nb, nw = reference.backprop(w, b, x, y)
    a1 = reference.sigmoid(w[0] @ x + b[0])
    a2 = reference.sigmoid(w[1] @ a1 + b[1])
    d2 = a2 - y
    d1 = w[1].T @ d2 * a1 * (1 - a1)
    np.testing.assert_allclose(nb[1], d2)
    np.testing.assert_allclose(nw[0], d1 @ x.T)


def test_main_writes_the_records_and_fails_on_a_missed_target(tmp_path, monkeypatch):
    x, y = _data(80)
    fake = MNIST(Split(x.astype(np.float32), y), Split(x[:10], y[:10]), Split(x[:10], y[:10]))
    monkeypatch.setattr(bench_main, "load_mnist", lambda **kw: fake)
    monkeypatch.setattr(
        bench_main,
        "bench_learning_speed",
        partial(
            suite.bench_learning_speed, hidden_layers=1, steps=3, seeds=(0,), reference_steps=1
        ),
    )
    monkeypatch.setattr(
        bench_main,
        "bench_depth",
        partial(
            suite.bench_depth, hidden_layers=(1,), reference_images=20, repeats=1, seeds=(0, 1)
        ),
    )
    out = tmp_path / "bench.json"
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        status = bench_main.main(["--output", str(out)])
    records = json.loads(out.read_text())
    assert len(records) == 6 and all(set(r) == KEYS for r in records)
    assert status == (0 if all(r["ok"] for r in records) else 1)
    assert "wrote" in printed.getvalue()
    # a record that misses its target makes the run fail
    monkeypatch.setattr(
        bench_main,
        "bench_widget",
        lambda *a: [suite.record("slow widget", 1.0, None, None, "<= 0.1 s", False)],
    )
    with contextlib.redirect_stdout(io.StringIO()):
        assert bench_main.main(["--output", str(out)]) == 1
