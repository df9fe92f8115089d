"""Persistent MinHash index of a published snapshot, for deduping later snapshots against it.

Layout of an index folder (all little-endian, memory-mappable):

    index.json                 snapshot name, doc count, docs per build task, MinHash config, sizes
    bands/BBB.key.npy          band B's hash of every doc, high 32 bits (the "key prefix"), sorted (uint32)
    bands/BBB.low.npy          the low 32 bits of each hash, same order (uint32)
    bands/BBB.row.npy          the doc row of each hash, same order (uint32)
    docs/RRRRR.parquet         id, url, date, ... of the docs of build task R (rows are numbered task by task)
    sigs/RRRRR.u32             full signatures (num_perm uint32 per doc): similarity of a match, `keep_changed`

A lookup (a bucket task of a later run: one band, one hash range) binary-searches and scans only the key
prefixes of its range: 4 bytes per band and doc. Where a prefix matches, it reads the low halves at those
positions to check the whole 64-bit hash (a prefix alone also matches another hash with probability ~ entries /
2^32), then the rows of the verified entries; provenance (id, url, snapshot) is read from the docs table for the
matched docs only. Equal hashes keep row order, so the matches are those of one sorted uint64 array (index v1).

Size per doc, measured by `benchmarks/minhash.py` on 100,000 docs with WARC-style UUID ids and ~70-character URLs:
lookup path 56.0 B (14 key prefixes; v1 scanned 12 B per band, 168 B), side arrays 112.0 B (low halves + rows),
signatures 448.0 B (4 * num_perm; optional), docs table 81.5 B (compressed parquet): 697.6 B/doc in all,
249.6 B/doc without signatures. `index.json` records the measured bytes per doc of every index (`lookup`, `side`,
`signatures`, `docs`, `total`). On a local folder the arrays are memory-mapped, so an index is used by many tasks
at once without being read whole; elsewhere a task reads the key prefixes of its band and, of the side arrays,
only the span its matches lie in. This module builds an index; `store.MinhashIndex` reads one.
"""

from __future__ import annotations

import json
import os

import numpy as np
from datatrove.io import DataFolder, DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from olm_data.dedup.minhash import MinhashSignatures
from olm_data.dedup.signatures import MinhashConfig
from olm_data.dedup.store import (
    INDEX_FORMAT,
    INDEX_VERSION,
    MinhashIndex,
    SignatureStore,
    hash_halves,
    load_array,
    save_array,
)
from olm_data.errors import UsageError

BAND_ARRAYS = ("key", "low", "row")  # bands/BBB.<name>.npy of an index, all in the same (sorted) order


class MinhashIndexBands(PipelineStep):
    """Index build stage 2 (one task per band): merge every build task's sorted band file into one band, stored as
    sorted key prefixes (high 32 bits of each hash) + low halves + doc rows, three arrays in the same order.

    Memory: 12 bytes x docs in the index (plus the sort), for one band.

    Args:
        index_folder: the index being built (stage 1 wrote per-task files there).
        config: MinHash parameters.
        tasks: number of signature tasks (files of higher ranks, left by an older attempt, are ignored).
    """

    type = "🫂 - DEDUP"
    name = "🎯 olm MinHash index bands"

    def __init__(
        self, index_folder: DataFolderLike, config: MinhashConfig | None = None, tasks: int | None = None
    ) -> None:
        super().__init__()
        self.index_folder = get_datafolder(index_folder)
        self.config = config or MinhashConfig()
        self.tasks = tasks

    def run(self, data=None, rank: int = 0, world_size: int = 1) -> None:
        if world_size != self.config.bands:
            raise UsageError(f"index band merge must run {self.config.bands} tasks (one per band), got {world_size}")
        band = rank
        store = SignatureStore(self.index_folder, self.config.num_perm)
        ranks = store.ranks(self.tasks)
        counts = [store.count(r) for r in ranks]
        if sum(counts) >= 1 << 32:
            raise UsageError("an index holds at most 2^32 - 1 docs; split the snapshot into several indexes")
        starts = dict(zip(ranks, np.concatenate([[0], np.cumsum(counts)])[:-1].astype(np.int64), strict=True))
        with self.track_time(unit="band"):
            hashes, rows = [], []
            for src_rank, path in store.band_files(band, self.tasks):
                hashes.append(np.array(load_array(store.folder, path)))
                idx = load_array(store.folder, path.replace(".hash.npy", ".idx.npy"))
                rows.append(idx.astype(np.int64) + starts[src_rank])
            h = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
            r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
            order = np.argsort(h, kind="stable")  # ties keep task order, then position: the lowest row first
            key, low = hash_halves(h[order])  # sorted by the whole hash, so the key prefixes are sorted too
            base = f"bands/{band:03d}"
            for side, array in (("key", key), ("low", low), ("row", r[order].astype("<u4"))):
                save_array(self.index_folder, f"{base}.{side}.npy", array)
            self.stat_update("entries", value=len(h))
        _remove_folder(self.index_folder, base)


