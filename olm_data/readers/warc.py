"""Common Crawl WARC reader: HTML `response` records -> datatrove Documents, robust to damaged files.

Why not datatrove's `WarcReader` or warcio's `ArchiveIterator` as they are (datatrove 0.10.1, warcio 1.8.1, on
a per-record gzip file of 5 pages): one corrupt gzip member, or junk between two members, makes both raise after
the records before it (the datatrove task dies); a file cut short inside its last member gives datatrove 0
documents and gives warcio the cut record as if it were whole; and both read every record into memory whatever
its size. A snapshot is ~90 TB in ~90k files: some are damaged, and one bad member must not cost the ~40k good
records around it. So this module frames records itself (gzip members, WARC headers, Content-Length) and reuses
warcio where it is solid: header parsing (`StatusAndHeadersParser`) and HTTP de-chunking (`ChunkedDataReader`).

Offsets: for the per-record gzip files Common Crawl writes, a record's `offset` is the byte offset of its gzip
member in the compressed file, as warcio reports it (what CC's index calls `offset`); for uncompressed WARCs it
is the offset of the record's `WARC/1.x` line. (In a whole-file gzip every record gets its member's offset, 0.)
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import os
import random
import re
import zlib
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.readers.base import BaseReader
from datatrove.utils.logging import logger

from olm_data.errors import UsageError
from olm_data.funnel import record_damage
from olm_data.progress import positive_seconds
from olm_data.readers.remote import FetchError, RetryPolicy, is_http, is_remote, is_url, open_remote

#: File sampling ratios applied by default: the original OLM build of CC-MAIN-2022-49 (huggingface/olm-datasets,
#: seed 42). Every other snapshot is read whole unless a ratio is given (OLM's 2022-33 build used 0.20).
KNOWN_SNAPSHOT_RATIOS: dict[str, float] = {"CC-MAIN-2022-49": 0.15114822547}
UNKNOWN_SNAPSHOT = "unknown"
DEFAULT_BASE_URL = "https://data.commoncrawl.org/"
DEFAULT_SEED = 42
DEFAULT_MAX_RECORD_BYTES = 10 * 2**20

SNAPSHOT_RE = re.compile(r"^CC-MAIN-\d{4}-\d{2}$")
_SNAPSHOT_IN_PATH_RE = re.compile(r"crawl-data/(CC-MAIN-\d{4}-\d{2})/")
_WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.wet", ".warc.wet.gz", ".arc", ".arc.gz")
#: content_type of documents whose text Common Crawl extracted itself (WET `conversion` records): the extraction
#: step passes them through unchanged
CC_EXTRACTED_TEXT = "text/plain"
FORMATS = {"warc": "warc.paths.gz", "wet": "wet.paths.gz"}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# HTTP types that say nothing about the payload: only for these (or no type at all) are the bytes sniffed
_GENERIC_TYPES = ("", "application/octet-stream", "binary/octet-stream", "application/unknown", "unknown/unknown")

_GZIP_MAGIC = b"\x1f\x8b\x08"
_READ_BLOCK = 1 << 20  # bytes read from the file at a time
_RAW_CHUNK = 1 << 14  # compressed bytes fed to zlib at a time (what is left after a member end is copied)
_OUT_CHUNK = 1 << 20  # most decompressed bytes produced per step: bounds memory whatever the member holds
_MAX_LINE = 1 << 16
_MAX_HEADER_BYTES = 1 << 18
_EMBEDDED_RECORD_RE = re.compile(rb"\r\n\r\nWARC/\d\.\d+\r\n")
_WARC_LINE_RE = re.compile(rb"WARC/\d\.\d+\r?\n?$")
_WARC_LINE_END_RE = re.compile(rb"WARC/\d\.\d+\r?\n$")
_HTTP_STATUS_RE = re.compile(r"^HTTP/\d(?:\.\d)?$")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]{1,40})""", re.IGNORECASE)
_CHUNK_HEADER_RE = re.compile(rb"[0-9a-fA-F]{1,8}[ \t]*(;[^\r\n]*)?\r\n")
_MAX_NON_HTML_TYPE_STATS = 50


class _Truncated(Exception):
    """The file ended inside a gzip member."""


class _Corrupt(Exception):
    """A gzip member does not decompress."""


class _ByteSource:
    """Raw bytes of an open file, read in blocks, with pushback; `pos` is the file offset of the next byte returned.

    Callers only ever push back the bytes they read last, so pushing back usually just moves an index (no copy).
    """

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.pos = 0
        self._buf = b""
        self._i = 0

    def read(self, n: int) -> bytes:
        if self._i + n > len(self._buf):
            rest = self._buf[self._i :]
            self._buf = rest + self.f.read(max(n - len(rest), _READ_BLOCK))
            self._i = 0
        data = self._buf[self._i : self._i + n]
        self._i += len(data)
        self.pos += len(data)
        return data

    def unread(self, data: bytes) -> None:
        if not data:
            return
        if len(data) <= self._i:
            self._i -= len(data)
        else:
            self._buf, self._i = data + self._buf[self._i :], 0
        self.pos -= len(data)

    def seek(self, pos: int) -> bool:
        """Jump to `pos`; False when the file cannot seek (then reading goes on from where it is)."""
        try:
            self.f.seek(pos)
        except (OSError, ValueError, io.UnsupportedOperation):
            return False
        self.pos, self._buf, self._i = pos, b"", 0
        return True

    def find(self, pattern: bytes) -> int | None:
        """Advance to the next occurrence of `pattern` (bounded memory); its offset, or None at end of file."""
        carry = b""
        while True:
            chunk = self.read(_RAW_CHUNK)
            if not chunk:
                return None
            data = carry + chunk
            i = data.find(pattern)
            if i >= 0:
                self.unread(data[i:])
                return self.pos
            carry = data[-(len(pattern) - 1) :]


