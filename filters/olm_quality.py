"""The OLM / BigScience English quality filters, and OLM's optional text edits.

Definitions and English thresholds are BigScience's data-preparation filters (`ac_dc/filtering.py`,
`parameters_filtering_en`), which OLM ran on CC-MAIN-2022-33/49. Applied in this order, first failure rejects:

| check | statistic | keeps when | drop reason |
|---|---|---|---|
| word count | number of words (`words.split_words`) | 20 <= n <= 100,000 | `olm_word_count` |
| char 10-gram repetition | sum of the k most frequent 10-grams / all 10-grams, k = min(floor(sqrt(#distinct)), #distinct with freq > 1) | <= 0.106 | `olm_char_repetition` |
| word 5-gram repetition | sum of freq of 5-grams with freq > 1 / all 5-grams | <= 0.19 | `olm_word_repetition` |
| special characters | special chars (`words.special_characters()`) / chars | <= 0.4 | `olm_special_characters` |
| stop words | stop words / words | >= 0.3 | `olm_stopwords` |
| flagged words | flagged words / words | <= 0.01 | `olm_flagged_words` |

OLM's perplexity <= 1500 cut and its fastText language ID live in their own steps (`perplexity`, `language`).

Why ONE step (`OlmQualityFilter`) instead of six: the statistics share work (one word tokenization feeds four
of them; the original split each document four times) and one step costs one generator hop per document. The step still reports one named drop reason per check (datatrove counts `dropped_<reason>`), so the
funnel in the stats is the same as with six steps, and any check is switched off by passing None.

Implementation notes (where we differ from the original code, and why):
- n-gram counting hashes each n-gram to 64 bits with numpy (a polynomial hash over splitmix64-mixed symbols)
  instead of a Python dict of substrings: ~10x faster. Two distinct n-grams of one document share a hash
  with probability ~m^2 / 2^65 for m n-grams (~3e-10 for a 100 KB document); a shared hash would merge their
  counts. Results are deterministic.
- The char-repetition k is min(floor(sqrt(D)), #distinct n-grams with freq > 1), our default
  (`char_repetition_k="repeated"`). That is what BigScience's code computes: `len(freqs) - val_one`, D minus
  the n-grams seen once (data-preparation bbd4235, `Filtering.compute_character_repetition_ratio`), and
  `tests/test_filters_fidelity.py` checks it against numbers that code produced. `"singletons"` (#n-grams
  seen ONCE as the second term) is NOT BigScience's rule; it is kept only as an ablation and scores every
  document with no repetition at all at sqrt(D)/D > 0.
- Word lists: BigScience's English stop words and flagged words by default (package data, see `words.py`);
  spaCy's stop words and datatrove's banned words are selectable by name.

Gopher, C4 and FineWeb quality filters are not re-implemented: `olm_data.filters` re-exports datatrove's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

import numpy as np
from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.formatters.base import BaseFormatter
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.logging import logger

from olm_data.filters.words import (
    FLAGGED_WORD_LISTS,
    STOP_WORD_LISTS,
    count_special_characters,
    english_flagged_words,
    english_stop_words,
    special_characters,
    split_words,
    strip_special_characters,
)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a bijection on uint64 that spreads small symbol ids over all 64 bits, so the
    polynomial n-gram hash below has no structured collisions between nearby code points."""
    z = values.astype(np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def _ngram_counts(symbols: np.ndarray, n: int) -> np.ndarray:
    """How often each distinct n-gram of the symbol sequence occurs (order unspecified), via 64-bit hashes."""
    mixed = _mix(symbols)
    m = len(mixed) - n + 1
    h = mixed[:m].copy()
    for j in range(1, n):
        h *= _GOLDEN  # wraps mod 2^64
        h += mixed[j : j + m]
    h.sort()
    starts = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1])))
    return np.diff(np.append(starts, m))


def char_repetition_ratio(text: str, n: int = 10, k_rule: Literal["repeated", "singletons"] = "repeated") -> float:
    """Share of all character n-grams taken by the k most frequent ones (BigScience's character repetition).

    k = min(floor(sqrt(#distinct n-grams)), #distinct n-grams with freq > 1), as BigScience's code computes it;
    `k_rule="singletons"` (an ablation, not BigScience's rule) uses #distinct n-grams with freq == 1 as the
    second term. 0.0 when the text is shorter than n.
    """
    if len(text) < n:
        return 0.0
    codepoints = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    counts = _ngram_counts(codepoints, n)
    total = len(codepoints) - n + 1
    repeated = counts[counts > 1]
    second = len(repeated) if k_rule == "repeated" else len(counts) - len(repeated)
    k = min(math.isqrt(len(counts)), second)
    if k <= 0:
        return 0.0
    if k >= len(repeated):  # all repeated n-grams, then (k - #repeated) n-grams of frequency 1
        top = int(repeated.sum()) + (k - len(repeated))
    else:
        top = int(np.partition(repeated, len(repeated) - k)[-k:].sum())
    return top / total


