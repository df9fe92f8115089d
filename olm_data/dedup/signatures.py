"""MinHash configuration and the vectorized signature computation.

Signatures equal datasketch 2.x's default scheme ("affine32"): each 32-bit shingle hash h is pre-mixed with the
MurmurHash3 32-bit finalizer, then permutation k maps it to a_k * h + b_k mod 2^32 (a_k odd), with (a, b) drawn
exactly as `datasketch.MinHash(num_perm, seed)` draws them; the signature is the per-permutation minimum. So
`MinHash(num_perm, seed, hashfunc=shingle_hash32).update_batch(shingles)` gives the same values (tested).

Speed: datasketch makes a Python object per document, hashes each shingle in Python and applies permutations
per document. Here a batch of documents goes through numpy in a few passes: word hashes for all texts at once
(`text.batch_word_hashes`), all shingle hashes at once, then one multiply-add-min pass per permutation over the
shingles of ~100 documents (`np.minimum.reduceat` splits the minimum per document), which keeps the working
set in cache and the numpy inner loops long.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from olm_data.dedup import text as textmod
from olm_data.errors import UsageError

_MAX32 = np.uint32(0xFFFFFFFF)
_SHINGLES_PER_PASS = 1 << 16  # shingles per permutation pass: 256 KB of uint32, stays in L2
_CHARS_PER_PASS = 1 << 15


@dataclass(frozen=True)
class MinhashConfig:
    """MinHash near-dedup parameters.

    Defaults: word 5-gram shingles, 112 permutations cut into 14 bands x 8 rows (datatrove's choice), and
    candidate pairs verified against threshold 0.7. Two docs become candidates with probability
    1 - (1 - J^8)^14: 0.57 at Jaccard 0.7, 0.92 at 0.8, 0.99 at 0.85 (S-curve midpoint (1/14)^(1/8) = 0.72).
    datasketch's `optimal_param(0.7, 112)` (equal false-positive and false-negative weights) picks 12 x 9,
    which finds only 82% of pairs at J = 0.8 (in theory); we prefer recall and remove the extra false positives by checking
    each candidate pair's estimated Jaccard (share of equal signature values) against the threshold. Measured
    by `benchmarks/minhash.py` (Wikipedia docs + planted near duplicates, threshold 0.7): 14 x 8 with
    verification has precision 0.93 / recall 0.95, without it 0.83 / 0.95; 12 x 9 without it 0.85 / 0.91.

    Args:
        n_grams: words per shingle.
        num_perm: permutations in a signature (>= bands * rows; extra ones only sharpen similarity estimates).
        bands: LSH bands; two docs are candidates when all `rows` values of one band are equal.
        rows: signature values per band.
        seed: permutation seed (datasketch's `seed`).
        threshold: Jaccard similarity at which two docs count as near duplicates. Used to check candidate pairs
            (`verify`) and, in cross-snapshot dedup with `keep_changed`, to decide if a page changed enough.
        verify: drop candidate pairs whose estimated Jaccard (share of equal signature values) is below
            `threshold` before clustering: far fewer false positives, slightly fewer true pairs near the
            threshold (the estimate's standard deviation is ~0.045 at 112 permutations).
        shingle_hash: "olm" (fast vectorized hash, `text.shingle_hash32`) or "sha1" (datasketch's default
            `sha1_hash32` over the UTF-8 of the space-joined shingle; ~10x slower, for interoperability).
    """

    n_grams: int = 5
    num_perm: int = 112
    bands: int = 14
    rows: int = 8
    seed: int = 1
    threshold: float = 0.7
    verify: bool = True
    shingle_hash: str = "olm"

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise UsageError(f"bands x rows ({self.bands} x {self.rows}) exceeds num_perm ({self.num_perm})")
        if min(self.n_grams, self.num_perm, self.bands, self.rows) < 1:
            raise UsageError("n_grams, num_perm, bands and rows must be positive")
        if self.n_grams > 64:
            raise UsageError("n_grams must be at most 64")
        if not 0.0 < self.threshold <= 1.0:
            raise UsageError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.shingle_hash not in ("olm", "sha1"):
            raise UsageError(f"shingle_hash must be 'olm' or 'sha1', got {self.shingle_hash!r}")

    def to_dict(self) -> dict:
        """Everything that changes signature or band values, plus the normalization rule version."""
        d = asdict(self)
        d["normalization"] = textmod.NORMALIZATION_VERSION
        return d

    def signature_key(self) -> dict:
        """The fields two runs must share for their band hashes to be comparable."""
        d = self.to_dict()
        for k in ("threshold", "verify"):
            d.pop(k)
        return d

    def candidate_probability(self, jaccard: float) -> float:
        """Probability that two docs with this Jaccard similarity share at least one band."""
        return 1.0 - (1.0 - jaccard**self.rows) ** self.bands

    def describe(self) -> str:
        """One line: parameters and the S-curve at a few similarities."""
        curve = ", ".join(f"P({j:.2f})={self.candidate_probability(j):.2f}" for j in (0.5, 0.6, 0.7, 0.8, 0.9))
        mid = (1.0 / self.bands) ** (1.0 / self.rows)
        return (
            f"{self.n_grams}-gram shingles, {self.num_perm} perms, {self.bands} bands x {self.rows} rows "
            f"(S-curve midpoint {mid:.3f}; {curve}), threshold {self.threshold}, verify={self.verify}"
        )


def optimal_bands_rows(threshold: float, num_perm: int, fp_weight: float = 0.5) -> tuple[int, int]:
    """datasketch's optimal-parameter search (minimize weighted false-positive + false-negative areas)."""
    from datasketch.lsh import _optimal_param

    return tuple(_optimal_param(threshold, num_perm, fp_weight, 1.0 - fp_weight))


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


class MinHasher:
    """Computes MinHash signatures and LSH band hashes for batches of texts.

    Args:
        config: the MinHash parameters.
    """

    def __init__(self, config: MinhashConfig | None = None) -> None:
        self.config = config or MinhashConfig()
        # exactly datasketch 2.x MinHash._init_permutations for scheme "affine32"
        gen = np.random.RandomState(self.config.seed)
        p = self.config.num_perm
        self.a = gen.randint(0, 1 << 31, p, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        self.b = gen.randint(0, 1 << 32, p, dtype=np.uint32)

    def shingle_hashes(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """32-bit shingle hashes of each text, concatenated, with per-text offsets (len(texts) + 1)."""
        n = self.config.n_grams
        if self.config.shingle_hash == "sha1":
            from datasketch.hashfunc import sha1_hash32

            per_text = [
                [sha1_hash32(" ".join(s).encode("utf-8")) for s in textmod.shingles(textmod.normalize_words(t), n)]
                for t in texts
            ]
            offsets = np.zeros(len(texts) + 1, dtype=np.int64)
            np.cumsum([len(x) for x in per_text], out=offsets[1:])
            flat = np.fromiter((h for x in per_text for h in x), dtype=np.uint32, count=int(offsets[-1]))
            return flat, offsets
        # ~32 K characters per numpy pass keeps the per-character arrays in cache (measured: larger is slower)
        parts, counts = [], []
        i = 0
        while i < len(texts):
            j, size = i, 0
            while j < len(texts) and (j == i or size + len(texts[j]) <= _CHARS_PER_PASS):
                size += len(texts[j])
                j += 1
            words, woff = textmod.batch_word_hashes(texts[i:j])
            wins, wo = textmod.batch_window_hashes(words, woff, n, short=True)
            parts.append((wins >> np.uint64(32)).astype(np.uint32))
            counts.append(np.diff(wo))
            i = j
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        if parts:
            np.cumsum(np.concatenate(counts), out=offsets[1:])
            return np.concatenate(parts), offsets
        return np.zeros(0, dtype=np.uint32), offsets

    def signatures_from_shingles(self, hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """(docs, num_perm) uint32 signatures; a doc without shingles gets all 0xFFFFFFFF (datasketch's empty)."""
        ndocs = len(offsets) - 1
        sig = np.full((ndocs, self.config.num_perm), _MAX32, dtype=np.uint32)
        counts = np.diff(offsets)
        nonempty = np.flatnonzero(counts > 0)
        if len(nonempty) == 0:
            return sig
        x = _fmix32(np.ascontiguousarray(hashes, dtype=np.uint32))
        # group docs into passes of about _SHINGLES_PER_PASS shingles (a bigger doc gets a pass of its own)
        ends = np.cumsum(counts[nonempty])
        group_start = 0
        while group_start < len(nonempty):
            base = ends[group_start - 1] if group_start else 0
            group_end = max(group_start + 1, int(np.searchsorted(ends, base + _SHINGLES_PER_PASS, side="right")))
            docs = nonempty[group_start:group_end]
            lo, hi = int(offsets[docs[0]]), int(offsets[docs[-1] + 1])
            chunk = x[lo:hi]
            starts = offsets[docs] - lo  # strictly increasing: every doc here has >= 1 shingle
            tmp = np.empty_like(chunk)
            out = np.empty((self.config.num_perm, len(docs)), dtype=np.uint32)
            for k in range(self.config.num_perm):
                np.multiply(chunk, self.a[k], out=tmp)
                np.add(tmp, self.b[k], out=tmp)
                out[k] = np.minimum.reduceat(tmp, starts)
            sig[docs] = out.T
            group_start = group_end
        return sig

    def signatures(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Signatures of texts and their shingle counts (0 = no words, no signature)."""
        hashes, offsets = self.shingle_hashes(texts)
        return self.signatures_from_shingles(hashes, offsets), np.diff(offsets)

    def band_hashes(self, sig: np.ndarray) -> np.ndarray:
        """(docs, bands) uint64: one 64-bit hash per band of `rows` signature values (8 bytes instead of 4*rows)."""
        r = self.config.rows
        out = np.empty((sig.shape[0], self.config.bands), dtype=np.uint64)
        k64 = textmod._K
        for band in range(self.config.bands):
            acc = sig[:, band * r].astype(np.uint64) * k64[0]
            for j in range(1, r):
                acc += sig[:, band * r + j].astype(np.uint64) * k64[j]
            out[:, band] = textmod._fmix64(acc ^ np.uint64(band))
        return out


def estimated_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Share of equal signature values, row by row (the MinHash estimate of Jaccard similarity)."""
    return (np.asarray(sig_a) == np.asarray(sig_b)).mean(axis=-1)


def expected_error(num_perm: int) -> float:
    """Standard deviation of the Jaccard estimate at J = 0.5 (the worst case), for docs and logs."""
    return math.sqrt(0.25 / num_perm)
