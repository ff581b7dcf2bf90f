"""The contract every public ``vgp_lib`` callable keeps, tried one bad argument at a time.

The promise (README, CONTRIBUTING): given bad input, a public function raises
``ValueError``/``TypeError`` whose message names the parameter, within 5 s;
otherwise it returns a finite, valid result.

This module enumerates the public callables (``pkgutil`` over the package; a
module's ``__all__`` if it has one, else its own names without a leading
underscore; public methods with parameters of public classes; constructors),
builds one valid call for each from :data:`VALID` (tiny inputs, results made by
the real compute functions), and then replaces one parameter at a time by bad
values chosen by the kind of the valid value (:func:`bad_values`). Each call runs
in a forked worker with a 5 s limit, so a hang cannot block the run, and is
classified (:data:`KINDS`).

Run it: ``.venv/bin/python -m booktools.contract --out /tmp/contract.json``.
``tests/test_contract.py`` asserts the contract over the same table.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("VGP_STATIC_BUILD", "1")  # no progress bars

import argparse
import copy
import dataclasses
import importlib
import inspect
import json
import math
import multiprocessing
import numbers
import pkgutil
import re
import resource
import signal
import sys
import time
import warnings
from collections import Counter
from functools import cached_property
from multiprocessing.connection import wait

import numpy as np

import vgp_lib

LIMIT_S = 5.0

# The book's build tooling, on its way out of the package: not science.
TOOLING = ("edition", "course", "exercise_index", "sphinx_ext", "sphinx_frames")

#: How a call can end. ``ok-named``, ``accepted`` and ``feedback`` keep the promise.
#: An exercise's check keeps its own: it never raises on an answer (``feedback``: it returned
#: one), and never calls a wrong answer right (``accepted-wrong``); a check that raises is a gap.
KINDS = (
    "ok-named",
    "accepted",
    "feedback",
    "unnamed",
    "accepted-bad-type",
    "accepted-wrong",
    "nan",
    "timeout",
)
KEPT = ("ok-named", "accepted", "feedback")
#: The exercises' checks: ``vgp_lib.exercises.check`` and every ``check_*`` of an exercise module.
CHECK = re.compile(r"vgp_lib\.exercises\.(\w+\.)?check(_\w+)?$")
#: Parameters that take any object by design, with the documented reason: a value of another type
#: is an input they describe or report, not a bad input (an exception from them is still a gap).
ANY_OBJECT = {
    ("vgp_lib.exercises.show", "obj"): "a short repr of any student value",
    ("vgp_lib.exercises.type_name", "obj"): "the class name of any student value",
    ("vgp_lib.exercises.low_precision", "x"): "says which values are float32 or less; any "
    "other value is None",
    ("vgp_lib.exercises.not_attempted", "answer"): "is any answer still the placeholder?",
    ("vgp_lib.exercises.read_number", "x"): "reads any answer; says what a non-number is instead",
    ("vgp_lib.exercises.read_pair", "answer"): "reads any answer; says what a non-pair is instead",
    ("vgp_lib.exercises.as_number", "answer"): "reads any answer; non-numbers get 'expected a "
    "number, got ...' feedback",
    ("vgp_lib.exercises.Outcome", "value"): "whatever the student's code returned, NaN included",
    ("vgp_lib.exercises.circuits.Circuit.owns", "v"): "is a student's return value a wire?",
    ("vgp_lib.exercises.handin.to_data", "value"): "any answer becomes data; other objects are "
    "described by type, repr and float()",
    ("vgp_lib.exercises.handin.from_data", "data"): "None, bools, numbers and strs are data as "
    "they are; anything else must be tagged data",
}


# -- enumeration -----------------------------------------------------------------------------------
def public_modules():
    """Names of the package's modules, without private ones and the build tooling."""
    names = ["vgp_lib"]
    for info in pkgutil.walk_packages(vgp_lib.__path__, "vgp_lib."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]) or parts[-1] in TOOLING:
            continue
        names.append(info.name)
    return sorted(names)


def _public_names(mod):
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [
            n
            for n, o in vars(mod).items()
            if not n.startswith("_") and getattr(o, "__module__", None) == mod.__name__
        ]
    return [n for n in names if callable(getattr(mod, n, None))]


def _takes_parameters(fn) -> bool:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    return any(p.name != "self" for p in params)


def public_callables():
    """``{qualified name: object}`` for every public callable (functions, classes, methods)."""
    out = {}
    for modname in public_modules():
        mod = importlib.import_module(modname)
        for name in _public_names(mod):
            obj = getattr(mod, name)
            if getattr(obj, "__module__", modname) != modname and "__all__" not in vars(mod):
                continue
            out[f"{modname}.{name}"] = obj
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for mname, member in vars(obj).items():
                    if mname.startswith("_") or not inspect.isfunction(member):
                        continue
                    if _takes_parameters(member):
                        out[f"{modname}.{name}.{mname}"] = member
    return out


# -- valid inputs ----------------------------------------------------------------------------------
class Resources:
    """Tiny valid inputs and results made by the real compute calls (each built once)."""

    @cached_property
    def chain(self):
        from vgp_lib.chain import make_chain

        return make_chain([1.0, 2.0, 0.5], [0.1, -0.2, 0.3])

    @cached_property
    def xy(self):  # network / speeds data: rows are examples
        rng = np.random.default_rng(1)
        return rng.random((9, 6)), rng.integers(0, 10, 9)

    @cached_property
    def xy2(self):  # a two-class task for the torch models
        rng = np.random.default_rng(0)
        x = rng.standard_normal((24, 4))
        return x, (x[:, 0] > 0).astype(np.int64)

    @cached_property
    def params(self):
        from vgp_lib.network import init_params

        return init_params((6, 4, 10), seed=0)

    @staticmethod
    def ax():
        """Fresh house-style axes (the figure is not registered with pyplot: nothing to close)."""
        from vgp_lib.plots import figure

        return figure(height=2.0)[1]

    @staticmethod
    def axes(n=2):
        from vgp_lib.plots import figure

        return figure(n, 1, height=3.0)[1]

    @staticmethod
    def fig():
        from vgp_lib.plots.style import blank_figure

        return blank_figure(3.0)

    def mlp(self):
        from vgp_lib.models import build_mlp

        return build_mlp(n_in=4, width=5, n_out=2, depth=3, seed=0)

    @cached_property
    def trace(self):
        from vgp_lib.monitor import train_watched

        x, y = self.xy2
        return train_watched(
            self.mlp(), x, y, epochs=1, batch_size=8, lr=0.1, seed=0, x_val=x, y_val=y
        )

    @cached_property
    def random_net(self):
        from vgp_lib.jacobian import random_network

        return random_network(
            width=4, depth=3, activation="tanh", sigma_w2=1.5, sigma_b2=0.1, seed=0
        )

    @cached_property
    def samples(self):
        """One instance of every public result class (by qualified name)."""
        from vgp_lib import (
            activations,
            balance,
            bound,
            chain,
            circuits,
            clipping,
            identity,
            jacobian,
            meanfield,
            monitor,
            network,
            precision,
            profiles,
            recurrent,
            speeds,
        )

        x, y = self.xy
        ch = self.chain
        net = self.random_net
        s = {
            "vgp_lib.meanfield.MeanField": meanfield.mean_field("tanh", 1.5, 0.1),
            "vgp_lib.meanfield.PhaseGrid": meanfield.phase_grid("tanh", [0.5, 2.0], [0.0, 0.1]),
            "vgp_lib.jacobian.RandomNetwork": net,
            "vgp_lib.jacobian.LayerValues": jacobian.forward(net, np.ones(net.width)),
            "vgp_lib.jacobian.GradientFlow": jacobian.gradient_flow(
                activation="tanh", sigma_w2=1.5, sigma_b2=0.1, width=4, depth=5, n_seeds=1, seed=0
            ),
            "vgp_lib.jacobian.Spectrum": jacobian.spectrum(
                activation="tanh",
                sigma_w2=1.0,
                sigma_b2=0.0,
                width=4,
                depths=(1, 3),
                weights="gaussian",
                seed=0,
            ),
            "vgp_lib.jacobian.PhaseMeasurement": jacobian.measured_phase(
                "tanh", [0.5, 2.0], [0.0], width=4, depth=5, seed=0
            ),
            "vgp_lib.jacobian.NearbyInputs": jacobian.nearby_inputs(
                activation="tanh",
                sigma_w2=1.5,
                sigma_b2=0.1,
                width=4,
                depth=5,
                distance=1e-3,
                n_seeds=1,
                seed=0,
            ),
            "vgp_lib.balance.RatioSample": balance.layer_ratios(5, seed=0),
            "vgp_lib.balance.BalanceStudy": balance.balance_study(
                ("sigmoid",), [0.5, 1.0], depth=3, n_chains=5, seed=0
            ),
            "vgp_lib.bound.FactorInterval": bound.factor_interval(n=11),
            "vgp_lib.bound.WidthCurve": bound.width_curve(n=5),
            "vgp_lib.chain.Chain": ch,
            "vgp_lib.chain.Forward": chain.forward(ch),
            "vgp_lib.chain.ChainGradients": chain.analyse(ch),
            "vgp_lib.precision.PrecisionGradient": precision.grad_b_in_dtype(ch),
            "vgp_lib.chain.GradientRoutes": chain.three_routes(ch),
            "vgp_lib.circuits.Circuit": circuits.deep_parity(3),
            "vgp_lib.circuits.GateCounts": circuits.gate_counts([2, 3]),
            "vgp_lib.circuits.ReluNet": circuits.deep_sawtooth(2),
            "vgp_lib.circuits.Pieces": circuits.linear_pieces(circuits.deep_sawtooth(2), 64),
            "vgp_lib.clipping.Clipped": clipping.clip_by_global_norm([np.ones(3)], 1.0),
            "vgp_lib.monitor.TrainingTrace": self.trace,
            "vgp_lib.monitor.Diagnosis": monitor.diagnose(self.trace),
            "vgp_lib.identity.IdentityNeuron": identity.identity_neuron(0.01),
            "vgp_lib.identity.ErrorCurve": identity.error_curve(n=5),
            "vgp_lib.identity.IdentityLayer": identity.identity_layer(2),
            "vgp_lib.monitor.GradientRecord": self.trace.record,
            "vgp_lib.network.Params": self.params,
            "vgp_lib.network.Gradients": network.backprop(self.params, x, y),
            "vgp_lib.network.TrainResult": network.train(
                self.params.copy(),
                x,
                y,
                epochs=1,
                mini_batch_size=3,
                eta=0.1,
                lmbda=0.0,
                seed=0,
                evaluation=(x, y),
                show_progress=False,
            ),
            "vgp_lib.network.DepthResult": network.depth_experiment(
                (x, y),
                (x, y),
                hidden_layers=(1,),
                width=3,
                epochs=1,
                mini_batch_size=3,
                seeds=(0,),
                show_progress=False,
            ),
            "vgp_lib.recurrent.TimeGradient": recurrent.gradient_through_time(
                "rnn", hidden=3, steps=4, n_in=2, seed=0
            ),
            "vgp_lib.profiles.ActivationComparison": profiles.activation_comparison(
                ("sigmoid", "relu"), n_seeds=1, seed=0, sizes=(5, 4, 3), batch=4
            ),
            "vgp_lib.activations.DerivativeCurves": activations.derivative_curves(
                ("sigmoid",), [0.0, 1.0]
            ),
            "vgp_lib.profiles.VarianceProfile": profiles.init_variance(
                "tanh", "xavier", depth=3, width=4, batch=4, seed=0
            ),
            "vgp_lib.profiles.GradientProfile": profiles.gradient_profile(
                depth=3, width=4, n_in=4, batch=4, seed=0
            ),
            "vgp_lib.training.TrainingComparison": self.comparison,
            "vgp_lib.speeds.SpeedProfile": speeds.speed_profile(
                x, y, hidden_layers=1, width=3, seed=(0,)
            ),
            "vgp_lib.speeds.InitSpeeds": speeds.speeds_at_init(
                x, y, hidden_layers=(1,), width=3, seeds=range(1)
            ),
            "vgp_lib.speeds.NeuronGradients": speeds.neuron_gradients(
                x, y, sizes=(6, 3, 3, 10), n_neurons=2
            ),
            "vgp_lib.speeds.TrainingSpeeds": speeds.speeds_during_training(
                x, y, hidden_layers=1, width=3, steps=2, seeds=(0,), show_progress=False
            ),
        }
        s["vgp_lib.data.Split"] = __import__("vgp_lib.data").data.Split(x.astype(np.float32), y)
        s["vgp_lib.data.MNIST"] = __import__("vgp_lib.data").data.MNIST(
            *[s["vgp_lib.data.Split"]] * 3
        )
        s["vgp_lib.monitor.GradientMonitor"] = monitor.GradientMonitor(self.mlp())
        s["vgp_lib.plots.style.Drawings"] = __import__("vgp_lib.plots.style").plots.style.drawings(
            self.drawn_fig()
        )
        return s

    @cached_property
    def sweep(self):
        from vgp_lib.profiles import depth_sweep

        return depth_sweep((2, 3), width=4, n_in=4, batch=4, seed=0)

    @cached_property
    def mystery(self):
        from vgp_lib.exercises.diagnosing import mystery_model

        return mystery_model(seed=0)

    @cached_property
    def png(self):
        from vgp_lib.plots.display import png_bytes

        return png_bytes(self.drawn_fig())[0]

    def drawn_fig(self):
        fig = self.fig()
        _draw_line(fig)
        return fig

    def labelled_ax(self):
        ax = self.ax()
        ax.plot([0, 1], [0, 1], label="line")
        return ax

    @cached_property
    def comparison(self):
        from vgp_lib.training import training_comparison

        x, y = self.xy2
        return training_comparison(
            {"relu": dict(depth=2, activation="relu")},
            x[:16],
            y[:16],
            x[16:],
            y[16:],
            epochs=1,
            batch_size=8,
            lr=0.1,
            n_seeds=1,
            seed=0,
            width=3,
        )


