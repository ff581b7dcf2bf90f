"""Self-checks for the exercises of the chapter *Diagnosing a real model*.

The exercises use a small model written in plain PyTorch, :class:`MysteryNet`,
that has a problem the reader finds with the gradient monitor. The module is longer than
most (over 500 lines) because it holds that model, its data and the check of a repaired
model, which reads an arbitrary ``nn.Module`` a reader hands in.
"""

from __future__ import annotations

import functools
import itertools
import math
import time

import numpy as np

from .._validate import MAX_WIDTH, check_int
from ..monitor import GradientMonitor, stuck_layers, watched_layers
from ..rng import torch_generator
from . import (
    CORRECT,
    INCORRECT,
    LET_THROUGH,
    NOT_ATTEMPTED,
    Criterion,
    Feedback,
    check,
    not_attempted,
    out_of_time,
    pending,
    raised,
    run_limited,
    short_repr,
    type_name,
)

#: The threshold of the exercises: stuck = median weight-gradient norm below this x the largest
#: layer's.
THRESHOLD = 1e-3
N_CLASSES = 10
#: What a repaired model must have: this many weight layers, and a first/last ratio of ||dC/dz||
#: in this band.
MIN_LAYERS, RATIO_BAND = 12, (0.1, 10.0)
#: Seconds the reader's model may take for its forward and backward passes in the check.
MODEL_TIME_LIMIT = 10.0


def mystery_batch(*, seed: int = 0, n: int = 128, n_in: int = 32):
    """A fixed random batch ``(x, y)`` (torch float64) for the mystery model."""
    import torch

    n = check_int("n", n, lo=1, hi=MAX_WIDTH)
    n_in = check_int("n_in", n_in, lo=1, hi=MAX_WIDTH)
    g = torch_generator(seed)
    x = torch.randn(n, n_in, generator=g, dtype=torch.float64)
    y = torch.randint(0, N_CLASSES, (n,), generator=g)
    return x, y


def mystery_model(*, seed: int = 0):
    """A 12-layer model in plain PyTorch, built the way many tutorials once did.

    The layers are named ``inp``, ``hidden.0`` ... ``hidden.9`` and ``out``.
    """
    import torch
    from torch import nn

    class MysteryNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(32, 48, dtype=torch.float64)
            self.hidden = nn.ModuleList(nn.Linear(48, 48, dtype=torch.float64) for _ in range(10))
            self.out = nn.Linear(48, N_CLASSES, dtype=torch.float64)

        def forward(self, x):
            x = torch.sigmoid(self.inp(x))
            for layer in self.hidden:
                x = torch.sigmoid(layer(x))
            return self.out(x)

    g = torch_generator(seed)
    net = MysteryNet()
    with torch.no_grad():
        for layer in [
            net.inp,
            *net.hidden,
            net.out,
        ]:  # "small random numbers": W ~ N(0, 0.1^2), b = 0
            layer.weight.copy_(
                0.1 * torch.randn(layer.weight.shape, generator=g, dtype=torch.float64)
            )
            layer.bias.zero_()
    return net


def measure(model, *, seed: int = 0):
    """One backward pass of ``model`` on :func:`mystery_batch`; returns the monitor's record."""
    import torch

    x, y = mystery_batch(seed=seed)
    with GradientMonitor(model) as mon:
        torch.nn.functional.cross_entropy(model(x), y).backward()
    return mon.record()


def true_stuck(seed: int = 0) -> tuple:
    """The layers of :func:`mystery_model` whose gradient norm is below ``THRESHOLD`` x the
    largest.
    """
    return stuck_layers(measure(mystery_model(seed=seed), seed=seed), threshold=THRESHOLD)


@functools.cache
def _mystery_record():
    return measure(mystery_model(seed=0), seed=0)


