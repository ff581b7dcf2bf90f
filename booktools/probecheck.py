"""Does anything a student notebook holds before an exercise pass that exercise's check?

:func:`with_probes` puts a cell tagged :data:`PROBE_TAG` before each exercise's stub in a
student notebook (and one at the top that starts listening to the kernel's outputs).
Run in the student's kernel, each probe calls the exercise's check — the call of the
check cell under the stub, keyword arguments and all — once with each candidate put in
place of the names the stub sets:

* every value of the kernel's namespace at that point (names not starting with "_",
  modules left out, but the public numbers and functions of the book's own modules
  included: ``bound.interval_width`` is an answer if the exercise asks for that function);
* every number the notebook shows above the stub — in its Markdown and code, in the
  text and HTML of its outputs (alt texts included), in the text drawn on its figures
  (the PNG's ``vgp:text`` chunk) and in the values its ``{eval}`` roles show — and, for
  answers of several numbers, the pairs of numbers on one line and runs of three or four.

Each candidate the check calls *correct* is printed on a line starting with
:data:`PROBE_MARK`; :func:`probe_findings` reads them back from the executed notebook and
:func:`without_probes` removes the probe cells, so the other tests see the notebook as a
student runs it. The probe restores NumPy's, Python's and torch's random states, closes the
figures it opened and prints nothing else, so the cells after it compute what they would.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import json
import re

import nbformat

#: Cell tag of the probe cells.
PROBE_TAG = "vgp-probe"
#: First word of each line a probe prints.
PROBE_MARK = "VGP-PROBE "
#: Longest time, in seconds, one probe spends on its candidates.
PROBE_SECONDS = 60.0
#: Exercises whose probe tries the namespace only, not the numbers of the text, and why.
NAMESPACE_ONLY = {
    "ex-initialisation-tanh-scale": (
        "a search the stub's own printout guides: every scale in a band is right, so any "
        "number of the text that falls in the band (a ratio of 1.3 in the table) passes"
    ),
}

_EVAL = re.compile(r"\{eval\}`([^`]+)`")
_DIGIT = re.compile(r"\d")


def _tags(cell) -> list:
    return cell.metadata.get("tags", [])


def exercises(nb) -> list[tuple[int, str, list[str], str]]:
    """``[(index of the stub cell, label, names the check reads from the stub, call)]``, as
    :func:`booktools.chapter_exercises.read_exercises` reads a student notebook."""
    from booktools.chapter_exercises import check_call, read_exercises

    found = []
    for ex in read_exercises(nb.cells, solutions=False).values():
        if ex.stub_cell is not None and ex.names:
            _, call = check_call(ex.check, ex.label)
            found.append((ex.stub_cell, ex.label, list(ex.names), call))
    return found


def _source_lines(cell, index: int) -> list[tuple[str, str]]:
    """``[(where, line)]`` for the lines of a cell's source that hold a digit."""
    kind = "Markdown" if cell.cell_type == "markdown" else "code"
    return [
        (f"cell {index} ({kind}): {line.strip()[:80]}", line)
        for line in cell.source.splitlines()
        if _DIGIT.search(line)
    ]


def with_probes(nb):
    """A copy of the student notebook ``nb`` with a probe cell before each exercise's stub."""
    nb = copy.deepcopy(nb)
    todo = {i: (label, names, call) for i, label, names, call in exercises(nb)}
    setup = (
        inspect.getsource(_kernel_setup)
        + f"\n_kernel_setup({PROBE_MARK!r}, {PROBE_SECONDS!r})\ndel _kernel_setup\n"
    )
    cells = [_probe_cell(setup)]
    lines, evals = [], []
    for i, cell in enumerate(nb.cells):
        if i in todo:
            label, names, call = todo[i]
            arguments = {
                "label": label,
                "call": call,
                "names": names,
                "lines": lines,
                "evals": evals,
                "text": label not in NAMESPACE_ONLY,
            }
            cells.append(_probe_cell(f"_vgp_probe(**{arguments!r})"))
            lines, evals = [], []
        cells.append(cell)
        lines += _source_lines(cell, i)
        if cell.cell_type == "markdown":
            evals += [
                (f"cell {i} (Markdown): {{eval}}`{e}`", e) for e in _EVAL.findall(cell.source)
            ]
    nb.cells = cells
    return nb


