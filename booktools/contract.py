"""The contract of vgp_lib's public surface, tried one bad argument at a time.

The surface is where people meet the code: the module-level functions of a public module's
``__all__`` (its own public names if it has none) and the constructors of its public classes,
less the result dataclasses (the library builds them), exceptions and methods. The promise: given
bad input, such a call raises ``ValueError``/``TypeError`` whose message names the parameter,
within :data:`LIMIT_S` seconds; otherwise it returns a result, finite where the valid call's
is. An exercise's check keeps its own promise: it never raises on an answer, it answers with
feedback.

Valid calls come from the functions themselves (:func:`plan`): the arguments of the docstring's
doctest call (else the module docstring's), the defaults, and for the rest a rule for the
parameter's name (:data:`PARAMETERS`); a result a function takes is made by the public function
annotated to return it (:class:`Sample`). Defaults sized for the book become tiny
(:data:`SIZES`): every call runs once per bad value. :data:`CALLS` holds the few calls these do
not give. Each parameter in turn is
then replaced by bad values chosen by the kind of its valid value (:func:`bad_values`): wrong
types, NaN and infinities, huge sequences, tensors that require grad, integers of 5,000 digits,
and sizes inside the parameter's own limit (the largest the refusal of ``10**9`` names). Each call
runs in a forked worker under a time limit and a memory limit, and is classified (:data:`KINDS`).

Run it: ``.venv/bin/python -m booktools.contract --out /tmp/contract.json``;
``tests/test_contract.py`` asserts it.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import dataclasses
import doctest
import importlib
import inspect
import io
import json
import math
import multiprocessing
import numbers
import os
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
#: Memory a worker may take beyond what it had when forked: a call that would need tens of GB
#: fails to allocate (and counts as a gap) instead of swapping the machine.
MEMORY_HEADROOM = 2 << 30

#: How a call can end. ``ok-named``, ``accepted`` and ``feedback`` keep the promise. An
#: exercise's check answers every answer (``feedback``) and never calls a wrong one right
#: (``accepted-wrong``); a check that raises is a gap. An exception raised by the caller's own
#: callback (``draw`` given a bad frame) is the caller's (``callback``). Anything else is an
#: exception's name.
KINDS = (
    "ok-named",
    "accepted",
    "feedback",
    "callback",
    "unnamed",
    "accepted-bad-type",
    "accepted-wrong",
    "raised",
    "nan",
    "timeout",
    "crash",
)
KEPT = ("ok-named", "accepted", "feedback", "callback")
#: The exercises' checks: ``vgp_lib.exercises.check`` and every ``check_*`` of an exercise module.
CHECK = re.compile(r"vgp_lib\.exercises\.(\w+\.)?check(_\w+)?$")
#: Classes people build although they are dataclasses: an exercise's precision rule.
BUILT_BY_PEOPLE = ("Precision",)
#: Parameters that take any object by design: a value of another type is an input they describe
#: or report, not a bad input (an exception from them is still a gap).
ANY_OBJECT = {
    (
        "vgp_lib.exercises.not_attempted",
        "answer",
    ): "is any answer still the placeholder?",
    (
        "vgp_lib.exercises.as_number",
        "answer",
    ): "non-numbers get 'expected a number' feedback",
    ("vgp_lib.exercises.handin.to_data", "value"): "any answer becomes data",
    (
        "vgp_lib.exercises.handin.from_data",
        "data",
    ): "None, bools, numbers and strs are data",
}

#: Functions whose non-finite result for a valid but extreme input is the honest answer, and why.
NONFINITE = {
    "vgp_lib.precision.exploding_profile": "overflow to inf in the chosen dtype is its point",
    "vgp_lib.jacobian.measured_phase": "-inf: the gradient vanished below float64's range",
    "vgp_lib.recurrent.radius_sweep": "inf: over thousands of steps rho^k leaves float64's range",
}


# -- the surface -----------------------------------------------------------------------------------
def public_modules():
    """The package's modules, without private ones."""
    names = ["vgp_lib"]
    for info in pkgutil.walk_packages(vgp_lib.__path__, "vgp_lib."):
        if not any(p.startswith("_") for p in info.name.split(".")[1:]):
            names.append(info.name)
    return sorted(names)


def _exported(mod):
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [
            n
            for n, o in vars(mod).items()
            if not n.startswith("_") and getattr(o, "__module__", None) == mod.__name__
        ]
    return names


def _on_surface(obj) -> bool:
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return False  # raised by the library, not called by people
        if dataclasses.is_dataclass(obj):  # a result, unless people build it
            return any(c.__name__ in BUILT_BY_PEOPLE for c in obj.__mro__)
        return True
    return callable(obj)


def public_callables():
    """``{qualified name: object}`` for the public surface; a name exported twice counts once,
    under the module that defines it."""
    out, seen = {}, {}
    for modname in public_modules():
        mod = importlib.import_module(modname)
        for name in _exported(mod):
            obj = getattr(mod, name, None)
            if obj is None or not _on_surface(obj):
                continue
            qual = f"{modname}.{name}"
            ALIASES.setdefault(id(obj), set()).add(qual)
            home = getattr(obj, "__module__", None) == modname
            if id(obj) in seen and not home:
                continue
            out.pop(seen.get(id(obj)), None)
            seen[id(obj)] = qual
            out[qual] = obj
    return out


#: Every name a public object is exported under (a package may re-export a module's function).
ALIASES: dict = {}


def aliases(obj) -> set:
    return ALIASES.get(id(obj), set())


def table_entry(table, name, obj):
    """``table``'s entry for ``obj``, under any name it is exported as."""
    return next((table[a] for a in sorted(aliases(obj) | {name}) if a in table), None)


