"""Self-checks of the chapter *Why depth?*: the reference
answers pass, typical mistakes get a specific hint."""

import inspect
import json

import pytest

from booktools.variants import variants
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, Feedback
from vgp_lib.exercises.circuits import check_chain_depth, check_xor_from_nand

# --------------------------------------------------------------------------- XOR from NAND


def xor_reference(a, b, nand):
    t = nand(a, b)
    return nand(nand(a, t), nand(b, t))


def xor_five_nands(a, b, nand):
    # the four-gate circuit, but t = NAND(a, b) computed twice instead of shared
    return nand(nand(a, nand(a, b)), nand(b, nand(a, b)))


def xor_or_and_nand(a, b, nand):
    # (a OR b) AND (a NAND b): six gates
    a_or_b = nand(nand(a), nand(b))
    return nand(nand(a_or_b, nand(a, b)))


def xor_double_negated(a, b, nand):
    t = nand(a, b)
    x = nand(nand(a, t), nand(b, t))
    return nand(nand(x))  # NOT NOT x: still XOR, with six gates


def xnor(a, b, nand):
    t = nand(a, b)
    return nand(nand(nand(a, t), nand(b, t)))  # one NAND too many: the output is inverted


def nand_only(a, b, nand):
    return nand(a, b)  # NAND alone: right on two inputs, wrong on two


def test_reference_xor_passes_with_four_gates():
    fb = check_xor_from_nand(xor_reference)
    assert isinstance(fb, Feedback) and fb.status == CORRECT
    assert "4 NAND" in fb.message and "minimum" in fb.message
    assert fb.hint == ""


def test_five_nands_pass_with_the_hint_that_four_suffice():
    fb = check_xor_from_nand(xor_five_nands)
    assert fb.status == CORRECT
    assert "5 NAND" in fb.message
    assert "Four" in fb.hint


def test_or_and_nand_passes_with_its_gate_count():
    fb = check_xor_from_nand(xor_or_and_nand)
    assert fb.status == CORRECT and "6 NAND" in fb.message and "Four" in fb.hint


def test_double_negation_is_still_xor():
    fb = check_xor_from_nand(xor_double_negated)
    assert fb.status == CORRECT and "6 NAND" in fb.message


def test_xnor_gets_the_flipped_outputs_hint():
    fb = check_xor_from_nand(xnor)
    assert fb.status == INCORRECT
    assert "XNOR" in fb.hint
    assert fb.message.count("where XOR gives") == 4  # all four inputs are listed as wrong


def test_partly_wrong_function_lists_the_wrong_inputs_and_suggests_a_start():
    fb = check_xor_from_nand(nand_only)
    assert fb.status == INCORRECT
    assert (
        "xor(0, 0) gave 1 where XOR gives 0" in fb.message
        and "xor(1, 1) gave 0 where XOR gives 0" not in fb.message
    )
    assert "t = nand(a, b)" in fb.hint


def test_a_crashing_function_is_reported_not_raised():
    def broken(a, b, nand):
        return nand(a, 2)  # not a bit

    fb = check_xor_from_nand(broken)
    assert fb.status == INCORRECT and "ValueError" in fb.message


@pytest.mark.parametrize("answer", [..., None])
def test_untouched_stubs_are_not_attempted(answer):
    assert check_xor_from_nand(answer).status == NOT_ATTEMPTED


def test_stub_function_returning_ellipsis_is_not_attempted():
    def stub(a, b, nand):
        return ...

    assert check_xor_from_nand(stub).status == NOT_ATTEMPTED


def test_non_function_answer_is_explained():
    fb = check_xor_from_nand(4)
    assert fb.status == INCORRECT and "must be a function" in fb.message


# --------------------------------------------------------------------------- chain depth


def test_reference_chain_depth_passes():
    assert check_chain_depth(16, 3 * (16 - 1)).status == CORRECT


@pytest.mark.parametrize(
    "wrong, words",
    [
        (16 - 1, "layers one XOR"),  # counted XOR gates, not NAND layers
        (3 * 4, "balanced tree"),  # depth of the tree: 3 * ceil(log2 16)
        (3 * 16, "two bits at once"),  # n XORs instead of n - 1
    ],
)
def test_typical_wrong_chain_depths_get_specific_hints(wrong, words):
    fb = check_chain_depth(16, wrong)
    assert fb.status == INCORRECT
    assert words in fb.hint


def test_other_wrong_depth_says_which_way_but_not_by_how_much():
    fb = check_chain_depth(16, 90)  # twice the right depth
    assert fb.status == INCORRECT and "too large" in fb.message and fb.hint == ""
    assert "45" not in fb.message and "factor" not in fb.message


@pytest.mark.parametrize("n", [2, 5, 16, 33])
def test_chain_depth_for_other_sizes(n):
    assert check_chain_depth(n, 3 * (n - 1)).correct
    assert not check_chain_depth(n, 3 * (n - 1) + 1).correct


