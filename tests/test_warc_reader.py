"""CommonCrawlWarcReader: what it keeps, the metadata it writes, and that damaged files cost only the damage."""

import gzip
import io
import pickle
import random
import tracemalloc
from pathlib import Path

import pytest
import warc_fixtures as wf
from datatrove.utils.logging import logger
from warcio.archiveiterator import ArchiveIterator

from olm_data.errors import UsageError
from olm_data.readers.warc import KNOWN_SNAPSHOT_RATIOS, CommonCrawlWarcReader

IANA = Path(__file__).resolve().parents[2] / "shared" / "data" / "warc" / "iana.warc.gz"


def read(inputs, **kwargs):
    reader = CommonCrawlWarcReader(inputs, **kwargs)
    docs = list(reader.run())
    return docs, reader.stats.to_dict()["stats"]


def urls(docs):
    return [d.metadata["url"] for d in docs]


def pages(n, gzip=True):
    return [wf.page(i, gzip=gzip) for i in range(n)]


# ------------------------------------------------------------------------------------------ keeping & metadata
def test_keeps_only_html_responses_with_their_metadata(tmp_path):
    path = tmp_path / "CC-MAIN-20221126080725-20221126110725-00000.warc.gz"
    records = [
        wf.warcinfo(),
        wf.page(0),
        wf.request(wf.page_url(0)),
        wf.metadata(wf.page_url(0)),
        wf.response("https://example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png"),
        wf.response("https://example.com/app.js", b"var x = 1;", content_type="application/javascript"),
        wf.page(1, status="404 Not Found"),
        wf.page(2, status="301 Moved Permanently"),
        wf.response("https://example.com/x.xhtml", wf.html_page("X", ["xhtml"]), content_type="application/xhtml+xml"),
        wf.page(3),
    ]
    offsets = wf.write_warc(path, records)
    docs, stats = read(str(path))

    assert urls(docs) == [wf.page_url(0), "https://example.com/x.xhtml", wf.page_url(3)]
    first = docs[0]
    assert first.id == wf.record_id(wf.page_url(0))
    assert first.text.startswith("<!DOCTYPE html>") and "page number 0" in first.text
    assert first.metadata == {
        "url": wf.page_url(0),
        "date": wf.DATE,
        "source_file": str(path),
        "offset": offsets[1],
        "content_type": "text/html",
        "snapshot": "unknown",  # no --snapshot, no crawl-data/ path: never another crawl's name
    }
    assert docs[1].metadata["content_type"] == "application/xhtml+xml"
    assert docs[2].metadata["offset"] == offsets[9]
    assert stats["skipped_warcinfo"] == stats["skipped_request"] == stats["skipped_metadata"] == 1
    assert stats["skipped_non_html"] == 2
    assert stats["skipped_non_html:image/png"] == stats["skipped_non_html:application/javascript"] == 1
    assert stats["skipped_http_status"] == 2
    # the redirect / error pages are there for whoever wants them
    docs, _ = read(str(path), ok_status_only=False)
    assert len(docs) == 5


@pytest.mark.parametrize("compressed", [True, False])
def test_offsets_are_the_ones_warcio_reports(tmp_path, compressed):
    path = tmp_path / ("a.warc.gz" if compressed else "a.warc")
    recs = [wf.warcinfo(gzip=compressed)]
    for i in range(4):
        recs += [wf.page(i, gzip=compressed), wf.request(wf.page_url(i), gzip=compressed)]
    wf.write_warc(path, recs)
    expected = {}
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        for rec in it:
            if rec.rec_type == "response":
                expected[rec.rec_headers.get_header("WARC-Record-ID")] = it.get_record_offset()
    docs, _ = read(str(path))
    assert len(docs) == 4
    assert {d.id: d.metadata["offset"] for d in docs} == expected


