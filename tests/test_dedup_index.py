"""Cross-snapshot dedup: snapshot B deduped against A's (and C's) index drops what they had and names the doc."""

import argparse
import json
import os
import random

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.io import get_datafolder
from text_fixtures import vocabulary

from olm_data.dedup.cli import add_cli
from olm_data.dedup.index import MinhashIndex, MinhashIndexBands, MinhashIndexFinalize, build_index
from olm_data.dedup.minhash import minhash_stages, read_report
from olm_data.dedup.runner import run_stages
from olm_data.dedup.signatures import MinhashConfig
from olm_data.dedup.store import KEYS_DTYPE, TWO64, save_array
from olm_data.errors import UsageError

VOCAB = vocabulary()


def doc(rng: random.Random, n_words: int = 200) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(n_words))


def edit(text: str, rng: random.Random, n_edits: int) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), n_edits):
        words[i] = rng.choice(VOCAB)
    return " ".join(words)


def write(folder, rows, files: int = 2) -> str:
    os.makedirs(folder, exist_ok=True)
    for k in range(files):
        pq.write_table(pa.Table.from_pylist(rows[k::files]), os.path.join(folder, f"{k:02d}.parquet"))
    return str(folder)


def row(doc_id, text, url, date):
    return {"id": doc_id, "text": text, "metadata": {"url": url, "date": date}}


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_snapshot_b_against_indexes_of_a_and_c(tmp_path, capsys):
    rng = random.Random(0)
    a_rows = [row(f"a{i}", doc(rng), f"https://a.org/{i}", "2022-09-01T00:00:00Z") for i in range(30)]
    c_rows = [row(f"c{i}", doc(rng), f"https://c.org/{i}", "2022-10-01T00:00:00Z") for i in range(10)]
    b_rows = [row(f"b{i}", doc(rng), f"https://b.org/{i}", "2022-12-01T00:00:00Z") for i in range(20)]
    # B re-crawled some of A (same text, and lightly edited pages) and one page of C
    b_rows += [row("b_copy_a3", a_rows[3]["text"], "https://b.org/copy3", "2022-12-02T00:00:00Z")]
    b_rows += [row("b_edit_a7", edit(a_rows[7]["text"], rng, 1), "https://b.org/edit7", "2022-12-02T00:00:00Z")]
    b_rows += [row("b_copy_c2", c_rows[2]["text"], "https://b.org/c2", "2022-12-02T00:00:00Z")]
    # a near duplicate inside B of a page that is also in A: the whole cluster goes, both name A's doc
    b_rows += [row("b_edit2_a7", edit(a_rows[7]["text"], rng, 1), "https://b.org/edit7b", "2022-12-03T00:00:00Z")]
    # a near duplicate pair that is new in B: one is kept
    b_rows += [row("b_new_dup", edit(b_rows[0]["text"], rng, 1), "https://b.org/dup0", "2022-12-05T00:00:00Z")]

    # A's index through the CLI, C's through the Python API
    assert cli(
        "dedup", "index", "--input", write(tmp_path / "A", a_rows), "--snapshot", "SNAP-A",
        "--output", str(tmp_path / "idxA"), "--tasks", "2",
    ) == 0  # fmt: skip
    assert "index of SNAP-A: 30 docs" in capsys.readouterr().out
    meta_c = build_index(write(tmp_path / "C", c_rows, 1), str(tmp_path / "idxC"), "SNAP-C")
    assert meta_c["num_docs"] == 10
    meta_a = json.loads((tmp_path / "idxA" / "index.json").read_text())
    # per band and doc: a 4-byte key prefix on the lookup path, a 4-byte low half and a 4-byte row on the side
    # (plus a 128-byte .npy header per array): 12 bytes in all, as one 8-byte hash and a row were before
    assert meta_a["bytes"]["lookup"] == 14 * (30 * 4 + 128)
    assert meta_a["bytes"]["side"] == 14 * 2 * (30 * 4 + 128)
    assert meta_a["bytes"]["signatures"] == 30 * 112 * 4

    stages = minhash_stages(
        write(tmp_path / "B", b_rows, 3), str(tmp_path / "outB"), str(tmp_path / "workB"), 3,
        index_folders=[str(tmp_path / "idxA"), str(tmp_path / "idxC")], snapshot="SNAP-B",
    )  # fmt: skip
    run_stages(stages, str(tmp_path / "logsB"), tasks=3)
    kept = set()
    for f in os.listdir(tmp_path / "outB"):
        kept |= {r["id"] for r in pq.read_table(tmp_path / "outB" / f).to_pylist()}
    gone = {"b_copy_a3", "b_edit_a7", "b_copy_c2", "b_edit2_a7", "b_new_dup"}
    assert kept == {r["id"] for r in b_rows} - gone

    report = {r["id"]: r for r in read_report(str(tmp_path / "workB" / "minhash" / "clusters.tsv"))}
    expected = {
        "b_copy_a3": ("a3", "https://a.org/3", "SNAP-A"),
        "b_edit_a7": ("a7", "https://a.org/7", "SNAP-A"),
        "b_edit2_a7": ("a7", "https://a.org/7", "SNAP-A"),
        "b_copy_c2": ("c2", "https://c.org/2", "SNAP-C"),
    }
    for new_id, (old_id, old_url, snap) in expected.items():
        r = report[new_id]
        assert r["status"] == "old_duplicate"
        assert (r["duplicate_of_id"], r["duplicate_of_url"], r["duplicate_of_snapshot"]) == (old_id, old_url, snap)
    assert float(report["b_copy_a3"]["similarity"]) == 1.0
    assert report["b_new_dup"]["duplicate_of_id"] == "b0" and report["b_new_dup"]["duplicate_of_snapshot"] == "SNAP-B"
    assert report["b0"]["status"] == "kept"


