"""Perplexity scoring and sampling stages: CCNet buckets, a plain cutoff, and BERTIN's gaussian/stepwise sampling.

Three stages, so the thresholds come from this corpus and the whole thing runs sharded:

1. `perplexity_score` (N tasks): `PerplexityScorer` writes `perplexity` into each document's metadata and saves
   its task's histogram: a sparse 2-D histogram over (log10 perplexity in 1/500-decade bins, the document's own
   uniform draw in 1/1000 bins), as `histograms/<rank>.npz`.
2. `perplexity_solve` (in-process): merges the task histograms, computes the percentiles (CCNet's p30/p60 bucket
   cuts, BERTIN's quartiles) and, for `gaussian`/`stepwise`, solves the factor so the kept fraction is the
   target ratio. Because the histogram also holds each document's draw, the factor is solved for the draws the
   sampler will make, not only in expectation: the kept fraction lands on the target even for a few hundred
   documents, where the binomial noise of independent coin flips would be several percent. Writes the plan
   (`sampling.json`), the histogram with its cut points (`perplexity_histogram.json`) and a plot (`.png`).
3. `perplexity_sample` (N tasks): `PerplexitySampler` keeps or drops each document by the plan, adding
   `perplexity_bucket` (head/middle/tail) to its metadata and counting kept/dropped per bucket.

Every random decision is u = xxh64(document id, seed) / 2^64: the same document gets the same draw in every task
layout and every rerun. Keep probabilities (ppl = the document's perplexity):

- `cutoff`: keep when ppl <= cutoff (OLM cut at 1500 on its own LM; perplexity scales differ between LMs, so
  pick the value on this LM's histogram).
- `buckets`: CCNet: head if ppl < p30, middle if ppl < p60, else tail (percentiles of this corpus); keep the
  chosen buckets.
- `gaussian` (BERTIN): p = min(1, factor * exp(-((ppl - median) / median)^2 / width)), width 4.5.
- `stepwise` (BERTIN): p = min(1, factor / band width), bands [0, Q1], (Q1, Q2], (Q2, Q3], (Q3, inf) with widths
  Q1, Q2 - Q1, Q3 - Q2 and 10 * Q3.
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
from array import array
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import xxhash
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.logging import logger

from olm_data.errors import UsageError

__all__ = [
    "MODES",
    "PerplexityScorer",
    "PerplexitySampler",
    "SamplingConfig",
    "doc_uniform",
    "histogram_npz",
    "keep_probability",
    "perplexity_stages",
    "solve_sampling",
]

Mode = Literal["cutoff", "buckets", "gaussian", "stepwise"]
MODES: tuple[str, ...] = ("cutoff", "buckets", "gaussian", "stepwise")
BUCKETS = ("head", "middle", "tail")

BINS_PER_DECADE = 500  # log10-perplexity bins: 0.46% wide
LOG10_MAX = 8.0  # perplexities above 1e8 share the last bin
PPL_BINS = int(LOG10_MAX * BINS_PER_DECADE)
U_BINS = 1000  # bins of the per-document uniform draw
_SUBPOINTS = 8  # points per perplexity bin where keep probabilities are evaluated when solving
_HISTOGRAM_FORMAT = 1
_REPORT_BINS_PER_DECADE = 50


def doc_uniform(doc_id: str, seed: int) -> float:
    """The document's draw in [0, 1): a hash of its id and the seed, the same in every task and rerun."""
    return (xxhash.xxh64_intdigest(doc_id.encode("utf-8"), seed=seed & 0xFFFFFFFFFFFFFFFF) >> 11) * 2.0**-53


