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
