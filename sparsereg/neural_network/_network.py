"""The network: forward and backward passes on preallocated buffers, and optimizers.

A network with layers ``l = 0 .. L-1`` maps ``A_0 = X`` to the output by

    Z_{l+1} = A_l W_l + b_l,   H_{l+1} = f(Z_{l+1}),   A_{l+1} = H_{l+1} * M_{l+1}

with ``f`` the hidden activation (the output activation on the last layer) and
``M`` the inverted-dropout mask of a hidden layer: entries ``1 / (1 - p)`` with
probability ``1 - p`` and 0 otherwise, drawn for every batch during training only
(``M = 1`` at prediction, so predictions are deterministic and, in expectation,
the activations of training and prediction are the same).

The loss of a batch (scikit-learn's definitions, sample weights ``s``) is the data
loss plus ``(alpha / 2) ||W||^2 / sum(s)`` over all weight matrices (not the
intercepts), plus ``l1 ||W||_1 / sum(s)``; the L1 term is applied by a proximal step
after each optimizer step, so weights can become exactly zero.

All per-batch arrays (activations, masks, deltas, gradients, optimizer scratch) are
allocated once per fit for the largest batch and used through views: the training
loop allocates nothing per batch but numpy's small reduction results.
"""

import numpy as np
from scipy import sparse
from scipy.special import expit

# ------------------------------------------------------------------ activations


def activate(name, Z):
    """Apply activation ``name`` to ``Z`` in place."""
    if name == "relu":
        np.maximum(Z, 0, out=Z)
    elif name == "tanh":
        np.tanh(Z, out=Z)
    elif name == "logistic":
        expit(Z, out=Z)
    elif name == "softmax":
        Z -= Z.max(axis=1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=1, keepdims=True)
    elif name == "exp":
        np.exp(Z, out=Z)
    elif name != "identity":
        raise ValueError(f"unknown activation {name!r}")


def multiply_derivative(name, H, delta, scratch):
    """``delta *= f'(Z)`` in place, from the activation's output ``H = f(Z)``."""
    if name == "relu":
        np.greater(H, 0, out=scratch)
        delta *= scratch
    elif name == "tanh":  # 1 - H^2
        np.multiply(H, H, out=scratch)
        np.subtract(1, scratch, out=scratch)
        delta *= scratch
    elif name == "logistic":  # H (1 - H)
        np.subtract(1, H, out=scratch)
        scratch *= H
        delta *= scratch
    elif name != "identity":
        raise ValueError(f"unknown activation {name!r}")


# ------------------------------------------------------------------------ losses


def data_loss(kind, out, Y, sw, sw_sum, scratch):
    """scikit-learn's loss of the outputs ``out`` for targets ``Y`` (2-D).

    ``kind``: "squared_error" (half the mean squared error, averaged over the
    outputs), "poisson" (half-less Poisson deviance, summed over outputs),
    "log_loss" (softmax cross-entropy) or "binary_log_loss" (per-output logistic).
    ``sw`` (or None) weights the samples; ``sw_sum`` is their sum (or the count).
    """
    if kind == "squared_error":
        np.subtract(out, Y, out=scratch)
        scratch *= scratch
        per_sample = scratch.sum(axis=1)
        total = per_sample.sum() if sw is None else per_sample @ sw
        return 0.5 * total / (sw_sum * out.shape[1])
    eps = np.finfo(out.dtype).eps
    if kind == "poisson":
        # sum over outputs of the average of y log(y / p) - y + p
        np.clip(out, eps, None, out=scratch)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(Y > 0, Y / scratch, 1.0)
        per = Y * np.log(ratio) - Y + out
        per_sample = per.sum(axis=1)
    elif kind == "log_loss":
        np.clip(out, eps, 1 - eps, out=scratch)
        np.log(scratch, out=scratch)
        scratch *= Y
        per_sample = -scratch.sum(axis=1)
    else:  # binary_log_loss: -log of q = p where y else 1 - p (y is 0 or 1)
        np.clip(out, eps, 1 - eps, out=scratch)
        q = 1.0 - scratch
        np.copyto(q, scratch, where=Y > 0.5)
        np.log(q, out=q)
        per_sample = -q.sum(axis=1)
    total = per_sample.sum() if sw is None else per_sample @ sw
    return total / sw_sum


def gradient_scale(kind, n_outputs):
    """How many times the gradient :meth:`Network.backward` returns exceeds the
    gradient of :func:`data_loss`: scikit-learn's squared error averages over the
    outputs while its gradient (from ``dLoss/dZ = out - y``) is that of their sum."""
    return n_outputs if kind == "squared_error" else 1


