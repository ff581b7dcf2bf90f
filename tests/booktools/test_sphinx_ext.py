"""Build helpers: launch buttons open the live notebook; MathJax is local."""

import pytest

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
    assert (src / "startup.js").exists()
    sphinx_ext.copy_mathjax(tmp_path)
    for component in sphinx_ext.MATHJAX_COMPONENTS:
        assert (tmp_path / "mathjax" / component).exists(), component
    font = tmp_path / "mathjax" / "fonts" / sphinx_ext.MATHJAX_FONT
    assert (font / "chtml.js").exists() and any((font / "chtml" / "woff2").glob("*.woff2"))
    # the pinned version (package-lock.json) is the one installed
    assert '"version": "4.1.3"' in (src / "package.json").read_text()


def test_mathjax_missing_says_how_to_install_it(tmp_path):
    with pytest.raises(RuntimeError, match="npm ci"):
        sphinx_ext.mathjax_source(tmp_path)
