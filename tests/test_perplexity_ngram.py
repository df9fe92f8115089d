"""The modified Kneser-Ney estimator: hand-computed values, a naive reference, normalization, kenlm agreement."""

from __future__ import annotations

import math
import os
import random
import shutil
import subprocess
from collections import Counter, defaultdict

import numpy as np
import pytest

from olm_data.perplexity.ngram import (
    BOS,
    DiscountError,
    NgramCounter,
    estimate_from_lines,
    estimate_kneser_ney,
    parse_prune,
)


def zipf_corpus(seed: int, lines: int = 600, vocab: int = 400) -> list[str]:
    """Random sentences with Zipf-distributed words: enough singletons/doubletons for closed-form discounts."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    weights = [1 / (i + 1) ** 1.1 for i in range(vocab)]
    return [" ".join(rng.choices(words, weights, k=rng.randint(0, 14))) for _ in range(lines)]


def arpa_entries(model) -> dict[str, tuple[float, float]]:
    """{n-gram text: (log10 prob, log10 backoff)} of a model, like reading its ARPA file."""
    out = {}
    for k in range(1, model.order + 1):
        for row in range(model.size(k)):
            words, r = [], row
            for j in range(k, 1, -1):
                words.append(model.vocab[model.word[j][r]])
                r = model.prefix[j][r]
            words.append(model.vocab[r])
            bo = float(model.log10_backoff[k][row]) if k < model.order else 0.0
            out[" ".join(reversed(words))] = (float(model.log10_prob[k][row]), bo)
    return out


def read_arpa(path) -> dict[str, tuple[float, float]]:
    out, order = {}, 0
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("\\") and line.endswith("-grams:"):
            order = int(line[1:].split("-")[0])
        elif line and order and not line.startswith("\\"):
            parts = line.split("\t")
            out[parts[1]] = (float(parts[0]), float(parts[2]) if len(parts) > 2 else 0.0)
    return out


# ---------------------------------------------------------------------------------------------------------------
# A 3-gram model worked out by hand


def test_hand_computed_trigram_model():
    # Corpus "a b" / "a b a". Windows: trigrams <s>ab x2, ab</s>, aba, ba</s>; bigrams <s>a x2, ab x2, b</s>, ba,
    # a</s>. Adjusted counts: bigrams <s>a=2 (raw: starts with <s>), ab=b</s>=ba=a</s>=1 (one left word each);
    # unigrams a=2 (<s>, b), b=1, </s>=2. No order has a count-3 n-gram, so every order uses the fallback
    # discounts D1=0.5, D2=1, D3+=1.5.
    model = estimate_from_lines(["a b", "a b a"], order=3)
    assert model.discount_fallback_used[1:] == [True, True, True]
    assert [model.size(k) for k in (1, 2, 3)] == [5, 5, 4]
    # unigrams: sum of adjusted counts 5; gamma = (1 + 0.5 + 1) / 5 = 0.5 spread over 4 words (no <s>)
    expected = {
        "a": 0.2 + 0.5 / 4,
        "b": 0.1 + 0.5 / 4,
        "</s>": 0.2 + 0.5 / 4,
        "<unk>": 0.5 / 4,
        "<s> a": 0.5 + 0.5 * 0.325,  # (2 - 1) / 2 + gamma(<s>) = 1/2 times p(a)
        "a b": 0.25 + 0.5 * 0.225,  # (1 - 0.5) / 2 + gamma(a) = (0.5 + 0.5) / 2 times p(b)
        "a </s>": 0.25 + 0.5 * 0.325,
        "b </s>": 0.25 + 0.5 * 0.325,
        "b a": 0.25 + 0.5 * 0.325,
        "<s> a b": 0.5 + 0.5 * 0.3625,
        "a b </s>": 0.25 + 0.5 * 0.4125,
        "a b a": 0.25 + 0.5 * 0.4125,
        "b a </s>": 0.5 + 0.5 * 0.4125,  # context "b a" has one continuation: gamma = 0.5 / 1
    }
    entries = arpa_entries(model)
    for ngram, p in expected.items():
        assert entries[ngram][0] == pytest.approx(math.log10(p), abs=1e-6), ngram
    assert entries["<s>"][0] == 0.0  # <s> is never predicted: probability 1, like lmplz
    for context in ("<s>", "a", "b", "<s> a", "a b", "b a"):
        assert entries[context][1] == pytest.approx(math.log10(0.5), abs=1e-6), context
    for not_a_context in ("</s>", "<unk>", "a </s>", "b </s>"):
        assert entries[not_a_context][1] == 0.0
    # backing off twice: p(a | <s> a) = b(<s> a) b(a) p(a)
    a = model.word_id("a")
    assert 10 ** model.log10_conditional([BOS, a], a) == pytest.approx(0.5 * 0.5 * 0.325, rel=1e-6)
    assert 10 ** model.score("a b") == pytest.approx(0.6625 * 0.68125 * 0.45625, rel=1e-6)


# ---------------------------------------------------------------------------------------------------------------
# A naive reference implementation of lmplz's estimator, written from the formulas with dicts


def reference_model(lines: list[str], order: int, prune: list[int]) -> dict[str, tuple[float, float]]:
    raw: dict[tuple, int] = Counter()
    vocab = {"<unk>", "<s>", "</s>"}
    for line in lines:
        words = ["<s>", *line.split(), "</s>"]
        vocab.update(words)
        for end in range(1, len(words)):
            for k in range(1, min(order, end + 1) + 1):
                raw[tuple(words[end - k + 1 : end + 1])] += 1
    left: dict[tuple, set] = defaultdict(set)
    for g in raw:
        if len(g) > 1:
            left[g[1:]].add(g[0])
    adjusted = {}
    for g, c in raw.items():
        adjusted[g] = c if len(g) == order or g[0] == "<s>" else len(left[g])
    for special in ("<unk>", "<s>"):
        adjusted[(special,)] = 0
    discounts = {}
    for k in range(1, order + 1):
        n = Counter(a for g, a in adjusted.items() if len(g) == k)
        y = n[1] / (n[1] + 2 * n[2])
        discounts[k] = [0.0] + [j - (j + 1) * y * n[j + 1] / n[j] for j in (1, 2, 3)]

    def d(g: tuple) -> float:
        return discounts[len(g)][min(adjusted[g], 3)]

    keep = {g: len(g) == 1 or raw.get(g, 0) > prune[len(g) - 1] for g in adjusted}
    den, num = defaultdict(float), defaultdict(float)
    for g, a in adjusted.items():
        if len(g) > 1:
            den[g[:-1]] += a
            num[g[:-1]] += d(g) if keep[g] else a
    uni_total = sum(a for g, a in adjusted.items() if len(g) == 1)
    uni_gamma = sum(d(g) for g, a in adjusted.items() if len(g) == 1 and a > 0) / uni_total
    prob = {}
    for k in range(1, order + 1):
        for g, a in adjusted.items():
            if len(g) != k:
                continue
            if k == 1:
                prob[g] = 1.0 if g == ("<s>",) else (a - d(g)) / uni_total + uni_gamma / (len(vocab) - 1)
            else:
                prob[g] = (a - d(g)) / den[g[:-1]] + num[g[:-1]] / den[g[:-1]] * prob[g[1:]]
    return {
        " ".join(g): (
            min(0.0, math.log10(prob[g])),
            math.log10(num[g] / den[g]) if g in den and len(g) < order else 0.0,
        )
        for g in adjusted
        if keep[g]
    }


@pytest.mark.parametrize(("order", "prune"), [(3, [0]), (4, [0, 1, 2]), (5, [0, 0, 1])])
def test_matches_naive_reference(order, prune):
    lines = zipf_corpus(seed=order)
    ours = arpa_entries(estimate_from_lines(lines, order=order, prune=prune, discount_fallback=None, chunk_tokens=700))
    ref = reference_model(lines, order, parse_prune(prune, order))
    assert ours.keys() == ref.keys()
    worst = max(max(abs(ours[g][0] - ref[g][0]), abs(ours[g][1] - ref[g][1])) for g in ref)
    assert worst < 1e-6  # the model stores float32, like lmplz


def test_chunking_and_spilling_do_not_change_the_model(tmp_path):
    lines = zipf_corpus(seed=7)
    one = estimate_from_lines(lines, order=4, prune=[0, 0, 1], chunk_tokens=1 << 20)
    one.write_arpa(tmp_path / "one.arpa")
    counter = NgramCounter(4, chunk_tokens=300, spill_dir=tmp_path / "spill")
    counter.add_lines(lines)
    many = estimate_kneser_ney(counter.counts(), prune=[0, 0, 1])
    many.write_arpa(tmp_path / "many.arpa")
    assert (tmp_path / "one.arpa").read_bytes() == (tmp_path / "many.arpa").read_bytes()


# ---------------------------------------------------------------------------------------------------------------
# Normalization of the conditional distributions


@pytest.mark.parametrize("prune", [None, [0, 1, 1, 2]])
def test_conditional_distributions_sum_to_one(prune):
    lines = zipf_corpus(seed=11, vocab=150)
    model = estimate_from_lines(lines, order=4, prune=prune)
    rng = random.Random(0)
    vocabulary = [i for i in range(len(model.vocab)) if i != BOS]  # <s> is never predicted
    contexts = [[]]
    for k in (2, 3, 4):  # contexts seen in training (prefixes of kept n-grams) ...
        rows = rng.sample(range(model.size(k)), 8)
        for row in rows:
            ids, r = [], row
            for j in range(k, 1, -1):
                ids.append(int(model.word[j][r]))
                r = model.prefix[j][r]
            ids.append(int(r))
            contexts.append(list(reversed(ids))[:-1])
    contexts += [[rng.choice(vocabulary) for _ in range(3)] for _ in range(8)]  # ... and mostly unseen ones
    contexts += [[BOS], [BOS, 5], [BOS, 5, 9]]
    for context in contexts:
        total = sum(10.0 ** model.log10_conditional(context, w) for w in vocabulary)
        assert total == pytest.approx(1.0, abs=1e-4), context


# ---------------------------------------------------------------------------------------------------------------
# Degenerate counts, arguments


def test_degenerate_counts_need_the_discount_fallback():
    lines = ["a b c"] * 5  # every n-gram seen 5 times: no singletons
    with pytest.raises(DiscountError, match="discount_fallback"):
        estimate_from_lines(lines, order=3, discount_fallback=None)
    model = estimate_from_lines(lines, order=3, discount_fallback=(0.4, 0.9, 1.2))
    assert model.discounts[3] == (0.4, 0.9, 1.2)
    assert all(model.discount_fallback_used[1:])


def test_special_words_in_the_text_are_whitespace():
    with_specials = estimate_from_lines(["a <s> b </s> c", "<unk> a b"], order=3)
    without = estimate_from_lines(["a b c", "a b"], order=3)
    assert arpa_entries(with_specials) == arpa_entries(without)


def test_prune_arguments_follow_lmplz():
    assert parse_prune([0, 0, 1], 5) == [0, 0, 1, 1, 1]
    assert parse_prune(None, 3) == [0, 0, 0]
    for bad in ([1], [0, 2, 1], [0, 0, 0, 0, 0, 0]):
        with pytest.raises(ValueError):
            parse_prune(bad, 5)


# ---------------------------------------------------------------------------------------------------------------
# The ARPA file: kenlm loads it and agrees with our own computation


def test_kenlm_loads_our_arpa_and_agrees(tmp_path):
    kenlm = pytest.importorskip("kenlm")
    lines = zipf_corpus(seed=3)
    model = estimate_from_lines(lines, order=4, prune=[0, 0, 1])
    path = tmp_path / "model.arpa"
    model.write_arpa(path)
    lm = kenlm.Model(str(path))
    assert lm.order == 4
    rng = random.Random(1)
    tests = rng.sample(lines, 40) + [" ".join(f"w{rng.randrange(500)}" for _ in range(10)) for _ in range(20)]
    tests += ["", "never seen words here", "w0 w0 w0 w0 w0 w0"]
    for sentence in tests:
        for bos, eos in ((True, True), (False, False), (True, False)):
            assert lm.score(sentence, bos=bos, eos=eos) == pytest.approx(
                model.score(sentence, bos=bos, eos=eos), abs=1e-4
            ), sentence
    assert read_arpa(path).keys() == arpa_entries(model).keys()


def _lmplz() -> str | None:
    return os.environ.get("OLM_LMPLZ") or shutil.which("lmplz")


@pytest.mark.skipif(_lmplz() is None, reason="KenLM's lmplz is not installed (set OLM_LMPLZ to its path)")
@pytest.mark.parametrize("prune", [[], ["0", "1", "1"]])
def test_same_model_as_lmplz(tmp_path, prune):
    """The real thing, when a developer has it: `lmplz -o 4` on the same text gives the same ARPA entries."""
    lines = zipf_corpus(seed=5, lines=1500, vocab=1500)
    text = tmp_path / "corpus.txt"
    text.write_text("\n".join(lines) + "\n")
    arpa = tmp_path / "lmplz.arpa"
    cmd = [_lmplz(), "-o", "4", "-S", "100M", "-T", str(tmp_path), "--discount_fallback", "--text", str(text)]
    subprocess.run(
        [*cmd, "--arpa", str(arpa)] + (["--prune", *prune] if prune else []), check=True, capture_output=True
    )
    theirs = read_arpa(arpa)
    ours = arpa_entries(estimate_from_lines(lines, order=4, prune=[int(p) for p in prune] or None))
    assert theirs.keys() == ours.keys()
    assert max(abs(theirs[g][0] - ours[g][0]) for g in ours) < 1e-5  # lmplz computes in float32
    assert max(abs(theirs[g][1] - ours[g][1]) for g in ours) < 1e-5


def test_arpa_is_deterministic(tmp_path):
    lines = zipf_corpus(seed=9)
    for name in ("a", "b"):
        estimate_from_lines(lines, order=3).write_arpa(tmp_path / f"{name}.arpa")
    data = (tmp_path / "a.arpa").read_bytes()
    assert data == (tmp_path / "b.arpa").read_bytes()
    assert data.startswith(b"\\data\\\nngram 1=") and data.endswith(b"\n\\end\\\n")
    assert np.isfinite([v for pair in read_arpa(tmp_path / "a.arpa").values() for v in pair]).all()