def _probe_cell(source: str):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [PROBE_TAG]})
    cell.id = f"vgp-probe-{abs(hash(source)) % 10**12}"
    return cell


def is_probe(cell) -> bool:
    return PROBE_TAG in _tags(cell)


def without_probes(nb):
    """A copy of ``nb`` without its probe cells."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not is_probe(c)]
    return nb


def probe_findings(nb) -> tuple[list[dict], list[dict]]:
    """``(findings, summaries)`` printed by the probes of an executed notebook.

    A finding is ``{"label", "candidate", "where"}``; a summary ``{"label", "tried",
    "seconds", "error"}``, one per probe. The kernel names the cell of an output by a hash
    of its source ("output of cell #3f2a..."); it is rewritten here to the cell's index in
    the notebook without probes ("output of cell 12").
    """
    index = {}
    for k, cell in enumerate(c for c in nb.cells if not is_probe(c)):
        index.setdefault("#" + hashlib.sha1(cell.source.encode()).hexdigest()[:12], k)
    findings, summaries = [], []
    for cell in nb.cells:
        if not is_probe(cell):
            continue
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if not line.startswith(PROBE_MARK):
                    continue
                record = json.loads(line[len(PROBE_MARK) :])
                if "tried" in record:
                    summaries.append(record)
                    continue
                record["where"] = re.sub(
                    r"^output of cell (\S+):",
                    lambda m: f"output of cell {index.get(m.group(1), m.group(1))}:",
                    record["where"],
                )
                findings.append(record)
    return findings, summaries


# --------------------------------------------------------------------------- run in the kernel


def _kernel_setup(mark: str, seconds: float):  # pragma: no cover - runs in the kernel
    """Install, in the student's kernel, the listener to its outputs and ``_vgp_probe``:
    a probe prints its findings on lines starting with ``mark`` and stops after ``seconds``."""
    import base64
    import contextlib
    import hashlib
    import html
    import inspect
    import io
    import json
    import math
    import numbers
    import random
    import re
    import struct
    import sys
    import time
    import types
    import warnings
    import zlib

    ip = get_ipython()  # noqa: F821 - the kernel's
    state = {"listening": True, "seen": {}, "lines": [], "evals": []}
    number = re.compile(
        r"(?<![\w.])([-−]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE]([-−+]?\d+))?(\s?%)?"
    )
    power = re.compile(r"10\^\{?([-−]?\d+)\}?")
    format_spec = re.compile(r"\{[\w.\[\]'\"]*:\s*$")  # f"{key:8}": a width, not a value
    value_context = re.compile(
        r"(=|:|≈|≥|≤|<|>|\\(?:approx|ge|geq|le|leq)|\bis|\bequals|\bof|\bat)\s*[\"'(\[{$]*\s*$"
    )

    def png_texts(data):
        """The text chunks of a PNG (bytes or base64)."""
        if isinstance(data, str):
            data = base64.b64decode(data)
        out, pos = [], 8
        while pos + 8 <= len(data):
            size, kind = struct.unpack(">I4s", data[pos : pos + 8])
            body = data[pos + 8 : pos + 8 + size]
            if kind == b"tEXt":
                out.append(body.split(b"\0", 1)[-1].decode("latin-1"))
            elif kind == b"iTXt":
                key, rest = body.split(b"\0", 1)
                compressed, rest = rest[0], rest[2:]
                text = rest.split(b"\0", 2)[-1]
                out.append((zlib.decompress(text) if compressed else text).decode("utf-8"))
            pos += 12 + size
        return out

    def html_text(markup):
        texts = re.findall(r'\balt="([^"]*)"', markup)
        for png in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", markup):
            with contextlib.suppress(Exception):
                texts += png_texts(png)
        markup = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", markup)
        texts.append(re.sub(r"<[^>]+>", " ", markup))
        return [html.unescape(t) for t in texts]

    def note(data, stream=False):
        """Keep what a cell outputs: stream text as it comes (a print may arrive in pieces),
        and the texts of each displayed object."""
        if not state["listening"]:
            return
        if stream:
            state["seen"].setdefault((state["cell"], "stream"), []).append(data)
            return
        texts = []
        for kind in ("text/plain", "text/markdown", "text/latex"):
            if isinstance(data.get(kind), str):
                texts.append(data[kind])
        if isinstance(data.get("text/html"), str):
            texts += html_text(data["text/html"])
        if data.get("image/png") is not None:
            with contextlib.suppress(Exception):
                texts += png_texts(data["image/png"])
        state["seen"].setdefault((state["cell"], "display"), []).extend(t + "\n" for t in texts)

    def seen_lines():
        for (cell, _), pieces in state["seen"].items():
            for line in "".join(pieces).splitlines():
                if line.strip():
                    yield f"output of cell {cell}: {line.strip()[:80]}", line

    def listen(owner, name, pick, stream=False):
        original = getattr(owner, name)
        if getattr(original, "vgp_probe", False):
            return

        def wrapper(*args, **kwargs):
            with contextlib.suppress(Exception):
                note(pick(*args, **kwargs), stream)
            return original(*args, **kwargs)

        wrapper.vgp_probe = True
        setattr(owner, name, wrapper)

    def before_cell(info):
        """Name the cell that runs (by its id), and listen to its prints: IPython puts its
        own ``sys.stdout.write`` in place for each cell, so ours goes on top, each time."""
        source = getattr(info, "raw_cell", None) or ""
        state["cell"] = "#" + hashlib.sha1(source.encode()).hexdigest()[:12]
        listen(sys.stdout, "write", lambda text, *a, **k: text, stream=True)

    state["cell"] = "?"
    ip.events.register("pre_run_cell", before_cell)
    listen(ip.display_pub, "publish", lambda data, *a, **k: data)
    listen(ip.displayhook, "write_format_data", lambda data, *a, **k: data)

    def parse(line):
        """``[(number, digits, stated)]`` of one line, in order: how many significant digits
        it has, and whether it is written as a value ("w = 4", "|w| ≥ 4")."""
        found = []
        for m in number.finditer(line):
            sign, whole, frac, exp, percent = m.groups()
            if not frac and not exp and "," not in whole and len(whole) > 1 and whole[0] == "0":
                continue  # "007": an identifier, not a number
            mantissa = whole.replace(",", "") + (frac or "")
            if frac:
                mantissa = mantissa.rstrip("0").rstrip(".")
            digits = len(re.sub(r"\D", "", mantissa).lstrip("0"))
            before = line[: m.start()]
            stated = bool(value_context.search(before)) and not format_spec.search(before)
            text = ("-" if sign else "") + whole.replace(",", "") + (frac or "")
            exp = exp.replace("−", "-") if exp else None
            value = float(f"{text}e{exp}") if exp else float(text) if frac else int(text)
            found.append((value, digits, stated))
            if percent:
                found.append((value / 100, digits, stated))
            if "," in whole:
                found += [(int(p), len(p.lstrip("0")), False) for p in whole.split(",")]
        for m in power.finditer(line):
            found.append((10.0 ** int(m.group(1).replace("−", "-")), 1, True))
        return [f for f in found if math.isfinite(f[0])]

    def groups(lines):
        """The numbers of each line that could be an answer given away: those with two
        significant digits ("29", "0.45") or written as a value ("w = 4"), not a lone "8"
        of ``linspace(-8, 8)``. For answers of several numbers also the pairs of numbers
        on one line and the runs of three or four, if one of them has two significant
        digits or two are written as values."""
        for where, line in lines:
            found = parse(line)
            for value, digits, stated in found:
                if digits >= 2 or stated:
                    yield value, where
            n = len(found)
            picks = [
                (i, j) for i in range(n) for j in range(i + 1, n if n <= 12 else min(n, i + 2))
            ]
            picks += [tuple(range(i, i + k)) for k in (3, 4) for i in range(n - k + 1)]
            for pick in picks:
                items = [found[k] for k in pick]
                if any(d >= 2 for _, d, _ in items) or sum(s for _, _, s in items) >= 2:
                    yield tuple(v for v, _, _ in items), where

    def too_big(value):
        try:
            size = value.numel() if hasattr(value, "numel") else getattr(value, "size", None)
            if isinstance(size, int) and size > 1000:
                return True
            return isinstance(value, (list, tuple, dict, set)) and len(value) > 1000
        except Exception:
            return True

    def namespace(g):
        for key, value in list(g.items()):
            if key.startswith("_") or key in ("In", "Out", "get_ipython", "exit", "quit"):
                continue
            if isinstance(value, types.ModuleType):
                if value.__name__.split(".")[0] != "vgp_lib":
                    continue
                for attr, inner in list(vars(value).items()):
                    if attr.startswith("_") or isinstance(inner, bool):
                        continue
                    if isinstance(inner, numbers.Number) or inspect.isfunction(inner):
                        yield inner, f"namespace: {key}.{attr}"
                continue
            if isinstance(value, type) or too_big(value):
                continue
            yield value, f"namespace: {key}"
        for where, expr in state["evals"]:
            try:
                value = eval(expr, g)
            except Exception:
                continue
            yield value, where
            yield from groups([(where, str(value))])

    def key(value):
        if isinstance(value, bool):
            return None
        if isinstance(value, numbers.Real):
            return ("n", float(value))
        if isinstance(value, tuple) and all(isinstance(v, numbers.Real) for v in value):
            return ("t", tuple(float(v) for v in value))
        return ("id", id(value))

    def show(value):
        try:
            text = (
                f"<function {value.__module__}.{value.__qualname__}>"
                if inspect.isfunction(value)
                else repr(value)
            )
        except Exception:
            text = f"<{type(value).__name__}>"
        return text if len(text) <= 200 else text[:199] + "…"

    def probe(label, call, names, lines, evals, text=True):
        g = ip.user_ns
        state["lines"] += lines
        state["evals"] += evals
        state["listening"] = False
        start, tried, error, hits = time.monotonic(), 0, None, []
        randoms = [random.getstate()]
        np = sys.modules.get("numpy")
        torch = sys.modules.get("torch")
        plt = sys.modules.get("matplotlib.pyplot")
        figures = set(plt.get_fignums()) if plt else set()
        if np is not None:
            randoms.append(np.random.get_state())
        if torch is not None:
            randoms.append(torch.random.get_rng_state())
        try:
            code = compile(call, f"<check of {label}>", "eval")
            done = set()
            everything = [
                *namespace(g),
                *(groups([*state["lines"], *seen_lines()]) if text else []),
            ]
            for value, where in everything:
                k = key(value)
                if k is None or k in done:
                    continue
                done.add(k)
                if time.monotonic() - start > seconds:
                    error = f"out of time after {tried} candidates"
                    break
                tried += 1
                for name in names:
                    scope = dict(g)
                    scope[name] = value
                    try:
                        with (
                            warnings.catch_warnings(),
                            contextlib.redirect_stdout(io.StringIO()),
                            contextlib.redirect_stderr(io.StringIO()),
                        ):
                            warnings.simplefilter("ignore")
                            feedback = eval(code, scope)
                    except Exception as err:  # the check's own call failed: say so
                        error = f"{type(err).__name__}: {err}"[:300]
                        continue
                    if getattr(feedback, "status", None) == "correct":
                        hits.append({"label": label, "candidate": show(value), "where": where})
        except Exception as err:
            error = f"{type(err).__name__}: {err}"[:300]
        finally:
            random.setstate(randoms[0])
            if np is not None:
                np.random.set_state(randoms[1])
            if torch is not None:
                torch.random.set_rng_state(randoms[-1])
            if plt:
                for number_ in set(plt.get_fignums()) - figures:
                    plt.close(number_)
        summary = {
            "label": label,
            "tried": tried,
            "seconds": round(time.monotonic() - start, 2),
            "error": error,
        }
        for record in [*hits, summary]:
            print(mark + json.dumps(record))
        state["listening"] = True

    ip.user_ns["_vgp_probe"] = probe