class _Decoded:
    """Decoded bytes of the current *unit* (a plain file, or one gzip member): reads, line reads, pushback."""

    def __init__(self) -> None:
        self._buf = b""
        self._i = 0

    def _more(self) -> bytes:
        """The next decoded bytes of the unit, b"" at its end."""
        raise NotImplementedError

    def _fill(self) -> bool:
        if self._i < len(self._buf):
            return True
        chunk = self._more()
        self._advance_base()
        self._buf, self._i = chunk, 0
        return bool(chunk)

    def _advance_base(self) -> None:
        pass

    def read(self, n: int, keep: bool = True) -> tuple[bytes, int]:
        """Up to `n` bytes of the unit; with keep=False they are dropped as they come (constant memory)."""
        parts, got = [], 0
        while got < n and self._fill():
            part = self._buf[self._i : self._i + n - got]
            self._i += len(part)
            got += len(part)
            if keep:
                parts.append(part)
        return b"".join(parts), got

    def readline(self, limit: int = _MAX_LINE) -> bytes:
        parts, got = [], 0
        while got < limit and self._fill():
            end = min(len(self._buf), self._i + limit - got)
            j = self._buf.find(b"\n", self._i, end)
            stop = j + 1 if j >= 0 else end
            parts.append(self._buf[self._i : stop])
            got += stop - self._i
            self._i = stop
            if j >= 0:
                break
        return b"".join(parts)

    def unread(self, data: bytes) -> None:
        if data:
            self._unread_base(len(data))
            self._buf, self._i = data + self._buf[self._i :], 0

    def _unread_base(self, n: int) -> None:
        pass

    def peek(self, n: int) -> bytes:
        data, _ = self.read(n)
        self.unread(data)
        return data


class _PlainDecoded(_Decoded):
    """An uncompressed WARC: one unit, the whole file; decoded offsets are file offsets."""

    def __init__(self, src: _ByteSource) -> None:
        super().__init__()
        self.src = src
        self._base = src.pos  # file offset of self._buf[0]

    def _more(self) -> bytes:
        return self.src.read(_RAW_CHUNK)

    def _advance_base(self) -> None:
        self._base += len(self._buf)

    def _unread_base(self, n: int) -> None:
        self._base += self._i - n

    def tell(self) -> int:
        return self._base + self._i


class _GzipDecoded(_Decoded):
    """A gzip WARC: one unit per gzip member, decompressed lazily in bounded steps."""

    def __init__(self, src: _ByteSource) -> None:
        super().__init__()
        self.src = src
        self.member_start = 0
        self._d: Any = None

    def _more(self) -> bytes:
        d = self._d
        while d is not None and not d.eof:
            data = d.unconsumed_tail
            if not data:
                data = self.src.read(_RAW_CHUNK)
                if not data:
                    raise _Truncated()
            try:
                out = d.decompress(data, _OUT_CHUNK)
            except zlib.error as e:
                raise _Corrupt(str(e)) from None
            if d.eof:
                # bytes after the member end belong to the next member (at eof they sit in unused_data,
                # mirrored in unconsumed_tail: push back only one copy)
                self.src.unread(d.unused_data)
            if out:
                return out
        return b""

    def start_member(self, pos: int) -> None:
        """Begin decompressing a member whose first byte is the next byte of the source, at offset `pos`."""
        self.member_start = pos
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._buf, self._i = b"", 0

    def drain(self) -> None:
        """Decompress and drop the rest of the current member."""
        self._buf, self._i = b"", 0
        while self._more():
            pass

    def next_member(self) -> tuple[int | None, int]:
        """Moves to the member after the current one: (its offset or None at EOF, garbage bytes skipped first)."""
        head = self.src.read(3)
        self.src.unread(head)
        if not head:
            return None, 0
        if head == _GZIP_MAGIC:
            self.start_member(self.src.pos)
            return self.src.pos, 0
        start = self.src.pos
        pos = self.resync(None)
        return pos, (pos if pos is not None else self.src.pos) - start

    def resync(self, from_pos: int | None) -> int | None:
        """Find the next gzip member, from `from_pos` (or here), whose data starts like a WARC record.

        A corrupt member cannot be decoded past the damage, but in a per-record gzip WARC every record is its
        own member: scanning for the next gzip header (checked by decoding its first bytes) resumes reading at
        the very next record, so one bad member costs one record instead of the rest of the file.
        """
        if from_pos is not None:
            self.src.seek(from_pos)
        while True:
            pos = self.src.find(_GZIP_MAGIC)
            if pos is None:
                self._d = None
                return None
            self.start_member(pos)
            try:
                head = self.peek(5)
            except (_Corrupt, _Truncated):
                head = b""
            if head == b"WARC/":
                return pos
            if not self.src.seek(pos + 1):  # unseekable stream: go on scanning from where decoding stopped
                self._buf, self._i = b"", 0


