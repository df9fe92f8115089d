"""Modified Kneser-Ney n-gram estimation the way KenLM's `lmplz` does it, in numpy, written as an ARPA file.

No registry package ships `lmplz` (the PyPI `kenlm` only queries models), so this module is the estimator. It
reproduces lmplz's model (KenLM `lm/builder`: corpus_count, adjust_counts, initial_probabilities, interpolate),
not a textbook variant:

- Each line is a sentence `<s> w1 .. wn </s>`. Every n-gram (n <= order) inside a sentence is counted. `<s>` is
  only ever context: it gets no count of its own and probability 1 (log10 0) in the ARPA file. The literal words
  `<s>`, `</s>` and `<unk>` in the input are treated as whitespace (lmplz `--skip_symbols`).
- Adjusted counts: the highest order keeps its raw counts; a lower-order n-gram's count is the number of distinct
  words seen to its left (`<s>` counts as a word), except n-grams that start with `<s>`, which keep raw counts.
- Discounts D1, D2, D3+ per order from the count-of-counts of adjusted counts (Chen & Goodman eq. 26). When they
  cannot be computed (no singletons/doubletons, or out of range: tiny or artificial data) `discount_fallback`
  substitutes fixed ones (lmplz's default 0.5, 1, 1.5); without it the estimator refuses, as lmplz does.
- Interpolation: p(w|c) = (a(cw) - D(a(cw))) / sum_x a(cx) + gamma(c) p(w|c'), gamma(c) = (D1 N1(c) + D2 N2(c) +
  D3 N3+(c)) / sum_x a(cx); unigrams interpolate with the uniform distribution over the vocabulary (with
  `<unk>`, without `<s>`), so `<unk>` gets only the interpolated mass. The ARPA backoff of c is gamma(c).
- Pruning (`prune`, lmplz `--prune`): thresholds per order on raw counts, non-decreasing, unigrams never. A pruned
  n-gram's adjusted count moves into its context's backoff mass, so every context still sums to one.

Checked against lmplz built from KenLM's source (`tests/test_perplexity_ngram.py::test_same_model_as_lmplz`
runs when `lmplz` is installed): the same n-grams, log10 probabilities and backoffs within 1e-6, with and without
pruning and the discount fallback, on word and SentencePiece corpora. Like lmplz, the model stores float32
(the arithmetic is float64). One possible difference, never observed: lmplz's final flush in `adjust_counts.cc`
puts the last n-gram of each lower order into the count-of-counts with its raw instead of its adjusted count.

Written for scale, without nested dicts: an n-gram table of order k is four numpy columns sorted by
(prefix, word): `prefix`, the row of its first k-1 words in the order k-1 table (a trie, as in KenLM's trie
format), `word`, its raw `count`, and `suffix`, the row of its last k-1 words. Counting runs chunk by chunk: a
chunk's n-grams of order k are packed into uint64 keys (prefix row << word bits | word) and counted with one
sort each (the position rides in the low bits of the sort key, ~8x faster than numpy's argsort-based
`unique(return_inverse=True)`); the suffix row is read off at the same position. Chunks are counted
independently (optionally spilled to .npy files) and merged order by order, so counting memory is bounded by
the chunk size and the merged tables, not by the corpus. Estimation is a handful of vectorized passes per order
(bincount, gathers). Peak memory is about 40 bytes per distinct n-gram (3.1 GB for a 50 M-token corpus with
81 M n-grams; lmplz -S 1G streams through disk in 1 GB), CPU time on par with lmplz (benchmarks/perplexity.py).
"""

from __future__ import annotations

import itertools
import math
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from datatrove.utils.logging import logger

__all__ = [
    "BOS",
    "EOS",
    "UNK",
    "DiscountError",
    "NgramCounter",
    "NgramCounts",
    "NgramModel",
    "Vocabulary",
    "estimate_kneser_ney",
    "parse_prune",
]

UNK, BOS, EOS = 0, 1, 2  # lmplz's ids for the special words
SPECIAL_WORDS = ("<unk>", "<s>", "</s>")
DEFAULT_DISCOUNT_FALLBACK = (0.5, 1.0, 1.5)
_ARPA_BLOCK = 1 << 20  # n-grams formatted per block when writing ARPA
_TABLE_COLUMNS = ("prefix", "word", "count", "suffix")


