"""Grading the course that ``make course`` writes, without trusting the students' notebooks.

nbgrader's ``autograde`` runs each submission from the top and scores a test cell by
whether it raised. Everything in that kernel is the student's: a first cell can
replace the checks, read the instructor's copy or write the gradebook. The course's
``nbgrader_config.py`` therefore swaps three of nbgrader's steps for the ones here:

* :class:`ConfinedExecute` runs the kernel in a **bubblewrap sandbox**
  (:func:`sandbox_argv`): a new user, PID, IPC and network namespace (no network at
  all), a read-only view of the system, of Python and of ``vgp_lib`` only, and one
  writable scratch folder, empty, in place of the submission's folder; the course
  folder (instructor's copy, other submissions, gradebook) is not in its world. The
  kernel talks to nbgrader over Unix sockets in a private folder. A cell still running
  after the timeout is interrupted; if it ignores the interrupt, the kernel is killed,
  a new one runs the cells above again, and the rest of the notebook is graded.
* :class:`JudgeGrades` scores each graded cell from the answer the cell **handed in
  as data** (:mod:`vgp_lib.exercises.handin`), with the book's check called here, in
  nbgrader's process: the same rule as the self-check, out of the student's reach. The
  cell's output then shows the grader's feedback.
* :class:`AuditedCsvExport` refuses to export grades that fail :func:`audit`: a score
  outside ``[0, max]``, a test cell without a grade (deleted or unmarked), a submission
  nbgrader could not grade, a score that is not the grader's verdict, an instructor's copy
  or release changed since ``make course``.

``python -m booktools.grade ASSIGNMENT [--course DIR]`` runs ``nbgrader autograde`` and then
the audit, and prints both (``make grade ASSIGNMENT=chain``).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.utils import ensure_async
from jupyter_core.utils import run_sync
from nbformat.v4 import new_output
from nbgrader.plugins.export import CsvExportPlugin
from nbgrader.preprocessors import Execute, SaveAutoGrades
from traitlets import Bool, Integer, Unicode

#: The sandbox program (Debian package ``bubblewrap``).
BWRAP = "bwrap"
#: Seconds a kernel may take to answer an interrupt before it is killed.
INTERRUPT_GRACE = 5
#: Where the course keeps what grading needs and students never get.
GRADING_DIR = "grading"
#: Environment variables a confined kernel keeps (all others are dropped).
KEPT_ENV = ("PATH", "LANG", "LC_ALL", "PYTHONHASHSEED", "MPLBACKEND", "OMP_NUM_THREADS")


class GradingError(RuntimeError):
    """Grading cannot go on (the message says why)."""


# --------------------------------------------------------------------------- the sandbox


def sandbox_available() -> str | None:
    """None if bubblewrap can run a confined process here, else why not."""
    if shutil.which(BWRAP) is None:
        return f"{BWRAP} is not installed (Debian: apt-get install bubblewrap)"
    run = subprocess.run(
        [BWRAP, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
        capture_output=True,
        text=True,
    )
    return None if run.returncode == 0 else f"{BWRAP} cannot run here: {run.stderr.strip()}"


def _python_roots() -> list[Path]:
    """The folders the kernel's Python needs: the interpreter's, the environment's, and
    the folder of each package imported from outside them (``vgp_lib`` when editable)."""
    import vgp_lib

    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    roots.add(Path(vgp_lib.__file__).resolve().parent)
    return sorted(roots)


def sandbox_argv(command: list[str], *, workdir: Path, scratch: Path, sockets: Path) -> list[str]:
    """``command`` wrapped in bubblewrap: it sees ``scratch`` (writable) at ``workdir``,
    ``sockets`` (writable, for the kernel's connection), a private ``/tmp``, and read-only
    the system and Python; nothing else of the machine, and no network."""
    argv = [BWRAP, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
    for name in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/sys"):
        argv += ["--ro-bind-try", name, name]
    for name in (
        "ld.so.cache",
        "ld.so.conf",
        "ld.so.conf.d",
        "fonts",
        "localtime",
        "passwd",
        "group",
        "nsswitch.conf",
        "matplotlibrc",
    ):
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for root in _python_roots():
        argv += ["--ro-bind", str(root), str(root)]
    argv += ["--bind", str(sockets), str(sockets)]
    argv += ["--bind", str(scratch), str(workdir), "--remount-ro", "/", "--chdir", str(workdir)]
    env = {name: os.environ[name] for name in KEPT_ENV if name in os.environ}
    env.update(HOME="/tmp", TMPDIR="/tmp", MPLCONFIGDIR="/tmp/matplotlib")
    for name, value in env.items():
        argv += ["--setenv", name, value]
    return argv + ["--", *command]


class ConfinedKernelManager(AsyncKernelManager):
    """A kernel started in :func:`sandbox_argv`'s sandbox, reached over Unix sockets."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._private = Path(tempfile.mkdtemp(prefix="vgp-kernel-"))
        self.transport = "ipc"
        self.ip = str(self._private / "socket")
        self.connection_file = str(self._private / "kernel.json")
        self._scratch: Path | None = None

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        # interrupts go as messages: a SIGINT to the process group would reach bubblewrap,
        # not the kernel in its own session
        self.kernel_spec.interrupt_mode = "message"
        workdir = Path(self._launch_args.get("cwd") or os.getcwd()).resolve()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
        self._scratch = Path(tempfile.mkdtemp(prefix="vgp-scratch-"))
        for item in workdir.iterdir():  # the assignment's other files, never a notebook
            if item.is_file() and item.suffix != ".ipynb":
                shutil.copy(item, self._scratch / item.name)
        return sandbox_argv(command, workdir=workdir, scratch=self._scratch, sockets=self._private)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._private, ignore_errors=True)
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)


