"""Cross-snapshot dedup: snapshot B deduped against A's (and C's) index drops what they had and names the doc."""

import argparse
import json
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from text_fixtures import vocabulary

from olm_data.dedup.cli import add_cli
from olm_data.dedup.index import MinhashIndex, build_index
from olm_data.dedup.minhash import minhash_stages, read_report
from olm_data.dedup.runner import run_stages
from olm_data.dedup.signatures import MinhashConfig
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
    # per band and doc: an 8-byte hash and a 4-byte row (plus two 128-byte .npy headers per band)
    assert meta_a["bytes"]["bands"] == 14 * (30 * 12 + 2 * 128)
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