def test_content_type_order_http_then_identified_then_sniffed(tmp_path):
    html = wf.html_page("Sniffed", ["body text"]).encode()
    records = [
        # no HTTP type; Common Crawl's identified type says HTML
        wf.response(
            "https://a.example/identified",
            html,
            content_type=None,
            warc_headers={"WARC-Identified-Payload-Type": "text/html"},
        ),
        # generic HTTP type, no identified type: the bytes decide
        wf.response("https://a.example/sniffed", b"\n  " + html, content_type="application/octet-stream"),
        wf.response(
            "https://a.example/font", b"\x00\x01\x00\x00" + bytes(300), content_type="application/octet-stream"
        ),
        # the HTTP header wins over the identified type
        wf.response("https://a.example/http-wins", html, warc_headers={"WARC-Identified-Payload-Type": "text/plain"}),
        # a non-HTML HTTP type is trusted (no sniffing)
        wf.response("https://a.example/css", html, content_type="text/css"),
        # identified type non-HTML, HTTP silent
        wf.response(
            "https://a.example/pdf",
            b"%PDF-1.4",
            content_type=None,
            warc_headers={"WARC-Identified-Payload-Type": "application/pdf"},
        ),
    ]
    wf.write_warc(tmp_path / "t.warc.gz", records)
    docs, stats = read(str(tmp_path / "t.warc.gz"))
    assert urls(docs) == ["https://a.example/identified", "https://a.example/sniffed", "https://a.example/http-wins"]
    assert [d.metadata["content_type"] for d in docs] == ["text/html"] * 3
    assert stats["skipped_non_html"] == 3
    assert stats["skipped_non_html:application/pdf"] == 1


def test_charsets_header_meta_detection_and_truncated_utf8(tmp_path):
    french = "Le cœur a ses raisons que la raison ne connaît point. Ça déçoit, l'été à Noël."
    russian = "Съешь же ещё этих мягких французских булок, да выпей чаю. " * 5
    japanese = "日本語のテキストです。これはテストのページです。"

    def page_bytes(text, meta=""):
        return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"

    records = [
        wf.response(
            "https://c.example/cp1252", page_bytes(french).encode("cp1252"), "text/html; charset=windows-1252"
        ),
        # iso-8859-1 is decoded as windows-1252, as browsers do ("œ" only exists in cp1252)
        wf.response("https://c.example/latin1", page_bytes(french).encode("cp1252"), "text/html; charset=ISO-8859-1"),
        wf.response(
            "https://c.example/meta",
            page_bytes(japanese, '<meta charset="shift_jis">').encode("shift_jis"),
            "text/html",
        ),
        wf.response("https://c.example/detected", page_bytes(russian).encode("cp1251"), "text/html"),
        # a lying header (utf-8 declared, cp1251 sent): detection takes over
        wf.response("https://c.example/lying", page_bytes(russian).encode("cp1251"), "text/html; charset=utf-8"),
        # payload cut inside a multi-byte character (Common Crawl truncates at 1 MiB)
        wf.response(
            "https://c.example/cut", page_bytes(russian).encode("utf-8")[:-20] + "ж".encode()[:1], "text/html"
        ),
        wf.response("https://c.example/bom", b"\xef\xbb\xbf" + page_bytes(french).encode(), "text/html"),
    ]
    wf.write_warc(tmp_path / "c.warc.gz", records)
    docs, stats = read(str(tmp_path / "c.warc.gz"))
    by_url = {d.metadata["url"].rsplit("/", 1)[1]: d.text for d in docs}
    assert french in by_url["cp1252"] and french in by_url["latin1"] and french in by_url["bom"]
    assert not by_url["bom"].startswith("\ufeff")
    assert japanese in by_url["meta"]
    assert russian in by_url["detected"] and russian in by_url["lying"]
    assert "Съешь же ещё" in by_url["cut"] and by_url["cut"].count("\ufffd") <= 1
    assert "bad_encoding" not in stats


def test_undecodable_payload_is_skipped_and_counted(tmp_path, monkeypatch):
    import olm_data.readers.warc as warc

    monkeypatch.setattr(warc, "_detect", lambda payload: None)  # detection finds nothing
    junk = b"<html><body>" + bytes(range(0x80, 0x100)) * 20 + b"</body></html>"
    records = [wf.page(0), wf.response("https://b.example/junk", junk, "text/html; charset=utf-8"), wf.page(1)]
    wf.write_warc(tmp_path / "b.warc.gz", records)
    docs, stats = read(str(tmp_path / "b.warc.gz"))
    assert urls(docs) == [wf.page_url(0), wf.page_url(1)]
    assert stats["bad_encoding"] == 1


