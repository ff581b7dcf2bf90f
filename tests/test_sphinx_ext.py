"""Build helpers: launch buttons open the live notebook; MathJax is local."""

from booktools import sphinx_ext


def test_launch_url_points_at_the_live_notebook():
    url = "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/chapters/mnist.md"
    assert sphinx_ext.live_launch_url(url, "chapters/mnist").endswith(
        "urlpath=lab/tree/notebooks/mnist.ipynb"
    )
    hub = "https://hub/hub/user-redirect/git-pull?repo=x&urlpath=lab/tree/r/chapters/mnist.md&branch=main"
    assert sphinx_ext.live_launch_url(hub, "chapters/mnist") == hub.replace(
        "r/chapters/mnist.md", "r/notebooks/mnist.ipynb"
    )
    # another page's URL, or one without a urlpath, is left alone
    assert sphinx_ext.live_launch_url(url, "chapters/chain") == url
    assert (
        sphinx_ext.live_launch_url("https://example.org/x", "chapters/mnist")
        == "https://example.org/x"
    )


def test_mathjax_is_installed_and_copied(tmp_path):
    src = sphinx_ext.mathjax_source()
    assert (src / "tex-mml-chtml.js").exists()
    sphinx_ext.copy_mathjax(tmp_path)
    assert (tmp_path / "mathjax" / "tex-mml-chtml.js").exists()
    assert any((tmp_path / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
