"""What the package is made of: the science in ``vgp_lib``, the book's machinery beside it.

* Every import of a ``vgp_lib`` module (at the top or inside a function) is the standard
  library, ``vgp_lib`` itself, or a distribution ``pyproject.toml`` declares: the package
  works where it is installed with only its declared dependencies.
* Every ``vgp_lib`` module imports with the book's tooling (Sphinx, docutils, jupytext,
  nbformat, nbconvert, nbclient, PyYAML, ``booktools``) made unimportable.
* ``booktools`` is not part of the installed package, and nothing in ``vgp_lib`` imports it.
* No module of ``vgp_lib`` or ``booktools`` imports another module's private (``_x``)
  names, nor a private module of the other package.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("vgp_lib", "booktools")
#: Top-level modules of the book's tooling, which vgp_lib must import without.
TOOLING = (
    "sphinx",
    "docutils",
    "jupytext",
    "nbformat",
    "nbconvert",
    "nbclient",
    "yaml",
    "sphinx_exercise",
    "myst_nb",
    "myst_parser",
    "jupyter_book",
    "nbgrader",
    "booktools",
)
#: Private names a science module imports from another: none (``network`` and
#: ``speeds`` share one public forward/backward). The test fails when one appears.
KNOWN_PRIVATE_IMPORTS: set[tuple[str, str, str]] = set()


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def modules(package: str) -> dict[str, Path]:
    """``{dotted module name: file}`` of every module of ``package`` in the repository."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


ALL = {name: path for package in PACKAGES for name, path in modules(package).items()}


def imports(name: str, path: Path):
    """``(line, absolute module imported, names taken from it)`` for every import of a module,
    relative imports resolved (``names`` is ``None`` for ``import x``)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield node.lineno, module, [alias.name for alias in node.names]


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        canonical(re.match(r"[A-Za-z0-9_.-]+", dep).group(0)) for dep in project["dependencies"]
    }


def test_vgp_lib_imports_only_the_standard_library_and_declared_dependencies():
    owners = importlib.metadata.packages_distributions()
    allowed = declared()
    undeclared = []
    for name, path in modules("vgp_lib").items():
        for line, module, _ in imports(name, path):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in ("__future__", "vgp_lib"):
                continue
            dists = {canonical(d) for d in owners.get(top, [])}
            if not dists & allowed:
                undeclared.append(
                    f"{path.relative_to(ROOT)}:{line} imports {module} "
                    f"(distribution {', '.join(sorted(dists)) or 'unknown'})"
                )
    assert not undeclared, "undeclared in pyproject.toml's dependencies:\n" + "\n".join(undeclared)


def test_the_check_sees_an_undeclared_import(tmp_path):
    """The reader above finds imports inside functions and resolves relative ones."""
    path = tmp_path / "mod.py"
    path.write_text("from . import sibling\n\ndef f():\n    import yaml\n    from ..x import _y\n")
    found = list(imports("vgp_lib.sub.mod", path))
    assert (4, "yaml", None) in found
    assert (1, "vgp_lib.sub", ["sibling"]) in found and (5, "vgp_lib.x", ["_y"]) in found
    assert canonical("yaml") not in declared() and "pyyaml" not in declared()


BLOCKER = """
import importlib, importlib.abc, pkgutil, sys
sys.path.insert(0, {root!r})
BLOCKED = {blocked!r}

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is tooling, not a dependency of vgp_lib")
        return None

sys.meta_path.insert(0, Block())
import vgp_lib
assert vgp_lib.__file__.startswith({root!r}), vgp_lib.__file__
names = [m.name for m in pkgutil.walk_packages(vgp_lib.__path__, "vgp_lib.")]
for name in names:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not leaked, leaked
print(len(names))
"""


def test_every_vgp_lib_module_imports_without_the_tooling():
    script = BLOCKER.format(root=str(ROOT), blocked=TOOLING)
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.split()[-1]) == len(modules("vgp_lib")) - 1  # all but vgp_lib itself


def test_booktools_is_beside_the_package_not_in_it():
    assert not any(
        n.startswith("vgp_lib.")
        and n.split(".")[1]
        in ("edition", "course", "exercise_index", "sphinx_ext", "sphinx_frames")
        for n in ALL
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["vgp_lib*"]
    for name, path in modules("vgp_lib").items():
        for line, module, _ in imports(name, path):
            assert module.split(".")[0] != "booktools", (
                f"{path.relative_to(ROOT)}:{line} imports {module}"
            )


def private_imports() -> set[tuple[str, str, str]]:
    """``(importer, module, name)`` for every private name a module takes from another
    module: ``from m import _x``, ``m._x`` after ``import m`` or ``from pkg import m``, and
    any name from a private module of the other package (``booktools`` from ``vgp_lib._env``)."""
    found = set()
    for name, path in ALL.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound = {}  # local name -> module it refers to
        for _, module, names in imports(name, path):
            if module.split(".")[0] not in PACKAGES:
                continue
            if names is None:
                bound[module.split(".")[0]] = module.split(".")[0]
                continue
            own = module.split(".")[0] == name.split(".")[0]
            for taken in names:
                if f"{module}.{taken}" in ALL:  # a module: its private attributes count below
                    bound[taken] = f"{module}.{taken}"
                    private = taken.startswith("_") and not own
                else:
                    private = taken.startswith("_") and not taken.startswith("__")
                    private |= not own and any(
                        p.startswith("_") and not p.startswith("__") for p in module.split(".")
                    )
                if private:
                    found.add((name, module, taken))
        for node in ast.walk(tree):  # aliases: `import vgp_lib.network as net` binds net
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and alias.name.split(".")[0] in PACKAGES:
                        bound[alias.asname] = alias.name
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.asname and alias.name in bound:
                        bound[alias.asname] = bound[alias.name]
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and bound[node.value.id] != name
            ):
                found.add((name, bound[node.value.id], node.attr))
    return found


def test_no_module_imports_another_modules_private_names():
    found = private_imports()
    new = sorted(found - KNOWN_PRIVATE_IMPORTS)
    assert not new, "private names taken from another module:\n" + "\n".join(map(str, new))
    gone = sorted(KNOWN_PRIVATE_IMPORTS - found)
    assert not gone, "no longer imported, delete from KNOWN_PRIVATE_IMPORTS:\n" + "\n".join(
        map(str, gone)
    )


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "from vgp_lib.network import _forward\n",
            {("booktools.probe", "vgp_lib.network", "_forward")},
        ),
        ("from vgp_lib import _env\n", {("booktools.probe", "vgp_lib", "_env")}),
        (
            "from vgp_lib._validate import check_int\n",
            {("booktools.probe", "vgp_lib._validate", "check_int")},
        ),
        (
            "import vgp_lib.network as net\nnet._forward\n",
            {("booktools.probe", "vgp_lib.network", "_forward")},
        ),
        ("from booktools.myst import tidy\n", set()),
    ],
)
def test_the_private_import_check_sees_each_form(tmp_path, monkeypatch, source, expected):
    path = tmp_path / "probe.py"
    path.write_text(source)
    monkeypatch.setitem(ALL, "booktools.probe", path)
    assert {f for f in private_imports() if f[0] == "booktools.probe"} == expected
