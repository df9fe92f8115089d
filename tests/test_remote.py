"""Remote Common Crawl: a snapshot streamed from a loopback server laid out like data.commoncrawl.org gives the same
corpus as the same files read locally, through throttling, cut connections, stalls and servers that ignore Range;
a file that cannot be fetched is an error that names it, never a truncated file or a silent hole."""

import gzip
import threading
import time
from pathlib import Path

import pytest
from cc_server import CCServer, Cut, Stall, Status, crawl_layout

from olm_data import samples
from olm_data.errors import UsageError
from olm_data.readers.remote import DownloadSlots, FetchError, ResumableStream, RetryPolicy
from olm_data.readers.warc import CommonCrawlWarcReader

SNAPSHOT = "CC-MAIN-2099-01"  # not 2022-49: every file is read (ratio 1.0)
FAST = RetryPolicy(retries=4, timeout=1.0, backoff=0.0, concurrency=0)  # no waiting between attempts in tests


@pytest.fixture
def crawl(tmp_path):
    """The bundled sample's WARCs as a snapshot under tmp_path (the last one is truncated on purpose)."""
    rels = crawl_layout(tmp_path / "cc", SNAPSHOT, samples.warc_files())
    return tmp_path / "cc", rels


def corpus(docs):
    """(id, text, url, offset) of every document, in reading order: what must not change with the transport."""
    return [(d.id, d.text, d.metadata["url"], d.metadata["offset"]) for d in docs]


def read(inputs, **kwargs):
    reader = CommonCrawlWarcReader(inputs, **kwargs)
    docs = list(reader.run())
    return docs, reader.stats.to_dict()["stats"]


def total(stats, key):
    value = stats.get(key, 0)
    return value["total"] if isinstance(value, dict) else value


@pytest.fixture
def local_corpus(crawl):
    root, rels = crawl
    docs, stats = read([str(root / r) for r in rels])
    assert len(docs) > 40 and total(stats, "truncated_file") == 1  # the sample's last file is cut inside a member
    return corpus(docs)


def member_offsets(root: Path, rel: str) -> list[int]:
    """Offsets of the gzip members of a WARC (where records start), from the reader's own document offsets."""
    docs, _ = read(str(root / rel))
    return sorted({d.metadata["offset"] for d in docs})


def test_clean_server_gives_the_local_corpus(crawl, local_corpus):
    root, rels = crawl
    with CCServer(root) as server:
        docs, stats = read(SNAPSHOT, base_url=server.url, retry=FAST)
    assert corpus(docs) == local_corpus
    assert {d.metadata["snapshot"] for d in docs} == {SNAPSHOT}
    assert {d.metadata["source_file"] for d in docs} == {server.url + r for r in rels}
    assert total(stats, "http_retries") == 0 and total(stats, "truncated_file") == 1  # damage is still damage
    sizes = sum((root / r).stat().st_size for r in rels)
    assert server.bytes_sent <= sizes + (root / "crawl-data" / SNAPSHOT / "warc.paths.gz").stat().st_size


