"""OLM/BigScience quality filters: each statistic on hand-computed examples, each threshold edge, reasons."""

from __future__ import annotations

import itertools
import json
import random
import re

import pytest
from datatrove.data import Document
from datatrove.pipeline.writers import JsonlWriter

from olm_data.filters import (
    OlmQualityFilter,
    OlmTextEdits,
    char_repetition_ratio,
    special_character_ratio,
    split_words,
    word_list_ratio,
    word_repetition_ratio,
)
from olm_data.filters.words import (
    count_special_characters,
    english_flagged_words,
    english_stop_words,
    special_characters,
)

# ---------------------------------------------------------------- helpers

# made-up content words: not stop words, not flagged, distinct
_SYLLABLES = ["ka", "lo", "mi", "ru", "te", "vo", "zu", "pe"]
CONTENT_WORDS = ["".join(p) for p in itertools.product(_SYLLABLES, repeat=3)]  # 512 distinct 6-letter words
STOP = ["the", "and", "of", "to", "in", "is", "was", "for", "on", "with", "as", "by", "at", "from"]


def prose(n_words: int, n_stop: int, extra: list[str] | None = None) -> str:
    """n_words words (n_stop of them stop words, spread out), no repeated word 5-grams, one space apart."""
    content = iter(CONTENT_WORDS)
    stops = itertools.cycle(STOP)
    stop_at = {round(i * n_words / n_stop) for i in range(n_stop)} if n_stop else set()
    assert len(stop_at) == n_stop
    words = [next(stops) if i in stop_at else next(content) for i in range(n_words - len(extra or []))]
    return " ".join(words + (extra or []))


def doc(text: str, **metadata) -> Document:
    return Document(text=text, id="d", metadata=dict(metadata))


def bigscience_words(text: str) -> list[str]:
    """Reference: BigScience's English word split written plainly (split on space/newline/tab, lower, strip)."""
    special = special_characters()
    out = []
    for w in re.split(" |\n|\t", text):
        w = w.lower()
        while w and w[0] in special:
            w = w[1:]
        while w and w[-1] in special:
            w = w[:-1]
        if w:
            out.append(w)
    return out


# ---------------------------------------------------------------- words


def test_split_words_strips_special_characters_and_lowercases():
    text = "Hello, World!! (foo-bar) 123 e.g. «Ünïcode»\tTAB\nline 😀smile😀 ---"
    assert split_words(text) == ("hello", "world", "foo-bar", "e.g", "ünïcode", "tab", "line", "smile")


def test_split_words_matches_bigscience_definition_on_random_text():
    rng = random.Random(0)
    alphabet = list("aB .,-'\n\t\r") + ["\xa0", "é", "—", "😀", "1", "一", "\u2028", "«", "Г"]
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        ours, ref = list(split_words(s)), bigscience_words(s)
        if ours != ref:
            # the one documented difference: we lowercase before stripping (Г is special, г is not)
            assert "Г" in s, (s, ours, ref)


def test_split_words_is_shared_between_callers():
    text = prose(30, 10)
    assert split_words(text) is split_words(text)  # cached: later steps reuse the tokenization


def test_special_characters_ascii_fast_path_agrees_with_the_full_set():
    ascii_special = {c for c in special_characters() if c.isascii()}
    import string

    assert ascii_special == set(string.punctuation + string.digits + string.whitespace)
    text = "".join(map(chr, range(128))) + "x—😀é"
    assert count_special_characters(text) == sum(c in special_characters() for c in text)


def test_word_lists_default_to_bigscience_and_spacy_datatrove_stay_selectable():
    from spacy.lang.en.stop_words import STOP_WORDS

    stop, flagged = english_stop_words(), english_flagged_words()
    assert len(stop) == 301 and "a.k.a" in stop and "according" in stop  # BigScience's list, not spaCy's
    assert len(flagged) == 68 and "porn" in flagged and "cumshot" in flagged
    assert english_stop_words("spacy") == frozenset(STOP_WORDS)
    assert len(stop & english_stop_words("spacy")) == 186
    datatrove = english_flagged_words("datatrove")
    assert "porn" in datatrove and "ass" not in datatrove  # "#ass" is a disabled entry in datatrove's list
    assert len(flagged & datatrove) == 35
    assert not flagged & stop
    with pytest.raises(ValueError, match="stopwords list must be one of"):
        english_stop_words("nltk")


