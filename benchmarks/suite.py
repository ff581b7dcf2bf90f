"""The benchmarks: each times the library against a reference and checks both agree.

Every function returns one record ``{name, seconds, reference_seconds, ratio,
target, ok}`` (``target`` is text such as ``">= 30"``; ``ok`` says whether the
ratio meets it) and raises :class:`ResultMismatch` when the library's result
differs from the reference's. The sizes are arguments so the tests can run a
tiny version; ``python -m benchmarks`` runs the real sizes on MNIST.
"""

from __future__ import annotations

import time

import numpy as np

from vgp_lib import network, speeds
from vgp_lib.rng import make_rng

from . import reference

#: Nielsen's settings, shared by the library and the reference runs below.
ETA, LMBDA, MINI_BATCH = 0.1, 5.0, 10


class ResultMismatch(AssertionError):
    """The library and the reference computed different results."""


def record(name, seconds, reference_seconds, ratio, target, ok) -> dict:
    return {
        "name": name,
        "seconds": float(seconds),
        "reference_seconds": None if reference_seconds is None else float(reference_seconds),
        "ratio": None if ratio is None else float(ratio),
        "target": target,
        "ok": bool(ok),
    }


def _timed(fn, repeats: int = 1):
    """``(result, best wall time)`` over ``repeats`` calls."""
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ResultMismatch(message)


def _max_param_gap(params, weights, biases) -> float:
    gaps = [np.abs(params.weights[l][0] - weights[l]).max() for l in range(len(weights))]
    gaps += [np.abs(params.biases[l][0] - biases[l][:, 0]).max() for l in range(len(biases))]
    return float(max(gaps))


def bench_learning_speed(
    x, y, *, hidden_layers: int = 4, steps: int = 500, seeds=(0, 1, 2), reference_steps: int = 5
) -> list:
    """Experiment 4 as the chapter runs it (single precision, seeds together) vs the per-example
    reference.

    The reference runs ``reference_steps`` full-batch steps for one seed; its
    time is scaled to ``steps`` steps and ``len(seeds)`` seeds. Checks: the
    library in float64 records the same speeds as the reference (rel. 1e-9),
    and in float32 within 1e-4.
    """
    x = np.asarray(x, dtype=np.float64)
    sizes = [x.shape[1]] + [30] * hidden_layers + [10]

    def ours(dtype, n_steps, run_seeds):
        return speeds.speeds_during_training(
            x,
            y,
            hidden_layers=hidden_layers,
            steps=n_steps,
            eta=ETA,
            lmbda=LMBDA,
            seeds=run_seeds,
            dtype=dtype,
            show_progress=False,
        )

    w, b = reference.from_params(network.init_params(sizes, seed=seeds[0]))
    ref_speeds, t_ref = _timed(
        lambda: reference.speeds_during_training(w, b, x, y, reference_steps, ETA, LMBDA)
    )
    check64 = ours(np.float64, reference_steps, seeds[:1]).speeds[0]
    _require(
        np.allclose(check64, ref_speeds, rtol=1e-9, atol=0),
        f"float64 speeds differ from the reference by {np.abs(check64 / ref_speeds - 1).max():.2g}",
    )
    run32, t32 = _timed(lambda: ours(np.float32, steps, tuple(seeds)))
    gap32 = np.abs(run32.speeds[0, :reference_steps] / ref_speeds - 1).max()
    _require(gap32 < 1e-4, f"float32 speeds differ from the reference by {gap32:.2g}")
    ref_total = t_ref / reference_steps * steps * len(seeds)
    _, t64 = _timed(lambda: ours(np.float64, steps, tuple(seeds)))
    return [
        record(
            f"learning_speed: {hidden_layers} hidden layers, {steps} full-batch steps on {len(x)} "
            f"images, {len(seeds)} seeds (float32, as in the chapter)",
            t32,
            ref_total,
            ref_total / t32,
            ">= 30",
            ref_total / t32 >= 30,
        ),
        record(
            "learning_speed in float64 (for information)",
            t64,
            ref_total,
            ref_total / t64,
            None,
            True,
        ),
    ]


