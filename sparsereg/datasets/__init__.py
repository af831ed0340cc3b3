"""Bundled real data and synthetic problems with a known support."""

from ._prostate import load_prostate
from ._synthetic import make_sparse_regression

__all__ = ["load_prostate", "make_sparse_regression"]
