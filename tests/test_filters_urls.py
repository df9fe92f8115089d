"""URL filters: Wikipedia pages out, datatrove's blocklist offline, malformed URLs counted never crashing."""

from __future__ import annotations

import pickle
import socket
import tarfile
from pathlib import Path

import pytest
from datatrove.data import Document

from olm_data.filters import UrlBlocklistFilter, WikipediaUrlFilter

MALFORMED = [None, "", "http://[::1", "http://example.com:99999/x", "http://ünïcödé.例え.jp/ä?q=ß", "x" * 10_240, 42]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def url_doc(url, i: int = 0) -> Document:
    return Document(text="some text", id=str(i), metadata={"url": url})


@pytest.mark.parametrize(
    "url",
    [
        "https://en.wikipedia.org/wiki/Common_Crawl",
        "http://en.wikipedia.org/wiki/Common_Crawl",
        "https://en.m.wikipedia.org/wiki/Common_Crawl",
        "HTTPS://EN.Wikipedia.ORG/wiki/Talk:Common_Crawl",
        "https://en.wikipedia.org:443/wiki/X",
    ],
)
def test_wikipedia_pages_are_dropped(url):
    assert WikipediaUrlFilter().filter(url_doc(url)) == (False, "wikipedia_url")


@pytest.mark.parametrize(
    "url",
    [
        "https://de.wikipedia.org/wiki/Common_Crawl",
        "https://en.wikipedia.org/w/index.php?title=Common_Crawl",
        "https://example.com/?ref=https://en.wikipedia.org/wiki/X",
        "https://en.wikipedia.org.evil.example/wiki/X",
        "ftp://en.wikipedia.org/wiki/X",
        "https://commoncrawl.org/",
    ],
)
def test_other_pages_are_kept(url):
    assert WikipediaUrlFilter().filter(url_doc(url)) is True


@pytest.mark.parametrize("step", [WikipediaUrlFilter, lambda: UrlBlocklistFilter(use_integrated_lists=False)])
def test_malformed_urls_never_crash_and_are_counted(step):
    f = step()
    docs = [url_doc(u, i) for i, u in enumerate(MALFORMED)] + [Document("no url", "n", metadata={})]
    kept = list(f.run(iter(docs)))
    assert len(kept) == len(docs)
    stats = f.stats.to_dict()["stats"]
    assert stats["url_missing"] == 3  # None, "", no key
    assert stats["url_malformed"] == 3  # bad IPv6 literal, bad port, not a string
    assert stats["url_long"] == 1 and stats["url_non_ascii"] == 1


def test_blocklist_word_checks_without_integrated_lists():
    f = UrlBlocklistFilter(
        use_integrated_lists=False,
        extra_domains=["blocked-site.com"],
        extra_urls=["shop.example/bad-page"],
        banned_words=["casino"],
        soft_banned_words=["free", "bonus", "spins"],
        banned_subwords=["evilword"],
    )
    cases = {
        "https://blocked-site.com/x": (False, "url_blocked_domain"),
        "https://www.blocked-site.com/x": (False, "url_blocked_domain"),
        "https://shop.example/bad-page": (False, "url_blocked_url"),
        "https://shop.example/good-page": True,
        "https://games.example/Casino/today": (False, "url_banned_word"),
        "https://games.example/casinos": True,  # whole words only
        "https://games.example/free-bonus": (False, "url_soft_banned_words"),
        "https://games.example/free-stuff": True,  # one soft word is not enough
        "https://games.example/xEVILWORDx": (False, "url_banned_subword"),
    }
    assert {u: f.filter(url_doc(u)) for u in cases} == cases


def test_blocklist_subdomain_entry():
    f = UrlBlocklistFilter(use_integrated_lists=False, extra_domains=["ads.example.com"])
    assert f.filter(url_doc("https://ads.example.com/x")) == (False, "url_blocked_subdomain")
    assert f.filter(url_doc("https://www.example.com/x")) is True
    ip = UrlBlocklistFilter(use_integrated_lists=False, extra_domains=["10.1.2.3"])  # no public suffix: host
    assert ip.filter(url_doc("http://10.1.2.3/x")) == (False, "url_blocked_domain")


def test_integrated_blocklist_works_offline_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # any cache write (tldextract, HF assets) would land here
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    from datatrove.utils._import_utils import ASSETS_PATH

    with tarfile.open(Path(ASSETS_PATH) / "url_filterblacklistsv0_3_0.tar.gz") as tar:
        member = tar.extractfile("domains")
        first_domain = next(line.strip().decode() for line in member if line.strip())
    f = UrlBlocklistFilter()
    assert f.filter(url_doc(f"https://{first_domain}/index.html")) == (False, "url_blocked_domain")
    assert f.filter(url_doc(f"http://www.{first_domain.upper()}/")) == (False, "url_blocked_domain")
    assert f.filter(url_doc("https://www.debian.org/doc/manuals/debian-reference/")) is True
    assert f.filter(url_doc("https://example.com/porn")) == (False, "url_banned_word")
    assert list(tmp_path.iterdir()) == []
    # workers get a small pickle and rebuild the lists (cached per process)
    blob = pickle.dumps(f)
    assert len(blob) < 20_000
    g = pickle.loads(blob)
    assert g.filter(url_doc(f"https://{first_domain}/")) == (False, "url_blocked_domain")
