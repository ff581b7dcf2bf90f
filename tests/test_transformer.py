"""Deep transformers: the layouts' structure, their gradients at initialisation, the stream's
growth, and warmup (the last one trains, so it is marked slow)."""

import math

import numpy as np
import pytest
import torch

from vgp_lib import transformer as tf

SEEDS = (0, 1, 2, 3, 4)


def test_sort_batch_is_sorted_and_seeded():
    x, y = tf.sort_batch(50, length=6, vocab=7, seed=3)
    assert torch.equal(y, torch.sort(x, dim=1).values)
    assert int(x.max()) < 7 and int(x.min()) >= 0
    assert torch.equal(x, tf.sort_batch(50, length=6, vocab=7, seed=3)[0])


def _zero_branches(model):
    with torch.no_grad():
        for block in model.blocks:
            block.attention.out.weight.zero_()
            block.mlp[2].weight.zero_()


@pytest.mark.parametrize("layout", tf.LAYOUTS)
def test_only_pre_ln_and_rezero_keep_the_identity_path(layout):
    """With every branch's output zero, a pre-LN or ReZero stack passes the stream through
    unchanged; post-LN divides it by its spread at every block, so the identity is gone."""
    model = tf.build_transformer(depth=3, layout=layout, width=16, heads=2, seed=0)
    _zero_branches(model)
    x = tf.sort_batch(4, seed=1)[0]
    stream = model.stream(x)
    same = torch.allclose(stream[-1], stream[0], atol=1e-12)
    assert same == (layout in ("pre", "rezero"))
    if layout in ("post", "deepnorm"):  # each entry's row normalised: mean 0, variance 1
        last = stream[-1]
        assert torch.allclose(last.mean(-1), torch.zeros(()).double(), atol=1e-10)
        assert torch.allclose(last.var(-1, unbiased=False), torch.ones(()).double(), atol=1e-4)


def test_deepnorm_weights_the_stream_and_shrinks_the_branches():
    n = 6
    deep = tf.build_transformer(depth=n, layout="deepnorm", width=16, heads=2, seed=0)
    post = tf.build_transformer(depth=n, layout="post", width=16, heads=2, seed=0)
    assert deep.blocks[0].stream_weight == pytest.approx((2 * n) ** 0.25)
    beta = (8 * n) ** -0.25
    w_deep, w_post = deep.blocks[2].mlp[2].weight, post.blocks[2].mlp[2].weight
    assert torch.allclose(w_deep, beta * w_post)  # same draws, scaled
    q = 16  # the queries are not scaled, the values are
    assert torch.equal(
        deep.blocks[0].attention.qkv.weight[:q], post.blocks[0].attention.qkv.weight[:q]
    )


def test_block_gradient_norms_match_a_finite_difference():
    """The norm over a block's parameters is that of the gradient autograd computes: check
    the gradient itself along a random direction against a central difference (float64)."""
    model = tf.build_transformer(depth=3, layout="post", width=16, heads=2, seed=2)
    x, y = tf.sort_batch(8, seed=5)
    norms = tf.block_gradient_norms(model, x, y)
    block = model.blocks[1]
    params = list(block.parameters())
    grads = [p.grad.clone() for p in params]
    assert norms[1] == pytest.approx(math.sqrt(sum(float((g**2).sum()) for g in grads)))
    gen = torch.Generator().manual_seed(0)
    direction = [torch.randn(p.shape, generator=gen, dtype=p.dtype) for p in params]
    h = 1e-6

    def loss_at(t):
        with torch.no_grad():
            for p, d in zip(params, direction):
                p.add_(t * d)
            out = float(tf._loss(model, x, y))
            for p, d in zip(params, direction):
                p.sub_(t * d)
        return out

    numeric = (loss_at(h) - loss_at(-h)) / (2 * h)
    analytic = sum(float((g * d).sum()) for g, d in zip(grads, direction))
    assert numeric == pytest.approx(analytic, rel=1e-6)


