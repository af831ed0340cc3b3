"""Reading the CSV file of ``sparsereg compare`` and choosing its columns.

Every failure the user can fix (a missing file or column, text or missing values,
a duplicate or unnamed column, bytes that are not UTF-8, too few rows) is a
:class:`UsageError`: one line on stderr and exit code 2.
"""

import csv
import io
import math
import sys

import numpy as np


class UsageError(Exception):
    """A problem with the user's input: reported as one line, exit code 2."""


def read_csv(path, target, categorical="error"):
    """Features, target, feature names and the names of the text (categorical)
    columns from a CSV file with a header. With ``categorical="auto"`` a column
    holding any non-numeric value is categorical (kept as strings in an object
    array); otherwise such a column is an error."""
    if target is None:
        raise UsageError("--target is required with --csv: name the column to predict")
    rows = _csv_rows(path)
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise UsageError(f"{path} is empty: expected a header line and data rows")
    header = [h.strip() for h in rows[0]]
    data = rows[1:]
    if len(header) > 1 and header[0] == "" and all(header[1:]):
        # pandas' to_csv() writes the index as a first column with an empty name
        header, data = header[1:], [r[1:] for r in data]
        print(f"sparsereg compare: note: dropped the unnamed first column of {path} "
              "(a pandas index; write the file with to_csv(index=False) to avoid it)",
              file=sys.stderr)
    _check_header(header, path)
    if target not in header:
        raise UsageError(f"--target {target!r} is not a column of {path} (columns: "
                         f"{', '.join(header)})")
    if len(data) < 10:
        raise UsageError(f"{path} has {len(data)} data rows: at least 10 are needed "
                         "to hold out a test set and cross-validate")
    k = header.index(target)
    features = [h for j, h in enumerate(header) if j != k]
    if not features:
        raise UsageError(f"{path} has no feature columns besides {target!r}")
    labels, cells = [], []
    for i, row in enumerate(data, start=2):
        if len(row) != len(header):
            raise UsageError(f"{path}, line {i}: {len(row)} fields, the header has "
                             f"{len(header)}")
        cells.append([c.strip() for j, c in enumerate(row) if j != k])
        if not row[k].strip():
            raise UsageError(f"{path}, line {i}: missing value in the target "
                             f"column {target!r}")
        labels.append(row[k].strip())
    text = ([name for j, name in enumerate(features)
             if any(not _is_number(r[j]) for r in cells)]
            if categorical == "auto" else [])
    X = np.empty((len(cells), len(features)), dtype=object if text else float)
    for j, name in enumerate(features):
        parse = _label if name in text else _number
        X[:, j] = [parse(r[j], name, i, path) for i, r in enumerate(cells, start=2)]
    return X, _target(labels, target, path), features, text


def _csv_rows(path):
    """The rows of a UTF-8 CSV file (comma, semicolon or tab separated)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UsageError(
            f"{path}, line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8; save the "
            "file as UTF-8 (e.g. iconv -f latin1 -t utf-8, or to_csv(encoding="
            "'utf-8'))") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text, newline=""), dialect))


def _check_header(header, path):
    """Every column named, and no name twice."""
    unnamed = [j + 1 for j, h in enumerate(header) if not h]
    if unnamed:
        raise UsageError(f"{path}: column {unnamed[0]} of the header has no name; "
                         "name every column")
    seen, twice = set(), []
    for h in header:
        if h in seen and h not in twice:
            twice.append(h)
        seen.add(h)
    if twice:
        raise UsageError(f"{path}: the header names {', '.join(map(repr, twice))} "
                         "more than once; give every column its own name")


def _target(labels, target, path):
    """A numeric target (regression), or class labels when any is not a number."""
    try:
        y = np.array([float(v) for v in labels])
    except ValueError:
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise UsageError(f"the target column {target!r} of {path} has a single "
                             f"class ({classes[0]!r}): nothing to classify") from None
        return np.array(labels, dtype=object)
    if not np.all(np.isfinite(y)):
        raise UsageError(f"the target column {target!r} of {path} holds nan or inf; "
                         "drop those rows first")
    return y


_MISSING = ("", "na", "nan", "null", "none", "?")


def _is_number(text):
    """A numeric cell, or a missing one (reported by the parser)?"""
    if text.lower() in _MISSING:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def _label(cell, column, line, path):
    """A category of a text column: any non-missing string."""
    if cell.lower() in _MISSING:
        raise UsageError(f"{path}, line {line}: missing value in column {column!r}; "
                         "impute or drop such rows first")
    return cell


def _number(cell, column, line, path):
    text = cell.strip()
    if text.lower() in _MISSING:
        raise UsageError(f"{path}, line {line}: missing value in column {column!r}; "
                         "impute or drop such rows first")
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{path}, line {line}: column {column!r} is not numeric "
                         f"({text!r}); one-hot encode text columns with "
                         "--categorical auto, or drop it (--drop)") from None
    if not math.isfinite(value):
        raise UsageError(f"{path}, line {line}: column {column!r} holds {text!r}; "
                         "only finite numbers can be modelled")
    return value


def select_columns(X, names, features, drop):
    """The feature columns ``--features`` keeps or ``--drop`` removes (comma-
    separated names; at most one of the two)."""
    if features is None and drop is None:
        return X, names
    if features is not None and drop is not None:
        raise UsageError("pass --features or --drop, not both")
    wanted = [c.strip() for c in (features or drop).split(",") if c.strip()]
    unknown = [c for c in wanted if c not in names]
    if unknown:
        raise UsageError(f"{'--features' if features else '--drop'}: no feature "
                         f"column {', '.join(map(repr, unknown))} (features: "
                         f"{', '.join(names)})")
    keep = ([names.index(c) for c in dict.fromkeys(wanted)] if features else
            [j for j, c in enumerate(names) if c not in wanted])
    if not keep:
        raise UsageError("--drop leaves no feature column")
    return X[:, keep], [names[j] for j in keep]