@check("ex-diagnosing-stuck", Criterion("exact: the set of stuck layers' names, in any order"))
def check_stuck_layers(answer) -> Feedback:
    """Check the set of stuck layer names of the mystery model (seed 0).

    A wrong answer hears whether it lists layers that are not stuck, misses
    stuck ones, or both, but not which: naming them (or counting them) would
    give the answer away.
    """
    ex = "ex-diagnosing-stuck"
    if not_attempted(answer):
        return pending(ex, "a list of layer names such as ['inp', 'hidden.0']")
    if isinstance(answer, str):
        answer = [answer]
    record = _mystery_record()
    try:
        names = list(itertools.islice(iter(answer), 10 * len(record.names)))
    except Exception:
        return Feedback(
            ex,
            INCORRECT,
            "the answer should be a list of layer names, "
            f"not {type_name(answer)} {short_repr(answer)}.",
        )
    if any(isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) for n in names):
        return Feedback(
            ex,
            INCORRECT,
            "the answer should list layer names, not numbers.",
            "Use the names the monitor reports (monitor.names or record.names), e.g. 'hidden.3'.",
        )
    odd = [n for n in names if not isinstance(n, str)]
    if odd:
        return Feedback(
            ex,
            INCORRECT,
            f"the answer should list layer names (strings), "
            f"not {type_name(odd[0])} {short_repr(odd[0])}.",
            "Use the names the monitor reports (monitor.names or record.names), e.g. 'hidden.3'.",
        )
    truth = set(stuck_layers(record, threshold=THRESHOLD))
    got = {str.__str__(n) for n in names}
    unknown = sorted(got - set(record.names))
    if unknown:
        return Feedback(
            ex,
            INCORRECT,
            f"no layer is called {', '.join(map(short_repr, unknown))}.",
            f"The watched layers are {', '.join(record.names)}.",
        )
    if got == truth:
        return Feedback(
            ex,
            CORRECT,
            f"{len(truth)} layer(s) nearest the input are stuck: "
            f"{', '.join(sorted(truth, key=record.names.index))}.",
        )
    extra, missing = got - truth, truth - got
    parts = []
    if extra:
        parts.append("some of the layers you listed are not stuck")
    if missing:
        parts.append("some stuck layers are missing")
    hint = f"Stuck means a weight-gradient norm below {THRESHOLD:g} × the largest layer's."
    if missing and not extra:
        hint = (
            "Look at all the layers, not only the first: the gradient shrinks layer after layer "
            "toward the input."
        )
    elif extra and not missing:
        hint = (
            f"Compare each norm with {THRESHOLD:g} × the largest one; some you listed are small "
            "but above that."
        )
    return Feedback(ex, INCORRECT, "; ".join(parts) + ".", hint)


def _forward(model, x):
    """``(number of parameters, output, dtype, chain)`` of the reader's model on ``x`` cast to its
    dtype, with autograd on; ``chain`` is :func:`_chain_depth` of that pass.
    """
    import torch

    params = [p for p in model.parameters() if p.is_floating_point()]
    dtype = params[0].dtype if params else x.dtype
    calls = []  # (input nodes, output nodes) of each call of a weight layer, in order

    def record(module, args, output):
        calls.append((_nodes(args), _nodes(output)))

    handles = []
    try:
        for _, layer in watched_layers(model):
            handles.append(layer.register_forward_hook(record))
        with torch.enable_grad():
            out = model(x.to(dtype))
    finally:
        for handle in handles:
            handle.remove()
    return len(params), out, dtype, _chain_depth(calls, out)


def _nodes(value) -> list:
    """The autograd nodes of the tensors in ``value`` (a tensor, or a tuple or list of them)."""
    import torch

    items = value if isinstance(value, (tuple, list)) else (value,)
    return [t.grad_fn for t in items if isinstance(t, torch.Tensor) and t.grad_fn is not None]