def _fields(name):
    def build(R):
        inst = R.samples[name]
        return {f.name: getattr(inst, f.name) for f in dataclasses.fields(inst)}

    return build


def _method(cls, **kwargs):
    return lambda R: {"self": R.samples[cls], **kwargs}


def _torch_linear():
    import torch

    return torch.nn.Linear(3, 2)


def _with_grads():
    import torch

    lin = torch.nn.Linear(3, 2)
    lin(torch.ones(1, 3)).sum().backward()
    return list(lin.parameters())


def _gen():
    from vgp_lib.rng import torch_generator

    return torch_generator(0)


def _xs():
    import torch

    return torch.ones(3, 2, 2, dtype=torch.float64)


def _cell():
    from vgp_lib.recurrent import make_cell

    return make_cell("rnn", n_in=2, hidden=3, seed=0)


def _block_args(R):
    import torch

    return dict(
        n_in=3, n_out=2, activation="relu", norm="none", residual=False, dtype=torch.float64
    )


def _mlp_args(R):
    m = R.mlp()
    return dict(blocks=m.blocks, head=m.head, config=dict(m.config))


def _draw_line(fig_or_ax, item=1.0):
    """A minimal draw callback: one labelled line (for scrub, LiveFigure, styled, show_source).

    Like every draw function it checks what it is given: ``item`` must be a finite number."""
    from vgp_lib._validate import check_real

    item = check_real("item", item)
    ax = fig_or_ax.add_subplot() if hasattr(fig_or_ax, "add_subplot") else fig_or_ax
    ax.plot([0.0, 1.0], [0.0, item], label="line")
    return ax


def _ex():
    import vgp_lib.exercises as ex

    return ex


def _ex_unstable():
    import vgp_lib.exercises.unstable as unstable

    return unstable


def _xor_circuit(args):
    from vgp_lib.exercises.circuits import Circuit

    c = Circuit(0, 1)
    return {"self": c, **args(c)}


Z = np.array([-1.0, 0.0, 2.0])
C = "vgp_lib.chain.Chain"