@dataclass
class SamplingConfig:
    """What to keep. Saved inside the plan (`sampling.json`) so a run's choices stay with its outputs.

    Args:
        mode: `cutoff`, `buckets`, `gaussian` or `stepwise` (see the module docstring).
        target_ratio: fraction of documents to keep (`gaussian`, `stepwise`).
        seed: seed of the per-document draws.
        cutoff: highest perplexity kept (`cutoff`).
        keep_buckets: buckets kept (`buckets`).
        bucket_percentiles: CCNet's head/middle and middle/tail cuts, in percent.
        width: BERTIN's gaussian width (4.5 = 9/2).
    """

    mode: Mode = "gaussian"
    target_ratio: float | None = 0.5
    seed: int = 42
    cutoff: float | None = None
    keep_buckets: tuple[str, ...] = ("head", "middle")
    bucket_percentiles: tuple[float, float] = (30.0, 60.0)
    width: float = 4.5

    def __post_init__(self) -> None:
        self.keep_buckets = tuple(self.keep_buckets)
        self.bucket_percentiles = tuple(float(p) for p in self.bucket_percentiles)  # type: ignore[assignment]
        if self.mode not in MODES:
            raise UsageError(f"perplexity sampling mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.mode in ("gaussian", "stepwise") and not (
            self.target_ratio is not None and 0.0 < self.target_ratio <= 1.0
        ):
            raise UsageError(f"--target-ratio must be in (0, 1] for {self.mode} sampling, got {self.target_ratio}")
        if self.mode == "cutoff" and not (self.cutoff is not None and self.cutoff > 0):
            raise UsageError(f"cutoff sampling needs a positive perplexity cutoff, got {self.cutoff}")
        if self.mode == "buckets" and (not self.keep_buckets or set(self.keep_buckets) - set(BUCKETS)):
            raise UsageError(f"keep_buckets must be a non-empty subset of {BUCKETS}, got {self.keep_buckets}")
        low, high = self.bucket_percentiles
        if not 0.0 < low < high < 100.0:
            raise UsageError(f"bucket percentiles must satisfy 0 < low < high < 100, got {self.bucket_percentiles}")
        if self.width <= 0:
            raise UsageError(f"gaussian width must be positive, got {self.width}")


# ---------------------------------------------------------------------------------------------------------------
# Keep probabilities (shared by the solver and the sampler, so both apply the same rule)


def bucket_of(ppl: float, cuts: Sequence[float]) -> str:
    """CCNet's bucket: head below the first cut, middle below the second, tail otherwise."""
    if ppl < cuts[0]:
        return "head"
    if ppl < cuts[1]:
        return "middle"
    return "tail"


def keep_probability(ppl: np.ndarray | float, plan: dict[str, Any], factor: float | None = None) -> np.ndarray:
    """Probability of keeping documents with these perplexities under a plan (`factor` overrides the plan's)."""
    ppl = np.asarray(ppl, dtype=np.float64)
    mode = plan["mode"]
    if mode == "cutoff":
        return (ppl <= plan["cutoff"]).astype(np.float64)
    if mode == "buckets":
        low, high = plan["bucket_cuts"]
        keep = plan["keep_buckets"]
        p = np.where(ppl < low, "head" in keep, np.where(ppl < high, "middle" in keep, "tail" in keep))
        return p.astype(np.float64)
    factor = plan["factor"] if factor is None else factor
    if mode == "gaussian":
        median = plan["median"]
        return np.minimum(1.0, factor * np.exp(-(((ppl - median) / median) ** 2) / plan["width"]))
    if mode == "stepwise":
        q1, q2, q3 = plan["quartiles"]
        # guard degenerate bands (identical quartiles) against division by zero
        widths = [max(w, 1e-12) for w in (q1, q2 - q1, q3 - q2, 10.0 * q3)]
        width = np.where(
            ppl <= q1, widths[0], np.where(ppl <= q2, widths[1], np.where(ppl <= q3, widths[2], widths[3]))
        )
        return np.minimum(1.0, factor / width)
    raise ValueError(f"unknown mode {mode!r}")


# ---------------------------------------------------------------------------------------------------------------
# Histograms


def _ppl_bin(ppl: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(np.log10(np.maximum(ppl, 1.0)) * BINS_PER_DECADE), 0, PPL_BINS - 1).astype(np.int64)


def histogram_npz(ppl: np.ndarray, u: np.ndarray, seed: int) -> bytes:
    """One task's histogram file (what the scorer saves): sparse counts of (perplexity bin, draw bin) cells."""
    cells = _ppl_bin(ppl) * U_BINS + np.minimum((u * U_BINS).astype(np.int64), U_BINS - 1)
    cells, counts = np.unique(cells, return_counts=True)
    spec = np.array([_HISTOGRAM_FORMAT, BINS_PER_DECADE, PPL_BINS, U_BINS, seed], dtype=np.int64)
    buffer = io.BytesIO()
    np.savez(buffer, cells=cells.astype(np.int64), counts=counts.astype(np.int64), spec=spec)
    return buffer.getvalue()


