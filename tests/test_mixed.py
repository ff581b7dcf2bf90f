"""Mixed precision: the formats' limits against brute force, the counts of a cast against a
direct count, loss scaling's recovered entries, and the low-precision backward pass and
training of the book's sigmoid networks on tiny data."""

import math
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vgp_lib import mixed

LIMITS = {  # (smallest subnormal, smallest normal, digits) by the formats' definitions
    "float16": (2.0**-24, 2.0**-14, 11),
    "bfloat16": (2.0**-133, 2.0**-126, 8),
    "float32": (2.0**-149, 2.0**-126, 24),
}


def exact_round(x: float, dtype: str) -> float:
    """Round ``x`` to ``dtype`` by the definition: to the nearest multiple of the spacing at
    its size (the subnormal spacing below the normal range), ties to even; ``inf`` at or
    beyond the midpoint above the largest number. In rational arithmetic."""
    sub, normal, p = LIMITS[dtype]
    if x == 0:
        return 0.0
    lim = mixed.format_limits(dtype)
    e = max(math.frexp(abs(x))[1] - 1, round(math.log2(normal)))
    quantum = Fraction(2) ** (e - p + 1)
    n = Fraction(abs(x)) / quantum
    k = math.floor(n)
    if n - k > Fraction(1, 2) or (n - k == Fraction(1, 2) and k % 2 == 1):
        k += 1
    value = k * quantum
    if value > Fraction(lim.largest):
        return math.copysign(math.inf, x)
    return math.copysign(float(value), x)


smooth = st.floats(min_value=-140.0, max_value=20.0).map(lambda e: 2.0**e)
# ties and near-ties of every format: 2^e (1 + j 2^-q), q around each format's digits
ties = st.tuples(
    st.integers(-140, 17), st.integers(0, 3), st.sampled_from([8, 9, 11, 12, 24, 25, 50])
).map(lambda t: 2.0 ** t[0] * (1 + t[1] * 2.0 ** -t[2]))
magnitudes = smooth | ties
signed = st.tuples(magnitudes, st.sampled_from([-1.0, 1.0])).map(lambda t: t[0] * t[1])
arrays = st.lists(signed | st.just(0.0), min_size=1, max_size=40).map(np.array)


@pytest.mark.parametrize("dtype", mixed.FORMATS)
def test_format_limits_are_the_formats_definitions(dtype):
    lim = mixed.format_limits(dtype)
    sub, normal, p = LIMITS[dtype]
    assert (lim.smallest_subnormal, lim.smallest_normal, lim.digits) == (sub, normal, p)
    # the largest number: every significand digit 1 at the top exponent
    assert lim.largest == (2 - 2.0 ** (1 - p)) * 2.0 ** (math.frexp(lim.largest)[1] - 1)
    assert mixed.format_limits("float16").largest == 65504.0


@pytest.mark.parametrize("dtype", mixed.FORMATS)
def test_thresholds_are_where_the_rounding_turns(dtype):
    zero, top = mixed.zero_threshold(dtype), mixed.overflow_threshold(dtype)
    below, above = np.nextafter(zero, 0.0), np.nextafter(zero, 1.0)
    rounded = mixed.round_to_format([below, zero, above, -zero, -above], dtype)
    assert rounded.tolist()[:4] == [0.0, 0.0, LIMITS[dtype][0], 0.0]
    assert rounded[4] == -LIMITS[dtype][0]
    rounded = mixed.round_to_format([np.nextafter(top, 0.0), top, -top], dtype)
    assert rounded[0] == mixed.format_limits(dtype).largest
    assert rounded[1] == np.inf and rounded[2] == -np.inf
    assert mixed.overflow_threshold("float16") == 65520.0


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_torch_casts_float32_values_at_the_thresholds_the_same_way(dtype):
    """Brute force with torch's own cast, which rounds once from float32."""
    t = {"float16": torch.float16, "bfloat16": torch.bfloat16}[dtype]
    for edge in (mixed.zero_threshold(dtype), mixed.overflow_threshold(dtype)):
        near = np.float32(edge)
        assert float(near) == edge  # the thresholds are float32 numbers
        values = [np.nextafter(near, np.float32(0)), near, np.nextafter(near, np.float32(np.inf))]
        cast = torch.tensor(np.array(values, dtype=np.float32)).to(t).double().numpy()
        ours = mixed.round_to_format(np.array(values, dtype=np.float64), dtype)
        np.testing.assert_array_equal(cast, ours)


def test_rounding_is_done_once_also_where_torch_rounds_twice():
    x = 2.0**-25 * (1 + 2.0**-24)  # torch: to float32 2^-25, then a tie to 0
    assert torch.tensor([x], dtype=torch.float64).to(torch.float16).item() == 0.0
    assert mixed.round_to_format([x], "float16")[0] == 2.0**-24
    assert float(np.float16(x)) == 2.0**-24  # numpy rounds float64 to float16 once, too


