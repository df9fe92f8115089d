"""The numpy GLUE metrics agree with scikit-learn and scipy (dev dependencies) on random and degenerate data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from olm_data.trainer.glue_metrics import accuracy, f1_binary, matthews, pearson, spearman


def reference(name: str, preds: np.ndarray, labels: np.ndarray) -> float:
    # imported here, not at collection: scikit-learn and scipy take ~1.5 s to import in every pytest-xdist worker
    metrics = pytest.importorskip("sklearn.metrics")
    stats = pytest.importorskip("scipy.stats")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant inputs: scipy warns and returns NaN, as we do
        if name == "accuracy":
            return float(metrics.accuracy_score(labels, preds))
        if name == "f1":
            return float(metrics.f1_score(labels, preds, pos_label=1, average="binary", zero_division=0.0))
        if name == "matthews":
            return float(metrics.matthews_corrcoef(labels, preds))
        if name == "pearson":
            return float(stats.pearsonr(preds.astype(np.float64), labels.astype(np.float64))[0])
        return float(stats.spearmanr(preds.astype(np.float64), labels.astype(np.float64))[0])


OURS = {"accuracy": accuracy, "f1": f1_binary, "matthews": matthews, "pearson": pearson, "spearman": spearman}


@pytest.mark.parametrize("seed", range(5))
def test_metrics_match_sklearn_and_scipy_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 300))
    y3, p3 = rng.integers(0, 3, n), rng.integers(0, 3, n)
    y2, p2 = rng.integers(0, 2, n), rng.integers(0, 2, n)
    xs, ys = rng.integers(0, 6, n).astype(float), rng.normal(size=n)  # ties in xs exercise average ranks
    cases = {"accuracy": (p3, y3), "f1": (p2, y2), "matthews": (p3, y3), "pearson": (xs, ys), "spearman": (xs, ys)}
    for name, (preds, labels) in cases.items():
        assert OURS[name](preds, labels) == pytest.approx(reference(name, preds, labels), abs=1e-12), name
    assert matthews(p2, y2) == pytest.approx(reference("matthews", p2, y2), abs=1e-12)


def test_degenerate_inputs_match_sklearn_and_scipy() -> None:
    y = np.array([1, 0, 1, 0])
    for preds in (np.zeros(4, dtype=np.int64), np.ones(4, dtype=np.int64)):
        for name in ("accuracy", "f1", "matthews"):
            assert OURS[name](preds, y) == pytest.approx(reference(name, preds, y)), name
    const, scores = np.full(4, 2.5), np.array([0.0, 1.0, 2.0, 3.0])
    for name in ("pearson", "spearman"):
        assert np.isnan(OURS[name](const, scores)) and np.isnan(reference(name, const, scores)), name
