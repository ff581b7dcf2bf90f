"""Every {eval} value a built site shows, page by page, in document order.

Run it on a build before and after a change that must not alter what readers see::

    python -m booktools.site_values _build/html --out before.json
    python -m booktools.site_values _build/html --compare before.json
    python -m booktools.site_values _build/html --moved before.json   # moved, not lost?

``--compare`` prints each value that differs (page, position, before, after) and
exits 1 if any does. A value is the text of an inline expression's output in the page;
``tests/book/test_live.py`` reads them with :func:`page_values` too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

VALUE = re.compile(r'<span class="output text_plain">([^<]*)</span>')


def page_values(page) -> list[str]:
    """The {eval} values one built page shows, in document order."""
    return [v.strip() for v in VALUE.findall(Path(page).read_text(encoding="utf-8"))]


def site_values(html_dir) -> dict[str, list[str]]:
    """``{page: [value, ...]}`` for every page of ``html_dir/chapters``."""
    pages = sorted(Path(html_dir, "chapters").glob("*.html"))
    if not pages:
        raise ValueError(
            f"html_dir must hold a built site (chapters/*.html), got {str(html_dir)!r}"
        )
    return {p.stem: page_values(p) for p in pages}


def differences(before: dict, after: dict) -> list[str]:
    """One line per page or value that is not the same in ``after`` as in ``before``."""
    out = []
    for page in sorted(set(before) | set(after)):
        b, a = before.get(page), after.get(page)
        if b is None or a is None:
            out.append(f"{page}: only {'after' if b is None else 'before'}")
            continue
        if len(a) != len(b):
            out.append(f"{page}: {len(b)} values before, {len(a)} after")
        out += [f"{page} #{i}: {x!r} -> {y!r}" for i, (x, y) in enumerate(zip(b, a)) if x != y]
    return out


def page_text(page) -> str:
    """Everything a reader can read on a built page: its text with the tags removed, and
    the alt text of its images."""
    import html as _html

    raw = Path(page).read_text(encoding="utf-8")
    alts = re.findall(r'\balt="([^"]*)"', raw)
    raw = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", raw, flags=re.S)
    return _html.unescape(re.sub(r"<[^>]+>", " ", raw) + "\n" + "\n".join(alts))


def lost(before: dict, html_dir) -> list[str]:
    """Values of ``before`` that the site in ``html_dir`` no longer shows on the same page
    (in prose, a table, a caption, an output or an alt text). A rewrite may move a value; it
    may not lose it."""
    out = []
    for page, values in sorted(before.items()):
        path = Path(html_dir, "chapters", f"{page}.html")
        if not path.is_file():
            out.append(f"{page}: page gone")
            continue
        text = " ".join(page_text(path).split())
        out += [f"{page}: {v!r}" for v in dict.fromkeys(values) if v and v not in text]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", type=Path)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the values to this JSON file")
    group.add_argument("--compare", type=Path, help="compare with the values in this JSON file")
    group.add_argument(
        "--moved", type=Path, help="list the values in this JSON file the site no longer shows"
    )
    args = parser.parse_args(argv)
    if args.moved:
        before = json.loads(args.moved.read_text(encoding="utf-8"))
        gone = lost(before, args.html_dir)
        n = sum(len(dict.fromkeys(v)) for v in before.values())
        print("\n".join(gone) if gone else f"all {n} distinct values still shown on their pages")
        return 1 if gone else 0
    values = site_values(args.html_dir)
    total = sum(map(len, values.values()))
    if args.out:
        args.out.write_text(
            json.dumps(values, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"{total} values on {len(values)} pages written to {args.out}")
        return 0
    diff = differences(json.loads(args.compare.read_text(encoding="utf-8")), values)
    print("\n".join(diff) if diff else f"all {total} values on {len(values)} pages are identical")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