#: A valid call for every covered callable: ``name -> (Resources -> kwargs)``; ``self`` is the
#: instance for a method. Parameters left out use their defaults.
VALID = {
    "vgp_lib.activations.get": lambda R: dict(name="tanh"),
    "vgp_lib.activations.torch_function": lambda R: dict(name="tanh"),
    **{
        f"vgp_lib.activations.{n}": (lambda R: dict(z=Z.copy()))
        for n in (
            "sigmoid",
            "sigmoid_prime",
            "tanh",
            "tanh_prime",
            "relu",
            "relu_prime",
            "gelu",
            "gelu_prime",
            "identity",
            "identity_prime",
        )
    },
    "vgp_lib.activations.leaky_relu": lambda R: dict(z=Z.copy(), slope=0.01),
    "vgp_lib.activations.leaky_relu_prime": lambda R: dict(z=Z.copy(), slope=0.01),
    "vgp_lib.activations.elu": lambda R: dict(z=Z.copy(), alpha=1.0),
    "vgp_lib.activations.elu_prime": lambda R: dict(z=Z.copy(), alpha=1.0),
    "vgp_lib.balance.layer_ratios": lambda R: dict(
        n_chains=5, seed=0, depth=4, lower=1, upper=3, weight_scale=1.0, bias_scale=1.0, a0=1.0
    ),
    "vgp_lib.balance.BalanceStudy.best": _method(
        "vgp_lib.balance.BalanceStudy", activation="sigmoid"
    ),
    "vgp_lib.balance.balance_study": lambda R: dict(
        activation_names=("sigmoid",),
        weight_scales=np.array([0.5, 1.0]),
        depth=3,
        n_chains=5,
        tolerance=10.0,
        bias_scale=1.0,
        seed=0,
    ),
    "vgp_lib.bound.factor": lambda R: dict(w=6.9, a=np.array([0.1, 0.5]), b=0.0),
    "vgp_lib.bound.max_factor": lambda R: dict(w=6.9),
    "vgp_lib.bound.interval_width": lambda R: dict(w=6.9),
    "vgp_lib.bound.interval_endpoints": lambda R: dict(w=6.9, b=0.0),
    "vgp_lib.bound.interval_width_grid": lambda R: dict(w=6.9, b=0.0, n=2001, a_lo=-1.0, a_hi=2.0),
    "vgp_lib.bound.factor_interval": lambda R: dict(w=6.9, b=0.0, a_lo=-1.0, a_hi=2.0, n=101),
    "vgp_lib.bound.widest_interval": lambda R: dict(lo=4.0, hi=40.0, tol=1e-6),
    "vgp_lib.bound.width_curve": lambda R: dict(w_max=30.0, n=11),
    "vgp_lib.chain.make_chain": lambda R: dict(
        weights=np.array([1.0, 2.0]),
        biases=np.array([0.1, 0.2]),
        a0=1.0,
        y=0.0,
        activation="sigmoid",
    ),
    "vgp_lib.chain.constant_chain": lambda R: dict(
        depth=4, w=1.0, b=0.0, a0=1.0, y=0.0, activation="sigmoid"
    ),
    "vgp_lib.chain.random_chain": lambda R: dict(
        depth=4,
        seed=0,
        n_chains=3,
        weight_scale=1.0,
        bias_scale=1.0,
        a0=1.0,
        y=0.0,
        activation="tanh",
    ),
    "vgp_lib.chain.aligned_chain": lambda R: dict(
        depth=4, w=100.0, a0=0.5, y=0.0, activation="sigmoid"
    ),
    "vgp_lib.chain.forward": lambda R: dict(chain=R.chain, dtype="float64"),
    "vgp_lib.chain.grad_b_analytic": lambda R: dict(chain=R.chain),
    "vgp_lib.chain.grad_w_analytic": lambda R: dict(chain=R.chain),
    "vgp_lib.chain.grad_b_autograd": lambda R: dict(chain=R.chain),
    "vgp_lib.chain.grad_b_fd": lambda R: dict(chain=R.chain, h=1e-6),
    "vgp_lib.chain.factors": lambda R: dict(chain=R.chain),
    "vgp_lib.chain.analyse": lambda R: dict(chain=R.chain),
    "vgp_lib.chain.three_routes": lambda R: dict(chain=R.chain, h=1e-6),
    "vgp_lib.chain.chain_profile": lambda R: dict(
        depth=5, weight_scale=1.0, bias=0.0, activation="sigmoid", seed=0, a0=1.0
    ),
    "vgp_lib.precision.log10_abs_grad_b": lambda R: dict(chain=R.chain),
    "vgp_lib.precision.grad_b_in_dtype": lambda R: dict(chain=R.chain, dtype="float32"),
    "vgp_lib.precision.power_overflow_depth": lambda R: dict(base=25.0, dtype="float32"),
    "vgp_lib.precision.first_overflow_depth": lambda R: dict(
        dtype="float32", w=100.0, a0=0.5, y=0.0, max_depth=60
    ),
    "vgp_lib.precision.exploding_profile": lambda R: dict(
        w=100.0, depth=5, align=True, dtype="float64"
    ),
    "vgp_lib.circuits.parity": lambda R: dict(bits=np.array([[0, 1, 1], [1, 1, 1]])),
    "vgp_lib.circuits.two_layer_parity": lambda R: dict(n=3),
    "vgp_lib.circuits.deep_parity": lambda R: dict(n=3),
    "vgp_lib.circuits.evaluate": lambda R: dict(circuit=R.samples["vgp_lib.circuits.Circuit"]),
    "vgp_lib.circuits.verify_parity": lambda R: dict(circuit=R.samples["vgp_lib.circuits.Circuit"]),
    "vgp_lib.circuits.gate_counts_closed_form": lambda R: dict(n=5),
    "vgp_lib.circuits.depths_closed_form": lambda R: dict(n=5),
    "vgp_lib.circuits.gate_counts": lambda R: dict(ns=np.array([2, 3, 4])),
    "vgp_lib.circuits.deep_sawtooth": lambda R: dict(depth=3),
    "vgp_lib.circuits.shallow_sawtooth": lambda R: dict(depth=3),
    "vgp_lib.circuits.evaluate_relu": lambda R: dict(
        net=R.samples["vgp_lib.circuits.ReluNet"], x=np.array([0.1, 0.6])
    ),
    "vgp_lib.circuits.linear_pieces": lambda R: dict(
        net=R.samples["vgp_lib.circuits.ReluNet"], n_points=64
    ),
    "vgp_lib.plots.circuits.draw_xor_tree": lambda R: dict(n=4, ax=R.ax()),
    "vgp_lib.plots.circuits.plot_pieces": lambda R: dict(
        pieces=R.samples["vgp_lib.circuits.Pieces"], ax=R.ax()
    ),
    "vgp_lib.clipping.global_norm": lambda R: dict(grads=[np.ones(3), np.ones((2, 2))]),
    "vgp_lib.clipping.clip_by_global_norm": lambda R: dict(
        grads=[np.ones(3), np.ones((2, 2))], max_norm=1.0
    ),
    "vgp_lib.clipping.clip_grads_": lambda R: dict(parameters=_with_grads(), max_norm=0.5),
    "vgp_lib.data.MNISTNotInstalledError": lambda R: dict(),
    "vgp_lib.data.MNISTCorruptError": lambda R: dict(),
    "vgp_lib.data.default_cache_dir": lambda R: dict(),
    "vgp_lib.monitor.model_accuracy": lambda R: dict(
        model=R.mlp(), x=R.xy2[0], y=R.xy2[1], batch_size=10
    ),
    "vgp_lib.monitor.train_watched": lambda R: dict(
        model=R.mlp(),
        x=R.xy2[0],
        y=R.xy2[1],
        epochs=1,
        batch_size=8,
        lr=0.1,
        seed=0,
        x_val=R.xy2[0],
        y_val=R.xy2[1],
        momentum=0.0,
        show_progress=False,
    ),
    "vgp_lib.monitor.stuck_layers": lambda R: dict(record=R.trace.record, threshold=1e-3),
    "vgp_lib.monitor.diagnose": lambda R: dict(trace=R.trace, threshold=1e-3),
    "vgp_lib.identity.identity_neuron": lambda R: dict(w1=0.01),
    "vgp_lib.identity.neuron_output": lambda R: dict(
        neuron=R.samples["vgp_lib.identity.IdentityNeuron"], x=np.array([0.0, 0.5])
    ),
    "vgp_lib.identity.max_error": lambda R: dict(
        neuron=R.samples["vgp_lib.identity.IdentityNeuron"], n=11
    ),
    "vgp_lib.identity.error_curve": lambda R: dict(w1_min=1e-6, w1_max=4.0, n=5),
    "vgp_lib.identity.identity_layer": lambda R: dict(n=2, w1=0.01),
    "vgp_lib.meanfield.variance_map": lambda R: dict(
        q=1.0, activation="tanh", sigma_w2=1.5, sigma_b2=0.1
    ),
    "vgp_lib.meanfield.fixed_point": lambda R: dict(
        activation="sigmoid", sigma_w2=1.0, sigma_b2=1.0, q0=1.0
    ),
    "vgp_lib.meanfield.mean_field": lambda R: dict(
        activation="tanh", sigma_w2=1.5, sigma_b2=0.1, q0=1.0
    ),
    "vgp_lib.meanfield.critical_sigma_w2": lambda R: dict(activation="tanh", sigma_b2=0.05),
    "vgp_lib.meanfield.check_variance_grid": lambda R: dict(
        sigma_w2s=np.array([0.5, 2.0]), sigma_b2s=np.array([0.0, 0.1])
    ),
    "vgp_lib.meanfield.phase_grid": lambda R: dict(
        activation="tanh", sigma_w2s=np.array([0.5, 2.0]), sigma_b2s=np.array([0.0, 0.1])
    ),
    "vgp_lib.jacobian.random_network": lambda R: dict(
        width=4,
        depth=3,
        activation="tanh",
        sigma_w2=1.5,
        sigma_b2=0.1,
        weights="orthogonal",
        seed=0,
    ),
    "vgp_lib.jacobian.forward": lambda R: dict(net=R.random_net, x=np.ones(4)),
    "vgp_lib.jacobian.delta_chain": lambda R: dict(net=R.random_net, x=np.ones(4), y=np.zeros(4)),
    "vgp_lib.jacobian.delta_autograd": lambda R: dict(
        net=R.random_net, x=np.ones(4), y=np.zeros(4)
    ),
    "vgp_lib.jacobian.input_output_jacobian": lambda R: dict(net=R.random_net, x=np.ones(4)),
    "vgp_lib.jacobian.gradient_flow": lambda R: dict(
        activation="tanh",
        sigma_w2=1.5,
        sigma_b2=0.1,
        width=4,
        depth=5,
        weights="gaussian",
        n_seeds=1,
        seed=0,
    ),
    "vgp_lib.jacobian.spectrum": lambda R: dict(
        activation="tanh",
        sigma_w2=1.0,
        sigma_b2=0.0,
        width=4,
        depths=(1, 3),
        weights="gaussian",
        seed=0,
    ),
    "vgp_lib.meanfield.correlation_map": lambda R: dict(
        c=0.9, activation="tanh", sigma_w2=1.5, sigma_b2=0.1
    ),
    "vgp_lib.jacobian.nearby_inputs": lambda R: dict(
        activation="tanh",
        sigma_w2=1.5,
        sigma_b2=0.1,
        width=4,
        depth=5,
        distance=1e-3,
        n_seeds=1,
        seed=0,
    ),
    "vgp_lib.jacobian.measured_phase": lambda R: dict(
        activation="tanh",
        sigma_w2s=np.array([0.5, 2.0]),
        sigma_b2s=np.array([0.0]),
        width=4,
        depth=5,
        seed=0,
    ),
    "vgp_lib.identity.layer_output": lambda R: dict(
        layer=R.samples["vgp_lib.identity.IdentityLayer"], X=np.array([[0.1, 0.2], [0.3, -0.1]])
    ),
    "vgp_lib.identity.layer_max_error": lambda R: dict(
        layer=R.samples["vgp_lib.identity.IdentityLayer"], m=20, seed=0
    ),
    "vgp_lib.models.Block": _block_args,
    "vgp_lib.models.Block.forward": lambda R: {
        "self": R.mlp().blocks[0],
        "a": __import__("torch").ones(2, 4, dtype=__import__("torch").float64),
    },
    "vgp_lib.models.MLP": _mlp_args,
    "vgp_lib.models.MLP.forward": lambda R: {
        "self": R.mlp(),
        "x": __import__("torch").ones(2, 4, dtype=__import__("torch").float64),
    },
    "vgp_lib.models.init_linear_": lambda R: dict(
        linear=_torch_linear(), init="xavier", generator=_gen(), gain=1.0
    ),
    "vgp_lib.models.build_mlp": lambda R: dict(
        n_in=4,
        width=5,
        n_out=2,
        depth=3,
        activation="sigmoid",
        init="pytorch",
        norm="none",
        residual=False,
        gain=1.0,
        seed=0,
    ),
    "vgp_lib.monitor.GradientMonitor": lambda R: dict(model=R.mlp()),
    "vgp_lib.monitor.GradientRecord.ratio": _method(
        "vgp_lib.monitor.GradientRecord", kind="weight"
    ),
    "vgp_lib.monitor.watched_layers": lambda R: dict(model=R.mlp()),
    "vgp_lib.network.check_sizes": lambda R: dict(sizes=(6, 4, 10)),
    "vgp_lib.network.init_params": lambda R: dict(
        sizes=(6, 4, 10), seed=0, activation="sigmoid", init="nielsen", dtype=np.float64
    ),
    "vgp_lib.network.feedforward": lambda R: dict(params=R.params, x=R.xy[0]),
    "vgp_lib.network.backprop": lambda R: dict(params=R.params, x=R.xy[0], y=R.xy[1]),
    "vgp_lib.network.prepare_batch": lambda R: dict(params=R.params, x=R.xy[0], y=R.xy[1]),
    "vgp_lib.network.forward": lambda R: dict(params=R.params, x=R.xy[0]),
    "vgp_lib.network.backward": lambda R: dict(
        params=R.params,
        acts=__import__("vgp_lib.network").network.forward(R.params, R.xy[0]),
        y=np.eye(R.params.sizes[-1])[R.xy[1]],
    ),
    "vgp_lib.network.prime_from_output": lambda R: dict(
        a=np.array([0.2, 0.5, 0.9]), activation="tanh"
    ),
    "vgp_lib.network.as_seeds": lambda R: dict(seed=(0, 1)),
    "vgp_lib.network.sgd_step": lambda R: dict(
        params=R.params, x=R.xy[0], y=R.xy[1], eta=0.1, lmbda=0.0, n=9
    ),
    "vgp_lib.network.update_mini_batch": lambda R: dict(
        weights=[w.copy() for w in R.params.weights],
        biases=[b.copy() for b in R.params.biases],
        x=R.xy[0],
        y=np.eye(10)[R.xy[1]],
        scale=0.01,
        decay=1.0,
        activation="sigmoid",
    ),
    "vgp_lib.network.accuracy": lambda R: dict(params=R.params, x=R.xy[0], y=R.xy[1], chunk=4),
    "vgp_lib.network.train": lambda R: dict(
        params=R.params,
        x=R.xy[0],
        y=R.xy[1],
        epochs=1,
        mini_batch_size=3,
        eta=0.1,
        lmbda=0.0,
        seed=0,
        evaluation=R.xy,
        show_progress=False,
        desc="epochs",
    ),
    "vgp_lib.network.depth_experiment": lambda R: dict(
        train_data=R.xy,
        validation_data=R.xy,
        hidden_layers=(1,),
        width=3,
        epochs=1,
        mini_batch_size=3,
        eta=0.1,
        lmbda=1.0,
        seeds=(0,),
        dtype=np.float64,
        show_progress=False,
    ),
    "vgp_lib.network.one_hot": lambda R: dict(y=np.array([0, 2, 1]), n_classes=3, dtype=np.float64),
    "vgp_lib.threads.single_thread": lambda R: dict(flush_denormal=False),
    "vgp_lib.threads.on_one_thread": lambda R: dict(flush_denormal=False),
    "vgp_lib.recurrent.make_cell": lambda R: dict(
        cell="gru", n_in=2, hidden=3, seed=0, recurrent_scale=1.0, gate_bias=1.0
    ),
    "vgp_lib.recurrent.run_cell": lambda R: dict(module=_cell(), xs=_xs()),
    "vgp_lib.recurrent.gradient_through_time": lambda R: dict(
        cell="lstm", hidden=3, steps=4, n_in=2, seed=0, recurrent_scale=1.0, gate_bias=1.0
    ),
    "vgp_lib.profiles.ActivationComparison.median": _method(
        "vgp_lib.profiles.ActivationComparison", name="relu"
    ),
    "vgp_lib.profiles.activation_comparison": lambda R: dict(
        activations=("sigmoid", "relu"), n_seeds=1, seed=0, sizes=(5, 4, 3), batch=4
    ),
    "vgp_lib.activations.derivative_curves": lambda R: dict(
        names=("sigmoid", "relu"), z=np.array([0.0, 1.0])
    ),
    "vgp_lib.profiles.init_variance": lambda R: dict(
        activation="tanh", init="xavier", depth=3, width=4, batch=4, seed=0, gain=1.0
    ),
    "vgp_lib.profiles.random_batch": lambda R: dict(n=4, n_in=3, n_classes=2, seed=0),
    "vgp_lib.profiles.gradient_profile": lambda R: dict(
        depth=3,
        activation="sigmoid",
        init="pytorch",
        norm="none",
        residual=False,
        gain=1.0,
        width=4,
        n_in=4,
        n_classes=3,
        batch=4,
        n_seeds=1,
        seed=0,
    ),
    "vgp_lib.profiles.depth_sweep": lambda R: dict(depths=(2, 3), width=4, n_in=4, batch=4, seed=0),
    "vgp_lib.training.TrainingComparison.median_accuracy": _method(
        "vgp_lib.training.TrainingComparison", name="relu"
    ),
    "vgp_lib.training.training_comparison": lambda R: dict(
        configs={"relu": dict(depth=2, activation="relu")},
        x_train=R.xy2[0][:16],
        y_train=R.xy2[1][:16],
        x_val=R.xy2[0][16:],
        y_val=R.xy2[1][16:],
        epochs=1,
        batch_size=8,
        lr=0.1,
        n_seeds=1,
        seed=0,
        width=3,
    ),
    "vgp_lib.rng.make_rng": lambda R: dict(seed=0),
    "vgp_lib.rng.torch_generator": lambda R: dict(seed=0),
    "vgp_lib.speeds.bias_gradients": lambda R: dict(params=R.params, x=R.xy[0], y=R.xy[1]),
    "vgp_lib.speeds.layer_speeds": lambda R: dict(params=R.params, x=R.xy[0], y=R.xy[1]),
    "vgp_lib.speeds.sigma_prime_rms": lambda R: dict(params=R.params, x=R.xy[0]),
    "vgp_lib.speeds.SpeedProfile.quantiles": _method("vgp_lib.speeds.SpeedProfile", q=(0.25, 0.75)),
    "vgp_lib.speeds.speed_profile": lambda R: dict(
        x=R.xy[0],
        y=R.xy[1],
        hidden_layers=1,
        width=3,
        activation="sigmoid",
        init="nielsen",
        seed=0,
        dtype=np.float64,
    ),
    "vgp_lib.speeds.speeds_at_init": lambda R: dict(
        x=R.xy[0], y=R.xy[1], hidden_layers=(1, 2), width=3, seeds=range(2)
    ),
    "vgp_lib.speeds.neuron_gradients": lambda R: dict(
        x=R.xy[0], y=R.xy[1], sizes=(6, 3, 3, 10), seed=0, n_neurons=2
    ),
    "vgp_lib.speeds.speeds_during_training": lambda R: dict(
        x=R.xy[0],
        y=R.xy[1],
        hidden_layers=1,
        width=3,
        steps=2,
        eta=0.1,
        lmbda=1.0,
        seeds=(0,),
        dtype=np.float64,
        show_progress=False,
    ),
    "vgp_lib.stats.percentile_of": lambda R: dict(value=0.5, sample=np.array([0.1, 0.7, 0.9])),
    "vgp_lib.stats.count_order_changes": lambda R: dict(speeds=np.ones((2, 3, 2)) * [1.0, 2.0]),
    # -- plots: each draws a real tiny result on fresh axes
    "vgp_lib.plots.get_axes": lambda R: dict(ax=R.ax()),
    "vgp_lib.plots.check_axes": lambda R: dict(axes=R.axes(2), n=2),
    "vgp_lib.plots.activations.plot_activation_derivative": lambda R: dict(
        z=np.array([-1.0, 0.0, 1.0]), values=np.array([0.2, 0.25, 0.2]), ax=R.ax(), name="f"
    ),
    "vgp_lib.plots.activations.plot_derivatives": lambda R: dict(
        curves=R.samples["vgp_lib.activations.DerivativeCurves"], ax=R.ax()
    ),
    "vgp_lib.plots.balance.plot_ratio_histogram": lambda R: dict(
        sample=R.samples["vgp_lib.balance.RatioSample"], ax=R.ax(), bins=5
    ),
    "vgp_lib.plots.balance.plot_balance": lambda R: dict(
        study=R.samples["vgp_lib.balance.BalanceStudy"], ax=R.ax()
    ),
    "vgp_lib.plots.balance.plot_balance_spread": lambda R: dict(
        study=R.samples["vgp_lib.balance.BalanceStudy"], ax=R.ax()
    ),
    "vgp_lib.plots.balance.plot_ratio_spread": lambda R: dict(
        study=R.samples["vgp_lib.balance.BalanceStudy"], activation="sigmoid", ax=R.ax(), bins=5
    ),
    "vgp_lib.plots.bound.plot_factor_interval": lambda R: dict(
        r=R.samples["vgp_lib.bound.FactorInterval"], ax=R.ax()
    ),
    "vgp_lib.plots.bound.plot_width_curve": lambda R: dict(
        c=R.samples["vgp_lib.bound.WidthCurve"], ax=R.ax(), highlight=6.0
    ),
    "vgp_lib.plots.bound.draw_factor_and_width": lambda R: dict(
        fig=R.fig(),
        pair=(R.samples["vgp_lib.bound.FactorInterval"], R.samples["vgp_lib.bound.WidthCurve"]),
    ),
    "vgp_lib.plots.chain.plot_factors": lambda R: dict(
        result=R.samples["vgp_lib.chain.ChainGradients"], ax=R.ax()
    ),
    "vgp_lib.plots.chain.plot_bias_gradients": lambda R: dict(
        result=R.samples["vgp_lib.chain.ChainGradients"], ax=R.ax()
    ),
    "vgp_lib.plots.chain.draw_chain_profile": lambda R: dict(
        fig=R.fig(), result=R.samples["vgp_lib.chain.ChainGradients"]
    ),
    "vgp_lib.plots.chain.plot_routes": lambda R: dict(
        routes=R.samples["vgp_lib.chain.GradientRoutes"], ax=R.ax()
    ),
    "vgp_lib.plots.circuits.plot_gate_counts": lambda R: dict(
        counts=R.samples["vgp_lib.circuits.GateCounts"], ax=R.ax(), highlight=3
    ),
    "vgp_lib.plots.circuits.plot_circuit_shape": lambda R: dict(
        shallow=__import__("vgp_lib.circuits").circuits.two_layer_parity(3),
        deep=R.samples["vgp_lib.circuits.Circuit"],
        axes=R.axes(2),
    ),
    "vgp_lib.plots.clipping.plot_clipping": lambda R: dict(
        grad=np.array([3.0, 4.0]), clipped=np.array([0.6, 0.8]), ax=R.ax(), n_show=2
    ),
    "vgp_lib.plots.identity.plot_identity_error": lambda R: dict(
        c=R.samples["vgp_lib.identity.ErrorCurve"], ax=R.ax()
    ),
    "vgp_lib.plots.monitor.plot_gradient_record": lambda R: dict(
        record=R.samples["vgp_lib.monitor.GradientRecord"], ax=R.ax(), kind="weight"
    ),
    "vgp_lib.plots.monitor.plot_norm_history": lambda R: dict(
        record=R.samples["vgp_lib.monitor.GradientRecord"], ax=R.ax(), kind="weight"
    ),
    "vgp_lib.plots.monitor.plot_training_trace": lambda R: dict(
        trace=R.trace, axes=R.axes(3), label="run"
    ),
    "vgp_lib.plots.network.plot_depth_accuracy": lambda R: dict(
        result=R.samples["vgp_lib.network.DepthResult"], ax=R.ax()
    ),
    "vgp_lib.plots.network.plot_accuracy_curves": lambda R: dict(
        result=R.samples["vgp_lib.network.DepthResult"], ax=R.ax(), from_epoch=1
    ),
    "vgp_lib.plots.network.depth_table": lambda R: dict(
        result=R.samples["vgp_lib.network.DepthResult"]
    ),
    "vgp_lib.plots.precision.plot_first_gradient_by_depth": lambda R: dict(
        results=[
            importlib.import_module("vgp_lib.precision").exploding_profile(8.0, d)
            for d in (1, 2, 3)
        ],
        ax=R.ax(),
        label="w = 8",
        mark=(1, 3),
    ),
    "vgp_lib.plots.precision.plot_precision_growth": lambda R: dict(
        results=R.samples["vgp_lib.precision.PrecisionGradient"], ax=R.ax(), title="t"
    ),
    "vgp_lib.plots.profiles.plot_activation_comparison": lambda R: dict(
        comp=R.samples["vgp_lib.profiles.ActivationComparison"], ax=R.ax()
    ),
    "vgp_lib.plots.profiles.plot_variance_profiles": lambda R: dict(
        profiles=[R.samples["vgp_lib.profiles.VarianceProfile"]], axes=R.axes(2)
    ),
    "vgp_lib.plots.profiles.plot_gradient_profiles": lambda R: dict(
        profiles=[R.samples["vgp_lib.profiles.GradientProfile"]], ax=R.ax(), kind="delta"
    ),
    "vgp_lib.plots.profiles.plot_depth_sweep": lambda R: dict(sweeps={"x": R.sweep}, ax=R.ax()),
    "vgp_lib.plots.recurrent.plot_time_gradients": lambda R: dict(
        results=[R.samples["vgp_lib.recurrent.TimeGradient"]], ax=R.ax()
    ),
    "vgp_lib.plots.speeds.plot_neuron_gradients": lambda R: dict(
        result=R.samples["vgp_lib.speeds.NeuronGradients"], ax=R.ax()
    ),
    "vgp_lib.plots.speeds.plot_init_speeds": lambda R: dict(
        result=R.samples["vgp_lib.speeds.InitSpeeds"], ax=R.ax()
    ),
    "vgp_lib.plots.speeds.plot_training_speeds": lambda R: dict(
        result=R.samples["vgp_lib.speeds.TrainingSpeeds"], ax=R.ax()
    ),
    "vgp_lib.plots.speeds.plot_speed_profile": lambda R: dict(
        result=R.samples["vgp_lib.speeds.SpeedProfile"], ax=R.ax()
    ),
    "vgp_lib.plots.speeds.init_speed_table": lambda R: dict(
        result=R.samples["vgp_lib.speeds.InitSpeeds"]
    ),
    "vgp_lib.plots.training.plot_training_comparison": lambda R: dict(
        comp=R.comparison, axes=R.axes(2)
    ),
    "vgp_lib.plots.jacobian.plot_phase_diagram": lambda R: dict(
        grid=R.samples["vgp_lib.meanfield.PhaseGrid"],
        measured=R.samples["vgp_lib.jacobian.PhaseMeasurement"],
        ax=R.ax(),
    ),
    "vgp_lib.plots.jacobian.plot_multipliers": lambda R: dict(
        flows=[R.samples["vgp_lib.jacobian.GradientFlow"]], ax=R.ax(), labels=["a"]
    ),
    "vgp_lib.plots.jacobian.plot_nearby_inputs": lambda R: dict(
        results=[R.samples["vgp_lib.jacobian.NearbyInputs"]], ax=R.ax(), labels=["a"]
    ),
    "vgp_lib.plots.jacobian.plot_gradient_norms": lambda R: dict(
        flow=R.samples["vgp_lib.jacobian.GradientFlow"], ax=R.ax()
    ),
    "vgp_lib.plots.jacobian.plot_spectra": lambda R: dict(
        spectra=[R.samples["vgp_lib.jacobian.Spectrum"]] * 2, axes=R.axes(2), labels=["a", "b"]
    ),
    "vgp_lib.plots.jacobian.plot_spread": lambda R: dict(
        spectra=[R.samples["vgp_lib.jacobian.Spectrum"]], ax=R.ax(), labels=["a"]
    ),
    "vgp_lib.plots.jacobian.setting_labels": lambda R: dict(
        results=[R.samples["vgp_lib.jacobian.GradientFlow"], R.samples["vgp_lib.jacobian.Spectrum"]]
    ),
    "vgp_lib.plots.jacobian.spectrum_frames": lambda R: dict(
        spectra=[R.samples["vgp_lib.jacobian.Spectrum"]]
    ),
    "vgp_lib.plots.jacobian.draw_spectrum_frame": lambda R: dict(
        fig=R.fig(), item=((R.samples["vgp_lib.jacobian.Spectrum"],), 3), xlim=(-1.0, 1.0)
    ),
    "vgp_lib.plots.jacobian.draw_jacobian_explorer": lambda R: dict(
        fig=R.fig(),
        pair=(R.samples["vgp_lib.jacobian.Spectrum"], R.samples["vgp_lib.jacobian.GradientFlow"]),
    ),
    "vgp_lib.plots.diagrams.draw_chain": lambda R: dict(
        result=R.samples["vgp_lib.chain.ChainGradients"], ax=R.ax()
    ),
    "vgp_lib.plots.diagrams.draw_circuit": lambda R: dict(
        circuit=R.samples["vgp_lib.circuits.Circuit"], ax=R.ax(), title=True
    ),
    "vgp_lib.plots.diagrams.draw_gru_cell": lambda R: dict(
        cell=__import__("vgp_lib.recurrent").recurrent.make_cell("gru", n_in=2, hidden=3, seed=0),
        ax=R.ax(),
    ),
    "vgp_lib.plots.diagrams.draw_network_bars": lambda R: dict(
        result=R.samples["vgp_lib.speeds.NeuronGradients"], ax=R.ax()
    ),
    "vgp_lib.plots.diagrams.draw_residual_block": lambda R: dict(
        block=R.mlp().blocks[1], ax=R.ax()
    ),
    "vgp_lib.plots.diagrams.format_number": lambda R: dict(value=-0.00123, digits=3),
    "vgp_lib.plots.guess.guess": lambda R: dict(
        question="Which?", options=["a", "b"], answer=0, why="Because.", reveal="fig-x"
    ),
    "vgp_lib.plots.frames.common_limits": lambda R: dict(draw=_draw_line, frames=[1.0, 2.0]),
    "vgp_lib.plots.frames.same_axes": lambda R: dict(draw=_draw_line, frames=[1.0, 2.0]),
    "vgp_lib.plots.legend_from_figure_edge": lambda R: dict(ax=R.labelled_ax()),
    "vgp_lib.plots.scrub.compress_png": lambda R: dict(data=R.png),
    "vgp_lib.plots.scrub.render_frame": lambda R: dict(draw=_draw_line, item=2.0, height=2.0),
    "vgp_lib.plots.scrub.slider": lambda R: dict(
        draw=_draw_line,
        frames=[1.0, 2.0],
        values=[1.0, 2.0],
        label="w",
        alt=["one", "two"],
        fmt="{:g}",
        start=0,
        height=2.0,
    ),
    "vgp_lib.plots.style.blank_figure": lambda R: dict(height=2.0, width=3.0),
    "vgp_lib.plots.style.covered_data": lambda R: dict(fig=R.drawn_fig()),
    "vgp_lib.plots.style.drawings": lambda R: dict(fig=R.drawn_fig()),
    "vgp_lib.plots.style.on_phone": lambda R: dict(
        fig=R.drawn_fig(), layout=__import__("vgp_lib.plots.style").plots.style.phone_layout
    ),
    "vgp_lib.plots.style.phone_layout": lambda R: dict(fig=R.drawn_fig(), height=3.0),
    "vgp_lib.plots.style.reuse_panels": lambda R: dict(
        fig=R.drawn_fig(), key="panels", make=lambda f: f.subplots(1, 2)
    ),
    "vgp_lib.plots.style.split_drawings": lambda R: dict(data=R.png),
    "vgp_lib.plots.style.text_problems": lambda R: dict(fig=R.drawn_fig()),
    "vgp_lib.plots.style.with_phone": lambda R: dict(desktop=R.png, phone=R.png),
    "vgp_lib.plots.style.figure": lambda R: dict(nrows=1, ncols=2, height=2.0, width=4.0),
    "vgp_lib.plots.style.house_style": lambda R: dict(),
    "vgp_lib.plots.style.integer_x": lambda R: dict(ax=R.ax()),
    "vgp_lib.plots.style.layer_colour": lambda R: dict(i=9),
    "vgp_lib.plots.style.legend_above": lambda R: dict(ax=R.labelled_ax(), ncol=2, centred=True),
    "vgp_lib.plots.style.legend_beside": lambda R: dict(ax=R.labelled_ax()),
    "vgp_lib.plots.style.png_bytes": lambda R: dict(fig=R.drawn_fig()),
    "vgp_lib.plots.style.show": lambda R: dict(fig=R.drawn_fig()),
    "vgp_lib.plots.style.show_source": lambda R: dict(function=_draw_line),
    "vgp_lib.plots.style.smallest_text_pt": lambda R: dict(fig=R.drawn_fig()),
    "vgp_lib.plots.style.styled": lambda R: dict(function=_draw_line),
    "vgp_lib.plots.style.visible_texts": lambda R: dict(fig=R.drawn_fig()),
    # -- widgets: headless, built from their defaults (small ones where a size is a parameter)
    "vgp_lib.widgets.LiveFigure": lambda R: dict(
        controls={"w": __import__("ipywidgets").FloatSlider(value=1.0, min=0.0, max=2.0)},
        compute=lambda w: w,
        draw=_draw_line,
        describe=str,
        height=2.0,
    ),
    "vgp_lib.widgets.show": lambda R: dict(widget=__import__("ipywidgets").Label("x")),
    "vgp_lib.widgets.bound.factor_explorer": lambda R: dict(w=6.9, b=-3.45, w_max=10.0),
    "vgp_lib.widgets.chain.chain_explorer": lambda R: dict(
        depth=4, weight_scale=1.0, bias=0.0, activation="sigmoid"
    ),
    "vgp_lib.widgets.circuits.gate_count_explorer": lambda R: dict(n=3, n_max=4),
    "vgp_lib.widgets.precision.exploding_explorer": lambda R: dict(
        w=100.0, depth=10, align=True, dtype="float32"
    ),
    "vgp_lib.widgets.jacobian.jacobian_explorer": lambda R: dict(
        activation="tanh",
        sigma_w=1.0,
        sigma_b=0.05,
        depth=3,
        weights="orthogonal",
        width=6,
        n_seeds=2,
        seed=0,
    ),
    "vgp_lib.widgets.profiles.architecture_configurator": lambda R: dict(
        depth=3,
        activation="sigmoid",
        init="pytorch",
        norm="none",
        residual=False,
        seed=0,
        max_depth=5,
    ),
    "vgp_lib.widgets.speeds.speed_explorer": lambda R: dict(
        x=R.xy[0],
        y=R.xy[1],
        hidden_layers=2,
        width=10,
        activation="sigmoid",
        init="nielsen",
        seeds=(0,),
    ),
    # -- exercises: reference answers, precision rules, and checks given a wrong answer
    **{
        f"vgp_lib.exercises.{n}": (lambda R: dict())
        for n in (
            "Precision",
            "Exactly",
            "circuits.Bit",
            "circuits.NotAGate",
            "handin.TooLarge",
            "handin.RecordNotFound",
            "chain.four_layer_chain",
            "chain.four_layer_gradient",
            "chain.vanish_depth",
            "exploding.balanced_weight",
            "exploding.float32_overflow_depth",
            "unstable.best_weight",
            "unstable.deeper_balance",
            "unstable.tanh_widest",
            "unstable.widest",
            "wide.nielsen_shrink",
            "wide.relu_chis",
            "wide.he_with_biases",
            "wide.tanh_critical_sigma_w",
        )
    },
    "vgp_lib.exercises.Criterion": lambda R: dict(phrase="a criterion"),
    "vgp_lib.exercises.Exactly.accepts": lambda R: {
        "self": _ex().Exactly(),
        "got": 3,
        "reference": 3,
    },
    "vgp_lib.exercises.Exactly.tolerance": lambda R: {"self": _ex().Exactly(), "reference": 3.0},
    "vgp_lib.exercises.Feedback": lambda R: dict(
        exercise="ex", status="incorrect", message="m", hint="h"
    ),
    "vgp_lib.exercises.Outcome": lambda R: dict(value=1.0, error=None, timed_out=False),
    "vgp_lib.exercises.Pair": lambda R: dict(
        first=_ex().Within(0.1), second=_ex().Within(0.1), phrase="p"
    ),
    "vgp_lib.exercises.Pair.accepts": lambda R: {
        "self": _ex().Pair(_ex().Within(0.1), _ex().Within(0.1)),
        "got": (1.0, 2.0),
        "reference": (1.0, 2.0),
    },
    "vgp_lib.exercises.Precision.accepts": lambda R: {
        "self": _ex().Within(0.1),
        "got": 1.0,
        "reference": 1.05,
    },
    "vgp_lib.exercises.Precision.near": lambda R: {
        "self": _ex().Within(0.1),
        "got": 1.0,
        "reference": 1.2,
    },
    **{
        f"vgp_lib.exercises.{cls}.{m}": (
            lambda R, cls=cls, arg=arg: {
                "self": getattr(_ex(), cls)(arg),
                "got": 1.0,
                "reference": 1.05,
            }
        )
        for cls, arg in (("Relative", 0.1), ("SignificantFigures", 3), ("Within", 0.1))
        for m in ("accepts", "near")
    },
    **{
        f"vgp_lib.exercises.{cls}.tolerance": (
            lambda R, cls=cls, arg=arg: {"self": getattr(_ex(), cls)(arg), "reference": 2.0}
        )
        for cls, arg in (("Relative", 0.1), ("SignificantFigures", 3), ("Within", 0.1))
    },
    "vgp_lib.exercises.SignificantFigures.rounded": lambda R: {
        "self": _ex().SignificantFigures(3),
        "reference": 2.0,
    },
    "vgp_lib.exercises.Relative": lambda R: dict(rtol=0.1),
    "vgp_lib.exercises.SignificantFigures": lambda R: dict(digits=3, either_sign=False),
    "vgp_lib.exercises.Within": lambda R: dict(tol=0.1, either_sign=False),
    "vgp_lib.exercises.as_number": lambda R: dict(exercise="ex", answer=1.5, what="a number"),
    "vgp_lib.exercises.check": lambda R: dict(exercise="ex", precision=_ex().Within(0.1)),
    "vgp_lib.exercises.close_to": lambda R: dict(
        exercise="ex", got=1.0, expected=2.0, precision=_ex().Within(0.1), what="the answer"
    ),
    "vgp_lib.exercises.how_far": lambda R: dict(got=1.0, expected=2.0),
    "vgp_lib.exercises.low_precision": lambda R: dict(x=np.float32(1.5)),
    "vgp_lib.exercises.type_name": lambda R: dict(obj=1.5),
    "vgp_lib.exercises.not_attempted": lambda R: dict(answer=1.0),
    "vgp_lib.exercises.out_of_time": lambda R: dict(exercise="ex", call="f(1)", seconds=3.0),
    "vgp_lib.exercises.pending": lambda R: dict(exercise="ex", what="a number"),
    "vgp_lib.exercises.raised": lambda R: dict(call="f(1)", err=ValueError("bad")),
    "vgp_lib.exercises.read_number": lambda R: dict(x=1.5),
    "vgp_lib.exercises.read_pair": lambda R: dict(answer=(1.5, 2.0)),
    "vgp_lib.exercises.run_limited": lambda R: dict(thunk=lambda: 1.0, seconds=1.0),
    "vgp_lib.exercises.show": lambda R: dict(obj=[1, 2], limit=60),
    "vgp_lib.exercises.chain.check_four_layer_gradient": lambda R: dict(answer=0.5),
    "vgp_lib.exercises.chain.check_vanish_depth": lambda R: dict(answer=3),
    "vgp_lib.exercises.circuits.Circuit": lambda R: dict(a=0, b=1),
    "vgp_lib.exercises.circuits.Circuit.owns": lambda R: _xor_circuit(lambda c: {"v": c.a}),
    "vgp_lib.exercises.circuits.Circuit.structure": lambda R: _xor_circuit(
        lambda c: {"bit": c.nand(c.a, c.b)}
    ),
    "vgp_lib.exercises.circuits.Circuit.value": lambda R: _xor_circuit(lambda c: {"bit": c.a}),
    "vgp_lib.exercises.circuits.chain_depth": lambda R: dict(n=4),
    "vgp_lib.exercises.circuits.check_chain_depth": lambda R: dict(n=4, answer=2),
    "vgp_lib.exercises.circuits.check_xor_from_nand": lambda R: dict(
        xor=lambda a, b, nand: nand(a, b), time_limit=1.0
    ),
    "vgp_lib.exercises.diagnosing.check_fixed_model": lambda R: dict(
        model=_torch_linear(), time_limit=2.0
    ),
    "vgp_lib.exercises.diagnosing.check_stuck_layers": lambda R: dict(answer=(0,)),
    "vgp_lib.exercises.diagnosing.measure": lambda R: dict(model=R.mystery, seed=0),
    "vgp_lib.exercises.diagnosing.mystery_batch": lambda R: dict(seed=0, n=8, n_in=32),
    "vgp_lib.exercises.diagnosing.mystery_model": lambda R: dict(seed=0),
    "vgp_lib.exercises.diagnosing.true_stuck": lambda R: dict(seed=0),
    "vgp_lib.exercises.exploding.check_balanced_weight": lambda R: dict(answer=1.0),
    "vgp_lib.exercises.exploding.check_float32_overflow_depth": lambda R: dict(answer=3),
    "vgp_lib.exercises.handin.to_data": lambda R: dict(value=[1, 2.5, "a"]),
    "vgp_lib.exercises.handin.from_data": lambda R: dict(data={"list": [1, 2.5, "a"]}),
    "vgp_lib.exercises.handin.hand_in": lambda R: dict(
        label="ex-chain-four-layer",
        check=importlib.import_module("vgp_lib.exercises.chain").check_four_layer_gradient,
        call=lambda answer: None,
    ),
    "vgp_lib.exercises.mnist.shrink_factor": lambda R: dict(rms=0.2),
    "vgp_lib.exercises.mnist.check_shrink_factor": lambda R: dict(
        answer=5e4, rms=0.2, hidden_layers=8
    ),
    "vgp_lib.exercises.mnist.speed_ratio": lambda R: dict(
        speeds=R.samples["vgp_lib.speeds.TrainingSpeeds"].speeds
    ),
    "vgp_lib.exercises.mnist.check_speed_ratio": lambda R: dict(
        answer=0.5, speeds=R.samples["vgp_lib.speeds.TrainingSpeeds"].speeds
    ),
    "vgp_lib.exercises.unstable.check_identity_layer": lambda R: dict(answer=(1.0, 2.0), n=3),
    "vgp_lib.exercises.unstable.check_identity_neuron": lambda R: dict(answer=(1.0, 0.0, 1.0, 0.0)),
    "vgp_lib.exercises.unstable.check_larger_derivative": lambda R: dict(answer=0.5),
    "vgp_lib.exercises.unstable.check_best_weight": lambda R: dict(answer=(1.0, 2.0)),
    "vgp_lib.exercises.unstable.check_tanh_window": lambda R: dict(answer=2.0),
    "vgp_lib.exercises.unstable.check_widest": lambda R: dict(answer=(1.0, 2.0)),
    "vgp_lib.exercises.unstable.check_width_formula": lambda R: dict(
        width=lambda w: 0.0, time_limit=1.0
    ),
    "vgp_lib.exercises.wide.check_nielsen_shrink": lambda R: dict(answer=2.0),
    "vgp_lib.exercises.wide.check_relu_chi": lambda R: dict(answer=(2.0, 1.0)),
    "vgp_lib.exercises.wide.check_tanh_critical": lambda R: dict(answer=(1.0, 2.0)),
    "vgp_lib.data.read_source": None,  # needs the MNIST file: checked in test_data.py
    "vgp_lib.data.load_mnist": None,
    "vgp_lib.data.locate_source": None,
    "vgp_lib.normalisation.layer_statistics": lambda R: dict(
        depth=3, norm="batch", width=4, batch=4, n_classes=3, seed=0
    ),
    "vgp_lib.normalisation.LayerStatistics": lambda R: {
        f.name: getattr(s, f.name)
        for s in [
            __import__("vgp_lib.normalisation").normalisation.layer_statistics(
                depth=2, width=4, batch=4, n_classes=3, seed=0
            )
        ]
        for f in dataclasses.fields(s)
    },
    "vgp_lib.normalisation.batch_norm_backward": lambda R: dict(
        y=np.array([[1.0, 0.0], [2.0, 1.0], [4.0, 3.0]]),
        grad_out=np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]),
        eps=1e-5,
    ),
    "vgp_lib.normalisation.train_eval_gap": lambda R: dict(
        steps=(0, 2), depth=2, width=4, batch=4, seed=0
    ),
    "vgp_lib.normalisation.TrainEvalGap": lambda R: {
        f.name: getattr(r, f.name)
        for r in [
            __import__("vgp_lib.normalisation").normalisation.train_eval_gap(
                steps=(0, 1), depth=2, width=4, batch=4, seed=0
            )
        ]
        for f in dataclasses.fields(r)
    },
    "vgp_lib.plots.normalisation.label": lambda R: dict(
        stats=__import__("vgp_lib.normalisation").normalisation.layer_statistics(
            depth=2, width=4, batch=4, n_classes=3, seed=0
        )
    ),
    "vgp_lib.plots.normalisation.plot_spread": lambda R: dict(
        stats=[
            __import__("vgp_lib.normalisation").normalisation.layer_statistics(
                depth=2, width=4, batch=4, n_classes=3, seed=0
            )
        ],
        ax=R.ax(),
        ylim=(1e-3, 10.0),
    ),
    "vgp_lib.plots.normalisation.plot_factors": lambda R: dict(
        stats=[
            __import__("vgp_lib.normalisation").normalisation.layer_statistics(
                depth=2, width=4, batch=4, n_classes=3, seed=0
            )
        ],
        ax=R.ax(),
        ylim=(1e-3, 10.0),
    ),
    "vgp_lib.plots.normalisation.plot_error_norms": lambda R: dict(
        stats=[
            __import__("vgp_lib.normalisation").normalisation.layer_statistics(
                depth=2, width=4, batch=4, n_classes=3, seed=0
            )
        ],
        ax=R.ax(),
        ylim=(1e-3, 10.0),
    ),
    "vgp_lib.exercises.normalisation.small_batch_scale": lambda R: dict(),
    "vgp_lib.exercises.normalisation.batch_norm_factors": lambda R: dict(),
    "vgp_lib.exercises.normalisation.check_small_batch": lambda R: dict(answer=1.0),
    "vgp_lib.exercises.normalisation.check_predict": lambda R: dict(answer=(0.25, 1.0)),
    # -- residual connections (chapter residual)
    "vgp_lib.residual.path_sums": lambda R: dict(jacobians=np.full((2, 2, 2), 0.1)),
    "vgp_lib.residual.path_counts": lambda R: dict(k=3),
    "vgp_lib.residual.path_gradients": lambda R: dict(
        depth=3, activation="sigmoid", init="pytorch", width=4, n_in=3, n_classes=2, batch=2, seed=0
    ),
    "vgp_lib.residual.PathGradients": lambda R: dict(
        vars(
            __import__("vgp_lib.residual").residual.path_gradients(
                depth=3, width=4, n_in=3, n_classes=2, batch=2, seed=0
            )
        )
    ),
    "vgp_lib.residual.stream_variance": lambda R: dict(
        depth=3, alpha=0.5, prenorm=False, width=4, batch=3, seed=0
    ),
    "vgp_lib.residual.StreamVariance": lambda R: dict(
        vars(
            __import__("vgp_lib.residual").residual.stream_variance(
                depth=3, width=4, batch=3, seed=0
            )
        )
    ),
    "vgp_lib.plots.residual.plot_path_gradients": lambda R: dict(
        results=[
            __import__("vgp_lib.residual").residual.path_gradients(
                depth=3, width=4, n_in=3, n_classes=2, batch=2, seed=0
            )
        ],
        ax=R.ax(),
    ),
    "vgp_lib.plots.residual.plot_stream_variance": lambda R: dict(
        results=[
            __import__("vgp_lib.residual").residual.stream_variance(
                depth=3, width=4, batch=3, seed=0
            )
        ],
        ax=R.ax(),
    ),
    "vgp_lib.exercises.residual.path_count": lambda R: dict(),
    "vgp_lib.exercises.residual.stream_variances": lambda R: dict(),
    "vgp_lib.exercises.residual.check_path_count": lambda R: dict(answer=3),
    "vgp_lib.exercises.residual.check_stream_variance": lambda R: dict(answer=(1.0, 2.0)),
    "vgp_lib.layer_factor.predicted_factor": lambda R: dict(
        activation="relu", init="pytorch", width=8
    ),
    "vgp_lib.layer_factor.layer_factor": lambda R: dict(
        activation="tanh", init="pytorch", depth=4, width=4, n_seeds=1, burn_in=1, seed=0
    ),
    "vgp_lib.layer_factor.measured_factor": lambda R: dict(
        profile=R.samples["vgp_lib.profiles.GradientProfile"], burn_in=1
    ),
    "vgp_lib.layer_factor.LayerFactor": lambda R: dict(
        vars(
            __import__("vgp_lib.layer_factor").layer_factor.layer_factor(
                "relu", depth=3, width=4, n_seeds=1, burn_in=1, seed=0
            )
        )
    ),
    "vgp_lib.dead_units.dead_mask": lambda R: dict(
        z=np.array([[-1.0, 2.0], [0.5, -1.0]]), activation="relu"
    ),
    "vgp_lib.dead_units.dead_counts": lambda R: dict(net=R.mlp(), x=np.ones((3, 4))),
    "vgp_lib.dead_units.expected_dead_fraction": lambda R: dict(
        shift=1.0, n_examples=4, weight_norm=1.0
    ),
    "vgp_lib.dead_units.shift_sweep": lambda R: dict(
        shifts=[0.0, 1.0], activation="relu", depth=2, width=4, n_examples=8, seed=0
    ),
    "vgp_lib.dead_units.step_sweep": lambda R: dict(
        steps=[0.1, 1.0], activation="relu", depth=2, width=4, n_examples=8, seed=0
    ),
    "vgp_lib.dead_units.DeadSweep": lambda R: dict(
        vars(
            __import__("vgp_lib.dead_units").dead_units.shift_sweep(
                [0.0, 1.0], depth=2, width=4, n_examples=8, seed=0
            )
        )
    ),
    "vgp_lib.plots.activations.factor_label": lambda R: dict(
        factor=__import__("vgp_lib.layer_factor").layer_factor.layer_factor(
            "relu", depth=3, width=4, n_seeds=1, burn_in=1, seed=0
        )
    ),
    "vgp_lib.plots.activations.plot_layer_factors": lambda R: dict(
        factors=[
            __import__("vgp_lib.layer_factor").layer_factor.layer_factor(
                "relu", depth=3, width=4, n_seeds=1, burn_in=1, seed=0
            )
        ],
        ax=R.ax(),
    ),
    "vgp_lib.plots.activations.plot_dead_layers": lambda R: dict(
        sweeps=[
            __import__("vgp_lib.dead_units").dead_units.shift_sweep(
                [0.0, 1.0], depth=2, width=4, n_examples=8, seed=0
            )
        ],
        index=1,
        ax=R.ax(),
    ),
    "vgp_lib.plots.activations.plot_dead_sweep": lambda R: dict(
        sweep=__import__("vgp_lib.dead_units").dead_units.step_sweep(
            [0.1, 1.0], depth=2, width=4, n_examples=8, seed=0
        ),
        ax=R.ax(),
        layers=[1, 2],
    ),
    "vgp_lib.exercises.activations.relu_factor": lambda R: dict(),
    "vgp_lib.exercises.activations.dead_fraction": lambda R: dict(),
    "vgp_lib.exercises.activations.check_relu_factor": lambda R: dict(answer=0.5),
    "vgp_lib.exercises.activations.check_dead_fraction": lambda R: dict(answer=0.5),
    # -- initialisation (chapter initialisation)
    "vgp_lib.variance.weight_variance": lambda R: dict(init="pytorch", n_in=4, n_out=3),
    "vgp_lib.variance.activation_gains": lambda R: dict(activation="relu", q=1.0),
    "vgp_lib.variance.per_layer_factor": lambda R: dict(
        depth=3, activation="sigmoid", init="pytorch", width=4, n_in=4, n_classes=3, seed=0
    ),
    "vgp_lib.variance.FactorMeasurement": lambda R: {
        f.name: getattr(m, f.name)
        for m in [
            __import__("vgp_lib.variance").variance.per_layer_factor(
                depth=3, width=4, n_in=4, batch=4, seed=0
            )
        ]
        for f in dataclasses.fields(m)
    },
    "vgp_lib.symmetry.train_from": lambda R: dict(
        start="equal", n_hidden=3, n_points=10, steps=3, batch=5, eta=1.0, value=0.5, seed=0
    ),
    "vgp_lib.symmetry.SymmetryRun": lambda R: {
        f.name: getattr(r, f.name)
        for r in [
            __import__("vgp_lib.symmetry").symmetry.train_from(
                "random", n_hidden=3, n_points=10, steps=3, batch=5, seed=0
            )
        ]
        for f in dataclasses.fields(r)
    },
    "vgp_lib.symmetry.SymmetryRun.output": lambda R: dict(
        self=__import__("vgp_lib.symmetry").symmetry.train_from(
            "random", n_hidden=3, n_points=10, steps=3, batch=5, seed=0
        ),
        points=np.zeros((2, 2)),
    ),
    "vgp_lib.plots.symmetry.unit_lines": lambda R: dict(
        run=__import__("vgp_lib.symmetry").symmetry.train_from(
            "random", n_hidden=3, n_points=10, steps=3, batch=5, seed=0
        )
    ),
    "vgp_lib.plots.symmetry.plot_symmetry_run": lambda R: dict(
        run=__import__("vgp_lib.symmetry").symmetry.train_from(
            "random", n_hidden=3, n_points=10, steps=3, batch=5, seed=0
        ),
        ax=R.ax(),
        grid=11,
    ),
    "vgp_lib.plots.variance.predicted_norms": lambda R: dict(
        measurement=__import__("vgp_lib.variance").variance.per_layer_factor(
            depth=3, width=4, n_in=4, batch=4, seed=0
        )
    ),
    "vgp_lib.plots.variance.plot_factor": lambda R: dict(
        measurement=__import__("vgp_lib.variance").variance.per_layer_factor(
            depth=3, width=4, n_in=4, batch=4, seed=0
        ),
        ax=R.ax(),
    ),
    "vgp_lib.exercises.initialisation.equal_start_units": lambda R: dict(),
    "vgp_lib.exercises.initialisation.equal_start_gradient": lambda R: dict(),
    "vgp_lib.exercises.initialisation.pytorch_sigmoid_factor": lambda R: dict(),
    "vgp_lib.exercises.initialisation.balance_ratio": lambda R: dict(scale=1.0),
    "vgp_lib.exercises.initialisation.check_equal_units": lambda R: dict(answer=5.0),
    "vgp_lib.exercises.initialisation.check_equal_gradient": lambda R: dict(
        answer=np.zeros((3, 2))
    ),
    "vgp_lib.exercises.initialisation.check_pytorch_factor": lambda R: dict(answer=0.5),
    "vgp_lib.exercises.initialisation.check_tanh_scale": lambda R: dict(scale=1.0),
    "vgp_lib.exercises.activations.dead_share_reference": lambda R: dict(
        z=np.array([[-1.0, 2.0], [0.0, -1.0]])
    ),
    "vgp_lib.exercises.activations.check_dead_share": lambda R: dict(dead_share=lambda z: 0.5),
    "vgp_lib.recurrent.radius_sweep": lambda R: dict(
        rhos=[0.5, 2.0], hidden=3, steps=4, n_in=2, seed=0
    ),
    "vgp_lib.recurrent.RadiusSweep": lambda R: {
        f.name: getattr(s, f.name)
        for s in [
            __import__("vgp_lib.recurrent").recurrent.radius_sweep(
                [0.5, 2.0], hidden=3, steps=4, seed=0
            )
        ]
        for f in dataclasses.fields(s)
    },
    "vgp_lib.recurrent.RadiusSweep.per_step": lambda R: dict(
        self=__import__("vgp_lib.recurrent").recurrent.radius_sweep(
            [0.5, 2.0], hidden=3, steps=4, seed=0
        ),
        lag=2,
    ),
    "vgp_lib.recurrent.lstm_step": lambda R: dict(
        module=__import__("vgp_lib.recurrent").recurrent.make_cell(
            "lstm", n_in=2, hidden=3, seed=0
        ),
        x=__import__("torch").ones(1, 2, dtype=__import__("torch").float64),
        h=__import__("torch").zeros(1, 3, dtype=__import__("torch").float64),
        c=__import__("torch").zeros(1, 3, dtype=__import__("torch").float64),
    ),
    "vgp_lib.recurrent.carousel": lambda R: dict(gate_bias=3.0, hidden=3, steps=4, n_in=2, seed=0),
    "vgp_lib.recurrent.Carousel": lambda R: {
        f.name: getattr(s, f.name)
        for s in [
            __import__("vgp_lib.recurrent").recurrent.carousel(hidden=3, steps=4, n_in=2, seed=0)
        ]
        for f in dataclasses.fields(s)
    },
    "vgp_lib.sequences.memory_batch": lambda R: dict(n=3, length=4, noise=1.0, seed=0),
    "vgp_lib.sequences.train_memory": lambda R: dict(
        cell="lstm",
        length=4,
        hidden=3,
        gate_bias=3.0,
        recurrent_scale=1.0,
        optimizer="sgd",
        lr=0.05,
        steps=3,
        batch=4,
        noise=1.0,
        max_norm=1.0,
        clip=__import__("vgp_lib.clipping").clipping.clip_grads_,
        seed=0,
    ),
    "vgp_lib.sequences.MemoryRun": lambda R: {
        f.name: getattr(s, f.name)
        for s in [
            __import__("vgp_lib.sequences").sequences.train_memory(
                "irnn",
                length=4,
                hidden=3,
                steps=3,
                batch=4,
                optimizer="sgd",
                lr=100.0,
                max_norm=50.0,
                seed=0,
            )
        ]
        for f in dataclasses.fields(s)
    },
    "vgp_lib.sequences.memory_gradient": lambda R: dict(
        cell="gru",
        length=4,
        hidden=3,
        gate_bias=3.0,
        recurrent_scale=1.0,
        batch=4,
        noise=1.0,
        seed=0,
    ),
    "vgp_lib.clipping.clip_per_tensor": lambda R: dict(
        grads=[np.ones(3), np.ones((2, 2))], max_norm=0.5
    ),
    "vgp_lib.clipping.cosine": lambda R: dict(
        grads=[np.ones(3), np.ones((2, 2))], other=[np.arange(3.0), np.ones((2, 2))]
    ),
    "vgp_lib.plots.recurrent.plot_radius_frame": lambda R: dict(
        sweep=__import__("vgp_lib.recurrent").recurrent.radius_sweep(
            [0.5, 2.0], hidden=3, steps=4, seed=0
        ),
        index=1,
        ax=R.ax(),
    ),
    "vgp_lib.plots.recurrent.draw_unrolled": lambda R: dict(steps=2, ax=R.ax()),
    "vgp_lib.plots.recurrent.plot_per_step": lambda R: dict(
        sweep=__import__("vgp_lib.recurrent").recurrent.radius_sweep(
            [0.5, 2.0], hidden=3, steps=4, seed=0
        ),
        ax=R.ax(),
    ),
    "vgp_lib.plots.recurrent.plot_carousel": lambda R: dict(
        results=[
            __import__("vgp_lib.recurrent").recurrent.carousel(hidden=3, steps=4, n_in=2, seed=0)
        ],
        ax=R.ax(),
    ),
    "vgp_lib.plots.recurrent.plot_memory_runs": lambda R: dict(
        runs=[
            __import__("vgp_lib.sequences").sequences.train_memory(
                "gru", length=4, hidden=3, steps=3, batch=4, seed=0
            )
        ],
        labels=["GRU"],
        ax=R.ax(),
        window=2,
    ),
    "vgp_lib.plots.clipping.plot_clipped_runs": lambda R: dict(
        runs=[
            __import__("vgp_lib.sequences").sequences.train_memory(
                "irnn", length=4, hidden=3, steps=3, batch=4, seed=0
            )
        ],
        labels=["IRNN"],
        ax=R.ax(),
    ),
    "vgp_lib.exercises.recurrent.carousel_left": lambda R: dict(),
    "vgp_lib.exercises.recurrent.half_life_gate": lambda R: dict(),
    "vgp_lib.exercises.recurrent.check_carousel": lambda R: dict(answer=1e-3),
    "vgp_lib.exercises.recurrent.check_half_life": lambda R: dict(answer=(0.9, 2.0)),
    "vgp_lib.exercises.recurrent.check_clip": lambda R: dict(clip=lambda g, c: g, time_limit=1.0),
    "vgp_lib.exercises.recurrent.check_clip_run": lambda R: dict(
        clip_step=lambda ps, c: None, time_limit=1.0
    ),
    "vgp_lib.residual.error_share": lambda R: dict(
        depth=3, width=4, n_in=3, n_classes=2, batch=2, n_seeds=1, seed=0
    ),
    "vgp_lib.residual.ErrorShare": lambda R: dict(
        vars(
            __import__("vgp_lib.residual").residual.error_share(
                depth=3, width=4, n_in=3, n_classes=2, batch=2, seed=0
            )
        )
    ),
    "vgp_lib.layer_factor.first_layer_ratio": lambda R: dict(
        activation="tanh", other="relu", n_in=4, width=4, depth=2
    ),
}
# Result classes: their constructors, from the fields of a real instance.
for _name in (
    "vgp_lib.balance.RatioSample",
    "vgp_lib.balance.BalanceStudy",
    "vgp_lib.bound.FactorInterval",
    "vgp_lib.bound.WidthCurve",
    C,
    "vgp_lib.chain.Forward",
    "vgp_lib.chain.ChainGradients",
    "vgp_lib.precision.PrecisionGradient",
    "vgp_lib.chain.GradientRoutes",
    "vgp_lib.circuits.Circuit",
    "vgp_lib.circuits.GateCounts",
    "vgp_lib.circuits.ReluNet",
    "vgp_lib.circuits.Pieces",
    "vgp_lib.clipping.Clipped",
    "vgp_lib.data.MNIST",
    "vgp_lib.data.Split",
    "vgp_lib.monitor.TrainingTrace",
    "vgp_lib.monitor.Diagnosis",
    "vgp_lib.identity.IdentityNeuron",
    "vgp_lib.identity.ErrorCurve",
    "vgp_lib.identity.IdentityLayer",
    "vgp_lib.monitor.GradientRecord",
    "vgp_lib.network.Params",
    "vgp_lib.network.Gradients",
    "vgp_lib.network.TrainResult",
    "vgp_lib.network.DepthResult",
    "vgp_lib.recurrent.TimeGradient",
    "vgp_lib.profiles.ActivationComparison",
    "vgp_lib.activations.DerivativeCurves",
    "vgp_lib.profiles.VarianceProfile",
    "vgp_lib.profiles.GradientProfile",
    "vgp_lib.training.TrainingComparison",
    "vgp_lib.speeds.SpeedProfile",
    "vgp_lib.speeds.InitSpeeds",
    "vgp_lib.speeds.NeuronGradients",
    "vgp_lib.speeds.TrainingSpeeds",
    "vgp_lib.meanfield.MeanField",
    "vgp_lib.meanfield.PhaseGrid",
    "vgp_lib.jacobian.RandomNetwork",
    "vgp_lib.jacobian.LayerValues",
    "vgp_lib.jacobian.GradientFlow",
    "vgp_lib.jacobian.Spectrum",
    "vgp_lib.jacobian.PhaseMeasurement",
    "vgp_lib.jacobian.NearbyInputs",
    "vgp_lib.plots.style.Drawings",
):
    VALID[_name] = _fields(_name)

