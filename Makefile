# Two commands for a fresh machine (see README.md):
#   make book   create .venv, install everything, build the site into _build/html
#   make test   everything `make book` does, then the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
# Optional extra package index for PyTorch, e.g. its CPU-only wheels:
#   make book TORCH_INDEX=https://download.pytorch.org/whl/cpu
# (the default, empty, installs torch from PyPI as pinned in requirements.txt).
TORCH_INDEX ?=
VENV := .venv
BIN := $(VENV)/bin
BOOK_DEPS := $(VENV)/.book-installed
DEV_DEPS := $(VENV)/.dev-installed
GRADING_DEPS := $(VENV)/.grading-installed
# MathJax 4 and its font, as package-lock.json pins them (npm writes this file last).
NODE_DEPS := node_modules/.package-lock.json
# Set while the site is built: widgets then show a note instead of a dead view,
# and progress bars stay out of the HTML (see vgp_lib/_env.py).
BUILD_ENV := VGP_STATIC_BUILD=1 PYTHONHASHSEED=0

.PHONY: book build test check lint bench student instructor course grade notebooks lab serve clean check-python

book: build

# The pins need Python >= 3.11 (numpy 2.4, matplotlib 3.11); say so before pip does.
check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 needed, found %d.%d (try: make book PYTHON=python3.11)" % sys.version_info[:2])'

$(BOOK_DEPS): requirements.txt requirements-data.txt pyproject.toml | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install -q --no-deps -r requirements-data.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $@

# The site serves MathJax from _static, copied from node_modules/ (booktools/sphinx_ext.py).
$(NODE_DEPS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for MathJax (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(DEV_DEPS): $(BOOK_DEPS) requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# nbgrader, for `make course` and tests/book/test_course.py (requirements-grading.txt).
$(GRADING_DEPS): $(BOOK_DEPS) requirements-grading.txt
	$(BIN)/python -m pip install -q -r requirements-grading.txt $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
	touch $@

# A strict build from a fresh Sphinx environment (--all), so warnings from every
# page are raised on every build; every chapter is executed by every build
# (execute_notebooks: inline in _config.yml), so no stale output can survive.
build: $(BOOK_DEPS) $(NODE_DEPS)
	$(BUILD_ENV) $(BIN)/jupyter-book build . --all -n -W --keep-going

# Everything, in two runs: the unit tests of `make check` on both cores, then the tests that
# need the site, kernels, nbgrader, a browser or JupyterLab one at a time. Both always run;
# either failing fails the target.
UNIT := not book and not browser and not live and not slow and not contract
test: $(DEV_DEPS) $(GRADING_DEPS) lint build
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "$(UNIT)"; unit=$$?; \
	$(BIN)/python -m pytest -m "not ($(UNIT))"; whole=$$?; \
	test $$unit -eq 0 -a $$whole -eq 0

# The fast loop while you work (under three minutes on two cores): ruff and the unit tests of
# the science, the plots, the widgets, the exercises and the booktools logic, on both cores
# (pytest-xdist, one test file per worker). Left to `make test`: tests/book/ (the site, the
# editions, the course, Binder, the live notebooks: the `book` mark) and the slow, contract,
# browser and live marks. No build, no kernels, no nbgrader, no pip resolution, no browser.
check: lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "$(UNIT)"

# ruff, configured in pyproject.toml: lint rules and the code format (line length 100).
lint: $(DEV_DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(DEV_DEPS)
	mkdir -p _build
	$(BIN)/python -m benchmarks

# Chapters as notebooks for a course (see booktools/edition.py): without solutions
# (hand these out) or with them (for the instructor).
student: $(BOOK_DEPS)
	$(BIN)/python -m booktools.edition student

instructor: $(BOOK_DEPS)
	$(BIN)/python -m booktools.edition instructor

# An nbgrader course in _build/course (see booktools/course.py and the README's "Grading
# with nbgrader"): one assignment per chapter, made from the student edition with graded
# cells, then released with `nbgrader generate_assignment`. VARIANT=name changes the
# exercises' numbers.
course: $(GRADING_DEPS)
	$(BUILD_ENV) $(BIN)/python -m booktools.course $(if $(VARIANT),--variant "$(VARIANT)")

# Autograde one assignment's submissions in the sandbox, then audit (booktools/grade.py).
grade: $(GRADING_DEPS)
	@test -n "$(ASSIGNMENT)" || { echo "usage: make grade ASSIGNMENT=chain"; exit 2; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m booktools.grade "$(ASSIGNMENT)" --course _build/course

# The chapters live, as on Binder: binder/postBuild (run with .venv first on PATH)
# writes notebooks/ and JupyterLab's settings; `make lab` then starts JupyterLab.
notebooks: $(BOOK_DEPS)
	PATH="$(abspath $(BIN)):$$PATH" bash binder/postBuild

lab: notebooks
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=. notebooks

serve:
	$(BIN)/python -m http.server -d _build/html 8000

clean:
	rm -rf _build