def test_keep_changed_keeps_pages_that_changed_beyond_the_threshold(tmp_path):
    rng = random.Random(1)
    config = MinhashConfig(num_perm=112, bands=28, rows=4, threshold=0.9)  # loose LSH, strict threshold
    a_rows = [row(f"a{i}", doc(rng, 300), f"https://a.org/{i}", "2022-09-01T00:00:00Z") for i in range(5)]
    b_rows = [
        row("same", a_rows[0]["text"], "https://a.org/0", "2022-12-01T00:00:00Z"),
        row("changed", edit(a_rows[1]["text"], rng, 12), "https://a.org/1", "2022-12-01T00:00:00Z"),  # J ~0.7
    ]
    build_index(write(tmp_path / "A", a_rows, 1), str(tmp_path / "idx"), "A", config=config)

    def run(name, keep_changed):
        stages = minhash_stages(
            write(tmp_path / "B", b_rows, 1), str(tmp_path / name), str(tmp_path / f"w{name}"), 1,
            config=config, index_folders=[str(tmp_path / "idx")], keep_changed=keep_changed,
        )  # fmt: skip
        run_stages(stages, str(tmp_path / f"logs{name}"))
        out = set()  # no folder when every doc was dropped: datatrove's writer creates files lazily
        for f in os.listdir(tmp_path / name) if os.path.isdir(tmp_path / name) else []:
            out |= {r["id"] for r in pq.read_table(tmp_path / name / f).to_pylist()}
        return out

    assert run("drop_all", keep_changed=False) == set()
    assert run("keep_changed", keep_changed=True) == {"changed"}


def test_index_rejects_other_settings_and_missing_folders(tmp_path):
    rng = random.Random(2)
    build_index(write(tmp_path / "A", [row("a", doc(rng), "u", "2022")], 1), str(tmp_path / "idx"), "A")
    index = MinhashIndex(str(tmp_path / "idx"))
    assert index.docs([0]) == [("a", "u")]
    with pytest.raises(UsageError, match="built with"):
        index.check_compatible(MinhashConfig(num_perm=128, bands=16, rows=8))
    index.check_compatible(MinhashConfig(threshold=0.9, verify=True))  # threshold/verify do not matter
    with pytest.raises(UsageError, match="not a MinHash index"):
        minhash_stages(str(tmp_path / "A"), str(tmp_path / "o"), str(tmp_path / "w"), 1, index_folders=[str(tmp_path)])
    with pytest.raises(UsageError, match="already holds an index"):
        build_index(str(tmp_path / "A"), str(tmp_path / "idx"), "A")


SMALL = MinhashConfig(num_perm=2, bands=2, rows=1)


def constructed_index(folder: str, band0: list[int], tasks: int = 2) -> MinhashIndex:
    """An index (config SMALL) whose band 0 holds `band0` (doc row i has hash band0[i]), built by the real band
    merge and finalize stages from per-task files as the signature stage writes them."""
    data = get_datafolder(folder)
    hashes = np.array(band0, dtype=np.uint64)
    for rank, rows in enumerate(np.array_split(np.arange(len(hashes)), tasks)):
        save_array(data, f"keys/{rank:05d}.npy", np.zeros(len(rows), dtype=KEYS_DTYPE))
        for band, h in enumerate((hashes[rows], np.arange(len(rows), dtype=np.uint64))):
            order = np.argsort(h, kind="stable")
            save_array(data, f"bands/{band:03d}/{rank:05d}.hash.npy", h[order])
            save_array(data, f"bands/{band:03d}/{rank:05d}.idx.npy", order.astype("<u4"))
    for band in range(SMALL.bands):
        MinhashIndexBands(folder, SMALL, tasks).run(rank=band, world_size=SMALL.bands)
    MinhashIndexFinalize(folder, "T", SMALL, keep_signatures=False, tasks=tasks).run()
    return MinhashIndex(folder)


