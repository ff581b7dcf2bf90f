"""vgp_lib: the computations, plots and widgets behind the book *Vanishing gradients, seen*.

The package is layered and imports in one direction:

* compute modules (``activations``, ``circuits``, ...) use NumPy/PyTorch only;
* ``vgp_lib.plots`` draws results the compute modules return (matplotlib);
* ``vgp_lib.widgets`` wires ipywidgets controls to a compute call and a plot call;
* ``vgp_lib.exercises`` holds the exercises' self-checks, and ``handin``, what the
  graded cells of the nbgrader course call to hand an answer in as data.
* ``vgp_lib.book`` gathers what a chapter imports for its page: ``quick_mode``,
  ``figure``, ``show``, ``slider`` and ``show_source``.

The book's machinery (the editions, the course, the Sphinx extensions) is not part of
the package: it lives in ``booktools/`` beside it, in the book's repository.

Importing the package has no side effects; import the submodule you need.
"""

__version__ = "0.1.0"
