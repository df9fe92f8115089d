"""Remote files that survive the network: resumable HTTP(S) and S3 streams with retries, and a per-node cap on
simultaneous downloads.

Common Crawl's service (CloudFront in front of S3) throttles busy clients with `503 SlowDown`, resets long
transfers, and sometimes accepts a request and never answers. A WARC is ~1 GB: a transfer cut at 900 MB must
resume at 900 MB, not restart, and must never look like the end of the file (the reader would count a healthy
file as `truncated_file` and lose its last records). So every remote file is read through `ResumableStream`:

- bounded connect/read timeouts (a stalled server is a retry, not a hang);
- retries with exponential backoff and full jitter (`Retry-After` honoured) on 408/425/429/500/502/503/504,
  connection errors, timeouts and short bodies (the connection closed before Content-Length was reached);
- each retry resumes with `Range: bytes=<pos>-` at the byte where the stream broke; a server that ignores
  Range (answers 200 with the whole file) is read again from the start and the bytes already returned are
  skipped, so the caller sees every byte exactly once either way;
- the retry budget counts consecutive failures without progress, so a long transfer cut many times but moving
  forward each time is never given up on;
- other statuses (404, 403, 410, ...) and an exhausted budget raise `FetchError`, which names the URL and the
  last HTTP status: the reader lets it fail the task (see `CommonCrawlWarcReader`), so a rerun fetches it again.

Why not fsspec's HTTPFileSystem, which datatrove's readers use: it needs aiohttp and an event-loop thread per
process, surfaces a cut transfer as `ClientPayloadError` from inside `read()` with no retry or resume, and has no
read timeout by default (a stalled server hangs the task forever). Why not urllib3's own `Retry`: it retries
whole requests, from byte 0. urllib3 (what requests and huggingface_hub already install) is used for the parts
that are solid there: connection pooling, timeouts, and `enforce_content_length` (a short body raises instead
of ending quietly).

S3 (`s3://bucket/key`) goes through s3fs (the `[s3]` extra, AWS credentials from the usual places; Common Crawl
requires an AWS account for S3, HTTPS needs none) with the same retry and resume rules: the stream reopens the
object and seeks to where it broke.

`DownloadSlots` caps simultaneous remote transfers per node (`--http-concurrency`) across every process of the
node (local workers and SLURM tasks alike), with `flock`ed slot files that the OS releases if a process dies.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import os
import random
import re
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_CONTENT_RANGE_RE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_SKIP_BLOCK = 1 << 20


class FetchError(Exception):
    """A remote file that could not be read: a final HTTP status, or the retries ran out.

    Not an OSError on purpose: the reader counts OSErrors of local files as damage (`unreadable_file`) and goes on,
    while a file that could not be fetched must fail its task so that a rerun fetches it.
    """

    def __init__(self, url: str, reason: str, status: int | None = None, attempts: int = 1) -> None:
        self.url, self.reason, self.status, self.attempts = url, reason, status, attempts
        tries = f"after {attempts} tries" if attempts > 1 else "after 1 try"
        super().__init__(f"{url}: {reason} ({tries})")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before a remote file is declared lost. The defaults ride out minutes of throttling.

    Args:
        retries: consecutive failed attempts without progress before giving up (progress resets the count).
        timeout: seconds allowed to connect, and of silence while waiting for bytes.
        backoff: first wait in seconds; doubles with each consecutive failure (full jitter: uniform in [0, wait]).
        max_backoff: the longest wait between two attempts.
        concurrency: remote transfers in flight per node (see `DownloadSlots`); 0 means no cap.
    """

    retries: int = 8
    timeout: float = 60.0
    backoff: float = 1.0
    max_backoff: float = 60.0
    concurrency: int = 4

    def __post_init__(self) -> None:
        if self.retries < 0 or self.timeout <= 0 or self.backoff < 0 or self.max_backoff < 0 or self.concurrency < 0:
            raise ValueError(f"invalid retry policy: {self}")

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt `failures + 1`: exponential backoff with full jitter, or Retry-After."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** (failures - 1))
        wait = random.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_backoff))
        return wait