@pytest.mark.parametrize(
    "answer, status",
    [
        (..., NOT_ATTEMPTED),
        (None, NOT_ATTEMPTED),
        (True, INCORRECT),
        ("45", CORRECT),
        ("deep", INCORRECT),
        (float("inf"), INCORRECT),
    ],
)
def test_chain_depth_odd_answers(answer, status):
    assert check_chain_depth(16, answer).status == status


def test_xor_without_nand_gates_is_rejected():
    from vgp_lib.exercises.circuits import check_xor_from_nand

    fb = check_xor_from_nand(lambda a, b, nand: a ^ b)
    assert not fb.correct
    assert ": ^ is not available" in fb.message and "nand" in fb.hint


# --------------------------------------------------------------------------- regressions


def test_dummy_nand_calls_around_a_real_xor_are_rejected():
    """Regression: four dummy nand calls, then `a ^ b`, used to pass."""

    def cheat(a, b, nand):
        for _ in range(4):
            nand(a, b)
        return a ^ b

    fb = check_xor_from_nand(cheat)
    assert not fb.correct and ": ^ is not available" in fb.message


@pytest.mark.parametrize(
    "peek",
    [
        lambda a, b, nand: nand(a, b) if a == b else a,
        lambda a, b, nand: int(a) != int(b),
        lambda a, b, nand: 1 if a else 0,
        lambda a, b, nand: [0, 1, 1, 0][2 * a + b],
    ],
)
def test_functions_that_read_the_bits_are_rejected(peek):
    assert check_xor_from_nand(peek).status == INCORRECT


def test_a_function_that_remembers_earlier_calls_is_rejected():
    outputs = iter([0, 1, 1, 0])  # the truth table, in the order the check asks

    def replay(a, b, nand):
        one = nand(a, nand(a))  # NOT(a AND NOT a) = 1 whatever a is
        return one if next(outputs) else nand(one)

    fb = check_xor_from_nand(replay)
    assert not fb.correct and "different circuit" in fb.message


def test_unused_gates_are_not_counted_but_pointed_out():
    def padded(a, b, nand):
        for _ in range(3):
            nand(a, b)
        return xor_reference(a, b, nand)

    fb = check_xor_from_nand(padded)
    assert fb.correct and "4 NAND gates, the minimum" in fb.message and "3 more" in fb.hint


def test_an_xor_that_never_returns_is_stopped():
    def forever(a, b, nand):
        while True:
            pass

    fb = check_xor_from_nand(forever, time_limit=0.2)
    assert fb.status == INCORRECT and "did not return within 0.2 s" in fb.message


def test_an_xor_returning_a_constant_or_junk_is_explained():
    assert "not a wire" in check_xor_from_nand(lambda a, b, nand: 1).message
    assert "not a wire" in check_xor_from_nand(lambda a, b, nand: (a, b)).message
    assert "raised" in check_xor_from_nand(lambda a: a).message


def test_the_circuit_and_chain_depth_refuse_bad_arguments_by_name():
    from vgp_lib.exercises.circuits import Wiring, chain_depth

    with pytest.raises(ValueError, match=r"\ba must be"):
        Wiring(2, 0)
    with pytest.raises(TypeError, match=r"\bb must be"):
        Wiring(0, "1")
    one, other = Wiring(0, 1), Wiring(0, 1)
    assert not one.owns(other.a) and not one.owns("x")  # owns answers any object
    for method in (one.value, one.structure):
        with pytest.raises(TypeError, match=r"\bbit must be a wire of this circuit"):
            method(other.a)
    with pytest.raises(TypeError, match=r"\bn must be"):
        chain_depth("4")


def test_feedback_never_says_expected():
    """The feedback names the slip; it never uses the word 'expected'."""
    for answer in (xnor, nand_only, 4, lambda a, b, nand: 1):
        assert "expected" not in str(check_xor_from_nand(answer))
    for depth in (15, 12, 48, 90, 45):
        assert "expected" not in str(check_chain_depth(16, depth))


# --------------------------------------------------------------------------- tampering


def test_nand_is_a_plain_function_that_holds_no_value():
    seen = {}

    def spy(a, b, nand):
        seen["nand"] = nand
        return xor_reference(a, b, nand)

    assert check_xor_from_nand(spy).correct
    nand = seen["nand"]
    assert inspect.isfunction(nand) and not hasattr(nand, "__self__")
    # its closure holds the wiring only: no input value the student could flip
    assert not any(type(cell.cell_contents) is int for cell in nand.__closure__ or ())


def test_the_circuit_behind_nand_cannot_be_reached_through_self():
    """Regression: ``nand.__self__`` was the circuit; setting the output's value passed."""

    def cheat(a, b, nand):
        out = nand(a, b)  # NAND, not XOR
        circuit = nand.__self__
        entry = circuit._wires[id(out)]
        circuit._wires[id(out)] = (out, 1 - entry[1], entry[2])
        return out

    fb = check_xor_from_nand(cheat)
    assert fb.status == INCORRECT and "__self__" in fb.message


def _wiring(nand) -> dict:
    (wires,) = [c.cell_contents for c in nand.__closure__ if type(c.cell_contents) is dict]
    return wires