class DiscountError(ValueError):
    """Kneser-Ney discounts cannot be estimated from these counts (tiny or artificial data)."""


class Vocabulary:
    """Word strings <-> ids; ids 0, 1, 2 are `<unk>`, `<s>`, `</s>` like lmplz's."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words: list[str] = list(SPECIAL_WORDS)
        self.index: dict[str, int] = {w: i for i, w in enumerate(self.words)}
        for word in words:
            self.add(word)

    def add(self, word: str) -> int:
        """The id of `word`, adding it if new."""
        found = self.index.get(word)
        if found is None:
            found = self.index[word] = len(self.words)
            self.words.append(word)
        return found

    def __len__(self) -> int:
        return len(self.words)


# ---------------------------------------------------------------------------------------------------------------
# Counting


def _small(array: np.ndarray, bound: int | None = None) -> np.ndarray:
    """The array as int32 when its values (or `bound`) fit, else int64: halves the memory of the tables."""
    bound = (int(array.max()) if len(array) else 0) if bound is None else bound
    return array.astype(np.int32 if bound < 2**31 else np.int64, copy=False)


def _bits(n: int) -> int:
    return max(1, int(n - 1).bit_length()) if n > 1 else 1


def _group(keys: np.ndarray, need_order: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Sort uint64 keys: (distinct keys, start of each run in sorted order, sorting permutation or None).

    With `need_order`, the permutation comes from sorting `key << pos_bits | position` when that fits in 64 bits:
    one plain sort instead of an argsort. Ties cannot occur (positions differ), so the result is deterministic.
    """
    n = len(keys)
    if n == 0:
        return keys, np.zeros(0, np.intp), (np.zeros(0, np.intp) if need_order else None)
    order = None
    if need_order:
        pos_bits = _bits(n)
        if int(keys.max()).bit_length() + pos_bits <= 64:
            packed = keys << np.uint64(pos_bits)
            packed |= np.arange(n, dtype=np.uint64)
            packed.sort()
            order = (packed & np.uint64((1 << pos_bits) - 1)).astype(np.intp)
            packed >>= np.uint64(pos_bits)
            sorted_keys = packed
        else:  # huge vocabularies or chunks: the general (slower) path
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
    else:
        sorted_keys = np.sort(keys)
    boundary = np.empty(n, dtype=bool)
    boundary[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=boundary[1:])
    starts = np.flatnonzero(boundary)
    return sorted_keys[starts], starts, order