class MinhashIndexFinalize(PipelineStep):
    """Index build stage 3 (one task): write index.json (the marker of a complete index) with sizes.

    Args:
        index_folder: the index being built.
        snapshot: the snapshot name recorded for every match against this index.
        config: MinHash parameters.
        keep_signatures: keep full signatures (needed for `keep_changed` and match similarities).
        tasks: number of signature tasks.
    """

    type = "🫂 - DEDUP"
    name = "🎯 olm MinHash index finalize"

    def __init__(
        self,
        index_folder: DataFolderLike,
        snapshot: str,
        config: MinhashConfig | None = None,
        keep_signatures: bool = True,
        tasks: int | None = None,
    ) -> None:
        super().__init__()
        self.index_folder = get_datafolder(index_folder)
        self.snapshot = snapshot
        self.config = config or MinhashConfig()
        self.keep_signatures = keep_signatures
        self.tasks = tasks

    def run(self, data=None, rank: int = 0, world_size: int = 1) -> None:
        folder = self.index_folder
        store = SignatureStore(folder, self.config.num_perm)
        ranks = store.ranks(self.tasks)
        counts = [store.count(r) for r in ranks]
        for b in range(self.config.bands):
            if not all(folder.exists(f"bands/{b:03d}.{side}.npy") for side in BAND_ARRAYS):
                raise UsageError(f"index {folder.path}: band {b} was not merged; rerun the index build")
        if not self.keep_signatures:
            _remove_folder(folder, "sigs")
        _remove_folder(folder, "keys")
        num_docs = int(sum(counts))
        sizes = {
            "lookup": _size(folder, "bands", ".key.npy"),  # all a lookup scans
            "side": _size(folder, "bands", (".low.npy", ".row.npy")),  # read only where a key prefix matched
            "signatures": _size(folder, "sigs"),
            "docs": _size(folder, "docs"),
        }
        total = sum(sizes.values())
        meta = {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "snapshot": self.snapshot,
            "num_docs": num_docs,
            "ranks": ranks,
            "rank_counts": counts,
            "has_signatures": self.keep_signatures,
            "config": self.config.to_dict(),
            "bytes": sizes | {"total": total},
            "bytes_per_doc": {k: round(v / max(num_docs, 1), 1) for k, v in (sizes | {"total": total}).items()},
        }
        with folder.open("index.json.tmp", "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2)
        folder.mv("index.json.tmp", "index.json")
        self.stat_update("docs", value=num_docs)


def _size(folder: DataFolder, sub: str, suffix: str | tuple[str, ...] = "") -> int:
    """Bytes of the files under `sub` whose names end with `suffix` (0 if `sub` does not exist)."""
    if not folder.exists(sub):
        return 0
    found = folder.find(sub, detail=True).items()
    return sum(info["size"] for path, info in found if info["type"] == "file" and path.endswith(suffix))


def _remove_folder(folder: DataFolder, sub: str) -> None:
    if folder.exists(sub):
        folder.rm(sub, recursive=True)


def index_stages(
    input_folder: str,
    index_folder: str,
    snapshot: str,
    tasks: int,
    *,
    config: MinhashConfig | None = None,
    keep_signatures: bool = True,
    workers: int | None = None,
    name: str = "minhash_index",
) -> list:
    """Stages that build an index of `input_folder` (a published snapshot's deduped parquet output).

    Args:
        input_folder: datatrove parquet of the snapshot.
        index_folder: folder for the index (any datatrove DataFolder) (must not hold another index).
        snapshot: snapshot name recorded in every match (e.g. "CC-MAIN-2022-49").
        tasks: signature tasks.
        config: MinHash parameters; later runs must use the same shingles, permutations, bands and rows.
        keep_signatures: store full signatures (4 * num_perm bytes/doc) for similarities and `keep_changed`.
        workers: parallel workers (None: the run's default).
        name: stage name prefix.
    """
    from olm_data.readers.parquet import read_corpus
    from olm_data.stage import Stage

    config = config or MinhashConfig()
    if get_datafolder(index_folder).isfile("index.json"):
        raise UsageError(f"{index_folder} already holds an index; choose an empty folder")
    return [
        Stage(
            f"{name}_signatures",
            steps=[read_corpus(input_folder), MinhashSignatures(index_folder, config)],
            tasks=tasks,
            workers=workers,
        ),
        Stage(
            f"{name}_bands",
            steps=[MinhashIndexBands(index_folder, config, tasks)],
            tasks=config.bands,
            workers=workers,
        ),
        Stage(
            f"{name}_finalize",
            steps=[MinhashIndexFinalize(index_folder, snapshot, config, keep_signatures, tasks)],
            tasks=1,
            workers=1,
        ),
    ]


def build_index(
    input_folder: str,
    index_folder: str,
    snapshot: str,
    *,
    tasks: int = 1,
    workers: int = 1,
    config: MinhashConfig | None = None,
    keep_signatures: bool = True,
    logging_dir: str | None = None,
) -> dict:
    """Build an index in this process (local executor) and return its index.json contents."""
    from olm_data.dedup.runner import run_stages

    stages = index_stages(
        input_folder, index_folder, snapshot, tasks, config=config, keep_signatures=keep_signatures, workers=workers
    )
    run_stages(stages, logging_dir or os.path.join(index_folder, "logs"), tasks=tasks, workers=workers)
    return MinhashIndex(index_folder).meta
