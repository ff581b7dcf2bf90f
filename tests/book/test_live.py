"""The live path in real clients: Binder's environment, JupyterLab and Chromium.

A reader who presses a chapter's Binder button gets an environment built from
``binder/`` and JupyterLab opened on the path in the button's link. This test
does the same on this machine:

1. It builds that environment into its own virtual environment,
   ``_build/binder-env``, as repo2docker does: Python as ``binder/runtime.txt``
   says, repo2docker's base environment (its lock's Python packages at their
   locked versions), then the pins of ``binder/requirements.txt`` on top (less the
   PyTorch CPU index line, which cannot be reached from here) — pip must print no
   ``ERROR:`` — then ``binder/postBuild``. The pip installs are kept between runs
   while those files do not change; postBuild runs every time.
2. It starts that environment's JupyterLab on 127.0.0.1 and drives Debian's
   Chromium through Playwright. For every chapter it opens the path of the built
   page's Binder link and checks that the notebook opens unmodified, then runs
   *Run All* from the menu, and checks: no error and no stderr output; no raw MyST
   in the rendered Markdown and no unresolved reference; every ``{eval}`` of the
   text evaluated (for the chapters that run at the page's size, the very numbers
   of the built page, in order); no check's "Correct" line visible outside a
   closed solution; hidden cells take no space; the long experiments ran at the
   live size (the chapter's ``QUICK``), not the page's; every widget's image
   changes after a key press on its first control; every scrubbable figure
   changes frame on a key press; after saving the notebook and
   opening-and-saving the chapter source as a Jupytext notebook, ``git status``
   is unchanged; and closing the tab shuts its kernel down.
3. The text pages (the README, the exercise list, the bibliography) open as
   rendered Markdown with their lists, no kernel and nothing unresolved.

Timings go to ``_build/live-report.json`` and screenshots to ``_build/screenshots/``.
JupyterLab is stopped by its own process id. Without Chromium the test skips,
except in CI, where it must run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from booktools.edition import SOLUTION_OUTPUT
from booktools.myst import chapter_sources
from booktools.pagecheck import CHROMIUM, FLAGS
from booktools.site_values import page_values
from tests.book.binderenv import base_environment_requirements, binder_requirements_offline
from tests.conftest import ROOT, need_browser

ENV = ROOT / "_build" / "binder-env"
REPORT = ROOT / "_build" / "live-report.json"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = [p.stem for p in chapter_sources(ROOT)]
#: Chapters with no long experiment run at the page's size live: their numbers must equal the
#: site's. The others open with a cell that runs their long experiments smaller (``QUICK``).
FULL = tuple(
    name
    for name in CHAPTERS
    if "quick_mode()" not in (ROOT / "chapters" / f"{name}.md").read_text(encoding="utf-8")
)
#: Markdown pages that are not notebooks (the preface is a notebook: it computes its figure),
#: with the least number of list items each must show.
TEXT_PAGES = {
    "README.md": 3,
    "notebooks/exercises.md": 20,
    "notebooks/bibliography.md": 10,
}
#: MyST that must not survive rendering (roles, directive fences, targets, options).
RAW_MYST = re.compile(
    r"\{(eval|glue|glue:text|math|ref|eq|cite|cite:p|cite:t|doc|numref|exercise|solution|note|"
    r"admonition|figure|code-cell)\}|^:::|^```|^\([a-z0-9-]+\)=|^:(label|class|tags):",
    re.M,
)
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")

pytestmark = pytest.mark.live


# --------------------------------------------------------------------------- environment


def _binder_stamp() -> str:
    h = hashlib.sha256()
    for name in ("binder/runtime.txt", "binder/requirements.txt"):
        h.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    h.update(base_environment_requirements().encode())
    h.update(sys.version.encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def report():
    data = {}
    yield data
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory, report):
    """``_build/binder-env``, built from binder/ as repo2docker would, and a clean HOME."""
    need_browser()
    wanted = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert wanted == f"python-{sys.version_info[0]}.{sys.version_info[1]}", (
        f"binder/runtime.txt asks for {wanted}; run the tests with that Python"
    )
    stamp = ENV / ".binder-stamp"
    if stamp.exists() and stamp.read_text() == _binder_stamp():
        report["binder_env_install_s"] = "cached"
    else:
        shutil.rmtree(ENV, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(ENV)], check=True)
        folder = tmp_path_factory.mktemp("binder")
        (folder / "base.txt").write_text(base_environment_requirements())
        (folder / "requirements.txt").write_text(binder_requirements_offline())
        # repo2docker's base environment first, then ours on top of it, as on Binder
        for name in ("base.txt", "requirements.txt"):
            pip = subprocess.run(
                [ENV / "bin" / "python", "-m", "pip", "install", "-q", "-r", str(folder / name)],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            log = pip.stdout + pip.stderr
            assert pip.returncode == 0 and "ERROR" not in log, f"pip install -r {name}:\n{log}"
        report["binder_env_install_s"] = round(time.perf_counter() - start, 1)
        stamp.write_text(_binder_stamp())
    home = tmp_path_factory.mktemp("home")
    env = dict(os.environ, HOME=str(home), PATH=f"{ENV / 'bin'}:{os.environ['PATH']}")
    for key in (
        "VIRTUAL_ENV",
        "PYTHONPATH",
        "MPLBACKEND",
        "VGP_STATIC_BUILD",
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_DATA_DIR",
        "JUPYTER_PATH",
        "JUPYTER_RUNTIME_DIR",
    ):
        env.pop(key, None)
    start = time.perf_counter()
    subprocess.run(["bash", "binder/postBuild"], check=True, cwd=ROOT, env=env)
    report["postbuild_s"] = round(time.perf_counter() - start, 1)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """One JupyterLab server of the Binder environment, on 127.0.0.1."""

    def __init__(self, env: dict, *, log: Path):
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {key: value for key, value in env.items() if key != "VGP_QUICK"}
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [
                ENV / "bin" / "jupyter",
                "lab",
                "--no-browser",
                "--allow-root",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={ROOT}",
                # lets the test ask JupyterLab for its notebook model (window.jupyterapp)
                "--LabApp.expose_app_in_browser=True",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2)
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError(f"JupyterLab did not start; see {log}") from None
                time.sleep(0.5)

    def api(self, path: str):
        with urllib.request.urlopen(f"{self.url}/api/{path}?token={self.token}", timeout=10) as r:
            return json.load(r)

    def sessions(self) -> list:
        return self.api("sessions")

    @staticmethod
    def kernel_peak_mib(kernel_id: str) -> float | None:
        """The peak resident memory of a running kernel (Linux's VmHWM), in MiB."""
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                if f"kernel-{kernel_id}.json" not in (proc / "cmdline").read_text():
                    continue
                status = (proc / "status").read_text()
            except OSError:
                continue
            peak = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            return round(int(peak.group(1)) / 1024) if peak else None
        return None

    def shut_down_kernels(self) -> None:
        for session in self.sessions():
            request = urllib.request.Request(
                f"{self.url}/api/sessions/{session['id']}?token={self.token}", method="DELETE"
            )
            urllib.request.urlopen(request, timeout=30).close()

    def stop(self):
        """Stop the server (and its kernels) by its own process id."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def lab(binder_env, tmp_path_factory):
    """One JupyterLab, as Binder starts it: the notebooks choose their own size."""
    server = Lab(binder_env, log=tmp_path_factory.mktemp("lab-logs") / "lab.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


def _git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


# --------------------------------------------------------------------------- page helpers

KERNEL_IDLE = (
    """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && w.content && w.content.model &&"""
    """ w.content.model.cells.length > 0; }"""
)
ALL_EXECUTED = (
    """() => { const w = window.jupyterapp.shell.currentWidget;"""
    """ const cells = w.content.model.cells;
  for (let i = 0; i < cells.length; i++) { const c = cells.get(i);"""
    """ if (c.type === 'code' && !c.executionCount) return false; }
  return w.sessionContext.session.kernel.status === 'idle'; }"""
)
NOTEBOOK_JSON = "() => window.jupyterapp.shell.currentWidget.content.model.toJSON()"
DIRTY = "() => window.jupyterapp.shell.currentWidget.context.model.dirty"
KERNEL_ID = "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id"
#: The text a reader can see in the current document: text nodes whose element is rendered
#: (not in a closed fold, a collapsed cell or anything else hidden), in document order.
VISIBLE_TEXT = """() => { const root = window.jupyterapp.shell.currentWidget.node; const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (e && n.textContent.trim() && e.checkVisibility({contentVisibilityAuto: true,
        opacityProperty: true, visibilityProperty: true})) out.push(n.textContent); }
  return out.join('\\n'); }"""
#: Code cells whose source is hidden and that show no output (the page shows nothing there),
#: with the height each takes in the notebook.
HIDDEN_CELLS = """() => { const out = [];
  window.jupyterapp.shell.currentWidget.content.widgets.forEach((c, i) => {
    if (c.model.type !== 'code' || !c.inputHidden) return;
    if (c.model.outputs.length > 0 && !c.outputHidden) return;
    out.push([i, c.node.getBoundingClientRect().height]); });
  return out; }"""
#: A value of the kernel's namespace, as the kernel prints it.
KERNEL_VALUE = """async (expression) => {
  const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const reply = await k.requestExecute({code: '', silent: true,
    user_expressions: {value: expression}}).done;
  const v = reply.content.user_expressions.value;
  return v.status === 'ok' ? v.data['text/plain'] : v.ename + ': ' + v.evalue; }"""
#: A label MyST left unresolved: a raw target name where a number or a title belongs.
RAW_LABEL = re.compile(r"(?<![\w-])(?:eq|sec|fig|chapter)-[a-z0-9]+(?:-[a-z0-9]+)*(?![\w-])")
#: A check's verdict on an answer (a reference solution's output, if visible, gives it away).
VERDICT = re.compile(r"^\s*Correct\b", re.M)
MARKDOWN_CELLS = (
    """() => { const w = window.jupyterapp.shell.currentWidget; const out = [];
  w.content.widgets.forEach(cell => { if (cell.model.type !== 'markdown') return;
    const rendered = cell.node.querySelector('.myst');
    let text = '';
    if (rendered) {  // the text a reader sees, typeset maths left out (KaTeX text is not MyST)
      const copy = rendered.cloneNode(true);
      copy.querySelectorAll('.katex, .katex-display').forEach(m => m.replaceWith(' [math] '));
      copy.querySelectorAll('details').forEach(d => d.setAttribute('open', ''));"""
    """  // folded solutions too
      document.body.appendChild(copy); text = copy.innerText; copy.remove();
    }
    out.push({source: cell.model.sharedModel.getSource(),
              expressions: cell.model.getMetadata('user_expressions') || [],
              rendered: !!rendered && cell.rendered, text}); });
  return out; }"""
)


def launch_path(name: str) -> str:
    """The path the built page's Binder button opens (its ``urlpath``)."""
    html = (ROOT / "_build" / "html" / "chapters" / f"{name}.html").read_text()
    link = re.search(r'href="https://mybinder\.org/[^"]*\?urlpath=([^"&]+)"', html)
    assert link, f"{name}: the built page has no Binder button"
    return link.group(1)