def _inverse(starts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Group index of every input key, from `_group`'s run starts and permutation."""
    gid = np.zeros(len(order), dtype=np.int64)
    gid[starts[1:]] = 1
    np.cumsum(gid, out=gid)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = gid
    return inverse


def _run_lengths(starts: np.ndarray, n: int) -> np.ndarray:
    return np.diff(np.append(starts, n)).astype(np.int64)


def _split_key(keys: np.ndarray, wbits: int) -> tuple[np.ndarray, np.ndarray]:
    return (keys >> np.uint64(wbits)).astype(np.int64), (keys & np.uint64((1 << wbits) - 1)).astype(np.int32)


def _pack(prefix: np.ndarray, word: np.ndarray, wbits: int) -> np.ndarray:
    keys = prefix.astype(np.uint64) << np.uint64(wbits)
    keys |= word.astype(np.uint64)
    return keys


@dataclass
class _Chunk:
    """The n-gram tables of one chunk: unigram counts, then per order >= 2 (prefix, word, count, suffix) sorted."""

    unigram: np.ndarray
    tables: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    folder: Path | None = None

    def spill(self, folder: Path) -> None:
        """Move the tables to .npy files (memory-mapped back when merged)."""
        folder.mkdir(parents=True, exist_ok=True)
        for k, table in enumerate(self.tables, start=2):
            for name, array in zip(_TABLE_COLUMNS, table, strict=True):
                np.save(folder / f"{k}.{name}.npy", array)
        self.tables = []
        self.folder = folder

    def table(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self.folder is None:
            return self.tables[k - 2]
        return tuple(np.load(self.folder / f"{k}.{name}.npy", mmap_mode="r") for name in _TABLE_COLUMNS)


def _count_chunk(tokens: np.ndarray, lengths: np.ndarray, order: int, vocab_size: int) -> _Chunk:
    """Count every n-gram (orders 1..order) of the sentences `tokens` (flat word ids) split by `lengths`."""
    seg = lengths.astype(np.int64) + 2
    total = int(seg.sum())
    starts = np.cumsum(seg) - seg
    seq = np.empty(total, dtype=np.int64)
    inner = np.ones(total, dtype=bool)
    inner[starts] = False
    inner[starts + seg - 1] = False
    seq[inner] = tokens
    seq[starts] = BOS
    seq[starts + seg - 1] = EOS
    del inner
    # position inside the sentence (0 at <s>): an n-gram of order k ends at i iff dist[i] >= k - 1
    dist = (np.arange(total, dtype=np.int64) - np.repeat(starts, seg)).astype(np.int32)
    unigram = np.bincount(seq[dist >= 1], minlength=vocab_size).astype(np.int64)
    wbits = _bits(vocab_size)
    prev = seq  # row, in the previous order's table, of the n-gram ending at each position
    tables = []
    for k in range(2, order + 1):
        pos = np.flatnonzero(dist >= k - 1)
        keys = _pack(prev[pos - 1], seq[pos], wbits)
        uniq, run_starts, perm = _group(keys, need_order=True)
        prefix, word = _split_key(uniq, wbits)
        # the last k-1 words of an n-gram are the (k-1)-gram ending at the same position: its suffix row
        suffix = prev[pos[perm[run_starts]]]
        bound = total  # rows and counts of a chunk are below its length
        tables.append(
            (_small(prefix, bound), word, _small(_run_lengths(run_starts, len(keys)), bound), _small(suffix, bound))
        )
        if k < order:
            current = np.empty(total, dtype=np.int64)  # only positions in `pos` are ever read
            current[pos] = _inverse(run_starts, perm)
            prev = current
        del keys, uniq, run_starts, perm, pos
    return _Chunk(unigram, tables)


@dataclass
class NgramCounts:
    """Raw counts of every n-gram up to `order`, as a trie of sorted numpy tables.

    Attributes:
        order: highest n-gram order.
        vocab: word of each id (ids 0-2 are `<unk>`, `<s>`, `</s>`; only words that occur are listed).
        unigram: raw count of each word id (`<s>` and `<unk>` are 0).
        prefix: `prefix[k]` (k >= 2) is the row of an order-k n-gram's first k-1 words in the order k-1 table
            (for k = 2 the row of a unigram is its word id); entries 0 and 1 are None.
        word: `word[k]` the last word id of each order-k n-gram (k >= 2).
        count: `count[k]` the raw count of each order-k n-gram (k >= 2).
        suffix: `suffix[k]` the row of an order-k n-gram's last k-1 words in the order k-1 table (k >= 2).
        tokens: words counted (without `</s>`, like lmplz's "Unigram tokens").
        sentences: lines counted.
    """

    order: int
    vocab: list[str]
    unigram: np.ndarray
    prefix: list[np.ndarray | None]
    word: list[np.ndarray | None]
    count: list[np.ndarray | None]
    suffix: list[np.ndarray | None]
    tokens: int
    sentences: int

    def size(self, k: int) -> int:
        """Number of distinct n-grams of order k."""
        return len(self.vocab) if k == 1 else len(self.word[k])


class NgramCounter:
    """Counts n-grams of a stream of sentences chunk by chunk; `counts()` merges the chunks.

    Args:
        order: highest n-gram order (lmplz `-o`).
        vocab: a Vocabulary to extend (ids must come from it when using `add_ids`); a new one by default.
        chunk_tokens: tokens counted per chunk; bigger chunks merge faster but hold more memory while counting.
        spill_dir: if given, each counted chunk is written there as .npy files and memory-mapped back for the
            merge, so the process holds one chunk plus the merged tables.
    """

    def __init__(
        self,
        order: int,
        vocab: Vocabulary | None = None,
        chunk_tokens: int = 1 << 22,
        spill_dir: str | Path | None = None,
    ) -> None:
        if order < 2:
            raise ValueError(f"order must be >= 2, got {order}")
        self.order = order
        self.vocab = vocab if vocab is not None else Vocabulary()
        self.chunk_tokens = chunk_tokens
        self.spill_dir = Path(spill_dir) if spill_dir is not None else None
        self.tokens = 0
        self.sentences = 0
        self._chunks: list[_Chunk] = []
        self._pending_ids: list[np.ndarray] = []
        self._pending_lengths: list[np.ndarray] = []
        self._pending_tokens = 0

    def add_ids(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        """Add sentences given as word ids (flat, without `<s>`/`</s>`) and the length of each sentence."""
        ids = np.asarray(ids, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        if int(lengths.sum()) != len(ids):
            raise ValueError(f"lengths sum to {int(lengths.sum())} but {len(ids)} ids were given")
        if len(ids) and (ids.min() < 3 or ids.max() >= len(self.vocab)):
            raise ValueError("word ids must come from the vocabulary and must not be <unk>, <s> or </s>")
        self._pending_ids.append(ids)
        self._pending_lengths.append(lengths)
        self._pending_tokens += len(ids) + len(lengths)
        self.tokens += len(ids)
        self.sentences += len(lengths)
        if self._pending_tokens >= self.chunk_tokens:
            self._flush()

    def add_lines(self, lines: Iterable[str]) -> None:
        """Add whitespace-tokenized lines, one sentence each (what lmplz reads on stdin)."""
        index, add = self.vocab.index, self.vocab.add
        ids: list[int] = []
        lengths: list[int] = []
        for line in lines:
            before = len(ids)
            for w in line.split():
                i = index.get(w)
                if i is None:
                    i = add(w)
                elif i < 3:  # literal <s>, </s>, <unk>: whitespace, like lmplz --skip_symbols
                    continue
                ids.append(i)
            lengths.append(len(ids) - before)
            if len(ids) + len(lengths) >= self.chunk_tokens:
                self.add_ids(np.array(ids, dtype=np.int64), np.array(lengths, dtype=np.int64))
                ids, lengths = [], []
        if lengths:
            self.add_ids(np.array(ids, dtype=np.int64), np.array(lengths, dtype=np.int64))

    def _flush(self) -> None:
        if not self._pending_lengths:
            return
        ids = np.concatenate(self._pending_ids)
        lengths = np.concatenate(self._pending_lengths)
        self._pending_ids, self._pending_lengths, self._pending_tokens = [], [], 0
        chunk = _count_chunk(ids, lengths, self.order, len(self.vocab))
        if self.spill_dir is not None:
            chunk.spill(self.spill_dir / f"chunk{len(self._chunks):05d}")
        self._chunks.append(chunk)

    def counts(self) -> NgramCounts:
        """Merge all chunks into one table per order, with the vocabulary reduced to the words that occur."""
        self._flush()
        if not self._chunks or self.sentences == 0:
            raise ValueError("no sentences were counted")
        vocab_size = len(self.vocab)
        wbits = _bits(vocab_size)
        unigram = np.zeros(vocab_size, dtype=np.int64)
        for chunk in self._chunks:
            unigram[: len(chunk.unigram)] += chunk.unigram
        prefix: list[np.ndarray | None] = [None, None]
        word: list[np.ndarray | None] = [None, None]
        count: list[np.ndarray | None] = [None, None]
        suffix: list[np.ndarray | None] = [None, None]
        if len(self._chunks) == 1:
            for k in range(2, self.order + 1):
                p, w, c, s = (np.asarray(a) for a in self._chunks[0].table(k))
                prefix.append(p)
                word.append(w)
                count.append(c)
                suffix.append(s)
        else:
            # Merge order by order: a chunk's rows of order k-1 map to global rows (`maps`), which turns its
            # order-k prefix and suffix rows into global ones; equal n-grams then sort together.
            maps: list[np.ndarray | None] = [None] * len(self._chunks)
            for k in range(2, self.order + 1):
                keys, counts, suffixes, sizes = [], [], [], []
                for i, chunk in enumerate(self._chunks):
                    p, w, c, s = chunk.table(k)
                    if k == 2:
                        keys.append(_pack(np.asarray(p), np.asarray(w), wbits))
                        suffixes.append(np.asarray(s))
                    else:
                        keys.append(_pack(maps[i][p], np.asarray(w), wbits))
                        suffixes.append(maps[i][s])
                    counts.append(np.asarray(c, dtype=np.int64))
                    sizes.append(len(c))
                keys_all = np.concatenate(keys)
                counts_all = np.concatenate(counts)
                suffix_all = np.concatenate(suffixes)
                del keys, counts, suffixes
                uniq, starts, perm = _group(keys_all, need_order=True)
                summed = np.add.reduceat(counts_all[perm], starts) if len(starts) else counts_all[:0]
                suffix.append(_small(suffix_all[perm[starts]]))
                if k < self.order:
                    maps = np.split(_small(_inverse(starts, perm), len(starts)), np.cumsum(sizes)[:-1])
                del keys_all, counts_all, suffix_all, perm, starts
                p, w = _split_key(uniq, wbits)
                prefix.append(_small(p))
                word.append(w)
                count.append(_small(summed.astype(np.int64)))
        self._chunks = []
        # Keep only the words that occur (plus the specials): lmplz's vocabulary is the words it saw.
        present = unigram > 0
        present[[UNK, BOS, EOS]] = True
        remap = np.cumsum(present) - 1  # monotone, so every table stays sorted
        vocab = [w for w, keep in zip(self.vocab.words, present, strict=True) if keep]
        for k in range(2, self.order + 1):
            word[k] = remap[word[k]].astype(np.int32)
            if k == 2:
                prefix[k] = remap[prefix[k]].astype(np.int32)
                suffix[k] = word[k]
        return NgramCounts(
            order=self.order,
            vocab=vocab,
            unigram=unigram[present],
            prefix=prefix,
            word=word,
            count=count,
            suffix=suffix,
            tokens=self.tokens,
            sentences=self.sentences,
        )


# ---------------------------------------------------------------------------------------------------------------
# Estimation


def parse_prune(values: Sequence[int] | None, order: int) -> list[int]:
    """lmplz `--prune` semantics: one threshold per order, the last repeated; non-decreasing; unigrams never."""
    if not values:
        return [0] * order
    values = [int(v) for v in values]
    if len(values) > order:
        raise ValueError(f"{len(values)} pruning thresholds given for an order-{order} model")
    if values[0] != 0:
        raise ValueError("unigrams cannot be pruned: the first pruning threshold must be 0")
    if any(b < a for a, b in itertools.pairwise(values)) or min(values) < 0:
        raise ValueError(f"pruning thresholds must be non-negative and non-decreasing, got {values}")
    return values + [values[-1]] * (order - len(values))


def _discounts(coc: np.ndarray, k: int, fallback: Sequence[float] | None) -> tuple[tuple[float, float, float], bool]:
    """D1, D2, D3+ for order k from count-of-counts coc[1..4] (Chen & Goodman eq. 26), or the fallback."""
    n = [int(x) for x in coc]
    problem = None
    if min(n[1], n[2], n[3]) == 0:
        missing = next(j for j in (1, 2, 3) if n[j] == 0)
        problem = f"no {k}-grams with adjusted count {missing}"
    else:
        y = n[1] / (n[1] + 2.0 * n[2])
        d = tuple(j - (j + 1) * y * n[j + 1] / n[j] for j in (1, 2, 3))
        bad = [j for j in (1, 2, 3) if not 0.0 <= d[j - 1] <= j]
        if not bad:
            return d, False
        problem = f"{k}-gram discount D{bad[0]}={d[bad[0] - 1]:.4f} is out of range [0, {bad[0]}]"
    if fallback is None:
        raise DiscountError(
            f"cannot estimate Kneser-Ney discounts: {problem}; is this small or artificial data? "
            "Use discount_fallback (lmplz --discount_fallback) to substitute fixed discounts"
        )
    return (float(fallback[0]), float(fallback[1]), float(fallback[2])), True


@dataclass
class NgramModel:
    """An estimated backoff n-gram model: per order the n-grams (as a trie), log10 probabilities and backoffs.

    Attributes:
        order: highest order.
        vocab: word of each id (0-2: `<unk>`, `<s>`, `</s>`).
        prefix, word, suffix: per order k >= 2, the row of the first k-1 words in the order k-1 table, the last
            word id, and the row of the last k-1 words in the order k-1 table (None for k < 2). Order 1 rows are
            word ids.
        log10_prob: per order k >= 1, log10 p(last word | first k-1 words), interpolated, as in the ARPA file.
        log10_backoff: per order k < order, log10 of the backoff weight (0 for n-grams that are not a context).
        discounts: per order (D1, D2, D3+); `discount_fallback_used` says which orders used the fallback.
        counts_of_counts: per order the number of n-grams with adjusted count 1, 2, 3, 4 (before pruning).
        tokens, sentences: what the model was trained on.
    """

    order: int
    vocab: list[str]
    prefix: list[np.ndarray | None]
    word: list[np.ndarray | None]
    suffix: list[np.ndarray | None]
    log10_prob: list[np.ndarray | None]
    log10_backoff: list[np.ndarray | None]
    discounts: list[tuple[float, float, float] | None]
    discount_fallback_used: list[bool]
    counts_of_counts: list[list[int] | None]
    tokens: int
    sentences: int
    _keys: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    _word_index: dict[str, int] | None = field(default=None, repr=False)

    def size(self, k: int) -> int:
        """Number of n-grams of order k in the model."""
        return len(self.log10_prob[k])

    def _sorted_keys(self, k: int) -> np.ndarray:
        if k not in self._keys:
            self._keys[k] = _pack(self.prefix[k], self.word[k], _bits(len(self.vocab)))
        return self._keys[k]

    def lookup(self, ids: Sequence[int]) -> int:
        """Row of the n-gram `ids` in its order's table, or -1 if the model does not have it."""
        row = int(ids[0])
        if not 0 <= row < len(self.vocab):
            return -1
        wbits = _bits(len(self.vocab))
        for k, w in enumerate(ids[1:], start=2):
            keys = self._sorted_keys(k)
            key = np.uint64((row << wbits) | int(w))
            row = int(np.searchsorted(keys, key))
            if row >= len(keys) or keys[row] != key:
                return -1
        return row

    def word_id(self, word: str) -> int:
        """Id of a word, `<unk>`'s (0) if the model does not know it."""
        if self._word_index is None:
            self._word_index = {w: i for i, w in enumerate(self.vocab)}
        return self._word_index.get(word, UNK)

    def log10_conditional(self, context: Sequence[int], word: int) -> float:
        """log10 p(word | context) with ARPA backoff semantics (what KenLM computes from the ARPA file)."""
        context = list(context)[-(self.order - 1) :] if self.order > 1 else []
        backoff = 0.0
        while True:
            row = self.lookup([*context, word])
            if row >= 0:
                return backoff + float(self.log10_prob[len(context) + 1][row])
            if not context:  # only reachable for ids outside the vocabulary
                raise KeyError(word)
            ctx_row = self.lookup(context)
            if ctx_row >= 0:
                backoff += float(self.log10_backoff[len(context)][ctx_row])
            context = context[1:]

    def score(self, sentence: str, bos: bool = True, eos: bool = True) -> float:
        """log10 probability of a whitespace-tokenized sentence, like `kenlm.Model.score`."""
        ids = [self.word_id(w) for w in sentence.split()]
        if eos:
            ids.append(EOS)
        context = [BOS] if bos else []
        total = 0.0
        for w in ids:
            total += self.log10_conditional(context, w)
            context = [*context, w][-(self.order - 1) :]
        return total

    def write_arpa(self, path: str | Path) -> None:
        """Write the model as an ARPA file (log10 values printed as float32, like lmplz).

        Lines are assembled by pyarrow in blocks: one `binary_join_element_wise` over the fields, with the
        separators baked into vocabulary variants ("\\t" + first word, " " + other words) and constant columns,
        which is several times faster than joining with separators and appending newlines.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        first_word = pa.array(["\t" + w for w in self.vocab], type=pa.string())
        next_word = pa.array([" " + w for w in self.vocab], type=pa.string())

        def constant(text: str, n: int) -> pa.Array:
            data = text.encode() * n
            offsets = np.arange(n + 1, dtype=np.int32) * len(text.encode())
            return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))

        def floats(values: np.ndarray) -> pa.Array:
            values = values.astype(np.float32)
            values[values == 0] = 0.0  # no "-0"
            return pa.array(values).cast(pa.string())

        with open(path, "wb") as out:
            out.write(b"\\data\\\n")
            for k in range(1, self.order + 1):
                out.write(f"ngram {k}={self.size(k)}\n".encode())
            for k in range(1, self.order + 1):
                out.write(f"\n\\{k}-grams:\n".encode())
                for start in range(0, self.size(k), _ARPA_BLOCK):
                    block = slice(start, min(start + _ARPA_BLOCK, self.size(k)))
                    rows = np.arange(block.start, block.stop)
                    words = []
                    for j in range(k, 1, -1):  # walk the trie from the last word back to the first
                        words.append(next_word.take(pa.array(self.word[j][rows])))
                        rows = self.prefix[j][rows]
                    words.append(first_word.take(pa.array(rows)))
                    fields = [floats(self.log10_prob[k][block]), *reversed(words)]
                    if k < self.order:
                        fields += [constant("\t", len(rows)), floats(self.log10_backoff[k][block])]
                    fields.append(constant("\n", len(rows)))
                    lines = pc.binary_join_element_wise(*fields, "")
                    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
                    offsets = offsets[lines.offset : lines.offset + len(lines) + 1]
                    out.write(memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]])
            out.write(b"\n\\end\\\n")


def estimate_kneser_ney(
    counts: NgramCounts,
    prune: Sequence[int] | None = None,
    discount_fallback: Sequence[float] | None = DEFAULT_DISCOUNT_FALLBACK,
) -> NgramModel:
    """Estimate an interpolated modified Kneser-Ney model from raw counts, as lmplz does (see the module doc).

    Args:
        counts: from `NgramCounter.counts()`.
        prune: lmplz `--prune` thresholds (e.g. `[0, 0, 1]` drops trigrams and up seen once); None keeps all.
        discount_fallback: discounts (D1, D2, D3+) substituted for an order whose closed-form discounts fail
            (lmplz `--discount_fallback`, default 0.5 1 1.5); None raises DiscountError instead.
    """
    order = counts.order
    thresholds = parse_prune(prune, order)
    n_vocab = len(counts.vocab)
    prefix, word, raw = counts.prefix, counts.word, counts.count

    suffix = counts.suffix
    # "starts with <s>" flags, order by order down the trie
    starts_bos: list[np.ndarray] = [None, np.arange(n_vocab) == BOS]  # type: ignore[list-item]
    for k in range(2, order + 1):
        starts_bos.append(starts_bos[k - 1][prefix[k]])

    # Adjusted counts: raw at the top order and for n-grams starting with <s>, else distinct left extensions.
    raw_counts = [None, counts.unigram] + [raw[k] for k in range(2, order + 1)]
    adjusted: list[np.ndarray] = [None] * (order + 1)  # type: ignore[list-item]
    adjusted[order] = raw_counts[order]
    for k in range(order - 1, 0, -1):
        left = np.bincount(suffix[k + 1], minlength=counts.size(k))
        adjusted[k] = _small(np.where(starts_bos[k], raw_counts[k], left))
        del left
    adjusted[1][[UNK, BOS]] = 0
    del starts_bos

    # Discounts from count-of-counts (all n-grams, pruned or not, like lmplz).
    discounts: list = [None]
    fallback_used = [False]
    counts_of_counts: list = [None]
    for k in range(1, order + 1):
        coc = np.bincount(np.minimum(adjusted[k], 5), minlength=6)[:5]
        d, used = _discounts(coc, k, discount_fallback)
        if used:
            logger.warning(f"n-gram LM: substituting fallback discounts for order {k}: D1, D2, D3+ = {d}")
        discounts.append(d)
        fallback_used.append(used)
        counts_of_counts.append([int(x) for x in coc[1:5]])

    def discount(k: int, adj: np.ndarray) -> np.ndarray:
        table = np.array([0.0, *discounts[k]])
        return table[np.minimum(adj, 3)]

    keep = [None, np.ones(n_vocab, dtype=bool)] + [raw_counts[k] > thresholds[k - 1] for k in range(2, order + 1)]

    # Order by order: the order-k counts give the backoff weights (gamma) of the order-(k-1) contexts and the
    # order-k probabilities, interpolated with the order-(k-1) ones. Only the previous order's probabilities stay
    # in float64; what the model keeps is float32 (as in lmplz), to bound memory.
    log10_prob: list[np.ndarray | None] = [None] * (order + 1)
    log10_backoff: list[np.ndarray | None] = [None] * (order + 1)
    adj1 = adjusted[1]
    total1 = float(adj1.sum())
    gamma1 = float(discount(1, adj1[adj1 > 0]).sum()) / total1
    prev_prob = (adj1 - discount(1, adj1)) / total1 + gamma1 / (n_vocab - 1)  # uniform part: vocabulary minus <s>
    prev_prob[BOS] = 1.0
    for k in range(2, order + 1):
        adj = adjusted[k]
        d = discount(k, adj)
        denominator = np.bincount(prefix[k], weights=adj, minlength=counts.size(k - 1))
        # pruned n-grams give their whole adjusted count to the backoff mass
        numerator = np.bincount(prefix[k], weights=np.where(keep[k], d, adj), minlength=counts.size(k - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            gamma = numerator / denominator  # NaN where the (k-1)-gram is never a context
        del numerator
        prob = adj - d
        del d
        prob /= denominator[prefix[k]]
        del denominator
        prob += gamma[prefix[k]] * prev_prob[suffix[k]]
        log10_prob[k - 1] = _log10(prev_prob[keep[k - 1]])
        gamma = gamma[keep[k - 1]]
        gamma[np.isnan(gamma)] = 1.0
        log10_backoff[k - 1] = np.log10(gamma).astype(np.float32)
        del gamma
        prev_prob = prob
        adjusted[k] = None  # type: ignore[call-overload]
    log10_prob[order] = _log10(prev_prob[keep[order]])
    del prev_prob

    # Drop pruned n-grams and renumber the trie pointers.
    out_prefix: list[np.ndarray | None] = [None, None]
    out_word: list[np.ndarray | None] = [None, np.arange(n_vocab, dtype=np.int32)]
    out_suffix: list[np.ndarray | None] = [None, None]
    lower_row: np.ndarray | None = None  # new row of each order-(k-1) n-gram; None: that order lost nothing
    for k in range(2, order + 1):
        kept = keep[k]
        if lower_row is None and kept.all():  # nothing pruned up to here: share the counts' arrays
            out_prefix.append(prefix[k])
            out_word.append(word[k])
            out_suffix.append(suffix[k])
            continue
        p, s = prefix[k][kept], suffix[k][kept]
        if not (keep[k - 1][p].all() and keep[k - 1][s].all()):
            raise AssertionError("pruning removed the context or the suffix of a kept n-gram")
        if lower_row is not None:
            p, s = lower_row[p], lower_row[s]
        out_prefix.append(_small(p))
        out_word.append(word[k][kept])
        out_suffix.append(_small(s))
        lower_row = None if kept.all() else np.cumsum(kept) - 1
    return NgramModel(
        order=order,
        vocab=list(counts.vocab),
        prefix=out_prefix,
        word=out_word,
        suffix=out_suffix,
        log10_prob=log10_prob,
        log10_backoff=log10_backoff,
        discounts=discounts,
        discount_fallback_used=fallback_used,
        counts_of_counts=counts_of_counts,
        tokens=counts.tokens,
        sentences=counts.sentences,
    )


def _log10(prob: np.ndarray) -> np.ndarray:
    """log10 probabilities as stored (float32), never above 0 (lmplz corrects rounding the same way)."""
    with np.errstate(divide="ignore"):
        return np.minimum(0.0, np.log10(prob)).astype(np.float32)


def estimate_from_lines(
    lines: Iterable[str],
    order: int = 5,
    prune: Sequence[int] | None = None,
    discount_fallback: Sequence[float] | None = DEFAULT_DISCOUNT_FALLBACK,
    chunk_tokens: int = 1 << 22,
) -> NgramModel:
    """`lmplz -o order` on whitespace-tokenized lines, in memory: count, then estimate."""
    with tempfile.TemporaryDirectory(prefix="olm-ngram-") as spill:
        counter = NgramCounter(order, chunk_tokens=chunk_tokens, spill_dir=spill)
        counter.add_lines(lines)
        return estimate_kneser_ney(counter.counts(), prune=prune, discount_fallback=discount_fallback)


def log10_to_perplexity(log10_prob: float, n_tokens: int) -> float:
    """Perplexity 10^(-log10 p / n), the form CCNet uses (n counts `</s>` once per line)."""
    return math.pow(10.0, -log10_prob / n_tokens)