def test_http_chunking_and_content_encoding(tmp_path):
    body = wf.html_page("Chunked", ["one", "two"]).encode()
    chunked = (
        b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:50], body[50:])) + b"0\r\n\r\n"
    )
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    broken_gzip = bytearray(gzip.compress(body))
    broken_gzip[20:40] = bytes(range(20))
    records = [
        wf.raw_response("https://h.example/chunked", head + b"Transfer-Encoding: chunked\r\n\r\n" + chunked),
        # stored de-chunked while the header still says chunked (what many crawlers do): kept untouched
        wf.raw_response("https://h.example/dechunked", head + b"Transfer-Encoding: chunked\r\n\r\n" + body),
        # wrong chunk size: kept, best effort, and counted
        wf.raw_response(
            "https://h.example/badchunk", head + b"Transfer-Encoding: chunked\r\n\r\nfff\r\n" + body + b"\r\n0\r\n\r\n"
        ),
        wf.raw_response("https://h.example/gzip", head + b"Content-Encoding: gzip\r\n\r\n" + gzip.compress(body)),
        wf.raw_response("https://h.example/badgzip", head + b"Content-Encoding: gzip\r\n\r\n" + broken_gzip),
        wf.page(9),
    ]
    wf.write_warc(tmp_path / "h.warc.gz", records)
    docs, stats = read(str(tmp_path / "h.warc.gz"))
    by_url = {d.metadata["url"].rsplit("/", 1)[1]: d.text for d in docs}
    assert by_url["chunked"] == body.decode()
    assert by_url["dechunked"] == body.decode()
    assert "<title>Chunked</title>" in by_url["badchunk"]
    assert by_url["gzip"] == body.decode()
    assert "badgzip" not in by_url and "9" in by_url
    assert stats["bad_chunked_encoding"] == 1
    assert stats["bad_content_encoding"] == 1


# ------------------------------------------------------------------------------------------------ bad input
def test_empty_file_is_counted_and_the_next_file_still_read(tmp_path):
    (tmp_path / "a.warc.gz").write_bytes(b"")
    wf.write_warc(tmp_path / "b.warc.gz", pages(2))
    docs, stats = read(str(tmp_path))
    assert urls(docs) == [wf.page_url(0), wf.page_url(1)]
    assert stats["empty_file"] == 1
    assert stats["input_files"] == 2


@pytest.mark.parametrize("cut_from_end", [1, 9, 40, 200])
def test_truncated_gzip_file_keeps_every_record_before_the_cut(tmp_path, cut_from_end):
    data = b"".join(pages(5))
    (tmp_path / "t.warc.gz").write_bytes(data[:-cut_from_end])
    docs, stats = read(str(tmp_path / "t.warc.gz"))
    got = urls(docs)
    assert got[:4] == [wf.page_url(i) for i in range(4)]
    # a cut inside the gzip trailer leaves the last record whole (it may be kept); a deeper cut loses it
    assert len(got) <= 5
    if cut_from_end > 20:
        assert len(got) == 4
    assert stats["truncated_file"] == 1


def test_truncated_plain_file_mid_record_and_mid_header(tmp_path):
    data = b"".join(pages(3, gzip=False))
    (tmp_path / "body.warc").write_bytes(data[:-100])
    docs, stats = read(str(tmp_path / "body.warc"))
    assert urls(docs) == [wf.page_url(0), wf.page_url(1)]
    assert stats["truncated_file"] == 1
    third = data.rindex(b"WARC/1.0")
    (tmp_path / "head.warc").write_bytes(data[: third + 60])
    docs, stats = read(str(tmp_path / "head.warc"))
    assert urls(docs) == [wf.page_url(0), wf.page_url(1)]
    assert stats["truncated_file"] == 1


def test_corrupt_gzip_member_resynchronises_at_the_next_member(tmp_path):
    recs = pages(5)
    bad = bytearray(recs[2])
    for i in range(20, len(bad) - 20, 7):  # damage the deflate data, keep the gzip header
        bad[i] ^= 0x5A
    recs[2] = bytes(bad)
    wf.write_warc(tmp_path / "c.warc.gz", recs)
    docs, stats = read(str(tmp_path / "c.warc.gz"))
    assert urls(docs) == [wf.page_url(i) for i in (0, 1, 3, 4)]
    assert stats["bad_gzip_member"] == 1


