"""Uncased WordPiece vocabulary for the tiny BERT, trained by streaming the corpus.

The original OLM tiny BERT shipped RoBERTa's cased byte-level BPE with `pad_token_id=0` colliding with `<s>`.
This module trains BERT's own recipe instead (BertNormalizer: lowercase, strip accents, clean text, CJK split;
BertPreTokenizer; WordPiece with `##` continuations). The special-token ids are fixed once, in tokenizer_files.py,
for every consumer: the tokenizer files, the model config, the packed dataset and the trainer's collator.

Commands (wired into `olm-data` through `add_cli`):
    olm-data tokenizer train --input CORPUS... --output tok/ [--vocab-size 30522] [--sample-docs N] [--seed S]
    olm-data tokenize --input CORPUS... --tokenizer tok/ --output tokenized-512/ [--seq-len 512] [--tasks N]

The special-token ids and `load_tokenizer` (tokenizer_files.py), the corpus reader (olm_data.corpus) and the fast
batch encoder (batch_encoder.py) live beside this file, so pack.py needs none of the training code.
Only `tokenizers`, `numpy` and `pyarrow` are needed here (no transformers, no datatrove), so the data machines
can train the vocabulary and the GPU image can load it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from olm_data.corpus import CorpusReader, list_input_files
from olm_data.errors import UsageError

from .batch_encoder import BatchEncoder
from .tokenizer_files import CLS_ID, SEP_ID, SPECIAL_TOKEN_IDS, SPECIAL_TOKENS, load_tokenizer

if TYPE_CHECKING:
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

MODEL_MAX_LENGTH = 512
CONTINUING_SUBWORD_PREFIX = "##"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")

_PROGRESS_EVERY_S = 30.0


class _Progress:
    """Log lines every `_PROGRESS_EVERY_S` seconds for long loops (works in logs and non-TTYs, unlike bars)."""

    def __init__(self, what: str, total: int | None = None) -> None:
        self.what, self.total, self.start, self.last = what, total, time.monotonic(), time.monotonic()

    def update(self, done: int, extra: str = "") -> None:
        now = time.monotonic()
        if now - self.last >= _PROGRESS_EVERY_S:
            self.last = now
            of = f"/{self.total}" if self.total else ""
            logger.info("%s: %d%s docs, %.0f s %s", self.what, done, of, now - self.start, extra)


# --------------------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------------------


def new_bert_tokenizer() -> Tokenizer:
    """An empty uncased BERT WordPiece pipeline: the one place its components are chosen."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

    tok = Tokenizer(
        models.WordPiece(unk_token=SPECIAL_TOKENS["unk"], continuing_subword_prefix=CONTINUING_SUBWORD_PREFIX)
    )
    # strip_accents=None follows lowercase, exactly like Google's uncased BERT
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix=CONTINUING_SUBWORD_PREFIX)
    return tok


def _add_post_processor(tok: Tokenizer) -> None:
    from tokenizers import processors

    cls, sep = SPECIAL_TOKENS["cls"], SPECIAL_TOKENS["sep"]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{cls}:0 $A:0 {sep}:0",
        pair=f"{cls}:0 $A:0 {sep}:0 $B:1 {sep}:1",
        special_tokens=[(cls, CLS_ID), (sep, SEP_ID)],
    )


def choose_alphabet(char_counts: Counter, limit: int) -> list[str]:
    """The `limit` most frequent normalized characters (ties by code point), sorted by code point.

    Counting raw characters and normalizing each distinct one is equivalent to normalizing the text for BERT's
    per-character normalizer (lowercase, NFD accent stripping, control-character removal) and far cheaper.
    """
    from tokenizers import normalizers

    norm = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    counts: Counter = Counter()
    for ch, n in char_counts.items():
        for c in norm.normalize_str(ch):
            if not c.isspace():
                counts[c] += n
    best = sorted(counts, key=lambda c: (-counts[c], ord(c)))[:limit]
    return sorted(best, key=ord)


