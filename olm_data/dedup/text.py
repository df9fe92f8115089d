"""Text normalization and hashing shared by exact dedup, MinHash and decontamination.

Normalization (one rule everywhere, so "the same text" means the same thing in every dedup step):
each character is lowercased on its own (`str.lower`, so no final-sigma rule); a word is a maximal run of
letters and digits (Unicode categories L*, N*, Mc, Me); everything else separates words; accents are stripped
from precomposed letters (é -> e) and combining marks (Mn) are dropped; every decimal digit becomes "0" (as in
CCNet: "in 1999" and "in 2022" normalize alike); characters outside the Basic Multilingual Plane count as
letters and are not lowercased. Scripts written without spaces (Chinese, Japanese, Thai) therefore make one
long "word" per run: fine for the English corpora this targets, poor for those scripts.

Hashing: datasketch-style MinHash wants one integer per shingle. Hashing each shingle string in Python (sha1 or
xxhash on `" ".join(words)`) costs ~0.3-0.5 us per shingle plus building the word strings, which is most of the
time of every MinHash implementation we measured; even xxhash per word (plus the Python word list it needs)
costs more than everything else together. We write our own hash because it runs as a handful of numpy passes
over the UTF-32 code points of a whole batch of documents (~20 us per 2.4 KB doc on one core):

* word hash = fmix64((sum_k c_k * B^k mod 2^64) xor len), c_k the normalized code points (a polynomial hash,
  computed for all words at once with one multiply and one segmented sum, then avalanched with the
  MurmurHash3 finalizer; polynomial hashes mod 2^64 can be made to collide on purpose, not by accident);
* window (shingle / n-gram) hash = fmix64(sum_j word_hash_j * K_j mod 2^64) with fixed odd weights K_j, so word
  order matters; MinHash uses its top 32 bits.

Pure-Python reference versions (`normalize_words`, `word_hash`, `window_hash`) define the same values one word
at a time; tests check the vectorized path against them, and `shingle_hash32` is what you pass to
`datasketch.MinHash(hashfunc=...)` to get identical signatures. To switch to another tokenizer, pass its word
lists through `word_hashes_from_words` (slower, same hash values for the same words).

These words are not the quality filters' (`olm_data.filters.words.split_words`, BigScience's definition): the
two answer different questions and merging them would change either dedup or the quality thresholds; that
module's docstring lists the word passes each stage makes and what they cost.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

import numpy as np

from olm_data.array_cache import cached_array

NORMALIZATION_VERSION = "olm-words-1"  # stored in indexes: a changed rule must not silently mix with old ones

_M64 = (1 << 64) - 1
_B = 0x100000001B3  # polynomial base (the FNV-1 64-bit prime): odd, so it is invertible mod 2^64
_B_INV = pow(_B, -1, 1 << 64)
_DELETE = -1  # combining mark (Mn): removed before words are cut
_ZERO = ord("0")


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _fmix64_int(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _M64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _M64
    return x ^ (x >> 33)


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3 64-bit finalizer on a uint64 array (in place on a fresh array)."""
    x = x ^ (x >> np.uint64(33))
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return x


# Fixed, version-independent window weights (numpy's generators may change streams across versions).
_MAX_WINDOW = 64
_K_INT = [_splitmix64(0x01D5EED + j) | 1 for j in range(_MAX_WINDOW)]
_K = np.array(_K_INT, dtype=np.uint64)


def _map_base(c: str) -> int:
    """Normalized code point of one lowercase BMP character: 0 separator, -1 drop, else a code point."""
    o = ord(c)
    if o > 0xFFFF:
        return o
    if 0xD800 <= o <= 0xDFFF:  # lone surrogates (broken input) separate words
        return 0
    cat = unicodedata.category(c)
    if cat == "Mn":
        return _DELETE
    if cat == "Nd":
        return _ZERO
    if cat[0] in "LN" or cat in ("Mc", "Me"):
        decomposed = unicodedata.normalize("NFD", c)
        if len(decomposed) > 1 and all(unicodedata.category(x) == "Mn" for x in decomposed[1:]):
            base = _map_base(decomposed[0])
            return base if base > 0 else o
        return o
    return 0


