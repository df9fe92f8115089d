"""Perplexity sampling: the solved factor hits the target ratio, buckets/cutoff, sharding, the three stages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from datatrove.data import Document
from test_perplexity_fixtures import PROSE, junk_page, prose_page

from olm_data.errors import UsageError
from olm_data.perplexity.sampling import (
    PerplexitySampler,
    SamplingConfig,
    doc_uniform,
    histogram_npz,
    perplexity_stages,
    solve_sampling,
)


def corpus(n: int, seed: int = 0, bimodal: bool = False) -> list[Document]:
    """Documents with log-normal perplexities (median ~300), as scored documents look."""
    rng = np.random.default_rng(seed)
    ppl = np.exp(rng.normal(np.log(300), 0.6, n))
    if bimodal:
        ppl[: n // 2] = rng.uniform(1e6, 1e7, n // 2)
    return [Document(text="x", id=f"doc-{seed}-{i}", metadata={"perplexity": float(p)}) for i, p in enumerate(ppl)]


def save_histograms(docs: list[Document], folder: Path, seed: int, shards: int = 1) -> None:
    """What the scoring stage leaves: one histogram per task, the documents dealt out to `shards` tasks."""
    folder.mkdir(parents=True, exist_ok=True)
    for rank in range(shards):
        part = docs[rank::shards]
        ppl = np.array([d.metadata["perplexity"] for d in part])
        u = np.array([doc_uniform(d.id, seed) for d in part])
        (folder / f"{rank:05d}.npz").write_bytes(histogram_npz(ppl, u, seed))


def sample(docs: list[Document], tmp_path: Path, config: SamplingConfig, shards: int = 3) -> tuple[dict, list]:
    save_histograms(docs, tmp_path / "histograms", config.seed, shards)
    plan = solve_sampling(str(tmp_path / "histograms"), str(tmp_path), config)
    sampler = PerplexitySampler(str(tmp_path / "sampling.json"))
    kept = [d for d in docs if sampler.filter(d) is True]
    return plan, kept


def test_doc_uniform_is_a_deterministic_draw():
    draws = np.array([doc_uniform(f"<urn:uuid:{i}>", 42) for i in range(20000)])
    assert draws.min() >= 0.0 and draws.max() < 1.0
    assert abs(draws.mean() - 0.5) < 0.01
    assert doc_uniform("<urn:uuid:7>", 42) == draws[7]
    assert doc_uniform("<urn:uuid:7>", 43) != draws[7]


@pytest.mark.parametrize("mode", ["gaussian", "stepwise"])
@pytest.mark.parametrize("n", [250, 6000])
@pytest.mark.parametrize("ratio", [0.2, 0.5, 0.8])
def test_kept_fraction_hits_the_target_ratio(tmp_path, mode, n, ratio):
    docs = corpus(n, seed=n)
    plan, kept = sample(docs, tmp_path, SamplingConfig(mode=mode, target_ratio=ratio, seed=7))
    assert abs(len(kept) / n - ratio) <= 0.01
    assert plan["factor"] > 0 and abs(plan["expected_kept_fraction"] - ratio) < 1e-6


def test_gaussian_prefers_the_median_and_stepwise_flattens_the_quartiles(tmp_path):
    docs = corpus(8000, seed=1)
    plan, kept = sample(docs, tmp_path / "g", SamplingConfig(mode="gaussian", target_ratio=0.5))
    ppl_all = np.array([d.metadata["perplexity"] for d in docs])
    ppl_kept = np.array([d.metadata["perplexity"] for d in kept])
    assert np.std(np.log(ppl_kept)) < np.std(np.log(ppl_all))  # concentrated around the median
    plan, kept = sample(docs, tmp_path / "s", SamplingConfig(mode="stepwise", target_ratio=0.3))
    bands = np.digitize([d.metadata["perplexity"] for d in kept], plan["quartiles"])
    per_band = np.bincount(bands, minlength=4)
    # each of the 3 finite quartile bands keeps ~factor/width of its quarter: narrower bands keep more
    widths = [
        plan["quartiles"][0],
        plan["quartiles"][1] - plan["quartiles"][0],
        plan["quartiles"][2] - plan["quartiles"][1],
    ]
    assert np.argmax(per_band[:3]) == int(np.argmin(widths))


def test_buckets_are_ccnet_percentiles_of_this_corpus(tmp_path):
    docs = corpus(3000, seed=2)
    plan, kept = sample(docs, tmp_path, SamplingConfig(mode="buckets", keep_buckets=("head", "middle")))
    buckets = [d.metadata["perplexity_bucket"] for d in docs]
    assert abs(buckets.count("head") / 3000 - 0.30) < 0.01
    assert abs(buckets.count("middle") / 3000 - 0.30) < 0.01
    assert {d.metadata["perplexity_bucket"] for d in kept} == {"head", "middle"}
    assert len(kept) == buckets.count("head") + buckets.count("middle")
    low, high = plan["bucket_cuts"]
    assert all(d.metadata["perplexity"] < high for d in kept)


def test_cutoff_keeps_exactly_the_documents_at_or_below_it(tmp_path):
    docs = corpus(500, seed=3)
    plan, kept = sample(docs, tmp_path, SamplingConfig(mode="cutoff", cutoff=250.0))
    assert {d.id for d in kept} == {d.id for d in docs if d.metadata["perplexity"] <= 250.0}
    assert plan["expected_kept_fraction"] == pytest.approx(len(kept) / 500, abs=0.01)


def test_the_plan_does_not_depend_on_the_sharding(tmp_path):
    docs = corpus(2000, seed=4)
    config = SamplingConfig(mode="stepwise", target_ratio=0.4)
    sample(docs, tmp_path / "one", config, shards=1)
    sample(docs, tmp_path / "five", config, shards=5)
    assert (tmp_path / "one/sampling.json").read_bytes() == (tmp_path / "five/sampling.json").read_bytes()
    for name in ("perplexity_histogram.json", "perplexity_histogram.png"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "five" / name).read_bytes()


def test_histogram_report_and_plot(tmp_path):
    docs = corpus(1000, seed=5)
    plan, _ = sample(docs, tmp_path, SamplingConfig(mode="gaussian", target_ratio=0.5))
    report = json.loads((tmp_path / "perplexity_histogram.json").read_text())
    assert sum(report["counts"]) == 1000
    assert len(report["bin_edges"]) == len(report["counts"]) + 1 == len(report["keep_probability"]) + 1
    assert report["cuts"]["bucket_cuts"] == plan["bucket_cuts"]
    assert report["bin_edges"][0] <= min(d.metadata["perplexity"] for d in docs)
    assert (tmp_path / "perplexity_histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unusable_inputs_are_usage_errors(tmp_path):
    docs = corpus(400, seed=6, bimodal=True)  # half the documents are far beyond the gaussian's reach
    with pytest.raises(UsageError, match="cannot keep"):
        sample(docs, tmp_path / "a", SamplingConfig(mode="gaussian", target_ratio=0.95))
    save_histograms(docs, tmp_path / "b", seed=1)
    with pytest.raises(UsageError, match="other settings"):
        solve_sampling(str(tmp_path / "b"), str(tmp_path / "b"), SamplingConfig(seed=2))
    with pytest.raises(UsageError, match="no perplexity histograms"):
        solve_sampling(str(tmp_path / "empty"), str(tmp_path), SamplingConfig())
    for bad in (
        dict(mode="nope"),
        dict(target_ratio=0),
        dict(mode="cutoff"),
        dict(mode="buckets", keep_buckets=["x"]),
    ):
        with pytest.raises(UsageError):
            SamplingConfig(**bad)
    sampler = PerplexitySampler(str(tmp_path / "missing.json"))
    with pytest.raises(UsageError, match="solve stage"):
        sampler.filter(docs[0])


# ---------------------------------------------------------------------------------------------------------------
# The three stages end to end, with a tiny LM


def test_stages_score_solve_and_sample(tmp_path):
    pytest.importorskip("kenlm")
    from datatrove.pipeline.writers import ParquetWriter

    from olm_data.perplexity.lm import train_lm
    from olm_data.runtime import RunContext, run_stages

    (tmp_path / "wiki").mkdir()
    (tmp_path / "wiki/prose.txt").write_text(PROSE)
    lm = train_lm([tmp_path / "wiki"], tmp_path / "lm", order=3, vocab_size=300, sp_threads=1)
    docs = [Document(prose_page(i), f"prose-{i}") for i in range(150)]
    docs += [Document(junk_page(i), f"junk-{i}") for i in range(150)]
    docs.append(Document("\n\n", "empty"))
    for _ in ParquetWriter(str(tmp_path / "in")).run(iter(docs)):
        pass

    def run(name: str, tasks: int) -> tuple[set[str], dict]:
        stages = perplexity_stages(
            str(tmp_path / "in"), str(tmp_path / name / "out"), str(tmp_path / name / "work"), str(lm),
            mode="gaussian", target_ratio=0.5, seed=3, tasks=tasks,
        )  # fmt: skip
        stats = run_stages(stages, RunContext(pipeline=Path("p.py"), output=tmp_path / name, tasks=tasks))
        import pyarrow.parquet as pq

        kept = set()
        for f in (tmp_path / name / "out").glob("*.parquet"):
            table = pq.read_table(f)
            kept |= set(table.column("id").to_pylist())
            meta = table.column("metadata").to_pylist()
            assert all(m["perplexity"] > 0 and m["perplexity_bucket"] in ("head", "middle", "tail") for m in meta)
        return kept, stats

    kept, stats = run("a", tasks=3)
    assert [s["step"] for s in stats["perplexity_score"]][1].endswith("Perplexity")
    scorer = stats["perplexity_score"][1]["counts"]
    assert scorer["scored"] == 300 and scorer["dropped_perplexity_empty"] == 1
    sampler = stats["perplexity_sample"][1]["counts"]
    assert sum(v for k, v in sampler.items() if k.startswith("bucket_") and k.endswith("_kept")) == len(kept)
    # the per-bucket drops are a breakdown of the one drop reason, not reasons of their own (no double count)
    assert sum(v for k, v in sampler.items() if k.startswith("dropped_")) == sampler["dropped"] == 300 - len(kept)
    assert abs(len(kept) / 300 - 0.5) <= 0.01
    plan = json.loads((tmp_path / "a/work/sampling.json").read_text())
    assert plan["documents"] == 300
    assert (tmp_path / "a/work/perplexity_histogram.png").exists()
    # every prose page scores lower than every junk page
    import pyarrow.parquet as pq

    scored = pq.read_table(tmp_path / "a/work/scored").to_pylist()
    ppl = {row["id"]: row["metadata"]["perplexity"] for row in scored}
    assert len(ppl) == 300
    assert max(v for k, v in ppl.items() if k.startswith("prose")) < min(
        v for k, v in ppl.items() if k.startswith("junk")
    )
    again, _ = run("b", tasks=2)  # another sharding, same documents kept
    assert again == kept
