"""Read MediaWiki `pages-articles` dumps (`.xml`, `.xml.bz2`, `-multistream.xml.bz2` + index) as clean articles.

The text is cleaned the way the original OLM Wikipedia set was (the HF `wikipedia` loading script): drop
File/Image/Media links, `<ref>` tags and tables, keep category text, `strip_code()` per section, drop
`__MAGIC__` words, join sections with blank lines. Only namespace-0, non-redirect pages become documents.

Parallelism. With a multistream index (given, or found next to the dump), task `rank` of `world_size` owns the
bz2 streams whose start offsets fall in its byte slice of the file, seeks to the first one and decompresses only
those. Without an index there is nothing to seek to, so every task decompresses the whole file but only the
task with `page_ordinal % world_size == rank` parses and cleans a page (cleaning is ~85% of the cost); when a
folder holds at least `world_size` dumps without an index, whole files are dealt out instead. Either way every
page lands in exactly one task, so the union of all tasks' output is the same for any task count.

Robustness. Pages are cut out of the decompressed byte stream at `<page>`/`</page>` (markup that cannot occur
inside escaped XML text) and parsed one by one, so a malformed page costs that page only; a corrupt bz2 stream
is skipped by resynchronising on the next stream header; a truncated file keeps every page decompressed before
the damage; a page with more than `MAX_PAGE_BYTES` of wikitext is skipped instead of stalling the task in the
parser. Each problem is counted under a named stat and logged once with its file and location.
"""

from __future__ import annotations

import bz2
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any
from urllib.parse import quote

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.readers.base import BaseReader
from datatrove.utils.logging import logger

from olm_data.errors import UsageError

__all__ = [
    "SiteInfo",
    "WikipediaDumpReader",
    "clean_wikitext",
    "default_index_path",
    "read_multistream_index",
]

_RAW_CHUNK = 256 * 1024  # compressed bytes read per call; small enough that a corrupt block loses little output
_PLAIN_CHUNK = 1024 * 1024
_BZ2_MAGIC = b"BZh"
# A bz2 stream starts byte-aligned with "BZh" + block size digit + the first block's magic (pi in BCD).
_BZ2_STREAM_START = re.compile(rb"BZh[1-9]1AY&SY")
_PAGE_ID = re.compile(rb"<id>\s*(\d+)\s*</id>")
_INDEX_LINE = re.compile(rb"^(\d+):\d+:", re.MULTILINE)
_BAD_INDEX_LINE = re.compile(rb"^(?!\d+:\d+:)[^\n]*\S[^\n]*$", re.MULTILINE)

DEFAULT_BASE_URL = "https://en.wikipedia.org/wiki/"
#: pages with more wikitext than this (UTF-8 bytes) are skipped as `oversized_page`. mwparserfromhell's time grows
#: with size and markup density (measured, 1 core: prose 0.5 s per MB; a table- and template-dense list page
#: 1.5 s at 250 KB, 7 s at 1 MB, 12 s at 2 MB; a real 5 MB page stalled its task ~105 s). At 1 MiB the worst
#: page costs seconds, not minutes, and almost no article is lost: MediaWiki itself caps pages at 2 MiB.
MAX_PAGE_BYTES = 1024 * 1024
# English/canonical names; localized names come from the dump's own <siteinfo><namespaces>.
_MEDIA_NAMES = ("File", "Image", "Media")
_CATEGORY_NAMES = ("Category",)


# ---------------------------------------------------------------------------------------------------------------
# Wikitext cleaning


@lru_cache(maxsize=64)
def _prefix_regex(names: tuple[str, ...]) -> re.Pattern[str]:
    # MediaWiki treats spaces and underscores in titles alike ("Thể loại" == "Thể_loại").
    alternatives = "|".join(re.escape(n.replace("_", " ")).replace(r"\ ", "[ _]") for n in names if n)
    return re.compile(rf"^\s*(?:{alternatives})\s*:", flags=re.IGNORECASE)


