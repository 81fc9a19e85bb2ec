# Developer shortcuts. PYTHON is the interpreter of an environment with the
# package and its extras installed: pip install -e ".[dev,torch,docs]"
PYTHON ?= .venv/bin/python
SPHINXOPTS ?= -W --keep-going
DOCS_OUT ?= docs/_build/html

.PHONY: help test lint docs docs-noplot docs-clean

help:
	@echo "make test         run the test suite (doctests included)"
	@echo "make lint         ruff check"
	@echo "make docs         build the HTML docs, warnings as errors, all examples run"
	@echo "make docs-noplot  same without running the gallery examples (quick)"
	@echo "make docs-clean   remove the built and generated docs"
	@echo "PYTHON=$(PYTHON)"

test:
	$(PYTHON) -m pytest

lint:
	$(PYTHON) -m ruff check .

docs:
	$(PYTHON) -m sphinx $(SPHINXOPTS) -b html docs $(DOCS_OUT)
	@echo "open $(DOCS_OUT)/index.html"

docs-noplot:
	SKLEARN_PRUNE_DOCS_NO_GALLERY=1 $(PYTHON) -m sphinx $(SPHINXOPTS) -b html docs $(DOCS_OUT)

docs-clean:
	rm -rf docs/_build docs/auto_examples docs/generated docs/sg_execution_times.rst
