"""Handing an answer in, as plain data, for a grader that does not trust the notebook.

In a graded course (``make course``) the student's kernel does not judge its own
answers: anything running there can be replaced by the student's code. The graded cell
under each exercise calls :func:`hand_in`, which turns the answer into plain data
(numbers, strings, lists and tags, see :func:`to_data`) and shows it as one output of
the cell. The grader, in its own process, rebuilds the answer from that data
(:func:`from_data`) and calls the book's check on it: the same rule as the self-check,
reached where no student code runs.

A function answer cannot travel as data, so :func:`hand_in` runs the check once in the
kernel with the function wrapped in a recorder: every call the check makes is kept
(arguments, result or error). The grader replays the record to the same check, which
asks the same questions in the same order (the checks are deterministic); a question the
record does not answer fails. A forged record passes only if it holds the right outputs,
which is to know the answer. Checks whose answer is a structure rather than a function of
numbers (a circuit, a model) bring their own ``to_data`` and ``from_data``.

>>> from_data(to_data((1, "2.5", [3.0])))
(1, '2.5', [3.0])
"""

from __future__ import annotations

import decimal
import fractions
import math
import numbers

import numpy as np

from . import not_attempted, short_repr

#: MIME type of a hand-in record in a notebook's outputs.
MIME = "application/vnd.vgp.handin+json"
#: Most values (numbers, items) one hand-in may hold.
MAX_VALUES = 200_000
#: Most calls of a student's function a record keeps.
MAX_CALLS = 1_000


class TooLarge(ValueError):
    """An answer with more than :data:`MAX_VALUES` values."""


def _guard(fn, default=None):
    """``fn()``, or ``default`` if it raises anything but KeyboardInterrupt."""
    try:
        return fn()
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: BLE001 - a student's object may raise SystemExit and the like
        return default


def to_data(value):
    """``value`` as JSON-ready data that :func:`from_data` turns back into an equal value.

    Plain JSON values stay as they are (a float that is not finite, a huge int and every
    container get a tag); NumPy and torch values keep their dtype and shape; any other
    object keeps its type's name, its ``repr`` and what ``float()`` makes of it, read
    without letting its methods raise. Never raises, except :class:`TooLarge`.
    """
    return _to_data(value, [MAX_VALUES])


def _to_data(value, left: list):

    def plain(x, depth=0):
        left[0] -= 1
        if left[0] < 0:
            raise TooLarge(f"more than {MAX_VALUES} values")
        if depth > 50:
            return {"object": {"type": "nested too deep", "repr": "…"}}
        if x is None or type(x) in (bool, str):
            return x
        if x is Ellipsis:
            return {"ellipsis": True}
        if type(x) is int:
            return x if abs(x) < 2**53 else {"int": str(x)}
        if type(x) is float:
            return x if math.isfinite(x) else {"float": repr(x)}
        if type(x) is complex:
            return {"complex": [plain(x.real), plain(x.imag)]}
        if type(x) is decimal.Decimal:
            return {"decimal": str(x)}
        if type(x) is fractions.Fraction:
            return {"fraction": str(x)}
        if type(x) in (list, tuple, set, frozenset):
            items = sorted(x, key=repr) if type(x) in (set, frozenset) else x
            return {type(x).__name__: [plain(v, depth + 1) for v in items]}
        if type(x) is dict:
            return {"dict": [[plain(k, depth + 1), plain(v, depth + 1)] for k, v in x.items()]}
        if isinstance(x, (np.ndarray, np.generic)) and type(x).__module__ == "numpy":
            return _array("ndarray" if isinstance(x, np.ndarray) else "numpy", x, left)
        if any(c.__module__ == "torch" and c.__name__ == "Tensor" for c in type(x).__mro__):
            return _tensor(x, left)  # a tensor, or a Parameter (its .grad too)
        return _object(x)

    return plain(value)


def _array(tag: str, x, left: list):
    if x.dtype.kind not in "biufc":
        return _object(x)
    left[0] -= x.size
    if left[0] < 0:
        raise TooLarge(f"more than {MAX_VALUES} values")
    flat = x.reshape(-1)
    if x.dtype.kind == "c":
        data = [to_data(complex(v)) for v in flat]
    else:
        data = [to_data(v.item()) for v in flat]
    return {tag: {"dtype": str(x.dtype), "shape": list(x.shape), "data": data}}


def _tensor(x, left: list):
    try:
        array = x.detach().cpu().numpy()
    except Exception:  # e.g. a bfloat16 tensor NumPy cannot hold
        array = x.detach().cpu().double().numpy()
    data = _array("ndarray", array, left)["ndarray"]
    data["dtype"] = str(x.dtype).removeprefix("torch.")
    if x.requires_grad:
        data["requires_grad"] = True
    grad = x.grad if x.is_leaf else None  # a clip_step answer works on .grad in place
    if grad is not None:
        data["grad"] = _tensor(grad, left)
    return {"tensor": data}