# ------------------------------------------------------------------------ network


class Network:
    """Weights, per-batch buffers, forward and backward passes.

    ``coefs`` and ``intercepts`` are the estimator's ``coefs_`` and ``intercepts_``
    (the same list objects, updated in place by the optimizer). ``grads``, if
    given, are the arrays (coefficient gradients, then intercept gradients) that
    :meth:`backward` writes into, e.g. views of one flat vector for L-BFGS-B.
    """

    def __init__(self, coefs, intercepts, activation, out_activation, loss, dropout,
                 batch_size, dtype, rng=None, grads=None):
        self.coefs, self.intercepts = coefs, intercepts
        self.activation, self.out_activation, self.loss = (activation,
                                                           out_activation, loss)
        self.dropout = list(dropout)  # one rate per hidden layer
        self.rng = rng
        self.dtype = dtype
        units = [coefs[0].shape[0]] + [W.shape[1] for W in coefs]
        B = batch_size
        self.H = [None] + [np.empty((B, u), dtype) for u in units[1:]]
        self.delta = [None] + [np.empty((B, u), dtype) for u in units[1:]]
        self.scratch = [None] + [np.empty((B, u), dtype) for u in units[1:]]
        # dropout: the masked activation A (what the next layer reads) and its mask
        self.A = [None] * len(units)
        self.mask = [None] * len(units)
        self.uniform = [None] * len(units)
        for l, p in enumerate(self.dropout, start=1):
            if p > 0:
                self.A[l] = np.empty((B, units[l]), dtype)
                self.mask[l] = np.empty((B, units[l]), dtype)
                self.uniform[l] = np.empty((B, units[l]),
                                           np.float32 if dtype == np.float32
                                           else np.float64)
        if grads is None:
            grads = [np.empty_like(p) for p in [*coefs, *intercepts]]
        self.coef_grads = list(grads[:len(coefs)])
        self.intercept_grads = list(grads[len(coefs):])
        self.coef_scratch = [np.empty_like(W) for W in coefs]

    # -- forward

    def forward(self, X, n, train):
        """Outputs for the first ``n`` rows of the buffers (X has ``n`` rows);
        dropout masks are drawn when ``train``. Returns the output view."""
        last = len(self.coefs)
        A = X
        for l in range(1, last + 1):
            W, b = self.coefs[l - 1], self.intercepts[l - 1]
            Z = self.H[l][:n]
            if sparse.issparse(A):
                Z[...] = A @ W
            else:
                np.matmul(A, W, out=Z)
            Z += b
            if l == last:
                activate(self.out_activation, Z)
                return Z
            activate(self.activation, Z)
            p = self.dropout[l - 1]
            if train and p > 0:
                M, u = self.mask[l][:n], self.uniform[l][:n]
                self.rng.random(out=u, dtype=u.dtype)
                np.greater_equal(u, p, out=M, casting="unsafe")
                M *= 1.0 / (1.0 - p)
                A = self.A[l][:n]
                np.multiply(Z, M, out=A)
            else:
                A = Z
        raise AssertionError("unreachable")

    def predict(self, X):
        """Deterministic outputs (no dropout), allocating per call."""
        A = X
        last = len(self.coefs)
        for l in range(1, last + 1):
            Z = A @ self.coefs[l - 1]
            Z = np.asarray(Z)
            Z += self.intercepts[l - 1]
            activate(self.out_activation if l == last else self.activation, Z)
            A = Z
        return A

    # -- backward

    def backward(self, X, Y, sw, n, alpha, train):
        """Gradients of the batch loss (after :meth:`forward` on the same rows);
        returns the batch loss (data loss plus the L2 term; the L1 term is added
        by the caller, which applies it by a proximal step)."""
        last = len(self.coefs)
        out = self.H[last][:n]
        sw_sum = float(n) if sw is None else float(sw.sum())
        loss = data_loss(self.loss, out, Y, sw, sw_sum, self.scratch[last][:n])
        delta = self.delta[last][:n]
        np.subtract(out, Y, out=delta)  # canonical link: dLoss/dZ = out - y
        if sw is not None:
            delta *= sw[:, None]
        l2 = 0.0
        for l in range(last, 0, -1):
            W = self.coefs[l - 1]
            A_prev = X if l == 1 else self._input_of(l - 1, n, train)
            cg, ig = self.coef_grads[l - 1], self.intercept_grads[l - 1]
            if sparse.issparse(A_prev):
                cg[...] = A_prev.T @ delta
            else:
                np.matmul(A_prev.T, delta, out=cg)
            if alpha:
                tmp = self.coef_scratch[l - 1]
                np.multiply(W, alpha, out=tmp)
                cg += tmp
                w = W.ravel()
                l2 += float(w @ w)
            cg /= sw_sum
            np.sum(delta, axis=0, out=ig)
            ig /= sw_sum
            if l == 1:
                break
            prev = self.delta[l - 1][:n]
            np.matmul(delta, W.T, out=prev)
            p = self.dropout[l - 2]
            if train and p > 0:
                prev *= self.mask[l - 1][:n]
            multiply_derivative(self.activation, self.H[l - 1][:n], prev,
                                self.scratch[l - 1][:n])
            delta = prev
        return loss + 0.5 * alpha * l2 / sw_sum, sw_sum

    def l1_norm(self):
        """``sum_l ||W_l||_1`` (no allocation)."""
        total = 0.0
        for W, tmp in zip(self.coefs, self.coef_scratch, strict=True):
            np.abs(W, out=tmp)
            total += float(tmp.sum())
        return total

    def _input_of(self, l, n, train):
        """What layer ``l`` passed on: its masked activation, or the activation."""
        p = self.dropout[l - 1]
        return self.A[l][:n] if (train and p > 0) else self.H[l][:n]


