"""MinHash near-dedup: datasketch-equal signatures, the four stages end to end, 1 task == 4 tasks."""

import os
import random

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from text_fixtures import vocabulary

from olm_data.dedup import text as T
from olm_data.dedup.minhash import minhash_stages, read_report
from olm_data.dedup.runner import run_stages
from olm_data.dedup.signatures import MinhashConfig, MinHasher
from olm_data.errors import UsageError


def make_doc(rng: random.Random, vocab: list[str], n_words: int = 200) -> str:
    words = [rng.choice(vocab) for _ in range(n_words)]
    return " ".join(words[i] + ("." if i % 12 == 11 else "") for i in range(len(words)))


def edit(text: str, rng: random.Random, vocab: list[str], share: float) -> str:
    """Replace a share of the words; shout and re-punctuate (normalization must ignore that)."""
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = rng.choice(vocab)
    return "  ".join(words).upper().replace(".", "!")


def write_input(folder, rows: list[dict], files: int) -> None:
    os.makedirs(folder, exist_ok=True)
    for k in range(files):
        pq.write_table(pa.Table.from_pylist(rows[k::files]), os.path.join(folder, f"{k:02d}.parquet"))


def read_output(folder) -> list[dict]:
    out = []
    for f in sorted(os.listdir(folder)):
        if f.endswith(".parquet"):
            out += pq.read_table(os.path.join(folder, f)).to_pylist()
    return out


def row(doc_id: str, text: str, date: str, url: str | None = None) -> dict:
    return {"id": doc_id, "text": text, "metadata": {"url": url or f"https://ex.org/{doc_id}", "date": date}}


# ------------------------------------------------------------------ signatures


