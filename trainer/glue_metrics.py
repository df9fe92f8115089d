"""The five GLUE metrics, in numpy, with scikit-learn's and scipy's definitions (tests/test_glue_metrics.py checks).

Degenerate inputs follow those libraries: F1 and Matthews are 0.0 when nothing is predicted or labelled positive
or a side is constant; Pearson and Spearman are NaN when a side is constant (no correlation is defined).
"""

from __future__ import annotations

import math

import numpy as np


def accuracy(preds: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of exact matches."""
    return float(np.mean(np.asarray(preds) == np.asarray(labels)))


def f1_binary(preds: np.ndarray, labels: np.ndarray) -> float:
    """F1 of the positive class 1 (MRPC's "paraphrase"); 0.0 when nothing is predicted or labelled positive."""
    p, y = np.asarray(preds) == 1, np.asarray(labels) == 1
    tp, fp, fn = int(np.sum(p & y)), int(np.sum(p & ~y)), int(np.sum(~p & y))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def matthews(preds: np.ndarray, labels: np.ndarray) -> float:
    """Matthews correlation (CoLA), multiclass on the confusion matrix; 0.0 when either side is constant."""
    y, p = np.asarray(labels), np.asarray(preds)
    classes = np.union1d(y, p)
    c = np.zeros((len(classes), len(classes)), dtype=np.float64)
    np.add.at(c, (np.searchsorted(classes, y), np.searchsorted(classes, p)), 1)
    t_sum, p_sum, n_correct, n = c.sum(1), c.sum(0), np.trace(c), c.sum()
    cov_ytyp = n_correct * n - t_sum @ p_sum
    cov_ypyp = n * n - p_sum @ p_sum
    cov_ytyt = n * n - t_sum @ t_sum
    return 0.0 if cov_ypyp * cov_ytyt == 0 else float(cov_ytyp / np.sqrt(cov_ytyt * cov_ypyp))


def pearson(preds: np.ndarray, labels: np.ndarray) -> float:
    """Pearson r (STS-B); NaN when either side is constant."""
    x, y = np.asarray(preds, np.float64), np.asarray(labels, np.float64)
    dx, dy = x - x.mean(), y - y.mean()
    denom = math.sqrt(float(dx @ dx) * float(dy @ dy))
    return float(dx @ dy / denom) if denom > 0 else math.nan


def spearman(preds: np.ndarray, labels: np.ndarray) -> float:
    """Spearman rho (STS-B): Pearson of average ranks; NaN when either side is constant."""
    return pearson(average_ranks(preds), average_ranks(labels))


def average_ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their average rank (scipy.stats.rankdata's "average")."""
    x = np.asarray(x)
    sorter = np.argsort(x, kind="mergesort")
    inv = np.empty(sorter.size, dtype=np.intp)
    inv[sorter] = np.arange(sorter.size)
    xs = x[sorter]
    obs = np.r_[True, xs[1:] != xs[:-1]]
    dense = obs.cumsum()[inv]
    count = np.r_[np.nonzero(obs)[0], len(obs)]
    return 0.5 * (count[dense] + count[dense - 1] + 1)


METRICS = {"acc": accuracy, "f1": f1_binary, "mcc": matthews, "pear": pearson, "spear": spearman}
