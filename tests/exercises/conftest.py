"""What the exercise tests share: every check of the book, and the context some checks need
(arguments the chapter passes besides the answer)."""

import importlib
import inspect
import pkgutil

import numpy as np

import vgp_lib.exercises as exercises

MODULES = [
    importlib.import_module(f"vgp_lib.exercises.{m.name}")
    for m in pkgutil.iter_modules(exercises.__path__)
]


CHECKS = {
    name: obj
    for module in MODULES
    for name, obj in vars(module).items()
    if name.startswith("check_") and inspect.isfunction(obj) and obj.__module__ == module.__name__
}


SPEEDS = np.random.default_rng(0).uniform(0.5, 2.0, (2, 5, 4)) * np.array([1e-4, 1e-3, 1e-2, 1e-1])


CONTEXT = {
    "check_chain_depth": ((16,), ()),
    "check_shrink_factor": ((), (0.208,)),
    "check_speed_ratio": ((), (SPEEDS,)),
}
