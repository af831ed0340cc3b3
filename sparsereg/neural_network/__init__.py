"""Multi-layer perceptrons with dropout, early stopping and L1/L2 weight penalties."""

from ._multilayer_perceptron import DivergenceError, MLPClassifier, MLPRegressor

__all__ = ["DivergenceError", "MLPClassifier", "MLPRegressor"]
