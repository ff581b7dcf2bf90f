"""What a chapter imports for its page: the size of its experiments, its figures, its code.

Every chapter's first cell takes what it needs from here:

* :func:`quick_mode` — run the long experiments at a smaller size (``VGP_QUICK=1``);
* :func:`figure` and :func:`show` — a figure of the column's width, and the figure on
  the page (checked by the house style, drawn for the desktop and for a phone);
* :func:`slider` — a figure with a slider that works in the static page, no kernel;
* :func:`show_source` — a library function's code on the page, without its docstring.

The computations, plots and widgets themselves come from their own modules
(``from vgp_lib import chain``, ``from vgp_lib.plots.chain import plot_routes``, ...).
"""

from __future__ import annotations

import os

from .plots.display import show
from .plots.scrub import slider
from .plots.style import figure

__all__ = ["figure", "quick_mode", "show", "show_source", "slider"]


def quick_mode() -> bool:
    """True when ``VGP_QUICK=1``: chapters shrink their long experiments.

    Two places run the chapters at this smaller size. The live notebooks (Binder's
    launch buttons, ``make notebooks``) open with a visible cell that sets it, so that
    *Run All* takes about a minute on one CPU; the reader can set ``FULL_SIZE = True``
    there to run the page's size. The test suite executes every chapter's notebook in a
    fresh kernel (student and instructor editions) with it set, so expensive experiments
    (many seeds, many epochs on MNIST) run in a reduced size there too. The book build
    never sets it: the site always shows the full experiments.
    """
    return os.environ.get("VGP_QUICK", "") not in ("", "0")


def show_source(function) -> None:
    """Display the source of ``function`` as a highlighted code block, without its docstring.

    The prose around it says what the docstring says; the reader sees only the code.
    """
    from IPython.display import Markdown, display

    if not callable(function):
        raise TypeError(f"function must be a function or class, got {type(function).__name__}")
    display(Markdown("```python\n" + _printed_source(function) + "\n```"))


def _printed_source(function) -> str:
    """The code :func:`show_source` prints: the source of ``function`` less its docstring."""
    import ast
    import inspect
    import textwrap

    source = textwrap.dedent(inspect.getsource(function))
    node = ast.parse(source).body[0]
    lines = source.splitlines()
    body = getattr(node, "body", [])
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(getattr(body[0], "value", None), ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        del lines[body[0].lineno - 1 : body[0].end_lineno]
    return "\n".join(lines).rstrip()
