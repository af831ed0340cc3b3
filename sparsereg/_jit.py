"""numba, set up once, by the first kernel module imported.

``import sparsereg`` does not import numba (about 0.2 s): the kernel modules
(``_kernels/``, ``_solvers/gram_path.py``) are imported by the solvers when they
first run, and import numba through this module, which first makes sure that its
on-disk cache cannot break them (a read-only install, a corrupt cache file). Ridge's
direct solvers, the command line's help and the neural networks never load numba.
"""

import os
from contextlib import contextmanager

from numba import njit
from numba.core.dispatcher import Dispatcher

__all__ = ["announce_compilation", "guard_caches", "njit"]

_on_compile = []  # callbacks for the next compilation


@contextmanager
def announce_compilation(callback):
    """Within the block, call ``callback()`` once, right before the first kernel is
    compiled because its on-disk cache is missing (after installing, or with a new
    ``NUMBA_CACHE_DIR``): the command line says so instead of seeming to hang."""
    _on_compile.append(callback)
    try:
        yield
    finally:
        if callback in _on_compile:
            _on_compile.remove(callback)


def _compiling():
    """A kernel is about to compile: run (and forget) the callbacks."""
    while _on_compile:
        _on_compile.pop(0)()


def _cache_fallback():
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
        source = os.path.join(os.path.dirname(__file__), "_kernels", "common.py")

        def probe():  # stands for a kernel: locators only read its line number
            pass

        impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl
        for locator in impl._locator_classes:
            if locator.from_function(probe, source) is not None:
                return
    except Exception:  # numba's internals changed: let numba decide
        return
    user = os.getuid() if hasattr(os, "getuid") else "user"
    config.CACHE_DIR = os.path.join(tempfile.gettempdir(),
                                    f"sparsereg-numba-cache-{user}")


def guard_caches(namespace):
    """A corrupt cache (garbage or truncated index / data files) means: compile.

    numba only tolerates a *missing* cache file; an unreadable one raises from the
    first call of a kernel. The cache of every kernel in ``namespace`` (a kernel
    module's ``globals()``, at its end) is wrapped so that a failed load compiles
    instead (and removes the bad index, so the fresh compilation is saved again)
    and a failed save (a location turned read-only) is skipped.
    """
    for kernel in list(namespace.values()):
        if isinstance(kernel, Dispatcher) and kernel._cache is not None and not (
                isinstance(kernel._cache, _SafeCache)):
            kernel._cache = _SafeCache(kernel._cache)


class _SafeCache:
    """numba's FunctionCache whose load and save never raise."""

    def __init__(self, cache):
        self._cache = cache

    def load_overload(self, sig, target_context):
        try:
            loaded = self._cache.load_overload(sig, target_context)
        except Exception:
            try:
                os.remove(self._cache._cache_file._index_path)
            except Exception:
                pass
            loaded = None
        if loaded is None:  # numba compiles next
            _compiling()
        return loaded

    def save_overload(self, sig, data):
        try:
            self._cache.save_overload(sig, data)
        except Exception:
            pass

    def __getattr__(self, name):
        return getattr(self._cache, name)


_cache_fallback()
