"""The tokenized dataset: packed `[CLS] doc [SEP]` rows, Hub parquet + uint16 memmap from one pass."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from olm_data.errors import UsageError
from olm_data.trainer.pack import _split_contiguous, open_token_shards, tokenize_corpus
from olm_data.trainer.tokenizer import add_cli, train_tokenizer
from olm_data.trainer.tokenizer_files import CLS_ID, MASK_ID, PAD_ID, SEP_ID, SPECIAL_TOKEN_IDS, load_tokenizer

WORDS = (
    "the of and to in is was for on that with as by at from his her it an were are which this be or has had first "
    "new after also who their two one been city school county district river world covid vaccine virus health "
    "people government university national music film season team game played history population village"
).split()

SEQ = 16


def make_docs(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40))).capitalize() + "." for _ in range(n)]


@pytest.fixture(scope="module")
def docs() -> list[str]:
    return make_docs(300)


@pytest.fixture(scope="module")
def corpus(docs: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Docs 0..199 in a parquet file (4 row groups), 200..299 in a jsonl file: sorted order = doc order."""
    folder = tmp_path_factory.mktemp("corpus")
    pq.write_table(pa.table({"text": docs[:200]}), folder / "a.parquet", row_group_size=50)
    (folder / "b.jsonl").write_text("".join(json.dumps({"text": d}) + "\n" for d in docs[200:]), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tok_dir(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tokenizer([str(corpus)], tmp_path_factory.mktemp("tok") / "tok", vocab_size=300)


@pytest.fixture(scope="module")
def packed(corpus: Path, tok_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("packed") / "tokenized"
    return out, tokenize_corpus([str(corpus)], tok_dir, out, seq_len=SEQ, seed=7)


def expected_stream(docs: list[str], tok_dir: Path) -> np.ndarray:
    """Independent reference: every doc as [CLS] ids [SEP], concatenated in input order."""
    tok = load_tokenizer(tok_dir)
    return np.array([i for d in docs for i in [CLS_ID, *tok.encode(d, add_special_tokens=False).ids, SEP_ID]])


def as_rows(stream: np.ndarray, seq_len: int, drop_last: bool = False) -> np.ndarray:
    n_full = len(stream) // seq_len
    rows = stream[: n_full * seq_len].reshape(n_full, seq_len)
    rest = stream[n_full * seq_len :]
    if len(rest) and not drop_last:
        rows = np.vstack([rows, np.concatenate([rest, np.full(seq_len - len(rest), PAD_ID)])])
    return rows


def sorted_rows(rows: np.ndarray) -> list[tuple[int, ...]]:
    return sorted(map(tuple, np.asarray(rows).tolist()))


def test_rows_are_docs_packed_into_fixed_length_and_shuffled(packed, docs, tok_dir) -> None:
    out, stats = packed
    index, shards = open_token_shards(out)
    assert len(shards) == 1
    rows = shards[0]
    reference = as_rows(expected_stream(docs, tok_dir), SEQ)
    # same rows as the reference packing, in a seeded shuffled order
    assert rows.shape == reference.shape
    assert sorted_rows(rows) == sorted_rows(reference)
    assert not np.array_equal(rows, reference)
    # only one row is padded, at its end
    padded = [r for r in rows if PAD_ID in r]
    assert len(padded) == 1
    first_pad = int(np.argmax(padded[0] == PAD_ID))
    assert (padded[0][first_pad:] == PAD_ID).all() and padded[0][first_pad - 1] == SEP_ID
    assert stats["docs"] == len(docs) and stats["rows"] == len(reference)
    assert stats["tokens"] == index["tokens"] == int((reference != PAD_ID).sum())
    assert stats["pad_tokens"] == int((reference == PAD_ID).sum())


def test_index_json_contract(packed, tok_dir) -> None:
    out, stats = packed
    index = json.loads((out / "memmap" / "index.json").read_text())
    assert index["format"] == "olm-tokens-v1" and index["dtype"] == "uint16" and index["seq_len"] == SEQ
    assert index["vocab_size"] == load_tokenizer(tok_dir).get_vocab_size()
    assert index["special_tokens"] == SPECIAL_TOKEN_IDS == {"pad": 0, "unk": 1, "cls": 2, "sep": 3, "mask": 4}
    assert index["rows"] == sum(s["rows"] for s in index["shards"]) == stats["rows"]
    assert index["tokenizer"] == str(tok_dir)
    for shard in index["shards"]:
        data = (out / "memmap" / shard["file"]).read_bytes()
        assert shard["file"] == "train-00000.bin"
        assert len(data) == shard["rows"] * SEQ * 2
        assert hashlib.sha256(data).hexdigest() == shard["sha256"]
        # raw little-endian uint16, row-major
        assert np.array_equal(np.frombuffer(data, "<u2").reshape(-1, SEQ), open_token_shards(out)[1][0])


def test_open_token_shards_is_zero_copy_read_only(packed) -> None:
    out, _ = packed
    for path in (out, out / "memmap", out / "memmap" / "index.json"):
        index, shards = open_token_shards(path, verify=True)
        assert all(isinstance(s, np.memmap) and s.dtype == np.uint16 and s.shape[1] == SEQ for s in shards)
        assert not shards[0].flags.writeable
        assert Path(shards[0].filename) == (out / "memmap" / "train-00000.bin").resolve()
    with pytest.raises(UsageError, match="no token index"):
        open_token_shards(out / "data")


def test_parquet_matches_memmap_with_special_tokens_mask(packed) -> None:
    out, _ = packed
    files = sorted((out / "data").glob("*.parquet"))
    assert [f.name for f in files] == ["train-00000-of-00001.parquet"]
    table = pq.read_table(files[0])
    assert table.schema.field("input_ids").type == pa.list_(pa.int32())
    assert table.schema.field("special_tokens_mask").type == pa.list_(pa.int8())
    ids = np.array(table.column("input_ids").to_pylist())
    mask = np.array(table.column("special_tokens_mask").to_pylist())
    assert np.array_equal(ids, open_token_shards(out)[1][0])
    assert np.array_equal(mask, np.isin(ids, [CLS_ID, SEP_ID, PAD_ID]).astype(int))


def test_datasets_loads_parquet_and_the_folder_offline(packed, tmp_path, monkeypatch) -> None:
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out, stats = packed
    expected = open_token_shards(out)[1][0]
    by_files = datasets.load_dataset(
        "parquet", data_files=str(out / "data" / "train-*.parquet"), split="train", cache_dir=str(tmp_path / "c1")
    )
    by_folder = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "c2"))
    assert list(by_folder) == ["train"]
    for ds in (by_files, by_folder["train"]):
        assert ds.column_names == ["input_ids", "special_tokens_mask"]
        assert ds.num_rows == stats["rows"]
        assert np.array_equal(np.array(ds["input_ids"]), expected)


def test_drop_last_drops_the_padded_row(corpus, tok_dir, docs, tmp_path) -> None:
    stats = tokenize_corpus([str(corpus)], tok_dir, tmp_path / "out", seq_len=SEQ, drop_last=True)
    _, shards = open_token_shards(tmp_path / "out")
    reference = as_rows(expected_stream(docs, tok_dir), SEQ, drop_last=True)
    assert sorted_rows(shards[0]) == sorted_rows(reference)
    assert PAD_ID not in shards[0]
    assert stats["pad_tokens"] == 0 and stats["dropped_tokens"] == len(expected_stream(docs, tok_dir)) % SEQ > 0


def test_parallel_tasks_are_contiguous_slices_and_deterministic(corpus, tok_dir, docs, tmp_path) -> None:
    a = tokenize_corpus([str(corpus)], tok_dir, tmp_path / "a", seq_len=SEQ, tasks=2, workers=2, seed=3)
    index, shards = open_token_shards(tmp_path / "a")
    assert a["shards"] == len(shards) == 2
    assert sorted(p.name for p in (tmp_path / "a" / "data").iterdir()) == [
        "train-00000-of-00002.parquet",
        "train-00001-of-00002.parquet",
    ]
    # shard 0 is a prefix of the docs, shard 1 the rest (each with its own padded last row)
    n0 = int(np.isin(shards[0], [CLS_ID]).sum())
    assert 0 < n0 < len(docs)
    assert sorted_rows(shards[0]) == sorted_rows(as_rows(expected_stream(docs[:n0], tok_dir), SEQ))
    assert sorted_rows(shards[1]) == sorted_rows(as_rows(expected_stream(docs[n0:], tok_dir), SEQ))
    assert a["tokens"] == len(expected_stream(docs, tok_dir))
    # same inputs and seed: same bytes, also in-process
    b = tokenize_corpus([str(corpus)], tok_dir, tmp_path / "b", seq_len=SEQ, tasks=2, workers=1, seed=3)
    assert b["tokens"] == a["tokens"]
    for rel in ("memmap/index.json", "memmap/train-00000.bin", "data/train-00001-of-00002.parquet", "README.md"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    c = tokenize_corpus([str(corpus)], tok_dir, tmp_path / "c", seq_len=SEQ, tasks=2, workers=1, seed=4)
    assert c["tokens"] == a["tokens"]
    assert (tmp_path / "a/memmap/train-00000.bin").read_bytes() != (tmp_path / "c/memmap/train-00000.bin").read_bytes()


def test_split_contiguous_balances_by_weight_and_keeps_order() -> None:
    units = [("a", 0, 10), ("a", 1, 10), ("b", None, 10), ("c", 0, 10), ("c", 1, 10), ("d", None, 10)]
    assert _split_contiguous(units, 3) == [[("a", (0, 1))], [("b", None), ("c", (0,))], [("c", (1,)), ("d", None)]]
    assert _split_contiguous(units, 1) == [[("a", (0, 1)), ("b", None), ("c", (0, 1)), ("d", None)]]
    slices = _split_contiguous(units[:1], 3)
    assert sum(len(s) for s in slices) == 1 and len(slices) == 3


def test_rerun_skips_when_done_and_replaces_stale_shards(corpus, tok_dir, tmp_path) -> None:
    out = tmp_path / "out"
    first = tokenize_corpus([str(corpus)], tok_dir, out, seq_len=SEQ, tasks=3, workers=1)
    assert first["shards"] == 3
    again = tokenize_corpus([str(corpus)], tok_dir, out, seq_len=SEQ, tasks=3, workers=1)
    assert again["skipped"] is True and again["rows"] == first["rows"]
    fewer = tokenize_corpus([str(corpus)], tok_dir, out, seq_len=SEQ, tasks=1)
    assert fewer["shards"] == 1
    assert [p.name for p in sorted((out / "data").iterdir())] == ["train-00000-of-00001.parquet"]
    assert [p.name for p in sorted((out / "memmap").iterdir())] == ["index.json", "train-00000.bin"]
    assert not (out / "_tmp").exists()


def test_special_token_text_is_not_a_control_token(tok_dir, tmp_path) -> None:
    (tmp_path / "c.jsonl").write_text(json.dumps({"text": "the [MASK] city [SEP] [PAD] [CLS]"}) + "\n")
    tokenize_corpus([str(tmp_path / "c.jsonl")], tok_dir, tmp_path / "out", seq_len=64)
    row = open_token_shards(tmp_path / "out")[1][0][0]
    body = row[row != PAD_ID]
    assert body[0] == CLS_ID and body[-1] == SEP_ID
    assert set(body[1:-1].tolist()).isdisjoint({PAD_ID, CLS_ID, SEP_ID, MASK_ID})


def test_long_document_spans_rows_and_bad_input_is_counted(tok_dir, tmp_path) -> None:
    long_doc = " ".join(["history"] * 100)
    (tmp_path / "a.jsonl").write_text(
        "\n".join([json.dumps({"text": long_doc}), "{broken", json.dumps({"text": 3}), json.dumps({"text": ""})])
    )
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "b.parquet")
    stats = tokenize_corpus([str(tmp_path)], tok_dir, tmp_path / "out", seq_len=SEQ)
    rows = open_token_shards(tmp_path / "out")[1][0]
    n_tokens = len(load_tokenizer(tok_dir).encode(long_doc).ids)  # with [CLS] and [SEP]
    assert stats["docs"] == 1 and stats["rows"] == -(-n_tokens // SEQ) == len(rows)
    assert (stats["bad_lines"], stats["missing_text"], stats["empty_docs"], stats["bad_files"]) == (1, 2, 1, 1)


def test_usage_errors(corpus, tok_dir, tmp_path) -> None:
    from tokenizers import Tokenizer, models

    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])}
    vocab.update({f"w{i}": i + 5 for i in range(65_600)})
    Tokenizer(models.WordPiece(vocab, unk_token="[UNK]")).save(str(tmp_path / "big.json"))
    with pytest.raises(UsageError, match="uint16"):
        tokenize_corpus([str(corpus)], tmp_path / "big.json", tmp_path / "out")
    with pytest.raises(UsageError, match="no tokenizer"):
        tokenize_corpus([str(corpus)], tmp_path / "missing", tmp_path / "out")
    with pytest.raises(UsageError, match="seq-len"):
        tokenize_corpus([str(corpus)], tok_dir, tmp_path / "out", seq_len=1)
    (tmp_path / "short.jsonl").write_text(json.dumps({"text": "city"}) + "\n")
    with pytest.raises(UsageError, match="drop-last"):
        tokenize_corpus([str(tmp_path / "short.jsonl")], tok_dir, tmp_path / "out", seq_len=SEQ, drop_last=True)


