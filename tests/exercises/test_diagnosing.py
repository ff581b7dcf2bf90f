"""Self-checks of the chapter *Diagnosing a real model*."""

import json

import pytest
import torch
from torch import nn

from vgp_lib.exercises.diagnosing import (
    THRESHOLD,
    check_fixed_model,
    check_stuck_layers,
    measure,
    mystery_batch,
    mystery_model,
    true_stuck,
)
from vgp_lib.models import build_mlp
from vgp_lib.monitor import GradientMonitor


def _reference_answer():
    model = mystery_model()
    x, y = mystery_batch()
    with GradientMonitor(model) as mon:
        nn.functional.cross_entropy(model(x), y).backward()
    norms = mon.record().weight_norm[0]
    return [n for n, v in zip(mon.names, norms) if v < THRESHOLD * norms.max()]


def test_reference_solution_passes_and_the_problem_is_real():
    answer = _reference_answer()
    assert check_stuck_layers(answer).correct
    assert tuple(answer) == true_stuck()
    assert answer[0] == "inp" and 3 <= len(answer) <= 10  # several layers, from the input side


def test_stuck_typical_wrong_answers():
    answer = _reference_answer()
    fb = check_stuck_layers(answer[:1])
    assert not fb.correct and "missing" in fb.message and "all the layers" in fb.hint
    fb = check_stuck_layers(answer + ["out"])
    assert not fb.correct and "not stuck" in fb.message and "out" not in fb.message
    fb = check_stuck_layers(list(range(len(answer))))
    assert not fb.correct and "names" in fb.hint
    fb = check_stuck_layers(["layer1"])
    assert not fb.correct and "no layer is called 'layer1'" in fb.message
    assert check_stuck_layers(...).status == "not attempted"
    assert not check_stuck_layers(3.5).correct


def test_fixed_model_reference_passes():
    fixed = build_mlp(n_in=32, width=48, n_out=10, depth=11, activation="relu", init="he", seed=0)
    assert check_fixed_model(fixed).correct
    bn = build_mlp(
        n_in=32, width=48, n_out=10, depth=11, activation="sigmoid", norm="batch", seed=0
    )
    assert check_fixed_model(bn).correct


def test_fixed_model_typical_wrong_answers():
    fb = check_fixed_model(mystery_model())
    assert not fb.correct and "still stuck" in fb.message
    shallow = build_mlp(n_in=32, width=48, n_out=10, depth=2, activation="relu", init="he", seed=0)
    fb = check_fixed_model(shallow)
    assert not fb.correct and "keep at least 12" in fb.message
    exploding = build_mlp(
        n_in=32, width=48, n_out=10, depth=11, activation="tanh", init="he", gain=2.5, seed=0
    )
    fb = check_fixed_model(exploding)
    assert not fb.correct and "grows" in fb.message
    fb = check_fixed_model(nn.Linear(5, 10))
    assert not fb.correct and "failed on a batch" in fb.message
    assert not check_fixed_model("model").correct
    assert check_fixed_model(...).status == "not attempted"


def test_measure_records_one_pass_of_every_layer():
    rec = measure(mystery_model())
    assert rec.weight_norm.shape == (1, 12) and rec.names[0] == "inp" and rec.names[-1] == "out"
    assert torch.get_num_threads() >= 1


# --------------------------------------------------------------------------- regressions


class _NoWeights(nn.Module):
    def forward(self, x):
        return torch.zeros(len(x), 10, dtype=x.dtype)


