"""The live edition on one CPU, as on Binder: each notebook's *Run All*, and each widget's step.

:func:`run_notebook` executes a notebook of ``notebooks/`` in a fresh kernel pinned to one
CPU, with one thread for BLAS and PyTorch (Binder gives a session one CPU), at the quick size
(``VGP_QUICK=1``, what the live notebooks run by default), and times its cells. Then, in the
same kernel, :func:`step_times` moves every control of every widget the notebook made, one
step at a time as a reader's arrow key does, and times each step until the widget's image is
replaced (what the reader waits for) and until the kernel is free again.
:func:`bench_live` does this for every notebook and returns a table and records for
``python -m benchmarks``; nothing here asserts a speed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: Targets: *Run All* of a chapter within a minute; a widget answers a step within half a second.
RUN_ALL_TARGET_S = 60.0
STEP_TARGET_S = 0.5
#: The line the kernel prints its widget timings on.
_MARK = "vgp-bench-widgets:"
#: A widget imported in a chapter's code: ``from vgp_lib.widgets.chain import chain_explorer``.
_WIDGET_IMPORT = re.compile(r"^from vgp_lib\.widgets\.\w+ import ([\w, ]+)$", re.M)


def control_steps(control, repeats: int) -> list:
    """The values a reader's steps give ``control``: one step up and back, one down and back
    (``repeats`` times), then to each end of its range and back; a list's every option and
    back; a checkbox's other state and back."""
    value = control.value
    if isinstance(value, bool):
        return [not value, value] * repeats
    options = getattr(control, "options", None)
    if options is not None:
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        return [v for v in values if v != value] + [value]
    lo, hi, step = control.min, control.max, control.step
    base = getattr(control, "base", None)
    if base is not None:  # a log slider: min, max and step are exponents
        lo, hi = base**lo, base**hi

        def shift(v, k):
            return v * base ** (k * step)
    else:

        def shift(v, k):
            return v + k * step

    steps = []
    for _ in range(repeats):
        for k in (1, -1):
            nxt = shift(value, k)
            if lo <= nxt <= hi:
                steps += [nxt, value]
    return steps + [v for v in (hi, lo) if v != value] + [value]


def step_times(live, *, repeats: int = 2) -> list[dict]:
    """Move each control of ``live`` (a :class:`vgp_lib.widgets.LiveFigure`) through
    :func:`control_steps` and time each step: ``image_s`` until its image is replaced,
    ``busy_s`` until every observer has returned (a widget may finish work after the image).

    Returns one dict per control: ``control``, ``steps``, ``image_s`` and ``busy_s`` (lists).
    """
    seen = []
    live.image.observe(lambda change: seen.append(time.perf_counter()), names="value")
    out = []
    for name, control in live.controls.items():
        images, busy = [], []
        for value in control_steps(control, repeats):
            before = control.value
            seen.clear()
            start = time.perf_counter()
            control.value = value
            done = time.perf_counter()
            if control.value != before and seen:
                images.append(seen[0] - start)
                busy.append(done - start)
        out.append({"control": name, "steps": len(images), "image_s": images, "busy_s": busy})
    return out


def kernel_report(repeats: int) -> dict:
    """What the kernel measures after *Run All* (run inside it): every widget's steps, and the
    kernel's peak memory."""
    import gc
    import resource

    from vgp_lib.widgets import LiveFigure

    # (by type: isinstance would ask a dead weak proxy for its class, and fail)
    lives = [obj for obj in gc.get_objects() if issubclass(type(obj), LiveFigure)]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "widgets": [step_times(live, repeats=repeats) for live in lives],
        "peak_mib": round(peak),
    }


@contextlib.contextmanager
def _pinned(cpu: int | None):
    """This process (and what it starts) on CPU ``cpu`` inside the block, where supported."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def default_cpu() -> int | None:
    """The last CPU this process may run on (None where affinity is not supported)."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    return max(os.sched_getaffinity(0))


