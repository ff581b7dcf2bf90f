"""Residual blocks: the product of (I + J_l) is the sum over paths, the paths of each length
number C(k, j), the path parts of a real network add up to autograd's gradient, and the
stream's variance follows the additive rule and its closed forms."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from vgp_lib import residual
from vgp_lib.models import build_mlp


def _random_jacobians(k, n, seed=0):
    return np.random.default_rng(seed).normal(0, 0.6, (k, n, n))


@pytest.mark.parametrize("k, n", [(1, 3), (3, 2), (5, 4), (7, 3)])
def test_path_sums_add_up_to_the_product(k, n):
    J = _random_jacobians(k, n, seed=k)
    product = np.eye(n)
    for Jl in J:
        product = (np.eye(n) + Jl) @ product
    np.testing.assert_allclose(residual.path_sums(J).sum(axis=0), product, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("k", [1, 3, 6])
def test_path_sums_equal_brute_force_over_subsets(k):
    """Each of the 2^k subsets of blocks is one path: the product of its J's, later blocks left."""
    n = 3
    J = _random_jacobians(k, n, seed=10 + k)
    by_length = np.zeros((k + 1, n, n))
    n_paths = np.zeros(k + 1)
    for taken in itertools.product((False, True), repeat=k):
        path = np.eye(n)
        for layer in range(k):
            if taken[layer]:
                path = J[layer] @ path
        by_length[sum(taken)] += path
        n_paths[sum(taken)] += 1
    np.testing.assert_allclose(residual.path_sums(J), by_length, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(residual.path_counts(k), n_paths)


@pytest.mark.parametrize("k", [1, 2, 12, 19, 40])
def test_path_counts_are_binomial(k):
    counts = residual.path_counts(k)
    assert counts.tolist() == [float(math.comb(k, j)) for j in range(k + 1)]
    assert counts.sum() == 2.0**k


def test_path_sums_refuses_non_square_matrices():
    with pytest.raises(ValueError, match="jacobians"):
        residual.path_sums(np.ones((2, 3, 4)))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_path_gradient_parts_add_up_to_autograd(activation):
    depth, width, batch = 6, 8, 5
    pg = residual.path_gradients(
        depth=depth, activation=activation, width=width, n_in=7, batch=batch, seed=3
    )
    assert pg.remainder[-1] < 1e-12  # all paths together: the whole gradient
    assert pg.counts.tolist() == [float(math.comb(depth - 1, j)) for j in range(depth)]
    # the whole gradient, independently: autograd through build_mlp itself
    net = build_mlp(
        n_in=7, width=width, n_out=10, depth=depth, activation=activation, residual=True, seed=3
    )
    g = torch.Generator().manual_seed(3)
    x = torch.randn(batch, 7, generator=g, dtype=torch.float64)
    y = torch.randint(0, 10, (batch,), generator=g)
    a = net.blocks[0](x).detach().requires_grad_(True)
    h = a
    for block in net.blocks[1:]:
        h = block(h)
    torch.nn.functional.cross_entropy(net.head(h), y).backward()
    assert pg.total_norm == pytest.approx(float(a.grad.norm()), rel=1e-12)


def test_path_gradient_parts_match_path_sums_of_explicit_jacobians():
    """The vector recursion equals g^T times the matrix path sums, example by example."""
    depth, width = 4, 5
    pg = residual.path_gradients(
        depth=depth, activation="tanh", width=width, n_in=3, batch=1, seed=1
    )
    net = build_mlp(
        n_in=3, width=width, n_out=10, depth=depth, activation="tanh", residual=True, seed=1
    )
    g = torch.Generator().manual_seed(1)
    x = torch.randn(1, 3, generator=g, dtype=torch.float64)
    y = torch.randint(0, 10, (1,), generator=g)
    h = net.blocks[0](x).detach()
    jacobians = []
    for block in net.blocks[1:]:
        z = block.linear(h)
        jacobians.append((1 - torch.tanh(z) ** 2).T * block.linear.weight)  # diag(f'(z)) W
        h = block(h)
    h = h.detach().requires_grad_(True)
    torch.nn.functional.cross_entropy(net.head(h), y).backward()
    top = h.grad.numpy()[0]
    S = residual.path_sums(torch.stack(jacobians).detach().numpy())
    expected = np.array([np.linalg.norm(top @ Sj) for Sj in S])
    np.testing.assert_allclose(pg.norms, expected, rtol=1e-10)
    J = torch.stack(jacobians).detach().numpy()
    gains = [np.linalg.norm(top @ Jl) / np.linalg.norm(top) for Jl in J]
    np.testing.assert_allclose(pg.branch_gains, gains, rtol=1e-10)


def test_in_the_sigmoid_residual_net_short_paths_carry_the_gradient():
    pg = residual.path_gradients(depth=20, seed=0)
    assert pg.relative[0] > 0.5  # the identity path alone
    assert pg.remainder[2] < 0.1  # paths through at most two of 19 branches: within 10 %
    assert np.all(np.diff(pg.norms) < 0)


# -- stream variance -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "alpha, prenorm", [(1.0, False), (1.0, True), (0.5, False), (1 / math.sqrt(20), True)]
)
def test_stream_variance_is_additive(alpha, prenorm):
    """Block by block, Var(a^l) = Var(a^{l-1}) + Var(alpha F_l): the branch is uncorrelated
    with the stream it reads, so the cross term is a few per cent of Var(a^l) on average
    (a draw's largest is under a fifth)."""
    r = residual.stream_variance(depth=20, alpha=alpha, prenorm=prenorm, width=256, seed=0)
    gap = np.abs(np.diff(r.var_stream) - r.var_branch) / r.var_stream[1:]
    assert gap.mean() < 0.04 and gap.max() < 0.2
    if prenorm:  # the gaps do not compound: the sum rule holds for the whole stack
        np.testing.assert_allclose(r.var_stream, r.additive, rtol=0.1)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 1 / math.sqrt(20)])