def site_values(name: str) -> list[str]:
    """The {eval} values of the built page, in document order."""
    return page_values(ROOT / "_build" / "html" / "chapters" / f"{name}.html")


def _plain(result: dict) -> str:
    text = result.get("data", {}).get("text/plain", "")
    return re.sub(r"^(['\"])(.*)\1$", r"\2", text.strip(), flags=re.S)


def _key_change(page, root, image_selector: str, control) -> float:
    """Press a key on ``control`` and return the seconds until ``image_selector``'s src changes."""
    image = root.locator(image_selector).first
    before = image.get_attribute("src")
    kind = (control.get_attribute("class") or "").split()
    if "widget-slider" in kind:
        target, key = control.locator(".noUi-handle").first, "ArrowRight"
    elif "widget-dropdown" in kind:
        target, key = control.locator("select").first, "ArrowDown"
    elif "widget-checkbox" in kind:
        target, key = control.locator("input").first, "Space"
    else:  # a plain <input type="range">; one that opens at its end steps back
        at_end = control.get_attribute("value") == control.get_attribute("max")
        target, key = control, "ArrowLeft" if at_end else "ArrowRight"
    target.focus()
    start = time.perf_counter()
    page.keyboard.press(key)
    page.wait_for_function(
        "([img, before]) => img.getAttribute('src') !== before",
        arg=[image.element_handle(), before],
        timeout=30_000,
        polling=10,
    )
    return round(time.perf_counter() - start, 3)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_live_and_reads_like_its_page(name, lab, browser, built_html, report):
    path = launch_path(name)
    assert path == f"lab/tree/notebooks/{name}.ipynb"
    status_before = _git_status()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{lab.url}/{path}?reset&token={lab.token}")
        page.wait_for_function(KERNEL_IDLE, timeout=120_000)
        page.wait_for_timeout(1000)  # whatever JupyterLab writes on open has been written
        assert not page.evaluate(DIRTY), f"{name}: the notebook is marked unsaved on opening"
        start = time.perf_counter()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        page.wait_for_function(ALL_EXECUTED, timeout=300_000, polling=250)
        run_all = round(time.perf_counter() - start, 1)
        page.wait_for_timeout(1500)  # the last Markdown cells evaluate their expressions

        # no error, no stderr
        nb = page.evaluate(NOTEBOOK_JSON)
        for i, cell in enumerate(nb["cells"]):
            for out in cell.get("outputs", []):
                assert out["output_type"] != "error", (
                    f"{name} cell {i}: {out.get('ename')}: {out.get('evalue')}"
                )
                assert not (out["output_type"] == "stream" and out["name"] == "stderr"), (
                    f"{name} cell {i} wrote to stderr: {''.join(out['text'])[:300]}"
                )

        # MyST rendered, every {eval} evaluated and shown
        cells = page.evaluate(MARKDOWN_CELLS)
        # the first line says where the unspoiled student edition is, and it is there
        assert (
            "student edition" in cells[0]["text"]
            and f"(student/{name}.ipynb)" in cells[0]["source"]
        )
        assert (ROOT / "notebooks" / "student" / f"{name}.ipynb").is_file()
        values, captured = [], []
        for cell in cells:
            assert cell["rendered"], (
                f"{name}: a Markdown cell is not rendered: {cell['source'][:80]!r}"
            )
            raw = RAW_MYST.search(cell["text"])
            assert raw is None, f"{name}: raw MyST {raw.group(0)!r} in {cell['text'][:200]!r}"
            wanted = EVAL_ROLE.findall(cell["source"])
            got = [e["expression"] for e in cell["expressions"]]
            assert got == wanted, f"{name}: expressions evaluated {got}, in the text {wanted}"
            for expression in cell["expressions"]:
                assert expression["result"]["status"] == "ok", (name, expression)
                value = _plain(expression["result"])
                if expression["expression"].startswith(SOLUTION_OUTPUT):
                    captured.append(value)  # a reference solution's output, in its fold
                    continue
                assert value and value in cell["text"], (
                    f"{name}: {expression['expression']} = {value!r} not shown"
                )
                values.append(value)
        assert len(values) == len(site_values(name))
        # every reference solution ran (silently) and passes its own check, inside its fold
        solutions = (ROOT / "chapters" / f"{name}.md").read_text().count("{solution-start}")
        passed = sum("status='correct'" in text for text in captured)
        assert passed >= solutions, f"{name}: {passed} folded verdicts for {solutions} solutions"
        if name in FULL:
            assert values == site_values(name), f"{name}: the live numbers differ from the site's"
        else:  # the long experiments ran at the live size the first cell sets, not the page's
            size = page.evaluate(KERNEL_VALUE, "(FULL_SIZE, __import__('os').environ['VGP_QUICK'])")
            assert size == "(False, '1')", f"{name} ran at full size: {size}"

        # what a reader sees: no answer outside a closed solution, every reference resolved
        seen = page.evaluate(VISIBLE_TEXT)
        verdict = VERDICT.search(seen)
        assert verdict is None, (
            f"{name}: a check's verdict is visible after Run All: "
            f"{seen[verdict.start() : verdict.start() + 120]!r}"
        )
        label = RAW_LABEL.search(seen)
        assert label is None, f"{name}: unresolved reference {label.group(0)!r}"
        assert "Cross Reference Not Found" not in seen and "Unknown Directive" not in seen

        # hidden cells take no room between the paragraphs
        hidden = page.evaluate(HIDDEN_CELLS)
        assert hidden, f"{name}: no hidden cell found (the check below would be vacuous)"
        tall = [(i, h) for i, h in hidden if h > 1]
        assert not tall, f"{name}: hidden cells (index, px) take room: {tall[:5]}"

        # the first paragraph with numbers, as a reader sees it
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " const cell = w.content.widgets.find("
            "c => c.model.type === 'markdown'"
            " && (c.model.getMetadata('user_expressions') || []).length);"
            " if (cell) cell.node.scrollIntoView({block: 'center'}); }"
        )
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / f"live-{name}-numbers.png"))

        # widgets answer the keyboard; so do scrubbable figures
        latencies = []
        figures = page.locator(".jp-OutputArea-output .widget-vbox:has(> .widget-image)")
        for i in range(figures.count()):
            box = figures.nth(i)
            first = box.locator(".widget-hbox").first.locator("> *").first
            latencies.append(_key_change(page, box, "> .widget-image", first))
        scrubbers = page.locator(".jp-OutputArea-output .vgp-slider")
        for i in range(scrubbers.count()):
            slider = scrubbers.nth(i)
            value = slider.locator(".vgp-slider-value")
            shown = value.inner_text()
            _key_change(
                page, slider, "img.vgp-slider-frame", slider.locator("input.vgp-slider-input")
            )
            assert value.inner_text() != shown, (
                f"{name}: slider {i}'s label still says {shown!r} after a key press"
            )
        assert figures.count() + scrubbers.count() > 0, f"{name}: no widget or scrubbable figure"
        page.screenshot(path=str(SCREENSHOTS / f"live-{name}.png"))

        # saving the live notebook, and the source opened as a notebook, change nothing in git
        page.evaluate(
            "async () => { await window.jupyterapp.commands.execute('docmanager:save'); }"
        )
        # closing the tab shuts its kernel down (a Binder session keeps only what is open)
        kernel = page.evaluate(KERNEL_ID)
        report[f"kernel_peak_mib:{name}"] = lab.kernel_peak_mib(kernel)
        assert kernel in {k["id"] for k in lab.api("kernels")}
        page.evaluate(
            "async () => { await window.jupyterapp.commands.execute('application:close'); }"
        )
        deadline = time.time() + 30
        while kernel in {k["id"] for k in lab.api("kernels")} and time.time() < deadline:
            time.sleep(0.5)
        assert kernel not in {k["id"] for k in lab.api("kernels")}, (
            f"{name}: the kernel outlived its tab"
        )
        page.evaluate(
            "async (path) => { await window.jupyterapp.commands.execute("
            "'docmanager:open', {path, factory: 'Jupytext Notebook'}); }",
            f"chapters/{name}.md",
        )
        # its kernel started, JupyterLab has written the kernel's metadata into the model
        page.wait_for_function(
            f"() => {{ const w = window.jupyterapp.shell.currentWidget; return w && w.context && "
            f"w.context.path === 'chapters/{name}.md' && ({KERNEL_IDLE})(); }}",
            timeout=60_000,
        )
        page.wait_for_timeout(1000)
        page.evaluate(
            "async () => { await window.jupyterapp.commands.execute('docmanager:save'); }"
        )
        page.wait_for_timeout(1000)
        assert _git_status() == status_before, (
            f"{name}: opening and saving changed files:\n{_git_status()}"
        )
    finally:
        page.close()
        lab.shut_down_kernels()
    report[f"run_all_s:{name}"] = run_all
    report[f"widget_latency_s:{name}"] = latencies


