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


def need_browser() -> None:
    """Skip (fail in CI) unless Chromium, Playwright and axe are here."""
    from booktools.pagecheck import CHROMIUM

    problem = None
    if not CHROMIUM.exists():
        problem = f"Chromium not found at {CHROMIUM} (install Debian's `chromium` package)"
    else:
        try:
            import axe_playwright_python  # noqa: F401
            import playwright.sync_api  # noqa: F401
        except ImportError as e:
            problem = f"{e.name} is not installed (make test installs requirements-dev.txt)"
    if problem:
        if in_ci():
            pytest.fail(f"the browser test must run in CI: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="session")
def built_html() -> Path:
    """The built site; missing is a failure in CI, a skip elsewhere."""
    if not (HTML / "index.html").exists():
        message = "the site is not built: run `make book` (make test builds it first)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return HTML


#: Tests that check the whole book rather than one module of it live in ``tests/book/``: the
#: built site and its pages, the editions and the course (they run chapters in kernels, and
#: nbgrader), the Binder environment (pip resolution), the live notebooks in JupyterLab, two
#: builds' numbers. They carry the ``book`` mark, so ``make check`` (``-m "not book ..."``)
#: leaves them to ``make test``.
WHOLE_BOOK = ROOT / "tests" / "book"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if WHOLE_BOOK in item.path.parents:
            item.add_marker(pytest.mark.book)
