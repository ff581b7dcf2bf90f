"""How a built chapter reads: words, numbers, statistics words and address to the reader.

Counts the *running text* of a chapter's HTML page: paragraphs and list items of the
article, leaving out figure captions, tables, code and outputs, exercises, solutions,
folded asides ("How sure are we?") and maths. For each page it reports

* ``words`` — words of running text;
* ``numbers_per_100`` — numerals (``0.25``, ``1,000``, ``80 %``, ``1e-5``) per 100 words;
* ``stats_per_1000`` — statistics words (percentile, median, seed, spread, standard
  error, ...) per 1,000 words;
* ``you_we_share`` — the share of sentences that speak to the reader (you, your, we,
  our, us, let's).

Run on a built site::

    python -m booktools.prose_stats _build/html chapters/circuits chapters/chain ...
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

#: Elements whose text is running text.
_TEXT_TAGS = {"p", "li"}
#: Classes of elements left out with everything inside them.
_SKIP_CLASSES = {
    "exercise",
    "solution",
    "dropdown",
    "cell_output",
    "cell_input",
    "math",
    "vgp-predict",
    "vgp-slider",
    "highlight",
    "toctree-wrapper",
    "footnote",
}
_SKIP_TAGS = {
    "figcaption",
    "table",
    "pre",
    "code",
    "script",
    "style",
    "figure",
    "nav",
    "header",
    "footer",
    "details",
    "aside",
}
_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source"}

_NUMBER = re.compile(r"(?<![\w.])[-−]?\d[\d,]*(?:\.\d+)?(?:e[-−+]?\d+)?\s?%?(?![\w])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")
STATS_WORDS = (
    "percentile",
    "percentiles",
    "median",
    "medians",
    "quartile",
    "quartiles",
    "seed",
    "seeds",
    "spread",
    "spreads",
    "standard error",
    "standard errors",
    "standard deviation",
    "standard deviations",
    "confidence",
    "significant",
    "significance",
    "p-value",
    "interquartile",
    "sample",
    "samples",
)
_STATS = re.compile(r"\b(" + "|".join(re.escape(w) for w in STATS_WORDS) + r")\b", re.I)
_READER = re.compile(r"\b(you|your|yours|yourself|we|our|ours|us|let's|let’s)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(“\"'])")


class _RunningText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.in_article = 0
        self.depth_text = 0
        self.blocks: list[str] = []
        self.current: list[str] = []

    def _skipped(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skip = tag in _SKIP_TAGS or bool(classes & _SKIP_CLASSES)
        if tag == "article" and "bd-article" in classes:
            self.in_article += 1
        if tag in _TEXT_TAGS and not self._skipped() and not skip and self.in_article:
            if self.depth_text == 0:
                self.current = []
            self.depth_text += 1
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == "article" and self.in_article:
                self.in_article -= 1
            if open_tag in _TEXT_TAGS and self.depth_text and not self._skipped():
                self.depth_text -= 1
                if self.depth_text == 0:
                    text = " ".join("".join(self.current).split())
                    if text:
                        self.blocks.append(text)
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.depth_text and not self._skipped():
            self.current.append(data)


def running_text(html: str) -> list[str]:
    """The running-text blocks (paragraphs, list items) of a built page's article."""
    parser = _RunningText()
    parser.feed(html)
    return parser.blocks


def measure(html: str) -> dict:
    """Words, numbers per 100 words, statistics words per 1,000 and the you/we share."""
    blocks = running_text(html)
    text = " ".join(blocks)
    words = len(_WORD.findall(text))
    numbers = len(_NUMBER.findall(text))
    stats = len(_STATS.findall(text))
    sentences = [s for b in blocks for s in _SENTENCE.split(b) if _WORD.search(s)]
    reader = sum(1 for s in sentences if _READER.search(s))
    return {
        "words": words,
        "numbers_per_100": round(100 * numbers / words, 1) if words else 0.0,
        "stats_per_1000": round(1000 * stats / words, 1) if words else 0.0,
        "you_we_share": round(100 * reader / len(sentences)) if sentences else 0,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site, e.g. _build/html")
    parser.add_argument("pages", nargs="+", help="pages without .html, e.g. chapters/chain")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = {p: measure((args.site / f"{p}.html").read_text(encoding="utf-8")) for p in args.pages}
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print("| page | words | numbers / 100 words | stats words / 1,000 | you/we sentences |")
    print("|---|---|---|---|---|")
    for page, r in rows.items():
        print(
            f"| {page} | {r['words']} | {r['numbers_per_100']} | {r['stats_per_1000']} "
            f"| {r['you_we_share']} % |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