@settings(max_examples=60, deadline=None)
@given(values=arrays, dtype=st.sampled_from(mixed.FORMATS))
def test_round_to_format_is_the_correctly_rounded_value(values, dtype):
    expected = [exact_round(float(v), dtype) for v in values]
    np.testing.assert_array_equal(mixed.round_to_format(values, dtype), expected)
    if dtype == "float16":
        with np.errstate(over="ignore"):
            np.testing.assert_array_equal(
                mixed.round_to_format(values, dtype), values.astype(np.float16)
            )


@settings(max_examples=60, deadline=None)
@given(values=arrays, k=st.integers(0, 40), dtype=st.sampled_from(["float16", "bfloat16"]))
def test_cast_counts_equal_a_direct_count(values, k, dtype):
    s = 2.0**k
    c = mixed.cast_counts(values, dtype, scale=s)
    size = np.abs(values) * s
    zero, top = mixed.zero_threshold(dtype), mixed.overflow_threshold(dtype)
    normal = mixed.format_limits(dtype).smallest_normal
    assert c.n == values.size and c.nonzero == int((size > 0).sum())
    assert c.zero == int(((size > 0) & (size <= zero)).sum())
    assert c.overflow == int((size >= top).sum())
    # a tie between the largest subnormal and the smallest normal goes to the normal (even)
    assert c.subnormal == int(((size > zero) & (size < normal - zero)).sum())


@settings(max_examples=60, deadline=None)
@given(values=arrays, k=st.integers(0, 40))
def test_loss_scaling_by_2_to_the_k_recovers_exactly_the_entries_above_the_threshold(values, k):
    zero = mixed.zero_threshold("float16")
    unscaled = mixed.round_to_format(values, "float16")
    scaled = mixed.round_to_format(values * 2.0**k, "float16")
    kept = (scaled != 0) & (values != 0)
    np.testing.assert_array_equal(kept, np.abs(values) * 2.0**k > zero)
    recovered = (unscaled == 0) & kept
    np.testing.assert_array_equal(
        recovered, (np.abs(values) <= zero) & (np.abs(values) * 2.0**k > zero)
    )


@settings(max_examples=60, deadline=None)
@given(values=arrays, dtype=st.sampled_from(["float16", "bfloat16"]))
def test_scale_bounds_against_brute_force_over_k(values, dtype):
    if not values.any():
        with pytest.raises(ValueError, match="values"):
            mixed.scale_bounds(values, dtype)
        return
    k_min, k_max = mixed.scale_bounds(values, dtype)
    ks = np.arange(-60, 400)
    with np.errstate(over="ignore"):
        cast = mixed.round_to_format(values[None, :] * 2.0 ** ks[:, None], dtype)
    no_zero = ((cast != 0) | (values == 0)).all(axis=1)
    no_inf = np.isfinite(cast).all(axis=1)
    assert k_min == ks[(ks >= 0) & no_zero].min()
    assert k_max == ks[no_inf].max()


def test_scale_bounds_of_the_module_example():
    assert mixed.scale_bounds([1e-9, 1e-3], "float16") == (5, 25)
    assert mixed.scale_bounds([0.5], "float16") == (0, 16)  # 0.5 * 2^17 = 65536 >= 65520


# -- the sigmoid networks, on tiny random images ---------------------------------------------
@pytest.fixture(scope="module")
def images():
    g = torch.Generator().manual_seed(0)
    return torch.rand(10, 20, generator=g, dtype=torch.float64), torch.arange(10) % 10


def test_float16_loses_the_early_layers_first(images):
    x, y = images
    r = mixed.layer_underflow(x, y, depth=12, width=8, seed=0)
    assert r.zero_fraction[0] > 0.5 and r.zero_fraction[-1] == 0.0
    assert r.zero_fraction[0] >= r.zero_fraction[-3]
    assert not r.overflow_fraction.any()
    # the storage model is a direct count on the exact gradients
    for frac, g in zip(r.cast_zero_fraction, r.gradient_sizes):
        c = mixed.cast_counts(g, "float16")
        assert frac == c.zero / c.nonzero
    assert len(r.gradient_sizes) == 13 and r.layers.tolist() == list(range(1, 14))


def test_loss_scaling_recovers_them_and_too_large_a_scale_overflows(images):
    x, y = images
    plain = mixed.layer_underflow(x, y, depth=12, width=8, seed=0)
    scaled = mixed.layer_underflow(x, y, depth=12, width=8, seed=0, scale=2.0**12)
    assert (scaled.zero_fraction <= plain.zero_fraction).all()
    assert scaled.zero_fraction.sum() < plain.zero_fraction.sum()
    assert (scaled.cast_zero_fraction <= plain.cast_zero_fraction).all()
    huge = mixed.layer_underflow(x, y, depth=12, width=8, seed=0, scale=2.0**30)
    assert huge.overflow_fraction[-1] > 0
    assert (huge.lost_fraction >= huge.zero_fraction).all() and huge.lost_fraction[-1] > 0
    np.testing.assert_array_equal(plain.lost_fraction, plain.zero_fraction)  # no inf there