def _chain_depth(calls, out, max_nodes: int = 200_000) -> int:
    """The longest chain of weight-layer calls, each taking (through any other operations) the
    output of the one before, that ends at the model's output ``out``.

    It follows the autograd graph: from the inputs of each call back to the outputs of
    earlier calls. Layers applied side by side to the input and summed make a chain of 1,
    however many there are.
    """
    made = {}  # autograd node -> index of the call whose output it is
    for i, (_, outputs) in enumerate(calls):
        for node in outputs:
            made.setdefault(node, i)
    budget = [max_nodes]

    def feeding(nodes) -> set:
        """The calls whose outputs ``nodes`` reach first, going back through the graph."""
        found, seen, stack = set(), set(), list(nodes)
        while stack and budget[0] > 0:
            node = stack.pop()
            if node is None or node in seen:
                continue
            seen.add(node)
            budget[0] -= 1
            if node in made:
                found.add(made[node])
                continue
            stack += [n for n, _ in node.next_functions]
        return found

    depth = []
    for inputs, _ in calls:
        earlier = [depth[j] for j in feeding(inputs) if j < len(depth)]
        depth.append(1 + max(earlier, default=0))
    last = feeding(_nodes(out))
    return max((depth[j] for j in last), default=0)


def _backward(model, x, y):
    """``(loss, record)`` of one monitored backward pass; the model's ``.grad`` are left as they
    were.
    """
    import torch

    params = list(model.parameters())
    saved = [p.grad for p in params]
    try:
        with torch.enable_grad(), GradientMonitor(model) as monitor:
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
        return float(loss), monitor.record()
    finally:
        for p, g in zip(params, saved):
            p.grad = g


#: The layers a handed-in model may hold (see :func:`_model_to_data`): each one's constructor
#: arguments, read from the module, and the names of its tensors.
_LAYERS = {
    "Linear": (("in_features", "out_features", "bias"), ("weight", "bias")),
    "ReLU": (("inplace",), ()),
    "Sigmoid": ((), ()),
    "Tanh": ((), ()),
    "GELU": (("approximate",), ()),
    "LeakyReLU": (("negative_slope", "inplace"), ()),
    "ELU": (("alpha", "inplace"), ()),
    "SiLU": (("inplace",), ()),
    "Identity": ((), ()),
    "Dropout": (("p", "inplace"), ()),
    "Flatten": (("start_dim", "end_dim"), ()),
    "LayerNorm": (
        ("normalized_shape", "eps", "elementwise_affine", "bias"),
        ("weight", "bias"),
    ),
    "BatchNorm1d": (
        ("num_features", "eps", "momentum", "affine", "track_running_stats"),
        ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
    ),
}
_DTYPES = ("float64", "float32", "float16", "bfloat16", "int64")
#: Most numbers a handed-in model may hold.
MAX_VALUES = 5_000_000
_HINT = (
    "Build the repaired model as a torch.nn.Sequential of standard layers (nn.Linear, "
    "activations such as nn.ReLU, nn.BatchNorm1d or nn.LayerNorm), or with build_mlp "
    "without residual blocks: the graded course hands in the layers and their weights, "
    "not your code."
)


class _NotSequential(ValueError):
    """A model that :func:`_model_to_data` cannot describe as a plain ``nn.Sequential``."""


def _holds(err: _NotSequential) -> str:
    """What is wrong with the model, as a phrase following "the model"."""
    text = str(err)
    return text if text.startswith("is ") else f"holds {text}"


def _layer_args(kind: str, module) -> dict:
    args = {}
    for name in _LAYERS[kind][0]:
        if name == "bias":  # Linear and LayerNorm: whether there is a bias
            value = getattr(module, "bias", None) is not None
        else:
            value = getattr(module, name)
        value = list(value) if type(value) is tuple else value
        try:
            _plain_arg(value)
        except ValueError:
            raise _NotSequential(f"a {kind} whose {name} is {short_repr(value)}") from None
        args[name] = value
    return args


def _tensor_to_data(t, values: bool) -> dict:
    import torch

    dtype = str(t.dtype).removeprefix("torch.")
    if dtype not in _DTYPES:
        raise _NotSequential(f"a tensor of dtype {dtype}")
    data = {"dtype": dtype, "shape": list(t.shape), "requires_grad": bool(t.requires_grad)}
    if values:
        flat = t.detach().cpu().reshape(-1)
        if t.is_floating_point():
            flat = flat.to(torch.float64)  # exact for every float dtype
        data["values"] = [v if math.isfinite(v) else str(v) for v in flat.tolist()]
    return data