def merge_histograms(folder: DataFolderLike, seed: int) -> np.ndarray:
    """Sum the task histograms in `folder` into a dense (perplexity bins x draw bins) count matrix."""
    datafolder = get_datafolder(folder)
    files = sorted(f for f in datafolder.list_files() if f.endswith(".npz"))
    if not files:
        raise UsageError(f"no perplexity histograms in {datafolder.path}: did the scoring stage run?")
    dense = np.zeros(PPL_BINS * U_BINS, dtype=np.int64)
    expected = [_HISTOGRAM_FORMAT, BINS_PER_DECADE, PPL_BINS, U_BINS, seed]
    for name in files:
        with datafolder.open(name, "rb") as f:
            data = np.load(io.BytesIO(f.read()))
        if data["spec"].tolist() != expected:
            raise UsageError(
                f"{datafolder.path}/{name}: histogram made with other settings {data['spec'].tolist()} "
                f"(expected {expected}: format, bins/decade, bins, draw bins, seed); rescore into a new work folder"
            )
        np.add.at(dense, data["cells"], data["counts"])
    return dense.reshape(PPL_BINS, U_BINS)


def _quantiles(hist: np.ndarray, qs: Sequence[float]) -> list[float]:
    """Perplexity quantiles from the 1-D histogram, interpolated log-linearly inside a bin."""
    cum = np.cumsum(hist, dtype=np.float64)
    total = cum[-1]
    out = []
    for q in qs:
        target = q * total
        b = int(np.searchsorted(cum, target, side="left"))
        b = min(b, len(hist) - 1)
        before = cum[b - 1] if b > 0 else 0.0
        frac = (target - before) / hist[b] if hist[b] else 0.0
        out.append(float(10.0 ** ((b + min(max(frac, 0.0), 1.0)) / BINS_PER_DECADE)))
    return out


class _KeptCounter:
    """Expected number of documents kept under a plan, from the 2-D histogram.

    In each perplexity bin the keep probability is averaged over `_SUBPOINTS` points; a document with draw u is
    kept when u < p, counted from the bin's cumulative draw histogram (linear inside a draw bin).
    """

    def __init__(self, hist2d: np.ndarray) -> None:
        rows = np.flatnonzero(hist2d.sum(axis=1))
        self.cum = np.zeros((len(rows), U_BINS + 1))
        np.cumsum(hist2d[rows], axis=1, out=self.cum[:, 1:])
        sub = (np.arange(_SUBPOINTS) + 0.5) / _SUBPOINTS
        self.ppl = 10.0 ** ((rows[:, None] + sub[None, :]) / BINS_PER_DECADE)
        self.row_index = np.arange(len(rows))[:, None]

    def __call__(self, plan: dict[str, Any], factor: float | None = None) -> float:
        x = keep_probability(self.ppl, plan, factor) * U_BINS
        j = np.minimum(np.floor(x).astype(np.int64), U_BINS - 1)
        low = self.cum[self.row_index, j]
        high = self.cum[self.row_index, j + 1]
        return float((low + (x - j) * (high - low)).mean(axis=1).sum())


def _solve_factor(kept: _KeptCounter, plan: dict[str, Any], target: float, total: float) -> float:
    """The factor whose expected kept count is target * total (kept count is monotone in the factor)."""
    lo, hi = -30.0, 30.0  # log10 of the factor
    if kept(plan, 10.0**hi) < target * total - 0.01 * total:
        best = kept(plan, 10.0**hi) / total
        raise UsageError(
            f"{plan['mode']} sampling cannot keep {target:.1%} of this corpus (at most {best:.1%}); lower --target-ratio"
        )
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if kept(plan, 10.0**mid) < target * total:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return 10.0**hi


