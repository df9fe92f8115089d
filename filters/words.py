"""One word tokenization per document for the OLM quality statistics, and which word passes the pipeline makes.

Why one module: the BigScience/OLM filters each re-split the document (word count, word repetition, stop
words, flagged words: four splits per doc) and datatrove's Gopher/C4/FineWeb filters run spaCy per filter.
Here `split_words(text)` runs once per text (an LRU cache keyed on the text, so later steps that see the same
unchanged `doc.text` reuse the result for free) and every statistic reads its tuple.

Word passes per document in the CC pipeline (CPU per 5.7 KB extracted page, one core, `benchmarks/pipeline.py`):
- filter stage: `split_words` once (~270 us), shared by all quality statistics (~670 us for the whole filter;
  re-splitting per statistic would add ~800 us). The language ID runs fastText on the raw text (~1.5 ms).
- dedup stages (exact text keys, then MinHash shingles) and decontamination: the dedup words of
  `olm_data.dedup.text` (runs of letters and digits, accents stripped, digits -> "0"), hashed straight from
  the UTF-32 code points in one vectorized pass (~70 us batched, ~100 us one document per call).
- datatrove's FineWeb chain, for comparison: three spaCy word passes (GopherRepetition, GopherQuality,
  FineWebQuality) plus C4's spaCy sentence splits, ~14 ms per pass.
The two definitions stay separate on purpose; merging them would change results: the quality thresholds are
BigScience's, tuned on its words ("don't", "re-install" and "e.g" are one word each, numbers vanish), while
dedup and decontamination must match across formatting ("3.11" -> "0 00", "e.g." -> "e g", "café" -> "cafe").
Deriving one from the other is also slower, not faster: hashing the dedup words of a Python word list
(`text.word_hashes_from_words`) costs more than the vectorized pass from the text, and the dedup steps run in
later stages that read the text back from parquet, where storing 8 bytes of hash per word would take more room
than the text itself.

Word definition: the one BigScience's `ac_dc/filtering.py` uses for English (`get_words_from_document` with no
SentencePiece model): split on " ", "\\n" and "\\t"; lowercase; strip `special_characters()` from both ends of
each word; drop words that become empty. We run it as a C-level `str.split` plus an ASCII-only `str.strip`,
falling back to a set-based strip only for the few words of non-ASCII text that still end in a special
character (~25 M chars/s per core on mixed-language web text, ~50x faster than datatrove's spaCy tokenizer).
Against spaCy's English tokenizer (datatrove's `split_into_words`), on "Don't re-install Python 3.11 (e.g. from
https://x.org) -- it costs $5.00, naïve café!": spaCy makes 21 tokens, cased, with punctuation, symbols and
numbers as tokens of their own ("Do", "n't", "re", "-", "install", "3.11", "(", "e.g.", "$", "5.00", "!", ...);
we make 10 words: "don't", "re-install", "python", "e.g", "from", "https://x.org", "it", "costs", "naïve",
"café" (numbers and bare punctuation are no words). So our word counts run lower than Gopher's, and word-level
ratios are not comparable with datatrove's thresholds.
Differences from the original, both tiny:
- We lowercase before stripping; the original strips the un-lowercased word for the word count only. They
  differ only for special characters whose lowercase is not special (in the set: Cyrillic "Г"), e.g. a word
  "Г." counts as a word for us.
- The emoji part of `special_characters()` comes from the Unicode `Emoji` property (via the `regex` module)
  instead of the keys of the `emoji` 1.x package's `UNICODE_EMOJI["en"]`; only single code points can match a
  single character, and those sets agree up to the Unicode version.

Word lists. The defaults are BigScience's English lists, the ones OLM filtered with, bundled as package data
(`filters/data/bigscience_*_en.txt`: data-preparation bbd4235, Apache-2.0, source noted in each file):
- `english_stop_words()`: BigScience's 301 English stop words (default), or `"spacy"`: spaCy's 326,
  `spacy.lang.en.stop_words.STOP_WORDS` (no spaCy model needed; the spaCy package itself is not imported).
  Only 186 words are in both; with spaCy's list the stop-word ratio moves on most documents and the >= 0.3
  decision flips on a few percent of them.
- `english_flagged_words()`: BigScience's 68 English flagged (adult) words (default), or `"datatrove"`:
  datatrove's package data `datatrove/assets/banned_words.txt` (the "hard" list its URL filter uses,
  LDNOOBW-derived, ~200 words; lines starting with "#" are disabled entries and skipped). 35 words are in
  both; BigScience's has adult terms datatrove's lacks. datatrove's `soft_banned_words.txt` is deliberately
  never used: it holds everyday words ("sex", "naked", "escort", "webcam") that would drop health and news
  pages at a 1% ratio; pass your own list to the filter to change that.
"""