def brute_matches(index_hashes: np.ndarray, queries: np.ndarray) -> list[tuple[int, int]]:
    """(query position, index row) of every equal 64-bit hash: queries in order, rows ascending."""
    return [(i, int(r)) for i, q in enumerate(queries) for r in np.flatnonzero(index_hashes == q)]


@pytest.fixture(params=["local", "memory"])
def index_root(request, tmp_path):
    """A folder for an index: local (memory-mapped reads) and on fsspec's memory file system (ranged reads)."""
    if request.param == "local":
        yield str(tmp_path)
        return
    root = f"memory://olm-index-test-{tmp_path.name}"
    yield root
    fs = fsspec.filesystem("memory")
    if fs.exists(root):
        fs.rm(root, recursive=True)


def test_lookup_checks_the_whole_64_bit_hash_behind_a_shared_key_prefix(index_root):
    p = 0xABCD0000 << 32  # one 32-bit key prefix shared by most index hashes
    top = 0xFFFFFFFF << 32
    band0 = [p | 5, p | 9, p | 5, (p + (1 << 32)) | 5, (p - (1 << 32)) | 0xFFFFFFFF, p | 0xFFFFFFF0, top | 7, p | 5]
    index = constructed_index(f"{index_root}/few", band0)
    assert (index.num_docs, index.meta["rank_counts"]) == (8, [4, 4])
    # a range that starts and ends inside prefix p; p|6 and p|100 share the prefix, not the hash
    queries = np.array([p | 5, p | 9, p | 6, p | 5, p | 100], dtype=np.uint64)
    which, rows = index.band_matches(0, p | 3, p | 0xFFFFFFF0, queries)
    assert list(zip(which.tolist(), rows.tolist(), strict=True)) == [(0, 0), (0, 2), (0, 7), (1, 1)] + [
        (3, 0), (3, 2), (3, 7)
    ]  # fmt: skip
    # the range that ends at 2**64
    which, rows = index.band_matches(0, top, TWO64, np.array([top | 8, top | 7], dtype=np.uint64))
    assert (which.tolist(), rows.tolist()) == ([1], [6])
    assert [len(x) for x in index.band_matches(0, p | 3, p | 0xFFFFFFF0, np.array([p | 6], dtype=np.uint64))] == [0, 0]

    # many hashes on three prefixes, few low halves (duplicates), ranges cut at random points inside prefixes
    rng = np.random.default_rng(0)
    prefixes = np.array([0x10, 0x11, 0x12], dtype=np.uint64) << np.uint64(32)
    many = prefixes[rng.integers(0, 3, 300)] | rng.integers(0, 40, 300).astype(np.uint64)
    index = constructed_index(f"{index_root}/many", many.tolist(), tasks=3)
    found = 0
    for _ in range(20):
        lo, hi = sorted(int(x) for x in rng.integers(int(prefixes[0]), int(prefixes[2]) + 60, 2))
        queries = np.unique(prefixes[rng.integers(0, 3, 80)] | rng.integers(0, 60, 80).astype(np.uint64))
        queries = rng.permutation(queries[(queries >= lo) & (queries < hi)])
        which, rows = index.band_matches(0, lo, hi, queries)
        assert list(zip(which.tolist(), rows.tolist(), strict=True)) == brute_matches(many, queries)
        found += len(rows)
    assert found > 100


def test_an_index_of_the_previous_format_must_be_rebuilt(tmp_path):
    constructed_index(str(tmp_path / "idx"), [1, 2, 3])
    meta_path = tmp_path / "idx" / "index.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps(meta | {"version": 1}))
    with pytest.raises(
        UsageError, match=r"index format olm-data-minhash-index v1 .*rebuild it with `olm-data dedup index`"
    ):
        MinhashIndex(str(tmp_path / "idx"))
    rng = random.Random(4)
    write(tmp_path / "B", [row("b", doc(rng), "u", "2022")], 1)
    with pytest.raises(UsageError, match="rebuild it with `olm-data dedup index`"):
        minhash_stages(
            str(tmp_path / "B"), str(tmp_path / "o"), str(tmp_path / "w"), 1, index_folders=[str(tmp_path / "idx")]
        )


def test_index_json_states_lookup_bytes_per_doc_within_64(tmp_path):
    rng = random.Random(5)
    rows = [row(f"d{i}", doc(rng, 30), f"https://d.org/{i}", "2022-09-01T00:00:00Z") for i in range(300)]
    meta = build_index(write(tmp_path / "A", rows), str(tmp_path / "idx"), "A", tasks=2)
    per_doc = meta["bytes_per_doc"]
    # 14 bands x a 4-byte key prefix, plus 14 .npy headers of 128 bytes shared by the 300 docs
    assert per_doc["lookup"] == round(14 * (300 * 4 + 128) / 300, 1) <= 64
    assert per_doc["side"] == round(14 * 2 * (300 * 4 + 128) / 300, 1)
    assert meta["bytes"]["total"] == sum(v for k, v in meta["bytes"].items() if k != "total")