def _module_of(name):
    return importlib.import_module(name.rsplit(".", 1)[0])


# -- valid calls -----------------------------------------------------------------------------------
class Resources:
    """Tiny valid inputs, and one instance of each result class made by the real functions."""

    def __init__(self, objs):
        self.objs = objs
        self._samples: dict = {}

    @cached_property
    def xy(
        self,
    ):  # data for the NumPy network and the torch models: 9 examples, 6 pixels
        rng = np.random.default_rng(1)
        return rng.random((9, 6)), rng.integers(0, 10, 9)

    @cached_property
    def params(self):
        from vgp_lib.network import init_params

        return init_params((6, 4, 10), seed=0)

    @staticmethod
    def mlp():
        from vgp_lib.models import build_mlp

        return build_mlp(n_in=6, width=5, n_out=10, depth=3, seed=0)

    @staticmethod
    def fig():
        from vgp_lib.plots.style import blank_figure

        return blank_figure(3.0)

    def drawn_fig(self):
        fig = self.fig()
        draw_line(fig)
        return fig

    @cached_property
    def png(self):
        from vgp_lib.plots.display import png_bytes

        return png_bytes(self.drawn_fig())[0]

    def sample(self, cls_name):
        """An instance of the result class ``cls_name``, from the public function returning it."""
        if cls_name not in self._samples:
            self._samples[cls_name] = None  # no recursion through a cycle
            maker = RESULTS.get(cls_name)
            if maker is not None:
                self._samples[cls_name] = maker(self)
            else:
                for name in producers(self.objs).get(cls_name, ()):
                    try:
                        with _quiet():
                            self._samples[cls_name] = _call(self.objs[name], valid_call(self, name))
                        break
                    except Exception:  # noqa: BLE001, S112 - try the next producer
                        continue
        if self._samples[cls_name] is None:
            raise LookupError(f"no public function makes a {cls_name}")
        return self._samples[cls_name]


class Sample:
    """A parameter value: the sample of a result class (see :meth:`Resources.sample`)."""

    def __init__(self, cls_name):
        self.cls_name = cls_name

    def __call__(self, R):
        return R.sample(self.cls_name)


def producers(objs):
    """``{result class name: [public functions annotated to return it]}``."""
    out: dict = {}
    for name, obj in sorted(objs.items()):
        ann = getattr(inspect.unwrap(obj), "__annotations__", {}).get("return")
        ann = getattr(ann, "__name__", ann)
        if isinstance(ann, str) and re.fullmatch(r"\w+", ann):
            out.setdefault(ann, []).append(name)
    return out


def draw_line(fig_or_ax, item=1.0):
    """A draw callback: one labelled line to a height ``item`` (for sliders, frames, styles)."""
    if isinstance(item, bool) or not isinstance(item, numbers.Real) or not math.isfinite(item):
        raise TypeError(f"item must be a finite real number, got {item!r}")
    ax = fig_or_ax.add_subplot() if hasattr(fig_or_ax, "add_subplot") else fig_or_ax
    ax.plot([0.0, 1.0], [0.0, item], label="line")
    return ax


def _torch(name):
    def make(R):
        import torch

        return {
            "tensor": lambda: torch.ones(3, 2, 2, dtype=torch.float64),
            "linear": lambda: torch.nn.Linear(3, 2),
        }[name]()

    return make


#: Tiny sizes for parameters that have a default sized for the book (the contract runs each
#: call hundreds of times). A call these make invalid keeps its defaults.
SIZES = {
    "depth": 3,
    "width": 4,
    "hidden": 3,
    "n_in": 4,
    "n_classes": 3,
    "batch": 4,
    "n_seeds": 1,
    "n_chains": 5,
    "steps": 3,
    "length": 4,
    "epochs": 1,
    "n_points": 10,
    "n_examples": 8,
    "max_depth": 5,
    "n": 11,
    "m": 20,
    "grid": 11,
    "burn_in": 1,
    "seeds": (0,),
}

