"""Shallow and deep Boolean circuits for parity (chapter *Why depth?*).

Both circuits are built from NAND gates of any fan-in, which is enough to
compute any Boolean function. Signals are numbered: ``0..n-1`` are the inputs
:math:`x_1..x_n` (0-based in code), ``n..2n-1`` their negations (literals are
free, as usual in circuit complexity), and gate ``k`` drives signal ``2n + k``.

* :func:`two_layer_parity` writes parity in disjunctive normal form: one NAND
  per odd-weight input pattern (a *minterm*) and one output NAND, since
  ``NAND(NAND(m_1), ..., NAND(m_K)) = m_1 OR ... OR m_K``. It has
  :math:`2^{n-1} + 1` gates (equation ``eq-two-layer-gates``).
* :func:`deep_parity` XORs pairs, then pairs of pairs, in a balanced tree;
  each XOR is four 2-input NANDs, so it has :math:`4(n-1)` gates in
  :math:`3\\lceil\\log_2 n\\rceil` layers (equation ``eq-deep-gates``).

The same contrast holds for networks of ReLU units on one input (section
*Why depth multiplies straight pieces*):

* :func:`deep_sawtooth` stacks ``depth`` = :math:`L` layers of two units, each computing the
  tent map that folds :math:`[0, 1]` onto itself; its output is a sawtooth of
  :math:`2^L` straight pieces from :math:`2L` units.
* :func:`shallow_sawtooth` computes the same sawtooth with one hidden layer, one
  unit per bend: :math:`2^L` units.
* :func:`linear_pieces` counts the straight pieces (linear regions) of either.

>>> c = deep_parity(8)
>>> c.n_gates, c.depth, verify_parity(c)
(28, 9, True)
>>> two_layer_parity(8).n_gates
129
>>> linear_pieces(deep_sawtooth(3)).n_pieces, deep_sawtooth(3).n_units
(8, 6)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from ._validate import as_numpy, check_array, check_instance, check_int, check_sequence, checked

#: Largest n for which circuits are built (the two-layer one has 2**(n-1) gates).
MAX_BUILD_BITS = 20
#: Largest n for which a circuit is checked on all 2**n inputs.
MAX_VERIFY_BITS = 16
_n_bits = partial(check_int, lo=1, hi=MAX_BUILD_BITS)  # a number of bits a circuit is built for
#: Largest n for the closed-form gate counts (exact Python integers).
MAX_COUNT_BITS = 256
#: Largest depth of the sawtooth networks (the shallow one has 2**depth units).
MAX_SAWTOOTH_DEPTH = 12
#: Most grid points :func:`linear_pieces` evaluates a network on.
MAX_GRID_POINTS = 2**20

_UNUSED = -1


@dataclass(frozen=True)
class Circuit:
    """A layered circuit of NAND gates.

    ``layers[i]`` is an integer array of shape ``(gates, fan_in)`` listing the
    signals each gate of layer ``i`` reads (``-1`` pads gates of smaller fan-in).
    """

    name: str
    n_inputs: int
    layers: tuple[NDArray[np.integer], ...]
    output: int

    @property
    def n_gates(self) -> int:
        return sum(len(layer) for layer in self.layers)

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def gates_per_layer(self) -> tuple:
        return tuple(len(layer) for layer in self.layers)

    @property
    def n_wires(self) -> int:
        """Total fan-in: the number of wires entering gates."""
        return int(sum((layer != _UNUSED).sum() for layer in self.layers))


@dataclass(frozen=True)
class GateCounts:
    """Gate counts of both parity circuits for each n in ``n``."""

    n: NDArray[np.integer]
    two_layer: NDArray[np.integer]
    deep: NDArray[np.integer]
    two_layer_depth: NDArray[np.integer]
    deep_depth: NDArray[np.integer]


def parity(bits) -> np.ndarray:
    """Parity (XOR) along the last axis of a 0/1 array.

    >>> parity([[1, 0, 1], [1, 1, 1]]).tolist()
    [0, 1]
    """
    bits = np.asarray(as_numpy(bits, "bits"))
    if bits.ndim == 0 or not np.isin(bits, (0, 1)).all():
        raise ValueError("bits must be an array of 0s and 1s with at least one axis")
    return (bits.sum(axis=-1) % 2).astype(np.int64)


@checked(n=_n_bits)
def two_layer_parity(n: int) -> Circuit:
    """Depth-2 NAND circuit for n-bit parity: :math:`2^{n-1}` minterm gates + 1."""
    patterns = _odd_patterns(n)  # (2**(n-1), n) of 0/1
    idx = np.arange(n)
    literals = np.where(patterns == 1, idx, n + idx)  # x_i if bit is 1 else NOT x_i
    first = literals.astype(np.int64)
    k = len(first)
    second = (2 * n + np.arange(k, dtype=np.int64))[None, :]
    return Circuit("two-layer", n, (first, second), output=2 * n + k)


@checked(n=_n_bits)
def deep_parity(n: int) -> Circuit:
    """Balanced tree of XORs, each made of four 2-input NAND gates.

    ``XOR(a, b) = NAND(NAND(a, t), NAND(b, t))`` with ``t = NAND(a, b)``.
    """
    layers: list[list[list[int]]] = []
    next_signal = 2 * n
    level = list(range(n))
    while len(level) > 1:
        l1, l2, l3 = [], [], []
        pairs = list(zip(level[0::2], level[1::2]))  # an odd one out waits
        # layer A: t = NAND(a, b) for every pair
        for a, b in pairs:
            l1.append([a, b])
        t_ids = list(range(next_signal, next_signal + len(pairs)))
        next_signal += len(pairs)
        # layer B: NAND(a, t) and NAND(b, t)
        for (a, b), t in zip(pairs, t_ids):
            l2.extend([[a, t], [b, t]])
        u_ids = list(range(next_signal, next_signal + 2 * len(pairs)))
        next_signal += 2 * len(pairs)
        # layer C: XOR = NAND of the two
        for j in range(len(pairs)):
            l3.append([u_ids[2 * j], u_ids[2 * j + 1]])
        out = list(range(next_signal, next_signal + len(pairs)))
        next_signal += len(pairs)
        carry = [level[-1]] if len(level) % 2 else []
        layers += [l1, l2, l3]
        level = out + carry
    arrays = tuple(np.asarray(layer, dtype=np.int64) for layer in layers)
    return Circuit("deep", n, arrays, output=level[0])


def evaluate(circuit: Circuit) -> np.ndarray:
    """Outputs of ``circuit`` on all :math:`2^n` inputs, as a 0/1 array.

    Input pattern ``j`` sets :math:`x_i` to bit ``i`` of ``j``. The evaluation
    is bit-parallel: each signal is a bitset over all inputs (uint64 words).
    """
    check_instance("circuit", circuit, Circuit)
    n = check_int("circuit.n_inputs", circuit.n_inputs, lo=1, hi=MAX_VERIFY_BITS)
    signals = _evaluate_bitsets(circuit, n)
    out = signals[circuit.output]
    bits = np.unpackbits(out.view(np.uint8), bitorder="little")[: 2**n]
    return bits.astype(np.int64)


def verify_parity(circuit: Circuit) -> bool:
    """True if ``circuit`` equals parity on every one of its :math:`2^n` inputs."""
    outputs = evaluate(circuit)
    n = circuit.n_inputs
    inputs = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    return bool(np.array_equal(outputs, parity(inputs)))


def gate_counts_closed_form(n: int) -> tuple[int, int]:
    """``(two_layer, deep)`` gate counts: :math:`2^{n-1}+1` and :math:`4(n-1)`.

    >>> gate_counts_closed_form(16)
    (32769, 60)
    """
    n = check_int("n", n, lo=1, hi=MAX_COUNT_BITS)
    return 2 ** (n - 1) + 1, 4 * (n - 1)


def depths_closed_form(n: int) -> tuple[int, int]:
    """``(two_layer, deep)`` depths: 2 and :math:`3\\lceil\\log_2 n\\rceil`."""
    n = check_int("n", n, lo=1, hi=MAX_COUNT_BITS)
    return 2, 3 * (n - 1).bit_length()


def gate_counts(ns) -> GateCounts:
    """Count the gates of both circuits, building them for every n in ``ns``.

    Counts come from the circuits themselves, not the closed forms (the tests
    check that the two agree). All ``n`` must lie in ``[1, MAX_BUILD_BITS]``.
    """
    ns = check_sequence("ns", ns, what="numbers of bits")
    ns = [check_int("ns", n, lo=1, hi=MAX_BUILD_BITS) for n in ns]
    shallow = [two_layer_parity(n) for n in ns]
    deep = [deep_parity(n) for n in ns]
    return GateCounts(
        n=np.asarray(ns),
        two_layer=np.asarray([c.n_gates for c in shallow]),
        deep=np.asarray([c.n_gates for c in deep]),
        two_layer_depth=np.asarray([c.depth for c in shallow]),
        deep_depth=np.asarray([c.depth for c in deep]),
    )


# --------------------------------------------------------------------------- ReLU networks


@dataclass(frozen=True)
class ReluNet:
    """A network of ReLU units on one input :math:`x`, with one linear output.

    Hidden layer ``l`` (0-based in code, layer ``l + 1`` in the text) computes
    ``a = relu(weights[l] @ a_prev + biases[l])`` with ``a_prev = [x]`` for the
    first; the output is ``out_weights @ a + out_bias``.
    """

    name: str
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    out_weights: np.ndarray
    out_bias: float

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.weights)

    @property
    def n_units(self) -> int:
        """Number of ReLU units in all hidden layers."""
        return sum(len(b) for b in self.biases)


@dataclass(frozen=True)
class Pieces:
    """A ReLU network's output on a grid of :math:`[0, 1]`, split into its straight pieces.

    ``piece[k]`` numbers (from 0) the piece that ``x[k]`` lies in: a new piece
    starts wherever some unit switches on or off between two grid points.
    """

    x: np.ndarray
    y: np.ndarray
    piece: NDArray[np.integer]
    n_pieces: int
    n_units: int
    depth: int


def deep_sawtooth(depth: int) -> ReluNet:
    """:math:`L` = ``depth`` layers of two ReLU units: the tent map applied :math:`L` times.

    The tent map :math:`g(x) = 2\\,\\mathrm{relu}(x) - 4\\,\\mathrm{relu}(x - 1/2)`
    rises from 0 to 1 on :math:`[0, 1/2]` and falls back on :math:`[1/2, 1]`:
    it folds the interval onto itself. Each layer's two units read the previous
    layer's tent (``[2, -4]`` of its units) and bend it again, so the output
    :math:`g(g(\\cdots g(x)))` has :math:`2^L` straight pieces on
    :math:`[0, 1]` from :math:`2L` units.

    >>> net = deep_sawtooth(2)
    >>> evaluate_relu(net, [0.125, 0.25, 0.5]).tolist()
    [0.5, 1.0, 0.0]
    """
    depth = check_int("depth", depth, lo=1, hi=MAX_SAWTOOTH_DEPTH)
    tent = np.array([2.0, -4.0])  # the tent from the two units of a layer
    bias = np.array([0.0, -0.5])  # the units bend at 0 and at 1/2
    weights = [np.ones((2, 1))] + [np.vstack([tent, tent]) for _ in range(depth - 1)]
    return ReluNet("deep", tuple(weights), (bias,) * depth, tent.copy(), 0.0)


def shallow_sawtooth(depth: int) -> ReluNet:
    """One hidden layer of :math:`2^L` ReLU units computing :func:`deep_sawtooth`'s
    output on :math:`[0, 1]` (:math:`L` = ``depth``).

    Unit ``i`` bends at :math:`x = i/2^L`. The sawtooth starts
    with slope :math:`s = 2^L` and turns down at every peak (odd
    ``i``, slope change :math:`-2s`) and up at every valley (even ``i``,
    :math:`+2s`). One hidden layer of :math:`k` units bends at most :math:`k`
    times, so no shallow network does it with fewer than :math:`2^L - 1`.

    >>> evaluate_relu(shallow_sawtooth(2), [0.125, 0.25, 0.5]).tolist()
    [0.5, 1.0, 0.0]
    """
    depth = check_int("depth", depth, lo=1, hi=MAX_SAWTOOTH_DEPTH)
    k = 2**depth
    i = np.arange(k)
    change = np.where(i % 2 == 1, -2.0 * k, 2.0 * k)
    change[0] = k  # the first unit sets the first slope
    return ReluNet("one hidden layer", (np.ones((k, 1)),), (-i / k,), change, 0.0)


def evaluate_relu(net: ReluNet, x) -> np.ndarray:
    """The output of ``net`` at each input in ``x`` (a 1-D array of real numbers)."""
    check_instance("net", net, ReluNet)
    x = check_array("x", x, ndim=1).astype(np.float64)
    return _relu_forward(net, x)[0]


def linear_pieces(net: ReluNet, n_points: int = 2**14) -> Pieces:
    """Evaluate ``net`` on ``n_points`` points of :math:`[0, 1]` and count its straight pieces.

    A *linear region* (here, a straight piece) is a stretch of input on which
    every unit stays on or stays off, so the network is one straight line there.
    The grid is :math:`x_k = (k + 1/2)/n` with ``n = n_points``; a new piece starts
    between two neighbours whose on/off patterns differ. Pieces narrower than
    the grid spacing can be missed, so the count is exact only when every piece
    holds a grid point (for the sawtooth networks, when ``n_points`` is at least
    :math:`2^L`).
    """
    check_instance("net", net, ReluNet)
    n = check_int("n_points", n_points, lo=1, hi=MAX_GRID_POINTS)
    x = (np.arange(n) + 0.5) / n
    y, pattern = _relu_forward(net, x)
    new = np.any(pattern[1:] != pattern[:-1], axis=1)
    piece = np.concatenate([[0], np.cumsum(new)]).astype(np.int64)
    return Pieces(x, y, piece, int(piece[-1]) + 1, net.n_units, net.depth)


def _relu_forward(net: ReluNet, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outputs ``(len(x),)`` and on/off patterns ``(len(x), n_units)`` of ``net`` at ``x``."""
    a = x[:, None]
    on = []
    for w, b in zip(net.weights, net.biases):
        z = a @ w.T + b
        on.append(z > 0)
        a = np.maximum(z, 0.0)
    return a @ net.out_weights + net.out_bias, np.concatenate(on, axis=1)


