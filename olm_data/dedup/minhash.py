"""MinHash near-dedup as four datatrove stages: signatures (N tasks) -> buckets (min(N, bands x parts) tasks) ->
clusters (1 task) -> filter (N tasks). The same stages run in one process (`LocalPipelineExecutor`, 1 task each)
or sharded on a cluster: every task reads and writes files under `work_folder`, and memory per task is bounded
(signatures: one band of one task's docs at a time; buckets: one hash range of one band; clusters: only the
docs that have a duplicate).

This follows datatrove's `MinhashDedupSignature/Buckets/Cluster/Filter` design but does not reuse those steps:

* signatures equal datasketch's and are computed ~100x faster than datatrove's signature stage from text
  (~17x on pre-shingled input) and ~8x faster than datasketch's `update_batch` on pre-built shingles
  (`signatures.py`, measured by `benchmarks/minhash.py`);
* a band is stored as one 64-bit hash (8 bytes/doc/band instead of 4 * rows), and bucket tasks match bands with
  numpy sorts and binary searches on memory-mapped sorted files instead of a Python heap record by record;
* the kept doc of a cluster follows a stated rule -- the earliest crawl date (metadata `date`, else
  `timestamp`; docs without a date come last), then the lowest `id` (string order) -- instead of whichever
  union-find root survived, so results do not depend on the number of tasks;
* the kept doc's metadata gets `minhash_duplicates` (how many docs it absorbed; 0 on every other doc) and a
  TSV report lists every cluster: which docs were removed as duplicates of which;
* candidate pairs can be verified against the similarity threshold (`MinhashConfig.verify`);
* cross-snapshot dedup against indexes that keep doc ids, urls and the snapshot name (`index.py`), so a drop
  says WHICH earlier doc it matched; datatrove's index keeps bare signatures and can only drop.

Work and index folders are datatrove `DataFolder`s (any fsspec file system, like input and output folders): on a
local one (disk, NFS, Lustre) bucket tasks memory-map the sorted band files, elsewhere they read them whole (an
index's key prefixes whole, its side arrays only the span a lookup needs).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass

import fsspec
import numpy as np
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from olm_data.dedup import text as textmod
from olm_data.dedup.signatures import MinhashConfig, MinHasher, estimated_jaccard
from olm_data.dedup.store import (
    KEYS_DTYPE,
    MinhashIndex,
    SignatureStore,
    band_range,
    groups,
    id_hash,
    load_array,
    load_span,
    make_ref,
    open_indexes,
    parse_dates,
    read_table,
    save_array,
    slice_sorted,
    split_ref,
)
from olm_data.errors import UsageError
from olm_data.runtime import rejected_writer

MATCH_DTYPE = np.dtype([("ref", "<u8"), ("index_no", "<u2"), ("row", "<u8"), ("sim", "<f4")])
REPORT_COLUMNS = [
    "cluster",
    "status",
    "id",
    "url",
    "date",
    "duplicate_of_id",
    "duplicate_of_url",
    "duplicate_of_snapshot",
    "similarity",
]


class MinhashSignatures(PipelineStep):
    """Stage 1: signature and band hashes of every document of this task, written under `output_folder`.

    Files per task (rank r): `docs/r.parquet` (id, url, date, date_us, shingles), `keys/r.npy` (date_us,
    id_hash per doc: the keep-rule key and a position check), `sigs/r.u32` (num_perm uint32 per doc),
    `bands/BBB/r.hash.npy` + `r.idx.npy` (band hashes sorted, and the doc position of each). Docs without
    words get no band entries (they are never near duplicates). Memory: one batch, then one band at a time.

    Args:
        output_folder: a run's work folder or an index being built (any datatrove `DataFolder`).
        config: MinHash parameters.
        batch_size: docs per vectorized batch.
    """

    type = "🫂 - DEDUP"
    name = "🎯 olm MinHash signatures"

    def __init__(
        self, output_folder: DataFolderLike, config: MinhashConfig | None = None, batch_size: int = 256
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.config = config or MinhashConfig()
        self.batch_size = batch_size
        self._hasher: MinHasher | None = None

    @property
    def hasher(self) -> MinHasher:
        if self._hasher is None:
            self._hasher = MinHasher(self.config)
        return self._hasher

    def run(self, data, rank: int = 0, world_size: int = 1) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = self.output_folder
        band_dirs = [f"bands/{b:03d}" for b in range(self.config.bands)]
        schema = pa.schema(
            [
                ("id", pa.string()),
                ("url", pa.string()),
                ("date", pa.string()),
                ("date_us", pa.int64()),
                ("shingles", pa.int32()),
            ]
        )
        tmp_paths = [f"{d}/{rank:05d}.tmp" for d in band_dirs]
        keys_parts: list[np.ndarray] = []
        n_docs = 0
        with (
            folder.open(f"docs/{rank:05d}.parquet", "wb") as docs_file,
            pq.ParquetWriter(docs_file, schema) as docs_out,
            folder.open(f"sigs/{rank:05d}.u32", "wb") as sigs_out,
        ):
            band_tmp = [folder.open(p, "wb") for p in tmp_paths]
            try:
                batch: list = []

                def flush() -> None:
                    nonlocal n_docs
                    with self.track_time(unit="batch"):
                        texts = [d.text for d in batch]
                        sig, n_sh = self.hasher.signatures(texts)
                        dates, dus = parse_dates(self, batch)
                        keys = np.empty(len(batch), dtype=KEYS_DTYPE)
                        keys["date_us"] = [textmod.NO_DATE if x is None else x for x in dus]
                        keys["id_hash"] = [id_hash(str(d.id)) for d in batch]
                        keys_parts.append(keys)
                        table = pa.table(
                            {
                                "id": [str(d.id) for d in batch],
                                "url": [_str_or_none(d.metadata.get("url")) for d in batch],
                                "date": [_str_or_none(x) for x in dates],
                                "date_us": dus,
                                "shingles": n_sh.astype(np.int32),
                            },
                            schema=schema,
                        )
                        docs_out.write_table(table)
                        sigs_out.write(sig.astype("<u4", copy=False).tobytes())
                        has = np.flatnonzero(n_sh > 0)
                        if len(has):
                            bands = self.hasher.band_hashes(sig[has])
                            pos = (has + n_docs).astype("<u8")
                            for b, f in enumerate(band_tmp):
                                rec = np.empty((len(has), 2), dtype="<u8")
                                rec[:, 0] = bands[:, b]
                                rec[:, 1] = pos
                                f.write(rec.tobytes())
                        self.stat_update("docs", value=len(batch))
                        self.stat_update("no_words", value=int(len(batch) - len(has)))
                        self.stat_update("shingles", value=int(n_sh.sum()))
                        n_docs += len(batch)
                    batch.clear()

                for doc in data:
                    batch.append(doc)
                    if len(batch) >= self.batch_size:
                        flush()
                if batch:
                    flush()
            finally:
                for f in band_tmp:
                    f.close()
        keys = np.concatenate(keys_parts) if keys_parts else np.zeros(0, dtype=KEYS_DTYPE)
        save_array(folder, f"keys/{rank:05d}.npy", keys)
        with self.track_time(unit="batch"):  # the band sort counts as one more batch
            for b, tmp in enumerate(tmp_paths):
                with folder.open(tmp, "rb") as f:
                    rec = np.frombuffer(f.read(), dtype="<u8").reshape(-1, 2)
                order = np.argsort(rec[:, 0], kind="stable")
                save_array(folder, f"{band_dirs[b]}/{rank:05d}.hash.npy", rec[order, 0])
                save_array(folder, f"{band_dirs[b]}/{rank:05d}.idx.npy", rec[order, 1].astype("<u4"))
                del rec, order
                folder.rm(tmp)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


class MinhashBuckets(PipelineStep):
    """Stage 2: documents sharing a band hash, per unit of work = one band and one hash range (unit = band * parts
    + part). Task `rank` of `world_size` does units rank, rank + world_size, ...: bands x parts tasks do one each,
    fewer tasks (a small run: `minhash_stages` uses at most its `tasks`) do several, one after the other, so a
    task's memory is still one unit's.

    Writes per unit `UUUUU.pairs.npy` ((E, 2) uint64 doc refs: each group's earliest doc with every other member)
    and `UUUUU.old.npy` (matches against earlier-snapshot indexes: doc ref, index number, index row, estimated
    similarity). The group "center" is chosen by (date, id hash), never by task layout, so verified pairs and
    therefore results are the same for any number of signature or bucket tasks.

    Args:
        sig_folder: stage-1 folder.
        output_folder: where pair files go.
        config: MinHash parameters (same as stage 1).
        parts_per_band: hash-range parts per band (bands * parts_per_band units of work).
        index_folders: earlier snapshots' indexes to match against (see `index.py`).
        keep_changed: keep a doc that matched an old doc if their estimated similarity is below the threshold.
        sig_tasks: number of signature tasks (older files of higher ranks in the folder are ignored).
    """

    type = "🫂 - DEDUP"
    name = "🎯 olm MinHash buckets"

    def __init__(
        self,
        sig_folder: DataFolderLike,
        output_folder: DataFolderLike,
        config: MinhashConfig | None = None,
        parts_per_band: int = 1,
        index_folders: Sequence[str] = (),
        keep_changed: bool = False,
        sig_tasks: int | None = None,
    ) -> None:
        super().__init__()
        self.sig_folder = get_datafolder(sig_folder)
        self.output_folder = get_datafolder(output_folder)
        self.config = config or MinhashConfig()
        self.parts_per_band = parts_per_band
        self.index_folders = list(index_folders)
        self.keep_changed = keep_changed
        self.sig_tasks = sig_tasks

    def run(self, data=None, rank: int = 0, world_size: int = 1) -> None:
        units = self.config.bands * self.parts_per_band
        if world_size > units:
            raise UsageError(
                f"MinHash buckets has {units} units of work (bands x parts_per_band), got {world_size} tasks"
            )
        store = SignatureStore(self.sig_folder, self.config.num_perm)
        indexes = open_indexes(self.index_folders, self.config)  # once per task, whatever its number of units
        for unit in range(rank, units, world_size):
            with self.track_time(unit="unit"):
                self._run_unit(store, indexes, unit)

    def _run_unit(self, store: SignatureStore, indexes: list[MinhashIndex], unit: int) -> None:
        band, part = divmod(unit, self.parts_per_band)
        lo, hi = band_range(part, self.parts_per_band)
        hashes, refs = [], []
        for src_rank, path in store.band_files(band, self.sig_tasks):
            h = load_array(store.folder, path)
            i0, i1 = slice_sorted(h, lo, hi)
            if i1 > i0:
                idx = load_span(store.folder, path.replace(".hash.npy", ".idx.npy"), i0, i1)
                hashes.append(np.array(h[i0:i1]))
                refs.append(make_ref(src_rank, np.array(idx)))
        h = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
        ref = np.concatenate(refs) if refs else np.zeros(0, dtype=np.uint64)
        self.stat_update("band_entries", value=len(h))
        pairs = self._pairs(store, h, ref)
        save_array(self.output_folder, f"{unit:05d}.pairs.npy", pairs)
        matches = np.zeros(0, dtype=MATCH_DTYPE)
        if indexes and len(h):
            found = [self._index_matches(store, index, no, band, lo, hi, h, ref) for no, index in enumerate(indexes)]
            matches = np.concatenate(found)
        save_array(self.output_folder, f"{unit:05d}.old.npy", matches)

    def _pairs(self, store: SignatureStore, h: np.ndarray, ref: np.ndarray) -> np.ndarray:
        if len(h) < 2:
            return np.zeros((0, 2), dtype=np.uint64)
        ranks, idx = split_ref(ref)
        date = np.empty(len(ref), dtype=np.int64)
        idh = np.empty(len(ref), dtype=np.uint64)
        for r, sel in groups(ranks):
            k = store.keys(int(r))[idx[sel]]
            date[sel] = k["date_us"]
            idh[sel] = k["id_hash"]
        order = np.lexsort((ref, idh, date, h))
        h, ref = h[order], ref[order]
        new_group = np.ones(len(h), dtype=bool)
        new_group[1:] = h[1:] != h[:-1]
        group_id = np.cumsum(new_group) - 1
        first = np.flatnonzero(new_group)
        members = np.flatnonzero(~new_group)  # every entry that is not its group's first
        pairs = np.stack([ref[first[group_id[members]]], ref[members]], axis=1)
        self.stat_update("candidate_pairs", value=len(pairs))
        if self.config.verify and len(pairs):
            sims = estimated_jaccard(store.signatures(pairs[:, 0]), store.signatures(pairs[:, 1]))
            ok = sims >= self.config.threshold
            self.stat_update("pairs_below_threshold", value=int((~ok).sum()))
            pairs = pairs[ok]
        return pairs

    def _index_matches(self, store, index, index_no: int, band: int, lo: int, hi: int, h, ref) -> np.ndarray:
        # (new doc, every old doc with the same band hash)
        hit, rows = index.band_matches(band, lo, hi, h)
        if len(rows) == 0:
            return np.zeros(0, dtype=MATCH_DTYPE)
        new_ref = ref[hit]
        rows = rows.astype(np.uint64)
        self.stat_update("old_candidates", value=len(rows))
        sims = np.full(len(rows), np.nan, dtype=np.float32)
        if index.has_signatures:
            sims = estimated_jaccard(store.signatures(new_ref), index.signatures(rows)).astype(np.float32)
        keep = np.ones(len(rows), dtype=bool)
        if self.keep_changed:
            keep = sims >= self.config.threshold
            self.stat_update("old_changed_kept", value=int((~keep).sum()))
        out = np.empty(int(keep.sum()), dtype=MATCH_DTYPE)
        out["ref"], out["index_no"], out["row"], out["sim"] = new_ref[keep], index_no, rows[keep], sims[keep]
        self.stat_update("old_matches", value=len(out))
        return out


class MinhashClusters(PipelineStep):
    """Stage 3 (one task): connected components of the candidate pairs, the kept doc of each, and the report.

    Rule: a cluster that contains a doc matching an earlier snapshot is removed entirely (its docs are
    duplicates of that old doc); otherwise the doc with the earliest date, then the lowest id (string order),
    is kept and gets `minhash_duplicates` = cluster size - 1. Memory: the docs that have a duplicate.

    Writes `clusters/RRRRR.parquet` per signature task (idx, id_hash, action, duplicates, duplicate_of_*) for
    the filter, and `report_path`, a TSV sorted by cluster: cluster, status (kept / duplicate / old_duplicate),
    id, url, date, duplicate_of_id, duplicate_of_url, duplicate_of_snapshot, similarity (estimated Jaccard).

    Args:
        sig_folder: stage-1 folder.
        bucket_folder: stage-2 folder.
        output_folder: where the per-task decisions go.
        report_path: the TSV cluster report.
        config: MinHash parameters.
        index_folders: the same indexes as stage 2.
        snapshot: name of the snapshot being deduped (written in the report for in-snapshot duplicates).
        bucket_tasks: number of bucket units, bands x parts_per_band (older pair files of higher units are ignored).
    """

    type = "🫂 - DEDUP"
    name = "🎯 olm MinHash clusters"

    def __init__(
        self,
        sig_folder: DataFolderLike,
        bucket_folder: DataFolderLike,
        output_folder: DataFolderLike,
        report_path: str,
        config: MinhashConfig | None = None,
        index_folders: Sequence[str] = (),
        snapshot: str | None = None,
        bucket_tasks: int | None = None,
    ) -> None:
        super().__init__()
        self.sig_folder = get_datafolder(sig_folder)
        self.bucket_folder = get_datafolder(bucket_folder)
        self.output_folder = get_datafolder(output_folder)
        self.report_path = report_path
        self.config = config or MinhashConfig()
        self.index_folders = list(index_folders)
        self.snapshot = snapshot or ""
        self.bucket_tasks = bucket_tasks

    def run(self, data=None, rank: int = 0, world_size: int = 1) -> None:
        if world_size != 1:
            raise UsageError("MinHash clustering runs as exactly 1 task")
        store = SignatureStore(self.sig_folder, self.config.num_perm)
        self._clear_decisions()
        with self.track_time(unit="task"):
            pairs, matches = self._load_candidates()
            nodes = self._connected_docs(store, pairs, matches)
            best_old = _best_old_match_per_doc(matches)
            clusters = _order_clusters(nodes)
            comp_old = _best_old_match_per_cluster(nodes, best_old)
            indexes = [MinhashIndex(f) for f in self.index_folders]
            old_info = _old_doc_info(indexes, {v[:2] for v in best_old.values()} | {v[:2] for v in comp_old.values()})
            sims_to_kept = _similarity_to_kept_doc(store, nodes, clusters)
            decisions = self._decide(nodes, clusters, best_old, comp_old, old_info, sims_to_kept)
            self._count(nodes, clusters, decisions)
            self._write_decisions(store, nodes, decisions)
            self._write_report(nodes, clusters, decisions)

    def _clear_decisions(self) -> None:
        """Remove decision files of an earlier attempt (an older run may have had more signature tasks)."""
        for old in self.output_folder.list_files(recursive=False, glob_pattern="*.parquet"):
            self.output_folder.rm(old)

    def _load_candidates(self) -> tuple[np.ndarray, np.ndarray]:
        """Every bucket task's candidate pairs ((E, 2) doc refs) and old-snapshot matches (`MATCH_DTYPE`)."""
        pairs = [np.array(load_array(self.bucket_folder, f)) for f in self._bucket_files("pairs")]
        pairs = np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.uint64)
        matches = [np.array(load_array(self.bucket_folder, f)) for f in self._bucket_files("old")]
        matches = np.concatenate(matches) if matches else np.zeros(0, dtype=MATCH_DTYPE)
        return pairs, matches

    def _connected_docs(self, store: SignatureStore, pairs: np.ndarray, matches: np.ndarray) -> ClusterNodes:
        """The docs in a pair or an old match, their connected component and their id, url and date."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        refs = np.unique(np.concatenate([pairs.ravel(), matches["ref"]]))
        n = len(refs)
        if n:
            u = np.searchsorted(refs, pairs[:, 0])
            v = np.searchsorted(refs, pairs[:, 1])
            graph = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(n, n))
            _, comp = connected_components(graph, directed=False)
        else:
            comp = np.zeros(0, dtype=np.int64)
        return ClusterNodes(refs, comp, *_doc_details(store, refs))

    def _decide(self, nodes, clusters, best_old, comp_old, old_info, sims_to_kept) -> ClusterDecisions:
        """Per doc: kept (with its cluster's size - 1), duplicate of the kept doc, or old_duplicate."""
        n = len(nodes.refs)
        action = np.empty(n, dtype=object)
        dup_count = np.zeros(n, dtype=np.int32)
        dup_of = [("", "", "")] * n
        sims = np.full(n, np.nan, dtype=np.float32)
        for pos in range(n):
            i = clusters.order[pos]
            c = int(clusters.comp_sorted[pos])
            if c in comp_old:
                mt = best_old.get(int(nodes.refs[i]), comp_old[c])
                action[i] = "old_duplicate"
                dup_of[i] = old_info[mt[:2]]
                sims[i] = mt[2] if int(nodes.refs[i]) in best_old else np.nan
            elif clusters.is_first[pos]:
                action[i] = "kept"
                dup_count[i] = clusters.comp_size[c] - 1
            else:
                action[i] = "duplicate"
                kept_doc = clusters.leader[pos]
                dup_of[i] = (nodes.ids[kept_doc], nodes.urls[kept_doc] or "", self.snapshot)
                sims[i] = sims_to_kept[i]
        return ClusterDecisions(action, dup_count, dup_of, sims)

    def _count(self, nodes: ClusterNodes, clusters: ClusterOrder, decisions: ClusterDecisions) -> None:
        n = len(nodes.refs)
        action = decisions.action
        self.stat_update("clusters", value=len(clusters.comp_size))
        self.stat_update("docs_in_clusters", value=n)
        self.stat_update("duplicates", value=int((action == "duplicate").sum()) if n else 0)
        self.stat_update("old_duplicates", value=int((action == "old_duplicate").sum()) if n else 0)

    def _write_decisions(self, store: SignatureStore, nodes: ClusterNodes, decisions: ClusterDecisions) -> None:
        """One parquet per signature task, rows by position: what the filter stage does with each listed doc."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        ranks, idx = split_ref(nodes.refs)
        action, dup_of = decisions.action, decisions.dup_of
        for r, sel in groups(ranks):
            sel = sel[np.argsort(idx[sel])]
            keys = store.keys(int(r))[idx[sel]]
            t = pa.table(
                {
                    "idx": pa.array(idx[sel], pa.uint32()),
                    "id_hash": pa.array(keys["id_hash"], pa.uint64()),
                    "action": pa.array([action[i] for i in sel], pa.string()),
                    "duplicates": pa.array(decisions.dup_count[sel], pa.int32()),
                    "duplicate_of_id": pa.array([dup_of[i][0] for i in sel], pa.string()),
                    "duplicate_of_url": pa.array([dup_of[i][1] for i in sel], pa.string()),
                    "duplicate_of_snapshot": pa.array([dup_of[i][2] for i in sel], pa.string()),
                }
            )
            with self.output_folder.open(f"{int(r):05d}.parquet", "wb") as f:
                pq.write_table(t, f)

    def _bucket_files(self, kind: str) -> list[str]:
        files = self.bucket_folder.list_files(recursive=False, glob_pattern=f"*.{kind}.npy")
        if self.bucket_tasks is None:
            return files
        wanted = {f"{r:05d}.{kind}.npy" for r in range(self.bucket_tasks)}
        if missing := wanted - set(files):
            missing_path = self.bucket_folder.resolve_paths(sorted(missing)[0])
            raise UsageError(f"bucket output missing: {missing_path}; rerun the buckets stage")
        return sorted(wanted)

    def _write_report(self, nodes: ClusterNodes, clusters: ClusterOrder, decisions: ClusterDecisions) -> None:
        """The TSV cluster report, written to a temporary file and renamed."""
        order, comp_sorted = clusters.order, clusters.comp_sorted
        ids, urls, dates = nodes.ids, nodes.urls, nodes.dates
        action, dup_of, sims = decisions.action, decisions.dup_of, decisions.sims
        folder, name = get_datafolder(os.path.dirname(self.report_path)), os.path.basename(self.report_path)
        # clusters numbered by their first doc (date, id), so numbers do not depend on the task layout
        n = len(order)
        starts = np.flatnonzero(np.r_[True, comp_sorted[1:] != comp_sorted[:-1]]) if n else np.zeros(0, int)
        ends = np.r_[starts[1:], n] if n else np.zeros(0, int)
        tmp = name + ".tmp"
        with folder.open(tmp, "w", newline="", encoding="utf-8") as f:  # a DataFolder creates parent folders
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(REPORT_COLUMNS)
            for cluster_no, (s, e) in enumerate(zip(starts, ends, strict=True)):
                for pos in range(s, e):
                    i = order[pos]
                    w.writerow(
                        [
                            cluster_no,
                            action[i],
                            _clean(ids[i]),
                            _clean(urls[i]),
                            _clean(dates[i]),
                            _clean(dup_of[i][0]),
                            _clean(dup_of[i][1]),
                            _clean(dup_of[i][2]),
                            "" if np.isnan(sims[i]) else f"{sims[i]:.3f}",
                        ]
                    )
        folder.mv(tmp, name)


@dataclass
class ClusterNodes:
    """The docs of a clustering run (those in a candidate pair or an old match), in sorted doc-ref order."""

    refs: np.ndarray  # doc refs (`make_ref`), sorted
    comp: np.ndarray  # connected component of each doc
    ids: list
    urls: list
    dates: list  # raw date strings, for the report
    date_us: np.ndarray  # parsed dates (`textmod.NO_DATE` if none), for the keep rule


@dataclass
class ClusterOrder:
    """The docs sorted by cluster, kept doc first; clusters ordered by their kept doc's (date, id)."""

    order: np.ndarray  # doc (index into ClusterNodes) at each sorted position
    comp_sorted: np.ndarray  # component at each sorted position
    is_first: np.ndarray  # the position holds its cluster's kept doc
    leader: np.ndarray  # the kept doc of the cluster at each sorted position
    comp_size: np.ndarray  # docs per component


@dataclass
class ClusterDecisions:
    """Per doc (index into ClusterNodes): action, duplicates absorbed, (id, url, snapshot) it duplicates, similarity."""

    action: np.ndarray
    dup_count: np.ndarray
    dup_of: list
    sims: np.ndarray


def _doc_details(store: SignatureStore, refs: np.ndarray) -> tuple[list, list, list, np.ndarray]:
    """(ids, urls, raw dates, dates in us) of the referenced docs, read task by task from the doc tables."""
    import pyarrow as pa

    n = len(refs)
    ranks, idx = split_ref(refs)
    cols = {k: [] for k in ("id", "url", "date", "date_us")}
    node_order = []
    for r, sel in groups(ranks):
        t = store.doc_table(int(r), ["id", "url", "date", "date_us"]).take(pa.array(idx[sel]))
        for k in cols:
            cols[k].extend(t.column(k).to_pylist())
        node_order.append(sel)
    node_order = np.concatenate(node_order) if node_order else np.zeros(0, dtype=np.int64)
    ids = [None] * n
    urls = [None] * n
    dates = [None] * n
    date_us = np.empty(n, dtype=np.int64)
    for j, i in enumerate(node_order):
        ids[i], urls[i], dates[i] = cols["id"][j], cols["url"][j], cols["date"][j]
        date_us[i] = textmod.NO_DATE if cols["date_us"][j] is None else cols["date_us"][j]
    return ids, urls, dates, date_us


def _best_old_match_per_doc(matches: np.ndarray) -> dict[int, tuple[int, int, float]]:
    """doc ref -> (index_no, row, sim) of its best old match: highest similarity, then lowest (index, row);
    NaN (an index without signatures) counts lowest."""
    best_old = {}
    if len(matches):
        sim_key = np.where(np.isnan(matches["sim"]), -1.0, matches["sim"])
        order = np.lexsort((matches["row"], matches["index_no"], -sim_key, matches["ref"]))
        m = matches[order]
        firsts = np.ones(len(m), dtype=bool)
        firsts[1:] = m["ref"][1:] != m["ref"][:-1]
        for rec in m[firsts]:
            best_old[int(rec["ref"])] = (int(rec["index_no"]), int(rec["row"]), float(rec["sim"]))
    return best_old


def _best_old_match_per_cluster(nodes: ClusterNodes, best_old: dict) -> dict[int, tuple[int, int, float]]:
    """component -> the best old match over its members (same order as `_best_old_match_per_doc`)."""
    comp_old: dict[int, tuple[int, int, float]] = {}
    for ref_int, mt in best_old.items():
        c = int(nodes.comp[np.searchsorted(nodes.refs, np.uint64(ref_int))])
        cur = comp_old.get(c)
        if cur is None or (-_nan_low(mt[2]), mt[0], mt[1]) < (-_nan_low(cur[2]), cur[0], cur[1]):
            comp_old[c] = mt
    return comp_old


def _order_clusters(nodes: ClusterNodes) -> ClusterOrder:
    """Sort docs by (component, date, id): each component's first doc is its kept doc (its "leader"); then order
    components by their leader's (date, id), so the numbering does not depend on the task layout."""
    import pyarrow as pa
    import pyarrow.compute as pc

    comp, date_us = nodes.comp, nodes.date_us
    n = len(comp)
    id_col = pa.array(nodes.ids, pa.string())
    table = pa.table({"comp": comp, "date_us": date_us, "id": id_col})
    order = pc.sort_indices(
        table, sort_keys=[("comp", "ascending"), ("date_us", "ascending"), ("id", "ascending")]
    ).to_numpy()
    first = np.ones(n, dtype=bool)
    first[1:] = comp[order][1:] != comp[order][:-1]
    leader_of_comp = np.empty(int(comp.max()) + 1 if n else 0, dtype=np.int64)
    leader_of_comp[comp[order[first]]] = order[first]
    lead = leader_of_comp[comp]
    table = pa.table(
        {"lead_date": date_us[lead], "lead_id": id_col.take(pa.array(lead)), "date_us": date_us, "id": id_col}
    )
    order = pc.sort_indices(
        table,
        sort_keys=[(k, "ascending") for k in ("lead_date", "lead_id", "date_us", "id")],
    ).to_numpy()
    comp_sorted = comp[order]
    is_first = np.ones(n, dtype=bool)
    is_first[1:] = comp_sorted[1:] != comp_sorted[:-1]
    leader = lead[order]  # per sorted position
    comp_size = np.bincount(comp, minlength=int(comp.max()) + 1 if n else 0)
    return ClusterOrder(order, comp_sorted, is_first, leader, comp_size)


def _similarity_to_kept_doc(store: SignatureStore, nodes: ClusterNodes, clusters: ClusterOrder) -> np.ndarray:
    """Estimated Jaccard of each in-snapshot duplicate to its cluster's kept doc (NaN for kept docs)."""
    sims = np.full(len(nodes.refs), np.nan, dtype=np.float32)
    dup_pos = np.flatnonzero(~clusters.is_first)
    if len(dup_pos):
        a = clusters.order[dup_pos]
        b = clusters.leader[dup_pos]
        sims[a] = estimated_jaccard(store.signatures(nodes.refs[a]), store.signatures(nodes.refs[b]))
    return sims


def _nan_low(x: float) -> float:
    return -1.0 if np.isnan(x) else x


def _clean(value: object) -> str:
    """One TSV cell: tabs and newlines (never expected in ids or urls) become spaces."""
    if value is None:
        return ""
    return str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _old_doc_info(indexes, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, str, str]]:
    out = {}
    for index_no in sorted({k[0] for k in wanted}):
        rows = sorted(k[1] for k in wanted if k[0] == index_no)
        index = indexes[index_no]
        for row, (doc_id, url) in zip(rows, index.docs(np.array(rows, dtype=np.int64)), strict=True):
            out[(index_no, row)] = (doc_id, url or "", index.snapshot)
    return out