_MAGIC_WORD = re.compile(r"__[A-Z]*__")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_RUN = re.compile(r"\n\s*\n\s*\n")
# Runs of 2, 3 or 5 apostrophes are italic/bold markup; 4 is an apostrophe followed by bold.
_QUOTE_MARKUP = re.compile(r"'{2,5}")
_REF_ELEMENT = re.compile(r"<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>", flags=re.IGNORECASE | re.DOTALL)
# any "<ref..." fragment left once whole elements are gone; bounded so an unclosed tag cannot eat the page
_REF_LEFTOVER = re.compile(r"</?ref\w*[^<>\n]{0,200}>?", flags=re.IGNORECASE)
_REF_START = re.compile(r"</?ref", flags=re.IGNORECASE)
_INNER_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_INNER_LINK = re.compile(r"\[\[([^\[\]]*)\]\]")
_BRACES = re.compile(r"\{\{+|\}\}+")
_BRACKETS = re.compile(r"\[\[+|\]\]+")


def _scrub_leftover_markup(text: str, media: re.Pattern[str], category: re.Pattern[str]) -> str:
    """Remove markup mwparserfromhell left as plain text because it could not parse it (unbalanced markup).

    Real pages have broken markup the tokenizer gives up on; it then returns the raw `{{`, `[[`, `<ref`
    as text. A downstream corpus must not contain them, so this regex pass removes what is left.
    """
    text = _REF_ELEMENT.sub("", text)
    text = _remove_until_gone(_REF_LEFTOVER, _REF_START, text)
    for _ in range(20):  # nested templates: remove innermost first; 20 levels is far beyond real pages
        text, n = _INNER_TEMPLATE.subn("", text)
        if not n:
            break

    def link_text(m: re.Match[str]) -> str:
        target, _, label = m.group(1).partition("|")
        if media.match(target):
            return ""
        if category.match(target):
            return category.sub("", target).strip()
        return (label.rpartition("|")[2] if label else target).strip()

    for _ in range(20):
        text, n = _INNER_LINK.subn(link_text, text)
        if not n:
            break
    text = _remove_until_gone(_BRACES, _BRACES, text)
    return _remove_until_gone(_BRACKETS, _BRACKETS, text)


def _remove_until_gone(pattern: re.Pattern[str], probe: re.Pattern[str], text: str) -> str:
    # one pass can create a new match ("{}}{" -> "{{"); every pass shortens the text, so this ends
    while probe.search(text):
        text = pattern.sub("", text)
    return text


def clean_wikitext(
    wikitext: str,
    media_prefixes: Iterable[str] = _MEDIA_NAMES,
    category_prefixes: Iterable[str] = _CATEGORY_NAMES,
) -> str:
    """Turn one page's wikitext into plain text the way the OLM Wikipedia set (HF `wikipedia` script) did.

    Two deliberate differences with that script, both to keep markup out of the corpus: the text is parsed with
    `skip_style_tags=True` (unbalanced `''` otherwise makes mwparserfromhell give up and return whole passages,
    refs and templates included, as raw text) and the `''`/`'''` marks are removed afterwards; whatever markup
    the parser still could not parse is scrubbed with regexes. Empty sections are dropped, runs of blank lines
    left by removed nodes are collapsed and trailing spaces trimmed.

    Args:
        wikitext: the page's raw `<text>`.
        media_prefixes: namespace names whose links are dropped (File, Image, Media and local names).
        category_prefixes: namespace names whose links are kept as their bare text (Category and local names).

    Returns:
        Sections joined by blank lines; "" when nothing is left.
    """
    import mwparserfromhell
    from mwparserfromhell.nodes import Heading
    from mwparserfromhell.wikicode import Wikicode

    media = _prefix_regex(tuple(media_prefixes))
    category = _prefix_regex(tuple(category_prefixes))
    wikicode = mwparserfromhell.parse(wikitext, skip_style_tags=True)
    _prune(wikicode, media, category)
    # flat sections (lead, then one per top-level heading, heading included), as get_sections(flat=True) cuts them
    starts = [0] + [i for i, node in enumerate(wikicode.nodes) if isinstance(node, Heading) and i > 0]
    sections = []
    for start, end in zip(starts, starts[1:] + [len(wikicode.nodes)], strict=True):
        text = Wikicode(list(wikicode.nodes[start:end])).strip_code()
        text = _MAGIC_WORD.sub("", _QUOTE_MARKUP.sub(lambda m: "'" if len(m.group()) == 4 else "", text))
        if "{{" in text or "[[" in text or "}}" in text or "]]" in text or _REF_START.search(text):
            text = _scrub_leftover_markup(text, media, category)
        # removed nodes leave trailing spaces and runs of blank lines behind
        text = _BLANK_RUN.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip()
        if text:
            sections.append(text)
    return "\n\n".join(sections)


