"""The book's wiring: every page in the TOC exists and, if it has code, will be executed."""

import re

import yaml

from booktools.myst import read_toc, toc_entries
from tests.conftest import ROOT

JUPYTEXT_HEADER = re.compile(
    r"\A---\njupytext:\n(?:.*\n)*?\s+format_name: myst\n"
    r"(?:.*\n)*?kernelspec:\n(?:.*\n)*?\s+name: python3\n(?:.*\n)*?---\n"
)


def toc_files():
    return toc_entries(read_toc(ROOT))


def test_every_toc_entry_exists():
    files = toc_files()
    assert (
        "chapters/preface" in files
        and "chapters/circuits" in files
        and "chapters/bibliography" in files
    )
    for f in files:
        assert (ROOT / f"{f}.md").exists(), f


def test_every_chapter_is_in_the_toc():
    listed = set(toc_files())
    for md in (ROOT / "chapters").glob("*.md"):
        assert f"chapters/{md.stem}" in listed, f"{md.name} is not in _toc.yml"


def test_pages_with_code_carry_the_jupytext_header():
    """Without the header a MyST page is parsed as plain text and silently not executed."""
    for md in (ROOT / "chapters").glob("*.md"):
        text = md.read_text()
        if "{code-cell}" in text:
            assert JUPYTEXT_HEADER.match(text), (
                f"{md.name} has code cells but no jupytext/kernelspec header"
            )


def test_header_check_catches_a_missing_header():
    page = "# Title\n\n```{code-cell} ipython3\n1 + 1\n```\n"
    assert not JUPYTEXT_HEADER.match(page)
    good = (ROOT / "chapters" / "circuits.md").read_text()
    assert JUPYTEXT_HEADER.match(good)


def test_build_is_strict():
    make = (ROOT / "Makefile").read_text()
    build_line = next(line for line in make.splitlines() if "jupyter-book build" in line)
    for flag in ("-n", "-W", "--keep-going", "--all"):
        assert f" {flag}" in build_line
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert config["execute"]["allow_errors"] is False
    # every build executes every chapter; {eval} needs the kernel while the page is read
    assert config["execute"]["execute_notebooks"] == "inline"
    # the book's extensions are local extensions, found from _config.yml's folder in a fresh clone
    local = config["sphinx"]["local_extensions"]
    assert set(local) == {
        "booktools.author_year",
        "booktools.exercise_index",
        "booktools.sphinx_ext",
        "booktools.sphinx_figures",
        "booktools.sphinx_frames",
        "booktools.sphinx_weight",
    }
    for name, path in local.items():
        assert (ROOT / path / (name.replace(".", "/") + ".py")).is_file(), name
    assert not any(
        e.startswith(("vgp_lib", "booktools")) for e in config["sphinx"].get("extra_extensions", [])
    )
    assert not config["sphinx"]["config"]["mathjax_path"].startswith("http")


def test_readme_quick_start_is_two_make_commands_and_ci_calls_make_test():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(make \w+)\s*$", quick, re.M)
    assert commands == ["make book", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
    assert "apt-get install" in ci and "chromium" in ci


def test_requirements_are_exact_pins_within_jupyter_book_1():
    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line
    )
    assert pins["jupyter-book"].startswith("1.")
    assert pins["torch"] == "2.13.0"
    for name in (
        "myst-nb",
        "sphinx-exercise",
        "sphinxcontrib-bibtex",
        "jupytext",
        "ipywidgets",
        "matplotlib",
        "numpy",
    ):
        assert name in pins
    assert pins["ipywidgets"].startswith("8.")


def test_chapters_are_written_as_jupytext_writes_them():
    """JupyterLab saves a chapter through jupytext; a source jupytext would write
    differently (a stray `+++`, a header key order) changes on the first save."""
    import jupytext

    for md in (ROOT / "chapters").glob("*.md"):
        text = md.read_text()
        if "{code-cell}" not in text:
            continue
        assert jupytext.writes(jupytext.reads(text, fmt="md:myst"), fmt="md:myst") == text, (
            f"{md.name} is not in jupytext's own form: read and write it once with jupytext"
        )