def test_filter_word_list_choice():
    text = prose(20, 0) + " according about above after again"  # "according" is in BigScience's list only
    words = split_words(text)
    bigscience = OlmQualityFilter(write_stats=True)
    spacy = OlmQualityFilter(write_stats=True, stop_words="spacy", flagged_words="datatrove")
    custom = OlmQualityFilter(write_stats=True, stop_words=["According", "about"], flagged_words=[])
    ratios = []
    for f in (bigscience, spacy, custom):
        d = doc(text)
        f.filter(d)
        ratios.append(d.metadata["olm_stopwords"])
    assert ratios[0] == pytest.approx(sum(w in english_stop_words() for w in words) / len(words))
    assert ratios[1] == pytest.approx(sum(w in english_stop_words("spacy") for w in words) / len(words))
    assert ratios[2] == pytest.approx(2 / len(words))
    with pytest.raises(ValueError, match="stop_words must be one of"):
        OlmQualityFilter(stop_words="nltk")


# ---------------------------------------------------------------- statistics, hand-computed


def test_char_repetition_ratio_hand_computed():
    # bigrams of "abababcd": ab ba ab ba ab bc cd -> ab:3 ba:2 bc:1 cd:1; D=4, isqrt=2, 2 repeated -> k=2
    assert char_repetition_ratio("abababcd", n=2) == pytest.approx(5 / 7)
    # "abababab": ab:4 ba:3; D=2 -> k=min(1, 2)=1 -> 4/7
    assert char_repetition_ratio("abababab", n=2) == pytest.approx(4 / 7)
    # the "singletons" ablation (NOT BigScience's rule) uses #singletons (0 here): maximal repetition scores 0
    assert char_repetition_ratio("abababab", n=2, k_rule="singletons") == 0.0
    # no repetition: k = min(1, 0) = 0 -> 0, as BigScience's code gives; the ablation gives sqrt(D)/D instead
    assert char_repetition_ratio("abcdefghijk") == 0.0
    assert char_repetition_ratio("abcdefghijk", k_rule="singletons") == pytest.approx(1 / 2)
    # 12 identical chars -> three identical 10-grams
    assert char_repetition_ratio("a" * 12) == 1.0
    assert char_repetition_ratio("short") == 0.0


def test_char_repetition_ratio_takes_only_the_top_k():
    # 2-grams of "aabbaabbccddeeff": D=11, isqrt=3, repeated: aa:2 ab:2 bb:2 ba:1? -> compute by hand below
    text = "aabbaabbccddeeff"
    grams = [text[i : i + 2] for i in range(len(text) - 1)]
    counts = sorted((grams.count(g) for g in set(grams)), reverse=True)  # [2, 2, 2, 1, ...]
    k = min(int(len(counts) ** 0.5), sum(c > 1 for c in counts))
    assert char_repetition_ratio(text, n=2) == pytest.approx(sum(counts[:k]) / len(grams))
    assert k == 3 and counts[:4] == [2, 2, 2, 1]


def test_word_repetition_ratio_hand_computed():
    # 5-grams of a b c d e a b c d e: abcde x2 + 4 others once -> 2 of 6 are in a repeated 5-gram
    assert word_repetition_ratio("a b c d e a b c d e".split()) == pytest.approx(2 / 6)
    # bigrams of x y x y z: xy:2 yx:1 yz:1 -> 2/4
    assert word_repetition_ratio("x y x y z".split(), n=2) == pytest.approx(2 / 4)
    assert word_repetition_ratio("a b c".split()) == 0.0
    assert word_repetition_ratio(["w"] * 9) == 1.0


def test_special_character_ratio_hand_computed():
    assert special_character_ratio("ab, 12!") == pytest.approx(5 / 7)  # , space 1 2 !
    assert special_character_ratio("é—ü «x»") == pytest.approx(4 / 7)  # — space « »
    assert special_character_ratio("hi😀") == pytest.approx(1 / 3)
    assert special_character_ratio("") == 0.0


def test_stopword_and_flagged_ratios_hand_computed():
    words = split_words("The cat and the dog.")
    assert word_list_ratio(words, english_stop_words()) == pytest.approx(3 / 5)
    assert word_list_ratio(split_words("porn, cats"), english_flagged_words()) == pytest.approx(1 / 2)
    assert word_list_ratio((), english_stop_words()) == 0.0