def _prune(code: Any, media: re.Pattern[str], category: re.Pattern[str]) -> None:
    """Drop media links, <ref> and tables and strip category prefixes, in one walk of the parse tree.

    Same result as the HF script's `filter_*()` + `section.remove()` loops, which search the whole tree again
    for every removed node (~40% of the time on real pages). Templates are not entered: `strip_code()` drops
    them with everything inside.
    """
    from mwparserfromhell.nodes import Tag, Template, Wikilink
    from mwparserfromhell.smart_list import SmartList

    kept, dropped = [], False
    for node in code.nodes:
        if isinstance(node, Template):
            kept.append(node)
            continue
        if isinstance(node, Wikilink):
            title = str(node.title)
            if media.match(title):
                dropped = True
                continue
            if category.match(title):
                node.text = category.sub("", node.__strip__())
                kept.append(node)
                continue
        if isinstance(node, Tag):
            if str(node.tag).strip().lower() in ("ref", "table"):
                dropped = True
                continue
            if not node.self_closing:  # attributes never reach the text
                _prune(node.contents, media, category)
        else:
            for child in node.__children__():
                _prune(child, media, category)
        kept.append(node)
    if dropped:
        code.nodes = SmartList(kept)


# ---------------------------------------------------------------------------------------------------------------
# Site info (from the dump's <siteinfo>)


@dataclass(frozen=True)
class SiteInfo:
    """What a dump's `<siteinfo>` tells us: where its pages live and what its media/category namespaces are called."""

    base_url: str = DEFAULT_BASE_URL
    media_prefixes: tuple[str, ...] = _MEDIA_NAMES
    category_prefixes: tuple[str, ...] = _CATEGORY_NAMES

    def page_url(self, title: str) -> str:
        """The article URL as MediaWiki writes it: spaces as underscores, the rest percent-encoded like wfUrlencode."""
        return self.base_url + quote(title.replace(" ", "_"), safe=";@$!*(),/:~")

    @classmethod
    def from_xml(cls, raw: bytes, base_url: str | None = None) -> SiteInfo:
        """Parse a `<siteinfo>...</siteinfo>` element (raises ET.ParseError on bad XML)."""
        root = ET.fromstring(raw)
        if base_url is None:
            base = (root.findtext("base") or "").strip()
            if "/wiki/" in base:
                base_url = base[: base.index("/wiki/") + len("/wiki/")]
            elif "/" in base.partition("://")[2]:
                base_url = base.rsplit("/", 1)[0] + "/"
            else:
                base_url = DEFAULT_BASE_URL
        names: dict[str, str] = {}
        for ns in root.iter("namespace"):
            if ns.text and ns.text.strip():
                names[ns.get("key", "")] = ns.text.strip()
        media = tuple(dict.fromkeys([*_MEDIA_NAMES, *(names[k] for k in ("6", "-2") if k in names)]))
        category = tuple(dict.fromkeys([*_CATEGORY_NAMES, *([names["14"]] if "14" in names else [])]))
        return cls(base_url, media, category)


# ---------------------------------------------------------------------------------------------------------------
# Byte-level plumbing: bz2 streams and <page> elements


_RESYNC = object()  # marker in a chunk stream: bytes before and after are not contiguous


@dataclass
class _Location:
    """Where the reader is, for log lines: the file and the compressed offset of the current bz2 stream."""

    path: str
    stream_offset: int | None = None

    def describe(self, page_id: str | None = None, xml_offset: int | None = None) -> str:
        where = self.path
        if self.stream_offset is not None:
            where += f", bz2 stream at byte {self.stream_offset}"
        if page_id:
            where += f", page id {page_id}"
        elif xml_offset is not None:
            where += f", uncompressed byte {xml_offset}"
        return where


