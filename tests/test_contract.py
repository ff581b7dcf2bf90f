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
    'vgp_lib.balance.BalanceStudy': {
        'activations': 'None int',
        'weight_scales': 'str None str-array complex-array nan-array inf-array object-array',
        'depth': 'str None nan inf',
        'tolerance': 'str None nan inf -inf complex',
        'log10_ratio': 'str None str-array complex-array nan-array inf-array object-array',
        'max_derivative': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.balance.RatioSample': {
        'depth': 'str None nan inf',
        'lower': 'str None nan inf',
        'upper': 'str None nan inf',
        'log10_ratio': 'str None str-array complex-array nan-array inf-array object-array',
        'abs_factors': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.bound.FactorInterval': {
        'w': 'str None nan inf -inf complex',
        'b': 'str None nan inf -inf complex',
        'a': 'str None str-array complex-array nan-array inf-array object-array',
        'factor': 'str None str-array complex-array nan-array inf-array object-array',
        'endpoints': 'str None str-array complex-array nan-array inf-array object-array',
        'width': 'str None nan inf -inf complex',
        'width_grid': 'str None nan inf -inf complex',
        'peak': 'str None nan inf -inf complex',
    },
    'vgp_lib.bound.WidthCurve': {
        'w': 'str None str-array complex-array nan-array inf-array object-array',
        'width': 'str None str-array complex-array nan-array inf-array object-array',
        'w_star': 'str None nan inf -inf complex',
        'width_max': 'str None nan inf -inf complex',
    },
    'vgp_lib.chain.Chain': {
        'weights': 'str None str-array complex-array nan-array inf-array object-array',
        'biases': 'str None str-array complex-array nan-array inf-array object-array',
        'a0': 'str None nan inf -inf complex',
        'y': 'str None nan inf -inf complex',
        'activation': 'None int',
    },
    'vgp_lib.chain.ChainGradients': {
        'chain': 'None int str dict other wrong-class',
        'z': 'str None str-array complex-array nan-array inf-array object-array',
        'a': 'str None str-array complex-array nan-array inf-array object-array',
        'factors': 'str None str-array complex-array nan-array inf-array object-array',
        'grad': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.chain.Forward': {
        'z': 'str None str-array complex-array nan-array inf-array object-array',
        'a': 'str None str-array complex-array nan-array inf-array object-array',
        'cost': 'str None nan inf -inf complex',
    },
    'vgp_lib.chain.GradientRoutes': {
        'analytic': 'str None str-array complex-array nan-array inf-array object-array',
        'autograd': 'str None str-array complex-array nan-array inf-array object-array',
        'fd': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.chain.PrecisionGradient': {
        'dtype': 'int dict other',
        'grad': 'str None str-array complex-array nan-array inf-array object-array',
        'log10_exact': 'str None str-array complex-array nan-array inf-array object-array',
        'overflow': 'str None str-array complex-array nan-array inf-array object-array',
        'largest': 'str None nan inf -inf complex',
    },
    'vgp_lib.chain.exploding_profile': {
        'w': '0 1e300',
    },
    'vgp_lib.chain.first_overflow_depth': {
        'w': '1e300',
        'a0': '1e300',
        'y': '1e300',
    },
    'vgp_lib.circuits.Circuit': {
        'name': 'None int',
        'n_inputs': 'str None nan inf',
        'layers': 'None int str',
        'output': 'str None nan inf',
    },
    'vgp_lib.circuits.GateCounts': {
        'n': 'str None str-array complex-array nan-array inf-array object-array',
        'two_layer': 'str None str-array complex-array nan-array inf-array object-array',
        'deep': 'str None str-array complex-array nan-array inf-array object-array',
        'two_layer_depth': 'str None str-array complex-array nan-array inf-array object-array',
        'deep_depth': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.clipping.Clipped': {
        'grads': 'str None str-array complex-array nan-array inf-array object-array',
        'norm_before': 'str None nan inf -inf complex',
        'norm_after': 'str None nan inf -inf complex',
        'scale': 'str None nan inf -inf complex',
    },
    'vgp_lib.data.MNIST': {
        'train': 'None int str dict other wrong-class',
        'validation': 'None int str dict other wrong-class',
        'test': 'None int str dict other wrong-class',
    },
    'vgp_lib.data.Split': {
        'x': 'str None str-array complex-array nan-array inf-array object-array',
        'y': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.diagnosis.Diagnosis': {
        'loss_drop': 'str None nan inf -inf complex',
        'update_ratio_first_last': 'str None nan inf -inf complex',
        'grad_ratio_first_last': 'str None nan inf -inf complex',
        'stuck': 'None int str',
        'threshold': 'str None nan inf -inf complex',
    },
    'vgp_lib.diagnosis.TrainingTrace': {
        'losses': 'str None str-array complex-array nan-array inf-array object-array',
        'record': 'None int str dict other wrong-class',
        'update_ratio': 'str None str-array complex-array nan-array inf-array object-array',
        'val_accuracy': 'str None nan inf -inf complex',
    },
    'vgp_lib.diagnosis.accuracy': {
        'model': 'None int str dict other',
        'x': 'str-array complex-array wrong-shape',
        'batch_size': 'str float None nan inf 0',
    },
    'vgp_lib.diagnosis.diagnose': {
        'trace': 'None int str dict other wrong-class',
    },
    'vgp_lib.diagnosis.stuck_layers': {
        'record': 'None int str dict other wrong-class',
    },
    'vgp_lib.diagnosis.train_watched': {
        'x': 'str-array complex-array nan-array inf-array wrong-shape',
        'lr': '1e300',
        'x_val': 'str str-array empty scalar complex-array wrong-shape object-array',
        'y_val': 'str str-array empty scalar complex-array nan-array inf-array huge-array wrong-shape object-array bool-array',
        'show_progress': 'None str',
    },
    'vgp_lib.identity.ErrorCurve': {
        'w1': 'str None str-array complex-array nan-array inf-array object-array',
        'error': 'str None str-array complex-array nan-array inf-array object-array',
        'taylor': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.identity.IdentityLayer': {
        'W1': 'str None str-array complex-array nan-array inf-array object-array',
        'b': 'str None str-array complex-array nan-array inf-array object-array',
        'W2': 'str None str-array complex-array nan-array inf-array object-array',
        'c': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.identity.IdentityNeuron': {
        'w1': 'str None nan inf -inf complex',
        'b': 'str None nan inf -inf complex',
        'w2': 'str None nan inf -inf complex',
        'c': 'str None nan inf -inf complex',
    },
    'vgp_lib.monitor.GradientRecord': {
        'names': 'None int',
        'weight_norm': 'str None str-array complex-array nan-array inf-array object-array',
        'delta_norm': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.monitor.watched_layers': {
        'model': 'None int str dict other',
    },
    'vgp_lib.network.DepthResult': {
        'hidden_layers': 'str None str-array complex-array nan-array inf-array object-array',
        'seeds': 'str None str-array complex-array nan-array inf-array object-array',
        'epochs': 'str None nan inf',
        'accuracy': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.network.Gradients': {
        'nabla_w': 'None int str',
        'nabla_b': 'None int str',
    },
    'vgp_lib.network.Params': {
        'sizes': 'str None str-array complex-array nan-array inf-array object-array',
        'weights': 'None int str',
        'biases': 'None int str',
        'activation': 'None int',
    },
    'vgp_lib.network.TrainResult': {
        'params': 'None int str dict other wrong-class',
        'accuracy': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.network.accuracy': {
        'x': 'None str-array scalar complex-array inf-array',
        'y': 'str None str-array scalar complex-array wrong-shape object-array',
    },
    'vgp_lib.network.backprop': {
        'params': 'None int str dict other wrong-class',
        'x': 'str-array complex-array nan-array inf-array',
        'y': 'str None scalar',
    },
    'vgp_lib.network.check_sizes': {
        'sizes': 'object-array',
    },
    'vgp_lib.network.depth_experiment': {
        'train_data': 'None int empty str nested',
        'validation_data': 'None int empty str nested',
        'hidden_layers': 'None scalar',
        'eta': '1e300',
        'lmbda': '1e300',
        'seeds': 'str None str-array empty scalar complex-array nan-array inf-array huge-array wrong-shape object-array bool-array',
        'show_progress': 'None str',
    },
    'vgp_lib.network.feedforward': {
        'params': 'None int str dict other wrong-class',
        'x': 'str-array complex-array nan-array inf-array',
    },
    'vgp_lib.network.init_params': {
        'sizes': 'object-array',
    },
    'vgp_lib.network.one_hot': {
        'n_classes': '10**400 10**9 10**30',
        'dtype': 'unknown int dict other',
    },
    'vgp_lib.network.sgd_step': {
        'params': 'None int str dict other wrong-class',
        'x': 'str-array complex-array nan-array inf-array',
        'y': 'str None scalar',
        'n': '10**400',
    },
    'vgp_lib.network.train': {
        'eta': '1e300',
        'lmbda': '1e300',
        'evaluation': 'nested',
        'show_progress': 'None str',
        'desc': 'None int',
    },
    'vgp_lib.network.update_mini_batch': {
        'weights': 'None int empty str nested',
        'biases': 'None int empty str nested',
        'x': 'str None str-array empty scalar complex-array nan-array inf-array wrong-shape object-array',
        'y': 'str None str-array empty complex-array nan-array inf-array wrong-shape object-array',
        'scale': 'str None nan inf -inf 10**400 complex',
        'decay': 'str None 10**400 complex',
        'activation': 'None int',
    },
    'vgp_lib.recurrent.TimeGradient': {
        'cell': 'None int',
        'lags': 'str None str-array complex-array nan-array inf-array object-array',
        'norms': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.remedies.ActivationComparison': {
        'names': 'None int',
        'norms': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.remedies.ActivationComparison.median': {
        'name': 'None int unknown empty',
    },
    'vgp_lib.remedies.ChainGradient': {
        'grad_w': 'str None str-array complex-array nan-array inf-array object-array',
        'grad_b': 'str None str-array complex-array nan-array inf-array object-array',
        'loss': 'str None nan inf -inf complex',
    },
    'vgp_lib.remedies.DerivativeCurves': {
        'names': 'None int',
        'z': 'str None str-array complex-array nan-array inf-array object-array',
        'values': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.remedies.GradientProfile': {
        'config': 'None int str dict other',
        'names': 'None int',
        'weight_norm': 'str None str-array complex-array nan-array inf-array object-array',
        'delta_norm': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.remedies.TrainingComparison': {
        'names': 'None int',
        'accuracy': 'str None str-array complex-array nan-array inf-array object-array',
        'weight_norm': 'str None str-array complex-array nan-array inf-array object-array',
        'losses': 'str None str-array complex-array nan-array inf-array object-array',
        'budget': 'None int str dict other',
    },
    'vgp_lib.remedies.TrainingComparison.median_accuracy': {
        'name': 'None int unknown empty',
    },
    'vgp_lib.remedies.VarianceProfile': {
        'activation': 'None int',
        'init': 'None int',
        'gain': 'str None nan inf -inf complex',
        'act_var': 'str None str-array complex-array nan-array inf-array object-array',
        'grad_var': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.remedies.activation_comparison': {
        'activations': 'None int unknown',
        'seed': 'str None',
        'sizes': 'None scalar',
    },
    'vgp_lib.remedies.depth_sweep': {
        'depths': 'str None str-array scalar complex-array nan-array inf-array huge-array wrong-shape object-array bool-array',
    },
    'vgp_lib.remedies.derivative_curves': {
        'names': 'None int unknown',
    },
    'vgp_lib.remedies.exploding_chain': {
        'w': '1e300',
        'y': '1e300',
    },
    'vgp_lib.remedies.gradient_profile': {
        'seed': 'str None',
    },
    'vgp_lib.remedies.init_variance': {
        'width': '10**400 10**9 10**30',
        'batch': '10**400 10**9 10**30',
    },
    'vgp_lib.remedies.training_comparison': {
        'configs': 'int str other',
        'x_train': 'str None str-array empty scalar complex-array nan-array inf-array huge-array wrong-shape object-array',
        'y_train': 'str None str-array empty scalar complex-array nan-array inf-array huge-array wrong-shape object-array bool-array',
        'x_val': 'str None str-array empty scalar complex-array wrong-shape object-array',
        'y_val': 'str None str-array empty scalar complex-array nan-array inf-array huge-array wrong-shape object-array bool-array',
        'lr': '1e300',
        'seed': 'str None',
    },
    'vgp_lib.speeds.InitSpeeds': {
        'profiles': 'None int str',
    },
    'vgp_lib.speeds.NeuronGradients': {
        'sizes': 'str None str-array complex-array nan-array inf-array object-array',
        'seed': 'str None nan inf',
        'gradients': 'str None str-array complex-array nan-array inf-array object-array',
        'speeds': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.speeds.SpeedProfile': {
        'sizes': 'str None str-array complex-array nan-array inf-array object-array',
        'activation': 'None int',
        'init': 'None int',
        'seeds': 'str None str-array complex-array nan-array inf-array object-array',
        'speeds': 'str None str-array complex-array nan-array inf-array object-array',
        'sigma_prime_rms': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.speeds.SpeedProfile.quantiles': {
        'q': 'str None str-array scalar complex-array nan-array inf-array huge-array object-array',
    },
    'vgp_lib.speeds.TrainingSpeeds': {
        'sizes': 'str None str-array complex-array nan-array inf-array object-array',
        'seeds': 'str None str-array complex-array nan-array inf-array object-array',
        'eta': 'str None nan inf -inf complex',
        'lmbda': 'str None nan inf -inf complex',
        'speeds': 'str None str-array complex-array nan-array inf-array object-array',
    },
    'vgp_lib.speeds.bias_gradients': {
        'params': 'None int str dict other wrong-class',
        'x': 'str-array complex-array nan-array inf-array',
        'y': 'str None scalar',
    },
    'vgp_lib.speeds.layer_speeds': {
        'params': 'None int str dict other wrong-class',
        'x': 'str-array complex-array nan-array inf-array',
        'y': 'str None scalar',
    },
    'vgp_lib.speeds.neuron_gradients': {
        'x': 'str-array complex-array nan-array inf-array',
        'y': 'str None scalar',
        'sizes': 'object-array',
    },
    'vgp_lib.speeds.sigma_prime_rms': {
        'params': 'None int str dict other wrong-class',
        'x': 'str-array complex-array nan-array inf-array',
    },
    'vgp_lib.speeds.speed_profile': {
        'x': 'str None str-array empty scalar complex-array nan-array inf-array',
        'y': 'str None scalar',
        'hidden_layers': '10**400 10**9 10**30',
        'width': '10**400 10**9 10**30',
    },
    'vgp_lib.speeds.speeds_at_init': {
        'x': 'str None str-array empty scalar complex-array nan-array inf-array',
        'y': 'str None scalar',
        'hidden_layers': 'None scalar object-array',
        'width': '10**400 10**9 10**30',
        'seeds': 'str None str-array empty scalar complex-array nan-array inf-array huge-array wrong-shape object-array bool-array',
    },
    'vgp_lib.speeds.speeds_during_training': {
        'x': 'str-array complex-array nan-array inf-array',
        'hidden_layers': '10**400 10**9 10**30',
        'width': '10**400 10**9 10**30',
        'steps': '10**400 10**9 10**30',
        'eta': '1e300',
        'lmbda': '1e300',
        'seeds': 'str None str-array empty scalar complex-array nan-array inf-array huge-array wrong-shape object-array bool-array',
        'show_progress': 'None str',
    },
})
# END KNOWN_GAPS