def bench_depth(
    x,
    y,
    *,
    hidden_layers=(1, 2, 3, 4),
    reference_images: int = 2000,
    seeds=(0, 1, 2),
    repeats: int = 3,
) -> list:
    """Experiment 1's training (every depth, one epoch each) vs the reference, and 3 seeds together
    vs one.

    Speed: the library trains one epoch on all of ``x`` in float32 (as the
    chapter does) for each depth; the reference trains one epoch on the first
    ``reference_images`` images, scaled to the full epoch. Times are the best
    of ``repeats`` runs, one seed and the seed stack interleaved so both see the
    same background load. Checks: on the short epoch the library in float64
    ends with the reference's weights (to 1e-10), and in float32 within 1e-3;
    network ``k`` of the seed stack matches the same seed trained alone.
    """
    x32 = np.asarray(x, dtype=np.float32)
    n_short = min(reference_images, len(x32))
    xs64, ys = np.asarray(x[:n_short], dtype=np.float64), y[:n_short]
    order = (
        make_rng(seeds[0]).spawn(1)[0].permutation(n_short)
    )  # the order train() shuffles in for seeds[0]

    def ours(sizes, dtype, xs, ys_, run_seeds):
        params = network.init_params(sizes, seed=run_seeds, dtype=dtype)
        return network.train(
            params,
            xs,
            ys_,
            epochs=1,
            mini_batch_size=MINI_BATCH,
            eta=ETA,
            lmbda=LMBDA,
            seed=run_seeds,
            show_progress=False,
        ).params

    t_ref = t_one = t_many = 0.0
    for h in hidden_layers:
        sizes = [x32.shape[1]] + [30] * h + [10]
        best = float("inf")
        for _ in range(max(1, min(repeats, 2))):  # each run from the initial weights
            w, b = reference.from_params(network.init_params(sizes, seed=seeds[0]))
            _, t = _timed(
                lambda w=w, b=b: reference.sgd(w, b, xs64, ys, order, MINI_BATCH, ETA, LMBDA)
            )
            best = min(best, t)
        t_ref += best * len(x32) / n_short
        gap64 = _max_param_gap(ours(sizes, np.float64, xs64, ys, seeds[:1]), w, b)
        _require(
            gap64 < 1e-10,
            f"float64 training ({h} hidden) differs from the reference by {gap64:.2g}",
        )
        gap32 = _max_param_gap(
            ours(sizes, np.float32, xs64.astype(np.float32), ys, seeds[:1]), w, b
        )
        _require(
            gap32 < 1e-3, f"float32 training ({h} hidden) differs from the reference by {gap32:.2g}"
        )

        best_one = best_many = float("inf")
        for _ in range(repeats):
            one, t = _timed(lambda sizes=sizes: ours(sizes, np.float32, x32, y, seeds[:1]))
            best_one = min(best_one, t)
            many, t = _timed(lambda sizes=sizes: ours(sizes, np.float32, x32, y, tuple(seeds)))
            best_many = min(best_many, t)
        t_one += best_one
        t_many += best_many
        gap = max(
            np.abs(a[0] - c[0]).max()
            for a, c in zip(many.weights + many.biases, one.weights + one.biases)
        )
        _require(
            gap < 1e-5,
            f"seed {seeds[0]} trained in a stack ({h} hidden) differs from alone by {gap:.2g}",
        )
    depths = ", ".join(str(h) for h in hidden_layers)
    return [
        record(
            f"depth: one seed, one epoch of {len(x32)} images for each of {depths} hidden layers "
            "(float32)",
            t_one,
            t_ref,
            t_ref / t_one,
            ">= 4",
            t_ref / t_one >= 4,
        ),
        record(
            f"depth: {len(seeds)} seeds together vs one seed, same work (time ratio)",
            t_many,
            t_one,
            t_many / t_one,
            "<= 2",
            t_many / t_one <= 2,
        ),
    ]


def bench_widget(x, y, *, repeats: int = 1) -> list:
    """Median redraw of the speed widget over a sweep of every control.

    The target is on what :class:`~vgp_lib.widgets.LiveFigure` times as
    ``seconds``: compute + draw. Rendering the figure to PNG bytes for the
    browser (``render_seconds``) is reported beside it, for information.
    """
    from vgp_lib.widgets import speeds as widget

    live = widget.speed_explorer(x, y)
    settings = (
        [("hidden_layers", h) for h in range(1, 9)]
        + [("width", w) for w in (10, 50, 100, 30)]
        + [("activation", a) for a in ("tanh", "relu", "sigmoid")]
        + [("init", i) for i in ("xavier", "he", "nielsen")]
    )
    live.seconds.clear()
    live.render_seconds.clear()
    for _ in range(repeats):
        for name, value in settings:
            live.controls[name].value = value
            expected = speeds.speed_profile(
                x, y, seed=widget.WIDGET_SEEDS, dtype=np.float32, **live.values()
            )
            _require(
                np.array_equal(live.result.speeds, expected.speeds),
                f"widget result for {name}={value!r} differs from speed_profile",
            )
    total = np.array(live.seconds) + np.array(live.render_seconds)
    median = float(np.median(live.seconds))
    return [
        record(
            f"widget redraw: compute + draw, median over {len(total)} control changes",
            median,
            None,
            None,
            "<= 0.1 s",
            median <= 0.1,
        ),
        record(
            "widget redraw incl. PNG rendering (for information)",
            float(np.median(total)),
            None,
            None,
            None,
            True,
        ),
    ]