@pytest.mark.parametrize("path", TEXT_PAGES)
def test_text_pages_open_as_markdown_without_a_kernel(path, lab, browser):
    sessions_before = {s["path"] for s in lab.sessions()}
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{lab.url}/lab/tree/{path}?reset&token={lab.token}")
        page.wait_for_function(
            f"() => {{ const w = window.jupyterapp && window.jupyterapp.shell.currentWidget; "
            f"return w && w.context && w.context.path === '{path}' && "
            f"w.node.querySelector('.jp-RenderedMarkdown, .myst'); }}",
            timeout=60_000,
        )
        page.wait_for_timeout(1000)
        kind = page.evaluate(
            "() => { const w = window.jupyterapp.shell.currentWidget; "
            "return {session: !!w.sessionContext, "
            "dialogs: document.querySelectorAll('.jp-Dialog').length, "
            "items: w.node.querySelectorAll('li').length, "
            "links: Array.from(w.node.querySelectorAll('a[href]'),"
            " a => new URL(a.href).pathname)}; }"
        )
        seen = page.evaluate(VISIBLE_TEXT)
        page.screenshot(path=str(SCREENSHOTS / f"live-{Path(path).stem}.png"))
    finally:
        page.close()
    assert not kind["session"], f"{path} opened as a notebook"
    assert kind["dialogs"] == 0, f"{path} asked for something (a kernel?)"
    assert {s["path"] for s in lab.sessions()} == sessions_before, f"{path} started a kernel"
    assert kind["items"] >= TEXT_PAGES[path], f"{path} shows {kind['items']} list items"
    assert "Unknown Directive" not in seen
    if path.startswith("notebooks/"):  # the README shows MyST and paths as examples, in code
        raw = RAW_MYST.search(seen) or RAW_LABEL.search(seen)
        assert raw is None, f"{path}: raw MyST or an unresolved label {raw.group(0)!r}"
        assert "_build/" not in seen, f"{path} sends the reader to the build folder"
    # every link to a notebook (JupyterLab serves them under /files/) leads to one that is there
    notebooks = [link.split("/files/", 1)[1] for link in kind["links"] if "/files/" in link]
    notebooks = [link for link in notebooks if link.endswith(".ipynb")]
    if path == "notebooks/exercises.md":
        assert notebooks, f"{path} links to no notebook"
    for link in notebooks:
        assert (ROOT / urllib.parse.unquote(link)).is_file(), f"{path} links to {link}"


