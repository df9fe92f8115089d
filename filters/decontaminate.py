"""Drop (or flag) documents that contain text of evaluation sets, so GLUE scores are not inflated by training
on the test questions.

Rule (GPT-3's 13-gram overlap test): a document is contaminated if it shares a word n-gram (default 13 words)
with an evaluation text. Words are normalized exactly as for dedup
(`olm_data.dedup.text`: case, punctuation, accents, digits), so formatting differences do not hide a match.
Many GLUE sentences are shorter than 13 words (CoLA, SST-2); such a sentence counts as one n-gram of its own
length when it has at least `min_words` words (default 8: shorter sentences are common phrases), i.e. the
document must contain the whole sentence.

Evaluation sets come as GLUE-format folders: one folder per task with TSV files (`dev.tsv`, `test.tsv`, ...).
The text columns are found by header name (sentence, sentence1/2, question, question1/2, #1/#2 String,
premise, hypothesis); a file without a known header (CoLA) uses its last column.
"""

from __future__ import annotations

import csv
import fnmatch
import os
import sys
from collections.abc import Sequence

import numpy as np
from datatrove.pipeline.filters.base_filter import BaseFilter

from olm_data.dedup import text as textmod
from olm_data.errors import UsageError

TEXT_COLUMNS = (
    "sentence",
    "sentence1",
    "sentence2",
    "question",
    "question1",
    "question2",
    "#1 string",
    "#2 string",
    "premise",
    "hypothesis",
)
DEFAULT_FILES = ("dev*.tsv", "test*.tsv")


def glue_texts(path: str) -> list[str]:
    """The text cells of one GLUE-format TSV file."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r]
    if not rows:
        return []
    header = [c.strip().lower() for c in rows[0]]
    cols = [i for i, name in enumerate(header) if name in TEXT_COLUMNS]
    if cols:
        body = rows[1:]
    else:  # no known header: CoLA layout (source, label, original label, sentence)
        body = rows
        cols = [len(rows[0]) - 1]
    return [r[i] for r in body for i in cols if i < len(r) and r[i].strip()]


def find_eval_files(folders: Sequence[str], patterns: Sequence[str] = DEFAULT_FILES) -> list[tuple[str, str]]:
    """(name, path) of the evaluation TSV files: `folder` may be one task folder or a folder of task folders."""
    found = []
    for folder in folders:
        if not os.path.isdir(folder):
            raise UsageError(f"evaluation folder {folder} does not exist")
        here = []
        for root, _, files in os.walk(folder):
            for fname in files:
                if any(fnmatch.fnmatch(fname, p) for p in patterns):
                    path = os.path.join(root, fname)
                    name = os.path.relpath(path, os.path.dirname(os.path.abspath(folder)))
                    here.append((name.replace(os.sep, "/"), path))
        if not here:
            raise UsageError(f"no evaluation files matching {', '.join(patterns)} under {folder}")
        found += here
    return sorted(found)


class DecontaminationFilter(BaseFilter):
    """Drops (or flags) docs sharing an n-gram with evaluation sets; stats count matches per evaluation file.

    Args:
        eval_folders: GLUE-format folders (a task folder, or a folder of task folders such as `glue/`).
        n: n-gram length in words.
        min_words: evaluation texts shorter than `n` but at least this long match as a whole; shorter ones
            are ignored.
        files: file-name patterns of the evaluation splits to use.
        action: "drop" (reason `olm_contaminated`) or "flag" (keep the doc, set metadata `contaminated_with`
            to the matching file, e.g. "glue/SST-2/dev.tsv", and to "" on clean docs).
        exclusion_writer: optional writer for dropped docs.
    """

    name = "🧪 Decontaminate"

    def __init__(
        self,
        eval_folders: Sequence[str],
        n: int = 13,
        min_words: int = 8,
        files: Sequence[str] = DEFAULT_FILES,
        action: str = "drop",
        exclusion_writer=None,
    ) -> None:
        super().__init__(exclusion_writer)
        if action not in ("drop", "flag"):
            raise UsageError(f"decontamination action must be 'drop' or 'flag', got {action!r}")
        if not 1 <= min_words <= n <= 64:
            raise UsageError(f"need 1 <= min_words <= n <= 64, got min_words={min_words}, n={n}")
        self.eval_files = find_eval_files(eval_folders, files)
        self.n = n
        self.min_words = min_words
        self.action = action
        self._index: tuple[np.ndarray, np.ndarray, list[str], list[int]] | None = None

    @property
    def index(self) -> tuple[np.ndarray, np.ndarray, list[str], list[int]]:
        """(sorted n-gram hashes, source number of each, source names, window lengths to check); built lazily."""
        if self._index is None:
            hashes, sources, names = [], [], []
            lengths = set()
            for src, (name, path) in enumerate(self.eval_files):
                names.append(name)
                texts = glue_texts(path)
                wh, off = textmod.batch_word_hashes(texts)
                wins, _ = textmod.batch_window_hashes(wh, off, self.n, short=False)
                hashes.append(wins)
                sources.append(np.full(len(wins), src, dtype=np.int32))
                n_words = np.diff(off)
                for length in np.unique(n_words[(n_words >= self.min_words) & (n_words < self.n)]):
                    sel = np.flatnonzero(n_words == length)
                    sub_off = np.concatenate([[0], np.cumsum(n_words[sel])])
                    sub = np.concatenate([wh[off[i] : off[i + 1]] for i in sel])
                    w, _ = textmod.batch_window_hashes(sub, sub_off, int(length), short=False)
                    hashes.append(w)
                    sources.append(np.full(len(w), src, dtype=np.int32))
                    lengths.add(int(length))
            h = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
            s = np.concatenate(sources) if sources else np.zeros(0, dtype=np.int32)
            order = np.argsort(h, kind="stable")
            self._index = (h[order], s[order], names, sorted(lengths | {self.n}))
        return self._index

    def match(self, text: str) -> str | None:
        """Name of the first evaluation file (in file order) sharing an n-gram with `text`, else None."""
        hashes, sources, names, lengths = self.index
        if len(hashes) == 0:
            return None
        wh, off = textmod.batch_word_hashes([text])
        best = None
        for length in lengths:
            if len(wh) < length:
                continue
            wins, _ = textmod.batch_window_hashes(wh, off, length, short=False)
            pos = np.searchsorted(hashes, wins)
            pos[pos == len(hashes)] = 0
            hit = pos[hashes[pos] == wins]
            if len(hit):
                src = int(sources[hit].min())
                best = src if best is None else min(best, src)
        return None if best is None else names[best]

    def filter(self, doc) -> bool | tuple[bool, str]:
        source = self.match(doc.text)
        if source is None:
            if self.action == "flag":
                doc.metadata["contaminated_with"] = ""  # every doc gets the key: parquet infers one schema
            return True
        self.stat_update("contaminated", f"contaminated_{source}")
        if self.action == "flag":
            doc.metadata["contaminated_with"] = source
            return True
        return False, "olm_contaminated"
