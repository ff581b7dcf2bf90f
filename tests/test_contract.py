"""The contract of vgp_lib's public surface (see ``booktools/contract.py``), asserted.

Bad input raises ``ValueError``/``TypeError`` naming the parameter within the time limit;
otherwise the result is finite; an exercise's check answers every answer with feedback. There
is no list of tolerated exceptions. To see every case and its outcome, run
``.venv/bin/python -m booktools.contract --out F.json``.
"""

from __future__ import annotations

import pytest

from booktools import contract


def test_every_table_entry_names_a_public_callable():
    contract.public_callables()
    public = {a for names in contract.ALIASES.values() for a in names}
    tables = {
        "CALLS": set(contract.CALLS),
        "SKIPPED": set(contract.SKIPPED),
        "ANY_OBJECT": {name for name, _ in contract.ANY_OBJECT},
        "NONFINITE": set(contract.NONFINITE),
    }
    stale = {t: sorted(names - public) for t, names in tables.items() if names - public}
    assert not stale, f"listed but not public (renamed or removed?): {stale}"


def test_the_surface_leaves_out_results_methods_and_exceptions():
    objs = contract.public_callables()
    assert "vgp_lib.chain.make_chain" in objs and "vgp_lib.models.Block" in objs
    assert "vgp_lib.models.MLP" not in objs  # only build_mlp builds one
    assert "vgp_lib.chain.ChainGradients" not in objs  # a result: the library builds it
    assert "vgp_lib.data.MNISTCorruptError" not in objs
    assert not any(name.count(".") > 1 and name.split(".")[-2][0].isupper() for name in objs)


def test_a_message_names_a_parameter_as_a_whole_word():
    assert contract.names("y", "y must hold labels in [0, 9]")
    assert not contract.names("y", "ufunc did not contain a loop with signature matching types")
    assert contract.names("n", "n must be an integer >= 1, got 0")


@pytest.fixture(scope="module")
def prepared():
    return contract.prepare()


@pytest.fixture(scope="module")
def results(prepared):
    return contract.run_all(prepared=prepared)


@pytest.mark.contract
def test_every_public_callable_has_a_valid_call(prepared):
    _, _, missing = prepared
    assert not missing, (
        "public callables with no valid call (give the parameter a default, a doctest, a rule "
        f"in PARAMETERS or an entry in CALLS of booktools/contract.py): {missing}"
    )


@pytest.mark.contract
def test_valid_calls_return_finite_results(results):
    broken = [
        (r["name"], r["kind"], r["message"])
        for r in results
        if r["param"] is None and r["kind"] != "accepted"
    ]
    assert not broken


@pytest.mark.contract
def test_every_bad_call_keeps_the_contract(results):
    gaps = sorted(
        f"{r['name']}({r['param']}={r['value']}): {r['kind']}: {r['message'][:120]}"
        for r in results
        if r["param"] is not None and r["kind"] not in contract.KEPT
    )
    assert not gaps, f"{len(gaps)} contract violations:\n" + "\n".join(gaps[:60])


@pytest.mark.contract
def test_no_call_runs_longer_than_the_limit(results):
    slow = [(r["name"], r["param"], r["value"]) for r in results if r["kind"] == "timeout"]
    assert not slow, f"calls over {contract.LIMIT_S} s: {slow}"
