"""Exact dedup by URL, by normalized text, or by OLM's 100-byte prefix/suffix, hash-partitioned (no global set).

Three stages per key: keys (N tasks: each doc's 64-bit key hash goes to partition key % P) -> select (P tasks:
one partition from every task, sorted, one winner per key) -> filter (N tasks: drop the losers). Memory per
select task is ~60 bytes x docs / P.

Rules (deterministic, independent of the number of tasks):
* url: keep the most recent fetch of a URL (latest `date` metadata; docs without a date count as oldest), then
  the lowest id. The URL is compared exactly as stored.
* text: keep the earliest doc (date, else `timestamp`; undated last), then the lowest id, among docs whose
  normalized word sequence is identical (`text.py`: case, punctuation, accents and digits normalized).
* prefix / suffix: OLM's first dedup pass (olm-datasets `deduplicate.py --remove_whole_example`): docs whose
  first (prefix) or last (suffix) 100 bytes of UTF-8 text are identical are duplicates, one is kept (same rule
  as text). OLM ran prefix, then suffix on what prefix kept, then the suffix-array substring dedup
  (`substring.py`); it kept the last doc of each group in its sort order, which depends on the sort's handling of
  ties, so we use the deterministic text rule instead. Bytes are compared raw: no normalization, and a doc
  shorter than 100 bytes has its whole text as the key (so an empty text duplicates every other empty text).
Docs without a URL (url key) or without words (text key) are never removed. Keys run in the order url, text,
prefix, suffix, each on the previous one's output, so a URL's latest fetch cannot be removed as a text duplicate
of an older fetch that URL dedup already dropped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from olm_data.dedup import text as textmod
from olm_data.dedup.store import file_rank, id_hash, parse_dates, read_table
from olm_data.errors import UsageError
from olm_data.runtime import rejected_writer

KEYS = ("url", "text", "prefix", "suffix")  # the order they run in
AFFIX_BYTES = 100  # OLM's prefix/suffix length


def _check_key(key: str) -> None:
    if key not in KEYS:
        raise UsageError(f"exact dedup key must be one of {', '.join(KEYS)}, got {key!r}")


def _schema():
    import pyarrow as pa

    return pa.schema(
        [
            ("key", pa.uint64()),
            ("date_us", pa.int64()),
            ("id", pa.string()),
            ("rank", pa.uint32()),
            ("idx", pa.uint32()),
            ("id_hash", pa.uint64()),
        ]
    )


class ExactDedupKeys(PipelineStep):
    """Exact dedup stage 1: the key hash of every doc, written to `partitions` files.

    Args:
        work_folder: folder for this key's intermediate files (any datatrove `DataFolder`).
        key: "url", "text", "prefix" or "suffix".
        partitions: number of select tasks.
        batch_size: docs per vectorized text-hashing batch.
    """

    type = "🫂 - DEDUP"
    name = "🔑 olm exact dedup keys"

    def __init__(self, work_folder: DataFolderLike, key: str, partitions: int, batch_size: int = 256) -> None:
        super().__init__()
        _check_key(key)
        self.work_folder = get_datafolder(work_folder)
        self.key = key
        self.partitions = partitions
        self.batch_size = batch_size

    def _keys(self, docs: list) -> list[int | None]:
        import xxhash

        if self.key == "url":
            urls = [d.metadata.get("url") for d in docs]
            # bytes, not str: xxhash 4 no longer encodes str itself (3.x hashed its UTF-8, so values are unchanged)
            return [xxhash.xxh3_64_intdigest(str(u).encode("utf-8", "surrogatepass")) if u else None for u in urls]
        if self.key in ("prefix", "suffix"):
            # a code point is at least one byte: the first (last) AFFIX_BYTES characters hold the bytes kept, so
            # only they are encoded, not the whole text
            cut = slice(None, AFFIX_BYTES) if self.key == "prefix" else slice(-AFFIX_BYTES, None)
            return [xxhash.xxh3_64_intdigest(str(d.text)[cut].encode("utf-8", "surrogatepass")[cut]) for d in docs]
        hashes, offsets = textmod.batch_word_hashes([d.text for d in docs])
        raw = hashes.astype("<u8", copy=False)
        return [
            xxhash.xxh3_64_intdigest(raw[offsets[i] : offsets[i + 1]].tobytes())
            if offsets[i + 1] > offsets[i]
            else None
            for i in range(len(docs))
        ]

    def run(self, data, rank: int = 0, world_size: int = 1) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = _schema()
        cols = {name: [[] for _ in range(self.partitions)] for name in schema.names}
        writers: dict[int, pq.ParquetWriter] = {}
        files = {}
        buffered = 0

        def flush_all() -> None:
            nonlocal buffered
            for p in range(self.partitions):
                if cols["key"][p]:
                    if p not in writers:
                        files[p] = self.work_folder.open(f"keys/{p:05d}/{rank:05d}.parquet", "wb")
                        writers[p] = pq.ParquetWriter(files[p], schema)
                    writers[p].write_table(pa.table({n: cols[n][p] for n in schema.names}, schema=schema))
                    for n in schema.names:
                        cols[n][p] = []
            buffered = 0

        n_docs = 0
        batch: list = []

        def process() -> None:
            nonlocal n_docs, buffered
            with self.track_time(unit="batch"):
                _, dates = parse_dates(self, batch)
                for doc, k, d in zip(batch, self._keys(batch), dates, strict=True):
                    if k is None:
                        self.stat_update("no_key")
                    else:
                        p = k % self.partitions
                        cols["key"][p].append(k)
                        cols["date_us"][p].append(d)
                        cols["id"][p].append(str(doc.id))
                        cols["rank"][p].append(rank)
                        cols["idx"][p].append(n_docs)
                        cols["id_hash"][p].append(id_hash(str(doc.id)))
                        buffered += 1
                    n_docs += 1
                self.stat_update("docs", value=len(batch))
            batch.clear()
            if buffered >= 100_000:
                flush_all()

        try:
            for doc in data:
                batch.append(doc)
                if len(batch) >= self.batch_size:
                    process()
            if batch:
                process()
            flush_all()
        finally:
            for w in writers.values():
                w.close()
            for f in files.values():
                f.close()
        with self.work_folder.open(f"counts/{rank:05d}.json", "w") as f:
            json.dump({"docs": n_docs}, f)


class ExactDedupSelect(PipelineStep):
    """Exact dedup stage 2 (one task per partition): one winner per key, the rest listed for removal.

    Args:
        work_folder: the same folder as stage 1.
        key: "url" (latest fetch wins) or "text", "prefix", "suffix" (earliest doc wins).
        partitions: must equal this stage's task count.
        tasks: number of keys tasks (files of higher ranks, left by an older run, are ignored).
    """

    type = "🫂 - DEDUP"
    name = "🔑 olm exact dedup select"

    def __init__(self, work_folder: DataFolderLike, key: str, partitions: int, tasks: int | None = None) -> None:
        super().__init__()
        _check_key(key)
        self.work_folder = get_datafolder(work_folder)
        self.key = key
        self.partitions = partitions
        self.tasks = tasks

    def run(self, data=None, rank: int = 0, world_size: int = 1) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if world_size != self.partitions:
            raise UsageError(f"exact dedup select must run {self.partitions} tasks (one per partition)")
        folder = self.work_folder
        files = folder.list_files(f"keys/{rank:05d}", recursive=False, glob_pattern="*.parquet")
        files = [f for f in files if self.tasks is None or file_rank(f) < self.tasks]
        with self.track_time(unit="partition"):
            table = pa.concat_tables([read_table(folder, f) for f in files]) if files else _schema().empty_table()
            # undated docs lose under both rules (fill instead of null_placement: its API changed in pyarrow 25)
            if self.key == "url":
                date_order, missing = "descending", np.iinfo(np.int64).min
            else:
                date_order, missing = "ascending", np.iinfo(np.int64).max
            dates = pc.fill_null(table.column("date_us"), pa.scalar(missing, pa.int64()))
            order = pc.sort_indices(
                pa.table({"key": table.column("key"), "date": dates, "id": table.column("id")}),
                sort_keys=[("key", "ascending"), ("date", date_order), ("id", "ascending")],
            )
            t = table.take(order)
            keys = t.column("key").to_numpy()
            first = np.ones(len(keys), dtype=bool)
            first[1:] = keys[1:] != keys[:-1]
            winner = np.flatnonzero(first)[np.cumsum(first) - 1]
            losers = np.flatnonzero(~first)
            removed = pa.table(
                {
                    "rank": t.column("rank").take(losers),
                    "idx": t.column("idx").take(losers),
                    "id_hash": t.column("id_hash").take(losers),
                    "duplicate_of_id": t.column("id").take(winner[losers]),
                }
            )
            removed = removed.take(pc.sort_indices(removed, sort_keys=[("rank", "ascending"), ("idx", "ascending")]))
            with folder.open(f"remove/{rank:05d}.parquet", "wb") as f:
                pq.write_table(removed, f)
            self.stat_update("keys", value=len(keys))
            self.stat_update("duplicate_groups", value=int((np.bincount(np.cumsum(first) - 1) > 1).sum()))
            self.stat_update("removed", value=len(losers))


class ExactDedupFilter(PipelineStep):
    """Exact dedup stage 3: drop the docs stage 2 listed (same input and task count as stage 1).

    Args:
        work_folder: the same folder as stage 1.
        key: one of `KEYS` (names the drop stat).
        exclusion_writer: optional writer for removed docs (metadata `duplicate_of_id`).
        partitions: number of select tasks (files of higher partitions, left by an older run, are ignored).
    """

    type = "🫂 - DEDUP"
    name = "🔑 olm exact dedup filter"

    def __init__(
        self, work_folder: DataFolderLike, key: str, exclusion_writer=None, partitions: int | None = None
    ) -> None:
        super().__init__()
        _check_key(key)
        self.work_folder = get_datafolder(work_folder)
        self.key = key
        self.exclusion_writer = exclusion_writer
        self.partitions = partitions

    def run(self, data, rank: int = 0, world_size: int = 1):
        import contextlib

        import pyarrow.dataset as ds

        folder = self.work_folder
        files = folder.list_files("remove", recursive=False, glob_pattern="*.parquet")
        files = [f for f in files if self.partitions is None or file_rank(f) < self.partitions]
        remove: dict[int, tuple[int, str]] = {}
        if files:
            # a local folder is read natively; any other through its fsspec file system
            sources, fs = (folder.resolve_paths(files), None) if folder.is_local() else (files, folder)
            t = ds.dataset(sources, format="parquet", filesystem=fs).to_table(filter=ds.field("rank") == rank)
            for idx, h, dup in zip(
                t.column("idx").to_pylist(),
                t.column("id_hash").to_pylist(),
                t.column("duplicate_of_id").to_pylist(),
                strict=True,
            ):
                remove[idx] = (h, dup)
        count_path = f"counts/{rank:05d}.json"
        expected = 0
        if folder.exists(count_path):
            with folder.open(count_path, "r") as f:
                expected = json.load(f)["docs"]
        seen = 0
        with self.exclusion_writer if self.exclusion_writer else contextlib.nullcontext() as excl:
            for idx, doc in enumerate(data):
                seen = idx + 1
                self.stat_update("total")
                hit = remove.get(idx)
                if hit is None:
                    self.stat_update("forwarded")
                    yield doc
                    continue
                if hit[0] != id_hash(str(doc.id)):
                    raise UsageError(
                        f"exact dedup filter task {rank}: doc {idx} is {doc.id!r}, not the doc the keys stage saw "
                        "there; run the filter on the same input with the same number of tasks"
                    )
                self.stat_update("dropped", f"dropped_{self.key}_duplicate")
                if excl:
                    doc.metadata["duplicate_of_id"] = hit[1]
                    excl.write(doc, rank)
        if seen != expected:
            raise UsageError(
                f"exact dedup filter task {rank} read {seen} docs but the keys stage saw {expected}; "
                "run the filter on the same input with the same number of tasks"
            )


def exact_dedup_stages(
    input_folder: str,
    output_folder: str,
    work_folder: str,
    tasks: int,
    *,
    keys: Sequence[str] = ("url", "text"),
    partitions: int | None = None,
    exclusion_folder: str | None = None,
    workers: int | None = None,
    name: str = "exact",
) -> list:
    """Exact dedup stages (three per key, in `KEYS` order), ready to splice into a pipeline.

    Args:
        input_folder: datatrove parquet to dedup.
        output_folder: where kept docs go.
        work_folder: folder for intermediate files (any datatrove DataFolder) (and the URL-deduped data when both keys run).
        tasks: tasks for the keys and filter stages.
        keys: which dedups to run, among `KEYS`; OLM's own flow is `keys=("prefix", "suffix")`.
        partitions: select tasks per key (default: `tasks`).
        exclusion_folder: if set, removed docs go to `<exclusion_folder>/<key>/` with `duplicate_of_id`.
        workers: parallel workers (None: the run's default).
        name: stage name prefix.
    """
    from datatrove.pipeline.writers import ParquetWriter

    from olm_data.readers.parquet import read_corpus
    from olm_data.stage import Stage

    for key in keys:
        _check_key(key)
    keys = [k for k in KEYS if k in keys]  # fixed order: url first
    if not keys:
        raise UsageError(f"exact dedup needs at least one key among {', '.join(KEYS)}")
    if tasks < 1:
        raise UsageError("tasks must be >= 1")
    partitions = partitions or tasks
    stages = []
    src = input_folder
    for i, key in enumerate(keys):
        work = os.path.join(work_folder, name, key)
        dst = output_folder if i == len(keys) - 1 else os.path.join(work_folder, name, f"after_{key}")
        excl = rejected_writer(exclusion_folder and os.path.join(exclusion_folder, key))
        stages += [
            Stage(
                f"{name}_{key}_keys",
                steps=[read_corpus(src), ExactDedupKeys(work, key, partitions)],
                tasks=tasks,
                workers=workers,
            ),
            Stage(
                f"{name}_{key}_select",
                steps=[ExactDedupSelect(work, key, partitions, tasks)],
                tasks=partitions,
                workers=workers,
            ),
            Stage(
                f"{name}_{key}_filter",
                steps=[read_corpus(src), ExactDedupFilter(work, key, excl, partitions), ParquetWriter(dst)],
                tasks=tasks,
                workers=workers,
            ),
        ]
        src = dst
    return stages
