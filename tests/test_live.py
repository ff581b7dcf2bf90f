"""The live path in real clients: Binder's environment, JupyterLab and Chromium.

A reader who presses a chapter's Binder button gets an environment built from
``binder/`` and JupyterLab opened on the path in the button's link. This test
does the same on this machine:

1. It builds that environment into its own virtual environment,
   ``_build/binder-env``: Python as ``binder/runtime.txt`` says, the pins of
   ``binder/requirements.txt`` (less the PyTorch CPU index line, which cannot be
   reached from here), then ``binder/postBuild``. The pip install is kept between
   runs while those files do not change; postBuild runs every time.
2. It starts that environment's JupyterLab on 127.0.0.1 and drives Debian's
   Chromium through Playwright. For every chapter it opens the path of the built
   page's Binder link, runs *Run All* from the menu, and checks: no error and no
   stderr output; no raw MyST in the rendered Markdown; every ``{eval}`` of the
   text evaluated (for the chapters cheap enough to run in full, the very numbers
   of the built page, in order); every widget's image changes after a key press on
   its first control; every scrubbable figure changes frame on a key press; and,
   after saving the notebook and opening-and-saving the chapter source as a
   Jupytext notebook, ``git status`` is unchanged.
3. Text-only pages open as rendered Markdown with no kernel.

The heavy chapters run in quick mode (``VGP_QUICK=1``) on a second server.
Timings go to ``_build/live-report.json`` and screenshots to ``_build/screenshots/``.
Each JupyterLab is stopped by its own process id. Without Chromium the test skips,
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
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from site_values import page_values
from test_binder import binder_requirements_offline
from test_browser import CHROMIUM, FLAGS, _need_browser

from booktools.myst import chapter_sources

ENV = ROOT / "_build" / "binder-env"
REPORT = ROOT / "_build" / "live-report.json"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = [p.stem for p in chapter_sources(ROOT)]
#: Chapters that run in full in a few seconds: their numbers must equal the site's.
FULL = ("circuits", "chain", "exploding", "unstable")
#: Markdown pages that are not notebooks (the preface is a notebook: it computes its figure).
TEXT_PAGES = [
    "README.md",
    "chapters/exercises.md",
    "chapters/bibliography.md",
]
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
    _need_browser()
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
        requirements = tmp_path_factory.mktemp("binder") / "requirements.txt"
        requirements.write_text(binder_requirements_offline())
        subprocess.run(
            [ENV / "bin" / "python", "-m", "pip", "install", "-q", "-r", str(requirements)],
            check=True,
            cwd=ROOT,
        )
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

    def __init__(self, env: dict, *, quick: bool, log: Path):
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(env)
        if quick:
            env["VGP_QUICK"] = "1"
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

    def sessions(self) -> list:
        with urllib.request.urlopen(f"{self.url}/api/sessions?token={self.token}", timeout=10) as r:
            return json.load(r)

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
def labs(binder_env, tmp_path_factory):
    logs = tmp_path_factory.mktemp("lab-logs")
    servers = {}
    try:
        servers["full"] = Lab(binder_env, quick=False, log=logs / "full.log")
        servers["quick"] = Lab(binder_env, quick=True, log=logs / "quick.log")
        yield servers
    finally:
        for server in servers.values():
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
def test_chapter_runs_live_and_reads_like_its_page(name, labs, browser, built_html, report):
    lab = labs["full" if name in FULL else "quick"]
    path = launch_path(name)
    assert path == f"lab/tree/notebooks/{name}.ipynb"
    status_before = _git_status()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{lab.url}/{path}?reset&token={lab.token}")
        page.wait_for_function(KERNEL_IDLE, timeout=120_000)
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
        values = []
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
                assert value and value in cell["text"], (
                    f"{name}: {expression['expression']} = {value!r} not shown"
                )
                values.append(value)
        assert len(values) == len(site_values(name))
        if name in FULL:
            assert values == site_values(name), f"{name}: the live numbers differ from the site's"

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
def test_text_pages_open_as_markdown_without_a_kernel(path, labs, browser):
    lab = labs["quick"]
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
            "text: w.node.innerText}; }"
        )
    finally:
        page.close()
    assert not kind["session"], f"{path} opened as a notebook"
    assert kind["dialogs"] == 0, f"{path} asked for something (a kernel?)"
    assert {s["path"] for s in lab.sessions()} == sessions_before, f"{path} started a kernel"
    assert len(kind["text"]) > 40
