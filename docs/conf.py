"""Sphinx configuration of the sklearn_prune documentation.

Build with ``make docs`` from the repository root (warnings are errors and
every gallery example is executed). No network access is needed at build
time: there is no intersphinx, and the theme's assets are bundled.
"""

# SPDX-License-Identifier: BSD-3-Clause

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # the gallery runs headless

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "sphinxext"))

from threadpoolctl import threadpool_limits  # noqa: E402

import sklearn_prune  # noqa: E402

# The gallery's numpy/scipy problems are tiny: one BLAS thread is as fast on an
# idle machine and several times faster on a busy one (OpenBLAS threads spin
# while waiting for a core). torch's own threads are not affected. Set
# OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS) to choose yourself.
if not any(v in os.environ for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")):
    threadpool_limits(limits=1, user_api="blas")

# -- Project -----------------------------------------------------------------
project = "sklearn_prune"
author = "the sklearn_prune developers"
copyright = "the sklearn_prune developers, BSD-3-Clause"
release = sklearn_prune.__version__
version = release

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sp_docs",  # docs/sphinxext/sp_docs.py: API pages, theory figure, filters
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "sphinxext", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"  # `x` renders as code, as in the numpydoc docstrings
pygments_style = "sphinx"

# -- API reference (autodoc, autosummary, numpydoc) ---------------------------
# autosummary_generate: set by sp_docs to the generated API pages
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autodoc_member_order = "groupwise"
numpydoc_show_class_members = False  # the class template lists the methods
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- Gallery -------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # execute every examples/plot_*.py
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "sp_docs.ExampleOrder",
    "doc_module": ("sklearn_prune",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklearn_prune": None},
    "show_memory": False,
    "min_reported_time": 1,
    "remove_config_comments": True,
    "download_all_examples": False,
}
if os.environ.get("SKLEARN_PRUNE_DOCS_NO_GALLERY"):  # quick docs-only builds
    sphinx_gallery_conf["plot_gallery"] = "False"

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_prune {release}"
html_short_title = "sklearn_prune"
html_theme_options = {
    "logo": {"text": f"sklearn_prune {release}"},  # the version in the header
    "navbar_align": "left",
    "header_links_before_dropdown": 5,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "user_guide": [], "glossary": []}
html_context = {"default_mode": "light"}
html_show_sourcelink = True
html_copy_source = True
html_last_updated_fmt = None