def test_member_cut_short_in_the_middle_of_the_file(tmp_path):
    recs = pages(4)
    recs[1] = recs[1][: len(recs[1]) // 2]  # the next member follows right after the cut
    wf.write_warc(tmp_path / "c.warc.gz", recs)
    docs, stats = read(str(tmp_path / "c.warc.gz"))
    assert urls(docs) == [wf.page_url(i) for i in (0, 2, 3)]
    assert stats.get("bad_gzip_member", 0) + stats.get("bad_content_length", 0) >= 1


@pytest.mark.parametrize("compressed", [True, False])
@pytest.mark.parametrize("delta", [-40, +25, +5000])
def test_wrong_content_length_costs_only_that_record(tmp_path, compressed, delta):
    recs = [wf.plain(r) for r in pages(4)]
    true_length = len(recs[1].partition(b"\r\n\r\n")[2]) - 4
    recs[1] = wf.set_warc_header(recs[1], "Content-Length", str(true_length + delta))
    if compressed:
        recs = [wf.gz(r) for r in recs]
    path = tmp_path / ("w.warc.gz" if compressed else "w.warc")
    wf.write_warc(path, recs)
    docs, stats = read(str(path))
    got = urls(docs)
    for i in (0, 2, 3):
        assert wf.page_url(i) in got
    assert got == sorted(got)
    if delta > 0:
        assert stats["bad_content_length"] == 1 and wf.page_url(1) not in got
    else:  # too short: the record keeps a prefix of its payload, the rest is skipped as garbage
        assert stats["garbage_skipped"] == 1


def test_too_long_content_length_on_a_skipped_record_hands_back_the_next_record(tmp_path):
    req = wf.plain(wf.request(wf.page_url(0)))
    length = len(req.partition(b"\r\n\r\n")[2]) - 4
    req = wf.set_warc_header(req, "Content-Length", str(length + 150))
    wf.write_warc(tmp_path / "r.warc", [wf.page(0, gzip=False), req, wf.page(1, gzip=False), wf.page(2, gzip=False)])
    docs, stats = read(str(tmp_path / "r.warc"))
    assert urls(docs) == [wf.page_url(i) for i in range(3)]
    assert stats["bad_content_length"] == 1


@pytest.mark.parametrize("compressed", [True, False])
def test_garbage_between_records(tmp_path, compressed):
    rng = random.Random(0)
    garbage = [
        bytes(rng.randrange(256) for _ in range(3000)),
        b"this is not a warc record\r\nnor is this\r\n",
        b"\x1f\x8b\x08 fake gzip header then junk" + bytes(100),
    ]
    recs = pages(4, gzip=compressed)
    data = recs[0] + garbage[0] + recs[1] + garbage[1] + recs[2] + garbage[2] + recs[3] + b"\0" * 64
    path = tmp_path / ("g.warc.gz" if compressed else "g.warc")
    path.write_bytes(data)
    messages = []
    sink = logger.add(lambda m: messages.append(str(m)), level="WARNING")
    try:
        docs, stats = read(str(path))
    finally:
        logger.remove(sink)
    assert urls(docs) == [wf.page_url(i) for i in range(4)]
    assert stats["garbage_skipped"] >= 3
    garbage_logs = [m for m in messages if "garbage_skipped" in m]
    assert len(garbage_logs) == 1  # logged once per file, with where it is
    assert str(path) in garbage_logs[0] and f"@ {len(recs[0])}:" in garbage_logs[0]


def test_malformed_headers_cost_only_their_record(tmp_path):
    recs = [wf.plain(r) for r in pages(6)]
    recs[1] = wf.set_warc_header(recs[1], "Content-Length", "12abc")
    recs[2] = wf.set_warc_header(recs[2], "Content-Length", None)
    recs[3] = recs[3].replace(b"HTTP/1.1 200 OK", b"XTTP/1.1 200 OK", 1)
    recs[4] = recs[4].replace(b"WARC-Type: response\r\n", b"WARC-Type: response\r\n" + b"X" * 300_000 + b"\r\n", 1)
    path = tmp_path / "m.warc.gz"
    wf.write_warc(path, [wf.gz(r) for r in recs])
    docs, stats = read(str(path))
    assert urls(docs) == [wf.page_url(0), wf.page_url(5)]
    assert stats["bad_record"] == 3
    assert stats["bad_http_headers"] == 1
    assert "garbage_skipped" not in stats  # the body of a bad record is not counted a second time
    # the same damage in an uncompressed file
    path = tmp_path / "m.warc"
    wf.write_warc(path, recs)
    docs, stats = read(str(path))
    assert urls(docs) == [wf.page_url(0), wf.page_url(5)]


def test_not_a_warc_at_all(tmp_path):
    rng = random.Random(1)
    (tmp_path / "random.warc.gz").write_bytes(bytes(rng.randrange(256) for _ in range(20000)))
    (tmp_path / "text.warc.gz").write_bytes(gzip.compress(b"hello\nworld\n" * 1000))
    (tmp_path / "html.warc").write_bytes(b"<html><body>not a warc</body></html>")
    docs, stats = read(str(tmp_path))
    assert docs == []
    assert stats["input_files"] == 3
    # random bytes and HTML are named as not WARC files; a gzip of text is read as gzip and skipped as garbage
    assert stats["unknown_format"] == 2 and stats["garbage_skipped"] == 1


def test_50_mb_record_is_skipped_without_reading_it_into_memory(tmp_path):
    path = tmp_path / "big.warc.gz"
    with open(path, "wb") as f:
        f.write(wf.page(0))
        wf.write_big_response(f, "https://big.example/", 50 * 2**20)
        f.write(wf.page(1))
    tracemalloc.start()
    try:
        docs, stats = read(str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert urls(docs) == [wf.page_url(0), wf.page_url(1)]
    assert stats["record_too_large"] == 1
    assert peak < 8 * 2**20


def test_large_record_in_a_plain_file(tmp_path):
    path = tmp_path / "big.warc"
    with open(path, "wb") as f:
        f.write(wf.page(0, gzip=False))
        wf.write_big_response(f, "https://big.example/", 3 * 2**20, gzip=False)
        f.write(wf.page(1, gzip=False))
    docs, stats = read(str(path), max_record_bytes=2**20)
    assert urls(docs) == [wf.page_url(0), wf.page_url(1)]
    assert stats["record_too_large"] == 1


def test_random_damage_never_raises_and_truncation_keeps_the_prefix(tmp_path):
    recs = pages(6)
    data = b"".join(recs)
    bounds = [sum(len(r) for r in recs[:i]) for i in range(len(recs) + 1)]
    rng = random.Random(1234)
    path = tmp_path / "f.warc.gz"
    for _ in range(40):
        damaged = bytearray(data)
        kind = rng.choice(["flip", "insert", "cut"])
        at = rng.randrange(len(damaged))
        if kind == "flip":
            for j in range(at, min(at + 16, len(damaged))):
                damaged[j] = rng.randrange(256)
        elif kind == "insert":
            damaged[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 500)))
        else:
            del damaged[at:]
        path.write_bytes(bytes(damaged))
        docs, _ = read(str(path))
        got = urls(docs)
        assert got == sorted(got) and len(set(got)) == len(got)
        # every record entirely before the damage is kept
        intact = sum(1 for b in bounds[1:] if b <= at)
        assert got[:intact] == [wf.page_url(i) for i in range(intact)]
        if kind == "insert" and at in bounds:  # damage between records: nothing is lost
            assert len(got) == 6