def test_the_file_browser_shows_the_learner_only(lab, browser):
    """A chapter opened from its launch link shows the folder of the notebooks; the folder
    above holds the README and that folder only (developer files stay hidden, and open by
    path); idle kernels with no tab are culled; the notebook's CSS is loaded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{lab.url}/{launch_path(CHAPTERS[0])}?reset&token={lab.token}")
        page.wait_for_function(KERNEL_IDLE, timeout=120_000)
        page.wait_for_selector(".jp-DirListing-itemName", timeout=30_000)
        page.wait_for_timeout(1000)
        shown = page.evaluate(
            "() => ({crumbs: document.querySelector('.jp-FileBrowser-crumbs').innerText.trim(),"
            " css: !!document.querySelector('link[href*=\"custom/custom.css\"]')})"
        )
        page.screenshot(path=str(SCREENSHOTS / "live-file-browser.png"))
    finally:
        page.close()
        lab.shut_down_kernels()
    assert shown["crumbs"] == "/notebooks/", shown
    assert shown["css"], "JupyterLab did not load the notebooks' custom CSS"
    listed = {item["name"] for item in lab.api("contents")["content"]}
    assert listed == {"README.md", "notebooks"}, sorted(listed)
    # hidden is not removed: the chapter's source still opens by its path (Jupytext reads it)
    assert lab.api(f"contents/chapters/{CHAPTERS[0]}.md")["name"] == f"{CHAPTERS[0]}.md"
    log = Path(lab.log.name).read_text()
    assert "Culling kernels with idle durations > 600 seconds" in log, "no kernel culling"