_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def is_url(path: str | os.PathLike) -> bool:
    """True for any fsspec URL (`s3://`, `https://`, `memory://`, ...): not a local or shared folder's path."""
    return bool(_URL_SCHEME.match(str(path)))


def is_remote(path: str) -> bool:
    """True for what `ResumableStream` reads: http(s):// and s3:// URLs."""
    return path.startswith(("http://", "https://", "s3://"))


def is_http(path: str) -> bool:
    """True for http(s):// URLs: remote, and without a listing (one URL, one file)."""
    return path.startswith(("http://", "https://"))


class _Retry(Exception):
    """One failed attempt worth retrying."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status, self.retry_after = reason, status, retry_after


class ResumableStream(io.RawIOBase):
    """A remote file as a sequential binary stream that retries and resumes where it broke (see module doc).

    Args:
        url: http(s):// or s3:// URL.
        policy: timeouts, retries and backoff.
        count: called as `count(stat_name)` for every retry (`http_retries`), resume (`http_resumes`) and
            Range-ignoring answer (`http_range_ignored`): the reader forwards these to its stats.
        sleep: how to wait between attempts (tests pass a no-op).
        slots: the node's download cap, held for each request and each read from the network (not while the
            caller processes what it read: a task parsing a WARC must not keep others from downloading).
    """

    def __init__(
        self,
        url: str,
        policy: RetryPolicy | None = None,
        count: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        slots: DownloadSlots | None = None,
    ) -> None:
        super().__init__()
        if not is_remote(url):
            raise ValueError(f"not a remote URL: {url}")
        self.url = url
        self.policy = policy or RetryPolicy()
        self._count = count or (lambda name: None)
        self._sleep = sleep
        self._slots = slots or DownloadSlots(0)
        self._body: Any = None  # the current response / file object, read from self.pos on
        self.pos = 0  # bytes returned to the caller so far
        self.total: int | None = None  # the file's size, once a response said it
        self.attempts = 0  # requests made
        self._failures = 0  # consecutive failed attempts without progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while True:
            if self._body is None:
                self._open()
                if self._body is None:  # the whole file was already read (a resume found nothing left)
                    return 0
            try:
                with self._slots.hold():
                    n = _read_into(self._body, view)
            except Exception as e:  # noqa: BLE001 - a transport error of any type: retried, resumed where it broke
                self._fail(_as_retry(e))
                continue
            if n == 0:
                if self.total is not None and self.pos < self.total:
                    self._fail(_Retry(f"connection closed at byte {self.pos:,} of {self.total:,}"))
                    continue
                return 0
            self.pos += n
            self._failures = 0
            return n

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move to another byte; the next read asks for it with a Range request (how the reader resyncs)."""
        target = {io.SEEK_SET: offset, io.SEEK_CUR: self.pos + offset}.get(whence)
        if target is None:
            if whence != io.SEEK_END or self.total is None:
                raise io.UnsupportedOperation("seek from the end of a remote file of unknown size")
            target = self.total + offset
        if target < 0:
            raise ValueError(f"negative seek position {target}")
        if target != self.pos:
            self._drop_body()
            self.pos = target
        return self.pos

    def close(self) -> None:
        self._drop_body()
        super().close()

    # ------------------------------------------------------------------------------------------------------------
    def _open(self) -> None:
        """Open a response positioned at `self.pos`, retrying until it works or the budget is spent."""
        while True:
            if self.total is not None and self.pos >= self.total:
                return
            self.attempts += 1
            if self.pos > 0:
                self._count("http_resumes")
            try:
                with self._slots.hold():
                    self._body, skip = self._request()
            except _Retry as e:
                self._fail(e, reopen=False)
                continue
            if skip:
                self._count("http_range_ignored")
                try:
                    with self._slots.hold():
                        _skip(self._body, skip)
                except Exception as e:  # noqa: BLE001
                    self._fail(_as_retry(e), reopen=False)
                    continue
            return

    def _request(self) -> tuple[Any, int]:
        """(response positioned somewhere at or before pos, bytes to skip to reach pos)."""
        if self.url.startswith("s3://"):
            return _open_s3(self.url, self.pos, self.policy), 0
        return self._request_http()

    def _request_http(self) -> tuple[Any, int]:
        import urllib3

        headers = {"Range": f"bytes={self.pos}-"} if self.pos else {}
        timeout = urllib3.Timeout(connect=self.policy.timeout, read=self.policy.timeout)
        try:
            resp = _pool_for(self.url).urlopen(
                "GET",
                self.url,
                headers=headers,
                retries=False,
                redirect=True,
                timeout=timeout,
                preload_content=False,
                decode_content=False,
                enforce_content_length=True,
            )
        except urllib3.exceptions.HTTPError as e:
            raise _Retry(_describe(e)) from None
        status = resp.status
        if status == 206:
            m = _CONTENT_RANGE_RE.match(resp.headers.get("Content-Range", ""))
            if not m or int(m.group(1)) > self.pos:
                resp.release_conn()
                raise _Retry(f"bad Content-Range {resp.headers.get('Content-Range')!r} for byte {self.pos}")
            if m.group(3) != "*":
                self.total = int(m.group(3))
            return resp, self.pos - int(m.group(1))
        if status == 200:
            length = resp.headers.get("Content-Length")
            if length is not None and length.isdigit():
                self.total = int(length)
            return resp, self.pos  # with pos > 0 the server ignored Range: skip what was already returned
        if status == 416 and self.pos > 0:
            resp.release_conn()
            m = re.match(r"bytes \*/(\d+)", resp.headers.get("Content-Range", ""))
            if m and int(m.group(1)) == self.pos:
                self.total = self.pos
                return None, 0
            raise _Retry("HTTP 416 Range Not Satisfiable", 416)
        reason = f"HTTP {status} {resp.reason or ''}".strip() + _error_code(resp)
        retry_after = _retry_after(resp.headers.get("Retry-After"))
        resp.release_conn()
        if status in RETRY_STATUSES:
            raise _Retry(reason, status, retry_after)
        raise FetchError(self.url, reason, status, self.attempts)

    def _fail(self, error: _Retry, reopen: bool = True) -> None:
        """Count one failed attempt; wait before the next one, or raise FetchError when the budget is spent."""
        if reopen:
            self._drop_body()
        self._failures += 1
        if self._failures > self.policy.retries:
            where = f" at byte {self.pos:,}" if self.pos else ""
            raise FetchError(self.url, f"{error.reason}{where}", error.status, self.attempts)
        self._count("http_retries")
        self._sleep(self.policy.delay(self._failures, error.retry_after))

    def _drop_body(self) -> None:
        body, self._body = self._body, None
        if body is None:
            return
        with contextlib.suppress(Exception):
            body.close()  # closes the connection too: the rest of a half-read body is not downloaded
            if hasattr(body, "release_conn"):
                body.release_conn()


