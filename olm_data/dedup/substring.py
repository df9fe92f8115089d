"""OLM's exact-substring dedup: every span of >= k bytes (k = 100) that occurs twice in the corpus, on suffix arrays.

OLM ran Google's `deduplicate-text-datasets` (Lee et al. 2022, through text-dedup's `GoogleSuffixArrayDeduplicator`,
k = 100 bytes) with `--remove_whole_example`: every document holding any >= 100-byte span that also occurs
elsewhere in the corpus (another document or the same one) is dropped, all copies included. Without that flag
the duplicated spans are cut out instead. Both are `mode`s here ("document", "spans").

Three stages, so no task holds the whole corpus (the same shape as `exact.py`):
1. shard (N tasks, one per input shard): the shard's UTF-8 texts, each followed by a 0xFF byte (never in UTF-8,
   so no duplicate can cross a document boundary), get a suffix array (`pydivsufsort.divsufsort`) and its LCP
   array (`pydivsufsort.kasai`). Adjacent suffixes with LCP >= k share their first k bytes: that cuts the shard's
   k-byte windows into groups of equal windows, exactly. Groups of two or more are duplicates inside the shard.
   One 128-bit hash per group (its distinct k-byte window) goes to partition `hash % P`; the suffix array and
   group ids stay on disk for stage 3 (a local or shared folder: these work files are plain files, not a
   DataFolder, so not s3://).
2. cross (P tasks): a window hash seen in two shards marks both groups as duplicates. Memory per task is
   ~24 bytes x distinct windows / P.
3. filter (N tasks, same input and task count as stage 1): every position of a duplicate group covers k bytes;
   a document with any covered byte is dropped ("document"), or loses the covered bytes ("spans"; a document
   left with no text but whitespace is dropped).

Why not Google's tool itself: it is a Rust binary driven by shell scripts with its own file layout, not a
library, and its cross-shard step merges the per-part suffix arrays into one corpus-wide table on disk, then
scans it in one job. Here the per-shard arrays come from pydivsufsort (libdivsufsort, the same algorithm family)
and the cross-shard pass only exchanges one hash per distinct window, hash-partitioned like the exact dedup.
Inside a shard results are exact; across shards two different windows merge only if their two independent 64-bit
polynomial hashes both collide (~m^2 / 2^129 for m distinct windows: nil at any corpus size).
Cost (`benchmarks/substring_dedup.py`, one core): ~0.9 MB of text per CPU-second; peak memory ~85 bytes per text
byte of the largest shard (suffix array, LCP, group ids, the window-hash temporaries), so size shards with
`tasks`; ~12 bytes per text byte on disk (suffix array and group ids) until stage 3.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Literal

import numpy as np
from datatrove.pipeline.base import PipelineStep

from olm_data.dedup.store import groups
from olm_data.errors import UsageError
from olm_data.readers.remote import is_url
from olm_data.runtime import rejected_writer

MODES = ("document", "spans")
SEPARATOR = 0xFF  # never occurs in UTF-8
_rng = np.random.default_rng(0x0_1D_DA7A)
_TABLES = _rng.integers(1, 2**63, size=(2, 256), dtype=np.uint64)  # a random value per byte, per hash
_BASES = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))  # odd multipliers


def _check(k: int, mode: str) -> None:
    if k < 1:
        raise UsageError(f"substring dedup needs k >= 1 bytes, got {k}")
    if mode not in MODES:
        raise UsageError(f"substring dedup mode must be one of {', '.join(MODES)}, got {mode!r}")


def window_hashes(buf: np.ndarray, k: int, which: int) -> np.ndarray:
    """Polynomial hash (mod 2^64) of every k-byte window of `buf`: entry i hashes buf[i : i + k].

    Built by doubling (windows of 1, 2, 4, ... bytes combined along k's binary digits): O(n log k) vector ops.
    """
    table, base = _TABLES[which], _BASES[which]
    m = len(buf) - k + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    level = table[buf]  # windows of length 1
    length, power = 1, base  # power = base ** length
    out, out_len = None, 0
    with np.errstate(over="ignore"):
        while True:
            if k & length:  # append this level's windows after what `out` already covers
                part = level[out_len : out_len + m]
                out = part.copy() if out is None else out * power + part
                out_len += length
            if length * 2 > k:
                break
            level = level[:-length] * power + level[length:]  # windows of length 2 * length
            length, power = length * 2, power * power
    return out


def _concat(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts' UTF-8 bytes, each followed by SEPARATOR, and the start offset of every text (plus the end)."""
    raw = [t.encode("utf-8", "surrogatepass") for t in texts]
    starts = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum([len(r) + 1 for r in raw], out=starts[1:])
    buf = np.frombuffer(bytearray(bytes([SEPARATOR]).join(raw) + bytes([SEPARATOR])), dtype=np.uint8)
    return (buf if raw else np.zeros(0, dtype=np.uint8)), starts


def _groups(buf: np.ndarray, starts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Suffix array, the group id of each suffix-array entry (-1: the window crosses a text end) and group sizes."""
    import pydivsufsort

    if len(buf) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    sa = pydivsufsort.divsufsort(buf)
    lcp = pydivsufsort.kasai(buf, sa)  # lcp[i] = common prefix of suffixes sa[i] and sa[i + 1]
    ends = np.repeat(starts[1:] - 1, np.diff(starts))  # the separator after each position's text
    valid = np.flatnonzero(sa.astype(np.int64) + k <= ends[sa])
    # a window crossing a text end holds SEPARATOR, so it never shares k bytes with a valid window, and equal
    # valid windows are adjacent in the suffix array: a new group starts unless the previous entry is valid,
    # adjacent and shares >= k bytes
    new_group = np.ones(len(valid), dtype=bool)
    new_group[1:] = (valid[1:] != valid[:-1] + 1) | (lcp[valid[:-1]] < k)
    gid = np.full(len(sa), -1, dtype=np.int64)
    gid[valid] = np.cumsum(new_group) - 1
    sizes = np.bincount(gid[valid], minlength=int(new_group.sum()))
    return sa, gid, sizes


class SubstringDedupShard(PipelineStep):
    """Substring dedup stage 1: per-shard suffix array, duplicate groups inside the shard, window hashes out.

    Args:
        work_folder: local folder for intermediate files.
        partitions: number of cross tasks.
        k: minimum duplicate span in bytes (OLM: 100).
    """

    type = "🫂 - DEDUP"
    name = "🧵 olm substring dedup shard"
    _requires_dependencies = ["pydivsufsort"]

    def __init__(self, work_folder: str, partitions: int, k: int = 100) -> None:
        super().__init__()
        _check(k, "document")
        self.work_folder = work_folder
        self.partitions = partitions
        self.k = k

    def run(self, data, rank: int = 0, world_size: int = 1) -> None:
        texts = []
        for doc in data:
            texts.append(doc.text if isinstance(doc.text, str) else "")
            self.stat_update("docs")
        with self.track_time(unit="shard"):
            buf, starts = _concat(texts)
            sa, gid, sizes = _groups(buf, starts, self.k)
            first = np.full(len(sizes), -1, dtype=np.int64)  # one position per group: its window
            member = np.flatnonzero(gid >= 0)
            first[gid[member][::-1]] = sa[member][::-1]
            hashes = [
                window_hashes(buf, self.k, which)[first] if len(first) else np.zeros(0, np.uint64) for which in (0, 1)
            ]
            shard_dir = os.path.join(self.work_folder, "shards")
            os.makedirs(shard_dir, exist_ok=True)
            np.savez(os.path.join(shard_dir, f"{rank:05d}.npz"), sa=sa, gid=gid, sizes=sizes, starts=starts)
            part = hashes[0] % np.uint64(self.partitions)
            for p, sel in groups(part):  # one sort, not one scan per partition; empty partitions write nothing
                folder = os.path.join(self.work_folder, "windows", f"{int(p):05d}")
                os.makedirs(folder, exist_ok=True)
                np.savez(os.path.join(folder, f"{rank:05d}.npz"), h1=hashes[0][sel], h2=hashes[1][sel], gid=sel)
        self.stat_update("bytes", value=int(len(buf) - len(texts)))
        self.stat_update("windows", value=int(sizes.sum()))
        self.stat_update("distinct_windows", value=len(sizes))
        self.stat_update("shard_duplicate_windows", value=int(sizes[sizes > 1].sum()))
        with open(os.path.join(self.work_folder, "shards", f"{rank:05d}.json"), "w") as f:
            json.dump({"docs": len(texts), "k": self.k}, f)


class SubstringDedupCross(PipelineStep):
    """Substring dedup stage 2 (one task per partition): windows seen in more than one shard.

    Args:
        work_folder: the same folder as stage 1.
        partitions: must equal this stage's task count.
        tasks: number of shard tasks (files of higher ranks, left by an older run, are ignored).
    """

    type = "🫂 - DEDUP"
    name = "🧵 olm substring dedup cross"

    def __init__(self, work_folder: str, partitions: int, tasks: int) -> None:
        super().__init__()
        self.work_folder = work_folder
        self.partitions = partitions
        self.tasks = tasks

    def run(self, data=None, rank: int = 0, world_size: int = 1) -> None:
        if world_size != self.partitions:
            raise UsageError(f"substring dedup cross must run {self.partitions} tasks (one per partition)")
        h1, h2, shard, gid = [], [], [], []
        with self.track_time(unit="partition"):
            for r in range(self.tasks):
                path = os.path.join(self.work_folder, "windows", f"{rank:05d}", f"{r:05d}.npz")
                if os.path.exists(path):
                    z = np.load(path)
                    h1.append(z["h1"]), h2.append(z["h2"]), gid.append(z["gid"])
                    shard.append(np.full(len(z["gid"]), r, dtype=np.int64))
            if h1:
                h1, h2, shard, gid = (np.concatenate(a) for a in (h1, h2, shard, gid))
            else:
                h1 = h2 = np.zeros(0, np.uint64)
                shard = gid = np.zeros(0, np.int64)
            order = np.lexsort((h2, h1))
            h1, h2, shard, gid = h1[order], h2[order], shard[order], gid[order]
            same = (h1[1:] == h1[:-1]) & (h2[1:] == h2[:-1])  # a shard lists each distinct window once
            dup = np.zeros(len(h1), dtype=bool)
            dup[1:] |= same
            dup[:-1] |= same
            out = os.path.join(self.work_folder, "cross")
            os.makedirs(out, exist_ok=True)
            np.savez(os.path.join(out, f"{rank:05d}.npz"), shard=shard[dup], gid=gid[dup])
        self.stat_update("windows", value=len(h1))
        self.stat_update("cross_shard_duplicate_windows", value=int(dup.sum()))


class SubstringDedupFilter(PipelineStep):
    """Substring dedup stage 3: drop documents with a duplicated span, or cut the spans out.

    Args:
        work_folder: the same folder as stage 1.
        mode: "document" (OLM's `--remove_whole_example`) or "spans".
        partitions: number of cross tasks.
        exclusion_writer: optional writer for dropped documents.
    """

    type = "🫂 - DEDUP"
    name = "🧵 olm substring dedup filter"

    def __init__(
        self,
        work_folder: str,
        mode: Literal["document", "spans"] = "document",
        partitions: int = 1,
        exclusion_writer=None,
    ) -> None:
        super().__init__()
        _check(1, mode)
        self.work_folder = work_folder
        self.mode = mode
        self.partitions = partitions
        self.exclusion_writer = exclusion_writer

    def _covered(self, rank: int) -> tuple[np.ndarray, np.ndarray]:
        """Per byte of the shard's buffer: is it inside a duplicated k-byte window? And the text start offsets."""
        z = np.load(os.path.join(self.work_folder, "shards", f"{rank:05d}.npz"))
        k = json.load(open(os.path.join(self.work_folder, "shards", f"{rank:05d}.json")))["k"]
        sa, gid, sizes, starts = z["sa"], z["gid"], z["sizes"], z["starts"]
        dup_group = sizes > 1
        for p in range(self.partitions):
            c = np.load(os.path.join(self.work_folder, "cross", f"{p:05d}.npz"))
            dup_group[c["gid"][c["shard"] == rank]] = True
        hit = gid >= 0
        hit[hit] = dup_group[gid[hit]]
        positions = sa[hit].astype(np.int64)
        n = int(starts[-1]) + 1
        edges = np.bincount(positions, minlength=n) - np.bincount(positions + k, minlength=n)
        return np.cumsum(edges[:-1]) > 0, starts

    def run(self, data, rank: int = 0, world_size: int = 1):
        covered, starts = self._covered(rank)
        n_docs = len(starts) - 1
        seen = 0
        with self.exclusion_writer if self.exclusion_writer else contextlib.nullcontext() as excl:
            for i, doc in enumerate(data):
                seen = i + 1
                self.stat_update("total")
                text = doc.text if isinstance(doc.text, str) else ""
                raw = text.encode("utf-8", "surrogatepass")
                if i >= n_docs or len(raw) != starts[i + 1] - starts[i] - 1:
                    raise UsageError(
                        f"substring dedup filter task {rank}: doc {i} ({doc.id!r}) is not the doc the shard stage "
                        "saw there; run the filter on the same input with the same number of tasks"
                    )
                mask = covered[starts[i] : starts[i + 1] - 1]
                n_dup = int(mask.sum())
                if not n_dup:
                    self.stat_update("forwarded")
                    yield doc
                    continue
                self.stat_update("duplicate_bytes", value=n_dup)
                if self.mode == "spans":
                    kept = np.frombuffer(raw, dtype=np.uint8)[~mask].tobytes().decode("utf-8", "ignore")
                    if kept.strip():
                        doc.text = kept
                        self.stat_update("trimmed")
                        self.stat_update("forwarded")
                        yield doc
                        continue
                self.stat_update("dropped", "dropped_substring_duplicate")
                if excl:
                    excl.write(doc, rank)
        if seen != n_docs:
            raise UsageError(
                f"substring dedup filter task {rank} read {seen} docs but the shard stage saw {n_docs}; "
                "run the filter on the same input with the same number of tasks"
            )


def substring_dedup_stages(
    input_folder: str,
    output_folder: str,
    work_folder: str,
    tasks: int,
    *,
    k: int = 100,
    mode: Literal["document", "spans"] = "document",
    partitions: int | None = None,
    exclusion_folder: str | None = None,
    workers: int | None = None,
    name: str = "substring",
) -> list:
    """The three substring dedup stages, ready to splice into a pipeline.

    Args:
        input_folder: datatrove parquet to dedup.
        output_folder: where kept (or trimmed) docs go.
        work_folder: local or shared (on SLURM) folder for intermediate files (suffix arrays: ~8 bytes per text byte);
            not a URL.
        tasks: tasks (shards) for the shard and filter stages.
        k: minimum duplicated span in bytes (OLM: 100).
        mode: "document" drops every doc with a duplicated span (OLM's flow); "spans" cuts the spans out.
        partitions: cross tasks (default: `tasks`).
        exclusion_folder: if set, dropped docs go there.
        workers: parallel workers (None: the run's default).
        name: stage name prefix.
    """
    from datatrove.pipeline.writers import ParquetWriter

    from olm_data.readers.parquet import read_corpus
    from olm_data.stage import Stage

    _check(k, mode)
    if tasks < 1:
        raise UsageError("tasks must be >= 1")
    if is_url(work_folder):  # os/numpy paths below: a URL would become a local folder named like it
        raise UsageError(f"substring dedup needs a local or shared folder for its work files, not {work_folder}")
    partitions = partitions or tasks
    work = os.path.join(work_folder, name)
    excl = rejected_writer(exclusion_folder)
    return [
        Stage(
            f"{name}_shard",
            steps=[read_corpus(input_folder), SubstringDedupShard(work, partitions, k)],
            tasks=tasks,
            workers=workers,
        ),
        Stage(
            f"{name}_cross", steps=[SubstringDedupCross(work, partitions, tasks)], tasks=partitions, workers=workers
        ),
        Stage(
            f"{name}_filter",
            steps=[
                read_corpus(input_folder),
                SubstringDedupFilter(work, mode, partitions, excl),
                ParquetWriter(output_folder),
            ],
            tasks=tasks,
            workers=workers,
        ),
    ]