#: Callables deliberately without a generated call, and why (kept short and explicit).
SKIPPED = {
    name: "needs the MNIST download; its bad inputs are tested in tests/test_data.py"
    for name, v in VALID.items()
    if v is None and name.startswith("vgp_lib.data.")
}


# -- bad values ------------------------------------------------------------------------------------
class _Other:
    """An object of a class no function accepts."""

    def __repr__(self):
        return "<_Other>"


def _array_bad(valid):
    arr = np.asarray(valid)
    out = [
        ("str", "7"),
        ("None", None),
        ("str-array", np.full(arr.shape or (1,), "a")),
        ("empty", np.array([])),
        ("scalar", 5.0),
    ]
    if arr.dtype.kind in "biuf" and arr.size:
        f = arr.astype(float)
        out += [
            ("complex-array", f + 1j),
            ("nan-array", np.where(np.arange(f.size).reshape(f.shape) == 0, np.nan, f)),
            ("inf-array", np.full(f.shape, np.inf)),
            ("huge-array", np.full(f.shape, 1e300)),
            ("wrong-shape", f[..., None, None]),
            ("object-array", np.array([10**400] * 2, dtype=object)),
        ]
        if arr.dtype.kind != "b":
            out.append(("bool-array", arr.astype(bool)))
    return out


