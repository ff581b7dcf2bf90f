"""A small Sphinx extension the book's build uses (listed in ``_config.yml``).

It does three things:

1. **Fresh results.** Notebook outputs are cached by jupyter-cache between
   builds. The cache key is each notebook's code, so a change to ``vgp_lib``
   alone would leave stale outputs. At start-up we hash vgp_lib's sources, the
   pinned requirements and the build settings (Makefile, _config.yml); when the hash differs from the one stored beside
   the cache, the cache is wiped and every chapter is executed again.
2. **Offline math.** MathJax 3 is copied from the ``django-static-mathjax``
   distribution (installed from ``requirements-data.txt``) into ``_static`` so
   every page renders its math without a network.
3. **Clean pages.** It removes two console errors the theme's pages would
   otherwise raise (see :func:`_on_html_page_context`).
"""

from __future__ import annotations

import hashlib
import shutil
from importlib import metadata
from pathlib import Path

STAMP_NAME = "vgp_lib.sha256"
#: Parts of the MathJax ``es5`` tree the CHTML combined component may load.
MATHJAX_PARTS = ("tex-mml-chtml.js", "input", "output/chtml", "a11y", "ui", "sre", "adaptors")


def library_fingerprint(lib_dir: Path, extra_files=()) -> str:
    """SHA-256 over every ``.py`` file below ``lib_dir`` (path and content) and ``extra_files``."""
    h = hashlib.sha256()
    lib_dir = Path(lib_dir)
    named = [(str(p.relative_to(lib_dir)), p) for p in sorted(lib_dir.rglob("*.py")) if "__pycache__" not in p.parts]
    named += [(Path(f).name, Path(f)) for f in extra_files if Path(f).exists()]
    for name, path in named:
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def refresh_cache(cache_dir: Path, fingerprint: str) -> bool:
    """Wipe ``cache_dir`` unless it was filled with this library ``fingerprint``.

    Returns True when the cache was wiped (or did not exist), False when it is
    kept. The new fingerprint is stored beside the (now empty) cache.
    """
    cache_dir = Path(cache_dir)
    stamp = cache_dir / STAMP_NAME
    if stamp.exists() and stamp.read_text().strip() == fingerprint:
        return False
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
    cache_dir.mkdir(parents=True)
    stamp.write_text(fingerprint + "\n")
    return True


def mathjax_source() -> Path:
    """Directory of MathJax's ``es5`` build inside the installed django-static-mathjax."""
    try:
        dist = metadata.distribution("django-static-mathjax")
    except metadata.PackageNotFoundError:
        raise RuntimeError(
            "MathJax is missing: run `make book` (it installs requirements-data.txt), or "
            "`pip install --no-deps -r requirements-data.txt`"
        ) from None
    marker = next(f for f in dist.files if str(f).endswith("es5/tex-mml-chtml.js"))
    return Path(dist.locate_file(marker)).parent


def copy_mathjax(static_dir: Path) -> None:
    """Copy the parts of MathJax the site needs into ``static_dir/mathjax``."""
    src = mathjax_source()
    dest = Path(static_dir) / "mathjax"
    for part in MATHJAX_PARTS:
        s, d = src / part, dest / part
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def _on_config_inited(app, config) -> None:
    import vgp_lib

    lib_dir = Path(vgp_lib.__file__).parent
    root = Path(app.srcdir)
    fp = library_fingerprint(lib_dir, [root / n for n in ("requirements.txt", "pyproject.toml", "Makefile", "_config.yml")])
    cache_path = getattr(config, "nb_execution_cache_path", "") or str(root / "_build" / ".jupyter_cache")
    cache_dir = Path(cache_path)
    if not cache_dir.is_absolute():
        cache_dir = root / cache_dir
    if refresh_cache(cache_dir, fp):
        from sphinx.util import logging

        logging.getLogger(__name__).info("vgp_lib changed: notebook cache cleared, every chapter re-executes")


def _on_build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        copy_mathjax(Path(app.outdir) / "_static")


def _on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    """Two fixes to the theme's pages, so they load without console errors.

    * sphinx-thebe and sphinx-togglebutton register their inline configuration
      scripts twice under Jupyter Book 1.0.4 (``const THEBE_JS_URL`` declared
      twice is a SyntaxError in the browser): keep the first of identical scripts.
    * pydata-sphinx-theme reads its colour mode from ``default_mode``, which no
      one sets here; an empty mode is reported as an error. Use "light".
    """
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for script in scripts:
            attributes = getattr(script, "attributes", {})
            key = (getattr(script, "filename", None) or "", repr(sorted(attributes.items())))
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique
    if not context.get("default_mode"):
        context["default_mode"] = "light"


def setup(app):
    app.connect("html-page-context", _on_html_page_context, priority=900)
    app.connect("config-inited", _on_config_inited, priority=900)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
