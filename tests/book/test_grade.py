"""The grader's sandbox and kernel handling (booktools/grade.py), on a notebook written here.

A kernel started by :class:`~booktools.grade.ConfinedExecute` must not reach the network,
see the machine's files (the course folder above all) nor write anything that outlives
it; a cell that ignores the interrupt is killed and the notebook goes on in a new kernel
that has run the cells above again. The whole grading loop is in tests/book/test_course.py.
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from booktools.grade import ConfinedExecute, sandbox_available

#: What the confined cells report, one JSON line each.
PROBES = [
    "import json, os, socket\nsecret = {secret!r}\n"
    "print(json.dumps({{'sees_secret': os.path.exists(secret)}}))",
    "try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n    net = True\n"
    "except OSError:\n    net = False\nprint(json.dumps({{'network': net}}))",
    "results = {{}}\nfor path in ({outside!r}, '/owned.txt', '/tmp/x', 'here.txt'):\n    try:\n"
    "        open(path, 'w').write('x')\n        results[path] = True\n"
    "    except OSError:\n        results[path] = False\nprint(json.dumps(results))",
    "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nx = 41\nwhile True:\n    pass",
    "print(json.dumps({{'after': x + 1, 'secret': secret}}))",
]


@pytest.fixture(scope="module")
def confined(tmp_path_factory):
    if problem := sandbox_available():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no sandbox: {problem}")
    import socket

    root = tmp_path_factory.mktemp("grading")
    secret = root / "gradebook.db"
    secret.write_text("scores")
    workdir = root / "autograded" / "ada" / "drill"
    workdir.mkdir(parents=True)
    (workdir / "data.csv").write_text("1,2")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    nb = nbformat.v4.new_notebook()
    sources = [
        p.format(secret=str(secret), port=port, outside=str(root / "owned.txt")) for p in PROBES
    ]
    sources.insert(3, "x = 40")
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    ConfinedExecute(timeout=3, interrupt_grace=2).preprocess(
        nb, {"metadata": {"path": str(workdir)}}
    )
    server.close()
    printed = {}
    for cell in nb.cells:
        for output in cell.outputs:
            for line in output.get("text", "").splitlines():
                if line.startswith("{"):
                    printed.update(json.loads(line))
    return {"nb": nb, "printed": printed, "root": root, "workdir": workdir}


def test_the_kernel_sees_no_file_of_the_course(confined):
    assert confined["printed"]["sees_secret"] is False


def test_the_kernel_has_no_network(confined):
    assert confined["printed"]["network"] is False


def test_the_kernel_writes_only_to_a_scratch_folder_that_goes_away(confined):
    printed = confined["printed"]
    # inside, /tmp and the notebook's folder are its own: what it writes there stays there;
    # everything else is read-only
    assert printed["/tmp/x"] is True and printed["here.txt"] is True
    assert printed["/owned.txt"] is False
    assert not (confined["root"] / "owned.txt").exists()
    assert sorted(p.name for p in confined["workdir"].iterdir()) == ["data.csv"]


def test_a_cell_that_ignores_the_interrupt_is_killed_and_the_notebook_goes_on(confined):
    stuck = confined["nb"].cells[4]
    assert [o.ename for o in stuck.outputs if o.output_type == "error"] == ["CellKilledError"]
    # the new kernel ran the cells above again (x = 40, secret), not the killed one (x = 41)
    assert confined["printed"]["after"] == 41
