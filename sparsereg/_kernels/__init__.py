"""Compiled loops only (``@njit(cache=True)``): epochs, gap terms and SAG steps."""
