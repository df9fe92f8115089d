"""Document filters: offline language ID, the OLM/BigScience quality filters, URL filters.

A pipeline file picks one quality set: ours (`OlmQualityFilter`, one pass, BigScience's English thresholds)
or datatrove's Gopher/C4/FineWeb filters, re-exported here unchanged. They tokenize with spaCy's blank
English pipeline (`spacy` installed, no model download). datatrove's `C4BadWordsFilter` and `LanguageFilter`
are NOT re-exported: both download data at run time.
"""

from datatrove.pipeline.filters import (
    C4ParagraphFilter,
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)

from olm_data.filters.language import FastTextLanguageFilter, default_lid_model_path
from olm_data.filters.olm_quality import (
    OlmQualityFilter,
    OlmTextEdits,
    char_repetition_ratio,
    special_character_ratio,
    word_list_ratio,
    word_repetition_ratio,
)
from olm_data.filters.urls import UrlBlocklistFilter, WikipediaUrlFilter
from olm_data.filters.words import split_words

__all__ = [
    "C4ParagraphFilter",
    "C4QualityFilter",
    "FastTextLanguageFilter",
    "FineWebQualityFilter",
    "GopherQualityFilter",
    "GopherRepetitionFilter",
    "OlmQualityFilter",
    "OlmTextEdits",
    "UrlBlocklistFilter",
    "WikipediaUrlFilter",
    "char_repetition_ratio",
    "default_lid_model_path",
    "special_character_ratio",
    "split_words",
    "word_list_ratio",
    "word_repetition_ratio",
]