class MinhashFilter(PipelineStep):
    """Stage 4: drop the docs stage 3 marked, add `minhash_duplicates` to every kept doc.

    Must read the same input with the same number of tasks as stage 1 (positions are checked against the doc id
    hashes stage 1 saved; a mismatch stops the task with a clear error).

    Args:
        cluster_folder: stage-3 decisions folder.
        sig_folder: stage-1 folder (for the position check).
        exclusion_writer: optional writer for removed docs, with metadata duplicate_of_id/url/snapshot.
    """

    type = "🫂 - DEDUP"
    name = "🎯 olm MinHash filter"

    def __init__(self, cluster_folder: DataFolderLike, sig_folder: DataFolderLike, exclusion_writer=None) -> None:
        super().__init__()
        self.cluster_folder = get_datafolder(cluster_folder)
        self.sig_folder = get_datafolder(sig_folder)
        self.exclusion_writer = exclusion_writer

    def run(self, data, rank: int = 0, world_size: int = 1):
        import contextlib

        path = f"{rank:05d}.parquet"
        decisions: dict[int, dict] = {}
        if self.cluster_folder.exists(path):
            for row in read_table(self.cluster_folder, path).to_pylist():
                decisions[row["idx"]] = row
        keys_path = f"keys/{rank:05d}.npy"
        expected = len(load_array(self.sig_folder, keys_path)) if self.sig_folder.exists(keys_path) else 0
        seen = 0
        with self.exclusion_writer if self.exclusion_writer else contextlib.nullcontext() as excl:
            for idx, doc in enumerate(data):
                seen = idx + 1
                with self.track_time():
                    self.stat_update("total")
                    dec = decisions.get(idx)
                    if dec is not None and dec["id_hash"] != id_hash(str(doc.id)):
                        raise UsageError(
                            f"minhash filter task {rank}: doc {idx} is {doc.id!r}, not the doc the signature stage "
                            "saw there; run the filter on the same input with the same number of tasks"
                        )
                    if dec is None or dec["action"] == "kept":
                        doc.metadata["minhash_duplicates"] = 0 if dec is None else int(dec["duplicates"])
                        self.stat_update("forwarded")
                    else:
                        self.stat_update("dropped", f"dropped_{dec['action']}")
                        if excl:
                            doc.metadata["duplicate_of_id"] = dec["duplicate_of_id"]
                            doc.metadata["duplicate_of_url"] = dec["duplicate_of_url"]
                            doc.metadata["duplicate_of_snapshot"] = dec["duplicate_of_snapshot"]
                            excl.write(doc, rank)
                        continue
                yield doc
        if seen != expected:
            raise UsageError(
                f"minhash filter task {rank} read {seen} docs but the signature stage saw {expected}; "
                "run the filter on the same input with the same number of tasks"
            )