class ConfinedExecute(Execute):
    """nbgrader's Execute, in a sandboxed kernel that is killed (and the cells above the
    stuck one run again in a new kernel) when a cell ignores the timeout's interrupt."""

    confine = Bool(True, help="Run the kernel in the bubblewrap sandbox.").tag(config=True)
    interrupt_grace = Integer(INTERRUPT_GRACE, help="Seconds to answer an interrupt.").tag(
        config=True
    )
    raise_on_iopub_timeout = Bool(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.confine:
            self.kernel_manager_class = ConfinedKernelManager

    def preprocess(self, nb, resources=None, km=None):
        if self.confine and (problem := sandbox_available()):
            raise GradingError(f"cannot confine the students' code: {problem}")
        self._ran: list[str] = []
        return super().preprocess(nb, resources, km)

    async def _async_handle_timeout(self, timeout, cell=None):
        await ensure_async(self.km.interrupt_kernel())
        try:  # the kernel answers the interrupt with the cell's (interrupted) reply
            await ensure_async(self.kc.shell_channel.get_msg(timeout=self.interrupt_grace))
        except Exception:  # no answer: the cell ignores interrupts
            self._stuck = True
            return {
                "content": {
                    "status": "error",
                    "ename": "CellKilledError",
                    "evalue": "",
                    "traceback": [
                        f"CellKilledError: the cell ran longer than {timeout} s and ignored the "
                        "interrupt, so its kernel was killed; a new kernel ran the cells above "
                        "again, and the rest of the notebook was graded."
                    ],
                }
            }
        return {"content": {**self.error_on_timeout, "status": "error"}}

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        self._stuck = False
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if cell.cell_type == "code" and cell.source.strip():
            if self._stuck:
                await self._new_kernel()
            else:
                self._ran.append(cell.source)
        return cell

    execute_cell = run_sync(async_execute_cell)  # nbclient binds its own at class creation

    async def _new_kernel(self) -> None:
        """Kill the kernel, start another, and run again the cells that ran before (a
        cell that hangs this time too is dropped, and the replay starts over)."""
        for _ in range(len(self._ran) + 1):
            await ensure_async(self.km.restart_kernel(now=True))
            self.kc.stop_channels()
            self.kc = self.km.client()
            await ensure_async(self.kc.start_channels())
            await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
            for i, source in enumerate(self._ran):
                msg_id = self.kc.execute(source, silent=True, store_history=False)
                if not await self._reply_within(msg_id, self.timeout):
                    del self._ran[i]
                    break
            else:
                return
        raise GradingError("no kernel could run the cells above a killed cell")

    async def _reply_within(self, msg_id: str, seconds) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (seconds or 60)
        while (left := deadline - loop.time()) > 0:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
            except Exception:
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False


# --------------------------------------------------------------------------- the verdict


def load_spec(course: Path, assignment: str) -> dict:
    """The grading record ``make course`` wrote for ``assignment`` (never released)."""
    path = Path(course) / GRADING_DIR / f"{assignment}.json"
    if not path.is_file():
        raise GradingError(f"{path} is missing: run make course again")
    return json.loads(path.read_text(encoding="utf-8"))


def handed_in(cell) -> dict | None:
    """The last hand-in record among a cell's outputs (None if there is none)."""
    from vgp_lib.exercises.handin import MIME

    found = None
    for output in cell.get("outputs", []):
        record = output.get("data", {}).get(MIME)
        if isinstance(record, dict):
            found = json.loads(json.dumps(record))  # plain dicts and lists, as written
    return found


def judge(entry: dict, record: dict | None):
    """The book's check's :class:`~vgp_lib.exercises.Feedback` on the answers of ``record``,
    called as the chapter calls it, with the other arguments' values from the instructor's
    run (``entry``, from :func:`load_spec`)."""
    from vgp_lib.exercises import INCORRECT, Feedback
    from vgp_lib.exercises.handin import from_data

    label = entry["label"]
    if record is None or record.get("label") != label:
        return Feedback(label, INCORRECT, "no answer was handed in (the graded cell did not run).")
    check = getattr(importlib.import_module(entry["module"]), entry["check"])
    rebuild = getattr(check, "from_data", None) or from_data
    answers = record.get("answers", {})
    values = {}
    for name in entry["answers"]:
        try:
            values[name] = rebuild(answers[name])
        except Exception:
            problem = answers.get(name, {}).get("problem") if isinstance(answers, dict) else None
            said = f": {problem}" if isinstance(problem, str) else ""
            return Feedback(label, INCORRECT, f"the notebook handed in no readable {name}{said}.")
    call = ast.parse(entry["call"], mode="eval").body

    def argument(node):
        if isinstance(node, ast.Name) and node.id in values:
            return values[node.id]
        return from_data(entry["arguments"][ast.unparse(node)])

    args = [argument(a) for a in call.args]
    kwargs = {k.arg: argument(k.value) for k in call.keywords}
    return check(*args, **kwargs)


class JudgeGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, but a test cell's score is the grader's verdict on the
    answer the cell handed in (see :func:`judge`), not whether the cell raised."""

    course = Unicode("", help="The course folder (where grading/ is).").tag(config=True)

    def preprocess(self, nb, resources):
        self._spec = load_spec(Path(self.course), resources["nbgrader"]["assignment"])
        self._verdicts = {}
        nb, resources = super().preprocess(nb, resources)
        folder = Path(self.course) / GRADING_DIR / "verdicts" / resources["nbgrader"]["assignment"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{resources['nbgrader']['student']}.json").write_text(
            json.dumps(self._verdicts, indent=1), encoding="utf-8"
        )
        return nb, resources

    def _add_score(self, cell, resources) -> None:
        meta = cell.metadata["nbgrader"]
        label = meta["grade_id"].removesuffix("-test")
        entry = self._spec["exercises"].get(label)
        if cell.cell_type != "code" or entry is None:
            return super()._add_score(cell, resources)
        try:
            feedback = judge(entry, handed_in(cell))
        except Exception as err:  # noqa: BLE001 - reported, and the audit stops the export
            self.log.error("the grader could not judge %s: %r", label, err)
            self._verdicts[meta["grade_id"]] = None
            return None
        points = float(meta.get("points", 0))
        score = points if feedback.correct else 0.0
        grade = self.gradebook.find_grade(
            meta["grade_id"], self.notebook_id, self.assignment_id, self.student_id
        )
        grade.auto_score = score
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
        self._verdicts[meta["grade_id"]] = score
        kept = [o for o in cell.get("outputs", []) if o.get("output_type") != "error"]
        cell.outputs = kept + [new_output("stream", name="stdout", text=f"Grader: {feedback}\n")]


# --------------------------------------------------------------------------- the audit


def _digest(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    }


def write_manifest(course: Path, assignment: str) -> None:
    """Record the instructor's copy and the release of ``assignment`` (for :func:`audit`)."""
    course = Path(course)
    manifest = {part: _digest(course / part / assignment) for part in ("source", "release")}
    path = course / GRADING_DIR / f"{assignment}.manifest.json"
    path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def audit(course: Path, assignment: str) -> list[str]:
    """Every reason the grades of ``assignment`` cannot be trusted (empty if none)."""
    from nbgrader.api import Gradebook, MissingEntry

    course = Path(course)
    problems = []
    manifest_path = course / GRADING_DIR / f"{assignment}.manifest.json"
    if not manifest_path.is_file():
        return [f"{assignment}: no manifest of the course (run make course)"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for part, files in manifest.items():
        if _digest(course / part / assignment) != files:
            problems.append(f"{assignment}: the {part} folder changed since make course")
    submitted = sorted(p.parent.name for p in course.glob(f"submitted/*/{assignment}"))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            notebooks = gb.find_assignment(assignment).notebooks
        except MissingEntry:
            return problems + [f"{assignment}: not in the gradebook"]
        for student in submitted:
            verdict_file = course / GRADING_DIR / "verdicts" / assignment / f"{student}.json"
            verdicts = (
                json.loads(verdict_file.read_text(encoding="utf-8"))
                if verdict_file.is_file()
                else {}
            )
            for notebook in notebooks:
                try:
                    sub = gb.find_submission_notebook(notebook.name, assignment, student)
                except MissingEntry:
                    problems.append(f"{student}: autograde failed ({notebook.name} not graded)")
                    continue
                autograded = course / "autograded" / student / assignment / f"{notebook.name}.ipynb"
                if not autograded.is_file():
                    problems.append(f"{student}: autograde failed (no {autograded.name})")
                    continue
                for grade in sub.grades:
                    where = f"{student}: {grade.name}"
                    if grade.score is None:
                        problems.append(f"{where} has no score (cell deleted or unmarked?)")
                    elif not 0 <= grade.score <= grade.max_score:
                        problems.append(
                            f"{where} scores {grade.score:g}, outside [0, {grade.max_score:g}]"
                        )
                    elif grade.cell.cell_type == "code" and grade.manual_score is None:
                        if verdicts.get(grade.name) is None:
                            problems.append(f"{where} was not judged by the grader")
                        elif grade.auto_score != verdicts[grade.name]:
                            problems.append(f"{where} is not the grader's verdict")
    return problems


class AuditedCsvExport(CsvExportPlugin):
    """nbgrader's CSV export, refused while :func:`audit` finds a problem."""

    course = Unicode("", help="The course folder (where grading/ is).").tag(config=True)

    def export(self, gradebook) -> None:
        problems = [
            p
            for assignment in gradebook.assignments
            for p in audit(Path(self.course), assignment.name)
        ]
        if problems:
            raise GradingError(
                "the grades fail the audit, so none is exported:\n  " + "\n  ".join(problems)
            )
        super().export(gradebook)


# --------------------------------------------------------------------------- the command


def main(argv=None) -> int:
    from booktools.course import nbgrader_run

    parser = argparse.ArgumentParser(
        prog="python -m booktools.grade",
        description="Autograde an assignment of the course, confined, then audit the grades.",
    )
    parser.add_argument("assignment")
    parser.add_argument("--course", default="_build/course", help="the course folder")
    args = parser.parse_args(argv)
    course = Path(args.course)
    run = nbgrader_run(course, "autograde", args.assignment)
    print(run.stdout + run.stderr, end="")
    problems = audit(course, args.assignment)
    for problem in problems:
        print(f"AUDIT: {problem}")
    print(f"audit: {len(problems)} problem(s)")
    return 1 if run.returncode or problems else 0


if __name__ == "__main__":
    sys.exit(main())
