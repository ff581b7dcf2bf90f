"""Self-checks for the exercises of the chapter *Why depth?*.

Longer than most modules (over 500 lines) for one reason: the XOR-from-NAND check judges
a student's circuit by its wiring, so it carries its own small netlist recorder
(:class:`Bit`, :class:`Wiring`) that no other module needs.
"""

from __future__ import annotations

import itertools
import time

from .._validate import check_int
from ..circuits import depths_closed_form
from . import (
    CORRECT,
    INCORRECT,
    LET_THROUGH,
    NOT_ATTEMPTED,
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
    short_repr,
)

#: Most gates one call of the student's ``xor`` may make (a few are needed).
MAX_GATES = 10_000


class NotAGate(TypeError):
    """Raised when a student's XOR treats a bit as anything but an input of ``nand``."""


class Bit:
    """A wire of the student's circuit: it can be passed to ``nand(...)`` and to nothing else.

    It carries no value: the :class:`Wiring` that made it records only how it
    is wired, and the check evaluates that wiring itself. So the only way to
    combine bits is a NAND gate: ``^``, ``==``, ``if``, ``int()`` and the like
    raise :class:`NotAGate`.
    """

    __slots__ = ()
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "<bit>"


def _refuse(symbol):
    def refuse(self, *args):
        raise NotAGate(f"a bit supports nothing but nand(...): {symbol} is not available")

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


class Wiring:
    """The gates one call of the student's ``xor(a, b, nand)`` builds: its wiring (a netlist).

    (Not :class:`vgp_lib.circuits.Circuit`, the library's layered NAND circuits.)

    The circuit records the wiring only. ``nand`` is a plain function (no
    ``__self__``) that sees the wiring and nothing else, and the values of the
    inputs stay with the circuit, so the student's code can reach no value to
    change: :meth:`value` evaluates the recorded NAND gates afresh from ``a``
    and ``b``, and a wiring changed by hand is either refused or judged as the
    circuit it now describes.
    """

    def __init__(self, a: int, b: int):
        check_int("a", a, lo=0, hi=1)
        check_int("b", b, lo=0, hi=1)
        self._values = {"a": int(a), "b": int(b)}
        # id(bit) -> (bit, inputs): inputs is "a" or "b" for an input, else the tuple of the
        # gate's inputs (bits and the constants 0 and 1); keeping the bit keeps its id unique
        self._wires = {}
        self.a, self.b = Bit(), Bit()
        self._wires[id(self.a)] = (self.a, "a")
        self._wires[id(self.b)] = (self.b, "b")
        self.nand = _nand_for(self._wires)

    @property
    def calls(self) -> int:
        """How many gates ``nand`` made."""
        return len(self._wires) - 2

    def owns(self, v) -> bool:
        """Is ``v`` a wire of this circuit? Any object may be asked (a student's return value)."""
        entry = self._wires.get(id(v)) if type(v) is Bit else None
        return type(entry) is tuple and len(entry) == 2 and entry[0] is v

    def _own(self, bit):
        if not self.owns(bit):
            raise TypeError(
                f"bit must be a wire of this circuit (a, b or an output of its nand), "
                f"got {short_repr(bit)}"
            )

    def _netlist(self, bit) -> tuple[tuple, str | int]:
        """``(gates, output)``: every gate made, in order, and the name of the wire ``bit``.

        A gate is the tuple of its inputs' names: ``"a"``, ``"b"``, the constants
        ``"0"`` and ``"1"``, or the index of an earlier gate. Raises ValueError if
        the recorded wiring is no longer a netlist (changed by hand).
        """
        self._own(bit)
        index = {}
        for key, entry in list(self._wires.items()):
            if (
                type(key) is not int
                or type(entry) is not tuple
                or len(entry) != 2
                or id(entry[0]) != key
            ):
                raise ValueError("the circuit's wiring was changed by hand")
            wire, inputs = entry
            if wire is self.a or wire is self.b:
                if type(inputs) is not str or inputs != ("a" if wire is self.a else "b"):
                    raise ValueError("the circuit's inputs were rewired by hand")
                continue
            index[key] = len(index)
        gates = []
        for key, i in index.items():
            inputs = self._wires[key][1]
            if type(inputs) is not tuple or not inputs:
                raise ValueError("the circuit's wiring was changed by hand")
            gates.append(tuple(self._name(u, index, i) for u in inputs))
        return tuple(gates), self._name(bit, index, len(index))

    def _name(self, u, index, before):
        if type(u) is int and u in (0, 1):
            return str(u)
        if u is self.a or u is self.b:
            return "a" if u is self.a else "b"
        i = index.get(id(u)) if type(u) is Bit and self.owns(u) else None
        if i is None or i >= before:  # a gate fed by itself or by a later gate
            raise ValueError("the circuit's wiring was changed by hand")
        return i

    def value(self, bit) -> int:
        """The value, 0 or 1, on the wire ``bit``: the recorded gates evaluated from a and b."""
        gates, output = self._netlist(bit)
        return _evaluate(gates, output, self._values["a"], self._values["b"])

    def structure(self, bit) -> tuple:
        """The gates feeding ``bit``, in the order they were made: ``((input, ...), ...)``.

        An input is ``"a"``, ``"b"``, a constant ``"0"`` or ``"1"``, or the index of
        an earlier gate of the tuple. Two calls built the same circuit when their
        structures agree.
        """
        return _cone(*self._netlist(bit))[0]