def _module_to_data(module, values: bool, budget: list, depth: int = 0) -> dict:
    """The node describing ``module`` (see :func:`_model_to_data`), or _NotSequential."""
    from torch import nn

    from ..models import MLP, Block

    if depth > 20:
        raise _NotSequential("Sequential nested more than 20 deep")
    kind = type(module).__name__
    if "forward" in vars(module) or module._forward_hooks or module._forward_pre_hooks:
        raise _NotSequential(f"a {kind} whose forward was changed")
    if type(module) is MLP and not any(block.residual for block in module.blocks):
        children = [
            ("blocks", ("Sequential", [(str(i), b) for i, b in enumerate(module.blocks)])),
            ("head", module.head),
        ]
        return _sequential_to_data(children, module.training, values, budget, depth)
    if type(module) is Block and not module.residual:
        children = [(n, getattr(module, n)) for n in ("linear", "norm", "act")]
        return _sequential_to_data(children, module.training, values, budget, depth)
    if type(module) is MLP or type(module) is Block:
        raise _NotSequential("residual blocks from build_mlp (x + F(x) is no chain of layers)")
    if type(module) is nn.Sequential:
        return _sequential_to_data(
            list(module.named_children()), module.training, values, budget, depth
        )
    if type(module) is not getattr(nn, kind, None) or kind not in _LAYERS:
        if depth == 0:
            raise _NotSequential(f"is a {kind}, not a torch.nn.Sequential")
        raise _NotSequential(f"a {kind}, which is not one of {', '.join(_LAYERS)}")
    names = _LAYERS[kind][1]
    tensors = {**module._parameters, **module._buffers}
    extra = sorted(n for n, t in tensors.items() if t is not None and n not in names)
    if extra or module._modules:
        raise _NotSequential(f"a {kind} with parts of its own ({', '.join(extra) or 'modules'})")
    node = {"type": kind, "training": bool(module.training), "args": _layer_args(kind, module)}
    node["tensors"] = {}
    for name in names:
        t = tensors.get(name)
        if t is not None:
            budget[0] -= t.numel()
            if budget[0] < 0:
                raise _NotSequential(f"more than {MAX_VALUES:,} numbers")
            node["tensors"][name] = _tensor_to_data(t, values)
    return node


def _sequential_to_data(children, training, values, budget, depth) -> dict:
    nodes = []
    for name, child in children:
        if type(child) is tuple:  # a Sequential made up here (build_mlp's list of blocks)
            node = _sequential_to_data(child[1], training, values, budget, depth + 1)
        else:
            node = _module_to_data(child, values, budget, depth + 1)
        nodes.append([name, node])
    return {"type": "Sequential", "training": bool(training), "children": nodes}


def _model_to_data(model) -> dict:
    """``model`` as plain data (run in the student's kernel; never raises).

    ``{"model": node}``, where a node is ``{"type": "Sequential", "training": ...,
    "children": [[name, node], ...]}`` or a layer of :data:`_LAYERS`
    ``{"type": "Linear", "training": ..., "args": {...}, "tensors": {"weight": {"dtype":
    "float64", "shape": [...], "requires_grad": ..., "values": [...]}, ...}}`` (values
    flattened, non-finite ones as the strings "nan", "inf", "-inf"). A model from
    :func:`vgp_lib.models.build_mlp` without residual blocks is described as the
    ``nn.Sequential`` it amounts to, with the same layer names. Anything else gives
    ``{"problem": why, "status": ...}``.
    """
    try:
        import torch

        if not_attempted(model):
            return {"problem": "not attempted", "status": NOT_ATTEMPTED}
        if not isinstance(model, torch.nn.Module):
            return {"problem": f"the answer is a {type_name(model)}, not a torch.nn.Module"}
        return {"model": _module_to_data(model, True, [MAX_VALUES])}
    except _NotSequential as err:
        return {"problem": f"the model {_holds(err)}"}
    except LET_THROUGH:
        raise
    except BaseException as err:  # noqa: BLE001 - never raises on an answer
        return {"problem": f"the model could not be read ({type_name(err)})"}