def _relabel_output_as_input(a, b, nand):
    out = nand(a, b)
    _wiring(nand)[id(out)] = (out, "a")
    return out


def _feed_output_to_itself(a, b, nand):
    out = nand(a, b)
    _wiring(nand)[id(out)] = (out, (out, b))
    return out


def _rewire_input_a_to_a_gate(a, b, nand):
    out = nand(a, b)
    _wiring(nand)[id(a)] = (a, (b,))
    return out


def _forget_the_wiring(a, b, nand):
    _wiring(nand).clear()
    return nand(a, b)


def _swap_in_another_wiring(a, b, nand):
    for cell in nand.__closure__:
        cell.cell_contents = {}
    return nand(a, b)


def _junk_in_the_wiring(a, b, nand):
    out = nand(a, b)
    wires = _wiring(nand)
    wires["x"] = (out, (a, b))
    wires[id(out)] = [out, (a, b)]
    return out


@pytest.mark.parametrize(
    "tamper",
    [
        _relabel_output_as_input,
        _feed_output_to_itself,
        _rewire_input_a_to_a_gate,
        _forget_the_wiring,
        _swap_in_another_wiring,
        _junk_in_the_wiring,
    ],
)
def test_tampering_with_the_closure_of_nand_never_passes_a_nand_gate_as_xor(tamper):
    fb = check_xor_from_nand(tamper)
    assert fb.status == INCORRECT, str(fb)
    data = check_xor_from_nand.to_data(tamper)
    assert "problem" in data  # the grader gets the same refusal
    assert check_xor_from_nand(check_xor_from_nand.from_data(data)).status == INCORRECT


# --------------------------------------------------------------------------- grading as plain data


def _padded(a, b, nand):
    for _ in range(3):
        nand(a, b)
    return xor_reference(a, b, nand)


def _replay():
    outputs = iter([0, 1, 1, 0] * 3)

    def replay(a, b, nand):
        one = nand(a, nand(a))
        return one if next(outputs) else nand(one)

    return replay


def _stub(a, b, nand):
    return ...


def _raises(a, b, nand):
    raise RuntimeError("no gates today")


@pytest.mark.parametrize(
    "make",
    [
        lambda: xor_reference,
        lambda: xor_five_nands,
        lambda: xor_double_negated,
        lambda: xnor,
        lambda: nand_only,
        lambda: _padded,
        lambda: lambda a, b, nand: a ^ b,  # no gates at all
        lambda: lambda a, b, nand: a,  # a wire, but no gate
        _replay,  # a different circuit for different inputs
        lambda: _raises,
        lambda: _stub,
        lambda: ...,  # not attempted
        lambda: None,
        lambda: 4,  # not callable
        lambda: lambda a, b, nand: 1,  # no wire
    ],
)
def test_the_check_judges_the_handed_in_data_as_the_function(make):
    direct = check_xor_from_nand(make())
    data = check_xor_from_nand.to_data(make())
    assert json.loads(json.dumps(data)) == data  # plain data, for the grader's process
    rebuilt = check_xor_from_nand.from_data(json.loads(json.dumps(data)))
    graded = check_xor_from_nand(rebuilt)
    assert (graded.status, graded.message, graded.hint) == (
        direct.status,
        direct.message,
        direct.hint,
    )


def test_the_data_of_a_right_xor_is_its_netlist():
    data = check_xor_from_nand.to_data(xor_reference)
    gates = [["a", "b"], ["a", 0], ["b", 0], [1, 2]]
    assert data == {"netlists": [{"gates": gates, "output": 3}] * 4}


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"netlists": []},
        {"netlists": [{"gates": [["a", "b"]], "output": 0}] * 4},  # a NAND gate, well formed
        {"netlists": [{"gates": [["a", 1]], "output": 0}] * 4},  # feeds itself
        {"netlists": [{"gates": [["a", "c"]], "output": 0}] * 4},
        {"netlists": [{"gates": [], "output": "1"}] * 4},
        {"netlists": [{"gates": [[True, "b"]], "output": 0}] * 4},
        {
            "problem": "right on all four inputs with 4 NAND gates, the minimum.",
            "status": "correct",
        },
        {"problem": 3},
    ],
)
def test_handed_in_data_that_is_no_xor_is_refused(data):
    assert check_xor_from_nand(check_xor_from_nand.from_data(data)).status == INCORRECT


def test_to_data_never_raises():
    class Hostile:
        def __call__(self, *args):
            raise SystemExit("bye")

    assert "problem" in check_xor_from_nand.to_data(Hostile())


def test_chain_depth_variants_have_their_own_answers():
    book, *others = variants("circuits", "CHAIN_BITS")
    assert book == 16
    depths = [3 * (n - 1) for n in (book, *others)]  # the chapter's reference solution
    assert len(set(depths)) == len(depths), depths
    for n, depth in zip(others, depths[1:]):
        assert check_chain_depth(n=n, answer=depth).status == CORRECT, n
        assert check_chain_depth(n=n, answer=depths[0]).status == INCORRECT, n