class CommonCrawlWarcReader(BaseReader):
    """Reads HTML responses from Common Crawl WARC files (local, remote, or a whole sampled snapshot).

    Input forms: a file, a folder (its `*.warc`/`*.warc.gz`, recursively), a glob (`warcs/*.warc.gz`), any
    fsspec URL of those, a snapshot name (`CC-MAIN-2022-49`), or a list mixing them. A snapshot name expands to
    the lines of `<base_url>crawl-data/<snapshot>/warc.paths.gz`, sampled exactly like the original OLM build
    (huggingface/olm-datasets `download_common_crawl.py`): one `random.Random(seed)` for the whole input list,
    then, for each line of the paths file in file order, the file is kept when `random() <= sample_ratio`.
    The unit sampled is one *file* of the paths list (OLM called each WET file a "segment"; Common Crawl's own
    segments are folders of ~800 files). OLM sampled `wet.paths`; each WET file is made from the WARC file of
    the same name, so where `warc.paths` lists them in the same order (one to one), the same seed and ratio
    select the WARCs of the WET files OLM used.

    Sharding is deterministic: the sorted file list, task `rank` of `world_size` reads `files[rank::world_size]`.
    Remote files (https://, s3://) are streamed, nothing is copied locally, through
    `olm_data.readers.remote.ResumableStream`: timeouts, retries with backoff on throttling and cut connections,
    resumed with a Range request at the byte where they broke, at most `retry.concurrency` transfers at once per node.
    A remote file that still cannot be read raises `FetchError`, which fails the task (so the run exits non-zero
    and a rerun fetches it again), unless `allow_missing`: then it is counted as `missing_file`, named in the
    task log and kept in `missing_files` (the executor writes that list next to the task's stats).

    WET files (Common Crawl's own text extraction, what OLM read) are read too, recognised by their records:
    each `conversion` record becomes a document with its text as is and `content_type` "text/plain" (see
    `CC_EXTRACTED_TEXT`: the extraction step passes such documents through). `format="wet"` makes snapshot names
    expand to `wet.paths.gz` instead of `warc.paths.gz` (same sampling).

    Kept: `response` records with a 2xx HTTP status whose payload is HTML (HTTP Content-Type text/html or
    application/xhtml+xml; else WARC-Identified-Payload-Type; else, when neither says anything useful, the
    bytes are sniffed the WHATWG way). Documents: id = WARC-Record-ID, text = the decoded HTML, metadata = url,
    date (WARC-Date), source_file, offset, content_type, snapshot (the snapshot name, or `unknown`).

    ARC files (`filedesc://...`, the format before WARC) are read through warcio's ARC parser. A file that is
    neither is not read, and `unknown_format` names what it looks like (zstd, bz2, a gzip of a gzip, HTML, text).
    Junk before the first gzip member is skipped (`garbage_skipped`) and reading starts at the first member that
    holds a WARC record.

    Damaged input never stops the run and never costs the good records around it; each problem is counted
    under a stat and logged once per file with its offset: `empty_file`, `truncated_file`, `bad_gzip_member`
    (resynchronised at the next member), `garbage_skipped`, `bad_record` (malformed WARC headers),
    `bad_content_length`, `record_too_large` (skipped by its Content-Length without holding it in memory),
    `bad_http_headers`, `bad_chunked_encoding` (kept, best effort), `bad_content_encoding`, `bad_encoding`,
    `unreadable_file`. Records skipped on purpose: `skipped_<warc-type>` (request, warcinfo, metadata,
    revisit...), `skipped_http_status`, `skipped_non_html` (and `skipped_non_html:<type>`), `empty_payload`.

    Args:
        inputs: what to read (see above).
        base_url: where snapshot names resolve: `https://data.commoncrawl.org/`, `s3://commoncrawl/`, or a
            local mirror folder / `file://` URL with the same `crawl-data/...` layout.
        sample_ratio: file sampling ratio for snapshot inputs; None uses `KNOWN_SNAPSHOT_RATIOS` (1.0 for
            other snapshots). Files given by path are never sampled.
        seed: sampling seed (42 in OLM).
        snapshot: snapshot name stored on documents from path inputs; None infers it from a
            `crawl-data/CC-MAIN-YYYY-WW/` path component, else `unknown` (never another crawl's name).
        max_record_bytes: records with a larger Content-Length are skipped unread (`record_too_large`).
        ok_status_only: keep only 2xx responses (redirect and error pages are boilerplate).
        limit: at most this many documents per task (-1: all).
        default_metadata: added to every document's metadata.
        retry: timeouts, retries and the per-node download cap for remote files.
        allow_missing: go on past a remote file that cannot be fetched (counted, listed) instead of failing the
            task; the runtime checks the run's total against `--allow-missing N`.
        format: `warc` or `wet`: which paths list a snapshot name expands to (local files: either, detected).
    """

    name = "🕷 Common Crawl WARC"
    _requires_dependencies = ["warcio", ("cchardet", "faust-cchardet")]

    def __init__(
        self,
        inputs: str | os.PathLike | Sequence[str | os.PathLike],
        base_url: str = DEFAULT_BASE_URL,
        sample_ratio: float | None = None,
        seed: int = DEFAULT_SEED,
        snapshot: str | None = None,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        ok_status_only: bool = True,
        limit: int = -1,
        default_metadata: dict | None = None,
        retry: RetryPolicy | None = None,
        allow_missing: bool = False,
        format: str = "warc",
    ) -> None:
        super().__init__(limit=limit, default_metadata=default_metadata)
        items = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
        self.inputs = [os.fspath(i) for i in items]
        if not self.inputs:
            raise UsageError("CommonCrawlWarcReader: no input given (a WARC file, folder, glob or CC-MAIN-YYYY-WW)")
        if sample_ratio is not None and not 0.0 < sample_ratio <= 1.0:
            raise UsageError(f"sample_ratio must be in (0, 1], got {sample_ratio}")
        if max_record_bytes <= 0:
            raise UsageError(f"max_record_bytes must be positive, got {max_record_bytes}")
        if snapshot is not None and not SNAPSHOT_RE.match(snapshot):
            raise UsageError(f"snapshot must look like CC-MAIN-2022-49, got {snapshot!r}")
        for item in self.inputs:
            if not SNAPSHOT_RE.match(item) and not is_url(item) and not _has_magic(item) and not os.path.exists(item):
                raise UsageError(f"WARC input not found: {item}")
            if is_http(item) and _has_magic(item):
                raise UsageError(f"cannot expand a glob over HTTP: {item} (give the files, or a snapshot name)")
        self.base_url = base_url
        self.sample_ratio = sample_ratio
        self.seed = seed
        self.snapshot = snapshot
        self.max_record_bytes = max_record_bytes
        self.ok_status_only = ok_status_only
        if format not in FORMATS:
            raise UsageError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
        self.format = format
        self.retry = retry or RetryPolicy()
        self.allow_missing = allow_missing
        self.missing_files: list[dict[str, Any]] = []  # remote files given up on (with allow_missing)
        self._non_html_types: set[str] = set()
        self._listed: tuple[tuple[str, ...], list[tuple[str, str]]] | None = None

    def snapshot_key(self) -> str:
        """The one snapshot this reader's documents come from (MinHash index key, manifest); `unknown` if none/many."""
        if self.snapshot:
            return self.snapshot
        names = {i for i in self.inputs if SNAPSHOT_RE.match(i)} | {
            s for i in self.inputs if (s := _snapshot_from_path(i))
        }
        return names.pop() if len(names) == 1 else UNKNOWN_SNAPSHOT

    def ratio_for(self, snapshot: str) -> float:
        """The file sampling ratio applied to `snapshot`: the one given, else OLM's for 2022-49, else 1.0."""
        return self.sample_ratio if self.sample_ratio is not None else KNOWN_SNAPSHOT_RATIOS.get(snapshot, 1.0)

    # ----------------------------------------------------------------------------------------- file list
    def list_files(self) -> list[tuple[str, str]]:
        """All input files, sorted, each with its snapshot name (or `unknown`). Same inputs -> same list.

        Computed once per reader (a snapshot's paths list is fetched once, in the process that plans the run,
        and travels to the tasks with the pickled pipeline instead of being fetched again by each of them).
        """
        key = (*self.inputs, self.base_url, str(self.sample_ratio), str(self.seed), str(self.snapshot), self.format)
        if self._listed is None or self._listed[0] != key:
            self._listed = (key, self._list_files())
        return list(self._listed[1])

    def _list_files(self) -> list[tuple[str, str]]:
        import fsspec
        from fsspec.implementations.local import LocalFileSystem

        rng = random.Random(self.seed)  # one stream for all snapshots, like OLM's single random.seed()
        found: dict[str, str] = {}
        for item in self.inputs:
            if SNAPSHOT_RE.match(item):
                ratio = self.ratio_for(item)
                paths = self._snapshot_paths(item)
                kept = 0
                for rel in paths:
                    if rng.random() <= ratio:
                        found[_join_url(self.base_url, rel)] = item
                        kept += 1
                kind = self.format.upper()
                logger.info(
                    f"{item}: {kept:,} of {len(paths):,} {kind} files (sample ratio {ratio}, seed {self.seed})"
                )
                continue
            if is_http(item):  # one URL, one file (HTTP has no listing)
                found[item] = self.snapshot or _snapshot_from_path(item) or UNKNOWN_SNAPSHOT
                continue
            fs, path = fsspec.core.url_to_fs(item)
            if _has_magic(path) and not fs.isfile(path):  # an existing file is taken literally: `x y [1].warc.gz`
                matches = [p for p, info in fs.glob(path, detail=True).items() if info.get("type") != "directory"]
            elif fs.isdir(path):
                matches = [p for p in fs.find(path) if p.endswith(_WARC_SUFFIXES)]
            elif fs.exists(path):
                matches = [path]
            else:
                raise UsageError(f"WARC input not found: {item}")
            if not matches:
                raise UsageError(f"no WARC files (*.warc, *.warc.gz) match {item}")
            for p in matches:
                full = p if isinstance(fs, LocalFileSystem) else fs.unstrip_protocol(p)
                found[full] = self.snapshot or _snapshot_from_path(full) or UNKNOWN_SNAPSHOT
        return sorted(found.items())

    def _snapshot_paths(self, snapshot: str) -> list[str]:
        import fsspec

        url = _join_url(self.base_url, f"crawl-data/{snapshot}/{FORMATS[self.format]}")
        try:
            if is_remote(url):
                with open_remote(url, self.retry) as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
                    return [line.strip() for line in f if line.strip()]
            with fsspec.open(url, "rt", compression="gzip", encoding="utf-8") as f:
                return [line.strip() for line in f if line.strip()]
        except FileNotFoundError:
            raise UsageError(f"{snapshot}: no paths list at {url} (check the snapshot name or base_url)") from None
        except FetchError as e:
            if e.status in (403, 404):
                raise UsageError(f"{snapshot}: no paths list at {url} ({e.reason}; check the snapshot name)") from None
            raise UsageError(f"{snapshot}: cannot read the paths list: {e}") from None
        except (OSError, EOFError, zlib.error) as e:
            raise UsageError(f"{snapshot}: cannot read {url}: {e}") from None

    # ------------------------------------------------------------------------------------------- run
    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Reads this task's share of the files, in order, and yields their HTML documents."""
        if data:
            yield from data
        files = self.list_files()[rank::world_size]
        if not files:
            logger.warning(f"{self.name}: no WARC files for task {rank}/{world_size}")
        self._log_limit_scope(rank, world_size)
        count = 0
        for path, snapshot in files:
            if self.limit != -1 and count >= self.limit:
                break
            self.stat_update("input_files")
            with contextlib.closing(self.read_file(path, snapshot)) as docs:
                for doc in docs:
                    self.update_doc_stats(doc)
                    yield doc
                    count += 1
                    if self.limit != -1 and count >= self.limit:
                        break

    def read_file(self, path: str, snapshot: str | None = None) -> Iterator[Document]:
        """Yields the HTML documents of one WARC file; damage is counted and logged, never raised.

        A remote file that cannot be fetched (after the retries) is not damage: `FetchError` is raised (it fails
        the task), or with `allow_missing` counted as `missing_file` and listed in `missing_files`.
        """
        import fsspec

        logged: set[str] = set()
        try:
            opened = open_remote(path, self.retry, self.stat_update) if is_remote(path) else fsspec.open(path, "rb")
            with opened as f:
                yield from self._read_stream(f, path, snapshot, logged)
        except FetchError as e:
            if not self.allow_missing:
                logger.error(f"{self.name}: cannot fetch {e}")
                raise
            self._problem("missing_file", path, 0, str(e), logged)
            self.missing_files.append({"file": path, "reason": e.reason, "status": e.status})
        except OSError as e:
            self._problem("unreadable_file", path, 0, f"{type(e).__name__}: {e}", logged)
        except Exception as e:  # a reader bug met on odd input must not kill a run over thousands of files
            self._problem("reader_error", path, 0, f"{type(e).__name__}: {e}", logged)

    def _read_stream(self, f: BinaryIO, path: str, snapshot: str | None, logged: set[str]) -> Iterator[Document]:
        src = _ByteSource(f)
        head = src.read(_SNIFF_BYTES)
        src.unread(head)
        if not head:
            self._problem("empty_file", path, 0, "0 bytes", logged)
            return
        kind, what = _sniff_format(head)
        if kind == "arc":
            yield from self._read_arc(src, path, snapshot, logged)
            return
        if kind == "unknown":
            self._problem("unknown_format", path, 0, f"not a WARC file: {what}", logged)
            return
        if kind == "warc":
            plain = _PlainDecoded(src)
            yield from self._read_unit(plain, path, snapshot, logged, plain.tell, gzip=False)
            return
        gz = _GzipDecoded(src)
        pos, skipped = gz.next_member()
        if skipped:  # junk before the first member: resynchronised at the first member holding a WARC record
            self._problem("garbage_skipped", path, 0, f"{skipped} bytes before the first gzip member", logged)
        while pos is not None:
            try:
                yield from self._read_unit(gz, path, snapshot, logged, lambda: gz.member_start, gzip=True)
                gz.drain()
            except _Truncated:
                self._problem("truncated_file", path, gz.member_start, "file ends inside a gzip member", logged)
                return
            except _Corrupt as e:
                self._problem("bad_gzip_member", path, gz.member_start, f"{e}; resynchronising", logged)
                pos = gz.resync(gz.member_start + 1)
                continue
            start = src.pos
            pos, skipped = gz.next_member()
            if skipped:
                self._problem("garbage_skipped", path, start, f"{skipped} bytes between gzip members", logged)

    def _read_arc(self, src: _ByteSource, path: str, snapshot: str | None, logged: set[str]) -> Iterator[Document]:
        """An ARC file (the Internet Archive's format before WARC), plain or gzip, through warcio's ARC parser.

        warcio gives ARC records random WARC-Record-IDs; ids here are `<urn:arc:FILE:OFFSET>`, so the same file
        gives the same documents every time.
        """
        from warcio.archiveiterator import ArchiveIterator

        self.stat_update("arc_files")
        records = ArchiveIterator(src, arc2warc=True)
        name, offset = os.path.basename(path), 0
        try:
            for record in records:
                # the body first: warcio's get_record_offset() reads the record to its end
                too_large = record.length is not None and record.length > self.max_record_bytes
                body = b"" if too_large or record.rec_type != "response" else record.raw_stream.read()
                offset = records.get_record_offset()
                if record.rec_type != "response":
                    self.stat_update(f"skipped_{record.rec_type}")
                    continue
                if too_large:
                    self._problem("record_too_large", path, offset, f"length {record.length} (skipped)", logged)
                    continue
                http = record.http_headers.to_bytes() if record.http_headers else b""
                record.rec_headers.replace_header("WARC-Record-ID", f"<urn:arc:{name}:{offset}>")
                doc = self._to_document((record.rec_headers, http + body, "response"), path, offset, snapshot, logged)
                if doc is not None:
                    yield doc
        except Exception as e:  # noqa: BLE001 - warcio raises many types on damaged ARC files; keep what was read
            self._problem("bad_record", path, offset, f"ARC: {type(e).__name__}: {e}", logged)

    def _read_unit(self, s: _Decoded, path: str, snapshot: str | None, logged: set[str], where, gzip: bool):
        """Yields the documents of one unit (a plain file or a gzip member), skipping what is damaged."""
        quiet = False  # skipping the body of a record already counted as bad_record
        while True:
            offset = where()
            line = s.readline()
            if not line:
                return
            if not line.strip():
                continue
            if not _WARC_LINE_RE.match(line):
                skipped = 0
                while line:
                    m = _WARC_LINE_END_RE.search(line)
                    if m:  # garbage without a final newline runs into the next record's first line
                        skipped += m.start()
                        s.unread(line[m.start() :])
                        break
                    skipped += len(line)
                    line = s.readline()
                if not quiet:
                    self._problem("garbage_skipped", path, offset, f"{skipped} bytes that are not a record", logged)
                quiet = False
                continue
            with self.track_time():
                record = self._read_record(s, line, path, offset, logged, gzip)
                quiet = record is _RESYNC
                if record is None or record is _RESYNC:
                    continue
                if record is _STOP:
                    return
                doc = self._to_document(record, path, offset, snapshot, logged)
            if doc is not None:
                yield doc

    def _read_record(self, s: _Decoded, first_line: bytes, path: str, offset: int, logged: set[str], gzip: bool):
        """Reads one record after its `WARC/x.y` line.

        Returns (WARC headers, block) of a response, None for a skipped record, _RESYNC when the record's
        extent is unknown (skip to the next `WARC/` line, already counted), _STOP when the unit cannot go on.
        """
        from warcio.statusandheaders import StatusAndHeadersParser

        lines, size = [first_line], len(first_line)
        while True:
            line = s.readline()
            if not line:
                kind = "bad_record" if gzip else "truncated_file"
                self._problem(kind, path, offset, "unit ends inside the WARC headers", logged)
                return _STOP
            if not line.strip():
                break
            size += len(line)
            lines.append(line)
            if size > _MAX_HEADER_BYTES:
                self._problem(
                    "bad_record", path, offset, f"WARC headers longer than {_MAX_HEADER_BYTES} bytes", logged
                )
                return _RESYNC
        try:
            headers = StatusAndHeadersParser(["WARC/"], verify=False).parse(io.BytesIO(b"".join(lines)))
            length = int(headers.get_header("Content-Length", ""))
            if length < 0:
                raise ValueError("negative Content-Length")
        except (ValueError, TypeError, EOFError) as e:
            self._problem("bad_record", path, offset, f"malformed WARC headers ({e})", logged)
            return _RESYNC
        rec_type = (headers.get_header("WARC-Type") or "").strip().lower() or "untyped"
        if length > self.max_record_bytes or rec_type not in ("response", "conversion"):
            # a small skipped block is kept for a moment: if its Content-Length is too long, the next record
            # is inside it and must be handed back
            block, got = s.read(length, keep=length <= self.max_record_bytes)
            if got < length:
                return self._short_block(s, block, path, offset, logged, gzip)
            if not self._check_trailer(s, block, path, offset, logged):
                return None
            if length > self.max_record_bytes:
                self._problem("record_too_large", path, offset, f"Content-Length {length} (skipped unread)", logged)
            else:
                self.stat_update(f"skipped_{re.sub(r'[^a-z0-9]+', '_', rec_type)[:30]}")
            return None
        block, got = s.read(length)
        if got < length:
            return self._short_block(s, block, path, offset, logged, gzip)
        if not self._check_trailer(s, block, path, offset, logged):
            return None
        return headers, block, rec_type

    def _short_block(self, s: _Decoded, block: bytes, path: str, offset: int, logged: set[str], gzip: bool):
        """The unit ended before Content-Length bytes: the length is wrong (next record inside), or the file is
        truncated."""
        m = _EMBEDDED_RECORD_RE.search(block)
        if m:
            s.unread(block[m.start() + 4 :])
            self._problem("bad_content_length", path, offset, "Content-Length runs into the next record", logged)
            return None
        if gzip:
            self._problem("bad_content_length", path, offset, "Content-Length longer than its gzip member", logged)
            return None
        self._problem("truncated_file", path, offset, "file ends inside a record", logged)
        return _STOP

    def _check_trailer(self, s: _Decoded, block: bytes, path: str, offset: int, logged: set[str]) -> bool:
        """Consumes the blank lines after a block. False when the block swallowed the next record (too long a
        Content-Length); other unexpected bytes are left for the garbage skipper."""
        tail = s.read(4)[0]
        if not tail.strip(b"\r\n"):
            return True
        s.unread(tail)
        m = _EMBEDDED_RECORD_RE.search(block)
        if m:
            s.unread(block[m.start() + 4 :])
            self._problem("bad_content_length", path, offset, "Content-Length runs into the next record", logged)
            return False
        return True

    # ------------------------------------------------------------------------------ record -> Document
    def _to_document(self, record, path: str, offset: int, snapshot: str | None, logged: set[str]):
        from warcio.statusandheaders import StatusAndHeadersParser

        warc_headers, block, rec_type = record
        url = warc_headers.get_header("WARC-Target-URI") or ""
        if url.startswith("<") and url.endswith(">"):
            url = url[1:-1]  # wget 1.19 bug, as warcio handles it
        if not url.lower().startswith(("http:", "https:")):
            self.stat_update("skipped_non_http")  # dns:, whois:, ... responses carry no HTTP message
            return None
        if rec_type == "conversion":
            return self._wet_document(warc_headers, block, url, path, offset, snapshot, logged)
        stream = io.BytesIO(block)
        try:
            http = StatusAndHeadersParser([], verify=False).parse(stream)
            if not _HTTP_STATUS_RE.match(http.protocol or ""):
                raise ValueError(f"status line {http.protocol} {http.statusline}"[:80])
            status = int((http.statusline or "").split(" ", 1)[0])
        except (ValueError, EOFError) as e:
            self._problem("bad_http_headers", path, offset, str(e), logged)
            return None
        if self.ok_status_only and not 200 <= status < 300:
            self.stat_update("skipped_http_status")
            return None
        http_type, charset = _parse_content_type(http.get_header("Content-Type"))
        identified = (warc_headers.get_header("WARC-Identified-Payload-Type") or "").split(";")[0].strip().lower()
        content_type = _declared_html_type(http_type, identified)
        if content_type == "":
            self._count_non_html(http_type or identified)
            return None
        payload = self._decode_transfer(http, block[stream.tell() :], path, offset, logged)
        if payload is None:
            return None
        if not payload.strip():
            self.stat_update("empty_payload")
            return None
        if content_type is None:  # the headers say nothing useful: the bytes decide
            if not _sniff_html(payload):
                self._count_non_html(http_type or "unknown")
                return None
            content_type = "text/html"
        text = _decode_html(payload, charset)
        if text is None:
            self._problem("bad_encoding", path, offset, "undecodable payload", logged)
            return None
        if warc_headers.get_header("WARC-Truncated"):
            self.stat_update("truncated_payload")  # the crawler cut the payload (CC: at 1 MiB); kept
        return self._document(warc_headers, text, url, path, offset, content_type, snapshot)

    def _wet_document(self, warc_headers, block: bytes, url: str, path: str, offset: int, snapshot, logged):
        """A WET `conversion` record: Common Crawl's extracted text (UTF-8), kept as it is."""
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            self._problem("bad_encoding", path, offset, "conversion record is not UTF-8 (kept, replaced)", logged)
            text = block.decode("utf-8", errors="replace")
        if not text.strip():
            self.stat_update("empty_payload")
            return None
        self.stat_update("wet_records")
        return self._document(warc_headers, text, url, path, offset, CC_EXTRACTED_TEXT, snapshot)

    def _document(self, warc_headers, text: str, url: str, path: str, offset: int, content_type: str, snapshot):
        """The Document of one record: id = WARC-Record-ID, the metadata every reader output carries."""
        metadata = {
            "url": url,
            "date": warc_headers.get_header("WARC-Date"),
            "source_file": path,
            "offset": offset,
            "content_type": content_type,
            "snapshot": snapshot,
        }
        record_id = warc_headers.get_header("WARC-Record-ID") or f"{path}#{offset}"
        return self.get_document_from_dict({"text": text, "id": record_id, "metadata": metadata}, path, offset)

    def _decode_transfer(self, http, payload: bytes, path: str, offset: int, logged: set[str]) -> bytes | None:
        """Undoes HTTP chunking and gzip/deflate Content-Encoding (Common Crawl mostly stores them undone)."""
        chunked = "chunked" in (http.get_header("Transfer-Encoding") or "").lower()
        # crawlers often store the body already de-chunked but keep the header: de-chunk only what looks chunked
        if chunked and _CHUNK_HEADER_RE.match(payload):
            from warcio.bufferedreaders import ChunkedDataException, ChunkedDataReader

            try:
                payload = ChunkedDataReader(io.BytesIO(payload), raise_exceptions=True).read()
            except ChunkedDataException:
                # wrong chunk sizes (or a de-chunked body that starts like a chunk header): warcio's best guess
                self._problem("bad_chunked_encoding", path, offset, "bad chunk framing (kept as is)", logged)
                payload = ChunkedDataReader(io.BytesIO(payload), raise_exceptions=False).read()
        encoding = (http.get_header("Content-Encoding") or "").strip().lower()
        if encoding in ("", "identity", "none"):
            return payload
        if encoding not in ("gzip", "x-gzip", "deflate"):
            self.stat_update("skipped_content_encoding")
            return None
        try:
            # 32 + MAX_WBITS auto-detects gzip and zlib headers; servers also send raw deflate (-MAX_WBITS)
            wbits = 32 + zlib.MAX_WBITS if payload[:1] in (b"\x1f", b"\x78") else -zlib.MAX_WBITS
            d = zlib.decompressobj(wbits)
            out = d.decompress(payload, 4 * self.max_record_bytes)  # bounded: no zip bombs
            if d.unconsumed_tail:
                self._problem("record_too_large", path, offset, "payload decompresses past the limit", logged)
                return None
            if not d.eof:
                self.stat_update("truncated_payload")  # a cut compressed body: keep what it decodes to
            return out
        except zlib.error as e:
            self._problem("bad_content_encoding", path, offset, f"{encoding}: {e}", logged)
            return None

    def _count_non_html(self, mime: str) -> None:
        self.stat_update("skipped_non_html")
        key = re.sub(r"[^a-z0-9.+/-]+", "_", mime.lower())[:60]
        if key not in self._non_html_types and len(self._non_html_types) >= _MAX_NON_HTML_TYPE_STATS:
            key = "other"
        self._non_html_types.add(key)
        self.stat_update(f"skipped_non_html:{key}")

    def _problem(self, kind: str, path: str, offset: int, detail: str, logged: set[str]) -> None:
        self.stat_update(kind)
        if kind not in logged:
            logged.add(kind)
            logger.warning(f"{path} @ {offset}: {kind}: {detail} (more in this file are counted, not logged)")
            record_damage(self, kind, f"{path} @ {offset}", detail)


