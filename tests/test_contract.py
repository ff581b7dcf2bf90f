"""One contract for every public vgp_lib callable (issue 12, point 3).

Bad input raises ``ValueError``/``TypeError`` naming the parameter, within 5 s; otherwise the
result is finite. The cases and the harness live in ``tests/contract.py``; this file asserts them.

Defects not fixed yet are listed, case by case, in :data:`KNOWN_GAPS`: the contract test fails on
any *new* gap and on a listed gap that has been fixed (take it off the list). Regenerate the list
after fixing defects with ``PYTHONPATH=$PWD .venv/bin/python tests/contract.py --write-gaps``.
"""

from __future__ import annotations

import contract
import pytest

#: Public callables without a generated call yet (they draw figures, build widgets or grade
#: exercises). A public callable that is in neither this list nor contract.VALID fails
#: test_every_public_callable_is_covered.
UNCOVERED = frozenset({
    'vgp_lib.exercises.grading.CallRecord',
    'vgp_lib.exercises.grading.NotLiteral',
    'vgp_lib.exercises.grading.assert_matches',
    'vgp_lib.exercises.grading.assert_within_stated_precision',
    'vgp_lib.exercises.grading.print_expected',
    'vgp_lib.exercises.grading.record_calls',
    'vgp_lib.exercises.grading.to_literal',
    'vgp_lib.exercises.Criterion',
    'vgp_lib.exercises.Exactly',
    'vgp_lib.exercises.Exactly.accepts',
    'vgp_lib.exercises.Exactly.tolerance',
    'vgp_lib.exercises.Feedback',
    'vgp_lib.exercises.Outcome',
    'vgp_lib.exercises.Pair',
    'vgp_lib.exercises.Pair.accepts',
    'vgp_lib.exercises.Precision',
    'vgp_lib.exercises.Precision.accepts',
    'vgp_lib.exercises.Precision.near',
    'vgp_lib.exercises.Relative',
    'vgp_lib.exercises.Relative.accepts',
    'vgp_lib.exercises.Relative.near',
    'vgp_lib.exercises.Relative.tolerance',
    'vgp_lib.exercises.SignificantFigures',
    'vgp_lib.exercises.SignificantFigures.accepts',
    'vgp_lib.exercises.SignificantFigures.near',
    'vgp_lib.exercises.SignificantFigures.rounded',
    'vgp_lib.exercises.SignificantFigures.tolerance',
    'vgp_lib.exercises.Within',
    'vgp_lib.exercises.Within.accepts',
    'vgp_lib.exercises.Within.near',
    'vgp_lib.exercises.Within.tolerance',
    'vgp_lib.exercises.as_number',
    'vgp_lib.exercises.chain.check_four_layer_gradient',
    'vgp_lib.exercises.chain.check_vanish_depth',
    'vgp_lib.exercises.chain.four_layer_chain',
    'vgp_lib.exercises.chain.four_layer_gradient',
    'vgp_lib.exercises.chain.vanish_depth',
    'vgp_lib.exercises.check',
    'vgp_lib.exercises.circuits.Bit',
    'vgp_lib.exercises.circuits.Circuit',
    'vgp_lib.exercises.circuits.Circuit.nand',
    'vgp_lib.exercises.circuits.Circuit.owns',
    'vgp_lib.exercises.circuits.Circuit.structure',
    'vgp_lib.exercises.circuits.Circuit.value',
    'vgp_lib.exercises.circuits.NotAGate',
    'vgp_lib.exercises.circuits.chain_depth',
    'vgp_lib.exercises.circuits.check_chain_depth',
    'vgp_lib.exercises.circuits.check_xor_from_nand',
    'vgp_lib.exercises.close_to',
    'vgp_lib.exercises.diagnosing.check_fixed_model',
    'vgp_lib.exercises.diagnosing.check_stuck_layers',
    'vgp_lib.exercises.diagnosing.measure',
    'vgp_lib.exercises.diagnosing.mystery_batch',
    'vgp_lib.exercises.diagnosing.mystery_model',
    'vgp_lib.exercises.diagnosing.true_stuck',
    'vgp_lib.exercises.exploding.balanced_weight',
    'vgp_lib.exercises.exploding.check_balanced_weight',
    'vgp_lib.exercises.exploding.check_float32_overflow_depth',
    'vgp_lib.exercises.exploding.float32_overflow_depth',
    'vgp_lib.exercises.how_far',
    'vgp_lib.exercises.mnist.check_shrink_factor',
    'vgp_lib.exercises.mnist.check_speed_ratio',
    'vgp_lib.exercises.mnist.shrink_factor',
    'vgp_lib.exercises.mnist.speed_ratio',
    'vgp_lib.exercises.not_attempted',
    'vgp_lib.exercises.out_of_time',
    'vgp_lib.exercises.pending',
    'vgp_lib.exercises.raised',
    'vgp_lib.exercises.read_number',
    'vgp_lib.exercises.remedies.balance_ratio',
    'vgp_lib.exercises.remedies.check_clip',
    'vgp_lib.exercises.remedies.check_tanh_scale',
    'vgp_lib.exercises.run_limited',
    'vgp_lib.exercises.show',
    'vgp_lib.exercises.unstable.check_identity_layer',
    'vgp_lib.exercises.unstable.check_identity_neuron',
    'vgp_lib.exercises.unstable.check_larger_derivative',
    'vgp_lib.exercises.unstable.check_min_weight',
    'vgp_lib.exercises.unstable.check_widest',
    'vgp_lib.exercises.unstable.check_width_formula',
    'vgp_lib.exercises.unstable.min_weight',
    'vgp_lib.exercises.unstable.widest',
    'vgp_lib.plots.bound.draw_factor_and_width',
    'vgp_lib.plots.bound.plot_balance',
    'vgp_lib.plots.bound.plot_balance_spread',
    'vgp_lib.plots.bound.plot_factor_interval',
    'vgp_lib.plots.bound.plot_identity_error',
    'vgp_lib.plots.bound.plot_ratio_spread',
    'vgp_lib.plots.bound.plot_width_curve',
    'vgp_lib.plots.chain.draw_chain_profile',
    'vgp_lib.plots.style.blank_figure',
    'vgp_lib.plots.style.legend_above',
    'vgp_lib.plots.style.legend_beside',
    'vgp_lib.plots.chain.plot_activation_derivative',
    'vgp_lib.plots.chain.plot_bias_gradients',
    'vgp_lib.plots.chain.plot_factors',
    'vgp_lib.plots.chain.plot_precision_growth',
    'vgp_lib.plots.chain.plot_ratio_histogram',
    'vgp_lib.plots.chain.plot_routes',
    'vgp_lib.plots.circuits.plot_circuit_shape',
    'vgp_lib.plots.circuits.plot_gate_counts',
    'vgp_lib.plots.diagrams.draw_chain',
    'vgp_lib.plots.diagrams.draw_circuit',
    'vgp_lib.plots.diagrams.draw_gru_cell',
    'vgp_lib.plots.diagrams.draw_network_bars',
    'vgp_lib.plots.diagrams.draw_residual_block',
    'vgp_lib.plots.diagrams.format_number',
    'vgp_lib.plots.get_axes',
    'vgp_lib.plots.mnist.depth_table',
    'vgp_lib.plots.mnist.init_speed_table',
    'vgp_lib.plots.mnist.plot_accuracy_curves',
    'vgp_lib.plots.mnist.plot_depth_accuracy',
    'vgp_lib.plots.mnist.plot_init_speeds',
    'vgp_lib.plots.mnist.plot_neuron_gradients',
    'vgp_lib.plots.mnist.plot_speed_profile',
    'vgp_lib.plots.mnist.plot_training_speeds',
    'vgp_lib.plots.monitor.plot_gradient_record',
    'vgp_lib.plots.monitor.plot_norm_history',
    'vgp_lib.plots.monitor.plot_training_trace',
    'vgp_lib.plots.remedies.plot_activation_comparison',
    'vgp_lib.plots.remedies.plot_clipping',
    'vgp_lib.plots.remedies.plot_depth_sweep',
    'vgp_lib.plots.remedies.plot_derivatives',
    'vgp_lib.plots.remedies.plot_gradient_profiles',
    'vgp_lib.plots.remedies.plot_time_gradients',
    'vgp_lib.plots.remedies.plot_training_comparison',
    'vgp_lib.plots.remedies.plot_variance_profiles',
    'vgp_lib.plots.scrub.compress_png',
    'vgp_lib.plots.scrub.render_frame',
    'vgp_lib.plots.scrub.slider',
    'vgp_lib.plots.style.covered_data',
    'vgp_lib.plots.style.figure',
    'vgp_lib.plots.style.house_style',
    'vgp_lib.plots.style.png_bytes',
    'vgp_lib.plots.style.show',
    'vgp_lib.plots.style.show_source',
    'vgp_lib.plots.style.smallest_text_pt',
    'vgp_lib.plots.style.styled',
    'vgp_lib.plots.style.visible_texts',
    'vgp_lib.widgets.LiveFigure',
    'vgp_lib.widgets.bound.factor_explorer',
    'vgp_lib.widgets.chain.chain_explorer',
    'vgp_lib.widgets.chain.exploding_explorer',
    'vgp_lib.widgets.circuits.gate_count_explorer',
    'vgp_lib.widgets.mnist.speed_explorer',
    'vgp_lib.widgets.remedies.architecture_configurator',
    'vgp_lib.widgets.show',
})


