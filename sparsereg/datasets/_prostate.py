"""The prostate cancer data of Stamey et al. (1989), as used in ESL (Table 3.3)."""

import csv
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

FEATURES = ["lcavol", "lweight", "age", "lbph", "svi", "lcp", "gleason", "pgg45"]
TARGET = "lpsa"

DESCR = """Prostate cancer data (Stamey et al., 1989)
=========================================

97 men about to undergo a radical prostatectomy. The target ``lpsa`` is the log of
the prostate-specific antigen level; the 8 predictors are ``lcavol`` (log cancer
volume), ``lweight`` (log prostate weight), ``age``, ``lbph`` (log amount of benign
prostatic hyperplasia), ``svi`` (seminal vesicle invasion, 0/1), ``lcp`` (log
capsular penetration), ``gleason`` (Gleason score) and ``pgg45`` (percentage of
Gleason scores 4 or 5).

Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning* (2nd ed.,
2009), section 3.2.1 and Table 3.3, standardize the predictors and split the rows
into 67 training and 30 test samples; ``train`` holds that split (True: training).

Stamey, T., Kabalin, J., McNeal, J., Johnstone, I., Freiha, F., Redwine, E. and
Yang, N. (1989). Prostate specific antigen in the diagnosis and treatment of
adenocarcinoma of the prostate II: radical prostatectomy treated patients. Journal
of Urology 16: 1076-1083.
"""


def load_prostate(*, return_X_y=False, as_frame=False):
    """Load the prostate cancer data (regression, 97 samples, 8 features).

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        ``data`` as a pandas DataFrame and ``target`` as a Series (needs pandas).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (97, 8), ``target`` (97,), ``feature_names``, ``target_names``,
        ``train`` (bool mask of ESL's 67 training rows), ``frame`` (with
        ``as_frame``) and ``DESCR``. The predictors are as recorded, not
        standardized.
    (data, target) : tuple
        With ``return_X_y``.

    Examples
    --------
    >>> from sparsereg.datasets import load_prostate
    >>> data = load_prostate()
    >>> data.data.shape, int(data.train.sum())
    ((97, 8), 67)
    """
    path = resources.files(__package__).joinpath("data", "prostate.tsv")
    with path.open("r", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    X = np.array([[float(r[c]) for c in FEATURES] for r in rows])
    y = np.array([float(r[TARGET]) for r in rows])
    train = np.array([r["train"].strip() in ("1", "T", "TRUE", "True") for r in rows])
    frame = None
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(X, columns=FEATURES)
        frame[TARGET] = y
        X, y = frame[FEATURES], frame[TARGET]
    if return_X_y:
        return X, y
    return Bunch(data=X, target=y, feature_names=list(FEATURES),
                 target_names=[TARGET], train=train, frame=frame, DESCR=DESCR)