def test_post_ln_is_top_heavy_and_pre_ln_bottom_heavy_for_every_seed():
    """At initialisation post-LN's gradient is larger near the output than pre-LN's, relative
    to the bottom block, for every seed and both depths."""
    for depth in (6, 16):
        post = tf.init_profile(depth, "post", seeds=SEEDS, width=32, batch=32)
        pre = tf.init_profile(depth, "pre", seeds=SEEDS, width=32, batch=32)
        assert (post.top_over_bottom > pre.top_over_bottom).all()
        assert (pre.top_over_bottom < 1).all()
        assert np.median(post.top_over_bottom) > 0.8


def test_pre_ln_top_gradient_shrinks_with_depth_and_post_ln_does_not():
    """Xiong et al.: pre-LN's gradient near the output scales like 1/sqrt(depth), post-LN's
    does not depend on depth."""
    top = {
        (layout, depth): np.median(
            tf.init_profile(depth, layout, seeds=SEEDS, width=32, batch=32).block_grad[:, -1]
        )
        for layout in ("post", "pre")
        for depth in (4, 16)
    }
    pre_ratio = top["pre", 16] / top["pre", 4]
    post_ratio = top["post", 16] / top["post", 4]
    assert 0.35 < pre_ratio < 0.7  # 1/sqrt(4) = 0.5
    assert post_ratio > 0.8


def test_post_ln_output_moves_more_with_depth_under_a_fixed_step():
    """Liu et al.'s amplification: when every parameter moves by ±1e-3, the output of
    post-LN changes more as depth grows, and more than pre-LN's."""
    change = {
        (layout, depth): np.median(
            tf.init_profile(depth, layout, seeds=SEEDS, width=32, batch=32).output_change
        )
        for layout in ("post", "pre")
        for depth in (3, 24)
    }
    assert change["post", 24] > 1.5 * change["post", 3]
    assert change["post", 24] > 1.5 * change["pre", 24]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pre_ln_stream_variance_is_the_sum_of_what_the_branches_add(seed):
    budget = tf.stream_budget(8, width=32, batch=32, seed=seed)
    assert np.allclose(budget.stream_var, budget.predicted, rtol=0.2)
    # it grows: after 16 additions the variance is several times the first
    assert budget.stream_var[-1] > 5 * budget.stream_var[0]


def test_rezero_starts_as_the_identity_and_only_alpha_learns():
    model = tf.build_transformer(depth=4, layout="rezero", width=16, heads=2, seed=0)
    x, y = tf.sort_batch(8, seed=1)
    stream = tf.stream_norms(model, x)
    assert np.allclose(stream, stream[0])
    tf.block_gradient_norms(model, x, y)
    for block in model.blocks:
        assert float(block.alpha.grad) != 0
        assert all(
            float(p.grad.abs().max()) == 0 for n, p in block.named_parameters() if n != "alpha"
        )


def test_training_is_deterministic_and_records_the_gradients():
    a = tf.train_sorting(depth=2, layout="pre", steps=7, width=16, heads=2, record_every=3, seed=4)
    b = tf.train_sorting(depth=2, layout="pre", steps=7, width=16, heads=2, record_every=3, seed=4)
    assert np.array_equal(a.loss, b.loss)
    assert a.gradient_norms.shape == (3, 2)  # steps 0, 3 and 6
    assert np.isfinite(a.loss).all()


@pytest.mark.slow
def test_warmup_rescues_deep_post_ln_and_pre_ln_needs_none():
    """Twelve post-LN blocks stall at AdamW's full learning rate from step one and train with
    a warmup; pre-LN trains without one."""
    runs = {
        (layout, warmup): tf.train_sorting(
            depth=12, layout=layout, warmup=warmup, steps=150, seed=0
        )
        for layout, warmup in (("post", 0), ("post", 40), ("pre", 0))
    }
    assert runs["post", 0].accuracy < 0.5
    assert runs["post", 40].accuracy > 0.9
    assert runs["pre", 0].accuracy > 0.9
    stalled = runs["post", 0].gradient_norms
    assert (stalled[1:4, 0] / stalled[1:4, -1]).min() < 0.2  # the bottom's gradient collapses