def solve_sampling(histogram_folder: DataFolderLike, work_folder: DataFolderLike, config: SamplingConfig) -> dict:
    """Merge the scoring stage's histograms, solve the plan, write `sampling.json`, the histogram JSON and PNG.

    Returns:
        The plan (what `sampling.json` holds).
    """
    hist2d = merge_histograms(histogram_folder, config.seed)
    hist = hist2d.sum(axis=1)
    total = float(hist.sum())
    if total == 0:
        raise UsageError("no scored documents: nothing to sample")
    levels = [0.1, 0.25, 0.3, 0.5, 0.6, 0.75, 0.9]
    quantiles = dict(zip([f"p{round(q * 100)}" for q in levels], _quantiles(hist, levels), strict=True))
    low, high = config.bucket_percentiles
    plan: dict[str, Any] = {
        **asdict(config),
        "documents": int(total),
        "percentiles": quantiles,
        "median": quantiles["p50"],
        "quartiles": [quantiles["p25"], quantiles["p50"], quantiles["p75"]],
        "bucket_cuts": _quantiles(hist, [low / 100.0, high / 100.0]),
        "factor": None,
    }
    kept = _KeptCounter(hist2d)
    if config.mode in ("gaussian", "stepwise"):
        plan["factor"] = _solve_factor(kept, plan, float(config.target_ratio), total)
    plan["expected_kept_fraction"] = kept(plan) / total
    datafolder = get_datafolder(work_folder)
    with datafolder.open("sampling.json", "w") as f:
        f.write(json.dumps(plan, indent=2) + "\n")
    report = histogram_report(hist, plan)
    with datafolder.open("perplexity_histogram.json", "w") as f:
        f.write(json.dumps(report, indent=2) + "\n")
    with datafolder.open("perplexity_histogram.png", "wb") as f:
        f.write(plot_histogram(report))
    logger.info(
        f"perplexity: {int(total)} docs, median {plan['median']:.1f}, p30/p60 {plan['bucket_cuts'][0]:.1f}/"
        f"{plan['bucket_cuts'][1]:.1f}; {config.mode} keeps {plan['expected_kept_fraction']:.2%}"
        + (f" (factor {plan['factor']:.6g})" if plan["factor"] is not None else "")
    )
    return plan


def histogram_report(hist: np.ndarray, plan: dict[str, Any]) -> dict[str, Any]:
    """The perplexity histogram at 1/50 decade with the cut points and the keep probability per bin (run report)."""
    step = BINS_PER_DECADE // _REPORT_BINS_PER_DECADE
    coarse = hist.reshape(-1, step).sum(axis=1)
    nonzero = np.flatnonzero(coarse)
    first, last = int(nonzero[0]), int(nonzero[-1]) + 1
    edges = 10.0 ** (np.arange(first, last + 1) / _REPORT_BINS_PER_DECADE)
    centers = np.sqrt(edges[:-1] * edges[1:])
    cuts: dict[str, Any] = {
        "bucket_percentiles": list(plan["bucket_percentiles"]),
        "bucket_cuts": plan["bucket_cuts"],
        "quartiles": plan["quartiles"],
    }
    if plan["mode"] == "cutoff":
        cuts["cutoff"] = plan["cutoff"]
    return {
        "documents": plan["documents"],
        "mode": plan["mode"],
        "bin_edges": [round(float(e), 4) for e in edges],
        "counts": [int(c) for c in coarse[first:last]],
        "keep_probability": [round(float(p), 6) for p in keep_probability(centers, plan)],
        "cuts": cuts,
        "percentiles": plan["percentiles"],
        "expected_kept_fraction": plan["expected_kept_fraction"],
        "target_ratio": plan["target_ratio"] if plan["mode"] in ("gaussian", "stepwise") else None,
    }


