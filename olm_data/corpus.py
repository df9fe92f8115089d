"""Corpus files read in batches of texts: parquet (datatrove ParquetWriter, column `text`), jsonl(.gz), plain text.

Bad input is skipped and counted, never fatal. Shared by the vocabulary trainer, the packer (`olm_data.trainer`)
and the n-gram LM (`olm_data.perplexity`), so it imports nothing the GPU image lacks: no datatrove, no fsspec
(datatrove's reader of corpus folders, for pipeline stages, is `olm_data.readers.parquet`).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from olm_data.errors import UsageError

logger = logging.getLogger(__name__)

INPUT_SUFFIXES = (".parquet", ".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")
# plain text, a document per line: read when named, or from a folder that holds no parquet/jsonl (beside those,
# a .txt is a stray note or README, not corpus)
TEXT_SUFFIXES = (".txt", ".txt.gz")


def list_input_files(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand files and folders (searched recursively) into a sorted, de-duplicated list of corpus files.

    Sorted so that the same inputs always give the same document order, hence the same vocab and rows.
    """
    files: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise UsageError(f"input not found (no such file or folder): {path}")
        if path.is_dir():
            inside = sorted(
                (p for p in path.rglob("*") if p.is_file() and not _is_hidden(p, path)),
                key=lambda p: p.relative_to(path).as_posix(),
            )
            found = [p for p in inside if _is_corpus_file(p)] or [p for p in inside if p.name.endswith(TEXT_SUFFIXES)]
        elif _is_corpus_file(path) or path.name.endswith(TEXT_SUFFIXES):
            found = [path]
        else:
            raise UsageError(
                f"unsupported input file {path}: expected one of {', '.join(INPUT_SUFFIXES + TEXT_SUFFIXES)}"
            )
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)
    if not files:
        raise UsageError(f"no corpus files ({', '.join(INPUT_SUFFIXES)}) under: {' '.join(map(str, inputs))}")
    return files


def _is_corpus_file(path: Path) -> bool:
    return path.name.endswith(INPUT_SUFFIXES)


def _is_hidden(path: Path, root: Path) -> bool:
    # datatrove and Spark leave `.crc`, `_SUCCESS`, `.tmp` folders beside the data: never read them
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