def _find_stream_start(f: IO[bytes], start: int, end: int | None) -> int | None:
    """File offset of the first bz2 stream header at or after `start` (and before `end`), or None."""
    f.seek(start)
    pos, tail = start, b""
    while end is None or pos < end:
        block = f.read(_RAW_CHUNK)
        if not block:
            return None
        data = tail + block
        m = _BZ2_STREAM_START.search(data)
        if m:
            found = pos - len(tail) + m.start()
            return found if end is None or found < end else None
        tail = data[-9:]
        pos += len(block)
    return None


def _iter_bz2_streams(
    f: IO[bytes],
    start: int,
    end: int | None,
    loc: _Location,
    on_problem: Callable[[str, str], None],
) -> Iterator[bytes | object]:
    """Decompress every bz2 stream that starts in [start, end) of `f` (end None: to the end of the file).

    The stdlib decompressor is used stream by stream (rather than bz2.open) so that a corrupt stream can be
    skipped by searching for the next stream header, and so the caller knows which stream each byte came from.
    Yields decompressed bytes, and `_RESYNC` where data was lost.
    """
    off, leftover = start, b""
    f.seek(start)
    while end is None or off < end:
        loc.stream_offset = off
        dec = bz2.BZ2Decompressor()
        pos = off  # file offset just past the last byte given to `dec`
        try:
            while not dec.eof:
                raw, leftover = (leftover or f.read(_RAW_CHUNK)), b""
                if not raw:
                    if pos > off or end is not None:
                        on_problem("truncated_file", f"{loc.describe()}: compressed data ends inside a bz2 stream")
                        yield _RESYNC
                    return
                pos += len(raw)
                out = dec.decompress(raw)
                if out:
                    yield out
        except (OSError, EOFError, ValueError) as err:
            on_problem("corrupt_bz2", f"{loc.describe()}: invalid bz2 data ({err}); skipping to the next stream")
            yield _RESYNC
            nxt = _find_stream_start(f, off + 1, end)
            if nxt is None:
                return
            off, leftover = nxt, b""
            f.seek(off)
            continue
        leftover = dec.unused_data
        off = pos - len(leftover)
        if not leftover and end is None:
            # at a stream boundary: stop cleanly at end of file instead of reporting an empty "next stream"
            leftover = f.read(_RAW_CHUNK)
            if not leftover:
                return


class _ElementSplitter:
    """Cuts a decompressed dump byte stream into `<siteinfo>` and `<page>` elements.

    Why not iterparse: an XML parser stops at the first error and every later page is lost. `<page>` and
    `</page>` cannot appear inside escaped XML text, so cutting on them lets each page be parsed on its own and a
    malformed one be skipped. Memory holds one page at a time.

    Items are (kind, uncompressed offset, bytes) with kind "siteinfo", "page" or "broken" (a page cut short by
    a missing `</page>`, lost data or the end of the input).
    """

    _OPEN, _CLOSE = b"<page>", b"</page>"
    _SITE_OPEN, _SITE_CLOSE = b"<siteinfo>", b"</siteinfo>"

    def __init__(self) -> None:
        self._buf = b""
        self._base = 0  # uncompressed offset of _buf[0]
        self._scan = 0  # where to resume searching in _buf
        self._start = -1  # start of the open element in _buf, -1 when none
        self._close = b""
        self._before_pages = True  # <siteinfo> is looked for only before the first page

    def feed(self, data: bytes) -> list[tuple[str, int, bytes]]:
        self._buf += data
        items: list[tuple[str, int, bytes]] = []
        buf = self._buf
        while True:
            if self._start < 0:
                i = buf.find(self._OPEN, self._scan)
                j = buf.find(self._SITE_OPEN, self._scan) if self._before_pages else -1
                if i < 0 and j < 0:
                    self._scan = max(self._scan, len(buf) - len(self._SITE_OPEN))
                    break
                if j >= 0 and (i < 0 or j < i):
                    self._start, self._close, self._scan = j, self._SITE_CLOSE, j + len(self._SITE_OPEN)
                else:
                    self._start, self._close, self._scan = i, self._CLOSE, i + len(self._OPEN)
                    self._before_pages = False
            close = buf.find(self._close, self._scan)
            reopen = buf.find(self._OPEN, self._scan)
            if reopen >= 0 and (close < 0 or reopen < close):  # a new page starts before this one ended
                items.append(("broken", self._base + self._start, buf[self._start : reopen]))
                self._start, self._scan = -1, reopen
                continue
            if close < 0:
                self._scan = max(self._scan, len(buf) - len(self._close))
                break
            end = close + len(self._close)
            kind = "siteinfo" if self._close == self._SITE_CLOSE else "page"
            items.append((kind, self._base + self._start, buf[self._start : end]))
            self._start, self._scan = -1, end
        cut = self._start if self._start >= 0 else self._scan
        self._buf = buf[cut:]
        self._base += cut
        self._scan -= cut
        if self._start >= 0:
            self._start = 0
        return items

    def flush(self) -> list[tuple[str, int, bytes]]:
        """End of contiguous data (lost data or end of input): an open element is returned as broken."""
        items = []
        if self._start >= 0 and self._close == self._CLOSE:
            items.append(("broken", self._base + self._start, self._buf[self._start :]))
        self._base += len(self._buf)
        self._buf, self._scan, self._start = b"", 0, -1
        return items


