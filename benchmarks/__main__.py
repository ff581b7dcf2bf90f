"""``python -m benchmarks``: run every benchmark on MNIST, write ``_build/bench.json``.

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

from .suite import ResultMismatch, bench_depth, bench_learning_speed, bench_widget

OUTPUT = Path("_build") / "bench.json"


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help=f"where to write the records (default {OUTPUT})"
    )
    output = parser.parse_args(argv).output
    start = time.perf_counter()
    mnist = load_mnist(dtype=np.float32)
    x_speed = mnist.train.x[:1000].astype(np.float64)
    y_speed = mnist.train.y[:1000]
    records = []
    try:
        for run in (
            lambda: bench_learning_speed(x_speed, y_speed),
            lambda: bench_depth(mnist.train.x, mnist.train.y),
            lambda: bench_widget(x_speed, y_speed),
        ):
            for rec in run():
                records.append(rec)
                ratio = "" if rec["ratio"] is None else f"ratio {rec['ratio']:.3g}"
                flag = "ok  " if rec["ok"] else "MISS"
                print(
                    f"[{flag}] {rec['name']}: {rec['seconds']:.3g} s {ratio} (target "
                    f"{rec['target']})",
                    flush=True,
                )
    except ResultMismatch as err:
        print(f"RESULT MISMATCH: {err}", file=sys.stderr)
        return 2
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(records, indent=2) + "\n")
    print(f"wrote {output} in {time.perf_counter() - start:.0f} s")
    return 0 if all(r["ok"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