def train_tokenizer(
    inputs: list[str],
    output: str | os.PathLike,
    vocab_size: int = 30522,
    sample_docs: int | None = None,
    seed: int = 0,
    min_frequency: int = 2,
    limit_alphabet: int = 1000,
) -> Path:
    """Train the uncased WordPiece vocabulary on corpus files and save it for `AutoTokenizer.from_pretrained`.

    Streams the corpus twice (character counts, then the trainer), never holding it in memory.

    Why the two passes: `tokenizers` (<= 0.23) assigns ids to `##x` continuation tokens in hash-map order, and
    those ids break ties between equally frequent merges, so the same corpus gives a different vocab each run
    (huggingface/tokenizers#1794). Fixing the alphabet ourselves and registering its `##x` tokens up front (as
    trainer special tokens, demoted to plain vocab afterwards) makes every id, and so the vocab bytes,
    deterministic.

    Args:
        inputs: corpus files or folders (parquet with a `text` column, jsonl/jsonl.gz with a `text` field).
        output: folder for tokenizer.json, tokenizer_config.json, special_tokens_map.json and vocab.txt.
        vocab_size: final vocabulary size including special tokens (BERT: 30522).
        sample_docs: train on this many documents drawn uniformly with `seed` instead of the whole corpus.
        seed: seed of the document sample.
        min_frequency: pairs seen fewer times are never merged.
        limit_alphabet: at most this many distinct characters (most frequent first); rarer ones become [UNK].

    Returns:
        The output folder.
    """
    from tokenizers import trainers

    if vocab_size < len(SPECIAL_TOKENS) + 1:
        raise UsageError(f"--vocab-size {vocab_size} is too small")
    if sample_docs is not None and sample_docs < 1:
        raise UsageError(f"--sample-docs must be >= 1, got {sample_docs}")
    files = list_input_files(inputs)
    reader = CorpusReader()
    plan = reader.sample_plan(files, sample_docs, seed) if sample_docs else None
    n_docs = sum(map(len, plan.values())) if plan is not None else None
    t0 = time.monotonic()

    chars: Counter = Counter()
    progress = _Progress("vocab: counting characters", n_docs)
    for texts in reader.iter_texts(files, plan):
        for text in texts:
            chars.update(text)
        progress.update(reader.stats["docs"])
    if reader.stats["docs"] == 0:
        raise UsageError(f"no document with text in {len(files)} input file(s): {' '.join(map(str, inputs))}")
    n_docs = reader.stats["docs"]
    alphabet = choose_alphabet(chars, limit_alphabet)
    logger.info("vocab: %d docs, %d characters, alphabet of %d", n_docs, chars.total(), len(alphabet))

    tok = new_bert_tokenizer()
    specials = list(SPECIAL_TOKENS.values())
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        show_progress=sys.stderr.isatty(),
        special_tokens=specials + [CONTINUING_SUBWORD_PREFIX + c for c in alphabet],
        # the given alphabet always survives and every other character is dropped: no hash-order tie-breaks
        initial_alphabet=alphabet,
        limit_alphabet=len(alphabet),
        continuing_subword_prefix=CONTINUING_SUBWORD_PREFIX,
    )
    second = CorpusReader()
    progress = _Progress("vocab: training", n_docs)
    # the trainer sees text normalized by BatchEncoder's exact shortcut (~1.5x faster than the Rust normalizer)
    normalizer = BatchEncoder(tok)
    bert_normalizer, tok.normalizer = tok.normalizer, None

    def texts_for_trainer() -> Iterator[list[str]]:
        for texts in second.iter_texts(files, plan):
            progress.update(second.stats["docs"])
            yield [normalizer.normalize_exact(t) for t in texts]

    tok.train_from_iterator(texts_for_trainer(), trainer=trainer, length=n_docs)
    tok.normalizer = bert_normalizer

    # demote the `##x` helpers to ordinary vocabulary: as added tokens they would be matched in raw text
    spec = json.loads(tok.to_str())
    spec["added_tokens"] = [t for t in spec["added_tokens"] if t["content"] in specials]
    from tokenizers import Tokenizer

    tok = Tokenizer.from_str(json.dumps(spec))
    _add_post_processor(tok)
    out = save_tokenizer(tok, output)
    logger.info(
        "vocab: %d tokens from %d docs in %.1f s -> %s", tok.get_vocab_size(), n_docs, time.monotonic() - t0, out
    )
    return out


