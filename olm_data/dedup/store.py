"""The storage layer of MinHash and exact dedup: what stages write under a work folder or an index folder, and how
later stages read it back.

* doc refs: a doc inside one run is (signature task rank, position), packed in one uint64 (`make_ref`);
* band ranges: the 64-bit band-hash space is cut into `parts` ranges, one per bucket task (`band_range`), and a
  sorted hash file is sliced to a range by binary search (`slice_sorted`);
* index bands: an index stores each band hash as two uint32 halves (`hash_halves`): the high halves ("key
  prefixes") are all a lookup scans, the low halves and doc rows are read only where a prefix matched;
* `SignatureStore` reads what `MinhashSignatures` wrote (keys, signatures, sorted band files, doc tables);
* `MinhashIndex` reads a finished cross-snapshot index (`index.py` builds one);
* `id_hash` and `parse_dates` are shared by every stage that checks doc positions or orders docs by date.

Folders are datatrove `DataFolder`s, so work files and indexes can live on any fsspec file system. On a local
folder, `.npy` files are memory-mapped (a task reads only the slices it needs); elsewhere they are read whole.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence

import numpy as np
from datatrove.io import DataFolder, DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger

from olm_data.dedup import text as textmod
from olm_data.dedup.signatures import MinhashConfig
from olm_data.errors import UsageError

KEYS_DTYPE = np.dtype([("date_us", "<i8"), ("id_hash", "<u8")])
INDEX_FORMAT = "olm-data-minhash-index"
INDEX_VERSION = 2  # 2: band hashes split into key prefixes + low halves (v1: one uint64 hash file per band)
TWO64 = 1 << 64


def id_hash(doc_id: str) -> int:
    """64-bit hash of a document id (checks that a later stage sees the same docs at the same positions)."""
    import xxhash

    return xxhash.xxh3_64_intdigest(doc_id.encode("utf-8", "surrogatepass"))  # xxhash 4 takes bytes only


def parse_dates(step: PipelineStep, docs: Sequence) -> tuple[list, list[int | None]]:
    """(raw date, microseconds or None) per doc; counts `no_date` / `bad_date` and logs the first bad one."""
    raw = [textmod.doc_date(d.metadata) for d in docs]
    parsed = [textmod.date_us(x) for x in raw]
    for doc, value, us in zip(docs, raw, parsed, strict=True):
        if us is None:
            if value in (None, ""):
                step.stat_update("no_date")
                continue
            step.stat_update("bad_date")
            if not getattr(step, "_bad_date_logged", False):
                step._bad_date_logged = True
                where = doc.metadata.get("file_path", "?")
                logger.warning(
                    f"doc {doc.id!r} in {where}: date {value!r} is not ISO-8601; such docs count as undated "
                    "(kept last by the dedup rules). Logged once; see the bad_date stat."
                )
    return raw, parsed


def make_ref(rank: int | np.ndarray, idx: int | np.ndarray) -> np.ndarray:
    """A doc reference inside one run: signature task rank in the high 32 bits, position in the low 32."""
    return (np.asarray(rank, dtype=np.uint64) << np.uint64(32)) | np.asarray(idx, dtype=np.uint64)


def split_ref(ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ranks, positions) of doc refs made by `make_ref`."""
    ref = np.asarray(ref, dtype=np.uint64)
    return (ref >> np.uint64(32)).astype(np.int64), (ref & np.uint64(0xFFFFFFFF)).astype(np.int64)