def _nand_for(wires: dict):
    """The ``nand`` handed to the student: a plain function that adds gates to ``wires``."""

    def nand(*inputs):
        """NAND of one or more inputs: bits of this circuit, or the constants 0 and 1."""
        if not inputs:
            raise ValueError("nand takes one or more bits")
        for v in inputs:
            entry = wires.get(id(v)) if type(v) is Bit else None
            if not (
                (type(entry) is tuple and len(entry) == 2 and entry[0] is v)
                or (type(v) in (int, bool) and v in (0, 1))
            ):
                raise ValueError(
                    "nand takes bits (a, b or outputs of nand) or the constants 0 and 1, got "
                    f"{short_repr(v)}"
                )
        if len(wires) >= MAX_GATES + 2:
            raise ValueError(f"a circuit of more than {MAX_GATES:,} gates is too large to check")
        bit = Bit()
        wires[id(bit)] = (bit, tuple(v if type(v) is Bit else int(v) for v in inputs))
        return bit

    return nand


def _evaluate(gates, output, a: int, b: int) -> int:
    """The value of the wire ``output`` of the NAND netlist ``gates`` (see
    :meth:`Wiring._netlist`) for the inputs ``a`` and ``b``: plain arithmetic on the names.
    """
    values = []
    for gate in gates:
        ins = [
            a if u == "a" else b if u == "b" else int(u) if type(u) is str else values[u]
            for u in gate
        ]
        values.append(0 if all(ins) else 1)
    return a if output == "a" else b if output == "b" else values[output]


def _cone(gates, output) -> tuple[tuple, str | int]:
    """``(structure, output)``: the gates feeding ``output`` only, numbered again in order."""
    if type(output) is str:
        return (), output
    cone, stack = set(), [output]
    while stack:
        i = stack.pop()
        if i not in cone:
            cone.add(i)
            stack += [u for u in gates[i] if type(u) is int]
    order = sorted(cone)
    new = {old: k for k, old in enumerate(order)}
    structure = tuple(tuple(new[u] if type(u) is int else u for u in gates[i]) for i in order)
    return structure, new[output]


class _Unread:
    """What :func:`_xor_from_data` gives for an answer that was no netlist: the check reports
    ``message`` and ``hint`` again (never as correct).
    """

    __slots__ = ("status", "message", "hint")

    def __init__(self, status: str, message: str, hint: str = ""):
        self.status = status if status == NOT_ATTEMPTED else INCORRECT
        self.message, self.hint = message, hint

    def __repr__(self) -> str:
        return "<answer that could not be read>"


def _trace(xor, time_limit: float):
    """The netlists ``xor`` builds for the inputs 00, 01, 10, 11, each ``(gates, output)``
    (see :meth:`Wiring._netlist`) with the calls it made, or the Feedback saying why not.
    """
    ex = "ex-circuits-xor"
    if type(xor) is _Unread:
        return Feedback(ex, xor.status, xor.message, xor.hint)
    if not_attempted(xor):
        return pending(ex, "a function xor(a, b, nand)")
    if not callable(xor):
        return Feedback(
            ex,
            INCORRECT,
            f"the answer must be a function xor(a, b, nand), got {type(xor).__name__}.",
        )
    deadline = time.monotonic() + time_limit
    netlists = []
    for a, b in itertools.product((0, 1), repeat=2):
        circuit = Wiring(a, b)
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
                f"{call} returned {short_repr(out)}, not a wire of the circuit.",
                "Return the output of the last nand(...) gate.",
            )
        try:
            netlists.append(circuit._netlist(out))
        except ValueError as err:
            return Feedback(
                ex,
                INCORRECT,
                f"{call}: {err}.",
                "Build the circuit with calls to nand(...) only, and leave its wiring alone.",
            )
    return netlists


def _judge(netlists) -> Feedback:
    """The verdict on the four netlists of :func:`_trace`: each evaluated afresh from a, b."""
    ex = "ex-circuits-xor"
    wrong, gates, unused, shapes = [], [], 0, set()
    for (a, b), (netlist, output) in zip(itertools.product((0, 1), repeat=2), netlists):
        structure = _cone(netlist, output)
        shapes.add(structure)
        gates.append(len(structure[0]))
        unused = max(unused, len(netlist) - len(structure[0]))
        got = _evaluate(netlist, output, a, b)
        if got != a ^ b:
            wrong.append(f"xor({a}, {b}) gave {got} where XOR gives {a ^ b}")
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


