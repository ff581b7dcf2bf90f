"""Build helpers: the notebook cache is wiped when vgp_lib changes; MathJax is local."""

from vgp_lib import sphinx_ext


def test_fingerprint_changes_with_library_source(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "a.py").write_text("x = 1\n")
    req = tmp_path / "requirements.txt"
    req.write_text("numpy==2.4.6\n")
    first = sphinx_ext.library_fingerprint(lib, [req])
    assert sphinx_ext.library_fingerprint(lib, [req]) == first
    (lib / "a.py").write_text("x = 2\n")
    second = sphinx_ext.library_fingerprint(lib, [req])
    assert second != first
    req.write_text("numpy==2.4.5\n")
    assert sphinx_ext.library_fingerprint(lib, [req]) != second
    (lib / "sub").mkdir()
    (lib / "sub" / "b.py").write_text("")
    assert sphinx_ext.library_fingerprint(lib, [req]) != second


def test_refresh_cache_keeps_a_matching_cache_and_wipes_a_stale_one(tmp_path):
    cache = tmp_path / "cache"
    assert sphinx_ext.refresh_cache(cache, "aaa")  # created
    (cache / "executed.db").write_text("results")
    assert not sphinx_ext.refresh_cache(cache, "aaa")  # same library: kept
    assert (cache / "executed.db").exists()
    assert sphinx_ext.refresh_cache(cache, "bbb")  # library changed: wiped
    assert not (cache / "executed.db").exists()
    assert (cache / sphinx_ext.STAMP_NAME).read_text().strip() == "bbb"


def test_mathjax_is_installed_and_copied(tmp_path):
    src = sphinx_ext.mathjax_source()
    assert (src / "tex-mml-chtml.js").exists()
    sphinx_ext.copy_mathjax(tmp_path)
    assert (tmp_path / "mathjax" / "tex-mml-chtml.js").exists()
    assert any((tmp_path / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
