"""Sphinx configuration of the sparsereg documentation.

Build with ``make html`` in this folder, or from the repository root::

    python -m sphinx -b html docs docs/_build/html

The build needs no network. Cross-references to NumPy, SciPy and scikit-learn use
intersphinx when their inventories can be had (online, or from local copies in
``docs/_intersphinx/<name>-objects.inv``) and are left as plain text otherwise, without
a warning. Set ``SPARSEREG_DOCS_OFFLINE=1`` to skip the network probe, ``=0`` to skip
it and always try the web. The example gallery is built only when ``examples/``
holds ``plot_*.py`` scripts and sphinx-gallery is installed.
"""

import os
import socket
import sys
import threading
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # document the working tree, installed or not

import sparsereg  # noqa: E402

# -- Project -------------------------------------------------------------------------

project = "sparsereg"
author = "sparsereg developers"
copyright = "sparsereg developers"
version = release = sparsereg.__version__

# -- General -------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = []
default_role = "literal"  # as scikit-learn, whose inherited docstrings use it
add_module_names = False

# autodoc / autosummary: api.rst lists the members itself, no stub files are written.
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autosummary_generate = False

# numpydoc renders the docstrings; members are listed by autodoc in api.rst.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- HTML ----------------------------------------------------------------------------

html_theme = "alabaster"
html_title = f"sparsereg {release}"
html_static_path = []
html_theme_options = {
    "description": "Lasso, ElasticNet and Ridge: one problem, one solver",
    "fixed_sidebar": True,
}

# -- intersphinx, off the network gracefully -----------------------------------------

_INTERSPHINX = {
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "sklearn": "https://scikit-learn.org/stable/",
}
intersphinx_timeout = 5


def _reachable(url, timeout=3.0):
    """True when a TCP connection to the URL's host opens within ``timeout`` s.

    Run in a daemon thread so that a hanging DNS lookup cannot stall the build.
    """
    host = url.split("://", 1)[1].split("/", 1)[0]
    result = []

    def probe():
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
            result.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result)


def _online():
    forced = os.environ.get("SPARSEREG_DOCS_OFFLINE")
    if forced is not None:
        return forced.strip().lower() in ("0", "false", "no", "")
    if any(os.environ.get(k) for k in ("HTTPS_PROXY", "https_proxy")):
        return True  # a proxy may reach what a direct probe cannot
    return None  # probe each host


def _intersphinx_mapping():
    """The mapping, keeping for each project only the inventories that can be read."""
    online = _online()
    mapping = {}
    for name, url in _INTERSPHINX.items():
        locations = []
        if online or (online is None and _reachable(url)):
            locations.append(None)  # <url>/objects.inv
        local = DOCS / "_intersphinx" / f"{name}-objects.inv"
        if local.is_file():
            locations.append(str(local))
        if locations:
            mapping[name] = (url, tuple(locations))
    if len(mapping) < len(_INTERSPHINX):
        missing = sorted(set(_INTERSPHINX) - set(mapping))
        print(f"sparsereg docs: no intersphinx inventory for {', '.join(missing)} "
              "(offline); their cross-references are rendered as plain text",
              file=sys.stderr)
    return mapping


intersphinx_mapping = _intersphinx_mapping()

# -- sphinx-gallery, only when there is a gallery ------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # only plot_*.py are gallery items (demo_*.py and helpers are not); sphinx-gallery
    # matches this against the bare file name or the full path, depending on version
    "ignore_pattern": r"(^|/)(?!plot_)[^/]*\.py$",
    "download_all_examples": False,
    "reference_url": {"sparsereg": None},
    "doc_module": ("sparsereg",),
}


def _gallery_enabled():
    examples = ROOT / "examples"
    if not sorted(examples.glob("plot_*.py")):
        return False
    headers = ("GALLERY_HEADER.rst", "README.txt", "README.rst")
    if not any((examples / h).is_file() for h in headers):
        print("sparsereg docs: examples/plot_*.py found but no examples/README.txt "
              "(sphinx-gallery's header); the gallery is skipped", file=sys.stderr)
        return False
    try:
        import sphinx_gallery.gen_gallery  # noqa: F401
    except ImportError:
        print("sparsereg docs: examples/plot_*.py found but sphinx-gallery is not "
              "installed; the gallery is skipped", file=sys.stderr)
        return False
    return True


GALLERY = _gallery_enabled()
if GALLERY:
    extensions.append("sphinx_gallery.gen_gallery")
else:
    exclude_patterns += ["auto_examples", "sg_execution_times.rst"]

_GALLERY_MARKER = ".. gallery-toctree (filled in by conf.py when the gallery is built)"
_GALLERY_TOCTREE = """.. toctree::
   :maxdepth: 1
   :caption: Examples

   auto_examples/index
"""


def _add_gallery_toctree(app, docname, source):
    """Turn the marker comment of index.rst into the gallery's toctree."""
    if docname == "index":
        source[0] = source[0].replace(_GALLERY_MARKER,
                                      _GALLERY_TOCTREE if GALLERY else "")


def _offline_sklearn_refs(app, env, node, contnode):
    """Render ``:ref:`` labels of scikit-learn's own docstrings as plain text offline.

    Inherited methods documented in api.rst (``score``) point into scikit-learn's user
    guide; without its inventory those labels cannot resolve, which is not an error of
    these docs.
    """
    if "sklearn" in intersphinx_mapping or node.get("reftype") != "ref":
        return None
    if "docstring of sklearn." in (node.source or ""):
        return contnode
    return None


def setup(app):
    app.connect("source-read", _add_gallery_toctree)
    app.connect("missing-reference", _offline_sklearn_refs)
