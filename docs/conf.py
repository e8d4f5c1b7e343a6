"""Sphinx configuration of skneural's documentation site.

Build it with ``python -m sphinx -W -b html docs docs/_build/html`` (the ``docs`` extra:
``pip install -e ".[docs]"``).  The gallery runs the quick scripts of ``examples/`` and shows the
figures they write; the long ones (benchmarks, the 2 GB out-of-core run, the Dask cluster) are shown
without being run, their figures being those committed under ``examples/results/``.
"""

import re
import sys
from pathlib import Path

import skneural

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # gallery_scraper, named in sphinx_gallery_conf

project = "skneural"
author = "the skneural developers"
copyright = "2026, the skneural developers"
release = version = skneural.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_*.md", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]
templates_path = ["_templates"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"show-inheritance": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False  # autosummary's class template lists them
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

intersphinx_mapping = {}  # no network while building: links to other projects are written out

html_theme = "pydata_sphinx_theme"
html_title = f"skneural {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
}
html_static_path = ["_static"]
html_css_files = ["skneural.css"]


# -- the gallery ---------------------------------------------------------------------------------

QUICK_EXAMPLES = ("digits_quickstart", "network_styles", "plots", "schedules", "regularization",
                  "custom_components", "regression", "save_load", "grid_search")


sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/(" + "|".join(QUICK_EXAMPLES) + r")\.py$",
    "ignore_pattern": r"__init__\.py|/results/",
    "image_scrapers": ("gallery_scraper",),  # docs/gallery_scraper.py
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "capture_repr": (),
    "min_reported_time": 1,
    "show_memory": False,
    "plot_gallery": "True",
}


def _skip_metadata_requests(app, what, name, obj, skip, options):
    # scikit-learn's metadata-routing methods (set_{method}_request, get_metadata_routing): its own to document
    if name == "get_metadata_routing" or (name.startswith("set_") and name.endswith("_request")):
        return True
    return None


def _plain_sklearn_refs(app, what, name, obj, options, lines):
    # inherited scikit-learn docstrings (score, get_params, ...) link to labels of scikit-learn's own site,
    # which this build cannot reach: keep their text
    if getattr(obj, "__module__", "").startswith("sklearn."):
        lines[:] = [re.sub(r":ref:`([^`<]*?)\s*<[^`>]*>`|:ref:`([^`]*)`", lambda m: m.group(1) or m.group(2), line)
                    for line in lines]


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
    app.connect("autodoc-process-docstring", _plain_sklearn_refs)