def test_every_public_callable_is_covered():
    public = set(contract.public_callables())
    covered = {n for n, make in contract.VALID.items() if make is not None}
    missing = sorted(public - covered - set(contract.SKIPPED) - UNCOVERED)
    assert not missing, f"public callables with no valid call in tests/contract.py VALID: {missing}"
    stale = sorted((set(contract.VALID) | set(contract.SKIPPED) | UNCOVERED) - public)
    assert not stale, f"listed but not public (renamed or removed?): {stale}"


def test_a_message_names_a_parameter_as_a_whole_word():
    assert contract.names("y", "y must hold labels in [0, 9]")
    assert not contract.names("y", "ufunc did not contain a loop with signature matching types")
    assert contract.names("n", "n must be an integer >= 1, got 0")


@pytest.fixture(scope="module")
def results():
    return contract.run_all()


@pytest.mark.contract
def test_valid_calls_return_finite_results(results):
    broken = [(r["name"], r["kind"], r["message"]) for r in results
              if r["param"] is None and r["kind"] != "accepted"]
    assert not broken


@pytest.mark.contract
def test_bad_input_keeps_the_contract_except_the_listed_gaps(results):
    gaps = {(r["name"], r["param"], r["value"]): r["kind"] for r in results
            if r["param"] is not None and r["kind"] not in contract.KEPT}
    new = sorted(f"{n}({p}={v}): {k}" for (n, p, v), k in gaps.items() if (n, p, v) not in KNOWN_GAPS)
    assert not new, f"{len(new)} new contract violations:\n" + "\n".join(new[:60])
    fixed = sorted(f"{n}({p}={v})" for (n, p, v) in KNOWN_GAPS if (n, p, v) not in gaps)
    assert not fixed, "fixed: take these off KNOWN_GAPS:\n" + "\n".join(fixed[:60])


def _gaps(table):
    return frozenset((name, param, value) for name, params in table.items()
                     for param, values in params.items() for value in values.split())


# BEGIN KNOWN_GAPS (generated by `tests/contract.py --write-gaps`; edit by fixing code, not by hand)
KNOWN_GAPS = _gaps({
})
# END KNOWN_GAPS