def hash_halves(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(high 32 bits, low 32 bits) of 64-bit band hashes as uint32: an index's key prefixes and low halves."""
    hashes = np.asarray(hashes, dtype=np.uint64)
    return (hashes >> np.uint64(32)).astype("<u4"), (hashes & np.uint64(0xFFFFFFFF)).astype("<u4")


def expand_ranges(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(i, p) for every i and every p in [left[i], right[i]): i ascending, then p ascending (no Python loop)."""
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    counts = np.maximum(right - left, 0)
    which = np.repeat(np.arange(len(counts)), counts)
    starts = np.repeat(left - np.cumsum(counts) + counts, counts)
    return which, starts + np.arange(len(which))


def groups(keys: np.ndarray):
    """Yield (key, positions) for each distinct key, positions ascending (one sort, not one scan per key)."""
    keys = np.asarray(keys)
    if len(keys) == 0:
        return
    order = np.argsort(keys, kind="stable")
    uniq, starts = np.unique(keys[order], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    for k, s, e in zip(uniq, starts, ends, strict=True):
        yield k, order[s:e]


def band_range(part: int, parts: int) -> tuple[int, int]:
    """[lo, hi) of the 64-bit band-hash space handled by one bucket task (hi may be 2**64)."""
    return part * TWO64 // parts, (part + 1) * TWO64 // parts


def load_array(folder: DataFolder, path: str) -> np.ndarray:
    """A `.npy` file of `folder`: memory-mapped on a local folder, read whole from any other file system."""
    if folder.is_local():
        return np.load(folder.resolve_paths(path), mmap_mode="r")
    with folder.open(path, "rb") as f:
        return np.load(io.BytesIO(f.read()))


def load_span(folder: DataFolder, path: str, i0: int, i1: int) -> np.ndarray:
    """Entries [i0, i1) of a 1-D `.npy` file of `folder`: a memory-mapped slice on a local folder, elsewhere a read
    of just those bytes (a lookup needs a few entries of a side array, not the whole file)."""
    if folder.is_local():
        return load_array(folder, path)[i0:i1]
    with folder.open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        _, _, dtype = header(f)
        f.seek(f.tell() + i0 * dtype.itemsize)
        return np.frombuffer(f.read((i1 - i0) * dtype.itemsize), dtype=dtype)


def save_array(folder: DataFolder, path: str, array: np.ndarray) -> None:
    """Write `array` as a `.npy` file of `folder` (parent folders are created)."""
    with folder.open(path, "wb") as f:
        np.save(f, array)


def read_table(folder: DataFolder, path: str, columns: Sequence[str] | None = None):
    """A parquet file of `folder` as a pyarrow Table (read natively on a local folder)."""
    import pyarrow.parquet as pq

    if folder.is_local():
        return pq.read_table(folder.resolve_paths(path), columns=columns)
    with folder.open(path, "rb") as f:
        return pq.read_table(f, columns=columns)


def file_rank(path: str) -> int:
    """The task rank a work file is named after (`.../00012.hash.npy` -> 12)."""
    return int(os.path.basename(path).split(".")[0])


def slice_sorted(values: np.ndarray, lo: int, hi: int) -> tuple[int, int]:
    """[i0, i1) of the entries of sorted `values` (uint64 hashes or uint32 key prefixes) that lie in [lo, hi) (hi may
    be 2**64, resp. 2**32). The bounds take the array's own type: another one would make numpy convert the whole
    memory-mapped array before searching."""
    kind = values.dtype.type
    i0 = int(np.searchsorted(values, kind(lo), side="left"))
    end = hi >= 1 << (8 * values.dtype.itemsize)
    i1 = len(values) if end else int(np.searchsorted(values, kind(hi), side="left"))
    return i0, i1


class SignatureStore:
    """Read access to what `MinhashSignatures` wrote in a folder (a run's work folder or an index)."""

    def __init__(self, folder: DataFolderLike, num_perm: int) -> None:
        self.folder = get_datafolder(folder)
        self.num_perm = num_perm
        self._sigs: dict[int, np.ndarray] = {}
        self._keys: dict[int, np.ndarray] = {}

    def ranks(self, tasks: int | None = None) -> list[int]:
        """Ranks that wrote signatures (only those below `tasks`: files of an older, larger run are ignored)."""
        files = self.folder.list_files("keys", recursive=False, glob_pattern="*.npy")
        ranks = sorted(file_rank(f) for f in files)
        return [r for r in ranks if tasks is None or r < tasks]

    def keys(self, rank: int) -> np.ndarray:
        if rank not in self._keys:
            self._keys[rank] = load_array(self.folder, f"keys/{rank:05d}.npy")
        return self._keys[rank]

    def count(self, rank: int) -> int:
        return len(self.keys(rank))

    def rank_sigs(self, rank: int) -> np.ndarray:
        if rank not in self._sigs:
            path = f"sigs/{rank:05d}.u32"
            if self.folder.size(path) == 0:
                self._sigs[rank] = np.zeros((0, self.num_perm), dtype=np.uint32)
            elif self.folder.is_local():
                local = self.folder.resolve_paths(path)
                self._sigs[rank] = np.memmap(local, dtype="<u4", mode="r").reshape(-1, self.num_perm)
            else:
                with self.folder.open(path, "rb") as f:
                    self._sigs[rank] = np.frombuffer(f.read(), dtype="<u4").reshape(-1, self.num_perm)
        return self._sigs[rank]

    def signatures(self, refs: np.ndarray) -> np.ndarray:
        """(len(refs), num_perm) signatures of the referenced docs, gathered rank by rank."""
        ranks, idx = split_ref(refs)
        out = np.empty((len(refs), self.num_perm), dtype=np.uint32)
        for r, sel in groups(ranks):
            out[sel] = self.rank_sigs(int(r))[idx[sel]]
        return out

    def band_files(self, band: int, tasks: int | None = None) -> list[tuple[int, str]]:
        """(rank, path) of each task's sorted band-hash file; the doc positions are in `path` with `.idx.npy`."""
        files = self.folder.list_files(f"bands/{band:03d}", recursive=False, glob_pattern="*.hash.npy")
        found = sorted((file_rank(f), f) for f in files)
        return [(r, f) for r, f in found if tasks is None or r < tasks]

    def doc_table(self, rank: int, columns: Sequence[str] | None = None):
        return read_table(self.folder, f"docs/{rank:05d}.parquet", columns)


class MinhashIndex:
    """Read access to a finished index folder.

    Args:
        folder: the index folder (must contain index.json).
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.data_folder = get_datafolder(folder)
        if not self.data_folder.isfile("index.json"):
            raise UsageError(f"{folder} is not a MinHash index (no index.json); build one with `olm-data dedup index`")
        with self.data_folder.open("index.json", "r", encoding="utf-8") as f:
            self.meta = json.load(f)
        if self.meta.get("format") != INDEX_FORMAT or self.meta.get("version") != INDEX_VERSION:
            raise UsageError(
                f"{folder}: unsupported index format {self.meta.get('format')} v{self.meta.get('version')} "
                f"(this olm-data reads v{INDEX_VERSION}); rebuild it with `olm-data dedup index`"
            )
        self.snapshot: str = self.meta["snapshot"]
        self.num_docs: int = self.meta["num_docs"]
        self.has_signatures: bool = self.meta["has_signatures"]
        counts = np.asarray(self.meta["rank_counts"], dtype=np.int64)
        self._ranks = np.asarray(self.meta["ranks"], dtype=np.int64)
        self._starts = np.concatenate([[0], np.cumsum(counts)])[:-1].astype(np.int64)
        self._store = SignatureStore(self.data_folder, self.meta["config"]["num_perm"])
        self._keys: dict[int, np.ndarray] = {}

    def check_compatible(self, config: MinhashConfig) -> None:
        """Raise UsageError unless `config` produces band hashes comparable with this index's."""
        mine = dict(self.meta["config"])
        for k in ("threshold", "verify"):
            mine.pop(k, None)
        if mine != config.signature_key():
            raise UsageError(
                f"index {self.folder} ({self.snapshot}) was built with MinHash settings {mine}, "
                f"this run uses {config.signature_key()}; rebuild the index or use the same settings"
            )

    def band_matches(self, band: int, lo: int, hi: int, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in `hashes`, index row) of every index entry of `band` equal to one of `hashes` (which lie in
        [lo, hi)): hashes in the order given, each one's entries in index order (equal hashes: lowest row first).

        Scans only the key prefixes of the range (4 bytes per entry); the low halves are read where a prefix
        matched, the rows where the whole 64-bit hash did.
        """
        none = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
        if hi <= lo or len(hashes) == 0:
            return none
        if band not in self._keys:
            self._keys[band] = load_array(self.data_folder, f"bands/{band:03d}.key.npy")
        keys = self._keys[band]
        k0, k1 = slice_sorted(keys, lo >> 32, ((hi - 1) >> 32) + 1)  # whole prefixes: hashes are in [lo, hi)
        span = np.array(keys[k0:k1])
        prefix, low = hash_halves(hashes)
        which, pos = expand_ranges(np.searchsorted(span, prefix, "left"), np.searchsorted(span, prefix, "right"))
        if len(pos) == 0:
            return none
        pos += k0
        same = self._band_side(band, "low", pos) == low[which]
        which, pos = which[same], pos[same]
        if len(pos) == 0:
            return none
        return which, self._band_side(band, "row", pos)

    def _band_side(self, band: int, side: str, pos: np.ndarray) -> np.ndarray:
        """Entries `pos` of a band's side array (`low` or `row`), reading only the span they lie in."""
        p0, p1 = int(pos.min()), int(pos.max()) + 1
        return np.asarray(load_span(self.data_folder, f"bands/{band:03d}.{side}.npy", p0, p1)[pos - p0])

    def _refs(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        pos = np.searchsorted(self._starts, rows, side="right") - 1
        return make_ref(self._ranks[pos], rows - self._starts[pos])

    def signatures(self, rows: np.ndarray) -> np.ndarray:
        """Full signatures of index rows."""
        if not self.has_signatures:
            raise UsageError(f"index {self.folder} was built without signatures")
        return self._store.signatures(self._refs(rows))

    def docs(self, rows: np.ndarray) -> list[tuple[str, str | None]]:
        """(id, url) of index rows, in the order given."""
        import pyarrow as pa

        rows = np.asarray(rows, dtype=np.int64)
        pos = np.searchsorted(self._starts, rows, side="right") - 1
        out: list[tuple[str, str | None]] = [("", None)] * len(rows)
        for p, sel in groups(pos):
            t = self._store.doc_table(int(self._ranks[p]), ["id", "url"]).take(pa.array(rows[sel] - self._starts[p]))
            for i, doc_id, url in zip(sel, t.column("id").to_pylist(), t.column("url").to_pylist(), strict=True):
                out[i] = (doc_id, url)
        return out


def open_indexes(folders: Sequence[str], config: MinhashConfig) -> list[MinhashIndex]:
    """Open and check several indexes at once (clear errors before any stage starts)."""
    out = []
    for folder in folders:
        index = MinhashIndex(folder)
        index.check_compatible(config)
        out.append(index)
    return out
