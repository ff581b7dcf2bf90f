"""The Binder environment as repo2docker would build it: its base environment read from
repo2docker's own lock file, and binder/requirements.txt as pip can resolve it from here
(shared by tests/book/test_binder.py and tests/book/test_live.py)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def repo2docker_buildpack():
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


def binder_requirements_offline(path=ROOT / "binder" / "requirements.txt") -> str:
    """binder/requirements.txt less its PyTorch CPU index line, which cannot be reached
    from here (the pinned torch then comes from the default index)."""
    return "".join(
        line
        for line in path.read_text().splitlines(keepends=True)
        if not line.startswith("--extra-index-url")
    )


CONDA_TO_PYPI = {
    "nbconvert-core": "nbconvert",
    "jupyterhub-base": "jupyterhub",
    "brotli-python": "brotli",
    "python-fastjsonschema": "fastjsonschema",
}


def base_environment_packages() -> dict[str, str]:
    """repo2docker's base environment for this repository, ``{PyPI name: version}``.

    Read from the conda lock that the installed repo2docker copies into its image for the
    Python it picks (``conda/environment.py-3.11-linux-64.lock``). A conda package whose
    build string starts with ``py`` is a Python package (``pyh...`` pure, ``py311h...``
    compiled): kept, under its PyPI name (:data:`CONDA_TO_PYPI`). Left out, because pip
    neither installs nor checks them:

    - the interpreter and the non-Python libraries (python, nodejs, openssl, zeromq, libgcc,
      tzdata's time-zone files, ...);
    - conda's meta packages, which hold no code and only require packages the lock lists
      itself: jupyterhub-singleuser (jupyterhub-base and jupyterlab), bleach-with-css (bleach
      and tinycss2), jsonschema-with-format-nongpl (jsonschema and its format checkers),
      cached-property and typing-extensions (cached_property and typing_extensions).
    """
    import repo2docker.buildpacks

    _, _, _, scripts = repo2docker_buildpack()
    (lock,) = [src for src in scripts if src.endswith(".lock")]
    packages = {}
    for line in (Path(repo2docker.buildpacks.__file__).parent / lock).read_text().splitlines():
        if not line.startswith("https://"):
            continue
        file = line.split("#")[0].rsplit("/", 1)[1]
        name, version, build = re.sub(r"\.(conda|tar\.bz2)$", "", file).rsplit("-", 2)
        if build.startswith("py"):
            packages[CONDA_TO_PYPI.get(name, name)] = version
    return packages


def base_environment_requirements() -> str:
    """repo2docker's base environment as a pip requirements file (``name==version`` lines):
    installed into a virtual environment before binder/requirements.txt, it gives what
    Binder's build starts from."""
    return "".join(
        f"{name}=={version}\n" for name, version in sorted(base_environment_packages().items())
    )
