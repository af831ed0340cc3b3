"""sparsereg: sparse and regularized linear models, a drop-in for scikit-learn."""

import os as _os


def _numba_cache_fallback():
    """Keep numba's on-disk cache (``cache=True``) from ever breaking an import.

    numba raises at decoration time when none of its cache locations is writable
    (``NUMBA_CACHE_DIR``, the package's ``__pycache__``, the user cache directory):
    a read-only install run by a user without a writable home. Then the cache goes
    to a per-user directory under the system's temporary directory instead.
    """
    import tempfile

    try:
        from numba.core import caching, config

        if config.CACHE_LOCATOR_CLASSES:
            return  # the user chose the locators
        source = _os.path.join(_os.path.dirname(__file__), "_kernels.py")

        def probe():  # stands for a kernel: locators only read its line number
            pass

        impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl
        for locator in impl._locator_classes:
            if locator.from_function(probe, source) is not None:
                return
    except Exception:  # numba's internals changed: let numba decide
        return
    user = _os.getuid() if hasattr(_os, "getuid") else "user"
    config.CACHE_DIR = _os.path.join(tempfile.gettempdir(),
                                     f"sparsereg-numba-cache-{user}")


def _guard_numba_caches():
    """A corrupt cache (garbage or truncated index / data files) means: compile.

    numba only tolerates a *missing* cache file; an unreadable one raises from the
    first call of a kernel. Each kernel's cache is wrapped so that a failed load
    compiles instead (and removes the bad index, so the fresh compilation is saved
    again) and a failed save (a location turned read-only) is skipped.
    """
    from numba.core.dispatcher import Dispatcher

    from . import _epochs, _kernels

    kernels = [*vars(_kernels).values(), *vars(_epochs).values()]
    for kernel in kernels:
        if isinstance(kernel, Dispatcher) and kernel._cache is not None and not (
                isinstance(kernel._cache, _SafeCache)):
            kernel._cache = _SafeCache(kernel._cache)


class _SafeCache:
    """numba's FunctionCache whose load and save never raise."""

    def __init__(self, cache):
        self._cache = cache

    def load_overload(self, sig, target_context):
        try:
            return self._cache.load_overload(sig, target_context)
        except Exception:
            try:
                _os.remove(self._cache._cache_file._index_path)
            except Exception:
                pass
            return None

    def save_overload(self, sig, data):
        try:
            self._cache.save_overload(sig, data)
        except Exception:
            pass

    def __getattr__(self, name):
        return getattr(self._cache, name)


_numba_cache_fallback()

from ._path import enet_path, lasso_path  # noqa: E402
from .linear_model import ElasticNet, Lasso, Ridge  # noqa: E402

_guard_numba_caches()

# The CV and relaxed estimators are imported on first use (PEP 562): they pull in
# scikit-learn's model_selection and metrics (~0.1 s), which a fit of Lasso,
# ElasticNet or Ridge does not need.
_LAZY = {
    "AlphaGridEdgeWarning": "model_selection",
    "ElasticNetCV": "model_selection",
    "LassoCV": "model_selection",
    "RidgeCV": "model_selection",
    "RelaxedLasso": "relaxed",
    "RelaxedLassoCV": "relaxed",
}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

__version__ = "0.1.0.dev0"

__all__ = [
    "AlphaGridEdgeWarning",
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "RelaxedLasso",
    "RelaxedLassoCV",
    "Ridge",
    "RidgeCV",
    "enet_path",
    "lasso_path",
    "__version__",
]