def _map_char(c: str) -> int:
    """Normalized code point of one character, lowercasing it on its own (no context rules such as final sigma)."""
    if ord(c) > 0xFFFF:
        return ord(c)
    mapped = [m for m in map(_map_base, c.lower()) if m != _DELETE] or [_map_base(c)]
    return mapped[0]


_TABLE: np.ndarray | None = None


def _table() -> np.ndarray:
    """Lookup table code point -> normalized code point for all of Unicode (4.4 MB). Its BMP part takes ~0.13 s
    to build, in every task's process: kept in olm-data's array cache, keyed by the rule (`NORMALIZATION_VERSION`,
    bumped with any change to it) and the Unicode version it follows."""
    global _TABLE
    if _TABLE is None:
        key = f"{NORMALIZATION_VERSION}|unicode {unicodedata.unidata_version}"
        bmp = cached_array("text-normalization-bmp", key, _bmp_table)
        _TABLE = np.concatenate([bmp, np.arange(0x10000, 0x110000, dtype=np.int32)])
    return _TABLE


def _bmp_table() -> np.ndarray:
    return np.fromiter((_map_char(chr(i)) for i in range(0x10000)), dtype=np.int32, count=0x10000)


_POW = np.ones(1, dtype=np.uint64)
_INV = np.ones(1, dtype=np.uint64)
_POW_CACHE_MAX = 1 << 22  # 4 M positions (64 MB for both tables); a longer text gets uncached tables


def _power_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    pw = np.full(size, _B, dtype=np.uint64)
    pw[0] = 1
    inv = np.full(size, _B_INV, dtype=np.uint64)
    inv[0] = 1
    return np.cumprod(pw, dtype=np.uint64), np.cumprod(inv, dtype=np.uint64)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """B^i and B^-i mod 2^64 for i < n (uint64 arithmetic wraps, which is the mod)."""
    global _POW, _INV
    if len(_POW) < n:
        size = 1 << max(16, (n - 1).bit_length())
        if size > _POW_CACHE_MAX:
            return _power_tables(n)
        _POW, _INV = _power_tables(size)
    return _POW, _INV


# ---------------------------------------------------------------- reference (pure Python, one word at a time)


def normalize_words(text: str) -> list[str]:
    """The normalized words of a text (reference implementation of the rule in the module docstring)."""
    words: list[str] = []
    cur: list[str] = []
    for c in text:
        m = _map_char(c)
        if m == _DELETE:
            continue
        if m == 0:
            if cur:
                words.append("".join(cur))
                cur = []
            continue
        cur.append(chr(m))
    if cur:
        words.append("".join(cur))
    return words


def word_hash(word: str) -> int:
    """64-bit hash of one normalized word (reference for the vectorized `batch_word_hashes`)."""
    raw = 0
    p = 1
    for c in word:
        raw = (raw + ord(c) * p) & _M64
        p = (p * _B) & _M64
    return _fmix64_int(raw ^ len(word))


def window_hash(words: Sequence[str]) -> int:
    """64-bit hash of a word window (shingle / n-gram) of at most 64 words."""
    acc = 0
    for j, w in enumerate(words):
        acc = (acc + word_hash(w) * _K_INT[j]) & _M64
    return _fmix64_int(acc)


def shingle_hash32(shingle: Sequence[str]) -> int:
    """32-bit shingle hash used by MinHash: pass as `datasketch.MinHash(hashfunc=shingle_hash32)`."""
    return window_hash(shingle) >> 32


def shingles(words: Sequence[str], n: int) -> list[tuple[str, ...]]:
    """Word n-gram shingles; a text with 1..n-1 words is one shorter shingle, an empty text has none."""
    if not words:
        return []
    if len(words) < n:
        return [tuple(words)]
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


# ---------------------------------------------------------------- vectorized