# ---------------------------------------------------------------------------------------------------------------
# Multistream index


def default_index_path(dump_path: str) -> str | None:
    """The index file name the Wikimedia dumps use next to a multistream dump, or None for other dumps.

    `X-multistream.xml.bz2` -> `X-multistream-index.txt.bz2`;
    `X-multistream3.xml-p151574p311329.bz2` -> `X-multistream-index3.txt-p151574p311329.bz2`.
    """
    head, name = dump_path.rpartition("/")[0], dump_path.rpartition("/")[2]
    m = re.fullmatch(r"(.*-multistream)(\d*)\.xml(-p\d+p\d+)?\.bz2", name)
    if not m:
        return None
    index = f"{m.group(1)}-index{m.group(2)}.txt{m.group(3) or ''}.bz2"
    return f"{head}/{index}" if head else index


def read_multistream_index(f: IO[bytes]) -> tuple[list[int], int, bool]:
    """Read a multistream index (`offset:page_id:title` lines, bz2 or plain) from an open binary file.

    Returns:
        (sorted distinct stream offsets, number of malformed lines, whether the file was cut short). A damaged
        index only loses split points: the streams after the last offset read go to the last slice.
    """
    offsets: set[int] = set()
    bad = 0
    problems: list[str] = []
    head = f.read(3)
    f.seek(0)
    if head == _BZ2_MAGIC:
        chunks = _iter_bz2_streams(f, 0, None, _Location("index"), lambda stat, _: problems.append(stat))
    else:
        chunks = iter(lambda: f.read(4 * 1024 * 1024), b"")
    tail = b""
    for block in chunks:
        if block is _RESYNC:  # lost data: the partial line before it could be a cut-off offset
            tail = b""
            continue
        data = tail + block  # type: ignore[operator]
        cut = data.rfind(b"\n") + 1
        lines, tail = data[:cut], data[cut:]
        offsets.update(map(int, set(_INDEX_LINE.findall(lines))))
        bad += len(_BAD_INDEX_LINE.findall(lines))
    if tail:
        offsets.update(int(m) for m in _INDEX_LINE.findall(tail))
        bad += len(_BAD_INDEX_LINE.findall(tail))
    damaged = bool(problems)
    return sorted(offsets), bad, damaged


def _is_dump_name(name: str) -> bool:
    return ".xml" in name and "index" not in name


# ---------------------------------------------------------------------------------------------------------------
# The reader


@dataclass
class _Job:
    """One piece of work for a task: a file, with either a byte range of streams or a page-ordinal filter."""

    path: str
    start: int = 0
    end: int | None = None
    indexed: bool = False  # a slice found through the index: the site info must be read from stream 0
    every: int = 1  # keep pages with ordinal % every == remainder
    remainder: int = 0
    report_file_problems: bool = True  # in shared reads only one task reports file-level damage


