"""Uncased WordPiece vocabulary for the tiny BERT, trained by streaming the corpus.

The original OLM tiny BERT shipped RoBERTa's cased byte-level BPE with `pad_token_id=0` colliding with `<s>`.
This module trains BERT's own recipe instead (BertNormalizer: lowercase, strip accents, clean text, CJK split;
BertPreTokenizer; WordPiece with `##` continuations) and fixes the special-token ids once, here, for every
consumer: the tokenizer files, the model config, the packed dataset and the trainer's collator.

Commands (wired into `olm-data` through `add_cli`):
    olm-data tokenizer train --input CORPUS... --output tok/ [--vocab-size 30522] [--sample-docs N] [--seed S]
    olm-data tokenize --input CORPUS... --tokenizer tok/ --output tokenized-512/ [--seq-len 512] [--tasks N]

Only `tokenizers`, `numpy` and `pyarrow` are needed here (no transformers, no datatrove), so the data machines
can train the vocabulary and the GPU image can load it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from olm_data.errors import UsageError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

# Fixed ids: [PAD] is 0 so that `BertConfig().pad_token_id` (default 0) and zero-filled buffers are padding,
# never a real token. Everything that needs an id imports it from here.
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = 0, 1, 2, 3, 4
SPECIAL_TOKENS: dict[str, str] = {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]", "mask": "[MASK]"}
SPECIAL_TOKEN_IDS: dict[str, int] = {"pad": PAD_ID, "unk": UNK_ID, "cls": CLS_ID, "sep": SEP_ID, "mask": MASK_ID}
MODEL_MAX_LENGTH = 512
CONTINUING_SUBWORD_PREFIX = "##"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")

INPUT_SUFFIXES = (".parquet", ".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")
# plain text, a document per line: read when named, or from a folder that holds no parquet/jsonl (beside those,
# a .txt is a stray note or README, not corpus)
TEXT_SUFFIXES = (".txt", ".txt.gz")
_PROGRESS_EVERY_S = 30.0


# --------------------------------------------------------------------------------------------------------------
# Reading the corpus: parquet (datatrove ParquetWriter output, column `text`) and jsonl(.gz), streamed in batches.
# --------------------------------------------------------------------------------------------------------------


def list_input_files(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand files and folders (searched recursively) into a sorted, de-duplicated list of corpus files.

    Sorted so that the same inputs always give the same document order, hence the same vocab and rows.
    """
    files: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise UsageError(f"input not found (no such file or folder): {path}")
        if path.is_dir():
            inside = sorted(
                (p for p in path.rglob("*") if p.is_file() and not _is_hidden(p, path)),
                key=lambda p: p.relative_to(path).as_posix(),
            )
            found = [p for p in inside if _is_corpus_file(p)] or [p for p in inside if p.name.endswith(TEXT_SUFFIXES)]
        elif _is_corpus_file(path) or path.name.endswith(TEXT_SUFFIXES):
            found = [path]
        else:
            raise UsageError(
                f"unsupported input file {path}: expected one of {', '.join(INPUT_SUFFIXES + TEXT_SUFFIXES)}"
            )
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)
    if not files:
        raise UsageError(f"no corpus files ({', '.join(INPUT_SUFFIXES)}) under: {' '.join(map(str, inputs))}")
    return files


def _is_corpus_file(path: Path) -> bool:
    return path.name.endswith(INPUT_SUFFIXES)


def _is_hidden(path: Path, root: Path) -> bool:
    # datatrove and Spark leave `.crc`, `_SUCCESS`, `.tmp` folders beside the data: never read them
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