@dataclass
class CorpusReader:
    """Streams document texts from corpus files in batches, skipping bad input instead of crashing.

    Every skip is counted in `stats` (`bad_files`, `bad_lines`, `missing_text`, `empty_docs`) and logged once per
    file with its location.

    Args:
        batch_size: texts per yielded batch (the unit handed to `encode_batch` / the vocab trainer).
    """

    batch_size: int = 1000
    stats: Counter = field(default_factory=Counter)
    _logged: set = field(default_factory=set, repr=False)

    def _warn_once(self, path: Path, kind: str, message: str) -> None:
        self.stats[kind] += 1
        if (str(path), kind) not in self._logged:
            self._logged.add((str(path), kind))
            logger.warning("%s: %s (further %s in this file are counted, not logged)", path, message, kind)

    def count_docs(self, path: Path) -> int:
        """Rows in a parquet file (from its footer) or non-blank lines in a jsonl file; 0 for an unreadable file."""
        try:
            if path.name.endswith(".parquet"):
                import pyarrow.parquet as pq

                return pq.ParquetFile(path).metadata.num_rows
            with _open_text(path) as f:
                return sum(1 for line in f if line.strip())
        except Exception as e:  # noqa: BLE001 - any unreadable file is skipped, counted and logged
            self._warn_once(path, "bad_files", f"unreadable, skipped ({type(e).__name__}: {e})")
            return 0

    def iter_rows(self, path: Path, row_groups: list[int] | None = None) -> Iterator[list[Any]]:
        """Yield batches of raw `text` values (any type, None included) of one file, in file order.

        Row numbering matches `count_docs`, which the seeded sampling relies on.
        """
        try:
            if path.name.endswith(".parquet"):
                yield from self._iter_parquet(path, row_groups)
            elif path.name.endswith((".txt", ".txt.gz")):
                yield from self._iter_text_lines(path)
            else:
                yield from self._iter_jsonl(path)
        except Exception as e:  # noqa: BLE001 - a corrupt file mid-way: keep what was read, skip the rest
            self._warn_once(path, "bad_files", f"unreadable, rest of file skipped ({type(e).__name__}: {e})")

    def _iter_parquet(self, path: Path, row_groups: list[int] | None) -> Iterator[list[Any]]:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        if "text" not in pf.schema_arrow.names:
            self._warn_once(path, "bad_files", f"no `text` column (columns: {pf.schema_arrow.names}), skipped")
            return
        for batch in pf.iter_batches(batch_size=self.batch_size, row_groups=row_groups, columns=["text"]):
            yield batch.column(0).to_pylist()

    def _iter_text_lines(self, path: Path) -> Iterator[list[Any]]:
        """Plain text: every non-blank line is a document (row numbering matches `count_docs`)."""
        yield from self._batched(path, lambda lineno, line: line)

    def _iter_jsonl(self, path: Path) -> Iterator[list[Any]]:
        def text_of(lineno: int, line: str) -> Any:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                self._warn_once(path, "bad_lines", f"line {lineno}: invalid JSON ({e.msg}), skipped")
                return None  # keeps row numbering aligned with count_docs; dropped by clean()
            return obj.get("text") if isinstance(obj, dict) else None

        yield from self._batched(path, text_of)

    def _batched(self, path: Path, value_of: Any) -> Iterator[list[Any]]:
        """Batches of `value_of(lineno, line)` over the non-blank lines of a text file.

        A file damaged mid-way (truncated gzip) first yields what was read before the damage, then raises.
        """
        batch: list[Any] = []
        try:
            with _open_text(path) as f:
                for lineno, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    batch.append(value_of(lineno, line))
                    if len(batch) >= self.batch_size:
                        yield batch
                        batch = []
        except Exception:  # noqa: BLE001 - damaged mid-way: hand over what was read, then let iter_rows log it
            if batch:
                yield batch
            raise
        if batch:
            yield batch

    def clean(self, path: Path, values: list[Any]) -> list[str]:
        """Keep the non-empty string texts of a batch; count the others."""
        texts = []
        for v in values:
            if not isinstance(v, str):
                self._warn_once(path, "missing_text", "a document without a string `text`, skipped")
            elif not v or v.isspace():
                self.stats["empty_docs"] += 1
            else:
                texts.append(v)
        self.stats["docs"] += len(texts)
        return texts

    def iter_texts(self, files: list[Path], sample: dict[Path, set[int]] | None = None) -> Iterator[list[str]]:
        """Yield batches of document texts from `files` in order; with `sample`, only those row numbers per file."""
        for path in files:
            wanted = None if sample is None else sample.get(path)
            if sample is not None and not wanted:
                continue
            row = 0
            for values in self.iter_rows(path):
                if wanted is not None:
                    kept = [v for i, v in enumerate(values, row) if i in wanted]
                    row += len(values)
                    values = kept
                texts = self.clean(path, values)
                if texts:
                    yield texts

    def sample_plan(self, files: list[Path], n_docs: int, seed: int) -> dict[Path, set[int]] | None:
        """Choose `n_docs` row numbers uniformly over all files with a seeded RNG: same files + seed, same docs.

        Costs one cheap pass (parquet footers, jsonl line counts) and memory for the chosen row numbers only.
        None (read everything) when the corpus has no more than `n_docs` rows.
        """
        import numpy as np

        counts = [self.count_docs(p) for p in files]
        total = sum(counts)
        if n_docs >= total:
            return None
        chosen = np.sort(np.random.default_rng(seed).choice(total, size=n_docs, replace=False))
        plan: dict[Path, set[int]] = {}
        start = 0
        for path, count in zip(files, counts, strict=True):
            lo, hi = np.searchsorted(chosen, [start, start + count])
            if hi > lo:
                plan[path] = {int(i) - start for i in chosen[lo:hi]}
            start += count
        return plan


def _open_text(path: Path):
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def holds_no_documents(folders: list[str]) -> bool:
    """True when none of `folders` holds a corpus file: what an earlier stage whose filters dropped every document
    leaves behind (its writer creates no file, often not even the folder)."""
    present = [f for f in folders if os.path.exists(f)]
    if not present:
        return True
    try:
        return not list_input_files(present)
    except UsageError:
        return True
