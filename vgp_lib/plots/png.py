"""Two drawings of a figure in one PNG file: the phone's travels inside the desktop's.

A PNG is a signature and a list of chunks. :func:`with_phone` adds the phone drawing to
the desktop drawing as a compressed text chunk (:data:`~vgp_lib.plots.style.PHONE_KEY`,
base64), so a notebook output holds one image; :func:`split_drawings` takes the two apart
again for the site (``booktools/sphinx_figures.py``).
"""

from __future__ import annotations

import base64
import struct
import zlib

from .style import PHONE_KEY

#: Called by the house style and the site's build, not by a chapter or a reader.
__all__: list[str] = []

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def with_phone(desktop: bytes, phone: bytes) -> bytes:
    """The PNG ``desktop`` carrying the PNG ``phone`` in a compressed text chunk
    (:data:`PHONE_KEY`, base64): one image for a notebook, two for the site."""
    for name, data in (("desktop", desktop), ("phone", phone)):
        if not isinstance(data, bytes) or not data.startswith(PNG_SIGNATURE):
            raise TypeError(f"{name} must be the bytes of a PNG image, got {type(data).__name__}")
    body = PHONE_KEY.encode("latin-1") + b"\0\0" + zlib.compress(base64.b64encode(phone), 9)
    chunks = [c for c in png_chunks(desktop) if not _is_phone_chunk(c)]
    chunks.insert(len(chunks) - 1, (b"zTXt", body))  # before IEND
    return PNG_SIGNATURE + b"".join(png_chunk(kind, body) for kind, body in chunks)


def split_drawings(data: bytes) -> tuple[bytes, bytes | None]:
    """The desktop PNG of ``data`` without its :data:`PHONE_KEY` chunk, and the phone PNG it
    carried (None if it carries none)."""
    if not isinstance(data, bytes) or not data.startswith(PNG_SIGNATURE):
        raise TypeError(f"data must be the bytes of a PNG image, got {type(data).__name__}")
    chunks = png_chunks(data)
    phone = next((c for c in chunks if _is_phone_chunk(c)), None)
    if phone is None:
        return data, None
    desktop = PNG_SIGNATURE + b"".join(
        png_chunk(kind, body) for kind, body in chunks if not _is_phone_chunk((kind, body))
    )
    text = phone[1][len(PHONE_KEY) + 2 :]
    return desktop, base64.b64decode(zlib.decompress(text))


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _is_phone_chunk(chunk) -> bool:
    kind, body = chunk
    return kind == b"zTXt" and body.startswith(PHONE_KEY.encode("latin-1") + b"\0")