def batch_word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Word hashes of many texts in one numpy pass (best with ~10-50 KB of text per call: it stays in cache).

    Returns:
        (hashes, offsets): uint64 word hashes of all texts concatenated, and int64 offsets of length
        len(texts) + 1 so that text i owns hashes[offsets[i]:offsets[i + 1]].
    """
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    if not texts:
        return np.zeros(0, dtype=np.uint64), offsets
    # char offset of each text in "\n" + "\n".join(texts) + "\n": separators on both ends and between texts,
    # so no word spans two texts and every word has a start and an end edge
    starts = np.ones(len(texts), dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts[:-1]], out=starts[1:])
    starts[1:] += 1
    joined = "\n" + "\n".join(texts) + "\n"
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    m = np.take(_table(), cp)
    pos = None  # compacted index -> original index, only when combining marks were removed
    if m.min() < 0:
        pos = np.flatnonzero(m != _DELETE)
        m = m[pos]
    isw = m > 0
    edges = np.flatnonzero(isw[1:] != isw[:-1]) + 1  # alternating word starts and ends (padding is a separator)
    wstart = edges[0::2]
    if len(wstart) == 0:
        return np.zeros(0, dtype=np.uint64), offsets
    wend = edges[1::2]
    pw, inv = _powers(len(m))
    # sum of c_k * B^(position) from each word start to the next word start; separators are 0 and add nothing
    raw = np.add.reduceat(m.astype(np.uint64) * pw[: len(m)], wstart) * inv[wstart]
    hashes = _fmix64(raw ^ (wend - wstart).astype(np.uint64))
    orig_start = wstart if pos is None else pos[wstart]
    offsets[1:-1] = np.searchsorted(orig_start, starts[1:])
    offsets[-1] = len(hashes)
    return hashes, offsets


def word_hashes(text: str) -> np.ndarray:
    """uint64 hashes of the normalized words of one text (= `[word_hash(w) for w in normalize_words(text)]`)."""
    return batch_word_hashes([text])[0]


def word_hashes_from_words(words: Iterable[str]) -> np.ndarray:
    """Hashes for words that another tokenizer produced (the hook for a shared tokenizer; slower)."""
    return np.fromiter((word_hash(w) for w in words), dtype=np.uint64)


def batch_window_hashes(
    hashes: np.ndarray, offsets: np.ndarray, n: int, short: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every n-word window of each text, never crossing texts.

    Args:
        hashes, offsets: output of `batch_word_hashes`.
        n: window size in words (1..64).
        short: a text with 1..n-1 words yields one window of all its words (MinHash shingles); with False
            it yields nothing (n-gram matching).

    Returns:
        (windows, window_offsets) laid out like the input.
    """
    if not 1 <= n <= _MAX_WINDOW:
        raise ValueError(f"window size must be 1..{_MAX_WINDOW}, got {n}")
    lengths = np.diff(offsets)
    counts = np.where(lengths >= n, lengths - n + 1, np.where((lengths > 0) & short, 1, 0))
    win_offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(counts, out=win_offsets[1:])
    out = np.empty(int(win_offsets[-1]), dtype=np.uint64)
    total = len(hashes)
    if total >= n:
        acc = hashes[: total - n + 1] * _K[0]
        for j in range(1, n):
            acc += hashes[j : total - n + 1 + j] * _K[j]
        text_of = np.repeat(np.arange(len(lengths)), lengths)  # text index of each word
        src = np.flatnonzero(text_of[: total - n + 1] == text_of[n - 1 :])  # windows inside one text
        # a text's windows are contiguous in both layouts: shift each by (its output offset - its word offset)
        dst = src + (win_offsets[:-1] - offsets[:-1])[text_of[src]]
        out[dst] = _fmix64(acc[src])
    if short:
        for i in np.flatnonzero((lengths > 0) & (lengths < n)):
            seg = hashes[offsets[i] : offsets[i + 1]]
            out[win_offsets[i]] = _fmix64((seg * _K[: len(seg)]).sum(dtype=np.uint64, keepdims=True))[0]
    return out, win_offsets


# ---------------------------------------------------------------- dates (the keep rules)

NO_DATE = np.iinfo(np.int64).max


def date_us(value: object) -> int | None:
    """Microseconds since the epoch (UTC) of an ISO-8601 date such as a WARC-Date; None if absent or bad.

    Naive dates count as UTC. Accepts the `Z` suffix on every supported Python version.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        s = str(value).strip()
        if not s:
            return None
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    delta = dt - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def doc_date(metadata: dict) -> object:
    """The crawl/revision date of a document: WARC `date`, else Wikipedia `timestamp`."""
    value = metadata.get("date")
    if value in (None, ""):
        value = metadata.get("timestamp")
    return value
