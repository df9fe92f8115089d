"""URL filters: drop English Wikipedia pages from Common Crawl, and datatrove's bundled URL blocklist, offline.

Malformed URLs never crash a step: a document without a usable `metadata["url"]` is kept (nothing says it is
blocked), counted under `url_missing` or `url_malformed`, and logged once per step with its document id.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.logging import logger

from olm_data.array_cache import cached_array, file_key


class _UrlStep(BaseFilter):
    """Shared handling of documents whose URL is missing or unusable."""

    def __init__(self, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self._warned: set[str] = set()

    def _bad_url(self, doc: Document, stat: str, detail: str) -> bool:
        self.stat_update(stat)
        if stat not in self._warned:
            self._warned.add(stat)
            where = f"{doc.metadata.get('source_file')}@{doc.metadata.get('offset')}"
            logger.warning(f"{self.name}: document {doc.id!r} ({where}): {detail}; kept")
        return True

    def _url(self, doc: Document) -> tuple[str, SplitResult] | None:
        """The document's URL and its parts, or None (counted, logged once) when there is no usable URL."""
        url = doc.metadata.get("url")
        if url is None or url == "":
            self._bad_url(doc, "url_missing", "no url in metadata")
            return None
        if not isinstance(url, str):
            self._bad_url(doc, "url_malformed", f"url is a {type(url).__name__}, not a string")
            return None
        try:
            parts = urlsplit(url.strip())
            parts.hostname, parts.port  # noqa: B018 -- both parse lazily and raise on bad hosts/ports
        except ValueError as e:  # e.g. "http://[::1": invalid IPv6 literal; port out of range
            self._bad_url(doc, "url_malformed", f"unparsable url {url[:200]!r} ({e})")
            return None
        if len(url) > _LONG_URL:
            self.stat_update("url_long")  # informational: still checked
        if not url.isascii():
            self.stat_update("url_non_ascii")  # informational: IRIs are valid
        return url, parts


# URLs above this many characters are counted (`url_long`); most servers reject requests past 8 KB
_LONG_URL = 2048


class WikipediaUrlFilter(_UrlStep):
    """Drop English Wikipedia pages (`http(s)://en.wikipedia.org/wiki/...`, mobile `en.m.` too).

    OLM removed CC pages whose URL starts with `https://en.wikipedia.org/wiki/` because Wikipedia enters the
    corpus through its own, cleaner pipeline; we also match http, the mobile host, any letter case in the host,
    a port and user info, by parsing the URL (the path prefix stays case-sensitive, as MediaWiki's is).

    Args:
        hosts: host names to drop (lowercase).
        path_prefix: drop URLs whose path starts with this.
        exclusion_writer: receives dropped documents (`--keep-rejected`); reason `wikipedia_url`.
    """

    name = "📚 Wikipedia URL"

    def __init__(
        self,
        hosts: Iterable[str] = ("en.wikipedia.org", "en.m.wikipedia.org"),
        path_prefix: str = "/wiki/",
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        self.hosts = frozenset(h.lower() for h in hosts)
        self.path_prefix = path_prefix

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        """Drop the document when its URL is a page of the configured Wikipedia hosts."""
        checked = self._url(doc)
        if checked is None:
            return True
        _, parts = checked
        if (
            parts.hostname in self.hosts  # urlsplit lowercases the host and drops user info and port
            and parts.scheme.lower() in ("http", "https")
            and parts.path.startswith(self.path_prefix)
        ):
            return False, "wikipedia_url"
        return True


_NON_ALNUM = re.compile(r"[^a-zA-Z0-9]+")  # datatrove's URL normalizer: split / squash on non-alphanumerics
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _datatrove_assets() -> Path:
    from datatrove.utils._import_utils import ASSETS_PATH

    return Path(ASSETS_PATH)


def _word_list(path: Path) -> frozenset[str]:
    """A datatrove word list normalized as datatrove does: non-alphanumerics removed, lowercased, "#" skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(_NON_ALNUM.sub("", w).lower() for w in lines if w.strip() and not w.startswith("#"))


@cache
def _blocklist_domain_hashes(tar_path: str):
    """Sorted 64-bit xxh3 hashes of the ~4.6 M blocklisted domains (36 MB instead of ~500 MB as a Python set),
    and the URL blocklist (~20 k entries).

    The hashes take ~2 s to compute from the tarball, so they are kept in olm-data's array cache (built once per
    machine, memory-mapped by every task; `olm_data.array_cache`). A URL's domain matches a different domain's
    hash with probability ~4.6e6 / 2^64 = 2.5e-13.
    """
    import xxhash

    key = f"{file_key(tar_path)}|xxhash {xxhash.VERSION}|v1"
    hashes = cached_array("url-blocklist-domains", key, lambda: _hash_blocklist_domains(tar_path))
    with tarfile.open(tar_path, "r:gz") as tar:
        urls_member = _tar_member(tar, "urls")  # the tarball's first member: no pass over the 124 MB of domains
        urls = frozenset(
            line.strip().decode("utf-8", "replace")
            for line in urls_member or ()
            if line.strip()[:1] not in (b"", b"#")
        )
    return hashes, urls


def _tar_member(tar: tarfile.TarFile, name: str):
    """The member `name` of a streamed tarball, found by reading headers in order (`extractfile(name)` would
    first index the whole archive, i.e. decompress all of it)."""
    for member in tar:
        if member.name == name:
            return tar.extractfile(member)
    return None


def _hash_blocklist_domains(tar_path: str):
    """Streams the `domains` member of datatrove's tarball (never extracts anything to disk) and hashes it."""
    import numpy as np
    import xxhash

    def hash_lines(block: bytes) -> np.ndarray:
        lines = block.lower().split()  # C-level: no Python statement per domain
        if b"#" in block:
            lines = [line for line in lines if not line.startswith(b"#")]
        return np.fromiter(map(xxhash.xxh3_64_intdigest, lines), dtype=np.uint64, count=len(lines))

    with tarfile.open(tar_path, "r:gz") as tar:
        member = _tar_member(tar, "domains")
        if member is None:
            raise FileNotFoundError(f"{tar_path} has no 'domains' member")
        parts, tail = [], b""
        while block := member.read(1 << 24):  # 16 MB blocks keep the transient memory small
            block = tail + block
            cut = block.rfind(b"\n") + 1
            parts.append(hash_lines(block[:cut]))
            tail = block[cut:]
        parts.append(hash_lines(tail))
    hashes = np.concatenate(parts)
    hashes.sort()
    return hashes


