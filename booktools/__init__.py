"""The book's machinery, beside the science: not installed, not part of ``vgp_lib``.

Run from the repository root (``python -m booktools.edition student``); Sphinx loads the
extensions as local extensions (``sphinx: local_extensions:`` in ``_config.yml``).

* :mod:`booktools.myst` — the one reader of the TOC, MyST directives and notebook cells.
* :mod:`booktools.chapter_exercises` — the one model of a chapter's exercises: text, stub, check,
  solution region, rubric and numbers, read the same by the editions, course and tests.
* :mod:`booktools.edition` — student, instructor and live editions of the chapters.
* :mod:`booktools.course` — an nbgrader course, one graded assignment per chapter.
* :mod:`booktools.exercise_index` — Sphinx: the ``{exercise-index}`` page of every exercise.
* :mod:`booktools.sphinx_ext` — Sphinx: offline MathJax, launch buttons to the live
  notebooks, accessible page fixes.
* :mod:`booktools.sphinx_frames` — Sphinx: slider frames written as image files.
"""
