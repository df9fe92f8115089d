"""OLM's exact-substring dedup (suffix arrays, k bytes): planted spans inside a shard, across shards, shorter
than k, repeated inside one document; whole-document and span removal; same result for any task count."""

from __future__ import annotations

import os
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from text_fixtures import vocabulary

from olm_data.dedup.runner import run_stages
from olm_data.dedup.substring import substring_dedup_stages
from olm_data.errors import UsageError

K = 100
WORDS = vocabulary(2000, seed=7)


def sentence(rng: random.Random, n_bytes: int) -> str:
    """Made-up words (random, so no accidental 100-byte repeats) until the text is n_bytes long (ASCII)."""
    out = ""
    while len(out) < n_bytes:
        out += rng.choice(WORDS) + " "
    return out[:n_bytes]


def brute_force(texts: list[str], k: int) -> list[list[bool]]:
    """Per text, per byte: inside a k-byte window that occurs at least twice in the corpus (plain Python)."""
    raws = [t.encode("utf-8") for t in texts]
    counts: dict[bytes, int] = {}
    for r in raws:
        for i in range(len(r) - k + 1):
            counts[r[i : i + k]] = counts.get(r[i : i + k], 0) + 1
    covered = []
    for r in raws:
        mask = [False] * len(r)
        for i in range(len(r) - k + 1):
            if counts[r[i : i + k]] > 1:
                mask[i : i + k] = [True] * k
        covered.append(mask)
    return covered


def planted_corpus() -> tuple[list[dict], dict[str, str]]:
    rng = random.Random(0)
    shared_in = sentence(rng, 120)  # docs 0, 1 and 10
    shared_across = "Zürich café — " + sentence(rng, 140)  # docs 2 and 7 (non-ASCII bytes inside the span)
    short = sentence(rng, K - 1)  # docs 3 and 8: one byte too short
    exact_k = sentence(rng, K)  # docs 4 and 9: exactly k bytes
    twice = sentence(rng, 110)  # doc 5, twice inside itself
    texts = {
        "d0": sentence(rng, 300) + shared_in + sentence(rng, 200),
        "d1": shared_in + sentence(rng, 250),
        "d2": sentence(rng, 150) + shared_across,
        "d3": sentence(rng, 200) + short + sentence(rng, 120),
        "d4": exact_k + sentence(rng, 180),
        "d5": sentence(rng, 50) + twice + sentence(rng, 60) + twice,
        "d6": sentence(rng, 400),
        "d7": shared_across + sentence(rng, 90),
        "d8": short + sentence(rng, 300),
        "d9": sentence(rng, 30) + exact_k,
        "d10": shared_in,  # nothing but a duplicated span
        "d11": sentence(rng, 40),  # shorter than k
    }
    rows = [{"id": i, "text": t, "metadata": {"url": f"https://x.org/{i}"}} for i, t in texts.items()]
    return rows, texts


def run(tmp_path, rows, tasks: int, files: int, mode: str, partitions: int | None = None) -> dict[str, str]:
    src, out = tmp_path / "in", tmp_path / "out"
    os.makedirs(src)
    for f in range(files):
        pq.write_table(pa.Table.from_pylist(rows[f::files]), src / f"{f:02d}.parquet")
    stages = substring_dedup_stages(
        str(src), str(out), str(tmp_path / "work"), tasks, k=K, mode=mode, partitions=partitions,
        exclusion_folder=str(tmp_path / "excl"),
    )  # fmt: skip
    run_stages(stages, str(tmp_path / "logs"), tasks=tasks)
    kept = {}
    for f in sorted(os.listdir(out)):
        for d in pq.read_table(out / f).to_pylist():
            kept[d["id"]] = d["text"]
    return kept


@pytest.mark.parametrize(("tasks", "files", "partitions"), [(1, 1, None), (3, 4, 2), (4, 12, 3)])
def test_whole_document_removal(tmp_path, tasks, files, partitions):
    rows, texts = planted_corpus()
    kept = run(tmp_path, rows, tasks, files, "document", partitions)
    # shared >= k bytes (inside a shard or across), repeated inside one doc, exactly k bytes: dropped, all copies
    assert sorted(kept) == ["d11", "d3", "d6", "d8"]
    assert kept["d3"] == texts["d3"]  # a 99-byte shared span is no duplicate
    covered = brute_force(list(texts.values()), K)
    assert sorted(i for i, m in zip(texts, covered, strict=True) if not any(m)) == sorted(kept)


@pytest.mark.parametrize(("tasks", "files"), [(1, 1), (3, 6)])
def test_span_removal_cuts_exactly_the_duplicated_bytes(tmp_path, tasks, files):
    rows, texts = planted_corpus()
    kept = run(tmp_path, rows, tasks, files, "spans")
    covered = brute_force(list(texts.values()), K)
    expected = {}
    for (i, t), mask in zip(texts.items(), covered, strict=True):
        raw = t.encode("utf-8")
        rest = bytes(b for b, m in zip(raw, mask, strict=True) if not m).decode("utf-8", "ignore")
        if rest.strip():
            expected[i] = rest
    assert kept == expected
    assert "d1" in kept and len(kept["d1"]) == len(texts["d1"]) - 120  # the planted span is gone, the rest stays
    assert "d10" not in kept  # all of it duplicated: nothing left to publish


def test_matches_brute_force_on_random_repeats(tmp_path):
    rng = random.Random(3)
    pool = [sentence(rng, rng.randint(60, 160)) for _ in range(12)]  # fragments that recur across docs
    texts = [
        "".join(rng.choice(pool) if rng.random() < 0.3 else sentence(rng, rng.randint(20, 120)) for _ in range(4))
        for _ in range(40)
    ]
    rows = [{"id": f"r{i:02d}", "text": t, "metadata": {"url": f"https://r.org/{i}"}} for i, t in enumerate(texts)]
    kept = run(tmp_path, rows, 3, 5, "document", 2)
    covered = brute_force(texts, K)
    assert sorted(kept) == [f"r{i:02d}" for i, m in enumerate(covered) if not any(m)]
    assert 5 < len(kept) < 35  # the test exercises both outcomes


def test_bad_arguments():
    with pytest.raises(UsageError, match="mode"):
        substring_dedup_stages("in", "out", "work", 1, mode="lines")
    with pytest.raises(UsageError, match="k >= 1"):
        substring_dedup_stages("in", "out", "work", 1, k=0)


def test_a_url_work_folder_is_refused_before_anything_runs():
    """Its work files are plain files: a URL would silently become a local folder named like it."""
    with pytest.raises(UsageError, match="local or shared folder"):
        substring_dedup_stages("in", "out", "s3://bucket/work", tasks=2)
