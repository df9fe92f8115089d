"""A loopback server laid out like Common Crawl that misbehaves like the real one, for tests and benchmarks.

`crawl_layout(root, snapshot, warcs)` copies WARC files into `crawl-data/<snapshot>/segments/.../warc/` and
writes `warc.paths.gz`; `CCServer(root)` serves that folder over HTTP/1.1 with Range requests (`bytes=N-`,
`bytes=N-M`) and HEAD, and injects the faults a test plans per file (`server.plan(path, *faults)`, consumed one
per request, in order; `server.always(path, fault)` for every request):

- `Status(503)`: an error status; 503 comes with S3's `SlowDown` XML body, as data.commoncrawl.org sends it;
- `Cut(at)`: full headers (Content-Length of the whole answer), then the body up to file byte `at`, then the
  connection is dropped (CloudFront resetting a long transfer);
- `Stall(seconds)`: the request is accepted and nothing is sent for `seconds` (a hung server);
- `ignore_range=True`: every GET is answered 200 with the whole file, whatever Range asked.

`requests` counts requests per path, `bytes_sent` the body bytes that left the server, `cuts` the transfers cut.
"""

from __future__ import annotations

import gzip
import http.server
import re
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SLOWDOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)


@dataclass(frozen=True)
class Status:
    code: int


@dataclass(frozen=True)
class Cut:
    at: int


@dataclass(frozen=True)
class Stall:
    seconds: float


def crawl_layout(root: Path, snapshot: str, warcs: list[Path]) -> list[str]:
    """Lay `warcs` out as `snapshot` under `root` (with its warc.paths.gz); the relative paths, in list order."""
    rels = []
    for i, warc in enumerate(warcs):
        rel = f"crawl-data/{snapshot}/segments/1669446700000.{i}/warc/{warc.name}"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(warc, root / rel)
        rels.append(rel)
    with gzip.open(root / "crawl-data" / snapshot / "warc.paths.gz", "wt") as f:
        f.write("".join(r + "\n" for r in rels))
    return rels


class CCServer:
    """The server (see module doc); use as a context manager, `url` is its base URL with a trailing slash."""

    def __init__(self, root: Path, ignore_range: bool = False) -> None:
        self.root = Path(root)
        self.ignore_range = ignore_range
        self.requests: Counter[str] = Counter()
        self.bytes_sent = 0
        self.cuts = 0  # transfers actually cut by a planned Cut
        self._plans: dict[str, list] = {}
        self._always: dict[str, object] = {}
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def plan(self, path: str, *faults: object) -> None:
        """Faults for the next requests of `path` (relative to the root), one per request."""
        with self._lock:
            self._plans.setdefault(path, []).extend(faults)

    def always(self, path: str, fault: object | None) -> None:
        """A fault for every request of `path` (None: stop)."""
        with self._lock:
            if fault is None:
                self._always.pop(path, None)
            else:
                self._always[path] = fault

    def next_fault(self, path: str, head: bool = False) -> object | None:
        with self._lock:
            self.requests[path] += 1
            fault = self._always.get(path)
            if fault is None and self._plans.get(path):
                fault = self._plans[path][0]
                if not (head and isinstance(fault, Cut)):  # a cut is for a GET's body: a HEAD leaves it planned
                    self._plans[path].pop(0)
            return None if head and isinstance(fault, Cut) else fault

    def count_bytes(self, n: int) -> None:
        with self._lock:
            self.bytes_sent += n

    def __enter__(self) -> CCServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    server_state: CCServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        state = self.server_state
        rel = self.path.split("?", 1)[0].lstrip("/")
        fault = state.next_fault(rel, head)
        if isinstance(fault, Stall):
            time.sleep(fault.seconds)
            self.close_connection = True
            return
        if isinstance(fault, Status):
            body = SLOWDOWN if fault.code == 503 else b""
            self.send_response(fault.code)
            self.send_header("Content-Length", str(len(body)))
            if fault.code == 503:
                self.send_header("Content-Type", "application/xml")
                self.send_header("Retry-After", "0")
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        file = (state.root / rel).resolve()
        if not file.is_file() or state.root.resolve() not in file.parents:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = file.read_bytes()
        start, end = 0, len(data) - 1
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if m and not state.ignore_range:
            start = int(m.group(1))
            end = min(int(m.group(2)), end) if m.group(2) else end
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{len(data):x}"')
        self.send_header("Last-Modified", "Tue, 06 Dec 2022 00:00:00 GMT")
        self.end_headers()
        if head:
            return
        stop = end + 1
        if isinstance(fault, Cut) and start <= fault.at < stop:
            stop = fault.at
        body = data[start:stop]
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            return
        state.count_bytes(len(body))
        if stop != end + 1:  # cut: drop the connection mid-body
            with state._lock:
                state.cuts += 1
            self.close_connection = True
            self.connection.shutdown(2)