from __future__ import annotations

import string
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from olm_data.array_cache import cached_array

# Characters split on: exactly BigScience's `split_on_whitespace(new_line=True, tab=True)`.
WORD_SEPARATORS = " \n\t"

# BigScience's `other_special_characters` (parameters_filtering.py), as code points so no invisible
# character hides in this file. It includes a few odd members (C1 controls, "一", "上", "士", "Г") that the
# original set has; kept for fidelity with the published thresholds.
_BIGSCIENCE_EXTRA_CODEPOINTS = (
    0x0081, 0x0082, 0x0083, 0x0084, 0x0085, 0x0091, 0x0092, 0x0093, 0x0095, 0x0096, 0x0097, 0x0098, 0x0099,
    0x009C, 0x009D, 0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x00AA,
    0x00AB, 0x00AD, 0x00AE, 0x00AF, 0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B7, 0x00B8, 0x00B9, 0x00BA,
    0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF, 0x00D7, 0x00F7, 0x00F8, 0x0131, 0x026A, 0x02BA, 0x02BB, 0x02BC,
    0x02C8, 0x02CC, 0x02D0, 0x02D8, 0x02DA, 0x02DC, 0x03C0, 0x0413, 0x060C, 0x0647, 0x066A, 0x066C, 0x06E9,
    0x093E, 0x0940, 0x0947, 0x094D, 0x097D, 0x09BE, 0x0E51, 0x2002, 0x2003, 0x2005, 0x2008, 0x2009, 0x200A,
    0x200B, 0x2010, 0x2011, 0x2013, 0x2014, 0x2015, 0x2016, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E,
    0x201F, 0x2020, 0x2022, 0x2024, 0x2026, 0x202F, 0x2030, 0x2032, 0x2033, 0x2039, 0x203A, 0x203F, 0x2043,
    0x2044, 0x20A8, 0x20AA, 0x20AC, 0x2103, 0x2122, 0x2190, 0x2191, 0x2192, 0x2193, 0x21D3, 0x2206, 0x2208,
    0x2212, 0x221A, 0x221E, 0x221F, 0x223C, 0x2248, 0x2256, 0x2264, 0x2265, 0x2295, 0x22C5, 0x2550, 0x25A0,
    0x25AC, 0x25B2, 0x25B4, 0x25B7, 0x25BA, 0x25BB, 0x25BC, 0x25C6, 0x25CF, 0x25E6, 0x2605, 0x2606, 0x261B,
    0x263B, 0x2661, 0x2665, 0x266B, 0x2713, 0x2726, 0x2731, 0x2756, 0x27A4, 0x27A9, 0x2800, 0x3000, 0x3001,
    0x3002, 0x300A, 0x300B, 0x300C, 0x300D, 0x3010, 0x3011, 0x309C, 0x30B7, 0x30C3, 0x30C4, 0x30F3, 0x30FB,
    0x30FC, 0x4E00, 0x4E0A, 0x58EB, 0xFD3E, 0xFD3F, 0xFEFF, 0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF0E, 0xFF11,
    0xFF1A, 0xFF1B, 0xFF1F, 0xFF3E, 0xFF5E, 0xFFFC, 0xFFFD,
)  # fmt: skip


@cache
def special_characters() -> frozenset[str]:
    """BigScience's special-character set: ASCII punctuation, digits and whitespace, its extra symbols, emoji.

    Built lazily and cached for the process; the emoji scan (~0.2 s, in every filter task) is kept in olm-data's
    array cache, keyed by the version of `regex` whose Unicode tables it reads.
    """
    import regex  # the stdlib `re` has no Unicode-property classes

    emoji = cached_array("emoji-code-points", f"regex {regex.__version__}|v1", _emoji_code_points)
    base = string.punctuation + string.digits + string.whitespace
    return frozenset(base) | frozenset(map(chr, _BIGSCIENCE_EXTRA_CODEPOINTS)) | frozenset(map(chr, emoji.tolist()))


def _emoji_code_points():
    import numpy as np
    import regex

    all_chars = "".join(map(chr, range(0x110000)))
    return np.array([ord(c) for c in regex.findall(r"\p{Emoji}", all_chars)], dtype=np.int32)


