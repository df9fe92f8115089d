"""CCNet's text normalization, applied before SentencePiece both when the LM is trained and when text is scored.

The reference LMs (CCNet's, and the edugp/kenlm models OLM used) were trained on text normalized this way, so a
scorer that skips a step sees words the LM never saw and reports inflated perplexities. The steps and their order
follow cc_net's `text_normalizer.normalize(line)` with its defaults: strip, lowercase, strip accents (NFD, drop
combining marks), every Unicode digit to `0`, map a fixed table of Unicode punctuation to ASCII, then drop control
characters (code points 0-31 and 127-159; this removes tabs and newlines too, so normalize one line at a time).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["UNICODE_PUNCTUATION", "normalize_line", "split_lines"]

# The punctuation table cc_net maps (characters -> ASCII replacement). Data, kept identical so that perplexities
# stay comparable with models trained by cc_net.
UNICODE_PUNCTUATION: dict[str, str] = {
    "，": ",",
    "。": ".",
    "、": ",",
    "„": '"',
    "”": '"',
    "“": '"',
    "«": '"',
    "»": '"',
    "１": '"',
    "」": '"',
    "「": '"',
    "《": '"',
    "》": '"',
    "´": "'",
    "∶": ":",
    "：": ":",
    "？": "?",
    "！": "!",
    "（": "(",
    "）": ")",
    "；": ";",
    "–": "-",
    "—": " - ",
    "．": ". ",
    "～": "~",
    "’": "'",
    "…": "...",
    "━": "-",
    "〈": "<",
    "〉": ">",
    "【": "[",
    "】": "]",
    "％": "%",
    "►": "-",
}

# str.translate does the punctuation mapping and the control-character removal in one C-level pass.
_TRANSLATION = str.maketrans(
    {**UNICODE_PUNCTUATION, **{chr(c): None for c in [*range(0, 32), *range(127, 160)]}},
)
_DIGIT = re.compile(r"\d")  # any Unicode decimal digit, like cc_net


def _strip_accents(text: str) -> str:
    if text.isascii():  # the common case: nothing to decompose
        return text
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def normalize_line(line: str) -> str:
    """Normalize one line the way cc_net does before SentencePiece + KenLM (see the module docstring).

    Note: `１` (fullwidth one) is mapped to `"` by cc_net's table, but the digit rule runs first and turns it into
    `0`; we keep that order so our output matches cc_net's character for character.
    """
    line = line.strip()
    if not line:
        return line
    line = _strip_accents(line.lower())
    line = _DIGIT.sub("0", line)
    return line.translate(_TRANSLATION)


def split_lines(text: str) -> list[str]:
    """The normalized, non-empty lines of a document: the units the LM is trained on and scores."""
    out = []
    for raw in text.split("\n"):
        line = normalize_line(raw)
        if line:
            out.append(line)
    return out
