"""Two runs of a chapter print the same numbers (every random function takes a seed)."""

import os
import re

import jupytext
import nbformat
import pytest

from tests.book.runner import execute
from tests.conftest import ROOT

# The single-neuron chain draws 100,000 random chains; the residual chapter seeds
# torch models and data. Both must come out identical twice.
CHAPTERS = ["chain", "residual"]


def _outputs(nb) -> list[str]:
    """Every output of every code cell as text; random element ids are masked."""
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append(out["text"])
            for mime, data in sorted(out.get("data", {}).items()):
                text = data if isinstance(data, str) else "".join(data)
                texts.append(mime + ":" + re.sub(r"[0-9a-f]{32}", "<id>", text))
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_two_runs_print_the_same_outputs(chapter, tmp_path):
    nb = jupytext.read(ROOT / "chapters" / f"{chapter}.md")
    src = tmp_path / f"{chapter}.ipynb"
    nbformat.write(nb, src)
    env = {k: v for k, v in os.environ.items() if k not in ("VGP_STATIC_BUILD", "MPLBACKEND")}
    env.update(VGP_QUICK="1")
    runs = []
    for i in range(2):
        executed, error = execute(src, tmp_path / f"run{i}.ipynb", env)
        assert executed is not None and not error, error
        runs.append(_outputs(executed))
    assert len(runs[0]) > 5
    assert runs[0] == runs[1]
