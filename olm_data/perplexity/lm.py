"""The reference LM: train it (normalize -> SentencePiece -> 5-gram modified Kneser-Ney), find it, score with it.

An LM folder holds what scoring needs, so that `--lm PATH` can point at ours or at anyone's KenLM model:

    lm/
      card.json    written by `olm-data lm train`: training data, token count, order, vocab size, sha256 per file
      model.arpa   the KenLM model: ARPA text (ours) or a KenLM binary (`*.bin`, `*.binary`, `*.arpa.bin`)
      sp.model     the SentencePiece model the LM's training text was tokenized with

A folder without `card.json` works when it holds exactly one KenLM model (`*.arpa`, `*.arpa.bin`, `*.bin`,
`*.binary`) and exactly one SentencePiece model (`*.model`), e.g. CCNet's `en.arpa.bin` + `en.sp.model` (the
models OLM's perplexity column used). Text is normalized the CCNet way before tokenization in every case, which
is what those models expect.

Scoring follows CCNet (`cc_net/perplexity.py`): per line, normalize, SentencePiece pieces, KenLM log10 probability
with `<s>`/`</s>`; the document's perplexity is 10^(-sum log10 p / sum (pieces + 1)). Unlike CCNet's pipeline,
which normalizes the whole document first (and so deletes its newlines, scoring it as one line), lines stay
lines; empty lines are skipped.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datatrove.utils.logging import logger

from olm_data.errors import UsageError
from olm_data.manifest import sha256_file
from olm_data.perplexity.ngram import (
    DEFAULT_DISCOUNT_FALLBACK,
    DiscountError,
    NgramCounter,
    Vocabulary,
    estimate_kneser_ney,
    parse_prune,
)
from olm_data.perplexity.normalize import split_lines

__all__ = [
    "CARD_NAME",
    "LMFiles",
    "PerplexityModel",
    "iter_documents",
    "resolve_lm",
    "train_lm",
]

CARD_NAME = "card.json"
ARPA_NAME = "model.arpa"
SP_NAME = "sp.model"
CARD_FORMAT = "olm-data-lm/1"
DEFAULT_VOCAB_SIZE = 65536  # CCNet's
DEFAULT_SP_SENTENCES = 1_000_000
_KENLM_SUFFIXES = (".arpa", ".bin", ".binary")
_ENCODE_BATCH = 4096  # lines per SentencePiece call


# ---------------------------------------------------------------------------------------------------------------
# Reading training text


def iter_documents(inputs: Sequence[str | os.PathLike[str]]) -> Iterator[str]:
    """Texts of the documents in parquet files (datatrove's writer output), JSON lines, or plain text files.

    The corpus reader the trainer shares (`olm_data.corpus`): folders read recursively in sorted order, bad lines
    and unreadable rest-of-files skipped, counted and logged once per file; a plain text file is a document per
    line (the LM only sees lines anyway).
    """
    from olm_data.corpus import CorpusReader, list_input_files

    for batch in CorpusReader(batch_size=1024).iter_texts(list_input_files(inputs)):
        yield from batch


def _iter_lines(
    inputs: Sequence[str | os.PathLike[str]], max_docs: int | None, stats: dict[str, int]
) -> Iterator[str]:
    for text in itertools.islice(iter_documents(inputs), max_docs):
        stats["documents"] += 1
        lines = split_lines(text)
        stats["lines"] += len(lines)
        yield from lines


# ---------------------------------------------------------------------------------------------------------------
# Training


def _train_sentencepiece(lines: Iterator[str], vocab_size: int, seed: int, sentences: int, threads: int) -> bytes:
    import sentencepiece as spm

    spm.set_random_generator_seed(seed)
    model = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=lines,
            model_writer=model,
            model_type="unigram",
            vocab_size=vocab_size,
            hard_vocab_limit=False,  # a small corpus yields a smaller vocabulary instead of an error
            character_coverage=0.9995,  # CCNet's
            input_sentence_size=sentences,
            shuffle_input_sentence=True,
            num_threads=threads,  # the model depends on the thread count, so it is fixed, not the machine's
            minloglevel=2,
        )
    except RuntimeError as e:  # e.g. a vocabulary smaller than the corpus's characters
        raise UsageError(f"SentencePiece training failed: {e}") from e
    return model.getvalue()


class _PieceIds:
    """SentencePiece ids -> n-gram vocabulary ids, with lmplz's view of unknown characters.

    lmplz reads the tokenized text, so a piece SentencePiece cannot represent (its `<unk>`) is a word of its own,
    spelled as the original characters; KenLM then knows it by that spelling at scoring time. Ids are mapped with
    one numpy gather; only lines containing `<unk>` are re-encoded as strings to recover the spellings.
    """

    def __init__(self, sp: Any, vocab: Vocabulary) -> None:
        self.sp = sp
        self.vocab = vocab
        self.unk = sp.unk_id()
        table = np.full(sp.get_piece_size(), -1, dtype=np.int64)
        for i in range(sp.get_piece_size()):
            if not (sp.is_control(i) or sp.is_unknown(i)):
                table[i] = vocab.add(sp.id_to_piece(i))
        self.table = table

    def encode(self, lines: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Flat n-gram vocabulary ids of the lines' pieces, and the number of pieces per line."""
        pieces = self.sp.encode(lines, out_type=int, num_threads=1)
        lengths = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
        flat = np.fromiter(itertools.chain.from_iterable(pieces), dtype=np.int64, count=int(lengths.sum()))
        ids = self.table[flat]
        unknown = ids < 0
        if not unknown.any():
            return ids, lengths
        ends = np.cumsum(lengths)
        starts = ends - lengths
        for i in np.flatnonzero(_segment_sum(unknown, starts, ends)):
            surface = self.sp.encode(lines[i], out_type=str)
            for j in np.flatnonzero(unknown[starts[i] : ends[i]]):
                ids[starts[i] + j] = self.vocab.add(surface[j])
        keep = ids >= 3  # a surface spelled like <s>, </s> or <unk> is whitespace, as with lmplz --skip_symbols
        if not keep.all():
            lengths = _segment_sum(keep, starts, ends)
            ids = ids[keep]
        return ids, lengths


def _segment_sum(flags: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many flags are set in each [start, end) segment (segments may be empty, unlike np.add.reduceat)."""
    total = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
    return total[ends] - total[starts]


def train_lm(
    inputs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    order: int = 5,
    vocab_size: int = DEFAULT_VOCAB_SIZE,
    prune: Sequence[int] | None = None,
    discount_fallback: bool = True,
    seed: int = 0,
    max_docs: int | None = None,
    sp_sentences: int = DEFAULT_SP_SENTENCES,
    sp_threads: int = 4,
    chunk_tokens: int = 1 << 22,
) -> Path:
    """Train the reference LM folder (`card.json`, `model.arpa`, `sp.model`) on documents; returns the folder.

    Args:
        inputs: files or folders of documents (see `iter_documents`), e.g. the Wikipedia pipeline's output.
        output: the LM folder; files already there are replaced.
        order: n-gram order (CCNet: 5).
        vocab_size: SentencePiece vocabulary (CCNet: 65536); smaller corpora get as many pieces as they support.
        prune: lmplz `--prune` thresholds per order (e.g. `[0, 0, 1]`); None keeps every n-gram (CCNet's choice).
        discount_fallback: use lmplz's fallback discounts (0.5, 1, 1.5) for orders whose counts are degenerate
            (CCNet ran lmplz with `--discount_fallback`); False raises instead.
        seed: SentencePiece's sampling seed.
        max_docs: read at most this many documents.
        sp_sentences: lines SentencePiece trains on (sampled when there are more).
        sp_threads: SentencePiece training threads; the model depends on it, so it is recorded in the card.
        chunk_tokens: tokens counted per chunk (memory while counting ~ 50 bytes per token of a chunk).
    """
    import sentencepiece as spm

    if order < 2:
        raise UsageError(f"--order must be at least 2, got {order}")
    if vocab_size < 8:
        raise UsageError(f"--vocab-size must be at least 8, got {vocab_size}")
    try:
        thresholds = parse_prune(prune, order)
    except ValueError as e:
        raise UsageError(f"--prune: {e}") from e
    from olm_data.corpus import list_input_files

    files = list_input_files(inputs)  # fail before any work on a bad path
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)

    logger.info(f"LM: training SentencePiece (unigram, vocab {vocab_size}) on {len(files)} file(s)")
    sp_stats = {"documents": 0, "lines": 0}
    sp_bytes = _train_sentencepiece(_iter_lines(files, max_docs, sp_stats), vocab_size, seed, sp_sentences, sp_threads)
    if sp_stats["lines"] == 0:
        raise UsageError(f"no text found in {', '.join(map(str, inputs))}")
    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)

    logger.info(f"LM: counting {order}-grams of {sp_stats['lines']} lines")
    vocab = Vocabulary()
    pieces = _PieceIds(sp, vocab)
    stats = {"documents": 0, "lines": 0}
    with tempfile.TemporaryDirectory(prefix=".ngram-", dir=out) as spill:
        counter = NgramCounter(order, vocab=vocab, chunk_tokens=chunk_tokens, spill_dir=spill)
        lines = _iter_lines(files, max_docs, stats)
        while batch := list(itertools.islice(lines, _ENCODE_BATCH)):
            counter.add_ids(*pieces.encode(batch))
        counts = counter.counts()
    try:
        model = estimate_kneser_ney(
            counts, prune=thresholds, discount_fallback=DEFAULT_DISCOUNT_FALLBACK if discount_fallback else None
        )
    except DiscountError as e:
        raise UsageError(f"{e} (olm-data lm train --discount-fallback)") from e
    del counts

    arpa_tmp = out / (ARPA_NAME + ".tmp")
    model.write_arpa(arpa_tmp)
    os.replace(arpa_tmp, out / ARPA_NAME)
    (out / SP_NAME).write_bytes(sp_bytes)
    from olm_data import __version__

    card = {
        "format": CARD_FORMAT,
        "created_by": f"olm-data {__version__}",
        "kenlm_model": ARPA_NAME,
        "sentencepiece_model": SP_NAME,
        "normalization": "ccnet",
        "training_data": {
            "inputs": [str(i) for i in inputs],
            "documents": stats["documents"],
            "lines": stats["lines"],
            "tokens": model.tokens,
            "max_docs": max_docs,
        },
        "sentencepiece": {
            "model_type": "unigram",
            "requested_vocab_size": vocab_size,
            "vocab_size": sp.get_piece_size(),
            "character_coverage": 0.9995,
            "input_sentence_size": sp_sentences,
            "threads": sp_threads,
            "seed": seed,
        },
        "ngram": {
            "order": order,
            "smoothing": "interpolated modified Kneser-Ney (lmplz-compatible, olm_data.perplexity.ngram)",
            "vocab_size": len(model.vocab),
            "ngrams": [model.size(k) for k in range(1, order + 1)],
            "prune": thresholds,
            "discounts": [list(d) for d in model.discounts[1:]],
            "discount_fallback_used": model.discount_fallback_used[1:],
            "counts_of_counts": model.counts_of_counts[1:],
        },
        "files": {
            name: {"sha256": sha256_file(out / name), "bytes": (out / name).stat().st_size}
            for name in (ARPA_NAME, SP_NAME)
        },
    }
    (out / CARD_NAME).write_text(json.dumps(card, indent=2) + "\n")
    logger.info(
        f"LM: {order}-gram model with {len(model.vocab)} words, n-grams {card['ngram']['ngrams']}, "
        f"{model.tokens} tokens -> {out}"
    )
    return out


# ---------------------------------------------------------------------------------------------------------------
# Finding and using an LM folder


@dataclass(frozen=True)
class LMFiles:
    """The two model files of an LM folder (and its card, when it has one)."""

    folder: Path
    kenlm_model: Path
    sp_model: Path
    card: dict[str, Any] | None


def resolve_lm(path: str | os.PathLike[str]) -> LMFiles:
    """Find the KenLM and SentencePiece models in an LM folder (layout in the module docstring)."""
    folder = Path(path)
    if not folder.is_dir():
        raise UsageError(
            f"--lm {folder}: not a folder, so no reference LM there; train one with `olm-data lm train` or "
            "pipelines/wikipedia_20221220.py, or give a folder with one KenLM model and one SentencePiece model"
        )
    card_path = folder / CARD_NAME
    if card_path.is_file():
        try:
            card = json.loads(card_path.read_text())
            files = LMFiles(folder, folder / card["kenlm_model"], folder / card["sentencepiece_model"], card)
        except (ValueError, KeyError, TypeError) as e:
            raise UsageError(f"--lm {folder}: unreadable {CARD_NAME}: {e}") from e
        for f in (files.kenlm_model, files.sp_model):
            if not f.is_file():
                raise UsageError(f"--lm {folder}: {CARD_NAME} names {f.name}, which is missing")
        return files
    kenlm_models = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(_KENLM_SUFFIXES))
    sp_models = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(".model"))
    if len(kenlm_models) != 1 or len(sp_models) != 1:
        raise UsageError(
            f"--lm {folder}: expected one KenLM model (*.arpa, *.bin, *.binary) and one SentencePiece model "
            f"(*.model), found {[p.name for p in kenlm_models]} and {[p.name for p in sp_models]}"
        )
    return LMFiles(folder, kenlm_models[0], sp_models[0], None)


class PerplexityModel:
    """CCNet document perplexity with an LM folder; the models load on first use, so the object pickles cheaply.

    The folder is only looked at on first use too: a pipeline can build the scoring step before an earlier stage
    of the same run has written the LM.

    Args:
        lm: an LM folder (see the module docstring).
    """

    def __init__(self, lm: str | os.PathLike[str]) -> None:
        self.lm = os.fspath(lm)
        self._files: LMFiles | None = None
        self._kenlm = None
        self._sp = None

    def __getstate__(self) -> dict[str, Any]:
        return {"lm": self.lm, "_files": self._files, "_kenlm": None, "_sp": None}

    @property
    def files(self) -> LMFiles:
        if self._files is None:
            self._files = resolve_lm(self.lm)
        return self._files

    @property
    def kenlm(self) -> Any:
        if self._kenlm is None:
            try:
                import kenlm
            except ImportError as e:
                raise UsageError("scoring needs the kenlm module: pip install kenlm") from e
            try:
                self._kenlm = kenlm.Model(str(self.files.kenlm_model))
            except (OSError, RuntimeError) as e:
                raise UsageError(f"cannot load the KenLM model {self.files.kenlm_model}: {str(e)[:300]}") from e
        return self._kenlm

    @property
    def sp(self) -> Any:
        if self._sp is None:
            import sentencepiece as spm

            try:
                self._sp = spm.SentencePieceProcessor(model_file=str(self.files.sp_model))
            except (OSError, RuntimeError) as e:
                raise UsageError(f"cannot load the SentencePiece model {self.files.sp_model}: {e}") from e
        return self._sp

    def score_lines(self, lines: list[str]) -> tuple[float, int]:
        """Sum of log10 p over already-normalized lines, and the CCNet length (pieces + 1 per line)."""
        if not lines:
            return 0.0, 0
        model = self.kenlm
        log10_sum, length = 0.0, 0
        for pieces in self.sp.encode(lines, out_type=str, num_threads=1):
            log10_sum += model.score(" ".join(pieces), bos=True, eos=True)
            length += len(pieces) + 1
        return log10_sum, length

    def perplexity(self, text: str) -> float | None:
        """The document's perplexity 10^(-sum log10 p / sum (pieces + 1)); None when it has no text."""
        log10_sum, length = self.score_lines(split_lines(text))
        if length == 0:
            return None
        return 10.0 ** (-log10_sum / length)


@dataclass
class _TrainAction:
    """The in-process LM training stage (a plain object, so the Stage is easy to inspect)."""

    inputs: list[str]
    output: str
    options: dict[str, Any]

    def __call__(self, run: Any = None) -> None:
        from olm_data.corpus import holds_no_documents

        if holds_no_documents(self.inputs):  # an empty result upstream: nothing to train on, nothing to score later
            print(f"      no documents to train the LM on in {', '.join(self.inputs)}: no LM written", file=sys.stderr)
            return
        train_lm(self.inputs, self.output, **self.options)


def lm_train_stage(input_folder: str, lm_folder: str, name: str = "lm", **options: Any) -> Any:
    """A pipeline stage that trains the LM folder from a stage's output (e.g. the Wikipedia articles).

    Args:
        input_folder: documents to train on (parquet folder, JSON lines or text).
        lm_folder: the LM folder to write.
        name: stage name.
        options: `train_lm` keyword arguments (order, vocab_size, prune, seed, ...).
    """
    from olm_data.stage import Stage

    return Stage(name, action=_TrainAction([input_folder], lm_folder, options))
