"""
Overfitting in a neural network, and three cures: dropout, early stopping, L1
=============================================================================

A wide network trained on few samples learns its training set by heart: the training
loss keeps falling while the loss on held-out data turns around and rises. The
dataset is scikit-learn's handwritten digits (8 x 8 pixels), of which only 300
images train a 512-unit network; 600 others are the validation set, passed to
``fit`` as ``X_val, y_val`` so that every model is scored on the same images at
every epoch (``history_``).

* **No regularization** (``alpha=0``): the validation loss reaches its minimum
  early and then climbs.
* **Dropout** (``dropout=0.5``): each hidden unit is dropped with probability 0.5
  at every training step (inverted dropout; predictions use the whole network).
  The validation loss rises much later and less.
* **Early stopping** (``early_stopping=True``): training stops once the validation
  loss has not improved for ``n_iter_no_change`` epochs, and the weights of the
  best epoch (``best_epoch_``, marked) are restored.
* **L1** (``l1=0.1``): a proximal step after each Adam step sets weights exactly
  to zero (here 96% of the first layer's). The border pixels of the digits carry
  almost no information: the right panel shows, per pixel, how many of the 512
  first-layer weights survive, and about 19 of the 64 pixels keep none: the
  network selects its inputs. Its validation loss does not turn around.

Printed (300 training images; 2-core VM, about 10 s): the test accuracy of each
model, its epochs, and the fraction of first-layer weights that are exactly zero.
"""

import sys
import warnings

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sparsereg.neural_network import MLPClassifier

# %%
# Data: 300 training images, 600 validation images, 897 test images
# ------------------------------------------------------------------
X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_rest, y_train, y_rest = train_test_split(X, y, train_size=300,
                                                    stratify=y, random_state=0)
X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, train_size=600,
                                                stratify=y_rest, random_state=0)

common = dict(hidden_layer_sizes=(512,), alpha=0.0, max_iter=300,
              learning_rate_init=3e-3, random_state=0)
patient = dict(n_iter_no_change=50, **common)  # long runs, to see the curves turn
models = {
    "no regularization": MLPClassifier(**patient),
    "dropout 0.5": MLPClassifier(dropout=0.5, **patient),
    "early stopping": MLPClassifier(early_stopping=True, monitor="val_loss",
                                    n_iter_no_change=10, **common),
    "L1 (l1=0.1)": MLPClassifier(l1=0.1, **patient),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for model in models.values():
        model.fit(X_train, y_train, X_val=X_val, y_val=y_val)

for name, model in models.items():
    first = model.coefs_[0]
    print(f"{name:18s} epochs {model.n_iter_:3d}  train accuracy "
          f"{model.score(X_train, y_train):.3f}  test accuracy "
          f"{model.score(X_test, y_test):.3f}  zero first-layer weights "
          f"{np.mean(first == 0):.0%}")

# %%
# Training and validation curves, and the inputs the L1 network keeps
# ---------------------------------------------------------------------
fig, (ax_loss, ax_pix) = plt.subplots(1, 2, figsize=(12, 4.5),
                                      gridspec_kw={"width_ratios": [2.2, 1]})
colors = dict(zip(models, ["tab:red", "tab:blue", "tab:green", "tab:purple"],
                  strict=True))
for name, model in models.items():
    epochs = np.arange(1, model.n_iter_ + 1)
    ax_loss.plot(epochs, model.history_["val_loss"], color=colors[name],
                 label=f"{name}: validation")
    ax_loss.plot(epochs, model.history_["train_loss"], color=colors[name],
                 linestyle=":", alpha=0.7)
stopped = models["early stopping"]
ax_loss.axvline(stopped.best_epoch_, color=colors["early stopping"], linestyle="--",
                label=f"best epoch {stopped.best_epoch_} (restored)")
ax_loss.set_yscale("log")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("log-loss (dotted: training loss with penalty)")
ax_loss.set_title("300 training images, 512 hidden units")
ax_loss.legend(fontsize=8)

kept = np.count_nonzero(models["L1 (l1=0.1)"].coefs_[0], axis=1).reshape(8, 8)
image = ax_pix.imshow(kept, cmap="viridis")
ax_pix.set_title("L1 net: nonzero weights per pixel")
ax_pix.set_xticks([])
ax_pix.set_yticks([])
fig.colorbar(image, ax=ax_pix, fraction=0.046)
fig.tight_layout()

output = sys.argv[1] if len(sys.argv) > 1 else "mlp_overfitting.png"
fig.savefig(output, dpi=110)
print(f"saved {output}")