def kernel_env(*, quick: bool = True) -> dict:
    """The kernel's environment: one thread for BLAS and PyTorch, live (not a site build)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VGP_STATIC_BUILD", "MPLBACKEND")}
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env["VGP_QUICK"] = "1" if quick else "0"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_notebook(
    path, *, quick: bool = True, cpu: int | None = None, repeats: int = 2, timeout: int = 1800
) -> dict:
    """Execute the notebook at ``path`` as *Run All* does, then time its widgets' steps.

    Returns ``{"notebook", "run_all_s", "slowest": [(cell, seconds, first line)], "widgets":
    [{"widget", "controls": [...]}], "peak_mib"}``; ``run_all_s`` is the sum of the cells'
    times (the kernel is already running when a reader clicks *Run All*).
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    times = []
    with contextlib.ExitStack() as stack:
        with _pinned(cpu):  # the kernel starts on the one CPU and stays there
            stack.enter_context(client.setup_kernel(env=kernel_env(quick=quick)))
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            start = time.perf_counter()
            client.execute_cell(cell, index)
            times.append((index, time.perf_counter() - start, cell.source.strip().split("\n")[0]))
        probe = nbformat.v4.new_code_cell(
            f"from benchmarks.live import kernel_report as _vgp_bench\n"
            f"print({_MARK!r} + __import__('json').dumps(_vgp_bench({repeats})))"
        )
        nb.cells.append(probe)
        client.execute_cell(probe, len(nb.cells) - 1)
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
    line = next((ln for ln in text.splitlines() if ln.startswith(_MARK)), None)
    if line is None:
        raise RuntimeError(f"{path.name}: the widget probe printed nothing: {text[:300]!r}")
    report = json.loads(line[len(_MARK) :])

    def slowest(cell_time):
        return -cell_time[1]

    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    imported = {n.strip() for m in _WIDGET_IMPORT.finditer(code) for n in m.group(1).split(",")}
    calls = re.findall(r"^(\w+)\(", code, re.M)  # the widget is a cell's last expression
    calls = [name for name in calls if name in imported]
    names = calls if len(calls) == len(report["widgets"]) else []
    return {
        "notebook": path.stem,
        "run_all_s": sum(t for _, t, _ in times),
        "slowest": [(i, round(t, 2), src[:60]) for i, t, src in sorted(times, key=slowest)[:3]],
        "widgets": [
            {"widget": names[k] if names else f"widget {k + 1}", "controls": controls}
            for k, controls in enumerate(report["widgets"])
        ],
        "peak_mib": report["peak_mib"],
    }


def summarise(run: dict) -> list[dict]:
    """One row per widget of ``run`` (or one for a notebook without one): chapter, *Run All*
    seconds, and the widget's step times: the median of its first control's steps, the
    slowest step of any control (image), the longest the kernel stayed busy, and each
    control's median and slowest step."""
    rows = []
    for widget in run["widgets"] or [None]:
        row = {"chapter": run["notebook"], "run_all_s": round(run["run_all_s"], 1)}
        if widget is not None:
            first = widget["controls"][0]
            images = [t for c in widget["controls"] for t in c["image_s"]]
            busy = [t for c in widget["controls"] for t in c["busy_s"]]
            row.update(
                widget=widget["widget"],
                first_control=first["control"],
                step_median_s=round(statistics.median(first["image_s"]), 3),
                step_max_s=round(max(images), 3),
                busy_max_s=round(max(busy), 3),
                steps=len(images),
                per_control={
                    c["control"]: [
                        round(statistics.median(c["image_s"]), 3),
                        round(max(c["image_s"]), 3),
                    ]
                    for c in widget["controls"]
                    if c["image_s"]
                },
            )
        row["peak_mib"] = run["peak_mib"]
        rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    """``rows`` (from :func:`summarise`) as a Markdown table."""
    head = "| chapter | Run All s | widget | step median s | step max s | busy max s | peak MiB |"
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in rows:
        w = r.get("widget")
        cells = [
            r["chapter"],
            f"{r['run_all_s']:.1f}",
            f"{w} ({r['first_control']})" if w else "–",
            f"{r['step_median_s']:.3f}" if w else "–",
            f"{r['step_max_s']:.3f}" if w else "–",
            f"{r['busy_max_s']:.3f}" if w else "–",
            str(r["peak_mib"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bench_live(
    notebooks=None, *, quick: bool = True, cpu: int | None = -1, repeats: int = 2, log=print
) -> tuple[list[dict], list[dict]]:
    """Run :func:`run_notebook` on each of ``notebooks`` (paths; default every
    ``notebooks/*.ipynb``) on CPU ``cpu`` (-1: :func:`default_cpu`).

    Returns ``(rows, records)``: the table's rows (:func:`summarise`) and one record per
    notebook's *Run All* (target :data:`RUN_ALL_TARGET_S`) and per widget's slowest step
    (target :data:`STEP_TARGET_S`), in the records' format of :mod:`benchmarks.suite`.
    """
    from .suite import record

    if notebooks is None:
        notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    cpu = default_cpu() if cpu == -1 else cpu
    size = "quick" if quick else "full"
    rows, records = [], []
    for path in notebooks:
        run = run_notebook(path, quick=quick, cpu=cpu, repeats=repeats)
        these = summarise(run)
        rows += these
        log(table(these).splitlines()[-1], flush=True)
        t = run["run_all_s"]
        records.append(
            record(
                f"live Run All: {run['notebook']} ({size} size, one CPU)",
                t,
                None,
                None,
                f"<= {RUN_ALL_TARGET_S:g} s",
                t <= RUN_ALL_TARGET_S,
            )
        )
        for r in these:
            if "widget" in r:
                records.append(
                    record(
                        f"live widget step: {r['chapter']} {r['widget']}, slowest of {r['steps']} "
                        f"(median for {r['first_control']}: {r['step_median_s']:.3g} s)",
                        r["step_max_s"],
                        None,
                        None,
                        f"<= {STEP_TARGET_S:g} s",
                        r["step_max_s"] <= STEP_TARGET_S,
                    )
                )
    return rows, records