# built by `_load` in each process, never pickled
_LOADED_STATE = ("_extractor", "_domain_hashes", "_subword_regex", "_blocked_urls", "_banned_words",
                 "_banned_subwords", "_soft_banned_words")  # fmt: skip


class UrlBlocklistFilter(_UrlStep):
    """datatrove's URL blocklist and banned URL words, offline and memory-lean.

    Same lists and checks as datatrove's `URLFilter` (package data in `datatrove/assets/`: the domain and URL
    blocklists `url_filterblacklistsv0_3_0.tar.gz`, `banned_words.txt`, `soft_banned_words.txt`,
    `banned_subwords.txt`), in the same order. Our own step rather than datatrove's class because that one
    builds a `TLDExtract()` that downloads the public-suffix list, extracts 125 MB into the HF cache, holds
    the 4.6 M domains as a Python set (~800 MB RSS, 5 s to load) and asserts on documents without a URL.
    Here: tldextract uses its bundled suffix snapshot (`suffix_list_urls=()`, `cache_dir=None`: no network,
    no cache writes), domains are kept as sorted 64-bit hashes (36 MB), and bad URLs are counted.
    Deliberate differences: URL words are lowercased before matching the (lowercase) banned words, and a URL
    also matches the URL blocklist without its scheme (the list holds "host/path" entries, which datatrove
    compares with the full URL, so they never match there).

    Drop reasons: `url_blocked_domain`, `url_blocked_subdomain`, `url_blocked_url`, `url_banned_word`,
    `url_soft_banned_words` (>= `soft_word_threshold` soft words), `url_banned_subword`.

    Args:
        soft_word_threshold: how many soft-banned words in a URL drop it.
        extra_domains, extra_urls, banned_words, banned_subwords, soft_banned_words: added to the bundled lists.
        use_integrated_lists: False uses only the extra lists given here.
        exclusion_writer: receives dropped documents (`--keep-rejected`).
    """

    name = "⛔ URL blocklist"
    _requires_dependencies = ["tldextract", "xxhash"]

    def __init__(
        self,
        soft_word_threshold: int = 2,
        extra_domains: Iterable[str] | None = None,
        extra_urls: Iterable[str] | None = None,
        banned_words: Iterable[str] | None = None,
        banned_subwords: Iterable[str] | None = None,
        soft_banned_words: Iterable[str] | None = None,
        use_integrated_lists: bool = True,
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        self.soft_word_threshold = soft_word_threshold
        self.extra_domains = frozenset(d.strip().lower() for d in extra_domains or ())
        self.extra_urls = frozenset(u.strip() for u in extra_urls or ())
        norm = lambda words: frozenset(_NON_ALNUM.sub("", w).lower() for w in words or ())  # noqa: E731
        self.banned_words = norm(banned_words)
        self.banned_subwords = norm(banned_subwords) - {""}
        self.soft_banned_words = norm(soft_banned_words)
        self.use_integrated_lists = use_integrated_lists
        self._loaded = False
        for loaded in _LOADED_STATE:
            setattr(self, loaded, None)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        # the lists are rebuilt per worker (and cached per process); keep pickles small
        for loaded in _LOADED_STATE:
            state[loaded] = None
        state["_loaded"] = False
        return state

    def _load(self) -> None:
        import tldextract

        self._extractor = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())  # bundled snapshot only
        if self.use_integrated_lists:
            assets = _datatrove_assets()
            self._domain_hashes, bundled_urls = _blocklist_domain_hashes(
                str(assets / "url_filterblacklistsv0_3_0.tar.gz")
            )
            self._blocked_urls = bundled_urls | self.extra_urls
            self._banned_words = _word_list(assets / "banned_words.txt") | self.banned_words
            self._banned_subwords = _word_list(assets / "banned_subwords.txt") | self.banned_subwords
            self._soft_banned_words = _word_list(assets / "soft_banned_words.txt") | self.soft_banned_words
        else:
            self._blocked_urls = self.extra_urls
            self._banned_words = self.banned_words
            self._banned_subwords = self.banned_subwords
            self._soft_banned_words = self.soft_banned_words
        self._banned_subwords = frozenset(self._banned_subwords) - {""}
        # one alternation of literals: small lists, short URLs; avoids a dependency on pyahocorasick
        self._subword_regex = (
            re.compile("|".join(map(re.escape, sorted(self._banned_subwords)))) if self._banned_subwords else None
        )
        self._loaded = True

    def _domain_blocked(self, domain: str) -> bool:
        if not domain:
            return False
        if domain in self.extra_domains:
            return True
        if self._domain_hashes is None:
            return False
        import numpy as np
        import xxhash

        h = np.uint64(xxhash.xxh3_64_intdigest(domain.encode("utf-8", "surrogatepass")))
        i = int(np.searchsorted(self._domain_hashes, h))
        return i < len(self._domain_hashes) and self._domain_hashes[i] == h

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        """Drop the document when its URL's domain, URL or words are blocklisted."""
        if not self._loaded:
            self._load()
        checked = self._url(doc)
        if checked is None:
            return True
        url, parts = checked
        try:
            info = self._extractor(url)
        except ValueError as e:  # defensive: tldextract rejects some hosts urlsplit accepts
            return self._bad_url(doc, "url_malformed", f"unparsable url {url[:200]!r} ({e})")
        registered = getattr(info, "top_domain_under_public_suffix", None)
        if registered is None:  # tldextract < 5.3
            registered = info.registered_domain
        # hosts without a public suffix (IP addresses, "intranet.local") fall back to the URL's host name
        host = parts.hostname or ""
        if self._domain_blocked((registered or host).lower()):
            return False, "url_blocked_domain"
        if self._domain_blocked((info.fqdn or host).lower()):
            return False, "url_blocked_subdomain"
        # datatrove's URL list has no scheme ("host/path"): compare both forms
        if url in self._blocked_urls or _SCHEME.sub("", url, count=1) in self._blocked_urls:
            return False, "url_blocked_url"
        url_words = set(_NON_ALNUM.split(url.lower()))
        if not self._banned_words.isdisjoint(url_words):
            return False, "url_banned_word"
        if len(self._soft_banned_words & url_words) >= self.soft_word_threshold:
            return False, "url_soft_banned_words"
        if self._subword_regex is not None and self._subword_regex.search(_NON_ALNUM.sub("", url).lower()):
            return False, "url_banned_subword"
        return True
