"""Shared test setup: a non-interactive matplotlib backend and the repository root."""

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def built_html() -> Path:
    """The built site; missing is a failure in CI, a skip elsewhere."""
    if not (HTML / "index.html").exists():
        message = "the site is not built: run `make book` (make test builds it first)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return HTML


#: Test modules that check the whole book rather than one module of it: the built site and
#: its pages, the editions and the course (they run chapters in kernels, and nbgrader), the
#: Binder environment (pip resolution), the live notebooks in JupyterLab, two builds' numbers.
#: They carry the ``book`` mark, so ``make check`` (``-m "not book ..."``) leaves them to
#: ``make test``.
WHOLE_BOOK = {
    "test_benchmarks",
    "test_binder",
    "test_book",
    "test_browser",
    "test_course",
    "test_determinism",
    "test_edition",
    "test_grade",
    "test_leaks",
    "test_live",
    "test_platform",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.parent.name == "tests" and item.path.stem in WHOLE_BOOK:
            item.add_marker(pytest.mark.book)