_STOP = object()
_RESYNC = object()

_SNIFF_BYTES = 1 << 16
#: what a file that is not a WARC starts with, to name it in the `unknown_format` message
_SIGNATURES = (
    (b"\x28\xb5\x2f\xfd", "zstd-compressed (.zst): decompress it first (zstd -d)"),
    (b"BZh", "bz2-compressed: decompress it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "xz-compressed: decompress it first (unxz)"),
    (b"PK\x03\x04", "a zip archive"),
    (b"%PDF", "a PDF document"),
)


def _sniff_format(head: bytes) -> tuple[str, str]:
    """(kind, description) of a file from its first bytes: kind is `gzip` (a gzip WARC, maybe after junk), `warc`
    (plain), `arc` (plain or gzip), or `unknown` (named in the description)."""
    if head.startswith(_GZIP_MAGIC[:2]):
        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return "gzip", "gzip"  # a damaged first member: the gzip reader counts it and resynchronises
        if inner.startswith(b"filedesc://"):
            return "arc", "gzip ARC"
        if inner.startswith(_GZIP_MAGIC[:2]):
            return "unknown", "a gzip of a gzip file: decompress it once (gunzip) and read the .warc.gz inside"
        return "gzip", "gzip"
    stripped = head.lstrip(b"\r\n\t ")
    if stripped.startswith(b"filedesc://"):
        return "arc", "ARC"
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return "unknown", what
    warc, member = head.find(b"WARC/"), head.find(_GZIP_MAGIC)
    if member >= 0 and (warc < 0 or member < warc):
        return "gzip", "gzip after junk"
    if warc >= 0:
        return "warc", "WARC"
    if stripped[:1] == b"<":
        return "unknown", f"an HTML or XML file (starts with {stripped[:30]!r})"
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in head[:512]) / max(1, len(head[:512]))
    kind = "plain text" if printable > 0.95 else "binary data"
    return "unknown", f"{kind} without a WARC record in its first {len(head):,} bytes (starts with {head[:30]!r})"