def _object(x):
    """What a check can read from an object of any other type, read safely."""
    kind = _guard(lambda: type(x).__name__, "object")
    out = {"type": kind, "repr": short_repr(x, 200), "callable": _guard(lambda: callable(x), False)}
    value = _guard(lambda: float(x))
    if isinstance(value, float):
        out["float"] = to_data(value)
    return {"object": out}


def from_data(data):
    """The value :func:`to_data` made ``data`` from (a stand-in for other objects).

    Raises ``ValueError`` on data no :func:`to_data` call makes (a forged hand-in is judged
    as no answer).
    """
    try:
        return _from_data(data)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, OverflowError) as err:
        got = short_repr(data)
        raise ValueError(f"data must be what to_data gives, got {got} ({err})") from None


def _from_data(data):
    if data is None or type(data) in (bool, int, float, str):
        return data
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError(f"not hand-in data: {short_repr(data)}")
    ((tag, body),) = data.items()
    if tag == "ellipsis":
        return Ellipsis
    if tag == "int":
        return int(body)
    if tag == "float":
        return float(body)
    if tag == "complex":
        return complex(from_data(body[0]), from_data(body[1]))
    if tag == "decimal":
        return decimal.Decimal(body)
    if tag == "fraction":
        return fractions.Fraction(body)
    if tag in ("list", "tuple", "set", "frozenset"):
        kind = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag]
        return kind(from_data(v) for v in body)
    if tag == "dict":
        return {_key(from_data(k)): from_data(v) for k, v in body}
    if tag in ("ndarray", "numpy"):
        array = _rebuild_array(body)
        return array if tag == "ndarray" else array.reshape(()).dtype.type(array.reshape(())[()])
    if tag == "tensor":
        import torch

        dtype = getattr(torch, str(body["dtype"]), None)
        if not isinstance(dtype, torch.dtype):
            raise ValueError(f"not a torch dtype: {short_repr(body['dtype'])}")
        array = _rebuild_array({**body, "dtype": "float64" if dtype.is_floating_point else "int64"})
        if dtype == torch.bool:
            array = array.astype(bool)
        tensor = torch.tensor(array, dtype=dtype)
        if body.get("requires_grad") and dtype.is_floating_point:
            tensor.requires_grad_(True)
        if "grad" in body:
            tensor.grad = from_data(body["grad"])
        return tensor
    if tag == "object":
        return _Opaque(body)
    if tag == "function":
        return _Replay(body)
    raise ValueError(f"not hand-in data: a {short_repr(tag)} tag")


def _key(k):
    if isinstance(k, (list, set)):
        raise ValueError("a dict key must be hashable")
    return k


def _rebuild_array(body) -> np.ndarray:
    dtype = np.dtype(str(body["dtype"]))
    if dtype.kind not in "biufc":
        raise ValueError(f"not a numeric dtype: {dtype}")
    shape = tuple(int(n) for n in body["shape"])
    values = [from_data(v) for v in body["data"]]
    if math.prod(shape) != len(values):
        raise ValueError("the shape and the number of values disagree")
    return np.array(values, dtype=dtype).reshape(shape)


class _Opaque:
    """Stands in, on the grader's side, for an object that is not plain data: it has the
    original's type name and ``repr``, and ``float()`` of it gives what the original gave
    (or raises ``TypeError`` if the original's ``float()`` failed)."""

    def __init__(self, body: dict):
        self._type = str(body.get("type", "object"))
        self._repr = str(body.get("repr", ""))
        self._float = from_data(body["float"]) if "float" in body else None

    def __float__(self) -> float:
        if self._float is None:
            raise TypeError(f"float() of a {self._type} failed in the student's notebook")
        return float(self._float)

    def __repr__(self) -> str:
        return self._repr


# --------------------------------------------------------------------------- function answers


class _Recorder:
    """Wraps a student's function and keeps every call: arguments, then result or error."""

    def __init__(self, function):
        self.function = function
        self.calls: list[dict] = []

    def __call__(self, *args, **kwargs):
        call = {"args": to_data(list(args)), "kwargs": to_data(kwargs)}
        if len(self.calls) < MAX_CALLS:
            self.calls.append(call)
        try:
            result = self.function(*args, **kwargs)
        except BaseException as err:
            kind = _guard(lambda err=err: type(err).__name__, "Exception")
            call["error"] = [kind, _message(err)]
            call["after"] = _guard(lambda: to_data(list(args)))
            raise
        call["result"] = _guard(lambda: to_data(result), {"object": {"type": "unreadable"}})
        after = _guard(lambda: to_data(list(args)))
        if after != call["args"]:  # the call changed what it was given (e.g. .grad in place)
            call["after"] = after
        return result


def _message(err) -> str:
    text = _guard(lambda: str(err), "")
    return text if isinstance(text, str) else ""


class RecordNotFound(LookupError):
    """A call the student's function was never asked in the notebook."""


