"""How the code is being run: live in Jupyter, or while the static site is built.

``make book`` sets ``VGP_STATIC_BUILD=1``. Then widgets show nothing instead
of a view that would be dead without a kernel, and progress bars are switched
off so the HTML stays clean. Nothing else changes: the numbers the
site shows are computed by exactly the code a live reader runs.
"""

from __future__ import annotations

import os


def static_build() -> bool:
    """True while ``make book`` builds the static site."""
    return os.environ.get("VGP_STATIC_BUILD", "") not in ("", "0")


def progress(iterable, **kwargs):
    """Wrap ``iterable`` in a ``tqdm.auto`` progress bar for interactive readers.

    The bar is disabled during the static build (and when ``disable=True``).
    """
    from tqdm.auto import tqdm

    kwargs["disable"] = kwargs.get("disable", False) or static_build()
    return tqdm(iterable, **kwargs)


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