class _Unread:
    """What :func:`_model_from_data` gives for data that holds no model: the check refuses it,
    saying ``problem``.
    """

    __slots__ = ("problem",)

    def __init__(self, problem: str):
        self.problem = problem

    def __repr__(self) -> str:
        return "<model that could not be rebuilt>"


def _model_from_data(data):
    """The model rebuilt from :func:`_model_to_data`'s ``data`` (run by the grader): a
    ``torch.nn.Sequential`` of the same layers, weights and modes, built from the whitelist
    :data:`_LAYERS` only (no pickle, no code from the data); ``...`` for an answer not
    attempted; for anything else an object the check refuses, saying why.
    """
    try:
        if type(data) is not dict:
            raise TypeError("the data is not a dict")
        if "problem" in data:
            if data.get("status") == NOT_ATTEMPTED:
                return ...
            problem = data["problem"]
            return _Unread(problem if type(problem) is str else "the model could not be read")
        return _node_from_data(data["model"], [MAX_VALUES], 0)
    except Exception as err:  # noqa: BLE001 - whatever the data, the grader gets an answer
        return _Unread(f"the handed-in data holds no model ({type_name(err)}: {err})"[:300])


def _node_from_data(node, budget: list, depth: int):
    import collections

    from torch import nn

    if type(node) is not dict or type(node.get("training")) is not bool or depth > 21:
        raise ValueError("a layer is not described")
    kind = node.get("type")
    if kind == "Sequential":
        children = node["children"]
        if type(children) is not list:
            raise ValueError("the children of a Sequential are not a list")
        named = collections.OrderedDict()
        for item in children:
            if type(item) is not list or len(item) != 2 or not _module_name(item[0]):
                raise ValueError("a layer's name is not a plain name")
            if item[0] in named:
                raise ValueError(f"two layers are called {item[0]!r}")
            named[item[0]] = _node_from_data(item[1], budget, depth + 1)
        module = nn.Sequential(named)
    elif kind in _LAYERS:
        arg_names, tensor_names = _LAYERS[kind]
        args, tensors = node["args"], node["tensors"]
        if type(args) is not dict or set(args) != set(arg_names):
            raise ValueError(f"the arguments of {kind} are not {', '.join(arg_names)}")
        if type(tensors) is not dict or not set(tensors) <= set(tensor_names):
            raise ValueError(f"the tensors of {kind} are not among {', '.join(tensor_names)}")
        module = getattr(nn, kind)(**{k: _plain_arg(v) for k, v in args.items()})
        for name in tensor_names:
            if name in module._parameters or name in module._buffers:
                current = getattr(module, name)
                if (name in tensors) != (current is not None):
                    raise ValueError(f"the {name} of {kind} does not match its arguments")
        for name, t in tensors.items():
            value = _tensor_from_data(t, budget)
            if name in module._parameters:
                module._parameters[name] = nn.Parameter(
                    value, requires_grad=t["requires_grad"] and value.is_floating_point()
                )
            else:
                module._buffers[name] = value
    else:
        raise ValueError(f"a layer of type {str(kind)[:40]!r} is not allowed")
    module.training = node["training"]  # this module's own mode; its children set theirs
    return module


def _module_name(name) -> bool:
    return type(name) is str and 0 < len(name) <= 64 and "." not in name and name.isprintable()


def _plain_arg(v):
    if v is None or type(v) in (bool, int, float, str):
        return v
    if type(v) is list and all(type(u) is int for u in v):
        return tuple(v)
    raise ValueError("an argument is not a plain number, flag or word")