def open_remote(url: str, policy: RetryPolicy | None = None, count: Callable[[str], None] | None = None) -> BinaryIO:
    """A buffered `ResumableStream` under the node's download cap (`policy.concurrency`): what the WARC reader,
    the paths-list reader and `HttpFiles` read through."""
    policy = policy or RetryPolicy()
    slots = DownloadSlots(policy.concurrency, key=url.split("/", 3)[2] if "://" in url else "default")
    stream = ResumableStream(url, policy, count, slots=slots)
    return io.BufferedReader(stream, buffer_size=1 << 20)  # type: ignore[return-value]


class HttpFiles:
    """The few filesystem calls a reader of single files needs (exists, isdir, find, info, open) over HTTP(S),
    through `ResumableStream`: so a Wikipedia dump given as an https:// URL is read with the same timeouts,
    retries and Range resumes as Common Crawl (seeks included: a multistream dump is read by byte ranges),
    without fsspec's aiohttp filesystem. HTTP has no folders: a URL is one file."""

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self._info: dict[str, dict[str, Any] | None] = {}  # exists() then info() of one URL: one request

    def info(self, url: str) -> dict[str, Any]:
        """{"size": bytes or None}; FileNotFoundError for a URL that answers 404/410."""
        if url not in self._info:
            self._info[url] = self._request_info(url)
        if self._info[url] is None:
            raise FileNotFoundError(url)
        return self._info[url]

    def _request_info(self, url: str) -> dict[str, Any] | None:
        stream = ResumableStream(url, self.policy)
        try:
            stream.read(1)
        except FetchError as e:
            if e.status in (404, 410):
                return None
            raise
        finally:
            stream.close()
        return {"name": url, "size": stream.total, "type": "file"}

    def exists(self, url: str) -> bool:
        try:
            self.info(url)
        except FileNotFoundError:
            return False
        return True

    def isdir(self, url: str) -> bool:
        return False

    def find(self, url: str) -> list[str]:
        return []

    def open(self, url: str, mode: str = "rb") -> BinaryIO:
        if mode != "rb":
            raise ValueError(f"HttpFiles opens for reading only, not {mode!r}")
        return open_remote(url, self.policy)


