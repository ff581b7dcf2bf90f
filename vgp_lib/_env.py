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