def plot_histogram(report: dict[str, Any]) -> bytes:
    """PNG of the perplexity histogram (log axis) with the bucket cuts and the keep probability."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges = np.array(report["bin_edges"])
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    ax.stairs(report["counts"], edges, fill=True, alpha=0.6, label="documents")
    ax.set_xscale("log")
    ax.set_xlabel("perplexity")
    ax.set_ylabel("documents")
    low, high = report["cuts"]["bucket_cuts"]
    p_low, p_high = (f"p{p:g}" for p in report["cuts"]["bucket_percentiles"])
    for x, label, style in ((low, f"{p_low} head|middle", "--"), (high, f"{p_high} middle|tail", "-.")):
        ax.axvline(x, color="black", linestyle=style, linewidth=1, label=f"{label} = {x:.3g}")
    if "cutoff" in report["cuts"]:
        ax.axvline(
            report["cuts"]["cutoff"], color="red", linewidth=1.5, label=f"cutoff = {report['cuts']['cutoff']:g}"
        )
    prob = ax.twinx()
    centers = np.sqrt(edges[:-1] * edges[1:])
    prob.plot(centers, report["keep_probability"], color="tab:red", linewidth=1.5, label="keep probability")
    prob.set_ylim(0, 1.05)
    prob.set_ylabel("keep probability")
    ax.set_title(
        f"{report['documents']} documents, {report['mode']} sampling keeps {report['expected_kept_fraction']:.1%}"
    )
    handles = ax.get_legend_handles_labels()[0] + prob.get_legend_handles_labels()[0]
    ax.legend(handles=handles, fontsize=8, loc="upper right")
    fig.tight_layout()
    buffer = io.BytesIO()
    # zlib level 1: a third less CPU than the default 6, for ~10% more bytes
    fig.savefig(buffer, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    plt.close(fig)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# Pipeline steps


class PerplexityScorer(PipelineStep):
    """Write the CCNet perplexity of each document to `metadata["perplexity"]`; save the task's histogram.

    A document with no text left after normalization cannot be scored: it is dropped and counted as
    `dropped_perplexity_empty`.

    Args:
        lm: an LM folder (`olm_data.perplexity.lm`: ours, or any KenLM + SentencePiece model pair).
        histogram_folder: where `<rank>.npz` goes (None: no histogram).
        seed: seed of the per-document draws recorded in the histogram (the sampler's seed).
    """

    name = "📉 Perplexity"
    type = "📊 - STATS"
    _requires_dependencies = ["kenlm", "sentencepiece", "xxhash"]

    def __init__(self, lm: str | os.PathLike[str], histogram_folder: DataFolderLike | None = None, seed: int = 42):
        super().__init__()
        from olm_data.perplexity.lm import PerplexityModel

        self.model = PerplexityModel(lm)
        self.histogram_folder = get_datafolder(histogram_folder) if histogram_folder is not None else None
        self.seed = seed

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        perplexities, draws = array("d"), array("d")
        logged_empty = False
        for doc in data:
            with self.track_time():
                ppl = self.model.perplexity(doc.text)
            if ppl is None or not math.isfinite(ppl):
                self.stat_update("dropped_perplexity_empty")
                if not logged_empty:
                    logged_empty = True
                    logger.warning(
                        f"perplexity: document {doc.id!r} has no text to score; dropped "
                        "(further ones are only counted, as dropped_perplexity_empty)"
                    )
                continue
            doc.metadata["perplexity"] = float(ppl)
            perplexities.append(ppl)
            draws.append(doc_uniform(str(doc.id), self.seed))
            self.stat_update("scored")
            yield doc
        if self.histogram_folder is not None:
            payload = histogram_npz(np.frombuffer(perplexities), np.frombuffer(draws), self.seed)
            with self.histogram_folder.open(f"{rank:05d}.npz", "wb") as f:
                f.write(payload)


class PerplexitySampler(BaseFilter):
    """Keep or drop documents by their perplexity under a solved plan (`sampling.json`, see `solve_sampling`).

    Adds `perplexity_bucket` (CCNet head/middle/tail) to every document's metadata and counts `bucket_<bucket>_kept`
    and `bucket_<bucket>_dropped`: a breakdown of the one drop reason `dropped_perplexity_<mode>`, so not named
    `dropped_*` (every `dropped_*` counter is a reason of its own; the report and the Hub card add them up). The plan is read on first use, so the step can be built before the plan exists.

    Args:
        plan_path: the plan JSON written by the solve stage (local path or fsspec URL).
        exclusion_writer: optionally writes the dropped documents (reason `perplexity_<mode>`).
    """

    name = "🎲 Perplexity sampling"
    _requires_dependencies = ["xxhash"]

    def __init__(self, plan_path: str, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.plan_path = plan_path
        self._plan: dict[str, Any] | None = None

    @property
    def plan(self) -> dict[str, Any]:
        if self._plan is None:
            from datatrove.io import open_file

            try:
                with open_file(self.plan_path, "r") as f:
                    self._plan = json.load(f)
            except FileNotFoundError as e:
                raise UsageError(f"perplexity plan {self.plan_path} is missing: run the solve stage first") from e
        return self._plan

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        plan = self.plan
        ppl = doc.metadata.get("perplexity")
        if ppl is None:
            return False, "perplexity_missing"
        bucket = bucket_of(ppl, plan["bucket_cuts"])
        doc.metadata["perplexity_bucket"] = bucket
        p = float(keep_probability(ppl, plan))
        if p >= 1.0 or (p > 0.0 and doc_uniform(str(doc.id), plan["seed"]) < p):
            self.stat_update(f"bucket_{bucket}_kept")
            return True
        self.stat_update(f"bucket_{bucket}_dropped")
        return False, f"perplexity_{plan['mode']}"


# ---------------------------------------------------------------------------------------------------------------
# Stages


@dataclass
class _SolveAction:
    """The in-process solve stage (a plain object, so the Stage is easy to inspect and to pickle)."""

    histogram_folder: str
    work_folder: str
    config: SamplingConfig = field(default_factory=SamplingConfig)

    def __call__(self, run: Any = None) -> None:
        if not merge_histograms(self.histogram_folder, self.config.seed).any():  # an empty result upstream
            print("      no scored documents: no sampling plan (the sample stage sees no documents)", file=sys.stderr)
            return
        solve_sampling(self.histogram_folder, self.work_folder, self.config)


def perplexity_stages(
    input_folder: str,
    output_folder: str,
    work_folder: str,
    lm_folder: str,
    mode: Mode = "gaussian",
    target_ratio: float | None = 0.5,
    seed: int = 42,
    tasks: int | None = None,
    *,
    cutoff: float | None = None,
    keep_buckets: Sequence[str] = ("head", "middle"),
    bucket_percentiles: tuple[float, float] = (30.0, 60.0),
    width: float = 4.5,
    exclusion_folder: str | None = None,
    workers: int | None = None,
    name: str = "perplexity",
    check_lm: bool = True,
) -> list:
    """The score -> solve -> sample stages, ready to splice into a pipeline.

    Args:
        input_folder: datatrove parquet to score (e.g. the dedup output).
        output_folder: where kept documents go (parquet, with `perplexity` and `perplexity_bucket` metadata).
        work_folder: scored documents (`scored/`), task histograms, the plan and the histogram report/plot.
        lm_folder: the LM folder (`olm-data lm train` output or any KenLM + SentencePiece pair).
        mode, target_ratio, seed, cutoff, keep_buckets, bucket_percentiles, width: see `SamplingConfig`.
        tasks: tasks of the score and sample stages (None: the run's `--tasks`); results do not depend on it.
        exclusion_folder: if set, dropped documents are written there (parquet).
        workers: parallel workers for the score and sample stages (None: the run's default).
        name: stage name prefix.
        check_lm: check the LM folder now (a missing one is a one-line error before anything runs); False when an
            earlier stage of the same run writes it.

    Returns:
        Stages `<name>_score`, `<name>_solve`, `<name>_sample`.
    """
    from datatrove.pipeline.writers import ParquetWriter

    from olm_data.perplexity.lm import resolve_lm
    from olm_data.readers.parquet import read_corpus
    from olm_data.stage import Stage

    config = SamplingConfig(
        mode=mode,
        target_ratio=target_ratio,
        seed=seed,
        cutoff=cutoff,
        keep_buckets=tuple(keep_buckets),
        bucket_percentiles=bucket_percentiles,
        width=width,
    )
    if check_lm:
        resolve_lm(lm_folder)  # fail now, in the CLI, on a missing or ambiguous LM folder
    scored = os.path.join(work_folder, "scored")
    histograms = os.path.join(work_folder, "histograms")
    exclusion = ParquetWriter(exclusion_folder) if exclusion_folder else None
    return [
        Stage(
            f"{name}_score",
            steps=[read_corpus(input_folder), PerplexityScorer(lm_folder, histograms, seed), ParquetWriter(scored)],
            tasks=tasks,
            workers=workers,
        ),
        Stage(f"{name}_solve", action=_SolveAction(histograms, work_folder, config)),
        Stage(
            f"{name}_sample",
            steps=[
                read_corpus(scored),
                PerplexitySampler(os.path.join(work_folder, "sampling.json"), exclusion_writer=exclusion),
                ParquetWriter(output_folder),
            ],
            tasks=tasks,
            workers=workers,
        ),
    ]