def url_to_files(url: str, policy: RetryPolicy | None = None) -> tuple[Any, str]:
    """fsspec's `url_to_fs`, except that http(s):// URLs get `HttpFiles` (see there)."""
    if is_http(url):
        return HttpFiles(policy), url
    from fsspec.core import url_to_fs

    return url_to_fs(url)


# ---------------------------------------------------------------------------------------------------- transports
_POOLS: dict[tuple[int, str], Any] = {}


def _pool_for(url: str) -> Any:
    """One urllib3 pool manager per process (and per proxy): created after a fork, never shared across one."""
    import urllib3

    host = urllib3.util.parse_url(url).host or ""
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(url.split("://", 1)[0])
    if proxy and urllib.request.proxy_bypass_environment(host):
        proxy = None
    key = (os.getpid(), proxy or "")
    if key not in _POOLS:
        kwargs = {"num_pools": 16, "maxsize": 4}
        _POOLS[key] = urllib3.ProxyManager(proxy, **kwargs) if proxy else urllib3.PoolManager(**kwargs)
    return _POOLS[key]


def _open_s3(url: str, pos: int, policy: RetryPolicy) -> Any:
    """An s3fs file object positioned at `pos`; missing objects and denied access are final."""
    try:
        import s3fs
    except ImportError:
        raise FetchError(url, "s3:// needs s3fs: pip install 'olm-data[s3]'") from None
    fs = _s3_filesystem(s3fs, policy)
    try:
        f = fs.open(url, "rb", block_size=8 << 20, cache_type="readahead")
        f.seek(pos)
        return f
    except FileNotFoundError:
        raise FetchError(url, "HTTP 404 Not Found (no such key)", 404) from None
    except PermissionError as e:
        raise FetchError(url, f"HTTP 403 Forbidden ({e})", 403) from None
    except Exception as e:  # noqa: BLE001 - throttling, resets and timeouts come as many types from botocore
        raise _Retry(_describe(e)) from None