def word_repetition_ratio(words: tuple[str, ...] | list[str], n: int = 5) -> float:
    """Share of word n-grams that occur more than once in the document (counted with multiplicity)."""
    total = len(words) - n + 1
    if total <= 0:
        return 0.0
    first_seen: dict[str, int] = {}
    # a word's id is the position of its first occurrence: a C-level loop, same id for the same word
    ids = np.fromiter(map(first_seen.setdefault, words, range(len(words))), dtype=np.uint64, count=len(words))
    counts = _ngram_counts(ids, n)
    return int(counts[counts > 1].sum()) / total


def special_character_ratio(text: str) -> float:
    """Share of the characters of `text` that are special characters (punctuation, digits, whitespace, ...)."""
    return count_special_characters(text) / len(text) if text else 0.0


def word_list_ratio(words: tuple[str, ...] | list[str], vocabulary: frozenset[str]) -> float:
    """Share of `words` that are in `vocabulary` (stop words, flagged words); 0.0 for no words."""
    if not words:
        return 0.0
    return sum(map(vocabulary.__contains__, words)) / len(words)


class OlmQualityFilter(BaseFilter):
    """The six OLM/BigScience English quality checks in one pass; one named drop reason per check.

    Args:
        min_words, max_words: word-count bounds (inclusive); None disables that bound.
        max_char_repetition: max character n-gram repetition ratio; None disables the check.
        char_ngram: n of the character n-grams.
        char_repetition_k: "repeated" (BigScience's definition and code) or "singletons" (an ablation: the
            number of n-grams seen once as the second term of k; not what BigScience ran).
        max_word_repetition: max word n-gram repetition ratio; None disables the check.
        word_ngram: n of the word n-grams.
        max_special_ratio: max special-character ratio; None disables the check.
        min_stopword_ratio: min stop-word ratio; None disables the check.
        max_flagged_ratio: max flagged-word ratio; None disables the check.
        stop_words: a list name, "bigscience" (BigScience's English list, what OLM used) or "spacy", or the
            words themselves.
        flagged_words: a list name, "bigscience" (BigScience's English list, what OLM used) or "datatrove"
            (its hard banned-word list), or the words themselves.
        write_stats: also compute ALL statistics for every document (no early exit) and write them to metadata
            under the check names (`olm_word_count`, ...), e.g. to tune thresholds on a sample.
        exclusion_writer: receives dropped documents with `metadata["filter_reason"]` (`--keep-rejected`).
    """

    name = "🧹 OLM quality"

    def __init__(
        self,
        min_words: int | None = 20,
        max_words: int | None = 100_000,
        max_char_repetition: float | None = 0.106,
        char_ngram: int = 10,
        char_repetition_k: Literal["repeated", "singletons"] = "repeated",
        max_word_repetition: float | None = 0.19,
        word_ngram: int = 5,
        max_special_ratio: float | None = 0.4,
        min_stopword_ratio: float | None = 0.3,
        max_flagged_ratio: float | None = 0.01,
        stop_words: Literal["bigscience", "spacy"] | Iterable[str] = "bigscience",
        flagged_words: Literal["bigscience", "datatrove"] | Iterable[str] = "bigscience",
        write_stats: bool = False,
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        if char_repetition_k not in ("repeated", "singletons"):
            raise ValueError(f"char_repetition_k must be 'repeated' or 'singletons', not {char_repetition_k!r}")
        self.min_words = min_words
        self.max_words = max_words
        self.max_char_repetition = max_char_repetition
        self.char_ngram = char_ngram
        self.char_repetition_k = char_repetition_k
        self.max_word_repetition = max_word_repetition
        self.word_ngram = word_ngram
        self.max_special_ratio = max_special_ratio
        self.min_stopword_ratio = min_stopword_ratio
        self.max_flagged_ratio = max_flagged_ratio
        if isinstance(stop_words, str) and stop_words not in STOP_WORD_LISTS:
            raise ValueError(f"stop_words must be one of {STOP_WORD_LISTS} or a list of words, not {stop_words!r}")
        if isinstance(flagged_words, str) and flagged_words not in FLAGGED_WORD_LISTS:
            raise ValueError(
                f"flagged_words must be one of {FLAGGED_WORD_LISTS} or a list of words, not {flagged_words!r}"
            )
        # a list name is resolved lazily (in the worker), so the step pickles cheaply
        self._stop_words = stop_words if isinstance(stop_words, str) else frozenset(w.lower() for w in stop_words)
        self._flagged_words = (
            flagged_words if isinstance(flagged_words, str) else frozenset(w.lower() for w in flagged_words)
        )
        self.write_stats = write_stats
        self._warned_bad_text = False

    @property
    def stop_words(self) -> frozenset[str]:
        if isinstance(self._stop_words, str):
            self._stop_words = english_stop_words(self._stop_words)
        return self._stop_words

    @property
    def flagged_words(self) -> frozenset[str]:
        if isinstance(self._flagged_words, str):
            self._flagged_words = english_flagged_words(self._flagged_words)
        return self._flagged_words

    def _checks(self, text: str):
        """Yield (reason, statistic, passed) in OLM's order; the caller stops at the first failure."""
        words = split_words(text)
        n = len(words)
        yield (
            "olm_word_count",
            n,
            (self.min_words is None or n >= self.min_words) and (self.max_words is None or n <= self.max_words),
        )
        if self.max_char_repetition is not None or self.write_stats:
            r = char_repetition_ratio(text, self.char_ngram, self.char_repetition_k)
            yield "olm_char_repetition", r, self.max_char_repetition is None or r <= self.max_char_repetition
        if self.max_word_repetition is not None or self.write_stats:
            r = word_repetition_ratio(words, self.word_ngram)
            yield "olm_word_repetition", r, self.max_word_repetition is None or r <= self.max_word_repetition
        if self.max_special_ratio is not None or self.write_stats:
            r = special_character_ratio(text)
            yield "olm_special_characters", r, self.max_special_ratio is None or r <= self.max_special_ratio
        if self.min_stopword_ratio is not None or self.write_stats:
            r = word_list_ratio(words, self.stop_words)
            yield "olm_stopwords", r, self.min_stopword_ratio is None or r >= self.min_stopword_ratio
        if self.max_flagged_ratio is not None or self.write_stats:
            r = word_list_ratio(words, self.flagged_words)
            yield "olm_flagged_words", r, self.max_flagged_ratio is None or r <= self.max_flagged_ratio

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        """Keep the document, or drop it with the name of the first check it fails."""
        text = doc.text
        if not isinstance(text, str):
            if not self._warned_bad_text:
                logger.warning(f"{self.name}: document {doc.id!r} has no text ({type(text).__name__}); dropped")
                self._warned_bad_text = True
            return False, "olm_no_text"
        failed = None
        for reason, value, passed in self._checks(text):
            if self.write_stats:
                doc.metadata[reason] = value
            elif not passed:
                return False, reason
            if not passed and failed is None:
                failed = reason
        return (False, failed) if failed else True


# BigScience's `uniform_whitespace` list: these become a plain space (as code points: several are invisible)
_UNIFORM_WHITESPACE = {
    cp: " " for cp in (0x2009, 0x200A, 0x202F, 0x2005, 0x3000, 0x2002, 0x00A0, 0x2008, 0x2003, 0xFFFC, 0x0084)
}


class OlmTextEdits(BaseFormatter):
    """OLM's text edits before filtering: uniform whitespace, drop URL-ish words, drop words over 25 chars.

    On by default in the CC pipelines, before the filters, as OLM ran it (`--no-text-edits` publishes the raw
    text instead): it rewrites `doc.text`, so every later statistic, the dedup keys and the published text
    see the edited text. Follows BigScience's `ModifyingDocuments.modifying_documents` for English: strip the
    document, map exotic spaces to " ", then split lines on "\\n", fields on "\\t" and words on " "; drop a
    word if, stripped of special characters, it contains any of `incorrect_substrings` (case-sensitive, as in
    the original), or if it is longer than `max_word_length` even after stripping; re-join, which also
    collapses runs of spaces and removes empty lines and fields. A document can end up empty: the quality
    filter's word count drops it later. Counts `olm_edited` documents in the stats.

    Args:
        incorrect_substrings: a word containing any of these is removed; None or () disables.
        max_word_length: words longer than this (also after stripping) are removed; None disables.
    """

    name = "✂️ OLM text edits"

    def __init__(
        self,
        incorrect_substrings: Iterable[str] | None = ("http", "www", ".com", "href", "//"),
        max_word_length: int | None = 25,
    ):
        super().__init__()
        self.incorrect_substrings = tuple(incorrect_substrings or ())
        self.max_word_length = max_word_length

    def _keep_word(self, word: str, special: frozenset[str]) -> bool:
        stripped = None
        if self.incorrect_substrings:
            stripped = strip_special_characters(word, special)
            if any(s in stripped for s in self.incorrect_substrings):
                return False
        if self.max_word_length is not None and len(word) > self.max_word_length:
            stripped = strip_special_characters(word, special) if stripped is None else stripped
            return 0 < len(stripped) <= self.max_word_length
        return True

    def edit(self, text: str) -> str:
        """The edited text (may be empty)."""
        text = text.strip()
        if not text:
            return text
        text = text.translate(_UNIFORM_WHITESPACE)
        special = special_characters()
        lines = []
        for line in text.split("\n"):
            fields = []
            for field in line.split("\t"):
                kept = [w for w in field.split(" ") if w and self._keep_word(w, special)]
                if kept:
                    fields.append(" ".join(kept))
            if fields:
                lines.append("\t".join(fields))
        return "\n".join(lines)

    def format(self, text: str) -> str:
        """The edited text; non-text input passes through untouched."""
        if not isinstance(text, str):
            return text
        edited = self.edit(text)
        if edited != text:
            self.stat_update("olm_edited")
        return edited