INT_BAD = [
    ("str", "3"),
    ("float", 2.5),
    ("bool", True),
    ("None", None),
    ("nan", math.nan),
    ("inf", math.inf),
    ("0", 0),
    ("-1", -1),
    ("10**400", 10**400),
    ("10**9", 10**9),
    ("10**30", 10**30),
]
REAL_BAD = [
    ("str", "1.0"),
    ("bool", True),
    ("None", None),
    ("nan", math.nan),
    ("inf", math.inf),
    ("-inf", -math.inf),
    ("0", 0.0),
    ("-1", -1.0),
    ("10**400", 10**400),
    ("1e300", 1e300),
    ("1e-310", 1e-310),
    ("complex", 1 + 1j),
]
STR_BAD = [("None", None), ("int", 3), ("unknown", "no-such-name"), ("empty", "")]
BOOL_BAD = [("None", None), ("str", "yes"), ("nan", math.nan)]
OBJ_BAD = [("None", None), ("int", 3), ("str", "x"), ("dict", {}), ("other", _Other())]
SEQ_BAD = [("None", None), ("int", 3), ("empty", ()), ("str", "x"), ("nested", ((1, 2), (3,)))]

#: Labels whose acceptance is itself a defect (a value of the wrong type taken silently).
WRONG_TYPE = {
    "str",
    "None",
    "complex",
    "str-array",
    "complex-array",
    "dict",
    "other",
    "wrong-class",
    "object-array",
    "int",
}