def _s3_filesystem(s3fs: Any, policy: RetryPolicy) -> Any:
    """s3fs with our timeouts; fsspec caches one instance per process and arguments (the endpoint included, so a
    custom `AWS_ENDPOINT_URL`, e.g. a mirror, gets its own)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return s3fs.S3FileSystem(
        client_kwargs={"endpoint_url": endpoint} if endpoint else {},
        config_kwargs={"connect_timeout": policy.timeout, "read_timeout": policy.timeout},
    )


def _read_into(body: Any, view: memoryview) -> int:
    if hasattr(body, "readinto"):
        return body.readinto(view) or 0
    data = body.read(len(view))
    view[: len(data)] = data
    return len(data)


def _skip(body: Any, n: int) -> None:
    """Read and drop `n` bytes (a server that ignored Range sends the file from byte 0 again)."""
    block = bytearray(min(n, _SKIP_BLOCK))
    while n > 0:
        got = _read_into(body, memoryview(block)[: min(n, len(block))])
        if got == 0:
            raise _Retry(f"connection closed while skipping to byte {n}")
        n -= got


def _as_retry(e: Exception) -> _Retry:
    return e if isinstance(e, _Retry) else _Retry(_describe(e))


def _describe(e: BaseException) -> str:
    """A short reason for an exception raised by a transport (urllib3 nests the interesting one)."""
    reason = getattr(e, "reason", None)
    inner = reason if isinstance(reason, BaseException) else e.__context__ or e
    text = str(inner) or type(inner).__name__
    if "timed out" in text.lower() or "timeout" in type(inner).__name__.lower():
        return "timed out"
    if isinstance(inner, ConnectionError) or "Connection broken" in str(e) or "IncompleteRead" in str(e):
        return "connection broken (" + type(inner).__name__ + ")"
    return f"{type(inner).__name__}: {text}"[:200]


def _error_code(resp: Any) -> str:
    """`: SlowDown` from an S3-style XML error body, if there is one (small bodies only)."""
    with contextlib.suppress(Exception):
        body = resp.read(4096, decode_content=True) or b""
        m = re.search(rb"<Code>([A-Za-z]{1,40})</Code>", body)
        if m:
            return f": {m.group(1).decode()}"
    return ""


def _retry_after(value: str | None) -> float | None:
    """Seconds a `Retry-After` header asks for (a number or an HTTP date), through urllib3's parser; None if absent
    or unreadable. The wait is capped by RetryPolicy.max_backoff where it is used."""
    from urllib3.exceptions import InvalidHeader
    from urllib3.util.retry import Retry

    if not value:
        return None
    with contextlib.suppress(InvalidHeader):
        return Retry.parse_retry_after(Retry(), value)
    return None


# ---------------------------------------------------------------------------------------------------- politeness
class DownloadSlots:
    """At most `limit` remote transfers in flight on this node at once, across all of its processes.

    `ResumableStream` holds a slot for each request and each read from the network (about 1 MiB), not for a whole
    file: a task parsing a WARC between two reads leaves its slot to the others, so the cap limits the load on the
    service without capping how many tasks process at once. Each slot is a file locked with `flock`: the kernel
    frees it when the process exits, however it exits (kill -9 included), so a slot is never leaked. Slots live in
    the node's temp folder (`$TMPDIR`), so the cap is per node; `key` separates unrelated caps (per user and host).

    Args:
        limit: slots; 0 or less means no cap.
        key: which set of slots (e.g. the host name of the service).
    """

    def __init__(self, limit: int, key: str = "default") -> None:
        self.limit = limit
        digest = hashlib.sha1(f"{os.getuid()}:{key}".encode()).hexdigest()[:12]
        self.folder = os.path.join(tempfile.gettempdir(), f"olm-data-downloads-{digest}")
        self._made = False

    @contextlib.contextmanager
    def hold(self) -> Iterator[int | None]:
        """Wait for a free slot and hold it for the `with` block; yields the slot number (None without a cap)."""
        if self.limit <= 0:
            yield None
            return
        if not self._made:
            os.makedirs(self.folder, exist_ok=True)
            self._made = True
        start = random.randrange(self.limit)  # spread the waiters over the slots
        fd, slot = -1, None
        for candidate in [(start + i) % self.limit for i in range(self.limit)]:  # a free slot, without waiting
            fd = os.open(os.path.join(self.folder, f"slot-{candidate}"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                slot = candidate
                break
            except OSError as e:
                os.close(fd)
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
        if slot is None:  # all busy: queue on one of them (the kernel wakes us when it is released)
            slot = start
            fd = os.open(os.path.join(self.folder, f"slot-{slot}"), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield slot
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