#: Values for parameters without a default, by name (a callable is given the resources).
PARAMETERS = {
    "seed": 0,
    "depth": 3,
    "width": 4,
    "hidden": 3,
    "n_in": 4,
    "n": 3,
    "k": 3,
    "w": 1.0,
    "w1": 0.01,
    "b": 0.0,
    "q": 1.0,
    "c": 0.9,
    "z": lambda R: np.array([-1.0, 0.0, 2.0]),
    "activation": "tanh",
    "name": "tanh",
    "init": "pytorch",
    "cell": "gru",
    "start": "equal",
    "sigma_w2": 1.5,
    "sigma_b2": 0.1,
    "sigma_w2s": lambda R: np.array([0.5, 2.0]),
    "sigma_b2s": lambda R: np.array([0.0, 0.1]),
    "rhos": (0.5, 2.0),
    "shifts": (0.0, 1.0),
    "steps": (0.1, 1.0),
    "depths": (2, 3),
    "ns": (2, 3, 4),
    "sizes": (6, 4, 10),
    "rms": 0.2,
    "scale": 1.0,
    "shift": 1.0,
    "max_norm": 1.0,
    "grads": lambda R: [np.ones(3), np.ones((2, 2))],
    "other": lambda R: [np.arange(3.0), np.ones((2, 2))],
    "x": lambda R: R.xy[0],
    "y": lambda R: R.xy[1],
    "params": lambda R: R.params,
    "model": lambda R: R.mlp(),
    "net": lambda R: R.mlp(),
    "fig": lambda R: R.drawn_fig(),
    "draw": lambda R: draw_line,
    "frames": (1.0, 2.0),
    "function": lambda R: draw_line,
    "data": lambda R: R.png,
    "chain": Sample("Chain"),
    "circuit": Sample("Circuit"),
    "trace": Sample("TrainingTrace"),
    "record": Sample("GradientRecord"),
    "study": Sample("BalanceStudy"),
    "sample": Sample("RatioSample"),
    "curves": Sample("DerivativeCurves"),
    "routes": Sample("GradientRoutes"),
    "counts": Sample("GateCounts"),
    "pieces": Sample("Pieces"),
    "neuron": Sample("IdentityNeuron"),
    "layer": Sample("IdentityLayer"),
    "comp": Sample("ActivationComparison"),
    "grid": Sample("PhaseGrid"),
    "flow": Sample("GradientFlow"),
    "measurement": Sample("FactorMeasurement"),
    "run": Sample("SymmetryRun"),
    "profile": Sample("GradientProfile"),
    "factor": Sample("LayerFactor"),
    "sweep": Sample("RadiusSweep"),
    "stats": Sample("LayerStatistics"),
    "n_seeds": 1,
    "epochs": 1,
    "mini_batch_size": 3,
    "batch_size": 8,
    "eta": 0.1,
    "lr": 0.1,
    "lmbda": 0.0,
    "item": 1.0,
    "index": 1,
    "tol": 0.1,
    "rtol": 0.1,
    "precision": lambda R: _exercises().Within(0.1),
    "first": lambda R: _exercises().Within(0.1),
    "second": lambda R: _exercises().Within(0.1),
    "parameters": lambda R: _with_grads(),
    "rank": 50.0,
    "xs": (0.0, 1.0),
    "h": 0.5,
    "r": 0.2,
    "answer": 0.5,
    "exercise": "ex",
    "what": "a number",
    "call": "f(1)",
    "got": 1.0,
    "expected": 2.0,
    "label": "w",
    "module": _torch("linear"),
    "linear": _torch("linear"),
}


def _value(R, rule):
    """A rule's value: a callable is given the resources; lists and tuples are made item by item."""
    if isinstance(rule, (list, tuple)):
        return type(rule)(_value(R, r) for r in rule)
    if isinstance(rule, dict):
        return {k: _value(R, v) for k, v in rule.items()}
    return rule(R) if callable(rule) else rule


