"""Self-checks for the exercises of the chapter *Why depth?*."""

from __future__ import annotations

import itertools
import time

from .._validate import check_int
from ..circuits import depths_closed_form
from . import (
    CORRECT,
    INCORRECT,
    TIME_LIMIT,
    Criterion,
    Exactly,
    Feedback,
    as_number,
    check,
    close_to,
    not_attempted,
    out_of_time,
    pending,
    raised,
    run_limited,
    show,
)


class NotAGate(TypeError):
    """Raised when a student's XOR treats a bit as anything but an input of ``nand``."""


class Bit:
    """A wire of the student's circuit: it can be passed to ``nand(...)`` and to nothing else.

    Its value is kept by the :class:`Circuit` that made it, not on the bit, so
    the only way to combine bits is a NAND gate: ``^``, ``==``, ``if``,
    ``int()`` and the like raise :class:`NotAGate`.
    """

    __slots__ = ()
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "<bit>"


def _refuse(symbol):
    def refuse(self, *args):
        raise NotAGate(f"a bit supports nothing but nand(...): `{symbol}` is not available")

    return refuse


for _name, _symbol in {
    "__bool__": "if/and/or/not",
    "__eq__": "==",
    "__ne__": "!=",
    "__lt__": "<",
    "__le__": "<=",
    "__gt__": ">",
    "__ge__": ">=",
    "__int__": "int()",
    "__index__": "int()",
    "__float__": "float()",
    "__complex__": "complex()",
    "__xor__": "^",
    "__rxor__": "^",
    "__and__": "&",
    "__rand__": "&",
    "__or__": "|",
    "__ror__": "|",
    "__invert__": "~",
    "__neg__": "-",
    "__pos__": "+",
    "__abs__": "abs()",
    "__add__": "+",
    "__radd__": "+",
    "__sub__": "-",
    "__rsub__": "-",
    "__mul__": "*",
    "__rmul__": "*",
    "__truediv__": "/",
    "__rtruediv__": "/",
    "__floordiv__": "//",
    "__rfloordiv__": "//",
    "__mod__": "%",
    "__rmod__": "%",
    "__pow__": "**",
    "__rpow__": "**",
    "__lshift__": "<<",
    "__rlshift__": "<<",
    "__rshift__": ">>",
    "__rrshift__": ">>",
}.items():
    setattr(Bit, _name, _refuse(_symbol))
del _name, _symbol


class Circuit:
    """The gates one call of the student's ``xor(a, b, nand)`` builds, with the value on every
    wire.
    """

    def __init__(self, a: int, b: int):
        check_int("a", a, lo=0, hi=1)
        check_int("b", b, lo=0, hi=1)
        self._wires = {}  # id(bit) -> (bit, value, inputs); keeping the bit keeps its id unique
        self.calls = 0
        self.a, self.b = self._wire(a, "a"), self._wire(b, "b")

    def _wire(self, value, inputs):
        bit = Bit()
        self._wires[id(bit)] = (bit, value, inputs)
        return bit

    def nand(self, *inputs):
        """NAND of one or more inputs: bits of this circuit, or the constants 0 and 1."""
        if not inputs:
            raise ValueError("nand takes one or more bits")
        for v in inputs:
            if not (self.owns(v) or (type(v) in (int, bool) and v in (0, 1))):
                raise ValueError(
                    "nand takes bits (a, b or outputs of nand) or the constants 0 and 1, got "
                    f"{show(v)}"
                )
        self.calls += 1
        values = [self._wires[id(v)][1] if type(v) is Bit else int(v) for v in inputs]
        return self._wire(0 if all(values) else 1, inputs)

    def owns(self, v) -> bool:
        """Is ``v`` a wire of this circuit? Any object may be asked (a student's return value)."""
        return type(v) is Bit and id(v) in self._wires and self._wires[id(v)][0] is v

    def _own(self, bit):
        if not self.owns(bit):
            raise TypeError(
                f"bit must be a wire of this circuit (a, b or an output of its nand), "
                f"got {show(bit)}"
            )

    def value(self, bit) -> int:
        """The value, 0 or 1, on the wire ``bit``."""
        self._own(bit)
        return self._wires[id(bit)][1]

    def structure(self, bit) -> tuple:
        """The gates feeding ``bit``, in the order they were made: ``((input, ...), ...)``.

        An input is ``"a"``, ``"b"``, a constant, or the index of an earlier gate
        of the tuple. Two calls built the same circuit when their structures agree.
        """
        self._own(bit)
        cone, stack = set(), [bit]
        while stack:
            v = stack.pop()
            inputs = self._wires[id(v)][2]
            if isinstance(inputs, tuple) and id(v) not in cone:
                cone.add(id(v))
                stack += [u for u in inputs if type(u) is Bit]
        order = [key for key in self._wires if key in cone]
        index = {key: i for i, key in enumerate(order)}

        def name(u):
            if type(u) is not Bit:
                return int(u)
            inputs = self._wires[id(u)][2]
            return inputs if isinstance(inputs, str) else index[id(u)]

        return tuple(tuple(name(u) for u in self._wires[key][2]) for key in order)