def test_datatrove_parquet_writer_output_is_read(tok_dir, docs, tmp_path) -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document
    from datatrove.pipeline.writers import ParquetWriter

    with ParquetWriter(str(tmp_path / "corpus")) as writer:
        for i, d in enumerate(docs[:50]):
            writer.write(Document(text=d, id=str(i), metadata={"url": f"https://x/{i}"}), rank=0)
    stats = tokenize_corpus([str(tmp_path / "corpus")], tok_dir, tmp_path / "out", seq_len=SEQ)
    assert stats["docs"] == 50 and stats["tokens"] == len(expected_stream(docs[:50], tok_dir))


def test_cli_tokenize(corpus, tok_dir, tmp_path, capsys) -> None:
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers())
    out = tmp_path / "tokenized"
    args = parser.parse_args(
        ["tokenize", "--input", str(corpus), "--tokenizer", str(tok_dir), "--output", str(out), "--seq-len", "32"]
        + ["--drop-last", "--seed", "5"]
    )
    assert args.func(args) == 0
    printed = json.loads(capsys.readouterr().out)
    index, shards = open_token_shards(out)
    assert index["seq_len"] == 32 and printed["rows"] == index["rows"] == len(shards[0])
    assert index["config"]["seed"] == 5 and index["config"]["drop_last"] is True
