"""``python -m benchmarks``: run every benchmark, write ``_build/bench.json``.

The library's speed on MNIST against a reference (:mod:`benchmarks.suite`), then the live
edition on one CPU (:mod:`benchmarks.live`: each notebook's *Run All* and each widget's step
times, also written as a table to ``_build/bench-live.json`` and printed).

Exits with status 1 when a speed target is missed, 2 when a result differs
from its reference.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from vgp_lib.data import load_mnist

from .live import NOTEBOOKS, bench_live, table
from .suite import ResultMismatch, bench_depth, bench_learning_speed, bench_widget

OUTPUT = Path("_build") / "bench.json"
LIVE_OUTPUT = Path("_build") / "bench-live.json"


def _report(rec) -> None:
    ratio = "" if rec["ratio"] is None else f"ratio {rec['ratio']:.3g}"
    flag = "ok  " if rec["ok"] else "MISS"
    print(
        f"[{flag}] {rec['name']}: {rec['seconds']:.3g} s {ratio} (target {rec['target']})",
        flush=True,
    )


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help=f"where to write the records (default {OUTPUT})"
    )
    parser.add_argument(
        "--live-output",
        type=Path,
        default=LIVE_OUTPUT,
        help=f"where to write the live table (default {LIVE_OUTPUT})",
    )
    parser.add_argument(
        "--chapters", nargs="*", help="live notebooks to run (default: every one in notebooks/)"
    )
    parser.add_argument("--no-live", action="store_true", help="skip the live notebooks")
    parser.add_argument("--no-mnist", action="store_true", help="skip the MNIST benchmarks")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    records = []
    try:
        if not args.no_mnist:
            mnist = load_mnist(dtype=np.float32)
            x_speed = mnist.train.x[:1000].astype(np.float64)
            y_speed = mnist.train.y[:1000]
            for run in (
                lambda: bench_learning_speed(x_speed, y_speed),
                lambda: bench_depth(mnist.train.x, mnist.train.y),
                lambda: bench_widget(x_speed, y_speed),
            ):
                for rec in run():
                    records.append(rec)
                    _report(rec)
    except ResultMismatch as err:
        print(f"RESULT MISMATCH: {err}", file=sys.stderr)
        return 2
    if not args.no_live:
        chapters = None
        if args.chapters:
            chapters = [NOTEBOOKS / f"{name}.ipynb" for name in args.chapters]
        print("live edition, one CPU, quick size: Run All and widget steps", flush=True)
        rows, live_records = bench_live(chapters)
        for rec in live_records:
            records.append(rec)
            _report(rec)
        print(table(rows), flush=True)
        args.live_output.parent.mkdir(parents=True, exist_ok=True)
        args.live_output.write_text(json.dumps(rows, indent=2) + "\n")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(records, indent=2) + "\n")
    print(f"wrote {args.output} in {time.perf_counter() - start:.0f} s")
    return 0 if all(r["ok"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
