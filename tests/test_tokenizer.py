"""The uncased WordPiece vocab: ids fixed across files and consumers, uncased, deterministic, streamed input."""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from olm_data.corpus import CorpusReader, list_input_files
from olm_data.errors import UsageError
from olm_data.trainer.tokenizer import add_cli, special_token_ids, train_tokenizer
from olm_data.trainer.tokenizer_files import (
    CLS_ID,
    MASK_ID,
    PAD_ID,
    SEP_ID,
    SPECIAL_TOKEN_IDS,
    SPECIAL_TOKENS,
    UNK_ID,
    load_tokenizer,
)

WORDS = (
    "the of and to in is was for on that with as by at from his her it an were are which this be or has had "
    "first new after also who their two one been its but other they city school county district river world "
    "covid vaccine virus pandemic health people government university national music film season team game "
    "played history population village station church language company business system family album band "
    "café naïve résumé über zürich piñata"
).split()


def make_docs(n: int, seed: int = 0) -> list[str]:
    """Deterministic English-like documents with capitals, accents, digits, punctuation and some CJK."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        sentences = []
        for _ in range(rng.randint(2, 6)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(5, 14))]
            if rng.random() < 0.3:
                words[rng.randrange(len(words))] = rng.choice(["COVID", "Covid-19", "NASA", "Paris", "München"])
            sentences.append(" ".join(words).capitalize() + rng.choice([".", "!", "?", ","]))
        if i % 17 == 0:
            sentences.append("東京 大学 in 2021.")
        docs.append(" ".join(sentences))
    return docs


def write_corpus(folder: Path, docs: list[str]) -> Path:
    """Half the docs as a datatrove-like parquet file, half as jsonl.gz, in a nested folder."""
    folder.mkdir(parents=True, exist_ok=True)
    half = len(docs) // 2
    table = pa.table(
        {"text": docs[:half], "id": [str(i) for i in range(half)], "metadata": [{"url": "u"} for _ in range(half)]}
    )
    pq.write_table(table, folder / "00000.parquet", row_group_size=50)
    (folder / "wiki").mkdir(exist_ok=True)
    with gzip.open(folder / "wiki" / "00000.jsonl.gz", "wt", encoding="utf-8") as f:
        for i, d in enumerate(docs[half:]):
            f.write(json.dumps({"id": str(i), "text": d}) + "\n")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"), make_docs(400))


@pytest.fixture(scope="module")
def tok_dir(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tokenizer([str(corpus)], tmp_path_factory.mktemp("tok") / "tok", vocab_size=400)


def test_files_needed_by_transformers_are_written(tok_dir: Path) -> None:
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        assert (tok_dir / name).is_file(), name


def test_special_token_ids_agree_across_files_config_and_collator(tok_dir: Path) -> None:
    from transformers import AutoTokenizer, BertConfig

    expected = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4}
    assert {SPECIAL_TOKENS[k]: v for k, v in SPECIAL_TOKEN_IDS.items()} == expected
    assert (PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID) == (0, 1, 2, 3, 4)

    vocab_lines = (tok_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert {t: vocab_lines.index(t) for t in expected} == expected
    spec = json.loads((tok_dir / "tokenizer.json").read_text(encoding="utf-8"))
    assert {t["content"]: t["id"] for t in spec["added_tokens"]} == expected
    assert all(t["special"] for t in spec["added_tokens"])
    assert {t: spec["model"]["vocab"][t] for t in expected} == expected
    special_map = json.loads((tok_dir / "special_tokens_map.json").read_text(encoding="utf-8"))
    assert special_map == {f"{k}_token": v for k, v in SPECIAL_TOKENS.items()}
    config = json.loads((tok_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert {v["content"]: int(k) for k, v in config["added_tokens_decoder"].items()} == expected

    assert special_token_ids(tok_dir) == SPECIAL_TOKEN_IDS
    hf = AutoTokenizer.from_pretrained(str(tok_dir))
    assert (hf.pad_token_id, hf.unk_token_id, hf.cls_token_id, hf.sep_token_id, hf.mask_token_id) == (0, 1, 2, 3, 4)
    assert len(hf) == len(vocab_lines) == load_tokenizer(tok_dir).get_vocab_size()
    # the model config the trainer builds: BERT's default pad id is ours, and the vocab covers every id
    model_config = BertConfig(vocab_size=len(hf), pad_token_id=hf.pad_token_id)
    assert model_config.pad_token_id == BertConfig().pad_token_id == PAD_ID


def test_autotokenizer_gives_fast_uncased_bert_with_512_max_length(tok_dir: Path) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(tok_dir))
    assert hf.is_fast
    assert type(hf).__name__ in ("BertTokenizerFast", "BertTokenizer")
    assert hf.model_max_length == 512
    assert hf.do_lower_case is True
    single = hf("school district")
    assert single["input_ids"][0] == CLS_ID and single["input_ids"][-1] == SEP_ID
    pair = hf("the city", "the river")
    ids, types = pair["input_ids"], pair["token_type_ids"]
    assert ids.count(SEP_ID) == 2 and ids[0] == CLS_ID and ids[-1] == SEP_ID
    first_sep = ids.index(SEP_ID)
    assert set(types[: first_sep + 1]) == {0} and set(types[first_sep + 1 :]) == {1}
    # transformers and the plain `tokenizers` pipeline the packer uses give the same ids
    text = "Played history in München, COVID-19 vaccine!"
    assert hf(text)["input_ids"] == load_tokenizer(tok_dir).encode(text).ids


def test_uncased_and_accent_stripped(tok_dir: Path) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(tok_dir))
    assert hf("COVID")["input_ids"] == hf("covid")["input_ids"] == hf("Covid")["input_ids"]
    assert hf("Café NAÏVE")["input_ids"] == hf("cafe naive")["input_ids"]
    assert UNK_ID not in hf("covid")["input_ids"]


def test_decode_of_encode_is_the_normalized_text(tok_dir: Path) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(tok_dir))
    tok = load_tokenizer(tok_dir)
    for text in ["The City School District", "Covid Vaccine Pandemic Health People", "Résumé of the Band", "zebra"]:
        normalized = tok.normalizer.normalize_str(text)
        assert normalized == text.lower().replace("é", "e")
        assert hf.decode(hf(text)["input_ids"], skip_special_tokens=True) == normalized
        assert tok.decode(tok.encode(text).ids) == normalized
    assert tok.encode("zebra").tokens != ["zebra"]  # an unseen word goes through ## pieces and still round-trips


def test_continuation_helpers_are_not_matched_in_raw_text(tok_dir: Path) -> None:
    # the `##x` tokens are registered up front for determinism; they must stay ordinary vocabulary
    tok = load_tokenizer(tok_dir)
    assert tok.token_to_id("##e") is not None
    assert sorted(tok.get_added_tokens_decoder()) == [0, 1, 2, 3, 4]
    assert "##e" not in tok.encode("a##e", add_special_tokens=False).tokens


def test_same_corpus_gives_same_vocab_bytes(corpus: Path, tok_dir: Path, tmp_path: Path) -> None:
    # tokenizers' own trainer is not deterministic (hash-map order); train_tokenizer must be
    again = train_tokenizer([str(corpus)], tmp_path / "again", vocab_size=400)
    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        assert (again / name).read_bytes() == (tok_dir / name).read_bytes(), name


def test_small_alphabet_limit_is_deterministic_and_maps_rare_chars_to_unk(corpus: Path, tmp_path: Path) -> None:
    a = train_tokenizer([str(corpus)], tmp_path / "a", vocab_size=200, limit_alphabet=30)
    b = train_tokenizer([str(corpus)], tmp_path / "b", vocab_size=200, limit_alphabet=30)
    assert (a / "vocab.txt").read_bytes() == (b / "vocab.txt").read_bytes()
    tok = load_tokenizer(a)
    assert tok.encode("東京", add_special_tokens=False).ids == [UNK_ID, UNK_ID]


def test_sample_docs_is_seeded_and_exact(corpus: Path, tmp_path: Path) -> None:
    files = list_input_files([str(corpus)])
    reader = CorpusReader()
    plan = reader.sample_plan(files, 37, seed=1)
    assert sum(map(len, plan.values())) == 37
    assert set(plan) == set(files)  # drawn from both files, not the first ones only
    assert plan == CorpusReader().sample_plan(files, 37, seed=1)
    assert plan != CorpusReader().sample_plan(files, 37, seed=2)
    sampled = [t for batch in reader.iter_texts(files, plan) for t in batch]
    assert len(sampled) == 37
    assert CorpusReader().sample_plan(files, 10_000, seed=1) is None  # more than the corpus: everything

    a = train_tokenizer([str(corpus)], tmp_path / "a", vocab_size=300, sample_docs=50, seed=3)
    b = train_tokenizer([str(corpus)], tmp_path / "b", vocab_size=300, sample_docs=50, seed=3)
    full = train_tokenizer([str(corpus)], tmp_path / "full", vocab_size=300)
    assert (a / "vocab.txt").read_bytes() == (b / "vocab.txt").read_bytes()
    assert (a / "vocab.txt").read_bytes() != (full / "vocab.txt").read_bytes()


def test_reader_order_and_bad_input_is_skipped_and_counted(tmp_path: Path) -> None:
    good = make_docs(6)
    (tmp_path / "b.jsonl").write_text(
        "\n".join(
            [json.dumps({"text": good[0]}), "{not json", json.dumps({"text": None}), "", json.dumps({"text": "  "})]
        )
        + "\n",
        encoding="utf-8",
    )
    pq.write_table(pa.table({"text": good[1:3]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"content": ["no text column"]}), tmp_path / "c.parquet")
    (tmp_path / "d.parquet").write_bytes(b"PAR1 this is not parquet")
    with gzip.open(tmp_path / "e.jsonl.gz", "wt") as f:
        f.write(json.dumps({"text": good[3]}) + "\n")
    whole = gzip.compress("".join(json.dumps({"text": f"cut off {i}"}) + "\n" for i in range(5000)).encode())
    (tmp_path / "f.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "_logs").mkdir()
    (tmp_path / "_logs" / "stats.jsonl").write_text(json.dumps({"text": "not corpus"}) + "\n")
    (tmp_path / "notes.txt").write_text("ignored")

    files = list_input_files([str(tmp_path)])
    assert [f.name for f in files] == ["a.parquet", "b.jsonl", "c.parquet", "d.parquet", "e.jsonl.gz", "f.jsonl.gz"]
    reader = CorpusReader()
    texts = [t for batch in reader.iter_texts(files) for t in batch]
    assert texts[:4] == [good[1], good[2], good[0], good[3]]
    # what was readable before the gzip stream broke is kept
    assert 0 < len(texts) - 4 < 5000 and texts[4:] == [f"cut off {i}" for i in range(len(texts) - 4)]
    assert reader.stats["bad_lines"] == 1
    assert reader.stats["missing_text"] == 2  # the invalid line and the null text
    assert reader.stats["empty_docs"] == 1
    assert reader.stats["bad_files"] == 3  # no text column, not parquet, truncated gzip
    assert reader.stats["docs"] == len(texts)


def test_missing_or_empty_input_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="input not found"):
        train_tokenizer([str(tmp_path / "nope")], tmp_path / "tok")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no corpus files"):
        train_tokenizer([str(tmp_path / "empty")], tmp_path / "tok")
    (tmp_path / "blank.jsonl").write_text(json.dumps({"text": ""}) + "\n")
    with pytest.raises(UsageError, match="no document with text"):
        train_tokenizer([str(tmp_path / "blank.jsonl")], tmp_path / "tok")
    with pytest.raises(UsageError, match="no tokenizer"):
        load_tokenizer(tmp_path / "tok")


def test_cli_tokenizer_train(corpus: Path, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers())
    out = tmp_path / "tok"
    args = parser.parse_args(
        ["tokenizer", "train", "--input", str(corpus), "--output", str(out), "--vocab-size", "250"]
    )
    assert args.func(args) == 0
    assert load_tokenizer(out).get_vocab_size() == 250
    with pytest.raises(SystemExit):
        parser.parse_args(["tokenizer"])  # the group needs a command


TRICKY = [
    "Hello WORLD",
    "Café naïve RÉSUMÉ Zürich",
    "ΟΔΟΣ Σίσυφος ὈΔΥΣΣΕΎΣ",
    "İstanbul DİYARBAKIR",
    "straße STRASSE ẞ",
    "東京大学 in 2021, 한국어 and عربي",
    "a\u0301e\u0308\u0323 e\u0323\u0301 o\u031b\u0323",
    "x\u00a0y\u2003z\u200bw",
    "tab\tnew\nline\rcr",
    "ctrl\x0bchar\x07bell\x00nul",
    "\ufffdreplacement\u00adsoft",
    "emoji 😀 👍🏽 ✔",
    "ﬁ ligature Ⅻ ① K Kelvin ǅ Ǆ",
    "[MASK] city [CLS] [SEP]city[PAD] ##e",
    "covid" * 30,
    "",
    "   ",
]


def test_batch_encoder_gives_exactly_the_tokenizer_ids(tok_dir: Path) -> None:
    from olm_data.trainer.batch_encoder import BatchEncoder

    tok = load_tokenizer(tok_dir)
    tok.encode_special_tokens = True
    encoder = BatchEncoder(load_tokenizer(tok_dir))
    assert encoder.bare is not None  # the shortcut is on for our normalizer
    assert encoder.normalize("Café NAÏVE") == "cafe naive"
    assert encoder.normalize("ctrl\x0bchar") is None  # clean_text joins around controls: ordinary path

    rng = random.Random(0)
    pool = "".join(TRICKY) + "ABCDEFGHIJKLMNOPQRSTUVWXYZ .,;-'\"()" * 3
    fuzz = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 60))) for _ in range(2000)]
    texts = TRICKY + fuzz + make_docs(50, seed=5)
    expected = [tok.encode(t, add_special_tokens=False).ids for t in texts]
    assert encoder.encode(texts) == expected
    assert 0 < encoder.stats["word_misses"] < encoder.stats["words"]  # the word cache is used
    small = BatchEncoder(load_tokenizer(tok_dir), max_cached_words=10)
    assert small.encode(texts[:1000]) + small.encode(texts[1000:]) == expected
    assert len(small._words) == 10
    # any other pipeline (here: cased) takes the library's path, with the same ids
    from tokenizers import normalizers

    cased = load_tokenizer(tok_dir)
    cased.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    plain = BatchEncoder(cased)
    assert plain.bare is None
    cased.encode_special_tokens = True
    assert plain.encode(texts[:300]) == [cased.encode(t, add_special_tokens=False).ids for t in texts[:300]]
    # what the vocab trainer is fed: exactly the normalizer's output
    assert [encoder.normalize_exact(t) for t in texts] == [tok.normalizer.normalize_str(t) for t in texts]
    # the special-token spellings are text, not control ids
    assert set(encoder.encode(["[MASK] [CLS] [SEP] [PAD]"])[0]).isdisjoint({PAD_ID, CLS_ID, SEP_ID, MASK_ID})
    shortcut = sum(encoder.normalize(t) is not None for t in fuzz)
    assert shortcut > len(fuzz) // 2  # most documents take the fast path
