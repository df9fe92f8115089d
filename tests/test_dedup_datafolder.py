"""Dedup work files go through datatrove DataFolders: the exact and MinHash stages (and a cross-snapshot index) run
end to end on fsspec's in-memory file system and give the same outputs and report as on a local folder."""

import random
import uuid

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from text_fixtures import vocabulary

from olm_data.dedup.exact import exact_dedup_stages
from olm_data.dedup.index import build_index
from olm_data.dedup.minhash import minhash_stages, read_report
from olm_data.dedup.runner import run_stages

VOCAB = vocabulary()


def text(rng: random.Random, n_words: int = 150) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(n_words))


def near_copy(original: str, rng: random.Random, n_edits: int = 3) -> str:
    words = original.split()
    for i in rng.sample(range(len(words)), n_edits):
        words[i] = rng.choice(VOCAB)
    return " ".join(words)


def row(doc_id: str, body: str, url: str, date: str) -> dict:
    return {"id": doc_id, "text": body, "metadata": {"url": url, "date": date}}


def corpora() -> tuple[list[dict], list[dict]]:
    """(an earlier snapshot, this snapshot): URL and text duplicates, a near duplicate, and a page seen before."""
    rng = random.Random(3)
    old_page, a, b, c = text(rng), text(rng), text(rng), text(rng)
    earlier = [row("old-1", old_page, "https://old.org/1", "2022-01-01T00:00:00Z")]
    current = [
        row("a", a, "https://x.org/a", "2022-11-02T00:00:00Z"),
        row("a-refetch", a + " again", "https://x.org/a", "2022-11-20T00:00:00Z"),  # URL dup: latest kept
        row("b", b, "https://x.org/b", "2022-11-03T00:00:00Z"),
        row("b-copy", b.upper(), "https://y.org/b", "2022-11-09T00:00:00Z"),  # text dup of b
        row("c", c, "https://x.org/c", "2022-11-04T00:00:00Z"),
        row("c-near", near_copy(c, rng), "https://y.org/c", "2022-11-10T00:00:00Z"),  # near dup of c
        row("old-again", near_copy(old_page, rng), "https://x.org/old", "2022-11-05T00:00:00Z"),  # in the index
        row("d", text(rng), "https://x.org/d", "2022-11-06T00:00:00Z"),
    ]
    return earlier, current


def write_rows(fs, folder: str, rows: list[dict], files: int = 2) -> None:
    fs.makedirs(folder, exist_ok=True)
    for k in range(files):
        with fs.open(f"{folder}/{k:02d}.parquet", "wb") as f:
            pq.write_table(pa.Table.from_pylist(rows[k::files]), f)


def read_rows(fs, folder: str) -> list[dict]:
    out = []
    for path in sorted(fs.glob(f"{folder}/*.parquet")):
        with fs.open(path, "rb") as f:
            out += pq.read_table(f).to_pylist()
    return out


def dedup(root: str, logs, tasks: int) -> tuple[list[dict], str]:
    """Index the earlier snapshot, then exact + MinHash dedup this one against it: (kept docs, report text)."""
    build_index(f"{root}/earlier", f"{root}/index", "S0", logging_dir=str(logs / "index"))
    stages = exact_dedup_stages(f"{root}/current", f"{root}/exact", f"{root}/work", tasks)
    stages += minhash_stages(
        f"{root}/exact", f"{root}/deduped", f"{root}/work", tasks, index_folders=[f"{root}/index"], snapshot="S1"
    )
    run_stages(stages, str(logs / "dedup"), tasks=tasks, workers=1)
    fs, path = fsspec.core.url_to_fs(f"{root}/work/minhash/clusters.tsv")
    with fs.open(path, "r", encoding="utf-8") as f:
        report = f.read()
    return read_rows(*fsspec.core.url_to_fs(f"{root}/deduped")), report


@pytest.fixture
def memory_root():
    root = f"memory://olm-dedup-test-{uuid.uuid4().hex}"
    yield root
    fs = fsspec.filesystem("memory")
    if fs.exists(root):
        fs.rm(root, recursive=True)


@pytest.mark.parametrize("tasks", [1, 2])
def test_exact_and_minhash_dedup_on_memory_filesystem_equal_local(tmp_path, memory_root, tasks):
    earlier, current = corpora()
    memory = fsspec.filesystem("memory")
    local = fsspec.filesystem("file")
    for fs, root in ((memory, memory_root), (local, str(tmp_path / "local"))):
        write_rows(fs, f"{root}/earlier", earlier, files=1)
        write_rows(fs, f"{root}/current", current)

    kept_memory, report_memory = dedup(memory_root, tmp_path / "logs-memory", tasks)
    kept_local, report_local = dedup(str(tmp_path / "local"), tmp_path / "logs-local", tasks)

    assert sorted(d["id"] for d in kept_memory) == ["a-refetch", "b", "c", "d"]
    assert report_memory == report_local
    assert sorted((d["id"], d["metadata"]["minhash_duplicates"]) for d in kept_memory) == sorted(
        (d["id"], d["metadata"]["minhash_duplicates"]) for d in kept_local
    )
    by_id = {r["id"]: r for r in read_report(f"{memory_root}/work/minhash/clusters.tsv")}
    assert by_id["c-near"]["status"] == "duplicate" and by_id["c-near"]["duplicate_of_id"] == "c"
    assert by_id["old-again"]["status"] == "old_duplicate"
    assert by_id["old-again"]["duplicate_of_id"] == "old-1" and by_id["old-again"]["duplicate_of_snapshot"] == "S0"
    # the memory run wrote no work file to the local disk
    assert [p for p in tmp_path.rglob("*.npy") if tmp_path / "local" not in p.parents] == []
    assert fsspec.filesystem("memory").exists(f"{memory_root}/work/minhash/signatures/keys/00000.npy")


def test_remote_work_folder_without_logs_is_a_clear_error(memory_root, tmp_path, monkeypatch):
    """`olm-data dedup exact --work s3://...` with no --logs: the logs would default to a local folder literally
    named like the URL (`./memory:/...`); the run stops with a one-line error instead, before writing anything."""
    from olm_data.cli import main

    fs = fsspec.filesystem("memory")
    write_rows(fs, f"{memory_root}/current", corpora()[1])
    monkeypatch.chdir(tmp_path)
    args = ["dedup", "exact", "--input", f"{memory_root}/current", "--output", f"{memory_root}/out"]
    assert main([*args, "--work", f"{memory_root}/work"]) == 2
    assert list(tmp_path.iterdir()) == []  # no local folder named after the URL
    assert main([*args, "--work", f"{memory_root}/work", "--logs", str(tmp_path / "logs")]) == 0
    assert read_rows(fs, f"{memory_root}/out")
