"""Compiled loops only (``@njit(cache=True, nogil=True)``), one module per data
layout: ``dense.py``, ``sparse.py`` (CSC), ``gram.py`` (a Gram matrix), each with its
epoch, loop of epochs, gap products and Anderson step; ``common.py`` (the 1-D
update, random order, the notation), ``gap.py`` (duality gap sums, screening),
``epochs.py`` (what the loops share), ``sag.py`` (SAG/SAGA), ``folds.py`` (CV rows)."""
