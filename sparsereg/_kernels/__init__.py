"""Compiled loops only (``@njit(cache=True, nogil=True)``). ``epochs.py``: the loops
of coordinate descent (an epoch, the loop of epochs with its gap checks and
Anderson's step, the gap's products, the residual, zeroing features), written once
for every data layout; ``layout.py``: the five operations a layout supplies, which
``dense.py``, ``sparse.py`` (CSC) and ``gram.py`` (a Gram matrix) implement;
``common.py`` (the 1-D update, random order, the notation), ``gap.py`` (duality gap
sums, screening), ``sag.py`` (SAG/SAGA), ``folds.py`` (CV rows)."""