@dataclass
class CorpusReader:
    """Streams document texts from corpus files in batches, skipping bad input instead of crashing.

    Every skip is counted in `stats` (`bad_files`, `bad_lines`, `missing_text`, `empty_docs`) and logged once per
    file with its location.

    Args:
        batch_size: texts per yielded batch (the unit handed to `encode_batch` / the vocab trainer).
    """

    batch_size: int = 1000
    stats: Counter = field(default_factory=Counter)
    _logged: set = field(default_factory=set, repr=False)

    def _warn_once(self, path: Path, kind: str, message: str) -> None:
        self.stats[kind] += 1
        if (str(path), kind) not in self._logged:
            self._logged.add((str(path), kind))
            logger.warning("%s: %s (further %s in this file are counted, not logged)", path, message, kind)

    def count_docs(self, path: Path) -> int:
        """Rows in a parquet file (from its footer) or non-blank lines in a jsonl file; 0 for an unreadable file."""
        try:
            if path.name.endswith(".parquet"):
                import pyarrow.parquet as pq

                return pq.ParquetFile(path).metadata.num_rows
            with _open_text(path) as f:
                return sum(1 for line in f if line.strip())
        except Exception as e:  # noqa: BLE001 - any unreadable file is skipped, counted and logged
            self._warn_once(path, "bad_files", f"unreadable, skipped ({type(e).__name__}: {e})")
            return 0

    def iter_rows(self, path: Path, row_groups: list[int] | None = None) -> Iterator[list[Any]]:
        """Yield batches of raw `text` values (any type, None included) of one file, in file order.

        Row numbering matches `count_docs`, which the seeded sampling relies on.
        """
        try:
            if path.name.endswith(".parquet"):
                yield from self._iter_parquet(path, row_groups)
            elif path.name.endswith((".txt", ".txt.gz")):
                yield from self._iter_text_lines(path)
            else:
                yield from self._iter_jsonl(path)
        except Exception as e:  # noqa: BLE001 - a corrupt file mid-way: keep what was read, skip the rest
            self._warn_once(path, "bad_files", f"unreadable, rest of file skipped ({type(e).__name__}: {e})")

    def _iter_parquet(self, path: Path, row_groups: list[int] | None) -> Iterator[list[Any]]:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        if "text" not in pf.schema_arrow.names:
            self._warn_once(path, "bad_files", f"no `text` column (columns: {pf.schema_arrow.names}), skipped")
            return
        for batch in pf.iter_batches(batch_size=self.batch_size, row_groups=row_groups, columns=["text"]):
            yield batch.column(0).to_pylist()

    def _iter_text_lines(self, path: Path) -> Iterator[list[Any]]:
        """Plain text: every non-blank line is a document (row numbering matches `count_docs`)."""
        yield from self._batched(path, lambda lineno, line: line)

    def _iter_jsonl(self, path: Path) -> Iterator[list[Any]]:
        def text_of(lineno: int, line: str) -> Any:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                self._warn_once(path, "bad_lines", f"line {lineno}: invalid JSON ({e.msg}), skipped")
                return None  # keeps row numbering aligned with count_docs; dropped by clean()
            return obj.get("text") if isinstance(obj, dict) else None

        yield from self._batched(path, text_of)

    def _batched(self, path: Path, value_of: Any) -> Iterator[list[Any]]:
        """Batches of `value_of(lineno, line)` over the non-blank lines of a text file.

        A file damaged mid-way (truncated gzip) first yields what was read before the damage, then raises.
        """
        batch: list[Any] = []
        try:
            with _open_text(path) as f:
                for lineno, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    batch.append(value_of(lineno, line))
                    if len(batch) >= self.batch_size:
                        yield batch
                        batch = []
        except Exception:  # noqa: BLE001 - damaged mid-way: hand over what was read, then let iter_rows log it
            if batch:
                yield batch
            raise
        if batch:
            yield batch

    def clean(self, path: Path, values: list[Any]) -> list[str]:
        """Keep the non-empty string texts of a batch; count the others."""
        texts = []
        for v in values:
            if not isinstance(v, str):
                self._warn_once(path, "missing_text", "a document without a string `text`, skipped")
            elif not v or v.isspace():
                self.stats["empty_docs"] += 1
            else:
                texts.append(v)
        self.stats["docs"] += len(texts)
        return texts

    def iter_texts(self, files: list[Path], sample: dict[Path, set[int]] | None = None) -> Iterator[list[str]]:
        """Yield batches of document texts from `files` in order; with `sample`, only those row numbers per file."""
        for path in files:
            wanted = None if sample is None else sample.get(path)
            if sample is not None and not wanted:
                continue
            row = 0
            for values in self.iter_rows(path):
                if wanted is not None:
                    kept = [v for i, v in enumerate(values, row) if i in wanted]
                    row += len(values)
                    values = kept
                texts = self.clean(path, values)
                if texts:
                    yield texts

    def sample_plan(self, files: list[Path], n_docs: int, seed: int) -> dict[Path, set[int]] | None:
        """Choose `n_docs` row numbers uniformly over all files with a seeded RNG: same files + seed, same docs.

        Costs one cheap pass (parquet footers, jsonl line counts) and memory for the chosen row numbers only.
        None (read everything) when the corpus has no more than `n_docs` rows.
        """
        import numpy as np

        counts = [self.count_docs(p) for p in files]
        total = sum(counts)
        if n_docs >= total:
            return None
        chosen = np.sort(np.random.default_rng(seed).choice(total, size=n_docs, replace=False))
        plan: dict[Path, set[int]] = {}
        start = 0
        for path, count in zip(files, counts, strict=True):
            lo, hi = np.searchsorted(chosen, [start, start + count])
            if hi > lo:
                plan[path] = {int(i) - start for i in chosen[lo:hi]}
            start += count
        return plan