# ---------------------------------------------------------------- the filter: threshold edges and reasons


def test_prose_fixture_passes_every_default_check():
    text = prose(40, 14)
    f = OlmQualityFilter(write_stats=True)
    d = doc(text)
    assert f.filter(d) is True
    assert d.metadata["olm_word_count"] == 40
    assert d.metadata["olm_word_repetition"] == 0.0


@pytest.mark.parametrize(("n_words", "kept"), [(19, False), (20, True)])
def test_word_count_lower_edge(n_words, kept):
    text = prose(n_words, 10)
    assert len(split_words(text)) == n_words
    assert OlmQualityFilter().filter(doc(text)) == (True if kept else (False, "olm_word_count"))


def test_word_count_upper_edge():
    f = OlmQualityFilter(max_words=40)
    assert f.filter(doc(prose(40, 14))) is True
    assert f.filter(doc(prose(41, 14))) == (False, "olm_word_count")


@pytest.mark.parametrize(("n_stop", "kept"), [(6, True), (5, False)])
def test_stopword_ratio_edge(n_stop, kept):
    text = prose(20, n_stop)  # 6/20 = 0.30 keeps (>=), 5/20 = 0.25 drops
    assert OlmQualityFilter().filter(doc(text)) == (True if kept else (False, "olm_stopwords"))


@pytest.mark.parametrize(("n_flagged", "kept"), [(1, True), (2, False)])
def test_flagged_ratio_edge(n_flagged, kept):
    text = prose(100, 40, extra=["porn", "porno"][:n_flagged])  # 1/100 = 0.01 keeps (<=), 2/100 drops
    assert OlmQualityFilter().filter(doc(text)) == (True if kept else (False, "olm_flagged_words"))


def test_special_ratio_edge():
    base = prose(30, 12) + " "
    # pad with distinct special characters (no repeated 10-grams) until the ratio is exactly 0.4
    pad = sorted(c for c in special_characters() if not c.isspace() and not c.isascii() and ord(c) < 0x3000)
    for x in range(len(pad)):
        text = base + "".join(pad[:x])
        if count_special_characters(text) / len(text) >= 0.4:
            break
    at_edge, above = text, base + "".join(pad[: x + 1])
    assert special_character_ratio(at_edge) == 0.4
    assert special_character_ratio(above) > 0.4
    assert OlmQualityFilter().filter(doc(at_edge)) is True
    assert OlmQualityFilter().filter(doc(above)) == (False, "olm_special_characters")


def test_char_and_word_repetition_edges_use_inclusive_maximum():
    sentence = "We walked to the river and watched the boats drifting slowly past the old mill. "
    text = prose(40, 14) + " " + sentence * 3
    r_char = char_repetition_ratio(text)
    r_word = word_repetition_ratio(split_words(text))
    assert 0 < r_char and 0 < r_word
    only_char = dict(max_word_repetition=None)
    assert OlmQualityFilter(max_char_repetition=r_char, **only_char).filter(doc(text)) is True
    assert OlmQualityFilter(max_char_repetition=r_char * 0.999, **only_char).filter(doc(text)) == (
        False,
        "olm_char_repetition",
    )
    only_word = dict(max_char_repetition=None)
    assert OlmQualityFilter(max_word_repetition=r_word, **only_word).filter(doc(text)) is True
    assert OlmQualityFilter(max_word_repetition=r_word * 0.999, **only_word).filter(doc(text)) == (
        False,
        "olm_word_repetition",
    )


def test_repeated_boilerplate_is_dropped_by_default_thresholds():
    # for text repeating a period of p chars, the char ratio is about isqrt(p)/p: it catches short periods ...
    text = "Click here to subscribe to our newsletter. " * 20
    assert OlmQualityFilter().filter(doc(text)) == (False, "olm_char_repetition")
    # ... and the word 5-gram ratio catches the longer ones
    text = "Click here to subscribe to our newsletter and get the best deals every week. " * 10
    assert char_repetition_ratio(text) <= 0.106
    assert OlmQualityFilter(max_char_repetition=None).filter(doc(text)) == (False, "olm_word_repetition")