@cache
def _special_table():
    """A boolean lookup table over all code points: `table[cp]` is True for special characters."""
    import numpy as np

    table = np.zeros(0x110000, dtype=np.bool_)
    table[[ord(c) for c in special_characters()]] = True
    return table


_ASCII_SPECIAL = string.punctuation + string.digits + string.whitespace
_ASCII_SPECIAL_BYTES = _ASCII_SPECIAL.encode("ascii")


def strip_special_characters(word: str, special: frozenset[str] | None = None) -> str:
    """`word` without special characters at either end (`special` defaults to `special_characters()`)."""
    # str.strip(chars) with ~1,600 chars scans that string per character tested: a set lookup is faster
    if special is None:
        special = special_characters()
    begin, end = 0, len(word)
    while begin < end and word[begin] in special:
        begin += 1
    while end > begin and word[end - 1] in special:
        end -= 1
    return word[begin:end]


@lru_cache(maxsize=8)
def split_words(text: str) -> tuple[str, ...]:
    """Lowercased words of `text`, stripped of special characters at both ends (BigScience's definition).

    Cached on the text: the quality filter, MinHash and decontamination steps that see the same unchanged
    `doc.text` share one tokenization. Returns a tuple so no caller can change what the others read.
    """
    lowered = text.lower()
    # C-level split and an ASCII-only strip first (a short `chars` argument keeps str.strip fast) ...
    words = [w.strip(_ASCII_SPECIAL) for w in lowered.replace("\n", " ").replace("\t", " ").split(" ")]
    if not lowered.isascii():  # O(1) in CPython
        # ... then a set-based strip only for the rare words that still start or end with a special character
        special = special_characters()
        words = [
            strip_special_characters(w, special) if w and (w[0] in special or w[-1] in special) else w for w in words
        ]
    return tuple(filter(None, words))


def count_special_characters(text: str) -> int:
    """How many characters of `text` are in `special_characters()` (each occurrence counts)."""
    if text.isascii():
        # bytes.translate with a delete set runs at memory speed; most web text is ASCII
        raw = text.encode("ascii")
        return len(raw) - len(raw.translate(None, _ASCII_SPECIAL_BYTES))
    import numpy as np

    codepoints = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return int(np.count_nonzero(_special_table()[codepoints]))


STOP_WORD_LISTS = ("bigscience", "spacy")
FLAGGED_WORD_LISTS = ("bigscience", "datatrove")
_DATA = Path(__file__).resolve().parent / "data"


def _read_word_file(path: Path) -> frozenset[str]:
    """Lowercase words of a one-word-per-line file; empty lines and lines starting with "#" are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def _bigscience_list(kind: str, source: str, choices: tuple[str, ...]) -> frozenset[str] | None:
    """BigScience's bundled `kind` list when `source` is "bigscience", None for another known source."""
    if source not in choices:
        raise ValueError(f"{kind} list must be one of {choices}, not {source!r}")
    return _read_word_file(_DATA / f"bigscience_{kind}_en.txt") if source == "bigscience" else None


@cache
def english_stop_words(source: Literal["bigscience", "spacy"] = "bigscience") -> frozenset[str]:
    """English stop words: BigScience's list (package data) or spaCy's `spacy.lang.en.stop_words.STOP_WORDS`."""
    bundled = _bigscience_list("stopwords", source, STOP_WORD_LISTS)
    if bundled is not None:
        return bundled
    import importlib.util

    # that module is plain data with no imports, so we execute just that file: importing it the normal way
    # first imports the `spacy` package (~1.5 s per worker process). Falls back to the normal import.
    spec = importlib.util.find_spec("spacy")  # locates the package without running it
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "lang" / "en" / "stop_words.py"
        file_spec = importlib.util.spec_from_file_location("_olm_spacy_en_stop_words", path)
        if path.is_file() and file_spec and file_spec.loader:
            module = importlib.util.module_from_spec(file_spec)
            file_spec.loader.exec_module(module)
            return frozenset(module.STOP_WORDS)
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@cache
def english_flagged_words(source: Literal["bigscience", "datatrove"] = "bigscience") -> frozenset[str]:
    """English flagged words: BigScience's list (package data) or datatrove's hard banned-word list."""
    bundled = _bigscience_list("flagged_words", source, FLAGGED_WORD_LISTS)
    if bundled is not None:
        return bundled
    from datatrove.utils._import_utils import ASSETS_PATH

    return _read_word_file(Path(ASSETS_PATH) / "banned_words.txt")