def test_stream_variance_with_prenorm_grows_linearly(alpha):
    r = residual.stream_variance(depth=20, alpha=alpha, prenorm=True, width=256, seed=1)
    assert r.predicted.tolist() == pytest.approx([1 + l * alpha**2 for l in range(21)])
    np.testing.assert_allclose(r.var_stream, r.predicted, rtol=0.08)
    # one draw's branch adds alpha^2 give or take a quarter; on average over 20, within 5 %
    np.testing.assert_allclose(r.var_branch, alpha**2, rtol=0.25)
    assert r.var_branch.mean() == pytest.approx(alpha**2, rel=0.05)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 1 / math.sqrt(20)])
def test_stream_variance_without_norm_grows_geometrically(alpha):
    """Each block multiplies the variance by 1 + alpha^2 on average: the measured growth per
    block, averaged over 20 blocks and four draws, is within 5 % of it."""
    growth = np.mean(
        [
            residual.stream_variance(depth=20, alpha=alpha, width=256, seed=s).var_stream[-1]
            ** (1 / 20)
            for s in range(4)
        ]
    )
    assert growth == pytest.approx(1 + alpha**2, rel=0.05)


def test_a_branch_scaled_to_zero_leaves_the_stream_alone():
    r = residual.stream_variance(depth=10, alpha=0.0, width=32, batch=16, seed=0)
    assert np.all(r.var_stream == r.var_stream[0]) and np.all(r.var_branch == 0)


def test_stream_variance_refuses_an_overflowing_setting():
    with pytest.raises(ValueError, match="alpha"):
        residual.stream_variance(depth=200, alpha=10.0, seed=0)


