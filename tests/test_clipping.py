"""Tests for vgp_lib.clipping: norm bound, unchanged
direction, no-op below the threshold, torch in place."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vgp_lib.clipping import clip_by_global_norm, clip_grads_, global_norm

finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    grads=st.lists(arrays(np.float64, st.integers(1, 5), elements=finite), min_size=1, max_size=4),
    max_norm=st.floats(1e-3, 1e3),
)
def test_norm_at_most_threshold_and_direction_unchanged(grads, max_norm):
    out = clip_by_global_norm(grads, max_norm)
    flat = np.concatenate([g.ravel() for g in grads])
    new = np.concatenate([g.ravel() for g in out.grads])
    assert np.linalg.norm(new) <= max_norm * (1 + 1e-12)
    if np.linalg.norm(flat) > 0:
        cosine = new @ flat / (np.linalg.norm(new) * np.linalg.norm(flat))
        assert abs(cosine - 1) < 1e-12
    if np.linalg.norm(flat) <= max_norm:
        np.testing.assert_array_equal(new, flat)


def test_huge_gradients_clip_without_overflow():
    grads = [np.array([3e300, -4e300]), np.array([1e299])]
    out = clip_by_global_norm(grads, 2.0)
    assert np.isfinite(out.norm_before) and out.norm_after == pytest.approx(2.0, rel=1e-12)
    assert global_norm(out.grads) == pytest.approx(2.0, rel=1e-12)


def test_per_array_clipping_would_change_the_direction_but_global_does_not():
    grads = [np.array([10.0, 0.0]), np.array([0.0, 0.5])]
    out = clip_by_global_norm(grads, 1.0)
    assert out.grads[0][0] / out.grads[1][1] == pytest.approx(20.0, rel=1e-14)


def test_torch_gradients_clipped_in_place_like_torch_itself():
    g = torch.Generator().manual_seed(0)
    a = torch.nn.Linear(4, 3, dtype=torch.float64)
    b = torch.nn.Linear(4, 3, dtype=torch.float64)
    b.load_state_dict(a.state_dict())
    x = torch.randn(5, 4, generator=g, dtype=torch.float64) * 100
    for m in (a, b):
        m(x).pow(2).sum().backward()
    rec = clip_grads_(a.parameters(), 0.5)
    torch.nn.utils.clip_grad_norm_(b.parameters(), 0.5)
    assert rec.norm_before > 0.5
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(
            pa.grad, pb.grad, rtol=1e-6, atol=0
        )  # torch adds eps 1e-6 to the norm


@pytest.mark.parametrize(
    "grads, max_norm, error, match",
    [
        ([np.ones(2)], 0.0, ValueError, "max_norm must lie in"),
        ([np.ones(2)], float("nan"), ValueError, "max_norm"),
        (np.ones(3), 1.0, TypeError, "grads must be a sequence of arrays"),
        ([], 1.0, ValueError, "grads must hold between 1 and"),
        (
            [np.array([1.0, np.inf])],
            1.0,
            ValueError,
            r"grads\[0\] must contain only finite numbers",
        ),
    ],
)
def test_bad_input(grads, max_norm, error, match):
    with pytest.raises(error, match=match):
        clip_by_global_norm(grads, max_norm)


def test_zero_gradient_stays_zero():
    out = clip_by_global_norm([np.zeros(3)], 1.0)
    assert out.norm_before == 0.0 and np.all(out.grads[0] == 0)


@pytest.mark.parametrize(
    "bad,error,match",
    [
        (None, TypeError, "grads must be a sequence"),
        (3, TypeError, "grads must be a sequence"),
        ("x", TypeError, "grads must be a sequence"),
        (["x"], TypeError, r"grads\[0\] must be an array"),
        ([np.array([np.nan])], ValueError, r"grads\[0\] must contain only finite numbers"),
        ([np.array([1e200])], ValueError, "grads must hold finite numbers"),
    ],
)
def test_global_norm_refuses_non_arrays_and_non_finite_norms(bad, error, match):
    # Issue 12: None gave "'NoneType' object is not iterable", "x" a ufunc error, nan a nan norm.
    with pytest.raises(error, match=rf"^{match}"):
        global_norm(bad)


def test_global_norm_keeps_the_dtype_of_its_arrays():
    g = [np.array([0.1, 0.2], dtype=np.float32)]
    assert global_norm(g) == float(np.sqrt(float(np.sum(np.square(g[0])))))


@pytest.mark.parametrize("bad", [None, 3, "x", ((1, 2), (3,)), torch.ones(2)])
def test_clip_grads_refuses_what_is_not_an_iterable_of_tensors(bad):
    # Issue 12: "x" failed with "'str' object has no attribute 'grad'".
    with pytest.raises(TypeError, match=r"^parameters must"):
        clip_grads_(bad, 1.0)


def test_per_tensor_clipping_turns_the_gradient_and_global_clipping_does_not():
    from vgp_lib.clipping import clip_per_tensor, cosine

    grads = [np.array([10.0, 0.0]), np.array([0.0, 0.5])]
    each = clip_per_tensor(grads, 1.0)
    np.testing.assert_allclose(each[0], [1.0, 0.0])
    np.testing.assert_array_equal(each[1], grads[1])  # already below the threshold
    expected = (10.0 * 1.0 + 0.25) / (np.hypot(10.0, 0.5) * np.hypot(1.0, 0.5))
    assert cosine(grads, each) == pytest.approx(expected, rel=1e-14) and expected < 0.95
    assert cosine(grads, clip_by_global_norm(grads, 1.0).grads) == pytest.approx(1.0, abs=1e-15)


def test_cosine_of_huge_gradients_and_bad_input():
    from vgp_lib.clipping import cosine

    assert cosine([np.array([1e300, 1e300])], [np.array([-1e-300, -1e-300])]) == pytest.approx(-1)
    with pytest.raises(ValueError, match="other must hold arrays of the same shapes"):
        cosine([np.ones(2)], [np.ones(3)])
    with pytest.raises(ValueError, match="non-zero"):
        cosine([np.zeros(2)], [np.ones(2)])
    with pytest.raises(TypeError, match="other must be a sequence"):
        cosine([np.ones(2)], np.ones(2))