# --------------------------------------------------------------------------- helpers


def _odd_patterns(n: int) -> np.ndarray:
    """All n-bit 0/1 rows with an odd number of ones (there are 2**(n-1))."""
    rows = []
    for k in range(1, n + 1, 2):
        for ones in combinations(range(n), k):
            row = np.zeros(n, dtype=np.int8)
            row[list(ones)] = 1
            rows.append(row)
    return np.asarray(rows, dtype=np.int8).reshape(-1, n)


def _input_bitsets(n: int) -> np.ndarray:
    """Bitsets of x_0..x_{n-1} and their negations over all 2**n inputs."""
    j = np.arange(2**n, dtype=np.uint64)
    bits = ((j[None, :] >> np.arange(n, dtype=np.uint64)[:, None]) & np.uint64(1)).astype(np.uint8)
    words = max(1, 2**n // 64)
    packed = np.zeros((n, words * 8), dtype=np.uint8)
    p = np.packbits(bits, axis=1, bitorder="little")
    packed[:, : p.shape[1]] = p
    pos = packed.view(np.uint64)
    return np.concatenate([pos, ~pos])


def _evaluate_bitsets(circuit: Circuit, n: int) -> np.ndarray:
    inputs = _input_bitsets(n)
    words = inputs.shape[1]
    total = 2 * n + circuit.n_gates
    signals = np.empty((total + 1, words), dtype=np.uint64)
    signals[: 2 * n] = inputs
    signals[total] = ~np.uint64(0)  # all-ones row: what a padded (-1) input reads
    pos = 2 * n
    budget = 8 << 20  # bytes gathered at a time: a wide gate's inputs come in slices too
    for layer in circuit.layers:
        idx = np.where(layer == _UNUSED, total, layer)
        gates, fan_in = idx.shape
        cols = max(1, min(fan_in, budget // (8 * words)))  # inputs per gather
        rows = max(1, budget // (8 * words * cols))  # gates per gather
        for start in range(0, gates, rows):
            out = signals[pos + start : pos + min(start + rows, gates)]
            out[...] = ~np.uint64(0)
            for c in range(0, fan_in, cols):
                part = idx[start : start + rows, c : c + cols]
                np.bitwise_and(out, np.bitwise_and.reduce(signals[part], axis=1), out=out)
            np.invert(out, out=out)  # NAND: not (all inputs)
        pos += gates
    return signals
