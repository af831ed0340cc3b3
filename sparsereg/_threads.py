"""Threads of our own: a pool kept for the process, and BLAS on one thread while
they run.

Short parallel steps (the fold sums and paths of a CV on Gram matrices, a few
milliseconds each) run in ``in_threads``; the compiled kernels release the GIL. The
number of threads is the number BLAS had (what its products would have used), read
and limited by :class:`blas_on_one_thread`, so ``threadpoolctl`` limits both.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor


def in_threads(workers, func, items):
    """``[func(item) for item in items]``, in up to ``workers`` threads: the
    calling thread and up to ``workers - 1`` of a pool kept for the process
    (starting threads for every call cost ~0.5 ms, a tenth of a short CV).

    The calling thread takes items until none is left, so the call never waits
    for a pool thread that has not started (a pool busy with other callers, or
    a call from inside the pool, cannot deadlock)."""
    if workers <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    results = [None] * len(items)
    queue = iter(range(len(items)))
    lock = threading.Lock()

    def run():
        while True:
            with lock:
                k = next(queue, None)
            if k is None:
                return
            results[k] = func(items[k])

    helpers = [_pool().submit(run) for _ in range(min(workers, len(items)) - 1)]
    try:
        run()
    finally:
        with lock:  # no item is taken after this
            queue = iter(())
        for future in helpers:
            if not future.cancel():  # started: wait for its item (and errors)
                future.result()
    return results


_POOL = None, None  # (process id, executor)
_POOL_LOCK = threading.Lock()


def _pool():
    """The process's pool (made again in a forked child: threads do not fork)."""
    global _POOL
    with _POOL_LOCK:
        pid, pool = _POOL
        if pool is None or pid != os.getpid():
            pool = ThreadPoolExecutor(max(1, (os.cpu_count() or 1) - 1),
                                      thread_name_prefix="sparsereg")
            _POOL = os.getpid(), pool
        return pool


class blas_on_one_thread:
    """Context: BLAS limited to one thread; gives how many it had (the threads
    the caller may run instead).

    OpenBLAS runs a product of a few hundred rows slower on two threads than on
    one, and its threads busy-wait for ~0.1 s after a call: a threaded BLAS call
    just before our own threads start (a sum of squares of X, say) slows them
    down 2x on two cores. So the BLAS calls before and between them run here.
    The limit is process-wide: contexts entered by several threads at once (CV
    fits in a threaded grid search) share one limit, lifted by the last to leave.
    """

    _lock = threading.Lock()
    _blas = None  # threadpoolctl's view of the BLAS libraries, made on first use
    _depth, _limiter, _threads = 0, None, 1

    def __enter__(self):
        cls = type(self)
        with cls._lock:
            if cls._depth == 0:
                if cls._blas is None:
                    from threadpoolctl import ThreadpoolController

                    cls._blas = ThreadpoolController().select(user_api="blas")
                cls._threads = max([lib.num_threads for lib in
                                    cls._blas.lib_controllers], default=1)
                cls._limiter = cls._blas.limit(limits=1)
            cls._depth += 1
            return cls._threads

    def __exit__(self, *exc):
        cls = type(self)
        with cls._lock:
            cls._depth -= 1
            if cls._depth == 0:
                cls._limiter.restore_original_limits()
                cls._limiter = None
        return False

