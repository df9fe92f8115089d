"""The LM folder: training (card, determinism), normalization, scoring prose vs junk, `--lm` layouts, the CLI."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import pickle
import shutil

import pytest
from test_perplexity_fixtures import PROSE, junk_page

from olm_data.errors import UsageError
from olm_data.perplexity.cli import add_cli
from olm_data.perplexity.lm import PerplexityModel, iter_documents, resolve_lm, train_lm
from olm_data.perplexity.normalize import normalize_line, split_lines

pytest.importorskip("kenlm")
pytest.importorskip("sentencepiece")

# Wikipedia-like sentences that are NOT in the training text.
HELD_OUT = [
    "The village lies on the northern bank of the river and has a population of about two thousand people.\n"
    "Its church was built in the fourteenth century and was restored in the nineteenth century.",
    "The castle was built in the thirteenth century to protect the town and the bridge over the river.\n"
    "It was later used as a prison and is now a museum of local history.",
    "The moon is the largest natural satellite of the planet and was discovered in the seventeenth century.\n"
    "Its surface is covered by ice, and several space missions have studied it from orbit.",
    "The forest covers most of the eastern part of the island and is home to many species of birds.\n"
    "Parts of the forest were cut down in the nineteenth century to build ships and houses.",
]


def write_corpus(folder) -> list[str]:
    """The prose as a JSON-lines corpus of one-paragraph documents (like a Wikipedia output)."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = [p for p in PROSE.split("\n") if p]
    docs = ["\n".join(paragraphs[i : i + 4]) for i in range(0, len(paragraphs), 4)]
    with open(folder / "wiki.jsonl", "w") as f:
        for i, text in enumerate(docs):
            f.write(json.dumps({"id": str(i), "text": text}) + "\n")
    return docs


@pytest.fixture(scope="module")
def lm_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("lm")
    write_corpus(root / "corpus")
    return train_lm([root / "corpus"], root / "lm", order=3, vocab_size=300, sp_threads=1)


# ---------------------------------------------------------------------------------------------------------------
# Normalization


def test_normalization_matches_ccnet():
    # cc_net's test vectors (text_normalizer_test.py): the punctuation table; fullwidth 1 is a digit first
    weird = "，。、„”“«»１」「《》´∶：？！（）；–—．～’…━〈〉【】％"
    assert normalize_line(weird) == ',.,"""""0""""\'::?!();- - . ~\'...-<>[]%'
    assert normalize_line("０２３４５６７８９ | 0123456789") == "000000000 | 0000000000"
    assert normalize_line("  Élan Vital à Zürich\x07 \u200b ") == "elan vital a zurich \u200b"
    assert split_lines("First Line\n\n   \nSecond\tline\x00") == ["first line", "secondline"]


# ---------------------------------------------------------------------------------------------------------------
# Training