# ---------------------------------------------------------------------- optimizers


def soft_threshold_(W, threshold, scratch):
    """``W = sign(W) max(|W| - threshold, 0)`` in place (threshold may be an array)."""
    np.abs(W, out=scratch)
    scratch -= threshold
    np.maximum(scratch, 0, out=scratch)
    np.copysign(scratch, W, out=W)


class SGD:
    """scikit-learn's SGD with momentum (Nesterov or not) and learning-rate
    schedules, in place; with ``l1 > 0`` a proximal step on the weight matrices."""

    def __init__(self, params, n_coefs, learning_rate_init, lr_schedule, momentum,
                 nesterov, power_t):
        self.params, self.n_coefs = params, n_coefs
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule, self.momentum, self.nesterov = lr_schedule, momentum, nesterov
        self.power_t = power_t
        self.velocities = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]

    def update(self, grads, l1_scaled):
        lr, mom = self.learning_rate, self.momentum
        for k, (p, v, g, s) in enumerate(zip(self.params, self.velocities, grads,
                                             self.scratch, strict=False)):
            # v = mom v - lr g;  step = v, or mom v - lr g (Nesterov)
            np.multiply(g, -lr, out=s)
            v *= mom
            v += s
            if self.nesterov:
                p += s
                s[...] = v
                s *= mom
                p += s
            else:
                p += v
            if l1_scaled and k < self.n_coefs:
                soft_threshold_(p, lr * l1_scaled, s)

    def iteration_ends(self, time_step):
        if self.lr_schedule == "invscaling":
            self.learning_rate = (self.learning_rate_init
                                  / (time_step + 1) ** self.power_t)

    def trigger_stopping(self, msg, verbose):
        if self.lr_schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False


class Adam:
    """scikit-learn's Adam, in place; with ``l1 > 0`` a proximal step on the weight
    matrices in Adam's own metric (per-coordinate step ``lr_t / (sqrt(v) + eps)``)."""

    def __init__(self, params, n_coefs, learning_rate_init, beta_1, beta_2, epsilon):
        self.params, self.n_coefs = params, n_coefs
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]
        self.scratch2 = [np.empty_like(p) for k, p in enumerate(params)
                         if k < n_coefs]

    def update(self, grads, l1_scaled):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        lr = (self.learning_rate_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t))
        self.learning_rate = lr
        for k, (p, m, v, g, s) in enumerate(zip(self.params, self.ms, self.vs, grads,
                                                self.scratch, strict=False)):
            m *= b1
            np.multiply(g, 1 - b1, out=s)
            m += s
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v += s
            np.sqrt(v, out=s)
            s += self.epsilon  # s = sqrt(v) + eps
            if l1_scaled and k < self.n_coefs:
                s2 = self.scratch2[k]
                np.divide(m, s, out=s2)
                s2 *= -lr
                p += s2
                np.divide(lr * l1_scaled, s, out=s)  # per-coordinate threshold
                soft_threshold_(p, s, s2)
            else:
                np.divide(m, s, out=s)
                s *= -lr
                p += s

    def iteration_ends(self, time_step):
        pass

    def trigger_stopping(self, msg, verbose):
        if verbose:
            print(msg + " Stopping.")
        return True