# ----------------------------------------------------------------------------------------- pipeline wiring
def add_common_crawl_arguments(parser: Any, snapshot: str, format: str = "warc") -> None:
    """The flags of a Common Crawl pipeline: which crawl, which share of it, from where, how hard to try."""
    policy = RetryPolicy()
    import argparse

    # the CLI hands pipeline files a group already ("pipeline options"): nesting groups is deprecated
    group = parser.add_argument_group("Common Crawl input") if isinstance(parser, argparse.ArgumentParser) else parser
    group.add_argument(
        "--snapshot",
        type=_snapshot_name,
        help=f"the crawl, CC-MAIN-YYYY-WW (default {snapshot}); also the snapshot recorded for local --input files",
    )
    group.add_argument(
        "--sample-ratio",
        type=_ratio,
        help=f"share of the snapshot's WARC files read, drawn with seed 42 (default: OLM's "
        f"{KNOWN_SNAPSHOT_RATIOS['CC-MAIN-2022-49']} for CC-MAIN-2022-49, 1.0 for any other snapshot)",
    )
    group.add_argument(
        "--cc-base",
        default=DEFAULT_BASE_URL,
        help="where crawl-data/ is: https:// (default), s3://commoncrawl/, a folder",
    )
    group.add_argument(
        "--format",
        choices=list(FORMATS),
        default=format,
        help=f"read the snapshot's WARC files (HTML, extracted here) or its WET files (Common Crawl's own text, what "
        f"OLM read); local files are recognised either way (default {format})",
    )
    group.add_argument(
        "--http-retries",
        type=_non_negative(int),
        default=policy.retries,
        help=f"attempts after a failure without progress: throttling, cut or stalled transfers (default {policy.retries})",
    )
    group.add_argument(
        "--http-timeout",
        type=positive_seconds,
        default=policy.timeout,
        help=f"seconds to connect, and of silence mid-transfer, before retrying (default {policy.timeout:g})",
    )
    group.add_argument(
        "--http-concurrency",
        type=_non_negative(int),
        default=policy.concurrency,
        help=f"transfers in flight per node, all tasks together; 0: no cap (default {policy.concurrency})",
    )
    group.add_argument(
        "--allow-missing",
        type=_non_negative(int),
        default=0,
        metavar="N",
        help="accept losing at most N remote files that stay unreachable (counted, listed); default 0: their task "
        "fails, the run exits 1, and a rerun fetches them",
    )