def test_checks_run_in_olm_order_first_failure_wins():
    text = "porn porn porn"  # fails word count, stop words and flagged words: word count is first
    assert OlmQualityFilter().filter(doc(text)) == (False, "olm_word_count")
    # no repeated 10-gram, fewer than 5 words: the stop-word check comes before the flagged-word check
    assert OlmQualityFilter(min_words=None).filter(doc(text)) == (False, "olm_stopwords")
    assert OlmQualityFilter(min_words=None, min_stopword_ratio=None).filter(doc(text)) == (False, "olm_flagged_words")


def test_none_disables_a_check():
    text = prose(20, 0)
    assert OlmQualityFilter().filter(doc(text)) == (False, "olm_stopwords")
    assert OlmQualityFilter(min_stopword_ratio=None).filter(doc(text)) is True


def test_write_stats_records_all_statistics_and_the_first_failure():
    d = doc("tiny doc")
    assert OlmQualityFilter(write_stats=True).filter(d) == (False, "olm_word_count")
    keys = ["olm_word_count", "olm_char_repetition", "olm_word_repetition", "olm_special_characters"]
    keys += ["olm_stopwords", "olm_flagged_words"]
    assert [k for k in d.metadata] == keys
    assert d.metadata["olm_word_count"] == 2


def test_custom_word_lists():
    text = prose(20, 0)
    assert OlmQualityFilter(stop_words=CONTENT_WORDS[:6]).filter(doc(text)) is True
    assert OlmQualityFilter(stop_words=CONTENT_WORDS[:5]).filter(doc(text)) == (False, "olm_stopwords")
    flagged = OlmQualityFilter(flagged_words=["KALOMI"], min_stopword_ratio=None)
    assert flagged.filter(doc(prose(50, 0, extra=["kalomi"]))) == (False, "olm_flagged_words")


def test_run_counts_named_reasons_and_writes_rejected(tmp_path):
    docs = [doc(prose(40, 14)), doc("too short"), doc(prose(20, 2))]
    for i, d in enumerate(docs):
        d.id = f"doc{i}"
    f = OlmQualityFilter(
        exclusion_writer=JsonlWriter(str(tmp_path), output_filename="${rank}.jsonl", compression=None)
    )
    kept = list(f.run(iter(docs)))
    assert [d.id for d in kept] == ["doc0"]
    stats = f.stats.to_dict()["stats"]
    assert stats["dropped_olm_word_count"] == 1 and stats["dropped_olm_stopwords"] == 1
    rejected = [json.loads(line) for line in (tmp_path / "00000.jsonl").read_text().splitlines()]
    assert {(r["id"], r["metadata"]["filter_reason"]) for r in rejected} == {
        ("doc1", "olm_word_count"),
        ("doc2", "olm_stopwords"),
    }


def test_non_text_document_is_dropped_not_crashed():
    assert OlmQualityFilter().filter(Document(text=None, id="x")) == (False, "olm_no_text")  # type: ignore[arg-type]


def test_lone_surrogates_do_not_crash():
    d = doc("word \ud800 " * 30)  # e.g. text decoded with errors="surrogateescape"
    assert OlmQualityFilter(write_stats=True).filter(d) == (False, "olm_char_repetition")
    assert d.metadata["olm_word_count"] == 60 and d.metadata["olm_special_characters"] == pytest.approx(2 / 7)


def test_statistics_are_deterministic_and_filter_pickles():
    import pickle

    text = prose(200, 60) + " " + "the same words again and again " * 5
    f = pickle.loads(pickle.dumps(OlmQualityFilter(write_stats=True)))
    a, b = doc(text), doc(text)
    f.filter(a)
    OlmQualityFilter(write_stats=True).filter(b)
    assert a.metadata == b.metadata


# ---------------------------------------------------------------- text edits


def test_olm_text_edits():
    text = (
        "  Visit http://x.com now\tor www.site.org  ok\n\n"
        'supercalifragilisticexpialidocious!! fine "' + "b" * 25 + '"\u00a0end  HTTP://X.COM Www.Example.org '
    )
    assert OlmTextEdits().format(text) == 'Visit now\tor ok\nfine "' + "b" * 25 + '" end Www.Example.org'


def test_olm_text_edits_can_disable_each_edit():
    text = "see www.example.org and " + "x" * 30
    assert OlmTextEdits(incorrect_substrings=None).format(text) == "see www.example.org and"
    assert OlmTextEdits(max_word_length=None).format(text) == "see and " + "x" * 30
    assert OlmTextEdits().format("   ") == ""
