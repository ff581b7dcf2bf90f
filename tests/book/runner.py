"""Run a notebook in a fresh kernel in a child process, as the slow edition tests and the
determinism test do (shared by tests/book/test_edition.py and tests/book/test_determinism.py)."""

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]

RUNNER = (
    """
import sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import tempfile
from traitlets.config import Config

src, dst, cwd = sys.argv[1:4]
nb = nbformat.read(src, as_version=4)
error = ""
# Kernels talk over IPC sockets in a private directory: two kernels started at the
# same moment over TCP can pick the same free port, and a client then waits forever
# for replies that go to the other kernel.
config = Config()
config.KernelManager.transport = "ipc"
config.KernelManager.ip = tempfile.mkdtemp(prefix="vgp-kernel-") + "/kernel"
client = NotebookClient(
    nb, timeout=180, startup_timeout=120, kernel_name="python3","""
    """ resources={"metadata": {"path": cwd}},
    config=config,
)
try:
    client.execute()
except CellExecutionError as err:
    error = str(err)
except TimeoutError as err:  # a stuck kernel, not a failing cell: the caller retries once
    sys.stdout.write(f"{type(err).__name__}: {err}")
    sys.exit(3)
nbformat.write(nb, dst)
sys.stdout.write(error)
"""
)


STUCK = 3  # exit code of RUNNER when the kernel stopped answering


def execute(src: Path, dst: Path, env: dict):
    """Run notebook ``src`` in a fresh kernel from chapters/
    (in a child process); return (notebook, error)."""
    for _attempt in range(2):
        run = subprocess.run(
            [sys.executable, "-c", RUNNER, str(src), str(dst), str(ROOT / "chapters")],
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != STUCK:
            break
    if run.returncode != 0:
        return (
            None,
            f"the runner failed ({run.returncode}):\n{run.stdout[-1000:]}\n{run.stderr[-3000:]}",
        )
    return nbformat.read(dst, as_version=4), (run.stdout[:3000] or None)