@check(
    "ex-circuits-xor", Criterion("exact: XOR on all four inputs, built only from nand(...) gates")
)
def check_xor_from_nand(xor, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check a student's ``xor(a, b, nand)`` that may use only the given ``nand``.

    The function runs on all four inputs with bits (:class:`Bit`) that can
    do nothing but go into ``nand``, so a right answer *is* a NAND circuit:
    no ``^``, ``!=``, ``if`` or lookup can reach the values. The circuit must
    be the same for every input (a circuit cannot remember earlier calls).
    The check reports the number of gates feeding the output; four is the
    minimum, and unused gates are pointed out. ``time_limit`` bounds the
    seconds all four calls may take together.
    """
    ex = "ex-circuits-xor"
    if not_attempted(xor):
        return pending(ex, "a function xor(a, b, nand)")
    if not callable(xor):
        return Feedback(
            ex,
            INCORRECT,
            f"the answer must be a function xor(a, b, nand), got {type(xor).__name__}.",
        )
    deadline = time.monotonic() + time_limit
    wrong, gates, unused, shapes = [], [], 0, set()
    for a, b in itertools.product((0, 1), repeat=2):
        circuit = Circuit(a, b)
        call = f"xor({a}, {b}, nand)"
        run = run_limited(
            lambda circuit=circuit: xor(circuit.a, circuit.b, circuit.nand),
            deadline - time.monotonic(),
        )
        if run.timed_out:
            return out_of_time(ex, call, time_limit)
        if isinstance(run.error, NotAGate):
            return Feedback(
                ex,
                INCORRECT,
                raised(call, run.error) + ".",
                "Use nothing but calls to nand(...): no ^, !=, ==, not, and, or, if. "
                "Every gate of the circuit is a nand(...) whose inputs are a, b or earlier gates.",
            )
        if run.error is not None:
            return Feedback(ex, INCORRECT, raised(call, run.error) + ".")
        out = run.value
        if out is Ellipsis:
            return pending(ex, "the body of xor(a, b, nand)")
        if not circuit.owns(out):
            return Feedback(
                ex,
                INCORRECT,
                f"{call} returned {show(out)}, not a wire of the circuit.",
                "Return the output of the last nand(...) gate.",
            )
        structure = circuit.structure(out)
        shapes.add(structure)
        gates.append(len(structure))
        unused = max(unused, circuit.calls - len(structure))
        if circuit.value(out) != a ^ b:
            wrong.append(f"xor({a}, {b}) gave {circuit.value(out)} where XOR gives {a ^ b}")
    if len(shapes) > 1:
        return Feedback(
            ex,
            INCORRECT,
            "the function built a different circuit for different inputs.",
            "A circuit is fixed wiring: make the same nand(...) calls every time, "
            "without remembering earlier calls or drawing random numbers.",
        )
    if wrong:
        hint = "XOR is 1 when exactly one input is 1; start from t = nand(a, b)."
        if len(wrong) == 4:
            hint = (
                "Every output is flipped: you built XNOR; one more NAND (or a different last gate) "
                "fixes it."
            )
        return Feedback(ex, INCORRECT, "; ".join(wrong) + ".", hint)
    n = gates[0]
    drop = f"{unused} more nand(...) call(s) do not feed the output: drop them." if unused else ""
    if n > 4:
        return Feedback(
            ex,
            CORRECT,
            f"right on all four inputs, using {n} NAND gates.",
            " ".join(
                filter(
                    None, ["Four NANDs are enough: reuse t = nand(a, b) in both branches.", drop]
                )
            ),
        )
    minimum = ", the minimum" if n == 4 else ""
    return Feedback(ex, CORRECT, f"right on all four inputs with {n} NAND gates{minimum}.", drop)


def chain_depth(n: int) -> int:
    """Depth of a chain of n - 1 XORs of three NAND layers each (the reference of
    ``ex-circuits-chain``).
    """
    check_int("n", n, lo=1)
    return 3 * (n - 1)


@check("ex-circuits-chain", Exactly(), reference=chain_depth)
def check_chain_depth(n: int, answer) -> Feedback:
    """Check the depth of a *chain* of XORs (each made of 3 NAND layers) for n bits."""
    ex = "ex-circuits-chain"
    value, problem = as_number(
        ex, answer, "the depth of the chained circuit (a whole number of layers)"
    )
    if problem:
        return problem
    try:
        tree = depths_closed_form(n)[1]
    except (TypeError, ValueError) as err:
        return Feedback(
            ex, INCORRECT, f"the check needs n, the number of bits (a whole number ≥ 1): {err}."
        )
    if value != int(value):
        return Feedback(ex, INCORRECT, f"a depth is a whole number of layers, got {value!r}.")
    return close_to(
        ex,
        value,
        chain_depth(n),
        precision=check_chain_depth.rule,
        what=f"depth of a chain of XORs for n = {n}",
        hints=[
            (n - 1, "That counts XOR gates along the chain; each XOR is three layers of NANDs."),
            (tree, "That is the depth of the balanced tree; a chain adds one XOR at a time."),
            (3 * n, "A chain of n bits needs n - 1 XORs, not n."),
        ],
    )
