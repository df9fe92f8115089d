"""Small WARC files for tests, written with warcio: gzip per record like Common Crawl, or uncompressed.

Records are built one by one as the bytes they have in a file (`gzip=True`: one gzip member each), so a test can
damage exactly one of them and check that the reader keeps all the others.
"""

from __future__ import annotations

import gzip as gzip_module
import io
import re
import uuid
import zlib
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DATE = "2022-12-01T10:00:00Z"


def record_id(url: str, kind: str = "response") -> str:
    """A stable WARC-Record-ID for a url, so fixtures are the same bytes on every run."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, kind + ':' + url)}>"


def html_page(title: str, paragraphs: list[str], nav: bool = True) -> str:
    """A page shaped like a real article: navigation, header, main text, footer."""
    nav_html = (
        '<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>'
        '<li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul></nav>'
        if nav
        else ""
    )
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<header>{nav_html}</header><main><article><h1>{title}</h1>\n{body}\n</article></main>"
        "<footer><p>Copyright 2022 Example Corp. All rights reserved. Privacy policy. Terms of use.</p></footer>"
        "</body></html>"
    )


def _write(record_builder, gzip: bool) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    writer.write_record(record_builder(writer))
    return buf.getvalue()


def response(
    url: str,
    payload: bytes | str,
    content_type: str | None = "text/html; charset=utf-8",
    status: str = "200 OK",
    http_headers: list[tuple[str, str]] | None = None,
    warc_headers: dict[str, str] | None = None,
    gzip: bool = True,
) -> bytes:
    """A `response` record (HTTP headers + payload) as file bytes."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    headers = ([("Content-Type", content_type)] if content_type else []) + (http_headers or [])
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    warc = {"WARC-Record-ID": record_id(url), "WARC-Date": DATE} | (warc_headers or {})

    def build(w: WARCWriter):
        return w.create_warc_record(
            url, "response", payload=io.BytesIO(payload), http_headers=http, warc_headers_dict=warc
        )

    return _write(build, gzip)


def conversion(url: str, text: str, gzip: bool = True) -> bytes:
    """A WET `conversion` record: Common Crawl's extracted text of a page (UTF-8, text/plain)."""
    warc = {"WARC-Record-ID": record_id(url, "conversion"), "WARC-Date": DATE}

    def build(w: WARCWriter):
        return w.create_warc_record(
            url,
            "conversion",
            payload=io.BytesIO(text.encode("utf-8")),
            warc_content_type="text/plain",
            warc_headers_dict=warc,
        )

    return _write(build, gzip)


def request(url: str, gzip: bool = True) -> bytes:
    """A `request` record as file bytes."""
    http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
    warc = {"WARC-Record-ID": record_id(url, "request"), "WARC-Date": DATE}

    def build(w: WARCWriter):
        return w.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=http, warc_headers_dict=warc)

    return _write(build, gzip)


def warcinfo(gzip: bool = True) -> bytes:
    """A `warcinfo` record as file bytes."""

    def build(w: WARCWriter):
        rec = w.create_warcinfo_record("test.warc.gz", {"software": "olm-data tests", "format": "WARC/1.0"})
        rec.rec_headers.replace_header("WARC-Record-ID", record_id("warcinfo", "warcinfo"))
        rec.rec_headers.replace_header("WARC-Date", DATE)
        return rec

    return _write(build, gzip)


def metadata(url: str, gzip: bool = True) -> bytes:
    """A `metadata` record as file bytes."""
    warc = {"WARC-Record-ID": record_id(url, "metadata"), "WARC-Date": DATE}

    def build(w: WARCWriter):
        return w.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(b"fetchTimeMs: 42\r\n"),
            warc_content_type="application/warc-fields",
            warc_headers_dict=warc,
        )

    return _write(build, gzip)


def page(i: int, gzip: bool = True, **kwargs) -> bytes:
    """The i-th good HTML response of a fixture file (url https://example.com/page/<i>)."""
    url = f"https://example.com/page/{i}"
    return response(url, html_page(f"Page {i}", [f"This is the text of page number {i}."] * 3), gzip=gzip, **kwargs)


def page_url(i: int) -> str:
    return f"https://example.com/page/{i}"


def write_warc(path: Path, records: list[bytes]) -> list[int]:
    """Writes records back to back; returns each one's byte offset in the file."""
    offsets, pos = [], 0
    with open(path, "wb") as f:
        for rec in records:
            offsets.append(pos)
            f.write(rec)
            pos += len(rec)
    return offsets


def plain(record: bytes) -> bytes:
    """The uncompressed bytes of a gzip-member record."""
    return gzip_module.decompress(record)


def gz(record_plain: bytes) -> bytes:
    """Compresses uncompressed record bytes as one gzip member (deterministic: mtime 0)."""
    return gzip_module.compress(record_plain, mtime=0)


def set_warc_header(record_plain: bytes, name: str, value: str | None) -> bytes:
    """Replaces (or with value None, removes) a WARC header of an uncompressed record."""
    head, sep, rest = record_plain.partition(b"\r\n\r\n")
    pattern = re.compile(rb"\r\n" + re.escape(name.encode()) + rb":[^\r\n]*", re.IGNORECASE)
    new = b"" if value is None else b"\r\n" + name.encode() + b": " + value.encode()
    head, n = pattern.subn(new, head, count=1)
    assert n == 1, f"no {name} header"
    return head + sep + rest


def raw_response(url: str, http_block: bytes, gzip: bool = True) -> bytes:
    """A response record whose HTTP block (status line, headers, body) is given byte for byte."""
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: {record_id(url)}\r\nWARC-Date: {DATE}\r\nWARC-Target-URI: {url}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http_block)}\r\n\r\n"
    ).encode()
    rec = head + http_block + b"\r\n\r\n"
    return gz(rec) if gzip else rec


def write_big_response(f, url: str, payload_size: int, gzip: bool = True) -> None:
    """Streams a response record with a `payload_size`-byte payload into `f` without building it in memory."""
    http_head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    length = len(http_head) + payload_size
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: {record_id(url)}\r\nWARC-Date: {DATE}\r\nWARC-Target-URI: {url}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {length}\r\n\r\n"
    ).encode()
    comp = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS) if gzip else None

    def out(data: bytes) -> None:
        f.write(comp.compress(data) if comp else data)

    out(head + http_head + b"<html><body>")
    chunk = b"a" * (1 << 20)
    left = payload_size - len(b"<html><body>")
    while left > 0:
        out(chunk[: min(left, len(chunk))])
        left -= len(chunk)
    out(b"\r\n\r\n")
    if comp:
        f.write(comp.flush())