def test_train_writes_a_card_with_checksums(lm_folder):
    card = json.loads((lm_folder / "card.json").read_text())
    assert card["format"] == "olm-data-lm/1"
    assert card["ngram"]["order"] == 3
    assert card["training_data"]["documents"] == 12
    assert card["training_data"]["lines"] == len([p for p in PROSE.split("\n") if p])
    assert card["training_data"]["tokens"] > 500
    assert card["sentencepiece"]["vocab_size"] <= 300
    assert card["ngram"]["vocab_size"] >= card["sentencepiece"]["vocab_size"] - 1  # pieces seen + <s>, </s>, <unk>
    assert len(card["ngram"]["ngrams"]) == 3
    for name, meta in card["files"].items():
        data = (lm_folder / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == meta["sha256"]
        assert len(data) == meta["bytes"]
    assert sorted(p.name for p in lm_folder.iterdir()) == ["card.json", "model.arpa", "sp.model"]


def test_training_is_deterministic(tmp_path, lm_folder):
    write_corpus(tmp_path / "corpus")
    again = train_lm([tmp_path / "corpus"], tmp_path / "lm", order=3, vocab_size=300, sp_threads=1)
    for name in ("model.arpa", "sp.model"):
        assert (again / name).read_bytes() == (lm_folder / name).read_bytes()
    card_a = json.loads((again / "card.json").read_text())
    card_b = json.loads((lm_folder / "card.json").read_text())
    assert card_a["files"] == card_b["files"] and card_a["ngram"] == card_b["ngram"]


def test_training_reads_parquet_jsonl_gz_and_text(tmp_path):
    from datatrove.data import Document
    from datatrove.pipeline.writers import ParquetWriter

    docs = write_corpus(tmp_path / "jsonl")
    for _ in ParquetWriter(str(tmp_path / "parquet")).run(Document(t, str(i)) for i, t in enumerate(docs)):
        pass
    with gzip.open(tmp_path / "docs.jsonl.gz", "wt") as f:
        f.write('{"text": "first doc"}\nnot json\n{"no_text": 1}\n{"text": "second doc"}\n')
    (tmp_path / "plain.txt").write_text("line one\nline two\n")
    assert list(iter_documents([tmp_path / "parquet"])) == docs
    assert list(iter_documents([tmp_path / "docs.jsonl.gz", tmp_path / "plain.txt"])) == [
        "first doc",
        "second doc",
        "line one\n",
        "line two\n",
    ]
    whole = gzip.compress(("\n".join(json.dumps({"text": f"doc {i}"}) for i in range(2000)) + "\n").encode())
    (tmp_path / "cut").mkdir()
    (tmp_path / "cut/truncated.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    survivors = list(iter_documents([tmp_path / "cut"]))  # what precedes the damage, then a logged skip
    assert 0 < len(survivors) < 2000 and survivors[:2] == ["doc 0", "doc 1"]
    with pytest.raises(UsageError, match="no such file"):
        train_lm([tmp_path / "missing"], tmp_path / "lm")
    with pytest.raises(UsageError, match="--prune"):
        train_lm([tmp_path / "jsonl"], tmp_path / "lm", prune=[1])


# ---------------------------------------------------------------------------------------------------------------
# Scoring


def test_prose_scores_lower_than_junk(lm_folder):
    model = PerplexityModel(lm_folder)
    prose = [model.perplexity(t) for t in HELD_OUT]
    junk = [model.perplexity(junk_page(seed)) for seed in range(8)]
    assert max(prose) < min(junk), (prose, junk)
    assert model.perplexity("") is None and model.perplexity("\n \n") is None


def test_perplexity_is_the_ccnet_formula(lm_folder):
    import kenlm
    import sentencepiece as spm

    text = HELD_OUT[0] + "\n\nÉtienne wrote 1,234 — “pages”.\n"
    lm = kenlm.Model(str(lm_folder / "model.arpa"))
    sp = spm.SentencePieceProcessor(model_file=str(lm_folder / "sp.model"))
    log10_sum, length = 0.0, 0
    for line in text.split("\n"):
        line = normalize_line(line)
        if line:
            pieces = sp.encode(line, out_type=str)
            log10_sum += lm.score(" ".join(pieces))
            length += len(pieces) + 1
    assert PerplexityModel(lm_folder).perplexity(text) == pytest.approx(10 ** (-log10_sum / length), rel=1e-12)


def test_model_pickles_without_the_loaded_models(lm_folder):
    model = PerplexityModel(lm_folder)
    before = model.perplexity(HELD_OUT[1])
    assert model._kenlm is not None
    clone = pickle.loads(pickle.dumps(model))
    assert clone._kenlm is None and clone._sp is None
    assert clone.perplexity(HELD_OUT[1]) == before
    assert len(pickle.dumps(model)) < 2000


# ---------------------------------------------------------------------------------------------------------------
# Bringing your own KenLM + SentencePiece models (--lm)


def test_any_folder_with_one_kenlm_and_one_sentencepiece_model(tmp_path, lm_folder):
    own = tmp_path / "ccnet_style"
    own.mkdir()
    shutil.copy(lm_folder / "model.arpa", own / "en.arpa")
    shutil.copy(lm_folder / "sp.model", own / "en.sp.model")
    files = resolve_lm(own)
    assert (files.kenlm_model.name, files.sp_model.name, files.card) == ("en.arpa", "en.sp.model", None)
    assert PerplexityModel(own).perplexity(HELD_OUT[2]) == PerplexityModel(lm_folder).perplexity(HELD_OUT[2])
    shutil.copy(lm_folder / "model.arpa", own / "other.bin")
    with pytest.raises(UsageError, match="expected one KenLM model"):
        resolve_lm(own)
    with pytest.raises(UsageError, match="not a folder"):
        resolve_lm(tmp_path / "nowhere")
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "en.arpa").write_text("not an arpa file\n")
    (garbage / "en.sp.model").write_bytes(b"not a model")
    with pytest.raises(UsageError, match="cannot load"):
        PerplexityModel(garbage).perplexity("some text")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "card.json").write_text(json.dumps({"kenlm_model": "gone.arpa", "sentencepiece_model": "sp.model"}))
    with pytest.raises(UsageError, match="gone.arpa"):
        resolve_lm(broken)


# ---------------------------------------------------------------------------------------------------------------
# CLI


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_train_and_score(tmp_path, capsys):
    write_corpus(tmp_path / "corpus")
    out = tmp_path / "lm"
    assert run_cli(["lm", "train", "--input", str(tmp_path / "corpus"), "--output", str(out), "--order", "3",
                    "--vocab-size", "300", "--prune", "0", "0", "1", "--sp-threads", "1"]) == 0  # fmt: skip
    card = json.loads((out / "card.json").read_text())
    assert card["ngram"]["prune"] == [0, 0, 1]
    assert run_cli(["lm", "score", "--lm", str(out), "--text", HELD_OUT[3], junk_page(1)]) == 0
    lines = capsys.readouterr().out.strip().split("\n")[-2:]
    prose_ppl, junk_ppl = (float(line.split("\t")[0]) for line in lines)
    assert math.isfinite(prose_ppl) and prose_ppl < junk_ppl
    with pytest.raises(UsageError, match="--input files or --text"):
        run_cli(["lm", "score", "--lm", str(out)])