class WikipediaDumpReader(BaseReader):
    """Read a MediaWiki `pages-articles` dump into clean namespace-0 articles.

    Documents: id = page id (str), text = cleaned article, metadata url
    (`<siteinfo><base>`'s wiki prefix + Title_with_underscores), title, timestamp (the revision's).

    Args:
        data: a dump file (`.xml`, `.xml.bz2`, `-multistream.xml.bz2`) or a folder of them; local or any fsspec
            URL (`s3://...`; `https://...` is streamed with retries and Range resumes, see readers.remote). Index
            files in a folder are recognised by "index" in their name.
        index: the multistream index (`...-multistream-index.txt.bz2`). None: use the one next to the dump if it
            exists (standard Wikimedia name). False: never use an index. A path that does not exist is an error.
        base_url: article URL prefix; by default derived from the dump's `<siteinfo><base>`.
        limit: at most this many documents per task (-1: all).
        skip: skip this many documents at the start of each task.
        default_metadata: added to every document's metadata.
        max_page_bytes: skip (and count as `oversized_page`) articles with more UTF-8 bytes of wikitext than this,
            which would stall the task in the parser (`MAX_PAGE_BYTES`; None: no limit).
    """

    name = "📖 Wikipedia dump"
    _requires_dependencies = ["mwparserfromhell"]

    def __init__(
        self,
        data: str | os.PathLike[str],
        index: str | os.PathLike[str] | bool | None = None,
        base_url: str | None = None,
        limit: int = -1,
        skip: int = 0,
        default_metadata: dict[str, Any] | None = None,
        max_page_bytes: int | None = MAX_PAGE_BYTES,
    ):
        super().__init__(limit=limit, skip=skip, default_metadata=default_metadata)
        self.max_page_bytes = max_page_bytes
        self.data = os.fspath(data)
        self.index = os.fspath(index) if isinstance(index, (str, os.PathLike)) else index
        if self.index is True:
            raise UsageError("index=True is ambiguous: pass the index path, None (auto-detect) or False (no index)")
        self.base_url = base_url
        self._logged: set[str] = set()
        self._list_files()  # fail fast (in the CLI process) on a missing dump or index

    # -- planning -------------------------------------------------------------------------------------------

    def _list_files(self) -> tuple[Any, list[tuple[str, tuple[Any, str] | None]]]:
        """(fs, [(dump path, (index fs, index path) or None)]) in a fixed order; UsageError for missing inputs."""
        from olm_data.readers.remote import url_to_files as url_to_fs  # http(s): retries and resumes

        fs, root = url_to_fs(self.data)
        if not fs.exists(root):
            raise UsageError(f"Wikipedia dump not found: {self.data}")
        if fs.isdir(root):
            if isinstance(self.index, str):
                raise UsageError(f"index= names one file's index, but {self.data} is a folder: pass the dump file")
            names = sorted(p for p in fs.find(root) if _is_dump_name(p.rpartition("/")[2]))
            if not names:
                raise UsageError(f"no Wikipedia dump (*.xml, *.xml.bz2) in folder {self.data}")
        else:
            names = [root]
        files: list[tuple[str, tuple[Any, str] | None]] = []
        for name in names:
            index: tuple[Any, str] | None = None
            if isinstance(self.index, str):
                index_fs, index_path = url_to_fs(self.index)
                if not index_fs.exists(index_path):
                    raise UsageError(f"multistream index not found: {self.index} (pass index=None to auto-detect)")
                index = (index_fs, index_path)
            elif self.index is None:
                guess = default_index_path(name)
                index = (fs, guess) if guess and fs.exists(guess) else None
            files.append((name, index))
        return fs, files

    def _plan(
        self, fs: Any, files: list[tuple[str, tuple[Any, str] | None]], rank: int, world_size: int
    ) -> list[_Job]:
        """This task's share of the work; see the module docstring for the rules."""
        jobs: list[_Job] = []
        unindexed = []
        for path, index in files:
            size = fs.info(path).get("size")
            if index is None or not size:
                unindexed.append(path)
                continue
            with fs.open(path, "rb") as f:
                if f.read(3) != _BZ2_MAGIC:
                    raise UsageError(f"{path} is not bz2-compressed, so its multistream index cannot apply")
            index_fs, index_path = index
            with index_fs.open(index_path, "rb") as f:
                offsets, bad, damaged = read_multistream_index(f)
            if bad and rank == 0:  # every task reads the index; one reports it
                self._problem("bad_index_line", f"{index_path}: {bad} malformed line(s) ignored", value=bad)
            if damaged and rank == 0:
                last = offsets[-1] if offsets else 0
                self._problem("bad_index", f"{index_path}: damaged; the streams after byte {last} go to one task")
            if not offsets:
                unindexed.append(path)
                continue
            first, span = offsets[0], max(1, size - offsets[0])
            # contiguous byte slices: stream i belongs to the task whose slice holds its start offset
            owner = [min(world_size - 1, (o - first) * world_size // span) for o in offsets]
            mine = [i for i, r in enumerate(owner) if r == rank]
            if mine:
                end = offsets[mine[-1] + 1] if mine[-1] + 1 < len(offsets) else None
                jobs.append(_Job(path, start=offsets[mine[0]], end=end, indexed=True))
        if len(unindexed) >= world_size:
            jobs += [_Job(p) for j, p in enumerate(unindexed) if j % world_size == rank]
        else:
            jobs += [_Job(p, every=world_size, remainder=rank, report_file_problems=rank == 0) for p in unindexed]
        return jobs

    # -- reading --------------------------------------------------------------------------------------------

    def _problem(self, stat: str, message: str, value: int = 1) -> None:
        """Count a problem and log the first one of each kind (the count is in the stats)."""
        self.stat_update(stat, value=value)
        if stat not in self._logged:
            self._logged.add(stat)
            logger.warning(f"{message} [stat '{stat}'; further ones are counted, not logged]")
            from olm_data.funnel import record_damage

            record_damage(self, stat, message, "")

    def _read_siteinfo(self, f: IO[bytes], loc: _Location, compressed: bool) -> SiteInfo:
        """Site info from the head of the file (the first bz2 stream of a multistream dump)."""
        splitter = _ElementSplitter()
        chunks = _iter_bz2_streams(f, 0, 1, loc, lambda *_: None) if compressed else iter(lambda: f.read(65536), b"")
        for chunk in chunks:
            if chunk is _RESYNC:
                break
            for kind, _, raw in splitter.feed(chunk):  # type: ignore[arg-type]
                if kind == "siteinfo":
                    return self._parse_siteinfo(raw, loc, report=True)
                return self._default_site()
        return self._default_site()

    def _default_site(self) -> SiteInfo:
        return SiteInfo(self.base_url or DEFAULT_BASE_URL)

    def _parse_siteinfo(self, raw: bytes, loc: _Location, report: bool) -> SiteInfo:
        try:
            return SiteInfo.from_xml(raw, self.base_url)
        except ET.ParseError as err:
            if report:
                self._problem("bad_siteinfo", f"{loc.describe()}: malformed <siteinfo> ({err}); using defaults")
            return self._default_site()

    def _read_job(self, fs: Any, job: _Job) -> Iterator[Document]:
        loc = _Location(job.path)

        def problem(stat: str, message: str) -> None:
            if job.report_file_problems:
                self._problem(stat, message)

        with fs.open(job.path, "rb") as f:
            head = f.read(3)
            if not head:
                problem("empty_file", f"{job.path}: empty file (0 bytes), skipped")
                return
            compressed = head == _BZ2_MAGIC
            f.seek(0)
            site = self._default_site()
            if job.indexed:  # the site info sits in the first stream, before any indexed one
                site = self._read_siteinfo(f, _Location(job.path), compressed)
            if compressed:
                chunks: Iterator[bytes | object] = _iter_bz2_streams(f, job.start, job.end, loc, problem)
            else:
                chunks = iter(lambda: f.read(_PLAIN_CHUNK), b"")
            splitter = _ElementSplitter()
            ordinal = -1
            seen_site = False
            for chunk in chunks:
                items = splitter.flush() if chunk is _RESYNC else splitter.feed(chunk)  # type: ignore[arg-type]
                for kind, xml_offset, raw in items:
                    if kind == "siteinfo":
                        site, seen_site = self._parse_siteinfo(raw, loc, job.report_file_problems), True
                        continue
                    ordinal += 1
                    if ordinal % job.every != job.remainder:
                        continue
                    doc = self._page_to_document(kind, raw, site, loc, xml_offset)
                    if doc is not None:
                        yield doc
            for kind, xml_offset, raw in splitter.flush():
                ordinal += 1
                if not compressed:
                    problem("truncated_file", f"{loc.describe(xml_offset=xml_offset)}: XML ends inside a <page>")
                if ordinal % job.every == job.remainder:
                    self._page_to_document(kind, raw, site, loc, xml_offset)
            if ordinal < 0 and not seen_site and not job.indexed:
                problem("no_pages", f"{job.path}: no <page> found; is it a MediaWiki XML dump (.xml or .xml.bz2)?")

    def _page_to_document(
        self, kind: str, raw: bytes, site: SiteInfo, loc: _Location, xml_offset: int
    ) -> Document | None:
        """One `<page>` element -> Document, or None (counted under the stat that says why)."""
        self.stat_update("pages")
        m = _PAGE_ID.search(raw)
        where = loc.describe(m.group(1).decode() if m else None, xml_offset)
        if kind == "broken":
            self._problem("bad_page", f"{where}: page cut short (missing </page> or lost data), skipped")
            return None
        with self.track_time():
            try:
                page = ET.fromstring(raw)
            except ET.ParseError as err:
                self._problem("bad_page", f"{where}: malformed page XML ({err}), skipped")
                return None
            page_id, ns, title = page.findtext("id"), page.findtext("ns"), page.findtext("title")
            if not page_id or not page_id.strip() or ns is None or not title:
                self._problem("bad_page", f"{where}: page without <id>, <ns> or <title>, skipped")
                return None
            if ns.strip() != "0":
                self.stat_update("skipped_namespace")
                return None
            if page.find("redirect") is not None:
                self.stat_update("skipped_redirect")
                return None
            revisions = page.findall("revision")
            revision = revisions[-1] if revisions else None
            wikitext = revision.findtext("text") if revision is not None else None
            timestamp = revision.findtext("timestamp") if revision is not None else None
            if not wikitext or not wikitext.strip():
                self.stat_update("skipped_empty")
                return None
            limit = self.max_page_bytes
            # the raw XML is at least as long as its text in bytes: encode only pages that may be over the limit
            if limit is not None and len(raw) > limit and (size := len(wikitext.encode())) > limit:
                self._problem(
                    "oversized_page",
                    f"{where} ({title.strip()!r}): {size:,} bytes of wikitext, over max_page_bytes={limit:,}; "
                    "skipped (the parser would stall the task)",
                )
                return None
            try:
                text = clean_wikitext(wikitext, site.media_prefixes, site.category_prefixes)
            except Exception as err:  # mwparserfromhell on pathological markup; never worth a crashed run
                self._problem("bad_wikitext", f"{where}: wikitext parser failed ({type(err).__name__}: {err})")
                return None
            if not text:
                self.stat_update("skipped_empty")
                return None
        title = title.strip()
        metadata = {"url": site.page_url(title), "title": title, "timestamp": timestamp}
        if self.default_metadata:
            metadata = self.default_metadata | metadata
        return Document(text=text, id=page_id.strip(), metadata=metadata)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Yield this task's articles (see the class docstring for how the dump is split between tasks)."""
        if data:
            yield from data
        fs, files = self._list_files()
        self._log_limit_scope(rank, world_size)
        kept = skipped = 0
        for job in self._plan(fs, files, rank, world_size):
            self.stat_update("input_files")
            for doc in self._read_job(fs, job):
                if skipped < self.skip:
                    skipped += 1
                    continue
                if self.limit != -1 and kept >= self.limit:
                    return
                kept += 1
                self.stat_update("documents")
                self.update_doc_stats(doc)
                yield doc
