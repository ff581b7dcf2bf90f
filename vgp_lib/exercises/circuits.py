"""Self-checks for the exercises of the chapter *Why depth?*."""

from __future__ import annotations

import itertools

from ..circuits import depths_closed_form
from . import CORRECT, INCORRECT, Feedback, as_number, close_to, not_attempted, pending


def check_xor_from_nand(xor) -> Feedback:
    """Check a student's ``xor(a, b, nand)`` that may use only the given ``nand``.

    The function is run on all four inputs with a counting NAND. Right answers
    with more than four NANDs pass, with a hint that four suffice; right answers
    with fewer than four must be using other operations, and fail.
    """
    ex = "ex-circuits-xor"
    if not_attempted(xor):
        return pending(ex, "a function xor(a, b, nand)")
    if not callable(xor):
        return Feedback(ex, INCORRECT, f"expected a function xor(a, b, nand), got {type(xor).__name__}.")
    calls = []

    def nand(*inputs):
        if not inputs or any(v not in (0, 1, True, False) for v in inputs):
            raise ValueError("nand takes one or more bits (0 or 1)")
        calls.append(len(inputs))
        return 0 if all(inputs) else 1

    wrong, counts = [], []
    for a, b in itertools.product((0, 1), repeat=2):
        calls.clear()
        try:
            out = xor(a, b, nand)
        except Exception as err:  # a student's bug: report it, don't crash the notebook
            return Feedback(ex, INCORRECT, f"xor({a}, {b}, nand) raised {type(err).__name__}: {err}.")
        counts.append(len(calls))
        if out is Ellipsis:
            return pending(ex, "the body of xor(a, b, nand)")
        if out not in (0, 1) or int(out) != a ^ b:
            wrong.append(f"xor({a}, {b}) = {out!r}, expected {a ^ b}")
    if wrong:
        hint = "XOR is 1 when exactly one input is 1; start from t = nand(a, b)."
        if len(wrong) == 4:
            hint = "Every output is flipped: you built XNOR; one more NAND (or a different last gate) fixes it."
        return Feedback(ex, INCORRECT, "; ".join(wrong) + ".", hint)
    most = max(counts)
    if min(counts) < 4:
        return Feedback(
            ex,
            INCORRECT,
            f"the outputs are right, but some inputs used only {min(counts)} NAND gate(s): "
            "XOR of two bits needs at least four, so the function must be using other operations.",
            "Use nothing but calls to nand(...): no ^, !=, not, and, or, if.",
        )
    if most > 4:
        return Feedback(ex, CORRECT, f"right on all four inputs, using up to {most} NAND gates.",
                        "Four NANDs are enough: reuse t = nand(a, b) in both branches.")
    return Feedback(ex, CORRECT, f"right on all four inputs with {most} NAND gates, the minimum.")


def check_chain_depth(n: int, answer) -> Feedback:
    """Check the depth of a *chain* of XORs (each made of 3 NAND layers) for n bits."""
    ex = "ex-circuits-chain"
    value, problem = as_number(ex, answer, "the depth of the chained circuit (a whole number of layers)")
    if problem:
        return problem
    chain = 3 * (n - 1)
    tree = depths_closed_form(n)[1]
    return close_to(
        ex,
        value,
        chain,
        rtol=1e-12,
        what=f"depth of a chain of XORs for n = {n}",
        hints=[
            (n - 1, "That counts XOR gates along the chain; each XOR is three layers of NANDs."),
            (tree, "That is the depth of the balanced tree; a chain adds one XOR at a time."),
            (3 * n, "A chain of n bits needs n - 1 XORs, not n."),
        ],
    )