def common_crawl_reader(run: Any, snapshot: str, sample_files: Sequence[str], seed: int, **kwargs: Any):
    """The reader of a Common Crawl pipeline from its flags (`add_common_crawl_arguments`).

    Input: `--input` if given, else the bundled sample with `--sample` (it stands for `snapshot`), else the chosen
    snapshot streamed from `--cc-base`.
    """
    options = run.options
    chosen = options.get("snapshot")
    named = [i for i in run.input or [] if SNAPSHOT_RE.match(i)]
    if chosen and any(n != chosen for n in named):
        raise UsageError(f"--snapshot {chosen} disagrees with --input {' '.join(named)}")
    source = run.input or ([os.fspath(p) for p in sample_files] if run.sample else [chosen or snapshot])
    return CommonCrawlWarcReader(
        source,
        snapshot=chosen or (snapshot if run.sample and not run.input else None),
        sample_ratio=options.get("sample_ratio"),
        seed=seed,
        base_url=options.get("cc_base") or DEFAULT_BASE_URL,
        limit=run.limit,
        retry=RetryPolicy(
            retries=options.get("http_retries", RetryPolicy.retries),
            timeout=options.get("http_timeout", RetryPolicy.timeout),
            concurrency=options.get("http_concurrency", RetryPolicy.concurrency),
        ),
        allow_missing=bool(options.get("allow_missing")),
        format=options.get("format") or "warc",
        **kwargs,
    )