def minhash_stages(
    input_folder: str,
    output_folder: str,
    work_folder: str,
    tasks: int,
    *,
    config: MinhashConfig | None = None,
    index_folders: Sequence[str] = (),
    keep_changed: bool = False,
    parts_per_band: int = 1,
    snapshot: str | None = None,
    report_path: str | None = None,
    exclusion_folder: str | None = None,
    workers: int | None = None,
    name: str = "minhash",
) -> list:
    """The four MinHash near-dedup stages, ready to splice into a pipeline.

    Args:
        input_folder: datatrove parquet to dedup.
        output_folder: where kept docs go (parquet, metadata `minhash_duplicates`).
        work_folder: folder for intermediate files (any datatrove DataFolder) (signatures, pairs, decisions).
        tasks: tasks for the signature and filter stages (any number; results do not depend on it).
        config: MinHash parameters.
        index_folders: indexes of earlier snapshots (`build_index`) to drop near duplicates of.
        keep_changed: with indexes, keep a doc whose estimated similarity to the old doc is below threshold.
        parts_per_band: split each band's hash range into this many units of bucket work (memory per bucket
            task is about 30 bytes x docs / parts_per_band); the buckets stage runs min(tasks, bands x parts)
            tasks.
        snapshot: this snapshot's name, for the report.
        report_path: cluster report TSV (default `<work_folder>/<name>/clusters.tsv`).
        exclusion_folder: if set, removed docs are written there (parquet) with duplicate_of_* metadata.
        workers: parallel workers for the N-task stages (None: the run's default).
        name: stage name prefix.

    Returns:
        Stages `<name>_signatures`, `<name>_buckets`, `<name>_clusters`, `<name>_filter`.
    """
    from datatrove.pipeline.writers import ParquetWriter

    from olm_data.readers.parquet import read_corpus
    from olm_data.stage import Stage

    config = config or MinhashConfig()
    if tasks < 1 or parts_per_band < 1:
        raise UsageError("tasks and parts_per_band must be >= 1")
    for index in open_indexes(index_folders, config):
        if keep_changed and not index.has_signatures:
            raise UsageError(f"keep_changed needs signatures, but index {index.folder} was built without them")
    work = os.path.join(work_folder, name)
    sigs = os.path.join(work, "signatures")
    buckets = os.path.join(work, "buckets")
    clusters = os.path.join(work, "clusters")
    report = report_path or os.path.join(work, "clusters.tsv")
    exclusion = rejected_writer(exclusion_folder)
    return [
        Stage(
            f"{name}_signatures",
            steps=[read_corpus(input_folder), MinhashSignatures(sigs, config)],
            tasks=tasks,
            workers=workers,
        ),
        Stage(
            f"{name}_buckets",
            steps=[MinhashBuckets(sigs, buckets, config, parts_per_band, index_folders, keep_changed, tasks)],
            tasks=min(tasks, config.bands * parts_per_band),  # a task does several units when there are fewer
            workers=workers,
        ),
        Stage(
            f"{name}_clusters",
            steps=[
                MinhashClusters(
                    sigs, buckets, clusters, report, config, index_folders, snapshot, config.bands * parts_per_band
                )
            ],
            tasks=1,
            workers=1,
        ),
        Stage(
            f"{name}_filter",
            steps=[
                read_corpus(input_folder),
                MinhashFilter(clusters, sigs, exclusion),
                ParquetWriter(output_folder),
            ],
            tasks=tasks,
            workers=workers,
        ),
    ]


def read_report(path: str) -> list[dict]:
    """The cluster report as dicts (for tests and quick inspection)."""
    with fsspec.open(path, "r", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def summarize(work_folder: str, name: str = "minhash") -> dict:
    """Counts from a finished run's report: clusters, kept, duplicates, old duplicates."""
    rows = read_report(os.path.join(work_folder, name, "clusters.tsv"))
    out = {"clusters": len({r["cluster"] for r in rows})}
    for status in ("kept", "duplicate", "old_duplicate"):
        out[status] = sum(r["status"] == status for r in rows)
    return out
