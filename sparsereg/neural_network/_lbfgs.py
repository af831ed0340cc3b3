"""Full-batch training by L-BFGS-B: scikit-learn's ``solver="lbfgs"``.

scipy's L-BFGS-B minimizes, over all weights and intercepts ``theta`` at once, the
objective whose gradient the stochastic solvers follow, over the whole training set
(sample weights ``s``, ones by default):

    L(theta) = c sum_i s_i loss(y_i, f(x_i; theta)) / sum_i s_i
               + (alpha / 2) sum_l ||W_l||_F^2 / sum_i s_i

with scikit-learn's losses (:func:`~sparsereg.neural_network._network.data_loss`)
and ``c = 1``, except for the squared error with ``k > 1`` outputs: its loss
averages over the outputs but its gradient, in scikit-learn as here, is that of
their sum, so ``c = k`` makes ``L`` the function whose gradient L-BFGS-B is given
(scikit-learn passes the averaged value with that gradient, an inconsistent pair for
its line search). ``loss_`` reports scikit-learn's value (``c = 1``), as the
stochastic solvers do; with one output, or another loss, the run is scikit-learn's.

An evaluation is one :meth:`Network.forward` and one :meth:`Network.backward` on
the whole set: ``theta`` is one flat vector of which the weight and intercept arrays
are views (scikit-learn's packing: every coefficient matrix, then every intercept,
each in C order), and the network writes its gradients into views of one flat
``grad``, so nothing is packed or unpacked per evaluation.

The options are scikit-learn's: ``maxiter=max_iter``, ``maxfun=max_fun``,
``gtol=tol``; L-BFGS-B stops when the largest entry of the gradient is at most
``tol``, when an iteration lowers ``L`` by a relative ``ftol`` (scipy's default,
about 2.2e-9) or less, or, with a ConvergenceWarning (scikit-learn's text), after
``max_iter`` iterations or ``max_fun`` evaluations.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from sklearn.utils.optimize import _check_optimize_result

from ._network import gradient_scale


def packed(arrays, dtype):
    """One flat vector holding a copy of ``arrays`` and views of it shaped like them.

    Parameters
    ----------
    arrays : list of ndarray
        The arrays, packed in this order, each in C order.
    dtype : numpy dtype
        Dtype of the flat vector.

    Returns
    -------
    flat : ndarray of shape (sum of the sizes,)
        The packed values.
    views : list of ndarray
        ``views[k]`` is the part of ``flat`` shaped like ``arrays[k]``.
    """
    sizes = [a.size for a in arrays]
    flat = np.empty(sum(sizes), dtype=dtype)
    views, start = [], 0
    for a, size in zip(arrays, sizes, strict=True):
        view = flat[start:start + size].reshape(a.shape)
        view[...] = a
        views.append(view)
        start += size
    return flat, views


class FullBatchLoss:
    """``x -> (L(x), grad L(x))`` on the whole training set, for scipy.

    Parameters
    ----------
    net : Network
        A network whose weights are views of ``theta`` and whose gradients are
        views of ``grad``, with buffers for ``X.shape[0]`` rows and no dropout.
    theta, grad : ndarray of shape (n_params,)
        The packed parameters and gradient.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training inputs.
    Y : ndarray of shape (n_samples, n_outputs)
        Training targets (one-hot or 0/1 for the classifier).
    sw : ndarray of shape (n_samples,) or None
        Sample weights.
    alpha : float
        The L2 penalty.
    """

    def __init__(self, net, theta, grad, X, Y, sw, alpha):
        self.net, self.theta, self.grad = net, theta, grad
        self.X, self.Y, self.sw, self.alpha = X, Y, sw, alpha
        self.sw_sum = float(X.shape[0]) if sw is None else float(sw.sum())
        self.scale = gradient_scale(net.loss, Y.shape[1])  # c
        self.n_evaluations = 0
        self.last_loss = np.nan  # scikit-learn's value (c = 1) at the last x

    def __call__(self, x):
        # theta = x (cast to the training dtype); one pass forward, one backward
        np.copyto(self.theta, x, casting="same_kind")
        n = self.X.shape[0]
        self.net.forward(self.X, n, train=False)
        loss, _ = self.net.backward(self.X, self.Y, self.sw, n, self.alpha,
                                    train=False)
        self.n_evaluations += 1
        self.last_loss = float(loss)
        value = self.last_loss
        if self.scale != 1:  # L = c (loss - l2) + l2
            l2 = self.l2_term()
            value = self.scale * (value - l2) + l2
        # a copy: L-BFGS-B keeps the gradient of the previous iterate
        return value, self.grad.astype(np.float64)

    def l2_term(self):
        """``(alpha / 2) sum_l ||W_l||^2 / sum(s)`` at the current ``theta``."""
        total = sum(float(W.ravel() @ W.ravel()) for W in self.net.coefs)
        return 0.5 * self.alpha * total / self.sw_sum

    def reported(self, value):
        """scikit-learn's loss (``c = 1``) for the value ``L`` at ``theta``."""
        if self.scale == 1:
            return float(value)
        l2 = self.l2_term()
        return float((value - l2) / self.scale + l2)