def _open_text(path: Path):
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


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


def tokenizer_json_path(path: str | os.PathLike) -> Path:
    """`tok/` or `tok/tokenizer.json` -> the tokenizer.json file; a clear UsageError when it is missing."""
    p = Path(path)
    file = p / "tokenizer.json" if p.is_dir() else p
    if not file.is_file():
        raise UsageError(
            f"no tokenizer at {p}: expected a folder with tokenizer.json "
            "(train one with `olm-data tokenizer train --input CORPUS --output tok/`)"
        )
    return file


def load_tokenizer(path: str | os.PathLike) -> Tokenizer:
    """Load a saved tokenizer with the `tokenizers` library only (what the packer and the GPU image use)."""
    from tokenizers import Tokenizer

    file = tokenizer_json_path(path)
    try:
        return Tokenizer.from_file(str(file))
    except Exception as e:  # noqa: BLE001 - surface a corrupt file as a user error, not a Rust traceback
        raise UsageError(f"cannot load tokenizer {file}: {e}") from e


def special_token_ids(path: str | os.PathLike) -> dict[str, int]:
    """Ids of pad/unk/cls/sep/mask in a saved tokenizer, read from its files (for collators and model configs)."""
    tok = load_tokenizer(path)
    ids = {name: tok.token_to_id(token) for name, token in SPECIAL_TOKENS.items()}
    missing = [SPECIAL_TOKENS[n] for n, i in ids.items() if i is None]
    if missing:
        raise UsageError(f"tokenizer {path} lacks special tokens {missing}")
    return ids  # type: ignore[return-value]