def _snapshot_name(text: str) -> str:
    if not SNAPSHOT_RE.match(text):
        raise ValueError(text)  # argparse: "invalid _snapshot_name value"; the CLI turns it into one line
    return text


_snapshot_name.__name__ = "snapshot name (CC-MAIN-YYYY-WW)"


def _ratio(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise ValueError(text)
    return value


_ratio.__name__ = "ratio in (0, 1]"


def _non_negative(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value < 0:
            raise ValueError(text)
        return value

    parse.__name__ = f"non-negative {kind.__name__}"
    return parse


def _has_magic(path: str) -> bool:
    return any(c in path for c in "*?[")


def _join_url(base: str, rel: str) -> str:
    if "://" not in base:
        return os.path.join(base, rel)
    return base if not rel else base.rstrip("/") + "/" + rel.lstrip("/")


def _snapshot_from_path(path: str) -> str | None:
    m = _SNAPSHOT_IN_PATH_RE.search(path)
    return m.group(1) if m else None


def _parse_content_type(value: str | None) -> tuple[str, str | None]:
    """(`type/subtype` lowercased, charset or None) of a Content-Type header."""
    if not value:
        return "", None
    parts = value.split(";")
    charset = None
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip("\"'") or None
    return parts[0].strip().lower(), charset


def _declared_html_type(http_type: str, identified: str) -> str | None:
    """The HTML type the headers declare, "" when they declare something else, None when only sniffing can tell."""
    if http_type in _HTML_TYPES:
        return http_type
    if identified in _HTML_TYPES:
        return identified
    if identified or http_type not in _GENERIC_TYPES:
        return ""
    return None


# WHATWG MIME sniffing, "rules for identifying an unknown MIME type": the HTML patterns browsers use. Written
# out here (14 patterns) rather than depending on libmagic, which needs a system library.
_HTML_SNIFF_TAGS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<script",
    b"<iframe",
    b"<h1",
    b"<div",
    b"<font",
    b"<table",
    b"<a",
    b"<style",
    b"<title",
    b"<b",
    b"<body",
    b"<br",
    b"<p",
    b"<!--",
)


def _sniff_html(payload: bytes) -> bool:
    head = payload[:1024]
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    head = head.lstrip(b"\t\n\x0c\r ").lower()
    for tag in _HTML_SNIFF_TAGS:
        if head.startswith(tag) and (tag == b"<!--" or head[len(tag) : len(tag) + 1] in (b" ", b">")):
            return True
    return False


# WHATWG encoding labels that Python maps differently: browsers decode these as windows-1252
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252"}
_CHARSET_ALIASES |= {"ascii": "cp1252", "us-ascii": "cp1252", "x-sjis": "shift_jis"}


def _decode_html(payload: bytes, http_charset: str | None) -> str | None:
    """Decodes with the first charset that works: BOM, HTTP header, `<meta charset>`, cchardet, UTF-8.

    A declared charset (BOM, header, meta) or the final UTF-8 also wins with a few bad bytes (at most 1 in
    1000, replaced by U+FFFD): Common Crawl cuts payloads at 1 MiB, often inside a multi-byte character, and
    one stray byte must not turn a UTF-8 page into cchardet's mojibake.
    """
    failed_strict: set[str] = set()
    failed_lenient: set[str] = set()
    for name, declared in _charset_candidates(payload, http_charset):
        label = _CHARSET_ALIASES.get(name, name)
        if label in failed_lenient or (label in failed_strict and not declared):
            continue
        if label not in failed_strict:
            try:
                return payload.decode(label)
            except LookupError:
                failed_lenient.add(label)
                continue
            except UnicodeDecodeError:
                failed_strict.add(label)
        if declared:
            text = payload.decode(label, "replace")
            if text.count("\ufffd") <= max(1, len(payload) // 1000):
                return text
            failed_lenient.add(label)
    return None


def _charset_candidates(payload: bytes, http_charset: str | None) -> Iterator[tuple[str, bool]]:
    """(charset label, declared?) in the order to try; cchardet runs only if the declared ones fail."""
    if payload.startswith(codecs.BOM_UTF8):
        yield "utf-8-sig", True
    elif payload.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield "utf-16", True
    if http_charset:
        yield http_charset.strip().lower(), True
    m = _META_CHARSET_RE.search(payload[:4096])
    if m:
        meta = m.group(1).decode("ascii", "replace").lower()
        # a meta tag readable as ASCII cannot really be UTF-16 (WHATWG: treat it as UTF-8)
        yield ("utf-8" if meta.startswith("utf-16") else meta), True
    guess = _detect(payload)
    if guess:
        yield guess.lower(), False
    yield "utf-8", True


def _detect(payload: bytes) -> str | None:
    import cchardet

    return cchardet.detect(payload).get("encoding")