@pytest.mark.parametrize("where", ["inside_member", "between_members", "first_byte"])
def test_cut_connections_resume_with_range_and_lose_nothing(crawl, local_corpus, where):
    root, rels = crawl
    with CCServer(root) as server:
        for rel in rels:
            offsets = member_offsets(root, rel)
            at = {"inside_member": offsets[len(offsets) // 2] + 37, "between_members": offsets[-2], "first_byte": 1}
            # each file is cut twice: the resumed request is cut again further on
            server.plan(rel, Cut(at[where]), Cut(at[where] + 500))
        docs, stats = read(SNAPSHOT, base_url=server.url, retry=FAST)
        sent = server.bytes_sent
    assert corpus(docs) == local_corpus
    assert total(stats, "http_retries") == 2 * len(rels) and total(stats, "http_resumes") == 2 * len(rels)
    sizes = sum((root / r).stat().st_size for r in rels)
    assert sent <= sizes * 1.01 + 2_000  # resumed where it broke: about 1x the files, not 2x


def test_throttling_with_slowdown_is_retried(crawl, local_corpus):
    root, rels = crawl
    with CCServer(root) as server:
        server.plan(f"crawl-data/{SNAPSHOT}/warc.paths.gz", Status(503))
        for rel in rels:
            server.plan(rel, Status(503), Status(503), Status(429))
        docs, stats = read(SNAPSHOT, base_url=server.url, retry=FAST)
    assert corpus(docs) == local_corpus
    assert total(stats, "http_retries") == 3 * len(rels)


def test_stalled_server_times_out_and_is_retried(crawl, local_corpus):
    root, rels = crawl
    policy = RetryPolicy(retries=2, timeout=0.3, backoff=0.0, concurrency=0)
    with CCServer(root) as server:
        server.plan(rels[0], Stall(2.0))
        started = time.monotonic()
        docs, stats = read(SNAPSHOT, base_url=server.url, retry=policy)
    assert corpus(docs) == local_corpus
    assert total(stats, "http_retries") == 1
    assert time.monotonic() - started < 60  # not a hang (the stall alone would be 2 s per attempt)


def test_server_ignoring_range_is_reread_and_skipped(crawl, local_corpus):
    root, rels = crawl
    with CCServer(root, ignore_range=True) as server:
        for rel in rels:
            offsets = member_offsets(root, rel)
            server.plan(rel, Cut(offsets[len(offsets) // 2] + 11))
        docs, stats = read(SNAPSHOT, base_url=server.url, retry=FAST)
    assert corpus(docs) == local_corpus  # no record twice, none skipped
    assert total(stats, "http_range_ignored") == len(rels)


def test_file_that_stays_404_raises_fetch_error_naming_it(crawl):
    root, rels = crawl
    with CCServer(root) as server:
        server.always(rels[1], Status(404))
        reader = CommonCrawlWarcReader(SNAPSHOT, base_url=server.url, retry=FAST)
        with pytest.raises(FetchError) as info:
            list(reader.run())
    assert info.value.status == 404 and info.value.url == server.url + rels[1]
    assert "HTTP 404" in str(info.value) and rels[1] in str(info.value)
    assert server.requests[rels[1]] == 1  # 404 is final: not retried


def test_throttled_forever_gives_up_after_the_retries(crawl):
    root, rels = crawl
    policy = RetryPolicy(retries=3, timeout=1.0, backoff=0.0, concurrency=0)
    with CCServer(root) as server:
        server.always(rels[0], Status(503))
        reader = CommonCrawlWarcReader(SNAPSHOT, base_url=server.url, retry=policy)
        with pytest.raises(FetchError) as info:
            list(reader.run())
    assert info.value.status == 503 and "SlowDown" in str(info.value) and "after 4 tries" in str(info.value)
    assert server.requests[rels[0]] == 4


def test_allow_missing_counts_and_lists_the_lost_file(crawl, local_corpus):
    root, rels = crawl
    with CCServer(root) as server:
        server.always(rels[0], Status(404))
        reader = CommonCrawlWarcReader(SNAPSHOT, base_url=server.url, retry=FAST, allow_missing=True)
        docs = list(reader.run())
    assert total(reader.stats.to_dict()["stats"], "missing_file") == 1
    assert reader.missing_files == [{"file": server.url + rels[0], "reason": "HTTP 404 Not Found", "status": 404}]
    kept = {d[0] for d in corpus(docs)}
    assert kept and kept < {d[0] for d in local_corpus}


def test_a_short_body_is_never_a_truncated_file(crawl):
    """A connection that closes early with the retries spent is a FetchError, not `truncated_file` + exit 0."""
    root, rels = crawl
    policy = RetryPolicy(retries=1, timeout=1.0, backoff=0.0, concurrency=0)
    with CCServer(root) as server:
        server.always(rels[0], Cut(2_000))
        reader = CommonCrawlWarcReader(server.url + rels[0], retry=policy)
        with pytest.raises(FetchError, match="connection"):
            list(reader.run())
    assert total(reader.stats.to_dict()["stats"], "truncated_file") == 0


def test_paths_list_404_is_a_usage_error(crawl):
    root, _ = crawl
    with CCServer(root) as server:
        with pytest.raises(UsageError, match="CC-MAIN-2099-02: no paths list"):
            CommonCrawlWarcReader("CC-MAIN-2099-02", base_url=server.url, retry=FAST).list_files()


def test_stream_reads_every_byte_once_through_random_cuts(tmp_path):
    data = bytes(range(256)) * 4000  # ~1 MB
    (tmp_path / "blob").write_bytes(data)
    with CCServer(tmp_path) as server:
        server.plan("blob", Cut(10), Cut(300_000), Cut(300_001), Cut(999_999))
        events = []
        stream = ResumableStream(server.url + "blob", FAST, events.append)
        out = bytearray()
        while chunk := stream.read(65536):
            out += chunk
    assert bytes(out) == data
    assert events.count("http_retries") == 4 and stream.total == len(data)


def test_stream_seek_resumes_with_a_range_request(tmp_path):
    data = gzip.compress(b"x" * 10_000)
    (tmp_path / "blob").write_bytes(data)
    with CCServer(tmp_path) as server:
        stream = ResumableStream(server.url + "blob", FAST)
        assert stream.read(5) == data[:5]
        stream.seek(20)
        assert stream.read() == data[20:]
        assert server.requests["blob"] == 2


def test_download_slots_cap_concurrent_holders(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    slots = DownloadSlots(2, key="test")
    inside, peak, lock = [0], [0], threading.Lock()

    def download():
        with slots.hold():
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=download) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2


@pytest.mark.parametrize("world_size", [1, 3])
def test_wikipedia_dump_over_https_survives_cuts_like_a_local_dump(tmp_path, world_size):
    """A multistream dump given as a URL: index found next to it, byte-range tasks, cut transfers resumed."""
    import shutil

    from olm_data.readers.wikipedia import WikipediaDumpReader

    dump, index = samples.wikipedia_dump(), samples.wikipedia_index()
    for f in (dump, index):
        shutil.copyfile(f, tmp_path / f.name)

    def read_all(path):
        docs = []
        for rank in range(world_size):
            docs += [
                (d.id, d.text, d.metadata["url"])
                for d in WikipediaDumpReader(path).run(rank=rank, world_size=world_size)
            ]
        return docs

    local = read_all(str(tmp_path / dump.name))
    with CCServer(tmp_path) as server:
        size = (tmp_path / dump.name).stat().st_size
        server.plan(dump.name, *(Cut(at) for at in (size // 5, size // 2, size - 100)))
        remote = read_all(server.url + dump.name)
        assert server.cuts >= 1
        assert server.requests[index.name] >= 1  # the index beside the dump was found and used
    assert len(local) > 20 and remote == local


def test_s3_route_gives_the_local_corpus_through_throttling_and_cuts(s3_endpoint, local_corpus):
    server, keys = s3_endpoint
    for key in keys:
        server.plan(key, Status(503), Cut(3_000), Cut(40_000))
    docs, _ = read(SNAPSHOT, base_url="s3://commoncrawl/", retry=FAST)
    assert corpus(docs) == local_corpus
    assert {d.metadata["source_file"] for d in docs} == {"s3://" + k for k in keys}
    assert server.cuts >= len(keys)


def test_s3_missing_key_is_a_fetch_error(s3_endpoint):
    server, keys = s3_endpoint
    server.always(keys[2], Status(404))
    reader = CommonCrawlWarcReader(SNAPSHOT, base_url="s3://commoncrawl/", retry=FAST)
    with pytest.raises(FetchError) as info:
        list(reader.run())
    assert info.value.status == 404 and info.value.url == "s3://" + keys[2]


def test_a_stream_holds_its_download_slot_only_while_reading(tmp_path, monkeypatch):
    """With --http-concurrency 1, two tasks streaming two files interleave: the cap limits transfers in flight,
    not how many tasks process at once (a task parsing between two reads leaves the slot to the other)."""
    import tempfile

    from olm_data.readers.remote import open_remote

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for name in ("a", "b"):
        (tmp_path / name).write_bytes(bytes(3 << 20))
    policy = RetryPolicy(retries=1, timeout=5, backoff=0, concurrency=1)
    with CCServer(tmp_path) as server:
        a, b = open_remote(server.url + "a", policy), open_remote(server.url + "b", policy)
        done = []

        def interleave():
            for _ in range(3):
                done.append(len(a.read(1 << 20)) + len(b.read(1 << 20)))

        t = threading.Thread(target=interleave, daemon=True)
        t.start()
        t.join(timeout=30)
        a.close(), b.close()
    assert not t.is_alive() and done == [2 << 20] * 3