@check(
    "ex-circuits-xor", Criterion("exact: XOR on all four inputs, built only from nand(...) gates")
)
def check_xor_from_nand(xor, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check a student's ``xor(a, b, nand)`` that may use only the given ``nand``.

    The function runs on all four inputs with bits (:class:`Bit`) that can
    do nothing but go into ``nand``, so a right answer *is* a NAND circuit:
    no ``^``, ``!=``, ``if`` or lookup can reach the values. The bits carry no
    values at all: the check records the netlist each call builds and
    evaluates its NAND gates itself, from a and b. The circuit must be the
    same for every input (a circuit cannot remember earlier calls). The check
    reports the number of gates feeding the output; four is the minimum, and
    unused gates are pointed out. ``time_limit`` bounds the seconds all four
    calls may take together.

    For grading in another process, ``check_xor_from_nand.to_data(xor)`` gives
    the netlists as plain data and ``check_xor_from_nand.from_data(data)`` an
    answer the check judges as it judged ``xor``.
    """
    traced = _trace(xor, time_limit)
    return traced if isinstance(traced, Feedback) else _judge(traced)


def _xor_to_data(xor) -> dict:
    """``xor`` as plain data (run in the student's kernel; never raises).

    ``{"netlists": [{"gates": [[input, ...], ...], "output": wire}, ...]}``, one
    netlist for each of the inputs 00, 01, 10, 11, naming wires as
    :meth:`Wiring._netlist` does; or ``{"problem": message, "hint": ..., "status":
    ...}`` with the check's own words when the answer is no such function
    (not attempted, not callable, raises, returns no wire...).
    """
    try:
        traced = _trace(xor, TIME_LIMIT)
        if isinstance(traced, Feedback):
            return {"problem": traced.message, "hint": traced.hint, "status": traced.status}
        return {
            "netlists": [
                {"gates": [list(gate) for gate in gates], "output": output}
                for gates, output in traced
            ]
        }
    except LET_THROUGH:
        raise
    except BaseException as err:  # noqa: BLE001 - never raises on an answer
        return {"problem": f"the answer could not be read ({type(err).__name__})."}


def _xor_from_data(data):
    """An answer rebuilt from :func:`_xor_to_data`'s ``data`` (run by the grader): a function
    ``xor(a, b, nand)`` whose k-th call makes exactly the gates of the k-th netlist with the
    ``nand`` it is given, or an object the check reports as the original was reported. Data
    that is neither gives an answer the check refuses. Never runs code from the data.
    """
    try:
        return _rebuild(data)
    except Exception:  # noqa: BLE001 - whatever the data, the grader gets an answer to refuse
        return _Unread(INCORRECT, "the handed-in answer is not a description of XOR circuits.")


def _rebuild(data):
    if type(data) is not dict:
        raise TypeError
    if "problem" in data:
        texts = [data.get(key, "") for key in ("problem", "hint", "status")]
        if not all(type(t) is str for t in texts):
            raise TypeError
        return _Unread(texts[2], texts[0], texts[1])
    netlists = data["netlists"]
    if type(netlists) is not list or len(netlists) != 4:
        raise ValueError
    plain = []
    for netlist in netlists:
        gates, output = netlist["gates"], netlist["output"]
        if type(gates) is not list or len(gates) > MAX_GATES:
            raise ValueError
        for i, gate in enumerate(gates):
            if type(gate) is not list or not gate or not all(_wire_name(u, i) for u in gate):
                raise ValueError
        if output in ("0", "1") or not _wire_name(output, len(gates)):
            raise ValueError
        plain.append((tuple(tuple(gate) for gate in gates), output))
    calls = itertools.count()

    def xor(a, b, nand):
        gates, output = plain[next(calls) % 4]
        wires = []

        def wire(u):
            return a if u == "a" else b if u == "b" else int(u) if type(u) is str else wires[u]

        for gate in gates:
            wires.append(nand(*[wire(u) for u in gate]))
        return wire(output)

    return xor


def _wire_name(u, before: int) -> bool:
    """Is ``u`` the name of a wire a gate numbered ``before`` may take as input?"""
    if type(u) is str:
        return u in ("a", "b", "0", "1")
    return type(u) is int and 0 <= u < before


check_xor_from_nand.to_data = _xor_to_data
check_xor_from_nand.from_data = _xor_from_data


def chain_depth(n: int) -> int:
    """Depth of a chain of n - 1 XORs of three NAND layers each (the reference of
    ``ex-circuits-chain``).
    """
    check_int("n", n, lo=1)
    return 3 * (n - 1)


@check("ex-circuits-chain", Exactly())
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
            (
                n - 1,
                "That counts XOR gates along the chain, not layers of NAND gates: revisit how "
                "many layers one XOR takes.",
            ),
            (tree, "That is the depth of the balanced tree; a chain adds one XOR at a time."),
            (3 * n, "Count the XORs along the chain again: the first one takes two bits at once."),
        ],
    )