def _doctest_call(obj, name, mod):
    """The arguments of the first doctest call of ``obj`` (its docstring's, else the module's),
    evaluated after the examples before it: a ``kwargs`` factory, or ``None``."""
    short = getattr(obj, "__name__", name.rsplit(".", 1)[1])
    for doc in (inspect.getdoc(obj) or "", inspect.getdoc(mod) or ""):
        examples = doctest.DocTestParser().get_examples(doc)
        for i, ex in enumerate(examples):
            try:
                tree = ast.parse(ex.source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                called = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
                if called != short or isinstance(f, ast.Attribute) and f.attr != short:
                    continue
                if any(isinstance(a, ast.Starred) for a in node.args) or any(
                    k.arg is None for k in node.keywords
                ):
                    continue
                return _from_doctest(obj, mod, examples[:i], node)
    return None


def _from_doctest(obj, mod, before, node):
    args = [ast.Expression(a) for a in node.args]
    kws = {k.arg: ast.Expression(k.value) for k in node.keywords}

    def make(R):
        ns = dict(vars(mod))
        with _quiet():
            for ex in before:
                exec(compile(ex.source, "<doctest>", "exec"), ns)  # noqa: S102 - the docstring's own
            ev = [eval(compile(a, "<doctest>", "eval"), ns) for a in args]  # noqa: S307
            kw = {k: eval(compile(v, "<doctest>", "eval"), ns) for k, v in kws.items()}  # noqa: S307
        bound = inspect.signature(obj).bind_partial(*ev, **kw)
        return dict(bound.arguments)

    return make


def _from_annotation(annotation):
    """A rule for a parameter annotated with a result class, or a list or sequence of them."""
    text = getattr(annotation, "__name__", annotation)
    if not isinstance(text, str):
        return None
    one = re.fullmatch(r"([A-Z]\w*)", text)
    many = re.fullmatch(r"(?:list|Sequence|tuple)\[([A-Z]\w*)(?:, \.\.\.)?\]", text)
    if one:
        return Sample(one.group(1))
    return [Sample(many.group(1))] if many else None


def _params(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [
        p
        for p in sig.parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


_PLANS: dict = {}


def plan(R, name):
    """``(source, factory)`` of the valid call of ``name``: ``source`` says where its arguments
    come from (``calls``, ``doctest``, ``rules``), ``factory(R)`` makes them afresh; a missing
    call is ``("missing: why", None)``. Tiny sizes first, then the defaults; the doctest first,
    then the rules.
    """
    if name in _PLANS:
        return _PLANS[name]
    obj = R.objs[name]
    params = _params(obj)
    table = table_entry(CALLS, name, obj) or {}
    doc = None if table.get(...) is False else _doctest_call(obj, name, _module_of(name))
    required = [p.name for p in params if p.default is inspect.Parameter.empty]
    tiny = {p.name: SIZES[p.name] for p in params if p.name in SIZES and p.name not in required}
    annotated = {p.name: _from_annotation(p.annotation) for p in params}

    def factory(R, sizes, doc):
        kwargs = doc(R) if doc is not None else {}
        if sizes:
            kwargs.update(tiny)
        for p in required:
            if p not in kwargs and p not in table:
                rule = PARAMETERS.get(p, annotated.get(p))
                if rule is None:
                    raise LookupError(f"no value for parameter {p!r}")
                kwargs[p] = _value(R, rule)
        kwargs.update({k: _value(R, v) for k, v in table.items() if k is not ...})
        return kwargs

    why = None
    attempts = [(bool(tiny) and s, d) for d in (doc, None) for s in (True, False)]
    for sizes, d in dict.fromkeys(attempts):
        try:
            kwargs = factory(R, sizes, d)
            with _quiet():
                warnings.simplefilter("error")
                result = _call(obj, _copy(kwargs))
            _VALID_FINITE[name] = _finite(result)
        except Exception as exc:  # noqa: BLE001 - the next attempt, or the reason it is missing
            why = why or f"missing: {type(exc).__name__}: {exc}"[:300]
            continue
        source = "calls" if table else "doctest" if d is not None else "rules"
        _PLANS[name] = (source, lambda R, a=(sizes, d): factory(R, *a))
        return _PLANS[name]
    _PLANS[name] = (why, None)
    return _PLANS[name]


def valid_call(R, name):
    source, factory = plan(R, name)
    if factory is None:
        raise LookupError(f"{name}: {source}")
    return factory(R)


def _exercises():
    import vgp_lib.exercises as ex

    return ex


def _with_grads():
    import torch

    lin = torch.nn.Linear(3, 2)
    lin(torch.ones(1, 3)).sum().backward()
    return list(lin.parameters())


def _tensor(*shape):
    def make(R):
        import torch

        return torch.ones(*shape, dtype=torch.float64)

    return make


def _call_of(name, **kwargs):
    """The value of a public call (made afresh for each case)."""
    return lambda R: _call(_resolve(name), {k: _value(R, v) for k, v in kwargs.items()})


def _resolve(name):
    mod, attr = name.rsplit(".", 1)
    return getattr(importlib.import_module(mod), attr)


S = Sample
#: The calls the functions' defaults, doctests and :data:`PARAMETERS` do not give: a parameter
#: name that means different things in different modules (``result``, ``results``), or values
#: that must match each other. ``...: False`` ignores the doctest.
CALLS: dict = {
    "vgp_lib.chain.make_chain": dict(weights=(1.0, 2.0), biases=(0.1, 0.2)),
    "vgp_lib.circuits.evaluate_relu": dict(net=S("ReluNet"), x=(0.1, 0.6)),
    "vgp_lib.exercises.activations.dead_share_reference": dict(z=((-1.0, 2.0), (0.0, -1.0))),
    "vgp_lib.exercises.circuits.Wiring": dict(a=0, b=1),
    # the doctest's answer is an int, whose bad value "3" is the right answer
    "vgp_lib.exercises.initialisation.check_equal_units": dict(answer=5.0),
    "vgp_lib.exercises.circuits.check_xor_from_nand": dict(xor=lambda R: lambda a, b, nand: a),
    "vgp_lib.exercises.diagnosing.measure": dict(
        model=_call_of("vgp_lib.exercises.diagnosing.mystery_model", seed=0)
    ),
    "vgp_lib.exercises.handin.hand_in": dict(
        label="ex-chain-four-layer",
        check=lambda R: _resolve("vgp_lib.exercises.chain.check_four_layer_gradient"),
        call=lambda R: lambda answer: None,
    ),
    "vgp_lib.exercises.mnist.speed_ratio": dict(speeds=lambda R: R.sample("TrainingSpeeds").speeds),
    "vgp_lib.exercises.recurrent.check_clip": dict(clip=lambda R: lambda g, c: g),
    "vgp_lib.exercises.recurrent.check_clip_run": dict(clip_step=lambda R: lambda ps, c: None),
    "vgp_lib.identity.layer_output": dict(
        layer=S("IdentityLayer"), X=((0.1, 0.2, 0.3), (0.3, -0.1, 0.0))
    ),
    "vgp_lib.models.Block": dict(
        n_in=3,
        n_out=2,
        activation="relu",
        norm="none",
        residual=False,
        dtype=lambda R: _resolve("torch.float64"),
    ),
    "vgp_lib.network.depth_experiment": dict(
        train_data=lambda R: R.xy,
        validation_data=lambda R: R.xy,
        hidden_layers=(1,),
        width=3,
        mini_batch_size=3,
        seeds=(0,),
        show_progress=False,
    ),
    "vgp_lib.network.train": dict(evaluation=lambda R: R.xy, show_progress=False),
    "vgp_lib.network.update_mini_batch": dict(
        weights=lambda R: [w.copy() for w in R.params.weights],
        biases=lambda R: [b.copy() for b in R.params.biases],
        y=lambda R: np.eye(10)[R.xy[1]],
        scale=0.01,
        decay=1.0,
        activation="sigmoid",
    ),
    "vgp_lib.plots.activations.plot_activation_derivative": dict(values=(0.2, 0.25, 0.1)),
    "vgp_lib.plots.activations.plot_dead_layers": dict(sweeps=[S("DeadSweep")]),
    "vgp_lib.plots.activations.plot_dead_sweep": dict(sweep=S("DeadSweep")),
    "vgp_lib.plots.activations.plot_layer_factors": dict(factors=[S("LayerFactor")]),
    "vgp_lib.plots.balance.plot_ratio_spread": dict(activation="sigmoid"),
    "vgp_lib.plots.bound.draw_factor_and_width": dict(pair=(S("FactorInterval"), S("WidthCurve"))),
    "vgp_lib.plots.bound.plot_factor_interval": dict(r=S("FactorInterval")),
    "vgp_lib.plots.bound.plot_width_curve": dict(c=S("WidthCurve")),
    "vgp_lib.plots.chain.draw_chain_profile": dict(result=S("ChainGradients")),
    "vgp_lib.plots.chain.plot_bias_gradients": dict(result=S("ChainGradients")),
    "vgp_lib.plots.chain.plot_factors": dict(result=S("ChainGradients")),
    "vgp_lib.plots.circuits.plot_circuit_shape": dict(
        shallow=_call_of("vgp_lib.circuits.two_layer_parity", n=3),
        deep=_call_of("vgp_lib.circuits.deep_parity", n=3),
    ),
    "vgp_lib.plots.clipping.plot_clipped_runs": dict(runs=[S("MemoryRun")], labels=["run"]),
    "vgp_lib.plots.clipping.plot_clipping": dict(grad=(3.0, 4.0), clipped=(0.6, 0.8)),
    "vgp_lib.plots.diagrams.plot_chain_diagram": dict(result=S("ChainGradients")),
    "vgp_lib.plots.diagrams.plot_circuit_diagram": dict(
        circuit=_call_of("vgp_lib.circuits.deep_parity", n=3)
    ),
    "vgp_lib.plots.diagrams.plot_gru_cell": dict(
        cell=_call_of("vgp_lib.recurrent.make_cell", cell="gru", n_in=2, hidden=3, seed=0)
    ),
    "vgp_lib.plots.diagrams.plot_network_bars": dict(result=S("NeuronGradients")),
    "vgp_lib.plots.diagrams.plot_residual_block": dict(block=lambda R: R.mlp().blocks[1]),
    "vgp_lib.plots.diagrams.plot_transformer_block": dict(
        block=lambda R: _resolve("vgp_lib.transformer.build_transformer")(
            depth=2, layout="pre", width=8, heads=2, seed=0
        ).blocks[0]
    ),
    "vgp_lib.plots.diagrams.plot_transformer_blocks": dict(
        blocks=lambda R: list(
            _resolve("vgp_lib.transformer.build_transformer")(
                depth=2, layout="post", width=8, heads=2, seed=0
            ).blocks
        )
    ),
    "vgp_lib.plots.guess.guess": dict(question="Which?", options=("a", "b"), answer=0, why="Why."),
    "vgp_lib.plots.identity.plot_identity_error": dict(c=S("ErrorCurve")),
    "vgp_lib.plots.jacobian.plot_multipliers": dict(flows=[S("GradientFlow")]),
    "vgp_lib.plots.jacobian.plot_nearby_inputs": dict(results=[S("NearbyInputs")]),
    "vgp_lib.plots.jacobian.plot_spectra": dict(spectra=[S("Spectrum")]),
    "vgp_lib.plots.jacobian.plot_spread": dict(spectra=[S("Spectrum")]),
    "vgp_lib.plots.jacobian.setting_labels": dict(results=[S("GradientFlow"), S("Spectrum")]),
    "vgp_lib.plots.jacobian.spectrum_frames": dict(spectra=[S("Spectrum")]),
    "vgp_lib.plots.mixed.plot_gradient_ranges": dict(result=S("LayerUnderflow")),
    "vgp_lib.plots.mixed.plot_scale_trace": dict(run=S("MixedRun")),
    "vgp_lib.plots.mixed.plot_underflow": dict(results=[S("LayerUnderflow")]),
    "vgp_lib.plots.mixed.scale_frames": dict(result=S("LayerUnderflow")),
    "vgp_lib.plots.network.depth_table": dict(result=S("DepthResult")),
    "vgp_lib.plots.network.plot_accuracy_curves": dict(result=S("DepthResult")),
    "vgp_lib.plots.network.plot_depth_accuracy": dict(result=S("DepthResult")),
    "vgp_lib.plots.normalisation.plot_error_norms": dict(stats=[S("LayerStatistics")]),
    "vgp_lib.plots.normalisation.plot_factors": dict(stats=[S("LayerStatistics")]),
    "vgp_lib.plots.normalisation.plot_spread": dict(stats=[S("LayerStatistics")]),
    "vgp_lib.plots.precision.plot_first_gradient_by_depth": dict(
        results=[_call_of("vgp_lib.precision.exploding_profile", w=8.0, depth=d) for d in (1, 2, 3)]
    ),
    "vgp_lib.plots.precision.plot_precision_growth": dict(results=S("PrecisionGradient")),
    "vgp_lib.plots.profiles.plot_depth_sweep": dict(
        sweeps={
            "x": _call_of(
                "vgp_lib.profiles.depth_sweep",
                depths=(2, 3),
                width=4,
                n_in=4,
                batch=4,
                seed=0,
            )
        }
    ),
    "vgp_lib.plots.profiles.plot_gradient_profiles": dict(profiles=[S("GradientProfile")]),
    "vgp_lib.plots.profiles.plot_variance_profiles": dict(profiles=[S("VarianceProfile")]),
    "vgp_lib.plots.recurrent.plot_carousel": dict(results=[S("Carousel")]),
    "vgp_lib.plots.recurrent.plot_memory_runs": dict(runs=[S("MemoryRun")], labels=["run"]),
    "vgp_lib.plots.recurrent.plot_time_gradients": dict(results=[S("TimeGradient")]),
    "vgp_lib.plots.residual.plot_path_gradients": dict(results=[S("PathGradients")]),
    "vgp_lib.plots.residual.plot_stream_variance": dict(results=[S("StreamVariance")]),
    "vgp_lib.plots.scrub.slider": dict(values=(1.0, 2.0), label="w", alt=("one", "two")),
    "vgp_lib.plots.speeds.init_speed_table": dict(result=S("InitSpeeds")),
    "vgp_lib.plots.speeds.plot_init_speeds": dict(result=S("InitSpeeds")),
    "vgp_lib.plots.speeds.plot_neuron_gradients": dict(result=S("NeuronGradients")),
    "vgp_lib.plots.speeds.plot_speed_profile": dict(result=S("SpeedProfile")),
    "vgp_lib.plots.speeds.plot_training_speeds": dict(result=S("TrainingSpeeds")),
    "vgp_lib.plots.training.plot_training_comparison": dict(comp=S("TrainingComparison")),
    "vgp_lib.plots.transformer.plot_block_gradients": dict(profiles=[S("InitProfile")]),
    "vgp_lib.plots.transformer.plot_stream": dict(profiles=[S("InitProfile")]),
    "vgp_lib.plots.transformer.plot_training": dict(runs=[S("TrainingRun")]),
    "vgp_lib.plots.transformer.plot_gradient_balance": dict(runs=[S("TrainingRun")]),
    "vgp_lib.plots.updates.plot_update_ratios": dict(
        sgd_record=S("UpdateRecord"), adam_record=S("UpdateRecord")
    ),
    "vgp_lib.plots.monitor.plot_gradient_record": dict(
        record=lambda R: R.sample("TrainingTrace").record
    ),
    "vgp_lib.plots.monitor.plot_norm_history": dict(
        record=lambda R: R.sample("TrainingTrace").record
    ),
    "vgp_lib.profiles.activation_comparison": dict(sizes=(5, 4, 3)),
    "vgp_lib.profiles.depth_sweep": dict(depths=(2, 3), width=4, n_in=4, batch=4, seed=0),
    "vgp_lib.recurrent.lstm_step": dict(
        module=_call_of("vgp_lib.recurrent.make_cell", cell="lstm", n_in=2, hidden=3, seed=0),
        x=_tensor(1, 2),
        h=_tensor(1, 3),
        c=_tensor(1, 3),
    ),
    "vgp_lib.recurrent.run_cell": dict(
        module=_call_of("vgp_lib.recurrent.make_cell", cell="rnn", n_in=2, hidden=3, seed=0),
        xs=_tensor(3, 2, 2),
    ),
    "vgp_lib.speeds.neuron_gradients": dict(sizes=(6, 3, 3, 10), n_neurons=2),
    "vgp_lib.stats.percentile_of": dict(value=0.5, sample=(0.1, 0.7, 0.9)),
    "vgp_lib.training.training_comparison": dict(
        configs={"relu": dict(depth=2, activation="relu")},
        x_train=lambda R: R.xy[0][:6],
        y_train=lambda R: R.xy[1][:6],
        x_val=lambda R: R.xy[0][6:],
        y_val=lambda R: R.xy[1][6:],
        width=3,
    ),
    "vgp_lib.widgets.LiveFigure": dict(
        controls=lambda R: {"w": _resolve("ipywidgets.FloatSlider")(value=1.0, min=0.0, max=2.0)},
        compute=lambda R: lambda w: w,
        describe=lambda R: str,
    ),
    "vgp_lib.widgets.show_live": dict(widget=lambda R: _resolve("ipywidgets.Label")("x")),
}

#: Callables without a generated call, and why.
SKIPPED = {
    f"vgp_lib.data.{n}": "needs the MNIST download; its bad inputs are tested in test_data.py"
    for n in ("read_source", "load_mnist", "locate_source")
}

#: Result classes no public function is annotated to return.
RESULTS: dict = {}


# -- bad values ------------------------------------------------------------------------------------
class _Other:
    """An object of a class no function accepts."""

    def __repr__(self):
        return "<_Other>"


HUGE = ("huge-range", range(10**12))
BIG_INT = ("10**5000", 10**5000)
#: The value that asks a size parameter for its limit; then ``in-range-max`` tries the limit.
PROBE = 10**9
IN_RANGE = ("in-range-max", "probe")
#: A call at its parameter's limit must refuse, return, or still be within the memory limit this
#: long after it started: the kind looks for sizes that would need tens of GB, and allocating is
#: what such a call does first. (Calls that run for minutes are the time limit's: ``10**9``.)
IN_RANGE_S = 0.25


def _grad_tensor(arr):
    import torch

    return torch.tensor(np.asarray(arr, dtype=float), requires_grad=True)


def _array_bad(valid):
    arr = np.asarray(valid)
    out = [
        ("str", "7"),
        ("None", None),
        ("str-array", np.full(arr.shape or (1,), "a")),
        ("empty", np.array([])),
        ("scalar", 5.0),
        HUGE,
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
            ("grad-tensor", _grad_tensor(f)),
        ]
        if arr.dtype.kind != "b":
            out.append(("bool-array", arr.astype(bool)))
        if arr.dtype.kind in "iu" and arr.ndim == 1 and arr.min() >= 1:
            out.append(IN_RANGE)
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
    BIG_INT,
    IN_RANGE,  # first 10**9, then the limit its refusal names
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
    BIG_INT,
    ("1e300", 1e300),
    ("1e-310", 1e-310),
    ("complex", 1 + 1j),
]
STR_BAD = [("None", None), ("int", 3), ("unknown", "no-such-name"), ("empty", "")]
BOOL_BAD = [("None", None), ("str", "yes"), ("nan", math.nan)]
OBJ_BAD = [("None", None), ("int", 3), ("str", "x"), ("dict", {}), ("other", _Other())]
SEQ_BAD = [
    ("None", None),
    ("int", 3),
    ("empty", ()),
    ("str", "x"),
    ("nested", ((1, 2), (3,))),
    HUGE,
]
DTYPE_BAD = [
    ("float16", "float16"),
    ("int-type", int),
    ("unknown", "no-such-name"),
    ("int", 3),
    ("dict", {}),
    ("other", _Other()),
]

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
#: The kinds of bad value the probe of the whole package found gaps in, by label.
NEW_KINDS = {
    "huge-range": "huge sequence",
    "grad-tensor": "tensor with requires_grad",
    "10**5000": "integer of 5,000 digits",
    "in-range-max": "size inside the parameter's limit",
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
    if type(value).__module__ == "torch" and hasattr(value, "requires_grad"):
        return "tensor"
    if isinstance(value, (list, tuple, range)):
        if len(value) > 10_000:
            return "seq"
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


def bad_values(value, R, param=""):
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
    if kind == "tensor":
        if not value.dtype.is_floating_point:  # token ids: a float tensor is the bad one
            return OBJ_BAD + [("float-tensor", value.double())]
        return OBJ_BAD + [("grad-tensor", value.detach().clone().requires_grad_(True))]
    if kind == "seq-str":
        return [
            ("None", None),
            ("int", 3),
            ("empty", ()),
            ("unknown", ("no-such-name",)),
            HUGE,
        ]
    if kind == "seq":
        return SEQ_BAD
    if kind == "result":
        other = "Chain" if type(value).__name__ != "Chain" else "Forward"
        return OBJ_BAD + [("wrong-class", Sample(other))]
    return OBJ_BAD


# -- the cases -------------------------------------------------------------------------------------
def build_cases(R, names=None):
    """All ``(name, param, label)`` cases; ``(name, None, "valid")`` is the valid call itself.
    Also returns ``{name: why there is no valid call}`` for callables left out."""
    cases, missing = [], {}
    for name in sorted(R.objs):
        if names is not None and name not in names:
            continue
        if table_entry(SKIPPED, name, R.objs[name]):
            continue
        source, factory = plan(R, name)
        if factory is None:
            missing[name] = source
            continue
        kwargs = factory(R)
        cases.append((name, None, "valid"))
        for p in _params(R.objs[name]):
            value = kwargs.get(p.name, p.default)
            if value is inspect.Parameter.empty or value is None:
                continue
            for label, _ in _bad_for(p, value, R, name):
                cases.append((name, p.name, label))
    return cases, missing


def _bad_for(p, value, R, name):
    """Bad values for parameter ``p`` of ``name``; ``None`` is not one when it is the documented
    default, and a seed or an exercise's answer has no size to try at its limit."""
    bad = bad_values(value, R, p.name)
    if p.default is None:
        bad = [(label, v) for label, v in bad if label != "None"]
    if "seed" in p.name or CHECK.match(name):
        bad = [("10**9", PROBE) if (label, v) == IN_RANGE else (label, v) for label, v in bad]
    return bad


def _bad_value(R, kwargs, name, param, label):
    p = inspect.signature(R.objs[name]).parameters[param]
    value = kwargs.get(param, p.default)
    bad = dict(_bad_for(p, value, R, name))[label]
    return bad(R) if isinstance(bad, Sample) else bad


def names(param: str, message: str) -> bool:
    """Does ``message`` name ``param`` (as a whole word)?"""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(param)}(?![A-Za-z0-9_])", message) is not None


def limit_in(message: str, below: int) -> int | None:
    """The largest integer a refusal names below ``below`` (its limit), if any.

    >>> limit_in("width must be an integer in [1, 100000], got 1000000000", 10**9)
    100000
    >>> limit_in("width must be an integer in [1, 100_000], got 1000000000", 10**9)
    100000
    """
    found = [int(m.replace("_", "").replace(",", "")) for m in re.findall(r"\d[\d_,]*", message)]
    found = [n for n in found if 1 < n < below]
    return max(found) if found else None


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


@contextlib.contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(io.StringIO()):
            yield


def _call(obj, kwargs):
    return obj(**kwargs)


def _not_copied(value) -> bool:
    """Torch modules, widgets, matplotlib artists and the exercises' objects: made fresh for each
    case, or not copyable (a circuit keys its wires by ``id``)."""
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


def _run(R, name, kwargs, param, label):
    obj = R.objs[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = _call(obj, kwargs)
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
            if param is not None and _in_callback(exc, kwargs):
                return "callback", f"{type(exc).__name__}: {exc}"[:300]
            return type(exc).__name__, str(exc)[:300]
    if param is not None and CHECK.match(name):
        # a tensor that requires grad holds the valid call's own numbers: right stays right
        if getattr(result, "correct", False) and label != "grad-tensor":
            return "accepted-wrong", str(result)[:120]
        return "feedback", ""
    if param is None:  # the valid call is the reference: NaN in its result is a finding of it
        return "accepted", ""
    if any((a, param) in ANY_OBJECT for a in aliases(obj) | {name}):
        return "accepted", ""
    if label in WRONG_TYPE:
        return "accepted-bad-type", repr(result)[:120]
    if not _finite(result) and _VALID_FINITE.get(name, True):
        if table_entry(NONFINITE, name, obj):
            return "accepted", "non-finite: " + table_entry(NONFINITE, name, obj)
        return "nan", repr(result)[:120]
    return "accepted", ""


def _in_callback(exc, kwargs) -> bool:
    """Was ``exc`` raised inside a function the caller passed (e.g. ``draw``), with no library
    code between that function's frame and the raise?"""
    codes = {v.__code__ for v in kwargs.values() if inspect.isfunction(v)}
    tb, inside = exc.__traceback__, False
    while tb is not None:
        code = tb.tb_frame.f_code
        if code in codes:
            inside = True
        elif inside and os.sep + "vgp_lib" + os.sep in code.co_filename:
            return False
        tb = tb.tb_next
    return inside


class _StillRunning(BaseException):
    """Raised into a call at its parameter's limit that is still running within memory."""


@contextlib.contextmanager
def _stop_after(seconds):
    def stop(signum, frame):
        raise _StillRunning

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


def run_case(R, case):
    """Run one case in this process; return ``(kind, message)``."""
    name, param, label = case
    kwargs = _copy(valid_call(R, name))
    if param is None:
        return _run(R, name, kwargs, None, label)
    bad = _bad_value(R, kwargs, name, param, label)
    if isinstance(bad, str) and bad == "probe":  # ask the parameter for its limit, then try it
        valid = kwargs.get(param, inspect.signature(R.objs[name]).parameters[param].default)
        shape = np.shape(valid)
        kwargs[param] = np.full(shape, PROBE) if shape else PROBE
        kind, msg = _run(R, name, dict(kwargs), param, label)
        top = limit_in(msg, PROBE) if kind == "ok-named" else None
        if top is None:
            return ("accepted", "no limit named") if kind in KEPT else (kind, msg)
        if shape:
            kwargs[param] = (
                type(valid)(int(top) for _ in valid)
                if isinstance(valid, tuple)
                else np.full(shape, top)
            )
        else:
            kwargs[param] = top
        with _stop_after(IN_RANGE_S):
            kind, msg = _run(R, name, kwargs, param, label)
        if kind == _StillRunning.__name__:
            kind, msg = "accepted", f"still running within the memory limit after {IN_RANGE_S:g} s"
        return kind, f"at {param} = {top}: {msg}"[:300]
    kwargs[param] = copy.deepcopy(bad) if not _not_copied(bad) else bad
    return _run(R, name, kwargs, param, label)


_VALID_FINITE: dict = {}

# -- the worker pool -------------------------------------------------------------------------------
_STATE: dict = {}


def _worker(conn):
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    limit = _STATE["mem_limit"]
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    R, cases = _STATE["R"], _STATE["cases"]
    while True:
        try:
            i = conn.recv()
        except EOFError:
            return
        if i is None:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)  # no timer or handler left over by an earlier case
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        _fresh_torch_state()
        t0 = time.perf_counter()
        try:
            kind, msg = run_case(R, cases[i])
        except BaseException as exc:  # noqa: BLE001
            kind, msg = "harness-" + type(exc).__name__, str(exc)[:300]
        conn.send((i, kind, msg, time.perf_counter() - t0))


def _fresh_torch_state():
    """Gradients on again: a case its timer stopped inside torch (an optimiser's step turns
    them off and back on) may have left them off for every later case of this worker."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_grad_enabled(True)


def _vm_bytes():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


@contextlib.contextmanager
def _like_the_book_build():
    """One torch thread, no progress bars, widgets that display nothing; restored after."""
    import torch

    threads, static = torch.get_num_threads(), os.environ.get("VGP_STATIC_BUILD")
    torch.set_num_threads(1)
    os.environ["VGP_STATIC_BUILD"] = "1"
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        if static is None:
            del os.environ["VGP_STATIC_BUILD"]
        else:
            os.environ["VGP_STATIC_BUILD"] = static


def prepare(names=None):
    """The resources, the cases and the callables without a valid call (before forking)."""
    with _like_the_book_build():
        R = Resources(public_callables())
        cases, missing = build_cases(R, names)  # each valid call runs once here, before forking
    return R, cases, missing


def run_all(names=None, *, workers=2, limit=LIMIT_S, progress=False, prepared=None):
    """Run every case; return a list of result dicts
    (name, param, value, kind, message, seconds)."""
    R, cases, _ = prepared or prepare(names)
    with _like_the_book_build():  # the workers fork with it
        return _run_pool(R, cases, workers, limit, progress)


def _run_pool(R, cases, workers, limit, progress):
    _STATE.update(R=R, cases=cases, mem_limit=_vm_bytes() + MEMORY_HEADROOM)
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
        if progress and done % 500 == 0:
            print(f"{done}/{len(cases)}", file=sys.stderr, flush=True)
    return [
        dict(
            name=name,
            param=param,
            value=label,
            kind=kind,
            message=msg,
            seconds=round(secs, 3),
        )
        for (name, param, label), (kind, msg, secs) in zip(cases, results)
    ]


def summary(results):
    calls = [r for r in results if r["param"] is not None]
    kinds = Counter(r["kind"] for r in calls)
    gaps = [r for r in calls if r["kind"] not in KEPT]
    by_new = {
        what: sorted({f"{r['name']}({r['param']})" for r in gaps if r["value"] == label})
        for label, what in NEW_KINDS.items()
    }
    return dict(
        callables=len({r["name"] for r in results}),
        calls=len(calls),
        kept=sum(kinds[k] for k in KEPT),
        kinds=dict(kinds.most_common()),
        over_limit=sum(1 for r in calls if r["kind"] == "timeout"),
        gaps_by_new_kind=by_new,
        broken_valid=[r for r in results if r["param"] is None and r["kind"] != "accepted"],
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="write every case's result here (JSON)")
    ap.add_argument("--only", nargs="*", help="qualified names to run (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    prepared = prepare(set(args.only) if args.only else None)
    results = run_all(workers=args.workers, progress=True, prepared=prepared)
    s = summary(results)
    s["missing"] = prepared[2]
    s["wall_seconds"] = round(time.monotonic() - t0, 1)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(dict(summary=s, results=results), fh, indent=1)
    print(json.dumps({k: v for k, v in s.items() if k != "broken_valid"}, indent=1))
    for r in s["broken_valid"]:
        print("valid call failed:", r["name"], r["kind"], r["message"][:200])


if __name__ == "__main__":
    main()
