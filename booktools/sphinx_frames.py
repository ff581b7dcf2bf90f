"""Sphinx extension: slider frames become image files, so a page carries no frame bytes.

A slider (:func:`vgp_lib.plots.scrub.slider`) carries its frames as data URIs: that
is what a notebook needs. On the site each chapter would then weigh every frame of
every slider. While the HTML is written (``doctree-resolved``, html builders only),
this extension finds each slider in the page's raw HTML outputs (myst-nb puts a
``text/html`` output in a ``raw`` node), writes every frame once to
``_images/vgp-slider-<sha256>.<ext>`` in the output folder and puts a URL relative to
the page in its place: in the frame lists (``frames``, and ``phone``, the frames drawn
for a phone's column), in the ``<img>`` and in the phone's ``<source srcset>``. The
slider's script then loads a frame only when the slider reaches it (and prefetches its
neighbours).

Listed under ``sphinx: local_extensions`` in ``_config.yml``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

#: Folder of the output (relative to its root) the frames are written to.
IMAGES_DIR = "_images"
_DATA_SCRIPT = re.compile(
    r'(<script type="application/json" class="vgp-slider-data">)(.*?)(</script>)', re.DOTALL
)
_EXTENSIONS = {"image/png": "png", "image/webp": "webp", "image/jpeg": "jpg"}
_DATA_URI = re.compile(r"^data:(image/[a-z]+);base64,([A-Za-z0-9+/=]+)$")


def frame_file(uri: str) -> tuple[str, bytes]:
    """File name (content-hashed) and bytes of a frame given as a data URI."""
    match = _DATA_URI.match(uri)
    if match is None or match.group(1) not in _EXTENSIONS:
        raise ValueError(
            f"uri must be a base64 data URI of a PNG, WebP or JPEG frame, got {uri[:40]!r}"
        )
    data = base64.b64decode(match.group(2))
    name = f"vgp-slider-{hashlib.sha256(data).hexdigest()[:20]}.{_EXTENSIONS[match.group(1)]}"
    return name, data


def externalise(html: str, page_dir: str, write: Callable[[str, bytes], None]) -> str:
    """Replace every slider frame in ``html`` by a URL; ``write(name, data)`` stores the file.

    ``page_dir`` is the folder of the page relative to the output root (``""`` for a
    page at the root, ``"chapters"`` for ``chapters/chain.html``); the URLs point from
    there to ``_images/<name>``. HTML without sliders comes back unchanged.
    """
    if not isinstance(html, str):
        raise TypeError(f"html must be str, got {type(html).__name__}")
    if not isinstance(page_dir, str):
        raise TypeError(f"page_dir must be a folder path (str), got {type(page_dir).__name__}")

    urls: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        payload = json.loads(match.group(2))
        for key in ("frames", "phone"):
            for uri in payload.get(key, ()):
                if uri.startswith("data:") and uri not in urls:
                    name, data = frame_file(uri)
                    write(name, data)
                    urls[uri] = posixpath.relpath(f"{IMAGES_DIR}/{name}", page_dir or ".")
            if key in payload:
                payload[key] = [urls.get(uri, uri) for uri in payload[key]]
        text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return match.group(1) + text + match.group(3)

    html = _DATA_SCRIPT.sub(replace, html)
    for uri, url in urls.items():  # the <img> and <source> show the opening frame
        html = html.replace(f'src="{uri}"', f'src="{url}"')
        html = html.replace(f'srcset="{uri}"', f'srcset="{url}"')
    return html


def image_writer(out: Path) -> Callable[[str, bytes], None]:
    """``write(name, data)``: store an image once in the folder ``out`` (content-named
    files: one already there is the same image)."""

    def write(name: str, data: bytes) -> None:
        path = out / name
        if not path.exists():
            out.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    return write


def _on_doctree_resolved(app, doctree, docname) -> None:
    from docutils import nodes

    if app.builder.format != "html":
        return
    target = app.builder.get_target_uri(docname)
    page_dir = posixpath.dirname(target)
    write = image_writer(Path(app.outdir) / IMAGES_DIR)

    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split() or "vgp-slider-data" not in node.astext():
            continue
        text = externalise(node.astext(), page_dir, write)
        new = nodes.raw(node.rawsource, text, **node.attributes)
        node.replace_self(new)


def setup(app):
    app.connect("doctree-resolved", _on_doctree_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
