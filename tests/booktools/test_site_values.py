"""booktools/site_values.py: the script that shows a change left every number of the site alone."""

from __future__ import annotations

import json

import pytest

from booktools import site_values as sv


def _page(tmp_path, name, values):
    folder = tmp_path / "chapters"
    folder.mkdir(exist_ok=True)
    spans = "".join(f'<p>x <span class="output text_plain">{v}</span></p>' for v in values)
    (folder / f"{name}.html").write_text(f"<html><body>{spans}</body></html>")


def test_values_are_read_in_document_order(tmp_path):
    _page(tmp_path, "a", ["1.5", " 2 ", "0.004"])
    assert sv.site_values(tmp_path) == {"a": ["1.5", "2", "0.004"]}


def test_compare_names_every_changed_value_and_exits_1(tmp_path, capsys):
    _page(tmp_path, "a", ["1.5", "2"])
    before = tmp_path / "before.json"
    before.write_text(json.dumps({"a": ["1.5", "3"], "gone": ["7"]}))
    assert sv.main([str(tmp_path), "--compare", str(before)]) == 1
    out = capsys.readouterr().out
    assert "a #1: '3' -> '2'" in out and "gone: only before" in out
    assert sv.main([str(tmp_path), "--out", str(before)]) == 0
    assert sv.main([str(tmp_path), "--compare", str(before)]) == 0


def test_a_folder_without_pages_is_refused(tmp_path):
    with pytest.raises(ValueError, match="html_dir"):
        sv.site_values(tmp_path)
