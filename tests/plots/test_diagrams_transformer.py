"""The transformer block's diagram draws the block it is given: read the drawing back and
compare it with the block (where layer norm sits, the stream, alpha, c)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch

from vgp_lib.plots import diagrams, figure
from vgp_lib.plots.display import drawings, png_bytes
from vgp_lib.plots.legibility import smallest_text_pt
from vgp_lib.plots.style import MIN_TEXT_PT, PHONE_IN
from vgp_lib.transformer import LAYOUTS, build_transformer

from .test_diagrams import _by_gid, _texts, _value


def _block(layout, depth=3, **kw):
    return build_transformer(depth=depth, layout=layout, width=8, heads=2, seed=0, **kw).blocks[0]


def _centre(patch):
    """The centre of a box, in data units."""
    box = patch.get_bbox()
    return (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2


def _stream(ax):
    """x of the stream, and the (bottom, top, colour) of each of its stretches, bottom first."""
    lines = [
        line
        for gid, found in _by_gid(ax, Line2D).items()
        if gid.startswith("stream")
        for line in found
    ]
    xs = {float(x) for line in lines for x in line.get_xdata()}
    assert len(xs) == 1  # one vertical line
    stretches = sorted(
        (min(line.get_ydata()), max(line.get_ydata()), line.get_gid(), line.get_color())
        for line in lines
    )
    return xs.pop(), stretches


def _sums(ax):
    found = _by_gid(ax)
    return [found[f"sum-{k}"][0].center for k in (1, 2)]


def _norms(ax):
    found = _by_gid(ax)
    return [
        next(a for a in found[f"norm-{k}"] if isinstance(a, FancyBboxPatch))
        for k in (1, 2)
        if f"norm-{k}" in found
    ]


def _junctions(ax):
    """Where each branch leaves the stream: the dots on it."""
    x, _ = _stream(ax)
    dots = [p for p in ax.patches if isinstance(p, Circle) and p.radius < 0.1]
    return sorted(p.center[1] for p in dots if abs(p.center[0] - x) < 1e-9)


@pytest.mark.parametrize("layout", ["post", "deepnorm"])
def test_post_ln_puts_the_norms_on_the_stream_after_each_sum_and_cuts_the_identity(layout):
    block = _block(layout)
    ax = diagrams.plot_transformer_block(block)
    x, stretches = _stream(ax)
    sums, norms, junctions = _sums(ax), _norms(ax), _junctions(ax)
    assert len(norms) == 2 and len(junctions) == 2
    for k, (sum_xy, norm) in enumerate(zip(sums, norms)):
        nx, ny = _centre(norm)
        assert nx == pytest.approx(x)  # on the stream
        following = junctions[k + 1] if k + 1 < len(junctions) else np.inf
        assert sum_xy[1] < ny < following  # after the sum, before the next branch leaves
        # the stretch through the norm is drawn as cut, not in the identity colour
        (cut,) = [s for s in stretches if s[0] <= ny <= s[1]]
        assert cut[2] == f"stream-cut-{k + 1}" and cut[3] != "C3"
        assert "cut" in _texts(ax)[f"identity-{k + 1}"]
    # identity stretches run from each junction (or the bottom) up to the next sum, in C3
    identity = [s for s in stretches if s[2] == "stream"]
    assert len(identity) == 2 and all(s[3] == "C3" for s in identity)
    for (bottom, top, *_), sum_xy, y0 in zip(identity, sums, junctions):
        assert bottom <= y0 and top == pytest.approx(sum_xy[1])
    assert identity[1][0] == pytest.approx(junctions[1])  # resumes where the MLP branch leaves
    assert _texts(ax)["norm-1"] == "layer norm"


@pytest.mark.parametrize("layout", ["pre", "rezero"])
def test_pre_ln_and_rezero_keep_one_unbroken_identity_line(layout):
    ax = diagrams.plot_transformer_block(_block(layout))
    x, stretches = _stream(ax)
    assert len(stretches) == 1 and stretches[0][2] == "stream" and stretches[0][3] == "C3"
    bottom, top = stretches[0][:2]
    for _sx, sy in _sums(ax):  # both sums sit on the one line
        assert bottom < sy < top
    assert all("kept" in _texts(ax)[f"identity-{k}"] for k in (1, 2))
    assert not any(gid.startswith("stream-cut") for gid in _by_gid(ax))


def test_pre_ln_puts_each_norm_inside_its_branch_before_the_branch():
    ax = diagrams.plot_transformer_block(_block("pre"))
    x, _ = _stream(ax)
    found = _by_gid(ax, FancyBboxPatch)
    for norm, y0, branch in zip(_norms(ax), _junctions(ax), ("attention", "mlp")):
        nx, ny = _centre(norm)
        bx, by = _centre(found[f"branch-{branch}"][0])
        assert ny == pytest.approx(y0)  # on the leg from the stream to the branch
        assert x < nx < bx and ny < by  # off the stream, before the branch's box


def test_rezero_shows_alpha_and_no_norm():
    block = _block("rezero")
    texts = _texts(diagrams.plot_transformer_block(block))
    assert not any(gid.startswith("norm") for gid in texts)
    for k in (1, 2):
        assert _value(texts[f"alpha-{k}"].split("=")[1].strip()) == 0.0
    with torch.no_grad():
        block.alpha.fill_(-0.0371)
    texts = _texts(diagrams.plot_transformer_block(block))
    assert _value(texts["alpha-2"].split("=")[1].strip()) == pytest.approx(-0.037)


@pytest.mark.parametrize("depth", [1, 6, 24])
def test_deepnorm_shows_c_of_its_depth(depth):
    texts = _texts(diagrams.plot_transformer_block(_block("deepnorm", depth=depth)))
    for k in (1, 2):
        c = _value(texts[f"stream-weight-{k}"].split("=")[1].strip())
        assert c == pytest.approx((2 * depth) ** 0.25, abs=0.051 if depth < 3 else 0.51)
        assert c == float(f"{(2 * depth) ** 0.25:.2g}")
    assert not any(
        gid.startswith("stream-weight")
        for gid in _texts(diagrams.plot_transformer_block(_block("post")))
    )


def test_labels_come_from_the_block():
    block = build_transformer(depth=2, layout="pre", width=12, heads=3, seed=1).blocks[1]
    ax = diagrams.plot_transformer_block(block)
    texts = _texts(ax)
    assert texts["branch-attention"] == "attention (3 heads)\nmixes positions"
    assert (
        texts["branch-mlp"]
        == "MLP 12\N{RIGHTWARDS ARROW}48\N{RIGHTWARDS ARROW}12\neach position alone"
    )
    assert texts["input"] == "residual stream, 12 per position"
    assert texts["title"] == "pre-LN"


def test_blocks_side_by_side_have_their_layouts_titles():
    axes = diagrams.plot_transformer_blocks([_block("post"), _block("pre")])
    assert [_texts(ax)["title"] for ax in axes] == ["post-LN (original)", "pre-LN"]
    assert len(_norms(axes[0])) == len(_norms(axes[1])) == 2


def test_every_layout_passes_the_house_checks_at_both_widths():
    for layout in LAYOUTS:
        ax = diagrams.plot_transformer_block(_block(layout))
        assert smallest_text_pt(ax.figure) >= MIN_TEXT_PT
        data, width = png_bytes(ax.figure)  # raises on small text, clashes, text cut off
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and width == 672
    axes = diagrams.plot_transformer_blocks([_block("post"), _block("pre")])
    both = drawings(axes[0].figure)  # the phone's drawing: the panels one under another
    assert both.width == 672 and both.phone_width == 342
    assert both.phone_height > both.height
    fig, given = figure(1, 2, height=4.65)
    assert (
        diagrams.plot_transformer_blocks([_block("rezero"), _block("deepnorm")], given) is not None
    )
    png_bytes(fig)


def test_the_phone_drawing_stacks_the_panels():
    from vgp_lib.plots.phone import phone_copy

    axes = diagrams.plot_transformer_blocks([_block("post"), _block("pre")])
    phone = phone_copy(axes[0].figure, None)
    assert phone.get_figwidth() == pytest.approx(PHONE_IN)
    (top, bottom) = phone.axes
    assert top.get_position().y0 > bottom.get_position().y1
    assert [_texts(ax)["title"] for ax in phone.axes] == ["post-LN (original)", "pre-LN"]


@pytest.mark.parametrize(
    "call, name, error",
    [
        (lambda: diagrams.plot_transformer_block(torch.nn.Linear(3, 3)), "block", TypeError),
        (lambda: diagrams.plot_transformer_blocks(_block("pre")), "blocks", TypeError),
        (lambda: diagrams.plot_transformer_blocks([]), "blocks", ValueError),
        (lambda: diagrams.plot_transformer_blocks([_block("pre")] * 3), "blocks", ValueError),
        (lambda: diagrams.plot_transformer_blocks([_block("pre"), "post"]), "blocks", TypeError),
        (
            lambda: diagrams.plot_transformer_blocks([_block("pre"), _block("post")], axes="x"),
            "axes",
            TypeError,
        ),
    ],
)
def test_bad_input_names_the_parameter(call, name, error):
    with pytest.raises(error, match=name):
        call()