def _tensor_from_data(t, budget: list):
    import torch

    if (
        type(t) is not dict
        or t.get("dtype") not in _DTYPES
        or type(t.get("requires_grad")) is not bool
    ):
        raise ValueError("a tensor is not described")
    shape, values = t["shape"], t["values"]
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError("a tensor's shape is not a list of sizes")
    if type(values) is not list or len(values) != math.prod(shape):
        raise ValueError("a tensor's values do not fill its shape")
    budget[0] -= len(values)
    if budget[0] < 0:
        raise ValueError(f"more than {MAX_VALUES:,} numbers")
    dtype = getattr(torch, t["dtype"])
    if dtype.is_floating_point:
        if not all(type(v) in (int, float) or v in ("nan", "inf", "-inf") for v in values):
            raise ValueError("a tensor holds something other than numbers")
        flat = torch.tensor([float(v) for v in values], dtype=torch.float64)
    else:
        if not all(type(v) is int for v in values):
            raise ValueError("an integer tensor holds something other than integers")
        flat = torch.tensor(values, dtype=torch.int64)
    return flat.to(dtype).reshape(shape)


@check(
    "ex-diagnosing-fix",
    Criterion(
        f"at least {MIN_LAYERS} weight layers, none stuck, and a first/last "
        f"‖∂C/∂z‖ ratio between {RATIO_BAND[0]:g} and {RATIO_BAND[1]:g}"
    ),
)
def check_fixed_model(model, *, time_limit: float = MODEL_TIME_LIMIT) -> Feedback:
    """Check a repaired model: same input/output sizes, >= 12 weight layers, no stuck layer, ratio
    in [0.1, 10].

    The model runs one forward and one monitored backward pass on
    :func:`mystery_batch`, within ``time_limit`` seconds in all; its ``.grad``
    are restored afterwards. Depth is measured along the computation: the
    longest chain of weight-layer calls, each fed (through the autograd graph)
    by the one before, must be at least 12 as well, so layers applied side by
    side and summed do not count as deep. A right model must also be a plain
    ``torch.nn.Sequential`` of the layers of :data:`_LAYERS` (or a
    :func:`~vgp_lib.models.build_mlp` net without residual blocks), the only
    models the graded course can hand in: ``check_fixed_model.to_data(model)``
    describes one as plain data and ``check_fixed_model.from_data(data)``
    rebuilds it.
    """
    import torch

    ex = "ex-diagnosing-fix"
    if type(model) is _Unread:
        return Feedback(
            ex, INCORRECT, f"the handed-in model could not be rebuilt: {model.problem}.", _HINT
        )
    if not_attempted(model):
        return pending(ex, "a torch.nn.Sequential")
    if not isinstance(model, torch.nn.Module):
        return Feedback(
            ex,
            INCORRECT,
            f"the answer must be a torch.nn.Module (an nn.Sequential), got {type_name(model)}.",
        )
    x, y = mystery_batch(seed=0)
    deadline = time.monotonic() + time_limit
    run = run_limited(lambda: _forward(model, x), time_limit)
    if run.timed_out:
        return out_of_time(ex, "the model's forward pass", time_limit)
    if run.error is not None:
        return Feedback(
            ex,
            INCORRECT,
            f"the model failed on a batch of shape {tuple(x.shape)}: "
            + raised("model(x)", run.error)
            + ".",
        )
    n_params, out, dtype, chain = run.value
    if not isinstance(out, torch.Tensor):
        return Feedback(ex, INCORRECT, f"the model must return a tensor, got {type(out).__name__}.")
    if tuple(out.shape) != (len(x), N_CLASSES):
        return Feedback(
            ex,
            INCORRECT,
            f"the output must have shape {(len(x), N_CLASSES)}, got {tuple(out.shape)}.",
        )
    if not out.is_floating_point():
        return Feedback(
            ex,
            INCORRECT,
            f"the output must be floating point (one score per class), got {out.dtype}.",
        )
    if n_params == 0:
        return Feedback(
            ex,
            INCORRECT,
            "the model has no weights to train.",
            "Build it from layers with parameters, such as nn.Linear.",
        )
    if not out.requires_grad:
        return Feedback(
            ex,
            INCORRECT,
            "the output does not depend on the weights through autograd.",
            "Did forward run under torch.no_grad(), or call .detach()? Gradients cannot flow back "
            "then.",
        )
    depth = len(watched_layers(model))
    if depth < MIN_LAYERS:
        return Feedback(
            ex,
            INCORRECT,
            f"the model has {depth} weight layers; keep at least {MIN_LAYERS}.",
            "A shallower net is a real remedy, but this exercise asks you to make the deep one "
            "work.",
        )
    if chain < MIN_LAYERS:
        return Feedback(
            ex,
            INCORRECT,
            f"the model has {depth} weight layers, but the longest chain of them that each "
            f"take the output of the one before is {chain} deep: the others work side by side "
            "(in parallel), not one after another.",
            "Depth counts layers in sequence: each weight layer must take the previous one's "
            "output as its input, as in nn.Sequential.",
        )
    run = run_limited(lambda: _backward(model, x.to(dtype), y), deadline - time.monotonic())
    if run.timed_out:
        return out_of_time(ex, "the model's forward and backward pass", time_limit)
    if run.error is not None:
        return Feedback(
            ex, INCORRECT, "the backward pass failed: " + raised("loss.backward()", run.error) + "."
        )
    loss, record = run.value
    if not math.isfinite(loss):
        return Feedback(
            ex,
            INCORRECT,
            f"the loss on the batch is {loss}, not a finite number.",
            "Look for a division by zero or a log of 0 in forward, or weights that are inf or NaN.",
        )
    if record.n_steps == 0:
        return Feedback(
            ex,
            INCORRECT,
            "no weight layer received a gradient.",
            "Make the output depend on the layers: call them in forward.",
        )
    idle = [n for n, v in zip(record.names, record.weight_norm.T) if not np.isfinite(v).any()]
    if idle:
        return Feedback(
            ex,
            INCORRECT,
            f"{len(idle)} weight layer(s) received no gradient ({', '.join(idle[:3])}"
            f"{', ...' if len(idle) > 3 else ''}).",
            "Use every layer in forward, or leave it out.",
        )
    first, last = record.delta_norm[0, 0], record.delta_norm[0, -1]
    if not (np.isfinite(first) and np.isfinite(last) and last > 0):
        return Feedback(
            ex,
            INCORRECT,
            "‖∂C/∂z‖ at the first or last layer is 0 or not finite.",
            "Check that every layer feeds the next and that no value overflows.",
        )
    ratio = float(first / last)
    stuck = stuck_layers(record, threshold=THRESHOLD)
    if stuck:
        return Feedback(
            ex,
            INCORRECT,
            f"{len(stuck)} layer(s) still stuck ({', '.join(stuck)}); "
            f"‖∂C/∂z‖ ratio first/last = {ratio:.2g}.",
            "Change what multiplies the gradient at every layer: the activation, the weight scale, "
            "or add normalisation or skip connections.",
        )
    lo, hi = RATIO_BAND
    if not lo <= ratio <= hi:
        direction = "shrinks" if ratio < lo else "grows"
        return Feedback(
            ex,
            INCORRECT,
            f"no layer is stuck, but the gradient still {direction} by a factor "
            f"{ratio:.2g} from the output to the first layer.",
            f"Aim for a first/last ratio between {lo:g} and {hi:g}: adjust the weight scale.",
        )
    try:
        _module_to_data(model, False, [MAX_VALUES])
    except Exception as err:  # noqa: BLE001 - a model that cannot be read is no Sequential
        what = _holds(err) if isinstance(err, _NotSequential) else "holds parts that cannot be read"
        return Feedback(
            ex,
            INCORRECT,
            f"the gradients are healthy ({depth} layers, none stuck, first/last ratio "
            f"{ratio:.2g}), but the model {what}.",
            _HINT,
        )
    return Feedback(
        ex,
        CORRECT,
        f"{depth} layers, none stuck; ‖∂C/∂z‖ of the first layer is {ratio:.2g} × the last's.",
    )


check_fixed_model.to_data = _model_to_data
check_fixed_model.from_data = _model_from_data
