"""A tiny run of every benchmark: they work, check results against the reference, and report.

Speed is not tested here (``make bench`` measures it on MNIST and on the live notebooks);
these runs use small synthetic data and a notebook of two code cells.
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

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import __main__ as bench_main  # noqa: E402
from benchmarks import live, reference, suite  # noqa: E402
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
    row = {"chapter": "tiny", "run_all_s": 1.0, "peak_mib": 100}
    monkeypatch.setattr(
        bench_main,
        "bench_live",
        lambda chapters: (
            [row],
            [suite.record("live Run All: tiny", 1.0, None, None, "<= 60 s", True)],
        ),
    )
    out, table = tmp_path / "bench.json", tmp_path / "bench-live.json"
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        status = bench_main.main(["--output", str(out), "--live-output", str(table)])
    records = json.loads(out.read_text())
    assert len(records) == 7 and all(set(r) == KEYS for r in records)
    assert status == (0 if all(r["ok"] for r in records) else 1)
    assert "wrote" in printed.getvalue() and "| tiny | 1.0 |" in printed.getvalue()
    assert json.loads(table.read_text()) == [row]
    # a record that misses its target makes the run fail
    monkeypatch.setattr(
        bench_main,
        "bench_widget",
        lambda *a: [suite.record("slow widget", 1.0, None, None, "<= 0.1 s", False)],
    )
    with contextlib.redirect_stdout(io.StringIO()):
        assert bench_main.main(["--output", str(out)]) == 1


def test_a_readers_steps_go_one_step_each_way_then_to_the_ends():
    import ipywidgets

    slider = ipywidgets.IntSlider(value=3, min=1, max=10)
    assert live.control_steps(slider, 2) == [4, 3, 2, 3, 4, 3, 2, 3, 10, 1, 3]
    at_end = ipywidgets.IntSlider(value=10, min=1, max=10)
    assert live.control_steps(at_end, 1) == [9, 10, 1, 10]
    log = ipywidgets.FloatLogSlider(value=1.0, base=10, min=-1, max=2, step=1)
    assert live.control_steps(log, 1) == pytest.approx([10.0, 1.0, 0.1, 1.0, 100.0, 0.1, 1.0])
    menu = ipywidgets.Dropdown(options=["a", "b", "c"], value="b")
    assert live.control_steps(menu, 2) == ["a", "c", "b"]
    box = ipywidgets.Checkbox(value=False)
    assert live.control_steps(box, 1) == [True, False]


def test_the_live_benchmark_times_run_all_and_every_widget_step(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("A tiny chapter."),
        nbformat.v4.new_code_cell("from vgp_lib.widgets.chain import chain_explorer"),
        nbformat.v4.new_code_cell("chain_explorer(depth=3)"),
    ]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    rows, records = live.bench_live(
        [path], cpu=live.default_cpu(), repeats=1, log=lambda *a, **k: None
    )
    (row,) = rows
    assert row["chapter"] == "tiny" and row["run_all_s"] > 0 and row["peak_mib"] > 0
    assert row["widget"] == "chain_explorer" and row["first_control"] == "depth"
    assert 0 < row["step_median_s"] <= row["step_max_s"] <= row["busy_max_s"]
    assert row["steps"] >= 5 * 2  # every control moved, each at least once and back
    _check_records(records)
    assert [r["target"] for r in records] == ["<= 60 s", "<= 0.5 s"]
    assert records[1]["seconds"] == row["step_max_s"]
    assert "| tiny |" in live.table(rows) and "chain_explorer (depth)" in live.table(rows)
