"""How much of ``vgp_lib`` is science and how much is checking, and how much chapter code a
reader sees. Run from the repository root::

    python -m booktools.codestats            # a Markdown report
    python -m booktools.codestats --json     # the same figures as JSON
    python -m booktools.codestats --tree     # the package, one line per module

Code lines are the lines a statement covers, without blank lines, comments and docstrings.
A line is *argument checking* when it belongs to

- a function of ``vgp_lib/_validate.py`` or ``vgp_lib/_checks.py`` (the shared checks), or a
  function whose name starts with ``_check``;
- an ``if`` statement whose every branch ends in ``raise ValueError``/``TypeError``/
  ``OverflowError`` (a hand-written check);
- a statement that calls or names one of the functions above (``n = check_int("n", n, lo=1)``,
  ``RULES = {"n": partial(check_int, lo=1)}``), or a decorator that does (``@checked(...)``).

Chapter code is the code cells of the chapters in ``_toc.yml``: *hidden* when tagged
``remove-input`` or ``remove-cell``, *visible* otherwise (folded ``hide-input`` cells
count as visible: a reader can open them).
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

CHECK_MODULES = ("_validate.py", "_checks.py")
RAISES = {"ValueError", "TypeError", "OverflowError"}


def _docstring_lines(tree) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    out.update(range(body[0].lineno, body[0].end_lineno + 1))
    return out


def code_lines(source: str) -> set[int]:
    """The line numbers of ``source`` that hold code (no blank, comment or docstring line)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    covered = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            covered.update(range(node.lineno, node.end_lineno + 1))
    covered -= _docstring_lines(tree)
    return {n for n in covered if lines[n - 1].strip() and not lines[n - 1].strip().startswith("#")}


def _raises_only(body) -> bool:
    last = body[-1] if body else None
    if not isinstance(last, ast.Raise) or last.exc is None:
        return False
    exc = last.exc.func if isinstance(last.exc, ast.Call) else last.exc
    return isinstance(exc, ast.Name) and exc.id in RAISES


def _is_check_if(node: ast.If) -> bool:
    if not _raises_only(node.body):
        return False
    orelse = node.orelse
    if not orelse:
        return True
    if len(orelse) == 1 and isinstance(orelse[0], ast.If):
        return _is_check_if(orelse[0])
    return _raises_only(orelse)


def _call_names(node) -> set[str]:
    """Names a node calls or refers to (``partial(check_int, lo=1)`` refers to ``check_int``)."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
    return names


def check_helper_names(package: Path) -> set[str]:
    """Names of the shared check functions and of every ``_check*`` function."""
    names = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                if path.name in CHECK_MODULES or node.name.startswith("_check"):
                    names.add(node.name)
    return names


def check_lines(source: str, path: Path, helpers: set[str]) -> set[int]:
    """The code lines of ``source`` that check arguments (see the module docstring)."""
    tree = ast.parse(source)
    code = code_lines(source)
    if path.name in CHECK_MODULES:
        out = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                out.update(range(node.lineno, node.end_lineno + 1))
        return out & code
    out = set()
    for node in ast.walk(tree):
        span = None
        if isinstance(node, ast.FunctionDef) and node.name.startswith("_check"):
            span = node
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            for deco in node.decorator_list:  # @checked(n=check_int): the checks of a function
                if _call_names(deco) & (helpers | {"checked"}):
                    out.update(range(deco.lineno, deco.end_lineno + 1))
        elif isinstance(node, ast.If) and _is_check_if(node):
            span = node
        elif isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign, ast.Return)):
            if node.value is not None and _call_names(node.value) & helpers:
                span = node
        if span is not None:
            out.update(range(span.lineno, span.end_lineno + 1))
    return out & code


def package_stats(package="vgp_lib") -> dict:
    package = Path(package)
    helpers = check_helper_names(package)
    files, total, checking, private_checks = {}, 0, 0, 0
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        code = code_lines(source)
        checks = check_lines(source, path, helpers)
        tree = ast.parse(source)
        private_checks += sum(
            isinstance(n, ast.FunctionDef) and n.name.startswith("_check") for n in ast.walk(tree)
        )
        rel = path.relative_to(package.parent).as_posix()
        files[rel] = {"lines": len(source.splitlines()), "code": len(code), "checks": len(checks)}
        total += len(code)
        checking += len(checks)
    largest = sorted(files.items(), key=lambda kv: -kv[1]["lines"])[:5]
    return {
        "code_lines": total,
        "check_lines": checking,
        "check_share": round(checking / total, 3) if total else 0.0,
        "private_check_helpers": private_checks,
        "largest": [(name, f["lines"]) for name, f in largest],
        "files": files,
    }


def chapter_stats(root=".") -> dict:
    import jupytext

    from booktools.myst import cell_tags, chapter_sources

    shown = hidden = shown_cells = hidden_cells = 0
    for path in chapter_sources(root):
        if path.suffix != ".md":
            continue
        nb = jupytext.read(path)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            n = sum(1 for line in cell.source.splitlines() if line.strip())
            if {"remove-input", "remove-cell"} & set(cell_tags(cell)):
                hidden, hidden_cells = hidden + n, hidden_cells + 1
            else:
                shown, shown_cells = shown + n, shown_cells + 1
    return {
        "visible_lines": shown,
        "hidden_lines": hidden,
        "visible_cells": shown_cells,
        "hidden_cells": hidden_cells,
    }


def module_lines(package="vgp_lib") -> list[tuple[str, str]]:
    """``(module path, first line of its docstring)`` for every module of ``package``."""
    out = []
    for path in sorted(Path(package).rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = " ".join(doc.split("\n\n")[0].split())
        out.append((path.relative_to(Path(package).parent).as_posix(), first))
    return out


def report(stats: dict, chapters: dict) -> str:
    lines = [
        f"- code lines in vgp_lib: {stats['code_lines']:,}",
        f"- argument-checking lines: {stats['check_lines']:,} ({stats['check_share']:.1%})",
        f"- private `_check*` helpers: {stats['private_check_helpers']}",
        "- largest files: " + ", ".join(f"`{name}` {n:,}" for name, n in stats["largest"]),
        f"- chapter code: {chapters['visible_lines']:,} lines visible "
        f"({chapters['visible_cells']} cells), {chapters['hidden_lines']:,} hidden "
        f"({chapters['hidden_cells']} cells)",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--tree", action="store_true", help="list the modules, one line each")
    args = parser.parse_args(argv)
    if args.tree:
        for name, first in module_lines():
            print(f"{name:38} {first}")
        return 0
    stats, chapters = package_stats(), chapter_stats()
    if args.json:
        print(json.dumps({"package": stats, "chapters": chapters}, indent=1))
    else:
        print(report(stats, chapters))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