class _NoGrad(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = build_mlp(
            n_in=32, width=48, n_out=10, depth=11, activation="relu", init="he", seed=0
        )

    def forward(self, x):
        with torch.no_grad():
            return self.net(x)


def test_model_without_weights_is_explained_not_raised():
    """Regression: a model without parameters (or weight matrices) made the check raise."""
    fb = check_fixed_model(_NoWeights())
    assert not fb.correct and "no weights" in fb.message


def test_model_with_a_no_grad_forward_is_explained_not_raised():
    """Regression: backward() on an output without grad_fn raised RuntimeError in the check."""
    fb = check_fixed_model(_NoGrad())
    assert not fb.correct and "no_grad" in fb.hint


def test_model_whose_forward_never_returns_is_stopped():
    class Forever(nn.Module):
        def forward(self, x):
            while True:
                pass

    fb = check_fixed_model(Forever(), time_limit=0.3)
    assert not fb.correct and "did not return" in fb.message


def test_model_gradients_are_left_as_they_were():
    model = build_mlp(n_in=32, width=48, n_out=10, depth=11, activation="relu", init="he", seed=0)
    assert check_fixed_model(model).correct
    assert all(p.grad is None for p in model.parameters())


def test_wrong_stuck_sets_do_not_give_the_answer_away():
    answer = _reference_answer()
    everything = list(
        mystery_model().state_dict()
    )  # parameter names, to build the full list of layers
    layers = sorted({name.rsplit(".", 1)[0] for name in everything})
    fb = check_stuck_layers(layers)
    assert not fb.correct
    for name in set(layers) - set(answer):
        assert (
            name not in fb.message + fb.hint
        )  # naming the layers that are not stuck would reveal the rest
    assert str(len(answer)) not in fb.message
    fb = check_stuck_layers(answer[:2])
    assert str(len(answer) - 2) not in fb.message and "missing" in fb.message


@pytest.mark.parametrize(
    "kwargs, param",
    [
        (dict(n=-1), "n"),
        (dict(n=10**9), "n"),
        (dict(n=2.5), "n"),
        (dict(n_in=None), "n_in"),
    ],
)
def test_mystery_batch_refuses_bad_sizes_by_name(kwargs, param):
    with pytest.raises((TypeError, ValueError), match=rf"\b{param} must"):
        mystery_batch(**kwargs)


# ------------------------------------------------------------- depth along the computation


class _Parallel(nn.Module):
    """Twelve weight layers, each applied to the input, summed: 12 layers, but depth 1."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(32, 10, dtype=torch.float64) for _ in range(12))

    def forward(self, x):
        return sum(layer(x) for layer in self.layers)


def _reference_model():
    return build_mlp(n_in=32, width=48, n_out=10, depth=11, activation="relu", init="he", seed=0)


def test_layers_side_by_side_are_not_a_deep_model():
    fb = check_fixed_model(_Parallel())
    assert fb.status == "incorrect"
    assert "12 weight layers" in fb.message and "1 deep" in fb.message
    assert "side by side" in fb.message and "previous one's output" in fb.hint


def test_a_shallow_chain_beside_a_deep_sum_is_measured_by_its_chain():
    class Mixed(nn.Module):
        def __init__(self):
            super().__init__()
            self.chain = build_mlp(n_in=32, width=48, n_out=10, depth=5, seed=0)
            self.side = _Parallel()

        def forward(self, x):
            return self.chain(x) + self.side(x)

    fb = check_fixed_model(Mixed())
    assert fb.status == "incorrect" and "6 deep" in fb.message


def _round_trip(model):
    data = check_fixed_model.to_data(model)
    return check_fixed_model.from_data(json.loads(json.dumps(data)))


def test_the_reference_model_is_graded_right_after_a_round_trip():
    rebuilt = _round_trip(_reference_model())
    assert type(rebuilt) is nn.Sequential
    assert check_fixed_model(rebuilt).correct
    # the same layers, names and numbers
    original = dict(_reference_model().named_parameters())
    again = dict(rebuilt.named_parameters())
    assert original.keys() == again.keys()
    assert all(torch.equal(original[k], again[k]) for k in original)


def test_a_batch_norm_sequential_comes_back_in_the_same_mode_and_dtype():
    model = nn.Sequential(
        nn.Linear(32, 48),
        nn.BatchNorm1d(48),
        nn.GELU(approximate="tanh"),
        nn.Sequential(nn.Linear(48, 48, bias=False), nn.LayerNorm(48), nn.LeakyReLU(0.1)),
        nn.Linear(48, 10),
    ).eval()
    model[0].weight.data[0, 0] = float("nan")
    rebuilt = _round_trip(model)
    assert not rebuilt.training and rebuilt[3][2].negative_slope == 0.1
    assert rebuilt[0].weight.dtype == torch.float32 and rebuilt[3][0].bias is None
    assert str(rebuilt) == str(model)
    state, again = model.state_dict(), rebuilt.state_dict()
    assert all(
        torch.equal(
            state[k],
            again[k],
        )
        or k == "0.weight"
        for k in state
    )
    assert torch.isnan(again["0.weight"][0, 0])


def test_a_parallel_model_is_refused_after_a_round_trip_too():
    rebuilt = _round_trip(_Parallel())
    fb = check_fixed_model(rebuilt)
    assert fb.status == "incorrect" and "nn.Sequential" in fb.hint
    assert "could not be rebuilt" in fb.message


@pytest.mark.parametrize(
    "make, status",
    [
        (_reference_model, "correct"),
        (_Parallel, "incorrect"),
        (mystery_model, "incorrect"),  # stuck layers; not a Sequential either
        (lambda: build_mlp(n_in=32, width=48, n_out=10, depth=2, seed=0), "incorrect"),
        (lambda: nn.Linear(5, 10), "incorrect"),
        (lambda: ..., "not attempted"),
        (lambda: "model", "incorrect"),
    ],
)
def test_the_check_judges_the_handed_in_data_as_the_model(make, status):
    assert check_fixed_model(make()).status == status
    assert check_fixed_model(_round_trip(make())).status == status


def test_a_healthy_model_that_is_no_sequential_is_told_to_be_one():
    class Fixed(nn.Module):  # the mystery model's shape, with ReLU and He weights
        def __init__(self):
            super().__init__()
            self.net = _reference_model()

        def forward(self, x):
            return self.net(x)

    fb = check_fixed_model(Fixed())
    assert fb.status == "incorrect" and "gradients are healthy" in fb.message
    assert "nn.Sequential" in fb.hint
    assert "problem" in check_fixed_model.to_data(Fixed())


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"model": {"type": "Conv2d", "training": True, "args": {}, "tensors": {}}},
        {"model": {"type": "Sequential", "training": True, "children": [["a.b", None]]}},
        {"model": {"type": "Linear", "training": True, "args": {"in_features": 1}, "tensors": {}}},
        {"problem": "right", "status": "correct"},
        {"model": {"type": "__import__", "training": True}},
    ],
)
def test_handed_in_data_that_is_no_model_is_refused(data):
    assert check_fixed_model(check_fixed_model.from_data(data)).status == "incorrect"


def test_to_data_never_raises_on_a_hostile_model():
    class Hostile(nn.Module):
        def named_children(self):
            raise SystemExit("bye")

        def __getattr__(self, name):
            raise SystemExit("bye")

    assert "problem" in check_fixed_model.to_data(Hostile())