def kind_of(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "real"
    if isinstance(value, str):
        return "str"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "result"
    if isinstance(value, np.ndarray):
        return "array"
    if isinstance(value, (list, tuple, range)):
        flat = list(value)
        if flat and all(isinstance(v, str) for v in flat):
            return "seq-str"
        if not all(isinstance(v, (numbers.Real, list, tuple, np.ndarray)) for v in flat):
            return "seq"
        try:
            arr = np.asarray(flat)
        except (ValueError, TypeError, RuntimeError):
            return "seq"
        return "array" if arr.dtype.kind in "biuf" and arr.size else "seq"
    return "object"


DTYPE_BAD = [
    ("float16", "float16"),
    ("int-type", int),
    ("unknown", "no-such-name"),
    ("int", 3),
    ("dict", {}),
    ("other", _Other()),
]


def bad_values(value, samples, param=""):
    """``[(label, bad value)]`` for a parameter ``param`` whose valid value is ``value``."""
    if param == "dtype":
        return DTYPE_BAD
    kind = kind_of(value)
    if kind == "bool":
        return BOOL_BAD
    if kind == "int":
        return INT_BAD
    if kind == "real":
        return REAL_BAD
    if kind == "str":
        return STR_BAD
    if kind == "array":
        return _array_bad(value)
    if kind == "seq-str":
        return [("None", None), ("int", 3), ("empty", ()), ("unknown", ("no-such-name",))]
    if kind == "seq":
        return SEQ_BAD
    if kind == "result":
        other = next(
            s
            for n, s in samples.items()
            if dataclasses.is_dataclass(s) and type(s) is not type(value)
        )
        return OBJ_BAD + [("wrong-class", other)]
    return OBJ_BAD


# -- the cases -------------------------------------------------------------------------------------
def _signature_params(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [
        p
        for p in sig.parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def build_cases(R, names=None):
    """All ``(name, param, label)`` cases, with the valid kwargs of each callable.

    ``("name", None, "valid")`` is the valid call itself.
    """
    objs = public_callables()
    valid, cases = {}, []
    for name in sorted(objs):
        if names is not None and name not in names:
            continue
        make = VALID.get(name)
        if make is None:
            continue
        kwargs = make(R)
        valid[name] = kwargs
        cases.append((name, None, "valid"))
        for p in _signature_params(objs[name]):
            if p.name in kwargs:
                value = kwargs[p.name]
            elif p.default is not inspect.Parameter.empty and p.default is not None:
                value = p.default
            else:
                continue
            for label, _ in _bad_for(p, value, R.samples):
                cases.append((name, p.name, label))
    return objs, valid, cases


def _bad_for(p, value, samples):
    """Bad values for parameter ``p``; ``None`` is not one when it is the documented default."""
    bad = bad_values(value, samples, p.name)
    if p.default is None:
        bad = [(label, v) for label, v in bad if label != "None"]
    return bad


def _bad_value(R, valid, name, param, label):
    objs = public_callables.cache
    obj = objs[name]
    p = inspect.signature(obj).parameters[param]
    value = valid[name].get(param)
    if value is None:
        value = p.default
    return dict(_bad_for(p, value, R.samples))[label]


def names(param: str, message: str) -> bool:
    """Does ``message`` name ``param`` (as a whole word)?"""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(param)}(?![A-Za-z0-9_])", message) is not None


def _finite(obj, depth=0) -> bool:
    if depth > 4:
        return True
    if isinstance(obj, (bool, np.bool_)):
        return True
    if isinstance(obj, (numbers.Complex, np.number)) and not isinstance(obj, numbers.Real):
        return False
    if isinstance(obj, (float, np.floating)):
        return math.isfinite(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f":
            return bool(np.all(np.isfinite(obj)))
        if obj.dtype.kind == "O":  # e.g. a grid of matplotlib axes
            return all(_finite(v, depth + 1) for v in obj.flat[:50])
        return obj.dtype.kind in "biuU"
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        # a field declared to hold inf or nan (vgp_lib._validate.nonfinite) may hold them
        return all(
            _finite(getattr(obj, f.name), depth + 1)
            for f in dataclasses.fields(obj)
            if "nonfinite" not in f.metadata
        )
    if isinstance(obj, (list, tuple)):
        return all(_finite(v, depth + 1) for v in obj[:50])
    if isinstance(obj, dict):
        return all(_finite(v, depth + 1) for v in list(obj.values())[:50])
    if type(obj).__module__.startswith("torch") and hasattr(obj, "isfinite"):
        import torch

        return bool(torch.isfinite(obj).all()) if obj.is_floating_point() else True
    return True


def _call(obj, kwargs):
    kwargs = dict(kwargs)
    self = kwargs.pop("self", None)
    if self is not None:
        return getattr(self, obj.__name__)(**kwargs)
    return obj(**kwargs)


def _not_copied(value) -> bool:
    """Torch modules, widgets, matplotlib artists and the exercises' objects: made fresh for each
    case by :data:`VALID`, or not copyable (a circuit keys its wires by ``id``)."""
    items = list(value.values()) if isinstance(value, dict) else value
    items = items if isinstance(items, (list, tuple, np.ndarray)) else [items]
    return any(
        type(v).__module__.split(".")[0] in ("torch", "ipywidgets", "matplotlib")
        or type(v).__module__.startswith("vgp_lib.exercises")
        for v in list(items)[:3]
    )


def _copy(kwargs):
    memo: dict = {}  # one memo: values that share an object still do
    return {k: v if _not_copied(v) else copy.deepcopy(v, memo) for k, v in kwargs.items()}


def run_case(R, objs, valid, case):
    """Run one case in this process; return ``(kind, message)``."""
    name, param, label = case
    kwargs = _copy(VALID[name](R))
    if param is not None:
        kwargs[param] = copy.deepcopy(_bad_value(R, valid, name, param, label))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = _call(objs[name], kwargs)
        except AssertionError as exc:
            return type(exc).__name__, str(exc)[:300]
        except (ValueError, TypeError) as exc:
            msg = str(exc)
            if param is None:
                return type(exc).__name__, msg[:300]
            if CHECK.match(name):  # a check must answer every answer with feedback
                return "raised", f"{type(exc).__name__}: {msg}"[:300]
            return ("ok-named" if names(param, msg) else "unnamed"), msg[:300]
        except BaseException as exc:  # noqa: BLE001 - every other kind is what we count
            return type(exc).__name__, str(exc)[:300]
    if param is not None and CHECK.match(name):
        if getattr(result, "correct", False):
            return "accepted-wrong", str(result)[:120]
        return "feedback", ""
    if param is None:
        return ("accepted" if _finite(result) else "nan"), ""
    if (name, param) in ANY_OBJECT:
        return "accepted", ""
    if label in WRONG_TYPE:
        return "accepted-bad-type", repr(result)[:120]
    if not _finite(result) and _valid_finite(R, objs, valid, name):
        return "nan", repr(result)[:120]
    return "accepted", ""


_VALID_FINITE: dict = {}


def _valid_finite(R, objs, valid, name):
    if name not in _VALID_FINITE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _VALID_FINITE[name] = _finite(_call(objs[name], _copy(valid[name])))
    return _VALID_FINITE[name]


# -- the worker pool -------------------------------------------------------------------------------
_STATE: dict = {}


def _worker(conn):
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    limit = _STATE["mem_limit"]
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    R, objs, valid, cases = _STATE["R"], _STATE["objs"], _STATE["valid"], _STATE["cases"]
    while True:
        try:
            i = conn.recv()
        except EOFError:
            return
        if i is None:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)  # no timer or handler left over by an earlier case
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        t0 = time.perf_counter()
        try:
            kind, msg = run_case(R, objs, valid, cases[i])
        except BaseException as exc:  # noqa: BLE001
            kind, msg = "harness-" + type(exc).__name__, str(exc)[:300]
        conn.send((i, kind, msg, time.perf_counter() - t0))


def _vm_bytes():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def run_all(names=None, *, workers=2, limit=LIMIT_S, progress=False):
    """Run every case; return a list of result dicts
    (name, param, value, kind, message, seconds)."""
    import torch

    torch.set_num_threads(1)
    R = Resources()
    objs, valid, cases = build_cases(R, names)
    public_callables.cache = objs
    _STATE.update(R=R, objs=objs, valid=valid, cases=cases, mem_limit=_vm_bytes() + (2 << 30))
    for name in valid:  # compute 'is the valid result finite' once, before forking
        try:
            _valid_finite(R, objs, valid, name)
        except Exception:  # noqa: BLE001 - the 'valid' case reports it
            _VALID_FINITE[name] = True
    ctx = multiprocessing.get_context("fork")
    results = [None] * len(cases)
    todo = list(range(len(cases)))[::-1]
    slots = {}

    def start():
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child,), daemon=True)
        proc.start()
        child.close()
        return parent, proc

    def give(slot):
        conn, proc = slots[slot]
        if todo:
            i = todo.pop()
            conn.send(i)
            slots[slot] = (conn, proc, i, time.monotonic())
        else:
            conn.send(None)
            proc.join(1)
            del slots[slot]

    for k in range(min(workers, len(cases))):
        slots[k] = start()
        give(k)
    done = 0
    while slots:
        conns = {v[0]: k for k, v in slots.items()}
        deadline = min(v[3] for v in slots.values()) + limit + 0.5
        ready = wait(list(conns), timeout=max(0.0, deadline - time.monotonic()))
        for conn in ready:
            k = conns[conn]
            try:
                i, kind, msg, secs = conn.recv()
            except (EOFError, OSError):  # the worker died (e.g. killed by the OS)
                _, proc, i, t0 = slots[k]
                kind, msg, secs = (
                    "crash",
                    f"worker exit code {proc.exitcode}",
                    time.monotonic() - t0,
                )
                proc.join(1)
                slots[k] = start()
            results[i] = (kind, msg, secs)
            done += 1
            slots[k] = slots[k][:2]
            give(k)
        now = time.monotonic()
        for k, (conn, proc, i, t0) in list((k, v) for k, v in slots.items() if len(v) == 4):
            if now - t0 > limit + 0.5 and results[i] is None:
                proc.kill()
                proc.join(1)
                conn.close()
                results[i] = ("timeout", f"no answer within {limit:g} s", now - t0)
                done += 1
                slots[k] = start()
                give(k)
        if progress and done % 200 == 0:
            print(f"{done}/{len(cases)}", file=sys.stderr, flush=True)
    out = []
    for (name, param, label), (kind, msg, secs) in zip(cases, results):
        out.append(
            dict(
                name=name, param=param, value=label, kind=kind, message=msg, seconds=round(secs, 3)
            )
        )
    return out


def summary(results):
    calls = [r for r in results if r["param"] is not None]
    kinds = Counter(r["kind"] for r in calls)
    return dict(
        callables=len({r["name"] for r in results}),
        calls=len(calls),
        kept=sum(kinds[k] for k in KEPT),
        kinds=dict(kinds.most_common()),
        over_limit=sum(1 for r in calls if r["kind"] == "timeout"),
        broken_valid=[r for r in results if r["param"] is None and r["kind"] != "accepted"],
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="write every case's result here (JSON)")
    ap.add_argument("--only", nargs="*", help="qualified names to run (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    results = run_all(set(args.only) if args.only else None, workers=args.workers, progress=True)
    s = summary(results)
    s["wall_seconds"] = round(time.monotonic() - t0, 1)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(dict(summary=s, results=results), fh, indent=1)
    print(json.dumps({k: v for k, v in s.items() if k != "broken_valid"}, indent=1))
    for r in s["broken_valid"]:
        print("valid call failed:", r["name"], r["kind"], r["message"][:200])


if __name__ == "__main__":
    main()