def test_bfloat16_keeps_every_gradient_but_fewer_digits(images):
    x, y = images
    bf = mixed.layer_underflow(x, y, depth=12, width=8, seed=0, dtype="bfloat16")
    f32 = mixed.layer_underflow(x, y, depth=12, width=8, seed=0, dtype="float32")
    assert not bf.zero_fraction.any() and not f32.zero_fraction.any()
    assert (bf.relative_error > 10 * f32.relative_error).all()
    assert (bf.relative_error < 0.1).all()


def test_the_exact_gradients_are_autograds_in_float64(images):
    x, y = images
    from vgp_lib.models import build_mlp

    r = mixed.layer_underflow(x, y, depth=3, width=8, seed=1)
    model = build_mlp(n_in=20, width=8, n_out=10, depth=3, init="nielsen", seed=1)
    torch.nn.functional.cross_entropy(model(x), y).backward()
    for g, lin in zip(r.gradient_sizes, model.linears()):
        np.testing.assert_array_equal(g, lin.weight.grad.abs().numpy().ravel())


def test_dynamic_loss_scaling_follows_its_rule(images):
    x, y = images
    run = mixed.train_mixed(
        x, y, depth=4, mode="float16-dynamic", steps=30, batch=5, seed=0,
        init_scale=2.0**24, growth_interval=3,
    )  # fmt: skip
    assert run.skipped[0]  # 2^24 overflows the loss gradient at once
    good = 0
    for t in range(len(run.scale) - 1):
        if run.skipped[t]:
            assert run.scale[t + 1] == run.scale[t] / 2
            good = 0
        else:
            good += 1
            expected = run.scale[t] * 2 if good == 3 else run.scale[t]
            good = 0 if good == 3 else good
            assert run.scale[t + 1] == expected
    assert not run.skipped.all()


def test_a_static_scale_of_1_is_plain_float16_and_float16_freezes_the_deep_first_layer(images):
    x, y = images
    kw = dict(depth=12, steps=20, batch=5, seed=0, width=8)
    plain = mixed.train_mixed(x, y, mode="float16", **kw)
    one = mixed.train_mixed(x, y, mode="float16-static", init_scale=1.0, **kw)
    np.testing.assert_array_equal(plain.loss, one.loss)
    np.testing.assert_array_equal(plain.layer_change, one.layer_change)
    f32 = mixed.train_mixed(x, y, mode="float32", **kw)
    dyn = mixed.train_mixed(x, y, mode="float16-dynamic", **kw)
    assert plain.first_layer_change == 0.0 < f32.first_layer_change
    # where the layers move by more than float32's rounding of w + dw, the two agree
    moved = f32.layer_change > 1e-7
    np.testing.assert_allclose(dyn.layer_change[moved], f32.layer_change[moved], rtol=0.01)
    assert not dyn.skipped.any()


def test_weights_stored_in_bfloat16_lose_more_updates_than_in_float32(images):
    x, y = images
    kw = dict(depth=6, steps=20, batch=5, seed=0, width=8)
    bf = mixed.train_mixed(x, y, mode="bfloat16", **kw)
    f32 = mixed.train_mixed(x, y, mode="float32", **kw)
    assert (bf.lost_update_fraction >= f32.lost_update_fraction).all()
    assert bf.lost_update_fraction[0] > 0.5
    assert ((0 <= bf.lost_update_fraction) & (bf.lost_update_fraction <= 1)).all()


def test_a_scale_sweep_is_layer_underflow_at_each_scale(images):
    x, y = images
    sweep = mixed.scale_sweep(x, y, depth=10, width=8, seed=0, exponents=range(0, 30))
    for k, zero, over in zip(sweep.exponents, sweep.zero_fraction, sweep.overflow_fraction):
        r = mixed.layer_underflow(x, y, depth=10, width=8, seed=0, scale=2.0 ** int(k))
        np.testing.assert_array_equal(zero, r.zero_fraction)
        np.testing.assert_array_equal(over, r.overflow_fraction)
    saving, overflow = sweep.smallest_saving, sweep.first_overflow
    assert saving is not None and overflow is not None and saving < overflow
    assert sweep.zero_fraction[sweep.exponents < saving].any(axis=1).all()
    assert not sweep.lost_fraction[sweep.exponents == saving].any()
    assert not sweep.overflow_fraction[sweep.exponents < overflow].any()
    deep = mixed.scale_sweep(x, y, depth=20, width=8, seed=0, exponents=range(0, 30))
    assert deep.smallest_saving is None  # its gradients span more than float16's range
