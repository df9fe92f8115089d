"""Normalization and hashing shared by all dedup steps: the vectorized path must equal the reference."""

import random

import numpy as np
import pytest

from olm_data.dedup import text as T

TRICKY = [
    "",
    " ",
    "...",
    "x",
    "Café, 1999! naïve ÜBER e\u0301cole",  # precomposed and combining accents
    "don't stop\tbelieving\nnow",
    "ΣΟΦΙΑ σοφία ΣΟΦΙΑΣ",  # per-character lowercase: no final sigma rule
    "İstanbul ß ẞ ﬁne",
    "emoji 😀 between 𝔘nicode",
    "arabic ١٢٣ digits and 中文字符 run",
    "lone \ud800 surrogate",
    "a_b-c/d.e",
]


def _random_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    alphabet = "aAbBzé ü1234 .,;-—“”\n\tx\u0301😀Σσς İß中 \ud800ﬁ١"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(n)]


def test_vectorized_word_hashes_equal_reference():
    texts = TRICKY + _random_texts(500)
    hashes, offsets = T.batch_word_hashes(texts)
    assert len(offsets) == len(texts) + 1
    for i, text in enumerate(texts):
        ref = [T.word_hash(w) for w in T.normalize_words(text)]
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == ref, repr(text)
        assert T.word_hashes(text).tolist() == ref


def test_normalization_rule():
    assert T.normalize_words("Café, 1999! naïve ÜBER e\u0301cole") == ["cafe", "0000", "naive", "uber", "ecole"]
    assert T.normalize_words("don't  stop") == ["don", "t", "stop"]
    assert T.normalize_words("a_b-c") == ["a", "b", "c"]
    assert T.normalize_words("...!!") == []
    # the same text with other case, punctuation and spacing normalizes identically
    assert T.normalize_words("Hello,   WORLD! It's 2022.") == T.normalize_words("hello world it s 1999")


@pytest.mark.parametrize("n", [1, 3, 5, 13])
@pytest.mark.parametrize("short", [True, False])
def test_window_hashes_equal_reference(n, short):
    texts = TRICKY + _random_texts(200, seed=n)
    wh, off = T.batch_word_hashes(texts)
    wins, woff = T.batch_window_hashes(wh, off, n, short=short)
    for i, text in enumerate(texts):
        words = T.normalize_words(text)
        if short:
            ref = [T.window_hash(s) for s in T.shingles(words, n)]
        else:
            ref = [T.window_hash(words[k : k + n]) for k in range(len(words) - n + 1)]
        assert wins[woff[i] : woff[i + 1]].tolist() == ref


def test_window_hash_depends_on_word_order():
    assert T.window_hash(["a", "b", "c"]) != T.window_hash(["b", "a", "c"])
    assert T.shingle_hash32(("a", "b")) == T.window_hash(("a", "b")) >> 32


def test_hashes_do_not_depend_on_batch():
    texts = _random_texts(50, seed=3)
    together, off = T.batch_word_hashes(texts)
    alone = np.concatenate([T.word_hashes(t) for t in texts])
    assert together.tolist() == alone.tolist()


def test_date_parsing():
    assert T.date_us("1970-01-01T00:00:01Z") == 1_000_000
    assert T.date_us("1970-01-01T01:00:01+01:00") == 1_000_000
    assert T.date_us("1970-01-01T00:00:01") == 1_000_000  # naive = UTC
    assert T.date_us("2022-12-01T00:00:00Z") > T.date_us("2022-11-30T23:59:59Z")
    assert T.date_us("not a date") is None
    assert T.date_us(None) is None and T.date_us("") is None
    assert T.doc_date({"timestamp": "2022-01-01T00:00:00Z"}) == "2022-01-01T00:00:00Z"
    assert T.doc_date({"date": "2023", "timestamp": "2022"}) == "2023"