def test_sigmoid_branches_make_the_stream_drift_and_the_later_sigmoids_flatter():
    """In build_mlp's residual sigmoid net each block adds sigma(z) > 0, about 1/2 per unit, so
    the stream's mean climbs by about 1/2 a block and f' = sigma(1 - sigma) of later layers
    falls."""
    net = build_mlp(n_in=16, width=64, n_out=10, depth=20, residual=True, seed=0)
    h = torch.randn(32, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    means, slopes = [], []
    with torch.no_grad():
        for block in net.blocks:
            s = torch.sigmoid(block.linear(h))
            slopes.append(float((s * (1 - s)).mean()))
            h = block(h)
            means.append(float(h.mean()))
    steps = np.diff(means)
    assert np.all(steps > 0.3) and np.all(steps < 0.7)
    assert slopes[-1] < 0.5 * slopes[1]


def test_in_a_relu_residual_net_the_counts_win_and_the_sum_grows():
    """ReLU branches shrink the error far less than sigmoid ones, so the many paths through a few
    branches carry more than the identity path, and the whole gradient exceeds the error at the
    top (whose norm is norms[0]); the longest paths still carry almost nothing."""
    pg = residual.path_gradients(depth=20, activation="relu", seed=0)
    assert np.argmax(pg.norms) > 0
    assert pg.total_norm > 2 * pg.norms[0]
    assert pg.relative[-1] < 1e-6


def test_relu_branches_each_shrink_the_error_yet_the_one_branch_paths_outgrow_the_identity():
    """At PyTorch's default init every ReLU branch alone shrinks the error at the top to well
    under half its norm, yet the k paths through one branch together carry more than the
    identity path: their parts point in unrelated directions, so their norms add about as
    sqrt(k) times one gain."""
    pg = residual.path_gradients(depth=20, activation="relu", seed=0)
    k = len(pg.branch_gains)
    assert np.all(pg.branch_gains < 0.5)
    assert pg.norms[1] > 1.5 * pg.norms[0]
    rms = float(np.sqrt(np.mean(pg.branch_gains**2)))
    assert pg.norms[1] / pg.norms[0] == pytest.approx(math.sqrt(k) * rms, rel=0.25)


# -- the share that reaches layer 1 ----------------------------------------------------------
def test_error_share_factors_multiply_to_the_profile_ratio():
    from vgp_lib.profiles import gradient_profile

    share = residual.error_share(depth=6, n_seeds=2, seed=3)
    for s in range(2):
        ratio = gradient_profile(depth=6, residual=True, seed=3 + s).ratio
        assert share.ratio[s] == pytest.approx(ratio, rel=1e-10)


def test_in_the_sigmoid_residual_net_the_share_lost_is_outside_the_blocks():
    """The blocks carry the error down the stream with a factor near 1 at every depth; what
    the first layer misses is the output layer's weights and layer 1's own f' (at most 1/4),
    so the share is about the same at every depth."""
    shares = []
    for depth in (2, 5, 10, 20):
        r = residual.error_share(depth=depth, n_seeds=3, seed=0)
        assert np.all((r.stream > 0.8) & (r.stream < 1.25))
        assert np.all(r.first <= 0.25) and np.all(r.head < 1)
        shares.append(float(np.median(r.ratio)))
    assert max(shares) < 1.5 * min(shares) and max(shares) < 0.25


# --- what the chapter may say about a path split and a stream -----------------------


def _split(norms, total):
    n = len(norms)
    return residual.PathGradients(
        {}, np.asarray(norms, float), total, np.zeros(n), np.ones(n), np.full(n - 1, 0.5)
    )


def test_peak_length_and_grows_read_the_path_split():
    identity_wins = _split([1.0, 0.3, 0.01], 0.9)
    assert identity_wins.peak_length() == 0 and not identity_wins.grows()
    few_branches_win = _split([1.0, 1.4, 0.6, 0.01], 2.2)
    assert few_branches_win.peak_length() == 1 and few_branches_win.grows()
    assert not _split([1.0, 0.5], 1.0).grows()  # equal is not larger


def test_peak_length_and_grows_on_a_measured_relu_network():
    split = residual.path_gradients(depth=6, activation="relu", width=16, n_in=8, batch=8, seed=0)
    assert split.peak_length() == int(np.argmax(split.norms))
    assert split.grows() == (split.total_norm > split.norms[0])


@pytest.mark.parametrize(
    "end, within, follows",
    [
        (2.0, 0.25, True),
        (2.4, 0.25, True),
        (2.6, 0.25, False),
        (1.4, 0.25, False),
        (1.6, 0.25, True),
        (2.3, 0.1, False),
    ],
)
def test_follows_prediction_compares_the_last_variance_with_its_prediction(end, within, follows):
    sv = residual.StreamVariance(
        1.0, False, np.array([1.0, end]), np.array([end - 1.0]), np.array([1.0, 2.0])
    )
    assert sv.end_ratio() == pytest.approx(end / 2)
    assert sv.follows_prediction(within=within) is follows


@pytest.mark.parametrize(
    "end, words",
    [
        (2.0, "close"),
        (1.62, "close"),
        (1.6, "about half"),
        (0.72, "about half"),
        (0.7, "far"),
        (0.2, "far"),
    ],
)
def test_end_compared_puts_the_end_ratio_in_three_bins(end, words):
    sv = residual.StreamVariance(
        1.0, False, np.array([1.0, end]), np.array([end - 1.0]), np.array([1.0, 2.0])
    )
    assert sv.end_compared() == words
