"""Sphinx extension: a figure drawn for the phone is served to phones, and images load lazily.

:func:`vgp_lib.plots.display.show` displays one PNG, the figure drawn for the desktop column,
which carries the same figure drawn for a phone's column in a compressed text chunk
(``vgp:phone``): a notebook, JupyterLab and myst-nb's ``mystnb: figure:`` and ``image: alt:``
metadata see one ordinary ``image/png`` output. While the HTML is written
(``doctree-resolved``, html builders only) this extension replaces each such image by::

    <picture class="vgp-figure">
      <source media="(max-width: 640px)" srcset="../_images/<hash>-phone.png"
              width="342" height="...">
      <img src="../_images/<hash>.png" alt="..." class="..." width="672" height="..."
           loading="lazy" decoding="async" style="max-width:100%;height:auto;">
    </picture>

writing both files itself: the desktop PNG without the chunk (a desktop reader
downloads no phone bytes), and each quantised to a palette PNG as slider frames are
(:func:`vgp_lib.plots.scrub.compress_png`: about a third of the bytes, text chunks kept).
The node's alt text and classes go to the ``<img>``; the figure around it (number,
caption, label) is untouched. Every other image of a page gets
``loading="lazy"`` too. Listed under ``sphinx: local_extensions`` in ``_config.yml``.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import struct
from collections.abc import Callable
from pathlib import Path

from booktools.sphinx_frames import IMAGES_DIR, image_writer


def picture(
    data: bytes, *, alt: str, classes: list[str], page_dir: str, write: Callable
) -> str | None:
    """The ``<picture>`` markup for a PNG that carries its phone drawing, or None if it
    carries none. ``write(name, data)`` stores each file under ``_images/``; the URLs point
    there from ``page_dir``, the page's folder relative to the output root."""
    from vgp_lib.plots.png import split_drawings
    from vgp_lib.plots.scrub import compress_png
    from vgp_lib.plots.style import PHONE_MEDIA, RESOLUTION

    if not isinstance(data, bytes):
        raise TypeError(f"data must be the bytes of a PNG image, got {type(data).__name__}")
    desktop, phone = split_drawings(data)
    if phone is None:
        return None
    name = hashlib.sha256(desktop).hexdigest()
    desktop, phone = compress_png(desktop), compress_png(phone)
    urls = {}
    for suffix, content in (("", desktop), ("-phone", phone)):
        write(f"{name}{suffix}.png", content)
        urls[suffix] = posixpath.relpath(f"{IMAGES_DIR}/{name}{suffix}.png", page_dir or ".")
    (width, height), (phone_width, phone_height) = (
        [round(v / RESOLUTION) for v in png_size(png)] for png in (desktop, phone)
    )
    esc = html.escape
    css = f' class="{esc(" ".join(classes))}"' if classes else ""
    return (
        '<picture class="vgp-figure">'
        f'<source media="{PHONE_MEDIA}" srcset="{esc(urls["-phone"])}" '
        f'width="{phone_width}" height="{phone_height}">'
        f'<img src="{esc(urls[""])}" alt="{esc(alt)}"{css} width="{width}" height="{height}" '
        'loading="lazy" decoding="async" style="max-width:100%;height:auto;"></picture>'
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG (from its header)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        raise ValueError("data must be the bytes of a PNG image")
    return struct.unpack(">II", data[16:24])


def _on_doctree_resolved(app, doctree, docname) -> None:
    from docutils import nodes

    if app.builder.format != "html":
        return
    page_dir = posixpath.dirname(app.builder.get_target_uri(docname))
    write = image_writer(Path(app.outdir) / IMAGES_DIR)

    for node in list(doctree.findall(nodes.image)):
        # Sphinx's image collector gives the file relative to the source folder
        path = Path(app.srcdir, node.get("candidates", {}).get("*") or node["uri"].lstrip("/"))
        markup = None
        if path.suffix == ".png" and path.is_file():
            markup = picture(
                path.read_bytes(),
                alt=node.get("alt", ""),
                classes=list(node.get("classes", []))
                + ([f"align-{node['align']}"] if node.get("align") else []),
                page_dir=page_dir,
                write=write,
            )
        if markup is None:
            node["loading"] = "lazy"  # docutils writes it as the HTML attribute
            continue
        node.replace_self(nodes.raw("", markup, format="html"))


def setup(app):
    app.connect("doctree-resolved", _on_doctree_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