class BatchEncoder:
    """Token ids of many documents at once, exactly as `tok.encode(text, add_special_tokens=False).ids`.

    Why not just `tok.encode_batch`: it reaches ~0.75 M tokens per CPU second, short of the >= 2 M tokens/s on
    2 cores the packer needs. Two exact shortcuts, used only for an uncased BertNormalizer + BertPreTokenizer +
    WordPiece tokenizer (ours) whose added tokens are all special:

    1. Normalization. `tokenizers` spends ~40% of its time there, tracking an alignment for every character.
       BertNormalizer works character by character (clean text, CJK spacing, NFD + drop Mn, lowercase) and NFD
       only reorders inside runs of non-ASCII characters, so the ASCII text is lowercased in Python and each
       run of non-ASCII characters goes through the Rust normalizer (cached). Documents where this cannot be
       shown equal (ASCII control characters, a normalized run that Python's lower() would still change) take
       the ordinary path.
    2. Words. After normalization the only whitespace left is " ", and BertPreTokenizer + WordPiece never look
       across it, so a document's ids are the concatenation of its space-separated words' ids. Words are looked
       up in a bounded cache (natural text is Zipfian: most words repeat) and only unseen ones are encoded.

    Text that spells a special token ("[MASK]") is encoded as text, never as the control token.

    Args:
        tok: a loaded tokenizer; any tokenizer works, the shortcuts only apply to ours.
        max_cached_words: bound of the word cache (~300 bytes per entry: ~160 MB by default); once full, the
            words seen first stay (in Zipfian text, the frequent ones) and later new words are encoded each time.
    """

    _NON_ASCII = re.compile(r"[^\x00-\x7f]+")
    _ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # removed by clean_text: not \t\n\r
    _MAX_CACHED_RUN = 16  # longer non-ASCII runs (a line of Chinese) are normalized, not cached
    _MAX_RUNS = 1 << 17
    _MISS_CHUNK = 2048  # unseen words per encoded input

    def __init__(self, tok: Tokenizer, max_cached_words: int = 1 << 19) -> None:
        from tokenizers import Tokenizer

        spec = json.loads(tok.to_str())
        self.full = Tokenizer.from_str(tok.to_str())
        self.full.no_truncation()
        self.full.no_padding()
        self.full.encode_special_tokens = True
        self._normalizer = self.full.normalizer
        self.bare: Tokenizer | None = None
        norm = spec.get("normalizer") or {}
        shortcut = (
            norm.get("type") == "BertNormalizer"
            and norm.get("lowercase") is True
            and norm.get("strip_accents") in (None, True)
            and norm.get("clean_text") is True
            and norm.get("handle_chinese_chars") is True
            and (spec.get("pre_tokenizer") or {}).get("type") == "BertPreTokenizer"
            and spec["model"].get("type") == "WordPiece"
            # non-special added tokens are matched on raw text, which the shortcut changes
            and all(t.get("special") for t in spec.get("added_tokens", []))
        )
        if shortcut:
            spec["normalizer"] = None
            self.bare = Tokenizer.from_str(json.dumps(spec))
            self.bare.no_truncation()
            self.bare.no_padding()
            self.bare.encode_special_tokens = True
        self._encode_full = getattr(self.full, "encode_batch_fast", self.full.encode_batch)  # no offsets: faster
        self._encode_bare = getattr(self.bare, "encode_batch_fast", None) or getattr(self.bare, "encode_batch", None)
        self._runs: dict[str, tuple[str, bool]] = {}
        self._words: dict[str, tuple[int, ...]] = {}
        self.max_cached_words = max_cached_words
        self.stats: Counter = Counter()  # words, word_misses: how well the cache works

    def _normalize_run(self, m: re.Match[str]) -> str:
        run = m.group()
        hit = self._runs.get(run)
        if hit is None:
            out = self._normalizer.normalize_str(run)
            hit = (out, out.lower() == out)
            if len(run) <= self._MAX_CACHED_RUN and len(self._runs) < self._MAX_RUNS:
                self._runs[run] = hit
        if not hit[1]:
            raise _NoShortcut
        return hit[0]

    def normalize(self, text: str) -> str | None:
        """The text as the tokenizer's normalizer would output it, or None when the shortcut does not apply."""
        if self.bare is None or self._ASCII_CONTROL.search(text):
            return None
        if not text.isascii():
            try:
                text = self._NON_ASCII.sub(self._normalize_run, text)
            except _NoShortcut:
                return None
        # clean_text turns whitespace into spaces (the non-ASCII ones went through the Rust runs above)
        return text.lower().replace("\n", " ").replace("\t", " ").replace("\r", " ")

    def normalize_exact(self, text: str) -> str:
        """The normalizer's output: the shortcut when it applies, else the tokenizer's own normalizer."""
        out = self.normalize(text)
        if out is None:
            return self._normalizer.normalize_str(text) if self._normalizer is not None else text
        return out

    def encode(self, texts: list[str]) -> list[list[int]]:
        """Ids of each text, without [CLS]/[SEP]."""
        if self.bare is None:
            return [e.ids for e in self._encode_full(texts, add_special_tokens=False)]
        cache = self._words
        get = cache.get
        looked_up: list[tuple[list[str], list[tuple[int, ...] | None]] | None] = []
        missing: set[str] = set()
        slow = []
        for i, text in enumerate(texts):
            normalized = self.normalize(text)
            if normalized is None:
                slow.append(i)
                looked_up.append(None)
                continue
            words = normalized.split()  # only " " is whitespace after normalization
            found = list(map(get, words))
            if None in found:
                missing.update(set(words).difference(cache))
            looked_up.append((words, found))
            self.stats["words"] += len(words)

        new: dict[str, tuple[int, ...]] = {}
        if missing:
            unseen = sorted(missing)  # sorted: the same words get cached whatever the hash seed
            self.stats["word_misses"] += len(unseen)
            # one input per word would cost a Rust Encoding each: encode chunks of words as pre-split input and
            # regroup the ids by word_ids, which then index the words of the chunk
            chunks = [unseen[i : i + self._MISS_CHUNK] for i in range(0, len(unseen), self._MISS_CHUNK)]
            for chunk, enc in zip(
                chunks, self.bare.encode_batch(chunks, is_pretokenized=True, add_special_tokens=False), strict=True
            ):
                groups: list[list[int]] = [[] for _ in chunk]
                for token, word in zip(enc.ids, enc.word_ids, strict=True):
                    groups[word].append(token)
                new.update(zip(chunk, map(tuple, groups), strict=True))
            room = self.max_cached_words - len(cache)
            cache.update(new if room >= len(new) else {w: new[w] for w in unseen[: max(room, 0)]})
        out: list[list[int]] = []
        for item in looked_up:
            if item is None:
                out.append([])
                continue
            words, found = item
            if None in found:
                found = list(map(get, words))  # most misses are cached now
                if None in found:  # the cache is full
                    found = [f if f is not None else new[w] for w, f in zip(words, found, strict=True)]
            out.append(list(chain.from_iterable(found)))
        if slow:
            for i, e in zip(slow, self._encode_full([texts[i] for i in slow], add_special_tokens=False), strict=True):
                out[i] = e.ids
        return out


class _NoShortcut(Exception):
    pass


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