@dataclass(frozen=True)
class LBFGSOptions:
    """scikit-learn's L-BFGS-B options.

    Attributes
    ----------
    max_iter : int
        Maximum number of L-BFGS-B iterations (scipy's ``maxiter``).
    max_fun : int
        Maximum number of loss evaluations (scipy's ``maxfun``).
    tol : float
        Tolerance on the largest gradient entry (scipy's ``gtol``).
    verbose : bool
        Print the loss after every iteration.
    """

    max_iter: int
    max_fun: int
    tol: float
    verbose: bool


@dataclass(frozen=True)
class LBFGSResult:
    """What :func:`minimize_lbfgs` reached.

    Attributes
    ----------
    loss : float
        scikit-learn's loss (``c = 1``) at the final parameters.
    n_iter : int
        Iterations run (at most ``max_iter``, as scikit-learn reports them).
    n_evaluations : int
        Loss and gradient evaluations.
    """

    loss: float
    n_iter: int
    n_evaluations: int


def minimize_lbfgs(objective, options):
    """Minimize ``objective`` from its current ``theta``; leave the minimizer there.

    Parameters
    ----------
    objective : FullBatchLoss
        The loss, starting from the values in ``objective.theta``.
    options : LBFGSOptions
        The stopping options.

    Returns
    -------
    result : LBFGSResult
        The final loss and the counts. ``objective.theta`` holds the final
        parameters. A run stopped by ``max_iter`` or ``max_fun`` (or by a failed
        line search) warns with scikit-learn's ConvergenceWarning.
    """
    iterations = 0

    def report(xk):
        # L-BFGS-B's line search ends on the iterate: the last evaluation is at xk
        nonlocal iterations
        iterations += 1
        print(f"Iteration {iterations}, loss = {objective.last_loss:.8f}")

    res = minimize(objective, objective.theta.astype(np.float64), method="L-BFGS-B",
                   jac=True, callback=report if options.verbose else None,
                   options={"maxiter": options.max_iter, "maxfun": options.max_fun,
                            "gtol": options.tol})
    n_iter = _check_optimize_result("lbfgs", res, options.max_iter)
    np.copyto(objective.theta, res.x, casting="same_kind")
    return LBFGSResult(loss=objective.reported(res.fun), n_iter=int(n_iter),
                       n_evaluations=objective.n_evaluations)


def check_lbfgs_compatible(rates, l1, monitor, restore_best_weights,
                           has_validation_set):
    """Refuse, under ``solver="lbfgs"``, the extras it cannot honour.

    L-BFGS-B needs one deterministic, smooth objective and has no epochs: dropout
    draws a new objective per batch, the L1 term is not differentiable at 0, and a
    validation set, its monitor and the restoration of its best epoch all act per
    epoch. (``alpha``, ``class_weight``, ``loss``, ``dtype`` and ``warm_start``
    keep their meaning; scikit-learn's stochastic-only parameters, such as
    ``early_stopping`` or ``batch_size``, are not used, as in scikit-learn.)

    Parameters
    ----------
    rates : list of float
        Dropout rate of every hidden layer.
    l1 : float
        The L1 penalty.
    monitor : str
        The early-stopping monitor.
    restore_best_weights : bool
        Whether early stopping restores its best epoch.
    has_validation_set : bool
        Whether ``fit`` got ``X_val``, ``y_val`` or ``sample_weight_val``.

    Raises
    ------
    ValueError
        Naming the first extra set away from its default, and the fix.
    """
    stochastic = "use solver='adam' or 'sgd'"
    if any(p > 0 for p in rates):
        raise ValueError(
            f"dropout > 0 (rates {rates}) needs a stochastic solver: dropout draws "
            f"a new loss for every batch, L-BFGS-B needs one fixed loss. Set "
            f"dropout=0.0 or {stochastic}."
        )
    if l1 > 0:
        raise ValueError(
            f"l1={l1} needs a stochastic solver: the L1 term is not differentiable "
            f"at zero, which L-BFGS-B requires. Set l1=0.0 (alpha is the smooth "
            f"L2 penalty) or {stochastic}."
        )
    if has_validation_set:
        raise ValueError(
            "X_val / y_val / sample_weight_val are scored every epoch of a "
            "stochastic solver; solver='lbfgs' has no epochs. Score the validation "
            f"set after fit, or {stochastic}."
        )
    if monitor != "val_score":
        raise ValueError(
            f"monitor={monitor!r} selects what early stopping watches, and "
            f"solver='lbfgs' does no early stopping. Leave monitor at its default "
            f"or {stochastic} with early_stopping=True."
        )
    if not restore_best_weights:
        raise ValueError(
            "restore_best_weights=False concerns the epochs of early stopping, and "
            "solver='lbfgs' does no early stopping. Leave restore_best_weights at "
            f"its default or {stochastic} with early_stopping=True."
        )