# ----------------------------------------------------------------------------------- inputs, snapshots, shards
def test_folder_glob_list_and_sharding(tmp_path):
    for k in range(5):
        wf.write_warc(tmp_path / f"f{k}.warc.gz", [wf.page(10 * k + i) for i in range(2)])
    (tmp_path / "notes.txt").write_text("not a warc")
    all_docs, _ = read(str(tmp_path))
    assert len(all_docs) == 10
    assert [d.metadata["source_file"] for d in all_docs] == sorted(d.metadata["source_file"] for d in all_docs)
    glob_docs, _ = read(str(tmp_path / "f[0-2].warc.gz"))
    assert len(glob_docs) == 6
    list_docs, _ = read([str(tmp_path / "f4.warc.gz"), str(tmp_path / "f0.warc.gz"), str(tmp_path / "f0.warc.gz")])
    assert urls(list_docs) == [wf.page_url(0), wf.page_url(1), wf.page_url(40), wf.page_url(41)]

    reader = CommonCrawlWarcReader(str(tmp_path))
    files = [p for p, _ in reader.list_files()]
    shards = [list(CommonCrawlWarcReader(str(tmp_path)).run(rank=r, world_size=2)) for r in range(2)]
    for r in range(2):
        assert sorted({d.metadata["source_file"] for d in shards[r]}) == files[r::2]
    assert sorted(urls(shards[0] + shards[1])) == sorted(urls(all_docs))