class _Replay:
    """The recorded function, on the grader's side: it answers the recorded calls, in
    order, with the recorded results (and writes back what the call changed in the
    arrays it was given); any other call raises :class:`RecordNotFound`."""

    def __init__(self, body: dict):
        self._calls = list(body.get("calls", []))
        self.__name__ = str(body.get("name", "function"))
        self._used = 0

    def __call__(self, *args, **kwargs):
        asked = {"args": to_data(list(args)), "kwargs": to_data(kwargs)}
        for i in range(self._used, len(self._calls)):
            call = self._calls[i]
            if call.get("args") == asked["args"] and call.get("kwargs") == asked["kwargs"]:
                self._used = i + 1
                self._write_back(args, call.get("after"))
                if "error" in call:
                    name, message = (list(call["error"]) + ["", ""])[:2]
                    kind = type(str(name) or "Exception", (Exception,), {})
                    raise kind(str(message))
                return from_data(call.get("result"))
        raise RecordNotFound("the notebook never ran the function on these arguments")

    @staticmethod
    def _write_back(args, after) -> None:
        if after is None:
            return
        changed = from_data(after)
        for given, new in zip(_leaves(args), _leaves(changed)):
            if isinstance(given, np.ndarray) and isinstance(new, np.ndarray):
                if given.shape == new.shape and given.flags.writeable:
                    given[...] = new
            elif _is_tensor(given) and _is_tensor(new):
                import torch

                with torch.no_grad():
                    if given.shape == new.shape:
                        given.copy_(new)
                if given.is_leaf and (new.grad is None or new.grad.shape == given.shape):
                    given.grad = None if new.grad is None else new.grad.clone()


def _is_tensor(x) -> bool:
    return any(c.__module__ == "torch" and c.__name__ == "Tensor" for c in type(x).__mro__)


def _leaves(x):
    if isinstance(x, (list, tuple)):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


# --------------------------------------------------------------------------- the graded cell


def _answer_data(check, call, answers: dict) -> dict:
    """``{name: data}`` for the answers ``answers`` of the exercise ``check`` judges.

    ``call(**answers)`` is the check's call with the answers in place; it runs once if
    an answer is a function, with recorders in its place, to record what the check asks.
    """
    data, recorders = {}, {}
    own = getattr(check, "to_data", None)
    for name, value in answers.items():
        if callable(own):
            data[name] = _guard(lambda value=value: own(value), {"problem": "unreadable"})
        elif not not_attempted(value) and _guard(lambda value=value: _is_function(value), False):
            if _guard(lambda value=value: _defined_here(value), False):
                recorders[name] = _Recorder(value)
            else:  # the library's own function is no answer to "write a function"
                data[name] = {"problem": "a function not defined in this notebook (write your own)"}
        else:
            try:
                data[name] = to_data(value)
            except TooLarge as err:
                data[name] = {"object": {"type": "too large", "repr": str(err)}}
    if recorders:
        _guard(lambda: call(**{**answers, **recorders}))
        for name, recorder in recorders.items():
            data[name] = {"function": {"name": name, "calls": recorder.calls}}
    return data


def _defined_here(value) -> bool:
    """Whether a function (or a callable object's class) was defined in the notebook."""
    module = getattr(value, "__module__", None)
    if not isinstance(module, str):
        module = type(value).__module__
    return module == "__main__"


def _is_function(value) -> bool:
    import inspect

    if isinstance(value, type) or type(value).__module__ in ("numpy", "torch"):
        return False
    return inspect.isroutine(value) or (callable(value) and not isinstance(value, numbers.Number))


def hand_in(label: str, check, call, **answers) -> None:
    """Hand in the answers of exercise ``label`` (``name=value``): show them as data in this
    cell's output, for the grader. Says only what was handed in, never whether it is right.

    ``check`` is the book's check of the exercise and ``call(**answers)`` calls it as the
    exercise's check cell does (run only to record a function answer's calls).
    """
    from IPython.display import display

    if not isinstance(label, str):
        raise TypeError(f"label must be an exercise label (a str), got {type(label).__name__}")
    for name, value in (("check", check), ("call", call)):
        if not callable(value):
            raise TypeError(f"{name} must be callable, got {type(value).__name__}")

    try:
        data = _answer_data(check, call, answers)
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # noqa: BLE001 - an answer must never stop the notebook
        data = {name: {"problem": f"could not be read ({type(err).__name__})"} for name in answers}
    lines = []
    for name, value in answers.items():
        if not_attempted(value):
            lines.append(f"{name}: not attempted yet (it is still ...).")
        elif isinstance(data[name], dict) and "problem" in data[name]:
            lines.append(f"{name}: not handed in: {data[name]['problem']}.")
        elif isinstance(data[name], dict) and "function" in data[name]:
            calls = data[name]["function"]["calls"]
            if calls and all(c.get("result") == {"ellipsis": True} for c in calls):
                lines.append(f"{name}: not attempted yet (it still returns ...).")
            else:  # how many calls the check made is no business of the student's: it stops early
                lines.append(f"{name}: a function, run on the check's inputs for the grader.")
        else:
            lines.append(f"{name} = {short_repr(value)}")
    text = (
        "Handed in for grading (judged after you submit, by the rule the exercise states):\n  "
        + "\n  ".join(lines)
    )
    display({MIME: {"label": label, "answers": data}, "text/plain": text}, raw=True)