def save_tokenizer(tok: Tokenizer, output: str | os.PathLike) -> Path:
    """Write the four files `transformers` needs for a fast uncased BERT tokenizer (no transformers import).

    Checks the special-token ids first: a tokenizer whose [PAD] is not id 0 must never be saved under our name.
    """
    out = Path(output)
    vocab = tok.get_vocab(with_added_tokens=True)
    for name, token in SPECIAL_TOKENS.items():
        if vocab.get(token) != SPECIAL_TOKEN_IDS[name]:
            raise ValueError(f"{token} has id {vocab.get(token)}, expected {SPECIAL_TOKEN_IDS[name]}")
    out.mkdir(parents=True, exist_ok=True)
    tok.save(str(out / "tokenizer.json"), pretty=True)
    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    if [i for _, i in by_id] != list(range(len(by_id))):
        raise ValueError("vocabulary ids are not contiguous")
    (out / "vocab.txt").write_text("".join(t + "\n" for t, _ in by_id), encoding="utf-8")
    special_map = {f"{name}_token": token for name, token in SPECIAL_TOKENS.items()}
    _write_json(out / "special_tokens_map.json", special_map)
    config = {
        # "BertTokenizer": transformers 5 builds it on tokenizer.json; transformers 4 upgrades it to
        # BertTokenizerFast. Both read the special tokens and flags below.
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": True,
        "strip_accents": None,
        "tokenize_chinese_chars": True,
        "model_max_length": MODEL_MAX_LENGTH,
        "clean_up_tokenization_spaces": True,
        **special_map,
        "added_tokens_decoder": {
            str(SPECIAL_TOKEN_IDS[name]): {
                "content": token,
                "lstrip": False,
                "normalized": False,
                "rstrip": False,
                "single_word": False,
                "special": True,
            }
            for name, token in SPECIAL_TOKENS.items()
        },
    }
    _write_json(out / "tokenizer_config.json", config)
    return out


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def special_token_ids(path: str | os.PathLike) -> dict[str, int]:
    """Ids of pad/unk/cls/sep/mask in a saved tokenizer, read from its files (for collators and model configs)."""
    tok = load_tokenizer(path)
    ids = {name: tok.token_to_id(token) for name, token in SPECIAL_TOKENS.items()}
    missing = [SPECIAL_TOKENS[n] for n, i in ids.items() if i is None]
    if missing:
        raise UsageError(f"tokenizer {path} lacks special tokens {missing}")
    return ids  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------------------


def add_cli(subparsers: Any) -> None:
    """Register `olm-data tokenizer train` and `olm-data tokenize`."""
    tok_parser = subparsers.add_parser("tokenizer", help="train the uncased WordPiece vocabulary")
    tok_sub = tok_parser.add_subparsers(dest="tokenizer_command", metavar="COMMAND", required=True)
    train = tok_sub.add_parser(
        "train",
        help="train a BERT WordPiece vocab on corpus files (parquet/jsonl)",
        description="Train an uncased BERT WordPiece vocabulary, streamed from parquet (column `text`) or "
        "jsonl(.gz) corpus files, and save it for transformers.AutoTokenizer.from_pretrained.",
    )
    train.add_argument("--input", nargs="+", required=True, metavar="PATH", help="corpus files or folders")
    train.add_argument("--output", required=True, metavar="DIR", help="folder for the tokenizer files")
    train.add_argument("--vocab-size", type=int, default=30522, help="vocabulary size incl. special tokens")
    train.add_argument("--sample-docs", type=int, default=None, metavar="N", help="train on N sampled docs")
    train.add_argument("--seed", type=int, default=0, help="seed of the document sample")
    train.add_argument("--min-frequency", type=int, default=2, help="minimum count of a merged pair")
    train.add_argument("--limit-alphabet", type=int, default=1000, help="max distinct characters kept")
    train.set_defaults(func=_cmd_train)

    pack = subparsers.add_parser(
        "tokenize",
        help="tokenize a corpus into packed fixed-length rows (parquet + uint16 memmap)",
        description="Tokenize corpus files, concatenate `[CLS] doc [SEP]` and cut fixed-length rows; writes "
        "OUTPUT/data/*.parquet (Hub layout) and OUTPUT/memmap/ (uint16 shards + index.json for the trainer).",
    )
    pack.add_argument("--input", nargs="+", required=True, metavar="PATH", help="corpus files or folders")
    pack.add_argument("--tokenizer", required=True, metavar="DIR", help="tokenizer folder (tokenizer.json)")
    pack.add_argument("--output", required=True, metavar="DIR", help="output folder")
    pack.add_argument("--seq-len", type=int, default=512, help="tokens per row")
    pack.add_argument("--tasks", type=int, default=1, help="shards; each is tokenized by its own process")
    pack.add_argument("--workers", type=int, default=None, help="processes at once (default: min(tasks, cpus))")
    pack.add_argument("--drop-last", action="store_true", help="drop each shard's final padded row")
    pack.add_argument("--seed", type=int, default=0, help="seed of the row shuffle")
    pack.set_defaults(func=_cmd_tokenize)


def _ensure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _cmd_train(args: argparse.Namespace) -> int:
    _ensure_logging()
    out = train_tokenizer(
        args.input,
        args.output,
        vocab_size=args.vocab_size,
        sample_docs=args.sample_docs,
        seed=args.seed,
        min_frequency=args.min_frequency,
        limit_alphabet=args.limit_alphabet,
    )
    print(out)
    return 0


def _cmd_tokenize(args: argparse.Namespace) -> int:
    from olm_data.trainer.pack import tokenize_corpus

    _ensure_logging()
    stats = tokenize_corpus(
        args.input,
        args.tokenizer,
        args.output,
        seq_len=args.seq_len,
        tasks=args.tasks,
        seed=args.seed,
        drop_last=args.drop_last,
        workers=args.workers,
    )
    print(json.dumps(stats, indent=2))
    return 0