def test_limit_is_per_task_and_default_metadata_passes_through(tmp_path):
    for k in range(2):
        wf.write_warc(tmp_path / f"f{k}.warc.gz", [wf.page(10 * k + i) for i in range(3)])
    docs, _ = read(str(tmp_path), limit=4, default_metadata={"source": "cc", "url": "never wins"})
    assert len(docs) == 4
    assert all(d.metadata["source"] == "cc" for d in docs)
    assert docs[0].metadata["url"] == wf.page_url(0)


def test_bad_arguments_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="not found"):
        CommonCrawlWarcReader(str(tmp_path / "missing.warc.gz"))
    with pytest.raises(UsageError):
        CommonCrawlWarcReader("CC-MAIN-2022-49", sample_ratio=1.5)
    with pytest.raises(UsageError):
        CommonCrawlWarcReader([])
    with pytest.raises(UsageError, match="match"):
        CommonCrawlWarcReader(str(tmp_path / "*.warc.gz")).list_files()
    with pytest.raises(UsageError, match="warc.paths.gz"):
        CommonCrawlWarcReader("CC-MAIN-2022-49", base_url=str(tmp_path)).list_files()


def _write_paths_file(base: Path, snapshot: str, n: int) -> list[str]:
    lines = [
        f"crawl-data/{snapshot}/segments/1669446706285.{s:02d}/warc/CC-MAIN-20221126-{s:05d}-{i:05d}.warc.gz"
        for s in range(4)
        for i in range(n // 4)
    ]
    folder = base / "crawl-data" / snapshot
    folder.mkdir(parents=True)
    with gzip.open(folder / "warc.paths.gz", "wt") as f:
        f.write("\n".join(lines) + "\n")
    return lines


def _olm_sample(lines: list[str], ratio: float, seed: int = 42) -> list[str]:
    """The original OLM code (download_common_crawl.py), global random state and all."""
    random.seed(seed)
    kept = []
    for segment in lines:
        if random.random() <= ratio:
            kept.append(segment)
    return kept


def test_snapshot_expands_and_samples_files_exactly_like_olm(tmp_path):
    snap = "CC-MAIN-2022-49"
    lines = _write_paths_file(tmp_path, snap, 400)
    expected = _olm_sample(lines, KNOWN_SNAPSHOT_RATIOS[snap])
    assert 30 < len(expected) < 100
    files = CommonCrawlWarcReader(snap, base_url=str(tmp_path)).list_files()
    assert [p for p, _ in files] == sorted(str(tmp_path / line) for line in expected)
    assert {s for _, s in files} == {snap}
    # the same through a file:// base URL, and an explicit ratio
    files = CommonCrawlWarcReader(snap, base_url=f"file://{tmp_path}/", sample_ratio=0.5).list_files()
    assert [p for p, _ in files] == sorted(f"file://{tmp_path}/{line}" for line in _olm_sample(lines, 0.5))
    # an unknown snapshot keeps every file
    lines = _write_paths_file(tmp_path, "CC-MAIN-2023-06", 8)
    assert len(CommonCrawlWarcReader("CC-MAIN-2023-06", base_url=str(tmp_path)).list_files()) == len(lines)


def test_snapshot_files_are_read_with_their_snapshot_name(tmp_path):
    snap = "CC-MAIN-2022-33"
    rel = [f"crawl-data/{snap}/segments/1/warc/f{i}.warc.gz" for i in range(3)]
    folder = tmp_path / "crawl-data" / snap
    (folder / "segments" / "1" / "warc").mkdir(parents=True)
    with gzip.open(folder / "warc.paths.gz", "wt") as f:
        f.write("\n".join(rel) + "\n")
    for i, r in enumerate(rel):
        wf.write_warc(tmp_path / r, [wf.page(i)])
    docs, stats = read(snap, base_url=f"file://{tmp_path}", sample_ratio=1.0)
    assert urls(docs) == [wf.page_url(i) for i in range(3)]
    assert {d.metadata["snapshot"] for d in docs} == {snap}
    assert docs[0].metadata["source_file"] == f"file://{tmp_path}/{rel[0]}"
    # a local copy in the crawl-data layout gets its snapshot from the path
    docs, _ = read(str(tmp_path / rel[1]))
    assert docs[0].metadata["snapshot"] == snap


def test_reader_pickles_cheaply(tmp_path):
    wf.write_warc(tmp_path / "a.warc.gz", pages(1))
    reader = CommonCrawlWarcReader(str(tmp_path))
    assert len(pickle.dumps(reader)) < 4096
    assert len(list(pickle.loads(pickle.dumps(reader)).run())) == 1


# ------------------------------------------------------------------------------------------------ real data
@pytest.mark.skipif(not IANA.exists(), reason="shared/data/warc/iana.warc.gz not available")
def test_real_iana_warc_yields_only_its_html_pages():
    docs, stats = read(str(IANA))
    assert len(docs) == 16
    for d in docs:
        assert d.metadata["url"].split("/")[2] == "www.iana.org"
        assert not d.metadata["url"].endswith((".js", ".css", ".svg", ".png", ".ttf", ".otf", ".ico"))
        assert d.metadata["content_type"] == "text/html"
        assert "<html" in d.text[:500].lower()
    assert len({d.id for d in docs}) == 16
    # 48 responses: 16 HTML pages, 4 HTML redirects, 28 JS/CSS/images/fonts
    assert stats["skipped_http_status"] == 4 and stats["skipped_non_html"] == 28
    assert stats["skipped_request"] == 171 and stats["skipped_revisit"] == 123
    with open(IANA, "rb") as f:
        it = ArchiveIterator(f)
        offsets = {
            r.rec_headers.get_header("WARC-Record-ID"): it.get_record_offset() for r in it if r.rec_type == "response"
        }
    assert all(offsets[d.id] == d.metadata["offset"] for d in docs)


def test_stream_reads_through_any_file_object():
    """The reader only needs read(); a non-seekable stream still yields every record."""
    from olm_data.readers.warc import _ByteSource

    class NoSeek(io.RawIOBase):
        def __init__(self, data):
            self._b = io.BytesIO(data)

        def readable(self):
            return True

        def read(self, n=-1):
            return self._b.read(n)

        def seek(self, *a):
            raise io.UnsupportedOperation("no seek")

    src = _ByteSource(NoSeek(b"abc\x1f\x8b\x08def"))
    assert src.find(b"\x1f\x8b\x08") == 3
    assert src.read(3) == b"\x1f\x8b\x08" and src.pos == 6
    assert not src.seek(0)


def test_existing_file_names_with_glob_characters_are_taken_literally(tmp_path):
    path = tmp_path / "x y [1].warc.gz"
    wf.write_warc(path, [wf.page(0)])
    (tmp_path / "x y 1.warc.gz").write_bytes(b"")  # what the bracket, read as a glob class, would match instead
    docs, _ = read(str(path))
    assert urls(docs) == [wf.page_url(0)]


# ------------------------------------------------------------------------------------------ WET (OLM's input)
WET_TEXTS = [
    "The Covid-19 pandemic is global.\nVaccines were rolled out in 2021.",
    "Ein deutscher Text über das Wetter.",
    "   ",  # an empty extraction
]


def write_wet(path: Path) -> list[int]:
    records = [wf.warcinfo()] + [wf.conversion(wf.page_url(i), t) for i, t in enumerate(WET_TEXTS)]
    return wf.write_warc(path, records)


def test_wet_conversion_records_are_documents_with_their_text(tmp_path):
    path = tmp_path / "CC-MAIN-20221126080725-20221126110725-00000.warc.wet.gz"
    offsets = write_wet(path)
    docs, stats = read(str(tmp_path))  # a folder: *.warc.wet.gz files are found too
    assert [d.text for d in docs] == WET_TEXTS[:2]
    assert [d.metadata["offset"] for d in docs] == offsets[1:3]
    assert {d.metadata["content_type"] for d in docs} == {"text/plain"}  # Common Crawl extracted it
    assert docs[0].id == wf.record_id(wf.page_url(0), "conversion")
    assert total_of(stats, "wet_records") == 2 and total_of(stats, "empty_payload") == 1


def total_of(stats, key):
    value = stats.get(key, 0)
    return value["total"] if isinstance(value, dict) else value


def test_extraction_passes_wet_text_through(tmp_path):
    from olm_data.extract import make_extractor

    write_wet(tmp_path / "x.warc.wet.gz")
    docs, _ = read(str(tmp_path / "x.warc.wet.gz"))
    extractor = make_extractor("resiliparse")
    out = list(extractor.run(iter(docs)))
    assert [d.text for d in out] == WET_TEXTS[:2]
    assert total_of(extractor.stats.to_dict()["stats"], "already_text") == 2


def test_format_wet_expands_a_snapshot_to_its_wet_paths(tmp_path):
    snap = "CC-MAIN-2099-01"
    rel = f"crawl-data/{snap}/segments/1/wet/CC-MAIN-x-00000.warc.wet.gz"
    (tmp_path / rel).parent.mkdir(parents=True)
    write_wet(tmp_path / rel)
    with gzip.open(tmp_path / "crawl-data" / snap / "wet.paths.gz", "wt") as f:
        f.write(rel + "\n")
    docs, _ = read(snap, base_url=str(tmp_path), format="wet")
    assert [d.text for d in docs] == WET_TEXTS[:2] and {d.metadata["snapshot"] for d in docs} == {snap}
    with pytest.raises(UsageError, match="no paths list"):
        CommonCrawlWarcReader(snap, base_url=str(tmp_path)).list_files()  # warc.paths.gz is not there


# ------------------------------------------------------------------------------------------ other formats
def arc_file(pages: list[tuple[str, bytes]], gzip_members: bool = False) -> bytes:
    """An ARC v1 file (what the Internet Archive wrote before WARC): a filedesc record, then one per page."""
    desc = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [f"filedesc://test.arc 0.0.0.0 20221126000000 text/plain {len(desc)}\n".encode() + desc + b"\n"]
    for url, body in pages:
        content = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
        records.append(f"{url} 93.184.216.34 20221126080725 text/html {len(content)}\n".encode() + content + b"\n")
    return b"".join(gzip.compress(r) if gzip_members else r for r in records)


@pytest.mark.parametrize("gzip_members", [False, True])
def test_arc_files_are_read_with_stable_ids(tmp_path, gzip_members):
    pages = [
        (wf.page_url(i), wf.html_page(f"ARC page {i}", [f"page number {i} of an old crawl"]).encode())
        for i in range(3)
    ]
    path = tmp_path / ("old.arc.gz" if gzip_members else "old.arc")
    path.write_bytes(arc_file(pages, gzip_members))
    docs, stats = read(str(tmp_path))
    assert urls(docs) == [u for u, _ in pages] and "page number 2" in docs[2].text
    assert docs[0].id == f"<urn:arc:{path.name}:{docs[0].metadata['offset']}>"
    assert [d.id for d in read(str(path))[0]] == [d.id for d in docs]  # the same ids every time
    assert stats["arc_files"] == 1 and "garbage_skipped" not in stats


@pytest.mark.parametrize(
    "name, data, named",
    [
        ("x.warc.zst", b"\x28\xb5\x2f\xfd" + bytes(100), "zstd"),
        ("x.warc.bz2", b"BZh91AY&SY" + bytes(100), "bz2"),
        ("x.warc.gz.gz", gzip.compress(wf.page(0)), "gzip of a gzip"),
        ("x.warc", b"just some notes, not an archive\n" * 50, "plain text"),
    ],
)
def test_unknown_formats_are_named(tmp_path, name, data, named, caplog_loguru):
    (tmp_path / name).write_bytes(data)
    docs, stats = read(str(tmp_path / name))
    assert docs == [] and stats["unknown_format"] == 1
    assert named in caplog_loguru.text and f"{name} @ 0: unknown_format" in caplog_loguru.text


def test_junk_before_the_first_gzip_member_costs_only_the_junk(tmp_path):
    path = tmp_path / "junk.warc.gz"
    wf.write_warc(path, [b"JUNK" * 300] + pages(18))
    docs, stats = read(str(path))
    assert len(docs) == 18 and stats["garbage_skipped"] == 1


@pytest.fixture
def caplog_loguru():
    """The reader's loguru warnings as text."""

    class Sink:
        text = ""

        def write(self, message):
            Sink.text += str(message)

    sink = Sink()
    handler = logger.add(sink.write, level="WARNING")
    yield sink
    logger.remove(handler)