@pytest.mark.parametrize("num_perm,seed", [(112, 1), (64, 7), (256, 42)])
def test_signatures_equal_datasketch(num_perm, seed):
    from datasketch import MinHash  # here, not at collection: it imports scipy (~1 s in every pytest-xdist worker)

    rng = random.Random(seed)
    vocab = vocabulary(500)
    texts = [make_doc(rng, vocab, rng.randint(1, 300)) for _ in range(20)] + ["", "two words", "Ünïcode, 1999!"]
    config = MinhashConfig(num_perm=num_perm, bands=num_perm // 8, rows=8, seed=seed)
    sig, n_shingles = MinHasher(config).signatures(texts)
    for i, text in enumerate(texts):
        shingles = T.shingles(T.normalize_words(text), config.n_grams)
        m = MinHash(num_perm=num_perm, seed=seed, hashfunc=T.shingle_hash32)
        m.update_batch(shingles)
        assert np.array_equal(m.hashvalues, sig[i]), i
        assert n_shingles[i] == len(shingles)


def test_sha1_scheme_equals_datasketch_defaults():
    from datasketch import MinHash

    rng = random.Random(5)
    vocab = vocabulary(300)
    texts = [make_doc(rng, vocab, 60) for _ in range(5)]
    config = MinhashConfig(shingle_hash="sha1")
    sig, _ = MinHasher(config).signatures(texts)
    for i, text in enumerate(texts):
        m = MinHash(num_perm=112, seed=1)  # datasketch defaults: sha1_hash32, scheme affine32
        m.update_batch([" ".join(s).encode("utf-8") for s in T.shingles(T.normalize_words(text), 5)])
        assert np.array_equal(m.hashvalues, sig[i])


def test_signature_does_not_depend_on_batch():
    rng = random.Random(2)
    vocab = vocabulary(500)
    texts = [make_doc(rng, vocab, rng.randint(0, 400)) for _ in range(40)]
    hasher = MinHasher()
    together, _ = hasher.signatures(texts)
    alone = np.stack([hasher.signatures([t])[0][0] for t in texts])
    assert np.array_equal(together, alone)


def test_config_checks():
    with pytest.raises(UsageError):
        MinhashConfig(num_perm=100, bands=14, rows=8)
    assert "14 bands x 8 rows" in MinhashConfig().describe()
    assert MinhashConfig().candidate_probability(0.8) == pytest.approx(1 - (1 - 0.8**8) ** 14)


# ------------------------------------------------------------------ end to end


def corpus(seed: int = 0):
    """60 distinct docs, 12 near duplicates (1% of words edited: Jaccard ~0.9), 4 exact copies, 2 empty docs."""
    rng = random.Random(seed)
    vocab = vocabulary()
    rows, planted = [], []
    for i in range(60):
        rows.append(row(f"d{i:03d}", make_doc(rng, vocab), f"2022-11-{1 + i % 28:02d}T00:00:00Z"))
    for j in range(12):
        src = rows[j]
        # odd j: the copy is older, so the copy must be the doc that is kept
        date = "2022-10-01T00:00:00Z" if j % 2 else "2022-12-15T00:00:00Z"
        rows.append(row(f"n{j:03d}", edit(src["text"], rng, vocab, 0.01), date))
        planted.append((src["id"], f"n{j:03d}", f"n{j:03d}" if j % 2 else src["id"]))
    for j in range(20, 24):  # exact copy with the same date: the lower id ("c..." < "d...") is kept
        rows.append(row(f"c{j:03d}", rows[j]["text"], rows[j]["metadata"]["date"]))
        planted.append((rows[j]["id"], f"c{j:03d}", f"c{j:03d}"))
    rows.append(row("e000", "", "2022-11-01T00:00:00Z"))
    rows.append(row("e001", "!!! ...", "2022-11-01T00:00:00Z"))
    random.Random(seed + 1).shuffle(rows)
    return rows, planted


def run_minhash(tmp_path, name: str, rows, tasks: int, files: int = 6, **kwargs):
    write_input(tmp_path / name / "in", rows, files)
    stages = minhash_stages(
        str(tmp_path / name / "in"), str(tmp_path / name / "out"), str(tmp_path / name / "work"), tasks, **kwargs
    )
    run_stages(stages, str(tmp_path / name / "logs"), tasks=tasks, workers=1)
    report_path = tmp_path / name / "work" / "minhash" / "clusters.tsv"
    return read_output(tmp_path / name / "out"), read_report(str(report_path)), report_path.read_text()


def test_near_and_exact_duplicates_removed_and_identical_for_1_and_4_tasks(tmp_path):
    rows, planted = corpus()
    out1, report1, raw1 = run_minhash(tmp_path, "t1", rows, tasks=1, snapshot="S1")
    # 4 tasks over 6 files (uneven shards) and each band split in 2 hash ranges
    out4, report4, raw4 = run_minhash(tmp_path, "t4", rows, tasks=4, snapshot="S1", parts_per_band=2)

    # identical results whatever the task layout: same docs, same metadata, same report bytes
    def key(out):
        return sorted((d["id"], d["text"], d["metadata"]["minhash_duplicates"]) for d in out)

    assert key(out1) == key(out4)
    assert raw1 == raw4
    # the buckets stage ran 1 task doing all 14 bands, then 4 tasks sharing 28 (band, hash range) units
    for name, tasks, units in (("t1", 1, 14), ("t4", 4, 28)):
        assert len(list((tmp_path / name / "logs" / "logs" / "minhash_buckets" / "completions").iterdir())) == tasks
        assert len(list((tmp_path / name / "work" / "minhash" / "buckets").glob("*.pairs.npy"))) == units

    kept = {d["id"]: d for d in out1}
    for a, b, keep in planted:
        drop = b if keep == a else a
        assert keep in kept and drop not in kept, (a, b, keep)
        assert kept[keep]["metadata"]["minhash_duplicates"] == 1
    # every distinct doc survives, and so does the doc without words (datatrove's reader skips empty texts)
    removed = {b if keep == a else a for a, b, keep in planted}
    assert set(kept) == {r["id"] for r in rows} - removed - {"e000"}
    assert kept["e001"]["metadata"]["minhash_duplicates"] == 0
    assert sum(d["metadata"]["minhash_duplicates"] for d in out1) == len(planted)

    # the report names, for every removed doc, the doc it duplicates
    by_id = {r["id"]: r for r in report1}
    for a, b, keep in planted:
        drop = b if keep == a else a
        assert by_id[keep]["status"] == "kept"
        assert by_id[drop]["status"] == "duplicate"
        assert by_id[drop]["duplicate_of_id"] == keep
        assert by_id[drop]["duplicate_of_url"] == f"https://ex.org/{keep}"
        assert by_id[drop]["duplicate_of_snapshot"] == "S1"
        assert by_id[drop]["cluster"] == by_id[keep]["cluster"]
        assert 0.5 < float(by_id[drop]["similarity"]) <= 1.0


def test_verify_rejects_candidates_below_threshold(tmp_path):
    rng = random.Random(9)
    vocab = vocabulary()
    base = make_doc(rng, vocab, 300)
    rows = [
        row("a", base, "2022-01-01T00:00:00Z"),
        row("b", edit(base, rng, vocab, 0.06), "2022-01-02T00:00:00Z"),  # Jaccard ~0.7
        row("c", make_doc(rng, vocab, 300), "2022-01-03T00:00:00Z"),
    ]
    # 56 bands x 2 rows: pairs at J ~0.7 are candidates with probability ~1
    loose = MinhashConfig(num_perm=112, bands=56, rows=2, threshold=0.95, verify=False)
    out, report, _ = run_minhash(tmp_path, "loose", rows, tasks=1, files=1, config=loose)
    assert {d["id"] for d in out} == {"a", "c"}
    strict = MinhashConfig(num_perm=112, bands=56, rows=2, threshold=0.95, verify=True)
    out, report, _ = run_minhash(tmp_path, "strict", rows, tasks=1, files=1, config=strict)
    assert {d["id"] for d in out} == {"a", "b", "c"}
    assert report == []


def test_filter_refuses_a_different_input(tmp_path):
    rows, _ = corpus()
    write_input(tmp_path / "in", rows, 2)
    write_input(tmp_path / "other", rows[::-1], 2)
    stages = minhash_stages(str(tmp_path / "in"), str(tmp_path / "out"), str(tmp_path / "work"), 2)
    run_stages(stages[:3], str(tmp_path / "logs"), tasks=2)
    filter_stage = minhash_stages(str(tmp_path / "other"), str(tmp_path / "out"), str(tmp_path / "work"), 2)[3]
    with pytest.raises(UsageError, match="same input"):
        run_stages([filter_stage], str(tmp_path / "logs"), tasks=2)
